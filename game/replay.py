"""Replays: the seed, the map's content hash, the version and every tick's commands.

A replay file is one JSON object. The commands are run-length encoded: ``[ticks, move_x,
move_y, flags]`` where flags packs run, whisper, kneel, lift_hand, show_collar as bits, so a
ten-minute game is a few kilobytes. Replaying the commands with the same seed on the same map
gives the same game, which ``final_state_hash`` lets anyone check. Reading never trusts the
file: it comes in through ``game.guarded`` (a regular file of at most 16 MiB), and a replay for
another map or a newer format, a truncated or corrupt file, or a number out of its range (a
seed outside 0 to 2^63 - 1, more than a day of ticks) is one clear ``ReplayError``.

A game where Dylan was played (the Handler role) also records his orders: ``"role":
"handler"`` and ``handler_orders``, a list of ``[tick, [order, ...]]`` for the ticks that had
any (game/sim/orders.py ``order_json``). Such a replay is format 2; a Mila game's stays format
1, so older games read it as before. The orders are checked again when the replay is played.
"""

from __future__ import annotations

import json
import math
import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from game import __version__, guarded
from game.sim import handler as handler_mod
from game.sim.commands import Commands
from game.sim.orders import NO_ORDERS, HandlerCommands, order_from_json, order_json
from game.sim.scent import TICK_HZ
from game.tuning import DEFAULT, Tuning, TuningError

FORMAT = "rex-replay"
FORMAT_VERSION = 2  # the newest this game reads and writes (1: no Handler orders)
FLAGS = ("run", "whisper", "kneel", "lift_hand", "show_collar")
MAX_TICKS = guarded.MAX_MINUTES * 60 * TICK_HZ  # a day of play
MAX_MAP_PATH = 4096  # characters of the recorded map's path


class ReplayError(Exception):
    """A replay that cannot be used, with the reason in one line."""


def _pack(commands: Commands) -> tuple[float, float, int]:
    bits = sum(1 << i for i, name in enumerate(FLAGS) if getattr(commands, name))
    return commands.move_x, commands.move_y, bits


def _unpack(move_x: float, move_y: float, bits: int) -> Commands:
    return Commands(move_x=move_x, move_y=move_y,
                    **{name: bool(bits >> i & 1) for i, name in enumerate(FLAGS)})


@dataclass
class Replay:
    map_name: str
    map_path: str
    map_hash: str
    seed: int
    police: bool = True
    civilians: bool = True
    tuning: dict[str, Any] = field(default_factory=dict)  # knobs that differ from the default
    runs: list[list] = field(default_factory=list)  # [ticks, move_x, move_y, flags]
    final_state_hash: str | None = None
    ending: str | None = None
    game_version: str = __version__
    role: str = "mila"  # or "handler": Dylan was played, and his orders are kept
    handler_orders: list[list] = field(default_factory=list)  # [tick, [order json, ...]]

    @property
    def ticks(self) -> int:
        return sum(run[0] for run in self.runs)

    def record(self, commands: Commands, orders: HandlerCommands = NO_ORDERS) -> None:
        """Append one tick's commands (and the Handler's orders, if he gave any)."""
        if orders.orders:
            self.handler_orders.append([self.ticks, [order_json(o)
                                                     for o in orders.orders]])
        packed = list(_pack(commands))
        if self.runs and self.runs[-1][1:] == packed:
            self.runs[-1][0] += 1
        else:
            self.runs.append([1, *packed])

    def commands(self) -> Iterator[Commands]:
        for ticks, move_x, move_y, bits in self.runs:
            command = _unpack(move_x, move_y, bits)
            for _ in range(ticks):
                yield command

    def orders(self) -> dict[int, HandlerCommands]:
        """The Handler's orders by tick (they are checked again as the game plays them)."""
        return {tick: HandlerCommands(tuple(order_from_json(o) for o in orders))
                for tick, orders in self.handler_orders}

    def as_json(self) -> dict[str, Any]:
        handler = {} if self.role == "mila" else {"role": self.role,
                                                  "handler_orders": self.handler_orders}
        return {"format": FORMAT, "format_version": FORMAT_VERSION if handler else 1,
                "game_version": self.game_version, "map": self.map_name,
                "map_path": self.map_path, "map_hash": self.map_hash, "seed": self.seed,
                "police": self.police, "civilians": self.civilians, "tuning": self.tuning,
                "ticks": self.ticks, "final_state_hash": self.final_state_hash,
                "ending": self.ending, "commands": self.runs, **handler}

    def save(self, path: str | os.PathLike) -> None:
        """Write atomically: a crash mid-write never leaves a half replay behind (a failure is
        an OutputError)."""
        guarded.write_atomic(path, json.dumps(self.as_json(), separators=(",", ":")) + "\n")


