"""Commands are checked and physical: clamped to unit length, refused when not numbers or
booleans, and swept so that no push carries Mila across a cell she cannot enter."""

from __future__ import annotations

import dataclasses
import math
from collections import deque

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from game.sim.chase import step
from game.sim.commands import FLAGS, IDLE, CommandError, Commands, checked
from game.sim.motion import RADIUS, fits, slide
from game.sim.world import World
from game.tiled import read_level
from game.tuning import Tuning
from tests import mapkit

FAST = Tuning(prewarm_seconds=30.0)

# Mila in a room: a one-tile wall east of her, then a seven-tile river and a wire fence.
WALLED = """
wwwwww..........................
w_R__w..........................
w____G..........................
wwwwww..........................
................................
..D.....P.......................
................................
.....M.w.~~~~~~~.f......A.......
.......w.~~~~~~~.f..............
.......w.~~~~~~~.f.....C........
.......w.~~~~~~~.f..............
"""


@pytest.fixture(scope="module")
def walled(tmp_path_factory):
    return read_level(mapkit.write(mapkit.MapSpec(picture=WALLED),
                                   tmp_path_factory.mktemp("walled")))


def _world(level) -> World:
    return World(level, 0, FAST, police=False, civilians=False)


def test_a_long_vector_walks_at_walking_speed(walled):
    slow, fast = _world(walled), _world(walled)
    for _ in range(20):
        step(slow, Commands(move_y=1.0))
        step(fast, Commands(move_y=30.0))
    assert fast.mila.y == pytest.approx(slow.mila.y)
    assert fast.mila.y > walled.one("mila_spawn").cell[1] + 0.5 + 0.5


def test_a_huge_vector_is_not_ignored(walled):
    world = _world(walled)
    start = world.mila.y
    for _ in range(10):
        step(world, Commands(move_y=1e9))
    assert world.mila.y > start + 0.4


@pytest.mark.parametrize("push", [30.0, 400.0, 1e9])
def test_no_push_carries_mila_over_the_wall_the_river_or_the_fence(walled, push):
    world = _world(walled)
    world.mila.x, world.mila.y = 6.5, 8.5  # beside the one-tile wall at x = 7
    for _ in range(90):
        step(world, Commands(move_x=push))
        assert world.mila.x < 7.0
    # Round the wall's top end: on to the river's bank and the far side of the fence never.
    world.mila.x, world.mila.y = 8.5, 8.5
    for _ in range(90):
        step(world, Commands(move_x=push))
        assert world.mila.x < 9.0
    world.mila.x, world.mila.y = 16.5, 8.5
    for _ in range(90):
        step(world, Commands(move_x=push))
        assert world.mila.x < 17.0


@pytest.mark.parametrize("bad, message", [
    (None, "returned None, not Commands"),
    ("east", "returned 'east', not Commands"),
    ({"move_x": 1.0}, "returned a dict"),
    ((1.0, 0.0), "returned a tuple"),
    (Commands(move_x=float("nan")), "move_x is nan, not a finite number"),
    (Commands(move_y=float("inf")), "move_y is inf, not a finite number"),
    (Commands(move_x="east"), "move_x is 'east', not a number"),
    (Commands(move_x=True), "move_x is True, not a number"),
    (Commands(kneel=1), "kneel is 1, not True or False"),
    (Commands(run="yes"), "run is 'yes', not True or False"),
])
def test_bad_commands_are_refused_with_what_is_wrong(bad, message):
    with pytest.raises(CommandError, match=message.replace("(", r"\(")):
        checked(bad)


def test_every_flag_is_checked_on_the_quick_path_too():
    """The quick path for well-formed commands names the flags one by one (for speed): each of
    FLAGS, given something other than a bool, is still refused, and every bool field of
    Commands is one of FLAGS."""
    fields = {f.name for f in dataclasses.fields(Commands)} - {"move_x", "move_y"}
    assert fields == set(FLAGS)
    for name in FLAGS:
        with pytest.raises(CommandError, match=f"{name} is 1, not True or False"):
            checked(dataclasses.replace(IDLE, **{name: 1}))
        converted = checked(dataclasses.replace(IDLE, **{name: np.bool_(True)}))
        assert type(getattr(converted, name)) is bool and getattr(converted, name)


