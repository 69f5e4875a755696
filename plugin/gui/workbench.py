"""The workbench: one dock with the planning panels as tabs and the unit's verdict always in view.

Why one dock: three docks stacked on the right made QGIS's minimum window height larger than
a 1 080 px screen, so the balance ended below the screen edge. One dock needs the height of
its tallest panel only, and the verdict strip above the tabs keeps the answer a planner looks
for — does the selected unit meet the rules? — visible whichever tab is open.

Panels are plain widgets (:class:`.dock_base.PlanningPanel`); the workbench takes them as a
list, so another panel (data checks) is one more entry.
"""
from __future__ import annotations

from typing import Any, Optional

from qgis.gui import QgsDockWidget
from qgis.PyQt.QtCore import Qt, QTimer
from qgis.PyQt.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QMenu,
    QPushButton,
    QSizePolicy,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from ..adapters.signals import connect_all, disconnect_all
from ..core.i18n import tr
from ..core.verdicts import rule_state, verdict_text
from .balance_dock import requirement_text, rule_value_text, unit_title
from .common import chinese
from .errors import guarded
from .verdict import COLOURS, unit_verdict

KEY_INDICATORS = 3  # indicators named in the strip; all of them in its tooltip


class VerdictStrip(QFrame):
    """Unit code and name, its verdict badge and its key indicators (project when none is selected)."""

    def __init__(self, session: Any, parent: Optional[QWidget] = None):
        super().__init__(parent)
        self.session = session
        self.setObjectName("verdictStrip")
        self.setFrameShape(QFrame.StyledPanel)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 3, 6, 3)
        layout.setSpacing(1)
        top = QHBoxLayout()
        top.setSpacing(6)
        self.title_label = QLabel(self)
        self.title_label.setObjectName("verdictTitle")
        font = self.title_label.font()
        font.setBold(True)
        self.title_label.setFont(font)
        self.title_label.setSizePolicy(QSizePolicy.Ignored, QSizePolicy.Preferred)  # a long name never widens
        self.badge = QLabel(self)
        self.badge.setObjectName("verdictBadge")
        self.badge.setAlignment(Qt.AlignCenter)
        self.badge.setMinimumWidth(48)
        top.addWidget(self.title_label, 1)
        top.addWidget(self.badge)
        layout.addLayout(top)
        self.indicators_label = QLabel(self)
        self.indicators_label.setObjectName("verdictIndicators")
        self.indicators_label.setWordWrap(True)
        self.indicators_label.setTextFormat(Qt.RichText)
        layout.addWidget(self.indicators_label)
        self.state = ""
        self.refresh()

    @guarded("Updating the verdict")
    def refresh(self, *_args) -> None:
        session = self.session
        engine = session.engine
        uid = session.current_unit
        if engine is not None and uid is not None and not engine.has_unit(uid):
            uid = None
        self.title_label.setText(tr("Whole project") if uid is None else unit_title(session, uid))
        self.title_label.setToolTip(self.title_label.text())
        if not session.configured:
            self.title_label.setText(tr("Not set up"))
        verdict = unit_verdict(engine, uid)
        self.state = verdict.state
        self.badge.setText(verdict.text)
        self.badge.setToolTip(verdict.tip)
        self.badge.setStyleSheet(f"background-color: {verdict.colour.name()}; border-radius: 3px; padding: 1px 6px;")
        self.indicators_label.setText(self._indicators(engine, uid, verdict.state))
        self.setToolTip(self._all_indicators(engine, uid))

    def _results(self, engine: Any, uid: Any) -> list:
        if engine is None or (uid is not None and not engine.has_unit(uid)):
            return []
        return engine.evaluate(uid)

    def _indicators(self, engine: Any, uid: Any, state: str) -> str:
        results = [r for r in self._results(engine, uid) if r.value is not None]
        if not results:
            return ""
        # failed rules first, binding before advisory, then the pack's order
        order = {"not_met": 0, "alert": 1}
        results.sort(key=lambda r: order.get(rule_state(r.passed, r.severity, r.reason), 2))
        zh = chinese()
        parts = []
        for r in results[:KEY_INDICATORS]:
            rule = engine.pack.rule(r.rule_id)
            colour = COLOURS[rule_state(r.passed, r.severity, r.reason)].darker(170).name()
            mark = "✓" if r.passed else ("?" if r.reason else "✗")  # ?: not assessable
            value = rule_value_text(rule, r.value, "mu")
            parts.append(f"{rule.name(zh)} <span style='color:{colour}'><b>{value} {mark}</b></span>")
        return " · ".join(parts)

    def _all_indicators(self, engine: Any, uid: Any) -> str:
        zh = chinese()
        lines = []
        for r in self._results(engine, uid):
            rule = engine.pack.rule(r.rule_id)
            value = rule_value_text(rule, r.value, "mu")
            lines.append(f"{rule.name(zh)}: {value} ({requirement_text(rule, 'mu')}) — "
                         f"{verdict_text(rule_state(r.passed, r.severity, r.reason))}")
        return "\n".join(lines)


