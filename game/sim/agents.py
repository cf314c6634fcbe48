"""What each agent is, apart from what it does: Rex, Mila, Dylan, the passers-by and the crowd,
the officers, cars and dispatcher of the police force, and the Handler's desk, as data classes
with the constructors that place them at the start of a game.

The rules that move them live in one module each (``rex``, ``mila``, ``dylan``, ``civilians``,
``police``, ``handler``, ``bond``) and take the ``World``; the ``World`` holds these objects.
Keeping the data here, below both, is what lets the World name its agents' types without
naming the rules that take it (no import cycle, not even through type hints). A state machine's
field changes only through its checked function (``game.sim.states``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import cast

import numpy as np

from game.contract import TERRAIN_ID
from game.level import Level
from game.sim import events as ev
from game.sim.fields import WindowField
from game.sim.ground import Plan
from game.sim.motion import Stride
from game.sim.orders import HOLD_FIRE, Order
from game.sim.scent import TICK_HZ
from game.sim.stage import Stage
from game.sim.states import (
    CIVILIAN_MOVES,
    DYLAN_MOVES,
    CivilianState,
    DylanState,
    OfficerState,
    Phase,
    RexState,
    Search,
    check,
)
from game.tuning import Tuning

TELL_SECONDS = (4.0, 9.0)  # restless growls and whines come this often
# How much people like to walk on each kind of ground (sidewalks and paths most).
PREFERENCE = {"sidewalk": 1.0, "path": 1.0, "bridge": 0.9, "floor": 0.6, "grass": 0.45,
              "forest": 0.1, "road": 0.0}


# -- Rex ----------------------------------------------------------------------------------------


@dataclass
class Leap:
    x0: float
    y0: float
    x1: float
    y1: float
    start_tick: int
    ticks: int

    def progress(self, tick: int) -> float:
        return min(1.0, (tick - self.start_tick) / self.ticks)


@dataclass
class Cast:
    """Casting about: widening loops round where he lost the ground scent."""

    centre: tuple[float, float]
    angle: float = 0.0


@dataclass
class Sniff:
    """Checking a distracting smell, until a tick."""

    until: int


@dataclass
class Progress:
    """The lowest ground cost he has stood on, and when (a Rex the police keep turning back
    stops letting them after ``rex_stuck_seconds`` without getting closer)."""

    best: float = math.inf
    tick: int = 0
    version: int = -1  # the coarse snapshot the costs belong to


@dataclass
class Rex:
    x: float
    y: float
    latch_tick: int
    heading: tuple[float, float] = (0.0, 1.0)
    state: RexState = RexState.RESTLESS
    search: Search = Search.FOLLOW
    target: tuple[int, int] | None = None
    leap: Leap | None = None
    recent: list[tuple[int, int]] = field(default_factory=list)
    escaped_tick: int | None = None
    reached_tick: int | None = None
    plan: Plan | None = None  # his window of the ground scent (game.sim.ground)
    cast: Cast | None = None  # the loops of his last cast (kept while he is not casting)
    sniff: Sniff | None = None  # while he checks a smell
    progress: Progress = field(default_factory=Progress)
    sniffed: list[int] = field(default_factory=list)
    next_tell: int = 0
    stress: float = 0.0
    stamina: float = 1.0
    flee: WindowField | None = None
    exhausted: bool = False
    threat_tick: int = -1_000_000  # last tick he saw police
    trust: float = 0.0
    pressure: float = 0.0  # stress per second from what is around him, refreshed 10 times a second
    pressure_cause: str = "nothing"
    calm_since: int = -1  # since when he has been calm enough to bond without the collar
    shield_target: tuple[float, float] | None = None  # where he stands to shield her
    cornered_tick: int = -1  # when he was last cornered
    flee_threats: tuple[tuple[int, int], ...] = ()

    @property
    def cell(self) -> tuple[int, int]:
        return math.floor(self.x), math.floor(self.y)

    @property
    def shielding(self) -> bool:
        return self.shield_target is not None

    @classmethod
    def in_kennel(cls, level: Level, stage: Stage, tuning: Tuning,
                  rng: np.random.Generator) -> Rex:
        """Rex in his kennel, with the seeded time at which the latch will give."""
        spawn = level.one("rex_spawn")
        latest = stage.latch_s
        earliest = latest * tuning.rex_latch_earliest
        latch_tick = int(rng.uniform(earliest, latest) * TICK_HZ)
        rex = cls(spawn.cell[0] + 0.5, spawn.cell[1] + 0.5, latch_tick=latch_tick)
        rex.next_tell = int(rng.uniform(*TELL_SECONDS) * TICK_HZ)
        return rex


# -- Mila and Dylan -----------------------------------------------------------------------------


@dataclass
class Mila:
    x: float
    y: float
    facing: tuple[float, float] = (0.0, 1.0)
    moving: bool = False
    running: bool = False
    grabbed_until: int = 0  # a passer-by pulls her away from Rex until this tick
    grabbed_by: int | None = None
    grabbed: bool = False
    posture: str = "stand"  # or "kneel"
    whispering: bool = False
    breath: float = 1.0  # whispering spends it; it refills when she stops
    out_of_breath: bool = False  # until it refills to BREATH_AGAIN
    hand_up: bool = False
    hand_since: int = 0  # when she started lifting her hand (it counts after a moment)
    showing_collar: bool = False
    collar_shown: bool = False  # this showing has been judged already

    @property
    def cell(self) -> tuple[int, int]:
        return math.floor(self.x), math.floor(self.y)

    @classmethod
    def at_spawn(cls, level: Level) -> Mila:
        x, y = level.one("mila_spawn").cell
        return cls(x + 0.5, y + 0.5)


@dataclass
class Dylan:
    x: float
    y: float
    heading: tuple[float, float] = (0.0, 1.0)
    state: DylanState = DylanState.COMMAND_CENTER
    stride: Stride | None = None

    @property
    def cell(self) -> tuple[int, int]:
        return math.floor(self.x), math.floor(self.y)

    @classmethod
    def at_desk(cls, level: Level) -> Dylan:
        """Dylan at the command center."""
        x, y = level.one("dylan_spawn").cell
        return cls(x + 0.5, y + 0.5)

    def set_state(self, state: DylanState) -> None:
        """Dylan's one way to change state (IllegalTransition for a change no rule makes)."""
        check(DYLAN_MOVES, self.state, state)
        self.state = state


