"""The map checker: every rule of the map contract, as MapProblem values, never an exception.

``tiled.read_level`` finds what is wrong with the file itself (XML, tilesets, layers, property
types). This module checks what a loaded Level means for the game: terrain everywhere, the right
objects in the right number on cells their users can stand on, and the routes the chase needs.
``load_checked`` is what ``rex play`` and ``rex sim`` use; ``check_paths`` is ``rex check-map``.
"""

from __future__ import annotations

import os
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from game.contract import (
    DOOR_WALLS,
    MAX_TOTALS,
    OBJECT_CLASSES,
    REQUIRED_ZONES,
    TERRAIN_ID,
    TERRAINS,
)
from game.grids import reachable
from game.level import NOWHERE, Level, MapError, MapObject, MapProblem, Place
from game.tiled import read_level

# Beyond this many cells without terrain, the rest are summed up in one line.
MAX_CELL_LINES = 20

# Which mover must be able to stand where each kind of object is placed.
STANDS_ON = {
    "rex_spawn": "dog",
    "mila_spawn": "foot",
    "maple_tree": "foot",
    "dylan_spawn": "foot",
    "police_spawn": "foot",
}
MOVER_WORDS = {"dog": "Rex", "foot": "people on foot", "car": "cars"}


def _terrain_name(level: Level, x: int, y: int) -> str:
    return TERRAINS[int(level.terrain[y, x])].name


def _cells_text(cells: np.ndarray, limit: int = 3) -> str:
    shown = ", ".join(f"({x}, {y})" for x, y in cells[:limit])
    return shown + (f" and {len(cells) - limit} more" if len(cells) > limit else "")


def _check_terrain(level: Level) -> list[MapProblem]:
    ys, xs = np.nonzero(level.terrain == 0)
    problems = [MapProblem(f"cell ({x}, {y})", "has no terrain: no visible tile layer has a "
                                               "tile with a 'terrain' property here",
                           place=NOWHERE.at(x, y))
                for x, y in zip(xs[:MAX_CELL_LINES], ys[:MAX_CELL_LINES], strict=True)]
    if len(xs) > MAX_CELL_LINES:
        problems.append(MapProblem("map", f"{len(xs) - MAX_CELL_LINES} more cells have no "
                                          "terrain"))
    return problems


def _check_counts(level: Level) -> list[MapProblem]:
    problems = []
    by_kind: dict[str, list[MapObject]] = defaultdict(list)
    for obj in level.objects:
        by_kind[obj.kind].append(obj)
    for kind, spec in OBJECT_CLASSES.items():
        found = by_kind.get(kind, [])
        wanted = (f"exactly {spec.min_count}" if spec.min_count == spec.max_count
                  else f"at least {spec.min_count}")
        if len(found) < spec.min_count:
            problems.append(MapProblem("map", f"has no {kind} object ({wanted} needed: "
                                              f"{spec.doc})"))
        elif spec.max_count is not None and len(found) > spec.max_count:
            ids = ", ".join(str(o.id) for o in found)
            problems.append(MapProblem(f"objects {ids} ({kind})", f"there must be {wanted} "
                                                                  f"{kind}; found {len(found)}",
                                       place=Place(objects=tuple(o.id for o in found))))
        for obj in found:
            if obj.shape not in spec.shapes:
                shapes = " or ".join(sorted(spec.shapes))
                problems.append(MapProblem(obj.describe(), f"must be a {shapes} object, not a "
                                                           f"{obj.shape}", place=obj.place()))
    zone_names = {o.name for o in by_kind.get("zone", [])}
    for name in REQUIRED_ZONES:
        if name not in zone_names:
            problems.append(MapProblem("map", f"has no zone named '{name}' (a zone object "
                                              f"whose name is {name})"))
    civilians = sum(int(o.properties.get("count", 0)) for o in by_kind.get("civilian_spawn", []))
    if civilians > 0 and not by_kind.get("door"):
        problems.append(MapProblem("map", f"has {civilians} civilians but no door object for "
                                          "them to go indoors by"))
    return problems


def _check_totals(level: Level) -> list[MapProblem]:
    """All spawns together within what a game can play (``contract.MAX_TOTALS``)."""
    problems = []
    for what, (kind, name, limit) in MAX_TOTALS.items():
        found = level.of_kind(kind)
        total = sum(int(o.properties.get(name, 0)) for o in found) if name else len(found)
        if total > limit:
            problems.append(MapProblem("map", f"has {total:,} {what} in all; the game plays at "
                                              f"most {limit} ({kind} objects together)",
                                       place=Place(objects=tuple(o.id for o in found))))
    return problems


