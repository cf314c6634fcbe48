"""One game in the window: the world, who drives Mila, and the fixed-step clock.

``advance(dt)`` is the accumulator: real time is added up and spent in whole 30 Hz ticks, as
many as it pays for, each with one Commands value from the driver (the keyboard or a policy).
What is left over becomes ``alpha``, how far the frame is between the last tick and the next,
which the scene uses to blend positions. So the frame rate changes only how smooth the picture
is, never the game: the recorded Commands replayed headless give the same world.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from game import policies
from game.sim import events as ev
from game.sim.commands import Commands
from game.sim.world import World, step
from game.view.cast import Snapshot

MAX_FRAME_SECONDS = 0.25  # a longer stall (a dragged window) is not caught up all at once

Driver = Callable[[World], Commands]


def policy_driver(name: str, seed: int) -> Driver:
    """Mila played by a policy, as in a headless run."""
    policy = policies.make(name, seed)
    return lambda world: policy(policies.Observation(world))


class Session:
    def __init__(self, world: World, driver: Driver, *, spectator: bool = False,
                 autoplay: str | None = None):
        self.world = world
        self.driver = driver
        self.spectator = spectator
        self.autoplay = autoplay
        self.tick_seconds = 1.0 / world.tick_hz
        self.accumulator = 0.0
        self.alpha = 0.0
        self.paused = False
        self.before = Snapshot.take(world)
        self.recorded: list[Commands] = []
        self.ended_at: float | None = None  # session time when the ending event arrived
        self.time = 0.0  # seconds the session has run unpaused (drives animation)

    def advance(self, dt: float) -> list[ev.Event]:
        """Spend ``dt`` seconds of real time on whole ticks; the tick's events, in order."""
        if self.paused:
            return []
        dt = min(max(dt, 0.0), MAX_FRAME_SECONDS)
        self.time += dt
        happened: list[ev.Event] = []
        self.accumulator += dt
        while self.accumulator >= self.tick_seconds and self.world.ending is None:
            self.before = Snapshot.take(self.world)
            commands = self.driver(self.world)
            self.recorded.append(commands)
            happened.extend(step(self.world, commands))
            self.accumulator -= self.tick_seconds
        if self.world.ending is not None:
            self.accumulator = 0.0
            if self.ended_at is None:
                self.ended_at = self.time
        self.alpha = min(self.accumulator / self.tick_seconds, 1.0)
        return happened

    @property
    def score(self) -> dict[str, Any] | None:
        return getattr(self.world, "score", None)
