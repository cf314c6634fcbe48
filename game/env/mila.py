"""``RexMilaEnv``: the chase as a single-agent Gymnasium environment, the agent playing Mila.

Registered as ``Rex/Mila-v0`` (``gymnasium.make("Rex/Mila-v0", ...)`` once ``game.env`` is
imported). Each step is ``decide_every`` ticks of the simulation (10 by default: three
decisions a second) with the action's commands held; an episode ends with the chase
(``terminated``) or at ``max_seconds`` of play (``truncated``). ``reset(seed=s)`` plays the game
of seed s: the same seed and actions give the same world, to the bit (``state_hash()``).
Observation, actions and reward: game/env/episode.py and docs/ENV.md.

``render_mode="rgb_array"`` returns the game's own picture of the moment (the window's map,
sprites, lighting, HUD and minimap, following Mila); ``"human"`` shows it in a window after
every step. pygame is loaded only when a render mode is asked for.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, ClassVar

import gymnasium as gym
import numpy as np

from game.env.episode import Episode, MilaRole, Options, Reward
from game.env.spaces import action_space, observation_space
from game.level import Level
from game.tuning import DEFAULT, Tuning

SEED_RANGE = 2**31  # a seed drawn when reset() is given none


class RexMilaEnv(gym.Env):
    """Mila in the chase. Keyword arguments:

    ``map_path`` (a .tmx; default the shipped lakeside) or ``level`` (a loaded Level);
    ``tuning`` (a Tuning, or a dict of knob overrides); ``police``, ``civilians`` (the cast,
    both on by default); ``decide_every`` (ticks per step, default 10); ``max_seconds`` (cut
    the episode after this much play; default: the chase runs to its end, dusk at the latest);
    ``omniscient`` (observe the whole truth instead of what Mila perceives); ``reward`` (a
    ``Reward``: the endings' values and the shaping weights); ``patch_radius`` (the grid's
    reach, default 10 cells); ``render_mode`` (None, "rgb_array" or "human");
    ``render_size`` ((width, height) of the picture, default 960 x 540).
    """

    metadata: ClassVar[dict[str, Any]] = {"render_modes": ["rgb_array", "human"],
                                          "render_fps": 30}

    def __init__(self, *, map_path: str | Path | None = None, level: Level | None = None,
                 tuning: Tuning | dict[str, Any] = DEFAULT, police: bool = True,
                 civilians: bool = True, decide_every: int = 10,
                 max_seconds: float | None = None, omniscient: bool = False,
                 reward: Reward | None = None, patch_radius: int = 10,
                 render_mode: str | None = None,
                 render_size: tuple[int, int] = (960, 540)):
        if render_mode is not None and render_mode not in self.metadata["render_modes"]:
            raise ValueError(f"render_mode {render_mode!r} is not one of "
                             f"{self.metadata['render_modes']}")
        self.role = MilaRole(patch_radius, omniscient, reward or Reward())
        self.episode = Episode(Options(map_path, level, tuning, police, civilians,
                                       decide_every, max_seconds), {"mila": self.role})
        self.observation_space = observation_space(self.role)
        self.action_space = action_space()
        self.render_mode = render_mode
        self.render_size = render_size
        self._drawer: Any = None

    def reset(self, *, seed: int | None = None, options: dict[str, Any] | None = None
              ) -> tuple[dict[str, np.ndarray], dict[str, Any]]:
        super().reset(seed=seed)
        game_seed = seed if seed is not None else int(self.np_random.integers(SEED_RANGE))
        observations = self.episode.reset(game_seed)
        self._close_drawer()
        if self.render_mode == "human":
            self.render()
        return observations["mila"], self.episode.info()

    def step(self, action: Any) -> tuple[dict[str, np.ndarray], float, bool, bool,
                                         dict[str, Any]]:
        observations, rewards, ended, cut = self.episode.step({"mila": action})
        info = self.episode.info()
        if ended or cut:
            info["state_hash"] = self.episode.state_hash()
        if self.render_mode == "human":
            self.render()
        return observations["mila"], rewards["mila"], ended, cut, info

    def state_hash(self) -> str:
        """The world's digest: equal for equal seeds and actions, anywhere."""
        return self.episode.state_hash()

    @property
    def world(self) -> Any:
        """The simulation's World (read it; changing it breaks reproducibility)."""
        return self.episode.world

    def render(self) -> np.ndarray | None:
        if self.render_mode is None:
            gym.logger.warn("render() without a render_mode: give render_mode='rgb_array' or "
                            "'human' to the environment")
            return None
        world = self.episode.world
        if world is None:
            raise RuntimeError("reset the environment before rendering it")
        if self._drawer is None:
            from game.view.frame import FrameDrawer  # pygame only when a picture is wanted

            self._drawer = FrameDrawer(world.level, self.render_size,
                                       window=self.render_mode == "human")
        self._drawer.note(self.episode.events, world.seconds)
        if self.render_mode == "rgb_array":
            return self._drawer.rgb(world)
        self._drawer.draw(world)
        return None

    def _close_drawer(self) -> None:
        if self._drawer is not None and self.render_mode == "rgb_array":
            self._drawer = None  # a new game starts with a fresh HUD and radio log

    def close(self) -> None:
        if self._drawer is not None:
            self._drawer.close()
            self._drawer = None
