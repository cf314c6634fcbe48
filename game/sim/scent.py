"""The scent field: diffusion, decay, wind drift and emission on a numpy grid.

One explicit finite-volume step per tick moves scent between 4-neighbouring cells that both pass
scent (walls and buildings neither hold nor pass it), drifts it downwind (upwind differencing),
then applies exponential decay with each cell's multiplier (fast over water). The wind carries
scent off the map at its edges (an outflow boundary); without that, scent would pile up along
the downwind border as if the world ended in a wall. The step is a
precomputed 5-point stencil ``c' = A0*c + AE*c[E] + AW*c[W] + AS*c[S] + AN*c[N]`` over flat views
of a padded array, written with ``out=`` into preallocated buffers.

Stability: the explicit scheme keeps scent non-negative and bounded only while each cell sends
out at most all it holds, ``(4*D + |u_x| + |u_y|) * dt <= 1``. The step is sub-divided so that
each sub-step stays at 90% of that bound for any tuning value.

Range: the steady plume falls off like ``exp(-r * sqrt(decay / diffusion))``, faster upwind.
Rex climbs the gradient of log(concentration), so what matters is that far cells keep a
finite, ordered value: they are raised to a floor every FLOOR_EVERY ticks, so nothing reaches
zero (log -inf). Between floorings a cell may sink below the floor, and at the tuning table's
extremes (wind 50 tiles/s, diffusion 0.2) a few float64 cells briefly go subnormal (~1e-312):
slow, but still a finite log.
float32 spans ~72 e-folds above its floor of 1e-30: enough for the shipped maps (measured
ranges of 11 to 37 e-folds, docs/AI.md) but not for a 300-tile map in a fresh breeze. Each map
therefore gets float32 when a worst-case estimate of the range it needs fits with margin, and
float64 (~690 e-folds above 1e-300) otherwise; float32 halves the cost of the step.

Pre-warm: at load each layer starts at its steady state, solved directly (``SteadyState``: one
sparse LU per map shared by the collar and the distractors) and polished by explicit steps
until it settles, so Rex has a trail from the first tick (maps of over SOLVE_CELLS scent cells,
where the LU would need too much memory, settle by explicit steps alone, as before). The LU's
factorisation and the layers' solves, most of a big map's load, run on a thread of their own:
SuperLU lets go of the GIL, so the Stage builds its distance fields meanwhile and polishes each
layer as its solve comes. The numbers are the same either way.

Multirate far field: on a map of more than FAR_CELLS cells a full step every tick would cost
in proportion to the map's area, though far from the collar the field changes little and
slowly. There the whole field advances only every ``far_every`` ticks (so that it costs about
FAR_CELLS cells a tick at any size) and a window round the collar every tick. Every cell still
obeys the same update, so the steady state and the plume's decay length are those of the
full step (tests/test_scent_physics.py checks them against the continuum); what changes is that
the far field follows a moving collar ``far_every`` times more slowly. The shipped maps are
under FAR_CELLS and step in full every tick.

Scent from ``scent_source`` objects (food stalls, bins, other dogs) does not move, so its field
is solved once at load into a separate static layer; Rex perceives the collar's layer plus the
distractors' layer times a weight that drops as he checks them and learns they are not it.
"""

from __future__ import annotations

import hashlib
import math
import threading
from concurrent.futures import Future
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from game.level import Level, MapObject
from game.tuning import Tuning

TICK_HZ = 30
STABILITY_MARGIN = 0.9
# Ticks between floorings: meanwhile a floored cell sinks by what 8 ticks of decay and drift
# take (to 0.79x of the floor at scent_decay 1.0 in still air, 0.71x in a 2 tiles/s wind).
FLOOR_EVERY = 8
FLOORS = {np.dtype(np.float32): 1.0e-30, np.dtype(np.float64): 1.0e-300}
FLOAT32_RANGE = 60.0  # e-folds float32 may be asked for (of ~72 above its floor)
DETOURS = 1.3  # paths round lakes and blocks are this much longer than the straight line


