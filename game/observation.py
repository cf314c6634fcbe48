"""What a Mila policy sees on one tick: the ``Observation``, fair by construction.

A fair observation holds only what Mila could perceive: herself; Rex, the officers, the cars,
the passers-by and Dylan when she can see them (within ``mila.SIGHT`` tiles and in line of
sight: buildings, walls, hedges and forest hide what is behind them; people indoors are not
seen); Rex's stress and trust only while the HUD would show them to a player (he is seen and
within ``mila.METERS_RANGE``); what the command center's map and the radio tell every player
(the police's alert phase, Rex's last known position and its age); the map itself (terrain and
where she can walk); the scent within ``mila.SMELL_RANGE`` tiles of her; and the events she
could notice (the radio's news, what is said to her, and what happens where she can see).
``Observation(world, omniscient=True)`` lifts every limit, for research that wants the truth:
everyone, everywhere, every event, the whole scent field.

Everything is read-only and built only when first read, so a policy pays for what it looks at.
Names and units are documented field by field in docs/POLICIES.md; ``as_dict()`` gives it all
as plain JSON-ready data (without the grids).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Any, Generic, TypeVar

import numpy as np

from game.sim import events as ev
from game.sim import mila as mila_mod
from game.sim.perception import line_of_sight, sample_count

if TYPE_CHECKING:
    from game.sim.world import World

ARRIVED = 0.35  # tiles from a destination's centre that count as there
# Squared distances surely within and surely beyond mila.SIGHT (see Observation._in_range).
SIGHT2_INSIDE = mila_mod.SIGHT ** 2 * (1 - 1e-9)
SIGHT2_OUTSIDE = mila_mod.SIGHT ** 2 * (1 + 1e-9)

T = TypeVar("T")


class lazy(Generic[T]):
    """A property computed on first read and then kept in the instance: functools'
    cached_property without its lock (which costs a learning loop dearly in Python 3.11)."""

    def __init__(self, compute: Callable[[Any], T]):
        self.compute = compute
        self.name = compute.__name__
        self.__doc__ = compute.__doc__

    def __get__(self, instance: Any, owner: type | None = None) -> T:
        if instance is None:
            return self  # type: ignore[return-value]
        value = self.compute(instance)
        instance.__dict__[self.name] = value
        return value


@dataclass(frozen=True)
class Point:
    """A place in tiles: x east, y south; a cell's centre is at +0.5."""

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
    """Rex as she sees him. When she cannot see him, ``visible`` is False, his position,
    heading and state are None and his distance is infinite."""

    visible: bool
    position: Point | None
    heading: tuple[float, float] | None
    state: str | None  # restless, escaping, tracking, evading, cornered, wary, calming, bonded
    distance: float  # tiles from Mila (inf when unseen)
    stress: float | None  # 0..1, while the HUD shows the meters (seen, within METERS_RANGE)
    trust: float | None  # 0..1, likewise
    shielding: bool  # standing between her and a raised gun (False when unseen)


@dataclass(frozen=True)
class OfficerView:
    id: int
    position: Point
    facing: tuple[float, float]
    state: str  # standby, search, pursuit, perimeter, stand_down
    gun_raised: bool
    aiming: bool  # taking aim: a shot follows in about two seconds unless the aim breaks
    distance: float  # tiles from Mila


@dataclass(frozen=True)
class CarView:
    id: int
    position: Point
    heading: tuple[float, float]
    siren: bool
    parked: bool
    crew: int  # officers still inside
    distance: float


@dataclass(frozen=True)
class CivilianView:
    id: int
    position: Point
    state: str  # walk, flee, film, grab, indoors
    panicked: bool  # fleeing, filming or grabbing: frightened enough to act on it
    filming: bool  # a phone pointed at Rex
    distance: float


@dataclass(frozen=True)
class DylanView:
    position: Point
    facing: tuple[float, float]
    state: str  # command_center, running, arrived, done
    distance: float


@dataclass(frozen=True)
class PasserBy:
    """The passer-by who rushes to pull Mila away, while he does."""

    position: Point
    reaching: bool  # reaching out for her: step back now


@dataclass(frozen=True)
class ScentPatch:
    """The collar's scent (and the distractors') on the cells around Mila.

    ``values[j, i]`` is the scent of cell (x0 + i, y0 + j); cells off the map are NaN."""

    x0: int
    y0: int
    values: np.ndarray  # float32 [2r+1, 2r+1], read-only


# Events the radio or the people beside her tell her, wherever they happen.
TOLD = (ev.Radio, ev.Speech, ev.PhaseChanged, ev.StandDown, ev.Ending, ev.LatchGave,
        ev.CollarRecognised, ev.GrabAttempt, ev.GrabbedMila, ev.GrabMissed, ev.RexStartled,
        ev.RexReachedMila)
