"""The state hash is derived from the world's fields: changing any field of the world or of
anything it holds (every agent, the police, the crowd, the scent) changes it, except the
short list of fixed inputs and caches in ``world.NOT_HASHED``."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest

from game import policies
from game.sim import world as world_mod
from game.sim.chase import step
from game.sim.stage import Stage
from game.sim.world import World
from game.tiled import read_level
from game.tuning import DEFAULT

LAKESIDE = Path(__file__).resolve().parent.parent / "maps" / "lakeside.tmx"
MARK = "changed by the test"


@pytest.fixture(scope="module")
def busy_world() -> World:
    """A game well under way: the police searching with a perimeter formed or a pursuit on,
    cars out, people fleeing, Rex on the scent."""
    level = read_level(LAKESIDE)
    world = World(level, 2, stage=Stage(level, DEFAULT))
    act = policies.make("wait", 2)
    while world.ending is None and world.tick < 30 * 200 and not world.police.slots:
        step(world, act(policies.Observation(world)))
    assert world.police.slots and world.police.shared and world.ending is None
    return world


def _objects(value: Any, found: list[Any]) -> None:
    """Every object (not a plain value) the hash walks into, first and last of each list."""
    if isinstance(value, list | tuple):
        for item in (value[:1] + value[-1:]) if isinstance(value, list) else value:
            _objects(item, found)
    elif isinstance(value, dict):
        for item in value.values():
            _objects(item, found)
    elif value is None or isinstance(value, str | int | float | np.ndarray | np.generic
                                     | np.random.Generator | frozenset | set):
        return
    elif not any(value is seen for seen in found):
        found.append(value)
        for _, item in world_mod.hashed_fields(value):
            _objects(item, found)


def test_changing_any_hashed_field_changes_the_hash(busy_world):
    world = busy_world
    base = world.state_hash()
    objects: list[Any] = []
    _objects(world, objects)
    kinds = {type(o).__name__ for o in objects}
    assert {"World", "Rex", "Mila", "Dylan", "Officer", "Car", "Dispatcher", "PoliceForce",
            "Crowd", "Civilian", "ScentField", "Ground"} <= kinds
    unchanged = []
    for owner in objects:
        for name, original in world_mod.hashed_fields(owner):
            object.__setattr__(owner, name, MARK)  # frozen dataclasses too
            try:
                if world.state_hash() == base:
                    unchanged.append(f"{type(owner).__name__}.{name}")
            finally:
                object.__setattr__(owner, name, original)
    assert unchanged == []
    assert world.state_hash() == base


def test_the_perimeter_slots_and_who_they_were_set_for_are_in_the_hash(busy_world):
    police = busy_world.police
    base = busy_world.state_hash()
    around, walkers = police.slots_around, police.slots_for
    police.slots_around = (-1, -1)
    assert busy_world.state_hash() != base
    police.slots_around, police.slots_for = around, frozenset()
    assert busy_world.state_hash() != base
    police.slots_for = walkers
    assert busy_world.state_hash() == base


def test_what_is_left_out_is_named_and_really_left_out(busy_world):
    objects: list[Any] = []
    _objects(busy_world, objects)
    base = busy_world.state_hash()
    for owner in objects:
        for name in world_mod.NOT_HASHED.get(type(owner).__name__, ()):
            assert hasattr(owner, name), f"{type(owner).__name__}.{name} does not exist"
            original = getattr(owner, name)
            object.__setattr__(owner, name, MARK)
            try:
                assert busy_world.state_hash() == base, f"{type(owner).__name__}.{name}"
            finally:
                object.__setattr__(owner, name, original)
    names = {type(o).__name__ for o in objects}
    assert set(world_mod.NOT_HASHED) <= names  # no entry for a class the world no longer has
