"""The typed state machines: each change goes through one function that refuses a change the
game has no rule for, and the games on the shipped map make only changes the tables allow."""

from __future__ import annotations

from pathlib import Path

import pytest

from game import policies
from game.sim import events as ev
from game.sim import police as police_mod
from game.sim import rex as rex_mod
from game.sim.chase import step
from game.sim.civilians import Civilian
from game.sim.dylan import Dylan
from game.sim.stage import Stage
from game.sim.states import (
    CIVILIAN_MOVES,
    DYLAN_MOVES,
    OFFICER_MOVES,
    PHASE_MOVES,
    REX_MOVES,
    SEARCH_MOVES,
    CivilianState,
    DylanState,
    IllegalTransition,
    OfficerState,
    Phase,
    RexState,
    Search,
)
from game.sim.world import World
from game.tiled import read_level
from game.tuning import DEFAULT

LAKESIDE = Path(__file__).resolve().parent.parent / "maps" / "lakeside.tmx"


@pytest.fixture(scope="module")
def world_factory():
    level = read_level(LAKESIDE)
    stage = Stage(level, DEFAULT)
    return lambda seed=1: World(level, seed, stage=stage)


def test_every_machine_has_a_row_for_each_of_its_states_and_keeps_its_strings():
    for moves, kind in ((REX_MOVES, RexState), (SEARCH_MOVES, Search),
                        (OFFICER_MOVES, OfficerState), (PHASE_MOVES, Phase),
                        (DYLAN_MOVES, DylanState), (CIVILIAN_MOVES, CivilianState)):
        assert set(moves) == set(kind)
        assert all(targets <= set(kind) for targets in moves.values())
    # The values are the strings of events, traces and scenario files.
    assert RexState.TRACKING == "tracking" and Phase.STAND_DOWN == "stand_down"
    assert f"{OfficerState.IN_CAR}" == "in_car"


def test_an_impossible_change_of_rex_raises_and_changes_nothing(world_factory):
    world = world_factory()
    rex, events = world.rex, []
    with pytest.raises(IllegalTransition):
        rex_mod.set_state(world, rex, RexState.BONDED, events)  # from the kennel
    assert rex.state == RexState.RESTLESS and events == []
    rex_mod.set_state(world, rex, RexState.ESCAPING, events)
    assert [(e.old, e.new) for e in events] == [("restless", "escaping")]
    rex_mod.set_search(world, rex, Search.SNIFF, events)
    with pytest.raises(IllegalTransition):
        rex_mod.set_search(world, rex, Search.CAST, events)  # a sniff ends in follow
    assert rex.search == Search.SNIFF
    rex.state = RexState.BONDED
    with pytest.raises(IllegalTransition):
        rex_mod.set_state(world, rex, RexState.TRACKING, events)


def test_the_change_functions_take_only_the_enums(world_factory):
    world = world_factory()
    with pytest.raises(IllegalTransition, match="not a RexState"):
        rex_mod.set_state(world, world.rex, "escaping", [])  # type: ignore[arg-type]
    with pytest.raises(IllegalTransition, match="not a Phase"):
        police_mod.set_phase(world, "search", [])  # type: ignore[arg-type]
    with pytest.raises(IllegalTransition, match="not a OfficerState"):
        police_mod.set_officer_state(world.police.officers[0], "search")  # type: ignore[arg-type]
    assert world.rex.state == "restless" and world.police.phase == "standby"


def test_the_dispatcher_and_officers_refuse_impossible_changes(world_factory):
    world = world_factory()
    events: list[ev.Event] = []
    with pytest.raises(IllegalTransition):
        police_mod.set_phase(world, Phase.CONTAINMENT, events)  # nobody has seen him yet
    police_mod.stand_down(world, events)
    with pytest.raises(IllegalTransition):
        police_mod.set_phase(world, Phase.PURSUIT, events)  # the stand-down is final
    crew = next(o for o in world.police.officers if o.state == OfficerState.IN_CAR)
    with pytest.raises(IllegalTransition):
        police_mod.set_officer_state(crew, OfficerState.SEARCH)  # crews leave only at a stop
    on_foot = next(o for o in world.police.officers if o.car is None)
    with pytest.raises(IllegalTransition):
        police_mod.set_officer_state(on_foot, OfficerState.IN_CAR)


