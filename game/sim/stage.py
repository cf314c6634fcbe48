"""The stage a chase plays on: everything derived from a map and a tuning that no game changes.

Building it costs from a fifth of a second (lakeside) to a second or two (512 x 384): the scent
is pre-warmed to its steady state, and distance fields are prepared while its LU factorises on
a second thread. So a batch worker builds one Stage per map and tuning and starts every seed's
World from it. A Stage is read-only once built;
Worlds copy what they change. Worlds that share a Stage step in one thread at a time: its
sweeps and the scent's stencil keep working arrays, and its caches of route fields fill as
games ask.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from game.contract import TERRAIN_ID
from game.grids import SweepGrid, reachable
from game.level import Level, MapObject
from game.sim.fields import Box, WindowField, box_field
from game.sim.ground import GroundSetup
from game.sim.motion import downhill, step_masks
from game.sim.scent import Prewarmed, ScentSetup
from game.tuning import Tuning


def terrain_in(terrain: np.ndarray, names: tuple[str, ...]) -> np.ndarray:
    return np.isin(terrain, [TERRAIN_ID[name] for name in names])


class SearchBlocks:
    """The map cut into square blocks for the search: each block's walkable cell nearest its
    centre (where an officer goes to look) and its road cell nearest its centre (for cars)."""

    SIZE = 8

    def __init__(self, walkable: np.ndarray, road: np.ndarray):
        height, width = walkable.shape
        self.rows = (height + self.SIZE - 1) // self.SIZE
        self.cols = (width + self.SIZE - 1) // self.SIZE
        self.foot: dict[int, tuple[int, int]] = {}
        self.road: dict[int, tuple[int, int]] = {}
        self._clusters: dict[tuple[int, int, int], tuple[int, int]] = {}
        # Every block at once (a loop over blocks cost a fifth of a second on 512 x 384): the
        # squared distance of each of a block's cells from its centre is the same pattern in
        # every block, exact in float64, and argmin takes the first of equals in row order,
        # as a scan of the block's cells would.
        size = self.SIZE
        offsets = np.arange(size) + 0.5 - size / 2
        pattern = (offsets[None, :] ** 2 + offsets[:, None] ** 2).ravel()
        for mask, found in ((walkable, self.foot), (road, self.road)):
            padded = np.zeros((self.rows * size, self.cols * size), bool)
            padded[:height, :width] = mask
            cells = padded.reshape(self.rows, size, self.cols, size).transpose(
                0, 2, 1, 3).reshape(self.rows * self.cols, size * size)
            nearest = np.argmin(np.where(cells, pattern, np.inf), axis=1)
            for index in np.flatnonzero(cells.any(axis=1)).tolist():
                dy, dx = divmod(int(nearest[index]), size)
                by, bx = divmod(index, self.cols)
                found[index] = (bx * size + dx, by * size + dy)
        # The same blocks' indices as arrays, in the same order, to pick from with numpy.
        self.foot_indices = np.fromiter(self.foot, np.int64, len(self.foot))
        self.road_indices = np.fromiter(self.road, np.int64, len(self.road))
        self.centres = [self.centre(index) for index in range(self.rows * self.cols)]

    def totals(self, grid: np.ndarray) -> np.ndarray:
        """Sum of a [y, x] grid over each block, as a flat array by block index."""
        height, width = grid.shape
        padded = np.zeros((self.rows * self.SIZE, self.cols * self.SIZE), np.float64)
        padded[:height, :width] = grid
        totals: np.ndarray = padded.reshape(self.rows, self.SIZE, self.cols, self.SIZE).sum(
            axis=(1, 3)).ravel()
        return totals

    CLUSTER = 4  # blocks a side in a cluster: routes from afar go to the cluster's cell

    def cluster_cell(self, cell: tuple[int, int], found: dict[int, tuple[int, int]]
                     ) -> tuple[int, int]:
        """The cell that stands for the cluster of blocks holding ``cell``: of the cluster's
        blocks in ``found`` (foot or road cells), the one nearest the cluster's centre."""
        by, bx = divmod(self.index_of(cell), self.cols)
        cy, cx = by // self.CLUSTER, bx // self.CLUSTER
        key = (id(found), cy, cx)
        if key not in self._clusters:
            best, best_gap = cell, math.inf
            middle = ((cx + 0.5) * self.CLUSTER * self.SIZE, (cy + 0.5) * self.CLUSTER * self.SIZE)
            for oy in range(self.CLUSTER):
                for ox in range(self.CLUSTER):
                    y, x = cy * self.CLUSTER + oy, cx * self.CLUSTER + ox
                    spot = found.get(y * self.cols + x) if y < self.rows and x < self.cols else None
                    if spot is not None:
                        gap = math.hypot(spot[0] + 0.5 - middle[0], spot[1] + 0.5 - middle[1])
                        if gap < best_gap:
                            best, best_gap = spot, gap
            self._clusters[key] = best
        return self._clusters[key]

    def index_of(self, cell: tuple[int, int]) -> int:
        return int((cell[1] // self.SIZE) * self.cols + cell[0] // self.SIZE)

    def centre(self, index: int) -> tuple[float, float]:
        by, bx = divmod(index, self.cols)
        return (bx + 0.5) * self.SIZE, (by + 0.5) * self.SIZE


def speed_factor(cost: np.ndarray, terrain: np.ndarray) -> np.ndarray:
    """How fast a mover goes on each cell, from its cost: slow ground slows it down.

    A road's cost is danger, not friction (people avoid it but cross at full speed), so roads
    keep full speed. Impassable cells get 0.
    """
    passable = np.isfinite(cost)
    factor = np.where(passable, 1.0 / np.maximum(cost, 1e-6), 0.0)
    factor[(terrain == TERRAIN_ID["road"]) & passable] = 1.0
    return np.minimum(factor, 1.0).astype(np.float32)


class Stage:
    # The knobs a Stage is built from; games whose tuning differs only elsewhere share one.
    KNOBS = ("scent_diffusion", "scent_decay", "collar_emission", "distractor_weight",
             "prewarm_seconds")

    @classmethod
    def key(cls, tuning: Tuning) -> tuple[Any, ...]:
        return tuple(getattr(tuning, name) for name in cls.KNOBS)

    def fits(self, level: Level, tuning: Tuning) -> bool:
        return self.level is level and self.key(tuning) == self.key(self.tuning)

    def __init__(self, level: Level, tuning: Tuning, prewarmed: Prewarmed | None = None):
        self.level = level
        self.tuning = tuning
        # The scent's LU factorises on a thread of its own (SuperLU lets go of the GIL) while
        # this one builds the rest; the layers are pre-warmed from it at the end.
        self.scent = ScentSetup(level, tuning, prewarmed, defer=True)  # stagecache keeps them
        terrain = level.terrain
        self.walkable = np.isfinite(level.cost["foot"])
        self.dog_passable = np.isfinite(level.cost["dog"])
        self.dog_passable_f32 = self.dog_passable.astype(np.float32)
        self.ground = GroundSetup(level, tuning, self.dog_passable, self.scent)
        self.drivable = np.isfinite(level.cost["car"])
        self.fence = terrain == TERRAIN_ID["fence"]
        self.speed = {mover: speed_factor(level.cost[mover], terrain) for mover in level.cost}
        self.moves = {"foot": step_masks(self.walkable), "car": step_masks(self.drivable),
                      "dog": step_masks(self.dog_passable)}
        self.sweep = {mover: SweepGrid(level.cost[mover]) for mover in level.cost}
        tree, spawn = level.one("maple_tree").cell, level.one("mila_spawn").cell
        self.maple_tree = (tree[0] + 0.5, tree[1] + 0.5)
        self.mila_spawn = (spawn[0] + 0.5, spawn[1] + 0.5)
        gate = level.one("kennel_gate")
        self.gate_cells = gate.cells.copy()
        self.latch_s = float(gate.properties["latch_s"])
        shut = self.dog_passable.copy()
        shut[self.gate_cells[:, 1], self.gate_cells[:, 0]] = False
        rex = level.one("rex_spawn").cell
        self.kennel = reachable(shut, np.array([rex]))  # where Rex paces before the latch gives
        # The way out: when the latch gives he bolts through the gate before tracking anything.
        self.out_of_kennel = self.sweep["dog"].distances(self.dog_passable & ~self.kennel)
        facility = level.zones.get("facility")
        self.facility = facility if facility is not None else np.zeros_like(self.walkable)
        self.road = terrain == TERRAIN_ID["road"]
        self.cover = terrain_in(terrain, ("forest", "hedge"))  # where Rex is hard to make out
        # Walking distance to the nearest road cell: descending it from a goal finds the road
        # a patrol car should stop at ("the sidewalk nearest their goal").
        self.to_road = self.sweep["foot"].distances(self.road & self.walkable)
        self.door_cells = self._door_cells(level)
        self.to_door = (self.sweep["foot"].distances(self.door_cells) if len(self.door_cells)
                        else np.full(self.walkable.shape, np.inf, np.float32))
        self.blocks = SearchBlocks(self.walkable, self.road & self.drivable)
        self.police_car_cells = [self._car_start(spawn) for spawn in
                                 level.of_kind("police_spawn")]
        self.scent.finish()
        self._roads_near: dict[tuple[int, int], tuple[int, int] | None] = {}
        self._routes: dict[tuple[str, tuple[int, int]], np.ndarray] = {}
        self._boxes: dict[tuple[str, tuple[int, int], Box], WindowField] = {}
        self._boxes_bytes = 0
        self._next_steps: dict[tuple[str, tuple[int, int], tuple[int, int]],
                               tuple[int, int] | None] = {}

    def _door_cells(self, level: Level) -> np.ndarray:
        """Walkable cells by which people go in: the door's own cell, or beside a wall door."""
        cells = []
        for door in level.of_kind("door"):
            if not len(door.cells):
                continue
            x, y = door.cell
            if self.walkable[y, x]:
                cells.append((x, y))
                continue
            for dx, dy in ((0, 1), (0, -1), (1, 0), (-1, 0)):
                nx, ny = x + dx, y + dy
                if level.inside(nx, ny) and self.walkable[ny, nx]:
                    cells.append((nx, ny))
        return np.array(sorted(set(cells)), np.int64).reshape(-1, 2)

    def _car_start(self, spawn: MapObject) -> tuple[int, int] | None:
        """The road cell nearest to a police spawn on foot, where its cars start."""
        if int(spawn.properties.get("cars", 0)) <= 0:
            return None
        walk = self.sweep["foot"].distances(np.array([spawn.cell]))
        roads = np.where(self.road & self.drivable, walk, np.inf)
        if not np.isfinite(roads).any():
            return None
        y, x = np.unravel_index(int(np.argmin(roads)), roads.shape)
        return int(x), int(y)

    def road_near(self, cell: tuple[int, int]) -> tuple[int, int] | None:
        """The road cell nearest to a cell on foot: where a car drops officers for it."""
        if cell not in self._roads_near:
            if len(self._roads_near) > 10_000:
                self._roads_near.clear()
            self._roads_near[cell] = self._find_road(cell)
        return self._roads_near[cell]

    def _find_road(self, cell: tuple[int, int]) -> tuple[int, int] | None:
        x, y = cell
        if not np.isfinite(self.to_road[y, x]):
            return None
        for _ in range(self.walkable.size):
            if self.road[y, x]:
                return x, y
            step = downhill(self.to_road, self.moves["foot"], x, y)
            if step is None:
                return None
            x, y = x + step[0], y + step[1]
        return None

    # Route fields kept for reuse, within this many bytes (a batch worker's games share them).
    ROUTE_CACHE_BYTES = 96 << 20

    def route_field(self, mover: str, target: tuple[int, int]) -> np.ndarray:
        """Distance field toward one cell for a mover; kept, since targets repeat (search
        blocks, perimeter slots) within a game and across the seeds of a batch."""
        key = (mover, target)
        field = self._routes.pop(key, None)
        if field is None:
            field = self.sweep[mover].distances(np.array([target]))
            limit = max(8, self.ROUTE_CACHE_BYTES // max(field.nbytes, 1))
            while len(self._routes) >= limit:
                self._routes.pop(next(iter(self._routes)))  # the least recently used
        self._routes[key] = field  # most recently used last
        return field

    # Box fields kept for reuse, within this many bytes: units sent to the same block from the
    # same place (every seed's first search orders, from the stations) share one. Small, since a
    # batch worker keeps a Stage per map: at 32 MB the soak's ten stages a worker grew its
    # memory by a fifth over 1000 games (a box field is a few kilobytes; 2 MB holds hundreds).
    BOX_CACHE_BYTES = 2 << 20

    def box_field(self, mover: str, target: tuple[int, int], box: Box) -> WindowField:
        """The distance field toward ``target`` by paths inside ``box`` (``fields.box_field``),
        kept: the same box and target give the same numbers for every unit and game."""
        key = (mover, target, box)
        field = self._boxes.pop(key, None)
        if field is None:
            field = box_field(self.sweep[mover], target, box)
            field.values.flags.writeable = False  # shared by every unit that asks
            self._boxes_bytes += field.values.nbytes
            while self._boxes and self._boxes_bytes > self.BOX_CACHE_BYTES:
                oldest = self._boxes.pop(next(iter(self._boxes)))  # the least recently used
                self._boxes_bytes -= oldest.values.nbytes
        self._boxes[key] = field  # most recently used last
        return field

    def next_step(self, mover: str, target: tuple[int, int], cell: tuple[int, int]
                  ) -> tuple[int, int] | None:
        """The neighbour step from ``cell`` along the shortest path to ``target`` (None when
        there or cut off); remembered, since walkers ask from the same cells many ticks."""
        key = (mover, target, cell)
        if key not in self._next_steps:
            if len(self._next_steps) > 50_000:
                self._next_steps.clear()
            field = self.route_field(mover, target)
            x, y = cell
            self._next_steps[key] = (downhill(field, self.moves[mover], x, y)
                                     if np.isfinite(field[y, x]) else None)
        return self._next_steps[key]
