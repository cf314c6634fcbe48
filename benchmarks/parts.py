"""Where a full-cast tick's CPU time goes, part by part, in this tree and another, taking turns.

``python -m benchmarks.parts OTHER [--rounds N] [--seeds 0,1,2] [--seconds S]`` plays the
lakeside full cast (15 officers, 48 passers-by, Dylan) with the ``calm`` policy, for each seed
up to S seconds or the ending, in a fresh process for OTHER (a checkout of another revision,
for example made by ``git archive REV | tar -x -C /tmp/base``) and for this tree, taking turns,
N rounds. Each part is timed by the thread's CPU time (other processes on a shared machine
count less than in wall time): the policy with its Observation, the whole step, and inside it
the police (and their vision, ``police._watch``), the crowd and the calm-down (``bond``). It
prints the median of the rounds in microseconds a tick, with the ratio this / other, and
whether both trees played the same games (ending and tick count of each).
"""

from __future__ import annotations

import argparse
import statistics
from pathlib import Path

from benchmarks.compare import run_in

ROOT = Path(__file__).resolve().parent.parent
MEASURE = """
import json, sys, time
sys.path.insert(0, {root!r})
from game import policies
from game.sim import chase
from game.sim import police as police_mod
from game.sim.stage import Stage
from game.sim.world import World
from game.tiled import read_level
from game.tuning import DEFAULT

clock = time.thread_time
spent = {{}}

def timed(module, name, label):
    inner = getattr(module, name)
    def wrapper(*args):
        start = clock()
        result = inner(*args)
        spent[label] = spent.get(label, 0.0) + clock() - start
        return result
    setattr(module, name, wrapper)

timed(chase.police_mod, "update", "police")
timed(police_mod, "_watch", "police vision")
timed(chase.civilians_mod, "update", "crowd")
timed(chase.bond_mod, "update", "bond")
level = read_level({root!r} + "/maps/lakeside.tmx")
stage = Stage(level, DEFAULT)
ticks, games = 0, []
for seed in {seeds!r}:
    world = World(level, seed, DEFAULT, stage=stage)
    policy = policies.make("calm", seed)
    for _ in range(int({seconds} * world.tick_hz)):
        start = clock()
        commands = policy(policies.Observation(world))
        middle = clock()
        chase.step(world, commands)
        spent["policy"] = spent.get("policy", 0.0) + middle - start
        spent["step"] = spent.get("step", 0.0) + clock() - middle
        ticks += 1
        if world.ending is not None:
            break
    games.append([world.ending.ending if world.ending else None, world.tick])
print(json.dumps({{"us": {{k: v / ticks * 1e6 for k, v in spent.items()}}, "games": games}}))
"""
PARTS = ("policy", "step", "police", "police vision", "crowd", "bond")


def measure(root: Path, seeds: list[int], seconds: float) -> dict:
    return run_in(root, MEASURE.format(root=str(root), seeds=seeds, seconds=seconds))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("other", type=Path, help="a checkout of the revision to compare with")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--seeds", default="0,1,2", help="comma-separated seeds")
    parser.add_argument("--seconds", type=float, default=300.0, help="at most, a game")
    args = parser.parse_args()
    seeds = [int(seed) for seed in args.seeds.split(",")]
    trees = {"other": args.other.resolve(), "this": ROOT}
    runs: dict[str, list[dict]] = {name: [] for name in trees}
    for _ in range(args.rounds):
        for name, root in trees.items():
            runs[name].append(measure(root, seeds, args.seconds))
    print(f"| lakeside full cast, calm, seeds {args.seeds}, {args.rounds} rounds "
          "(CPU µs a tick) | other | this | this / other |")
    print("| --- | ---: | ---: | ---: |")
    for part in PARTS:
        other, this = (statistics.median(run["us"][part] for run in runs[name])
                       for name in trees)
        print(f"| {part} | {other:.0f} | {this:.0f} | {this / other:.2f} |")
    same = all(run["games"] == runs["other"][0]["games"] for name in trees
               for run in runs[name])
    print(f"\nthe same games in both trees: {'yes' if same else 'NO'}")


if __name__ == "__main__":
    main()
