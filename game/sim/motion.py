"""Moving agents continuously over a grid without entering cells they cannot enter.

Positions are floats in tiles (a cell's centre is at +0.5). An agent is a small square of
half-size RADIUS; a move is tried along x and then along y, each kept only if every cell the
square would touch is passable, so agents slide along walls instead of sticking to them. A
move is swept: one longer than the square is wide is made in sub-steps no longer than its
half-width, so whatever the speed, the square passes over no cell it could not stand on (a
fast mover stops at a one-tile wall instead of jumping it).

Movers that walk from cell to cell (Rex, officers, cars, passers-by, Dylan) take only steps
that ``can_step`` or a ``step_masks`` grid allows, into a neighbouring cell; ``Stride`` walks
them there in a straight line. Mila, who moves freely, goes through ``slide``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Protocol

import numpy as np

RADIUS = 0.3


class Placed(Protocol):
    """Anything that stands somewhere: an agent a stride moves."""

    x: float
    y: float


class Facing(Placed, Protocol):
    """An agent that also looks somewhere."""

    heading: tuple[float, float]


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
    """Position after trying to move by (dx, dy), axis by axis, in sub-steps of at most
    ``radius`` so that the square sweeps over every cell between the start and the end."""
    if not (math.isfinite(dx) and math.isfinite(dy)):
        raise ValueError(f"a move of ({dx}, {dy}) is not finite")
    height, width = passable.shape
    # Nothing goes further than across the map, so a longer move is cut to that (which also
    # bounds the number of sub-steps).
    dx, dy = min(max(dx, -width), width), min(max(dy, -height), height)
    steps = max(1, math.ceil(max(abs(dx), abs(dy)) / radius))
    if steps > 1:
        dx, dy = dx / steps, dy / steps
    for _ in range(steps):
        before = (x, y)
        if dx and fits(passable, x + dx, y, radius):
            x += dx
        if dy and fits(passable, x, y + dy, radius):
            y += dy
        if (x, y) == before:
            break  # blocked (or a step too small to change a float): the rest goes nowhere
    return x, y


def toward(x: float, y: float, tx: float, ty: float, distance: float
           ) -> tuple[float, float, bool]:
    """Step straight toward (tx, ty) by at most ``distance``; True when it arrives."""
    dx, dy = tx - x, ty - y
    gap = math.hypot(dx, dy)
    if gap <= distance or gap < 1e-9:
        return tx, ty, True
    return x + dx / gap * distance, y + dy / gap * distance, False


def face(agent: Facing, tx: float, ty: float) -> None:
    """Turn an agent (anything with x, y and heading) to look at (tx, ty)."""
    dx, dy = tx - agent.x, ty - agent.y
    length = math.hypot(dx, dy)
    if length > 1e-6:
        agent.heading = (dx / length, dy / length)


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


def downhill(field: np.ndarray, moves: np.ndarray, x: int, y: int
             ) -> tuple[int, int] | None:
    """The neighbour step that lowers a distance field the most, or None at the bottom.

    ``moves`` is a mover's step mask grid (``step_masks``)."""
    best, best_value = None, float(field[y, x])
    for dx, dy, _ in STEP_SETS[moves[y, x]]:
        value = float(field[y + dy, x + dx])
        if value < best_value:
            best, best_value = (dx, dy), value
    return best


def step_masks(passable: np.ndarray) -> np.ndarray:
    """For every cell, a bit per STEPS direction a mover may take from it (uint8)."""
    height, width = passable.shape
    padded = np.zeros((height + 2, width + 2), bool)
    padded[1:-1, 1:-1] = passable

    def at(dx: int, dy: int) -> np.ndarray:
        return padded[1 + dy:1 + dy + height, 1 + dx:1 + dx + width]

    masks = np.zeros((height, width), np.uint8)
    for index, (dx, dy) in enumerate(STEPS):
        allowed = at(dx, dy) & passable
        if dx and dy:
            allowed &= at(dx, 0) & at(0, dy)  # no cutting corners
        masks |= np.where(allowed, np.uint8(1 << index), np.uint8(0))
    return masks


# STEP_SETS[mask] lists the (dx, dy, index) steps a mask allows, in STEPS order.
STEP_SETS: tuple[tuple[tuple[int, int, int], ...], ...] = tuple(
    tuple((dx, dy, i) for i, (dx, dy) in enumerate(STEPS) if mask >> i & 1)
    for mask in range(256))


@dataclass(slots=True)
class Stride:
    """Walking into the next cell at a steady speed: per tick, two additions.

    ``Stride.into`` works out the per-tick velocity once; ``advance`` moves a walker and says
    when it has arrived (exactly on the cell's centre).
    """

    gx: float
    gy: float
    vx: float
    vy: float
    steps: int

    @classmethod
    def into(cls, x: float, y: float, cell: tuple[int, int], per_tick: float) -> Stride:
        gx, gy = cell[0] + 0.5, cell[1] + 0.5
        dx, dy = gx - x, gy - y
        steps = max(1, math.ceil(math.hypot(dx, dy) / max(per_tick, 1e-6)))
        return cls(gx, gy, dx / steps, dy / steps, steps)

    def heading(self) -> tuple[float, float] | None:
        length = math.hypot(self.vx, self.vy)
        return (self.vx / length, self.vy / length) if length > 1e-12 else None

    def advance(self, walker: Placed) -> bool:
        """Move ``walker`` (anything with x and y) one tick; True on arrival."""
        self.steps -= 1
        if self.steps <= 0:
            walker.x, walker.y = self.gx, self.gy
            return True
        walker.x += self.vx
        walker.y += self.vy
        return False
