"""Mila: the player. She walks or runs where the commands say, and carries the collar.

Her commands are checked before anything moves (``commands.checked``: a movement vector longer
than one is cut to one, anything not a finite number or a boolean is a CommandError), and her
move is swept (``motion.slide``), so no command can carry her across a wall, a river or a fence.
Standing still, she turns to face Rex when he is within WATCH_RANGE: a policy does not steer
her gaze.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from game.sim import events as ev
from game.sim.commands import Commands, checked
from game.sim.motion import fits, slide
from game.sim.states import RESTLESS, RexState

if TYPE_CHECKING:
    from game.sim.world import World


PULL_SPEED = 1.5  # tiles per second a passer-by drags her
BREATH_AGAIN = 0.3  # breath she needs back before she can whisper again
WATCH_RANGE = 10.0  # standing still, she turns to face Rex when he is this close
# What she perceives (a policy's fair Observation): about half the width of the window's view,
# the HUD's range for Rex's meters, and a few tiles of scent around her.
SIGHT = 16.0  # tiles, in line of sight
METERS_RANGE = 12.0  # tiles: Rex's stress and trust show while he is seen this close
SMELL_RANGE = 5  # cells each way


def update(world: World, commands: Commands, events: list[ev.Event]) -> None:
    """Carry out one tick's commands (checked first: CommandError if they are not valid)."""
    commands = checked(commands)
    mila = world.mila
    mila.grabbed = world.tick < mila.grabbed_until
    if mila.grabbed:
        mila.posture, mila.whispering = "stand", False
        _drop_hand(world, events)
        _pulled(world)
        return
    mila.moving = commands.moving
    mila.running = commands.moving and commands.run
    _breathe(world, commands.whisper and not mila.running)
    mila.showing_collar = commands.show_collar and not commands.moving
    if commands.moving:
        mila.posture = "stand"  # moving stands her up and drops her hand
        _drop_hand(world, events)
    else:
        mila.posture = "kneel" if commands.kneel else "stand"
        if commands.lift_hand and not mila.hand_up:
            mila.hand_up, mila.hand_since = True, world.tick
        elif not commands.lift_hand:
            mila.hand_up = False
        _watch_rex(world)
        return
    t = world.tuning
    x, y = mila.cell
    speed = (t.mila_run_speed if commands.run else t.mila_walk_speed) * float(
        world.stage.speed["foot"][y, x]) / world.tick_hz
    mila.facing = (commands.move_x, commands.move_y)
    mila.x, mila.y = slide(world.stage.walkable, mila.x, mila.y, commands.move_x * speed,
                           commands.move_y * speed)


def _pulled(world: World) -> None:
    """Dragged away from Rex by the passer-by, whatever the player does."""
    mila, rex = world.mila, world.rex
    dx, dy = mila.x - rex.x, mila.y - rex.y
    length = math.hypot(dx, dy) or 1.0
    step = PULL_SPEED / world.tick_hz
    mila.moving, mila.running = True, False
    mila.facing = (-dx / length, -dy / length)  # she looks back at him
    mila.x, mila.y = slide(world.stage.walkable, mila.x, mila.y, dx / length * step,
                           dy / length * step)
    if mila.grabbed_by is not None:
        person = world.crowd.civilians[mila.grabbed_by]
        px, py = mila.x + dx / length * 0.6, mila.y + dy / length * 0.6
        if fits(world.stage.walkable, px, py):
            person.x, person.y = px, py


def _breathe(world: World, wants: bool) -> None:
    """Whispering spends breath; when it runs out she must stop until it comes back."""
    mila, t = world.mila, world.tuning
    dt = 1.0 / world.tick_hz
    mila.whispering = wants and not mila.out_of_breath and mila.breath > 0.0
    if mila.whispering:
        mila.breath = max(0.0, mila.breath - dt / t.breath_seconds)
        if mila.breath <= 0.0:
            mila.out_of_breath = True
    else:
        mila.breath = min(1.0, mila.breath + dt / t.breath_refill_seconds)
        if mila.breath >= BREATH_AGAIN:
            mila.out_of_breath = False


def _drop_hand(world: World, events: list[ev.Event]) -> None:
    """A lifted hand is broken by moving; if Rex was watching it, it startles him a little."""
    mila, rex = world.mila, world.rex
    if not mila.hand_up:
        return
    mila.hand_up = False
    if math.hypot(rex.x - mila.x, rex.y - mila.y) <= world.tuning.hand_range * 1.5 and (
            rex.state in (RexState.WARY, RexState.CALMING)):
        rex.stress = min(1.0, rex.stress + 0.05)
        events.append(ev.RexStartled(world.tick, "her hand dropped as she moved"))


def _watch_rex(world: World) -> None:
    """Standing still, she keeps her eyes on him when he is near."""
    mila, rex = world.mila, world.rex
    dx, dy = rex.x - mila.x, rex.y - mila.y
    distance = math.hypot(dx, dy)
    if rex.state != RESTLESS and 1e-6 < distance <= WATCH_RANGE:
        mila.facing = (dx / distance, dy / distance)
