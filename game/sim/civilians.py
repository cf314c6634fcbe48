"""Passers-by: they stroll, panic, flee, go indoors, film it on their phones, and call it in.

Fear is a number per person. Seeing Rex, a siren in earshot, a loudspeaker warning and
frightened neighbours nearby raise it; it fades without them. Above ``panic_threshold`` a
person panics: most flee down a flee map (distance from Rex scaled by -1.2 and relaxed, so
they run for exits, not corners, and treat people standing still as obstacles) and then go in
by the nearest door; some (``filmer_share``) stop at a distance and film instead, and every
phone pointed at the final moment adds to the ending's audience. Witnesses may phone the
dispatcher: the report arrives late and off by up to ``report_error`` tiles.

When Rex comes close to Mila, the nearest passer-by rushes to pull her away ("Kid, run!"). He
reaches out for ``grab_windup`` seconds; if she steps back out of reach he misses, otherwise
he pulls her away from Rex.

Fear, sight and contagion are computed for the whole crowd at once; each person's choice of
the next cell is a few lookups when they reach a cell.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import TYPE_CHECKING

import numpy as np

from game.sim import events as ev
from game.sim import handler as handler_mod
from game.sim.agents import Civilian
from game.sim.fields import flee_field
from game.sim.motion import STEP_SETS, Stride, toward
from game.sim.perception import line_of_sight
from game.sim.states import BONDED, FRIGHTENED, RESTLESS, CivilianState, OfficerState

C = CivilianState
# Enum members as module names: in Python 3.11 reading one off its class (C.FLEE) costs about
# 0.2 us, and the crowd's loops read them for every person on every tick.
WALK, FLEE, FILM, GRAB = C.WALK, C.FLEE, C.FILM, C.GRAB

if TYPE_CHECKING:
    from game.sim.world import World

THINK_EVERY = 6  # ticks between the crowd's fear and sight updates (5 per second)
FLEE_RADIUS = 30  # tiles around Rex over which the flee map is computed
FLEE_NEAR = 14.0  # tiles from Rex within which a fleer uses the flee map, not the way in
STANDING_COST = 10.0  # extra cost of a cell where someone stands still (for the flee map)
GRAB_GRACE = 0.3  # tiles past grab_reach she may be when his wind-up ends and still be caught
Steps = tuple[tuple[int, int, int], ...]  # (dx, dy, step index), as in motion.STEP_SETS


# -- fear ---------------------------------------------------------------------------------


def _feel(world: World, events: list[ev.Event]) -> None:
    crowd, t, rex = world.crowd, world.tuning, world.rex
    people = crowd.walking
    if not people:
        return
    dt = THINK_EVERY / world.tick_hz
    xs = np.array([c.x for c in people])
    ys = np.array([c.y for c in people])
    fear = np.array([c.fear for c in people])
    fear -= t.fear_decay * dt
    distance = np.hypot(xs - rex.x, ys - rex.y)
    sees = np.zeros(len(people), bool)
    loose = rex.state != RESTLESS
    if loose:
        near = distance <= t.civilian_sight
        if near.any():
            sees[near] = line_of_sight(world.level.blocks_sight, xs[near], ys[near], rex.x,
                                       rex.y)
        fear += np.where(sees, (1.2 - distance / t.civilian_sight) * 0.8, 0.0)
    for car in world.police.cars:
        if car.siren_on:
            fear += np.where(np.hypot(xs - car.x, ys - car.y) <= t.siren_radius,
                             t.siren_fear * dt, 0.0)
    if world.broadcast_tick is not None and world.tick - world.broadcast_tick < THINK_EVERY:
        for speaker in world.level.of_kind("loudspeaker"):
            sx, sy = speaker.centre
            heard = np.hypot(xs - sx, ys - sy) <= float(speaker.properties["radius"])
            fear += np.where(heard, t.loudspeaker_fear, 0.0)
    frightened = np.array([c.state in FRIGHTENED for c in people])
    if frightened.any():
        gaps = np.hypot(xs[:, None] - xs[None, frightened], ys[:, None] - ys[None, frightened])
        neighbours = ((gaps <= t.contagion_radius) & (gaps > 1e-6)).sum(axis=1)
        fear += neighbours * t.fear_contagion * dt
    np.clip(fear, 0.0, 1.0, out=fear)
    panic = t.panic_threshold
    # Python floats and bools (tolist) are quicker to read one by one than numpy scalars.
    for person, level, saw, gap in zip(people, fear.tolist(), sees.tolist(), distance.tolist(),
                                       strict=True):
        person.fear = level
        if saw and not person.phoned:
            person.phoned = True
            # Switched-off police take no calls (and the call draws nothing at random).
            if world.rng.random() < t.phone_chance and world.police.on:
                _phone(world, person)
        if person.state == WALK and level >= panic:
            _panic(world, person, gap, events)


def _phone(world: World, caller: Civilian) -> None:
    """Schedule a witness's call: it reaches the dispatcher late, with an error."""
    t, rex, rng = world.tuning, world.rex, world.rng
    delay = t.report_delay * rng.uniform(0.7, 1.3)
    angle, radius = rng.uniform(0, 2 * math.pi), t.report_error * math.sqrt(rng.random())
    report = ev.PhoneReport(world.tick + int(delay * world.tick_hz), caller.id,
                            rex.x + radius * math.cos(angle), rex.y + radius * math.sin(angle),
                            t.report_error, world.tick)
    world.police.dispatcher.pending_reports.append(report)


