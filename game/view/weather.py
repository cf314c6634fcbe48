"""Weather of the hour: autumn leaves blowing through the view on the map's wind, drawn with
pygame.

A few dozen leaves live in world coordinates around the camera, drift downwind (faster than
the scent does, so the wind reads at a glance) with a flutter across it, and are blown back in
on the upwind side when they leave. They are drawn under the light of the hour, so they dim
with it. Purely for the eye: their random numbers come from the view's own generator, never
the world's.
"""

from __future__ import annotations

import math

import numpy as np
import pygame

from game.view.camera import Camera

LEAVES = 48
LEAF_COLOURS = ((214, 98, 38), (236, 150, 52), (190, 64, 36), (222, 184, 70), (150, 110, 60))
DRIFT = (1.2, 5.0)  # tiles per second: the leaves' speed in still air, plus per tile/s of wind


class Leaves:
    def __init__(self, wind_deg: float, wind_speed: float, seed: int = 0):
        self.rng = np.random.default_rng([seed, 0x1EAF])
        angle = math.radians(wind_deg)
        speed = DRIFT[0] + DRIFT[1] * wind_speed
        self.velocity = np.array([math.cos(angle), math.sin(angle)]) * speed
        self.positions = np.zeros((LEAVES, 2))
        self.phase = self.rng.uniform(0, 2 * math.pi, LEAVES)
        self.colour = self.rng.integers(0, len(LEAF_COLOURS), LEAVES)
        self._placed = False

    def _area(self, camera: Camera) -> tuple[np.ndarray, np.ndarray]:
        """The view in tiles, with a margin for leaves to blow in from."""
        left, top = camera.to_tiles(-64, -64)
        right, bottom = camera.to_tiles(camera.view_w + 64, camera.view_h + 64)
        return np.array([left, top]), np.array([right, bottom])

    def update(self, dt: float, camera: Camera) -> None:
        low, high = self._area(camera)
        if not self._placed:
            self.positions = self.rng.uniform(low, high, (LEAVES, 2))
            self._placed = True
        self.phase += dt * 3.0
        across = np.array([-self.velocity[1], self.velocity[0]]) * 0.35
        self.positions += (self.velocity + np.outer(np.sin(self.phase), across)) * dt
        outside = ((self.positions < low) | (self.positions > high)).any(axis=1)
        if outside.any():
            # Blown back in at the upwind edge (or anywhere, when the camera jumped away).
            fresh = self.rng.uniform(low, high, (int(outside.sum()), 2))
            for axis in (0, 1):
                if self.velocity[axis] > 0.3:
                    fresh[:, axis] = low[axis]
                elif self.velocity[axis] < -0.3:
                    fresh[:, axis] = high[axis]
            self.positions[outside] = fresh

    def draw(self, target: pygame.Surface, camera: Camera) -> None:
        px = camera.tile_px
        size = max(2, px // 9)
        xs = np.rint(self.positions[:, 0] * px - camera.left_px).astype(int).tolist()
        ys = np.rint(self.positions[:, 1] * px - camera.top_px).astype(int).tolist()
        # A leaf turning over: wide, then edge-on, then wide again.
        widths = np.maximum(1, np.rint(size * (1.0 + np.abs(np.sin(self.phase * 1.7))))
                            ).astype(int).tolist()
        for x, y, w, colour in zip(xs, ys, widths, self.colour.tolist(), strict=True):
            target.fill(LEAF_COLOURS[colour], (x, y, w, size))
