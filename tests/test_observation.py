"""The fair observation holds only what Mila could perceive; the omniscient one holds it all."""

from __future__ import annotations

import copy
import json
import math
from pathlib import Path

import numpy as np
import pytest

from game import policies
from game.observation import Observation, Point
from game.sim import events as ev
from game.sim import mila as mila_mod
from game.sim.chase import step
from game.sim.perception import line_of_sight
from game.sim.world import World
from game.tiled import read_level
from game.tuning import Tuning
from tests import mapkit

FAST = Tuning(prewarm_seconds=30.0)

# Mila at M; a building between her and the police spawn P, 13 tiles east of her.
STREET = """
wwwwww..................................
w_R__w..................................
w____G..................................
wwwwww..................................
........................................
..D.....................................
...........###..........................
.....M.....###....P.....................
...........###..........................
........................................
......................A.....C...........
"""


@pytest.fixture(scope="module")
def street(tmp_path_factory):
    spec = mapkit.MapSpec(picture=STREET, object_props={
        "police_spawn": [("officers", "int", 3), ("cars", "int", 0)]})
    return read_level(mapkit.write(spec, tmp_path_factory.mktemp("street")))


def _world(level, **cast) -> World:
    world = World(level, 4, FAST, **cast)
    for _ in range(3):
        step(world, mila_mod.Commands())
    return world


def _place(agent, x: float, y: float) -> None:
    agent.x, agent.y = x, y


def test_an_officer_behind_a_building_or_beyond_her_sight_is_not_seen(street):
    world = _world(street, civilians=False)
    officers = [o for o in world.police.officers if o.car is None]
    hidden, far, near = officers[0], officers[1], officers[2]
    _place(hidden, 18.5, 7.5)  # behind the building, 13 tiles away
    _place(far, 5.5 + mila_mod.SIGHT + 3, 9.5)  # in the open, beyond her sight
    _place(near, 8.5, 9.5)  # in the open, close
    fair = Observation(world)
    assert [o.id for o in fair.officers] == [near.id]
    everyone = Observation(world, omniscient=True)
    assert {hidden.id, far.id, near.id} <= {o.id for o in everyone.officers}


def test_hidden_things_do_not_change_the_fair_observation(street):
    """Two worlds that differ only where Mila cannot see give the same fair observation."""
    one = _world(street, civilians=False)
    two = copy.deepcopy(one)
    _place(one.rex, 18.5, 7.5)  # behind the building
    _place(two.rex, 30.5, 1.5)  # far away in the open
    for world, spot in ((one, (17.5, 6.5)), (two, (19.5, 8.5))):
        officer = next(o for o in world.police.officers if o.car is None)
        _place(officer, *spot)  # both behind the building
        _place(world.dylan, *(spot[0] + 20, spot[1]))
    fair_one, fair_two = Observation(one).as_dict(), Observation(two).as_dict()
    assert fair_one == fair_two
    assert fair_one["rex"]["visible"] is False and fair_one["rex"]["position"] is None
    assert fair_one["rex"]["stress"] is None and fair_one["rex"]["distance"] is None
    assert Observation(one, omniscient=True).as_dict() != Observation(
        two, omniscient=True).as_dict()


def test_rex_in_sight_is_seen_and_his_meters_show_only_close_up(street):
    world = _world(street, police=False, civilians=False)
    _place(world.rex, 19.5, 1.5)  # 15.2 tiles away, in the open
    seen = Observation(world).rex
    assert seen.visible and seen.position == Point(world.rex.x, world.rex.y)
    assert seen.state == world.rex.state and seen.stress is None and seen.trust is None
    _place(world.rex, 8.5, 8.5)
    close = Observation(world).rex
    assert close.stress == world.rex.stress and close.trust == world.rex.trust
    assert close.distance == pytest.approx(math.hypot(3.0, 1.0))


def test_events_she_could_not_notice_are_left_out(street):
    world = _world(street, civilians=False)
    hidden = next(o for o in world.police.officers if o.car is None)
    _place(hidden, 18.5, 7.5)
    _place(world.rex, 18.5, 8.5)
    happened = (ev.Radio(3, "DISPATCH", "All units."), ev.RexSearchChanged(3, "follow", "cast"),
                ev.RexStateChanged(3, "tracking", "evading"),
                ev.AimStarted(3, hidden.id, hidden.x, hidden.y),
                ev.Sighting(3, hidden.id, world.rex.x, world.rex.y),
                ev.Announcement(3, 6.5, 9.5, 10.0))
    fair = Observation(world, happened).events
    assert [type(e) for e in fair] == [ev.Radio, ev.Announcement]
    assert Observation(world, happened, omniscient=True).events == happened


