"""What a screen is, and what it may ask of the window: two protocols, so that the screens
(menus, game, endings) never import the app that shows them.

A ``Screen`` takes pygame's input events, moves on by a frame's time and draws itself. The
``Window`` is the app as a screen sees it: the shared parts it draws with (fonts, the scene of
the map, the minimap, the mixer, the settings and key bindings) and the ways to move between
screens. ``app.App`` is the one window; tests may hand a screen anything of this shape. Only
types are named here (pygame's among them); nothing is drawn.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol

import pygame

from game.level import Level
from game.view.input import Bindings
from game.view.minimap import Minimap
from game.view.mixer import AudioMixer
from game.view.scene import Scene
from game.view.settings import SettingsStore
from game.view.ui import Fonts, Palette


class Screen(Protocol):
    """One screen of the window: title, loading, game, pause, settings, an ending."""

    def handle(self, event: pygame.event.Event) -> None: ...

    def update(self, dt: float) -> None: ...

    def draw(self, target: pygame.Surface) -> None: ...


class Window(Protocol):
    """The window as its screens see it."""

    fonts: Fonts
    scene: Scene  # the map being played, drawn
    level: Level
    minimap: Minimap
    mixer: AudioMixer
    store: SettingsStore
    bindings: Bindings
    surface: pygame.Surface
    notice: str | None  # something the player must know, shown over the game and the menus
    time: float  # seconds of frames so far

    @property
    def replaying(self) -> bool:
        """A recorded game is being watched: menus offer to watch it again, not a new game."""
        ...

    def palette(self) -> Palette: ...

    def switch(self, screen: Screen) -> None: ...

    def show_title(self) -> None: ...

    def start_game(self, spectator: bool, handler: bool | None = None) -> None: ...

    def restart(self) -> None: ...

    def quit(self) -> None: ...

    # ``game`` is the game screen: typed loosely, since naming its class here would tie this
    # module to play.py, which needs this one.
    def pause(self, game: Any) -> None: ...

    def show_ending(self, game: Any) -> None: ...

    def open_settings(self, back: Callable[[], None]) -> None: ...

    def apply_settings(self) -> None: ...

    def toggle_fullscreen(self) -> None: ...

    def rebind(self, action: str, key: int) -> None: ...

    def reset_bindings(self) -> None: ...

    def draw_behind_menu(self, target: pygame.Surface) -> None: ...
