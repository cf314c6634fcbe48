"""Many games in parallel, with the same results whatever runs them and on how many workers.

A game is described by a ``GameSpec`` (map bundle, seed, policy, tuning, options) and is a pure
function of it. Two backends play lists of specs and yield (index, result) as games finish:
``LocalProcesses`` (worker processes on this machine, the default) and ``DaskCluster`` (a
``dask.distributed`` scheduler, from the optional ``scale`` extra). Workers receive the map's
content, never a path, and keep one ``Runner`` per map so that each pays for loading it and
pre-warming its scent once. A game that raises comes back as a result with ``error`` and
``traceback`` instead of sinking the batch.

Workers never outlive the process that started them: each asks the kernel for SIGKILL when its
parent dies (``PR_SET_PDEATHSIG`` on Linux) and also watches its parent's pid from a thread
(every other system, and a second line of defence), so a batch killed by SIGTERM, SIGINT or
even SIGKILL leaves no worker behind. Ctrl-C or SIGTERM on the client stops scheduling at once:
games not started are dropped and the running ones' workers are terminated.
"""

from __future__ import annotations

import ctypes
import dataclasses
import hashlib
import json
import logging
import multiprocessing
import os
import signal
import sys
import tempfile
import threading
import time
import traceback
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor, as_completed
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from game.bundle import MapBundle
from game.headless import GameOptions, Runner
from game.mapcheck import load_checked
from game.policies import Args, PolicyError, label
from game.report import matchup
from game.tuning import DEFAULT, Tuning
from game.watchdog import DEFAULT_SECONDS

# How long to wait for a Dask scheduler to answer before saying it cannot be reached.
CONNECT_TIMEOUT = "10s"
SCALE_HINT = "pip install 'rex-chase[scale]' (or: pip install 'dask[distributed]')"


@dataclass(frozen=True)
class GameSpec:
    bundle: MapBundle
    seed: int
    policy: str
    tuning: Tuning = DEFAULT
    options: GameOptions = field(default_factory=GameOptions)
    policy_args: Args = ()  # keyword arguments for the policy (policies.as_args)
    decide_every: int = 1  # the policy is asked every this many ticks
    policy_timeout: float | None = DEFAULT_SECONDS  # seconds per call; not part of the key
    handler: str | None = None  # a Handler policy playing Dylan (None: the Mila role)

    @property
    def label(self) -> str:
        """The policy as results name it (with its arguments; with the Handler's first)."""
        mila = label(self.policy, self.policy_args)
        return mila if self.handler is None else matchup(self.handler, mila)

    def key(self) -> str:
        """A stable name for the game's inputs: equal keys play equal games, anywhere."""
        inputs: dict[str, Any] = {
            "map": self.bundle.content_hash, "policy": self.policy, "seed": self.seed,
            "tuning": self.tuning.as_dict(), "options": dataclasses.asdict(self.options)}
        # Inputs added later join the key only when used, so that older keys (a sweep's
        # games.jsonl) still name the same games.
        if self.policy_args:
            inputs["policy_args"] = [list(pair) for pair in self.policy_args]
        if self.decide_every != 1:
            inputs["decide_every"] = self.decide_every
        if self.handler is not None:
            inputs["handler"] = self.handler
        return hashlib.sha256(json.dumps(inputs, sort_keys=True).encode()).hexdigest()

    def play(self) -> dict[str, Any]:
        return play_game(self.bundle, self.seed, self.policy, self.tuning, self.options,
                         self.policy_args, self.decide_every, self.policy_timeout,
                         self.handler)


class BackendError(Exception):
    """A backend that cannot start: Dask not installed, or its scheduler out of reach."""


class _WorkerCache(threading.local):
    """What one worker thread keeps between games: a Runner for the map it played last.

    Thread-local because a Dask worker may run several games at once in threads, and a Runner's
    caches are not meant to be shared.
    """

    def __init__(self) -> None:
        self.map_hash: str | None = None
        self.runner: Runner | None = None

    def runner_for(self, bundle: MapBundle) -> Runner:
        if self.runner is None or self.map_hash != bundle.content_hash:
            self.runner = None  # one map at a time keeps a worker's memory flat
            # The Level holds everything a game needs, so the files can go once it is read.
            with tempfile.TemporaryDirectory(prefix="rex-map-") as folder:
                level = load_checked(bundle.materialize(Path(folder)))
            self.runner, self.map_hash = Runner(level), bundle.content_hash
        return self.runner


