"""The ``rex`` command: play, check-map, sim, batch and sweep.

Errors a user can cause (a bad map, a bad flag, an unwritable file) end as one clear line and a
non-zero exit: 1 for a bad input file, 2 for bad usage. Machine-readable output goes to stdout
and nothing else does.
"""

from __future__ import annotations

import argparse
import math
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from game import __version__
from game.level import MapError
from game.policies import PolicyError
from game.replay import Replay, ReplayError
from game.view.cli_play import add_play_arguments, add_replay_arguments
from game.watchdog import DEFAULT_SECONDS as DEFAULT_POLICY_TIMEOUT

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_MAP = ROOT / "maps" / "lakeside.tmx"


class UsageError(Exception):
    """A flag value that parses but makes no sense (exit 2)."""


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a whole number") from None
    if value <= 0:
        raise argparse.ArgumentTypeError(f"{value} must be 1 or more")
    return value


class _PolicyArg(argparse.Action):
    """``--policy-arg KEY=VALUE``: kept with the number of the ``--policy`` it follows."""

    def __call__(self, parser: argparse.ArgumentParser, namespace: argparse.Namespace,
                 values: Any, option_string: str | None = None) -> None:
        from game.policies import PolicyError, parse_arg

        try:
            pair = parse_arg(values)
        except PolicyError as err:
            raise argparse.ArgumentError(self, str(err)) from None
        given = namespace.policy
        if given is None or isinstance(given, list):  # batch and sweep: several, in order
            if not given:
                raise argparse.ArgumentError(self, "give --policy NAME before its --policy-arg")
            index = len(given) - 1
        else:
            index = 0
        namespace.policy_args = [*(namespace.policy_args or []), (index, pair)]


def add_policy_arguments(parser: argparse.ArgumentParser, *, several: bool) -> None:
    """The flags that choose Mila's policy and how it runs, for sim, batch and sweep."""
    from game.policies import built_in_help

    what = f"Mila's policy: {built_in_help()}; or your own package.module:name"
    if several:
        parser.add_argument("--policy", action="append", required=True, metavar="NAME",
                            help=what + " (repeat to compare several)")
    else:
        parser.add_argument("--policy", default="wait", metavar="NAME",
                            help=what + " (default: wait)")
    parser.add_argument("--policy-arg", action=_PolicyArg, dest="policy_args", default=[],
                        metavar="KEY=VALUE",
                        help="a keyword argument for the policy (repeatable; VALUE is read as "
                             "JSON, else as a string)" + ("; it goes to the --policy before it"
                                                          if several else ""))
    parser.add_argument("--decide-every", type=_positive_int, default=1, metavar="K",
                        help="ask the policy every K ticks and repeat its commands in between "
                             "(default 1: every tick, 30 a second)")
    add_policy_guards(parser)


def add_policy_guards(parser: argparse.ArgumentParser) -> None:
    """``--policy-timeout`` and ``--debug``: what happens when a policy fails."""
    parser.add_argument("--policy-timeout", type=_timeout, default=DEFAULT_POLICY_TIMEOUT,
                        metavar="SECONDS",
                        help="end a game whose policy takes longer than this for one decision, "
                             f"as an error (default {DEFAULT_POLICY_TIMEOUT:g}; 0 for no limit)")
    parser.add_argument("--debug", action="store_true",
                        help="print the traceback of a policy that raised")


def policy_choices(args: argparse.Namespace) -> list[tuple[str, tuple]]:
    """Each --policy with its --policy-arg pairs (checked: exit 2 when a policy will not
    load or does not take its arguments)."""
    from game.policies import PolicyError, as_args, check

    names = args.policy if isinstance(args.policy, list) else [args.policy]
    chosen = []
    for index, name in enumerate(names):
        try:
            pairs = as_args([pair for at, pair in args.policy_args if at == index])
            check(name, pairs)
        except PolicyError as err:
            raise UsageError(str(err)) from None
        chosen.append((name, pairs))
    return chosen


