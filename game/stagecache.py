"""Stages kept for reuse: the scent pre-warm, the costly part of a Stage, cached per content.

``build_stage(level, tuning)`` is what the window, the headless runner and the batch workers
call instead of ``Stage(level, tuning)``. The pre-warmed layers depend only on the cells that
pass scent, their decay, the wind, the sources, Mila's spawn and the scent knobs (their digest
is ``scent.prewarm_key``), so a map saved again with other decor, police or passers-by, a new
game on it, or another process on the same map, finds them ready: in memory (the last few)
and on disk, one ``.npz`` a key in the user's cache folder (``REX_STAGE_CACHE=DIR`` chooses
it, ``REX_NO_STAGE_CACHE=1`` turns the disk off). The layers read back are the bytes the
pre-warm wrote, so a game from a cached stage has the same ``state_hash``. A cache file that
is missing, corrupt, too big or of another shape is ignored and rebuilt, and one that cannot be
written is skipped: the cache never stops a game.
"""

from __future__ import annotations

import io
import os
from collections import OrderedDict
from pathlib import Path

import numpy as np
import platformdirs

from game import guarded
from game.level import Level
from game.sim.scent import Prewarmed, prewarm_key
from game.sim.stage import Stage
from game.tuning import Tuning

MEMORY_ENTRIES = 4  # pre-warms kept in memory (a few MB each at 512 x 384)
KIND = guarded.Kind("stage cache file", 256 << 20)
_memory: OrderedDict[str, Prewarmed] = OrderedDict()


def cache_folder() -> Path | None:
    """Where pre-warms are kept on disk, or None when the disk cache is off."""
    if os.environ.get("REX_NO_STAGE_CACHE"):
        return None
    chosen = os.environ.get("REX_STAGE_CACHE")
    if chosen:
        return Path(chosen)
    return platformdirs.user_cache_path("rex", appauthor=False) / "stages"


def build_stage(level: Level, tuning: Tuning) -> Stage:
    """A Stage for the level and tuning, its pre-warm from the cache when one fits."""
    key = prewarm_key(level, tuning)
    folder = cache_folder()
    found = _memory.get(key)
    if found is None and folder is not None:
        found = _read(folder / f"{key}.npz", key)
    stage = Stage(level, tuning, found)
    kept = stage.scent.prewarmed()
    if folder is not None and (found is None or kept.collar is not found.collar):
        _write(folder / f"{key}.npz", kept)  # new, or a cached file that did not fit
    _memory[key] = kept
    _memory.move_to_end(key)
    while len(_memory) > MEMORY_ENTRIES:
        _memory.popitem(last=False)
    return stage


def forget() -> None:
    """Empty the memory cache (the disk cache stays)."""
    _memory.clear()


def _read(path: Path, key: str) -> Prewarmed | None:
    if not path.exists():
        return None
    try:
        data = guarded.read_bytes(path, KIND)
        with np.load(io.BytesIO(data), allow_pickle=False) as arrays:
            return Prewarmed(key, arrays["distractors"], arrays["collar"])
    except Exception:  # whatever is wrong with a cache file, it is rebuilt
        return None  # unreadable or damaged: built again and written over


def _write(path: Path, kept: Prewarmed) -> None:
    buffer = io.BytesIO()
    np.savez(buffer, distractors=kept.distractors, collar=kept.collar)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        guarded.write_atomic(path, buffer.getvalue())
    except OSError:
        pass  # a read-only or full disk: the game goes on without the cache
