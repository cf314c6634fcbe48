"""rex sweep: tuning combinations, the same results on any backend, resume after a kill.

Sweeps here are tiny (the mapkit map, games of a minute or less, a few seeds) so that each runs
in seconds; the games per second the backends reach are measured in benchmarks/scale.py.
"""

from __future__ import annotations

import csv
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from game import cli
from game.batch import GameSpec, play_game
from game.bundle import MapBundle
from game.cli import UsageError
from game.headless import GameOptions, Runner
from game.mapcheck import load_checked
from game.sweep import GameLog, parse_sets, write_table
from game.tuning import DEFAULT
from tests import mapkit

ROOT = Path(__file__).resolve().parent.parent
HEADLESS = {**os.environ, "SDL_VIDEODRIVER": "dummy", "SDL_AUDIODRIVER": "dummy"}
SHORT = GameOptions(max_seconds=30)

RAISES = '''
def boom(obs):
    raise RuntimeError("Mila tripped over the policy")
'''


def rex(*args: str, env: dict | None = None, timeout: float = 300
        ) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "game", *args], cwd=ROOT, env=env or HEADLESS,
                          capture_output=True, text=True, timeout=timeout)


def sweep_args(path: Path, *more: str) -> list[str]:
    return ["sweep", "--map", str(path), "--policy", "calm", "--seeds", "2",
            "--set", "vision_range=6,20", "--max-minutes", "0.5", *more]


def games(folder: Path) -> list[dict]:
    """The games of a --out folder, without the wall-clock time, which differs run to run."""
    records = GameLog(folder).finished().values()
    return sorted(({k: v for k, v in r.items() if k != "wall_seconds"} for r in records),
                  key=lambda r: r["key"])


# -- the --set flag -------------------------------------------------------------------------------


def test_set_values_take_the_knob_type_and_range():
    swept = parse_sets(["vision_range=6,20", "car_crew=1,3", "pursuit_fire=true,False"])
    assert swept == {"vision_range": [6.0, 20.0], "car_crew": [1, 3],
                     "pursuit_fire": [True, False]}
    assert type(swept["vision_range"][0]) is float and type(swept["car_crew"][0]) is int


@pytest.mark.parametrize("flag, message", [
    ("vison_range=6", "unknown tuning name 'vison_range' (did you mean 'vision_range'?"),
    ("vision_range=far", "vision_range takes numbers, not 'far'"),
    ("car_crew=1.5", "car_crew takes whole numbers, not '1.5'"),
    ("pursuit_fire=1", "pursuit_fire takes true or false, not '1'"),
    ("vision_range=0.5", "vision_range=0.5 is outside its range 1 to 80"),
    ("vision_range=6,6", "--set vision_range lists 6 twice"),
    ("vision_range", "--set wants NAME=V1,V2,...; got 'vision_range'"),
])
def test_a_bad_set_value_is_one_clear_line(flag, message):
    with pytest.raises(UsageError, match="^" + message.replace("(", r"\(").replace("?", r"\?")):
        parse_sets([flag])


