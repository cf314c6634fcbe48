"""The police: a dispatcher with alert phases and a search map, patrol cars, officers on foot.

The dispatcher only knows what it is told: officers' sightings (vision cone, line of sight and
a detection meter that fills over a moment) and witnesses' phone calls (late and imprecise).
It keeps Rex's last known position and a belief map of where he may be, and moves through the
phases ``standby`` -> ``search`` -> ``pursuit`` (new sighting) -> ``containment`` (he is near
Mila or a civilian) -> ``stand_down`` (Dylan's order, which ends all shooting). Pursuit falls
back to search after a while unseen; every change is a PhaseChanged event and a radio line.

The search map works like the occupancy maps of The Third Eye Crime (AIIDE 2013): probability
starts at the last known position or report, spreads each half second into cells Rex could
reach, and is wiped where any unit looks. Units are sent to the most likely blocks, spread
apart. Units chasing one target share one distance field, computed again only when the target
has moved a few cells; officers choose among downhill cells one no other officer stands on.

Cars keep to road cells. They carry their crews until the target is off the road or the
perimeter is forming, then stop at the road nearest to it and the crew gets out.

When Dylan is played, the Handler's orders (game/sim/handler.py) override this for the units
they name: an ordered officer goes where he is sent, one on hold-fire never raises his gun, a
roadblock car parks, and the dispatcher's own loudspeaker falls silent once the Handler speaks.

An officer fires a tranquilizer only after aiming for ``aim_seconds`` with Rex in range and in
sight (the aim is cancelled if that breaks), never through Mila or a passer-by, and never
after the stand-down.
"""

from __future__ import annotations

import math
from functools import partial
from typing import TYPE_CHECKING

import numpy as np

from game.sim import events as ev
from game.sim import handler as handler_mod
from game.sim.agents import Aim, Car, Officer, SharedField
from game.sim.fields import WindowField, window_route
from game.sim.motion import STEP_SETS, STEPS, Stride, face
from game.sim.perception import in_cone, line_of_sight, seen_mask
from game.sim.states import (
    BONDED,
    CALMING,
    CORNERED,
    ESCAPING,
    EVADING,
    OFFICER_MOVES,
    PHASE_MOVES,
    RESTLESS,
    WARY,
    OfficerState,
    Phase,
    check,
)

if TYPE_CHECKING:
    from game.sim.agents import PoliceForce
    from game.sim.stage import SearchBlocks
    from game.sim.world import World

# The phases and officers' states read every tick (many per officer) as module names, as
# game.sim.states has Rex's: in Python 3.11 reading an enum member off its class costs about
# 0.2 us, ten times a module name. The officers' states share words with the phases, so theirs
# carry OFFICER_.
STANDBY, SEARCH, PURSUIT = Phase.STANDBY, Phase.SEARCH, Phase.PURSUIT
CONTAINMENT, STAND_DOWN = Phase.CONTAINMENT, Phase.STAND_DOWN
OFFICER_IN_CAR, OFFICER_STANDBY, OFFICER_SEARCH = (
    OfficerState.IN_CAR, OfficerState.STANDBY, OfficerState.SEARCH)
OFFICER_PURSUIT, OFFICER_PERIMETER = OfficerState.PURSUIT, OfficerState.PERIMETER
OFFICER_STAND_DOWN, OFFICER_ORDERED = OfficerState.STAND_DOWN, OfficerState.ORDERED

VISION_EVERY = 3  # ticks between vision checks (10 per second)
BELIEF_EVERY = 15  # ticks between updates of the search map
SPREAD_STEPS = 2  # blur passes per update: the map widens about as fast as Rex can trot
CHASE_DIRECT = 6.0  # tiles within which an officer who sees Rex runs straight at him
REFIELD_TICKS = 30  # at least this long between recomputing a shared field
LINE_OF_FIRE = 1.0  # no shot with Mila or a passer-by this close to the line of fire
BEHIND_TARGET = 3.0  # ...or this far beyond Rex, where a miss would fly
ALL_STEPS = STEP_SETS[255]
# What an officer on foot does in each phase.
# (An officer the Handler has sent somewhere is ORDERED whatever the phase.)
OFFICER_STATE = {STANDBY: OFFICER_STANDBY, SEARCH: OFFICER_SEARCH,
                 PURSUIT: OFFICER_PURSUIT, CONTAINMENT: OFFICER_PERIMETER,
                 STAND_DOWN: OFFICER_STAND_DOWN}


def _downhill(field: np.ndarray | WindowField, moves: np.ndarray | None, x: int, y: int,
              taken: set[tuple[int, int]]) -> tuple[int, int] | None:
    """The step down a field (whole-map or windowed) from (x, y), round other officers."""
    if isinstance(field, WindowField):
        values, x0, y0 = field.values, field.x0, field.y0
    else:
        values, x0, y0 = field, 0, 0
    height, width = values.shape
    wx, wy = x - x0, y - y0
    if not (0 <= wy < height and 0 <= wx < width):
        return None
    if values[wy, wx] == 0.0:
        return None  # the field's target: no distance is below 0 (a unit at his block)
    # The cell and its eight neighbours as Python floats in one read (eight numpy scalar reads
    # cost more); beyond the window's edge stands inf, a neighbour no step goes to.
    if 0 < wx < width - 1 and 0 < wy < height - 1:
        near = values[wy - 1:wy + 2, wx - 1:wx + 2].tolist()
    else:
        near = [[float(values[wy + dy, wx + dx]) if 0 <= wy + dy < height
                 and 0 <= wx + dx < width else math.inf for dx in (-1, 0, 1)]
                for dy in (-1, 0, 1)]
    best, best_value = None, near[1][1]
    steps = STEP_SETS[moves[y, x]] if moves is not None else ALL_STEPS
    for dx, dy, _ in steps:
        value = near[dy + 1][dx + 1]
        if not math.isfinite(value):
            continue
        if (x + dx, y + dy) in taken:
            value += 2.0  # crowding: go round a colleague rather than into him
        if value < best_value:
            best, best_value = (dx, dy), value
    return best


