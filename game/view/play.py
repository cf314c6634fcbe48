"""The game screen: keys to the session, the session's events to sounds, log and HUD, and the
frame drawn (with pygame) under a camera that follows Mila (or Rex, from the news chopper).

Order of a frame: press actions (pause, chopper, overlays, fullscreen), the session's ticks,
the events of those ticks to everything that tells the story, the camera, then the drawing:
scene, overlays, chopper framing, HUD, minimap. When the chase ends the last moment holds for
a few seconds, darkening, before the ending screens take over.
"""

from __future__ import annotations

import math

import pygame

from game.replay import Replay
from game.sim.commands import Commands
from game.sim.world import World
from game.view import cast
from game.view.camera import Camera
from game.view.hud import Hud
from game.view.input import Controls
from game.view.overlays import Overlays
from game.view.radio import Captions, RadioLog
from game.view.screen import Window
from game.view.session import Session, policy_driver, replay_driver, replay_orders
from game.view.sounds import SoundDirector
from game.view.ui import AMBER, DIM, INK, Fonts, panel

CAMERA_HALF_LIFE = 0.18  # seconds for the camera to close half the gap to its target
CHOPPER_HALF_LIFE = 0.45  # the chopper is heavier: it lags and sways
FREE_CAMERA_SPEED = 22.0  # tiles per second when a spectator pans
ENDING_HOLD = 3.0  # seconds the last moment stays before the ending screens
NOTICE_SECONDS = 12.0
PROBLEM_EDGE = (230, 90, 70)  # the edge of the refused-reload panel: something is wrong
MAX_PROBLEM_LINES = 12  # more than this and the panel says how many are left out


class GameScreen:
    def __init__(self, app: Window, world: World, *, policy: str | None, spectator: bool,
                 overlays: tuple[str, ...] = (), replay: Replay | None = None,
                 record: Replay | None = None):
        """A game of ``world``; Mila is played by the keys, by ``policy`` when named, or by
        the commands of ``replay``; every tick's commands go into ``record`` when given."""
        self.app = app
        self.controls = Controls(app.bindings)
        self.replay = replay
        # Whether the keys move Mila (not when a replay or an AI plays her).
        self.player_is_mila = replay is None and not (spectator or policy)
        if replay is not None:
            self.session = Session(world, replay_driver(replay), last_tick=replay.ticks,
                                   label=f"REPLAY  ·  seed {world.seed}  ·  Mila as recorded"
                                   + ("  ·  Dylan's orders as given" if replay.role == "handler"
                                      else ""),
                                   orders=replay_orders(replay) if replay.role == "handler"
                                   else None)
        else:
            driver = policy_driver(policy, world.seed) if policy else self.keyboard_commands
            label = None if not (spectator or policy) else \
                f"AI PLAYING MILA  ·  {'spectator' if spectator else f'policy {policy}'}"
            self.session = Session(world, driver, spectator=spectator, label=label,
                                   record=record)
        level = world.level
        self.scene = app.scene
        size = app.surface.get_size()
        self.camera = Camera(world.mila.x, world.mila.y, self.scene.tile_px, *size,
                             level.width, level.height)
        self.camera.clamp()
        palette = app.palette()
        self.overlays = Overlays(app.fonts, palette, overlays)
        self.hud = Hud(app.fonts, palette)
        self.log = RadioLog()
        self.captions = Captions()
        self.sounds = SoundDirector(app.mixer, self.captions)
        self.chopper = spectator  # spectators start on Rex
        self.free_camera = False
        self.placed: dict[cast.Key, tuple[float, float]] = {}
        self.final_frame: pygame.Surface | None = None
        self.started = False

    def keyboard_commands(self, _world: World) -> Commands:
        """The driver of a game the player plays: what the keys say this tick."""
        return self.controls.commands()

    def set_palette(self) -> None:
        palette = self.app.palette()
        self.overlays.set_palette(palette)
        self.hud.palette = palette

    def resume(self) -> None:
        """Back from the pause screen: the clock runs again, and the sound comes back."""
        self.session.paused = False
        self.started = False

    # -- input and time -----------------------------------------------------------------------

    def handle(self, event: pygame.event.Event) -> None:
        self.controls.handle(event)

    def update(self, dt: float) -> None:
        session = self.session
        world = session.world
        if not self.started:
            self.sounds.music("theme", session.time)
            self.started = True
        for action in self.controls.presses():
            self._press(action)
            if session.paused:
                return
        happened = session.advance(dt)
        now = session.time
        listener = (self.camera.x, self.camera.y)
        self.log.add_events(happened, now)
        self.hud.note_events(happened, now)
        self.scene.note_events(happened, now)
        self.sounds.on_events(happened, world, listener, now)
        self.hud.watch(world, now)
        self._move_camera(dt)
        rex_moving = session.before.moved(("rex", 0), world.rex.x, world.rex.y) > 1e-4
        self.sounds.update(world, listener, now, rex_moving)
        if session.ended_at is not None and now - session.ended_at >= ENDING_HOLD:
            self.app.show_ending(self)

    def _press(self, action: str) -> None:
        if action == "pause":
            self.session.paused = True
            self.controls.held.clear()
            self.app.pause(self)
        elif action == "chopper":
            if self.session.spectator:
                self.free_camera = not self.free_camera
                self.chopper = not self.free_camera
            else:
                self.chopper = not self.chopper
        elif action == "fullscreen":
            self.app.toggle_fullscreen()
        elif action.startswith("overlay_"):
            name = action.removeprefix("overlay_")
            self.overlays.toggle(name, list(self.overlays.field_choices(self.session.world)))

    def _move_camera(self, dt: float) -> None:
        world = self.session.world
        camera = self.camera
        if self.free_camera:
            dx, dy = self.controls.direction()
            camera.pan(dx * FREE_CAMERA_SPEED * dt, dy * FREE_CAMERA_SPEED * dt)
            return
        before, alpha = self.session.before, self.session.alpha
        ending = world.ending.ending if world.ending is not None else None
        if ending == "tranquilized":  # the last moment is his: the camera goes to where he lies
            camera.glide(world.rex.x, world.rex.y, dt, CAMERA_HALF_LIFE)
        elif self.chopper:
            x, y = before.blend(("rex", 0), world.rex.x, world.rex.y, alpha)
            t = self.session.time
            # A hovering helicopter never holds still: a slow figure-of-eight drift.
            camera.glide(x + 0.6 * math.sin(t * 0.7), y + 0.4 * math.sin(t * 1.1), dt,
                         CHOPPER_HALF_LIFE)
        else:
            x, y = before.blend(("mila", 0), world.mila.x, world.mila.y, alpha)
            camera.glide(x, y, dt, CAMERA_HALF_LIFE)

    # -- drawing ------------------------------------------------------------------------------

    def draw(self, target: pygame.Surface) -> None:
        session = self.session
        world = session.world
        settings = self.app.store.settings
        if target.get_size() != (self.camera.view_w, self.camera.view_h):
            self.camera.resize(*target.get_size())
        now = session.time
        self.placed = self.scene.draw(target, self.camera, world, session.before,
                                      session.alpha, now, settings.reduced_flashing)
        if session.ended_at is not None:  # the ending screens start from the last of these
            self.final_frame = target.copy()
        self.overlays.draw(target, self.camera, world, self.placed)
        top = 0
        if self.chopper and not session.spectator:
            top = self.hud.chopper_frame(target, now)
        rex_in_view = ("rex", 0) in self.placed and self._on_screen(("rex", 0), target)
        self.hud.draw(target, world, self.placed, self.log, self.captions, self.app.bindings,
                      now, spectator=session.spectator, label=session.label,
                      show_captions=settings.captions, top=top,
                      mila_played=not (self.player_is_mila or session.spectator))
        self.app.minimap.draw(target, (target.get_width() - 12, 12), world, self.camera, now,
                              show_rex=session.spectator or rex_in_view,
                              reduced_flashing=settings.reduced_flashing)
        self._notice(target)
        if session.out_of_commands and world.ending is None:
            draw_notice(self.app.fonts, target, "The recording ends here: the player left the game "
                                          "before the chase was over. Esc for the menu.")
        if session.ended_at is not None:
            fade = min(1.0, (now - session.ended_at) / ENDING_HOLD)
            shade = pygame.Surface(target.get_size(), pygame.SRCALPHA)
            shade.fill((0, 0, 0, round(200 * fade)))
            target.blit(shade, (0, 0))

    def _on_screen(self, key: cast.Key, target: pygame.Surface) -> bool:
        x, y = self.placed[key]
        return target.get_rect().collidepoint(x, y)

    def _notice(self, target: pygame.Surface) -> None:
        notice = self.app.notice
        if notice is None or self.session.time > NOTICE_SECONDS:
            return
        draw_notice(self.app.fonts, target, notice)


