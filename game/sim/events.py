"""What happened during a tick, as frozen values.

``step`` returns these; the radio log, the sounds, the HUD tells and the headless statistics are
all drawn from them, so a window and a batch run tell the same story. Each event records the
tick it happened on; ``kind`` is its class name, which is also its name in JSON.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any, ClassVar

from game.sim.states import Phase, RexState, Search


@dataclass(frozen=True, slots=True)
class Event:
    tick: int
    caption: ClassVar[str] = ""  # what a player who cannot hear should read

    @property
    def kind(self) -> str:
        return type(self).__name__

    def as_json(self) -> dict[str, Any]:
        return {"kind": self.kind, **dataclasses.asdict(self)}


# -- Rex ------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class LatchGave(Event):
    """The kennel latch, left a hair short of locked, gives way."""

    caption: ClassVar[str] = "[a kennel latch clanks open]"


@dataclass(frozen=True, slots=True)
class RexStateChanged(Event):
    old: RexState
    new: RexState


@dataclass(frozen=True, slots=True)
class RexEscaped(Event):
    """Rex has left the training center."""

    x: float
    y: float


@dataclass(frozen=True, slots=True)
class RexLeapt(Event):
    """Rex clears a fence in one leap."""

    x: float
    y: float
    caption: ClassVar[str] = "[a fence rattles]"


@dataclass(frozen=True, slots=True)
class RexSearchChanged(Event):
    """How Rex is finding his way: following the scent, sniffing a distraction, casting about."""

    old: Search
    new: Search


@dataclass(frozen=True, slots=True)
class RexSniffed(Event):
    """Rex checks a distracting smell and learns it is not the collar."""

    label: str
    x: float
    y: float


@dataclass(frozen=True, slots=True)
class RexReachedMila(Event):
    x: float
    y: float


@dataclass(frozen=True, slots=True)
class RexTell(Event):
    """Body language the player can read: growl, whine, bark, ears, tail."""

    tell: str
    caption: ClassVar[str] = ""


@dataclass(frozen=True, slots=True)
class MetersChanged(Event):
    """Rex's stress or trust crossed a step of 0.1: the HUD shows the tell."""

    stress: float
    trust: float
    cause: str


@dataclass(frozen=True, slots=True)
class RexStartled(Event):
    """Something Mila did too soon or too fast: the collar too early, a broken gesture."""

    cause: str


@dataclass(frozen=True, slots=True)
class CollarRecognised(Event):
    """Rex knows the scent: Bolt's collar."""


@dataclass(frozen=True, slots=True)
class Shielding(Event):
    """Rex plants himself between Mila and a raised gun (or steps aside again)."""

    active: bool


@dataclass(frozen=True, slots=True)
class Speech(Event):
    """Something said aloud at the scene (Mila, Dylan, a passer-by), shown as a caption."""

    speaker: str
    text: str


@dataclass(frozen=True, slots=True)
class StandDown(Event):
    """Dylan's order: every gun is lowered and no shot can be fired any more."""


# -- the chase ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Ending(Event):
    ending: str  # home, tranquilized, kennel, dusk
    reason: str


@dataclass(frozen=True, slots=True)
class Announcement(Event):
    """A loudspeaker plays the police warning: heard within ``radius`` of (x, y)."""

    x: float
    y: float
    radius: float
    caption: ClassVar[str] = "[a loudspeaker crackles a warning]"


@dataclass(frozen=True, slots=True)
class CalmMessage(Event):
    """The Handler's calm message plays: heard within ``radius`` of (x, y)."""

    x: float
    y: float
    radius: float
    caption: ClassVar[str] = "[a loudspeaker: a calm voice asks everyone to stay back]"


@dataclass(frozen=True, slots=True)
class Radio(Event):
    """A line of radio chatter or a loudspeaker announcement."""

    speaker: str
    text: str


# -- police ----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class PhaseChanged(Event):
    old: Phase
    new: Phase


@dataclass(frozen=True, slots=True)
class Sighting(Event):
    """An officer is sure of what he sees: Rex, here."""

    unit: int
    x: float
    y: float


@dataclass(frozen=True, slots=True)
class PhoneReport(Event):
    """A witness's call reaches the dispatcher, late and imprecise."""

    caller: int
    x: float
    y: float
    error: float
    seen_tick: int


@dataclass(frozen=True, slots=True)
class AimStarted(Event):
    unit: int
    x: float
    y: float


@dataclass(frozen=True, slots=True)
class AimCancelled(Event):
    unit: int
    reason: str


@dataclass(frozen=True, slots=True)
class ShotFired(Event):
    unit: int
    x: float
    y: float
    hit: bool
    caption: ClassVar[str] = "[a tranquilizer rifle fires]"


@dataclass(frozen=True, slots=True)
class Caught(Event):
    unit: int


@dataclass(frozen=True, slots=True)
class CarDeployed(Event):
    """A patrol car stops and its crew gets out."""

    car: int
    x: float
    y: float


# -- civilians -------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Panic(Event):
    civilian: int
    x: float
    y: float
    caption: ClassVar[str] = "[people scream]"


@dataclass(frozen=True, slots=True)
class Filming(Event):
    civilian: int


@dataclass(frozen=True, slots=True)
class WentIndoors(Event):
    civilian: int


@dataclass(frozen=True, slots=True)
class GrabAttempt(Event):
    """A passer-by rushes at Mila to pull her away from the dog."""

    civilian: int


@dataclass(frozen=True, slots=True)
class GrabbedMila(Event):
    civilian: int


@dataclass(frozen=True, slots=True)
class GrabMissed(Event):
    civilian: int


def counts(events: list[Event]) -> dict[str, int]:
    """Events by kind, sorted by name for stable JSON."""
    found: dict[str, int] = {}
    for event in events:
        found[event.kind] = found.get(event.kind, 0) + 1
    return dict(sorted(found.items()))
