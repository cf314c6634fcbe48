"""The window: start-up, the screens (title, loading, game, pause, settings, endings) and the
frame loop.

``App.frame(dt)`` is one frame: events to the current screen, ``update(dt)``, ``draw``, flip.
``run`` calls it in a loop, with real time between frames, or, for headless checks
(``--frames``), with a fixed virtual frame time so a screenshot after N frames shows the same
moment on every machine. The simulation's own clock is the session's fixed-step accumulator
(session.py); nothing here changes the world.

Start-up shows a splash at once, then synthesises the sounds while the Stage (the map's
pre-warmed scent and fields, a second or two) is built on a worker thread, so the title
appears quickly and "Play" rarely has to wait; when it does, a loading screen says why.
"""

from __future__ import annotations

import os
import random
import statistics
import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pygame

from game import policies
from game.level import Level
from game.sim.stage import Stage
from game.sim.world import World
from game.tuning import DEFAULT, Tuning
from game.view import settings as settings_mod
from game.view.audio import AudioMixer
from game.view.endings import EndingScreen
from game.view.input import Bindings
from game.view.menus import PauseScreen, SettingsScreen, TitleScreen, draw_city_backdrop
from game.view.minimap import Minimap
from game.view.play import GameScreen, draw_notice
from game.view.scene import Scene
from game.view.ui import AMBER, DIM, Fonts, Palette, palette, panel

WINDOW = (1280, 720)
TILE_PX = 32  # 16-pixel art at 2x
HEADLESS_FRAME_SECONDS = 1.0 / 30.0  # virtual time per frame in headless checks


@dataclass
class PlayOptions:
    seed: int | None = None
    frames: int | None = None  # stop after this many frames (headless checks)
    screenshot: Path | None = None  # save the last frame here
    autoplay: str | None = None  # a policy plays Mila
    spectator: bool = False
    policy: str | None = None  # the spectator's policy for Mila
    overlays: tuple[str, ...] = ()
    profile: bool = False
    fullscreen: bool | None = None  # None: as in the settings
    settings_path: Path | None = None  # None: the user's config folder
    audio: bool | None = None  # None: synthesise the sounds unless the audio driver is dummy


class WindowError(RuntimeError):
    """The window cannot open on this machine (no display, no video driver)."""


def spectator_policy() -> str:
    """The policy that plays Mila for spectators when none is named: the calm one once the
    simulation has it, else the one that waits at the maple."""
    return "calm" if "calm" in policies.BUILT_IN else "wait"


