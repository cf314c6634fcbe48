"""Hostile inputs: how long ``rex`` takes, and how much memory, to refuse or to load each.

The target (issue 14) is one line and an exit within 5 s and under 500 MB, or the documented
behaviour. Every case runs ``rex`` in a process of its own, its peak memory read from wait4.
Run with ``python -m benchmarks.hostile``; it prints a Markdown table.
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests import hostile, mapkit  # noqa: E402

DEFAULT_MAP = ROOT / "maps" / "lakeside.tmx"


def _template_fifo(folder: Path) -> list[str]:
    path = mapkit.write(mapkit.MapSpec(), folder)
    text = path.read_text()
    at = text.index("</objectgroup>")
    path.write_text(text[:at] + '<object id="700" template="spawn.tx" x="8" y="8"/>' + text[at:])
    os.mkfifo(folder / "spawn.tx")
    return ["check-map", str(path)]


def _replay_of_dev_zero(folder: Path) -> list[str]:
    game_map = mapkit.write(mapkit.MapSpec(), folder)
    replay = folder / "game.rpl"
    hostile.run_rex("sim", "--map", str(game_map), "--max-minutes", "0.05", "--record",
                    str(replay), timeout=60)
    data = json.loads(replay.read_text())
    replay.write_text(json.dumps({**data, "map_path": "/dev/zero"}))
    return ["sim", "--replay", str(replay)]


CASES: list[tuple[str, Callable[[Path], list[str]]]] = [
    ("check-map /dev/zero", lambda folder: ["check-map", "/dev/zero"]),
    ("sim --map /dev/zero", lambda folder: ["sim", "--map", "/dev/zero"]),
    ("a template that is a FIFO", _template_fifo),
    ("a replay whose map is /dev/zero", _replay_of_dev_zero),
    ("20,000 inline tilesets (3 MB)",
     lambda folder: ["check-map", str(hostile.many_inline_tilesets(folder))]),
    ("a polygon of 200,000 points",
     lambda folder: ["check-map", str(hostile.big_polygon(folder))]),
    ("140,000 tiles with a property (the XML budget)",
     lambda folder: ["check-map", str(hostile.many_tile_properties(folder))]),
    ("16 layers of 1M cells (37 MB): refused",
     lambda folder: ["check-map", str(hostile.many_big_layers(folder))]),
    ("7 layers of 1M cells, the most that fit",
     lambda folder: ["check-map", str(hostile.many_big_layers(folder, layers=7))]),
    ("sim --policy os:system (lakeside)",
     lambda folder: ["sim", "--map", str(DEFAULT_MAP), "--policy", "os:system"]),
]


def main() -> None:
    rows = ["| case | exit | seconds | peak memory |", "| --- | ---: | ---: | ---: |"]
    for name, build in CASES:
        with tempfile.TemporaryDirectory(prefix="rex-hostile-") as folder:
            argv = build(Path(folder))
            run = hostile.run_rex(*argv, timeout=120)
        status = "killed" if run.killed else str(run.returncode)
        rows.append(f"| {name} | {status} | {run.seconds:.1f} | {run.peak_mb:.0f} MB |")
        print(rows[-1], flush=True)
    print("\n".join(rows))


if __name__ == "__main__":
    main()
