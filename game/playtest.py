"""``rex playtest``: does this map play? Seeded games on it, summed up in plain words.

``rex check-map`` is static and fast; the playtest is the dynamic check. For each map it plays
N seeds with the police off and Mila waiting at the maple (``wait``): how often, and how fast,
Rex reaches her; and N seeds each of ``calm`` and ``wait`` with the full cast: the ending mix
and the median chase. Then it says in plain words what is off: where the games in which he never
reached her ended (and what is there: the map's edge, water, a fence), where he lingered,
a day too short for the chase, police cars cut off from the park, passers-by with no door to
go in by, and why ``calm`` rarely ends home. ``--report DIR`` writes the JSON and a picture per
map: the terrain in its own colours, Rex's routes as a heat map, where chases ended (by
ending) and where he got stuck.

The exit status gates a map in CI: 1 when any map's reach rate is under ``--min-reach``.
"""

from __future__ import annotations

import json
import math
import os
import statistics
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from game.batch import GameSpec, ProgressBar, run_games
from game.bundle import MapBundle
from game.contract import TERRAIN_ID
from game.grids import reachable
from game.headless import GameOptions
from game.level import Level
from game.report import wilson
from game.sim.stage import Stage
from game.tuning import DEFAULT

ROUTE_SECONDS = 1.0  # Rex's position is sampled this often for the picture and the stuck spots
CLUSTER_TILES = 5.0  # ends within this many tiles of each other count as one place
STUCK_SECONDS = 30  # lingering this long within STUCK_TILES of one spot is getting stuck
STUCK_TILES = 3.0
CARS_NEAR_PARK = 30.0  # tiles: cars should be able to drive at least this close to the maple
REACH = GameOptions(police=False, civilians=False, stop_at_reach=True,
                    route_seconds=ROUTE_SECONDS)
FULL_CAST = GameOptions(route_seconds=ROUTE_SECONDS)
FULL_CAST_POLICIES = ("calm", "wait")


@dataclass
class MapUnderTest:
    path: Path
    level: Level
    bundle: MapBundle
    name: str  # unique among the maps of one playtest


def play(maps: list[MapUnderTest], seeds: int, jobs: int | None = None,
         progress: bool = True) -> list[dict[str, Any]]:
    """Play every map and return one report (a JSON-ready dict) per map."""
    specs: list[GameSpec] = []
    kinds: list[tuple[int, str]] = []
    for index, item in enumerate(maps):
        for seed in range(seeds):
            specs.append(GameSpec(item.bundle, seed, "wait", options=REACH))
            kinds.append((index, "reach"))
            for policy in FULL_CAST_POLICIES:
                specs.append(GameSpec(item.bundle, seed, policy, options=FULL_CAST))
                kinds.append((index, policy))
    results = run_games(specs, jobs, ProgressBar("rex playtest") if progress else None)
    reports = []
    for index, item in enumerate(maps):
        games = {kind: [r for r, (i, k) in zip(results, kinds, strict=True)
                        if i == index and k == kind] for kind in ("reach", *FULL_CAST_POLICIES)}
        reports.append(analyse(item, games))
    return reports


# -- reading the games ------------------------------------------------------------------------


def analyse(item: MapUnderTest, games: dict[str, list[dict[str, Any]]]) -> dict[str, Any]:
    level = item.level
    stage = Stage(level, DEFAULT)
    reach = games["reach"]
    errors = [g for kind in games.values() for g in kind if "error" in g]
    reached = [g for g in reach if g.get("rex_reached_mila_tick") is not None]
    times = [g["rex_reached_mila_tick"] / 30 for g in reached]
    share, low, high = wilson(len(reached), len(reach))
    full_cast = {policy: _endings(games[policy]) for policy in FULL_CAST_POLICIES}
    stuck = _stuck_spots(reach)
    report: dict[str, Any] = {
        "map": item.name, "path": str(item.path), "width": level.width, "height": level.height,
        "seeds": len(reach),
        "reach": {"games": len(reach), "reached": len(reached), "rate": round(share, 4),
                  "interval": [round(low, 4), round(high, 4)],
                  "median_seconds": round(statistics.median(times), 1) if times else None,
                  "slowest_seconds": round(max(times), 1) if times else None},
        "full_cast": full_cast,
        "median_chase_minutes": full_cast["calm"]["median_minutes"],
        "ends": [{"games": kind, "seed": g.get("seed"), "ending": g.get("ending"),
                  "at": g.get("rex_end")} for kind, played in games.items() for g in played
                 if "error" not in g and g.get("rex_end")
                 and (kind != "reach" or g.get("rex_reached_mila_tick") is None)],
        "stuck": stuck,
        "errors": [f"{g['policy']} seed {g['seed']}: {g['error']}" for g in errors],
    }
    report["warnings"] = warnings(level, stage, report, reach, games)
    report["routes"] = [g.get("rex_route", []) for kind in games.values() for g in kind
                        if "error" not in g]
    return report


