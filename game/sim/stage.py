"""The stage a chase plays on: everything derived from a map and a tuning that no game changes.

Building it costs a second or two (the scent is pre-warmed to its steady state, distance fields
are prepared), so a batch worker builds one Stage per map and tuning and starts every seed's
World from it. A Stage is read-only once built; Worlds copy what they change.
"""

from __future__ import annotations

import numpy as np

from game.contract import TERRAIN_ID
from game.level import Level
from game.sim.fields import SweepGrid, reachable
from game.sim.motion import downhill
from game.sim.scent import ScentSetup
from game.tuning import Tuning


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
    def __init__(self, level: Level, tuning: Tuning):
        self.level = level
        self.tuning = tuning
        self.scent = ScentSetup(level, tuning)
        terrain = level.terrain
        self.walkable = np.isfinite(level.cost["foot"])
        self.dog_passable = np.isfinite(level.cost["dog"])
        self.drivable = np.isfinite(level.cost["car"])
        self.fence = terrain == TERRAIN_ID["fence"]
        self.speed = {mover: speed_factor(level.cost[mover], terrain) for mover in level.cost}
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
        self._routes: dict[tuple[str, tuple[int, int]], np.ndarray] = {}
        self._next_steps: dict[tuple[str, tuple[int, int], tuple[int, int]],
                               tuple[int, int] | None] = {}

    def route_field(self, mover: str, target: tuple[int, int]) -> np.ndarray:
        """Distance field toward one cell for a mover; kept, since targets repeat."""
        key = (mover, target)
        if key not in self._routes:
            if len(self._routes) > 64:
                self._routes.pop(next(iter(self._routes)))
            self._routes[key] = self.sweep[mover].distances(np.array([target]))
        return self._routes[key]

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
            passable = self.walkable if mover == "foot" else np.isfinite(self.level.cost[mover])
            self._next_steps[key] = (downhill(field, passable, x, y)
                                     if np.isfinite(field[y, x]) else None)
        return self._next_steps[key]
