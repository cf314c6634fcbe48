"""Test-wide settings: the stage cache (game/stagecache.py) writes under a temporary folder,
never into the user's cache."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True, scope="session")
def _stage_cache_in_a_temporary_folder(tmp_path_factory):
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("REX_STAGE_CACHE", str(tmp_path_factory.mktemp("stage-cache")))
        patch.delenv("REX_NO_STAGE_CACHE", raising=False)
        yield
