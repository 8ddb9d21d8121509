"""The scenario package's shape: small modules, imports at the top, no cycle between modules."""

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[2] / "sim" / "scenario"
MODULES = sorted(PACKAGE.glob("*.py"))


def _imports(tree: ast.Module) -> set[str]:
    names = set()
    for node in tree.body:
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("sim.scenario"):
            names.add(node.module.removeprefix("sim.scenario").lstrip(".") or "__init__")
            if node.module == "sim.scenario":
                names.update(alias.name for alias in node.names)
    return names


@pytest.mark.parametrize("path", MODULES, ids=[p.name for p in MODULES])
def test_scenario_module_is_at_most_400_lines_and_opens_with_a_docstring(path):
    tree = ast.parse(path.read_text(encoding="utf-8"))

    assert len(path.read_text(encoding="utf-8").splitlines()) <= 400
    assert ast.get_docstring(tree)


@pytest.mark.parametrize("path", MODULES, ids=[p.name for p in MODULES])
def test_scenario_module_imports_only_at_its_top(path):
    tree = ast.parse(path.read_text(encoding="utf-8"))
    top = set(map(id, tree.body))
    nested = [node.lineno for node in ast.walk(tree)
              if isinstance(node, (ast.Import, ast.ImportFrom)) and id(node) not in top]

    assert nested == []


def test_scenario_modules_import_each_other_without_a_cycle():
    graph = {p.stem: _imports(ast.parse(p.read_text(encoding="utf-8"))) - {"__init__"}
             for p in MODULES if p.stem != "__init__"}
    done: set[str] = set()

    def visit(module: str, path: tuple[str, ...]) -> None:
        assert module not in path, " -> ".join((*path, module))
        if module in done:
            return
        for imported in graph.get(module, ()):
            visit(imported, (*path, module))
        done.add(module)

    for module in graph:
        visit(module, ())
