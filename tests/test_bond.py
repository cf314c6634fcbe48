"""The calm-down: stressors, calm actions and their rules, the collar, shielding, Dylan, home."""

from __future__ import annotations

import math

import pytest

from game.sim import bond
from game.sim import events as ev
from game.sim import police as police_mod
from game.sim.chase import step
from game.sim.commands import IDLE, Commands
from game.sim.world import World
from game.tiled import read_level
from game.tuning import Tuning
from tests import mapkit

FAST = Tuning(prewarm_seconds=60.0)


@pytest.fixture(scope="module")
def level(tmp_path_factory):
    return read_level(mapkit.write(mapkit.MapSpec(), tmp_path_factory.mktemp("bond")))


def rex_beside_mila(level, state: str = "wary", stress: float = 0.3, trust: float = 0.1,
                    police: bool = False, gap: float = 2.0) -> World:
    """A world where Rex has just reached Mila, a couple of tiles to her west."""
    world = World(level, 0, FAST, police=police, civilians=False)
    world.open_gate()
    rex, mila = world.rex, world.mila
    rex.x, rex.y = mila.x - gap, mila.y
    rex.state, rex.stress, rex.trust = state, stress, trust
    rex.reached_tick = rex.escaped_tick = 0
    return world


def hold(world: World, commands: Commands, seconds: float) -> list[ev.Event]:
    seen = []
    for _ in range(int(seconds * world.tick_hz)):
        seen.extend(step(world, commands))
    return seen


def test_the_collar_too_early_startles_him(level):
    world = rex_beside_mila(level, stress=0.6, trust=0.2)
    seen = hold(world, Commands(show_collar=True), 0.5)
    assert any(isinstance(e, ev.RexStartled) for e in seen)
    assert world.rex.stress > 0.6 + FAST.collar_startle * 0.8
    assert world.rex.trust < 0.2
    assert world.rex.state != "bonded"
    # Held on, it does not startle him again and again; only a new showing would.
    assert sum(isinstance(e, ev.RexStartled) for e in hold(world, Commands(show_collar=True),
                                                            1.0)) == 0


def test_the_collar_at_the_right_moment_is_recognised(level):
    world = rex_beside_mila(level, state="calming", stress=0.1, trust=0.8)
    seen = hold(world, Commands(show_collar=True), 0.5)
    kinds = [e.kind for e in seen]
    assert "CollarRecognised" in kinds and world.rex.state == "bonded"
    assert any(isinstance(e, ev.Speech) and "Bolt" in e.text for e in seen)
    # Without police the bond is home at once, with the recognition line.
    assert world.ending is not None and world.ending.ending == "home"
    assert any(isinstance(e, ev.Speech) and e.text == "Rex, you're Bolt's son." for e in seen)


def test_a_lifted_hand_breaks_when_mila_moves(level):
    world = rex_beside_mila(level, stress=0.3, trust=0.3)
    hold(world, Commands(lift_hand=True), 1.5)
    assert world.mila.hand_up
    seen = hold(world, Commands(lift_hand=True, move_x=1.0), 0.2)
    assert not world.mila.hand_up
    assert any(isinstance(e, ev.RexStartled) and "hand" in e.cause for e in seen)


def test_a_hand_counts_only_after_a_moment(level):
    world = rex_beside_mila(level)
    hold(world, Commands(lift_hand=True), FAST.hand_settle / 2)
    early = bond.calming(world)[0]
    hold(world, Commands(lift_hand=True), FAST.hand_settle)
    assert bond.calming(world)[0] > early


def test_whispering_runs_out_of_breath_and_it_comes_back(level):
    world = rex_beside_mila(level)
    hold(world, Commands(whisper=True), FAST.breath_seconds + 0.2)
    assert world.mila.out_of_breath and not world.mila.whispering
    hold(world, Commands(whisper=True), 0.5)
    assert not world.mila.whispering  # still out of breath while she keeps trying
    hold(world, IDLE, FAST.breath_refill_seconds)
    hold(world, Commands(whisper=True), 0.1)
    assert world.mila.whispering


def test_calm_actions_raise_trust_and_lower_stress_only_near_and_facing(level):
    world = rex_beside_mila(level, stress=0.5, trust=0.1)
    hold(world, IDLE, 0.1)  # standing still, she turns to face him
    gain, calm = bond.calming(world)
    assert gain > 0 and calm > 0
    full = bond.calming(world)
    hold(world, Commands(whisper=True, kneel=True), 0.1)
    assert bond.calming(world)[0] > full[0]
    world.mila.facing = (1.0, 0.0)  # looking away from him
    assert bond.calming(world) == (0.0, 0.0)
    far = rex_beside_mila(level, gap=FAST.calm_range + 1)
    assert bond.calming(far) == (0.0, 0.0)


