"""Scenario tests for the game's AI: ``rex scenario FILE...`` and ``pytest scenarios/``.

A scenario is a small TOML file (docs/SCENARIOS.md): a map, who is where at the start and in
what state, tuning overrides, Mila's policy, a number of seeds, and expectations about what
happens over those seeds (``rex_reaches_mila_within = "90s"``, ``ending_rate.home = ">= 0.6"``,
``no_shot_after_stand_down = true`` ...). Every game of every scenario is played in parallel by
the batch backend (game/batch.py); each game measures what the expectations need as it runs;
then each expectation is checked over the scenario's games and a failed one gives one line
saying why. ``load`` reports a file that does not fit the format as one ``ScenarioError`` line
naming the file and the key. The file and its map are read through ``game.guarded`` (a regular
file of at most ``guarded.SCENARIO.limit`` bytes; the map as ``rex check-map`` reads it), every
number in it is range-checked with the command line's ranges, and the JUnit report is written
atomically.
"""

from __future__ import annotations

import math
import re
import statistics
import tomllib
import xml.etree.ElementTree as ElementTree
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from game import guarded
from game.batch import ProgressBar, error_result, run_games, runner_for
from game.bundle import MapBundle
from game.contract import TERRAIN_ID
from game.headless import GameOptions
from game.policies import Args, PolicyError, as_args, check, label
from game.sim import events as ev
from game.sim import police as police_mod
from game.sim.states import OfficerState, Phase, RexState
from game.sim.world import World
from game.tuning import DEFAULT, Tuning, TuningError
from game.watchdog import DEFAULT_SECONDS

TOP_KEYS = {"name", "description", "map", "seeds", "first_seed", "policy", "policy_args",
            "decide_every", "police", "civilians", "max_minutes", "tuning", "start", "expect"}
REX_START_STATES = (RexState.RESTLESS, RexState.TRACKING, RexState.WARY, RexState.CALMING)
OFFICER_START_STATES = (OfficerState.STANDBY, OfficerState.SEARCH, OfficerState.PURSUIT,
                        OfficerState.PERIMETER, OfficerState.STAND_DOWN)
PHASE_START = (Phase.SEARCH, Phase.PURSUIT)
ENDINGS = ("home", "tranquilized", "kennel", "dusk", "none")
OPERATORS: dict[str, Callable[[float, float], bool]] = {
    ">=": lambda a, b: a >= b, "<=": lambda a, b: a <= b, ">": lambda a, b: a > b,
    "<": lambda a, b: a < b, "==": lambda a, b: a == b, "!=": lambda a, b: a != b}


class ScenarioError(Exception):
    """A scenario file that cannot be read or does not fit the format: one line."""


# -- small value types ------------------------------------------------------------------------


@dataclass(frozen=True)
class Comparison:
    """``">= 0.6"``: an operator and a number (a bare number or boolean means ``==``)."""

    operator: str
    value: float

    @classmethod
    def parse(cls, raw: Any, where: str) -> Comparison:
        if isinstance(raw, int | float):  # a bool too: true is 1
            return cls("==", float(raw))
        if isinstance(raw, str):
            match = re.fullmatch(r"\s*(>=|<=|==|!=|>|<)\s*(-?[0-9.]+(?:e-?[0-9]+)?)\s*", raw)
            if match:
                return cls(match.group(1), float(match.group(2)))
        raise ScenarioError(f"{where}: {raw!r} is not a comparison like \">= 0.6\"")

    def holds(self, value: float) -> bool:
        return OPERATORS[self.operator](value, self.value)

    def __str__(self) -> str:
        return f"{self.operator} {self.value:g}"


def parse_duration(raw: Any, where: str) -> float:
    """Seconds from ``"90s"``, ``"2m"``, ``"1m30s"``, ``"1.5m"`` or a bare number."""
    if isinstance(raw, int | float) and not isinstance(raw, bool) and raw > 0:
        return float(raw)
    if isinstance(raw, str):
        match = re.fullmatch(r"\s*(?:([0-9.]+)\s*m)?\s*(?:([0-9.]+)\s*s)?\s*", raw)
        if match and (match.group(1) or match.group(2)):
            try:
                seconds = float(match.group(1) or 0) * 60 + float(match.group(2) or 0)
            except ValueError:
                seconds = 0.0
            if seconds > 0:
                return seconds
    raise ScenarioError(f"{where}: {raw!r} is not a duration like \"90s\" or \"2m30s\"")


def _seconds_text(seconds: float) -> str:
    return f"{seconds:.0f} s"


