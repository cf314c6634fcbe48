"""Every tunable number of the game, in one frozen dataclass.

Each knob has a default, an allowed range and a one-line reason. The ranges are a promise: the
simulation must stay stable and sensible for any value inside them (the scent solver sub-steps
to stay within its stability bound, for example), and ``rex sweep --set NAME=...`` refuses
values outside them. Tuning changes are recorded in docs/BALANCE.md with the batch numbers that
justified them.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any


def knob(default: float | int | bool, low: float, high: float, doc: str) -> Any:
    return field(default=default, metadata={"low": low, "high": high, "doc": doc})


@dataclass(frozen=True)
class Tuning:
    # -- time -------------------------------------------------------------------------------
    clock_scale: float = knob(6.0, 0.5, 60.0,
                              "game-clock seconds per simulated second: 90 clock minutes "
                              "from 16:30 to sunset pass in 15 minutes of play")

    # -- scent --------------------------------------------------------------------------------
    scent_diffusion: float = knob(5.0, 0.2, 40.0,
                                  "tiles^2 per second; sub-stepped above the explicit bound")
    scent_decay: float = knob(0.05, 0.001, 1.0,
                              "per second; with diffusion sets the plume's fall-off "
                              "exp(-r * sqrt(decay / diffusion))")
    collar_emission: float = knob(100.0, 1.0, 10000.0, "scent units per second from the collar")
    distractor_weight: float = knob(1.0, 0.0, 10.0,
                                    "how much scent_source objects count next to the collar")
    prewarm_seconds: float = knob(400.0, 0.0, 3000.0,
                                  "the scent starts at its steady state (a direct solve), "
                                  "polished by at most this many seconds of explicit steps; "
                                  "0 starts it from nothing")

    # -- Rex ----------------------------------------------------------------------------------
    rex_trot_speed: float = knob(2.8, 0.5, 10.0, "tiles per second while tracking")
    rex_sprint_speed: float = knob(5.5, 0.5, 15.0, "tiles per second escaping or evading")
    rex_pace_speed: float = knob(1.2, 0.1, 5.0, "tiles per second pacing in the kennel")
    rex_latch_earliest: float = knob(0.35, 0.0, 1.0,
                                     "earliest latch time as a fraction of the gate's latch_s")
    rex_leap_seconds: float = knob(0.7, 0.1, 3.0, "how long a leap over a fence takes")
    rex_scent_threshold: float = knob(1.0e-250, 1.0e-290, 1.0,
                                      "airborne scent below this is not smelled: his steps "
                                      "then follow the ground scent alone (the field is "
                                      "floored at 1e-300 where no scent reaches)")
    rex_gradient_gain: float = knob(4.0, 0.0, 50.0,
                                    "weight of the airborne log-scent rise toward a neighbour")
    rex_ground_gain: float = knob(2.0, 0.0, 50.0,
                                  "weight of the ground scent's fall toward a neighbour, among "
                                  "the steps that go down it")
    rex_momentum: float = knob(0.35, 0.0, 5.0, "weight of keeping his heading")
    rex_noise: float = knob(0.08, 0.0, 2.0, "spread of seeded noise in his choices")
    rex_memory_cells: int = knob(12, 0, 200, "cells he remembers having just left")
    rex_memory_penalty: float = knob(0.6, 0.0, 10.0, "dislike of going back to such a cell")
    rex_stuck_seconds: float = knob(6.0, 1.0, 60.0,
                                    "time without getting closer before the police he sees "
                                    "stop turning him back")
    rex_cast_spacing: float = knob(3.0, 1.0, 20.0, "tiles between loops of his cast-about "
                                                   "where no ground scent reaches")
    rex_cast_max_radius: float = knob(40.0, 5.0, 500.0, "widest loop before casting again")
    rex_sniff_range: float = knob(1.5, 0.5, 10.0,
                                  "tiles from a distracting smell at which he stops to check it")
    rex_sniff_seconds: float = knob(2.0, 0.0, 30.0, "how long he checks a distracting smell")
    rex_growl_seconds: float = knob(2.0, 0.2, 30.0, "seconds between a cornered Rex's growls")
    rex_close_threat: float = knob(2.0, 0.0, 20.0,
                                   "tiles: an evading Rex does not step this close to an officer")
    rex_exhausted_speed: float = knob(0.5, 0.05, 1.0, "share of his speed left while exhausted")
    rex_recovered_stamina: float = knob(0.3, 0.0, 1.0,
                                        "stamina at which an exhausted Rex is no longer")
    rex_evade_stress: float = knob(0.01, 0.0, 1.0, "stress per second while he evades")
    rex_wary_radius: float = knob(4.0, 1.0, 20.0, "tiles from Mila where he stops, wary")
    rex_keep_distance: float = knob(1.6, 0.5, 10.0, "how close a wary Rex comes to Mila")
    rex_wary_exit_radius: float = knob(9.0, 2.0, 40.0,
                                       "tiles from Mila beyond which he tracks again")
    rex_escape_max_seconds: float = knob(30.0, 1.0, 600.0,
                                         "escaping turns into tracking after this at the latest")

    rex_sight: float = knob(10.0, 1.0, 60.0, "tiles within which he notices police")
    rex_evade_calm_seconds: float = knob(3.0, 0.1, 60.0,
                                         "police out of sight this long: back to tracking")
    rex_flee_weight: float = knob(3.0, 0.0, 20.0,
                                  "weight of running from police against following the scent")
    rex_cornered_radius: float = knob(3.5, 1.0, 20.0, "threats this close may corner him")
    rex_stamina_seconds: float = knob(120.0, 5.0, 3600.0,
                                      "seconds of sprinting before he is exhausted")
    rex_recover_seconds: float = knob(90.0, 5.0, 3600.0, "seconds to recover from exhaustion")
    rex_stress_decay: float = knob(0.015, 0.0, 1.0, "stress lost per second when nothing "
                                                    "frightens him")
    rex_cornered_stress: float = knob(0.3, 0.0, 1.0, "stress jump when he is cornered")

    # -- Mila ---------------------------------------------------------------------------------
    mila_walk_speed: float = knob(1.6, 0.2, 10.0, "tiles per second")
    mila_run_speed: float = knob(3.6, 0.2, 15.0, "tiles per second")

    # -- police -------------------------------------------------------------------------------
    officer_walk_speed: float = knob(1.5, 0.2, 10.0, "tiles per second searching")
    officer_run_speed: float = knob(3.2, 0.2, 15.0, "tiles per second in pursuit")
    car_speed: float = knob(7.0, 0.5, 30.0, "tiles per second on the road")
    car_crew: int = knob(2, 1, 8, "officers riding in each patrol car")
    vision_range: float = knob(13.0, 1.0, 80.0, "tiles an officer on foot sees in daylight")
    car_vision_range: float = knob(11.0, 1.0, 80.0, "tiles a car's crew sees in daylight")
    vision_half_angle: float = knob(55.0, 5.0, 180.0, "half the vision cone, in degrees")
    dusk_vision: float = knob(0.55, 0.05, 1.0, "vision range left at sunset, as a share")
    detect_seconds: float = knob(1.0, 0.05, 30.0,
                                 "time to be sure of Rex at point blank in the open")
    cover_detection: float = knob(0.4, 0.0, 1.0,
                                  "detection speed when Rex is in forest or a hedge")
    dispatch_delay: float = knob(8.0, 0.0, 600.0, "seconds from the escape to the search")
    pursuit_timeout: float = knob(20.0, 1.0, 600.0,
                                  "seconds without a sighting before pursuit falls back")
    broadcast_every: float = knob(60.0, 5.0, 3600.0, "seconds between loudspeaker warnings")
    report_delay: float = knob(10.0, 0.0, 300.0, "seconds a phone report takes to arrive")
    report_error: float = knob(6.0, 0.0, 100.0, "tiles a phone report may be off by")
    phone_chance: float = knob(0.6, 0.0, 1.0, "share of witnesses who call it in")
    search_assign_seconds: float = knob(6.0, 0.5, 120.0, "seconds between search orders")
    containment_radius: float = knob(7.0, 1.0, 50.0,
                                     "tiles from Mila or a civilian that start containment")
    perimeter_radius: float = knob(9.0, 2.0, 50.0, "tiles from Rex the perimeter keeps")
    aim_seconds: float = knob(2.0, 0.2, 30.0, "how long an officer aims before firing")
    tranq_range: float = knob(11.0, 1.0, 60.0, "tiles a tranquilizer dart carries")
    tranq_accuracy: float = knob(0.8, 0.0, 1.0, "chance to hit at point blank")
    reload_seconds: float = knob(4.0, 0.1, 120.0, "seconds between an officer's shots")
    pursuit_fire: bool = field(default=False, metadata={
        "low": 0, "high": 1, "doc": "whether officers may shoot in pursuit, not only when "
                                    "containing him"})
    fire_stress: float = knob(0.85, 0.0, 1.01, "Rex's stress at which a perimeter aims")
    containment_patience: float = knob(150.0, 5.0, 3600.0,
                                       "seconds a perimeter waits before it aims anyway")
    catch_radius: float = knob(1.0, 0.2, 10.0, "tiles at which officers catch him")
    refield_cells: int = knob(4, 1, 100, "cells a shared target moves before its field is "
                                         "computed again")
    search_spread: float = knob(4.0, 0.5, 50.0,
                                "tiles: spread of the search map when the search begins")
    lost_spread: float = knob(5.0, 0.5, 50.0,
                              "tiles: spread of the search map when pursuit loses him")
    containment_release: float = knob(2.5, 1.0, 20.0,
                                      "containment turns back to pursuit once he is this many "
                                      "containment radii from Mila and every passer-by")
    sighting_gap: float = knob(3.0, 0.0, 120.0,
                               "seconds an officer must lose Rex before seeing him is news")
    detect_fall: float = knob(0.5, 0.0, 10.0,
                              "detection meter an officer loses per second out of sight")
    catch_after: float = knob(1.0, 0.0, 60.0,
                              "seconds cornered before officers can take him")
    car_drop_distance: float = knob(12.0, 1.0, 100.0,
                                    "tiles from the target at which a car lets its crew out")
    moving_accuracy: float = knob(0.6, 0.0, 1.0,
                                  "share of a dart's chance left against a running Rex")
    miss_stress: float = knob(0.25, 0.0, 1.0, "stress a dart that misses him adds")

    # -- the calm-down: stress, trust and Mila's calm actions ---------------------------------
    calm_range: float = knob(6.0, 1.0, 30.0, "tiles within which her calm reaches him")
    calm_facing: float = knob(0.3, -1.0, 1.0,
                              "how squarely she must face him (cosine) for actions to work")
    still_trust: float = knob(0.0006, 0.0, 1.0, "trust per second while she stands still")
    still_calm: float = knob(0.01, 0.0, 1.0, "stress removed per second standing still")
    whisper_trust: float = knob(0.0025, 0.0, 1.0, "trust per second while she whispers")
    whisper_calm: float = knob(0.05, 0.0, 1.0, "stress removed per second whispering")
    whisper_range: float = knob(5.0, 0.5, 30.0, "tiles a whisper carries")
    breath_seconds: float = knob(6.0, 0.5, 120.0, "seconds of whispering in one breath")
    breath_refill_seconds: float = knob(4.0, 0.5, 120.0,
                                        "seconds for her breath to refill when she stops")
    kneel_trust: float = knob(0.00125, 0.0, 1.0, "trust per second while she kneels")
    kneel_calm: float = knob(0.02, 0.0, 1.0, "stress removed per second kneeling")
    hand_trust: float = knob(0.00275, 0.0, 1.0, "trust per second with her hand slowly lifted")
    hand_range: float = knob(3.5, 0.5, 30.0, "tiles within which a lifted hand helps")
    hand_settle: float = knob(1.0, 0.0, 10.0, "seconds a hand is held before it counts")
    collar_trust: float = knob(0.6, 0.0, 1.0, "trust he needs to recognise the collar")
    collar_stress: float = knob(0.35, 0.0, 1.0, "stress above which the collar startles him")
    collar_startle: float = knob(0.25, 0.0, 1.0, "stress a collar shown too early adds")
    collar_trust_loss: float = knob(0.15, 0.0, 1.0, "trust a collar shown too early costs")
    bond_trust: float = knob(0.95, 0.0, 1.01, "trust at which he bonds without the collar")
    bond_seconds: float = knob(5.0, 0.0, 120.0, "seconds at that trust before he does")
    calming_trust: float = knob(0.3, 0.0, 1.0, "trust at which wary turns to calming")
    calming_stress: float = knob(0.6, 0.0, 1.0, "stress above which he cannot be calming")
    shield_trust: float = knob(0.6, 0.0, 1.01, "trust at which he shields her from guns")
    trust_damping: float = knob(0.7, 0.0, 1.0, "share of every stressor that full trust "
                                               "takes away")
    cornered_stress: float = knob(0.85, 0.0, 1.01,
                                  "stress that, with threats close, corners him by Mila")
    siren_stress: float = knob(0.04, 0.0, 1.0, "stress per second per siren in earshot")
    gun_stress: float = knob(0.0375, 0.0, 1.0, "stress per second per raised gun he sees")
    aim_stress: float = knob(0.10, 0.0, 1.0, "stress per second per gun aimed at him")
    crowd_stress: float = knob(0.03, 0.0, 1.0, "stress per second per panicking person near")
    mila_run_stress: float = knob(0.25, 0.0, 5.0, "stress per second when Mila runs near him")
    mila_approach_stress: float = knob(0.08, 0.0, 5.0,
                                       "stress per second when she walks at him up close")
    grab_stress: float = knob(0.3, 0.0, 1.0, "stress when the passer-by grabs her")
    home_hold_seconds: float = knob(20.0, 1.0, 600.0,
                                    "seconds bonded and shielding her before the police lower "
                                    "their guns without an order")

    # -- Dylan --------------------------------------------------------------------------------
    dylan_speed: float = knob(3.0, 0.2, 15.0, "tiles per second running to the scene")
    dylan_earshot: float = knob(12.0, 1.0, 100.0,
                                "tiles within which his order reaches the perimeter")

    # -- the Handler (Dylan played at the command center) ---------------------------------------
    handler_radio_delay: float = knob(2.0, 0.0, 60.0,
                                      "seconds before a command-center order reaches the units")
    loudspeaker_cooldown: float = knob(10.0, 1.0, 600.0,
                                       "seconds between two of the Handler's messages")
    loudspeaker_calm: float = knob(0.3, 0.0, 1.0, "fear a calm message takes from a passer-by")
    loudspeaker_calm_seconds: float = knob(20.0, 0.0, 600.0,
                                           "seconds a calm message he heard keeps soothing Rex")
    loudspeaker_calm_rate: float = knob(0.02, 0.0, 1.0,
                                        "stress per second it takes from him meanwhile")
    loudspeaker_warning_stress: float = knob(0.15, 0.0, 1.0,
                                             "stress a warning he hears adds at once")
    report_memory: float = knob(120.0, 5.0, 3600.0,
                                "seconds a phone report stays on the command center's map")

    # -- civilians ----------------------------------------------------------------------------
    civilian_walk_speed: float = knob(1.0, 0.1, 10.0, "tiles per second strolling")
    civilian_flee_speed: float = knob(2.8, 0.1, 15.0, "tiles per second fleeing")
    civilian_sight: float = knob(14.0, 1.0, 80.0, "tiles at which a passer-by sees Rex")
    panic_threshold: float = knob(0.5, 0.05, 1.0, "fear at which a passer-by panics")
    fear_decay: float = knob(0.05, 0.0, 5.0, "fear lost per second")
    fear_contagion: float = knob(0.35, 0.0, 10.0,
                                 "fear per second from each panicking neighbour nearby")
    siren_radius: float = knob(16.0, 0.0, 100.0, "tiles within which a siren is heard")
    siren_fear: float = knob(0.06, 0.0, 5.0, "fear per second from a siren in earshot")
    loudspeaker_fear: float = knob(0.45, 0.0, 1.0, "fear a loudspeaker warning adds")
    filmer_share: float = knob(0.3, 0.0, 1.0, "share of panicking passers-by who film")
    film_distance: float = knob(8.0, 1.0, 50.0, "tiles from Rex at which filmers stop")
    film_range: float = knob(30.0, 2.0, 200.0, "tiles within which they keep filming")
    grab_trigger: float = knob(8.0, 1.0, 50.0,
                               "Rex this close to Mila sends a passer-by to pull her away")
    grab_windup: float = knob(1.0, 0.1, 10.0, "seconds he reaches out before he grabs")
    grab_pull_seconds: float = knob(2.5, 0.1, 30.0, "seconds he pulls her away")
    grab_reach: float = knob(1.2, 0.3, 5.0, "tiles within which the passer-by reaches her")
    contagion_radius: float = knob(5.0, 0.0, 50.0,
                                   "tiles within which a panicking passer-by frightens others")
    stroll_path_weight: float = knob(2.0, 0.0, 20.0,
                                     "how much strollers keep to sidewalks and paths")
    stroll_heading_weight: float = knob(1.2, 0.0, 20.0, "how much strollers keep their heading")
    stroll_noise: float = knob(0.3, 0.0, 5.0, "spread of seeded noise in strollers' turns")

    def __post_init__(self) -> None:
        for f in dataclasses.fields(self):
            value = getattr(self, f.name)
            if isinstance(f.default, bool):
                if not isinstance(value, bool):
                    raise TuningError(f"{f.name} must be true or false, not {value!r}")
                continue
            if isinstance(f.default, int) and (isinstance(value, bool) or not isinstance(
                    value, int)):
                raise TuningError(f"{f.name} must be a whole number, not {value!r}")
            if not isinstance(value, int | float) or isinstance(value, bool):
                raise TuningError(f"{f.name} must be a number, not {value!r}")
            low, high = f.metadata["low"], f.metadata["high"]
            if not low <= value <= high:
                raise TuningError(f"{f.name}={value} is outside its range {low:g} to {high:g}")

    def replace(self, **changes: Any) -> Tuning:
        unknown = sorted(set(changes) - {f.name for f in dataclasses.fields(self)})
        if unknown:
            raise TuningError(f"unknown tuning name {unknown[0]!r}")
        return dataclasses.replace(self, **changes)

    def as_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


class TuningError(ValueError):
    """A tuning value that is unknown, of the wrong type or out of its range."""


def describe() -> list[tuple[str, Any, float, float, str]]:
    """(name, default, low, high, reason) of every knob, for docs and the CLI."""
    return [(f.name, f.default, f.metadata["low"], f.metadata["high"], f.metadata["doc"])
            for f in dataclasses.fields(Tuning)]


DEFAULT = Tuning()
