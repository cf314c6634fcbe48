"""The player's settings: what they are, where they live, and how they survive a bad file.

``Settings`` is a small dataclass (volumes, fullscreen, accessibility switches, key bindings by
key name). It is stored as JSON in the user's config folder (platformdirs), written atomically
(a temporary file in the same folder, flushed, then renamed over the old one), so a crash in
the middle of a save never leaves half a file. It is read through ``game.guarded`` (a regular
file of at most 1 MiB: never a FIFO or a device). A file that cannot be read or makes no sense
is moved aside to ``settings.json.bad`` (or ``.bad1``, ``.bad2``, ... : the first free name,
never one that exists) and the game starts from the defaults with a notice saying so, on
screen and on stderr: the player's file is never overwritten without a word.
"""

from __future__ import annotations

import dataclasses
import json
import os
import stat
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import platformdirs

from game import guarded

APP_NAME = "rex"
FILE_NAME = "settings.json"

# Every action the player can bind, with its default keys (pygame key names). Escape always
# pauses and backs out of menus as well, so a player can never bind themselves out of a menu.
DEFAULT_BINDINGS: dict[str, tuple[str, ...]] = {
    "move_up": ("w", "up"),
    "move_down": ("s", "down"),
    "move_left": ("a", "left"),
    "move_right": ("d", "right"),
    "run": ("left shift", "right shift"),
    "whisper": ("space",),
    "kneel": ("c",),
    "lift_hand": ("e",),
    "show_collar": ("q",),
    "chopper": ("tab",),
    "pause": ("p",),
    "fullscreen": ("f", "f11"),
    "overlay_scent": ("f1",),
    "overlay_fields": ("f2",),
    "overlay_vision": ("f3",),
    "overlay_walkable": ("f4",),
    "overlay_labels": ("f5",),
    # The command center (the Handler role): orders to the selected units, and the loudspeaker.
    "hold_fire": ("h",),
    "roadblock": ("r",),
    "cordon": ("x",),
    "calm_message": ("l",),
    "warning_message": ("k",),
    "lower_weapons": ("v",),
    "release_units": ("z",),
    "select_dylan": ("y",),
    "select_all": ("n",),
}


def _default_bindings() -> dict[str, list[str]]:
    return {action: list(keys) for action, keys in DEFAULT_BINDINGS.items()}


