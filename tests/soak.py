"""The soak: many seeded games across the shipped maps, a map of every family built to break
the game (``tests/mapfamilies.py``: rivers, the strongest wind, lakes, islands, mazes, fences,
and the smallest and the largest sizes) and the built-in policies, checked hard.

Every tick: nobody stands on a cell they cannot enter (Rex outside a leap, Mila, officers on
foot, cars, passers-by, Dylan). Every second: nobody is stuck, that is, held in one place for
STUCK_SECONDS while they have somewhere to go (Rex loose and not cornered, an officer in pursuit
with his target reachable and far, a passer-by strolling, or fleeing and not holding back
because the way in passes Rex). Every ten
seconds and at the end: every field and meter is finite and in range. After every game: the
worker's resident memory, so the first hundred games can be compared with the last.
``python -m tests.soak [GAMES]`` prints the numbers; tests/test_soak.py runs it in the slow CI
step.
"""

from __future__ import annotations

import math
import sys
import tempfile
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import numpy as np

from game import policies
from game.mapcheck import load_checked
from game.sim.chase import step
from game.sim.stage import Stage
from game.sim.world import World
from game.tuning import DEFAULT
from tests import mapfamilies

ROOT = Path(__file__).resolve().parent.parent
MAPS = sorted(str(p) for p in (ROOT / "maps").glob("*.tmx"))
# (family, index): one map of every family and the tiny end of the sizes; the huge end (512 x
# 384, several times slower a tick) plays every HUGE_EVERY-th game
FAMILY_MAPS = [(family, 1) for family in mapfamilies.FAMILIES if family != "sizes"] + [
    ("sizes", 0)]
HUGE_MAP = ("sizes", 19)
HUGE_EVERY = 100
POLICIES = sorted(policies.BUILT_IN)
# Most games cover the escape and the chase; every tenth plays on into the standoff and its end.
SHORT_SECONDS, LONG_SECONDS = 45.0, 180.0
CHECK_EVERY = 300  # ticks
STUCK_SECONDS = 40.0


def resident_kib() -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


_ROWS: dict[int, tuple[np.ndarray, list[list[bool]]]] = {}


def _rows(mask: np.ndarray) -> list[list[bool]]:
    """A static mask as nested lists: a scalar read from them is many times cheaper."""
    held = _ROWS.get(id(mask))
    if held is None or held[0] is not mask:
        held = _ROWS[id(mask)] = (mask, mask.tolist())
    return held[1]


def _stands(rows: list[list[bool]], x: float, y: float) -> bool:
    if not (math.isfinite(x) and math.isfinite(y)):
        return False
    cx, cy = math.floor(x), math.floor(y)
    return 0 <= cy < len(rows) and 0 <= cx < len(rows[0]) and rows[cy][cx]


def check_positions(world: World) -> None:
    stage, rex = world.stage, world.rex
    walkable, drivable = _rows(stage.walkable), _rows(stage.drivable)

    def fail(who: str, x: float, y: float) -> None:
        raise AssertionError(f"tick {world.tick}: {who} on a cell it cannot enter "
                             f"({x:.2f}, {y:.2f})")

    # Rex's grid changes during a game (the gate), so it is read directly.
    if rex.leap is None and not _stands(world.rex_passable, rex.x, rex.y):
        fail("Rex", rex.x, rex.y)
    for who, agent in (("Mila", world.mila), ("Dylan", world.dylan)):
        if not _stands(walkable, agent.x, agent.y):
            fail(who, agent.x, agent.y)
    for officer in world.police.officers:
        if officer.car is None and not _stands(walkable, officer.x, officer.y):
            fail(f"officer {officer.id}", officer.x, officer.y)
    for car in world.police.cars:
        if not _stands(drivable, car.x, car.y):
            fail(f"car {car.id}", car.x, car.y)
    for person in world.crowd.walking:
        if not _stands(walkable, person.x, person.y):
            fail(f"passer-by {person.id}", person.x, person.y)


class StuckWatch:
    """Who has stayed within a tile of one spot, and since when, while they had somewhere to
    go; ``check`` fails on anyone held there for STUCK_SECONDS."""

    def __init__(self) -> None:
        self.anchors: dict[str, tuple[float, float, int]] = {}

    def check(self, world: World) -> None:
        for who, (x, y) in _movers(world):
            anchor = self.anchors.get(who)
            if anchor is None or math.hypot(x - anchor[0], y - anchor[1]) > 1.0:
                self.anchors[who] = (x, y, world.tick)
            elif world.tick - anchor[2] > STUCK_SECONDS * world.tick_hz:
                raise AssertionError(f"tick {world.tick}: {who} stuck near ({x:.1f}, {y:.1f}) "
                                     f"for {STUCK_SECONDS:.0f} s")
        moving = {who for who, _ in _movers(world)}
        for who in [w for w in self.anchors if w not in moving]:
            del self.anchors[who]  # stopping for a reason starts the clock afresh


