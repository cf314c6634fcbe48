"""Rex's sound: every effect and all music synthesised with numpy at start-up, and a small mixer.

Nothing here is loaded from disk. ``synthesize(name)`` builds one sound as int16 stereo samples,
deterministically (each sound has its own seeded random generator, so the same bytes come out on
every run). ``AudioMixer`` turns them into pygame sounds and plays them: one-shots with volume and
equal-power panning, positional one-shots (``play_at``), keyed loops (one siren per patrol car)
and the music with a crossfade. If the audio device cannot open, the mixer is a silent no-op with
the same API, so the game never depends on sound. ``CAPTIONS`` gives a caption for every sound for
players who cannot hear it.

How the sounds are made, in short:

* Tones use additive synthesis, single-cycle wavetables or a band-limited (PolyBLEP) sawtooth as a
  voice source. Pitch glides integrate frequency into phase, so they never jump.
* Noise is shaped in the frequency domain (an FFT filter with a smooth magnitude response), which
  for loops is circular: a filtered loop stays seamless by construction.
* The dog's voice is a source-filter model: a rough sawtooth and breath noise through formant
  resonances, with the mouth "closing" (a crossfade to a darker filter) as each bark ends.
* Loops hold a whole number of cycles of every periodic part (``_loop_phase``), so their end runs
  into their start without a click. One-shots get short raised-cosine fades at both ends.
* Music is written as note text (``"A4:1 C5:1 E5:2"``), played by a cached additive piano over a
  PADsynth-style pad (random-phase harmonic spectra through one inverse FFT: a wide, chorused pad
  that is periodic for free) and a cheap FFT reverb run at a quarter of the sample rate.
"""

from __future__ import annotations

import contextlib
import math
import time
import zlib
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import pygame

TAU = 2.0 * math.pi
F32 = np.float32

# ---------------------------------------------------------------------------------------------
# Small helpers: time, envelopes, oscillators, filters
# ---------------------------------------------------------------------------------------------


def _samples(seconds: float, sr: int) -> int:
    return max(1, round(seconds * sr))


def _times(n: int, sr: int) -> np.ndarray:
    return np.arange(n) / sr


@lru_cache(maxsize=64)
def _ramp(n: int) -> np.ndarray:
    """0 -> 1 along half a cosine: both ends have zero slope, so gain changes never click.

    Cached (the music asks for the same release ramp hundreds of times); read-only.
    """
    out = np.zeros(0) if n <= 0 else 0.5 - 0.5 * np.cos(np.pi * np.arange(1, n + 1) / (n + 1))
    out.setflags(write=False)
    return out