# -- the passers-by -----------------------------------------------------------------------------

_INDOORS = CivilianState.INDOORS  # a module name: reading the enum member costs 0.2 us (3.11)


@dataclass
class Civilian:
    id: int
    x: float
    y: float
    variant: int
    filmer: bool  # if frightened, films rather than flees
    heading: tuple[float, float] = (1.0, 0.0)
    state: CivilianState = CivilianState.WALK
    fear: float = 0.0
    phone_up: bool = False
    phoned: bool = False
    stride: Stride | None = None
    grab_until: int = 0
    hiding: bool = False  # fleeing, but holding back: the way in passes Rex
    # The flee map (by the cell of Rex it was made round) whose dip he reached: he heads in
    # instead, until Rex has moved on and a new flee map is made.
    dip_of: tuple[int, int] | None = None

    @property
    def cell(self) -> tuple[int, int]:
        return math.floor(self.x), math.floor(self.y)

    @property
    def active(self) -> bool:
        return self.state != _INDOORS  # read for everyone every tick: see _INDOORS

    def set_state(self, state: CivilianState) -> None:
        """A passer-by's one way to change state (IllegalTransition for a change no rule
        makes)."""
        check(CIVILIAN_MOVES, self.state, state)
        self.state = state


class Crowd:
    """Everyone out in the streets. Switched off (``on`` false), it is a crowd of nobody:
    an update of no one does nothing, so callers read it like any other."""

    def __init__(self, level: Level, stage: Stage, tuning: Tuning, rng: np.random.Generator,
                 on: bool = True):
        self.on = on
        self.civilians: list[Civilian] = []
        self.preference = np.zeros(level.terrain.shape, np.float32)
        for name, value in PREFERENCE.items():
            self.preference[level.terrain == TERRAIN_ID[name]] = value
        # Fast scalar reads in Python loops.
        self.preference_rows = cast("list[list[float]]", self.preference.tolist())
        self.door_rows = cast("list[list[float]]", stage.to_door.tolist())
        self.flee: WindowField | None = None
        self.flee_from: tuple[int, int] | None = None
        self.grabber: int | None = None
        self.grab_done = False
        self.counts = {"indoors": 0, "filming_peak": 0, "panicked": 0}
        self.walking: list[Civilian] = []  # everyone not yet indoors
        walkable = stage.walkable
        for spawn in level.of_kind("civilian_spawn") if on else []:
            cells = [tuple(c) for c in spawn.cells if walkable[c[1], c[0]]]
            if not cells:
                continue
            for _ in range(int(spawn.properties["count"])):
                x, y = cells[int(rng.integers(len(cells)))]
                angle = rng.uniform(0, 2 * math.pi)
                self.civilians.append(Civilian(
                    len(self.civilians), x + rng.uniform(0.3, 0.7), y + rng.uniform(0.3, 0.7),
                    int(rng.integers(4)), bool(rng.random() < tuning.filmer_share),
                    heading=(math.cos(angle), math.sin(angle))))
        self.walking = list(self.civilians)

    def filming(self) -> int:
        return sum(1 for c in self.civilians if c.state == CivilianState.FILM)

    def door_at(self, x: int, y: int) -> float:
        return self.door_rows[y][x]


