"""A map and every file it reads, as bytes, so that a game can run where the map's folder is not.

Workers on other machines cannot open the client's files. A ``MapBundle`` carries the .tmx, its
tilesets and templates (``Level.sources``) by their paths relative to a common folder, plus a
content hash that names the map in game keys: two bundles with the same hash play the same games.
``materialize`` writes the files under a folder and returns the map's path inside it, ready for
``game.mapcheck.load_checked``.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from game import guarded
from game.level import Level
from game.tiled import read_level


@dataclass(frozen=True, eq=False)
class MapBundle:
    map_path: str  # the .tmx, relative to the bundle's root, with / separators
    files: tuple[tuple[str, bytes], ...]  # (relative path, content), sorted by path
    content_hash: str

    @classmethod
    def of_level(cls, level: Level) -> MapBundle:
        """The files ``level`` was read from, as they are on disk now."""
        # abspath, not resolve: the map's relative references are followed as written, so a
        # symlinked tileset folder keeps its place next to the map in the bundle.
        paths = [Path(os.path.abspath(source)) for source in level.sources]
        root = Path(os.path.commonpath([path.parent for path in paths]))
        # Read again, through the same guard: a file swapped for a FIFO since is refused.
        files = tuple(sorted((path.relative_to(root).as_posix(),
                              guarded.read_bytes(path, guarded.MAP)) for path in paths))
        map_path = paths[0].relative_to(root).as_posix()  # read_level reads the map first
        return cls(map_path, files, _digest(map_path, files))

    @classmethod
    def read(cls, path: str | os.PathLike) -> MapBundle:
        """The bundle of the map at ``path`` (MapError if it cannot be read)."""
        return cls.of_level(read_level(path))

    @property
    def name(self) -> str:
        """The map's name as games report it: its file name without .tmx."""
        return PurePosixPath(self.map_path).stem

    def materialize(self, directory: Path) -> Path:
        """Write the files under ``directory``; the path of the map there."""
        for relative, data in self.files:
            target = directory / relative
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)
        return directory / self.map_path


def _digest(map_path: str, files: tuple[tuple[str, bytes], ...]) -> str:
    digest = hashlib.sha256(map_path.encode())
    for relative, data in files:
        # Lengths keep the boundaries between names and contents unambiguous.
        digest.update(f"\0{relative}\0{len(data)}\0".encode())
        digest.update(data)
    return digest.hexdigest()
