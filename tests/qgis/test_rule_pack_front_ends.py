"""A malformed rule pack is shown the same way by every front end: the CLI (exit 2, nothing
written), Processing (an error naming each problem) and the set-up dialog's "Load JSON…" box."""
from __future__ import annotations

import json

import pytest
from qgis_helpers import src

from plugin.core.rules import PACK_DIR


@pytest.fixture()
def bad_pack(tmp_path):
    data = json.loads((PACK_DIR / "national.json").read_text(encoding="utf-8"))
    data["rules"][0]["threshold"] = "nan"
    data["rules"][3]["op"] = "=>"
    path = tmp_path / "bad.json"
    path.write_bytes(json.dumps(data, ensure_ascii=False).encode("gbk"))  # Notepad "ANSI" on a Chinese Windows
    return path


PROBLEMS = ('rules[0].threshold: expected a finite number, found text "nan"', 'rules[3].op: expected one of')


def test_cli_lists_the_problems_and_writes_nothing(qgis_app, make_demo, bad_pack, tmp_path, capsys):
    from plugin.cli.app import main

    demo = make_demo(600, 5)
    for command in ("balance", "export", "report"):
        out = tmp_path / ("out.xlsx" if command == "report" else "out.gpkg")
        rc = main([command, "--parcels", src(demo, "DLTB"), "--units", src(demo, "ZZDY"), "--rules", str(bad_pack),
                   "--out", str(out)])
        err = capsys.readouterr().err
        assert rc == 2 and all(p in err for p in PROBLEMS), err
        assert "Traceback" not in err and not out.exists()


def test_processing_error_lists_the_problems(qgis_app, qgis_processing, make_demo, bad_pack, tmp_path):
    import processing
    from qgis.core import QgsApplication, QgsProcessingException

    from plugin.processing.provider import PROVIDER_ID, LandConsolidationProvider

    registry = QgsApplication.processingRegistry()
    if registry.providerById(PROVIDER_ID) is None:
        registry.addProvider(LandConsolidationProvider())
    demo = make_demo(600, 5)
    out = tmp_path / "out.gpkg"
    with pytest.raises(QgsProcessingException) as info:
        processing.run("landconsolidation:computebalance", {
            "PARCELS": src(demo, "DLTB"), "UNITS": src(demo, "ZZDY"), "RULE_FILE": str(bad_pack),
            "OUTPUT": str(out)})
    assert all(p in str(info.value) for p in PROBLEMS)
    assert not out.exists()


def test_setup_dialog_shows_the_problems(qgis_app, qgis_iface, qgis_new_project, bad_pack, monkeypatch):
    from plugin.gui import setup_dialog
    from plugin.gui.session import PlanningSession

    shown = []
    monkeypatch.setattr(setup_dialog.QFileDialog, "getOpenFileName", lambda *a, **k: (str(bad_pack), ""))
    monkeypatch.setattr(setup_dialog.QMessageBox, "warning", lambda parent, title, text, *a: shown.append(text))
    session = PlanningSession(qgis_iface)
    dialog = setup_dialog.SetupDialog(session, qgis_iface)
    try:
        index = dialog.pack_combo.findData(setup_dialog.LOAD_JSON)
        dialog.pack_combo.setCurrentIndex(index)
        dialog._pack_activated(index)
        assert len(shown) == 1 and all(p in shown[0] for p in PROBLEMS), shown
        assert dialog.pack_combo.currentData() != str(bad_pack)  # the broken pack is not chosen
    finally:
        dialog.deleteLater()
