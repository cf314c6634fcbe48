"""Does every map play? Rex's reach rate on the map families built to break it.

``python -m benchmarks.families [--maps M] [--seeds N] [--family F ...] [--calm K]``: for each
family of ``tests/mapfamilies.py`` (a river with far crossings, the strongest head wind, a lake
crossed on its far side, an island by one bridge, a maze of alleys, fences and hedges with
smells in dead ends, sizes from 64 x 48 to 512 x 384), M maps with N seeds each, police off,
Mila waiting at the maple (``wait``): the share of games in which Rex reaches her before dusk,
with its 95% Wilson interval, and the median and slowest time to reach her. With ``--calm K``,
also K seeds per map with the full cast and the ``calm_basic`` policy (Mila waits at the
maple, so Rex must cross the map and its police): the ending mix, home first.

The table is printed as Markdown (for docs/BALANCE.md); the numbers are the same on every
machine (seeded maps, seeded games). The slow CI step runs it in full, ``make test`` a subset.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

from game.batch import GameSpec, ProgressBar, run_games
from game.bundle import MapBundle
from game.headless import GameOptions
from game.playtest import calm_words
from game.report import wilson
from tests import mapfamilies

REACH = GameOptions(police=False, civilians=False, stop_at_reach=True)
FULL_CAST = GameOptions()


def family_maps(family: str, maps: int, folder: Path) -> list[MapBundle]:
    return [MapBundle.read(mapfamilies.generate(family, index, folder))
            for index in range(maps)]


def _by_family(bundles: dict[str, list[MapBundle]], seeds: int, policy: str,
               options: GameOptions, jobs: int | None, progress: bool
               ) -> dict[str, list[dict[str, Any]]]:
    """Every map's seeds played with one policy; the results, by family."""
    specs = [GameSpec(bundle, seed, policy, options=options)
             for family in bundles for bundle in bundles[family] for seed in range(seeds)]
    results = run_games(specs, jobs, ProgressBar(policy) if progress else None)
    return {family: [r for r in results if r["map"] in {bundle.name for bundle in maps}]
            for family, maps in bundles.items()}


def reach_rows(bundles: dict[str, list[MapBundle]], seeds: int, jobs: int | None = None,
               progress: bool = True) -> dict[str, dict[str, Any]]:
    """Per family: games, reached, share with interval, median and slowest reach (seconds)."""
    rows: dict[str, dict[str, Any]] = {}
    for family, games in _by_family(bundles, seeds, "wait", REACH, jobs, progress).items():
        reached = [(r["rex_reached_mila_tick"] / 30, r["map"], r["seed"]) for r in games
                   if r.get("rex_reached_mila_tick") is not None]
        share, low, high = wilson(len(reached), len(games))
        rows[family] = {
            "maps": len(bundles[family]), "games": len(games), "reached": len(reached),
            "share": share, "low": low, "high": high,
            "median_s": statistics.median(t for t, _, _ in reached) if reached else None,
            "slowest": max(reached) if reached else None,
            "failed": [(r["map"], r["seed"], r.get("rex_end"), r.get("error")) for r in games
                       if r.get("rex_reached_mila_tick") is None],
        }
    return rows


def calm_rows(bundles: dict[str, list[MapBundle]], seeds: int, jobs: int | None = None,
              progress: bool = True) -> dict[str, dict[str, Any]]:
    """Per family: the endings of ``calm_basic`` games with the full cast."""
    rows: dict[str, dict[str, Any]] = {}
    played = _by_family(bundles, seeds, "calm_basic", FULL_CAST, jobs, progress)
    for family, games in played.items():
        endings: dict[str, int] = {}
        for game in games:
            name = game.get("ending") or ("error" if "error" in game else "none")
            endings[name] = endings.get(name, 0) + 1
        rows[family] = {"games": len(games), "endings": endings,
                        "errors": [r["error"] for r in games if "error" in r],
                        "results": games}
    return rows


def reach_table(rows: dict[str, dict[str, Any]]) -> str:
    lines = ["| family | maps | games | reached | 95% interval | median | slowest |",
             "| --- | ---: | ---: | ---: | --- | ---: | --- |"]
    for family, row in rows.items():
        slowest = row["slowest"]
        lines.append(
            f"| ({mapfamilies.LETTERS[family]}) {family} | {row['maps']} | {row['games']} | "
            f"{row['reached']} ({100 * row['share']:.1f}%) | "
            f"{100 * row['low']:.1f}-{100 * row['high']:.1f}% | "
            + (f"{row['median_s']:.0f} s | {slowest[0]:.0f} s ({slowest[1]} seed {slowest[2]}) |"
               if slowest else "- | - |"))
    return "\n".join(lines)


def calm_table(rows: dict[str, dict[str, Any]]) -> str:
    endings = ("home", "tranquilized", "kennel", "dusk")
    lines = ["| family | games | " + " | ".join(endings) + " | why not home |",
             "| --- | ---: | " + " | ".join("---" for _ in endings) + " | --- |"]
    for family, row in rows.items():
        cells = []
        for ending in endings:
            count = row["endings"].get(ending, 0)
            share, low, high = wilson(count, row["games"])
            cells.append(f"{count} ({100 * share:.0f}%, {100 * low:.0f}-{100 * high:.0f}%)")
        home = row["endings"].get("home", 0) / max(row["games"], 1)
        why = calm_words(home, row["results"]).split(": ", 1)[-1] if home < 1 else "-"
        lines.append(f"| ({mapfamilies.LETTERS[family]}) {family} | {row['games']} | "
                     + " | ".join(cells) + f" | {why} |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--maps", type=int, default=20, help="maps per family (default 20)")
    parser.add_argument("--seeds", type=int, default=5, help="seeds per map (default 5)")
    parser.add_argument("--family", action="append", choices=mapfamilies.FAMILIES,
                        help="only this family (repeat for several)")
    parser.add_argument("--calm", type=int, default=0, metavar="K",
                        help="also K calm_basic games per map with the full cast")
    parser.add_argument("--jobs", type=int, help="worker processes (default: all cores)")
    args = parser.parse_args()
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="rex-families-") as folder:
        bundles = {family: family_maps(family, args.maps, Path(folder) / family)
                   for family in (args.family or mapfamilies.FAMILIES)}
    rows = reach_rows(bundles, args.seeds, args.jobs)
    print(f"Police off, Mila waits at the maple (wait): {args.maps} maps x {args.seeds} seeds "
          "a family, dusk after 900 s.\n")
    print(reach_table(rows))
    for family, row in rows.items():
        for name, seed, end, error in row["failed"]:
            print(f"  {family}: {name} seed {seed} not reached; Rex ended at {end}"
                  + (f" ({error})" if error else ""))
    if args.calm:
        print(f"\nFull cast, calm_basic Mila: {args.maps} maps x {args.calm} seeds a family.\n")
        print(calm_table(calm_rows(bundles, args.calm, args.jobs)))
    print(f"\n{time.perf_counter() - started:.0f} s")


if __name__ == "__main__":
    main()
