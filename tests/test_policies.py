"""Mila policies: built-ins, your own by module:function, and rex batch that compares them."""

from __future__ import annotations

import json
import math
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from game import loop, policies
from game.sim.chase import step
from game.sim.commands import IDLE, Commands
from game.sim.world import World
from game.tiled import read_level
from game.tuning import Tuning
from tests import mapkit

ROOT = Path(__file__).resolve().parent.parent
FAST = Tuning(prewarm_seconds=60.0)

USER_POLICY = '''
from game.sim.commands import Commands

def go_east(obs):
    """Walks east, whatever happens."""
    return Commands.walk(1, 0)

class Counter:
    def __init__(self):
        self.ticks = 0

    def __call__(self, obs):
        self.ticks += 1
        return Commands(kneel=self.ticks > 30)
'''


@pytest.fixture()
def user_module(tmp_path, monkeypatch):
    (tmp_path / "my_mila.py").write_text(USER_POLICY)
    monkeypatch.syspath_prepend(str(tmp_path))
    return tmp_path


def test_a_user_policy_by_module_and_function(user_module, tmp_path):
    level = read_level(mapkit.write(mapkit.MapSpec(), tmp_path / "map"))
    world = World(level, 0, FAST, police=False, civilians=False)
    start = world.mila.x
    go = policies.make("my_mila:go_east", 0)
    for _ in range(30):
        step(world, go(policies.Observation(world)))
    assert world.mila.x > start + 1.0


def test_a_user_policy_class_is_made_once_per_game(user_module, tmp_path):
    level = read_level(mapkit.write(mapkit.MapSpec(), tmp_path / "map"))
    world = World(level, 0, FAST, police=False, civilians=False)
    first, second = policies.make("my_mila:Counter", 0), policies.make("my_mila:Counter", 0)
    assert first.policy is not second.policy and first.policy.ticks == 0
    made = first.policy
    for _ in range(40):
        loop.tick(world, first.commands)  # as every game asks its player
    # One instance all game long: its count reached 40 and, past 30, she knelt.
    assert first.policy is made and made.ticks == 40
    assert world.mila.posture == "kneel"
    assert second.policy.ticks == 0  # the next game's own, untouched


@pytest.mark.parametrize("spec, message", [
    ("nonsense", "unknown policy 'nonsense'"),
    ("no_such_module_here:go", "cannot import 'no_such_module_here'"),
    ("json:nothing_like_this", "'json' has no 'nothing_like_this'"),
    (":go", "is not package.module:function"),
    ("json:decoder", "is not callable"),
])
def test_bad_policy_names_are_refused_clearly(spec, message):
    with pytest.raises(policies.PolicyError) as caught:
        policies.make(spec, 0)
    assert message in str(caught.value)


# What each built-in policy visibly does in its first minute on the test map, with Rex
# coming (seed 3): (distance to the maple at the end, path walked, distinct commands given).
def _went_to_the_maple(left: float, walked: float, given: set[Commands]) -> bool:
    return left <= 1.5 and walked <= 35.0 * 1.1  # 35 tiles away, by a straight route


PLAYS_LIKE = {
    "wait": lambda left, walked, given: _went_to_the_maple(left, walked, given)
    and len(given) <= 2,
    "calm_basic": lambda left, walked, given: _went_to_the_maple(left, walked, given)
    and any(c.kneel and c.whisper for c in given),
    # She never goes to the maple: she meets him on his way (or holds still once the police
    # are about, as here) and calms him.
    "calm": lambda left, walked, given: left > 5.0
    and any(c.kneel and c.whisper for c in given),
    "idle": lambda left, walked, given: walked == 0.0 and given == {IDLE},
    "panicky": lambda left, walked, given: any(c.show_collar for c in given)
    and any(c.run for c in given),
    "wander": lambda left, walked, given: walked > 20.0 and left > 20.0
    and len({(c.move_x, c.move_y) for c in given}) >= 5,
    "random": lambda left, walked, given: len(given) >= 10 and walked > 10.0,
}


def test_every_built_in_policy_is_described_here():
    assert set(PLAYS_LIKE) == set(policies.BUILT_IN)


@pytest.mark.parametrize("name", sorted(policies.BUILT_IN))
def test_every_built_in_policy_plays_a_minute(name, tmp_path):
    level = read_level(mapkit.write(mapkit.MapSpec(), tmp_path))
    world = World(level, 3, FAST)
    act = policies.make(name, 3)
    maple = policies.Observation(world).maple_tree
    given: set[Commands] = set()
    walked = 0.0
    for _ in range(60 * 30):
        commands = act(policies.Observation(world))
        assert isinstance(commands, Commands)
        given.add(commands)
        x, y = world.mila.x, world.mila.y
        step(world, commands)
        walked += math.hypot(world.mila.x - x, world.mila.y - y)
        if world.ending is not None:
            break
    left = math.hypot(maple.x - world.mila.x, maple.y - world.mila.y)
    assert PLAYS_LIKE[name](left, walked, given), (name, round(left, 1), round(walked, 1),
                                                   len(given))


def test_the_calm_policy_steps_back_from_the_grab(tmp_path):
    level = read_level(mapkit.write(mapkit.MapSpec(), tmp_path))
    world = World(level, 0, FAST, police=False)
    calm = policies.make("calm", 0)
    person = world.crowd.civilians[0]
    world.crowd.grabber, person.grab_until = person.id, world.tick + 10
    person.x, person.y = world.mila.x + 1.0, world.mila.y
    move = calm(policies.Observation(world))
    assert move.move_x < 0  # away from him


