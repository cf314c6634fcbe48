"""Speed at every map size: the stage build and the full-cast tick on four maps, 64 x 48 to
512 x 384, with the fitted scaling exponent, against a reference revision in the same run.

``python -m benchmarks.sizes [--seeds N] [--seconds S] [--reference TREE] [--write]``: the maps
are lakeside (192 x 128) and three maps of exactly 64 x 48, 400 x 280 and 512 x 384 made by the
random-map tool (``tests/mapfamilies.py``, the ``sizes`` family's kind, fixed seeds). Every map
plays with lakeside's cast (15 officers: the crews of its cars as generated, the rest on foot
over its police spawns; 48 passers-by over its crowds), so that only the map's size changes.
For each map: the stage build (fresh processes: the imports it needs and the build, no cache;
the median of ``--load-rounds`` of them, the trees taking turns), then N seeds of S seconds of
play with the ``calm`` policy, all ticks pooled: median, mean and 95th percentile of the tick,
and the real-time multiple (game seconds over wall seconds, the policy included). The exponent
``a`` of ``tick cost ~ cells^a`` is taken between lakeside and 512 x 384 (the issue's target)
for the mean and the median tick.

With ``--reference TREE`` (a checkout of another revision, for example
``git archive merge-12 | tar -x -C /tmp/ref``) the same measurements run on that tree too, in
fresh processes taking turns with this tree, so that a busy machine slows both alike; without
it, the reference column is read from ``benchmarks/sizes_reference.json`` (written by
``--save-reference``). ``--write`` puts the table into README.md and benchmarks/RESULTS.md.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
REFERENCE_FILE = ROOT / "benchmarks" / "sizes_reference.json"
START, END = "<!-- sizes:start -->", "<!-- sizes:end -->"
MAPS = (("64 x 48", (64, 48)), ("lakeside 192 x 128", None), ("400 x 280", (400, 280)),
        ("512 x 384", (512, 384)))
MAP_SEED = 1
CAST_OFFICERS, CAST_CIVILIANS = 15, 48
# The targets, by map label: stage build (s), real-time multiple, median and mean tick.
# A new dependency's import counts in the load time (issue 15), so the stage build's target is
# also set against the whole first load of a fresh process: the imports (numpy, scipy, pytmx),
# reading the map and building the stage.
TARGETS = {"lakeside 192 x 128": {"stage_s": 0.3, "load_s": 0.3, "cached_stage_s": 0.3,
                                  "realtime": 300.0, "median_us": 110.0, "mean_us": 200.0},
           "512 x 384": {"stage_s": 1.5, "load_s": 1.5, "cached_stage_s": 1.5,
                         "realtime": 100.0}}
TARGET_EXPONENT = 0.5

# Run in a fresh process with the measured tree first on the path: the stage build, then the
# ticks. Uses only what every revision has (read_level, Stage, World, step, policies).
MEASURE = r"""
import dataclasses, json, sys, time
t0 = time.perf_counter()
sys.path.insert(0, {root!r})
from game.tiled import read_level
from game.sim.stage import Stage
from game.tuning import DEFAULT
level = read_level({path!r})

