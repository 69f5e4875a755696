"""The plugin object QGIS talks to: life cycle (initProcessing, initGui, unload), menu, toolbar, docks."""

from __future__ import annotations

import functools
from typing import Any, Callable, Optional

from qgis.core import Qgis, QgsApplication
from qgis.PyQt.QtCore import QCoreApplication, Qt
from qgis.PyQt.QtGui import QIcon
from qgis.PyQt.QtWidgets import QAction, QMenu, QToolBar

from . import deps, i18n_setup
from .adapters.signals import disconnect_all
from .core.i18n import tr
from .gui.errors import guarded, log, push_message, report_exception
from .paths import icon_path

MENU_OBJECT_NAME = "LandConsolidationMenu"
TOOLBAR_OBJECT_NAME = "LandConsolidationToolbar"


def _dock_specs() -> list[dict[str, Any]]:
    """The three docks: key, action objectName, icon, module/class, default area.

    Built at call time so that the titles are translated with the translator of the moment.
    """
    return [
        {
            "key": "units",
            "action": "LandConsolidationUnitsAction",
            "text": tr("Remediation units"),
            "tip": tr("Show or hide the remediation units (整治单元) panel"),
            "icon": "units.svg",
            "module": "units_dock",
            "cls": "UnitsDock",
            "area": Qt.RightDockWidgetArea,
        },
        {
            "key": "tagging",
            "action": "LandConsolidationTaggingAction",
            "text": tr("Parcel tagging"),
            "tip": tr("Show or hide the parcel tagging (图斑标注) panel"),
            "icon": "tagging.svg",
            "module": "tagging_dock",
            "cls": "TaggingDock",
            "area": Qt.RightDockWidgetArea,
        },
        {
            "key": "balance",
            "action": "LandConsolidationBalanceAction",
            "text": tr("Area balance"),
            "tip": tr("Show or hide the area balance (面积平衡) panel"),
            "icon": "balance.svg",
            "module": "balance_dock",
            "cls": "BalanceDock",
            "area": Qt.RightDockWidgetArea,
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
        self.docks: dict[str, Any] = {}
        self.session: Any = None  # gui.session.PlanningSession, created in initGui
        self.dependency_problems: list[deps.Problem] = []
        self._connections: list[tuple[Any, Callable]] = []
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

        for spec in _dock_specs():
            action = QAction(QIcon(icon_path(spec["icon"])), spec["text"], main_window)
            action.setObjectName(spec["action"])
            action.setToolTip(spec["tip"])
            action.setStatusTip(spec["tip"])
            self.actions[spec["key"]] = action
            self.menu.addAction(action)
            self.toolbar.addAction(action)
            dock = None if self.dependency_problems else self._create_dock(spec)
            if dock is None:
                self._connect(action.triggered, functools.partial(self._explain_missing_dock, spec["key"]))
                continue
            action.setCheckable(True)
            action.setChecked(dock.isVisible())
            self._connect(action.toggled, functools.partial(self._set_dock_visible, spec["key"]))
            self._connect(dock.visibilityChanged, functools.partial(self._sync_action, spec["key"]))

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

    def _create_dock(self, spec: dict[str, Any]) -> Any:
        """Import and build one dock; a failure is reported and leaves that dock out."""
        if self.session is None:
            return None
        try:
            import importlib

            module = importlib.import_module(f".gui.{spec['module']}", __package__)
            dock = getattr(module, spec["cls"])(self.iface, self.session, self.iface.mainWindow())
            self.iface.addDockWidget(spec["area"], dock)
            dock.hide()
        except Exception as error:
            report_exception(self.iface, tr("Creating the {name} panel").format(name=spec["text"]), error)
            return None
        self.docks[spec["key"]] = dock
        return dock

    def _connect(self, signal: Any, slot: Callable) -> None:
        signal.connect(slot)
        self._connections.append((signal, slot))

    # ------------------------------------------------------------------ slots
    @guarded("Showing a panel")
    def _set_dock_visible(self, key: str, visible: bool) -> None:
        dock = self.docks.get(key)
        if dock is None:
            return
        dock.setVisible(bool(visible))
        if visible:
            dock.raise_()

    @guarded("Updating the panel buttons")
    def _sync_action(self, key: str, visible: bool) -> None:
        action = self.actions.get(key)
        if action is not None and action.isChecked() != bool(visible):
            action.blockSignals(True)
            action.setChecked(bool(visible))
            action.blockSignals(False)

    @guarded("Showing a panel")
    def _explain_missing_dock(self, key: str, *_args: Any) -> None:
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
        remove = getattr(self.iface, "removeDockWidget", None)
        for dock in self.docks.values():
            cleanup = getattr(dock, "unload", None)
            if callable(cleanup):
                cleanup()
            dock.hide()
            if callable(remove):
                remove(dock)
            dock.deleteLater()
        self.docks.clear()

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
