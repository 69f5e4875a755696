"""Run inside the real QGIS desktop by ``qgis --code``: check the plugin, screenshot, quit.

Driven by environment variables set by test_desktop_qgis.py:
  LC_DESKTOP_RESULT   JSON file to write (always written, also on failure)
  LC_DESKTOP_SHOT     PNG of the main window (QWidget.grab); LC_DESKTOP_ROOT_SHOT: of the X screen
  LC_DEMO_GPKG        GeoPackage with DLTB and ZZDY layers to open (optional)
  LC_DESKTOP_WAIT     seconds to wait for the GUI and the plugin (default 90)
Everything runs from QTimer callbacks so the GUI event loop keeps turning.
"""

import json
import os
import subprocess
import sys
import time
import traceback

import qgis.utils
from qgis.core import QgsApplication, QgsProject, QgsSettings, QgsVectorLayer
from qgis.PyQt.QtCore import QCoreApplication, QEvent, Qt, QTimer
from qgis.PyQt.QtWidgets import QDockWidget, QMenu

PLUGIN = "land_consolidation"
DOCKS = ["LandConsolidationWorkbenchDock"]
#: the views a planner must see, by the tab they are on: (tab key, panel attribute)
VIEWS = [("units", "table"), ("tagging", "palette"), ("balance", "tree"), ("balance", "indicator_view")]
RESULT = os.environ.get("LC_DESKTOP_RESULT", "desktop_result.json")
SHOT = os.environ.get("LC_DESKTOP_SHOT", "qgis_desktop.png")
ROOT_SHOT = os.environ.get("LC_DESKTOP_ROOT_SHOT", "")
GPKG = os.environ.get("LC_DEMO_GPKG", "")
WAIT = float(os.environ.get("LC_DESKTOP_WAIT", "90"))

_state = {"started": time.monotonic(), "step": "wait", "result": {"steps": []}, "timer": None}


def _iface():
    return qgis.utils.iface


def _flush():
    QCoreApplication.sendPostedEvents(None, QEvent.DeferredDelete)
    QCoreApplication.processEvents()


def _ours():
    window = _iface().mainWindow()
    docks = [d for d in window.findChildren(QDockWidget) if d.objectName() in DOCKS]
    menus = [m for m in window.findChildren(QMenu) if m.objectName() == "LandConsolidationMenu"]
    provider = QgsApplication.processingRegistry().providerById("landconsolidation")
    return docks, menus, provider


def _write(result):
    with open(RESULT + ".tmp", "w", encoding="utf-8") as handle:
        json.dump(result, handle, ensure_ascii=False, indent=2)
    os.replace(RESULT + ".tmp", RESULT)


def _quit():
    # Layers from files under /tmp count as "temporary" for QGIS 3.22, which then asks
    # "this project contains temporary layers... continue?" at exit: empty the project first.
    QgsProject.instance().clear()
    QgsProject.instance().setDirty(False)
    _iface().actionExit().trigger()


def _finish(error=None):
    result = _state["result"]
    if error:
        result["error"] = error
    result["seconds_in_qgis"] = round(time.monotonic() - _state["started"], 1)
    timer = _state.get("timer")
    if timer is not None:
        timer.stop()
    try:
        _write(result)
    finally:
        QTimer.singleShot(300, _quit)


def _wait_for_gui():
    iface = _iface()
    ready = iface is not None and iface.mainWindow().isVisible() and PLUGIN in qgis.utils.active_plugins
    if ready:
        _state["timer"].stop()
        QTimer.singleShot(1000, _guarded(_check_loaded))
    elif time.monotonic() - _state["started"] > WAIT:
        _state["result"]["active_plugins"] = list(qgis.utils.active_plugins)
        _finish(f"plugin {PLUGIN} not active after {WAIT} s")


def _guarded(step):
    def run():
        try:
            step()
        except Exception:
            _finish(traceback.format_exc())

    return run


