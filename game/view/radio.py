"""What the player reads: the radio-chatter log and the captions, as plain data (no pygame;
hud.py draws them).

The log shows every Radio event as it was said, plus a short line for the other events that
matter to the chase (a phase change, a sighting, a shot). Captions name every sound as it
plays (sounds.py puts them here) with the side the sound came from. Both are plain data with
timestamps in seconds of the game screen, so they fade on screen but are tested without one.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass

from game.sim import events as ev

LOG_LINES = 6
LINE_SECONDS = 40.0  # a line fades out of the log after this long
CAPTION_SECONDS = 3.5
MAX_CAPTIONS = 4

# A short line for events that are not radio messages themselves: (speaker, text).
STATUS_LINES: dict[type[ev.Event], tuple[str, str]] = {
    ev.LatchGave: ("K9 CENTER", "Kennel four is open! Rex is out of his run."),
    ev.RexEscaped: ("K9 CENTER", "He cleared the fence. K9 Rex is loose."),
    ev.Sighting: ("UNIT", "Visual on the K9."),
    ev.PhoneReport: ("DISPATCH", "Caller reports a loose German Shepherd."),
    ev.AimStarted: ("UNIT", "Taking aim."),
    ev.AimCancelled: ("UNIT", "Holding fire."),
    ev.ShotFired: ("UNIT", "Shot fired!"),
    ev.GrabbedMila: ("PASSER-BY", "Kid, run!"),
    ev.CollarRecognised: ("", "Rex knows the scent: Bolt's collar."),
    ev.StandDown: ("DISPATCH", "All units, stand down."),
}


@dataclass(frozen=True)
class LogLine:
    speaker: str
    text: str
    at: float  # window seconds when it was added
    count: int = 1  # the same line said this many times in a row

    @property
    def shown(self) -> str:
        return self.text if self.count == 1 else f"{self.text} (x{self.count})"


def line_for(event: ev.Event) -> tuple[str, str] | None:
    """The log line an event earns, or None."""
    match event:
        case ev.Radio(speaker=speaker, text=text):
            return speaker.upper(), text
        case ev.PhaseChanged(new=new):
            return "DISPATCH", f"Alert phase: {new.replace('_', ' ')}."
        case ev.Shielding(active=True):
            return "", "Rex plants himself between Mila and the guns."
    return STATUS_LINES.get(type(event))


class RadioLog:
    def __init__(self) -> None:
        self.lines: deque[LogLine] = deque(maxlen=LOG_LINES)

    def add_events(self, events: Iterable[ev.Event], now: float) -> None:
        for event in events:
            found = line_for(event)
            if found is not None:
                self.add(*found, now)

    def add(self, speaker: str, text: str, now: float) -> None:
        """Add a line; the same line again (six officers taking aim) is counted, not repeated."""
        last = self.lines[-1] if self.lines else None
        if last is not None and (last.speaker, last.text) == (speaker, text):
            self.lines[-1] = LogLine(speaker, text, now, last.count + 1)
        else:
            self.lines.append(LogLine(speaker, text, now))

    def visible(self, now: float) -> list[tuple[LogLine, float]]:
        """Lines still on screen, oldest first, each with its opacity 0..1."""
        shown = []
        for line in self.lines:
            age = now - line.at
            if age < LINE_SECONDS:
                shown.append((line, min(1.0, (LINE_SECONDS - age) / 5.0)))
        return shown


@dataclass
class Caption:
    text: str
    side: float  # -1 left .. +1 right, 0 ahead
    until: float


class Captions:
    """The captions on screen now; the same caption again refreshes instead of repeating."""

    def __init__(self) -> None:
        self.items: list[Caption] = []

    def show(self, text: str, now: float, side: float = 0.0,
             seconds: float = CAPTION_SECONDS) -> None:
        if not text:
            return
        for item in self.items:
            if item.text == text:
                item.until = max(item.until, now + seconds)
                item.side = side
                return
        self.items.append(Caption(text, side, now + seconds))
        del self.items[:-MAX_CAPTIONS]

    def visible(self, now: float) -> list[Caption]:
        self.items = [c for c in self.items if c.until > now]
        return list(self.items)