def test_dylan_and_a_passer_by_refuse_impossible_changes(world_factory):
    world = world_factory()
    dylan, person = world.dylan, world.crowd.civilians[0]
    with pytest.raises(IllegalTransition):
        dylan.set_state(DylanState.ARRIVED)  # he has not left the desk
    with pytest.raises(IllegalTransition, match="not a DylanState"):
        dylan.set_state("running")  # type: ignore[arg-type]
    dylan.set_state(DylanState.RUNNING)
    dylan.set_state(DylanState.DONE)
    with pytest.raises(IllegalTransition):
        dylan.set_state(DylanState.RUNNING)  # the order is given once
    with pytest.raises(IllegalTransition):
        person.set_state(CivilianState.INDOORS)  # only a fleeing passer-by goes in
    person.set_state(CivilianState.GRAB)
    with pytest.raises(IllegalTransition):
        person.set_state(CivilianState.FILM)  # after the grab, he runs
    assert (dylan.state, person.state) == (DylanState.DONE, CivilianState.GRAB)


def test_the_crowd_and_dylan_change_state_in_play(world_factory, monkeypatch):
    """Games with the crowd and Dylan run their machines through the checked changes (an
    illegal one would raise), and reach the ends of them."""
    made: set[tuple[str, str]] = set()
    for kind in (Civilian, Dylan):
        def recording(self, state, change=kind.set_state):
            made.add((self.state, state))
            change(self, state)
        monkeypatch.setattr(kind, "set_state", recording)
    for seed in (1, 2, 3):
        world = world_factory(seed)
        act = policies.make("calm", seed)
        while world.ending is None and world.tick < 30 * 300:
            step(world, act(policies.Observation(world)))
    assert {("walk", "flee"), ("flee", "indoors"), ("command_center", "running")} <= made


def test_games_on_the_shipped_map_change_state_only_as_the_tables_allow(world_factory):
    for seed, policy in ((1, "wait"), (2, "calm")):
        world = world_factory(seed)
        act = policies.make(policy, seed)
        changes: set[tuple[str, str]] = set()
        phases: set[tuple[str, str]] = set()
        while world.ending is None and world.tick < 30 * 240:
            for e in step(world, act(policies.Observation(world))):
                if isinstance(e, ev.RexStateChanged):
                    assert isinstance(e.new, RexState)
                    changes.add((e.old, e.new))
                elif isinstance(e, ev.PhaseChanged):
                    assert isinstance(e.new, Phase)
                    phases.add((e.old, e.new))
        assert all(new in REX_MOVES[RexState(old)] for old, new in changes)
        assert all(new in PHASE_MOVES[Phase(old)] for old, new in phases)
        assert len(changes) >= 3 and phases  # the games went somewhere


def test_switched_off_police_and_crowd_are_there_and_do_nothing():
    level = read_level(LAKESIDE)
    world = World(level, 1, police=False, civilians=False)
    assert not world.police.on and not world.crowd.on
    assert world.police.officers == [] and world.police.cars == []
    assert world.crowd.civilians == []
    seen: list[ev.Event] = []
    act = policies.make("wait", 1)
    while world.tick < world.rex.latch_tick + 30 * 60:
        seen += step(world, act(policies.Observation(world)))
    assert world.rex.escaped_tick is not None  # a minute after the latch gave
    assert world.police.phase == Phase.STANDBY and world.police.dispatcher.log == []
    assert world.police.dispatcher.alarm_tick is None  # nobody raised the alarm
    assert not any(isinstance(e, ev.Radio | ev.PhaseChanged | ev.Panic) for e in seen)
    assert policies.Observation(world).phase == "none"


def test_a_scenarios_start_is_read_as_the_enums_and_placed_as_such():
    from game import scenario

    loaded = scenario.load(LAKESIDE.parent.parent / "scenarios" / "standoff_ends_home.toml")
    assert loaded.start.rex is not None and loaded.start.rex.state is RexState.CALMING
    assert loaded.start.phase is Phase.PURSUIT
    world = World(read_level(LAKESIDE), 1, loaded.tuning)
    loaded.start.apply(world)
    assert world.rex.state is RexState.CALMING  # placed there, not walked there from the kennel
    assert world.police.phase is Phase.PURSUIT
    assert [phase for _, phase in world.police.dispatcher.log] == ["standby", "pursuit"]
