"""Every case of issue 14, as a hostile user tried them: one clear line and exit 1 (files) or 2
(flags) within 5 s and under 500 MB, or the documented behaviour; no traceback, no hang, no
worker left behind."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from game import cli, guarded
from game.view import settings as settings_mod
from tests import hostile, mapkit
from tests.test_guarded import read_only_folder, run_cli, skip_unreadable

SECONDS, MEGABYTES = 5.0, 500


def refused(run: hostile.Run, status: int, fragment: str) -> str:
    """The one line a refused run printed, after checking status, time, memory and tracebacks."""
    assert not run.killed, f"still running after {run.seconds:.1f} s"
    assert run.peak_mb < MEGABYTES, f"{run.peak_mb:.0f} MB"
    assert "Traceback" not in run.stderr + run.stdout
    assert run.returncode == status, run.lines
    assert len(run.lines) == 1 and fragment in run.lines[0], run.lines
    return run.lines[0]


@pytest.fixture(scope="module")
def small_map(tmp_path_factory) -> Path:
    return mapkit.write(mapkit.MapSpec(), tmp_path_factory.mktemp("map"))


@pytest.fixture(scope="module")
def recording(small_map, tmp_path_factory) -> dict:
    replay = tmp_path_factory.mktemp("replay") / "game.rpl"
    assert hostile.run_rex("sim", "--map", str(small_map), "--max-minutes", "0.1",
                           "--record", str(replay), timeout=60).returncode == 0
    return json.loads(replay.read_text())


@pytest.fixture()
def config(tmp_path, monkeypatch) -> Path:
    """A settings folder of the test's own (platformdirs follows XDG_CONFIG_HOME)."""
    folder = tmp_path / "config"
    monkeypatch.setenv("XDG_CONFIG_HOME", str(folder))
    monkeypatch.setenv("SDL_VIDEODRIVER", "dummy")
    monkeypatch.setenv("SDL_AUDIODRIVER", "dummy")
    (folder / "rex").mkdir(parents=True)
    return folder / "rex" / "settings.json"


def with_template(map_path: Path, template: str) -> Path:
    text = map_path.read_text()
    at = text.index("</objectgroup>")
    map_path.write_text(text[:at] + f'<object id="700" template="{template}" x="8" y="8"/>'
                        + text[at:])
    return map_path


# -- reads that never end ----------------------------------------------------------------------


def test_sim_and_check_map_on_dev_zero():
    refused(hostile.run_rex("sim", "--map", "/dev/zero"), 1,
            "/dev/zero: map: is a character device, not a regular file")
    refused(hostile.run_rex("check-map", "/dev/zero"), 1,
            "/dev/zero: map: is a character device, not a regular file")


def test_a_template_that_is_dev_zero_or_a_fifo(tmp_path):
    zero = with_template(mapkit.write(mapkit.MapSpec(), tmp_path / "zero"), "/dev/zero")
    run = hostile.run_rex("check-map", str(zero))
    assert run.returncode == 1 and not run.killed and run.peak_mb < MEGABYTES
    assert f"{zero}: template '/dev/zero': is a character device" in run.stdout
    fifo = with_template(mapkit.write(mapkit.MapSpec(), tmp_path / "fifo"), "spawn.tx")
    os.mkfifo(tmp_path / "fifo" / "spawn.tx")
    run = hostile.run_rex("check-map", str(fifo))
    assert run.returncode == 1 and not run.killed
    assert "template 'spawn.tx': is a FIFO (named pipe), not a regular file" in run.stdout


def test_a_tileset_that_links_to_dev_zero(tmp_path):
    path = mapkit.write(mapkit.MapSpec(external_tileset=True), tmp_path)
    (tmp_path / "terrain.tsx").unlink()
    (tmp_path / "terrain.tsx").symlink_to("/dev/zero")
    refused(hostile.run_rex("check-map", str(path)), 1,
            "tileset 'terrain.tsx': is a link to /dev/zero, a character device")


def test_a_replay_whose_map_path_is_dev_zero(recording, tmp_path):
    replay = tmp_path / "zero.rpl"
    replay.write_text(json.dumps({**recording, "map_path": "/dev/zero"}))
    refused(hostile.run_rex("sim", "--replay", str(replay)), 1,
            "/dev/zero: map: is a character device")
    refused(hostile.run_rex("replay", str(replay), "--frames", "1"), 1,
            "the recorded map /dev/zero is a character device")


@pytest.mark.parametrize("kind", ["link_to_device", "fifo"])
def test_a_settings_file_that_never_ends_still_lets_the_game_start(small_map, tmp_path, kind):
    config = tmp_path / "config"
    (config / "rex").mkdir(parents=True)
    hostile.make_file(kind, config / "rex", "settings.json")
    run = hostile.run_rex("play", "--map", str(small_map), "--frames", "2",
                          env={**hostile.HEADLESS, "XDG_CONFIG_HOME": str(config)}, timeout=30)
    assert run.returncode == 0 and "Traceback" not in run.stderr and run.peak_mb < MEGABYTES
    assert "settings.json is a " in run.stderr and "the old file is kept as settings.json.bad" \
        in run.stderr
    assert os.path.lexists(config / "rex" / "settings.json.bad")


