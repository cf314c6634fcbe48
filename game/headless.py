"""Running games without a window: one game for ``rex sim``, many for ``rex batch``.

A game is a pure function of (map content, tuning, policy, seed, options): the result's
``state_hash`` is the same wherever and however often it runs. ``Runner`` keeps one Stage per
map and tuning so that a worker pays for pre-warming the scent once, not once per seed.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any, Protocol

import numpy as np

from game import guarded, loop, policies
from game import replay as replay_mod
from game.level import Level
from game.replay import Replay
from game.sim import events as ev
from game.sim import handler as handler_mod
from game.sim.commands import CommandError
from game.sim.orders import (
    NO_ORDERS,
    HandlerCommands,
)
from game.sim.scent import TICK_HZ
from game.sim.stage import Stage
from game.sim.world import World
from game.stagecache import build_stage
from game.tuning import DEFAULT, Tuning
from game.watchdog import DEFAULT_SECONDS, Watchdog

# Called with the new World before its first tick (a scenario's start overrides), and with the
# world and its events after every tick (a scenario's measurements).
Prepare = Callable[[World], None]
Watch = Callable[[World, tuple[ev.Event, ...]], None]


@dataclass(frozen=True)
class GameOptions:
    police: bool = True
    civilians: bool = True
    max_seconds: float | None = None  # stop an unresolved game after this much play
    stop_at_reach: bool = False  # stop once Rex has reached Mila (reach statistics)
    route_seconds: float | None = None  # record Rex's position this often as "rex_route"


class Trace:
    """Per-tick positions and states, as JSON lines (.jsonl or anything else) or .npz.

    Written to a temporary file next to the target and renamed over it when the game ends, so
    a failed or interrupted game leaves no half trace; a write that fails is an OutputError.
    """

    COLUMNS = ("tick", "mila_x", "mila_y", "rex_x", "rex_y")

    def __init__(self, path: Path):
        self.path = path
        self.npz = path.suffix == ".npz"
        self.rows: list[tuple] = []
        self.states: list[str] = []
        self.searches: list[str] = []
        self._staged = guarded.Staged(path)
        try:
            self._file: IO[str] | None = None if self.npz else self._staged.temporary.open("w")
        except OSError as err:
            self._staged.discard()
            raise guarded.OutputError(f"cannot write {path}: {err.strerror or err}") from None

    def record(self, world: World) -> None:
        rex, mila = world.rex, world.mila
        if self.npz:
            self.rows.append((world.tick, mila.x, mila.y, rex.x, rex.y))
            self.states.append(rex.state)
            self.searches.append(rex.search)
        else:
            assert self._file is not None
            try:
                self._file.write(json.dumps({
                    "tick": world.tick, "mila": [round(mila.x, 3), round(mila.y, 3)],
                    "rex": [round(rex.x, 3), round(rex.y, 3)], "rex_state": rex.state,
                    "rex_search": rex.search}) + "\n")
            except OSError as err:
                raise guarded.OutputError(f"cannot write {self.path}: "
                                          f"{err.strerror or err}") from None

    def close(self, complete: bool = True) -> None:
        """Put the trace in place, or with ``complete`` false (the game failed) remove it."""
        try:
            if self._file is not None:
                self._file.close()
            if complete and self.npz:
                table = np.array(self.rows, dtype=np.float64).reshape(-1, len(self.COLUMNS))
                np.savez_compressed(self._staged.temporary,
                                    **{name: table[:, i] for i, name in enumerate(self.COLUMNS)},
                                    rex_state=np.array(self.states),
                                    rex_search=np.array(self.searches))
        except OSError as err:
            self._staged.discard()
            raise guarded.OutputError(f"cannot write {self.path}: {err.strerror or err}"
                                      ) from None
        if complete:
            self._staged.commit()
        else:
            self._staged.discard()


class Runner:
    """Plays games on one map, reusing the Stage across seeds of the same tuning."""

    def __init__(self, level: Level):
        self.level = level
        self._stages: dict[tuple, Stage] = {}

    def stage(self, tuning: Tuning) -> Stage:
        key = Stage.key(tuning)
        if key not in self._stages:
            self._stages.clear()  # one scent tuning at a time keeps memory flat in sweeps
            self._stages[key] = build_stage(self.level, tuning)
        return self._stages[key]

    def play(self, seed: int, policy_name: str, *, tuning: Tuning = DEFAULT,
             options: GameOptions = GameOptions(), trace: Path | None = None,
             record: Replay | None = None,
             policy_args: Mapping[str, Any] | Iterable[tuple[str, Any]] | None = None,
             decide_every: int = 1, policy_timeout: float | None = DEFAULT_SECONDS,
             prepare: Prepare | None = None, watch: Watch | None = None,
             handler: str | None = None,
             handler_args: Mapping[str, Any] | Iterable[tuple[str, Any]] | None = None
             ) -> dict[str, Any]:
        """One game with a Mila policy, and with ``handler`` a Handler policy playing Dylan;
        ``record`` collects the commands (and orders) as a replay.

        A policy that fails raises ``policies.PolicyError`` (one line naming it, the tick and
        the seed). ``policy_timeout`` limits each call of the policy, in seconds."""
        player = policies.Player(policy_name, policy_args, decide_every=decide_every,
                                 timeout=policy_timeout)
        desk = None
        if handler is not None:
            from game.handler_policies import HandlerPlayer

            desk = HandlerPlayer(handler, handler_args, timeout=policy_timeout)
            desk.watchdog = player.watchdog  # one time limit, kept for both policies
        outcome = self._run(seed, tuning, options, player, player.label, trace, record,
                            prepare, watch, desk)
        outcome["policy_args"] = dict(player.args)
        outcome["decide_every"] = decide_every
        if desk is not None:
            outcome["handler_policy"] = desk.label
            outcome["handler_policy_args"] = dict(desk.args)
        return outcome

    def replay(self, replay: Replay, *, trace: Path | None = None) -> dict[str, Any]:
        """The recorded game again, tick by tick; its state_hash matches the recording's."""
        replay_mod.check_map(replay, self.level)
        tuning = replay_mod.tuning_of(replay)
        options = GameOptions(police=replay.police, civilians=replay.civilians,
                              max_seconds=replay.ticks / TICK_HZ)
        desk = None if replay.role == "mila" else _RecordedOrders(replay)
        return self._run(replay.seed, tuning, options, _Recorded(replay), "replay", trace,
                         None, desk=desk)

    def _run(self, seed: int, tuning: Tuning, options: GameOptions, driver: Driver,
             label: str, trace: Path | None, record: Replay | None,
             prepare: Prepare | None = None, watch: Watch | None = None,
             desk: Desk | None = None) -> dict[str, Any]:
        stage = self.stage(tuning)
        started = time.perf_counter()
        world = World(self.level, seed, tuning, stage=stage, police=options.police,
                      civilians=options.civilians, handler=desk is not None)
        if record is not None and desk is not None:
            record.role = "handler"
        if prepare is not None:
            prepare(world)
        recorder = Trace(trace) if trace is not None else None
        all_events: list[ev.Event] = []
        limit = None if options.max_seconds is None else round(options.max_seconds
                                                               * world.tick_hz)
        every = None if options.route_seconds is None else max(1, round(
            options.route_seconds * world.tick_hz))
        route: list[list[float]] = []
        complete = False
        try:
            with driver.watchdog:
                while world.ending is None and (limit is None or world.tick < limit) and not (
                        options.stop_at_reach and world.rex.reached_tick is not None):
                    events = loop.tick(world, driver.commands, record,
                                       orders=None if desk is None else desk.commands)
                    driver.heard(events)
                    if desk is not None:
                        desk.heard(events)
                    all_events.extend(events)
                    if watch is not None:
                        watch(world, events)
                    if recorder is not None:
                        recorder.record(world)
                    if every is not None and world.tick % every == 0:
                        route.append([round(world.rex.x, 1), round(world.rex.y, 1)])
            complete = True
        finally:
            if recorder is not None:
                recorder.close(complete)
        outcome = result(world, label, all_events, time.perf_counter() - started)
        if every is not None:
            outcome["rex_route"] = route
        if record is not None:
            record.final_state_hash = outcome["state_hash"]
            record.ending = outcome["ending"]
        return outcome