@dataclass
class Settings:
    master_volume: float = 0.9
    effects_volume: float = 0.8
    music_volume: float = 0.55
    fullscreen: bool = False
    colourblind: bool = False  # meters and overlays in a palette safe for colour-blind players
    reduced_flashing: bool = False  # siren lights glow steadily instead of flashing
    captions: bool = True
    bindings: dict[str, list[str]] = field(default_factory=_default_bindings)

    def as_json(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


class SettingsError(ValueError):
    """A settings file whose content makes no sense."""


VOLUMES = ("master_volume", "effects_volume", "music_volume")
SWITCHES = ("fullscreen", "colourblind", "reduced_flashing", "captions")


def from_json(data: Any) -> Settings:
    """Settings from parsed JSON. Missing fields keep their defaults (a file from an older
    version); unknown fields are ignored (a newer one); a wrong value is an error."""
    if not isinstance(data, dict):
        raise SettingsError("the file does not hold a JSON object")
    settings = Settings()
    for name in VOLUMES:
        if name in data:
            value = data[name]
            if isinstance(value, bool) or not isinstance(value, int | float) or not (
                    0.0 <= value <= 1.0):
                raise SettingsError(f"{name} must be a number from 0 to 1, not {value!r}")
            setattr(settings, name, float(value))
    for name in SWITCHES:
        if name in data:
            if not isinstance(data[name], bool):
                raise SettingsError(f"{name} must be true or false, not {data[name]!r}")
            setattr(settings, name, data[name])
    bindings = data.get("bindings", {})
    if not isinstance(bindings, dict):
        raise SettingsError("bindings must be an object of action -> key names")
    for action, keys in bindings.items():
        if action not in DEFAULT_BINDINGS:
            continue  # an action this version no longer has
        if not isinstance(keys, list) or not all(isinstance(k, str) and k for k in keys):
            raise SettingsError(f"bindings.{action} must be a list of key names")
        settings.bindings[action] = list(keys)
    return settings


def default_path() -> Path:
    """settings.json in the user's config folder (e.g. ~/.config/rex on Linux)."""
    return platformdirs.user_config_path(APP_NAME, appauthor=False) / FILE_NAME


def load(path: Path) -> tuple[Settings, str | None]:
    """The settings in ``path`` and a notice for the player, or None when all went well.

    A missing file is the normal first run: defaults, no notice. A file that cannot be read or
    parsed is moved aside (never deleted) and the defaults are used.
    """
    try:
        text = guarded.read_text(path, guarded.SETTINGS)
    except guarded.InputError as err:
        if not os.path.lexists(path):
            return Settings(), None
        why = err.reason if err.reason.startswith("is ") else f"could not be read ({err.reason})"
        return Settings(), _set_aside(path, why)
    try:
        data = json.loads(text)
    except json.JSONDecodeError as err:
        return Settings(), _set_aside(path, f"is not valid JSON (line {err.lineno})")
    except (ValueError, RecursionError):  # a number of thousands of digits, or deep nesting
        return Settings(), _set_aside(path, "is not valid JSON (too deep or too long a value)")
    try:
        return from_json(data), None
    except SettingsError as err:
        return Settings(), _set_aside(path, f"has a bad value: {err}")


def _reason(err: Exception) -> str:
    return getattr(err, "strerror", None) or type(err).__name__


def _aside_name(path: Path, n: int) -> Path:
    return path.with_name(path.name + (".bad" if n == 0 else f".bad{n}"))


def _move_aside(path: Path) -> Path:
    """Move ``path`` to the first free name of ``.bad``, ``.bad1``, ``.bad2``, ... never over
    a file that exists: a hard link to a new name fails rather than replace one. Only the
    settings file's own entry moves (a link, not what it points to); a device or a system
    file given as the settings path stays where it is (OSError)."""
    mode = os.lstat(path).st_mode
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode) or stat.S_ISSOCK(mode) or any(
            str(path.absolute()).startswith(root + os.sep) for root in guarded.PSEUDO_ROOTS):
        raise OSError(f"{path} is not a file the game may move")
    n = 0
    while True:
        target = _aside_name(path, n)
        try:
            os.link(path, target, follow_symlinks=False)
        except FileExistsError:
            n += 1
            continue
        except OSError:  # no hard links here (a folder, a file system without them)
            while os.path.lexists(target):
                n += 1
                target = _aside_name(path, n)
            os.rename(path, target)
            return target
        os.unlink(path)
        return target


def _set_aside(path: Path, problem: str) -> str:
    """Move a bad settings file out of the way; the notice says where it went."""
    try:
        target = _move_aside(path)
    except OSError:
        return (f"Settings file {path} {problem}. Using defaults; it could not be moved aside, "
                "so changes will not be saved over it.")
    return f"Settings file {path.name} {problem}. Using defaults; the old file is kept as " \
           f"{target.name}."


def save(settings: Settings, path: Path) -> None:
    """Write the settings atomically: a reader sees the old file or the new one, never half.

    Raises OSError when the folder cannot be written; the caller tells the player.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    text = json.dumps(settings.as_json(), indent=2, sort_keys=True) + "\n"
    handle, temp = tempfile.mkstemp(prefix=".settings-", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            out.write(text)
            out.flush()
            os.fsync(out.fileno())
        os.replace(temp, path)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise


class SettingsStore:
    """The settings in use, the file they came from, and whether saving may touch it."""

    def __init__(self, path: Path | None, settings: Settings, notice: str | None = None):
        self.path = path
        self.settings = settings
        self.notice = notice

    @classmethod
    def open(cls, path: Path | None = None) -> SettingsStore:
        path = default_path() if path is None else path
        settings, notice = load(path)
        if notice is not None and path.exists():
            # The bad file could not be moved aside: keep it, and keep our changes in memory.
            return cls(None, settings, notice)
        return cls(path, settings, notice)

    def save(self) -> str | None:
        """Save now; a message for the player if it failed, else None."""
        if self.path is None:
            return None
        try:
            save(self.settings, self.path)
        except OSError as err:
            return f"Could not save settings to {self.path}: {_reason(err)}"
        return None
