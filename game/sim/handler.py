"""The Handler's desk: Dylan's orders from the command center, carried by radio to the units.

When Dylan is played (the Handler role), each tick brings a ``HandlerCommands`` value beside
Mila's ``Commands``: a tuple of orders. Orders to units (move to a cell, hold fire or cleared,
a roadblock, a cordon, the loudspeaker) reach them ``handler_radio_delay`` seconds later, and
officers then walk or drive there; Dylan's own orders (where he goes, "Lower your weapons") are
his, and act at once. Units without an order keep following the dispatcher, so an empty desk
plays the chase the dispatcher would play alone.

What the orders change: an ordered officer goes to his cell and holds it (until released); a
unit on hold-fire never aims; a roadblock is a car parked across the road, which other cars
cannot pass, Rex shies from as from an officer and passers-by walk round; a cordon is a
rectangle passers-by are led out of and kept out of; the loudspeaker's calm message lowers
the panic of those who hear it and, if he hears it, Rex's stress for a while, and its warning
sends people in faster but raises his stress. ``checked`` refuses anything a driver hands over
that the desk cannot carry out (``CommandError``). In the Mila game the desk exists but is
inactive: nothing here runs and nothing of it enters the state hash.
"""

from __future__ import annotations

import math
import numbers
from typing import TYPE_CHECKING, Any

import numpy as np

from game.sim import events as ev
from game.sim.commands import CommandError, describe
from game.sim.orders import (
    HOLD_FIRE,
    KINDS,
    MESSAGES,
    NO_ORDERS,
    POSTURES,
    Cordon,
    DylanTo,
    HandlerCommands,
    Loudspeaker,
    LowerWeapons,
    MoveUnits,
    Order,
    Roadblock,
    SetPosture,
)
from game.sim.states import OFFICER_MOVES, CivilianState, DylanState, OfficerState, check

if TYPE_CHECKING:
    from game.sim.world import World

ROADBLOCK_REACH = 1  # road cells within this many steps of the parked car are blocked
PA_RADIUS = 10.0  # tiles a car's or Dylan's loudhailer carries
CLEAR_EVERY = 15  # ticks between walking filmers out of the cordon
MAX_ORDERS = 64  # orders in one tick's HandlerCommands
MAX_UNITS = 1000  # unit ids in one order


# -- checking what a driver hands over ---------------------------------------------------------


def _whole(value: Any, what: str, low: int, high: int) -> int:
    if isinstance(value, bool | np.bool_) or not isinstance(value, numbers.Integral):
        raise CommandError(f"{what} is {describe(value)}, not a whole number")
    whole = int(value)
    if not low <= whole <= high:
        raise CommandError(f"{what} {whole} is not {low} to {high}")
    return whole


def _cell(world: World, value: Any, what: str) -> tuple[int, int]:
    if not isinstance(value, tuple | list) or len(value) != 2:
        raise CommandError(f"{what} is {describe(value)}, not an (x, y) cell")
    return (_whole(value[0], f"{what} x", 0, world.level.width - 1),
            _whole(value[1], f"{what} y", 0, world.level.height - 1))


def _units(world: World, value: Any) -> tuple[int, ...]:
    count = len(world.police.officers)
    if not isinstance(value, tuple | list) or len(value) > MAX_UNITS:
        raise CommandError(f"units is {describe(value)}, not a tuple of officer ids")
    return tuple(sorted(dict.fromkeys(_whole(u, "unit", 0, count - 1) for u in value)))


