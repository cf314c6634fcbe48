"""The ending's audience: how many views the phones' video gets.

views = VIEWS_BASE x (1 + phones)^2 x (1 + tension / 60) x (1 + 2 x quickness)
        x ENDING_FACTOR[ending] x (NO_SHOT_BONUS if no shot was fired)

- phones: passers-by filming the final moment (holding a phone up, with Rex in sight and in
  their filming range);
- tension: seconds of the perimeter with guns raised and no shot fired (the standoff people
  watch);
- quickness: the share of the time before sunset left when the chase ended (from the escape);
- the ending: Home is the story people share, Tranquilized and Back to the kennel less so, and
  Lost at dusk has almost nothing to show.
VIEWS_BASE is 20,000: a calm Home nobody filmed still passes a million views (a neighbour's
doorbell camera, the police bodycams), one with four phones and a long standoff tens of
millions; a dusk with nobody filming, a few thousand.
"""

from __future__ import annotations

import math
from typing import Any, Protocol

import numpy as np

from game.level import Level
from game.sim.agents import Crowd, PoliceForce, Rex
from game.sim.perception import line_of_sight
from game.sim.states import CivilianState
from game.tuning import Tuning

VIEWS_BASE = 20_000
ENDING_FACTOR = {"home": 10.0, "tranquilized": 2.0, "kennel": 1.0, "dusk": 0.3}
NO_SHOT_BONUS = 1.5


class Ended(Protocol):
    """What the score reads of the World when a game ends (the World, named by what it holds
    so that the World can score itself without this module naming it)."""

    level: Level
    tuning: Tuning
    tick: int
    tick_hz: int
    rex: Rex
    police: PoliceForce
    crowd: Crowd


def phones_on_him(world: Ended) -> int:
    crowd, rex = world.crowd, world.rex
    filming = [c for c in crowd.walking if c.state == CivilianState.FILM and c.phone_up
               and math.hypot(c.x - rex.x, c.y - rex.y) <= world.tuning.film_range]
    if not filming:
        return 0
    clear = line_of_sight(world.level.blocks_sight, np.array([c.x for c in filming]),
                          np.array([c.y for c in filming]), rex.x, rex.y)
    return int(clear.sum())


def score(world: Ended, ending: str) -> dict[str, Any]:
    police = world.police
    shots = police.counts["shots"]
    tension = police.tension_ticks / world.tick_hz
    settings = world.level.settings
    evening = (settings.sunset_clock_s - settings.start_clock_s) / world.tuning.clock_scale
    start = world.rex.escaped_tick or world.rex.latch_tick
    used = max(0.0, (world.tick - start) / world.tick_hz)
    quickness = max(0.0, 1.0 - used / max(evening, 1.0))
    phones = phones_on_him(world)
    views = (VIEWS_BASE * (1 + phones) ** 2 * (1 + tension / 60.0) * (1 + 2 * quickness)
             * ENDING_FACTOR[ending] * (NO_SHOT_BONUS if shots == 0 else 1.0))
    return {"views": round(views), "phones": phones, "tension_seconds": round(tension, 1),
            "no_shot": shots == 0, "quickness": round(quickness, 3),
            "ending_factor": ENDING_FACTOR[ending]}
