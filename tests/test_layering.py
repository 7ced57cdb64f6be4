"""The architecture, checked on the source: layers, private names, cycles, sizes.

Layering (docs/theory.md): theory <- numerics <- proofs_check <- studies (sweeps,
replays, reports) <- app (the CLI). Nothing in theory imports the packages above it; nothing
outside theory reads a private (``_x``) name of theory; the sub-packages
import each other without cycles; theory's modules stay under 450 lines and
its functions under 60.
"""

from __future__ import annotations

import ast
import functools
from pathlib import Path

import networkx as nx
import pytest

ROOT = Path(__file__).resolve().parents[1]
#: Folder -> the package it installs as (pyproject's package-dir).
PACKAGES = {"theory": "eqselect.theory", "numerics": "eqselect.numerics",
            "proofs_check": "eqselect.proofs_check", "studies": "eqselect.studies",
            "app": "eqselect"}
LAYER = {"theory": 0, "numerics": 1, "proofs_check": 2, "studies": 3, "app": 4}
#: Underscore attributes of other libraries that the numerics use (symengine's
#: conversion hook, namedtuple's field list, os._exit, the method numba's
#: dispatcher calls to compile for new argument types, and what numba's code
#: libraries and struct proxies offer the writer of a C entry point: the linked
#: module, its object code, a struct's value). None of them is a theory name.
FOREIGN_PROTOCOLS = frozenset({"_sympy_", "_fields", "_asdict", "_replace", "_make", "_exit",
                               "_compile_for_args", "_final_module", "_get_compiled_object",
                               "_getvalue"})
MAX_MODULE_LINES, MAX_FUNCTION_LINES = 450, 65  # "about 60", docstring included


@functools.cache
def modules() -> dict:
    """{module name: (folder, path, tree)} for every module of the project (parsed on
    first use: a worker that runs none of these tests never reads them)."""
    out = {}
    for folder, package in PACKAGES.items():
        for path in sorted((ROOT / folder).rglob("*.py")):
            parts = list(path.relative_to(ROOT / folder).with_suffix("").parts)
            if parts[-1] == "__init__":
                parts.pop()
            name = ".".join([package, *parts])
            out[name] = (folder, path, ast.parse(path.read_text(), str(path)))
    return out



def _folder_of(module: str) -> str | None:
    """The folder a module of eqselect lives in (None for other libraries)."""
    if module != "eqselect" and not module.startswith("eqselect."):
        return None
    for folder, package in PACKAGES.items():
        if folder != "app" and (module == package or module.startswith(package + ".")):
            return folder
    return "app"


def _imports(name: str, tree: ast.AST):
    """Every module ``tree`` imports (at any depth), with the names it takes."""
    is_package = modules()[name][1].name == "__init__.py"
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name, None
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = name.split(".")[: len(name.split(".")) - node.level + is_package]
                base = ".".join(anchor + ([base] if base else []))
            for alias in node.names:
                sub = f"{base}.{alias.name}"
                yield (sub if sub in modules() else base), alias.name


def _theory_private_names() -> set[str]:
    """Every ``_x`` name theory defines: functions, classes, attributes, globals."""
    names = set()
    for folder, _, tree in modules().values():
        if folder != "theory":
            continue
        for node in ast.walk(tree):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                names.add(node.name)
            elif isinstance(node, ast.Attribute) and isinstance(node.ctx, ast.Store):
                names.add(node.attr)
            elif isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
                names.add(node.id)
    return {n for n in names if n.startswith("_") and not n.startswith("__")}


