"""The Handler's desk: orders checked, carried by radio, obeyed; the same game from the same
orders; and the Mila game untouched by a desk that gives none."""

from __future__ import annotations

import math

import pytest

from game.headless import GameOptions, Runner
from game.replay import Replay, load
from game.sim import events as ev
from game.sim import handler as handler_mod
from game.sim.chase import step
from game.sim.commands import IDLE, CommandError
from game.sim.orders import (
    HOLD_FIRE,
    NO_ORDERS,
    Cordon,
    DylanTo,
    HandlerCommands,
    Loudspeaker,
    LowerWeapons,
    MoveUnits,
    Roadblock,
    SetPosture,
)
from game.sim.stage import Stage
from game.sim.states import DylanState
from game.sim.world import World
from game.tiled import read_level
from game.tuning import Tuning
from tests import mapkit
from tests.test_police import TOWN

FAST = Tuning(prewarm_seconds=60.0)


@pytest.fixture(scope="module")
def town(tmp_path_factory):
    path = mapkit.write(mapkit.MapSpec(picture=TOWN), tmp_path_factory.mktemp("town"))
    level = read_level(path)
    return level, Stage(level, FAST)


def world_of(town, seed: int = 0, tuning: Tuning = FAST) -> World:
    level, stage = town
    return World(level, seed, tuning, stage=stage, handler=True)


def play(world: World, seconds: float, orders: dict[int, HandlerCommands] | None = None
         ) -> list[ev.Event]:
    seen: list[ev.Event] = []
    end = world.tick + round(seconds * world.tick_hz)
    while world.tick < end and world.ending is None:
        given = (orders or {}).get(world.tick, NO_ORDERS)
        seen.extend(step(world, IDLE, handler_mod.checked(world, given)))
    return seen


def test_orders_that_cannot_be_carried_out_are_refused(town):
    world = world_of(town)
    units = len(world.police.officers)
    bad = [MoveUnits((units,), (1, 1)), MoveUnits((0,), (world.level.width, 0)),
           MoveUnits((True,), (1, 1)), SetPosture((0,), "shoot_on_sight"),
           Roadblock(0, (0, 9)), Cordon((0, 0, 1)), Loudspeaker("music"),
           DylanTo((1.5, 2)), "move"]
    for order in bad:
        with pytest.raises(CommandError):
            handler_mod.checked(world, HandlerCommands((order,)))
    with pytest.raises(CommandError):
        handler_mod.checked(world, [MoveUnits((0,), (1, 1))])
    good = handler_mod.checked(world, HandlerCommands((Cordon((9, 9, 2, 3)),
                                                      MoveUnits([2, 0, 2], (5, 9)))))
    assert good.orders == (Cordon((2, 3, 9, 9)), MoveUnits((0, 2), (5, 9)))


def test_a_move_order_lands_after_the_radio_delay_and_the_officer_holds_his_cell(town):
    world = world_of(town)
    officer = world.police.on_foot()[0]
    target = (30, 8)
    seen = play(world, 1.0, {0: HandlerCommands((MoveUnits((officer.id,), target),))})
    assert officer.id not in world.handler.unit_orders  # still on the radio
    assert any(isinstance(e, ev.Radio) and e.speaker == "Command" for e in seen)
    play(world, 1.2)
    assert world.handler.unit_orders[officer.id] == target
    play(world, 25)
    assert officer.state == "ordered"
    assert officer.cell == target
    others = [o for o in world.police.on_foot() if o.id != officer.id]
    assert all(o.state != "ordered" for o in others)  # the rest follow the dispatcher
    play(world, 0.1, {world.tick: HandlerCommands((MoveUnits((officer.id,), None),))})
    play(world, 3)
    assert officer.id not in world.handler.unit_orders and officer.state != "ordered"


def test_units_on_hold_fire_never_aim(town):
    tuning = FAST.replace(containment_patience=5.0)
    aims_cleared = 0
    for seed in range(6):
        world = world_of(town, seed, tuning)
        everyone = tuple(range(len(world.police.officers)))
        seen = play(world, 300, {0: HandlerCommands((SetPosture(everyone, HOLD_FIRE),))})
        assert not any(isinstance(e, ev.AimStarted | ev.ShotFired) for e in seen)
        cleared = world_of(town, seed, tuning)
        aims_cleared += sum(isinstance(e, ev.AimStarted) for e in play(cleared, 300))
    assert aims_cleared > 0, "nobody aimed even when cleared: the test checked nothing"