def load(path: str | os.PathLike) -> Replay:
    path = Path(path)
    try:
        text = guarded.read_text(path, guarded.REPLAY)
    except guarded.InputError as err:
        if err.reason.startswith("file not found"):
            raise ReplayError(f"{path}: no such replay file") from None
        if err.reason == "is a directory, not a file":
            raise ReplayError(f"{path}: is a directory, not a replay") from None
        raise ReplayError(f"{path}: cannot read the replay: {err.reason}") from None
    try:
        data = json.loads(text)
    except (ValueError, RecursionError):  # ValueError: also a number of thousands of digits
        raise ReplayError(f"{path}: corrupt or truncated replay (not valid JSON)") from None
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise ReplayError(f"{path}: not a Rex replay")
    version = data.get("format_version")
    if not isinstance(version, int):
        raise ReplayError(f"{path}: corrupt replay (no format version)")
    if version > FORMAT_VERSION:
        raise ReplayError(f"{path}: replay format {version} is newer than this game reads "
                          f"({FORMAT_VERSION}); update Rex to play it")
    try:
        replay = Replay(
            map_name=_typed(data, "map", str), map_path=_map_path(data),
            map_hash=_typed(data, "map_hash", str), seed=_seed(data),
            police=_typed(data, "police", bool), civilians=_typed(data, "civilians", bool),
            tuning=_typed(data, "tuning", dict), runs=_runs(data.get("commands")),
            final_state_hash=_optional(data, "final_state_hash"),
            ending=_optional(data, "ending"),
            game_version=str(data.get("game_version", "?"))[:40],
            role=_role(data), handler_orders=_orders(data.get("handler_orders", [])))
    except KeyError as err:
        raise ReplayError(f"{path}: corrupt replay (no {err})") from None
    except (TypeError, ValueError) as err:
        raise ReplayError(f"{path}: corrupt replay ({err})") from None
    if replay.ticks != data.get("ticks"):
        raise ReplayError(f"{path}: truncated replay ({replay.ticks} of {data.get('ticks')} "
                          "ticks of commands)")
    return replay


def _role(data: dict) -> str:
    role = data.get("role", "mila")
    if role not in ("mila", "handler"):
        raise ValueError(f"'role' should be mila or handler, not {str(role)[:20]}")
    return role


def _orders(orders: Any) -> list[list]:
    """The Handler's orders: [tick, [order, ...]] with ticks rising; each order well formed."""
    if not isinstance(orders, list):
        raise TypeError("'handler_orders' should be a list")
    last = -1
    for entry in orders:
        if (not isinstance(entry, list) or len(entry) != 2 or type(entry[0]) is not int
                or not last < entry[0] <= MAX_TICKS or not isinstance(entry[1], list)
                or len(entry[1]) > handler_mod.MAX_ORDERS):
            raise ValueError(f"bad handler order entry {str(entry)[:40]}")
        for order in entry[1]:
            order_from_json(order)
        last = entry[0]
    return orders


def _typed(data: dict, key: str, kind: type) -> Any:
    value = data[key]
    if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
        raise TypeError(f"'{key}' should be {kind.__name__}")
    return value


def _seed(data: dict) -> int:
    seed = _typed(data, "seed", int)
    if not 0 <= seed <= guarded.MAX_SEED:
        raise ValueError(f"'seed' should be 0 to 2^63 - 1, not {str(seed)[:40]}")
    return seed


def _map_path(data: dict) -> str:
    path = _typed(data, "map_path", str)
    if not path or len(path) > MAX_MAP_PATH or "\0" in path:
        raise ValueError("'map_path' is not a path")
    return path


def _optional(data: dict, key: str) -> str | None:
    value = data.get(key)
    if value is not None and not isinstance(value, str):
        raise TypeError(f"'{key}' should be str or null")
    return value


def _runs(runs: Any) -> list[list]:
    if not isinstance(runs, list):
        raise TypeError("'commands' should be a list")
    checked = []
    ticks = 0
    for run in runs:
        if (not isinstance(run, list) or len(run) != 4 or type(run[0]) is not int
                or not 1 <= run[0] <= MAX_TICKS or type(run[3]) is not int
                or not 0 <= run[3] < 1 << len(FLAGS)
                or not all(isinstance(v, int | float) and not isinstance(v, bool)
                           and math.isfinite(v) and abs(v) <= 1.0 for v in run[1:3])):
            raise ValueError(f"bad command run {str(run)[:40]}")
        ticks += run[0]
        if ticks > MAX_TICKS:
            raise ValueError(f"more than {MAX_TICKS:,} ticks (a day of play)")
        checked.append(run)
    return checked


def tuning_of(replay: Replay) -> Tuning:
    """The tuning the replay was recorded with (defaults plus its changes)."""
    try:
        return DEFAULT.replace(**replay.tuning)
    except TuningError as err:
        raise ReplayError(f"the replay's tuning does not fit this game: {err}") from None


def check_map(replay: Replay, level) -> None:
    """The replay must have been recorded on this very map content."""
    if level.content_hash != replay.map_hash:
        raise ReplayError(f"the replay was recorded on a different version of map "
                          f"'{replay.map_name}' (map hash {replay.map_hash[:12]}, this one "
                          f"{level.content_hash[:12]})")
