"""The world as it is drawn with pygame: map tiles, the cast's sprites, weather, lights, and
the tells.

Every frame draws only what is on screen: the map comes from the view-sized chunk cache
(tiles.py), actors outside the view are skipped before any sprite lookup, and lights are culled
before they reach the light map. Positions are blended between the last two ticks (the
``Snapshot``), so motion is smooth at any frame rate while the simulation stays at 30 Hz.

Poses follow the simulation's state: Rex walks, sits when still beside Mila, growls when
cornered (or when he growls), arcs through the air over a fence, presses his head to Mila's
once bonded, and lies down when a dart ends the chase. Officers raise their rifle and show a
red aim line while they aim; patrol cars flash their light bars; civilians hold their phones up
while filming.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pygame

from game import guarded
from game.level import GID_MASK, Level
from game.sim import events as ev
from game.view import cast
from game.view.camera import Camera
from game.view.lighting import (
    HEADLIGHT,
    LAMP_COLOUR,
    Light,
    Lighting,
    daylight_fraction,
    headlight_offset,
    lamp_strength,
    siren_colours,
)
from game.view.sprites import ASSETS, SpriteAtlas, facing
from game.view.tiles import MapRenderer
from game.view.weather import Leaves

STRIDE_TILES = 0.32  # distance walked per animation frame
GROWL_SECONDS = 1.2  # how long a growl tell shows the bared-teeth pose
PRESS_RANGE = 1.8  # tiles: a bonded Rex this close to a still Mila presses his head to hers
# Where a pressing Rex's feet are drawn, from Mila's (tiles: beside her, a hair in front), so
# his head meets her face whichever side of her the simulation put him; he eases there.
PRESS_SPOT = (0.95, 0.05)
PRESS_EASE_SECONDS = 0.5
LEAP_HEIGHT = 0.9  # tiles at the top of a leap's arc
CULL_MARGIN = 96  # pixels beyond the view an actor may still show a part of itself in
WINDOWS_ON = (0.45, 0.9)  # windows light up one by one over this part of the afternoon
WINDOW_COLOUR = (255, 186, 96)
SHADOWS = {"rex": (22, 8), "mila": (14, 6), "officer": (14, 6), "civilian": (14, 6),
           "dylan": (14, 6)}


def tile_cells(level: Level, wanted: Callable[[str], bool],
               sheet: Path = ASSETS / "tiles.json") -> np.ndarray:
    """Cells (x, y) whose art shows a tile of the project's own sheet with a wanted name, in
    any art layer; a map drawn with another tileset has none."""
    try:
        names = {t["id"]: t["name"] for t in json.loads(guarded.read_text(
            sheet, guarded.ART))["tiles"]}
    except (guarded.InputError, ValueError, KeyError):
        return np.zeros((0, 2), np.int32)
    ours = (sheet.parent / "tiles.png").resolve()
    gids = [ts.firstgid + local for ts in level.tilesets
            if ts.image and Path(ts.image).resolve() == ours
            for local, name in names.items() if wanted(name)]
    found = np.zeros((level.height, level.width), bool)
    for layer in level.art_layers:
        found |= np.isin(layer.gids & GID_MASK, gids)
    ys, xs = np.nonzero(found)
    return np.stack([xs, ys], axis=1).astype(np.int32)


def lamp_cells(level: Level) -> np.ndarray:
    """Where the bulb of every street lamp is, in tiles."""
    return (tile_cells(level, lambda name: name == "lamp") + (0.5, 0.2)).astype(np.float32)


def _is_window(name: str) -> bool:
    """Roof tiles on a building's south edge show the wall below the eave, with a window."""
    kind, _, mask = name.rpartition("_")
    return kind.startswith("roof_") and mask.isdigit() and not int(mask) & 4


def window_lights(level: Level) -> np.ndarray:
    """(x, y, when) of every window: its glass in tiles, and how far into the afternoon (0..1)
    someone inside turns the light on; about a quarter stay dark."""
    cells = tile_cells(level, _is_window)
    # A fixed hash of the cell, so the same windows light up in the same order every game.
    spread = ((cells[:, 0] * 73856093) ^ (cells[:, 1] * 19349663)) % 1000 / 1000.0
    when = WINDOWS_ON[0] + spread * (WINDOWS_ON[1] - WINDOWS_ON[0]) / 0.75
    return np.column_stack([cells[:, 0] + 0.5, cells[:, 1] + 0.78, when]).astype(np.float32)