def test_in_containment_only_officers_sent_in_take_a_cornered_rex(town):
    from game.sim import police as police_mod
    from game.sim.states import Phase, RexState

    def cornered_with_an_officer_beside_him(sent: bool) -> World:
        world = world_of(town)
        world.open_gate()
        rex, officer = world.rex, world.police.on_foot()[0]
        rex.state, rex.cornered_tick = RexState.CORNERED, world.tick - 2 * world.tick_hz
        officer.x, officer.y = rex.x + 0.5, rex.y
        world.police.dispatcher.phase = Phase.CONTAINMENT
        if sent:
            world.handler.unit_orders[officer.id] = rex.cell
        police_mod._catch(world, [])
        return world

    assert cornered_with_an_officer_beside_him(sent=False).ending is None  # the perimeter
    caught = cornered_with_an_officer_beside_him(sent=True).ending
    assert caught is not None and caught.ending == "kennel"


def test_aggressive_sends_the_nearest_officers_in_when_he_is_seen_cornered(town):
    from game.handler_observation import HandlerObservation
    from game.handler_policies import Aggressive
    from game.sim.states import Phase, RexState

    world = world_of(town)
    world.open_gate()
    world.police.dispatcher.phase = Phase.CONTAINMENT
    world.police.dispatcher.last_known = (world.rex.x, world.rex.y)
    walkers = world.police.on_foot()
    for k, officer in enumerate(walkers):
        officer.x, officer.y, officer.sees = world.rex.x + 2 + k, world.rex.y, k == 0
    policy = Aggressive()
    policy.reset(0, world.level)
    world.rex.state = RexState.WARY
    calm_orders = policy.act(HandlerObservation(world))
    assert not any(isinstance(o, MoveUnits) and o.cell == world.rex.cell
                   for o in calm_orders.orders)
    world.rex.state = RexState.CORNERED
    orders = [o for o in policy.act(HandlerObservation(world)).orders
              if isinstance(o, MoveUnits) and o.cell is not None
              and math.dist(o.cell, world.rex.cell) <= 1.5]
    assert orders and set(orders[0].units) == {walkers[0].id, walkers[1].id}


def test_a_roadblock_parks_across_the_road_and_rex_shies_from_it(town):
    world = world_of(town)
    car = world.police.cars[0]
    cell = (20, 4)
    play(world, 40, {0: HandlerCommands((Roadblock(car.id, cell),))})
    assert car.parked and car.cell == cell and not car.crew
    assert cell in world.handler.blocked and (20, 5) in world.handler.blocked
    assert all(world.stage.road[y, x] for x, y in world.handler.blocked)
    assert not handler_mod.car_may_enter(world, 1, (21, 4))
    world.rex.x, world.rex.y = car.x + 3, car.y
    assert (car.x, car.y) in handler_mod.roadblocks_in_sight(world)


def test_a_cordon_leads_passers_by_out_and_keeps_them_out(town):
    world = world_of(town, 2)
    area = (0, 6, 20, 9)  # round the passers-by's spawn
    inside = [c for c in world.crowd.civilians
              if area[0] <= c.x < area[2] + 1 and area[1] <= c.y < area[3] + 1]
    assert inside, "nobody starts in the cordon: the test checks nothing"
    play(world, 3, {0: HandlerCommands((Cordon(area),))})
    play(world, 30)
    assert not any(world.handler.in_cordon(*c.cell) for c in world.crowd.walking)
    for _ in range(20):
        play(world, 1)
        assert not any(world.handler.in_cordon(*c.cell) for c in world.crowd.walking)


def test_the_calm_message_soothes_and_the_warning_frightens(town):
    calm, warned, quiet = world_of(town, 1), world_of(town, 1), world_of(town, 1)
    for world in (calm, warned, quiet):
        play(world, 60)
        world.rex.stress = 0.6
        for person in world.crowd.walking:
            person.fear = 0.4
        # Rex next to a loudspeaker's reach: the map's is in the middle, Dylan's at his side.
        world.dylan.state = DylanState.ARRIVED
        world.dylan.x, world.dylan.y = world.rex.x + 2, world.rex.y
    play(calm, 4, {calm.tick: HandlerCommands((Loudspeaker("calm"),))})
    play(warned, 4, {warned.tick: HandlerCommands((Loudspeaker("warning"),))})
    play(quiet, 4)
    assert calm.handler.owns_loudspeaker and calm.handler.counts["loudspeaker"] == 1
    assert calm.rex.stress < quiet.rex.stress < warned.rex.stress


