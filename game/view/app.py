"""The window: start-up, the screens (title, loading, game, pause, settings, endings) and the
frame loop, on pygame's display, event queue and clock.

``App.frame(dt)`` is one frame: events to the current screen, ``update(dt)``, ``draw``, flip.
``run`` calls it in a loop, with real time between frames, or, for headless checks
(``--frames``), with a fixed virtual frame time so a screenshot after N frames shows the same
moment on every machine. The simulation's own clock is the session's fixed-step accumulator
(session.py); nothing here changes the world.

Start-up shows a splash at once, then synthesises the sounds while the Stage (the map's
pre-warmed scent and fields, a second or two) is built on a worker thread, so the title
appears quickly and "Play" rarely has to wait; when it does, a loading screen says why.

With ``--watch`` the map is checked again whenever it is saved (watch.py): a save that passes
the checker replaces the level, the scene and the Stage (built on the same worker, behind the
loading screen) and restarts the chase with the same seed; a refused save leaves the old map
running under a panel of the checker's lines. With ``--record`` the first game's commands are
saved as a replay (session.Recording); ``rex replay`` plays one back, its commands driving Mila.
"""

from __future__ import annotations

import os
import random
import statistics
import sys
import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pygame

from game.level import Level
from game.replay import Replay
from game.sim.stage import Stage
from game.sim.world import World
from game.stagecache import build_stage
from game.tuning import DEFAULT, Tuning
from game.view import settings as settings_mod
from game.view.command import CommandScreen
from game.view.endings import EndingScreen
from game.view.images import save_image
from game.view.input import Bindings
from game.view.menus import PauseScreen, SettingsScreen, TitleScreen, draw_city_backdrop
from game.view.minimap import Minimap
from game.view.mixer import AudioMixer
from game.view.play import GameScreen, draw_notice, draw_problems
from game.view.scene import Scene
from game.view.screen import Screen
from game.view.session import Recording
from game.view.ui import AMBER, DIM, Fonts, Palette, palette, panel
from game.view.watch import MapReloader, Reload, watched_files

WINDOW = (1280, 720)
TILE_PX = 32  # 16-pixel art at 2x
HEADLESS_FRAME_SECONDS = 1.0 / 30.0  # virtual time per frame in headless checks
SPECTATOR_POLICY = "calm"  # plays Mila when a spectator names no policy (PLAYING.md says so)


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
    watch: Path | None = None  # reload this map whenever it is saved
    record: Path | None = None  # save the first game as a replay here
    replay: Replay | None = None  # play this recorded game instead of a new one
    role: str = "mila"  # "handler": the player is Dylan at the command center


class WindowError(RuntimeError):
    """The window cannot open on this machine (no display, no video driver)."""


