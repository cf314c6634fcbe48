"""The chase's step: one fixed tick (1/30 s of game time) of the whole game, the rules taking
their turns in a fixed order.

``step(world, commands, orders)`` applies Mila's commands and, in the Handler role, the
Handler's orders, then moves the scent, Rex, the police, the crowd, the calm-down and Dylan,
and checks the endings; it returns the tick's events. Every way of playing (headless, the
window, replays, benchmarks) reaches it through ``game.loop.tick``.
"""

from __future__ import annotations

from game.sim import bond as bond_mod
from game.sim import civilians as civilians_mod
from game.sim import dylan as dylan_mod
from game.sim import events as ev
from game.sim import ground as ground_mod
from game.sim import handler as handler_mod
from game.sim import mila as mila_mod
from game.sim import police as police_mod
from game.sim import rex as rex_mod
from game.sim.commands import Commands
from game.sim.orders import NO_ORDERS, HandlerCommands
from game.sim.states import Phase, RexState
from game.sim.world import World


def _home(world: World, events: list[ev.Event]) -> None:
    """Home: Rex bonded with Mila and the guns down, by Dylan's order or because he has stood
    at her side, shielding her, long enough that the perimeter lowers them of its own accord.
    (A dart that missed does not forbid it; it costs the ending its "no shot" bonus.)"""
    rex, police = world.rex, world.police
    if rex.state != RexState.BONDED:
        world.bonded_since = None
        return
    if world.bonded_since is None:
        world.bonded_since = world.tick
    held = (world.tick - world.bonded_since) / world.tick_hz
    armed = any(o.gun_raised for o in police.officers)
    if police.phase == Phase.STAND_DOWN or not armed or (
            held >= world.tuning.home_hold_seconds and rex.shielding):
        events.append(ev.Speech(world.tick, "Mila", "Rex, you're Bolt's son."))
        world.end("home", "Rex bonded with Mila and nobody fired", events)


def step(world: World, commands: Commands, orders: HandlerCommands = NO_ORDERS
         ) -> tuple[ev.Event, ...]:
    """Advance the world by one tick: Mila's commands, and the Handler's orders if he plays."""
    events: list[ev.Event] = []
    if world.ending is not None:
        return ()
    mila_mod.update(world, commands, events)
    handler_mod.receive(world, orders, events)
    world.scent.step(world.mila.cell)
    ground_mod.update(world.ground, world.mila.cell, world.tick)
    rex_mod.update(world, events)
    handler_mod.deliver(world, events)
    police_mod.update(world, events)
    handler_mod.listen(world, events)
    if world.ending is None:
        civilians_mod.update(world, events)
    if world.ending is None:
        bond_mod.update(world, events)
        dylan_mod.update(world, events)
        _home(world, events)
    world.tick += 1
    if world.ending is None and world.clock_seconds >= world.level.settings.sunset_clock_s:
        world.end("dusk", "the sun set with Rex still out", events)
    return tuple(events)
