"""Map families built to break Rex's tracking, the police and the crowd: seeded generators.

Each family is a shape that an outside map author might draw and that a scent-climbing dog
gets wrong: (a) ``river``: a river or canal across the whole map, crossed 1 to 3 times far from
the straight line between kennel and maple (sometimes only near its ends); (b) ``upwind``: the
strongest wind the contract allows (50 tiles/s) blowing from Rex toward Mila; (c) ``lake``: a
lake in the middle whose only crossing is on its far side; (d) ``island``: an island (or a
spit against the map's edge) reached by one bridge, with Mila or the kennel on it; (e)
``maze``: narrow alleys, one or two tiles wide, between dense blocks; (f) ``fences``: fence and
hedge lines he must leap or push through, with distracting smells in dead ends; (g) ``sizes``:
mixed maps from 64 x 48 up to 512 x 384.

``generate(family, index, directory)`` writes map ``index`` of a family and returns its path;
the same family and index give the same map. Every map passes ``rex check-map`` (the generator
retries a layout until the checker agrees). Maps carry police spawns (with cars only where a
road can be reached, sometimes far from it), passers-by and doors, loudspeakers and scent
sources, so that the full cast can be soaked on them too.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np

from game import contract
from game.contract import TERRAIN_ID
from game.grids import reachable
from game.mapcheck import check_file
from tests import mapkit
from tools import tmxwrite

TILE = mapkit.TILE
FAMILIES = ("river", "upwind", "lake", "island", "maze", "fences", "sizes")
LETTERS = dict(zip(FAMILIES, "abcdefg", strict=True))
MAX_WIND = 50.0  # tiles per second: the contract's largest wind_speed
SIZES = ((64, 48), (512, 384))  # family (g) spans these, smallest to largest

G, P, S, F, R, B, T, FE, H, W, BU, WA = (TERRAIN_ID[name] for name in (
    "grass", "path", "sidewalk", "floor", "road", "bridge", "forest", "fence", "hedge", "wall",
    "building", "water"))
FOOT = np.isfinite(contract.COST["foot"])
DOG = np.isfinite(contract.COST["dog"])


class Canvas:
    """A terrain grid being painted, the objects placed on it and the map's properties."""

    def __init__(self, width: int, height: int, rng: np.random.Generator):
        self.width, self.height, self.rng = width, height, rng
        self.t = np.full((height, width), G, np.uint8)
        self.ys, self.xs = np.mgrid[0:height, 0:width]
        self.points: list[tuple[str, int, int, list]] = []
        self.rects: list[tuple[str, int, int, int, int, str, list]] = []
        self.wind_deg = float(rng.uniform(0, 360))
        self.wind_speed = float(rng.uniform(0, 2.0))
        self.kennel: tuple[int, int] = (0, 0)  # the kennel's top-left corner
        self.spots: dict[str, tuple[int, int]] = {}

    # -- painting --------------------------------------------------------------------------

    def rect(self, x0: int, y0: int, x1: int, y1: int, terrain: int) -> None:
        """Fill cells x0..x1-1, y0..y1-1 (clipped)."""
        self.t[max(y0, 0):max(y1, 0), max(x0, 0):max(x1, 0)] = terrain

    def disc(self, cx: float, cy: float, rx: float, ry: float, terrain: int) -> np.ndarray:
        mask = ((self.xs + 0.5 - cx) / rx) ** 2 + ((self.ys + 0.5 - cy) / ry) ** 2 < 1
        self.t[mask] = terrain
        return mask

    def scatter(self, forest: int = 3, buildings: int | None = None, roads: int = 2) -> None:
        """Forest patches, roads with sidewalks and building blocks, on grass only."""
        rng, w, h = self.rng, self.width, self.height
        for _ in range(int(rng.integers(0, forest + 1))):
            self.disc(rng.uniform(0, w), rng.uniform(0, h), *(rng.uniform(3, 10, 2)), T)
        for _ in range(int(rng.integers(0, roads + 1))):
            if rng.random() < 0.5:
                y0 = int(rng.integers(2, h - 6))
                self.rect(0, y0 - 1, w, y0 + 4, S)
                self.rect(0, y0, w, y0 + 3, R)
            else:
                x0 = int(rng.integers(2, w - 6))
                self.rect(x0 - 1, 0, x0 + 4, h, S)
                self.rect(x0, 0, x0 + 3, h, R)
        count = w * h // 250 if buildings is None else buildings
        for _ in range(int(rng.integers(0, count + 1))):
            bw, bh = int(rng.integers(3, 12)), int(rng.integers(3, 10))
            x0, y0 = int(rng.integers(0, max(1, w - bw))), int(rng.integers(0, max(1, h - bh)))
            if (self.t[y0:y0 + bh, x0:x0 + bw] == G).all():
                self.rect(x0, y0, x0 + bw, y0 + bh, BU)

    def river(self, vertical: bool, centre: float, half: float, wiggle: float
              ) -> np.ndarray:
        """A river across the whole map; returns its centre line along its length."""
        length = self.height if vertical else self.width
        along = np.arange(length)
        line = centre + wiggle * np.sin(along / self.rng.uniform(6, 25) + self.rng.uniform(0, 6))
        for i in range(length):
            lo, hi = int(line[i] - half), int(line[i] + half) + 1
            if vertical:
                self.t[i, max(lo, 0):max(hi, 0)] = WA
            else:
                self.t[max(lo, 0):max(hi, 0), i] = WA
        return line

    def bridge(self, vertical: bool, line: np.ndarray, half: float, at: int, width: int,
               road: bool = False) -> None:
        """A crossing ``width`` cells wide over the river at position ``at`` along it; a road
        bridge carries a road between footways."""
        lo, hi = int(line[at] - half) - 2, int(line[at] + half) + 3
        for k in range(width):
            i = at + k
            if not 0 <= i < len(line):
                continue
            deck = B if not road else (S if k in (0, width - 1) else R)
            span = self.t[i, max(lo, 0):max(hi, 0)] if vertical else self.t[
                max(lo, 0):max(hi, 0), i]
            span[span == WA] = deck

    def crossed_river(self, centre: tuple[float, float], half: tuple[float, float],
                      wiggle: float, bridges: int, road: float = 0.0) -> None:
        """A river across the map at a random share ``centre`` of its width, crossed by 1 to
        ``bridges`` bridges anywhere along it (a road bridge with chance ``road``)."""
        rng = self.rng
        vertical = rng.random() < 0.5
        across, length = (self.width, self.height) if vertical else (self.height, self.width)
        width = rng.uniform(*half)
        line = self.river(vertical, rng.uniform(*centre) * across, width,
                          rng.uniform(0, wiggle))
        for _ in range(int(rng.integers(1, bridges + 1))):
            self.bridge(vertical, line, width, int(rng.integers(2, length - 4)),
                        int(rng.integers(2, 4)), road=bool(road) and rng.random() < road)

    def kennel_at(self, x: int, y: int, side: str = "east") -> None:
        """The walled kennel with its gate, its top-left corner at (x, y) (6 x 5 cells)."""
        self.rect(x - 1, y - 1, x + 8, y + 7, G)
        self.rect(x, y, x + 6, y + 5, W)
        self.rect(x + 1, y + 1, x + 5, y + 4, F)
        gates = {"east": ((x + 5, y + 2), (x + 6, y + 2)), "west": ((x, y + 2), (x - 1, y + 2)),
                 "south": ((x + 3, y + 4), (x + 3, y + 5)), "north": ((x + 3, y), (x + 3, y - 1))}
        gate, beyond = gates[side]
        self.t[gate[1], gate[0]] = F
        if 0 <= beyond[0] < self.width and 0 <= beyond[1] < self.height:
            self.t[beyond[1], beyond[0]] = G
        self.kennel = (x, y)
        self.spots["rex_spawn"] = (x + 2, y + 2)
        self.spots["kennel_gate"] = gate

    def kennel_near(self, x: float, y: float) -> None:
        """A kennel as near (x, y) as fits inside the map, its gate facing the map's middle."""
        kx = int(min(max(x - 3, 2), self.width - 9))
        ky = int(min(max(y - 2, 2), self.height - 8))
        dx, dy = self.width / 2 - (kx + 3), self.height / 2 - (ky + 2)
        side = ("east" if dx > 0 else "west") if abs(dx) * self.height >= abs(dy) * self.width \
            else ("south" if dy > 0 else "north")
        self.kennel_at(kx, ky, side)

    def clear(self, x: float, y: float, radius: int, terrain: int = G) -> None:
        """Open ground round (x, y) (a park, a square)."""
        x, y = int(x), int(y)
        self.rect(x - radius, y - radius, x + radius + 1, y + radius + 1, terrain)

    # -- objects ---------------------------------------------------------------------------

    def point(self, kind: str, x: int, y: int, props: list | None = None) -> None:
        self.points.append((kind, x, y, props or []))

    def area(self, kind: str, x0: int, y0: int, w: int, h: int, name: str = "",
             props: list | None = None) -> None:
        x0, y0 = max(0, x0), max(0, y0)
        w, h = min(w, self.width - x0), min(h, self.height - y0)
        self.rects.append((kind, x0, y0, w, h, name, props or []))


