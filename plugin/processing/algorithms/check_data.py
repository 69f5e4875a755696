"""landconsolidation:checkdata — the data checks (数据检查) as features, like the 检查 panel and ``cli check``."""
from __future__ import annotations

from qgis.core import (
    QgsProcessingOutputNumber,
    QgsProcessingParameterFeatureSink,
)

from ...adapters.qgis_compat import SOURCE_VECTOR_POLYGON
from ...core.i18n import tr
from .common import LandConsolidationAlgorithm
from .findings_sink import report, write_findings

OUTPUT, ERRORS, WARNINGS, NOTES = "OUTPUT", "ERRORS", "WARNINGS", "NOTES"


class CheckDataAlgorithm(LandConsolidationAlgorithm):
    _group = "checks"

    def name(self) -> str:
        return "checkdata"

    def displayName(self) -> str:
        return tr("Check data (数据检查)")

    def shortHelpString(self) -> str:
        return tr(
            "Checks the data of the parcels that lie in remediation units, with the tolerances of the rule "
            "pack's 'checks' section.\n"
            "Errors: duplicate BSM not explained by a split (overlapping pieces, identical copies); TBMJ off "
            "the ellipsoidal area by more than the tolerance (1 % and 1 m² by default); invalid geometry; "
            "overlapping parcels; unknown land classes; 三调 rules on field ridges (KCXS > 0 only on 01xx, "
            "KCXS > 0 needs KCDLBM, GDPDJB 1 means KCXS 0); overlapping units; 三区三线 (new construction in "
            "PBF or the red line, PBF moved out larger than brought in).\n"
            "Warnings: gaps inside units; slivers; remediation types that do not fit the class before or after; "
            "new construction outside the urban growth boundary; units beyond the project boundary.\n"
            "Notes: parcels without TBMJ (measured on the ellipsoid).\n"
            "Each finding is a feature with severity, kind, message, unit code, feature id and BSM.")

    def initAlgorithm(self, config=None) -> None:
        self.add_sources()
        self.add_zones()
        self.add_pack()
        self.add_tbmj_in_mu()
        self.addParameter(QgsProcessingParameterFeatureSink(
            OUTPUT, tr("Data check findings"), SOURCE_VECTOR_POLYGON))
        self.addOutput(QgsProcessingOutputNumber(ERRORS, tr("Number of errors")))
        self.addOutput(QgsProcessingOutputNumber(WARNINGS, tr("Number of warnings")))
        self.addOutput(QgsProcessingOutputNumber(NOTES, tr("Number of notes")))

    def processAlgorithm(self, parameters, context, feedback) -> dict:
        from ...adapters.datachecks import FINDING_FIELDS, finding_row

        inputs = self.inputs(parameters, context)
        pack = self.pack(parameters, context)
        engine, reader = self.build(inputs, pack, feedback, 0.0, 50.0)
        findings = self.data_checks(parameters, context, engine, inputs, reader, pack,
                                    progress=lambda f: feedback.setProgress(50.0 + 45.0 * f),
                                    cancelled=feedback.isCanceled)
        self.check_cancel(feedback)
        dest = write_findings(self, parameters, OUTPUT, context, findings, reader.crs, feedback,
                              FINDING_FIELDS, finding_row)
        errors, _warnings = report(feedback, findings)
        notes = sum(1 for f in findings if f.severity == "info")
        feedback.setProgress(100)
        return {OUTPUT: dest, ERRORS: errors, WARNINGS: len(findings) - errors - notes, NOTES: notes}