# -- the dispatcher ---------------------------------------------------------------------------


def radio(world: World, events: list[ev.Event], speaker: str, text: str) -> None:
    events.append(ev.Radio(world.tick, speaker, text))


def set_phase(world: World, phase: Phase, events: list[ev.Event]) -> None:
    """The dispatcher's one way to change phase (IllegalTransition for one no rule makes)."""
    d = world.police.dispatcher
    if d.phase == phase:
        return
    check(PHASE_MOVES, d.phase, phase)
    events.append(ev.PhaseChanged(world.tick, d.phase, phase))
    d.phase, d.phase_tick = phase, world.tick
    d.log.append((world.tick, phase))


def set_officer_state(officer: Officer, state: OfficerState) -> None:
    """An officer's one way to change state (IllegalTransition for one no rule makes)."""
    if officer.state != state:
        check(OFFICER_MOVES, officer.state, state)
        officer.state = state


def _zone_name(world: World, x: float, y: float) -> str:
    cx, cy = math.floor(x), math.floor(y)
    if not world.level.inside(cx, cy):
        return "the edge of town"
    return world.level.zone_at(cx, cy) or "town"


def _know(world: World, x: float, y: float) -> None:
    d = world.police.dispatcher
    d.last_known = (x, y)
    d.last_known_tick = world.tick


def seed_belief(world: World, x: float, y: float, spread: float) -> None:
    """Start the search map as a blob of probability around (x, y)."""
    stage = world.stage
    ys, xs = np.mgrid[0:world.level.height, 0:world.level.width]
    sigma = max(spread, 1.5)
    blob = np.exp(-((xs + 0.5 - x) ** 2 + (ys + 0.5 - y) ** 2) / (2 * sigma * sigma))
    blob[~stage.dog_passable] = 0.0
    total = blob.sum()
    world.police.dispatcher.belief = (blob / total if total > 0 else blob).astype(np.float32)
    # (the belief is updated in place from here on; _spread_belief never replaces it)


def _spread_belief(world: World) -> None:
    """Probability moves into the neighbouring cells Rex could reach, then renormalises."""
    belief = world.police.dispatcher.belief
    if belief is None:
        return
    spread = world.police.scratch(belief)
    passable = world.stage.dog_passable_f32
    for _ in range(SPREAD_STEPS):
        # Half stays, half is shared out among the four neighbours; walls keep nothing.
        spread[0, :] = 0.0
        spread[1:, :] = belief[:-1, :]
        spread[:-1, :] += belief[1:, :]
        spread[:, 1:] += belief[:, :-1]
        spread[:, :-1] += belief[:, 1:]
        spread *= 0.125
        belief *= 0.5
        belief += spread
        belief *= passable
    units = [o for o in world.police.officers if o.state != OFFICER_IN_CAR] + [
        c for c in world.police.cars if c.crew]
    if units:
        xs = np.array([u.x for u in units])
        ys = np.array([u.y for u in units])
        hx = np.array([u.heading[0] for u in units])
        hy = np.array([u.heading[1] for u in units])
        reach = world.tuning.vision_range * _light(world)
        seen = seen_mask(world.level.blocks_sight, xs, ys, hx, hy, reach,
                         math.radians(world.tuning.vision_half_angle))
        np.multiply(belief, 0.05, out=belief, where=seen)  # looked there: he is not there
    total = float(belief.sum())
    if total > 0:
        belief /= total
    world.police.dispatcher.belief = belief


def _light(world: World) -> float:
    """How much of the daylight vision is left, falling to dusk_vision at sunset."""
    settings = world.level.settings
    span = max(1.0, settings.sunset_clock_s - settings.start_clock_s)
    fraction = min(1.0, max(0.0, (world.clock_seconds - settings.start_clock_s) / span))
    return 1.0 - (1.0 - world.tuning.dusk_vision) * fraction