def _cells(mask: np.ndarray) -> np.ndarray:
    return np.argwhere(mask)[:, ::-1]  # (x, y)


def _pick(rng: np.random.Generator, mask: np.ndarray, near: tuple[float, float] | None = None,
          spread: float = 6.0) -> tuple[int, int] | None:
    """A random cell of ``mask``, preferably within ``spread`` of ``near``."""
    cells = _cells(mask)
    if len(cells) == 0:
        return None
    if near is not None:
        gap = np.hypot(cells[:, 0] + 0.5 - near[0], cells[:, 1] + 0.5 - near[1])
        close = cells[gap <= max(spread, gap.min() + 1.5)]
        cells = close if len(close) else cells
    x, y = cells[int(rng.integers(len(cells)))]
    return int(x), int(y)


def furnish(c: Canvas, maple: tuple[float, float], mila: tuple[float, float] | None = None
            ) -> bool:
    """Place everything but the kennel: Mila, the maple, Dylan, police, passers-by, doors,
    loudspeakers, scent sources and the zones; False if the layout cannot take them."""
    rng = c.rng
    t = c.t
    dog, foot = DOG[t], FOOT[t]
    gate = c.spots["kennel_gate"]
    kx, ky = c.kennel
    yard = np.zeros_like(foot)
    yard[max(ky - 2, 0):ky + 8, max(kx - 2, 0):kx + 9] = True
    from_gate = reachable(dog, np.array([gate]))
    open_foot = foot & from_gate & ~yard & (t != F)
    tree = _pick(rng, open_foot, maple, 4.0)
    if tree is None:
        return False
    spawn = _pick(rng, open_foot, mila if mila is not None else tree, 12.0)
    if spawn is None:
        return False
    c.spots["maple_tree"], c.spots["mila_spawn"] = tree, spawn
    park = reachable(foot, np.array([tree]))
    dylan = _pick(rng, foot & yard & (t != F)) or _pick(rng, park, (kx + 3, ky + 3), 20.0)
    if dylan is None:
        return False
    c.spots["dylan_spawn"] = dylan
    roads = (t == R) & park
    for k in range(int(rng.integers(1, 4))):
        where = _pick(rng, park & ~yard) if k else _pick(rng, park, (kx + 3, ky + 3), 25.0)
        if where is None:
            return False
        cars = int(rng.integers(1, 3)) if roads.any() and rng.random() < 0.7 else 0
        c.point("police_spawn", *where, [("officers", "int", int(rng.integers(1, 4))),
                                         ("cars", "int", cars)])
    walkers = park & (t != R)
    crowds = int(rng.integers(0, 4))
    for _ in range(crowds):
        where = _pick(rng, walkers)
        if where is not None:
            c.area("civilian_spawn", where[0] - 2, where[1] - 2, 5, 5, "",
                   [("count", "int", int(rng.integers(2, 8)))])
    walls = (t == BU) | (t == W)
    beside = np.zeros_like(walls)
    beside[1:, :] |= foot[:-1, :]
    beside[:-1, :] |= foot[1:, :]
    beside[:, 1:] |= foot[:, :-1]
    beside[:, :-1] |= foot[:, 1:]
    doors = int(rng.integers(1, 6))
    for _ in range(doors):
        where = _pick(rng, walls & beside & ~yard) or _pick(rng, walkers)
        if where is not None:
            c.point("door", *where)
    for _ in range(int(rng.integers(0, 3))):
        c.point("loudspeaker", int(rng.integers(c.width)), int(rng.integers(c.height)),
                [("radius", "float", float(rng.uniform(10, 40)))])
    for _ in range(int(rng.integers(0, 3))):  # smells anywhere, water and roofs included
        c.point("scent_source", int(rng.integers(c.width)), int(rng.integers(c.height)),
                [("strength", "float", round(float(rng.uniform(0.05, 1.5)), 3)),
                 ("label", "string", "bins")])
    c.area("zone", kx - 1, ky - 1, 8, 7, "facility")
    c.area("zone", 0, 0, c.width, c.height, "city")
    c.area("zone", 0, 0, c.width, c.height, "bridge")
    c.area("zone", tree[0] - 3, tree[1] - 3, 7, 7, "park")
    return True