def test_the_loudspeaker_waits_for_its_cooldown(town):
    world = world_of(town)
    play(world, 0.2, {0: HandlerCommands((Loudspeaker("calm"),)),
                      3: HandlerCommands((Loudspeaker("warning"),))})
    assert world.handler.counts["refused"] == 1


def test_dylan_goes_where_he_is_sent_and_orders_only_with_rex_in_sight(town):
    world = world_of(town)
    target = (20, 8)
    seen = play(world, 0.1, {0: HandlerCommands((LowerWeapons(), DylanTo(target)))})
    assert world.handler.counts["refused"] == 1
    assert any(isinstance(e, ev.Radio) and e.speaker == "Dylan" for e in seen)
    play(world, 20)
    assert world.dylan.cell == target and world.handler.has_dylan
    assert world.police.phase != "stand_down"


def _runner_game(town, handler: str, record: Replay | None = None, seed: int = 4) -> dict:
    level, _ = town
    return Runner(level).play(seed, "calm", tuning=FAST, options=GameOptions(max_seconds=150),
                              handler=handler, record=record)


def test_a_handler_game_is_deterministic_and_its_replay_reproduces_it(town, tmp_path):
    level, _ = town
    record = Replay(level.name, "town.tmx", level.content_hash, 4)
    first = _runner_game(town, "gentle", record)
    assert first == {**_runner_game(town, "gentle"), "wall_seconds": first["wall_seconds"]}
    assert first["role"] == "handler" and first["handler_orders"]["posture"] >= 1
    assert record.role == "handler" and record.handler_orders
    record.save(tmp_path / "h.json")
    again = Runner(level).replay(load(tmp_path / "h.json"))
    assert again["state_hash"] == first["state_hash"]


def test_by_the_book_plays_the_dispatchers_game(town):
    level, _ = town
    mila = Runner(level).play(4, "calm", tuning=FAST, options=GameOptions(max_seconds=150))
    book = _runner_game(town, "by_the_book")
    assert sum(book["handler_orders"].values()) == 0
    for key in ("ending", "ticks", "rex_end", "shots", "phases", "event_counts"):
        assert book[key] == mila[key], key
    assert "role" not in mila and book["state_hash"] != mila["state_hash"]


def test_aggressive_and_gentle_give_orders_and_differ(town):
    gentle, aggressive = _runner_game(town, "gentle"), _runner_game(town, "aggressive")
    assert aggressive["handler_orders"]["move"] > 0
    assert aggressive["handler_orders"]["loudspeaker"] > 0
    assert gentle["handler_orders"]["dylan"] > 0
    assert gentle["state_hash"] != aggressive["state_hash"]
    assert math.isfinite(gentle["game_seconds"])


# -- what the command center knows -------------------------------------------------------------


def _positions(value, found: list) -> None:
    """Every (x, y) pair of numbers anywhere in an observation's plain data."""
    if isinstance(value, dict):
        if set(value) == {"x", "y"}:
            found.append((value["x"], value["y"]))
        for item in value.values():
            _positions(item, found)
    elif isinstance(value, list | tuple):
        if len(value) == 2 and all(isinstance(v, float) for v in value):
            found.append(tuple(value))
        for item in value:
            _positions(item, found)


def _holds_world(value, depth: int = 0) -> bool:
    from game.sim.rex import Rex

    if isinstance(value, World | Rex):
        return True
    if depth > 3 or isinstance(value, str | int | float | type(None)):
        return False
    if isinstance(value, dict):
        return any(_holds_world(v, depth + 1) for v in value.values())
    if isinstance(value, list | tuple):
        return any(_holds_world(v, depth + 1) for v in value)
    return any(_holds_world(v, depth + 1) for v in getattr(value, "__dict__", {}).values())


