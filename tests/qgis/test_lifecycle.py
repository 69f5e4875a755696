"""Plugin life cycle in headless QGIS: classFactory -> initGui -> unload leaves nothing behind."""

from __future__ import annotations

from qgis.core import Qgis, QgsApplication, QgsProcessingAlgorithm
from qgis.PyQt.QtCore import QCoreApplication, QEvent
from qgis.PyQt.QtWidgets import QAction, QDockWidget, QMenu, QToolBar

WORKBENCH = "LandConsolidationWorkbenchDock"
PANELS = {
    "units": "LandConsolidationUnitsPanel",
    "tagging": "LandConsolidationTaggingPanel",
    "balance": "LandConsolidationBalancePanel",
    "checks": "LandConsolidationChecksPanel",
    "suggest": "LandConsolidationSuggestPanel",
    "progress": "LandConsolidationProgressPanel",
}
ACTIONS = ["LandConsolidationWorkbenchAction", "LandConsolidationUnitsAction", "LandConsolidationTaggingAction",
           "LandConsolidationBalanceAction", "LandConsolidationChecksAction", "LandConsolidationSuggestAction",
           "LandConsolidationProgressAction",
           "LandConsolidationSetupAction",
           "LandConsolidationExportPlanAction", "LandConsolidationExportReportAction",
           "LandConsolidationExportMapsAction"]
PROVIDER_ID = "landconsolidation"


def flush():
    """Let deleteLater() happen now."""
    QCoreApplication.sendPostedEvents(None, QEvent.DeferredDelete)
    QCoreApplication.processEvents()


def ours(main_window) -> dict[str, list]:
    """Every object of the plugin still reachable from the main window."""
    found = {
        "docks": [
            d for d in main_window.findChildren(QDockWidget) if d.objectName().startswith("LandConsolidation")
        ],
        "actions": [a for a in main_window.findChildren(QAction) if a.objectName() in ACTIONS],
        "toolbars": [
            t for t in main_window.findChildren(QToolBar) if t.objectName() == "LandConsolidationToolbar"
        ],
        "menus": [m for m in main_window.findChildren(QMenu) if m.objectName() == "LandConsolidationMenu"],
        "menubar": [
            a
            for a in main_window.menuBar().actions()
            if a.menu() and a.menu().objectName() == "LandConsolidationMenu"
        ],
    }
    return found


def provider_registered() -> bool:
    return QgsApplication.processingRegistry().providerById(PROVIDER_ID) is not None


def critical_messages(iface) -> list[str]:
    return list(iface.messageBar().get_messages(Qgis.Critical))


def test_init_gui_creates_actions_docks_and_provider(plugin_package, qgis_iface, message_bar, clean_locale):
    plugin = plugin_package.classFactory(qgis_iface)
    plugin.initGui()
    try:
        main_window = qgis_iface.mainWindow()
        found = ours(main_window)
        assert [d.objectName() for d in found["docks"]] == [WORKBENCH]  # one dock, the panels are its tabs
        assert sorted(a.objectName() for a in found["actions"]) == sorted(ACTIONS)
        assert len(found["toolbars"]) == 1 and len(found["menus"]) == 1 and len(found["menubar"]) == 1
        assert [a.objectName() for a in found["toolbars"][0].actions()] == ["LandConsolidationWorkbenchAction"]
        menu_names = [a.objectName() for a in found["menus"][0].actions() if a.objectName()]
        assert menu_names == ACTIONS  # the hand-over entries are in the plugin's menu
        assert provider_registered()
        assert set(plugin.panels) == set(PANELS)
        workbench = plugin.workbench
        for key, name in PANELS.items():
            assert plugin.panels[key].objectName() == name
            assert plugin.panels[key].windowTitle()  # translated title, never empty
            assert workbench.tabs.indexOf(plugin.panels[key]) >= 0
        assert [workbench.tabs.tabText(i) for i in range(workbench.tabs.count())] == [
            "Units", "Tagging", "Balances", "Checks", "Suggest", "Progress"]
        assert critical_messages(qgis_iface) == []
        assert message_bar.get_messages(Qgis.Warning) == []

        # The workbench action toggles the dock; a panel's action opens the dock on its tab.
        toggle = plugin.actions["workbench"]
        assert toggle.isCheckable() and workbench.isHidden()
        toggle.trigger()
        assert not workbench.isHidden() and toggle.isChecked()
        toggle.trigger()
        assert workbench.isHidden() and not toggle.isChecked()
        plugin.actions["balance"].trigger()
        assert not workbench.isHidden() and toggle.isChecked()
        assert workbench.current_panel() == "balance"
        plugin.actions["units"].trigger()
        assert workbench.current_panel() == "units"
    finally:
        plugin.unload()
        flush()


def test_unload_leaves_nothing_behind(plugin_package, qgis_iface, message_bar, clean_locale):
    main_window = qgis_iface.mainWindow()
    before_menubar = [a.text() for a in main_window.menuBar().actions()]
    plugin = plugin_package.classFactory(qgis_iface)
    plugin.initGui()
    plugin.actions["units"].trigger()  # a visible dock must go too
    assert not plugin.workbench.isHidden()
    plugin.unload()
    flush()

    assert all(not objects for objects in ours(main_window).values()), ours(main_window)
    assert [a.text() for a in main_window.menuBar().actions()] == before_menubar
    assert not provider_registered()
    assert plugin._connections == []
    assert plugin.panels == {} and plugin.actions == {} and plugin.workbench is None
    assert critical_messages(qgis_iface) == []


