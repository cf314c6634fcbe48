"""Train a tabular Mila on ``Rex/Mila-v0`` for a few minutes and compare her with ``calm``.

    python examples/train_mila.py [--minutes 3] [--envs 2] [--eval-seeds 20] [--out q.npz]

Needs the ai extra (``pip install -e '.[ai]'``) and nothing else: no deep-learning framework,
just numpy. The learner is Q-learning over a small table:

- the **state** is a handful of buckets read from the environment's ``vector`` observation
  (how far Rex is, if she sees him; his stress and trust, while the HUD shows them; whether
  she is at the maple tree, the passer-by is reaching for her, guns are raised, she is out of
  breath): 768 states;
- the **actions** are six ways to play Mila, each turned into one of the environment's
  MultiDiscrete actions every step: walk the route to the maple tree, stand still, kneel and
  whisper, kneel, whisper and lift a hand, kneel and show the collar, step back from the
  passer-by.

It trains on ``--envs`` environments at once (gymnasium's AsyncVectorEnv, a process each), from
seeds 1000 and up, for ``--minutes`` of wall time (epsilon-greedy, decaying), then
plays seeds 0 to N-1 greedily and prints its home rate beside the built-in ``calm`` policy's on
the same seeds (``calm`` decides every tick, as in ``rex batch``; the learner every ten). With
``--out`` it saves the table, which ``TabularMila`` plays from the command line:

    rex batch --policy examples.train_mila:TabularMila --policy-arg table=q.npz \\
              --decide-every 10 --policy calm --seeds 100
"""

from __future__ import annotations

import argparse
import io
import math
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from game import guarded  # noqa: E402
from game.env import RexMilaEnv  # noqa: E402 - the ai extra
from game.env.episode import VECTOR, MilaRole, vector_of  # noqa: E402
from game.headless import GameOptions, Runner  # noqa: E402
from game.observation import Observation  # noqa: E402
from game.sim.commands import Commands  # noqa: E402
from game.sim.mila import SIGHT  # noqa: E402

AT = {name: i for i, name in enumerate(VECTOR)}
ACTIONS = ("to_tree", "stand", "whisper", "hand", "collar", "step_back")
STATES = 4 * 4 * 3 * 2 * 2 * 2 * 2
DECIDE_EVERY = 10
# A saved table is STATES x 6 float64 values (37 kB); its reader refuses anything far larger,
# and anything that is not a regular file, as the game refuses such inputs.
TABLE = guarded.Kind("Q table", 1 << 20)


def state_of(vector: np.ndarray) -> int:
    """The table's row for an observation's vector."""
    distance = vector[AT["rex_distance"]] * SIGHT
    near = 0 if not vector[AT["rex_visible"]] else 1 if distance > 8 else 2 if distance > 4 else 3
    stress = 0 if not vector[AT["rex_meters_shown"]] else 1 + int(
        np.digitize(vector[AT["rex_stress"]], [0.25, 0.6]))
    trust = int(np.digitize(vector[AT["rex_trust"]], [0.35, 0.7]))
    flags = (vector[AT["at_tree"]] > 0, vector[AT["grabber_reaching"]] > 0,
             vector[AT["guns_raised"]] > 0, vector[AT["out_of_breath"]] > 0)
    index = ((near * 4 + stress) * 3 + trust)
    for flag in flags:
        index = index * 2 + int(flag)
    return index


def _toward(dx: float, dy: float, run: bool = False) -> Commands:
    return Commands.walk(dx, dy, run) if math.hypot(dx, dy) > 1e-6 else Commands()


def commands_of(choice: int, vector: np.ndarray) -> Commands:
    """One of ACTIONS as the commands Mila carries out this step."""
    breath = vector[AT["out_of_breath"]] == 0
    match ACTIONS[choice]:
        case "to_tree":
            return _toward(vector[AT["tree_dx"]], vector[AT["tree_dy"]])
        case "stand":
            return Commands()
        case "whisper":
            return Commands(kneel=True, whisper=breath)
        case "hand":
            return Commands(kneel=True, whisper=breath, lift_hand=True)
        case "collar":
            return Commands(kneel=True, whisper=breath, show_collar=True)
        case _:
            return _toward(-vector[AT["grabber_dx"]], -vector[AT["grabber_dy"]])


