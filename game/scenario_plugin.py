"""A pytest plugin that collects scenario files: ``pytest scenarios/`` runs them as tests.

Installed with the game (the ``pytest11`` entry point in pyproject.toml), so every pytest run in
its environment has it; elsewhere, load it with ``pytest -p game.scenario_plugin``. A ``.toml``
file is collected when it has an ``[expect]`` table (so pyproject.toml and other TOML files
are left alone). Each scenario is one test item, which plays its seeds in worker processes and
fails with one line per expectation that did not hold. ``--scenario-seeds N`` and
``--scenario-jobs J`` do what ``rex scenario --seeds`` and ``--jobs`` do.

Nothing heavy is imported until a scenario runs, so the plugin costs nothing to other runs.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("rex scenarios")
    group.addoption("--scenario-seeds", type=int, default=None, metavar="N",
                    help="play N seeds of every scenario instead of each file's own count")
    group.addoption("--scenario-jobs", type=int, default=None, metavar="J",
                    help="worker processes for each scenario's games (default: all cores)")


def pytest_collect_file(file_path: Path, parent: pytest.Collector) -> pytest.File | None:
    if file_path.suffix == ".toml":
        from game.scenario import looks_like_scenario

        if looks_like_scenario(file_path):
            return ScenarioFile.from_parent(parent, path=file_path)
    return None


class ScenarioFailed(Exception):
    """A scenario whose expectations did not hold (or that could not be loaded or played)."""


class ScenarioFile(pytest.File):
    def collect(self) -> list[pytest.Item]:
        return [ScenarioItem.from_parent(self, name=self.path.stem)]


class ScenarioItem(pytest.Item):
    def runtest(self) -> None:
        from game import scenario as scenario_mod
        from game.level import MapError

        config = self.config
        try:
            scenario = scenario_mod.load(self.path)
        except scenario_mod.ScenarioError as err:
            raise ScenarioFailed(str(err)) from None
        except MapError as err:
            raise ScenarioFailed("\n".join(err.lines())) from None
        [outcome] = scenario_mod.run([scenario], config.getoption("scenario_seeds"),
                                     config.getoption("scenario_jobs"), progress=False)
        if not outcome.passed:
            raise ScenarioFailed("\n".join(scenario_mod.report_lines(outcome)))

    def repr_failure(self, excinfo: pytest.ExceptionInfo[BaseException],
                     style: Any = None) -> str:
        if isinstance(excinfo.value, ScenarioFailed):
            return str(excinfo.value)
        return super().repr_failure(excinfo, style=style)

    def reportinfo(self) -> tuple[Path, int, str]:
        return self.path, 0, f"scenario {self.path.name}"
