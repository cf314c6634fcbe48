"""Hostile inputs for the hardening tests and the benchmark: files of every kind (FIFOs,
devices, links to devices, /proc entries, oversized sparse files), maps that are slow or large
on purpose, and a runner that measures a ``rex`` command's time and peak memory.
"""

from __future__ import annotations

import math
import os
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from game import guarded
from game.contract import TERRAIN_ID
from tests import mapkit

ROOT = Path(__file__).resolve().parent.parent
HEADLESS = {**os.environ, "SDL_VIDEODRIVER": "dummy", "SDL_AUDIODRIVER": "dummy"}

# Kinds of file a path given to the game may be, besides a good regular file.
FILE_KINDS = ("empty", "directory", "fifo", "device", "link_to_device", "proc_entry",
              "oversized", "missing", "link_loop", "unreadable")


def root_reads_everything() -> bool:
    return hasattr(os, "geteuid") and os.geteuid() == 0


def make_file(kind: str, folder: Path, name: str, limit: int = guarded.MAP.limit) -> Path:
    """A path of the given kind in ``folder`` (or elsewhere, for devices and /proc)."""
    path = folder / name
    if kind == "empty":
        path.write_bytes(b"")
    elif kind == "directory":
        path.mkdir()
    elif kind == "fifo":
        os.mkfifo(path)
    elif kind == "device":
        return Path("/dev/zero")
    elif kind == "link_to_device":
        path.symlink_to("/dev/zero")
    elif kind == "proc_entry":
        return Path("/proc/self/status")
    elif kind == "oversized":
        with path.open("wb") as sparse:  # a hole costs no disk: the size is what counts
            sparse.truncate(limit + 1)
    elif kind == "missing":
        pass
    elif kind == "link_loop":
        path.symlink_to(path.name)
    elif kind == "unreadable":
        path.write_text("<map/>")
        path.chmod(0)
    else:
        raise ValueError(kind)
    return path


# -- maps that are large or slow on purpose ---------------------------------------------------


def many_inline_tilesets(folder: Path, count: int = 20_000) -> Path:
    """A valid map with ``count`` one-tile inline tilesets (3 MB of XML for 20,000)."""
    path = mapkit.write(mapkit.MapSpec(), folder)
    extra = "".join(f'<tileset firstgid="{100 + i}" name="t{i}" tilewidth="16" '
                    f'tileheight="16" tilecount="1" columns="1"><image source="t.png" '
                    f'width="16" height="16"/></tileset>' for i in range(count))
    return _insert(path, "<layer", extra)


def big_polygon(folder: Path, points: int = 200_000) -> Path:
    """A 256 x 256 map with a zone polygon of ``points`` points over most of it (3 MB)."""
    path = mapkit.write(mapkit.MapSpec(picture=_picture(256), encoding="base64"), folder)
    angles = np.linspace(0, 2 * math.pi, points, endpoint=False)
    centre, radius = 128 * mapkit.TILE, 120 * mapkit.TILE
    xs, ys = centre + radius * np.cos(angles), centre + radius * np.sin(angles)
    text = " ".join(f"{x:.2f},{y:.2f}" for x, y in zip(xs, ys, strict=True))
    zone = f'<object id="9000" type="zone" name="lake2" x="0" y="0"><polygon points="{text}"/>'
    return _insert(path, "</objectgroup>", zone + "</object>")


def many_big_layers(folder: Path, layers: int = 16, side: int = 1024) -> Path:
    """A ``side`` x ``side`` map with ``layers`` tile layers in all, as CSV (16 x 1M cells:
    33 MB); the extra layers are hidden grass, so the map stays valid whatever fits."""
    path = mapkit.write(mapkit.MapSpec(picture=_picture(side), encoding="base64"), folder)
    row = ",".join([str(TERRAIN_ID["grass"])] * side)  # mapkit's gid of a terrain is its id
    data = ",\n".join([row] * side)
    extra = "".join(f'<layer id="{100 + i}" name="decor {i}" width="{side}" height="{side}" '
                    f'visible="0"><data encoding="csv">\n{data}\n</data></layer>'
                    for i in range(layers - 1))
    return _insert(path, "<objectgroup", extra)


def many_tile_properties(folder: Path, tiles: int = 140_000) -> Path:
    """A valid map whose tileset gives ``tiles`` more tiles a terrain property each: close to
    the budget of 1,000,000 XML elements and attributes (7 a tile; 6 MB)."""
    path = mapkit.write(mapkit.MapSpec(), folder)
    extra = "".join(f'<tile id="{1000 + i}"><properties><property name="terrain" type="string" '
                    f'value="grass"/></properties></tile>' for i in range(tiles))
    return _insert(path, "</tileset>", extra)


