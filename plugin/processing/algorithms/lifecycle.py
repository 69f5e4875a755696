"""The unit life cycle in Processing (docs/lifecycle.md): ``setunitstatus``, ``acceptancecheck``,
``progressreport`` — the same guard, acceptance and progress as the Progress panel and the CLI."""
from __future__ import annotations

from qgis.core import (
    QgsProcessingAlgorithm,
    QgsProcessingException,
    QgsProcessingOutputNumber,
    QgsProcessingOutputString,
    QgsProcessingParameterEnum,
    QgsProcessingParameterFeatureSink,
    QgsProcessingParameterField,
    QgsProcessingParameterFileDestination,
    QgsProcessingParameterString,
)

from ...core.errors import PlanError
from ...core.i18n import tr
from ...core.lifecycle import APPROVED, STATUSES, status_label
from .common import UNIT_FIELD, UNITS, LandConsolidationAlgorithm
from .plan_report import split_codes

ACHIEVED, ACHIEVED_FIELD, UNIT_CODE, STATUS, REASON = "ACHIEVED", "ACHIEVED_FIELD", "UNIT_CODE", "STATUS", "REASON"
UNIT_CODES, OUTPUT, SHORT, FROM_STATUS, TO_STATUS, HISTORY = (
    "UNIT_CODES", "OUTPUT", "SHORT", "FROM_STATUS", "TO_STATUS", "HISTORY")


class _LifecycleAlgorithm(LandConsolidationAlgorithm):
    _group = "lifecycle"

    def group(self) -> str:
        return tr("Life cycle")

    def add_achieved(self, optional: bool) -> None:
        self.add_layer(ACHIEVED, tr("Achieved layer: completed works or a later survey (年度变更调查)"),
                       optional=optional)
        self.addParameter(QgsProcessingParameterField(
            ACHIEVED_FIELD, tr("Land-class field of the achieved layer (default: DLBM)"),
            parentLayerParameterName=ACHIEVED, type=QgsProcessingParameterField.String, optional=True))

    def acceptance(self, parameters, context, engine, reader, pack, units=None):
        """Acceptance rows with the achieved layer, or None when none was given."""
        from ...adapters.lifecycle_ops import check_acceptance

        layer = self.layer(parameters, ACHIEVED, context)
        if layer is None:
            return None
        field = self.parameterAsString(parameters, ACHIEVED_FIELD, context) or None
        try:
            return check_acceptance(engine, layer, field, reader.crs, pack, units)
        except PlanError as exc:
            raise QgsProcessingException(str(exc)) from None

    def unit_fields(self, parameters, context, units) -> tuple[str, str]:
        from ...core.fields import resolve_unit_fields

        names = resolve_unit_fields(units.fields().names(), self.parameterAsString(parameters, UNIT_FIELD, context)
                                    or None)
        return names.get("DYBH") or "DYBH", names.get("ZT") or "ZT"


class SetUnitStatusAlgorithm(_LifecycleAlgorithm):
    def name(self) -> str:
        return "setunitstatus"

    def displayName(self) -> str:
        return tr("Set unit status (guarded)")

    def shortHelpString(self) -> str:
        return tr(
            "Moves one remediation unit along its life cycle 储备 → 立项 → 实施 → 验收 → 备案 and writes the change "
            "to the units layer (saved) and a row (who, when, from, to, reason) to the status history: the table "
            "unit_status_history of the units' GeoPackage.\n"
            "Guards: forward only to the next status; back only with a reason; 立项 only while no error-level "
            "data check fails for the unit (the checks run here, with the optional 三区三线 layers); 验收 only "
            "when the acceptance check with the achieved layer finds no shortfall for the unit.")

    def flags(self):
        # the units layer of the project is edited: on the main thread, like QGIS's own edit tools
        return super().flags() | QgsProcessingAlgorithm.FlagNoThreading

    def initAlgorithm(self, config=None) -> None:
        self.add_sources()
        self.add_zones()
        self.add_pack()
        self.add_tbmj_in_mu()
        self.addParameter(QgsProcessingParameterString(UNIT_CODE, tr("Unit code")))
        self.addParameter(QgsProcessingParameterEnum(
            STATUS, tr("New status"), options=[f"{s} {status_label(s)}" for s in STATUSES], defaultValue=1))
        self.addParameter(QgsProcessingParameterString(REASON, tr("Reason (needed to go back)"), optional=True))
        self.add_achieved(optional=True)
        self.addOutput(QgsProcessingOutputString(FROM_STATUS, tr("Status before")))
        self.addOutput(QgsProcessingOutputString(TO_STATUS, tr("Status after")))
        self.addOutput(QgsProcessingOutputString(HISTORY, tr("Where the history is kept")))

    def processAlgorithm(self, parameters, context, feedback) -> dict:
        from ...adapters.lifecycle_ops import set_status
        from ...adapters.lifecycle_store import HistoryStore

        inputs = self.inputs(parameters, context)
        pack = self.pack(parameters, context)
        code = self.parameterAsString(parameters, UNIT_CODE, context).strip()
        target = STATUSES[self.parameterAsEnum(parameters, STATUS, context)]
        reason = self.parameterAsString(parameters, REASON, context) or ""
        engine, reader = self.build(inputs, pack, feedback, 0.0, 50.0)
        findings = self.data_checks(parameters, context, engine, inputs, reader, pack) if target == APPROVED \
            else None
        acceptance = self.acceptance(parameters, context, engine, reader, pack, [code])
        units = self.parameterAsVectorLayer(parameters, UNITS, context)  # the layer itself, not a copy
        code_f, status_f = self.unit_fields(parameters, context, units)
        store = HistoryStore(units)
        try:
            row = set_status(units, code_f, status_f, code, target, reason, findings, acceptance, store)
        except PlanError as exc:
            raise QgsProcessingException(str(exc)) from None
        feedback.pushInfo(tr("Unit {0}: {1} → {2} ({3}, {4})").format(
            code, row.from_status, row.to_status, row.changed_by, row.changed_at))
        feedback.setProgress(100)
        return {FROM_STATUS: row.from_status, TO_STATUS: row.to_status, HISTORY: store.where}


