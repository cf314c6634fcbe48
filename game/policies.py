"""Mila policies: functions from what Mila can see (an Observation) to what she does (Commands).

A policy is any callable ``policy(observation) -> Commands``. Built-in ones are made by name
with ``make(name, seed)``; your own is given as ``package.module:function`` (or a class, which is
made once per game with no arguments and then called every tick). docs/POLICIES.md documents
the Observation and Commands types.

The same policy drives Mila in a headless batch and in the window (``rex play --autoplay``).
"""

from __future__ import annotations

import importlib
import math
from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING

import numpy as np

from game.sim.commands import IDLE, Commands

if TYPE_CHECKING:
    from game.sim.world import World

ARRIVED = 0.35  # tiles from a destination's centre that count as there


@dataclass(frozen=True)
class Point:
    x: float
    y: float

    def distance(self, other: Point) -> float:
        return math.hypot(other.x - self.x, other.y - self.y)


@dataclass(frozen=True)
class MilaView:
    position: Point
    facing: tuple[float, float]
    moving: bool
    running: bool


@dataclass(frozen=True)
class RexView:
    position: Point
    heading: tuple[float, float]
    state: str  # restless, escaping, tracking, wary, ...
    distance: float  # tiles from Mila


class Observation:
    """What a Mila policy may look at on one tick. Everything is read-only.

    Attributes: ``tick``, ``seconds`` (since the start), ``clock`` ("HH:MM"),
    ``seconds_to_sunset``, ``mila`` (MilaView), ``rex`` (RexView), ``maple_tree`` and
    ``spawn`` (Points). Method ``route(target)`` gives the walking direction along the
    shortest walkable path toward a Point (or None once there). Views are built when first
    read, so a policy pays only for what it looks at.
    """

    def __init__(self, world: World):
        self._world = world
        self.tick = world.tick
        self.maple_tree = Point(*world.stage.maple_tree)
        self.spawn = Point(*world.stage.mila_spawn)

    @property
    def seconds(self) -> float:
        return self._world.seconds

    @property
    def clock(self) -> str:
        return self._world.clock_text()

    @property
    def seconds_to_sunset(self) -> float:
        return self._world.seconds_to_sunset

    @cached_property
    def mila(self) -> MilaView:
        m = self._world.mila
        return MilaView(Point(m.x, m.y), m.facing, m.moving, m.running)

    @cached_property
    def rex(self) -> RexView:
        m, r = self._world.mila, self._world.rex
        return RexView(Point(r.x, r.y), r.heading, r.state, math.hypot(r.x - m.x, r.y - m.y))

    def route(self, target: Point) -> tuple[float, float] | None:
        """Unit direction to walk toward ``target`` on foot, or None when already there."""
        here = self.mila.position
        if here.distance(target) <= ARRIVED:
            return None
        cell = (math.floor(target.x), math.floor(target.y))
        x, y = math.floor(here.x), math.floor(here.y)
        if (x, y) != cell:
            step = self._world.stage.next_step("foot", cell, (x, y))
            if step is not None:
                target = Point(x + step[0] + 0.5, y + step[1] + 0.5)
        dx, dy = target.x - here.x, target.y - here.y
        length = math.hypot(dx, dy)
        return (dx / length, dy / length) if length > 1e-9 else None


Policy = Callable[[Observation], Commands]


def idle(_: Observation) -> Commands:
    """Mila stays where she started."""
    return IDLE


def wait(obs: Observation) -> Commands:
    """Mila walks to the maple tree by a walkable route and waits there."""
    direction = obs.route(obs.maple_tree)
    return IDLE if direction is None else Commands.walk(*direction)


class Wander:
    """A seeded random walk: a direction held for one to four seconds, then another."""

    def __init__(self, seed: int):
        self.rng = np.random.default_rng([seed, 0x57A9])
        self.direction = (0.0, 0.0)
        self.until = 0
        self.last = None

    def __call__(self, obs: Observation) -> Commands:
        here = obs.mila.position
        stuck = self.last is not None and here.distance(self.last) < 1e-3
        if obs.tick >= self.until or stuck:
            angle = self.rng.uniform(0, 2 * math.pi)
            self.direction = (math.cos(angle), math.sin(angle))
            self.until = obs.tick + int(self.rng.uniform(1.0, 4.0) * 30)
        self.last = here
        return Commands.walk(*self.direction)


BUILT_IN: dict[str, Callable[[int], Policy]] = {
    "wait": lambda seed: wait,
    "idle": lambda seed: idle,
    "wander": Wander,
}


class PolicyError(ValueError):
    """A policy name that is neither built in nor an importable module:function."""


def make(name: str, seed: int) -> Policy:
    """A fresh policy for one game: a built-in by name, or ``package.module:function``."""
    if name in BUILT_IN:
        return BUILT_IN[name](seed)
    if ":" not in name:
        known = ", ".join(BUILT_IN)
        raise PolicyError(f"unknown policy '{name}' (built in: {known}; or give "
                          "package.module:function)")
    return load(name)


def load(spec: str) -> Policy:
    module_name, _, attribute = spec.partition(":")
    if not module_name or not attribute:
        raise PolicyError(f"'{spec}' is not package.module:function")
    try:
        module = importlib.import_module(module_name)
    except Exception as err:  # any import failure of a user's module is a usage error
        raise PolicyError(f"cannot import '{module_name}': {err}") from None
    target = module
    for part in attribute.split("."):
        target = getattr(target, part, None)
        if target is None:
            raise PolicyError(f"'{module_name}' has no '{attribute}'")
    if isinstance(target, type):
        try:
            target = target()
        except Exception as err:
            raise PolicyError(f"cannot create policy '{spec}': {err}") from None
    if not callable(target):
        raise PolicyError(f"'{spec}' is not callable")
    return target


def check(name: str) -> None:
    """Raise PolicyError now if a policy name will not work (before any game starts)."""
    make(name, 0)
