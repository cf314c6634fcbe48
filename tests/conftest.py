"""Test-wide settings: the stage cache (game/stagecache.py) writes under a temporary folder,
never into the user's cache; and Ctrl-C works in the games the tests start."""

from __future__ import annotations

import signal

import pytest

# A shell without job control starts a background command (``make test &``, a CI runner's
# script) with SIGINT ignored, every process it starts inherits that, and Python then never
# turns SIGINT into KeyboardInterrupt. The tests that press Ctrl-C on a game they started need
# it live: a handler here is reset to the default in each child, which Python then takes over.
if signal.getsignal(signal.SIGINT) == signal.SIG_IGN:
    signal.signal(signal.SIGINT, signal.default_int_handler)


@pytest.fixture(autouse=True, scope="session")
def _stage_cache_in_a_temporary_folder(tmp_path_factory):
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("REX_STAGE_CACHE", str(tmp_path_factory.mktemp("stage-cache")))
        patch.delenv("REX_NO_STAGE_CACHE", raising=False)
        yield
