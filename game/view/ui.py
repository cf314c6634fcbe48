"""The look shared by every screen: colours, palettes, pygame fonts, cached text, panels and
bars.

Text is rendered once per (text, size, colour) and kept in a small LRU cache: the HUD redraws
the same clock and labels sixty times a second, and rendering a string is far dearer than
blitting it. Two palettes (normal and colour-blind safe, after Okabe and Ito) colour the
meters, the alert phases and the overlays; the world's own colours (siren red and blue) stay.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass

import numpy as np
import pygame

Colour = tuple[int, int, int]

INK = (242, 234, 214)  # body text: warm paper white
DIM = (170, 164, 150)
AMBER = (255, 184, 76)
CYAN = (104, 224, 255)
PANEL = (14, 17, 32)
PANEL_EDGE = (72, 84, 120)
SHADOW = (0, 0, 0)


@dataclass(frozen=True)
class Palette:
    stress: Colour
    trust: Colour
    breath: Colour
    good: Colour
    bad: Colour
    phases: dict[str, Colour]
    heat: tuple[tuple[float, Colour], ...]  # colour stops for heat overlays, 0..1
    belief: tuple[tuple[float, Colour], ...]


NORMAL = Palette(
    stress=(232, 76, 61), trust=(96, 204, 112), breath=(150, 200, 255),
    good=(110, 220, 130), bad=(240, 90, 70),
    phases={"standby": (150, 160, 180), "search": (240, 200, 80), "pursuit": (240, 80, 64),
            "containment": (255, 140, 40), "stand_down": (110, 220, 130)},
    heat=((0.0, (0, 0, 4)), (0.25, (87, 16, 110)), (0.5, (188, 55, 84)),
          (0.75, (249, 142, 9)), (1.0, (252, 255, 164))),  # inferno
    belief=((0.0, (0, 0, 0)), (0.5, (200, 90, 20)), (1.0, (255, 220, 120))),
)
COLOURBLIND = Palette(  # Okabe-Ito: orange and sky blue never get confused
    stress=(230, 159, 0), trust=(86, 180, 233), breath=(240, 228, 66),
    good=(86, 180, 233), bad=(230, 159, 0),
    phases={"standby": (160, 160, 160), "search": (240, 228, 66), "pursuit": (213, 94, 0),
            "containment": (230, 159, 0), "stand_down": (86, 180, 233)},
    heat=((0.0, (0, 32, 76)), (0.33, (72, 80, 110)), (0.66, (165, 150, 118)),
          (1.0, (253, 234, 69))),  # cividis
    belief=((0.0, (0, 0, 0)), (0.5, (0, 114, 178)), (1.0, (240, 228, 66))),
)


def palette(colourblind: bool) -> Palette:
    return COLOURBLIND if colourblind else NORMAL


def colour_table(stops: tuple[tuple[float, Colour], ...], alpha: tuple[int, int] | None = None
                 ) -> np.ndarray:
    """A 256-entry lookup table (uint8, RGB or RGBA) through the colour stops; with ``alpha``
    the opacity ramps from its first to its second value along the table."""
    at = np.linspace(0.0, 1.0, 256)
    positions = [p for p, _ in stops]
    rgb = np.stack([np.interp(at, positions, [c[i] for _, c in stops]) for i in range(3)], 1)
    if alpha is None:
        return np.round(rgb).astype(np.uint8)
    a = np.interp(at, [0.0, 1.0], alpha)[:, None]
    return np.round(np.concatenate([rgb, a], 1)).astype(np.uint8)


FONT_SIZES = {"tiny": 16, "small": 20, "body": 24, "large": 34, "huge": 60, "title": 128}


class Fonts:
    """pygame's bundled font at a few sizes, and a cache of rendered strings."""

    def __init__(self, cache_size: int = 512):
        self._fonts = {name: pygame.font.Font(None, size) for name, size in FONT_SIZES.items()}
        self._cache: OrderedDict[tuple, pygame.Surface] = OrderedDict()
        self._limit = cache_size

    def font(self, size: str) -> pygame.font.Font:
        return self._fonts[size]

    def text(self, text: str, size: str = "body", colour: Colour = INK,
             shadow: bool = True) -> pygame.Surface:
        """The string drawn once (with a soft drop shadow that keeps it readable on any
        background), then served from the cache."""
        key = (text, size, colour, shadow)
        surface = self._cache.get(key)
        if surface is not None:
            self._cache.move_to_end(key)
            return surface
        font = self._fonts[size]
        face = font.render(text, True, colour)
        if shadow:
            offset = 2 if size in ("huge", "title", "large") else 1
            surface = pygame.Surface((face.get_width() + offset, face.get_height() + offset),
                                     pygame.SRCALPHA)
            back = font.render(text, True, SHADOW)
            back.set_alpha(170)
            surface.blit(back, (offset, offset))
            surface.blit(face, (0, 0))
        else:
            surface = face
        surface = surface.convert_alpha()  # blits from the cache happen every frame
        self._cache[key] = surface
        if len(self._cache) > self._limit:
            self._cache.popitem(last=False)
        return surface

    def draw(self, target: pygame.Surface, text: str, pos: tuple[float, float],
             size: str = "body", colour: Colour = INK, anchor: str = "topleft",
             alpha: int = 255) -> pygame.Rect:
        """Blit a string with one of pygame.Rect's anchors ("center", "midtop", ...)."""
        surface = self.text(text, size, colour)
        rect = surface.get_rect(**{anchor: (round(pos[0]), round(pos[1]))})
        if alpha < 255:
            surface = surface.copy()
            surface.set_alpha(alpha)
        target.blit(surface, rect)
        return rect

    def wrap(self, text: str, size: str, width: int) -> list[str]:
        """Split text into lines no wider than ``width`` pixels."""
        font = self._fonts[size]
        lines: list[str] = []
        for paragraph in text.split("\n"):
            line = ""
            for word in paragraph.split():
                trial = f"{line} {word}".strip()
                if line and font.size(trial)[0] > width:
                    lines.append(line)
                    line = word
                else:
                    line = trial
            lines.append(line)
        return lines


