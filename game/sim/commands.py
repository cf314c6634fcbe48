"""What the player (or a Mila policy) wants this tick, and the check that makes it physical.

One frozen value per tick: a movement direction and the held actions. Held actions (whisper,
kneel, lift_hand, show_collar) are true for every tick the key is held; the simulation sees
when they start and stop. A replay is the list of these values, tick by tick.

The simulation takes nothing on trust: ``checked`` turns whatever a driver handed over into
Commands it can carry out, or raises ``CommandError`` saying what is wrong. The movement vector
is a direction and a share of Mila's speed: anything longer than one is cut to length one (so
``move_x=30`` walks, and ``run`` is the only way to go faster); NaN, infinities and values that
are not numbers are refused, as are flags that are not booleans.
"""

from __future__ import annotations

import math
import numbers
from dataclasses import dataclass

import numpy as np


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
FLAGS = ("run", "whisper", "kneel", "lift_hand", "show_collar")


class CommandError(ValueError):
    """Commands the simulation cannot carry out: not a Commands value, or a field that is not
    a finite number (movement) or a boolean (the held actions)."""


def describe(value: object) -> str:
    """A short, safe description of what a driver handed over, for an error line."""
    text = repr(value)
    if len(text) > 60:
        text = text[:57] + "..."
    return text if value is None or isinstance(value, str | numbers.Number) else (
        f"a {type(value).__name__} ({text})")


def checked(commands: object) -> Commands:
    """``commands`` as the simulation carries them out: typed, finite, at most unit length.

    Raises CommandError for anything else. Valid commands of unit length or less come back as
    the same object, so the check costs a few comparisons per tick.
    """
    if type(commands) is Commands:
        # The usual case first, in a few comparisons: plain floats within the unit circle
        # and plain bools come back as they are (exactly what the full check below returns).
        # (The flags written out: a generator over FLAGS cost more than the rest together,
        # and this runs twice a tick.)
        x, y = commands.move_x, commands.move_y
        if (type(x) is float and type(y) is float and math.isfinite(x) and math.isfinite(y)
                and math.hypot(x, y) <= 1.0 + 1e-9 and type(commands.run) is bool
                and type(commands.whisper) is bool and type(commands.kneel) is bool
                and type(commands.lift_hand) is bool and type(commands.show_collar) is bool):
            return commands
    elif not isinstance(commands, Commands):
        raise CommandError(f"returned {describe(commands)}, not Commands")
    move = []
    for name in ("move_x", "move_y"):
        value = getattr(commands, name)
        if isinstance(value, bool | np.bool_) or not isinstance(value, numbers.Real):
            raise CommandError(f"{name} is {describe(value)}, not a number")
        value = float(value)
        if not math.isfinite(value):
            raise CommandError(f"{name} is {value}, not a finite number")
        move.append(value)
    flags = {}
    for name in FLAGS:
        value = getattr(commands, name)
        if not isinstance(value, bool | np.bool_):
            raise CommandError(f"{name} is {describe(value)}, not True or False")
        flags[name] = bool(value)
    length = math.hypot(*move)
    if length > 1.0 + 1e-9:  # not for the rounding of an already normalised vector
        move = [move[0] / length, move[1] / length]
    elif all(type(getattr(commands, name)) is float for name in ("move_x", "move_y")) and all(
            type(getattr(commands, name)) is bool for name in FLAGS):
        return commands
    return Commands(move[0], move[1], **flags)
