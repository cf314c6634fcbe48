"""Debug overlays for map authors: scent, police fields and paths, vision, walkable masks,
labels; numpy pictures blitted with pygame.

Grids become pictures without a Python loop over cells: the on-screen window of a grid is turned
into 8-bit indices with numpy, looked up in a 256-entry RGBA colour table, wrapped as a surface
with ``pygame.image.frombuffer`` and scaled up to the tile size in one call. Only the cells in
view are ever touched. Keys F1-F5 toggle them (F2 and F4 step through the fields and movers),
as does ``rex play --overlay NAME``.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pygame

from game.sim.agents import Officer, PoliceForce
from game.sim.police import route_ahead
from game.view import OVERLAYS, cast
from game.view.camera import Camera
from game.view.ui import INK, Fonts, Palette, colour_table, panel

SCENT_STOPS = 11  # deciles of the map's log-scent set the heat map's colours
STOPS_EVERY = 15  # ticks between new deciles (half a second)
FIELD_BAND = 4.0  # tiles between the contour bands of a distance field
VISION_RAYS = 24
MOVERS = ("foot", "dog", "car")
PATH_COLOURS = ((120, 200, 255), (255, 200, 90), (170, 255, 140), (255, 130, 200),
                (200, 160, 255), (120, 255, 230))


def window(camera: Camera, width: int, height: int) -> tuple[int, int, int, int]:
    """The cells (x0, y0, x1, y1) under the view, clipped to the map."""
    px = camera.tile_px
    x0 = max(0, math.floor(camera.left_px / px))
    y0 = max(0, math.floor(camera.top_px / px))
    x1 = min(width, math.ceil((camera.left_px + camera.view_w) / px) + 1)
    y1 = min(height, math.ceil((camera.top_px + camera.view_h) / px) + 1)
    return x0, y0, x1, y1


def blit_indices(target: pygame.Surface, camera: Camera, indices: np.ndarray,
                 table: np.ndarray, x0: int, y0: int, smooth: bool = False) -> None:
    """Colour a window of uint8 indices [y, x] with an RGBA table and draw it over its cells;
    ``smooth`` blends between cell centres (for fields that vary smoothly), else each cell is
    a flat square (for masks)."""
    h, w = indices.shape
    if h == 0 or w == 0:
        return
    rgba = np.ascontiguousarray(table[indices])
    # In the display's pixel format before scaling up: a blit that must convert every pixel
    # of a screen-sized surface costs ten times one that need not.
    small = pygame.image.frombuffer(rgba, (w, h), "RGBA").convert_alpha()
    px = camera.tile_px
    scale = pygame.transform.smoothscale if smooth else pygame.transform.scale
    big = scale(small, (w * px, h * px))
    target.blit(big, (round(x0 * px - camera.left_px), round(y0 * px - camera.top_px)))


def scent_stops(total: np.ndarray, floor: float) -> np.ndarray | None:
    """The deciles of the map's log-scent where any scent reaches (None: nowhere), which
    spread the heat map's colours over the whole plume, from the faint edge of the map to the
    collar, whatever the wind and decay."""
    logs = np.log10(np.maximum(total, floor))
    reached = logs[logs > math.log10(floor) + 1.0]
    if not len(reached):
        return None
    return np.percentile(reached, np.linspace(0.0, 100.0, SCENT_STOPS))


def scent_indices(total: np.ndarray, window_cells: tuple[int, int, int, int], floor: float,
                  stops: np.ndarray | None) -> np.ndarray:
    """The scent of the window as colour indices 2..255, 0 where nothing reaches and 1 on the
    contour lines between powers of ten (they show the gradient Rex climbs)."""
    x0, y0, x1, y1 = window_cells
    if stops is None:
        return np.zeros((y1 - y0, x1 - x0), np.uint8)
    logs = np.log10(np.maximum(total[y0:y1, x0:x1], floor))
    index = np.interp(logs, stops, np.linspace(2.0, 255.0, SCENT_STOPS)).astype(np.uint8)
    index[logs <= math.log10(floor) + 1.0] = 0
    index[contours(logs, 1.0) & (index > 0)] = 1
    return index


def contours(values: np.ndarray, step: float) -> np.ndarray:
    """Cells where ``values`` crosses a multiple of ``step`` from a neighbour above or to the
    left: the contour lines of a field."""
    level = np.floor(values / step)
    lines = np.zeros(level.shape, bool)
    lines[1:, :] |= level[1:, :] != level[:-1, :]
    lines[:, 1:] |= level[:, 1:] != level[:, :-1]
    return lines


def field_indices(field: np.ndarray, window_cells: tuple[int, int, int, int]) -> np.ndarray:
    """A distance field in the window as colour indices: 255 at the target fading to 2 at the
    farthest reachable cell in view, 1 on a contour every FIELD_BAND tiles, 0 unreachable."""
    x0, y0, x1, y1 = window_cells
    part = field[y0:y1, x0:x1]
    finite = np.isfinite(part)
    if not finite.any():
        return np.zeros(part.shape, np.uint8)
    values = np.where(finite, part, 0.0)
    far = max(float(values.max()), FIELD_BAND)
    index = (255.0 - values / far * 253.0).astype(np.uint8)
    index[contours(values, FIELD_BAND)] = 1
    index[~finite] = 0
    return index


class Overlays:
    """Which overlays are on, and how to draw each."""

    def __init__(self, fonts: Fonts, palette: Palette, active: tuple[str, ...] = ()):
        self.fonts = fonts
        self.field_name: str | None = None  # None: the first there is
        self.mover_index = 0
        unknown = sorted(set(active) - set(OVERLAYS))
        if unknown:
            raise ValueError(f"unknown overlay {unknown[0]!r}")
        self.active: set[str] = set(active)
        self.set_palette(palette)
        self._layer: pygame.Surface | None = None
        self._stops: np.ndarray | None = None
        self._stops_tick = -STOPS_EVERY

    def set_palette(self, palette: Palette) -> None:
        self.palette = palette
        heat = colour_table(palette.heat, alpha=(40, 170))
        heat[0, 3] = 0
        heat[1] = (255, 255, 255, 150)  # contour lines, one per power of ten
        self.heat = heat
        belief = colour_table(palette.belief, alpha=(0, 200))
        belief[0, 3] = 0
        self.belief = belief
        bands = colour_table(((0.0, (20, 30, 90)), (1.0, (120, 230, 255))), alpha=(20, 130))
        bands[0, 3] = 0
        bands[1] = (200, 245, 255, 170)  # contour lines
        self.bands = bands
        self.masks = np.zeros((256, 4), np.uint8)
        self.masks[0] = (230, 50, 50, 120)  # cannot enter
        self.masks[1] = (60, 220, 90, 45)  # can

    def toggle(self, name: str, fields: list[str] | None = None) -> None:
        """Switch an overlay; fields and walkable step through their choices before going off
        (``fields`` names the distance fields there are now)."""
        if name == "fields" and name in self.active:
            names = fields or []
            at = names.index(self.field_name) if self.field_name in names else -1
            if at + 1 >= len(names):
                self.field_name = None
                self.active.discard(name)
            else:
                self.field_name = names[at + 1]
            return
        if name == "walkable" and name in self.active:
            self.mover_index += 1
            if self.mover_index >= len(MOVERS):
                self.mover_index = 0
                self.active.discard(name)
            return
        if name in self.active:
            self.active.discard(name)
        else:
            self.active.add(name)

    # -- drawing ------------------------------------------------------------------------------

    def draw(self, target: pygame.Surface, camera: Camera, world: Any,
             placed: dict[cast.Key, tuple[float, float]]) -> None:
        if not self.active:
            return
        level = world.level
        cells = window(camera, level.width, level.height)
        notes: list[str] = []
        if "walkable" in self.active:
            notes.append(self._walkable(target, camera, world, cells))
        if "scent" in self.active:
            notes.append(self._scent(target, camera, world, cells))
        if "fields" in self.active:
            notes.append(self._fields(target, camera, world, cells))
        if "vision" in self.active:
            notes.append(self._vision(target, camera, world, cells))
        if "labels" in self.active:
            self._labels(target, world, placed)
            notes.append("labels: agent states")
        self._legend(target, notes)

    def _scent(self, target: pygame.Surface, camera: Camera, world: Any,
               cells: tuple[int, int, int, int]) -> str:
        total = world.scent.total()
        floor = world.scent.setup.floor
        if abs(world.tick - self._stops_tick) >= STOPS_EVERY:  # the deciles change slowly
            self._stops = scent_stops(total, floor)
            self._stops_tick = world.tick
        blit_indices(target, camera, scent_indices(total, cells, floor, self._stops), self.heat,
                     cells[0], cells[1], smooth=True)
        setup = world.scent.setup
        for (x, y), label in zip(setup.distractor_cells, setup.distractor_labels, strict=True):
            sx, sy = camera.to_screen(x + 0.5, y + 0.5)
            if 0 <= sx < camera.view_w and 0 <= sy < camera.view_h:
                pygame.draw.circle(target, (255, 240, 120), (sx, sy), 5, 2)
                self.fonts.draw(target, label, (sx + 8, sy - 8), "tiny", (255, 240, 160))
        peak = float(total.max())
        return f"scent: deciles of log10, peak 10^{math.log10(max(peak, floor)):.1f}; " \
               "lines every power of ten"

    def field_choices(self, world: Any) -> dict[str, np.ndarray]:
        """The distance fields to show, by name: the police's shared fields, their units'
        routes, then the stage's own."""
        police = cast.police(world)
        fields = getattr(police, "fields", None) or {}
        names = sorted(fields, key=lambda n: (n.startswith("route"), n))
        choices = {f"police {name}": fields[name] for name in names}
        choices["Rex's way out of the kennel"] = world.stage.out_of_kennel
        return choices

    def _fields(self, target: pygame.Surface, camera: Camera, world: Any,
                cells: tuple[int, int, int, int]) -> str:
        choices = self.field_choices(world)
        names = list(choices)
        name = self.field_name if self.field_name in choices else names[0]
        blit_indices(target, camera, field_indices(choices[name], cells), self.bands, cells[0],
                     cells[1], smooth=True)
        police = cast.police(world)
        for i, unit in enumerate(cast.officers(world) + cast.cars(world)):
            path = unit_path(police, unit)
            if path and getattr(unit, "state", "") != "in_car":
                points = [camera.to_screen(unit.x, unit.y)]
                points += [camera.to_screen(x + 0.5, y + 0.5) for x, y in path]
                colour = PATH_COLOURS[i % len(PATH_COLOURS)]
                pygame.draw.lines(target, colour, False, points, 2)
                pygame.draw.circle(target, colour, points[-1], 4)
        return f"fields: {name} ({names.index(name) + 1}/{len(names)}, F2 for the next; " \
               f"bands every {FIELD_BAND:g} tiles)"

    def _vision(self, target: pygame.Surface, camera: Camera, world: Any,
                cells: tuple[int, int, int, int]) -> str:
        desk = cast.dispatcher(world)
        belief = getattr(desk, "belief", None)
        if belief is not None:
            x0, y0, x1, y1 = cells
            peak = float(np.max(belief)) or 1.0
            part = np.clip(belief[y0:y1, x0:x1] / peak * 255, 0, 255).astype(np.uint8)
            blit_indices(target, camera, part, self.belief, x0, y0, smooth=True)
        layer = self._alpha_layer(target.get_size())
        blocks = world.level.blocks_sight
        for officer in cast.officers(world):
            if getattr(officer, "state", "") == "in_car":
                continue
            polygon = [camera.to_screen(x, y) for x, y in vision_cone(officer, blocks)]
            pygame.draw.polygon(layer, (255, 250, 170, 60), polygon)
            pygame.draw.lines(layer, (255, 250, 170, 150), True, polygon, 1)
        target.blit(layer, (0, 0))
        last = getattr(desk, "last_known", None)
        if last is not None:
            sx, sy = camera.to_screen(*last)
            pygame.draw.circle(target, (255, 120, 60), (sx, sy), 14, 2)
            pygame.draw.line(target, (255, 120, 60), (sx - 20, sy), (sx + 20, sy), 1)
            pygame.draw.line(target, (255, 120, 60), (sx, sy - 20), (sx, sy + 20), 1)
        if desk is None:
            return "vision: no police in this world"
        return "vision: cones, belief" + (" and last known position" if last else "")

    def _alpha_layer(self, size: tuple[int, int]) -> pygame.Surface:
        if self._layer is None or self._layer.get_size() != size:
            self._layer = pygame.Surface(size, pygame.SRCALPHA)
        self._layer.fill((0, 0, 0, 0))
        return self._layer

    def _walkable(self, target: pygame.Surface, camera: Camera, world: Any,
                  cells: tuple[int, int, int, int]) -> str:
        mover = MOVERS[self.mover_index]
        masks = {"foot": world.stage.walkable, "dog": world.rex_passable,
                 "car": world.stage.drivable}
        x0, y0, x1, y1 = cells
        blit_indices(target, camera, masks[mover][y0:y1, x0:x1].astype(np.uint8), self.masks,
                     x0, y0)
        return f"walkable: {mover} (F4 for the next mover)"

    def _labels(self, target: pygame.Surface, world: Any,
                placed: dict[cast.Key, tuple[float, float]]) -> None:
        for actor in cast.actors(world):
            at = placed.get(actor.key)
            if at is None:
                continue
            text = label(actor)
            self.fonts.draw(target, text, (at[0], at[1] - 56), "tiny", INK, anchor="midbottom")

    def _legend(self, target: pygame.Surface, notes: list[str]) -> None:
        if not notes:
            return
        width = max(self.fonts.text(n, "tiny").get_width() for n in notes) + 20
        rect = pygame.Rect(12, 120, width, 10 + 18 * len(notes))
        panel(target, rect, alpha=170)
        for i, note in enumerate(notes):
            self.fonts.draw(target, note, (rect.x + 10, rect.y + 6 + 18 * i), "tiny", INK)