def _checked_order(world: World, order: Any) -> Order:
    """One order as the desk carries it out, or CommandError."""
    match order:
        case MoveUnits():
            return MoveUnits(_units(world, order.units), None if order.cell is None
                             else _cell(world, order.cell, "move cell"))
        case SetPosture():
            if order.posture not in POSTURES:
                raise CommandError(f"posture is {describe(order.posture)}, not one of "
                                   f"{', '.join(POSTURES)}")
            return SetPosture(_units(world, order.units), order.posture)
        case Roadblock():
            cars = len(world.police.cars)
            cell = _cell(world, order.cell, "roadblock cell")
            if not (world.stage.road[cell[1], cell[0]] and world.stage.drivable[cell[1], cell[0]]):
                raise CommandError(f"roadblock cell {cell} is not a road")
            return Roadblock(_whole(order.car, "car", 0, cars - 1), cell)
        case Cordon():
            if order.area is None:
                return order
            if not isinstance(order.area, tuple | list) or len(order.area) != 4:
                raise CommandError(f"cordon area is {describe(order.area)}, not (x0, y0, "
                                   "x1, y1)")
            x0, y0 = _cell(world, order.area[:2], "cordon corner")
            x1, y1 = _cell(world, order.area[2:], "cordon corner")
            return Cordon((min(x0, x1), min(y0, y1), max(x0, x1), max(y0, y1)))
        case Loudspeaker():
            if order.message not in MESSAGES:
                raise CommandError(f"loudspeaker message is {describe(order.message)}, not "
                                   "calm or warning")
            return order
        case DylanTo():
            return DylanTo(_cell(world, order.cell, "Dylan's cell"))
        case LowerWeapons():
            return order
    raise CommandError(f"order {describe(order)} is not a handler order")


def checked(world: World, commands: object) -> HandlerCommands:
    """``commands`` as the desk carries them out (typed, on the map, naming real units), or
    CommandError saying what is wrong."""
    if not isinstance(commands, HandlerCommands):
        raise CommandError(f"returned {describe(commands)}, not HandlerCommands")
    if not isinstance(commands.orders, tuple | list):
        raise CommandError(f"orders is {describe(commands.orders)}, not a tuple")
    if len(commands.orders) > MAX_ORDERS:
        raise CommandError(f"{len(commands.orders)} orders in one tick (at most {MAX_ORDERS})")
    if not commands.orders:
        return NO_ORDERS
    return HandlerCommands(tuple(_checked_order(world, o) for o in commands.orders))


# -- orders as JSON (replays) ------------------------------------------------------------------


# -- the desk ----------------------------------------------------------------------------------


def receive(world: World, commands: HandlerCommands, events: list[ev.Event]) -> None:
    """This tick's orders: Dylan's own at once, the rest onto the radio."""
    desk = world.handler
    if not commands.orders:
        return
    if not desk.active:
        raise ValueError("handler orders given in a game without the Handler role")
    delay = round(world.tuning.handler_radio_delay * world.tick_hz)
    for order in commands.orders:
        match order:
            case DylanTo():
                desk.has_dylan, desk.dylan_target = True, order.cell
                desk.counts["dylan"] += 1
                world.dylan.stride = None
                if world.dylan.state in (DylanState.COMMAND_CENTER, DylanState.ARRIVED):
                    world.dylan.set_state(DylanState.RUNNING)
            case LowerWeapons():
                desk.lower_weapons = True  # Dylan says it himself, this tick, if he may
            case Loudspeaker() if world.tick < desk.loudspeaker_ready:
                desk.counts["refused"] += 1  # still speaking, or the last message is on air
            case Loudspeaker():
                desk.loudspeaker_ready = world.tick + delay + round(
                    world.tuning.loudspeaker_cooldown * world.tick_hz)
                desk.pending.append((world.tick + delay, order))
                events.append(ev.Radio(world.tick, "Command", _radio_text(world, order)))
            case _:
                desk.pending.append((world.tick + delay, order))
                events.append(ev.Radio(world.tick, "Command", _radio_text(world, order)))


def _radio_text(world: World, order: Order) -> str:
    match order:
        case MoveUnits(units, None):
            return f"{_names(units)}: resume the dispatcher's orders."
        case MoveUnits(units, (x, y)):
            return f"{_names(units)}: move to the {_place(world, (x, y))}, hold there."
        case SetPosture(units, posture):
            return f"{_names(units)}: " + ("hold your fire." if posture == HOLD_FIRE
                                           else "you are cleared to fire if needed.")
        case Roadblock(car, cell):
            return f"Car {car + 1}: roadblock at the {_place(world, cell)}."
        case Cordon(None):
            return "Lift the cordon."
        case Cordon((x0, y0, x1, y1)):
            middle = ((x0 + x1) / 2, (y0 + y1) / 2)
            return f"Cordon off the {_place(world, middle)}; clear the civilians out."
        case Loudspeaker("calm"):
            return "Loudspeakers: calm message."
    return "Loudspeakers: warning message."


