"""Random valid maps of many shapes, for claims that must hold "on any valid map".

Each map has a walled kennel with a gate, rivers or lakes crossed by bridges, building blocks,
roads, forest, hedges and random wind; Mila's spawn and the maple tree are placed where Rex can
reach them, as the contract demands. ``generate(seed, directory)`` writes one and returns its
path; the same seed gives the same map.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from game.mapcheck import check_file
from tests import mapkit
from tools import tmxwrite

TILE = mapkit.TILE


def _paint(seed: int) -> tuple[np.ndarray, dict[str, tuple[int, int]], dict, list]:
    rng = np.random.default_rng(seed)
    width, height = int(rng.integers(48, 200)), int(rng.integers(36, 140))
    t = np.full((height, width), "grass", dtype=object)
    ys, xs = np.mgrid[0:height, 0:width]
    for _ in range(int(rng.integers(0, 4))):  # forest patches
        cx, cy, r = rng.uniform(0, width), rng.uniform(0, height), rng.uniform(3, 12)
        t[(xs - cx) ** 2 + (ys - cy) ** 2 < r * r] = "forest"
    for _ in range(int(rng.integers(0, 3))):  # roads with sidewalks
        if rng.random() < 0.5:
            y0 = int(rng.integers(2, height - 6))
            t[y0 - 1:y0 + 4, :] = "sidewalk"
            t[y0:y0 + 3, :] = "road"
        else:
            x0 = int(rng.integers(2, width - 6))
            t[:, x0 - 1:x0 + 4] = "sidewalk"
            t[:, x0:x0 + 3] = "road"
    blocks = int(rng.integers(0, width * height // 300 + 1))
    for _ in range(blocks):  # buildings
        w, h = int(rng.integers(3, 12)), int(rng.integers(3, 10))
        x0, y0 = int(rng.integers(0, width - w)), int(rng.integers(0, height - h))
        if (t[y0:y0 + h, x0:x0 + w] == "grass").all():
            t[y0:y0 + h, x0:x0 + w] = "building"
    water = rng.choice(["river", "lake", "none", "river"])
    if water == "river":
        vertical = rng.random() < 0.5
        length, across = (height, width) if vertical else (width, height)
        centre = rng.uniform(across * 0.3, across * 0.7)
        half = rng.uniform(1.0, 5.0)
        along = np.arange(length)
        path = centre + rng.uniform(0, 6) * np.sin(along / rng.uniform(6, 20))
        for i in range(length):
            lo, hi = int(path[i] - half), int(path[i] + half) + 1
            if vertical:
                t[i, max(lo, 0):hi] = "water"
            else:
                t[max(lo, 0):hi, i] = "water"
        for _ in range(int(rng.integers(1, 3))):  # bridges, one or two, anywhere along it
            at = int(rng.integers(2, length - 3))
            lo, hi = int(path[at] - half) - 1, int(path[at] + half) + 2
            if vertical:
                t[at:at + 2, max(lo, 0):hi][t[at:at + 2, max(lo, 0):hi] == "water"] = "bridge"
            else:
                t[max(lo, 0):hi, at:at + 2][t[max(lo, 0):hi, at:at + 2] == "water"] = "bridge"
    elif water == "lake":
        cx, cy = rng.uniform(0.3, 0.7) * width, rng.uniform(0.3, 0.7) * height
        rx, ry = rng.uniform(4, width / 4), rng.uniform(3, height / 4)
        t[((xs - cx) / rx) ** 2 + ((ys - cy) / ry) ** 2 < 1] = "water"
    for _ in range(int(rng.integers(0, 5))):  # hedges
        y0, x0 = int(rng.integers(0, height)), int(rng.integers(0, width - 8))
        t[y0, x0:x0 + int(rng.integers(3, 8))] = "hedge"
    # The kennel: a walled box with a gate in one side.
    kx, ky = int(rng.integers(1, width - 7)), int(rng.integers(1, height - 6))
    t[ky:ky + 5, kx:kx + 6] = "wall"
    t[ky + 1:ky + 4, kx + 1:kx + 5] = "floor"
    gate = (kx + 5, ky + 2)
    t[gate[1], gate[0]] = "floor"
    t[gate[1], min(gate[0] + 1, width - 1)] = "grass"
    spots = {"rex_spawn": (kx + 2, ky + 2), "kennel_gate": gate}
    props = {"wind_deg": float(rng.uniform(0, 360)), "wind_speed": float(rng.uniform(0, 2.0))}
    return t, spots, props, [width, height, kx, ky]


def generate(seed: int, directory: Path) -> Path:
    """Write a valid random map (retrying its layout until the checker agrees)."""
    attempt = 0
    while True:
        path = _try(seed * 1000 + attempt, directory)
        if path is not None:
            return path
        attempt += 1


def _try(seed: int, directory: Path) -> Path | None:
    rng = np.random.default_rng(seed + 7)
    t, spots, props, (width, height, kx, ky) = _paint(seed)
    terrain_ids = {name: mapkit._gid(name) for name in mapkit.TERRAIN_CHARS.values()}
    gids = np.vectorize(terrain_ids.get)(t).astype(np.uint32)
    walk = np.isin(t, ["grass", "path", "sidewalk", "floor", "road", "bridge", "forest"])
    free = walk.copy()
    free[max(ky - 1, 0):ky + 6, max(kx - 1, 0):kx + 7] = False
    cells = np.argwhere(free)
    if len(cells) < 10:
        return None
    pick = [tuple(int(v) for v in cells[int(rng.integers(len(cells)))][::-1]) for _ in range(4)]
    spots.update({"mila_spawn": pick[0], "maple_tree": pick[1], "dylan_spawn": pick[2],
                  "police_spawn": pick[3]})
    objects = []
    for i, (kind, (x, y)) in enumerate(spots.items(), start=1):
        extra = [("cars", "int", 0)] if kind == "police_spawn" else []
        objects.append(tmxwrite.MapObject(i, kind, (x + 0.5) * TILE, (y + 0.5) * TILE,
                                          properties=extra))
    for j, name in enumerate(("facility", "city", "bridge", "park")):
        if name == "facility":
            box = (kx, ky, 7, 6)
        elif name == "park":
            mx, my = spots["maple_tree"]
            box = (max(mx - 3, 0), max(my - 3, 0), 7, 7)
        else:
            box = (0, 0, width, height)
        objects.append(tmxwrite.MapObject(10 + j, "zone", box[0] * TILE, box[1] * TILE,
                                          name=name, width=box[2] * TILE, height=box[3] * TILE,
                                          shape="rectangle"))
    layers = [tmxwrite.TileLayer("ground", gids, "zlib"),
              tmxwrite.ObjectLayer("objects", objects)]
    map_props = [("wind_deg", "float", props["wind_deg"]),
                 ("wind_speed", "float", props["wind_speed"])]
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"random{seed}.tmx"
    path.write_text(tmxwrite.map_xml(width, height, TILE, [mapkit.terrain_tileset()], layers,
                                     map_props))
    ok, _ = check_file(path)
    if not ok:
        path.unlink()
        return None
    return path
