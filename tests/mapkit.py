"""Small maps drawn as ASCII pictures, written as real TMX files for tests.

Terrain: ``.`` grass, ``,`` path, ``s`` sidewalk, ``_`` floor, ``=`` road, ``b`` bridge,
``T`` forest, ``f`` fence, ``h`` hedge, ``w`` wall, ``#`` building, ``~`` water, ``?`` no terrain.
Objects (placed on a walkable terrain): ``R`` rex_spawn, ``G`` kennel_gate, ``M`` mila_spawn,
``A`` maple_tree, ``D`` dylan_spawn, ``P`` police_spawn, ``C`` civilian_spawn, ``O`` door,
``S`` scent_source, ``L`` loudspeaker.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from game.contract import TERRAIN_ID
from tools import tmxwrite

TILE = 16

TERRAIN_CHARS = {
    ".": "grass", ",": "path", "s": "sidewalk", "_": "floor", "=": "road", "b": "bridge",
    "T": "forest", "f": "fence", "h": "hedge", "w": "wall", "#": "building", "~": "water",
}
OBJECT_CHARS = {
    "R": ("rex_spawn", "_"), "G": ("kennel_gate", "_"), "M": ("mila_spawn", "."),
    "A": ("maple_tree", "."), "D": ("dylan_spawn", "_"), "P": ("police_spawn", "s"),
    "C": ("civilian_spawn", "."), "O": ("door", "s"), "S": ("scent_source", "."),
    "L": ("loudspeaker", "."),
}

# A small valid world: a kennel shut by its gate, a road, a lake with a bridge, and a park.
VALID = """
wwwwww....................................
w_R__w.................ssssssssssssssss...
w____G.................s==============s...
wwwwww.........D.......s=............=s...
.......................s=............=s...
..P........~~~~~~~~~~~~s=..###.......=sO..
..........~~~~~~~~~~~~~s=..###.......=s...
..........~~~~~~~~~~~~~s==============s...
.........bbbbbb~~~~~~~~ssssssssssssssss...
..........~~~~~~~~~~~~~...................
...........~~~~~~~~~~~........C...........
......M..................................A
"""


def _gid(terrain: str) -> int:
    return TERRAIN_ID[terrain]  # tile id = terrain id - 1, gid = tile id + firstgid 1


def terrain_tileset(source: str | None = None) -> tmxwrite.Tileset:
    """One tile per terrain; tile i carries terrain TERRAIN_NAMES[i]."""
    names = list(TERRAIN_ID)
    props = {TERRAIN_ID[name] - 1: [("terrain", "string", name)] for name in names}
    return tmxwrite.Tileset("terrain", TILE, len(names), len(names), "terrain.png",
                            TILE * len(names), TILE, props, firstgid=1, source=source)


@dataclass
class MapSpec:
    """A map to write: the picture plus everything a test may want to change."""

    picture: str = VALID
    encoding: str = "csv"
    external_tileset: bool = False
    type_attr: str = "class"
    zones: dict[str, tuple[int, int, int, int]] | None = None  # name -> x, y, w, h in cells
    object_props: dict[str, list] = field(default_factory=dict)  # kind -> properties
    extra_objects: list[tmxwrite.MapObject] = field(default_factory=list)
    map_properties: list = field(default_factory=lambda: [("wind_speed", "float", 0.0)])
    extra_layers: list = field(default_factory=list)
    terrain_overrides: dict[tuple[int, int], str] = field(default_factory=dict)  # (x, y)

    def rows(self) -> list[str]:
        return [row for row in self.picture.strip("\n").split("\n")]


def terrain_grid(spec: MapSpec) -> np.ndarray:
    rows = spec.rows()
    height, width = len(rows), max(len(r) for r in rows)
    gids = np.zeros((height, width), np.uint32)
    for y, row in enumerate(rows):
        for x, ch in enumerate(row.ljust(width, ".")):
            if ch in OBJECT_CHARS:
                ch = OBJECT_CHARS[ch][1]
            if ch != "?":
                gids[y, x] = _gid(TERRAIN_CHARS[ch])
    for (x, y), terrain in spec.terrain_overrides.items():
        gids[y, x] = _gid(terrain)
    return gids


def objects(spec: MapSpec) -> list[tmxwrite.MapObject]:
    rows = spec.rows()
    height, width = len(rows), max(len(r) for r in rows)
    found = []
    next_id = 1
    for y, row in enumerate(rows):
        for x, ch in enumerate(row):
            if ch in OBJECT_CHARS:
                kind = OBJECT_CHARS[ch][0]
                found.append(tmxwrite.MapObject(next_id, kind, (x + 0.5) * TILE, (y + 0.5) * TILE,
                                                properties=list(spec.object_props.get(kind, []))))
                next_id += 1
    zones = spec.zones if spec.zones is not None else {
        name: (0, 0, width, height) for name in ("facility", "city", "bridge", "park")}
    for name, (x, y, w, h) in zones.items():
        found.append(tmxwrite.MapObject(next_id, "zone", x * TILE, y * TILE, name=name,
                                        width=w * TILE, height=h * TILE, shape="rectangle"))
        next_id += 1
    for extra in spec.extra_objects:
        found.append(extra)
    return found


def write(spec: MapSpec, directory: Path, name: str = "map.tmx") -> Path:
    """Write the map (and its external tileset when asked) into ``directory``."""
    directory.mkdir(parents=True, exist_ok=True)
    tileset = terrain_tileset("terrain.tsx" if spec.external_tileset else None)
    if spec.external_tileset:
        (directory / "terrain.tsx").write_text(tileset.tsx())
    gids = terrain_grid(spec)
    layers = [tmxwrite.TileLayer("ground", gids, spec.encoding), *spec.extra_layers,
              tmxwrite.ObjectLayer("objects", objects(spec))]
    text = tmxwrite.map_xml(gids.shape[1], gids.shape[0], TILE, [tileset], layers,
                            spec.map_properties, type_attr=spec.type_attr)
    path = directory / name
    path.write_text(text)
    return path
