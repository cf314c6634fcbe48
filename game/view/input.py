"""Keys in, Commands out: key bindings, held keys, and one Commands value per tick, from
pygame's key events.

``Controls`` follows key presses and releases from pygame events itself (not
``pygame.key.get_pressed``), so a test or a recorded script can drive it with posted events
under the dummy video driver exactly as a keyboard would. Keys held when the window loses
focus are released, so a key never sticks.
"""

from __future__ import annotations

import math

import pygame

from game.sim.commands import Commands
from game.view.settings import DEFAULT_BINDINGS

# How each action is shown to the player (pause screen, settings, hints).
ACTION_LABELS: dict[str, str] = {
    "move_up": "Move up",
    "move_down": "Move down",
    "move_left": "Move left",
    "move_right": "Move right",
    "run": "Run (hold)",
    "whisper": "Whisper (hold)",
    "kneel": "Kneel (hold)",
    "lift_hand": "Lift hand slowly (hold)",
    "show_collar": "Show the collar (hold)",
    "chopper": "News chopper camera",
    "pause": "Pause",
    "fullscreen": "Fullscreen",
    "overlay_scent": "Overlay: scent",
    "overlay_fields": "Overlay: police fields and paths",
    "overlay_vision": "Overlay: vision and belief",
    "overlay_walkable": "Overlay: walkable masks",
    "overlay_labels": "Overlay: agent labels",
    "hold_fire": "Handler: hold fire / cleared (selected)",
    "roadblock": "Handler: roadblock at the cursor",
    "cordon": "Handler: cordon at the cursor (again: lift)",
    "calm_message": "Handler: loudspeaker, calm message",
    "warning_message": "Handler: loudspeaker, warning",
    "lower_weapons": "Handler: Dylan orders \"Lower your weapons\"",
    "release_units": "Handler: selected back to the dispatcher",
    "select_dylan": "Handler: select Dylan",
    "select_all": "Handler: select every unit",
}
# The command center's own keys: listed (and active) only when Dylan is played.
HANDLER_ACTIONS = frozenset({"hold_fire", "roadblock", "cordon", "calm_message",
                             "warning_message", "lower_weapons", "release_units", "select_dylan",
                             "select_all"})

# Actions that happen once per key press (the rest are held).
PRESS_ACTIONS = frozenset({"chopper", "pause", "fullscreen", "overlay_scent", "overlay_fields",
                           "overlay_vision", "overlay_walkable", "overlay_labels"}
                          | HANDLER_ACTIONS)
ALWAYS_PAUSE = pygame.K_ESCAPE  # not rebindable: the way out of any screen


def key_code(name: str) -> int | None:
    """The pygame key for a key name, or None for a name this keyboard layer does not know."""
    try:
        return pygame.key.key_code(name)
    except ValueError:
        return None


def key_label(code: int) -> str:
    """A short, readable name for a key: "Space", "Left Shift", "F1", "W"."""
    name = pygame.key.name(code)
    return name.upper() if len(name) == 1 else name.title()


class Bindings:
    """Action -> keys, from the settings' key names; editable, and written back as names."""

    def __init__(self, names: dict[str, list[str]]):
        self.keys: dict[str, list[int]] = {}
        self.problems: list[str] = []  # what load() could not take, in words for the player
        self.load(names)

    def load(self, names: dict[str, list[str]]) -> None:
        """Take the bindings from key names. A name this keyboard layer does not know is left
        out and said in ``problems``; an action left with no key by that gets its default keys
        back (one bound to none on purpose stays unbound); missing actions get their defaults."""
        self.keys = {}
        self.problems = []
        for action, defaults in DEFAULT_BINDINGS.items():
            wanted = names.get(action, defaults)
            codes = [c for c in (key_code(n) for n in wanted) if c is not None]
            unknown = [n for n in wanted if key_code(n) is None]
            if unknown:
                problem = f"bindings.{action}: unknown key name '{unknown[0][:40]}'"
                if not codes:
                    codes = [c for c in (key_code(n) for n in defaults) if c is not None]
                    problem += f"; using the default ({' / '.join(defaults)})"
                self.problems.append(problem)
            self.keys[action] = codes
        self._index()

    def _index(self) -> None:
        self.action_of: dict[int, str] = {}
        for action, codes in self.keys.items():
            for code in codes:
                self.action_of.setdefault(code, action)

    def names(self) -> dict[str, list[str]]:
        return {action: [pygame.key.name(c) for c in codes] for action, codes in self.keys.items()}

    def rebind(self, action: str, code: int) -> None:
        """Make ``code`` the action's main key. The key leaves any other action that had it;
        the action keeps its other keys (so the arrows stay when WASD is rebound)."""
        if code == ALWAYS_PAUSE:
            return
        for codes in self.keys.values():
            if code in codes:
                codes.remove(code)
        codes = self.keys[action]
        if codes:
            codes[0] = code
        else:
            codes.append(code)
        self._index()

    def label(self, action: str, limit: int = 2) -> str:
        codes = self.keys.get(action, [])
        return " / ".join(key_label(c) for c in codes[:limit]) if codes else "unbound"


class Controls:
    """The keys held right now, and the presses since the last call to ``presses``."""

    def __init__(self, bindings: Bindings):
        self.bindings = bindings
        self.held: set[int] = set()
        self._presses: list[str] = []

    def handle(self, event: pygame.event.Event) -> None:
        if event.type == pygame.KEYDOWN:
            self.held.add(event.key)
            action = self.bindings.action_of.get(event.key)
            if event.key == ALWAYS_PAUSE:
                action = "pause"
            if action in PRESS_ACTIONS:
                self._presses.append(action)
        elif event.type == pygame.KEYUP:
            self.held.discard(event.key)
        elif event.type in (pygame.WINDOWFOCUSLOST, pygame.WINDOWMINIMIZED):
            self.held.clear()

    def presses(self) -> list[str]:
        """Press actions since the last call, in order."""
        found, self._presses = self._presses, []
        return found

    def holding(self, action: str) -> bool:
        return any(code in self.held for code in self.bindings.keys.get(action, ()))

    def direction(self) -> tuple[float, float]:
        """The movement keys as a unit vector (or zero)."""
        dx = float(self.holding("move_right")) - float(self.holding("move_left"))
        dy = float(self.holding("move_down")) - float(self.holding("move_up"))
        length = math.hypot(dx, dy)
        return (dx / length, dy / length) if length else (0.0, 0.0)

    def commands(self) -> Commands:
        """What Mila does this tick, from the keys held now."""
        dx, dy = self.direction()
        return Commands(move_x=dx, move_y=dy, run=self.holding("run"),
                        whisper=self.holding("whisper"), kneel=self.holding("kneel"),
                        lift_hand=self.holding("lift_hand"),
                        show_collar=self.holding("show_collar"))
