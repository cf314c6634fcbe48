"""Mila policies: what Mila does (Commands) given what she perceives (an Observation).

A policy is a callable ``policy(observation) -> Commands``, or an object with ``act(observation)
-> Commands`` and, optionally, ``reset(seed, level)`` (called once before each game). A class is
made once per game with the keyword arguments given on the command line (``--policy-arg
key=value``); a function receives them as keyword arguments on every call. A policy whose
``omniscient`` attribute is true sees the whole truth instead of the fair observation
(game/observation.py). The built-ins are made by name; your own is ``package.module:name``.

``Player`` runs one policy through one game: it makes and resets it, asks it every
``decide_every`` ticks (repeating its last commands in between), keeps its time limit
(game/watchdog.py), checks what it returns (game/sim/commands.py), and reports every failure as
one ``PolicyError`` line that names the policy, the tick and the seed. docs/POLICIES.md
documents the contract. The same policy drives Mila in a headless batch and in the window
(``rex play --autoplay``).
"""

from __future__ import annotations

import importlib
import inspect
import json
import math
import traceback
from collections.abc import Callable, Iterable, Mapping
from typing import TYPE_CHECKING, Any

import numpy as np

from game.observation import (  # noqa: F401 - the policy-writer's types, importable from here
    ARRIVED,
    CarView,
    CivilianView,
    DylanView,
    MilaView,
    Observation,
    OfficerView,
    PasserBy,
    Point,
    RexView,
    ScentPatch,
)
from game.sim import events as ev
from game.sim.commands import IDLE, CommandError, Commands, checked
from game.sim.scent import TICK_HZ
from game.watchdog import DEFAULT_SECONDS, PolicyTimeout, Watchdog

if TYPE_CHECKING:
    from game.level import Level
    from game.sim.world import World

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

    def reset(self, seed: int, level: Level | None) -> None:
        self.rng = np.random.default_rng([seed, 0x57A9])
        self.direction = (0.0, 0.0)
        self.until = 0
        self.last: Point | None = None

    def act(self, obs: Observation) -> Commands:
        here = obs.mila.position
        stuck = self.last is not None and here.distance(self.last) < 1e-3
        if obs.tick >= self.until or stuck:
            angle = self.rng.uniform(0, 2 * math.pi)
            self.direction = (math.cos(angle), math.sin(angle))
            self.until = obs.tick + int(self.rng.uniform(1.0, 4.0) * TICK_HZ)
        self.last = here
        return Commands.walk(*self.direction)


def step_back(obs: Observation) -> Commands | None:
    """Out of the reaching passer-by's grasp: one step away from him."""
    grabber = obs.grabber
    if grabber is None or not grabber.reaching:
        return None
    here = obs.mila.position
    return Commands.walk(here.x - grabber.position.x, here.y - grabber.position.y)


class CalmBasic:
    """Goes to the maple tree and waits; when Rex comes, stands still, kneels, whispers while
    her breath lasts, lifts a hand once he is close and not too frightened, and shows the
    collar only when he is calm and trusts her. Steps back from the passer-by's grab.

    This was ``calm`` until the better one below took the name; its games are unchanged."""

    NEAR = 8.0  # tiles: once he is this close (or wary of her), she stops and calms him

    def __init__(self, collar_trust: float = 0.7, collar_stress: float = 0.25):
        """``collar_trust`` and ``collar_stress``: she shows the collar once his trust is at
        least the one and his stress at most the other (``--policy-arg collar_trust=0.8``)."""
        self.collar_trust, self.collar_stress = float(collar_trust), float(collar_stress)

    def act(self, obs: Observation) -> Commands:
        dodge = step_back(obs)
        if dodge is not None:
            return dodge
        rex = obs.rex
        near = rex.state in ("wary", "calming", "bonded", "cornered") or rex.distance <= self.NEAR
        if not near:
            target = self.waiting_place(obs)
            direction = None if target is None else obs.route(target)
            return IDLE if direction is None else Commands.walk(*direction)
        return self.calm_down(obs)

    def waiting_place(self, obs: Observation) -> Point | None:
        """Where she goes while Rex is not near: the maple tree (None: she stands still)."""
        return obs.maple_tree

    def calm_down(self, obs: Observation) -> Commands:
        """Rex is near: stand still, kneel, whisper, lift a hand, and show the collar when
        his meters say he will know it."""
        rex, mila = obs.rex, obs.mila
        whisper = not mila.out_of_breath and (mila.whispering or mila.breath >= 0.6)
        return Commands(
            kneel=rex.distance <= 6.0,
            whisper=whisper and rex.distance <= 5.0,
            lift_hand=rex.distance <= 3.5 and rex.stress is not None and rex.stress < 0.6,
            show_collar=(rex.trust is not None and rex.trust >= self.collar_trust
                         and rex.stress <= self.collar_stress))


