"""The stage cache: a cached pre-warm plays the same game, the key follows what the scent
depends on and nothing else, and a damaged cache file is rebuilt, never fatal."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from game import stagecache
from game.sim import scent as scent_mod
from game.sim.chase import step
from game.sim.commands import Commands
from game.sim.scent import prewarm_key
from game.sim.stage import Stage
from game.sim.world import World
from game.tiled import read_level
from game.tuning import DEFAULT, Tuning
from tests import mapkit


@pytest.fixture
def cache(tmp_path, monkeypatch):
    folder = tmp_path / "cache"
    monkeypatch.setenv("REX_STAGE_CACHE", str(folder))
    stagecache.forget()
    yield folder
    stagecache.forget()


@pytest.fixture
def level(tmp_path):
    spec = mapkit.MapSpec(map_properties=[("wind_speed", "float", 0.7),
                                          ("wind_deg", "float", 40.0)])
    return read_level(mapkit.write(spec, tmp_path / "map"))


def no_solving(monkeypatch):
    def refuse(*_args, **_kwargs):
        raise AssertionError("the pre-warm ran although the cache had it")
    monkeypatch.setattr(scent_mod, "settle", refuse)
    monkeypatch.setattr(scent_mod, "SteadyState", refuse)


def hash_after(stage: Stage, ticks: int = 90) -> str:
    world = World(stage.level, 3, stage.tuning, stage=stage)
    for _ in range(ticks):
        step(world, Commands(move_x=1.0))
    return world.state_hash()


def test_a_cached_prewarm_plays_the_same_game_from_memory_and_from_disk(
        cache, level, monkeypatch):
    fresh = Stage(level, DEFAULT)
    built = stagecache.build_stage(level, DEFAULT)
    assert len(list(cache.glob("*.npz"))) == 1
    no_solving(monkeypatch)
    from_memory = stagecache.build_stage(level, DEFAULT)
    stagecache.forget()
    from_disk = stagecache.build_stage(level, DEFAULT)
    for stage in (built, from_memory, from_disk):
        assert np.array_equal(stage.scent.collar_start, fresh.scent.collar_start)
        assert np.array_equal(stage.scent.distractors, fresh.scent.distractors)
    assert hash_after(from_disk) == hash_after(fresh)


def test_the_key_follows_the_scent_and_ignores_the_rest(level):
    key = prewarm_key(level, DEFAULT)
    police = tuple(dataclasses.replace(o, properties={**o.properties, "officers": 9})
                   if o.kind == "police_spawn" else o for o in level.objects)
    assert prewarm_key(dataclasses.replace(level, objects=police), DEFAULT) == key
    assert prewarm_key(level, Tuning(vision_range=DEFAULT.vision_range + 3)) == key
    assert prewarm_key(level, Tuning(scent_decay=DEFAULT.scent_decay * 2)) != key
    walled = level.passes_scent.copy()
    walled[2, 2] = not walled[2, 2]
    assert prewarm_key(dataclasses.replace(level, passes_scent=walled), DEFAULT) != key


@pytest.mark.parametrize("damage", [b"", b"not a zip at all", b"PK\x03\x04broken"])
def test_a_damaged_cache_file_is_rebuilt(cache, level, damage):
    stagecache.build_stage(level, DEFAULT)
    (path,) = cache.glob("*.npz")
    path.write_bytes(damage)
    stagecache.forget()
    stage = stagecache.build_stage(level, DEFAULT)
    assert np.array_equal(stage.scent.collar_start, Stage(level, DEFAULT).scent.collar_start)
    assert path.stat().st_size > 1000  # written again


def test_a_cache_file_of_another_shape_is_not_used(cache, level, tmp_path):
    stagecache.build_stage(level, DEFAULT)
    (path,) = cache.glob("*.npz")
    np.savez(path, distractors=np.zeros((1, 3), np.float32), collar=np.zeros(3))
    stagecache.forget()
    stage = stagecache.build_stage(level, DEFAULT)
    assert stage.scent.collar_start.shape == (stage.scent.stencil.size,)


def test_a_cache_that_cannot_be_written_never_stops_a_game(tmp_path, monkeypatch, level):
    blocker = tmp_path / "a file, not a folder"
    blocker.write_text("")
    monkeypatch.setenv("REX_STAGE_CACHE", str(blocker / "stages"))
    stagecache.forget()
    stage = stagecache.build_stage(level, DEFAULT)
    assert np.array_equal(stage.scent.collar_start, Stage(level, DEFAULT).scent.collar_start)


def test_the_disk_cache_can_be_turned_off(cache, level, monkeypatch):
    monkeypatch.setenv("REX_NO_STAGE_CACHE", "1")
    stagecache.build_stage(level, DEFAULT)
    assert not cache.exists()
