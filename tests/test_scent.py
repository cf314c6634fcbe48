"""The scent field: conservation, walls, fences, wind, stability, and range."""

from __future__ import annotations

import math
import os
from pathlib import Path

import numpy as np
import pytest

from game import tuning as tuning_mod
from game.sim.scent import (
    FLOOR_EVERY,
    TICK_HZ,
    ScentField,
    ScentSetup,
    Stencil,
    _rounded,
    field_dtype,
    needed_range,
    substeps_needed,
)
from game.tiled import read_level
from tests import mapkit

OPEN = """
....................
....................
....................
....................
....................
....................
"""


def run(stencil: Stencil, c: np.ndarray, steps: int) -> np.ndarray:
    spare = np.zeros_like(c)
    for _ in range(steps):
        stencil.apply(c, spare)
        c, spare = spare, c
    return c


def stencil_for(passes: np.ndarray, decay: float = 0.0, wind=(0.0, 0.0), diffusion=5.0,
                multiplier: np.ndarray | None = None) -> Stencil:
    mult = np.ones(passes.shape) if multiplier is None else multiplier
    steps = substeps_needed(diffusion, wind, decay)
    return Stencil(passes, mult, diffusion, decay, wind, 1.0 / TICK_HZ / steps)


def blob(stencil: Stencil, x: int, y: int, amount: float = 1.0) -> np.ndarray:
    c = np.zeros(stencil.size)
    c[(y + 1) * stencil.stride + x + 1] = amount
    return c


def test_diffusion_alone_conserves_mass():
    passes = np.ones((30, 40), bool)
    passes[10:20, 18] = False  # a wall inside does not leak either
    stencil = stencil_for(passes)
    c = run(stencil, blob(stencil, 5, 5, 1000.0), 600)
    assert c.sum() == pytest.approx(1000.0, rel=1e-9)
    assert (c >= 0).all()


def test_decay_removes_mass_at_its_rate():
    passes = np.ones((30, 40), bool)
    decay = 0.2
    stencil = stencil_for(passes, decay=decay)
    c = run(stencil, blob(stencil, 20, 15, 1000.0), 300)  # ten seconds
    assert c.sum() == pytest.approx(1000.0 * math.exp(-decay * 10.0), rel=1e-6)


def test_water_loses_scent_faster():
    passes = np.ones((20, 20), bool)
    mult = np.ones((20, 20))
    mult[:, 10:] = 12.0
    stencil = stencil_for(passes, decay=0.05, multiplier=mult)
    c = run(stencil, blob(stencil, 10, 10, 1000.0) + blob(stencil, 9, 10, 1000.0), 200)
    grid = c.reshape(22, 22)[1:-1, 1:-1]
    assert grid[:, :10].sum() > 2 * grid[:, 10:].sum()


def test_walls_block_and_fences_pass():
    passes = np.ones((6, 19), bool)
    passes[:, 9] = False
    stencil = stencil_for(passes)
    c = run(stencil, blob(stencil, 2, 2, 1000.0), 900)
    right = c.reshape(8, 21)[1:-1, 1:-1][:, 10:]
    assert right.max() == 0.0  # nothing gets through a wall
    passes[4, 9] = True  # a fence cell passes scent (the contract's terrain table)
    stencil = stencil_for(passes)
    c = run(stencil, blob(stencil, 2, 2, 1000.0), 900)
    right = c.reshape(8, 21)[1:-1, 1:-1][:, 10:]
    assert right.sum() > 1.0


def test_fence_terrain_passes_scent_and_walls_do_not(tmp_path):
    level = read_level(mapkit.write(mapkit.MapSpec(), tmp_path))
    fence = mapkit.TERRAIN_CHARS["f"]
    assert fence == "fence"
    assert not level.passes_scent[0, 0]  # a kennel wall
    assert level.passes_scent[6, 12]  # water passes, fast decay


