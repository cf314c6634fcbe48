"""``rex play`` and ``rex replay`` as headless checks: exit codes, screenshots, overlays, bad
flags, recordings that replay to the same state, and a map edited on disk while the game runs
with ``--watch``."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import pygame
import pytest

from game.tiled import read_level
from tests import mapkit

ROOT = Path(__file__).resolve().parent.parent


def rex(*args: str, config: Path, timeout: float = 120) -> subprocess.CompletedProcess:
    env = {**os.environ, "SDL_VIDEODRIVER": "dummy", "SDL_AUDIODRIVER": "dummy",
           "XDG_CONFIG_HOME": str(config)}  # never touch the real settings
    return subprocess.run([sys.executable, "-m", "game", *args], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=timeout)


def pixels(path: Path):
    return pygame.surfarray.array3d(pygame.image.load(str(path)))


@pytest.fixture(scope="module")
def small_map(tmp_path_factory) -> Path:
    return mapkit.write(mapkit.MapSpec(), tmp_path_factory.mktemp("map"))


def test_autoplay_screenshot_and_the_scent_overlay_changes_it(small_map, tmp_path):
    plain, scent = tmp_path / "plain.png", tmp_path / "scent.png"
    for shot, extra in ((plain, ()), (scent, ("--overlay", "scent"))):
        result = rex("play", "--map", str(small_map), "--autoplay", "wait", "--seed", "3",
                     "--frames", "90", "--screenshot", str(shot), *extra, config=tmp_path)
        assert result.returncode == 0, result.stderr
        assert result.stdout == ""
    a, b = pixels(plain), pixels(scent)
    assert a.shape == b.shape == (1280, 720, 3)
    assert (a != b).any(axis=2).mean() > 0.2  # the heat map covers much of the picture


def test_the_default_map_in_progress(tmp_path):
    shot = tmp_path / "shot.png"
    result = rex("play", "--autoplay", "wait", "--seed", "3", "--frames", "150", "--screenshot",
                 str(shot), "--profile", config=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "median" in result.stdout and "p95" in result.stdout
    image = pixels(shot)
    assert len({tuple(p) for p in image.reshape(-1, 3)[::97]}) > 60


@pytest.mark.slow
def test_the_acceptance_run(tmp_path):
    """The issue's own check: 900 frames of the calm policy."""
    runs = {}
    for name, extra in (("plain", ()), ("scent", ("--overlay", "scent"))):
        shot = tmp_path / f"{name}.png"
        result = rex("play", "--autoplay", "calm", "--seed", "3", "--frames", "900",
                     "--screenshot", str(shot), *extra, config=tmp_path, timeout=300)
        assert result.returncode == 0, result.stderr
        runs[name] = pixels(shot)
    assert (runs["plain"] != runs["scent"]).any()


def test_spectator_mode_runs_headless(small_map, tmp_path):
    result = rex("play", "--map", str(small_map), "--spectator", "--policy", "wander",
                 "--frames", "30", config=tmp_path)
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize("args, words", [
    (("--autoplay", "no_such_policy"), "unknown policy 'no_such_policy'"),
    (("--policy", "wait"), "--policy is for --spectator"),
    (("--spectator", "--autoplay", "wait"), "cannot be used together"),
    (("--screenshot", "/no/such/folder/x.png"), "does not exist"),
    (("--record", "/no/such/folder/game.replay"), "does not exist"),
])
def test_bad_usage_is_one_line_and_exit_2(small_map, tmp_path, args, words):
    result = rex("play", "--map", str(small_map), "--frames", "1", *args, config=tmp_path)
    assert result.returncode == 2
    assert words in result.stderr and len(result.stderr.strip().splitlines()) == 1
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize("args", [("--overlay", "bogus"), ("--frames", "0"),
                                  ("--seed", "x"), ("--fullscreen", "--windowed")])
def test_bad_flags_exit_2_with_usage(small_map, tmp_path, args):
    result = rex("play", "--map", str(small_map), *args, config=tmp_path)
    assert result.returncode == 2 and "usage:" in result.stderr


def test_no_window_is_one_line_and_exit_1(small_map, tmp_path):
    env = {**os.environ, "SDL_VIDEODRIVER": "no_such_driver", "XDG_CONFIG_HOME": str(tmp_path)}
    result = subprocess.run([sys.executable, "-m", "game", "play", "--map", str(small_map),
                             "--frames", "1"], cwd=ROOT, env=env, capture_output=True,
                            text=True, timeout=60)
    assert result.returncode == 1
    assert result.stderr.startswith("rex play: error: cannot open a window")
    assert len(result.stderr.strip().splitlines()) == 1


# -- recording and replays ------------------------------------------------------------------


@pytest.fixture(scope="module")
def recorded(small_map, tmp_path_factory) -> Path:
    """A game played in the window by the calm policy, recorded."""
    folder = tmp_path_factory.mktemp("recorded")
    replay = folder / "game.replay"
    result = rex("play", "--map", str(small_map), "--autoplay", "calm", "--seed", "5",
                 "--frames", "240", "--record", str(replay), config=folder)
    assert result.returncode == 0, result.stderr
    assert f"replay saved to {replay}" in result.stderr
    return replay


def test_a_recorded_window_game_replays_headless_to_the_same_state(recorded, tmp_path):
    saved = json.loads(recorded.read_text())
    assert saved["seed"] == 5 and saved["police"] and saved["civilians"]
    assert saved["tuning"] == {} and saved["ticks"] >= 200
    out = rex("sim", "--replay", str(recorded), "--json", config=tmp_path)
    assert out.returncode == 0, out.stderr
    data = json.loads(out.stdout)
    assert data["state_hash"] == saved["final_state_hash"] and data["replay_matches"] is True
    assert data["ticks"] == saved["ticks"]


