"""The Rex extension inside the real Tiled: a broken map's problems reach the Issues panel.

Tiled runs under Xvfb with a copy of the project and of lakeside.tmx broken in three known
ways. The extension (maps/extensions/rex.js), in its test mode (REX_TILED_TEST), saves the map
as an author would, which runs `rex check-map --json`; it reports every problem with
tiled.error / tiled.warn, activates each one as a click in the Issues panel would, writes what
it reported and what got selected, and quits Tiled. The test compares that with
`rex check-map --json` on the same file.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path
from xml.etree import ElementTree

import numpy as np
import pytest

from game.contract import TERRAIN_ID
from game.tiled import read_level
from tests.test_project import tiled_env

ROOT = Path(__file__).resolve().parent.parent
MAPS = ROOT / "maps"
VENV_REX = Path(sys.prefix) / "bin" / "rex"

pytestmark = [
    pytest.mark.tiled,
    pytest.mark.skipif(shutil.which("tiled") is None, reason="the Tiled editor is not installed"),
    pytest.mark.skipif(shutil.which("xvfb-run") is None, reason="xvfb-run is not installed"),
    pytest.mark.skipif(not VENV_REX.exists(), reason="rex is not installed in this Python's venv"),
]


def interior_cell(mask: np.ndarray, margin: int) -> tuple[int, int]:
    """A cell of the mask at least ``margin`` tiles from every edge (so a view can centre it)."""
    ys, xs = np.nonzero(mask)
    height, width = mask.shape
    inside = (xs >= margin) & (xs < width - margin) & (ys >= margin) & (ys < height - margin)
    assert inside.any()
    return int(xs[inside][0]), int(ys[inside][0])


def set_cell(layer: ElementTree.Element, width: int, x: int, y: int, gid: int) -> None:
    data = layer.find("data")
    assert data is not None and data.get("encoding") == "csv"
    gids = [int(v) for v in (data.text or "").replace("\n", "").split(",")]
    gids[y * width + x] = gid
    rows = [",".join(map(str, gids[r * width:(r + 1) * width])) for r in range(len(gids) // width)]
    data.text = "\n" + ",\n".join(rows) + "\n"


def break_map(source: Path, target: Path) -> dict[str, object]:
    """lakeside.tmx with Mila's spawn on a building, a cell with no terrain and an unknown
    class; returns what was broken where."""
    level = read_level(source)
    tree = ElementTree.parse(source)
    root = tree.getroot()
    width = int(root.get("width", "0"))
    tile = int(root.get("tilewidth", "0"))
    wall = interior_cell(level.terrain == TERRAIN_ID["building"], 30)
    layers = {layer.get("name"): layer for layer in root.iter("layer")}
    decor = level.art_layers[1].gids
    bare = interior_cell((level.terrain == TERRAIN_ID["grass"]) & (decor == 0), 40)
    set_cell(layers["ground"], width, *bare, 0)
    objects = list(root.iter("object"))
    mila = next(o for o in objects if o.get("type") == "mila_spawn")
    mila.set("x", str((wall[0] + 0.5) * tile))
    mila.set("y", str((wall[1] + 0.5) * tile))
    smell = next(o for o in objects if o.get("type") == "scent_source")
    smell.set("type", "scent_sorce")
    tree.write(target, encoding="UTF-8", xml_declaration=True)
    return {"wall": wall, "mila": int(mila.get("id", "0")), "bare": bare,
            "smell": int(smell.get("id", "0"))}


def project_copy(tmp_path: Path) -> tuple[Path, Path]:
    """The project (with its extension), the art and a project .venv; returns (project, map)."""
    maps = tmp_path / "maps"
    shutil.copytree(MAPS, maps, ignore=shutil.ignore_patterns("*.tiled-session", "*.tmx",
                                                              "*.tiled-local.json"))
    shutil.copytree(ROOT / "assets", tmp_path / "assets")
    (tmp_path / ".venv").symlink_to(Path(sys.prefix), target_is_directory=True)
    broken = maps / "broken.tmx"
    project = maps / "rex.tiled-project"
    # Tiled 1.8 loads a project named on its command line only through its session file.
    project.with_suffix(".tiled-session").write_text(json.dumps(
        {"project": project.name, "openFiles": [broken.name], "activeFile": broken.name}))
    return project, broken


def trust(env: dict[str, str], project: Path) -> None:
    """What pressing "Enable Extensions" once stores in Tiled's settings."""
    conf = Path(env["XDG_CONFIG_HOME"]) / "mapeditor.org" / "tiled.conf"
    conf.parent.mkdir(parents=True, exist_ok=True)
    conf.write_text(f"[Scripting]\nEnabledProjects={project}\n")


