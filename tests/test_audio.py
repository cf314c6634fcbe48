"""The synthesised sounds (game/sound) and the mixer (game/view/mixer.py).

Sounds are checked by numbers, not by ear: format, level, length, silent edges for one-shots,
seamless seams for loops, determinism, and sameness with their recorded reference. The mixer runs
under SDL's dummy audio driver, once with a mixer that refuses to start and once with a recipe
that fails.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import math
import subprocess
import sys
from pathlib import Path

import numpy as np
import pygame
import pytest

from game.sound import catalogue
from game.sound.catalogue import CAPTIONS, LOOPING, SOUND_NAMES, synthesize
from game.sound.space import distance_gain, pan_gains, spatialize
from game.view import mixer as mixer_mod
from game.view.mixer import AudioMixer

ROOT = Path(__file__).resolve().parent.parent
SR = 44100
FULL_SCALE = 32767
# Every sound as it was recorded (``python -m tests.test_audio --write-reference`` rewrites it,
# for a change that means to change a sound): the sample count, the loudness of each channel in
# REFERENCE_BLOCKS equal stretches, and the SHA-256 of the int16 samples.
REFERENCE = Path(__file__).with_name("data") / "sound_reference.json"
REFERENCE_BLOCKS = 16

# Sensible lengths in seconds (by name, or by family prefix).
LENGTHS = {
    "kennel_alarm": (1.8, 2.2),
    "siren": (3.5, 4.5),
    "siren_yelp": (0.8, 1.2),
    "radio_squelch": (0.25, 0.5),
    "radio_chirp": (0.15, 0.5),
    "bark": (0.2, 0.6),
    "growl": (1.0, 1.6),
    "whine": (0.7, 1.4),
    "footstep": (0.05, 0.15),
    "paw": (0.08, 0.3),
    "wind": (5.0, 7.0),
    "whistle": (0.4, 1.2),
    "tranq_shot": (0.2, 0.8),
    "crowd_panic": (1.5, 3.0),
    "phone_camera": (0.08, 0.4),
    "loudspeaker_chime": (1.5, 4.0),
    "car_engine": (1.5, 2.5),
    "theme": (40.0, 60.0),
    "theme_home": (12.0, 20.0),
    "theme_sad": (7.0, 13.0),
}


def _expected_length(name: str) -> tuple[float, float]:
    if name in LENGTHS:
        return LENGTHS[name]
    return LENGTHS[name.rsplit("_", 1)[0]]


@pytest.fixture(scope="module")
def sounds() -> dict[str, np.ndarray]:
    return {name: synthesize(name, SR) for name in SOUND_NAMES}


# -- the sounds -------------------------------------------------------------------------------


def test_catalogue_has_every_sound_the_game_needs():
    wanted = {"kennel_alarm", "siren", "siren_yelp", "radio_squelch", "radio_chirp", "bark_0",
              "bark_1", "bark_2", "growl", "whine", "footstep_0", "footstep_1", "footstep_2",
              "footstep_3", "paw_0", "paw_1", "wind", "whistle", "tranq_shot", "crowd_panic",
              "phone_camera", "loudspeaker_chime", "car_engine", "theme", "theme_home",
              "theme_sad"}
    assert wanted <= set(SOUND_NAMES)
    assert len(SOUND_NAMES) == len(set(SOUND_NAMES))
    assert {"kennel_alarm", "siren", "siren_yelp", "wind", "car_engine", "theme"} == LOOPING


@pytest.mark.parametrize("name", SOUND_NAMES)
def test_sound_is_int16_stereo_audible_and_unclipped(sounds, name):
    x = sounds[name]
    assert x.dtype == np.int16
    assert x.ndim == 2 and x.shape[1] == 2
    assert x.flags.c_contiguous
    f = x.astype(np.float64) / FULL_SCALE
    assert np.all(np.isfinite(f))
    peak = np.abs(f).max()
    assert peak < 0.95, "leave headroom: no sample near full scale"
    assert peak > 0.2, "normalised to a useful level"
    assert np.sqrt(np.mean(f ** 2)) > 0.005, "not silent"


@pytest.mark.parametrize("name", SOUND_NAMES)
def test_sound_length_is_sensible(sounds, name):
    lo, hi = _expected_length(name)
    seconds = len(sounds[name]) / SR
    assert lo <= seconds <= hi, f"{name}: {seconds:.2f} s"


@pytest.mark.parametrize("name", sorted(set(SOUND_NAMES) - LOOPING))
def test_one_shots_start_and_end_in_silence(sounds, name):
    """A sound that starts or stops mid-wave clicks. The very first and last samples are
    silence, the first quarter millisecond stays 55 dB under the sound's peak and the last
    millisecond 60 dB under it: a fade, not a step (the edges of several recipes break all
    three when synthesize leaves out its fades)."""
    x = np.abs(sounds[name].astype(np.int32)).max(axis=1)
    peak = x.max()
    assert x[0] <= 1 and x[-1] <= 1, f"{name}: first {x[0]}, last {x[-1]}"
    assert x[: SR // 4000].max() <= peak * 10 ** (-55 / 20), f"{name} starts with a click"
    assert x[-(SR // 1000):].max() <= peak * 10 ** (-60 / 20), f"{name} ends with a click"


@pytest.mark.parametrize("name", sorted(LOOPING))
def test_loops_have_a_seamless_seam(sounds, name):
    x = sounds[name].astype(np.float64)
    steps = np.abs(np.diff(x, axis=0))
    typical = np.percentile(steps, 99.9, axis=0)
    seam = np.abs(x[0] - x[-1])
    assert np.all(seam <= typical), f"{name}: seam step {seam} vs 99.9th pct {typical}"
    # The few milliseconds either side of the seam have about the same loudness and spectrum.
    k = SR * 10 // 1000
    head, tail = x[:k], x[-k:]
    rms_head = np.sqrt(np.mean(head ** 2))
    rms_tail = np.sqrt(np.mean(tail ** 2))
    assert 0.4 < rms_head / rms_tail < 2.5
    # Splice the end onto the start: the splice is no rougher than the sound itself.
    spliced = np.concatenate([tail, head])
    assert np.abs(np.diff(spliced, axis=0)).max() <= steps.max(axis=0).max()


@pytest.mark.parametrize("name", SOUND_NAMES)
def test_synthesis_is_deterministic(sounds, name):
    again = synthesize(name, SR)
    assert np.array_equal(sounds[name], again)


def test_builders_produce_finite_floats():
    for name in ("bark_0", "growl", "wind", "crowd_panic"):
        spec = catalogue.SPECS[name]
        raw = np.asarray(spec.build(SR, np.random.default_rng(1)))
        assert np.all(np.isfinite(raw)), name


def test_other_sample_rates_work():
    x = synthesize("siren_yelp", 22050)
    assert x.dtype == np.int16 and x.shape[1] == 2
    assert abs(len(x) / 22050 - 1.0) < 0.01
    b = synthesize("bark_0", 48000)
    assert 0.2 < len(b) / 48000 < 0.6


def test_unknown_sound_is_an_error():
    with pytest.raises(KeyError):
        synthesize("meow")


def test_siren_sweeps_between_its_low_and_high_pitch(sounds):
    m = sounds["siren"].astype(np.float64).mean(axis=1)
    frame = SR // 20
    pitches = []
    for start in range(0, len(m) - frame, SR // 5):
        spec = np.abs(np.fft.rfft(m[start:start + frame] * np.hanning(frame)))
        freqs = np.fft.rfftfreq(frame, 1 / SR)
        band = (freqs > 400) & (freqs < 2000)
        pitches.append(freqs[band][np.argmax(spec[band])])
    assert min(pitches) < 750 and max(pitches) > 1350
    jumps = np.abs(np.diff(pitches))
    assert jumps.max() < 250  # a smooth wail, not a two-tone


def test_bark_has_a_low_fundamental_and_a_fast_attack(sounds):
    for name in ("bark_0", "bark_1", "bark_2"):
        m = sounds[name].astype(np.float64).mean(axis=1)
        seg = m[: int(0.05 * SR)] * np.hanning(int(0.05 * SR))
        spec = np.abs(np.fft.rfft(seg, 8 * len(seg)))
        freqs = np.fft.rfftfreq(8 * len(seg), 1 / SR)
        band = (freqs > 150) & (freqs < 450)
        f0 = freqs[band][np.argmax(spec[band])]
        assert 180 < f0 < 380, (name, f0)
        env = np.sqrt(np.mean(m[: len(m) // 441 * 441].reshape(-1, 441) ** 2, axis=1))
        assert np.argmax(env) * 10 <= 60, "the peak comes within 60 ms"


def test_captions_cover_every_sound():
    assert set(CAPTIONS) == set(SOUND_NAMES)
    for name, caption in CAPTIONS.items():
        assert caption.startswith("[") and caption.endswith("]"), name
        assert len(caption) > 4
    assert CAPTIONS["siren"] == "[police siren wails]"
    assert "Rex" in CAPTIONS["bark_0"] and "Rex" in CAPTIONS["growl"]


def loudness_shape(x: np.ndarray) -> list[list[float]]:
    """RMS of each channel (in int16 steps) over REFERENCE_BLOCKS equal stretches of a sound."""
    blocks = np.array_split(x.astype(np.float64), REFERENCE_BLOCKS, axis=0)
    return [[round(float(np.sqrt(np.mean(b[:, c] ** 2))), 3) for b in blocks] for c in range(2)]


def numeric_environment() -> str:
    """What decides the last bit of a float32 sine or an FFT: numpy's version and the SIMD
    paths it picked on this machine. The same environment gives bit-identical sounds."""
    from numpy._core._multiarray_umath import __cpu_dispatch__, __cpu_features__
    enabled = [name for name in __cpu_dispatch__ if __cpu_features__.get(name)]
    return f"numpy {np.__version__} {'+'.join(enabled) or 'baseline'}"


def reference_of(sounds: dict[str, np.ndarray]) -> dict:
    return {"environment": numeric_environment(), "sample_rate": SR, "sounds": {
        name: {"samples": len(x), "sha256": hashlib.sha256(x.tobytes()).hexdigest(),
               "loudness": loudness_shape(x)} for name, x in sounds.items()}}


@pytest.fixture(scope="module")
def reference() -> dict:
    return json.loads(REFERENCE.read_text())


def test_every_sound_has_a_recorded_reference(reference):
    assert set(reference["sounds"]) == set(SOUND_NAMES)
    assert reference["sample_rate"] == SR


@pytest.mark.parametrize("name", SOUND_NAMES)
def test_sound_has_its_recorded_length_and_loudness(sounds, reference, name):
    """Holds on any machine: a real change to a sound (another recipe, another draw of its
    random numbers) moves the loudness of its stretches far beyond a last-bit difference."""
    recorded = reference["sounds"][name]
    x = sounds[name]
    assert len(x) == recorded["samples"]
    assert np.allclose(loudness_shape(x), recorded["loudness"], rtol=1e-4, atol=0.05), name


@pytest.mark.parametrize("name", SOUND_NAMES)
def test_sound_is_bit_identical_to_its_recording(sounds, reference, name):
    if reference["environment"] != numeric_environment():
        pytest.skip(f"recorded under {reference['environment']}; float32 sines may differ in "
                    f"the last bit under {numeric_environment()}")
    assert hashlib.sha256(sounds[name].tobytes()).hexdigest() == \
        reference["sounds"][name]["sha256"], name


# -- mixing math ------------------------------------------------------------------------------


def test_pan_gains_are_equal_power_and_symmetric():
    for pan in np.linspace(-1.0, 1.0, 41):
        left, right = pan_gains(pan)
        assert math.isclose(left * left + right * right, 1.0, abs_tol=1e-12)
        mirror = pan_gains(-pan)
        assert math.isclose(left, mirror[1], abs_tol=1e-12)
        assert math.isclose(right, mirror[0], abs_tol=1e-12)
    assert pan_gains(0.0)[0] == pytest.approx(math.sqrt(0.5))
    assert pan_gains(-1.0) == pytest.approx((1.0, 0.0))
    assert pan_gains(1.0) == pytest.approx((0.0, 1.0))
    assert pan_gains(5.0) == pan_gains(1.0)  # clamped
    lefts = [pan_gains(p)[0] for p in np.linspace(-1, 1, 21)]
    assert all(a >= b for a, b in itertools.pairwise(lefts))


def test_distance_gain_is_full_near_silent_beyond_and_monotone():
    radius = 20.0
    assert distance_gain(0.0, radius) == 1.0
    assert distance_gain(0.05 * radius, radius) == 1.0
    assert distance_gain(radius, radius) == 0.0
    assert distance_gain(3 * radius, radius) == 0.0
    assert distance_gain(5.0, 0.0) == 0.0
    gains = [distance_gain(d, radius) for d in np.linspace(0, 1.5 * radius, 301)]
    assert all(a >= b for a, b in itertools.pairwise(gains))
    assert all(0.0 <= g <= 1.0 for g in gains)
    assert 0.0 < distance_gain(0.5 * radius, radius) < 1.0


def test_spatialize_pans_by_the_horizontal_offset():
    gain_r, pan_r = spatialize((110.0, 50.0), (100.0, 50.0), 30.0)
    gain_l, pan_l = spatialize((90.0, 50.0), (100.0, 50.0), 30.0)
    assert gain_r == pytest.approx(gain_l) and 0 < gain_r < 1
    assert pan_r > 0.3 and pan_l == pytest.approx(-pan_r)
    _, pan_above = spatialize((100.0, 30.0), (100.0, 50.0), 30.0)
    assert pan_above == pytest.approx(0.0)
    gain_far, _ = spatialize((200.0, 50.0), (100.0, 50.0), 30.0)
    assert gain_far == 0.0


# -- the mixer --------------------------------------------------------------------------------


@pytest.fixture
def dummy_audio(monkeypatch):
    monkeypatch.setenv("SDL_AUDIODRIVER", "dummy")
    monkeypatch.setenv("SDL_VIDEODRIVER", "dummy")
    pygame.mixer.quit()
    yield
    pygame.mixer.quit()


def test_mixer_plays_loops_and_music_under_the_dummy_driver(dummy_audio):
    mixer = AudioMixer(master=0.9, effects=0.8, music=0.5)
    try:
        assert mixer.available, mixer.error
        assert mixer.unmade == {} and mixer.problem is None
        assert mixer.synth_seconds > 0.0
        assert pygame.mixer.get_num_channels() >= 32
        mixer.play("bark_0")
        mixer.play("bark_1", volume=0.5, pan=-0.7)
        mixer.play_at("growl", (12.0, 5.0), (10.0, 5.0), 25.0)
        mixer.play_at("whine", (500.0, 5.0), (10.0, 5.0), 25.0)  # out of earshot: nothing
        mixer.loop("car_3", "siren", volume=0.6, pan=0.2)
        mixer.loop("alarm", "kennel_alarm", volume=0.4)
        assert set(mixer.loop_keys()) == {"car_3", "alarm"}
        channel = mixer._loops["car_3"].channel
        assert channel is not None and channel.get_busy()
        mixer.update_loop("car_3", 0.3, -0.5)
        mixer.loop("car_3", "siren", volume=0.7)  # same sound: just an update
        assert mixer._loops["car_3"].channel is channel
        mixer.loop("car_3", "siren_yelp")  # another sound under the same key
        assert mixer._loops["car_3"].name == "siren_yelp"
        mixer.update_loop("no such key", 0.5, 0.0)  # ignored
        mixer.stop("alarm")
        mixer.stop("alarm")  # twice is fine
        assert mixer.loop_keys() == ["car_3"]
        mixer.music("theme")
        assert mixer.current_music == "theme"
        mixer.music("theme")  # already playing: no restart
        mixer.music("theme_home", loop=False)  # crossfade
        assert mixer.current_music == "theme_home"
        mixer.set_volumes(master=0.5)
        mixer.set_volumes(effects=0.2, music=0.9)
        assert (mixer.master, mixer.effects, mixer.music_volume) == (0.5, 0.2, 0.9)
        mixer.stop_music()
        mixer.stop_all()
        assert mixer.loop_keys() == []
        with pytest.raises(KeyError):
            mixer.play("meow")
    finally:
        mixer.close()


def test_mixer_never_fails_when_every_channel_is_busy(dummy_audio):
    mixer = AudioMixer(names=("footstep_0", "siren", "theme_sad"))
    try:
        assert mixer.available
        for i in range(80):
            mixer.play("footstep_0", volume=1.0, pan=(i % 9 - 4) / 4)
        for key in range(40):
            mixer.loop(key, "siren", volume=0.5)
        for key in range(40):
            mixer.update_loop(key, 0.4, 0.1)
        mixer.music("theme_sad")
        mixer.play("siren")
    finally:
        mixer.close()


def test_mixer_that_cannot_start_is_silent(monkeypatch):
    pygame.mixer.quit()

    def refuse(*args, **kwargs):
        raise pygame.error("No available audio device")

    monkeypatch.setattr(pygame.mixer, "init", refuse)
    mixer = AudioMixer()
    assert not mixer.available
    assert "audio device" in (mixer.error or "")
    mixer.play("bark_0", 1.0, 0.5)
    mixer.play_at("siren", (0, 0), (1, 1), 10.0)
    mixer.loop("car", "siren")
    mixer.update_loop("car", 0.5, 0.5)
    mixer.stop("car")
    mixer.music("theme")
    mixer.set_volumes(0.3, 0.3, 0.3)
    mixer.stop_music()
    mixer.stop_all()
    mixer.close()


def test_a_recipe_that_fails_leaves_out_its_sound_and_says_so_in_one_line(dummy_audio,
                                                                          monkeypatch):
    def broken(sample_rate, rng):
        raise FloatingPointError("the growl's filter blew up\nat sample 1234")

    monkeypatch.setitem(catalogue.SPECS, "growl", catalogue.Spec(broken, 0.75))
    mixer = AudioMixer(names=("growl", "bark_0"))
    try:
        assert mixer.available and mixer.error is None  # the device is fine
        assert list(mixer.unmade) == ["growl"]
        line = mixer.problem
        assert line is not None and "\n" not in line
        assert line.startswith("1 sound could not be made")
        assert "growl" in line and "FloatingPointError: the growl's filter blew up" in line
        mixer.play("growl")  # left out: silent, and no error
        mixer.play("bark_0")  # the others play
        assert "bark_0" in mixer._sounds and "growl" not in mixer._sounds
    finally:
        mixer.close()


def test_the_line_about_missing_sounds_names_a_few_and_counts_the_rest(dummy_audio,
                                                                       monkeypatch):
    def broken(sample_rate, rng):
        raise ValueError("x" * 500)

    names = ("bark_0", "bark_1", "bark_2", "growl", "whine")
    for name in names:
        monkeypatch.setitem(catalogue.SPECS, name, catalogue.Spec(broken, 0.5))
    mixer = AudioMixer(names=names)
    try:
        line = mixer.problem
        assert line is not None
        assert line.startswith("5 sounds could not be made") and "bark_2 and 2 more" in line
        assert "whine" not in line and len(line) < 300
    finally:
        mixer.close()


def test_the_sounds_are_made_without_pygame():
    """Synthesis is numpy only: a fresh interpreter makes a sound and never loads pygame."""
    code = ("import sys; from game.sound.catalogue import synthesize; "
            "x = synthesize('bark_0'); "
            "assert x.shape[1] == 2 and 'pygame' not in sys.modules, sorted(sys.modules)")
    subprocess.run([sys.executable, "-c", code], check=True, cwd=ROOT, timeout=120)


def test_mixer_format_conversion():
    data = synthesize("footstep_1")
    mono = mixer_mod._to_mixer_format(data, -16, 1)
    assert mono.ndim == 1 and mono.dtype == np.int16
    floats = mixer_mod._to_mixer_format(data, 32, 2)
    assert floats.dtype == np.float32 and np.abs(floats).max() <= 1.0
    unsigned = mixer_mod._to_mixer_format(data, 16, 2)
    assert unsigned.dtype == np.uint16


if __name__ == "__main__":
    if sys.argv[1:] != ["--write-reference"]:
        sys.exit("usage: python -m tests.test_audio --write-reference")
    REFERENCE.parent.mkdir(exist_ok=True)
    made = reference_of({name: synthesize(name, SR) for name in SOUND_NAMES})
    rows = ",\n".join(f"  {json.dumps(name)}: {json.dumps(entry)}"
                       for name, entry in made["sounds"].items())
    REFERENCE.write_text(f'{{"environment": {json.dumps(made["environment"])}, '
                         f'"sample_rate": {SR}, "sounds": {{\n{rows}\n}}}}\n')
    print(f"wrote {REFERENCE} ({made['environment']})")
