"""Run inside the real QGIS desktop by ``qgis --code``: open an exported plan, screenshot, quit.

Environment (set by test_desktop_qgis.py): LC_PLAN_GPKG (the plan GeoPackage),
LC_DESKTOP_RESULT (JSON written), LC_DESKTOP_SHOT (PNG of the main window),
LC_DESKTOP_WAIT (seconds to wait for the GUI).
"""

import json
import os
import time
import traceback

import qgis.utils
from qgis.core import QgsProject
from qgis.PyQt.QtCore import QCoreApplication, QTimer

PLAN = os.environ["LC_PLAN_GPKG"]
RESULT = os.environ.get("LC_DESKTOP_RESULT", "plan_result.json")
SHOT = os.environ.get("LC_DESKTOP_SHOT", "plan.png")
WAIT = float(os.environ.get("LC_DESKTOP_WAIT", "90"))
_state = {"started": time.monotonic(), "result": {}, "timer": None, "rendered_at": None}


def _write():
    with open(RESULT + ".tmp", "w", encoding="utf-8") as handle:
        json.dump(_state["result"], handle, ensure_ascii=False, indent=2)
    os.replace(RESULT + ".tmp", RESULT)


def _quit():
    QgsProject.instance().clear()
    QgsProject.instance().setDirty(False)
    QCoreApplication.instance().exit(0)


def _describe(layer):
    info = {"valid": layer.isValid()}
    if hasattr(layer, "renderer") and layer.renderer() is not None:
        renderer = layer.renderer()
        info["renderer"] = renderer.type()
        info["categories"] = len(renderer.categories()) if hasattr(renderer, "categories") else 0
        info["labels"] = bool(layer.labelsEnabled())
        info["features"] = layer.featureCount()
    return info


def _step():
    result = _state["result"]
    try:
        iface = qgis.utils.iface
        if iface is None or iface.mapCanvas() is None:
            if time.monotonic() - _state["started"] > WAIT:
                raise RuntimeError("QGIS GUI did not come up")
            return
        window = iface.mainWindow()
        if "screen_size" not in result:
            # no window manager under Xvfb: fill the screen ourselves (a fresh QGIS 3.40 profile
            # opens a small window otherwise), then read the project on the next step
            screen = window.screen().availableGeometry()
            window.setGeometry(screen)
            result["screen_size"] = [screen.width(), screen.height()]
            return
        if "project_read" not in result:
            result["project_read"] = QgsProject.instance().read(f"geopackage:{PLAN}?projectName=plan")
            # keyed by the GeoPackage table (the display names follow the exporter's language)
            result["layers"] = {layer.source().split("layername=")[-1].split("|")[0]: _describe(layer)
                                for layer in QgsProject.instance().mapLayers().values()}
            result["names"] = sorted(layer.name() for layer in QgsProject.instance().mapLayers().values())
            # no zoom here: the project itself must open on its units
            iface.mapCanvas().refresh()
            _state["rendered_at"] = time.monotonic()
            return
        if time.monotonic() - _state["rendered_at"] < 4 or iface.mapCanvas().isDrawing():
            return
        waiting = getattr(qgis.utils.plugins.get("land_consolidation"), "session", None)
        if waiting is not None and waiting.configured and (waiting.engine is None or waiting.is_rebuilding) \
                and time.monotonic() - _state["rendered_at"] < 60:
            return  # the balance of the opened plan is still being built
        canvas = iface.mapCanvas()
        units = next(layer for layer in QgsProject.instance().mapLayers().values()
                     if layer.source().endswith("layername=units"))
        plugin = qgis.utils.plugins.get("land_consolidation")
        session = getattr(plugin, "session", None)
        result["plugin_set_up"] = bool(session is not None and session.configured and session.engine is not None)
        result["rule_pack"] = session.pack.id if session is not None and session.pack is not None else None
        workbench = getattr(plugin, "workbench", None)
        result["workbench_visible"] = bool(workbench is not None and workbench.isVisible())
        result["canvas_scale"] = canvas.scale()
        result["canvas_shows_units"] = canvas.extent().contains(units.extent()) and \
            canvas.extent().width() < 3 * units.extent().width()
        pixmap = window.grab()
        pixmap.save(SHOT)
        result["shot"] = SHOT
        result["shot_size"] = [pixmap.width(), pixmap.height()]
        _state["timer"].stop()
        _write()
        _quit()
    except Exception:  # the test reads the error from the JSON
        result["error"] = traceback.format_exc()
        _state["timer"].stop()
        _write()
        _quit()


_state["timer"] = QTimer()
_state["timer"].timeout.connect(_step)
_state["timer"].start(500)
