"""The game window under SDL's dummy drivers: the fixed-step loop, determinism against a
headless replay, the screens, and drawing the whole cast at once (police, crowd and Dylan put
next to Mila as small fake objects with the attributes the view reads)."""

from __future__ import annotations

import itertools
import math
from types import SimpleNamespace

import numpy as np
import pygame
import pytest

from game.headless import Runner
from game.replay import Replay
from game.sim import events as ev
from game.sim.chase import step
from game.sim.commands import Commands
from game.sim.stage import Stage
from game.sim.world import World
from game.sound import catalogue
from game.tiled import read_level
from game.tuning import DEFAULT
from game.view import mixer as mixer_mod
from game.view import play as play_mod
from game.view.app import App, PlayOptions
from game.view.cast import Snapshot
from game.view.endings import ENDINGS, EndingScreen, views_at
from game.view.hud import hint_parts
from game.view.menus import KeyBindingsScreen, PauseScreen, SettingsScreen, TitleScreen
from game.view.play import GameScreen
from game.view.scene import PRESS_SPOT
from game.view.session import Session
from tests import mapkit


@pytest.fixture(autouse=True)
def dummy_drivers(monkeypatch):
    monkeypatch.setenv("SDL_VIDEODRIVER", "dummy")
    monkeypatch.setenv("SDL_AUDIODRIVER", "dummy")


@pytest.fixture(scope="module")
def level(tmp_path_factory):
    return read_level(mapkit.write(mapkit.MapSpec(), tmp_path_factory.mktemp("map")))


def make_app(level, tmp_path, **options) -> App:
    options.setdefault("frames", 10**6)  # a headless check: straight into the game
    app = App(level, PlayOptions(audio=False, settings_path=tmp_path / "settings.json",
                                 **options))
    app.start()
    return app


def press(key: int, down: bool = True) -> None:
    kind = pygame.KEYDOWN if down else pygame.KEYUP
    pygame.event.post(pygame.event.Event(kind, key=key, mod=0, unicode="", scancode=0))


# -- the loop -------------------------------------------------------------------------------


def test_the_accumulator_spends_real_time_in_whole_ticks(level):
    world = World(level, 1)
    session = Session(world, lambda w: Commands())
    for _ in range(4):
        session.advance(0.25)
    assert world.tick == 30  # a second of real time is thirty ticks
    session.advance(0.5 / 30)
    assert world.tick == 30 and session.alpha == pytest.approx(0.5)
    session.advance(10.0)  # a long stall is not caught up all at once
    assert world.tick == 30 + 8
    session.paused = True
    session.advance(1.0)
    assert world.tick == 38


def test_the_window_and_the_headless_replay_reach_the_same_state(level, tmp_path):
    """Keys through the real input layer and the real loop, at irregular frame times; the
    recorded Commands replayed by ``step`` alone give the same world."""
    app = make_app(level, tmp_path, seed=11, record=tmp_path / "game.replay")
    script = {3: [(pygame.K_d, True)], 20: [(pygame.K_w, True)], 45: [(pygame.K_LSHIFT, True)],
              70: [(pygame.K_d, False), (pygame.K_SPACE, True)], 95: [(pygame.K_w, False)],
              110: [(pygame.K_LSHIFT, False), (pygame.K_c, True)], 130: [(pygame.K_a, True)],
              150: [(pygame.K_a, False), (pygame.K_c, False), (pygame.K_SPACE, False)]}
    rng = np.random.default_rng(4)
    try:
        for frame in range(170):
            for key, down in script.get(frame, ()):
                press(key, down)
            app.frame(float(rng.uniform(0.004, 0.05)))  # drawing speed varies; the game not
        session = app.game.session
        recorded = list(session.record.commands())
        window_hash = session.world.state_hash()
        window_tick = session.world.tick
    finally:
        app.close()
    assert len(recorded) == window_tick > 100
    assert any(c.moving for c in recorded) and any(c.whisper for c in recorded)
    assert any(c.run and c.moving for c in recorded) and any(c.kneel for c in recorded)
    headless = World(level, 11, DEFAULT, stage=Stage(level, DEFAULT))
    for commands in recorded:
        step(headless, commands)
    assert headless.state_hash() == window_hash


