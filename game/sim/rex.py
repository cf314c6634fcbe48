"""Rex: from restless in the kennel to the girl who carries the collar.

States (each change is a RexStateChanged event): ``restless`` (pacing in the kennel until the
latch gives), ``escaping`` (sprinting out of the training center, leaping the fence),
``tracking`` (following the scent), ``evading`` (police in sight: he sprints and runs down a
flee map away from them while the scent still pulls), ``cornered`` (threats close and his ways
out blocked: he stops and growls, and his stress jumps), ``wary`` (within a few tiles of
Mila); ``calming`` and ``bonded`` follow from the calm-down. Sprinting spends stamina; an
exhausted Rex is slow, and officers who reach him then (or cornered) catch him.

How he finds his way (``search``; each change is a RexSearchChanged event):

- ``follow``: each time he reaches a cell he picks the neighbour with the best score: the rise
  of log(scent) toward it (dogs sense ratios, not amounts; normalised, so only the direction of
  the gradient counts), plus momentum, a little seeded noise, and a penalty for cells he has
  just left so that he does not dither on a ridge. On a small local peak (wind piles scent
  against the upwind face of a building) he air-scents: samples along rays a few tiles out
  and heads for stronger scent if there is any.
- ``skirt``: the scent leads into something he cannot cross (a lake, a closed gate). He follows
  its edge, keeping it on one side, until the scent is stronger than where he was stopped: the
  Bug2 rule from robot navigation, which always finds a way round when one exists.
- ``cast``: the scent is below his threshold or has no usable gradient. He runs widening loops
  around where he lost it until he picks it up again.
- ``sniff``: he stops at a distracting smell (a food stall, bins), checks it for two seconds,
  and from then on ignores it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

from game.sim import events as ev
from game.sim.fields import WindowField, flee_field
from game.sim.motion import STEP_SETS, STEPS, can_step, downhill, toward

if TYPE_CHECKING:
    from game.sim.world import World

LEAP_MAX_FENCE = 3  # a fence this many cells thick can still be cleared in one leap
SNIFF_RANGE = 1.5
SNIFF_SECONDS = 2.0
CAST_STEP = 0.35  # radians the cast target advances at a time
STUCK_GAIN = 0.05  # log-scent rise that counts as progress
FLAT_GRADIENT = 1.0e-4  # log-scent change per tile below which there is no gradient to follow
SKIRT_MAX_SECONDS = 90.0
SKIRT_LOOKAHEAD = 12  # steps he tries along each side of an obstacle before choosing one
SKIRT_DRY_STEPS = 24  # steps without water at his side before he turns back
AIR_RAYS = 16
AIR_REACH = 6  # tiles an air-scenting sample reaches
AIR_SECONDS = 4.0  # he gives up on a waypoint he cannot reach in this time
TELL_SECONDS = (4.0, 9.0)  # restless growls and whines come this often
FLEE_RADIUS = 24  # tiles around Rex over which his flee map is computed
ESCAPE_LOOK = 3  # tiles he looks down each way out when he may be cornered
GROWL_SECONDS = 2.0
CLOSE_THREAT = 2.0  # tiles: an evading Rex does not step this close to an officer
LOOSE = ("escaping", "tracking", "evading", "cornered")


@dataclass
class Leap:
    x0: float
    y0: float
    x1: float
    y1: float
    start_tick: int
    ticks: int

    def progress(self, tick: int) -> float:
        return min(1.0, (tick - self.start_tick) / self.ticks)


@dataclass
class Rex:
    x: float
    y: float
    latch_tick: int
    heading: tuple[float, float] = (0.0, 1.0)
    state: str = "restless"
    search: str = "follow"
    target: tuple[int, int] | None = None
    leap: Leap | None = None
    recent: list[tuple[int, int]] = field(default_factory=list)
    escaped_tick: int | None = None
    reached_tick: int | None = None
    best_scent: float = -math.inf
    best_tick: int = 0
    hand: int = 1
    skirt_dir: int = 0
    skirt_hit: tuple[int, int] = (0, 0)
    skirt_hit_scent: float = 0.0
    skirt_start: int = 0
    skirt_steps: int = 0
    skirt_reversed: bool = False
    skirt_dry: int = 0
    cast_centre: tuple[float, float] = (0.0, 0.0)
    cast_angle: float = 0.0
    cast_scent: float = 0.0
    sniff_until: int = 0
    waypoint: tuple[int, int] | None = None
    waypoint_until: int = 0
    sniffed: list[int] = field(default_factory=list)
    next_tell: int = 0
    stress: float = 0.0
    stamina: float = 1.0
    flee: WindowField | None = None
    exhausted: bool = False
    threat_tick: int = -1_000_000  # last tick he saw police
    trust: float = 0.0
    pressure: float = 0.0  # stress per second from what is around him, refreshed 10 times a second
    pressure_cause: str = "nothing"
    calm_since: int = -1  # since when he has been calm enough to bond without the collar
    shield_target: tuple[float, float] | None = None  # where he stands to shield her
    cornered_tick: int = -1  # when he was last cornered
    flee_threats: tuple[tuple[int, int], ...] = ()

    @property
    def cell(self) -> tuple[int, int]:
        return math.floor(self.x), math.floor(self.y)

    @property
    def shielding(self) -> bool:
        return self.shield_target is not None


def create(world: World) -> Rex:
    """Rex in his kennel, with the seeded time at which the latch will give."""
    spawn = world.level.one("rex_spawn")
    latest = world.stage.latch_s
    earliest = latest * world.tuning.rex_latch_earliest
    latch_tick = int(world.rng.uniform(earliest, latest) * world.tick_hz)
    rex = Rex(spawn.cell[0] + 0.5, spawn.cell[1] + 0.5, latch_tick=latch_tick)
    rex.next_tell = int(world.rng.uniform(*TELL_SECONDS) * world.tick_hz)
    return rex


# -- small helpers ----------------------------------------------------------------------------


def log_scent(world: World, x: int, y: int) -> float:
    return math.log(world.scent.perceived(x, y))


def lost_below(world: World) -> float:
    """Log-scent under which the trail is lost: his threshold, or just above the field's floor
    (what no scent reaches) if that is higher."""
    return max(math.log(world.tuning.rex_scent_threshold),
               math.log(world.scent.setup.floor) + 2.0)


def set_state(world: World, rex: Rex, state: str, events: list[ev.Event]) -> None:
    if rex.state != state:
        events.append(ev.RexStateChanged(world.tick, rex.state, state))
        rex.state = state


def set_search(world: World, rex: Rex, search: str, events: list[ev.Event]) -> None:
    if rex.search != search:
        events.append(ev.RexSearchChanged(world.tick, rex.search, search))
        rex.search = search


def remember(world: World, rex: Rex, cell: tuple[int, int]) -> None:
    limit = world.tuning.rex_memory_cells
    if limit and (not rex.recent or rex.recent[-1] != cell):
        rex.recent.append(cell)
        del rex.recent[:-limit]


def mila_distance(world: World, rex: Rex) -> float:
    return math.hypot(world.mila.x - rex.x, world.mila.y - rex.y)


# -- the tick ---------------------------------------------------------------------------------


def update(world: World, events: list[ev.Event]) -> None:
    rex = world.rex
    _body(world, rex)
    if rex.leap is not None:
        _fly(world, rex)
        return
    if rex.state == "restless":
        if world.tick >= rex.latch_tick:
            world.open_gate()
            events.append(ev.LatchGave(world.tick))
            set_state(world, rex, "escaping", events)
        else:
            _pace(world, rex, events)
            return
    _check_state(world, rex, events)
    _react_to_police(world, rex, events)
    if rex.state == "cornered":
        rex.target = None  # he stands his ground
        if world.tick >= rex.next_tell:
            events.append(ev.RexTell(world.tick, "growl"))
            rex.next_tell = world.tick + int(GROWL_SECONDS * world.tick_hz)
        return
    if rex.search == "sniff":
        if world.tick < rex.sniff_until:
            return
        set_search(world, rex, "follow", events)
    if rex.target is None or _walk(world, rex):
        rex.target = None
        _decide(world, rex, events)


def _check_state(world: World, rex: Rex, events: list[ev.Event]) -> None:
    t = world.tuning
    x, y = rex.cell
    if rex.state == "escaping" and rex.escaped_tick is None and (
            not world.stage.facility[y, x]
            or world.tick - rex.latch_tick > t.rex_escape_max_seconds * world.tick_hz):
        rex.escaped_tick = world.tick
        events.append(ev.RexEscaped(world.tick, rex.x, rex.y))
        set_state(world, rex, "tracking", events)
    distance = mila_distance(world, rex)
    if rex.state in ("escaping", "tracking", "evading") and distance <= t.rex_wary_radius:
        if rex.reached_tick is None:
            rex.reached_tick = world.tick
            events.append(ev.RexReachedMila(world.tick, rex.x, rex.y))
        if rex.escaped_tick is None:
            rex.escaped_tick = world.tick
            events.append(ev.RexEscaped(world.tick, rex.x, rex.y))
        set_state(world, rex, "wary", events)
        set_search(world, rex, "follow", events)
    elif rex.state in ("wary", "calming") and distance > t.rex_wary_exit_radius:
        set_state(world, rex, "tracking", events)


def sprinting(rex: Rex) -> bool:
    return rex.state in ("escaping", "evading") and not rex.exhausted


def _speed(world: World, rex: Rex) -> float:
    t = world.tuning
    base = t.rex_sprint_speed if sprinting(rex) else t.rex_trot_speed
    if rex.exhausted:
        base *= 0.5
    x, y = rex.cell
    return base * float(world.stage.speed["dog"][y, x]) / world.tick_hz


def _body(world: World, rex: Rex) -> None:
    """Stamina goes while he sprints and comes back while he does not; stress fades."""
    t, dt = world.tuning, 1.0 / world.tick_hz
    if sprinting(rex):
        rex.stamina = max(0.0, rex.stamina - dt / t.rex_stamina_seconds)
    else:
        rex.stamina = min(1.0, rex.stamina + dt / t.rex_recover_seconds)
    if rex.stamina <= 0.0:
        rex.exhausted = True
    elif rex.exhausted and rex.stamina >= 0.3:
        rex.exhausted = False
    rex.stress = max(0.0, rex.stress - t.rex_stress_decay * dt)


def _react_to_police(world: World, rex: Rex, events: list[ev.Event]) -> None:
    """Police in sight make him evade; close threats with no way out corner him."""
    police = world.police
    if police is None or rex.state not in LOOSE:
        return
    t = world.tuning
    if rex.reached_tick is not None and mila_distance(world, rex) <= t.rex_wary_exit_radius:
        return  # by Mila he holds his ground; the calm-down decides how he feels
    if police.seen_by_rex:
        rex.threat_tick = world.tick
    calm_for = (world.tick - rex.threat_tick) / world.tick_hz
    if rex.state == "tracking" and police.seen_by_rex:
        set_state(world, rex, "evading", events)
        set_search(world, rex, "follow", events)
    elif rex.state == "evading" and calm_for > t.rex_evade_calm_seconds:
        set_state(world, rex, "tracking", events)
    if rex.state in ("evading", "cornered") and world.tick % 3 == 0:
        trapped = _trapped(world, rex)
        if trapped and rex.state == "evading":
            set_state(world, rex, "cornered", events)
            rex.stress = min(1.0, rex.stress + t.rex_cornered_stress)
            rex.next_tell = world.tick
            rex.cornered_tick = world.tick
        elif not trapped and rex.state == "cornered":
            set_state(world, rex, "evading", events)
    if rex.state == "evading":
        rex.stress = min(1.0, rex.stress + 0.01 / world.tick_hz)


def _trapped(world: World, rex: Rex) -> bool:
    """Threats close and no clear way away from them (or one, with two threats or more).

    A way out is a direction he can run three tiles down that ends farther from every threat
    than he stands now: one officer at one end of a bridge does not trap him, two do."""
    t = world.tuning
    threats = [(x, y) for x, y in world.police.seen_by_rex
               if math.hypot(x - rex.x, y - rex.y) <= t.rex_cornered_radius]
    if not threats:
        return False
    x, y = rex.cell
    height, width = world.rex_passable.shape
    ways = 0
    for dx, dy in STEPS:
        ok = True
        for reach in range(1, ESCAPE_LOOK + 1):
            nx, ny = x + dx * reach, y + dy * reach
            if not (0 <= nx < width and 0 <= ny < height) or not world.rex_passable[ny, nx]:
                ok = False
                break
        if ok and all(math.hypot(nx + 0.5 - tx, ny + 0.5 - ty) > math.hypot(rex.x - tx,
                                                                             rex.y - ty) + 1.0
                      for tx, ty in threats):
            ways += 1
    return ways == 0 or (ways <= 1 and len(threats) >= 2)


def _walk(world: World, rex: Rex) -> bool:
    """Move toward the target cell's centre; True once there."""
    tx, ty = rex.target  # type: ignore[misc]
    step = max(_speed(world, rex), 0.02)
    nx, ny, arrived = toward(rex.x, rex.y, tx + 0.5, ty + 0.5, step)
    if (nx, ny) != (rex.x, rex.y):
        length = math.hypot(nx - rex.x, ny - rex.y)
        rex.heading = ((nx - rex.x) / length, (ny - rex.y) / length)
    rex.x, rex.y = nx, ny
    return arrived


