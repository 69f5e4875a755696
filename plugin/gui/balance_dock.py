"""Panel of the live area balance (面积平衡).

The tree shows 整治前后土地利用结构调整表 (三大类 → 一级类 → 二级类: before, after, change) for
the chosen scope, the table below it the policy indicators. Both are QStandardItemModels
whose number cells keep the m² value in ``M2_ROLE``; the unit selector only re-formats text.

``refresh`` runs after every edit (``PlanningSession.updated``): it computes only the shown
scope and, when the rows are the same as before (the usual case: a tag changes numbers, not
which classes occur), writes the new numbers into the existing items instead of rebuilding
the model, so the tree keeps its expansion, scroll position and selection.
"""

from __future__ import annotations

import importlib.util
from typing import Hashable, Optional

from qgis.core import Qgis, QgsApplication
from qgis.PyQt.QtCore import Qt
from qgis.PyQt.QtGui import QStandardItem
from qgis.PyQt.QtWidgets import (
    QApplication,
    QComboBox,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QToolButton,
    QWidget,
)

from ..adapters.townships import LiveTownships
from ..core import verdicts
from ..core.areas import unit_label
from ..core.i18n import tr
from ..core.report import structure_rows
from . import balance_files, balance_tables
from .balance_layout import BalanceViews, ElidedLabel
from .balance_tables import requirement_text, rule_value_text, unit_title
from .common import area_units, chinese
from .contiguity_table import ContiguityTable
from .dock_base import PlanningPanel
from .errors import guarded, push_message
from .refusal import show_refusal
from .verdict import source_text

SCOPE_PROJECT, SCOPE_EACH, SCOPE_SELECTED = "project", "each", "selected"

# rule_value_text, requirement_text and unit_title are imported from here by the workbench
__all__ = ["SCOPE_EACH", "SCOPE_PROJECT", "SCOPE_SELECTED", "BalancePanel", "requirement_text", "rule_value_text",
           "unit_title"]


