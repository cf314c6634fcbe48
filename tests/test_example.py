"""The learning example trains on Rex/Mila-v0 and prints its home rate beside calm's."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

pytest.importorskip("gymnasium")

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.slow
def test_the_tabular_example_trains_and_compares_with_calm(tmp_path):
    table = tmp_path / "q.npz"
    result = subprocess.run(
        [sys.executable, "examples/train_mila.py", "--minutes", "1.5", "--eval-seeds", "6",
         "--out", str(table)], cwd=ROOT, capture_output=True, text=True, timeout=1200)
    assert result.returncode == 0, result.stderr
    trained = re.search(r"trained on (\d+) episodes", result.stdout)
    assert trained and int(trained.group(1)) >= 1
    assert re.search(r"home rate on seeds 0-5: learned \d/6 \(\d+%\), calm \d/6 \(\d+%\)",
                     result.stdout), result.stdout
    # The saved table plays from the command line as a policy with an argument.
    played = subprocess.run(
        [sys.executable, "-m", "game", "sim", "--policy", "examples.train_mila:TabularMila",
         "--policy-arg", f"table={table}", "--decide-every", "10", "--max-minutes", "1",
         "--json"], cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert played.returncode == 0, played.stderr
    assert '"decide_every": 10' in played.stdout
