"""Replays reproduce their game, and every kind of bad replay is one clear line and exit 1."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from game.headless import GameOptions, Runner
from game.replay import FORMAT_VERSION, Replay, ReplayError, load
from game.sim.commands import Commands
from game.tiled import read_level
from tests import mapkit

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def recorded(tmp_path_factory):
    folder = tmp_path_factory.mktemp("replay")
    map_path = mapkit.write(mapkit.MapSpec(), folder)
    level = read_level(map_path)
    replay = Replay(level.name, str(map_path), level.content_hash, 5)
    result = Runner(level).play(5, "calm", options=GameOptions(max_seconds=60), record=replay)
    path = folder / "game.replay"
    replay.save(path)
    return map_path, path, result


def rex(*args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "SDL_VIDEODRIVER": "dummy", "SDL_AUDIODRIVER": "dummy"}
    return subprocess.run([sys.executable, "-m", "game", *args], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=300)


def test_run_length_encoding_round_trips():
    replay = Replay("m", "m.tmx", "h", 1)
    sequence = [Commands(), Commands(), Commands.walk(1, 0), Commands(whisper=True, kneel=True),
                Commands(whisper=True, kneel=True), Commands(show_collar=True, run=True)]
    for command in sequence:
        replay.record(command)
    assert len(replay.runs) == 4 and replay.ticks == 6
    assert list(replay.commands()) == sequence


def test_sim_replay_reproduces_the_recorded_hash(recorded):
    _, path, result = recorded
    out = rex("sim", "--replay", str(path), "--json")
    assert out.returncode == 0, out.stderr
    data = json.loads(out.stdout)
    assert data["state_hash"] == result["state_hash"] == load(path).final_state_hash
    assert data["replay_matches"] is True and data["ticks"] == result["ticks"]


def test_sim_record_writes_a_replay_that_plays_back(tmp_path):
    map_path = mapkit.write(mapkit.MapSpec(), tmp_path)
    first = rex("sim", "--map", str(map_path), "--seed", "2", "--policy", "panicky",
                "--max-minutes", "1", "--record", str(tmp_path / "r.json"), "--json")
    again = rex("sim", "--replay", str(tmp_path / "r.json"), "--json")
    assert json.loads(first.stdout)["state_hash"] == json.loads(again.stdout)["state_hash"]


def bad(path: Path, text: str) -> Path:
    path.write_text(text)
    return path


def test_a_replay_for_another_map_is_refused(recorded, tmp_path):
    _, path, _ = recorded
    other = mapkit.write(mapkit.MapSpec(terrain_overrides={(20, 11): "forest"}), tmp_path)
    out = rex("sim", "--replay", str(path), "--map", str(other), "--json")
    assert out.returncode == 1 and out.stdout == ""
    assert "recorded on a different version of map 'map'" in out.stderr
    assert len(out.stderr.strip().splitlines()) == 1


def test_a_newer_format_is_refused(recorded, tmp_path):
    _, path, _ = recorded
    data = json.loads(path.read_text())
    data["format_version"] = FORMAT_VERSION + 1
    newer = bad(tmp_path / "newer.replay", json.dumps(data))
    with pytest.raises(ReplayError, match="is newer than this game reads"):
        load(newer)
    out = rex("sim", "--replay", str(newer))
    assert out.returncode == 1 and "newer than this game reads" in out.stderr


@pytest.mark.parametrize("name, mutate, message", [
    ("truncated", lambda t: t[: len(t) // 2], "corrupt or truncated replay"),
    ("lost_ticks", lambda t: t.replace('"ticks":', '"ticks":1', 1), "truncated replay"),
    ("not_json", lambda t: "\x00\x01garbage", "corrupt or truncated replay"),
    ("not_a_replay", lambda t: '{"hello": 1}', "not a Rex replay"),
    ("bad_run", lambda t: t.replace('"commands":[[', '"commands":[["x",', 1),
     "corrupt replay"),
    ("bad_seed", lambda t: t.replace('"seed":5', '"seed":"five"', 1), "corrupt replay"),
    ("empty", lambda t: "", "corrupt or truncated replay"),
])
def test_corrupt_replays_are_one_line_and_exit_1(recorded, tmp_path, name, mutate, message):
    _, path, _ = recorded
    broken = bad(tmp_path / f"{name}.replay", mutate(path.read_text()))
    out = rex("sim", "--replay", str(broken), "--json")
    assert out.returncode == 1 and out.stdout == "", out.stderr
    assert message in out.stderr and "Traceback" not in out.stderr
    assert len(out.stderr.strip().splitlines()) == 1


def test_missing_and_directory_replays(tmp_path):
    for target, message in ((tmp_path / "nope.replay", "no such replay file"),
                            (tmp_path, "is a directory")):
        out = rex("sim", "--replay", str(target))
        assert out.returncode == 1 and message in out.stderr