class LoadingScreen:
    """Shown while the Stage is still being built; starts the game once it is ready."""

    def __init__(self, app: App, then: Callable[[], None], why: str | None = None):
        self.app = app
        self.then = then
        self.why = why or "pre-warming the collar's scent across the city"
        self.time = 0.0

    def handle(self, event: pygame.event.Event) -> None:
        pass

    def update(self, dt: float) -> None:
        self.time += dt
        if self.app.stage_ready():
            self.then()

    def draw(self, target: pygame.Surface) -> None:
        draw_city_backdrop(self.app.scene, target, self.app.time)
        w, h = target.get_size()
        panel(target, pygame.Rect(w // 2 - 260, h // 2 - 40, 520, 80), alpha=200)
        dots = "." * (1 + int(self.time * 3) % 3)
        self.app.fonts.draw(target, "Laying the scent" + dots, (w // 2, h // 2 - 8), "large",
                            AMBER, anchor="center")
        self.app.fonts.draw(target, self.why, (w // 2, h // 2 + 22), "small", DIM,
                            anchor="center")


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
        self.screen: Any = None  # a Screen, from the first frame on
        self.seed = options.seed
        self._stage: Future[Stage] | None = None
        self._workers = ThreadPoolExecutor(max_workers=1, thread_name_prefix="stage")
        # Saved maps are checked on their own thread: a refusal need not wait for a Stage.
        self._checks = ThreadPoolExecutor(max_workers=1, thread_name_prefix="map-check")
        self._spectating = options.spectator
        self._handling = options.role == "handler"
        self.recording = Recording(options.record) if options.record is not None else None
        self.reloader: MapReloader | None = None
        self.reload_problems: tuple[str, ...] = ()
        self._reloaded = False  # the map changed since the game began: the loading screen says so
        self._saved_at: float | None = None  # the file time of the save being reloaded

    # -- start and stop ---------------------------------------------------------------------

    def start(self) -> None:
        self.store = settings_mod.SettingsStore.open(self.options.settings_path)
        self.notice = self.store.notice
        if self.notice is not None:
            self.say(self.notice)
        if self.options.fullscreen is not None:
            self.store.settings.fullscreen = self.options.fullscreen
        try:
            pygame.display.init()
            self.surface = self._set_mode(self.store.settings.fullscreen)
        except pygame.error as err:  # no display, no video driver: the player's setup
            raise WindowError(f"cannot open a window: {err}") from None
        pygame.font.init()
        self.bindings = Bindings(self.store.settings.bindings)
        for problem in self.bindings.problems:
            self.say(f"settings: {problem}")
        if self.bindings.problems and self.notice is None:
            self.notice = f"Settings: {self.bindings.problems[0]}."
        self.fonts = Fonts()
        if self.options.watch is not None:  # from before the first frame: no save is missed
            self.reloader = MapReloader(self.options.watch, self.level, self._checks)
            names = ", ".join(p.name for p in self.reloader.files.paths)
            self.say(f"watching {names}: a valid save keeps the seed and restarts the chase")
        self._splash()
        self._use_level(self.level)
        s = self.store.settings
        audio = self.options.audio
        if audio is None:  # nothing is heard through the dummy driver: skip the synthesis
            audio = os.environ.get("SDL_AUDIODRIVER") != "dummy"
        names = None if audio else ()
        self.mixer = AudioMixer(s.master_volume, s.effects_volume, s.music_volume, names=names)
        self._report_sound()
        self.running = True
        if self.headless:
            self._stage.result()  # a check waits here instead of on a loading screen
            self.start_game(spectator=self.options.spectator, handler=self._handling)
        else:
            self.show_title()

    def _report_sound(self) -> None:
        """Say why the game is silent (on the terminal), and which sounds a bug left out (on
        the terminal and on screen): a missing sound must never pass for a quiet moment."""
        if self.mixer.error is not None:
            self.say(f"playing without sound: {self.mixer.error}")
        problem = self.mixer.problem
        if problem is not None:
            self.say(problem)
            self.notice = problem if self.notice is None else f"{self.notice} {problem}"

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

    def _use_level(self, level: Level) -> None:
        """Draw and play this level from now on: its Stage starts building at once."""
        self.level = level
        if self._stage is not None:
            self._stage.cancel()  # a Stage for an older save, if it has not started yet
        self._stage = self._workers.submit(build_stage, level, self.tuning)
        pygame.display.set_caption(f"Rex - {level.name}")
        self.scene = Scene(level, TILE_PX)
        self.minimap = Minimap(level, self.fonts, self.palette())

    def say(self, line: str) -> None:
        """A line for the terminal the game was started from (hot reloads, the replay file, the
        sound)."""
        print(f"rex play: {line}", file=sys.stderr, flush=True)

    def close(self) -> None:
        if self.screen is not None:  # the window opened: a game may have been recorded
            self._finish_recording()
        for workers in (self._workers, self._checks):
            workers.shutdown(wait=False, cancel_futures=True)
        if hasattr(self, "mixer"):
            self.mixer.close()
        pygame.quit()

    def run(self) -> int:
        try:
            self.start()
            clock = pygame.time.Clock()
            # A headless check that watches the map keeps real time, so that a test (or a
            # script) has time to save the map while the frames run.
            paced = self.headless and self.reloader is not None
            while self.running:
                dt = HEADLESS_FRAME_SECONDS if self.headless else clock.tick(120) / 1000.0
                if paced:
                    clock.tick(round(1.0 / HEADLESS_FRAME_SECONDS))
                self.frame(dt)
                if self.options.frames is not None and self.frame_count >= self.options.frames:
                    self.running = False
            if self.options.screenshot is not None:
                save_image(self.surface, self.options.screenshot)  # OutputError: exit 1
            if self.options.profile:
                print(profile_line(self.frame_times))
        finally:
            self.close()
        return 1 if self.recording is not None and self.recording.failed else 0

    def frame(self, dt: float) -> None:
        """One frame: events, update, draw, flip."""
        started = time.perf_counter()
        self.time += dt
        if self.reloader is not None:
            reload = self.reloader.update()
            if reload is not None:
                self._hot_reload(reload)
        for event in pygame.event.get():
            if event.type == pygame.QUIT:
                self.quit()
            self.screen.handle(event)
        self.screen.update(dt)
        if self.recording is not None and self.recording.ended():
            self._finish_recording()
        self.surface = pygame.display.get_surface()  # resized, or changed by fullscreen
        self.screen.draw(self.surface)
        if self.reload_problems and self.reloader is not None:
            draw_problems(self.fonts, self.surface, str(self.reloader.path),
                          self.reload_problems)
        pygame.display.flip()
        self.frame_count += 1
        if isinstance(self.screen, GameScreen):
            self.frame_times.append(time.perf_counter() - started)

    def quit(self) -> None:
        self.running = False

    # -- hot reload and recording -----------------------------------------------------------

    def _hot_reload(self, reload: Reload) -> None:
        """A save of the watched map was checked: play the new map, or say why not."""
        if reload.level is None:
            self.reload_problems = reload.problems
            self.say(f"kept the old map: {reload.path} has {len(reload.problems)} problem"
                     + ("s:" if len(reload.problems) != 1 else ":"))
            for line in reload.problems:
                print(f"  {line}", file=sys.stderr, flush=True)
            return
        self.reload_problems = ()
        try:  # when the save happened, to say how long it took to get playing again
            self._saved_at = reload.path.stat().st_mtime
        except OSError:
            self._saved_at = None
        self._use_level(reload.level)
        names = ", ".join(p.name for p in watched_files(reload.level))
        restart = f"the chase restarts with seed {self.seed}" if self.game is not None else \
            "no chase to restart"
        self.say(f"reloaded {reload.path} (map hash {reload.level.content_hash[:12]}; "
                 f"watching {names}): {restart}")
        if self.game is not None:
            self._end_game()
            self._reloaded = True
            self.start_game(self._spectating)

    def _finish_recording(self) -> None:
        if self.recording is not None:
            line = self.recording.finish()
            if line is not None:
                self.say(line)

    # -- screens ------------------------------------------------------------------------------

    @property
    def replaying(self) -> bool:
        """A recorded game is being watched: menus offer to watch it again, not a new game."""
        return self.options.replay is not None

    def switch(self, screen: Screen) -> None:
        self.screen = screen

    def show_title(self) -> None:
        self._end_game()
        self.switch(TitleScreen(self))

    def stage_ready(self) -> bool:
        return self._stage is not None and self._stage.done()

    def start_game(self, spectator: bool, handler: bool | None = None) -> None:
        """A new game in the given mode (``handler``: the player is Dylan; None: as the last
        game), once the Stage is ready."""
        self._spectating = spectator
        if handler is not None:
            self._handling = handler
        if not self.stage_ready():
            why = f"the map changed: reloading {self.level.name}" if self._reloaded else None
            self.switch(LoadingScreen(self, lambda: self.start_game(spectator), why))
            return
        self._end_game()
        self._reloaded = False
        assert self._stage is not None
        stage = self._stage.result()
        if self._saved_at is not None:
            self.say(f"the new map is playing {time.time() - self._saved_at:.2f} s after "
                     "its save")
            self._saved_at = None
        if self.seed is None:
            self.seed = random.SystemRandom().randrange(1 << 31) if not self.headless else 0
        replay = self.options.replay
        police, civilians = (replay.police, replay.civilians) if replay else (True, True)
        handled = replay.role == "handler" if replay else self._handling and not spectator
        world = World(self.level, self.seed, self.tuning, stage=stage, police=police,
                      civilians=civilians, handler=handled)
        policy = (self.options.policy or SPECTATOR_POLICY) if spectator else \
            self.options.autoplay
        record = None if self.recording is None else self.recording.begin(
            world, self.level.path, police=police, civilians=civilians)
        if handled and replay is None:
            self.game = CommandScreen(self, world, policy=self.options.autoplay
                                      or SPECTATOR_POLICY, record=record)
        else:
            self.game = GameScreen(self, world, policy=policy, spectator=spectator,
                                   overlays=self.options.overlays, replay=replay,
                                   record=record)
        self.switch(self.game)

    def restart(self) -> None:
        """Play again: the same mode, the next seed (a replay starts over)."""
        if not self.replaying:
            self.seed = (self.seed or 0) + 1
        self.start_game(self._spectating)

    def _end_game(self) -> None:
        """Leave the game in progress: its sounds stop, and its recording is saved."""
        if self.game is not None:
            self.game.sounds.stop()
            self.game = None
            self._finish_recording()

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
            draw_city_backdrop(self.scene, target, self.time)
        if self.notice is not None and not isinstance(self.screen, GameScreen):
            draw_notice(self.fonts, target, self.notice)

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

