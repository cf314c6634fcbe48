"""Regenerate the documentation's screenshots: ``python -m tools.make_screenshots [NAME ...]``.

Every picture in docs/screenshots/ that the game draws comes from here: the title and settings
menus, the pause screen, the chase under the news chopper, the debug overlays, dusk, calming
Rex, the recognition, the ending screens and the panel of a refused hot reload. Each one is a
moment of a seeded game on the default map, driven frame by frame with the fixed virtual frame
time of the headless checks, so a run gives the same pictures on every machine with the same
pygame. It runs under SDL's dummy drivers unless others are set (``xvfb-run`` works too), in a
home folder of its own (the player's settings are never touched). Long stretches of a game are
played without drawing (the session's own clock, a quarter second a step) and only the last
seconds are drawn, so the whole set takes a few minutes. The tiled-*.png and lakeside-map.png
pictures come from Tiled and are not touched.

Names: menus (title, settings), pause, chase (chase_chopper, overlay_vision_fields), scent
(overlay_scent), dusk, home (calming, recognition, ending_scene, ending_viral, ending_epilogue,
ending_result), tranquilized (ending_tranquilized), reload (reload_problems), handler
(handler_command_center, handler_pause). No name: all.
"""

from __future__ import annotations

import collections
import os
import shutil
import sys
import tempfile
from collections.abc import Callable, Iterator
from contextlib import chdir, contextmanager
from pathlib import Path

os.environ.setdefault("SDL_VIDEODRIVER", "dummy")
os.environ.setdefault("SDL_AUDIODRIVER", "dummy")
os.environ.setdefault("PYGAME_HIDE_SUPPORT_PROMPT", "1")

import pygame  # after the banner is silenced

from game.headless import Runner
from game.level import Level
from game.mapcheck import load_checked
from game.sim.world import World
from game.tuning import DEFAULT, Tuning
from game.view.app import App, PlayOptions
from game.view.endings import EndingScreen
from game.view.play import GameScreen
from game.view.session import MAX_FRAME_SECONDS

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "docs" / "screenshots"
MAP = ROOT / "maps" / "lakeside.tmx"
FRAME = 1.0 / 30.0
DRAWN_TICKS = 90  # the last three seconds before a picture are drawn, so the camera settles
CALMING_FRAMES = 75  # the calming picture is this many frames before the chase ends
HELD_SECONDS = 0.6  # the recognition: this far into the last moment, as Rex leans in to her


class Shots:
    """Opens windows on one level and takes their pictures."""

    def __init__(self, level: Level):
        self.level = level

    @contextmanager
    def window(self, tuning: Tuning = DEFAULT, level: Level | None = None,
               **options) -> Iterator[App]:
        """The game's window, started (straight into a game when ``frames`` is given)."""
        app = App(level or self.level, PlayOptions(audio=False, **options), tuning)
        try:
            app.start()
            yield app
        finally:
            app.close()

    @contextmanager
    def game_at(self, seed: int, policy: str, ticks: int, *, tuning: Tuning = DEFAULT,
                police: bool = True, overlays: tuple[str, ...] = (),
                chopper: bool = False) -> Iterator[App]:
        """A window showing the game of ``policy`` and ``seed`` at ``ticks``."""
        with self.window(tuning, seed=seed, frames=10**9, autoplay=policy) as app:
            assert app.game is not None
            stage = app.game.session.world.stage
            world = World(self.level, seed, tuning, stage=stage, police=police,
                          civilians=police)
            game = GameScreen(app, world, policy=policy, spectator=False, overlays=overlays)
            game.chopper = chopper
            app.game = game
            app.switch(game)
            while world.tick < ticks - DRAWN_TICKS and world.ending is None:
                game.session.advance(MAX_FRAME_SECONDS)
            frames(app, DRAWN_TICKS)
            yield app


def frames(app: App, count: int) -> None:
    for _ in range(count):
        app.frame(FRAME)