class AcceptanceCheckAlgorithm(_LifecycleAlgorithm):
    def name(self) -> str:
        return "acceptancecheck"

    def displayName(self) -> str:
        return tr("Acceptance check (验收: planned vs achieved)")

    def shortHelpString(self) -> str:
        return tr(
            "Compares the achieved state — a layer of completed works or a later survey (年度变更调查) with a "
            "land-class field — with the plan, per unit, remediation type and class after: the planned area "
            "(TBMJ × the parcel's share in the unit) and the part of it the achieved layer shows in the planned "
            "class (classes match on their first digits: acceptance_match_digits of the rule pack, 2 = 一级类). "
            "A row is short when the achieved area is below the planned one by more than the pack's "
            "acceptance_tolerance_ratio.")

    def initAlgorithm(self, config=None) -> None:
        self.add_sources()
        self.add_pack()
        self.add_tbmj_in_mu()
        self.add_achieved(optional=False)
        self.addParameter(QgsProcessingParameterString(
            UNIT_CODES, tr("Unit codes (comma-separated; empty = all units)"), optional=True))
        self.addParameter(QgsProcessingParameterFeatureSink(OUTPUT, tr("Acceptance table"),
                                                            optional=False))
        self.addOutput(QgsProcessingOutputNumber(SHORT, tr("Rows with a shortfall")))

    def processAlgorithm(self, parameters, context, feedback) -> dict:
        inputs = self.inputs(parameters, context)
        pack = self.pack(parameters, context)
        engine, reader = self.build(inputs, pack, feedback, 0.0, 60.0)
        codes = split_codes(self.parameterAsString(parameters, UNIT_CODES, context))
        rows = self.acceptance(parameters, context, engine, reader, pack, codes)
        for r in rows:
            if not r.ok:
                feedback.reportError(r.unit_code + ": " + r.describe())
        from ...adapters.lifecycle_ops import ACCEPTANCE_COLUMNS, acceptance_rows

        dest = self.table_sink(parameters, OUTPUT, context, ACCEPTANCE_COLUMNS, acceptance_rows(rows), feedback)
        feedback.setProgress(100)
        return {OUTPUT: dest, SHORT: sum(1 for r in rows if not r.ok)}


class ProgressReportAlgorithm(_LifecycleAlgorithm):
    def name(self) -> str:
        return "progressreport"

    def displayName(self) -> str:
        return tr("Project progress report (XLSX)")

    def shortHelpString(self) -> str:
        return tr(
            "Writes the project progress as an Excel workbook: units and areas by life-cycle status (储备, 立项, "
            "实施, 验收, 备案), one row per unit with its status and since when, and — with an achieved layer — "
            "the acceptance table (planned vs achieved per unit, type and class, shortfall), and the status "
            "history of the units' GeoPackage.")

    def initAlgorithm(self, config=None) -> None:
        self.add_sources()
        self.add_pack()
        self.add_tbmj_in_mu()
        self.add_achieved(optional=True)
        self.addParameter(QgsProcessingParameterFileDestination(
            OUTPUT, tr("Progress workbook"), fileFilter=tr("Excel workbook (*.xlsx)")))

    def processAlgorithm(self, parameters, context, feedback) -> dict:
        from ...adapters.lifecycle_ops import project_progress
        from ...adapters.lifecycle_store import HistoryStore
        from ...adapters.progress_xlsx import write_progress_report

        inputs = self.inputs(parameters, context)
        pack = self.pack(parameters, context)
        out = self.parameterAsFileOutput(parameters, OUTPUT, context)
        self.refuse_inputs(inputs, pack, [out])
        engine, reader = self.build(inputs, pack, feedback, 0.0, 60.0)
        acceptance = self.acceptance(parameters, context, engine, reader, pack)
        original = self.parameterAsVectorLayer(parameters, UNITS, context)
        code_f, status_f = self.unit_fields(parameters, context, inputs.units)
        rows, totals, history = project_progress(engine, inputs.units, code_f, status_f, HistoryStore(original),
                                                 acceptance)
        for t in totals:
            feedback.pushInfo(f"{status_label(t.status)}: {t.units}")
        try:
            path = write_progress_report(out, totals, rows, acceptance or [], history)
        except PlanError as exc:  # ReportError, WriteError
            raise QgsProcessingException(str(exc)) from None
        feedback.setProgress(100)
        return {OUTPUT: str(path)}


__all__ = ["AcceptanceCheckAlgorithm", "ProgressReportAlgorithm", "SetUnitStatusAlgorithm"]
