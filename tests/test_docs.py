"""The docs that are data stay true to the code."""

from __future__ import annotations

from tools import make_docs


def test_the_tuning_page_matches_the_tuning_table():
    assert make_docs.TUNING.read_text() == make_docs.tuning_page(), (
        "docs/TUNING.md is stale: run python -m tools.make_docs")


def test_the_example_policy_in_the_docs_runs(tmp_path, monkeypatch):
    import re
    from pathlib import Path

    from game import policies
    from game.sim.world import World, step
    from game.tiled import read_level
    from game.tuning import Tuning
    from tests import mapkit

    text = (Path(make_docs.ROOT) / "docs" / "POLICIES.md").read_text()
    code = next(block for block in re.findall(r"```python\n(.*?)```", text, re.DOTALL)
                if "class Brave" in block)
    (tmp_path / "doc_example_mila.py").write_text(code)
    monkeypatch.syspath_prepend(str(tmp_path))
    level = read_level(mapkit.write(mapkit.MapSpec(), tmp_path / "map"))
    world = World(level, 1, Tuning(prewarm_seconds=30.0))
    brave = policies.make("doc_example_mila:Brave", 1)
    for _ in range(900):
        step(world, brave(policies.Observation(world)))
    assert world.tick > 0
