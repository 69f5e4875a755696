"""Run by ``qgis --code`` from run-qgis.sh: once the plugin is loaded, show its workbench (a set-up
project shows it by itself; this also covers a project opened without the set-up)."""
import qgis.utils
from qgis.PyQt.QtCore import QTimer

_tries = {"n": 0}


def _show():
    plugin = qgis.utils.plugins.get("land_consolidation")
    _tries["n"] += 1
    if plugin is None or not getattr(plugin, "actions", None):
        if _tries["n"] < 120:
            QTimer.singleShot(500, _show)
        return
    for action in plugin.actions.values():
        if action.isCheckable() and not action.isChecked():
            action.trigger()
    window = qgis.utils.iface.mainWindow()
    window.showMaximized()


QTimer.singleShot(500, _show)
