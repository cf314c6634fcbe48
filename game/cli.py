"""The ``rex`` command: play, check-map, sim, batch, sweep and playtest.

Errors a user can cause (a bad map, a bad flag, an unwritable file) end as one clear line and a
non-zero exit: 1 for a bad input file, 2 for bad usage. Machine-readable output goes to stdout
and nothing else does.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from game import __version__
from game.level import MapError
from game.replay import Replay, ReplayError
from game.view.cli_play import add_play_arguments, add_replay_arguments

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

    sim = sub.add_parser("sim", help="run one game headless")
    sim.add_argument("--map", type=Path, default=DEFAULT_MAP, help="a Tiled .tmx map")
    sim.add_argument("--seed", type=_whole, default=0, help="the game's seed (default 0)")
    sim.add_argument("--policy", default="wait",
                     help="Mila's policy: wait, idle, wander, or package.module:function")
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
    batch.add_argument("--policy", action="append", required=True,
                       help="Mila's policy (repeat to compare several)")
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

    playtest = sub.add_parser("playtest", help="does a map play? seeded games, in plain words")
    playtest.add_argument("maps", nargs="+", type=Path, metavar="MAP", help=".tmx maps")
    playtest.add_argument("--seeds", type=_positive_int, default=20,
                          help="games per test: police off, and calm and wait with the full "
                               "cast (default 20)")
    playtest.add_argument("--jobs", type=_positive_int,
                          help="worker processes (default: all cores)")
    playtest.add_argument("--report", type=Path, metavar="DIR",
                          help="write playtest.json and a picture per map into DIR")
    playtest.add_argument("--json", action="store_true", help="print the report as JSON")
    playtest.add_argument("--min-reach", type=_share, default=0.95, metavar="P",
                          help="exit 1 when Rex reaches Mila (police off) in a smaller share of "
                               "games on any map (default 0.95)")

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


def _share(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a number") from None
    if not 0.0 <= value <= 1.0:
        raise argparse.ArgumentTypeError(f"{text} must be a share from 0 to 1")
    return value


def _report_map_error(err: MapError) -> int:
    for line in err.lines():
        print(line, file=sys.stderr)
    return 1


def _cmd_check_map(args: argparse.Namespace) -> int:
    from game.mapcheck import check_paths

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

    for path in (args.trace, args.record):
        if path is not None:
            _check_writable(path)
    if args.replay is not None:
        result = _replay_headless(args)
    else:
        _check_policy(args.policy)
        level = load_checked(args.map)
        options = GameOptions(police=not args.no_police, civilians=not args.no_civilians,
                              max_seconds=None if args.max_minutes is None
                              else args.max_minutes * 60)
        record = None
        if args.record is not None:
            record = Replay(level.name, str(args.map), level.content_hash, args.seed,
                            options.police, options.civilians)
        result = Runner(level).play(args.seed, args.policy, options=options,
                                    trace=args.trace, record=record)
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


def _check_policy(name: str) -> None:
    from game import policies

    try:
        policies.check(name)
    except policies.PolicyError as err:
        raise UsageError(str(err)) from None


def _cmd_batch(args: argparse.Namespace) -> int:
    import json

    from game import report
    from game.batch import GameSpec, ProgressBar, run_games
    from game.bundle import MapBundle
    from game.headless import GameOptions
    from game.mapcheck import load_checked

    for name in args.policy:
        _check_policy(name)
    if args.report is not None and args.report.exists() and not args.report.is_dir():
        raise UsageError(f"--report {args.report} is a file, not a folder")
    level = load_checked(args.map)
    options = GameOptions(police=not args.no_police, civilians=not args.no_civilians,
                          max_seconds=None if args.max_minutes is None else args.max_minutes * 60)
    bundle = MapBundle.of_level(level)
    specs = [GameSpec(bundle, seed, policy, options=options)
             for policy in args.policy for seed in range(args.seeds)]
    results = run_games(specs, args.jobs, ProgressBar(f"rex batch {level.name}"))
    per_policy = report.summarise(results)
    if args.json:
        print(json.dumps({"map": level.name, "seeds": args.seeds, "per_policy": per_policy}))
    else:
        print(report.table(per_policy))
    if args.report is not None:
        for path in report.write_report(args.report, results, per_policy, level):
            print(f"wrote {path}", file=sys.stderr)
    failed = [r for r in results if "error" in r]
    for game in failed:
        print(f"game {game['policy']} seed {game['seed']} failed: {game['error']}",
              file=sys.stderr)
    return 1 if failed else 0


def _cmd_playtest(args: argparse.Namespace) -> int:
    import json

    from game import playtest
    from game.bundle import MapBundle
    from game.mapcheck import load_checked

    if args.report is not None and args.report.exists() and not args.report.is_dir():
        raise UsageError(f"--report {args.report} is a file, not a folder")
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
            "batch": _cmd_batch, "sweep": _cmd_sweep, "playtest": _cmd_playtest}


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
    except KeyboardInterrupt:
        print("rex: interrupted", file=sys.stderr)
        return 130