def _movers(world: World) -> list[tuple[str, tuple[float, float]]]:
    """Everyone who has somewhere to go right now, with where they are."""
    found = []
    rex = world.rex
    if (rex.state in ("escaping", "tracking", "evading") and rex.leap is None
            and (rex.sniff is None or world.tick >= rex.sniff.until) and not rex.exhausted):
        found.append(("Rex", (rex.x, rex.y)))
    police = world.police
    chase = police.shared.get("pursuit")
    for officer in police.officers:
        if officer.car is not None or officer.state != "pursuit" or chase is None:
            continue
        x, y = officer.cell
        left = float(chase.values[y, x])
        if math.isfinite(left) and left > world.tuning.perimeter_radius + 3:
            found.append((f"officer {officer.id}", (officer.x, officer.y)))
    for person in world.crowd.walking:
        if person.state == "walk" or (person.state == "flee" and not person.hiding):
            found.append((f"passer-by {person.id}", (person.x, person.y)))
    return found


def check_fields(world: World) -> None:
    collar = world.scent.collar
    assert np.isfinite(collar).all() and (collar >= 0).all(), "scent field"
    for name in ("stress", "trust", "stamina"):
        value = getattr(world.rex, name)
        assert 0.0 <= value <= 1.0, f"Rex's {name} is {value}"
    assert 0.0 <= world.mila.breath <= 1.0
    belief = world.police.dispatcher.belief
    if belief is not None:
        assert np.isfinite(belief).all() and (belief >= 0).all(), "search map"
    for officer in world.police.officers:
        assert 0.0 <= officer.meter <= 1.0
    assert all(0.0 <= c.fear <= 1.0 for c in world.crowd.civilians)


def play(jobs: list[tuple[int, str, str]]) -> list[tuple[int, str, int]]:
    """Play games in this worker: (seed, map, policy) -> (seed, ending, resident KiB)."""
    # Every stage this worker needs is built before its first game, so that the memory after
    # the first games already holds them all.
    levels = {path: load_checked(path) for path in sorted({job[1] for job in jobs})}
    stages = {path: Stage(level, DEFAULT) for path, level in levels.items()}
    done = []
    for seed, path, policy_name in jobs:
        world = World(levels[path], seed, DEFAULT, stage=stages[path])
        act = policies.make(policy_name, seed)
        limit = int(seconds_of_play(seed) * world.tick_hz)
        watch = StuckWatch()
        try:
            while world.ending is None and world.tick < limit:
                step(world, act(policies.Observation(world)))
                check_positions(world)
                if world.tick % world.tick_hz == 0:
                    watch.check(world)
                if world.tick % CHECK_EVERY == 0:
                    check_fields(world)
            check_fields(world)
        except AssertionError as err:
            raise AssertionError(f"{Path(path).name} seed {seed} {policy_name}: {err}") from None
        done.append((seed, world.ending.ending if world.ending else "running", resident_kib()))
    return done


def seconds_of_play(seed: int) -> float:
    return LONG_SECONDS if seed % 10 == 0 else SHORT_SECONDS


def shares(jobs: list[tuple[int, str, str]], workers: int) -> list[list[tuple[int, str, str]]]:
    """The games split so that every worker has about as many seconds of play, each share in
    seed order (the long games are every tenth seed: dealt in turn, one worker got them all)."""
    split: list[list[tuple[int, str, str]]] = [[] for _ in range(workers)]
    load = [0.0] * workers
    for job in sorted(jobs, key=lambda job: -seconds_of_play(job[0])):
        least = load.index(min(load))
        split[least].append(job)
        load[least] += seconds_of_play(job[0])
    return [sorted(share) for share in split]


def family_maps(folder: Path) -> list[str]:
    return [str(mapfamilies.generate(family, index, folder))
            for family, index in [*FAMILY_MAPS, HUGE_MAP]]


def soak(games: int, workers: int = 2) -> dict:
    with tempfile.TemporaryDirectory(prefix="rex-soak-") as folder:
        maps = MAPS + family_maps(Path(folder))
        # Every map gets games, the shipped ones as many as all the family maps together.
        shipped, families = len(MAPS), len(FAMILY_MAPS)
        jobs = [(seed, maps[-1] if seed % HUGE_EVERY == HUGE_EVERY - 1
                 else maps[seed // 2 % shipped] if seed % 2 == 0
                 else maps[shipped + seed // 2 % families], POLICIES[seed % len(POLICIES)])
                for seed in range(games)]
        with ProcessPoolExecutor(max_workers=workers) as pool:
            results = list(pool.map(play, shares(jobs, workers)))
    memory = []
    for worker in results:
        first = worker[:max(1, min(100, len(worker)) // workers)]
        memory.append((first[-1][2], worker[-1][2]))
    endings: dict[str, int] = {}
    for worker in results:
        for _, ending, _ in worker:
            endings[ending] = endings.get(ending, 0) + 1
    return {"games": games, "maps": [Path(m).name for m in maps], "policies": POLICIES,
            "endings": dict(sorted(endings.items())),
            "memory_kib": [{"after_first_games": a, "at_the_end": b} for a, b in memory]}


if __name__ == "__main__":
    report = soak(int(sys.argv[1]) if len(sys.argv) > 1 else 1000)
    print(report)
