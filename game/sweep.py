"""``rex sweep``: seeded games for every combination of tuning values, maps and policies.

The sweep is planned on the client in a fixed order (map, combination, policy, seed) and played
by a backend from ``game.batch`` (local worker processes, or Dask). Every game is named by a key
of its inputs; with ``--out DIR`` each finished game is appended to DIR/games.jsonl as it arrives,
so running the same command again plays only the games that are missing. A sweep holds an
advisory lock on DIR while it runs: a second sweep into the same folder is refused, so no game
is played twice into one log. The results come out
as a tidy table (one row per game, Parquet when pyarrow is installed, CSV otherwise) and a summary
per combination with the ending mix and its intervals, in the planned order whatever ran them.
"""

from __future__ import annotations

import argparse
import csv
import difflib
import itertools
import json
import math
import os
import sys
from collections.abc import Iterator
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from game import guarded, report
from game.batch import BackendError, GameSpec, ProgressBar, open_backend
from game.bundle import MapBundle
from game.cliargs import (
    DEFAULT_MAP,
    UsageError,
    add_handler_arguments,
    add_policy_arguments,
    check_output_folder,
    handler_choices,
    interrupted_status,
    jobs,
    minutes,
    policy_choices,
    seed_count,
)
from game.headless import GameOptions
from game.tuning import DEFAULT, TuningError, describe
from game.watchdog import DEFAULT_SECONDS

# Result fields copied into the table, after the game's inputs (map, policy, knobs, seed).
COUNTS = ("sightings", "phone_reports", "aims", "shots", "civilians_indoors", "filming_peak")


def add_sweep_arguments(subparsers: Any) -> argparse.ArgumentParser:
    """Register ``rex sweep`` on the ``rex`` command's subparsers."""
    sweep = subparsers.add_parser(
        "sweep", help="play every combination of tuning values on maps and policies",
        allow_abbrev=False)
    sweep.add_argument("--map", type=Path, action="append", metavar="FILE",
                       help=f"a Tiled .tmx map (repeat for several; default {DEFAULT_MAP.name})")
    add_policy_arguments(sweep, several=True)
    add_handler_arguments(sweep, several=True)
    sweep.add_argument("--seeds", type=seed_count, required=True, metavar="N",
                       help="games per map, combination and policy: seeds 0 to N-1")
    sweep.add_argument("--set", action="append", default=[], metavar="NAME=V1,V2,...",
                       help="tuning values to sweep (repeat for more knobs; every combination "
                            "is played)")
    sweep.add_argument("--list-knobs", action=_ListKnobs,
                       help="list the tuning names with their defaults and ranges, and exit")
    sweep.add_argument("--jobs", type=jobs, metavar="J",
                       help="local worker processes, or LocalCluster workers with --scheduler "
                            f"local, 1 to {guarded.MAX_JOBS} (default: all cores)")
    sweep.add_argument("--scheduler", metavar="ADDRESS",
                       help="play on a running Dask scheduler (tcp://host:8786), or 'local' to "
                            "start a LocalCluster; needs the scale extra")
    sweep.add_argument("--out", type=Path, metavar="DIR",
                       help="append each game to DIR/games.jsonl as it ends and resume from it; "
                            "the table and summary are written there at the end (one sweep "
                            "at a time: another one into DIR is refused)")
    sweep.add_argument("--report", type=Path, metavar="DIR",
                       help="write the table, the summary and plots of the ending mix against "
                            "each swept value into DIR")
    sweep.add_argument("--no-police", action="store_true", help="play without the police")
    sweep.add_argument("--no-civilians", action="store_true", help="play without passers-by")
    sweep.add_argument("--max-minutes", type=minutes, metavar="M",
                       help="stop each game after M minutes of play (at most 1440)")
    sweep.add_argument("--json", action="store_true", help="print the summary as JSON")
    return sweep


class _ListKnobs(argparse.Action):
    """``--list-knobs``: the tuning table, then exit, without the flags a sweep needs."""

    def __init__(self, option_strings: list[str], dest: str, **kwargs: Any):
        super().__init__(option_strings, dest, nargs=0, default=argparse.SUPPRESS,
                         help=kwargs.get("help"))

    def __call__(self, parser: argparse.ArgumentParser, namespace: argparse.Namespace,
                 values: Any, option_string: str | None = None) -> None:
        for name, default, low, high, doc in describe():
            print(f"{name:26} {value_text(default):>8}  {low:g} to {high:g}  {doc}")
        parser.exit()