def _check_loaded():
    result = _state["result"]
    iface = _iface()
    settings = QgsSettings()
    result["locale"] = settings.value("locale/userLocale", "", type=str)
    result["qgis_version"] = qgis.core.Qgis.QGIS_VERSION
    result["plugin_loaded"] = PLUGIN in qgis.utils.plugins and PLUGIN in qgis.utils.active_plugins
    plugin = qgis.utils.plugins.get(PLUGIN)
    module = sys.modules.get(PLUGIN)
    result["plugin_dir"] = os.path.dirname(os.path.realpath(module.__file__)) if module else None
    result["dependency_problems"] = [p.describe() for p in getattr(plugin, "dependency_problems", [])]
    docks, menus, provider = _ours()
    result["docks"] = {d.objectName(): d.windowTitle() for d in docks}
    result["menu_titles"] = [m.title() for m in menus]
    result["provider"] = provider.name() if provider is not None else None
    result["algorithms"] = sorted(a.id() for a in provider.algorithms()) if provider is not None else []
    result["python_errors"] = _python_error_dialogs()
    bar = iface.messageBar()
    result["message_bar"] = [w.text() for w in bar.items()] if hasattr(bar, "items") else []

    layers = {}
    if GPKG:
        for name in ("DLTB", "YJJBNTTB", "ZZDY"):
            layer = QgsVectorLayer(f"{GPKG}|layername={name}", name, "ogr")
            layers[name] = {"valid": layer.isValid(), "features": layer.featureCount()}
            if layer.isValid():
                QgsProject.instance().addMapLayer(layer)
        _style(QgsProject.instance())
        zzdy = QgsProject.instance().mapLayersByName("ZZDY")
        if zzdy:
            iface.setActiveLayer(zzdy[0])
            iface.mapCanvas().setExtent(zzdy[0].extent().buffered(200))
            iface.mapCanvas().refresh()
    result["layers"] = layers

    window = iface.mainWindow()
    screen = window.screen().availableGeometry() if hasattr(window, "screen") else None
    if screen is not None:
        window.setGeometry(screen)  # no window manager under Xvfb: fill the screen ourselves
        result["screen"] = [screen.x(), screen.y(), screen.width(), screen.height()]
    # the workbench waits for a set-up project (nothing to show before)
    result["docks_visible_before_setup"] = [d.objectName() for d in docks if d.isVisible()]
    result["steps"].append("loaded")
    QTimer.singleShot(1500, _guarded(_configure))


def _configure():
    """Set the plugin up as a planner would (detected layers), then tag parcels through the dock."""
    result = _state["result"]
    plugin = qgis.utils.plugins.get(PLUGIN)
    session = getattr(plugin, "session", None)
    if session is None or not GPKG:
        QTimer.singleShot(500, _guarded(_screenshot))
        return
    import importlib

    setup = importlib.import_module(PLUGIN + ".plugin.gui.setup_dialog")
    dialog = setup.SetupDialog(session, _iface())
    config = dialog.config()
    dialog.deleteLater()
    result["configured"] = bool(setup.apply_config(session, config, _iface(), ask=False))
    QCoreApplication.processEvents()
    docks, _menus, _provider = _ours()
    result["docks_visible_after_setup"] = [d.objectName() for d in docks if d.isVisible()]
    _state["configured_at"] = time.monotonic()
    QTimer.singleShot(500, _guarded(_wait_for_balance))


def _wait_for_balance():
    plugin = qgis.utils.plugins.get(PLUGIN)
    session = plugin.session
    if (session.engine is None or session.is_rebuilding) and time.monotonic() - _state["configured_at"] < 60:
        QTimer.singleShot(300, _guarded(_wait_for_balance))
        return
    _tag(plugin)