def _names(units: tuple[int, ...]) -> str:
    if not units:
        return "Nobody"
    if len(units) > 3:
        return f"Units {', '.join(str(u + 1) for u in units[:3])} and {len(units) - 3} more"
    return ("Unit " if len(units) == 1 else "Units ") + ", ".join(str(u + 1) for u in units)


def _place(world: World, cell: tuple[float, float]) -> str:
    x, y = math.floor(cell[0]), math.floor(cell[1])
    return (world.level.zone_at(x, y) if world.level.inside(x, y) else None) or "town"


def deliver(world: World, events: list[ev.Event]) -> None:
    """Orders whose radio delay has passed reach the units; the loudspeaker's calm acts."""
    desk = world.handler
    if not desk.active:
        return
    due = [order for tick, order in desk.pending if tick <= world.tick]
    if due:
        desk.pending = [(tick, order) for tick, order in desk.pending if tick > world.tick]
    for order in due:
        _carry_out(world, order, events)
    if world.tick % CLEAR_EVERY == 0:
        clear_cordon(world)
    if desk.calm_until > world.tick:
        rex = world.rex
        rex.stress = max(0.0, rex.stress - world.tuning.loudspeaker_calm_rate / world.tick_hz)


def _carry_out(world: World, order: Order, events: list[ev.Event]) -> None:
    desk, police = world.handler, world.police
    desk.counts[KINDS[type(order)]] += 1
    match order:
        case MoveUnits(units, cell):
            for unit in units:
                if cell is None:
                    desk.unit_orders.pop(unit, None)
                else:
                    desk.unit_orders[unit] = cell
                officer = police.officers[unit]
                officer.route, officer.idle_until = None, 0
                if officer.car is None and cell is None and officer.state != OfficerState.ORDERED:
                    # The dispatcher's next orders replace this (police.set_officer_state's
                    # check, here: the police module imports this one).
                    check(OFFICER_MOVES, officer.state, OfficerState.ORDERED)
                    officer.state = OfficerState.ORDERED
        case SetPosture(units, posture):
            for unit in units:
                desk.postures[unit] = posture
                if posture == HOLD_FIRE:
                    police.officers[unit].gun_raised = False
        case Roadblock(car, cell):
            vehicle = police.cars[car]
            if vehicle.parked or not vehicle.crew:
                desk.counts["refused"] += 1
                events.append(ev.Radio(world.tick, f"Car {car + 1}", "Negative, we're out of "
                                                                     "the car."))
                return
            desk.roadblocks[car] = cell
            vehicle.route = cell
        case Cordon(area):
            desk.cordon = area
            if world.crowd.on:
                desk.counts["led_out"] += sum(1 for c in world.crowd.walking
                                              if desk.in_cordon(*c.cell))
        case Loudspeaker(message):
            _speak(world, message, events)


def _speak(world: World, message: str, events: list[ev.Event]) -> None:
    desk, t, rex = world.handler, world.tuning, world.rex
    desk.owns_loudspeaker = True
    sources = speakers(world)
    hears = any(math.hypot(rex.x - x, rex.y - y) <= r for x, y, r in sources)
    if message == "calm":
        events.append(ev.Radio(world.tick, "Loudspeaker", "Please stay calm and stay back. "
                                                          "The dog is not dangerous. Let the "
                                                          "officers work."))
        for x, y, radius in sources:
            events.append(ev.CalmMessage(world.tick, x, y, radius))
        if world.crowd.on:
            for person in world.crowd.walking:
                if any(math.hypot(person.x - x, person.y - y) <= r for x, y, r in sources):
                    person.fear = max(0.0, person.fear - t.loudspeaker_calm)
        if hears:
            desk.calm_until = world.tick + round(t.loudspeaker_calm_seconds * world.tick_hz)
    else:
        events.append(ev.Radio(world.tick, "Loudspeaker", "Warning: a trained German Shepherd "
                                                          "K9 has escaped. Do not approach. "
                                                          "Stay indoors until further notice."))
        for x, y, radius in sources:
            events.append(ev.Announcement(world.tick, x, y, radius))
        world.broadcast_tick = world.tick  # the passers-by who hear it take fright
        if hears:
            rex.stress = min(1.0, rex.stress + t.loudspeaker_warning_stress)