# -- the start: who is where, in what state --------------------------------------------------


@dataclass(frozen=True)
class Placement:
    """One agent's start: a position in tiles and, for some, a state and meters."""

    at: tuple[float, float] | None = None
    state: RexState | OfficerState | None = None
    stress: float | None = None
    trust: float | None = None
    id: int | None = None


@dataclass(frozen=True)
class Start:
    mila: Placement | None = None
    rex: Placement | None = None
    dylan: Placement | None = None
    officers: tuple[Placement, ...] = ()
    civilians: tuple[Placement, ...] = ()
    phase: Phase | None = None
    last_known: tuple[float, float] | None = None

    def apply(self, world: World) -> None:
        """Put everyone where the scenario says, before the first tick (ScenarioError for an
        officer or passer-by the map does not have)."""
        quiet: list[ev.Event] = []  # what the overrides would say is not part of the game
        if self.mila is not None and self.mila.at is not None:
            world.mila.x, world.mila.y = self.mila.at
        if self.rex is not None:
            _start_rex(world, self.rex)
        if self.dylan is not None and self.dylan.at is not None:
            world.dylan.x, world.dylan.y = self.dylan.at
        for placed in self.officers:
            officer = _member(world.police.officers, placed,
                              "start.officers", "officer")
            if officer.car is not None:
                raise ScenarioError(f"start.officers: officer {placed.id} starts in a car; "
                                    "only officers on foot can be placed")
            if placed.at is not None:
                officer.x, officer.y = placed.at
            if placed.state is not None:
                officer.state = OfficerState(placed.state)  # placed, not a transition
            officer.stride = officer.route = None
        for placed in self.civilians:
            person = _member(world.crowd.civilians, placed,
                             "start.civilians", "passer-by")
            if placed.at is not None:
                person.x, person.y = placed.at
                person.stride = None
        if self.phase is not None and world.police.on:
            _start_phase(world, self.phase, self.last_known, quiet)


def _member(agents: list[Any], placed: Placement, where: str, what: str) -> Any:
    if placed.id is None or not 0 <= placed.id < len(agents):
        raise ScenarioError(f"{where}: there is no {what} {placed.id} (this map and cast have "
                            f"{len(agents)}: ids 0 to {len(agents) - 1})")
    return agents[placed.id]


def _start_rex(world: World, placed: Placement) -> None:
    rex = world.rex
    if placed.at is not None:
        rex.x, rex.y = placed.at
        rex.target, rex.recent = None, []
    if placed.state is not None and placed.state != RexState.RESTLESS:
        world.open_gate()  # he is already out
        rex.escaped_tick = 0
        # Placed, not a transition: the game starts with him there, so rex.set_state (which
        # knows only the changes a game makes from the kennel on) is not asked.
        rex.state = RexState(placed.state)
        if placed.state in (RexState.WARY, RexState.CALMING):
            rex.reached_tick = 0
    if placed.stress is not None:
        rex.stress = placed.stress
    if placed.trust is not None:
        rex.trust = placed.trust


def _start_phase(world: World, phase: Phase, last_known: tuple[float, float] | None,
                 quiet: list[ev.Event]) -> None:
    police = world.police
    d = police.dispatcher
    x, y = last_known if last_known is not None else (world.rex.x, world.rex.y)
    d.alarm_tick = 0
    d.last_known, d.last_known_tick = (x, y), 0
    if phase == Phase.PURSUIT:
        d.last_sighting_tick = 0
    police_mod.seed_belief(world, x, y, spread=4.0)
    police_mod.set_phase(world, phase, quiet)
    d.next_assign = d.next_broadcast = 0


# -- what each game measures as it runs -------------------------------------------------------


