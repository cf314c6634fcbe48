"""Benchmarks: print a table and (with --write-readme) put it into README.md and
benchmarks/RESULTS.md. Run with ``make bench``.

Every comparison runs both sides in the same process and the same run, interleaved, and
reports medians, so a busy machine slows both alike. Timing lives here, not in the tests.
"""

from __future__ import annotations

import argparse
import platform
import statistics
import sys
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from game.sim.scent import TICK_HZ, Stencil, substeps_needed  # noqa: E402
from game.tiled import read_level  # noqa: E402
from game.tuning import DEFAULT  # noqa: E402

DEFAULT_MAP = ROOT / "maps" / "lakeside.tmx"
START, END = "<!-- benchmarks:start -->", "<!-- benchmarks:end -->"
COMPARISONS = "## Comparisons between revisions"
SIZES_START, SIZES_END = "<!-- sizes:start -->", "<!-- sizes:end -->"
RELOAD_START, RELOAD_END = "<!-- reload:start -->", "<!-- reload:end -->"


# Issue 15's targets for 64 officers against 8 (median and mean tick), and the rounds measured.
SCALING_MEDIAN, SCALING_MEAN = 1.3, 1.5
SCALING_ROUNDS = 3


def timed(fn: Callable[[], object], repeat: int) -> list[float]:
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return times


# -- the scent step against a naive reference ------------------------------------------------


def naive_step(c: np.ndarray, passes: np.ndarray, keep: np.ndarray, d: float, ux: float,
               uy: float, dt: float) -> np.ndarray:
    """The same physics written the obvious way: 2-D slices, a new array for every term."""
    both_x = passes[:, 1:] & passes[:, :-1]
    both_y = passes[1:, :] & passes[:-1, :]
    flux_x = d * dt * (c[:, :-1] - c[:, 1:]) * both_x
    flux_x = flux_x + (max(ux, 0) * c[:, :-1] - max(-ux, 0) * c[:, 1:]) * dt * both_x
    flux_y = d * dt * (c[:-1, :] - c[1:, :]) * both_y
    flux_y = flux_y + (max(uy, 0) * c[:-1, :] - max(-uy, 0) * c[1:, :]) * dt * both_y
    new = c.copy()
    # The wind blows scent off the map at its edges.
    new[:, -1] -= max(ux, 0) * dt * c[:, -1] * passes[:, -1]
    new[:, 0] -= max(-ux, 0) * dt * c[:, 0] * passes[:, 0]
    new[-1, :] -= max(uy, 0) * dt * c[-1, :] * passes[-1, :]
    new[0, :] -= max(-uy, 0) * dt * c[0, :] * passes[0, :]
    new[:, :-1] = new[:, :-1] - flux_x
    new[:, 1:] = new[:, 1:] + flux_x
    new[:-1, :] = new[:-1, :] - flux_y
    new[1:, :] = new[1:, :] + flux_y
    return new * keep


def bench_scent(sizes: tuple[int, ...], repeat: int) -> list[tuple]:
    rows = []
    rng = np.random.default_rng(0)
    wind = (0.3, -0.2)
    for n in sizes:
        passes = rng.random((n, n)) > 0.15
        mult = np.where(rng.random((n, n)) > 0.9, 12.0, 1.0)
        steps = substeps_needed(DEFAULT.scent_diffusion, wind, DEFAULT.scent_decay)
        dt = 1.0 / TICK_HZ / steps
        stencil = Stencil(passes, mult, DEFAULT.scent_diffusion, DEFAULT.scent_decay, wind, dt)
        flat = np.zeros(stencil.size)
        flat[stencil.start:stencil.stop] = rng.random(stencil.stop - stencil.start)
        spare = np.zeros_like(flat)
        grid = flat.reshape(n + 2, n + 2)[1:-1, 1:-1].copy()
        keep = np.exp(-DEFAULT.scent_decay * mult * dt) * passes
        ours_step = partial(stencil.apply, flat, spare)
        naive = partial(naive_step, grid, passes, keep, DEFAULT.scent_diffusion, *wind, dt)
        ours_times, naive_times = [], []
        for _ in range(repeat):  # interleaved so that machine noise hits both alike
            ours_times += timed(ours_step, 1)
            naive_times += timed(naive, 1)
        check = naive_step(grid, passes, keep, DEFAULT.scent_diffusion, *wind, dt)
        stencil.apply(flat, spare)
        ours_grid = spare.reshape(n + 2, n + 2)[1:-1, 1:-1]
        agree = float(np.max(np.abs(ours_grid - check)))
        o, v = statistics.median(ours_times), statistics.median(naive_times)
        rows.append((f"{n}x{n}", o * 1e6, v * 1e6, v / o, agree))
    return rows


