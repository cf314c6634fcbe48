"""Passers-by: panic and its spread, fleeing out of dead ends, doors, phones, and the grab."""

from __future__ import annotations

import math

from game import policies
from game.sim import civilians as civ
from game.sim import events as ev
from game.sim.chase import step
from game.sim.commands import IDLE, Commands
from game.sim.world import World
from game.tiled import read_level
from game.tuning import Tuning
from tests import mapkit

FAST = Tuning(prewarm_seconds=60.0)

# A long street with a short dead-end alley off it; Rex comes along the street from the west.
ALLEY = """
##########################################################
##################...#####################################
##################...#####################################
##################...#####################################
..........................................................
..........................................................
#########################################################.
wwwww.....................................................
w_R_G.....................................................
wwwww....P.........D......................................
.M.....................................................A..
"""
ALLEY_ZONES = {"facility": (0, 7, 5, 3), "city": (0, 0, 58, 11), "bridge": (0, 0, 58, 11),
               "park": (50, 7, 8, 4)}


def world_on(tmp_path, picture: str, **spec) -> World:
    level = read_level(mapkit.write(mapkit.MapSpec(picture=picture, **spec), tmp_path))
    return World(level, 0, FAST, police=False)


def place(world: World, *cells: tuple[float, float], state: str = "walk") -> list:
    people = [civ.Civilian(i, x + 0.5, y + 0.5, 0, False, state=state)
              for i, (x, y) in enumerate(cells)]
    world.crowd.civilians = people
    world.crowd.walking = list(people)
    return people


def loose_rex(world: World, x: float, y: float) -> None:
    rex = world.rex
    rex.state, rex.x, rex.y, rex.latch_tick = "tracking", x, y, 0
    world.open_gate()


def tick(world: World, seconds: float, commands: Commands = IDLE, pin_rex=None) -> list:
    seen = []
    for _ in range(int(seconds * world.tick_hz)):
        if pin_rex is not None:
            pin_rex()
        seen.extend(step(world, commands))
    return seen


def test_fleeing_people_run_out_of_a_dead_end_not_into_it(tmp_path):
    world = world_on(tmp_path, ALLEY, zones=ALLEY_ZONES)
    people = place(world, (18, 4), (19, 4), (20, 5), state="flee")

    def hold() -> None:  # Rex comes along the street from the west
        world.rex.x = min(world.rex.x + 0.05, 14.5)
        world.rex.y = 4.5

    loose_rex(world, 8.5, 4.5)
    tick(world, 6, pin_rex=hold)
    for person in people:
        assert person.y >= 4.0, f"{person.id} ran into the alley: {person.x}, {person.y}"
        assert person.x > 22.0


def test_panic_spreads_to_neighbours_who_cannot_see_him(tmp_path):
    world = world_on(tmp_path, mapkit.VALID)
    # One on the road can see Rex; two behind the building cannot, but stand close to her.
    seer, a, b = place(world, (24, 9), (28, 9), (29, 9))
    loose_rex(world, 20.5, 9.5)
    world.crowd.civilians[0].fear = 1.0
    seen = tick(world, 3, pin_rex=lambda: None)
    assert seer.state in ("flee", "film", "indoors")
    assert a.fear > 0.2 and b.fear > 0.2
    assert sum(isinstance(e, ev.Panic) for e in seen) >= 1


def test_a_loudspeaker_warning_frightens_those_in_its_radius(tmp_path):
    picture = mapkit.VALID.replace("C", "L")
    world = world_on(tmp_path, picture, object_props={"loudspeaker": [("radius", "float",
                                                                       5.0)]})
    near, far = place(world, (31, 10), (41, 1))
    world.broadcast_tick = world.tick
    civ._feel(world, [])
    assert near.fear >= FAST.loudspeaker_fear * 0.9
    assert far.fear == 0.0


def test_filmers_keep_their_distance_and_hold_phones_up(tmp_path):
    world = world_on(tmp_path, ALLEY, zones=ALLEY_ZONES)
    (person,) = place(world, (30, 5))
    person.filmer = True
    loose_rex(world, 25.5, 5.5)

    def pin() -> None:
        world.rex.x, world.rex.y = 25.5, 5.5

    seen = tick(world, 4, pin_rex=pin)
    assert person.state == "film" and person.phone_up
    assert math.hypot(person.x - world.rex.x, person.y - world.rex.y) >= FAST.film_distance - 1
    assert any(isinstance(e, ev.Filming) for e in seen)
    assert world.crowd.counts["filming_peak"] == 1


