"""Who can see whom: vision cones and line of sight, vectorised over every viewer at once.

Line of sight samples each viewer-to-target segment at half-tile steps and looks the samples
up in the sight-blocking mask with one fancy-indexing operation for all viewers together; the
viewer's and the target's own cells do not block (an officer may stand at a forest's edge).
``seen_mask`` casts rays through each viewer's cone the same way, for the police's search
map: what a unit looks at, it clears.
"""

from __future__ import annotations

import functools
import math

import numpy as np

SAMPLES_PER_TILE = 2
_FRACTIONS: dict[int, np.ndarray] = {}  # sample positions along a segment, by sample count


def _fractions(steps: int) -> np.ndarray:
    if steps not in _FRACTIONS:
        _FRACTIONS[steps] = np.linspace(0.0, 1.0, steps)[1:-1]  # the two ends do not block
    return _FRACTIONS[steps]


def line_of_sight(blocks: np.ndarray, xs: np.ndarray, ys: np.ndarray, tx: float, ty: float
                  ) -> np.ndarray:
    """For viewers at (xs, ys): True where nothing blocks the view to (tx, ty)."""
    if len(xs) == 0:
        return np.zeros(0, bool)
    width = blocks.shape[1]
    dx, dy = tx - xs, ty - ys
    t = _fractions(max(2, math.ceil(math.sqrt(float((dx * dx + dy * dy).max()))
                                    * SAMPLES_PER_TILE) + 1))
    # Coordinates are never negative, so truncation is floor; flat indices make one lookup.
    cells = ((ys[:, None] + dy[:, None] * t).astype(np.intp) * width
             + (xs[:, None] + dx[:, None] * t).astype(np.intp))
    own = cells == (ys.astype(np.intp) * width + xs.astype(np.intp))[:, None]
    own |= cells == math.floor(ty) * width + math.floor(tx)
    clear: np.ndarray = ~(blocks.ravel()[cells] & ~own).any(axis=1)
    return clear


def in_cone(xs: np.ndarray, ys: np.ndarray, hx: np.ndarray, hy: np.ndarray, tx: float,
            ty: float, reach: np.ndarray | float, half_angle: float) -> np.ndarray:
    """True where (tx, ty) lies within reach and inside the viewer's cone (heading hx, hy)."""
    dx, dy = tx - xs, ty - ys
    distance = np.hypot(dx, dy)
    facing = (dx * hx + dy * hy) >= np.cos(half_angle) * np.maximum(distance, 1e-9)
    inside: np.ndarray = (distance <= reach) & (facing | (distance < 1.0))
    return inside


@functools.lru_cache(maxsize=64)
def _rays(half_angle: float, rays: int, samples: int) -> tuple[np.ndarray, np.ndarray]:
    """The angles across a cone and the distances sampled along each ray (read-only)."""
    fan = np.linspace(-half_angle, half_angle, rays)
    steps = np.arange(1, samples + 1) / SAMPLES_PER_TILE
    fan.flags.writeable = steps.flags.writeable = False
    return fan, steps


def seen_mask(blocks: np.ndarray, xs: np.ndarray, ys: np.ndarray, hx: np.ndarray,
              hy: np.ndarray, reach: float, half_angle: float, rays: int = 24) -> np.ndarray:
    """A [y, x] mask of the cells the viewers can see, along ``rays`` rays across each cone.

    A ray sees up to and including the first blocking cell (a wall's face), not beyond it,
    and stops at the map's edge."""
    height, width = blocks.shape
    seen = np.zeros(height * width, bool)
    if len(xs) == 0:
        return seen.reshape(height, width)
    fan, steps = _rays(half_angle, rays, int(reach * SAMPLES_PER_TILE))
    angles = np.arctan2(hy, hx)[:, None] + fan
    px = xs[:, None, None] + np.cos(angles)[:, :, None] * steps  # (viewers, rays, samples)
    py = ys[:, None, None] + np.sin(angles)[:, :, None] * steps
    inside = (px >= 0) & (px < width) & (py >= 0) & (py < height)
    # Inside the map coordinates are not negative, so truncation is floor; outside, cell 0
    # stands in and the sample counts as blocked.
    cells = py.astype(np.intp)
    cells *= width
    cells += px.astype(np.intp)
    cells *= inside
    hit = blocks.ravel()[cells]
    hit |= ~inside
    first = np.where(hit.any(axis=2), hit.argmax(axis=2), hit.shape[2])
    visible = (np.arange(hit.shape[2]) <= first[:, :, None]) & inside
    seen[cells[visible]] = True
    return seen.reshape(height, width)
