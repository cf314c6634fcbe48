"""What the Handler sees on one tick: the command center's picture, with its fog of war.

A ``HandlerObservation`` holds what the command center knows and nothing else: every unit's
position, heading, state and posture (they report in), the patrol cars, Dylan, the dispatcher's
phase, Rex's last known position and how old it is, the phone reports of the last
``report_memory`` seconds as circles (their centre is where the caller said, blurred by up to
the radius), the desk's own cordon, roadblocks and loudspeaker, and the events the command
center hears (radio, phase changes, sightings, reports, shots, the stand-down, the ending).
Rex himself (``rex``) is there only while a unit or Dylan sees him, at the position they see;
otherwise it is None, and nothing in the observation is computed from where he truly is.

It is built eagerly from the World and keeps no reference to it, so a Handler policy cannot
reach past the fog. docs/POLICIES.md documents every field; ``as_dict()`` gives it as plain
JSON-ready data.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Any

from game.observation import Point
from game.sim import dylan as dylan_mod
from game.sim import events as ev

if TYPE_CHECKING:
    from game.level import Level
    from game.sim.world import World

# The events the command center hears; everything else happens out of its sight.
HEARD = (ev.Radio, ev.PhaseChanged, ev.Sighting, ev.PhoneReport, ev.ShotFired, ev.AimStarted,
         ev.AimCancelled, ev.CarDeployed, ev.StandDown, ev.Caught, ev.Ending,
         ev.Announcement, ev.CalmMessage)


@dataclass(frozen=True)
class UnitView:
    """An officer as the command center sees him (he reports his position and what he does)."""

    id: int
    position: Point
    heading: tuple[float, float]
    state: str  # in_car, standby, search, pursuit, perimeter, ordered, stand_down
    posture: str  # hold_fire or cleared
    car: int | None  # the car he rides in, or None on foot
    sees_rex: bool
    order: tuple[int, int] | None  # the cell the Handler sent him to (None: the dispatcher's)
    gun_raised: bool
    aiming: bool


@dataclass(frozen=True)
class PatrolCarView:
    id: int
    position: Point
    heading: tuple[float, float]
    crew: tuple[int, ...]  # officers aboard
    parked: bool
    roadblock: tuple[int, int] | None  # the road cell it was sent to block
    siren: bool


@dataclass(frozen=True)
class HandlerDylanView:
    position: Point
    heading: tuple[float, float]
    state: str  # command_center, running, arrived, done
    under_orders: bool  # the Handler has taken him (his AI no longer moves him)
    target: tuple[int, int] | None
    sees_rex: bool  # Rex within earshot and in his sight
    can_order: bool  # "Lower your weapons" would be carried out now


@dataclass(frozen=True)
class RexSighting:
    """Rex, seen by a unit or by Dylan this tick."""

    position: Point
    heading: tuple[float, float]
    behaviour: str  # what a watcher can tell: his state (tracking, evading, cornered ...)
    seen_by: tuple[int, ...]  # officer ids; -1 for Dylan


@dataclass(frozen=True)
class ReportView:
    """A phone report: the caller's position for Rex, off by up to ``radius`` tiles."""

    position: Point
    radius: float
    age: float  # seconds since it reached the dispatcher