def train(minutes: float, envs: int = 2, seed: int = 0) -> tuple[np.ndarray, int]:
    """Q-learning for ``minutes`` of wall time on ``envs`` environments in worker processes
    (gymnasium's AsyncVectorEnv: one core each); the table and the episodes played."""
    from gymnasium.vector import AsyncVectorEnv

    rng = np.random.default_rng(seed)
    q = np.zeros((STATES, len(ACTIONS)))
    alpha, gamma = 0.1, 0.995
    vector_env = AsyncVectorEnv([lambda: RexMilaEnv(decide_every=DECIDE_EVERY)] * envs)
    try:
        obs, _ = vector_env.reset(seed=[1000 + i for i in range(envs)])
        states = [state_of(v) for v in obs["vector"]]
        restarting = [False] * envs  # the step after an episode's end only starts the next
        episodes = 0
        deadline = time.perf_counter() + minutes * 60
        while time.perf_counter() < deadline:
            epsilon = max(0.05, 0.5 * 0.97 ** episodes)
            choices = [int(rng.integers(len(ACTIONS))) if rng.random() < epsilon
                       else int(np.argmax(q[state])) for state in states]
            actions = np.stack([MilaRole.action_of(commands_of(c, v))
                                for c, v in zip(choices, obs["vector"], strict=True)])
            obs, rewards, terminated, truncated, _ = vector_env.step(actions)
            for i in range(envs):
                after = state_of(obs["vector"][i])
                if not restarting[i]:
                    target = rewards[i] + (0.0 if terminated[i] else gamma * q[after].max())
                    q[states[i], choices[i]] += alpha * (target - q[states[i], choices[i]])
                restarting[i] = bool(terminated[i] or truncated[i])
                episodes += restarting[i]
                states[i] = after
    finally:
        vector_env.close()
    return q, episodes


def home_rate_learned(q: np.ndarray, seeds: range) -> int:
    env = RexMilaEnv(decide_every=DECIDE_EVERY)
    homes = 0
    for seed in seeds:
        obs, _ = env.reset(seed=seed)
        done, info = False, {}
        while not done:
            choice = int(np.argmax(q[state_of(obs["vector"])]))
            obs, _, terminated, truncated, info = env.step(
                MilaRole.action_of(commands_of(choice, obs["vector"])))
            done = terminated or truncated
        homes += info["ending"] == "home"
    return homes


def home_rate_calm(seeds: range) -> int:
    runner = Runner(RexMilaEnv(decide_every=DECIDE_EVERY).episode.level)
    return sum(runner.play(seed, "calm", options=GameOptions())["ending"] == "home"
               for seed in seeds)


class TabularMila:
    """The trained table as a Mila policy: ``--policy-arg table=q.npz`` (decide every 10)."""

    def __init__(self, table: str):
        # Read through the game's guard: a FIFO or /dev/zero named by --policy-arg is one line
        # ("cannot create policy ...", exit 2), not a hang.
        with np.load(io.BytesIO(guarded.read_bytes(table, TABLE))) as saved:
            self.q = saved["q"]

    def act(self, obs: Observation) -> Commands:
        vector = vector_of(obs)
        return commands_of(int(np.argmax(self.q[state_of(vector)])), vector)


def main() -> None:
    parser = argparse.ArgumentParser(description="Train a tabular Mila on Rex/Mila-v0.")
    parser.add_argument("--minutes", type=float, default=3.0, help="training wall time")
    parser.add_argument("--eval-seeds", type=int, default=20, help="seeds 0 to N-1")
    parser.add_argument("--envs", type=int, default=2, help="environments (processes) to train on")
    parser.add_argument("--out", type=Path, help="save the table (.npz)")
    args = parser.parse_args()
    problem = None if args.out is None else guarded.output_file_problem("--out", args.out)
    if problem is not None:  # said before minutes of training, not after
        parser.error(problem)
    started = time.perf_counter()
    q, episodes = train(args.minutes, args.envs)
    print(f"trained on {episodes} episodes in {time.perf_counter() - started:.0f} s; "
          f"{int((q != 0).any(axis=1).sum())} of {STATES} states visited")
    if args.out is not None:
        with guarded.atomic_path(args.out) as temporary, temporary.open("wb") as out:
            np.savez(out, q=q)  # a file object: numpy adds no .npz to the name
        print(f"wrote {args.out}")
    seeds = range(args.eval_seeds)
    learned, calm = home_rate_learned(q, seeds), home_rate_calm(seeds)
    print(f"home rate on seeds 0-{len(seeds) - 1}: learned {learned}/{len(seeds)} "
          f"({learned / len(seeds):.0%}), calm {calm}/{len(seeds)} ({calm / len(seeds):.0%})")


if __name__ == "__main__":
    main()
