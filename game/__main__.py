"""``python -m game`` is the ``rex`` command."""

import sys

from game.cli import main

sys.exit(main())
