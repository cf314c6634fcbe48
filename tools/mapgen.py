"""Building blocks for generating maps: paint terrain, dress it with tiles, write TMX.

A map is painted as a grid of terrain names with simple shapes (rectangles, ellipses, lines),
then "dressed": every cell gets a tile picked by its terrain and its neighbours (shores, roof
edges, fence runs, curbs), and decor goes on a second layer. The result is a normal Tiled map
that authors can open and edit; regenerating is only for the shipped maps.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from tools import tmxwrite
from tools.make_project import MAP_CLASS, TERRAIN_ENUM

ROOT = Path(__file__).resolve().parent.parent
ASSETS = ROOT / "assets"
MAPS = ROOT / "maps"
TILE = 16

MASK_BITS = ((0, -1, 1), (1, 0, 2), (0, 1, 4), (-1, 0, 8))  # dx, dy, bit: N E S W


def run_lengths(mask: np.ndarray) -> np.ndarray:
    """For every True cell, the length of the unbroken run of True cells along its row."""
    runs = np.zeros(mask.shape, np.int32)
    for y in np.nonzero(mask.any(axis=1))[0]:
        row = np.concatenate(([False], mask[y], [False])).astype(np.int8)
        edges = np.nonzero(np.diff(row))[0]
        for start, stop in zip(edges[::2], edges[1::2], strict=True):
            runs[y, start:stop] = stop - start
    return runs


@dataclass
class Manifest:
    """Tile names -> tile ids and terrains, from the art script's manifest."""

    ids: dict[str, int]
    terrain: dict[int, str | None]
    columns: int
    count: int
    image_width: int
    image_height: int

    @classmethod
    def load(cls, path: Path = ASSETS / "tiles.json") -> Manifest:
        data = json.loads(path.read_text())
        tiles = data["tiles"]
        columns = data["columns"]
        rows = (len(tiles) + columns - 1) // columns
        return cls({t["name"]: t["id"] for t in tiles}, {t["id"]: t["terrain"] for t in tiles},
                   columns, len(tiles), columns * data["tile_size"], rows * data["tile_size"])

    def gid(self, name: str) -> int:
        return self.ids[name] + 1  # one tileset, firstgid 1

    def tileset(self, source: str | None) -> tmxwrite.Tileset:
        # Typed with the project's terrain enum, so Tiled offers the terrain names in a list.
        props = {tid: [("terrain", "string", terrain, TERRAIN_ENUM)]
                 for tid, terrain in self.terrain.items() if terrain}
        return tmxwrite.Tileset("city", TILE, self.count, self.columns, "../assets/tiles.png",
                                self.image_width, self.image_height, props, firstgid=1,
                                source=source)


