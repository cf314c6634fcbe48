"""Where a full-cast tick goes, subsystem by subsystem, in two code trees taking turns.

``python -m benchmarks.subsystems OTHER [--rounds N] [--seeds S] [--seconds T]`` plays lakeside
with the full cast (15 officers, 48 passers-by, Dylan) and the ``calm`` policy (seeds 0 to S-1,
up to T seconds each) in a fresh process for OTHER (a checkout of another revision, for example
made by ``git archive REV | tar -x -C /tmp/base``) and for this tree, taking turns, N rounds.
Each subsystem's ``update`` (Mila, Rex, the police and their vision ``police._watch``, the
crowd, the calm-down, Dylan), the whole step and the policy with its Observation are timed by
the thread's CPU time, in µs a tick. A fixed workload timed in the same process every 10 ticks
says how busy the machine was during the run: the last column is each round's ratio divided by
that workload's ratio, the median over the rounds. Pure speed-ups only: the games must be the same
in both trees, and the script stops if their endings differ.
"""

from __future__ import annotations

import argparse
import statistics
import sys
from pathlib import Path
from typing import Any

from benchmarks.compare import run_in

ROOT = Path(__file__).resolve().parent.parent
# (module, function, label): the parts of the step timed, as the step calls them.
PARTS = (("mila_mod", "update", "mila"), ("rex_mod", "update", "rex"),
         ("police_mod", "update", "police"), ("police_mod", "_watch", "police vision"),
         ("civilians_mod", "update", "crowd"), ("bond_mod", "update", "bond"),
         ("dylan_mod", "update", "dylan"))
MEASURE = """
import collections, json, sys, time
sys.path.insert(0, {root!r})
import numpy as np
from game import policies
from game.sim import chase
from game.sim.stage import Stage
from game.sim.world import World
from game.tiled import read_level
from game.tuning import DEFAULT

clock = time.thread_time
spent = collections.Counter()

def timed(module, name, label):
    inner = getattr(module, name)
    def run(*args):
        start = clock()
        result = inner(*args)
        spent[label] += clock() - start
        return result
    setattr(module, name, run)

for module, name, label in {parts!r}:
    timed(getattr(chase, module), name, label)

class Walker:
    def __init__(self):
        self.x, self.y = 0.5, 1.5

walkers = [Walker() for _ in range(48)]
values = np.random.default_rng(0).random(64)

def workload():
    start = clock()
    for _ in range(3):
        for w in walkers:
            w.x += 0.001
            w.y += 0.002
        np.hypot(values - 0.5, values - 0.2)
        np.clip(values, 0.0, 1.0)
        sum(w.x * w.y for w in walkers)
    spent["workload"] += clock() - start

level = read_level({root!r} + "/maps/lakeside.tmx")
stage = Stage(level, DEFAULT)
ticks, endings = 0, []
for seed in range({seeds}):
    world = World(level, seed, DEFAULT, stage=stage)
    policy = policies.make("calm", seed)
    for _ in range(int({seconds} * world.tick_hz)):
        start = clock()
        commands = policy(policies.Observation(world))
        middle = clock()
        chase.step(world, commands)
        spent["policy"] += middle - start
        spent["step"] += clock() - middle
        ticks += 1
        if ticks % 10 == 0:
            workload()
        if world.ending is not None:
            break
    endings.append([world.tick, world.state_hash()])
print(json.dumps({{"us": {{k: v / ticks * 1e6 for k, v in spent.items()}}, "endings": endings}}))
"""


def measure(root: Path, seeds: int, seconds: float) -> dict[str, Any]:
    return run_in(root, MEASURE.format(root=str(root), seeds=seeds, seconds=seconds,
                                       parts=PARTS))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("other", type=Path, help="a checkout of the revision to compare with")
    parser.add_argument("--rounds", type=int, default=4)
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--seconds", type=float, default=300.0, help="at most, a game")
    args = parser.parse_args()
    trees = {"other": args.other.resolve(), "this": ROOT}
    runs: dict[str, list[dict[str, Any]]] = {name: [] for name in trees}
    for _ in range(args.rounds):
        for name, root in trees.items():
            runs[name].append(measure(root, args.seeds, args.seconds))
    if any(run["endings"] != runs["other"][0]["endings"] for name in trees for run in runs[name]):
        print("the games differ between the two trees: not a pure speed-up", file=sys.stderr)
        return 1
    print(f"| lakeside, full cast, calm, seeds 0-{args.seeds - 1}, µs a tick (median of "
          f"{args.rounds} rounds) | other | this | this / other (corrected) |")
    print("| --- | ---: | ---: | ---: |")
    for part in (*(label for _, _, label in PARTS), "policy", "step", "workload"):
        a, b = (statistics.median(run["us"][part] for run in runs[name]) for name in trees)
        corrected = statistics.median(
            (this["us"][part] / other["us"][part])
            / (this["us"]["workload"] / other["us"]["workload"])
            for other, this in zip(runs["other"], runs["this"], strict=True))
        print(f"| {part} | {a:.1f} | {b:.1f} | {corrected:.2f} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