@dataclass(frozen=True)
class Measures:
    """What a game must watch for its scenario's expectations (picklable, for workers)."""

    terrains: tuple[str, ...] = ()  # first tick Rex stands on each of these
    areas: tuple[tuple[int, int, int, int], ...] = ()  # first tick Rex is in each [x0,y0,x1,y1]
    forbidden: tuple[str, ...] = ()  # ticks Rex spends on these terrains

    def watcher(self) -> tuple[Callable[[World, tuple[ev.Event, ...]], None], dict[str, Any]]:
        """A per-tick watch function and the dict it fills in."""
        found: dict[str, Any] = {
            "terrain_ticks": {name: None for name in self.terrains},
            "area_ticks": [None] * len(self.areas), "forbidden_ticks": 0,
            "shots_after_stand_down": 0, "stand_down_tick": None}
        ids = {name: TERRAIN_ID[name] for name in self.terrains}
        forbidden = {TERRAIN_ID[name] for name in self.forbidden}

        def watch(world: World, events: tuple[ev.Event, ...]) -> None:
            x, y = world.rex.cell
            terrain = int(world.level.terrain[y, x])
            for name, terrain_id in ids.items():
                if found["terrain_ticks"][name] is None and terrain == terrain_id:
                    found["terrain_ticks"][name] = world.tick
            for index, (x0, y0, x1, y1) in enumerate(self.areas):
                if found["area_ticks"][index] is None and x0 <= x <= x1 and y0 <= y <= y1:
                    found["area_ticks"][index] = world.tick
            if terrain in forbidden and world.rex.leap is None:
                found["forbidden_ticks"] += 1
            for event in events:
                if isinstance(event, ev.StandDown) and found["stand_down_tick"] is None:
                    found["stand_down_tick"] = event.tick
                elif isinstance(event, ev.ShotFired) and found["stand_down_tick"] is not None:
                    found["shots_after_stand_down"] += 1

        return watch, found


@dataclass(frozen=True, eq=False)
class ScenarioGame:
    """One seed of one scenario, as the batch backends play it (``batch.Playable``)."""

    bundle: MapBundle
    seed: int
    policy: str
    policy_args: Args
    decide_every: int
    tuning: Tuning
    options: GameOptions
    start: Start
    measures: Measures
    policy_timeout: float | None = DEFAULT_SECONDS

    @property
    def label(self) -> str:
        return label(self.policy, self.policy_args)

    def play(self) -> dict[str, Any]:
        watch, found = self.measures.watcher()
        try:
            result = runner_for(self.bundle).play(
                self.seed, self.policy, tuning=self.tuning, options=self.options,
                policy_args=self.policy_args, decide_every=self.decide_every,
                policy_timeout=self.policy_timeout, prepare=self.start.apply, watch=watch)
        except Exception as err:  # reported as the game's error, as in a batch
            return error_result(self.bundle.name, self.seed, self.label, err)
        result["scenario"] = found
        return result


# -- expectations -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Expectation:
    """One line of ``[expect]``: its key as written, and a check over the games' results
    that returns None when it holds or the reason it does not."""

    key: str
    check: Callable[[list[dict[str, Any]]], str | None]


def _share(raw: Any, where: str) -> Comparison | None:
    return None if raw is None else Comparison.parse(raw, f"{where}.share")


def _seeds_failing(games: list[dict[str, Any]], ok: Callable[[dict[str, Any]], bool],
                   describe: Callable[[dict[str, Any]], str]) -> list[str]:
    return [f"seed {g['seed']} {describe(g)}" for g in games if not ok(g)]


def _all_or_share(key: str, games: list[dict[str, Any]], ok: Callable[[dict[str, Any]], bool],
                  describe: Callable[[dict[str, Any]], str], share: Comparison | None
                  ) -> str | None:
    """None when every game is ok (or the share of ok games meets ``share``), else why."""
    failing = _seeds_failing(games, ok, describe)
    if share is None:
        if not failing:
            return None
        shown = "; ".join(failing[:3]) + (f"; and {len(failing) - 3} more" if len(
            failing) > 3 else "")
        return f"{key}: {len(failing)} of {len(games)} games did not: {shown}"
    passed = len(games) - len(failing)
    rate = passed / len(games)
    if share.holds(rate):
        return None
    return f"{key}: share {rate:.2f} ({passed} of {len(games)} games), wanted {share}"


def _within(key: str, raw: Any, seconds_of: Callable[[dict[str, Any]], float | None],
            what: str, name: str | None = None) -> Expectation:
    """``key = "90s"`` or ``{ within = "90s", share = ">= 0.9" }``; ``name`` is how a failure
    names it (the key by default)."""
    name = name or key
    table = raw if isinstance(raw, dict) else {"within": raw}
    unknown = set(table) - {"within", "share"}
    if unknown:
        raise ScenarioError(f"expect.{key}: unknown key '{sorted(unknown)[0]}' (within, share)")
    limit = parse_duration(table.get("within"), f"expect.{key}")
    share = _share(table.get("share"), f"expect.{key}")

    def check(games: list[dict[str, Any]]) -> str | None:
        def ok(game: dict[str, Any]) -> bool:
            seconds = seconds_of(game)
            return seconds is not None and seconds <= limit

        def describe(game: dict[str, Any]) -> str:
            seconds = seconds_of(game)
            return f"never {what}" if seconds is None else (
                f"{what} after {_seconds_text(seconds)}")

        return _all_or_share(f"{name} {_seconds_text(limit)}", games, ok, describe, share)

    return Expectation(key, check)