def press(key: int) -> None:
    for kind in (pygame.KEYDOWN, pygame.KEYUP):
        pygame.event.post(pygame.event.Event(kind, key=key, mod=0, unicode="", scancode=0))


def save(surface: pygame.Surface, name: str) -> None:
    path = OUT / f"{name}.png"
    pygame.image.save(surface, str(path))
    print(f"wrote {path.relative_to(ROOT)}")


def menus(shots: Shots) -> None:
    with shots.window() as app:  # no frames given: the title screen
        frames(app, 40)
        save(app.surface, "title")
        for key in (pygame.K_DOWN, pygame.K_DOWN, pygame.K_RETURN):  # Settings
            press(key)
        for _ in range(4):
            press(pygame.K_DOWN)
        frames(app, 3)
        save(app.surface, "settings")


def pause(shots: Shots) -> None:
    with shots.window(seed=1, frames=10**9) as app:
        frames(app, 300)
        press(pygame.K_ESCAPE)
        frames(app, 3)
        save(app.surface, "pause")


def chase(shots: Shots) -> None:
    for name, overlays in (("chase_chopper", ()),
                           ("overlay_vision_fields", ("vision", "fields", "labels"))):
        with shots.game_at(3, "calm", 1900, overlays=overlays, chopper=True) as app:
            save(app.surface, name)


def scent(shots: Shots) -> None:
    with shots.game_at(1, "calm", 2400, overlays=("scent",)) as app:
        save(app.surface, "overlay_scent")


def dusk(shots: Shots) -> None:
    # The clock thirty times faster and nobody about, so the light of 17:45 comes early.
    with shots.game_at(3, "idle", 4400, tuning=DEFAULT.replace(clock_scale=30.0),
                       police=False) as app:
        save(app.surface, "dusk")


@contextmanager
def ending(shots: Shots, seed: int, policy: str
           ) -> Iterator[tuple[App, EndingScreen, pygame.Surface, pygame.Surface]]:
    """The game of ``seed`` played to its end in the window: the ending screen, a frame a
    little before the end, and one of the last moment, held before the ending screens."""
    ticks = Runner(shots.level).play(seed, policy)["ticks"]
    with shots.game_at(seed, policy, ticks - 2 * CALMING_FRAMES) as app:
        recent: collections.deque = collections.deque(maxlen=CALMING_FRAMES)
        held = None
        while not isinstance(app.screen, EndingScreen):
            app.frame(FRAME)
            session = app.game.session if app.game is not None else None
            if session is not None and session.ended_at is None:
                recent.append(app.surface.copy())
            elif session is not None and held is None and \
                    session.time - session.ended_at >= HELD_SECONDS:
                held = app.surface.copy()
        assert held is not None
        yield app, app.screen, recent[0], held


def until(app: App, screen: EndingScreen, stage: str, seconds: float) -> None:
    while screen.stage != stage:
        app.frame(FRAME)
    while screen.time < seconds:
        app.frame(FRAME)


def home(shots: Shots) -> None:
    with ending(shots, 1, "calm") as (app, screen, before, held):
        save(held, "recognition")
        save(before, "calming")
        for stage, seconds, name in (("scene", 7.5, "ending_scene"),
                                     ("viral", 6.0, "ending_viral"),
                                     ("epilogue", 6.5, "ending_epilogue"),
                                     ("result", 0.5, "ending_result")):
            until(app, screen, stage, seconds)
            save(app.surface, name)


def tranquilized(shots: Shots) -> None:
    with ending(shots, 3, "wander") as (app, screen, _, _):
        until(app, screen, "scene", 7.5)
        save(app.surface, "ending_tranquilized")


