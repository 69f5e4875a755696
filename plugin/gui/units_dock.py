"""Panel of remediation units (整治单元): create the units layer, make units, list and find them.

Drawing and reshaping stay with QGIS's own digitising tools ("Edit units on the map" makes
the units layer active and toggles its edit session). "Unit from selected parcels" dissolves
the selected parcels into one new unit, added to the units layer's edit buffer inside an
edit command, so one Ctrl+Z takes it back.
"""

from __future__ import annotations

import datetime
import re
from typing import Any, Optional

from qgis.core import (
    Qgis,
    QgsCoordinateTransform,
    QgsEditorWidgetSetup,
    QgsFeature,
    QgsFields,
    QgsGeometry,
    QgsProject,
    QgsVectorFileWriter,
    QgsVectorLayer,
    QgsWkbTypes,
)
from qgis.PyQt.QtCore import Qt, QTimer
from qgis.PyQt.QtGui import QBrush
from qgis.PyQt.QtWidgets import (
    QAbstractItemView,
    QFileDialog,
    QGridLayout,
    QHeaderView,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
)

from ..adapters.layers import ellipsoid_measure
from ..adapters.qgis_compat import LABEL_OVER_POINT, WKB_MULTIPOLYGON, make_field
from ..adapters.signals import disconnect_all
from ..adapters.styles import label_font_family, load_style
from ..core.areas import MU_M2
from ..core.i18n import tr
from ..core.lifecycle import STATUSES
from ..core.resources import resource_path
from .common import format_number
from .dock_base import PlanningPanel
from .errors import guarded, push_message
from .verdict import unit_verdict

STYLE_QML = resource_path("styles", "remediation_units_edit.qml")
CODE_PREFIX = "ZZDY-"
UNIT_FIELDS = (
    ("DYBH", "string", 20, "单元编号"),
    ("DYMC", "string", 60, "单元名称"),
    ("ZZLX", "string", 10, "主要整治类型"),
    ("XZQ", "string", 60, "乡镇/村"),
    ("ND", "int", 0, "年度"),
    ("ZT", "string", 10, "状态"),
)
FID_ROLE = Qt.UserRole + 20


def unit_fields() -> QgsFields:
    fields = QgsFields()
    for name, kind, length, _alias in UNIT_FIELDS:
        fields.append(make_field(name, kind, "", length))
    return fields


def style_units_layer(layer: QgsVectorLayer) -> None:
    """Outline, labels DYBH + DYMC, Chinese aliases and the ZT value map (from the QML when present)."""
    if STYLE_QML.exists():
        ok, _msg = load_style(layer, STYLE_QML)
        if ok:
            return
    build_units_style(layer)


def build_units_style(layer: QgsVectorLayer) -> None:
    """The default style in code; ``resources/styles/remediation_units_edit.qml`` is saved from it."""
    from qgis.core import (
        QgsFillSymbol,
        QgsPalLayerSettings,
        QgsSingleSymbolRenderer,
        QgsTextBufferSettings,
        QgsTextFormat,
        QgsVectorLayerSimpleLabeling,
    )
    from qgis.PyQt.QtGui import QColor, QFont

    symbol = QgsFillSymbol.createSimple({"color": "255,255,255,0", "style": "no", "outline_color": "#c0392b",
                                         "outline_width": "0.8", "outline_style": "dash"})
    layer.setRenderer(QgsSingleSymbolRenderer(symbol))
    settings = QgsPalLayerSettings()
    settings.isExpression = True
    settings.fieldName = "\"DYBH\" || '\\n' || coalesce(\"DYMC\", '')"
    text = QgsTextFormat()
    font = QFont(label_font_family())
    font.setBold(True)
    text.setFont(font)
    text.setSize(10)
    text.setColor(QColor("#7b1d12"))
    buffer = QgsTextBufferSettings()
    buffer.setEnabled(True)
    buffer.setSize(1.0)
    buffer.setColor(QColor("white"))
    text.setBuffer(buffer)
    settings.setFormat(text)
    settings.placement = LABEL_OVER_POINT
    layer.setLabeling(QgsVectorLayerSimpleLabeling(settings))
    layer.setLabelsEnabled(True)
    for name, _kind, _length, alias in UNIT_FIELDS:
        idx = layer.fields().indexOf(name)
        if idx >= 0:
            layer.setFieldAlias(idx, alias)
    idx = layer.fields().indexOf("ZT")
    if idx >= 0:
        layer.setEditorWidgetSetup(idx, QgsEditorWidgetSetup("ValueMap", {"map": [{s: s} for s in STATUSES]}))


