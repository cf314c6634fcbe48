"""The ground scent that steers Rex: its physics, its two scales, and the guarantee that it
cannot hold him anywhere but at Mila (docs/AI.md has the proof sketch these tests check)."""

from __future__ import annotations

import heapq
import itertools
import math

import numpy as np
import pytest

from game.grids import reachable
from game.sim import ground as ground_mod
from game.sim.chase import step
from game.sim.commands import Commands
from game.sim.motion import STEPS, step_masks
from game.sim.regions import Regions, StepWeights
from game.sim.scent import Stencil, settle, substeps_needed
from game.sim.stage import Stage
from game.sim.world import World
from game.tiled import read_level
from game.tuning import DEFAULT, Tuning
from tests import mapfamilies, mapkit

FAST = Tuning(prewarm_seconds=60.0)


# -- the physics -------------------------------------------------------------------------------


def _measured_rate(wind: tuple[float, float], direction: int) -> float:
    """The airborne steady plume's fall-off of log-scent per tile along the x axis, away
    from the source in ``direction`` (+1 east, -1 west), with the point source's 1/sqrt(r)
    taken out."""
    passes = np.ones((61, 241), bool)
    steps = substeps_needed(DEFAULT.scent_diffusion, wind, DEFAULT.scent_decay)
    stencil = Stencil(passes, np.ones(passes.shape), DEFAULT.scent_diffusion,
                      DEFAULT.scent_decay, wind, 1.0 / 30 / steps)
    source = (30 + 1) * stencil.stride + 120 + 1
    field, _ = settle(stencil, steps, np.array([source]), np.array([1.0]), 60_000)
    row = field.reshape(63, stencil.stride)[31, 1:-1]
    r = np.arange(12, 41)
    logs = np.log(row[120 + direction * r]) + 0.5 * np.log(r)
    return -float(np.polyfit(r, logs, 1)[0])


@pytest.mark.parametrize("wind", [(0.0, 0.0), (1.0, 0.0)])
def test_the_ground_falls_off_as_the_airborne_plume_does(tmp_path, wind):
    """kappa = (sqrt(u^2 + 4Dk) - u) / 2D is the far field's own decay rate, downwind and
    upwind: the ground scent is the same physics in its large-deviation limit."""
    level = read_level(mapkit.write(mapkit.MapSpec(map_properties=[
        ("wind_speed", "float", math.hypot(*wind))]), tmp_path))
    physics = ground_mod.Physics(level, DEFAULT)
    for direction in (1, -1):
        predicted = float(physics.rate(np.array([float(direction)]), np.array([0.0]),
                                       np.array([1.0]))[0])
        measured = _measured_rate(wind, direction)
        assert measured == pytest.approx(predicted, rel=0.1), (direction, measured, predicted)
    if wind[0]:
        down = physics.rate(np.array([1.0]), np.array([0.0]), np.array([1.0]))[0]
        up = physics.rate(np.array([-1.0]), np.array([0.0]), np.array([1.0]))[0]
        assert down < up  # downwind is cheap, upwind dear


def test_the_rate_stays_above_zero_in_any_wind_and_without_decay(tmp_path):
    level = read_level(mapkit.write(mapkit.MapSpec(map_properties=[
        ("wind_speed", "float", 50.0)]), tmp_path))
    physics = ground_mod.Physics(level, Tuning(scent_decay=0.001, scent_diffusion=40.0))
    angles = np.linspace(0, 2 * math.pi, 64)
    for mult in (0.0, 1.0, 1000.0):
        rates = physics.rate(np.cos(angles), np.sin(angles), np.full(64, mult))
        assert (rates > 0).all() and np.isfinite(rates).all()


# -- the two scales ---------------------------------------------------------------------------


