"""The ground scent: what steers Rex, as a cost of travel over the land he can walk.

The airborne scent (``game.sim.scent``) crosses water and piles up against walls, so on the land
Rex walks it has maxima that are not Mila: a dog that climbs it can be held on a near bank. The
ground scent is the same physics — diffusion D, decay k (times each cell's multiplier m), drift
with the wind u — in its large-deviation limit (Varadhan; the "tropical" limit of the diffusion
equation), restricted to Rex's land (every cell he can pass with the gate open; fences and hedges
count, water and walls do not). In that limit log-scent falls off along a path at the local
rate

    kappa = (sqrt(u_par^2 + 4 D k m) - u_par) / (2 D)  per tile,

where u_par is the wind's component along the direction the scent travels (from Mila toward
the cell): cheap downwind, dear upwind, always above zero. So minus the ground log-scent is a
shortest-path cost from seeds over an anisotropic graph, and Rex walks down it. Seeds, with a
head start (offset) each, are:

- Mila's trail on Rex's land: her cell now (offset 0) and the cells she left, each older one
  fainter by k per second of age (and, for strictness, a hair per step), up to TRAIL_E_FOLDS
  of age and TRAIL_CELLS cells;
- distractors (``scent_source`` objects on Rex's land) at -log(strength x distractor_weight),
  until Rex has sniffed them (a source in water or inside a building stays airborne only).

Why he cannot be trapped (docs/AI.md has the full sketch): a shortest-path field has no local
minimum except at seeds, because every other cell got its value from a strictly cheaper
neighbour along a legal step; along the trail each newer seed is strictly cheaper than the one
before it, so only Mila's own cell and the distractors can hold him, and Rex removes a
distractor by sniffing it and a stale trail seed by standing on it. The field is a log already,
so it never underflows, whatever the wind.

At scale the field is hierarchical (``game.sim.regions``): a coarse field over the blocks'
connected groups, recomputed when Mila's trail enters a new group, when a seed is removed, or
every REFRESH_SECONDS while she walks (a snapshot: offsets are aged to the snapshot's tick), and
a fine field in a window of 3 x 3 blocks around Rex (``Ground.plan``), seeded inside from the
snapshot's seeds and from the groups whose coarse cost is lower than his own group's. He
re-plans on entering such a group, so his group's coarse cost strictly falls from plan to plan
and he cannot loop between windows. Nothing here sweeps the whole map in a tick.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from game.level import Level
from game.sim.regions import Regions, StepWeights
from game.sim.scent import TICK_HZ, ScentSetup, wind_vector
from game.tuning import Tuning

TRAIL_CELLS = 2048  # at most this many cells of her trail are seeds
TRAIL_E_FOLDS = 12.0  # trail older than this many e-folds of decay is dropped
TRAIL_STEP = 1.0e-6  # each older trail cell is fainter by at least this (strict descent)
REFRESH_SECONDS = 2.0  # while she walks, the coarse field is refreshed this often
KAPPA_FLOOR = 1.0e-3  # the fall-off never drops below this share of the still-air rate
WINDOW_REACH = 1  # blocks each side of Rex's block in his fine window (3 x 3 blocks)
MILA, TRAIL = -1, -2  # what a seed is, when it is not a distractor's source number


class Physics:
    """The fall-off rate of log-scent per tile for a step in any direction."""

    def __init__(self, level: Level, tuning: Tuning):
        self.diffusion = tuning.scent_diffusion
        self.decay = tuning.scent_decay
        self.wind = wind_vector(level)
        self.floor = KAPPA_FLOOR * math.sqrt(self.decay / self.diffusion)

    def rate(self, dx: np.ndarray, dy: np.ndarray, mult: np.ndarray) -> np.ndarray:
        """kappa for scent travelling along (dx, dy) over ground of decay multiplier mult."""
        length = np.maximum(np.hypot(dx, dy), 1e-12)
        along = (self.wind[0] * dx + self.wind[1] * dy) / length
        d = self.diffusion
        kappa = (np.sqrt(along * along + 4.0 * d * self.decay * mult) - along) / (2.0 * d)
        rate: np.ndarray = np.maximum(kappa, self.floor)
        return rate

    def cost(self, dx: np.ndarray, dy: np.ndarray, mult: np.ndarray) -> np.ndarray:
        """Cost of scent travelling the vector (dx, dy): its length times its rate."""
        cost: np.ndarray = np.hypot(dx, dy) * self.rate(dx, dy, mult)
        return cost


class GroundSetup:
    """What every game on one map and tuning shares: the regions of Rex's land, the physics'
    step costs at both scales, and the distractors that lie on his land."""

    def __init__(self, level: Level, tuning: Tuning, land: np.ndarray, scent: ScentSetup):
        self.physics = Physics(level, tuning)
        self.regions = Regions(land)
        self.land = self.regions.passable
        self.mult = level.scent_decay.astype(np.float64)
        flat_mult = self.mult.ravel()
        self.steps = StepWeights(self.regions, lambda dx, dy, length, a, b: self.physics.cost(
            dx, dy, (flat_mult[a] + flat_mult[b]) / 2.0))
        nodes = self.regions.node
        ys, xs = np.nonzero(nodes >= 0)
        node_mult = (np.bincount(nodes[ys, xs], self.mult[ys, xs], self.regions.count)
                     / np.maximum(self.regions.size, 1))
        self.node_weights = self.regions.node_costs(
            lambda dx, dy, length, a, b: self.physics.cost(dx, dy, (node_mult[a] + node_mult[b])
                                                           / 2.0))
        self.tick_decay = tuning.scent_decay / TICK_HZ
        # (source, cell, offset), numbered as the airborne layer numbers them
        self.distractors: list[tuple[int, tuple[int, int], float]] = []
        weight = tuning.distractor_weight
        for index, ((x, y), strength) in enumerate(zip(scent.distractor_cells,
                                                       scent.distractor_strengths, strict=True)):
            if strength * weight > 0 and self.land[y, x]:
                self.distractors.append((index, (x, y), -math.log(strength * weight)))

    def node_at(self, x: int, y: int) -> int:
        return int(self.regions.node[y, x])


@dataclass
class Plan:
    """Rex's fine field: the window of cells he steers by, and what it was built from."""

    x0: int
    y0: int
    values: np.ndarray  # [y, x] ground cost over the window, inf where nothing reaches
    node: int  # his group when he planned; entering a group of lower coarse cost re-plans
    node_cost: float
    version: int  # the coarse snapshot it was built from

    def at(self, x: int, y: int) -> float:
        wy, wx = y - self.y0, x - self.x0
        if 0 <= wy < self.values.shape[0] and 0 <= wx < self.values.shape[1]:
            return float(self.values[wy, wx])
        return math.inf


