"""The soak: many seeded games across the shipped maps and the built-in policies, checked hard.

Every tick: nobody stands on a cell they cannot enter (Rex outside a leap, Mila, officers on
foot, cars, passers-by, Dylan). Every ten seconds and at the end: every field and meter is
finite and in range. After every game: the worker's resident memory, so the first hundred
games can be compared with the last. ``python -m tests.soak [GAMES]`` prints the numbers;
tests/test_soak.py runs it in the slow CI step.
"""

from __future__ import annotations

import sys
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import numpy as np

from game import policies
from game.mapcheck import load_checked
from game.sim.stage import Stage
from game.sim.world import World, step
from game.tuning import DEFAULT

ROOT = Path(__file__).resolve().parent.parent
MAPS = sorted(str(p) for p in (ROOT / "maps").glob("*.tmx"))
POLICIES = sorted(policies.BUILT_IN)
# Most games cover the escape and the chase; every tenth plays on into the standoff and its end.
SHORT_SECONDS, LONG_SECONDS = 45.0, 180.0
CHECK_EVERY = 300  # ticks


def resident_kib() -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def check_positions(world: World) -> None:
    stage, rex = world.stage, world.rex
    # (who, x, y) of everyone on foot; checked in one vectorised lookup, named only on failure.
    on_foot = [("Mila", world.mila.x, world.mila.y), ("Dylan", world.dylan.x, world.dylan.y)]
    driving = []
    if world.police is not None:
        on_foot += [(f"officer {o.id}", o.x, o.y) for o in world.police.officers
                    if o.car is None]
        driving = [(f"car {car.id}", car.x, car.y) for car in world.police.cars]
    if world.crowd is not None:
        on_foot += [(f"passer-by {p.id}", p.x, p.y) for p in world.crowd.walking]
    groups = [(stage.walkable, on_foot), (stage.drivable, driving)]
    if rex.leap is None:
        groups.append((world.rex_passable, [("Rex", rex.x, rex.y)]))
    for mask, agents in groups:
        if not agents:
            continue
        points = np.array([(x, y) for _, x, y in agents], dtype=np.float64)
        finite = np.isfinite(points).all(axis=1)
        cells = np.floor(np.where(finite[:, None], points, 0)).astype(np.intp)
        inside = ((cells >= 0).all(axis=1) & (cells[:, 0] < mask.shape[1])
                  & (cells[:, 1] < mask.shape[0]))
        ok = finite & inside
        ok[ok] = mask[cells[ok, 1], cells[ok, 0]]
        if not ok.all():
            who, x, y = agents[int(np.argmin(ok))]
            raise AssertionError(f"tick {world.tick}: {who} on a cell it cannot enter "
                                 f"({x:.2f}, {y:.2f})")


def check_fields(world: World) -> None:
    collar = world.scent.collar
    assert np.isfinite(collar).all() and (collar >= 0).all(), "scent field"
    for name in ("stress", "trust", "stamina"):
        value = getattr(world.rex, name)
        assert 0.0 <= value <= 1.0, f"Rex's {name} is {value}"
    assert 0.0 <= world.mila.breath <= 1.0
    if world.police is not None:
        belief = world.police.dispatcher.belief
        if belief is not None:
            assert np.isfinite(belief).all() and (belief >= 0).all(), "search map"
        for officer in world.police.officers:
            assert 0.0 <= officer.meter <= 1.0
    if world.crowd is not None:
        assert all(0.0 <= c.fear <= 1.0 for c in world.crowd.civilians)


def play(jobs: list[tuple[int, str, str]]) -> list[tuple[int, str, int]]:
    """Play games in this worker: (seed, map, policy) -> (seed, ending, resident KiB)."""
    levels = {path: load_checked(path) for path in MAPS}
    stages = {path: Stage(level, DEFAULT) for path, level in levels.items()}
    done = []
    for seed, path, policy_name in jobs:
        world = World(levels[path], seed, DEFAULT, stage=stages[path])
        act = policies.make(policy_name, seed)
        limit = int((LONG_SECONDS if seed % 10 == 0 else SHORT_SECONDS) * world.tick_hz)
        while world.ending is None and world.tick < limit:
            step(world, act(policies.Observation(world)))
            check_positions(world)
            if world.tick % CHECK_EVERY == 0:
                check_fields(world)
        check_fields(world)
        done.append((seed, world.ending.ending if world.ending else "running", resident_kib()))
    return done


def soak(games: int, workers: int = 2) -> dict:
    jobs = [(seed, MAPS[seed % len(MAPS)], POLICIES[seed % len(POLICIES)])
            for seed in range(games)]
    shares = [jobs[k::workers] for k in range(workers)]
    with ProcessPoolExecutor(max_workers=workers) as pool:
        results = list(pool.map(play, shares))
    memory = []
    for worker in results:
        first = worker[:max(1, min(100, len(worker)) // workers)]
        memory.append((first[-1][2], worker[-1][2]))
    endings: dict[str, int] = {}
    for worker in results:
        for _, ending, _ in worker:
            endings[ending] = endings.get(ending, 0) + 1
    return {"games": games, "maps": [Path(m).name for m in MAPS], "policies": POLICIES,
            "endings": dict(sorted(endings.items())),
            "memory_kib": [{"after_first_games": a, "at_the_end": b} for a, b in memory]}


if __name__ == "__main__":
    report = soak(int(sys.argv[1]) if len(sys.argv) > 1 else 1000)
    print(report)