class BalancePanel(PlanningPanel):
    """Shows, unit by unit, the land class balance and the policy indicators."""

    OBJECT_NAME = "LandConsolidationBalancePanel"

    def __init__(self, iface, session=None, parent=None):
        super().__init__(iface, session, parent, tr("Area balance"), tr("Balances"))
        session = self.session
        self._keys: list = []
        self._value_items: list[tuple[QStandardItem, QStandardItem, QStandardItem]] = []
        self._indicator_keys: list = []
        self._indicator_items: list[tuple[QStandardItem, ...]] = []
        self._towns: tuple = (None, None)  # (layer ids, adapters.townships.LiveTownships)
        self._build_ui()
        self.connect_signals(
            (session.updated, self.refresh),
            (session.configChanged, self._config_changed),
            (session.rebuildStarted, self._rebuild_started),
            (session.rebuildProgress, self._rebuild_progress),
            (session.rebuildFinished, self._rebuild_finished),
            (session.failed, self._failed),
            (session.refused, lambda text: show_refusal(self.iface, self.session, text)),
            (session.notice, lambda text: push_message(self.iface, text, Qgis.Warning, 0)),
            (session.currentUnitChanged, self._current_unit_changed),
        )
        self._config_changed()

    # ------------------------------------------------------------------ UI
    def _build_ui(self) -> None:
        root, layout = self._contents()
        layout.setSpacing(4)
        layout.addLayout(self._build_controls(root))
        layout.addWidget(self._build_progress(root))
        # tree, indicator table sized to its rows, township limits and contiguity as foldable tabs
        self.views = BalanceViews(root, ContiguityTable)
        for name in ("model", "tree", "indicator_model", "indicator_view", "township_model", "township_view",
                     "contiguity_view"):
            setattr(self, name, getattr(self.views, name))
        layout.addWidget(self.views, 1)
        notes = QHBoxLayout()  # one line under the tables: the footnote and the notes (whole in the Notes tab)
        notes.setSpacing(6)
        self.basis_label = QLabel(root)  # the footnote of the rules marked *: 依据待核实 (why: its tooltip)
        self.basis_label.setObjectName("unverifiedBasis")
        self.basis_label.setCursor(Qt.WhatsThisCursor)
        self.basis_label.hide()
        notes.addWidget(self.basis_label)
        self.warning_label = ElidedLabel(root, self.views.show_notes)
        self.warning_label.setObjectName("balanceWarnings")
        self.warning_label.setStyleSheet("color: #8a5a00;")
        notes.addWidget(self.warning_label, 1)
        layout.addLayout(notes)
        self._set_headers()

    def _build_controls(self, root: QWidget) -> QHBoxLayout:
        """One row: scope, area unit, and copy / save / recompute as small tool buttons."""
        controls = QHBoxLayout()
        controls.setSpacing(3)
        controls.addWidget(QLabel(tr("Scope"), root))
        self.scope_combo = QComboBox(root)
        self.scope_combo.setObjectName("scopeCombo")
        self.scope_combo.setSizeAdjustPolicy(QComboBox.AdjustToMinimumContentsLengthWithIcon)
        self.scope_combo.setMinimumContentsLength(4)
        self.scope_combo.addItem(tr("Whole project"), SCOPE_PROJECT)
        self.scope_combo.addItem(tr("Each unit"), SCOPE_EACH)
        self.scope_combo.addItem(tr("Selected unit"), SCOPE_SELECTED)
        self.scope_combo.currentIndexChanged.connect(self._scope_changed)
        controls.addWidget(self.scope_combo, 1)
        self.unit_combo = QComboBox(root)
        self.unit_combo.setObjectName("areaUnitCombo")
        self.unit_combo.setToolTip(tr("Area unit"))
        for key, label in area_units():
            self.unit_combo.addItem(label, key)
        self.unit_combo.currentIndexChanged.connect(self._unit_changed)
        controls.addWidget(self.unit_combo)
        for name, icon, text, tip, slot in (
                ("copy_button", "mActionEditCopy.svg", tr("Copy"),
                 tr("Copy both tables to the clipboard (tab-separated, for Excel/WPS)"), self.copy_to_clipboard),
                ("save_button", "mActionFileSave.svg", tr("Save…"), tr("Save as CSV/XLSX…"), self._save_clicked),
                ("rebuild_button", "mActionRefresh.svg", tr("Recompute"),
                 tr("Recompute the whole balance from the layers"), self._rebuild_clicked)):
            button = QToolButton(root)
            button.setObjectName(name)
            button.setIcon(QgsApplication.getThemeIcon(icon))
            button.setText(text)
            button.setToolTip(tr("{0}: {1}").format(text, tip))
            button.setAutoRaise(True)
            button.clicked.connect(slot)
            setattr(self, name, button)
            controls.addWidget(button)
        return controls

    def _build_progress(self, root: QWidget) -> QWidget:
        progress_row = QWidget(root)
        progress_layout = QHBoxLayout(progress_row)
        progress_layout.setContentsMargins(0, 0, 0, 0)
        self.progress = QProgressBar(progress_row)
        self.progress.setRange(0, 100)
        self.progress.setFormat(tr("Computing the balance… %p%"))
        self.cancel_button = QPushButton(tr("Cancel"), progress_row)
        self.cancel_button.clicked.connect(self._cancel_clicked)
        progress_layout.addWidget(self.progress, 1)
        progress_layout.addWidget(self.cancel_button)
        self.progress_row = progress_row
        progress_row.hide()
        return progress_row

    def area_headers(self) -> list[str]:
        """"Before (亩)" … with the area unit: for copies and files (the view's headers are short)."""
        label = unit_label(self.area_unit, chinese())
        return [f"{tr('Before')} ({label})", f"{tr('After')} ({label})", f"{tr('Change')} ({label})"]

    def _set_headers(self) -> None:
        self.views.set_headers(self.area_headers())

    # ------------------------------------------------------------------ properties
    @property
    def area_unit(self) -> str:
        return self.unit_combo.currentData() or "mu"

    @property
    def scope(self) -> str:
        return self.scope_combo.currentData() or SCOPE_PROJECT

    def set_scope(self, scope: str) -> None:
        self.scope_combo.setCurrentIndex(max(0, self.scope_combo.findData(scope)))

    def set_area_unit(self, unit: str) -> None:
        self.unit_combo.setCurrentIndex(max(0, self.unit_combo.findData(unit)))

    def scope_units(self) -> list[Optional[Hashable]]:
        """The engine unit ids shown (None = the whole project)."""
        engine = self.session.engine
        if engine is None:
            return []
        if self.scope == SCOPE_PROJECT:
            return [None]
        if self.scope == SCOPE_EACH:
            return list(engine.ordered_units())
        uid = self.session.current_unit
        return [uid] if uid is not None and engine.has_unit(uid) else []

    # ------------------------------------------------------------------ refresh
    @guarded("Updating the area balance")
    def refresh(self) -> None:
        engine = self.session.engine
        self._update_status()
        if engine is None:
            self._clear_models()
            return
        uids = self.scope_units()
        blocks = [(uid, structure_rows(engine, uid, chinese())) for uid in uids]
        keys = [(uid, r.level, r.category, r.group, r.code, r.name) for uid, rows in blocks for r in rows]
        if self.scope == SCOPE_EACH:
            keys = [(uid, unit_title(self.session, uid)) for uid in uids] + keys
        if keys != self._keys:
            self._rebuild_structure(blocks)
            self._keys = keys
        else:
            values = [r for _uid, rows in blocks for r in rows]
            for items, row in zip(self._value_items, values):
                balance_tables.show_numbers(items, row, self.area_unit)
        self._refresh_indicators(uids)
        self.contiguity_view.fill(self.session, uids, self.area_unit, lambda uid: unit_title(self.session, uid))
        townships = self._refresh_townships(uids)
        self.warning_label.set_note("\n".join(self.session.live.warnings()) if self.session.live else "")
        if not uids and self.scope == SCOPE_SELECTED:
            self.warning_label.set_note(tr("Select a remediation unit in the units panel or on the map."))
        self.views.fit(townships, self.warning_label.note())

    def _clear_models(self) -> None:
        self.model.removeRows(0, self.model.rowCount())
        self.indicator_model.removeRows(0, self.indicator_model.rowCount())
        self.contiguity_view.fill(None, [], self.area_unit, str)
        self.township_model.removeRows(0, self.township_model.rowCount())
        self.views.fit(0, "")
        self.warning_label.set_note("")
        self._keys, self._value_items, self._indicator_keys, self._indicator_items = [], [], [], []

    def _rebuild_structure(self, blocks: list) -> None:
        title = (lambda uid: unit_title(self.session, uid)) if self.scope == SCOPE_EACH else None
        self._value_items, expand = balance_tables.fill_structure(self.model, blocks, self.area_unit, title)
        for item in expand:
            self.tree.setExpanded(item.index(), True)

    def _refresh_indicators(self, uids: list) -> None:
        engine = self.session.engine
        pack = engine.pack
        results = [(uid, res) for uid in uids for res in engine.evaluate(uid)]
        keys = [(uid, res.rule_id) for uid, res in results]
        if keys != self._indicator_keys:
            self.indicator_model.removeRows(0, self.indicator_model.rowCount())
            self._indicator_items = []
            for uid, res in results:
                title = tr("Whole project") if uid is None else unit_title(self.session, uid)
                items = balance_tables.indicator_row(pack.rule(res.rule_id), title)
                self.indicator_model.appendRow(items)
                self._indicator_items.append(tuple(items))
            self._indicator_keys = keys
            self.indicator_view.setColumnHidden(0, self.scope != SCOPE_EACH)
            self._show_basis_note([pack.rule(rule_id) for rule_id in dict.fromkeys(r.rule_id for _u, r in results)])
        for (_uid, res), items in zip(results, self._indicator_items):
            balance_tables.show_result(items, pack.rule(res.rule_id), res, self.area_unit)

    def _refresh_townships(self, uids: list) -> int:
        """The township PBF limits (a tab under the indicators), with the whole project only; returns
        how many townships are shown."""
        results = self.township_results() if None in uids else []
        pack = self.session.engine.pack
        self.township_model.removeRows(0, self.township_model.rowCount())
        for res in results:
            rule = pack.rule(res.rule_id)
            items = balance_tables.indicator_row(rule, res.unit_code)  # the column says 乡镇: the code alone
            balance_tables.show_result(items, rule, res, self.area_unit)
            self.township_model.appendRow(items)
        return len({res.unit_code for res in results})

    def displayed_townships(self) -> list[tuple]:
        """(township, rule name, value, passed) of the township table."""
        return [(self.township_model.item(r, 0).text(), *row)
                for r, row in enumerate(balance_tables.displayed_indicators(self.township_model))]

    def township_results(self) -> list:
        """The township PBF limits (docs/domain.md §7) of the live engine, from the set-up's PBF and
        UGB layers; each parcel's share in them is kept while the engine lives (live edits)."""
        session = self.session
        live, pbf = session.live, session.layer("pbf")
        engine = session.engine
        if engine is None or pbf is None or live is None or live.reader is None:
            return []
        ugb = session.layer("ugb")
        ids = (pbf.id(), ugb.id() if ugb is not None else None)
        if self._towns[0] != ids or self._towns[1].live is not live:
            if self._towns[1] is not None:
                self._towns[1].stop()
            self._towns = (ids, LiveTownships(live, pbf, ugb, self))
            self._towns[1].changed.connect(self.refresh)  # an edit of the UGB layer
        return self._towns[1].results()

    def _drop_layer(self) -> None:
        if self._towns[1] is not None:
            self._towns[1].stop()  # it listens to the UGB layer
        self._towns = (None, None)

    def _show_basis_note(self, rules: list) -> None:
        """'* 依据待核实' under the table when a shown rule is not verified; why, in the tooltip."""
        unverified = [rule for rule in rules if not rule.verified]
        self.basis_label.setVisible(bool(unverified))
        if not unverified:
            return
        self.basis_label.setText("* " + verdicts.unverified_text())
        self.basis_label.setToolTip("\n\n".join(f"{rule.name(chinese())}: {source_text(rule)[1]}"
                                                for rule in unverified))

    def _update_status(self) -> None:
        session = self.session
        if not session.configured:
            self.status_label.setText(tr("Not set up: choose the parcel and units layers in the project set-up."))
            return
        pack = session.pack
        text = tr("Parcels: {0} · Units: {1}").format(session.parcels.name(), session.units.name())
        if pack is not None:
            text += " · " + tr("Rules: {0}").format(pack.name(chinese()))
        if session.engine is None and not session.is_rebuilding:
            text += "\n" + tr("No balance yet: draw at least one remediation unit.")
        self.status_label.setText(text)

    # ------------------------------------------------------------------ reading the model (tests, export)
    def displayed_rows(self) -> list[tuple]:
        """(unit id, level, code or name, before m², after m², change m²) of the shown tree."""
        return balance_tables.displayed_rows(self.model)

    def displayed_indicators(self) -> list[tuple]:
        """(rule name, value, passed) of the indicator table."""
        return balance_tables.displayed_indicators(self.indicator_model)

    def table_text(self) -> str:
        """Both tables, tab-separated, numbers in the chosen unit without group separators."""
        lines = ["\t".join([tr("Unit"), tr("Level"), tr("Code"), tr("Land class"), *self.area_headers()])]
        project = tr("Whole project") if self.scope == SCOPE_PROJECT else ""
        lines += balance_tables.structure_lines(self.model, self.area_unit, project)
        lines.append("")
        lines += balance_tables.indicator_lines(self.indicator_model)
        return "\n".join(lines) + "\n"

    # ------------------------------------------------------------------ slots
    @guarded("Copying the balance")
    def copy_to_clipboard(self, *_args) -> None:
        QApplication.clipboard().setText(self.table_text())
        push_message(self.iface, tr("The balance was copied; paste it into Excel or WPS."), Qgis.Info, 3)

    def frames(self):
        """(structure frame, indicator frame) of the shown scope, as the report module makes them."""
        return balance_files.frames(self.session.engine, self.scope_units(),
                                    lambda uid: unit_title(self.session, uid), self.area_unit, chinese())

    @guarded("Saving the balance")
    def _save_clicked(self, *_args) -> None:
        if self.session.engine is None:
            push_message(self.iface, tr("There is no balance to save yet."), Qgis.Warning, 5)
            return
        path, chosen = QFileDialog.getSaveFileName(
            self, tr("Save the balance"), "", tr("Excel workbook (*.xlsx);;CSV, UTF-8 (*.csv)"))
        if path:
            if not path.lower().endswith((".xlsx", ".csv")):
                path += ".csv" if "csv" in chosen.lower() else ".xlsx"
            self.save(path)

    def save(self, path: str) -> bool:
        """Write the shown scope to ``path`` (.xlsx: two sheets; .csv: both tables one after the other)."""
        structure, indicators = self.frames()
        if path.lower().endswith(".xlsx"):
            if importlib.util.find_spec("openpyxl") is None:
                push_message(self.iface, tr("Saving as XLSX needs the Python package openpyxl, which is not "
                                            "installed (pip install openpyxl). Save as CSV instead."), Qgis.Warning)
                return False
            balance_files.write_xlsx(path, structure, indicators, self.session.engine.pack.rules, self.area_unit)
        else:
            balance_files.write_csv(path, structure, indicators)
        push_message(self.iface, tr("The balance was saved to {0}").format(path), Qgis.Success, 5)
        return True

    @guarded("Recomputing the balance")
    def _rebuild_clicked(self, *_args) -> None:
        self.session.rebuild()

    @guarded("Cancelling the computation")
    def _cancel_clicked(self, *_args) -> None:
        self.session.cancel()

    @guarded("Updating the area balance")
    def _scope_changed(self, *_args) -> None:
        self.refresh()

    @guarded("Updating the area balance")
    def _unit_changed(self, *_args) -> None:
        self._set_headers()
        self._keys = []  # re-format everything
        self._indicator_keys = []
        self.refresh()

    @guarded("Updating the area balance")
    def _current_unit_changed(self, _uid) -> None:
        if self.scope == SCOPE_SELECTED:
            self.refresh()

    @guarded("Updating the area balance")
    def _config_changed(self) -> None:
        self._keys = []
        self._indicator_keys = []
        self.refresh()
        if self.session.is_rebuilding:
            self._rebuild_started()

    def _rebuild_started(self) -> None:
        self.progress.setValue(0)
        self.progress_row.show()

    def _rebuild_progress(self, percent: float) -> None:
        self.progress_row.show()
        self.progress.setValue(int(percent))

    def _rebuild_finished(self, _ok: bool) -> None:
        self.progress_row.hide()
        self._update_status()

    def _failed(self, text: str) -> None:
        push_message(self.iface, text, Qgis.Warning, 10)
        self._update_status()