def _dispatch(world: World, events: list[ev.Event]) -> None:
    police, t = world.police, world.tuning
    d = police.dispatcher
    hz = world.tick_hz
    if d.alarm_tick is None and world.rex.state != RESTLESS:
        d.alarm_tick = world.tick
        radio(world, events, "Dispatch", "K9 Rex has escaped. All units, stand by.")
    if d.phase == STANDBY and d.alarm_tick is not None and (
            world.tick - d.alarm_tick >= t.dispatch_delay * hz):
        gate = world.stage.gate_cells[0]
        if d.last_known is None:
            _know(world, gate[0] + 0.5, gate[1] + 0.5)
        seed_belief(world, *d.last_known, spread=t.search_spread)  # type: ignore[misc]
        set_phase(world, SEARCH, events)
        radio(world, events, "Dispatch", "All units: search pattern around the training "
                                         "center. Dog handler on the way to command.")
        radio(world, events, "Dylan", "He won't attack anyone. Rex only reacts aggressively "
                                      "if cornered.")
        d.next_broadcast = world.tick
        d.next_assign = world.tick
    for report in [r for r in d.pending_reports if r.tick <= world.tick]:
        d.pending_reports.remove(report)
        events.append(report)
        police.counts["phone_reports"] += 1
        if d.phase in (STANDBY, SEARCH) and report.seen_tick > d.last_known_tick:
            _know(world, report.x, report.y)
            seed_belief(world, report.x, report.y, spread=max(report.error, 3.0))
            radio(world, events, "Dispatch", f"Caller reports the dog near the "
                                             f"{_zone_name(world, report.x, report.y)}.")
            if d.phase == STANDBY:
                set_phase(world, SEARCH, events)
            d.next_assign = world.tick
    if (d.phase in (SEARCH, PURSUIT, CONTAINMENT)
            and world.tick >= d.next_broadcast
            and not world.handler.owns_loudspeaker):  # once the Handler speaks, only he does
        d.next_broadcast = world.tick + int(t.broadcast_every * hz)
        radio(world, events, "Loudspeaker", "Warning: a trained German Shepherd K9 has "
                                            "escaped. Do not approach. Stay indoors until "
                                            "further notice.")
        for speaker in world.level.of_kind("loudspeaker"):
            x, y = speaker.centre
            events.append(ev.Announcement(world.tick, x, y,
                                          float(speaker.properties["radius"])))
        world.broadcast_tick = world.tick
    if d.phase == PURSUIT and world.tick - d.last_sighting_tick > t.pursuit_timeout * hz:
        set_phase(world, SEARCH, events)
        x, y = d.last_known  # type: ignore[misc]
        seed_belief(world, x, y, spread=t.lost_spread)
        d.next_assign = world.tick
        radio(world, events, "Dispatch", f"We've lost him. Resume search, last seen near the "
                                         f"{_zone_name(world, x, y)}.")
    if d.phase in (SEARCH, PURSUIT) and _near_people(world):
        set_phase(world, CONTAINMENT, events)
        police.slots = {}
        radio(world, events, "Dispatch", "He's near civilians. Set a perimeter, weapons "
                                         "ready, do not close in.")
    elif d.phase == CONTAINMENT and not _near_people(world, t.containment_release):
        set_phase(world, PURSUIT, events)
        radio(world, events, "Dispatch", "He's moving. All units, pursue.")
    if d.phase in (SEARCH, PURSUIT) and world.tick % BELIEF_EVERY == 0:
        _spread_belief(world)


def _near_people(world: World, margin: float = 1.0) -> bool:
    """Whether the dispatcher's last known position puts Rex near Mila or a passer-by."""
    d = world.police.dispatcher
    recent = world.tick - d.last_sighting_tick <= world.tuning.pursuit_timeout * world.tick_hz
    if d.last_known is None or not recent:
        return False
    x, y = d.last_known
    reach = world.tuning.containment_radius * margin
    if math.hypot(world.mila.x - x, world.mila.y - y) <= reach:
        return True
    return any(
        c.active and math.hypot(c.x - x, c.y - y) <= reach
        for c in world.crowd.civilians)


# -- vision -----------------------------------------------------------------------------------


def _watch(world: World, events: list[ev.Event]) -> None:
    """Vision for every unit at once, detection meters, sightings, and what Rex sees."""
    police, t, rex = world.police, world.tuning, world.rex
    hz = world.tick_hz
    walkers = [o for o in police.officers if o.car is None]
    cars = [c for c in police.cars if c.crew]
    viewers: list[Officer | Car] = [*walkers, *cars]  # the officers on foot first
    police.seen_by_rex = []
    if not viewers or rex.state == RESTLESS:
        return
    # Per viewer in Python lists: for a score of viewers numpy's fixed cost per call is most
    # of the work. The distances (np.hypot), the line of sight and the cone stay in numpy, the
    # last two over only the viewers they concern (each viewer's answer is its own).
    xs = np.array([v.x for v in viewers])
    ys = np.array([v.y for v in viewers])
    on_foot, in_cars = len(walkers), len(cars)
    light = _light(world)
    foot_reach, car_reach = t.vision_range * light, t.car_vision_range * light
    reach = [foot_reach] * on_foot + [car_reach] * in_cars
    distance = np.hypot(xs - rex.x, ys - rex.y).tolist()
    # Rex notices officers within his sight and cars (sirens, engines) a little farther.
    foot_ear, car_ear = t.rex_sight, t.rex_sight * 1.5
    notice = [foot_ear] * on_foot + [car_ear] * in_cars
    foot_limit, car_limit = max(foot_reach, foot_ear), max(car_reach, car_ear)
    near = [k for k, gap in enumerate(distance[:on_foot]) if gap <= foot_limit]
    near += [k for k, gap in enumerate(distance[on_foot:], on_foot) if gap <= car_limit]
    clear = [False] * len(viewers)
    if near:  # line of sight only where it could matter
        for k, seen in zip(near, line_of_sight(world.level.blocks_sight, xs[near], ys[near],
                                               rex.x, rex.y).tolist(), strict=True):
            clear[k] = seen
    seeing = [False] * len(viewers)
    looking = [k for k in near if clear[k]]
    if looking:
        cone = in_cone(xs[looking], ys[looking],
                       np.array([viewers[k].heading[0] for k in looking]),
                       np.array([viewers[k].heading[1] for k in looking]), rex.x, rex.y,
                       np.array([reach[k] for k in looking]), math.radians(t.vision_half_angle))
        for k, inside in zip(looking, cone.tolist(), strict=True):
            seeing[k] = inside
    rx, ry = rex.cell
    cover = t.cover_detection if world.stage.cover[ry, rx] else 1.0
    dt = VISION_EVERY / hz
    police.seen_by_rex = [(viewers[k].x, viewers[k].y) for k in near
                          if clear[k] and distance[k] <= notice[k]]
    if world.handler.roadblocks:
        police.seen_by_rex += handler_mod.roadblocks_in_sight(world)
    d = police.dispatcher
    fall = dt * t.detect_fall
    # Who sees for each viewer: an officer on foot for himself, a car's first crewman for it.
    crews = walkers + [police.officers[car.crew[0]] for car in cars]
    for k, crew in enumerate(crews):
        if not seeing[k]:  # (most viewers) the meter falls and he does not see Rex
            if crew.meter:  # (at 0 it stays there: the fall is not negative)
                crew.meter = max(0.0, crew.meter - fall)
            crew.sees = False
            continue
        closeness = max(0.2, 1.0 - distance[k] / max(reach[k], 1e-6))
        crew.meter = min(1.0, crew.meter + dt / t.detect_seconds * closeness * cover * light)
        crew.sees = crew.meter >= 1.0
        if crew.sees:
            _know(world, rex.x, rex.y)
            d.last_sighting_tick = world.tick
            fresh = world.tick - crew.seen_tick > t.sighting_gap * hz
            crew.seen_tick = world.tick
            if fresh:
                police.counts["sightings"] += 1
                events.append(ev.Sighting(world.tick, crew.id, rex.x, rex.y))
                if d.phase in (STANDBY, SEARCH):
                    set_phase(world, PURSUIT, events)
                    radio(world, events, f"Unit {crew.id + 1}",
                          f"Visual on the K9 near the {_zone_name(world, rex.x, rex.y)}!")
                    radio(world, events, "Dispatch", f"All units, converge on unit "
                                                     f"{crew.id + 1}'s position.")


