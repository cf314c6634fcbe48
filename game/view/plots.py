"""The pictures of a batch's or sweep's ``--report``: the ending mix per policy, the ending mix
against a swept knob, and where the chases ended on the map.

They are drawn with pygame onto plain surfaces (no window is opened), so a report needs nothing
beyond the game's own dependencies. This is the view's one door for the headless commands:
``game.report`` and ``game.sweep`` import it only when a report is written, so a batch or sweep
without ``--report`` loads no pygame.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pygame

from game.contract import TERRAINS
from game.level import Level
from game.view.images import save_image

# The colour of each ending (those of ``game.report.ENDINGS``, in its order, which the legends
# follow); "none" is a game stopped before any ending.
ENDING_COLOURS = {"home": (96, 190, 110), "tranquilized": (220, 90, 80),
                  "kennel": (90, 140, 220), "dusk": (150, 110, 190), "none": (150, 150, 150)}


def _font() -> pygame.font.Font:
    pygame.font.init()  # fonts need no window
    return pygame.font.Font(None, 24)


def endings_plot(path: Path, per_policy: dict[str, Any]) -> Path:
    """One stacked bar per policy: the share of each ending."""
    return _stacked_bars(path, "Ending mix per policy", list(per_policy.items()))


def sweep_plot(path: Path, knob: str, mixes: dict[str, dict[str, Any]]) -> Path:
    """The ending mix against one swept knob: per policy, one stacked bar per value.

    ``mixes`` maps policy -> value label -> a ``summarise`` entry of the games with that value.
    """
    bars = [(f"{policy}  {value}", s) for policy, by_value in mixes.items()
            for value, s in by_value.items()]
    return _stacked_bars(path, f"Ending mix against {knob}", bars)


def _stacked_bars(path: Path, title: str, bars: list[tuple[str, dict[str, Any]]]) -> Path:
    """One labelled bar per entry, split into the share of each ending."""
    width, bar = 720, 44
    height = 90 + bar * 2 * len(bars)
    surface = pygame.Surface((width, height))
    surface.fill((24, 26, 32))
    font = _font()
    surface.blit(font.render(title, True, (235, 235, 235)), (20, 16))
    x0, span = 150, width - 180
    for row, (label, s) in enumerate(bars):
        y = 56 + row * bar * 2
        surface.blit(font.render(label, True, (220, 220, 220)), (20, y + 12))
        x = x0
        for ending, count in s["endings"].items():
            w = round(span * count / max(s["seeds"], 1))
            pygame.draw.rect(surface, ENDING_COLOURS[ending], (x, y, w, bar))
            if w > 40:
                label_text = font.render(f"{100 * count / s['seeds']:.0f}%", True, (20, 20, 20))
                surface.blit(label_text, (x + 6, y + 12))
            x += w
    _legend(surface, font, [ending for ending in ENDING_COLOURS if ending != "none"], height - 28)
    save_image(surface, path)
    return path


def _legend(surface, font, endings, y: int) -> None:
    """A row of coloured squares naming each ending, from the left edge."""
    x = 20
    for ending in endings:
        pygame.draw.rect(surface, ENDING_COLOURS[ending], (x, y, 14, 14))
        surface.blit(font.render(ending, True, (220, 220, 220)), (x + 20, y - 2))
        x += 150


def heatmap(path: Path, results: list[dict[str, Any]], level: Level) -> Path:
    """The map in grey, with a glow where chases ended, coloured by ending."""
    scale = max(1, 900 // max(level.width, level.height))
    base = np.where(level.passes_scent, 70, 30).astype(np.uint8)
    base[~np.isfinite(level.cost["foot"]) & level.passes_scent] = 45
    image = np.repeat(base[:, :, None], 3, axis=2).astype(np.float32)
    ys, xs = np.mgrid[0:level.height, 0:level.width]
    for game in results:
        end = game.get("rex_end")
        if not end or "error" in game:
            continue
        colour = np.array(ENDING_COLOURS[game["ending"] or "none"], np.float32)
        glow = np.exp(-((xs + 0.5 - end[0]) ** 2 + (ys + 0.5 - end[1]) ** 2) / 6.0)
        image += glow[:, :, None] * colour * 0.35
    image = np.clip(image, 0, 255).astype(np.uint8)
    grid = pygame.surfarray.make_surface(np.ascontiguousarray(image.transpose(1, 0, 2)))
    width, height = level.width * scale, level.height * scale
    surface = pygame.Surface((max(width, 620), height + 72))
    surface.fill((24, 26, 32))
    font = _font()
    surface.blit(font.render("Where the chases ended (Rex's last position)", True,
                             (235, 235, 235)), (20, 12))
    surface.blit(pygame.transform.scale(grid, (width, height)), (0, 40))
    seen = {game["ending"] or "none" for game in results if "error" not in game}
    _legend(surface, font, [ending for ending in ENDING_COLOURS if ending in seen], height + 48)
    save_image(surface, path)
    return path


def playtest_picture(path: Path, level: Level, report: dict[str, Any], stuck_tiles: float
                     ) -> Path:
    """``rex playtest``'s picture of one map: the map in its terrain colours, Rex's routes as
    a heat map, where the chases ended (one dot per game, by ending) and where he got stuck
    (red rings of ``stuck_tiles``)."""
    # Here, not at the top: a batch report's plots need no tile art.
    from game.view.tiles import TERRAIN_COLOURS

    colours = np.array([TERRAIN_COLOURS[t.name] for t in TERRAINS], np.float32)
    image = colours[level.terrain] * 0.55
    heat = np.zeros((level.height, level.width), np.float32)
    for route in report["routes"]:
        for x, y in route:
            cx, cy = int(x), int(y)
            if 0 <= cx < level.width and 0 <= cy < level.height:
                heat[cy, cx] += 1
    if heat.max() > 0:
        glow = np.log1p(heat) / np.log1p(heat.max())
        image += glow[:, :, None] * np.array([255, 200, 40], np.float32) * 0.8
    image = np.clip(image, 0, 255).astype(np.uint8)
    scale = max(1, min(8, 1000 // max(level.width, level.height)))
    width, height = level.width * scale, level.height * scale
    grid = pygame.surfarray.make_surface(np.ascontiguousarray(image.transpose(1, 0, 2)))
    surface = pygame.Surface((max(width, 760), height + 100))
    surface.fill((24, 26, 32))
    font = _font()
    r = report["reach"]
    surface.blit(font.render(f"{report['map']}: Rex reached Mila in {r['reached']} of "
                             f"{r['games']} games; his routes, where chases ended and where he "
                             "got stuck", True, (235, 235, 235)), (12, 10))
    top = 36
    surface.blit(pygame.transform.scale(grid, (width, height)), (0, top))
    for end in report["ends"]:
        x, y = end["at"]
        colour = ENDING_COLOURS.get(end["ending"] or "none", ENDING_COLOURS["none"])
        if end["games"] == "reach":
            colour = (255, 255, 255)  # police off, and he never reached her
        pygame.draw.circle(surface, colour, (int(x * scale), int(y * scale) + top),
                           max(3, scale))
    for spot in report["stuck"]:
        x, y = spot["at"]
        pygame.draw.circle(surface, (240, 60, 60), (int(x * scale), int(y * scale) + top),
                           max(8, int(stuck_tiles * scale)), 2)
    legend_y = height + top + 14
    _legend(surface, font, ["home", "tranquilized", "kennel", "dusk"], legend_y)
    surface.blit(font.render("white: never reached her (police off)   red ring: stuck   "
                             "yellow: his routes", True, (220, 220, 220)), (20, legend_y + 24))
    save_image(surface, path)
    return path
