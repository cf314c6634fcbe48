"""The recipes of every sound effect: alarms, sirens, radio, Rex's voice and paws, the city.

Each recipe is ``recipe(sample_rate, rng) -> samples``, mono (n,) or channel-first stereo (2, n),
at any scale: ``catalogue.synthesize`` normalises, fades and converts. The dog's voice is a
source-filter model: a rough sawtooth and breath noise through formant resonances, with the
mouth "closing" (a crossfade to a darker filter) as each bark ends. Numpy only.
"""

from __future__ import annotations

import math

import numpy as np

from game.sound.dsp import (
    F32,
    TAU,
    adsr,
    bandpass,
    fft_filter,
    formants,
    highpass,
    loop_phase,
    lowpass,
    noise,
    note_hz,
    panned,
    periodic_swell,
    place,
    ramp,
    read_table,
    reverb,
    room,
    running_phase,
    samples,
    saw,
    sine,
    sines,
    times,
    wander,
    wavetable,
    white_spectrum,
)


def _square_partials(f_max: float, sr: int, count: int = 9) -> list[tuple[int, float]]:
    """Odd-heavy harmonics of an electronic horn, stopping below Nyquist at the top pitch."""
    shape = {1: 1.0, 2: 0.1, 3: 0.38, 4: 0.06, 5: 0.22, 6: 0.04, 7: 0.13, 8: 0.03, 9: 0.08}
    top = int(0.45 * sr / f_max)
    return [(h, a) for h, a in shape.items() if h <= min(count, top)]


def _echoes(x: np.ndarray, sr: int, taps) -> np.ndarray:
    """Circular echoes (delay s, gain): reflections off walls that keep a loop seamless."""
    out = x.copy()
    for delay, gain in taps:
        out += gain * np.roll(x, samples(delay, sr))
    return out


def kennel_alarm(sr: int, rng: np.random.Generator) -> np.ndarray:
    n = samples(2.0, sr)
    t = times(n, sr)
    # Hi-lo: 0.25 s per tone, switched by a steep but smooth tanh so the pitch never jumps.
    switch = np.tanh(14.0 * sine(t / 0.5))
    freq = 840.0 + 120.0 * switch
    phase = loop_phase(freq, sr)
    tone = read_table(wavetable([a for _, a in _square_partials(960, sr)] or [1.0]), phase)
    # A faint buzz of the cheap speaker: amplitude ripple at twice the switching rate.
    tone *= 0.9 + 0.1 * sine(8.0 * t + 0.25)
    return _echoes(tone, sr, [(0.037, 0.28), (0.071, 0.16), (0.113, 0.09)])


def siren(sr: int, rng: np.random.Generator, seconds: float, sweeps: int,
           lo: float = 650.0, hi: float = 1500.0) -> np.ndarray:
    n = samples(seconds, sr)
    u = np.arange(n) / n * sweeps
    # Skewed raised cosine: a slightly slower rise than fall, as a motor-driven wail has.
    u = u - 0.1 * sine(u)
    sweep = 0.5 - 0.5 * sine(u + 0.25)
    freq = lo + (hi - lo) * sweep
    phase = loop_phase(freq, sr)
    table = wavetable([a for _, a in _square_partials(hi, sr)])
    tone = read_table(table, phase) * (0.85 + 0.15 * sweep)  # horns are louder up high
    return _echoes(tone, sr, [(0.083, 0.3), (0.157, 0.18), (0.241, 0.1)])


