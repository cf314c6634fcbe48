"""The calm-down: Rex's stress and trust, what raises them, and how Mila's calm wins him over.

Both meters run from 0 to 1. Stressors add to stress at a rate each: sirens in earshot, raised
guns he can see (more for one aimed at him), people panicking near him, Mila running or
walking straight at him, the passer-by grabbing her, a shot. Trust damps them all: a Rex who
trusts her fully feels only ``1 - trust_damping`` of each.

Trust grows only while Mila is within ``calm_range``, facing him, and not moving. Standing
still is a calm action of its own; whispering (held, limited by her breath), kneeling, and a
hand lifted slowly (held; it only counts after a moment, and moving drops it) add more, and
all work better close and when nothing else frightens him. Showing Bolt's collar works only
when his stress is low and his trust high enough; too early, it startles him.

From the meters follow his states near her: ``wary`` -> ``calming`` -> ``bonded`` (the collar
recognised, or trust at its peak for a while), each with tells the player can read before any
number (ears, tail, a whine, a growl), and back to ``cornered`` if high stress meets close
threats. Once his trust is high he shields her, standing between her and the nearest raised
gun; officers do not fire with her behind him in the line of fire.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np

from game.sim import events as ev
from game.sim.perception import line_of_sight
from game.sim.states import (
    BONDED,
    BY_MILA,
    CALMING,
    CORNERED,
    ESCAPING,
    FRIGHTENED,
    NEAR_MILA,
    RESTLESS,
    WARY,
)

if TYPE_CHECKING:
    from game.sim.agents import Rex
    from game.sim.world import World

# Groups of Rex's states the calm-down reads every tick, made once (game.sim.states has the
# members as names: reading one off its class costs 0.2 us in Python 3.11).
NOT_LOOSE_YET = (RESTLESS, ESCAPING)  # before he is loose near her, no calm-down at all
SEES_THE_COLLAR = NEAR_MILA + (CORNERED,)
SHIELDING = (CALMING, BONDED)
CROWD_NEAR = 6.0  # tiles within which panicking people frighten him
RUN_NEAR = 8.0  # tiles within which Mila running frightens him
APPROACH_NEAR = 3.0  # tiles within which her walking straight at him frightens him
GUN_SIGHT = 20.0  # tiles within which he minds a raised gun
SHIELD_GAP = 1.2  # tiles in front of her where he stands to shield her
CALM_BOND_STRESS = 0.2
STRESS_EVERY = 3  # ticks between looks around for what frightens him


def stressors(world: World) -> tuple[float, str]:
    """Stress per second from everything around him, and the loudest cause (for the HUD)."""
    t, rex, mila = world.tuning, world.rex, world.mila
    causes: dict[str, float] = {}
    police = world.police
    sirens = sum(1 for car in police.cars if car.siren_on and math.hypot(
        car.x - rex.x, car.y - rex.y) <= t.siren_radius)
    causes["sirens"] = t.siren_stress * min(sirens, 2)
    guns = [o for o in police.officers if o.car is None and o.gun_raised and math.hypot(
        o.x - rex.x, o.y - rex.y) <= GUN_SIGHT]
    if guns:
        clear = line_of_sight(world.level.blocks_sight, np.array([g.x for g in guns]),
                              np.array([g.y for g in guns]), rex.x, rex.y)
        seen = [g for g, c in zip(guns, clear.tolist(), strict=True) if c]
        causes["raised guns"] = t.gun_stress * min(len(seen), 3)
        causes["a gun aimed at him"] = t.aim_stress * min(
            sum(1 for g in seen if g.aim is not None), 2)
    panicking = sum(1 for c in world.crowd.walking if c.state in FRIGHTENED
                    and math.hypot(c.x - rex.x, c.y - rex.y) <= CROWD_NEAR)
    causes["screaming people"] = t.crowd_stress * min(panicking, 3)
    distance = math.hypot(mila.x - rex.x, mila.y - rex.y)
    if mila.running and distance <= RUN_NEAR:
        causes["Mila running"] = t.mila_run_stress
    elif mila.moving and not mila.grabbed and distance <= APPROACH_NEAR:
        toward = (mila.facing[0] * (rex.x - mila.x) + mila.facing[1] * (rex.y - mila.y)) / max(
            distance, 1e-6)
        if toward > 0.5:
            causes["Mila walking at him"] = t.mila_approach_stress
    if mila.grabbed:
        causes["Mila grabbed"] = t.grab_stress / t.grab_pull_seconds
    total = sum(causes.values())
    loudest = max(causes, key=causes.__getitem__) if total > 0 else "nothing"
    return total, loudest


def facing_him(world: World) -> bool:
    mila, rex = world.mila, world.rex
    distance = math.hypot(rex.x - mila.x, rex.y - mila.y)
    if distance < 1e-6:
        return True
    cosine = (mila.facing[0] * (rex.x - mila.x) + mila.facing[1] * (rex.y - mila.y)) / distance
    return cosine >= world.tuning.calm_facing


def calming(world: World) -> tuple[float, float]:
    """(trust per second, stress removed per second) from Mila's calm actions now."""
    t, mila, rex = world.tuning, world.mila, world.rex
    distance = math.hypot(mila.x - rex.x, mila.y - rex.y)
    if (rex.state not in NEAR_MILA or distance > t.calm_range or mila.moving
            or mila.grabbed or not facing_him(world)):
        return 0.0, 0.0
    closeness = min(1.0, max(0.2, 1.2 - distance / t.calm_range))
    trust, calm = t.still_trust, t.still_calm
    if mila.whispering and distance <= t.whisper_range:
        trust += t.whisper_trust
        calm += t.whisper_calm
    if mila.posture == "kneel":
        trust += t.kneel_trust
        calm += t.kneel_calm
    held = (world.tick - mila.hand_since) / world.tick_hz
    if mila.hand_up and distance <= t.hand_range and held >= t.hand_settle:
        trust += t.hand_trust
    return trust * closeness, calm * closeness


