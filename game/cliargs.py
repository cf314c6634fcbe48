"""What every ``rex`` subcommand shares on its command line: number types with their ranges,
the checks of output paths and policy names, the usage error, and the exit status of an
interrupted command.

``game.cli`` declares the headless subcommands with these, ``game.sweep`` the sweep and
``game.view.cli_play`` the window's; each words a bad value the same way (one line, exit 2).
The ranges themselves are ``game.guarded``'s. Nothing here imports the simulation or the view.
"""

from __future__ import annotations

import argparse
import signal
from collections.abc import Callable
from pathlib import Path

from game import guarded

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_MAP = ROOT / "maps" / "lakeside.tmx"


class UsageError(Exception):
    """A flag value that parses but makes no sense (exit 2)."""


class Terminated(KeyboardInterrupt):
    """SIGTERM, raised where Ctrl-C would be so that it is handled the same way."""


def interrupted_status(err: KeyboardInterrupt) -> int:
    """The exit status of a command stopped by Ctrl-C (130) or SIGTERM (143)."""
    return 128 + (signal.SIGTERM if isinstance(err, Terminated) else signal.SIGINT)


def whole_in(low: int, high: int, what: str = "") -> Callable[[str], int]:
    """An argparse type: a whole number from ``low`` to ``high``."""
    def parse(text: str) -> int:
        digits = text.strip().lstrip("+-")
        if digits.isdigit() and len(digits) > 30:  # far out of range (and beyond int())
            raise argparse.ArgumentTypeError(f"{text[:30]}... must be {low:,} to {high:,}{what}")
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"'{text[:40]}' is not a whole number") from None
        if not low <= value <= high:
            raise argparse.ArgumentTypeError(f"{text[:40]} must be {low:,} to {high:,}{what}")
        return value
    return parse


seed_count = whole_in(1, guarded.MAX_GAMES)
seed = whole_in(0, guarded.MAX_SEED, " (2^63 - 1)")
jobs = whole_in(1, guarded.MAX_JOBS)
frames = whole_in(1, guarded.MAX_FRAMES)


def minutes(text: str) -> float:
    """An argparse type: minutes of play, more than 0, at most a day."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text[:40]}' is not a number") from None
    if not 0 < value <= guarded.MAX_MINUTES:
        raise argparse.ArgumentTypeError(f"{text[:40]} must be more than 0 and at most "
                                         f"{guarded.MAX_MINUTES} (a day of play)")
    return value


def check_output_file(flag: str, path: Path | None, *inputs: Path | None) -> None:
    """UsageError unless ``flag path`` can be written, and is none of the command's inputs."""
    if path is None:
        return
    problem = guarded.output_file_problem(flag, path)
    if problem is None and any(source is not None and path.exists() and source.exists()
                               and path.samefile(source) for source in inputs):
        problem = f"{flag} {path} is an input of this command; it would be overwritten"
    if problem is not None:
        raise UsageError(problem)


def check_output_folder(flag: str, folder: Path | None) -> None:
    """UsageError unless files can be written into ``flag folder`` (made if missing)."""
    problem = None if folder is None else guarded.output_folder_problem(flag, folder)
    if problem is not None:
        raise UsageError(problem)


def check_policy(name: str) -> None:
    """UsageError unless ``name`` is a built-in policy or a function that can be imported."""
    from game import policies  # loads the simulation: only once a command needs a policy

    try:
        policies.check(name)
    except policies.PolicyError as err:
        raise UsageError(str(err)) from None
