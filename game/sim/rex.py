"""Rex: from restless in the kennel to the girl who carries the collar.

States (each change is a RexStateChanged event): ``restless`` (pacing in the kennel until the
latch gives), ``escaping`` (sprinting out of the training center, leaping the fence),
``tracking`` (following the scent), ``evading`` (police in sight: he sprints and runs down a
flee map away from them while the scent still pulls), ``cornered`` (threats close and his ways
out blocked: he stops and growls, and his stress jumps), ``wary`` (within a few tiles of
Mila); ``calming`` and ``bonded`` follow from the calm-down. Sprinting spends stamina; an
exhausted Rex is slow, and officers who reach him then (or cornered) catch him.

How he finds his way (``search``; each change is a RexSearchChanged event):

- ``follow``: he walks down the ground scent (``game.sim.ground``): each time he reaches a cell
  he may take only a step that strictly lowers its cost in his window, and among those he
  picks the best score: the rise of the airborne log(scent) toward it where he can smell it
  (dogs sense ratios, not amounts; normalised, so only the direction of the plume counts), the
  ground's own fall, momentum, a little seeded noise, and a penalty for cells he has just
  left. So the wind and the plume shape his route, and the ground guarantees it ends at Mila:
  where no step goes down he stands on a seed, and a stale piece of her trail or a
  distraction is dealt with there.
- ``sniff``: he stops at a distracting smell (a food stall, bins), checks it for two seconds,
  and from then on ignores it.
- ``cast``: no ground scent reaches the land he can walk (Mila is somewhere he cannot get to).
  He climbs the airborne scent where he smells it and otherwise runs widening loops, and
  looks again for ground scent at every step.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from game.sim import events as ev
from game.sim import ground as ground_mod
from game.sim.agents import TELL_SECONDS, Cast, Leap, Progress, Rex, Sniff
from game.sim.fields import WindowField, flee_field
from game.sim.ground import Plan
from game.sim.motion import STEP_SETS, STEPS, can_step, downhill, toward
from game.sim.states import (
    BY_MILA,
    CORNERED,
    ESCAPING,
    EVADING,
    NEAR_MILA,
    RESTLESS,
    REX_MOVES,
    SEARCH_MOVES,
    TRACKING,
    RexState,
    Search,
    check,
)

if TYPE_CHECKING:
    from game.sim.world import World

LEAP_MAX_FENCE = 3  # a fence this many cells thick can still be cleared in one leap
CAST_STEP = 0.35  # radians the cast target advances at a time
PROGRESS = 1.0e-3  # fall in ground cost that counts as getting closer
FLEE_RADIUS = 24  # tiles around Rex over which his flee map is computed
ESCAPE_LOOK = 3  # tiles he looks down each way out when he may be cornered
LOOSE = (RexState.ESCAPING, RexState.TRACKING, RexState.EVADING, RexState.CORNERED)
# Groups of states read on every tick, made once (a tuple of enum members read off their class
# costs 0.6 us; see game.sim.states for the members as names).
SPRINTING = (ESCAPING, EVADING)
CLOSING_IN = (ESCAPING, TRACKING, EVADING)


# -- small helpers ----------------------------------------------------------------------------


def log_scent(world: World, x: int, y: int) -> float:
    return math.log(world.scent.perceived(x, y))


def lost_below(world: World) -> float:
    """Log-scent under which the trail is lost: his threshold, or just above the field's floor
    (what no scent reaches) if that is higher."""
    return max(math.log(world.tuning.rex_scent_threshold),
               math.log(world.scent.setup.floor) + 2.0)


def set_state(world: World, rex: Rex, state: RexState, events: list[ev.Event]) -> None:
    """Rex's one way to change state (IllegalTransition for a change no rule makes)."""
    if rex.state != state:
        check(REX_MOVES, rex.state, state)
        events.append(ev.RexStateChanged(world.tick, rex.state, state))
        rex.state = state