class Calm(CalmBasic):
    """A thoughtful player: she lets Rex reach her before the police can corner him. While
    it is safe she walks out toward the K9 center to meet him; once the police hunt him (a
    pursuit or a perimeter on the radio, or officers or patrol cars in sight) or she sees
    Rex, she stops and holds still, so that he comes straight to her and she does not lead
    him into them. When he is near she calms him exactly as ``calm_basic`` does.

    Why it works (docs/BALANCE.md): the kennel ending comes only before Rex has reached her
    (by her side he holds his ground), and darts come from a perimeter that has stood long
    around him. Met early, he reaches her before the police have a sighting, and bonds while
    their guns are still down."""

    def reset(self, seed: int, level: Level | None) -> None:
        # Where he will come from: the kennel latch on the map (every valid map has one).
        self.kennel = None if level is None else Point(*level.one("kennel_gate").centre)
        self.holding = level is None  # without the map she waits where she is

    def waiting_place(self, obs: Observation) -> Point | None:
        if not self.holding and (obs.rex.visible or hunted(obs)):
            self.holding = True
        return None if self.holding else self.kennel


def hunted(obs: Observation) -> bool:
    """Whether the police are after Rex as far as Mila can tell: the radio says pursuit or
    containment, or she sees officers on foot or patrol cars."""
    return obs.phase in ("pursuit", "containment") or bool(obs.officers) or bool(obs.cars)


class Panicky:
    """Loses her nerve: once Rex is near she runs at him (or away from him, decided per game)
    in bursts, and between bursts thrusts the collar at him whatever his mood."""

    BURST = 60  # ticks of running, then as many of holding out the collar

    def reset(self, seed: int, level: Level | None) -> None:
        self.toward = bool(np.random.default_rng([seed, 0x9A1C]).random() < 0.5)

    def act(self, obs: Observation) -> Commands:
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

    def reset(self, seed: int, level: Level | None) -> None:
        self.rng = np.random.default_rng([seed, 0x7A4D])
        self.current = IDLE

    def act(self, obs: Observation) -> Commands:
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


BUILT_IN: dict[str, Callable[..., Any]] = {
    "wait": wait,
    "idle": idle,
    "wander": Wander,
    "calm": Calm,
    "calm_basic": CalmBasic,
    "panicky": Panicky,
    "random": Random,
}


# One line each, for ``--help`` (docs/POLICIES.md says more).
SUMMARIES: dict[str, str] = {
    "wait": "walks to the maple tree and waits",
    "idle": "stays at her school",
    "wander": "a seeded random walk",
    "calm": "meets Rex while it is safe, holds still once the police hunt him, and calms him",
    "calm_basic": "waits at the maple tree and calms Rex when he comes (the old calm)",
    "panicky": "runs at Rex or away from him and shows the collar too early",
    "random": "a random choice of moves and actions every second",
}


def built_in_help() -> str:
    """Every built-in policy with what it does, for ``--help``."""
    return "; ".join(f"{name}: {SUMMARIES[name]}" for name in BUILT_IN)


class PolicyError(ValueError):
    """A policy that cannot be used or that failed during a game: one line naming it.

    ``traceback`` holds the policy's own traceback when it raised (shown with ``--debug``);
    ``tick`` and ``seed`` say when, for failures during a game."""

    def __init__(self, message: str, *, traceback_text: str | None = None,
                 tick: int | None = None, seed: int | None = None):
        super().__init__(message)
        self.traceback = traceback_text
        self.tick = tick
        self.seed = seed


Args = tuple[tuple[str, Any], ...]


def parse_arg(text: str) -> tuple[str, Any]:
    """``key=value`` from ``--policy-arg``: the value is read as a JSON literal (a number,
    true, false, null, a quoted string, a list or an object) or else taken as a string."""
    key, equals, raw = text.partition("=")
    key = key.strip()
    if not equals or not key.isidentifier():
        raise PolicyError(f"--policy-arg wants KEY=VALUE with KEY a Python name; got '{text}'")
    try:
        value = json.loads(raw)
    except ValueError:
        value = raw
    except RecursionError:  # brackets nested thousands deep: JSON no policy means
        raise PolicyError(f"--policy-arg {key}: the value is nested too deeply") from None
    if isinstance(value, float) and not math.isfinite(value):
        raise PolicyError(f"--policy-arg {key}: {raw} is not a finite number")
    return key, value