def test_a_replay_plays_in_the_window_headless(recorded, tmp_path):
    shot = tmp_path / "replay.png"
    result = rex("replay", str(recorded), "--frames", "30", "--screenshot", str(shot),
                 config=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout == "" and pixels(shot).shape == (1280, 720, 3)


def bad_replay(recorded: Path, folder: Path, change) -> Path:
    data = json.loads(recorded.read_text())
    path = folder / "bad.replay"
    path.write_text(change(data, json.dumps(data)))
    return path


@pytest.mark.parametrize("change, words", [
    (lambda data, text: text[: len(text) // 2], "corrupt or truncated replay"),
    (lambda data, text: json.dumps({**data, "format_version": 99}), "newer than this game"),
    (lambda data, text: json.dumps({**data, "map_hash": "0" * 64}),
     "recorded on a different version of map"),
    (lambda data, text: json.dumps({**data, "map_path": "/no/such/map.tmx"}),
     "give the map with --map"),
    (lambda data, text: json.dumps({**data, "tuning": {"no_such_knob": 1}}),
     "tuning does not fit"),
])
def test_a_replay_that_cannot_be_played_is_one_line_and_exit_1(recorded, tmp_path, change,
                                                                words):
    path = bad_replay(recorded, tmp_path, change)
    # No --frames: were the window to open, the test would hang, not pass.
    result = rex("replay", str(path), config=tmp_path, timeout=60)
    assert result.returncode == 1 and result.stdout == ""
    assert result.stderr.startswith("rex replay: ") and words in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_a_replay_on_another_map_is_refused(recorded, tmp_path):
    other = mapkit.write(mapkit.MapSpec(terrain_overrides={(20, 11): "forest"}), tmp_path)
    result = rex("replay", str(recorded), "--map", str(other), config=tmp_path, timeout=60)
    assert result.returncode == 1
    assert "recorded on a different version of map" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


# -- hot reload -----------------------------------------------------------------------------


class Watching:
    """``rex play --watch`` running in the background, its stderr read line by line."""

    def __init__(self, *args: str, config: Path):
        env = {**os.environ, "SDL_VIDEODRIVER": "dummy", "SDL_AUDIODRIVER": "dummy",
               "XDG_CONFIG_HOME": str(config)}
        self.process = subprocess.Popen([sys.executable, "-m", "game", "play", *args],
                                        cwd=ROOT, env=env, stdout=subprocess.PIPE,
                                        stderr=subprocess.PIPE, text=True)
        self.lines: list[str] = []
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        for line in self.process.stderr:
            self.lines.append(line.rstrip("\n"))

    def wait_for(self, words: str, timeout: float = 30.0) -> str:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            found = [line for line in self.lines if words in line]
            if found:
                return found[-1]
            assert self.process.poll() is None, "\n".join(self.lines)
            time.sleep(0.05)
        raise AssertionError(f"no line with {words!r} in:\n" + "\n".join(self.lines))

    def finish(self, timeout: float = 60.0) -> int:
        code = self.process.wait(timeout)
        self._reader.join(5)
        return code


def save_like_tiled(path: Path, text: str) -> None:
    temporary = path.with_name(path.name + ".saving")
    temporary.write_text(text)
    os.replace(temporary, path)


def test_watch_picks_up_a_valid_edit_and_survives_a_broken_one(tmp_path):
    """The game runs in real time (10 s of frames) while the map is saved twice: a terrain
    edit, which restarts the chase on the new map (the recording of the first game is saved
    at that moment), then truncated XML, which leaves it running and lists the problem."""
    map_path = mapkit.write(mapkit.MapSpec(external_tileset=True), tmp_path / "map")
    original = mapkit.write(mapkit.MapSpec(external_tileset=True), tmp_path / "original")
    edited = mapkit.write(mapkit.MapSpec(external_tileset=True,
                                         terrain_overrides={(20, 11): "forest"}),
                          tmp_path / "edited")
    old_hash, new_hash = (read_level(p).content_hash for p in (map_path, edited))
    shot, replay = tmp_path / "shot.png", tmp_path / "game.replay"
    game = Watching("--map", str(map_path), "--watch", "--autoplay", "wait", "--seed", "7",
                    "--frames", "300", "--screenshot", str(shot), "--record", str(replay),
                    config=tmp_path)
    try:
        game.wait_for("watching map.tmx, terrain.tsx, terrain.png")
        time.sleep(1.0)
        save_like_tiled(map_path, edited.read_text())
        reloaded = game.wait_for("reloaded")
        assert f"map hash {new_hash[:12]}" in reloaded
        assert "the chase restarts with seed 7" in reloaded
        # How long from the save to the new map playing (benchmarks/reload.py times it).
        print(game.wait_for("the new map is playing"))
        game.wait_for(f"replay saved to {replay}")
        time.sleep(1.0)
        good = map_path.read_text()
        save_like_tiled(map_path, good[: len(good) // 2])
        game.wait_for("kept the old map")
        game.wait_for("is not well-formed XML")
        assert game.finish() == 0, "\n".join(game.lines)
    finally:
        if game.process.poll() is None:
            game.process.kill()
    assert "Traceback" not in "\n".join(game.lines)
    assert pixels(shot).shape == (1280, 720, 3)
    saved = json.loads(replay.read_text())
    assert saved["map_hash"] == old_hash and saved["seed"] == 7
    out = rex("sim", "--replay", str(replay), "--map", str(original), "--json", config=tmp_path)
    assert json.loads(out.stdout)["state_hash"] == saved["final_state_hash"]
