"""The 建议 panel driven as a planner would: suggest for the failing unit, preview, apply as one undo step."""
from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from qgis.core import QgsProject
from qgis.PyQt.QtCore import QCoreApplication, QEvent
from qgis_helpers import add_layers, settle

from plugin.gui.session import PlanningSession
from plugin.gui.setup_dialog import SetupDialog, apply_config

LAYERS = ("DLTB", "ZZDY", "YJJBNTTB", "STBHHX")


@pytest.fixture()
def session_on(qgis_new_project, make_demo, tmp_path, qgis_iface):
    path = tmp_path / "demo.gpkg"
    shutil.copy(make_demo(3500, 42), path)  # the demo township: ZZDY-003 fails the 5 % rule (2.56 %)
    project = QgsProject.instance()
    layers = add_layers(path, LAYERS)
    session = PlanningSession(qgis_iface)
    session.background = False
    dialog = SetupDialog(session, qgis_iface)
    config = dialog.config()
    dialog.deleteLater()
    assert apply_config(session, config, qgis_iface, ask=False)
    settle(session.live)
    yield session, layers
    session.unload()
    for layer in layers.values():
        if layer.isEditable():
            layer.rollBack()
    project.clear()
    QCoreApplication.sendPostedEvents(None, QEvent.DeferredDelete)


def test_suggest_preview_apply_undo(session_on, qgis_iface):
    from plugin.gui.suggest_panel import SuggestPanel

    session, layers = session_on
    panel = SuggestPanel(qgis_iface, session, qgis_iface.mainWindow())
    try:
        engine = session.engine
        assert panel.unit_combo.itemText(0) == "✗ ZZDY-003"  # failing units first
        uid = panel.unit_combo.itemData(0)
        assert engine.unit_status(uid) is False
        panel.run()
        s = panel.suggestion
        assert s.reached and s.plan and s.red_line_checked
        assert panel.table.rowCount() == len(s.ranked)
        assert sorted(layers["DLTB"].selectedFeatureIds()) == sorted(c.pid for c in s.plan)  # shown on the map
        assert panel.k_spin.value() == len(s.plan)
        assert f"Tag {len(s.plan)} parcels" in panel.summary_label.text()
        text = panel.preview_label.text()
        assert "✓</span> Farmland net gain ratio" in text and "✗" not in text and "Other indicators: 6 pass" in text
        # farmland after grows by the plan's area (non-farmland in, no 田坎 deduction after), in mu
        farm = sum(a for c, (_b, a) in engine.class_areas(uid).items() if c.startswith("01"))
        gained = sum(c.area_m2 * dict((u, sh) for u, sh, _p in engine.parcel_shares(c.pid))[uid] for c in s.plan)
        assert f"{(farm + gained) / 666.6666667:,.2f} mu" in text
        panel.resize(420, 520)
        artefacts = Path(os.environ.get("LC_PLUGIN_ARTEFACTS", Path(__file__).resolve().parents[2] / "artefacts"))
        artefacts.mkdir(parents=True, exist_ok=True)
        assert panel.grab().save(str(artefacts / "suggest_panel.png"))
        # apply: one undo step, the unit passes; undo: it fails again
        parcels = layers["DLTB"]
        before = parcels.undoStack().count() if parcels.isEditable() else 0
        assert panel.apply() == len(s.plan)
        assert parcels.undoStack().count() == before + 1
        settle(session.live)
        zzlx = session.plan_field("ZZLX")
        assert [parcels.getFeature(c.pid)[zzlx] for c in s.plan] == [c.zzlx for c in s.plan]
        assert session.engine.unit_status(uid) is True
        assert panel.suggestion is None and "suggest again" in panel.summary_label.text()
        parcels.undoStack().undo()
        settle(session.live)
        assert session.engine.unit_status(uid) is False
    finally:
        panel.unload()
        panel.deleteLater()
