"""Mila: the player. She walks or runs where the commands say, and carries the collar."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

from game.sim.commands import Commands
from game.sim.motion import slide

if TYPE_CHECKING:
    from game.sim.world import World


@dataclass
class Mila:
    x: float
    y: float
    facing: tuple[float, float] = (0.0, 1.0)
    moving: bool = False
    running: bool = False

    @property
    def cell(self) -> tuple[int, int]:
        return math.floor(self.x), math.floor(self.y)


def create(world: World) -> Mila:
    x, y = world.level.one("mila_spawn").cell
    return Mila(x + 0.5, y + 0.5)


def update(world: World, commands: Commands) -> None:
    mila = world.mila
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