# -- the police -------------------------------------------------------------------------------


@dataclass
class Aim:
    target_x: float
    target_y: float
    progress: float = 0.0  # 0..1 of the telegraph


@dataclass
class Officer:
    id: int
    x: float
    y: float
    state: OfficerState
    heading: tuple[float, float] = (0.0, 1.0)
    car: int | None = None
    stride: Stride | None = None  # walking into the next cell of his route
    route: tuple[int, int] | None = None  # where his route leads (search block, slot)
    meter: float = 0.0  # how sure he is that he sees Rex (1 = sure)
    sees: bool = False
    seen_tick: int = -1_000_000  # when he last saw Rex: a new sighting needs a gap
    gun_raised: bool = False
    aim: Aim | None = None
    reload_until: int = 0
    idle_until: int = 0  # nowhere to go: he looks again at this tick (or on new orders)
    vision_range: float = 0.0
    vision_half_angle: float = 0.0

    @property
    def cell(self) -> tuple[int, int]:
        return math.floor(self.x), math.floor(self.y)


@dataclass
class Car:
    id: int
    x: float
    y: float
    heading: tuple[float, float] = (1.0, 0.0)
    crew: list[int] = field(default_factory=list)
    route: tuple[int, int] | None = None  # road cell it drives to
    stride: Stride | None = None
    siren_on: bool = False
    parked: bool = False

    @property
    def cell(self) -> tuple[int, int]:
        return math.floor(self.x), math.floor(self.y)


@dataclass
class Dispatcher:
    phase: Phase = Phase.STANDBY
    phase_tick: int = 0
    alarm_tick: int | None = None
    last_known: tuple[float, float] | None = None
    last_known_tick: int = -1
    last_sighting_tick: int = -1
    belief: np.ndarray | None = None
    pending_reports: list[ev.PhoneReport] = field(default_factory=list)
    next_assign: int = 0
    next_broadcast: int = 0
    log: list[tuple[int, Phase]] = field(default_factory=lambda: [(0, Phase.STANDBY)])


@dataclass
class SharedField:
    """A distance field toward one target cell, shared by every unit chasing that target."""

    target: tuple[int, int]
    values: np.ndarray
    tick: int


