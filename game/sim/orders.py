"""The Handler's orders: what the command center can say in one tick (``HandlerCommands``, a
tuple of orders), and how an order is written in a replay (``order_json`` / ``order_from_json``).

Plain frozen values, checked against the map and the units by ``game.sim.handler.checked`` and
carried out by the desk there.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

HOLD_FIRE, CLEARED = "hold_fire", "cleared"
POSTURES = (HOLD_FIRE, CLEARED)
MESSAGES = ("calm", "warning")



@dataclass(frozen=True, slots=True)
class MoveUnits:
    """Officers ``units`` go to ``cell`` and hold it; ``cell`` None gives them back to the
    dispatcher."""

    units: tuple[int, ...]
    cell: tuple[int, int] | None


@dataclass(frozen=True, slots=True)
class SetPosture:
    """Officers ``units`` hold fire (never aim) or are cleared (aim under the usual rules)."""

    units: tuple[int, ...]
    posture: str


@dataclass(frozen=True, slots=True)
class Roadblock:
    """Patrol car ``car`` (with its crew aboard) drives to road ``cell`` and parks across it."""

    car: int
    cell: tuple[int, int]


@dataclass(frozen=True, slots=True)
class Cordon:
    """Passers-by are led out of, and kept out of, the cells from ``area``'s (x0, y0) to
    (x1, y1) inclusive; ``area`` None lifts the cordon."""

    area: tuple[int, int, int, int] | None


@dataclass(frozen=True, slots=True)
class Loudspeaker:
    """A ``calm`` message or a ``warning`` over every loudspeaker, car and Dylan's hailer."""

    message: str


@dataclass(frozen=True, slots=True)
class DylanTo:
    """Dylan himself goes to ``cell`` (from then on he moves only when told)."""

    cell: tuple[int, int]


@dataclass(frozen=True, slots=True)
class LowerWeapons:
    """"Lower your weapons": carried out only within earshot, with Rex in sight and calm or
    shielding Mila, as in the Mila game."""


Order = MoveUnits | SetPosture | Roadblock | Cordon | Loudspeaker | DylanTo | LowerWeapons
KINDS: dict[type, str] = {MoveUnits: "move", SetPosture: "posture", Roadblock: "roadblock",
                          Cordon: "cordon", Loudspeaker: "loudspeaker", DylanTo: "dylan",
                          LowerWeapons: "lower_weapons"}


@dataclass(frozen=True, slots=True)
class HandlerCommands:
    """This tick's orders from the command center (usually none)."""

    orders: tuple[Order, ...] = ()


NO_ORDERS = HandlerCommands()


def order_json(order: Order) -> list[Any]:
    """One order as a short JSON list: its kind, then its fields."""
    match order:
        case MoveUnits():
            return ["move", list(order.units), None if order.cell is None else list(order.cell)]
        case SetPosture():
            return ["posture", list(order.units), order.posture]
        case Roadblock():
            return ["roadblock", order.car, list(order.cell)]
        case Cordon():
            return ["cordon", None if order.area is None else list(order.area)]
        case Loudspeaker():
            return ["loudspeaker", order.message]
        case DylanTo():
            return ["dylan", list(order.cell)]
    return ["lower_weapons"]


def _as_tuple(value: Any) -> Any:
    return tuple(value) if isinstance(value, list) else value


def order_from_json(data: Any) -> Order:
    """The order ``order_json`` wrote (its values are checked again when it is played)."""
    if not isinstance(data, list) or not data or not isinstance(data[0], str):
        raise ValueError(f"bad order {str(data)[:40]}")
    kind, rest = data[0], data[1:]
    shapes = {"move": 2, "posture": 2, "roadblock": 2, "cordon": 1, "loudspeaker": 1,
              "dylan": 1, "lower_weapons": 0}
    if shapes.get(kind) != len(rest):
        raise ValueError(f"bad order {str(data)[:40]}")
    match kind:
        case "move":
            return MoveUnits(_as_tuple(rest[0]), _as_tuple(rest[1]))
        case "posture":
            return SetPosture(_as_tuple(rest[0]), rest[1])
        case "roadblock":
            return Roadblock(rest[0], _as_tuple(rest[1]))
        case "cordon":
            return Cordon(_as_tuple(rest[0]))
        case "loudspeaker":
            return Loudspeaker(rest[0])
        case "dylan":
            return DylanTo(_as_tuple(rest[0]))
    return LowerWeapons()