def _tag(plugin):
    """Tag a few untagged forest/grass parcels of the first unit through the tagging dock."""
    result = _state["result"]
    base = SHOT[:-4] if SHOT.endswith(".png") else SHOT
    result["suggest"] = _suggest_view(plugin, _iface().mainWindow(), base)  # before the tags below
    session = plugin.session
    engine = session.engine
    dltb = session.parcels
    ids = []
    for feature in dltb.getFeatures():
        untagged = feature["ZZLX"] in (None, "") or str(feature["ZZLX"]) == "NULL"
        if untagged and str(feature["DLBM"]).startswith(("03", "04")) and engine.parcel_shares(feature.id()):
            ids.append(feature.id())
            if len(ids) == 5:
                break
    dltb.selectByIds(ids)
    tagging = plugin.panels["tagging"]
    tagging.set_type("NY-HF")
    tagging.set_target("0101")
    result["tagged"] = tagging.apply_to_selected()
    tagging.style_parcels()
    units = plugin.panels["units"]
    if units.table.rowCount():
        units._row_clicked(0, 0)
    balance = plugin.panels["balance"]
    QTimer.singleShot(1500, _guarded(lambda: _after_tag(balance)))


def _after_tag(balance):
    result = _state["result"]
    balance.refresh()
    result["balance_rows"] = len(balance.displayed_rows())
    result["indicator_rows"] = len(balance.displayed_indicators())
    plugin = qgis.utils.plugins[PLUGIN]
    result["units_rows"] = plugin.panels["units"].table.rowCount()
    result["verdict_strip"] = {"title": plugin.workbench.strip.title_label.text(),
                               "badge": plugin.workbench.strip.badge.text(), "state": plugin.workbench.strip.state}
    result["steps"].append("tagged")
    QTimer.singleShot(1000, _guarded(_layout))


def _header(view):
    return view.horizontalHeader() if hasattr(view, "horizontalHeader") else view.header()


def _columns_fit(view):
    """Every shown column's right edge inside the view: no column cut at the dock's width."""
    header = _header(view)
    return all(header.sectionViewportPosition(c) + header.sectionSize(c) <= view.viewport().width() + 1
               for c in range(header.count()) if not header.isSectionHidden(c))


def _rows_in_view(view):
    """Rows of ``view`` whose whole row rectangle is inside its viewport (in display order)."""
    model = view.model()
    viewport = view.viewport().rect()
    header = _header(view)
    column = next(c for c in range(header.count()) if not header.isSectionHidden(c))
    index = model.index(0, column)
    seen = 0
    shown = 0
    while index.isValid() and seen < 200:
        rect = view.visualRect(index)
        if rect.height() > 0 and viewport.contains(rect.topLeft()) and viewport.contains(rect.bottomLeft()):
            shown += 1
        seen += 1
        below = view.indexBelow(index) if hasattr(view, "indexBelow") else model.index(index.row() + 1, column)
        index = below
    return shown


def _on_screen(widget, screen):
    from qgis.PyQt.QtCore import QPoint, QRect

    top_left = widget.mapToGlobal(QPoint(0, 0))
    rect = QRect(top_left, widget.size())
    return {"rect": [rect.x(), rect.y(), rect.width(), rect.height()],
            "inside_screen": screen.contains(rect), "visible": widget.isVisible()}


def _suggest_view(plugin, window, base):
    """The 建议 tab on the first unit of its list (failing units first: the demo's ZZDY-001), suggested,
    and its screenshot."""
    panel = plugin.panels["suggest"]
    plugin.workbench.show_panel("suggest")
    panel._updated()
    panel.run()
    for _ in range(5):
        QCoreApplication.processEvents()
    s = panel.suggestion
    path = f"{base}_suggest.png"
    return {"unit": panel.unit_combo.currentText(), "rows": panel.table.rowCount(),
            "reached": bool(s is not None and s.reached), "plan": len(s.plan) if s is not None else 0,
            "summary": panel.summary_label.text(), "preview": panel.preview_label.text(),
            "screenshot": path if window.grab().save(path, "PNG") else None}