def set_search(world: World, rex: Rex, search: Search, events: list[ev.Event]) -> None:
    """Rex's one way to change search mode (IllegalTransition for one no rule makes). The
    sniff's data goes with the sniff; a cast's loops are kept for the next cast."""
    if rex.search != search:
        check(SEARCH_MOVES, rex.search, search)
        if rex.search == Search.SNIFF:
            rex.sniff = None
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
    if rex.state == RESTLESS:
        if world.tick >= rex.latch_tick:
            world.open_gate()
            events.append(ev.LatchGave(world.tick))
            set_state(world, rex, RexState.ESCAPING, events)
        else:
            _pace(world, rex, events)
            return
    _check_state(world, rex, events)
    _react_to_police(world, rex, events)
    if rex.state == CORNERED:
        rex.target = None  # he stands his ground
        if world.tick >= rex.next_tell:
            events.append(ev.RexTell(world.tick, "growl"))
            rex.next_tell = world.tick + int(world.tuning.rex_growl_seconds * world.tick_hz)
        return
    if rex.sniff is not None:
        if world.tick < rex.sniff.until:
            return
        set_search(world, rex, Search.FOLLOW, events)
    if rex.target is None or _walk(world, rex):
        rex.target = None
        _decide(world, rex, events)


def _check_state(world: World, rex: Rex, events: list[ev.Event]) -> None:
    t = world.tuning
    x, y = rex.cell
    if rex.state == ESCAPING and rex.escaped_tick is None and (
            not world.stage.facility[y, x]
            or world.tick - rex.latch_tick > t.rex_escape_max_seconds * world.tick_hz):
        rex.escaped_tick = world.tick
        events.append(ev.RexEscaped(world.tick, rex.x, rex.y))
        set_state(world, rex, RexState.TRACKING, events)
    distance = mila_distance(world, rex)
    if rex.state in CLOSING_IN and distance <= t.rex_wary_radius:
        if rex.reached_tick is None:
            rex.reached_tick = world.tick
            events.append(ev.RexReachedMila(world.tick, rex.x, rex.y))
        if rex.escaped_tick is None:
            rex.escaped_tick = world.tick
            events.append(ev.RexEscaped(world.tick, rex.x, rex.y))
        set_state(world, rex, RexState.WARY, events)
        set_search(world, rex, Search.FOLLOW, events)
    elif rex.state in BY_MILA and distance > t.rex_wary_exit_radius:
        set_state(world, rex, RexState.TRACKING, events)


def sprinting(rex: Rex) -> bool:
    return rex.state in SPRINTING and not rex.exhausted


def _speed(world: World, rex: Rex) -> float:
    t = world.tuning
    base = t.rex_sprint_speed if sprinting(rex) else t.rex_trot_speed
    if rex.exhausted:
        base *= t.rex_exhausted_speed
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
    elif rex.exhausted and rex.stamina >= t.rex_recovered_stamina:
        rex.exhausted = False
    rex.stress = max(0.0, rex.stress - t.rex_stress_decay * dt)


def _react_to_police(world: World, rex: Rex, events: list[ev.Event]) -> None:
    """Police in sight make him evade; close threats with no way out corner him."""
    police = world.police
    if rex.state not in LOOSE:
        return
    t = world.tuning
    if rex.reached_tick is not None and mila_distance(world, rex) <= t.rex_wary_exit_radius:
        return  # by Mila he holds his ground; the calm-down decides how he feels
    if police.seen_by_rex:
        rex.threat_tick = world.tick
    calm_for = (world.tick - rex.threat_tick) / world.tick_hz
    if rex.state == RexState.TRACKING and police.seen_by_rex:
        set_state(world, rex, RexState.EVADING, events)
        set_search(world, rex, Search.FOLLOW, events)
    elif rex.state == RexState.EVADING and calm_for > t.rex_evade_calm_seconds:
        set_state(world, rex, RexState.TRACKING, events)
    if rex.state in (RexState.EVADING, RexState.CORNERED) and world.tick % 3 == 0:
        trapped = _trapped(world, rex)
        if trapped and rex.state == RexState.EVADING:
            set_state(world, rex, RexState.CORNERED, events)
            rex.stress = min(1.0, rex.stress + t.rex_cornered_stress)
            rex.next_tell = world.tick
            rex.cornered_tick = world.tick
        elif not trapped and rex.state == RexState.CORNERED:
            set_state(world, rex, RexState.EVADING, events)
    if rex.state == RexState.EVADING:
        rex.stress = min(1.0, rex.stress + t.rex_evade_stress / world.tick_hz)


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
    if rex.state in NEAR_MILA:
        _keep_distance(world, rex)
        return
    x, y = rex.cell
    if rex.state == ESCAPING and world.stage.kennel[y, x]:
        out = downhill(world.stage.out_of_kennel, world.rex_moves, x, y)
        if out is not None:
            _go(world, rex, x, y, out[0], out[1], events)
            return
    plan = _plan(world, rex)
    _note_progress(world, rex)
    if rex.state == RexState.EVADING:
        _evade(world, rex, plan, events)
    elif plan is None:
        _cast(world, rex, events)
    else:
        _follow(world, rex, plan, events)