def radio_squelch(sr: int, rng: np.random.Generator) -> np.ndarray:
    n = samples(0.36, sr)
    t = times(n, sr)
    # The static: voice-band noise that crackles (fast random loudness plus sparse pops).
    static = noise(rng, n, sr, lambda f: bandpass(f, 400, 3200, 3))
    crackle = np.clip(0.65 + 0.5 * wander(rng, n, sr, 90.0), 0.1, 1.4)
    pops = np.zeros(n)
    idx = rng.integers(0, n, 14)
    pops[idx] = rng.uniform(-1, 1, 14) * 4.0
    pops = fft_filter(pops, sr, lambda f: bandpass(f, 600, 4000, 2))
    body = (static * crackle + pops) * adsr(n, sr, 0.006, 0.05, 0.7, 0.02)
    body[: samples(0.004, sr)] = 0.0
    # Key-up click: a 2 ms burst of bright noise with a tiny low "pop" under it.
    m = samples(0.012, sr)
    tc = times(m, sr)
    click = noise(rng, m, sr, lambda f: highpass(f, 1500, 2)) * np.exp(-tc / 0.0018)
    click += 1.5 * np.sin(TAU * 180.0 * tc) * np.exp(-tc / 0.004)
    out = 0.5 * body
    place(out, samples(0.002, sr), 0.9 * click * ramp(m)[::-1] ** 0.2)
    # The squelch tail: a brighter "kssh" as the carrier drops.
    tail = noise(rng, n, sr, lambda f: bandpass(f, 1200, 5000, 2))
    tail *= np.exp(-((t - 0.31) / 0.025) ** 2)
    return out + 0.35 * tail


def radio_chirp(sr: int, rng: np.random.Generator) -> np.ndarray:
    n = samples(0.3, sr)
    out = np.zeros(n)
    for start, freq, dur in ((0.01, 1180.0, 0.075), (0.115, 1560.0, 0.09)):
        m = samples(dur, sr)
        phase = running_phase(freq, sr, m)
        beep = sines(phase, [(1, 1.0), (3, 0.12), (5, 0.04)]) * adsr(m, sr, 0.004, 0.0, 1, 0.006)
        place(out, samples(start, sr), beep)
    hiss = noise(rng, n, sr, lambda f: bandpass(f, 500, 3500, 2))
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
    phase = running_phase(f0, sr)
    src = saw(phase, f0 / sr)
    # Alternate pulses differ in strength: a subharmonic, heard as a gruff, rough voice.
    src *= 1.0 + rough * np.cos(np.pi * phase)
    return src + breath * rng.standard_normal(len(f0))


def bark(sr: int, rng: np.random.Generator, pitch: float, end_pitch: float, length: float,
          formant_scale: float = 1.0, rough: float = 0.35) -> np.ndarray:
    n = samples(length + 0.2, sr)
    t = times(n, sr)
    # Pitch jumps up in the first ~15 ms, then glides down: the explosive "rr-uff" contour.
    glide = end_pitch + (pitch - end_pitch) * np.exp(-t / (0.45 * length))
    f0 = glide * (1.0 - 0.12 * np.exp(-t / 0.012)) * (1.0 + 0.02 * wander(rng, n, sr, 60.0))
    src = _voice_source(rng, f0, sr, rough, 0.45)
    peaks = [(fr * formant_scale, bw * formant_scale, g) for fr, bw, g in _DOG_FORMANTS]

    def open_mouth(f):  # chest resonance keeps the low fundamental, formants shape the rest
        body = 0.15 * lowpass(f, 600.0, 1) + formants(f, peaks)
        return body * highpass(f, 110.0, 2) * lowpass(f, 5500.0, 2)

    bright = fft_filter(src, sr, open_mouth)
    dark = fft_filter(src, sr, lambda f: open_mouth(f) * lowpass(f, 1000.0, 2))
    # The jaw closes as the bark ends: crossfade from the open to the darker filter.
    close = np.clip(t / length, 0.0, 1.0) ** 1.5
    voice = bright * (1.0 - close) + 1.6 * dark * close
    env = np.exp(-np.maximum(t - 0.04, 0.0) / (0.3 * length))
    env[: samples(0.005, sr)] *= ramp(samples(0.005, sr))
    cut = samples(length, sr)
    nr = samples(0.03, sr)
    env[cut - nr:cut] *= ramp(nr)[::-1]
    env[cut:] = 0.0
    return room(voice * env, sr, rng, 0.3, 0.12)