# -- units ------------------------------------------------------------------------------------


def _shared(world: World, name: str, mover: str, target: tuple[int, int]) -> SharedField:
    """The named shared field toward ``target``, recomputed only once the target has moved
    ``refield_cells`` away from where it was computed (far units do not care; near ones
    steer straight at him)."""
    police = world.police
    current = police.shared.get(name)
    if current is not None:
        moved = max(abs(current.target[0] - target[0]), abs(current.target[1] - target[1]))
        if moved < world.tuning.refield_cells or world.tick - current.tick < REFIELD_TICKS:
            return current
    values = world.stage.route_field(mover, target)  # kept: he comes back to places
    current = SharedField(target, values, world.tick)
    police.shared[name] = current
    police.fields[name] = values
    return current


def _assign_search(world: World) -> None:
    """Send searching units to likely blocks, spread apart.

    Orders stick: a unit keeps its block until it gets there or the block holds far less of
    the belief than the best one left (every new destination costs a distance field).
    """
    police, stage = world.police, world.stage
    d = police.dispatcher
    if d.belief is None:
        return
    blocks = stage.blocks
    weights = blocks.totals(d.belief)
    units: list[Officer | Car] = [o for o in police.officers if o.state == OFFICER_SEARCH]
    units += [c for c in police.cars if c.crew and not c.parked
              and not _handled(world, c)]
    best_weight = float(weights.max()) if len(weights) else 0.0
    for unit in units:
        if unit.route is not None:
            index = blocks.index_of(unit.route)
            arrived = max(abs(unit.cell[0] - unit.route[0]), abs(unit.cell[1] - unit.route[1]))
            if arrived > 2 and weights[index] >= 0.25 * best_weight:
                _spread_out(blocks, weights, index)
                continue
        options = blocks.road if isinstance(unit, Car) else blocks.foot
        # The blocks that hold any belief, in the blocks' order (ties go to the first).
        indices = blocks.road_indices if isinstance(unit, Car) else blocks.foot_indices
        live = indices[~(weights[indices] <= 1e-6)]
        best, best_score = None, 0.0
        ux, uy, centres = unit.x, unit.y, blocks.centres
        # (weights as Python floats: the same float64 arithmetic, without numpy's scalars)
        for index, weight in zip(live.tolist(), weights[live].tolist(), strict=True):
            cx, cy = centres[index]
            score = weight / (1.0 + math.hypot(cx - ux, cy - uy) / 40.0)
            if score > best_score:
                best, best_score = index, score
        if best is None:
            continue
        unit.route = options[best]
        _spread_out(blocks, weights, best)


def _spread_out(blocks: SearchBlocks, weights: np.ndarray, index: int) -> None:
    """The blocks around one taken matter less to the next unit, so units spread apart."""
    bx, by = index % blocks.cols, index // blocks.cols
    for oy in range(-2, 3):
        for ox in range(-2, 3):
            nx, ny = bx + ox, by + oy
            if 0 <= nx < blocks.cols and 0 <= ny < blocks.rows:
                weights[ny * blocks.cols + nx] *= 0.3


ROUTE_MARGIN = 16  # tiles around a unit and its destination that its route may use
WIDE_ROUTE_MARGIN = 64  # ...and on a large map, when the way leaves that box
LARGE_MAP_CELLS = 32_768  # maps of more cells than this are large (lakeside has 24,576)
CLUSTER_NEAR = 48  # tiles from its block within which a unit on a large map heads for it