def needed_range(width: int, height: int, diffusion: float, decay: float, speed: float
                 ) -> float:
    """E-folds between the collar and the farthest cell in the worst case: across the whole
    map, against the wind, where the plume falls off fastest."""
    upwind = (speed + math.sqrt(speed * speed + 4 * diffusion * decay)) / (2 * diffusion)
    return math.hypot(width, height) * DETOURS * upwind


def field_dtype(level: Level, tuning: Tuning) -> np.dtype:
    need = needed_range(level.width, level.height, tuning.scent_diffusion, tuning.scent_decay,
                        level.settings.wind_speed)
    return np.dtype(np.float32 if need <= FLOAT32_RANGE else np.float64)


def wind_vector(level: Level) -> tuple[float, float]:
    """Wind velocity in tiles per second (x east, y south; degrees clockwise from east)."""
    angle = math.radians(level.settings.wind_deg)
    speed = level.settings.wind_speed
    return speed * math.cos(angle), speed * math.sin(angle)


def substeps_needed(diffusion: float, wind: tuple[float, float], decay: float,
                    dt: float = 1.0 / TICK_HZ) -> int:
    """Sub-steps that keep every cell's outflow within the explicit stability bound."""
    outflow = (4.0 * diffusion + abs(wind[0]) + abs(wind[1])) * dt
    return max(1, math.ceil(outflow / STABILITY_MARGIN))


class Stencil:
    """The precomputed coefficients of one sub-step over the padded, flattened grid."""

    def __init__(self, passes: np.ndarray, decay_multiplier: np.ndarray, diffusion: float,
                 decay: float, wind: tuple[float, float], dt: float,
                 dtype: npt.DTypeLike = np.float64):
        self.dtype = np.dtype(dtype)
        height, width = passes.shape
        self.height, self.width = height, width
        self.stride: int = width + 2
        self.size = (height + 2) * self.stride
        # The span covers rows 1..height of the padded grid, pad columns included (their
        # coefficients are zero), so every neighbour view is a plain shifted slice.
        self.start, self.stop = self.stride, self.stride * (height + 1)
        self.offsets = {"east": 1, "west": -1, "south": self.stride, "north": -self.stride}
        pad = np.zeros((height + 2, width + 2), bool)
        pad[1:-1, 1:-1] = passes
        flat = pad.ravel()
        here = flat[self.start:self.stop]
        ring = np.ones((height + 2, width + 2), bool)
        ring[1:-1, 1:-1] = False
        beyond_map = ring.ravel()
        ux, uy = wind
        toward = {"east": ux, "west": -ux, "south": uy, "north": -uy}
        out = np.zeros(here.shape, np.float64)
        self.coeffs: dict[str, np.ndarray] = {}
        for name, off in self.offsets.items():
            both = here & flat[self.start + off:self.stop + off]
            # Inflow from the neighbour: diffusion plus the wind blowing from it toward here.
            inflow = (diffusion + max(-toward[name], 0.0)) * dt * both
            self.coeffs[name] = inflow
            out += (diffusion + max(toward[name], 0.0)) * dt * both
            # Wind blowing over the map's edge takes scent away with it.
            out += max(toward[name], 0.0) * dt * (here & beyond_map[self.start + off:
                                                                      self.stop + off])
        mult = np.zeros((height + 2, width + 2), np.float64)
        mult[1:-1, 1:-1] = decay_multiplier
        keep = np.exp(-decay * mult.ravel()[self.start:self.stop] * dt) * here
        self.a0 = ((1.0 - out) * keep).astype(self.dtype)
        for name in self.offsets:
            self.coeffs[name] = (self.coeffs[name] * keep).astype(self.dtype)
        self.names = tuple(self.offsets)
        self._buffer = np.empty(self.stop - self.start, self.dtype)
        # The same coefficients as [row, padded column] views, for a step over a window.
        self._a0_rows = self.a0.reshape(height, self.stride)
        self._coeff_rows = {name: self.coeffs[name].reshape(height, self.stride)
                            for name in self.names}
        self._shifts = {"east": (0, 1), "west": (0, -1), "south": (1, 0), "north": (-1, 0)}

    def apply(self, c: np.ndarray, out: np.ndarray) -> None:
        """One sub-step from the flat padded array ``c`` into ``out`` (same shape)."""
        s, e = self.start, self.stop
        target = out[s:e]
        np.multiply(self.a0, c[s:e], out=target)
        tmp = self._buffer
        for name in self.names:
            off = self.offsets[name]
            np.multiply(self.coeffs[name], c[s + off:e + off], out=tmp)
            np.add(target, tmp, out=target)

    def apply_window(self, c: np.ndarray, x0: int, y0: int, x1: int, y1: int) -> None:
        """One sub-step of the cells x0 <= x < x1, y0 <= y < y1 only, in place in the flat
        padded array ``c``; the cells round it stay as they are. Each cell gets exactly the
        value (bit for bit) that ``apply`` would give it: same products, same order."""
        grid = c.reshape(self.height + 2, self.stride)
        rows, cols = slice(y0, y1), slice(x0 + 1, x1 + 1)
        target = np.multiply(self._a0_rows[rows, cols], grid[y0 + 1:y1 + 1, x0 + 1:x1 + 1])
        for name in self.names:
            dy, dx = self._shifts[name]
            target += self._coeff_rows[name][rows, cols] * grid[y0 + 1 + dy:y1 + 1 + dy,
                                                                x0 + 1 + dx:x1 + 1 + dx]
        grid[y0 + 1:y1 + 1, x0 + 1:x1 + 1] = target


