"""Light of the hour: the scene dims from late afternoon to dusk, lamps and sirens glow (pygame
surfaces, glows made with numpy).

One light map per frame: a view-sized surface filled with the ambient colour of the hour and
darkened toward the edges (a vignette), onto which each light on screen adds a pre-rendered
glow sprite. The scene is multiplied by it in one blit, so lights brighten the ground they fall
on instead of painting over it. Bright cores (siren bars, lamp bulbs) are then added on top for
a little bloom. Glow sprites are made once per radius and colour with numpy.

Sirens alternate red and blue twice a second per colour (under the three-flashes-a-second
limit); with reduced flashing they glow a steady, dimmer red and blue instead.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
import pygame

from game.view.ui import Colour

# (fraction of the way from the start of the clock to sunset, ambient multiplier colour)
DAYLIGHT: tuple[tuple[float, Colour], ...] = (
    (0.0, (255, 247, 232)),  # late afternoon: barely warm
    (0.35, (255, 226, 186)),  # golden hour
    (0.65, (222, 170, 152)),  # the sun low and red
    (0.85, (138, 116, 156)),  # dusk
    (1.0, (64, 70, 126)),  # blue hour at sunset
)
LAMPS_ON = (0.42, 0.7)  # lamps fade in over this part of the afternoon
LAMP_COLOUR = (255, 196, 120)
SIREN_RED = (255, 40, 30)
SIREN_BLUE = (40, 90, 255)
HEADLIGHT = (255, 236, 190)
FLASH_HZ = 2.0  # flashes per second of each siren colour


def daylight_fraction(world: Any) -> float:
    """How far the afternoon has gone: 0 at the start of the clock, 1 at sunset."""
    settings = world.level.settings
    span = max(1.0, float(settings.sunset_clock_s - settings.start_clock_s))
    return min(max((world.clock_seconds - settings.start_clock_s) / span, 0.0), 1.0)


def ambient(fraction: float) -> Colour:
    positions = [p for p, _ in DAYLIGHT]
    return tuple(round(float(np.interp(fraction, positions, [c[i] for _, c in DAYLIGHT])))
                 for i in range(3))  # type: ignore[return-value]


def lamp_strength(fraction: float) -> float:
    lo, hi = LAMPS_ON
    return min(max((fraction - lo) / (hi - lo), 0.0), 1.0)


def siren_colours(time_s: float, car_id: int, reduced_flashing: bool
                  ) -> list[tuple[Colour, float, int]]:
    """(colour, strength, side) of a light bar's lights now: side -1 is left, +1 right."""
    if reduced_flashing:
        return [(SIREN_RED, 0.55, -1), (SIREN_BLUE, 0.55, 1)]
    red_on = int(time_s * FLASH_HZ * 2 + car_id * 0.5) % 2 == 0  # cars out of step
    return [(SIREN_RED, 1.0, -1)] if red_on else [(SIREN_BLUE, 1.0, 1)]


@dataclass(frozen=True)
class Light:
    x: float  # screen pixels
    y: float
    radius: int  # pixels
    colour: Colour
    strength: float  # 0..1
    bloom: bool = False  # also add a small bright core on top of the lit scene


def glow_array(radius: int, colour: Colour, strength: float) -> np.ndarray:
    """A radial glow as an RGB array [x, y, 3]: smooth falloff to zero at the radius."""
    size = 2 * radius
    r = np.hypot(*np.meshgrid(np.arange(size) + 0.5 - radius, np.arange(size) + 0.5 - radius,
                              indexing="ij")) / radius
    falloff = np.clip(1.0 - r * r, 0.0, 1.0) ** 2
    return np.round(falloff[..., None] * np.array(colour, float) * strength).astype(np.uint8)


class Lighting:
    """Builds the light map for one frame and applies it to the scene."""

    def __init__(self) -> None:
        self._glows: dict[tuple[int, Colour, int], pygame.Surface] = {}
        self._vignettes: dict[tuple[tuple[int, int], int], pygame.Surface] = {}
        self._map: pygame.Surface | None = None
        self._base: tuple[tuple, pygame.Surface] | None = None

    def glow(self, radius: int, colour: Colour, strength: float) -> pygame.Surface:
        level = max(1, min(16, round(strength * 16)))  # 16 strengths are plenty for the eye
        key = (radius, colour, level)
        surface = self._glows.get(key)
        if surface is None:
            if len(self._glows) > 256:
                self._glows.clear()
            surface = pygame.surfarray.make_surface(glow_array(radius, colour, level / 16))
            surface = surface.convert()  # the display's format blends several times faster
            self._glows[key] = surface
        return surface

    def _vignette(self, size: tuple[int, int], depth: float) -> pygame.Surface:
        """A multiply surface: white in the middle, darker toward the corners."""
        level = round(depth * 10)
        key = (size, level)
        surface = self._vignettes.get(key)
        if surface is None:
            if len(self._vignettes) > 24:
                self._vignettes.clear()
            w, h = size
            small = (max(2, w // 8), max(2, h // 8))  # smooth, so a small one scaled up is fine
            x = np.linspace(-1.0, 1.0, small[0])[:, None]
            y = np.linspace(-1.0, 1.0, small[1])[None, :]
            shade = 1.0 - (level / 10) * np.clip((x * x + y * y) / 2.0, 0.0, 1.0) ** 1.3
            rgb = np.repeat(np.round(shade * 255).astype(np.uint8)[..., None], 3, axis=2)
            surface = pygame.transform.smoothscale(
                pygame.surfarray.make_surface(rgb).convert(), size)
            self._vignettes[key] = surface
        return surface

    def _ambient(self, size: tuple[int, int], fraction: float) -> pygame.Surface:
        """The light of the hour with its vignette: kept until the colour changes, which at
        whole RGB steps is every few seconds of play."""
        depth = 0.25 + 0.45 * fraction
        key = (size, ambient(fraction), round(depth * 10))
        if self._base is None or self._base[0] != key:
            base = pygame.Surface(size).convert()
            base.fill(key[1])
            base.blit(self._vignette(size, depth), (0, 0), special_flags=pygame.BLEND_MULT)
            self._base = (key, base)
        return self._base[1]

    def apply(self, target: pygame.Surface, fraction: float, lights: list[Light]) -> None:
        """Darken ``target`` to the hour and let the lights shine on it."""
        size = target.get_size()
        if self._map is None or self._map.get_size() != size:
            self._map = pygame.Surface(size).convert()
        light_map = self._map
        light_map.blit(self._ambient(size, fraction), (0, 0))
        bounds = target.get_rect()
        for light in lights:
            surface = self.glow(light.radius, light.colour, light.strength)
            rect = surface.get_rect(center=(round(light.x), round(light.y)))
            if rect.colliderect(bounds):
                light_map.blit(surface, rect, special_flags=pygame.BLEND_ADD)
        target.blit(light_map, (0, 0), special_flags=pygame.BLEND_MULT)
        for light in lights:
            if light.bloom:
                core = self.glow(max(4, light.radius // 4), light.colour, light.strength * 0.9)
                target.blit(core, core.get_rect(center=(round(light.x), round(light.y))),
                            special_flags=pygame.BLEND_ADD)


def headlight_offset(heading: tuple[float, float], reach: float) -> tuple[float, float]:
    """Where a car's headlight pool sits: ``reach`` tiles ahead of its centre."""
    hx, hy = heading
    length = math.hypot(hx, hy) or 1.0
    return hx / length * reach, hy / length * reach
