"""The command center: Dylan played at the glowing city map (the Handler role), with pygame.

The main view is the minimap's command-center picture of the city, large, panned with the
movement keys (or the middle mouse button) and zoomed with the wheel. On it: every unit (an
officer's facing and posture, a car's heading, crew and light bar, Dylan), the dispatcher's
last known position with a ring that widens with its age, the phone reports as blurred circles,
the perimeter during containment, the cordon and the roadblocks; Rex only while a unit or Dylan
sees him. What it shows is read from a ``HandlerObservation``: the player sees what the
command center knows, exactly what a Handler policy would.

Left click selects a unit (Shift adds), a drag selects every unit in the box; right click
sends the selection (or Dylan) to a cell. Keys give the other orders to the selection: hold
fire or cleared, a roadblock or a cordon at the cursor, the loudspeaker's calm message or
warning, "Lower your weapons", back to the dispatcher. Orders go into the session as
HandlerCommands on the next tick, so they are recorded and replay headless. A live camera
inset shows the chase round the selected unit (or Dylan), drawn by the same scene as the Mila
game; the radio log and captions are the Mila game's.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pygame

from game.handler_observation import HandlerObservation, Point
from game.replay import Replay
from game.sim.commands import CommandError
from game.sim.handler import checked
from game.sim.orders import (
    CLEARED,
    HOLD_FIRE,
    NO_ORDERS,
    Cordon,
    DylanTo,
    HandlerCommands,
    Loudspeaker,
    LowerWeapons,
    MoveUnits,
    Order,
    Roadblock,
    SetPosture,
)
from game.sim.world import World
from game.view.camera import Camera
from game.view.minimap import terrain_picture
from game.view.play import GameScreen
from game.view.screen import Window
from game.view.ui import AMBER, CYAN, DIM, INK, panel

BAKE_PX = 4  # pixels per tile of the baked city picture (scaled to the zoom each frame)
MIN_ZOOM, MAX_ZOOM = 2.0, 28.0
PAN_SPEED = 40.0  # screen-heights... in tiles per second at zoom 8, scaled by the zoom
CORDON_HALF = 7  # tiles round the cursor a cordon covers
INSET = (400, 240)
HOLD_GREEN = (110, 230, 140)
GUN_RED = (255, 80, 70)
REPORT = (255, 200, 90)
REX_ORANGE = (255, 130, 40)
DRAG_PIXELS = 6  # a press that moves less than this is a click, not a box


class CommandScreen(GameScreen):
    """The Handler's game: the command center's map, the orders, the inset and the radio."""

    commands_units = True  # the pause screen lists the command center's keys

    def __init__(self, app: Window, world: World, *, policy: str,
                 record: Replay | None = None):
        super().__init__(app, world, policy=policy, spectator=False, record=record)
        self.session.orders = self.take_orders
        self.session.label = f"YOU ARE DYLAN  ·  Mila played by policy {policy}"
        self.queue: list[Order] = []
        self.selected: list[int] = []  # officer ids; -1 is Dylan
        self.zoom = 0.0  # set to fit the map on the first frame
        self.centre = (world.level.width / 2, world.level.height / 2)
        self.press: tuple[int, int] | None = None  # where the left button went down
        self.pan_from: tuple[tuple[int, int], tuple[float, float]] | None = None
        self.mouse = (0, 0)
        self.base = self._bake(world)
        self.inset_camera = Camera(world.dylan.x, world.dylan.y, self.scene.tile_px, *INSET,
                                   world.level.width, world.level.height)
        self.obs = HandlerObservation(world)
        self.refusal: tuple[str, float] | None = None  # an order the desk would not take

    # -- the baked map ------------------------------------------------------------------------

    def _bake(self, world: World) -> pygame.Surface:
        rgb = terrain_picture(world.level.terrain)
        small = pygame.surfarray.make_surface(np.ascontiguousarray(rgb.transpose(1, 0, 2)))
        w, h = world.level.width * BAKE_PX, world.level.height * BAKE_PX
        sharp = pygame.transform.scale(small, (w, h))
        blur = pygame.transform.smoothscale(
            pygame.transform.smoothscale(sharp, (max(1, w // 10), max(1, h // 10))), (w, h))
        blur.fill((70, 70, 70), special_flags=pygame.BLEND_MULT)  # a halo, not a wash
        sharp.blit(blur, (0, 0), special_flags=pygame.BLEND_ADD)
        return sharp

    # -- screen <-> tiles ---------------------------------------------------------------------

    def _fit(self, size: tuple[int, int]) -> None:
        level = self.session.world.level
        self.zoom = max(MIN_ZOOM, min(MAX_ZOOM, min(size[0] / level.width,
                                                    size[1] / level.height)))

    def to_screen(self, x: float, y: float) -> tuple[float, float]:
        w, h = self.app.surface.get_size()
        return (x - self.centre[0]) * self.zoom + w / 2, (y - self.centre[1]) * self.zoom + h / 2

    def to_tiles(self, sx: float, sy: float) -> tuple[float, float]:
        w, h = self.app.surface.get_size()
        return (sx - w / 2) / self.zoom + self.centre[0], (sy - h / 2) / self.zoom + self.centre[1]

    def _cell_at(self, pos: tuple[int, int]) -> tuple[int, int] | None:
        x, y = self.to_tiles(*pos)
        level = self.session.world.level
        cx, cy = math.floor(x), math.floor(y)
        return (cx, cy) if level.inside(cx, cy) else None

    def _zoom_at(self, pos: tuple[int, int], factor: float) -> None:
        before = self.to_tiles(*pos)
        self.zoom = max(MIN_ZOOM, min(MAX_ZOOM, self.zoom * factor))
        after = self.to_tiles(*pos)
        self.centre = (self.centre[0] + before[0] - after[0],
                       self.centre[1] + before[1] - after[1])
        self._clamp()

    def _clamp(self) -> None:
        """Keep the map filling the view where it is larger than the view, centred where not."""
        level = self.session.world.level
        w, h = self.app.surface.get_size()
        centre = []
        for value, size, span in ((self.centre[0], level.width, w),
                                  (self.centre[1], level.height, h)):
            half = span / (2 * self.zoom)
            centre.append(size / 2 if 2 * half >= size else min(max(value, half), size - half))
        self.centre = (centre[0], centre[1])

    # -- input --------------------------------------------------------------------------------

    def handle(self, event: pygame.event.Event) -> None:
        self.controls.handle(event)
        if event.type == pygame.MOUSEMOTION:
            self.mouse = event.pos
            if self.pan_from is not None:
                (sx, sy), (cx, cy) = self.pan_from
                self.centre = (cx - (event.pos[0] - sx) / self.zoom,
                               cy - (event.pos[1] - sy) / self.zoom)
                self._clamp()
        elif event.type == pygame.MOUSEWHEEL:
            self._zoom_at(self.mouse, 1.25 if event.y > 0 else 0.8)
        elif event.type == pygame.MOUSEBUTTONDOWN:
            self.mouse = event.pos
            if event.button == 1:
                self.press = event.pos
            elif event.button == 2:
                self.pan_from = (event.pos, self.centre)
            elif event.button == 3:
                self._send(event.pos)
        elif event.type == pygame.MOUSEBUTTONUP:
            if event.button == 1 and self.press is not None:
                adding = bool(pygame.key.get_mods() & pygame.KMOD_SHIFT)
                self._select(self.press, event.pos, adding)
                self.press = None
            elif event.button == 2:
                self.pan_from = None

    def _unit_at(self, pos: tuple[int, int]) -> int | None:
        """The unit (or Dylan, -1) drawn nearest a click, within its icon."""
        reach = max(10.0, self.zoom * 0.9)
        best, best_gap = None, reach
        candidates = [(u.id, u.position) for u in self.obs.units if u.car is None]
        candidates += [(c.crew[0], c.position) for c in self.obs.cars if c.crew]
        candidates.append((-1, self.obs.dylan.position))
        for unit, place in candidates:
            sx, sy = self.to_screen(place.x, place.y)
            gap = math.hypot(sx - pos[0], sy - pos[1])
            if gap < best_gap:
                best, best_gap = unit, gap
        return best

    def _select(self, start: tuple[int, int], end: tuple[int, int], adding: bool) -> None:
        if max(abs(end[0] - start[0]), abs(end[1] - start[1])) < DRAG_PIXELS:
            unit = self._unit_at(end)
            chosen = [] if unit is None else [unit]
        else:
            box = pygame.Rect(min(start[0], end[0]), min(start[1], end[1]),
                              abs(end[0] - start[0]), abs(end[1] - start[1]))
            chosen = [u.id for u in self.obs.units
                      if box.collidepoint(self.to_screen(u.position.x, u.position.y))]
        self.selected = list(dict.fromkeys(self.selected + chosen)) if adding else chosen

    def _officers(self) -> tuple[int, ...]:
        return tuple(u for u in self.selected if u >= 0)

    def _send(self, pos: tuple[int, int]) -> None:
        cell = self._cell_at(pos)
        if cell is None or not self.selected:
            return
        if -1 in self.selected:
            walk = self.obs.walkable_near(Point(cell[0] + 0.5, cell[1] + 0.5))
            if walk is not None:
                self.queue.append(DylanTo(walk))
        if self._officers():
            self.queue.append(MoveUnits(self._officers(), cell))

    def _press(self, action: str) -> None:
        officers = self._officers()
        cursor = self._cell_at(self.mouse)
        match action:
            case "select_all":
                self.selected = [u.id for u in self.obs.units]
            case "select_dylan":
                self.selected = [-1]
            case "hold_fire" if officers:
                holding = all(self.obs.units[u].posture == HOLD_FIRE for u in officers)
                self.queue.append(SetPosture(officers, CLEARED if holding else HOLD_FIRE))
            case "release_units" if officers:
                self.queue.append(MoveUnits(officers, None))
            case "roadblock" if cursor is not None:
                self._roadblock(cursor)
            case "cordon" if cursor is not None:
                self._cordon(cursor)
            case "calm_message":
                self.queue.append(Loudspeaker("calm"))
            case "warning_message":
                self.queue.append(Loudspeaker("warning"))
            case "lower_weapons":
                self.queue.append(LowerWeapons())
            case _:
                super()._press(action)

    def _roadblock(self, cursor: tuple[int, int]) -> None:
        road = self.obs.road_near(Point(cursor[0] + 0.5, cursor[1] + 0.5))
        free = [c for c in self.obs.cars if c.crew and not c.parked and c.roadblock is None]
        if road is None or not free:
            self._refuse("No free car for a roadblock there." if road is not None
                         else "No road near the cursor for a roadblock.")
            return
        chosen = [c for c in free if any(u in c.crew for u in self._officers())]
        target = Point(road[0] + 0.5, road[1] + 0.5)
        car = (chosen or sorted(free, key=lambda c: c.position.distance(target)))[0]
        self.queue.append(Roadblock(car.id, road))

    def _cordon(self, cursor: tuple[int, int]) -> None:
        area = self.obs.cordon
        if area is not None and area[0] <= cursor[0] <= area[2] and (
                area[1] <= cursor[1] <= area[3]):
            self.queue.append(Cordon(None))
            return
        level = self.session.world.level
        x, y = cursor
        self.queue.append(Cordon((max(0, x - CORDON_HALF), max(0, y - CORDON_HALF),
                                  min(level.width - 1, x + CORDON_HALF),
                                  min(level.height - 1, y + CORDON_HALF))))

    def _refuse(self, text: str) -> None:
        self.refusal = (text, self.session.time)

    def take_orders(self, world: World) -> HandlerCommands:
        """The session's orders driver: what the player ordered since the last tick."""
        if not self.queue:
            return NO_ORDERS
        orders, self.queue = tuple(self.queue), []
        try:
            return checked(world, HandlerCommands(orders))
        except CommandError as err:  # e.g. a unit that no longer exists: say so, drop it
            self._refuse(f"Order not sent: {err}")
            return NO_ORDERS

    # -- time ---------------------------------------------------------------------------------

    def update(self, dt: float) -> None:
        super().update(dt)
        if self.session.paused:
            return
        dx, dy = self.controls.direction()
        if dx or dy:
            step = PAN_SPEED * dt * 8.0 / max(self.zoom, 1.0)
            self.centre = (self.centre[0] + dx * step, self.centre[1] + dy * step)
            self._clamp()
        self.obs = HandlerObservation(self.session.world)

    def _move_camera(self, dt: float) -> None:
        """The inset's camera follows the first selected unit, or Dylan."""
        world = self.session.world
        unit = next((u for u in self.selected if u >= 0), None)
        if unit is None:
            x, y = world.dylan.x, world.dylan.y
        else:
            officer = world.police.officers[unit]
            x, y = officer.x, officer.y
        self.inset_camera.glide(x, y, dt, 0.12)
        self.camera.x, self.camera.y = self.inset_camera.x, self.inset_camera.y

    # -- drawing ------------------------------------------------------------------------------

    def draw(self, target: pygame.Surface) -> None:
        session = self.session
        world = session.world
        now = session.time
        if self.zoom == 0.0:
            self._fit(target.get_size())
        target.fill((3, 7, 14))
        self._draw_map(target)
        self._draw_knowledge(target, now)
        self._draw_units(target, now)
        if self.press is not None:
            x0, y0 = self.press
            x1, y1 = self.mouse
            box = pygame.Rect(min(x0, x1), min(y0, y1), abs(x1 - x0), abs(y1 - y0))
            pygame.draw.rect(target, CYAN, box, 1)
        self._draw_inset(target, now)
        self._draw_panel(target, now)
        self._draw_log(target, now)
        if session.ended_at is not None:
            self.final_frame = target.copy()
            fade = min(1.0, (now - session.ended_at) / 3.0)
            shade = pygame.Surface(target.get_size(), pygame.SRCALPHA)
            shade.fill((0, 0, 0, round(200 * fade)))
            target.blit(shade, (0, 0))
        self.placed = {}
        if world.ending is not None:
            self.placed = {("rex", 0): self.to_screen(world.rex.x, world.rex.y)}

    def _draw_map(self, target: pygame.Surface) -> None:
        w, h = target.get_size()
        left, top = self.to_tiles(0, 0)
        right, bottom = self.to_tiles(w, h)
        level = self.session.world.level
        x0, y0 = max(0, math.floor(left)), max(0, math.floor(top))
        x1, y1 = min(level.width, math.ceil(right)), min(level.height, math.ceil(bottom))
        if x1 <= x0 or y1 <= y0:
            return
        piece = self.base.subsurface((x0 * BAKE_PX, y0 * BAKE_PX, (x1 - x0) * BAKE_PX,
                                      (y1 - y0) * BAKE_PX))
        size = (max(1, round((x1 - x0) * self.zoom)), max(1, round((y1 - y0) * self.zoom)))
        sx, sy = self.to_screen(x0, y0)
        target.blit(pygame.transform.scale(piece, size), (round(sx), round(sy)))

    def _circle(self, target: pygame.Surface, colour: tuple, centre: Point, radius_tiles: float,
                width: int = 1, alpha: int = 255) -> None:
        sx, sy = self.to_screen(centre.x, centre.y)
        radius = max(2, round(radius_tiles * self.zoom))
        if alpha >= 255:
            pygame.draw.circle(target, colour, (round(sx), round(sy)), radius, width)
            return
        layer = pygame.Surface((radius * 2 + 4, radius * 2 + 4), pygame.SRCALPHA)
        pygame.draw.circle(layer, (*colour, alpha), (radius + 2, radius + 2), radius, width)
        target.blit(layer, (round(sx) - radius - 2, round(sy) - radius - 2))

    def _draw_knowledge(self, target: pygame.Surface, now: float) -> None:
        obs, fonts = self.obs, self.app.fonts
        world = self.session.world
        for report in obs.reports:
            fade = max(0.25, 1.0 - report.age / world.tuning.report_memory)
            self._circle(target, REPORT, report.position, report.radius, 0, round(50 * fade))
            self._circle(target, REPORT, report.position, report.radius, 1, round(200 * fade))
            sx, sy = self.to_screen(report.position.x, report.position.y)
            fonts.draw(target, f"CALL {report.age:.0f}s", (sx, sy), "tiny", REPORT,
                       anchor="center")
        if obs.cordon is not None:
            x0, y0, x1, y1 = obs.cordon
            ax, ay = self.to_screen(x0, y0)
            bx, by = self.to_screen(x1 + 1, y1 + 1)
            rect = pygame.Rect(round(ax), round(ay), round(bx - ax), round(by - ay))
            pygame.draw.rect(target, AMBER, rect, 2)
            fonts.draw(target, "CORDON", (rect.x + 4, rect.y + 2), "tiny", AMBER)
        for x, y in sorted(world.handler.blocked):
            sx, sy = self.to_screen(x, y)
            size = max(2, round(self.zoom))
            pygame.draw.rect(target, (250, 210, 60), (round(sx), round(sy), size, size), 1)
        if obs.last_known is not None and obs.last_known_age is not None:
            age = obs.last_known_age
            ring = 1.5 + min(age, 120.0) * world.tuning.rex_trot_speed / 6.0
            pulse = 0.5 + 0.5 * math.sin(now * 4.0)
            self._circle(target, REX_ORANGE, obs.last_known, ring, 2,
                         round(120 + 100 * pulse))
            self._circle(target, REX_ORANGE, obs.last_known, 0.5, 0)
            sx, sy = self.to_screen(obs.last_known.x, obs.last_known.y)
            fonts.draw(target, f"LAST KNOWN  {age:.0f}s", (sx + 8, sy - 18), "tiny",
                       REX_ORANGE)
            if obs.phase == "containment":
                self._circle(target, GUN_RED, obs.last_known, world.tuning.perimeter_radius,
                             1, 200)
        if obs.rex is not None:
            rex = obs.rex.position
            sx, sy = self.to_screen(rex.x, rex.y)
            r = max(5, round(self.zoom * 0.6))
            hx, hy = obs.rex.heading
            pygame.draw.circle(target, REX_ORANGE, (round(sx), round(sy)), r)
            pygame.draw.line(target, INK, (sx, sy), (sx + hx * r * 1.8, sy + hy * r * 1.8), 2)
            fonts.draw(target, f"K9 REX  ·  {obs.rex.behaviour}", (sx + r + 4, sy - 8), "tiny",
                       INK)

    def _draw_units(self, target: pygame.Surface, now: float) -> None:
        obs, fonts = self.obs, self.app.fonts
        flashing = not self.app.store.settings.reduced_flashing
        size = max(5, round(self.zoom * 0.6))
        for car in obs.cars:
            sx, sy = self.to_screen(car.position.x, car.position.y)
            hx, hy = car.heading
            length, width = size * 2.2, size * 1.2
            corners = [(sx + hx * length / 2 * a - hy * width / 2 * b,
                        sy + hy * length / 2 * a + hx * width / 2 * b)
                       for a, b in ((1, 1), (1, -1), (-1, -1), (-1, 1))]
            colour = (250, 210, 60) if car.roadblock is not None and car.parked else (
                90, 150, 255)
            pygame.draw.polygon(target, colour, corners)
            pygame.draw.polygon(target, INK, corners, 1)
            if car.siren or (car.parked and car.crew == () and car.roadblock is None):
                red = int(now * 4) % 2 == 0 or not flashing
                pygame.draw.circle(target, (255, 60, 60) if red else (60, 120, 255),
                                   (round(sx), round(sy)), max(2, size // 3))
            if car.crew:
                fonts.draw(target, str(len(car.crew)), (sx, sy - size - 10), "tiny", INK,
                           anchor="center")
                if car.crew[0] in self.selected:
                    pygame.draw.circle(target, INK, (round(sx), round(sy)), round(length), 1)
        for unit in obs.units:
            if unit.car is not None:
                continue
            sx, sy = self.to_screen(unit.position.x, unit.position.y)
            colour = HOLD_GREEN if unit.posture == HOLD_FIRE else CYAN
            pygame.draw.circle(target, colour, (round(sx), round(sy)), size)
            hx, hy = unit.heading
            pygame.draw.line(target, INK, (sx, sy), (sx + hx * size * 2, sy + hy * size * 2), 2)
            if unit.aiming:
                pygame.draw.circle(target, GUN_RED, (round(sx), round(sy)), size + 4, 2)
            elif unit.gun_raised:
                pygame.draw.circle(target, GUN_RED, (round(sx), round(sy)), size + 2, 1)
            if unit.id in self.selected:
                pygame.draw.circle(target, INK, (round(sx), round(sy)), size + 6, 1)
                if unit.order is not None:
                    ox, oy = self.to_screen(unit.order[0] + 0.5, unit.order[1] + 0.5)
                    pygame.draw.line(target, DIM, (sx, sy), (ox, oy), 1)
                    pygame.draw.circle(target, DIM, (round(ox), round(oy)), 4, 1)
            if self.zoom >= 7:
                fonts.draw(target, str(unit.id + 1), (sx + size + 2, sy - size - 6), "tiny",
                           DIM)
        dylan = obs.dylan
        sx, sy = self.to_screen(dylan.position.x, dylan.position.y)
        d = size + 3
        pygame.draw.polygon(target, AMBER, [(sx, sy - d), (sx + d, sy), (sx, sy + d),
                                            (sx - d, sy)])
        fonts.draw(target, "DYLAN", (sx + d + 3, sy - 8), "tiny", AMBER)
        if -1 in self.selected:
            pygame.draw.circle(target, INK, (round(sx), round(sy)), d + 5, 1)

    def _draw_inset(self, target: pygame.Surface, now: float) -> None:
        w, h = target.get_size()
        frame = pygame.Rect(0, 0, INSET[0] + 12, INSET[1] + 34)
        frame.bottomright = (w - 12, h - 12)
        panel(target, frame, alpha=235, edge=CYAN)
        view = pygame.Surface(INSET)
        session = self.session
        self.scene.draw(view, self.inset_camera, session.world, session.before, session.alpha,
                        now, self.app.store.settings.reduced_flashing)
        target.blit(view, (frame.x + 6, frame.y + 28))
        unit = next((u for u in self.selected if u >= 0), None)
        name = "DYLAN'S BODYCAM" if unit is None else f"UNIT {unit + 1} BODYCAM"
        blink = int(now * 2) % 2 == 0 or self.app.store.settings.reduced_flashing
        fonts = self.app.fonts
        fonts.draw(target, name, (frame.x + 10, frame.y + 6), "tiny", CYAN)
        if blink:
            pygame.draw.circle(target, GUN_RED, (frame.right - 16, frame.y + 13), 5)
        fonts.draw(target, "LIVE", (frame.right - 26, frame.y + 6), "tiny", INK,
                   anchor="topright")

    def _draw_panel(self, target: pygame.Surface, now: float) -> None:
        obs, fonts, world = self.obs, self.app.fonts, self.session.world
        rect = pygame.Rect(12, 12, 330, 250)
        panel(target, rect, alpha=225, edge=CYAN)
        fonts.draw(target, "COMMAND CENTER", (rect.x + 14, rect.y + 10), "body", CYAN)
        fonts.draw(target, f"{obs.clock}   sunset in {obs.seconds_to_sunset / 60:.0f} min",
                   (rect.x + 14, rect.y + 40), "small", INK)
        fonts.draw(target, f"Alert: {obs.phase.replace('_', ' ')}", (rect.x + 14, rect.y + 64),
                   "small", AMBER)
        officers = self._officers()
        held = sum(1 for u in obs.units if u.posture == HOLD_FIRE)
        rows = [
            f"Selected: {self._selection_text(officers)}",
            f"Holding fire: {held} of {len(obs.units)} units",
            f"Orders on the radio: {obs.orders_on_the_radio}",
            "Loudspeaker: " + ("ready" if obs.loudspeaker_ready_in == 0 else
                               f"in {obs.loudspeaker_ready_in:.0f} s"),
            "Dylan: " + ("can order the guns down (V)" if obs.dylan.can_order else
                         "sees Rex" if obs.dylan.sees_rex else obs.dylan.state.replace("_", " ")),
        ]
        for i, row in enumerate(rows):
            fonts.draw(target, row, (rect.x + 14, rect.y + 92 + 24 * i), "small", INK)
        b = self.app.bindings
        hint = (f"click/drag select · right click move · {b.label('hold_fire', 1)} hold fire · "
                f"{b.label('roadblock', 1)} roadblock · {b.label('cordon', 1)} cordon · "
                f"{b.label('calm_message', 1)}/{b.label('warning_message', 1)} loudspeaker · "
                f"{b.label('lower_weapons', 1)} lower weapons · wheel zoom · Esc pause")
        fonts.draw(target, hint, (target.get_width() // 2, target.get_height() - 6), "tiny",
                   DIM, anchor="midbottom")
        if self.refusal is not None and now - self.refusal[1] < 4.0:
            fonts.draw(target, self.refusal[0], (target.get_width() // 2, 20), "small",
                       GUN_RED, anchor="midtop")
        if self.session.label:
            fonts.draw(target, self.session.label, (target.get_width() // 2, 46), "tiny", DIM,
                       anchor="midtop")
        if world.ending is None and world.rex.state == "restless":
            fonts.draw(target, "Quiet at the training center... for now.",
                       (target.get_width() // 2, 70), "small", DIM, anchor="midtop")

    def _selection_text(self, officers: tuple[int, ...]) -> str:
        parts = []
        if -1 in self.selected:
            parts.append("Dylan")
        if officers:
            parts.append(f"{len(officers)} unit" + ("s" if len(officers) != 1 else ""))
        return ", ".join(parts) or "nobody"

    def _draw_log(self, target: pygame.Surface, now: float) -> None:
        fonts = self.app.fonts
        shown = self.log.visible(now)[-8:]
        h = target.get_height()
        rect = pygame.Rect(12, h - 40 - 24 * 8 - 16, 560, 24 * 8 + 16)
        panel(target, rect, alpha=190)
        fonts.draw(target, "RADIO", (rect.x + 12, rect.y - 22), "tiny", CYAN)
        for i, (line, alpha) in enumerate(shown):
            text = f"{line.speaker}: {line.shown}" if line.speaker else line.shown
            clipped = fonts.wrap(text, "tiny", rect.width - 24)[0]
            fonts.draw(target, clipped, (rect.x + 12, rect.y + 8 + 24 * i), "tiny", INK,
                       alpha=round(255 * alpha))
        if self.app.store.settings.captions:
            for i, caption in enumerate(self.captions.visible(now)[-2:]):
                fonts.draw(target, caption.text, (rect.right + 150, h - 40 - 26 * i), "small",
                           INK, anchor="midbottom")


def handler_score_line(world: Any) -> str | None:
    """The Handler's own score line for the ending screen, or None in the Mila game."""
    if not world.handler.active:
        return None
    from game.headless import handler_result

    score = handler_result(world)["handler_score"]
    shot = "no shot fired" if score["no_shot_fired"] else "a shot was fired"
    minutes = score["minutes_to_resolve"]
    return (f"{shot} · {score['civilians_kept_clear']} civilians kept clear · "
            + (f"resolved in {minutes:.1f} min" if minutes is not None else "unresolved"))