def draw_notice(fonts: Fonts, target: pygame.Surface, notice: str) -> None:
    """A banner across the top of the screen for something the player must know."""
    w = target.get_width()
    lines = fonts.wrap(notice, "small", min(760, w - 80))
    rect = pygame.Rect(0, 0, min(800, w - 40), 20 + 22 * len(lines))
    rect.midtop = (w // 2, 120)
    panel(target, rect, alpha=230, edge=AMBER)
    for i, line in enumerate(lines):
        fonts.draw(target, line, (rect.centerx, rect.y + 10 + 22 * i), "small", INK,
                   anchor="midtop")


def draw_problems(fonts: Fonts, target: pygame.Surface, path: str,
                  problems: tuple[str, ...]) -> None:
    """The panel of a refused hot reload: the map checker's lines, over whatever is on screen,
    until a save passes the checker."""
    w, h = target.get_size()
    width = min(960, w - 40)
    prefix = f"{path}: "
    lines: list[str] = []
    for problem in problems[:MAX_PROBLEM_LINES]:
        lines += fonts.wrap(problem.removeprefix(prefix), "small", width - 48)
    hidden = len(problems) - MAX_PROBLEM_LINES
    if hidden > 0:
        lines.append(f"... and {hidden} more (rex check-map {path} lists them all)")
    rect = pygame.Rect(0, 0, width, 86 + 22 * len(lines))
    rect.midbottom = (w // 2, h - 130)
    panel(target, rect, alpha=235, edge=PROBLEM_EDGE)
    count = f"{len(problems)} problem" + ("s" if len(problems) != 1 else "")
    fonts.draw(target, f"Map not reloaded: {count} in {path}", (rect.x + 20, rect.y + 12),
               "body", AMBER)
    fonts.draw(target, "The old map keeps running. Fix the map and save it again.",
               (rect.x + 20, rect.y + 42), "small", DIM)
    for i, line in enumerate(lines):
        fonts.draw(target, line, (rect.x + 28, rect.y + 72 + 22 * i), "small", INK)