def _fly(world: World, rex: Rex) -> None:
    leap = rex.leap
    assert leap is not None
    p = leap.progress(world.tick)
    rex.x = leap.x0 + (leap.x1 - leap.x0) * p
    rex.y = leap.y0 + (leap.y1 - leap.y0) * p
    if p >= 1.0:
        rex.leap = None
        rex.target = None


def _pace(world: World, rex: Rex, events: list[ev.Event]) -> None:
    """Restless: pace the kennel, growl and whine at something beyond the fence."""
    if world.tick >= rex.next_tell:
        tell = "growl" if world.rng.random() < 0.5 else "whine"
        events.append(ev.RexTell(world.tick, tell))
        rex.next_tell = world.tick + int(world.rng.uniform(*TELL_SECONDS) * world.tick_hz)
    if rex.target is not None:
        step = world.tuning.rex_pace_speed / world.tick_hz
        nx, ny, arrived = toward(rex.x, rex.y, rex.target[0] + 0.5, rex.target[1] + 0.5, step)
        rex.x, rex.y = nx, ny
        if not arrived:
            return
    x, y = rex.cell
    kennel = world.stage.kennel
    options = [(dx, dy) for dx, dy in STEPS if can_step(kennel, x, y, dx, dy)]
    if not options:
        rex.target = None
        return
    hx, hy = rex.heading
    weights = [1.0 + 2.0 * max(0.0, dx * hx + dy * hy) for dx, dy in options]
    total = sum(weights)
    pick = world.rng.random() * total
    chosen = options[-1]
    for option, weight in zip(options, weights, strict=True):
        pick -= weight
        if pick <= 0:
            chosen = option
            break
    dx, dy = chosen
    rex.target = (x + dx, y + dy)
    length = math.hypot(dx, dy)
    rex.heading = (dx / length, dy / length)


