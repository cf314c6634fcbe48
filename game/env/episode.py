"""One chase as a learning episode: the world, the agents' roles, the reward. No gymnasium here.

``Episode`` owns a World on a cached Stage, advances it ``decide_every`` ticks per step with
each role's commands, and hands each role's observation and reward back. A **role** is one
agent's seat at the game: its observation (built from what its character perceives), its
action space (as a numpy description the wrappers turn into gymnasium spaces), how an action
becomes commands, and its reward: ``MilaRole`` here, and the Handler's ``DylanRole`` (Dylan at
the command center, game/env/dylan.py), whose orders ``Episode.step`` passes to the simulation
beside Mila's commands (docs/ENV.md).

Observation of Mila (fair by default, from game/observation.py): ``grid``, an egocentric
patch of the map around her, float32 [channels, 2r+1, 2r+1] (CHANNELS names them; the patch
is centred on her cell, north up); and ``vector``, float32 [len(VECTOR)] of her meters, what
she sees of Rex, the police's phase, the grab, Dylan, the way to the maple tree and the clock.
Everything is scaled to [-1, 1].

Action of Mila: MultiDiscrete [9, 2, 2, 2, 2, 2]: a direction (0 stand, 1 to 8 east, south-east,
south, south-west, west, north-west, north, north-east), then run, whisper, kneel, lift hand,
show collar (0 or 1 each).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np

from game.contract import TERRAIN_ID
from game.level import Level
from game.observation import Observation
from game.sim import events as ev
from game.sim import mila as mila_mod
from game.sim.chase import step
from game.sim.commands import IDLE, Commands
from game.sim.motion import STEPS
from game.sim.orders import NO_ORDERS
from game.sim.stage import Stage
from game.sim.world import World
from game.stagecache import build_stage
from game.tuning import DEFAULT, Tuning

ROOT = Path(__file__).resolve().parent.parent.parent
DEFAULT_MAP = ROOT / "maps" / "lakeside.tmx"

CHANNELS = ("walkable", "water", "road", "blocks_sight", "scent", "officers", "aiming", "cars",
            "civilians", "rex")
REX_STATES = ("restless", "escaping", "tracking", "evading", "cornered", "wary", "calming",
              "bonded")
PHASES = ("none", "standby", "search", "pursuit", "containment", "stand_down")
VECTOR = (
    # Mila herself
    "breath", "out_of_breath", "kneeling", "whispering", "hand_up", "showing_collar",
    "grabbed", "moving", "running",
    # Rex, as she sees him (zeros when she does not)
    "rex_visible", "rex_dx", "rex_dy", "rex_distance", "rex_meters_shown", "rex_stress",
    "rex_trust", "rex_shielding", *(f"rex_{state}" for state in REX_STATES),
    # the police: phase, guns she sees, the command center's last known position
    *(f"phase_{phase}" for phase in PHASES), "guns_raised", "officers_seen", "last_known",
    "last_known_dx", "last_known_dy", "last_known_age",
    # the passer-by's grab, Dylan
    "grabber", "grabber_reaching", "grabber_dx", "grabber_dy",
    "dylan_seen", "dylan_dx", "dylan_dy",
    # the way to the maple tree, and the clock
    "tree_dx", "tree_dy", "tree_distance", "at_tree", "sunset_left", "played",
)
ACTION_NVEC = (9, 2, 2, 2, 2, 2)
SCENT_SPAN = 10.0  # e-folds of scent, either way from hers, that fill the scent channel
FAR = 64.0  # tiles: how positions beyond sight are scaled (last known position)
LONG = 900.0  # seconds: the clock's scale (a chase lasts about fifteen minutes at most)


@dataclass(frozen=True)
class Reward:
    """Mila's reward. At the end: ``home`` (+1), ``tranquilized`` and ``kennel`` (-1),
    ``dusk`` (-0.5); an episode cut short by ``max_seconds`` gets nothing more. Shaping terms,
    paid every step and each switchable (set to 0, or ``Reward.plain()`` for none):

    - ``trust``: times the rise in Rex's trust over the step (it can fall too);
    - ``stress``: times the rise in his stress (a negative weight: stress costs);
    - ``reached``: once, when Rex first comes within reach of her;
    - ``shot``: for each dart fired (a miss: a hit ends the chase ``tranquilized``).
    """

    home: float = 1.0
    tranquilized: float = -1.0
    kennel: float = -1.0
    dusk: float = -0.5
    trust: float = 0.5
    stress: float = -0.2
    reached: float = 0.1
    shot: float = -0.25

    @classmethod
    def plain(cls) -> Reward:
        """The endings alone, no shaping."""
        return cls(trust=0.0, stress=0.0, reached=0.0, shot=0.0)

    def ending(self, name: str | None) -> float:
        return 0.0 if name is None else float(getattr(self, name))


@dataclass
class MilaRole:
    """Mila's seat: her fair (or omniscient) observation, her actions and her reward."""

    patch_radius: int = 10
    omniscient: bool = False
    reward: Reward = field(default_factory=Reward)
    name: str = "mila"

    def __post_init__(self) -> None:
        size = 2 * self.patch_radius + 1
        self.grid_shape = (len(CHANNELS), size, size)
        self.grid_low = np.zeros(self.grid_shape, np.float32)
        self.grid_low[CHANNELS.index("scent")] = -1.0
        self.grid_high = np.ones(self.grid_shape, np.float32)
        self.vector_shape = (len(VECTOR),)
        self._trust = self._stress = 0.0
        self._reached = False
        self._map: Any = None  # the stage the static channels were made for
        self._static_grid = np.zeros(0, np.float32)

    # -- actions ----------------------------------------------------------------------------

    @staticmethod
    def commands(action: Any) -> Commands:
        """An action (six integers) as the commands Mila carries out."""
        values = np.asarray(action).reshape(-1)
        if values.shape != (len(ACTION_NVEC),):
            raise ValueError(f"Mila's action is {len(ACTION_NVEC)} integers, not {action!r}")
        direction, run, whisper, kneel, hand, collar = (int(v) for v in values)
        if not (0 <= direction < ACTION_NVEC[0]) or any(
                v not in (0, 1) for v in (run, whisper, kneel, hand, collar)):
            raise ValueError(f"Mila's action {list(values)} is outside [0-8, 0-1, 0-1, 0-1, "
                             "0-1, 0-1]")
        dx, dy = (0, 0) if direction == 0 else STEPS[direction - 1]
        length = math.hypot(dx, dy) or 1.0
        return Commands(dx / length, dy / length, bool(run), bool(whisper), bool(kneel),
                        bool(hand), bool(collar))

    @staticmethod
    def action_of(commands: Commands) -> np.ndarray:
        """The action nearest to ``commands`` (the direction rounded to one of the eight), so
        that a scripted policy such as ``calm`` can play through the environment."""
        action = np.zeros(len(ACTION_NVEC), np.int64)
        if commands.moving:
            angle = math.atan2(commands.move_y, commands.move_x)  # clockwise from east
            action[0] = 1 + round(angle / (math.pi / 4)) % 8
        action[1:] = (commands.run, commands.whisper, commands.kneel, commands.lift_hand,
                      commands.show_collar)
        return action

    # -- observation ------------------------------------------------------------------------

    def observe(self, world: World, events: tuple[ev.Event, ...]) -> dict[str, np.ndarray]:
        obs = Observation(world, events, omniscient=self.omniscient)
        return {"grid": self._grid(world, obs), "vector": self._vector(obs)}

    def _static(self, world: World) -> np.ndarray:
        """The map's own channels (walkable, water, road, blocks_sight) for the whole map,
        padded by the patch's reach, made once per map: a step copies one slice of it."""
        if self._map is not world.stage:
            r = self.patch_radius
            height, width = world.level.terrain.shape
            terrain = world.level.terrain
            static = np.zeros((4, height + 2 * r, width + 2 * r), np.float32)
            inner = (slice(None), slice(r, r + height), slice(r, r + width))
            static[inner] = [world.stage.walkable, terrain == TERRAIN_ID["water"],
                             terrain == TERRAIN_ID["road"], world.level.blocks_sight]
            self._map, self._static_grid = world.stage, static
        return self._static_grid

    def _grid(self, world: World, obs: Observation) -> np.ndarray:
        r = self.patch_radius
        size = 2 * r + 1
        grid = np.zeros(self.grid_shape, np.float32)
        cx, cy = world.mila.cell
        x0, y0 = cx - r, cy - r
        grid[:4] = self._static(world)[:, cy:cy + size, cx:cx + size]
        # Scent: log-ratio to hers, within what she smells (everything in reach if omniscient).
        smell = r if self.omniscient else min(r, mila_mod.SMELL_RANGE)
        height, width = world.level.terrain.shape
        xa, ya = max(0, cx - smell), max(0, cy - smell)
        xb, yb = min(width, cx + smell + 1), min(height, cy + smell + 1)
        here = float(world.scent.perceived(cx, cy))
        window = np.log(world.scent.perceived_window(xa, ya, xb, yb) / here)
        grid[4, ya - y0:yb - y0, xa - x0:xb - x0] = np.clip(window / SCENT_SPAN, -1.0, 1.0)

        def mark(channel: int, x: float, y: float, value: float = 1.0) -> None:
            i, j = math.floor(x) - x0, math.floor(y) - y0
            if 0 <= i < size and 0 <= j < size:
                grid[channel, j, i] = max(grid[channel, j, i], value)

        for officer in obs.officers:
            mark(5, officer.position.x, officer.position.y)
            if officer.aiming or officer.gun_raised:
                mark(6, officer.position.x, officer.position.y, 1.0 if officer.aiming else 0.5)
        for car in obs.cars:
            mark(7, car.position.x, car.position.y)
        for person in obs.civilians:
            mark(8, person.position.x, person.position.y, 1.0 if person.panicked else 0.5)
        if obs.rex.visible:
            mark(9, obs.rex.position.x, obs.rex.position.y)
        return grid

    def _vector(self, obs: Observation) -> np.ndarray:
        return vector_of(obs)

    # -- reward -----------------------------------------------------------------------------

    def start(self, world: World) -> None:
        self._trust, self._stress = world.rex.trust, world.rex.stress
        self._reached = world.rex.reached_tick is not None

    def step_reward(self, world: World, events: tuple[ev.Event, ...]) -> float:
        """The step's reward: the shaping terms, plus the ending's value if it ended."""
        r, rex = self.reward, world.rex
        total = r.trust * (rex.trust - self._trust) + r.stress * (rex.stress - self._stress)
        self._trust, self._stress = rex.trust, rex.stress
        if not self._reached and rex.reached_tick is not None:
            self._reached = True
            total += r.reached
        total += r.shot * sum(1 for e in events if isinstance(e, ev.ShotFired))
        if world.ending is not None:
            total += r.ending(world.ending.ending)
        return float(total)


