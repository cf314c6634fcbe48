"""Rex's sound, made with numpy alone: no pygame, no files, testable without an audio device.

``dsp`` holds the building blocks (envelopes, oscillators, FFT filters, noise, reverb),
``effects`` the recipes of every sound effect, ``music`` the score sequencer and the three
pieces, ``catalogue`` the names, captions and ``synthesize(name)`` that turns a recipe into
int16 stereo samples, and ``space`` the pure mixing math (pan law, distance falloff). Only the
mixer that plays the samples (game/view/mixer.py) touches pygame.
"""
