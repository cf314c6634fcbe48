"""The ``rex`` command: play, check-map, sim and batch.

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
    play.add_argument("--map", type=Path, default=DEFAULT_MAP, help="a Tiled .tmx map")
    play.add_argument("--frames", type=_positive_int, help="quit after N frames")
    play.add_argument("--screenshot", type=Path, help="save the last frame as a PNG")

    check = sub.add_parser("check-map", help="check Tiled maps against the map contract")
    check.add_argument("files", nargs="+", metavar="FILE", help=".tmx files")
    return parser


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
    from game.mapcheck import load_checked

    level = load_checked(args.map)
    if args.screenshot is not None:
        _check_writable(args.screenshot)
    from game.view.app import PlayOptions, run

    return run(level, PlayOptions(frames=args.frames, screenshot=args.screenshot))


def _check_writable(path: Path) -> None:
    parent = path.resolve().parent
    if not parent.is_dir():
        raise UsageError(f"cannot write {path}: folder {parent} does not exist")


COMMANDS = {"play": _cmd_play, "check-map": _cmd_check_map}


def main(argv: Sequence[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    try:
        return COMMANDS[args.command](args)
    except MapError as err:
        return _report_map_error(err)
    except UsageError as err:
        print(f"rex {args.command}: error: {err}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("rex: interrupted", file=sys.stderr)
        return 130