def _route_values(world: World, unit: Officer | Car, mover: str) -> WindowField | None:
    """The unit's field toward its route's end: computed over the box around the two when
    it is given a new destination (a few times cheaper than the whole map), the whole map's
    when the way leaves that box (on a large map, a wider box's before the whole map's).
    On a large map a unit far from its block heads for the block's cluster instead."""
    if unit.route is None:
        return None
    police, stage = world.police, world.stage
    key = (type(unit).__name__, unit.id)
    cost = world.level.cost[mover]
    goal = unit.route
    large = cost.size > LARGE_MAP_CELLS
    if large and max(abs(goal[0] - unit.cell[0]), abs(goal[1] - unit.cell[1])) > CLUSTER_NEAR:
        # Far from its block on a large map, a unit heads for the block's cluster: one
        # whole-map field per cluster, kept by the stage and shared by every unit (and game)
        # going that way, however often the search moves its block inside the cluster.
        goal = stage.blocks.cluster_cell(goal, stage.blocks.road if isinstance(unit, Car)
                                         else stage.blocks.foot)
    known = police.routes.get(key)
    if known is not None and known[0] == goal:
        return known[1]
    if goal != unit.route:
        whole = WindowField(0, 0, stage.route_field(mover, goal))
        police.routes[key] = (goal, whole)
        return whole
    boxes = partial(stage.box_field, mover)
    field = window_route(cost, goal, unit.cell, ROUTE_MARGIN, boxes)
    if field is None and large:
        # On a large map the whole map's field costs tens of times the box's: a wider box
        # first (the shipped maps, under LARGE_MAP_CELLS, go straight to the whole map).
        field = window_route(cost, goal, unit.cell, WIDE_ROUTE_MARGIN, boxes)
    if field is None:
        field = WindowField(0, 0, stage.route_field(mover, goal))
    police.routes[key] = (goal, field)
    return field


def _perimeter_slots(world: World) -> None:
    """Spread positions on a ring around Rex, one per officer, on cells they can reach."""
    police, t = world.police, world.tuning
    d = police.dispatcher
    if d.last_known is None:
        return
    rx, ry = d.last_known
    walkers = [o for o in police.officers if o.car is None and o.state == OFFICER_PERIMETER]
    if not walkers:
        return
    reach = police.shared.get("pursuit")
    start = math.atan2(world.mila.y - ry, world.mila.x - rx) + math.pi / len(walkers)
    angles = sorted(walkers, key=lambda o: math.atan2(o.y - ry, o.x - rx))
    slots = {}
    for k, officer in enumerate(angles):
        angle = start + 2 * math.pi * k / len(walkers)
        slots[officer.id] = _ring_cell(world, rx, ry, angle, t.perimeter_radius,
                                       None if reach is None else reach.values)
    police.slots = {k: v for k, v in slots.items() if v is not None}
    for officer in walkers:
        officer.idle_until = 0


def _ring_cell(world: World, rx: float, ry: float, angle: float, radius: float,
               reachable: np.ndarray | None) -> tuple[int, int] | None:
    """A walkable, reachable cell near the ring point at ``angle``, searching around it."""
    walkable = world.stage.walkable
    for extra in (0.0, 0.5, -0.5, 1.0, -1.0, 1.5, -1.5, 2.0, 3.0):
        for turn in (0.0, 0.15, -0.15, 0.3, -0.3, 0.45, -0.45):
            x = math.floor(rx + (radius + extra) * math.cos(angle + turn))
            y = math.floor(ry + (radius + extra) * math.sin(angle + turn))
            if world.level.inside(x, y) and walkable[y, x] and (
                    reachable is None or math.isfinite(reachable[y, x])):
                return x, y
    return None


IDLE_TICKS = 10


def _move_officers(world: World, officers: list[Officer], taken: set[tuple[int, int]]) -> None:
    """Each officer on foot one tick along his stride, choosing the next cell at its end."""
    tick = world.tick
    for officer in officers:
        if officer.car is not None:
            continue
        stride = officer.stride
        if stride is None:
            if tick < officer.idle_until:
                continue
            _next_cell(world, officer, taken)
            stride = officer.stride
            if stride is None:
                officer.idle_until = tick + IDLE_TICKS
                continue
        # Stride.advance written out: most officers are mid-stride on most ticks.
        stride.steps -= 1
        if stride.steps <= 0:
            officer.x, officer.y = stride.gx, stride.gy
            officer.stride = None
        else:
            officer.x += stride.vx
            officer.y += stride.vy


