"""How often, and how fast, Rex reaches a Mila who waits at the maple tree (police off).

``python -m benchmarks.reach [--seeds N] [--map FILE]``: prints the reach rate, the median
time to reach her and the slowest seed, for docs/AI.md and the README.
``python -m benchmarks.reach --random M --seeds N``: the same over M random maps of every
shape (tests/randommaps.py), N seeds each: the claim that it holds on maps nobody tuned for.
"""

from __future__ import annotations

import argparse
import statistics
from pathlib import Path

from game.batch import GameSpec, ProgressBar, run_games
from game.bundle import MapBundle
from game.headless import GameOptions

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seeds", type=int, default=100)
    parser.add_argument("--map", type=Path, default=ROOT / "maps" / "lakeside.tmx")
    parser.add_argument("--jobs", type=int)
    parser.add_argument("--random", type=int, metavar="M", help="M random maps instead")
    args = parser.parse_args()
    options = GameOptions(police=False, civilians=False, max_seconds=15 * 60, stop_at_reach=True)
    maps = [args.map]
    if args.random:
        import tempfile

        from tests import randommaps

        folder = Path(tempfile.mkdtemp(prefix="rex-random-maps-"))
        maps = [randommaps.generate(m, folder) for m in range(args.random)]
        args.map = Path(f"{args.random} random maps")
    specs = [GameSpec(MapBundle.read(path), seed, "wait", options=options)
             for path in maps for seed in range(args.seeds)]
    results = run_games(specs, args.jobs, ProgressBar("reach"))
    reached = [(r["rex_reached_mila_tick"] / 30, r["seed"], r["map"]) for r in results
               if r.get("rex_reached_mila_tick") is not None]
    times = [t for t, _, _ in reached]
    slowest = max(reached) if reached else None
    print(f"map {args.map.name}, policy wait, police off, {len(results)} seeds")
    print(f"Rex reached Mila in {len(reached)}/{len(results)} "
          f"({100 * len(reached) / len(results):.0f}%)")
    if reached:
        print(f"median {statistics.median(times):.0f} s, fastest {min(times):.0f} s, "
              f"slowest {slowest[0]:.0f} s (seed {slowest[1]}"
              + (f" on {slowest[2]})" if args.random else ")"))


if __name__ == "__main__":
    main()
