"""Distance fields ("Dijkstra maps") over cost grids, computed with whole-grid numpy sweeps.

A distance field holds, for every cell, the cheapest cost of walking from it to the nearest
target, where entering a cell costs that cell's value in the mover's cost grid. Many agents that
chase one target read one field instead of each searching alone.

The sweep: along a row, moving right, the best distance at cell i is
``min over j <= i of d[j] + (S[i] - S[j])`` where S is the running sum of entry costs. That is
``S[i] + running_min(d - S)``: one ``np.minimum.accumulate`` per direction handles every row at
once. Alternating the four directions until nothing improves gives the exact 4-connected
shortest paths; each round lets every path turn a corner or two, so city maps settle in a
handful of rounds.
"""

from __future__ import annotations

import numpy as np

# Impassable cells are given this entry cost inside the sweep so that prefix sums stay finite;
# anything this far away is unreachable and becomes inf again.
_WALL = 1.0e7


class SweepGrid:
    """A cost grid prepared for repeated sweeps: the prefix sums are computed once."""

    def __init__(self, cost: np.ndarray):
        self.shape = cost.shape
        self.passable = np.isfinite(cost)
        entry = np.where(self.passable, cost, _WALL).astype(np.float64)
        # Prefix sums of entry cost in the four directions, arranged so every sweep runs along
        # axis 1 of a C-contiguous array.
        self._rows = entry
        self._cols = np.ascontiguousarray(entry.T)
        self._sums = {
            "east": np.cumsum(self._rows, axis=1),
            "west": np.cumsum(self._rows[:, ::-1], axis=1),
            "south": np.cumsum(self._cols, axis=1),
            "north": np.cumsum(self._cols[:, ::-1], axis=1),
        }

    def distances(self, targets: np.ndarray, max_rounds: int = 1000,
                  limit: float | None = None) -> np.ndarray:
        """Cost to reach the nearest target from every cell (inf where unreachable).

        ``targets`` is a bool mask or an (n, 2) array of [x, y] cells. ``limit`` stops caring
        about distances beyond it (they may come out larger than the true value, never smaller).
        """
        d = np.full(self.shape, np.inf, np.float64)
        if targets.dtype == np.bool_:
            d[targets & self.passable] = 0.0
        else:
            cells = np.asarray(targets, np.int64).reshape(-1, 2)
            d[cells[:, 1], cells[:, 0]] = 0.0
            d[~self.passable] = np.inf
        if not np.isfinite(d).any():
            return d.astype(np.float32)
        blocked = ~self.passable
        for _ in range(max_rounds):
            before = d.copy()
            d = self._sweep_rows(d)
            d = self._sweep_cols(d)
            d[blocked] = np.inf
            if limit is not None:
                d[d > limit] = np.inf
            if np.array_equal(d, before):
                break
        d[d >= _WALL * 0.5] = np.inf
        return d.astype(np.float32)

    def _sweep_rows(self, d: np.ndarray) -> np.ndarray:
        s = self._sums["east"]
        d = np.minimum(d, s + np.minimum.accumulate(d - s, axis=1))
        s = self._sums["west"]
        back = d[:, ::-1]
        back = np.minimum(back, s + np.minimum.accumulate(back - s, axis=1))
        return back[:, ::-1]

    def _sweep_cols(self, d: np.ndarray) -> np.ndarray:
        t = np.ascontiguousarray(d.T)
        s = self._sums["south"]
        t = np.minimum(t, s + np.minimum.accumulate(t - s, axis=1))
        s = self._sums["north"]
        back = t[:, ::-1]
        back = np.minimum(back, s + np.minimum.accumulate(back - s, axis=1))
        return np.ascontiguousarray(back[:, ::-1].T)


def distance_field(cost: np.ndarray, targets: np.ndarray) -> np.ndarray:
    """One-off distance field; keep a SweepGrid when the same cost grid is swept often."""
    return SweepGrid(cost).distances(targets)


def reachable(passable: np.ndarray, starts: np.ndarray) -> np.ndarray:
    """Cells connected to any start cell through passable cells (4-connected)."""
    cost = np.where(passable, 1.0, np.inf)
    return np.isfinite(distance_field(cost, starts))
