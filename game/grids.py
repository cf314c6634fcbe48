"""Grids of cells the checker and the simulation both walk: distance fields and reachability.

A distance field ("Dijkstra map") holds, for every cell, the cheapest cost of walking from it
to the nearest target, where entering a cell costs that cell's value in a cost grid (inf where
it cannot be entered). ``reachable`` is the same sweep over a mask. The map checker asks which
cells connect (the kennel, the park, the roads); the simulation keeps a ``SweepGrid`` per mover
and sweeps it every few ticks. Numpy only: no game rules live here.

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
_CUTOFF = _WALL * 0.5


class SweepGrid:
    """A cost grid prepared for repeated sweeps: prefix sums and buffers are made once.

    West- and north-going running minima run over reversed views of the same arrays, and column
    sweeps accumulate along axis 0, so no sweep copies or transposes the grid.
    """

    def __init__(self, cost: np.ndarray):
        passable = np.isfinite(cost)
        self._prepare(passable, np.where(passable, cost, _WALL).astype(np.float64))

    def _prepare(self, passable: np.ndarray, entry: np.ndarray) -> None:
        self.shape = passable.shape
        self.passable = passable
        self.blocked = ~passable
        self._entry = entry
        # Every prefix sum is stored forward (the west and north ones summed over reversed
        # views into reversed views), so that the sweep's elementwise steps all run over
        # forward memory: on reversed views numpy's loops were three times slower.
        east = np.cumsum(entry, axis=1)
        south = np.cumsum(entry, axis=0)
        west = np.empty(self.shape, np.float64)
        north = np.empty(self.shape, np.float64)
        np.cumsum(entry[:, ::-1], axis=1, out=west[:, ::-1])
        np.cumsum(entry[::-1, :], axis=0, out=north[::-1, :])
        work = self._work = np.empty(self.shape, np.float64)
        # (prefix sums, axis, the work array seen so that the running minimum goes forward)
        # for the four directions a sweep can run in.
        self._passes = ((east, 1, work), (south, 0, work), (west, 1, work[:, ::-1]),
                        (north, 0, work[::-1, :]))
        self._before = np.empty(self.shape, np.float64)
        self._same = np.empty(self.shape, np.bool_)

    def window(self, x0: int, y0: int, x1: int, y1: int) -> SweepGrid:
        """The grid of the cells x0..x1, y0..y1 (ends exclusive) alone: the same as a
        ``SweepGrid`` of that slice of the cost grid, without working out its entry costs
        again (a route's box is swept once, so its set-up is a good part of its cost)."""
        grid = SweepGrid.__new__(SweepGrid)
        grid._prepare(self.passable[y0:y1, x0:x1], self._entry[y0:y1, x0:x1])
        return grid

    def distances(self, targets: np.ndarray, max_rounds: int = 1000,
                  start: np.ndarray | None = None) -> np.ndarray:
        """Cost to reach the nearest target from every cell (inf where unreachable).

        ``targets`` is a bool mask or an (n, 2) array of [x, y] cells. ``start``, if given, is
        an upper bound on the answer (an older field plus the distance the target moved) that
        the sweeps only have to lower, which takes fewer rounds.
        """
        d = np.full(self.shape, np.inf, np.float64) if start is None else np.array(
            start, np.float64)
        if targets.dtype == np.bool_:
            d[targets & self.passable] = 0.0
        else:
            cells = np.asarray(targets, np.int64).reshape(-1, 2)
            d[cells[:, 1], cells[:, 0]] = 0.0
        d[self.blocked] = np.inf
        if np.isfinite(d).any():
            self._relax(d, max_rounds)
        return d.astype(np.float32)

    def relax(self, values: np.ndarray, max_rounds: int = 1000) -> np.ndarray:
        """Lower every cell to at most a neighbour's value plus its entry cost (for flee maps,
        whose starting values are not zeros at targets but a scaled, negated distance)."""
        d = np.array(values, np.float64)
        d[self.blocked] = np.inf
        self._relax(d, max_rounds)
        return d.astype(np.float32)

    def _relax(self, d: np.ndarray, max_rounds: int) -> None:
        # Unreached cells hold _CUTOFF rather than inf while sweeping: every path through a
        # wall costs more than that, so such paths never lower a value and need no test.
        work, before, same = self._work, self._before, self._same
        np.minimum(d, _CUTOFF, out=d)
        for _ in range(max_rounds):
            np.copyto(before, d)
            for sums, axis, run in self._passes:
                # Elementwise over the forward arrays (the order of cells does not matter
                # there), the running minimum over ``run``, the work seen in the pass's way.
                np.subtract(d, sums, out=work)
                np.minimum.accumulate(run, axis=axis, out=run)
                np.add(work, sums, out=work)
                np.minimum(d, work, out=d)
            np.equal(before, d, out=same)
            if same.all():
                break
        d[d >= _CUTOFF] = np.inf


def distance_field(cost: np.ndarray, targets: np.ndarray) -> np.ndarray:
    """One-off distance field; keep a SweepGrid when the same cost grid is swept often."""
    return SweepGrid(cost).distances(targets)


def reachable(passable: np.ndarray, starts: np.ndarray) -> np.ndarray:
    """Cells connected to any start cell through passable cells (4-connected)."""
    cost = np.where(passable, 1.0, np.inf)
    connected: np.ndarray = np.isfinite(distance_field(cost, starts))
    return connected
