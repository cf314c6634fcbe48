"""Generate the shipped maps (``python -m tools.make_maps``), as the story lays them out.

``lakeside``: the K9 training center at the forest edge in the north-west, the city's streets to
the east, a lake with a wooden footbridge across its waist, a river with one road bridge, the
residential district with Mila's school, and the park with its pond and the old maple tree.
Rex has three ways to the park: the footbridge, the road bridge, or around the lake's west end.

The committed .tmx files are ordinary Tiled maps: edit them in Tiled; regenerate only to start
over.
"""

from __future__ import annotations

import numpy as np

from tools.mapgen import Canvas, Manifest


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


def forest(c: Canvas) -> None:
    ys, xs = np.mgrid[0:c.height, 0:c.width]
    edge_w = 11 + 3 * np.sin(ys / 7.0) + 2 * np.sin(ys / 3.1)
    edge_n = 6 + 2 * np.sin(xs / 5.0) + 1.5 * np.sin(xs / 2.3)
    trees = (xs < edge_w) | ((ys < edge_n) & (xs < 80))
    trees |= c.ellipse(26, 96, 16, 22, wobble=0.25)  # the wood west of the lake
    c.mask(trees, "forest")


def facility(c: Canvas) -> None:
    """The K9 training center: fenced compound, kennels, yard, command center."""
    c.rect(14, 8, 50, 40, "grass")
    c.frame(14, 8, 50, 40, "fence")
    c.rect(50, 29, 50, 35, "grass")  # the entrance in the east fence
    # Kennel block: an outer wall with four runs separated by bars, gates to the yard.
    c.rect(16, 11, 35, 19, "wall")
    c.rect(17, 12, 34, 18, "floor")
    c.indoor[12:19, 17:35] = True
    for x in (21, 26, 31):
        c.rect(x, 12, x, 18, "wall")
        c.bars[12:19, x] = True
    c.bars[19, 17:35] = True
    for x in (19, 24, 29, 33):  # the runs' gates in the south bars
        c.rect(x, 19, x, 19, "floor")
        c.decor[(x, 19)] = "gate_h"
    c.decor[(22, 13)] = "doghouse"
    c.decor[(18, 13)] = "doghouse"
    c.point("rex_spawn", 24, 15, "Rex's kennel")
    c.point("kennel_gate", 24, 19, "kennel latch", [("latch_s", "float", 35.0)])
    # The other gates stay shut for good: their dogs are not part of this story.
    for x in (19, 29, 33):
        c.rect(x, 19, x, 19, "wall")
        c.bars[19, x] = True
    # Training yard.
    c.rect(16, 24, 34, 38, "floor")
    for x, y, name in ((19, 27, "hurdle"), (24, 27, "hurdle"), (29, 27, "hurdle"),
                       (21, 33, "tunnel"), (27, 33, "tunnel")):
        c.decor[(x, y)] = name
    # Command center with its door, the parking lot and the access road.
    c.building(37, 11, 48, 19, "flat")
    c.door(42, 19, "command center")
    c.rect(37, 20, 48, 22, "sidewalk")
    c.point("dylan_spawn", 42, 21, "command center")
    c.rect(37, 24, 48, 28, "floor")
    c.decor[(38, 25)] = "car_parked_v"
    c.decor[(40, 25)] = "car_parked_v"
    c.point("police_spawn", 44, 23, "K9 unit", [("officers", "int", 2), ("cars", "int", 1)])
    c.point("loudspeaker", 40, 23, "facility loudspeaker", [("radius", "float", 30.0)])
    road_h(c, 37, 60, 30, 5)
    c.area("zone", 14, 8, 50, 40, "facility")


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
    for x0, x1 in ((56, 60), (94, 98), (130, 134), (166, 170)):
        for y in (14, 54):
            crossing(c, x0, y - 1, x1, y - 1, "crossing_v")
            crossing(c, x0, y + 5, x1, y + 5, "crossing_v")
    roofs = ["red", "slate", "brown", "flat"]
    shops = [
        (63, 2, 73, 10), (75, 2, 91, 10), (101, 2, 114, 10), (116, 2, 127, 10),
        (137, 2, 150, 10), (152, 2, 163, 10), (173, 2, 187, 10),
        (63, 22, 75, 30), (78, 22, 91, 30), (101, 22, 110, 31), (137, 22, 150, 30),
        (153, 22, 163, 30), (173, 22, 189, 31),
        (63, 42, 74, 50), (77, 42, 91, 50), (137, 42, 147, 50), (150, 42, 163, 50),
        (173, 42, 189, 50),
    ]
    for i, (x0, y0, x1, y1) in enumerate(shops):
        c.building(x0, y0, x1, y1, roofs[i % len(roofs)])
        c.door((x0 + x1) // 2, y1, f"shop {i + 1}")
        c.rect(x0, y1 + 1, x1, y1 + 1, "sidewalk", where="grass")
    # The police station, on the square.
    c.building(114, 22, 126, 30, "slate")
    c.door(120, 30, "police station")
    c.rect(113, 31, 127, 32, "sidewalk", where="grass")
    c.point("police_spawn", 120, 32, "city police station",
            [("officers", "int", 3), ("cars", "int", 2)])
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
    # Mila's school, its yard and her spawn at the gate.
    c.building(64, 92, 80, 102, "red")
    c.door(72, 102, "school")
    c.rect(64, 103, 80, 105, "floor")
    c.point("mila_spawn", 72, 104, "Mila's school")
    c.point("loudspeaker", 72, 96, "school intercom", [("radius", "float", 25.0)])
    houses = [(84, 96, 89, 101), (92, 96, 97, 101), (112, 96, 117, 101),
              (60, 112, 65, 117), (70, 112, 75, 117), (80, 112, 85, 117), (90, 112, 95, 117),
              (100, 112, 105, 117), (110, 112, 115, 117), (120, 112, 125, 117),
              (176, 82, 183, 88), (176, 96, 183, 102), (176, 110, 183, 116)]
    roofs = ["brown", "red", "slate"]
    for i, (x0, y0, x1, y1) in enumerate(houses):
        c.building(x0, y0, x1, y1, roofs[i % 3])
        c.door((x0 + x1) // 2, y1, f"house {i + 1}")
        c.rect(x0, y1 + 1, x1, y1 + 1, "path", where="grass")
        c.rect(x0 - 1, y0 - 2, x1 + 1, y0 - 2, "hedge", where="grass")
    c.point("scent_source", 94, 94, "a neighbour's dog",
            [("strength", "float", 0.3), ("label", "string", "a neighbour's dog")])
    # The path from the footbridge's south end into the streets.
    bridge_end = int(np.nonzero(c.terrain[:, 105] == "bridge")[0].max())
    c.rect(105, bridge_end + 1, 106, 106, "path", where="grass")
    c.area("civilian_spawn", 60, 104, 100, 106, "neighbours", [("count", "int", 6)])
    c.area("zone", 56, 88, 191, 127, "residential")
    c.point("police_spawn", 178, 120, "patrol car",
            [("officers", "int", 2), ("cars", "int", 1)])


def park(c: Canvas) -> None:
    """The park: lawn, gravel paths, hedges, the pond and the old maple tree."""
    x0, y0, x1, y1 = 128, 86, 162, 122
    c.rect(x0, y0, x1, y1, "grass")
    c.lawn[y0:y1 + 1, x0:x1 + 1] = True
    c.frame(x0, y0, x1, y1, "hedge")
    c.rect(x0, 104, x1, 105, "path")  # east-west path, through gaps in the hedge
    c.rect(141, y0, 142, y1, "path")  # north-south path
    c.rect(141, 96, x1, 97, "path")  # the branch to the east gate
    pond = c.ellipse(155, 112, 6.0, 4.5, wobble=0.15)
    c.mask(pond, "water")
    c.decor[(153, 111)] = "lily"
    c.decor[(157, 113)] = "lily"
    # The maple tree on the pond's west bank, Mila's place beneath it.
    mx, my = 147, 110
    for dx, dy, name in ((-1, -2, "maple_tl"), (0, -2, "maple_tr"), (-1, -1, "maple_bl"),
                         (0, -1, "maple_br")):
        c.decor[(mx + dx, my + dy)] = name
    c.point("maple_tree", mx, my, "the old maple tree")
    for x, y, name in ((138, 103, "bench_h"), (150, 103, "bench_h"), (143, 100, "bench_v"),
                       (133, 110, "picnic_table"), (139, 116, "picnic_table"),
                       (143, 106, "lamp"), (150, 98, "lamp"), (132, 100, "flowerbed"),
                       (156, 92, "flowerbed"), (158, 118, "bin")):
        c.decor[(x, y)] = name
    for x, y in ((131, 90), (157, 101), (133, 118), (151, 119)):
        c.rect(x, y, x + 1, y + 1, "forest")
    c.area("civilian_spawn", 130, 88, 160, 120, "people in the park", [("count", "int", 8)])
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
    rng = np.random.default_rng(11)
    for _ in range(90):
        x, y = int(rng.integers(14, 54)), int(rng.integers(42, 126))
        if c.terrain[y, x] == "grass" and (x, y) not in c.decor:
            c.decor[(x, y)] = "tree_small" if rng.random() < 0.6 else "bush_small"
    for x0, y0 in ((40, 112), (46, 112), (40, 118), (46, 118)):  # allotments by the trail
        c.rect(x0, y0, x0 + 3, y0 + 3, "hedge", where="grass")
        c.rect(x0 + 1, y0 + 1, x0 + 2, y0 + 2, "grass")
        c.decor[(x0 + 1, y0 + 1)] = "flowerbed"
        c.rect(x0 + 1, y0 + 3, x0 + 1, y0 + 3, "grass")
    for x, y in ((52, 62), (52, 80), (52, 98)):
        c.decor[(x, y)] = "bench_v"
    c.area("civilian_spawn", 30, 60, 50, 100, "walkers on the trail", [("count", "int", 4)])


def east_side(c: Canvas) -> None:
    """Across the river bridge: more houses, gardens and a corner shop."""
    for i, (x0, y0, x1, y1) in enumerate(((184, 82, 190, 88), (184, 96, 190, 102),
                                          (184, 110, 190, 116))):
        c.building(x0, y0, x1, y1, ("slate", "red", "brown")[i])
        c.door((x0 + x1) // 2, y1, f"house {20 + i}")
        c.rect(x0, y1 + 1, x1, y1 + 1, "path", where="grass")
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


def main() -> None:
    manifest = Manifest.load()
    lakeside(manifest)


if __name__ == "__main__":
    main()
