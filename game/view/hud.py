"""The heads-up display over the game: clock, alert phase, Rex's meters and tells, Mila's
breath, key hints, the radio log and captions, and the minimap, drawn with pygame.

Everything here reads the world, the log and the captions; nothing changes them. Rex's meters
(stress and trust) show while he is near, and every change gets a
tell the player cannot miss: the bar's edge lights up, an arrow shows its direction, and a
word rises above Rex. His body-language events (growl, whine, ears, tail) show as a bubble over
him, so they read without sound.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import pygame

from game.sim import events as ev
from game.sim.mila import METERS_RANGE
from game.view import cast
from game.view.input import Bindings
from game.view.radio import Captions, RadioLog
from game.view.ui import AMBER, CYAN, DIM, INK, Fonts, Palette, bar, box, panel

NEAR_TILES = METERS_RANGE  # Rex's meters show within this distance of Mila (as to a policy)
TREND_WINDOW = 0.5  # seconds over which a meter's change is measured
TREND_MIN = 0.004  # change per window that counts as moving (not noise)
TELL_SECONDS = 1.8
BREATH_SHOWN_BELOW = 0.999
TELL_TEXT = {"growl": "grrr...", "whine": "*whine*", "bark": "WOOF!", "ears_up": "ears up",
             "ears_back": "ears back", "tail_wag": "tail wags", "tail_down": "tail down",
             "sniff": "*sniff*", "yawn": "*yawn*", "lick": "licks his lips", "sit": "sits",
             "head_press": "presses his head to hers"}
SPEECH_SECONDS = 4.5  # a line said aloud stays over the speaker this long
CAUSE_SECONDS = 1.5  # a meter change is explained by a cause reported this recently
SPEAKERS = {"mila": ("mila", 0), "dylan": ("dylan", 0)}
HINTS = (("move_up", "move"), ("run", "run"), ("whisper", "whisper"), ("kneel", "kneel"),
         ("lift_hand", "hand"), ("show_collar", "collar"), ("chopper", "chopper"),
         ("pause", "pause"))


@dataclass
class Said:
    """A line said aloud at the scene, shown in a bubble over whoever said it."""

    speaker: str
    text: str
    born: float


@dataclass
class Floater:
    """A word rising from Rex: a tell for a meter change or his body language."""

    text: str
    colour: tuple[int, int, int]
    born: float
    seconds: float = TELL_SECONDS


class MeterWatch:
    """Follows one of Rex's meters and says when, and which way, it moves."""

    def __init__(self, name: str):
        self.name = name
        self.history: list[tuple[float, float]] = []
        self.trend = 0  # +1 rising, -1 falling, 0 steady
        self.flash_until = -1.0
        self.last_word = -10.0

    def observe(self, value: float, now: float) -> int:
        """Record the value; returns +1 or -1 when a new change should be announced."""
        self.history.append((now, value))
        while self.history and self.history[0][0] < now - TREND_WINDOW:
            self.history.pop(0)
        change = value - self.history[0][1]
        trend = 0 if abs(change) < TREND_MIN else (1 if change > 0 else -1)
        announce = 0
        if trend:
            self.flash_until = now + 0.6
            if trend != self.trend or now - self.last_word > 2.5:
                announce = trend
                self.last_word = now
        self.trend = trend
        return announce