def write(c: Canvas, path: Path) -> Path | None:
    """The canvas as a TMX map, or None if the checker rejects it."""
    objects = []
    next_id = 1
    for kind in ("rex_spawn", "kennel_gate", "mila_spawn", "maple_tree", "dylan_spawn"):
        x, y = c.spots[kind]
        objects.append(tmxwrite.MapObject(next_id, kind, (x + 0.5) * TILE, (y + 0.5) * TILE))
        next_id += 1
    for kind, x, y, props in c.points:
        objects.append(tmxwrite.MapObject(next_id, kind, (x + 0.5) * TILE, (y + 0.5) * TILE,
                                          properties=props))
        next_id += 1
    for kind, x0, y0, w, h, name, props in c.rects:
        objects.append(tmxwrite.MapObject(next_id, kind, x0 * TILE, y0 * TILE, name=name,
                                          width=w * TILE, height=h * TILE, shape="rectangle",
                                          properties=props))
        next_id += 1
    layers = [tmxwrite.TileLayer("ground", c.t.astype(np.uint32), "zlib"),
              tmxwrite.ObjectLayer("objects", objects)]
    props = [("wind_deg", "float", round(c.wind_deg, 3)),
             ("wind_speed", "float", round(c.wind_speed, 3))]
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(tmxwrite.map_xml(c.width, c.height, TILE, [mapkit.terrain_tileset()],
                                     layers, props))
    ok, _ = check_file(path)
    if not ok:
        path.unlink()
        return None
    return path