class SteadyState:
    """The field's steady state with fixed sources, solved directly: one sparse LU
    factorisation of ``I - M`` (M the sub-step's stencil, over the cells that hold scent),
    shared by every source layer of the map.

    With the emission spread over the sub-steps, the steady state of the sub-step is that of
    the tick but for the last cell or so round a source; a short explicit polish (``settle``
    started from it) gives the tick's own. The solve is rounded to 24 significant bits before
    the polish, so that a solver's last-bit differences between machines almost never reach a
    game (a rounding that straddles a boundary moves a cell by one float32 ulp).
    An M-matrix's LU needs no pivoting and its substitutions add only positive terms, so even
    the faintest far cells keep their relative accuracy (no negative scent, no noise).

    The whole solve (the cells' elimination order, the matrix, the factorisation, in which
    SuperLU lets go of the GIL, and each layer's solve) runs on a thread of its own, and
    ``layers[i]`` is layer i's solved field once it is ready, so that whoever asked can do
    other work meanwhile and polish each layer as it comes. The factors are dropped on that
    thread too: scipy registers SuperLU's allocations per thread and frees only those of the
    thread that frees them, so factors let go elsewhere would never be freed.
    """

    def __init__(self, stencil: Stencil, sources: list[tuple[np.ndarray, np.ndarray]],
                 substeps: int):
        """``sources``: each layer's flat indices and amounts per tick."""
        self.stencil = stencil
        self.layers: list[Future[np.ndarray]] = [Future() for _ in sources]
        threading.Thread(target=self._solve, args=(sources, substeps), name="rex-scent-lu",
                         daemon=True).start()

    def _solve(self, sources: list[tuple[np.ndarray, np.ndarray]], substeps: int) -> None:
        """On the thread: order the cells, factorise, solve each layer, and let the factors go
        here, before the last layer is handed over: once the caller has every layer nothing of
        the solve is left (a process forked then does not take a copy of the factors along)."""
        lu = None
        try:
            cells, matrix, sides = self._system(sources, substeps)
            if len(cells):
                from scipy.sparse.linalg import splu

                lu = splu(matrix, permc_spec="NATURAL", diag_pivot_thresh=0.0,
                          options={"SymmetricMode": True})
            del matrix
            for layer, rhs in zip(self.layers[:-1], sides[:-1], strict=True):
                layer.set_result(self._field(cells, None if lu is None else lu.solve(rhs)))
            last = self._field(cells, None if lu is None else lu.solve(sides[-1]))
        except BaseException as error:  # MemoryError above all: raised where it is waited for
            for layer in self.layers:
                if not layer.done():
                    layer.set_exception(error)
            return
        finally:
            del lu  # the factors are freed on this thread (a traceback would keep the frame)
        self.layers[-1].set_result(last)

    def _system(self, sources: list[tuple[np.ndarray, np.ndarray]], substeps: int
                ) -> tuple[np.ndarray, Any, list[np.ndarray]]:
        """The cells that hold scent (span positions) in elimination order, ``I - M`` over
        them in that order, and each layer's right-hand side."""
        from scipy.sparse import csc_matrix

        stencil = self.stencil
        span = stencil.stop - stencil.start
        held = np.flatnonzero(stencil.a0 != 0)  # span positions that hold scent
        # In nested-dissection order, so that the factors fill in less (a third less time
        # than SuperLU's own column ordering on lakeside and on 512 x 384).
        rows_of, columns_of = np.divmod(held, stencil.stride)
        cells = held[dissection_order(columns_of, rows_of)]
        where = np.full(span, -1, np.int64)
        where[cells] = np.arange(len(cells))
        rows, cols = [np.arange(len(cells))], [np.arange(len(cells))]
        data = [1.0 - stencil.a0[cells].astype(np.float64)]
        for name in stencil.names:
            coeff = stencil.coeffs[name].astype(np.float64)
            inflow = cells[coeff[cells] != 0]
            rows.append(where[inflow])
            cols.append(where[inflow + stencil.offsets[name]])
            data.append(-coeff[inflow])
        size = len(cells)
        matrix = csc_matrix((np.concatenate(data), (np.concatenate(rows), np.concatenate(cols))),
                            shape=(size, size))
        sides = []
        for at, amounts in sources:
            rhs = np.zeros(size)
            np.add.at(rhs, where[np.asarray(at) - stencil.start],
                      np.asarray(amounts, np.float64) / substeps)
            sides.append(rhs)
        return cells, matrix, sides

    def _field(self, cells: np.ndarray, solution: np.ndarray | None) -> np.ndarray:
        """The flat padded field of a solve: rounded (24 bits), no lower than the floor."""
        stencil = self.stencil
        lowest = FLOORS[stencil.dtype]
        field = np.full(stencil.size, lowest, stencil.dtype)
        if solution is None:
            return field
        solved = np.zeros(stencil.stop - stencil.start)
        solved[cells] = solution
        field[stencil.start:stencil.stop] = np.maximum(_rounded(solved, stencil.dtype), lowest)
        return field