def vector_of(obs: Observation) -> np.ndarray:
    """The ``vector`` part of Mila's observation (VECTOR names its entries), from an
    Observation: a Mila policy can use it too."""
    v = np.zeros(len(VECTOR), np.float32)
    put = dict.fromkeys(VECTOR, 0.0)
    m = obs.mila
    put.update(breath=m.breath, out_of_breath=m.out_of_breath,
               kneeling=m.posture == "kneel", whispering=m.whispering, hand_up=m.hand_up,
               showing_collar=m.showing_collar, grabbed=m.grabbed, moving=m.moving,
               running=m.running)
    here, rex, sight = m.position, obs.rex, mila_mod.SIGHT
    if rex.visible:
        put.update(rex_visible=1.0, rex_dx=(rex.position.x - here.x) / sight,
                   rex_dy=(rex.position.y - here.y) / sight,
                   rex_distance=rex.distance / sight, rex_shielding=rex.shielding)
        if rex.state in REX_STATES:
            put[f"rex_{rex.state}"] = 1.0
        if rex.stress is not None:
            put.update(rex_meters_shown=1.0, rex_stress=rex.stress, rex_trust=rex.trust)
    else:
        put["rex_distance"] = 1.0
    put[f"phase_{obs.phase}" if obs.phase in PHASES else "phase_none"] = 1.0
    put.update(guns_raised=obs.guns_raised / 5, officers_seen=len(obs.officers) / 10)
    if obs.last_known is not None:
        put.update(last_known=1.0, last_known_dx=(obs.last_known.x - here.x) / FAR,
                   last_known_dy=(obs.last_known.y - here.y) / FAR,
                   last_known_age=(obs.last_known_age or 0.0) / 120)
    if obs.grabber is not None:
        g = obs.grabber.position
        put.update(grabber=1.0, grabber_reaching=obs.grabber.reaching,
                   grabber_dx=(g.x - here.x) / 8, grabber_dy=(g.y - here.y) / 8)
    if obs.dylan is not None:
        d = obs.dylan.position
        put.update(dylan_seen=1.0, dylan_dx=(d.x - here.x) / sight,
                   dylan_dy=(d.y - here.y) / sight)
    way = obs.route(obs.maple_tree)
    if way is None:
        put["at_tree"] = 1.0
    else:
        put.update(tree_dx=way[0], tree_dy=way[1])
    put.update(tree_distance=here.distance(obs.maple_tree) / FAR,
               sunset_left=obs.seconds_to_sunset / LONG, played=obs.seconds / LONG)
    v[:] = [put[name] for name in VECTOR]
    return np.clip(v, -1.0, 1.0, out=v)