# -- whole ticks on the default map ----------------------------------------------------------


def with_police(level, officers: int):
    """The level with its police replaced by ``officers`` units on foot, spread over its
    stations (no cars), for the scaling comparison."""
    import dataclasses

    spawns = level.of_kind("police_spawn")
    share = [officers // len(spawns) + (i < officers % len(spawns)) for i in range(len(spawns))]
    counts = dict(zip((s.id for s in spawns), share, strict=True))
    objects = tuple(
        dataclasses.replace(o, properties={**o.properties, "officers": counts[o.id], "cars": 0})
        if o.kind == "police_spawn" else o for o in level.objects)
    return dataclasses.replace(level, objects=objects)


def bench_ticks(map_path: Path, seconds: float, police: bool, civilians: bool = True,
                officers: int | None = None, policy_name: str = "wait") -> dict[str, float]:
    from game import loop, policies
    from game.sim import events as ev
    from game.sim.chase import step
    from game.sim.commands import Commands
    from game.sim.orders import HandlerCommands
    from game.sim.stage import Stage
    from game.sim.world import World

    level = read_level(map_path)
    if officers is not None:
        level = with_police(level, officers)
    t = time.perf_counter()
    stage = Stage(level, DEFAULT)
    stage_seconds = time.perf_counter() - t
    world = World(level, 7, DEFAULT, stage=stage, police=police, civilians=civilians)
    policy = policies.make(policy_name, 7)
    ticks = int(seconds * TICK_HZ)
    times = []

    def timed(world: World, commands: Commands, orders: HandlerCommands
              ) -> tuple[ev.Event, ...]:
        t = time.perf_counter()  # the simulation's tick alone, not the policy's
        events = step(world, commands, orders)
        times.append(time.perf_counter() - t)
        return events

    wall = time.perf_counter()
    for _ in range(ticks):
        loop.tick(world, policy.commands, advance=timed)
        if world.ending is not None:
            break
    wall = time.perf_counter() - wall
    ticks = len(times)
    times_us = np.array(times) * 1e6
    return {
        "median_us": float(np.median(times_us)),
        "mean_us": float(times_us.mean()),
        "p95_us": float(np.percentile(times_us, 95)),
        "realtime": ticks / TICK_HZ / wall,
        "stage_s": stage_seconds,
        "cells": level.width * level.height,
        "officers": len(world.police.officers),
        "civilians": len(world.crowd.civilians),
    }


def table(scent: list[tuple], ticks: dict[str, float], cast: dict[str, float],
          scaling: tuple[dict[str, float], dict[str, float]]) -> str:
    lines = [
        f"Measured on {platform.machine()} with Python {platform.python_version()}, "
        f"numpy {np.__version__} (`make bench`).",
        "",
        "| scent step (one tick) | ours (µs) | naive 2-D numpy (µs) "
        "| speed-up (target at 256²: ≥ 2.5x) | max diff |",
        "| --- | ---: | ---: | ---: | ---: |",
    ]
    for size, ours, naive, ratio, diff in scent:
        lines.append(f"| {size} | {ours:.0f} | {naive:.0f} | {ratio:.1f}x | {diff:.1e} |")
    lines += [
        "",
        f"| full tick, default map ({ticks['cells']:,} cells, Rex + Mila + scent) | value |",
        "| --- | ---: |",
        f"| median (target ≤ 150 µs) | {ticks['median_us']:.0f} µs |",
        f"| mean | {ticks['mean_us']:.0f} µs |",
        f"| 95th percentile | {ticks['p95_us']:.0f} µs |",
        f"| headless speed (target ≥ 300x) | {ticks['realtime']:.0f}x real time |",
        f"| stage build (scent pre-warm, once per map and tuning) | {ticks['stage_s']:.2f} s |",
        "",
        f"| full cast, default map ({cast['officers']} officers, {cast['civilians']} "
        "passers-by, Dylan, calm Mila) | value |",
        "| --- | ---: |",
        f"| median tick (target ≤ 300 µs) | {cast['median_us']:.0f} µs |",
        f"| mean tick | {cast['mean_us']:.0f} µs |",
        f"| 95th percentile | {cast['p95_us']:.0f} µs |",
        f"| headless speed (target ≥ 100x) | {cast['realtime']:.0f}x real time |",
        "",
        "| police on foot (no passers-by) | median tick | mean tick |",
        "| --- | ---: | ---: |",
    ]
    for run in scaling:
        lines.append(f"| {run['officers']} | {run['median_us']:.0f} µs | {run['mean_us']:.0f} µs |")
    median = scaling[1]["median_us"] / scaling[0]["median_us"]
    mean = scaling[1]["mean_us"] / scaling[0]["mean_us"]
    verdict = " ".join(f"{name} {'met' if value <= target else '**missed**'}"
                       for name, value, target in (("median", median, SCALING_MEDIAN),
                                                   ("mean", mean, SCALING_MEAN)))
    lines.append(f"| 64 / 8 (targets ≤ {SCALING_MEDIAN}x median, ≤ {SCALING_MEAN}x mean: "
                 f"{verdict}) | {median:.2f}x | {mean:.2f}x |")
    return "\n".join(lines)


def write_readme(text: str) -> None:
    readme = ROOT / "README.md"
    content = readme.read_text()
    if START in content and END in content:
        head, rest = content.split(START, 1)
        _, tail = rest.split(END, 1)
        readme.write_text(f"{head}{START}\n{text}\n{END}{tail}")
    results = ROOT / "benchmarks" / "RESULTS.md"
    # Comparisons between revisions (benchmarks/compare.py) are kept below the table, and the
    # size table (benchmarks/sizes.py) between its markers.
    old = results.read_text() if results.exists() else ""
    sizes = ""
    for start, end in ((SIZES_START, SIZES_END), (RELOAD_START, RELOAD_END)):
        if start in old and end in old:
            head, rest = old.split(start, 1)
            block, after = rest.split(end, 1)
            sizes += start + block + end + "\n\n"
            old = head.rstrip("\n") + "\n" + after.lstrip("\n")
    kept = old.split(COMPARISONS, 1)
    tail = f"\n{COMPARISONS}{kept[1]}" if len(kept) == 2 else ""
    results.write_text(f"# Benchmark results\n\n{text}\n\n{sizes}{tail.lstrip(chr(10))}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--write-readme", action="store_true")
    parser.add_argument("--repeat", type=int, default=300)
    parser.add_argument("--seconds", type=float, default=300.0,
                        help="seconds of play for the tick benchmark")
    args = parser.parse_args()
    scent = bench_scent((128, 256, 512), args.repeat)
    ticks = bench_ticks(DEFAULT_MAP, args.seconds, police=False, civilians=False)
    # calm_basic: the chase runs through the city to the maple, police at work all along (the
    # calm that meets Rex ends most games before the police are out); the games of every
    # earlier run of this benchmark, hash for hash.
    cast = bench_ticks(DEFAULT_MAP, args.seconds, police=True, policy_name="calm_basic")
    # 8 and 64 officers take turns for SCALING_ROUNDS rounds and each figure is the median of
    # its rounds, so that a busy moment on the machine does not decide the ratio.
    rounds = [[bench_ticks(DEFAULT_MAP, args.seconds, police=True, civilians=False, officers=n)
               for n in (8, 64)] for _ in range(SCALING_ROUNDS)]
    scaling = tuple({key: statistics.median(r[side][key] for r in rounds)
                     for key in rounds[0][side]} for side in (0, 1))
    text = table(scent, ticks, cast, scaling)
    print(text)
    if args.write_readme:
        write_readme(text)


if __name__ == "__main__":
    main()
