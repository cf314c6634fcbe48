"""Batch summaries: ending mixes with confidence intervals, and the plots of ``--report``.

Plots are drawn with pygame onto plain surfaces (no window is opened), so a batch needs
nothing beyond the game's own dependencies.
"""

from __future__ import annotations

import json
import math
import os
import statistics
from pathlib import Path
from typing import Any

import numpy as np

from game import guarded

ENDINGS = ("home", "tranquilized", "kennel", "dusk", "none")
ENDING_COLOURS = {"home": (96, 190, 110), "tranquilized": (220, 90, 80),
                  "kennel": (90, 140, 220), "dusk": (150, 110, 190), "none": (150, 150, 150)}


def wilson(successes: int, total: int, z: float = 1.96) -> tuple[float, float, float]:
    """Share and its 95% Wilson score interval (sound for small counts and 0% or 100%)."""
    if total == 0:
        return 0.0, 0.0, 0.0
    p = successes / total
    centre = (p + z * z / (2 * total)) / (1 + z * z / total)
    half = z * math.sqrt(p * (1 - p) / total + z * z / (4 * total * total)) / (1 + z * z / total)
    return p, max(0.0, centre - half), min(1.0, centre + half)


def summarise(results: list[dict[str, Any]]) -> dict[str, Any]:
    """Per policy: ending counts and shares with intervals, median minutes, mean views."""
    per_policy: dict[str, Any] = {}
    for policy in dict.fromkeys(r["policy"] for r in results):
        games = [r for r in results if r["policy"] == policy and "error" not in r]
        endings = {name: 0 for name in ENDINGS}
        for game in games:
            endings[game["ending"] or "none"] += 1
        endings = {k: v for k, v in endings.items() if v or k != "none"}
        minutes = [g["game_seconds"] / 60 for g in games]
        views = [g["views"] or 0 for g in games]
        per_policy[policy] = {
            "seeds": len(games),
            "endings": endings,
            "ending_rates": {k: [round(x, 4) for x in wilson(v, len(games))]
                             for k, v in endings.items()},
            "median_minutes": round(statistics.median(minutes), 2) if minutes else None,
            "mean_views": round(statistics.fmean(views)) if views else None,
            "errors": sum(1 for r in results if r["policy"] == policy and "error" in r),
        }
    return per_policy


def table(per_policy: dict[str, Any]) -> str:
    lines = []
    for policy, s in per_policy.items():
        views = "-" if s["mean_views"] is None else f"{s['mean_views']:,}"  # all failed
        lines.append(f"{policy}: {s['seeds']} games, median {s['median_minutes']} min, "
                     f"mean views {views}" + (f", {s['errors']} failed" if s["errors"] else ""))
        for ending, count in s["endings"].items():
            share, low, high = s["ending_rates"][ending]
            lines.append(f"  {ending:13s} {count:5d}  {100 * share:5.1f}%  "
                         f"(95% CI {100 * low:.1f}-{100 * high:.1f}%)")
    return "\n".join(lines)


def make_folder(directory: Path) -> None:
    """Make an output folder (checked before the games by ``game.guarded``); OutputError."""
    try:
        directory.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        raise guarded.OutputError(f"cannot make {directory}: {err.strerror or err}") from None


def write_report(directory: Path, results: list[dict[str, Any]], per_policy: dict[str, Any],
                 level) -> list[Path]:
    """Per-seed JSON lines and the two plots, each written atomically; the files written."""
    make_folder(directory)
    lines = directory / "games.jsonl"
    guarded.write_atomic(lines, "".join(json.dumps(r) + "\n" for r in results))
    summary = directory / "summary.json"
    guarded.write_atomic(summary, json.dumps(per_policy, indent=2) + "\n")
    return [lines, summary, _endings_plot(directory / "endings.png", per_policy),
            _heatmap(directory / "where_chases_ended.png", results, level)]


def _pygame():
    os.environ.setdefault("SDL_VIDEODRIVER", "dummy")
    import pygame

    pygame.font.init()
    return pygame


def _save(surface, path: Path) -> None:
    from game.view.images import save_image

    save_image(surface, path)


def _endings_plot(path: Path, per_policy: dict[str, Any]) -> Path:
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
    pygame = _pygame()
    width, bar = 720, 44
    height = 90 + bar * 2 * len(bars)
    surface = pygame.Surface((width, height))
    surface.fill((24, 26, 32))
    font = pygame.font.Font(None, 24)
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
    _legend(surface, font, ENDINGS[:-1], height - 28)
    _save(surface, path)
    return path


def _legend(surface, font, endings, y: int) -> None:
    """A row of coloured squares naming each ending, from the left edge."""
    pygame = _pygame()
    x = 20
    for ending in endings:
        pygame.draw.rect(surface, ENDING_COLOURS[ending], (x, y, 14, 14))
        surface.blit(font.render(ending, True, (220, 220, 220)), (x + 20, y - 2))
        x += 150


def _heatmap(path: Path, results: list[dict[str, Any]], level) -> Path:
    """The map in grey, with a glow where chases ended, coloured by ending."""
    pygame = _pygame()
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
    font = pygame.font.Font(None, 24)
    surface.blit(font.render("Where the chases ended (Rex's last position)", True,
                             (235, 235, 235)), (20, 12))
    surface.blit(pygame.transform.scale(grid, (width, height)), (0, 40))
    seen = {game["ending"] or "none" for game in results if "error" not in game}
    _legend(surface, font, [ending for ending in ENDINGS if ending in seen], height + 48)
    _save(surface, path)
    return path