# -- numbers -------------------------------------------------------------------------------------


@pytest.mark.parametrize("argv, fragment", [
    (["sim", "--seed", "-1"], "--seed: -1 must be 0 to"),
    (["play", "--seed", "-7"], "--seed: -7 must be 0 to"),
    (["sim", "--seed", "18446744073709551616"], "must be 0 to 9,223,372,036,854,775,807"),
    (["sim", "--max-minutes", "1e307"], "at most 1440 (a day of play)"),
    (["sim", "--max-minutes", "nan"], "at most 1440"),
    (["batch", "--policy", "wait", "--seeds", "1", "--max-minutes", "1e308"], "at most 1440"),
    (["sweep", "--policy", "wait", "--seeds", "1", "--max-minutes", "1e308"], "at most 1440"),
    (["batch", "--policy", "wait", "--seeds", "99999999999999999999"], "must be 1 to 20,000"),
    (["sweep", "--policy", "wait", "--seeds", "99999999999999999999"], "must be 1 to 20,000"),
    (["batch", "--policy", "wait", "--seeds", "2", "--jobs", "100000"], "must be 1 to 256"),
    (["play", "--frames", "1" + "0" * 30], "must be 1 to"),
    (["sim", "--seed", "9" * 5000], "must be 0 to"),
])
def test_numbers_out_of_range_are_usage_errors(capsys, argv, fragment):
    status, lines = run_cli(capsys, *argv)
    assert status == 2 and fragment in lines[-1]
    assert all(len(line) < 400 for line in lines)


def test_the_ends_of_each_range_are_taken():
    parser = cli._parser()
    assert parser.parse_args(["sim", "--seed", str(2**63 - 1)]).seed == 2**63 - 1
    assert parser.parse_args(["sim", "--max-minutes", "1440"]).max_minutes == 1440
    assert parser.parse_args(["batch", "--policy", "w", "--seeds", "20000"]).seeds == 20000


def test_the_largest_seed_plays(small_map, capsys):
    status, lines = run_cli(capsys, "sim", "--map", str(small_map), "--seed", str(2**63 - 1),
                            "--max-minutes", "0.05", "--no-police")
    assert status == 0 and lines[0].startswith(f"map seed {2**63 - 1} ")


def test_a_batch_or_sweep_of_too_many_games_is_refused_before_planning(capsys):
    status, lines = run_cli(capsys, "batch", "--policy", "wait", "--policy", "calm",
                            "--seeds", "15000")
    assert status == 2 and "30,000 games" in lines[0] and "split it" in lines[0]
    values = ",".join(str(v) for v in range(6, 46))
    status, lines = run_cli(capsys, "sweep", "--policy", "wait", "--seeds", "1000", "--set",
                            f"vision_range={values}")
    assert status == 2 and "40,000 games" in lines[0]


@pytest.mark.parametrize("seed", ["-1", "1" + "0" * 40, "9" * 5000, "1.5", "true"])
def test_replays_with_a_seed_out_of_range(recording, tmp_path, capsys, seed):
    replay = tmp_path / "seed.rpl"
    replay.write_text(json.dumps(recording).replace(f'"seed": {recording["seed"]}',
                                                    f'"seed": {seed}'))
    status, lines = run_cli(capsys, "sim", "--replay", str(replay))
    assert status == 1 and len(lines) == 1 and "corrupt" in lines[0]


def test_a_replay_of_more_than_a_day_of_ticks(recording, tmp_path, capsys):
    replay = tmp_path / "long.rpl"
    replay.write_text(json.dumps({**recording, "commands": [[10**18, 0, 0, 0]],
                                  "ticks": 10**18}))
    status, lines = run_cli(capsys, "sim", "--replay", str(replay))
    assert status == 1 and "bad command run" in lines[0]


def test_a_csv_tile_id_beyond_any_integer(tmp_path, capsys):
    path = mapkit.write(mapkit.MapSpec(), tmp_path)
    text = path.read_text()
    at = text.index('<data encoding="csv">') + len('<data encoding="csv">')
    path.write_text(text[:at] + "\n99999999999999999999999" + text[at + 2:])
    status, lines = run_cli(capsys, "check-map", str(path))
    assert status == 1 and lines == [f"{path}: layer 'ground' (id 1): CSV data holds a tile id "
                                     "out of range"]


@pytest.mark.parametrize("content", ['{"music_volume": ' + "1" * 5000 + "}",
                                     "[" * 100_000 + "]" * 100_000])
def test_settings_with_a_huge_number_or_deep_nesting(tmp_path, content):
    path = tmp_path / "settings.json"
    path.write_text(content)
    settings, notice = settings_mod.load(path)
    assert settings == settings_mod.Settings() and "is not valid JSON" in notice
    assert (tmp_path / "settings.json.bad").read_text() == content


# -- output paths --------------------------------------------------------------------------------


def output_targets(tmp_path: Path) -> dict[str, Path]:
    (tmp_path / "a folder").mkdir()
    return {"/proc/x": Path("/proc/x"), "a folder": tmp_path / "a folder",
            "/dev/full": Path("/dev/full"), "/dev/null/x": Path("/dev/null/x")}


