"""The distance sweep: exact shortest paths, and a box of a grid swept as the box alone."""

from __future__ import annotations

import heapq

import numpy as np

from game.grids import SweepGrid


def dijkstra(cost: np.ndarray, target: tuple[int, int]) -> np.ndarray:
    """The plain reference, 4-connected, inf for walls: a cell's distance is its own cost
    plus its cheapest neighbour's (the target's is 0)."""
    height, width = cost.shape
    best = np.full(cost.shape, np.inf)
    best[target[1], target[0]] = 0.0
    queue = [(0.0, target)]
    while queue:
        d, (x, y) = heapq.heappop(queue)
        if d > best[y, x]:
            continue
        for nx, ny in ((x + 1, y), (x - 1, y), (x, y + 1), (x, y - 1)):
            if 0 <= nx < width and 0 <= ny < height and np.isfinite(cost[ny, nx]):
                step = d + cost[ny, nx]
                if step < best[ny, nx]:
                    best[ny, nx] = step
                    heapq.heappush(queue, (step, (nx, ny)))
    return best


def walls_and_costs(seed: int, shape: tuple[int, int], costs: list[float]) -> np.ndarray:
    rng = np.random.default_rng(seed)
    return np.where(rng.random(shape) < 0.3, np.inf, rng.choice(costs, shape))


def test_the_sweep_finds_the_shortest_paths_round_walls():
    for seed in range(6):
        cost = walls_and_costs(seed, (23, 31), [1.0, 2.0, 3.0, 0.5])
        cost[4, 5] = 1.0
        swept = SweepGrid(cost).distances(np.array([[5, 4]]))
        assert np.array_equal(swept, dijkstra(cost, (5, 4)).astype(np.float32))


def test_a_window_sweeps_as_a_grid_of_the_box_alone_to_the_last_bit():
    # Costs whose sums round (1.3, 0.1): the window must add them up as the box's own grid
    # does, from the box's edges, not from the map's.
    for seed in range(6):
        cost = walls_and_costs(seed, (40, 52), [1.0, 1.3, 0.1, 2.7])
        whole = SweepGrid(cost)
        for x0, y0, x1, y1 in ((0, 0, 52, 40), (3, 5, 30, 33), (20, 0, 52, 17), (7, 9, 8, 30)):
            box = cost[y0:y1, x0:x1]
            target = np.array([[(x1 - x0) // 2, (y1 - y0) // 2]])
            alone = SweepGrid(box).distances(target)
            assert whole.window(x0, y0, x1, y1).distances(target).tobytes() == alone.tobytes()
            start = np.linspace(-9.0, 4.0, box.size).reshape(box.shape)
            assert (whole.window(x0, y0, x1, y1).relax(start).tobytes()
                    == SweepGrid(box).relax(start).tobytes())