def _reaches(raw: Any, level_size: tuple[int, int], area_index: int
             ) -> tuple[Expectation, str | None, tuple[int, int, int, int] | None]:
    """``rex_reaches_within = { terrain = "bridge" | area = [x0, y0, x1, y1], within, share }``;
    the expectation, and the terrain or area a game must watch for it (the area as number
    ``area_index`` of the game's areas)."""
    key = "rex_reaches_within"
    if not isinstance(raw, dict):
        raise ScenarioError(f"expect.{key}: wants a table with terrain or area, and within")
    unknown = set(raw) - {"terrain", "area", "within", "share"}
    if unknown:
        raise ScenarioError(f"expect.{key}: unknown key '{sorted(unknown)[0]}' "
                            "(terrain, area, within, share)")
    terrain, area = raw.get("terrain"), raw.get("area")
    if (terrain is None) == (area is None):
        raise ScenarioError(f"expect.{key}: give either terrain or area")
    if terrain is not None and terrain not in TERRAIN_ID:
        raise ScenarioError(f"expect.{key}.terrain: unknown terrain {terrain!r} "
                            f"({', '.join(TERRAIN_ID)})")
    box = None
    if area is not None:
        if not (isinstance(area, list) and len(area) == 4 and all(
                isinstance(v, int) and not isinstance(v, bool) for v in area)):
            raise ScenarioError(f"expect.{key}.area: wants [x0, y0, x1, y1] in whole cells")
        x0, y0, x1, y1 = area
        width, height = level_size
        if not (0 <= x0 <= x1 < width and 0 <= y0 <= y1 < height):
            raise ScenarioError(f"expect.{key}.area: {area} is not inside the map "
                                f"({width} x {height} cells)")
        box = (x0, y0, x1, y1)
    where = f"the {terrain}" if terrain is not None else f"area {area}"

    def seconds_of(game: dict[str, Any]) -> float | None:
        found = game["scenario"]
        tick = (found["terrain_ticks"][terrain] if terrain is not None
                else found["area_ticks"][area_index])
        return None if tick is None else tick / 30

    timing = _within(key, {k: v for k, v in raw.items() if k in ("within", "share")},
                     seconds_of, f"reached {where}", f"{key} ({where})")
    return Expectation(f"{key} ({where})", timing.check), terrain, box


def _path_value(game: dict[str, Any], path: list[str]) -> Any:
    value: Any = game
    for part in path:
        if not isinstance(value, dict):
            return None
        if path[0] == "event_counts" and part not in value and value is game["event_counts"]:
            return 0  # an event that did not happen counted zero times
        value = value.get(part)
    return value


def _flatten(table: dict[str, Any], prefix: str = "") -> list[tuple[str, Any]]:
    pairs = []
    for key, value in table.items():
        if isinstance(value, dict):
            pairs += _flatten(value, f"{prefix}{key}.")
        else:
            pairs.append((f"{prefix}{key}", value))
    return pairs


def _per_game(kind: str, path_text: str, raw: Any) -> Expectation:
    """``every_game.<field> = ">= 1"`` or ``mean.<field> = "<= 3"`` over the result fields."""
    where = f"expect.{kind}.{path_text}"
    comparison = Comparison.parse(raw, where)
    path = path_text.split(".")

    def check(games: list[dict[str, Any]]) -> str | None:
        values = [_path_value(g, path) for g in games]
        if kind == "every_game":
            bad = [f"seed {g['seed']}: {v}" for g, v in zip(games, values, strict=True)
                   if not isinstance(v, int | float) or not comparison.holds(float(v))]
            if not bad:
                return None
            return (f"{kind}.{path_text} {comparison}: {len(bad)} of {len(games)} games did "
                    f"not ({'; '.join(bad[:3])}{'; ...' if len(bad) > 3 else ''})")
        numbers = [float(v) for v in values if isinstance(v, int | float)]
        if len(numbers) < len(values):
            return f"{kind}.{path_text}: some games have no number there"
        mean = statistics.fmean(numbers)
        return None if comparison.holds(mean) else (
            f"{kind}.{path_text} {comparison}: the mean is {mean:.3g}")

    return Expectation(f"{kind}.{path_text}", check)


