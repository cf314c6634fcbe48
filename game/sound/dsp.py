"""The building blocks of every sound: time, envelopes, oscillators, filters, noise, reverb.

Numpy only; every function is pure apart from the random generator it is handed. In short:

* Tones use additive synthesis, single-cycle wavetables or a band-limited (PolyBLEP) sawtooth as a
  voice source. Pitch glides integrate frequency into phase, so they never jump.
* Noise is shaped in the frequency domain (an FFT filter with a smooth magnitude response), which
  for loops is circular: a filtered loop stays seamless by construction.
* Loops hold a whole number of cycles of every periodic part (``loop_phase``), so their end runs
  into their start without a click. One-shots get short raised-cosine fades at both ends
  (``fade_edges``).
* Reverb is an FFT convolution with two decaying noises (a wide stereo tail), optionally run at
  a fraction of the sample rate for long music.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from functools import lru_cache

import numpy as np
from numpy.typing import ArrayLike

from game.sound.space import pan_gains

TAU = 2.0 * math.pi
F32 = np.float32


def samples(seconds: float, sr: int) -> int:
    """How many samples last ``seconds`` (at least one)."""
    return max(1, round(seconds * sr))


def times(n: int, sr: int) -> np.ndarray:
    """The time in seconds of each of ``n`` samples."""
    return np.arange(n) / sr


@lru_cache(maxsize=64)
def ramp(n: int) -> np.ndarray:
    """0 -> 1 along half a cosine: both ends have zero slope, so gain changes never click.

    Cached (the music asks for the same release ramp hundreds of times); read-only.
    """
    out = np.zeros(0) if n <= 0 else 0.5 - 0.5 * np.cos(np.pi * np.arange(1, n + 1) / (n + 1))
    out.setflags(write=False)
    return out


def slow(values_at: Callable[[np.ndarray], np.ndarray], n: int, step: int = 64) -> np.ndarray:
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
    na = min(n, samples(attack, sr))
    nr = min(n - na, samples(release, sr))
    nd = min(n - na - nr, samples(decay, sr))
    env[:na] = ramp(na)
    if nd > 0:
        k = np.arange(nd) / nd
        shape = (np.exp(-5.0 * k) - math.exp(-5.0)) / (1.0 - math.exp(-5.0))
        env[na:na + nd] = sustain + (1.0 - sustain) * shape
    if nr > 0:
        env[n - nr:] *= ramp(nr)[::-1]
    return env


def fade_edges(x: np.ndarray, sr: int, fade_in: float = 0.002,
                fade_out: float = 0.008) -> np.ndarray:
    """Force a one-shot (time on the last axis) to start and end at zero: a sound that starts
    or stops mid-wave clicks."""
    n = x.shape[-1]
    a = min(n // 2, samples(fade_in, sr))
    b = min(n // 2, samples(fade_out, sr))
    x[..., :a] *= ramp(a)
    x[..., n - b:] *= ramp(b)[::-1]
    return x


def running_phase(freq: ArrayLike, sr: int, n: int | None = None) -> np.ndarray:
    """Running phase in cycles (float64) of a frequency that may change every sample.

    Integrating frequency (rather than computing f(t) * t) is what makes glides smooth.
    """
    f = np.asarray(freq, dtype=float)
    if f.ndim == 0:
        f = np.full(n or 1, float(f))
    return (np.cumsum(f) - f) / sr


def loop_phase(freq: ArrayLike, sr: int) -> np.ndarray:
    """Like ``running_phase`` but nudges the frequency so the loop holds a whole number of cycles.

    The phase one sample past the end is then an integer: the wave continues across the seam.
    """
    f = np.asarray(freq, dtype=float)
    cycles = f.sum() / sr
    f = f + (round(cycles) - cycles) * sr / len(f)
    return running_phase(f, sr)


def sines(phase: np.ndarray, partials: Iterable[tuple[float, float]]) -> np.ndarray:
    """Sum of sines at whole multiples of a running phase: ``partials`` is (multiple, amplitude).

    The phase is wrapped in float64 before the float32 sine, which keeps long tones precise.
    """
    out = np.zeros(len(phase), dtype=F32)
    for mult, amp in partials:
        out += F32(amp) * sine(mult * phase)
    return out


def wavetable(amps: ArrayLike, phases: ArrayLike | None = None, size: int = 4096) -> np.ndarray:
    """One cycle of sum(a_h * cos(h * theta + p_h)), built with one inverse FFT."""
    amps = np.asarray(amps, dtype=float)
    phases = np.zeros(len(amps)) if phases is None else np.asarray(phases, dtype=float)
    spec = np.zeros(size // 2 + 1, dtype=complex)
    spec[1:len(amps) + 1] = amps * np.exp(1j * phases) * (size / 2)
    table = np.fft.irfft(spec, size)
    return np.append(table, table[0])  # one guard sample for interpolation


def read_table(table: np.ndarray, phase: np.ndarray) -> np.ndarray:
    """Linear-interpolated wavetable lookup at a running phase in cycles."""
    size = len(table) - 1
    pos = (phase % 1.0) * size
    i0 = np.minimum(pos.astype(np.int64), size - 1)
    frac = pos - i0
    return table[i0] + (table[i0 + 1] - table[i0]) * frac


def saw(phase: np.ndarray, inc: np.ndarray) -> np.ndarray:
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


def wander(rng: np.random.Generator, n: int, sr: int, rate: float,
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
    w = 0.5 - 0.5 * sine(0.5 * (pos - i) + 0.25)  # cosine easing between the random points
    return pts[i] + (pts[i + 1] - pts[i]) * w


def sine(cycles: np.ndarray) -> np.ndarray:
    """sin(2 pi cycles) in float32 (SIMD-fast), wrapping the phase in float64 first so long
    sounds keep their precision."""
    return np.sin((TAU * (cycles % 1.0)).astype(F32))


def periodic_swell(rng: np.random.Generator, n: int, harmonics: int) -> np.ndarray:
    """A slow wave in -1..1 with whole cycles over ``n`` samples (random mix of low harmonics)."""
    offsets = rng.random(harmonics)

    def wave(k):
        return sum(sine(h * k + offsets[h - 1]) / F32(h) for h in range(1, harmonics + 1))

    out = slow(wave, n)
    return out / np.abs(out).max()


# Magnitude responses (Butterworth-like), evaluated on an array of frequencies in Hz.

def _even_power(r: np.ndarray, order: int) -> np.ndarray:
    """r ** (2 * order) by repeated multiplication (a float power is far slower)."""
    r2 = r * r
    out = r2
    for _ in range(order - 1):
        out = out * r2
    return out


def lowpass(f: np.ndarray, fc: float, order: int = 2) -> np.ndarray:
    return 1.0 / np.sqrt(1.0 + _even_power(f / fc, order))


def highpass(f: np.ndarray, fc: float, order: int = 2) -> np.ndarray:
    return 1.0 / np.sqrt(1.0 + _even_power(fc / np.maximum(f, 1e-6), order))


def bandpass(f: np.ndarray, lo: float, hi: float, order: int = 2) -> np.ndarray:
    return highpass(f, lo, order) * lowpass(f, hi, order)


def formants(f: np.ndarray, peaks: Iterable[tuple[float, float, float]]) -> np.ndarray:
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


def fft_filter(x: np.ndarray, sr: int, response: Callable[[np.ndarray], np.ndarray],
            circular: bool = False, pad: float = 0.05) -> np.ndarray:
    """Zero-phase FFT filter along the last axis.

    ``circular`` treats ``x`` as one period of a loop (the result stays seamless); otherwise
    silence is appended first so the filter's ringing does not wrap onto the start.
    """
    n = x.shape[-1]
    m = n if circular else _fast_len(n + samples(pad, sr))
    spec = np.fft.rfft(x, m)
    spec *= response(np.fft.rfftfreq(m, 1.0 / sr))
    return np.fft.irfft(spec, m)[..., :n]


def white_spectrum(rng: np.random.Generator, n: int, channels: int = 0) -> np.ndarray:
    """The rfft of white noise, drawn directly: random complex Gaussian bins, no DC."""
    shape = (channels, n // 2 + 1) if channels else (n // 2 + 1,)
    spec = np.empty(shape, dtype=np.complex64)
    spec.real = rng.standard_normal(shape, dtype=F32)
    spec.imag = rng.standard_normal(shape, dtype=F32)
    spec[..., 0] = 0.0
    return spec


def noise(rng: np.random.Generator, n: int, sr: int,
           response: Callable[[np.ndarray], np.ndarray] | None = None,
           channels: int = 0) -> np.ndarray:
    """Filtered noise with unit RMS, made directly in the frequency domain.

    Random complex spectrum -> one inverse FFT. The result is periodic in ``n``, which makes it
    loop seamlessly, and for one-shots it is simply a stretch of noise.
    """
    spec = white_spectrum(rng, n, channels)
    if response is not None:
        spec *= response(np.fft.rfftfreq(n, 1.0 / sr)).astype(F32)
    out = np.fft.irfft(spec, n)
    rms = np.sqrt(np.mean(np.square(out), axis=-1, keepdims=True))
    return out / np.maximum(rms, F32(1e-12))


def place(buf: np.ndarray, start: int, seg: np.ndarray, wrap: bool = False) -> None:
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


def reverb(x: np.ndarray, sr: int, rng: np.random.Generator, rt60: float,
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
    spec = np.fft.rfft(xd, size) * lowpass(freqs, tone, 1).astype(F32)
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


def room(x: np.ndarray, sr: int, rng: np.random.Generator, rt60: float, mix: float,
          tone: float = 4000.0) -> np.ndarray:
    """Dry sound plus a little room (stereo out): synthetic sounds are unnaturally dry."""
    wet = reverb(x, sr, rng, rt60, tone=tone)
    return np.stack([x, x]) + mix * wet


def panned(x: np.ndarray, pan: float) -> np.ndarray:
    left, right = pan_gains(pan)
    return np.stack([x * left, x * right])


def note_hz(midi: float) -> float:
    """The frequency of a MIDI note number: 69 is A4, 440 Hz."""
    return 440.0 * 2.0 ** ((midi - 69) / 12.0)
