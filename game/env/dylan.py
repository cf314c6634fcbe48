"""Dylan's seat in the learning environment (the ``"dylan"`` agent of RexParallelEnv): the
command center's picture as arrays, a small set of orders as actions, and a reward.

Observation (from the HandlerObservation, so with the command center's fog of war): ``grid``,
float32 [len(DYLAN_CHANNELS), 2r+1, 2r+1], a patch of the map centred on the best guess of
where Rex is (seen, else the last known position, else the newest phone report, else Dylan)
with the ground, the officers (1 cleared, 0.5 holding fire), the cars, Dylan, the phone
reports' circles, the cordon and Rex where a unit sees him; and ``vector``, float32
[len(DYLAN_VECTOR)]: the phase, how old the last known position is, whether Rex is seen,
Dylan's offset to the guess and whether he may order the guns down, the share of units
holding fire, the loudspeaker, and the clock. Everything is in [-1, 1].

Action: MultiDiscrete [6, 3, 2, 2]: the units (0 nothing, 1 all hold fire, 2 all cleared, 3
all on foot to the best guess, 4 all back to the dispatcher, 5 a cordon round the best guess,
6 lift it), the loudspeaker (0 nothing, 1 calm, 2 warning), Dylan (1: go to the best guess),
and "Lower your weapons" (1: ask). The orders are given on the first tick of the step.

Reward: the ending's value (Reward's, as Mila's: home +1, tranquilized and kennel -1, dusk
-0.5) and ``shot`` for each dart fired; no shaping on Rex's meters, which the command center
does not know.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from game.contract import TERRAIN_ID
from game.env.episode import PHASES, Reward
from game.handler_observation import HandlerObservation, Point
from game.sim import events as ev
from game.sim.handler import checked
from game.sim.orders import (
    CLEARED,
    HOLD_FIRE,
    NO_ORDERS,
    Cordon,
    DylanTo,
    HandlerCommands,
    Loudspeaker,
    LowerWeapons,
    MoveUnits,
    Order,
    SetPosture,
)
from game.sim.world import World

DYLAN_CHANNELS = ("walkable", "road", "officers", "cars", "dylan", "reports", "cordon", "rex")
DYLAN_VECTOR = (*(f"phase_{phase}" for phase in PHASES), "last_known", "last_known_age",
                "rex_seen", "dylan_dx", "dylan_dy", "dylan_can_order", "holding_fire",
                "loudspeaker_ready", "sunset")
DYLAN_ACTION_NVEC = (7, 3, 2, 2)
CORDON_HALF = 7


@dataclass
class DylanRole:
    """The Handler's seat: the command center's observation, orders and the ending's reward."""

    patch_radius: int = 20
    reward: Reward = field(default_factory=Reward)
    name: str = "dylan"
    handler = True  # the episode's world gives the desk to this role
    action_nvec = DYLAN_ACTION_NVEC

    def __post_init__(self) -> None:
        size = 2 * self.patch_radius + 1
        self.grid_shape = (len(DYLAN_CHANNELS), size, size)
        self.grid_low = np.zeros(self.grid_shape, np.float32)
        self.grid_high = np.ones(self.grid_shape, np.float32)
        self.vector_shape = (len(DYLAN_VECTOR),)
        self._obs: HandlerObservation | None = None

    # -- actions ----------------------------------------------------------------------------

    def orders(self, world: World, action: Any) -> HandlerCommands:
        """An action (four integers) as the orders the command center gives."""
        values = np.asarray(action).reshape(-1)
        if values.shape != (len(DYLAN_ACTION_NVEC),) or any(
                not 0 <= int(v) < n for v, n in zip(values, DYLAN_ACTION_NVEC, strict=True)):
            raise ValueError(f"Dylan's action is 4 integers in [0-6, 0-2, 0-1, 0-1], not "
                             f"{action!r}")
        units, speaker, go, lower = (int(v) for v in values)
        obs = self._obs if self._obs is not None else HandlerObservation(world)
        guess = obs.best_guess()
        everyone = tuple(u.id for u in obs.units)
        walkers = tuple(u.id for u in obs.on_foot())
        cell = None if guess is None else obs.walkable_near(guess)
        orders: list[Order] = []
        if units == 1 and everyone:
            orders.append(SetPosture(everyone, HOLD_FIRE))
        elif units == 2 and everyone:
            orders.append(SetPosture(everyone, CLEARED))
        elif units == 3 and walkers and cell is not None:
            orders.append(MoveUnits(walkers, cell))
        elif units == 4 and walkers:
            orders.append(MoveUnits(walkers, None))
        elif units == 5 and guess is not None:
            x, y = math.floor(guess.x), math.floor(guess.y)
            level = world.level
            orders.append(Cordon((max(0, x - CORDON_HALF), max(0, y - CORDON_HALF),
                                  min(level.width - 1, x + CORDON_HALF),
                                  min(level.height - 1, y + CORDON_HALF))))
        elif units == 6:
            orders.append(Cordon(None))
        if speaker:
            orders.append(Loudspeaker("calm" if speaker == 1 else "warning"))
        if go and cell is not None:
            orders.append(DylanTo(cell))
        if lower:
            orders.append(LowerWeapons())
        return checked(world, HandlerCommands(tuple(orders))) if orders else NO_ORDERS

    # -- observation ------------------------------------------------------------------------

    def observe(self, world: World, events: tuple[ev.Event, ...]) -> dict[str, np.ndarray]:
        obs = self._obs = HandlerObservation(world, events)
        return {"grid": self._grid(world, obs), "vector": self._vector(obs)}

    def _centre(self, obs: HandlerObservation) -> Point:
        return obs.best_guess() or obs.dylan.position

    def _grid(self, world: World, obs: HandlerObservation) -> np.ndarray:
        r = self.patch_radius
        size = 2 * r + 1
        grid = np.zeros(self.grid_shape, np.float32)
        centre = self._centre(obs)
        x0, y0 = math.floor(centre.x) - r, math.floor(centre.y) - r
        height, width = world.level.terrain.shape
        xa, ya, xb, yb = max(0, x0), max(0, y0), min(width, x0 + size), min(height, y0 + size)
        if xa < xb and ya < yb:
            window = (slice(ya - y0, yb - y0), slice(xa - x0, xb - x0))
            grid[0][window] = world.stage.walkable[ya:yb, xa:xb]
            grid[1][window] = world.level.terrain[ya:yb, xa:xb] == TERRAIN_ID["road"]
            if obs.cordon is not None:
                cx0, cy0, cx1, cy1 = obs.cordon
                ys, xs = np.mgrid[ya:yb, xa:xb]
                grid[6][window] = (xs >= cx0) & (xs <= cx1) & (ys >= cy0) & (ys <= cy1)

        def mark(channel: int, point: Point, value: float = 1.0) -> None:
            i, j = math.floor(point.x) - x0, math.floor(point.y) - y0
            if 0 <= i < size and 0 <= j < size:
                grid[channel, j, i] = max(grid[channel, j, i], value)

        for unit in obs.on_foot():
            mark(2, unit.position, 0.5 if unit.posture == HOLD_FIRE else 1.0)
        for car in obs.cars:
            mark(3, car.position)
        mark(4, obs.dylan.position)
        ys, xs = np.mgrid[y0:y0 + size, x0:x0 + size]
        for report in obs.reports:
            inside = np.hypot(xs + 0.5 - report.position.x,
                              ys + 0.5 - report.position.y) <= report.radius
            grid[5] = np.maximum(grid[5], inside * max(0.2, 1.0 - report.age / 120.0))
        if obs.rex is not None:
            mark(7, obs.rex.position)
        return grid

    def _vector(self, obs: HandlerObservation) -> np.ndarray:
        values = dict.fromkeys(DYLAN_VECTOR, 0.0)
        values[f"phase_{obs.phase}"] = 1.0
        if obs.last_known_age is not None:
            values["last_known"] = 1.0
            values["last_known_age"] = min(1.0, obs.last_known_age / 120.0)
        values["rex_seen"] = float(obs.rex is not None)
        guess = obs.best_guess()
        if guess is not None:
            reach = 2.0 * self.patch_radius
            values["dylan_dx"] = max(-1.0, min(1.0, (guess.x - obs.dylan.position.x) / reach))
            values["dylan_dy"] = max(-1.0, min(1.0, (guess.y - obs.dylan.position.y) / reach))
        values["dylan_can_order"] = float(obs.dylan.can_order)
        if obs.units:
            values["holding_fire"] = sum(u.posture == HOLD_FIRE for u in obs.units) / len(
                obs.units)
        values["loudspeaker_ready"] = float(obs.loudspeaker_ready_in == 0.0)
        values["sunset"] = max(0.0, min(1.0, obs.seconds_to_sunset / 900.0))
        return np.array([values[name] for name in DYLAN_VECTOR], np.float32)

    # -- reward -----------------------------------------------------------------------------

    def start(self, world: World) -> None:
        self._obs = None

    def step_reward(self, world: World, events: tuple[ev.Event, ...]) -> float:
        total = self.reward.shot * sum(1 for e in events if isinstance(e, ev.ShotFired))
        if world.ending is not None:
            total += self.reward.ending(world.ending.ending)
        return float(total)