def left_running(group: int) -> list[str]:
    """The live processes of a process group (zombies, which only wait to be reaped, aside)."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            text = stat.read_text()
        except OSError:
            continue  # it ended while we looked
        state, _parent, pgrp = text[text.rindex(")") + 2:].split()[:3]
        if int(pgrp) == group and state != "Z":
            found.append(text[text.index("(") + 1:text.rindex(")")])
    return found


def run_tiled(project: Path, env: dict[str, str], out: Path, log: Path) -> list[str]:
    """Run Tiled until its extension quits it; the processes it started that outlived it."""
    command = ["xvfb-run", "-a", "-s", "-screen 0 1280x800x24", "tiled", "--new-instance",
               str(project)]
    with log.open("w") as sink:
        proc = subprocess.Popen(command, env=env, stdout=sink, stderr=subprocess.STDOUT,
                                cwd=project.parent, start_new_session=True)
        try:
            proc.wait(timeout=90)
        except subprocess.TimeoutExpired:
            pass
        finally:
            time.sleep(0.5)
            orphans = left_running(proc.pid)
            if orphans:  # Xvfb, Tiled and any game it started, all at once
                os.killpg(proc.pid, signal.SIGTERM)
                time.sleep(1)
                if left_running(proc.pid):
                    os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
    assert out.exists(), "the extension wrote no report:\n" + log.read_text()[-3000:]
    return orphans


def tiled_in_test_mode(tmp_path: Path, project: Path, **extra: str) -> tuple[dict, list[str]]:
    """Tiled with the project's extension trusted and in its test mode: (its report, orphans)."""
    env = tiled_env(tmp_path / "home")
    trust(env, project)
    out = tmp_path / "issues.json"
    env.update({"QT_QPA_PLATFORM": "xcb", "REX_TILED_TEST": str(out), "REX_TILED_TEST_QUIT": "1",
                "SDL_VIDEODRIVER": "dummy", "SDL_AUDIODRIVER": "dummy", **extra})
    env.pop("DISPLAY", None)
    orphans = run_tiled(project, env, out, tmp_path / "tiled.log")
    return json.loads(out.read_text()), orphans


def test_tiled_shows_the_checkers_problems_and_selects_what_they_name(tmp_path):
    project, broken = project_copy(tmp_path)
    broke = break_map(MAPS / "lakeside.tmx", broken)
    seen, orphans = tiled_in_test_mode(tmp_path, project)
    assert orphans == []
    assert seen["rex"]["how"] == "the project's .venv"
    assert seen["messages"] == []

    # What the checker says about the file Tiled saved, run here on its own.
    done = subprocess.run([str(VENV_REX), "check-map", "--json", str(broken)],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 1, done.stderr
    (checked,) = json.loads(done.stdout)["files"]
    problems = checked["problems"]

    # The three known problems are among them, each where it was made.
    by_message = {p["message"]: p for p in problems}
    wall = next(p for m, p in by_message.items() if m.startswith("stands on building"))
    assert (wall["object"], wall["cell"]) == (broke["mila"], list(broke["wall"]))
    bare = next(p for m, p in by_message.items() if m.startswith("has no terrain"))
    assert bare["cell"] == list(broke["bare"])
    smell = next(p for m, p in by_message.items() if "unknown object class 'scent_sorce'" in m)
    assert (smell["severity"], smell["object"]) == ("warning", broke["smell"])

    # Tiled's Issues panel got exactly these, in order, with the same severity.
    issues = seen["issues"]
    assert [(i["severity"], i["text"]) for i in issues] == [
        (p["severity"], f"{broken.name}: {p['where']}: {p['message']}") for p in problems]

    # Activating each one selected what it names and centred the view on its cell.
    for problem, issue in zip(problems, issues, strict=True):
        shown = issue["shown"]
        if "object" in problem:
            assert shown["objects"] == [problem["object"]], issue
            assert shown["layer"]["id"] == problem["layer"]["id"], issue
        if "cell" in problem:
            x, y = problem["cell"]
            cx, cy = shown["centre"]
            assert abs(cx - (x + 0.5)) < 0.6 and abs(cy - (y + 0.5)) < 0.6, issue
        # Only what the problem names stays selected.
        if "object" in problem:
            assert shown["area"] is None, issue
        else:
            assert shown["objects"] == [], issue
            assert shown["area"] == ([*problem["cell"], 1, 1] if "cell" in problem else None)


def test_play_twice_runs_one_game_and_says_so(tmp_path):
    """F5 starts `rex play --watch` on the open map; F5 again while it runs starts nothing."""
    project, opened = project_copy(tmp_path)
    shutil.copy(MAPS / "lakeside.tmx", opened)  # a valid map this time
    seen, orphans = tiled_in_test_mode(tmp_path, project, REX_TILED_TEST_PLAY="1")
    assert seen["playing"] == [str(opened)]  # the first game still ran seconds later
    assert len(seen["messages"]) == 1 and seen["messages"][0].startswith(
        f"Rex is already running {opened.name}."), seen["messages"]
    assert seen["issues"] == []  # and it did not stop with an error
    assert orphans == [], "the game outlived Tiled"