def unit_path(police: Any, unit: Any) -> list[tuple[int, int]]:
    """The next cells of a unit's route: its own ``path``, or the force's route for an
    officer."""
    path = getattr(unit, "path", None)
    if path is None and isinstance(police, PoliceForce) and isinstance(unit, Officer):
        path = route_ahead(police, unit)
    return list(path or ())


def label(actor: cast.Actor) -> str:
    """One line saying what an agent is doing, for the labels overlay."""
    a = actor.agent
    kind = actor.kind
    if kind == "rex":
        text = f"Rex {a.state}/{a.search}"
        for meter in ("stress", "trust"):
            value = getattr(a, meter, None)
            if value is not None:
                text += f" {meter[0]}{value:.2f}"
        return text
    if kind == "mila":
        text = "Mila " + ("running" if a.running else "walking" if a.moving else "still")
        posture = getattr(a, "posture", None)
        if posture:
            text += f" {posture}"
        if getattr(a, "whispering", False):
            text += f" whisper b{getattr(a, 'breath', 1.0):.2f}"
        return text
    if kind == "officer":
        return f"officer {a.id} {a.state}" + (" AIM" if getattr(a, "aim", None) else "")
    if kind == "car":
        return f"car {a.id}" + (" siren" if getattr(a, "siren_on", False) else "") + (
            " parked" if getattr(a, "parked", False) else "")
    if kind == "civilian":
        return f"{a.state} fear {getattr(a, 'fear', 0.0):.1f}"
    return f"Dylan {getattr(a, 'state', '')}"


def vision_cone(officer: Any, blocks_sight: np.ndarray) -> list[tuple[float, float]]:
    """The officer's field of view as a fan of rays, each stopped by the first cell that
    blocks sight (in tiles)."""
    reach = float(getattr(officer, "vision_range", 8.0))
    half = float(getattr(officer, "vision_half_angle", 0.6))
    hx, hy = officer.heading
    centre = math.atan2(hy, hx)
    height, width = blocks_sight.shape
    points = [(float(officer.x), float(officer.y))]
    for i in range(VISION_RAYS + 1):
        angle = centre - half + 2 * half * i / VISION_RAYS
        dx, dy = math.cos(angle), math.sin(angle)
        distance = 0.0
        while distance < reach:
            distance = min(reach, distance + 0.5)
            cx = math.floor(officer.x + dx * distance)
            cy = math.floor(officer.y + dy * distance)
            if not (0 <= cx < width and 0 <= cy < height) or blocks_sight[cy, cx]:
                break
        points.append((officer.x + dx * distance, officer.y + dy * distance))
    return points