class Driver(Protocol):
    """Who gives Mila her commands in a headless game: a ``policies.Player`` or a replay."""

    watchdog: Watchdog

    def commands(self, world: World) -> Any: ...

    def heard(self, events: Iterable[ev.Event]) -> None: ...


class Desk(Protocol):
    """Who gives the Handler's orders in a headless game: a ``HandlerPlayer`` or a replay."""

    def commands(self, world: World) -> HandlerCommands: ...

    def heard(self, events: Iterable[ev.Event]) -> None: ...


class _RecordedOrders:
    """A replay's Handler orders, on the ticks they were given, checked again."""

    def __init__(self, replay: Replay):
        try:
            self._orders = replay.orders()
        except (TypeError, ValueError) as err:
            raise replay_mod.ReplayError(f"corrupt replay (a Handler order: {err})") from None

    def commands(self, world: World) -> HandlerCommands:
        orders = self._orders.get(world.tick)
        if orders is None:
            return NO_ORDERS
        try:
            return handler_mod.checked(world, orders)
        except CommandError as err:
            raise replay_mod.ReplayError(f"corrupt replay (a Handler order at tick "
                                         f"{world.tick}: {err})") from None

    def heard(self, events: Iterable[ev.Event]) -> None:
        pass


class _Recorded:
    """A replay's commands, one per tick."""

    def __init__(self, replay: Replay):
        self._commands = replay.commands()
        self.watchdog = Watchdog(None)

    def commands(self, world: World) -> Any:
        return next(self._commands)

    def heard(self, events: Iterable[ev.Event]) -> None:
        pass


