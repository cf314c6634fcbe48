"""Every file the game reads and writes, and every number it takes from outside, with limits.

Reading: ``read_bytes(path, kind)`` (and ``read_text``) is the one way in for maps, tilesets,
templates, images, replays, settings, scenario files and the game's own art. Symlinks are
resolved first; then anything but a regular file is refused before it is opened (a FIFO would
block forever, ``/dev/zero`` never ends, a ``/proc`` entry claims to be empty), the file is
opened without blocking, checked again on the open descriptor, and read up to its kind's size
limit plus one byte: one byte more than the limit is a refusal, whatever the file says its size
is. A refusal is an ``InputError`` whose ``reason`` is one line in words.

Writing: ``output_file_problem`` and ``output_folder_problem`` say before any work starts why a
path cannot be written (a folder, a device, a missing or read-only folder, ``/proc``), by
creating and removing a temporary file where the output will go. ``atomic_path`` and
``write_atomic`` write a temporary file in the same folder and rename it over the target, so a
failure never leaves half a file; a failure is an ``OutputError``.

Numbers: the ranges of seeds, minutes of play, game counts, worker processes, frames, a
policy's decision interval and time limit, which the command line and the file readers check
where the numbers enter.
"""

from __future__ import annotations

import contextlib
import os
import stat
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

# ---------------------------------------------------------------------------------------------
# Numbers from outside

MAX_SEED = 2**63 - 1  # seeds are 0 to 2^63 - 1: what numpy's generator and the state hash take
MAX_MINUTES = 24 * 60  # --max-minutes: a day of play at most
MAX_GAMES = 20_000  # games in one batch or sweep: their results (~5 kB each) stay in memory
MAX_JOBS = 256  # worker processes on this machine
MAX_FRAMES = 10_000_000  # --frames: about 46 hours at 60 frames a second
MAX_DECIDE_EVERY = MAX_MINUTES * 60 * 30  # --decide-every: a day of play, in 30 Hz ticks
MAX_POLICY_SECONDS = 24 * 60 * 60  # --policy-timeout: a day for one decision is no limit
MAX_IMAGE_PIXELS = 4096 * 4096  # a tileset or tile image, decoded (64 MiB of RGBA)


# ---------------------------------------------------------------------------------------------
# Reading


@dataclass(frozen=True)
class Kind:
    """A kind of input file: its name in messages and the most bytes the game reads of it."""

    name: str
    limit: int


MAP = Kind("map", 64 << 20)
TILESET = Kind("tileset", 16 << 20)
TEMPLATE = Kind("template", 1 << 20)
IMAGE = Kind("image", 32 << 20)
REPLAY = Kind("replay", 16 << 20)
SETTINGS = Kind("settings file", 1 << 20)
ART = Kind("art file", 16 << 20)  # the game's own sprite sheets and their descriptions
GAME_LOG = Kind("sweep's game log", 256 << 20)  # DIR/games.jsonl, read line by line to resume
SCENARIO = Kind("scenario file", 1 << 20)  # a scenario's TOML is a few dozen lines

KINDS: tuple[Kind, ...] = (MAP, TILESET, TEMPLATE, IMAGE, REPLAY, SETTINGS, ART, GAME_LOG,
                           SCENARIO)

# Pseudo-file systems whose entries look like empty regular files but are generated on reading.
PSEUDO_ROOTS = ("/proc", "/sys")

_FILE_TYPES = (
    (stat.S_ISDIR, "a directory"),
    (stat.S_ISFIFO, "a FIFO (named pipe)"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISSOCK, "a socket"),
)


class InputError(Exception):
    """A file that cannot be read as its kind; ``reason`` says why, without the path."""

    def __init__(self, path: str | os.PathLike[str], reason: str):
        self.path = str(path)
        self.reason = reason
        super().__init__(f"{path}: {reason}")


