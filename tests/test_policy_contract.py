"""The policy contract: objects with reset/act and arguments, decisions every K ticks, and
every way a policy can fail reported as one line naming it (traceback only with --debug)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from game import policies
from game.sim.commands import Commands
from game.sim.world import World
from game.tiled import read_level
from game.tuning import Tuning
from game.watchdog import Watchdog
from tests import mapkit

ROOT = Path(__file__).resolve().parent.parent
FAST = Tuning(prewarm_seconds=30.0)

POLICIES = '''
import time

from game.sim.commands import IDLE, Commands


def boom(obs):
    if obs.tick >= 5:
        raise ValueError("lost\\nthe way")
    return IDLE


def returns_none(obs):
    return None


def two_arguments(obs, extra):
    return IDLE


def sleepy(obs):
    if obs.tick == 3:
        time.sleep(120)
    return IDLE


def spins(obs):
    while obs.tick == 3:
        pass
    return IDLE


def east(obs, speed=1.0):
    return Commands(move_x=speed)


class Counted:
    """Counts its calls; walks at ``speed``; keeps what reset was given."""

    def __init__(self, speed=1.0, note="none"):
        self.speed, self.note, self.calls, self.reset_with = speed, note, [], None

    def reset(self, seed, level):
        self.reset_with = (seed, level.name)

    def act(self, obs):
        self.calls.append(obs.tick)
        return Commands(move_x=self.speed)


class AllSeeing:
    omniscient = True

    def __init__(self):
        self.saw = []

    def __call__(self, obs):
        self.saw.append(obs.omniscient)
        return IDLE
'''


@pytest.fixture()
def folder(tmp_path, monkeypatch):
    (tmp_path / "contract_mila.py").write_text(POLICIES)
    monkeypatch.syspath_prepend(str(tmp_path))
    return tmp_path


@pytest.fixture()
def level(tmp_path):
    return read_level(mapkit.write(mapkit.MapSpec(), tmp_path / "map"))


def rex(folder: Path, *args: str, timeout: float = 300) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": f"{folder}{os.pathsep}{ROOT}",
           "SDL_VIDEODRIVER": "dummy", "SDL_AUDIODRIVER": "dummy"}
    return subprocess.run([sys.executable, "-m", "game", *args], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=timeout)


def _play(level, player: policies.Player, ticks: int) -> World:
    from game.sim.chase import step

    world = World(level, 7, FAST, police=False, civilians=False)
    with player.watchdog:
        for _ in range(ticks):
            commands = player.commands(world)
            player.heard(step(world, commands))
    return world


def test_an_object_policy_is_made_with_its_arguments_reset_and_asked_every_k_ticks(
        folder, level):
    player = policies.Player("contract_mila:Counted", {"speed": 0.5, "note": "hi"},
                             decide_every=10)
    _play(level, player, 35)
    counted = player.policy
    assert counted.speed == 0.5 and counted.note == "hi"
    assert counted.reset_with == (7, level.name)
    assert counted.calls == [0, 10, 20, 30]
    assert player.label == 'contract_mila:Counted(note="hi", speed=0.5)'


def test_a_function_policy_gets_its_arguments_on_every_call(folder, level):
    fast, slow = (_play(level, policies.Player("contract_mila:east", {"speed": s}), 30)
                  for s in (1.0, 0.25))
    assert fast.mila.x - slow.mila.x > 0.5


def test_a_policy_that_asks_for_the_truth_gets_it(folder, level):
    player = policies.Player("contract_mila:AllSeeing")
    _play(level, player, 3)
    assert player.policy.saw == [True, True, True]
    calm = policies.Player("calm")
    assert not calm.omniscient


@pytest.mark.parametrize("name, args, message", [
    ("contract_mila:two_arguments", None,
     "'contract_mila:two_arguments' is not a policy: it must take one argument, the "
     "observation: "
     "two_arguments(obs, extra)"),
    ("contract_mila:Counted", {"sped": 2}, "policy 'contract_mila:Counted' does not take "
                                           "these arguments: got an unexpected keyword"),
    ("contract_mila:boom", {"speed": 2}, "must take the observation and the keyword arguments"),
    ("calm", {"collar_trust": 0.9, "bravery": 1}, "policy 'calm' does not take these"),
])
def test_policies_that_cannot_work_are_refused_before_the_game(folder, name, args, message):
    with pytest.raises(policies.PolicyError, match=message.replace("(", r"\(").replace(
            ")", r"\)")):
        policies.check(name, args)


@pytest.mark.parametrize("name, message", [
    ("contract_mila:boom", "policy 'contract_mila:boom' raised ValueError: lost the way "
                           "(at tick 5, seed 7)"),
    ("contract_mila:returns_none", "policy 'contract_mila:returns_none' returned None, not "
                                   "Commands (at tick 0, seed 7)"),
])
def test_a_policy_that_fails_in_the_game_is_one_line(folder, level, name, message):
    with pytest.raises(policies.PolicyError) as caught:
        _play(level, policies.Player(name), 10)
    assert str(caught.value) == message
    assert caught.value.tick == int(message.split("tick ")[1].split(",")[0])


@pytest.mark.parametrize("returned, says", [
    ("'east'", "returned 'east', not Commands"),
    ("{'move_x': 1}", "returned a dict ({'move_x': 1}), not Commands"),
    ("(1.0, 0.0)", "returned a tuple ((1.0, 0.0)), not Commands"),
    ("Commands(move_x=float('nan'))", "returned bad commands: move_x is nan, not a finite"),
    ("Commands(move_x='east')", "returned bad commands: move_x is 'east', not a number"),
])
def test_bad_returns_name_the_policy(tmp_path, monkeypatch, level, returned, says):
    module = f"odd_mila_{abs(hash(returned))}"
    (tmp_path / f"{module}.py").write_text(
        f"from game.sim.commands import Commands\n\ndef odd(obs):\n    return {returned}\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    with pytest.raises(policies.PolicyError, match=f"^policy '{module}:odd' {says}"
                       .replace("(", r"\(").replace(")", r"\)")):
        _play(level, policies.Player(f"{module}:odd"), 2)


def test_policy_arguments_are_json_or_strings():
    assert policies.parse_arg("lr=0.1") == ("lr", 0.1)
    assert policies.parse_arg("path=models/a.npz") == ("path", "models/a.npz")
    assert policies.parse_arg('name="x=1"') == ("name", "x=1")
    assert policies.parse_arg("on=true") == ("on", True)
    assert policies.parse_arg("sizes=[1, 2]") == ("sizes", [1, 2])
    for bad in ("lr", "=3", "2x=1", "x=NaN"):
        with pytest.raises(policies.PolicyError):
            policies.parse_arg(bad)


def test_sim_reports_a_raising_policy_in_one_line_and_its_traceback_with_debug(folder):
    path = mapkit.write(mapkit.MapSpec(), folder / "map")
    common = ["sim", "--map", str(path), "--policy", "contract_mila:boom", "--seed", "2"]
    plain = rex(folder, *common)
    assert plain.returncode == 1 and plain.stdout == ""
    assert plain.stderr.splitlines() == [
        "rex sim: error: policy 'contract_mila:boom' raised ValueError: lost the way "
        "(at tick 5, seed 2)"]
    debug = rex(folder, *common, "--debug", "--json")
    assert debug.returncode == 1
    assert "Traceback" in debug.stderr and 'raise ValueError("lost' in debug.stderr
    assert json.loads(debug.stdout) == {
        "map": "map", "seed": 2, "policy": "contract_mila:boom", "ticks": 5,
        "error": "policy 'contract_mila:boom' raised ValueError: lost the way "
                 "(at tick 5, seed 2)"}


@pytest.mark.parametrize("name", ["contract_mila:sleepy", "contract_mila:spins"])
def test_a_stalled_policy_ends_the_game_as_an_error(folder, name):
    path = mapkit.write(mapkit.MapSpec(), folder / "map")
    result = rex(folder, "sim", "--map", str(path), "--policy", name, "--policy-timeout",
                 "0.5", "--json", timeout=60)
    assert result.returncode == 1
    error = json.loads(result.stdout)["error"]
    assert error == (f"policy '{name}' did not answer within 0.5 s (at tick 3, seed 0); "
                     "--policy-timeout sets the limit")
    assert result.stderr.strip() == f"rex sim: error: {error}"


def test_batch_counts_a_stalled_or_raising_policy_as_errors_and_goes_on(folder):
    path = mapkit.write(mapkit.MapSpec(), folder / "map")
    result = rex(folder, "batch", "--map", str(path), "--policy", "contract_mila:sleepy",
                 "--policy", "contract_mila:boom", "--policy", "contract_mila:Counted",
                 "--policy-arg", "speed=0.5", "--seeds", "2", "--jobs", "2",
                 "--max-minutes", "0.5", "--policy-timeout", "0.5", "--json", timeout=120)
    assert result.returncode == 1
    per_policy = json.loads(result.stdout)["per_policy"]
    assert per_policy["contract_mila:sleepy"]["errors"] == 2
    assert per_policy["contract_mila:boom"]["errors"] == 2
    assert per_policy["contract_mila:Counted(speed=0.5)"] == {**per_policy[
        "contract_mila:Counted(speed=0.5)"], "seeds": 2, "errors": 0}
    failed = [line for line in result.stderr.splitlines() if "failed" in line]
    assert len(failed) == 4 and "Traceback" not in result.stderr


def test_policy_arg_goes_to_the_policy_before_it(folder):
    path = mapkit.write(mapkit.MapSpec(), folder / "map")
    early = rex(folder, "batch", "--map", str(path), "--policy-arg", "speed=1",
                "--policy", "calm", "--seeds", "1")
    assert early.returncode == 2
    assert "give --policy NAME before its --policy-arg" in early.stderr
    wrong = rex(folder, "batch", "--map", str(path), "--policy", "calm", "--policy-arg",
                "speed=1", "--policy", "contract_mila:Counted", "--seeds", "1")
    assert wrong.returncode == 2 and "policy 'calm' does not take these" in wrong.stderr


def test_sim_help_lists_every_built_in_policy():
    result = subprocess.run([sys.executable, "-m", "game", "sim", "--help"], cwd=ROOT,
                            capture_output=True, text=True, timeout=60)
    text = " ".join(result.stdout.split())
    for name in policies.BUILT_IN:
        assert f"{name}: {policies.SUMMARIES[name]}" in text
    for flag in ("--policy-arg", "--decide-every", "--policy-timeout", "--debug"):
        assert flag in text


def test_a_decision_every_k_ticks_repeats_the_commands_in_between(folder, level):
    every = policies.Player("random", decide_every=30)
    world = World(level, 3, FAST, police=False, civilians=False)
    from game.sim.chase import step

    seen = []
    for _ in range(60):
        commands = every.commands(world)
        seen.append(commands)
        step(world, commands)
    assert all(c == seen[0] for c in seen[:30]) and all(c == seen[30] for c in seen[30:])
    assert isinstance(seen[0], Commands)


def test_a_policy_that_fails_in_the_window_is_one_line_too(folder):
    path = mapkit.write(mapkit.MapSpec(), folder / "map")
    result = rex(folder, "play", "--map", str(path), "--autoplay", "contract_mila:returns_none",
                 "--frames", "20", "--seed", "1")
    assert result.returncode == 1
    assert result.stderr.strip().splitlines()[-1] == (
        "rex play: error: policy 'contract_mila:returns_none' returned None, not Commands "
        "(at tick 0, seed 1)")
    assert "Traceback" not in result.stderr


def test_an_alarm_set_before_the_game_still_goes_off_on_time():
    """The policy time limit borrows SIGALRM; a caller's own alarm (a test's deadline around
    an in-process run of rex, say) fires on time during the game, or later, as it was set."""
    fired: list[float] = []
    previous = signal.signal(signal.SIGALRM, lambda *_: fired.append(time.monotonic()))
    try:
        start = time.monotonic()
        signal.setitimer(signal.ITIMER_REAL, 0.3)
        with Watchdog(60.0):  # its own ticks are a second apart
            while time.monotonic() - start < 0.6:
                pass
        assert len(fired) == 1 and 0.29 <= fired[0] - start < 0.45
        fired.clear()
        signal.setitimer(signal.ITIMER_REAL, 0.5)
        with Watchdog(60.0):
            time.sleep(0.1)
        assert not fired
        left, _ = signal.getitimer(signal.ITIMER_REAL)
        assert 0.25 < left <= 0.41  # what was left of it, set again
        time.sleep(0.6)
        assert len(fired) == 1
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
