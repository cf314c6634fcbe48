"""The map contract as data: terrains, object classes and map properties.

This is the one source of truth for what a map may contain. The loader merges defaults from it,
the checker enforces it, the Tiled project file is generated from it and the docs describe it.

Terrain ids index read-only numpy tables, so a whole terrain grid turns into a cost grid with one
fancy-indexing operation. Id 0 means "no terrain" (a cell the map forgot to paint); it is never
valid in a loaded level, and the checker reports such cells.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

INF = float("inf")


@dataclass(frozen=True)
class Terrain:
    """One row of the contract's terrain table. A cost of ``inf`` means the mover cannot enter."""

    name: str
    cost_foot: float
    cost_dog: float
    cost_car: float
    blocks_sight: bool
    passes_scent: bool
    scent_decay: float  # multiplier on the scent decay rate; water loses scent fast


# Order matters: a terrain's id is its index here, and id 0 is reserved for "no terrain".
TERRAINS: tuple[Terrain, ...] = (
    Terrain("none", INF, INF, INF, False, False, 1.0),
    Terrain("grass", 1.0, 1.0, INF, False, True, 1.0),
    Terrain("path", 1.0, 1.0, INF, False, True, 1.0),
    Terrain("sidewalk", 1.0, 1.0, INF, False, True, 1.0),
    Terrain("floor", 1.0, 1.0, INF, False, True, 1.0),
    Terrain("road", 3.0, 2.0, 1.0, False, True, 1.0),
    Terrain("bridge", 1.0, 1.0, INF, False, True, 1.0),
    Terrain("forest", 3.0, 1.5, INF, True, True, 1.0),
    Terrain("fence", INF, 4.0, INF, False, True, 1.0),
    Terrain("hedge", INF, 3.0, INF, True, True, 1.0),
    Terrain("wall", INF, INF, INF, True, False, 1.0),
    Terrain("building", INF, INF, INF, True, False, 1.0),
    # Scent over open water is lost fast: strong enough that the lake acts as a sink, so that
    # the field on land has no false peaks on the shore where Rex cannot follow it further.
    Terrain("water", INF, INF, INF, False, True, 12.0),
)

NO_TERRAIN = 0
TERRAIN_ID: dict[str, int] = {t.name: i for i, t in enumerate(TERRAINS) if i != NO_TERRAIN}
TERRAIN_NAMES: tuple[str, ...] = tuple(TERRAIN_ID)

# The movers that have cost grids, and the tile property that overrides each one's cost.
MOVERS: tuple[str, ...] = ("foot", "dog", "car")
COST_PROPERTY: dict[str, str] = {mover: f"cost_{mover}" for mover in MOVERS}


def _table(values: list[float] | list[bool], dtype: type) -> np.ndarray:
    array: np.ndarray = np.array(values, dtype=dtype)
    array.flags.writeable = False
    return array


COST: dict[str, np.ndarray] = {
    mover: _table([getattr(t, f"cost_{mover}") for t in TERRAINS], np.float32) for mover in MOVERS
}
BLOCKS_SIGHT = _table([t.blocks_sight for t in TERRAINS], np.bool_)
PASSES_SCENT = _table([t.passes_scent for t in TERRAINS], np.bool_)
SCENT_DECAY = _table([t.scent_decay for t in TERRAINS], np.float32)

# Terrain where a door may be set into the wall (a door object may sit on it).
DOOR_WALLS: frozenset[str] = frozenset({"building", "wall"})


# ---------------------------------------------------------------------------------------------
# Object classes


@dataclass(frozen=True)
class Member:
    """A typed custom property of an object class, with the default Tiled leaves out of files."""

    name: str
    type: str  # "int", "float", "string" or "bool": Tiled's property type names
    default: object
    minimum: float | None = None
    maximum: float | None = None
    doc: str = ""


@dataclass(frozen=True)
class ObjectClass:
    name: str
    shapes: frozenset[str]
    min_count: int
    max_count: int | None
    members: tuple[Member, ...] = field(default=())
    doc: str = ""
    colour: str = "#a0a0a4"  # how Tiled draws objects of this class (project file)


POINT = frozenset({"point"})
POINT_OR_AREA = frozenset({"point", "rectangle"})
AREA = frozenset({"rectangle", "polygon"})

