"""The minimap, styled as the command center's glowing city map, drawn with pygame.

The map itself is drawn once: terrain in a few cold blues, roads as bright lines, building and
shore outlines, then a blurred copy added on top for the glow and faint scanlines. Each frame
adds only what moves: the search belief as a warm glow (rebuilt when the tick changes), Rex's
last known position as a pulsing ring, the units, Mila, the view rectangle and, when the
player can see him (or in spectator mode), Rex.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pygame

from game.contract import TERRAIN_ID, TERRAINS
from game.view import cast
from game.view.camera import Camera
from game.view.lighting import SIREN_BLUE, SIREN_RED
from game.view.ui import CYAN, Fonts, Palette, box, colour_table

MAX_SIZE = (260, 176)
BACKGROUND = (4, 10, 20)
MAP_COLOURS = {  # terrain -> command-center colour; unlisted terrains get the background
    "grass": (6, 22, 26), "forest": (4, 16, 20), "path": (14, 40, 50), "sidewalk": (16, 46, 58),
    "floor": (16, 40, 52), "road": (34, 118, 150), "bridge": (80, 160, 190),
    "fence": (26, 76, 80), "hedge": (8, 32, 30), "wall": (30, 60, 90),
    "building": (10, 26, 46), "water": (4, 18, 44),
}
EDGES = {"building": (58, 128, 180), "water": (30, 90, 140)}
GLOW = (150, 150, 150)  # how strongly the blurred copy adds on: a halo, not a wash


def terrain_picture(terrain: np.ndarray) -> np.ndarray:
    """The city in command-center colours, [y, x, 3] uint8, outlines included."""
    table = np.array([MAP_COLOURS.get(t.name, BACKGROUND) for t in TERRAINS], np.uint8)
    rgb = table[terrain]
    for name, colour in EDGES.items():
        inside = terrain == TERRAIN_ID[name]
        padded = np.pad(inside, 1, mode="edge")
        interior = (padded[:-2, 1:-1] & padded[2:, 1:-1] & padded[1:-1, :-2]
                    & padded[1:-1, 2:])
        rgb[inside & ~interior] = colour
    return rgb


class Minimap:
    def __init__(self, level: Any, fonts: Fonts, palette: Palette):
        self.level = level
        self.fonts = fonts
        scale = min(MAX_SIZE[0] / level.width, MAX_SIZE[1] / level.height)
        self.size = (max(1, round(level.width * scale)), max(1, round(level.height * scale)))
        self.scale = scale
        self.base = self._bake()
        self.belief_table = colour_table(palette.belief)
        self._belief: pygame.Surface | None = None
        self._belief_tick = -1
        self.landmarks = _landmarks(level)

    def set_palette(self, palette: Palette) -> None:
        self.belief_table = colour_table(palette.belief)
        self._belief_tick = -1

    def _bake(self) -> pygame.Surface:
        rgb = terrain_picture(self.level.terrain)
        small = pygame.surfarray.make_surface(np.ascontiguousarray(rgb.transpose(1, 0, 2)))
        sharp = pygame.transform.scale(small, self.size)
        w, h = self.size
        blur = pygame.transform.smoothscale(
            pygame.transform.smoothscale(sharp, (max(1, w // 6), max(1, h // 6))), self.size)
        blur.fill(GLOW, special_flags=pygame.BLEND_MULT)
        sharp.blit(blur, (0, 0), special_flags=pygame.BLEND_ADD)
        lines = pygame.Surface(self.size, pygame.SRCALPHA)
        for y in range(0, h, 3):
            pygame.draw.line(lines, (0, 0, 0, 70), (0, y), (w, y))
        for x in range(0, w, 24):
            pygame.draw.line(lines, (*CYAN, 18), (x, 0), (x, h))
        for y in range(0, h, 24):
            pygame.draw.line(lines, (*CYAN, 18), (0, y), (w, y))
        sharp.blit(lines, (0, 0))
        return sharp.convert()

    def to_map(self, x: float, y: float) -> tuple[int, int]:
        return round(x * self.scale), round(y * self.scale)

    def draw(self, target: pygame.Surface, topright: tuple[int, int], world: Any,
             camera: Camera, time_s: float, show_rex: bool, reduced_flashing: bool) -> None:
        w, h = self.size
        frame = pygame.Rect(0, 0, w + 16, h + 34)
        frame.topright = topright
        target.blit(box(frame.inflate(12, 12).size, (*CYAN, 26), radius=12),
                    frame.inflate(12, 12))
        pygame.draw.rect(target, (6, 12, 24), frame, border_radius=8)
        pygame.draw.rect(target, (60, 150, 190), frame, 1, border_radius=8)
        self.fonts.draw(target, "COMMAND CENTER  ·  CITY GRID", (frame.x + 8, frame.y + 6),
                        "tiny", CYAN)
        screen = self.base.copy()
        self._draw_belief(screen, world)
        self._draw_marks(screen, world, camera, time_s, show_rex, reduced_flashing)
        target.blit(screen, (frame.x + 8, frame.y + 26))

    def _draw_belief(self, screen: pygame.Surface, world: Any) -> None:
        belief = getattr(cast.dispatcher(world), "belief", None)
        if belief is None:
            return
        if self._belief_tick != world.tick or self._belief is None:
            peak = float(np.max(belief))
            index = np.zeros(belief.shape, np.uint8) if not peak > 0 else np.clip(
                belief / peak * 255, 0, 255).astype(np.uint8)
            rgb = np.ascontiguousarray(self.belief_table[index])
            small = pygame.image.frombuffer(rgb, (belief.shape[1], belief.shape[0]),
                                            "RGB").convert()
            self._belief = pygame.transform.smoothscale(small, self.size)
            self._belief_tick = world.tick
        screen.blit(self._belief, (0, 0), special_flags=pygame.BLEND_ADD)

    def _draw_marks(self, screen: pygame.Surface, world: Any, camera: Camera, time_s: float,
                    show_rex: bool, reduced_flashing: bool) -> None:
        for name, (x, y) in self.landmarks:
            at = self.to_map(x, y)
            pygame.draw.rect(screen, (200, 240, 255), (at[0] - 2, at[1] - 2, 4, 4), 1)
            self.fonts.draw(screen, name, (at[0] + 4, at[1] - 7), "tiny", (150, 210, 230))
        pulse = 0.5 + 0.5 * math.sin(time_s * 4.0)
        last = getattr(cast.dispatcher(world), "last_known", None)
        if last is not None:
            at = self.to_map(*last)
            pygame.draw.circle(screen, (255, 140, 60), at, 4 + round(4 * pulse), 1)
            pygame.draw.circle(screen, (255, 140, 60), at, 2)
        for officer in cast.officers(world):
            if getattr(officer, "state", "") != "in_car":
                pygame.draw.circle(screen, (150, 200, 255), self.to_map(officer.x, officer.y), 2)
        for car in cast.cars(world):
            at = self.to_map(car.x, car.y)
            colour = (150, 200, 255)
            if getattr(car, "siren_on", False) and reduced_flashing:
                colour = (190, 110, 220)  # red and blue together, without the flashing
            elif getattr(car, "siren_on", False):
                colour = SIREN_RED if int(time_s * 4) % 2 == 0 else SIREN_BLUE
            pygame.draw.rect(screen, colour, (at[0] - 2, at[1] - 2, 5, 5))
        dylan = cast.dylan(world)
        pygame.draw.circle(screen, (140, 255, 160), self.to_map(dylan.x, dylan.y), 3)
        rex = world.rex
        if show_rex:
            at = self.to_map(rex.x, rex.y)
            pygame.draw.circle(screen, (255, 170, 60), at, 3)
            pygame.draw.circle(screen, (255, 220, 140), at, 5 + round(2 * pulse), 1)
        mila = self.to_map(world.mila.x, world.mila.y)
        pygame.draw.circle(screen, (255, 255, 255), mila, 3)
        pygame.draw.circle(screen, (255, 120, 200), mila, 6 + round(3 * pulse), 1)
        left, top = camera.to_tiles(0, 0)
        right, bottom = camera.to_tiles(camera.view_w, camera.view_h)
        a, b = self.to_map(left, top), self.to_map(right, bottom)
        pygame.draw.rect(screen, (220, 240, 255), (a[0], a[1], b[0] - a[0], b[1] - a[1]), 1)


def _landmarks(level: Any) -> list[tuple[str, tuple[float, float]]]:
    """Named places drawn on the map: the K9 center and the old maple."""
    found = []
    for kind, name in (("rex_spawn", "K9"), ("maple_tree", "MAPLE")):
        objects = level.of_kind(kind)
        if objects:
            x, y = objects[0].cell
            found.append((name, (x + 0.5, y + 0.5)))
    return found
