"""The simulation's state machines: Rex's states and search modes, an officer's states, the
dispatcher's alert phases, Dylan's and a passer-by's states, each an ``StrEnum`` with the table
of the changes it allows.

The values are the strings the game has always used (in events, traces, replays, scenario
files and ``rex sim --json``), so a state still compares equal to its name. Each machine has
one function that changes it (``rex.set_state``, ``rex.set_search``, ``police.set_phase``,
``police.set_officer_state``, ``Dylan.set_state``, ``Civilian.set_state``); each calls
``check`` with its table, so a change the game does not know raises ``IllegalTransition``
instead of quietly putting an agent somewhere no rule leads. A scenario's start places agents
in a state; a placement is not a change and is not checked here (its own parser limits the
states it accepts).
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum
from typing import TypeVar


class IllegalTransition(ValueError):
    """A state machine was asked for a change its rules do not allow."""


class RexState(StrEnum):
    RESTLESS = "restless"  # pacing the kennel until the latch gives
    ESCAPING = "escaping"  # sprinting out of the training center
    TRACKING = "tracking"  # following the scent
    EVADING = "evading"  # police in sight
    CORNERED = "cornered"  # threats close and no way out: he stands and growls
    WARY = "wary"  # within a few tiles of Mila
    CALMING = "calming"
    BONDED = "bonded"


class Search(StrEnum):
    """How Rex finds his way while he is loose (``game.sim.rex`` explains each)."""

    FOLLOW = "follow"
    SNIFF = "sniff"
    CAST = "cast"


class OfficerState(StrEnum):
    IN_CAR = "in_car"
    STANDBY = "standby"
    SEARCH = "search"
    PURSUIT = "pursuit"
    PERIMETER = "perimeter"
    STAND_DOWN = "stand_down"
    ORDERED = "ordered"  # sent somewhere by the Handler (game.sim.handler), whatever the phase


class DylanState(StrEnum):
    COMMAND_CENTER = "command_center"  # at the desk until he goes to Rex
    RUNNING = "running"  # on his way to Rex (or to where the Handler sent him)
    ARRIVED = "arrived"  # within earshot of Rex (or where he was sent), watching him
    DONE = "done"  # he has ordered the guns down


class CivilianState(StrEnum):
    WALK = "walk"
    FLEE = "flee"  # running for the nearest door
    FILM = "film"  # holding a phone up at a safe distance
    GRAB = "grab"  # the one passer-by who tries to pull Mila away
    INDOORS = "indoors"


class Phase(StrEnum):
    """The dispatcher's alert phase."""

    STANDBY = "standby"
    SEARCH = "search"
    PURSUIT = "pursuit"
    CONTAINMENT = "containment"
    STAND_DOWN = "stand_down"


# Rex's states as module names, for the modules that read them every tick (Rex, the calm-down,
# Mila, the crowd, the police): in Python 3.11 reading an enum member off its class
# (RexState.WARY) costs about 0.2 us, a module name a tenth of that.
RESTLESS, ESCAPING, TRACKING, EVADING = (RexState.RESTLESS, RexState.ESCAPING,
                                         RexState.TRACKING, RexState.EVADING)
CORNERED, WARY, CALMING, BONDED = (RexState.CORNERED, RexState.WARY, RexState.CALMING,
                                   RexState.BONDED)
NEAR_MILA = (WARY, CALMING, BONDED)  # he has reached her: wary, calming down or bonded
BY_MILA = (WARY, CALMING)  # he has reached her and is not yet hers
FRIGHTENED = (CivilianState.FLEE, CivilianState.GRAB)  # passers-by running or grabbing