def share(total, n):
    return [total // n + (i < total % n) for i in range(n)]

spawns = level.of_kind("police_spawn")
crews = sum(int(s.properties["cars"]) for s in spawns) * DEFAULT.car_crew
officers = dict(zip((s.id for s in spawns), share({officers} - crews, len(spawns))))
crowds = level.of_kind("civilian_spawn")
people = dict(zip((s.id for s in crowds), share({civilians}, len(crowds))))
objects = []
for o in level.objects:
    if {recast} and o.kind == "police_spawn":
        o = dataclasses.replace(o, properties={{**o.properties, "officers": officers[o.id]}})
    elif {recast} and o.kind == "civilian_spawn":
        o = dataclasses.replace(o, properties={{**o.properties, "count": people[o.id]}})
    objects.append(o)
level = dataclasses.replace(level, objects=tuple(objects))
t1 = time.perf_counter()
stage = Stage(level, DEFAULT)
t2 = time.perf_counter()
out = {{"stage_s": t2 - t1, "load_s": t2 - t0, "cells": level.width * level.height,
        "ticks_us": [], "wall_s": 0.0}}
try:  # the cached build (a revision with game/stagecache.py): from disk, as a new process
    import os, tempfile
    from game import stagecache
    os.environ.pop("REX_NO_STAGE_CACHE", None)
    os.environ["REX_STAGE_CACHE"] = tempfile.mkdtemp()
    stagecache.build_stage(level, DEFAULT)
    stagecache.forget()
    t3 = time.perf_counter()
    stagecache.build_stage(level, DEFAULT)
    out["cached_stage_s"] = time.perf_counter() - t3
except ImportError:
    pass
if {seconds} > 0:
    from game import policies
    try:
        from game.sim.chase import step
    except ImportError:  # a revision from before the step had a module of its own
        from game.sim.world import step
    from game.sim.world import World
    for seed in range({seeds}):
        world = World(level, seed, DEFAULT, stage=stage)
        policy = policies.make("calm", seed)
        wall = time.perf_counter()
        for _ in range(int({seconds} * 30)):
            commands = policy(policies.Observation(world))
            t = time.perf_counter()
            step(world, commands)
            out["ticks_us"].append((time.perf_counter() - t) * 1e6)
            if world.ending is not None:
                break
        out["wall_s"] += time.perf_counter() - wall
    out["officers"] = len(world.police.officers)
    out["civilians"] = len(world.crowd.civilians)
print(json.dumps(out))
"""


def make_maps(folder: Path) -> dict[str, Path]:
    """The four maps of the table (the generated ones written into ``folder``)."""
    sys.path.insert(0, str(ROOT))
    from tests import mapfamilies

    return {label: (ROOT / "maps" / "lakeside.tmx" if size is None else
                    mapfamilies.generate_sized(*size, MAP_SEED, folder))
            for label, size in MAPS}


def measure(tree: Path, path: Path, seeds: int, seconds: float) -> dict:
    script = MEASURE.format(root=str(tree), path=str(path), seeds=seeds, seconds=seconds,
                            officers=CAST_OFFICERS, civilians=CAST_CIVILIANS,
                            recast=path.parent != ROOT / "maps")
    env = {**os.environ, "PYTHONPATH": str(tree), "SDL_VIDEODRIVER": "dummy",
           "SDL_AUDIODRIVER": "dummy", "REX_NO_STAGE_CACHE": "1"}
    run = subprocess.run([sys.executable, "-c", script], cwd=tree, capture_output=True,
                         text=True, env=env)
    if run.returncode:
        raise SystemExit(f"the measurement failed in {tree}: {run.stderr.strip()[-2000:]}")
    raw = json.loads(run.stdout.strip().splitlines()[-1])
    return summarise(raw)


def median_loads(trees: dict[str, tuple[Path, dict]], path: Path, rounds: int) -> None:
    """Replace each tree's load figures by their median over ``rounds`` more fresh processes
    that only build the stage, the trees taking turns: one build is too noisy to set against a
    target a tenth of a second away."""
    keys = ("stage_s", "load_s", "cached_stage_s")
    samples: dict[str, list[dict]] = {name: [row] for name, (_, row) in trees.items()}
    for _ in range(rounds - 1):
        for name, (tree, _) in trees.items():
            samples[name].append(measure(tree, path, 0, 0.0))
    for name, (_, row) in trees.items():
        for key in keys:
            if key in row:
                row[key] = statistics.median(sample[key] for sample in samples[name])


def summarise(raw: dict) -> dict:
    import numpy as np

    summary = {key: raw[key] for key in ("stage_s", "load_s", "cells")}
    if "cached_stage_s" in raw:
        summary["cached_stage_s"] = raw["cached_stage_s"]
    ticks = np.array(raw["ticks_us"])
    if len(ticks):
        summary.update(median_us=float(np.median(ticks)), mean_us=float(ticks.mean()),
                       p95_us=float(np.percentile(ticks, 95)),
                       realtime=len(ticks) / 30 / raw["wall_s"], ticks=len(ticks),
                       officers=raw["officers"], civilians=raw["civilians"])
    return summary


def exponent(rows: dict[str, dict], figure: str) -> float:
    """a in figure ~ cells^a between lakeside and 512 x 384."""
    small, large = rows["lakeside 192 x 128"], rows["512 x 384"]
    return math.log(large[figure] / small[figure]) / math.log(large["cells"] / small["cells"])


def _cell(value: float | None, unit: str, digits: int = 0) -> str:
    return "–" if value is None else f"{value:,.{digits}f}{unit}"


def _verdict(value: float, target: float, higher_is_better: bool) -> str:
    met = value >= target if higher_is_better else value <= target
    return "met" if met else "**missed**"


# (key, name, unit, decimals, higher is better)
FIGURES = (("stage_s", "stage build", " s", 2, False),
           ("load_s", "first load: imports, map and stage build", " s", 2, False),
           ("cached_stage_s", "stage build from the cache", " s", 2, False),
           ("median_us", "median tick", " µs", 0, False),
           ("mean_us", "mean tick", " µs", 0, False),
           ("p95_us", "95th percentile", " µs", 0, False),
           ("realtime", "real-time multiple", "x", 0, True))


def table(ours: dict[str, dict], reference: dict[str, dict] | None, note: str) -> str:
    lines = [note, "",
             "| map (cells) | figure | reference | now | target | |",
             "| --- | --- | ---: | ---: | ---: | --- |"]
    for label, _ in MAPS:
        row, ref = ours[label], (reference or {}).get(label, {})
        for key, name, unit, digits, higher in FIGURES:
            target = TARGETS.get(label, {}).get(key)
            if key not in row:
                continue
            verdict = "" if target is None else _verdict(row[key], target, higher)
            prefix = "≥ " if higher else "≤ "
            lines.append(f"| {label} ({row['cells']:,}) | {name} | "
                         f"{_cell(ref.get(key), unit, digits)} | {_cell(row[key], unit, digits)} "
                         f"| {'' if target is None else prefix + _cell(target, unit, digits)} "
                         f"| {verdict} |")
    for figure, name in (("mean_us", "mean"), ("median_us", "median")):
        now = exponent(ours, figure)
        ref_a = exponent(reference, figure) if reference else None
        lines.append(f"| lakeside → 512 x 384 | exponent a ({name} tick ~ cells^a) | "
                     f"{_cell(ref_a, '', 2)} | {now:.2f} | ≤ {TARGET_EXPONENT} | "
                     f"{_verdict(now, TARGET_EXPONENT, False)} |")
    return "\n".join(lines)


def replace_between(path: Path, start: str, end: str, text: str, after: str) -> None:
    """Put ``text`` between the markers in a file (adding the markers after the line
    ``after``, or at the end, the first time)."""
    content = path.read_text() if path.exists() else ""
    block = f"{start}\n{text}\n{end}"
    if start in content and end in content:
        head, rest = content.split(start, 1)
        content = head + block + rest.split(end, 1)[1]
    elif after in content:
        head, tail = content.split(after, 1)
        content = f"{head}{after}\n\n{block}\n{tail}"
    else:
        content = f"{content.rstrip()}\n\n{block}\n"
    path.write_text(content)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--seconds", type=float, default=300.0, help="seconds of play a seed")
    parser.add_argument("--load-rounds", type=int, default=5,
                        help="fresh processes that build each map's stage (the median counts)")
    parser.add_argument("--reference", type=Path, help="a checkout of the reference revision")
    parser.add_argument("--save-reference", action="store_true",
                        help=f"write this tree's figures to {REFERENCE_FILE.name}")
    parser.add_argument("--write", action="store_true",
                        help="put the table into README.md and benchmarks/RESULTS.md")
    args = parser.parse_args()
    if args.load_rounds < 1 or args.seeds < 0 or not 0 <= args.seconds < math.inf:
        parser.error("--load-rounds must be at least 1, --seeds and --seconds not negative")
    with tempfile.TemporaryDirectory() as folder:
        maps = make_maps(Path(folder))
        ours: dict[str, dict] = {}
        reference: dict[str, dict] | None = None
        if args.reference is not None:
            reference = {}
        for label, path in maps.items():
            if reference is not None:  # taking turns, reference first
                reference[label] = measure(args.reference.resolve(), path, args.seeds,
                                           args.seconds)
            ours[label] = measure(ROOT, path, args.seeds, args.seconds)
            trees = {"now": (ROOT, ours[label])}
            if reference is not None:
                trees["reference"] = (args.reference.resolve(), reference[label])
            median_loads(trees, path, args.load_rounds)
            print(f"{label}: {json.dumps(ours[label])}"
                  + ("" if reference is None else f" reference {json.dumps(reference[label])}"),
                  flush=True)
    if args.save_reference:
        REFERENCE_FILE.write_text(json.dumps(ours, indent=1) + "\n")
    if reference is None and REFERENCE_FILE.exists() and not args.save_reference:
        reference = json.loads(REFERENCE_FILE.read_text())
        where = f"the reference column is {REFERENCE_FILE.name} (an earlier run)"
    elif args.reference is not None:
        where = f"the reference column is {args.reference} measured in the same run, taking turns"
    else:
        where = "no reference"
    note = (f"`python -m benchmarks.sizes --seeds {args.seeds} --seconds {args.seconds:.0f}` "
            f"(`make bench`): full cast ({CAST_OFFICERS} officers, {CAST_CIVILIANS} passers-by, "
            f"Dylan, a calm Mila), {args.seeds} seeds of {args.seconds:.0f} s a map, all ticks "
            f"pooled; stage build in a fresh process without a cache, the median of "
            f"{args.load_rounds} processes; {where}.")
    text = table(ours, reference, note)
    print(text)
    if args.write:
        replace_between(ROOT / "README.md", START, END, text, "<!-- benchmarks:end -->")
        replace_between(ROOT / "benchmarks" / "RESULTS.md", START, END,
                        "## Speed at every map size\n\n" + text, "<!-- benchmarks:end -->")


if __name__ == "__main__":
    main()