def value_text(value: Any) -> str:
    """A knob value as ``--set`` takes it."""
    return str(value).lower() if isinstance(value, bool) else f"{value:.12g}"


def parse_sets(texts: list[str]) -> dict[str, list[Any]]:
    """``NAME=V1,V2`` flags -> {name: values}, each value typed and checked against its range."""
    knobs = {name: default for name, default, *_ in describe()}
    swept: dict[str, list[Any]] = {}
    for text in texts:
        name, equals, values_text = text.partition("=")
        name = name.strip()
        if not equals or not name or not values_text.strip():
            raise UsageError(f"--set wants NAME=V1,V2,...; got '{text}'")
        if name not in knobs:
            close = difflib.get_close_matches(name, knobs, n=1)
            hint = f"did you mean '{close[0]}'? " if close else ""
            raise UsageError(f"unknown tuning name '{name}' ({hint}rex sweep --list-knobs "
                             "lists them)")
        if name in swept:
            raise UsageError(f"--set {name} is given twice; list all its values in one --set")
        parts = values_text.split(",")
        if len(parts) > guarded.MAX_GAMES:
            raise UsageError(f"--set {name} lists {len(parts):,} values; a sweep plays at most "
                             f"{guarded.MAX_GAMES:,} games")
        values = [_typed(name, knobs[name], part.strip()) for part in parts]
        seen: set[Any] = set()
        for value in values:
            if value in seen:
                raise UsageError(f"--set {name} lists {value_text(value)} twice")
            seen.add(value)
        for value in values:
            try:
                DEFAULT.replace(**{name: value})
            except TuningError as err:
                raise UsageError(str(err)) from None
        swept[name] = values
    return swept


def _typed(name: str, default: Any, text: str) -> Any:
    """``text`` read as the knob's type: true/false, a whole number or a number."""
    if isinstance(default, bool):
        if text.lower() not in ("true", "false"):
            raise UsageError(f"{name} takes true or false, not '{text}'")
        return text.lower() == "true"
    try:
        return int(text) if isinstance(default, int) else float(text)
    except ValueError:
        kind = "whole numbers" if isinstance(default, int) else "numbers"
        raise UsageError(f"{name} takes {kind}, not '{text}'") from None


@dataclass(frozen=True)
class PlannedGame:
    map_label: str
    values: tuple[tuple[str, Any], ...]  # the swept knobs' values in this game, in --set order
    spec: GameSpec
    key: str


def plan(maps: list[tuple[str, MapBundle]], swept: dict[str, list[Any]],
         policies: list[str | tuple[str, tuple]], seeds: int, options: GameOptions,
         decide_every: int = 1, policy_timeout: float | None = DEFAULT_SECONDS,
         handlers: list[str] | None = None) -> list[PlannedGame]:
    """Every game of the sweep, in the order of the table: map, combination, policy, seed.
    A policy is a name or a (name, arguments) pair; each plays with each of ``handlers``
    (Handler policies) when there are any."""
    games = []
    for label, bundle in maps:
        for combination in itertools.product(*swept.values()):
            values = tuple(zip(swept, combination, strict=True))
            tuning = DEFAULT.replace(**dict(values))
            for handler, choice in itertools.product(handlers or [None], policies):
                name, args = (choice, ()) if isinstance(choice, str) else choice
                for seed in range(seeds):
                    spec = GameSpec(bundle, seed, name, tuning, options, args, decide_every,
                                    policy_timeout, handler)
                    games.append(PlannedGame(label, values, spec, spec.key()))
    return games


# A game's record is a few kB; a longer line in games.jsonl is not one of ours and is skipped.
MAX_RECORD_BYTES = 1 << 20


def _bounded_lines(stream: IO[bytes], limit: int) -> Iterator[bytes]:
    """The lines of ``stream`` of at most ``limit`` bytes; longer ones are skipped whole
    without ever being held in memory."""
    while True:
        line = stream.readline(limit + 1)
        if not line:
            return
        if len(line) <= limit:
            yield line
            continue
        while line and not line.endswith(b"\n"):  # the rest of an overlong line
            line = stream.readline(limit + 1)