class Hud:
    def __init__(self, fonts: Fonts, palette: Palette):
        self.fonts = fonts
        self.palette = palette
        self.stress = MeterWatch("stress")
        self.trust = MeterWatch("trust")
        self.floaters: list[Floater] = []
        self.said: list[Said] = []
        self.cause: tuple[str, float] = ("", -10.0)

    # -- what happened ----------------------------------------------------------------------

    def note_events(self, events: Iterable[ev.Event], now: float) -> None:
        good, bad = self.palette.good, self.palette.bad
        for event in events:
            match event:
                case ev.RexTell(tell=tell):
                    self.floaters.append(Floater(TELL_TEXT.get(tell, tell.replace("_", " ")),
                                                 INK, now))
                case ev.MetersChanged(cause=cause):
                    self.cause = (cause, now)
                case ev.RexStartled(cause=cause):
                    self.floaters.append(Floater(f"startled: {cause}", bad, now, 2.5))
                case ev.CollarRecognised():
                    self.floaters.append(Floater("he knows the scent", good, now, 3.0))
                case ev.Shielding(active=True):
                    self.floaters.append(Floater("shields Mila", AMBER, now, 2.5))
                case ev.Speech(speaker=speaker, text=text):
                    self.say(speaker, text, now)

    def say(self, speaker: str, text: str, now: float) -> None:
        """Queue a line over its speaker; lines said together follow one another."""
        last = max((s.born for s in self.said if s.speaker == speaker), default=-10.0)
        self.said.append(Said(speaker, text, max(now, last + SPEECH_SECONDS * 0.8)))

    def watch(self, world: Any, now: float) -> None:
        """Look at Rex's meters once a frame and turn each change into a tell."""
        rex = world.rex
        for watch, colour in ((self.stress, self.palette.stress),
                              (self.trust, self.palette.trust)):
            announce = watch.observe(getattr(rex, watch.name), now)
            if announce:
                arrow = "+" if announce > 0 else "-"
                cause, when = self.cause
                why = f"  ({cause})" if cause and now - when < CAUSE_SECONDS else ""
                self.floaters.append(Floater(f"{arrow} {watch.name}{why}", colour, now, 1.6))
        self.floaters = [f for f in self.floaters if now - f.born < f.seconds][-6:]
        self.said = [s for s in self.said if now - s.born < SPEECH_SECONDS]

    # -- drawing ------------------------------------------------------------------------------

    def draw(self, target: pygame.Surface, world: Any, placed: dict, log: RadioLog,
             captions: Captions, bindings: Bindings, now: float, *, spectator: bool,
             label: str | None, show_captions: bool, top: int = 0,
             mila_played: bool = False) -> None:
        """Draw the HUD; ``label`` says who plays Mila when the player does not; ``top`` is
        how far down the screen's free area starts (below the chopper's letterbox bar)."""
        w, h = target.get_size()
        self._clock(target, world)
        rex_at = placed.get(("rex", 0))
        if rex_at is not None:
            self._tells(target, rex_at, now)
        mila_at = placed.get(("mila", 0))
        if mila_at is not None:
            self._breath(target, world.mila, mila_at)
        self._speech(target, placed, now)
        near = math.hypot(world.rex.x - world.mila.x, world.rex.y - world.mila.y) <= NEAR_TILES
        if near or spectator:
            self._meters(target, world.rex, (w - 12, h - 40), now)
        self._log(target, log, now, (16, h - 44))
        if show_captions:
            self._captions(target, captions, now, (w // 2, h - 112))
        if label:
            self.fonts.draw(target, label, (w // 2, top + 14), "small", AMBER, anchor="midtop")
        self._hints(target, bindings, (w // 2, h - 10), spectator, mila_played)

    def _clock(self, target: pygame.Surface, world: Any) -> None:
        rect = pygame.Rect(12, 12, 220, 96)
        panel(target, rect, alpha=225)
        self.fonts.draw(target, world.clock_text(), (rect.x + 14, rect.y + 8), "huge", INK)
        sunset = world.level.settings.sunset_clock_s
        minutes = max(0, math.ceil((sunset - world.clock_seconds) / 60))
        self.fonts.draw(target, f"sunset {sunset // 3600:02d}:{sunset // 60 % 60:02d}  ·  "
                        f"{minutes} min", (rect.x + 16, rect.y + 54), "small", AMBER)
        phase = cast.phase(world)
        if phase:
            colour = self.palette.phases.get(phase, INK)
            badge = pygame.Rect(rect.x + 14, rect.y + 74, 0, 18)
            text = phase.replace("_", " ").upper()
            badge.width = self.fonts.text(text, "tiny").get_width() + 16
            pygame.draw.rect(target, colour, badge, border_radius=5)
            self.fonts.draw(target, text, badge.center, "tiny", (10, 10, 16), anchor="center")
        else:
            self.fonts.draw(target, world.level.name, (rect.x + 16, rect.y + 74), "tiny", DIM)

    def _meters(self, target: pygame.Surface, rex: Any, bottomright: tuple[int, int],
                now: float) -> None:
        meters = [(watch, getattr(rex, watch.name), colour) for watch, colour in
                  ((self.stress, self.palette.stress), (self.trust, self.palette.trust))]
        rect = pygame.Rect(0, 0, 300, 40 + 26 * len(meters))
        rect.bottomright = bottomright
        panel(target, rect, alpha=210)
        self.fonts.draw(target, "REX", (rect.x + 12, rect.y + 8), "small", AMBER)
        self.fonts.draw(target, str(rex.state), (rect.right - 12, rect.y + 9), "tiny", DIM,
                        anchor="topright")
        for i, (watch, value, colour) in enumerate(meters):
            y = rect.y + 32 + 26 * i
            self.fonts.draw(target, watch.name.upper(), (rect.x + 12, y), "tiny", INK)
            flash = max(0.0, watch.flash_until - now) / 0.6
            bar(target, pygame.Rect(rect.x + 70, y, 180, 14), float(value), colour, flash)
            if watch.trend:
                _arrow(target, (rect.x + 270, y + 7), watch.trend, colour)

    def _tells(self, target: pygame.Surface, at: tuple[float, float], now: float) -> None:
        """Rex's tells rise beside him (to his right, clear of any speech over Mila)."""
        rise = 0
        for floater in reversed(self.floaters):
            age = (now - floater.born) / floater.seconds
            alpha = round(255 * min(1.0, 2.0 * (1.0 - age)))
            y = at[1] - 30 - rise - age * 24
            surface = self.fonts.text(floater.text, "small", floater.colour)
            bubble = surface.get_rect(bottomleft=(round(at[0]) + 26, round(y))).inflate(12, 6)
            back = box(bubble.size, (12, 14, 26, 200), radius=6)
            back.set_alpha(alpha)
            target.blit(back, bubble)
            back.set_alpha(None)
            self.fonts.draw(target, floater.text, bubble.center, "small", floater.colour,
                            anchor="center", alpha=alpha)
            rise += bubble.height + 2

    def _speech(self, target: pygame.Surface, placed: dict, now: float) -> None:
        for said in self.said:
            if said.born > now:
                continue  # waiting for the line before it
            at = placed.get(SPEAKERS.get(said.speaker.lower(), ("mila", 0)))
            if at is None:
                continue
            lines = self.fonts.wrap(said.text, "small", 300)
            width = max(self.fonts.text(line, "small", (20, 20, 28), shadow=False).get_width()
                        for line in lines) + 20
            bubble = pygame.Rect(0, 0, width, 12 + 20 * len(lines))
            # Up and to the left of the speaker: Rex's tells rise on the right.
            bubble.bottomright = (round(at[0]) + 14, round(at[1]) - 74)
            bubble.clamp_ip(target.get_rect().inflate(-8, -8))
            pygame.draw.rect(target, (248, 244, 232), bubble, border_radius=8)
            tail = (round(at[0]), round(at[1]) - 56)
            pygame.draw.polygon(target, (248, 244, 232),
                                [(tail[0] - 6, bubble.bottom - 1), (tail[0] + 6, bubble.bottom - 1),
                                 tail])
            for i, line in enumerate(lines):
                self.fonts.draw(target, line, (bubble.centerx, bubble.y + 7 + 20 * i), "small",
                                (20, 20, 28), anchor="midtop")

    def _breath(self, target: pygame.Surface, mila: Any, at: tuple[float, float]) -> None:
        breath = mila.breath
        if not (mila.whispering or breath < BREATH_SHOWN_BELOW):
            return
        rect = pygame.Rect(0, 0, 44, 7)
        rect.midtop = (round(at[0]), round(at[1]) + 8)
        bar(target, rect, float(breath), self.palette.breath)
        self.fonts.draw(target, "breath", (rect.centerx, rect.bottom + 1), "tiny",
                        self.palette.breath, anchor="midtop")

    def _log(self, target: pygame.Surface, log: RadioLog, now: float,
             bottomleft: tuple[int, int]) -> None:
        shown = log.visible(now)
        if not shown:
            return
        width = 470
        lines = []
        for line, alpha in shown:
            speaker = f"{line.speaker}: " if line.speaker else ""
            for j, part in enumerate(self.fonts.wrap(line.shown, "tiny", width - 130)):
                lines.append((speaker if j == 0 else "", part, alpha, bool(line.speaker)))
        lines = lines[-7:]
        rect = pygame.Rect(0, 0, width, 30 + 18 * len(lines))
        rect.bottomleft = bottomleft
        panel(target, rect, alpha=160)
        self.fonts.draw(target, "RADIO", (rect.x + 10, rect.y + 6), "tiny", CYAN)
        for i, (speaker, text, alpha, radio) in enumerate(lines):
            a = round(255 * alpha)
            y = rect.y + 24 + 18 * i
            self.fonts.draw(target, speaker, (rect.x + 10, y), "tiny", AMBER, alpha=a)
            self.fonts.draw(target, text, (rect.x + 120, y), "tiny", INK if radio else DIM,
                            alpha=a)

    def _captions(self, target: pygame.Surface, captions: Captions, now: float,
                  midbottom: tuple[int, int]) -> None:
        y = midbottom[1]
        for caption in reversed(captions.visible(now)):
            text = caption.text
            if caption.side < -0.3:
                text = "< " + text
            elif caption.side > 0.3:
                text = text + " >"
            surface = self.fonts.text(text, "small", INK)
            rect = surface.get_rect(midbottom=(midbottom[0], y)).inflate(16, 6)
            target.blit(box(rect.size, (0, 0, 0, 150), radius=3), rect)
            target.blit(surface, surface.get_rect(center=rect.center))
            y -= rect.height + 3

    def _hints(self, target: pygame.Surface, bindings: Bindings, midbottom: tuple[int, int],
               spectator: bool, mila_played: bool) -> None:
        parts = hint_parts(bindings, spectator, mila_played)
        x = 0
        pieces = []
        for key, word in parts:
            k = self.fonts.text(key, "tiny", (20, 20, 28), shadow=False)
            t = self.fonts.text(word, "tiny", INK)
            pieces.append((k, t))
            x += k.get_width() + 10 + t.get_width() + 16
        left = midbottom[0] - x // 2
        y = midbottom[1] - 18
        for k, t in pieces:
            cap = pygame.Rect(left, y - 1, k.get_width() + 8, 18)
            pygame.draw.rect(target, (228, 220, 200), cap, border_radius=4)
            target.blit(k, (left + 4, y + 2))
            left = cap.right + 4
            target.blit(t, (left, y + 2))
            left += t.get_width() + 14

    def chopper_frame(self, target: pygame.Surface, now: float) -> int:
        """The news chopper's look: letterbox bars, a LIVE badge and a recording dot; returns
        the height of the bars."""
        w, h = target.get_size()
        band = h // 14
        target.fill((0, 0, 0), (0, 0, w, band))
        target.fill((0, 0, 0), (0, h - band, w, band))
        self.fonts.draw(target, "LIVE", (w // 2 - 150, band // 2), "body", (255, 255, 255),
                        anchor="midleft")
        if int(now * 2) % 2 == 0:
            pygame.draw.circle(target, (230, 30, 30), (w // 2 - 165, band // 2), 7)
        self.fonts.draw(target, "CHANNEL 7 NEWS CHOPPER  ·  K9 ON THE LOOSE",
                        (w // 2 - 90, band // 2), "small", (230, 230, 230), anchor="midleft")
        return band


def _arrow(target: pygame.Surface, centre: tuple[int, int], direction: int,
           colour: tuple[int, int, int]) -> None:
    x, y = centre
    d = -direction * 6
    pygame.draw.polygon(target, colour, [(x - 6, y - d // 2), (x + 6, y - d // 2), (x, y + d)])


def hint_parts(bindings: Bindings, spectator: bool, mila_played: bool) -> list[tuple[str, str]]:
    """(keys, word) for the hint bar: the keys that act in this game."""
    moves = "/".join(bindings.label(a, 1) for a in
                     ("move_up", "move_left", "move_down", "move_right"))
    pause = (bindings.label("pause", 1), "pause")
    if mila_played:  # a replay or a policy moves Mila: only the camera and the pause are ours
        return [(bindings.label("chopper", 1), "chopper"),
                (bindings.label("overlay_scent", 1) + "-" + bindings.label("overlay_labels", 1),
                 "overlays"), pause]
    if spectator:
        return [(moves, "pan"), (bindings.label("chopper", 1), "follow Rex / free"), pause]
    return [(moves if action == "move_up" else bindings.label(action, 1), word)
            for action, word in HINTS]
