"""Throughput of the Gymnasium environment (``Rex/Mila-v0``), for docs/ENV.md and the README.

``python -m benchmarks.env [--seconds S] [--rounds R] [--map FILE]`` needs the ai extra. One
process, so every number is per core. It plays the environment with seeded random actions on
the default map with the full cast (15 officers, 48 passers-by), episodes cut at five minutes
of play, at ``decide_every`` 1 and 10, and, for reference, the bare simulation stepped with the
same kind of commands and no observation. The three take turns in R rounds of S seconds each,
so that other work on the machine slows them alike; it prints a Markdown table of the medians:
environment steps per second, simulation ticks per second, and the share of the time spent
building observations.
"""

from __future__ import annotations

import argparse
import platform
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from game.env.episode import ACTION_NVEC, MilaRole  # noqa: E402
from game.sim.chase import step  # noqa: E402
from game.sim.world import World  # noqa: E402
from game.tuning import DEFAULT  # noqa: E402

EPISODE_SECONDS = 300.0


class Player:
    """Keeps one environment (or bare world) running across rounds, episode after episode."""

    def __init__(self, make_step: Callable[[], Callable[[], tuple[int, bool]]]):
        self.make_step = make_step
        self.step = make_step()

    def run(self, seconds: float) -> tuple[int, int, float]:
        """Steps and ticks done in about ``seconds`` of wall time, and the time taken."""
        steps = ticks = 0
        started = time.perf_counter()
        while time.perf_counter() - started < seconds:
            done, ended = self.step()
            steps += 1
            ticks += done
            if ended:
                self.step = self.make_step()
        return steps, ticks, time.perf_counter() - started


def env_stepper(map_path: Path, decide_every: int, seeds: list[int]
                ) -> Callable[[], Callable[[], tuple[int, bool]]]:
    from game.env import RexMilaEnv

    env = RexMilaEnv(map_path=map_path, decide_every=decide_every,
                     max_seconds=EPISODE_SECONDS)
    rng = np.random.default_rng(7)

    def new_episode() -> Callable[[], tuple[int, bool]]:
        env.reset(seed=seeds.pop(0) if seeds else int(rng.integers(1 << 30)))

        def one() -> tuple[int, bool]:
            before = env.world.tick
            _, _, terminated, truncated, _ = env.step(rng.integers(0, ACTION_NVEC))
            return env.world.tick - before, terminated or truncated

        return one

    return new_episode


def bare_stepper(map_path: Path, seeds: list[int]) -> Callable[[], Callable[[], tuple[int, bool]]]:
    """The simulation alone, with the same random commands held ten ticks at a time."""
    from game.env.episode import load_stage

    level, stage = load_stage(map_path, None, DEFAULT)
    rng = np.random.default_rng(7)
    limit = int(EPISODE_SECONDS * World.tick_hz)

    def new_episode() -> Callable[[], tuple[int, bool]]:
        world = World(level, seeds.pop(0) if seeds else int(rng.integers(1 << 30)),
                      stage=stage)
        held = {"commands": MilaRole.commands(rng.integers(0, ACTION_NVEC)), "left": 10}

        def one() -> tuple[int, bool]:
            if held["left"] == 0:
                held["commands"], held["left"] = MilaRole.commands(
                    rng.integers(0, ACTION_NVEC)), 10
            step(world, held["commands"])
            held["left"] -= 1
            return 1, world.ending is not None or world.tick >= limit

        return one

    return new_episode


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=20.0, help="wall seconds per turn")
    parser.add_argument("--rounds", type=int, default=3, help="turns each")
    parser.add_argument("--map", type=Path, default=ROOT / "maps" / "lakeside.tmx")
    args = parser.parse_args()
    runs = {"env, decide_every 1": Player(env_stepper(args.map, 1, list(range(100)))),
            "env, decide_every 10": Player(env_stepper(args.map, 10, list(range(100)))),
            "simulation alone": Player(bare_stepper(args.map, list(range(100))))}
    rates: dict[str, list[tuple[float, float]]] = {name: [] for name in runs}
    for _ in range(args.rounds):
        for name, player in runs.items():
            steps, ticks, spent = player.run(args.seconds)
            rates[name].append((steps / spent, ticks / spent))
    bare = statistics.median(t for _, t in rates["simulation alone"])
    print(f"Measured on {platform.machine()} with Python {platform.python_version()}, "
          f"numpy {np.__version__}, one process (per core), {args.map.name} with the full "
          f"cast, random actions, {args.rounds} rounds of {args.seconds:g} s.\n")
    print("| run | env steps/s | simulation ticks/s | time building observations |")
    print("| --- | ---: | ---: | ---: |")
    for name, values in rates.items():
        steps = statistics.median(s for s, _ in values)
        ticks = statistics.median(t for _, t in values)
        share = "-" if name == "simulation alone" else f"{max(0.0, 1 - ticks / bare):.0%}"
        shown = "-" if name == "simulation alone" else f"{steps:,.0f}"
        print(f"| {name} | {shown} | {ticks:,.0f} | {share} |")


if __name__ == "__main__":
    main()