_STAGES: dict[tuple, tuple[Level, Stage]] = {}


def load_stage(map_path: str | Path | None, level: Level | None, tuning: Tuning
               ) -> tuple[Level, Stage]:
    """The checked level and its Stage, built once per process for a map and scent tuning
    (pre-warming the scent takes a second or two)."""
    if level is None:
        from game.mapcheck import load_checked

        path = Path(map_path) if map_path is not None else DEFAULT_MAP
        try:
            saved: int | None = path.stat().st_mtime_ns
        except (OSError, ValueError):
            saved = None  # load_checked says what is wrong with it, as rex check-map would
        key: tuple = ("path", str(path.resolve()), saved, Stage.key(tuning))
        if key not in _STAGES or saved is None:
            level = load_checked(path)
    else:
        key = ("level", level.content_hash, Stage.key(tuning))
    if key not in _STAGES:
        if len(_STAGES) >= 2:  # a process trains on a map or two; keep memory flat
            _STAGES.pop(next(iter(_STAGES)))
        assert level is not None
        _STAGES[key] = (level, build_stage(level, tuning))
    return _STAGES[key]


@dataclass
class Options:
    """What an episode is: the map, the cast, the tuning, the decision rate and the limit."""

    map_path: str | Path | None = None
    level: Level | None = None
    tuning: Tuning = DEFAULT
    police: bool = True
    civilians: bool = True
    decide_every: int = 10
    max_seconds: float | None = None

    def __post_init__(self) -> None:
        if isinstance(self.tuning, dict):
            self.tuning = DEFAULT.replace(**self.tuning)
        if int(self.decide_every) < 1:
            raise ValueError(f"decide_every must be 1 or more, not {self.decide_every}")
        if self.max_seconds is not None and not self.max_seconds > 0:
            raise ValueError(f"max_seconds must be positive, not {self.max_seconds}")


