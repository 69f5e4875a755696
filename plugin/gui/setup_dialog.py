"""Project set-up (项目设置): layers, field mapping and rule pack of the planning session."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Optional

from qgis.core import QgsProject, QgsVectorLayer
from qgis.gui import QgsMapLayerComboBox
from qgis.PyQt import uic
from qgis.PyQt.QtCore import Qt
from qgis.PyQt.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QHeaderView,
    QMessageBox,
    QTableWidgetItem,
)

from ..adapters.qgis_compat import LAYER_FILTER_POLYGON
from ..core.fields import default_mapping, resolve_parcel_fields
from ..core.i18n import tr
from ..core.rules import RulePackError, available_packs, load_pack
from ..paths import UI_DIR
from .db_init_section import DatabaseInitSection
from .errors import guarded, push_message
from .project_layers import add_plan_fields, detect_layers, missing_plan_fields
from .session import PlanningSession, SessionConfig

#: Canonical parcel fields shown in the mapping table, with what they mean to a planner.
MAPPED_FIELDS = ("DLBM", "TBMJ", "KCXS", "KCMJ", "KCDLBM", "TBDLMJ", "BSM", "ZZLX", "GHDLBM", "GHKCXS", "YNCZ")
LOAD_JSON = "__load_json__"
FORM_CLASS, _ = uic.loadUiType(str(UI_DIR / "setup_dialog.ui"))


def field_label(canonical: str) -> str:
    return {
        "DLBM": tr("Land class code (DLBM)"),
        "TBMJ": tr("Parcel area (TBMJ)"),
        "KCXS": tr("Deduction coefficient (KCXS)"),
        "KCMJ": tr("Deducted area (KCMJ)"),
        "KCDLBM": tr("Deducted class (KCDLBM)"),
        "TBDLMJ": tr("Net class area (TBDLMJ)"),
        "BSM": tr("Parcel id (BSM)"),
        "ZZLX": tr("Remediation type (ZZLX)"),
        "GHDLBM": tr("Land class after (GHDLBM)"),
        "GHKCXS": tr("Deduction coefficient after (GHKCXS)"),
        "YNCZ": tr("PBF action (YNCZ)"),
    }.get(canonical, canonical)


class SetupDialog(QDialog, FORM_CLASS):
    """Choose the layers (auto-detected), check the field mapping, pick the rule pack."""

    OBJECT_NAME = "LandConsolidationSetupDialog"

    def __init__(self, session: PlanningSession, iface: Any = None, parent=None):
        super().__init__(parent)
        self.session = session
        self.iface = iface
        self._overrides: dict = {}
        self.setupUi(self)  # ui/setup_dialog.ui: the layout; rows and choices are filled below
        self.setObjectName(self.OBJECT_NAME)
        self.setWindowTitle(tr("Project set-up"))
        self.combos: dict[str, QgsMapLayerComboBox] = {
            role: getattr(self, f"setup_{role}") for role in ("parcels", "units", "pbf", "redline", "ugb")}
        for role, combo in self.combos.items():
            combo.setFilters(LAYER_FILTER_POLYGON)
            combo.setAllowEmptyLayer(role != "parcels")
        self.field_table = self.setup_fields
        self.field_table.setRowCount(len(MAPPED_FIELDS))
        self.field_table.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeToContents)
        self.field_combos: dict[str, QComboBox] = {}
        for row, canonical in enumerate(MAPPED_FIELDS):
            item = QTableWidgetItem(field_label(canonical))
            item.setFlags(item.flags() & ~Qt.ItemIsEditable)
            self.field_table.setItem(row, 0, item)
            combo = QComboBox(self.field_table)
            self.field_combos[canonical] = combo
            self.field_table.setCellWidget(row, 1, combo)
        self.pack_combo = self.setup_pack
        for path in available_packs():
            try:
                pack = load_pack(path.stem)
            except RulePackError:
                continue
            self.pack_combo.addItem(f"{pack.name_zh}（{pack.name_en}）", path.stem)
        self.pack_combo.addItem(tr("Load JSON…"), LOAD_JSON)
        self.pack_combo.activated.connect(self._pack_activated)
        self.buttons.button(QDialogButtonBox.Ok).setText(tr("Apply"))
        self.buttons.button(QDialogButtonBox.Cancel).setText(tr("Cancel"))
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)

        self.combos["parcels"].layerChanged.connect(self._fill_fields)
        self.database = DatabaseInitSection(self)  # db init on a QGIS PostgreSQL connection
        self.layout.insertWidget(self.layout.indexOf(self.buttons), self.database)  # ui: the QVBoxLayout "layout"
        self.load(session.config)

    # ------------------------------------------------------------------ state
    def load(self, config: SessionConfig) -> None:
        """Show ``config``; roles it leaves empty get the auto-detected layer."""
        self._overrides = dict(config.field_overrides)
        detected = detect_layers(QgsProject.instance())
        for role, combo in self.combos.items():
            layer_id = getattr(config, role) or detected.get(role, "")
            layer = QgsProject.instance().mapLayer(layer_id) if layer_id else None
            combo.setLayer(layer)
        self._fill_fields()
        self.tbmj_in_mu.setChecked(config.tbmj_in_mu)
        self._select_pack(config.rule_pack or "national")

    def _select_pack(self, pack: str) -> None:
        index = self.pack_combo.findData(pack)
        if index < 0:
            try:
                loaded = load_pack(pack)
                label = f"{loaded.name_zh} — {Path(pack).name}"
            except RulePackError:
                label = Path(pack).name
            index = self.pack_combo.count() - 1
            self.pack_combo.insertItem(index, label, pack)
        self.pack_combo.setCurrentIndex(index)

    @guarded("Choosing the rule pack")
    def _pack_activated(self, index: int) -> None:
        if self.pack_combo.itemData(index) != LOAD_JSON:
            return
        path, _ = QFileDialog.getOpenFileName(self, tr("Load a rule pack"), "", tr("Rule pack (*.json)"))
        if not path:
            self.pack_combo.setCurrentIndex(0)
            return
        try:
            load_pack(path)
        except RulePackError as error:
            QMessageBox.warning(self, tr("Rule pack"), str(error))
            self.pack_combo.setCurrentIndex(0)
            return
        self._select_pack(path)

    @guarded("Showing the fields of the parcel layer")
    def _fill_fields(self, *_args) -> None:
        layer = self.combos["parcels"].currentLayer()
        names = layer.fields().names() if isinstance(layer, QgsVectorLayer) else []
        fm = resolve_parcel_fields(names, self._overrides)
        plan = default_mapping()["plan"]
        for canonical, combo in self.field_combos.items():
            combo.clear()
            combo.addItem(tr("(none)"), "")
            for name in names:
                combo.addItem(name, name)
            actual = fm.plan.get(canonical) if canonical in plan else fm.parcels.get(canonical)
            if not actual and canonical in plan:
                combo.setItemText(0, tr("(none: will be added)"))
            combo.setCurrentIndex(max(0, combo.findData(actual or "")))

    def config(self) -> SessionConfig:
        """The configuration as shown; overrides only where the planner differs from detection."""
        config = SessionConfig()
        for role, combo in self.combos.items():
            layer = combo.currentLayer()
            setattr(config, role, layer.id() if layer is not None else "")
        layer = self.combos["parcels"].currentLayer()
        names = layer.fields().names() if isinstance(layer, QgsVectorLayer) else []
        detected = resolve_parcel_fields(names)
        plan = default_mapping()["plan"]
        for canonical, combo in self.field_combos.items():
            chosen = combo.currentData() or ""
            auto = (detected.plan.get(canonical) if canonical in plan else detected.parcels.get(canonical)) or ""
            if chosen != auto and chosen:
                config.field_overrides[canonical] = chosen
        config.rule_pack = self.pack_combo.currentData() or "national"
        if config.rule_pack == LOAD_JSON:
            config.rule_pack = "national"
        config.tbmj_in_mu = self.tbmj_in_mu.isChecked()
        return config

    def accept(self) -> None:
        config = self.config()
        if not config.parcels:
            QMessageBox.warning(self, tr("Project set-up"), tr("Choose the parcel layer (三调 DLTB)."))
            return
        if not config.units:
            QMessageBox.warning(self, tr("Project set-up"),
                                tr("Choose a remediation units layer, or create one in the remediation units "
                                   "panel (New units layer…)."))
            return
        super().accept()


def run_setup(session: PlanningSession, iface: Any, parent=None) -> bool:
    """Show the set-up dialog; on Apply ask about missing plan fields, then configure the session."""
    dialog = SetupDialog(session, iface, parent)
    if dialog.exec_() != QDialog.Accepted:
        return False
    return apply_config(session, dialog.config(), iface, parent, ask=True)


def apply_config(session: PlanningSession, config: SessionConfig, iface: Any = None, parent=None,
                 ask: bool = True, add_fields: Optional[bool] = None) -> bool:
    """Add missing plan fields (asking first when ``ask``) and start the session."""
    layer = QgsProject.instance().mapLayer(config.parcels)
    if isinstance(layer, QgsVectorLayer):
        missing = missing_plan_fields(layer, config.field_overrides)
        if missing:
            if add_fields is None and ask:
                answer = QMessageBox.question(
                    parent, tr("Project set-up"),
                    tr("The parcel layer {0} lacks the plan fields {1}. Add them now? They are written to the "
                       "layer's file at once (not as an edit to save); the land class before is not changed.")
                    .format(layer.name(), ", ".join(missing)),
                    QMessageBox.Yes | QMessageBox.No, QMessageBox.Yes)
                add_fields = answer == QMessageBox.Yes
            if add_fields:
                add_plan_fields(layer, missing)
            else:
                push_message(iface, tr("Without the plan fields {0} parcels cannot be tagged.")
                             .format(", ".join(missing)))
    return session.apply(config)
