"""The static map, drawn with pygame from its tileset art through a cache of pre-scaled chunks.

Each chunk is a surface holding CHUNK x CHUNK tiles of every visible tile layer at the screen's
zoom. Chunks are rendered the first time they come into view and kept in a small LRU cache sized
to a few screens, so a frame costs a dozen blits whatever the map's size (the pyscroll idea).
When a tileset image is missing or refused (read through ``game.view.images``: a regular file
within the image limits), tiles are drawn as flat terrain colours instead.
"""

from __future__ import annotations

import contextlib
from collections import OrderedDict

import numpy as np
import pygame

from game import guarded
from game.contract import TERRAINS
from game.level import FLIP_D, FLIP_H, FLIP_V, GID_MASK, Level
from game.view.images import load_image

CHUNK = 16  # tiles per chunk side

# Plain colours per terrain id, used when a tileset image cannot be loaded.
TERRAIN_COLOURS = {
    "none": (255, 0, 255), "grass": (92, 148, 70), "path": (190, 168, 120),
    "sidewalk": (168, 166, 160), "floor": (196, 178, 140), "road": (62, 62, 68),
    "bridge": (150, 104, 58), "forest": (34, 84, 44), "fence": (120, 150, 110),
    "hedge": (44, 104, 52), "wall": (120, 118, 112), "building": (150, 72, 60),
    "water": (58, 104, 170),
}

class TileAtlas:
    """Tile images by raw gid (flips applied), scaled to the screen's tile size."""

    def __init__(self, level: Level, tile_px: int):
        self.level = level
        self.tile_px = tile_px
        self.sheets: list[tuple[int, int, pygame.Surface | None, object]] = []
        for ts in level.tilesets:
            sheet = None
            if ts.image:
                # A sheet that cannot be loaded leaves its tiles to the terrain colours below.
                with contextlib.suppress(guarded.InputError):
                    sheet = load_image(ts.image).convert_alpha()
            self.sheets.append((ts.firstgid, ts.tilecount, sheet, ts))
        self._cache: dict[int, pygame.Surface | None] = {}

    def tile(self, raw_gid: int) -> pygame.Surface | None:
        if raw_gid in self._cache:
            return self._cache[raw_gid]
        surface = self._cut(raw_gid)
        self._cache[raw_gid] = surface
        return surface

    def _cut(self, raw_gid: int) -> pygame.Surface | None:
        gid = raw_gid & GID_MASK
        for firstgid, count, sheet, ts in reversed(self.sheets):
            if gid < firstgid or (count and gid >= firstgid + count):
                continue
            local = gid - firstgid
            image = None
            if sheet is not None and ts.columns:
                col, row = local % ts.columns, local // ts.columns
                rect = pygame.Rect(ts.margin + col * (ts.tile_width + ts.spacing),
                                   ts.margin + row * (ts.tile_height + ts.spacing),
                                   ts.tile_width, ts.tile_height)
                if sheet.get_rect().contains(rect):
                    image = sheet.subsurface(rect)
            elif local in ts.tile_images:
                try:
                    image = load_image(ts.tile_images[local]).convert_alpha()
                except guarded.InputError:
                    image = None
            if image is None:
                return None
            if raw_gid & FLIP_D:
                image = pygame.transform.flip(pygame.transform.rotate(image, 90), False, True)
            if raw_gid & (FLIP_H | FLIP_V):
                image = pygame.transform.flip(image, bool(raw_gid & FLIP_H),
                                              bool(raw_gid & FLIP_V))
            return pygame.transform.scale(image, (self.tile_px, self.tile_px))
        return None


class MapRenderer:
    """Draws the map under a camera, from cached chunks."""

    def __init__(self, level: Level, tile_px: int, max_chunks: int = 48):
        self.level = level
        self.tile_px = tile_px
        self.atlas = TileAtlas(level, tile_px)
        self.max_chunks = max_chunks
        self._chunks: OrderedDict[tuple[int, int], pygame.Surface] = OrderedDict()
        self.chunks_rendered = 0
        colours = np.array([TERRAIN_COLOURS[t.name] for t in TERRAINS], np.uint8)
        self._terrain_rgb = colours[level.terrain]

    def draw(self, screen: pygame.Surface, left_px: float, top_px: float) -> None:
        """Blit the chunks covering the screen, whose top-left is at map pixel (left, top)."""
        size = CHUNK * self.tile_px
        sw, sh = screen.get_size()
        cx0, cy0 = int(left_px // size), int(top_px // size)
        cx1, cy1 = int((left_px + sw) // size), int((top_px + sh) // size)
        for cy in range(max(cy0, 0), cy1 + 1):
            for cx in range(max(cx0, 0), cx1 + 1):
                chunk = self._chunk(cx, cy)
                if chunk is not None:
                    screen.blit(chunk, (round(cx * size - left_px), round(cy * size - top_px)))

    def _chunk(self, cx: int, cy: int) -> pygame.Surface | None:
        key = (cx, cy)
        if key in self._chunks:
            self._chunks.move_to_end(key)
            return self._chunks[key]
        x0, y0 = cx * CHUNK, cy * CHUNK
        if x0 >= self.level.width or y0 >= self.level.height:
            return None
        x1, y1 = min(x0 + CHUNK, self.level.width), min(y0 + CHUNK, self.level.height)
        surface = pygame.Surface(((x1 - x0) * self.tile_px, (y1 - y0) * self.tile_px))
        self._paint(surface, x0, y0, x1, y1)
        self._chunks[key] = surface
        self.chunks_rendered += 1
        while len(self._chunks) > self.max_chunks:
            self._chunks.popitem(last=False)
        return surface

    def _paint(self, surface: pygame.Surface, x0: int, y0: int, x1: int, y1: int) -> None:
        px = self.tile_px
        rgb = self._terrain_rgb[y0:y1, x0:x1]
        ground = pygame.surfarray.make_surface(np.ascontiguousarray(rgb.transpose(1, 0, 2)))
        surface.blit(pygame.transform.scale(ground, surface.get_size()), (0, 0))
        for layer in self.level.art_layers:
            gids = layer.gids[y0:y1, x0:x1]
            for (ty, tx) in zip(*np.nonzero(gids), strict=True):
                image = self.atlas.tile(int(gids[ty, tx]))
                if image is not None:
                    surface.blit(image, (tx * px, ty * px))
