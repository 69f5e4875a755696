"""The 检查 (data checks) panel: every finding of the session's live data checks in one table.

:class:`ChecksPanel` is a :class:`~.dock_base.PlanningPanel` on the session (the workbench hosts
it as its 检查 tab; it also works on its own). The table follows ``session.checksUpdated``
(an edit re-checks only what it touched; full runs go in a background task), can be filtered
by severity, and a double-click selects the feature and zooms the map to the finding.
"""
from __future__ import annotations

from typing import Optional

from qgis.core import QgsCoordinateTransform, QgsGeometry, QgsProject, QgsRectangle
from qgis.PyQt.QtCore import Qt, QTimer
from qgis.PyQt.QtGui import QBrush, QColor
from qgis.PyQt.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QStyle,
    QTableWidgetItem,
    QWidget,
)

from ..core.datachecks import kind_name, severity_name
from ..core.i18n import tr
from .dock_base import PlanningPanel
from .errors import guarded

FINDING_ROLE = Qt.UserRole + 10
SEVERITY_COLOURS = {"error": QColor("#ffcdd2"), "warning": QColor("#ffe0b2"), "info": QColor("#e3f2fd")}
_ICONS = {"error": QStyle.SP_MessageBoxCritical, "warning": QStyle.SP_MessageBoxWarning,
          "info": QStyle.SP_MessageBoxInformation}
COLUMNS = 5  # severity, kind, message, unit, feature
MAX_ROWS = 5000  # beyond that the table shows the first ones (errors first) and says so


