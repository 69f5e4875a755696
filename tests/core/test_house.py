"""The shape of the house (docs/architecture.md): what a maintainer checks before adding a room.

A source scan, no QGIS needed:

* no module under ``plugin/`` is over ``MAX_MODULE_LINES`` lines and no function over
  ``MAX_FUNCTION_LINES``, except the ones in ``EXCEPTIONS`` with the reason written beside them;
* the modules of ``plugin/`` import each other without a cycle (imports inside functions count:
  a cycle hidden in a function is still a cycle a maintainer has to untangle);
* ``plugin/core`` never imports qgis, Qt or the adapters;
* outside ``plugin/core`` no code reads an attribute starting with ``_`` of another object
  (``engine._parcels``, ``p._rec`` …): the front ends go through the engine's public API;
* nor an engine's ``parcels`` / ``units`` / ``unit_parcels`` (its state before issue 10), and
  the engine has no such attributes: the rule cannot come back through a public alias.
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PLUGIN = ROOT / "plugin"

MAX_MODULE_LINES = 500
MAX_FUNCTION_LINES = 80

#: "path" or "path:function" -> why it may be longer. Keep it short and honest.
EXCEPTIONS: dict[str, str] = {}

#: import cycles still being untangled (none since issue 10 made the CLI a package); keep it empty
KNOWN_CYCLES: list[list[str]] = []

#: attribute reads of another object's ``_name`` that are not ours to change (third-party APIs).
FOREIGN_PRIVATE = {
    "ogr._ogr",  # GDAL's own module: the only way to tell its bindings' build apart
    "atexit._run_exitfuncs",  # the CLI's exit without teardown (cli/startup.leave) runs what exit would run
    "os._exit",  # documented (the exit without teardown), named with an underscore
}


def _modules() -> dict[str, Path]:
    mods = {}
    for path in sorted(PLUGIN.rglob("*.py")):
        rel = path.relative_to(ROOT).with_suffix("")
        parts = rel.parts[:-1] if rel.name == "__init__" else rel.parts
        mods[".".join(parts)] = path
    return mods


def _rel(path: Path) -> str:
    return path.relative_to(ROOT).as_posix()


def test_no_module_or_function_too_long():
    too_long = []
    for path in _modules().values():
        rel = _rel(path)
        lines = len(path.read_text(encoding="utf-8").splitlines())
        if lines > MAX_MODULE_LINES and rel not in EXCEPTIONS:
            too_long.append(f"{rel}: {lines} lines")
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                n = node.end_lineno - node.lineno + 1
                if n > MAX_FUNCTION_LINES and f"{rel}:{node.name}" not in EXCEPTIONS:
                    too_long.append(f"{rel}:{node.name}: {n} lines")
    assert not too_long, "split these (or give the reason in EXCEPTIONS):\n" + "\n".join(too_long)


def _import_graph() -> dict[str, set[str]]:
    mods = _modules()
    graph: dict[str, set[str]] = {m: set() for m in mods}
    for mod, path in mods.items():
        package = mod if path.name == "__init__.py" else mod.rpartition(".")[0]
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                targets = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom):
                if node.level:
                    base = package.split(".")
                    base = base[: len(base) - (node.level - 1)]
                    origin = ".".join(base + ([node.module] if node.module else []))
                else:
                    origin = node.module or ""
                targets = [origin] + [f"{origin}.{a.name}" for a in node.names]
            else:
                continue
            for target in targets:
                # importing a.b.c runs a/__init__ and a/b/__init__ too, but those are packages
                # whose __init__ we keep free of imports; only the module named is an edge
                if target in mods and target != mod:
                    graph[mod].add(target)
    return graph


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    counter = [0]

    def visit(v: str) -> None:
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on_stack.add(v)
        for w in sorted(graph[v]):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return found


def test_no_import_cycle():
    cycles = [c for c in _cycles(_import_graph()) if c not in KNOWN_CYCLES]
    assert not cycles, "import cycles:\n" + "\n".join(" <-> ".join(c) for c in cycles)


def test_cycle_finder_finds_a_cycle():
    # the finder itself must be able to fail, or the test above proves nothing
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert _cycles({"a": {"b"}, "b": set()}) == []


def test_core_imports_no_qgis_qt_or_adapters():
    bad = []
    for mod, targets in _import_graph().items():
        if mod.startswith("plugin.core"):
            bad += [f"{mod} -> {t}" for t in targets if not t.startswith("plugin.core")]
    for path in (PLUGIN / "core").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and not node.level:
                names = [node.module or ""]
            foreign = ("qgis", "PyQt5", "PyQt6", "osgeo")
            bad += [f"{_rel(path)} imports {n}" for n in names if n.split(".")[0] in foreign]
    assert not bad, "\n".join(bad)


def test_no_private_reads_outside_core():
    reads = []
    for mod, path in _modules().items():
        if mod.startswith("plugin.core"):
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not (isinstance(node, ast.Attribute) and node.attr.startswith("_")):
                continue
            if node.attr.startswith("__") and node.attr.endswith("__"):
                continue
            if isinstance(node.value, ast.Name) and node.value.id in ("self", "cls"):
                continue
            text = ast.unparse(node)
            if text not in FOREIGN_PRIVATE:
                reads.append(f"{_rel(path)}:{node.lineno}: {text}")
    assert not reads, "use a public API instead of:\n" + "\n".join(reads)


#: the engine's state as it was named before issue 10; the front ends use the read API instead
ENGINE_STATE = ("parcels", "units", "unit_parcels")


def _engine_names(tree: ast.AST) -> set[str]:
    """Names bound to an engine in a module: ``x = ….engine``, ``x = BalanceEngine(…)``,
    ``x, … = build_engine(…)`` (and ``for x in …engines``)."""
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign):
            value, targets = node.value, node.targets
        elif isinstance(node, (ast.AnnAssign, ast.NamedExpr)) and node.value is not None:
            value, targets = node.value, [node.target]
        else:
            continue
        call = ast.unparse(value.func) if isinstance(value, ast.Call) else ""
        for target in targets:
            if isinstance(target, ast.Tuple) and call.endswith("build_engine") and target.elts:
                target = target.elts[0]
            if isinstance(target, ast.Name) and (
                    _is_engine_expr(value) or call.endswith("BalanceEngine") or call.endswith("build_engine")):
                names.add(target.id)
    return names


def _is_engine_expr(node: ast.AST) -> bool:
    """``engine``, ``self.engine``, ``live.engine``, ``task.engine``, ``self._engine`` …"""
    last = node.attr if isinstance(node, ast.Attribute) else node.id if isinstance(node, ast.Name) else ""
    return last.lstrip("_").lower().endswith("engine")


def engine_state_reads(source: str, path: str = "<source>") -> list[str]:
    """Reads of an engine's ``parcels`` / ``units`` / ``unit_parcels`` in ``source``."""
    tree = ast.parse(source)
    engines = _engine_names(tree)
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and node.attr in ENGINE_STATE:
            receiver = node.value
            if _is_engine_expr(receiver) or (isinstance(receiver, ast.Name) and receiver.id in engines):
                found.append((node.lineno, node.col_offset, f"{path}:{node.lineno}: {ast.unparse(node)}"))
    return [text for _line, _col, text in sorted(found)]


