"""The same map, seed and commands give the same game: in one process, in two, and without
pygame anywhere near the simulation."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from game.headless import GameOptions, Runner
from game.sim.chase import step
from game.sim.commands import IDLE
from game.sim.stage import Stage
from game.sim.world import World
from game.tiled import read_level
from game.tuning import Tuning
from tests import mapkit

FAST = Tuning(prewarm_seconds=60.0)
ROOT = Path(__file__).resolve().parent.parent


def test_same_seed_same_hash_in_one_process(tmp_path):
    level = read_level(mapkit.write(mapkit.MapSpec(), tmp_path))
    runner = Runner(level)
    options = GameOptions(max_seconds=45)
    first = runner.play(5, "wander", tuning=FAST, options=options)
    again = runner.play(5, "wander", tuning=FAST, options=options)
    fresh = Runner(read_level(mapkit.write(mapkit.MapSpec(), tmp_path / "b"))).play(
        5, "wander", tuning=FAST, options=options)
    assert first["state_hash"] == again["state_hash"] == fresh["state_hash"]
    other = runner.play(6, "wander", tuning=FAST, options=options)
    assert other["state_hash"] != first["state_hash"]


def test_the_hash_covers_what_changes(tmp_path):
    level = read_level(mapkit.write(mapkit.MapSpec(), tmp_path))
    stage = Stage(level, FAST)
    a, b = World(level, 1, FAST, stage=stage), World(level, 1, FAST, stage=stage)
    assert a.state_hash() == b.state_hash()
    b.mila.x += 1e-9
    assert a.state_hash() != b.state_hash()
    b = World(level, 1, FAST, stage=stage)
    b.scent.collar[b.scent.index(3, 3)] *= 1.0000001
    assert a.state_hash() != b.state_hash()
    b = World(level, 1, FAST, stage=stage)
    step(a, IDLE)
    assert a.state_hash() != b.state_hash()  # the tick itself


SCRIPT = """
import json, sys
from game.headless import GameOptions, Runner
from game.tiled import read_level
from game.tuning import Tuning
result = Runner(read_level(sys.argv[1])).play(
    11, "wait", tuning=Tuning(prewarm_seconds=60.0), options=GameOptions(max_seconds=40))
print(json.dumps({"hash": result["state_hash"], "pygame": "pygame" in sys.modules,
                  "sdl": any(m.startswith("pygame") for m in sys.modules)}))
"""


def test_same_hash_in_two_processes_and_no_pygame(tmp_path):
    path = mapkit.write(mapkit.MapSpec(), tmp_path)
    outputs = [
        json.loads(subprocess.run([sys.executable, "-c", SCRIPT, str(path)], cwd=ROOT,
                                  capture_output=True, text=True, check=True).stdout)
        for _ in range(2)
    ]
    assert outputs[0]["hash"] == outputs[1]["hash"]
    assert not outputs[0]["pygame"] and not outputs[0]["sdl"]
    in_process = Runner(read_level(path)).play(11, "wait", tuning=FAST,
                                               options=GameOptions(max_seconds=40))
    assert in_process["state_hash"] == outputs[0]["hash"]


def test_the_simulation_package_never_imports_pygame():
    """Every module of game/sim, imported in a fresh interpreter, brings in no pygame, no
    pytmx, no XML parser, nothing of the view or of the map reader."""
    modules = sorted(f"game.sim.{path.stem}" for path in (ROOT / "game" / "sim").glob("*.py")
                     if path.stem != "__init__")
    code = ("import importlib, json, sys\n"
            f"for name in {modules!r}:\n"
            "    importlib.import_module(name)\n"
            "print(json.dumps(sorted(sys.modules)))")
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True,
                            text=True, check=True)
    loaded = json.loads(result.stdout)
    assert set(modules) <= set(loaded)  # the imports did happen
    assert _unwanted(loaded) == []


# What the simulation must never load: the window, the map file's reader and its parsers.
UNWANTED = ("pygame", "pytmx", "xml", "pyexpat", "game.view", "game.tiled", "game.mapcheck",
            "game.guarded")


def _unwanted(modules: list[str]) -> list[str]:
    return [m for m in modules if any(m == u or m.startswith(u + ".") for u in UNWANTED)]


def test_importing_the_world_loads_no_parser_and_no_pygame():
    """The acceptance check as written: ``python -X importtime -c "import game.sim.world"``."""
    result = subprocess.run([sys.executable, "-X", "importtime", "-c", "import game.sim.world"],
                            cwd=ROOT, capture_output=True, text=True, check=True)
    imported = [line.rsplit("|", 1)[1].strip() for line in result.stderr.splitlines()
                if line.startswith("import time:") and "|" in line]
    assert "game.sim.world" in imported and "numpy" in imported
    assert _unwanted(imported) == []