def growl(sr: int, rng: np.random.Generator) -> np.ndarray:
    n = samples(1.25, sr)
    t = times(n, sr)
    f0 = 95.0 * (1.0 + 0.06 * wander(rng, n, sr, 3.0)) * (1.0 + 0.015 * wander(rng, n, sr, 40))
    src = _voice_source(rng, f0, sr, 0.5, 0.9)
    # The rattle: the growl is chopped ~24 times a second, irregularly.
    flutter = running_phase(24.0 + 3.0 * wander(rng, n, sr, 4.0), sr)
    rattle = 0.45 + 0.55 * (0.5 + 0.5 * np.sin(TAU * flutter)) ** 1.5
    peaks = ((380.0, 220.0, 1.0), (950.0, 320.0, 0.55), (2200.0, 500.0, 0.2))

    def closed_mouth(f):
        return (0.6 * lowpass(f, 350.0, 1) + formants(f, peaks)) * lowpass(f, 2600.0, 2) \
            * highpass(f, 50.0, 2)

    voice = fft_filter(src, sr, closed_mouth) * rattle
    env = adsr(n, sr, 0.16, 0.1, 1.0, 0.28) * (0.82 + 0.18 * np.sin(TAU * 0.9 * t))
    return room(voice * env, sr, rng, 0.35, 0.1)


def whine(sr: int, rng: np.random.Generator) -> np.ndarray:
    n = samples(1.05, sr)
    t = times(n, sr)
    # Rises to ~980 Hz and sinks back, with a quick vibrato and a wobble of uncertainty.
    arc = np.sin(np.pi * np.clip(t / 0.85, 0.0, 1.0)) ** 0.8
    f0 = (740.0 + 240.0 * arc - 60.0 * np.clip((t - 0.7) / 0.35, 0.0, 1.0))
    f0 *= 1.0 + 0.018 * np.sin(TAU * 5.5 * t) + 0.008 * wander(rng, n, sr, 12.0)
    tone = sines(running_phase(f0, sr), [(1, 1.0), (2, 0.22), (3, 0.06)])
    breath = noise(rng, n, sr, lambda f: bandpass(f, 1200.0, 5000.0, 2))
    nasal = noise(rng, n, sr, lambda f: formants(f, [(900.0, 300.0, 1.0)]))
    x = tone + 0.11 * breath + 0.05 * nasal  # breathy: a soft whine is half air
    env = adsr(n, sr, 0.07, 0.25, 0.8, 0.22) * (1 - 0.3 * np.exp(-(((t - 0.56) / 0.045) ** 2)))
    return room(x * env, sr, rng, 0.3, 0.1)


def footstep(sr: int, rng: np.random.Generator) -> np.ndarray:
    n = samples(0.1, sr)
    t = times(n, sr)
    # Heel: a low thump whose pitch drops as the sole flattens.
    heel = rng.uniform(70.0, 110.0)
    thump = sines(running_phase(heel * (0.6 + 0.4 * np.exp(-t / 0.02)), sr), [(1, 1.0), (2, 0.2)])
    thump = thump * np.exp(-t / 0.018)
    # Scuff of the sole on pavement, then a lighter toe hit a moment later.
    scuff = noise(rng, n, sr, lambda f: bandpass(f, rng.uniform(300, 600),
                                                    rng.uniform(1600, 2800), 2))
    scuff *= np.exp(-t / rng.uniform(0.01, 0.02))
    toe_at = samples(rng.uniform(0.018, 0.035), sr)
    toe = noise(rng, n, sr, lambda f: bandpass(f, 500.0, 3000.0, 2))
    toe = toe * np.exp(-t / 0.008) * rng.uniform(0.3, 0.6)
    # Grit: a few tiny ticks of sand under the shoe.
    grit = np.zeros(n)
    grit[rng.integers(0, samples(0.05, sr), 6)] = rng.uniform(-1.0, 1.0, 6)
    grit = fft_filter(grit, sr, lambda f: highpass(f, 3000.0, 2))
    out = 0.9 * thump + 0.5 * scuff + 0.25 * grit
    place(out, toe_at, toe[: n - toe_at])
    out[: samples(0.0015, sr)] *= ramp(samples(0.0015, sr))
    return out