def test_the_handler_never_sees_rex_where_no_unit_camera_or_report_puts_him(town):
    """Checked against the truth, tick by tick, over whole games with every kind of order."""
    from game.handler_observation import HandlerObservation
    from game.handler_policies import HandlerPlayer

    unseen = seen = 0
    for seed, handler in ((3, "gentle"), (5, "aggressive"), (7, "by_the_book")):
        world = world_of(town, seed)
        desk = HandlerPlayer(handler)
        while world.tick < 200 * world.tick_hz and world.ending is None:
            events = step(world, IDLE, desk.commands(world))
            desk.heard(events)
            if world.tick % 5:
                continue
            obs = HandlerObservation(world, events)
            assert not _holds_world(obs)
            watchers = [o.id for o in world.police.officers if o.sees]
            from game.sim import dylan as dylan_mod

            if dylan_mod.sees_rex(world):
                watchers.append(-1)
            truth = (world.rex.x, world.rex.y)
            if watchers:
                seen += 1
                assert obs.rex is not None and obs.rex.seen_by == tuple(watchers)
                assert (obs.rex.position.x, obs.rex.position.y) == truth
                continue
            unseen += 1
            assert obs.rex is None
            data = obs.as_dict()
            assert data["rex"] is None
            found: list = []
            # (a unit standing on Rex's cell centre is where the unit is, not news of Rex)
            _positions({k: v for k, v in data.items() if k not in ("units", "cars", "dylan")},
                       found)
            known = world.police.dispatcher.last_known
            for place in found:
                if place == truth:  # only where an earlier sighting left it, Rex standing still
                    assert known is not None and tuple(known) == truth
            for event in data["events"]:
                assert event["kind"] not in ("RexStateChanged", "RexLeapt", "RexEscaped")
    assert unseen > 100 and seen > 10, (unseen, seen)


def test_the_handler_example_in_the_docs_plays(town, tmp_path, monkeypatch):
    import re
    from pathlib import Path

    text = (Path(__file__).resolve().parent.parent / "docs" / "POLICIES.md").read_text()
    code = next(block for block in re.findall(r"```python\n(.*?)```", text, re.DOTALL)
                if "class Quiet" in block)
    (tmp_path / "doc_example_handler.py").write_text(code)
    monkeypatch.syspath_prepend(str(tmp_path))
    outcome = _runner_game(town, "doc_example_handler:Quiet")
    assert outcome["handler_orders"]["posture"] == 1 and outcome["handler_orders"]["dylan"] > 0


# -- the command line ---------------------------------------------------------------------------


@pytest.mark.parametrize("args, says", [
    (["sim", "--handler-policy", "gentle"], "--handler-policy needs --role handler"),
    (["sim", "--role", "handler", "--handler-policy", "nosuch"], "unknown policy 'nosuch'"),
    (["sim", "--role", "handler", "--handler-policy", "os:path"], "is not callable"),
    (["sim", "--role", "handler", "--no-police"], "needs the police"),
    (["sim", "--role", "handler", "--replay", "x.json"], "come from the replay"),
    (["batch", "--role", "handler", "--handler-policy", "gentle", "--handler-policy",
      "nosuch", "--policy", "calm", "--seeds", "2"], "unknown policy 'nosuch'"),
    (["sweep", "--role", "handler", "--no-police", "--policy", "calm", "--seeds", "2"],
     "needs the police"),
    (["batch", "--handler-policy", "gentle", "--policy", "calm", "--seeds", "2"],
     "--handler-policy needs --role handler"),
])
def test_bad_handler_flags_are_one_line_and_exit_2(args, says, capsys):
    from game import cli

    assert cli.main(args) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and says in err[0] and "Traceback" not in err[0]


def test_a_handler_policy_that_raises_is_one_line_naming_it(town, tmp_path, capsys,
                                                             monkeypatch):
    from game import cli

    (tmp_path / "broken_handler.py").write_text(
        "def act(obs):\n    raise RuntimeError('no radio')\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    level, _ = town
    status = cli.main(["sim", "--map", level.path, "--role", "handler", "--handler-policy",
                       "broken_handler:act", "--max-minutes", "0.2"])
    err = capsys.readouterr().err.strip().splitlines()
    assert status == 1 and len(err) == 1
    assert "handler policy 'broken_handler:act' raised RuntimeError: no radio" in err[0]
