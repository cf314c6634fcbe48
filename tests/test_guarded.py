"""The guarded reader and the checked writers, and every kind of input file given every kind of
path: a clean refusal in one line, never a hang, a traceback or a read without end."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import struct
import subprocess
import zlib
from pathlib import Path

import pytest

from game import cli, guarded
from game.tiled import read_level
from game.view import settings as settings_mod
from tests import hostile, mapkit

AS_ROOT = hostile.root_reads_everything()
ROOT_SKIP = "root reads files whatever their permissions say"


@contextlib.contextmanager
def deadline(seconds: float = 5.0):
    """Fail (instead of hanging) if the block takes longer than ``seconds``."""
    def expired(*_: object) -> None:
        raise TimeoutError(f"took more than {seconds} s")

    previous = signal.signal(signal.SIGALRM, expired)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def run_cli(capsys, *argv: str) -> tuple[int, list[str]]:
    """``rex argv`` in this process: the exit status and every line it printed."""
    with deadline():
        try:
            status = cli.main(list(argv))
        except SystemExit as exit_:
            status = exit_.code
    out = capsys.readouterr()
    assert "Traceback" not in out.err + out.out
    return status, [line for line in (out.err + out.out).splitlines() if line.strip()]


def skip_unreadable(kind: str) -> None:
    if kind == "unreadable" and AS_ROOT:
        pytest.skip(ROOT_SKIP)


# -- the reader --------------------------------------------------------------------------------

SMALL = guarded.Kind("test file", 10)


def test_a_regular_file_within_its_limit_is_read_whole(tmp_path):
    path = tmp_path / "ten"
    path.write_bytes(b"0123456789")
    assert guarded.read_bytes(path, SMALL) == b"0123456789"
    link = tmp_path / "link"
    link.symlink_to(path)
    assert guarded.read_text(link, SMALL) == "0123456789"  # a link to a file is that file


def test_one_byte_over_the_limit_is_refused(tmp_path):
    path = tmp_path / "eleven"
    path.write_bytes(b"01234567890")
    with pytest.raises(guarded.InputError) as caught:
        guarded.read_bytes(path, SMALL)
    assert caught.value.reason == "is 11 bytes; the limit for a test file is 10 bytes"


def test_a_sparse_file_of_a_terabyte_is_refused_before_reading(tmp_path):
    path = tmp_path / "huge.tmx"
    with path.open("wb") as sparse:
        sparse.truncate(1 << 40)
    with deadline(1.0), pytest.raises(guarded.InputError) as caught:
        guarded.read_bytes(path, guarded.MAP)
    assert caught.value.reason == "is 1024 GiB; the limit for a map is 64 MiB"


@pytest.mark.parametrize("kind, reason", [
    ("empty", None),
    ("directory", "is a directory, not a file"),
    ("fifo", "is a FIFO (named pipe), not a regular file"),
    ("device", "is a character device, not a regular file"),
    ("link_to_device", "is a link to /dev/zero, a character device, not a regular file"),
    ("proc_entry", "a /proc entry, not a regular file"),
    ("oversized", "is 64 MiB; the limit for a map is 64 MiB"),
    ("missing", "file not found: "),
    ("link_loop", "Too many levels of symbolic links"),
    ("unreadable", "permission denied"),
])
def test_every_kind_of_path_is_read_or_refused_with_its_reason(tmp_path, kind, reason):
    skip_unreadable(kind)
    path = hostile.make_file(kind, tmp_path, "map.tmx")
    with deadline(2.0):
        if reason is None:
            assert guarded.read_bytes(path, guarded.MAP) == b""
            return
        with pytest.raises(guarded.InputError) as caught:
            guarded.read_bytes(path, guarded.MAP)
    assert reason in caught.value.reason
    assert "\n" not in str(caught.value)


def png_header(width: int, height: int) -> bytes:
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 6, 0, 0, 0)
    chunk = b"IHDR" + ihdr
    return (b"\x89PNG\r\n\x1a\n" + struct.pack(">I", len(ihdr)) + chunk
            + struct.pack(">I", zlib.crc32(chunk)))


def test_image_headers_give_the_picture_size_before_decoding():
    assert guarded.image_size(png_header(640, 480)) == (640, 480)
    assert guarded.image_size(b"GIF89a" + struct.pack("<HH", 33, 44)) == (33, 44)
    assert guarded.image_size(b"BM" + bytes(16) + struct.pack("<ii", 12, -34)) == (12, 34)
    jpeg = (b"\xff\xd8" + b"\xff\xe0" + struct.pack(">H", 4) + b"JF"
            + b"\xff\xc0" + struct.pack(">HBHH", 17, 8, 200, 300) + bytes(12))
    assert guarded.image_size(jpeg) == (300, 200)
    assert guarded.image_size(b"not a picture at all") is None


def test_a_small_file_declaring_a_huge_picture_is_refused(tmp_path):
    bomb = tmp_path / "tiles.png"
    bomb.write_bytes(png_header(100_000, 100_000) + bytes(64))
    with pytest.raises(guarded.InputError) as caught:
        guarded.read_image(bomb)
    assert "100000 x 100000 picture; the limit is 16,777,216 pixels" in caught.value.reason


# -- the writers -------------------------------------------------------------------------------


@contextlib.contextmanager
def read_only_folder(folder: Path):
    """A folder nobody may create files in, root included (the immutable flag), or a skip."""
    folder.mkdir()
    if AS_ROOT:
        if subprocess.run(["chattr", "+i", str(folder)], capture_output=True).returncode:
            pytest.skip("needs chattr +i (root ignores a folder's permissions)")
    else:
        folder.chmod(0o555)
    try:
        yield folder
    finally:
        if AS_ROOT:
            subprocess.run(["chattr", "-i", str(folder)], check=True)
        else:
            folder.chmod(0o755)


def test_output_files_that_cannot_be_written_are_named_before_any_work(tmp_path):
    os.mkfifo(tmp_path / "fifo")
    (tmp_path / "folder").mkdir()
    cases = {
        tmp_path / "folder": f"--out {tmp_path / 'folder'} is a folder, not a file",
        Path("/dev/full"): "--out /dev/full is a character device, not a regular file",
        tmp_path / "fifo": "is a FIFO (named pipe), not a regular file",
        Path("/dev/null/x"): "cannot write /dev/null/x: /dev/null is not a folder",
        tmp_path / "no" / "x": f"folder {tmp_path / 'no'} does not exist",
        Path("/proc/x"): "cannot write /proc/x: /proc is a system folder, not one for files",
    }
    for path, fragment in cases.items():
        problem = guarded.output_file_problem("--out", path)
        assert problem is not None and fragment in problem, (path, problem)
    assert guarded.output_file_problem("--out", tmp_path / "fine.txt") is None
    assert list(tmp_path.iterdir()) == [tmp_path / "fifo", tmp_path / "folder"]  # no probe left
    with read_only_folder(tmp_path / "read-only") as folder:
        assert "cannot create files in" in guarded.output_file_problem("--out", folder / "x")
        assert "cannot create files in" in guarded.output_folder_problem("--out", folder / "y")


def test_a_write_that_fails_leaves_the_old_file_and_no_temporary(tmp_path):
    target = tmp_path / "summary.json"
    target.write_text("old")
    with pytest.raises(RuntimeError), guarded.atomic_path(target) as temporary:
        temporary.write_text("half")
        raise RuntimeError("the disk filled up")
    assert target.read_text() == "old" and list(tmp_path.iterdir()) == [target]
    guarded.write_atomic(target, "new")
    assert target.read_text() == "new" and list(tmp_path.iterdir()) == [target]


# -- every input file against every kind of path ------------------------------------------------


def recorded_replay(folder: Path, map_path: Path) -> dict:
    replay = folder / "recorded.rpl"
    assert cli.main(["sim", "--map", str(map_path), "--max-minutes", "0.05", "--no-police",
                     "--record", str(replay)]) == 0
    return json.loads(replay.read_text())


@pytest.mark.parametrize("kind", hostile.FILE_KINDS)
def test_a_map_of_every_kind(tmp_path, capsys, kind):
    skip_unreadable(kind)
    path = hostile.make_file(kind, tmp_path, "map.tmx", guarded.MAP.limit)
    for command in (["check-map", str(path)], ["sim", "--map", str(path)]):
        status, lines = run_cli(capsys, *command)
        assert status == 1 and len(lines) == 1 and lines[0].startswith(f"{path}: map: ")


@pytest.mark.parametrize("kind", hostile.FILE_KINDS)
def test_an_external_tileset_of_every_kind(tmp_path, capsys, kind):
    skip_unreadable(kind)
    map_path = mapkit.write(mapkit.MapSpec(external_tileset=True), tmp_path)
    (tmp_path / "terrain.tsx").unlink()
    path = hostile.make_file(kind, tmp_path, "terrain.tsx", guarded.TILESET.limit)
    map_path.write_text(map_path.read_text().replace('source="terrain.tsx"',
                                                     f'source="{path}"'))
    status, lines = run_cli(capsys, "check-map", str(map_path))
    assert status == 1 and len(lines) == 1 and lines[0].startswith(f"{map_path}: tileset ")


@pytest.mark.parametrize("kind", hostile.FILE_KINDS)
def test_a_template_of_every_kind(tmp_path, capsys, kind):
    skip_unreadable(kind)
    map_path = mapkit.write(mapkit.MapSpec(), tmp_path)
    path = hostile.make_file(kind, tmp_path, "spawn.tx", guarded.TEMPLATE.limit)
    text = map_path.read_text()
    at = text.index("</objectgroup>")
    map_path.write_text(text[:at] + f'<object id="700" template="{path}" x="8" y="8"/>'
                        + text[at:])
    status, lines = run_cli(capsys, "check-map", str(map_path))
    assert status == 1 and lines and all(line.startswith(f"{map_path}: ") for line in lines)
    assert any(line.startswith(f"{map_path}: template ") for line in lines)
    assert len(lines) <= 2  # the template's problem, and the object that could not use it


@pytest.mark.parametrize("kind", hostile.FILE_KINDS)
def test_a_replay_of_every_kind(tmp_path, capsys, kind, monkeypatch):
    skip_unreadable(kind)
    monkeypatch.setenv("SDL_VIDEODRIVER", "dummy")
    monkeypatch.setenv("SDL_AUDIODRIVER", "dummy")
    path = hostile.make_file(kind, tmp_path, "game.rpl", guarded.REPLAY.limit)
    for command in (["sim", "--replay", str(path)], ["replay", str(path), "--frames", "1"]):
        status, lines = run_cli(capsys, *command)
        assert status == 1 and len(lines) == 1 and str(path) in lines[0]


@pytest.mark.parametrize("kind", hostile.FILE_KINDS)
def test_the_map_path_inside_a_replay_of_every_kind(tmp_path, capsys, kind, monkeypatch):
    skip_unreadable(kind)
    monkeypatch.setenv("SDL_VIDEODRIVER", "dummy")
    monkeypatch.setenv("SDL_AUDIODRIVER", "dummy")
    data = recorded_replay(tmp_path, mapkit.write(mapkit.MapSpec(), tmp_path / "map"))
    capsys.readouterr()
    target = hostile.make_file(kind, tmp_path, "recorded.tmx", guarded.MAP.limit)
    replay = tmp_path / "pointing.rpl"
    replay.write_text(json.dumps({**data, "map_path": str(target)}))
    for command in (["sim", "--replay", str(replay)], ["replay", str(replay), "--frames", "1"]):
        status, lines = run_cli(capsys, *command)
        assert status == 1 and len(lines) == 1


@pytest.mark.parametrize("kind", hostile.FILE_KINDS)
def test_a_tileset_image_of_every_kind_draws_plain_terrain(tmp_path, kind, monkeypatch):
    skip_unreadable(kind)
    monkeypatch.setenv("SDL_VIDEODRIVER", "dummy")
    import pygame

    from game.view.tiles import TileAtlas

    map_path = mapkit.write(mapkit.MapSpec(), tmp_path)
    path = hostile.make_file(kind, tmp_path, "terrain.png", guarded.IMAGE.limit)
    map_path.write_text(map_path.read_text().replace('source="terrain.png"',
                                                     f'source="{path}"'))
    level = read_level(map_path)
    assert len(level.warnings) == 1 and "the window draws plain terrain colours" in \
        level.warnings[0].message
    pygame.display.init()
    try:
        pygame.display.set_mode((64, 64))
        with deadline():
            atlas = TileAtlas(level, 16)
        assert atlas.tile(1) is None  # drawn as its terrain colour
    finally:
        pygame.display.quit()


@pytest.mark.parametrize("kind", hostile.FILE_KINDS)
def test_a_settings_file_of_every_kind_gives_defaults_and_is_kept(tmp_path, kind):
    skip_unreadable(kind)
    path = hostile.make_file(kind, tmp_path, "settings.json", guarded.SETTINGS.limit)
    with deadline():
        settings, notice = settings_mod.load(path)
    assert settings == settings_mod.Settings()
    if kind == "missing":
        assert notice is None  # the first run
        return
    assert notice is not None and "Using defaults" in notice
    if kind in ("device", "proc_entry"):
        assert path.exists() and "could not be moved aside" in notice  # never moves /dev/zero
    else:
        assert not os.path.lexists(path) and os.path.lexists(tmp_path / "settings.json.bad")