def _whole_rows(view):
    """(rows whole inside the viewport, rows there are): what a planner sees without scrolling."""
    model = view.model()
    total, index = 0, model.index(0, 0) if model.rowCount() else None
    while index is not None and index.isValid():
        total += 1
        index = view.indexBelow(index)
    return [_rows_in_view(view) if total else 0, total]


def _clipped(panel):
    """Visible widgets of ``panel`` cut by their parent, squeezed below their minimum, or overlapping
    a sibling (the squeezed splitter of the 1 366×768 screen drew the indicator table over the tree)."""
    from qgis.PyQt.QtWidgets import QAbstractScrollArea, QWidget

    out = []
    for widget in panel.findChildren(QWidget):
        parent = widget.parentWidget()
        if not widget.isVisible() or widget.isWindow() or parent is None:
            continue
        if any(isinstance(w, QAbstractScrollArea) for w in _ancestors(widget, panel)):
            continue  # scroll bars, headers and viewports of a view: the view scrolls them
        name = widget.objectName() or type(widget).__name__
        if not parent.rect().contains(widget.geometry()):
            out.append(f"{name} outside its parent")
        hint = widget.minimumSizeHint()
        if hint.isValid() and widget.height() < min(hint.height(), widget.minimumHeight() or hint.height()):
            out.append(f"{name} squeezed ({widget.height()} < {hint.height()})")
        for other in parent.children():
            if (isinstance(other, QWidget) and other is not widget and other.isVisible() and not other.isWindow()
                    and widget.geometry().intersects(other.geometry()) and id(widget) < id(other)
                    and type(parent).__name__ == "BalanceViews"):
                out.append(f"{name} overlaps {other.objectName() or type(other).__name__}")
    return out


def _ancestors(widget, stop):
    parent = widget.parentWidget()
    while parent is not None and parent is not stop:
        yield parent
        parent = parent.parentWidget()


def _balance_fit(plugin, window, screen, base):
    """The 平衡 tab as a planner checks it: the selected unit's indicators and then the project's all
    whole beside the class tree; the township rows one click away (their tab), whole when opened;
    nothing clipped; the window within the screen."""
    from qgis.PyQt.QtTest import QTest

    workbench = plugin.workbench
    balance = plugin.panels["balance"]
    workbench.show_panel("balance")
    details = balance.views.details
    out = {}

    def look():
        for _ in range(5):
            QCoreApplication.processEvents()
        return {"indicators": _whole_rows(balance.indicator_view), "tree": _whole_rows(balance.tree),
                "townships": _whole_rows(balance.township_view) if balance.township_view.isVisible() else None,
                "columns_fit": [_columns_fit(v) for v in (balance.tree, balance.indicator_view, balance.township_view)
                                if v.isVisible()],
                "details_folded": details.folded, "window_height": window.height(),
                "window_min_height": window.minimumSizeHint().height(), "clipped": _clipped(balance),
                "panel_inside_screen": _on_screen(balance, screen)["inside_screen"],
                "township_tab": details.bar.tabText(0) if details.bar.isTabVisible(0) else None}

    for scope in ("each", "selected", "project"):  # each: every unit's rows (they may scroll)
        balance.set_scope(scope)
        balance.refresh()
        out[scope] = look()
    if details.folded or details.bar.currentIndex() != 0:  # (a click on the open current tab folds it)
        QTest.mouseClick(details.bar, Qt.LeftButton, Qt.NoModifier, details.bar.tabRect(0).center())
    out["townships_opened"] = look()
    path = f"{base}_townships.png"
    if window.grab().save(path, "PNG"):
        _state["result"]["tab_screenshots"]["townships"] = path
    return out