def _check_placement(level: Level) -> list[MapProblem]:
    problems = []
    foot = np.isfinite(level.cost["foot"])
    for obj in level.objects:
        spec = OBJECT_CLASSES.get(obj.kind)
        if spec is None or obj.shape not in spec.shapes:
            continue
        where, place = obj.describe(), obj.place()
        if len(obj.cells) == 0:
            x, y = obj.cell
            what = f"at cell ({x}, {y})" if obj.shape == "point" else "entirely"
            problems.append(MapProblem(where, f"lies outside the map {what}", place=place))
            continue
        mover = STANDS_ON.get(obj.kind)
        if mover is not None:
            x, y = obj.cell
            if not np.isfinite(level.cost[mover][y, x]):
                problems.append(MapProblem(where, f"stands on {_terrain_name(level, x, y)} at "
                                                  f"cell ({x}, {y}), where "
                                                  f"{MOVER_WORDS[mover]} cannot stand",
                                           place=place.at(x, y)))
        elif obj.kind == "kennel_gate":
            cells = obj.cells
            blocked = ~np.isfinite(level.cost["dog"][cells[:, 1], cells[:, 0]])
            if blocked.any():
                problems.append(MapProblem(where, "must cover only cells Rex can pass (the "
                                                  "kennel's doorway); blocked at "
                                                  f"{_cells_text(cells[blocked])}",
                                           place=place.at(*cells[blocked][0])))
        elif obj.kind == "civilian_spawn":
            cells = obj.cells
            if not foot[cells[:, 1], cells[:, 0]].any():
                problems.append(MapProblem(where, "has no cell people can walk on (at "
                                                  f"{_cells_text(cells)})", place=place))
        elif obj.kind == "door":
            x, y = obj.cell
            if not foot[y, x]:
                beside = [(x + dx, y + dy) for dx, dy in ((1, 0), (-1, 0), (0, 1), (0, -1))
                          if level.inside(x + dx, y + dy) and foot[y + dy, x + dx]]
                if _terrain_name(level, x, y) not in DOOR_WALLS or not beside:
                    problems.append(MapProblem(where, f"is on {_terrain_name(level, x, y)} at "
                                                      f"cell ({x}, {y}); a door must be on a "
                                                      "walkable cell or in a wall next to one",
                                               place=place.at(x, y)))
    return problems


def _single(level: Level, kind: str) -> MapObject | None:
    found = level.of_kind(kind)
    return found[0] if len(found) == 1 else None


def _check_routes(level: Level) -> list[MapProblem]:
    """Routes the chase needs: out of the kennel, to Mila, and for the police to the park."""
    problems: list[MapProblem] = []
    rex, gate = _single(level, "rex_spawn"), _single(level, "kennel_gate")
    mila, maple = _single(level, "mila_spawn"), _single(level, "maple_tree")
    dog = np.isfinite(level.cost["dog"])
    foot = np.isfinite(level.cost["foot"])
    if rex and gate and len(gate.cells):
        shut = dog.copy()
        shut[gate.cells[:, 1], gate.cells[:, 0]] = False
        rx, ry = rex.cell
        if dog[ry, rx]:
            inside = reachable(shut, np.array([[rx, ry]]))
            if mila and len(mila.cells) and inside[mila.cell[1], mila.cell[0]]:
                problems.append(MapProblem(gate.describe(), "does not shut Rex in: with the gate "
                                                            "closed he can still reach Mila's "
                                                            "spawn", place=gate.place()))
            from_spawn = reachable(dog, np.array([[rx, ry]]))
            if not from_spawn[gate.cells[:, 1], gate.cells[:, 0]].any():
                problems.append(MapProblem(rex.describe(), "cannot reach the kennel gate",
                                           place=rex.place().at(rx, ry)))
        from_gate = reachable(dog, gate.cells)
        for target in (mila, maple):
            if target and len(target.cells):
                x, y = target.cell
                if dog[y, x] and not from_gate[y, x]:
                    problems.append(MapProblem(target.describe(), f"at cell ({x}, {y}) cannot "
                                                                  "be reached by Rex from the "
                                                                  "kennel gate",
                                               place=target.place().at(x, y)))
    park = level.zones.get("park")
    if park is not None and park.any():
        to_park = reachable(foot, park)
        for spawn in level.of_kind("police_spawn"):
            x, y = spawn.cell
            if len(spawn.cells) and foot[y, x] and not to_park[y, x]:
                problems.append(MapProblem(spawn.describe(), "officers starting here cannot "
                                                             "reach the park on foot",
                                           place=spawn.place().at(x, y)))
    roads = level.terrain == TERRAIN_ID["road"]
    if roads.any():
        to_road = reachable(foot, roads)
    for spawn in level.of_kind("police_spawn"):
        x, y = spawn.cell
        if int(spawn.properties.get("cars", 0)) > 0 and len(spawn.cells) and foot[y, x] and (
                not roads.any() or not to_road[y, x]):
            problems.append(MapProblem(spawn.describe(), f"has {spawn.properties['cars']} cars "
                                                         "but no road cell can be reached from "
                                                         "it", place=spawn.place().at(x, y)))
    if mila and maple and len(mila.cells) and len(maple.cells):
        mx, my = mila.cell
        tx, ty = maple.cell
        if foot[my, mx] and foot[ty, tx] and not reachable(foot, np.array([[mx, my]]))[ty, tx]:
            problems.append(MapProblem(maple.describe(), "cannot be reached on foot from Mila's "
                                                         "spawn; she will wait where she is",
                                       warning=True, place=maple.place().at(tx, ty)))
    return problems