def test_no_engine_state_reads_outside_core():
    reads = []
    for mod, path in _modules().items():
        if not mod.startswith("plugin.core"):
            reads += engine_state_reads(path.read_text(encoding="utf-8"), _rel(path))
    assert not reads, "read the engine through its public API (docs/architecture.md) instead of:\n" + "\n".join(reads)


def test_engine_state_scan_finds_the_reads_it_must():
    # the scan must be able to fail, or the test above proves nothing
    bad = (
        "n = len(self.engine.parcels)\n"
        "geom = live.engine.units[uid].geom\n"
        "ids = engine.unit_parcels.get(uid, ())\n"
        "eng = session.engine\n"
        "first = next(iter(eng.parcels))\n"
        "built, reader = build_engine(inputs, pack)\n"
        "count = len(built.units)\n"
    )
    assert [r.split(": ", 1)[1] for r in engine_state_reads(bad)] == [
        "self.engine.parcels", "live.engine.units", "engine.unit_parcels", "eng.parcels", "built.units"]
    fine = (
        "layer = session.parcels\n"
        "units = inputs.units\n"
        "name = fm.parcels.get('DLBM')\n"
        "ids = engine.unit_parcel_ids(uid)\n"
        "n = engine.parcel_count()\n"
    )
    assert engine_state_reads(fine) == []


def test_engine_has_no_public_state():
    from shapely.geometry import box

    from plugin.core.engine import BalanceEngine
    from plugin.core.fields import ParcelRecord

    engine = BalanceEngine()
    engine.build([(1, box(0, 0, 10, 10), ParcelRecord(dlbm="0101", tbmj=100.0))], [("u", "U-1", box(0, 0, 20, 20))])
    assert engine.parcel_ids() == [1] and engine.unit_parcel_ids("u") == {1}
    for name in ENGINE_STATE:
        assert not hasattr(engine, name), f"BalanceEngine.{name} is public again: use the read API"
