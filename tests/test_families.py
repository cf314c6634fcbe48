"""Every valid map plays: Rex reaches a waiting Mila on the map families built to break him.

The full table (20 maps a family, docs/BALANCE.md has it with 5 seeds a map) runs in the slow
CI step; a map of every family runs in the default suite.
"""

from __future__ import annotations

import numpy as np
import pytest

from benchmarks import families
from tests import mapfamilies


def test_a_map_of_every_family_plays(tmp_path):
    bundles = {family: [families.MapBundle.read(mapfamilies.generate(family, 2, tmp_path))]
               for family in mapfamilies.FAMILIES}
    rows = families.reach_rows(bundles, seeds=1, jobs=1, progress=False)
    for family, row in rows.items():
        assert row["reached"] == row["games"] == 1, (family, row["failed"])


def test_every_family_has_its_own_shape(tmp_path):
    """The generators make what they say: a river across the whole map, the strongest wind
    from Rex toward Mila, the sizes from 64 x 48 to 512 x 384."""
    from game.tiled import read_level

    river = read_level(mapfamilies.generate("river", 0, tmp_path))
    water = river.terrain == mapfamilies.WA
    # end to end: water in every row (or column) but the few its crossings take
    assert max(water.any(axis=0).mean(), water.any(axis=1).mean()) > 0.9
    upwind = read_level(mapfamilies.generate("upwind", 0, tmp_path))
    assert upwind.settings.wind_speed == mapfamilies.MAX_WIND
    for index, size in ((0, mapfamilies.SIZES[0]), (19, mapfamilies.SIZES[1])):
        canvas = mapfamilies.sizes(index, np.random.default_rng(index))
        assert (canvas.width, canvas.height) == size


@pytest.mark.slow
def test_every_family_plays_in_95_percent_of_games(tmp_path, capsys):
    bundles = {family: families.family_maps(family, 20, tmp_path / family)
               for family in mapfamilies.FAMILIES}
    rows = families.reach_rows(bundles, seeds=2, jobs=2, progress=False)
    with capsys.disabled():
        print("\n" + families.reach_table(rows))
    for family, row in rows.items():
        assert row["share"] >= 0.95, (family, row["failed"])
