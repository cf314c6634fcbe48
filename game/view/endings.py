"""The ending screens: a short scene for each ending, then the score and "play again", drawn
with pygame.

``home`` has three beats before the score: the recognition scene (the last moment of the
chase, closer and warmer, with Mila's words), the viral-video screen (a view counter climbing
from thousands to millions while comments scroll past, the story's own among them) and the
epilogue a year later. The other endings have one scene each, in their own light. Each beat
moves on by itself after a while; Enter, Space or a click moves on sooner.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import pygame

from game.view.command import handler_score_line
from game.view.menus import Item, Menu
from game.view.screen import Window
from game.view.ui import AMBER, DIM, INK, lerp_colour, panel, vertical_gradient

if TYPE_CHECKING:
    from game.view.play import GameScreen

BEAT_SECONDS = {"scene": 10.0, "viral": 11.0, "epilogue": 9.0}
LINE_SECONDS = 2.2  # between the lines of a scene
FALLBACK_VIEWS = 1_000_000  # shown when the simulation gives no audience figure


@dataclass(frozen=True)
class EndingText:
    title: str
    lines: tuple[str, ...]
    tint: tuple[int, int, int]
    music: str


ENDINGS: dict[str, EndingText] = {
    "home": EndingText("Home", (
        "\"This belonged to Bolt, the dog who saved my life.\"",
        "\"You know this scent, don't you?\"",
        "\"Rex, you're Bolt's son.\"",
        "Rex presses his head to her forehead. The chase is over.",
    ), (255, 200, 130), "theme_home"),
    "tranquilized": EndingText("Tranquilized", (
        "A dart. Rex staggers, and lies down in the grass.",
        "They carry him back to the kennel.",
        "Mila is left holding the collar.",
    ), (200, 60, 60), "theme_sad"),
    "kennel": EndingText("Back to the kennel", (
        "The perimeter closed before Rex ever reached her.",
        "Dylan walks him back to his kennel.",
        "All night, he stares toward the city.",
    ), (120, 150, 220), "theme_sad"),
    "dusk": EndingText("Lost at dusk", (
        "The sun has set, and Rex is still out there.",
        "Somewhere in the dark, he is following a scent",
        "that nobody else can sense.",
    ), (70, 80, 150), "theme_sad"),
}

COMMENTS = (
    ("@maya_k", "Animals remember love. They never forget."),
    ("@dogdad_88", "the way he pressed his head to hers... I'm done"),
    ("@lena.v", "She didn't run. That's the whole video."),
    ("@officer_j", "Respect to the handler who said lower your weapons."),
    ("@tomasz", "This dog didn't escape. He went home."),
    ("@k9_fan", "GOOD BOY REX"),
    ("@ari", "watched this 40 times and cried 40 times"),
    ("@mountain_rescue", "Bolt's son. Of course he found her."),
    ("@jules", "who is cutting onions in here"),
    ("@sam_r", "the collar... I can't"),
    ("@nina", "Somebody give that kid a medal."),
    ("@pete", "Dogs know. They always know."),
)


def views_at(seconds: float, final: int, climb: float = 6.5) -> int:
    """The counter after ``seconds``: from a thousand to ``final``, fast at first then slowing,
    evenly in orders of magnitude (so the millions arrive like a wave)."""
    start = min(1000, final)
    t = min(max(seconds / climb, 0.0), 1.0)
    ease = 1.0 - (1.0 - t) ** 3
    return round(10 ** (math.log10(max(start, 1)) + (math.log10(max(final, 1))
                                                     - math.log10(max(start, 1))) * ease))


class EndingScreen:
    def __init__(self, app: Window, game: GameScreen):
        self.app = app
        self.game = game
        world = game.session.world
        self.kind = world.ending.ending if world.ending is not None else "dusk"
        self.text = ENDINGS.get(self.kind, ENDINGS["dusk"])
        self.beats = ["scene", "viral", "epilogue", "result"] if self.kind == "home" else \
            ["scene", "result"]
        self.beat = 0
        self.time = 0.0
        self.backdrop = self._backdrop(game.final_frame)
        self.focus = focus_of(game.placed, self.backdrop.get_size())
        self.yard = yard_centre(world)
        score = game.session.score
        views = score.get("views") if isinstance(score, dict) else None
        self.views: int | None = None if views is None else int(views)
        if app.replaying:  # one recorded game: watch it again or leave
            items = [Item("Watch again", choose=app.restart), Item("Quit", choose=app.quit)]
        else:
            items = [Item("Play again", choose=app.restart),
                     Item("Title screen", choose=app.show_title), Item("Quit", choose=app.quit)]
        self.menu = Menu(app.fonts, "", items,
                         on_back=app.quit if app.replaying else app.show_title, width=340)
        app.mixer.stop_all()
        app.mixer.music(self.text.music, loop=self.kind != "home")

    @property
    def stage(self) -> str:
        return self.beats[self.beat]

    def _backdrop(self, frame: pygame.Surface | None) -> pygame.Surface:
        """The last moment of the chase, coloured by how it ended."""
        size = self.app.surface.get_size()
        if frame is None:
            frame = pygame.Surface(size)
            self.game.draw(frame)
        picture = pygame.transform.smoothscale(frame, size)
        if self.kind != "home":
            picture = pygame.transform.grayscale(picture)
        tint = pygame.Surface(size)
        tint.fill(lerp_colour(self.text.tint, (255, 255, 255), 0.55))
        picture.blit(tint, (0, 0), special_flags=pygame.BLEND_MULT)
        return picture

    def next_beat(self) -> None:
        if self.beat < len(self.beats) - 1:
            self.beat += 1
            self.time = 0.0

    def handle(self, event: pygame.event.Event) -> None:
        if self.stage == "result":
            self.menu.handle(event)
            return
        skip = (event.type == pygame.KEYDOWN and event.key in (
            pygame.K_RETURN, pygame.K_SPACE, pygame.K_ESCAPE, pygame.K_KP_ENTER)) or (
            event.type == pygame.MOUSEBUTTONDOWN and event.button == 1)
        if skip:
            self.next_beat()

    def update(self, dt: float) -> None:
        self.time += dt
        limit = BEAT_SECONDS.get(self.stage)
        if limit is not None and self.time >= limit:
            self.next_beat()

    def draw(self, target: pygame.Surface) -> None:
        {"scene": self._scene, "viral": self._viral, "epilogue": self._epilogue,
         "result": self._result}[self.stage](target)

    # -- beats --------------------------------------------------------------------------------

    def _scene(self, target: pygame.Surface) -> None:
        w, h = target.get_size()
        # A slow push in on the moment: on Mila and Rex, from the whole view to half of it.
        zoom = 1.0 + 1.0 * (1.0 - (1.0 - min(1.0, self.time / BEAT_SECONDS["scene"])) ** 2)
        view = self.backdrop.get_rect().scale_by(1.0 / zoom)
        view.center = self.focus
        view.clamp_ip(self.backdrop.get_rect())
        pygame.transform.smoothscale(self.backdrop.subsurface(view), (w, h), target)
        band = h // 8
        target.fill((0, 0, 0), (0, 0, w, band))
        target.fill((0, 0, 0), (0, h - band, w, band))
        fonts = self.app.fonts
        fonts.draw(target, self.text.title.upper(), (w // 2, band // 2), "large", AMBER,
                   anchor="center")
        shown = min(len(self.text.lines), int(self.time / LINE_SECONDS) + 1)
        y = h - band - 24 - 36 * shown
        strip = pygame.Surface((w, 36 * shown + 36), pygame.SRCALPHA)
        strip.fill((0, 0, 0, 150))  # the words must read over any picture
        target.blit(strip, (0, y - 18))
        for i, line in enumerate(self.text.lines[:shown]):
            age = self.time - i * LINE_SECONDS
            fonts.draw(target, line, (w // 2, y + 36 * i), "large", INK, anchor="midtop",
                       alpha=round(255 * min(1.0, age / 0.8)))
        fonts.draw(target, "Enter to continue", (w // 2, h - band // 2), "tiny", DIM,
                   anchor="center")

    def _viral(self, target: pygame.Surface) -> None:
        w, h = target.get_size()
        target.blit(vertical_gradient((w, h), (18, 18, 24), (8, 8, 12)), (0, 0))
        fonts = self.app.fonts
        video = pygame.Rect(40, 60, min(760, w - 480), 0)
        video.height = video.width * 9 // 16
        crop = self.backdrop.get_rect().scale_by(0.6)  # phones filmed it from close by
        crop.center = self.focus
        crop.clamp_ip(self.backdrop.get_rect())
        thumb = pygame.transform.smoothscale(self.backdrop.subsurface(crop), video.size)
        target.blit(thumb, video)
        pygame.draw.rect(target, (60, 60, 70), video, 1)
        progress = min(1.0, self.time / BEAT_SECONDS["viral"])
        track = pygame.Rect(video.x, video.bottom - 6, video.width, 4)
        pygame.draw.rect(target, (90, 90, 90), track)
        pygame.draw.rect(target, (230, 40, 40), (track.x, track.y, track.width * progress, 4))
        play = [(video.centerx - 22, video.centery - 28), (video.centerx - 22,
                                                            video.centery + 28),
                (video.centerx + 30, video.centery)]
        if self.time < 1.2:
            pygame.draw.polygon(target, (240, 240, 240), play)
        fonts.draw(target, "Police K9 escapes, crosses the city, finds a girl in the park",
                   (video.x, video.bottom + 14), "body", INK)
        views = views_at(self.time, self.views or FALLBACK_VIEWS)
        fonts.draw(target, f"{views:,} views", (video.x, video.bottom + 46), "large", AMBER)
        fonts.draw(target, f"{max(1, views // 14):,} likes  ·  uploaded 6 hours ago",
                   (video.x, video.bottom + 88), "small", DIM)
        self._comments(target, pygame.Rect(video.right + 30, 60, w - video.right - 70,
                                           h - 120))

    def _comments(self, target: pygame.Surface, rect: pygame.Rect) -> None:
        fonts = self.app.fonts
        panel(target, rect, alpha=200, fill=(24, 24, 32), edge=(60, 60, 80))
        fonts.draw(target, "Comments", (rect.x + 16, rect.y + 12), "body", INK)
        clip = target.get_clip()
        inner = rect.inflate(-16, -56).move(0, 20)
        target.set_clip(inner)
        row = 58
        # Comments scroll upward, new ones arriving at the bottom; the panel starts full.
        offset = self.time * 34 + inner.height - row
        for i in range(len(COMMENTS) * 3):
            name, text = COMMENTS[i % len(COMMENTS)]
            y = inner.bottom - offset + row * i - row * 2
            if y < inner.y - row or y > inner.bottom:
                continue
            fonts.draw(target, name, (inner.x + 8, y), "tiny", (140, 170, 230))
            for j, part in enumerate(fonts.wrap(text, "small", inner.width - 20)[:2]):
                fonts.draw(target, part, (inner.x + 8, y + 17 + 19 * j), "small", INK)
        target.set_clip(clip)

    def _epilogue(self, target: pygame.Surface) -> None:
        """The training yard a year later, in warm afternoon light: Mila walks across it with
        Rex at her side, and he sits down beside her. Drawn at half size, then doubled, so
        the pixel art shows up close and crisp."""
        w, h = target.get_size()
        half = pygame.Surface((w // 2, h // 2))
        scene = self.app.scene
        px = scene.tile_px
        cx, cy = self.yard
        half.fill((0, 0, 0))
        scene.tiles.draw(half, cx * px - half.get_width() / 2, cy * px - half.get_height() / 2)
        walked = min(self.time * 1.1, 6.0)  # tiles; they stop after six
        moving = walked < 6.0
        frame = int(self.time * 7) % 4 if moving else 0
        mila_x = half.get_width() / 2 + (walked - 3.5) * px
        ground = half.get_height() / 2 + px
        rex = f"rex_walk_right_{frame}" if moving else "rex_sit_left"
        scene.sprites.draw(half, f"mila_walk_right_{frame}", mila_x, ground)
        scene.sprites.draw(half, rex, mila_x + 1.3 * px, ground + 2)
        scene.lighting.apply(half, 0.3, [])
        pygame.transform.scale(half, (w, h), target)
        fonts = self.app.fonts
        strip = pygame.Surface((w, 190), pygame.SRCALPHA)
        strip.fill((20, 10, 16, 150))
        target.blit(strip, (0, 40))
        reveal = min(1.0, self.time / 1.5)
        fonts.draw(target, "One year later", (w // 2, 58), "huge", AMBER, anchor="midtop",
                   alpha=round(255 * reveal))
        lines = ("Mila helps at the K9 training center on Saturdays.", "Rex is calm.")
        for i, line in enumerate(lines):
            age = self.time - 1.5 - i * 1.8
            if age > 0:
                fonts.draw(target, line, (w // 2, 128 + 44 * i), "large", INK,
                           anchor="midtop", alpha=round(255 * min(1.0, age)))

    def _result(self, target: pygame.Surface) -> None:
        w, h = target.get_size()
        target.blit(self.backdrop, (0, 0))
        shade = pygame.Surface((w, h), pygame.SRCALPHA)
        shade.fill((4, 6, 14, 120))
        target.blit(shade, (0, 0))
        fonts = self.app.fonts
        fonts.draw(target, self.text.title, (w // 2, 50), "huge", AMBER, anchor="midtop")
        fonts.draw(target, self.text.lines[-1].strip('"'), (w // 2, 108), "body", INK,
                   anchor="midtop")
        world = self.game.session.world
        rows = score_rows(self.game.session.score, self.views)
        minutes, seconds = divmod(int(world.seconds), 60)
        rows.append(("Chase", f"{minutes} min {seconds:02d} s, clock {world.clock_text()}"))
        rows.append(("Seed", str(world.seed)))
        handler_line = handler_score_line(world)
        if handler_line is not None:
            rows.insert(1, ("Handler", handler_line))
        box = pygame.Rect(0, 0, 560, 34 + 30 * len(rows))
        box.midtop = (w // 2, 160)
        panel(target, box, alpha=220)
        for i, (name, value) in enumerate(rows):
            y = box.y + 18 + 30 * i
            colour = AMBER if i == 0 else INK
            fonts.draw(target, name, (box.x + 24, y), "body", DIM)
            fonts.draw(target, value, (box.right - 24, y), "body", colour, anchor="topright")
        self.menu.draw(target, (w // 2, box.bottom + 150))


def score_rows(score: Any, views: int | None) -> list[tuple[str, str]]:
    """The score as (name, value) rows: the views first, then whatever parts make them up."""
    rows = [("Views", "-" if views is None else f"{views:,}")]
    if isinstance(score, dict):
        for name, value in score.items():
            if name == "views":
                continue
            shown = f"{value:,}" if isinstance(value, int) else \
                f"{value:.2f}" if isinstance(value, float) else str(value)
            rows.append((name.replace("_", " ").capitalize(), shown))
    return rows


def focus_of(placed: dict, size: tuple[int, int]) -> tuple[int, int]:
    """Where the last moment happened on screen: between Mila and Rex if both were in view."""
    seen = [placed[key] for key in (("mila", 0), ("rex", 0)) if key in placed]
    if not seen:
        return size[0] // 2, size[1] // 2
    return (round(sum(x for x, _ in seen) / len(seen)),
            round(sum(y for _, y in seen) / len(seen)) - 16)


def yard_centre(world: Any) -> tuple[float, float]:
    """Where the epilogue is set: the middle of the open ground of the training center (the
    map's facility zone), or the kennel when the map has no such zone."""
    facility = world.level.zones.get("facility")
    if facility is not None:
        ys, xs = np.nonzero(facility & world.stage.walkable)
        if len(xs):
            return float(xs.mean()) + 0.5, float(ys.mean()) + 0.5
    x, y = world.level.one("rex_spawn").cell
    return x + 0.5, y + 0.5
