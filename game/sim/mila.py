"""Mila: the player. She walks or runs where the commands say, and carries the collar."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

from game.sim.commands import Commands
from game.sim.motion import fits, slide

if TYPE_CHECKING:
    from game.sim.world import World


@dataclass
class Mila:
    x: float
    y: float
    facing: tuple[float, float] = (0.0, 1.0)
    moving: bool = False
    running: bool = False
    grabbed_until: int = 0  # a passer-by pulls her away from Rex until this tick
    grabbed_by: int | None = None
    grabbed: bool = False

    @property
    def cell(self) -> tuple[int, int]:
        return math.floor(self.x), math.floor(self.y)


def create(world: World) -> Mila:
    x, y = world.level.one("mila_spawn").cell
    return Mila(x + 0.5, y + 0.5)


PULL_SPEED = 1.5  # tiles per second a passer-by drags her


def update(world: World, commands: Commands) -> None:
    mila = world.mila
    mila.grabbed = world.tick < mila.grabbed_until
    if mila.grabbed:
        _pulled(world)
        return
    mila.moving = commands.moving
    mila.running = commands.moving and commands.run
    if not commands.moving:
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
    if world.crowd is not None and mila.grabbed_by is not None:
        person = world.crowd.civilians[mila.grabbed_by]
        px, py = mila.x + dx / length * 0.6, mila.y + dy / length * 0.6
        if fits(world.stage.walkable, px, py):
            person.x, person.y = px, py
