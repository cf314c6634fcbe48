"""Hot reload for ``rex play --watch``: notice when a map's files have been saved, check the new
map off the window's thread, and keep the last good level when a save is refused.

Tiled saves a file by writing a temporary file and renaming it over the original, and may save
the map and its tilesets one after another. So the watcher polls each file's modification time,
size and inode (the standard library only, no file-system events), treats a file that is
missing for a moment as one being replaced, and reports a change only once everything has been
quiet for a while: a burst of saves is one reload. A file missing for longer than that is gone
for good, and the check says so like any other problem. Nothing here draws or knows pygame, so
tests drive it with a fake clock.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterable
from concurrent.futures import Executor, Future
from dataclasses import dataclass
from pathlib import Path

from game.level import Level, MapError
from game.mapcheck import load_checked

POLL_SECONDS = 0.1  # how often the files are looked at (a few stat calls: cheap)
SETTLE_SECONDS = 0.2  # quiet needed after the last change before the map is checked (Tiled
# writes the map and its tilesets within milliseconds of each other when it saves them all)
VANISHED_SECONDS = 2.0  # a file missing this long is not being replaced: check (and refuse)

Stamp = tuple[int, int, int]  # modification time (ns), size, inode


def stamp(path: Path) -> Stamp | None:
    """What a file looks like from outside, or None while it is missing or unreadable."""
    try:
        info = os.stat(path)
    except OSError:
        return None
    return info.st_mtime_ns, info.st_size, info.st_ino


class FileWatcher:
    """Tells, once, when a set of files has changed and then stayed quiet."""

    def __init__(self, paths: Iterable[Path], clock: Callable[[], float] = time.monotonic,
                 poll_seconds: float = POLL_SECONDS, settle_seconds: float = SETTLE_SECONDS,
                 vanished_seconds: float = VANISHED_SECONDS):
        self.clock = clock
        self.poll_seconds = poll_seconds
        self.settle_seconds = settle_seconds
        self.vanished_seconds = vanished_seconds
        self._stamps: dict[Path, Stamp | None] = {}
        self._settled: dict[Path, Stamp | None] = {}  # as they were when last reported
        self._next_poll = clock()
        self._changed_at: float | None = None
        self.watch(paths)

    @property
    def paths(self) -> tuple[Path, ...]:
        return tuple(self._stamps)

    def watch(self, paths: Iterable[Path]) -> None:
        """Watch these files from now on. Files already watched keep the stamp last seen, so a
        save made while the previous one was being checked is still noticed."""
        self._stamps = {path: self._stamps[path] if path in self._stamps else stamp(path)
                        for path in dict.fromkeys(Path(p).absolute() for p in paths)}
        self._settled = dict(self._stamps)

    def poll(self) -> bool:
        """True when the files changed and have been quiet since; call it as often as you like,
        it looks at the files every ``poll_seconds``."""
        now = self.clock()
        if now < self._next_poll:
            return False
        self._next_poll = now + self.poll_seconds
        stamps = {path: stamp(path) for path in self._stamps}
        if stamps != self._stamps:
            self._stamps = stamps
            self._changed_at = now
            return False
        if self._changed_at is None:
            return False
        quiet = now - self._changed_at
        # Only a file that was there and is gone is being replaced; one that never was (a
        # tileset image the map names but nobody drew) is no reason to wait.
        vanished = any(stamps[path] is None and self._settled.get(path) is not None
                       for path in stamps)
        if quiet < self.settle_seconds or (vanished and quiet < self.vanished_seconds):
            return False
        self._changed_at = None
        self._settled = stamps
        return True


@dataclass(frozen=True)
class Reload:
    """What one settled save gave: a level that passed the map checker, or its lines."""

    path: Path
    level: Level | None
    problems: tuple[str, ...] = ()


def check_saved_map(path: Path) -> Reload:
    """Read and check the map as it is on disk now; never raises for what a file holds."""
    try:
        return Reload(path, load_checked(path))
    except MapError as err:
        return Reload(path, None, tuple(err.lines()))


def watched_files(level: Level) -> list[Path]:
    """Every file a level was made from: the map, its tilesets and templates, and the tile
    images the window loads."""
    files = [Path(source) for source in level.sources]
    for tileset in level.tilesets:
        if tileset.image:
            files.append(Path(tileset.image))
        files.extend(Path(image) for image in tileset.tile_images.values())
    return files


class MapReloader:
    """Watches one map; ``update`` (every frame) gives each finished check once.

    After a refused save, the folders of the map's files are watched too, so that adding a
    missing tileset is noticed without saving the map again. The same refusal twice in a row
    (a folder changed, nothing was fixed) is not reported again.
    """

    def __init__(self, path: Path, level: Level, executor: Executor,
                 clock: Callable[[], float] = time.monotonic):
        self.path = path
        self.level = level
        self.problems: tuple[str, ...] = ()
        self.executor = executor
        self.files = FileWatcher(watched_files(level), clock)
        self._checking: Future[Reload] | None = None

    def update(self) -> Reload | None:
        if self._checking is None:
            if self.files.poll():
                self._checking = self.executor.submit(check_saved_map, self.path)
            return None
        if not self._checking.done():
            return None
        result = self._checking.result()
        self._checking = None
        files = watched_files(result.level or self.level)
        if result.level is not None:
            self.level = result.level
            self.problems = ()
            self.files.watch(files)
            return result
        self.files.watch([*files, *{path.parent for path in files}])
        if result.problems == self.problems:
            return None
        self.problems = result.problems
        return result
