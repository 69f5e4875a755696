"""Panel of the project's life cycle (进度): unit status, acceptance check, progress chart and report.

A status change goes through the core's guard (``core.lifecycle``): refused with the reasons shown
in the panel and the message bar, or made as one edit command of the units layer (Ctrl+Z takes it
back); its history row is written when the units layer's edits are saved (``PendingHistory``).
The acceptance check compares an achieved layer (completed works, or a later survey) with the plan;
its rows feed the guard of 验收, the chart and the XLSX. docs/lifecycle.md.
"""
from __future__ import annotations

from typing import Optional

from qgis.core import Qgis, QgsProject
from qgis.gui import QgsFieldComboBox, QgsMapLayerComboBox
from qgis.PyQt.QtCore import Qt, QTimer
from qgis.PyQt.QtWidgets import (
    QComboBox,
    QFileDialog,
    QFrame,
    QGridLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QScrollArea,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ..adapters.crs import working_crs
from ..adapters.lifecycle_ops import PendingHistory, check_acceptance, project_progress, set_status
from ..adapters.lifecycle_store import HistoryStore
from ..adapters.progress_xlsx import write_progress_report
from ..adapters.qgis_compat import LAYER_FILTER_POLYGON
from ..adapters.signals import connect_all, disconnect_all
from ..core.areas import MU_M2
from ..core.errors import PlanError
from ..core.i18n import tr
from ..core.lifecycle import STATUSES, TransitionRefused, normalize_status, status_label
from .common import format_number
from .dock_base import PlanningPanel
from .errors import guarded, push_message
from .progress_chart import ProgressChart


class LifecyclePanel(PlanningPanel):
    """Unit status with its guard, the acceptance check and the progress of the project."""

    OBJECT_NAME = "LandConsolidationProgressPanel"

    def __init__(self, iface, session=None, parent=None):
        super().__init__(iface, session, parent, tr("Project progress"), tr("Progress"))
        self._pending: Optional[PendingHistory] = None
        self._layer_connections: list = []
        self.acceptance: Optional[list] = None  # rows of the last acceptance check, None before
        self.units_progress: list = []
        self.totals: list = []
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(200)
        self._timer.timeout.connect(self._timed_refresh)
        self._stale = False
        self._build_ui()
        s = self.session
        self.connect_signals((s.configChanged, self._config_changed), (s.updated, self._schedule),
                             (s.checksUpdated, self._schedule), (s.currentUnitChanged, self._follow_unit))
        self._config_changed()

    # ------------------------------------------------------------------ UI
    def _build_ui(self) -> None:
        outer, outer_layout = self._contents()
        # in a scroll area: the workbench must still fit a 1 366×768 screen (docs/architecture.md)
        scroll = QScrollArea(outer)
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.NoFrame)
        root = QWidget(scroll)
        layout = QVBoxLayout(root)
        layout.setContentsMargins(0, 0, 0, 0)
        scroll.setWidget(root)
        outer_layout.addWidget(scroll, 1)
        self.chart = ProgressChart(root)
        layout.addWidget(self.chart)
        self.report_button = QPushButton(tr("Progress report (XLSX)…"), root)
        self.report_button.clicked.connect(self._report_clicked)
        layout.addWidget(self.report_button)
        grid = QGridLayout()
        self.unit_combo = QComboBox(root)
        self.unit_combo.setObjectName("unitCombo")
        self.unit_combo.currentIndexChanged.connect(self._unit_changed)
        self.target_combo = QComboBox(root)
        self.target_combo.setObjectName("targetCombo")
        for s in STATUSES:
            self.target_combo.addItem(status_label(s), s)
        self.reason_edit = QLineEdit(root)
        self.reason_edit.setPlaceholderText(tr("Reason (needed to go back)"))
        self.change_button = QPushButton(tr("Change status"), root)
        self.change_button.clicked.connect(self._change_clicked)
        self.message = QLabel(root)
        self.message.setObjectName("lifecycleMessage")
        self.message.setWordWrap(True)
        grid.addWidget(QLabel(tr("Unit"), root), 0, 0)
        grid.addWidget(self.unit_combo, 0, 1)
        grid.addWidget(QLabel(tr("New status"), root), 1, 0)
        grid.addWidget(self.target_combo, 1, 1)
        grid.addWidget(self.reason_edit, 2, 0, 1, 2)
        grid.addWidget(self.change_button, 3, 0, 1, 2)
        layout.addLayout(grid)
        layout.addWidget(self.message)
        self._build_acceptance(root, layout)

    def _build_acceptance(self, root, layout) -> None:
        grid = QGridLayout()
        self.achieved_combo = QgsMapLayerComboBox(root)
        self.achieved_combo.setFilters(LAYER_FILTER_POLYGON)
        self.achieved_combo.setAllowEmptyLayer(True)
        self.achieved_combo.setToolTip(tr("Completed works, or a later survey (年度变更调查) of the same area"))
        self.class_combo = QgsFieldComboBox(root)
        self.achieved_combo.layerChanged.connect(self.class_combo.setLayer)
        self.accept_button = QPushButton(tr("Check acceptance"), root)
        self.accept_button.clicked.connect(self._accept_clicked)
        grid.addWidget(QLabel(tr("Achieved layer"), root), 0, 0)
        grid.addWidget(self.achieved_combo, 0, 1)
        grid.addWidget(QLabel(tr("Class field"), root), 1, 0)
        grid.addWidget(self.class_combo, 1, 1)
        grid.addWidget(self.accept_button, 2, 0, 1, 2)
        layout.addLayout(grid)
        self.accept_table = QTableWidget(0, 6, root)
        self.accept_table.setObjectName("acceptanceTable")
        self.accept_table.setHorizontalHeaderLabels([tr("Unit"), tr("Type"), tr("Class after"), tr("Planned (mu)"),
                                                     tr("Achieved (mu)"), tr("Shortfall (mu)")])
        self.accept_table.verticalHeader().setVisible(False)
        self.accept_table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeToContents)
        self.accept_table.setMinimumHeight(80)
        layout.addWidget(self.accept_table, 1)

    # ------------------------------------------------------------------ state
    def _fields(self) -> tuple[str, str]:
        return self.session.unit_field("DYBH") or "DYBH", self.session.unit_field("ZT") or "ZT"

    def _config_changed(self) -> None:
        self._drop_layer()
        units = self.session.units
        if units is not None:
            code_f, status_f = self._fields()
            self._pending = PendingHistory(units, code_f, status_f, HistoryStore(units))
            self._layer_connections = connect_all([(units.attributeValueChanged, self._schedule),
                                                   (units.afterCommitChanges, self._schedule),
                                                   (units.afterRollBack, self._schedule)])
        self.acceptance = None
        self.refresh()

    def _schedule(self, *_args) -> None:
        self._timer.start()

    def _timed_refresh(self) -> None:
        """After edits: at once when the tab is shown, else when it is next shown (reading every planned
        parcel costs time on a large project; the other tabs stay fast while editing)."""
        if self.isVisible():
            self.refresh()
        else:
            self._stale = True

    def showEvent(self, event) -> None:
        super().showEvent(event)
        if self._stale:
            self._stale = False
            self._timer.start()

    @guarded("Showing the project progress")
    def refresh(self) -> None:
        units, engine = self.session.units, self.session.engine
        enabled = units is not None and engine is not None
        for w in (self.change_button, self.accept_button, self.report_button):
            w.setEnabled(enabled)
        if not enabled:
            self.chart.set_totals([])
            return
        code_f, status_f = self._fields()
        self.units_progress, self.totals, _history = project_progress(
            engine, units, code_f, status_f, HistoryStore(units), self.acceptance)
        current = self.unit_combo.currentData()
        self.unit_combo.blockSignals(True)
        self.unit_combo.clear()
        for u in self.units_progress:
            self.unit_combo.addItem(f"{u.unit_code} · {status_label(u.status)}", u.unit_code)
        k = self.unit_combo.findData(current)
        self.unit_combo.setCurrentIndex(k if k >= 0 else 0)
        self.unit_combo.blockSignals(False)
        self.chart.set_totals(self.totals)
        self._unit_changed()

    @guarded("Showing the project progress")
    def _follow_unit(self, uid) -> None:
        """The unit selected on the map (or in the units tab) becomes the unit to change."""
        engine = self.session.engine
        if uid is not None and engine is not None and engine.has_unit(uid):
            k = self.unit_combo.findData(engine.unit_code(uid))
            if k >= 0:
                self.unit_combo.setCurrentIndex(k)

    def _unit_changed(self, *_args) -> None:
        """Offer the next status of the chosen unit."""
        code = self.unit_combo.currentData()
        row = next((u for u in self.units_progress if u.unit_code == code), None)
        if row is None:
            return
        status = normalize_status(row.status)
        k = STATUSES.index(status) + 1 if status in STATUSES else 0
        self.target_combo.setCurrentIndex(min(k, len(STATUSES) - 1))

    # ------------------------------------------------------------------ actions
    def findings(self):
        """The data checks' findings, None while they have not run (立项 is refused then)."""
        checks = self.session.checks
        if checks is None or checks.checks is None or checks.is_running:
            return None
        return checks.findings()

    def change_status(self, code: str, target: str, reason: str = ""):
        """Change a unit's status in the units layer's edit buffer; the history row, or None when refused."""
        units = self.session.units
        code_f, status_f = self._fields()
        try:
            row = set_status(units, code_f, status_f, code, target, reason, self.findings(), self.acceptance,
                             pending=self._pending)
        except TransitionRefused as refused:
            self.message.setText("✗ " + "\n".join(refused.reasons))
            self.message.setStyleSheet("color: #b03a2e;")
            push_message(self.iface, str(refused), Qgis.Warning, 8)
            return None
        except PlanError as error:  # units in PostGIS: another planner changed the unit meanwhile
            self.message.setText("✗ " + str(error))
            self.message.setStyleSheet("color: #b03a2e;")
            push_message(self.iface, str(error), Qgis.Warning, 8)
            return None
        if self._pending is not None and self._pending.store.in_database:
            text = tr("Unit {0}: {1} → {2}; saved in the database with its history.")
        else:
            text = tr("Unit {0}: {1} → {2}; save the units layer's edits to keep it (and its history).")
        self.message.setText(text.format(code, status_label(row.from_status), status_label(target)))
        self.message.setStyleSheet("")
        self.refresh()
        return row

    def run_acceptance(self, layer, class_field: Optional[str] = None) -> list:
        engine = self.session.engine
        self.acceptance = check_acceptance(engine, layer, class_field, working_crs(self.session.parcels),
                                           self.session.load_pack())
        self._fill_acceptance()
        self.refresh()
        return self.acceptance

    def _fill_acceptance(self) -> None:
        rows = self.acceptance or []
        self.accept_table.setRowCount(len(rows))
        for i, r in enumerate(rows):
            values = [r.unit_code, r.zzlx or "—", r.ghdlbm, format_number(r.planned_m2 / MU_M2, 2),
                      format_number(r.achieved_m2 / MU_M2, 2), format_number(r.shortfall_m2 / MU_M2, 2)]
            for c, v in enumerate(values):
                item = QTableWidgetItem(v)
                if c >= 3:
                    item.setTextAlignment(Qt.AlignRight | Qt.AlignVCenter)
                if not r.ok:
                    item.setForeground(Qt.red)
                item.setToolTip(r.describe())
                self.accept_table.setItem(i, c, item)

    def write_report(self, path: str):
        units = self.session.units
        code_f, status_f = self._fields()
        rows, totals, history = project_progress(self.session.engine, units, code_f, status_f,
                                                 HistoryStore(units), self.acceptance)
        return write_progress_report(path, totals, rows, self.acceptance or [], history)

    # ------------------------------------------------------------------ slots
    @guarded("Changing the unit status")
    def _change_clicked(self, *_args) -> None:
        code = self.unit_combo.currentData()
        if code:
            self.change_status(code, self.target_combo.currentData(), self.reason_edit.text())

    @guarded("Checking the acceptance")
    def _accept_clicked(self, *_args) -> None:
        layer = self.achieved_combo.currentLayer()
        if layer is None:
            push_message(self.iface, tr("Choose the achieved layer first."), Qgis.Info, 5)
            return
        try:
            rows = self.run_acceptance(layer, self.class_combo.currentField() or None)
        except PlanError as error:
            push_message(self.iface, str(error), Qgis.Warning, 8)
            return
        short = [r for r in rows if not r.ok]
        push_message(self.iface, tr("Acceptance: {0} rows, {1} short").format(len(rows), len(short)),
                     Qgis.Warning if short else Qgis.Success, 5)

    @guarded("Writing the progress report")
    def _report_clicked(self, *_args) -> None:
        path, _ = QFileDialog.getSaveFileName(self, tr("Progress report"), QgsProject.instance().homePath(),
                                              tr("Excel workbook (*.xlsx)"))
        if path:
            if not path.lower().endswith(".xlsx"):
                path += ".xlsx"
            push_message(self.iface, tr("Written: {0}").format(self.write_report(path)), Qgis.Success, 5)

    def _drop_layer(self) -> None:
        disconnect_all(self._layer_connections)
        self._layer_connections = []
        if self._pending is not None:
            self._pending.disconnect()
            self._pending = None

    def _stop_timers(self) -> None:
        self._timer.stop()


__all__ = ["LifecyclePanel"]