def test_pause_stops_the_simulation_clock(level, tmp_path):
    app = make_app(level, tmp_path, seed=2)
    try:
        for _ in range(10):
            app.frame(1 / 30)
        game = app.game
        tick = game.session.world.tick
        press(pygame.K_p)
        for _ in range(30):
            app.frame(1 / 30)
        assert isinstance(app.screen, PauseScreen) and game.session.world.tick == tick
        listed = [what for what, _ in app.screen.control_rows()]
        assert {"Move up", "Whisper (hold)", "Show the collar (hold)", "Pause"} <= set(listed)
        press(pygame.K_ESCAPE)  # Esc backs out of the pause menu: resume
        for _ in range(3):
            app.frame(1 / 30)
        assert app.screen is game and game.session.world.tick > tick
    finally:
        app.close()


def test_while_a_policy_plays_mila_her_keys_are_not_offered(level, tmp_path):
    app = make_app(level, tmp_path, seed=2, autoplay="calm")
    try:
        app.frame(1 / 30)
        game = app.game
        assert not game.player_is_mila
        words = [word for _, word in hint_parts(app.bindings, False, mila_played=True)]
        assert words == ["chopper", "overlays", "pause"]
        played = [word for _, word in hint_parts(app.bindings, False, mila_played=False)]
        assert "whisper" in played and "move" in played
        app.pause(game)
        rows = dict(app.screen.control_rows())
        assert rows["Mila's moves and calm actions"] == "played by the AI"
        assert "Kneel (hold)" not in rows and "News chopper camera" in rows
    finally:
        app.close()


def test_title_settings_and_rebinding_through_the_menus(level, tmp_path):
    app = make_app(level, tmp_path, frames=None)
    try:
        assert isinstance(app.screen, TitleScreen)
        app.frame(1 / 30)
        app.open_settings(back=app.show_title)
        assert isinstance(app.screen, SettingsScreen)
        for _ in range(7):
            press(pygame.K_DOWN)
        press(pygame.K_RETURN)  # "Key bindings..."
        app.frame(1 / 30)
        assert isinstance(app.screen, KeyBindingsScreen)
        for _ in range(5):
            press(pygame.K_DOWN)  # down to "Whisper (hold)"
        press(pygame.K_RETURN)
        press(pygame.K_v)
        app.frame(1 / 30)
        assert app.bindings.label("whisper") == "V"
        saved = (tmp_path / "settings.json").read_text()
        assert '"v"' in saved
        press(pygame.K_ESCAPE)
        press(pygame.K_ESCAPE)
        app.frame(1 / 30)
        assert isinstance(app.screen, TitleScreen)
    finally:
        app.close()


def test_a_corrupt_settings_file_shows_a_notice_and_the_game_runs(level, tmp_path):
    (tmp_path / "settings.json").write_text("{ this is not json")
    app = make_app(level, tmp_path, frames=None)
    try:
        assert app.notice is not None and "settings.json.bad" in app.notice
        app.open_settings(back=app.show_title)
        app.frame(1 / 30)
        assert (tmp_path / "settings.json.bad").exists()
    finally:
        app.close()


def test_a_sound_that_cannot_be_made_is_said_on_screen_and_in_the_log(level, tmp_path,
                                                                      monkeypatch, capsys):
    def broken(sample_rate, rng):
        raise ValueError("the whine's envelope is empty")

    monkeypatch.setitem(catalogue.SPECS, "whine", catalogue.Spec(broken, 0.5))
    monkeypatch.setattr(mixer_mod, "SOUND_NAMES", ("whine", "footstep_0"))  # quick to make
    shown: list[str] = []
    real_notice = play_mod.draw_notice

    def spy(fonts, target, notice):
        shown.append(notice)
        real_notice(fonts, target, notice)

    monkeypatch.setattr(play_mod, "draw_notice", spy)
    app = App(level, PlayOptions(audio=True, frames=10**6,
                                 settings_path=tmp_path / "settings.json"))
    try:
        app.start()
        app.frame(1 / 30)
        logged = [line for line in capsys.readouterr().err.splitlines() if "whine" in line]
        assert logged == ["rex play: 1 sound could not be made and will not be heard (whine: "
                          "ValueError: the whine's envelope is empty); everything else plays"]
        assert shown and shown[-1] == logged[0].removeprefix("rex play: ")
    finally:
        app.close()


def test_spectator_mode_plays_mila_with_a_policy(level, tmp_path):
    app = make_app(level, tmp_path, seed=1, spectator=True, policy="wander")
    try:
        start = (app.game.session.world.mila.x, app.game.session.world.mila.y)
        for _ in range(90):
            app.frame(1 / 30)
        mila = app.game.session.world.mila
        assert (mila.x, mila.y) != start and app.game.chopper  # the camera rides with Rex
    finally:
        app.close()


