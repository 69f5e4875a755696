"""The plugin object QGIS talks to: life cycle (initProcessing, initGui, unload), menu, toolbar, workbench."""

from __future__ import annotations

import functools
from typing import Any, Callable, Optional

from qgis.core import Qgis, QgsApplication
from qgis.PyQt.QtCore import QCoreApplication, Qt
from qgis.PyQt.QtGui import QIcon
from qgis.PyQt.QtWidgets import QAction, QDockWidget, QMenu, QToolBar

from . import deps, i18n_setup
from .adapters.log import install_handler, log, remove_handler
from .adapters.signals import disconnect_all
from .core.i18n import tr
from .gui.errors import guarded, push_message, report_exception
from .paths import icon_path

MENU_OBJECT_NAME = "LandConsolidationMenu"
TOOLBAR_OBJECT_NAME = "LandConsolidationToolbar"
WORKBENCH_ACTION = "LandConsolidationWorkbenchAction"
#: (key, action objectName, HandOver slot) of the export entries of the menu
EXPORT_ACTIONS = (
    ("export_plan", "LandConsolidationExportPlanAction", "export_plan_clicked"),
    ("export_report", "LandConsolidationExportReportAction", "export_report_clicked"),
    ("export_maps", "LandConsolidationExportMapsAction", "export_maps_clicked"),
)


def _panel_specs() -> list[dict[str, Any]]:
    """The workbench's panels (its tabs, in order): key, action objectName, icon, module/class.

    Built at call time so that the titles are translated with the translator of the moment.
    An ``optional`` panel whose module is not there is left out without a message.
    """
    return [
        {
            "key": "units",
            "action": "LandConsolidationUnitsAction",
            "text": tr("Remediation units"),
            "tip": tr("Show the remediation units (整治单元) panel of the workbench"),
            "icon": "units.svg",
            "module": "units_dock",
            "cls": "UnitsPanel",
        },
        {
            "key": "tagging",
            "action": "LandConsolidationTaggingAction",
            "text": tr("Parcel tagging"),
            "tip": tr("Show the parcel tagging (图斑标注) panel of the workbench"),
            "icon": "tagging.svg",
            "module": "tagging_dock",
            "cls": "TaggingPanel",
        },
        {
            "key": "balance",
            "action": "LandConsolidationBalanceAction",
            "text": tr("Area balance"),
            "tip": tr("Show the area balance (面积平衡) panel of the workbench"),
            "icon": "balance.svg",
            "module": "balance_dock",
            "cls": "BalancePanel",
        },
        {  # the data checks (数据检查): a panel of its own module; left out while it does not exist
            "key": "checks",
            "action": "LandConsolidationChecksAction",
            "text": tr("Data checks"),
            "tip": tr("Show the data checks (数据检查) panel of the workbench"),
            "icon": "checks.svg",
            "module": "checks_panel",
            "cls": "ChecksPanel",
            "optional": True,
        },
        {  # suggestions (达标建议, docs/suggestions.md)
            "key": "suggest",
            "action": "LandConsolidationSuggestAction",
            "text": tr("Suggestions"),
            "tip": tr("Show the suggestions (达标建议) panel of the workbench"),
            "icon": "suggest.svg",
            "module": "suggest_panel",
            "cls": "SuggestPanel",
        },
        {  # the project's life cycle (进度): unit status, acceptance, progress chart and report
            "key": "progress",
            "action": "LandConsolidationProgressAction",
            "text": tr("Project progress"),
            "tip": tr("Show the project progress (项目进度) panel of the workbench: unit status, acceptance, report"),
            "icon": "progress.svg",
            "module": "lifecycle_panel",
            "cls": "LifecyclePanel",
        },
    ]


