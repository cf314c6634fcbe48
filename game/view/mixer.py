"""The mixer: plays the synthesised sounds through pygame.mixer, and the only audio code that
touches pygame.

``AudioMixer`` synthesises the sounds (game/sound) once at start-up, turns them into pygame
sounds and plays them: one-shots with volume and equal-power panning, positional one-shots
(``play_at``), keyed loops (one siren per patrol car) and the music with a crossfade. If the
audio device cannot open, the mixer is a silent no-op with the same API (``error`` says why),
so the game never depends on sound. A sound whose synthesis fails is left out and ``problem``
says so in one line, which the window shows and logs; every other sound still plays.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Hashable, Iterable, Sequence
from dataclasses import dataclass

import numpy as np
import pygame

from game.sound.catalogue import SOUND_NAMES, forget_caches, synthesize
from game.sound.space import clamp, pan_gains, spatialize

_KNOWN = frozenset(SOUND_NAMES)
MAX_NAMED = 3  # sounds named in the line about missing ones; the rest are counted
ERROR_CHARS = 160  # an error's message is cut here: the line is read on screen


@dataclass
class _Loop:
    name: str
    volume: float
    pan: float
    channel: pygame.mixer.Channel | None = None


class AudioMixer:
    """Plays the synthesised sounds through pygame.mixer; a silent no-op if audio cannot start.

    Channels 0 and 1 are reserved for music (two, so the old piece can fade out while the new one
    fades in). Effects and loops take any free channel; when all are busy a one-shot is dropped
    and a loop waits for ``update_loop`` to find it a channel.
    """

    CHANNELS = 32
    MUSIC_FADE_MS = 1000
    LOOP_FADE_MS = 60

    def __init__(self, master: float = 1.0, effects: float = 0.8, music: float = 0.6,
                 sample_rate: int = 44100, names: Iterable[str] | None = None) -> None:
        self.master = clamp(master)
        self.effects = clamp(effects)
        self.music_volume = clamp(music)
        self.sample_rate = sample_rate
        self.available = False
        self.error: str | None = None  # why the mixer is silent: no device, no driver
        self.unmade: dict[str, str] = {}  # sounds whose synthesis failed, with the error
        self.synth_seconds = 0.0
        self._sounds: dict[str, pygame.mixer.Sound] = {}
        self._loops: dict[Hashable, _Loop] = {}
        self._music_channels: list[pygame.mixer.Channel] = []
        self._music_index = 0
        self._music_name: str | None = None
        self._owns_mixer = False
        try:
            self._start(SOUND_NAMES if names is None else tuple(names))
        except Exception as exc:  # no device, no driver, odd format: the game goes on silently
            self.error = _one_line(exc, with_type=False)
            self._sounds.clear()
            self._music_channels = []
            self.available = False
            if self._owns_mixer:
                self._quit_quietly()

    def _start(self, names: tuple[str, ...]) -> None:
        if pygame.mixer.get_init() is None:
            pygame.mixer.init(frequency=self.sample_rate, size=-16, channels=2, buffer=1024,
                              allowedchanges=0)
            self._owns_mixer = True
        freq, fmt, chans = pygame.mixer.get_init()
        self.sample_rate = freq
        pygame.mixer.set_num_channels(self.CHANNELS)
        pygame.mixer.set_reserved(2)
        self._music_channels = [pygame.mixer.Channel(0), pygame.mixer.Channel(1)]
        start = time.perf_counter()
        for name in names:
            try:
                data = synthesize(name, freq)
            except Exception as exc:  # a bug in one recipe: that sound is left out, and said so
                self.unmade[name] = _one_line(exc)
                continue
            self._sounds[name] = pygame.sndarray.make_sound(_to_mixer_format(data, fmt, chans))
        self.synth_seconds = time.perf_counter() - start
        forget_caches()  # the notes and chords live on inside the music now
        self.available = True

    @property
    def problem(self) -> str | None:
        """One line for the player when sounds are missing because their synthesis failed."""
        if not self.unmade:
            return None
        names = list(self.unmade)
        shown = ", ".join(names[:MAX_NAMED]) + (
            f" and {len(names) - MAX_NAMED} more" if len(names) > MAX_NAMED else "")
        count = f"{len(names)} sound{'s' if len(names) != 1 else ''}"
        return (f"{count} could not be made and will not be heard ({shown}: "
                f"{self.unmade[names[0]]}); everything else plays")

    @staticmethod
    def _quit_quietly() -> None:
        with contextlib.suppress(Exception):
            pygame.mixer.quit()

    # -- one-shots ------------------------------------------------------------------------

    def play(self, name: str, volume: float = 1.0, pan: float = 0.0) -> None:
        """Play a sound once; dropped silently if no channel is free."""
        _check(name)
        sound = self._sounds.get(name)
        gain = self.master * self.effects * clamp(volume)
        if sound is None or gain <= 0.002:
            return
        try:
            channel = pygame.mixer.find_channel()
            if channel is None:
                return
            _set_gains(channel, gain, pan)  # before play, so the first buffer is already right
            channel.play(sound)
            _set_gains(channel, gain, pan)  # and after: SDL drops a channel's effects when done
        except pygame.error:
            pass

    def play_at(self, name: str, source_xy: Sequence[float], listener_xy: Sequence[float],
                hearing_radius: float, volume: float = 1.0) -> None:
        """Play a sound in the world: quieter with distance, silent beyond the radius."""
        gain, pan = spatialize(source_xy, listener_xy, hearing_radius)
        if gain > 0.0:
            self.play(name, volume * gain, pan)
        else:
            _check(name)

    # -- loops ----------------------------------------------------------------------------

    def loop(self, key: Hashable, name: str, volume: float = 1.0, pan: float = 0.0) -> None:
        """Start a looping sound under ``key`` (e.g. one siren per patrol car), or update it."""
        _check(name)
        state = self._loops.get(key)
        if state is not None and state.name == name:
            self.update_loop(key, volume, pan)
            return
        if state is not None:
            self.stop(key)
        state = _Loop(name, clamp(volume), clamp(pan, -1.0, 1.0))
        self._loops[key] = state
        self._start_loop(state)

    def update_loop(self, key: Hashable, volume: float, pan: float = 0.0) -> None:
        state = self._loops.get(key)
        if state is None:
            return
        state.volume = clamp(volume)
        state.pan = clamp(pan, -1.0, 1.0)
        if not self._loop_playing(state):
            self._start_loop(state)
            return
        with contextlib.suppress(pygame.error):
            _set_gains(state.channel, self._loop_gain(state), state.pan)

    def stop(self, key: Hashable) -> None:
        state = self._loops.pop(key, None)
        if state is not None and self._loop_playing(state):
            with contextlib.suppress(pygame.error):
                state.channel.fadeout(self.LOOP_FADE_MS)

    def stop_all(self) -> None:
        """Stop every loop, one-shot and the music (with a short fade, not a click)."""
        self._loops.clear()
        self._music_name = None
        if self.available:
            with contextlib.suppress(pygame.error):
                pygame.mixer.fadeout(self.LOOP_FADE_MS)

    def loop_keys(self) -> list[Hashable]:
        return list(self._loops)

    def _loop_gain(self, state: _Loop) -> float:
        return self.master * self.effects * state.volume

    def _loop_playing(self, state: _Loop) -> bool:
        if state.channel is None or not self.available:
            return False
        try:
            return bool(state.channel.get_busy()) and \
                state.channel.get_sound() is self._sounds.get(state.name)
        except pygame.error:
            return False

    def _start_loop(self, state: _Loop) -> None:
        state.channel = None
        sound = self._sounds.get(state.name)
        if sound is None:
            return
        try:
            channel = pygame.mixer.find_channel()
            if channel is None:
                return  # all busy: update_loop will try again
            gain = self._loop_gain(state)
            _set_gains(channel, gain, state.pan)
            channel.play(sound, loops=-1, fade_ms=self.LOOP_FADE_MS)
            _set_gains(channel, gain, state.pan)
            state.channel = channel
        except pygame.error:
            pass

    # -- music ----------------------------------------------------------------------------

    def music(self, name: str, loop: bool = True) -> None:
        """Crossfade to a piece: the old one fades out over ~1 s while the new one fades in."""
        _check(name)
        if not self.available or name not in self._sounds:
            self._music_name = name
            return
        current = self._music_channels[self._music_index]
        try:
            if name == self._music_name and current.get_busy():
                return
            if current.get_busy():
                current.fadeout(self.MUSIC_FADE_MS)
            self._music_index ^= 1
            channel = self._music_channels[self._music_index]
            channel.stop()  # it may still be fading out an older piece
            gain = self.master * self.music_volume
            channel.set_volume(gain, gain)
            channel.play(self._sounds[name], loops=-1 if loop else 0, fade_ms=self.MUSIC_FADE_MS)
            channel.set_volume(gain, gain)
        except pygame.error:
            pass
        self._music_name = name

    def stop_music(self, fade_ms: int | None = None) -> None:
        self._music_name = None
        for channel in self._music_channels:
            try:
                if channel.get_busy():
                    channel.fadeout(self.MUSIC_FADE_MS if fade_ms is None else fade_ms)
            except pygame.error:
                pass

    @property
    def current_music(self) -> str | None:
        return self._music_name

    # -- volumes --------------------------------------------------------------------------

    def set_volumes(self, master: float | None = None, effects: float | None = None,
                    music: float | None = None) -> None:
        """Change any of the three volumes (0..1); loops and the music follow at once."""
        if master is not None:
            self.master = clamp(master)
        if effects is not None:
            self.effects = clamp(effects)
        if music is not None:
            self.music_volume = clamp(music)
        for key, state in list(self._loops.items()):
            self.update_loop(key, state.volume, state.pan)
        if self.available and self._music_name is not None and self._music_channels:
            gain = self.master * self.music_volume
            with contextlib.suppress(pygame.error):
                self._music_channels[self._music_index].set_volume(gain, gain)

    def close(self) -> None:
        """Stop everything; shut the mixer down if this object started it."""
        self.stop_all()
        self._sounds.clear()
        self.available = False
        if self._owns_mixer:
            self._owns_mixer = False
            self._quit_quietly()


def _check(name: str) -> None:
    if name not in _KNOWN:  # a typo in a sound name is a bug: say so, even when silent
        raise KeyError(f"unknown sound {name!r}")


def _set_gains(channel: pygame.mixer.Channel, gain: float, pan: float) -> None:
    left, right = pan_gains(pan)
    channel.set_volume(clamp(gain * left), clamp(gain * right))


def _to_mixer_format(data: np.ndarray, fmt: int, channels: int) -> np.ndarray:
    """Our int16 stereo samples in the layout the running mixer expects."""
    x = data
    if channels == 1:
        x = data.mean(axis=1)
    elif channels > 2:
        x = np.zeros((len(data), channels), dtype=np.int16)
        x[:, :2] = data
    if fmt == 32:  # float32 mixer
        return np.ascontiguousarray(x.astype(np.float32) / 32768.0)
    if fmt == 16:  # unsigned 16-bit
        return np.ascontiguousarray((x.astype(np.int32) + 32768).astype(np.uint16))
    if fmt == -8:
        return np.ascontiguousarray((x.astype(np.int32) >> 8).astype(np.int8))
    if fmt == 8:
        return np.ascontiguousarray(((x.astype(np.int32) >> 8) + 128).astype(np.uint8))
    return np.ascontiguousarray(x.astype(np.int16))


def _one_line(exc: BaseException, with_type: bool = True) -> str:
    """An error as one short line: the first line of its message, after its type when asked
    (a bug report wants the type; a missing audio device is said well enough by SDL)."""
    message = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
    if not message:
        text = type(exc).__name__
    else:
        text = f"{type(exc).__name__}: {message}" if with_type else message
    return text if len(text) <= ERROR_CHARS else text[:ERROR_CHARS - 3] + "..."