@dataclass
class Ground:
    """One game's ground scent: Mila's trail, the sniffed sources and the coarse snapshot."""

    setup: GroundSetup
    mila_cell: tuple[int, int]
    trail: dict[tuple[int, int], tuple[int, int]] = field(default_factory=dict)  # cell ->
    # (tick she left it, step number): insertion order is the order she left them in
    steps: int = 0
    sniffed: list[int] = field(default_factory=list)  # distractor sources no longer seeds
    version: int = 0
    snapshot_tick: int = 0
    costs: np.ndarray | None = None  # coarse cost per group at the snapshot
    seed_x: np.ndarray | None = None  # the snapshot's seeds and their offsets
    seed_y: np.ndarray | None = None
    seed_offsets: np.ndarray | None = None
    seed_kinds: np.ndarray | None = None  # MILA, TRAIL, or the distractor's source number
    snapshot_node: int = -1  # Mila's group at the snapshot
    dirty: bool = False  # her trail changed since the snapshot


def create(setup: GroundSetup, mila_cell: tuple[int, int], tick: int = 0) -> Ground:
    ground = Ground(setup, mila_cell)
    snapshot(ground, tick)
    return ground


def update(ground: Ground, mila_cell: tuple[int, int], tick: int) -> None:
    """Follow Mila one tick: extend her trail, and refresh the coarse field when it is due."""
    if mila_cell != ground.mila_cell:
        _leave(ground, ground.mila_cell, mila_cell, tick)
        ground.mila_cell = mila_cell
        ground.dirty = True
    if not ground.dirty:
        return
    here = _land_cell(ground)
    node = ground.setup.node_at(*here) if here is not None else -1
    if node != ground.snapshot_node or tick - ground.snapshot_tick >= REFRESH_SECONDS * TICK_HZ:
        snapshot(ground, tick)