class Episode:
    """A chase stepped by its agents' roles (``roles`` by agent name, Mila's first)."""

    def __init__(self, options: Options, roles: dict[str, Any]):
        self.options = replace(options)
        self.level, self.stage = load_stage(options.map_path, options.level, options.tuning)
        self.roles = roles
        self.world: World | None = None
        self.events: tuple[ev.Event, ...] = ()

    @property
    def limit(self) -> int | None:
        seconds = self.options.max_seconds
        return None if seconds is None else round(seconds * World.tick_hz)

    def reset(self, seed: int) -> dict[str, dict[str, np.ndarray]]:
        o = self.options
        handler = any(getattr(role, "handler", False) for role in self.roles.values())
        self.world = World(self.level, seed, o.tuning, stage=self.stage, police=o.police,
                           civilians=o.civilians, handler=handler)
        self.events = ()
        for role in self.roles.values():
            role.start(self.world)
        return {name: role.observe(self.world, ()) for name, role in self.roles.items()}

    def step(self, actions: dict[str, Any]) -> tuple[dict[str, dict[str, np.ndarray]],
                                                     dict[str, float], bool, bool]:
        """Advance ``decide_every`` ticks (fewer if the chase ends) with each role's commands;
        observations, rewards, whether the chase ended, whether the time limit cut it."""
        world = self.world
        if world is None:
            raise RuntimeError("reset the episode before stepping it")
        mila = self.roles["mila"].commands(actions["mila"]) if "mila" in actions else IDLE
        dylan = self.roles.get("dylan")
        orders = dylan.orders(world, actions["dylan"]) if (
            dylan is not None and "dylan" in actions) else NO_ORDERS
        happened: list[ev.Event] = []
        limit = self.limit
        for _ in range(int(self.options.decide_every)):
            if world.ending is not None or (limit is not None and world.tick >= limit):
                break
            # The Handler's orders go out once, on the step's first tick, beside Mila's.
            happened.extend(step(world, mila, orders))
            orders = NO_ORDERS
        self.events = tuple(happened)
        ended = world.ending is not None
        cut = not ended and limit is not None and world.tick >= limit
        observations = {name: role.observe(world, self.events)
                        for name, role in self.roles.items()}
        rewards = {name: role.step_reward(world, self.events)
                   for name, role in self.roles.items()}
        return observations, rewards, ended, cut

    def info(self) -> dict[str, Any]:
        """What happened, for ``info``: the tick, the seed, the ending, the step's events."""
        world = self.world
        assert world is not None
        return {"tick": world.tick, "seed": world.seed,
                "ending": None if world.ending is None else world.ending.ending,
                "events": [event.kind for event in self.events]}

    def state_hash(self) -> str:
        assert self.world is not None
        return self.world.state_hash()
