"""Rex: a top-down chase simulation.

The package is split by where data enters (``level``), where time passes (``sim``) and where
people see it (``view``). Importing it must print nothing: pygame prints a banner on its first
import unless told not to, and the headless tools promise clean JSON on stdout.
"""

import os

os.environ.setdefault("PYGAME_HIDE_SUPPORT_PROMPT", "1")

__version__ = "0.1.0"