def _progress(plugin, window, base):
    """The Progress tab (项目进度): its chart of the units by status, shot with the window and alone."""
    result = _state["result"]
    plugin.workbench.show_panel("progress")
    panel = plugin.panels["progress"]
    panel.refresh()
    for _ in range(5):
        QCoreApplication.processEvents()
    chart = panel.chart
    result["progress"] = {"statuses": [t.status for t in panel.totals], "units": [t.units for t in panel.totals],
                          "chart": [chart.width(), chart.height()], "chart_visible": chart.isVisible(),
                          "tooltip": chart.toolTip()}
    if window.grab().save(f"{base}_progress.png", "PNG"):
        result["tab_screenshots"]["progress"] = f"{base}_progress.png"
    if chart.grab().save(f"{base}_progress_chart.png", "PNG"):
        result["tab_screenshots"]["progress_chart"] = f"{base}_progress_chart.png"


def _layout():
    """Each tab current in turn: its views on screen, rows visible, a screenshot of the window."""
    from qgis.PyQt.QtWidgets import QApplication

    result = _state["result"]
    plugin = qgis.utils.plugins[PLUGIN]
    window = _iface().mainWindow()
    screen = QApplication.primaryScreen().geometry()
    workbench = plugin.workbench
    result["window"] = {"geometry": [window.geometry().x(), window.geometry().y(), window.geometry().width(),
                                     window.geometry().height()],
                        "minimum_height": window.minimumSizeHint().height(),
                        "screen": [screen.width(), screen.height()]}
    result["workbench"] = {"width": workbench.width(), "height": workbench.height(),
                           "tabs": [workbench.tabs.tabText(i) for i in range(workbench.tabs.count())]}
    result["views"] = {}
    result["tab_screenshots"] = {}
    base = SHOT[:-4] if SHOT.endswith(".png") else SHOT
    for key, attribute in VIEWS:
        workbench.show_panel(key)
        for _ in range(5):
            QCoreApplication.processEvents()
        view = getattr(plugin.panels[key], attribute)
        info = _on_screen(view, screen)
        info["rows_visible"] = _rows_in_view(view)
        info["rows"] = view.model().rowCount()
        info["columns_fit"] = _columns_fit(view)
        result["views"][f"{key}.{attribute}"] = info
        path = f"{base}_{key}.png"
        if key not in result["tab_screenshots"] and window.grab().save(path, "PNG"):
            result["tab_screenshots"][key] = path
    _progress(plugin, window, base)
    result["balance_fit"] = _balance_fit(plugin, window, screen, base)
    # QGIS's default dock width (311 px): no column may be cut there either
    window.resizeDocks([workbench], [311], Qt.Horizontal)
    result["views_at_311"] = {}
    for key, attribute in VIEWS:
        workbench.show_panel(key)
        for _ in range(5):
            QCoreApplication.processEvents()
        view = getattr(plugin.panels[key], attribute)
        header = _header(view)
        result["views_at_311"][f"{key}.{attribute}"] = {
            "width": workbench.width(), "columns_fit": _columns_fit(view),
            "sections": [header.sectionSize(c) for c in range(header.count()) if not header.isSectionHidden(c)]}
        if key == "balance" and attribute == "tree" and window.grab().save(f"{base}_311.png", "PNG"):
            result["tab_screenshots"]["balance_311"] = f"{base}_311.png"
    workbench.show_panel("balance")
    result["steps"].append("layout")
    QTimer.singleShot(300, _guarded(_screenshot))


