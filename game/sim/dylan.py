"""Dylan Mercer, Rex's handler: from the command center to the scene, and the order that ends
the shooting.

He waits at the command center until the dispatcher's containment puts Rex near a civilian,
then runs to the scene along the police's shared field toward Rex's last known position. Once
within earshot of the perimeter, seeing Rex calm (calming or bonded) or shielding Mila, he
orders the stand-down: guns lowered, and no shot possible afterwards.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from game.sim import events as ev
from game.sim import police as police_mod
from game.sim.motion import Stride, downhill, face
from game.sim.perception import line_of_sight
from game.sim.states import Phase, RexState

if TYPE_CHECKING:
    from game.sim.world import World

CALM_STRESS = 0.5  # Rex's stress under which Dylan calls him calm
STOP_SHORT = 4.0  # tiles from Rex where he stops, so as not to crowd him


@dataclass
class Dylan:
    x: float
    y: float
    heading: tuple[float, float] = (0.0, 1.0)
    state: str = "command_center"  # running, arrived, ordering, done
    stride: Stride | None = None

    @property
    def cell(self) -> tuple[int, int]:
        return math.floor(self.x), math.floor(self.y)


def create(world: World) -> Dylan:
    x, y = world.level.one("dylan_spawn").cell
    return Dylan(x + 0.5, y + 0.5)


def update(world: World, events: list[ev.Event]) -> None:
    dylan, police, rex = world.dylan, world.police, world.rex
    if dylan.state == "done":
        return
    if dylan.state == "command_center":
        if police.phase == Phase.CONTAINMENT:
            dylan.state = "running"
            events.append(ev.Radio(world.tick, "Dylan", "I'm going to him. Nobody fires."))
        return
    distance = math.hypot(rex.x - dylan.x, rex.y - dylan.y)
    in_earshot = distance <= world.tuning.dylan_earshot and line_of_sight(
        world.level.blocks_sight, np.array([dylan.x]), np.array([dylan.y]), rex.x, rex.y)[0]
    if dylan.state == "running" and in_earshot:
        dylan.state = "arrived"
    if dylan.state == "arrived":
        face(dylan, rex.x, rex.y)
        calm = rex.state in (RexState.CALMING, RexState.BONDED) and rex.stress <= CALM_STRESS
        if (calm or rex.shielding) and police.phase != Phase.STAND_DOWN:
            events.append(ev.Speech(world.tick, "Dylan", "Lower your weapons. I repeat, lower "
                                                         "your weapons."))
            police_mod.stand_down(world, events)
            events.append(ev.StandDown(world.tick))
            dylan.state = "done"
        if not in_earshot:
            dylan.state = "running"
    if dylan.state == "running" or (dylan.state == "arrived" and distance > STOP_SHORT * 2):
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
        speed = world.tuning.dylan_speed * float(world.stage.speed["foot"][y, x]) / world.tick_hz
        dylan.stride = Stride.into(dylan.x, dylan.y, (x + best[0], y + best[1]), speed)
        dylan.heading = dylan.stride.heading() or dylan.heading
    if dylan.stride.advance(dylan):
        dylan.stride = None