# -- deciding where to go next ----------------------------------------------------------------


def _decide(world: World, rex: Rex, events: list[ev.Event]) -> None:
    remember(world, rex, rex.cell)
    if rex.state in ("wary", "calming", "bonded"):
        _keep_distance(world, rex)
        return
    x, y = rex.cell
    if rex.state == "evading" and rex.search != "skirt":
        _evade(world, rex, events)
        return
    if rex.state == "escaping" and world.stage.kennel[y, x]:
        out = downhill(world.stage.out_of_kennel, world.rex_moves, x, y)
        if out is not None:
            _go(world, rex, x, y, out[0], out[1], events)
            return
    if rex.search == "follow":
        _follow(world, rex, events)
    elif rex.search == "skirt":
        _skirt(world, rex, events)
    else:
        _cast(world, rex, events)


def _neighbours(world: World, x: int, y: int) -> list[tuple[int, int, int]]:
    """(dx, dy, step index) Rex can take from (x, y); fence cells count when he can clear them."""
    fence = world.stage.fence
    return [(dx, dy, index) for dx, dy, index in STEP_SETS[world.rex_moves[y, x]]
            if not fence[y + dy, x + dx] or _landing(world, x, y, dx, dy)]


def _landing(world: World, x: int, y: int, dx: int, dy: int) -> tuple[int, int] | None:
    """Where a leap over the fence ahead would land, if it can."""
    fence = world.stage.fence
    height, width = fence.shape
    for reach in range(1, LEAP_MAX_FENCE + 2):
        lx, ly = x + dx * reach, y + dy * reach
        if not (0 <= lx < width and 0 <= ly < height) or not world.rex_passable[ly, lx]:
            return None
        if not fence[ly, lx]:
            return (lx, ly) if reach > 1 else None
    return None