def _ending_rate(ending: str, raw: Any) -> Expectation:
    if ending not in ENDINGS:
        raise ScenarioError(f"expect.ending_rate.{ending}: unknown ending "
                            f"({', '.join(ENDINGS)})")
    comparison = Comparison.parse(raw, f"expect.ending_rate.{ending}")

    def check(games: list[dict[str, Any]]) -> str | None:
        count = sum(1 for g in games if (g["ending"] or "none") == ending)
        rate = count / len(games)
        return None if comparison.holds(rate) else (
            f"ending_rate.{ending} {comparison}: {rate:.2f} ({count} of {len(games)} games)")

    return Expectation(f"ending_rate.{ending}", check)


def _flag(key: str, raw: Any, ok: Callable[[dict[str, Any]], bool],
          describe: Callable[[dict[str, Any]], str]) -> Expectation:
    if raw is not True:
        raise ScenarioError(f"expect.{key}: can only be true (leave it out otherwise)")
    return Expectation(key, lambda games: _all_or_share(key, games, ok, describe, None))


def _expectations(table: Any, level_size: tuple[int, int]
                  ) -> tuple[list[Expectation], Measures]:
    if not isinstance(table, dict) or not table:
        raise ScenarioError("expect: wants a table with at least one expectation")
    expectations: list[Expectation] = []
    terrains: list[str] = []
    areas: list[tuple[int, int, int, int]] = []
    forbidden: list[str] = []
    for key, raw in table.items():
        if key == "rex_reaches_mila_within":
            expectations.append(_within(key, raw, lambda g: None if g[
                "rex_reached_mila_tick"] is None else g["rex_reached_mila_tick"] / 30,
                "reached her"))
        elif key == "rex_reaches_within":
            items = raw if isinstance(raw, list) else [raw]
            for item in items:
                expectation, terrain, box = _reaches(item, level_size, len(areas))
                if terrain is not None and terrain not in terrains:
                    terrains.append(terrain)
                if box is not None:
                    areas.append(box)
                expectations.append(expectation)
        elif key == "rex_never_on":
            names = raw if isinstance(raw, list) else [raw]
            for name in names:
                if name not in TERRAIN_ID:
                    raise ScenarioError(f"expect.rex_never_on: unknown terrain {name!r}")
            forbidden += [n for n in names if n not in forbidden]
            where = ", ".join(names)
            expectations.append(_flag(key, True, lambda g: g["scenario"][
                "forbidden_ticks"] == 0, lambda g, where=where: "spent "
                f"{g['scenario']['forbidden_ticks']} ticks on {where}"))
        elif key == "no_shot_after_stand_down":
            expectations.append(_flag(key, raw, lambda g: g["scenario"][
                "shots_after_stand_down"] == 0, lambda g: f"fired "
                f"{g['scenario']['shots_after_stand_down']} shots after the stand-down"))
        elif key == "ending_rate":
            if not isinstance(raw, dict) or not raw:
                raise ScenarioError("expect.ending_rate: wants ending_rate.<ending> = \"...\"")
            expectations += [_ending_rate(ending, value) for ending, value in raw.items()]
        elif key == "ending_in":
            allowed = raw if isinstance(raw, list) else [raw]
            for ending in allowed:
                if ending not in ENDINGS:
                    raise ScenarioError(f"expect.ending_in: unknown ending {ending!r}")
            expectations.append(Expectation(key, lambda games, allowed=tuple(allowed):
                                            _all_or_share(f"ending_in {list(allowed)}", games,
                                                          lambda g: (g["ending"] or "none")
                                                          in allowed,
                                                          lambda g: f"ended {g['ending']}",
                                                          None)))
        elif key in ("every_game", "mean"):
            if not isinstance(raw, dict) or not raw:
                raise ScenarioError(f"expect.{key}: wants {key}.<result field> = \"...\"")
            expectations += [_per_game(key, path, value) for path, value in _flatten(raw)]
        else:
            raise ScenarioError(
                f"expect.{key}: unknown expectation (rex_reaches_mila_within, "
                "rex_reaches_within, rex_never_on, no_shot_after_stand_down, ending_rate, "
                "ending_in, every_game, mean)")
    return expectations, Measures(tuple(terrains), tuple(areas), tuple(forbidden))


