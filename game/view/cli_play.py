"""The ``rex play`` command line: its flags, their checks, and the start of the window.

``add_play_arguments`` declares the flags on the ``play`` sub-parser; ``run_play`` checks what
argparse cannot (a policy that does not exist, flags that contradict each other, a screenshot
folder that is missing: one line and exit 2), loads the map through the map checker (a bad map
raises MapError, reported by the caller like ``rex check-map``) and runs the window. With
``--frames`` it is a headless check: SDL's dummy video and audio drivers unless others are
asked for, and a fixed virtual frame time.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from game.view import OVERLAYS


def add_play_arguments(parser: argparse.ArgumentParser, default_map: Path) -> None:
    # The command's own number types, so every command words a bad number the same way
    # (imported here: game.cli imports this module while it is being loaded).
    from game.cli import _positive_int, _whole

    parser.add_argument("--map", type=Path, default=default_map, help="a Tiled .tmx map")
    parser.add_argument("--seed", type=_whole,
                        help="the game's seed (default: a new one; 0 with --frames)")
    parser.add_argument("--frames", type=_positive_int, metavar="N",
                        help="quit after N frames: a headless check with the dummy drivers")
    parser.add_argument("--screenshot", type=Path, metavar="PATH",
                        help="save the last frame as a PNG")
    parser.add_argument("--autoplay", metavar="POLICY",
                        help="a policy plays Mila: wait, idle, wander, ... or module:function")
    parser.add_argument("--spectator", action="store_true",
                        help="everything AI; the camera follows Rex or roams freely")
    parser.add_argument("--policy", metavar="P", help="Mila's policy in spectator mode")
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


def _usage_problem(args: argparse.Namespace) -> str | None:
    """What is wrong with flags that parsed, or None."""
    from game import policies

    if args.policy is not None and not args.spectator:
        return "--policy is for --spectator; use --autoplay POLICY to let a policy play Mila"
    if args.autoplay is not None and args.spectator:
        return "--autoplay and --spectator cannot be used together (use --spectator --policy)"
    for name in (args.autoplay, args.policy):
        if name is not None:
            try:
                policies.check(name)
            except policies.PolicyError as err:
                return str(err)
    if args.screenshot is not None:
        folder = args.screenshot.resolve().parent
        if not folder.is_dir():
            return f"cannot write {args.screenshot}: folder {folder} does not exist"
    return None


def run_play(args: argparse.Namespace) -> int:
    """Run ``rex play``; 0 when the window closes, 2 for bad usage."""
    problem = _usage_problem(args)
    if problem is not None:
        print(f"rex play: error: {problem}", file=sys.stderr)
        return 2
    from game.mapcheck import load_checked

    level = load_checked(args.map)  # MapError goes to the caller, which prints the checker's lines
    if args.frames is not None:
        os.environ.setdefault("SDL_VIDEODRIVER", "dummy")
        os.environ.setdefault("SDL_AUDIODRIVER", "dummy")
    from game.view.app import App, PlayOptions, WindowError

    options = PlayOptions(seed=args.seed, frames=args.frames, screenshot=args.screenshot,
                          autoplay=args.autoplay, spectator=args.spectator, policy=args.policy,
                          overlays=tuple(dict.fromkeys(args.overlay)), profile=args.profile,
                          fullscreen=args.fullscreen)
    try:
        return App(level, options).run()
    except WindowError as err:
        print(f"rex play: error: {err}", file=sys.stderr)
        return 1
