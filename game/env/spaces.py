"""Gymnasium spaces for a role's observation and actions (game/env/episode.py describes them)."""

from __future__ import annotations

from typing import Any

import numpy as np
from gymnasium import spaces

from game.env.episode import ACTION_NVEC


def observation_space(role: Any) -> spaces.Dict:
    """``{"grid": Box[channels, 2r+1, 2r+1], "vector": Box[features]}``, float32 in [-1, 1]."""
    return spaces.Dict({
        "grid": spaces.Box(role.grid_low, role.grid_high, dtype=np.float32),
        "vector": spaces.Box(-1.0, 1.0, shape=role.vector_shape, dtype=np.float32),
    })


def action_space(role: Any = None) -> spaces.MultiDiscrete:
    """A role's actions; Mila's (a direction, 0 stand or 1-8, and five held actions, 0 or 1)
    when the role has no ``action_nvec`` of its own."""
    return spaces.MultiDiscrete(np.array(getattr(role, "action_nvec", ACTION_NVEC), np.int64))