FILE_FLAGS = [["sim", "--trace"], ["sim", "--record"], ["play", "--frames", "1", "--record"],
              ["play", "--frames", "1", "--screenshot"]]
FOLDER_FLAGS = [["batch", "--policy", "wait", "--seeds", "4", "--report"],
                ["sweep", "--policy", "wait", "--seeds", "4", "--report"],
                ["sweep", "--policy", "wait", "--seeds", "4", "--out"]]


@pytest.mark.parametrize("flags", FILE_FLAGS + FOLDER_FLAGS, ids=lambda f: " ".join(f))
def test_outputs_that_cannot_be_written_are_refused_before_any_game(small_map, tmp_path,
                                                                     capsys, config, flags):
    targets = output_targets(tmp_path)
    if flags in FILE_FLAGS:
        targets["a folder"] = tmp_path / "a folder"
    for name, target in targets.items():
        if flags in FOLDER_FLAGS and name == "a folder":
            continue  # a folder is what these flags want
        started = time.monotonic()
        status, lines = run_cli(capsys, flags[0], "--map", str(small_map), *flags[1:],
                                str(target))
        assert status == 2 and len(lines) == 1, (name, lines)
        assert time.monotonic() - started < SECONDS  # no game was played first
    with read_only_folder(tmp_path / "read-only") as folder:
        status, lines = run_cli(capsys, flags[0], "--map", str(small_map), *flags[1:],
                                str(folder / "out"))
        assert status == 2 and "cannot create files in" in lines[0]


def test_replay_screenshot_to_a_device(recording, tmp_path, capsys, config):
    replay = tmp_path / "game.rpl"
    replay.write_text(json.dumps(recording))
    status, lines = run_cli(capsys, "replay", str(replay), "--frames", "1", "--screenshot",
                            "/dev/full")
    assert status == 2 and lines == ["rex replay: error: --screenshot /dev/full is a character "
                                     "device, not a regular file"]


def test_an_output_may_not_overwrite_the_map(small_map, capsys):
    status, lines = run_cli(capsys, "sim", "--map", str(small_map), "--record", str(small_map))
    assert status == 2 and "is an input of this command" in lines[0]


def test_a_failed_save_at_the_end_is_exit_1(small_map, tmp_path, capsys, config, monkeypatch):
    # The folder is checked before the game; here it vanishes while the game runs.
    monkeypatch.setattr(guarded, "output_file_problem", lambda flag, path: None)
    gone = tmp_path / "gone" / "game.rpl"
    status, lines = run_cli(capsys, "play", "--map", str(small_map), "--frames", "3",
                            "--record", str(gone))
    assert status == 1 and any("the replay was not saved" in line for line in lines)
    status, lines = run_cli(capsys, "sim", "--map", str(small_map), "--max-minutes", "0.05",
                            "--record", str(gone))
    assert status == 1 and lines[-1].startswith(f"rex sim: error: cannot write {gone}")
    status, lines = run_cli(capsys, "play", "--map", str(small_map), "--frames", "2",
                            "--screenshot", str(tmp_path / "gone" / "shot.png"))
    assert status == 1 and lines[-1].startswith("rex play: error: cannot write")


# -- flags -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("policy, status, fragment", [
    ("os:system", 1, "policy 'os:system' raised TypeError"),
    ("builtins:print", 1, "policy 'builtins:print' returned None, not Commands"),
    ("builtins:divmod", 2, "'builtins:divmod' is not a policy: it must take one argument"),
    ("json:decoder", 2, "'json:decoder' is not callable"),
])
def test_a_policy_that_is_not_a_policy(small_map, capsys, policy, status, fragment):
    got, lines = run_cli(capsys, "sim", "--map", str(small_map), "--policy", policy,
                         "--max-minutes", "0.05", "--no-police", "--json")
    errors = [line for line in lines if line.startswith("rex sim: error: ")]
    assert got == status and len(errors) == 1 and fragment in errors[0]


def test_replay_and_record_together_are_refused(recording, tmp_path, capsys):
    replay = tmp_path / "game.rpl"
    replay.write_text(json.dumps(recording))
    status, lines = run_cli(capsys, "sim", "--replay", str(replay), "--record",
                            str(tmp_path / "again.rpl"))
    assert status == 2 and "--record cannot be used with --replay" in lines[0]
    assert not (tmp_path / "again.rpl").exists()


@pytest.mark.parametrize("argv", [["batch", "--seeds", "1", "--seed", "5", "--policy", "wait"],
                                  ["sim", "--se", "5"], ["sim", "--max", "1"],
                                  ["sweep", "--policy", "wait", "--seeds", "1", "--seed", "3"],
                                  ["play", "--fr", "2"], ["check-map", "--js", "x.tmx"]])
def test_flags_are_never_read_as_abbreviations(capsys, argv):
    status, lines = run_cli(capsys, *argv)
    assert status == 2 and "unrecognized arguments" in lines[-1]


# -- replays that do not reproduce ---------------------------------------------------------------