class Scene:
    """Draws the world under a camera."""

    def __init__(self, level: Level, tile_px: int):
        self.level = level
        self.tile_px = tile_px
        self.tiles = MapRenderer(level, tile_px)
        self.sprites = SpriteAtlas(tile_px)
        self.lighting = Lighting()
        self.lamps = lamp_cells(level)
        self.windows = window_lights(level)
        self.leaves = Leaves(level.settings.wind_deg, level.settings.wind_speed)
        self._last_time = 0.0
        self._stride: dict[cast.Key, float] = {}
        self._drawn: dict[cast.Key, tuple[float, float]] = {}
        self._growl_until = -1.0
        self._pressing = False
        self._press = 0.0  # 0..1: how far Rex is drawn from his own place toward the press spot
        self._press_side = -1.0  # the side of Mila he presses from: -1 left, 1 right
        self._shadows = {kind: _shadow(w * tile_px // 32, h * tile_px // 32)
                         for kind, (w, h) in SHADOWS.items()}

    def note_events(self, events: tuple[ev.Event, ...] | list[ev.Event], time_s: float) -> None:
        for event in events:
            match event:
                case ev.RexTell(tell="growl"):
                    self._growl_until = time_s + GROWL_SECONDS

    # -- the frame --------------------------------------------------------------------------

    def draw(self, target: pygame.Surface, camera: Camera, world: Any, before: cast.Snapshot,
             alpha: float, time_s: float, reduced_flashing: bool
             ) -> dict[cast.Key, tuple[float, float]]:
        """Draw the map, the cast and the light of the hour; returns where each visible actor
        was drawn (screen pixels at its feet), for the HUD and the overlays."""
        self.tiles.draw(target, camera.left_px, camera.top_px)
        self._ease_press(world, before, min(max(time_s - self._last_time, 0.0), 0.1))
        placed = self._place(camera, world, before, alpha, target.get_rect())
        order = sorted(placed, key=lambda item: item[2][1])
        for actor, (tx, ty), (sx, sy) in order:
            shadow = self._shadows.get(actor.kind)
            if shadow is not None:
                target.blit(shadow, shadow.get_rect(center=(round(sx), round(sy))))
            moving = before.moved(actor.key, float(actor.agent.x), float(actor.agent.y)) > 1e-4
            self._draw_actor(target, world, actor, (tx, ty), (sx, sy), moving, time_s,
                             reduced_flashing)
        self.leaves.update(min(max(time_s - self._last_time, 0.0), 0.1), camera)
        self._last_time = time_s
        self.leaves.draw(target, camera)
        fraction = daylight_fraction(world)
        lights = self._lights(camera, world, placed, fraction, time_s, reduced_flashing)
        self.lighting.apply(target, fraction, lights)
        for actor, _, (sx, sy) in order:
            self._draw_tells(target, actor, sx, sy, camera, time_s, world.ending is None)
        return {actor.key: screen for actor, _, screen in placed}

    def _place(self, camera: Camera, world: Any, before: cast.Snapshot, alpha: float,
               view: pygame.Rect) -> list[tuple[cast.Actor, tuple[float, float],
                                                tuple[float, float]]]:
        """Blend each actor's position, keep those on screen, and advance their strides."""
        bounds = view.inflate(2 * CULL_MARGIN, 2 * CULL_MARGIN)
        placed = []
        seen = set()
        for actor in cast.actors(world):
            tx, ty = before.blend(actor.key, float(actor.agent.x), float(actor.agent.y), alpha)
            if actor.kind == "rex" and self._press > 0.0:
                mx, my = before.blend(("mila", 0), world.mila.x, world.mila.y, alpha)
                ease = self._press * self._press * (3.0 - 2.0 * self._press)  # smoothstep
                tx += (mx + self._press_side * PRESS_SPOT[0] - tx) * ease
                ty += (my + PRESS_SPOT[1] - ty) * ease
            sx = tx * camera.tile_px - camera.left_px
            sy = ty * camera.tile_px - camera.top_px
            seen.add(actor.key)
            last = self._drawn.get(actor.key)
            self._drawn[actor.key] = (tx, ty)
            if last is not None:
                step = math.hypot(tx - last[0], ty - last[1])
                self._stride[actor.key] = self._stride.get(actor.key, 0.0) + (
                    step if step < cast.TELEPORT else 0.0)
            if bounds.collidepoint(sx, sy):
                placed.append((actor, (tx, ty), (sx, sy)))
        for key in [k for k in self._drawn if k not in seen]:  # gone indoors or into a car
            del self._drawn[key]
            self._stride.pop(key, None)
        return placed

    def _ease_press(self, world: Any, before: cast.Snapshot, dt: float) -> None:
        """Move the drawing of a bonded Rex toward the press spot while both stand still beside
        each other, and back when either moves off."""
        rex, mila = world.rex, world.mila
        near = math.hypot(rex.x - mila.x, rex.y - mila.y) <= PRESS_RANGE
        still = world.ending is not None or max(  # the last moment holds them still
            before.moved(("rex", 0), rex.x, rex.y), before.moved(("mila", 0), mila.x, mila.y)
        ) <= 1e-4
        self._pressing = rex.state == "bonded" and rex.leap is None and near and still
        if not near:  # he has gone, or this is a new game: nothing to ease back from
            self._press = 0.0
        if self._pressing and self._press == 0.0:  # he keeps the side he came from
            self._press_side = -1.0 if rex.x < mila.x else 1.0
        step = dt / PRESS_EASE_SECONDS
        self._press = min(1.0, self._press + step) if self._pressing else \
            max(0.0, self._press - step)

    def _walk_frame(self, key: cast.Key) -> int:
        return int(self._stride.get(key, 0.0) / STRIDE_TILES) % 4

    def _draw_actor(self, target: pygame.Surface, world: Any, actor: cast.Actor,
                    at: tuple[float, float], screen: tuple[float, float], moving: bool,
                    time_s: float, reduced_flashing: bool) -> None:
        a = actor.agent
        kind = actor.kind
        sx, sy = screen
        if kind == "rex":
            self._draw_rex(target, world, a, at, screen, moving, time_s)
            return
        if kind == "car":
            view = facing(*a.heading)
            name = f"car_{view}"
            if getattr(a, "siren_on", False):  # the light bar, alternating unless asked not to
                flip = not reduced_flashing and int(time_s * 4 + a.id) % 2 == 1
                name += "_lights_b" if flip else "_lights_a"
            self.sprites.draw(target, name, sx, sy)
            return
        heading = getattr(a, "facing", None) or getattr(a, "heading", (0.0, 1.0))
        view = facing(*heading)
        if kind == "mila" and self._pressing:  # she turns to him, forehead to forehead
            view = "left" if self._press_side < 0 else "right"
        frame = self._walk_frame(actor.key) if moving else 0
        if kind == "mila":
            pose = "walk"
            if getattr(a, "showing_collar", False):
                pose = "collar"
            elif getattr(a, "hand_up", False):
                pose = "hand"
            elif getattr(a, "posture", "stand") == "kneel":
                pose = "kneel"
            name = f"mila_{pose}_{view}" if pose != "walk" else \
                f"mila_walk_{view}_{frame}"
        elif kind == "officer":
            aiming = getattr(a, "gun_raised", False) or getattr(a, "aim", None) is not None
            name = f"officer_aim_{view}" if aiming else f"officer_walk_{view}_{frame}"
        elif kind == "civilian":
            variant = int(getattr(a, "variant", a.id)) % 4
            name = f"civilian{variant}_phone_{view}" if getattr(a, "phone_up", False) else \
                f"civilian{variant}_walk_{view}_{frame}"
        else:
            name = f"dylan_walk_{view}_{frame}"
        self.sprites.draw(target, name, sx, sy)

    def _draw_rex(self, target: pygame.Surface, world: Any, rex: Any, at: tuple[float, float],
                  screen: tuple[float, float], moving: bool, time_s: float) -> None:
        view = facing(*rex.heading)
        (tx, ty), (sx, sy) = at, screen
        leap = rex.leap
        lift = 0.0
        if world.ending is not None and world.ending.ending == "tranquilized":
            pose = f"rex_lie_{'left' if view == 'left' else 'right'}"
        elif leap is not None:
            pose = f"rex_leap_{view}"
            lift = math.sin(math.pi * _along(leap, tx, ty)) * LEAP_HEIGHT * self.tile_px
        elif rex.state == "cornered" or time_s < self._growl_until:
            pose = f"rex_growl_{view}"
        elif self._pressing:
            pose = f"rex_headpress_{'right' if self._press_side < 0 else 'left'}"
        elif not moving and rex.state in ("wary", "calming", "bonded"):
            pose = f"rex_sit_{view}"
        else:
            pose = f"rex_walk_{view}_{self._walk_frame(('rex', 0)) if moving else 0}"
        self.sprites.draw(target, pose, sx, sy - lift)

    # -- lights -------------------------------------------------------------------------------

    def _lights(self, camera: Camera, world: Any, placed: list, fraction: float,
                time_s: float, reduced_flashing: bool) -> list[Light]:
        px = camera.tile_px
        lights: list[Light] = []
        lamps = lamp_strength(fraction)
        if lamps > 0 and len(self.lamps):
            sx = self.lamps[:, 0] * px - camera.left_px
            sy = self.lamps[:, 1] * px - camera.top_px
            margin = 4 * px
            on = (sx > -margin) & (sx < camera.view_w + margin) & (sy > -margin) & (
                sy < camera.view_h + margin)
            for x, y in zip(sx[on], sy[on], strict=True):
                # A warm pool on the ground under the lamp, brightest at its foot, and the bulb.
                lights.append(Light(x, y + 0.6 * px, round(2.6 * px), LAMP_COLOUR, 0.5 * lamps))
                lights.append(Light(x, y + 0.5 * px, round(1.2 * px), LAMP_COLOUR, 0.35 * lamps))
                lights.append(Light(x, y, round(0.7 * px), LAMP_COLOUR, 0.8 * lamps, bloom=True))
        lit = self.windows[self.windows[:, 2] <= fraction] if len(self.windows) else []
        if len(lit):
            sx = lit[:, 0] * px - camera.left_px
            sy = lit[:, 1] * px - camera.top_px
            on = (sx > -px) & (sx < camera.view_w + px) & (sy > -px) & (sy < camera.view_h + px)
            for x, y in zip(sx[on], sy[on], strict=True):
                lights.append(Light(x, y, round(0.8 * px), WINDOW_COLOUR, 0.7, bloom=True))
        for actor, _, (x, y) in placed:
            a = actor.agent
            if actor.kind == "car":
                if getattr(a, "siren_on", False):
                    for colour, strength, side in siren_colours(time_s, a.id, reduced_flashing):
                        hx, hy = a.heading
                        ox, oy = -hy * side * 0.25 * px, hx * side * 0.25 * px
                        lights.append(Light(x + ox, y + oy, round(4.5 * px), colour,
                                            strength * 0.8, bloom=True))
                if not getattr(a, "parked", False) and fraction > 0.5:
                    dx, dy = headlight_offset(a.heading, 1.8)
                    lights.append(Light(x + dx * px, y + dy * px, round(2.2 * px), HEADLIGHT,
                                        0.5 * (fraction - 0.5) * 2))
            elif actor.kind == "mila" and fraction > 0.6:
                lights.append(Light(x, y - 0.4 * px, round(2.6 * px), (200, 210, 255),
                                    0.35 * (fraction - 0.6) / 0.4))
            elif actor.kind == "civilian" and getattr(a, "phone_up", False) and fraction > 0.4:
                lights.append(Light(x, y - 0.8 * px, round(0.8 * px), (190, 220, 255), 0.8,
                                    bloom=True))  # a phone screen, once it is dusk
        return lights

    # -- tells drawn over the light ---------------------------------------------------------

    def _draw_tells(self, target: pygame.Surface, actor: cast.Actor, sx: float, sy: float,
                    camera: Camera, time_s: float, chasing: bool) -> None:
        a = actor.agent
        px = camera.tile_px
        if actor.kind == "officer":
            aim = getattr(a, "aim", None)
            if aim is not None and chasing:  # once it is over, nobody is aiming any more
                end = camera.to_screen(aim.target_x, aim.target_y)
                _aim_line(target, (sx, sy - 0.55 * px), end, float(aim.progress), time_s, px)
        elif actor.kind == "civilian" and getattr(a, "state", "") in ("panic", "flee"):
            _exclaim(target, sx, sy - 1.45 * px, px, (255, 90, 70))
        elif actor.kind == "mila":
            if getattr(a, "whispering", False):
                _whisper(target, sx + 0.35 * px, sy - 1.25 * px, time_s, px)
            if getattr(a, "grabbed", False):
                _exclaim(target, sx, sy - 1.45 * px, px, (255, 220, 90))


def _along(leap: Any, x: float, y: float) -> float:
    """How far along its leap Rex is drawn, 0..1, from his drawn position."""
    dx, dy = leap.x1 - leap.x0, leap.y1 - leap.y0
    length2 = dx * dx + dy * dy
    if length2 < 1e-9:
        return 1.0
    return min(max(((x - leap.x0) * dx + (y - leap.y0) * dy) / length2, 0.0), 1.0)


def _shadow(w: int, h: int) -> pygame.Surface:
    surface = pygame.Surface((w, h), pygame.SRCALPHA)
    pygame.draw.ellipse(surface, (10, 8, 20, 80), surface.get_rect())
    return surface.convert_alpha()


def _aim_line(target: pygame.Surface, start: tuple[float, float], end: tuple[int, int],
              progress: float, time_s: float, px: int) -> None:
    """The telegraph of a shot: a dashed red line that fills in, and a closing reticle."""
    x0, y0 = start
    x1, y1 = end
    length = math.hypot(x1 - x0, y1 - y0)
    if length < 1:
        return
    ux, uy = (x1 - x0) / length, (y1 - y0) / length
    dash = 10
    crawl = (time_s * 40) % (2 * dash)  # the dashes crawl toward the target
    bright = 120 + round(135 * min(max(progress, 0.0), 1.0))
    colour = (255, max(0, 60 - bright // 4), 40)
    d = -crawl
    while d < length:
        a, b = max(d, 0.0), min(d + dash, length)
        if b > a:
            pygame.draw.line(target, colour, (x0 + ux * a, y0 + uy * a),
                             (x0 + ux * b, y0 + uy * b), 2)
        d += 2 * dash
    radius = max(4, round((1.0 - 0.75 * progress) * px))
    pygame.draw.circle(target, colour, end, radius, 2)
    pygame.draw.line(target, colour, (x1 - radius - 4, y1), (x1 - radius + 4, y1), 2)
    pygame.draw.line(target, colour, (x1 + radius - 4, y1), (x1 + radius + 4, y1), 2)


def _exclaim(target: pygame.Surface, x: float, y: float, px: int, colour: tuple) -> None:
    w = max(3, px // 10)
    pygame.draw.rect(target, (20, 10, 10), (x - w, y - 3 * w - 1, 2 * w + 2, 4 * w + 2))
    pygame.draw.rect(target, colour, (x - w + 1, y - 3 * w, 2 * w, 2.2 * w))
    pygame.draw.rect(target, colour, (x - w + 1, y - 0.2 * w, 2 * w, 1.2 * w))


def _whisper(target: pygame.Surface, x: float, y: float, time_s: float, px: int) -> None:
    """Soft arcs drifting from Mila's mouth while she whispers."""
    for i in range(3):
        phase = (time_s * 1.2 + i / 3) % 1.0
        r = round(px * (0.15 + 0.35 * phase))
        shade = round(255 * (1.0 - phase))
        rect = pygame.Rect(0, 0, 2 * r, 2 * r)
        rect.center = (round(x), round(y))
        pygame.draw.arc(target, (shade, shade, min(255, shade + 30)), rect, -0.6, 0.6, 2)