R = RexState
REX_MOVES: Mapping[RexState, frozenset[RexState]] = {
    R.RESTLESS: frozenset({R.ESCAPING}),  # the latch gives
    R.ESCAPING: frozenset({R.TRACKING, R.WARY}),  # out of the center, or straight to her
    R.TRACKING: frozenset({R.EVADING, R.WARY}),
    R.EVADING: frozenset({R.TRACKING, R.CORNERED, R.WARY}),
    R.CORNERED: frozenset({R.EVADING, R.WARY}),  # a way out again, or calmer by Mila
    R.WARY: frozenset({R.CALMING, R.BONDED, R.CORNERED, R.TRACKING}),  # BONDED: the collar
    R.CALMING: frozenset({R.WARY, R.BONDED, R.CORNERED, R.TRACKING}),
    R.BONDED: frozenset(),  # the home ending follows; nothing takes him away from her
}

SEARCH_MOVES: Mapping[Search, frozenset[Search]] = {
    Search.FOLLOW: frozenset({Search.SNIFF, Search.CAST}),
    Search.SNIFF: frozenset({Search.FOLLOW}),  # after the sniff he follows again
    Search.CAST: frozenset({Search.FOLLOW, Search.SNIFF}),  # ground scent found again
}

# An officer on foot takes the state of the dispatcher's phase (``police.OFFICER_STATE``),
# whatever it was, so any on-foot state may follow any other; a crew leaves its car only
# where the car stops in pursuit or containment, and nobody gets back in.
_ON_FOOT = frozenset(OfficerState) - {OfficerState.IN_CAR}
OFFICER_MOVES: Mapping[OfficerState, frozenset[OfficerState]] = {
    OfficerState.IN_CAR: frozenset({OfficerState.PURSUIT, OfficerState.PERIMETER}),
    **{state: _ON_FOOT - {state} for state in _ON_FOOT},
}

PHASE_MOVES: Mapping[Phase, frozenset[Phase]] = {
    # A sighting goes straight to pursuit; Dylan's order (stand-down) may come at any time
    # and is final.
    Phase.STANDBY: frozenset({Phase.SEARCH, Phase.PURSUIT, Phase.STAND_DOWN}),
    Phase.SEARCH: frozenset({Phase.PURSUIT, Phase.CONTAINMENT, Phase.STAND_DOWN}),
    Phase.PURSUIT: frozenset({Phase.SEARCH, Phase.CONTAINMENT, Phase.STAND_DOWN}),
    Phase.CONTAINMENT: frozenset({Phase.PURSUIT, Phase.STAND_DOWN}),
    Phase.STAND_DOWN: frozenset(),
}

D = DylanState
DYLAN_MOVES: Mapping[DylanState, frozenset[DylanState]] = {
    # DONE from anywhere: the Handler may have him order the guns down from where he stands.
    D.COMMAND_CENTER: frozenset({D.RUNNING, D.DONE}),  # containment, or the Handler sends him
    D.RUNNING: frozenset({D.ARRIVED, D.DONE}),
    D.ARRIVED: frozenset({D.RUNNING, D.DONE}),  # Rex out of earshot, or sent on
    D.DONE: frozenset(),
}

C = CivilianState
CIVILIAN_MOVES: Mapping[CivilianState, frozenset[CivilianState]] = {
    C.WALK: frozenset({C.FLEE, C.FILM, C.GRAB}),  # panic, or the grab
    C.FILM: frozenset({C.FLEE, C.GRAB, C.WALK}),  # WALK: led out of the Handler's cordon
    C.GRAB: frozenset({C.FLEE}),  # after the grab, whatever came of it
    C.FLEE: frozenset({C.INDOORS}),
    C.INDOORS: frozenset(),
}

S = TypeVar("S", RexState, Search, OfficerState, Phase, DylanState, CivilianState)


def check(moves: Mapping[S, frozenset[S]], old: S, new: S) -> None:
    """Raise IllegalTransition unless ``moves`` allows ``old`` -> ``new`` (and ``new`` is a
    member of the machine's enum, not a bare string)."""
    kind = type(next(iter(moves)))
    if not isinstance(new, kind):
        raise IllegalTransition(f"{new!r} is not a {kind.__name__}")
    if new not in moves[kind(old)]:
        raise IllegalTransition(f"{kind.__name__}: no change from {old} to {new}")