def _next_cell(world: World, officer: Officer, taken: set[tuple[int, int]]) -> None:
    """Where an officer on foot goes next, by his state: one cell at a time."""
    state = officer.state
    if state == OFFICER_STANDBY:
        return  # waits for the search to start
    t, stage, rex = world.tuning, world.stage, world.rex
    police = world.police
    moves = stage.moves["foot"]
    x, y = officer.cell
    step = None
    if state == OFFICER_PURSUIT:
        if officer.sees and math.hypot(rex.x - officer.x, rex.y - officer.y) < CHASE_DIRECT:
            step = _toward_point(moves, x, y, rex.x, rex.y, taken)
        elif "pursuit" in police.shared:
            step = _downhill(police.shared["pursuit"].values, moves, x, y, taken)
    elif state == OFFICER_PERIMETER:
        slot = police.slots.get(officer.id)
        if slot is not None and (x, y) != slot:
            officer.route = slot
            values = _route_values(world, officer, "foot")
            if values is not None:
                step = _downhill(values, moves, x, y, taken)
        elif slot is None and "pursuit" in police.shared and math.hypot(
                rex.x - officer.x, rex.y - officer.y) > t.perimeter_radius + 1:
            # No place on the ring (walls, the map's edge): close in to its radius and hold.
            step = _downhill(police.shared["pursuit"].values, moves, x, y, taken)
        if step is None:  # at his place: face Rex, gun up
            face(officer, rex.x, rex.y)
    elif state == OFFICER_SEARCH:
        values = _route_values(world, officer, "foot")
        if values is not None:
            step = _downhill(values, moves, x, y, taken)
        if step is None:  # at the block: look around
            angle = math.atan2(officer.heading[1], officer.heading[0]) + 0.9
            officer.heading = (math.cos(angle), math.sin(angle))
    elif state == OFFICER_STAND_DOWN:
        face(officer, rex.x, rex.y)
    elif state == OFFICER_ORDERED:
        step = _ordered_step(world, officer, taken)
    if step is None:
        return
    running = state in (OFFICER_PURSUIT, OFFICER_PERIMETER, OFFICER_ORDERED)
    speed = (t.officer_run_speed if running else t.officer_walk_speed) * float(
        stage.speed["foot"][y, x]) / world.tick_hz
    cell = (x + step[0], y + step[1])
    officer.stride = Stride.into(officer.x, officer.y, cell, speed)
    officer.heading = officer.stride.heading() or officer.heading
    taken.add(cell)


def _ordered_step(world: World, officer: Officer, taken: set[tuple[int, int]]
                  ) -> tuple[int, int] | None:
    """An officer the Handler sent somewhere walks there, then holds it and looks round."""
    rex = world.rex
    target = world.handler.unit_orders.get(officer.id)
    x, y = officer.cell
    place = None if target is None else _walkable_near(world, *target)
    if place is not None and (x, y) != place:
        officer.route = place
        values = _route_values(world, officer, "foot")
        if values is not None:
            step = _downhill(values, world.stage.moves["foot"], x, y, taken)
            if step is not None:
                return step
    if officer.sees:
        face(officer, rex.x, rex.y)
    else:
        angle = math.atan2(officer.heading[1], officer.heading[0]) + 0.9
        officer.heading = (math.cos(angle), math.sin(angle))
    return None


def _crew_orders(world: World, car: Car) -> tuple[int, int] | None:
    """Where the Handler sent the first of a car's crew who has an order (None: nobody)."""
    orders = world.handler.unit_orders
    return next((orders[o] for o in car.crew if o in orders), None)


def _handled(world: World, car: Car) -> bool:
    """A car the Handler has taken: a roadblock, or one carrying officers he sent."""
    return car.id in world.handler.roadblocks or _crew_orders(world, car) is not None


# The offsets _walkable_near tries, ring by ring out to 5 cells, each ring row by row.
RING_OFFSETS = tuple((dx, dy) for radius in range(6) for dy in range(-radius, radius + 1)
                     for dx in range(-radius, radius + 1) if max(abs(dx), abs(dy)) == radius)


def _walkable_near(world: World, x: int, y: int) -> tuple[int, int] | None:
    """The walkable cell nearest (x, y): Rex may stand where officers cannot (a hedge)."""
    walkable = world.stage.walkable
    inside = world.level.inside
    for dx, dy in RING_OFFSETS:
        if inside(x + dx, y + dy) and walkable[y + dy, x + dx]:
            return x + dx, y + dy
    return None


def _toward_point(moves: np.ndarray, x: int, y: int, tx: float, ty: float,
                  taken: set[tuple[int, int]]) -> tuple[int, int] | None:
    best, best_gap = None, math.hypot(tx - x - 0.5, ty - y - 0.5)
    for dx, dy, _ in STEP_SETS[moves[y, x]]:
        if (x + dx, y + dy) not in taken:
            gap = math.hypot(tx - (x + dx + 0.5), ty - (y + dy + 0.5))
            if gap < best_gap - 0.05:
                best, best_gap = (dx, dy), gap
    return best


def _move_car(world: World, car: Car, events: list[ev.Event]) -> None:
    if car.parked or not car.crew:
        return
    if car.stride is None:
        x, y = car.cell
        if car.route is not None and (x, y) != car.route:
            values = _route_values(world, car, "car")
            step = None if values is None else _downhill(values, world.stage.moves["car"], x,
                                                         y, set())
            if step is not None and not handler_mod.car_may_enter(
                    world, car.id, (x + step[0], y + step[1])):
                _deploy(world, car, events)  # a roadblock ahead: the crew goes on foot
                return
            if step is not None:
                car.stride = Stride.into(car.x, car.y, (x + step[0], y + step[1]),
                                         world.tuning.car_speed / world.tick_hz)
                car.heading = car.stride.heading() or car.heading
        elif car.id in world.handler.roadblocks and (x, y) == car.route:
            _deploy(world, car, events)  # parked across the road, the crew out beside it
            handler_mod.roadblock_parked(world, car.id, events)
            return
        elif car.route is not None and car.id not in world.handler.roadblocks and (
                world.police.phase in (PURSUIT, CONTAINMENT) or _handled(world, car)):
            _deploy(world, car, events)
            return
    if car.stride is not None:
        if car.stride.advance(car):
            car.stride = None
        for officer_id in car.crew:
            officer = world.police.officers[officer_id]
            officer.x, officer.y, officer.heading = car.x, car.y, car.heading


