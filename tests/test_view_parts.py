"""The window's parts that need no window: the radio log, captions, sounds from events, meter
tells, interpolation, overlay colour indices, lamps and the command-center map."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest

from game.sim import events as ev
from game.sim.world import World
from game.sound.catalogue import CAPTIONS
from game.tiled import read_level
from game.view import cast
from game.view.hud import MeterWatch
from game.view.minimap import terrain_picture
from game.view.overlays import field_indices, scent_indices, scent_stops
from game.view.radio import STATUS_LINES, Captions, RadioLog, line_for
from game.view.scene import lamp_cells
from game.view.sounds import EVENT_SOUNDS, SoundDirector, heard_at, sound_for
from tests import mapkit

ROOT = Path(__file__).resolve().parent.parent


class FakeMixer:
    """Records what the director asks of the mixer."""

    def __init__(self) -> None:
        self.played: list[tuple[str, float, float]] = []
        self.loops: dict = {}
        self.current_music = None

    def play(self, name: str, volume: float = 1.0, pan: float = 0.0) -> None:
        self.played.append((name, volume, pan))

    def play_at(self, name, source_xy, listener_xy, hearing_radius, volume=1.0) -> None:
        from game.sound.space import spatialize

        gain, pan = spatialize(source_xy, listener_xy, hearing_radius)
        self.played.append((name, volume * gain, pan))

    def loop(self, key, name, volume=1.0, pan=0.0) -> None:
        self.loops[key] = (name, volume, pan)

    def stop(self, key) -> None:
        self.loops.pop(key, None)

    def loop_keys(self) -> list:
        return list(self.loops)

    def music(self, name: str, loop: bool = True) -> None:
        self.current_music = name

    def stop_all(self) -> None:
        self.loops.clear()


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    return World(read_level(mapkit.write(mapkit.MapSpec(), tmp_path_factory.mktemp("m"))), 1)


def test_the_radio_log_shows_radio_lines_and_short_lines_for_big_events():
    log = RadioLog()
    log.add_events([ev.Radio(1, "dispatch", "K9 Rex has escaped. All units, stand by."),
                    ev.RexTell(2, "growl"),
                    ev.PhaseChanged(3, "search", "pursuit")],
                   now=0.0)
    lines = [(line.speaker, line.shown) for line, _ in log.visible(1.0)]
    assert lines == [("DISPATCH", "K9 Rex has escaped. All units, stand by."),
                     ("DISPATCH", "Alert phase: pursuit.")]


def test_the_same_line_again_is_counted_not_repeated():
    log = RadioLog()
    for tick in range(3):
        log.add_events([ev.AimStarted(tick, unit=tick, x=4.0, y=5.0)], now=float(tick))
    assert [line.shown for line, _ in log.visible(3.0)] == ["Taking aim. (x3)"]


def test_log_lines_fade_out():
    log = RadioLog()
    log.add("DISPATCH", "All units.", 0.0)
    assert log.visible(1.0)[0][1] == 1.0
    assert log.visible(1000.0) == []


def test_captions_refresh_instead_of_repeating_and_expire():
    captions = Captions()
    captions.show("[Rex growls]", 0.0, side=-1.0)
    captions.show("[Rex growls]", 1.0, side=-1.0)
    assert [c.text for c in captions.visible(2.0)] == ["[Rex growls]"]
    assert captions.visible(10.0) == []


def test_events_make_their_sounds_where_they_happen_with_captions(world):
    mixer, captions = FakeMixer(), Captions()
    director = SoundDirector(mixer, captions)
    listener = (world.rex.x + 10.0, world.rex.y)
    director.on_events([ev.RexTell(0, "growl"), ev.LatchGave(1)], world, listener, now=0.0)
    names = [name for name, _, _ in mixer.played]
    assert names == ["growl"]
    _, volume, pan = mixer.played[0]
    assert 0.0 < volume < 1.0 and pan < 0.0  # Rex is to the listener's left
    shown = [c.text for c in captions.visible(0.5)]
    assert CAPTIONS["growl"] in shown
    assert ev.LatchGave.caption in shown  # an event with no sound shows its own caption
    assert director.alarm_at is not None


def test_every_mapped_sound_exists_and_has_a_caption():
    assert set(EVENT_SOUNDS.values()) <= set(CAPTIONS)
    for event in (ev.Radio(0, "dispatch", "All units."), ev.ShotFired(0, 1, 2.0, 3.0, False),
                  ev.Panic(0, 1, 2.0, 3.0), ev.Filming(0, 1), ev.StandDown(0),
                  ev.PhaseChanged(0, "search", "pursuit"), ev.Shielding(0, active=True)):
        assert sound_for(event) in CAPTIONS, event
    for tell in ("growl", "whine", "bark"):
        assert sound_for(ev.RexTell(5, tell)) in CAPTIONS
    assert sound_for(ev.RexTell(5, "ears_up")) is None
    assert sound_for(ev.Shielding(0, active=False)) is None  # he steps aside: no growl
    assert sound_for(ev.Caught(0, 1)) is None
    warning = ev.Radio(0, "Loudspeaker", "Stay indoors.")
    assert sound_for(warning) is None  # the loudspeakers themselves are heard (Announcement)


def test_rex_is_heard_where_he_is_and_an_event_at_a_place_where_it_happened(world):
    rex = (world.rex.x, world.rex.y)
    assert heard_at(ev.RexTell(0, "bark"), world) == rex
    assert heard_at(ev.RexLeapt(0, 1.0, 2.0), world) == rex  # his own sound: he is the place
    assert heard_at(ev.Shielding(0, active=True), world) == rex
    assert heard_at(ev.ShotFired(0, 3, 7.0, 8.0, True), world) == (7.0, 8.0)
    assert heard_at(ev.Panic(0, 1, 2.5, 3.5), world) == (2.5, 3.5)
    assert heard_at(ev.Radio(0, "dispatch", "All units."), world) is None  # everywhere alike
    assert heard_at(ev.StandDown(0), world) is None


def test_the_radio_log_gives_every_status_line_and_a_shield_only_while_raised():
    assert line_for(ev.StandDown(0)) == ("DISPATCH", "All units, stand down.")
    assert line_for(ev.GrabbedMila(0, 2)) == ("PASSER-BY", "Kid, run!")
    assert line_for(ev.Shielding(0, active=True))[1].startswith("Rex plants himself")
    assert line_for(ev.Shielding(0, active=False)) is None
    assert line_for(ev.Radio(0, "k9 unit", "Copy.")) == ("K9 UNIT", "Copy.")
    assert line_for(ev.Caught(0, 1)) is None
    assert all(issubclass(kind, ev.Event) for kind in STATUS_LINES)


def test_a_loudspeaker_warning_is_heard_from_the_nearest_loudspeaker_within_its_reach(world):
    mixer, captions = FakeMixer(), Captions()
    director = SoundDirector(mixer, captions)
    warning = [ev.Radio(0, "Loudspeaker", "Stay indoors."), ev.Announcement(0, 10.0, 5.0, 20.0),
               ev.Announcement(0, 60.0, 5.0, 20.0)]
    director.on_events(warning, world, (18.0, 5.0), now=0.0)
    assert len(mixer.played) == 1  # one warning, however many loudspeakers play it
    name, volume, pan = mixer.played[0]
    assert name == "loudspeaker_chime" and 0.0 < volume < 1.0 and pan < 0.0  # to the left
    assert CAPTIONS["loudspeaker_chime"] in [c.text for c in captions.visible(0.5)]
    mixer, captions = FakeMixer(), Captions()
    SoundDirector(mixer, captions).on_events(warning[1:2], world, (40.0, 5.0), now=0.0)
    assert [v for _, v, _ in mixer.played] == [0.0]  # beyond its 20 tiles: silent, no caption
    assert captions.visible(0.5) == []


def test_one_siren_loop_per_car_with_its_siren_on(world):
    mixer = FakeMixer()
    director = SoundDirector(mixer, Captions())
    cars = [SimpleNamespace(id=0, x=world.rex.x, y=world.rex.y, siren_on=True),
            SimpleNamespace(id=1, x=world.rex.x, y=world.rex.y, siren_on=False)]
    real_police, world.police = world.police, SimpleNamespace(officers=[], cars=cars,
                                                              dispatcher=None)
    try:
        director.update(world, (world.rex.x, world.rex.y), now=0.0, rex_moving=False)
        assert ("siren", 0) in mixer.loops and ("siren", 1) not in mixer.loops
        cars[0].siren_on = False
        director.update(world, (world.rex.x, world.rex.y), now=0.1, rex_moving=False)
        assert ("siren", 0) not in mixer.loops
    finally:
        world.police = real_police


def test_a_meter_change_is_announced_once_with_its_direction():
    watch = MeterWatch("trust")
    announced = [watch.observe(0.1 + 0.01 * i, i / 30) for i in range(30)]
    assert announced.count(1) == 1 and -1 not in announced and watch.trend == 1
    steady = [watch.observe(0.4, 1.0 + i / 30) for i in range(30)]
    assert watch.trend == 0 and not any(steady)


def test_interpolation_blends_between_ticks_but_not_across_jumps():
    snapshot = cast.Snapshot({("rex", 0): (1.0, 1.0)}, tick=0)
    assert snapshot.blend(("rex", 0), 2.0, 1.0, 0.25) == (1.25, 1.0)
    assert snapshot.blend(("rex", 0), 9.0, 1.0, 0.25) == (9.0, 1.0)
    assert snapshot.blend(("mila", 0), 3.0, 4.0, 0.5) == (3.0, 4.0)


def test_scent_indices_are_log_scaled_with_contours():
    floor = 1e-30
    x = np.arange(40, dtype=np.float64)
    total = np.tile(10.0 ** (-x / 4.0), (5, 1)).astype(np.float32)  # a decade every 4 cells
    total[:, 30:] = floor  # where no scent reaches
    stops = scent_stops(total, floor)
    index = scent_indices(total, (0, 0, 40, 5), floor, stops)
    assert index.dtype == np.uint8 and (index[:, 30:] == 0).all()
    row = index[2, :30].astype(int)
    colours = row[row > 1]
    assert (np.diff(colours) <= 0).all() and colours[0] == 255  # fainter away from the source
    assert (row == 1).sum() >= 5  # a contour at each power of ten


def test_field_indices_leave_unreachable_cells_clear():
    field = np.array([[0.0, 2.0, np.inf]], np.float32)
    index = field_indices(field, (0, 0, 3, 1))
    assert index[0, 2] == 0 and index[0, 0] > index[0, 1] > 0


def test_the_default_map_has_street_lamps_and_a_command_center_picture():
    level = read_level(ROOT / "maps" / "lakeside.tmx")
    lamps = lamp_cells(level)
    assert len(lamps) > 20
    picture = terrain_picture(level.terrain)
    assert picture.shape == (level.height, level.width, 3)
    assert len(np.unique(picture.reshape(-1, 3), axis=0)) >= 6


def test_lines_said_together_follow_one_another_over_the_speaker():
    import pygame

    from game.view.hud import SPEECH_SECONDS, Hud
    from game.view.ui import NORMAL, Fonts

    pygame.font.init()
    hud = Hud(Fonts(), NORMAL)
    hud.note_events([ev.Speech(0, "Mila", "This belonged to Bolt."),
                     ev.Speech(0, "Mila", "You know this scent, don't you?"),
                     ev.Speech(0, "Dylan", "Lower your weapons.")], now=10.0)
    borns = [(s.speaker, s.born) for s in hud.said]
    assert borns[0] == ("Mila", 10.0) and borns[2] == ("Dylan", 10.0)
    assert borns[1][1] == pytest.approx(10.0 + SPEECH_SECONDS * 0.8)
