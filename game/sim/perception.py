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
# Calls over this few viewers with at most this many samples in all go through a Python loop:
# numpy's fixed cost per call (some twenty array operations) exceeds their work.
FEW_VIEWERS = 4
PYTHON_SAMPLES = 96
_FRACTIONS: dict[int, np.ndarray] = {}  # sample positions along a segment, by sample count


def _fractions(steps: int) -> np.ndarray:
    if steps not in _FRACTIONS:
        _FRACTIONS[steps] = np.linspace(0.0, 1.0, steps)[1:-1]  # the two ends do not block
    return _FRACTIONS[steps]


def sample_count(farthest: float) -> int:
    """How many points line of sight samples along every segment of one call: set by the
    longest segment, ``farthest`` being its squared length in tiles."""
    return max(2, math.ceil(math.sqrt(farthest) * SAMPLES_PER_TILE) + 1)


@functools.lru_cache(maxsize=256)
def _fraction_list(steps: int) -> list[float]:
    return _fractions(steps).tolist()  # type: ignore[no-any-return]


def line_of_sight(blocks: np.ndarray, xs: np.ndarray, ys: np.ndarray, tx: float, ty: float,
                  samples: int | None = None) -> np.ndarray:
    """For viewers at (xs, ys): True where nothing blocks the view to (tx, ty).

    Every segment is sampled at the same fractions, ``samples`` of them counting both ends
    (by default ``sample_count`` of the longest segment here). Each viewer's answer depends
    only on them, so a caller who passes the count of a larger call gets that call's answers
    for these viewers."""
    if len(xs) == 0:
        return np.zeros(0, bool)
    if len(xs) <= FEW_VIEWERS and xs.dtype == ys.dtype == np.float64:
        # A few viewers: their segments one by one in Python (whose floats are numpy's
        # float64, the same arithmetic), unless they are long.
        tx, ty = float(tx), float(ty)
        places = list(zip(xs.tolist(), ys.tolist(), strict=True))
        if samples is None:
            samples = sample_count(max((tx - x) * (tx - x) + (ty - y) * (ty - y)
                                       for x, y in places))
        if len(places) * samples <= PYTHON_SAMPLES:
            return np.array([clear_line(blocks, x, y, tx, ty, samples) for x, y in places],
                            bool)
    width = blocks.shape[1]
    dx, dy = tx - xs, ty - ys
    t = _fractions(samples if samples is not None
                   else sample_count(float((dx * dx + dy * dy).max())))
    # Coordinates are never negative, so truncation is floor; flat indices make one lookup.
    cells = ((ys[:, None] + dy[:, None] * t).astype(np.intp) * width
             + (xs[:, None] + dx[:, None] * t).astype(np.intp))
    own = cells == (ys.astype(np.intp) * width + xs.astype(np.intp))[:, None]
    own |= cells == math.floor(ty) * width + math.floor(tx)
    clear: np.ndarray = ~(blocks.ravel()[cells] & ~own).any(axis=1)
    return clear


def clear_line(blocks: np.ndarray, x: float, y: float, tx: float, ty: float, samples: int
               ) -> bool:
    """``line_of_sight`` for one viewer at (x, y) given the call's sample count: the same
    answer, sample for sample, from a Python loop that stops at the first blocking sample."""
    width = blocks.shape[1]
    flat = blocks.ravel()
    dx, dy = tx - x, ty - y
    viewer, target = int(y) * width + int(x), math.floor(ty) * width + math.floor(tx)
    for t in _fraction_list(samples):
        cell = int(y + dy * t) * width + int(x + dx * t)  # never negative: int() is floor
        if flat[cell] and cell != viewer and cell != target:
            return False
    return True


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
