"""Rex for reinforcement learning: Gymnasium and PettingZoo environments (the ``ai`` extra).

``RexMilaEnv`` (registered as ``Rex/Mila-v0``) lets one agent play Mila; ``RexParallelEnv``
(``parallel_env()``) seats every role as a PettingZoo ParallelEnv. Both need ``gymnasium`` and
``pettingzoo``: ``pip install 'rex-chase[ai]'``. Nothing else in the game imports this package.
docs/ENV.md documents the observation, the actions, the reward and the throughput.
"""

from __future__ import annotations

try:
    import gymnasium
except ImportError as err:  # the optional extra is missing: say how to get it
    raise ImportError("game.env needs gymnasium and pettingzoo: pip install 'rex-chase[ai]' "
                      "(or make test EXTRAS=dev,ai)") from err

from game.env.episode import CHANNELS, VECTOR, Reward
from game.env.mila import RexMilaEnv

ENV_ID = "Rex/Mila-v0"

if ENV_ID not in gymnasium.registry:
    gymnasium.register(ENV_ID, entry_point="game.env.mila:RexMilaEnv")


def __getattr__(name: str) -> object:
    # PettingZoo is imported only by those who use the multi-agent environment.
    if name in ("RexParallelEnv", "parallel_env"):
        from game.env import parallel

        return getattr(parallel, name)
    raise AttributeError(f"module 'game.env' has no attribute {name!r}")


__all__ = ["CHANNELS", "ENV_ID", "VECTOR", "Reward", "RexMilaEnv", "RexParallelEnv",
           "parallel_env"]