def _go(world: World, rex: Rex, x: int, y: int, dx: int, dy: int, events: list[ev.Event]
        ) -> None:
    """Head for the neighbour (x+dx, y+dy), leaping if it is a fence."""
    length = math.hypot(dx, dy)
    rex.heading = (dx / length, dy / length)
    if world.stage.fence[y + dy, x + dx]:
        landing = _landing(world, x, y, dx, dy)
        if landing is not None:
            ticks = max(1, int(world.tuning.rex_leap_seconds * world.tick_hz))
            rex.leap = Leap(rex.x, rex.y, landing[0] + 0.5, landing[1] + 0.5, world.tick, ticks)
            events.append(ev.RexLeapt(world.tick, rex.x, rex.y))
            return
    rex.target = (x + dx, y + dy)


def _gains(world: World, x: int, y: int, here: float, options: list[tuple[int, int, int]]
           ) -> list[float]:
    return [(log_scent(world, x + dx, y + dy) - here) / math.hypot(dx, dy)
            for dx, dy, _ in options]


def _follow(world: World, rex: Rex, events: list[ev.Event]) -> None:
    t = world.tuning
    x, y = rex.cell
    here = log_scent(world, x, y)
    if _sniff_if_near(world, rex, events):
        return
    options = _neighbours(world, x, y)
    if not options:
        return
    gains = _gains(world, x, y, here, options)
    steepest = max(abs(g) for g in gains)
    if here < lost_below(world) or steepest < FLAT_GRADIENT:
        _start_cast(world, rex, here, events)
        _cast(world, rex, events)
        return
    if here > rex.best_scent + STUCK_GAIN:
        rex.best_scent, rex.best_tick = here, world.tick
    blocked = _blocked_uphill(world, x, y, here)
    if blocked is not None and max(gains) <= 0:
        _start_skirt(world, rex, blocked, here, events)
        _skirt(world, rex, events)
        return
    if rex.waypoint is not None and (rex.waypoint == (x, y) or world.tick > rex.waypoint_until):
        rex.waypoint = None
    if rex.waypoint is None and max(gains) <= 0:
        rex.waypoint = _air_scent(world, x, y, here)
        rex.waypoint_until = world.tick + int(AIR_SECONDS * world.tick_hz)
    if world.tick - rex.best_tick > t.rex_stuck_seconds * world.tick_hz:
        rex.best_scent, rex.best_tick = here, world.tick
        if blocked is not None:
            _start_skirt(world, rex, blocked, here, events)
            _skirt(world, rex, events)
        else:
            _start_cast(world, rex, here, events)
            _cast(world, rex, events)
        return
    if rex.waypoint is not None:  # air-scented: the waypoint's direction stands in for the
        wx, wy = rex.waypoint[0] - x, rex.waypoint[1] - y  # gradient until he is there
        gap = math.hypot(wx, wy)
        gains = [(dx * wx + dy * wy) / (math.hypot(dx, dy) * gap) for dx, dy, _ in options]
        steepest = 1.0
    noise = world.rng.standard_normal(len(options))
    hx, hy = rex.heading
    best, best_score = options[0], -math.inf
    for (dx, dy, index), gain, jitter in zip(options, gains, noise, strict=True):
        length = math.hypot(dx, dy)
        score = (t.rex_gradient_gain * gain / steepest
                 + t.rex_momentum * (dx * hx + dy * hy) / length
                 + t.rex_noise * float(jitter))
        if (x + dx, y + dy) in rex.recent:
            score -= t.rex_memory_penalty
        if score > best_score:
            best, best_score = (dx, dy, index), score
    _go(world, rex, x, y, best[0], best[1], events)


