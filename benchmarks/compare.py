"""The tick benchmark of two code trees in one run, interleaved: is this change any slower?

``python -m benchmarks.compare OTHER [--rounds N] [--seconds S]`` runs ``benchmarks.run``'s
lakeside tick benchmarks (the full cast with ``calm_basic``, and Rex and Mila alone) in a fresh
process for OTHER (a checkout of another revision, for example made by
``git archive REV | tar -x -C /tmp/base``) and for this tree, taking turns, N rounds, and prints
the median of each figure for both, with their ratio. Taking turns on a busy machine slows both
alike, so read the ratios.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MEASURE = """
import json, sys
sys.path.insert(0, {root!r})
from benchmarks.run import bench_ticks, DEFAULT_MAP
from game.policies import BUILT_IN
# The same games in both trees: the old calm is calm_basic where that exists.
policy = "calm_basic" if "calm_basic" in BUILT_IN else "calm"
cast = bench_ticks(DEFAULT_MAP, {seconds}, police=True, policy_name=policy)
alone = bench_ticks(DEFAULT_MAP, {seconds}, police=False, civilians=False)
print(json.dumps({{"full cast": cast, "Rex and Mila": alone}}))
"""
FIGURES = ("median_us", "mean_us", "p95_us", "realtime", "stage_s")


def measure(root: Path, seconds: float) -> dict:
    return run_in(root, MEASURE.format(root=str(root), seconds=seconds))


def run_in(root: Path, code: str) -> dict:
    """Run ``code`` in a fresh Python process in the tree ``root``: its last line, as JSON."""
    run = subprocess.run([sys.executable, "-c", code],
                         cwd=root, capture_output=True, text=True, check=True,
                         env={"PYTHONPATH": str(root), "SDL_VIDEODRIVER": "dummy",
                              "PATH": "/usr/bin:/bin"})
    return json.loads(run.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("other", type=Path, help="a checkout of the revision to compare with")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--seconds", type=float, default=240.0, help="seconds of play a run")
    args = parser.parse_args()
    trees = {"other": args.other.resolve(), "this": ROOT}
    runs: dict[str, list[dict]] = {name: [] for name in trees}
    for _ in range(args.rounds):
        for name, root in trees.items():
            runs[name].append(measure(root, args.seconds))
    print(f"| lakeside, {args.rounds} rounds of {args.seconds:.0f} s | other | this | "
          "this / other |")
    print("| --- | ---: | ---: | ---: |")
    for part in ("full cast", "Rex and Mila"):
        for figure in FIGURES:
            a, b = (statistics.median(run[part][figure] for run in runs[name])
                    for name in trees)
            print(f"| {part}: {figure} | {a:.2f} | {b:.2f} | {b / a:.2f} |")


if __name__ == "__main__":
    main()
