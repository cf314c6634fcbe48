"""A per-call time limit for Mila policies: ``--policy-timeout``.

A stalled Python function cannot be stopped safely from another thread, so the limit is kept
by the thread that runs the policy: an interval timer (``signal.setitimer``) delivers SIGALRM a
few times a second while a game runs, and the handler raises ``PolicyTimeout`` inside the
policy call once it has run longer than the limit. The game stays in the main thread, which is
where every game of ``rex sim``, ``rex batch``, ``rex sweep`` and ``rex scenario`` runs (in the
worker processes too).

Limits, by platform: SIGALRM exists only on Unix (Linux, macOS), so on Windows the limit is not
kept; it is not kept either where a game runs outside a process's main thread (a Dask worker's
task threads, ``rex sweep --scheduler``); and a policy stuck inside one long call into C code
that does not return to Python (a huge numpy operation, a blocking socket without a timeout)
is stopped only when that call returns. ``time.sleep`` and pure Python loops are stopped on time.

An alarm that was already set when a game starts (a caller's own deadline, as the tests' in-process
runs of ``rex`` set) still goes off on time: its handler is called once it is due, and what is
left of it is set again when the game ends.
"""

from __future__ import annotations

import signal
import threading
import time
from types import FrameType, TracebackType

DEFAULT_SECONDS = 60.0  # a policy that takes longer than this for one decision has stalled


class PolicyTimeout(Exception):
    """Raised inside a policy call that outran its time limit."""


class Watchdog:
    """Arms the interval timer for one game (``with Watchdog(seconds):``); ``begin`` and
    ``end`` bracket each policy call. With ``seconds`` None, or where SIGALRM cannot be used,
    it does nothing (``active`` is False)."""

    def __init__(self, seconds: float | None):
        self.seconds = seconds
        self.active = False
        self._started: float | None = None
        self._previous: object = None
        self._outer_due: float | None = None  # when an alarm set before the game is due
        self._interval = 1.0

    @staticmethod
    def available() -> bool:
        return (hasattr(signal, "setitimer") and hasattr(signal, "SIGALRM")
                and threading.current_thread() is threading.main_thread())

    def __enter__(self) -> Watchdog:
        if self.seconds is not None and self.available():
            self._previous = signal.signal(signal.SIGALRM, self._alarm)
            self._interval = interval = min(1.0, max(0.01, self.seconds / 10))
            delay, _ = signal.setitimer(signal.ITIMER_REAL, interval, interval)
            if delay > 0:
                self._outer_due = time.monotonic() + delay
                self._tick_at_outer()
            self.active = True
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        if self.active:
            signal.setitimer(signal.ITIMER_REAL, 0.0)
            signal.signal(signal.SIGALRM, self._previous)  # type: ignore[arg-type]
            self.active = False
            if self._outer_due is not None:
                signal.setitimer(signal.ITIMER_REAL,
                                 max(0.001, self._outer_due - time.monotonic()))
                self._outer_due = None
        self._started = None

    def begin(self) -> None:
        if self.active:
            self._started = time.monotonic()

    def end(self) -> None:
        self._started = None

    def _tick_at_outer(self) -> None:
        """Make the next tick the moment the earlier alarm is due, if that comes first."""
        if self._outer_due is not None:
            left = self._outer_due - time.monotonic()
            if left < self._interval:
                signal.setitimer(signal.ITIMER_REAL, max(0.001, left), self._interval)

    def _alarm(self, signum: int, frame: FrameType | None) -> None:
        outer = self._outer_due
        if outer is not None and time.monotonic() >= outer:
            self._outer_due = None
            if callable(self._previous):
                self._previous(signum, frame)
        self._tick_at_outer()
        started, limit = self._started, self.seconds
        if started is not None and limit is not None and time.monotonic() - started > limit:
            # Once per limit: a policy that swallows the exception is interrupted again after
            # another full limit, never while the game is reporting the first one.
            self._started = time.monotonic()
            raise PolicyTimeout(f"no answer within {limit:g} s")