DISSECTION_LEAF = 64  # cells: a part this small is ordered as it comes


def dissection_order(xs: np.ndarray, ys: np.ndarray) -> np.ndarray:
    """An elimination order (a permutation of the cells at ``xs``, ``ys``) for a grid's
    sparse LU: nested dissection (George 1973). The cells' box is cut along its longer side by
    one line of cells; each half is ordered the same way, one after the other, and the
    cut line comes last, so that eliminating one half never fills in the other."""
    parts: list[np.ndarray] = []

    def order(cells: np.ndarray) -> None:
        if len(cells) <= DISSECTION_LEAF:
            parts.append(cells)
            return
        x, y = xs[cells], ys[cells]
        across = int(x.max()) - int(x.min()) >= int(y.max()) - int(y.min())
        along = x if across else y
        cut = (int(along.min()) + int(along.max())) // 2
        order(cells[along < cut])
        order(cells[along > cut])
        parts.append(cells[along == cut])

    order(np.arange(len(xs)))
    return np.concatenate(parts) if parts else np.zeros(0, np.int64)


def _rounded(values: np.ndarray, dtype: np.dtype) -> np.ndarray:
    """Non-negative float64 values to 24 significant bits, in ``dtype``."""
    values = np.maximum(values, 0.0)
    if dtype == np.dtype(np.float32):
        return values.astype(np.float32)
    bits = values.view(np.uint64)
    low = np.uint64((1 << 29) - 1)
    return ((bits + np.uint64(1 << 28)) & ~low).view(np.float64)