def create_units_layer(path: str, crs, name: str = "ZZDY") -> QgsVectorLayer:
    """A new GeoPackage ``path`` with an empty units layer (fields DYBH … ZT), styled; not yet in the project."""
    options = QgsVectorFileWriter.SaveVectorOptions()
    options.driverName = "GPKG"
    options.layerName = name
    options.fileEncoding = "UTF-8"
    options.layerOptions = ["IDENTIFIER=" + name, "DESCRIPTION=整治单元"]
    writer = QgsVectorFileWriter.create(path, unit_fields(), WKB_MULTIPOLYGON, crs,
                                        QgsProject.instance().transformContext(), options)
    if writer.hasError() != QgsVectorFileWriter.NoError:
        raise OSError(tr("Cannot create {0}: {1}").format(path, writer.errorMessage()))
    del writer
    layer = QgsVectorLayer(f"{path}|layername={name}", tr("Remediation units"), "ogr")
    if not layer.isValid():
        raise OSError(tr("Cannot open the new units layer {0}").format(path))
    style_units_layer(layer)
    return layer


def next_unit_code(layer: QgsVectorLayer, field: str) -> str:
    """The next free ZZDY-nnn code (one more than the highest in use)."""
    highest = 0
    pattern = re.compile(r"(\d+)\s*$")
    for f in layer.getFeatures():
        value = f[field]
        if value in (None, "") or str(value) == "NULL":
            continue
        match = pattern.search(str(value))
        if match:
            highest = max(highest, int(match.group(1)))
    return f"{CODE_PREFIX}{highest + 1:03d}"