def _timeout(text: str) -> float | None:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a number of seconds") from None
    if not math.isfinite(value) or value < 0:
        raise argparse.ArgumentTypeError(f"{text} must be 0 (no limit) or more seconds")
    return None if value == 0 else value


def report_policy_error(command: str, err: Any, debug: bool) -> None:
    """A failed policy: its traceback with --debug, then its one line."""
    if debug and getattr(err, "traceback", None):
        print(err.traceback.rstrip(), file=sys.stderr)
    print(f"rex {command}: {err}", file=sys.stderr)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="rex", description="Rex: a runaway police K9 follows a scent across the city.")
    parser.add_argument("--version", action="version", version=f"rex {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    play = sub.add_parser("play", help="play in a window")
    add_play_arguments(play, DEFAULT_MAP)
    replay = sub.add_parser("replay", help="watch a recorded game in the window")
    add_replay_arguments(replay)

    check = sub.add_parser("check-map", help="check Tiled maps against the map contract")
    check.add_argument("files", nargs="+", metavar="FILE", help=".tmx files")
    check.add_argument("--json", action="store_true",
                       help="print one JSON object with every problem and where it is "
                            "(docs/check-map.schema.json)")

    sim = sub.add_parser("sim", help="run one game headless")
    sim.add_argument("--map", type=Path, default=DEFAULT_MAP, help="a Tiled .tmx map")
    sim.add_argument("--seed", type=_whole, default=0, help="the game's seed (default 0)")
    add_policy_arguments(sim, several=False)
    sim.add_argument("--no-police", action="store_true", help="play without the police")
    sim.add_argument("--no-civilians", action="store_true", help="play without passers-by")
    sim.add_argument("--max-minutes", type=_positive_float, metavar="M",
                     help="stop after M minutes of play if nothing has ended the chase")
    sim.add_argument("--trace", type=Path, metavar="FILE",
                     help="write per-tick positions and states (.npz, or JSON lines)")
    sim.add_argument("--json", action="store_true", help="print one JSON object")
    sim.add_argument("--replay", type=Path, metavar="FILE",
                     help="play a recorded replay instead of a policy (seed and policy are "
                          "the recording's; --map defaults to the recorded map)")
    sim.add_argument("--record", type=Path, metavar="FILE",
                     help="save the game's commands as a replay")

    batch = sub.add_parser("batch", help="run many seeded games in parallel and summarise")
    batch.add_argument("--map", type=Path, default=DEFAULT_MAP, help="a Tiled .tmx map")
    add_policy_arguments(batch, several=True)
    batch.add_argument("--seeds", type=_positive_int, required=True,
                       help="games per policy, seeds 0 to N-1")
    batch.add_argument("--jobs", type=_positive_int,
                       help="worker processes (default: all cores)")
    batch.add_argument("--no-police", action="store_true", help="play without the police")
    batch.add_argument("--no-civilians", action="store_true", help="play without passers-by")
    batch.add_argument("--max-minutes", type=_positive_float, metavar="M",
                       help="stop each game after M minutes of play")
    batch.add_argument("--json", action="store_true", help="print the summary as JSON")
    batch.add_argument("--report", type=Path, metavar="DIR",
                       help="write per-game JSON lines and plots into DIR")

    scenario = sub.add_parser(
        "scenario", help="play scenario tests (TOML files) and check their expectations")
    scenario.add_argument("files", nargs="+", type=Path, metavar="FILE",
                          help="scenario files (docs/SCENARIOS.md)")
    scenario.add_argument("--seeds", type=_positive_int, metavar="N",
                          help="play seeds 0 to N-1 (from each file's first_seed) instead of "
                               "each file's own count")
    scenario.add_argument("--jobs", type=_positive_int, metavar="J",
                          help="worker processes (default: all cores)")
    scenario.add_argument("--junit", type=Path, metavar="PATH",
                          help="also write the verdicts as JUnit XML")
    scenario.add_argument("--json", action="store_true", help="print the verdicts as JSON")
    add_policy_guards(scenario)

    from game.sweep import add_sweep_arguments  # it builds on this module's flags and errors

    add_sweep_arguments(sub)
    return parser


def _whole(text: str) -> int:
    try:
        return int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a whole number") from None


def _positive_float(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a number") from None
    if not value > 0 or value == float("inf"):
        raise argparse.ArgumentTypeError(f"{text} must be a positive number")
    return value


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


def _check_writable(path: Path) -> None:
    parent = path.resolve().parent
    if not parent.is_dir():
        raise UsageError(f"cannot write {path}: folder {parent} does not exist")


def _cmd_sim(args: argparse.Namespace) -> int:
    import json

    from game.headless import GameOptions, Runner
    from game.mapcheck import load_checked
    from game.policies import PolicyError, label

    for path in (args.trace, args.record):
        if path is not None:
            _check_writable(path)
    if args.replay is not None:
        result = _replay_headless(args)
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
                                        policy_timeout=args.policy_timeout)
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
        print(f"state {result['state_hash'][:16]}  {result['wall_seconds']:.2f} s of wall time")
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


def _replay_headless(args: argparse.Namespace) -> dict:
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
    return result


def _cmd_batch(args: argparse.Namespace) -> int:
    import json

    from game import report
    from game.batch import GameSpec, ProgressBar, run_games
    from game.bundle import MapBundle
    from game.headless import GameOptions
    from game.mapcheck import load_checked

    chosen = policy_choices(args)
    if args.report is not None and args.report.exists() and not args.report.is_dir():
        raise UsageError(f"--report {args.report} is a file, not a folder")
    level = load_checked(args.map)
    options = GameOptions(police=not args.no_police, civilians=not args.no_civilians,
                          max_seconds=None if args.max_minutes is None else args.max_minutes * 60)
    bundle = MapBundle.of_level(level)
    specs = [GameSpec(bundle, seed, name, options=options, policy_args=policy_args,
                      decide_every=args.decide_every, policy_timeout=args.policy_timeout)
             for name, policy_args in chosen for seed in range(args.seeds)]
    results = run_games(specs, args.jobs, ProgressBar(f"rex batch {level.name}"))
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


def report_failures(results: list[dict], debug: bool) -> None:
    """One line per game that failed (after its traceback, with --debug)."""
    for game in results:
        if "error" not in game:
            continue
        if debug and game.get("traceback"):
            print(game["traceback"].rstrip(), file=sys.stderr)
        print(f"game {game['policy']} seed {game['seed']} failed: {game['error']}",
              file=sys.stderr)


def _cmd_scenario(args: argparse.Namespace) -> int:
    import json

    from game import scenario as scenario_mod

    if args.junit is not None:
        if args.junit.is_dir():
            raise UsageError(f"--junit {args.junit} is a folder, not a file")
        _check_writable(args.junit)
    try:
        scenarios = [scenario_mod.load(path) for path in args.files]
    except scenario_mod.ScenarioError as err:
        print(f"rex scenario: {err}", file=sys.stderr)
        return 1
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


def _cmd_sweep(args: argparse.Namespace) -> int:
    from game.sweep import run_sweep

    return run_sweep(args)


COMMANDS = {"play": _cmd_play, "check-map": _cmd_check_map, "sim": _cmd_sim,
            "replay": _cmd_replay,
            "batch": _cmd_batch, "sweep": _cmd_sweep, "scenario": _cmd_scenario}


def main(argv: Sequence[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    try:
        return COMMANDS[args.command](args)
    except MapError as err:
        return _report_map_error(err)
    except ReplayError as err:
        print(f"rex {args.command}: {err}", file=sys.stderr)
        return 1
    except UsageError as err:
        print(f"rex {args.command}: error: {err}", file=sys.stderr)
        return 2
    except PolicyError as err:  # a policy that failed during a game (rex play --autoplay)
        report_policy_error(args.command, err, getattr(args, "debug", False))
        return 1
    except KeyboardInterrupt:
        print("rex: interrupted", file=sys.stderr)
        return 130