def settle(stencil: Stencil, substeps: int, sources: np.ndarray, amounts: np.ndarray,
           max_steps: int, start: np.ndarray | None = None) -> tuple[np.ndarray, int]:
    """Run the field with fixed sources toward its steady state; (field, steps taken).

    Stops once the far field has settled: no cell's log-scent moves by more than 0.005 over
    100 steps.
    """
    lowest = FLOORS[stencil.dtype]
    field = np.full(stencil.size, lowest, stencil.dtype) if start is None else start.copy()
    spare = np.full(stencil.size, lowest, stencil.dtype)
    floor = np.full(stencil.stop - stencil.start, lowest, stencil.dtype)
    span = slice(stencil.start, stencil.stop)
    before = np.log(field[span])
    steps = 0
    while steps < max_steps:
        for _ in range(min(100, max_steps - steps)):
            for _ in range(substeps):
                stencil.apply(field, spare)
                field, spare = spare, field
            np.add.at(field, sources, amounts)
            np.maximum(field[span], floor, out=field[span])
            steps += 1
        after = np.log(field[span])
        if float(np.max(np.abs(after - before))) < 5e-3:
            break
        before = after
    return field, steps


# At most this many floats go to distractor layers: maps with more sources than fit share layers.
MAX_DISTRACTOR_FLOATS = 16 << 20
# Multirate: on maps of more than FAR_CELLS (padded) cells, the far field advances once every
# ``far_every`` ticks, often enough that it costs about FAR_CELLS a tick, while a window of
# WINDOW_RADIUS cells round the collar advances every tick. Both shipped maps are under it.
FAR_CELLS = 32_768
WINDOW_RADIUS = 40
# The LU's fill grows a little faster than the cells (about 80 entries a cell at 512 x 384, 175
# MB while it is built); over this many scent cells the pre-warm runs explicit steps instead.
SOLVE_CELLS = 300_000


# Part of every pre-warm key: change it when the pre-warm computes anything differently.
# prewarm-2: the LU in nested-dissection order (a last-bit difference in a few cells).
PREWARM_VERSION = "prewarm-2"


@dataclass(frozen=True)
class Prewarmed:
    """The pre-warmed layers of a ScentSetup (the costly part), under the key of its inputs."""

    key: str
    distractors: np.ndarray  # [layer, padded cell] float32
    collar: np.ndarray  # padded cells, the setup's dtype

    def fits(self, setup: ScentSetup) -> bool:
        return (self.key == setup.key and self.collar.shape == (setup.stencil.size,)
                and self.collar.dtype == setup.dtype
                and self.distractors.shape == setup.distractors.shape
                and self.distractors.dtype == np.float32)


def scent_sources(level: Level) -> list[MapObject]:
    """The map's ``scent_source`` objects that smell: a strength, on a cell that holds scent."""
    return [o for o in level.of_kind("scent_source")
            if len(o.cells) and float(o.properties.get("strength", 0.0)) > 0
            and level.passes_scent[o.cell[1], o.cell[0]]]


def prewarm_key(level: Level, tuning: Tuning) -> str:
    """A digest of everything the pre-warmed layers depend on: the cells that pass scent and
    their decay, the wind, the sources, Mila's spawn and the scent knobs. Maps that differ
    elsewhere (decor, police, passers-by) share it."""
    digest = hashlib.sha256(PREWARM_VERSION.encode())
    for grid in (level.passes_scent, level.scent_decay):
        digest.update(str((grid.dtype, grid.shape)).encode()
                      + np.ascontiguousarray(grid).tobytes())
    sources = [(o.cell, float(o.properties["strength"])) for o in scent_sources(level)]
    knobs = (wind_vector(level), level.one("mila_spawn").cell, sources,
             str(field_dtype(level, tuning)), tuning.scent_diffusion, tuning.scent_decay,
             tuning.collar_emission, tuning.distractor_weight, tuning.prewarm_seconds)
    digest.update(repr(knobs).encode())
    return digest.hexdigest()


