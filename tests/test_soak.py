"""The soak in the slow CI step: 1000 games, no exception, nothing impossible, memory flat."""

from __future__ import annotations

import pytest

from tests import soak


@pytest.mark.slow
def test_a_thousand_games_soak_cleanly(capsys):
    report = soak.soak(1000, workers=2)
    with capsys.disabled():
        print(f"\nsoak: {report}")
    assert sum(report["endings"].values()) == 1000
    for worker in report["memory_kib"]:
        # Resident memory after the first hundred games against the last: flat, within 15%.
        assert worker["at_the_end"] <= worker["after_first_games"] * 1.15, report


def test_a_short_soak(tmp_path):
    """The same checks on a dozen games, in the default run."""
    report = soak.soak(12, workers=2)
    assert sum(report["endings"].values()) == 12
