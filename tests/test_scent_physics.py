"""The scent physics against the continuum: on an open grid in still air the steady plume of
a point source is ``c(r) = Q / (2 pi D) K0(r sqrt(k / D))`` (Q the collar's emission a second, D
the diffusion, k the decay), so both its level and its decay length are checked, within 2%
for 3 <= r <= 40 tiles, for the pre-warm and for the tick (run from nothing on a map large
enough that the far field advances at its slower rate); and the window's step is the full
step's, bit for bit, where it reaches."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy.special import k0

from game import tuning as tuning_mod
from game.sim.scent import TICK_HZ, ScentField, ScentSetup, Stencil
from game.tiled import read_level
from tests import mapkit

SIDE = 190  # tiles: Mila in the middle, over 90 tiles from every edge


def open_level(tmp_path):
    rows = [["."] * SIDE for _ in range(SIDE)]
    for x, ch in enumerate("wwwww"):
        rows[0][x] = rows[2][x] = ch
    for x, ch in enumerate("w_R_G"):
        rows[1][x] = ch
    rows[SIDE // 2][SIDE // 2] = "M"
    rows[SIDE - 1][SIDE - 1] = "A"
    spec = mapkit.MapSpec(picture="\n".join("".join(row) for row in rows))
    return read_level(mapkit.write(spec, tmp_path))


def continuum(r: np.ndarray, tuning: tuning_mod.Tuning) -> np.ndarray:
    d, k, q = tuning.scent_diffusion, tuning.scent_decay, tuning.collar_emission
    return q / (2 * math.pi * d) * k0(r * math.sqrt(k / d))


def worst_error(grid: np.ndarray, centre: tuple[int, int], tuning: tuning_mod.Tuning) -> float:
    """Largest relative error against the continuum over the cells 3 to 40 tiles away, along
    the axes and the diagonals."""
    cx, cy = centre
    worst = 0.0
    for dx, dy in ((1, 0), (-1, 0), (0, 1), (0, -1), (1, 1), (-1, -1), (1, -1), (-1, 1)):
        steps = np.arange(1, 41)
        xs, ys = cx + dx * steps, cy + dy * steps
        r = steps * math.hypot(dx, dy)
        keep = (r >= 3) & (r <= 40)
        found = grid[ys[keep], xs[keep]]
        worst = max(worst, float(np.abs(found / continuum(r[keep], tuning) - 1).max()))
    return worst


@pytest.fixture(scope="module")
def setup_and_level(tmp_path_factory):
    level = open_level(tmp_path_factory.mktemp("open"))
    return ScentSetup(level, tuning_mod.DEFAULT), level


def test_the_pre_warmed_plume_matches_the_continuum(setup_and_level):
    setup, level = setup_and_level
    field = ScentField(setup)
    assert worst_error(field.grid(setup.collar_start), level.one("mila_spawn").cell,
                       tuning_mod.DEFAULT) < 0.02


def test_the_ticking_plume_settles_on_the_continuum(setup_and_level):
    """From no scent at all, 300 s of ticks (fifteen decay times) of a collar standing still:
    the far field advances every other tick on this map, and still settles on the same
    plume."""
    setup, level = setup_and_level
    assert setup.far_every > 1  # the multirate far field is what is checked here
    field = ScentField(setup)
    field.collar[:] = setup.floor
    mila = level.one("mila_spawn").cell
    for _ in range(300 * TICK_HZ):
        field.step(mila)
    assert worst_error(field.grid(field.collar), mila, tuning_mod.DEFAULT) < 0.02


def test_the_window_step_is_the_full_step_inside_and_nothing_outside():
    """The window's cells get bit for bit what the full step gives them; the rest stay."""
    rng = np.random.default_rng(5)
    passes = rng.random((40, 60)) > 0.2
    mult = np.where(rng.random((40, 60)) > 0.9, 12.0, 1.0)
    for dtype in (np.float32, np.float64):
        stencil = Stencil(passes, mult, 5.0, 0.05, (0.7, -0.4), 1.0 / TICK_HZ, dtype)
        field = rng.random(stencil.size).astype(dtype)
        full = np.empty_like(field)
        stencil.apply(field, full)
        windowed = field.copy()
        stencil.apply_window(windowed, 7, 3, 31, 22)
        grid = windowed.reshape(42, 62)
        inside = np.zeros((42, 62), bool)
        inside[4:23, 8:32] = True
        assert np.array_equal(grid[inside], full.reshape(42, 62)[inside])
        assert np.array_equal(grid[~inside], field.reshape(42, 62)[~inside])
