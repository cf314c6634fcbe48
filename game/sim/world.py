"""The World: everything that changes during one game, and its state hash.

``World(level, seed)`` places the agents (``game.sim.agents``) at the start of a game on a
``Stage`` (what is fixed for a map and tuning); ``game.sim.chase.step`` advances it by one tick.
Nothing here reads a clock, touches a file or draws a random number from anywhere but the
world's own generator, so the same map, seed and commands give the same ``state_hash`` in a
window or headless, on any machine. The rules' modules take the World; it names only their
agents' data, never the rules, so no module here imports another in a cycle.
"""

from __future__ import annotations

import dataclasses
import hashlib
import struct
from typing import Any

import numpy as np

from game.level import Level
from game.sim import events as ev
from game.sim import ground as ground_mod
from game.sim import score as score_mod
from game.sim.agents import Crowd, Desk, Dylan, Mila, PoliceForce, Rex
from game.sim.motion import step_masks
from game.sim.scent import TICK_HZ, ScentField
from game.sim.stage import Stage
from game.tuning import DEFAULT, Tuning


class World:
    tick_hz = TICK_HZ

    def __init__(self, level: Level, seed: int, tuning: Tuning = DEFAULT, *,
                 stage: Stage | None = None, police: bool = True, civilians: bool = True,
                 handler: bool = False):
        if stage is not None and not stage.fits(level, tuning):
            raise ValueError("the stage was built for another map or scent tuning")
        self.level = level
        self.tuning = tuning
        self.seed = seed
        self.stage = stage if stage is not None else Stage(level, tuning)
        self.rng = np.random.default_rng(seed)
        self.tick = 0
        self.ending: ev.Ending | None = None
        self.scent = ScentField(self.stage.scent)
        self.gate_open = False
        self.rex_passable = self.stage.dog_passable.copy()
        gate = self.stage.gate_cells
        self.rex_passable[gate[:, 1], gate[:, 0]] = False
        self.rex_moves = step_masks(self.rex_passable)
        self.mila = Mila.at_spawn(level)
        self.ground = ground_mod.create(self.stage.ground, self.mila.cell)
        self.rex = Rex.in_kennel(level, self.stage, tuning, self.rng)
        self.broadcast_tick: int | None = None  # the last loudspeaker warning
        # Switched off, each is a force or crowd of nobody that does nothing (never None).
        self.police = PoliceForce(level, self.stage, tuning, on=police)
        self.crowd = Crowd(level, self.stage, tuning, self.rng, on=civilians)
        self.dylan = Dylan.at_desk(level)
        # The command center's desk: active when Dylan is played (the Handler role).
        self.handler = Desk(handler)
        self.score: dict[str, Any] | None = None
        self.bonded_since: int | None = None

    # -- time -------------------------------------------------------------------------------

    @property
    def seconds(self) -> float:
        """Simulated seconds since the first tick."""
        return self.tick / self.tick_hz

    @property
    def clock_seconds(self) -> float:
        """The game clock, in seconds after midnight."""
        start = self.level.settings.start_clock_s
        return start + self.seconds * self.tuning.clock_scale

    def clock_text(self) -> str:
        total = int(self.clock_seconds)
        return f"{total // 3600 % 24:02d}:{total // 60 % 60:02d}"

    @property
    def seconds_to_sunset(self) -> float:
        """Seconds of play (not of game clock) left before sunset."""
        left = self.level.settings.sunset_clock_s - self.clock_seconds
        return max(0.0, left / self.tuning.clock_scale)

    # -- changes the step makes -------------------------------------------------------------

    def open_gate(self) -> None:
        self.gate_open = True
        gate = self.stage.gate_cells
        self.rex_passable[gate[:, 1], gate[:, 0]] = self.stage.dog_passable[gate[:, 1],
                                                                            gate[:, 0]]
        self.rex_moves = step_masks(self.rex_passable)

    def end(self, ending: str, reason: str, events: list[ev.Event]) -> None:
        if self.ending is None:
            self.score = score_mod.score(self, ending)
            self.ending = ev.Ending(self.tick, ending, reason)
            events.append(self.ending)

    # -- determinism ------------------------------------------------------------------------

    def state_hash(self) -> str:
        """A digest of everything that changes during a game: every attribute of the world
        and of what it holds (agents, the police, the crowd, the scent), found from their
        fields, except the few in ``NOT_HASHED``."""
        h = hashlib.sha256()
        _feed(h, self)
        return h.hexdigest()


# What the state hash leaves out, by class: what is fixed for the game (the map, its tuning
# and the stage built from them) and what is worked out again from hashed state (caches,
# scratch arrays, views of other fields). Everything else a World holds is hashed, so a new
# field is in the hash unless it is named here.
NOT_HASHED: dict[str, frozenset[str]] = {
    "World": frozenset({
        "level", "tuning", "stage",  # the game's fixed inputs
        "rex_moves",  # step masks of rex_passable
    }),
    "ScentField": frozenset({
        "setup", "stencil",  # fixed for the map and tuning
        "_next", "_floor",  # scratch and a constant
        "_distractor_sum",  # the distractor layers weighted by layer_weight
    }),
    "Ground": frozenset({"setup"}),
    "Desk": frozenset({"dylan_route"}),  # the field toward Dylan's target, kept between ticks
    "PoliceForce": frozenset({
        "fields",  # the shared fields' values again, by name
        "_scratch",  # a working array for the search map
    }),
    "SharedField": frozenset({"values"}),  # the distances toward its target
    "Crowd": frozenset({
        "preference", "preference_rows", "door_rows",  # fixed for the map
        "walking",  # the civilians not yet indoors
    }),
}


def _feed(h: Any, value: Any) -> None:
    """Hash a nested value exactly: floats by their bits, containers in order, dataclasses
    and other objects by their fields (less ``NOT_HASHED``), in name order."""
    if value is None:
        h.update(b"N")
    elif isinstance(value, bool):
        h.update(b"T" if value else b"F")
    elif isinstance(value, int):
        h.update(b"i" + str(value).encode())
    elif isinstance(value, float):
        h.update(b"f" + struct.pack("<d", value))
    elif isinstance(value, str):
        h.update(b"s" + value.encode() + b"\0")
    elif isinstance(value, dict):
        h.update(b"{")
        for key in sorted(value):
            _feed(h, key)
            _feed(h, value[key])
        h.update(b"}")
    elif isinstance(value, list | tuple):
        h.update(b"[")
        for item in value:
            _feed(h, item)
        h.update(b"]")
    elif isinstance(value, frozenset | set):
        _feed(h, sorted(value))
    elif isinstance(value, np.ndarray):
        h.update(b"a" + str(value.dtype).encode() + str(value.shape).encode() + value.tobytes())
    elif isinstance(value, np.generic):
        _feed(h, value.item())
    elif isinstance(value, np.random.Generator):
        _feed(h, value.bit_generator.state)
    else:
        h.update(b"<" + type(value).__name__.encode())
        for name, item in hashed_fields(value):
            _feed(h, name)
            _feed(h, item)
        h.update(b">")


def hashed_fields(value: Any) -> list[tuple[str, Any]]:
    """The (name, value) pairs of an object that the state hash takes, in name order."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        names = [f.name for f in dataclasses.fields(value)]
    elif hasattr(value, "__dict__"):
        names = list(vars(value))
    else:
        raise TypeError(f"cannot hash {type(value).__name__}")
    skip = NOT_HASHED.get(type(value).__name__, frozenset())
    return [(name, getattr(value, name)) for name in sorted(names) if name not in skip]
