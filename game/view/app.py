"""The desktop window: the map under a camera the player pans (arrows / WASD), Esc to quit."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import pygame

from game.level import Level
from game.view.camera import Camera
from game.view.tiles import MapRenderer

WINDOW = (1280, 720)
TILE_PX = 32  # 16-pixel art at 2x
PAN_TILES_PER_S = 24.0


@dataclass
class PlayOptions:
    frames: int | None = None  # stop after this many frames (for checks without a screen)
    screenshot: Path | None = None  # save the last frame here


def _pan_direction(keys: pygame.key.ScancodeWrapper) -> tuple[float, float]:
    dx = (keys[pygame.K_RIGHT] or keys[pygame.K_d]) - (keys[pygame.K_LEFT] or keys[pygame.K_a])
    dy = (keys[pygame.K_DOWN] or keys[pygame.K_s]) - (keys[pygame.K_UP] or keys[pygame.K_w])
    return float(dx), float(dy)


def run(level: Level, options: PlayOptions) -> int:
    pygame.display.init()
    pygame.font.init()
    try:
        screen = pygame.display.set_mode(WINDOW, pygame.RESIZABLE)
        pygame.display.set_caption(f"Rex - {level.name}")
        renderer = MapRenderer(level, TILE_PX)
        start = level.one("rex_spawn")
        camera = Camera(start.x, start.y, TILE_PX, *screen.get_size(), level.width, level.height)
        camera.clamp()
        font = pygame.font.Font(None, 22)
        clock = pygame.time.Clock()
        paced = os.environ.get("SDL_VIDEODRIVER") != "dummy"
        frame = 0
        running = True
        while running:
            dt = clock.tick(60 if paced else 0) / 1000.0
            for event in pygame.event.get():
                if event.type == pygame.QUIT or (
                        event.type == pygame.KEYDOWN and event.key == pygame.K_ESCAPE):
                    running = False
                elif event.type == pygame.VIDEORESIZE:
                    camera.resize(*screen.get_size())
            dx, dy = _pan_direction(pygame.key.get_pressed())
            camera.pan(dx * PAN_TILES_PER_S * dt, dy * PAN_TILES_PER_S * dt)
            screen.fill((0, 0, 0))
            renderer.draw(screen, camera.left_px, camera.top_px)
            hint = f"{level.name}  -  arrows / WASD pan  -  Esc quits"
            if renderer.atlas.missing_art:
                hint += "  -  tileset art missing: plain colours"
            label = font.render(hint, True, (240, 236, 220))
            screen.blit(label, (10, screen.get_height() - 24))
            pygame.display.flip()
            frame += 1
            if options.frames is not None and frame >= options.frames:
                running = False
        if options.screenshot is not None:
            pygame.image.save(screen, str(options.screenshot))
    finally:
        pygame.quit()
    return 0
