"""Settings and key bindings: the round trip, a corrupt file, atomic saves, rebinding a key."""

from __future__ import annotations

import json
import os

import pygame
import pytest

from game.sim.commands import Commands
from game.view import settings as settings_mod
from game.view.input import Bindings, Controls
from game.view.settings import Settings, SettingsStore


@pytest.fixture(autouse=True)
def display(monkeypatch):
    monkeypatch.setenv("SDL_VIDEODRIVER", "dummy")
    monkeypatch.setenv("SDL_AUDIODRIVER", "dummy")
    pygame.display.init()  # key names need SDL's keyboard tables
    yield
    pygame.display.quit()


def key_event(kind: int, key: int) -> pygame.event.Event:
    return pygame.event.Event(kind, key=key, mod=0, unicode="", scancode=0)


def test_settings_round_trip(tmp_path):
    path = tmp_path / "rex" / "settings.json"
    changed = Settings(master_volume=0.3, effects_volume=0.5, music_volume=0.0, fullscreen=True,
                       colourblind=True, reduced_flashing=True, captions=False)
    changed.bindings["whisper"] = ["v"]
    settings_mod.save(changed, path)
    loaded, notice = settings_mod.load(path)
    assert notice is None
    assert loaded == changed
    assert [p.name for p in path.parent.iterdir()] == ["settings.json"]  # no temp files left


def test_a_missing_file_is_a_quiet_first_run(tmp_path):
    loaded, notice = settings_mod.load(tmp_path / "settings.json")
    assert loaded == Settings() and notice is None


@pytest.mark.parametrize("content, words", [
    ("{not json", "not valid JSON"),
    ('["a list"]', "JSON object"),
    ('{"music_volume": 7}', "music_volume"),
    ('{"fullscreen": "yes"}', "fullscreen"),
    ('{"bindings": {"whisper": "space"}}', "bindings.whisper"),
])
def test_a_corrupt_file_gives_defaults_a_notice_and_is_kept_aside(tmp_path, content, words):
    path = tmp_path / "settings.json"
    path.write_text(content)
    store = SettingsStore.open(path)
    assert store.settings == Settings()
    assert store.notice is not None and words in store.notice
    assert "settings.json.bad" in store.notice
    assert (tmp_path / "settings.json.bad").read_text() == content  # kept, byte for byte
    assert not path.exists()
    # Saving now writes a fresh file; the bad one stays where it was put.
    assert store.save() is None
    assert json.loads(path.read_text())["music_volume"] == Settings().music_volume
    assert (tmp_path / "settings.json.bad").read_text() == content


def test_a_second_bad_file_does_not_overwrite_the_first(tmp_path):
    path = tmp_path / "settings.json"
    (tmp_path / "settings.json.bad").write_text("older")
    path.write_text("{broken")
    SettingsStore.open(path)
    assert (tmp_path / "settings.json.bad").read_text() == "older"
    assert (tmp_path / "settings.json.bad1").read_text() == "{broken"


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0,
                    reason="needs file permissions that root ignores")
def test_an_unreadable_file_gives_defaults_and_a_notice(tmp_path):
    path = tmp_path / "settings.json"
    path.write_text("{}")
    path.chmod(0)
    loaded, notice = settings_mod.load(path)
    assert loaded == Settings() and "could not be read" in notice


def test_unknown_fields_are_ignored_and_missing_ones_default(tmp_path):
    path = tmp_path / "settings.json"
    path.write_text('{"music_volume": 0.25, "from_the_future": 1, "bindings": {"jump": ["j"]}}')
    loaded, notice = settings_mod.load(path)
    assert notice is None
    assert loaded.music_volume == 0.25 and loaded.master_volume == Settings().master_volume
    assert "jump" not in loaded.bindings


def test_held_keys_become_one_commands_value():
    controls = Controls(Bindings(Settings().bindings))
    for key in (pygame.K_d, pygame.K_s, pygame.K_LSHIFT, pygame.K_SPACE):
        controls.handle(key_event(pygame.KEYDOWN, key))
    commands = controls.commands()
    assert commands.move_x == pytest.approx(2 ** -0.5) and commands.move_y == pytest.approx(
        2 ** -0.5)
    assert commands.run and commands.whisper and not commands.kneel
    controls.handle(pygame.event.Event(pygame.WINDOWFOCUSLOST))
    assert controls.commands() == Commands()  # nothing sticks when the window loses focus


def test_rebinding_a_key(tmp_path):
    bindings = Bindings(Settings().bindings)
    bindings.rebind("whisper", pygame.K_v)
    controls = Controls(bindings)
    controls.handle(key_event(pygame.KEYDOWN, pygame.K_v))
    assert controls.commands().whisper
    controls.handle(key_event(pygame.KEYUP, pygame.K_v))
    controls.handle(key_event(pygame.KEYDOWN, pygame.K_SPACE))
    assert not controls.commands().whisper  # the old key no longer whispers
    # A key taken from another action leaves it; the action keeps its other keys.
    bindings.rebind("move_up", pygame.K_e)
    assert bindings.keys["lift_hand"] == [] and bindings.keys["move_up"] == [pygame.K_e,
                                                                             pygame.K_UP]
    # Escape always pauses, so it cannot be bound to anything else.
    bindings.rebind("kneel", pygame.K_ESCAPE)
    assert pygame.K_ESCAPE not in bindings.keys["kneel"]
    # The names survive a save and a load.
    settings = Settings(bindings=bindings.names())
    path = tmp_path / "settings.json"
    settings_mod.save(settings, path)
    again = Bindings(settings_mod.load(path)[0].bindings)
    assert again.keys == bindings.keys


def test_press_actions_are_reported_once():
    controls = Controls(Bindings(Settings().bindings))
    controls.handle(key_event(pygame.KEYDOWN, pygame.K_F1))
    controls.handle(key_event(pygame.KEYDOWN, pygame.K_ESCAPE))
    assert controls.presses() == ["overlay_scent", "pause"]
    assert controls.presses() == []