def test_a_bad_set_exits_2_with_one_line_before_any_game(tmp_path, capsys):
    path = mapkit.write(mapkit.MapSpec(), tmp_path)
    assert cli.main(["sweep", "--map", str(path), "--policy", "calm", "--seeds", "1",
                     "--set", "no_such_knob=1"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("rex sweep: error: unknown tuning name")


def test_list_knobs_names_every_knob_with_its_range(capsys):
    with pytest.raises(SystemExit) as done:
        cli.main(["sweep", "--list-knobs"])
    assert done.value.code == 0
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == len(DEFAULT.as_dict())
    assert any(line.split()[:5] == ["vision_range", "13", "1", "to", "80"] for line in lines)


# -- the map travels as content -------------------------------------------------------------------


def test_a_bundle_carries_the_map_and_its_tileset_from_another_folder(tmp_path):
    written = mapkit.write(mapkit.MapSpec(external_tileset=True), tmp_path / "draft")
    (tmp_path / "maps").mkdir()
    (tmp_path / "tiles").mkdir()
    (tmp_path / "tiles" / "terrain.tsx").write_text((written.parent / "terrain.tsx").read_text())
    original = tmp_path / "maps" / "park.tmx"
    original.write_text(written.read_text().replace('source="terrain.tsx"',
                                                    'source="../tiles/terrain.tsx"'))
    bundle = MapBundle.read(original)
    assert [name for name, _ in bundle.files] == ["maps/park.tmx", "tiles/terrain.tsx"]
    assert bundle.name == "park"

    copy = bundle.materialize(tmp_path / "elsewhere")
    assert MapBundle.read(copy).content_hash == bundle.content_hash  # the folder is not content
    here = Runner(load_checked(original)).play(3, "calm", options=SHORT)
    there = play_game(bundle, 3, "calm", DEFAULT, SHORT)
    assert there["state_hash"] == here["state_hash"] and there["map"] == "park"


def test_a_game_key_names_exactly_its_inputs(tmp_path):
    bundle = MapBundle.read(mapkit.write(mapkit.MapSpec(), tmp_path))
    spec = GameSpec(bundle, 1, "calm", DEFAULT, SHORT)
    assert spec.key() == GameSpec(MapBundle.read(bundle.materialize(tmp_path / "b")), 1,
                                  "calm", DEFAULT, SHORT).key()
    others = [GameSpec(bundle, 2, "calm", DEFAULT, SHORT),
              GameSpec(bundle, 1, "wait", DEFAULT, SHORT),
              GameSpec(bundle, 1, "calm", DEFAULT.replace(vision_range=12.0), SHORT),
              GameSpec(bundle, 1, "calm", DEFAULT, GameOptions(max_seconds=31))]
    assert len({spec.key(), *(other.key() for other in others)}) == 5


# -- results --------------------------------------------------------------------------------------


def test_the_sweep_json_has_one_summary_per_combination(tmp_path):
    path = mapkit.write(mapkit.MapSpec(), tmp_path)
    result = rex(*sweep_args(path, "--jobs", "2", "--json"))
    assert result.returncode == 0, result.stderr
    assert result.stdout.count("\n") == 1
    summary = json.loads(result.stdout)
    assert summary["swept"] == {"vision_range": [6.0, 20.0]} and summary["games"] == 4
    assert [c["tuning"] for c in summary["combinations"]] == [{"vision_range": 6.0},
                                                              {"vision_range": 20.0}]
    for combination in summary["combinations"]:
        calm = combination["per_policy"]["calm"]
        assert calm["seeds"] == 2 and set(calm["ending_rates"]) == set(calm["endings"])


def test_a_game_that_raises_is_reported_and_the_others_finish(tmp_path):
    (tmp_path / "tripping.py").write_text(RAISES)
    path = mapkit.write(mapkit.MapSpec(), tmp_path / "map")
    env = {**HEADLESS, "PYTHONPATH": f"{tmp_path}{os.pathsep}{ROOT}"}
    report = tmp_path / "report"
    result = rex(*sweep_args(path, "--policy", "tripping:boom", "--jobs", "2", "--report",
                             str(report)), env=env)
    assert result.returncode == 1
    failures = [line for line in result.stderr.splitlines() if "failed" in line]
    assert failures == [f"game map vision_range={v} tripping:boom seed {s} failed: "
                        "policy 'tripping:boom' raised RuntimeError: Mila tripped over the "
                        f"policy (at tick 0, seed {s})"
                        for v in (6, 20) for s in (0, 1)]
    assert "Traceback" not in result.stderr
    assert "calm: 2 games" in result.stdout
    for plot in ("endings_by_vision_range.png",):
        assert (report / plot).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    summary = json.loads((report / "summary.json").read_text())
    assert summary["failed"] == 4 and summary["games"] == 8


def test_the_table_is_csv_without_pyarrow_and_keeps_the_traceback(tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "pyarrow", None)  # as if it were not installed
    rows = [{"map": "m", "policy": "calm", "vision_range": 6.0, "seed": 0, "ending": None,
             "error": "RuntimeError: x", "traceback": "Traceback ...\nline 2\n"}]
    path = write_table(tmp_path, rows)
    assert path.name == "results.csv"
    with path.open(newline="") as file:
        read = list(csv.DictReader(file))
    assert read[0]["traceback"] == "Traceback ...\nline 2\n" and read[0]["seed"] == "0"


def test_the_parquet_table_types_do_not_depend_on_which_games_failed(tmp_path):
    parquet = pytest.importorskip("pyarrow.parquet")
    rows = [{"map": "m", "policy": "calm", "car_crew": 2, "seed": 0, "ending": "home",
             "views": None, "error": None, "minutes": 1.5}]
    schema = parquet.read_table(write_table(tmp_path, rows)).schema
    assert [str(schema.field(n).type) for n in ("car_crew", "seed", "views", "error",
                                                "minutes")] == ["int64", "int64", "int64",
                                                                "string", "double"]


# -- backends -------------------------------------------------------------------------------------


def test_dask_and_local_processes_give_the_same_games(tmp_path):
    pytest.importorskip("distributed")
    path = mapkit.write(mapkit.MapSpec(), tmp_path)
    dask = rex(*sweep_args(path, "--scheduler", "local", "--json", "--out",
                           str(tmp_path / "dask")))
    local = rex(*sweep_args(path, "--jobs", "2", "--json", "--out", str(tmp_path / "local")))
    assert dask.returncode == local.returncode == 0, dask.stderr + local.stderr
    assert json.loads(dask.stdout) == json.loads(local.stdout)
    assert games(tmp_path / "dask") == games(tmp_path / "local")
    assert len(games(tmp_path / "dask")) == 4
    assert "Traceback" not in dask.stderr


def test_without_dask_the_scheduler_flag_says_what_to_install(tmp_path, monkeypatch, capsys):
    monkeypatch.setitem(sys.modules, "distributed", None)  # as if it were not installed
    path = mapkit.write(mapkit.MapSpec(), tmp_path)
    assert cli.main(sweep_args(path, "--scheduler", "local")) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert err == ["rex sweep: error: --scheduler needs Dask, which is not installed: "
                   "pip install 'rex-chase[scale]' (or: pip install 'dask[distributed]')"]


# -- resume ---------------------------------------------------------------------------------------


def test_the_game_log_skips_a_line_cut_short_and_starts_the_next_on_its_own(tmp_path):
    log = GameLog(tmp_path)
    log.path.write_text('{"key": "a", "ending": "home"}\n{"key": "b", "end')
    assert list(log.finished()) == ["a"]
    with log:
        log.append({"key": "c", "ending": "dusk"})
    assert list(log.finished()) == ["a", "c"]


def test_a_sweep_interrupted_midway_resumes_without_playing_a_game_twice(tmp_path):
    path = mapkit.write(mapkit.MapSpec(), tmp_path)
    out = tmp_path / "out"
    args = ["sweep", "--map", str(path), "--policy", "calm", "--policy", "wait", "--seeds", "5",
            "--set", "vision_range=6,20", "--max-minutes", "0.5", "--jobs", "2", "--json"]
    # Ctrl-C reaches the whole process group, as from a terminal.
    sweep = subprocess.Popen([sys.executable, "-m", "game", *args, "--out", str(out)],
                             cwd=ROOT, env=HEADLESS, stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True, start_new_session=True)
    log = out / "games.jsonl"
    deadline = time.monotonic() + 120
    while not (log.exists() and log.read_text().count("\n") >= 3):
        assert time.monotonic() < deadline and sweep.poll() is None, "the sweep did not start"
        time.sleep(0.02)
    os.killpg(sweep.pid, signal.SIGINT)
    stdout, stderr = sweep.communicate(timeout=60)
    assert sweep.returncode == 130 and stdout == ""
    assert stderr.splitlines()[-1].startswith("rex sweep: interrupted after ")
    assert "Traceback" not in stderr
    kept = log.read_text().count("\n")
    assert 3 <= kept < 20
    with log.open("a") as cut:  # as if killed in the middle of writing a line
        cut.write('{"key": "0123", "map": "ma')

    resumed = rex(*args, "--out", str(out))
    assert resumed.returncode == 0, resumed.stderr
    assert (f"{kept} of 20 games are already in {log}; playing the other {20 - kept}"
            in resumed.stderr)
    keys = [record["key"] for record in GameLog(out).finished().values()]
    lines = [line for line in log.read_text().splitlines() if line.startswith('{"key": "')]
    assert len(keys) == 20 and len(lines) == 21  # every game once, plus the cut-short line

    fresh = rex(*args, "--out", str(tmp_path / "fresh"))
    assert json.loads(resumed.stdout) == json.loads(fresh.stdout)
    assert games(out) == games(tmp_path / "fresh")


@pytest.mark.slow
def test_the_issue_sweep_on_the_shipped_map_has_two_combinations():
    result = rex("sweep", "--map", "maps/lakeside.tmx", "--policy", "calm", "--seeds", "10",
                 "--set", "vision_range=9,17", "--json", timeout=1800)
    assert result.returncode == 0, result.stderr
    summary = json.loads(result.stdout)
    assert [c["tuning"] for c in summary["combinations"]] == [{"vision_range": 9.0},
                                                              {"vision_range": 17.0}]
    assert all(c["per_policy"]["calm"]["seeds"] == 10 for c in summary["combinations"])


def _free_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.mark.slow
def test_a_scheduler_and_workers_started_with_dasks_own_commands(tmp_path):
    """As on a cluster: `dask scheduler` and `dask worker ADDRESS` started apart from the
    sweep, the workers in a folder of their own, give the games one process plays alone."""
    pytest.importorskip("distributed")
    dask_cli = Path(sys.executable).parent / "dask"
    if not dask_cli.exists():
        pytest.skip("the dask command is not installed next to this Python")
    client_dir, worker_dir = tmp_path / "client", tmp_path / "worker"
    worker_dir.mkdir()
    path = mapkit.write(mapkit.MapSpec(), client_dir)
    address = f"tcp://127.0.0.1:{_free_port()}"
    quiet = {"stdout": subprocess.DEVNULL, "stderr": subprocess.DEVNULL}
    scheduler = subprocess.Popen([dask_cli, "scheduler", "--host", "127.0.0.1", "--port",
                                  address.rsplit(":", 1)[1], "--no-dashboard"], **quiet)
    worker = subprocess.Popen([dask_cli, "worker", address, "--nworkers", "2", "--nthreads",
                               "1", "--no-dashboard", "--local-directory", str(worker_dir)],
                              cwd=worker_dir, **quiet)
    try:
        cluster = rex(*sweep_args(path, "--scheduler", address, "--json"))
        alone = rex(*sweep_args(path, "--jobs", "1", "--json"))
    finally:
        for process in (worker, scheduler):
            process.terminate()
            process.wait(timeout=30)
    assert cluster.returncode == alone.returncode == 0, cluster.stderr + alone.stderr
    assert json.loads(cluster.stdout) == json.loads(alone.stdout)