def test_a_replay_that_does_not_reproduce_is_a_failure(recording, tmp_path, capsys):
    wrong_hash = tmp_path / "hash.rpl"
    wrong_hash.write_text(json.dumps({**recording, "final_state_hash": "0" * 64}))
    status, lines = run_cli(capsys, "sim", "--replay", str(wrong_hash))
    assert status == 1 and "the replay does not reproduce" in lines[0]
    status, lines = run_cli(capsys, "sim", "--replay", str(wrong_hash), "--json")
    assert status == 1 and json.loads(lines[-1])["replay_matches"] is False
    extra = tmp_path / "extra.rpl"  # one more tick of commands at the start: another game
    extra.write_text(json.dumps({**recording, "commands": [[1, 1, 0, 0], *recording["commands"]],
                                 "ticks": recording["ticks"] + 1}))
    status, lines = run_cli(capsys, "sim", "--replay", str(extra))
    assert status == 1 and "the replay does not reproduce" in lines[0]


@pytest.mark.parametrize("run", [[1, 2.0, 0, 0], [0, 0, 0, 0], [1, 0, 0, 64], [1, "x", 0, 0],
                                 [1, 0, 0], "run", [True, 0, 0, 0]])
def test_a_malformed_command_run_is_a_corrupt_replay(recording, tmp_path, capsys, run):
    replay = tmp_path / "bad.rpl"
    replay.write_text(json.dumps({**recording, "commands": [run, *recording["commands"]]}))
    status, lines = run_cli(capsys, "sim", "--replay", str(replay))
    assert status == 1 and len(lines) == 1 and "corrupt replay (bad command run" in lines[0]


# -- signals and workers -------------------------------------------------------------------------


def games_args(command: str, small_map: Path, seeds: int = 60, minutes: float = 1.0
               ) -> list[str]:
    return [command, "--map", str(small_map), "--policy", "wait", "--seeds", str(seeds),
            "--max-minutes", str(minutes), "--jobs", "2"]


def start_games(command: str, small_map: Path, *extra: str, seeds: int = 60,
                minutes: float = 1.0, log: Path | None = None) -> tuple[subprocess.Popen, set]:
    """A batch or sweep playing on two local workers; it and its workers once they play (once
    ``log`` has a game in it, when given)."""
    process = subprocess.Popen(
        [sys.executable, "-m", "game", *games_args(command, small_map, seeds, minutes), *extra],
        cwd=hostile.ROOT, env=hostile.HEADLESS, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        text=True, start_new_session=True)
    deadline = time.monotonic() + 120
    while len(workers := hostile.descendants(process.pid)) < 2 or (
            log is not None and not (log.exists() and log.read_text().count("\n"))):
        assert process.poll() is None and time.monotonic() < deadline, "no games started"
        time.sleep(0.05)
    if log is None:
        time.sleep(1.0)  # games under way
    return process, hostile.descendants(process.pid) | workers


def stop_and_count(process: subprocess.Popen, workers: set, how: str) -> tuple[int, str]:
    """Signal the parent alone (or its group for "group-INT"); its status and stderr once it
    has ended, after checking that no worker is alive 2 s later."""
    sent = time.monotonic()
    if how == "group-INT":
        os.killpg(process.pid, signal.SIGINT)
    else:
        os.kill(process.pid, getattr(signal, f"SIG{how}"))
    _, stderr = process.communicate(timeout=30)
    assert time.monotonic() - sent < SECONDS, "it went on playing"
    time.sleep(2.0)
    assert hostile.running(workers) == set(), "workers outlived their parent"
    assert "Traceback" not in stderr
    return process.returncode, stderr


@pytest.mark.parametrize("command", ["batch", "sweep"])
@pytest.mark.parametrize("how", ["TERM", "INT", "KILL", "group-INT"])
def test_no_worker_outlives_its_parent(small_map, command, how):
    process, workers = start_games(command, small_map)
    status, stderr = stop_and_count(process, workers, how)
    if how == "KILL":
        assert status == -signal.SIGKILL
        return
    assert status == (143 if how == "TERM" else 130)
    word = "terminated" if how == "TERM" else "interrupted"
    assert stderr.splitlines()[-1].startswith(f"rex {command}: {word}" if command == "sweep"
                                              else f"rex: {word}")


@pytest.mark.slow
@pytest.mark.parametrize("how", ["TERM", "KILL", "INT"])
def test_no_local_dask_worker_outlives_its_parent(small_map, tmp_path, how):
    pytest.importorskip("distributed")
    out = tmp_path / "out"
    process, workers = start_games("sweep", small_map, "--scheduler", "local", "--out",
                                   str(out), log=out / "games.jsonl")
    status, _ = stop_and_count(process, workers, how)
    assert status == {"TERM": 143, "INT": 130, "KILL": -signal.SIGKILL}[how]


@pytest.mark.slow
def test_sigterm_while_the_local_cluster_starts(small_map):
    pytest.importorskip("distributed")
    process = subprocess.Popen(
        [sys.executable, "-m", "game", *games_args("sweep", small_map), "--scheduler", "local"],
        cwd=hostile.ROOT, env=hostile.HEADLESS, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        text=True, start_new_session=True)
    time.sleep(1.0)  # the cluster is starting: held back until it has, then closed
    workers = hostile.descendants(process.pid)
    process.send_signal(signal.SIGTERM)
    _, stderr = process.communicate(timeout=60)
    time.sleep(2.0)
    assert process.returncode == 143 and "Traceback" not in stderr, stderr[-2000:]
    assert hostile.running(workers | hostile.descendants(process.pid)) == set()


