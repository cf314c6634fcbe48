"""The sprite atlas: frames cut from assets/sprites.png by the names in sprites.json, as
pygame surfaces.

Each frame is scaled once to the screen's zoom (nearest neighbour, so pixels stay crisp) and
kept with its anchor, the ground point under the feet (or a car's centre), so drawing a sprite
is one dictionary lookup and one blit. ``facing`` turns a heading into the four drawn views.
"""

from __future__ import annotations

import json
from pathlib import Path

import pygame

from game import guarded
from game.view.images import load_image

ASSETS = Path(__file__).resolve().parents[2] / "assets"
ART_TILE = 16  # pixels per tile in the art


def facing(dx: float, dy: float, default: str = "down") -> str:
    """The view ("down", "up", "left", "right") that best matches a heading; y grows south."""
    if dx == 0.0 and dy == 0.0:
        return default
    if abs(dx) > abs(dy):
        return "right" if dx > 0 else "left"
    return "down" if dy > 0 else "up"


class SpriteAtlas:
    """Frames by name at a given tile size in screen pixels."""

    def __init__(self, tile_px: int, sheet: Path = ASSETS / "sprites.json"):
        self.scale = tile_px / ART_TILE
        meta = json.loads(guarded.read_text(sheet, guarded.ART))
        image = load_image(sheet.with_name(meta["image"])).convert_alpha()
        self.frames: dict[str, tuple[pygame.Surface, tuple[int, int]]] = {}
        for name, f in meta["frames"].items():
            cut = image.subsurface(pygame.Rect(f["x"], f["y"], f["w"], f["h"]))
            size = (round(f["w"] * self.scale), round(f["h"] * self.scale))
            self.frames[name] = (pygame.transform.scale(cut, size),
                                 (round(f["ax"] * self.scale), round(f["ay"] * self.scale)))

    def draw(self, target: pygame.Surface, name: str, x: float, y: float) -> pygame.Rect:
        """Blit a frame with its anchor at screen point (x, y)."""
        surface, (ax, ay) = self.frames[name]
        return target.blit(surface, (round(x) - ax, round(y) - ay))
