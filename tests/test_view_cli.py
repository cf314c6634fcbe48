"""``rex play`` as a headless check: exit codes, screenshots, overlays, bad flags."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pygame
import pytest

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
    """The issue's own check: 900 frames of the calm policy (or wait, before calm exists)."""
    from game import policies

    policy = "calm" if "calm" in policies.BUILT_IN else "wait"
    runs = {}
    for name, extra in (("plain", ()), ("scent", ("--overlay", "scent"))):
        shot = tmp_path / f"{name}.png"
        result = rex("play", "--autoplay", policy, "--seed", "3", "--frames", "900",
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