def _leave(ground: Ground, old: tuple[int, int], new: tuple[int, int], tick: int) -> None:
    """She left ``old`` for ``new``: ``old`` joins the trail (with the corner cell between them
    when Rex could not step diagonally from one to the other)."""
    land = ground.setup.land
    if land[old[1], old[0]]:
        _mark(ground, old, tick)
    dx, dy = new[0] - old[0], new[1] - old[1]
    if abs(dx) == 1 and abs(dy) == 1 and not (land[old[1], new[0]] and land[new[1], old[0]]):
        for corner in ((new[0], old[1]), (old[0], new[1])):
            if land[corner[1], corner[0]]:
                _mark(ground, corner, tick)
                break


def _mark(ground: Ground, cell: tuple[int, int], tick: int) -> None:
    ground.trail.pop(cell, None)  # a revisited cell moves to the trail's fresh end
    ground.steps += 1
    ground.trail[cell] = (tick, ground.steps)
    if len(ground.trail) > TRAIL_CELLS:
        del ground.trail[next(iter(ground.trail))]


def _land_cell(ground: Ground) -> tuple[int, int] | None:
    """Mila's cell if Rex can stand there, else the freshest trail cell he can."""
    x, y = ground.mila_cell
    if ground.setup.land[y, x]:
        return ground.mila_cell
    return next(reversed(ground.trail), None)


def snapshot(ground: Ground, tick: int) -> None:
    """Age every seed to ``tick`` and recompute the coarse field."""
    setup = ground.setup
    limit = TRAIL_E_FOLDS / max(setup.tick_decay, 1e-12)
    for cell in [c for c, (left, _) in ground.trail.items() if tick - left > limit]:
        del ground.trail[cell]
    xs: list[int] = []
    ys: list[int] = []
    offsets: list[float] = []
    kinds: list[int] = []
    x, y = ground.mila_cell
    if setup.land[y, x]:
        xs.append(x)
        ys.append(y)
        offsets.append(0.0)
        kinds.append(MILA)
    newest = ground.steps + 1
    for (cx, cy), (left, step) in ground.trail.items():
        if (cx, cy) == (x, y):
            continue
        xs.append(cx)
        ys.append(cy)
        kinds.append(TRAIL)
        offsets.append(setup.tick_decay * (tick - left) + TRAIL_STEP * (newest - step))
    for source, (sx, sy), offset in setup.distractors:
        if source not in ground.sniffed:
            xs.append(sx)
            ys.append(sy)
            offsets.append(offset)
            kinds.append(source)
    seed_x, seed_y = np.array(xs, np.int64), np.array(ys, np.int64)
    seed_offsets = np.array(offsets, np.float64)
    if len(seed_offsets):
        seed_offsets -= seed_offsets.min()  # head starts from 0: Dijkstra needs no negatives
    regions = setup.regions
    nodes = regions.node[seed_y, seed_x].astype(np.int64)
    # A seed reaches its own group's representative cell at its offset plus the way there.
    to_rep = setup.physics.cost((regions.rep_x[nodes] - seed_x).astype(np.float64),
                                (regions.rep_y[nodes] - seed_y).astype(np.float64),
                                setup.mult[seed_y, seed_x])
    ground.costs = regions.coarse_field(setup.node_weights, nodes, seed_offsets + to_rep)
    ground.seed_x, ground.seed_y, ground.seed_offsets = seed_x, seed_y, seed_offsets
    ground.seed_kinds = np.array(kinds, np.int64)
    here = _land_cell(ground)
    ground.snapshot_node = setup.node_at(*here) if here is not None else -1
    ground.snapshot_tick = tick
    ground.dirty = False
    ground.version += 1