def _private_reads(tree: ast.AST):
    """``x._name`` (x not self or cls) and ``getattr(x, "_name")`` in a module."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute):
            attr, receiver = node.attr, node.value
            if isinstance(receiver, ast.Name) and receiver.id in ("self", "cls"):
                continue
        elif (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
              and node.func.id in ("getattr", "setattr", "hasattr") and len(node.args) > 1
              and isinstance(node.args[1], ast.Constant) and isinstance(node.args[1].value, str)):
            attr = node.args[1].value
        else:
            continue
        if attr.startswith("_") and not (attr.startswith("__") and attr.endswith("__")):
            yield node.lineno, attr


def test_the_private_rule_can_see_theory_names():
    private = _theory_private_names()
    assert {"_parts", "_phi", "_values"} <= private  # Decomposition's own state
    assert not private & FOREIGN_PROTOCOLS  # an allowed name never hides a theory one
    bad = ast.parse("def f(dec):\n    return dec._parts, getattr(dec, '_phi')\n")
    assert [a for _, a in _private_reads(bad)] == ["_parts", "_phi"]


def test_nothing_outside_theory_reads_a_private_name():
    offences = []
    for name, (folder, path, tree) in modules().items():
        if folder == "theory":
            continue
        for line, attr in _private_reads(tree):
            if attr not in FOREIGN_PROTOCOLS:
                offences.append(f"{path.relative_to(ROOT)}:{line}: .{attr}")
        for module, taken in _imports(name, tree):
            if _folder_of(module) == "theory" and (taken or "").startswith("_"):
                offences.append(f"{path.relative_to(ROOT)}: imports {module}.{taken}")
    assert not offences, "\n".join(offences)


def test_each_layer_imports_only_the_layers_below():
    offences = []
    for name, (folder, path, tree) in modules().items():
        for module, _ in _imports(name, tree):
            target = _folder_of(module)
            if target is not None and LAYER[target] > LAYER[folder]:
                offences.append(f"{path.relative_to(ROOT)} ({folder}) imports {module}")
    assert not offences, "\n".join(offences)


def _package_of(module: str) -> str:
    """The package a module belongs to (a package's __init__ belongs to itself)."""
    folder, path, _ = modules()[module]
    return module if path.name == "__init__.py" else module.rpartition(".")[0]


def test_no_import_cycle_between_subpackages():
    """Edges run from a module's package to the package of what it imports;
    a package's __init__ only re-exports, so its own imports are left out."""
    graph = nx.DiGraph()
    for name, (_, path, tree) in modules().items():
        if path.name == "__init__.py":
            continue
        source = _package_of(name)
        graph.add_node(source)
        for module, _ in _imports(name, tree):
            if _folder_of(module) is None:
                continue
            while module not in modules():  # an object imported from a module
                module = module.rpartition(".")[0]
            target = _package_of(module)
            if target != source:
                graph.add_edge(source, target)
    cycles = list(nx.simple_cycles(graph))
    assert not cycles, cycles
    assert {"eqselect.theory", "eqselect.numerics"} <= set(graph)


def _oversized():
    """(module, line count, [(function, lines)]) past the limits, per folder."""
    out = {}
    for name, (folder, path, tree) in modules().items():
        n_lines = len(path.read_text().splitlines())
        long = [(f"{node.name}:{node.lineno}", node.end_lineno - node.lineno + 1)
                for node in ast.walk(tree)
                if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))
                and node.end_lineno - node.lineno + 1 > MAX_FUNCTION_LINES]
        if n_lines > MAX_MODULE_LINES or long:
            out.setdefault(folder, []).append((str(path.relative_to(ROOT)), n_lines, long))
    return out


def test_modules_and_functions_stay_small():
    """Every package: modules up to MAX_MODULE_LINES, functions up to about 60
    lines (MAX_FUNCTION_LINES, docstring included)."""
    assert not _oversized(), _oversized()


@pytest.mark.parametrize("source,expected", [
    ("def f():\n" + "    x = 1\n" * 70, 71),
])
def test_the_size_rule_counts_function_lines(source, expected):
    node = ast.parse(source).body[0]
    assert node.end_lineno - node.lineno + 1 == expected > MAX_FUNCTION_LINES