def _plan(world: World, rex: Rex) -> Plan | None:
    """His window of the ground scent, made again when it no longer holds: a new coarse
    snapshot, a group of lower coarse cost reached, or his cell outside what it covers."""
    ground = world.ground
    x, y = rex.cell
    plan = rex.plan
    if (plan is not None and plan.version == ground.version and math.isfinite(plan.at(x, y))
            and (ground.setup.node_at(x, y) == plan.node
                 or ground_mod.node_cost(ground, x, y) >= plan.node_cost)):
        return plan
    rex.plan = ground_mod.plan(ground, x, y)
    return rex.plan


def _note_progress(world: World, rex: Rex) -> None:
    """Remember when his group's ground cost last fell (a new snapshot starts afresh)."""
    cost = ground_mod.node_cost(world.ground, *rex.cell)
    version = world.ground.version
    if version != rex.progress.version or cost < rex.progress.best - PROGRESS:
        rex.progress = Progress(cost, world.tick, version)


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


def _go(world: World, rex: Rex, x: int, y: int, dx: int, dy: int, events: list[ev.Event],
        leap: bool = True) -> None:
    """Head for the neighbour (x+dx, y+dy), leaping if it is a fence and ``leap`` allows."""
    length = math.hypot(dx, dy)
    rex.heading = (dx / length, dy / length)
    if leap and world.stage.fence[y + dy, x + dx]:
        landing = _landing(world, x, y, dx, dy)
        if landing is not None:
            ticks = max(1, int(world.tuning.rex_leap_seconds * world.tick_hz))
            rex.leap = Leap(rex.x, rex.y, landing[0] + 0.5, landing[1] + 0.5, world.tick, ticks)
            events.append(ev.RexLeapt(world.tick, rex.x, rex.y))
            return
    rex.target = (x + dx, y + dy)


def _air_gains(world: World, x: int, y: int, steps: list[tuple[int, int]]) -> list[float]:
    """The rise of the airborne log-scent per tile toward each step, or zeros where he cannot
    smell it (below his threshold): dogs sense ratios, not amounts."""
    here = log_scent(world, x, y)
    if here < lost_below(world):
        return [0.0] * len(steps)
    return [(log_scent(world, x + dx, y + dy) - here) / math.hypot(dx, dy) for dx, dy in steps]


def _scaled(values: list[float]) -> list[float]:
    """Values over the largest magnitude among them: only their directions count."""
    top = max((abs(v) for v in values), default=0.0)
    return [v / top for v in values] if top > 0 else [0.0] * len(values)


@dataclass(frozen=True)
class Step:
    """A step down the ground scent: to a neighbour, or over a fence to where he lands."""

    dx: int
    dy: int
    value: float  # the ground cost where he ends up
    leap: bool

    def reach(self, x: int, y: int, world: World) -> float:
        if not self.leap:
            return math.hypot(self.dx, self.dy)
        landing = _landing(world, x, y, self.dx, self.dy)
        assert landing is not None
        return math.hypot(landing[0] - x, landing[1] - y)


def _steps_down(world: World, plan: Plan, x: int, y: int) -> list[Step]:
    """Every legal step that strictly lowers the ground cost: there is one everywhere but on
    a seed. A fence is leapt when the landing is lower, else climbed when its cell is."""
    here = plan.at(x, y)
    fence = world.stage.fence
    found = []
    for dx, dy, _ in STEP_SETS[world.rex_moves[y, x]]:
        if fence[y + dy, x + dx]:
            landing = _landing(world, x, y, dx, dy)
            if landing is not None and plan.at(*landing) < here:
                found.append(Step(dx, dy, plan.at(*landing), True))
                continue
        value = plan.at(x + dx, y + dy)
        if value < here:
            found.append(Step(dx, dy, value, False))
    return found


