"""Hot reload on the default map: from the file's save to the new map playing.

``python -m benchmarks.reload [--rounds N]`` runs ``rex play --watch`` on a copy of lakeside
(its tileset and tile image beside it, as in the repository) and saves the map N times each of
two ways, like Tiled (a new file renamed over the old): with the wind changed (the scent
changes, so the stage's pre-warm is solved again) and with one police station's officers
changed (the scent does not, so the pre-warm comes from the stage cache). The game prints how
long each took from the save (the file's time) to the new map playing; this prints the median
of each, against the target of 1 s. The watcher waits for the file to be quiet for 0.3 s and
looks every 0.1 s, which is part of every figure.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from benchmarks.sizes import END as SIZES_END
from benchmarks.sizes import replace_between

ROOT = Path(__file__).resolve().parent.parent
START, END = "<!-- reload:start -->", "<!-- reload:end -->"
TARGET_S = 1.0
PLAYING = re.compile(r"the new map is playing ([0-9.]+) s after its save")


def save_like_tiled(path: Path, text: str) -> None:
    temporary = path.with_name(path.name + ".saving")
    temporary.write_text(text)
    os.replace(temporary, path)


def measure(rounds: int) -> dict[str, list[float]]:
    with tempfile.TemporaryDirectory() as folder:
        base = Path(folder)
        (base / "maps").mkdir()
        (base / "assets").mkdir()
        for name in ("maps/lakeside.tmx", "maps/city.tsx", "assets/tiles.png"):
            shutil.copy(ROOT / name, base / name)
        path = base / "maps" / "lakeside.tmx"
        original = path.read_text()
        env = {**os.environ, "SDL_VIDEODRIVER": "dummy", "SDL_AUDIODRIVER": "dummy",
               "XDG_CONFIG_HOME": str(base), "REX_STAGE_CACHE": str(base / "cache")}
        env.pop("REX_NO_STAGE_CACHE", None)
        frames = str(int(60 * (8 + 6 * rounds)))
        game = subprocess.Popen([sys.executable, "-m", "game", "play", "--map", str(path),
                                 "--watch", "--autoplay", "wait", "--seed", "1", "--frames",
                                 frames], cwd=ROOT, env=env, stderr=subprocess.PIPE,
                                text=True)
        lines: list[str] = []
        reader = threading.Thread(target=lambda: lines.extend(
            line.rstrip("\n") for line in game.stderr), daemon=True)
        reader.start()
        figures: dict[str, list[float]] = {"scent changed (pre-warm solved)": [],
                                           "scent unchanged (pre-warm cached)": []}
        try:
            _wait(lines, "watching", game)
            time.sleep(2.0)
            for k in range(rounds):
                wind = original.replace('name="wind_speed" type="float" value="0.4"',
                                        f'name="wind_speed" type="float" value="0.{5 + k}"')
                police = wind.replace('name="officers" type="int" value="3"',
                                      f'name="officers" type="int" value="{4 + k % 2}"')
                for text, label in ((wind, "scent changed (pre-warm solved)"),
                                    (police, "scent unchanged (pre-warm cached)")):
                    seen = len([line for line in lines if PLAYING.search(line)])
                    save_like_tiled(path, text)
                    line = _wait(lines, "the new map is playing", game, after=seen)
                    figures[label].append(float(PLAYING.search(line).group(1)))
                    time.sleep(1.5)
        finally:
            game.kill()
            game.wait()
    return figures


def _wait(lines: list[str], words: str, game: subprocess.Popen, after: int = 0,
          timeout: float = 60.0) -> str:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = [line for line in lines if words in line]
        if len(found) > after:
            return found[-1]
        if game.poll() is not None:
            raise SystemExit("rex play ended early:\n" + "\n".join(lines))
        time.sleep(0.02)
    raise SystemExit(f"no {words!r} from rex play:\n" + "\n".join(lines))


def table(figures: dict[str, list[float]]) -> str:
    lines = ["| hot reload, lakeside (median of the saves) | save to playing | target | |",
             "| --- | ---: | ---: | --- |"]
    for label, values in figures.items():
        median = statistics.median(values)
        verdict = "met" if median < TARGET_S else "**missed**"
        lines.append(f"| {label}, {len(values)} saves | {median:.2f} s | < {TARGET_S:.0f} s "
                     f"| {verdict} |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--write", action="store_true",
                        help="put the table into README.md and benchmarks/RESULTS.md")
    args = parser.parse_args()
    text = table(measure(args.rounds))
    print(text)
    if args.write:
        note = f"`python -m benchmarks.reload --rounds {args.rounds}` (`make bench`):"
        for path in (ROOT / "README.md", ROOT / "benchmarks" / "RESULTS.md"):
            replace_between(path, START, END, f"{note}\n\n{text}", SIZES_END)


if __name__ == "__main__":
    main()