def test_wind_shifts_the_plume_downwind():
    passes = np.ones((41, 41), bool)
    stencil = stencil_for(passes, decay=0.05, wind=(1.0, 0.0))
    source = blob(stencil, 20, 20, 1.0)
    c = np.zeros(stencil.size)
    spare = np.zeros_like(c)
    for _ in range(600):
        stencil.apply(c, spare)
        c, spare = spare, c
        c += source
    grid = c.reshape(43, 43)[1:-1, 1:-1]
    assert grid[20, 30] > 3 * grid[20, 10]  # ten tiles downwind vs ten upwind
    xs = np.arange(41)
    centroid = (grid.sum(axis=0) * xs).sum() / grid.sum()
    assert centroid > 20.5


def test_substeps_keep_the_scheme_inside_its_stability_bound():
    for diffusion in (0.2, 5.0, 40.0):
        for wind in ((0.0, 0.0), (50.0, -50.0)):
            n = substeps_needed(diffusion, wind, 1.0)
            dt = 1.0 / TICK_HZ / n
            assert (4 * diffusion + abs(wind[0]) + abs(wind[1])) * dt <= 0.9


@pytest.mark.parametrize("knobs", [
    {"scent_diffusion": 40.0, "scent_decay": 1.0},
    {"scent_diffusion": 0.2, "scent_decay": 0.001},
    {"scent_diffusion": 40.0, "scent_decay": 0.001, "collar_emission": 10000.0},
])
def test_stable_at_the_tuning_tables_extremes(tmp_path, knobs):
    spec = mapkit.MapSpec(map_properties=[("wind_speed", "float", 50.0),
                                          ("wind_deg", "float", 33.0)])
    level = read_level(mapkit.write(spec, tmp_path))
    tuning = tuning_mod.Tuning(prewarm_seconds=20.0, **knobs)
    field = ScentField(ScentSetup(level, tuning))
    for _ in range(300):
        field.step((6, 11))
    values = field.grid(field.collar)
    assert np.isfinite(values).all()
    assert (values >= 0).all()
    assert values.max() < 1e9
    for y in range(level.height):  # every cell reads as a finite log-scent
        for x in range(level.width):
            assert math.isfinite(math.log(field.perceived(x, y)))


def test_the_floor_holds_far_cells_where_the_plume_runs_out(tmp_path):
    """On a corridor far longer than the plume reaches, far cells sit on the floor: raised to
    it every FLOOR_EVERY ticks, and between floorings sinking no lower than FLOOR_EVERY ticks
    of decay take them (so never to a subnormal or zero, whose log Rex could not read)."""
    width = 480
    picture = "\n".join(["wwwww" + "." * (width - 5), "w_R_G....M" + "." * (width - 11) + "A",
                         "wwwww" + "." * (width - 5), "." * width])
    level = read_level(mapkit.write(mapkit.MapSpec(picture=picture, zones={}), tmp_path))
    tuning = tuning_mod.Tuning(prewarm_seconds=20.0, scent_diffusion=0.2, scent_decay=1.0)
    field = ScentField(ScentSetup(level, tuning))
    floor = field.setup.floor
    one_flooring = math.exp(-tuning.scent_decay * FLOOR_EVERY / TICK_HZ)  # no water here
    lowest = math.inf
    for tick in range(1, 4 * FLOOR_EVERY + 1):
        field.step((9, 1))
        values = field.grid(field.collar)[level.passes_scent]
        lowest = min(lowest, float(values.min()) / floor)
        if tick % FLOOR_EVERY == 0:
            assert (values >= floor).all()
    assert (values <= 2 * floor).mean() > 0.1  # the floor is really reached
    assert one_flooring * 0.99 <= lowest < 1.0