def as_args(args: Mapping[str, Any] | Iterable[tuple[str, Any]] | None) -> Args:
    """Policy arguments as a sorted tuple of pairs (hashable, and one spelling per set)."""
    if args is None:
        return ()
    pairs = list(args.items()) if isinstance(args, Mapping) else list(args)
    keys = [key for key, _ in pairs]
    repeated = sorted({key for key in keys if keys.count(key) > 1})
    if repeated:
        raise PolicyError(f"policy argument '{repeated[0]}' is given twice")
    return tuple(sorted(pairs, key=lambda pair: pair[0]))


def label(name: str, args: Args = ()) -> str:
    """How results name a policy: its name, with its arguments if it has any."""
    if not args:
        return name
    return name + "(" + ", ".join(f"{k}={json.dumps(v)}" for k, v in args) + ")"


def _resolve(name: str, built_in: Mapping[str, Any] | None = None) -> Any:
    """A built-in policy by name, or the object ``package.module:name`` names."""
    built_in = BUILT_IN if built_in is None else built_in
    if name in built_in:
        return built_in[name]
    if ":" not in name:
        known = ", ".join(built_in)
        raise PolicyError(f"unknown policy '{name}' (built in: {known}; or give "
                          "package.module:function)")
    module_name, _, attribute = name.partition(":")
    if not module_name or not attribute:
        raise PolicyError(f"'{name}' is not package.module:function")
    try:
        module = importlib.import_module(module_name)
    except Exception as err:  # any import failure of a user's module is a usage error
        raise PolicyError(f"cannot import '{module_name}': {_one_line(err)}") from None
    except SystemExit:  # a script rather than a module: it would end the game's process
        raise PolicyError(f"cannot import '{module_name}': it exits when imported") from None
    target: Any = module
    for part in attribute.split("."):
        target = getattr(target, part, None)
        if target is None:
            raise PolicyError(f"'{module_name}' has no '{attribute}'")
    return target


def _one_line(err: BaseException) -> str:
    text = " ".join(str(err).split())
    return text if len(text) <= 300 else text[:297] + "..."


def _takes(function: Callable[..., Any], *args: Any, **kwargs: Any) -> bool:
    """Whether ``function`` can be called with these arguments (True when Python cannot
    tell, as for some built-in functions)."""
    try:
        inspect.signature(function).bind(*args, **kwargs)
    except TypeError:
        return False
    except ValueError:
        return True
    return True


def _build(name: str, args: Args, built_in: Mapping[str, Any] | None = None
           ) -> tuple[Any, Callable[[Any], Any]]:
    """A fresh policy object for one game and the function that asks it for commands
    (``built_in``: the names it may be, Mila's by default)."""
    target = _resolve(name, built_in)
    kwargs = dict(args)
    if isinstance(target, type):
        try:
            inspect.signature(target).bind(**kwargs)
        except TypeError as err:
            raise PolicyError(f"policy '{name}' does not take these arguments: {err}"
                              ) from None
        except ValueError:
            pass
        try:
            policy = target(**kwargs)
        except (Exception, SystemExit) as err:  # the user's constructor failing is a usage error
            raise PolicyError(f"cannot create policy '{name}': {type(err).__name__}: "
                              f"{_one_line(err)}") from None
        kwargs = {}
    else:
        policy = target
    act = getattr(policy, "act", None)
    if act is None:
        if not callable(policy):
            raise PolicyError(f"'{name}' is not callable and has no act(observation) method")
        act = policy
    if not callable(act):
        raise PolicyError(f"policy '{name}': its act is not callable")
    if not _takes(act, None, **kwargs):
        wanted = f"the observation and the keyword arguments {sorted(kwargs)}" if kwargs else (
            "one argument, the observation")
        raise PolicyError(f"'{name}' is not a policy: it must take {wanted}: "
                          f"{getattr(act, '__name__', 'it')}{_signature(act)}")
    reset = getattr(policy, "reset", None)
    if reset is not None and not (callable(reset) and _takes(reset, 0, None)):
        raise PolicyError(f"policy '{name}': reset must take (seed, level): "
                          f"reset{_signature(reset)}")
    if kwargs:
        bound = act
        return policy, lambda obs: bound(obs, **kwargs)
    return policy, act


