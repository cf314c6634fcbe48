"""On a large map (over LARGE_MAP_CELLS), units far from their block share one route field per
cluster of blocks; near it, and on the shipped maps' sizes, they route to the block itself."""

from __future__ import annotations

import numpy as np
import pytest

from game.sim import police as police_mod
from game.sim.world import World
from game.tiled import read_level
from game.tuning import DEFAULT
from tests import mapkit


def open_map(tmp_path, width: int, height: int):
    rows = [["."] * width for _ in range(height)]
    for x, ch in enumerate("wwwwww"):
        rows[0][x] = rows[2][x] = ch
    for x, ch in enumerate("w_R__G"):
        rows[1][x] = ch
    rows[4][2], rows[6][3], rows[height - 2][width - 2] = "P", "M", "A"
    rows[8][8] = "D"
    spec = mapkit.MapSpec(picture="\n".join("".join(row) for row in rows))
    return read_level(mapkit.write(spec, tmp_path))


@pytest.fixture(scope="module")
def large(tmp_path_factory):
    level = open_map(tmp_path_factory.mktemp("large"), 240, 160)
    assert level.width * level.height > police_mod.LARGE_MAP_CELLS
    return World(level, 1, DEFAULT, civilians=False)


def test_far_units_share_one_field_per_cluster(large):
    world = large
    first, second = world.police.officers[:2]
    blocks = world.stage.blocks
    # Two blocks of one cluster, far from both officers (who stand by the kennel).
    a, b = (200, 130), (210, 140)
    assert blocks.cluster_cell(a, blocks.foot) == blocks.cluster_cell(b, blocks.foot)
    first.route, second.route = a, b
    field_a = police_mod._route_values(world, first, "foot")
    field_b = police_mod._route_values(world, second, "foot")
    assert field_a.values is field_b.values  # one field, computed once
    goal = blocks.cluster_cell(a, blocks.foot)
    assert field_a.values[goal[1], goal[0]] == 0.0
    assert np.isfinite(field_a.values[first.cell[1], first.cell[0]])


def test_a_unit_near_its_block_routes_to_the_block_itself(large):
    world = large
    officer = world.police.officers[0]
    x, y = officer.cell
    officer.route = (x + 20, y + 10)
    field = police_mod._route_values(world, officer, "foot")
    assert field.at(*officer.route) == 0.0


def test_on_a_map_of_the_shipped_size_a_far_unit_routes_to_its_block(tmp_path):
    level = open_map(tmp_path, 180, 120)
    assert level.width * level.height <= police_mod.LARGE_MAP_CELLS
    world = World(level, 1, DEFAULT, civilians=False)
    officer = world.police.officers[0]
    officer.route = (170, 110)
    field = police_mod._route_values(world, officer, "foot")
    assert field.at(170, 110) == 0.0