def node_cost(ground: Ground, x: int, y: int) -> float:
    node = ground.setup.node_at(x, y)
    return math.inf if node < 0 or ground.costs is None else float(ground.costs[node])


def plan(ground: Ground, x: int, y: int) -> Plan | None:
    """Rex's fine field in the 3 x 3 blocks around (x, y), or None when no ground scent
    reaches his group (Mila is on land he cannot get to)."""
    setup = ground.setup
    regions = setup.regions
    node = setup.node_at(x, y)
    assert ground.costs is not None and ground.seed_x is not None
    if node < 0 or not math.isfinite(ground.costs[node]):
        return None
    mine = float(ground.costs[node])
    box = regions.block_box(x, y, WINDOW_REACH)
    x0, y0, x1, y1 = box
    w = x1 - x0
    nodes = regions.node[y0:y1, x0:x1]
    costs = np.where(nodes >= 0, ground.costs[np.maximum(nodes, 0)], np.inf)
    lower = np.flatnonzero((costs < mine).ravel())
    seeds, offsets = [lower], []
    if len(lower):
        # A cheaper group's cells start from its coarse cost plus the way from its
        # representative, so that the window sees the slope across that group too.
        ly, lx = lower // w + y0, lower % w + x0
        group = regions.node[ly, lx]
        offsets.append(costs.ravel()[lower] + setup.physics.cost(
            (lx - regions.rep_x[group]).astype(np.float64),
            (ly - regions.rep_y[group]).astype(np.float64), setup.mult[ly, lx]))
    seed_x, seed_y, seed_offsets = ground.seed_x, ground.seed_y, ground.seed_offsets
    assert seed_x is not None and seed_y is not None and seed_offsets is not None  # snapshot
    inside = (seed_x >= x0) & (seed_x < x1) & (seed_y >= y0) & (seed_y < y1)
    seeds.append((seed_y[inside] - y0) * w + seed_x[inside] - x0)
    offsets.append(seed_offsets[inside])
    values = setup.steps.field(box, np.concatenate(seeds), np.concatenate(offsets))
    return Plan(x0, y0, values, node, mine, ground.version)


def seed_at(ground: Ground, x: int, y: int) -> int | None:
    """What seeds the snapshot at (x, y): MILA, TRAIL, a distractor's source number, or None
    (a distractor outranks her trail, and she outranks it too)."""
    assert ground.seed_x is not None and ground.seed_kinds is not None
    hit = np.flatnonzero((ground.seed_x == x) & (ground.seed_y == y))
    return None if len(hit) == 0 else int(ground.seed_kinds[hit].max())


def drop_trail_to(ground: Ground, cell: tuple[int, int], tick: int) -> None:
    """Rex stands on a trail cell with nothing fresher beside it: that part of the trail
    (this cell and everything older) is stale, and goes."""
    if cell not in ground.trail:
        return
    _, step = ground.trail[cell]
    for old in [c for c, (_, s) in ground.trail.items() if s <= step]:
        del ground.trail[old]
    snapshot(ground, tick)


def sniffed(ground: Ground, source: int, tick: int) -> None:
    """Rex has checked a distracting smell: it is no longer a seed."""
    if source not in ground.sniffed:
        ground.sniffed.append(source)
        if any(s == source for s, _, _ in ground.setup.distractors):
            snapshot(ground, tick)