def _signature(function: Callable[..., Any]) -> str:
    try:
        return str(inspect.signature(function))
    except (TypeError, ValueError):
        return "(...)"


def check(name: str, args: Mapping[str, Any] | Iterable[tuple[str, Any]] | None = None,
          built_in: Mapping[str, Any] | None = None) -> None:
    """Raise PolicyError now if a policy will not load (before any game starts)."""
    _build(name, as_args(args), built_in)


class Player:
    """One policy playing Mila through one game (see the module docstring).

    The runner calls ``commands(world)`` every tick and ``heard(events)`` after it; the game
    loop runs inside ``with player.watchdog:`` so that the time limit is kept. Calling the
    player with an Observation asks the policy directly (the old ``make`` interface).
    ``built_in`` and ``what`` say which policies it plays and what errors call them: the
    Handler's player (game/handler_policies.py) changes them."""

    built_in: Mapping[str, Any] = BUILT_IN
    what = "policy"

    def __init__(self, name: str, args: Mapping[str, Any] | Iterable[tuple[str, Any]] | None
                 = None, *, decide_every: int = 1, timeout: float | None = DEFAULT_SECONDS,
                 seed: int | None = None):
        if decide_every < 1:
            raise PolicyError(f"decide_every must be 1 or more, not {decide_every}")
        self.name = name
        self.args = as_args(args)
        self.label = label(name, self.args)
        self.decide_every = decide_every
        self.watchdog = Watchdog(timeout)
        self.policy, self._act = _build(name, self.args, self.built_in)
        self.omniscient = bool(getattr(self.policy, "omniscient", False))
        self._seed = seed
        self._started = False
        self._last: Commands | None = None
        self._heard: list[ev.Event] = []

    def start(self, world: World) -> None:
        """Reset the policy for this game: ``reset(seed, level)`` if it has one."""
        self._started = True
        reset = getattr(self.policy, "reset", None)
        if reset is not None:
            self._call(reset, world.tick, world.seed,
                       self._seed if self._seed is not None else world.seed, world.level)

    def commands(self, world: World) -> Commands:
        """This tick's commands: the policy's answer on its ticks, its last one in between."""
        if not self._started:
            self.start(world)
        if self._last is None or world.tick % self.decide_every == 0:
            obs = Observation(world, self._heard, omniscient=self.omniscient)
            self._heard = []
            self._last = self._checked(self._call(self._act, world.tick, world.seed, obs),
                                       world.tick, world.seed)
        return self._last

    def heard(self, events: Iterable[ev.Event]) -> None:
        """A tick's events, kept for the policy's next observation."""
        self._heard.extend(events)

    def __call__(self, obs: Observation) -> Commands:
        world = obs._world
        if not self._started:
            self.start(world)
        return self._checked(self._call(self._act, obs.tick, obs.seed, obs), obs.tick, obs.seed)

    def _where(self, tick: int, seed: int) -> str:
        return f"(at tick {tick}, seed {seed})"

    def _call(self, function: Callable[..., Any], tick: int, seed: int, *args: Any) -> Any:
        """Call the policy under its time limit; anything it raises becomes a PolicyError."""
        try:
            self.watchdog.begin()
            try:
                return function(*args)
            finally:
                self.watchdog.end()
        except PolicyTimeout:
            raise PolicyError(
                f"{self.what} '{self.label}' did not answer within {self.watchdog.seconds:g} s "
                f"{self._where(tick, seed)}; --policy-timeout sets the limit",
                tick=tick, seed=seed) from None
        except (Exception, SystemExit) as err:
            during = " in reset" if getattr(function, "__name__", "") == "reset" else ""
            raise PolicyError(
                f"{self.what} '{self.label}' raised {type(err).__name__}{during}: {_one_line(err)} "
                f"{self._where(tick, seed)}",
                traceback_text="".join(traceback.format_exception(err)), tick=tick,
                seed=seed) from None

    def _checked(self, value: Any, tick: int, seed: int) -> Commands:
        try:
            return checked(value)
        except CommandError as err:
            what = str(err) if str(err).startswith("returned") else (
                f"returned bad commands: {err}")
            raise PolicyError(f"{self.what} '{self.label}' {what} {self._where(tick, seed)}",
                              tick=tick, seed=seed) from None


def make(name: str, seed: int, args: Mapping[str, Any] | None = None) -> Player:
    """A fresh policy for one game, called with an Observation every tick (it is reset with
    ``seed`` and the observation's level on its first call)."""
    return Player(name, args, seed=seed)