def speakers(world: World) -> list[tuple[float, float, float]]:
    """Where the Handler's loudspeaker is heard: (x, y, radius) of the map's loudspeakers,
    every patrol car's loudhailer and Dylan's own once he has left the command center."""
    found = [(*o.centre, float(o.properties["radius"]))
             for o in world.level.of_kind("loudspeaker")]
    if world.police.on:
        found += [(c.x, c.y, PA_RADIUS) for c in world.police.cars]
    if world.dylan.state != DylanState.COMMAND_CENTER:
        found.append((world.dylan.x, world.dylan.y, PA_RADIUS))
    return found


def roadblock_parked(world: World, car_id: int, events: list[ev.Event]) -> None:
    """A roadblock car has parked across its road: the road cells round it are closed."""
    desk, police, road = world.handler, world.police, world.stage.road
    events.append(ev.Radio(world.tick, f"Car {car_id + 1}", "Roadblock in place."))
    cells = set(desk.blocked)
    cx, cy = police.cars[car_id].cell
    for dy in range(-ROADBLOCK_REACH, ROADBLOCK_REACH + 1):
        for dx in range(-ROADBLOCK_REACH, ROADBLOCK_REACH + 1):
            x, y = cx + dx, cy + dy
            if world.level.inside(x, y) and road[y, x]:
                cells.add((x, y))
    desk.blocked = frozenset(cells)


def listen(world: World, events: list[ev.Event]) -> None:
    """The tick's phone reports, kept a while for the command center's map."""
    desk = world.handler
    if not desk.active:
        return
    for event in events:
        if isinstance(event, ev.PhoneReport):
            desk.reports.append((event.tick, event.x, event.y, event.error))
    keep = world.tick - round(world.tuning.report_memory * world.tick_hz)
    if desk.reports and desk.reports[0][0] < keep:
        desk.reports = [r for r in desk.reports if r[0] >= keep]


def roadblocks_in_sight(world: World) -> list[tuple[float, float]]:
    """Parked roadblock cars close enough for Rex to shy from, as from an officer."""
    desk, police, rex = world.handler, world.police, world.rex
    return [(police.cars[c].x, police.cars[c].y) for c in desk.roadblocks
            if police.cars[c].parked and math.hypot(police.cars[c].x - rex.x,
                                                    police.cars[c].y - rex.y)
            <= world.tuning.rex_sight]


def car_may_enter(world: World, car_id: int, cell: tuple[int, int]) -> bool:
    """Cars cannot pass a roadblock (the roadblock's own car is in it)."""
    return cell not in world.handler.blocked or car_id in world.handler.roadblocks


# -- passers-by and the cordon -----------------------------------------------------------------


Step = tuple[int, int, int]  # dx, dy and the step's cost class (game.sim.motion.STEP_SETS)


def civilian_steps(world: World, steps: tuple[Step, ...], x: int, y: int
                   ) -> tuple[tuple[Step, ...], tuple[int, int] | None]:
    """A passer-by's allowed steps round roadblocks and the cordon, and, inside the cordon,
    the step that leads out of it soonest (None outside)."""
    desk = world.handler
    allowed = tuple(s for s in steps if (x + s[0], y + s[1]) not in desk.blocked)
    if desk.cordon is None:
        return allowed, None
    if desk.in_cordon(x, y):
        x0, y0, x1, y1 = desk.cordon
        def depth(cx: int, cy: int) -> int:
            return min(cx - x0, x1 - cx, cy - y0, y1 - cy)
        out = min(allowed, key=lambda s: (depth(x + s[0], y + s[1]), s[2]), default=None)
        return allowed, None if out is None else (out[0], out[1])
    return tuple(s for s in allowed if not desk.in_cordon(x + s[0], y + s[1])), None


def clear_cordon(world: World) -> None:
    """Filmers inside the cordon put their phones away and are walked out."""
    desk, crowd = world.handler, world.crowd
    if desk.cordon is None or not crowd.on:
        return
    for person in crowd.walking:
        if person.state == CivilianState.FILM and desk.in_cordon(*person.cell):
            person.set_state(CivilianState.WALK)
            person.phone_up = False


# -- Dylan under the Handler -------------------------------------------------------------------