def update(world: World, events: list[ev.Event]) -> None:
    rex, t = world.rex, world.tuning
    if rex.state in NOT_LOOSE_YET:
        return
    dt = 1.0 / world.tick_hz
    before = (int(rex.stress * 10), int(rex.trust * 10))
    if world.tick % STRESS_EVERY == 0:  # what frightens him changes slower than ticks
        rex.pressure, rex.pressure_cause = stressors(world)
    pressure, cause = rex.pressure, rex.pressure_cause
    pressure *= 1.0 - t.trust_damping * rex.trust
    gain, calm = calming(world)
    quiet = max(0.0, 1.0 - pressure * 5.0)  # a frightened dog barely takes in a whisper
    rex.trust = min(1.0, rex.trust + gain * quiet * dt)
    rex.stress = min(1.0, max(0.0, rex.stress + (pressure - calm) * dt))
    _show_collar(world, rex, events)
    _states(world, rex, events)
    _shield(world, rex, events)
    after = (int(rex.stress * 10), int(rex.trust * 10))
    if after != before:
        why = cause if after[0] > before[0] else "Mila's calm" if gain else "time"
        events.append(ev.MetersChanged(world.tick, round(rex.stress, 3), round(rex.trust, 3),
                                       why))
        _tells(world, rex, before, after, events)


def _show_collar(world: World, rex: Rex, events: list[ev.Event]) -> None:
    """The moment she holds out the collar: recognition, or a start if it comes too soon."""
    mila, t = world.mila, world.tuning
    if not mila.showing_collar:
        mila.collar_shown = False
        return
    if mila.collar_shown or rex.state == BONDED:
        return
    mila.collar_shown = True
    distance = math.hypot(mila.x - rex.x, mila.y - rex.y)
    if rex.state not in SEES_THE_COLLAR or distance > t.calm_range:
        return  # he is not there to see it
    if (rex.state in NEAR_MILA and facing_him(world) and rex.stress <= t.collar_stress
            and rex.trust >= t.collar_trust):
        _bond(world, rex, events, collar=True)
    else:
        rex.stress = min(1.0, rex.stress + t.collar_startle)
        rex.trust = max(0.0, rex.trust - t.collar_trust_loss)
        events.append(ev.RexStartled(world.tick, "the collar, shown too soon"))
        events.append(ev.RexTell(world.tick, "ears_back"))