class PoliceForce:
    """The dispatcher and every unit. Switched off (``on`` false), it is a force of nobody
    whose update does nothing: no officers, no cars, no phases, no calls taken, so the rest
    of the simulation reads it like any other without asking whether it is there."""

    def __init__(self, level: Level, stage: Stage, tuning: Tuning, on: bool = True):
        t = tuning
        self.on = on
        self.officers: list[Officer] = []
        self.cars: list[Car] = []
        self.dispatcher = Dispatcher() if on else Dispatcher(log=[])
        self.fields: dict[str, np.ndarray] = {}
        self.shared: dict[str, SharedField] = {}
        # Each unit's route: (destination, field toward it), kept until the destination changes.
        self.routes: dict[tuple[str, int], tuple[tuple[int, int], WindowField]] = {}
        self._scratch: np.ndarray | None = None
        self.slots: dict[int, tuple[int, int]] = {}
        self.slots_around: tuple[int, int] | None = None  # where Rex was when they were set
        self.slots_for: frozenset[int] = frozenset()  # the officers they were set for
        self.seen_by_rex: list[tuple[float, float]] = []  # units Rex can see
        self.counts = {"sightings": 0, "phone_reports": 0, "aims": 0, "shots": 0}
        self.tension_ticks = 0  # perimeter up, guns raised, no shot yet
        half = math.radians(t.vision_half_angle)
        spawns = level.of_kind("police_spawn") if on else []
        for spawn, car_cell in zip(spawns, stage.police_car_cells[:len(spawns)],
                                   strict=True):
            sx, sy = spawn.cell
            for k in range(int(spawn.properties["officers"])):
                x, y = _side_by_side(level, stage, sx, sy, k)
                self.officers.append(Officer(len(self.officers), x, y, OfficerState.STANDBY,
                                             vision_range=t.vision_range,
                                             vision_half_angle=half))
            for _ in range(int(spawn.properties["cars"])):
                if car_cell is None:
                    continue
                car = Car(len(self.cars), car_cell[0] + 0.5, car_cell[1] + 0.5)
                for _ in range(t.car_crew):
                    officer = Officer(len(self.officers), car.x, car.y, OfficerState.IN_CAR,
                                      car=car.id, vision_range=t.car_vision_range,
                                      vision_half_angle=half)
                    self.officers.append(officer)
                    car.crew.append(officer.id)
                self.cars.append(car)

    @property
    def phase(self) -> str:
        return self.dispatcher.phase

    def scratch(self, like: np.ndarray) -> np.ndarray:
        """A working array shaped like the search map, kept between updates."""
        if self._scratch is None or self._scratch.shape != like.shape:
            self._scratch = np.empty_like(like)
        return self._scratch

    def on_foot(self) -> list[Officer]:
        return [o for o in self.officers if o.car is None]


def _side_by_side(level: Level, stage: Stage, x: int, y: int, k: int) -> tuple[float, float]:
    """Officers of one spawn stand side by side on walkable cells around it."""
    ring = [(0, 0), (1, 0), (-1, 0), (0, 1), (0, -1), (1, 1), (-1, 1), (1, -1), (-1, -1)]
    for dx, dy in ring[k % len(ring):] + ring[:k % len(ring)]:
        if level.inside(x + dx, y + dy) and stage.walkable[y + dy, x + dx]:
            return x + dx + 0.5, y + dy + 0.5
    return x + 0.5, y + 0.5


# -- the Handler's desk -----------------------------------------------------------------------


@dataclass
class Desk:
    """What the command center has ordered and what is still on the radio."""

    active: bool
    pending: list[tuple[int, Order]] = field(default_factory=list)  # (tick it lands, order)
    unit_orders: dict[int, tuple[int, int]] = field(default_factory=dict)  # officer -> cell
    postures: dict[int, str] = field(default_factory=dict)  # officer -> hold_fire (else cleared)
    roadblocks: dict[int, tuple[int, int]] = field(default_factory=dict)  # car -> road cell
    cordon: tuple[int, int, int, int] | None = None
    has_dylan: bool = False  # the Handler has taken Dylan's feet: no more AI for him
    dylan_target: tuple[int, int] | None = None
    lower_weapons: bool = False  # "Lower your weapons" asked this tick
    loudspeaker_ready: int = 0  # tick from which the loudspeaker can speak again
    owns_loudspeaker: bool = False  # once used, the dispatcher's own warnings stop
    calm_until: int = -1  # Rex heard the calm message: his stress falls until then
    reports: list[tuple[int, float, float, float]] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=lambda: {
        "move": 0, "posture": 0, "roadblock": 0, "cordon": 0, "loudspeaker": 0, "dylan": 0,
        "lower_weapons": 0, "refused": 0, "led_out": 0})
    blocked: frozenset[tuple[int, int]] = frozenset()  # road cells under a parked roadblock
    dylan_route: tuple[tuple[int, int], WindowField] | None = None  # (target, field): a cache

    def holds_fire(self, officer_id: int) -> bool:
        return self.postures.get(officer_id) == HOLD_FIRE

    def in_cordon(self, x: int, y: int) -> bool:
        area = self.cordon
        return area is not None and area[0] <= x <= area[2] and area[1] <= y <= area[3]
