"""Scenario files: the format, its one-line errors, rex scenario, JUnit, and the pytest plugin."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import xml.etree.ElementTree as ElementTree
from pathlib import Path

import pytest

from game import scenario as scenario_mod
from game.sim.world import World
from game.tiled import read_level
from game.tuning import Tuning
from tests import mapkit

ROOT = Path(__file__).resolve().parent.parent

GOOD = """
name = "Rex finds a waiting Mila"
map = "map/map.tmx"
seeds = 2
policy = "wait"
police = false
civilians = false
max_minutes = 4

[tuning]
prewarm_seconds = 30.0

[expect]
rex_reaches_mila_within = "240s"
rex_never_on = ["water"]
ending_in = ["none", "home", "dusk"]
every_game.event_counts.RexEscaped = ">= 1"
mean.shots = "== 0"
"""


@pytest.fixture()
def folder(tmp_path):
    mapkit.write(mapkit.MapSpec(), tmp_path / "map")
    return tmp_path


def _write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(text)
    return path


def rex(*args: str, timeout: float = 600) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "game", *args], cwd=ROOT, capture_output=True,
                          text=True, timeout=timeout)


@pytest.mark.parametrize("change, message", [
    (("policy = \"wait\"", "policy = \"nope\""), "policy: unknown policy 'nope'"),
    (("seeds = 2", "seeds = 0"), "seeds: wants a whole number from 1"),
    (("max_minutes = 4", "max_minute = 4"), "unknown key 'max_minute'"),
    (("\"240s\"", "\"soon\""), "expect.rex_reaches_mila_within: 'soon' is not a duration"),
    (("mean.shots = \"== 0\"", "mean.shots = \"about 0\""),
     "expect.mean.shots: 'about 0' is not a comparison"),
    (("rex_never_on = [\"water\"]", "rex_never_on = [\"lava\"]"),
     "expect.rex_never_on: unknown terrain 'lava'"),
    (("ending_in", "endings_in"), "expect.endings_in: unknown expectation"),
    (("prewarm_seconds = 30.0", "prewarm_seconds = -1.0"), "tuning: prewarm_seconds=-1.0 is "
                                                           "outside its range"),
    (("map = \"map/map.tmx\"", "map = \"nowhere.tmx\""), "map: nowhere.tmx: file not found"),
    (("[tuning]", "[start.rex]\nat = [0.5, 0.5]\n[tuning]"),
     "start.rex.at: [0.5, 0.5] is a cell Rex cannot stand on"),
    (("[tuning]", "[start.rex]\nstate = \"flying\"\n[tuning]"),
     "start.rex.state: 'flying' is not one of restless, tracking, wary, calming"),
    (("max_minutes = 4", "max_minutes = 4\n[[start.officers]]\nid = 0\nat = [400.5, 1.5]"),
     "start.officers[0].at: [400.5, 1.5] is outside the map"),
    (("[expect]", "[expect\n"), "not valid TOML"),
])
def test_a_file_that_does_not_fit_is_one_line_naming_the_file_and_key(folder, change,
                                                                       message):
    path = _write(folder, "bad.toml", GOOD.replace(*change))
    with pytest.raises(scenario_mod.ScenarioError) as caught:
        scenario_mod.load(path)
    assert str(caught.value).startswith(f"{path}: ")
    assert message in str(caught.value)
    assert "\n" not in str(caught.value)


def test_a_passing_scenario_and_a_broken_expectation_with_its_reason(folder):
    good = _write(folder, "good.toml", GOOD)
    broken = _write(folder, "broken.toml", GOOD.replace('"240s"', '"1s"').replace(
        'name = "Rex finds a waiting Mila"', 'name = "Rex is impossibly fast"'))
    junit = folder / "out.xml"
    result = rex("scenario", str(good), str(broken), "--junit", str(junit), "--jobs", "2")
    assert result.returncode == 1, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == f"PASS {good}: Rex finds a waiting Mila (2 seeds, wait)"
    assert lines[1] == f"FAIL {broken}: Rex is impossibly fast (2 seeds, wait)"
    assert lines[2].startswith("  rex_reaches_mila_within 1 s: 2 of 2 games did not: seed 0 "
                               "reached her after ")
    assert lines[3] == "rex scenario: 2 scenarios, 1 passed, 1 failed"
    assert "Traceback" not in result.stderr
    suite = ElementTree.parse(junit).getroot().find("testsuite")
    assert suite.get("tests") == "2" and suite.get("failures") == "1"
    cases = suite.findall("testcase")
    assert cases[0].find("failure") is None
    failure = cases[1].find("failure")
    assert failure is not None and failure.get("message") == lines[2].strip()


def test_seeds_override_and_json(folder):
    good = _write(folder, "good.toml", GOOD)
    result = rex("scenario", str(good), "--seeds", "1", "--json")
    assert result.returncode == 0, result.stderr
    verdict = json.loads(result.stdout)
    assert verdict["passed"] == 1 and verdict["failed"] == 0
    [one] = verdict["scenarios"]
    assert one["seeds"] == 1 and one["passed"] and one["failures"] == []


def test_bad_files_and_flags_are_refused_before_any_game(folder):
    bad = _write(folder, "bad.toml", GOOD.replace("seeds = 2", "seeds = 'two'"))
    result = rex("scenario", str(bad))
    assert result.returncode == 1 and result.stdout == ""
    assert result.stderr.strip() == f"rex scenario: {bad}: seeds: wants a whole number from 1 " \
                                    "to 20,000, not 'two'"
    result = rex("scenario", str(bad), "--junit", str(folder / "missing" / "out.xml"))
    assert result.returncode == 2 and "folder" in result.stderr


def test_start_overrides_put_everyone_in_place(folder):
    text = GOOD.replace("police = false\n", "").replace("civilians = false\n", "").replace(
        "[tuning]", """