# -- drawing the whole cast, with fake objects ------------------------------------------------


def fake_cast(world: World) -> None:
    """Police, a crowd and Dylan next to Mila, with the attributes the view reads."""
    mx, my = world.mila.x, world.mila.y
    field = np.full((world.level.height, world.level.width), np.inf, np.float32)
    field[world.stage.walkable] = 3.0
    aim = SimpleNamespace(target_x=world.rex.x, target_y=world.rex.y, progress=0.6)
    officer = SimpleNamespace(id=0, x=mx + 3.5, y=my - 1.0, heading=(-1.0, 0.0),
                              state="perimeter", gun_raised=True, aim=aim, vision_range=8.0,
                              vision_half_angle=0.7, path=[(int(mx) + 2, int(my) - 1)])
    car = SimpleNamespace(id=0, x=mx - 4.0, y=my - 2.0, heading=(1.0, 0.0), siren_on=True,
                          parked=False)
    belief = np.zeros((world.level.height, world.level.width), np.float32)
    belief[2:6, 10:20] = 1.0
    world.police = SimpleNamespace(
        on=True, officers=[officer], cars=[car], fields={"pursuit": field},
        dispatcher=SimpleNamespace(phase="containment", last_known=(mx + 1, my), belief=belief))
    world.crowd = SimpleNamespace(civilians=[
        SimpleNamespace(id=0, x=mx - 2.0, y=my + 0.5, heading=(0.0, 1.0), state="film",
                        fear=0.4, variant=2, phone_up=True),
        SimpleNamespace(id=1, x=mx + 1.0, y=my + 1.5, heading=(1.0, 0.0), state="flee",
                        fear=0.9, variant=1, phone_up=False)])
    world.dylan = SimpleNamespace(x=mx - 1.0, y=my - 1.5, heading=(0.0, 1.0), state="running")
    world.rex.stress, world.rex.trust = 0.4, 0.3


def test_the_whole_cast_is_drawn_from_its_attributes(level, tmp_path):
    app = make_app(level, tmp_path, seed=3)
    try:
        app.frame(1 / 30)
        game = app.game
        before = app.surface.copy()
        world = game.session.world
        game.session.paused = True  # draw the fakes; the real simulation must not step them
        fake_cast(world)
        world.mila.whispering, world.mila.breath = True, 0.5
        app.frame(1 / 30)
        assert {("officer", 0), ("car", 0), ("civilian", 0), ("civilian", 1),
                ("dylan", 0)} <= set(game.placed)
        changed = pygame.surfarray.array3d(app.surface) != pygame.surfarray.array3d(before)
        assert changed.any()
        pixels = pygame.surfarray.array3d(app.surface).reshape(-1, 3).astype(int)
        assert ((pixels[:, 0] > 200) & (pixels[:, 1] < 90) & (pixels[:, 2] < 90)).any()  # aim
        for name in ("scent", "fields", "vision", "walkable", "labels"):
            game.overlays.toggle(name, list(game.overlays.field_choices(world)))
        app.frame(1 / 30)  # every overlay at once, over the fake police's fields and cones
    finally:
        app.close()


def draw_still(app: App, seconds: float) -> tuple[dict, list[str]]:
    """Draw the scene over ``seconds`` with the world standing still: where each actor was
    drawn, and the sprite names used on the last frame."""
    game = app.game
    world = game.session.world
    still = Snapshot.take(world)
    names: list[str] = []
    real = app.scene.sprites.draw

    def record(target, name, x, y):
        names.append(name)
        return real(target, name, x, y)

    app.scene.sprites.draw = record
    for i in range(round(seconds * 30)):
        names.clear()
        placed = app.scene.draw(app.surface, game.camera, world, still, 1.0, 50 + i / 30, False)
    return placed, list(names)


def test_a_bonded_rex_beside_a_still_mila_presses_his_head_to_hers(level, tmp_path):
    app = make_app(level, tmp_path, seed=3)
    try:
        app.frame(1 / 30)
        world = app.game.session.world
        mila, rex = world.mila, world.rex
        rex.x, rex.y, rex.state = mila.x + 0.3, mila.y + 1.0, "bonded"  # a tile below her
        placed, names = draw_still(app, 1.0)
        px = app.game.camera.tile_px
        (rx, ry), (mx, my) = placed[("rex", 0)], placed[("mila", 0)]
        assert rx - mx == pytest.approx(PRESS_SPOT[0] * px, abs=1.0)  # beside her, on her right
        assert ry - my == pytest.approx(PRESS_SPOT[1] * px, abs=1.0)
        assert "rex_headpress_left" in names  # his head to hers
        assert any(name.startswith("mila_") and "_right" in name for name in names)  # she turns
    finally:
        app.close()