# -- the file ---------------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class Scenario:
    path: Path
    name: str
    description: str
    bundle: MapBundle
    seeds: int
    first_seed: int
    policy: str
    policy_args: Args
    decide_every: int
    tuning: Tuning
    options: GameOptions
    start: Start
    expectations: tuple[Expectation, ...]
    measures: Measures

    def games(self, seeds: int | None = None,
              policy_timeout: float | None = DEFAULT_SECONDS) -> list[ScenarioGame]:
        count = self.seeds if seeds is None else seeds
        return [ScenarioGame(self.bundle, seed, self.policy, self.policy_args,
                             self.decide_every, self.tuning, self.options, self.start,
                             self.measures, policy_timeout)
                for seed in range(self.first_seed, self.first_seed + count)]


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        return tomllib.loads(guarded.read_text(path, guarded.SCENARIO))
    except guarded.InputError as err:
        raise ScenarioError(err.reason) from None
    except tomllib.TOMLDecodeError as err:
        raise ScenarioError(f"not valid TOML: {err}") from None
    except RecursionError:  # tables or arrays nested thousands deep
        raise ScenarioError("not valid TOML: nested too deeply") from None


def looks_like_scenario(path: Path) -> bool:
    """Whether a .toml file is a scenario (it has an [expect] table), for the pytest plugin."""
    try:
        return "expect" in _read_toml(path)
    except ScenarioError:
        try:
            return b"[expect" in guarded.read_bytes(path, guarded.SCENARIO)
        except guarded.InputError:
            return False


def _number(raw: Any, where: str, low: float, high: float, whole: bool = False) -> Any:
    kinds = (int,) if whole else (int, float)
    if isinstance(raw, bool) or not isinstance(raw, kinds) or not (low <= raw <= high) or (
            isinstance(raw, float) and not math.isfinite(raw)):
        kind = "a whole number" if whole else "a number"
        shown = repr(raw) if len(repr(raw)) <= 40 else repr(raw)[:37] + "..."
        raise ScenarioError(f"{where}: wants {kind} from {_bound(low)} to {_bound(high)}, "
                            f"not {shown}")
    return raw


def _bound(value: float) -> str:
    return f"{value:,}" if isinstance(value, int) else f"{value:g}"


def _point(raw: Any, where: str, passable: Any, mover: str) -> tuple[float, float]:
    if not (isinstance(raw, list) and len(raw) == 2 and all(
            isinstance(v, int | float) and not isinstance(v, bool) for v in raw)):
        raise ScenarioError(f"{where}: wants [x, y] in tiles (a cell's centre is at +0.5)")
    x, y = float(raw[0]), float(raw[1])
    height, width = passable.shape
    if not (0 <= x < width and 0 <= y < height):
        raise ScenarioError(f"{where}: {raw} is outside the map ({width} x {height} tiles)")
    if not passable[math.floor(y), math.floor(x)]:
        raise ScenarioError(f"{where}: {raw} is a cell {mover} cannot stand on")
    return x, y


def _placement(raw: Any, where: str, allowed: tuple[str, ...], passable: Any, mover: str,
               states: tuple[RexState | OfficerState, ...] = (), with_id: bool = False
               ) -> Placement:
    if not isinstance(raw, dict):
        raise ScenarioError(f"{where}: wants a table")
    unknown = set(raw) - set(allowed)
    if unknown:
        raise ScenarioError(f"{where}: unknown key '{sorted(unknown)[0]}' "
                            f"({', '.join(allowed)})")
    state = raw.get("state")
    if state is not None and state not in states:
        raise ScenarioError(f"{where}.state: {state!r} is not one of {', '.join(states)}")
    return Placement(
        at=None if "at" not in raw else _point(raw["at"], f"{where}.at", passable, mover),
        state=None if state is None else next(s for s in states if s == state),
        stress=None if "stress" not in raw else _number(raw["stress"], f"{where}.stress", 0, 1),
        trust=None if "trust" not in raw else _number(raw["trust"], f"{where}.trust", 0, 1),
        id=None if not with_id else _number(raw.get("id"), f"{where}.id", 0, 100_000, True))


