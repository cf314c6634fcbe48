"""Dylan Mercer, Rex's handler: from the command center to the scene, and the order that ends
the shooting.

He waits at the command center until the dispatcher's containment puts Rex near a civilian,
then runs to the scene along the police's shared field toward Rex's last known position. Once
within earshot of the perimeter, seeing Rex calm (calming or bonded) or shielding Mila, he
orders the stand-down: guns lowered, and no shot possible afterwards. When Dylan is played
(the Handler role) and the Handler has sent him somewhere, he goes only where he is sent and
gives the order only when told (game/sim/handler.py); until then he follows this routine.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np

from game.sim import events as ev
from game.sim import police as police_mod
from game.sim.agents import Dylan
from game.sim.fields import WindowField, window_route
from game.sim.motion import Stride, downhill, face
from game.sim.perception import line_of_sight
from game.sim.states import DylanState, Phase, RexState

if TYPE_CHECKING:
    from game.sim.world import World

CALM_STRESS = 0.5  # Rex's stress under which Dylan calls him calm
ROUTE_MARGIN = 16  # tiles round Dylan and his cell that his way there may use
STOP_SHORT = 4.0  # tiles from Rex where he stops, so as not to crowd him
# The states ``update`` reads on every tick, as module names: in Python 3.11 reading an enum
# member off its class (DylanState.DONE) costs about 0.2 us.
AT_DESK, RUNNING, ARRIVED, DONE = (DylanState.COMMAND_CENTER, DylanState.RUNNING,
                                   DylanState.ARRIVED, DylanState.DONE)
CONTAINMENT = Phase.CONTAINMENT


def sees_rex(world: World) -> bool:
    """Rex within Dylan's earshot and in his sight."""
    dylan, rex = world.dylan, world.rex
    return math.hypot(rex.x - dylan.x, rex.y - dylan.y) <= world.tuning.dylan_earshot and bool(
        line_of_sight(world.level.blocks_sight, np.array([dylan.x]), np.array([dylan.y]),
                      rex.x, rex.y)[0])


def may_order(world: World, sees: bool | None = None) -> tuple[bool, str]:
    """Whether "Lower your weapons" can be ordered now, and if not, what Dylan says.

    ``sees`` is ``sees_rex(world)`` when the caller has just asked it (it costs a line of
    sight); None, and it is asked here."""
    rex, police = world.rex, world.police
    if not police.on or police.phase == Phase.STAND_DOWN:
        return False, "They've already lowered them."
    if not (sees_rex(world) if sees is None else sees):
        return False, "I can't see him from here. Get me closer."
    calm = rex.state in (RexState.CALMING, RexState.BONDED) and rex.stress <= CALM_STRESS
    if not (calm or rex.shielding):
        return False, "Not yet. He's still too wound up."
    return True, ""


def order_stand_down(world: World, events: list[ev.Event]) -> None:
    """"Lower your weapons": the stand-down, and Dylan's part is done."""
    dylan = world.dylan
    events.append(ev.Speech(world.tick, "Dylan", "Lower your weapons. I repeat, lower "
                                                 "your weapons."))
    police_mod.stand_down(world, events)
    events.append(ev.StandDown(world.tick))
    dylan.set_state(DylanState.DONE)


def _asked(world: World, events: list[ev.Event]) -> None:
    """The Handler asked for "Lower your weapons": said now if Dylan may, else his reason."""
    desk = world.handler
    desk.lower_weapons = False
    ready, why = may_order(world)
    if ready:
        desk.counts["lower_weapons"] += 1
        order_stand_down(world, events)
    else:
        desk.counts["refused"] += 1
        events.append(ev.Radio(world.tick, "Dylan", why))


def update(world: World, events: list[ev.Event]) -> None:
    dylan, police, rex = world.dylan, world.police, world.rex
    if world.handler.lower_weapons:
        _asked(world, events)
    if dylan.state == DONE:
        return
    if world.handler.has_dylan:  # the Handler moves him and gives the order
        _go_where_sent(world)
        if dylan.stride is None and dylan.state != AT_DESK:
            face(dylan, rex.x, rex.y)
        return
    if dylan.state == AT_DESK:
        if police.phase == CONTAINMENT:
            dylan.set_state(RUNNING)
            events.append(ev.Radio(world.tick, "Dylan", "I'm going to him. Nobody fires."))
        return
    distance = math.hypot(rex.x - dylan.x, rex.y - dylan.y)
    in_earshot = sees_rex(world)
    if dylan.state == RUNNING and in_earshot:
        dylan.set_state(ARRIVED)
    if dylan.state == ARRIVED:
        face(dylan, rex.x, rex.y)
        if may_order(world, in_earshot)[0]:  # nobody has moved since he looked
            order_stand_down(world, events)
        if not in_earshot:
            dylan.set_state(RUNNING)
    if dylan.state == RUNNING or (dylan.state == ARRIVED and distance > STOP_SHORT * 2):
        _run(world, dylan)


def _run(world: World, dylan: Dylan) -> None:
    rex = world.rex
    if dylan.stride is None:
        shared = world.police.shared.get("pursuit")
        if shared is None or math.hypot(rex.x - dylan.x, rex.y - dylan.y) <= STOP_SHORT:
            return
        x, y = dylan.cell
        best = downhill(shared.values, world.stage.moves["foot"], x, y)
        if best is None:
            return
        _set_off(world, dylan, best)
    _walk(dylan)


def _set_off(world: World, dylan: Dylan, step: tuple[int, int]) -> None:
    """Dylan starts into the neighbouring cell ``step`` away, at his pace on that ground."""
    x, y = dylan.cell
    speed = world.tuning.dylan_speed * float(world.stage.speed["foot"][y, x]) / world.tick_hz
    dylan.stride = Stride.into(dylan.x, dylan.y, (x + step[0], y + step[1]), speed)
    dylan.heading = dylan.stride.heading() or dylan.heading


def _walk(dylan: Dylan) -> None:
    if dylan.stride is not None and dylan.stride.advance(dylan):
        dylan.stride = None


def _go_where_sent(world: World) -> None:
    """Dylan walks to the cell the Handler gave him, and waits there facing the chase."""
    dylan, desk = world.dylan, world.handler
    if dylan.stride is None:
        target = desk.dylan_target
        if target is None or dylan.cell == target:
            if dylan.state == DylanState.RUNNING:
                dylan.set_state(DylanState.ARRIVED)
            return
        values = _route(world, dylan.cell, target)
        x, y = dylan.cell
        step = None if values is None else police_mod._downhill(
            values, world.stage.moves["foot"], x, y, set())
        if step is None:
            desk.dylan_target = None
            return
        _set_off(world, dylan, step)
    _walk(dylan)


def _route(world: World, origin: tuple[int, int], target: tuple[int, int]
           ) -> WindowField | None:
    """Dylan's way to the Handler's cell: over the box round the two, else the whole map."""
    desk = world.handler
    known = desk.dylan_route
    if known is not None and known[0] == target:
        return known[1]
    cost = world.level.cost["foot"]
    if not math.isfinite(float(cost[target[1], target[0]])):
        return None
    route = window_route(cost, target, origin, ROUTE_MARGIN,
                         lambda goal, box: world.stage.box_field("foot", goal, box))
    if route is None:
        route = WindowField(0, 0, world.stage.route_field("foot", target))
    desk.dylan_route = (target, route)
    return route