def test_a_darted_rex_lies_down(level, tmp_path):
    app = make_app(level, tmp_path, seed=3)
    try:
        app.frame(1 / 30)
        world = app.game.session.world
        world.ending = ev.Ending(world.tick, "tranquilized", "test")
        _, names = draw_still(app, 0.1)
        assert any(name.startswith("rex_lie_") for name in names)
    finally:
        app.close()


def test_reduced_flashing_keeps_the_siren_glow_steady(level, tmp_path):
    from game.view.lighting import siren_colours

    flashing = {tuple(siren_colours(t / 10, 0, False)) for t in range(20)}
    steady = {tuple(siren_colours(t / 10, 0, True)) for t in range(20)}
    assert len(flashing) == 2 and len(steady) == 1


def test_the_light_dims_toward_dusk(level):
    from game.view.lighting import ambient

    noon, dusk = ambient(0.0), ambient(1.0)
    assert sum(dusk) < 0.6 * sum(noon) and dusk[2] > dusk[0]  # darker, and blue


# -- endings ----------------------------------------------------------------------------------


@pytest.mark.parametrize("ending", list(ENDINGS))
def test_every_ending_has_its_screens_and_a_way_to_play_again(level, tmp_path, ending):
    app = make_app(level, tmp_path, seed=4)
    try:
        app.frame(1 / 30)
        world = app.game.session.world
        world.ending = ev.Ending(world.tick, ending, "test")
        world.score = {"views": 2_500_000, "phones": 9}
        app.frame(1 / 30)
        screen = EndingScreen(app, app.game)
        app.switch(screen)
        beats = []
        for _ in range(len(screen.beats)):
            app.frame(1 / 30)
            beats.append(screen.stage)
            press(pygame.K_RETURN)
            app.frame(1 / 30)
        assert beats[0] == "scene" and screen.stage == "result"
        if ending == "home":
            assert beats[:3] == ["scene", "viral", "epilogue"]
        press(pygame.K_RETURN)  # "Play again"
        app.frame(1 / 30)
        assert isinstance(app.screen, GameScreen) and app.game.session.world.seed == 5
    finally:
        app.close()


def test_a_replay_drives_mila_to_the_recorded_ending_and_offers_to_watch_again(level,
                                                                              tmp_path):
    replay = Replay(level.name, level.path, level.content_hash, 3)
    result = Runner(level).play(3, "calm", record=replay)
    app = make_app(level, tmp_path, seed=3, replay=replay)
    try:
        while not isinstance(app.screen, EndingScreen):
            app.frame(0.25)
        world = app.game.session.world
        assert world.ending.ending == result["ending"]
        assert world.state_hash() == replay.final_state_hash
        assert [item.label for item in app.screen.menu.items] == ["Watch again", "Quit"]
        app.pause(app.game)  # in a replay the keys do not move Mila: the list says so
        rows = dict(app.screen.control_rows())
        assert rows["Mila's moves and calm actions"] == "played by the recording"
        assert "Move up" not in rows and "Whisper (hold)" not in rows and "Pause" in rows
        app.restart()
        assert app.game.session.world.seed == 3 and app.game.session.world.tick == 0
    finally:
        app.close()


def test_the_view_counter_climbs_from_thousands_to_the_score():
    counts = [views_at(t / 10, 3_000_000) for t in range(100)]
    assert counts[0] == 1000 and counts[-1] == 3_000_000
    assert all(a <= b for a, b in itertools.pairwise(counts))
    assert math.isclose(views_at(100, 5), 5)


def test_fullscreen_toggles_and_is_remembered(level, tmp_path):
    app = make_app(level, tmp_path, seed=1)
    try:
        app.frame(1 / 30)
        press(pygame.K_F11)
        app.frame(1 / 30)
        assert app.store.settings.fullscreen
        assert app.surface.get_flags() & pygame.FULLSCREEN
        app.frame(1 / 30)  # the camera follows the new size
        assert (app.game.camera.view_w, app.game.camera.view_h) == app.surface.get_size()
        press(pygame.K_f)
        app.frame(1 / 30)
        assert not app.store.settings.fullscreen and app.surface.get_size() == (1280, 720)
        assert '"fullscreen": false' in (tmp_path / "settings.json").read_text()
    finally:
        app.close()
