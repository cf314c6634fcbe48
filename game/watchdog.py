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

    @staticmethod
    def available() -> bool:
        return (hasattr(signal, "setitimer") and hasattr(signal, "SIGALRM")
                and threading.current_thread() is threading.main_thread())

    def __enter__(self) -> Watchdog:
        if self.seconds is not None and self.available():
            self._previous = signal.signal(signal.SIGALRM, self._alarm)
            interval = min(1.0, max(0.01, self.seconds / 10))
            signal.setitimer(signal.ITIMER_REAL, interval, interval)
            self.active = True
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        if self.active:
            signal.setitimer(signal.ITIMER_REAL, 0.0)
            signal.signal(signal.SIGALRM, self._previous)  # type: ignore[arg-type]
            self.active = False
        self._started = None

    def begin(self) -> None:
        if self.active:
            self._started = time.monotonic()

    def end(self) -> None:
        self._started = None

    def _alarm(self, signum: int, frame: FrameType | None) -> None:
        started = self._started
        if started is not None and time.monotonic() - started > self.seconds:
            # Once per limit: a policy that swallows the exception is interrupted again after
            # another full limit, never while the game is reporting the first one.
            self._started = time.monotonic()
            raise PolicyTimeout(f"no answer within {self.seconds:g} s")