def check_level(level: Level) -> list[MapProblem]:
    """Every contract rule that a loaded level can break."""
    problems = (_check_terrain(level) + _check_counts(level) + _check_totals(level)
                + _check_placement(level))
    if not any(not p.warning for p in problems):
        problems += _check_routes(level)
    return problems


def load_checked(path: str | os.PathLike) -> Level:
    """A level that passed every check; MapError with all the problems otherwise."""
    level = read_level(path)
    problems = [p for p in check_level(level) if not p.warning]
    if problems:
        raise MapError(path, problems)
    return level


@dataclass(frozen=True, eq=False)
class FileCheck:
    """What the checker found in one file: every problem, and the level if the file loaded."""

    path: Path
    problems: tuple[MapProblem, ...]
    level: Level | None  # None when the file could not be read as a map

    @property
    def ok(self) -> bool:
        return self.level is not None and all(p.warning for p in self.problems)

    def lines(self) -> list[str]:
        """rex check-map's lines: problems and warnings, then an 'ok' line if it passed."""
        lines = [p.line(self.path) for p in self.problems]
        if self.ok:
            assert self.level is not None
            lines.append(f"{self.path}: ok ({self.level.width} x {self.level.height} tiles, "
                         f"{len(self.level.objects)} objects)")
        return lines

    def as_json(self) -> dict[str, Any]:
        """One entry of check-map --json's ``files`` (docs/check-map.schema.json)."""
        level = self.level
        return {"file": str(self.path), "ok": self.ok,
                "problems": [p.as_json() for p in self.problems],
                "map": None if level is None else {"width": level.width, "height": level.height,
                                                   "objects": len(level.objects)}}


def check(path: str | os.PathLike) -> FileCheck:
    """Every problem of one file, from reading it and from the contract's rules."""
    path = Path(path)
    try:
        level = read_level(path)
    except MapError as err:
        return FileCheck(path, tuple(err.problems), None)
    return FileCheck(path, (*level.warnings, *check_level(level)), level)


def check_file(path: str | os.PathLike) -> tuple[bool, list[str]]:
    """(valid, lines) for one file: problem lines, warnings, or one 'ok' line."""
    found = check(path)
    return found.ok, found.lines()


def check_paths(paths: list[str]) -> tuple[int, list[str]]:
    """Exit status (0 all valid, 1 any invalid) and the lines to print, for rex check-map."""
    status, lines = 0, []
    for path in paths:
        ok, file_lines = check_file(Path(path))
        lines += file_lines
        status = status if ok else 1
    return status, lines


def check_paths_json(paths: list[str]) -> tuple[int, dict[str, Any]]:
    """Exit status and the one JSON object of rex check-map --json."""
    files = [check(path) for path in paths]
    ok = all(f.ok for f in files)
    return (0 if ok else 1), {"ok": ok, "files": [f.as_json() for f in files]}