_cache = _WorkerCache()


def runner_for(bundle: MapBundle) -> Runner:
    """This worker thread's Runner for the map (loaded once, reused for every seed)."""
    return _cache.runner_for(bundle)


def play_game(bundle: MapBundle, seed: int, policy: str, tuning: Tuning,
              options: GameOptions, policy_args: Args = (), decide_every: int = 1,
              policy_timeout: float | None = DEFAULT_SECONDS, handler: str | None = None
              ) -> dict[str, Any]:
    """One game's result; a game that raises gives a result with ``error`` and ``traceback``
    (for a policy that failed: its one line, and the policy's own traceback)."""
    try:
        runner = runner_for(bundle)
        return runner.play(seed, policy, tuning=tuning, options=options,
                           policy_args=policy_args, decide_every=decide_every,
                           policy_timeout=policy_timeout, handler=handler)
    except Exception as err:  # a game that fails is reported, not fatal to the batch
        outcome = error_result(bundle.name, seed, label(policy, policy_args), err)
        if handler is not None:
            outcome["handler_policy"] = handler
        return outcome


def error_result(map_name: str, seed: int, policy: str, err: BaseException) -> dict[str, Any]:
    """The result of a game that failed: what was played, ``error`` (one line) and
    ``traceback``; a policy's failure also says at which tick."""
    if isinstance(err, PolicyError):
        outcome = {"map": map_name, "seed": seed, "policy": policy, "error": str(err),
                   "traceback": err.traceback or ""}
        if err.tick is not None:
            outcome["ticks"] = err.tick
        return outcome
    return {"map": map_name, "seed": seed, "policy": policy,
            "error": f"{type(err).__name__}: {err}",
            "traceback": "".join(traceback.format_exception(err))}


class Playable(Protocol):
    """A game a backend can play: a GameSpec, or a scenario's game (game/scenario.py)."""

    bundle: MapBundle
    seed: int

    @property
    def label(self) -> str: ...

    def play(self) -> dict[str, Any]: ...


def _play_spec(spec: Playable) -> dict[str, Any]:
    return spec.play()


def _outcome(future: Any, spec: Playable) -> dict[str, Any]:
    """A finished future's result, or an error result if the worker itself failed."""
    try:
        return future.result()
    except Exception as err:  # a worker that died or could not run the task
        return error_result(spec.bundle.name, spec.seed, spec.label, err)


def default_jobs() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (
        os.cpu_count() or 1)


class Backend(Protocol):
    def play(self, specs: list[Any]) -> Iterator[tuple[int, dict[str, Any]]]: ...

    def __enter__(self) -> Backend: ...

    def __exit__(self, *exc: object) -> None: ...


PR_SET_PDEATHSIG = 1  # prctl(2): the signal a process gets when its parent dies
PARENT_WATCH_SECONDS = 0.25


def die_with_parent(parent: int) -> None:
    """End this process when ``parent`` (the pid that started it) is gone, however it went."""
    if sys.platform.startswith("linux"):
        try:
            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
        except (OSError, AttributeError):
            pass  # no prctl: the watch below still ends it
    if os.getppid() != parent:  # the parent died before the request above was made
        os._exit(1)
    threading.Thread(target=_watch_parent, args=(parent,), name="rex-parent-watch",
                     daemon=True).start()


def _watch_parent(parent: int) -> None:
    while os.getppid() == parent:
        time.sleep(PARENT_WATCH_SECONDS)
    os._exit(1)


def _start_worker(parent: int) -> None:
    """A local worker leaves quietly on Ctrl-C (the client reports the interruption), dies on
    SIGTERM without a handler the fork may have copied from the client, and dies with it."""
    signal.signal(signal.SIGINT, lambda *_: os._exit(1))
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    die_with_parent(parent)


