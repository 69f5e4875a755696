"""scripts/update_translations.py: extraction with the right context, translations kept."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
spec = importlib.util.spec_from_file_location(
    "update_translations", ROOT / "scripts" / "update_translations.py"
)
ut = importlib.util.module_from_spec(spec)
sys.modules[spec.name] = ut
spec.loader.exec_module(ut)


def _tree(tmp_path: Path, code: str, ui: str = "") -> Path:
    (tmp_path / "plugin" / "gui").mkdir(parents=True)
    (tmp_path / "plugin" / "gui" / "a.py").write_text(code, encoding="utf-8")
    (tmp_path / "ui").mkdir()
    if ui:
        (tmp_path / "ui" / "form.ui").write_text(ui, encoding="utf-8")
    (tmp_path / "i18n").mkdir()
    return tmp_path


CODE = """
from ..core.i18n import tr
from .errors import guarded
TITLE = tr("Area balance")
LONG = tr("first part, "
          "second part")
@guarded("Showing a panel")
def f(name):
    return tr("Hello {name}").format(name=name), tr(name), self.tr("Method style")
"""

UI = """<?xml version="1.0" encoding="UTF-8"?>
<ui version="4.0"><class>LandConsolidationForm</class>
<widget class="QWidget" name="LandConsolidationForm">
<property name="windowTitle"><string>Export plan</string></property>
<property name="objectName"><string notr="true">noTranslate</string></property>
</widget></ui>
"""


def test_extracts_with_plugin_context(tmp_path):
    root = _tree(tmp_path, CODE, UI)
    found = ut.scan(root)
    sources = {(context, source) for context, source, _ in found}
    assert sources == {
        ("LandConsolidation", "Area balance"),
        ("LandConsolidation", "first part, second part"),
        ("LandConsolidation", "Showing a panel"),
        ("LandConsolidation", "Hello {name}"),
        ("LandConsolidation", "Method style"),
        ("LandConsolidationForm", "Export plan"),
    }


def test_update_keeps_translations_and_marks_obsolete(tmp_path):
    root = _tree(tmp_path, CODE)
    assert ut.update(root) == 0
    ts = root / "i18n" / "land_consolidation_zh_CN.ts"
    messages = ut.read_ts(ts)
    assert all(not m.finished for m in messages.values())
    messages[("LandConsolidation", "Area balance")].translation = "面积平衡"
    messages[("LandConsolidation", "Area balance")].finished = True
    messages[("LandConsolidation", "Method style")].translation = "方法"
    messages[("LandConsolidation", "Method style")].finished = True
    ts.write_text(ut.render_ts(list(messages.values()), "zh_CN"), encoding="utf-8")

    (root / "plugin" / "gui" / "a.py").write_text(
        CODE.replace('self.tr("Method style")', '""'), encoding="utf-8"
    )
    assert ut.update(root) == 0
    again = ut.read_ts(ts)
    assert again[("LandConsolidation", "Area balance")].translation == "面积平衡"
    assert again[("LandConsolidation", "Area balance")].finished
    assert again[("LandConsolidation", "Method style")].obsolete
    assert ut.update(root, check=True) == 1  # still untranslated strings
    text = ts.read_text(encoding="utf-8")
    assert "<context>" in text and "<name>LandConsolidation</name>" in text
    assert ut.update(root) == 0 and ts.read_text(encoding="utf-8") == text  # stable output


def test_lrelease_compiles_the_output(tmp_path):
    root = _tree(tmp_path, CODE, UI)
    ut.update(root)
    ts = root / "i18n" / "land_consolidation_zh_CN.ts"
    result = subprocess.run(["lrelease", str(ts)], capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr
    assert ts.with_suffix(".qm").is_file()


def test_shipped_ts_covers_plugin_strings():
    """Every string of the life-cycle, docks and provider has a finished zh_CN translation."""
    messages = ut.read_ts(ROOT / "i18n" / "land_consolidation_zh_CN.ts")
    mine = [
        "plugin/main.py",
        "plugin/deps.py",
        "plugin/gui/errors.py",
        "plugin/gui/units_dock.py",
        "plugin/gui/tagging_dock.py",
        "plugin/gui/balance_dock.py",
        "plugin/gui/balance_tables.py",
        "plugin/gui/balance_files.py",
        "plugin/processing/provider.py",
    ]
    for relative in mine:
        for context, source, _ in ut.extract_python(ROOT / relative, ROOT):
            message = messages.get((context, source))
            assert message is not None and message.finished, f"{relative}: untranslated {source!r}"
    assert (ROOT / "i18n" / "land_consolidation_zh_CN.qm").is_file()


def test_cli_runs(tmp_path):
    root = _tree(tmp_path, CODE)
    script = ROOT / "scripts" / "update_translations.py"
    result = subprocess.run(
        [sys.executable, str(script), "--root", str(root)], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0 and "5 messages, 5 untranslated" in result.stdout
