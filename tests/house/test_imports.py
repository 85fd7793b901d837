"""The house's two structural promises: no import cycle among our modules (imports inside functions
count too), and every third-party package the product imports is declared in pyproject.toml."""

from __future__ import annotations

import ast
import sys
import tomllib
from collections.abc import Iterator
from pathlib import Path

import pytest
from packaging.requirements import Requirement

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "src" / "cfncompiler"

# Import names that differ from the distribution that provides them.
DISTRIBUTION_OF = {
    "yaml": "pyyaml",
    "ruamel": "ruamel.yaml",
    "cfnlint": "cfn-lint",
    "cfn_flip": "cfn-flip",
    "cfn_tools": "cfn-flip",
}


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def modules(root: Path = PACKAGE) -> dict[str, Path]:
    return {module_name(p): p for p in sorted(root.rglob("*.py"))}


def imported(path: Path, name: str) -> Iterator[str]:
    """Every module ``path`` imports, at the top or inside a function; TYPE_CHECKING blocks excluded."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    type_only = {
        id(node)
        for block in ast.walk(tree)
        if isinstance(block, ast.If) and "TYPE_CHECKING" in ast.unparse(block.test)
        for stmt in block.body
        for node in ast.walk(stmt)
    }
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    for node in ast.walk(tree):
        if id(node) in type_only:
            continue
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                base = ".".join([*package.split(".")[: len(package.split(".")) - node.level + 1], base]).strip(".")
            yield base
            yield from (f"{base}.{alias.name}" for alias in node.names)


def graph(found: dict[str, Path]) -> dict[str, set[str]]:
    edges: dict[str, set[str]] = {}
    for name, path in found.items():
        targets = {t for t in imported(path, name) if t in found and t != name}
        # Importing a.b.c runs a/__init__ and a/b/__init__ first: they are imported too.
        targets |= {".".join(t.split(".")[:i]) for t in set(targets) for i in range(1, len(t.split(".")))}
        edges[name] = {t for t in targets if t in found and t != name and not name.startswith(t + ".")}
    return edges


def cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    found: list[list[str]] = []
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> None:
        state[node] = 1
        stack.append(node)
        for target in sorted(edges.get(node, ())):
            if state.get(target) == 1:
                found.append([*stack[stack.index(target) :], target])
            elif target not in state:
                visit(target)
        stack.pop()
        state[node] = 2

    for node in sorted(edges):
        if node not in state:
            visit(node)
    return found


def test_no_module_of_ours_imports_itself_through_others() -> None:
    assert cycles(graph(modules())) == []


def test_the_cycle_check_finds_a_cycle_through_an_import_inside_a_function(tmp_path: Path) -> None:
    package = tmp_path / "cfncompiler"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "a.py").write_text("from cfncompiler.b import thing\n")
    (package / "b.py").write_text("def thing():\n    from cfncompiler import a\n    return a\n")
    assert cycles(graph({module_name_in(tmp_path, p): p for p in package.rglob("*.py")})) == [
        ["cfncompiler.a", "cfncompiler.b", "cfncompiler.a"]
    ]


def module_name_in(root: Path, path: Path) -> str:
    parts = path.relative_to(root).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def declared() -> set[str]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    requirements = [
        *project["dependencies"],
        *(r for extra in project["optional-dependencies"].values() for r in extra),
    ]
    return {Requirement(r).name.lower().replace("_", "-") for r in requirements}


def third_party(found: dict[str, Path]) -> dict[str, set[str]]:
    """Top-level third-party import name -> the modules of ours that import it."""
    users: dict[str, set[str]] = {}
    for name, path in found.items():
        for target in imported(path, name):
            top = target.split(".")[0]
            if top and top != "cfncompiler" and top not in sys.stdlib_module_names and top != "__future__":
                users.setdefault(top, set()).add(name)
    return users


@pytest.mark.parametrize("top", sorted(third_party(modules())))
def test_every_third_party_import_is_declared(top: str) -> None:
    distribution = DISTRIBUTION_OF.get(top, top).lower().replace("_", "-")
    assert distribution in declared(), f"{top} is imported by {sorted(third_party(modules())[top])} but not declared"


def test_the_declaration_check_sees_a_stray_import(tmp_path: Path) -> None:
    package = tmp_path / "cfncompiler"
    package.mkdir()
    (package / "stray.py").write_text("def f():\n    import leftpad\n")
    assert "leftpad" in third_party({"cfncompiler.stray": package / "stray.py"})
    assert "leftpad" not in declared()
