"""The project's modules import one another in one direction: no cycles, and layers you can see
from the folders (file -> Level -> World -> events -> view).

The graph is read from the source with ``ast`` (nothing is imported), counting every import a
module makes: at the top, inside functions and under ``TYPE_CHECKING`` alike, since a cycle that
only type checkers follow still ties two modules into one. ``from package import name`` counts
as an import of ``package.name`` when that is a module, else of ``package``. Every module under
game/, tools/ and benchmarks/ is in the graph.
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("game", "tools", "benchmarks")

def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def project_modules() -> dict[str, Path]:
    return {module_name(path): path for package in PACKAGES
            for path in sorted((ROOT / package).rglob("*.py"))}


def _type_checking_only(tree: ast.Module) -> set[int]:
    """The ids of the import nodes under ``if TYPE_CHECKING:``."""
    hidden: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and (
                (isinstance(node.test, ast.Name) and node.test.id == "TYPE_CHECKING")
                or (isinstance(node.test, ast.Attribute) and node.test.attr == "TYPE_CHECKING")):
            hidden |= {id(inner) for statement in node.body for inner in ast.walk(statement)}
    return hidden


def _imports(path: Path, package: str, type_hints: bool = True
             ) -> list[tuple[str, list[str]]]:
    """Each import of the file at ``path`` as (module, names it takes from it; empty for a
    plain ``import``), relative ones resolved from ``package``; without ``type_hints`` the
    imports under ``if TYPE_CHECKING:`` are left out."""
    tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    hidden = set() if type_hints else _type_checking_only(tree)
    found: list[tuple[str, list[str]]] = []
    for node in ast.walk(tree):
        if id(node) in hidden:
            continue
        if isinstance(node, ast.Import):
            found += [(alias.name, []) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:  # a relative import: from the package, up level - 1
                up = package.split(".")[: len(package.split(".")) - (node.level - 1)]
                base = ".".join(up + ([base] if base else []))
            found.append((base, [alias.name for alias in node.names]))
    return found


def _package_of(name: str, path: Path) -> str:
    return name if path.name == "__init__.py" else name.rpartition(".")[0]


def imports_of(name: str, path: Path, known: set[str], type_hints: bool = True) -> set[str]:
    """The project modules that ``name`` (at ``path``) imports."""
    found: set[str] = set()
    for base, names in _imports(path, _package_of(name, path), type_hints):
        targets = [f"{base}.{n}" if f"{base}.{n}" in known else base for n in names] or [base]
        for target in targets:
            # "import game.view.app" needs game, game.view and game.view.app: the nearest
            # project module is the one that matters for a cycle.
            while target and target not in known:
                target = target.rpartition(".")[0]
            if target and target != name:
                found.add(target)
    return found


def import_graph(within: tuple[str, ...] = PACKAGES, type_hints: bool = True
                 ) -> dict[str, set[str]]:
    """Each module under ``within`` and the modules under ``within`` it imports."""
    modules = project_modules()
    known = set(modules)

    def inside(module: str) -> bool:
        return any(module == p or module.startswith(p + ".") for p in within)

    return {name: {m for m in imports_of(name, path, known, type_hints) if inside(m)}
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


def _in(package: str, module: str) -> bool:
    return module == package or module.startswith(package + ".")


def external_imports(module: str) -> set[str]:
    """The top-level names of what ``module`` imports from outside the project."""
    path = project_modules()[module]
    return {base.split(".")[0] for base, _ in _imports(path, _package_of(module, path))
            } - set(PACKAGES) - {""}


def test_the_finder_sees_a_cycle_and_its_absence():
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": set()}) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b", "c"}, "b": {"c"}, "c": set()}) is None


def test_the_graph_reads_every_kind_of_import():
    graph = import_graph()
    assert "game.view.mixer" in graph["game.view.app"]  # from game.view.mixer import ...
    assert "game.view.settings" in graph["game.view.app"]  # from game.view import settings
    assert "game.sound.music" in graph["game.sound.catalogue"]  # from game.sound import music
    assert "game.tiled" in graph["game.mapcheck"]  # from game.tiled import read_level
    assert "game.view.plots" in graph["game.report"]  # inside a function
    assert "game.sim.world" in graph["game.sim.rex"]  # under TYPE_CHECKING
    assert "game.sim.world" not in import_graph(type_hints=False)["game.sim.rex"]
    assert {"tools.make_art", "benchmarks.run", "game.cliargs"} <= set(graph)


def test_no_import_cycles_at_run_time():
    cycle = find_cycle(import_graph(type_hints=False))
    assert cycle is None, "import cycle: " + " -> ".join(cycle or ())


def test_no_import_cycles_in_type_hints_either():
    """The World names its agents' data (game.sim.agents), never the rules that take it, so
    no cycle runs even through type hints."""
    cycle = find_cycle(import_graph())
    assert cycle is None, "import cycle: " + " -> ".join(cycle or ())


def test_the_layers():
    """file -> Level -> World -> events -> view: each layer imports only those before it."""
    graph = import_graph()

    def reaches(module: str) -> set[str]:
        seen, todo = set(), [module]
        while todo:
            for target in graph[todo.pop()] - seen:
                seen.add(target)
                todo.append(target)
        return seen

    assert graph["game.level"] == set()  # the Level: numpy and the standard library
    assert not {m for m in reaches("game.sim.world") if not _in("game.sim", m)} - {
        "game.level", "game.contract", "game.grids", "game.tuning"}
    assert not {m for m in reaches("game.mapcheck") if _in("game.sim", m)}
    # The game reads maps through the checker (and a sweep's bundles); nothing else of it
    # knows the file format.
    assert {name for name in graph if _in("game", name) and "game.tiled" in graph[name]} == {
        "game.mapcheck", "game.bundle"}
    for name, targets in graph.items():
        if _in("game.sound", name) or _in("game.sim", name):
            assert not {t for t in targets if _in("game.view", t)}, name


def test_only_the_view_imports_pygame_and_only_the_reader_pytmx():
    modules = [name for name in project_modules() if _in("game", name)]
    pygame_users = {name for name in modules if "pygame" in external_imports(name)}
    assert pygame_users and all(_in("game.view", name) for name in pygame_users), pygame_users
    assert {name for name in modules if "pytmx" in external_imports(name)} == {"game.tiled"}
    # The map's XML is parsed by the reader alone; the Level and the simulation know no XML.
    assert "xml" in external_imports("game.tiled")
    assert not [name for name in modules if (name == "game.level" or _in("game.sim", name))
                and "xml" in external_imports(name)]