def _deploy(world: World, car: Car, events: list[ev.Event]) -> None:
    """The car stops at the road's edge and its crew gets out onto the nearest walkable cell."""
    car.parked = True
    x, y = car.cell
    exits = [(x + dx, y + dy) for dx, dy in STEPS
             if world.level.inside(x + dx, y + dy) and world.stage.walkable[y + dy, x + dx]
             and not world.stage.road[y + dy, x + dx]] or [(x, y)]
    state = (OFFICER_PERIMETER if world.police.phase == CONTAINMENT
             else OFFICER_PURSUIT)
    for k, officer_id in enumerate(car.crew):
        officer = world.police.officers[officer_id]
        ex, ey = exits[k % len(exits)]
        officer.car = None
        officer.x, officer.y = ex + 0.5, ey + 0.5
        set_officer_state(officer, state)
        officer.vision_range = world.tuning.vision_range
    car.crew = []
    events.append(ev.CarDeployed(world.tick, car.id, car.x, car.y))


def _orders(world: World, events: list[ev.Event]) -> None:
    """Turn the phase into every unit's state, routes and cars' destinations."""
    police, t, stage = world.police, world.tuning, world.stage
    d = police.dispatcher
    phase = d.phase
    wanted = OFFICER_STATE[phase]
    raised = phase in (PURSUIT, CONTAINMENT)
    desk = world.handler
    orders, postures = desk.unit_orders, desk.postures
    for officer in police.officers:
        if officer.car is not None:
            continue
        state = OFFICER_ORDERED if orders and officer.id in orders else wanted
        if officer.state != state:
            set_officer_state(officer, state)
            officer.route = None
            officer.idle_until = 0
        officer.gun_raised = raised and not (postures and desk.holds_fire(officer.id))
    for car in police.cars if world.handler.unit_orders else ():
        sent_to = _crew_orders(world, car)
        if sent_to is not None and car.crew and not car.parked:
            road = stage.road_near(sent_to)
            if road is not None and car.route != road:
                car.route = road
    for car in police.cars:
        # Sirens while driving to him; a car parked at the scene keeps its lights, not its
        # siren (the view flashes the light bar of every car out on a call).
        car.siren_on = phase in (PURSUIT, CONTAINMENT) and not car.parked
    if phase == SEARCH and world.tick >= d.next_assign:
        d.next_assign = world.tick + int(t.search_assign_seconds * world.tick_hz)
        _assign_search(world)
    if phase in (PURSUIT, CONTAINMENT) and d.last_known is not None:
        target = _walkable_near(world, math.floor(d.last_known[0]),
                                math.floor(d.last_known[1]))
        if target is not None:
            _shared(world, "pursuit", "foot", target)
        road = None if target is None else stage.road_near(target)
        for car in police.cars:
            if not car.crew or car.parked or _handled(world, car):
                continue
            close = math.hypot(car.x - d.last_known[0], car.y - d.last_known[1])
            if phase == CONTAINMENT or close <= t.car_drop_distance or road is None:
                if road is not None and close > t.car_drop_distance and car.route != road:
                    car.route = road  # drive to the road nearest him, then get out
                elif car.stride is None:
                    _deploy(world, car, events)
            elif car.route != road:
                car.route = road
    if phase == CONTAINMENT and d.last_known is not None:
        centre = (math.floor(d.last_known[0]), math.floor(d.last_known[1]))
        walkers = frozenset([o.id for o in police.officers
                             if o.car is None and o.state == OFFICER_PERIMETER])
        moved = police.slots_around is None or max(
            abs(centre[0] - police.slots_around[0]), abs(centre[1] - police.slots_around[1])) >= 3
        if moved or police.slots_for != walkers:
            _perimeter_slots(world)
            police.slots_around, police.slots_for = centre, frozenset(walkers)


# -- shooting and catching --------------------------------------------------------------------


def _clear_line(world: World, officer: Officer) -> bool:
    """No one (Mila, a passer-by) stands within a step of the line from the gun to Rex."""
    rex = world.rex
    people = [(world.mila.x, world.mila.y)]
    people += [(c.x, c.y) for c in world.crowd.civilians if c.active]
    ax, ay, bx, by = officer.x, officer.y, rex.x, rex.y
    length2 = (bx - ax) ** 2 + (by - ay) ** 2
    for px, py in people:
        along = ((px - ax) * (bx - ax) + (py - ay) * (by - ay)) / max(length2, 1e-9)
        if 0.0 < along < 1.0 + BEHIND_TARGET / max(math.sqrt(length2), 1e-9):
            cx, cy = ax + along * (bx - ax), ay + along * (by - ay)
            if math.hypot(px - cx, py - cy) < LINE_OF_FIRE:
                return False
    return True


def _wants_to_fire(world: World, officer: Officer) -> bool:
    t, rex = world.tuning, world.rex
    phase = world.police.phase
    if phase == PURSUIT:
        return t.pursuit_fire and rex.state not in (WARY, CALMING,
                                                    BONDED)
    if phase == CONTAINMENT:
        waited = (world.tick - world.police.dispatcher.phase_tick) / world.tick_hz
        return (rex.stress >= t.fire_stress or rex.state == CORNERED
                or waited >= t.containment_patience)
    return False


