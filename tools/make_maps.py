"""Generate the shipped maps (``python -m tools.make_maps``), as the story lays them out.

``lakeside``: the K9 training center at the forest edge in the north-west, the city's streets to
the east, a lake with a wooden footbridge across its waist, a river with one road bridge, the
residential district with Mila's school, and the park with its pond and the old maple tree.
Rex has three ways to the park: the footbridge, the road bridge, or around the lake's west end.

``rivergate``: a river town, the river north to south through the middle with two bridges far
apart (a road bridge in the north, a wooden footbridge in the south): the training center and
the city on one bank, the residential district, the park and Mila's school on the other.

The committed .tmx files are ordinary Tiled maps: edit them in Tiled; regenerate only to start
over.
"""

from __future__ import annotations

import numpy as np

from tools.mapgen import Canvas, Manifest

ROOFS = ["red", "slate", "brown", "flat"]


def road_h(c: Canvas, x0: int, x1: int, y: int, width: int) -> None:
    """An east-west road whose top row is y, with a dashed centre line."""
    c.rect(x0, y, x1, y + width - 1, "road")
    if width % 2:
        for x in range(x0, x1 + 1):
            c.road_marks[(x, y + width // 2)] = "road_line_h"


def road_v(c: Canvas, x: int, y0: int, y1: int, width: int) -> None:
    c.rect(x, y0, x + width - 1, y1, "road")
    if width % 2:
        for y in range(y0, y1 + 1):
            c.road_marks[(x + width // 2, y)] = "road_line_v"


def crossing(c: Canvas, x0: int, y0: int, x1: int, y1: int, name: str) -> None:
    for y in range(y0, y1 + 1):
        for x in range(x0, x1 + 1):
            c.road_marks[(x, y)] = name


def crosswalks(c: Canvas, streets: list[tuple[int, int]], ys: tuple[int, ...],
               width: int = 5) -> None:
    """Zebra crossings over north-south streets (x0, x1), either side of the east-west roads
    whose top rows are ``ys``."""
    for x0, x1 in streets:
        for y in ys:
            crossing(c, x0, y - 1, x1, y - 1, "crossing_v")
            crossing(c, x0, y + width, x1, y + width, "crossing_v")


def buildings(c: Canvas, rects: list[tuple[int, int, int, int]], roofs: list[str], label: str,
              first: int = 1, front: str = "sidewalk", hedge: bool = False) -> None:
    """Buildings with a door in the middle of the south wall and a strip of ``front`` before
    it (over grass only); with ``hedge``, a garden hedge two rows behind."""
    for i, (x0, y0, x1, y1) in enumerate(rects):
        c.building(x0, y0, x1, y1, roofs[i % len(roofs)])
        c.door((x0 + x1) // 2, y1, f"{label} {first + i}")
        c.rect(x0, y1 + 1, x1, y1 + 1, front, where="grass")
        if hedge:
            c.rect(x0 - 1, y0 - 2, x1 + 1, y0 - 2, "hedge", where="grass")


def scatter_trees(c: Canvas, seed: int, count: int, xs: tuple[int, int], ys: tuple[int, int],
                  tree_share: float) -> None:
    """Up to ``count`` trees and bushes dropped at random (x in xs, y in ys, ends excluded) on
    free grass."""
    rng = np.random.default_rng(seed)
    for _ in range(count):
        x, y = int(rng.integers(*xs)), int(rng.integers(*ys))
        if c.terrain[y, x] == "grass" and (x, y) not in c.decor:
            c.decor[(x, y)] = "tree_small" if rng.random() < tree_share else "bush_small"


def allotments(c: Canvas, corners: list[tuple[int, int]]) -> None:
    """Hedged 4 x 4 garden plots with a flowerbed and a gap in the south hedge."""
    for x0, y0 in corners:
        c.rect(x0, y0, x0 + 3, y0 + 3, "hedge", where="grass")
        c.rect(x0 + 1, y0 + 1, x0 + 2, y0 + 2, "grass")
        c.decor[(x0 + 1, y0 + 1)] = "flowerbed"
        c.rect(x0 + 1, y0 + 3, x0 + 1, y0 + 3, "grass")


def police_station(c: Canvas, x0: int, y0: int, x1: int, y1: int, name: str,
                   officers: int = 3, cars: int = 2) -> None:
    """A police station with its door, the pavement before it and a police spawn there."""
    c.building(x0, y0, x1, y1, "slate")
    c.door((x0 + x1) // 2, y1, "police station")
    c.rect(x0 - 1, y1 + 1, x1 + 1, y1 + 2, "sidewalk", where="grass")
    c.point("police_spawn", (x0 + x1) // 2, y1 + 2, name,
            [("officers", "int", officers), ("cars", "int", cars)])


def school(c: Canvas, x0: int, y0: int, x1: int, y1: int, yard: int) -> None:
    """Mila's school with its intercom, the yard (``yard`` rows) south of its door and her
    spawn at the yard's gate."""
    c.building(x0, y0, x1, y1, "red")
    c.door((x0 + x1) // 2, y1, "school")
    c.rect(x0, y1 + 1, x1, y1 + yard, "floor")
    c.point("mila_spawn", (x0 + x1) // 2, y1 + yard - 1, "Mila's school")
    c.point("loudspeaker", (x0 + x1) // 2, y0 + 4, "school intercom",
            [("radius", "float", 25.0)])


def forest(c: Canvas) -> None:
    ys, xs = np.mgrid[0:c.height, 0:c.width]
    edge_w = 11 + 3 * np.sin(ys / 7.0) + 2 * np.sin(ys / 3.1)
    edge_n = 6 + 2 * np.sin(xs / 5.0) + 1.5 * np.sin(xs / 2.3)
    trees = (xs < edge_w) | ((ys < edge_n) & (xs < 80))
    trees |= c.ellipse(26, 96, 16, 22, wobble=0.25)  # the wood west of the lake
    c.mask(trees, "forest")


def facility(c: Canvas, ox: int = 0, oy: int = 0) -> None:
    """The K9 training center: fenced compound, kennels, yard, command center. Its fence is
    closed: the caller opens a gate and lays the access road from the parking lot. The compound
    spans (14, 8)-(50, 40) shifted by (ox, oy)."""
    c.rect(ox + 14, oy + 8, ox + 50, oy + 40, "grass")
    c.frame(ox + 14, oy + 8, ox + 50, oy + 40, "fence")
    # Kennel block: an outer wall with four runs separated by bars, gates to the yard.
    c.rect(ox + 16, oy + 11, ox + 35, oy + 19, "wall")
    c.rect(ox + 17, oy + 12, ox + 34, oy + 18, "floor")
    c.indoor[oy + 12:oy + 19, ox + 17:ox + 35] = True
    for x in (ox + 21, ox + 26, ox + 31):
        c.rect(x, oy + 12, x, oy + 18, "wall")
        c.bars[oy + 12:oy + 19, x] = True
    c.bars[oy + 19, ox + 17:ox + 35] = True
    gate_y = oy + 19
    for x in (ox + 19, ox + 24, ox + 29, ox + 33):  # the runs' gates in the south bars
        c.rect(x, gate_y, x, gate_y, "floor")
        c.decor[(x, gate_y)] = "gate_h"
    c.decor[(ox + 22, oy + 13)] = "doghouse"
    c.decor[(ox + 18, oy + 13)] = "doghouse"
    c.point("rex_spawn", ox + 24, oy + 15, "Rex's kennel")
    c.point("kennel_gate", ox + 24, gate_y, "kennel latch", [("latch_s", "float", 35.0)])
    # The other gates stay shut for good: their dogs are not part of this story.
    for x in (ox + 19, ox + 29, ox + 33):
        c.rect(x, gate_y, x, gate_y, "wall")
        c.bars[gate_y, x] = True
    # Training yard.
    c.rect(ox + 16, oy + 24, ox + 34, oy + 38, "floor")
    for x, y, name in ((19, 27, "hurdle"), (24, 27, "hurdle"), (29, 27, "hurdle"),
                       (21, 33, "tunnel"), (27, 33, "tunnel")):
        c.decor[(ox + x, oy + y)] = name
    # Command center with its door, the parking lot.
    c.building(ox + 37, oy + 11, ox + 48, oy + 19, "flat")
    c.door(ox + 42, oy + 19, "command center")
    c.rect(ox + 37, oy + 20, ox + 48, oy + 22, "sidewalk")
    c.point("dylan_spawn", ox + 42, oy + 21, "command center")
    c.rect(ox + 37, oy + 24, ox + 48, oy + 28, "floor")
    c.decor[(ox + 38, oy + 25)] = "car_parked_v"
    c.decor[(ox + 40, oy + 25)] = "car_parked_v"
    c.point("police_spawn", ox + 44, oy + 23, "K9 unit",
            [("officers", "int", 2), ("cars", "int", 1)])
    c.point("loudspeaker", ox + 40, oy + 23, "facility loudspeaker", [("radius", "float", 30.0)])
    c.area("zone", ox + 14, oy + 8, ox + 50, oy + 40, "facility")


def city(c: Canvas) -> None:
    """Streets, shops and a square north of the lake."""
    road_v(c, 56, 0, 127, 5)  # west street, runs on past the lake to the south
    road_v(c, 94, 0, 58, 5)
    road_v(c, 130, 0, 58, 5)
    road_v(c, 166, 0, 127, 5)  # east street, crosses the river on the road bridge
    road_h(c, 56, 191, 14, 5)
    road_h(c, 56, 191, 54, 5)  # the lakeshore road
    road_h(c, 61, 130, 34, 5)
    c.sidewalks(2)
    crosswalks(c, [(56, 60), (94, 98), (130, 134), (166, 170)], (14, 54))
    shops = [
        (63, 2, 73, 10), (75, 2, 91, 10), (101, 2, 114, 10), (116, 2, 127, 10),
        (137, 2, 150, 10), (152, 2, 163, 10), (173, 2, 187, 10),
        (63, 22, 75, 30), (78, 22, 91, 30), (101, 22, 110, 31), (137, 22, 150, 30),
        (153, 22, 163, 30), (173, 22, 189, 31),
        (63, 42, 74, 50), (77, 42, 91, 50), (137, 42, 147, 50), (150, 42, 163, 50),
        (173, 42, 189, 50),
    ]
    buildings(c, shops, ROOFS, "shop")
    police_station(c, 114, 22, 126, 30, "city police station")  # on the square
    # The square between the shops and the lakeshore: paths, trees, benches, a food stall.
    c.rect(101, 41, 126, 50, "path", where="grass")
    for x, y in ((104, 43), (112, 43), (120, 43), (104, 48), (120, 48)):
        c.decor[(x, y)] = "tree_small"
    for x, y in ((108, 45), (116, 45)):
        c.decor[(x, y)] = "bench_h"
    c.decor[(112, 47)] = "stall"
    c.point("scent_source", 112, 47, "hot dog stall",
            [("strength", "float", 0.35), ("label", "string", "hot dog stall")])
    c.point("loudspeaker", 112, 41, "square loudspeaker", [("radius", "float", 35.0)])
    c.point("scent_source", 141, 33, "bins",
            [("strength", "float", 0.15), ("label", "string", "restaurant bins")])
    c.decor[(141, 33)] = "bin"
    for x0, y0, x1, y1, count in ((61, 11, 90, 12, 6), (135, 11, 165, 12, 6),
                                  (61, 51, 92, 52, 5), (101, 39, 126, 50, 8),
                                  (135, 31, 165, 32, 5)):
        c.area("civilian_spawn", x0, y0, x1, y1, "pedestrians", [("count", "int", count)])
    c.area("zone", 52, 0, 191, 61, "city")


def lake_and_river(c: Canvas) -> np.ndarray:
    west = c.ellipse(86, 74, 22, 10, wobble=0.12)
    east = c.ellipse(122, 73, 15, 8, wobble=0.12)
    waist = np.zeros_like(west)
    waist[69:78, 100:112] = True
    lake = west | east | waist
    lake[:, :63] = False
    c.mask(lake, "water")
    ys, xs = np.mgrid[0:c.height, 0:c.width]
    centre = 74 + 2.0 * np.sin((xs - 134) / 9.0)
    river = (xs >= 134) & (np.abs(ys + 0.5 - centre) <= 3.2)
    c.mask(river & (c.terrain != "road"), "water")
    # The road bridge: the east street keeps its road over the water, with footways.
    c.over_water |= (river | lake) & (c.terrain == "road")
    for x in (164, 165, 171, 172):
        c.terrain[river[:, x] & (c.terrain[:, x] == "water"), x] = "sidewalk"
    c.over_water[:, 164:173] |= river[:, 164:173]
    # The wooden footbridge, two planks wide, across the lake's waist.
    col = (lake[:, 105]).nonzero()[0]
    top, bottom = col.min() - 1, col.max() + 1
    c.rect(105, top, 106, bottom, "bridge")
    c.rect(105, 59, 106, top - 1, "path", where="grass")
    c.rect(105, 59, 106, top - 1, "path", where="sidewalk")
    c.area("zone", 104, top, 107, bottom, "bridge")
    c.area("zone", 62, 60, 138, 86, "lake")
    c.point("scent_source", 80, 62, "fish", [("strength", "float", 0.2),
                                             ("label", "string", "anglers' bait bucket")])
    return lake


def residential(c: Canvas, lake: np.ndarray) -> None:
    """Houses with gardens and hedges south of the lake, and Mila's school."""
    road_h(c, 56, 170, 107, 3)
    road_h(c, 56, 170, 124, 3)
    c.sidewalks(1)
    school(c, 64, 92, 80, 102, 3)
    houses = [(84, 96, 89, 101), (92, 96, 97, 101), (112, 96, 117, 101),
              (60, 112, 65, 117), (70, 112, 75, 117), (80, 112, 85, 117), (90, 112, 95, 117),
              (100, 112, 105, 117), (110, 112, 115, 117), (120, 112, 125, 117),
              (176, 82, 183, 88), (176, 96, 183, 102), (176, 110, 183, 116)]
    buildings(c, houses, ["brown", "red", "slate"], "house", front="path", hedge=True)
    c.point("scent_source", 94, 94, "a neighbour's dog",
            [("strength", "float", 0.3), ("label", "string", "a neighbour's dog")])
    # The path from the footbridge's south end into the streets.
    bridge_end = int(np.nonzero(c.terrain[:, 105] == "bridge")[0].max())
    c.rect(105, bridge_end + 1, 106, 106, "path", where="grass")
    c.area("civilian_spawn", 60, 104, 100, 106, "neighbours", [("count", "int", 6)])
    c.area("zone", 56, 88, 191, 127, "residential")
    c.point("police_spawn", 178, 120, "patrol car",
            [("officers", "int", 2), ("cars", "int", 1)])


def park(c: Canvas, x0: int = 128, y0: int = 86) -> None:
    """The park, 35 x 37 tiles from (x0, y0): lawn, hedges with gaps where the gravel paths
    leave it (west, east, north, south and an east gate), the pond and the old maple tree."""
    x1, y1 = x0 + 34, y0 + 36
    c.rect(x0, y0, x1, y1, "grass")
    c.lawn[y0:y1 + 1, x0:x1 + 1] = True
    c.frame(x0, y0, x1, y1, "hedge")
    c.rect(x0, y0 + 18, x1, y0 + 19, "path")  # east-west path, through gaps in the hedge
    c.rect(x0 + 13, y0, x0 + 14, y1, "path")  # north-south path
    c.rect(x0 + 13, y0 + 10, x1, y0 + 11, "path")  # the branch to the east gate
    pond = c.ellipse(x0 + 27, y0 + 26, 6.0, 4.5, wobble=0.15)
    c.mask(pond, "water")
    c.decor[(x0 + 25, y0 + 25)] = "lily"
    c.decor[(x0 + 29, y0 + 27)] = "lily"
    # The maple tree on the pond's west bank, Mila's place beneath it.
    mx, my = x0 + 19, y0 + 24
    for dx, dy, name in ((-1, -2, "maple_tl"), (0, -2, "maple_tr"), (-1, -1, "maple_bl"),
                         (0, -1, "maple_br")):
        c.decor[(mx + dx, my + dy)] = name
    c.point("maple_tree", mx, my, "the old maple tree")
    for x, y, name in ((10, 17, "bench_h"), (22, 17, "bench_h"), (15, 14, "bench_v"),
                       (5, 24, "picnic_table"), (11, 30, "picnic_table"),
                       (15, 20, "lamp"), (22, 12, "lamp"), (4, 14, "flowerbed"),
                       (28, 6, "flowerbed"), (30, 32, "bin")):
        c.decor[(x0 + x, y0 + y)] = name
    for x, y in ((3, 4), (29, 15), (5, 32), (23, 33)):
        c.rect(x0 + x, y0 + y, x0 + x + 1, y0 + y + 1, "forest")
    c.area("civilian_spawn", x0 + 2, y0 + 2, x1 - 2, y1 - 2, "people in the park",
           [("count", "int", 8)])
    c.area("zone", x0, y0, x1, y1, "park")


def meadow(c: Canvas) -> None:
    """West of the lake: a winding trail from the training center to the houses, orchards,
    and trees scattered over the grass; the long way round for Rex."""
    ys = np.arange(41, 108)
    xs = (34 + 6 * np.sin((ys - 41) / 9.0)).astype(int)
    for x, y in zip(xs, ys, strict=True):
        c.rect(x, y, x + 1, y, "path", where="grass")
    c.rect(30, 41, 35, 41, "path", where="grass")
    c.rect(34, 107, 55, 108, "path", where="grass")
    scatter_trees(c, 11, 90, (14, 54), (42, 126), 0.6)
    allotments(c, [(40, 112), (46, 112), (40, 118), (46, 118)])  # by the trail
    for x, y in ((52, 62), (52, 80), (52, 98)):
        c.decor[(x, y)] = "bench_v"
    c.area("civilian_spawn", 30, 60, 50, 100, "walkers on the trail", [("count", "int", 4)])


def east_side(c: Canvas) -> None:
    """Across the river bridge: more houses, gardens and a corner shop."""
    buildings(c, [(184, 82, 190, 88), (184, 96, 190, 102), (184, 110, 190, 116)],
              ["slate", "red", "brown"], "house", first=20, front="path")
    for x, y in ((174, 92), (180, 92), (186, 92), (174, 106), (186, 106), (175, 121),
                 (183, 121), (178, 79)):
        if c.terrain[y, x] == "grass":
            c.decor[(x, y)] = "tree_small"
    for x in range(64, 160, 6):  # a row of trees along the lake's north shore
        if c.terrain[61, x] == "grass":
            c.decor[(x, 61)] = "tree_small"


def lamps(c: Canvas, every: int = 9) -> None:
    """Street lamps along the sidewalks, at road-side curbs."""
    side = c.terrain == "sidewalk"
    ys, xs = np.nonzero(side)
    for x, y in zip(xs, ys, strict=True):
        if (x + 2 * y) % every == 0 and (int(x), int(y)) not in c.decor:
            c.decor[(int(x), int(y))] = "lamp"


def lakeside(manifest: Manifest) -> None:
    c = Canvas(192, 128, seed=7)
    forest(c)
    c.area("zone", 0, 0, 13, 127, "forest")
    facility(c)
    c.rect(50, 29, 50, 35, "grass")  # the entrance in the east fence, and the access road
    road_h(c, 37, 60, 30, 5)
    city(c)
    lake = lake_and_river(c)
    residential(c, lake)
    park(c)
    meadow(c)
    east_side(c)
    lamps(c)
    c.write("lakeside", manifest, [
        ("wind_deg", "float", 225.0),
        ("wind_speed", "float", 0.4),
        ("start_clock", "string", "16:30"),
        ("sunset_clock", "string", "18:00"),
    ])


# -- rivergate --------------------------------------------------------------------------------

RIVERGATE_FOOTBRIDGE_Y = 106  # the park's east-west path continues over the footbridge
RIVERGATE_GATE_STREET_Y = 30  # the top row of Gate Street, which crosses the road bridge


def river_course(c: Canvas) -> np.ndarray:
    """The river: north to south through the town in a slow S-bend, 7 to 9 tiles wide, with
    narrows 5 or 6 wide where the footbridge crosses (so that the scent crosses best there)."""
    ys, xs = np.mgrid[0:c.height, 0:c.width]
    centre = 93 + 6 * np.sin(ys / 20.0)
    narrows = np.exp(-(((ys - RIVERGATE_FOOTBRIDGE_Y - 0.5) / 8.0) ** 2))
    half = 4.0 + 0.4 * np.sin(ys / 11.0 + 1.0) - 1.1 * narrows
    return np.abs(xs + 0.5 - centre) <= half


def shores(river: np.ndarray, y: int) -> tuple[int, int]:
    """The first and last water column of the river in row y."""
    cols = np.nonzero(river[y])[0]
    return int(cols.min()), int(cols.max())


def rivergate_forest(c: Canvas) -> None:
    """The wood north and east of the training center."""
    ys, xs = np.mgrid[0:c.height, 0:c.width]
    edge_e = 188 + 3 * np.sin(ys / 7.0) + 2 * np.sin(ys / 3.1)
    edge_s = 54 + 4 * np.sin(xs / 6.0)
    edge_n = 5 + 2 * np.sin(xs / 5.0) + 1.5 * np.sin(xs / 2.3)
    c.mask(((xs > edge_e) & (ys < edge_s)) | ((ys < edge_n) & (xs > 121)), "forest")
    c.area("zone", 186, 0, 199, 56, "forest")
    c.area("zone", 121, 0, 199, 6, "forest")


def rivergate_streets(c: Canvas) -> None:
    """The east bank's grid (Quay Street along the river, Market and East Street, the roads
    between the blocks) and Gate Street, which crosses the river on the road bridge."""
    road_v(c, 112, 0, 139, 5)  # Quay Street
    road_v(c, 144, 44, 139, 5)  # Market Street
    road_v(c, 174, 29, 139, 5)  # East Street, from the training center's parking lot
    road_h(c, 0, 116, RIVERGATE_GATE_STREET_Y, 5)  # Gate Street
    for y in (44, 80, 116):  # Kennel Road, Market Row, South Street
        road_h(c, 112, 199, y, 5)
    c.sidewalks(2)
    crosswalks(c, [(112, 116)], (RIVERGATE_GATE_STREET_Y,))
    crosswalks(c, [(112, 116), (144, 148), (174, 178)], (44, 80, 116))


def rivergate_river(c: Canvas) -> np.ndarray:
    """The river with its two crossings: the road bridge that carries Gate Street in the north
    (road and footways over the water) and the wooden footbridge in the south, which lands on
    the park's east-west path."""
    river = river_course(c)
    c.mask(river & (c.terrain != "road"), "water")
    top = RIVERGATE_GATE_STREET_Y
    rows = slice(top - 2, top + 7)  # the road and its footways
    footway = river[rows] & (c.terrain[rows] == "water")
    c.terrain[rows][footway] = "sidewalk"
    c.over_water[rows] |= river[rows]
    west, east = shores(river, top)
    c.area("zone", west - 1, top - 2, east + 1, top + 6, "bridge")
    y = RIVERGATE_FOOTBRIDGE_Y
    west, east = shores(river, y)
    c.rect(west - 1, y, east + 1, y + 1, "bridge")
    c.area("zone", west - 1, y, east + 1, y + 1, "bridge")
    outline = [(shores(river, y)[0] - 2, y) for y in range(0, c.height, 10)]
    outline += [(shores(river, y)[1] + 3, y) for y in range(c.height - 1, -1, -10)]
    c.polygon("zone", outline, "river")
    return river


def riverside_walks(c: Canvas, river: np.ndarray) -> None:
    """Gravel walks two tiles from the water on both banks, with trees and benches; the path
    from the footbridge to Quay Street."""
    for y in range(c.height):
        west, east = shores(river, y)
        c.rect(west - 3, y, west - 2, y, "path", where="grass")
        c.rect(east + 2, y, east + 3, y, "path", where="grass")
        for x, every, at, name in ((west - 5, 6, 3, "tree_small"), (east + 5, 6, 3, "tree_small"),
                                   (west - 4, 10, 7, "lamp"), (east + 4, 10, 2, "lamp")):
            if y % every == at and c.terrain[y, x] == "grass" and (x, y) not in c.decor:
                c.decor[(x, y)] = name
    _, east = shores(river, RIVERGATE_FOOTBRIDGE_Y)
    c.rect(east + 2, RIVERGATE_FOOTBRIDGE_Y, 109, RIVERGATE_FOOTBRIDGE_Y + 1, "path",
           where="grass")
    for x, y in ((95, 57), (89, 75), (105, 100), (100, 122)):
        c.decor[(x, y)] = "bench_v"


def east_bank(c: Canvas) -> None:
    """The city on the training center's bank: shops, the town square, the police station, the
    open fish market at the footbridge's end of Quay Street. Nothing is built between the
    footbridge and the market: walls there would catch the scent that the wind blows over
    from the park and hold Rex in a false trail."""
    shops = [(120, 12, 131, 20), (134, 12, 145, 20), (120, 31, 131, 39), (134, 31, 145, 39),
             (120, 52, 128, 60), (134, 52, 141, 60), (120, 67, 127, 75), (134, 67, 141, 75),
             (152, 52, 164, 60), (166, 52, 171, 60), (182, 52, 192, 60), (182, 66, 197, 75),
             (152, 88, 161, 96), (164, 88, 171, 96)]
    buildings(c, shops, ROOFS, "shop")
    c.rect(119, 24, 146, 25, "path", where="grass")  # the lane behind the old warehouses
    houses = [(152, 102, 159, 110), (163, 102, 170, 110), (182, 102, 189, 110),
              (192, 102, 198, 110), (120, 126, 127, 132),
              (131, 126, 138, 132),
              (152, 126, 159, 132), (163, 126, 170, 132), (182, 126, 189, 132),
              (192, 126, 198, 132)]
    buildings(c, houses, ["brown", "red", "slate"], "house", first=40, front="path",
              hedge=True)
    # The police station in the south-east, away from Rex's way to the river: its cars reach
    # the park only by the road bridge.
    police_station(c, 182, 88, 194, 96, "river town police station")
    # The town square.
    c.rect(151, 65, 171, 77, "path", where="grass")
    for x, y, name in ((154, 67, "tree_small"), (168, 67, "tree_small"),
                       (154, 75, "tree_small"), (168, 75, "tree_small"), (158, 71, "bench_h"),
                       (164, 71, "bench_h"), (161, 68, "flowerbed"), (161, 74, "flowerbed")):
        c.decor[(x, y)] = name
    c.point("loudspeaker", 161, 66, "square loudspeaker", [("radius", "float", 35.0)])
    c.point("scent_source", 143, 64, "bins",
            [("strength", "float", 0.15), ("label", "string", "restaurant bins")])
    c.decor[(143, 64)] = "bin"
    # The fish market: rows of stalls on a paved square, trees and benches round it.
    c.rect(119, 87, 141, 113, "path", where="grass")
    for x in (123, 129, 135):
        for y in (93, 99, 107):
            c.decor[(x, y)] = "stall"
    for x, y, name in ((120, 88, "tree_small"), (140, 88, "tree_small"),
                       (120, 112, "tree_small"), (140, 112, "tree_small"),
                       (126, 103, "bench_h"), (132, 103, "bench_h"), (138, 96, "bin")):
        c.decor[(x, y)] = name
    c.point("scent_source", 129, 99, "fish market",
            [("strength", "float", 0.35), ("label", "string", "fish market")])
    for x0, y0, x1, y1, count in ((119, 49, 171, 50, 6), (119, 85, 199, 86, 6),
                                  (151, 65, 171, 77, 8), (96, 40, 109, 100, 5),
                                  (119, 87, 141, 113, 6),
                                  (119, 121, 199, 122, 4)):
        c.area("civilian_spawn", x0, y0, x1, y1, "pedestrians", [("count", "int", count)])


def west_bank(c: Canvas) -> None:
    """Across the river: the residential lanes and houses around the park, and Mila's school
    in the south-west, beyond the park as Rex comes (so that the scent left at the school
    does not lie across his way to the park)."""
    road_v(c, 30, 0, 139, 3)  # Mill Lane
    for y in (60, 84, 128):  # Elm Road, Park Road, South Road
        road_h(c, 0, 80, y, 3)
    c.sidewalks(1)
    houses = [(x0, y0, x0 + w, y0 + 6)
              for y0 in (18, 40, 51, 67)
              for x0, w in ((4, 7), (15, 8), (36, 7), (47, 7), (58, 7), (69, 7))]
    houses += [(4, 90, 11, 96), (15, 90, 23, 96), (36, 90, 43, 96), (36, 114, 43, 120),
               (4, 133, 11, 138), (15, 133, 23, 138), (36, 133, 43, 138), (47, 133, 54, 138),
               (58, 133, 65, 138), (69, 133, 76, 138)]
    buildings(c, houses, ["brown", "red", "slate"], "house", front="path", hedge=True)
    school(c, 4, 104, 24, 116, 10)
    c.rect(34, 106, 45, 107, "path", where="grass")  # Mill Lane to the park's west gate
    c.rect(59, 125, 60, 127, "path", where="grass")  # the park's south gate to South Road
    c.point("scent_source", 52, 77, "a neighbour's dog",
            [("strength", "float", 0.3), ("label", "string", "a neighbour's dog")])
    c.point("loudspeaker", 40, 36, "Gate Street loudspeaker", [("radius", "float", 30.0)])
    c.point("police_spawn", 33, 98, "patrol car", [("officers", "int", 2), ("cars", "int", 1)])
    for x0, y0, x1, y1, count in ((0, 35, 80, 36, 5), (0, 82, 80, 83, 6),
                                  (76, 40, 88, 100, 4)):
        c.area("civilian_spawn", x0, y0, x1, y1, "neighbours", [("count", "int", count)])
    # North of the houses on Gate Street: allotments and the old orchard.
    allotments(c, [(x, y) for x in (3, 9, 15, 21) for y in (3, 9)])
    for x in range(37, 86, 4):
        for y in range(3, 14, 4):
            if c.terrain[y, x] == "grass":
                c.decor[(x, y)] = "tree_small"
    scatter_trees(c, 23, 120, (0, 88), (15, 139), 0.7)  # in the gardens


def rivergate(manifest: Manifest) -> None:
    """A river town: the river runs north to south through the middle and only two bridges
    cross it, 75 tiles apart, so they are the choke points.

    The training center sits at the forest's edge in the north-east, on the city bank, with the
    city's grid south of it. The residential bank across the river holds the park (pond, the
    old maple) and, beyond it as Rex comes, Mila's school in the south-west: Mila walks to the
    maple on her own bank. Rex's way runs south-west through the city blocks and the open fish
    market to the wooden footbridge, which crosses the river's narrows onto the park's
    east-west path; pushed north by the police, he can take the road bridge on Gate Street and
    come down the residential lanes, the long way. Cars cannot use the footbridge: from the
    police station in the south-east they drive round by the road bridge; officers on foot
    hold the footbridge, where most chases that end without Mila end.

    The wind blows toward the east-north-east, from the park over the footbridge to the city:
    Rex tracks upwind, and the scent crosses the water best at the narrows, so the trail leads
    to the footbridge rather than to a shore with no way over.
    """
    c = Canvas(200, 140, seed=17)
    rivergate_forest(c)
    facility(c, 134, 0)  # the compound's gate is East Street, through its south fence
    rivergate_streets(c)
    river = rivergate_river(c)
    west_bank(c)
    park(c, 46, 88)
    east_bank(c)
    riverside_walks(c, river)
    lamps(c)
    c.area("zone", 102, 0, 199, 139, "city")
    c.area("zone", 0, 0, 88, 139, "residential")
    c.write("rivergate", manifest, [
        ("wind_deg", "float", 345.0),
        ("wind_speed", "float", 0.6),
        ("start_clock", "string", "17:00"),
        ("sunset_clock", "string", "18:20"),
    ])


def main() -> None:
    manifest = Manifest.load()
    lakeside(manifest)
    rivergate(manifest)


if __name__ == "__main__":
    main()