def _endings(games: list[dict[str, Any]]) -> dict[str, Any]:
    played = [g for g in games if "error" not in g]
    counts: dict[str, int] = {}
    for game in played:
        counts[game["ending"] or "none"] = counts.get(game["ending"] or "none", 0) + 1
    minutes = [g["game_seconds"] / 60 for g in played]
    return {"games": len(played), "endings": dict(sorted(counts.items())),
            "home_rate": round(counts.get("home", 0) / len(played), 4) if played else None,
            "median_minutes": round(statistics.median(minutes), 2) if minutes else None,
            "reached_mila": sum(g.get("rex_reached_mila_tick") is not None for g in played)}


def _clusters(points: list[tuple[float, float]], radius: float = CLUSTER_TILES
              ) -> list[tuple[int, float, float]]:
    """Groups of points: (how many, x, y) of the densest spots first, greedily."""
    left = list(points)
    found = []
    while left:
        counts = [sum(math.hypot(px - x, py - y) <= radius for px, py in left) for x, y in left]
        best = int(np.argmax(counts))
        x, y = left[best]
        members = [p for p in left if math.hypot(p[0] - x, p[1] - y) <= radius]
        mx = sum(p[0] for p in members) / len(members)
        my = sum(p[1] for p in members) / len(members)
        found.append((len(members), mx, my))
        left = [p for p in left if math.hypot(p[0] - x, p[1] - y) > radius]
    return found


