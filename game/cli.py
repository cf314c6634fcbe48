"""The ``rex`` command: play, replay, check-map, sim, batch, scenario, playtest and sweep.

Errors a user can cause (a bad map, a bad flag, an unwritable file) end as one clear line and a
non-zero exit: 1 for a bad input file or a failed save, 2 for bad usage. Every number a flag
takes is checked against its range (``game.cliargs``, with the ranges of ``game.guarded``), and
every output path before any game is played. SIGTERM is handled like Ctrl-C: the games stop, the
workers are stopped, one line says so. A policy that fails during a game is one line naming it,
the tick and the seed (its traceback only with ``--debug``), exit 1. Machine-readable output
goes to stdout and nothing else does; a reader that closes the pipe early (``rex sim --json |
head``) ends the command quietly. Only ``rex play`` and ``rex replay`` load the view
(``game.view.cli_play``, then pygame); the headless commands import nothing of it, and a batch's
or sweep's plots are drawn by ``game.view.plots`` only when ``--report`` asks for them.
"""

from __future__ import annotations

import argparse
import os
import signal
import sys
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any

from game import __version__, guarded
from game.cliargs import (
    DEFAULT_MAP,
    Terminated,
    UsageError,
    add_handler_arguments,
    add_jobs_argument,
    add_policy_arguments,
    add_policy_guards,
    check_output_file,
    check_output_folder,
    handler_choices,
    interrupted_status,
    minutes,
    policy_choices,
    report_failures,
    report_policy_error,
    seed,
    seed_count,
    share,
)
from game.level import MapError
from game.replay import Replay, ReplayError

# The subcommands that open the window. Their flags are declared by game.view.cli_play, which
# is imported only when the command line names one of them: the headless commands (check-map,
# sim, batch, scenario, sweep) never load the view.
WINDOW_COMMANDS = ("play", "replay")