def _slow(values_at: Callable[[np.ndarray], np.ndarray], n: int, step: int = 64) -> np.ndarray:
    """A slowly changing control curve, computed every ``step`` samples and held in between.

    ``values_at`` gets positions as fractions of ``n``. Loudness curves that move over seconds
    change by far less than 0.1 % within a step: inaudible, and much cheaper than per sample.
    """
    coarse = values_at(np.arange(-(-n // step)) * (step / n))
    return np.repeat(np.asarray(coarse, dtype=F32), step)[:n]


def adsr(n: int, sr: int, attack: float, decay: float, sustain: float,
         release: float) -> np.ndarray:
    """Attack (cosine) to 1, exponential-looking decay to ``sustain``, hold, cosine release to 0.

    Segments are shortened when the sound is shorter than their sum, always ending at silence.
    """
    env = np.full(n, float(sustain))
    na = min(n, _samples(attack, sr))
    nr = min(n - na, _samples(release, sr))
    nd = min(n - na - nr, _samples(decay, sr))
    env[:na] = _ramp(na)
    if nd > 0:
        k = np.arange(nd) / nd
        shape = (np.exp(-5.0 * k) - math.exp(-5.0)) / (1.0 - math.exp(-5.0))
        env[na:na + nd] = sustain + (1.0 - sustain) * shape
    if nr > 0:
        env[n - nr:] *= _ramp(nr)[::-1]
    return env


def _fade_edges(x: np.ndarray, sr: int, fade_in: float = 0.002,
                fade_out: float = 0.008) -> np.ndarray:
    """Force a one-shot (time on the last axis) to start and end at zero: a sound that starts
    or stops mid-wave clicks."""
    n = x.shape[-1]
    a = min(n // 2, _samples(fade_in, sr))
    b = min(n // 2, _samples(fade_out, sr))
    x[..., :a] *= _ramp(a)
    x[..., n - b:] *= _ramp(b)[::-1]
    return x


def _phase(freq, sr: int, n: int | None = None) -> np.ndarray:
    """Running phase in cycles (float64) of a frequency that may change every sample.

    Integrating frequency (rather than computing f(t) * t) is what makes glides smooth.
    """
    f = np.asarray(freq, dtype=float)
    if f.ndim == 0:
        f = np.full(n or 1, float(f))
    return (np.cumsum(f) - f) / sr


def _loop_phase(freq, sr: int) -> np.ndarray:
    """Like ``_phase`` but nudges the frequency so the loop holds a whole number of cycles.

    The phase one sample past the end is then an integer: the wave continues across the seam.
    """
    f = np.asarray(freq, dtype=float)
    cycles = f.sum() / sr
    f = f + (round(cycles) - cycles) * sr / len(f)
    return _phase(f, sr)


def _sines(phase: np.ndarray, partials) -> np.ndarray:
    """Sum of sines at whole multiples of a running phase: ``partials`` is (multiple, amplitude).

    The phase is wrapped in float64 before the float32 sine, which keeps long tones precise.
    """
    out = np.zeros(len(phase), dtype=F32)
    for mult, amp in partials:
        out += F32(amp) * _sin(mult * phase)
    return out


def _wavetable(amps, phases=None, size: int = 4096) -> np.ndarray:
    """One cycle of sum(a_h * cos(h * theta + p_h)), built with one inverse FFT."""
    amps = np.asarray(amps, dtype=float)
    phases = np.zeros(len(amps)) if phases is None else np.asarray(phases, dtype=float)
    spec = np.zeros(size // 2 + 1, dtype=complex)
    spec[1:len(amps) + 1] = amps * np.exp(1j * phases) * (size / 2)
    table = np.fft.irfft(spec, size)
    return np.append(table, table[0])  # one guard sample for interpolation


def _read_table(table: np.ndarray, phase: np.ndarray) -> np.ndarray:
    """Linear-interpolated wavetable lookup at a running phase in cycles."""
    size = len(table) - 1
    pos = (phase % 1.0) * size
    i0 = np.minimum(pos.astype(np.int64), size - 1)
    frac = pos - i0
    return table[i0] + (table[i0 + 1] - table[i0]) * frac


def _saw(phase: np.ndarray, inc: np.ndarray) -> np.ndarray:
    """Band-limited sawtooth (PolyBLEP): a buzzy voice-like source without aliasing whistles.

    ``inc`` is the phase increment per sample (frequency / sample rate).
    """
    t = phase % 1.0
    dt = np.maximum(np.broadcast_to(inc, t.shape), 1e-9)
    y = 2.0 * t - 1.0
    lo = t < dt
    x = t[lo] / dt[lo]
    y[lo] -= x + x - x * x - 1.0
    hi = t > 1.0 - dt
    x = (t[hi] - 1.0) / dt[hi]
    y[hi] -= x * x + x + x + 1.0
    return y


def _wander(rng: np.random.Generator, n: int, sr: int, rate: float,
            periodic: bool = False) -> np.ndarray:
    """A smooth random curve (std about 0.7) with ``rate`` fresh values a second.

    Living things are never steady: this drives jitter in pitch and loudness. ``periodic``
    makes the curve end where it began, for loops.
    """
    intervals = max(1, math.ceil(n / sr * rate))
    pts = rng.standard_normal(intervals + 1)
    if periodic:
        pts[-1] = pts[0]
    pos = np.arange(n) * (intervals / n)
    i = np.minimum(pos.astype(np.int64), intervals - 1)
    w = 0.5 - 0.5 * _sin(0.5 * (pos - i) + 0.25)  # cosine easing between the random points
    return pts[i] + (pts[i + 1] - pts[i]) * w


def _sin(cycles: np.ndarray) -> np.ndarray:
    """sin(2 pi cycles) in float32 (SIMD-fast), wrapping the phase in float64 first so long
    sounds keep their precision."""
    return np.sin((TAU * (cycles % 1.0)).astype(F32))


def _periodic_swell(rng: np.random.Generator, n: int, harmonics: int) -> np.ndarray:
    """A slow wave in -1..1 with whole cycles over ``n`` samples (random mix of low harmonics)."""
    offsets = rng.random(harmonics)

    def wave(k):
        return sum(_sin(h * k + offsets[h - 1]) / F32(h) for h in range(1, harmonics + 1))

    out = _slow(wave, n)
    return out / np.abs(out).max()


# Magnitude responses (Butterworth-like), evaluated on an array of frequencies in Hz.

def _even_power(r: np.ndarray, order: int) -> np.ndarray:
    """r ** (2 * order) by repeated multiplication (a float power is far slower)."""
    r2 = r * r
    out = r2
    for _ in range(order - 1):
        out = out * r2
    return out


def _lowpass(f: np.ndarray, fc: float, order: int = 2) -> np.ndarray:
    return 1.0 / np.sqrt(1.0 + _even_power(f / fc, order))


def _highpass(f: np.ndarray, fc: float, order: int = 2) -> np.ndarray:
    return 1.0 / np.sqrt(1.0 + _even_power(fc / np.maximum(f, 1e-6), order))


def _bandpass(f: np.ndarray, lo: float, hi: float, order: int = 2) -> np.ndarray:
    return _highpass(f, lo, order) * _lowpass(f, hi, order)


def _formants(f: np.ndarray, peaks) -> np.ndarray:
    """Sum of resonances (centre Hz, bandwidth Hz, gain): the vocal tract's colour."""
    out = np.zeros_like(f)
    for centre, width, gain in peaks:
        out += gain / (1.0 + ((f - centre) / (0.5 * width)) ** 2)
    return out


def _fast_len(n: int) -> int:
    """Smallest 2^a 3^b 5^c >= n: FFT sizes that pocketfft handles quickly."""
    best = 1 << max(0, (n - 1).bit_length())
    p3 = 1
    while p3 < best:
        p35 = p3
        while p35 < best:
            p = p35
            while p < n:
                p *= 2
            best = min(best, p)
            p35 *= 5
        p3 *= 3
    return best


def _filter(x: np.ndarray, sr: int, response: Callable[[np.ndarray], np.ndarray],
            circular: bool = False, pad: float = 0.05) -> np.ndarray:
    """Zero-phase FFT filter along the last axis.

    ``circular`` treats ``x`` as one period of a loop (the result stays seamless); otherwise
    silence is appended first so the filter's ringing does not wrap onto the start.
    """
    n = x.shape[-1]
    m = n if circular else _fast_len(n + _samples(pad, sr))
    spec = np.fft.rfft(x, m)
    spec *= response(np.fft.rfftfreq(m, 1.0 / sr))
    return np.fft.irfft(spec, m)[..., :n]


def _white_spectrum(rng: np.random.Generator, n: int, channels: int = 0) -> np.ndarray:
    """The rfft of white noise, drawn directly: random complex Gaussian bins, no DC."""
    shape = (channels, n // 2 + 1) if channels else (n // 2 + 1,)
    spec = np.empty(shape, dtype=np.complex64)
    spec.real = rng.standard_normal(shape, dtype=F32)
    spec.imag = rng.standard_normal(shape, dtype=F32)
    spec[..., 0] = 0.0
    return spec


def _noise(rng: np.random.Generator, n: int, sr: int,
           response: Callable[[np.ndarray], np.ndarray] | None = None,
           channels: int = 0) -> np.ndarray:
    """Filtered noise with unit RMS, made directly in the frequency domain.

    Random complex spectrum -> one inverse FFT. The result is periodic in ``n``, which makes it
    loop seamlessly, and for one-shots it is simply a stretch of noise.
    """
    spec = _white_spectrum(rng, n, channels)
    if response is not None:
        spec *= response(np.fft.rfftfreq(n, 1.0 / sr)).astype(F32)
    out = np.fft.irfft(spec, n)
    rms = np.sqrt(np.mean(np.square(out), axis=-1, keepdims=True))
    return out / np.maximum(rms, F32(1e-12))


def _place(buf: np.ndarray, start: int, seg: np.ndarray, wrap: bool = False) -> None:
    """Add ``seg`` into ``buf`` (last axis) at ``start``; ``wrap`` continues past the end at the
    start (for loops, so tails that cross the seam come back in at the beginning)."""
    n = buf.shape[-1]
    m = seg.shape[-1]
    if wrap:
        start %= n
        first = min(m, n - start)
        buf[..., start:start + first] += seg[..., :first]
        done = first
        while done < m:
            take = min(n, m - done)
            buf[..., :take] += seg[..., done:done + take]
            done += take
        return
    if start < 0:
        seg = seg[..., -start:]
        start = 0
    end = min(n, start + seg.shape[-1])
    if end > start:
        buf[..., start:end] += seg[..., :end - start]


def _reverb(x: np.ndarray, sr: int, rng: np.random.Generator, rt60: float,
            circular: bool = False, decimate: int = 1, tone: float = 5000.0,
            predelay: float = 0.012) -> np.ndarray:
    """Stereo reverb (shape (2, n)) of a mono signal: FFT convolution with two decaying noises.

    Two independent impulse responses give a wide, decorrelated tail. ``decimate`` runs the
    convolution at a fraction of the sample rate: a reverb tail is mostly low and mid
    frequencies, and this keeps the long music loop cheap. ``circular`` wraps the tail of a loop
    onto its start, as it would sound when the loop repeats.
    """
    x = np.asarray(x, dtype=F32)
    n = len(x)
    d = decimate
    if d > 1:
        m = -(-n // d) * d
        xp = np.pad(x, (0, m - n)) if m > n else x
        xd = sum(xp[j::d] for j in range(d)) * F32(1.0 / d)  # box average, then keep 1 in d
    else:
        xd = x
    srd = sr / d
    ir_n = max(8, round(rt60 * srd))
    tt = np.arange(ir_n) / srd
    irs = rng.standard_normal((2, ir_n)) * np.exp(-6.9 * tt / rt60)
    irs[:, : round(predelay * srd)] = 0.0
    irs = (irs / np.sqrt((irs ** 2).sum(axis=1, keepdims=True))).astype(F32)
    size = len(xd) if circular else _fast_len(len(xd) + ir_n)
    freqs = np.fft.rfftfreq(size, 1.0 / srd)
    spec = np.fft.rfft(xd, size) * _lowpass(freqs, tone, 1).astype(F32)
    wet = np.fft.irfft(np.fft.rfft(irs, size) * spec, size)
    if circular and ir_n > size:  # an impulse response longer than the loop folds over
        wet = wet[:, :size]
    wet = wet[:, :len(xd)]
    if d > 1:
        # Back to the full rate by linear interpolation, one phase of the output at a time.
        nxt = np.roll(wet, -1, axis=1) if circular else np.pad(wet[:, 1:], ((0, 0), (0, 1)))
        slope = nxt - wet
        up = np.empty((2, wet.shape[1], d), dtype=F32)
        for j in range(d):
            up[:, :, j] = wet + slope * F32(j / d)
        wet = up.reshape(2, -1)[:, :n]
    return wet


def _room(x: np.ndarray, sr: int, rng: np.random.Generator, rt60: float, mix: float,
          tone: float = 4000.0) -> np.ndarray:
    """Dry sound plus a little room (stereo out): synthetic sounds are unnaturally dry."""
    wet = _reverb(x, sr, rng, rt60, tone=tone)
    return np.stack([x, x]) + mix * wet


def _pan(x: np.ndarray, pan: float) -> np.ndarray:
    left, right = pan_gains(pan)
    return np.stack([x * left, x * right])


# ---------------------------------------------------------------------------------------------
# Alarms, sirens, radio
# ---------------------------------------------------------------------------------------------


def _square_partials(f_max: float, sr: int, count: int = 9) -> list[tuple[int, float]]:
    """Odd-heavy harmonics of an electronic horn, stopping below Nyquist at the top pitch."""
    shape = {1: 1.0, 2: 0.1, 3: 0.38, 4: 0.06, 5: 0.22, 6: 0.04, 7: 0.13, 8: 0.03, 9: 0.08}
    top = int(0.45 * sr / f_max)
    return [(h, a) for h, a in shape.items() if h <= min(count, top)]


def _echoes(x: np.ndarray, sr: int, taps) -> np.ndarray:
    """Circular echoes (delay s, gain): reflections off walls that keep a loop seamless."""
    out = x.copy()
    for delay, gain in taps:
        out += gain * np.roll(x, _samples(delay, sr))
    return out


def _kennel_alarm(sr: int, rng: np.random.Generator) -> np.ndarray:
    n = _samples(2.0, sr)
    t = _times(n, sr)
    # Hi-lo: 0.25 s per tone, switched by a steep but smooth tanh so the pitch never jumps.
    switch = np.tanh(14.0 * _sin(t / 0.5))
    freq = 840.0 + 120.0 * switch
    phase = _loop_phase(freq, sr)
    tone = _read_table(_wavetable([a for _, a in _square_partials(960, sr)] or [1.0]), phase)
    # A faint buzz of the cheap speaker: amplitude ripple at twice the switching rate.
    tone *= 0.9 + 0.1 * _sin(8.0 * t + 0.25)
    return _echoes(tone, sr, [(0.037, 0.28), (0.071, 0.16), (0.113, 0.09)])


def _siren(sr: int, rng: np.random.Generator, seconds: float, sweeps: int,
           lo: float = 650.0, hi: float = 1500.0) -> np.ndarray:
    n = _samples(seconds, sr)
    u = np.arange(n) / n * sweeps
    # Skewed raised cosine: a slightly slower rise than fall, as a motor-driven wail has.
    u = u - 0.1 * _sin(u)
    sweep = 0.5 - 0.5 * _sin(u + 0.25)
    freq = lo + (hi - lo) * sweep
    phase = _loop_phase(freq, sr)
    table = _wavetable([a for _, a in _square_partials(hi, sr)])
    tone = _read_table(table, phase) * (0.85 + 0.15 * sweep)  # horns are louder up high
    return _echoes(tone, sr, [(0.083, 0.3), (0.157, 0.18), (0.241, 0.1)])


def _radio_squelch(sr: int, rng: np.random.Generator) -> np.ndarray:
    n = _samples(0.36, sr)
    t = _times(n, sr)
    # The static: voice-band noise that crackles (fast random loudness plus sparse pops).
    static = _noise(rng, n, sr, lambda f: _bandpass(f, 400, 3200, 3))
    crackle = np.clip(0.65 + 0.5 * _wander(rng, n, sr, 90.0), 0.1, 1.4)
    pops = np.zeros(n)
    idx = rng.integers(0, n, 14)
    pops[idx] = rng.uniform(-1, 1, 14) * 4.0
    pops = _filter(pops, sr, lambda f: _bandpass(f, 600, 4000, 2))
    body = (static * crackle + pops) * adsr(n, sr, 0.006, 0.05, 0.7, 0.02)
    body[: _samples(0.004, sr)] = 0.0
    # Key-up click: a 2 ms burst of bright noise with a tiny low "pop" under it.
    m = _samples(0.012, sr)
    tc = _times(m, sr)
    click = _noise(rng, m, sr, lambda f: _highpass(f, 1500, 2)) * np.exp(-tc / 0.0018)
    click += 1.5 * np.sin(TAU * 180.0 * tc) * np.exp(-tc / 0.004)
    out = 0.5 * body
    _place(out, _samples(0.002, sr), 0.9 * click * _ramp(m)[::-1] ** 0.2)
    # The squelch tail: a brighter "kssh" as the carrier drops.
    tail = _noise(rng, n, sr, lambda f: _bandpass(f, 1200, 5000, 2))
    tail *= np.exp(-((t - 0.31) / 0.025) ** 2)
    return out + 0.35 * tail


def _radio_chirp(sr: int, rng: np.random.Generator) -> np.ndarray:
    n = _samples(0.3, sr)
    out = np.zeros(n)
    for start, freq, dur in ((0.01, 1180.0, 0.075), (0.115, 1560.0, 0.09)):
        m = _samples(dur, sr)
        phase = _phase(freq, sr, m)
        beep = _sines(phase, [(1, 1.0), (3, 0.12), (5, 0.04)]) * adsr(m, sr, 0.004, 0.0, 1, 0.006)
        _place(out, _samples(start, sr), beep)
    hiss = _noise(rng, n, sr, lambda f: _bandpass(f, 500, 3500, 2))
    return out + 0.03 * hiss * adsr(n, sr, 0.005, 0.0, 1.0, 0.02)


# ---------------------------------------------------------------------------------------------
# Rex: barks, growl, whine, paws
# ---------------------------------------------------------------------------------------------

# German Shepherd vocal tract, roughly: a long muzzle and an open bark put wide formants
# around 0.7, 1.4 and 2.5 kHz; that band is where a bark carries its bite.
_DOG_FORMANTS = ((700.0, 280.0, 1.0), (1400.0, 380.0, 0.95), (2500.0, 480.0, 0.6),
                 (3600.0, 650.0, 0.3))


def _voice_source(rng: np.random.Generator, f0: np.ndarray, sr: int, rough: float,
                  breath: float) -> np.ndarray:
    """Glottal-ish source: band-limited saw, period doubling for roughness, breath noise."""
    phase = _phase(f0, sr)
    src = _saw(phase, f0 / sr)
    # Alternate pulses differ in strength: a subharmonic, heard as a gruff, rough voice.
    src *= 1.0 + rough * np.cos(np.pi * phase)
    return src + breath * rng.standard_normal(len(f0))


def _bark(sr: int, rng: np.random.Generator, pitch: float, end_pitch: float, length: float,
          formant_scale: float = 1.0, rough: float = 0.35) -> np.ndarray:
    n = _samples(length + 0.2, sr)
    t = _times(n, sr)
    # Pitch jumps up in the first ~15 ms, then glides down: the explosive "rr-uff" contour.
    glide = end_pitch + (pitch - end_pitch) * np.exp(-t / (0.45 * length))
    f0 = glide * (1.0 - 0.12 * np.exp(-t / 0.012)) * (1.0 + 0.02 * _wander(rng, n, sr, 60.0))
    src = _voice_source(rng, f0, sr, rough, 0.45)
    peaks = [(fr * formant_scale, bw * formant_scale, g) for fr, bw, g in _DOG_FORMANTS]

    def open_mouth(f):  # chest resonance keeps the low fundamental, formants shape the rest
        body = 0.15 * _lowpass(f, 600.0, 1) + _formants(f, peaks)
        return body * _highpass(f, 110.0, 2) * _lowpass(f, 5500.0, 2)

    bright = _filter(src, sr, open_mouth)
    dark = _filter(src, sr, lambda f: open_mouth(f) * _lowpass(f, 1000.0, 2))
    # The jaw closes as the bark ends: crossfade from the open to the darker filter.
    close = np.clip(t / length, 0.0, 1.0) ** 1.5
    voice = bright * (1.0 - close) + 1.6 * dark * close
    env = np.exp(-np.maximum(t - 0.04, 0.0) / (0.3 * length))
    env[: _samples(0.005, sr)] *= _ramp(_samples(0.005, sr))
    cut = _samples(length, sr)
    nr = _samples(0.03, sr)
    env[cut - nr:cut] *= _ramp(nr)[::-1]
    env[cut:] = 0.0
    return _room(voice * env, sr, rng, 0.3, 0.12)


def _growl(sr: int, rng: np.random.Generator) -> np.ndarray:
    n = _samples(1.25, sr)
    t = _times(n, sr)
    f0 = 95.0 * (1.0 + 0.06 * _wander(rng, n, sr, 3.0)) * (1.0 + 0.015 * _wander(rng, n, sr, 40))
    src = _voice_source(rng, f0, sr, 0.5, 0.9)
    # The rattle: the growl is chopped ~24 times a second, irregularly.
    flutter = _phase(24.0 + 3.0 * _wander(rng, n, sr, 4.0), sr)
    rattle = 0.45 + 0.55 * (0.5 + 0.5 * np.sin(TAU * flutter)) ** 1.5
    peaks = ((380.0, 220.0, 1.0), (950.0, 320.0, 0.55), (2200.0, 500.0, 0.2))

    def closed_mouth(f):
        return (0.6 * _lowpass(f, 350.0, 1) + _formants(f, peaks)) * _lowpass(f, 2600.0, 2) \
            * _highpass(f, 50.0, 2)

    voice = _filter(src, sr, closed_mouth) * rattle
    env = adsr(n, sr, 0.16, 0.1, 1.0, 0.28) * (0.82 + 0.18 * np.sin(TAU * 0.9 * t))
    return _room(voice * env, sr, rng, 0.35, 0.1)


def _whine(sr: int, rng: np.random.Generator) -> np.ndarray:
    n = _samples(1.05, sr)
    t = _times(n, sr)
    # Rises to ~980 Hz and sinks back, with a quick vibrato and a wobble of uncertainty.
    arc = np.sin(np.pi * np.clip(t / 0.85, 0.0, 1.0)) ** 0.8
    f0 = (740.0 + 240.0 * arc - 60.0 * np.clip((t - 0.7) / 0.35, 0.0, 1.0))
    f0 *= 1.0 + 0.018 * np.sin(TAU * 5.5 * t) + 0.008 * _wander(rng, n, sr, 12.0)
    tone = _sines(_phase(f0, sr), [(1, 1.0), (2, 0.22), (3, 0.06)])
    breath = _noise(rng, n, sr, lambda f: _bandpass(f, 1200.0, 5000.0, 2))
    nasal = _noise(rng, n, sr, lambda f: _formants(f, [(900.0, 300.0, 1.0)]))
    x = tone + 0.11 * breath + 0.05 * nasal  # breathy: a soft whine is half air
    env = adsr(n, sr, 0.07, 0.25, 0.8, 0.22) * (1 - 0.3 * np.exp(-(((t - 0.56) / 0.045) ** 2)))
    return _room(x * env, sr, rng, 0.3, 0.1)


def _footstep(sr: int, rng: np.random.Generator) -> np.ndarray:
    n = _samples(0.1, sr)
    t = _times(n, sr)
    # Heel: a low thump whose pitch drops as the sole flattens.
    heel = rng.uniform(70.0, 110.0)
    thump = _sines(_phase(heel * (0.6 + 0.4 * np.exp(-t / 0.02)), sr), [(1, 1.0), (2, 0.2)])
    thump = thump * np.exp(-t / 0.018)
    # Scuff of the sole on pavement, then a lighter toe hit a moment later.
    scuff = _noise(rng, n, sr, lambda f: _bandpass(f, rng.uniform(300, 600),
                                                    rng.uniform(1600, 2800), 2))
    scuff *= np.exp(-t / rng.uniform(0.01, 0.02))
    toe_at = _samples(rng.uniform(0.018, 0.035), sr)
    toe = _noise(rng, n, sr, lambda f: _bandpass(f, 500.0, 3000.0, 2))
    toe = toe * np.exp(-t / 0.008) * rng.uniform(0.3, 0.6)
    # Grit: a few tiny ticks of sand under the shoe.
    grit = np.zeros(n)
    grit[rng.integers(0, _samples(0.05, sr), 6)] = rng.uniform(-1.0, 1.0, 6)
    grit = _filter(grit, sr, lambda f: _highpass(f, 3000.0, 2))
    out = 0.9 * thump + 0.5 * scuff + 0.25 * grit
    _place(out, toe_at, toe[: n - toe_at])
    out[: _samples(0.0015, sr)] *= _ramp(_samples(0.0015, sr))
    return out


def _paws(sr: int, rng: np.random.Generator) -> np.ndarray:
    n = _samples(0.2, sr)
    out = np.zeros(n)
    m = _samples(0.03, sr)
    tt = _times(m, sr)
    at = 0.004
    for _ in range(rng.integers(3, 5)):
        level = rng.uniform(0.5, 1.0)
        claw = _noise(rng, m, sr, lambda f: _highpass(f, 2500.0, 2)) * np.exp(-tt / 0.0015)
        pad = np.sin(TAU * rng.uniform(160.0, 230.0) * tt) * np.exp(-tt / 0.008)
        scuff = _noise(rng, m, sr, lambda f: _bandpass(f, 800.0, 3000.0, 2)) * np.exp(-tt / 0.006)
        tap = (0.5 * claw + 0.8 * pad + 0.3 * scuff) * level
        tap[: _samples(0.001, sr)] *= _ramp(_samples(0.001, sr))
        _place(out, _samples(at, sr), tap)
        at += rng.uniform(0.03, 0.05)
    return out


# ---------------------------------------------------------------------------------------------
# The city: wind, whistle, tranquilizer, crowd, phone, loudspeaker, engine
# ---------------------------------------------------------------------------------------------


def _wind(sr: int, rng: np.random.Generator) -> np.ndarray:
    n = _samples(6.0, sr)
    # Three bands: a low body, a mid "gust" band and a faint hollow howl. Left and right share
    # most of their noise (one wind) but not all (width).
    bands = (lambda f: _lowpass(f, 420.0, 2) * _highpass(f, 35.0, 1),
             lambda f: _bandpass(f, 450.0, 1400.0, 2),
             lambda f: _formants(f, [(610.0, 45.0, 1.0), (870.0, 60.0, 0.6)]))
    swells = [0.55 + 0.45 * _periodic_swell(rng, n, 3),
              np.clip(_periodic_swell(rng, n, 4), 0.0, 1.0) ** 2,
              0.5 + 0.5 * _periodic_swell(rng, n, 2)]
    # White noise made as spectra: a shared one and one per ear, mixed before the inverse FFT.
    spectra = _white_spectrum(rng, n, 3)
    stereo = F32(0.8) * spectra[0] + F32(0.6) * spectra[1:]
    freqs = np.fft.rfftfreq(n, 1.0 / sr)
    out = np.zeros((2, n), dtype=F32)
    for band, swell, level in zip(bands, swells, (1.0, 0.45, 0.12), strict=True):
        part = np.fft.irfft(stereo * band(freqs).astype(F32), n)
        part /= np.sqrt(np.mean(np.square(part)))
        out += F32(level) * swell * part
    return out


def _whistle(sr: int, rng: np.random.Generator) -> np.ndarray:
    n = _samples(0.8, sr)
    out = np.zeros(n)
    # Two notes, a short low one then a longer high one that sags at the end: "come here".
    for start, f_lo, f_hi, dur in ((0.01, 1800.0, 1950.0, 0.17), (0.25, 2480.0, 2600.0, 0.38)):
        m = _samples(dur, sr)
        tt = _times(m, sr)
        f = f_lo + (f_hi - f_lo) * (1.0 - np.exp(-tt / 0.02))
        f = f - 150.0 * np.clip((tt - dur + 0.08) / 0.08, 0.0, 1.0) ** 2
        f *= 1.0 + 0.004 * np.sin(TAU * 11.0 * tt) + 0.002 * _wander(rng, m, sr, 30.0)
        tone = _sines(_phase(f, sr), [(1, 1.0), (2, 0.05)])
        air = _noise(rng, m, sr, lambda f, c=f_hi: _formants(f, [(c, 700.0, 1.0)]))
        note = (tone + 0.12 * air) * adsr(m, sr, 0.015, 0.05, 0.85, 0.035)
        _place(out, _samples(start, sr), note)
    return _room(out, sr, rng, 0.5, 0.12)


def _tranq_shot(sr: int, rng: np.random.Generator) -> np.ndarray:
    n = _samples(0.45, sr)
    t = _times(n, sr)
    # A muffled pneumatic "thup": low thump + short low air burst + small mechanical clacks.
    thump = np.sin(TAU * _phase(55.0 + 90.0 * np.exp(-t / 0.015), sr)) * np.exp(-t / 0.05)
    air = _noise(rng, n, sr, lambda f: _lowpass(f, 1200.0, 2)) * np.exp(-t / 0.03)
    click = _noise(rng, n, sr, lambda f: _highpass(f, 3000.0, 2)) * np.exp(-t / 0.003)
    hiss = _noise(rng, n, sr, lambda f: _bandpass(f, 2000.0, 6000.0, 2)) * np.exp(-t / 0.12)
    bolt = np.zeros(n)
    _place(bolt, _samples(0.09, sr), click[: n - _samples(0.09, sr)])
    x = thump + 0.7 * air + 0.2 * click + 0.1 * bolt + 0.05 * hiss
    x = _filter(x, sr, lambda f: _lowpass(f, 2800.0, 1))
    x[: _samples(0.0015, sr)] *= _ramp(_samples(0.0015, sr))
    return _room(x, sr, rng, 0.25, 0.1)


_VOWELS = ((800.0, 1150.0, 2900.0), (700.0, 1220.0, 2600.0), (450.0, 800.0, 2830.0),
           (400.0, 1700.0, 2600.0), (600.0, 1000.0, 2400.0))


def _crowd_panic(sr: int, rng: np.random.Generator) -> np.ndarray:
    n = _samples(2.2, sr)
    out = np.zeros((2, n))
    # Voices: screams (high, gliding), shouts and low exclamations, each a sawtooth through vowel
    # formants, scattered in time and across the stereo field.
    for _ in range(18):
        kind = rng.choice(3, p=(0.3, 0.4, 0.3))
        f0, length, onset, level = (
            (rng.uniform(480, 850), rng.uniform(0.5, 1.1), rng.uniform(0.0, 0.5), 0.9),
            (rng.uniform(170, 320), rng.uniform(0.3, 0.7), rng.uniform(0.0, 0.9), 0.6),
            (rng.uniform(100, 190), rng.uniform(0.4, 1.0), rng.uniform(0.1, 1.0), 0.4),
        )[kind]
        m = _samples(length, sr)
        tt = _times(m, sr)
        arc = _sin(0.5 * tt / length)
        contour = 1.0 + (0.15 if kind == 0 else 0.08) * arc - (0.25 if kind == 0 else 0.1) * (
            tt / length) ** 2
        f = f0 * contour * (1.0 + 0.02 * _wander(rng, m, sr, 8.0))
        src = _saw(_phase(f, sr), f / sr) + (0.35 if kind == 0 else 0.2) * rng.standard_normal(m)
        scale = 1.15 if kind == 0 else 1.0
        vowel = _VOWELS[rng.integers(len(_VOWELS))]
        peaks = [(fr * scale, 90.0 + 0.06 * fr, g) for fr, g in zip(vowel, (1.0, 0.6, 0.25),
                                                                   strict=True)]
        voice = _filter(src, sr, lambda fq, p=peaks: _formants(fq, p) * _highpass(fq, 120.0))
        voice *= adsr(m, sr, rng.uniform(0.03, 0.08), 0.1, 0.8, 0.2) * level * rng.uniform(0.6, 1)
        _place(out, _samples(onset, sr), _pan(voice, rng.uniform(-0.8, 0.8)))
    # The murmur bed: speech-band noise with a syllable-rate flutter.
    bed = _noise(rng, n, sr, lambda f: _bandpass(f, 250.0, 2500.0, 2) * (
        0.4 + _formants(f, [(500.0, 300.0, 1.0), (1500.0, 500.0, 0.6)])), channels=2)
    bed *= np.clip(0.5 + 0.6 * _wander(rng, n, sr, 6.0), 0.0, None)
    out = out / np.abs(out).max() + 0.25 * bed * adsr(n, sr, 0.2, 0.3, 0.8, 0.9)
    # Distance: highs absorbed, a lot of reflected sound from the street.
    out = _filter(out, sr, lambda f: _lowpass(f, 3000.0, 2))
    wet = _reverb(out.mean(axis=0), sr, rng, 0.9, tone=2500.0)
    out = out + 0.45 * wet
    out *= adsr(n, sr, 0.05, 0.0, 1.0, 0.5)
    return out


def _phone_camera(sr: int, rng: np.random.Generator) -> np.ndarray:
    n = _samples(0.18, sr)
    out = np.zeros(n)
    m = _samples(0.05, sr)
    tt = _times(m, sr)
    # "Ka-chick": two clicks, each a bright noise tick with a small metallic ping.
    for start, ping, decay in ((0.004, 3200.0, 0.006), (0.075, 2600.0, 0.009)):
        tick = _noise(rng, m, sr, lambda f: _bandpass(f, 2000.0, 8000.0, 2)) * np.exp(-tt / 0.0025)
        ring = np.sin(TAU * ping * tt) * np.exp(-tt / decay)
        click = tick + 0.5 * ring
        click[: _samples(0.0005, sr)] *= _ramp(_samples(0.0005, sr))
        _place(out, _samples(start, sr), click)
    return _filter(out, sr, lambda f: _bandpass(f, 600.0, 9000.0, 1))  # a phone's tiny speaker


def _loudspeaker_chime(sr: int, rng: np.random.Generator) -> np.ndarray:
    n = _samples(3.2, sr)
    x = np.zeros(n)
    # Three rising bell notes (A major arpeggio), before the announcement.
    partials = ((1.0, 1.0, 1.6), (2.0, 0.35, 0.7), (3.0, 0.12, 0.4), (4.16, 0.06, 0.25))
    for onset, midi in ((0.0, 69), (0.45, 73), (0.9, 76)):
        f = _freq(midi)
        m = n - _samples(onset, sr)
        tt = _times(m, sr)
        t32 = tt.astype(F32)  # float32 phase is precise enough over three seconds
        note = sum(F32(a) * np.exp(-t32 / F32(tau)) * np.sin(t32 * F32(TAU * f * r))
                   for r, a, tau in partials)
        note[: _samples(0.005, sr)] *= _ramp(_samples(0.005, sr))
        _place(x, _samples(onset, sr), note)
    # Horn loudspeaker: narrow band and a little saturation; then the street answers back.
    x = _filter(x, sr, lambda f: _bandpass(f, 350.0, 4500.0, 2))
    x = np.tanh(1.6 * x / np.abs(x).max()) / math.tanh(1.6)
    x = _echoes(x, sr, [(0.12, 0.3), (0.26, 0.15)])
    out = np.stack([x, x]) + 0.3 * _reverb(x, sr, rng, 1.4, tone=3000.0)
    out *= adsr(n, sr, 0.002, 0.0, 1.0, 0.6)
    return out


def _car_engine(sr: int, rng: np.random.Generator) -> np.ndarray:
    n = _samples(2.0, sr)
    t = _times(n, sr)
    # A four-cylinder four-stroke at ~820 rpm: one engine cycle (two turns) every 1/6.8 s, four
    # firings per cycle. The idle hunts a little, in whole cycles of the loop.
    cyc = 6.8 * (1.0 + 0.012 * np.sin(TAU * t / 2.0) + 0.006 * np.sin(TAU * 3.0 * t / 2.0 + 1.0))
    phase = _loop_phase(cyc, sr)
    k = np.arange(1, 150)
    fk = 6.8 * k
    spectral = _lowpass(fk, 180.0, 2) * _highpass(fk, 35.0, 2) + 0.25 * _formants(
        fk, [(240.0, 80.0, 1.0)])  # exhaust resonance
    # Firing orders (every 4th harmonic of the cycle) dominate; uneven cylinders add the rest.
    weight = np.where(k % 4 == 0, 1.0, 0.18 * rng.uniform(0.5, 1.5, len(k)))
    table = _wavetable(spectral * weight, rng.uniform(0, TAU, len(k)), 8192)
    tone = _read_table(table, phase)
    firing = (0.5 + 0.5 * np.cos(TAU * 4.0 * phase)) ** 3
    rumble = _noise(rng, n, sr, lambda f: _lowpass(f, 250.0, 2)) * (0.5 + 0.5 * firing)
    ticks = _noise(rng, n, sr, lambda f: _bandpass(f, 2000.0, 5000.0, 2))
    ticks *= (0.5 + 0.5 * np.cos(TAU * 8.0 * phase)) ** 12
    return tone / np.abs(tone).max() + 0.25 * rumble + 0.03 * ticks


# ---------------------------------------------------------------------------------------------
# Music
# ---------------------------------------------------------------------------------------------

_NOTE_INDEX = {"C": 0, "D": 2, "E": 4, "F": 5, "G": 7, "A": 9, "B": 11}


def _midi(note: str) -> int:
    """'A4' -> 69, 'G#4' -> 68, 'Bb3' -> 58."""
    rest = note[1:]
    shift = 0
    while rest and rest[0] in "#b":
        shift += 1 if rest[0] == "#" else -1
        rest = rest[1:]
    return 12 * (int(rest) + 1) + _NOTE_INDEX[note[0].upper()] + shift


def _freq(midi: float) -> float:
    return 440.0 * 2.0 ** ((midi - 69) / 12.0)


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
class _Score:
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
    f = _freq(midi)
    ring = 3.4 if midi < 60 else 2.9
    n = _samples(ring, sr)
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
    na = _samples(0.004, sr)
    out[:na] *= _ramp(na).astype(F32)
    m = _samples(0.02, sr)
    felt = _noise(rng, m, sr, lambda fq: _lowpass(fq, 1500.0, 2)) * np.exp(-_times(m, sr) / 0.006)
    out[:m] += (0.03 * felt).astype(F32)
    nr = _samples(0.3, sr)
    out[n - nr:] *= _ramp(nr)[::-1].astype(F32)
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
        f0 = _freq(midi)
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
    xf = _samples(0.6, sr)
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
        _place(out[0], start, tiled[at:at + length] * w, wrap=loop)
        at += size // 2
        _place(out[1], start, tiled[at:at + length] * w, wrap=loop)
    return out


def _render(score: _Score, sr: int, rng: np.random.Generator) -> np.ndarray:
    spb = 60.0 / score.bpm
    chords = _parse(score.chords)
    beats = chords[-1][0] + chords[-1][2]
    if score.loop:
        n = max(8, round(beats * spb * sr / 8) * 8)  # a multiple of the reverb's decimation
    else:
        n = _samples(beats * spb + score.tail, sr)
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
    nr = _samples(0.3, sr)
    release = _ramp(nr)[::-1].astype(F32)
    for beat, midi, length, velocity in events:
        tone = _piano_tone(midi, sr)
        start = round((beat * spb + rng.normal(0.0, 0.004)) * sr)  # a human hand, not a grid
        if not score.loop:
            start = max(start, 0)
        keep = min(len(tone), _samples(length * spb + 0.45, sr))
        seg = tone[:keep] * F32(velocity * rng.uniform(0.92, 1.05))
        if nr <= keep < len(tone):  # the damper: a quick but soft release
            seg[keep - nr:] *= release
        pan = pan_gains(float(np.clip((midi - 62) / 36.0, -0.6, 0.6)))  # low left, high right
        for channel, gain in enumerate(pan):
            _place(dry[channel], start, seg * F32(gain), wrap=score.loop)
    wet = _reverb(F32(0.5) * (dry[0] + dry[1]), sr, rng, 2.4, circular=score.loop, decimate=4,
                  tone=3500.0)
    wet *= F32(0.45)
    dry += wet
    del wet
    pad = _pad_track(chords, spb, sr, n, score.loop, rng)
    # A slow arc of loudness over the pad (periodic for the loop): fullest at 70 % of the piece,
    # in the hopeful half, thinnest at 20 %, in the melancholy one.
    arc = _slow(lambda k: 1.0 - score.swell / 2 + score.swell / 2 * _sin(k - 0.45), n)
    pad *= arc * F32(score.pad_level)
    dry += pad
    if not score.loop:
        dry *= adsr(n, sr, 0.02, 0.0, 1.0, min(score.tail, 2.5)).astype(F32)
    return dry


# The main theme, A minor: first half melancholy (low, sparse), second half hopeful (higher,
# arpeggios, rising to C major), then back. 16 bars at 70 bpm = 54.9 s, loops seamlessly.
_THEME = _Score(
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
_THEME_HOME = _Score(
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
_THEME_SAD = _Score(
    bpm=60.0,
    chords="Dm:2 E:2 Am:4",
    melody=(("F5:1 E5:1 | D5:1 B4:1 | A4:4", 0.55),),
    loop=False,
    tail=2.0,
    pad_level=0.13,
    swell=0.0,
)


# ---------------------------------------------------------------------------------------------
# The catalogue
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Spec:
    build: Callable[[int, np.random.Generator], np.ndarray]
    level: float  # peak, as a fraction of full scale: sets the loudness between sounds
    loop: bool = False


_SPECS: dict[str, _Spec] = {
    "kennel_alarm": _Spec(_kennel_alarm, 0.55, loop=True),
    "siren": _Spec(lambda sr, rng: _siren(sr, rng, 4.0, 1), 0.6, loop=True),
    "siren_yelp": _Spec(lambda sr, rng: _siren(sr, rng, 1.0, 4), 0.6, loop=True),
    "radio_squelch": _Spec(_radio_squelch, 0.45),
    "radio_chirp": _Spec(_radio_chirp, 0.4),
    "bark_0": _Spec(lambda sr, rng: _bark(sr, rng, 300.0, 210.0, 0.24), 0.85),
    "bark_1": _Spec(lambda sr, rng: _bark(sr, rng, 265.0, 185.0, 0.28, 0.93, 0.45), 0.85),
    "bark_2": _Spec(lambda sr, rng: _bark(sr, rng, 345.0, 240.0, 0.2, 1.06, 0.3), 0.85),
    "growl": _Spec(_growl, 0.75),
    "whine": _Spec(_whine, 0.5),
    "footstep_0": _Spec(_footstep, 0.4),
    "footstep_1": _Spec(_footstep, 0.4),
    "footstep_2": _Spec(_footstep, 0.4),
    "footstep_3": _Spec(_footstep, 0.4),
    "paw_0": _Spec(_paws, 0.32),
    "paw_1": _Spec(_paws, 0.32),
    "wind": _Spec(_wind, 0.45, loop=True),
    "whistle": _Spec(_whistle, 0.5),
    "tranq_shot": _Spec(_tranq_shot, 0.7),
    "crowd_panic": _Spec(_crowd_panic, 0.55),
    "phone_camera": _Spec(_phone_camera, 0.4),
    "loudspeaker_chime": _Spec(_loudspeaker_chime, 0.55),
    "car_engine": _Spec(_car_engine, 0.5, loop=True),
    "theme": _Spec(lambda sr, rng: _render(_THEME, sr, rng), 0.8, loop=True),
    "theme_home": _Spec(lambda sr, rng: _render(_THEME_HOME, sr, rng), 0.8),
    "theme_sad": _Spec(lambda sr, rng: _render(_THEME_SAD, sr, rng), 0.8),
}

SOUND_NAMES: tuple[str, ...] = tuple(_SPECS)
LOOPING: frozenset[str] = frozenset(name for name, spec in _SPECS.items() if spec.loop)
MUSIC: frozenset[str] = frozenset({"theme", "theme_home", "theme_sad"})

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
    spec = _SPECS[name]
    rng = np.random.default_rng(_seed(name))
    # Builders return mono (n,) or channel-first stereo (2, n), float32 or float64, any scale.
    rows = np.array(spec.build(sample_rate, rng), ndmin=2, copy=None)
    if rows.dtype != F32:
        rows = rows.astype(np.float64)
    if spec.loop:
        rows -= rows.mean(axis=1, keepdims=True)  # an offset is inaudible but wastes headroom
    else:
        _fade_edges(rows, sample_rate)
    peak = max(float(rows.max()), -float(rows.min()), 1e-12)
    if not math.isfinite(peak):
        raise ValueError(f"sound {name!r} came out with NaN or infinite samples")
    scale = spec.level * 32767.0 / peak  # every sound peaks at its level: never clips
    out = np.empty((rows.shape[1], 2), dtype=np.int16)
    for channel in range(2):
        out[:, channel] = np.rint(rows[min(channel, len(rows) - 1)] * scale)
    return out


# ---------------------------------------------------------------------------------------------
# Mixing math (pure, testable without audio)
# ---------------------------------------------------------------------------------------------

PAN_LIMIT = 0.85  # sounds in the world are never fully in one ear: that sounds like headphones
NEAR_FRACTION = 0.08  # within this fraction of the hearing radius a sound is at full volume


def _clamp(x: float, lo: float = 0.0, hi: float = 1.0) -> float:
    return lo if x < lo else hi if x > hi else x


def pan_gains(pan: float) -> tuple[float, float]:
    """Equal-power pan law: -1 is left, +1 right; left^2 + right^2 == 1, so loudness is even."""
    theta = (_clamp(float(pan), -1.0, 1.0) + 1.0) * math.pi / 4.0
    return math.cos(theta), math.sin(theta)


def distance_gain(distance: float, radius: float, near: float | None = None) -> float:
    """1 within ``near`` of the listener, 0 at or beyond ``radius``, monotone in between.

    A squared falloff: quick enough to place sounds, with zero slope at the radius so a sound
    fades out smoothly instead of cutting off as it crosses the edge.
    """
    if radius <= 0:
        return 0.0
    near = NEAR_FRACTION * radius if near is None else min(near, radius)
    if distance <= near:
        return 1.0
    if distance >= radius:
        return 0.0
    u = (distance - near) / (radius - near)
    return (1.0 - u) ** 2


def offset_pan(dx: float, distance: float, radius: float) -> float:
    """Pan from the horizontal offset: the sine of the source's bearing, narrowed when close
    (a sound at your feet is not in one ear)."""
    if distance <= 0.0 or radius <= 0.0:
        return 0.0
    closeness = _clamp(distance / (NEAR_FRACTION * radius * 2.0))
    return PAN_LIMIT * _clamp(dx / distance, -1.0, 1.0) * closeness


def spatialize(source_xy, listener_xy, hearing_radius: float) -> tuple[float, float]:
    """(gain, pan) of a sound at ``source_xy`` heard from ``listener_xy``."""
    dx = float(source_xy[0]) - float(listener_xy[0])
    dy = float(source_xy[1]) - float(listener_xy[1])
    distance = math.hypot(dx, dy)
    return distance_gain(distance, hearing_radius), offset_pan(dx, distance, hearing_radius)


# ---------------------------------------------------------------------------------------------
# The mixer
# ---------------------------------------------------------------------------------------------


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
                 sample_rate: int = 44100, names=None) -> None:
        self.master = _clamp(master)
        self.effects = _clamp(effects)
        self.music_volume = _clamp(music)
        self.sample_rate = sample_rate
        self.available = False
        self.error: str | None = None
        self.synth_seconds = 0.0
        self._sounds: dict[str, pygame.mixer.Sound] = {}
        self._loops: dict[Hashable, _Loop] = {}
        self._music_channels: list[pygame.mixer.Channel] = []
        self._music_index = 0
        self._music_name: str | None = None
        self._owns_mixer = False
        try:
            self._start(names if names is not None else SOUND_NAMES)
        except Exception as exc:  # no device, no driver, odd format: the game goes on silently
            self.error = f"{type(exc).__name__}: {exc}"
            self._sounds.clear()
            self._music_channels = []
            self.available = False
            if self._owns_mixer:
                self._quit_quietly()

    def _start(self, names) -> None:
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
            data = synthesize(name, freq)
            self._sounds[name] = pygame.sndarray.make_sound(_to_mixer_format(data, fmt, chans))
        self.synth_seconds = time.perf_counter() - start
        _piano_tone.cache_clear()  # the notes and chords live on inside the music now
        _pad_table.cache_clear()
        self.available = True

    @staticmethod
    def _quit_quietly() -> None:
        with contextlib.suppress(Exception):
            pygame.mixer.quit()

    # -- one-shots ------------------------------------------------------------------------

    def play(self, name: str, volume: float = 1.0, pan: float = 0.0) -> None:
        """Play a sound once; dropped silently if no channel is free."""
        _check(name)
        sound = self._sounds.get(name)
        gain = self.master * self.effects * _clamp(volume)
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

    def play_at(self, name: str, source_xy, listener_xy, hearing_radius: float,
                volume: float = 1.0) -> None:
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
        state = _Loop(name, _clamp(volume), _clamp(pan, -1.0, 1.0))
        self._loops[key] = state
        self._start_loop(state)

    def update_loop(self, key: Hashable, volume: float, pan: float = 0.0) -> None:
        state = self._loops.get(key)
        if state is None:
            return
        state.volume = _clamp(volume)
        state.pan = _clamp(pan, -1.0, 1.0)
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
            self.master = _clamp(master)
        if effects is not None:
            self.effects = _clamp(effects)
        if music is not None:
            self.music_volume = _clamp(music)
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
    if name not in _SPECS:  # a typo in a sound name is a bug: say so, even when silent
        raise KeyError(f"unknown sound {name!r}")


def _set_gains(channel: pygame.mixer.Channel, gain: float, pan: float) -> None:
    left, right = pan_gains(pan)
    channel.set_volume(_clamp(gain * left), _clamp(gain * right))


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
