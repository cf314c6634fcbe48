"""Every sound of the game by name: its recipe and level, its caption, and ``synthesize``.

``synthesize(name)`` builds one sound as int16 stereo samples, deterministically (each sound has
its own seeded random generator, so the same bytes come out on every run), normalised to the
sound's level; one-shots start and end in silence and loops lose any offset. ``CAPTIONS`` gives
a caption for every sound for players who cannot hear it. Nothing is loaded from disk and
nothing here needs pygame.
"""

from __future__ import annotations

import math
import zlib
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from game.sound import music
from game.sound.dsp import F32, fade_edges
from game.sound.effects import (
    bark,
    car_engine,
    crowd_panic,
    footstep,
    growl,
    kennel_alarm,
    loudspeaker_chime,
    paws,
    phone_camera,
    radio_chirp,
    radio_squelch,
    siren,
    tranq_shot,
    whine,
    whistle,
    wind,
)


@dataclass(frozen=True)
class Spec:
    build: Callable[[int, np.random.Generator], np.ndarray]
    level: float  # peak, as a fraction of full scale: sets the loudness between sounds
    loop: bool = False


SPECS: dict[str, Spec] = {
    "kennel_alarm": Spec(kennel_alarm, 0.55, loop=True),
    "siren": Spec(lambda sr, rng: siren(sr, rng, 4.0, 1), 0.6, loop=True),
    "siren_yelp": Spec(lambda sr, rng: siren(sr, rng, 1.0, 4), 0.6, loop=True),
    "radio_squelch": Spec(radio_squelch, 0.45),
    "radio_chirp": Spec(radio_chirp, 0.4),
    "bark_0": Spec(lambda sr, rng: bark(sr, rng, 300.0, 210.0, 0.24), 0.85),
    "bark_1": Spec(lambda sr, rng: bark(sr, rng, 265.0, 185.0, 0.28, 0.93, 0.45), 0.85),
    "bark_2": Spec(lambda sr, rng: bark(sr, rng, 345.0, 240.0, 0.2, 1.06, 0.3), 0.85),
    "growl": Spec(growl, 0.75),
    "whine": Spec(whine, 0.5),
    "footstep_0": Spec(footstep, 0.4),
    "footstep_1": Spec(footstep, 0.4),
    "footstep_2": Spec(footstep, 0.4),
    "footstep_3": Spec(footstep, 0.4),
    "paw_0": Spec(paws, 0.32),
    "paw_1": Spec(paws, 0.32),
    "wind": Spec(wind, 0.45, loop=True),
    "whistle": Spec(whistle, 0.5),
    "tranq_shot": Spec(tranq_shot, 0.7),
    "crowd_panic": Spec(crowd_panic, 0.55),
    "phone_camera": Spec(phone_camera, 0.4),
    "loudspeaker_chime": Spec(loudspeaker_chime, 0.55),
    "car_engine": Spec(car_engine, 0.5, loop=True),
    "theme": Spec(lambda sr, rng: music.render(music.THEME, sr, rng), 0.8, loop=True),
    "theme_home": Spec(lambda sr, rng: music.render(music.THEME_HOME, sr, rng), 0.8),
    "theme_sad": Spec(lambda sr, rng: music.render(music.THEME_SAD, sr, rng), 0.8),
}

SOUND_NAMES: tuple[str, ...] = tuple(SPECS)
LOOPING: frozenset[str] = frozenset(name for name, spec in SPECS.items() if spec.loop)

CAPTIONS: dict[str, str] = {
    "kennel_alarm": "[alarm blares at the K9 center]",
    "siren": "[police siren wails]",
    "siren_yelp": "[police siren yelps]",
    "radio_squelch": "[police radio crackles]",
    "radio_chirp": "[radio beeps]",
    "bark_0": "[Rex barks]",
    "bark_1": "[Rex barks]",
    "bark_2": "[Rex barks sharply]",
    "growl": "[Rex growls]",
    "whine": "[Rex whines softly]",
    "footstep_0": "[footsteps]",
    "footstep_1": "[footsteps]",
    "footstep_2": "[footsteps]",
    "footstep_3": "[footsteps]",
    "paw_0": "[paws patter]",
    "paw_1": "[paws patter]",
    "wind": "[evening wind]",
    "whistle": "[handler whistles]",
    "tranq_shot": "[tranquilizer rifle fires]",
    "crowd_panic": "[people scream and run]",
    "phone_camera": "[phone camera clicks]",
    "loudspeaker_chime": "[loudspeaker chimes]",
    "car_engine": "[car engine idles]",
    "theme": "[soft music]",
    "theme_home": "[warm, hopeful music]",
    "theme_sad": "[sad music]",
}


def _seed(name: str) -> int:
    return zlib.crc32(f"rex-audio/{name}".encode())  # str hash() is salted per process


def synthesize(name: str, sample_rate: int = 44100) -> np.ndarray:
    """Build sound ``name`` as int16 stereo samples, shape (n, 2); the same bytes every call."""
    spec = SPECS[name]
    rng = np.random.default_rng(_seed(name))
    # Builders return mono (n,) or channel-first stereo (2, n), float32 or float64, any scale.
    rows = np.array(spec.build(sample_rate, rng), ndmin=2, copy=None)
    if rows.dtype != F32:
        rows = rows.astype(np.float64)
    if spec.loop:
        rows -= rows.mean(axis=1, keepdims=True)  # an offset is inaudible but wastes headroom
    else:
        fade_edges(rows, sample_rate)
    peak = max(float(rows.max()), -float(rows.min()), 1e-12)
    if not math.isfinite(peak):
        raise ValueError(f"sound {name!r} came out with NaN or infinite samples")
    scale = spec.level * 32767.0 / peak  # every sound peaks at its level: never clips
    out = np.empty((rows.shape[1], 2), dtype=np.int16)
    for channel in range(2):
        out[:, channel] = np.rint(rows[min(channel, len(rows) - 1)] * scale)
    return out


def forget_caches() -> None:
    """Free what the synthesis cached for the next sound; call after the last ``synthesize``."""
    music.forget_cached_notes()