def _follow(world: World, rex: Rex, plan: Plan, events: list[ev.Event]) -> None:
    if _sniff_if_near(world, rex, events):
        return
    rex.cast = None
    set_search(world, rex, Search.FOLLOW, events)
    t = world.tuning
    x, y = rex.cell
    options = _steps_down(world, plan, x, y)
    if not options:
        _at_a_seed(world, rex, x, y, events)
        return
    here = plan.at(x, y)
    falls = _scaled([(here - s.value) / s.reach(x, y, world) for s in options])
    gains = _scaled(_air_gains(world, x, y, [(s.dx, s.dy) for s in options]))
    noise = world.rng.standard_normal(len(options))
    hx, hy = rex.heading
    best, best_score = options[0], -math.inf
    for option, fall, gain, jitter in zip(options, falls, gains, noise, strict=True):
        dx, dy = option.dx, option.dy
        score = (t.rex_ground_gain * fall + t.rex_gradient_gain * gain
                 + t.rex_momentum * (dx * hx + dy * hy) / math.hypot(dx, dy)
                 + t.rex_noise * float(jitter))
        if (x + dx, y + dy) in rex.recent:
            score -= t.rex_memory_penalty
        if score > best_score:
            best, best_score = option, score
    _go(world, rex, x, y, best.dx, best.dy, events, leap=best.leap)


def _at_a_seed(world: World, rex: Rex, x: int, y: int, events: list[ev.Event]) -> None:
    """No step goes down: he stands on a seed of the ground scent. A distraction is sniffed,
    a stale piece of her trail forgotten; either way the field is made again."""
    ground = world.ground
    kind = ground_mod.seed_at(ground, x, y)
    if kind is not None and kind >= 0:
        _sniff(world, rex, kind, events)
    elif kind == ground_mod.TRAIL:
        ground_mod.drop_trail_to(ground, (x, y), world.tick)
    rex.plan = None


def _sniff_if_near(world: World, rex: Rex, events: list[ev.Event]) -> bool:
    setup = world.scent.setup
    for index, (sx, sy) in enumerate(setup.distractor_cells):
        if index in rex.sniffed or not world.scent.layer_weight[setup.distractor_layer[index]]:
            continue
        if math.hypot(sx + 0.5 - rex.x, sy + 0.5 - rex.y) <= world.tuning.rex_sniff_range:
            _sniff(world, rex, index, events)
            return True
    return False


def _sniff(world: World, rex: Rex, index: int, events: list[ev.Event]) -> None:
    """He checks a distracting smell for a moment and from then on ignores it."""
    setup = world.scent.setup
    sx, sy = setup.distractor_cells[index]
    rex.sniffed.append(index)
    world.scent.ignore_distractor(index)
    ground_mod.sniffed(world.ground, index, world.tick)
    rex.sniff = Sniff(world.tick + int(world.tuning.rex_sniff_seconds * world.tick_hz))
    events.append(ev.RexSniffed(world.tick, setup.distractor_labels[index], sx, sy))
    set_search(world, rex, Search.SNIFF, events)


# -- casting about ----------------------------------------------------------------------------


