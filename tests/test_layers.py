"""The import architecture of design §2, checked: which way srcad's imports run.

* The layers: the ``[tool.importlinter]`` contract in pyproject.toml (the parts of design §2,
  from the face down to the ground floor), run with ``lint-imports``; a wrong arrow fails
  here with import-linter's report.
* No import cycle, counting the imports inside functions too (an import hidden in a function
  still makes a cycle, it only delays it): srcad's import graph, read with ``ast``.
* No import of srcad hidden inside a function (the runtime's lazy import of ``errors``, for
  located errors, is the one exception: design §2).

By hand::

    lint-imports                      # the layers contract, from the repository root
    python tests/test_layers.py       # the import graph's cycles ("no import cycle")
"""
import ast
import itertools
import pathlib
import subprocess
import sys

import pytest

ROOT = pathlib.Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "srcad"

# Imports not counted in the cycle check, each with why. rules/__init__.py defines the registry
# (defrule, nondiff, ...) and then imports its tables, which register into it with
# ``from . import defrule``: a table imports its own package. Remove this when the registry
# has a module of its own (rules/registry.py) that the tables import.
ALLOWED_CYCLE_EDGES = {
    (f"srcad.rules.{table}", "srcad.rules")
    for table in ("builtins", "elementwise", "linalg", "numpy", "products", "runtime", "sequences",
                  "scipy_special", "scipy_stats", "shapes", "surface")
}
# Imports of srcad allowed inside a function (design §2: the runtime imports nothing of srcad
# at load time, so it can be copied next to a standalone module).
ALLOWED_IN_FUNCTIONS = {("srcad.runtime", "srcad.errors")}


def modules():
    """{module name: (path, is a package)} for every module of srcad."""
    out = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = list(path.relative_to(ROOT).with_suffix("").parts)
        package = parts[-1] == "__init__"
        if package:
            parts = parts[:-1]
        out[".".join(parts)] = (path, package)
    return out


def imports(name, path, package, known):
    """``(imported module, line, inside a function)`` for every import of a srcad module in
    ``path``, at any depth (relative imports resolved; ``from m import x`` counts ``m.x`` when
    that is a module, else ``m``)."""
    tree = ast.parse(path.read_text(), str(path))
    found = []

    def visit(node, in_function):
        for child in ast.iter_child_nodes(node):
            inside = in_function or isinstance(
                child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda))
            if isinstance(child, ast.Import):
                for alias in child.names:
                    if alias.name in known:
                        found.append((alias.name, child.lineno, inside))
            elif isinstance(child, ast.ImportFrom):
                base = child.module or ""
                if child.level:
                    here = name.split(".") if package else name.split(".")[:-1]
                    here = here[:len(here) - (child.level - 1)]
                    base = ".".join(here + ([base] if base else []))
                for alias in child.names:
                    full = f"{base}.{alias.name}"
                    target = full if full in known else base if base in known else None
                    if target is not None:
                        found.append((target, child.lineno, inside))
            visit(child, inside)

    visit(tree, False)
    return [(target, line, inside) for target, line, inside in found if target != name]


def import_graph():
    """{module: {imported module: first line}}, counting imports inside functions."""
    known = modules()
    graph = {}
    for name, (path, package) in known.items():
        edges = graph.setdefault(name, {})
        for target, line, _ in imports(name, path, package, known):
            if (name, target) not in ALLOWED_CYCLE_EDGES:
                edges.setdefault(target, line)
    return graph


def cycles(graph):
    """One cycle (a list of modules, the first repeated last) for each strongly connected
    component of ``graph`` with more than one module (Tarjan)."""
    index, low, stack, on_stack, components = {}, {}, [], set(), []

    def connect(v):
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in sorted(graph.get(v, ())):
            if w not in index:
                connect(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = set()
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.add(w)
                if w == v:
                    break
            if len(component) > 1:
                components.append(component)

    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(max(limit, 10 * len(graph) + 100))
    try:
        for v in sorted(graph):
            if v not in index:
                connect(v)
    finally:
        sys.setrecursionlimit(limit)
    return [cycle_in(graph, component) for component in components]


def cycle_in(graph, component):
    """A shortest cycle through the component's first module (breadth first)."""
    start = min(component)
    paths = {start: [start]}
    frontier = [start]
    while frontier:
        nxt = []
        for v in frontier:
            for w in sorted(graph[v]):
                if w == start:
                    return paths[v] + [start]
                if w in component and w not in paths:
                    paths[w] = paths[v] + [w]
                    nxt.append(w)
        frontier = nxt
    raise AssertionError("a strongly connected component without a cycle")


def describe(graph, cycle):
    return " -> ".join(f"{a} (line {graph[a][b]})" for a, b in itertools.pairwise(cycle)) + \
        f" -> {cycle[-1]}"


def report(graph):
    found = cycles(graph)
    if not found:
        return "no import cycle"
    return "\n".join(f"import cycle: {describe(graph, c)}\n  (one of the cycles among "
                     f"{', '.join(sorted(component(graph, c[0])))})" for c in found)


def component(graph, start):
    """The modules on some cycle with ``start``: those it reaches that reach it back."""
    def reach(edges, v):
        seen, todo = {v}, [v]
        while todo:
            for w in edges.get(todo.pop(), ()):
                if w not in seen:
                    seen.add(w)
                    todo.append(w)
        return seen
    back = {}
    for v, ws in graph.items():
        for w in ws:
            back.setdefault(w, set()).add(v)
    return reach(graph, start) & reach(back, start)


def test_no_import_cycle():
    graph = import_graph()
    assert not cycles(graph), report(graph)


def test_no_srcad_import_inside_a_function():
    known = modules()
    hidden = sorted({(str(path.relative_to(ROOT)), line, target)
                     for name, (path, package) in known.items()
                     for target, line, inside in imports(name, path, package, known)
                     if inside and (name, target) not in ALLOWED_IN_FUNCTIONS})
    assert not hidden, "\n".join(f"{path}:{line}: imports {target} inside a function"
                                  for path, line, target in hidden)


def test_layers_contract():
    """pyproject.toml's import-linter contract: the parts of design §2, and no wrong arrow."""
    pytest.importorskip("importlinter", reason="import-linter is in the test extra")
    done = subprocess.run(
        [sys.executable, "-c", "from importlinter.cli import lint_imports_command as run; run()",
         "--no-cache", "--no-logo", str(ROOT / "pyproject.toml")],
        cwd=ROOT, capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode == 0, f"lint-imports failed:\n{done.stdout}\n{done.stderr}"
    assert "0 broken" in done.stdout, done.stdout


if __name__ == "__main__":
    print(report(import_graph()))