def _start(raw: Any, stage_like: dict[str, Any]) -> Start:
    if raw is None:
        return Start()
    if not isinstance(raw, dict):
        raise ScenarioError("start: wants a table")
    known = ("mila", "rex", "dylan", "officers", "civilians", "police")
    unknown = set(raw) - set(known)
    if unknown:
        raise ScenarioError(f"start: unknown key '{sorted(unknown)[0]}' ({', '.join(known)})")
    walkable, dog = stage_like["walkable"], stage_like["dog"]
    police = raw.get("police", {})
    if not isinstance(police, dict) or set(police) - {"phase", "last_known"}:
        raise ScenarioError("start.police: wants phase and, if you like, last_known")
    phase = police.get("phase")
    if phase is not None and phase not in PHASE_START:
        raise ScenarioError(f"start.police.phase: {phase!r} is not one of "
                            f"{', '.join(PHASE_START)}")

    def many(key: str, states: tuple[OfficerState, ...], allowed: tuple[str, ...]) -> tuple:
        items = raw.get(key, [])
        if not isinstance(items, list):
            raise ScenarioError(f"start.{key}: wants a list of tables ([[start.{key}]])")
        return tuple(_placement(item, f"start.{key}[{i}]", allowed, walkable, "a person",
                                states, with_id=True) for i, item in enumerate(items))

    return Start(
        mila=None if "mila" not in raw else _placement(raw["mila"], "start.mila", ("at",),
                                                       walkable, "Mila"),
        rex=None if "rex" not in raw else _placement(
            raw["rex"], "start.rex", ("at", "state", "stress", "trust"), dog, "Rex",
            REX_START_STATES),
        dylan=None if "dylan" not in raw else _placement(raw["dylan"], "start.dylan", ("at",),
                                                         walkable, "Dylan"),
        officers=many("officers", OFFICER_START_STATES, ("id", "at", "state")),
        civilians=many("civilians", (), ("id", "at")),
        phase=None if phase is None else Phase(phase),
        last_known=None if "last_known" not in police else _point(
            police["last_known"], "start.police.last_known", dog, "Rex"))


def load(path: Path, load_map: Callable[[Path], Any] | None = None) -> Scenario:
    """The scenario in ``path`` (ScenarioError: one line, naming the file; MapError for its
    map, with the checker's lines)."""
    try:
        return _load(path, load_map)
    except ScenarioError as err:
        raise ScenarioError(f"{path}: {err}") from None


def _load(path: Path, load_map: Callable[[Path], Any] | None) -> Scenario:
    import numpy as np

    from game.mapcheck import load_checked

    data = _read_toml(path)
    unknown = set(data) - TOP_KEYS
    if unknown:
        raise ScenarioError(f"unknown key '{sorted(unknown)[0]}' ({', '.join(sorted(TOP_KEYS))})")
    for key in ("map", "policy", "expect"):
        if key not in data:
            raise ScenarioError(f"{key}: missing")
    name = data.get("name", path.stem)
    description = data.get("description", "")
    if not isinstance(name, str) or not isinstance(description, str):
        raise ScenarioError("name and description: want text")
    if not isinstance(data["map"], str):
        raise ScenarioError("map: wants a path to a .tmx file, relative to this file")
    map_path = (path.parent / data["map"])
    refusal = guarded.problem(map_path, guarded.MAP)
    if refusal is not None:
        raise ScenarioError(f"map: {data['map']}: {refusal}")
    level = (load_map or load_checked)(map_path)
    seeds = _number(data.get("seeds", 10), "seeds", 1, guarded.MAX_GAMES, whole=True)
    # Room for any --seeds after the first one, so that every seed played is a valid seed.
    first_seed = _number(data.get("first_seed", 0), "first_seed", 0,
                         guarded.MAX_SEED - guarded.MAX_GAMES, whole=True)
    policy = data["policy"]
    if not isinstance(policy, str):
        raise ScenarioError("policy: wants a policy name")
    raw_args = data.get("policy_args", {})
    if not isinstance(raw_args, dict):
        raise ScenarioError("policy_args: wants a table of keyword arguments")
    try:
        policy_args = as_args(raw_args)
        check(policy, policy_args)
    except PolicyError as err:
        raise ScenarioError(f"policy: {err}") from None
    decide_every = _number(data.get("decide_every", 1), "decide_every", 1,
                           guarded.MAX_DECIDE_EVERY, whole=True)
    flags = {}
    for key in ("police", "civilians"):
        value = data.get(key, True)
        if not isinstance(value, bool):
            raise ScenarioError(f"{key}: wants true or false")
        flags[key] = value
    minutes = data.get("max_minutes")
    if minutes is not None:
        minutes = _number(minutes, "max_minutes", 0.01, guarded.MAX_MINUTES)
    tuning_table = data.get("tuning", {})
    if not isinstance(tuning_table, dict):
        raise ScenarioError("tuning: wants a table of tuning names and values")
    try:
        tuning = DEFAULT.replace(**tuning_table)
    except TuningError as err:
        raise ScenarioError(f"tuning: {err}") from None
    grids = {"walkable": np.isfinite(level.cost["foot"]), "dog": np.isfinite(level.cost["dog"])}
    start = _start(data.get("start"), grids)
    expectations, measures = _expectations(data["expect"], (level.width, level.height))
    options = GameOptions(police=flags["police"], civilians=flags["civilians"],
                          max_seconds=None if minutes is None else minutes * 60)
    return Scenario(path, name, description, MapBundle.of_level(level), seeds, first_seed,
                    policy, policy_args, decide_every, tuning, options, start,
                    tuple(expectations), measures)


