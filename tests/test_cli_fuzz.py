"""The ``rex`` command driven in-process with random flags, values and paths of every kind:
whatever it is given, it exits 0, 1 or 2, prints no traceback and ends in bounded time.

The values are drawn from pools of what a hostile user tries (numbers out of every range,
abbreviated and unknown flags, policies that are not policies) and paths of every kind (a good
map or replay, an empty file, a folder, a FIFO, /dev/zero, a link to it, a /proc entry, an
oversized sparse file, a symlink loop, a missing path, /dev/full, a read-only folder), scenario
files good and bad, and policy arguments of every shape. Games are kept short: every value that
would make a long game valid is left out of the pools. ``--debug`` is left out: printing a
failed policy's traceback is what it is for.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from game import cli
from tests import hostile, mapkit
from tests.test_guarded import AS_ROOT, deadline

SECONDS = 20.0  # the longest one example may take: a few short games on two workers


class Paths:
    """The pools of paths, made once for the whole test."""

    def __init__(self, folder: Path):
        self.folder = folder
        game_map = mapkit.write(mapkit.MapSpec(), folder / "good")
        replay = folder / "good" / "game.rpl"
        assert cli.main(["sim", "--map", str(game_map), "--max-minutes", "0.03",
                         "--record", str(replay)]) == 0
        kinds = [kind for kind in hostile.FILE_KINDS if kind != "unreadable" or not AS_ROOT]
        odd = [str(hostile.make_file(kind, folder, f"odd-{kind}")) for kind in kinds]
        garbage = folder / "garbage.bin"
        garbage.write_bytes(bytes(range(256)) * 8)
        bad_replay = folder / "bad.rpl"
        bad_replay.write_text(json.dumps({**json.loads(replay.read_text()), "seed": -1}))
        scenario = folder / "good.toml"
        scenario.write_text(f'map = "{game_map}"\nseeds = 1\npolicy = "wait"\n'
                            'max_minutes = 0.02\n[expect]\nending_in = ["none", "home"]\n')
        bad_scenario = folder / "bad.toml"
        bad_scenario.write_text(scenario.read_text().replace("seeds = 1", "seeds = 1e40"))
        self.scenarios = [str(scenario), str(bad_scenario), str(game_map), *odd]
        self.inputs = [str(game_map), str(replay), str(garbage), str(bad_replay), *odd]
        self.maps = [str(game_map), *odd, str(replay)]
        self.replays = [str(replay), str(bad_replay), str(game_map), *odd]
        (folder / "out").mkdir()
        read_only = folder / "read-only"
        read_only.mkdir()
        if AS_ROOT:
            self.sealed = subprocess.run(["chattr", "+i", str(read_only)],
                                         capture_output=True).returncode == 0
        else:
            read_only.chmod(0o555)
            self.sealed = True
        self.read_only = read_only
        self.outputs = [str(folder / "out" / "file.out"), str(folder / "out" / "trace.npz"),
                        str(folder / "out" / "shot.png"), str(folder / "out"), "/dev/full",
                        "/dev/null/x", "/proc/x", str(read_only / "x"),
                        str(folder / "odd-fifo"), str(folder / "missing" / "x"), str(game_map)]
        self.folders = [str(folder / "out" / "report"), str(folder / "out"), str(game_map),
                        "/dev/null/x", "/proc/x", str(read_only / "r"), str(folder / "odd-fifo")]

    def remove(self) -> None:
        if AS_ROOT and self.sealed:
            subprocess.run(["chattr", "-i", str(self.read_only)], check=True)
        elif not AS_ROOT:
            self.read_only.chmod(0o755)
        shutil.rmtree(self.folder, ignore_errors=True)


@pytest.fixture(scope="module")
def paths(tmp_path_factory):
    made = Paths(tmp_path_factory.mktemp("fuzz"))
    yield made
    made.remove()


@pytest.fixture()
def quiet_window(tmp_path, monkeypatch):
    """The window's dummy drivers and a settings folder of the test's own."""
    monkeypatch.setenv("SDL_VIDEODRIVER", "dummy")
    monkeypatch.setenv("SDL_AUDIODRIVER", "dummy")
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))


NUMBERS = ["-1", "0", "-0", "nan", "inf", "-inf", "1e308", "1e-308", "abc", "", " ", "0x10",
           "9" * 50, "9" * 5000, "18446744073709551616", "9223372036854775808", "3.5", "1_0"]
SEEDS = [*NUMBERS, "1", "7", "9223372036854775807"]
COUNTS = [*NUMBERS, "1", "2"]  # seeds, jobs and frames: a valid value stays small
MINUTES = [*NUMBERS, "0.01", "0.02", "1441"]
POLICIES = ["wait", "idle", "calm", "random", "os:system", "builtins:print", "builtins:divmod",
            "json:decoder", "json:loads", "nonsense", "", ":", "a:b:c", "math:pi",
            "no_such_module:go", "game.policies:Observation"]
SETS = ["vision_range=6,20", "vision_range=6,6", "nope=1", "vision_range=", "=3",
        "vision_range=1e999", "vision_range=nan", "police_enabled=maybe", "x" * 300]
JUNK_FLAGS = ["--se", "--ma", "--seed", "--bogus", "-x", "--", "--json=1", "--map=", "-"]
OVERLAYS = ["scent", "fields", "nope", ""]
TIMEOUTS = [*NUMBERS, "0", "5", "86401"]
POLICY_ARGS = ["a=1", "collar_trust=0.9", "x=NaN", "x=" + "[" * 10_000, "no_value", "=3",
               "2x=1", "x=" + "9" * 5000, 'x="' + "y" * 300 + '"', "x=[1, 2", "table=/dev/zero"]


def option(name: str, values: list[str]) -> st.SearchStrategy[list[str]]:
    return st.sampled_from(values).map(lambda value: [name, value])


def switch(name: str) -> st.SearchStrategy[list[str]]:
    return st.just([name])


def command_lines(paths: Paths) -> st.SearchStrategy[list[str]]:
    """A subcommand and random options for it, the safe defaults first (the last value of a
    repeated flag wins, so a drawn value replaces them)."""
    window = [option("--frames", COUNTS), option("--screenshot", paths.outputs),
              option("--overlay", OVERLAYS), switch("--profile"), switch("--fullscreen"),
              switch("--windowed")]
    policy_flags = [option("--policy-arg", POLICY_ARGS), option("--decide-every", COUNTS),
                    option("--policy-timeout", TIMEOUTS)]
    games = [option("--policy", POLICIES), option("--seeds", COUNTS), option("--jobs", COUNTS),
             option("--max-minutes", MINUTES), switch("--no-police"),
             switch("--no-civilians"), switch("--json"), *policy_flags]
    commands = {
        "check-map": ([], [st.sampled_from(paths.inputs).map(lambda path: [path])]),
        "sim": (["--max-minutes", "0.02"],
                [option("--map", paths.maps), option("--seed", SEEDS),
                 option("--policy", POLICIES), option("--max-minutes", MINUTES),
                 option("--trace", paths.outputs), option("--record", paths.outputs),
                 option("--replay", paths.replays), switch("--json"), switch("--no-police"),
                 switch("--no-civilians"), *policy_flags]),
        "batch": (["--policy", "wait", "--seeds", "2", "--max-minutes", "0.02"],
                  [option("--map", paths.maps), option("--report", paths.folders), *games]),
        "sweep": (["--policy", "wait", "--seeds", "2", "--max-minutes", "0.02"],
                  [option("--map", paths.maps), option("--out", paths.folders),
                   option("--report", paths.folders), option("--set", SETS), *games]),
        "scenario": ([paths.scenarios[0]],
                     [st.sampled_from(paths.scenarios).map(lambda path: [path]),
                      option("--seeds", COUNTS), option("--jobs", COUNTS),
                      option("--junit", paths.outputs), option("--policy-timeout", TIMEOUTS),
                      switch("--json")]),
        "play": (["--frames", "2", "--map", paths.maps[0]],
                 [option("--map", paths.maps), option("--seed", SEEDS),
                  option("--autoplay", POLICIES), switch("--spectator"),
                  option("--policy", POLICIES), option("--record", paths.outputs), *window]),
        "replay": (["--frames", "2"],
                   [st.sampled_from(paths.replays).map(lambda path: [path]),
                    option("--map", paths.maps), *window]),
    }
    junk = st.sampled_from(JUNK_FLAGS).map(lambda flag: [flag])

    def build(name: str) -> st.SearchStrategy[list[str]]:
        defaults, choices = commands[name]
        parts = st.lists(st.one_of(*choices, junk), max_size=6)
        return parts.map(lambda drawn: [name, *defaults, *(word for part in drawn
                                                           for word in part)])

    return st.sampled_from(sorted(commands)).flatmap(build)


def run_in_process(argv: list[str], capsys) -> tuple[int, str, float]:
    started = time.monotonic()
    with deadline(SECONDS * 2):
        try:
            status = cli.main(argv)
        except SystemExit as exit_:
            status = exit_.code if isinstance(exit_.code, int) else 2
    out = capsys.readouterr()
    return status, out.err + out.out, time.monotonic() - started


def check(argv: list[str], capsys) -> None:
    status, output, seconds = run_in_process(argv, capsys)
    assert status in (0, 1, 2), (argv, status, output[-500:])
    assert "Traceback" not in output, (argv, output[-2000:])
    assert seconds < SECONDS, (argv, seconds)


FUZZ = settings(deadline=None, derandomize=True, suppress_health_check=[
    HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.data_too_large])


def test_rex_with_random_flags_values_and_paths(paths, quiet_window, capsys):
    @settings(FUZZ, max_examples=15)
    @given(command_lines(paths))
    def fuzz(argv: list[str]) -> None:
        check(argv, capsys)

    fuzz()


@pytest.mark.slow
def test_rex_with_random_flags_values_and_paths_long_run(paths, quiet_window, capsys):
    @settings(FUZZ, max_examples=400, derandomize=False)
    @given(command_lines(paths))
    def fuzz(argv: list[str]) -> None:
        check(argv, capsys)

    fuzz()
