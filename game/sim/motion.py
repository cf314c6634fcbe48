"""Moving agents continuously over a grid without entering cells they cannot enter.

Positions are floats in tiles (a cell's centre is at +0.5). An agent is a small square of
half-size RADIUS; a move is tried along x and then along y, each kept only if every cell the
square would touch is passable, so agents slide along walls instead of sticking to them.
"""

from __future__ import annotations

import math

import numpy as np

RADIUS = 0.3


def fits(passable: np.ndarray, x: float, y: float, radius: float = RADIUS) -> bool:
    """Whether a square of half-size ``radius`` (under one tile) at (x, y) touches only
    passable cells: at most four, looked up one by one (cheaper than slicing)."""
    height, width = passable.shape
    x0, x1 = math.floor(x - radius), math.floor(x + radius)
    y0, y1 = math.floor(y - radius), math.floor(y + radius)
    if x0 < 0 or y0 < 0 or x1 >= width or y1 >= height:
        return False
    return bool(passable[y0, x0] and passable[y0, x1] and passable[y1, x0]
                and passable[y1, x1])


def slide(passable: np.ndarray, x: float, y: float, dx: float, dy: float,
          radius: float = RADIUS) -> tuple[float, float]:
    """Position after trying to move by (dx, dy), axis by axis."""
    if dx and fits(passable, x + dx, y, radius):
        x += dx
    if dy and fits(passable, x, y + dy, radius):
        y += dy
    return x, y


def toward(x: float, y: float, tx: float, ty: float, distance: float
           ) -> tuple[float, float, bool]:
    """Step straight toward (tx, ty) by at most ``distance``; True when it arrives."""
    dx, dy = tx - x, ty - y
    gap = math.hypot(dx, dy)
    if gap <= distance or gap < 1e-9:
        return tx, ty, True
    return x + dx / gap * distance, y + dy / gap * distance, False


# The eight neighbour steps, clockwise from east (y grows southward).
STEPS: tuple[tuple[int, int], ...] = ((1, 0), (1, 1), (0, 1), (-1, 1), (-1, 0), (-1, -1),
                                      (0, -1), (1, -1))


def can_step(passable: np.ndarray, x: int, y: int, dx: int, dy: int) -> bool:
    """Whether a mover may go from cell (x, y) to its neighbour; diagonals may not cut corners."""
    height, width = passable.shape
    nx, ny = x + dx, y + dy
    if not (0 <= nx < width and 0 <= ny < height) or not passable[ny, nx]:
        return False
    if dx and dy:
        return bool(passable[y, nx] and passable[ny, x])
    return True


def downhill(field: np.ndarray, passable: np.ndarray, x: int, y: int
             ) -> tuple[int, int] | None:
    """The neighbour step that lowers a distance field the most, or None at the bottom."""
    best, best_value = None, float(field[y, x])
    for dx, dy in STEPS:
        if can_step(passable, x, y, dx, dy):
            value = float(field[y + dy, x + dx])
            if value < best_value:
                best, best_value = (dx, dy), value
    return best
