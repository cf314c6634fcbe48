"""What every ``rex`` subcommand shares on its command line: number types with their ranges,
the checks of output paths, the flags that choose Mila's policy and how it runs, the usage
error, the report of a failed policy or game, and the exit status of an interrupted command.

``game.cli`` declares the headless subcommands with these, ``game.sweep`` the sweep and
``game.view.cli_play`` the window's; each words a bad value the same way (one line, exit 2).
The ranges themselves are ``game.guarded``'s. Nothing here imports the view; the policy helpers
import ``game.policies`` (and with it the simulation) only when they are called.
"""

from __future__ import annotations

import argparse
import math
import signal
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

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
decide_every = whole_in(1, guarded.MAX_DECIDE_EVERY, " ticks")


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


def add_jobs_argument(parser: argparse.ArgumentParser) -> None:
    """``--jobs J``: worker processes on this machine, 1 to MAX_JOBS (default: all cores)."""
    parser.add_argument("--jobs", type=jobs,
                        help=f"worker processes, 1 to {guarded.MAX_JOBS} (default: all cores)")


def share(text: str) -> float:
    """An argparse type: a share from 0 to 1."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text[:40]}' is not a number") from None
    if not 0.0 <= value <= 1.0:
        raise argparse.ArgumentTypeError(f"{text[:40]} must be a share from 0 to 1")
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


def policy_timeout(text: str) -> float | None:
    """An argparse type: ``--policy-timeout SECONDS``, 0 for no limit (None), at most a day."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text[:40]}' is not a number of seconds") from None
    if not (math.isfinite(value) and 0 <= value <= guarded.MAX_POLICY_SECONDS):
        raise argparse.ArgumentTypeError(
            f"{text[:40]} must be 0 (no limit) to {guarded.MAX_POLICY_SECONDS:,} seconds")
    return None if value == 0 else value


class PolicyArg(argparse.Action):
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
    parser.add_argument("--policy-arg", action=PolicyArg, dest="policy_args", default=[],
                        metavar="KEY=VALUE",
                        help="a keyword argument for the policy (repeatable; VALUE is read as "
                             "JSON, else as a string)" + ("; it goes to the --policy before it"
                                                          if several else ""))
    parser.add_argument("--decide-every", type=decide_every, default=1, metavar="K",
                        help="ask the policy every K ticks and repeat its commands in between "
                             "(default 1: every tick, 30 a second; at most "
                             f"{guarded.MAX_DECIDE_EVERY:,})")
    add_policy_guards(parser)


def add_policy_guards(parser: argparse.ArgumentParser) -> None:
    """``--policy-timeout`` and ``--debug``: what happens when a policy fails."""
    from game.watchdog import DEFAULT_SECONDS

    parser.add_argument("--policy-timeout", type=policy_timeout, default=DEFAULT_SECONDS,
                        metavar="SECONDS",
                        help="end a game whose policy takes longer than this for one decision, "
                             f"as an error (default {DEFAULT_SECONDS:g}; 0 for no limit; at "
                             f"most {guarded.MAX_POLICY_SECONDS:,})")
    parser.add_argument("--debug", action="store_true",
                        help="print the traceback of a policy that raised")


def policy_choices(args: argparse.Namespace) -> list[tuple[str, tuple]]:
    """Each --policy with its --policy-arg pairs, checked: UsageError (exit 2) when a policy
    will not load or does not take its arguments."""
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


def add_handler_arguments(parser: argparse.ArgumentParser, *, several: bool) -> None:
    """``--role`` and ``--handler-policy``: who plays Dylan at the command center."""
    from game.handler_policies import built_in_help

    parser.add_argument("--role", choices=("mila", "handler"), default="mila",
                        help="mila (default): the Mila policy plays and Dylan follows his "
                             "routine; handler: a Handler policy also plays Dylan at the "
                             "command center")
    parser.add_argument("--handler-policy", action="append" if several else "store",
                        metavar="NAME",
                        help=f"with --role handler, the Handler's policy: {built_in_help()}; "
                             "or your own package.module:name (default by_the_book"
                             + ("; repeat to compare several)" if several else ")"))


def handler_choices(args: argparse.Namespace) -> list[str]:
    """The --handler-policy names, checked ([] for the Mila role): UsageError (exit 2) for a
    Handler policy without --role handler, the role without the police, or a policy that will
    not load."""
    from game.handler_policies import check
    from game.policies import PolicyError

    given = args.handler_policy
    names = [] if given is None else given if isinstance(given, list) else [given]
    if args.role != "handler":
        if names:
            raise UsageError("--handler-policy needs --role handler")
        return []
    if getattr(args, "no_police", False):
        raise UsageError("--role handler needs the police: the Handler commands them (drop "
                         "--no-police)")
    names = names or ["by_the_book"]
    for name in names:
        try:
            check(name)
        except PolicyError as err:
            raise UsageError(f"--handler-policy: {err}") from None
    return list(dict.fromkeys(names))


def report_policy_error(command: str, err: Any, debug: bool) -> None:
    """A failed policy: its traceback with --debug, then its one line."""
    if debug and getattr(err, "traceback", None):
        print(err.traceback.rstrip(), file=sys.stderr)
    print(f"rex {command}: error: {err}", file=sys.stderr)


def report_failures(results: list[dict], debug: bool) -> None:
    """One line per game that failed (after its traceback, with --debug)."""
    for game in results:
        if "error" not in game:
            continue
        if debug and game.get("traceback"):
            print(game["traceback"].rstrip(), file=sys.stderr)
        print(f"game {game['policy']} seed {game['seed']} failed: {game['error']}",
              file=sys.stderr)