@dataclass
class Canvas:
    """A terrain painting plus the things placed on it."""

    width: int
    height: int
    seed: int
    terrain: np.ndarray = field(init=False)
    region: np.ndarray = field(init=False)  # an id per building / water body, for edge masks
    style: dict[int, str] = field(default_factory=dict)  # region id -> roof style
    decor: dict[tuple[int, int], str] = field(default_factory=dict)
    lawn: np.ndarray = field(init=False)  # cells drawn with the darker park grass
    indoor: np.ndarray = field(init=False)  # floor cells drawn as kennel interior
    bars: np.ndarray = field(init=False)  # wall cells drawn as kennel bars
    over_water: np.ndarray = field(init=False)  # cells whose water tiles continue beneath them
    road_marks: dict[tuple[int, int], str] = field(default_factory=dict)  # lines, crossings
    objects: list[tmxwrite.MapObject] = field(default_factory=list)
    zones: list[tmxwrite.MapObject] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.terrain = np.full((self.height, self.width), "grass", dtype=object)
        self.region = np.zeros((self.height, self.width), np.int32)
        self.lawn = np.zeros((self.height, self.width), bool)
        self.indoor = np.zeros((self.height, self.width), bool)
        self.bars = np.zeros((self.height, self.width), bool)
        self.over_water = np.zeros((self.height, self.width), bool)
        self.rng = np.random.default_rng(self.seed)
        self._next_region = 1
        self._next_object = 1

    # -- painting ---------------------------------------------------------------------------

    def rect(self, x0: int, y0: int, x1: int, y1: int, terrain: str,
             where: str | None = None) -> None:
        """Paint cells x0..x1, y0..y1 (inclusive); only over ``where`` terrain when given."""
        x0, x1 = max(0, x0), min(self.width - 1, x1)
        y0, y1 = max(0, y0), min(self.height - 1, y1)
        block = self.terrain[y0:y1 + 1, x0:x1 + 1]
        if where is None:
            block[:] = terrain
        else:
            block[block == where] = terrain

    def mask(self, mask: np.ndarray, terrain: str) -> None:
        self.terrain[mask] = terrain

    def ellipse(self, cx: float, cy: float, rx: float, ry: float, wobble: float = 0.0
                ) -> np.ndarray:
        """A bool mask of an ellipse, its edge made irregular by ``wobble`` (0..1)."""
        ys, xs = np.mgrid[0:self.height, 0:self.width]
        angle = np.arctan2(ys - cy, xs - cx)
        phase = self.rng.uniform(0, 2 * np.pi, 3)
        edge = 1 + wobble * (0.5 * np.sin(3 * angle + phase[0]) + 0.3 * np.sin(5 * angle + phase[1])
                             + 0.2 * np.sin(8 * angle + phase[2]))
        return ((xs + 0.5 - cx) / rx) ** 2 + ((ys + 0.5 - cy) / ry) ** 2 <= edge ** 2

    def frame(self, x0: int, y0: int, x1: int, y1: int, terrain: str) -> None:
        """The one-cell border of a rectangle."""
        self.rect(x0, y0, x1, y0, terrain)
        self.rect(x0, y1, x1, y1, terrain)
        self.rect(x0, y0, x0, y1, terrain)
        self.rect(x1, y0, x1, y1, terrain)

    def building(self, x0: int, y0: int, x1: int, y1: int, style: str) -> int:
        self.rect(x0, y0, x1, y1, "building")
        region = self._next_region
        self._next_region += 1
        self.region[y0:y1 + 1, x0:x1 + 1] = region
        self.style[region] = style
        return region

    def sidewalks(self, width: int = 2) -> None:
        """Sidewalk around every road, over open ground only."""
        road = self.terrain == "road"
        near = np.zeros_like(road)
        padded = np.pad(road, width)
        for dy in range(2 * width + 1):
            for dx in range(2 * width + 1):
                near |= padded[dy:dy + self.height, dx:dx + self.width]
        open_ground = np.isin(self.terrain, ["grass", "forest", "path"])
        self.terrain[near & open_ground & ~road] = "sidewalk"

    # -- objects ----------------------------------------------------------------------------

    def point(self, kind: str, x: float, y: float, name: str = "",
              props: list | None = None) -> None:
        self.objects.append(tmxwrite.MapObject(self._take_id(), kind, (x + 0.5) * TILE,
                                               (y + 0.5) * TILE, name=name,
                                               properties=props or []))

    def area(self, kind: str, x0: int, y0: int, x1: int, y1: int, name: str = "",
             props: list | None = None) -> None:
        target = self.zones if kind == "zone" else self.objects
        target.append(tmxwrite.MapObject(self._take_id(), kind, x0 * TILE, y0 * TILE, name=name,
                                         width=(x1 - x0 + 1) * TILE, height=(y1 - y0 + 1) * TILE,
                                         shape="rectangle", properties=props or []))

    def polygon(self, kind: str, points: list[tuple[int, int]], name: str = "") -> None:
        x0, y0 = points[0]
        target = self.zones if kind == "zone" else self.objects
        target.append(tmxwrite.MapObject(
            self._take_id(), kind, x0 * TILE, y0 * TILE, name=name, shape="polygon",
            points=[((px - x0) * TILE, (py - y0) * TILE) for px, py in points]))

    def _take_id(self) -> int:
        self._next_object += 1
        return self._next_object - 1

    def door(self, x: int, y: int, name: str = "") -> None:
        """A door in the south wall of a building at (x, y); people enter from (x, y + 1)."""
        self.point("door", x, y, name)
        self.decor[(x, y)] = "door"

    # -- dressing ---------------------------------------------------------------------------

    def neighbour_mask(self, same: np.ndarray) -> np.ndarray:
        """4-bit N/E/S/W mask of neighbours for which ``same`` holds (the map edge counts)."""
        padded = np.pad(same, 1, mode="edge")
        mask = np.zeros(same.shape, np.int32)
        for dx, dy, bit in MASK_BITS:
            shifted = padded[1 + dy:1 + dy + self.height, 1 + dx:1 + dx + self.width]
            mask |= np.where(shifted, bit, 0)
        return mask

    def region_mask(self) -> np.ndarray:
        padded = np.pad(self.region, 1, mode="edge")
        mask = np.zeros(self.region.shape, np.int32)
        for dx, dy, bit in MASK_BITS:
            shifted = padded[1 + dy:1 + dy + self.height, 1 + dx:1 + dx + self.width]
            mask |= np.where(shifted == self.region, bit, 0)
        return mask

    def dress(self, manifest: Manifest) -> tuple[np.ndarray, np.ndarray]:
        """Tile gids for the ground layer and the decor layer."""
        t = self.terrain
        rng = self.rng
        ground = np.zeros(t.shape, np.uint32)

        def pick(cells: np.ndarray, names: list[str], weights: list[float] | None = None
                 ) -> None:
            n = int(cells.sum())
            if n:
                gids = np.array([manifest.gid(name) for name in names], np.uint32)
                p = None if weights is None else np.array(weights) / sum(weights)
                ground[cells] = rng.choice(gids, size=n, p=p)

        grass = t == "grass"
        pick(grass & ~self.lawn, ["grass_0", "grass_1", "grass_2", "grass_3", "grass_flowers_0",
                                  "grass_flowers_1"], [30, 30, 20, 20, 3, 3])
        pick(grass & self.lawn, ["grass_dark_0", "grass_dark_1", "grass_flowers_0"], [45, 45, 6])
        pick(t == "path", ["path_0", "path_1"])
        pick((t == "floor") & ~self.indoor, ["floor_0", "floor_1"])
        pick((t == "floor") & self.indoor, ["floor_indoor"])
        pick(t == "forest", ["forest_0", "forest_1", "forest_2", "forest_3"])
        self._dress_sidewalks(manifest, ground, pick)
        self._dress_roads(manifest, ground, pick)
        self._dress_masked(manifest, ground)
        decor = np.zeros(t.shape, np.uint32)
        for (x, y), name in self.decor.items():
            decor[y, x] = manifest.gid(name)
        assert ground.all(), "every cell needs a ground tile"
        return ground, decor

    def _dress_sidewalks(self, manifest: Manifest, ground: np.ndarray, pick) -> None:
        t = self.terrain
        side = t == "sidewalk"
        pick(side, ["sidewalk_0", "sidewalk_1"], [3, 1])
        road = t == "road"
        padded = np.pad(road, 1)
        for dx, dy, name in ((0, -1, "curb_n"), (0, 1, "curb_s"), (1, 0, "curb_e"),
                             (-1, 0, "curb_w")):
            beside = padded[1 + dy:1 + dy + self.height, 1 + dx:1 + dx + self.width]
            ground[side & beside] = manifest.gid(name)

    def _dress_roads(self, manifest: Manifest, ground: np.ndarray, pick) -> None:
        t = self.terrain
        road = t == "road"
        pick(road, ["road_0", "road_1"], [3, 1])
        for (x, y), name in self.road_marks.items():
            if road[y, x]:
                ground[y, x] = manifest.gid(name)

    def _dress_masked(self, manifest: Manifest, ground: np.ndarray) -> None:
        t = self.terrain
        for terrain in ("fence", "hedge"):
            cells = t == terrain
            masks = self.neighbour_mask(cells)
            for mask in np.unique(masks[cells]):
                ground[cells & (masks == mask)] = manifest.gid(f"{terrain}_{mask}")
        wall = t == "wall"
        bars = self.bars
        masks = self.neighbour_mask(wall)
        for mask in np.unique(masks[wall & ~bars]):
            ground[wall & ~bars & (masks == mask)] = manifest.gid(f"wall_{mask}")
        vertical = (masks & 5) != 0  # joined north or south
        ground[wall & bars & vertical] = manifest.gid("bars_v")
        ground[wall & bars & ~vertical] = manifest.gid("bars_h")
        wet = (t == "water") | (t == "bridge") | self.over_water
        masks = self.neighbour_mask(wet)
        water = t == "water"
        for mask in np.unique(masks[water]):
            ground[water & (masks == mask)] = manifest.gid(f"water_{mask}")
        bridge = t == "bridge"
        links = self.neighbour_mask(bridge)
        along_ns, along_ew = run_lengths(bridge.T).T, run_lengths(bridge)
        for y, x in zip(*np.nonzero(bridge), strict=True):
            m = links[y, x]
            # A bridge runs the way it is longer: planks across it, rails along its sides.
            runs_ns = along_ns[y, x] > along_ew[y, x] or (
                along_ns[y, x] == along_ew[y, x] and bool(m & 5))
            if runs_ns:
                name = ("bridge_rail_w" if not m & 8 else "bridge_rail_e" if not m & 2
                        else "bridge_v")
            else:
                name = ("bridge_rail_n" if not m & 1 else "bridge_rail_s" if not m & 4
                        else "bridge_h")
            ground[y, x] = manifest.gid(name)
        building = t == "building"
        masks = self.region_mask()
        for y, x in zip(*np.nonzero(building), strict=True):
            style = self.style.get(int(self.region[y, x]), "flat")
            ground[y, x] = manifest.gid(f"roof_{style}_{masks[y, x]}")

    # -- writing ----------------------------------------------------------------------------

    def write(self, name: str, manifest: Manifest, properties: list) -> Path:
        ground, decor = self.dress(manifest)
        tileset = manifest.tileset("city.tsx")
        (MAPS / "city.tsx").write_text(tileset.tsx())
        layers = [
            tmxwrite.TileLayer("ground", ground, "csv"),
            tmxwrite.TileLayer("decor", decor, "csv"),
            tmxwrite.Group("objects", [
                tmxwrite.ObjectLayer("zones", self.zones),
                tmxwrite.ObjectLayer("spawns", self.objects),
            ]),
        ]
        # Objects keep `type` (what Tiled 1.8 and 1.10+ write; 1.9 reads it as the class) and
        # the map takes the project's map class, so Tiled 1.9+ shows its properties typed.
        text = tmxwrite.map_xml(self.width, self.height, TILE, [tileset], layers, properties,
                                type_attr="type", map_class=MAP_CLASS)
        path = MAPS / f"{name}.tmx"
        path.write_text(text)
        return path