# -- running ----------------------------------------------------------------------------------


@dataclass
class Outcome:
    """A scenario's verdict: its games, and one line per expectation that failed or game that
    could not be played."""

    scenario: Scenario
    games: list[dict[str, Any]]
    failures: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def passed(self) -> bool:
        return not self.failures and not self.errors


def judge(scenario: Scenario, games: list[dict[str, Any]]) -> Outcome:
    """Check every expectation over the games that were played."""
    outcome = Outcome(scenario, games, seconds=sum(g.get("wall_seconds", 0.0) for g in games))
    played = [g for g in games if "error" not in g]
    outcome.errors = [f"seed {g['seed']} failed: {g['error']}" for g in games if "error" in g]
    if not played:
        return outcome
    for expectation in scenario.expectations:
        reason = expectation.check(played)
        if reason is not None:
            outcome.failures.append(reason)
    return outcome


def run(scenarios: list[Scenario], seeds: int | None = None, jobs: int | None = None,
        policy_timeout: float | None = DEFAULT_SECONDS, progress: bool = True
        ) -> list[Outcome]:
    """Play every scenario's games together (in parallel) and judge each scenario."""
    plans = [scenario.games(seeds, policy_timeout) for scenario in scenarios]
    every = [game for plan in plans for game in plan]
    bar = ProgressBar("rex scenario") if progress else None
    try:
        results = run_games(every, jobs, bar)
    except KeyboardInterrupt:
        if bar is not None:
            bar.interrupted()  # "interrupted" on a line of its own
        raise
    outcomes, at = [], 0
    for scenario, plan in zip(scenarios, plans, strict=True):
        outcomes.append(judge(scenario, results[at:at + len(plan)]))
        at += len(plan)
    return outcomes


def junit(outcomes: Iterable[Outcome], path: Path) -> None:
    """A JUnit XML report: one test case per scenario, its reasons in <failure>/<error>."""
    outcomes = list(outcomes)
    suite = ElementTree.Element("testsuite", {
        "name": "rex scenarios", "tests": str(len(outcomes)),
        "failures": str(sum(1 for o in outcomes if o.failures and not o.errors)),
        "errors": str(sum(1 for o in outcomes if o.errors)),
        "time": f"{sum(o.seconds for o in outcomes):.3f}"})
    for outcome in outcomes:
        case = ElementTree.SubElement(suite, "testcase", {
            "classname": f"scenarios.{outcome.scenario.path.stem}",
            "name": outcome.scenario.name, "file": str(outcome.scenario.path),
            "time": f"{outcome.seconds:.3f}"})
        if outcome.errors:
            error = ElementTree.SubElement(case, "error", {"message": outcome.errors[0]})
            error.text = "\n".join(outcome.errors + outcome.failures)
        elif outcome.failures:
            failure = ElementTree.SubElement(case, "failure", {"message": outcome.failures[0]})
            failure.text = "\n".join(outcome.failures)
    tree = ElementTree.ElementTree(ElementTree.Element("testsuites"))
    tree.getroot().append(suite)
    ElementTree.indent(tree)
    with guarded.atomic_path(path) as temporary:  # whole or not at all; OutputError if not
        tree.write(temporary, encoding="utf-8", xml_declaration=True)


def as_json(outcome: Outcome) -> dict[str, Any]:
    """A scenario's verdict as ``rex scenario --json`` prints it."""
    scenario, played = outcome.scenario, [g for g in outcome.games if "error" not in g]
    endings: dict[str, int] = {}
    for game in played:
        endings[game["ending"] or "none"] = endings.get(game["ending"] or "none", 0) + 1
    return {"file": str(scenario.path), "name": scenario.name,
            "policy": label(scenario.policy, scenario.policy_args),
            "seeds": len(outcome.games), "passed": outcome.passed, "endings": endings,
            "failures": outcome.failures, "errors": outcome.errors}


def report_lines(outcome: Outcome) -> list[str]:
    """``PASS FILE: name (N seeds)``, or FAIL/ERROR and one line per reason."""
    scenario = outcome.scenario
    verdict = "PASS" if outcome.passed else ("ERROR" if outcome.errors else "FAIL")
    head = (f"{verdict} {scenario.path}: {scenario.name} ({len(outcome.games)} seeds, "
            f"{label(scenario.policy, scenario.policy_args)})")
    return [head] + [f"  {reason}" for reason in outcome.errors + outcome.failures]
