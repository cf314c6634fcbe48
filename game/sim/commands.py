"""What the player (or a Mila policy) wants this tick.

One frozen value per tick: a movement direction and the held actions. Held actions (whisper,
kneel, lift_hand, show_collar) are true for every tick the key is held; the simulation sees
when they start and stop. A replay is the list of these values, tick by tick.
"""

from __future__ import annotations

import math
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Commands:
    move_x: float = 0.0
    move_y: float = 0.0
    run: bool = False
    whisper: bool = False
    kneel: bool = False
    lift_hand: bool = False
    show_collar: bool = False

    @property
    def moving(self) -> bool:
        return self.move_x != 0.0 or self.move_y != 0.0

    @classmethod
    def walk(cls, dx: float, dy: float, run: bool = False) -> Commands:
        """A walk (or run) in a direction; the direction need not be normalised."""
        length = math.hypot(dx, dy)
        if length < 1e-9:
            return IDLE
        return cls(move_x=dx / length, move_y=dy / length, run=run)


IDLE = Commands()
