"""The command center in the window (the Handler role) under SDL's dummy drivers: clicks and
keys become orders, a game recorded in the window replays headless to the same state, the
title offers it, the pause screen lists its controls and the ending shows its score line."""

from __future__ import annotations

import pygame
import pytest

from game.headless import Runner
from game.replay import load
from game.sim.orders import HOLD_FIRE
from game.tiled import read_level
from game.view.app import App, PlayOptions
from game.view.command import CommandScreen, handler_score_line
from game.view.menus import PauseScreen, TitleScreen
from tests import mapkit
from tests.test_police import TOWN


@pytest.fixture(autouse=True)
def dummy_drivers(monkeypatch):
    monkeypatch.setenv("SDL_VIDEODRIVER", "dummy")
    monkeypatch.setenv("SDL_AUDIODRIVER", "dummy")


@pytest.fixture(scope="module")
def level(tmp_path_factory):
    return read_level(mapkit.write(mapkit.MapSpec(picture=TOWN), tmp_path_factory.mktemp("m")))


def make_app(level, tmp_path, **options) -> App:
    options.setdefault("frames", 10**6)
    app = App(level, PlayOptions(audio=False, settings_path=tmp_path / "settings.json",
                                 role="handler", **options))
    app.start()
    return app


def key(code: int) -> None:
    for kind in (pygame.KEYDOWN, pygame.KEYUP):
        pygame.event.post(pygame.event.Event(kind, key=code, mod=0, unicode="", scancode=0))


def click(pos: tuple[float, float], button: int = 1, to: tuple[float, float] | None = None
          ) -> None:
    start = (round(pos[0]), round(pos[1]))
    end = start if to is None else (round(to[0]), round(to[1]))
    pygame.event.post(pygame.event.Event(pygame.MOUSEMOTION, pos=start, rel=(0, 0), buttons=()))
    pygame.event.post(pygame.event.Event(pygame.MOUSEBUTTONDOWN, pos=start, button=button))
    pygame.event.post(pygame.event.Event(pygame.MOUSEMOTION, pos=end, rel=(0, 0), buttons=()))
    pygame.event.post(pygame.event.Event(pygame.MOUSEBUTTONUP, pos=end, button=button))


def test_orders_given_in_the_window_replay_headless_to_the_same_state(level, tmp_path):
    app = make_app(level, tmp_path, seed=3, record=tmp_path / "dylan.replay")
    try:
        game = app.game
        assert isinstance(game, CommandScreen)
        for _ in range(3):
            app.frame(1 / 30)
        world = game.session.world
        officer = world.police.on_foot()[0]
        click(game.to_screen(officer.x, officer.y))  # select him
        app.frame(1 / 30)
        assert game.selected == [officer.id]
        click(game.to_screen(30.5, 8.5), button=3)  # send him there
        key(pygame.K_h)  # hold fire
        for _ in range(90):
            app.frame(1 / 30)
        assert world.handler.unit_orders[officer.id] == (30, 8)
        assert world.handler.postures[officer.id] == HOLD_FIRE
        w, h = app.surface.get_size()
        click((2, 2), to=(w - 2, h - 2))  # box: everyone on the map
        key(pygame.K_y)  # and then Dylan alone
        app.frame(1 / 30)
        assert game.selected == [-1]
        click(game.to_screen(20.5, 8.5), button=3)
        game.mouse = tuple(round(v) for v in game.to_screen(20.5, 4.5))
        key(pygame.K_r)  # a roadblock at the cursor
        key(pygame.K_l)  # the calm message
        for _ in range(240):
            app.frame(1 / 30)
        counts = world.handler.counts
        assert counts["dylan"] == 1 and counts["roadblock"] == 1 and counts["loudspeaker"] == 1
        window_hash, window_tick = world.state_hash(), world.tick
    finally:
        app.close()
    replay = load(tmp_path / "dylan.replay")
    assert replay.role == "handler" and replay.ticks == window_tick
    assert replay.final_state_hash == window_hash
    again = Runner(level).replay(replay)
    assert again["state_hash"] == window_hash


def test_the_title_offers_play_as_dylan_and_the_pause_lists_his_controls(level, tmp_path):
    app = make_app(level, tmp_path, seed=1, frames=None)
    try:
        app.show_title()
        assert isinstance(app.screen, TitleScreen)
        labels = [item.label for item in app.screen.menu.items]
        assert "Play as Dylan" in labels
        app.screen.menu.items[labels.index("Play as Dylan")].choose()
        app._stage.result()
        app.frame(1 / 30)
        if not isinstance(app.screen, CommandScreen):  # the loading screen, for a frame
            app.frame(1 / 30)
        assert isinstance(app.screen, CommandScreen)
        key(pygame.K_p)
        app.frame(1 / 30)
        assert isinstance(app.screen, PauseScreen)
        rows = dict(app.screen.control_rows())
        assert rows["Send the selection (or Dylan) there"] == "right click"
        assert rows["Hold fire / cleared (selected)"] == "H"
        assert "Whisper (hold)" not in rows
        app.rebind("hold_fire", pygame.K_j)
        assert dict(app.screen.control_rows())["Hold fire / cleared (selected)"] == "J"
    finally:
        app.close()


def test_the_command_center_draws_units_and_the_inset(level, tmp_path):
    app = make_app(level, tmp_path, seed=2)
    try:
        for _ in range(400):
            app.frame(1 / 30)
        frame = app.surface.copy()
        game = app.game
        officer = game.session.world.police.on_foot()[0]
        x, y = (round(v) for v in game.to_screen(officer.x, officer.y))
        near = [frame.get_at((x + dx, y + dy))[:3] for dx in range(-3, 4) for dy in range(-3, 4)]
        assert any(c[1] > 200 and c[2] > 200 for c in near)  # a cyan unit icon
        assert handler_score_line(game.session.world).startswith(("no shot", "a shot"))
    finally:
        app.close()


def test_the_handler_game_ends_with_the_ending_screens_his_line_and_plays_again(level,
                                                                                 tmp_path):
    from game.view.endings import EndingScreen

    app = make_app(level, tmp_path, seed=4)
    try:
        app.frame(1 / 30)
        world = app.game.session.world
        world.end("home", "test", [])
        while not isinstance(app.screen, EndingScreen):
            app.frame(0.25)
        screen = app.screen
        assert isinstance(screen.game, CommandScreen) and screen.game.final_frame is not None
        while screen.stage != "result":
            app.frame(1 / 30)
            key(pygame.K_RETURN)
            app.frame(1 / 30)
        assert app.screen is screen
        drawn: list[str] = []
        real = app.fonts.draw

        def spy(target, text, *args, **kwargs):
            drawn.append(text)
            return real(target, text, *args, **kwargs)

        app.fonts.draw = spy
        app.frame(1 / 30)
        app.fonts.draw = real
        assert "Handler" in drawn and any(t.startswith("no shot fired") for t in drawn)
        key(pygame.K_RETURN)  # "Play again": Dylan again, the next seed
        app.frame(1 / 30)
        assert isinstance(app.screen, CommandScreen) and app.game.session.world.seed == 5
    finally:
        app.close()