def _air_scent(world: World, x: int, y: int, here: float) -> tuple[int, int] | None:
    """The cell with the strongest scent along rays he could run down, if stronger than here."""
    passable = world.rex_passable
    height, width = passable.shape
    best, best_scent = None, here + STUCK_GAIN / 2
    for ray in range(AIR_RAYS):
        angle = 2 * math.pi * ray / AIR_RAYS
        cos, sin = math.cos(angle), math.sin(angle)
        for reach in range(1, AIR_REACH + 1):
            cx, cy = math.floor(x + 0.5 + cos * reach), math.floor(y + 0.5 + sin * reach)
            if not (0 <= cx < width and 0 <= cy < height) or not passable[cy, cx]:
                break
            scent = log_scent(world, cx, cy)
            if scent > best_scent:
                best, best_scent = (cx, cy), scent
    return best


def _blocked_uphill(world: World, x: int, y: int, here: float) -> int | None:
    """A step toward stronger scent that Rex cannot take (water, a closed gate), if any."""
    height, width = world.rex_passable.shape
    passes = world.level.passes_scent
    best, best_gain = None, 0.0
    for index, (dx, dy) in enumerate(STEPS):
        nx, ny = x + dx, y + dy
        if 0 <= nx < width and 0 <= ny < height and passes[ny, nx] and not (
                world.rex_passable[ny, nx]):
            gain = log_scent(world, nx, ny) - here
            if gain > best_gain:
                best, best_gain = index, gain
    return best


