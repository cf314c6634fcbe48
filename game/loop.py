"""The one tick loop every way of playing shares: ask for Mila's commands (and the Handler's
orders when Dylan is played), record them, step.

Headless games and replays (``game.headless``), the window (``game.view.session``) and the
benchmarks (``benchmarks/run.py``) all advance a game through ``tick``, so the order that makes
a recording replay to the same state hash (the commands are chosen from the world as it is,
recorded, then applied) is written once. What differs between them stays with them: when to
stop, what to watch, the window's clock.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

from game.sim import events as ev
from game.sim.chase import step
from game.sim.commands import Commands
from game.sim.orders import (
    NO_ORDERS,
    HandlerCommands,
)
from game.sim.world import World

# Who plays Mila: the commands for the world as it is now (a policy, the keyboard, a replay).
Act = Callable[[World], Commands]
# Who plays Dylan at the command center (a Handler policy, the command-center screen, a replay).
Orders = Callable[[World], HandlerCommands]
Step = Callable[[World, Commands, HandlerCommands], tuple[ev.Event, ...]]


class Recorder(Protocol):
    """Where a game's commands go, one per tick (a ``game.replay.Replay``)."""

    def record(self, commands: Commands, orders: HandlerCommands = NO_ORDERS) -> None: ...


def tick(world: World, act: Act, record: Recorder | None = None,
         advance: Step = step, orders: Orders | None = None) -> tuple[ev.Event, ...]:
    """One tick: Mila's commands from ``act`` and the Handler's from ``orders`` (none when
    the command center is the dispatcher's alone), into ``record``, then the world's step
    (``advance``, which a benchmark may wrap to time the step alone); the tick's events."""
    commands = act(world)
    given = NO_ORDERS if orders is None else orders(world)
    if record is not None:
        record.record(commands, given)
    return advance(world, commands, given)
