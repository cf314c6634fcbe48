"""Fields the simulation's agents walk by: windows of a distance field, routes and flee maps.

Many agents that chase one target read one field instead of each searching alone. The sweep
that computes a distance field lives in ``game.grids`` (the map checker uses it too); this
module computes it over windows of the map, around a unit and its goal, which costs less than
the whole map, and turns it into flee maps.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from game.grids import SweepGrid


@dataclass(frozen=True)
class WindowField:
    """A field computed over part of the map: values for cells x0..x0+w, y0..y0+h."""

    x0: int
    y0: int
    values: np.ndarray  # [y, x] inside the window

    def at(self, x: int, y: int) -> float:
        """The value at a map cell, inf outside the window."""
        wy, wx = y - self.y0, x - self.x0
        if 0 <= wy < self.values.shape[0] and 0 <= wx < self.values.shape[1]:
            return float(self.values[wy, wx])
        return math.inf

    def contains(self, x: int, y: int) -> bool:
        height, width = self.values.shape
        return bool(0 <= y - self.y0 < height and 0 <= x - self.x0 < width)


Box = tuple[int, int, int, int]  # x0, y0, x1, y1 (ends exclusive)


def route_box(shape: tuple[int, ...], target: tuple[int, int], origin: tuple[int, int],
              margin: int) -> Box:
    """The box round ``target`` and ``origin`` plus ``margin``, clipped to a map of ``shape``."""
    height, width = shape
    return (max(0, min(target[0], origin[0]) - margin), max(0, min(target[1], origin[1]) - margin),
            min(width, max(target[0], origin[0]) + margin + 1),
            min(height, max(target[1], origin[1]) + margin + 1))


def box_field(grid: SweepGrid, target: tuple[int, int], box: Box) -> WindowField:
    """The distance field toward ``target`` by paths inside ``box`` only (inf beyond them),
    from the whole map's ``grid``."""
    x0, y0, x1, y1 = box
    values = grid.window(x0, y0, x1, y1).distances(np.array([[target[0] - x0,
                                                              target[1] - y0]]))
    return WindowField(x0, y0, values)


def window_route(cost: np.ndarray, target: tuple[int, int], origin: tuple[int, int],
                 margin: int,
                 fields: Callable[[tuple[int, int], Box], WindowField] | None = None
                 ) -> WindowField | None:
    """The distance field toward ``target`` over the box around it and ``origin`` (plus
    ``margin``); None when the way from origin leaves the box (then use the whole map).

    Routes to nearby places are what units mostly need, and a box a few times smaller than
    the map costs a few times less to sweep. ``fields(target, box)`` (a Stage's, which keeps
    them for the units and games that ask again) gives the box's field; without it, it is
    swept here. Either way the same numbers: the field depends on the box, not the origin."""
    box = route_box(cost.shape, target, origin, margin)
    field = (box_field(SweepGrid(cost), target, box) if fields is None
             else fields(target, box))
    if not np.isfinite(field.values[origin[1] - field.y0, origin[0] - field.x0]):
        return None
    return field


FLEE_SCALE = -1.2  # Amit Patel's value: far enough beyond -1 that fleeing prefers exits


def flee_field(cost: np.ndarray, threats: np.ndarray, centre: tuple[int, int], radius: int
               ) -> WindowField:
    """A flee map around ``centre``: walk downhill on it to get away from the threats.

    The distance from the threats is scaled by FLEE_SCALE and relaxed again, so a cell next to
    an exit scores better than a corner that is merely far away: fleers run for open ground
    and out of dead ends instead of into them (the "Dijkstra map" flee trick). Only a window
    of ``radius`` around ``centre`` is computed; fleeing is local.
    """
    height, width = cost.shape
    cx, cy = centre
    x0, x1 = max(0, cx - radius), min(width, cx + radius + 1)
    y0, y1 = max(0, cy - radius), min(height, cy + radius + 1)
    grid = SweepGrid(cost[y0:y1, x0:x1])
    cells = np.asarray(threats, np.int64).reshape(-1, 2) - (x0, y0)
    keep = ((cells[:, 0] >= 0) & (cells[:, 0] < x1 - x0) & (cells[:, 1] >= 0)
            & (cells[:, 1] < y1 - y0))
    cells = cells[keep]
    if len(cells) == 0:
        return WindowField(x0, y0, np.full((y1 - y0, x1 - x0), np.inf, np.float32))
    away = grid.distances(cells)
    start = np.where(np.isfinite(away), away * FLEE_SCALE, np.inf)
    return WindowField(x0, y0, grid.relax(start))
