"""One game in the window: the world, who drives Mila, the fixed-step clock, and the recording.
No pygame: the game screen (play.py) feeds it frame times.

``advance(dt)`` is the accumulator: real time is added up and spent in whole 30 Hz ticks, as
many as it pays for, each with one Commands value from the driver (the keyboard, a policy, or a
replay's recorded commands). What is left over becomes ``alpha``, how far the frame is between
the last tick and the next, which the scene uses to blend positions. So the frame rate changes
only how smooth the picture is, never the game: the recorded Commands replayed headless give
the same world. When Dylan is played (the Handler role), ``orders`` gives each tick's
HandlerCommands too (the command-center screen's clicks and keys, or a replay's orders), and
they are recorded beside Mila's commands.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from game import guarded, loop, policies
from game.replay import Replay
from game.sim import events as ev
from game.sim import handler as handler_mod
from game.sim.commands import Commands
from game.sim.orders import (
    NO_ORDERS,
    HandlerCommands,
)
from game.sim.world import World
from game.tuning import DEFAULT, Tuning
from game.view.cast import Snapshot

MAX_FRAME_SECONDS = 0.25  # a longer stall (a dragged window) is not caught up all at once

Driver = Callable[[World], Commands]
OrdersDriver = Callable[[World], HandlerCommands]


def policy_driver(name: str, seed: int) -> Driver:
    """Mila played by a policy, as in a headless run (a policy that fails raises
    policies.PolicyError, one line, which ``rex play`` reports and exits on)."""
    player = policies.Player(name, seed=seed)
    return player.commands


def replay_driver(replay: Replay) -> Driver:
    """Mila played by a replay's commands, one per tick (the session stops at the last)."""
    commands = replay.commands()
    return lambda world: next(commands)


def replay_orders(replay: Replay) -> OrdersDriver:
    """The Handler's recorded orders, on the ticks they were given, checked again."""
    orders = replay.orders()
    return lambda world: handler_mod.checked(world, orders.get(world.tick, NO_ORDERS))


class Session:
    def __init__(self, world: World, driver: Driver, *, spectator: bool = False,
                 label: str | None = None, record: Replay | None = None,
                 last_tick: int | None = None, orders: OrdersDriver | None = None):
        """``label`` says on screen who plays Mila when it is not the player; every tick's
        commands go into ``record``; the world stops at ``last_tick`` (a replay's end)."""
        self.world = world
        self.driver = driver
        self.spectator = spectator
        self.label = label
        self.record = record
        self.last_tick = last_tick
        self.orders = orders
        self.tick_seconds = 1.0 / world.tick_hz
        self.accumulator = 0.0
        self.alpha = 0.0
        self.paused = False
        self.before = Snapshot.take(world)
        self.ended_at: float | None = None  # session time when the ending event arrived
        self.time = 0.0  # seconds the session has run unpaused (drives animation)

    @property
    def out_of_commands(self) -> bool:
        """A replay that stopped before the chase ended (the player had quit)."""
        return self.last_tick is not None and self.world.tick >= self.last_tick

    def advance(self, dt: float) -> list[ev.Event]:
        """Spend ``dt`` seconds of real time on whole ticks; the tick's events, in order."""
        if self.paused:
            return []
        dt = min(max(dt, 0.0), MAX_FRAME_SECONDS)
        self.time += dt
        happened: list[ev.Event] = []
        self.accumulator += dt
        while (self.accumulator >= self.tick_seconds and self.world.ending is None
               and not self.out_of_commands):
            self.before = Snapshot.take(self.world)
            happened.extend(loop.tick(self.world, self.driver, self.record, orders=self.orders))
            self.accumulator -= self.tick_seconds
        if self.world.ending is not None or self.out_of_commands:
            self.accumulator = 0.0
        if self.world.ending is not None and self.ended_at is None:
            self.ended_at = self.time
        self.alpha = min(self.accumulator / self.tick_seconds, 1.0)
        return happened

    @property
    def score(self) -> dict[str, Any] | None:
        return getattr(self.world, "score", None)


def tuning_changes(tuning: Tuning) -> dict[str, Any]:
    """The knobs that differ from the default tuning, as a replay stores them."""
    default = DEFAULT.as_dict()
    return {name: value for name, value in tuning.as_dict().items() if value != default[name]}


class Recording:
    """``--record FILE``: the commands of the first game played in the window, saved once,
    atomically, when that game ends or is left (quit, restart, the title screen, or a hot
    reload of the map: the file then covers the game on the old map up to the reload)."""

    def __init__(self, path: Path):
        self.path = path
        self.replay: Replay | None = None
        self.world: World | None = None
        self.done = False
        self.failed = False  # the save failed: the command exits 1

    def begin(self, world: World, map_path: str, *, police: bool,
              civilians: bool) -> Replay | None:
        """The Replay a new game records into, or None when it is not the game to record."""
        if self.done or self.replay is not None:
            return None
        level = world.level
        self.replay = Replay(level.name, map_path, level.content_hash, world.seed, police,
                             civilians, tuning=tuning_changes(world.tuning),
                             role="handler" if world.handler.active else "mila")
        self.world = world
        return self.replay

    def ended(self) -> bool:
        return self.world is not None and self.world.ending is not None

    def finish(self) -> str | None:
        """Save the recording, if a game is being recorded; the line that tells the player."""
        replay, world = self.replay, self.world
        if self.done:
            return None
        self.replay, self.world, self.done = None, None, True
        if replay is None or world is None:  # the window closed before any game began
            return f"no game was played: nothing recorded to {self.path}"
        replay.final_state_hash = world.state_hash()
        replay.ending = world.ending.ending if world.ending is not None else None
        try:
            replay.save(self.path)
        except guarded.OutputError as err:
            self.failed = True
            return f"error: the replay was not saved: {err}"
        return (f"replay saved to {self.path} ({replay.ticks} ticks, "
                f"ending {replay.ending or 'none: the game was left'})")
