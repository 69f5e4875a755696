"""The 建议 (suggestions) panel: which parcels to tag so that a failing unit passes (docs/suggestions.md).

:class:`SuggestPanel` is a :class:`~.dock_base.PlanningPanel` on the session (the workbench hosts it
as its 建议 tab). "Suggest" runs ``core.suggest`` on the live engine for the chosen unit (failing
units first); the table ranks the candidates (the plan highlighted); "Preview" shows the unit's
indicators as if the top k were tagged (tag-and-revert in the engine, nothing written); "Apply"
tags the top k in the parcel layer as one undo step. An edit of the plan makes the list stale: it is
cleared with a note to suggest again.
"""
from __future__ import annotations

from typing import Optional

from qgis.PyQt.QtCore import Qt
from qgis.PyQt.QtGui import QBrush, QColor
from qgis.PyQt.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSpinBox,
    QTableWidgetItem,
    QWidget,
)

from ..core.i18n import tr
from .balance_tables import format_rule_value
from .common import format_area
from .dock_base import PlanningPanel
from .errors import guarded, push_message

PLAN_COLOUR = QColor("#dcedc8")
COLUMNS = 5  # rank, parcel, classes, type, area


class SuggestPanel(PlanningPanel):
    """Suggestions for the chosen unit (see the module docstring)."""

    OBJECT_NAME = "LandConsolidationSuggestPanel"

    def __init__(self, iface, session=None, parent: Optional[QWidget] = None):
        super().__init__(iface, session, parent, tr("Suggestions"), tr("Suggest"))
        self.suggestion = None
        self._state = None  # (engine, unit aggregate) the suggestion was made on
        self._build_ui()
        self.connect_signals((self.session.updated, self._updated), (self.session.configChanged, self._updated))
        self._updated()

    # ------------------------------------------------------------------ UI
    def _build_ui(self) -> None:
        _root, layout = self._contents()
        row = QHBoxLayout()
        self.unit_combo = QComboBox(self)
        self.unit_combo.setObjectName("suggestUnit")
        self.suggest_button = QPushButton(tr("Suggest"), self)
        self.suggest_button.setObjectName("suggestButton")
        self.suggest_button.setToolTip(tr("Rank the parcels whose tagging would make the unit's failing rule pass"))
        self.suggest_button.clicked.connect(self.run)
        row.addWidget(self.unit_combo, 1)
        row.addWidget(self.suggest_button)
        layout.addLayout(row)
        self.summary_label = QLabel(self)
        self.summary_label.setObjectName("suggestSummary")
        self.summary_label.setWordWrap(True)
        layout.addWidget(self.summary_label)
        self.table = self._read_only_table(
            "suggestTable", [tr("#"), tr("Parcel"), tr("Class change"), tr("Type"), tr("Area (mu)")], 1, self._zoom)
        layout.addWidget(self.table, 1)
        act = QHBoxLayout()
        act.addWidget(QLabel(tr("Top"), self))
        self.k_spin = QSpinBox(self)
        self.k_spin.setObjectName("suggestTopK")
        self.k_spin.setMinimum(0)
        self.preview_button = QPushButton(tr("Preview"), self)
        self.preview_button.setToolTip(tr("The unit's indicators as if the top parcels were tagged "
                                          "(nothing is written)"))
        self.preview_button.clicked.connect(self.show_preview)
        self.apply_button = QPushButton(tr("Apply"), self)
        self.apply_button.setToolTip(tr("Tag the top parcels in the parcel layer (one undo step)"))
        self.apply_button.clicked.connect(self.apply)
        act.addWidget(self.k_spin)
        act.addWidget(self.preview_button)
        act.addWidget(self.apply_button)
        act.addStretch(1)
        layout.addLayout(act)
        self.preview_label = QLabel(self)
        self.preview_label.setObjectName("suggestPreview")
        self.preview_label.setWordWrap(True)
        self.preview_label.setTextFormat(Qt.RichText)
        layout.addWidget(self.preview_label)
        self._enable()

    def _enable(self) -> None:
        has = self.suggestion is not None and bool(self.suggestion.ranked)
        for w in (self.k_spin, self.preview_button, self.apply_button):
            w.setEnabled(has)

    # ------------------------------------------------------------------ data
    @guarded("Listing the units to suggest for")
    def _updated(self, *_args) -> None:
        engine, parcels = self.session.engine, self.session.parcels
        self.status_label.setText(tr("Parcels: {0}").format(parcels.name()) if parcels is not None else
                                  tr("Not set up: choose the parcel and unit layers in the project set-up."))
        if self.suggestion is not None and self._state != self._current_state(self.suggestion.uid):
            self._clear(tr("The plan changed: suggest again."))
        current = self.unit_combo.currentData()
        self.unit_combo.blockSignals(True)
        self.unit_combo.clear()
        if engine is not None:
            units = engine.ordered_units()
            failing = [u for u in units if engine.unit_status(u) is False]
            for uid in failing + [u for u in units if u not in failing]:
                mark = "✗ " if uid in failing else ""
                self.unit_combo.addItem(mark + engine.unit_code(uid), uid)
        want = current if current is not None else self.session.current_unit
        index = self.unit_combo.findData(want) if want is not None else -1
        self.unit_combo.setCurrentIndex(index if index >= 0 else 0)
        self.unit_combo.blockSignals(False)
        self.suggest_button.setEnabled(engine is not None and self.unit_combo.count() > 0)

    def _current_state(self, uid):
        engine = self.session.engine
        if engine is None or not engine.has_unit(uid):
            return None
        return id(engine), dict(engine.aggregate(uid))

    def _clear(self, note: str = "") -> None:
        self.suggestion = None
        self._state = None
        self.table.setRowCount(0)
        self.summary_label.setText(note)
        self.preview_label.setText("")
        self._enable()

    def _red_line(self):
        from ..adapters.layers import read_polygons

        layer = self.session.layer("redline")
        live = self.session.live
        if layer is None or live is None or live.reader is None:
            return None
        return read_polygons(layer, live.reader.crs)

    @guarded("Suggesting parcels")
    def run(self, *_args) -> None:
        from ..core.suggest import suggest

        engine, uid = self.session.engine, self.unit_combo.currentData()
        if engine is None or uid is None or not engine.has_unit(uid):
            return
        self.suggestion = suggest(engine, uid, red_line=self._red_line())
        self._state = self._current_state(uid)
        self._fill()
        self.session.parcels.selectByIds([c.pid for c in self.suggestion.plan])  # the plan, seen on the map

    def _fill(self) -> None:
        s = self.suggestion
        engine = self.session.engine
        text = self._summary(engine, s)
        if not s.red_line_checked:
            text += "\n" + tr("No ecological red line is set up: parcels in it may be suggested.")
        self.summary_label.setText(text)
        self.table.setRowCount(len(s.ranked))
        in_plan = {c.pid for c in s.plan}
        for k, c in enumerate(s.ranked):
            bsm = engine.raw_record(c.pid).bsm
            cells = [str(k + 1), f"#{c.pid}", f"{c.dlbm} → {c.ghdlbm}", c.zzlx, format_area(c.area_m2, "mu")]
            tip = tr("BSM {0}; gain {1:.4g}; next to farmland: {2}; slope grade (GDPDJB): {3}").format(
                bsm or "—", c.gain, tr("yes") if c.adjacent else tr("no"), c.slope if c.slope is not None else "—")
            for col, text in enumerate(cells):
                item = QTableWidgetItem(text)
                item.setToolTip(tip)
                if col == 4:
                    item.setTextAlignment(Qt.AlignRight | Qt.AlignVCenter)
                if c.pid in in_plan:
                    item.setBackground(QBrush(PLAN_COLOUR))
                self.table.setItem(k, col, item)
        self.k_spin.setMaximum(len(s.ranked))
        self.k_spin.setValue(len(s.plan) if s.plan else min(len(s.ranked), 1))
        self._enable()
        self.show_preview()

    def _summary(self, engine, s) -> str:
        if s.rule_id is None:
            return tr("Unit {0} fails no rule: nothing to suggest.").format(s.unit_code)
        rule = engine.pack.rule(s.rule_id)
        now = tr("{0}: {1} (required {2} {3})").format(rule.name(_zh()), format_rule_value(rule, s.value_before, "mu"),
                                                      rule.op_symbol, format_rule_value(rule, rule.threshold, "mu"))
        if not s.reached:
            return now + "\n" + tr("No plan reaches it with the allowed moves; the most the candidates reach "
                                   "together: {0}").format(format_rule_value(rule, s.best_value, "mu"))
        area = sum(c.area_m2 for c in s.plan)
        text = tr("Tag {0} parcels ({1} mu): {2}").format(len(s.plan), format_area(area, "mu"),
                                                           format_rule_value(rule, s.value_after, "mu"))
        if not s.exact:
            text += " " + tr("(greedy plan: the exact optimum breaks another rule)")
        return now + "\n" + text

    @guarded("Previewing the suggestions")
    def show_preview(self, *_args) -> None:
        from ..core.suggest import preview

        s, engine = self.suggestion, self.session.engine
        if s is None or engine is None or self._state != self._current_state(s.uid):
            return
        k = self.k_spin.value()
        if k == 0:
            self.preview_label.setText("")
            return
        results, areas = preview(engine, s.uid, s.ranked[:k])
        farmland = [sum(a for c, (_b, a) in classes.items() if engine.table.is_farmland(c))
                    for classes in (engine.class_areas(s.uid), areas)]
        lines, others, failing = [], 0, []
        for r in results:
            rule = engine.pack.rule(r.rule_id)
            mark = {True: "✓", False: "✗", None: "–"}[r.passed]
            colour = {True: "#2e7d32", False: "#c62828", None: "#666666"}[r.passed]
            value = format_rule_value(rule, r.value, "mu")
            line = f"<span style='color:{colour}'>{mark}</span> {rule.name(_zh())} {value}"
            lines.append(line)
            if r.rule_id == s.rule_id or r.passed is False:
                failing.append(line)
            elif r.passed:
                others += 1
        text = tr("If the top {0} were tagged:").format(k) + " " + "<br>".join(failing)
        text += "<br>" + tr("Other indicators: {0} pass").format(others)
        text += "<br>" + tr("Farmland after the plan: {0} → {1} mu").format(format_area(farmland[0], "mu"),
                                                                           format_area(farmland[1], "mu"))
        self.preview_label.setText(text)
        self.preview_label.setToolTip("<br>".join(lines))

    @guarded("Applying the suggestions")
    def apply(self, *_args) -> int:
        from ..adapters.suggestions import apply_moves

        s, layer = self.suggestion, self.session.parcels
        if s is None or layer is None or self._state != self._current_state(s.uid):
            return 0
        fields = {}
        for canonical in ("ZZLX", "GHDLBM", "GHKCXS"):
            name = self.session.plan_field(canonical)
            fields[canonical] = layer.fields().indexOf(name) if name else -1
            if fields[canonical] < 0:
                push_message(self.iface, tr("The parcel layer has no field for {0}; add the plan fields in the "
                                            "project set-up.").format(canonical))
                return 0
        if not layer.isEditable() and not layer.startEditing():
            push_message(self.iface, tr("The layer {0} cannot be edited.").format(layer.name()))
            return 0
        n = apply_moves(layer, fields, s.ranked[:self.k_spin.value()])
        self.session.flush()
        return n

    def _zoom(self, row: int, _column: int) -> None:
        s, layer = self.suggestion, self.session.parcels
        if s is None or layer is None or not 0 <= row < len(s.ranked):
            return
        layer.selectByIds([s.ranked[row].pid])
        if self.iface is not None:
            self.iface.mapCanvas().zoomToSelected(layer)


def _zh() -> bool:
    from .common import chinese

    return chinese()
