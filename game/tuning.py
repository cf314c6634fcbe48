"""Every tunable number of the game, in one frozen dataclass.

Each knob has a default, an allowed range and a one-line reason. The ranges are a promise: the
simulation must stay stable and sensible for any value inside them (the scent solver sub-steps
to stay within its stability bound, for example), and ``rex sweep --set NAME=...`` refuses
values outside them. Tuning changes are recorded in docs/BALANCE.md with the batch numbers that
justified them.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any


def knob(default: float | int | bool, low: float, high: float, doc: str) -> Any:
    return field(default=default, metadata={"low": low, "high": high, "doc": doc})


@dataclass(frozen=True)
class Tuning:
    # -- time -------------------------------------------------------------------------------
    clock_scale: float = knob(6.0, 0.5, 60.0,
                              "game-clock seconds per simulated second: 90 clock minutes "
                              "from 16:30 to sunset pass in 15 minutes of play")

    # -- scent --------------------------------------------------------------------------------
    scent_diffusion: float = knob(5.0, 0.2, 40.0,
                                  "tiles^2 per second; sub-stepped above the explicit bound")
    scent_decay: float = knob(0.05, 0.001, 1.0,
                              "per second; with diffusion sets the plume's fall-off "
                              "exp(-r * sqrt(decay / diffusion))")
    collar_emission: float = knob(100.0, 1.0, 10000.0, "scent units per second from the collar")
    distractor_weight: float = knob(1.0, 0.0, 10.0,
                                    "how much scent_source objects count next to the collar")
    distractor_habituation: float = knob(0.3, 0.0, 1.0,
                                         "distractor weight kept after Rex checks one")
    prewarm_seconds: float = knob(400.0, 0.0, 3000.0,
                                  "simulated seconds of scent before the first tick, at most")

    # -- Rex ----------------------------------------------------------------------------------
    rex_trot_speed: float = knob(3.2, 0.5, 10.0, "tiles per second while tracking")
    rex_sprint_speed: float = knob(5.5, 0.5, 15.0, "tiles per second escaping or evading")
    rex_pace_speed: float = knob(1.2, 0.1, 5.0, "tiles per second pacing in the kennel")
    rex_latch_earliest: float = knob(0.35, 0.0, 1.0,
                                     "earliest latch time as a fraction of the gate's latch_s")
    rex_leap_seconds: float = knob(0.7, 0.1, 3.0, "how long a leap over a fence takes")
    rex_scent_threshold: float = knob(1.0e-250, 1.0e-290, 1.0,
                                      "scent below this is lost: Rex casts about (the field "
                                      "is floored at 1e-300 where no scent reaches)")
    rex_gradient_gain: float = knob(4.0, 0.0, 50.0,
                                    "weight of the log-scent rise toward a neighbour")
    rex_momentum: float = knob(0.35, 0.0, 5.0, "weight of keeping his heading")
    rex_noise: float = knob(0.08, 0.0, 2.0, "spread of seeded noise in his choices")
    rex_memory_cells: int = knob(12, 0, 200, "cells he remembers having just left")
    rex_memory_penalty: float = knob(0.6, 0.0, 10.0, "dislike of going back to such a cell")
    rex_stuck_seconds: float = knob(6.0, 1.0, 60.0,
                                    "time without gaining scent before he tries another way")
    rex_cast_spacing: float = knob(3.0, 1.0, 20.0, "tiles between loops of his cast-about")
    rex_cast_max_radius: float = knob(40.0, 5.0, 500.0, "widest loop before casting again")
    rex_wary_radius: float = knob(4.0, 1.0, 20.0, "tiles from Mila where he stops, wary")
    rex_keep_distance: float = knob(1.6, 0.5, 10.0, "how close a wary Rex comes to Mila")
    rex_wary_exit_radius: float = knob(9.0, 2.0, 40.0,
                                       "tiles from Mila beyond which he tracks again")
    rex_escape_max_seconds: float = knob(30.0, 1.0, 600.0,
                                         "escaping turns into tracking after this at the latest")

    # -- Mila ---------------------------------------------------------------------------------
    mila_walk_speed: float = knob(1.6, 0.2, 10.0, "tiles per second")
    mila_run_speed: float = knob(3.6, 0.2, 15.0, "tiles per second")

    def __post_init__(self) -> None:
        for f in dataclasses.fields(self):
            value = getattr(self, f.name)
            if isinstance(f.default, bool):
                continue
            if isinstance(f.default, int) and (isinstance(value, bool) or not isinstance(
                    value, int)):
                raise TuningError(f"{f.name} must be a whole number, not {value!r}")
            if not isinstance(value, int | float) or isinstance(value, bool):
                raise TuningError(f"{f.name} must be a number, not {value!r}")
            low, high = f.metadata["low"], f.metadata["high"]
            if not low <= value <= high:
                raise TuningError(f"{f.name}={value} is outside its range {low:g} to {high:g}")

    def replace(self, **changes: Any) -> Tuning:
        unknown = sorted(set(changes) - {f.name for f in dataclasses.fields(self)})
        if unknown:
            raise TuningError(f"unknown tuning name {unknown[0]!r}")
        return dataclasses.replace(self, **changes)

    def as_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


class TuningError(ValueError):
    """A tuning value that is unknown, of the wrong type or out of its range."""


def describe() -> list[tuple[str, Any, float, float, str]]:
    """(name, default, low, high, reason) of every knob, for docs and the CLI."""
    return [(f.name, f.default, f.metadata["low"], f.metadata["high"], f.metadata["doc"])
            for f in dataclasses.fields(Tuning)]


DEFAULT = Tuning()