def _bond(world: World, rex: Rex, events: list[ev.Event], collar: bool) -> None:
    from game.sim.rex import set_state

    rex.trust, rex.stress = 1.0, min(rex.stress, 0.1)
    set_state(world, rex, BONDED, events)
    if collar:
        events.append(ev.CollarRecognised(world.tick))
        events.append(ev.Speech(world.tick, "Mila", "This belonged to Bolt, the dog who saved "
                                                    "my life."))
        events.append(ev.Speech(world.tick, "Mila", "You know this scent, don't you?"))
    events.append(ev.RexTell(world.tick, "head_press"))


def _states(world: World, rex: Rex, events: list[ev.Event]) -> None:
    from game.sim.rex import set_state

    t = world.tuning
    if (rex.state == WARY and rex.trust >= t.calming_trust
            and rex.stress <= t.calming_stress):
        set_state(world, rex, CALMING, events)
        events.append(ev.RexTell(world.tick, "sit"))
    elif rex.state == CALMING and (rex.stress > t.calming_stress + 0.1
                                   or rex.trust < t.calming_trust - 0.1):
        set_state(world, rex, WARY, events)
    if (rex.state == CALMING and rex.trust >= t.bond_trust
            and rex.stress <= CALM_BOND_STRESS):
        if rex.calm_since < 0:
            rex.calm_since = world.tick
        elif world.tick - rex.calm_since >= t.bond_seconds * world.tick_hz:
            _bond(world, rex, events, collar=False)
    else:
        rex.calm_since = -1
    if (rex.state in BY_MILA and rex.stress >= t.cornered_stress
            and _threats(world, rex)):
        set_state(world, rex, CORNERED, events)
        rex.next_tell = rex.cornered_tick = world.tick  # officers sent in wait catch_after
    elif rex.state == CORNERED and rex.reached_tick is not None and (
            rex.stress < t.cornered_stress - 0.15 or not _threats(world, rex)):
        set_state(world, rex, WARY, events)


def _threats(world: World, rex: Rex) -> bool:
    """Whether police he has noticed stand close: asked only when his stress could corner
    him (or free him), not every tick."""
    reach = world.tuning.rex_cornered_radius * 1.5
    return any(math.hypot(x - rex.x, y - rex.y) <= reach for x, y in world.police.seen_by_rex)


def _shield(world: World, rex: Rex, events: list[ev.Event]) -> None:
    """With trust high, he stands between her and the nearest raised gun."""
    mila, t = world.mila, world.tuning
    target = None
    if rex.state in SHIELDING and rex.trust >= t.shield_trust:
        guns = [o for o in world.police.officers if o.car is None and o.gun_raised]
        if guns:
            gun = min(guns, key=lambda o: (math.hypot(o.x - mila.x, o.y - mila.y), o.id))
            dx, dy = gun.x - mila.x, gun.y - mila.y
            length = math.hypot(dx, dy)
            if 1e-6 < length <= GUN_SIGHT * 1.5:
                target = (mila.x + dx / length * SHIELD_GAP, mila.y + dy / length * SHIELD_GAP)
    was = rex.shield_target is not None
    rex.shield_target = target
    if (target is not None) != was:
        events.append(ev.Shielding(world.tick, target is not None))
        if target is not None:
            events.append(ev.RexTell(world.tick, "stands_guard"))


def _tells(world: World, rex: Rex, before: tuple[int, int], after: tuple[int, int],
           events: list[ev.Event]) -> None:
    """Body language for the meter's steps, readable before any number."""
    stress_was, trust_was = before
    stress_now, trust_now = after
    if stress_now >= 8 > stress_was:
        events.append(ev.RexTell(world.tick, "growl"))
    elif stress_now >= 5 > stress_was:
        events.append(ev.RexTell(world.tick, "ears_back"))
    elif stress_now < 5 <= stress_was:
        events.append(ev.RexTell(world.tick, "ears_up"))
    if trust_now >= 3 > trust_was:
        events.append(ev.RexTell(world.tick, "whine"))
    if trust_now >= 6 > trust_was:
        events.append(ev.RexTell(world.tick, "tail_wag"))