def reload(shots: Shots) -> None:
    """A map author's save that the checker refuses, while the game runs on: a second Mila
    and the maple tree dropped in the lake."""
    with tempfile.TemporaryDirectory() as folder:
        work = Path(folder)
        (work / "maps").mkdir()
        (work / "assets").mkdir()
        for source in (MAP, MAP.with_name("city.tsx"), ROOT / "assets" / "tiles.png"):
            shutil.copy(source, work / source.parent.name / source.name)
        saved = Path("maps") / MAP.name  # the panel names the map as the author typed it
        with chdir(work), shots.window(level=load_checked(saved), seed=3, frames=10**9,
                                       autoplay="calm", watch=saved) as app:
            frames(app, 60)
            text = saved.read_text()
            for old, new in (('type="maple_tree" x="2360" y="1768"',
                              'type="maple_tree" x="1500" y="1100"'),
                             ('<object id="62"', '<object id="70" name="Mila again" '
                              'type="mila_spawn" x="1200" y="1672"><point /></object>\n'
                              '   <object id="62"')):
                if old not in text:
                    raise SystemExit(f"make_screenshots: {MAP.name} has changed; update the "
                                     f"broken save for reload_problems ({old!r} is gone)")
                text = text.replace(old, new)
            saved.with_suffix(".tmp").write_text(text)
            os.replace(saved.with_suffix(".tmp"), saved)  # as Tiled saves
            # The watcher keeps real time; the game's frames do not. One frame sees the save,
            # one after the quiet time starts the check, one after the check takes its result,
            # so the picture is the same however long the waits take.
            for wait in (0.3, 0.5, 3.0):
                pygame.time.wait(round(wait * 1000))
                app.frame(FRAME)
            if not app.reload_problems:
                raise SystemExit("make_screenshots: the refused save was not reported in time")
            frames(app, 1)
            save(app.surface, "reload_problems")


HANDLER_SEED = 0
HANDLER_TICKS = 3900  # the chase is on: units out, reports in, Dylan on his way


def handler(shots: Shots) -> None:
    """The command center (the Handler role): the built-in gentle policy gives the orders up
    to the picture (so it shows hold fire, Dylan on the move and what the center knows), then
    the player's selection of a unit shows its bodycam; and its pause screen."""
    from game.handler_policies import HandlerPlayer

    with shots.window(seed=HANDLER_SEED, frames=10**9, role="handler") as app:
        game = app.game
        assert game is not None
        world = game.session.world
        desk = HandlerPlayer("gentle")
        game.session.orders = desk.commands
        while world.tick < HANDLER_TICKS - DRAWN_TICKS and world.ending is None:
            happened = game.session.advance(MAX_FRAME_SECONDS)
            desk.heard(happened)
            game.log.add_events(happened, game.session.time)
        game.session.orders = game.take_orders
        near = world.police.dispatcher.last_known or (world.rex.x, world.rex.y)
        walkers = sorted(world.police.on_foot(),
                         key=lambda o: (o.x - near[0]) ** 2 + (o.y - near[1]) ** 2)
        game.selected = [walkers[0].id] if walkers else [-1]
        game.zoom = 9.0
        game.centre = near
        game._clamp()
        frames(app, DRAWN_TICKS)
        save(app.surface, "handler_command_center")
        press(pygame.K_p)
        frames(app, 3)
        save(app.surface, "handler_pause")


SHOTS: dict[str, Callable[[Shots], None]] = {
    "menus": menus, "pause": pause, "chase": chase, "scent": scent, "dusk": dusk, "home": home,
    "tranquilized": tranquilized, "reload": reload, "handler": handler}


def main(argv: list[str] | None = None) -> int:
    names = sys.argv[1:] if argv is None else argv
    unknown = [name for name in names if name not in SHOTS]
    if unknown:
        print(f"make_screenshots: unknown name {unknown[0]!r}; choose from "
              + ", ".join(SHOTS), file=sys.stderr)
        return 2
    OUT.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as home:
        # A home of its own: the player's settings are never read or written, and the
        # settings screen names the usual place, ~/.config/rex/settings.json.
        os.environ["HOME"] = home
        os.environ["XDG_CONFIG_HOME"] = str(Path(home) / ".config")
        shots = Shots(load_checked(MAP))
        for name in names or SHOTS:
            SHOTS[name](shots)
    return 0


if __name__ == "__main__":
    sys.exit(main())
