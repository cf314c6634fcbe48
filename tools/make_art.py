"""Procedural pixel art for Rex: the tile sheet, the sprite sheet and two preview images.

Run ``python -m tools.make_art [OUT_DIR]`` from the project root (or call ``generate(out_dir)``).
It writes, into ``assets/`` by default:

* ``tiles.png`` + ``tiles.json``: 16x16 tiles, 16 per row. Terrain tiles (grass, paths, roads,
  water, roofs, fences...) and decor tiles with a transparent background (lamps, benches, the old
  maple tree...). Mask families (``fence_0..15`` etc.) use a 4-bit mask of connected neighbours:
  N=1, E=2, S=4, W=8.
* ``sprites.png`` + ``sprites.json``: animation frames for Rex, Mila, officers, Dylan, civilians
  and patrol cars, packed into one sheet, each with an anchor (ax, ay): the ground point under
  the feet for people and Rex (left-facing frames are mirrors of right-facing ones), the centre
  for cars.
* ``preview.png`` (a 3x contact sheet) and ``sample_scene.png`` (a small composed scene at 2x;
  ``scene_tile_names`` shows how a map picks masks, curbs, lane lines and variants).

Everything is drawn with numpy: palette ramps, periodic noise, ordered dithering, signed distance
shapes lit from the upper left (late-afternoon sun), and auto outlines for sprites. Every random
choice comes from a generator seeded by a fixed seed and the name of the thing being drawn, so the
output is the same, byte for byte, on every run.
"""

from __future__ import annotations

import itertools
import json
import os
import sys
import time
import zlib
from collections.abc import Callable, Iterable
from pathlib import Path

import numpy as np

SEED = 20240917
T = 16  # tile size in pixels
COLUMNS = 16  # tiles per row in tiles.png
N, E, S, W = 1, 2, 4, 8  # neighbour mask bits
BIG = 1.0e4  # "infinity" for signed distance boxes

Image = np.ndarray  # uint8 [h, w, 4] RGBA
Tile = tuple[str, str | None, Image]  # name, terrain (None for decor), pixels


# ---------------------------------------------------------------------------------------------
# Palette: warm late-afternoon ramps, darkest first


def hexc(code: str) -> tuple[int, int, int]:
    return int(code[1:3], 16), int(code[3:5], 16), int(code[5:7], 16)


def ramp(*codes: str) -> np.ndarray:
    return np.array([hexc(c) for c in codes], dtype=np.uint8)


GRASS = ramp("#263f22", "#33572a", "#42702f", "#558636", "#6c9b3d", "#8ab24b", "#aecb62")
LAWN = ramp("#1c3823", "#25492a", "#2f5d31", "#3c7137", "#4c873e", "#64a04a", "#86b85a")
GRAVEL = ramp("#4e3d30", "#6d5742", "#8c7356", "#a68d6a", "#bca47e", "#d3bd95", "#e6d4ae")
PAVING = ramp("#45403f", "#5f5956", "#7b7470", "#958d85", "#aca399", "#c1b8ab", "#d6cec0")
ASPHALT = ramp("#1f1e25", "#28272f", "#312f38", "#3a3841", "#45434b", "#545159", "#67646a")
SAND = ramp("#6f5840", "#8a7052", "#a38863", "#b99e74", "#cdb387", "#dec79e", "#ecdbb8")
TILEFLOOR = ramp("#3e4349", "#545a60", "#6b7177", "#83898c", "#9ba09f", "#b3b6b1", "#caccc4")
WOOD = ramp("#2a1a12", "#45291a", "#633d24", "#80532f", "#9d6b3d", "#b9874f", "#d2a76b")
WATER = ramp("#142c4a", "#1a3d60", "#214f77", "#2a638c", "#3779a0", "#4f94b4", "#7ab5c9",
             "#bfe0e0")
FOREST = ramp("#0d1a15", "#13281b", "#1b3a22", "#254e2a", "#316333", "#42793c", "#5b9147",
              "#7aa956")
HEDGE = ramp("#142a1a", "#1d3d22", "#28532b", "#356934", "#45803d", "#5c9848", "#7cb05a")
MAPLE = ramp("#3c0d12", "#5f1616", "#87211a", "#ad321d", "#cf4c21", "#e66c28", "#f39336",
             "#fbbd52", "#fde08a")
BARK = ramp("#1e130e", "#352217", "#4f3422", "#6a4830", "#866044")
ROOF_RED = ramp("#341216", "#561c1d", "#782a25", "#9a3a2d", "#b85038", "#d16e49", "#e49163")
ROOF_SLATE = ramp("#191c29", "#262c3d", "#343d52", "#455168", "#59677f", "#738198", "#96a2b4")
ROOF_BROWN = ramp("#2a1a12", "#42291b", "#5b3b25", "#754f31", "#8f653e", "#a87f51", "#c19d6c")
ROOF_FLAT = ramp("#363539", "#4c4b4f", "#646264", "#7c7977", "#94908a", "#aca69c", "#c5bfb1")
STONE = ramp("#2d2d33", "#424249", "#5a5960", "#727077", "#8c898d", "#a6a2a3", "#c2bdbb")
METAL = ramp("#1d2026", "#2f343c", "#474d56", "#646a72", "#868b90", "#aeb1b1", "#d8d8d2")
SKIN = ramp("#5a3224", "#94583e", "#c98a66", "#eab48d", "#f7d2ad")
OUTLINE = hexc("#1b1420")
SHADOW = hexc("#1a1830")
WHITE = hexc("#f3efe2")
FLOWERS = [hexc(c) for c in ("#f4eed8", "#f6cf4a", "#ea8aa4", "#d9503f", "#9a8de6")]


# ---------------------------------------------------------------------------------------------
# Small drawing helpers


def ipx(v: float) -> int:
    """Round to the nearest pixel (halves up)."""
    return int(np.floor(v + 0.5))


def rng_for(name: str) -> np.random.Generator:
    """A generator that depends only on SEED and the name of what is drawn."""
    return np.random.default_rng([SEED, zlib.crc32(name.encode())])


def blank(w: int = T, h: int = T) -> Image:
    return np.zeros((h, w, 4), np.uint8)


def from_indices(pal: np.ndarray, idx: np.ndarray) -> Image:
    """An opaque image from an index grid into a ramp."""
    idx = np.clip(idx, 0, len(pal) - 1)
    img = np.empty((*idx.shape, 4), np.uint8)
    img[..., :3] = pal[idx]
    img[..., 3] = 255
    return img


def centres(w: int = T, h: int = T) -> tuple[np.ndarray, np.ndarray]:
    """Pixel-centre coordinates (x, y) of a w x h image."""
    yy, xx = np.mgrid[0:h, 0:w].astype(float) + 0.5
    return xx, yy


def periodic_noise(rng: np.random.Generator, w: int = T, h: int = T,
                   sx: float = 1.5, sy: float | None = None) -> np.ndarray:
    """Smooth noise that wraps around the image edges, rank-normalised to [0, 1]."""
    sy = sx if sy is None else sy
    white = rng.standard_normal((h, w))
    ky = np.fft.fftfreq(h)[:, None]
    kx = np.fft.fftfreq(w)[None, :]
    filt = np.exp(-2.0 * np.pi**2 * ((kx * sx) ** 2 + (ky * sy) ** 2))
    f = np.real(np.fft.ifft2(np.fft.fft2(white) * filt))
    ranks = f.ravel().argsort(kind="stable").argsort(kind="stable").reshape(h, w)
    return ranks / (f.size - 1)


_BAYER = np.array([[0, 8, 2, 10], [12, 4, 14, 6], [3, 11, 1, 9], [15, 7, 13, 5]]) / 16.0 - 0.47


