"""Mila policies: functions from what Mila can see (an Observation) to what she does (Commands).

A policy is any callable ``policy(observation) -> Commands``. Built-in ones are made by name
with ``make(name, seed)``; your own is given as ``package.module:function`` (or a class, which is
made once per game with no arguments and then called every tick). docs/POLICIES.md documents
the Observation and Commands types.

The same policy drives Mila in a headless batch and in the window (``rex play --autoplay``).
"""

from __future__ import annotations

import importlib
import inspect
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
    posture: str  # "stand" or "kneel"
    whispering: bool
    breath: float  # 0..1; whispering spends it
    out_of_breath: bool  # cannot whisper until it refills a little
    hand_up: bool
    showing_collar: bool
    grabbed: bool  # a passer-by is pulling her away


@dataclass(frozen=True)
class RexView:
    position: Point
    heading: tuple[float, float]
    state: str  # restless, escaping, tracking, evading, cornered, wary, calming, bonded
    distance: float  # tiles from Mila
    stress: float  # 0..1 (the HUD shows it when he is near)
    trust: float  # 0..1
    shielding: bool


@dataclass(frozen=True)
class PasserBy:
    """The passer-by who rushes to pull Mila away, while he does."""

    position: Point
    reaching: bool  # reaching out for her: step back now


class Observation:
    """What a Mila policy may look at on one tick. Everything is read-only.

    Attributes: ``tick``, ``seconds`` (since the start), ``clock`` ("HH:MM"),
    ``seconds_to_sunset``, ``mila`` (MilaView), ``rex`` (RexView), ``phase`` (the police's
    alert phase), ``guns_raised``, ``grabber`` (PasserBy or None), ``maple_tree`` and
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
    def rex(self) -> RexView:
        m, r = self._world.mila, self._world.rex
        return RexView(Point(r.x, r.y), r.heading, r.state, math.hypot(r.x - m.x, r.y - m.y),
                       r.stress, r.trust, r.shielding)

    @cached_property
    def mila(self) -> MilaView:
        m = self._world.mila
        return MilaView(Point(m.x, m.y), m.facing, m.moving, m.running, m.posture, m.whispering,
                        m.breath, m.out_of_breath, m.hand_up, m.showing_collar, m.grabbed)

    @property
    def phase(self) -> str:
        """The police's alert phase (standby, search, pursuit, containment, stand_down)."""
        police = self._world.police
        return "none" if police is None else police.phase

    @property
    def guns_raised(self) -> int:
        police = self._world.police
        return 0 if police is None else sum(o.gun_raised for o in police.officers)

    @property
    def grabber(self) -> PasserBy | None:
        crowd = self._world.crowd
        if crowd is None or crowd.grabber is None or crowd.grab_done:
            return None
        person = crowd.civilians[crowd.grabber]
        return PasserBy(Point(person.x, person.y), person.grab_until > 0)

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


def step_back(obs: Observation) -> Commands | None:
    """Out of the reaching passer-by's grasp: one step away from him."""
    grabber = obs.grabber
    if grabber is None or not grabber.reaching:
        return None
    here = obs.mila.position
    return Commands.walk(here.x - grabber.position.x, here.y - grabber.position.y)


class Calm:
    """Goes to the maple tree and waits; when Rex comes, stands still, kneels, whispers while
    her breath lasts, lifts a hand once he is close and not too frightened, and shows the
    collar only when he is calm and trusts her. Steps back from the passer-by's grab."""

    COLLAR_TRUST, COLLAR_STRESS = 0.7, 0.25

    def __init__(self, seed: int):
        self.rng = np.random.default_rng([seed, 0xCA1A])

    def __call__(self, obs: Observation) -> Commands:
        dodge = step_back(obs)
        if dodge is not None:
            return dodge
        rex, mila = obs.rex, obs.mila
        near = rex.state in ("wary", "calming", "bonded", "cornered") or rex.distance <= 8.0
        if not near:
            direction = obs.route(obs.maple_tree)
            return IDLE if direction is None else Commands.walk(*direction)
        whisper = not mila.out_of_breath and (mila.whispering or mila.breath >= 0.6)
        return Commands(
            kneel=rex.distance <= 6.0,
            whisper=whisper and rex.distance <= 5.0,
            lift_hand=rex.distance <= 3.5 and rex.stress < 0.6,
            show_collar=rex.trust >= self.COLLAR_TRUST and rex.stress <= self.COLLAR_STRESS)


