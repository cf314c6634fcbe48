"""The docs that are data stay true to the code."""

from __future__ import annotations

from tools import make_docs


def test_the_tuning_page_matches_the_tuning_table():
    assert make_docs.TUNING.read_text() == make_docs.tuning_page(), (
        "docs/TUNING.md is stale: run python -m tools.make_docs")


def test_the_example_policy_in_the_docs_runs(tmp_path, monkeypatch):
    import math
    import re
    from pathlib import Path

    from game import policies
    from game.sim.chase import step
    from game.sim.world import World
    from game.tiled import read_level
    from game.tuning import Tuning
    from tests import mapkit

    text = (Path(make_docs.ROOT) / "docs" / "POLICIES.md").read_text()
    code = next(block for block in re.findall(r"```python\n(.*?)```", text, re.DOTALL)
                if "class Brave" in block)
    (tmp_path / "doc_example_mila.py").write_text(code)
    monkeypatch.syspath_prepend(str(tmp_path))
    level = read_level(mapkit.write(mapkit.MapSpec(), tmp_path / "map"))
    world = World(level, 1, Tuning(prewarm_seconds=30.0), police=False, civilians=False)
    brave = policies.make("doc_example_mila:Brave", 1)
    maple = policies.Observation(world).maple_tree
    calmed = False
    while world.ending is None and world.tick < 30 * 240 and not calmed:
        commands = brave(policies.Observation(world))
        calmed = commands.kneel and commands.whisper
        step(world, commands)
    # As the docs say: she walked to the maple tree, and when Rex came within her patience
    # she knelt and whispered.
    assert math.hypot(world.mila.x - maple.x, world.mila.y - maple.y) < 2.0
    assert calmed and math.hypot(world.rex.x - world.mila.x, world.rex.y - world.mila.y) <= 6.0