# Events about Rex she notices only while she sees him.
ABOUT_REX = (ev.RexStateChanged, ev.MetersChanged, ev.Shielding, ev.RexTell, ev.RexLeapt,
             ev.RexSniffed, ev.Caught)
# Events about one unit or passer-by, noticed while she sees that one.
ABOUT_UNIT = (ev.AimStarted, ev.AimCancelled, ev.ShotFired)
ABOUT_CAR = (ev.CarDeployed,)
ABOUT_CIVILIAN = (ev.Panic, ev.Filming, ev.WentIndoors)
# Where an event happened, for those that say it (a sighting is Rex's place; a phone report
# the caller's guess): noticed while she sees the place.
AT_A_PLACE = (ev.RexEscaped, ev.Sighting, ev.PhoneReport, ev.Announcement)


def _readonly(array: np.ndarray) -> np.ndarray:
    view = array.view()
    view.flags.writeable = False
    return view


class Observation:
    """What a Mila policy may look at on one tick (see the module docstring and
    docs/POLICIES.md). ``events`` are the events since the policy last decided."""

    def __init__(self, world: World, events: tuple[ev.Event, ...] | list[ev.Event] = (), *,
                 omniscient: bool = False):
        self._world = world
        self._events = tuple(events)
        self.omniscient = omniscient
        self.tick = world.tick
        self.seed = world.seed
        self.maple_tree = Point(*world.stage.maple_tree)
        self.spawn = Point(*world.stage.mila_spawn)
        self._seen_groups: dict[str, list[bool]] = {}
        self._mx, self._my = float(world.mila.x), float(world.mila.y)  # her place, for sight

    # -- time -------------------------------------------------------------------------------

    @property
    def seconds(self) -> float:
        return self._world.seconds

    @property
    def clock(self) -> str:
        return self._world.clock_text()

    @property
    def seconds_to_sunset(self) -> float:
        return self._world.seconds_to_sunset

    # -- what she sees ----------------------------------------------------------------------

    def _sees(self, xs: list[float], ys: list[float]) -> np.ndarray:
        """For things at (xs, ys): True where Mila can see them (always, when omniscient)."""
        if self.omniscient or not xs:
            return np.ones(len(xs), bool)
        mila = self._world.mila
        x, y = np.array(xs, np.float64), np.array(ys, np.float64)
        near = np.hypot(x - mila.x, y - mila.y) <= mila_mod.SIGHT
        seen = np.zeros(len(xs), bool)
        if near.any():
            seen[near] = line_of_sight(self._world.level.blocks_sight, x[near], y[near],
                                       mila.x, mila.y)
        return seen

    @lazy
    def _groups(self) -> dict[str, list[Any]]:
        """Everyone she might see, by group (passers-by indoors only when omniscient)."""
        world = self._world
        crowd = world.crowd
        return {"rex": [world.rex], "dylan": [world.dylan],
                "officers": [o for o in world.police.officers if o.car is None],
                "cars": list(world.police.cars),
                "civilians": list(crowd.civilians if self.omniscient else crowd.walking)}

    def _in_range(self, agent: Any) -> bool:
        """Whether ``agent`` is within her sight: np.hypot's distance at most ``mila.SIGHT``.

        The squared distance settles all but a hair's breadth around SIGHT (its rounding
        error is a millionth of that band's), and costs a tenth of a call to np.hypot."""
        dx, dy = agent.x - self._mx, agent.y - self._my
        d2 = dx * dx + dy * dy
        return d2 < SIGHT2_INSIDE or (d2 <= SIGHT2_OUTSIDE
                                      and bool(np.hypot(dx, dy) <= mila_mod.SIGHT))

    @lazy
    def _samples(self) -> int:
        """The line-of-sight sample count of everyone within her sight (0: nobody).

        It is the count one line-of-sight call over all of them would use (set by the
        farthest), so that each group, looked at only when a policy asks for it, gets the
        answers of that one call: her games stay the same whichever groups a policy reads."""
        mx, my = self._mx, self._my
        # _in_range written out: a Python loop over some sixty agents with no call per agent
        # costs a third of gathering them into numpy arrays.
        farthest = -1.0
        for members in self._groups.values():
            for agent in members:
                dx, dy = agent.x - mx, agent.y - my
                d2 = dx * dx + dy * dy
                if d2 > farthest and (d2 < SIGHT2_INSIDE or (
                        d2 <= SIGHT2_OUTSIDE and self._in_range(agent))):
                    farthest = d2
        return sample_count(farthest) if farthest >= 0 else 0

    def _seen(self, name: str) -> tuple[list[Any], list[bool]]:
        """A group's members and whether she sees each (all, when omniscient)."""
        members = self._groups[name]
        if self.omniscient:
            return members, [True] * len(members)
        known = self._seen_groups.get(name)
        if known is not None:
            return members, known
        near = [self._in_range(agent) for agent in members]
        if all(self._open_between(agent) for agent, close in zip(members, near, strict=True)
               if close):
            seen = near  # the usual case: no line to sample, no sample count to find
        else:
            xs = np.array([a.x for a, close in zip(members, near, strict=True) if close],
                          np.float64)
            ys = np.array([a.y for a, close in zip(members, near, strict=True) if close],
                          np.float64)
            clear = iter(line_of_sight(self._world.level.blocks_sight, xs, ys, self._mx,
                                       self._my, self._samples).tolist())
            seen = [close and next(clear) for close in near]
        self._seen_groups[name] = seen
        return members, seen

    def _open_between(self, agent: Any) -> bool:
        """Nothing that blocks sight in the cells around the rectangle between her and
        ``agent``: then line of sight sees him whatever its sample count, for every sample
        lies in that rectangle (a cell wider on each side for the samples' rounding)."""
        blocks = self._world.level.blocks_sight
        x0, x1 = sorted((math.floor(agent.x), math.floor(self._mx)))
        y0, y1 = sorted((math.floor(agent.y), math.floor(self._my)))
        return not blocks[max(0, y0 - 1):y1 + 2, max(0, x0 - 1):x1 + 2].any()

    def sees(self, point: Point) -> bool:
        """Whether Mila can see the place ``point`` (in range and in line of sight)."""
        return bool(self._sees([point.x], [point.y])[0])

    def _distance(self, x: float, y: float) -> float:
        mila = self._world.mila
        return math.hypot(x - mila.x, y - mila.y)

    @lazy
    def mila(self) -> MilaView:
        m = self._world.mila
        return MilaView(Point(m.x, m.y), m.facing, m.moving, m.running, m.posture, m.whispering,
                        m.breath, m.out_of_breath, m.hand_up, m.showing_collar, m.grabbed)

    @lazy
    def rex(self) -> RexView:
        r = self._world.rex
        distance = self._distance(r.x, r.y)
        if not self._seen("rex")[1][0]:
            return RexView(False, None, None, None, math.inf, None, None, False)
        meters = self.omniscient or distance <= mila_mod.METERS_RANGE
        return RexView(True, Point(r.x, r.y), r.heading, str(r.state), distance,
                       r.stress if meters else None, r.trust if meters else None, r.shielding)

    @lazy
    def officers(self) -> tuple[OfficerView, ...]:
        """Officers on foot she can see (officers in a car are its ``crew``)."""
        return tuple(OfficerView(o.id, Point(o.x, o.y), o.heading, str(o.state), o.gun_raised,
                                 o.aim is not None, self._distance(o.x, o.y))
                     for o, visible in zip(*self._seen("officers"),
                                           strict=True) if visible)

    @lazy
    def cars(self) -> tuple[CarView, ...]:
        return tuple(CarView(c.id, Point(c.x, c.y), c.heading, c.siren_on, c.parked,
                             len(c.crew), self._distance(c.x, c.y))
                     for c, visible in zip(*self._seen("cars"), strict=True)
                     if visible)

    @lazy
    def civilians(self) -> tuple[CivilianView, ...]:
        """Passers-by she can see (nobody indoors, unless omniscient)."""
        return tuple(CivilianView(c.id, Point(c.x, c.y), str(c.state),
                                  c.state in ("flee", "film", "grab"), c.phone_up,
                                  self._distance(c.x, c.y))
                     for c, visible in zip(*self._seen("civilians"),
                                           strict=True) if visible)

    @lazy
    def dylan(self) -> DylanView | None:
        """Dylan Mercer, Rex's handler, when she can see him."""
        d = self._world.dylan
        if not self._seen("dylan")[1][0]:
            return None
        return DylanView(Point(d.x, d.y), d.heading, str(d.state), self._distance(d.x, d.y))

    @property
    def guns_raised(self) -> int:
        """Raised tranquilizer rifles among the officers she can see."""
        return sum(o.gun_raised for o in self.officers)

    @lazy
    def grabber(self) -> PasserBy | None:
        crowd = self._world.crowd
        if crowd.grabber is None or crowd.grab_done:
            return None
        person = crowd.civilians[crowd.grabber]
        if not any(c.id == person.id for c in self.civilians):
            return None
        return PasserBy(Point(person.x, person.y), person.grab_until > 0)

    # -- what the radio and the command center's map tell everyone --------------------------

    @property
    def phase(self) -> str:
        """The police's alert phase (standby, search, pursuit, containment, stand_down)."""
        police = self._world.police
        return str(police.phase) if police.on else "none"

    @property
    def last_known(self) -> Point | None:
        """Where the dispatcher last placed Rex (a sighting or a phone report), or None."""
        police = self._world.police
        if police.dispatcher.last_known is None:
            return None
        return Point(*police.dispatcher.last_known)

    @property
    def last_known_age(self) -> float | None:
        """Seconds since the dispatcher's last known position was set, or None."""
        police = self._world.police
        if police.dispatcher.last_known is None:
            return None
        return (self._world.tick - police.dispatcher.last_known_tick) / self._world.tick_hz

    @lazy
    def events(self) -> tuple[ev.Event, ...]:
        """The events since the policy last decided that she could notice, oldest first."""
        if self.omniscient:
            return self._events
        return tuple(event for event in self._events if self._noticed(event))

    def _noticed(self, event: ev.Event) -> bool:
        world = self._world
        if isinstance(event, TOLD):
            return True
        if isinstance(event, ABOUT_REX):
            return self.rex.visible
        if isinstance(event, ABOUT_UNIT):
            return any(o.id == event.unit for o in self.officers)
        if isinstance(event, ABOUT_CAR):
            return any(c.id == event.car for c in self.cars)
        if isinstance(event, ABOUT_CIVILIAN):
            person = world.crowd.civilians[event.civilian]
            return bool(self._sees([person.x], [person.y])[0])
        if isinstance(event, AT_A_PLACE):
            return bool(self._sees([event.x], [event.y])[0])
        return False  # Rex's search modes and anything else are his or the police's own

    # -- the map ----------------------------------------------------------------------------

    @property
    def terrain(self) -> np.ndarray:
        """The map's terrain ids, uint8 [y, x] (``game.contract.TERRAIN_NAMES[id - 1]``)."""
        return _readonly(self._world.level.terrain)

    @property
    def walkable(self) -> np.ndarray:
        """Where Mila can walk, bool [y, x]."""
        return _readonly(self._world.stage.walkable)

    @property
    def blocks_sight(self) -> np.ndarray:
        """What hides what is behind it, bool [y, x]."""
        return _readonly(self._world.level.blocks_sight)

    def scent_near(self, radius: int = mila_mod.SMELL_RANGE) -> ScentPatch:
        """The scent on the cells within ``radius`` of hers (at most SMELL_RANGE unless
        omniscient), as Rex smells it: the collar's field plus the distractors."""
        if not self.omniscient:
            radius = min(radius, mila_mod.SMELL_RANGE)
        world = self._world
        cx, cy = world.mila.cell
        x0, y0 = cx - radius, cy - radius
        size = 2 * radius + 1
        patch = np.full((size, size), np.nan, np.float32)
        height, width = world.level.terrain.shape
        xa, ya = max(0, x0), max(0, y0)
        xb, yb = min(width, x0 + size), min(height, y0 + size)
        if xa < xb and ya < yb:
            patch[ya - y0:yb - y0, xa - x0:xb - x0] = world.scent.perceived_window(xa, ya, xb, yb)
        return ScentPatch(x0, y0, _readonly(patch))

    @property
    def scent(self) -> np.ndarray:
        """The whole scent field, float [y, x]: omniscient observations only."""
        if not self.omniscient:
            raise AttributeError("the whole scent field is for omniscient observations; "
                                 "scent_near() gives what Mila can smell")
        height, width = self._world.level.terrain.shape
        return _readonly(self._world.scent.perceived_window(0, 0, width, height))

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

    # -- as data ----------------------------------------------------------------------------

    def as_dict(self) -> dict[str, Any]:
        """Everything above except the grids, as plain JSON-ready values."""
        plain: dict[str, Any] = _plain({
            "tick": self.tick, "seed": self.seed, "seconds": self.seconds,
            "clock": self.clock, "seconds_to_sunset": self.seconds_to_sunset,
            "omniscient": self.omniscient, "mila": asdict(self.mila), "rex": asdict(self.rex),
            "officers": [asdict(o) for o in self.officers],
            "cars": [asdict(c) for c in self.cars],
            "civilians": [asdict(c) for c in self.civilians],
            "dylan": None if self.dylan is None else asdict(self.dylan),
            "guns_raised": self.guns_raised,
            "grabber": None if self.grabber is None else asdict(self.grabber),
            "phase": self.phase, "last_known": self.last_known,
            "last_known_age": self.last_known_age,
            "events": [event.as_json() for event in self.events],
            "maple_tree": self.maple_tree, "spawn": self.spawn,
        })
        return plain


def _plain(value: Any) -> Any:
    """Points as dicts, tuples as lists, numpy scalars as Python numbers, inf as None."""
    if isinstance(value, Point):
        return {"x": value.x, "y": value.y}
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(item) for item in value]
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value