def _style(project):
    """Parcels coloured by land-class group, units as labelled outlines (readable screenshot)."""
    from qgis.core import (
        QgsCategorizedSymbolRenderer,
        QgsFillSymbol,
        QgsPalLayerSettings,
        QgsRendererCategory,
        QgsSingleSymbolRenderer,
        QgsTextFormat,
        QgsVectorLayerSimpleLabeling,
    )
    from qgis.PyQt.QtGui import QColor, QFont

    groups = [
        ("01", "耕地", "#f5e663"),
        ("02", "园地", "#e8a33d"),
        ("03", "林地", "#3f9b4f"),
        ("04", "草地", "#a8d46f"),
        ("11", "水域", "#74b9e8"),
        ("12", "其他土地", "#c9c2b5"),
        ("07", "住宅用地", "#e36f6f"),
        ("10", "交通运输用地", "#9a9a9a"),
    ]
    for layer in project.mapLayersByName("DLTB"):
        categories = [
            QgsRendererCategory(
                code,
                QgsFillSymbol.createSimple(
                    {"color": colour, "outline_color": "#606060", "outline_width": "0.1"}
                ),
                label,
            )
            for code, label, colour in groups
        ]
        categories.append(
            QgsRendererCategory(
                "", QgsFillSymbol.createSimple({"color": "#e0b0d0", "outline_color": "#606060"}), "其他"
            )
        )
        layer.setRenderer(QgsCategorizedSymbolRenderer('left("DLBM", 2)', categories))
        layer.triggerRepaint()
    for layer in project.mapLayersByName("ZZDY"):
        symbol = QgsFillSymbol.createSimple(
            {"style": "no", "outline_color": "#c0392b", "outline_width": "0.8"}
        )
        layer.setRenderer(QgsSingleSymbolRenderer(symbol))
        name_field = "DYMC" if layer.fields().indexOf("DYMC") >= 0 else layer.fields()[0].name()
        settings = QgsPalLayerSettings()
        settings.fieldName = name_field
        text = QgsTextFormat()
        text.setFont(QFont("Noto Sans CJK SC"))
        text.setSize(11)
        text.setColor(QColor("#7b1d12"))
        settings.setFormat(text)
        layer.setLabeling(QgsVectorLayerSimpleLabeling(settings))
        layer.setLabelsEnabled(True)
        layer.triggerRepaint()


def _python_error_dialogs():
    """Titles of visible top-level dialogs (QGIS shows Python errors in one)."""
    from qgis.PyQt.QtWidgets import QApplication, QDialog

    return [
        w.windowTitle() for w in QApplication.topLevelWidgets() if isinstance(w, QDialog) and w.isVisible()
    ]


def _screenshot():
    result = _state["result"]
    pixmap = _iface().mainWindow().grab()
    result["screenshot"] = SHOT
    result["screenshot_saved"] = bool(pixmap.save(SHOT, "PNG"))
    result["screenshot_size"] = [pixmap.width(), pixmap.height()]
    if ROOT_SHOT:
        try:
            done = subprocess.run(["import", "-window", "root", ROOT_SHOT], timeout=30, check=False)
            result["root_screenshot"] = ROOT_SHOT if done.returncode == 0 else None
        except (OSError, subprocess.SubprocessError) as error:
            result["root_screenshot"] = None
            result["root_screenshot_error"] = str(error)
    result["steps"].append("screenshot")
    QTimer.singleShot(100, _guarded(_reload))


def _reload():
    """unloadPlugin leaves nothing; loading again gives exactly one of everything."""
    result = _state["result"]
    for layer in QgsProject.instance().mapLayers().values():
        if getattr(layer, "isEditable", lambda: False)():
            layer.rollBack()  # else QGIS asks "save edits?" at exit, a modal dialog under Xvfb
    result["unloaded"] = qgis.utils.unloadPlugin(PLUGIN)
    _flush()
    docks, menus, provider = _ours()
    result["after_unload"] = {"docks": len(docks), "menus": len(menus), "provider": provider is not None}
    result["reloaded"] = qgis.utils.loadPlugin(PLUGIN) and qgis.utils.startPlugin(PLUGIN)
    _flush()
    docks, menus, provider = _ours()
    result["after_reload"] = {"docks": len(docks), "menus": len(menus), "provider": provider is not None}
    result["python_errors_at_end"] = _python_error_dialogs()
    result["steps"].append("reload")
    _finish()


def _start():
    timer = QTimer()
    timer.setInterval(500)
    timer.timeout.connect(_guarded(_wait_for_gui))
    _state["timer"] = timer
    timer.start()


_start()
