"""Menus: a small keyboard-and-mouse menu widget, and the title, settings, key-binding and
pause screens built from it, drawn with pygame.

Menus are driven by arrow keys (or W/S), Enter or Space to choose, Left and Right for sliders
and switches, Escape to go back, and the mouse (hover, click, click on a slider). Every change
in Settings is applied at once and saved (atomically, see settings.py).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pygame

from game.view.input import ACTION_LABELS, ALWAYS_PAUSE, HANDLER_ACTIONS, PRESS_ACTIONS
from game.view.lighting import LAMP_COLOUR, Light
from game.view.scene import Scene
from game.view.screen import Screen, Window
from game.view.ui import AMBER, CYAN, DIM, INK, Fonts, panel, vertical_gradient

BACK_KEYS = (pygame.K_ESCAPE, pygame.K_BACKSPACE)
UP_KEYS = (pygame.K_UP, pygame.K_w)
DOWN_KEYS = (pygame.K_DOWN, pygame.K_s)
CHOOSE_KEYS = (pygame.K_RETURN, pygame.K_KP_ENTER, pygame.K_SPACE)
ROW = 44


@dataclass
class Item:
    label: str
    kind: str = "button"  # button, slider, switch, key, note
    choose: Callable[[], None] | None = None
    get: Callable[[], Any] | None = None
    put: Callable[[Any], None] | None = None
    hint: str = ""
    rect: pygame.Rect = field(default_factory=pygame.Rect)

    @property
    def selectable(self) -> bool:
        return self.kind != "note"


class Menu:
    """A column of items with one selected; keys and the mouse move and use it."""

    def __init__(self, fonts: Fonts, title: str, items: list[Item], on_back: Callable[[], None],
                 width: int = 520):
        self.fonts = fonts
        self.title = title
        self.items = items
        self.on_back = on_back
        self.width = width
        self.selected = next((i for i, item in enumerate(items) if item.selectable), 0)
        self.scroll = 0

    def move(self, step: int) -> None:
        n = len(self.items)
        for k in range(1, n + 1):
            i = (self.selected + step * k) % n
            if self.items[i].selectable:
                self.selected = i
                return

    def handle(self, event: pygame.event.Event) -> None:
        item = self.items[self.selected]
        if event.type == pygame.KEYDOWN:
            if event.key in BACK_KEYS:
                self.on_back()
            elif event.key in UP_KEYS:
                self.move(-1)
            elif event.key in DOWN_KEYS:
                self.move(1)
            elif event.key in (pygame.K_LEFT, pygame.K_a, pygame.K_RIGHT, pygame.K_d):
                self._nudge(item, -1 if event.key in (pygame.K_LEFT, pygame.K_a) else 1)
            elif event.key in CHOOSE_KEYS:
                self._choose(item)
        elif event.type == pygame.MOUSEMOTION:
            for i, candidate in enumerate(self.items):
                if candidate.selectable and candidate.rect.collidepoint(event.pos):
                    self.selected = i
        elif event.type == pygame.MOUSEBUTTONDOWN and event.button == 1:
            for i, candidate in enumerate(self.items):
                if candidate.selectable and candidate.rect.collidepoint(event.pos):
                    self.selected = i
                    if candidate.kind == "slider":
                        self._slide_to(candidate, event.pos[0])
                    else:
                        self._choose(candidate)
        elif event.type == pygame.MOUSEWHEEL:
            self.move(-event.y)

    def _choose(self, item: Item) -> None:
        if item.kind == "switch" and item.get and item.put:
            item.put(not item.get())
        elif item.choose is not None:
            item.choose()

    def _nudge(self, item: Item, direction: int) -> None:
        if item.kind == "slider" and item.get and item.put:
            item.put(min(1.0, max(0.0, round(item.get() + 0.05 * direction, 2))))
        elif item.kind == "switch" and item.get and item.put:
            item.put(not item.get())

    def _slide_to(self, item: Item, x: int) -> None:
        track = _slider_track(item.rect)
        if item.put is not None:
            item.put(min(1.0, max(0.0, round((x - track.x) / track.width, 2))))

    def draw(self, target: pygame.Surface, centre: tuple[int, int] | None = None,
             max_rows: int | None = None) -> None:
        """Draw the menu; with ``max_rows`` only a window of rows that follows the selection."""
        fonts = self.fonts
        w, h = target.get_size()
        rows = len(self.items) if max_rows is None else min(max_rows, len(self.items))
        if self.selected < self.scroll:
            self.scroll = self.selected
        elif self.selected >= self.scroll + rows:
            self.scroll = self.selected - rows + 1
        top = 70 if self.title else 20  # room for the title, if there is one
        rect = pygame.Rect(0, 0, self.width, top + 20 + ROW * rows)
        rect.center = centre or (w // 2, h // 2)
        panel(target, rect, alpha=215)
        if self.title:
            fonts.draw(target, self.title, (rect.centerx, rect.y + 18), "large", AMBER,
                       anchor="midtop")
        for item in self.items:
            item.rect = pygame.Rect(0, 0, 0, 0)  # rows out of the window take no clicks
        for slot, i in enumerate(range(self.scroll, self.scroll + rows)):
            item = self.items[i]
            row = pygame.Rect(rect.x + 20, rect.y + top + ROW * slot, rect.width - 40, ROW - 6)
            item.rect = row
            chosen = i == self.selected
            if chosen:
                pygame.draw.rect(target, (44, 52, 84), row, border_radius=6)
                pygame.draw.rect(target, AMBER, row, 1, border_radius=6)
            colour = INK if item.selectable else DIM
            size = "body" if item.selectable else "small"
            fonts.draw(target, item.label, (row.x + 14, row.centery), size, colour,
                       anchor="midleft")
            self._draw_value(target, item, row, chosen)
        if rows < len(self.items):
            fonts.draw(target, f"{self.selected + 1} / {len(self.items)}",
                       (rect.right - 16, rect.y + 30), "tiny", DIM, anchor="topright")
        hint = self.items[self.selected].hint
        if hint:
            fonts.draw(target, hint, (rect.centerx, rect.bottom + 12), "small", DIM,
                       anchor="midtop")

    def _draw_value(self, target: pygame.Surface, item: Item, row: pygame.Rect,
                    chosen: bool) -> None:
        fonts = self.fonts
        if item.kind == "slider" and item.get:
            track = _slider_track(row)
            value = float(item.get())
            pygame.draw.rect(target, (30, 32, 44), track, border_radius=4)
            fill = track.copy()
            fill.width = round(track.width * value)
            pygame.draw.rect(target, AMBER if chosen else (190, 150, 90), fill, border_radius=4)
            fonts.draw(target, f"{round(value * 100)}%", (row.right - 12, row.centery),
                       "small", INK, anchor="midright")
        elif item.kind == "switch" and item.get:
            on = bool(item.get())
            fonts.draw(target, "On" if on else "Off", (row.right - 14, row.centery), "body",
                       (140, 230, 150) if on else DIM, anchor="midright")
        elif item.kind == "key" and item.get:
            fonts.draw(target, str(item.get()), (row.right - 14, row.centery), "body", CYAN,
                       anchor="midright")


def _slider_track(row: pygame.Rect) -> pygame.Rect:
    return pygame.Rect(row.right - 250, row.centery - 6, 180, 12)


# -- screens ----------------------------------------------------------------------------------


class MenuScreen:
    """A screen that is one menu, over the paused game or the city at dusk."""

    app: Window
    menu: Menu

    def handle(self, event: pygame.event.Event) -> None:
        self.menu.handle(event)

    def update(self, dt: float) -> None:
        pass

    def draw(self, target: pygame.Surface) -> None:
        self.app.draw_behind_menu(target)
        self.menu.draw(target)


class TitleScreen(MenuScreen):
    """The title over a slow flight across the city at dusk: play, spectator, settings, quit."""

    def __init__(self, app: Window):
        self.app = app
        self.menu = Menu(app.fonts, "", [
            Item("Play", choose=lambda: app.start_game(spectator=False, handler=False),
                 hint="You are Mila. Rex follows the scent of the collar you carry."),
            Item("Play as Dylan", choose=lambda: app.start_game(spectator=False, handler=True),
                 hint="You are Dylan at the command center: dispatch the units, order hold "
                      "fire, keep the crowd clear, bring Rex home."),
            Item("Spectator", choose=lambda: app.start_game(spectator=True, handler=False),
                 hint="Everything AI: watch the chase, follow Rex or roam freely."),
            Item("Settings", choose=lambda: app.open_settings(back=app.show_title),
                 hint="Volumes, fullscreen, keys, colour-blind palette, reduced flashing."),
            Item("Quit", choose=app.quit),
        ], on_back=app.quit, width=360)

    def draw(self, target: pygame.Surface) -> None:
        draw_city_backdrop(self.app.scene, target, self.app.time)
        w, h = target.get_size()
        fonts = self.app.fonts
        fonts.draw(target, "REX", (w // 2, h // 2 - 250), "title", AMBER, anchor="midtop")
        fonts.draw(target, "A runaway K9 follows a scent across the city.",
                   (w // 2, h // 2 - 140), "body", INK, anchor="midtop")
        self.menu.draw(target, (w // 2, h // 2 + 80))
        fonts.draw(target, "arrows / mouse to choose  ·  Enter to select  ·  Esc quits",
                   (w // 2, h - 14), "tiny", DIM, anchor="midbottom")


def draw_city_backdrop(scene: Scene, target: pygame.Surface, time_s: float,
                       fraction: float = 0.78) -> None:
    """The map drifting slowly under dusk light, dimmed behind a menu."""
    level = scene.level
    w, h = target.get_size()
    px = scene.tile_px
    # A slow loop over the map, so the backdrop never stops at an edge.
    span_x = max(0.0, level.width * px - w)
    span_y = max(0.0, level.height * px - h)
    angle = time_s * 0.02
    left = span_x * (0.5 + 0.45 * math.sin(angle))
    top = span_y * (0.5 + 0.45 * math.sin(angle * 0.7 + 1.0))
    target.fill((0, 0, 0))
    scene.tiles.draw(target, left, top)
    lights = [Light(x * px - left, y * px - top + 0.45 * px, round(3.2 * px), LAMP_COLOUR, 0.8)
              for x, y in scene.lamps
              if -200 < x * px - left < w + 200 and -200 < y * px - top < h + 200]
    scene.lighting.apply(target, fraction, lights)
    shade = vertical_gradient((w, h), (10, 12, 30), (0, 0, 0))
    shade.set_alpha(110)
    target.blit(shade, (0, 0))


class SettingsScreen(MenuScreen):
    """Volumes, fullscreen, palette, flashing, captions, and the way to the key bindings."""

    def __init__(self, app: Window, back: Callable[[], None]):
        self.app = app
        self.back = back
        s = app.store.settings

        def setter(name: str) -> Callable[[Any], None]:
            def put(value: Any) -> None:
                setattr(app.store.settings, name, value)
                app.apply_settings()
            return put

        self.menu = Menu(app.fonts, "Settings", [
            Item("Master volume", "slider", get=lambda: s.master_volume,
                 put=setter("master_volume")),
            Item("Effects volume", "slider", get=lambda: s.effects_volume,
                 put=setter("effects_volume")),
            Item("Music volume", "slider", get=lambda: s.music_volume,
                 put=setter("music_volume")),
            Item("Fullscreen", "switch", get=lambda: s.fullscreen, put=setter("fullscreen")),
            Item("Colour-blind palette", "switch", get=lambda: s.colourblind,
                 put=setter("colourblind"),
                 hint="Meters, alert phases and overlays in colours safe for colour blindness."),
            Item("Reduced flashing", "switch", get=lambda: s.reduced_flashing,
                 put=setter("reduced_flashing"),
                 hint="Siren lights glow steadily instead of flashing red and blue."),
            Item("Captions", "switch", get=lambda: s.captions, put=setter("captions"),
                 hint="A line of text for every sound."),
            Item("Key bindings...", choose=lambda: app.switch(KeyBindingsScreen(app, self))),
            Item("Back", choose=back),
        ], on_back=back, width=620)

    def draw(self, target: pygame.Surface) -> None:
        super().draw(target)
        if self.app.store.path is not None:
            self.app.fonts.draw(target, f"saved to {home_relative(self.app.store.path)}",
                                (target.get_width() // 2, target.get_height() - 14), "tiny",
                                DIM, anchor="midbottom")


def home_relative(path: Path) -> str:
    """A path as a player writes it: ~/.config/rex/settings.json rather than /home/ana/..."""
    try:
        return str(Path("~") / path.relative_to(Path.home()))
    except ValueError:
        return str(path)


class KeyBindingsScreen(MenuScreen):
    """Every bindable action with its keys; choose one, then press the new key."""

    def __init__(self, app: Window, back_to: Screen):
        self.app = app
        self.back_to = back_to
        self.waiting: str | None = None
        items = [Item(ACTION_LABELS[action], "key", get=lambda a=action: app.bindings.label(a),
                      choose=lambda a=action: self._wait(a),
                      hint="Enter, then press the new key (Esc cancels). Esc always pauses.")
                 for action in ACTION_LABELS]
        items.append(Item("Reset to defaults", choose=self._reset))
        items.append(Item("Back", choose=self._back))
        self.menu = Menu(app.fonts, "Key bindings", items, on_back=self._back, width=640)

    def _wait(self, action: str) -> None:
        self.waiting = action

    def _reset(self) -> None:
        self.app.reset_bindings()

    def _back(self) -> None:
        self.app.switch(self.back_to)

    def handle(self, event: pygame.event.Event) -> None:
        if self.waiting is not None:
            if event.type == pygame.KEYDOWN:
                if event.key != ALWAYS_PAUSE:
                    self.app.rebind(self.waiting, event.key)
                self.waiting = None
            return
        self.menu.handle(event)

    def draw(self, target: pygame.Surface) -> None:
        self.app.draw_behind_menu(target)
        w, h = target.get_size()
        self.menu.draw(target, max_rows=max(4, (h - 170) // ROW))
        if self.waiting is not None:
            text = f"Press a key for: {ACTION_LABELS[self.waiting]}"
            box = pygame.Rect(0, 0, 560, 80)
            box.center = (w // 2, h // 2)
            panel(target, box, alpha=255, edge=AMBER)
            self.app.fonts.draw(target, text, box.center, "body", INK, anchor="center")


class PauseScreen(MenuScreen):
    """The game stopped: resume, settings, restart, quit; and every control, listed."""

    def __init__(self, app: Window, game: Any):
        self.app = app
        self.game = game
        # A replay is one recorded game: it can start over, but there is no title to go to.
        leave = [Item("Watch again", choose=app.restart)] if app.replaying else [
            Item("Restart (new seed)", choose=app.restart),
            Item("Quit to title", choose=app.show_title)]
        self.menu = Menu(app.fonts, "Paused", [
            Item("Resume", choose=self.resume),
            Item("Settings", choose=lambda: app.open_settings(back=lambda: app.switch(self))),
            *leave,
            Item("Quit game", choose=app.quit),
        ], on_back=self.resume, width=380)

    def resume(self) -> None:
        self.game.resume()
        self.app.switch(self.game)

    def handle(self, event: pygame.event.Event) -> None:
        if event.type == pygame.KEYDOWN and event.key in self.app.bindings.keys["pause"]:
            self.resume()
            return
        self.menu.handle(event)

    def draw(self, target: pygame.Surface) -> None:
        self.app.draw_behind_menu(target)
        w, h = target.get_size()
        self.menu.draw(target, (w // 2 - 300, h // 2))
        self._controls(target, pygame.Rect(w // 2 - 90, h // 2 - 320, 520, 640))
        world = self.game.session.world
        self.app.fonts.draw(target, f"seed {world.seed}  ·  {self.app.level.name}  ·  "
                            f"{world.clock_text()}", (w // 2 - 300, h // 2 + 170), "small", DIM,
                            anchor="midtop")

    def control_rows(self) -> list[tuple[str, str]]:
        """(what, keys) for every control that does something in this game: Mila's own keys
        only when the player plays her, not in a replay or while an AI plays her."""
        bindings, mila = self.app.bindings, self.game.player_is_mila
        handler = getattr(self.game, "commands_units", False)
        if handler:
            return self._handler_rows()
        rows = [(ACTION_LABELS[a], bindings.label(a)) for a in ACTION_LABELS
                if (mila or a in PRESS_ACTIONS) and a not in HANDLER_ACTIONS]
        if not mila:
            who = "the recording" if self.game.replay is not None else "the AI"
            rows.insert(0, ("Mila's moves and calm actions", f"played by {who}"))
        rows.append(("Pause / back", "Esc"))
        rows.append(("Spectator: follow Rex / free camera", bindings.label("chopper")))
        rows.append(("Menus", "arrows, Enter, mouse"))
        return rows

    def _handler_rows(self) -> list[tuple[str, str]]:
        """The command center's controls: the mouse, the order keys, the map and the rest."""
        bindings = self.app.bindings
        moves = " ".join(bindings.label(a, 1) for a in ("move_up", "move_left", "move_down",
                                                         "move_right"))
        rows = [("Select a unit (Shift: add)", "left click"),
                ("Select every unit in a box", "left drag"),
                ("Send the selection (or Dylan) there", "right click"),
                ("Pan the map", f"{moves} / middle drag"), ("Zoom", "mouse wheel")]
        for action in (a for a in ACTION_LABELS if a in HANDLER_ACTIONS):
            label = ACTION_LABELS[action].removeprefix("Handler: ")
            rows.append((label[:1].upper() + label[1:], bindings.label(action)))
        rows += [(ACTION_LABELS[a], bindings.label(a)) for a in ("pause", "fullscreen")]
        rows.append(("Mila", "played by the AI"))
        rows.append(("Pause / back", "Esc"))
        return rows

    def _controls(self, target: pygame.Surface, rect: pygame.Rect) -> None:
        fonts = self.app.fonts
        panel(target, rect, alpha=215)
        fonts.draw(target, "Controls", (rect.x + 20, rect.y + 14), "large", AMBER)
        rows = self.control_rows()
        y = rect.y + 56
        step = min(26, (rect.height - 70) // len(rows))
        for label, keys in rows:
            fonts.draw(target, label, (rect.x + 20, y), "small", INK)
            fonts.draw(target, keys, (rect.right - 20, y), "small", CYAN, anchor="topright")
            y += step
