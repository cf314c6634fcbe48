"""The docs that are data stay true to the code."""

from __future__ import annotations

from tools import make_docs


def test_the_tuning_page_matches_the_tuning_table():
    assert make_docs.TUNING.read_text() == make_docs.tuning_page(), (
        "docs/TUNING.md is stale: run python -m tools.make_docs")