# -- the families ------------------------------------------------------------------------------


def _size(rng: np.random.Generator, low: tuple[int, int] = (96, 72),
          high: tuple[int, int] = (200, 150)) -> tuple[int, int]:
    return int(rng.integers(low[0], high[0] + 1)), int(rng.integers(low[1], high[1] + 1))


def _wind_from_to(c: Canvas, a: tuple[float, float], b: tuple[float, float], speed: float
                  ) -> None:
    """Wind blowing from a toward b."""
    c.wind_deg = math.degrees(math.atan2(b[1] - a[1], b[0] - a[0])) % 360
    c.wind_speed = speed


def river(index: int, rng: np.random.Generator) -> Canvas:
    """(a) A river or canal across the whole map, crossed far from the kennel-maple line."""
    w, h = _size(rng)
    c = Canvas(w, h, rng)
    c.scatter(forest=2, roads=1)
    vertical = rng.random() < 0.5
    across, length = (w, h) if vertical else (h, w)
    centre = rng.uniform(0.35, 0.65) * across
    canal = index % 4 == 3
    half = rng.uniform(1.5, 2.5) if canal else rng.uniform(1.0, 4.5)
    line = c.river(vertical, centre, half, 0.0 if canal else rng.uniform(0, 8))
    # Kennel and maple on opposite banks, both in the middle part of the river's length, so
    # that the straight line between them crosses the river far from the ends.
    mid = rng.uniform(0.3, 0.7) * length
    side = 1 if rng.random() < 0.5 else -1
    k_across = centre - side * rng.uniform(0.25, 0.4) * across
    m_across = centre + side * rng.uniform(0.2, 0.4) * across
    k_along = mid + rng.uniform(-0.1, 0.1) * length
    m_along = mid + rng.uniform(-0.1, 0.1) * length
    kennel = (k_across, k_along) if vertical else (k_along, k_across)
    maple = (m_across, m_along) if vertical else (m_along, m_across)
    c.kennel_near(*kennel)
    cross = (k_along + m_along) / 2
    ends_only = index % 3 == 0
    for _ in range(int(rng.integers(1, 4))):
        for _ in range(100):
            if ends_only:
                at = int(rng.uniform(0.02, 0.12) * length)
                at = at if rng.random() < 0.5 else length - 1 - at
            else:
                at = int(rng.uniform(0.02, 0.98) * length)
            if abs(at - cross) >= 0.3 * length:
                break
        c.bridge(vertical, line, half, at, int(rng.integers(2, 5)), road=rng.random() < 0.3)
    if index % 2 == 0:  # the reported map: a light wind from Rex's side toward Mila
        _wind_from_to(c, kennel, maple, 0.3)
    c.spots["_maple"] = tuple(int(v) for v in maple)  # type: ignore[assignment]
    return c