def _insert(path: Path, before: str, text: str) -> Path:
    content = path.read_text()
    at = content.index(before)
    path.write_text(content[:at] + text + content[at:])
    return path


def _picture(side: int) -> str:
    rows = mapkit.VALID.strip("\n").split("\n")
    return "\n".join([row.ljust(side, ".") for row in rows] + ["." * side] * (side - len(rows)))


# -- running rex with a clock and a memory gauge ----------------------------------------------


@dataclass
class Run:
    returncode: int
    stdout: str
    stderr: str
    seconds: float
    peak_mb: float
    killed: bool  # ran past its time and was killed

    @property
    def lines(self) -> list[str]:
        return self.stderr.strip().splitlines() + self.stdout.strip().splitlines()


def cpu_seconds(pid: int) -> float:
    """The processor time a running process has used so far (user and system, from /proc)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


# Linux carries a process's high-water mark of memory (ru_maxrss) across fork and exec, so a
# command started straight from pytest reports pytest's own peak (hundreds of MB late in the
# suite) whenever that is the higher. rex is started by this launcher instead: a process of a
# few MB that forks it afresh, waits for it, writes its peak to a pipe and ends as it ended.
_LAUNCHER = """
import os, signal, sys
pid = os.fork()
if pid == 0:
    os.execv(sys.executable, [sys.executable, *sys.argv[2:]])
_, status, usage = os.wait4(pid, 0)
os.write(int(sys.argv[1]), str(usage.ru_maxrss).encode())
code = os.waitstatus_to_exitcode(status)
if code < 0:
    signal.signal(-code, signal.SIG_DFL)
    os.kill(os.getpid(), -code)
sys.exit(code)
"""


def run_rex(*args: str, timeout: float = 5.0, env: dict | None = None,
            cpu_limit: float | None = None) -> Run:
    """Run ``rex`` in a process of its own; its time, and its own peak memory (from wait4, in
    a launcher: see above).

    It is killed after ``timeout`` seconds of wall time or, if given, ``cpu_limit`` seconds of
    processor time: a command that spins uses processor time whatever the machine's load, so a
    processor limit finds a hang without failing a command that merely waited for a busy
    machine (give such a run a generous ``timeout``, which then only stops one that blocks).
    """
    started = time.monotonic()
    peak_read, peak_write = os.pipe()
    try:
        process = subprocess.Popen(
            [sys.executable, "-c", _LAUNCHER, str(peak_write), "-m", "game", *args], cwd=ROOT,
            env=env or HEADLESS, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
            start_new_session=True, pass_fds=(peak_write,))
    finally:
        os.close(peak_write)
    output: dict[str, bytes] = {}

    def drain(name: str, stream) -> None:
        output[name] = stream.read()

    readers = [threading.Thread(target=drain, args=(name, stream))
               for name, stream in (("out", process.stdout), ("err", process.stderr))]
    for reader in readers:
        reader.start()
    killed = False
    while True:
        pid, status, usage = os.wait4(process.pid, os.WNOHANG)
        if pid:
            break
        if time.monotonic() - started > timeout or (
                cpu_limit is not None and sum(cpu_seconds(each) for each in
                                              descendants(process.pid)) > cpu_limit):
            os.killpg(process.pid, signal.SIGKILL)
            killed = True
            pid, status, usage = os.wait4(process.pid, 0)
            break
        time.sleep(0.02)
    process.returncode = os.waitstatus_to_exitcode(status)
    for reader in readers:
        reader.join()
    with os.fdopen(peak_read, "rb") as pipe:
        peak = pipe.read()
    # A command killed before it ended leaves no figure of its own: the launcher's stands in.
    peak_kb = int(peak) if peak else usage.ru_maxrss
    return Run(process.returncode, output["out"].decode(errors="replace"),
               output["err"].decode(errors="replace"), time.monotonic() - started,
               peak_kb / 1024, killed)


def descendants(pid: int) -> set[int]:
    """Every process below ``pid`` now (from /proc)."""
    parents: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            parents[int(entry.name)] = int(fields[1])
    found, frontier = set(), {pid}
    while frontier:
        frontier = {child for child, parent in parents.items() if parent in frontier} - found
        found |= frontier
    return found


def running(pids: set[int]) -> set[int]:
    """Those of ``pids`` still running (a zombie has finished)."""
    alive = set()
    for pid in pids:
        try:
            state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
        except OSError:
            continue
        if state != "Z":
            alive.add(pid)
    return alive