def _sniff_if_near(world: World, rex: Rex, events: list[ev.Event]) -> bool:
    setup = world.scent.setup
    for index, (sx, sy) in enumerate(setup.distractor_cells):
        if index in rex.sniffed or not world.scent.layer_weight[setup.distractor_layer[index]]:
            continue
        if math.hypot(sx + 0.5 - rex.x, sy + 0.5 - rex.y) <= SNIFF_RANGE:
            rex.sniffed.append(index)
            world.scent.ignore_distractor(index)
            rex.sniff_until = world.tick + int(SNIFF_SECONDS * world.tick_hz)
            events.append(ev.RexSniffed(world.tick, setup.distractor_labels[index], sx, sy))
            set_search(world, rex, "sniff", events)
            return True
    return False


# -- skirting an obstacle the scent crosses ---------------------------------------------------


def _wall_turns(index: int, hand: int) -> list[int]:
    """Directions to try, in order, to keep an obstacle on the ``hand`` side (+1 right)."""
    return [(index + hand * turn) % 8 for turn in (2, 1, 0, -1, -2, -3, -4)]


def _beside_water(world: World, x: int, y: int, index: int, hand: int) -> bool:
    """Whether scent-passing ground he cannot enter (water, mostly) is at his hand side."""
    height, width = world.rex_passable.shape
    for turn in (1, 2, 3):
        dx, dy = STEPS[(index + hand * turn) % 8]
        nx, ny = x + dx, y + dy
        if (0 <= nx < width and 0 <= ny < height and world.level.passes_scent[ny, nx]
                and not world.rex_passable[ny, nx]):
            return True
    return False


def _water_contact(world: World, x: int, y: int, index: int, hand: int) -> int:
    """How many of the next steps along the obstacle keep water at his side."""
    contact = 0
    for _ in range(SKIRT_LOOKAHEAD):
        for turn in _wall_turns(index, hand):
            dx, dy = STEPS[turn]
            if can_step(world.rex_passable, x, y, dx, dy):
                index, x, y = turn, x + dx, y + dy
                contact += _beside_water(world, x, y, index, hand)
                break
        else:
            break
    return contact


def _near_threat(world: World, x: float, y: float) -> bool:
    """Whether a spot is within CLOSE_THREAT of police Rex can see (while he evades them)."""
    if world.police is None or world.rex.state != "evading":
        return False
    return any(math.hypot(x - tx, y - ty) < CLOSE_THREAT for tx, ty in world.police.seen_by_rex)


def _side_away(x: int, y: int, index: int, tx: float, ty: float) -> float:
    """How much setting off in direction ``index`` moves away from (tx, ty), -1..1."""
    dx, dy = STEPS[index]
    gap = math.hypot(x + 0.5 - tx, y + 0.5 - ty) or 1.0
    return (dx * (x + 0.5 - tx) + dy * (y + 0.5 - ty)) / (math.hypot(dx, dy) * gap)


def _start_skirt(world: World, rex: Rex, toward_index: int, here: float,
                 events: list[ev.Event]) -> None:
    """Choose the side of the obstacle to follow: the one that keeps water beside him (a
    coin decides a tie), so that he runs along a shore rather than a wall or the map's edge."""
    x, y = rex.cell
    sides = {hand: _water_contact(world, x, y, (toward_index - 2 * hand) % 8, hand)
             for hand in (1, -1)}
    coin = 1 if world.rng.random() < 0.5 else -1
    if rex.state == "evading" and world.police is not None and world.police.seen_by_rex:
        # Choose the side that leads away from the police he sees.
        tx = sum(p[0] for p in world.police.seen_by_rex) / len(world.police.seen_by_rex)
        ty = sum(p[1] for p in world.police.seen_by_rex) / len(world.police.seen_by_rex)
        away = {hand: _side_away(x, y, (toward_index - 2 * hand) % 8, tx, ty) for hand in (1, -1)}
        sides = {hand: sides[hand] + 4 * away[hand] for hand in (1, -1)}
    rex.hand = coin if sides[1] == sides[-1] else max(sides, key=sides.__getitem__)
    rex.skirt_dir = (toward_index - 2 * rex.hand) % 8  # the obstacle on his hand side
    rex.skirt_hit = rex.cell
    rex.skirt_hit_scent = here
    rex.skirt_start = world.tick
    rex.skirt_steps = 0
    rex.skirt_dry = 0
    rex.skirt_reversed = False
    set_search(world, rex, "skirt", events)