_BOXES: OrderedDict[tuple, pygame.Surface] = OrderedDict()


def box(size: tuple[int, int], fill: tuple[int, int, int, int],
        edge: tuple[int, int, int, int] | None = None, radius: int = 8) -> pygame.Surface:
    """A translucent rounded box, made once per look and size: the HUD draws the same panels
    every frame, and making a surface with per-pixel alpha costs more than blitting it."""
    key = (size, fill, edge, radius)
    surface = _BOXES.get(key)
    if surface is not None:
        _BOXES.move_to_end(key)
        return surface
    surface = pygame.Surface(size, pygame.SRCALPHA)
    pygame.draw.rect(surface, fill, surface.get_rect(), border_radius=radius)
    if edge is not None:
        pygame.draw.rect(surface, edge, surface.get_rect(), 1, border_radius=radius)
    surface = surface.convert_alpha()
    _BOXES[key] = surface
    if len(_BOXES) > 128:
        _BOXES.popitem(last=False)
    return surface


def panel(target: pygame.Surface, rect: pygame.Rect, alpha: int = 200,
          edge: Colour = PANEL_EDGE, fill: Colour = PANEL) -> None:
    """A translucent rounded panel with a thin edge: the frame of every HUD element."""
    target.blit(box(rect.size, (*fill, alpha), (*edge, min(255, alpha + 30))), rect)


def bar(target: pygame.Surface, rect: pygame.Rect, value: float, colour: Colour,
        glow: float = 0.0) -> None:
    """A meter: a dark trough, the filled part, and a bright edge while it is changing."""
    pygame.draw.rect(target, (30, 32, 44), rect, border_radius=4)
    filled = rect.copy()
    filled.width = round(rect.width * min(max(value, 0.0), 1.0))
    if filled.width > 0:
        pygame.draw.rect(target, colour, filled, border_radius=4)
    edge = tuple(min(255, round(c + (255 - c) * glow)) for c in colour) if glow > 0 else \
        (90, 96, 120)
    pygame.draw.rect(target, edge, rect, 2 if glow > 0 else 1, border_radius=4)


def lerp_colour(a: Colour, b: Colour, t: float) -> Colour:
    t = min(max(t, 0.0), 1.0)
    return (round(a[0] + (b[0] - a[0]) * t), round(a[1] + (b[1] - a[1]) * t),
            round(a[2] + (b[2] - a[2]) * t))


def vertical_gradient(size: tuple[int, int], top: Colour, bottom: Colour) -> pygame.Surface:
    """A surface shading from one colour at the top to another at the bottom."""
    w, h = size
    t = np.linspace(0.0, 1.0, max(h, 1))[:, None]
    rows = np.array(top, float) + (np.array(bottom, float) - np.array(top, float)) * t
    column = np.round(rows).astype(np.uint8)[None, :, :]  # [x=1, y, rgb]
    strip = pygame.surfarray.make_surface(np.ascontiguousarray(column))
    return pygame.transform.scale(strip, (max(w, 1), max(h, 1)))
