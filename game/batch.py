"""Many games in parallel worker processes, with the same results whatever the number of workers.

A game is described by a ``GameSpec`` (map, seed, policy, tuning, options) and is a pure
function of it. Workers keep one ``Runner`` per map, so each pays for loading a map and
pre-warming its scent once; results come back in the order of the specs.
"""

from __future__ import annotations

import multiprocessing
import os
import sys
import time
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from typing import Any, ClassVar

from game.headless import GameOptions, Runner
from game.tuning import DEFAULT, Tuning


@dataclass(frozen=True)
class GameSpec:
    map_path: str
    seed: int
    policy: str
    tuning: Tuning = DEFAULT
    options: GameOptions = field(default_factory=GameOptions)


class _Worker:
    """What one worker process keeps between games: a Runner per map."""

    runners: ClassVar[dict[str, Runner]] = {}

    @classmethod
    def play(cls, indexed: tuple[int, GameSpec]) -> tuple[int, dict[str, Any]]:
        from game.mapcheck import load_checked

        index, spec = indexed
        if spec.map_path not in cls.runners:
            cls.runners.clear()  # one map at a time keeps a worker's memory flat
            cls.runners[spec.map_path] = Runner(load_checked(spec.map_path))
        runner = cls.runners[spec.map_path]
        try:
            result = runner.play(spec.seed, spec.policy, tuning=spec.tuning,
                                 options=spec.options)
        except Exception as err:  # a game that fails is reported, not fatal to the batch
            import traceback

            result = {"map": runner.level.name, "seed": spec.seed, "policy": spec.policy,
                      "error": f"{type(err).__name__}: {err}",
                      "traceback": traceback.format_exc()}
        return index, result


def default_jobs() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (
        os.cpu_count() or 1)


def run_games(specs: list[GameSpec], jobs: int | None = None,
              progress: Callable[[int, int], None] | None = None) -> list[dict[str, Any]]:
    """Play every spec; results in the specs' order whatever ``jobs`` is."""
    results: list[dict[str, Any] | None] = [None] * len(specs)
    for done, (index, result) in enumerate(play_unordered(specs, jobs), start=1):
        results[index] = result
        if progress is not None:
            progress(done, len(specs))
    return [r for r in results if r is not None]


def play_unordered(specs: list[GameSpec], jobs: int | None = None
                   ) -> Iterator[tuple[int, dict[str, Any]]]:
    """(index, result) pairs as games finish."""
    jobs = min(jobs or default_jobs(), max(1, len(specs)))
    indexed: Iterable[tuple[int, GameSpec]] = list(enumerate(specs))
    if jobs == 1:
        for item in indexed:
            yield _Worker.play(item)
        return
    context = multiprocessing.get_context("spawn" if sys.platform == "darwin" else "fork")
    with ProcessPoolExecutor(max_workers=jobs, mp_context=context) as pool:
        yield from pool.map(_Worker.play, indexed, chunksize=1)


class ProgressBar:
    """A one-line progress bar on stderr (never stdout, which carries the results)."""

    def __init__(self, label: str, stream=None):
        self.label = label
        self.stream = stream if stream is not None else sys.stderr
        self.started = time.perf_counter()

    def __call__(self, done: int, total: int) -> None:
        width = 30
        filled = int(width * done / max(total, 1))
        elapsed = time.perf_counter() - self.started
        eta = elapsed / done * (total - done) if done else 0.0
        self.stream.write(f"\r{self.label} [{'#' * filled}{'.' * (width - filled)}] "
                          f"{done}/{total}  {elapsed:.0f}s, ~{eta:.0f}s left ")
        if done == total:
            self.stream.write("\n")
        self.stream.flush()
