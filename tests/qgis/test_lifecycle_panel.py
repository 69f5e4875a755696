"""The project progress panel (docs/lifecycle.md) on a hand-built township, driven as a planner would.

Two units side by side at the central meridian of EPSG:4527 (planar = ellipsoidal area to 1e-6):
A (100 m × 100 m) holds parcel 1 (50 × 100 = 5 000 m², homestead 0702 tagged JS-FK → 0103) and
parcel 2 (farmland); B holds parcel 3 (homestead with a 田坎 coefficient: the error-level data check
KCXS_NOT_FARMLAND) and parcel 4 (farmland). The achieved layer (a later survey) shows 4 000 m² of
parcel 1 as 0103: 80 % of the plan, a shortfall of 1 000 m² = 1.5 亩.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest
from lifecycle_data import make_township
from osgeo import ogr
from qgis.core import QgsProject, QgsVectorLayer
from qgis.PyQt.QtCore import QCoreApplication

from plugin.adapters.lifecycle_store import TABLE, HistoryStore
from plugin.core.lifecycle import STATUSES
from plugin.gui.lifecycle_panel import LifecyclePanel
from plugin.gui.session import PlanningSession, SessionConfig


def wait_for(condition, timeout=30.0):
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline
        QCoreApplication.processEvents()
        time.sleep(0.005)
    QCoreApplication.processEvents()


@pytest.fixture()
def panel(qgis_new_project, qgis_iface, tmp_path):
    path = tmp_path / "township.gpkg"
    make_township(path)
    project = QgsProject.instance()
    layers = {n: QgsVectorLayer(f"{path}|layername={n}", n, "ogr") for n in ("DLTB", "ZZDY", "BGDLTB")}
    for layer in layers.values():
        assert layer.isValid()
        project.addMapLayer(layer)
    session = PlanningSession(qgis_iface)
    session.background = False
    session.apply(SessionConfig(parcels=layers["DLTB"].id(), units=layers["ZZDY"].id()), save=False,
                  background=False)
    wait_for(lambda: session.engine is not None and session.checks is not None and session.checks.checks is not None
             and not session.checks.is_running)
    widget = LifecyclePanel(qgis_iface, session, qgis_iface.mainWindow())
    widget.refresh()
    yield widget, layers, path
    widget.unload()
    session.unload()
    for layer in layers.values():
        if layer.isEditable():
            layer.rollBack()
    project.clear()


def status_of(layer, code):
    return next(f["ZT"] for f in layer.getFeatures() if f["DYBH"] == code)


def test_approval_refused_with_the_failing_check_named(panel):
    widget, layers, _path = panel
    engine = widget.session.engine
    widget.session.set_current_unit(next(u for u in engine.unit_ids() if engine.unit_code(u) == "B"))
    assert widget.unit_combo.currentData() == "B"  # follows the unit selected on the map
    assert widget.target_combo.currentData() == "立项"  # the next status is offered
    assert widget.change_status("B", "立项") is None
    assert "KCXS_NOT_FARMLAND" in widget.message.text()
    assert status_of(layers["ZZDY"], "B") is None or str(status_of(layers["ZZDY"], "B")) == "NULL"
    assert not layers["ZZDY"].isModified()


def test_status_change_is_one_undo_step_and_its_history_follows_the_save(panel):
    widget, layers, path = panel
    units = layers["ZZDY"]
    row = widget.change_status("A", "立项")
    assert (row.from_status, row.to_status) == ("储备", "立项") and row.changed_by
    assert status_of(units, "A") == "立项"
    units.undoStack().undo()
    assert status_of(units, "A") == "储备"
    units.undoStack().redo()
    assert status_of(units, "A") == "立项"
    assert widget.change_status("A", "实施") is not None
    units.undoStack().undo()  # 实施 taken back before saving: no history row for it
    assert status_of(units, "A") == "立项"
    assert widget.change_status("A", "验收") is None
    assert "no skipping" in widget.message.text()
    assert units.commitChanges()
    history = HistoryStore(units).read()
    assert [(t.unit_code, t.from_status, t.to_status) for t in history] == [("A", "储备", "立项")]
    # reopened from the file: the table is in the units' GeoPackage
    again = HistoryStore(QgsVectorLayer(f"{path}|layername=ZZDY", "again", "ogr")).read()
    assert again == history
    assert ogr.Open(str(path)).GetLayerByName(TABLE).GetFeatureCount() == 1


def test_acceptance_shortfall_blocks_acceptance_and_the_report_has_the_numbers(panel, tmp_path):
    widget, layers, _path = panel
    units = layers["ZZDY"]
    assert widget.change_status("A", "立项") is not None
    assert widget.change_status("A", "实施") is not None
    rows = widget.run_acceptance(layers["BGDLTB"], "DLBM")
    a = [r for r in rows if r.unit_code == "A"]
    assert [(r.zzlx, r.ghdlbm) for r in a] == [("JS-FK", "0103")]
    assert a[0].planned_m2 == pytest.approx(5000.0, rel=1e-6)
    assert a[0].achieved_m2 == pytest.approx(4000.0, rel=1e-6)
    assert a[0].shortfall_m2 == pytest.approx(1000.0, rel=1e-6)
    assert widget.accept_table.item(0, 5).text() == "1.50"  # 亩
    assert widget.change_status("A", "验收") is None
    assert "shortfall" in widget.message.text() and "JS-FK" in widget.message.text()
    assert status_of(units, "A") == "实施"
    totals = {t.status: t for t in widget.totals}
    assert list(totals) == list(STATUSES)
    assert (totals["储备"].units, totals["实施"].units) == (1, 1)
    assert totals["实施"].planned_m2 == pytest.approx(5000.0, rel=1e-6)
    assert totals["实施"].achieved_m2 == pytest.approx(4000.0, rel=1e-6)
    # the chart draws the achieved bar (green) over the planned one: kept in the artefacts to look at
    widget.chart.setFixedWidth(360)
    image = widget.chart.grab().toImage()
    greens = sum(1 for x in range(0, image.width(), 2) for y in range(0, image.height(), 2)
                 if image.pixelColor(x, y).name() == "#1e8449")
    assert greens > 20
    artefacts = Path(os.environ.get("LC_PLUGIN_ARTEFACTS", Path(__file__).resolve().parents[2] / "artefacts"))
    artefacts.mkdir(parents=True, exist_ok=True)
    image.save(str(artefacts / "progress_chart_acceptance.png"))
    assert units.commitChanges()
    out = widget.write_report(str(tmp_path / "progress.xlsx"))
    import openpyxl

    wb = openpyxl.load_workbook(out)
    by_status = [[c.value for c in r] for r in wb.worksheets[0].iter_rows(min_row=2)]
    works = next(r for r in by_status if r[1] == 1 and r[5] == 1)  # the 实施 row: 1 unit, 1 checked
    assert works[3] == pytest.approx(7.5, rel=1e-6) and works[4] == pytest.approx(6.0, rel=1e-6)  # 亩
    history = [[c.value for c in r] for r in wb.worksheets[3].iter_rows(min_row=2)]
    assert [r[0] for r in history] == ["A", "A"]
    acceptance = [[c.value for c in r] for r in wb.worksheets[2].iter_rows(min_row=2)]
    assert acceptance[0][:3] == ["A", "JS-FK", "0103"] and acceptance[0][5] == pytest.approx(1.5, rel=1e-6)


def test_units_outside_a_geopackage_keep_their_history_in_the_project_file(qgis_new_project, tmp_path):
    from plugin.core.lifecycle import Transition

    project = QgsProject.instance()
    memory = QgsVectorLayer("MultiPolygon?crs=EPSG:4527&field=DYBH:string&field=ZT:string", "units", "memory")
    project.addMapLayer(memory)
    store = HistoryStore(memory)
    assert store.path is None and store.where == "LandConsolidation/status_history"
    rows = [Transition("A", "储备", "立项", "2026-12-02T06:00:00+08:00", "王工"),
            Transition("A", "立项", "储备", "2026-12-03T06:00:00+08:00", "李工", "立项 withdrawn")]
    store.append(rows[:1])
    store.append(rows[1:])
    qgz = tmp_path / "plan.qgz"
    assert project.write(str(qgz))
    project.clear()
    assert HistoryStore(None, project).read() == []
    assert project.read(str(qgz))
    assert HistoryStore(None, project).read() == rows
    project.clear()