def size_text(size: int) -> str:
    """Bytes in the unit a person reads: "1.5 MiB", "16 MiB", "900 KiB"."""
    for unit, shift in (("GiB", 30), ("MiB", 20), ("KiB", 10)):
        if size >= 1 << shift:
            value = size / (1 << shift)
            return f"{value:.1f} {unit}" if value < 10 and value != int(value) else \
                f"{value:.0f} {unit}"
    return f"{size} bytes"


def _resolved(path: str | os.PathLike[str]) -> str:
    return os.path.realpath(os.fspath(path))


def _not_regular(path: str | os.PathLike[str], resolved: str, mode: int) -> str | None:
    """Why a file of this mode (found at ``resolved``) is not one to read, or None."""
    pseudo = next((root for root in PSEUDO_ROOTS
                   if resolved == root or resolved.startswith(root + os.sep)), None)
    what = next((name for test, name in _FILE_TYPES if test(mode)), None)
    if what is None and not stat.S_ISREG(mode):
        what = "not a regular file"
    link = os.path.abspath(os.fspath(path)) != resolved
    if what == "a directory" and not link:
        return "is a directory, not a file"
    if what is None and pseudo is None:
        return None
    if what is None:
        what = f"a {pseudo} entry"
    return f"is {'a link to ' + resolved + ', ' if link else ''}{what}, not a regular file"


def _oserror_reason(path: str | os.PathLike[str], err: OSError) -> str:
    if isinstance(err, FileNotFoundError):
        return f"file not found: {path}"
    if isinstance(err, PermissionError):
        return f"cannot read {path}: permission denied"
    return f"cannot read {path}: {err.strerror or err}"


def _too_big(size: int, kind: Kind, exact: bool = True) -> str:
    shown = size_text(size) if exact else f"larger than {size_text(kind.limit)}"
    return f"is {shown}; the limit for a {kind.name} is {size_text(kind.limit)}"


def problem(path: str | os.PathLike[str], kind: Kind) -> str | None:
    """Why ``path`` could not be read as ``kind`` (from its metadata alone), or None."""
    try:
        resolved = _resolved(path)
        info = os.stat(resolved)
    except OSError as err:
        return _oserror_reason(path, err)
    except ValueError:
        return "cannot read it: the path holds a NUL byte"
    refusal = _not_regular(path, resolved, info.st_mode)
    if refusal is None and info.st_size > kind.limit:
        refusal = _too_big(info.st_size, kind)
    return refusal


_READ_FLAGS = (os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0)
               | getattr(os, "O_NOCTTY", 0) | getattr(os, "O_BINARY", 0))


def _open(path: str | os.PathLike[str], kind: Kind) -> int:
    """A descriptor of ``path`` once it and the opened file are a regular file of ``kind``."""
    refusal = problem(path, kind)
    if refusal is not None:
        raise InputError(path, refusal)
    try:
        # Non-blocking, so that a file swapped for a FIFO since the check cannot hang the open.
        fd = os.open(_resolved(path), _READ_FLAGS)
    except OSError as err:
        raise InputError(path, _oserror_reason(path, err)) from None
    try:
        info = os.fstat(fd)
        refusal = _not_regular(path, _resolved(path), info.st_mode)
        if refusal is None and info.st_size > kind.limit:
            refusal = _too_big(info.st_size, kind)
    except OSError as err:
        refusal = _oserror_reason(path, err)
    if refusal is not None:
        os.close(fd)
        raise InputError(path, refusal)
    return fd


def open_binary(path: str | os.PathLike[str], kind: Kind) -> BinaryIO:
    """A regular file of ``kind`` opened for reading as a stream (for files read line by line,
    which the caller bounds), or InputError."""
    return os.fdopen(_open(path, kind), "rb")


def read_bytes(path: str | os.PathLike[str], kind: Kind, head: int | None = None) -> bytes:
    """The whole content of a regular file of at most ``kind.limit`` bytes, or InputError;
    with ``head``, only its first ``head`` bytes."""
    fd = _open(path, kind)
    try:
        chunks, total = [], 0
        wanted = kind.limit + 1 if head is None else min(head, kind.limit + 1)
        while total < wanted:
            chunk = os.read(fd, min(1 << 20, wanted - total))
            if not chunk:
                break
            chunks.append(chunk)
            total += len(chunk)
    except OSError as err:
        raise InputError(path, _oserror_reason(path, err)) from None
    finally:
        os.close(fd)
    if total > kind.limit:
        raise InputError(path, _too_big(total, kind, exact=False))
    return b"".join(chunks)


