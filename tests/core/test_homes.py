"""One home per concern (issue 10): a source scan that fails when a second home appears.

Each concern is named with the module that holds it; docs/architecture.md lists them.
"""

from __future__ import annotations

import re
from pathlib import Path

PLUGIN = Path(__file__).resolve().parents[2] / "plugin"


def _sources() -> dict[str, str]:
    return {p.relative_to(PLUGIN).as_posix(): p.read_text(encoding="utf-8") for p in sorted(PLUGIN.rglob("*.py"))}


def _where(pattern: str) -> list[str]:
    return [rel for rel, text in _sources().items() if re.search(pattern, text)]


def test_the_plugin_folder_is_found_in_one_place():
    assert _where(r"Path\(__file__\)") == ["core/resources.py"]  # plugin/paths.py builds on it


def test_is_the_ui_chinese_is_answered_in_one_place():
    # no guessing the language by probing a translation (tr("X") != "X") or the locale
    assert _where(r"""tr\(["'][^"']*["']\)\s*[!=]=\s*["']""") == []
    assert _where(r"def (_?chinese|_chinese_text|chinese_active)\(") == ["core/i18n.py"]


def test_report_formatting_has_one_home():
    names = "format_rule_value|format_requirement|_requirement|format_threshold"
    assert _where(rf"def ({names})\(") == ["core/report.py"]


def test_remediation_types_are_read_in_one_place():
    assert _where(r"""["']remediation_types\.json["']""") == ["core/remediation.py"]


def test_log_tag_has_one_home():
    assert _where(r"LOG_TAG\s*=") == ["adapters/log.py"]


def test_the_cli_helpers_are_public():
    # the commands share plugin/cli/common.py; none imports another's private name
    assert not [rel for rel in _where(r"from \.\w+ import [^\n]*\b_\w+") if rel.startswith("cli/")]


def test_front_ends_catch_the_two_plugin_exceptions_not_lists():
    """CLI, Processing and docks catch PlanError / Cancelled (core/errors.py), not specific classes."""
    names = "InputError|WriteError|ReportError|ExportCancelled|BuildCancelled|OverwritesInputError"
    specific = rf"except \(?[^\n:]*\b({names})\b"
    found = [rel for rel in _where(specific) if rel.startswith(("cli/", "processing/", "gui/"))]
    assert found in ([], ["cli/demo.py"])  # demo: a missing openpyxl only skips its XLSX (a warning)


def test_the_engine_measures_unit_and_parcel_in_one_place():
    """Shares and parts counted twice: area(A ∩ B) by overlay_area.intersection_areas, the build and the edits."""
    overlays = _where(r"shapely\.area\(\s*shapely\.intersection\(")
    assert [rel for rel in overlays if rel.startswith("core/engine/")] == ["core/engine/overlay_area.py"]  # its GEOS
    assert _where(r"def intersection_areas\(") == ["core/engine/overlay_area.py"]
