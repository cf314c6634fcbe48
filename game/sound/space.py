"""Where a sound is heard: the equal-power pan law and the falloff of loudness with distance.

Pure math (standard library only), shared by the synthesis (which pans notes and voices) and
the mixer (which places sounds in the world relative to the camera).
"""

from __future__ import annotations

import math
from collections.abc import Sequence

PAN_LIMIT = 0.85  # sounds in the world are never fully in one ear: that sounds like headphones
NEAR_FRACTION = 0.08  # within this fraction of the hearing radius a sound is at full volume


def clamp(x: float, lo: float = 0.0, hi: float = 1.0) -> float:
    return lo if x < lo else hi if x > hi else x


def pan_gains(pan: float) -> tuple[float, float]:
    """Equal-power pan law: -1 is left, +1 right; left^2 + right^2 == 1, so loudness is even."""
    theta = (clamp(float(pan), -1.0, 1.0) + 1.0) * math.pi / 4.0
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
    closeness = clamp(distance / (NEAR_FRACTION * radius * 2.0))
    return PAN_LIMIT * clamp(dx / distance, -1.0, 1.0) * closeness


def spatialize(source_xy: Sequence[float], listener_xy: Sequence[float],
               hearing_radius: float) -> tuple[float, float]:
    """(gain, pan) of a sound at ``source_xy`` heard from ``listener_xy``."""
    dx = float(source_xy[0]) - float(listener_xy[0])
    dy = float(source_xy[1]) - float(listener_xy[1])
    distance = math.hypot(dx, dy)
    return distance_gain(distance, hearing_radius), offset_pan(dx, distance, hearing_radius)