class LoadingScreen:
    """Shown while the Stage is still being built; starts the game once it is ready."""

    def __init__(self, app: App, then: Callable[[], None]):
        self.app = app
        self.then = then
        self.time = 0.0

    def handle(self, event: pygame.event.Event) -> None:
        pass

    def update(self, dt: float) -> None:
        self.time += dt
        if self.app.stage_ready():
            self.then()

    def draw(self, target: pygame.Surface) -> None:
        draw_city_backdrop(self.app, target, self.app.time)
        w, h = target.get_size()
        panel(target, pygame.Rect(w // 2 - 260, h // 2 - 40, 520, 80), alpha=200)
        dots = "." * (1 + int(self.time * 3) % 3)
        self.app.fonts.draw(target, "Laying the scent" + dots, (w // 2, h // 2 - 8), "large",
                            AMBER, anchor="center")
        self.app.fonts.draw(target, "pre-warming the collar's scent across the city",
                            (w // 2, h // 2 + 22), "small", DIM, anchor="center")


class App:
    def __init__(self, level: Level, options: PlayOptions, tuning: Tuning = DEFAULT):
        self.level = level
        self.options = options
        self.tuning = tuning
        self.headless = options.frames is not None
        self.running = False
        self.frame_count = 0
        self.time = 0.0  # seconds of frames so far (virtual in headless checks)
        self.frame_times: list[float] = []
        self.notice: str | None = None
        self.game: GameScreen | None = None
        self.screen: Any = None
        self.seed = options.seed
        self._stage: Future[Stage] | None = None
        self._workers = ThreadPoolExecutor(max_workers=1, thread_name_prefix="stage")
        self._spectating = options.spectator

    # -- start and stop ---------------------------------------------------------------------

    def start(self) -> None:
        self.store = settings_mod.SettingsStore.open(self.options.settings_path)
        self.notice = self.store.notice
        if self.options.fullscreen is not None:
            self.store.settings.fullscreen = self.options.fullscreen
        try:
            pygame.display.init()
            self.surface = self._set_mode(self.store.settings.fullscreen)
        except pygame.error as err:  # no display, no video driver: the player's setup
            raise WindowError(f"cannot open a window: {err}") from None
        pygame.font.init()
        self.bindings = Bindings(self.store.settings.bindings)
        pygame.display.set_caption(f"Rex - {self.level.name}")
        self.fonts = Fonts()
        self._splash()
        self._stage = self._workers.submit(Stage, self.level, self.tuning)
        self.scene = Scene(self.level, TILE_PX)
        self.minimap = Minimap(self.level, self.fonts, self.palette())
        s = self.store.settings
        audio = self.options.audio
        if audio is None:  # nothing is heard through the dummy driver: skip the synthesis
            audio = os.environ.get("SDL_AUDIODRIVER") != "dummy"
        names = None if audio else ()
        self.mixer = AudioMixer(s.master_volume, s.effects_volume, s.music_volume, names=names)
        self.running = True
        if self.headless:
            self._stage.result()  # a check waits here instead of on a loading screen
            self.start_game(spectator=self.options.spectator)
        else:
            self.show_title()

    def _set_mode(self, fullscreen: bool) -> pygame.Surface:
        if fullscreen:
            return pygame.display.set_mode((0, 0), pygame.FULLSCREEN)
        return pygame.display.set_mode(WINDOW, pygame.RESIZABLE)

    def _splash(self) -> None:
        self.surface.fill((8, 10, 20))
        w, h = self.surface.get_size()
        self.fonts.draw(self.surface, "REX", (w // 2, h // 2 - 40), "title", AMBER,
                        anchor="center")
        self.fonts.draw(self.surface, "tuning the sirens...", (w // 2, h // 2 + 50), "small",
                        DIM, anchor="center")
        pygame.display.flip()

    def close(self) -> None:
        self._workers.shutdown(wait=False, cancel_futures=True)
        if hasattr(self, "mixer"):
            self.mixer.close()
        pygame.quit()

    def run(self) -> int:
        try:
            self.start()
            clock = pygame.time.Clock()
            while self.running:
                dt = HEADLESS_FRAME_SECONDS if self.headless else clock.tick(120) / 1000.0
                self.frame(dt)
                if self.options.frames is not None and self.frame_count >= self.options.frames:
                    self.running = False
            if self.options.screenshot is not None:
                pygame.image.save(self.surface, str(self.options.screenshot))
            if self.options.profile:
                print(profile_line(self.frame_times))
        finally:
            self.close()
        return 0

    def frame(self, dt: float) -> None:
        """One frame: events, update, draw, flip."""
        started = time.perf_counter()
        self.time += dt
        for event in pygame.event.get():
            if event.type == pygame.QUIT:
                self.quit()
            self.screen.handle(event)
        self.screen.update(dt)
        self.surface = pygame.display.get_surface()  # resized, or changed by fullscreen
        self.screen.draw(self.surface)
        pygame.display.flip()
        self.frame_count += 1
        if isinstance(self.screen, GameScreen):
            self.frame_times.append(time.perf_counter() - started)

    def quit(self) -> None:
        self.running = False

    # -- screens ------------------------------------------------------------------------------

    def switch(self, screen: Any) -> None:
        self.screen = screen

    def show_title(self) -> None:
        self._end_game()
        self.switch(TitleScreen(self))

    def stage_ready(self) -> bool:
        return self._stage is not None and self._stage.done()

    def start_game(self, spectator: bool) -> None:
        """A new game in the given mode, once the Stage is ready."""
        self._spectating = spectator
        if not self.stage_ready():
            self.switch(LoadingScreen(self, lambda: self.start_game(spectator)))
            return
        self._end_game()
        assert self._stage is not None
        stage = self._stage.result()
        if self.seed is None:
            self.seed = random.SystemRandom().randrange(1 << 31) if not self.headless else 0
        world = World(self.level, self.seed, self.tuning, stage=stage)
        policy = (self.options.policy or spectator_policy()) if spectator else \
            self.options.autoplay
        self.game = GameScreen(self, world, policy=policy, spectator=spectator,
                               overlays=self.options.overlays)
        self.switch(self.game)

    def restart(self) -> None:
        """Play again: the same mode, the next seed."""
        self.seed = (self.seed or 0) + 1
        self.start_game(self._spectating)

    def _end_game(self) -> None:
        if self.game is not None:
            self.game.sounds.stop()
            self.game = None

    def pause(self, game: GameScreen) -> None:
        self.mixer.stop_all()
        game.sounds.stop()
        self.switch(PauseScreen(self, game))

    def show_ending(self, game: GameScreen) -> None:
        game.sounds.stop()
        self.switch(EndingScreen(self, game))

    def open_settings(self, back: Callable[[], None]) -> None:
        self.switch(SettingsScreen(self, back))

    def draw_behind_menu(self, target: pygame.Surface) -> None:
        """What shows behind a menu: the paused game, or the city at dusk."""
        if self.game is not None:
            self.game.draw(target)
            dim = pygame.Surface(target.get_size(), pygame.SRCALPHA)
            dim.fill((6, 8, 18, 170))
            target.blit(dim, (0, 0))
        else:
            draw_city_backdrop(self, target, self.time)
        if self.notice is not None and not isinstance(self.screen, GameScreen):
            draw_notice(self, target, self.notice)

    # -- settings -----------------------------------------------------------------------------

    def palette(self) -> Palette:
        return palette(self.store.settings.colourblind)

    def apply_settings(self) -> None:
        """Put the settings into effect at once, and save them."""
        s = self.store.settings
        self.mixer.set_volumes(s.master_volume, s.effects_volume, s.music_volume)
        fullscreen = bool(self.surface.get_flags() & pygame.FULLSCREEN)
        if fullscreen != s.fullscreen:
            self.surface = self._set_mode(s.fullscreen)
        self.minimap.set_palette(self.palette())
        if self.game is not None:
            self.game.set_palette()
        self.save_settings()

    def save_settings(self) -> None:
        s = self.store.settings
        s.bindings = self.bindings.names()
        problem = self.store.save()
        if problem is not None:
            self.notice = problem

    def toggle_fullscreen(self) -> None:
        self.store.settings.fullscreen = not self.store.settings.fullscreen
        self.apply_settings()

    def rebind(self, action: str, key: int) -> None:
        self.bindings.rebind(action, key)
        self.save_settings()

    def reset_bindings(self) -> None:
        self.bindings.load(settings_mod.Settings().bindings)
        self.save_settings()


def profile_line(frame_times: list[float]) -> str:
    """Median and 95th-percentile frame time, in milliseconds."""
    if not frame_times:
        return "profile: no game frames"
    ms = sorted(t * 1000.0 for t in frame_times)
    p95 = ms[min(len(ms) - 1, round(0.95 * (len(ms) - 1)))]
    return f"frames {len(ms)}  median {statistics.median(ms):.2f} ms  p95 {p95:.2f} ms"

