"""landconsolidation:validateunits — problems of the remediation unit layer as features."""
from __future__ import annotations

from qgis.core import (
    QgsProcessingException,
    QgsProcessingOutputNumber,
    QgsProcessingParameterFeatureSink,
    QgsProcessingParameterField,
)

from ...adapters.qgis_compat import SOURCE_VECTOR_POLYGON
from ...core.i18n import tr
from .common import BOUNDARY, TOLERANCE, UNIT_FIELD, UNITS, LandConsolidationAlgorithm
from .findings_sink import report, write_findings

OUTPUT, ERRORS, WARNINGS = "OUTPUT", "ERRORS", "WARNINGS"


class ValidateUnitsAlgorithm(LandConsolidationAlgorithm):
    _group = "checks"

    def name(self) -> str:
        return "validateunits"

    def displayName(self) -> str:
        return tr("Validate remediation units")

    def shortHelpString(self) -> str:
        return tr(
            "Checks the remediation unit layer before a balance is computed: empty or invalid geometries, "
            "missing or duplicate unit codes (DYBH), units overlapping each other by more than the "
            "tolerance (errors), and parts of units outside the project boundary (warnings; units should "
            "nest in it). Every problem becomes a feature of the output layer with its severity, code, "
            "message and area (m²); geometries are the overlapping or outside parts, in the working CRS "
            "(a Gauss–Krüger zone for geographic layers).")

    def initAlgorithm(self, config=None) -> None:
        self.add_layer(UNITS, tr("Remediation units"))
        self.addParameter(QgsProcessingParameterField(
            UNIT_FIELD, tr("Unit code field (default: DYBH)"), parentLayerParameterName=UNITS,
            type=QgsProcessingParameterField.Any, optional=True))
        self.add_layer(BOUNDARY, tr("Project boundary (optional)"), optional=True)
        self.add_tolerance()
        self.addParameter(QgsProcessingParameterFeatureSink(
            OUTPUT, tr("Unit problems"), SOURCE_VECTOR_POLYGON))
        self.addOutput(QgsProcessingOutputNumber(ERRORS, tr("Number of errors")))
        self.addOutput(QgsProcessingOutputNumber(WARNINGS, tr("Number of warnings")))

    def processAlgorithm(self, parameters, context, feedback) -> dict:
        from ...adapters.constraints import validate_units
        from ...core.errors import PlanError

        units = self.layer(parameters, UNITS, context)
        if units is None:
            raise QgsProcessingException(tr("Choose a remediation unit layer."))
        self.check_cancel(feedback)
        try:
            findings, crs = validate_units(units, self.parameterAsString(parameters, UNIT_FIELD, context) or None,
                                           self.layer(parameters, BOUNDARY, context),
                                           self.parameterAsDouble(parameters, TOLERANCE, context))
        except PlanError as exc:
            raise QgsProcessingException(str(exc)) from None
        self.check_cancel(feedback)
        feedback.setProgress(80)
        dest = write_findings(self, parameters, OUTPUT, context, findings, crs, feedback)
        errors, warnings = report(feedback, findings)
        feedback.setProgress(100)
        return {OUTPUT: dest, ERRORS: errors, WARNINGS: warnings}