def test_load_twice_in_a_row(plugin_package, qgis_iface, message_bar, clean_locale):
    main_window = qgis_iface.mainWindow()
    for _ in range(2):
        plugin = plugin_package.classFactory(qgis_iface)
        plugin.initGui()
        found = ours(main_window)
        assert len(found["docks"]) == 1 and len(found["actions"]) == len(ACTIONS)
        assert len(found["toolbars"]) == 1 and len(found["menubar"]) == 1
        assert provider_registered()
        plugin.unload()
        flush()
        assert all(not objects for objects in ours(main_window).values())
        assert not provider_registered()
    assert critical_messages(qgis_iface) == []


def test_init_processing_without_iface(plugin_package, clean_locale):
    """What qgis_process does: classFactory(None), then initProcessing() only."""
    plugin = plugin_package.classFactory(None)
    plugin.initProcessing()
    plugin.initProcessing()  # idempotent
    try:
        provider = QgsApplication.processingRegistry().providerById(PROVIDER_ID)
        assert provider is not None
        assert provider.name() == "Land consolidation"
        assert not provider.icon().isNull()
    finally:
        plugin.unload()
    assert not provider_registered()


class _EchoAlgorithm(QgsProcessingAlgorithm):
    def name(self):
        return "echo"

    def displayName(self):
        return "Echo"

    def createInstance(self):
        return _EchoAlgorithm()

    def initAlgorithm(self, config=None):
        pass

    def processAlgorithm(self, parameters, context, feedback):
        return {}


def _broken_factory():
    raise RuntimeError("this algorithm is broken")


def test_provider_loads_algorithms_from_list(plugin_package, monkeypatch, clean_locale):
    import importlib

    algorithms = importlib.import_module(plugin_package.__name__ + ".plugin.processing.algorithms")
    monkeypatch.setattr(algorithms, "ALGORITHMS", [_EchoAlgorithm, _broken_factory])
    plugin = plugin_package.classFactory(None)
    plugin.initProcessing()
    try:
        registry = QgsApplication.processingRegistry()
        assert registry.algorithmById(f"{PROVIDER_ID}:echo") is not None
        assert [a.id() for a in plugin.provider.algorithms()] == [f"{PROVIDER_ID}:echo"]
    finally:
        plugin.unload()


def test_missing_dependencies_still_load_and_explain(
    plugin_package, qgis_iface, message_bar, monkeypatch, clean_locale
):
    import importlib

    deps = importlib.import_module(plugin_package.__name__ + ".plugin.deps")
    monkeypatch.setattr(
        deps, "installed_versions", lambda packages=None: {"shapely": "1.8.5", "pandas": None}
    )
    plugin = plugin_package.classFactory(qgis_iface)
    plugin.initGui()  # must not raise
    try:
        warnings = message_bar.get_messages(Qgis.Warning)
        assert len(warnings) == 1
        assert "shapely 1.8.5 is too old" in warnings[0] and "pandas is not installed" in warnings[0]
        assert deps.fix_command() in warnings[0]  # this platform's command (apt on Debian 13, pip on 12)
        assert '"shapely>=2"' in warnings[0] or "apt install python3-shapely python3-pandas" in warnings[0]
        assert plugin.panels == {} and plugin.workbench is None and not provider_registered()
        assert len(plugin.actions) == len(ACTIONS) - 1  # the optional data checks panel needs a session
        assert not ours(qgis_iface.mainWindow())["docks"]
        plugin.actions["balance"].trigger()  # explains again instead of doing nothing
        assert len(message_bar.get_messages(Qgis.Warning)) == 2
        plugin.actions["export_plan"].trigger()  # so do the hand-over entries
        assert len(message_bar.get_messages(Qgis.Warning)) == 3
        assert critical_messages(qgis_iface) == []
    finally:
        plugin.unload()
        flush()
    assert all(not objects for objects in ours(qgis_iface.mainWindow()).values())


def test_failing_dock_is_reported_not_raised(
    plugin_package, qgis_iface, message_bar, monkeypatch, clean_locale
):
    import importlib

    tagging = importlib.import_module(plugin_package.__name__ + ".plugin.gui.tagging_dock")

    def explode(*_args, **_kwargs):
        raise ValueError("boom")

    monkeypatch.setattr(tagging, "TaggingPanel", explode)
    plugin = plugin_package.classFactory(qgis_iface)
    plugin.initGui()
    try:
        assert set(plugin.panels) == {"units", "balance", "checks", "suggest", "progress"}
        tabs = plugin.workbench.tabs
        assert [tabs.widget(i) for i in range(tabs.count())] == [plugin.panels["units"], plugin.panels["balance"],
                                                                 plugin.panels["checks"], plugin.panels["suggest"],
                                                                 plugin.panels["progress"]]
        critical = critical_messages(qgis_iface)
        assert len(critical) == 1 and "boom" in critical[0]
    finally:
        plugin.unload()
        flush()
    assert all(not objects for objects in ours(qgis_iface.mainWindow()).values())


def test_guarded_slot_logs_and_shows_instead_of_raising(plugin_package, qgis_iface, message_bar):
    import importlib

    from qgis.core import QgsApplication as App

    errors = importlib.import_module(plugin_package.__name__ + ".plugin.gui.errors")
    logged = []

    def on_message(message, tag, level):
        logged.append((tag, message))

    App.messageLog().messageReceived.connect(on_message)

    class Widget:
        iface = qgis_iface

        @errors.guarded("Recomputing the balance")
        def slot(self, value):
            raise ZeroDivisionError(f"division by {value}")

    try:
        assert Widget().slot(0) is None
    finally:
        App.messageLog().messageReceived.disconnect(on_message)
    critical = critical_messages(qgis_iface)
    assert len(critical) == 1
    assert "Recomputing the balance failed: division by 0" in critical[0]
    assert any(tag == "LandConsolidation" and "ZeroDivisionError" in text for tag, text in logged)