class Panicky:
    """Loses her nerve: once Rex is near she runs at him (or away from him, decided per game)
    in bursts, and between bursts thrusts the collar at him whatever his mood."""

    BURST = 60  # ticks of running, then as many of holding out the collar

    def __init__(self, seed: int):
        self.toward = bool(np.random.default_rng([seed, 0x9A1C]).random() < 0.5)

    def __call__(self, obs: Observation) -> Commands:
        rex, here = obs.rex, obs.mila.position
        if rex.state in ("restless", "escaping") or rex.distance > 14.0:
            direction = obs.route(obs.maple_tree)
            return IDLE if direction is None else Commands.walk(*direction)
        if rex.distance <= 6.0 and (obs.tick // self.BURST) % 2 == 0:
            return Commands(show_collar=True)
        dx, dy = rex.position.x - here.x, rex.position.y - here.y
        sign = 1.0 if self.toward else -1.0
        return Commands.walk(sign * dx, sign * dy, run=True)


class Random:
    """Seeded nonsense: a new random choice of movement and actions every second."""

    def __init__(self, seed: int):
        self.rng = np.random.default_rng([seed, 0x7A4D])
        self.current = IDLE

    def __call__(self, obs: Observation) -> Commands:
        if obs.tick % 30 == 0:
            r = self.rng.random(7)
            angle = r[0] * 2 * math.pi
            moving = r[1] < 0.6
            self.current = Commands(
                move_x=math.cos(angle) if moving else 0.0,
                move_y=math.sin(angle) if moving else 0.0,
                run=moving and r[2] < 0.2, whisper=r[3] < 0.3, kneel=r[4] < 0.3,
                lift_hand=r[5] < 0.3, show_collar=r[6] < 0.15)
        return self.current


BUILT_IN: dict[str, Callable[[int], Policy]] = {
    "wait": lambda seed: wait,
    "idle": lambda seed: idle,
    "wander": Wander,
    "calm": Calm,
    "panicky": Panicky,
    "random": Random,
}


class PolicyError(ValueError):
    """A policy name that is neither built in nor an importable module:function, or names
    something that cannot be a policy."""


class PolicyFailed(Exception):
    """A policy that raised, or returned something other than Commands, during a game."""


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
    except SystemExit:  # a script rather than a module: it would end the game's process
        raise PolicyError(f"cannot import '{module_name}': it exits when imported") from None
    target = module
    for part in attribute.split("."):
        target = getattr(target, part, None)
        if target is None:
            raise PolicyError(f"'{module_name}' has no '{attribute}'")
    if isinstance(target, type):
        try:
            target = target()
        except (Exception, SystemExit) as err:
            raise PolicyError(f"cannot create policy '{spec}': {err}") from None
    if not callable(target):
        raise PolicyError(f"'{spec}' is not callable")
    try:
        inspect.signature(target).bind(None)
    except TypeError:
        raise PolicyError(f"'{spec}' is not a policy: it must take one argument, the "
                          f"observation (it takes {inspect.signature(target)})") from None
    except ValueError:
        pass  # a built-in function that does not tell its signature: its first call will
    return target


def guarded(name: str, policy: Policy) -> Policy:
    """``policy`` as a game calls it: what it raises or returns that is not Commands becomes a
    ``PolicyFailed`` naming the policy, one line for the player or the batch's report."""
    def act(observation: Observation) -> Commands:
        try:
            commands = policy(observation)
        except (Exception, SystemExit) as err:  # whatever a user's policy raises is its own
            raise PolicyFailed(f"policy '{name}' raised {type(err).__name__}: "
                               f"{str(err)[:200]}") from err
        if not isinstance(commands, Commands):
            raise PolicyFailed(f"policy '{name}' returned {type(commands).__name__} "
                               f"{str(commands)[:60]!r}, not Commands")
        return commands
    return act


def check(name: str) -> None:
    """Raise PolicyError now if a policy name will not work (before any game starts)."""
    make(name, 0)