class GameLog:
    """DIR/games.jsonl: one JSON line per finished game, flushed as it ends, read to resume.

    ``lock`` takes DIR for this sweep alone (``fcntl.flock`` on the folder, where the system
    has it): the lock goes when the sweep ends, however it ends, and a second sweep that finds
    it taken is refused, so two sweeps never append the same game.
    """

    def __init__(self, directory: Path):
        self.path = directory / "games.jsonl"
        self._file: IO[str] | None = None
        self._lock: int | None = None

    def lock(self) -> None:
        report.make_folder(self.path.parent)
        try:
            import fcntl
        except ImportError:  # Windows: no advisory locks; one sweep per folder is up to you
            return
        try:
            folder = os.open(self.path.parent, os.O_RDONLY)
        except OSError as err:
            raise guarded.OutputError(f"cannot open {self.path.parent}: "
                                      f"{err.strerror or err}") from None
        try:
            fcntl.flock(folder, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(folder)
            raise guarded.OutputError(f"--out {self.path.parent} is in use by another rex sweep; "
                                      "wait for it to end or choose another folder") from None
        except OSError:  # a file system without locks: go on as before locks existed
            os.close(folder)
            return
        self._lock = folder

    def unlock(self) -> None:
        if self._lock is not None:
            os.close(self._lock)
            self._lock = None

    def finished(self, wanted: set[str] | None = None) -> dict[str, dict[str, Any]]:
        """Records by game key (only the ``wanted`` keys, when given: a log of many sweeps
        need not fit in memory); a line cut short by a kill (or garbled, or longer than any
        record) is skipped. The log must be a regular file within ``guarded.GAME_LOG``'s
        limit (InputError otherwise)."""
        records: dict[str, dict[str, Any]] = {}
        if not os.path.lexists(self.path):
            return records
        with guarded.open_binary(self.path, guarded.GAME_LOG) as lines:
            for line in _bounded_lines(lines, MAX_RECORD_BYTES):
                try:
                    record = json.loads(line)
                except (ValueError, RecursionError):
                    continue
                if isinstance(record, dict) and isinstance(record.get("key"), str) and (
                        wanted is None or record["key"] in wanted):
                    records[record["key"]] = record
        return records

    def __enter__(self) -> GameLog:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        # A kill mid-write can leave a last line without its newline: end it, so that the next
        # record starts on a line of its own (the partial line is then skipped when read).
        cut_short = False
        if self.path.exists() and self.path.stat().st_size:
            with guarded.open_binary(self.path, guarded.GAME_LOG) as existing:
                existing.seek(-1, 2)
                cut_short = existing.read(1) != b"\n"
        self._file = self.path.open("a", encoding="utf-8")
        if cut_short:
            self._file.write("\n")
        return self

    def __exit__(self, *exc: object) -> None:
        if self._file is not None:
            self._file.close()
            self._file = None

    def append(self, record: dict[str, Any]) -> None:
        assert self._file is not None, "append inside `with log:`"
        try:
            self._file.write(json.dumps(record) + "\n")
            self._file.flush()
        except OSError as err:
            raise guarded.OutputError(f"cannot write {self.path}: {err.strerror or err}"
                                      ) from None


def tidy_rows(games: list[PlannedGame], results: dict[str, dict[str, Any]]
              ) -> list[dict[str, Any]]:
    """One row per game: its inputs, its ending and counts, and its error if it failed."""
    rows = []
    for game in games:
        result = results[game.key]
        error = result.get("error")
        seconds = result.get("game_seconds")
        rows.append({
            "map": game.map_label, "policy": game.spec.label, **dict(game.values),
            "seed": game.spec.seed,
            "ending": None if error else result["ending"] or "none",
            "minutes": None if seconds is None else round(seconds / 60, 3),
            "views": result.get("views"),
            **{name: result.get(name) for name in COUNTS},
            "state_hash": result.get("state_hash"),
            "error": error, "traceback": result.get("traceback"),
            "wall_seconds": result.get("wall_seconds"), "key": game.key,
        })
    return rows


def write_table(directory: Path, rows: list[dict[str, Any]]) -> Path:
    """The tidy table as DIR/results.parquet, or DIR/results.csv without pyarrow."""
    try:
        import pyarrow
        import pyarrow.parquet
    except ImportError:
        path = directory / "results.csv"
        with guarded.atomic_path(path) as temporary, temporary.open(
                "w", newline="", encoding="utf-8") as file:
            writer = csv.DictWriter(file, fieldnames=list(rows[0]))
            writer.writeheader()
            writer.writerows(rows)
        return path
    # Declared types, so that a column with no value in this sweep (no game failed, say) has
    # the same type as in the next, and tables of several sweeps concatenate.
    knobs = {name: default for name, default, *_ in describe()}
    types = {bool: pyarrow.bool_(), int: pyarrow.int64(), float: pyarrow.float64()}
    schema = pyarrow.schema([
        (column, types[type(knobs[column])] if column in knobs
         else pyarrow.int64() if column in ("seed", "views", *COUNTS)
         else pyarrow.float64() if column in ("minutes", "wall_seconds")
         else pyarrow.string()) for column in rows[0]])
    path = directory / "results.parquet"
    with guarded.atomic_path(path) as temporary:
        pyarrow.parquet.write_table(pyarrow.Table.from_pylist(rows, schema=schema),
                                    str(temporary))
    return path


def summarise(games: list[PlannedGame], results: dict[str, dict[str, Any]]
              ) -> list[dict[str, Any]]:
    """Per map and combination of values: the ending mix of each policy, with intervals."""
    groups: dict[tuple, list[dict[str, Any]]] = {}
    for game in games:
        groups.setdefault((game.map_label, game.values), []).append(results[game.key])
    return [{"map": label, "tuning": dict(values), "per_policy": report.summarise(group)}
            for (label, values), group in groups.items()]


def plots(directory: Path, games: list[PlannedGame], results: dict[str, dict[str, Any]],
          swept: dict[str, list[Any]]) -> list[Path]:
    """For each swept knob, the ending mix per policy against its values (all maps together)."""
    from game.view.plots import sweep_plot  # pygame: only when a report is asked for

    written = []
    for knob, values in swept.items():
        mixes: dict[str, dict[str, Any]] = {}
        for policy in dict.fromkeys(game.spec.label for game in games):
            mixes[policy] = {
                value_text(value): report.summarise(
                    [results[g.key] for g in games
                     if g.spec.label == policy and dict(g.values)[knob] == value])[policy]
                for value in values}
        written.append(sweep_plot(directory / f"endings_by_{knob}.png", knob, mixes))
    return written


def _map_labels(paths: list[Path], bundles: list[MapBundle]) -> list[str]:
    """Each map's name, or its path where two maps share a name."""
    names = [bundle.name for bundle in bundles]
    return [name if names.count(name) == 1 else str(path)
            for name, path in zip(names, paths, strict=True)]


def _bundles(paths: list[Path]) -> list[MapBundle]:
    """Each map checked (MapError lists its problems) and read with its files."""
    from game.mapcheck import load_checked

    bundles = [MapBundle.of_level(load_checked(path)) for path in paths]
    first_with: dict[str, Path] = {}
    for path, bundle in zip(paths, bundles, strict=True):
        if bundle.content_hash in first_with:
            raise UsageError(f"--map {first_with[bundle.content_hash]} and --map {path} are "
                             "the same map")
        first_with[bundle.content_hash] = path
    return bundles


def _count_games(args: argparse.Namespace, swept: dict[str, list[Any]], policies: list[Any]
                 ) -> None:
    """UsageError if the sweep plans more games than one run may keep in memory."""
    maps = len(args.map or [DEFAULT_MAP])
    combinations = math.prod(len(values) for values in swept.values())
    games = maps * combinations * len(policies) * args.seeds
    if games > guarded.MAX_GAMES:
        raise UsageError(f"the sweep plans {games:,} games ({maps} maps x {combinations:,} "
                         f"combinations x {len(policies)} policies x {args.seeds:,} seeds); "
                         f"one run plays at most {guarded.MAX_GAMES:,}: split it")


def run_sweep(args: argparse.Namespace) -> int:
    """Run ``rex sweep``: 0 when every game ran, 1 if any failed, 130 on Ctrl-C (143 on
    SIGTERM)."""
    from game.policies import label

    chosen = list({label(*choice): choice for choice in policy_choices(args)}.values())
    swept = parse_sets(args.set)
    handlers = handler_choices(args)
    _count_games(args, swept, chosen * max(1, len(handlers)))
    if args.jobs is not None and args.scheduler not in (None, "local"):
        raise UsageError("--jobs is for workers on this machine; a scheduler's workers are the "
                         "ones started with `dask worker`")
    check_output_folder("--out", args.out)
    check_output_folder("--report", args.report)
    paths = args.map or [DEFAULT_MAP]
    bundles = _bundles(paths)
    options = GameOptions(police=not args.no_police, civilians=not args.no_civilians,
                          max_seconds=None if args.max_minutes is None else args.max_minutes * 60)
    games = plan(list(zip(_map_labels(paths, bundles), bundles, strict=True)), swept, chosen,
                 args.seeds, options, args.decide_every, args.policy_timeout, handlers)

    log = GameLog(args.out) if args.out is not None else None
    try:
        if log is not None:
            log.lock()  # before reading: what another sweep appends is never missed
        return _play(args, games, swept, log)
    finally:
        if log is not None:
            log.unlock()


def _play(args: argparse.Namespace, games: list[PlannedGame], swept: dict[str, list[Any]],
          log: GameLog | None) -> int:
    """Play the games not yet in the log, appending each as it ends; then finish."""
    try:
        earlier = log.finished({game.key for game in games}) if log is not None else {}
    except OSError as err:
        raise guarded.OutputError(f"cannot read --out {args.out}: {err.strerror or err}"
                                  ) from None
    # Failed games are played again: a failure is usually a bug that has been fixed since.
    results = {key: r for key, r in earlier.items() if "error" not in r}
    todo = [game for game in games if game.key not in results]
    if log is not None and len(todo) < len(games):
        print(f"rex sweep: {len(games) - len(todo)} of {len(games)} games are already in "
              f"{log.path}; playing the other {len(todo)}", file=sys.stderr)
    played = 0
    try:
        with ExitStack() as stack:
            if log is not None:
                try:
                    stack.enter_context(log)
                except OSError as err:
                    raise guarded.OutputError(f"cannot write {log.path}: "
                                              f"{err.strerror or err}") from None
            if todo:  # a finished sweep starts no workers
                backend = stack.enter_context(open_backend(args.jobs, args.scheduler))
                progress = ProgressBar("rex sweep")
                for played, (index, result) in enumerate(
                        backend.play([game.spec for game in todo]), start=1):
                    game = todo[index]
                    results[game.key] = result
                    if log is not None:
                        log.append({"key": game.key, "tuning": dict(game.values), **result})
                    progress(played, len(todo))
    except BackendError as err:
        raise UsageError(str(err)) from None
    except KeyboardInterrupt as err:
        kept = (f"; the {played} finished are in {log.path}: run the same command to resume"
                if log is not None else "")
        how = "terminated" if interrupted_status(err) == 143 else "interrupted"
        print(("\n" if played else "") + f"rex sweep: {how} after {played} of "
              f"{len(todo)} games{kept}", file=sys.stderr)
        return interrupted_status(err)
    return _finish(args, games, results, swept)


def _finish(args: argparse.Namespace, games: list[PlannedGame],
            results: dict[str, dict[str, Any]], swept: dict[str, list[Any]]) -> int:
    """Write the table, summary and plots; print the summary; 1 if any game failed."""
    rows = tidy_rows(games, results)
    combinations = summarise(games, results)
    failed = [row for row in rows if row["error"]]
    summary = {"maps": list(dict.fromkeys(game.map_label for game in games)),
               "policies": list(dict.fromkeys(game.spec.label for game in games)),
               "seeds": args.seeds, "swept": swept, "games": len(rows), "failed": len(failed),
               "combinations": combinations}
    written = []
    for folder in dict.fromkeys(f for f in (args.out, args.report) if f is not None):
        report.make_folder(folder)  # every write below is atomic; a failure is OutputError
        summary_path = folder / "summary.json"
        guarded.write_atomic(summary_path, json.dumps(summary, indent=2) + "\n")
        written += [write_table(folder, rows), summary_path]
        if folder == args.report:
            written += plots(folder, games, results, swept)
    for path in written:
        print(f"wrote {path}", file=sys.stderr)

    if args.json:
        print(json.dumps(summary))
    else:
        for combination in combinations:
            values = ", ".join(f"{name}={value_text(value)}"
                               for name, value in combination["tuning"].items())
            print(combination["map"] + (f", {values}" if values else "") + ":")
            print("  " + report.table(combination["per_policy"]).replace("\n", "\n  "))
    for row in failed:
        if args.debug and row.get("traceback"):
            print(row["traceback"].rstrip(), file=sys.stderr)
        values = "".join(f" {name}={value_text(row[name])}" for name in swept)
        print(f"game {row['map']}{values} {row['policy']} seed {row['seed']} failed: "
              f"{row['error']}", file=sys.stderr)
    return 1 if failed else 0