class LandConsolidationPlugin:
    """Created by ``classFactory(iface)``; ``iface`` is None under qgis_process.

    Nothing here touches ``iface`` before ``initGui``: qgis_process calls only
    ``classFactory(None)`` and ``initProcessing()``.
    """

    def __init__(self, iface: Any):
        self.iface = iface
        self.provider = None
        self.menu: Optional[QMenu] = None
        self.toolbar: Optional[QToolBar] = None
        self.actions: dict[str, QAction] = {}
        self.panels: dict[str, Any] = {}  # the workbench's tabs by key (units, tagging, balance…)
        self.workbench: Any = None  # gui.workbench.WorkbenchDock
        self.handover: Any = None  # gui.handover.HandOver (exports)
        self.session: Any = None  # gui.session.PlanningSession, created in initGui
        self._shown_for: tuple = ()  # the set-up the workbench was last shown for
        self._sized = False
        self.dependency_problems: list[deps.Problem] = []
        self._connections: list[tuple[Any, Callable]] = []
        install_handler()  # the core's log records to the message log, until unload
        try:
            self.locale = i18n_setup.setup_for_qgis()
        except Exception as error:  # English is better than no plugin
            self.locale = "en_US"
            report_exception(None, "Loading the translation", error)

    # ------------------------------------------------------------------ Processing
    def initProcessing(self) -> None:
        """Register the Processing provider (idempotent; also called from ``initGui``)."""
        if self.provider is not None:
            return
        problems = deps.check_installed()
        if problems:
            self.dependency_problems = problems
            log(deps.problems_message(problems), Qgis.Warning)
            return
        try:
            from .processing.provider import LandConsolidationProvider

            provider = LandConsolidationProvider()
            if QgsApplication.processingRegistry().addProvider(provider):
                self.provider = provider
            else:
                log(tr("The Processing provider could not be registered."), Qgis.Warning)
        except Exception as error:
            report_exception(self.iface, tr("Registering the Processing provider"), error)

    # ------------------------------------------------------------------ GUI
    def initGui(self) -> None:
        """Menu, toolbar, docks and provider. Never raises: problems go to the message bar."""
        try:
            self._init_gui()
        except Exception as error:  # no traceback at QGIS start-up, ever
            report_exception(self.iface, tr("Starting Land Consolidation"), error)

    def _init_gui(self) -> None:
        self.dependency_problems = deps.check_installed()
        if self.dependency_problems:
            push_message(self.iface, deps.problems_message(self.dependency_problems), Qgis.Warning, 0)
        else:
            self.initProcessing()

        main_window = self.iface.mainWindow()
        if not self.dependency_problems:
            self._create_session()
        self.menu = QMenu(tr("Land Consolidation"), main_window)
        self.menu.setObjectName(MENU_OBJECT_NAME)
        self.toolbar = QToolBar(tr("Land Consolidation"), main_window)
        self.toolbar.setObjectName(TOOLBAR_OBJECT_NAME)
        self.iface.addToolBar(self.toolbar)

        specs = []
        for spec in _panel_specs():
            panel = self._create_panel(spec)
            if panel is not None:
                self.panels[spec["key"]] = panel
            if panel is not None or not spec.get("optional"):
                specs.append(spec)
        self._create_workbench(specs)

        toggle = QAction(QIcon(icon_path("icon.svg")), tr("Land consolidation workbench"), main_window)
        toggle.setObjectName(WORKBENCH_ACTION)
        toggle.setToolTip(tr("Show or hide the land consolidation workbench"))
        toggle.setStatusTip(toggle.toolTip())
        self.actions["workbench"] = toggle
        self.menu.addAction(toggle)
        self.toolbar.addAction(toggle)
        if self.workbench is not None:
            toggle.setCheckable(True)
            toggle.setChecked(self.workbench.isVisible())
            self._connect(toggle.toggled, self._set_workbench_visible)
            self._connect(self.workbench.visibilityChanged, self._sync_action)
        else:
            self._connect(toggle.triggered, self._explain_missing_dock)

        for spec in specs:  # one entry per tab: opens the workbench on it
            action = QAction(QIcon(icon_path(spec["icon"])), spec["text"], main_window)
            action.setObjectName(spec["action"])
            action.setToolTip(spec["tip"])
            action.setStatusTip(spec["tip"])
            self.actions[spec["key"]] = action
            self.menu.addAction(action)
            if spec["key"] in self.panels and self.workbench is not None:
                self._connect(action.triggered, functools.partial(self.show_panel, spec["key"]))
            else:
                self._connect(action.triggered, self._explain_missing_dock)

        self.menu.addSeparator()
        setup = QAction(tr("Project set-up…"), main_window)
        setup.setObjectName("LandConsolidationSetupAction")
        self.actions["setup"] = setup
        self.menu.addAction(setup)
        self._connect(setup.triggered, self._open_setup)
        self.menu.addSeparator()
        texts = {"export_plan": tr("Export plan GeoPackage…"), "export_report": tr("Plan report (XLSX)…"),
                 "export_maps": tr("Unit maps (PDF)…")}
        for key, name, slot in EXPORT_ACTIONS:
            action = QAction(texts[key], main_window)
            action.setObjectName(name)
            self.actions[key] = action
            self.menu.addAction(action)
            if self.handover is not None:
                self._connect(action.triggered, getattr(self.handover, slot))
            else:
                self._connect(action.triggered, self._explain_missing_dock)

        if self.session is not None:
            self._connect(self.session.configChanged, self._config_changed)
        self._insert_menu(main_window)

    def _insert_menu(self, main_window: Any) -> None:
        """Own top-level menu, placed before Help (or last when there is no Help menu)."""
        menu_bar = main_window.menuBar()
        before = None
        help_menu = getattr(self.iface, "helpMenu", None)
        if callable(help_menu):
            try:
                before = help_menu().menuAction()
            except Exception:
                before = None
        if before is not None and before in menu_bar.actions():
            menu_bar.insertMenu(before, self.menu)
        else:
            menu_bar.addMenu(self.menu)

    def _create_session(self) -> None:
        """The planning session shared by the three docks (configuration + live balance)."""
        try:
            from .gui.session import PlanningSession

            self.session = PlanningSession(self.iface)
        except Exception as error:
            self.session = None
            report_exception(self.iface, tr("Starting the planning session"), error)

    def _create_panel(self, spec: dict[str, Any]) -> Any:
        """Import and build one panel; a failure is reported and leaves that panel out."""
        if self.session is None:
            return None
        try:
            import importlib
            import importlib.util

            name = f"{__package__}.gui.{spec['module']}"
            if spec.get("optional") and importlib.util.find_spec(name) is None:
                return None
            module = importlib.import_module(name)
            return getattr(module, spec["cls"])(self.iface, self.session, self.iface.mainWindow())
        except Exception as error:
            report_exception(self.iface, tr("Creating the {name} panel").format(name=spec["text"]), error)
            return None

    def _create_workbench(self, specs: list[dict[str, Any]]) -> None:
        """The dock hosting the panels as tabs, on the right, hidden until a project is set up."""
        if self.session is None or not self.panels:
            return
        try:
            from .gui.handover import HandOver
            from .gui.workbench import WorkbenchDock

            main_window = self.iface.mainWindow()
            self.handover = HandOver(self.iface, self.session, main_window)
            panels = [(spec["key"], self.panels[spec["key"]]) for spec in specs if spec["key"] in self.panels]
            dock = WorkbenchDock(self.iface, self.session, panels, self.handover, main_window)
            self.iface.addDockWidget(Qt.RightDockWidgetArea, dock)
            dock.hide()
        except Exception as error:
            report_exception(self.iface, tr("Creating the workbench"), error)
            return
        self.workbench = dock

    def _connect(self, signal: Any, slot: Callable) -> None:
        signal.connect(slot)
        self._connections.append((signal, slot))

    # ------------------------------------------------------------------ slots
    def show_workbench(self) -> None:
        """Show the workbench, raised over docks it shares the right side with, at a usable width."""
        dock = self.workbench
        if dock is None:
            return
        main_window = self.iface.mainWindow()
        if not self._sized and main_window.dockWidgetArea(dock) == Qt.RightDockWidgetArea:
            # share the right side by tabs, not by height: the balance needs the height
            others = [d for d in main_window.findChildren(QDockWidget)
                      if d is not dock and d.isVisible() and not d.isFloating()
                      and main_window.dockWidgetArea(d) == Qt.RightDockWidgetArea]
            if others:
                main_window.tabifyDockWidget(others[0], dock)
        dock.show()
        dock.raise_()
        self._sync_action(True)
        if not self._sized:
            self._sized = True
            screen = main_window.screen().availableGeometry() if hasattr(main_window, "screen") else None
            width = 400 if screen is None else max(340, min(460, int(screen.width() * 0.26)))
            main_window.resizeDocks([dock], [width], Qt.Horizontal)

    @guarded("Showing a panel")
    def show_panel(self, key: str, *_args: Any) -> None:
        if self.workbench is None:
            return
        self.show_workbench()
        self.workbench.show_panel(key)

    @guarded("Showing a panel")
    def _set_workbench_visible(self, visible: bool) -> None:
        if self.workbench is None:
            return
        if visible:
            self.show_workbench()
        else:
            self.workbench.hide()
            self._sync_action(False)

    @guarded("Updating the panel buttons")
    def _sync_action(self, visible: bool) -> None:
        action = self.actions.get("workbench")
        if action is not None and action.isChecked() != bool(visible):
            action.blockSignals(True)
            action.setChecked(bool(visible))
            action.blockSignals(False)

    @guarded("Showing a panel")
    def _config_changed(self, *_args: Any) -> None:
        """A set-up project (opened or just configured) shows the workbench, once per set-up."""
        session = self.session
        if session is None or not session.configured:
            self._shown_for = ()
            return
        key = (session.project.fileName(), session.config.parcels, session.config.units)
        if key != self._shown_for:
            self._shown_for = key
            self.show_workbench()

    @guarded("Opening the project set-up")
    def _open_setup(self, *_args: Any) -> None:
        if self.session is None:
            self._explain_missing_dock()
            return
        from .gui.setup_dialog import run_setup

        run_setup(self.session, self.iface, self.iface.mainWindow())

    @guarded("Showing a panel")
    def _explain_missing_dock(self, *_args: Any) -> None:
        if self.dependency_problems:
            push_message(self.iface, deps.problems_message(self.dependency_problems), Qgis.Warning, 0)
        else:
            push_message(
                self.iface,
                tr("This panel could not be created; see the log panel (tab LandConsolidation)."),
                Qgis.Warning,
                10,
            )

    # ------------------------------------------------------------------ unload
    def unload(self) -> None:
        """Remove everything ``initGui``/``initProcessing`` added; each step is independent."""
        steps = [
            self._disconnect_all,
            self._remove_docks,
            self._remove_session,
            self._remove_actions,
            self._remove_menu,
            self._remove_toolbar,
            self._remove_provider,
            i18n_setup.teardown,
            remove_handler,
        ]
        for step in steps:
            try:
                step()
            except Exception as error:  # finish unloading whatever happens
                report_exception(None, "Unloading Land Consolidation", error)

    def _disconnect_all(self) -> None:
        connections, self._connections = self._connections, []
        disconnect_all(reversed(connections))

    def _remove_docks(self) -> None:
        dock, self.workbench = self.workbench, None
        if dock is not None:
            dock.unload()  # and its panels
            dock.hide()
            remove = getattr(self.iface, "removeDockWidget", None)
            if callable(remove):
                remove(dock)
            dock.deleteLater()
        else:
            for panel in self.panels.values():
                panel.unload()
                panel.deleteLater()
        self.panels.clear()
        if self.handover is not None:
            self.handover.deleteLater()
            self.handover = None

    def _remove_session(self) -> None:
        if self.session is None:
            return
        session, self.session = self.session, None
        session.unload()
        session.deleteLater()

    def _remove_actions(self) -> None:
        for action in self.actions.values():
            if self.toolbar is not None:
                self.toolbar.removeAction(action)
            if self.menu is not None:
                self.menu.removeAction(action)
            action.deleteLater()
        self.actions.clear()

    def _remove_menu(self) -> None:
        if self.menu is None:
            return
        if self.iface is not None:
            self.iface.mainWindow().menuBar().removeAction(self.menu.menuAction())
        self.menu.deleteLater()
        self.menu = None

    def _remove_toolbar(self) -> None:
        if self.toolbar is None:
            return
        if self.iface is not None:
            self.iface.mainWindow().removeToolBar(self.toolbar)
        self.toolbar.deleteLater()
        self.toolbar = None

    def _remove_provider(self) -> None:
        if self.provider is None:
            return
        registry = QgsApplication.processingRegistry()
        if registry.providerById(self.provider.id()) is not None:
            registry.removeProvider(self.provider)
        self.provider = None


def flush_deferred_deletes() -> None:
    """Run pending ``deleteLater`` now (tests use it to check that unload left nothing)."""
    from qgis.PyQt.QtCore import QEvent

    QCoreApplication.sendPostedEvents(None, QEvent.DeferredDelete)
