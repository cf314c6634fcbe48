"""The music: a small sequencer that plays note text, and the three pieces of the game.

A piece is a ``Score``: chords and melody written as note text (``"A4:1 C5:1 E5:2"``), played by
a cached additive piano over a PADsynth-style pad (random-phase harmonic spectra through one
inverse FFT: a wide, chorused pad that is periodic for free) and a cheap FFT reverb run at a
quarter of the sample rate. ``render(score, sample_rate, rng)`` gives channel-first stereo; a
looping piece comes out seamless. Numpy only.
"""

from __future__ import annotations

import math
import zlib
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from game.sound.dsp import (
    F32,
    TAU,
    adsr,
    lowpass,
    noise,
    note_hz,
    place,
    ramp,
    reverb,
    samples,
    sine,
    slow,
    times,
)
from game.sound.space import pan_gains

_NOTE_INDEX = {"C": 0, "D": 2, "E": 4, "F": 5, "G": 7, "A": 9, "B": 11}


def _midi(note: str) -> int:
    """'A4' -> 69, 'G#4' -> 68, 'Bb3' -> 58."""
    rest = note[1:]
    shift = 0
    while rest and rest[0] in "#b":
        shift += 1 if rest[0] == "#" else -1
        rest = rest[1:]
    return 12 * (int(rest) + 1) + _NOTE_INDEX[note[0].upper()] + shift


def _parse(text: str) -> list[tuple[float, str, float]]:
    """'A4:1 C5:1 | E5:2 r:1' -> [(beat, token, beats)]; '|' marks bars for the reader only."""
    beat = 0.0
    out = []
    for token in text.split():
        if token == "|":
            continue
        name, beats = token.split(":")
        if name != "r":
            out.append((beat, name, float(beats)))
        beat += float(beats)
    return out


# Chord symbol -> (bass note, pad / arpeggio voicing). Voicings sit around middle C, below
# the melody, with the root doubled by the piano's bass.
_CHORDS = {
    "Am": ("A2", ("E3", "A3", "C4", "E4")),
    "F": ("F2", ("F3", "A3", "C4", "F4")),
    "C": ("C3", ("E3", "G3", "C4", "E4")),
    "G": ("G2", ("D3", "G3", "B3", "D4")),
    "Dm": ("D3", ("D3", "A3", "D4", "F4")),
    "E": ("E2", ("E3", "G#3", "B3", "E4")),
    "Em": ("E2", ("E3", "G3", "B3", "E4")),
}


@dataclass(frozen=True)
class Score:
    bpm: float
    chords: str  # "Am:4 F:4 ..." (beats per chord)
    melody: tuple[tuple[str, float], ...]  # (note text, velocity) sections, played in order
    loop: bool
    tail: float = 0.0  # seconds of ring-out after the last beat (one-shots)
    arpeggio: tuple[tuple[int, float], ...] = ()  # (from beat, velocity): eighths from there on
    pad_level: float = 0.12
    swell: float = 0.35  # depth of the slow loudness arc of the pad over the piece


@lru_cache(maxsize=256)
def _piano_tone(midi: int, sr: int) -> np.ndarray:
    """A soft piano-like note, cached per pitch (a piece reuses few pitches).

    Additive partials whose decay rate grows with the partial number (so the tone starts bright
    and mellows, as struck strings do), a faster "prompt" decay over a slower after-sound, a slow
    beat between the two strings of the lower partials, and a soft felt thump.
    """
    f = note_hz(midi)
    ring = 3.4 if midi < 60 else 2.9
    n = samples(ring, sr)
    t = np.arange(n, dtype=F32) / F32(sr)
    rng = np.random.default_rng(midi)
    rate1 = 1.0 / (1.7 * (261.6 / f) ** 0.3)  # base decay rate (1/s): low notes ring longer
    step_rate = 0.9 + f / 350.0  # extra decay per partial number
    env = np.exp(-t * F32(rate1))
    step = np.exp(-t * F32(step_rate))
    beat = F32(0.85) + F32(0.15) * np.cos(t * F32(TAU * rng.uniform(0.4, 0.9)) + F32(rng.random()))
    out = np.zeros(n, dtype=F32)
    buf = np.empty(n, dtype=F32)
    top = min(5500.0, 0.45 * sr)
    for h in range(1, 11):
        fh = f * h * math.sqrt(1.0 + 0.0003 * h * h)  # slight string stiffness
        if fh > top:
            break
        amp = h ** -1.5 * (0.5 if h == 7 else 1.0)  # the hammer sits near 1/7 of the string
        m = min(n, int(6.9 / (rate1 + (h - 1) * step_rate) * sr))  # until -60 dB
        part = buf[:m]
        np.multiply(t[:m], F32(TAU * fh), out=part)  # float32 phase: fine for a few seconds
        np.sin(part, out=part)
        part *= env[:m]
        if h <= 2:
            part *= beat[:m]
        part *= F32(amp)
        out[:m] += part
        env[:m] *= step[:m]  # the next partial decays a little faster
    out *= F32(0.5) + F32(0.5) * np.exp(-t / F32(0.3))
    na = samples(0.004, sr)
    out[:na] *= ramp(na).astype(F32)
    m = samples(0.02, sr)
    felt = noise(rng, m, sr, lambda fq: lowpass(fq, 1500.0, 2)) * np.exp(-times(m, sr) / 0.006)
    out[:m] += (0.03 * felt).astype(F32)
    nr = samples(0.3, sr)
    out[n - nr:] *= ramp(nr)[::-1].astype(F32)
    out.setflags(write=False)
    return out