class HandlerObservation:
    """The command center's picture on one tick (see the module docstring)."""

    def __init__(self, world: World, events: tuple[ev.Event, ...] | list[ev.Event] = ()):
        police, desk, rex, t = world.police, world.handler, world.rex, world.tuning
        hz = world.tick_hz
        self.tick = world.tick
        self.seed = world.seed
        self.seconds = world.seconds
        self.clock = world.clock_text()
        self.seconds_to_sunset = world.seconds_to_sunset
        self.level: Level = world.level  # the map: fixed for the game, no one on it
        self.ending = None if world.ending is None else world.ending.ending
        officers = police.officers
        self.units = tuple(UnitView(
            o.id, Point(o.x, o.y), o.heading, o.state,
            desk.postures.get(o.id, "cleared"), o.car, o.sees, desk.unit_orders.get(o.id),
            o.gun_raised, o.aim is not None) for o in officers)
        self.cars = tuple(PatrolCarView(
            c.id, Point(c.x, c.y), c.heading, tuple(c.crew), c.parked,
            desk.roadblocks.get(c.id), c.siren_on) for c in police.cars)
        dylan = world.dylan
        dylan_sees = police.on and dylan_mod.sees_rex(world)
        self.dylan = HandlerDylanView(
            Point(dylan.x, dylan.y), dylan.heading, dylan.state, desk.has_dylan,
            desk.dylan_target, dylan_sees,
            dylan_sees and dylan_mod.may_order(world, sees=dylan_sees)[0])
        seen_by = tuple(u.id for u in self.units if u.sees_rex) + ((-1,) if dylan_sees else ())
        self.rex = RexSighting(Point(rex.x, rex.y), rex.heading, rex.state,
                               seen_by) if seen_by else None
        d = police.dispatcher
        self.phase = d.phase
        self.last_known = None if d.last_known is None else Point(*d.last_known)
        self.last_known_age = None if self.last_known is None else (
            (world.tick - d.last_known_tick) / hz)
        self.reports = tuple(ReportView(Point(x, y), error, (world.tick - tick) / hz)
                             for tick, x, y, error in desk.reports)
        self.cordon = desk.cordon
        self.roadblocks = dict(sorted(desk.roadblocks.items()))
        self.loudspeaker_ready_in = max(0.0, (desk.loudspeaker_ready - world.tick) / hz)
        self.orders_on_the_radio = len(desk.pending)
        self.orders_given = dict(desk.counts)
        self.radio_delay = t.handler_radio_delay
        self.events = tuple(e for e in events if isinstance(e, HEARD))

    def unit(self, unit_id: int) -> UnitView:
        return self.units[unit_id]

    def on_foot(self) -> tuple[UnitView, ...]:
        return tuple(u for u in self.units if u.car is None)

    def best_guess(self) -> Point | None:
        """Where Rex most likely is: seen now, else the last known position, else the newest
        phone report."""
        if self.rex is not None:
            return self.rex.position
        if self.last_known is not None:
            return self.last_known
        return self.reports[-1].position if self.reports else None

    def walkable_near(self, point: Point, reach: int = 6) -> tuple[int, int] | None:
        """The walkable cell nearest ``point`` (within ``reach`` cells), for a move order."""
        return _nearest(self.level, point, reach, road=False)

    def road_near(self, point: Point, reach: int = 12) -> tuple[int, int] | None:
        """The road cell nearest ``point`` (within ``reach`` cells), for a roadblock."""
        return _nearest(self.level, point, reach, road=True)

    def as_dict(self) -> dict[str, Any]:
        """Everything as plain JSON-ready data (the map itself left out)."""
        return {
            "tick": self.tick, "seed": self.seed, "seconds": self.seconds, "clock": self.clock,
            "seconds_to_sunset": self.seconds_to_sunset, "ending": self.ending,
            "phase": self.phase, "units": [asdict(u) for u in self.units],
            "cars": [asdict(c) for c in self.cars], "dylan": asdict(self.dylan),
            "rex": None if self.rex is None else asdict(self.rex),
            "last_known": None if self.last_known is None else asdict(self.last_known),
            "last_known_age": self.last_known_age,
            "reports": [asdict(r) for r in self.reports], "cordon": self.cordon,
            "roadblocks": {str(k): list(v) for k, v in self.roadblocks.items()},
            "loudspeaker_ready_in": self.loudspeaker_ready_in,
            "orders_on_the_radio": self.orders_on_the_radio,
            "orders_given": self.orders_given, "radio_delay": self.radio_delay,
            "events": [e.as_json() for e in self.events]}


def _nearest(level: Level, point: Point, reach: int, *, road: bool) -> tuple[int, int] | None:
    from game.contract import TERRAIN_ID

    x, y = math.floor(point.x), math.floor(point.y)
    for radius in range(reach + 1):
        ring = [(x + dx, y + dy) for dy in range(-radius, radius + 1)
                for dx in range(-radius, radius + 1) if max(abs(dx), abs(dy)) == radius]
        for cx, cy in sorted(ring, key=lambda c: (math.hypot(c[0] - x, c[1] - y), c[1], c[0])):
            if not level.inside(cx, cy):
                continue
            if road and level.terrain[cy, cx] == TERRAIN_ID["road"] and math.isfinite(
                    float(level.cost["car"][cy, cx])):
                return cx, cy
            if not road and math.isfinite(float(level.cost["foot"][cy, cx])):
                return cx, cy
    return None