def rex(*args: str, timeout: float = 600) -> subprocess.CompletedProcess:
    env = {**os.environ, "SDL_VIDEODRIVER": "dummy", "SDL_AUDIODRIVER": "dummy"}
    return subprocess.run([sys.executable, "-m", "game", *args], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=timeout)


def _first_move(name: str, world: World) -> Commands:
    return policies.make(name, 0)(policies.Observation(world))


def test_calm_basic_waits_at_the_maple_and_calm_goes_out_to_meet_him(tmp_path):
    level = read_level(mapkit.write(mapkit.MapSpec(), tmp_path))
    world = World(level, 0, FAST, police=False, civilians=False)
    basic, calm = _first_move("calm_basic", world), _first_move("calm", world)
    # The maple is far to the east of her school; the kennel gate to the north.
    assert basic.move_x > 0.9
    assert calm.moving and calm.move_y < -0.5


def test_calm_holds_still_once_the_police_hunt_him_and_stays_put(tmp_path):
    from game.sim import police as police_mod
    from game.sim.states import Phase

    level = read_level(mapkit.write(mapkit.MapSpec(), tmp_path))
    world = World(level, 0, FAST, civilians=False)
    for officer in world.police.officers:  # out of her sight: only the radio tells her
        officer.x, officer.y = 30.5, 1.5
    for car in world.police.cars:
        car.x, car.y = 30.5, 1.5
    calm = policies.make("calm", 0)
    assert calm(policies.Observation(world)).moving  # standby: safe, she walks out
    police_mod.set_phase(world, Phase.PURSUIT, [])
    assert not calm(policies.Observation(world)).moving
    police_mod.set_phase(world, Phase.SEARCH, [])  # the hunt has calmed: she still holds still
    assert not calm(policies.Observation(world)).moving


def test_calm_stops_on_sight_of_officers_even_before_the_alarm(tmp_path):
    level = read_level(mapkit.write(mapkit.MapSpec(), tmp_path))
    world = World(level, 0, FAST, civilians=False)  # the K9 unit stands in sight of her
    observation = policies.Observation(world)
    assert observation.phase == "standby" and observation.officers
    assert not _first_move("calm", world).moving


def test_calm_and_calm_basic_calm_him_down_alike(tmp_path):
    level = read_level(mapkit.write(mapkit.MapSpec(), tmp_path))
    world = World(level, 0, FAST, police=False, civilians=False)
    rex = world.rex
    rex.x, rex.y = world.mila.x + 2.0, world.mila.y
    for state, stress, trust in (("wary", 0.5, 0.2), ("calming", 0.2, 0.75),
                                 ("calming", 0.7, 0.4)):
        rex.state, rex.stress, rex.trust = state, stress, trust
        basic, calm = _first_move("calm_basic", world), _first_move("calm", world)
        assert basic == calm and not calm.moving and calm.kneel and calm.whisper
    assert calm.lift_hand is False and basic.show_collar is False  # still frightened


def test_batch_json_is_one_object_and_the_same_whatever_the_jobs(tmp_path):
    path = mapkit.write(mapkit.MapSpec(), tmp_path)
    common = ["batch", "--map", str(path), "--policy", "calm", "--policy", "panicky",
              "--seeds", "3", "--max-minutes", "3", "--json"]
    one = rex(*common, "--jobs", "1")
    two = rex(*common, "--jobs", "2")
    assert one.returncode == two.returncode == 0, one.stderr + two.stderr
    assert one.stdout.count("\n") == 1
    summary = json.loads(one.stdout)
    assert summary == json.loads(two.stdout)
    calm = summary["per_policy"]["calm"]
    assert calm["seeds"] == 3 and sum(calm["endings"].values()) == 3
    for name in ("endings", "seeds", "median_minutes", "mean_views", "ending_rates"):
        assert name in calm
    assert "rex batch" in one.stderr  # the progress bar, on stderr only


def test_batch_report_writes_games_and_plots(tmp_path):
    path = mapkit.write(mapkit.MapSpec(), tmp_path)
    out = tmp_path / "report"
    result = rex("batch", "--map", str(path), "--policy", "wait", "--seeds", "2",
                 "--max-minutes", "2", "--report", str(out))
    assert result.returncode == 0, result.stderr
    games = (out / "games.jsonl").read_text().splitlines()
    assert len(games) == 2 and json.loads(games[0])["policy"] == "wait"
    for plot in ("endings.png", "where_chases_ended.png"):
        assert (out / plot).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert "wait: 2 games" in result.stdout


def test_every_ending_has_its_colour_in_the_plots():
    from game import report
    from game.view import plots

    assert tuple(plots.ENDING_COLOURS) == report.ENDINGS


def test_batch_refuses_a_bad_policy_before_playing(tmp_path):
    path = mapkit.write(mapkit.MapSpec(), tmp_path)
    result = rex("batch", "--map", str(path), "--policy", "calm", "--policy", "nope:x",
                 "--seeds", "2")
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        "rex batch: error: cannot import 'nope': No module named 'nope'"]


def test_a_user_policy_runs_in_batch_workers(tmp_path):
    (tmp_path / "my_mila.py").write_text(textwrap.dedent(USER_POLICY))
    path = mapkit.write(mapkit.MapSpec(), tmp_path / "map")
    env = {**os.environ, "PYTHONPATH": f"{tmp_path}{os.pathsep}{ROOT}"}
    result = subprocess.run([sys.executable, "-m", "game", "batch", "--map", str(path),
                             "--policy", "my_mila:go_east", "--seeds", "2", "--jobs", "2",
                             "--max-minutes", "1", "--json"], cwd=ROOT, env=env,
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["per_policy"]["my_mila:go_east"]["seeds"] == 2
