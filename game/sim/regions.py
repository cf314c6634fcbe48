"""Regions: the map cut into blocks, each block's passable cells split into the groups that are
connected inside it, and the graph of those groups, for shortest paths at two scales.

A block is ``BLOCK`` x ``BLOCK`` tiles. A *node* is one connected group of passable cells inside
one block (4-connected, which is the same as connected by a mover's legal steps, since a
diagonal step never cuts a corner): a block cut by a river holds two nodes, one per bank, so
the coarse graph's connectivity is exactly the fine grid's (the component-aware variant of
HPA*, Botea, Müller and Schaeffer 2004). Two nodes are joined when a legal step leads from a
cell of one to a cell of the other.

The class is parameterised only by a passable mask; costs come from the caller as a function
of a step's direction and length, so that the same graph serves an anisotropic scent (Rex's
ground scent, ``game.sim.ground``) and plain walking costs (police routes). Shortest paths use
``scipy.sparse.csgraph.dijkstra`` with a virtual super-source whose edge to each seed carries
that seed's offset, which gives a multi-source field with a different head start per seed
(csgraph keeps an explicit zero in a sparse matrix as an edge of weight 0).
Float64 sums of the same numbers in the same order: the same field on every machine.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import connected_components, dijkstra

from game.sim.motion import STEPS, step_masks

BLOCK = 8

# cost(dx, dy, length, cells_from, cells_to) -> per-step costs (> 0): the caller's physics.
StepCost = Callable[[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray], np.ndarray]


class Regions:
    """The blocks' connected groups of ``passable`` cells and the legal steps between them."""

    def __init__(self, passable: np.ndarray, block: int = BLOCK):
        self.passable = np.asarray(passable, bool)
        self.block = block
        height, width = self.passable.shape
        self.rows, self.cols = -(-height // block), -(-width // block)
        padded = np.zeros((self.rows * block, self.cols * block), bool)
        padded[:height, :width] = self.passable
        # Label all blocks at once: a 4-D array (block row, block column, y, x) whose cells
        # connect only along the last two axes.
        blocks = padded.reshape(self.rows, block, self.cols, block).transpose(0, 2, 1, 3)
        labels, self.count = label_blocks(np.ascontiguousarray(blocks))
        grid = labels.transpose(0, 2, 1, 3).reshape(self.rows * block, self.cols * block)
        self.node = grid[:height, :width].astype(np.int32)  # -1 where impassable
        ys, xs = np.nonzero(self.node >= 0)
        ids = self.node[ys, xs]
        sizes = np.bincount(ids, minlength=self.count)
        self.size = sizes
        cx = np.bincount(ids, xs + 0.5, self.count) / np.maximum(sizes, 1)
        cy = np.bincount(ids, ys + 0.5, self.count) / np.maximum(sizes, 1)
        # Each node's representative: its cell nearest the group's centroid (ties by order).
        gap = (xs + 0.5 - cx[ids]) ** 2 + (ys + 0.5 - cy[ids]) ** 2
        order = np.lexsort((gap, ids))
        first = order[np.r_[True, ids[order][1:] != ids[order][:-1]]]
        self.rep_x = xs[first].astype(np.int64)
        self.rep_y = ys[first].astype(np.int64)
        self.block_of = (self.rep_y // block) * self.cols + self.rep_x // block
        self.moves = step_masks(self.passable)
        self.edges_from, self.edges_to = self._edges()

    def _edges(self) -> tuple[np.ndarray, np.ndarray]:
        """Directed pairs of nodes joined by at least one legal step, each pair once."""
        pairs = []
        for index, (dx, dy) in enumerate(STEPS):
            ys, xs = np.nonzero(self.moves & np.uint8(1 << index))
            a, b = self.node[ys, xs], self.node[ys + dy, xs + dx]
            differ = a != b
            pairs.append(a[differ].astype(np.int64) * self.count + b[differ])
        joined = np.unique(np.concatenate(pairs)) if pairs else np.zeros(0, np.int64)
        return joined // self.count, joined % self.count

    def block_box(self, x: int, y: int, reach: int = 1) -> tuple[int, int, int, int]:
        """Cells (x0, y0, x1, y1), end exclusive, of the blocks within ``reach`` blocks of the
        block holding (x, y), clipped to the map."""
        b = self.block
        height, width = self.passable.shape
        bx, by = x // b, y // b
        return (max(0, (bx - reach) * b), max(0, (by - reach) * b),
                min(width, (bx + reach + 1) * b), min(height, (by + reach + 1) * b))

    def node_costs(self, cost: StepCost) -> np.ndarray:
        """The cost of each coarse edge (``edges_from`` -> ``edges_to``), from representative
        to representative, by the caller's physics."""
        fx, fy = self.rep_x[self.edges_from], self.rep_y[self.edges_from]
        tx, ty = self.rep_x[self.edges_to], self.rep_y[self.edges_to]
        dx, dy = (tx - fx).astype(np.float64), (ty - fy).astype(np.float64)
        return cost(dx, dy, np.hypot(dx, dy), self.edges_from, self.edges_to)

    def coarse_field(self, weights: np.ndarray, seed_nodes: np.ndarray,
                     seed_costs: np.ndarray) -> np.ndarray:
        """Cheapest cost from any seed to each node (inf where none reaches), where reaching
        seed node i starts at ``seed_costs[i]`` (>= 0) and each edge costs ``weights``."""
        n = self.count
        nodes, costs = cheapest(seed_nodes, seed_costs, n)
        rows = np.concatenate([self.edges_from, np.full(len(nodes), n, np.int64)])
        cols = np.concatenate([self.edges_to, nodes])
        data = np.concatenate([weights, costs])
        graph = csr_matrix((data, (rows, cols)), shape=(n + 1, n + 1))
        costs_out: np.ndarray = dijkstra(graph, directed=True, indices=n)[:n]
        return costs_out


def label_blocks(blocks: np.ndarray) -> tuple[np.ndarray, int]:
    """The 4-connected groups of True cells of each block of ``blocks`` [block row, block
    column, y, x]: labels 0, 1, ... numbered in the order a C-order scan first meets them (as
    ``scipy.ndimage.label`` numbers them, less one), -1 where False; and their count.

    Written with ``csgraph.connected_components`` because ``scipy.ndimage`` (with the
    ``scipy.special`` it imports) took about a third of a second of every first load."""
    flat = blocks.ravel()
    index = np.arange(flat.size).reshape(blocks.shape)
    across = blocks[..., :-1] & blocks[..., 1:]  # a cell and its east neighbour
    down = blocks[..., :-1, :] & blocks[..., 1:, :]  # a cell and its south neighbour
    heads = np.concatenate([index[..., :-1][across], index[..., :-1, :][down]])
    tails = np.concatenate([index[..., 1:][across], index[..., 1:, :][down]])
    graph = csr_matrix((np.ones(len(heads), np.int8), (heads, tails)),
                       shape=(flat.size, flat.size))
    _, component = connected_components(graph, directed=False)
    cells = np.flatnonzero(flat)
    # Renumber by first appearance in the scan: np.unique gives each component's first cell.
    found, first = np.unique(component[cells], return_index=True)
    rank = np.empty(len(found), np.int64)
    rank[np.argsort(first, kind="stable")] = np.arange(len(found))
    labels = np.full(flat.size, -1, np.int64)
    labels[cells] = rank[np.searchsorted(found, component[cells])]
    return labels.reshape(blocks.shape), len(found)


class StepWeights:
    """Per-cell costs of the eight legal steps out of every cell, for fine fields in windows.

    ``weights[i][y, x]`` is the cost of the step STEPS[i] out of (x, y), inf where that step is
    not legal (a wall, the map's edge, a cut corner).
    """

    def __init__(self, regions: Regions, cost: StepCost):
        self.regions = regions
        height, width = regions.passable.shape
        # float32 halves the memory; the sums in Dijkstra are float64 all the same
        self.weights = np.full((len(STEPS), height, width), np.inf, np.float32)
        flat = np.arange(height * width).reshape(height, width)
        for index, (dx, dy) in enumerate(STEPS):
            ys, xs = np.nonzero(regions.moves & np.uint8(1 << index))
            length = np.full(len(xs), np.hypot(dx, dy))
            self.weights[index, ys, xs] = cost(np.full(len(xs), float(dx)),
                                               np.full(len(xs), float(dy)), length,
                                               flat[ys, xs], flat[ys + dy, xs + dx])

    def field(self, box: tuple[int, int, int, int], seeds: np.ndarray,
              offsets: np.ndarray) -> np.ndarray:
        """Cheapest cost from the seeds to every cell of ``box`` by paths inside it.

        ``seeds`` are flat indices into the box ([y - y0, x - x0] raveled), ``offsets`` their
        head starts (>= 0). Returns a [y, x] array over the box, inf where nothing reaches."""
        x0, y0, x1, y1 = box
        h, w = y1 - y0, x1 - x0
        n = h * w
        local = np.arange(n).reshape(h, w)
        rows, cols, data = [], [], []
        for index, (dx, dy) in enumerate(STEPS):
            # Steps whose both ends lie in the box: the source ranges over the box less the
            # row or column the step would leave it by.
            sy0, sy1 = max(0, -dy), h - max(0, dy)
            sx0, sx1 = max(0, -dx), w - max(0, dx)
            weight = self.weights[index, y0 + sy0:y0 + sy1, x0 + sx0:x0 + sx1]
            legal = np.isfinite(weight)
            source = local[sy0:sy1, sx0:sx1][legal]
            rows.append(source)
            cols.append(source + dy * w + dx)
            data.append(weight[legal])
        seeds, offsets = cheapest(seeds, offsets, n)
        rows.append(np.full(len(seeds), n, np.int64))
        cols.append(seeds)
        data.append(offsets)
        graph = csr_matrix((np.concatenate(data), (np.concatenate(rows), np.concatenate(cols))),
                           shape=(n + 1, n + 1))
        field: np.ndarray = dijkstra(graph, directed=True, indices=n)[:n].reshape(h, w)
        return field


def cheapest(seeds: np.ndarray, offsets: np.ndarray, n: int) -> tuple[np.ndarray, np.ndarray]:
    """Each seed once, with its smallest offset (a sparse matrix would add duplicates up)."""
    best = np.full(n, np.inf)
    np.minimum.at(best, np.asarray(seeds, np.int64), np.asarray(offsets, np.float64))
    unique = np.flatnonzero(np.isfinite(best))
    return unique, best[unique]
