"""The package's layout is its architecture: stages import only what lies below them, and nothing circles.

Floors, lowest first. A module may import its own floor and the floors below it; the wings (classroom,
selfcheck, kit) share a floor but never import one another, and nothing imports the entry points.
"""
import ast
import subprocess
import sys
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "grader"
FLOORS = {
    "exercises": 0, "model": 0, "course": 0, "untrusted_text": 0, "demo": 0, "run.wire": 0, "run.tracer": 0,
    "load": 1, "notebook_json": 1, "run": 1,
    "checks": 2,
    "diagnose": 3,
    "report": 4,
    "grade": 5,
    "classroom": 6, "selfcheck": 6, "kit": 6,
    "cli": 7, "launch": 8, "__main__": 8, "__init__": 8,
}
WINGS = {"classroom", "selfcheck", "kit"}


def modules():
    found = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = list(path.relative_to(PACKAGE).with_suffix("").parts)
        if parts[-1] == "__init__" and len(parts) > 1:
            parts = parts[:-1]
        found[".".join(parts)] = path
    return found


def part_of(module):
    """The floor's key a module belongs to: its own name (run.wire), else its folder (run), else itself."""
    if module in FLOORS:
        return module
    return module.split(".")[0]


def imports_of(module, path):
    """The package's modules that module imports, wherever in the file (a deferred import is still one)."""
    package = module.split(".") if path.name == "__init__.py" else module.split(".")[:-1]
    known = modules()
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = package[:len(package) - node.level + 1] + (node.module.split(".") if node.module else [])
            elif node.module and node.module.split(".")[0] == "grader":
                base = node.module.split(".")[1:]
            else:
                continue
            for alias in node.names:
                candidate = ".".join(base + [alias.name])
                found.add(candidate if candidate in known else ".".join(base))
        elif isinstance(node, ast.Import):
            found.update(".".join(a.name.split(".")[1:]) for a in node.names if a.name.startswith("grader."))
    return {name for name in found if name in known and name != module}


def graph():
    return {module: imports_of(module, path) for module, path in modules().items()}


def test_every_module_is_on_a_floor():
    assert {module: part_of(module) for module in modules() if part_of(module) not in FLOORS} == {}


def test_no_import_runs_upward_or_between_wings():
    wrong = []
    for module, imported in graph().items():
        mine = part_of(module)
        for other in imported:
            theirs = part_of(other)
            upward = FLOORS[theirs] > FLOORS[mine]
            sideways = theirs in WINGS and mine in WINGS and theirs != mine
            if (upward or sideways) and module != "__init__":
                wrong.append(f"{module} -> {other}")
    assert wrong == []


def test_nothing_but_the_entry_points_imports_the_command_line():
    entry = {"cli", "launch", "__main__"}
    assert [m for m, imported in graph().items() if imported & entry and m not in entry] == []


def test_no_import_cycle():
    edges = graph()
    state, cycles = {}, []

    def visit(module, trail):
        state[module] = "open"
        for other in sorted(edges[module]):
            if state.get(other) == "open":
                cycles.append(trail[trail.index(other):] + [other])
            elif other not in state:
                visit(other, trail + [other])
        state[module] = "done"

    for module in sorted(edges):
        if module not in state:
            visit(module, [module])
    assert cycles == []


def test_the_checker_sees_an_upward_import(tmp_path):
    """The graph is read from the source, so a deferred upward import would be caught too."""
    fake = tmp_path / "m.py"
    fake.write_text("def f():\n    from ..classroom import run\n", encoding="utf-8")
    assert imports_of("checks.m", fake) == {"classroom.run"}


@pytest.mark.parametrize("module", sorted(m for m in modules() if m not in ("__main__", "run.worker", "run.zygote")))
def test_each_module_imports_alone(module):
    """In a fresh interpreter: an import cycle that only bites in one order shows here."""
    name = "grader" if module == "__init__" else f"grader.{module}"
    finished = subprocess.run([sys.executable, "-c", f"import {name}"], capture_output=True, text=True, timeout=60)
    assert finished.returncode == 0, finished.stderr
