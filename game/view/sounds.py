"""Events in, sounds out: which sound each event makes, where it is heard, and its caption. It
tells the mixer (mixer.py) what to play and touches no pygame itself.

``EVENT_SOUNDS`` maps an event class to a sound; an event with a position (x, y), or one about
Rex, is played in the world: quieter with distance from the camera and panned to its side. A
loudspeaker's warning (an Announcement) carries as far as the loudspeaker's own radius, and of
the speakers that play it together only the loudest is heard.
Loops follow the world every frame (one siren per patrol car with its siren on, the kennel
alarm for a while after the latch gives, the evening wind), as do footsteps. Every sound that
is heard puts its caption (catalogue.CAPTIONS) on screen, except Mila's own footsteps, which the
player sees; an event that makes no sound shows its own caption, if it has one.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import Any

from game.sim import events as ev
from game.sound.catalogue import CAPTIONS
from game.sound.space import spatialize
from game.view import cast
from game.view.mixer import AudioMixer
from game.view.radio import Captions

HEARING_RADIUS = 34.0  # tiles from the camera's centre at which a sound fades out
CAPTION_GAIN = 0.08  # sounds quieter than this are not captioned
ALARM_SECONDS = 14.0
STEP_SECONDS = {False: 0.42, True: 0.27}  # Mila's footsteps walking and running
PAW_SECONDS = 0.3

EVENT_SOUNDS: dict[type[ev.Event], str] = {
    ev.Radio: "radio_squelch",
    ev.PhaseChanged: "radio_chirp",
    ev.Sighting: "radio_chirp",
    ev.PhoneReport: "radio_chirp",
    ev.AimStarted: "radio_chirp",
    ev.ShotFired: "tranq_shot",
    ev.Panic: "crowd_panic",
    ev.Filming: "phone_camera",
    ev.StandDown: "whistle",
    ev.RexLeapt: "paw_1",
    ev.RexStartled: "bark_2",
    ev.CollarRecognised: "whine",
}
SPEECH_CAPTION_SECONDS = 5.0
TELL_SOUNDS: dict[str, tuple[str, ...]] = {
    "growl": ("growl",),
    "whine": ("whine",),
    "bark": ("bark_0", "bark_1", "bark_2"),
}


def sound_for(event: ev.Event) -> str | None:
    """The sound an event makes, or None."""
    match event:
        case ev.RexTell(tell=tell):
            choices = TELL_SOUNDS.get(tell)
            return None if choices is None else choices[event.tick % len(choices)]
        case ev.Radio(speaker=speaker) if speaker.lower() == "loudspeaker":
            return None  # heard from the loudspeakers themselves (Announcement), not the radio
        case ev.Shielding(active=active):  # he growls at the guns as he steps in front of her
            return "growl" if active else None
    return EVENT_SOUNDS.get(type(event))


def heard_at(event: ev.Event, world: Any) -> tuple[float, float] | None:
    """Where an event's sound comes from: Rex's own where he is, an event with a place there,
    and None for the rest (the radio, the dispatcher), which is heard the same everywhere."""
    match event:
        case (ev.RexTell() | ev.RexLeapt() | ev.RexStartled() | ev.CollarRecognised()
              | ev.Shielding()):
            return world.rex.x, world.rex.y
        case ev.Event(x=x, y=y):  # any event that happened at a place
            return float(x), float(y)
    return None


class SoundDirector:
    def __init__(self, mixer: AudioMixer, captions: Captions):
        self.mixer = mixer
        self.captions = captions
        self.alarm_until = -1.0
        self.alarm_at: tuple[float, float] | None = None
        self._next_step = 0.0
        self._next_paw = 0.0
        self._wind = False

    def _play(self, name: str, at: tuple[float, float] | None,
              listener: tuple[float, float], now: float, volume: float = 1.0,
              caption: bool = True, radius: float = HEARING_RADIUS) -> None:
        if at is None:
            gain, pan = 1.0, 0.0
            self.mixer.play(name, volume)
        else:
            gain, pan = spatialize(at, listener, radius)
            self.mixer.play_at(name, at, listener, radius, volume)
        if caption and gain * volume >= CAPTION_GAIN:
            self.captions.show(CAPTIONS[name], now, pan)

    def on_events(self, events: Iterable[ev.Event], world: Any, listener: tuple[float, float],
                  now: float) -> None:
        events = list(events)
        heard = [e for e in events if isinstance(e, ev.Announcement)]
        if heard:  # several loudspeakers, one warning: the loudest is the one heard
            nearest = min(heard, key=lambda e: math.hypot(e.x - listener[0], e.y - listener[1])
                          / max(float(e.radius), 1e-6))
            self._play("loudspeaker_chime", (float(nearest.x), float(nearest.y)), listener,
                       now, radius=float(nearest.radius))
        for event in events:
            match event:
                case ev.Announcement():
                    continue
                case ev.LatchGave():
                    self.alarm_until = now + ALARM_SECONDS
                    self.alarm_at = world.level.one("kennel_gate").centre
                case ev.Speech(speaker=speaker, text=text):  # said aloud: captioned, whoever
                    self.captions.show(f'{speaker}: "{text}"', now,
                                       seconds=SPEECH_CAPTION_SECONDS)
                    continue
            name = sound_for(event)
            if name is None:
                self.captions.show(event.caption, now)
                continue
            self._play(name, heard_at(event, world), listener, now)

    def update(self, world: Any, listener: tuple[float, float], now: float,
               rex_moving: bool) -> None:
        """Keep the loops in step with the world, and walk the footsteps."""
        if not self._wind:
            self.mixer.loop("wind", "wind", 0.35)
            self.captions.show(CAPTIONS["wind"], now)
            self._wind = True
        self._loop_at("alarm", "kennel_alarm", self.alarm_at if now < self.alarm_until else None,
                      listener, now, 0.8)
        sirens = {("siren", car.id): (car.x, car.y) for car in cast.cars(world)
                  if getattr(car, "siren_on", False)}
        for key in self.mixer.loop_keys():
            if isinstance(key, tuple) and key[0] == "siren" and key not in sirens:
                self.mixer.stop(key)
        for key, at in sirens.items():
            self._loop_at(key, "siren", at, listener, now, 0.7)
        mila = world.mila
        if mila.moving and now >= self._next_step:
            step = int(now * 10) % 4
            self.mixer.play(f"footstep_{step}", 0.22 if not mila.running else 0.32)
            self._next_step = now + STEP_SECONDS[bool(mila.running)]
        rex = world.rex
        if rex_moving and now >= self._next_paw:
            if math.hypot(rex.x - listener[0], rex.y - listener[1]) < HEARING_RADIUS / 3:
                self._play(f"paw_{int(now * 10) % 2}", (rex.x, rex.y), listener, now, 0.5)
            self._next_paw = now + PAW_SECONDS

    def _loop_at(self, key: Any, name: str, at: tuple[float, float] | None,
                 listener: tuple[float, float], now: float, volume: float) -> None:
        if at is None:
            if key in self.mixer.loop_keys():
                self.mixer.stop(key)
            return
        gain, pan = spatialize(at, listener, HEARING_RADIUS)
        self.mixer.loop(key, name, gain * volume, pan)
        if gain * volume >= CAPTION_GAIN:
            self.captions.show(CAPTIONS[name], now, pan, seconds=1.5)

    def music(self, name: str, now: float) -> None:
        if self.mixer.current_music != name:
            self.mixer.music(name)
            self.captions.show(CAPTIONS[name], now)

    def stop(self) -> None:
        self.mixer.stop_all()
        self._wind = False