# -- slow and large maps ------------------------------------------------------------------------


def test_twenty_thousand_inline_tilesets_load_in_linear_time(tmp_path):
    path = hostile.many_inline_tilesets(tmp_path)
    run = hostile.run_rex("check-map", str(path), timeout=SECONDS * 2)
    assert run.returncode == 0 and not run.killed and run.peak_mb < MEGABYTES
    assert run.stdout.strip().endswith("ok (42 x 12 tiles, 12 objects)")


def test_a_polygon_of_two_hundred_thousand_points(tmp_path):
    path = hostile.big_polygon(tmp_path)
    run = hostile.run_rex("check-map", str(path), timeout=SECONDS * 2)
    assert run.returncode == 0 and not run.killed and run.peak_mb < MEGABYTES
    assert run.stdout.strip().endswith("ok (256 x 256 tiles, 13 objects)")


def test_sixteen_layers_of_a_million_cells_are_refused_by_the_memory_cap(tmp_path):
    path = hostile.many_big_layers(tmp_path)
    for command in (["check-map", str(path)], ["sim", "--map", str(path)],
                    ["play", "--map", str(path), "--frames", "1"]):
        line = refused(hostile.run_rex(*command), 1, "map: would take about 612 MiB of memory")
        assert "the limit is 512 MiB" in line


@pytest.mark.slow
def test_the_largest_map_that_fits_loads_under_500_mb(tmp_path):
    path = hostile.many_big_layers(tmp_path, layers=7)
    run = hostile.run_rex("check-map", str(path), timeout=60)
    assert run.returncode == 0 and run.peak_mb < MEGABYTES, (run.lines, run.peak_mb)


# -- two sweeps into one folder ------------------------------------------------------------------


def keys_in(folder: Path) -> list[str]:
    """The keys of the whole records in the log (a kill may cut the last line short)."""
    keys = []
    for line in (folder / "games.jsonl").read_text().splitlines():
        try:
            keys.append(json.loads(line)["key"])
        except ValueError:
            continue
    return keys


def test_a_second_sweep_into_the_same_folder_is_refused(small_map, tmp_path):
    out = tmp_path / "out"
    args = games_args("sweep", small_map, seeds=40, minutes=0.3)
    first, _ = start_games("sweep", small_map, "--out", str(out), seeds=40, minutes=0.3,
                           log=out / "games.jsonl")
    # Held midway: on an idle machine its 40 short games took less than the second's start.
    os.killpg(first.pid, signal.SIGSTOP)
    try:
        refused(hostile.run_rex(*args, "--out", str(out)), 1,
                f"--out {out} is in use by another rex sweep")
    finally:
        os.killpg(first.pid, signal.SIGKILL)  # killed midway: the lock goes with it
    first.communicate(timeout=30)
    resumed = hostile.run_rex(*args, "--out", str(out), timeout=300)
    assert resumed.returncode == 0, resumed.lines
    keys = keys_in(out)
    assert len(keys) == len(set(keys)) == 40  # every game once, none twice


# -- settings -------------------------------------------------------------------------------------


def test_a_bad_settings_file_is_said_on_stderr_and_set_aside(small_map, config, capsys):
    config.write_text("{broken")
    status, lines = run_cli(capsys, "play", "--map", str(small_map), "--frames", "2")
    assert status == 0
    assert ("rex play: Settings file settings.json is not valid JSON (line 1). Using defaults; "
            "the old file is kept as settings.json.bad.") in lines
    assert (config.parent / "settings.json.bad").read_text() == "{broken"


def test_setting_aside_never_overwrites_an_earlier_bad_file(tmp_path):
    path = tmp_path / "settings.json"
    for n in range(100):
        (tmp_path / ("settings.json.bad" + (str(n) if n else ""))).write_text(f"old {n}")
    path.write_text("{broken")
    _, notice = settings_mod.load(path)
    assert "kept as settings.json.bad100" in notice
    assert (tmp_path / "settings.json.bad100").read_text() == "{broken"
    for n in range(100):
        assert (tmp_path / ("settings.json.bad" + (str(n) if n else ""))).read_text() == \
            f"old {n}"


def test_a_binding_to_an_unknown_key_is_said_and_gets_the_default(small_map, config, capsys):
    config.write_text(json.dumps({"bindings": {"kneel": ["no such key"],
                                               "whisper": ["v", "nokey"]}}))
    status, lines = run_cli(capsys, "play", "--map", str(small_map), "--frames", "2")
    assert status == 0
    assert ("rex play: settings: bindings.kneel: unknown key name 'no such key'; using the "
            "default (c)") in lines
    assert "rex play: settings: bindings.whisper: unknown key name 'nokey'" in lines
    import pygame

    from game.view.input import Bindings

    pygame.display.init()
    try:
        bindings = Bindings({"kneel": ["no such key"], "whisper": ["v", "nokey"]})
        assert bindings.keys["kneel"] == [pygame.K_c]  # the default, not nothing
        assert bindings.keys["whisper"] == [pygame.K_v]
    finally:
        pygame.display.quit()



