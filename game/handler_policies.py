"""Handler policies: what Dylan orders from the command center (HandlerCommands) given what the
command center knows (a HandlerObservation, with its fog of war).

A Handler policy has the same shape as a Mila policy (game/policies.py): a callable
``policy(observation) -> HandlerCommands``, or an object with ``act(observation)`` and,
optionally, ``reset(seed, level)``; the built-ins are made by name, your own is
``package.module:name``. ``HandlerPlayer`` runs one through a game: it asks the policy every
``DECIDE_EVERY`` ticks (the command center takes stock twice a second; orders are not repeated
in between, since each one is a radio call), checks what it returns against the map and the
units (game/sim/handler.py ``checked``) and reports any failure as one ``PolicyError`` line.

The built-ins: ``by_the_book`` gives no orders at all (the dispatcher alone, and Dylan's own
routine); ``gentle`` puts every unit on hold-fire, cordons the crowd round Rex's last known
position, plays the calm message and sends Dylan to the last known position to order the guns
down as soon as he may; ``aggressive`` leaves every unit cleared to fire and the dispatcher's
search and pursuit as they are, closes the officers in to three tiles round Rex once he is
contained (the cornering Dylan warns against) and sends the two nearest in to take him once
he is seen cornered, and from the first sighting has the warning shouted after him by the
cars' loudhailers and Dylan's bullhorn; Dylan never lowers the guns.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping
from typing import TYPE_CHECKING, Any

from game.handler_observation import HandlerObservation, Point
from game.policies import Player, PolicyError
from game.sim import handler as handler_mod
from game.sim.commands import CommandError
from game.sim.orders import (
    HOLD_FIRE,
    NO_ORDERS,
    Cordon,
    DylanTo,
    HandlerCommands,
    Loudspeaker,
    LowerWeapons,
    MoveUnits,
    Order,
    Roadblock,  # noqa: F401 - the policy-writer's types, importable from here
    SetPosture,
)
from game.watchdog import DEFAULT_SECONDS

if TYPE_CHECKING:
    from game.level import Level
    from game.sim.world import World

DECIDE_EVERY = 15  # ticks: the command center takes stock twice a second


def by_the_book(_: HandlerObservation) -> HandlerCommands:
    """No orders: the dispatcher runs the units and Dylan follows his routine."""
    return NO_ORDERS


def _far(a: tuple[int, int] | None, b: tuple[int, int] | None, cells: float) -> bool:
    return a is None or b is None or max(abs(a[0] - b[0]), abs(a[1] - b[1])) > cells


class Gentle:
    """Hold fire everywhere, cordon the crowd, calm message, Dylan to the last known position."""

    def __init__(self, cordon_radius: int = 7, follow_cells: int = 4, keep_back: float = 12.0):
        """``cordon_radius``: half the cordon's side, in tiles, round the last known position;
        ``follow_cells``: how far the guess must move before Dylan or the cordon follow it;
        ``keep_back``: officers on foot closer than this to the best guess are sent this far
        back from it, out of his notice (rex_sight, 10 tiles), so that nobody corners him
        (0: they follow the dispatcher)."""
        self.cordon_radius, self.follow_cells = int(cordon_radius), int(follow_cells)
        self.keep_back = float(keep_back)

    def reset(self, seed: int, level: Level | None) -> None:
        self.postured: set[int] = set()
        self.dylan_sent: tuple[int, int] | None = None
        self.cordon_at: tuple[int, int] | None = None
        self.held_back: set[int] = set()

    def act(self, obs: HandlerObservation) -> HandlerCommands:
        orders: list[Order] = []
        new = tuple(u.id for u in obs.units if u.id not in self.postured)
        if new:
            orders.append(SetPosture(new, HOLD_FIRE))
            self.postured.update(new)
        if obs.phase == "standby":
            return HandlerCommands(tuple(orders))
        if obs.dylan.can_order:
            orders.append(LowerWeapons())
        guess = obs.best_guess()
        if guess is not None and obs.dylan.state != "done":
            cell = obs.walkable_near(guess)
            if cell is not None and _far(cell, self.dylan_sent, self.follow_cells):
                orders.append(DylanTo(cell))
                self.dylan_sent = cell
        if obs.phase == "containment" and obs.last_known is not None:
            here = (int(obs.last_known.x), int(obs.last_known.y))
            if _far(here, self.cordon_at, self.follow_cells):
                r = self.cordon_radius
                orders.append(Cordon((max(0, here[0] - r), max(0, here[1] - r),
                                      min(obs.level.width - 1, here[0] + r),
                                      min(obs.level.height - 1, here[1] + r))))
                self.cordon_at = here
        if obs.phase in ("pursuit", "containment") and obs.loudspeaker_ready_in == 0.0:
            orders.append(Loudspeaker("calm"))
        if guess is not None and self.keep_back > 0:
            orders.extend(self._hold_back(obs, guess))
        return HandlerCommands(tuple(orders))

    def _hold_back(self, obs: HandlerObservation, guess: Point) -> list[Order]:
        """Officers closing on him are sent back to ``keep_back`` tiles; those far enough
        are given back to the dispatcher."""
        orders: list[Order] = []
        release = []
        for unit in obs.on_foot():
            gap = unit.position.distance(guess)
            if gap < self.keep_back - 1 and unit.order is None and unit.id not in self.held_back:
                scale = self.keep_back / max(gap, 0.5)
                back = Point(guess.x + (unit.position.x - guess.x) * scale,
                             guess.y + (unit.position.y - guess.y) * scale)
                cell = obs.walkable_near(back)
                if cell is not None:
                    orders.append(MoveUnits((unit.id,), cell))
                    self.held_back.add(unit.id)
            elif gap > self.keep_back * 1.5 and unit.id in self.held_back:
                release.append(unit.id)
                self.held_back.discard(unit.id)
        if release:
            orders.append(MoveUnits(tuple(release), None))
        return orders


class Aggressive:
    """Everyone cleared to fire (the dispatcher's search and pursuit, which run straight at
    him, left as they are); from the first sighting the warning is shouted after him, by the
    cars' loudhailers and Dylan's bullhorn; at the scene the officers close in to a few tiles
    round him, the nearest go in to take him once he is seen cornered, and nobody lowers a
    gun."""

    def __init__(self, close_in: float = 3.0, bullhorn: float = 7.0, take: int = 2):
        """``close_in``: tiles from Rex at which the officers on foot stand once he is
        contained, each from his own side; ``bullhorn``: tiles from him at which Dylan stands
        to shout the warning; ``take``: how many of the nearest officers go in for him once
        he is seen cornered (0: nobody)."""
        self.close_in, self.bullhorn = float(close_in), float(bullhorn)
        self.take = int(take)

    def reset(self, seed: int, level: Level | None) -> None:
        self.dylan_sent: tuple[int, int] | None = None
        self.ring_at: tuple[int, int] | None = None

    def act(self, obs: HandlerObservation) -> HandlerCommands:
        orders: list[Order] = []
        guess = obs.best_guess()
        if obs.phase not in ("pursuit", "containment") or guess is None:
            return NO_ORDERS
        here = (int(guess.x), int(guess.y))
        if obs.phase == "containment" and obs.rex is not None and (
                obs.rex.behaviour == "cornered"):
            orders.extend(self._take_him(obs, obs.rex.position))
        elif obs.phase == "containment" and _far(here, self.ring_at, 2):
            self.ring_at = here
            orders.extend(self._ring(obs, guess, self.close_in))
        elif obs.phase == "pursuit" and self.ring_at is not None:  # he broke out: chase him
            sent = tuple(u.id for u in obs.units if u.order is not None)
            if sent:
                orders.append(MoveUnits(sent, None))
            self.ring_at = None
        near = obs.walkable_near(Point(guess.x + self.bullhorn, guess.y))
        if near is not None and _far(near, self.dylan_sent, 4):
            orders.append(DylanTo(near))
            self.dylan_sent = near
        if obs.loudspeaker_ready_in == 0.0:  # the cars' loudhailers follow the chase too
            orders.append(Loudspeaker("warning"))
        return HandlerCommands(tuple(orders))

    def _take_him(self, obs: HandlerObservation, rex: Point) -> list[Order]:
        """He is cornered, growling: the ``take`` officers on foot nearest him go in for him
        (the others hold the ring, guns up)."""
        cell = obs.walkable_near(rex)
        nearest = sorted(obs.on_foot(), key=lambda u: (u.position.distance(rex), u.id))
        sent = tuple(sorted(u.id for u in nearest[:self.take] if u.order != cell))
        return [MoveUnits(sent, cell)] if cell is not None and sent else []

    def _ring(self, obs: HandlerObservation, guess: Point, radius: float) -> list[Order]:
        """Each officer on foot to his own point of a ring round the guess."""
        orders: list[Order] = []
        walkers = sorted(obs.on_foot(), key=lambda u: math.atan2(
            u.position.y - guess.y, u.position.x - guess.x))
        for k, unit in enumerate(walkers):
            angle = 2 * math.pi * k / len(walkers)
            cell = obs.walkable_near(Point(guess.x + radius * math.cos(angle),
                                           guess.y + radius * math.sin(angle)))
            if cell is not None and cell != unit.order:
                orders.append(MoveUnits((unit.id,), cell))
        return orders


BUILT_IN: dict[str, Callable[..., Any]] = {
    "by_the_book": by_the_book,
    "gentle": Gentle,
    "aggressive": Aggressive,
}

SUMMARIES: dict[str, str] = {
    "by_the_book": "no orders: the dispatcher alone",
    "gentle": "hold fire, cordon the crowd, calm message, Dylan to the last known position",
    "aggressive": "cleared to fire, officers close in, the warning shouted at him",
}


def built_in_help() -> str:
    """Every built-in Handler policy with what it does, for ``--help``."""
    return "; ".join(f"{name}: {SUMMARIES[name]}" for name in BUILT_IN)


def check(name: str, args: Mapping[str, Any] | Iterable[tuple[str, Any]] | None = None) -> None:
    """Raise PolicyError now if a Handler policy will not load."""
    from game.policies import check as check_policy

    check_policy(name, args, BUILT_IN)


class HandlerPlayer(Player):
    """One Handler policy through one game: asked every DECIDE_EVERY ticks, its orders checked."""

    built_in = BUILT_IN
    what = "handler policy"

    def __init__(self, name: str, args: Mapping[str, Any] | Iterable[tuple[str, Any]] | None
                 = None, *, timeout: float | None = DEFAULT_SECONDS):
        super().__init__(name, args, decide_every=DECIDE_EVERY, timeout=timeout)

    def commands(self, world: World) -> HandlerCommands:  # type: ignore[override]
        """This tick's orders: the policy's on its ticks, none in between."""
        if not self._started:
            self.start(world)
        if world.tick % self.decide_every != 0:
            return NO_ORDERS
        obs = HandlerObservation(world, self._heard)
        self._heard = []
        value = self._call(self._act, world.tick, world.seed, obs)
        try:
            return handler_mod.checked(world, value)
        except CommandError as err:
            what = str(err) if str(err).startswith("returned") else (
                f"returned bad orders: {err}")
            raise PolicyError(f"{self.what} '{self.label}' {what} "
                              f"{self._where(world.tick, world.seed)}",
                              tick=world.tick, seed=world.seed) from None
