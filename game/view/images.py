"""Pictures in and out: every image the window reads comes through ``game.guarded``, and every
image the game writes (screenshots, report plots) is written atomically.

``load_image`` reads the file as the guarded reader allows (a regular file of at most 32 MiB
whose header declares at most 4096 x 4096 pixels) before pygame decodes it, so a FIFO, a device
or a small file declaring a huge picture never reaches the decoder; what fails is an
``InputError``. ``save_image`` writes next to the target and renames the file over it; what
fails is an ``OutputError``.
"""

from __future__ import annotations

import io
import os
from pathlib import Path

import pygame

from game import guarded


def load_image(path: str | os.PathLike) -> pygame.Surface:
    data = guarded.read_image(path)
    try:
        return pygame.image.load(io.BytesIO(data), Path(path).name)
    except pygame.error as err:
        raise guarded.InputError(path, f"is not a picture the game can decode ({err})") from None


def save_image(surface: pygame.Surface, path: str | os.PathLike) -> None:
    """Save as the suffix says (PNG, BMP, JPEG, TGA), whole or not at all."""
    try:
        with guarded.atomic_path(path) as temporary:
            pygame.image.save(surface, str(temporary))
    except pygame.error as err:
        raise guarded.OutputError(f"cannot write {path}: {err}") from None
