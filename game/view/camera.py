"""The camera: which part of the map the window shows, in map pixels at the current zoom.
Plain arithmetic; no pygame."""

from __future__ import annotations

import math
from dataclasses import dataclass


@dataclass
class Camera:
    """Centre of the view in tiles; eases toward a target and stays inside the map."""

    x: float
    y: float
    tile_px: int
    view_w: int
    view_h: int
    map_w: int
    map_h: int

    @property
    def left_px(self) -> float:
        return self.x * self.tile_px - self.view_w / 2

    @property
    def top_px(self) -> float:
        return self.y * self.tile_px - self.view_h / 2

    def to_screen(self, tx: float, ty: float) -> tuple[int, int]:
        return round(tx * self.tile_px - self.left_px), round(ty * self.tile_px - self.top_px)

    def to_tiles(self, sx: float, sy: float) -> tuple[float, float]:
        return (sx + self.left_px) / self.tile_px, (sy + self.top_px) / self.tile_px

    def resize(self, view_w: int, view_h: int) -> None:
        self.view_w, self.view_h = view_w, view_h
        self.clamp()

    def pan(self, dx_tiles: float, dy_tiles: float) -> None:
        self.x += dx_tiles
        self.y += dy_tiles
        self.clamp()

    def follow(self, tx: float, ty: float, ease: float) -> None:
        """Move a fraction ``ease`` (0..1) of the way toward a target, for smooth following."""
        self.x += (tx - self.x) * ease
        self.y += (ty - self.y) * ease
        self.clamp()

    def glide(self, tx: float, ty: float, dt: float, half_life: float) -> None:
        """Follow a target smoothly: halve the distance every ``half_life`` seconds, whatever
        the frame rate (a fixed ease per frame would follow faster at higher rates)."""
        self.follow(tx, ty, 1.0 - math.pow(0.5, dt / max(half_life, 1e-6)))

    def clamp(self) -> None:
        half_w = self.view_w / (2 * self.tile_px)
        half_h = self.view_h / (2 * self.tile_px)
        self.x = self.map_w / 2 if 2 * half_w >= self.map_w else min(max(self.x, half_w),
                                                                    self.map_w - half_w)
        self.y = self.map_h / 2 if 2 * half_h >= self.map_h else min(max(self.y, half_h),
                                                                    self.map_h - half_h)