def paws(sr: int, rng: np.random.Generator) -> np.ndarray:
    n = samples(0.2, sr)
    out = np.zeros(n)
    m = samples(0.03, sr)
    tt = times(m, sr)
    at = 0.004
    for _ in range(rng.integers(3, 5)):
        level = rng.uniform(0.5, 1.0)
        claw = noise(rng, m, sr, lambda f: highpass(f, 2500.0, 2)) * np.exp(-tt / 0.0015)
        pad = np.sin(TAU * rng.uniform(160.0, 230.0) * tt) * np.exp(-tt / 0.008)
        scuff = noise(rng, m, sr, lambda f: bandpass(f, 800.0, 3000.0, 2)) * np.exp(-tt / 0.006)
        tap = (0.5 * claw + 0.8 * pad + 0.3 * scuff) * level
        tap[: samples(0.001, sr)] *= ramp(samples(0.001, sr))
        place(out, samples(at, sr), tap)
        at += rng.uniform(0.03, 0.05)
    return out


# ---------------------------------------------------------------------------------------------
# The city: wind, whistle, tranquilizer, crowd, phone, loudspeaker, engine
# ---------------------------------------------------------------------------------------------


def wind(sr: int, rng: np.random.Generator) -> np.ndarray:
    n = samples(6.0, sr)
    # Three bands: a low body, a mid "gust" band and a faint hollow howl. Left and right share
    # most of their noise (one wind) but not all (width).
    bands = (lambda f: lowpass(f, 420.0, 2) * highpass(f, 35.0, 1),
             lambda f: bandpass(f, 450.0, 1400.0, 2),
             lambda f: formants(f, [(610.0, 45.0, 1.0), (870.0, 60.0, 0.6)]))
    swells = [0.55 + 0.45 * periodic_swell(rng, n, 3),
              np.clip(periodic_swell(rng, n, 4), 0.0, 1.0) ** 2,
              0.5 + 0.5 * periodic_swell(rng, n, 2)]
    # White noise made as spectra: a shared one and one per ear, mixed before the inverse FFT.
    spectra = white_spectrum(rng, n, 3)
    stereo = F32(0.8) * spectra[0] + F32(0.6) * spectra[1:]
    freqs = np.fft.rfftfreq(n, 1.0 / sr)
    out = np.zeros((2, n), dtype=F32)
    for band, swell, level in zip(bands, swells, (1.0, 0.45, 0.12), strict=True):
        part = np.fft.irfft(stereo * band(freqs).astype(F32), n)
        part /= np.sqrt(np.mean(np.square(part)))
        out += F32(level) * swell * part
    return out


def whistle(sr: int, rng: np.random.Generator) -> np.ndarray:
    n = samples(0.8, sr)
    out = np.zeros(n)
    # Two notes, a short low one then a longer high one that sags at the end: "come here".
    for start, f_lo, f_hi, dur in ((0.01, 1800.0, 1950.0, 0.17), (0.25, 2480.0, 2600.0, 0.38)):
        m = samples(dur, sr)
        tt = times(m, sr)
        f = f_lo + (f_hi - f_lo) * (1.0 - np.exp(-tt / 0.02))
        f = f - 150.0 * np.clip((tt - dur + 0.08) / 0.08, 0.0, 1.0) ** 2
        f *= 1.0 + 0.004 * np.sin(TAU * 11.0 * tt) + 0.002 * wander(rng, m, sr, 30.0)
        tone = sines(running_phase(f, sr), [(1, 1.0), (2, 0.05)])
        air = noise(rng, m, sr, lambda f, c=f_hi: formants(f, [(c, 700.0, 1.0)]))
        note = (tone + 0.12 * air) * adsr(m, sr, 0.015, 0.05, 0.85, 0.035)
        place(out, samples(start, sr), note)
    return room(out, sr, rng, 0.5, 0.12)


