"""Throughput of the sweep backends on the default map, for docs/SCALE.md and the README.

``python -m benchmarks.scale [--games N] [--rounds R] [--map FILE]`` plays the same N seeded games
(policy calm_basic, police and passers-by on) on local worker processes (1 and 2) and, when Dask is
installed, on a ``LocalCluster`` (1 and 2 workers), all in one run. All backends are started
and warmed first (one game per worker: loading the map and pre-warming its scent is paid once
per worker, not per game), then the games are played in R rounds that take turns between the
backends, so that other work on the machine slows all of them alike. It prints a Markdown table:

- games/s: N divided by the wall time of the N games;
- overhead per game: (wall time x workers - the games' own time) / N, where a game's own time is
  its ``wall_seconds``; with one worker this is what the backend adds to each game (scheduling,
  sending specs and results), with two it also counts a worker idle at the end of each round.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from contextlib import ExitStack
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from game.batch import BackendError, DaskCluster, GameSpec, LocalProcesses  # noqa: E402
from game.bundle import MapBundle  # noqa: E402

DEFAULT_MAP = ROOT / "maps" / "lakeside.tmx"


def play(backend, specs: list[GameSpec]) -> tuple[float, list[dict]]:
    """Wall time of the specs on the backend, and their results."""
    started = time.perf_counter()
    results = [result for _, result in backend.play(specs)]
    elapsed = time.perf_counter() - started
    failed = [r for r in results if "error" in r]
    if failed:
        raise SystemExit(f"seed {failed[0]['seed']} failed:\n{failed[0]['traceback']}")
    return elapsed, results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--games", type=int, default=24, help="games per backend (default 24)")
    parser.add_argument("--rounds", type=int, default=2, help="turns per backend (default 2)")
    parser.add_argument("--map", type=Path, default=DEFAULT_MAP)
    args = parser.parse_args()
    bundle = MapBundle.read(args.map)
    load_before = os.getloadavg()[0]
    with ExitStack() as stack:
        backends = [(f"local processes | {w}", w, stack.enter_context(LocalProcesses(w)))
                    for w in (1, 2)]
        try:
            backends += [(f"Dask LocalCluster | {w}", w,
                          stack.enter_context(DaskCluster("local", w))) for w in (1, 2)]
        except BackendError as err:  # Dask is not installed
            print(f"(no Dask rows: {err})")
        for _, workers, backend in backends:
            play(backend, [GameSpec(bundle, 1000 + w, "calm_basic") for w in range(workers)])
        seconds = {name: 0.0 for name, _, _ in backends}
        results: dict[str, list[dict]] = {name: [] for name, _, _ in backends}
        per_round = -(-args.games // args.rounds)
        for start in range(0, args.games, per_round):
            specs = [GameSpec(bundle, seed, "calm_basic")
                     for seed in range(start, min(start + per_round, args.games))]
            for name, _, backend in backends:
                elapsed, played = play(backend, specs)
                seconds[name] += elapsed
                results[name] += played
    load_after = os.getloadavg()[0]

    print(f"{args.games} games of policy calm_basic on {args.map.name} per backend, in "
          f"{args.rounds} rounds; load average {load_before:.1f} before, {load_after:.1f} after, "
          f"on {os.cpu_count()} cores\n")
    print("| backend | workers | games/s | vs 1 local worker | mean game | overhead per game |")
    print("|---|---|---|---|---|---|")
    base = args.games / seconds[backends[0][0]]
    games = {name: statistics.fmean(r["wall_seconds"] for r in results[name])
             for name, _, _ in backends}
    for name, workers, _ in backends:
        own = sum(r["wall_seconds"] for r in results[name])
        overhead = (seconds[name] * workers - own) / args.games
        rate = args.games / seconds[name]
        print(f"| {name} | {rate:.2f} | {rate / base:.2f}x | {games[name]:.2f} s | "
              f"{1000 * overhead:.0f} ms ({100 * overhead / games[name]:.1f}%) |")
    slowdown = games[backends[1][0]] / games[backends[0][0]]
    if slowdown > 1.1:  # two workers should each play as fast as one alone
        print(f"\nnote: a game took {slowdown:.2f}x as long with 2 local workers as with 1: "
              "the cores were busy with other work, so the scaling is understated")
    hashes = [sorted(r["state_hash"] for r in results[name]) for name, _, _ in backends]
    print(f"\nsame games (state hashes) on every backend: "
          f"{'yes' if all(h == hashes[0] for h in hashes) else 'NO'}")


if __name__ == "__main__":
    main()