def bayer(w: int, h: int) -> np.ndarray:
    """The 4x4 ordered-dither threshold, tiled to w x h, centred on zero."""
    return np.tile(_BAYER, (h // 4 + 1, w // 4 + 1))[:h, :w]


def shade_levels(light: np.ndarray, n: int, lo: float = 0.0, hi: float = 1.0,
                 dither: float = 0.6) -> np.ndarray:
    """Map light in [lo, hi] to n ramp indices with a little ordered dithering between bands."""
    h, w = light.shape
    v = (light - lo) / (hi - lo) * (n - 1) + bayer(w, h) * dither
    return np.clip(np.round(v), 0, n - 1).astype(int)


LIGHT = np.array([-0.55, -0.65, 0.75])
LIGHT = LIGHT / np.linalg.norm(LIGHT)


def lambert(height: np.ndarray) -> np.ndarray:
    """Diffuse light in [0, 1] for a height field lit from the upper left."""
    gy, gx = np.gradient(height)
    nz = np.ones_like(height)
    norm = np.sqrt(gx**2 + gy**2 + nz**2)
    d = (-gx * LIGHT[0] - gy * LIGHT[1] + nz * LIGHT[2]) / norm
    return np.clip(d, 0.0, 1.0)


def sdf_box(xx: np.ndarray, yy: np.ndarray, x0: float, x1: float, y0: float, y1: float,
            r: float = 0.0) -> np.ndarray:
    """Signed distance to a box with corners rounded by r (negative inside)."""
    qx = np.maximum(x0 + r - xx, xx - (x1 - r))
    qy = np.maximum(y0 + r - yy, yy - (y1 - r))
    outside = np.hypot(np.maximum(qx, 0), np.maximum(qy, 0))
    return outside + np.minimum(np.maximum(qx, qy), 0) - r


def arms_sdf(mask: int, half: float, r: float, cx: float = T / 2, cy: float = T / 2,
             w: int = T) -> np.ndarray:
    """Distance field of a line piece: a centre block plus an arm toward each masked side."""
    xx, yy = centres(w, w)
    d = sdf_box(xx, yy, cx - half, cx + half, cy - half, cy + half, r)
    arms = {N: (cx - half, cx + half, -BIG, cy), E: (cx, BIG, cy - half, cy + half),
            S: (cx - half, cx + half, cy, BIG), W: (-BIG, cx, cy - half, cy + half)}
    for bit, box in arms.items():
        if mask & bit:
            d = np.minimum(d, sdf_box(xx, yy, *box, r))
    return d


def rect_sdf(mask: int, inset: float, r: float, w: int = T) -> np.ndarray:
    """Distance field of a region open toward masked sides, inset from the other sides."""
    xx, yy = centres(w, w)
    x0 = -BIG if mask & W else inset
    x1 = BIG if mask & E else w - inset
    y0 = -BIG if mask & N else inset
    y1 = BIG if mask & S else w - inset
    return sdf_box(xx, yy, x0, x1, y0, y1, r)


def mix(a: Iterable[int], b: Iterable[int], t: float) -> tuple[int, int, int]:
    a, b = np.asarray(tuple(a), float), np.asarray(tuple(b), float)
    return tuple(ipx(v) for v in a + (b - a) * t)


def tint(img: Image, where: np.ndarray, colour: Iterable[int], t: float) -> None:
    """Blend the opaque pixels under a boolean mask toward a colour (e.g. a cast shadow)."""
    col = np.asarray(tuple(colour), float)
    rgb = img[..., :3].astype(float)
    rgb[where] = rgb[where] + (col - rgb[where]) * t
    img[..., :3] = np.round(rgb).astype(np.uint8)


def fill(img: Image, where: np.ndarray, colour: Iterable[int], alpha: int = 255) -> None:
    img[where, :3] = tuple(colour)
    img[where, 3] = alpha


def put(img: Image, x: int, y: int, colour: Iterable[int], alpha: int = 255) -> None:
    """Set one pixel, ignoring coordinates outside the image."""
    h, w = img.shape[:2]
    if 0 <= x < w and 0 <= y < h:
        img[y, x, :3] = tuple(colour)
        img[y, x, 3] = alpha


def rect(img: Image, x: int, y: int, w: int, h: int, colour: Iterable[int],
         alpha: int = 255) -> None:
    H, W_ = img.shape[:2]
    x0, y0, x1, y1 = max(x, 0), max(y, 0), min(x + w, W_), min(y + h, H)
    if x0 < x1 and y0 < y1:
        img[y0:y1, x0:x1, :3] = tuple(colour)
        img[y0:y1, x0:x1, 3] = alpha


def stamp(img: Image, rows: list[str], x: int, y: int,
          colours: dict[str, Iterable[int]]) -> None:
    """Draw a small ASCII picture; '.' and unknown characters are left alone."""
    for j, row in enumerate(rows):
        for i, ch in enumerate(row):
            if ch in colours:
                put(img, x + i, y + j, colours[ch])


def over(dst: Image, src: Image, x: int = 0, y: int = 0) -> None:
    """Alpha-composite src onto dst with its top-left at (x, y), clipped to dst."""
    H, W_ = dst.shape[:2]
    h, w = src.shape[:2]
    x0, y0, x1, y1 = max(x, 0), max(y, 0), min(x + w, W_), min(y + h, H)
    if x0 >= x1 or y0 >= y1:
        return
    s = src[y0 - y:y1 - y, x0 - x:x1 - x].astype(float)
    d = dst[y0:y1, x0:x1].astype(float)
    sa, da = s[..., 3:] / 255.0, d[..., 3:] / 255.0
    oa = sa + da * (1 - sa)
    rgb = np.where(oa > 0, (s[..., :3] * sa + d[..., :3] * da * (1 - sa)) / np.maximum(oa, 1e-9),
                   0)
    dst[y0:y1, x0:x1, :3] = np.round(rgb).astype(np.uint8)
    dst[y0:y1, x0:x1, 3] = np.round(oa[..., 0] * 255).astype(np.uint8)


def outline(img: Image, colour: Iterable[int] | None = None, strength: float = 0.72,
            diagonal: bool = False) -> Image:
    """Add a 1-pixel outline around the opaque pixels.

    With no colour the outline is "selective": each outline pixel is a darkened version of the
    opaque neighbour it touches, mixed toward the warm outline colour.
    """
    a = img[..., 3] > 128
    h, w = a.shape
    res = img.copy()
    acc = np.zeros((h, w, 3))
    cnt = np.zeros((h, w))
    shifts = [(0, 1), (0, -1), (1, 0), (-1, 0)]
    if diagonal:
        shifts += [(1, 1), (1, -1), (-1, 1), (-1, -1)]
    for dy, dx in shifts:
        src_a = np.zeros_like(a)
        src_rgb = np.zeros((h, w, 3))
        ys = slice(max(dy, 0), h + min(dy, 0))
        yd = slice(max(-dy, 0), h + min(-dy, 0))
        xs = slice(max(dx, 0), w + min(dx, 0))
        xd = slice(max(-dx, 0), w + min(-dx, 0))
        src_a[yd, xd] = a[ys, xs]
        src_rgb[yd, xd] = img[ys, xs, :3]
        acc += src_rgb * src_a[..., None]
        cnt += src_a
    edge = (~a) & (cnt > 0)
    if colour is None:
        avg = acc[edge] / cnt[edge][:, None]
        col = avg * (1 - strength) + np.asarray(OUTLINE, float) * strength
        res[edge, :3] = np.round(col).astype(np.uint8)
    else:
        res[edge, :3] = tuple(colour)
    res[edge, 3] = 255
    return res


def ellipse_mask(w: int, h: int, cx: float, cy: float, rx: float, ry: float) -> np.ndarray:
    xx, yy = centres(w, h)
    return ((xx - cx) / rx) ** 2 + ((yy - cy) / ry) ** 2 <= 1.0


def soft_shadow(img: Image, cx: float, cy: float, rx: float, ry: float, alpha: int = 90) -> None:
    """A semi-transparent ground shadow ellipse under whatever is drawn later."""
    h, w = img.shape[:2]
    m = ellipse_mask(w, h, cx, cy, rx, ry) & (img[..., 3] == 0)
    fill(img, m, SHADOW, alpha)


# ---------------------------------------------------------------------------------------------
# Ground textures (all periodic on 16x16, so every variant tiles with every other)

TUFTS = (
    ["L.L", "MLM", "D.D"],
    [".L.", "LML", "D.D"],
    ["L..L", ".LM.", ".DD."],
    ["L.", "ML", "D."],
    [".L", "LM", ".D"],
)


def grass_texture(name: str, pal: np.ndarray = GRASS, tufts: int = 5, specks: int = 10,
                  flowers: int = 0) -> Image:
    """Grass: a calm base with soft sunlit and shaded clumps, blade tufts, optional flowers."""
    rng = rng_for(name)
    fine = periodic_noise(rng, sx=0.9)
    clumps = periodic_noise(rng, sx=2.2)
    v = 0.45 * fine + 0.55 * clumps
    idx = np.full((T, T), 3)
    idx[v < 0.2] = 2
    idx[v > 0.8] = 4
    img = from_indices(pal, idx)
    for _ in range(specks):
        x, y = rng.integers(0, T, 2)
        put(img, x, y, pal[4] if rng.random() < 0.6 else pal[2])
    spots = spread_points(rng, tufts + flowers, margin=1, min_dist=4.0)
    for x, y in spots[:tufts]:
        rows = TUFTS[rng.integers(len(TUFTS))]
        stamp(img, rows, min(x, T - len(rows[0])), min(y, T - len(rows)),
              {"L": pal[5], "M": pal[4], "D": pal[2]})
    for k, (x, y) in enumerate(spots[tufts:]):
        petal = FLOWERS[(k + int(rng.integers(len(FLOWERS)))) % len(FLOWERS)]
        x, y = min(max(x, 2), T - 3), min(max(y, 2), T - 3)
        put(img, x + 1, y + 1, pal[1])
        if k % 2 == 0:
            for dx, dy in ((-1, 0), (1, 0), (0, -1), (0, 1)):
                put(img, x + dx, y + dy, petal)
            put(img, x, y, FLOWERS[1] if petal != FLOWERS[1] else WHITE)
            put(img, x, y + 2, pal[1])
        else:
            put(img, x, y, petal)
            put(img, x + 1, y, mix(petal, WHITE, 0.4))
    return img


def spread_points(rng: np.random.Generator, count: int, margin: int = 1,
                  min_dist: float = 4.0, size: int = T) -> list[tuple[int, int]]:
    """Up to count random points in the tile that keep min_dist apart (wrapping)."""
    pts: list[tuple[int, int]] = []
    for _ in range(count * 30):
        if len(pts) == count:
            break
        x, y = (int(v) for v in rng.integers(margin, size - margin, 2))
        ok = True
        for px, py in pts:
            dx = min(abs(px - x), size - abs(px - x))
            dy = min(abs(py - y), size - abs(py - y))
            if dx * dx + dy * dy < min_dist * min_dist:
                ok = False
                break
        if ok:
            pts.append((x, y))
    return pts


def grass_tiles() -> list[Tile]:
    tiles = [(f"grass_{i}", "grass", grass_texture(f"grass_{i}", tufts=3 + i % 3))
             for i in range(4)]
    tiles += [(f"grass_flowers_{i}", "grass", grass_texture(f"grass_flowers_{i}", flowers=4 + i))
              for i in range(2)]
    tiles += [(f"grass_dark_{i}", "grass", grass_texture(f"grass_dark_{i}", LAWN, tufts=7,
                                                         specks=14)) for i in range(2)]
    return tiles


def pebbles(img: Image, rng: np.random.Generator, pal: np.ndarray, count: int,
            hi: int = 5, lo: int = 1, margin: int = 0) -> None:
    """Small stones: a lit pixel with a shadow pixel below-right."""
    for _ in range(count):
        x, y = (int(v) for v in rng.integers(margin, T - margin - 1, 2))
        big = rng.random() < 0.35
        put(img, x, y, pal[hi])
        put(img, x + 1, y + 1, pal[lo])
        if big:
            put(img, x + 1, y, pal[hi - 1])
            put(img, x, y + 1, pal[hi - 1])
            put(img, x + 1, y + 2, pal[lo])
            put(img, x + 2, y + 1, pal[lo])


def gravel_path(name: str) -> Image:
    rng = rng_for(name)
    v = 0.75 * periodic_noise(rng, sx=0.6) + 0.25 * periodic_noise(rng, sx=2.5)
    idx = np.full((T, T), 4)
    idx[v < 0.3] = 3
    idx[v > 0.85] = 5
    img = from_indices(GRAVEL, idx)
    pebbles(img, rng, GRAVEL, 7, hi=6, lo=2)
    pebbles(img, rng, GRAVEL, 4, hi=5, lo=1)
    return img


def slab_texture(name: str, crack: bool = False) -> Image:
    """Square paving slabs, 8x8, with bevelled joints and speckle."""
    rng = rng_for(name)
    v = periodic_noise(rng, sx=0.7)
    idx = np.full((T, T), 4)
    idx[v < 0.2] = 3
    idx[v > 0.92] = 5
    sx, sy = (int(v) * 8 for v in rng.integers(0, 2, 2))  # one slab per tile a shade darker
    idx[sy:sy + 8, sx:sx + 8] -= 1
    for k in (0, 8):
        idx[k + 1, :] = np.maximum(idx[k + 1, :], 5)  # lit top edge of each slab
        idx[:, k + 1] = np.maximum(idx[:, k + 1], 5)
        idx[k + 7, :] = np.minimum(idx[k + 7, :], 3)  # shaded bottom edge
        idx[:, k + 7] = np.minimum(idx[:, k + 7], 3)
    for k in (0, 8):
        idx[k, :] = 1
        idx[:, k] = 1
    img = from_indices(PAVING, idx)
    if crack:
        x, y = 11, 2
        for _ in range(5):
            put(img, x, y, PAVING[1])
            x = min(max(x + int(rng.integers(-1, 2)), 10), 14)
            y += 1
        put(img, 3, 12, PAVING[2])
        put(img, 4, 12, PAVING[2])
        put(img, 4, 13, PAVING[2])
    return img


CURB = ramp("#3a3639", "#6e6864", "#a49d94", "#cfc8bb", "#e4ddcf")


def curb_tile(side: int) -> Image:
    """Sidewalk slab with a curb stone along one side (the road is on that side)."""
    rot = {N: 0, W: 1, S: 2, E: 3}[side]
    # turn the slab so the road side is north, draw the curb there, turn it back
    base = np.rot90(slab_texture("sidewalk_0"), -rot).copy()
    base[0, :, :3] = CURB[0]  # gutter shadow on the road side
    base[1, :, :3] = CURB[4]
    base[2, :, :3] = CURB[3]
    base[3, :, :3] = CURB[2]
    base[4, :, :3] = CURB[1]
    for x in (0, 8):
        base[1:4, x, :3] = CURB[2]
    base[1:4, 7, :3] = CURB[2]
    out = np.rot90(base, rot).copy()
    if side == S:
        # the curb's front face shows toward the viewer
        out[15, :, :3] = CURB[0]
        out[14, :, :3] = CURB[1]
        out[13, :, :3] = CURB[3]
        out[12, :, :3] = CURB[4]
        out[11, :, :3] = CURB[1]
        out[12:14, (0, 7, 8), :3] = CURB[2]
    return out


def paving_tiles() -> list[Tile]:
    tiles = [("path_0", "path", gravel_path("path_0")), ("path_1", "path", gravel_path("path_1"))]
    tiles += [("sidewalk_0", "sidewalk", slab_texture("sidewalk_0")),
              ("sidewalk_1", "sidewalk", slab_texture("sidewalk_1", crack=True))]
    tiles += [(f"curb_{k}", "sidewalk", curb_tile(side))
              for k, side in (("n", N), ("e", E), ("s", S), ("w", W))]
    return tiles


def sand_floor(name: str, prints: bool = False) -> Image:
    """Packed sand of the training yard."""
    rng = rng_for(name)
    v = 0.8 * periodic_noise(rng, sx=0.5) + 0.2 * periodic_noise(rng, sx=3.0)
    idx = np.full((T, T), 4)
    idx[v < 0.14] = 3
    idx[v > 0.9] = 5
    img = from_indices(SAND, idx)
    pebbles(img, rng, SAND, 3, hi=6, lo=3)
    if prints:  # a dog's paw prints crossing the yard
        for px, py in ((4, 11), (10, 4)):
            rect(img, px, py + 1, 2, 2, SAND[2])
            for dx in (-1, 2):
                put(img, px + dx, py, SAND[3])
            put(img, px, py - 1, SAND[3])
            put(img, px + 1, py - 1, SAND[3])
    return img


def kennel_floor() -> Image:
    rng = rng_for("floor_indoor")
    idx = np.full((T, T), 4)
    for ty in (0, 8):
        for tx in (0, 8):
            idx[ty:ty + 8, tx:tx + 8] = 4 if (tx + ty) % 16 == 0 else 3
    noise = rng.random((T, T))
    idx[noise < 0.08] -= 1
    img = from_indices(TILEFLOOR, idx)
    for k in (0, 8):
        img[k, :, :3] = TILEFLOOR[1]
        img[:, k, :3] = TILEFLOOR[1]
        img[k + 1, 1:, :3] = TILEFLOOR[5]
        img[k + 1, k, :3] = TILEFLOOR[1]
    for k in (0, 8):
        img[1:, k + 1, :3] = np.maximum(img[1:, k + 1, :3], TILEFLOOR[5] - 10)
        img[:, k, :3] = TILEFLOOR[1]
    return img


def floor_tiles() -> list[Tile]:
    return [("floor_0", "floor", sand_floor("floor_0")),
            ("floor_1", "floor", sand_floor("floor_1", prints=True)),
            ("floor_indoor", "floor", kennel_floor())]


def asphalt(name: str) -> Image:
    rng = rng_for(name)
    v = 0.6 * periodic_noise(rng, sx=0.6) + 0.4 * periodic_noise(rng, sx=2.2)
    idx = np.full((T, T), 3)
    idx[v < 0.25] = 2
    idx[v > 0.8] = 4
    r = rng.random((T, T))
    idx[r < 0.05] = 5
    idx[r > 0.97] = 1
    return from_indices(ASPHALT, idx)


LINE_YELLOW = ramp("#8d6a2a", "#d9ac3e", "#f1cb5c")
LINE_WHITE = ramp("#8c8a86", "#d6d2c6", "#ece8dc")


def paint_marks(img: Image, where: np.ndarray, pal: np.ndarray, name: str) -> None:
    """Road paint: mostly bright, a few worn pixels where asphalt shows through."""
    rng = rng_for(name + "_wear")
    wear = rng.random(where.shape)
    img[where, :3] = pal[2]
    img[where & (wear < 0.25), :3] = pal[1]
    img[where & (wear > 0.93), :3] = ASPHALT[4]


def road_tiles() -> list[Tile]:
    road0, road1 = asphalt("road_0"), asphalt("road_1")
    # road_1: a tar-sealed crack and a faint oil stain
    rng = rng_for("road_1_crack")
    x = 4
    for y in range(3, 12):
        put(road1, x, y, ASPHALT[1])
        if rng.random() < 0.4:
            x = min(max(x + int(rng.choice((-1, 1))), 2), 7)
            put(road1, x, y, ASPHALT[1])
    stain = ellipse_mask(T, T, 11, 10, 3.2, 2.2)
    tint(road1, stain, ASPHALT[0], 0.45)
    xx, yy = centres()
    line_h, line_v = asphalt("road_line_h"), asphalt("road_line_v")
    dash_h = (yy > 7) & (yy < 9) & (xx > 3) & (xx < 13)
    paint_marks(line_h, dash_h, LINE_YELLOW, "road_line_h")
    paint_marks(line_v, dash_h.T, LINE_YELLOW, "road_line_v")
    cross_h, cross_v = asphalt("crossing_h"), asphalt("crossing_v")
    bars = (((xx - 2) % 8) < 4.5)
    paint_marks(cross_h, bars, LINE_WHITE, "crossing_h")
    paint_marks(cross_v, bars.T, LINE_WHITE, "crossing_v")
    return [("road_0", "road", road0), ("road_1", "road", road1),
            ("road_line_h", "road", line_h), ("road_line_v", "road", line_v),
            ("crossing_h", "road", cross_h), ("crossing_v", "road", cross_v)]



# ---------------------------------------------------------------------------------------------
# Bridge planks


def planks(name: str) -> Image:
    """Wooden footbridge for an east-west bridge: planks 4 px wide, seams running north-south."""
    rng = rng_for(name)
    grain = periodic_noise(rng, sx=0.4, sy=3.0)
    idx = np.full((T, T), 4)
    idx[grain < 0.25] = 3
    idx[grain > 0.85] = 5
    for p in range(4):
        x0 = 4 * p
        idx[:, x0 + 1] = np.maximum(idx[:, x0 + 1], 5)  # lit left edge of the plank
        idx[:, x0 + 3] = np.minimum(idx[:, x0 + 3], 3)
        idx[:, x0] = 1  # gap between planks
        idx[:, x0 + rng.integers(1, 4)] += int(rng.choice((-1, 0, 0, 1)))  # plank tone
        end = int(rng.integers(0, T))
        idx[end, x0 + 1:x0 + 4] = 2  # staggered plank ends
    img = from_indices(WOOD, idx)
    for p in range(4):  # nails where the planks cross the two beams below
        for y in (2, 13):
            put(img, 4 * p + 2, y, WOOD[1])
    return img


def railing(img: Image, edge: int) -> Image:
    """A wooden railing along one edge of a bridge tile, drawn for north and rotated."""
    rot = {N: 0, W: 1, S: 2, E: 3}[edge]
    base = np.rot90(img, -rot).copy()
    tint(base, np.s_[4:6, :], SHADOW, 0.45)  # the rail's shadow on the planks
    base[0, :, :3] = WOOD[0]
    base[1, :, :3] = WOOD[6]
    base[2, :, :3] = WOOD[5]
    base[3, :, :3] = WOOD[3]
    base[4, :, :3] = WOOD[1]
    for x in (3, 11):  # posts
        base[1:5, x - 1:x + 2, :3] = WOOD[2]
        base[1, x - 1:x + 2, :3] = WOOD[5]
        base[1:5, x + 1, :3] = WOOD[1]
        base[5, x - 1:x + 2, :3] = mix(WOOD[2], SHADOW, 0.4)
    out = np.rot90(base, rot).copy()
    if edge == S:  # the rail's front face is seen from the south
        out[12, :, :3] = WOOD[6]
        out[13, :, :3] = WOOD[4]
        out[14, :, :3] = WOOD[2]
        out[15, :, :3] = WOOD[0]
        out[11, :, :3] = WOOD[1]
        for x in (3, 11):
            out[12:15, x - 1:x + 2, :3] = WOOD[3]
            out[12, x - 1:x + 2, :3] = WOOD[6]
            out[12:15, x + 1, :3] = WOOD[2]
    return out


def bridge_tiles() -> list[Tile]:
    h = planks("bridge_h")
    v = np.rot90(planks("bridge_v")).copy()
    return [("bridge_h", "bridge", h), ("bridge_v", "bridge", v),
            ("bridge_rail_n", "bridge", railing(h, N)), ("bridge_rail_s", "bridge", railing(h, S)),
            ("bridge_rail_e", "bridge", railing(v, E)), ("bridge_rail_w", "bridge", railing(v, W))]


# ---------------------------------------------------------------------------------------------
# Water with shores


def water_base() -> Image:
    """Open water: long soft swells with a few glinting ripples; periodic."""
    rng = rng_for("water_base")
    swell = periodic_noise(rng, sx=3.5, sy=1.1)
    idx = np.full((T, T), 3)
    idx[swell < 0.3] = 2
    idx[swell > 0.78] = 4
    img = from_indices(WATER, idx)
    for x, y in spread_points(rng, 4, margin=1, min_dist=6.0):
        ln = int(rng.integers(2, 4))
        for i in range(ln):
            put(img, x + i, y, WATER[6] if i else WATER[5])
            put(img, x + i, y + 1, WATER[2])
    return img


SHORE_SAND = ramp("#6a5a44", "#8a7758", "#a8946c", "#c4ae82", "#d9c69c")


def water_tile(mask: int) -> Image:
    """Water open toward the masked sides; the other sides get a sandy bank with foam.

    The bank runs right to the tile edge, its outer rim a grassy mix of sand and green, so it
    sits well next to plain grass, park lawn or a path.
    """
    rng = rng_for(f"water_{mask}")
    d = rect_sdf(mask, 4.0, 4.0)
    jitter = periodic_noise(rng_for("water_jitter"), sx=0.8) - 0.5
    dj = d + jitter * 0.9
    # the bank: wet sand at the waterline, dry sand, then a grassy rim
    img = from_indices(SHORE_SAND, np.where(dj < 1.1, 1, 3))
    pebbles(img, rng, SHORE_SAND, 2, hi=4, lo=1)
    rim = dj >= 2.2
    speck = periodic_noise(rng, sx=0.6)
    img[rim, :3] = SHORE_SAND[4]
    grassy = rim & (speck + (dj - 2.2) * 0.5 > 0.6)
    img[grassy, :3] = mix(GRASS[3], LAWN[4], 0.5)  # halfway between lawn and grass
    img[grassy & (speck > 0.9), :3] = mix(GRASS[4], LAWN[5], 0.5)
    img[rim & (dj > 3.0) & (speck < 0.25), :3] = mix(GRASS[2], LAWN[3], 0.5)
    # the water: a lighter shallow band near the shore, foam at the waterline
    inside = dj < 0
    water = water_base()
    img[inside] = water[inside]
    shallow = inside & (dj > -3.0)
    img[shallow, :3] = np.maximum(img[shallow, :3], WATER[4])
    img[inside & (dj > -1.6), :3] = WATER[5]
    foam = inside & (dj > -0.8)
    dots = bayer(T, T) > -0.1
    img[foam & dots, :3] = WATER[7]
    img[foam & ~dots, :3] = WATER[6]
    # the bank on the north and west casts a little shadow onto the water
    xx, yy = centres()
    shade = inside & (dj > -3.0) & (
        ((~np.bool_(mask & N)) & (yy < 9)) | ((~np.bool_(mask & W)) & (xx < 9)))
    tint(img, shade & ~foam, SHADOW, 0.25)
    return img


def water_tiles() -> list[Tile]:
    return [(f"water_{m}", "water", water_tile(m)) for m in range(16)]



# ---------------------------------------------------------------------------------------------
# Forest canopy


def wrapped_delta(a: np.ndarray, c: float, size: int, wrap: bool) -> np.ndarray:
    d = a - c
    return (d + size / 2) % size - size / 2 if wrap else d


Crown = tuple[float, float, float]  # centre x, centre y, radius


def canopy(w: int, h: int, crowns: Iterable[Crown], rng: np.random.Generator,
           wrap: bool = False, clump: float = 0.42, lift: float = 0.0
           ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Tree crowns built from leaf clumps, z-buffered: returns (light in [0, 1], covered, which
    crown each pixel belongs to).

    Each crown is a dome carrying a ring of round clumps plus a few on top (clump = clump radius
    as a fraction of the crown's); a clump is lit mostly by its own curvature, so the crown reads
    as a cluster of leafy balls. A clump tucked under a higher neighbour gets a contact shadow.
    lift raises crowns lower on the image (3/4 view: nearer trees are in front).
    """
    xx, yy = centres(w, h)
    zbuf = np.full((h, w), -1e9)
    owner = np.full((h, w), -1)
    normal = np.zeros((h, w, 3))
    crown_id = np.full((h, w), -1)
    blob = 0
    for ci, (cx, cy, r) in enumerate(crowns):
        cr0 = r * clump
        ring = max(5, ipx(2 * np.pi * (r - cr0) / (cr0 * 1.5)))
        start = rng.uniform(0, 2 * np.pi)
        pts = [(cx, cy, r - 0.3, 0.0)]  # the dome itself fills any holes
        for i in range(ring):
            ang = start + 2 * np.pi * (i + rng.uniform(-0.2, 0.2)) / ring
            rad = r - cr0 * rng.uniform(0.95, 1.1)
            pts.append((cx + rad * np.cos(ang), cy + rad * np.sin(ang),
                        cr0 * rng.uniform(0.85, 1.1), 1.0))
        for _ in range(max(1, int(r / 3))):
            ang = rng.uniform(0, 2 * np.pi)
            rad = (r - 2 * cr0) * np.sqrt(rng.random()) * 0.8
            pts.append((cx + rad * np.cos(ang) - 0.6, cy + rad * np.sin(ang) - 0.8,
                        cr0 * rng.uniform(0.9, 1.15), 1.0))
        dxc = wrapped_delta(xx, cx, w, wrap)
        dyc = wrapped_delta(yy, cy, h, wrap)
        dome_z = np.sqrt(np.clip(r * r - dxc**2 - dyc**2, 0, None))
        for px, py, cr, own in pts:
            dx = wrapped_delta(xx, px, w, wrap)
            dy = wrapped_delta(yy, py, h, wrap)
            dc2 = dx**2 + dy**2
            inside = dc2 < cr * cr
            zc = np.sqrt(np.clip(cr * cr - dc2, 0, None))
            base = np.sqrt(max(r * r - (px - cx) ** 2 - (py - cy) ** 2, 0.0)) * own
            z = base + zc * own + (1 - own) * dome_z * 0.8 + lift * cy
            upd = inside & (z > zbuf)
            zbuf[upd] = z[upd]
            owner[upd] = blob
            crown_id[upd] = ci
            blob += 1
            nc = np.stack([dx / cr, dy / cr, zc / cr], axis=-1)
            nd = np.stack([dxc / r, dyc / r, dome_z / r], axis=-1)
            normal[upd] = (0.6 * own * nc + (1 - 0.6 * own) * nd)[upd]
    covered = zbuf > -1e8
    n = normal / np.maximum(np.linalg.norm(normal, axis=-1, keepdims=True), 1e-9)
    lum = np.clip(n @ LIGHT, 0, 1)
    # contact shadow: the pixel just below/right of a higher clump's edge
    for dy, dx in ((1, 0), (0, 1), (1, 1)):
        nb_owner = np.roll(np.roll(owner, dy, axis=0), dx, axis=1)
        nb_z = np.roll(np.roll(zbuf, dy, axis=0), dx, axis=1)
        if not wrap:
            if dy:
                nb_owner[0, :] = -1
            if dx:
                nb_owner[:, 0] = -1
        under = covered & (nb_owner >= 0) & (nb_owner != owner) & (nb_z > zbuf + 0.5)
        lum = np.where(under, np.minimum(lum, 0.18), lum)
    return lum, covered, crown_id


def canopy_indices(lum: np.ndarray, covered: np.ndarray, lo: int, hi: int,
                   rng: np.random.Generator, leafy: float = 0.35) -> np.ndarray:
    """Quantise canopy light to ramp indices lo..hi with leafy noise; -1 where uncovered."""
    h, w = lum.shape
    jit = (periodic_noise(rng, w, h, sx=0.6) - 0.5) * leafy * 2
    v = np.clip((lum - 0.25) / 0.65, 0, 1) * (hi - lo)
    idx = lo + np.clip(np.round(v + jit), 0, hi - lo).astype(int)
    return np.where(covered, idx, -1)


# Forest tiles are one big crown each (the 16-bit way), over small filler crowns in the
# corners that all variants share, so any arrangement joins without seams.
FOREST_FILL: tuple[Crown, ...] = ((0.0, 0.0, 5.0),)
FOREST_MAIN: tuple[tuple[Crown, ...], ...] = (
    ((8.0, 7.8, 8.0),),
    ((7.8, 8.2, 7.8),),
    ((5.4, 5.6, 5.2), (10.4, 10.2, 5.6)),
    ((8.2, 8.0, 7.9),),
)


def forest_tile(k: int) -> Image:
    lum_f, cov_f, _ = canopy(T, T, FOREST_FILL, rng_for("forest_fill"), wrap=True)
    lum_m, cov_m, _ = canopy(T, T, FOREST_MAIN[k], rng_for(f"forest_{k}"), lift=0.3)
    idx_f = canopy_indices(lum_f * 0.9, cov_f, 1, 6, rng_for("forest_fill_leaves"))
    idx_m = canopy_indices(lum_m, cov_m, 1, 7, rng_for(f"forest_{k}_leaves"))
    idx_m = np.clip(idx_m + (1 if k == 1 else 0) - (1 if k == 3 else 0), 1, 7)  # some variety
    # crowns: a dark rim where they meet the gaps or the filler below
    rim = cov_m & ~(np.roll(cov_m, 1, 0) & np.roll(cov_m, -1, 0) & np.roll(cov_m, 1, 1)
                    & np.roll(cov_m, -1, 1))
    idx_m = np.where(rim, np.minimum(idx_m, 1), idx_m)
    gap = np.where(periodic_noise(rng_for("forest_gaps"), sx=1.0) < 0.5, 1, 0)
    idx = np.where(cov_f, idx_f, gap)
    shadow = np.roll(np.roll(cov_m, 2, axis=0), 1, axis=1) & ~cov_m
    idx = np.where(shadow, np.maximum(idx - 2, 0), idx)
    idx = np.where(cov_m, idx_m, idx)
    return from_indices(FOREST, idx)


def forest_tiles() -> list[Tile]:
    return [(f"forest_{k}", "forest", forest_tile(k)) for k in range(4)]


# ---------------------------------------------------------------------------------------------
# Line pieces picked by neighbour mask: fences, hedges, walls, kennel bars


def fence_tile(mask: int) -> Image:
    """Tall chain-link fence over grass: a post in the middle, mesh panels toward the mask."""
    img = grass_texture("grass_0")
    xx, yy = centres()
    x, y = xx.astype(int), yy.astype(int)
    top, base = 2, 12
    diamonds = ((x + y) % 4 == 0) | ((x - y) % 4 == 0)
    shadow = np.zeros((T, T), bool)
    panel = np.zeros((T, T), bool)
    for bit, cols in ((E, (x >= 8)), (W, (x <= 7))):
        if mask & bit:
            rows = (y > top) & (y < base)
            panel |= cols & rows
            shadow |= cols & ((y == base + 1) | (y == base + 2)) & ((x + y) % 2 == 0)
    tint(img, shadow, SHADOW, 0.35)
    tint(img, panel & diamonds, METAL[5], 0.7)
    tint(img, panel & ~diamonds, SHADOW, 0.12)
    for bit, cols in ((E, (x >= 8)), (W, (x <= 7))):
        if mask & bit:
            fill(img, cols & (y == top), METAL[6])
            fill(img, cols & (y == top + 1), METAL[2])
            fill(img, cols & (y == base), METAL[3])
    edge = np.zeros((T, T), bool)
    if mask & N:
        edge |= y < base
    if mask & S:
        edge |= y > top
    if edge.any():
        tint(img, edge & ((x == 9) | (x == 10)) & (y % 2 == 0), SHADOW, 0.35)
        fill(img, edge & (x == 7), METAL[5])
        fill(img, edge & (x == 8), METAL[3])
        fill(img, edge & (x == 8) & (y % 3 == 0), METAL[5])
    # the post, with its shadow on the grass
    tint(img, (x >= 9) & (x <= 10) & (y >= base - 1) & (y <= base + 1), SHADOW, 0.4)
    rect(img, 7, top - 1, 2, base - top + 2, METAL[4])
    rect(img, 8, top - 1, 1, base - top + 2, METAL[2])
    put(img, 7, top - 1, METAL[6])
    rect(img, 6, top - 2, 4, 1, METAL[1])
    rect(img, 7, top - 2, 2, 1, METAL[5])
    return img


def volume_piece(ground: Image, mask: int, half: float, height: int, r: float,
                 top_colour: Callable[[np.ndarray, np.ndarray], np.ndarray],
                 face_colour: Callable[[np.ndarray], np.ndarray], jitter: np.ndarray | None = None,
                 outline_col: Iterable[int] = OUTLINE) -> Image:
    """A raised line piece in 3/4 view: a lit top, a front face below it and a cast shadow.

    top_colour(height_field, inside) and face_colour(inside) return RGB for the given pixels.
    """
    img = ground.copy()
    foot = arms_sdf(mask, half, r)
    topd = arms_sdf(mask, half, r, cy=T / 2 - height)
    if jitter is not None:
        foot, topd = foot + jitter, topd + jitter
    cast = arms_sdf(mask, half, r, cx=T / 2 + 2.0, cy=T / 2 + 1.5)  # sun from the upper left
    shadow = (cast + (0 if jitter is None else jitter) < 0) & (foot >= 0) & (topd >= 0)
    tint(img, shadow, SHADOW, 0.38)
    body = (foot < 0) | (topd < 0)
    top = topd < 0
    face = body & ~top
    hgt = np.clip(-topd / 2.5, 0, 1)
    img[top, :3] = top_colour(hgt, top)
    img[face, :3] = face_colour(face)
    # outline: body pixels next to outside
    outside = ~body
    near = np.zeros_like(body)
    near[1:, :] |= outside[:-1, :]
    near[:-1, :] |= outside[1:, :]
    near[:, 1:] |= outside[:, :-1]
    near[:, :-1] |= outside[:, 1:]
    fill(img, body & near, outline_col)
    # a dark crease where the top meets the face
    edge = face & np.roll(top, 1, axis=0) & ~near
    tint(img, edge, outline_col, 0.5)
    return img


def hedge_tile(mask: int) -> Image:
    bumps = periodic_noise(rng_for("hedge_bumps"), sx=0.8)
    jitter = (periodic_noise(rng_for("hedge_edge"), sx=0.7) - 0.5) * 1.4

    def top(hgt: np.ndarray, where: np.ndarray) -> np.ndarray:
        lum = lambert(hgt * 2.5) + (bumps - 0.5) * 0.7 + hgt * 0.3
        return HEDGE[shade_levels(lum, 7, 0.15, 1.15, 0.5)][where]

    def face(where: np.ndarray) -> np.ndarray:
        idx = np.where(bumps > 0.5, 3, 2)
        idx = np.where(bumps < 0.2, 1, idx)
        return HEDGE[idx][where]

    return volume_piece(grass_texture("grass_0"), mask, 5.0, 3, 4.5, top, face, jitter,
                        HEDGE[0])


def wall_tile(mask: int) -> Image:
    xx, yy = centres()
    x, y = xx.astype(int), yy.astype(int)

    def top(hgt: np.ndarray, where: np.ndarray) -> np.ndarray:
        idx = np.where(hgt > 0.5, 5, 4)
        idx = np.where((x % 8 == 0) & (mask & (E | W) > 0), 3, idx)
        idx = np.where((y % 8 == 0) & (mask & (N | S) > 0) & ~np.bool_(mask & (E | W)), 3, idx)
        return STONE[idx][where]

    def face(where: np.ndarray) -> np.ndarray:
        course = y % 2 == 0
        joint = ((x + (y // 2) * 2) % 4 == 0)
        idx = np.where(course, 1, np.where(joint, 2, 3))
        return STONE[idx][where]

    return volume_piece(sand_floor("floor_0"), mask, 3.0, 3, 0.6, top, face, None, STONE[0])


def bars_tile(horizontal: bool) -> Image:
    """Kennel bars over the kennel floor; drawn running east-west and turned for north-south."""
    img = kennel_floor()
    if horizontal:
        top, base = 2, 12
        for x in range(1, T, 3):
            tint(img, np.s_[base + 1:base + 3, x + 1:x + 3], SHADOW, 0.35)
            rect(img, x, top, 1, base - top, METAL[5])
            rect(img, x + 1, top, 1, base - top, METAL[2])
        rect(img, 0, top - 1, T, 1, METAL[6])
        rect(img, 0, top, T, 1, METAL[3])
        rect(img, 0, base, T, 1, METAL[4])
        rect(img, 0, base + 1, T, 1, METAL[1])
    else:
        tint(img, np.s_[:, 9:11], SHADOW, 0.35)
        rect(img, 6, 0, 1, T, METAL[1])
        rect(img, 7, 0, 1, T, METAL[5])
        rect(img, 8, 0, 1, T, METAL[3])
        rect(img, 9, 0, 1, T, METAL[1])
        for y in range(0, T, 3):
            put(img, 7, y, METAL[6])
            put(img, 8, y, METAL[4])
    return img


def line_tiles() -> list[Tile]:
    tiles = [(f"fence_{m}", "fence", fence_tile(m)) for m in range(16)]
    tiles += [(f"hedge_{m}", "hedge", hedge_tile(m)) for m in range(16)]
    tiles += [(f"wall_{m}", "wall", wall_tile(m)) for m in range(16)]
    tiles += [("bars_h", "wall", bars_tile(True)), ("bars_v", "wall", bars_tile(False))]
    return tiles



# ---------------------------------------------------------------------------------------------
# Roofs: a rectangle of tiles picked by mask reads as one building with eaves and a facade

FACADE_TOP = 7  # on a tile whose south side is the building's edge, rows 7..15 are the wall


def clay_tiles(rng: np.random.Generator) -> np.ndarray:
    """Barrel clay tiles: lit ribs running down the roof, courses every 4 rows."""
    idx = np.zeros((T, T), int)
    rib = np.array([2, 5, 4, 3])
    for y in range(T):
        shift = 2 * ((y // 4) % 2)
        idx[y] = rib[(np.arange(T) + shift) % 4]
        if y % 4 == 3:
            idx[y] = np.minimum(idx[y], 2) - ((np.arange(T) + shift) % 4 == 0)
        elif y % 4 == 0:
            idx[y] = idx[y] + ((np.arange(T) + shift) % 4 == 1)
    tone = rng.random((T // 4, T // 4)) < 0.2
    idx += np.kron(tone, np.ones((4, 4), int)) * -1
    return idx


def slate_tiles(rng: np.random.Generator) -> np.ndarray:
    """Slates in staggered courses with a lit top-left corner and a shaded lower edge."""
    idx = np.zeros((T, T), int)
    for course in range(4):
        y0 = course * 4
        shift = 2 * (course % 2)
        for k in range(4):
            x0 = (k * 4 + shift) % T
            tone = int(rng.choice((3, 3, 4, 4, 2, 5)))
            for dx in range(4):
                idx[y0:y0 + 4, (x0 + dx) % T] = tone
            idx[y0, (x0 + 1) % T] = tone + 1
            idx[y0:y0 + 3, x0] = 2
        idx[y0 + 3, :] = 1
    return idx


def shingle_tiles(rng: np.random.Generator) -> np.ndarray:
    """Wooden shingles of uneven width with ragged lower edges."""
    idx = np.zeros((T, T), int)
    for course in range(4):
        y0 = course * 4
        x = int(rng.integers(0, 3))
        while x < T + 3:
            wdt = int(rng.integers(2, 5))
            tone = int(rng.choice((2, 3, 3, 4, 4, 5)))
            for dx in range(wdt):
                col = (x + dx) % T
                idx[y0:y0 + 4, col] = tone
                if rng.random() < 0.3:
                    idx[y0 + 1, col] = tone + 1
            idx[y0:y0 + 3, x % T] = 1
            for dx in range(wdt):
                if rng.random() < 0.6:
                    idx[y0 + 3, (x + dx) % T] = 1
            x += wdt
        idx[y0 + 3, :] = np.minimum(idx[y0 + 3, :], 2)
    return idx[:T, :T]


def flat_roof_texture(rng: np.random.Generator) -> np.ndarray:
    """Gravelled flat roof: fine speckle and faint membrane seams."""
    v = rng.random((T, T))
    idx = np.full((T, T), 4)
    idx[v < 0.12] = 3
    idx[v > 0.93] = 5
    idx[8, :] = np.minimum(idx[8, :], 3)
    idx[:, 8] = np.minimum(idx[:, 8], 3)
    return idx


FACADES = {
    "red": ramp("#4a3a32", "#8a7662", "#bfa98a", "#dccaa6", "#ede0c0"),  # plaster
    "slate": ramp("#3a1f1c", "#6e342a", "#94473a", "#b05c48", "#c77a62"),  # brick
    "brown": ramp("#3b2e26", "#6f5c49", "#9c8468", "#bca384", "#d4c0a0"),  # timber
    "flat": ramp("#34363a", "#5d6064", "#8b8d8c", "#aeaea8", "#c9c8bf"),  # concrete
}
GLASS = ramp("#1a2234", "#2c3d5a", "#48658c", "#86a8c8", "#d4e6ef")


def facade(img: Image, kind: str, mask: int) -> None:
    """The building's south wall under the eave, with a window (a shop window on flat roofs)."""
    pal = FACADES[kind]
    top = FACADE_TOP
    rect(img, 0, top, T, T - top, pal[3])
    if kind == "slate":  # brick courses
        for y in range(top + 2, T, 2):
            rect(img, 0, y, T, 1, pal[2])
            for x in range((y // 2) % 2 * 2, T, 4):
                put(img, x, y + 1, pal[2])
    elif kind == "brown":  # timber boards
        for y in range(top + 3, T, 3):
            rect(img, 0, y, T, 1, pal[2])
    rect(img, 0, top, T, 1, pal[0])  # deep shadow under the eave
    rect(img, 0, top + 1, T, 1, pal[1])
    rect(img, 0, T - 1, T, 1, pal[1])  # plinth
    rect(img, 0, T - 2, T, 1, pal[2])
    if kind == "flat":  # a shop window with a lit frame
        wx, wy, ww, wh = 1, top + 3, 14, 4
    else:
        wx, wy, ww, wh = 4, top + 3, 8, 4
    rect(img, wx - 1, wy - 1, ww + 2, wh + 2, pal[4])
    rect(img, wx, wy, ww, wh, GLASS[1])
    rect(img, wx, wy, ww, 1, GLASS[2])
    for i in range(wh):  # a diagonal glint
        put(img, wx + 1 + i, wy + wh - 1 - i, GLASS[3])
        put(img, wx + 2 + i, wy + wh - 1 - i, GLASS[3] if i % 2 else GLASS[2])
    if kind != "flat":  # mullions and a sill
        rect(img, wx + ww // 2 - 1, wy, 2, wh, pal[4])
        rect(img, wx + ww // 2, wy, 1, wh, pal[2])
        rect(img, wx, wy + 1, ww, 1, pal[4])
        put(img, wx + 5, wy + 3, GLASS[4])
    else:
        for x in range(wx + 4, wx + ww, 5):
            rect(img, x, wy, 1, wh, pal[2])
    rect(img, wx - 1, wy + wh + 1, ww + 2, 1, pal[1])  # sill shadow
    if not mask & W:
        rect(img, 0, top, 1, T - top, pal[0])
        rect(img, 1, top + 1, 1, T - top - 2, pal[4])
    if not mask & E:
        rect(img, T - 1, top, 1, T - top, pal[0])
        rect(img, T - 2, top + 1, 1, T - top - 2, pal[1])


def roof_tile(kind: str, mask: int) -> Image:
    pal = {"red": ROOF_RED, "slate": ROOF_SLATE, "brown": ROOF_BROWN, "flat": ROOF_FLAT}[kind]
    rng = rng_for(f"roof_{kind}")
    texture = {"red": clay_tiles, "slate": slate_tiles, "brown": shingle_tiles,
               "flat": flat_roof_texture}[kind](rng)
    idx = texture.copy()
    bottom = T if mask & S else FACADE_TOP
    if kind == "flat":
        # parapet: a lit rim along each outer edge, its shadow on the roof inside
        if not mask & N:
            idx[1:3, :] = 6
            idx[3, :] = np.minimum(idx[3, :], 2)
        if not mask & W:
            idx[:bottom, 1:3] = 6
            idx[3:bottom, 3] = np.minimum(idx[3:bottom, 3], 2)
        if not mask & E:
            idx[:bottom, T - 3:T - 1] = 5
        if not mask & S:
            idx[bottom - 3:bottom - 1, :] = 5
            idx[bottom - 1, :] = 2
        if not mask & N and not mask & W:
            idx[3, 3:] = np.minimum(idx[3, 3:], 2)
    else:
        # slopes toward the edges: lit on the west and north, shaded on the east and south
        if not mask & N:
            idx[1:4, :] += 1
            idx[1, :] = 6
        if not mask & W:
            idx[:bottom, 1:4] += 1
            idx[:bottom, 1] = 6
        if not mask & E:
            idx[:bottom, T - 4:T - 1] -= 1
            idx[:bottom, T - 2] = 1
        if not mask & S:
            idx[bottom - 4:bottom - 1, :] -= 1
            idx[bottom - 2, :] = np.maximum(idx[bottom - 2, :], 3)
            idx[bottom - 1, :] = 5
    img = from_indices(pal, idx)
    if not mask & S:
        facade(img, kind, mask)
        rect(img, 0, bottom - 1, T, 1, pal[5 if kind != "flat" else 2])
    # outline the building's outer edges
    if not mask & N:
        rect(img, 0, 0, T, 1, pal[0])
    if not mask & W:
        rect(img, 0, 0, 1, bottom, pal[0])
    if not mask & E:
        rect(img, T - 1, 0, 1, bottom, pal[0])
    if not mask & S:
        rect(img, 0, bottom, T, 1, pal[0])
    return img


def roof_tiles() -> list[Tile]:
    return [(f"roof_{kind}_{m}", "building", roof_tile(kind, m))
            for kind in ("red", "slate", "brown", "flat") for m in range(16)]



# ---------------------------------------------------------------------------------------------
# Decor: transparent tiles drawn over terrain

GLOW = hexc("#ffd98a")
RED_PAINT = ramp("#4a1418", "#8c2424", "#c43a30", "#e4624a", "#f49a7a")
GREEN_PAINT = ramp("#17281e", "#254433", "#356048", "#4c7e5e", "#6d9e78")


def glow(img: Image, cx: float, cy: float, radius: float, colour: Iterable[int],
         strength: float = 110) -> None:
    """A soft translucent halo (under whatever is drawn later)."""
    h, w = img.shape[:2]
    xx, yy = centres(w, h)
    d = np.hypot(xx - cx, yy - cy) / radius
    a = np.clip(1 - d, 0, 1) ** 1.5 * strength
    layer = blank(w, h)
    layer[..., :3] = tuple(colour)
    layer[..., 3] = np.round(a).astype(np.uint8)
    # quantise the alpha into steps so it reads as pixel art, not a blur
    layer[..., 3] = (layer[..., 3] // 24) * 24
    over(img, layer)


def lamp() -> Image:
    img = blank()
    soft_shadow(img, 10, 14.5, 3.5, 1.3)
    glow(img, 8, 3.5, 7.5, GLOW, 190)
    body = blank()
    rect(body, 7, 5, 2, 9, METAL[4])
    rect(body, 8, 5, 1, 9, METAL[2])
    rect(body, 6, 13, 4, 2, METAL[3])
    rect(body, 6, 14, 4, 1, METAL[2])
    rect(body, 5, 1, 6, 1, METAL[1])  # cap
    rect(body, 6, 0, 4, 1, METAL[2])
    rect(body, 6, 2, 4, 3, hexc("#ffe7a0"))  # glass
    rect(body, 7, 2, 2, 2, hexc("#fffbe4"))
    rect(body, 6, 5, 4, 1, METAL[2])
    over(img, outline(body))
    return img


def bench(horizontal: bool) -> Image:
    """A park bench, backrest to the north (east-west) or to the west (north-south)."""
    body = blank()
    if horizontal:
        rect(body, 1, 3, 14, 2, WOOD[5])  # backrest
        rect(body, 1, 4, 14, 1, WOOD[3])
        rect(body, 1, 7, 14, 2, WOOD[5])  # seat slats
        rect(body, 1, 9, 14, 2, WOOD[4])
        rect(body, 1, 8, 14, 1, WOOD[3])
        rect(body, 1, 10, 14, 1, WOOD[3])
        for x in (2, 12):
            rect(body, x, 5, 2, 2, METAL[1])
            rect(body, x, 11, 2, 2, METAL[1])
        rect(body, 1, 7, 14, 1, WOOD[6])
    else:
        rect(body, 3, 1, 2, 14, WOOD[5])  # backrest
        rect(body, 4, 1, 1, 14, WOOD[3])
        rect(body, 7, 1, 2, 14, WOOD[6])
        rect(body, 9, 1, 2, 14, WOOD[4])
        rect(body, 8, 1, 1, 14, WOOD[3])
        rect(body, 10, 1, 1, 14, WOOD[3])
        for y in (2, 12):
            rect(body, 5, y, 2, 1, METAL[1])
            rect(body, 7, y + 1, 4, 1, METAL[1])
    img = blank()
    if horizontal:
        soft_shadow(img, 9, 12, 7.5, 2.2)
    else:
        soft_shadow(img, 9.5, 9, 4, 7.5)
    over(img, outline(body))
    return img


def litter_bin() -> Image:
    img = blank()
    soft_shadow(img, 9.5, 13.5, 4.5, 1.8)
    body = blank()
    bodymask = sdf_box(*centres(), 4, 12, 5, 14, 1.0) < 0
    fill(body, bodymask, GREEN_PAINT[3])
    xx, _ = centres()
    fill(body, bodymask & (xx < 6), GREEN_PAINT[4])
    fill(body, bodymask & (xx > 10), GREEN_PAINT[2])
    for x in (6, 8, 10):
        fill(body, bodymask & (np.floor(xx) == x), GREEN_PAINT[2])
    lid = ellipse_mask(T, T, 8, 5, 4.6, 2.4)
    fill(body, lid, GREEN_PAINT[4])
    fill(body, ellipse_mask(T, T, 8, 5.2, 3.0, 1.3), GREEN_PAINT[0])
    put(body, 6, 3, GREEN_PAINT[4] + 0)
    over(img, outline(body))
    return img


def stall() -> Image:
    """A food stall with a striped awning, seen from the front."""
    img = blank()
    soft_shadow(img, 9, 13.5, 7.5, 2.2)
    body = blank()
    rect(body, 1, 9, 14, 5, WOOD[4])  # counter
    rect(body, 1, 9, 14, 1, WOOD[6])
    rect(body, 1, 13, 14, 1, WOOD[2])
    for x in (4, 8, 12):
        rect(body, x, 10, 1, 3, WOOD[3])
    for i, c in enumerate(("#e8b84a", "#c95a36", "#f2e2b0", "#7fa04a", "#e8b84a")):
        put(body, 2 + 3 * i, 8, hexc(c))  # food on the counter
        put(body, 3 + 3 * i, 8, mix(hexc(c), WHITE, 0.3))
    for y in range(1, 8):  # awning: red and cream stripes, lit on top
        for x in range(0, 16):
            red = (x // 2) % 2 == 0
            col = RED_PAINT[3] if red else WHITE
            if y >= 5:
                col = RED_PAINT[2] if red else mix(WHITE, SHADOW, 0.15)
            put(body, x, y, col)
    for x in range(0, 16):  # scalloped edge
        if x % 2 == 0:
            put(body, x, 8, RED_PAINT[2] if (x // 2) % 2 == 0 else mix(WHITE, SHADOW, 0.2))
    rect(body, 0, 1, 16, 1, RED_PAINT[4])
    over(img, outline(body))
    return img


def flowerbed() -> Image:
    rng = rng_for("flowerbed")
    img = blank()
    xx, yy = centres()
    bed = sdf_box(xx, yy, 1, 15, 3, 15, 3)
    fill(img, bed < 0, SAND[0])
    fill(img, (bed < 0) & (bed > -1.2), STONE[4])
    fill(img, (bed < -1.2) & (periodic_noise(rng, sx=0.7) > 0.6), hexc("#4a3526"))
    for x, y in spread_points(rng, 9, margin=4, min_dist=3.0):
        col = FLOWERS[int(rng.integers(len(FLOWERS)))]
        put(img, x - 1, y + 1, GRASS[2])
        put(img, x + 1, y + 1, GRASS[3])
        put(img, x, y + 1, GRASS[1])
        put(img, x, y, col)
        put(img, x - 1, y, mix(col, SHADOW, 0.3))
        put(img, x, y - 1, mix(col, WHITE, 0.35))
    return outline(img)


def bush(r: float = 5.8, name: str = "bush_small") -> Image:
    img = blank()
    soft_shadow(img, 9.5, 11.5, r + 0.5, r * 0.55)
    lum, cov, _ = canopy(T, T, ((8, 8, r),), rng_for(name))
    idx = canopy_indices(lum, cov, 1, 6, rng_for(name + "_leaves"), 0.4)
    body = blank()
    body[cov, :3] = HEDGE[idx[cov]]
    body[cov, 3] = 255
    # a few berries
    for x, y in ((6, 6), (10, 8), (7, 10)):
        if cov[y, x]:
            put(body, x, y, hexc("#d8503c"))
    over(img, outline(body))
    return img


def manhole() -> Image:
    img = blank()
    xx, yy = centres()
    d = np.hypot(xx - 8, yy - 8)
    fill(img, d < 6.5, METAL[1])
    fill(img, d < 5.5, METAL[3])
    grid = (d < 4.5) & (((xx.astype(int) % 3) == 0) | ((yy.astype(int) % 3) == 0))
    fill(img, grid, METAL[2])
    fill(img, (d < 5.5) & (d > 4.5) & (xx + yy < 15), METAL[4])
    fill(img, (d < 6.5) & (d > 5.5) & (xx + yy > 17), METAL[0])
    return img


def door() -> Image:
    """A door in a south-facing wall, in the lower part of the tile (below the eave)."""
    img = blank()
    top = FACADE_TOP + 1
    rect(img, 4, top - 1, 8, T - top + 1, WOOD[5])  # frame
    rect(img, 4, top - 1, 8, 1, WOOD[6])
    rect(img, 5, top, 6, T - top - 1, WOOD[2])  # leaf
    rect(img, 6, top + 1, 4, 2, WOOD[3])  # panels
    rect(img, 6, top + 4, 4, 2, WOOD[3])
    put(img, 9, top + 3, hexc("#f1cb5c"))  # knob
    rect(img, 3, T - 1, 10, 1, STONE[4])  # step
    rect(img, 11, top, 1, T - top - 1, WOOD[3])
    return img


def kennel_gate(horizontal: bool) -> Image:
    body = blank()
    latch = hexc("#e0a030")
    if horizontal:
        rect(body, 0, 1, 2, 13, METAL[4])  # hinge post
        rect(body, 14, 1, 2, 13, METAL[3])
        rect(body, 2, 2, 12, 1, METAL[5])
        rect(body, 2, 12, 12, 1, METAL[3])
        rect(body, 2, 7, 12, 1, METAL[4])
        for x in range(3, 14, 2):
            rect(body, x, 3, 1, 9, METAL[5])
        rect(body, 11, 6, 3, 3, latch)
        put(body, 11, 6, mix(latch, WHITE, 0.5))
    else:
        rect(body, 6, 0, 4, 2, METAL[4])
        rect(body, 6, 14, 4, 2, METAL[3])
        rect(body, 7, 2, 1, 12, METAL[5])
        rect(body, 8, 2, 1, 12, METAL[3])
        for y in range(3, 14, 2):
            put(body, 6, y, METAL[4])
            put(body, 9, y, METAL[2])
        rect(body, 6, 10, 4, 3, latch)
    img = blank()
    shadow = blank()
    sh = body[..., 3] > 0
    shadow[2:, 1:][sh[:-2, :-1]] = (*SHADOW, 90)
    over(img, shadow)
    over(img, outline(body))
    return img


def tree_small() -> Image:
    img = blank()
    soft_shadow(img, 10, 13, 6, 2.5)
    trunk = blank()
    rect(trunk, 7, 11, 3, 4, BARK[3])
    rect(trunk, 9, 11, 1, 4, BARK[1])
    rect(trunk, 6, 14, 5, 1, BARK[2])
    over(img, outline(trunk))
    lum, cov, _ = canopy(T, 13, ((8, 6.5, 6.3),), rng_for("tree_small"))
    idx = canopy_indices(lum, cov, 1, 7, rng_for("tree_small_leaves"), 0.35)
    crown = blank(T, 13)
    crown[cov, :3] = FOREST[idx[cov]]
    crown[cov, 3] = 255
    over(img, outline(crown), 0, 0)
    return img


# Leaf masses of the maple (x, y, radius): a broad dome with lobes, lower ones in front.
MAPLE_CROWNS: tuple[Crown, ...] = (
    (16.0, 9.0, 7.5), (9.0, 6.5, 5.5), (23.0, 6.0, 5.5), (15.5, 3.8, 4.5), (4.6, 12.0, 4.4),
    (27.4, 11.5, 4.4), (8.8, 15.2, 5.0), (23.4, 15.0, 5.0), (14.0, 17.6, 3.9), (19.6, 18.0, 3.6),
    (2.6, 16.6, 2.4), (29.4, 16.4, 2.4),
)


def maple() -> Image:
    """The old maple by the pond: 32x32, autumn canopy over a gnarled trunk, leaves on the
    ground. Split into four tiles."""
    size = 2 * T
    img = blank(size, size)
    rng = rng_for("maple")
    # shadow and fallen leaves on the ground
    soft_shadow(img, 18, 27.5, 14.5, 4.2, 100)
    leaves = blank(size, size)
    for _ in range(30):
        ang = rng.uniform(0, 2 * np.pi)
        rad = 0.35 + 0.65 * np.sqrt(rng.random())
        x = int(16.5 + np.cos(ang) * rad * 15)
        y = int(27.5 + np.sin(ang) * rad * 4.2)
        col = MAPLE[int(rng.integers(3, 8))]
        put(leaves, x, y, col)
        if rng.random() < 0.5:
            put(leaves, x + 1, y, mix(col, SHADOW, 0.35))
    over(img, leaves)
    # trunk: slightly leaning, forking into two limbs under the canopy, a few roots
    trunk = blank(size, size)
    xx, yy = centres(size, size)
    lean = xx - 16 - (yy - 28) * 0.1
    half = 2.0 + np.clip(yy - 27.0, 0, None) ** 1.3 * 0.9
    body = (np.abs(lean) < half) & (yy > 15) & (yy < 29.6)
    for sign in (-1, 1):  # the fork
        limb = np.abs(xx - 16 - sign * (19 - yy) * 0.9) < 1.3
        body |= limb & (yy > 12) & (yy < 19.5)
    bark = np.full((size, size), 2)
    bark[lean < 0.4] = 3
    bark[lean < -half + 1.2] = 4
    bark[lean > half - 1.2] = 1
    grain = periodic_noise(rng, size, size, sx=0.35, sy=2.5) > 0.8
    bark[grain] = np.maximum(bark[grain] - 1, 0)
    trunk[body, :3] = BARK[bark[body]]
    trunk[body, 3] = 255
    for x0, dx in ((12, -1), (19, 1)):  # roots
        rect(trunk, x0, 28, 2, 1, BARK[2])
        rect(trunk, x0 + dx, 29, 2, 1, BARK[1])
    rect(trunk, 16, 23, 1, 2, BARK[0])  # a knot hole
    put(trunk, 15, 23, BARK[1])
    over(img, outline(trunk))
    # the canopy: several masses, wider than tall, lower ones in front
    lum, cov, which = canopy(size, size, MAPLE_CROWNS, rng_for("maple_crown"), clump=0.42,
                             lift=0.2)
    idx = canopy_indices(lum, cov, 1, 7, rng_for("maple_leaves"), 0.3)
    # mottled autumn colour: some masses redder, some more golden
    shift = np.array([0, -1, 1, 0, -1, 1, 0, -1, 1, 0, -1, 0, 1, -1, 0, 1, 0, -1])
    idx = np.where(cov, idx + shift[which % len(shift)], idx)
    idx = np.where(cov & (yy + xx * 0.3 > 25) & (idx > 2), idx - 1, idx)
    crown = blank(size, size)
    crown[cov, :3] = MAPLE[np.clip(idx[cov], 1, 8)]
    crown[cov, 3] = 255
    sparkle = cov & (idx >= 6) & (rng.random((size, size)) < 0.18)
    crown[sparkle, :3] = MAPLE[8]
    deep = cov & (idx <= 2) & (rng.random((size, size)) < 0.25)
    crown[deep, :3] = MAPLE[0]
    over(img, outline(crown))
    for x, y in ((2, 22), (29, 21), (26, 24), (5, 25)):  # leaves drifting down
        put(img, x, y, MAPLE[5])
        put(img, x + 1, y + 1, MAPLE[3])
    return img


def doghouse() -> Image:
    """A little wooden doghouse: red roof slope above a plank front with a dark doorway."""
    img = blank()
    soft_shadow(img, 9.5, 14, 7.5, 2.2)
    body = blank()
    rect(body, 2, 8, 12, 7, WOOD[4])  # front wall
    for y in (10, 12):
        rect(body, 2, y, 12, 1, WOOD[3])
    rect(body, 2, 8, 1, 7, WOOD[5])
    rect(body, 13, 8, 1, 7, WOOD[2])
    doorway = sdf_box(*centres(), 5.5, 10.5, 9.5, 15, 2.2) < 0
    fill(body, doorway, hexc("#1c1216"))
    rect(body, 1, 1, 14, 7, ROOF_RED[4])  # roof slope facing the viewer
    for y in (3, 5):
        rect(body, 1, y, 14, 1, ROOF_RED[3])
    rect(body, 1, 1, 14, 1, ROOF_RED[6])  # ridge
    rect(body, 1, 2, 1, 5, ROOF_RED[5])
    rect(body, 14, 2, 1, 5, ROOF_RED[2])
    rect(body, 1, 7, 14, 1, ROOF_RED[1])  # eave
    rect(body, 6, 9, 4, 1, WOOD[6])  # name plate above the door
    over(img, outline(body))
    return img


def lily() -> Image:
    img = blank()
    pad = ramp("#1f4a2a", "#2f6b36", "#4a8a40", "#6ea852")
    xx, yy = centres()
    for cx, cy, r, notch in ((5.5, 6, 3.6, 0.6), (11.5, 10.5, 3.0, 2.2), (5, 12.5, 2.2, 3.5)):
        d = np.hypot(xx - cx, yy - cy)
        ang = np.arctan2(yy - cy, xx - cx)
        m = (d < r) & (np.abs(((ang - notch + np.pi) % (2 * np.pi)) - np.pi) > 0.45)
        fill(img, m, pad[2])
        fill(img, m & (xx - cx + yy - cy < -1.2), pad[3])
        fill(img, m & (xx - cx + yy - cy > 1.8), pad[1])
        fill(img, m & (d > r - 0.9), pad[1])
    # a water-lily flower
    stamp(img, [".P.", "PWP", ".p."], 10, 3, {"P": hexc("#f2a6c0"), "W": hexc("#fff1b0"),
                                                "p": hexc("#c66a8e")})
    return img


def picnic_table() -> Image:
    img = blank()
    soft_shadow(img, 9, 9.5, 7.5, 5.5)
    for y0, rows in ((0, 2), (5, 5), (13, 2)):  # north bench, table top, south bench
        part = blank()
        rect(part, 1, y0, 14, rows, WOOD[5])
        rect(part, 1, y0, 14, 1, WOOD[6])
        for y in range(y0 + 2, y0 + rows, 2):
            rect(part, 1, y, 14, 1, WOOD[4])
        rect(part, 1, y0 + rows - 1, 14, 1, WOOD[3])
        over(img, outline(part))
    for x in (3, 11):  # legs under the table, seen in the gaps
        rect(img, x, 11, 2, 1, WOOD[1])
        rect(img, x, 3, 2, 1, WOOD[1])
    return img


def hurdle() -> Image:
    img = blank()
    shadow = blank()
    rect(shadow, 3, 12, 12, 2, SHADOW, 80)
    over(img, shadow)
    body = blank()
    for x in (1, 13):
        rect(body, x, 2, 2, 12, WHITE)
        rect(body, x + 1, 2, 1, 12, mix(WHITE, SHADOW, 0.3))
        rect(body, x - 1, 13, 4, 1, METAL[3])
    for y in (4, 8):
        for x in range(3, 13):
            red = (x // 2) % 2 == 0
            put(body, x, y, RED_PAINT[3] if red else WHITE)
            put(body, x, y + 1, RED_PAINT[2] if red else mix(WHITE, SHADOW, 0.25))
    over(img, outline(body))
    return img


def tunnel() -> Image:
    """A K9 agility tunnel lying east-west, its open end to the west."""
    img = blank()
    soft_shadow(img, 9, 12.5, 7.5, 2.5)
    body = blank()
    xx, yy = centres()
    tube = sdf_box(xx, yy, 1, 15, 4, 13, 4.0) < 0
    ring = (xx.astype(int) // 2) % 2 == 0
    blue = ramp("#1c2e5c", "#2a4a8c", "#3d68b0", "#6a94d0")
    yellow = ramp("#6a4a14", "#b88a24", "#e6bc3e", "#f6dc7a")
    for pal, sel in ((blue, ring), (yellow, ~ring)):
        fill(body, tube & sel, pal[2])
        fill(body, tube & sel & (yy < 7), pal[3])
        fill(body, tube & sel & (yy > 10.5), pal[1])
    fill(body, ellipse_mask(T, T, 3.2, 8.5, 1.6, 3.6), hexc("#120c14"))
    over(img, outline(body))
    return img


PATROL_CAR = [  # facing up; K black paint, W white paint, G glass, X light-bar housing
    "..LHHLLLLHHL..", ".KKKKKKKKKKKK.", "KKKkkKKKKkkKKK", "KKkKKKKKKKKkKK", "KKKKKKKKKKKKKK",
    "KKKKKKKKKKKKKK", "WKKKKKKKKKKKKW", "WwGGGGGGGGGGwW", "WGGgGGGGGGGGGW", "MWGgGGGGGGGGWM",
    "WWWWWWWWWWWWWW", "WGWWWWWWWWWWGW", "WGWWWWWWWWWWGW", "WGXXXXXXXXXXGW", "WGRRRRRBBBBBGW",
    "WGXXXXXXXXXXGW", "WGWWWWWWWWWWGW", "WGWWWWWWWWWWGW", "WGWWWWWWWWWWGW", "WGwwwwwwwwwwGW",
    "WWGGGGGGGGGGWW", "WWGgGGGGGGGGWW", "KKKKKKKKKKKKKK", "KKkKKKKKKKKkKK", ".KKKKKKKKKKKK.",
    "..TTLLLLLLTT..",
]
CIVIL_CAR = [  # facing up; C paint, c shade, G glass
    ".LHLLLLHL.", "CCCCCCCCCC", "CkCCCCCCkC", "CCCCCCCCCC", "CGGGGGGGGC", "CGgGGGGGGC",
    "MCCCCCCCCM", "CGkCCCCCGC", "CGCCCCCCGC", "CGCCCCCCGC", "CCGGGGGGCC", "CCCCCCCCCC",
    "CkCCCCCCkC", ".CCCCCCCC.", ".TLLLLLLT.",
]


def car_template(rows: list[str], paint: Iterable[int]) -> Image:
    """A car from an ASCII template, facing up, unshaded."""
    paint = tuple(paint)
    pal = {"K": hexc("#1c1c24"), "k": hexc("#3a3a46"), "W": hexc("#eef0f2"),
           "w": hexc("#c4c8d0"), "G": GLASS[1], "g": GLASS[3], "X": hexc("#2a2a30"),
           "R": LIGHT_RED[0], "B": LIGHT_BLUE[0], "H": hexc("#fff0b0"), "T": hexc("#d83a30"),
           "L": hexc("#8a8c90"), "M": hexc("#2a2a30"), "C": paint,
           "c": mix(paint, SHADOW, 0.3)}
    pal["k"] = pal["k"] if "K" in "".join(rows) else mix(paint, WHITE, 0.3)
    img = blank(len(rows[0]), len(rows))
    draw_rows(img, rows, 0, 0, pal)
    return img


def light_shape(img: Image) -> Image:
    """Screen-space shading for a flat-coloured top-down body: lit upper-left edges."""
    a = img[..., 3] > 0
    h, w = a.shape
    dist = np.zeros((h, w))
    cur = a.copy()
    for _ in range(3):  # cheap distance to the edge, up to 3 px: erode three times
        dist += cur
        nxt = cur.copy()
        nxt[1:, :] &= cur[:-1, :]
        nxt[:-1, :] &= cur[1:, :]
        nxt[:, 1:] &= cur[:, :-1]
        nxt[:, :-1] &= cur[:, 1:]
        cur = nxt
    lum = lambert(dist / 2.0)
    out = img.copy()
    tint(out, a & (lum > 0.8), WHITE, 0.25)
    tint(out, a & (lum < 0.55), SHADOW, 0.3)
    return out


def parked_car(horizontal: bool) -> Image:
    car = car_template(CIVIL_CAR, hexc("#2f8a8a"))
    if horizontal:
        car = np.rot90(car, -1).copy()
    car = light_shape(car)
    img = blank()
    h, w = car.shape[:2]
    x0, y0 = (T - w) // 2, (T - h) // 2
    shadow = blank()
    shadow[y0 + 1:y0 + h + 1, x0 + 1:x0 + w + 1][car[..., 3] > 0] = (*SHADOW, 100)
    over(img, shadow)
    over(img, outline(car), x0, y0)
    return img


def sign() -> Image:
    img = blank()
    soft_shadow(img, 9, 14.5, 5, 1.2)
    body = blank()
    rect(body, 4, 8, 1, 7, WOOD[3])
    rect(body, 11, 8, 1, 7, WOOD[3])
    rect(body, 2, 2, 12, 7, WOOD[4])  # board
    rect(body, 2, 2, 12, 1, WOOD[6])
    rect(body, 3, 3, 10, 5, GREEN_PAINT[2])
    for y, x0, x1 in ((4, 4, 11), (6, 4, 9)):  # lettering
        for x in range(x0, x1):
            if (x * 7 + y) % 5 != 0:
                put(body, x, y, WHITE)
    rect(body, 2, 8, 12, 1, WOOD[2])
    over(img, outline(body))
    return img


def decor_tiles() -> list[Tile]:
    tree = maple()
    tiles: list[Tile] = [
        ("lamp", None, lamp()), ("bench_h", None, bench(True)), ("bench_v", None, bench(False)),
        ("bin", None, litter_bin()), ("stall", None, stall()), ("flowerbed", None, flowerbed()),
        ("bush_small", None, bush()), ("manhole", None, manhole()), ("door", None, door()),
        ("gate_h", None, kennel_gate(True)), ("gate_v", None, kennel_gate(False)),
        ("maple_tl", None, tree[:T, :T]), ("maple_tr", None, tree[:T, T:]),
        ("maple_bl", None, tree[T:, :T]), ("maple_br", None, tree[T:, T:]),
        ("tree_small", None, tree_small()), ("doghouse", None, doghouse()), ("lily", None, lily()),
        ("picnic_table", None, picnic_table()), ("hurdle", None, hurdle()),
        ("tunnel", None, tunnel()), ("car_parked_h", None, parked_car(True)),
        ("car_parked_v", None, parked_car(False)), ("sign", None, sign()),
    ]
    return [(n, t, np.ascontiguousarray(img)) for n, t, img in tiles]



# ---------------------------------------------------------------------------------------------
# Sprites: people. Small ASCII templates (a letter per colour role) are stacked into a figure,
# then auto-outlined. Roles: H/h/i hair (base, shade, light), S/s skin, e eyes, C/c/k clothes
# top, P/p trousers, B shoes, K/V cap and visor, A accent, L leather (the collar), M metal.

Frame = tuple[Image, int, int]  # pixels, anchor x, anchor y

HEADS: dict[str, dict[str, list[str]]] = {
    "long": {
        "down": ["..HHHHHH..", ".HHiiHHHH.", ".HiHHHHHH.", ".HHHSSHHH.", ".HSeSSeSH.",
                 ".HSSSSSSH.", ".HhSssShH.", ".Hh.ss.hH.", ".hh....hh.", ".h......h."],
        "up": ["..HHHHHH..", ".HHiiHHHH.", ".HiHHHHHH.", ".HHHHHHHH.", ".HHHHHHHH.",
               ".HHHHHHHH.", ".HhHHHHhH.", ".HhHHHHhH.", "..hHHHHh..", "...hhhh..."],
        "right": ["..HHHHH...", ".HHiiHHHH.", ".HiHHHHHHH", ".HHHHSHHS.", ".HHHSSSeS.",
                  ".HHHSSSSSs", ".HHhsSSSS.", ".HHh.sS...", ".hh.......", ".h........"],
    },
    "short": {
        "down": ["..HHHHHH..", ".HHiiHHHH.", ".HiHHHHHH.", ".HHSSSSHH.", ".SSeSSeSS.",
                 "..SSSSSS..", "..sSssSs..", "....ss...."],
        "up": ["..HHHHHH..", ".HHiiHHHH.", ".HiHHHHHH.", ".HHHHHHHH.", ".SHHHHHHS.",
               "..hHHHHh..", "..sSSSSs..", "....ss...."],
        "right": ["..HHHHH...", ".HHiiHHHH.", ".HiHHHHHHH", ".HHHHHSSS.", ".HHSHSSeS.",
                  ".hHSSSSSSs", "..hsSSSS..", "....sS...."],
    },
    "bun": {
        "down": ["...HHHH...", "..HHHHHH..", ".HHiiHHHH.", ".HiHHHHHH.", ".HHSSSSHH.",
                 ".HSeSSeSH.", "..SSSSSS..", "..sSssSs..", "....ss...."],
        "up": ["...HiHH...", "..HHHHhH..", ".HHiiHHHH.", ".HiHHHHHH.", ".HHHHHHHH.",
               ".SHHHHHHS.", "..hHHHHh..", "..sSSSSs..", "....ss...."],
        "right": ["..HiH.....", ".HHHHHH...", ".HHiiHHHH.", ".HiHHHHHHH", ".HHHHHSSS.",
                  ".HHSHSSeS.", ".hHSSSSSSs", "..hsSSSS..", "....sS...."],
    },
    "cap": {
        "down": ["..KKKKKK..", ".KKKKKKKK.", ".KKKAAKKK.", ".VVVVVVVV.", ".SSeSSeSS.",
                 "..SSSSSS..", "..sSssSs..", "....ss...."],
        "up": ["..KKKKKK..", ".KKKKKKKK.", ".KKKKKKKK.", ".VKKKKKKV.", ".SHHHHHHS.",
               "..hHHHHh..", "..sSSSSs..", "....ss...."],
        "right": ["..KKKKK...", ".KKKKKKK..", ".KKKKKAK..", ".VVVVVVVVV", ".HHSHSSeS.",
                  ".hHSSSSSSs", "..hsSSSS..", "....sS...."],
    },
}

TORSO = {
    "down": ["..cCCCCc..", ".CCkCCCCC.", ".CCkCCCcC.", ".CkCCCCcC.", ".CkCCCCcC.",
             "..PPPPPP.."],
    "up": ["..cCCCCc..", ".CCCCCCCC.", ".CkCCCCcC.", ".CkCCCCcC.", ".CkCCCCcC.",
           "..PPPPPP.."],
    "right": ["...cCCC...", "...CCCCc..", "...CCCCc..", "...CCCCc..", "...CCCCc..",
              "...PPPP..."],
}
COAT_HEM = {"down": ["..CCCCCC..", "..cCCCCc.."], "up": ["..CCCCCC..", "..cCCCCc.."],
            "right": ["...CCCCc..", "...cCCCc.."]}

LEGS = {
    "down": {
        "stand": ["..PPpPPP..", "..PP..PP..", "..PP..PP..", "..BB..BB.."],
        "left": ["..PPpPPP..", "..PP..PP..", "..PP..BB..", "..BB......"],
        "right": ["..PPpPPP..", "..PP..PP..", "..BB..PP..", "......BB.."],
    },
    "up": {
        "stand": ["..PPpPPP..", "..PP..PP..", "..PP..PP..", "..BB..BB.."],
        "left": ["..PPpPPP..", "..PP..PP..", "..BB..PP..", "......BB.."],
        "right": ["..PPpPPP..", "..PP..PP..", "..PP..BB..", "..BB......"],
    },
    "right": {
        "stand": ["...PPPP...", "...PPPp...", "....PPp...", "....BBBB.."],
        "stride_a": ["...PPPP...", "..pPp.PP..", ".pp....PP.", ".BB....BBB"],
        "stride_b": ["...PPPP...", "..PPp.pp..", ".PP....pp.", ".BB....BBB"],
        "pass": ["...PPPP...", "....PPp...", "....Ppp...", "....BBB..."],
    },
}
ARMS_SIDE = {  # the near arm in side view, relative to the torso's top-left
    "back": ["...k......", "..kc......", "..c.......", ".S........"],
    "down": ["....kc....", "....kc....", "....kc....", "....SS...."],
    "front": ["....kc....", ".....kc...", "......kc..", ".......SS."],
}

# Where things in a hand go: (x, y) in template coordinates, per view
HAND = {"down": (8, 12), "up": (1, 12), "right": (7, 12)}


def person_palette(hair: str, skin: np.ndarray, top: str, pants: str, shoes: str,
                   accent: str = "#e0b040", cap: str | None = None) -> dict[str, tuple]:
    def light(c: str) -> tuple:
        return mix(hexc(c), hexc("#fff2c8"), 0.3)

    def dark(c: str) -> tuple:
        return mix(hexc(c), SHADOW, 0.35)

    pal = {"H": hexc(hair), "h": dark(hair), "i": light(hair), "S": tuple(skin[3]),
           "s": tuple(skin[2]), "e": hexc("#241820"), "C": hexc(top), "c": dark(top),
           "k": light(top), "P": hexc(pants), "p": dark(pants), "B": hexc(shoes),
           "A": hexc(accent), "L": hexc("#8a4a22"), "M": hexc("#d8d0b0"), "W": WHITE}
    if cap:
        pal["K"] = hexc(cap)
        pal["V"] = dark(cap)  # the visor
    return pal


class Look:
    """How one person is drawn: hair style, colours and extras."""

    def __init__(self, style: str, pal: dict[str, tuple], coat: bool = False,
                 extras: tuple[str, ...] = ()) -> None:
        self.style, self.pal, self.coat, self.extras = style, pal, coat, extras


SKIN_LIGHT = SKIN
SKIN_TAN = ramp("#4a2a1c", "#7a4630", "#a86a48", "#c98e66", "#e0b08a")
SKIN_DARK = ramp("#2a1610", "#4a2a1c", "#6e4230", "#8c5a40", "#a87458")

LOOKS = {
    "mila": Look("long", person_palette("#2a1c22", SKIN_LIGHT, "#f0c030", "#2e3a5c", "#6a2a2a"),
                 coat=True, extras=("collar", "toggles")),
    "officer": Look("cap", person_palette("#3a2a20", SKIN_TAN, "#2c3c6a", "#1c2440", "#15141a",
                                          "#f0c850", cap="#1e2a4c"), extras=("badge", "belt")),
    "dylan": Look("short", person_palette("#5a3a22", SKIN_LIGHT, "#6f6e3a", "#3a3a34",
                                          "#2a2018", "#c8a46a"), extras=("k9",)),
    "civilian0": Look("short", person_palette("#d8b050", SKIN_LIGHT, "#c43a34", "#3a5a8c",
                                              "#3a2a22")),
    "civilian1": Look("bun", person_palette("#6a3a20", SKIN_TAN, "#4a8a5a", "#5a4030",
                                            "#2a2020")),
    "civilian2": Look("long", person_palette("#1a1418", SKIN_DARK, "#a04a8c", "#2a2a3a",
                                             "#1e1a20")),
    "civilian3": Look("short", person_palette("#c8c4c0", SKIN_LIGHT, "#3a8a9a", "#6a6a70",
                                              "#3a3030")),
}


def draw_rows(img: Image, rows: list[str], x: int, y: int, pal: dict[str, tuple],
              mirror: bool = False) -> None:
    for j, row in enumerate(rows):
        for i, ch in enumerate(row[::-1] if mirror else row):
            if ch in pal:
                put(img, x + i, y + j, pal[ch])


def person(look: Look, view: str, pose: str = "walk", frame: int = 0) -> Frame:
    """One frame of a person: view is down/up/right (left is mirrored by the caller).

    The figure is stacked legs, torso, arms, head, then things in hand, in a 16x24 frame
    (24x24 when aiming to the side); the anchor is on the ground between the feet.
    """
    pal = look.pal
    width = 24 if (pose == "aim" and view == "right") else 16
    img = blank(width, 24)
    ox, oy = 3, 3
    kneel = pose == "kneel"
    walk_step = frame if pose == "walk" else None
    body_y = oy - (1 if walk_step in (1, 3) else 0)  # a small bob on the passing frames
    if kneel:  # lower the body; thighs forward, one knee on the ground
        body_y = oy + 2
        rows = (["..pPPPPPP.", "BBpp...PBB"] if view == "right"
                else ["..PPpPPP..", ".BPP..PPB."])
        draw_rows(img, rows, ox, oy + 16, pal)
    else:
        steps = (("stride_a", "pass", "stride_b", "pass") if view == "right"
                 else ("left", "stand", "right", "stand"))
        legs = LEGS[view][steps[walk_step] if walk_step is not None else "stand"]
        draw_rows(img, legs, ox, oy + 14, pal)
    torso = list(TORSO[view])
    if look.coat:
        torso = torso[:5] + [COAT_HEM[view][0]]
    draw_rows(img, torso, ox, body_y + 8, pal)
    if look.coat and not kneel:
        draw_rows(img, [COAT_HEM[view][1]], ox, body_y + 14, pal)
    extras(img, look, view, ox, body_y)
    held = person_arms(img, pal, view, pose, walk_step, ox, body_y)
    # the head goes on top; long hair falls over the shoulders
    head = HEADS[look.style][view]
    head_y = body_y if look.style == "long" else body_y + 8 - len(head)
    draw_rows(img, head, ox, head_y, pal)
    held_things(img, look, view, pose, held, pal)
    if view == "up" and pose == "phone":  # the screen, seen over the shoulder
        rect(img, ox + 3, body_y + 6, 4, 3, hexc("#1a1a24"))
        rect(img, ox + 4, body_y + 6, 2, 2, hexc("#9ad8f0"))
    img = outline(img)
    shadow = blank(width, 24)
    soft_shadow(shadow, 8, 21.5, 5.0, 1.6, 90)
    over(shadow, img)
    return shadow, 8, 21


def person_arms(img: Image, pal: dict[str, tuple], view: str, pose: str, walk_step: int | None,
                ox: int, body_y: int) -> tuple[int, int]:
    """Draw the arms for a pose; returns where a held thing goes."""
    if view == "right":
        if pose in ("hand", "collar", "aim", "phone"):  # the near arm reaches forward
            draw_rows(img, ["....kcc...", ".....kCCSS"], ox, body_y + 9, pal)
            held = (ox + 9, body_y + 10)
            if pose == "hand":
                draw_rows(img, ["........S.", "....kccS..", "....kc...."], ox, body_y + 7, pal)
                held = (ox + 8, body_y + 7)
            if pose == "phone":
                draw_rows(img, ["....kcc.SS", "....kc..S."], ox, body_y + 8, pal)
                held = (ox + 9, body_y + 7)
            return held
        arm = ("front", "down", "back", "down")[walk_step] if walk_step is not None else "down"
        draw_rows(img, ARMS_SIDE[arm], ox, body_y + 9, pal)
        return ox + {"front": 8, "down": 5, "back": 1}[arm], body_y + 13
    # front and back views: hands at the sides, swinging a pixel when walking
    swing = {0: (0, 1), 2: (1, 0)}.get(walk_step, (0, 0))
    for side, (ax, dy) in enumerate(((1, swing[0]), (8, swing[1]))):
        put(img, ox + ax, body_y + 12 + dy, pal["S"])
        if dy:
            put(img, ox + ax, body_y + 12, pal["C"] if side == 0 else pal["c"])
    held = ((ox + 8, body_y + 13 + swing[1]) if view == "down"
            else (ox + 1, body_y + 13 + swing[0]))
    if pose == "hand":  # the near hand lifted, palm out
        rect(img, ox + 8, body_y + 12, 1, 1, pal["c"])
        draw_rows(img, ["S.", "SC", ".C", ".C"], ox + 8, body_y + 6, pal)
        held = (ox + 8, body_y + 6)
    if pose in ("collar", "phone", "aim"):  # both hands in front of the chest
        put(img, ox + 1, body_y + 12, pal["C"])
        put(img, ox + 8, body_y + 12, pal["c"])
        hy = body_y + (8 if pose == "phone" else 10)
        draw_rows(img, ["..kC..Cc..", "...SSSS..."], ox, hy, pal)
        held = (ox + 4, hy + 1)
    return held


def extras(img: Image, look: Look, view: str, ox: int, oy: int) -> None:
    pal = look.pal
    if "badge" in look.extras and view == "down":
        put(img, ox + 3, oy + 9, pal["A"])
    if "belt" in look.extras:
        row = {"down": "..BBBABB..", "up": "..BBBBBB..", "right": "...BBBB..."}[view]
        draw_rows(img, [row], ox, oy + 13, {"B": hexc("#18161c"), "A": pal["A"]})
    if "k9" in look.extras:
        if view == "up":  # the K9 patch on the back
            draw_rows(img, ["...AAAA...", "...AAAA..."], ox, oy + 9, pal)
        elif view == "down":
            draw_rows(img, [".A......A."], ox, oy + 9, pal)
        else:
            draw_rows(img, ["....A....."], ox, oy + 9, pal)
    if "toggles" in look.extras and view == "down":
        for y in (9, 11):
            put(img, ox + 5, oy + y, hexc("#8a5a20"))
    if "toggles" in look.extras and view == "up":  # the raincoat's hood
        draw_rows(img, ["..cCCCCc..", "...cCCc..."], ox, oy + 7, pal)


def held_things(img: Image, look: Look, view: str, pose: str, held: tuple[int, int],
                pal: dict[str, tuple]) -> None:
    x, y = held
    if "collar" in look.extras and pose in ("walk", "kneel", "hand") and view != "up":
        if pose == "hand":
            return
        draw_rows(img, [".L.", "L.L", ".LM"], x - 1, y, pal)  # dangling collar
    if pose == "collar":
        if view == "right":
            draw_rows(img, ["LLL.", "L..L", ".LLM"], x - 1, y, pal)
        elif view == "down":
            draw_rows(img, [".LLLL.", "L....L", ".LLLM."], x - 2, y + 1, pal)
    if pose == "phone" and view != "up":
        if view == "right":
            rect(img, x, y - 1, 1, 3, hexc("#1a1a24"))
            put(img, x, y - 1, hexc("#f0f0ff"))
        else:  # held up sideways under the chin, filming: its back and camera light
            rect(img, x - 1, y - 2, 4, 2, hexc("#1a1a24"))
            put(img, x - 1, y - 2, hexc("#f0f0ff"))
            put(img, x + 2, y - 1, hexc("#3a3a48"))
    if pose == "aim":
        gun = hexc("#2a2a30")
        stock = hexc("#5a3a22")
        if view == "right":
            rect(img, x - 4, y - 1, 4, 2, stock)
            rect(img, x - 1, y - 1, 10, 1, gun)
            rect(img, x + 2, y, 3, 1, gun)
            put(img, x + 9, y - 1, METAL[4])
            put(img, x + 3, y - 2, METAL[4])
        elif view == "down":
            rect(img, x, y - 2, 2, 7, gun)
            put(img, x, y + 5, METAL[4])
            put(img, x + 1, y + 5, METAL[3])
            rect(img, x - 1, y - 3, 2, 2, stock)
        else:  # up: the barrel sticks out past the head
            rect(img, x + 3, y - 12, 1, 9, gun)
            put(img, x + 3, y - 12, METAL[4])



# ---------------------------------------------------------------------------------------------
# Sprites: Rex, a black-and-tan German Shepherd

REX = {"K": hexc("#1f1b21"), "k": hexc("#3e3844"), "T": hexc("#c4883f"), "t": hexc("#94602c"),
       "u": hexc("#e0b066"), "N": hexc("#0c080c"), "e": hexc("#2a1208"), "E": hexc("#7a4a34"),
       "w": hexc("#f4f0e0"), "r": hexc("#a83030"), "g": hexc("#5a3018")}

REX_HEAD_SIDE = {  # facing right; the neck (bottom-left) overlaps the torso
    "calm": ["..K.K.....", "..KKKK....", ".KKkKKK...", ".KuTeKKKK.", "KTTTTTKKKN",
             "KKTTTtKK..", "KKKTT.....", "KKKTT....."],
    "growl": ["..........", "KK........", ".KKKKK....", "KKuTeKKKKN", "KTTTTKwwwr",
              "KKTTTtrrr.", "KKKTTtww..", "KKKTT....."],
    "press": ["..........", ".KK.......", "..KKKK....", ".KKkKKK...", ".KuTgKKKK.",
              "KTTTTTKKKN", "KKTTTtKK..", "KKKTT....."],
    "rest": ["KK........", ".KKKK.....", "KKKkKKK...", "KKuTgKKKK.", "KTTTTTKKKN",
             "KKTTTtKK..", "KKKTT.....", "KKKTT....."],  # ears laid back, eyes shut
}
REX_TORSO_SIDE = [
    "..KKKKKKKKKKK..",
    ".KKkkkKKKKKKKKT",
    "KKKKKKKKKKKKKTT",
    "tKKKKKKKKKKKTTT",
    "ttTKKKKKKKTTTTt",
    ".tTTTTTTTTTTTt.",
]
REX_TAIL_SIDE = ["..KK", ".KKK", "KKKt", "KKtt", "KKt.", "Ktt.", "tu.."]
REX_TAIL_UP = ["KK..", "KKK.", ".KKK", ".tKK", "..tK", "...t"]  # raised for the leap


def dog_leg(img: Image, top: tuple[float, float], paw: tuple[float, float],
            colour: tuple, paw_colour: tuple, hind: bool) -> None:
    """A 2-px leg from the body to the paw; hind legs bend back at the hock."""
    (x0, y0), (x1, y1) = top, paw
    if hind:  # thigh, then the hock angled back, then the foot
        xm, ym = x0 + (x1 - x0) * 0.5 - 1.0, y0 + (y1 - y0) * 0.55
        pts = [(x0, y0), (xm, ym), (x1, y1)]
        rect(img, ipx(x0) - 1, ipx(y0), 3, 2, colour)
    else:
        pts = [(x0, y0), (x1, y1)]
    for (ax, ay), (bx, by) in itertools.pairwise(pts):
        steps = int(max(abs(bx - ax), abs(by - ay)) * 2) + 1
        for t in np.linspace(0, 1, steps):
            rect(img, ipx(ax + (bx - ax) * t), ipx(ay + (by - ay) * t), 2, 1,
                 colour)
    rect(img, ipx(x1), ipx(y1), 3, 1, paw_colour)


def rex_side(pose: str = "walk", frame: int = 0) -> Frame:
    """Rex facing right; 28x24 frame, anchor on the ground under his middle."""
    w, h = 28, 24
    img = blank(w, h)
    pal = REX
    ground = 20
    tx, ty = 4, 10  # torso top-left
    if pose == "sit":
        return rex_side_sit()
    if pose == "walk" and frame in (1, 3):
        ty -= 1
    if pose == "leap":
        ty -= 5
    front_x, hind_x = tx + 11, tx + 2
    leg_top = ty + 5
    legs_far, legs_near = [], []
    if pose == "leap":  # front legs tucked forward, hind legs stretched back
        legs_far = [((front_x + 1, leg_top), (front_x + 4, leg_top + 2), False),
                    ((hind_x + 1, leg_top), (hind_x - 4, leg_top + 3), True)]
        legs_near = [((front_x, leg_top), (front_x + 3, leg_top + 3), False),
                     ((hind_x, leg_top), (hind_x - 5, leg_top + 2), True)]
    else:
        walking = pose == "walk"
        for is_hind, near, phase0 in ((False, True, 0.0), (True, False, 0.0),
                                      (False, False, np.pi), (True, True, np.pi)):
            ph = phase0 + frame * np.pi / 2
            dx = 2.0 * np.cos(ph) if walking else 0.0
            up = 1.5 * max(0.0, -np.sin(ph)) if walking else 0.0
            if pose == "growl":
                dx += 1.0 if is_hind else -1.0  # braced, weight back
            if pose == "press":
                dx += -1.0 if is_hind else 1.0
            bx = (hind_x if is_hind else front_x) + (0 if near else 1)
            paw = (bx + dx - (1 if is_hind else 0), ground - 1 - round(up))
            (legs_near if near else legs_far).append(((bx, leg_top), paw, is_hind))
    for top, paw, hind in legs_far:
        dog_leg(img, top, paw, pal["t"], pal["t"], hind)
    tail = REX_TAIL_UP if pose == "leap" else REX_TAIL_SIDE
    if pose == "growl":
        tail = ["....", "KK..", "KKKK", ".tKK", "...K"]
    draw_rows(img, tail, tx - 3, ty + 1, pal)
    draw_rows(img, REX_TORSO_SIDE, tx, ty, pal)
    if pose == "growl":  # hackles up along the back
        draw_rows(img, ["..K.K.K.K.K...."], tx, ty - 1, pal)
    for top, paw, hind in legs_near:
        dog_leg(img, top, paw, pal["T"], pal["u"], hind)
    head = {"growl": "growl", "press": "press"}.get(pose, "calm")
    hx, hy = {"growl": (tx + 11, ty - 4), "press": (tx + 12, ty - 3),
              "leap": (tx + 11, ty - 7)}.get(pose, (tx + 10, ty - 6))
    draw_rows(img, REX_HEAD_SIDE[head], hx, hy, pal)
    img = outline(img)
    out = blank(w, h)
    if pose == "leap":
        soft_shadow(out, 13, ground + 0.5, 7, 1.4, 70)
    else:
        soft_shadow(out, 13, ground + 0.3, 9, 1.7, 90)
    over(out, img)
    return out, 13, ground


def rex_side_sit() -> Frame:
    """Rex sitting, facing right: haunch on the ground, front legs straight, head up."""
    w, h = 28, 24
    img = blank(w, h)
    pal = REX
    ground = 20
    draw_rows(img, ["KKKt", "KKtt", "ttuu"], 2, ground - 3, pal)  # tail on the ground
    body = ["....KKKT", "...KKKTT", "..KKKKTT", ".KKKKKTT", "KKKKKTTT", "KKKKTTTT",
            "KKKtTTTt", "tKKTTTt.", "tTTTTTt.", "tTTTTT..", ".ttuu..."]
    draw_rows(img, body, 6, ground - 11, pal)
    dog_leg(img, (13, ground - 6), (13, ground - 1), pal["t"], pal["t"], False)
    dog_leg(img, (12, ground - 6), (12, ground - 1), pal["T"], pal["u"], False)
    draw_rows(img, REX_HEAD_SIDE["calm"], 10, ground - 16, pal)
    img = outline(img)
    out = blank(w, h)
    soft_shadow(out, 12, ground + 0.3, 7, 1.7, 90)
    over(out, img)
    return out, 13, ground


def rex_side_lie() -> Frame:
    """Rex lying down, facing right (the tranquilizer's work): belly on the ground, front legs
    stretched out, his head resting on them with the eyes shut, the tail flat behind."""
    w, h = 32, 24
    img = blank(w, h)
    pal = REX
    ground = 20
    tx, ty = 6, ground - 6  # the torso lies on the ground
    draw_rows(img, ["...KKKK", "KKKKKtt", "uttt..."], tx - 6, ground - 3, pal)  # the tail
    for row, colour in ((ground - 2, pal["t"]), (ground - 1, pal["T"])):  # the front legs
        rect(img, tx + 12, row, 10, 1, colour)
    rect(img, tx + 22, ground - 2, 2, 2, pal["u"])
    draw_rows(img, REX_TORSO_SIDE, tx, ty, pal)
    draw_rows(img, ["KKKTt", "tTTTu"], tx + 1, ground - 2, pal)  # the hind leg, folded
    draw_rows(img, REX_HEAD_SIDE["rest"], tx + 13, ground - 11, pal)
    img = outline(img)
    out = blank(w, h)
    soft_shadow(out, 16, ground + 0.3, 13, 1.7, 90)
    over(out, img)
    return out, 15, ground



# Front (facing down) and back (facing up) views: 14 columns, drawn at x = 1 in a 16x24 frame.
REX_FRONT = {
    "head": ["..K........K..", "..KK......KK..", "..KEK....KEK..", "...KEKKKKEK...",
             "...KKKkKKKK...", "...uTKKKKTu...", "...TeKKKKeT...", "...TTTKKTTT...",
             "....TTKKTT....", "....tKNNKt....", ".....KKKK....."],
    "growl": ["..............", "..............", ".KKK......KKK.", "..KEKKKKKKEK..",
              "...KKKkKKKK...", "...uTKKKKTu...", "...TeKKKKeT...", "...TTKKKKTT...",
              "....wwwwww....", "....rKNNKr....", ".....wwww....."],
    "chest": ["....tTTTTt....", "...tTTuuTTt...", "..KtTTuuTTtK..", "..KtTTTTTTtK.."],
    "tail": ["..", ".K", "KK", "Kt", "Kt", "t."],
    "legs": {
        "stand": ["..tTTt..tTTt..", "..tTT....TTt..", "..tTT....TTt..", "..ttT....Ttt..",
                  "..uuu....uuu.."],
        "a": ["..tTTt..tTTt..", "..tTT....TTt..", "..tTT....uuu..", "..ttT.........",
              "..uuu........."],
        "b": ["..tTTt..tTTt..", "..tTT....TTt..", "..uuu....TTt..", ".........Ttt..",
              ".........uuu.."],
        "sit": ["..tTTt..tTTt..", "TTTT......TTTT", "tTTT......TTTt", ".tuuu....uuut."],
        "leap": ["..tTTt..tTTt..", "..tuu....uut.."],
    },
}
REX_BACK = {
    "head": ["..K........K..", "..KK......KK..", "..KKK....KKK..", "...KKKKKKKK...",
             "...KKKkKKKK...", "...tKKKKKKt...", "....KKKKKK...."],
    "growl": ["..............", ".KKK......KKK.", "..KKKKKKKKKK..", "...KKKkKKKK...",
              "...tKKKKKKt...", "....KKKKKK...."],
    "body": ["...KKKKKKKK...", "..tKKKkKKKKt..", "..TKKkKKKKKT..", "..TKKKKKKKKT..",
             "..TtKKKKKKtT..", "..TTtKKKKtTT.."],
    "legs": {
        "stand": [".tTTT.KK.TTTt.", ".TTT..KK..TTT.", ".TTt..KKt.tTT.", "..TT..tKt.TT..",
                  "..TT...Kt.TT..", "..TT...tK.TT..", "..uu....t.uu.."],
        "a": [".tTTT.KK.TTTt.", ".TTT..KK..TTT.", ".TTt..KKt.tTT.", "..TT..tKt.TT..",
              "..TT...Kt.uu..", "..uu...tK.....", "........t....."],
        "b": [".tTTT.KK.TTTt.", ".TTT..KK..TTT.", ".TTt..KKt.tTT.", "..TT..tKt.TT..",
              "..uu...Kt.TT..", "......tK..uu..", "........t....."],
        "sit": [".tTTT.KK.TTTt.", "TTTT..KK..TTTT", "TTTTt.tKKtTTTT", ".uuu...tKKKt..",
                "........ttt..."],
        "leap": [".tTTT.KK.TTTt.", ".tuu..KK..uut.", "......tKt.....", ".......tK....."],
    },
}


def rex_vertical(view: str, pose: str = "walk", frame: int = 0) -> Frame:
    """Rex facing down (toward the viewer) or up (away); 16x24 frame."""
    w, h = 16, 24
    img = blank(w, h)
    pal = REX
    ox = 1
    ground = 21
    step = {"walk": ("a", "stand", "b", "stand")[frame], "sit": "sit",
            "leap": "leap"}.get(pose, "stand")
    top = ground - 20
    if pose == "walk" and frame in (1, 3):
        top -= 1
    if pose == "leap":
        top -= 5
    if pose == "sit":
        top += 1
    if view == "down":
        legs = REX_FRONT["legs"][step]
        draw_rows(img, REX_FRONT["tail"], ox + 12, top + 9, pal)
        draw_rows(img, legs, ox, top + 15, pal)
        draw_rows(img, REX_FRONT["chest"], ox, top + 11, pal)
        if pose == "growl":  # head low between the shoulders, hackles up
            draw_rows(img, ["..K.K.K.K.K..."], ox, top + 10, pal)
            draw_rows(img, REX_FRONT["growl"], ox, top + 2, pal)
        else:
            draw_rows(img, REX_FRONT["head"], ox, top, pal)
    else:
        legs = REX_BACK["legs"][step]
        draw_rows(img, legs, ox, top + 13, pal)
        body = REX_BACK["body"]
        if pose == "sit":
            body = body[:3] + ["..TKKKKKKKKT..", ".TTtKKKKKKtTT."]
        draw_rows(img, body, ox, top + 7, pal)
        if pose == "growl":
            draw_rows(img, ["..K.K.K.K.K...", "...KKKKKKKK..."], ox, top + 6, pal)
            draw_rows(img, REX_BACK["growl"], ox, top + 2, pal)
        else:
            draw_rows(img, REX_BACK["head"], ox, top, pal)
    img = outline(img)
    out = blank(w, h)
    if pose == "leap":
        soft_shadow(out, 8, ground + 0.5, 5, 1.3, 70)
    else:
        soft_shadow(out, 8, ground + 0.3, 6.5, 1.6, 90)
    over(out, img)
    return out, 8, ground



# ---------------------------------------------------------------------------------------------
# Sprites: patrol cars

LIGHT_RED = ramp("#5a1a1e", "#ff4a3a", "#ffb0a0")
LIGHT_BLUE = ramp("#1a2a5a", "#3a7aff", "#b0d0ff")


def patrol_car(facing: str, lights: str | None) -> Frame:
    """A black-and-white patrol car seen from above; lights None, "a" (red lit) or "b" (blue)."""
    car = car_template(PATROL_CAR, WHITE)
    red = np.array([[ch == "R" for ch in row] for row in PATROL_CAR])
    blue = np.array([[ch == "B" for ch in row] for row in PATROL_CAR])
    turns = {"up": 0, "left": 1, "down": 2, "right": 3}[facing]
    car, red, blue = (np.ascontiguousarray(np.rot90(a, turns)) for a in (car, red, blue))
    car = light_shape(car)
    car[red, :3] = LIGHT_RED[2] if lights == "a" else LIGHT_RED[0]
    car[blue, :3] = LIGHT_BLUE[2] if lights == "b" else LIGHT_BLUE[0]
    car = outline(car)
    ch, cw = car.shape[:2]
    fw, fh = cw + 8, ch + 8
    out = blank(fw, fh)
    shadow = blank(fw, fh)
    mask = car[..., 3] > 0
    shadow[6:6 + ch, 5:5 + cw][mask] = (*SHADOW, 100)
    over(out, shadow)
    over(out, car, 4, 4)
    if lights:
        lit = red if lights == "a" else blue
        ys, xs = np.nonzero(lit)
        colour = LIGHT_RED[1] if lights == "a" else LIGHT_BLUE[1]
        glow(out, xs.mean() + 4.5, ys.mean() + 4.5, 10.0, colour, 170)
        lit_px = np.zeros((fh, fw), bool)
        lit_px[4:4 + ch, 4:4 + cw] = lit
        out[lit_px, :3] = (LIGHT_RED if lights == "a" else LIGHT_BLUE)[2]
        out[lit_px, 3] = 255
    return out, fw // 2, fh // 2


# ---------------------------------------------------------------------------------------------
# All sprite frames

DIRS = ("down", "up", "left", "right")


def mirrored(frame: Frame) -> Frame:
    img, ax, ay = frame
    return np.ascontiguousarray(img[:, ::-1]), img.shape[1] - ax, ay


def directional(draw: Callable[[str], Frame], d: str) -> Frame:
    """Draw a frame for a direction; left is the mirror image of right."""
    return mirrored(draw("right")) if d == "left" else draw(d)


def rex_frame(view: str, pose: str, frame: int = 0) -> Frame:
    return rex_side(pose, frame) if view == "right" else rex_vertical(view, pose, frame)


def all_sprites() -> list[tuple[str, Frame]]:
    frames: list[tuple[str, Frame]] = []
    for d in DIRS:
        for f in range(4):
            frames.append((f"rex_walk_{d}_{f}",
                           directional(lambda v, f=f: rex_frame(v, "walk", f), d)))
    for pose, name in (("sit", "sit"), ("growl", "growl"), ("leap", "leap")):
        for d in DIRS:
            frames.append((f"rex_{name}_{d}", directional(lambda v, p=pose: rex_frame(v, p), d)))
    for d in ("left", "right"):
        frames.append((f"rex_headpress_{d}",
                       directional(lambda v: rex_frame(v, "press"), d)))
    for d in ("left", "right"):
        frames.append((f"rex_lie_{d}", directional(lambda v: rex_side_lie(), d)))
    people = [("mila", "mila", ("kneel", "hand", "collar")), ("officer", "officer", ("aim",)),
              ("dylan", "dylan", ())]
    people += [(f"civilian{k}", f"civilian{k}", ("phone",)) for k in range(4)]
    for prefix, look_name, poses in people:
        look = LOOKS[look_name]
        for d in DIRS:
            for f in range(4):
                frames.append((f"{prefix}_walk_{d}_{f}",
                               directional(lambda v, f=f, lk=look: person(lk, v, "walk", f), d)))
        for pose in poses:
            for d in DIRS:
                frames.append((f"{prefix}_{pose}_{d}",
                               directional(lambda v, p=pose, lk=look: person(lk, v, p), d)))
    for d in DIRS:
        frames.append((f"car_{d}", patrol_car(d, None)))
        frames.append((f"car_{d}_lights_a", patrol_car(d, "a")))
        frames.append((f"car_{d}_lights_b", patrol_car(d, "b")))
    return frames


def pack(frames: list[tuple[str, Frame]], width: int = 512) -> tuple[Image, dict]:
    """Shelf-pack frames in order into one sheet; returns the sheet and the frame table."""
    x = y = shelf = 0
    places = []
    for name, (img, ax, ay) in frames:
        h, w = img.shape[:2]
        if x + w > width:
            x, y, shelf = 0, y + shelf + 1, 0
        places.append((name, x, y, img, ax, ay))
        x += w + 1
        shelf = max(shelf, h)
    sheet = blank(width, y + shelf)
    table = {}
    for name, px, py, img, ax, ay in places:
        h, w = img.shape[:2]
        sheet[py:py + h, px:px + w] = img
        table[name] = {"x": px, "y": py, "w": w, "h": h, "ax": int(ax), "ay": int(ay)}
    return sheet, table


# ---------------------------------------------------------------------------------------------
# Output: sheets, manifests and previews


def save_png(img: Image, path: Path) -> None:
    os.environ["PYGAME_HIDE_SUPPORT_PROMPT"] = "1"
    import pygame

    img = np.ascontiguousarray(img)
    surf = pygame.image.frombuffer(img.tobytes(), (img.shape[1], img.shape[0]), "RGBA")
    pygame.image.save(surf, str(path))


def upscale(img: Image, k: int) -> Image:
    return np.repeat(np.repeat(img, k, axis=0), k, axis=1)


def all_tiles() -> list[Tile]:
    families: list[Callable[[], list[Tile]]] = [grass_tiles, paving_tiles, floor_tiles,
                                                road_tiles, bridge_tiles, water_tiles,
                                                forest_tiles, line_tiles, roof_tiles,
                                                decor_tiles]
    return [t for fam in families for t in fam()]


def tile_sheet(tiles: list[Tile]) -> Image:
    rows = (len(tiles) + COLUMNS - 1) // COLUMNS
    sheet = blank(COLUMNS * T, rows * T)
    for i, (_, _, img) in enumerate(tiles):
        y, x = divmod(i, COLUMNS)
        sheet[y * T:(y + 1) * T, x * T:(x + 1) * T] = img
    return sheet


def checker(w: int, h: int, a: tuple = (58, 54, 66), b: tuple = (70, 66, 78), k: int = 4) -> Image:
    yy, xx = np.mgrid[0:h, 0:w]
    img = blank(w, h)
    img[..., :3] = np.where((((xx // k) + (yy // k)) % 2 == 0)[..., None], a, b)
    img[..., 3] = 255
    return img


def contact_sheet(tiles: list[Tile]) -> Image:
    gap = 2
    rows = (len(tiles) + COLUMNS - 1) // COLUMNS
    w = COLUMNS * (T + gap) + gap
    h = rows * (T + gap) + gap
    sheet = blank(w, h)
    sheet[..., :3] = (28, 24, 34)
    sheet[..., 3] = 255
    for i, (_, _, img) in enumerate(tiles):
        y, x = divmod(i, COLUMNS)
        px, py = gap + x * (T + gap), gap + y * (T + gap)
        cell = checker(T, T)
        over(cell, img)
        sheet[py:py + T, px:px + T] = cell
    return sheet



# ---------------------------------------------------------------------------------------------
# The sample scene: how the map generator is expected to pick tiles (masks, curbs, variants)

SCENE = [  # 30 x 20; see SCENE_KEY
    "fffLLLLLLggggsrrrsgRRRRRgSSSSg",
    "fffLLLLLLggggsrrrsgRRRRRgSSSSg",
    "fffLLLLLLggggsrrrsgRRRRRgSSSSg",
    "fffFyyyyyyFFFsrrrsggggggggGGgg",
    "fffFyyyyyyyyFsrrrsggggggggGGGg",
    "fffFyyyyyyyyFsrrrsgGgggggggGgg",
    "fffFyyyyyyyyFsrrrsgggggggggggg",
    "fffFFFFFFFFFFsrrrsssssssssssss",
    "fffssssssssssszzzsssssssssssss",
    "fffrrrrrrrrrrxrrrrrrrrrrrrrrrr",
    "fffrrrrrrrrrrxrrrrrrrrrrrrrrrr",
    "fffrrrrrrrrrrxrrrrrrrrrrrrrrrr",
    "fffssssssssssszzzsssssssssssss",
    "ffggggwwwwwggsrrrshhhphhhhhhhh",
    "ffgggwwwwwwwgsrrrsdddpdddddddd",
    "ffpppbbbbbbbpsrrrsdddppddwwwwd",
    "ffpppbbbbbbbpsrrrsddddpddwwwwd",
    "fggggwwwwwwwgsrrrsddddpdwwwwdd",
    "ffgggwwwwwwwgsrrrsdddpppdwwddd",
    "fffgggwwwwwggsrrrsddpddddddddd",
]
SCENE_KEY = {"f": "forest", "g": "grass", "G": "flowers", "d": "lawn", "p": "path",
             "s": "sidewalk", "r": "road", "x": "crossing_h", "z": "crossing_v",
             "w": "water", "b": "bridge", "F": "fence", "h": "hedge", "y": "floor",
             "R": "roof_red", "S": "roof_slate", "L": "roof_flat", "B": "roof_brown"}
SCENE_DECOR = [  # (tile, x, y): decor drawn over the terrain
    ("door", 5, 2), ("door", 21, 2), ("door", 26, 2), ("doghouse", 5, 4), ("hurdle", 8, 5),
    ("tunnel", 10, 4), ("gate_h", 7, 7), ("lamp", 13, 4), ("lamp", 17, 7), ("lamp", 3, 12),
    ("lamp", 20, 12), ("bench_h", 21, 4), ("flowerbed", 19, 4), ("tree_small", 24, 5),
    ("bin", 18, 12), ("stall", 9, 8), ("manhole", 20, 10), ("car_parked_h", 26, 11),
    ("car_parked_v", 16, 2), ("bush_small", 28, 6), ("sign", 12, 14), ("tree_small", 3, 13),
    ("lily", 26, 16), ("bench_v", 24, 14), ("picnic_table", 28, 19), ("bush_small", 18, 18),
    ("flowerbed", 24, 19),
]
MAPLE_AT = (19, 14)  # top-left tile of the 2x2 maple in the scene


def scene_tile_names() -> list[list[str]]:
    """Turn SCENE into tile names: masks for mask families, curbs next to roads, variants."""
    h, w = len(SCENE), len(SCENE[0])
    kind = [[SCENE_KEY[ch] for ch in row] for row in SCENE]
    rng = rng_for("scene")

    def at(x: int, y: int) -> str | None:
        return kind[y][x] if 0 <= x < w and 0 <= y < h else None

    def family(k: str | None) -> str | None:
        return "road" if k in ("road", "crossing_h", "crossing_v") else k

    names = [["" for _ in range(w)] for _ in range(h)]
    for y in range(h):
        for x in range(w):
            k = kind[y][x]
            mask = sum(bit for bit, (dx, dy) in ((N, (0, -1)), (E, (1, 0)), (S, (0, 1)),
                                                 (W, (-1, 0))) if at(x + dx, y + dy) == k)
            if k in ("fence", "hedge", "wall", "water") or k.startswith("roof"):
                if k == "water":  # the map's edge counts as more water
                    mask |= sum(bit for bit, (dx, dy) in ((N, (0, -1)), (E, (1, 0)), (S, (0, 1)),
                                                          (W, (-1, 0)))
                                if at(x + dx, y + dy) in (None, "bridge"))
                names[y][x] = f"{k}_{mask}"
            elif k == "road":
                vertical = 14 <= x <= 16
                line = (x == 15) if vertical else (y == 10)
                if vertical and 9 <= y <= 11:
                    line = False
                names[y][x] = (("road_line_v" if vertical else "road_line_h") if line
                               else f"road_{int(rng.integers(0, 2))}")
            elif k == "sidewalk":
                side = [c for bit, c, (dx, dy) in ((N, "n", (0, -1)), (E, "e", (1, 0)),
                                                   (S, "s", (0, 1)), (W, "w", (-1, 0)))
                        if family(at(x + dx, y + dy)) == "road"]
                names[y][x] = f"curb_{side[0]}" if len(side) == 1 else (
                    f"sidewalk_{int(rng.random() < 0.2)}")
            elif k == "bridge":
                names[y][x] = "bridge_rail_n" if at(x, y - 1) != "bridge" else "bridge_rail_s"
            elif k == "grass":
                names[y][x] = f"grass_{int(rng.integers(0, 4))}"
            elif k == "flowers":
                names[y][x] = f"grass_flowers_{int(rng.integers(0, 2))}"
            elif k == "lawn":
                names[y][x] = f"grass_dark_{int(rng.integers(0, 2))}"
            elif k in ("path", "floor", "forest"):
                n = 4 if k == "forest" else 2
                names[y][x] = f"{k}_{int(rng.integers(0, n))}"
            else:
                names[y][x] = k
    return names


def sample_scene(tiles: list[Tile], sprites: dict[str, Frame]) -> Image:
    """A 30x20-tile scene built from the sheet, with decor and a few sprites."""
    by_name = {n: img for n, _, img in tiles}
    names = scene_tile_names()
    h, w = len(names), len(names[0])
    img = blank(w * T, h * T)
    for y, row in enumerate(names):
        for x, name in enumerate(row):
            img[y * T:(y + 1) * T, x * T:(x + 1) * T] = by_name[name]
    for name, x, y in SCENE_DECOR:
        over(img, by_name[name], x * T, y * T)
    for part, dx, dy in (("maple_tl", 0, 0), ("maple_tr", 1, 0), ("maple_bl", 0, 1),
                         ("maple_br", 1, 1)):
        over(img, by_name[part], (MAPLE_AT[0] + dx) * T, (MAPLE_AT[1] + dy) * T)
    actors = [  # (frame, ground x, ground y) in tiles
        ("mila_kneel_right", 20.9, 15.6), ("rex_walk_left_1", 23.2, 15.9),
        ("officer_aim_left", 18.6, 12.8), ("officer_walk_down_0", 16.6, 13.5),
        ("car_up_lights_a", 15.5, 16.6), ("dylan_walk_right_2", 9.5, 12.8),
        ("civilian0_phone_right", 12.5, 8.9), ("civilian1_walk_down_0", 6.8, 8.8),
        ("civilian2_phone_left", 26.5, 13.0), ("civilian3_walk_up_1", 19.2, 8.8),
        ("rex_sit_down", 7.0, 6.0), ("car_left", 24.0, 9.5), ("mila_walk_right_0", 3.5, 15.9),
        ("civilian1_phone_left", 25.0, 12.9),
    ]
    for name, gx, gy in sorted(actors, key=lambda a: a[2]):
        frame, ax, ay = sprites[name]
        over(img, frame, ipx(gx * T) - ax, ipx(gy * T) - ay)
    return img


def preview(tiles: list[Tile], sprite_sheet: Image) -> Image:
    """Tiles on a grid, the sprite sheet beside them, both over a dark checker."""
    left = contact_sheet(tiles)
    right = checker(sprite_sheet.shape[1], sprite_sheet.shape[0], (46, 52, 44), (54, 60, 52))
    over(right, sprite_sheet)
    h = max(left.shape[0], right.shape[0]) + 4
    out = blank(left.shape[1] + right.shape[1] + 6, h)
    out[..., :3] = (28, 24, 34)
    out[..., 3] = 255
    out[2:2 + left.shape[0], 0:left.shape[1]] = left
    out[2:2 + right.shape[0], left.shape[1] + 4:left.shape[1] + 4 + right.shape[1]] = right
    return out


def generate(out_dir: Path) -> dict:
    """Draw everything and write the sheets, manifests and previews into out_dir."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    tiles = all_tiles()
    names = [t[0] for t in tiles]
    if len(set(names)) != len(names):
        raise ValueError("duplicate tile names")
    save_png(tile_sheet(tiles), out_dir / "tiles.png")
    manifest = {"tile_size": T, "columns": COLUMNS, "image": "tiles.png",
                "tiles": [{"id": i, "name": n, "terrain": t} for i, (n, t, _) in enumerate(tiles)]}
    (out_dir / "tiles.json").write_text(json.dumps(manifest, indent=1) + "\n")
    sprites = all_sprites()
    sheet, table = pack(sprites)
    save_png(sheet, out_dir / "sprites.png")
    (out_dir / "sprites.json").write_text(
        json.dumps({"image": "sprites.png", "frames": table}, indent=1) + "\n")
    save_png(upscale(preview(tiles, sheet), 3), out_dir / "preview.png")
    save_png(upscale(sample_scene(tiles, dict(sprites)), 2), out_dir / "sample_scene.png")
    return {"tiles": len(tiles), "frames": len(table)}


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    out = Path(args[0]) if args else Path("assets")
    start = time.perf_counter()
    stats = generate(out)
    print(f"wrote {out}/: {stats} in {time.perf_counter() - start:.2f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