def tranq_shot(sr: int, rng: np.random.Generator) -> np.ndarray:
    n = samples(0.45, sr)
    t = times(n, sr)
    # A muffled pneumatic "thup": low thump + short low air burst + small mechanical clacks.
    thump = np.sin(TAU * running_phase(55.0 + 90.0 * np.exp(-t / 0.015), sr)) * np.exp(-t / 0.05)
    air = noise(rng, n, sr, lambda f: lowpass(f, 1200.0, 2)) * np.exp(-t / 0.03)
    click = noise(rng, n, sr, lambda f: highpass(f, 3000.0, 2)) * np.exp(-t / 0.003)
    hiss = noise(rng, n, sr, lambda f: bandpass(f, 2000.0, 6000.0, 2)) * np.exp(-t / 0.12)
    bolt = np.zeros(n)
    place(bolt, samples(0.09, sr), click[: n - samples(0.09, sr)])
    x = thump + 0.7 * air + 0.2 * click + 0.1 * bolt + 0.05 * hiss
    x = fft_filter(x, sr, lambda f: lowpass(f, 2800.0, 1))
    x[: samples(0.0015, sr)] *= ramp(samples(0.0015, sr))
    return room(x, sr, rng, 0.25, 0.1)


_VOWELS = ((800.0, 1150.0, 2900.0), (700.0, 1220.0, 2600.0), (450.0, 800.0, 2830.0),
           (400.0, 1700.0, 2600.0), (600.0, 1000.0, 2400.0))


def crowd_panic(sr: int, rng: np.random.Generator) -> np.ndarray:
    n = samples(2.2, sr)
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
        m = samples(length, sr)
        tt = times(m, sr)
        arc = sine(0.5 * tt / length)
        contour = 1.0 + (0.15 if kind == 0 else 0.08) * arc - (0.25 if kind == 0 else 0.1) * (
            tt / length) ** 2
        f = f0 * contour * (1.0 + 0.02 * wander(rng, m, sr, 8.0))
        src = saw(running_phase(f, sr), f / sr) + (0.35 if kind == 0 else 0.2) * \
            rng.standard_normal(m)
        scale = 1.15 if kind == 0 else 1.0
        vowel = _VOWELS[rng.integers(len(_VOWELS))]
        peaks = [(fr * scale, 90.0 + 0.06 * fr, g) for fr, g in zip(vowel, (1.0, 0.6, 0.25),
                                                                   strict=True)]
        voice = fft_filter(src, sr, lambda fq, p=peaks: formants(fq, p) * highpass(fq, 120.0))
        voice *= adsr(m, sr, rng.uniform(0.03, 0.08), 0.1, 0.8, 0.2) * level * rng.uniform(0.6, 1)
        place(out, samples(onset, sr), panned(voice, rng.uniform(-0.8, 0.8)))
    # The murmur bed: speech-band noise with a syllable-rate flutter.
    bed = noise(rng, n, sr, lambda f: bandpass(f, 250.0, 2500.0, 2) * (
        0.4 + formants(f, [(500.0, 300.0, 1.0), (1500.0, 500.0, 0.6)])), channels=2)
    bed *= np.clip(0.5 + 0.6 * wander(rng, n, sr, 6.0), 0.0, None)
    out = out / np.abs(out).max() + 0.25 * bed * adsr(n, sr, 0.2, 0.3, 0.8, 0.9)
    # Distance: highs absorbed, a lot of reflected sound from the street.
    out = fft_filter(out, sr, lambda f: lowpass(f, 3000.0, 2))
    wet = reverb(out.mean(axis=0), sr, rng, 0.9, tone=2500.0)
    out = out + 0.45 * wet
    out *= adsr(n, sr, 0.05, 0.0, 1.0, 0.5)
    return out


