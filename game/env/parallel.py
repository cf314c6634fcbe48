"""``RexParallelEnv``: the chase as a PettingZoo ParallelEnv, one agent per role.

Its agents are ``"mila"`` (the same observation, actions and reward as RexMilaEnv) and
``"dylan"``, the Handler at the command center (game/env/dylan.py: the command center's picture
with its fog of war, a handful of orders, the ending's reward). The roles are kept in
``ROLES`` (name -> how to make it) and every per-agent method looks the role up by name.
By default Mila sits alone (Dylan follows his routine, as in the Mila game, and the games are
those of RexMilaEnv); ``agents=("mila", "dylan")`` seats the Handler too.
``parallel_env(**kwargs)`` makes one.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from pathlib import Path
from typing import Any, ClassVar

import gymnasium
import numpy as np
from pettingzoo import ParallelEnv

from game.env.dylan import DylanRole
from game.env.episode import Episode, MilaRole, Options, Reward
from game.env.spaces import action_space, observation_space
from game.level import Level
from game.tuning import DEFAULT, Tuning

SEED_RANGE = 2**31

# How each role is made from the environment's keyword arguments.
ROLES: dict[str, Callable[[dict[str, Any]], Any]] = {
    "mila": lambda kw: MilaRole(kw["patch_radius"], kw["omniscient"],
                                kw["reward"] or Reward()),
    "dylan": lambda kw: DylanRole(reward=kw["reward"] or Reward()),
}


class RexParallelEnv(ParallelEnv):
    """Every role in the chase acting at once; keyword arguments as RexMilaEnv's (without
    rendering), plus ``agents`` (the roles to seat: ``("mila",)`` by default, ``("mila",
    "dylan")`` for the Handler too)."""

    metadata: ClassVar[dict[str, Any]] = {"name": "rex_v0", "render_modes": []}

    def __init__(self, *, map_path: str | Path | None = None, level: Level | None = None,
                 tuning: Tuning | dict[str, Any] = DEFAULT, police: bool = True,
                 civilians: bool = True, decide_every: int = 10,
                 max_seconds: float | None = None, omniscient: bool = False,
                 reward: Reward | None = None, patch_radius: int = 10,
                 agents: tuple[str, ...] | None = None):
        seated = ("mila",) if agents is None else tuple(agents)
        unknown = [name for name in seated if name not in ROLES]
        if unknown or "mila" not in seated:
            raise ValueError(f"agents must include 'mila' and be among {list(ROLES)}; got "
                             f"{list(seated)}")
        made = {"patch_radius": patch_radius, "omniscient": omniscient, "reward": reward}
        self.roles = {name: ROLES[name](made) for name in seated}
        self.episode = Episode(Options(map_path, level, tuning, police, civilians,
                                       decide_every, max_seconds), self.roles)
        self.possible_agents = list(seated)
        self.agents: list[str] = []
        self._rng = np.random.default_rng()

    @functools.cache  # noqa: B019 - one space object per agent, as PettingZoo asks
    def observation_space(self, agent: str) -> gymnasium.spaces.Space:
        return observation_space(self.roles[agent])

    @functools.cache  # noqa: B019
    def action_space(self, agent: str) -> gymnasium.spaces.Space:
        return action_space(self.roles[agent])

    def reset(self, seed: int | None = None, options: dict[str, Any] | None = None
              ) -> tuple[dict[str, Any], dict[str, dict[str, Any]]]:
        if seed is not None:
            self._rng = np.random.default_rng(seed)
        game_seed = seed if seed is not None else int(self._rng.integers(SEED_RANGE))
        observations = self.episode.reset(game_seed)
        self.agents = list(self.possible_agents)
        info = self.episode.info()
        return observations, {agent: dict(info) for agent in self.agents}

    def step(self, actions: dict[str, Any]) -> tuple[dict[str, Any], dict[str, float],
                                                     dict[str, bool], dict[str, bool],
                                                     dict[str, dict[str, Any]]]:
        observations, rewards, ended, cut = self.episode.step(actions)
        info = self.episode.info()
        if ended or cut:
            info["state_hash"] = self.episode.state_hash()
        live = list(self.agents)
        terminated = dict.fromkeys(live, ended)
        truncated = dict.fromkeys(live, cut)
        if ended or cut:
            self.agents = []
        return ({a: observations[a] for a in live}, {a: rewards[a] for a in live},
                terminated, truncated, {a: dict(info) for a in live})

    def state_hash(self) -> str:
        return self.episode.state_hash()

    def close(self) -> None:
        pass


def parallel_env(**kwargs: Any) -> RexParallelEnv:
    """A RexParallelEnv (PettingZoo's usual maker name)."""
    return RexParallelEnv(**kwargs)
