"""Frames of a running World drawn as the game's window draws them, for the AI environments'
``render()`` (game/env): touches pygame.

``FrameDrawer`` keeps what the game screen keeps between frames (the scene with its sprites and
lighting, a camera that follows Mila, the HUD with its radio log and meter tells, the
command center's minimap) but owns no game loop: the environment steps the world and hands
over each step's events, then asks for a picture. With ``window=True`` it opens a window and
shows each frame there (``render_mode="human"``); otherwise it draws offscreen and returns
RGB arrays (``render_mode="rgb_array"``), which works under SDL's dummy video driver.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterable
from typing import Any

import numpy as np
import pygame

from game.level import Level
from game.sim import events as ev
from game.view.camera import Camera
from game.view.cast import Snapshot
from game.view.hud import Hud
from game.view.input import Bindings
from game.view.minimap import Minimap
from game.view.radio import Captions, RadioLog
from game.view.scene import Scene
from game.view.ui import Fonts, palette

TILE_PX = 32  # as the game's window draws the map (16-pixel art at 2x)
DEFAULT_SIZE = (960, 540)


class FrameDrawer:
    """Draws one World's frames; ``note(events)`` after each step, then ``draw(world)``."""

    def __init__(self, level: Level, size: tuple[int, int] = DEFAULT_SIZE, *,
                 window: bool = False, title: str = "Rex"):
        if not window and not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")
                               or sys.platform in ("win32", "darwin")):
            os.environ.setdefault("SDL_VIDEODRIVER", "dummy")  # a headless server: offscreen
        pygame.display.init()
        pygame.font.init()
        self.window = pygame.display.set_mode(size) if window else None
        if self.window is not None:
            pygame.display.set_caption(title)
        elif pygame.display.get_surface() is None:
            # Sprites are converted to the display's format, so there must be one: hidden.
            pygame.display.set_mode((1, 1), pygame.HIDDEN)
        self.level = level
        self.target = pygame.Surface(size)
        self.scene = Scene(level, TILE_PX)
        self.fonts = Fonts()
        colours = palette(False)
        self.hud = Hud(self.fonts, colours)
        self.minimap = Minimap(level, self.fonts, colours)
        self.log = RadioLog()
        self.captions = Captions()
        self.bindings = Bindings({})
        self.camera: Camera | None = None
        self.before: Snapshot | None = None
        self.time = 0.0

    def note(self, events: Iterable[ev.Event], seconds: float) -> None:
        """What happened since the last frame, at ``seconds`` of play."""
        happened = list(events)
        self.time = seconds
        self.log.add_events(happened, seconds)
        self.hud.note_events(happened, seconds)
        self.scene.note_events(happened, seconds)

    def draw(self, world: Any) -> pygame.Surface:
        """The frame for the world as it is now (the camera follows Mila)."""
        width, height = self.target.get_size()
        mila = world.mila
        if self.camera is None:
            self.camera = Camera(mila.x, mila.y, TILE_PX, width, height, world.level.width,
                                 world.level.height)
        self.camera.follow(mila.x, mila.y, 1.0)
        before = self.before or Snapshot.take(world)
        self.hud.watch(world, self.time)
        placed = self.scene.draw(self.target, self.camera, world, before, 1.0, self.time, False)
        self.hud.draw(self.target, world, placed, self.log, self.captions, self.bindings,
                      self.time, spectator=False, label="agent", show_captions=False,
                      mila_played=True)
        rex_at = placed.get(("rex", 0))
        self.minimap.draw(self.target, (width - 12, 12), world, self.camera, self.time,
                          show_rex=rex_at is not None and self.target.get_rect().collidepoint(
                              rex_at), reduced_flashing=False)
        self.before = Snapshot.take(world)
        if self.window is not None:
            self.window.blit(self.target, (0, 0))
            pygame.display.flip()
            pygame.event.pump()  # keep the window responsive between steps
        return self.target

    def rgb(self, world: Any) -> np.ndarray:
        """The frame as an RGB array, [height, width, 3] uint8."""
        frame = self.draw(world)
        return np.ascontiguousarray(pygame.surfarray.array3d(frame).swapaxes(0, 1))

    def close(self) -> None:
        if self.window is not None:
            pygame.display.quit()
            self.window = None
