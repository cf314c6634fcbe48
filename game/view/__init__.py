"""The view: the window, the only package that imports pygame. It reads the world and sends
commands; it never changes the world itself.

This module itself stays free of pygame so that the command line can name the view's options
without loading it. The headless commands reach into the view at one place only: the plots of
a batch's or sweep's ``--report`` (``plots``), imported when a report is written.
"""

OVERLAYS: tuple[str, ...] = ("scent", "fields", "vision", "walkable", "labels")
