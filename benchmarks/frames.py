"""Frame time of the game window: median and 95th percentile at 1280x720, dummy video driver.

``python -m benchmarks.frames [--frames N] [--warmup N] [--seed S] [--policy P]`` plays the
default map with a policy as Mila, at a virtual 60 frames a second (a tick every other frame,
as on a 60 Hz screen), first with the overlays off and then with the scent overlay on, and
prints a small table. A frame is everything the window does: events, the simulation's ticks,
the sounds' bookkeeping, drawing and the flip. Sound output is off (its mixing runs on SDL's
own thread in a real game). Targets: 4 ms median without overlays, 6 ms with the scent one.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

os.environ.setdefault("SDL_VIDEODRIVER", "dummy")
os.environ.setdefault("SDL_AUDIODRIVER", "dummy")

from game.mapcheck import load_checked  # noqa: E402
from game.view.app import App, PlayOptions  # noqa: E402

DEFAULT_MAP = ROOT / "maps" / "lakeside.tmx"
TARGETS_MS = {"off": 4.0, "scent": 6.0}


def measure(level, overlays: tuple[str, ...], args: argparse.Namespace, settings: Path
            ) -> tuple[list[float], int, int]:
    """Frame times (ms) after the warm-up, and the cast on screen at the end."""
    app = App(level, PlayOptions(seed=args.seed, frames=args.warmup + args.frames,
                                 autoplay=args.policy, overlays=overlays, audio=False,
                                 settings_path=settings))
    try:
        app.start()
        for _ in range(args.warmup + args.frames):
            app.frame(1.0 / 60.0)
        times = [t * 1000.0 for t in app.frame_times[args.warmup:]]
        game = app.game
        on_screen = len(game.placed) if game is not None else 0
        ticks = game.session.world.tick if game is not None else 0
    finally:
        app.close()
    return times, on_screen, ticks


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--frames", type=int, default=1800)
    parser.add_argument("--warmup", type=int, default=600,
                        help="frames first played untimed, so the police and crowd are out")
    parser.add_argument("--seed", type=int, default=3)
    parser.add_argument("--policy", default="wait")
    parser.add_argument("--map", type=Path, default=DEFAULT_MAP)
    args = parser.parse_args()
    level = load_checked(args.map)
    rows = []
    with tempfile.TemporaryDirectory() as folder:
        for name, overlays in (("off", ()), ("scent", ("scent",))):
            times, on_screen, ticks = measure(level, overlays, args, Path(folder) / "s.json")
            ordered = sorted(times)
            p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
            rows.append((name, len(times), statistics.median(times), p95, TARGETS_MS[name],
                         on_screen, ticks))
    print(f"frame time, {args.map.name}, 1280x720, dummy driver, policy {args.policy}, "
          f"seed {args.seed}")
    print("| overlays | frames | median ms | p95 ms | target median | actors on screen |")
    print("|---|---|---|---|---|---|")
    for name, count, median, p95, target, on_screen, _ in rows:
        print(f"| {name} | {count} | {median:.2f} | {p95:.2f} | <= {target:g} ms | "
              f"{on_screen} |")


if __name__ == "__main__":
    main()