class LocalProcesses:
    """Worker processes on this machine; with one job, games run in this process."""

    def __init__(self, jobs: int | None = None):
        self.jobs = jobs or default_jobs()
        self._pool: ProcessPoolExecutor | None = None

    def __enter__(self) -> LocalProcesses:
        return self

    def __exit__(self, *exc: object) -> None:
        self._close(wait=exc[0] is None)

    def _close(self, wait: bool) -> None:
        """Shut the workers down; games not yet started are dropped, not waited for. Without
        ``wait`` (interrupted) the workers are terminated at once, mid-game.

        The pool's own thread cancels the futures. Cancelling them from this thread instead
        races with that thread when Ctrl-C has also stopped the workers: it then fails the
        cancelled futures as a broken pool and prints an InvalidStateError traceback (CPython
        3.11).
        """
        if self._pool is not None:
            # The pool keeps its processes in a private attribute; nothing public stops them.
            workers = list((getattr(self._pool, "_processes", None) or {}).values())
            self._pool.shutdown(wait=wait, cancel_futures=True)
            if not wait:
                for worker in workers:
                    worker.terminate()
                for worker in workers:
                    worker.join(timeout=2)
            self._pool = None

    def play(self, specs: list[Playable]) -> Iterator[tuple[int, dict[str, Any]]]:
        if self.jobs == 1 or len(specs) <= 1:
            for index, spec in enumerate(specs):
                yield index, _play_spec(spec)
            return
        if self._pool is None:
            context = multiprocessing.get_context("spawn" if sys.platform == "darwin"
                                                  else "fork")
            self._pool = ProcessPoolExecutor(max_workers=min(self.jobs, len(specs)),
                                             mp_context=context, initializer=_start_worker,
                                             initargs=(os.getpid(),))
        # Each task carries its map's bytes: tens or hundreds of kB against seconds of play.
        futures: dict[Future, int] = {self._pool.submit(_play_spec, spec): index
                                      for index, spec in enumerate(specs)}
        finished = False
        try:
            for future in as_completed(futures):
                index = futures[future]
                yield index, _outcome(future, specs[index])
            finished = True
        finally:
            if not finished:  # interrupted, or the caller stopped early
                self._close(wait=False)


@contextmanager
def _interrupts_ignored() -> Iterator[None]:
    """Ignore Ctrl-C while starting processes, which keep ignoring it, and hold SIGTERM back
    until they have started.

    Then Ctrl-C reaches only this process, which cancels the games and closes the workers,
    instead of every worker printing its own KeyboardInterrupt traceback; and a SIGTERM never
    lands in the middle of Dask starting its cluster, which Dask cannot close afterwards.
    """
    if threading.current_thread() is not threading.main_thread():
        yield  # only the main thread may change signal handlers
        return
    held: list[int] = []
    previous_int = signal.signal(signal.SIGINT, signal.SIG_IGN)
    previous_term = signal.signal(signal.SIGTERM, lambda signum, frame: held.append(signum))
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous_int)
        signal.signal(signal.SIGTERM, previous_term)
    if held:
        signal.raise_signal(signal.SIGTERM)  # now, as if it had come at this moment