def _skirt(world: World, rex: Rex, events: list[ev.Event]) -> None:
    x, y = rex.cell
    here = log_scent(world, x, y)
    if here > rex.skirt_hit_scent + STUCK_GAIN and rex.skirt_steps > 0:
        rex.best_scent, rex.best_tick = here, world.tick
        set_search(world, rex, "follow", events)
        _follow(world, rex, events)
        return
    rex.skirt_steps += 1
    rex.skirt_dry = 0 if _beside_water(world, x, y, rex.skirt_dir, rex.hand) else (
        rex.skirt_dry + 1)
    back_at_start = (x, y) == rex.skirt_hit and rex.skirt_steps > 8
    too_long = world.tick - rex.skirt_start > SKIRT_MAX_SECONDS * world.tick_hz
    if back_at_start or too_long or rex.skirt_dry > SKIRT_DRY_STEPS:
        if rex.skirt_reversed:
            _start_cast(world, rex, here, events)
            _cast(world, rex, events)
            return
        rex.hand = -rex.hand
        rex.skirt_dir = (rex.skirt_dir + 4) % 8
        rex.skirt_reversed = True
        rex.skirt_start, rex.skirt_steps, rex.skirt_dry = world.tick, 1, 0
    allowed = {index for dx, dy, index in _neighbours(world, x, y)
               if not _near_threat(world, x + dx + 0.5, y + dy + 0.5)}
    for index in _wall_turns(rex.skirt_dir, rex.hand):
        if index in allowed:
            rex.skirt_dir = index
            dx, dy = STEPS[index]
            _go(world, rex, x, y, dx, dy, events)
            return
    if not rex.skirt_reversed:  # an officer blocks the way along the edge: turn back
        rex.hand, rex.skirt_dir, rex.skirt_reversed = -rex.hand, (rex.skirt_dir + 4) % 8, True


# -- casting about ----------------------------------------------------------------------------


def _start_cast(world: World, rex: Rex, here: float, events: list[ev.Event]) -> None:
    rex.cast_centre = (rex.x, rex.y)
    rex.cast_angle = math.atan2(rex.heading[1], rex.heading[0])
    rex.cast_scent = here
    set_search(world, rex, "cast", events)


def _cast(world: World, rex: Rex, events: list[ev.Event]) -> None:
    t = world.tuning
    x, y = rex.cell
    here = log_scent(world, x, y)
    options = _neighbours(world, x, y)
    if not options:
        return
    # He has found the trail again when the scent here beats where he lost it. That place's
    # scent may be fading (Mila has walked on), so it is measured again now.
    cx, cy = rex.cast_centre
    lost_at = min(rex.cast_scent, log_scent(world, math.floor(cx), math.floor(cy)))
    if here >= lost_below(world) and here > lost_at + STUCK_GAIN:
        gains = _gains(world, x, y, here, options)
        if max(gains) > FLAT_GRADIENT:
            rex.best_scent, rex.best_tick = here, world.tick
            set_search(world, rex, "follow", events)
            _follow(world, rex, events)
            return
    spacing = t.rex_cast_spacing
    for _ in range(64):
        radius = 1.0 + spacing * max(rex.cast_angle, 0.0) / (2 * math.pi)
        if radius > t.rex_cast_max_radius:
            rex.cast_centre, rex.cast_angle, rex.cast_scent = (rex.x, rex.y), 0.0, here
            cx, cy = rex.cast_centre
            continue
        px = cx + radius * math.cos(rex.cast_angle)
        py = cy + radius * math.sin(rex.cast_angle)
        if math.hypot(px - rex.x, py - rex.y) >= 1.5:
            break
        rex.cast_angle += CAST_STEP
    wx, wy = px - rex.x, py - rex.y
    gap = math.hypot(wx, wy) or 1.0
    noise = world.rng.standard_normal(len(options))
    best, best_score = options[0], -math.inf
    for (dx, dy, index), jitter in zip(options, noise, strict=True):
        length = math.hypot(dx, dy)
        score = (dx * wx + dy * wy) / (length * gap) + t.rex_noise * float(jitter)
        if (x + dx, y + dy) in rex.recent:
            score -= t.rex_memory_penalty
        if score > best_score:
            best, best_score = (dx, dy, index), score
    if best_score < 0.0:
        rex.cast_angle += math.pi / 4  # the loop runs into something: skip that part of it
    _go(world, rex, x, y, best[0], best[1], events)


# -- running from the police ------------------------------------------------------------------


