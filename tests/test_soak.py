"""The soak in the slow CI step: 1000 games, no exception, nothing impossible, memory flat."""

from __future__ import annotations

import pytest

from tests import soak


@pytest.mark.slow
def test_a_thousand_games_soak_cleanly(capsys):
    report = soak.soak(1000, workers=2)
    with capsys.disabled():
        print(f"\nsoak: {report}")
    assert sum(report["endings"].values()) == 1000
    for worker in report["memory_kib"]:
        # Resident memory after the first hundred games against the last: flat, within 15%.
        assert worker["at_the_end"] <= worker["after_first_games"] * 1.15, report


def test_a_short_soak(tmp_path):
    """The same checks on a dozen games, in the default run."""
    report = soak.soak(12, workers=2)
    assert sum(report["endings"].values()) == 12


def test_the_soak_checks_catch_someone_where_they_cannot_be():
    """The checks can fail: Mila in a building, a car off the road, Dylan at NaN."""
    import numpy as np

    world = soak.World(soak.load_checked(soak.MAPS[0]), 3, soak.DEFAULT)
    soak.check_positions(world)  # the start is sound
    wall = np.argwhere(~world.stage.walkable)[0]
    world.mila.x, world.mila.y = wall[1] + 0.5, wall[0] + 0.5
    with pytest.raises(AssertionError, match="Mila"):
        soak.check_positions(world)

    world = soak.World(soak.load_checked(soak.MAPS[0]), 3, soak.DEFAULT)
    car = world.police.cars[0]
    off_road = np.argwhere(~world.stage.drivable)[0]
    car.x, car.y = off_road[1] + 0.5, off_road[0] + 0.5
    with pytest.raises(AssertionError, match=f"car {car.id}"):
        soak.check_positions(world)

    world = soak.World(soak.load_checked(soak.MAPS[0]), 3, soak.DEFAULT)
    world.dylan.x = float("nan")
    with pytest.raises(AssertionError, match="Dylan"):
        soak.check_positions(world)