def upwind(index: int, rng: np.random.Generator) -> Canvas:
    """(b) The strongest wind the contract allows, blowing from Rex toward Mila."""
    w, h = _size(rng)
    c = Canvas(w, h, rng)
    c.scatter()
    if rng.random() < 0.5:  # half of them with water to get round as well
        c.crossed_river((0.4, 0.6), (1.0, 4.0), 6, 2)
    corner = int(rng.integers(4))
    kennel = (0.12 * w if corner % 2 == 0 else 0.88 * w, 0.15 * h if corner < 2 else 0.85 * h)
    maple = (w - kennel[0] + rng.uniform(-0.1, 0.1) * w, h - kennel[1])
    c.kennel_near(*kennel)
    _wind_from_to(c, kennel, maple, MAX_WIND)
    c.spots["_maple"] = tuple(int(v) for v in maple)  # type: ignore[assignment]
    return c


def lake(index: int, rng: np.random.Generator) -> Canvas:
    """(c) A lake in the middle, cut off from the map's edges by channels, so that the only
    crossing is a bridge on its far side."""
    w, h = _size(rng, (110, 80))
    c = Canvas(w, h, rng)
    c.scatter(roads=1)
    cx, cy = w / 2 + rng.uniform(-0.05, 0.05) * w, h / 2 + rng.uniform(-0.05, 0.05) * h
    rx, ry = rng.uniform(0.15, 0.3) * w, rng.uniform(0.2, 0.35) * h
    c.disc(cx, cy, rx, ry, WA)
    half = rng.uniform(1.0, 2.5)
    c.rect(int(cx - half), 0, int(cx + half) + 1, h, WA)  # channels to both edges
    flip = rng.random() < 0.5
    kennel = (0.12 * w, cy + rng.uniform(-0.3, 0.3) * h)
    maple = (0.85 * w, cy + rng.uniform(-0.3, 0.3) * h)
    if flip:
        kennel, maple = (w - kennel[0], kennel[1]), (w - maple[0], maple[1])
    c.kennel_near(*kennel)
    north = rng.random() < 0.5
    if index % 2 == 0:  # over a channel, out near the map's edge
        y = int(rng.uniform(0.02, 0.5) * (cy - ry)) if north else int(
            h - 1 - rng.uniform(0.02, 0.5) * (h - cy - ry))
        c.rect(int(cx - half) - 1, y, int(cx + half) + 2, y + int(rng.integers(2, 4)), B)
    else:  # across the lake at its far tip
        y = int(cy - ry * 0.8) if north else int(cy + ry * 0.8)
        c.rect(int(cx - rx) - 1, y, int(cx + rx) + 2, y + 2, B)
    _wind_from_to(c, kennel, maple, float(rng.uniform(0, 2)))
    c.spots["_maple"] = tuple(int(v) for v in maple)  # type: ignore[assignment]
    return c