def _module_graph(modules) -> nx.DiGraph:
    """Edges from each module to every project module it imports, at any depth
    (lazy and TYPE_CHECKING imports too); ``from package import name`` points at
    the submodule when ``name`` is one, else at the package's __init__."""
    graph = nx.DiGraph()
    for name, (_, _, tree) in modules.items():
        graph.add_node(name)
        for module, _ in _imports(name, tree):
            if _folder_of(module) is None:
                continue
            while module not in modules and "." in module:
                module = module.rpartition(".")[0]
            if module in modules and module != name:
                graph.add_edge(name, module)
    return graph


def _module_cycles(graph: nx.DiGraph) -> list:
    """Every import cycle between modules."""
    return list(nx.simple_cycles(graph))


def test_the_module_graph_sees_lazy_and_type_checking_imports(monkeypatch):
    source = {"eqselect.theory.a": "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n"
                                   "    from eqselect.theory.b import B\n",
              "eqselect.theory.b": "def f():\n    from eqselect.theory import a\n"}
    for name, text in source.items():
        monkeypatch.setitem(modules(), name, ("theory", Path(name + ".py"), ast.parse(text)))
    graph = _module_graph(modules())
    assert graph.has_edge("eqselect.theory.a", "eqselect.theory.b")
    assert graph.has_edge("eqselect.theory.b", "eqselect.theory.a")
    cycles = _module_cycles(graph.subgraph(source))
    assert sorted(map(sorted, cycles)) == [["eqselect.theory.a", "eqselect.theory.b"]]


def test_no_import_cycle_between_modules():
    """Across the whole project, no module imports (directly or through others)
    a module that imports it back."""
    graph = _module_graph(modules())
    assert graph.has_edge("eqselect.theory.latex", "eqselect.theory.closed_forms")
    assert graph.has_edge("eqselect.commands.basins", "eqselect.commands.inputs")
    cycles = _module_cycles(graph)
    assert not cycles, cycles


# -- one loop over starts -------------------------------------------------------
#: The functions that step a field over a batch of starts, by the module that
#: defines them: the schedule runner, the flow integrators, the compiled kernels.
STEPPERS = {
    "eqselect.numerics.dynamics.schedules": {"run_schedule"},
    "eqselect.numerics.dynamics.flow": {"integrate_flow", "integrate_until_settled",
                                        "rk4_step"},
    "eqselect.numerics.dynamics.kernels.fused": {"run_compiled", "run_kernel"},
}
#: The basin engine and its cycle test's window: the only modules that call a
#: stepper (its definers call each other: integrate_flow steps with rk4_step,
#: run_kernel with run_compiled).
ENGINE = ("eqselect.numerics.dynamics.basins", "eqselect.numerics.dynamics.window")


def _called_names(tree: ast.AST) -> set[str]:
    out = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            f = node.func
            out.add(f.id if isinstance(f, ast.Name) else f.attr if isinstance(f, ast.Attribute)
                    else "")
    return out


def _update_steps(tree: ast.AST) -> list[int]:
    """Lines of ``x = ...(x + a * F(...))...`` inside a loop: a hand-written step."""
    lines = []
    for loop in (n for n in ast.walk(tree) if isinstance(n, (ast.For, ast.While))):
        for node in ast.walk(loop):
            if not (isinstance(node, ast.Assign) and len(node.targets) == 1
                    and isinstance(node.targets[0], ast.Name)):
                continue
            x = node.targets[0].id
            for add in (n for n in ast.walk(node.value)
                        if isinstance(n, ast.BinOp) and isinstance(n.op, ast.Add)):
                if (isinstance(add.left, ast.Name) and add.left.id == x
                        and isinstance(add.right, ast.BinOp)
                        and isinstance(add.right.op, ast.Mult)
                        and any(isinstance(s, ast.Call) for s in ast.walk(add.right))):
                    lines.append(node.lineno)
    return lines