class DaskCluster:
    """A ``dask.distributed`` scheduler at an address, or a ``LocalCluster`` for "local"."""

    def __init__(self, scheduler: str, jobs: int | None = None):
        try:
            from distributed import Client, LocalCluster
        except ImportError:
            raise BackendError(f"--scheduler needs Dask, which is not installed: {SCALE_HINT}"
                               ) from None
        self._cluster = None
        if scheduler == "local":
            try:
                with _interrupts_ignored():
                    # One single-threaded worker process per core: games are CPU-bound Python.
                    # No dashboard, and the scheduler's HTTP endpoints on a free port rather
                    # than 8787, so that several sweeps (or a real scheduler) can run side by
                    # side. Its workers log only what is critical: a worker that loses the
                    # scheduler as the sweep is stopped logs a heartbeat traceback at ERROR,
                    # and a game's own failure reaches the sweep through its future anyway.
                    self._cluster = LocalCluster(
                        n_workers=jobs or default_jobs(), threads_per_worker=1,
                        processes=True, dashboard_address=None, silence_logs=logging.CRITICAL,
                        scheduler_kwargs={"dashboard": False, "dashboard_address": ":0"})
                    self.client = Client(self._cluster)
                    # The LocalCluster's workers are this process's children: they die with it.
                    self.client.register_plugin(_die_with_client(os.getpid()))
            except BaseException:  # a SIGTERM held back until now, say: nobody else closes it
                self.__exit__()
                raise
            return
        try:
            self.client = Client(scheduler, timeout=CONNECT_TIMEOUT)
        except (OSError, ValueError, TypeError) as err:
            raise BackendError(f"cannot reach the Dask scheduler at {scheduler}: {err}"
                               ) from None

    def __enter__(self) -> DaskCluster:
        return self

    def __exit__(self, *exc: object) -> None:
        if hasattr(self, "client"):
            self.client.close()
        if self._cluster is not None:
            self._cluster.close()

    def play(self, specs: list[GameSpec]) -> Iterator[tuple[int, dict[str, Any]]]:
        from distributed import as_completed as dask_completed

        # Each map's bytes travel to every worker once, not with every game.
        bundles = {spec.bundle.content_hash: spec.bundle for spec in specs}
        try:
            shipped = {key: self.client.scatter(bundle, broadcast=True, hash=False)
                       for key, bundle in bundles.items()}
        except TimeoutError:
            raise BackendError(f"the Dask scheduler has no workers after {CONNECT_TIMEOUT}: start "
                               "them with `dask worker SCHEDULER-ADDRESS`") from None
        except OSError as err:
            raise BackendError(f"cannot send the maps to the Dask workers: {err}") from None
        futures = self.client.map(
            play_game, [shipped[spec.bundle.content_hash] for spec in specs],
            [spec.seed for spec in specs], [spec.policy for spec in specs],
            [spec.tuning for spec in specs], [spec.options for spec in specs],
            [spec.policy_args for spec in specs], [spec.decide_every for spec in specs],
            [spec.policy_timeout for spec in specs], pure=False)
        index_of = {future.key: index for index, future in enumerate(futures)}
        try:
            for future in dask_completed(futures):
                index = index_of[future.key]
                yield index, _outcome(future, specs[index])
        finally:
            self.client.cancel(futures + list(shipped.values()))


def _die_with_client(client_pid: int) -> Any:
    """A Dask worker plugin: a LocalCluster worker ends when the client that started it does.

    Made here because Dask is optional: its plugin base class is only there with the extra.
    """
    from distributed.diagnostics.plugin import WorkerPlugin

    class DieWithClient(WorkerPlugin):
        name = "rex-die-with-client"

        def setup(self, worker: Any) -> None:
            if os.getppid() == client_pid:  # only the workers this client started
                die_with_parent(client_pid)

    return DieWithClient()


def open_backend(jobs: int | None = None, scheduler: str | None = None) -> Backend:
    """Local worker processes, or Dask when a scheduler address (or "local") is given."""
    return LocalProcesses(jobs) if scheduler is None else DaskCluster(scheduler, jobs)


def run_games(specs: list[Any], jobs: int | None = None,
              progress: Callable[[int, int], None] | None = None,
              scheduler: str | None = None) -> list[dict[str, Any]]:
    """Play every spec; results in the specs' order whatever the backend and ``jobs``."""
    results: list[dict[str, Any]] = [{}] * len(specs)
    with open_backend(jobs, scheduler) as backend:
        for done, (index, result) in enumerate(backend.play(specs), start=1):
            results[index] = result
            if progress is not None:
                progress(done, len(specs))
    return results


class ProgressBar:
    """A one-line progress bar on stderr (never stdout, which carries the results)."""

    def __init__(self, label: str, stream=None):
        self.label = label
        self.stream = stream if stream is not None else sys.stderr
        self.started = time.perf_counter()
        self.drawn = self.finished = False

    def interrupted(self) -> None:
        """End the bar's line, so that what is said next starts on a line of its own."""
        if self.drawn and not self.finished:
            self.stream.write("\n")
            self.stream.flush()

    def __call__(self, done: int, total: int) -> None:
        width = 30
        filled = int(width * done / max(total, 1))
        elapsed = time.perf_counter() - self.started
        eta = elapsed / done * (total - done) if done else 0.0
        self.stream.write(f"\r{self.label} [{'#' * filled}{'.' * (width - filled)}] "
                          f"{done}/{total}  {elapsed:.0f}s, ~{eta:.0f}s left ")
        self.drawn = True
        if done == total:
            self.stream.write("\n")
            self.finished = True
        self.stream.flush()