def _panic(world: World, person: Civilian, distance: float, events: list[ev.Event]) -> None:
    crowd = world.crowd
    crowd.counts["panicked"] += 1
    events.append(ev.Panic(world.tick, person.id, person.x, person.y))
    person.stride = None
    if (person.filmer and distance <= world.tuning.film_range
            and world.rex.state != RESTLESS):
        person.set_state(FILM)
    else:
        person.set_state(FLEE)


# -- moving -----------------------------------------------------------------------------------


def _refresh_flee(world: World) -> None:
    """The flee map around Rex, redone when he has moved a couple of cells."""
    crowd, rex = world.crowd, world.rex
    here = rex.cell
    if crowd.flee_from is not None and max(abs(here[0] - crowd.flee_from[0]),
                                           abs(here[1] - crowd.flee_from[1])) < 3:
        return
    cost = world.level.cost["foot"]
    standing = [c.cell for c in crowd.civilians if c.state == FILM]
    standing += [o.cell for o in world.police.officers
                 if o.car is None and o.state in (OfficerState.PERIMETER, OfficerState.STAND_DOWN)]
    if standing:
        cost = cost.copy()
        cells = np.array(standing)
        cost[cells[:, 1], cells[:, 0]] += STANDING_COST
    crowd.flee = flee_field(cost, np.array([here]), here, FLEE_RADIUS)
    crowd.flee_from = here


def _next_step(world: World, person: Civilian, x: int, y: int) -> tuple[int, int] | None:
    """The step from the cell (x, y) where ``person`` stands, or None to stay."""
    stage, rex = world.stage, world.rex
    steps = STEP_SETS[stage.moves["foot"][y, x]]
    person.hiding = False
    desk = world.handler
    if desk.blocked or desk.cordon is not None:  # round roadblocks, out of the cordon
        steps, out = handler_mod.civilian_steps(world, steps, x, y)
        if out is not None and person.state != GRAB:
            return out
    if person.state == FLEE:
        near = math.hypot(rex.x - person.x, rex.y - person.y) < FLEE_NEAR
        flee = world.crowd.flee
        fresh = person.dip_of != world.crowd.flee_from  # not this flee map's dip again
        if near and fresh and flee is not None and flee.contains(x, y):
            away = _down(steps, x, y, flee.at)
            if away is not None:
                return away
            # The best place the flee map knows (a dip it cannot leave): from here, the way
            # in, and not back to the dip while this flee map stands (the soak caught one
            # standing there for good beside a cornered Rex, and one pacing for good between
            # the dip and the first cell of a way in that led back into it).
            person.dip_of = world.crowd.flee_from
        step = _down(steps, x, y, world.crowd.door_at)
        # The way in passes Rex: wait at a safe distance until he has gone. Walking on would
        # bring them back within the flee map's reach, and it would send them out again, for
        # ever (the soak caught one pacing between two cells).
        person.hiding = step is not None and not near and math.hypot(
            rex.x - x - step[0] - 0.5, rex.y - y - step[1] - 0.5) < FLEE_NEAR
        return None if person.hiding else step
    if person.state == GRAB:
        return _closer(steps, x, y, world.mila.x, world.mila.y)
    if person.state == FILM:
        return None
    return _stroll(world, person, steps, x, y)