def test_mila_running_near_him_frightens_him_and_trust_damps_it(level):
    world = rex_beside_mila(level, stress=0.2, trust=0.0, gap=5.0)
    world.mila.running = world.mila.moving = True
    pressure, cause = bond.stressors(world)
    assert cause == "Mila running" and pressure == pytest.approx(FAST.mila_run_stress)
    world.rex.trust = 1.0
    before = world.rex.stress
    bond.update(world, [])
    rise = (world.rex.stress - before) * world.tick_hz
    assert rise == pytest.approx(FAST.mila_run_stress * (1 - FAST.trust_damping), rel=0.05)


def test_wary_turns_to_calming_with_trust(level):
    world = rex_beside_mila(level, stress=0.2, trust=FAST.calming_trust - 0.01)
    seen = hold(world, Commands(whisper=True, kneel=True), 4.0)
    assert world.rex.state == "calming"
    assert any(isinstance(e, ev.RexTell) and e.tell == "sit" for e in seen)


def test_rex_shields_mila_from_a_raised_gun(level):
    world = rex_beside_mila(level, state="calming", stress=0.2, trust=0.8, police=True)
    mila = world.mila
    officer = world.police.officers[0]
    officer.car, officer.state, officer.gun_raised = None, "perimeter", True
    officer.x, officer.y = mila.x + 7.0, mila.y - 1.0
    world.police.dispatcher.phase = "containment"
    for _ in range(90):  # the police are frozen: only Rex moves
        bond.update(world, [])
        from game.sim import rex as rex_mod
        rex_mod.update(world, [])
        world.tick += 1
    assert world.rex.shielding
    # He stands between her and the gun, within a step of the line from her to it.
    gx, gy = officer.x - mila.x, officer.y - mila.y
    rx, ry = world.rex.x - mila.x, world.rex.y - mila.y
    along = (rx * gx + ry * gy) / math.hypot(gx, gy)
    across = abs(rx * gy - ry * gx) / math.hypot(gx, gy)
    assert 0.3 < along < 2.5 and across < 1.0
    # With Mila behind him in the line of fire, the officer holds his shot.
    assert not police_mod._clear_line(world, officer)


def test_dylan_orders_the_stand_down_when_rex_is_calm(level):
    world = rex_beside_mila(level, state="calming", stress=0.2, trust=0.7, police=True)
    world.police.dispatcher.phase = "containment"
    dylan = world.dylan
    dylan.state, dylan.x, dylan.y = "running", world.rex.x + 5, world.rex.y
    events: list[ev.Event] = []
    from game.sim import dylan as dylan_mod
    dylan_mod.update(world, events)
    dylan_mod.update(world, events)
    assert world.police.phase == "stand_down"
    assert any(isinstance(e, ev.Speech) and e.text.startswith("Lower your weapons") for e in
               events)
    assert all(not o.gun_raised for o in world.police.officers)


def test_dylan_waits_while_rex_is_frightened(level):
    world = rex_beside_mila(level, state="wary", stress=0.8, trust=0.1, police=True)
    world.police.dispatcher.phase = "containment"
    dylan = world.dylan
    dylan.state, dylan.x, dylan.y = "running", world.rex.x + 5, world.rex.y
    from game.sim import dylan as dylan_mod
    dylan_mod.update(world, [])
    assert world.police.phase == "containment" and dylan.state == "arrived"


def test_dylan_looks_once_a_tick_and_may_order_takes_that_look(level, monkeypatch):
    world = rex_beside_mila(level, state="calming", stress=0.2, trust=0.7, police=True)
    world.police.dispatcher.phase = "containment"
    dylan = world.dylan
    dylan.state, dylan.x, dylan.y = "arrived", world.rex.x + 5, world.rex.y
    from game.sim import dylan as dylan_mod
    assert dylan_mod.may_order(world) == dylan_mod.may_order(world, dylan_mod.sees_rex(world))
    assert dylan_mod.may_order(world, False) == (
        False, "I can't see him from here. Get me closer.")
    looks: list[int] = []
    look = dylan_mod.line_of_sight
    monkeypatch.setattr(dylan_mod, "line_of_sight", lambda *a: looks.append(1) or look(*a))
    dylan_mod.update(world, [])
    assert looks == [1] and world.police.phase == "stand_down"


def test_home_after_the_stand_down_with_the_score_and_its_parts(level):
    world = rex_beside_mila(level, state="bonded", stress=0.05, trust=1.0, police=True)
    police_mod.stand_down(world, [])
    seen = hold(world, IDLE, 0.2)
    endings = [e for e in seen if isinstance(e, ev.Ending)]
    assert endings and endings[0].ending == "home"
    score = world.score
    assert set(score) == {"views", "phones", "tension_seconds", "no_shot", "quickness",
                          "ending_factor"}
    assert score["views"] > 0 and score["no_shot"]


def test_a_cornered_rex_by_mila_growls(level):
    world = rex_beside_mila(level, state="wary", stress=0.95, trust=0.0, police=True)
    world.police.seen_by_rex = [(world.rex.x + 2, world.rex.y)]
    events: list[ev.Event] = []
    bond._states(world, world.rex, events)
    assert world.rex.state == "cornered"