OBJECT_CLASSES: dict[str, ObjectClass] = {
    c.name: c
    for c in (
        ObjectClass("rex_spawn", POINT, 1, 1, doc="Rex's kennel", colour="#c0702a"),
        ObjectClass(
            "kennel_gate",
            POINT_OR_AREA,
            1,
            1,
            (Member("latch_s", "float", 40.0, 1.0, 3600.0,
                    "latest second of the chase at which the latch gives"),),
            doc="the closed gate of Rex's kennel until the latch gives",
            colour="#e0a030",
        ),
        ObjectClass("mila_spawn", POINT, 1, 1, doc="where Mila starts (her school)",
                    colour="#e04890"),
        ObjectClass("maple_tree", POINT, 1, 1, doc="Mila's place by the pond", colour="#d04020"),
        ObjectClass("dylan_spawn", POINT, 1, 1, doc="the command center", colour="#3080e0"),
        ObjectClass(
            "police_spawn",
            POINT,
            1,
            None,
            (
                Member("officers", "int", 2, 0, 64, "officers on foot who start here"),
                Member("cars", "int", 1, 0, 32, "patrol cars, on the road cell nearest this point"),
            ),
            doc="a station or patrol start",
            colour="#2040c0",
        ),
        ObjectClass(
            "civilian_spawn",
            POINT_OR_AREA,
            0,
            None,
            (Member("count", "int", 5, 0, 500, "passers-by who start here"),),
            doc="where passers-by start",
            colour="#40a040",
        ),
        ObjectClass("door", POINT, 0, None, doc="a door civilians can go in by",
                    colour="#806040"),
        ObjectClass(
            "scent_source",
            POINT,
            0,
            None,
            (
                Member("strength", "float", 0.2, 0.0, 10.0,
                       "how strongly it smells, relative to the collar (1)"),
                Member("label", "string", "", doc="what it is, shown in the scent overlay"),
            ),
            doc="a distracting smell (food stall, bins, another dog)",
            colour="#b0a000",
        ),
        ObjectClass(
            "loudspeaker",
            POINT,
            0,
            None,
            (Member("radius", "float", 25.0, 0.0, 1000.0,
                    "tiles within which warnings are heard"),),
            doc="where police warnings are heard",
            colour="#a040c0",
        ),
        ObjectClass("zone", AREA, 0, None, doc="a named area; the object's name says which",
                    colour="#808080"),
    )
}

REQUIRED_ZONES: tuple[str, ...] = ("facility", "city", "bridge", "park")

# Names a custom property may not take: Tiled's own object attributes (and those other Tiled
# loaders, such as pytmx, add).
RESERVED_OBJECT_PROPERTIES: frozenset[str] = frozenset({
    "id", "name", "type", "class", "x", "y", "width", "height", "rotation", "gid", "visible",
    "template", "points", "properties", "parent", "image",
})


# ---------------------------------------------------------------------------------------------
# Map properties

MAP_PROPERTIES: tuple[Member, ...] = (
    Member("wind_deg", "float", 0.0, None, None,
           "direction the wind blows toward, degrees clockwise from east"),
    Member("wind_speed", "float", 0.0, 0.0, 50.0, "tiles per second of scent drift"),
    Member("start_clock", "string", "16:30", doc="clock time at the first step (HH:MM)"),
    Member("sunset_clock", "string", "18:00",
           doc="clock time at which an unresolved chase ends (HH:MM)"),
)

# Tile properties that override a terrain's defaults for one tile: the loader (game.tiled) types
# and bounds them as declared here.
TILE_PROPERTIES: tuple[Member, ...] = (
    Member("terrain", "string", "", doc="one of the terrain names"),
    Member("cost_foot", "float", 0.0, doc="cost for people on foot; 0 or less: impassable"),
    Member("cost_dog", "float", 0.0, doc="cost for Rex; 0 or less: impassable"),
    Member("cost_car", "float", 0.0, doc="cost for cars; 0 or less: impassable"),
    Member("blocks_sight", "bool", False, doc="whether the tile blocks line of sight"),
    Member("scent_decay", "float", 1.0, 0.0, 1000.0, doc="scent decay multiplier, 1 = normal"),
)

# How big a map may be, in cells, in files and in what reading it may take.
MAX_MAP_CELLS = 1 << 20
MAX_MAP_SIDE = 4096
MAX_TILE_PIXELS = 1024
MAX_FILE_BYTES = 64 << 20  # the map and every file it reads, together
MAX_XML_NODES = 1_000_000  # XML elements and attributes of those files, together
MAX_OBJECTS = 20_000
MAX_TILESET_GIDS = 1 << 22
MAX_POLYGON_POINTS = 1 << 20  # points of all polygons and polylines of a map
MAX_POLYGON_CROSSINGS = 8 * MAX_MAP_CELLS  # edges crossing rows of cell centres, all polygons
MAX_OBJECT_CELLS = 8 * MAX_MAP_CELLS  # cells covered by objects (areas by their bounding box)

# How many agents and smells a map may start, all spawns together: each costs time every tick
# (and each scent source a pre-warm of its own), so these keep a game playable.
MAX_TOTALS: dict[str, tuple[str, str, int]] = {  # name -> (object class, property, limit)
    "police officers": ("police_spawn", "officers", 128),
    "patrol cars": ("police_spawn", "cars", 32),
    "passers-by": ("civilian_spawn", "count", 1000),
    "scent sources": ("scent_source", "", 16),  # no property: each object counts one
}

# The memory a map may take, estimated from its size before any grid is allocated. The game
# keeps about 420 bytes per cell while a chase runs (the scent field and its stencil in float64,
# distractor layers, cost and distance fields, masks, the police's search belief): measured as
# the growth of `rex sim`'s peak memory from a 256 x 256 to a 512 x 512 map.
MAX_MAP_MEMORY = 512 << 20
GAME_BYTES_PER_CELL = 420
LAYER_BYTES_PER_CELL = 12  # a tile layer's text, decoded gids and the art kept for drawing
ZONE_BYTES_PER_CELL = 1  # a named zone's mask


def map_memory(cells: int, tile_layers: int, zones: int) -> int:
    """Bytes a map of ``cells`` cells with these tile layers and zone names takes to play."""
    return cells * (GAME_BYTES_PER_CELL + LAYER_BYTES_PER_CELL * tile_layers
                    + ZONE_BYTES_PER_CELL * zones)