def _down(steps: Steps, x: int, y: int, value_at: Callable[[int, int], float]
          ) -> tuple[int, int] | None:
    best, best_value = None, value_at(x, y)
    for dx, dy, _ in steps:
        value = value_at(x + dx, y + dy)
        if value < best_value:
            best, best_value = (dx, dy), value
    return best


def _closer(steps: Steps, x: int, y: int, tx: float, ty: float) -> tuple[int, int] | None:
    best, best_gap = None, math.hypot(tx - x - 0.5, ty - y - 0.5)
    for dx, dy, _ in steps:
        gap = math.hypot(tx - x - dx - 0.5, ty - y - dy - 0.5)
        if gap < best_gap:
            best, best_gap = (dx, dy), gap
    return best


def _stroll(world: World, person: Civilian, steps: Steps, x: int, y: int
            ) -> tuple[int, int] | None:
    """Keep walking along sidewalks and paths, turning where they turn."""
    preference, t = world.crowd.preference_rows, world.tuning
    hx, hy = person.heading
    noise = world.rng.standard_normal(8).tolist()
    path, heading, wander = t.stroll_path_weight, t.stroll_heading_weight, t.stroll_noise
    best, best_score = None, -math.inf
    for dx, dy, index in steps:
        diagonal = 0.7071 if dx and dy else 1.0
        score = (path * preference[y + dy][x + dx]
                 + heading * (dx * hx + dy * hy) * diagonal
                 + wander * noise[index])
        if score > best_score:
            best, best_score = (dx, dy), score
    return best


def _start_stride(world: World, person: Civilian) -> None:
    """Choose the next cell and set off toward it (the step itself comes next tick)."""
    x, y = person.cell
    step = _next_step(world, person, x, y)
    if step is None:
        return
    t = world.tuning
    fast = person.state in FRIGHTENED
    speed = (t.civilian_flee_speed if fast else t.civilian_walk_speed) / world.tick_hz
    person.stride = Stride.into(person.x, person.y, (x + step[0], y + step[1]), speed)
    person.heading = person.stride.heading() or person.heading


# -- the grab ---------------------------------------------------------------------------------


def _grab(world: World, events: list[ev.Event]) -> None:
    """One passer-by tries to pull Mila away when Rex comes close."""
    crowd, t, mila, rex = world.crowd, world.tuning, world.mila, world.rex
    if crowd.grab_done or rex.state in (RESTLESS, BONDED):
        return
    if crowd.grabber is None:
        if math.hypot(rex.x - mila.x, rex.y - mila.y) > t.grab_trigger:
            return
        near = [c for c in crowd.civilians if c.active and c.state in (WALK, FILM)
                and math.hypot(c.x - mila.x, c.y - mila.y) <= t.grab_trigger * 1.5]
        if not near:
            return
        person = min(near, key=lambda c: (math.hypot(c.x - mila.x, c.y - mila.y), c.id))
        crowd.grabber = person.id
        person.set_state(GRAB)
        person.stride, person.phone_up = None, False
        events.append(ev.GrabAttempt(world.tick, person.id))
        events.append(ev.Radio(world.tick, "Passer-by", "Kid, run!"))
        return
    person = crowd.civilians[crowd.grabber]
    gap = math.hypot(person.x - mila.x, person.y - mila.y)
    if mila.grabbed_until > world.tick:
        return
    if person.grab_until == 0 and gap <= t.grab_reach:
        person.grab_until = world.tick + int(t.grab_windup * world.tick_hz)  # reaches out
        person.stride = None
    elif person.grab_until and world.tick >= person.grab_until:
        crowd.grab_done = True
        if gap <= t.grab_reach + GRAB_GRACE:
            mila.grabbed_until = world.tick + int(t.grab_pull_seconds * world.tick_hz)
            mila.grabbed_by = person.id
            events.append(ev.GrabbedMila(world.tick, person.id))
        else:
            events.append(ev.GrabMissed(world.tick, person.id))
        person.set_state(FLEE)
        person.stride = None