# -- more of the same kinds ------------------------------------------------------------------------


@pytest.mark.parametrize("kind, props, count, what", [
    ("police_spawn", [("officers", "int", 64), ("cars", "int", 0)], 2000,
     "128,002 police officers"),
    ("police_spawn", [("officers", "int", 0), ("cars", "int", 32)], 2, "65 patrol cars"),
    ("civilian_spawn", [("count", "int", 500)], 2000, "1,000,005 passers-by"),
    ("scent_source", [("strength", "float", 1.0)], 2000, "2,000 scent sources"),
])
def test_a_map_that_starts_more_agents_than_a_game_can_play(tmp_path, kind, props, count, what):
    from tools import tmxwrite

    spawns = [tmxwrite.MapObject(1000 + i, kind, 3.5 * mapkit.TILE, 5.5 * mapkit.TILE,
                                 properties=props) for i in range(count)]
    path = mapkit.write(mapkit.MapSpec(extra_objects=spawns), tmp_path)
    refused(hostile.run_rex("sim", "--map", str(path)), 1, f"map: has {what} in all")


def test_an_output_name_too_long_for_the_file_system(small_map, tmp_path, capsys):
    long_name = tmp_path / ("t" * 300 + ".jsonl")
    status, lines = run_cli(capsys, "sim", "--map", str(small_map), "--trace", str(long_name))
    assert status == 2 and "File name too long" in lines[0]


def test_trace_and_record_into_one_file(small_map, tmp_path, capsys):
    same = str(tmp_path / "both.out")
    status, lines = run_cli(capsys, "sim", "--map", str(small_map), "--trace", same,
                            "--record", same)
    assert status == 2 and "--trace and --record name the same file" in lines[0]