class ChecksPanel(PlanningPanel):
    """Findings table of the session's data checks (see the module docstring)."""

    OBJECT_NAME = "LandConsolidationChecksPanel"
    FILTERS = ("all", "error", "warning", "info")

    def __init__(self, iface, session=None, parent: Optional[QWidget] = None):
        super().__init__(iface, session, parent, tr("Data checks"), tr("Checks"))
        self._findings: list = []
        self._shown: list = []
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(50)
        self._timer.timeout.connect(self.refresh)
        self._build_ui()
        self.connect_signals((self.session.checksUpdated, self._schedule),
                             (self.session.configChanged, self._config_changed),
                             (self.session.checksBusy, self._busy))
        self._config_changed()

    # ------------------------------------------------------------------ UI
    def _build_ui(self) -> None:
        _root, layout = self._contents()
        row = QHBoxLayout()
        self.filter_combo = QComboBox(self)
        self.filter_combo.setObjectName("severityFilter")
        for key, label in zip(self.FILTERS, (tr("All"), tr("Errors"), tr("Warnings"), tr("Notes"))):
            self.filter_combo.addItem(label, key)
        self.filter_combo.currentIndexChanged.connect(self._schedule)
        self.summary_label = QLabel(self)
        self.summary_label.setObjectName("checksSummary")
        self.summary_label.setWordWrap(True)
        self.rerun_button = QPushButton(tr("Check again"), self)
        self.rerun_button.setToolTip(tr("Run every data check again in full (in the background)"))
        self.rerun_button.clicked.connect(self._rerun)
        row.addWidget(self.filter_combo)
        row.addWidget(self.summary_label, 1)
        row.addWidget(self.rerun_button)
        layout.addLayout(row)
        self.table = self._read_only_table(
            "checksTable", [tr("Severity"), tr("Kind"), tr("Message"), tr("Unit"), tr("Feature")], 2,
            self._double_clicked)
        self.table.setSelectionMode(QAbstractItemView.SingleSelection)
        # the message last: it takes what the short columns leave
        self.table.horizontalHeader().moveSection(2, COLUMNS - 1)
        self.table.currentCellChanged.connect(self._current_changed)
        layout.addWidget(self.table, 1)
        # the whole message of the current row, wrapped: a narrow dock leaves the column short
        self.detail_label = QLabel(self)
        self.detail_label.setObjectName("checkDetail")
        self.detail_label.setWordWrap(True)
        self.detail_label.setTextInteractionFlags(Qt.TextSelectableByMouse)
        layout.addWidget(self.detail_label)

    # ------------------------------------------------------------------ data
    def _config_changed(self, *_args) -> None:
        parcels = self.session.parcels
        self.status_label.setText(tr("Parcels: {0}").format(parcels.name()) if parcels is not None else
                                  tr("Not set up: choose the parcel and unit layers in the project set-up."))
        self._schedule()

    def _schedule(self, *_args) -> None:
        self._timer.start()

    def _busy(self, busy: bool) -> None:
        self.rerun_button.setEnabled(not busy)
        if busy:
            self.summary_label.setText(tr("Checking the data…"))

    def findings(self) -> list:
        checks = getattr(self.session, "checks", None)
        return checks.findings() if checks is not None else []

    def visible_findings(self) -> list:
        key = self.filter_combo.currentData()
        return [f for f in self._findings if key in (None, "all") or f.severity == key]

    def set_filter(self, severity: str) -> None:
        self.filter_combo.setCurrentIndex(self.FILTERS.index(severity))
        self.refresh()

    @guarded("Listing the data checks")
    def refresh(self) -> None:
        self._timer.stop()
        self._findings = self.findings()
        shown = self.visible_findings()
        counts = {s: sum(1 for f in self._findings if f.severity == s) for s in ("error", "warning", "info")}
        checks = getattr(self.session, "checks", None)
        if checks is None:
            text = tr("No data checks yet: set up the project (parcels and units).")
        elif checks.is_running and not self._findings:
            text = tr("Checking the data…")
        else:
            text = tr("Errors: {0} · warnings: {1} · notes: {2}").format(
                counts["error"], counts["warning"], counts["info"])
            if len(shown) > MAX_ROWS:
                text += " " + tr("(first {0} shown)").format(MAX_ROWS)
        self.summary_label.setText(text)
        shown = shown[:MAX_ROWS]
        self.table.setUpdatesEnabled(False)
        try:
            self.table.setRowCount(len(shown))
            style = self.style()
            for i, f in enumerate(shown):
                feature = "" if f.parcel_id is None else str(f.parcel_id)
                items = [QTableWidgetItem(style.standardIcon(_ICONS.get(f.severity, QStyle.SP_MessageBoxQuestion)),
                                          severity_name(f.severity)),
                         QTableWidgetItem(kind_name(f.code)), QTableWidgetItem(f.message),
                         QTableWidgetItem(f.unit_code or ""), QTableWidgetItem(feature)]
                brush = QBrush(SEVERITY_COLOURS.get(f.severity, QColor("#ffffff")))
                items[0].setBackground(brush)
                items[1].setToolTip(f.code)
                for item in items[2:]:
                    item.setToolTip(f.message)
                if f.bsm:
                    items[4].setToolTip(tr("BSM {0}").format(f.bsm) + "\n" + f.message)
                for column, item in enumerate(items):
                    item.setData(FINDING_ROLE, i)
                    self.table.setItem(i, column, item)
            self._shown = shown
        finally:
            self.table.setUpdatesEnabled(True)
        self._current_changed(self.table.currentRow())

    def rows(self) -> list[tuple[str, ...]]:
        """The table's texts as shown (tests)."""
        return [tuple(self.table.item(r, c).text() for c in range(COLUMNS)) for r in range(self.table.rowCount())]

    def _current_changed(self, row: int, *_args) -> None:
        f = self._shown[row] if 0 <= row < len(self._shown) else None
        if f is None:
            self.detail_label.setText(tr("Double-click a finding to show it on the map."))
            return
        where = " · ".join(x for x in (f.unit_code or "", tr("BSM {0}").format(f.bsm) if f.bsm else "") if x)
        self.detail_label.setText(f.message + (f"\n({where})" if where else ""))

    # ------------------------------------------------------------------ actions
    @guarded("Checking the data again")
    def _rerun(self, *_args) -> None:
        checks = getattr(self.session, "checks", None)
        if checks is not None:
            checks.request_run()

    @guarded("Showing the finding")
    def _double_clicked(self, row: int, _column: int) -> None:
        self.show_finding(row)

    def show_finding(self, row: int) -> None:
        """Select the finding's feature (parcel or unit) and zoom the map to it."""
        shown = self._shown
        if not 0 <= row < len(shown):
            return
        f = shown[row]
        is_unit = f.code.startswith("UNIT_") and f.code != "UNIT_GAP"
        layer = self.session.units if is_unit else self.session.parcels
        if layer is not None and f.parcel_id is not None:
            try:
                layer.selectByIds([int(f.parcel_id)])
            except (TypeError, ValueError):
                pass
        rect = self._finding_extent(f, layer)
        if rect is None or self.iface is None:
            return
        canvas = self.iface.mapCanvas()
        live = getattr(self.session, "live", None)
        source_crs = live.reader.crs if live is not None and live.reader is not None and f.geometry is not None \
            else (layer.crs() if layer is not None else None)
        if source_crs is not None:
            transform = QgsCoordinateTransform(source_crs, canvas.mapSettings().destinationCrs(),
                                               QgsProject.instance().transformContext())
            try:
                rect = transform.transformBoundingBox(rect)
            except Exception:  # no transform possible: zoom in source coordinates
                pass
        pad = max(rect.width(), rect.height(), 10.0) * 0.5
        canvas.setExtent(rect.buffered(pad))
        canvas.refresh()

    @staticmethod
    def _finding_extent(f, layer) -> Optional[QgsRectangle]:
        if f.geometry is not None and not f.geometry.is_empty:
            x0, y0, x1, y1 = f.geometry.bounds
            return QgsRectangle(x0, y0, x1, y1)
        if layer is not None and f.parcel_id is not None:
            try:
                feature = layer.getFeature(int(f.parcel_id))
            except (TypeError, ValueError):
                return None
            g: QgsGeometry = feature.geometry()
            if g is not None and not g.isNull():
                return g.boundingBox()
        return None

    def _stop_timers(self) -> None:
        self._timer.stop()


__all__ = ["ChecksPanel"]