def read_text(path: str | os.PathLike[str], kind: Kind) -> str:
    """A file's text, which must be UTF-8."""
    data = read_bytes(path, kind)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as err:
        raise InputError(path, f"is not UTF-8 text (byte {err.start})") from None


def image_size(data: bytes) -> tuple[int, int] | None:
    """(width, height) from a PNG, GIF, BMP or JPEG header, or None for anything else.

    Read before decoding, so that a small file declaring a huge picture (a decompression bomb)
    is refused instead of decoded.
    """
    if data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) >= 24:
        return int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")
    if data[:6] in (b"GIF87a", b"GIF89a") and len(data) >= 10:
        return int.from_bytes(data[6:8], "little"), int.from_bytes(data[8:10], "little")
    if data[:2] == b"BM" and len(data) >= 26:
        return (abs(int.from_bytes(data[18:22], "little", signed=True)),
                abs(int.from_bytes(data[22:26], "little", signed=True)))
    if data[:2] == b"\xff\xd8":
        return _jpeg_size(data)
    return None


def _jpeg_size(data: bytes) -> tuple[int, int] | None:
    at = 2
    while at + 9 < len(data):
        if data[at] != 0xFF:
            return None
        marker = data[at + 1]
        if marker in (0xD8, 0x01) or 0xD0 <= marker <= 0xD7:  # markers without a length
            at += 2
            continue
        length = int.from_bytes(data[at + 2:at + 4], "big")
        if 0xC0 <= marker <= 0xCF and marker not in (0xC4, 0xC8, 0xCC):  # a start of frame
            return (int.from_bytes(data[at + 7:at + 9], "big"),
                    int.from_bytes(data[at + 5:at + 7], "big"))
        at += 2 + length
    return None


IMAGE_HEAD = 256 << 10  # where a picture's size is found (a JPEG's may follow its metadata)


def _picture_problem(data: bytes) -> str | None:
    size = image_size(data)
    if size is None:
        return "is not a PNG, JPEG, GIF or BMP image"
    width, height = size
    if width * height > MAX_IMAGE_PIXELS:
        return (f"is a {width} x {height} picture; the limit is {MAX_IMAGE_PIXELS:,} pixels "
                "(4096 x 4096)")
    return None


def image_problem(path: str | os.PathLike[str]) -> str | None:
    """Why the window would not draw the image at ``path`` (from its header), or None."""
    try:
        return _picture_problem(read_bytes(path, IMAGE, head=IMAGE_HEAD))
    except InputError as err:
        return err.reason


def read_image(path: str | os.PathLike[str]) -> bytes:
    """An image file's bytes, once its header shows a picture the game may decode."""
    data = read_bytes(path, IMAGE)
    refusal = _picture_problem(data)
    if refusal is not None:
        raise InputError(path, refusal)
    return data


# ---------------------------------------------------------------------------------------------
# Writing


class OutputError(Exception):
    """An output that could not be written, in one line."""


def _nearest_existing(folder: Path) -> Path:
    while not os.path.lexists(folder) and folder.parent != folder:
        folder = folder.parent
    return folder


def _probe(folder: Path, name: str = "probe") -> str | None:
    """Why nothing can be created in ``folder``, or None: tried, not guessed, with a name as
    long as the temporary file ``Staged`` will make for ``name``."""
    resolved = _resolved(folder)
    if any(resolved == root or resolved.startswith(root + os.sep) for root in PSEUDO_ROOTS):
        shown = folder if os.path.abspath(folder) == resolved else f"{folder} ({resolved})"
        return f"{shown} is a system folder, not one for files"
    target = Path(name)
    try:
        handle, name = tempfile.mkstemp(prefix=f".{target.stem}-",
                                        suffix=target.suffix or ".tmp", dir=folder)
    except OSError as err:
        return f"cannot create files in {folder}: {err.strerror or err}"
    os.close(handle)
    with contextlib.suppress(OSError):
        os.unlink(name)
    return None


