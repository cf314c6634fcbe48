"""The view: the window, the only package that imports pygame. It reads the world and sends
commands; it never changes the world itself.

This module itself stays free of pygame so that the command line can name the view's options
without loading it.
"""

OVERLAYS: tuple[str, ...] = ("scent", "fields", "vision", "walkable", "labels")
