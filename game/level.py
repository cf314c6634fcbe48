"""The Level: a map as the game holds it, numpy grids and typed objects, and what is wrong
with a map, as values.

Everything downstream of the map file reads this module and nothing else of it: the
simulation (``game.sim``), the map checker (``game.mapcheck``) and the window (``game.view``).
It knows nothing of files or of Tiled's XML; ``game.tiled`` reads a TMX file into a Level. Grids
are indexed ``[y, x]``, positions are in tiles. A problem found in a map is a ``MapProblem``
saying where it is in words (for people) and as a ``Place`` (for tools: check-map --json, the
Tiled extension); ``MapError`` carries every problem of a map that cannot be played.
"""

from __future__ import annotations

import math
import os
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np

# A tile id in the art layers' gids, and the bits that flip its picture (Tiled's own layout,
# which the window follows when it draws): horizontally, vertically, and across the diagonal.
GID_MASK = 0x0FFFFFFF
FLIP_H = 0x80000000
FLIP_V = 0x40000000
FLIP_D = 0x20000000


# ---------------------------------------------------------------------------------------------
# Problems


@dataclass(frozen=True)
class LayerRef:
    """A layer as Tiled names it: its name and its id in the map file."""

    name: str
    id: int


@dataclass(frozen=True)
class Place:
    """The parts of a map a problem is about, for tools that point at them (check-map --json).

    It says in data what a problem's ``where`` says in words. Empty for a problem of the whole
    map or of a file; ``objects`` lists every object when a problem names several.
    """

    layer: LayerRef | None = None
    object: int | None = None
    objects: tuple[int, ...] = ()
    cell: tuple[int, int] | None = None
    property: str | None = None
    tileset: str | None = None
    tile: int | None = None

    def at(self, x: int, y: int) -> Place:
        """The same place narrowed to one cell."""
        return replace(self, cell=(int(x), int(y)))

    def of_property(self, name: str) -> Place:
        return replace(self, property=name)

    def as_json(self) -> dict[str, Any]:
        """Only the parts that apply, as check-map --json writes them."""
        found: dict[str, Any] = {}
        if self.layer is not None:
            found["layer"] = {"name": self.layer.name, "id": self.layer.id}
        if self.object is not None:
            found["object"] = self.object
        if self.objects:
            found["objects"] = list(self.objects)
        if self.cell is not None:
            found["cell"] = list(self.cell)
        if self.property is not None:
            found["property"] = self.property
        if self.tileset is not None:
            found["tileset"] = self.tileset
        if self.tile is not None:
            found["tile"] = self.tile
        return found


NOWHERE = Place()  # a problem of the whole map, or of a file that could not be read


@dataclass(frozen=True)
class MapProblem:
    """One thing wrong with a map: where it is, in words and as a Place, and what it is."""

    where: str
    message: str
    warning: bool = False
    place: Place = NOWHERE

    def line(self, file: str | os.PathLike[str]) -> str:
        prefix = "warning: " if self.warning else ""
        return f"{file}: {prefix}{self.where}: {self.message}"

    def as_json(self) -> dict[str, Any]:
        """The problem as one entry of check-map --json's ``problems``."""
        return {"severity": "warning" if self.warning else "error", "where": self.where,
                "message": self.message, **self.place.as_json()}


class MapError(Exception):
    """A map that cannot be played, with every problem found."""

    def __init__(self, file: str | os.PathLike[str], problems: list[MapProblem]):
        self.file = str(file)
        self.problems = problems
        super().__init__("\n".join(self.lines()))

    def lines(self) -> list[str]:
        return [p.line(self.file) for p in self.problems]


# ---------------------------------------------------------------------------------------------
# The Level


@dataclass(frozen=True, eq=False)
class MapObject:
    """A contract object: its kind, where it is (in tiles) and its typed properties."""

    id: int
    kind: str
    name: str
    shape: str  # point, rectangle, ellipse, polygon, polyline, tile, text
    x: float  # a point's position, or the top-left of the shape's bounding box, in tiles
    y: float
    width: float
    height: float
    cells: np.ndarray  # (n, 2) int32 [x, y] of the cells it covers inside the map
    properties: dict[str, Any]
    layer: str
    layer_id: int = 0

    @property
    def cell(self) -> tuple[int, int]:
        """The cell holding a point object (or the top-left covered cell of an area)."""
        if self.shape == "point" or len(self.cells) == 0:
            return math.floor(self.x), math.floor(self.y)
        return int(self.cells[0, 0]), int(self.cells[0, 1])

    @property
    def centre(self) -> tuple[float, float]:
        return self.x + self.width / 2, self.y + self.height / 2

    def describe(self) -> str:
        label = f"object {self.id} ({self.kind or 'no class'}"
        return label + (f" '{self.name}')" if self.name else ")")

    def place(self) -> Place:
        """The object and its layer, for problems about it."""
        return Place(layer=LayerRef(self.layer, self.layer_id), object=self.id)


@dataclass(frozen=True)
class MapSettings:
    wind_deg: float
    wind_speed: float
    start_clock_s: int  # seconds after midnight
    sunset_clock_s: int


@dataclass(frozen=True, eq=False)
class TilesetArt:
    """What the window needs to cut tile images; paths are absolute, images may be missing."""

    name: str
    firstgid: int
    tilecount: int
    tile_width: int
    tile_height: int
    columns: int
    margin: int
    spacing: int
    image: str | None  # one sheet, or None for a collection of images
    tile_images: dict[int, str]  # local tile id -> image file, for collections


@dataclass(frozen=True, eq=False)
class TileLayerArt:
    """A visible tile layer as the window draws it."""

    name: str
    gids: np.ndarray  # uint32 [y, x]: a tile id (GID_MASK) and its flip bits (FLIP_H, ...)


@dataclass(frozen=True, eq=False)
class Level:
    """Everything the simulation and the view need from a map, as numpy grids indexed [y, x]."""

    name: str
    path: str
    width: int
    height: int
    tile_size: int
    terrain: np.ndarray  # uint8 terrain ids (contract.TERRAINS)
    cost: dict[str, np.ndarray]  # mover -> float32 cost grid, inf where impassable
    blocks_sight: np.ndarray  # bool
    passes_scent: np.ndarray  # bool
    scent_decay: np.ndarray  # float32 multiplier
    objects: tuple[MapObject, ...]
    zones: dict[str, np.ndarray]  # zone name -> bool mask
    settings: MapSettings
    content_hash: str
    tilesets: tuple[TilesetArt, ...] = ()
    art_layers: tuple[TileLayerArt, ...] = ()
    warnings: tuple[MapProblem, ...] = field(default=())
    sources: tuple[str, ...] = ()  # every file read: the map, its tilesets and templates

    def of_kind(self, kind: str) -> tuple[MapObject, ...]:
        return tuple(o for o in self.objects if o.kind == kind)

    def one(self, kind: str) -> MapObject:
        found = self.of_kind(kind)
        if len(found) != 1:
            raise LookupError(f"expected one {kind}, found {len(found)}")
        return found[0]

    def zone_at(self, x: int, y: int) -> str | None:
        for name, mask in self.zones.items():
            if mask[y, x]:
                return name
        return None

    def inside(self, x: int, y: int) -> bool:
        return 0 <= x < self.width and 0 <= y < self.height
