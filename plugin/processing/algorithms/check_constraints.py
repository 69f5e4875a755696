"""landconsolidation:checkconstraints — 三区三线 and plan checks (docs/domain.md §8) as features."""
from __future__ import annotations

from qgis.core import (
    QgsProcessingException,
    QgsProcessingOutputNumber,
    QgsProcessingParameterFeatureSink,
)

from ...adapters.qgis_compat import SOURCE_VECTOR_POLYGON
from ...core.i18n import tr
from .common import BOUNDARY, RED_LINE, TOLERANCE, UGB, LandConsolidationAlgorithm
from .findings_sink import report, write_findings

OUTPUT, ERRORS, WARNINGS = "OUTPUT", "ERRORS", "WARNINGS"


class CheckConstraintsAlgorithm(LandConsolidationAlgorithm):
    _group = "checks"

    def name(self) -> str:
        return "checkconstraints"

    def displayName(self) -> str:
        return tr("Check constraints (三区三线)")

    def shortHelpString(self) -> str:
        return tr(
            "Checks the plan against the three control lines and its own consistency.\n"
            "Errors: new construction (增减挂钩建新, or a parcel whose class after is construction land "
            "and before was not) inside permanent basic farmland or the ecological red line; PBF moved "
            "out (YNCZ = OUT) larger than PBF brought in (YNCZ = IN); overlapping units.\n"
            "Warnings: new construction outside the urban growth boundary; PBF brought in of worse mean "
            "quality grade (GDDB, area-weighted; grade 1 is best) than the PBF moved out; a land class "
            "after (GHDLBM) that the remediation type does not produce; unknown remediation types; units "
            "reaching beyond the project boundary.\n"
            "Each finding is a feature with severity, code, message, unit code, parcel id and area (m²).")

    def initAlgorithm(self, config=None) -> None:
        self.add_sources()
        self.add_zones()
        self.add_tbmj_in_mu()
        self.add_tolerance()
        self.addParameter(QgsProcessingParameterFeatureSink(
            OUTPUT, tr("Constraint findings"), SOURCE_VECTOR_POLYGON))
        self.addOutput(QgsProcessingOutputNumber(ERRORS, tr("Number of errors")))
        self.addOutput(QgsProcessingOutputNumber(WARNINGS, tr("Number of warnings")))

    def processAlgorithm(self, parameters, context, feedback) -> dict:
        from ...adapters.constraints import plan_constraints
        from ...adapters.layers import working_crs
        from ...core.errors import PlanError
        from ...core.rules import bundled_pack

        inputs = self.inputs(parameters, context)
        engine, _reader = self.build(inputs, bundled_pack("national"), feedback, 0.0, 60.0)
        try:
            crs = working_crs(inputs.parcels)
            findings = plan_constraints(
                engine, inputs, crs, red_line=self.layer(parameters, RED_LINE, context),
                ugb=self.layer(parameters, UGB, context), boundary=self.layer(parameters, BOUNDARY, context),
                tolerance=self.parameterAsDouble(parameters, TOLERANCE, context),
                progress=lambda f: feedback.setProgress(60.0 + 30.0 * f), cancelled=feedback.isCanceled)
        except PlanError as exc:
            raise QgsProcessingException(str(exc)) from None
        self.check_cancel(feedback)
        dest = write_findings(self, parameters, OUTPUT, context, findings, crs, feedback)
        errors, warnings = report(feedback, findings)
        feedback.setProgress(100)
        return {OUTPUT: dest, ERRORS: errors, WARNINGS: warnings}