PAD_BRIGHT = 2000.0  # Hz where the pad's harmonics start to roll off: warm, not dull


@lru_cache(maxsize=64)
def _pad_table(notes: tuple[int, ...], sr: int) -> np.ndarray:
    """PADsynth: each harmonic of each note becomes a Gaussian bump of spectrum with random
    phases; one inverse FFT gives a lush, slowly shimmering chord that is periodic in its length.
    """
    size = 1 << 17 if sr <= 48000 else 1 << 18
    bin_hz = sr / size
    amp = np.zeros(size // 2 + 1)
    width = 0.5 * (2.0 ** (24.0 / 1200.0) - 1.0)  # each bump is ~24 cents wide: a soft chorus
    for midi in notes:
        f0 = note_hz(midi)
        for h in range(1, 40):
            fh = f0 * h
            if fh > min(PAD_BRIGHT * 2.5, 0.45 * sr):
                break
            sigma = max(bin_hz, width * fh)
            lo = max(1, int((fh - 4 * sigma) / bin_hz))
            hi = min(len(amp), int((fh + 4 * sigma) / bin_hz) + 2)
            x = np.arange(lo, hi) * (bin_hz / sigma) - fh / sigma
            # Divide by the bump's width in bins so wide bumps are not louder, only softer-edged.
            gain = h ** -1.1 / math.sqrt(1.0 + (fh / PAD_BRIGHT) ** 2) / math.sqrt(sigma / bin_hz)
            amp[lo:hi] += gain * np.exp(-0.5 * x * x)
    rng = np.random.default_rng(zlib.crc32(repr(notes).encode()))
    spec = amp * np.exp(1j * TAU * rng.random(len(amp)))
    table = np.fft.irfft(spec.astype(np.complex64), size)
    table /= np.sqrt(np.mean(table ** 2))
    table = table.astype(F32)
    table.setflags(write=False)
    return table


def _pad_track(chords: list[tuple[float, str, float]], spb: float, sr: int, n: int,
               loop: bool, rng: np.random.Generator) -> np.ndarray:
    """The chords as a pad, (2, n), crossfading (equal power) between chord tables.

    The right channel reads the same table half a table later: uncorrelated, so the pad is wide.
    """
    out = np.zeros((2, n), dtype=F32)
    xf = samples(0.6, sr)
    up = np.sin(0.5 * np.pi * np.arange(xf) / xf).astype(F32)
    down = np.cos(0.5 * np.pi * np.arange(xf) / xf).astype(F32)
    for i, (beat, name, beats) in enumerate(chords):
        table = _pad_table(tuple(_midi(v) for v in _CHORDS[name][1]), sr)
        size = len(table)
        start = round(beat * spb * sr) - xf // 2
        end = round((beat + beats) * spb * sr) + xf - xf // 2
        if not loop and i == len(chords) - 1:
            end = n + xf  # the last chord holds through the ring-out
        length = end - start
        # Read the periodic table from a random point, continuing round it: tile it enough
        # times that both channels' stretches are plain slices.
        tiled = np.tile(table, 2 + length // size)
        at = int(rng.integers(size))
        w = np.ones(length, dtype=F32)
        w[:xf] = up
        w[-xf:] = down
        place(out[0], start, tiled[at:at + length] * w, wrap=loop)
        at += size // 2
        place(out[1], start, tiled[at:at + length] * w, wrap=loop)
    return out


def render(score: Score, sr: int, rng: np.random.Generator) -> np.ndarray:
    spb = 60.0 / score.bpm
    chords = _parse(score.chords)
    beats = chords[-1][0] + chords[-1][2]
    if score.loop:
        n = max(8, round(beats * spb * sr / 8) * 8)  # a multiple of the reverb's decimation
    else:
        n = samples(beats * spb + score.tail, sr)
    events: list[tuple[float, int, float, float]] = []
    offset = 0.0
    for text, velocity in score.melody:
        notes = _parse(text)
        events += [(offset + b, _midi(name), d, velocity) for b, name, d in notes]
        offset += sum(float(tok.split(":")[1]) for tok in text.split() if tok != "|")
    for beat, name, length in chords:
        bass, voicing = _CHORDS[name]
        events.append((beat, _midi(bass), length, 0.55))
        if length >= 4:  # a soft fifth on beat 3 keeps the bass moving
            events.append((beat + 2.0, _midi(bass) + 7, length - 2.0, 0.3))
        for from_beat, velocity in score.arpeggio:
            order = (0, 1, 2, 3, 2, 1, 2, 3)
            for k in range(int(length * 2)):
                at = beat + 0.5 * k
                if at >= from_beat:
                    note = _midi(voicing[order[k % 8]]) + 12
                    events.append((at, note, 0.6, velocity * (1.1 if k % 2 == 0 else 0.85)))
    dry = np.zeros((2, n), dtype=F32)
    nr = samples(0.3, sr)
    release = ramp(nr)[::-1].astype(F32)
    for beat, midi, length, velocity in events:
        tone = _piano_tone(midi, sr)
        start = round((beat * spb + rng.normal(0.0, 0.004)) * sr)  # a human hand, not a grid
        if not score.loop:
            start = max(start, 0)
        keep = min(len(tone), samples(length * spb + 0.45, sr))
        seg = tone[:keep] * F32(velocity * rng.uniform(0.92, 1.05))
        if nr <= keep < len(tone):  # the damper: a quick but soft release
            seg[keep - nr:] *= release
        pan = pan_gains(float(np.clip((midi - 62) / 36.0, -0.6, 0.6)))  # low left, high right
        for channel, gain in enumerate(pan):
            place(dry[channel], start, seg * F32(gain), wrap=score.loop)
    wet = reverb(F32(0.5) * (dry[0] + dry[1]), sr, rng, 2.4, circular=score.loop, decimate=4,
                  tone=3500.0)
    wet *= F32(0.45)
    dry += wet
    del wet
    pad = _pad_track(chords, spb, sr, n, score.loop, rng)
    # A slow arc of loudness over the pad (periodic for the loop): fullest at 70 % of the piece,
    # in the hopeful half, thinnest at 20 %, in the melancholy one.
    arc = slow(lambda k: 1.0 - score.swell / 2 + score.swell / 2 * sine(k - 0.45), n)
    pad *= arc * F32(score.pad_level)
    dry += pad
    if not score.loop:
        dry *= adsr(n, sr, 0.02, 0.0, 1.0, min(score.tail, 2.5)).astype(F32)
    return dry


# The main theme, A minor: first half melancholy (low, sparse), second half hopeful (higher,
# arpeggios, rising to C major), then back. 16 bars at 70 bpm = 54.9 s, loops seamlessly.
THEME = Score(
    bpm=70.0,
    chords="Am:4 F:4 C:4 G:4 Am:4 F:4 Dm:4 E:4 F:4 G:4 Em:4 Am:4 F:4 G:4 C:4 C:4",
    melody=(
        ("A4:1 C5:1 E5:2 | D5:1 C5:1 A4:2 | G4:1 C5:1 E5:1.5 D5:0.5 | D5:3 r:1 |"
         " A4:1 C5:1 E5:1 A5:1 | G5:1.5 F5:0.5 C5:2 | D5:1 F5:1 E5:1 D5:1 |"
         " C5:1 B4:1 G#4:2", 0.62),
        ("A4:1 C5:1 F5:2 | G5:1 F5:1 D5:2 | B4:1 E5:1 G5:2 | A5:1.5 G5:0.5 E5:2 |"
         " A5:1 G5:1 F5:1 C5:1 | D5:1 B4:1 D5:1 G5:1 | G5:1 E5:1 C5:2 | E5:3 r:1", 0.78),
    ),
    loop=True,
    arpeggio=((32.0, 0.2),),
)

# The happy ending: the opening motif turned to C major over flowing arpeggios.
THEME_HOME = Score(
    bpm=72.0,
    chords="C:4 Am:4 F:2 G:2 C:4",
    melody=(("C5:1 E5:1 G5:2 | A5:1 G5:1 E5:2 | F5:1 A5:1 G5:1.5 D5:0.5 | E5:1 D5:1 C5:2", 0.72),
            ("r:12 C6:4", 0.3)),
    loop=False,
    tail=2.2,
    arpeggio=((0.0, 0.24),),
    pad_level=0.14,
    swell=0.0,
)

# The other endings: a slow minor cadence that settles and fades.
THEME_SAD = Score(
    bpm=60.0,
    chords="Dm:2 E:2 Am:4",
    melody=(("F5:1 E5:1 | D5:1 B4:1 | A4:4", 0.55),),
    loop=False,
    tail=2.0,
    pad_level=0.13,
    swell=0.0,
)


def forget_cached_notes() -> None:
    """Free the cached piano notes and pad chords (tens of megabytes) once the music is made."""
    _piano_tone.cache_clear()
    _pad_table.cache_clear()