def _stuck_spots(games: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Places where Rex lingered STUCK_SECONDS within STUCK_TILES between his escape and
    reaching Mila, with the number of games he did it in."""
    spots: list[tuple[float, float]] = []
    for game in games:
        route = game.get("rex_route") or []
        reached, escaped = game.get("rex_reached_mila_tick"), game.get("rex_escaped_tick")
        if reached is not None:
            route = route[:int(reached / 30 / ROUTE_SECONDS)]
        # Pacing the kennel before the latch gives is waiting, not being stuck.
        route = route[int(escaped / 30 / ROUTE_SECONDS):] if escaped is not None else []
        start = 0
        for end in range(len(route)):
            while math.hypot(route[end][0] - route[start][0],
                             route[end][1] - route[start][1]) > STUCK_TILES:
                start += 1
            if end - start + 1 >= STUCK_SECONDS / ROUTE_SECONDS:
                spots.append((route[start][0], route[start][1]))
                break  # one spot per game is enough to name the place
    return [{"games": n, "at": [round(x, 1), round(y, 1)]} for n, x, y in _clusters(spots)]


# -- plain words --------------------------------------------------------------------------------


def place(level: Level, x: float, y: float) -> str:
    """What is at (x, y), in words: the map's edge, water, a fence, a wall, or open ground."""
    terrain = level.terrain
    cx, cy = min(max(int(x), 0), level.width - 1), min(max(int(y), 0), level.height - 1)
    near = terrain[max(cy - 2, 0):cy + 3, max(cx - 2, 0):cx + 3]
    parts = []
    if min(x, y, level.width - x, level.height - y) < 2.5:
        parts.append("at the map's edge")
    if (near == TERRAIN_ID["water"]).any():
        parts.append("beside water")
    if (near == TERRAIN_ID["fence"]).any():
        parts.append("at a fence")
    if ((near == TERRAIN_ID["wall"]) | (near == TERRAIN_ID["building"])).sum() >= 10:
        parts.append("between walls")
    return ", ".join(parts) if parts else "in the open"


def _day_seconds(level: Level) -> float:
    settings = level.settings
    return (settings.sunset_clock_s - settings.start_clock_s) / DEFAULT.clock_scale


def warnings(level: Level, stage: Stage, report: dict[str, Any],
             reach: list[dict[str, Any]], games: dict[str, list[dict[str, Any]]]) -> list[str]:
    found: list[str] = []
    r = report["reach"]
    day = _day_seconds(level)
    missed = [g for g in reach if "error" not in g and g.get("rex_reached_mila_tick") is None]
    if missed:
        line = f"Rex reached Mila in {r['reached']} of {r['games']} games"
        ends = [(g["rex_end"][0], g["rex_end"][1]) for g in missed if g.get("rex_end")]
        groups = _clusters(ends)
        if groups and groups[0][0] >= 2:
            count, x, y = groups[0]
            line += (f"; in {count} of the others he ended within {CLUSTER_TILES:.0f} tiles of "
                     f"({x:.0f}, {y:.0f}), {place(level, x, y)}")
        elif ends:
            line += "; the others ended in scattered places (see the report's picture)"
        found.append(line)
        latch = stage.latch_s
        if day <= latch:
            found.append(f"the sun sets {day:.0f} s after the start, and the kennel's latch may "
                         f"hold for up to {latch:.0f} s: Rex may never get out (make the day "
                         "longer with start_clock and sunset_clock, or latch_s shorter)")
        else:
            tree = stage.maple_tree
            gaps = [math.hypot(g["rex_end"][0] - tree[0], g["rex_end"][1] - tree[1])
                    for g in missed if g.get("rex_end") and g.get("ending") == "dusk"]
            if gaps and r["median_seconds"] is not None and r["median_seconds"] > 0.5 * day:
                found.append(f"the sun set first: Rex needs {r['median_seconds']:.0f} s of the "
                             f"{day:.0f} s before dusk where he does reach her (a longer day, "
                             "or the kennel nearer the maple)")
            elif gaps:
                found.append(f"when the sun set he was a median {statistics.median(gaps):.0f} "
                             "tiles from the maple")
    for spot in report["stuck"]:
        if spot["games"] >= max(2, 0.2 * len(reach)):
            x, y = spot["at"]
            found.append(f"Rex lingered {STUCK_SECONDS} s or more within {STUCK_TILES:.0f} tiles "
                         f"of ({x:.0f}, {y:.0f}), {place(level, x, y)}, in {spot['games']} of "
                         f"{len(reach)} games")
    found += _police_words(level, stage)
    found += _crowd_words(level, stage)
    calm = report["full_cast"]["calm"]
    if calm["games"] and calm["home_rate"] is not None and calm["home_rate"] < 0.5:
        found.append(calm_words(calm["home_rate"], games["calm"]))
    if report["errors"]:
        found.append(f"{len(report['errors'])} games failed with an error: "
                     f"{report['errors'][0]}")
    return found


def _police_words(level: Level, stage: Stage) -> list[str]:
    found = []
    tree = np.array(stage.maple_tree)
    roads = stage.road & stage.drivable
    ys, xs = np.nonzero(roads)
    near = np.hypot(xs + 0.5 - tree[0], ys + 0.5 - tree[1]) <= CARS_NEAR_PARK
    for spawn, start in zip(level.of_kind("police_spawn"), stage.police_car_cells, strict=True):
        if int(spawn.properties.get("cars", 0)) <= 0 or start is None:
            continue
        if not near.any():
            found.append(f"no police car can drive within {CARS_NEAR_PARK:.0f} tiles of the "
                         f"maple from police_spawn {spawn.id}: no road comes that close")
            continue
        cars = reachable(stage.drivable, np.array([start]))
        if not cars[ys[near], xs[near]].any():
            found.append(f"the cars of police_spawn {spawn.id} start on a road cut off from the "
                         f"park: they cannot drive within {CARS_NEAR_PARK:.0f} tiles of the "
                         "maple")
    return found


def _crowd_words(level: Level, stage: Stage) -> list[str]:
    found = []
    for spawn in level.of_kind("civilian_spawn"):
        cells = spawn.cells
        if not len(cells) or int(spawn.properties.get("count", 0)) <= 0:
            continue
        walk = stage.to_door[cells[:, 1], cells[:, 0]]
        if not np.isfinite(walk).any():
            found.append(f"the passers-by of civilian_spawn {spawn.id} cannot walk to any door: "
                         "when they panic they stay out in the open")
    return found


def calm_words(home_rate: float, games: list[dict[str, Any]]) -> str:
    """Why calm games do not end home, in words: the commonest other ending, and whether it
    came before Rex reached Mila."""
    others = [g for g in games if "error" not in g and g.get("ending") != "home"]
    line = f"calm ends home in {100 * home_rate:.0f}% of games"
    if not others:
        return line
    causes = {
        "kennel": ("police catch Rex on the way in", "police catch him by Mila in"),
        "tranquilized": ("officers dart him on the way in", "officers dart him by Mila in"),
        "dusk": ("the sun sets before he reaches her in", "the sun sets during the standoff in"),
        "none": ("the game had not ended in", "the game had not ended in"),
    }
    counts: dict[str, int] = {}
    for game in others:
        before = game.get("rex_reached_mila_tick") is None
        words = causes[game.get("ending") or "none"][0 if before else 1]
        counts[words] = counts.get(words, 0) + 1
    words, count = max(counts.items(), key=lambda item: item[1])
    return f"{line}: {words} {100 * count / len(others):.0f}% of the others"


# -- output ---------------------------------------------------------------------------------------


def text(report: dict[str, Any], min_reach: float) -> str:
    r = report["reach"]
    plays = r["rate"] >= min_reach
    verdict = "plays" if plays else "does NOT play"
    lines = [f"{report['map']} ({report['width']} x {report['height']}): {verdict}: Rex reached "
             f"Mila in {r['reached']} of {r['games']} games (police off, Mila waiting; "
             f"{100 * r['rate']:.0f}%, 95% interval {100 * r['interval'][0]:.0f}-"
             f"{100 * r['interval'][1]:.0f}%)"
             + (f", median {r['median_seconds']:.0f} s, slowest {r['slowest_seconds']:.0f} s"
                if r["median_seconds"] is not None else "")]
    for policy, mix in report["full_cast"].items():
        endings = ", ".join(f"{name} {count}" for name, count in mix["endings"].items())
        lines.append(f"  full cast, {policy}: {endings or 'no games'}; median chase "
                     f"{mix['median_minutes']} min")
    for line in report["warnings"]:
        lines.append(f"  warning: {line}")
    return "\n".join(lines)


def summary(reports: list[dict[str, Any]], min_reach: float) -> dict[str, Any]:
    """The JSON of a whole playtest (routes left out: they go to the pictures)."""
    return {"min_reach": min_reach,
            "plays": all(r["reach"]["rate"] >= min_reach for r in reports),
            "maps": [{k: v for k, v in r.items() if k != "routes"} for r in reports]}


def write_report(directory: Path, reports: list[dict[str, Any]], maps: list[MapUnderTest],
                 min_reach: float) -> list[Path]:
    directory.mkdir(parents=True, exist_ok=True)
    written = [_atomic(directory / "playtest.json",
                       json.dumps(summary(reports, min_reach), indent=2).encode() + b"\n")]
    for report, item in zip(reports, maps, strict=True):
        written.append(picture(directory / f"{item.name}.png", item.level, report))
    return written


def _atomic(path: Path, data: bytes) -> Path:
    with tempfile.NamedTemporaryFile(dir=path.parent, delete=False, suffix=".part") as part:
        part.write(data)
    os.replace(part.name, path)
    return path


def picture(path: Path, level: Level, report: dict[str, Any]) -> Path:
    """The map in its terrain colours, Rex's routes as a heat map, where the chases ended
    (one dot per game, by ending) and where he got stuck (red rings): drawn by the view
    (game.view.plots, which alone may import pygame), loaded only when a report is written."""
    from game.view.plots import playtest_picture

    return playtest_picture(path, level, report, STUCK_TILES)