def output_file_problem(flag: str, path: Path) -> str | None:
    """Why ``flag path`` cannot be written as a file, or None (checked before any work)."""
    try:
        if os.path.exists(path):
            mode = os.stat(path).st_mode
            if stat.S_ISDIR(mode):
                return f"{flag} {path} is a folder, not a file"
            if not stat.S_ISREG(mode):
                what = next((name for test, name in _FILE_TYPES if test(mode)), "not a file")
                return f"{flag} {path} is {what}, not a regular file"
        folder = Path(os.path.abspath(path)).parent
        if not os.path.lexists(folder):
            return f"cannot write {path}: folder {folder} does not exist"
        if not os.path.isdir(folder):
            return f"cannot write {path}: {folder} is not a folder"
        refusal = _probe(folder, Path(path).name)
    except ValueError:
        return f"{flag}: the path holds a NUL byte"
    except OSError as err:
        return f"cannot write {path}: {err.strerror or err}"
    return None if refusal is None else f"cannot write {path}: {refusal}"


def output_folder_problem(flag: str, folder: Path) -> str | None:
    """Why files cannot be written into ``flag folder`` (made if missing), or None."""
    try:
        if os.path.exists(folder) and not os.path.isdir(folder):
            mode = os.stat(folder).st_mode
            what = next((name for test, name in _FILE_TYPES if test(mode)), "a file")
            return f"{flag} {folder} is {what}, not a folder"
        existing = _nearest_existing(Path(os.path.abspath(folder)))
        if not os.path.isdir(existing):
            return f"cannot make {flag} {folder}: {existing} is not a folder"
        refusal = _probe(existing)
    except ValueError:
        return f"{flag}: the path holds a NUL byte"
    except OSError as err:
        return f"cannot write into {folder}: {err.strerror or err}"
    return None if refusal is None else f"cannot write into {folder}: {refusal}"


class Staged:
    """A temporary file next to ``path``, with its suffix (writers that choose a format by the
    suffix choose the same one), that ``commit`` renames over ``path`` and ``discard`` removes.
    """

    def __init__(self, path: str | os.PathLike[str]):
        self.path = Path(path)
        try:
            handle, name = tempfile.mkstemp(prefix=f".{self.path.stem}-",
                                            suffix=self.path.suffix or ".tmp",
                                            dir=self.path.parent)
        except OSError as err:
            raise OutputError(f"cannot write {self.path}: {err.strerror or err}") from None
        os.close(handle)
        self.temporary = Path(name)

    def commit(self) -> None:
        try:
            os.replace(self.temporary, self.path)
        except OSError as err:
            self.discard()
            raise OutputError(f"cannot write {self.path}: {err.strerror or err}") from None

    def discard(self) -> None:
        with contextlib.suppress(OSError):
            self.temporary.unlink()


@contextlib.contextmanager
def atomic_path(path: str | os.PathLike[str]) -> Iterator[Path]:
    """A temporary path to write instead of ``path``: renamed over it if the block succeeds,
    removed if it fails (an OSError in the block becomes an OutputError)."""
    staged = Staged(path)
    try:
        yield staged.temporary
    except OSError as err:
        staged.discard()
        raise OutputError(f"cannot write {staged.path}: {err.strerror or err}") from None
    except BaseException:
        staged.discard()
        raise
    staged.commit()


def write_atomic(path: str | os.PathLike[str], data: bytes | str) -> None:
    """Write ``data`` to ``path`` whole or not at all (flushed to disk before the rename)."""
    with atomic_path(path) as temporary, temporary.open("wb") as out:
        out.write(data.encode("utf-8") if isinstance(data, str) else data)
        out.flush()
        os.fsync(out.fileno())