def test_only_the_basin_engine_steps_a_field_over_starts():
    """run_basins (numerics/dynamics/basins.py) is the one loop over starts: every
    other module that needs a basin map builds a BasinProblem and calls it."""
    every = set().union(*STEPPERS.values())
    callers = {name for name, (_, _, tree) in modules().items()
               if name not in ENGINE and _called_names(tree)
               & (every - STEPPERS.get(name, set()))}
    assert callers - set(STEPPERS) == set(), sorted(callers)
    by_hand = {name: lines for name, (_, _, tree) in modules().items()
               if name not in (*ENGINE, *STEPPERS) and (lines := _update_steps(tree))}
    assert by_hand == {}


def test_the_step_detector_sees_a_hand_written_schedule():
    tree = ast.parse("for k in range(n):\n    x = np.clip(x + dt * f(x), -8, 8)\n"
                     "while True:\n    y = proj(y + sched.lr(k) * u)\n"
                     "for i in range(3):\n    z = z + 1\n")
    assert _update_steps(tree) == [2, 4]
    assert "run_schedule" in _called_names(ast.parse("r = dyn.run_schedule(f, x0)"))


def test_pyproject_lists_every_package_folder():
    """A non-editable ``pip install .`` ships only the packages pyproject.toml names:
    every folder with an ``__init__.py`` must be listed, and nothing else."""
    import tomllib

    config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]
    listed = set(config["packages"])
    on_disk = {name for name, (_, path, _) in modules().items() if path.name == "__init__.py"}
    assert listed == on_disk, (sorted(on_disk - listed), sorted(listed - on_disk))


MAX_PARAMETERS = 8


def _parameter_count(fn: ast.FunctionDef | ast.AsyncFunctionDef) -> int:
    """Parameters of ``fn``: ``self``/``cls`` not counted, ``*args``/``**kwargs`` one each."""
    a = fn.args
    named = [p.arg for p in (*a.posonlyargs, *a.args, *a.kwonlyargs)]
    if named and named[0] in ("self", "cls"):
        named = named[1:]
    return len(named) + (a.vararg is not None) + (a.kwarg is not None)


def _public_functions(tree: ast.AST):
    """(qualified name, node) of the module-level functions and the methods of
    module-level classes whose names, and whose class's, do not start with ``_``."""
    for node in getattr(tree, "body", ()):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            if not node.name.startswith("_"):
                yield node.name, node
        elif isinstance(node, ast.ClassDef) and not node.name.startswith("_"):
            for item in node.body:
                if (isinstance(item, (ast.FunctionDef, ast.AsyncFunctionDef))
                        and not item.name.startswith("_")):
                    yield f"{node.name}.{item.name}", item


def test_no_public_function_takes_more_than_eight_parameters():
    offenders = [f"{name}.{qual} ({_parameter_count(fn)})"
                 for name, (_, _, tree) in modules().items()
                 for qual, fn in _public_functions(tree)
                 if _parameter_count(fn) > MAX_PARAMETERS]
    assert not offenders, ("public functions over eight parameters (group the options "
                           "that travel together in a frozen dataclass): "
                           + ", ".join(offenders))


@pytest.mark.parametrize("source, expected", [
    ("def f(a, b, c): pass", {"f": 3}),
    ("def f(self, a, *args, b=1, **kw): pass", {"f": 4}),
    ("class C:\n    def m(self, a, b): pass\n    def _p(self, *a, **k): pass\n"
     "    @classmethod\n    def k(cls, a, /, b, *, c): pass", {"C.m": 2, "C.k": 3}),
    ("def _private(a, b, c, d, e, f, g, h, i): pass\n"
     "class _Hidden:\n    def run(self, a, b, c, d, e, f, g, h, i): pass\n"
     "def outer(a):\n    def inner(a, b, c, d, e, f, g, h, i): pass", {"outer": 1}),
    ("def nine(a, b, c, d, e, f, g, h, i=1): pass", {"nine": 9}),
])
def test_the_parameter_rule_counts_public_parameters(source, expected):
    counted = {q: _parameter_count(fn) for q, fn in _public_functions(ast.parse(source))}
    assert counted == expected