def island(index: int, rng: np.random.Generator) -> Canvas:
    """(d) An island, or a spit against the map's edge, reached by one bridge; Mila's maple
    on it, or the kennel."""
    w, h = _size(rng, (96, 72), (180, 130))
    c = Canvas(w, h, rng)
    c.scatter(roads=1)
    variant = index % 3
    ring = rng.uniform(3, 8)
    if variant == 1:  # a spit against an edge: water cuts a corner region off
        iw, ih = rng.uniform(0.25, 0.4) * w, rng.uniform(0.3, 0.5) * h
        c.rect(int(w - iw - ring), 0, w, int(ih + ring), WA)
        c.rect(int(w - iw), 0, w, int(ih), G)
        ix, iy = w - iw / 2, ih / 2
        bx, by = int(w - iw - ring) - 1, int(ih * rng.uniform(0.3, 0.8))
        c.rect(bx, by, int(w - iw) + 1, by + 2, B)
    else:
        ix, iy = rng.uniform(0.55, 0.75) * w, rng.uniform(0.3, 0.7) * h
        r = rng.uniform(9, 18)
        c.disc(ix, iy, r + ring, r + ring, WA)
        c.disc(ix, iy, r, r, G)
        angle = rng.uniform(0, 2 * math.pi)
        for step in np.arange(r - 1, r + ring + 2, 0.5):  # a bridge out along one radius
            for off in (-0.5, 0.5):
                x = int(ix + step * math.cos(angle) - off * math.sin(angle))
                y = int(iy + step * math.sin(angle) + off * math.cos(angle))
                if 0 <= x < w and 0 <= y < h and c.t[y, x] == WA:
                    c.t[y, x] = B
    mainland = (0.15 * w, rng.uniform(0.2, 0.8) * h)
    if variant == 2:  # the kennel on the island
        c.kennel_near(ix, iy)
        maple = mainland
    else:
        c.kennel_near(*mainland)
        maple = (ix, iy)
    c.spots["_maple"] = tuple(int(v) for v in maple)  # type: ignore[assignment]
    return c