def phone_camera(sr: int, rng: np.random.Generator) -> np.ndarray:
    n = samples(0.18, sr)
    out = np.zeros(n)
    m = samples(0.05, sr)
    tt = times(m, sr)
    # "Ka-chick": two clicks, each a bright noise tick with a small metallic ping.
    for start, ping, decay in ((0.004, 3200.0, 0.006), (0.075, 2600.0, 0.009)):
        tick = noise(rng, m, sr, lambda f: bandpass(f, 2000.0, 8000.0, 2)) * np.exp(-tt / 0.0025)
        ring = np.sin(TAU * ping * tt) * np.exp(-tt / decay)
        click = tick + 0.5 * ring
        click[: samples(0.0005, sr)] *= ramp(samples(0.0005, sr))
        place(out, samples(start, sr), click)
    return fft_filter(out, sr, lambda f: bandpass(f, 600.0, 9000.0, 1))  # a phone's tiny speaker


def loudspeaker_chime(sr: int, rng: np.random.Generator) -> np.ndarray:
    n = samples(3.2, sr)
    x = np.zeros(n)
    # Three rising bell notes (A major arpeggio), before the announcement.
    partials = ((1.0, 1.0, 1.6), (2.0, 0.35, 0.7), (3.0, 0.12, 0.4), (4.16, 0.06, 0.25))
    for onset, midi in ((0.0, 69), (0.45, 73), (0.9, 76)):
        f = note_hz(midi)
        m = n - samples(onset, sr)
        tt = times(m, sr)
        t32 = tt.astype(F32)  # float32 phase is precise enough over three seconds
        note = sum(F32(a) * np.exp(-t32 / F32(tau)) * np.sin(t32 * F32(TAU * f * r))
                   for r, a, tau in partials)
        note[: samples(0.005, sr)] *= ramp(samples(0.005, sr))
        place(x, samples(onset, sr), note)
    # Horn loudspeaker: narrow band and a little saturation; then the street answers back.
    x = fft_filter(x, sr, lambda f: bandpass(f, 350.0, 4500.0, 2))
    x = np.tanh(1.6 * x / np.abs(x).max()) / math.tanh(1.6)
    x = _echoes(x, sr, [(0.12, 0.3), (0.26, 0.15)])
    out = np.stack([x, x]) + 0.3 * reverb(x, sr, rng, 1.4, tone=3000.0)
    out *= adsr(n, sr, 0.002, 0.0, 1.0, 0.6)
    return out


def car_engine(sr: int, rng: np.random.Generator) -> np.ndarray:
    n = samples(2.0, sr)
    t = times(n, sr)
    # A four-cylinder four-stroke at ~820 rpm: one engine cycle (two turns) every 1/6.8 s, four
    # firings per cycle. The idle hunts a little, in whole cycles of the loop.
    cyc = 6.8 * (1.0 + 0.012 * np.sin(TAU * t / 2.0) + 0.006 * np.sin(TAU * 3.0 * t / 2.0 + 1.0))
    phase = loop_phase(cyc, sr)
    k = np.arange(1, 150)
    fk = 6.8 * k
    spectral = lowpass(fk, 180.0, 2) * highpass(fk, 35.0, 2) + 0.25 * formants(
        fk, [(240.0, 80.0, 1.0)])  # exhaust resonance
    # Firing orders (every 4th harmonic of the cycle) dominate; uneven cylinders add the rest.
    weight = np.where(k % 4 == 0, 1.0, 0.18 * rng.uniform(0.5, 1.5, len(k)))
    table = wavetable(spectral * weight, rng.uniform(0, TAU, len(k)), 8192)
    tone = read_table(table, phase)
    firing = (0.5 + 0.5 * np.cos(TAU * 4.0 * phase)) ** 3
    rumble = noise(rng, n, sr, lambda f: lowpass(f, 250.0, 2)) * (0.5 + 0.5 * firing)
    ticks = noise(rng, n, sr, lambda f: bandpass(f, 2000.0, 5000.0, 2))
    ticks *= (0.5 + 0.5 * np.cos(TAU * 8.0 * phase)) ** 12
    return tone / np.abs(tone).max() + 0.25 * rumble + 0.03 * ticks
