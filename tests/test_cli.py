"""The rex command as users and other tools see it: exit codes, clean stdout, clear lines."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from game import cli
from tests import hostile, mapkit
from tests.test_mapcheck import HOSTILE

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_MAP = ROOT / "maps" / "lakeside.tmx"
HEADLESS = {**os.environ, "SDL_VIDEODRIVER": "dummy", "SDL_AUDIODRIVER": "dummy"}


def rex(*args: str, timeout: float = 120) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "game", *args], cwd=ROOT, env=HEADLESS,
                          capture_output=True, text=True, timeout=timeout)


# Processor seconds a refusal may take, starting the interpreter included (about one). Counted
# in processor time, not wall time, so a machine busy with other work cannot fail the test,
# while a command that spins fails it; one that blocks is stopped by the wall-clock limit.
QUICK_CPU_SECONDS = 5.0


def rex_quickly(*args: str) -> hostile.Run:
    """``rex args`` in a process of its own, failing the test if it spins or blocks."""
    run = hostile.run_rex(*args, timeout=120, cpu_limit=QUICK_CPU_SECONDS)
    assert not run.killed, f"rex {' '.join(args)} did not end: {run.seconds:.0f} s"
    return run


def test_check_map_ok_lines_and_exit_0(tmp_path, capsys):
    a = mapkit.write(mapkit.MapSpec(), tmp_path / "a")
    b = mapkit.write(mapkit.MapSpec(encoding="gzip"), tmp_path / "b")
    assert cli.main(["check-map", str(a), str(b)]) == 0
    out = capsys.readouterr()
    assert out.out.splitlines() == [f"{a}: ok (42 x 12 tiles, 12 objects)",
                                    f"{b}: ok (42 x 12 tiles, 12 objects)"]
    assert "warning" in out.err  # the fixture's tileset image does not exist


def test_check_map_exit_1_when_any_file_is_bad(tmp_path, capsys):
    good = mapkit.write(mapkit.MapSpec(), tmp_path / "a")
    bad = tmp_path / "bad.tmx"
    bad.write_text("<map")
    assert cli.main(["check-map", str(good), str(bad)]) == 1
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].endswith("ok (42 x 12 tiles, 12 objects)")
    assert lines[1].startswith(f"{bad}: map: is not well-formed XML")


def test_usage_errors_exit_2():
    assert rex("check-map").returncode == 2
    assert rex("sim", "--seed", "seven").returncode == 2
    assert rex("sim", "--max-minutes", "-3").returncode == 2
    assert rex("frobnicate").returncode == 2
    result = rex("sim", "--bogus")
    assert result.returncode == 2 and "usage: rex" in result.stderr


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_hostile_files_are_refused_quickly_and_cleanly(tmp_path, name):
    data, fragment = HOSTILE[name]
    path = tmp_path / name
    path.write_bytes(data)
    result = rex_quickly("check-map", str(path))
    assert result.returncode == 1
    assert "Traceback" not in result.stderr + result.stdout
    lines = result.stdout.splitlines()
    assert len(lines) == 1 and fragment in lines[0]


def test_check_map_on_a_directory_and_a_missing_path(tmp_path):
    for target in (tmp_path, tmp_path / "missing.tmx"):
        result = rex_quickly("check-map", str(target))
        assert result.returncode == 1 and "Traceback" not in result.stderr
        assert len(result.stdout.splitlines()) == 1


def test_shipped_maps_pass_the_checker():
    maps = sorted(str(p) for p in (ROOT / "maps").glob("*.tmx"))
    assert maps, "no shipped maps"
    result = rex("check-map", *maps)
    assert result.returncode == 0, result.stdout
    assert len(result.stdout.splitlines()) == len(maps)
    assert result.stderr == ""  # the shipped maps have their art, so no warnings either


def test_sim_json_is_one_object_and_nothing_else(tmp_path):
    path = mapkit.write(mapkit.MapSpec(), tmp_path)
    result = rex("sim", "--map", str(path), "--seed", "7", "--policy", "wait", "--no-police",
                 "--max-minutes", "2", "--json")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert result.stdout.count("\n") == 1
    for name in ("map", "seed", "policy", "ending", "ticks", "game_seconds",
                 "rex_reached_mila_tick", "rex_escaped_tick", "state_hash", "event_counts",
                 "wall_seconds"):
        assert name in data
    assert data["seed"] == 7 and data["policy"] == "wait" and data["map"] == "map"
    assert isinstance(data["rex_reached_mila_tick"], int)
    assert data["event_counts"]["LatchGave"] == 1


def test_sim_on_the_default_map_reaches_mila():
    result = rex("sim", "--map", str(DEFAULT_MAP), "--seed", "7", "--policy", "wait",
                 "--no-police", "--json", "--max-minutes", "8", timeout=300)
    data = json.loads(result.stdout)
    assert data["rex_reached_mila_tick"] is not None


def test_sim_twice_gives_the_same_hash(tmp_path):
    path = mapkit.write(mapkit.MapSpec(), tmp_path)
    runs = [json.loads(rex("sim", "--map", str(path), "--seed", "3", "--max-minutes", "1",
                           "--json").stdout) for _ in range(2)]
    assert runs[0]["state_hash"] == runs[1]["state_hash"]


def test_sim_refuses_a_bad_map_with_the_checkers_lines(tmp_path):
    spec = mapkit.MapSpec(picture=mapkit.VALID.replace("M", "."))
    path = mapkit.write(spec, tmp_path)
    result = rex("sim", "--map", str(path), "--json")
    assert result.returncode == 1 and result.stdout == ""
    assert result.stderr.strip() == (f"{path}: map: has no mila_spawn object (exactly 1 "
                                     "needed: where Mila starts (her school))")


def test_bad_policies_are_usage_errors(tmp_path):
    path = mapkit.write(mapkit.MapSpec(), tmp_path)
    for policy, message in (("sleepy", "unknown policy 'sleepy'"),
                            ("no_such_module:go", "cannot import 'no_such_module'"),
                            ("json:no_such_function", "'json' has no 'no_such_function'")):
        result = rex("sim", "--map", str(path), "--policy", policy)
        assert result.returncode == 2
        assert message in result.stderr and "Traceback" not in result.stderr
        assert len(result.stderr.strip().splitlines()) == 1


def test_trace_files(tmp_path):
    path = mapkit.write(mapkit.MapSpec(), tmp_path)
    for name in ("trace.jsonl", "trace.npz"):
        out = tmp_path / name
        assert rex("sim", "--map", str(path), "--max-minutes", "0.2", "--trace",
                   str(out)).returncode == 0
        assert out.stat().st_size > 0
    rows = (tmp_path / "trace.jsonl").read_text().splitlines()
    assert len(rows) == 360 and json.loads(rows[0])["tick"] == 1
    import numpy as np
    with np.load(tmp_path / "trace.npz") as data:
        assert len(data["rex_x"]) == 360 and data["rex_state"][0] == "restless"


def test_play_writes_a_screenshot_headless(tmp_path):
    path = mapkit.write(mapkit.MapSpec(), tmp_path)
    shot = tmp_path / "shot.png"
    result = rex("play", "--map", str(path), "--frames", "3", "--screenshot", str(shot))
    assert result.returncode == 0, result.stderr
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert result.stdout == ""


def test_play_refuses_a_bad_map_like_the_checker(tmp_path):
    path = mapkit.write(mapkit.MapSpec(terrain_overrides={(2, 1): "wall"}), tmp_path)
    play = rex("play", "--map", str(path), "--frames", "1")
    check = rex("check-map", str(path))
    assert play.returncode == check.returncode == 1
    assert play.stderr.splitlines() == [line for line in check.stdout.splitlines()]


def test_python_dash_m_game_is_rex():
    result = rex("--version")
    assert result.returncode == 0 and result.stdout.startswith("rex ")


def test_default_map_screenshot_is_drawn_from_the_tileset(tmp_path):
    import pygame

    shot = tmp_path / "out.png"
    result = rex("play", "--frames", "60", "--screenshot", str(shot))
    assert result.returncode == 0, result.stderr
    image = pygame.image.load(str(shot))
    assert image.get_size() == (1280, 720)
    pixels = pygame.surfarray.array3d(image).reshape(-1, 3)
    colours = len({tuple(p) for p in pixels[::97]})
    assert colours > 60  # textured pixel art; the flat fallback has about ten colours


# Runs one rex command in a fresh interpreter, then names every module it loaded.
_MODULES_LOADED = """
import json, sys
from game import cli
status = cli.main(sys.argv[1:])
print(json.dumps({"status": status, "modules": sorted(sys.modules)}))
"""


def modules_loaded_by(*args: str) -> set[str]:
    result = subprocess.run([sys.executable, "-c", _MODULES_LOADED, *args], cwd=ROOT,
                            env=HEADLESS, capture_output=True, text=True, timeout=300)
    report = json.loads(result.stdout.splitlines()[-1])
    assert report["status"] == 0, result.stderr
    return set(report["modules"])


def _view_and_pygame(modules: set[str]) -> set[str]:
    return {m for m in modules if m.split(".")[0] == "pygame" or m.startswith("game.view")}


@pytest.mark.parametrize("command", [
    ["sim", "--max-minutes", "0.05", "--json"],
    ["check-map"],
    ["batch", "--policy", "wait", "--seeds", "2", "--jobs", "1", "--max-minutes", "0.05"],
    ["sweep", "--policy", "wait", "--seeds", "1", "--jobs", "1", "--max-minutes", "0.05",
     "--set", "clock_scale=6,7"],
], ids=lambda command: command[0])
def test_the_headless_commands_load_nothing_of_the_view(tmp_path, command):
    path = str(mapkit.write(mapkit.MapSpec(), tmp_path))
    args = [*command, path] if command == ["check-map"] else [*command, "--map", path]
    assert _view_and_pygame(modules_loaded_by(*args)) == set()


def test_rex_scenario_loads_nothing_of_the_view(tmp_path):
    path = mapkit.write(mapkit.MapSpec(), tmp_path)
    scenario = tmp_path / "scene.toml"
    scenario.write_text(f'map = "{path}"\nseeds = 1\npolicy = "wait"\nmax_minutes = 0.05\n'
                        '[expect]\nending_in = ["none", "home"]\n')
    assert _view_and_pygame(modules_loaded_by("scenario", str(scenario), "--jobs", "1")) == set()


def test_a_report_draws_through_the_view_s_plots_only(tmp_path):
    path = str(mapkit.write(mapkit.MapSpec(), tmp_path))
    loaded = modules_loaded_by("batch", "--policy", "wait", "--seeds", "1", "--jobs", "1",
                               "--max-minutes", "0.05", "--map", path, "--report",
                               str(tmp_path / "report"))
    assert "pygame" in loaded
    assert {m for m in loaded if m.startswith("game.view")} == {
        "game.view", "game.view.plots", "game.view.images"}
    assert (tmp_path / "report" / "endings.png").stat().st_size > 0
