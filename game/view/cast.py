"""The cast as the view sees it: every agent to draw, read from the world without changing it.

The police and the crowd can be switched off (``World(police=False, civilians=False)``, as in
a replay recorded that way); the world then holds a force and a crowd of nobody, so the reads
here give no such actors, and no alert phase to show. ``Snapshot`` keeps where each actor
stood after a tick, so a frame drawn between two ticks can place everyone part of the way
from the previous position to the current one. Plain Python; no pygame.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

Key = tuple[str, int]
TELEPORT = 3.0  # tiles: a jump longer than this in one tick is drawn as a jump, not a slide


def police(world: Any) -> Any:
    """The police force (a force of nobody when the police are switched off)."""
    return world.police


def dispatcher(world: Any) -> Any:
    return world.police.dispatcher


def officers(world: Any) -> list[Any]:
    return list(world.police.officers)


def cars(world: Any) -> list[Any]:
    return list(world.police.cars)


def civilians(world: Any) -> list[Any]:
    return list(world.crowd.civilians)


def dylan(world: Any) -> Any:
    return world.dylan


def phase(world: Any) -> str | None:
    """The alert phase to show, or None when the police are switched off."""
    return world.police.dispatcher.phase if world.police.on else None


@dataclass(frozen=True)
class Actor:
    key: Key
    kind: str  # rex, mila, officer, car, civilian, dylan
    agent: Any  # the simulation's object; read, never written


def actors(world: Any) -> list[Actor]:
    """Everyone who is out in the world right now (officers in a car and civilians indoors are
    not), in a stable order."""
    found = [Actor(("rex", 0), "rex", world.rex), Actor(("mila", 0), "mila", world.mila)]
    found += [Actor(("car", c.id), "car", c) for c in cars(world)]
    found += [Actor(("officer", o.id), "officer", o) for o in officers(world)
              if o.state != "in_car"]
    found += [Actor(("civilian", c.id), "civilian", c) for c in civilians(world)
              if c.state != "indoors"]
    found.append(Actor(("dylan", 0), "dylan", dylan(world)))
    return found


class Snapshot:
    """Where every actor stood at the end of one tick."""

    def __init__(self, positions: dict[Key, tuple[float, float]], tick: int):
        self.positions = positions
        self.tick = tick

    @classmethod
    def take(cls, world: Any) -> Snapshot:
        return cls({a.key: (float(a.agent.x), float(a.agent.y)) for a in actors(world)},
                   world.tick)

    def blend(self, key: Key, x: float, y: float, alpha: float) -> tuple[float, float]:
        """The drawn position of an actor now at (x, y): ``alpha`` of the way from where it
        was at this snapshot. New actors and jumps are drawn where they are."""
        before = self.positions.get(key)
        if before is None:
            return x, y
        bx, by = before
        if math.hypot(x - bx, y - by) > TELEPORT:
            return x, y
        return bx + (x - bx) * alpha, by + (y - by) * alpha

    def moved(self, key: Key, x: float, y: float) -> float:
        """How far an actor moved since this snapshot, in tiles."""
        before = self.positions.get(key)
        return 0.0 if before is None else math.hypot(x - before[0], y - before[1])