def maze(index: int, rng: np.random.Generator) -> Canvas:
    """(e) A maze of alleys one or two tiles wide between dense blocks (a perfect maze with a
    few extra openings)."""
    pitch = int(rng.integers(3, 5))  # alley plus block
    alley = 1 if pitch == 3 or rng.random() < 0.5 else 2
    cols, rows = int(rng.integers(16, 34)), int(rng.integers(12, 26))
    w, h = cols * pitch + 1, rows * pitch + 1
    c = Canvas(w, h, rng)
    c.t[:] = BU
    ground = S if rng.random() < 0.5 else P

    def open_cell(i: int, j: int) -> None:
        c.rect(i * pitch + 1, j * pitch + 1, i * pitch + 1 + alley, j * pitch + 1 + alley, ground)

    seen = np.zeros((rows, cols), bool)
    stack = [(int(rng.integers(cols)), int(rng.integers(rows)))]
    seen[stack[0][1], stack[0][0]] = True
    open_cell(*stack[0])
    while stack:
        i, j = stack[-1]
        nexts = [(i + di, j + dj) for di, dj in ((1, 0), (-1, 0), (0, 1), (0, -1))
                 if 0 <= i + di < cols and 0 <= j + dj < rows and not seen[j + dj, i + di]]
        if not nexts:
            stack.pop()
            continue
        ni, nj = nexts[int(rng.integers(len(nexts)))]
        seen[nj, ni] = True
        open_cell(ni, nj)
        x0, y0 = min(i, ni) * pitch + 1, min(j, nj) * pitch + 1
        c.rect(x0, y0, max(i, ni) * pitch + 1 + alley, max(j, nj) * pitch + 1 + alley, ground)
        stack.append((ni, nj))
    for _ in range(cols * rows // 12):  # a few loops
        i, j = int(rng.integers(cols - 1)), int(rng.integers(rows - 1))
        if rng.random() < 0.5:
            c.rect(i * pitch + 1, j * pitch + 1, (i + 1) * pitch + 1 + alley,
                   j * pitch + 1 + alley, ground)
        else:
            c.rect(i * pitch + 1, j * pitch + 1, i * pitch + 1 + alley,
                   (j + 1) * pitch + 1 + alley, ground)
    kennel = (rng.uniform(0.08, 0.25) * w, rng.uniform(0.1, 0.9) * h)
    maple = (rng.uniform(0.75, 0.92) * w, rng.uniform(0.1, 0.9) * h)
    if rng.random() < 0.5:
        kennel, maple = (w - kennel[0], kennel[1]), (w - maple[0], maple[1])
    c.kennel_near(*kennel)
    c.clear(maple[0], maple[1], 3, G)  # a small square by the maple
    c.clear(c.kennel[0] + 3, c.kennel[1] + 2, 0)
    _wind_from_to(c, kennel, maple, float(rng.uniform(0, 2)))
    c.spots["_maple"] = tuple(int(v) for v in maple)  # type: ignore[assignment]
    return c


def fences(index: int, rng: np.random.Generator) -> Canvas:
    """(f) Fence and hedge lines across the map (people go round by a gap far off; Rex
    leaps), fenced yards, and distracting smells at the ends of dead-end alleys."""
    w, h = _size(rng)
    c = Canvas(w, h, rng)
    c.scatter(roads=1)
    vertical = rng.random() < 0.5
    across = w if vertical else h
    length = h if vertical else w
    lines = sorted(rng.uniform(0.25, 0.75, int(rng.integers(1, 4))) * across)
    for k, at in enumerate(lines):
        thick = int(rng.choice([1, 1, 2, 3, 4])) if k else 1
        terrain = FE if rng.random() < 0.7 else H
        a = int(at)
        if vertical:
            c.rect(a, 0, a + thick, h, terrain)
        else:
            c.rect(0, a, w, a + thick, terrain)
        gap = int(rng.choice([2, length - 4]))  # people's way round, near one end
        if vertical:
            c.rect(a, gap, a + thick, gap + 2, P)
        else:
            c.rect(gap, a, gap + 2, a + thick, P)
    kennel = (0.1 * w, rng.uniform(0.2, 0.8) * h) if vertical else (
        rng.uniform(0.2, 0.8) * w, 0.1 * h)
    maple = (0.88 * w, rng.uniform(0.2, 0.8) * h) if vertical else (
        rng.uniform(0.2, 0.8) * w, 0.88 * h)
    c.kennel_near(*kennel)
    # A fenced yard round the maple, with a gate for people.
    mx, my = int(maple[0]), int(maple[1])
    r = int(rng.integers(4, 8))
    c.rect(mx - r, my - r, mx + r + 1, my + r + 1, FE)
    c.rect(mx - r + 1, my - r + 1, mx + r, my + r, G)
    c.rect(mx - r, my, mx - r + 1, my + 1, P) if vertical else c.rect(mx, my - r, mx + 1,
                                                                        my - r + 1, P)
    for _ in range(int(rng.integers(2, 6))):  # dead-end alleys with a smell at the end
        x0, y0 = int(rng.integers(4, w - 16)), int(rng.integers(4, h - 12))
        long = int(rng.integers(6, 12))
        if rng.random() < 0.5:
            c.rect(x0, y0, x0 + long, y0 + 5, BU)
            c.rect(x0, y0 + 2, x0 + long - 1, y0 + 3, P)
            sx, sy = x0 + long - 2, y0 + 2
        else:
            c.rect(x0, y0, x0 + 5, y0 + long, BU)
            c.rect(x0 + 2, y0, x0 + 3, y0 + long - 1, P)
            sx, sy = x0 + 2, y0 + long - 2
        c.point("scent_source", sx, sy, [("strength", "float", round(float(
            rng.uniform(0.2, 2.5)), 3)), ("label", "string", "a dead end's bins")])
    c.spots["_maple"] = (mx, my)
    return c


def sizes(index: int, rng: np.random.Generator, count: int = 20) -> Canvas:
    """(g) Mixed maps from 64 x 48 (map 0) to 512 x 384 (map count - 1), on a log scale."""
    share = index / max(count - 1, 1) if index < count else rng.random()
    scale = math.exp(math.log(SIZES[1][0] / SIZES[0][0]) * share)
    return sized(round(SIZES[0][0] * scale), round(SIZES[0][1] * scale), rng, share)


def sized(w: int, h: int, rng: np.random.Generator, share: float | None = None) -> Canvas:
    """A mixed map of exactly w x h: more forest and roads the larger it is (``share`` places
    it between the smallest and largest size, 0 to 1; by default from its width)."""
    if share is None:
        share = math.log(max(w, SIZES[0][0]) / SIZES[0][0]) / math.log(SIZES[1][0] / SIZES[0][0])
    c = Canvas(w, h, rng)
    c.scatter(forest=int(2 + 6 * share), roads=int(1 + 3 * share))
    if rng.random() < 0.7:
        c.crossed_river((0.3, 0.7), (1.0, 5.0), 10, 3, road=0.3)
    for _ in range(int(rng.integers(0, 3))):
        c.disc(rng.uniform(0.2, 0.8) * w, rng.uniform(0.2, 0.8) * h,
               rng.uniform(3, w / 6), rng.uniform(3, h / 6), WA)
    kennel = (rng.uniform(0.05, 0.95) * w, rng.uniform(0.05, 0.95) * h)
    maple = (rng.uniform(0.05, 0.95) * w, rng.uniform(0.05, 0.95) * h)
    c.kennel_near(*kennel)
    c.spots["_maple"] = tuple(int(v) for v in maple)  # type: ignore[assignment]
    return c


PAINTERS = {"river": river, "upwind": upwind, "lake": lake, "island": island, "maze": maze,
            "fences": fences, "sizes": sizes}


def generate(family: str, index: int, directory: Path) -> Path:
    """Write map ``index`` of ``family`` into ``directory`` (retrying its layout until the
    checker agrees); the same family and index give the same map."""
    return _first_valid(lambda rng: PAINTERS[family](index, rng),
                        [FAMILIES.index(family), index], directory / f"{family}{index}.tmx")


def generate_sized(width: int, height: int, seed: int, directory: Path) -> Path:
    """Write a mixed map of exactly ``width`` x ``height`` (the ``sizes`` family's kind) into
    ``directory``; the same size and seed give the same map (for the size benchmark)."""
    return _first_valid(lambda rng: sized(width, height, rng),
                        [FAMILIES.index("sizes"), width, height, seed],
                        directory / f"sized{width}x{height}s{seed}.tmx")


def _first_valid(paint, seed: list[int], path: Path) -> Path:
    for attempt in range(200):
        rng = np.random.default_rng([*seed, attempt])
        canvas = paint(rng)
        maple = canvas.spots.pop("_maple")
        if not furnish(canvas, maple):
            continue
        written = write(canvas, path)
        if written is not None:
            return written
    raise RuntimeError(f"no valid map for {path.stem}")