def test_the_simulation_itself_refuses_bad_commands(walled):
    world = _world(walled)
    with pytest.raises(CommandError, match="move_x is nan"):
        step(world, Commands(move_x=float("nan")))


def test_valid_commands_pass_unchanged_and_numbers_of_other_types_are_converted():
    walk = Commands.walk(3.0, 4.0, run=True)
    assert checked(walk) is walk and checked(IDLE) is IDLE
    converted = checked(Commands(move_x=np.float32(0.5), move_y=0, kneel=np.bool_(True)))
    assert converted == Commands(move_x=0.5, move_y=0.0, kneel=True)
    assert type(converted.move_x) is float and type(converted.kneel) is bool
    clamped = checked(Commands(move_x=30.0, move_y=-40.0))
    assert (clamped.move_x, clamped.move_y) == pytest.approx((0.6, -0.8))


def _component(passable: np.ndarray, start: tuple[int, int]) -> set[tuple[int, int]]:
    """The 4-connected passable cells reachable from ``start``: where a square of half-size
    RADIUS (under half a tile) can go, since it cannot squeeze between diagonal corners."""
    height, width = passable.shape
    seen, todo = {start}, deque([start])
    while todo:
        x, y = todo.popleft()
        for nx, ny in ((x + 1, y), (x - 1, y), (x, y + 1), (x, y - 1)):
            if 0 <= nx < width and 0 <= ny < height and passable[ny, nx] and (
                    (nx, ny) not in seen):
                seen.add((nx, ny))
                todo.append((nx, ny))
    return seen


huge = st.floats(min_value=-1e12, max_value=1e12, allow_nan=False, allow_infinity=False)


@settings(max_examples=300, deadline=None)
@given(walls=st.lists(st.booleans(), min_size=64, max_size=64), start=st.integers(0, 63),
       offset=st.tuples(st.floats(-0.2, 0.2), st.floats(-0.2, 0.2)), dx=huge, dy=huge)
def test_a_swept_move_never_leaves_the_ground_it_started_on(walls, start, offset, dx, dy):
    passable = ~np.array(walls, bool).reshape(8, 8)
    sx, sy = start % 8, start // 8
    passable[sy, sx] = True
    x, y = sx + 0.5 + offset[0], sy + 0.5 + offset[1]
    assume(fits(passable, x, y))  # at +0.2 the square reaches the next cell's edge
    nx, ny = slide(passable, x, y, dx, dy)
    assert fits(passable, nx, ny)
    cells_touched = {(math.floor(nx + ox), math.floor(ny + oy))
                     for ox in (-RADIUS, RADIUS) for oy in (-RADIUS, RADIUS)}
    assert cells_touched <= _component(passable, (sx, sy))


@settings(max_examples=200, deadline=None)
@given(row=st.integers(1, 6), wall=st.integers(2, 5), dx=st.floats(0.3, 1e12),
       dy=st.floats(-1e12, 1e12))
def test_a_wall_across_the_map_is_never_crossed(row, wall, dx, dy):
    passable = np.ones((8, 8), bool)
    passable[:, wall] = False
    nx, _ = slide(passable, wall - 0.5, row + 0.5, dx, dy)
    assert nx + RADIUS < wall


def test_a_huge_move_along_one_axis_with_a_tiny_one_along_the_other_ends_quickly():
    """Hypothesis found it: dx=1e-5 with dy=1e12 once made trillions of sub-steps."""
    passable = np.ones((8, 8), bool)
    nx, ny = slide(passable, 3.5, 3.5, 1e-5, 1e12)
    assert fits(passable, nx, ny) and ny == pytest.approx(8 - RADIUS, abs=0.31)