def test_she_smells_only_near_her_and_knows_the_map(street):
    world = _world(street, police=False, civilians=False)
    fair = Observation(world)
    patch = fair.scent_near(50)
    assert patch.values.shape == (2 * mila_mod.SMELL_RANGE + 1,) * 2
    cx, cy = world.mila.cell
    assert patch.values[cy - patch.y0, cx - patch.x0] == pytest.approx(
        world.scent.perceived(cx, cy))
    assert math.isnan(patch.values[0, 0]) == (patch.x0 < 0 and patch.y0 < 0)
    with pytest.raises(AttributeError, match="omniscient"):
        fair.scent  # noqa: B018
    whole = Observation(world, omniscient=True)
    assert whole.scent.shape == street.terrain.shape
    assert whole.scent_near(8).values.shape == (17, 17)
    assert fair.terrain.shape == fair.walkable.shape == street.terrain.shape
    with pytest.raises(ValueError):
        fair.walkable[0, 0] = True  # read-only


def test_the_observation_is_plain_data(street):
    world = _world(street)
    for omniscient in (False, True):
        data = Observation(world, (ev.Radio(1, "A", "b"),), omniscient=omniscient).as_dict()
        assert json.loads(json.dumps(data)) == data
        assert data["seed"] == 4 and data["tick"] == 3
        assert data["phase"] == "standby"


def test_each_group_alone_is_seen_as_one_look_at_everyone_sees_it():
    """A policy pays only for the groups it reads: each is looked at alone, with the sample
    count of one line-of-sight call over everyone near her. On a real game's positions
    (lakeside, the full cast, ``calm``), every group read alone, or all read from one
    observation, is what that one call over everyone saw."""
    level = read_level(Path(__file__).resolve().parent.parent / "maps" / "lakeside.tmx")
    world = World(level, 1)
    act = policies.make("calm", 1)
    looks = hidden = 0
    while world.ending is None and world.tick < 2700:
        if world.tick % 3 == 0:
            # The reference: one call over everyone within her sight, as a single pass sees.
            groups = {"rex": [world.rex], "dylan": [world.dylan],
                      "officers": [o for o in world.police.officers if o.car is None],
                      "cars": list(world.police.cars),
                      "civilians": [c for c in world.crowd.civilians if c.active]}
            everyone = [agent for members in groups.values() for agent in members]
            mila = world.mila
            xs = np.array([a.x for a in everyone])
            ys = np.array([a.y for a in everyone])
            near = np.hypot(xs - mila.x, ys - mila.y) <= mila_mod.SIGHT
            seen = np.zeros(len(everyone), bool)
            if near.any():
                seen[near] = line_of_sight(level.blocks_sight, xs[near], ys[near], mila.x,
                                           mila.y)
                looks += 1
                hidden += int(near.sum() - seen.sum())
            expected = {"rex": bool(seen[0]), "dylan": bool(seen[1])}
            at = 2
            for name in ("officers", "cars", "civilians"):
                members = groups[name]
                expected[name] = sorted(a.id for a, s in zip(members, seen[at:at + len(members)],
                                                             strict=True) if s)
                at += len(members)

            def answers(obs: Observation, name: str) -> object:
                if name == "rex":
                    return obs.rex.visible
                if name == "dylan":
                    return obs.dylan is not None
                return sorted(view.id for view in getattr(obs, name))

            together = Observation(world)
            for name in expected:
                assert answers(Observation(world), name) == expected[name], (world.tick, name)
                assert answers(together, name) == expected[name], (world.tick, name)
        step(world, act(Observation(world)))
    assert looks > 300 and hidden > 50, (looks, hidden)  # people near her, some hidden


def test_what_she_sees_of_rex_is_sampled_as_in_one_look_at_everyone(street):
    """Line of sight samples every segment of one call as finely as its longest needs, so
    whether a segment grazing a corner is clear can depend on who else is looked at. Rex
    alone is looked at as in the one call over everyone near her (her games stay the same
    whichever groups a policy reads): here an officer at the edge of her sight makes the
    samples of Rex's segment fall on the building's corner."""
    world = _world(street, civilians=False)
    _place(world.mila, 5.5, 7.5)
    _place(world.rex, 14.4, 5.1)  # past the building's top corner, as seen from her
    officers = [o for o in world.police.officers if o.car is None]
    for k, officer in enumerate(officers):
        _place(officer, 34.5, 1.5 + k)  # beyond her sight
    blocks = street.blocks_sight
    assert line_of_sight(blocks, np.array([14.4]), np.array([5.1]), 5.5, 7.5)[0]
    assert Observation(world).rex.visible  # looked at alone, by the one call over him
    _place(officers[0], 21.4, 7.5)  # 15.9 tiles east of her, behind the building
    assert not line_of_sight(blocks, np.array([14.4, 21.4]), np.array([5.1, 7.5]), 5.5,
                             7.5)[0]
    assert not Observation(world).rex.visible
    assert Observation(world).officers == ()
