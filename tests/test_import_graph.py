"""The project's modules import one another in one direction: no cycles.

The graph is read from the source with ``ast`` (nothing is imported), counting every import a
module makes: at the top, inside functions and under ``TYPE_CHECKING`` alike, since a cycle that
only type checkers follow still ties two modules into one. ``from package import name`` counts
as an import of ``package.name`` when that is a module, else of ``package``. Cycles are looked
for among the packages in CHECKED.
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CHECKED = ("game.view", "game.sound")


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def project_modules() -> dict[str, Path]:
    return {module_name(path): path for path in sorted((ROOT / "game").rglob("*.py"))}


def imports_of(name: str, path: Path, known: set[str]) -> set[str]:
    """The project modules that ``name`` (at ``path``) imports."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:  # a relative import: from the package, up level - 1
                up = package.split(".")[: len(package.split(".")) - (node.level - 1)]
                base = ".".join(up + ([base] if base else []))
            targets = [f"{base}.{alias.name}" if f"{base}.{alias.name}" in known else base
                       for alias in node.names]
        else:
            continue
        for target in targets:
            # "import game.view.app" needs game, game.view and game.view.app: the nearest
            # project module is the one that matters for a cycle.
            while target and target not in known:
                target = target.rpartition(".")[0]
            if target and target != name:
                found.add(target)
    return found


def import_graph(within: tuple[str, ...]) -> dict[str, set[str]]:
    """Each module under ``within`` and the modules under ``within`` it imports."""
    modules = project_modules()
    known = set(modules)

    def inside(module: str) -> bool:
        return any(module == p or module.startswith(p + ".") for p in within)

    return {name: {m for m in imports_of(name, path, known) if inside(m)}
            for name, path in modules.items() if inside(name)}


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One import cycle (its modules in order, the first repeated at the end), or None."""
    done: set[str] = set()
    for start in sorted(graph):
        if start in done:
            continue
        path: list[str] = []
        on_path: set[str] = set()
        stack = [(start, iter(sorted(graph[start])))]
        path.append(start)
        on_path.add(start)
        while stack:
            node, rest = stack[-1]
            step = next(rest, None)
            if step is None:
                stack.pop()
                path.pop()
                on_path.discard(node)
                done.add(node)
            elif step in on_path:
                return path[path.index(step):] + [step]
            elif step not in done:
                stack.append((step, iter(sorted(graph.get(step, ())))))
                path.append(step)
                on_path.add(step)
    return None


def test_the_finder_sees_a_cycle_and_its_absence():
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": set()}) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b", "c"}, "b": {"c"}, "c": set()}) is None


def test_the_graph_reads_every_kind_of_import():
    graph = import_graph(("game.view", "game.sound"))
    assert "game.view.mixer" in graph["game.view.app"]  # from game.view.mixer import ...
    assert "game.view.settings" in graph["game.view.app"]  # from game.view import settings
    assert "game.sound.music" in graph["game.sound.catalogue"]  # from game.sound import music


def test_no_import_cycles():
    graph = import_graph(CHECKED)
    assert all(any(name.startswith(p) for name in graph) for p in CHECKED)
    cycle = find_cycle(graph)
    assert cycle is None, "import cycle: " + " -> ".join(cycle or ())


def test_the_sound_package_imports_nothing_from_the_view():
    graph = import_graph(("game.sound", "game.view"))
    for name, targets in graph.items():
        if name.startswith("game.sound"):
            assert not {t for t in targets if t.startswith("game.view")}, name