def _cast(world: World, rex: Rex, events: list[ev.Event]) -> None:
    """No ground scent reaches his land: he climbs the airborne scent where he smells it and
    otherwise runs widening loops round where he lost it, until the ground scent is back."""
    t = world.tuning
    x, y = rex.cell
    options = _neighbours(world, x, y)
    if not options:
        return
    if rex.cast is None:
        rex.cast = Cast((rex.x, rex.y), math.atan2(rex.heading[1], rex.heading[0]))
    set_search(world, rex, Search.CAST, events)
    cast = rex.cast
    cx, cy = cast.centre
    for _ in range(64):
        radius = 1.0 + t.rex_cast_spacing * max(cast.angle, 0.0) / (2 * math.pi)
        if radius > t.rex_cast_max_radius:
            cast.centre, cast.angle = (rex.x, rex.y), 0.0
            cx, cy = cast.centre
            continue
        px, py = cx + radius * math.cos(cast.angle), cy + radius * math.sin(cast.angle)
        if math.hypot(px - rex.x, py - rex.y) >= 1.5:
            break
        cast.angle += CAST_STEP
    wx, wy = px - rex.x, py - rex.y
    gap = math.hypot(wx, wy) or 1.0
    gains = _scaled(_air_gains(world, x, y, [(dx, dy) for dx, dy, _ in options]))
    noise = world.rng.standard_normal(len(options))
    best, best_score, loop = options[0], -math.inf, 0.0
    for (dx, dy, index), gain, jitter in zip(options, gains, noise, strict=True):
        along = (dx * wx + dy * wy) / (math.hypot(dx, dy) * gap)
        score = along + t.rex_gradient_gain * gain + t.rex_noise * float(jitter)
        if (x + dx, y + dy) in rex.recent:
            score -= t.rex_memory_penalty
        if score > best_score:
            best, best_score, loop = (dx, dy, index), score, along
    if loop < 0.0:
        cast.angle += math.pi / 4  # the loop runs into something: skip that part of it
    _go(world, rex, x, y, best[0], best[1], events)


# -- running from the police ------------------------------------------------------------------


def _flee_map(world: World, rex: Rex) -> WindowField | None:
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


def _evade(world: World, rex: Rex, plan: Plan | None, events: list[ev.Event]) -> None:
    """Run down the flee map while the ground scent still pulls, never into an officer's
    arms. Police who have kept him from getting closer for ``rex_stuck_seconds`` stop
    turning him back: he runs on down the scent, past them if he must."""
    t = world.tuning
    x, y = rex.cell
    options = _neighbours(world, x, y)
    if not options:
        return
    here = math.inf if plan is None else plan.at(x, y)
    falls = [0.0] * len(options)
    if plan is not None and math.isfinite(here):
        falls = [(here - plan.at(x + dx, y + dy)) / math.hypot(dx, dy)
                 if math.isfinite(plan.at(x + dx, y + dy)) else -1.0 for dx, dy, _ in options]
    falls = _scaled(falls)
    gains = _scaled(_air_gains(world, x, y, [(dx, dy) for dx, dy, _ in options]))
    flee = _flee_map(world, rex)
    away = [0.0] * len(options)
    if flee is not None:
        base = flee.at(x, y)
        away = [(base - flee.at(x + dx, y + dy)) / math.hypot(dx, dy)
                if math.isfinite(flee.at(x + dx, y + dy)) and math.isfinite(base) else -1.0
                for dx, dy, _ in options]
    away = _scaled(away)
    stuck = world.tick - rex.progress.tick > t.rex_stuck_seconds * world.tick_hz
    flee_weight = 0.0 if stuck else t.rex_flee_weight
    noise = world.rng.standard_normal(len(options))
    hx, hy = rex.heading
    threats = world.police.seen_by_rex
    best, best_score = options[0][:2], -math.inf
    for (dx, dy, _), fall, gain, run, jitter in zip(options, falls, gains, away, noise,
                                                    strict=True):
        length = math.hypot(dx, dy)
        score = (t.rex_ground_gain * fall + t.rex_gradient_gain * gain + flee_weight * run
                 + t.rex_momentum * (dx * hx + dy * hy) / length + t.rex_noise * float(jitter))
        if (x + dx, y + dy) in rex.recent:
            score -= t.rex_memory_penalty
        cx, cy = x + dx + 0.5, y + dy + 0.5
        if any(math.hypot(cx - tx, cy - ty) < t.rex_close_threat for tx, ty in threats):
            score -= 2.0 * t.rex_flee_weight  # never run into an officer's arms
        if score > best_score:
            best, best_score = (dx, dy), score
    _go(world, rex, x, y, best[0], best[1], events)


# -- near Mila --------------------------------------------------------------------------------


# Shares of rex_keep_distance: closer as he calms, and bonded about a tile and a bit away,
# beside her (so the head press reads on screen), not on top of her.
KEEP = {RexState.WARY: 1.0, RexState.CALMING: 0.85, RexState.BONDED: 0.75}


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
