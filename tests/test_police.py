"""Police: perception, the dispatcher's phases and reports, cars on roads, aim and fire rules."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest

from game import policies
from game.sim import events as ev
from game.sim import police as police_mod
from game.sim.chase import step
from game.sim.commands import IDLE
from game.sim.perception import clear_line, in_cone, line_of_sight, sample_count, seen_mask
from game.sim.stage import Stage
from game.sim.world import World
from game.tiled import read_level
from game.tuning import Tuning
from tests import mapkit

FAST = Tuning(prewarm_seconds=60.0)
LAKESIDE = Path(__file__).resolve().parent.parent / "maps" / "lakeside.tmx"

TOWN = """
wwwww............................................
w_R_G............................................
wwwww............................................
sssssssssssssssssssssssssssssssssssssssssssssssss
=================================================
=================================================
sssssssssssssssssssssssssssssssssssssssssssssssss
....P...........................O#####...........
................................######...........
.....D....C........................M............A
"""


@pytest.fixture(scope="module")
def town(tmp_path_factory):
    path = mapkit.write(mapkit.MapSpec(picture=TOWN), tmp_path_factory.mktemp("town"))
    level = read_level(path)
    return level, Stage(level, FAST)


def run(world: World, seconds: float, policy=None, check=None) -> list[ev.Event]:
    seen: list[ev.Event] = []
    act = policy or (lambda obs: IDLE)
    while world.tick < seconds * world.tick_hz and world.ending is None:
        seen.extend(step(world, act(policies.Observation(world))))
        if check is not None:
            check(world, seen)
    return seen


# -- perception -------------------------------------------------------------------------------


def test_line_of_sight_is_blocked_by_buildings_and_not_by_water(tmp_path):
    picture = """
..........
....#.....
....#.....
..........
....~.....
....~.....
"""
    level = read_level(mapkit.write(mapkit.MapSpec(picture=picture, zones={}), tmp_path))
    blocks = level.blocks_sight
    xs, ys = np.array([1.5, 1.5, 1.5]), np.array([1.5, 4.5, 3.5])
    seen = [line_of_sight(blocks, xs[i:i + 1], ys[i:i + 1], 8.5, ys[i])[0] for i in range(3)]
    assert seen == [False, True, True]  # behind the building, across the pond, in the open
    both = line_of_sight(blocks, xs, ys, 8.5, 1.5)
    assert not both[0]


def test_a_viewer_sampled_alone_or_one_by_one_is_seen_as_in_the_whole_call():
    """Each viewer's answer depends only on the sample count: given the whole call's count,
    line of sight over some of its viewers, or ``clear_line`` over one, answers as it did."""
    level = read_level(LAKESIDE)
    blocks = level.blocks_sight
    height, width = blocks.shape
    rng = np.random.default_rng(15)
    answers = []
    for _ in range(300):
        tx, ty = rng.uniform(20, width - 20), rng.uniform(20, height - 20)
        xs, ys = tx + rng.uniform(-16, 16, 6), ty + rng.uniform(-16, 16, 6)
        whole = line_of_sight(blocks, xs, ys, tx, ty)
        dx, dy = tx - xs, ty - ys
        samples = sample_count(float((dx * dx + dy * dy).max()))
        assert (line_of_sight(blocks, xs[2:4], ys[2:4], tx, ty, samples) == whole[2:4]).all()
        alone = [clear_line(blocks, float(x), float(y), tx, ty, samples) for x, y in zip(
            xs, ys, strict=True)]
        assert alone == whole.tolist()
        answers += alone
    assert 0.2 < np.mean(answers) < 0.8  # the town hides some and shows some


def test_vision_cone_and_range():
    xs, ys = np.array([0.0, 0.0, 0.0]), np.array([0.0, 0.0, 0.0])
    hx, hy = np.array([1.0, 1.0, -1.0]), np.array([0.0, 0.0, 0.0])
    assert list(in_cone(xs, ys, hx, hy, 5.0, 1.0, np.array([10.0, 3.0, 10.0]),
                        math.radians(55))) == [True, False, False]


def test_detection_takes_a_moment_and_is_slower_in_cover(town):
    level, stage = town
    world = World(level, 0, FAST, stage=stage, civilians=False)
    rex = world.rex
    rex.state, rex.x, rex.y = "tracking", 20.5, 9.5
    officer = world.police.officers[0]
    officer.x, officer.y, officer.heading = 16.5, 9.5, (1.0, 0.0)
    world.police.dispatcher.phase = "search"
    ticks = 0
    while not officer.sees:
        police_mod._watch(world, [])
        ticks += police_mod.VISION_EVERY
        assert ticks < 300
    assert ticks >= FAST.detect_seconds * world.tick_hz * 0.9


def test_a_unit_sees_its_cone_up_to_the_first_wall_and_not_beyond(tmp_path):
    picture = """