def _random_mask(rng: np.random.Generator, height: int, width: int) -> np.ndarray:
    mask = rng.random((height, width)) > 0.35
    mask[:, width // 2] = False  # a wall with two gaps
    mask[3, width // 2] = mask[height - 4, width // 2] = True
    return mask


def test_the_coarse_graph_joins_exactly_the_groups_the_fine_grid_joins():
    rng = np.random.default_rng(4)
    for _ in range(5):
        mask = _random_mask(rng, 37, 53)
        regions = Regions(mask)
        for start in np.argwhere(mask)[:5]:
            cells = reachable(mask, np.array([start[::-1]]))
            node = regions.node[start[0], start[1]]
            costs = regions.coarse_field(np.ones(len(regions.edges_from)), np.array([node]),
                                         np.array([0.0]))
            joined = np.isfinite(costs)[np.maximum(regions.node, 0)] & mask
            assert (joined == cells).all()


def _brute_field(weights: StepWeights, box, seeds, offsets) -> np.ndarray:
    """Dijkstra with a heap over the box's cells: the reference for StepWeights.field."""
    x0, y0, x1, y1 = box
    w, h = x1 - x0, y1 - y0
    best = np.full((h, w), np.inf)
    heap = []
    for seed, offset in zip(seeds, offsets, strict=True):
        heap.append((float(offset), int(seed) % w, int(seed) // w))
    heapq.heapify(heap)
    while heap:
        value, x, y = heapq.heappop(heap)
        if value >= best[y, x]:
            continue
        best[y, x] = value
        for index, (dx, dy) in enumerate(STEPS):
            nx, ny = x + dx, y + dy
            cost = float(weights.weights[index, y + y0, x + x0])
            if 0 <= nx < w and 0 <= ny < h and math.isfinite(cost):
                heapq.heappush(heap, (value + cost, nx, ny))
    return best


def test_the_window_field_is_the_shortest_path_inside_the_window():
    rng = np.random.default_rng(7)
    mask = _random_mask(rng, 40, 40)
    regions = Regions(mask)
    weights = StepWeights(regions, lambda dx, dy, length, a, b: length * (1.0 + 0.5 * dx))
    box = regions.block_box(20, 20)
    w = box[2] - box[0]
    seeds = np.array([3 * w + 4, 17 * w + 20, 3 * w + 4])
    offsets = np.array([0.5, 0.0, 0.2])  # a duplicated seed keeps its smaller offset
    fast = weights.field(box, seeds, offsets)
    slow = _brute_field(weights, box, seeds[1:], offsets[1:])
    assert np.allclose(np.where(np.isfinite(slow), slow, -1), np.where(np.isfinite(fast),
                                                                       fast, -1))


# -- the guarantee ----------------------------------------------------------------------------


def _family_level(tmp_path, family: str, index: int):
    return read_level(mapfamilies.generate(family, index, tmp_path))


def _mila_at_the_maple(world: World) -> None:
    tree = world.level.one("maple_tree").cell
    world.mila.x, world.mila.y = tree[0] + 0.5, tree[1] + 0.5
    world.ground = ground_mod.create(world.stage.ground, tree)


@pytest.mark.parametrize("family", ["river", "lake", "island", "maze", "fences", "upwind"])
def test_no_cell_of_her_land_is_a_trap(tmp_path, family):
    """With Mila still: every group with a finite coarse cost is a seed's group or has a
    neighbour group that is strictly cheaper; and in the window planned from any cell of her
    land there is a legal step strictly down, except on a seed."""
    level = _family_level(tmp_path, family, 1)
    world = World(level, 0, FAST, police=False, civilians=False)
    world.open_gate()
    _mila_at_the_maple(world)
    ground = world.ground
    regions = ground.setup.regions
    costs = ground.costs
    seeded = set(regions.node[ground.seed_y, ground.seed_x].tolist())
    cheaper = np.full(regions.count, False)
    lower = costs[regions.edges_from] < costs[regions.edges_to]
    cheaper[regions.edges_to[lower]] = True
    finite = np.flatnonzero(np.isfinite(costs))
    assert all(cheaper[n] or n in seeded for n in finite.tolist())
    tree = level.one("maple_tree").cell
    land = reachable(ground.setup.land, np.array([tree]))
    moves = step_masks(ground.setup.land)
    cells = np.argwhere(land)
    pick = cells[np.random.default_rng(0).permutation(len(cells))[:300]]
    for y, x in pick.tolist():
        plan = ground_mod.plan(ground, x, y)
        assert plan is not None, (x, y)
        here = plan.at(x, y)
        assert math.isfinite(here), (x, y)
        down = [plan.at(x + dx, y + dy) < here for i, (dx, dy) in enumerate(STEPS)
                if moves[y, x] >> i & 1]
        assert any(down) or ground_mod.seed_at(ground, x, y) is not None, (x, y)


@pytest.mark.parametrize("family,index", [("river", 2), ("lake", 0), ("island", 1),
                                          ("maze", 3), ("fences", 0)])
def test_from_anywhere_on_her_land_he_comes_to_her(tmp_path, family, index):
    """Rex set down on random cells of her land, tracking, with Mila standing at the maple:
    he reaches her from every one, well within the time it takes to walk there."""
    level = _family_level(tmp_path, family, index)
    stage = Stage(level, FAST)
    tree = level.one("maple_tree").cell
    land = reachable(stage.ground.land, np.array([tree]))
    cells = np.argwhere(land & stage.walkable)
    starts = cells[np.random.default_rng(index).permutation(len(cells))[:4]]
    for y, x in starts.tolist():
        world = World(level, int(x + y), FAST, stage=stage, police=False, civilians=False)
        world.open_gate()
        _mila_at_the_maple(world)
        rex = world.rex
        rex.x, rex.y, rex.state = x + 0.5, y + 0.5, "tracking"
        rex.escaped_tick = 0
        limit = 30 * (30 + 2 * (level.width + level.height) / world.tuning.rex_trot_speed)
        while rex.reached_tick is None and world.tick < limit:
            step(world, Commands())
        assert rex.reached_tick is not None, (family, index, (x, y), rex.cell)


def test_her_trail_leads_to_her_and_a_stale_piece_of_it_goes(tmp_path):
    level = read_level(mapkit.write(mapkit.MapSpec(), tmp_path))
    world = World(level, 0, FAST, police=False, civilians=False)
    ground = world.ground
    path = [(7 + i, 11) for i in range(8)]  # east from her spawn at (6, 11)
    for tick, cell in enumerate(path, start=1):
        ground_mod.update(ground, cell, tick * 10)
    ground_mod.snapshot(ground, 200)
    offsets = {(int(x), int(y)): o for x, y, o in zip(ground.seed_x, ground.seed_y,
                                                       ground.seed_offsets, strict=True)}
    values = [offsets[cell] for cell in [(6, 11), *path]]
    assert all(a > b for a, b in itertools.pairwise(values))  # newer is cheaper
    assert ground_mod.seed_at(ground, *path[-1]) == ground_mod.MILA
    ground_mod.drop_trail_to(ground, path[3], 210)
    assert path[3] not in ground.trail and path[2] not in ground.trail
    assert path[4] in ground.trail


def test_a_sniffed_source_is_no_longer_a_seed(tmp_path):
    spec = mapkit.MapSpec(picture=mapkit.VALID.replace("....C", "S...C"),
                          object_props={"scent_source": [("strength", "float", 3.0)]})
    level = read_level(mapkit.write(spec, tmp_path))
    world = World(level, 0, FAST, police=False, civilians=False)
    assert ground_mod.seed_at(world.ground, *world.scent.setup.distractor_cells[0]) == 0
    version = world.ground.version
    ground_mod.sniffed(world.ground, 0, 5)
    assert world.ground.version == version + 1
    assert ground_mod.seed_at(world.ground, *world.scent.setup.distractor_cells[0]) is None