def test_a_policy_module_that_exits_when_imported_or_played(small_map, tmp_path, capsys,
                                                            monkeypatch):
    (tmp_path / "quitter.py").write_text("import sys\nsys.exit(3)\n")
    (tmp_path / "leaver.py").write_text(
        "import sys\ndef go(observation):\n    sys.exit(4)\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    status, lines = run_cli(capsys, "sim", "--map", str(small_map), "--policy", "quitter:go")
    assert status == 2 and "cannot import 'quitter': it exits when imported" in lines[0]
    status, lines = run_cli(capsys, "sim", "--map", str(small_map), "--policy", "leaver:go",
                            "--no-police")
    assert status == 1 and "policy 'leaver:go' raised SystemExit" in lines[0]


def test_a_sweep_of_a_hundred_thousand_values_is_refused_at_once(capsys):
    values = ",".join(str(6 + v / 1e6) for v in range(100_000))
    started = time.monotonic()
    status, lines = run_cli(capsys, "sweep", "--policy", "wait", "--seeds", "1", "--set",
                            f"vision_range={values}")
    assert status == 2 and "lists 100,000 values" in lines[0]
    assert time.monotonic() - started < SECONDS


def test_a_map_of_a_million_tiny_elements_is_refused_before_its_tree_is_built(tmp_path):
    path = mapkit.write(mapkit.MapSpec(), tmp_path)
    text = path.read_text()
    at = text.index("<objectgroup")
    path.write_text(text[:at] + "<group>" + "<x a='1'/>" * 600_000 + "</group>" + text[at:])
    refused(hostile.run_rex("check-map", str(path)), 1,
            "more than 1,000,000 XML elements and attributes together")


@pytest.mark.parametrize("kind", ["fifo", "link_to_device", "directory"])
def test_a_sweep_log_that_is_not_a_file(small_map, tmp_path, capsys, kind):
    out = tmp_path / "out"
    out.mkdir()
    hostile.make_file(kind, out, "games.jsonl")
    status, lines = run_cli(capsys, "sweep", "--map", str(small_map), "--policy", "wait",
                            "--seeds", "1", "--max-minutes", "0.02", "--out", str(out))
    assert status == 1 and len(lines) == 1 and f"{out / 'games.jsonl'}: is a" in lines[0]


# -- the AI testbed's flags and files (issue 16) under the same rules ------------------------------


SCENARIO = """
map = "{map}"
seeds = 1
policy = "wait"
police = false
civilians = false
max_minutes = 0.05

[expect]
ending_in = ["none", "home"]
"""


def scenario_file(folder: Path, small_map: Path, name: str = "scene.toml", **changes: str
                  ) -> Path:
    """A scenario of one short game on ``small_map``; ``changes`` replace its lines by key."""
    text = SCENARIO.format(map=small_map)
    for key, line in changes.items():
        old = next(row for row in text.splitlines() if row.startswith(f"{key} ="))
        text = text.replace(old, line)
    path = folder / name
    path.write_text(text)
    return path


@pytest.mark.parametrize("argv, fragment", [
    (["sim", "--decide-every", "0"], "--decide-every: 0 must be 1 to 2,592,000 ticks"),
    (["sim", "--decide-every", "9" * 5000], "must be 1 to 2,592,000"),
    (["batch", "--policy", "wait", "--seeds", "1", "--decide-every", "-3"], "must be 1 to"),
    (["sweep", "--policy", "wait", "--seeds", "1", "--decide-every", "1.5"],
     "'1.5' is not a whole number"),
    (["sim", "--policy-timeout", "-1"], "must be 0 (no limit) to 86,400 seconds"),
    (["sim", "--policy-timeout", "nan"], "must be 0 (no limit) to 86,400"),
    (["batch", "--policy", "wait", "--seeds", "1", "--policy-timeout", "1e308"],
     "must be 0 (no limit) to 86,400"),
    (["scenario", "x.toml", "--policy-timeout", "inf"], "must be 0 (no limit) to 86,400"),
    (["scenario", "x.toml", "--seeds", "99999999999999999999"], "must be 1 to 20,000"),
    (["scenario", "x.toml", "--jobs", "100000"], "must be 1 to 256"),
    (["sim", "--policy-arg", "deep=" + "[" * 100_000], "the value is nested too deeply"),
    (["sim", "--policy-arg", "x=NaN"], "is not a finite number"),
    (["sim", "--policy-arg", "no value"], "wants KEY=VALUE"),
    (["batch", "--policy-arg", "a=1", "--policy", "calm", "--seeds", "1"],
     "give --policy NAME before its --policy-arg"),
])
def test_the_policy_flags_and_scenario_numbers_out_of_range(capsys, argv, fragment):
    status, lines = run_cli(capsys, *argv)
    assert status == 2 and fragment in lines[-1]
    assert all(len(line) < 400 for line in lines)


def test_the_ends_of_the_policy_flags_ranges_are_taken():
    parser = cli._parser()
    sim = parser.parse_args(["sim", "--decide-every", "2592000", "--policy-timeout", "86400"])
    assert (sim.decide_every, sim.policy_timeout) == (2_592_000, 86_400)
    assert parser.parse_args(["sim", "--policy-timeout", "0"]).policy_timeout is None


def test_a_policy_argument_that_does_not_fit_the_policy_is_refused_before_any_game(
        small_map, capsys):
    started = time.monotonic()
    status, lines = run_cli(capsys, "batch", "--map", str(small_map), "--policy", "calm",
                            "--policy-arg", "bravery=1", "--seeds", "20000")
    assert status == 2 and lines == ["rex batch: error: policy 'calm' does not take these "
                                     "arguments: got an unexpected keyword argument 'bravery'"]
    assert time.monotonic() - started < SECONDS


@pytest.mark.parametrize("kind", hostile.FILE_KINDS)
def test_a_scenario_file_of_every_kind(tmp_path, capsys, kind):
    skip_unreadable(kind)
    path = hostile.make_file(kind, tmp_path, "scene.toml", guarded.SCENARIO.limit)
    status, lines = run_cli(capsys, "scenario", str(path))
    assert status == 1 and len(lines) == 1 and lines[0].startswith(f"rex scenario: {path}: ")


@pytest.mark.parametrize("kind", hostile.FILE_KINDS)
def test_the_map_named_in_a_scenario_of_every_kind(small_map, tmp_path, capsys, kind):
    skip_unreadable(kind)
    target = hostile.make_file(kind, tmp_path, "named.tmx", guarded.MAP.limit)
    path = scenario_file(tmp_path, small_map, map=f'map = "{target}"')
    status, lines = run_cli(capsys, "scenario", str(path))
    assert status == 1 and len(lines) == 1
    # Refused as a file: the scenario's line; read but refused as a map: the checker's line.
    assert lines[0].startswith((f"rex scenario: {path}: map: {target}: ", f"{target}: map: "))


@pytest.mark.parametrize("key, line, fragment", [
    ("seeds", "seeds = 100000000000000000000000000000000000000000",
     "seeds: wants a whole number from 1 to 20,000, not 1000000000000000000000000000000000"),
    ("seeds", "seeds = -1", "seeds: wants a whole number from 1 to 20,000"),
    ("policy", 'policy = "wait"\nfirst_seed = 9223372036854775807',
     "first_seed: wants a whole number from 0 to 9,223,372,036,854,755,807"),
    ("max_minutes", "max_minutes = 1e308", "max_minutes: wants a number from 0.01 to 1,440"),
    ("max_minutes", "max_minutes = nan", "max_minutes: wants a number"),
    ("policy", 'policy = "wait"\ndecide_every = 0', "decide_every: wants a whole number from 1 "
                                                    "to 2,592,000"),
    ("policy", 'policy = "os:system"\npolicy_args = { a = 1 }',
     "policy: 'os:system' is not a policy"),
    ("policy", 'policy = "wait"\nx = ' + "[" * 5000 + "]" * 5000, "not valid TOML"),
])
def test_a_scenario_whose_numbers_are_out_of_range(small_map, tmp_path, capsys, key, line,
                                                   fragment):
    path = scenario_file(tmp_path, small_map, **{key: line})
    status, lines = run_cli(capsys, "scenario", str(path))
    assert status == 1 and len(lines) == 1 and lines[0].startswith(f"rex scenario: {path}: ")
    assert fragment in lines[0] and len(lines[0]) < 400


def test_scenario_seeds_that_add_up_to_too_many_games(small_map, tmp_path, capsys):
    files = [str(scenario_file(tmp_path, small_map, f"s{i}.toml", seeds="seeds = 15000"))
             for i in range(2)]
    status, lines = run_cli(capsys, "scenario", *files)
    assert status == 2 and "30,000 games in 2 scenarios" in lines[0]
    status, lines = run_cli(capsys, "scenario", *files, "--seeds", "10001")
    assert status == 2 and "20,002 games" in lines[0]


def test_junit_outputs_that_cannot_be_written_are_refused_before_any_game(small_map, tmp_path,
                                                                          capsys):
    scene = scenario_file(tmp_path, small_map)
    targets = {**output_targets(tmp_path), "the scenario itself": scene,
               "a missing folder": tmp_path / "missing" / "out.xml"}
    for name, target in targets.items():
        started = time.monotonic()
        status, lines = run_cli(capsys, "scenario", str(scene), "--junit", str(target))
        assert status == 2 and len(lines) == 1, (name, lines)
        assert time.monotonic() - started < SECONDS
    with read_only_folder(tmp_path / "read-only") as folder:
        status, lines = run_cli(capsys, "scenario", str(scene), "--junit", str(folder / "x"))
        assert status == 2 and "cannot create files in" in lines[0]
    assert scene.read_text().startswith("\nmap = ")  # never overwritten


def test_junit_is_written_whole_or_not_at_all(small_map, tmp_path, capsys, monkeypatch):
    import xml.etree.ElementTree as ElementTree

    scene = scenario_file(tmp_path, small_map)
    out = tmp_path / "out"
    out.mkdir()
    junit = out / "report.xml"
    junit.write_text("the last good report")

    def half_then_fail(self, target, **options):
        Path(target).write_text("<testsuites>")
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(ElementTree.ElementTree, "write", half_then_fail)
    status, lines = run_cli(capsys, "scenario", str(scene), "--junit", str(junit), "--jobs", "1")
    assert status == 1
    assert lines[-1] == f"rex scenario: error: cannot write {junit}: No space left on device"
    assert junit.read_text() == "the last good report" and os.listdir(out) == ["report.xml"]
    monkeypatch.undo()
    status, lines = run_cli(capsys, "scenario", str(scene), "--junit", str(junit), "--jobs", "1")
    assert status == 0 and junit.read_text().startswith("<?xml")
    assert os.listdir(out) == ["report.xml"]


def test_a_policy_table_that_is_not_a_file_is_one_line(small_map, tmp_path, capsys):
    """The learning example's policy reads the file --policy-arg names through the guard."""
    pytest.importorskip("gymnasium")
    for table in ("/dev/zero", str(hostile.make_file("fifo", tmp_path, "q.npz"))):
        status, lines = run_cli(capsys, "sim", "--map", str(small_map), "--policy",
                                "examples.train_mila:TabularMila", "--policy-arg",
                                f"table={table}")
        assert status == 2 and len(lines) == 1, lines
        assert "cannot create policy 'examples.train_mila:TabularMila': InputError" in lines[0]


# -- a closed pipe -------------------------------------------------------------------------------


@pytest.mark.parametrize("argv", [["sim", "--max-minutes", "0.05", "--json"],
                                  ["sim", "--max-minutes", "0.05"],
                                  ["check-map"]], ids=lambda argv: " ".join(argv))
def test_output_to_a_closed_pipe_ends_quietly(small_map, argv):
    args = [*argv, str(small_map)] if argv == ["check-map"] else [*argv, "--map",
                                                                  str(small_map)]
    rex = subprocess.Popen([sys.executable, "-m", "game", *args], cwd=hostile.ROOT,
                           env=hostile.HEADLESS, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    rex.stdout.close()  # the reader is gone before anything is written
    stderr = rex.stderr.read().decode()
    assert rex.wait(timeout=60) == 1
    assert not [line for line in stderr.splitlines() if ": warning: " not in line], stderr


def test_rex_sim_json_into_head(small_map):
    shell = (f"{sys.executable} -m game sim --map {small_map} --max-minutes 0.05 --json "
             "| head -c 10; echo \" ${PIPESTATUS[0]}\"")
    result = subprocess.run(["bash", "-c", shell], cwd=hostile.ROOT, env=hostile.HEADLESS,
                            capture_output=True, text=True, timeout=60)
    assert result.stdout.startswith('{"map": "m') and result.stderr == ""
    assert result.stdout.split()[-1] in ("0", "1")


def test_sigterm_while_the_command_is_being_set_up_ends_as_a_termination(capsys, monkeypatch):
    """Building a subcommand's parser imports its modules (the simulation, scipy: most of a
    second); a SIGTERM then ends with 143 and one line, as during the games."""
    def terminated_while_importing(command: str | None = None):
        raise cli.Terminated

    monkeypatch.setattr(cli, "_parser", terminated_while_importing)
    status, lines = run_cli(capsys, "sweep", "--seeds", "1")
    assert status == 143 and lines == ["rex: terminated"]