def _shoot(world: World, events: list[ev.Event]) -> None:
    police, t, rex = world.police, world.tuning, world.rex
    dt = VISION_EVERY / world.tick_hz
    for officer in police.officers:
        if officer.car is not None or (officer.aim is None and not (
                officer.sees and officer.gun_raised)):
            continue  # (most officers: no aim to hold and none to start)
        distance = math.hypot(rex.x - officer.x, rex.y - officer.y)
        # Nobody aims a dart rifle on the run: only an officer standing at his place can.
        in_reach = officer.sees and distance <= t.tranq_range and officer.stride is None
        if officer.aim is not None:
            if police.phase == STAND_DOWN or not officer.gun_raised:
                officer.aim = None
                events.append(ev.AimCancelled(world.tick, officer.id, "hold fire" if (
                    world.handler.holds_fire(officer.id)) else "stand down"))
                continue
            if not in_reach:
                officer.aim = None
                events.append(ev.AimCancelled(world.tick, officer.id, "lost sight"))
                continue
            officer.aim.target_x, officer.aim.target_y = rex.x, rex.y
            face(officer, rex.x, rex.y)
            if not _clear_line(world, officer):
                continue  # holds the aim, does not fire through people
            officer.aim.progress = min(1.0, officer.aim.progress + dt / t.aim_seconds)
            if officer.aim.progress >= 1.0:
                _fire(world, officer, distance, events)
                if world.ending is not None:
                    return
        elif (officer.gun_raised and in_reach and world.tick >= officer.reload_until
              and police.phase not in (STAND_DOWN, STANDBY) and _wants_to_fire(world,
                                                                                   officer)):
            officer.aim = Aim(rex.x, rex.y)
            police.counts["aims"] += 1
            events.append(ev.AimStarted(world.tick, officer.id, officer.x, officer.y))


def _fire(world: World, officer: Officer, distance: float, events: list[ev.Event]) -> None:
    t, rex = world.tuning, world.rex
    officer.aim = None
    officer.reload_until = world.tick + int(t.reload_seconds * world.tick_hz)
    moving = rex.state in (ESCAPING, EVADING) and rex.leap is None
    chance = t.tranq_accuracy * (1.0 - 0.5 * distance / t.tranq_range) * (
        t.moving_accuracy if moving else 1.0)
    hit = bool(world.rng.random() < chance)
    world.police.counts["shots"] += 1
    events.append(ev.ShotFired(world.tick, officer.id, officer.x, officer.y, hit))
    radio(world, events, f"Unit {officer.id + 1}", "Shot fired!")
    if hit:
        world.end("tranquilized", f"unit {officer.id + 1}'s dart hit Rex", events)
    else:
        rex.stress = min(1.0, rex.stress + t.miss_stress)


def _catch(world: World, events: list[ev.Event]) -> None:
    """Officers who reach a cornered or exhausted Rex before he bonds take him back (in
    containment only those the Handler sent in)."""
    rex, t = world.rex, world.tuning
    if world.police.phase == STAND_DOWN or rex.state == BONDED:
        return
    cornered_for = (world.tick - rex.cornered_tick) / world.tick_hz
    if not (rex.state == CORNERED and cornered_for >= t.catch_after) and not rex.exhausted:
        return
    # The perimeter holds its distance and nobody closes in, unless the command center sends
    # officers in (the Handler's move orders): those may take a cornered dog.
    sent_in = world.handler.unit_orders if world.police.phase == CONTAINMENT else None
    for officer in world.police.officers:
        if sent_in is not None and officer.id not in sent_in:
            continue
        if officer.car is None and math.hypot(rex.x - officer.x,
                                              rex.y - officer.y) <= t.catch_radius:
            events.append(ev.Caught(world.tick, officer.id))
            radio(world, events, f"Unit {officer.id + 1}", "We've got him. Bringing the K9 "
                                                           "back to the kennel.")
            world.end("kennel", f"unit {officer.id + 1} caught Rex", events)
            return


# -- the tick ---------------------------------------------------------------------------------


def route_ahead(police: PoliceForce, officer: Officer, length: int = 24
                ) -> list[tuple[int, int]]:
    """The next cells of an officer's route, for the debug overlay."""
    values = _field_for(police, officer)
    if values is None:
        return []
    cells, (x, y) = [], officer.cell
    for _ in range(length):
        step = _downhill(values, None, x, y, set())
        if step is None:
            break
        x, y = x + step[0], y + step[1]
        cells.append((x, y))
    return cells


def _field_for(police: PoliceForce, officer: Officer) -> np.ndarray | WindowField | None:
    if officer.state == OFFICER_PURSUIT and "pursuit" in police.shared:
        return police.shared["pursuit"].values
    known = police.routes.get(("Officer", officer.id))
    return None if known is None else known[1]


def update(world: World, events: list[ev.Event]) -> None:
    if not world.police.on:
        return
    _dispatch(world, events)
    if world.police.phase == CONTAINMENT and world.police.counts["shots"] == 0:
        world.police.tension_ticks += 1
    if world.tick % VISION_EVERY == 0:
        _watch(world, events)
    _orders(world, events)
    # Cells officers stand on or are stepping into: the others go round them.
    officers = world.police.officers
    floor = math.floor
    taken = set()
    for o in officers:
        if o.stride is not None:
            taken.add((floor(o.stride.gx), floor(o.stride.gy)))
        if o.car is None:
            taken.add((floor(o.x), floor(o.y)))
    _move_officers(world, officers, taken)
    for car in world.police.cars:
        _move_car(world, car, events)
    if world.tick % VISION_EVERY == 0:
        _shoot(world, events)
        if world.ending is None:
            _catch(world, events)


def stand_down(world: World, events: list[ev.Event]) -> None:
    """Dylan's order: guns down, no shot from now on."""
    police = world.police
    for officer in police.officers:
        if officer.aim is not None:
            officer.aim = None
            events.append(ev.AimCancelled(world.tick, officer.id, "stand down"))
        officer.gun_raised = False
    set_phase(world, STAND_DOWN, events)