# -- the tick ---------------------------------------------------------------------------------


def update(world: World, events: list[ev.Event]) -> None:
    crowd = world.crowd
    thinking = world.tick % THINK_EVERY == 0
    if thinking:
        _feel(world, events)
        if any(c.state == FLEE for c in crowd.walking):
            _refresh_flee(world)
    if thinking or crowd.grabber is not None:
        _grab(world, events)
    filming = 0
    went_in = False
    for person in crowd.walking:
        stride = person.stride
        if stride is not None:  # the common case: a step along the current stride
            steps = stride.steps = stride.steps - 1
            if steps > 0:
                person.x += stride.vx
                person.y += stride.vy
                continue
            person.x, person.y, person.stride = stride.gx, stride.gy, None
            if person.state == FLEE and _in_at_a_door(world, person, events):
                went_in = True
            continue
        state = person.state
        if state == FLEE and _in_at_a_door(world, person, events):
            # Fleeing from where filming left him, he may already stand at a door.
            went_in = True
        elif state == FILM:
            filming += _film(world, person, events)
        elif not (state == GRAB and person.grab_until):  # not while reaching out
            _start_stride(world, person)
    if went_in:
        crowd.walking = [c for c in crowd.walking if c.active]
    crowd.counts["filming_peak"] = max(crowd.counts["filming_peak"], filming)


def _in_at_a_door(world: World, person: Civilian, events: list[ev.Event]) -> bool:
    """A fleeing passer-by at a door goes in (the caller has checked that he flees: most
    people do not, and the check there saves them a call)."""
    crowd = world.crowd
    x, y = person.cell
    if crowd.door_rows[y][x] > 0.5:
        return False
    person.set_state(C.INDOORS)
    crowd.counts["indoors"] += 1
    events.append(ev.WentIndoors(world.tick, person.id))
    return True


def _film(world: World, person: Civilian, events: list[ev.Event]) -> int:
    """Hold the phone up toward Rex from a safe distance; too close, and run."""
    t, rex = world.tuning, world.rex
    distance = math.hypot(rex.x - person.x, rex.y - person.y)
    if distance < t.film_distance * 0.5 or distance > t.film_range:
        person.set_state(FLEE)
        person.phone_up, person.stride = False, None
        return 0
    if not person.phone_up:
        person.phone_up = True
        events.append(ev.Filming(world.tick, person.id))
    if distance < t.film_distance:  # step back to a comfortable distance
        x, y = person.cell
        step = _down(STEP_SETS[world.stage.moves["foot"][y, x]], x, y,
                     lambda cx, cy: -math.hypot(rex.x - cx - 0.5, rex.y - cy - 0.5))
        if step is not None:
            x, y = person.cell
            person.x, person.y, _ = toward(person.x, person.y, x + step[0] + 0.5,
                                           y + step[1] + 0.5, t.civilian_walk_speed
                                           / world.tick_hz)
    dx, dy = rex.x - person.x, rex.y - person.y
    person.heading = (dx / max(distance, 1e-6), dy / max(distance, 1e-6))
    return 1
