"""Hot reload without a window: the watcher sees saves made the way Tiled makes them (a
temporary file renamed over the map), waits for a burst of saves to settle into one reload,
treats a file that vanishes for a moment as being replaced, and keeps the last good level with
the checker's lines when a save is refused."""

from __future__ import annotations

import os
from concurrent.futures import Executor, Future
from pathlib import Path

import pytest

from game.mapcheck import load_checked
from game.view.watch import (
    POLL_SECONDS,
    SETTLE_SECONDS,
    VANISHED_SECONDS,
    FileWatcher,
    MapReloader,
    watched_files,
)
from tests import mapkit


class Clock:
    """A clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


class RightAway(Executor):
    """Runs each check as it is submitted, so a test needs no threads."""

    def submit(self, fn, /, *args, **kwargs) -> Future:
        future: Future = Future()
        future.set_result(fn(*args, **kwargs))
        return future


def save_like_tiled(path: Path, text: str) -> None:
    """Write a temporary file beside the original and rename it over the original."""
    temporary = path.with_name(path.name + ".saving")
    temporary.write_text(text)
    os.replace(temporary, path)


def tick(watcher: FileWatcher | MapReloader, clock: Clock, seconds: float) -> list:
    """Poll every POLL_SECONDS for ``seconds``; what each poll reported, when it reported."""
    seen = []
    for _ in range(round(seconds / POLL_SECONDS)):
        clock.now += POLL_SECONDS
        result = watcher.poll() if isinstance(watcher, FileWatcher) else watcher.update()
        if result:
            seen.append(result)
    return seen


@pytest.fixture
def world(tmp_path: Path) -> tuple[Path, Clock]:
    return mapkit.write(mapkit.MapSpec(external_tileset=True), tmp_path), Clock()


def edited(spec_changes: dict, folder: Path) -> str:
    """The text of the test map with some of its spec changed."""
    spare = folder / "spare"
    path = mapkit.write(mapkit.MapSpec(external_tileset=True, **spec_changes), spare)
    return path.read_text()


def test_the_files_of_a_map_are_the_map_its_tileset_and_their_images(world):
    map_path, _ = world
    names = [path.name for path in watched_files(load_checked(map_path))]
    assert names == ["map.tmx", "terrain.tsx", "terrain.png"]


def test_nothing_changes_nothing_is_reported(world):
    map_path, clock = world
    watcher = FileWatcher(watched_files(load_checked(map_path)), clock)
    assert tick(watcher, clock, 5.0) == []


def test_a_save_by_rename_is_reported_once_after_it_settles(world):
    map_path, clock = world
    watcher = FileWatcher(watched_files(load_checked(map_path)), clock)
    save_like_tiled(map_path, map_path.read_text() + "\n")
    assert tick(watcher, clock, SETTLE_SECONDS) == []  # seen, but not yet quiet for long
    assert tick(watcher, clock, 1.0) == [True]
    assert tick(watcher, clock, 5.0) == []


def test_several_saves_in_a_row_are_one_reload(world):
    map_path, clock = world
    tileset = map_path.with_name("terrain.tsx")
    watcher = FileWatcher(watched_files(load_checked(map_path)), clock)
    reports = []
    for i in range(6):  # the map and its tileset, saved one after the other
        save_like_tiled(tileset if i % 2 else map_path,
                        (tileset if i % 2 else map_path).read_text() + " " * (i + 1))
        reports += tick(watcher, clock, POLL_SECONDS)
    assert reports == []
    assert tick(watcher, clock, 2.0) == [True]


def test_a_file_missing_for_a_moment_is_being_replaced(world):
    map_path, clock = world
    text = map_path.read_text()
    watcher = FileWatcher(watched_files(load_checked(map_path)), clock)
    map_path.unlink()
    assert tick(watcher, clock, VANISHED_SECONDS - 0.5) == []  # no reload of a missing file
    map_path.write_text(text)
    assert tick(watcher, clock, 2.0) == [True]


def test_a_file_that_vanishes_for_good_is_checked_and_refused(world):
    map_path, clock = world
    reloader = MapReloader(map_path, load_checked(map_path), RightAway(), clock)
    old = reloader.level
    map_path.unlink()
    [refused] = tick(reloader, clock, VANISHED_SECONDS + 1.0)
    assert refused.level is None and reloader.level is old
    assert refused.problems == (f"{map_path}: map: file not found: {map_path}",)
    assert tick(reloader, clock, 5.0) == []  # said once, not again every few seconds


def test_an_invalid_save_keeps_the_old_level_and_a_valid_one_replaces_it(world, tmp_path):
    map_path, clock = world
    reloader = MapReloader(map_path, load_checked(map_path), RightAway(), clock)
    old = reloader.level
    good = map_path.read_text()
    save_like_tiled(map_path, good[: len(good) // 2])  # truncated XML
    [refused] = tick(reloader, clock, 2.0)
    assert refused.level is None and reloader.level is old
    assert len(refused.problems) == 1 and "is not well-formed XML" in refused.problems[0]
    assert reloader.problems == refused.problems
    save_like_tiled(map_path, edited({"picture": mapkit.VALID.replace("M", ".", 1)}, tmp_path))
    [refused] = tick(reloader, clock, 2.0)  # parses, but breaks the contract: no Mila
    assert refused.level is None and "mila_spawn" in " ".join(refused.problems)
    save_like_tiled(map_path, edited({"terrain_overrides": {(20, 11): "forest"}}, tmp_path))
    [accepted] = tick(reloader, clock, 2.0)
    assert accepted.level is not None and reloader.level is accepted.level
    assert reloader.problems == () and accepted.level.content_hash != old.content_hash


@pytest.mark.parametrize("content", ["", "\x00\x01\x02", "<map", "<?xml version='1.0'?><a/>"])
def test_whatever_is_saved_nothing_is_raised(world, content):
    map_path, clock = world
    reloader = MapReloader(map_path, load_checked(map_path), RightAway(), clock)
    save_like_tiled(map_path, content)
    [refused] = tick(reloader, clock, 2.0)
    assert refused.level is None and refused.problems


def test_a_missing_tileset_is_refused_and_adding_it_is_enough(world):
    map_path, clock = world
    tileset = map_path.with_name("terrain.tsx")
    reloader = MapReloader(map_path, load_checked(map_path), RightAway(), clock)
    text = tileset.read_text()
    tileset.unlink()
    save_like_tiled(map_path, map_path.read_text() + "\n")
    [refused] = tick(reloader, clock, VANISHED_SECONDS + 1.0)
    assert "terrain.tsx" in refused.problems[0] and "file not found" in refused.problems[0]
    save_like_tiled(tileset, text)  # the map itself is not saved again
    [accepted] = tick(reloader, clock, 2.0)
    assert accepted.level is not None and reloader.problems == ()


def test_a_tileset_added_after_the_map_names_it_is_noticed(world):
    """Saved in the wrong order: the map names a tileset that is not there yet."""
    map_path, clock = world
    reloader = MapReloader(map_path, load_checked(map_path), RightAway(), clock)
    tileset = map_path.with_name("terrain.tsx")
    save_like_tiled(map_path, map_path.read_text().replace(
        'source="terrain.tsx"', 'source="terrain2.tsx"'))
    [refused] = tick(reloader, clock, 2.0)
    assert "terrain2.tsx" in refused.problems[0]
    save_like_tiled(tileset.with_name("terrain2.tsx"), tileset.read_text())
    [accepted] = tick(reloader, clock, 2.0)
    assert accepted.level is not None
    assert "terrain2.tsx" in [path.name for path in watched_files(accepted.level)]