def _flee_map(world: World, rex: Rex):
    """His flee map from the police he sees, redone when they have moved a couple of cells."""
    threats = tuple(sorted((math.floor(x), math.floor(y)) for x, y in world.police.seen_by_rex))
    if threats and (rex.flee is None or _moved(threats, rex.flee_threats) >= 2
                    or not rex.flee.contains(*rex.cell)):
        rex.flee = flee_field(world.level.cost["dog"], np.array(threats), rex.cell,
                              FLEE_RADIUS)
        rex.flee_threats = threats
    return rex.flee


def _moved(a: tuple[tuple[int, int], ...], b: tuple[tuple[int, int], ...]) -> int:
    if len(a) != len(b):
        return 1_000
    return max((max(abs(p[0] - q[0]), abs(p[1] - q[1])) for p, q in zip(a, b, strict=True)),
               default=0)


def _evade(world: World, rex: Rex, events: list[ev.Event]) -> None:
    """Run down the flee map while the scent still pulls."""
    t = world.tuning
    x, y = rex.cell
    options = _neighbours(world, x, y)
    if not options:
        return
    here = log_scent(world, x, y)
    scent = _gains(world, x, y, here, options)
    blocked = _blocked_uphill(world, x, y, here)
    if blocked is not None and max(scent) <= 0:
        # Pinned against water the scent crosses: run along its edge, away from them.
        _start_skirt(world, rex, blocked, here, events)
        _skirt(world, rex, events)
        return
    scent_scale = max(abs(g) for g in scent) or 1.0
    flee = _flee_map(world, rex)
    away = [0.0] * len(options)
    if flee is not None:
        base = flee.at(x, y)
        away = [(base - flee.at(x + dx, y + dy)) / math.hypot(dx, dy)
                if math.isfinite(flee.at(x + dx, y + dy)) and math.isfinite(base) else -1.0
                for dx, dy, _ in options]
    away_scale = max(abs(a) for a in away) or 1.0
    noise = world.rng.standard_normal(len(options))
    hx, hy = rex.heading
    threats = world.police.seen_by_rex
    best, best_score = options[0], -math.inf
    for (dx, dy, _), gain, run, jitter in zip(options, scent, away, noise, strict=True):
        length = math.hypot(dx, dy)
        score = (t.rex_gradient_gain * gain / scent_scale + t.rex_flee_weight * run / away_scale
                 + t.rex_momentum * (dx * hx + dy * hy) / length + t.rex_noise * float(jitter))
        if (x + dx, y + dy) in rex.recent:
            score -= t.rex_memory_penalty
        cx, cy = x + dx + 0.5, y + dy + 0.5
        if any(math.hypot(cx - tx, cy - ty) < CLOSE_THREAT for tx, ty in threats):
            score -= 2.0 * t.rex_flee_weight  # never run into an officer's arms
        if score > best_score:
            best, best_score = (dx, dy), score
    _go(world, rex, x, y, best[0], best[1], events)


# -- near Mila --------------------------------------------------------------------------------


# Shares of rex_keep_distance: closer as he calms, and bonded about a tile and a bit away,
# beside her (so the head press reads on screen), not on top of her.
KEEP = {"wary": 1.0, "calming": 0.85, "bonded": 0.75}


def _keep_distance(world: World, rex: Rex) -> None:
    """Near Mila: wary, he keeps a few steps off; calming, he comes closer; bonded, he stays
    at her side and follows her. Shielding, he stands between her and the gun."""
    mx, my = world.mila.x, world.mila.y
    if rex.shield_target is not None:
        tx, ty, keep = rex.shield_target[0], rex.shield_target[1], 0.0
    else:
        tx, ty, keep = mx, my, world.tuning.rex_keep_distance * KEEP[rex.state]
    distance = math.hypot(tx - rex.x, ty - rex.y)
    gap = max(math.hypot(mx - rex.x, my - rex.y), 1e-6)
    rex.heading = ((mx - rex.x) / gap, (my - rex.y) / gap)
    if abs(distance - keep) < 0.5:
        return
    x, y = rex.cell
    best, best_error = None, abs(distance - keep)
    for dx, dy, _ in _neighbours(world, x, y):
        if world.stage.fence[y + dy, x + dx]:
            continue
        error = abs(math.hypot(tx - (x + dx + 0.5), ty - (y + dy + 0.5)) - keep)
        if error < best_error - 0.1:
            best, best_error = (dx, dy), error
    if best is not None:
        rex.target = (x + best[0], y + best[1])