class WorkbenchDock(QgsDockWidget):
    """The plugin's dock: verdict strip, set-up and export buttons, and the panels as tabs."""

    OBJECT_NAME = "LandConsolidationWorkbenchDock"

    def __init__(self, iface: Any, session: Any, panels: list, handover: Any = None,
                 parent: Optional[QWidget] = None):
        super().__init__(parent)
        self.iface = iface
        self.session = session
        self.handover = handover
        self.setObjectName(self.OBJECT_NAME)
        self.setWindowTitle(tr("Land consolidation workbench"))
        self.panels: dict[str, QWidget] = {}
        root = QWidget(self)
        root.setObjectName(self.OBJECT_NAME + "Contents")
        layout = QVBoxLayout(root)
        layout.setContentsMargins(2, 2, 2, 2)
        layout.setSpacing(3)

        self.strip = VerdictStrip(session, root)
        layout.addWidget(self.strip)

        row = QHBoxLayout()
        row.setSpacing(4)
        self.status_label = QLabel(root)
        self.status_label.setObjectName("workbenchStatus")
        # a long pack name must not widen the dock: the label gives way (full text in its tooltip)
        self.status_label.setSizePolicy(QSizePolicy.Ignored, QSizePolicy.Preferred)
        row.addWidget(self.status_label, 1)
        self.setup_button = QPushButton(tr("Set-up…"), root)
        self.setup_button.setObjectName("setupButton")
        self.setup_button.setToolTip(tr("Project set-up: layers, fields and rule pack"))
        self.setup_button.clicked.connect(self.open_setup)
        row.addWidget(self.setup_button)
        self.export_button = QPushButton(tr("Export"), root)
        self.export_button.setObjectName("exportButton")
        self.export_button.setToolTip(tr("Hand the plan over: GeoPackage, XLSX report, unit maps"))
        self.export_menu = QMenu(self.export_button)
        if handover is not None:
            for text, slot, name in ((tr("Plan GeoPackage…"), handover.export_plan_clicked, "exportPlanAction"),
                                     (tr("Report (XLSX)…"), handover.export_report_clicked, "exportReportAction"),
                                     (tr("Unit maps (PDF)…"), handover.export_maps_clicked, "exportMapsAction")):
                action = self.export_menu.addAction(text)
                action.setObjectName(name)
                action.triggered.connect(slot)
        self.export_button.setMenu(self.export_menu)
        self.export_button.setEnabled(handover is not None)
        row.addWidget(self.export_button)
        layout.addLayout(row)

        self.tabs = QTabWidget(root)
        self.tabs.setObjectName("workbenchTabs")
        self.tabs.setDocumentMode(True)
        self.tabs.setUsesScrollButtons(True)
        layout.addWidget(self.tabs, 1)
        for key, panel in panels:
            self.add_panel(key, panel)
        self.setWidget(root)

        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(30)
        self._timer.timeout.connect(self.refresh)
        self._connections = connect_all((
            (session.updated, self._schedule),
            (session.currentUnitChanged, self._schedule),
            (session.configChanged, self._schedule),
            (session.rebuildFinished, self._schedule),
        ))
        self.refresh()

    # ------------------------------------------------------------------ panels
    def add_panel(self, key: str, panel: QWidget) -> None:
        """Host ``panel`` as a tab (its ``tab_title``; its full title as the tab's tooltip)."""
        if hasattr(panel, "set_hosted"):
            panel.set_hosted(True)
        index = self.tabs.addTab(panel, getattr(panel, "tab_title", "") or panel.windowTitle())
        self.tabs.setTabToolTip(index, panel.windowTitle())
        self.panels[key] = panel

    def show_panel(self, key: str) -> None:
        panel = self.panels.get(key)
        if panel is not None:
            self.tabs.setCurrentWidget(panel)

    def current_panel(self) -> Optional[str]:
        widget = self.tabs.currentWidget()
        return next((k for k, p in self.panels.items() if p is widget), None)

    # ------------------------------------------------------------------ state
    def _schedule(self, *_args) -> None:
        self._timer.start()

    @guarded("Updating the workbench")
    def refresh(self) -> None:
        self.strip.refresh()
        session = self.session
        if not session.configured:
            self.status_label.setText(tr("Not set up"))
            self.status_label.setToolTip(tr("Choose the parcel and units layers in the project set-up."))
        else:
            pack = session.pack
            self.status_label.setText(pack.name(chinese()) if pack is not None else "")
            tip = tr("Parcels: {0} · Units: {1}").format(session.parcels.name(), session.units.name())
            if pack is not None:
                tip += "\n" + tr("Rules: {0}").format(pack.name(chinese()))
            self.status_label.setToolTip(tip)

    @guarded("Opening the project set-up")
    def open_setup(self, *_args) -> None:
        from .setup_dialog import run_setup

        run_setup(self.session, self.iface, self)

    def unload(self) -> None:
        self._timer.stop()
        disconnect_all(self._connections)
        self._connections = []
        for panel in self.panels.values():
            cleanup = getattr(panel, "unload", None)
            if callable(cleanup):
                cleanup()


__all__ = ["VerdictStrip", "WorkbenchDock"]