class ScentSetup:
    """What every game on one map and tuning shares: the stencil, the distractors' layers and
    the collar's field pre-warmed at Mila's spawn. Built once, read-only afterwards.

    ``prewarmed`` (from an earlier setup with the same ``key``, kept in a cache) skips the
    pre-warm: the layers are those the pre-warm computed, bit for bit.

    With ``defer=True`` the layers are left to ``finish``: the solve runs on a thread of its
    own meanwhile, so the caller (the Stage) can build the rest of what it needs first."""

    def __init__(self, level: Level, tuning: Tuning, prewarmed: Prewarmed | None = None,
                 defer: bool = False):
        self.wind = wind_vector(level)
        self.substeps = substeps_needed(tuning.scent_diffusion, self.wind, tuning.scent_decay)
        dt = 1.0 / TICK_HZ / self.substeps
        self.dtype = field_dtype(level, tuning)
        self.floor = FLOORS[self.dtype]
        self.stencil = Stencil(level.passes_scent, level.scent_decay, tuning.scent_diffusion,
                               tuning.scent_decay, self.wind, dt, self.dtype)
        self.emission = tuning.collar_emission / TICK_HZ
        self.far_every = max(1, math.ceil(self.stencil.size / FAR_CELLS))
        max_steps = int(tuning.prewarm_seconds * TICK_HZ)
        sources = scent_sources(level)
        self.distractor_cells = [o.cell for o in sources]
        self.distractor_labels = [str(o.properties.get("label") or o.name or "a smell")
                                  for o in sources]
        self.distractor_strengths = [float(o.properties["strength"]) for o in sources]
        layers = max(1, min(len(sources), MAX_DISTRACTOR_FLOATS // self.stencil.size))
        self.distractor_layer = [i % layers for i in range(len(sources))]
        self.distractors = np.zeros((layers if sources else 0, self.stencil.size), np.float32)
        self.key = prewarm_key(level, tuning)
        self._max_steps = max_steps
        self._weight = np.float32(tuning.distractor_weight)
        self._steady: SteadyState | None = None
        self._sources: list[tuple[np.ndarray, np.ndarray]] = []
        self._pending = True
        if prewarmed is not None and prewarmed.fits(self):
            self.distractors = prewarmed.distractors
            self.collar_start = prewarmed.collar
            self._pending = False
            return
        # Each distractor layer's sources and amounts, then the collar's at Mila's spawn.
        for layer in range(len(self.distractors)):
            members = [i for i, held in enumerate(self.distractor_layer) if held == layer]
            self._sources.append((
                np.array([self.index(*self.distractor_cells[i]) for i in members]),
                np.array([self.distractor_strengths[i] * self.emission for i in members],
                         self.dtype)))
        self._sources.append((np.array([self.index(*level.one("mila_spawn").cell)]),
                              np.array([self.emission], self.dtype)))
        cells = int(np.count_nonzero(self.stencil.a0))
        if max_steps > 0 and cells <= SOLVE_CELLS:
            self._steady = SteadyState(self.stencil, self._sources, self.substeps)
        if not defer:
            self.finish()

    def finish(self) -> None:
        """Pre-warm the layers, once: each starts from its solve (waiting for the thread if
        need be) and is polished by explicit steps until it settles (within the pre-warm's
        steps); without a solve (a map over SOLVE_CELLS) explicit steps from nothing; no
        pre-warm at all when the tuning gives it no time."""
        if not self._pending:
            return
        self._pending = False
        steady, self._steady = self._steady, None
        for index, (cells, amounts) in enumerate(self._sources):
            start = None if steady is None else steady.layers[index].result()
            field, _ = settle(self.stencil, self.substeps, cells, amounts, self._max_steps, start)
            if index < len(self.distractors):
                self.distractors[index] = field * self._weight  # float32 is plenty for a lure
            else:
                self.collar_start = field

    def prewarmed(self) -> Prewarmed:
        """The expensive part of this setup, to keep (in a cache) and give to the next one."""
        return Prewarmed(self.key, self.distractors, self.collar_start)

    def index(self, x: int, y: int) -> int:
        """Flat index of cell (x, y) in the padded arrays."""
        return (y + 1) * self.stencil.stride + x + 1


class ScentField:
    """One game's scent: the collar's layer, moving with Mila, over the shared setup."""

    def __init__(self, setup: ScentSetup):
        self.setup = setup
        self.stencil = setup.stencil
        self.collar = setup.collar_start.copy()
        self._next = np.full_like(self.collar, setup.floor)
        self._floor = np.full(self.stencil.stop - self.stencil.start, setup.floor, setup.dtype)
        self.layer_weight = np.ones(len(setup.distractors), np.float32)
        self._ticks = 0
        self._centre = (0, 0)  # where the collar last was: the window's centre
        self._distractor_sum = setup.distractors.sum(axis=0) if len(
            setup.distractors) else np.zeros(self.collar.shape, np.float32)

    def index(self, x: int, y: int) -> int:
        return self.setup.index(x, y)

    def grid(self, layer: np.ndarray) -> np.ndarray:
        """A [y, x] view of a flat padded layer without its padding."""
        s = self.stencil
        return layer.reshape(s.height + 2, s.stride)[1:-1, 1:-1]

    def perceived(self, x: int, y: int) -> float:
        """What Rex smells at a cell: the collar plus the distractors he has not yet checked."""
        i = self.setup.index(x, y)
        return max(float(self.collar[i]) + float(self._distractor_sum[i]), self.setup.floor)

    def perceived_window(self, x0: int, y0: int, x1: int, y1: int) -> np.ndarray:
        """``perceived`` over the cells x0 <= x < x1, y0 <= y < y1 (inside the map), [y, x]."""
        collar, distractors = self.grid(self.collar), self.grid(self._distractor_sum)
        window: np.ndarray = collar[y0:y1, x0:x1] + distractors[y0:y1, x0:x1]
        np.maximum(window, self.setup.floor, out=window)
        return window

    def ignore_distractor(self, source: int) -> None:
        """Rex has checked this source: it (and any source sharing its layer) no longer counts."""
        layer = self.setup.distractor_layer[source]
        self.layer_weight[layer] = 0.0
        self._distractor_sum = np.tensordot(self.layer_weight, self.setup.distractors, axes=1)

    def total(self) -> np.ndarray:
        """Everything a nose could smell, as a [y, x] grid (for overlays and analysis)."""
        distractors = self.setup.distractors.sum(axis=0) if len(
            self.setup.distractors) else 0.0
        return self.grid(self.collar + distractors)

    def step(self, source: tuple[int, int] | None) -> None:
        """Advance one tick: transport and decay, then the collar's emission at ``source``.

        On a large map (``far_every`` > 1) only the window round the collar advances on most
        ticks and the whole field on every ``far_every``-th: the far field's clock runs slower,
        but every cell's update is the same equation, so the steady state (and the decay
        length of the plume) is exactly that of the full step, at a fraction of its cost.
        """
        if source is not None:
            self._centre = source
        if self._ticks % self.setup.far_every == 0:
            for _ in range(self.setup.substeps):
                self.stencil.apply(self.collar, self._next)
                self.collar, self._next = self._next, self.collar
        else:
            x, y = self._centre
            s, r = self.stencil, WINDOW_RADIUS
            box = (max(x - r, 0), max(y - r, 0), min(x + r + 1, s.width),
                   min(y + r + 1, s.height))
            for _ in range(self.setup.substeps):
                s.apply_window(self.collar, *box)
        if source is not None:
            self.collar[self.setup.index(*source)] += self.setup.emission
        self._ticks += 1
        if self._ticks % FLOOR_EVERY == 0:
            span = self.collar[self.stencil.start:self.stencil.stop]
            np.maximum(span, self._floor, out=span)
