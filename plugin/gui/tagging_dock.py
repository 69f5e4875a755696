"""Panel for tagging parcels (图斑标注): remediation type, land class after, GHKCXS, YNCZ.

Tagging is an ordinary edit of the parcel layer: every "apply" or "clear" is wrapped in
``beginEditCommand`` … ``endEditCommand``, so QGIS's own undo/redo (Ctrl+Z, the undo
panel) takes back a whole tagging step, however many parcels it touched, and the planner
saves or rolls back with QGIS's usual "save layer edits". When the layer is not in an edit
session one is started without asking (as QGIS's field calculator does): the click on
"apply" is the planner's intent to edit, and nothing is written to the file before they save.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any, Optional, Sequence

from qgis.core import (
    Qgis,
    QgsFeatureRequest,
    QgsFillSymbol,
    QgsVectorLayer,
)
from qgis.PyQt.QtCore import QRegExp, Qt, QTimer
from qgis.PyQt.QtWidgets import (
    QCheckBox,
    QComboBox,
    QCompleter,
    QDoubleSpinBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QTreeWidget,
    QTreeWidgetItem,
)

from ..adapters.qgis_compat import REQUEST_NO_GEOMETRY
from ..adapters.styles import type_renderer
from ..core.areas import MU_M2, unit_label
from ..core.i18n import tr
from ..core.landclasses import default_table
from ..core.remediation import UNTAGGED_COLOUR, RemediationType, matches, remediation_types
from .common import chinese, format_number, swatch
from .dock_base import PlanningPanel
from .errors import guarded, push_message

TYPE_ROLE = Qt.UserRole + 10


def class_choices(targets: Optional[Sequence[str]] = None) -> list[tuple[str, str]]:
    """(code, "0101 水田") of the land classes a type may produce (its ``targets``), in 三调 order."""
    table = default_table()
    zh = chinese()
    codes = sorted(table.classes, key=table.sort_key)
    return [(c, f"{c} {table.classes[c].name(zh)}") for c in codes if targets is None or matches(c, targets)]


class TaggingPanel(PlanningPanel):
    """Tags selected parcels with a remediation type and the land class after consolidation."""

    OBJECT_NAME = "LandConsolidationTaggingPanel"

    def __init__(self, iface, session=None, parent=None):
        super().__init__(iface, session, parent, tr("Parcel tagging"), tr("Tagging"))
        self.misfits: dict[str, int] = {}  # class before -> selected parcels the chosen type does not fit
        session = self.session
        self.types: dict[str, RemediationType] = {t.code: t for t in remediation_types().values()}
        self._layer: Optional[QgsVectorLayer] = None
        self._summary_timer = QTimer(self)
        self._summary_timer.setSingleShot(True)
        self._summary_timer.setInterval(50)
        self._summary_timer.timeout.connect(self.update_summary)
        self._build_ui()
        self.connect_signals((session.configChanged, self._config_changed))
        self._config_changed()

    # ------------------------------------------------------------------ UI
    def _build_ui(self) -> None:
        root, layout = self._contents()
        layout.addWidget(self._build_palette(root), 2)
        layout.addWidget(self._build_form(root))

        buttons = QHBoxLayout()
        self.apply_button = QPushButton(tr("Apply to selected parcels"), root)
        self.apply_button.setObjectName("applyTagButton")
        self.apply_button.clicked.connect(self._apply_clicked)
        self.clear_button = QPushButton(tr("Clear tag"), root)
        self.clear_button.setObjectName("clearTagButton")
        self.clear_button.clicked.connect(self._clear_clicked)
        buttons.addWidget(self.apply_button, 1)
        buttons.addWidget(self.clear_button)
        layout.addLayout(buttons)

        self.fit_label = QLabel(root)
        self.fit_label.setObjectName("typeFitWarning")
        self.fit_label.setWordWrap(True)
        self.fit_label.setStyleSheet("color: #8a5a00;")
        self.fit_label.hide()
        layout.addWidget(self.fit_label)

        self.summary_label = QLabel(root)
        self.summary_label.setObjectName("selectionSummary")
        self.summary_label.setWordWrap(True)
        self.summary_label.setTextFormat(Qt.RichText)
        layout.addWidget(self.summary_label, 1)

        self.style_button = QPushButton(tr("Style parcels by remediation type"), root)
        self.style_button.clicked.connect(self._style_clicked)
        layout.addWidget(self.style_button)
        self._fill_classes(None)

    def _build_palette(self, root) -> QTreeWidget:
        """The remediation types, grouped by domain, each with its colour."""
        zh = chinese()
        self.palette = QTreeWidget(root)
        self.palette.setObjectName("typePalette")
        self.palette.setHeaderLabels([tr("Remediation type")])
        self.palette.setRootIsDecorated(True)
        domains: dict[str, QTreeWidgetItem] = {}
        for code, t in self.types.items():
            domain = t.domain_zh if zh else t.domain_en
            parent = domains.get(domain)
            if parent is None:
                parent = QTreeWidgetItem(self.palette, [domain])
                parent.setFlags(Qt.ItemIsEnabled)
                font = parent.font(0)
                font.setBold(True)
                parent.setFont(0, font)
                domains[domain] = parent
            label = f"{t.name(zh)}  {code}"
            item = QTreeWidgetItem(parent, [label])
            item.setIcon(0, swatch(t.colour))
            item.setData(0, TYPE_ROLE, code)
            item.setToolTip(0, label + "\n" + tr("Produces: {0}").format(", ".join(t.targets)))
        self.palette.expandAll()
        self.palette.currentItemChanged.connect(self._type_changed)
        self.palette.setMinimumHeight(120)
        self.palette.setUniformRowHeights(True)
        return self.palette

    def _build_form(self, root) -> QGroupBox:
        """Class after, deduction coefficient after and PBF action of the selected parcels."""
        form_box = QGroupBox(tr("Plan of the selected parcels"), root)
        form = QFormLayout(form_box)
        form.setRowWrapPolicy(QFormLayout.WrapLongRows)  # a narrow dock puts the field under its label
        self.class_combo = QComboBox(form_box)
        self.class_combo.setObjectName("classAfterCombo")
        self.class_combo.setEditable(True)
        self.class_combo.setInsertPolicy(QComboBox.NoInsert)
        # the longest class name must not set the dock's width
        self.class_combo.setSizeAdjustPolicy(QComboBox.AdjustToMinimumContentsLengthWithIcon)
        self.class_combo.setMinimumContentsLength(12)
        completer = QCompleter(self.class_combo.model(), self.class_combo)
        completer.setFilterMode(Qt.MatchContains)
        completer.setCaseSensitivity(Qt.CaseInsensitive)
        completer.setCompletionMode(QCompleter.PopupCompletion)
        self.class_combo.setCompleter(completer)
        self.class_combo.lineEdit().setPlaceholderText(tr("Type a code or name, e.g. 0101 or 水田"))
        form.addRow(tr("Land class after"), self.class_combo)

        kc_row = QHBoxLayout()
        self.ghkcxs_check = QCheckBox(tr("set"), form_box)
        self.ghkcxs_spin = QDoubleSpinBox(form_box)
        self.ghkcxs_spin.setRange(0.0, 0.99)
        self.ghkcxs_spin.setDecimals(4)
        self.ghkcxs_spin.setSingleStep(0.01)
        self.ghkcxs_spin.setEnabled(False)
        self.ghkcxs_check.toggled.connect(self.ghkcxs_spin.setEnabled)
        self.ghkcxs_check.setToolTip(tr("Unset: the coefficient before is kept for farmland (KCXS), 0 otherwise"))
        kc_row.addWidget(self.ghkcxs_check)
        kc_row.addWidget(self.ghkcxs_spin, 1)
        form.addRow(tr("Deduction coefficient after"), kc_row)

        self.yncz_combo = QComboBox(form_box)
        self.yncz_combo.setObjectName("ynczCombo")
        self.yncz_combo.setSizeAdjustPolicy(QComboBox.AdjustToMinimumContentsLengthWithIcon)
        self.yncz_combo.setMinimumContentsLength(12)
        self.yncz_combo.addItem(tr("No PBF change"), "")
        self.yncz_combo.addItem(tr("Move out of PBF (调出)"), "OUT")
        self.yncz_combo.addItem(tr("Move into PBF (调入)"), "IN")
        form.addRow(tr("Permanent basic farmland"), self.yncz_combo)
        return form_box

    # ------------------------------------------------------------------ choices
    @property
    def current_type(self) -> Optional[str]:
        item = self.palette.currentItem()
        return item.data(0, TYPE_ROLE) if item is not None else None

    def set_type(self, code: str) -> None:
        for item in self._type_items():
            if item.data(0, TYPE_ROLE) == code:
                self.palette.setCurrentItem(item)
                return
        raise KeyError(code)

    def _type_items(self) -> list[QTreeWidgetItem]:
        out = []
        for i in range(self.palette.topLevelItemCount()):
            top = self.palette.topLevelItem(i)
            out.extend(top.child(j) for j in range(top.childCount()))
        return out

    def _type_changed(self, *_args) -> None:
        code = self.current_type
        self._fill_classes(self.types[code].targets if code else None)
        self.update_summary()

    def _fill_classes(self, targets: Optional[Sequence[str]]) -> None:
        """The classes the type may produce; the first class of its first target is chosen.

        Before a type is chosen every class is listed (to look one up) but none is chosen.
        """
        self.class_combo.clear()
        for code, label in class_choices(targets):
            self.class_combo.addItem(label, code)
        index = -1
        if targets:
            # the lowest code of the first target: 01 -> 0101 水田, 03 -> 0301 乔木林地 (not the wetland
            # 0303 the 三调 table order lists first)
            first = sorted(c for c, _label in class_choices(targets[:1]))
            index = self.class_combo.findData(first[0]) if first else 0
        self.class_combo.setCurrentIndex(index)
        if index < 0:
            self.class_combo.setEditText("")

    def set_target(self, code: str) -> None:
        index = self.class_combo.findData(code)
        if index < 0:
            raise KeyError(code)
        self.class_combo.setCurrentIndex(index)

    def target_class(self) -> Optional[str]:
        """The class after: the chosen item, or what was typed ("0101", "0101 水田", "水田")."""
        text = self.class_combo.currentText().strip()
        if not text:
            return None
        index = self.class_combo.findText(text)
        if index < 0:
            first = text.split()[0]
            index = self.class_combo.findData(first)
        if index < 0:
            matches = [i for i in range(self.class_combo.count())
                       if QRegExp(QRegExp.escape(text), Qt.CaseInsensitive).indexIn(self.class_combo.itemText(i)) >= 0]
            index = matches[0] if len(matches) == 1 else -1
        return self.class_combo.itemData(index) if index >= 0 else None

    # ------------------------------------------------------------------ editing
    def _fields(self, layer: QgsVectorLayer) -> dict[str, int]:
        out = {}
        for canonical in ("ZZLX", "GHDLBM", "GHKCXS", "YNCZ"):
            name = self.session.plan_field(canonical)
            idx = layer.fields().indexOf(name) if name else -1
            if idx < 0:
                raise ValueError(tr("The parcel layer has no field for {0}; add the plan fields in the project "
                                    "set-up.").format(canonical))
            out[canonical] = idx
        return out

    def _editable_layer(self) -> Optional[QgsVectorLayer]:
        layer = self.session.parcels
        if layer is None:
            push_message(self.iface, tr("Set up the project first: choose the parcel layer."), Qgis.Warning, 5)
            return None
        if not layer.selectedFeatureCount():
            push_message(self.iface, tr("Select parcels on the map first."), Qgis.Info, 5)
            return None
        if not layer.isEditable():
            if not layer.startEditing():
                push_message(self.iface, tr("The layer {0} cannot be edited.").format(layer.name()), Qgis.Warning)
                return None
            push_message(self.iface, tr("Editing of {0} was started; save the layer edits to keep the tags.")
                         .format(layer.name()), Qgis.Info, 5)
        return layer

    def _write(self, layer: QgsVectorLayer, values: dict[str, Any], command: str) -> int:
        idx = self._fields(layer)
        changes = {idx[k]: v for k, v in values.items()}
        ids = list(layer.selectedFeatureIds())
        layer.beginEditCommand(command)
        try:
            for fid in ids:
                layer.changeAttributeValues(fid, changes)
        except Exception:
            layer.destroyEditCommand()
            raise
        layer.endEditCommand()
        layer.triggerRepaint()
        self.update_summary()
        return len(ids)

    def apply_to_selected(self) -> int:
        """Tag the selected parcels; returns how many were tagged (0: nothing done, message shown)."""
        code = self.current_type
        if not code:
            push_message(self.iface, tr("Choose a remediation type in the list first."), Qgis.Info, 5)
            return 0
        target = self.target_class()
        rtype = self.types[code]
        if not target or not rtype.allows(target):
            push_message(self.iface, tr("Choose a land class after that the type {0} may produce ({1}).")
                         .format(code, ", ".join(rtype.targets)), Qgis.Warning, 8)
            return 0
        layer = self._editable_layer()
        if layer is None:
            return 0
        self.update_summary()
        if self.misfits:
            push_message(self.iface, self._misfit_text(code), Qgis.Warning, 8)
        values = {
            "ZZLX": code,
            "GHDLBM": target,
            "GHKCXS": self.ghkcxs_spin.value() if self.ghkcxs_check.isChecked() else None,
            "YNCZ": self.yncz_combo.currentData() or None,
        }
        return self._write(layer, values, tr("Tag parcels"))

    def clear_selected(self) -> int:
        """Remove the plan from the selected parcels (their class stays as surveyed)."""
        layer = self._editable_layer()
        if layer is None:
            return 0
        values = {"ZZLX": None, "GHDLBM": None, "GHKCXS": None, "YNCZ": None}
        return self._write(layer, values, tr("Clear parcel tags"))

    # ------------------------------------------------------------------ summary and style
    @guarded("Summarising the selection")
    def update_summary(self) -> None:
        layer = self.session.parcels
        self.misfits = {}
        self.fit_label.hide()
        if layer is None:
            self.summary_label.setText("")
            return
        ids = layer.selectedFeatureIds()
        if not ids:
            self.summary_label.setText(tr("No parcels selected. Select parcels on the map, then choose a type "
                                          "and the land class after."))
            return
        fm = self.session.field_map()
        dlbm, tbmj = fm.parcels.get("DLBM"), fm.parcels.get("TBMJ")
        zzlx = fm.plan.get("ZZLX")
        names = [n for n in (dlbm, tbmj, zzlx) if n]
        request = QgsFeatureRequest().setFilterFids(list(ids)).setFlags(REQUEST_NO_GEOMETRY)
        request.setSubsetOfAttributes(names, layer.fields())
        by_class: dict[str, float] = defaultdict(float)
        tagged = 0
        total = 0.0
        scale = MU_M2 if self.session.config.tbmj_in_mu else 1.0
        for f in layer.getFeatures(request):
            value = f[tbmj] if tbmj else None
            area = float(value) * scale if value not in (None, "") and str(value) != "NULL" else 0.0
            by_class[str(f[dlbm])] += area
            total += area
            if zzlx and f[zzlx] not in (None, "") and str(f[zzlx]) != "NULL":
                tagged += 1
        table = default_table()
        zh = chinese()
        chosen = self.types.get(self.current_type or "")
        if chosen is not None:
            for f in layer.getFeatures(request):
                code = str(f[dlbm])
                if not chosen.allows_source(code, table.resolve(code)):
                    self.misfits[code] = self.misfits.get(code, 0) + 1
        if self.misfits:
            self.fit_label.setText(self._misfit_text(chosen.code))
            self.fit_label.show()
        mu = unit_label("mu", zh)
        lines = [tr("<b>{0}</b> parcels selected, {1} {2} ({3} already tagged)").format(
            len(ids), format_number(total / MU_M2, 2), mu, tagged)]
        rows = sorted(by_class.items(), key=lambda kv: -kv[1])
        for code, area in rows[:8]:
            cls = table.get(table.resolve(code))
            name = cls.name(zh) if table.is_known(code) else tr("unknown class")
            lines.append(f"{code} {name}: {format_number(area / MU_M2, 2)} {mu}")
        if len(rows) > 8:
            lines.append(tr("… and {0} more classes").format(len(rows) - 8))
        self.summary_label.setText("<br>".join(lines))

    def _misfit_text(self, code: str) -> str:
        table = default_table()
        zh = chinese()
        parts = []
        for cls, n in sorted(self.misfits.items()):
            name = table.get(table.resolve(cls)).name(zh) if table.is_known(cls) else tr("unknown class")
            parts.append(tr("{0} {1} ({2} parcels)").format(cls, name, n))
        t = self.types[code]
        return tr("{0} is not meant for parcels of class {1}: it applies to {2}.").format(
            t.name(zh), ", ".join(parts), ", ".join(t.sources))

    def style_parcels(self) -> bool:
        """Categorised renderer by ZZLX with the colours of remediation_types.json."""
        layer = self.session.parcels
        field = self.session.plan_field("ZZLX")
        if layer is None or not field:
            push_message(self.iface, tr("Set up the project first: choose the parcel layer."), Qgis.Warning, 5)
            return False
        base = QgsFillSymbol.createSimple({"outline_color": "#555555", "outline_width": "0.1"})
        untagged = QgsFillSymbol.createSimple({"color": UNTAGGED_COLOUR, "outline_color": "#9e9e9e",
                                               "outline_width": "0.1"})
        untagged.setOpacity(0.6)
        layer.setRenderer(type_renderer(field, chinese(), base, untagged=untagged, outline="#555555"))
        layer.triggerRepaint()
        if self.iface is not None and hasattr(self.iface, "layerTreeView"):
            try:
                self.iface.layerTreeView().refreshLayerSymbology(layer.id())
            except Exception:  # the mock iface of the tests has no layer tree view
                pass
        return True

    # ------------------------------------------------------------------ slots
    @guarded("Tagging parcels")
    def _apply_clicked(self, *_args) -> None:
        self.apply_to_selected()

    @guarded("Clearing parcel tags")
    def _clear_clicked(self, *_args) -> None:
        self.clear_selected()

    @guarded("Styling the parcels")
    def _style_clicked(self, *_args) -> None:
        self.style_parcels()

    def _selection_changed(self, *_args) -> None:
        self._summary_timer.start()

    def _drop_layer(self) -> None:
        """Disconnect from the parcel layer while it still exists (also on its willBeDeleted)."""
        layer, self._layer = self._layer, None
        if layer is None:
            return
        try:
            layer.selectionChanged.disconnect(self._selection_changed)
            layer.willBeDeleted.disconnect(self._drop_layer)
        except (TypeError, RuntimeError):
            pass  # the wrapper already knows the layer is gone: Qt dropped the connections

    @guarded("Updating the tagging panel")
    def _config_changed(self) -> None:
        self._drop_layer()
        self._layer = self.session.parcels
        if self._layer is not None:
            self._layer.selectionChanged.connect(self._selection_changed)
            self._layer.willBeDeleted.connect(self._drop_layer)
            self.status_label.setText(tr("Parcels: {0}").format(self._layer.name()))
        else:
            self.status_label.setText(tr("Not set up: choose the parcel and units layers in the project set-up."))
        enabled = self._layer is not None
        for widget in (self.apply_button, self.clear_button, self.style_button):
            widget.setEnabled(enabled)
        self.update_summary()

    def _stop_timers(self) -> None:
        self._summary_timer.stop()


__all__ = ["TaggingPanel", "class_choices"]