def test_no_underflow_to_zero_and_a_gradient_everywhere_rex_can_go(tmp_path):
    level = read_level(mapkit.write(mapkit.MapSpec(), tmp_path))
    field = ScentField(ScentSetup(level, tuning_mod.DEFAULT))
    logs = np.log(field.grid(field.collar))
    reachable = level.passes_scent & np.isfinite(level.cost["dog"])
    reachable[0:4, 0:6] = False  # inside the shut kennel no scent comes until the gate opens
    assert np.isfinite(logs).all()
    assert (logs[reachable] > math.log(tuning_mod.DEFAULT.rex_scent_threshold)).all()


def test_the_setup_is_shared_and_games_do_not_disturb_it(tmp_path):
    level = read_level(mapkit.write(mapkit.MapSpec(), tmp_path))
    setup = ScentSetup(level, tuning_mod.Tuning(prewarm_seconds=30.0))
    before = setup.collar_start.copy()
    field = ScentField(setup)
    for _ in range(30):
        field.step((30, 3))
    assert np.array_equal(setup.collar_start, before)


def test_a_deferred_pre_warm_gives_the_same_layers_once(tmp_path):
    """``defer=True`` leaves the layers to ``finish`` while the LU factorises on a thread of
    its own: the same collar and distractor layers, bit for bit, as a pre-warm at once, and a
    second ``finish`` changes nothing."""
    spec = mapkit.MapSpec(picture=mapkit.VALID.replace("C....", "C..S."),
                          object_props={"scent_source": [("strength", "float", 2.0)]})
    level = read_level(mapkit.write(spec, tmp_path))
    tuning = tuning_mod.Tuning(prewarm_seconds=20.0)
    at_once = ScentSetup(level, tuning)
    deferred = ScentSetup(level, tuning, defer=True)
    assert not hasattr(deferred, "collar_start")
    deferred.finish()
    assert len(at_once.distractors) == 1 and at_once.distractors.any()
    assert np.array_equal(deferred.distractors, at_once.distractors)
    assert np.array_equal(deferred.collar_start, at_once.collar_start)
    layers = deferred.collar_start
    deferred.finish()
    assert deferred.collar_start is layers


def test_a_factorisation_that_fails_fails_the_pre_warm(tmp_path, monkeypatch):
    """The LU factorises on another thread; its failure (out of memory on a huge map) is
    raised where the layers are pre-warmed, not lost with the thread."""
    import scipy.sparse.linalg

    def out_of_memory(*args, **kwargs):
        raise MemoryError("the LU's factors do not fit")

    monkeypatch.setattr(scipy.sparse.linalg, "splu", out_of_memory)
    level = read_level(mapkit.write(mapkit.MapSpec(), tmp_path))
    with pytest.raises(MemoryError, match="do not fit"):
        ScentSetup(level, tuning_mod.Tuning(prewarm_seconds=20.0))


@pytest.mark.skipif(not Path("/proc/self/statm").exists(), reason="reads /proc/self/statm")
def test_the_pre_warm_lets_its_factors_go():
    """The LU's factors are freed on the thread that made them (scipy frees SuperLU's memory
    only on its own thread; let go elsewhere they stayed, 14 MB a lakeside build): building
    the same setup again and again does not grow the process."""
    level = read_level(Path(__file__).resolve().parent.parent / "maps" / "lakeside.tmx")

    def resident_mb() -> float:
        return int(Path("/proc/self/statm").read_text().split()[1]) * os.sysconf(
            "SC_PAGE_SIZE") / 2 ** 20

    for _ in range(3):  # the allocator's arenas grow to what one build needs
        ScentSetup(level, tuning_mod.DEFAULT)
    before = resident_mb()
    for _ in range(5):
        ScentSetup(level, tuning_mod.DEFAULT)
    assert resident_mb() - before < 20


def test_each_map_gets_the_precision_its_range_needs(tmp_path):
    small = read_level(mapkit.write(mapkit.MapSpec(), tmp_path))
    assert field_dtype(small, tuning_mod.DEFAULT) == np.float32
    windy = read_level(mapkit.write(mapkit.MapSpec(map_properties=[
        ("wind_speed", "float", 30.0)]), tmp_path / "windy"))
    assert field_dtype(windy, tuning_mod.DEFAULT) == np.float64
    # A 1000-tile map needs float64 even in still air.
    assert needed_range(1000, 1000, 5.0, 0.05, 0.0) > 60


