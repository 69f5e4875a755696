"""Run inside the real QGIS desktop by ``qgis --code``: the plugin on PostGIS layers, another planner commits.

Environment (set by tests/postgis/test_pg_desktop.py): PGSERVICEFILE and LC_PG_SERVICE (the
database, as a bureau names it), LC_PG_SCHEMA, LC_DESKTOP_RESULT (JSON written),
LC_DESKTOP_SHOT (PNG of the main window after the other planner's commit), LC_DESKTOP_WAIT.
"""

import json
import os
import time
import traceback

import qgis.utils
from qgis.core import QgsDataSourceUri, QgsProject, QgsVectorLayer
from qgis.PyQt.QtCore import QCoreApplication, Qt, QTimer

SERVICE = os.environ["LC_PG_SERVICE"]
SCHEMA = os.environ.get("LC_PG_SCHEMA", "lc")
RESULT = os.environ.get("LC_DESKTOP_RESULT", "pg_result.json")
SHOT = os.environ.get("LC_DESKTOP_SHOT", "pg.png")
WAIT = float(os.environ.get("LC_DESKTOP_WAIT", "90"))
_state = {"started": time.monotonic(), "result": {}, "timer": None, "step": "gui"}


def _write():
    with open(RESULT + ".tmp", "w", encoding="utf-8") as handle:
        json.dump(_state["result"], handle, ensure_ascii=False, indent=2, default=str)
    os.replace(RESULT + ".tmp", RESULT)


def _finish():
    _state["timer"].stop()
    _write()
    for layer in QgsProject.instance().mapLayers().values():
        if layer.isEditable():
            layer.rollBack()
    QgsProject.instance().clear()
    QgsProject.instance().setDirty(False)
    QCoreApplication.instance().exit(0)


def _add_layers():
    layers = {}
    for table, key in (("parcels", "fid"), ("plan_unit", "id"), ("pbf", "id")):
        uri = QgsDataSourceUri(f"service={SERVICE}")
        uri.setDataSource(SCHEMA, table, "geom", "", key)
        layer = QgsVectorLayer(uri.uri(False), table, "postgres")
        layers[table] = layer
        QgsProject.instance().addMapLayer(layer)
    # the units as outlines over the parcels, as a planner styles them (the screenshot shows both)
    layers["plan_unit"].renderer().symbol().symbolLayer(0).setBrushStyle(Qt.NoBrush)
    layers["plan_unit"].renderer().symbol().symbolLayer(0).setStrokeWidth(0.8)
    _state["result"]["layers"] = {t: [lyr.isValid(), lyr.providerType(), lyr.featureCount()]
                                  for t, lyr in layers.items()}
    return layers


def _unit_row(session, code):
    engine = session.engine
    return {d: round(a, 1) for c, d, _b, a in engine.balance_rows() if c == code}


def _step():
    result, iface = _state["result"], qgis.utils.iface
    try:
        if iface is None or iface.mapCanvas() is None:
            if time.monotonic() - _state["started"] > WAIT:
                raise RuntimeError("QGIS GUI did not come up")
            return
        plugin = qgis.utils.plugins.get("land_consolidation")
        session = getattr(plugin, "session", None)
        step = _state["step"]
        if step == "gui":
            window = iface.mainWindow()
            window.setGeometry(window.screen().availableGeometry())
            layers = _add_layers()
            from land_consolidation.plugin.gui import setup_dialog as setup

            dialog = setup.SetupDialog(session, iface)
            config = dialog.config()
            dialog.deleteLater()
            result["configured"] = bool(setup.apply_config(session, config, iface, ask=False))
            iface.mapCanvas().setExtent(layers["plan_unit"].extent())
            _state["step"], _state["t"] = "built", time.monotonic()
        elif step == "built":
            if session.engine is None or session.is_rebuilding:
                if time.monotonic() - _state["t"] > 60:
                    raise RuntimeError("the balance was not built")
                return
            plugin.workbench.show_panel("balance")
            units = session.units
            unit = next(units.getFeatures())
            session.set_current_unit(unit.id())
            code = unit["dybh"]
            parcels = [f for f in session.parcels.getFeatures()
                       if f.geometry().within(unit.geometry()) and str(f["dlbm"]).startswith("01")
                       and not f["zzlx"]]
            fid = parcels[0].id()
            result.update(unit=code, parcel=fid, before=_unit_row(session, code),
                          listening=bool(session.database is not None and session.database.follower.active))
            from land_consolidation.plugin.adapters.postgis.connection import connect
            from land_consolidation.plugin.adapters.postgis.plan_edits import save_plan

            other = connect(f"service={SERVICE}")
            _state["t"] = time.monotonic()
            save_plan(other, SCHEMA, {fid: (0, {"zzlx": "JS-FK", "ghdlbm": "0702"})}, "李四")
            other.close()
            _state["step"] = "committed"
        elif step == "committed":
            fid = result["parcel"]
            changes = session.live.last_changes or {}
            if fid not in changes.get("parcels", ()):
                if time.monotonic() - _state["t"] > 10:
                    raise RuntimeError("the other planner's commit did not arrive")
                return
            result["seen_after_s"] = round(time.monotonic() - _state["t"], 3)
            result["after"] = _unit_row(session, result["unit"])
            iface.mapCanvas().refresh()
            _state["step"], _state["t"] = "shot", time.monotonic()
        elif step == "shot":
            if time.monotonic() - _state["t"] < 3 or iface.mapCanvas().isDrawing():
                return
            pixmap = iface.mainWindow().grab()
            result["shot"] = SHOT if pixmap.save(SHOT, "PNG") else None
            result["workbench_visible"] = plugin.workbench.isVisible()
            _finish()
    except Exception:  # the test reads the error from the JSON
        result["error"] = traceback.format_exc()
        _finish()


_state["timer"] = QTimer()
_state["timer"].timeout.connect(_step)
_state["timer"].start(500)
