"""Plugin code uses the QGIS API only in ways that work on 3.22 … 3.40 LTR (and 3.44).

A source scan (no QGIS needed), so code added later by anyone is caught on every QGIS the
suite runs on, including 3.22 where the old spellings still work silently:

* ``QgsField`` is never constructed with a type outside ``plugin/adapters/qgis_compat.py``:
  ``QgsField(name, QVariant.String)`` is deprecated from QGIS 3.38 (QMetaType) and floods the
  log with warnings; ``make_field(name, "string")`` works everywhere.
* the enum spellings that changed meaning or were deprecated (``QgsPalLayerSettings.OverPoint``
  is a point *position* on 3.40 and raises TypeError as a placement) come from the compat module.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PLUGIN = ROOT / "plugin"
COMPAT = PLUGIN / "adapters" / "qgis_compat.py"

#: old spelling -> name in plugin/adapters/qgis_compat.py
REPLACED = {
    "QgsPalLayerSettings.OverPoint": "LABEL_OVER_POINT",
    "QgsWkbTypes.PolygonGeometry": "POLYGON_GEOMETRY",
    "QgsWkbTypes.MultiPolygon": "WKB_MULTIPOLYGON",
    "QgsWkbTypes.NoGeometry": "WKB_NO_GEOMETRY",
    "QgsUnitTypes.RenderPoints": "RENDER_POINTS",
    "QgsUnitTypes.LayoutMillimeters": "LAYOUT_MILLIMETERS",
    "QgsUnitTypes.DistanceMeters": "DISTANCE_METERS",
    "QgsProcessing.TypeVectorPolygon": "SOURCE_VECTOR_POLYGON",
    "QgsProcessing.TypeVector": "SOURCE_VECTOR_ANY",
    "QgsFeatureRequest.NoGeometry": "REQUEST_NO_GEOMETRY",
    "QgsMapLayerProxyModel.PolygonLayer": "LAYER_FILTER_POLYGON",
}


def _plugin_sources():
    """The plugin, and the tests and benchmarks, which run on QGIS 3.40 with warnings as errors too."""
    roots = (PLUGIN, ROOT / "tests", ROOT / "bench")
    own = (COMPAT, ROOT / "tests" / "qgis" / "test_qgis_compat.py")  # the compat module and its own test
    return sorted(p for root in roots for p in root.rglob("*.py") if p not in own)


def qgsfield_with_type(source: str) -> list[int]:
    """Line numbers of ``QgsField(...)`` calls that pass a field type (anything but a copy)."""
    lines = []
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        name = func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else None
        if name != "QgsField":
            continue
        if len(node.args) >= 2 or any(k.arg in ("type", "typeName") for k in node.keywords):
            lines.append(node.lineno)
    return lines


def replaced_spellings(source: str) -> list[tuple[int, str]]:
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name):
            dotted = f"{node.value.id}.{node.attr}"
            if dotted in REPLACED:
                found.append((node.lineno, dotted))
    return found


def test_scanner_catches_the_old_spellings():
    """The scan itself would notice the code that broke on QGIS 3.40."""
    bad = (
        "from qgis.core import QgsField, QgsPalLayerSettings\n"
        "from qgis.PyQt.QtCore import QVariant\n"
        "f = QgsField('ZZLX', QVariant.String)\n"
        "TYPES = {'TEXT': QVariant.String}\n"
        "g = QgsField('DYBH', TYPES['TEXT'], '', 20)\n"
        "h = QgsField(f)\n"
        "s.placement = QgsPalLayerSettings.OverPoint\n"
    )
    assert qgsfield_with_type(bad) == [3, 5]
    assert replaced_spellings(bad) == [(7, "QgsPalLayerSettings.OverPoint")]


@pytest.mark.parametrize("path", _plugin_sources(), ids=lambda p: str(p.relative_to(ROOT)))
def test_plugin_code_uses_the_compat_module(path):
    source = path.read_text(encoding="utf-8")
    fields = qgsfield_with_type(source)
    assert not fields, (
        f"{path.relative_to(ROOT)} constructs QgsField with a type on line(s) {fields}: "
        "use plugin.adapters.qgis_compat.make_field(name, kind, ...) (QVariant types are deprecated "
        "from QGIS 3.38, QMetaType does not exist in QgsField on 3.22)"
    )
    old = replaced_spellings(source)
    assert not old, "; ".join(
        f"{path.relative_to(ROOT)}:{line} uses {dotted}: use qgis_compat.{REPLACED[dotted]}" for line, dotted in old
    )


def test_compat_module_defines_every_replacement():
    tree = ast.parse(COMPAT.read_text(encoding="utf-8"))
    defined = {t.id for node in tree.body if isinstance(node, ast.Assign) for t in node.targets
               if isinstance(t, ast.Name)}
    assert set(REPLACED.values()) <= defined