def result(world: World, policy_name: str, events: list[ev.Event], wall_seconds: float
           ) -> dict[str, Any]:
    """The JSON summary of one game (the fields `rex sim --json` documents)."""
    police, crowd = world.police, world.crowd
    return {
        "map": world.level.name,
        "seed": world.seed,
        "policy": policy_name,
        "ending": world.ending.ending if world.ending else None,
        "ticks": world.tick,
        "game_seconds": round(world.seconds, 3),
        "clock": world.clock_text(),
        "rex_reached_mila_tick": world.rex.reached_tick,
        "rex_escaped_tick": world.rex.escaped_tick,
        "rex_end": [round(world.rex.x, 2), round(world.rex.y, 2)],
        "state_hash": world.state_hash(),
        "event_counts": ev.counts(events),
        "phases": [[tick, phase] for tick, phase in police.dispatcher.log],
        "sightings": police.counts["sightings"],
        "phone_reports": police.counts["phone_reports"],
        "aims": police.counts["aims"],
        "shots": police.counts["shots"],
        "civilians_indoors": crowd.counts["indoors"],
        "score": world.score,
        "views": None if world.score is None else world.score["views"],
        "filming_peak": crowd.counts["filming_peak"],
        "wall_seconds": round(wall_seconds, 3),
        **({} if not world.handler.active else handler_result(world)),
    }


def handler_result(world: World) -> dict[str, Any]:
    """What a game with the Handler adds to its JSON: his order counts and his score line."""
    desk, police, crowd = world.handler, world.police, world.crowd
    return {
        "role": "handler",
        "handler_orders": dict(desk.counts),
        "handler_score": {
            "no_shot_fired": police.counts["shots"] == 0,
            "civilians_kept_clear": crowd.counts["indoors"]
            + desk.counts["led_out"],
            "minutes_to_resolve": None if world.ending is None else round(world.seconds / 60,
                                                                          2),
        },
    }