class UnitsPanel(PlanningPanel):
    """Lists the remediation units and lets the planner draw and edit them."""

    OBJECT_NAME = "LandConsolidationUnitsPanel"

    def __init__(self, iface, session=None, parent=None):
        super().__init__(iface, session, parent, tr("Remediation units"), tr("Units"))
        session = self.session
        self._layer: Optional[QgsVectorLayer] = None
        self._layer_connections: list[tuple[Any, Any]] = []
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(100)
        self._timer.timeout.connect(self.refresh)
        self._build_ui()
        self.connect_signals((session.configChanged, self._config_changed), (session.updated, self._schedule),
                             (session.checksUpdated, self._schedule))
        self._config_changed()

    # ------------------------------------------------------------------ UI
    def _build_ui(self) -> None:
        root, layout = self._contents()
        grid = QGridLayout()
        self.new_button = QPushButton(tr("New units layer…"), root)
        self.new_button.setToolTip(tr("Create a GeoPackage with an empty remediation units layer"))
        self.new_button.clicked.connect(self._new_clicked)
        self.from_parcels_button = QPushButton(tr("Unit from selected parcels"), root)
        self.from_parcels_button.setToolTip(tr("Dissolve the selected parcels into one new unit"))
        self.from_parcels_button.clicked.connect(self._from_parcels_clicked)
        self.edit_button = QPushButton(tr("Edit units on the map"), root)
        self.edit_button.setCheckable(True)
        self.edit_button.setToolTip(tr("Make the units layer active and switch editing on or off; draw and reshape "
                                       "with QGIS's digitising tools"))
        self.edit_button.clicked.connect(self._edit_clicked)
        # one button a row: a narrow dock (or a longer language) must not cut their labels
        grid.addWidget(self.from_parcels_button, 0, 0)
        grid.addWidget(self.edit_button, 1, 0)
        grid.addWidget(self.new_button, 2, 0)
        layout.addLayout(grid)
        self.table = QTableWidget(0, 4, root)
        self.table.setObjectName("unitsTable")
        self.table.setHorizontalHeaderLabels([tr("Code"), tr("Name"), tr("Area (mu)"), tr("Check")])
        self.table.verticalHeader().setVisible(False)
        self.table.setEditTriggers(QAbstractItemView.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SingleSelection)
        self.table.setAlternatingRowColors(True)
        self.table.setTextElideMode(Qt.ElideRight)
        self.table.setWordWrap(False)
        self.table.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 8)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.Stretch)  # the name gives way (elided, full text in the tip)
        header.setMinimumSectionSize(36)
        self.table.cellClicked.connect(self._row_clicked)
        self.table.setMinimumHeight(120)
        layout.addWidget(self.table, 1)

    # ------------------------------------------------------------------ layer
    def _drop_layer(self) -> None:
        """Disconnect from the units layer while it still exists (also on its willBeDeleted)."""
        disconnect_all(self._layer_connections)
        self._layer_connections = []
        self._layer = None

    def _layer_deleted(self) -> None:
        self._drop_layer()
        self.table.setRowCount(0)

    def _config_changed(self) -> None:
        self._drop_layer()
        self._layer = self.session.units
        if self._layer is not None:
            self._layer.willBeDeleted.connect(self._layer_deleted)
            self._layer_connections.append((self._layer.willBeDeleted, self._layer_deleted))
            for signal in (self._layer.featureAdded, self._layer.featureDeleted, self._layer.attributeValueChanged,
                           self._layer.geometryChanged, self._layer.afterRollBack, self._layer.afterCommitChanges,
                           self._layer.editingStarted, self._layer.editingStopped):
                signal.connect(self._schedule)
                self._layer_connections.append((signal, self._schedule))
            self.status_label.setText(tr("Units: {0}").format(self._layer.name()))
        else:
            self.status_label.setText(tr("No units layer: create one (New units layer…) or choose one in the "
                                         "project set-up."))
        self.from_parcels_button.setEnabled(self._layer is not None and self.session.parcels is not None)
        self.edit_button.setEnabled(self._layer is not None)
        self.refresh()

    def _schedule(self, *_args) -> None:
        self._timer.start()

    # ------------------------------------------------------------------ list
    @guarded("Listing the remediation units")
    def refresh(self) -> None:
        layer = self._layer
        self.table.setRowCount(0)
        if layer is None:
            return
        self.edit_button.setChecked(layer.isEditable())
        code_f = self.session.unit_field("DYBH")
        name_f = self.session.unit_field("DYMC")
        engine = self.session.engine
        measure = ellipsoid_measure(layer.crs())
        rows = []
        for f in layer.getFeatures():
            code = f[code_f] if code_f else f.id()
            name = f[name_f] if name_f else ""
            area = measure.measureArea(f.geometry()) if f.hasGeometry() else 0.0
            rows.append((str(code) if code not in (None, "") and str(code) != "NULL" else str(f.id()),
                         "" if name in (None,) or str(name) == "NULL" else str(name), area, f.id()))
        rows.sort(key=lambda r: r[0])
        finding_counts = self._finding_counts()
        self.table.setRowCount(len(rows))
        for i, (code, name, area, fid) in enumerate(rows):
            items = [QTableWidgetItem(code), QTableWidgetItem(name),
                     QTableWidgetItem(format_number(area / MU_M2, 2)), QTableWidgetItem()]
            items[2].setTextAlignment(Qt.AlignRight | Qt.AlignVCenter)
            items[2].setData(Qt.UserRole, area)
            badge = unit_verdict(engine, fid)
            text, tip = self._with_findings(badge.text, badge.tip, code, finding_counts)
            items[3].setText(text)
            items[3].setBackground(QBrush(badge.colour))
            items[3].setTextAlignment(Qt.AlignCenter)
            items[3].setToolTip(tip)
            items[3].setData(Qt.UserRole, badge.state)
            items[1].setToolTip(f"{code} {name}".strip())
            for column, item in enumerate(items):
                item.setData(FID_ROLE, fid)
                self.table.setItem(i, column, item)

    def _finding_counts(self) -> dict:
        """unit code -> {severity: count} of the session's data checks ({} before they ran)."""
        checks = getattr(self.session, "checks", None)
        if checks is None:
            return {}
        from ..core.datachecks import counts_by_unit

        return counts_by_unit(checks.findings())

    @staticmethod
    def _with_findings(text: str, tip: str, code: str, counts: dict) -> tuple[str, str]:
        """The badge with the unit's data-check findings: ``Pass · ✗2 ⚠1`` and a tooltip line."""
        c = counts.get(code)
        if not c or not (c.get("error") or c.get("warning")):
            return text, tip
        marks = " ".join(m for m in (f"✗{c['error']}" if c.get("error") else "",
                                     f"⚠{c['warning']}" if c.get("warning") else "") if m)
        line = tr("Data checks: {0} errors, {1} warnings (see the Data checks panel)").format(
            c.get("error", 0), c.get("warning", 0))
        return f"{text} · {marks}", f"{tip}\n{line}"

    def unit_rows(self) -> list[tuple[str, str, str, str]]:
        """(code, name, area text, check text) as shown (tests)."""
        return [tuple(self.table.item(r, c).text() for c in range(4)) for r in range(self.table.rowCount())]

    @guarded("Showing the unit")
    def _row_clicked(self, row: int, _column: int) -> None:
        item = self.table.item(row, 0)
        if item is not None:
            self.show_unit(item.data(FID_ROLE))

    def show_unit(self, fid: int) -> None:
        """Select the unit on the map and zoom to it (the balance dock follows the selection)."""
        layer = self._layer
        if layer is None:
            return
        layer.selectByIds([fid])
        feature = layer.getFeature(fid)
        if self.iface is not None and feature.hasGeometry():
            canvas = self.iface.mapCanvas()
            rect = feature.geometry().boundingBox()
            transform = QgsCoordinateTransform(layer.crs(), canvas.mapSettings().destinationCrs(),
                                               QgsProject.instance().transformContext())
            try:
                rect = transform.transformBoundingBox(rect)
            except Exception:  # no transform possible: zoom in layer coordinates
                pass
            canvas.setExtent(rect.buffered(max(rect.width(), rect.height()) * 0.1))
            canvas.refresh()

    # ------------------------------------------------------------------ actions
    def new_units_layer(self, path: str) -> QgsVectorLayer:
        """Create the units GeoPackage at ``path``, add it to the project and use it in the session."""
        parcels = self.session.parcels
        crs = parcels.crs() if parcels is not None else QgsProject.instance().crs()
        layer = create_units_layer(path, crs)
        QgsProject.instance().addMapLayer(layer)
        from .session import SessionConfig

        config = SessionConfig(**self.session.config.as_dict())
        config.units = layer.id()
        if config.parcels:
            self.session.apply(config)
        else:
            self.session.config.units = layer.id()
            self.session.config.write(QgsProject.instance())
            self.session.configChanged.emit()
        return layer

    def unit_from_selected(self, name: str = "") -> Optional[int]:
        """Dissolve the selected parcels into a new unit in the units layer's edit buffer; its fid."""
        parcels, units = self.session.parcels, self._layer
        if parcels is None or units is None:
            push_message(self.iface, tr("Set up the project first: choose the parcel and units layers."),
                         Qgis.Warning, 5)
            return None
        selected = list(parcels.getSelectedFeatures())
        if not selected:
            push_message(self.iface, tr("Select parcels on the map first."), Qgis.Info, 5)
            return None
        geometry = QgsGeometry.unaryUnion([f.geometry() for f in selected if f.hasGeometry()])
        if geometry is None or geometry.isEmpty():
            push_message(self.iface, tr("The selected parcels have no geometry."), Qgis.Warning, 5)
            return None
        if parcels.crs() != units.crs():
            geometry.transform(QgsCoordinateTransform(parcels.crs(), units.crs(),
                                                      QgsProject.instance().transformContext()))
        if QgsWkbTypes.isMultiType(units.wkbType()):
            geometry.convertToMultiType()
        code_f = self.session.unit_field("DYBH") or "DYBH"
        feature = QgsFeature(units.fields())
        feature.setGeometry(geometry)
        if units.fields().indexOf(code_f) >= 0:
            feature[code_f] = next_unit_code(units, code_f)
        defaults = {"DYMC": name or None, "ZT": STATUSES[0], "ND": datetime.date.today().year}
        for canonical, value in defaults.items():
            field = self.session.unit_field(canonical)
            if field and value is not None:
                feature[field] = value
        if not units.isEditable() and not units.startEditing():
            push_message(self.iface, tr("The layer {0} cannot be edited.").format(units.name()), Qgis.Warning)
            return None
        units.beginEditCommand(tr("Unit from selected parcels"))
        try:
            ok = units.addFeature(feature)
        except Exception:
            units.destroyEditCommand()
            raise
        if not ok:
            units.destroyEditCommand()
            push_message(self.iface, tr("The unit could not be added to {0}.").format(units.name()), Qgis.Warning)
            return None
        units.endEditCommand()
        units.triggerRepaint()
        push_message(self.iface, tr("Unit {0} made from {1} parcels; save the layer edits to keep it.")
                     .format(feature[code_f] if units.fields().indexOf(code_f) >= 0 else "", len(selected)),
                     Qgis.Info, 5)
        self.refresh()
        return feature.id()

    def toggle_editing(self) -> bool:
        """Make the units layer active and switch its edit session; returns whether it is now editable."""
        layer = self._layer
        if layer is None:
            return False
        if self.iface is not None:
            self.iface.setActiveLayer(layer)
            action = getattr(self.iface, "actionToggleEditing", None)
            if callable(action) and action() is not None:
                action().trigger()  # QGIS asks about unsaved edits itself
                self.edit_button.setChecked(layer.isEditable())
                return layer.isEditable()
        if layer.isEditable():
            if not layer.isModified():
                layer.rollBack()
        else:
            layer.startEditing()
        self.edit_button.setChecked(layer.isEditable())
        return layer.isEditable()

    # ------------------------------------------------------------------ slots
    @guarded("Creating the units layer")
    def _new_clicked(self, *_args) -> None:
        path, _ = QFileDialog.getSaveFileName(self, tr("New remediation units layer"), "",
                                              tr("GeoPackage (*.gpkg)"))
        if not path:
            return
        if not path.lower().endswith(".gpkg"):
            path += ".gpkg"
        self.new_units_layer(path)

    @guarded("Making a unit from the selected parcels")
    def _from_parcels_clicked(self, *_args) -> None:
        self.unit_from_selected()

    @guarded("Switching the editing of the units")
    def _edit_clicked(self, *_args) -> None:
        self.toggle_editing()

    def _stop_timers(self) -> None:
        self._timer.stop()


__all__ = ["UnitsPanel", "build_units_style", "create_units_layer", "next_unit_code", "style_units_layer"]