[start.mila]
at = [10.5, 11.5]
[start.rex]
at = [28.5, 9.5]
state = "tracking"
stress = 0.5
[[start.officers]]
id = 0
at = [30.5, 9.5]
state = "search"
[[start.civilians]]
id = 0
at = [31.5, 10.5]
[start.police]
phase = "pursuit"
[tuning]""")
    scenario = scenario_mod.load(_write(folder, "start.toml", text))
    level = read_level(folder / "map" / "map.tmx")
    world = World(level, 0, Tuning(prewarm_seconds=30.0))
    scenario.start.apply(world)
    assert (world.mila.x, world.mila.y) == (10.5, 11.5)
    assert (world.rex.x, world.rex.y, world.rex.state, world.rex.stress) == (
        28.5, 9.5, "tracking", 0.5)
    officer = world.police.officers[0]
    assert (officer.x, officer.y, officer.state) == (30.5, 9.5, "search")
    assert (world.crowd.civilians[0].x, world.crowd.civilians[0].y) == (31.5, 10.5)
    assert world.police.phase == "pursuit"
    assert world.police.dispatcher.last_known == (28.5, 9.5)


def test_an_officer_the_cast_does_not_have_is_an_error_of_each_game(folder):
    text = GOOD.replace("police = false\n", "").replace("seeds = 2", "seeds = 1").replace(
        "[tuning]", "[[start.officers]]\nid = 99\n[tuning]")
    path = _write(folder, "ghost.toml", text)
    result = rex("scenario", str(path))
    assert result.returncode == 1
    assert "ERROR" in result.stdout
    assert "seed 0 failed: ScenarioError: start.officers: there is no officer 99" in result.stdout


def test_pytest_collects_scenarios_and_reports_a_failure_in_one_line(folder):
    _write(folder, "test_good.toml", GOOD)
    _write(folder, "broken.toml", GOOD.replace('"240s"', '"1s"'))
    _write(folder, "other.toml", "[tool.something]\nvalue = 1\n")  # not a scenario
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "game.scenario_plugin", "-p", "no:cacheprovider",
         "-o", "addopts=", "--rootdir", str(folder), str(folder), "--scenario-jobs", "2"],
        cwd=folder, env=env, capture_output=True, text=True, timeout=600)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "1 failed, 1 passed" in result.stdout
    assert "rex_reaches_mila_within 1 s: 2 of 2 games did not" in result.stdout
    assert "other" not in result.stdout.split("short test summary")[0].split("collected")[1]


@pytest.mark.slow
def test_the_shipped_scenarios_pass(tmp_path):
    junit = tmp_path / "out.xml"
    files = sorted(str(p) for p in (ROOT / "scenarios").glob("*.toml"))
    assert len(files) >= 10
    result = rex("scenario", *files, "--junit", str(junit), timeout=3000)
    assert result.returncode == 0, result.stdout + result.stderr
    suite = ElementTree.parse(junit).getroot().find("testsuite")
    assert suite.get("tests") == str(len(files)) and suite.get("failures") == "0"