def test_a_big_windy_map_keeps_a_gradient_from_end_to_end(tmp_path):
    picture = "\n".join(["wwwww" + "." * 295, "w_R_G" + "." * 295, "wwwww" + "." * 295]
                         + ["." * 300] * 3 + ["." * 297 + "M.A"])
    spec = mapkit.MapSpec(picture=picture, map_properties=[("wind_speed", "float", 0.8),
                                                           ("wind_deg", "float", 0.0)])
    level = read_level(mapkit.write(spec, tmp_path))
    setup = ScentSetup(level, tuning_mod.Tuning(prewarm_seconds=3000.0))
    assert setup.dtype == np.float64
    row = np.log(ScentField(setup).grid(setup.collar_start)[5])
    # Rex at the far, upwind end still smells a gradient pointing to Mila.
    assert row[6] > math.log(setup.floor) + 10
    assert (np.diff(row[6:296]) > 0).all()


@pytest.mark.parametrize("wind", [0.0, 1.2])
def test_the_pre_warm_solve_is_the_steady_state_of_the_explicit_steps(tmp_path, wind):
    """The direct solve plus its polish against 1000 s of plain explicit ticks (fifty decay
    times: the far field's slow rise included): the same field to 0.01 e-folds wherever the
    scent is above 1e-40, in still air and in wind."""
    spec = mapkit.MapSpec(map_properties=[("wind_speed", "float", wind),
                                          ("wind_deg", "float", 30.0)])
    level = read_level(mapkit.write(spec, tmp_path))
    setup = ScentSetup(level, tuning_mod.Tuning(prewarm_seconds=20.0))
    mila = level.one("mila_spawn").cell
    explicit = np.zeros(setup.stencil.size, setup.dtype)
    spare = np.zeros_like(explicit)
    for _ in range(1000 * TICK_HZ):
        for _ in range(setup.substeps):
            setup.stencil.apply(explicit, spare)
            explicit, spare = spare, explicit
        explicit[setup.index(*mila)] += setup.emission
    field = ScentField(setup)
    solved, slow = field.grid(setup.collar_start), field.grid(explicit)
    live = level.passes_scent & (slow > 1e-40)
    assert np.abs(np.log(solved[live]) - np.log(slow[live])).max() < 0.01


def test_the_solve_is_rounded_so_that_last_bits_never_matter():
    values = np.array([1.0, 1.0 + 2.0 ** -40, 3.0e-300, 0.0, -1e-20])
    rounded = _rounded(values, np.dtype(np.float64))
    assert rounded[0] == rounded[1] == 1.0  # a solver's last-bit noise rounds away
    assert rounded[2] == pytest.approx(3.0e-300, rel=1e-7) and rounded[3] == rounded[4] == 0
    assert _rounded(values, np.dtype(np.float32)).dtype == np.float32


def test_the_lu_order_is_each_cell_once_and_cut_lines_last() -> None:
    """dissection_order: a permutation of the cells, and the line that cuts a part comes after
    both halves, so that no cell of one half is eliminated next to a cell of the other."""
    from game.sim.scent import DISSECTION_LEAF, dissection_order

    rng = np.random.default_rng(4)
    for height, width in ((0, 0), (1, 300), (40, 40), (23, 71)):
        mask = rng.random((height, width)) < 0.8
        ys, xs = np.nonzero(mask)
        order = dissection_order(xs, ys)
        assert sorted(order.tolist()) == list(range(len(xs)))
    ys, xs = np.nonzero(np.ones((20, 30), bool))
    order = dissection_order(xs, ys)
    # The first cut of a 30 x 20 box is the column x = 14: its cells are the last eliminated.
    assert (xs[order[-20:]] == 14).all()
    assert len(xs) > DISSECTION_LEAF