..............
......#.......
......#.......
......#.......
..............
"""
    level = read_level(mapkit.write(mapkit.MapSpec(picture=picture, zones={}), tmp_path))
    seen = seen_mask(level.blocks_sight, np.array([2.5]), np.array([2.5]), np.array([1.0]),
                     np.array([0.0]), 10.0, math.radians(20))
    assert seen[2, 3:7].all()  # the open cells ahead and the wall's face
    assert not seen[2, 7:].any()  # nothing behind the wall
    assert not seen[:, :2].any()  # nothing behind him
    assert not seen[0].any() and not seen[4].any()  # a 20-degree cone stays narrow


def test_the_search_map_spreads_where_rex_can_go_and_clears_where_units_look(town):
    level, stage = town
    world = World(level, 0, FAST, stage=stage, civilians=False)
    police = world.police
    crews = {car.id: car.crew for car in police.cars}
    for officer in police.officers:  # nobody looking: every officer in a car, no crews
        officer.state = "in_car"
    for car in police.cars:
        car.crew = []
    belief = np.zeros(stage.dog_passable.shape, np.float32)
    belief[8, 31] = 1.0  # right by the building's west wall (x 32 to 37)
    police.dispatcher.belief = belief
    police_mod._spread_belief(world)
    belief = police.dispatcher.belief
    assert belief.sum() == pytest.approx(1.0, rel=1e-5)
    reach = police_mod.SPREAD_STEPS
    ys, xs = np.nonzero(belief)
    assert (np.abs(xs - 31) + np.abs(ys - 8) <= reach).all()  # a cell per step at most
    assert belief[8, 31 - reach] > 0 and belief[8 - reach, 31] > 0
    assert (belief[~stage.dog_passable] == 0).all() and belief[8, 32] == 0  # not into walls
    # Half the probability by the wall, half far east at (45, 9); an officer at (24, 8)
    # looking east clears the first (what he sees keeps 5%) and cannot see the second;
    # looking west he sees neither.
    for car in police.cars:
        car.crew = crews[car.id]
    officer = police.officers[0]
    officer.state, officer.car = "search", None
    officer.x, officer.y = 24.5, 8.5
    start = belief.copy()
    start[9, 45] = 1.0
    start /= start.sum()
    ratios = {}
    for heading in ((-1.0, 0.0), (1.0, 0.0)):
        officer.heading = heading
        police.dispatcher.belief = start.copy()
        police_mod._spread_belief(world)
        after = police.dispatcher.belief
        assert after.sum() == pytest.approx(1.0, rel=1e-5)
        ratios[heading] = after[8, 30:32].sum() / after[9, 44:47].sum()
    assert ratios[(1.0, 0.0)] == pytest.approx(0.05 * ratios[(-1.0, 0.0)], rel=1e-3)


# -- the dispatcher ---------------------------------------------------------------------------


def test_standby_then_search_after_the_dispatch_delay(town):
    level, stage = town
    world = World(level, 1, FAST, stage=stage)
    seen = run(world, world.rex.latch_tick / 30 + FAST.dispatch_delay + 1)
    phases = [e for e in seen if isinstance(e, ev.PhaseChanged)]
    assert phases[0].new == "search"
    alarm = next(e.tick for e in seen if isinstance(e, ev.Radio) and "escaped" in e.text)
    assert phases[0].tick - alarm == pytest.approx(FAST.dispatch_delay * 30, abs=1)
    assert any(isinstance(e, ev.Radio) and e.speaker == "Loudspeaker" for e in seen)


def test_sighting_starts_pursuit_and_losing_him_falls_back_to_search(town):
    level, stage = town
    world = World(level, 2, FAST, stage=stage, civilians=False)
    world.rex.state, world.rex.x, world.rex.y = "tracking", 24.5, 9.5
    world.police.dispatcher.phase = "search"
    officer = world.police.officers[0]
    officer.state, officer.x, officer.y, officer.heading = "search", 21.5, 9.5, (1.0, 0.0)
    events: list[ev.Event] = []
    for _ in range(60):
        police_mod._watch(world, events)
    assert any(isinstance(e, ev.Sighting) for e in events)
    assert world.police.phase == "pursuit"
    # Out of everyone's sight for longer than the timeout: back to searching.
    world.rex.x, world.rex.y = 45.5, 0.5
    for unit in world.police.officers:
        unit.x, unit.y = 1.5, 9.5
    events = []
    world.tick += int(FAST.pursuit_timeout * 30) + 1
    police_mod._dispatch(world, events)
    assert world.police.phase == "search"
    assert any(isinstance(e, ev.Radio) and "lost him" in e.text for e in events)


def test_rex_near_mila_starts_containment_and_stand_down_ends_it(town):
    level, stage = town
    world = World(level, 3, FAST, stage=stage, civilians=False)
    d = world.police.dispatcher
    d.phase = "pursuit"
    d.last_known = (world.mila.x + 3, world.mila.y)
    d.last_sighting_tick = world.tick
    events: list[ev.Event] = []
    police_mod._dispatch(world, events)
    assert world.police.phase == "containment"
    d.last_known = (world.mila.x + 30, world.mila.y)
    police_mod._dispatch(world, events)
    assert world.police.phase == "pursuit"
    d.last_known = (world.mila.x + 2, world.mila.y)
    police_mod._dispatch(world, events)
    police_mod.stand_down(world, events)
    assert world.police.phase == "stand_down"
    assert [e.new for e in events if isinstance(e, ev.PhaseChanged)] == [
        "containment", "pursuit", "containment", "stand_down"]
    assert all(not o.gun_raised for o in world.police.officers)


def test_a_phone_report_arrives_late_and_within_its_error(town):
    level, stage = town
    reports = []
    for seed in range(4):
        world = World(level, seed, FAST, stage=stage)
        trail: dict[int, tuple[float, float]] = {}

        def remember(w: World, seen: list[ev.Event]) -> None:
            trail[w.tick] = (w.rex.x, w.rex.y)  # noqa: B023

        seen = run(world, 150, policies.wait, check=remember)
        for report in (e for e in seen if isinstance(e, ev.PhoneReport)):
            rx, ry = trail[report.seen_tick]
            assert math.hypot(report.x - rx, report.y - ry) <= FAST.report_error + 0.01
            delay = (report.tick - report.seen_tick) / 30
            assert 0.7 * FAST.report_delay - 0.05 <= delay <= 1.3 * FAST.report_delay + 0.05
            reports.append(report)
    assert reports, "nobody phoned in any of the games"


# -- units ------------------------------------------------------------------------------------


def test_cars_keep_to_roads_and_nobody_stands_where_they_cannot(town):
    level, stage = town

    def check(world: World, seen: list[ev.Event]) -> None:
        for car in world.police.cars:
            x, y = car.cell
            assert stage.drivable[y, x], (world.tick, car)
        for officer in world.police.officers:
            x, y = officer.cell
            assert stage.walkable[y, x] or officer.car is not None, (world.tick, officer)
        for person in world.crowd.civilians:
            if person.active:
                x, y = person.cell
                assert stage.walkable[y, x], (world.tick, person)

    for seed in range(5):
        run(World(level, seed, FAST, stage=stage), 200, policies.make("wander", seed), check)


def test_shots_come_only_after_a_two_second_aim_in_sight(town):
    level, stage = town
    shots = 0
    for seed in range(8):
        world = World(level, seed, FAST.replace(containment_patience=5.0), stage=stage)
        aims: dict[int, int] = {}

        def watch(w: World, seen: list[ev.Event]) -> None:
            for event in seen[-20:]:
                if event.tick != w.tick - 1:
                    continue
                if isinstance(event, ev.AimStarted):
                    aims[event.unit] = event.tick  # noqa: B023
                elif isinstance(event, ev.AimCancelled):
                    aims.pop(event.unit, None)  # noqa: B023
                elif isinstance(event, ev.ShotFired):
                    started = aims.pop(event.unit)  # noqa: B023
                    assert event.tick - started >= FAST.aim_seconds * 30 - 3
                    officer = w.police.officers[event.unit]
                    assert line_of_sight(w.level.blocks_sight, np.array([officer.x]),
                                         np.array([officer.y]), w.rex.x, w.rex.y)[0]

        seen = run(world, 400, policies.wait, check=watch)
        shots += sum(isinstance(e, ev.ShotFired) for e in seen)
    assert shots > 0, "no shot in any game: the test checked nothing"


def test_never_a_shot_after_stand_down(town):
    level, stage = town
    for seed in range(6):
        world = World(level, seed, FAST.replace(containment_patience=5.0), stage=stage)
        seen = run(world, 90, policies.wait)
        if world.ending is not None:
            continue
        police_mod.stand_down(world, seen)
        after = run(world, 400, policies.wait)
        assert not any(isinstance(e, ev.ShotFired | ev.AimStarted) for e in after)
        assert world.police.phase == "stand_down"


FIELD = "\n".join(["wwwww" + "." * 35, "w_R_G" + "." * 35, "wwwww" + "." * 35]
                  + ["." * 40] * 12 + ["." * 20 + "M" + "." * 19] + ["." * 40] * 12
                  + ["....PP..D" + "." * 30 + "A"])


def test_the_perimeter_is_spread_and_keeps_its_radius(tmp_path):
    spec = mapkit.MapSpec(picture=FIELD, object_props={"police_spawn": [
        ("officers", "int", 3), ("cars", "int", 0)]})
    level = read_level(mapkit.write(spec, tmp_path))
    world = World(level, 4, FAST, civilians=False)
    rex = world.rex
    rex.state, rex.x, rex.y = "wary", world.mila.x + 1.5, world.mila.y
    d = world.police.dispatcher
    d.phase, d.last_known, d.last_sighting_tick = "containment", (rex.x, rex.y), 0
    for officer in world.police.officers:
        officer.car, officer.state = None, "perimeter"
    world.police.cars = []
    for _ in range(30 * 40):
        d.last_known, d.last_sighting_tick = (rex.x, rex.y), world.tick
        police_mod._orders(world, [])
        police_mod._move_officers(world, world.police.officers, set())
        world.tick += 1
    officers = world.police.officers
    gaps = [math.hypot(o.x - rex.x, o.y - rex.y) for o in officers]
    assert all(abs(g - FAST.perimeter_radius) <= 2.5 for g in gaps), gaps
    angles = sorted(math.atan2(o.y - rex.y, o.x - rex.x) for o in officers)
    spacing = np.diff(angles + [angles[0] + 2 * math.pi])
    assert spacing.min() > 0.3  # spread round him, not bunched
    assert all(o.gun_raised for o in officers)


def test_units_sent_through_the_same_box_share_one_field_with_the_same_numbers(town):
    from functools import partial

    from game.sim.fields import window_route

    level, stage = town
    cost = level.cost["foot"]
    target, origin = (40, 8), (2, 7)
    swept = window_route(cost, target, origin, 4)
    kept = window_route(cost, target, origin, 4, partial(stage.box_field, "foot"))
    assert swept is not None and kept is not None
    assert (kept.x0, kept.y0) == (swept.x0, swept.y0) == (0, 3)
    assert kept.values.tobytes() == swept.values.tobytes()
    # Another unit in the same box (cut by the map's edge) gets the very field kept, which
    # nobody may write into.
    again = window_route(cost, target, (3, 7), 4, partial(stage.box_field, "foot"))
    assert again is kept and not kept.values.flags.writeable
