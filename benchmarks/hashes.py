"""The guard for pure speed-ups: the state hashes of a fixed set of games, recorded and checked.

A speed-up of the tick or of the stage build must not change what happens, so before one
``--record FILE`` plays every game of the set (seeds 1-20 x the calm, calm_basic and wait
policies x both shipped maps, a few with the gentle Handler, and the benchmark's 8, 64
officer and full-cast games) and writes ending, tick count and state hash of each; after it,
``--check FILE`` plays them again and lists every game that differs (exit 1 if any).
Games run in ``--jobs`` processes (default 2).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

MAPS = ("maps/lakeside.tmx", "maps/rivergate.tmx")
POLICIES = ("calm", "calm_basic", "wait")


def games(quick: bool = False) -> list[tuple]:
    """Every game of the set, as (kind, map, seed, policy, extra)."""
    seeds = range(1, 6) if quick else range(1, 21)
    out: list[tuple] = []
    for path in MAPS:
        for policy in POLICIES:
            out += [("sim", path, seed, policy, None) for seed in seeds]
        out += [("sim", path, seed, "calm", "gentle") for seed in (1, 2, 3)]
    out += [("bench", MAPS[0], 7, "wait", n) for n in (8, 64)]
    out.append(("bench", MAPS[0], 7, "calm_basic", None))
    return out


def play(game: tuple) -> tuple[str, dict]:
    kind, path, seed, policy, extra = game
    from game.headless import Runner
    from game.tiled import read_level

    key = f"{kind} {path} seed {seed} {policy} {extra}"
    if kind == "sim":
        outcome = Runner(read_level(ROOT / path)).play(seed, policy, handler=extra)
        return key, {"ending": outcome["ending"], "ticks": outcome["ticks"],
                     "state_hash": outcome["state_hash"]}
    from benchmarks.run import with_police
    from game import loop, policies
    from game.sim.world import World
    from game.stagecache import build_stage
    from game.tuning import DEFAULT

    level = read_level(ROOT / path)
    if extra is not None:
        level = with_police(level, extra)
    world = World(level, seed, DEFAULT, stage=build_stage(level, DEFAULT), police=True,
                  civilians=extra is None)
    driver = policies.make(policy, seed)
    hashes = []
    for _ in range(300 * world.tick_hz):
        loop.tick(world, driver.commands)
        if world.tick % 1500 == 0:
            hashes.append(world.state_hash()[:16])
        if world.ending is not None:
            break
    return key, {"ending": world.ending.ending if world.ending else None, "ticks": world.tick,
                 "state_hash": world.state_hash(),
                 "every_50_s": hashes}


def run(quick: bool, jobs: int) -> dict[str, dict]:
    todo = games(quick)
    # The longest games first, so that two workers finish together.
    todo.sort(key=lambda g: (g[0] != "bench", g[3] != "wait"))
    with ProcessPoolExecutor(jobs) as pool:
        return dict(sorted(pool.map(play, todo)))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    what = parser.add_mutually_exclusive_group(required=True)
    what.add_argument("--record", type=Path, metavar="FILE")
    what.add_argument("--check", type=Path, metavar="FILE")
    parser.add_argument("--quick", action="store_true", help="seeds 1-5 only")
    parser.add_argument("--jobs", type=int, default=2)
    args = parser.parse_args()
    started = time.perf_counter()
    if args.record is not None:
        results = run(args.quick, args.jobs)
        args.record.write_text(json.dumps(results, indent=1) + "\n")
        print(f"recorded {len(results)} games in {time.perf_counter() - started:.0f} s")
        return 0
    recorded = json.loads(args.check.read_text())
    results = run(args.quick, args.jobs)
    differ = [key for key, value in results.items() if recorded.get(key) != value]
    for key in differ:
        print(f"DIFFERS {key}: {recorded.get(key)} -> {results[key]}")
    print(f"{len(results) - len(differ)} of {len(results)} games identical "
          f"({time.perf_counter() - started:.0f} s)")
    return 1 if differ else 0


if __name__ == "__main__":
    sys.exit(main())
