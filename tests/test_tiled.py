"""The shipped maps survive Tiled's own writer, and Tiled's renderer can draw them.

Skipped where the Tiled editor is not installed; the CI steps install Debian's `tiled`
(.ci/setup.sh).
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest

from game.mapcheck import check_file
from game.tiled import read_level

ROOT = Path(__file__).resolve().parent.parent
MAPS = sorted((ROOT / "maps").glob("*.tmx"))
OFFSCREEN = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}

pytestmark = pytest.mark.skipif(shutil.which("tiled") is None,
                                reason="the Tiled editor is not installed")


def copy_project(tmp_path: Path) -> Path:
    shutil.copytree(ROOT / "maps", tmp_path / "maps")
    shutil.copytree(ROOT / "assets", tmp_path / "assets")
    return tmp_path / "maps"


@pytest.mark.parametrize("source", MAPS, ids=[p.stem for p in MAPS])
def test_tiled_rewrites_the_map_and_it_still_loads_the_same(tmp_path, source):
    maps = copy_project(tmp_path)
    exported = maps / f"{source.stem}_by_tiled.tmx"
    subprocess.run(["tiled", "--export-map", "tmx", str(maps / source.name), str(exported)],
                   env=OFFSCREEN, check=True, capture_output=True, timeout=120)
    ok, lines = check_file(exported)
    assert ok, lines
    ours, theirs = read_level(maps / source.name), read_level(exported)
    assert np.array_equal(ours.terrain, theirs.terrain)
    for mover in ours.cost:
        assert np.array_equal(ours.cost[mover], theirs.cost[mover])
    assert np.array_equal(ours.blocks_sight, theirs.blocks_sight)
    assert np.array_equal(ours.scent_decay, theirs.scent_decay)
    assert [(o.id, o.kind, o.cell, o.properties) for o in ours.objects] == [
        (o.id, o.kind, o.cell, o.properties) for o in theirs.objects]
    assert ours.settings == theirs.settings
    assert sorted(ours.zones) == sorted(theirs.zones)


@pytest.mark.skipif(shutil.which("tmxrasterizer") is None, reason="no tmxrasterizer")
def test_tiled_renders_the_map(tmp_path):
    out = tmp_path / "map.png"
    subprocess.run(["tmxrasterizer", "--scale", "0.25", str(MAPS[0]), str(out)],
                   env=OFFSCREEN, check=True, capture_output=True, timeout=120)
    assert out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