def _parser(command: str | None = None) -> argparse.ArgumentParser:
    """The ``rex`` command's parser, for the subcommand the command line names (``None``: all
    of them, as the docs and tests read it). The window's subcommands get their flags only when
    named, so that parsing a headless command imports nothing of the view."""
    parser = argparse.ArgumentParser(
        prog="rex", description="Rex: a runaway police K9 follows a scent across the city.",
        allow_abbrev=False)
    parser.add_argument("--version", action="version", version=f"rex {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    play = sub.add_parser("play", help="play in a window", allow_abbrev=False)
    replay = sub.add_parser("replay", help="watch a recorded game in the window",
                            allow_abbrev=False)
    if command is None or command in WINDOW_COMMANDS:
        from game.view.cli_play import add_play_arguments, add_replay_arguments

        add_play_arguments(play, DEFAULT_MAP)
        add_replay_arguments(replay)

    check = sub.add_parser("check-map", help="check Tiled maps against the map contract",
                           allow_abbrev=False)
    check.add_argument("files", nargs="+", metavar="FILE", help=".tmx files")
    check.add_argument("--json", action="store_true",
                       help="print one JSON object with every problem and where it is "
                            "(docs/check-map.schema.json)")

    sim = sub.add_parser("sim", help="run one game headless", allow_abbrev=False)
    sim.add_argument("--map", type=Path, default=DEFAULT_MAP, help="a Tiled .tmx map")
    sim.add_argument("--seed", type=seed, default=0,
                     help="the game's seed, 0 to 2^63 - 1 (default 0)")
    add_policy_arguments(sim, several=False)
    add_handler_arguments(sim, several=False)
    sim.add_argument("--no-police", action="store_true", help="play without the police")
    sim.add_argument("--no-civilians", action="store_true", help="play without passers-by")
    sim.add_argument("--max-minutes", type=minutes, metavar="M",
                     help="stop after M minutes of play (at most 1440) if nothing has ended "
                          "the chase")
    sim.add_argument("--trace", type=Path, metavar="FILE",
                     help="write per-tick positions and states (.npz, or JSON lines)")
    sim.add_argument("--json", action="store_true", help="print one JSON object")
    sim.add_argument("--replay", type=Path, metavar="FILE",
                     help="play a recorded replay instead of a policy (seed and policy are "
                          "the recording's; --map defaults to the recorded map)")
    sim.add_argument("--record", type=Path, metavar="FILE",
                     help="save the game's commands as a replay")

    batch = sub.add_parser("batch", help="run many seeded games in parallel and summarise",
                           allow_abbrev=False)
    batch.add_argument("--map", type=Path, default=DEFAULT_MAP, help="a Tiled .tmx map")
    add_policy_arguments(batch, several=True)
    add_handler_arguments(batch, several=True)
    batch.add_argument("--seeds", type=seed_count, required=True,
                       help=f"games per policy, seeds 0 to N-1 (at most {guarded.MAX_GAMES:,} "
                            "games in all)")
    add_jobs_argument(batch)
    batch.add_argument("--no-police", action="store_true", help="play without the police")
    batch.add_argument("--no-civilians", action="store_true", help="play without passers-by")
    batch.add_argument("--max-minutes", type=minutes, metavar="M",
                       help="stop each game after M minutes of play (at most 1440)")
    batch.add_argument("--json", action="store_true", help="print the summary as JSON")
    batch.add_argument("--report", type=Path, metavar="DIR",
                       help="write per-game JSON lines and plots into DIR")

    scenario = sub.add_parser(
        "scenario", help="play scenario tests (TOML files) and check their expectations",
        allow_abbrev=False)
    scenario.add_argument("files", nargs="+", type=Path, metavar="FILE",
                          help="scenario files (docs/SCENARIOS.md)")
    scenario.add_argument("--seeds", type=seed_count, metavar="N",
                          help="play seeds 0 to N-1 (from each file's first_seed) instead of "
                               f"each file's own count (at most {guarded.MAX_GAMES:,} games in "
                               "all)")
    add_jobs_argument(scenario)
    scenario.add_argument("--junit", type=Path, metavar="PATH",
                          help="also write the verdicts as JUnit XML")
    scenario.add_argument("--json", action="store_true", help="print the verdicts as JSON")
    add_policy_guards(scenario)

    playtest = sub.add_parser("playtest", help="does a map play? seeded games, in plain words")
    playtest.add_argument("maps", nargs="+", type=Path, metavar="MAP", help=".tmx maps")
    playtest.add_argument("--seeds", type=seed_count, default=20,
                          help="games per test: police off, and calm and wait with the full "
                               "cast (default 20)")
    add_jobs_argument(playtest)
    playtest.add_argument("--report", type=Path, metavar="DIR",
                          help="write playtest.json and a picture per map into DIR")
    playtest.add_argument("--json", action="store_true", help="print the report as JSON")
    playtest.add_argument("--min-reach", type=share, default=0.95, metavar="P",
                          help="exit 1 when Rex reaches Mila (police off) in a smaller share of "
                               "games on any map (default 0.95)")

    from game.sweep import add_sweep_arguments

    add_sweep_arguments(sub)
    return parser


def _report_map_error(err: MapError) -> int:
    for line in err.lines():
        print(line, file=sys.stderr)
    return 1


def _cmd_check_map(args: argparse.Namespace) -> int:
    from game.mapcheck import check_paths, check_paths_json

    if args.json:
        import json

        status, report = check_paths_json(args.files)
        print(json.dumps(report))
        return status
    status, lines = check_paths(args.files)
    for line in lines:
        print(line, file=sys.stderr if ": warning: " in line else sys.stdout)
    return status


def _cmd_play(args: argparse.Namespace) -> int:
    from game.view.cli_play import run_play

    return run_play(args)  # a bad map raises MapError, reported below like check-map


def _cmd_replay(args: argparse.Namespace) -> int:
    from game.view.cli_play import run_replay

    return run_replay(args)  # a replay that does not fit raises ReplayError: one line, exit 1


def _cmd_sim(args: argparse.Namespace) -> int:
    import json

    from game.headless import GameOptions, Runner
    from game.mapcheck import load_checked
    from game.policies import PolicyError, label

    if args.replay is not None and args.record is not None:
        raise UsageError("--record cannot be used with --replay: the replay is the record "
                         "(copy the file to keep another)")
    check_output_file("--trace", args.trace, args.map, args.replay)
    check_output_file("--record", args.record, args.map)
    if args.trace is not None and args.record is not None and (
            os.path.abspath(args.trace) == os.path.abspath(args.record)):
        raise UsageError("--trace and --record name the same file")
    recorded_hash = None
    if args.replay is not None and (args.role != "mila" or args.handler_policy is not None):
        raise UsageError("--role and --handler-policy come from the replay; give neither with "
                         "--replay")
    handlers = handler_choices(args)
    if args.replay is not None:
        result, recorded_hash = _replay_headless(args)
    else:
        [(name, policy_args)] = policy_choices(args)
        level = load_checked(args.map)
        options = GameOptions(police=not args.no_police, civilians=not args.no_civilians,
                              max_seconds=None if args.max_minutes is None
                              else args.max_minutes * 60)
        record = None
        if args.record is not None:
            record = Replay(level.name, str(args.map), level.content_hash, args.seed,
                            options.police, options.civilians)
        try:
            result = Runner(level).play(args.seed, name, options=options, trace=args.trace,
                                        record=record, policy_args=policy_args,
                                        decide_every=args.decide_every,
                                        policy_timeout=args.policy_timeout,
                                        handler=handlers[0] if handlers else None)
        except PolicyError as err:
            return _sim_failed(args, level.name, label(name, policy_args), err)
        if record is not None:
            record.save(args.record)
    if args.json:
        print(json.dumps(result))
    else:
        reached = result["rex_reached_mila_tick"]
        print(f"{result['map']} seed {result['seed']} policy {result['policy']}: "
              f"ending {result['ending'] or 'none'} after {result['game_seconds']:.0f} s "
              f"(clock {result['clock']})")
        print("Rex reached Mila " + (f"after {reached / 30:.0f} s" if reached is not None
                                     else "never"))
        if "handler_orders" in result:
            given = {k: v for k, v in result["handler_orders"].items() if v}
            print(f"Handler {result.get('handler_policy', 'replay')}: orders "
                  + (", ".join(f"{k} {v}" for k, v in given.items()) or "none"))
        print(f"state {result['state_hash'][:16]}  {result['wall_seconds']:.2f} s of wall time")
    if result.get("replay_matches") is False:
        print(f"rex sim: {args.replay}: the replay does not reproduce: it ends with state "
              f"{result['state_hash'][:16]}, the recording with {str(recorded_hash)[:16]}",
              file=sys.stderr)
        return 1
    return 0


def _sim_failed(args: argparse.Namespace, map_name: str, policy: str, err: Any) -> int:
    """``rex sim`` whose policy failed: the one line (and JSON with ``error``), exit 1."""
    import json

    from game.batch import error_result

    report_policy_error("sim", err, args.debug)
    if args.json:
        outcome = error_result(map_name, args.seed, policy, err)
        outcome.pop("traceback")
        print(json.dumps(outcome))
    return 1


def _replay_headless(args: argparse.Namespace) -> tuple[dict, str | None]:
    """The replayed game's result (with ``replay_matches``) and the recorded final hash."""
    from game.headless import Runner
    from game.mapcheck import load_checked
    from game.replay import load

    replay = load(args.replay)
    map_path = args.map if args.map != DEFAULT_MAP else Path(replay.map_path)
    if not map_path.exists() and args.map == DEFAULT_MAP:
        map_path = DEFAULT_MAP
    result = Runner(load_checked(map_path)).replay(replay, trace=args.trace)
    result["replay_matches"] = (replay.final_state_hash is None
                                or replay.final_state_hash == result["state_hash"])
    return result, replay.final_state_hash


def _cmd_batch(args: argparse.Namespace) -> int:
    import json

    from game import report
    from game.batch import GameSpec, ProgressBar, run_games
    from game.bundle import MapBundle
    from game.headless import GameOptions
    from game.mapcheck import load_checked

    handlers = handler_choices(args)
    games = args.seeds * len(args.policy) * max(1, len(handlers))
    if games > guarded.MAX_GAMES:
        raise UsageError(f"{games:,} games ({args.seeds:,} seeds x {len(args.policy)} policies"
                         + (f" x {len(handlers)} Handler policies" if handlers else "")
                         + f") is more than one batch plays ({guarded.MAX_GAMES:,}); split it")
    chosen = policy_choices(args)
    check_output_folder("--report", args.report)
    level = load_checked(args.map)
    options = GameOptions(police=not args.no_police, civilians=not args.no_civilians,
                          max_seconds=None if args.max_minutes is None else args.max_minutes * 60)
    bundle = MapBundle.of_level(level)
    specs = [GameSpec(bundle, seed, name, options=options, policy_args=policy_args,
                      decide_every=args.decide_every, policy_timeout=args.policy_timeout,
                      handler=handler)
             for handler in handlers or [None] for name, policy_args in chosen
             for seed in range(args.seeds)]
    progress = ProgressBar(f"rex batch {level.name}")
    try:
        results = run_games(specs, args.jobs, progress)
    except KeyboardInterrupt:
        progress.interrupted()
        raise
    per_policy = report.summarise(results)
    if args.json:
        print(json.dumps({"map": level.name, "seeds": args.seeds, "per_policy": per_policy}))
    else:
        print(report.table(per_policy))
    if args.report is not None:
        for path in report.write_report(args.report, results, per_policy, level):
            print(f"wrote {path}", file=sys.stderr)
    report_failures(results, args.debug)
    return 1 if any("error" in r for r in results) else 0


def _cmd_scenario(args: argparse.Namespace) -> int:
    import json

    from game import scenario as scenario_mod

    check_output_file("--junit", args.junit, *args.files)
    try:
        scenarios = [scenario_mod.load(path) for path in args.files]
    except scenario_mod.ScenarioError as err:
        print(f"rex scenario: {err}", file=sys.stderr)
        return 1
    games = sum(args.seeds or scenario.seeds for scenario in scenarios)
    if games > guarded.MAX_GAMES:
        raise UsageError(f"{games:,} games in {len(scenarios)} scenarios is more than one run "
                         f"plays ({guarded.MAX_GAMES:,}); give fewer --seeds or split it")
    outcomes = scenario_mod.run(scenarios, args.seeds, args.jobs, args.policy_timeout)
    if args.debug:
        for outcome in outcomes:
            report_failures(outcome.games, debug=True)
    if args.junit is not None:
        scenario_mod.junit(outcomes, args.junit)
        print(f"wrote {args.junit}", file=sys.stderr)
    passed = sum(1 for o in outcomes if o.passed)
    if args.json:
        print(json.dumps({"scenarios": [scenario_mod.as_json(o) for o in outcomes],
                          "passed": passed, "failed": len(outcomes) - passed}))
    else:
        for outcome in outcomes:
            print("\n".join(scenario_mod.report_lines(outcome)))
        print(f"rex scenario: {len(outcomes)} scenarios, {passed} passed, "
              f"{len(outcomes) - passed} failed")
    return 0 if passed == len(outcomes) else 1


def _cmd_playtest(args: argparse.Namespace) -> int:
    import json

    from game import playtest
    from game.bundle import MapBundle
    from game.mapcheck import load_checked

    check_output_folder("--report", args.report)
    maps: list[playtest.MapUnderTest] = []
    names: dict[str, int] = {}
    for path in args.maps:
        level = load_checked(path)  # a bad map: its lines and exit 1, before any game
        count = names[level.name] = names.get(level.name, 0) + 1
        name = level.name if count == 1 else f"{level.name}-{count}"
        maps.append(playtest.MapUnderTest(path, level, MapBundle.of_level(level), name))
    reports = playtest.play(maps, args.seeds, args.jobs)
    if args.json:
        print(json.dumps(playtest.summary(reports, args.min_reach)))
    else:
        print("\n\n".join(playtest.text(report, args.min_reach) for report in reports))
        playing = sum(r["reach"]["rate"] >= args.min_reach for r in reports)
        print(f"\n{playing} of {len(reports)} maps play (Rex reaches a waiting Mila with the "
              f"police off in at least {100 * args.min_reach:.0f}% of games)")
    if args.report is not None:
        for path in playtest.write_report(args.report, reports, maps, args.min_reach):
            print(f"wrote {path}", file=sys.stderr)
    return 0 if all(r["reach"]["rate"] >= args.min_reach for r in reports) else 1


def _cmd_sweep(args: argparse.Namespace) -> int:
    from game.sweep import run_sweep

    return run_sweep(args)


COMMANDS = {"play": _cmd_play, "check-map": _cmd_check_map, "sim": _cmd_sim,
            "replay": _cmd_replay,
            "batch": _cmd_batch, "sweep": _cmd_sweep, "scenario": _cmd_scenario,
            "playtest": _cmd_playtest}


@contextmanager
def _terminate_like_interrupt() -> Iterator[None]:
    """SIGTERM raises Terminated (a KeyboardInterrupt) while a command runs, once: a second
    SIGTERM kills at once, as without the game. Workers die with this process either way."""
    if threading.current_thread() is not threading.main_thread():
        yield  # only the main thread may set signal handlers (tests call main from threads)
        return

    def terminate(signum: int, frame: object) -> None:
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        raise Terminated

    previous = signal.signal(signal.SIGTERM, terminate)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def main(argv: Sequence[str] | None = None) -> int:
    """Run ``rex`` with ``argv`` (the process's arguments by default); the exit status.

    A reader that closes the pipe before the output is all written (``rex sim --json | head
    -c 10``) ends the command quietly with status 1: the rest of the output goes nowhere, and
    Python's own flush at exit finds nothing to complain about."""
    try:
        status = _run(argv)
        sys.stdout.flush()  # here, where a closed pipe can still be handled
    except BrokenPipeError:
        _drop_closed_output()
        return 1
    return status


def _drop_closed_output() -> None:
    """Point stdout and stderr, where their reader has gone, at the null device."""
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):
            # Not a real file (a test's capture): nothing flushes it at exit anyway.
            with suppress(OSError, ValueError):
                os.dup2(os.open(os.devnull, os.O_WRONLY), stream.fileno())


def _run(argv: Sequence[str] | None) -> int:
    from game.policies import PolicyError

    arguments = sys.argv[1:] if argv is None else list(argv)
    try:
        # From before the parser is built: building it imports the command's modules (the
        # simulation, scipy), and a SIGTERM in that second must end as cleanly as later ones.
        with _terminate_like_interrupt():
            parser = _parser(next((a for a in arguments if not a.startswith("-")), None) or "")
            args = parser.parse_args(arguments)
            return COMMANDS[args.command](args)
    except MapError as err:
        return _report_map_error(err)
    except ReplayError as err:
        print(f"rex {args.command}: {err}", file=sys.stderr)
        return 1
    except PolicyError as err:  # a policy that failed during a game (rex play --autoplay)
        report_policy_error(args.command, err, getattr(args, "debug", False))
        return 1
    except (guarded.OutputError, guarded.InputError) as err:
        print(f"rex {args.command}: error: {err}", file=sys.stderr)
        return 1
    except UsageError as err:
        print(f"rex {args.command}: error: {err}", file=sys.stderr)
        return 2
    except KeyboardInterrupt as err:
        print("rex: terminated" if isinstance(err, Terminated) else "rex: interrupted",
              file=sys.stderr)
        return interrupted_status(err)