def test_frightened_people_go_indoors(tmp_path):
    world = world_on(tmp_path, mapkit.VALID)
    people = place(world, (35, 5), (36, 8), state="flee")
    loose_rex(world, 2.5, 11.5)
    seen = tick(world, 15, pin_rex=lambda: None)
    assert all(p.state == "indoors" for p in people)
    assert world.crowd.counts["indoors"] == 2
    assert sum(isinstance(e, ev.WentIndoors) for e in seen) == 2


def grab_world(tmp_path) -> tuple[World, civ.Civilian, object]:
    world = world_on(tmp_path, mapkit.VALID)
    mx, my = world.mila.cell
    (person,) = place(world, (mx + 4, my))
    spot = (world.mila.x - 5, world.mila.y)
    loose_rex(world, *spot)

    def pin() -> None:
        world.rex.x, world.rex.y = spot

    return world, person, pin


def test_the_passer_by_pulls_mila_away_if_she_stands_still(tmp_path):
    world, _, pin = grab_world(tmp_path)
    start_gap = world.mila.x - world.rex.x
    seen = tick(world, 5, pin_rex=pin)
    kinds = [e.kind for e in seen]
    assert "GrabAttempt" in kinds and "GrabbedMila" in kinds
    assert any(isinstance(e, ev.Radio) and e.text == "Kid, run!" for e in seen)
    assert world.mila.x - world.rex.x > start_gap + 1.0  # pulled away from Rex


def test_stepping_back_keeps_her_spot(tmp_path):
    world, person, pin = grab_world(tmp_path)
    seen = []
    for _ in range(150):
        pin()
        reaching = person.grab_until > 0
        seen.extend(step(world, Commands.walk(-1, 0) if reaching else IDLE))
    kinds = [e.kind for e in seen]
    assert "GrabAttempt" in kinds and "GrabMissed" in kinds and "GrabbedMila" not in kinds


def test_only_one_grab_per_chase(tmp_path):
    world, _, pin = grab_world(tmp_path)
    seen = tick(world, 20, pin_rex=pin)
    assert sum(isinstance(e, ev.GrabAttempt) for e in seen) == 1


def test_crowd_games_run_and_everyone_stays_on_walkable_ground(tmp_path):
    level = read_level(mapkit.write(mapkit.MapSpec(), tmp_path))
    for seed in range(3):
        world = World(level, seed, FAST)
        act = policies.make("wander", seed)
        while world.tick < 120 * 30 and world.ending is None:
            step(world, act(policies.Observation(world)))
            for person in world.crowd.walking:
                x, y = person.cell
                assert world.stage.walkable[y, x]


# A street whose only door lies beyond Rex: the way in passes him.
PAST_REX = """
wwwww...........................................
w_R_G...........................................
wwwww...........................................
D...............................................
O.......................................C......A
M...............................................
"""


def test_a_fleer_whose_way_in_passes_rex_holds_back_instead_of_pacing(tmp_path):
    world = world_on(tmp_path, PAST_REX)
    world.rex.x, world.rex.y, world.rex.state = 20.5, 4.5, "tracking"
    person = world.crowd.civilians[0]
    person.x, person.y, person.state, person.fear = 36.5, 4.5, "flee", 1.0
    places = []
    for _ in range(20 * 30):
        world.rex.x, world.rex.y, world.rex.target = 20.5, 4.5, None  # he stays put
        step(world, IDLE)
        places.append(math.floor(person.x))
    # Well outside the flee map's reach of him, he waits: no pacing in and out of it.
    assert person.state == "flee" and person.hiding
    assert math.hypot(person.x - 20.5, person.y - 4.5) >= civ.FLEE_NEAR - 1
    assert len(set(places[-10 * 30:])) == 1


def test_a_fleer_at_the_dip_of_the_flee_map_heads_in_and_does_not_pace_back():
    """The soak's lakeside seed 280 (`calm`): passer-by 15 reached a dip of the flee map 14
    tiles from a Rex calming by Mila; the way in led one cell out and the flee map back into the
    dip, so he paced between the two cells for good. Now he heads in from the dip."""
    from pathlib import Path

    level = read_level(Path(__file__).resolve().parent.parent / "maps" / "lakeside.tmx")
    world = World(level, 280)
    act = policies.make("calm", 280)
    person = world.crowd.civilians[15]
    cells: list[tuple[int, int]] = []
    while world.ending is None and world.tick < 3400:
        step(world, act(policies.Observation(world)))
        if person.state == "flee":
            cells.append(person.cell)
    assert cells, "he fled"  # the game still goes where the soak saw it go
    assert person.state == "indoors" or len(set(cells[-300:])) > 2
