"""The ``rex play`` and ``rex replay`` command lines: their flags, their checks, and the start
of the window. pygame is loaded (with app.py) only once the flags and the map have passed.

``add_play_arguments`` and ``add_replay_arguments`` declare the flags on the sub-parsers;
``run_play`` and ``run_replay`` check what argparse cannot (a policy that does not exist, flags
that contradict each other, a screenshot or recording path that cannot be written: one line
and exit 2), load the map through the map checker (a bad map raises MapError, reported by the
caller like ``rex check-map``; a replay that does not fit raises ReplayError, one line) and run
the window. Everything a user can get wrong is found before the window opens. With ``--frames``
it is a headless check: SDL's dummy video and audio drivers unless others are asked for, and a
fixed virtual frame time.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from game import guarded
from game.cliargs import UsageError, check_output_file, frames, seed
from game.view import OVERLAYS

if TYPE_CHECKING:
    from game.level import Level
    from game.tuning import Tuning


def _add_window_arguments(parser: argparse.ArgumentParser) -> None:
    """The flags every command that opens the window shares."""
    parser.add_argument("--frames", type=frames, metavar="N",
                        help="quit after N frames: a headless check with the dummy drivers")
    parser.add_argument("--screenshot", type=Path, metavar="PATH",
                        help="save the last frame as a PNG")
    parser.add_argument("--overlay", action="append", choices=OVERLAYS, default=[],
                        metavar="NAME", help="start with a debug overlay on (repeatable): "
                                             + ", ".join(OVERLAYS))
    parser.add_argument("--profile", action="store_true",
                        help="print the median and 95th-percentile frame times at the end")
    screen = parser.add_mutually_exclusive_group()
    screen.add_argument("--fullscreen", dest="fullscreen", action="store_true", default=None,
                        help="start in fullscreen")
    screen.add_argument("--windowed", dest="fullscreen", action="store_false",
                        help="start in a window")


def add_play_arguments(parser: argparse.ArgumentParser, default_map: Path) -> None:
    parser.add_argument("--map", type=Path, default=default_map, help="a Tiled .tmx map")
    parser.add_argument("--seed", type=seed,
                        help="the game's seed, 0 to 2^63 - 1 (default: a new one; 0 with "
                             "--frames)")
    parser.add_argument("--autoplay", metavar="POLICY",
                        help="a policy plays Mila: wait, idle, wander, ... or module:function")
    parser.add_argument("--spectator", action="store_true",
                        help="everything AI; the camera follows Rex or roams freely")
    parser.add_argument("--policy", metavar="P", help="Mila's policy in spectator mode")
    parser.add_argument("--role", choices=("mila", "handler"), default="mila",
                        help="mila (default): you are Mila; handler: you are Dylan at the "
                             "command center, and Mila is played by --autoplay POLICY "
                             "(default calm)")
    parser.add_argument("--watch", action="store_true",
                        help="reload the map whenever it (or a tileset) is saved: a valid save "
                             "keeps the seed and restarts the chase; a refused one shows the "
                             "checker's lines and keeps the old map")
    parser.add_argument("--record", type=Path, metavar="FILE",
                        help="save the first game as a replay when it ends or is left "
                             "(for rex replay and rex sim --replay)")
    _add_window_arguments(parser)


def add_replay_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("file", type=Path, metavar="FILE",
                        help="a replay saved by rex play --record or rex sim --record")
    parser.add_argument("--map", type=Path,
                        help="the map to play it on (default: the map it was recorded on)")
    _add_window_arguments(parser)


def _folder_problem(flag: str, path: Path | None, *inputs: Path | None) -> str | None:
    """Why a file cannot be written at ``path`` (checked before the window opens), or None."""
    try:
        check_output_file(flag, path, *inputs)
    except UsageError as err:
        return str(err)
    return None


def _usage_problem(args: argparse.Namespace) -> str | None:
    """What is wrong with flags that parsed, or None."""
    from game import policies

    if args.policy is not None and not args.spectator:
        return "--policy is for --spectator; use --autoplay POLICY to let a policy play Mila"
    if args.role == "handler" and args.spectator:
        return "--role handler and --spectator cannot be used together"
    if args.autoplay is not None and args.spectator:
        return "--autoplay and --spectator cannot be used together (use --spectator --policy)"
    for name in (args.autoplay, args.policy):
        if name is not None:
            try:
                policies.check(name)
            except policies.PolicyError as err:
                return str(err)
    return (_folder_problem("--screenshot", args.screenshot, args.map)
            or _folder_problem("--record", args.record, args.map))


def _open_window(command: str, args: argparse.Namespace, level: Level,
                 tuning: Tuning | None = None, **options: Any) -> int:
    """Run the window on a checked level; 0 when it closes, 1 when it cannot open."""
    if args.frames is not None:
        os.environ.setdefault("SDL_VIDEODRIVER", "dummy")
        os.environ.setdefault("SDL_AUDIODRIVER", "dummy")
    from game.tuning import DEFAULT
    from game.view.app import App, PlayOptions, WindowError

    play = PlayOptions(frames=args.frames, screenshot=args.screenshot,
                       overlays=tuple(dict.fromkeys(args.overlay)), profile=args.profile,
                       fullscreen=args.fullscreen, **options)
    try:
        return App(level, play, tuning or DEFAULT).run()
    except WindowError as err:
        print(f"rex {command}: error: {err}", file=sys.stderr)
        return 1


def run_play(args: argparse.Namespace) -> int:
    """Run ``rex play``; 0 when the window closes, 1 when a save it was asked for (the
    screenshot, the recording) failed, 2 for bad usage."""
    problem = _usage_problem(args)
    if problem is not None:
        print(f"rex play: error: {problem}", file=sys.stderr)
        return 2
    from game.mapcheck import load_checked

    level = load_checked(args.map)  # MapError goes to the caller, which prints the checker's lines
    return _open_window("play", args, level, seed=args.seed, autoplay=args.autoplay,
                        spectator=args.spectator, policy=args.policy, role=args.role,
                        watch=args.map if args.watch else None, record=args.record)


def run_replay(args: argparse.Namespace) -> int:
    """Run ``rex replay``: 0 when the window closes, 1 for a replay or map that cannot be
    played (ReplayError or MapError, raised to the caller), 2 for bad usage."""
    problem = _folder_problem("--screenshot", args.screenshot, args.file, args.map)
    if problem is not None:
        print(f"rex replay: error: {problem}", file=sys.stderr)
        return 2
    from game import replay as replay_mod
    from game.mapcheck import load_checked

    replay = replay_mod.load(args.file)
    map_path = args.map
    if map_path is None:
        map_path = Path(replay.map_path)
        problem = guarded.problem(map_path, guarded.MAP)
        if problem is not None:
            why = "is not there" if problem.startswith("file not found") else problem
            raise replay_mod.ReplayError(f"{args.file}: the recorded map {map_path} {why}; give "
                                         "the map with --map FILE")
    level = load_checked(map_path)
    replay_mod.check_map(replay, level)
    tuning = replay_mod.tuning_of(replay)
    return _open_window("replay", args, level, tuning, seed=replay.seed, replay=replay)
