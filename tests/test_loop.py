"""The one tick loop: commands are chosen from the world as it is, recorded, then applied."""

from __future__ import annotations

from pathlib import Path

from game import loop
from game.replay import Replay
from game.sim import events as ev
from game.sim.commands import Commands
from game.sim.orders import (
    NO_ORDERS,
    HandlerCommands,
)
from game.sim.world import World
from game.tiled import read_level
from tests import mapkit


def test_a_tick_asks_records_and_steps_in_that_order(tmp_path: Path):
    level = read_level(mapkit.write(mapkit.MapSpec(), tmp_path))
    world = World(level, 1, police=False, civilians=False)
    asked: list[int] = []
    recorded: list[tuple[int, Commands]] = []

    def act(seen: World) -> Commands:
        asked.append(seen.tick)
        return Commands.walk(1, 0)

    class Tape:
        def record(self, commands: Commands, orders: HandlerCommands = NO_ORDERS) -> None:
            assert orders is NO_ORDERS  # nobody plays the Handler here
            recorded.append((world.tick, commands))

    start = world.mila.x
    for _ in range(3):
        events = loop.tick(world, act, Tape())
        assert isinstance(events, tuple) and all(isinstance(e, ev.Event) for e in events)
    assert asked == [0, 1, 2] and world.tick == 3  # asked before each step
    assert recorded == [(0, Commands.walk(1, 0)), (1, Commands.walk(1, 0)),
                        (2, Commands.walk(1, 0))]  # recorded before the step, too
    assert world.mila.x > start


def test_what_the_loop_records_replays_to_the_same_world(tmp_path: Path):
    level = read_level(mapkit.write(mapkit.MapSpec(), tmp_path))
    played = World(level, 4)
    replay = Replay(level.name, "map.tmx", level.content_hash, 4, True, True)
    moves = [Commands.walk(1, 0), Commands(kneel=True), Commands.walk(0, 1, run=True)]
    for k in range(90):
        loop.tick(played, lambda world, k=k: moves[k // 30], replay)
    again = World(level, 4)
    recorded = replay.commands()
    for _ in range(90):
        loop.tick(again, lambda world: next(recorded))
    assert again.state_hash() == played.state_hash()
