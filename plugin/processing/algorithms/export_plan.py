"""landconsolidation:exportplan — the plan GeoPackage (adapters.export.export_plan) from the toolbox."""
from __future__ import annotations

from qgis.core import (
    QgsProcessingAlgorithm,
    QgsProcessingException,
    QgsProcessingOutputNumber,
    QgsProcessingOutputString,
    QgsProcessingParameterBoolean,
    QgsProcessingParameterFileDestination,
    QgsProcessingParameterFolderDestination,
    QgsProcessingParameterString,
)

from ...core.i18n import tr
from .common import Cancelled, LandConsolidationAlgorithm
from .plan_report import split_codes

OUTPUT, OUTPUT_FOLDER, UNIT_CODES, OVERWRITE = "OUTPUT", "OUTPUT_FOLDER", "UNIT_CODES", "OVERWRITE"
TITLE, AUTHOR, FILES, FILE_COUNT = "TITLE", "AUTHOR", "FILES", "FILE_COUNT"


class ExportPlanAlgorithm(LandConsolidationAlgorithm):
    _group = "export"

    def name(self) -> str:
        return "exportplan"

    def displayName(self) -> str:
        return tr("Export plan GeoPackage")

    def flags(self):
        # the export stores styles and a QGIS project in the file: main thread only
        return super().flags() | QgsProcessingAlgorithm.FlagNoThreading

    def shortHelpString(self) -> str:
        return tr(
            "Writes the plan as a GeoPackage for the bureau's platform: the remediation units, the parcels "
            "clipped to them with apportioned areas and plan fields, the balance, indicator and rule-pack "
            "tables, default styles, an embedded QGIS project and metadata. The file is built under a "
            "temporary name and moved into place only when complete.\n"
            "Give a file for one GeoPackage of the chosen units, and/or a folder for one GeoPackage per unit "
            "(<DYBH>.gpkg). Unit codes: comma-separated; empty = every unit.")

    def initAlgorithm(self, config=None) -> None:
        self.add_sources()
        self.add_pack()
        self.add_tbmj_in_mu()
        self.addParameter(QgsProcessingParameterString(
            UNIT_CODES, tr("Unit codes (comma-separated; empty = all units)"), optional=True))
        self.addParameter(QgsProcessingParameterString(TITLE, tr("Plan title (metadata)"), optional=True))
        self.addParameter(QgsProcessingParameterString(AUTHOR, tr("Author (metadata)"), optional=True))
        self.addParameter(QgsProcessingParameterBoolean(
            OVERWRITE, tr("Replace existing files"), defaultValue=True))
        self.addParameter(QgsProcessingParameterFileDestination(
            OUTPUT, tr("Plan GeoPackage"), fileFilter=tr("GeoPackage (*.gpkg)"), optional=True))
        self.addParameter(QgsProcessingParameterFolderDestination(
            OUTPUT_FOLDER, tr("Folder for one GeoPackage per unit"), optional=True, createByDefault=False))
        self.addOutput(QgsProcessingOutputString(FILES, tr("Files written")))
        self.addOutput(QgsProcessingOutputNumber(FILE_COUNT, tr("Number of files written")))

    def processAlgorithm(self, parameters, context, feedback) -> dict:
        from ...adapters.export import export_plan
        from ...adapters.gpkg import WriteError
        from ...core.errors import Cancelled as CoreCancelled
        from ...core.errors import PlanError

        inputs = self.inputs(parameters, context)
        pack = self.pack(parameters, context)
        out = self.parameterAsFileOutput(parameters, OUTPUT, context) if parameters.get(OUTPUT) else ""
        folder = self.parameterAsString(parameters, OUTPUT_FOLDER, context) if parameters.get(OUTPUT_FOLDER) else ""
        if not out and not folder:
            raise QgsProcessingException(tr("Choose a plan GeoPackage or a folder for one GeoPackage per unit."))
        codes = split_codes(self.parameterAsString(parameters, UNIT_CODES, context))
        self.refuse_inputs(inputs, pack, [t for t in (out, folder) if t])
        kw = {"unit_codes": codes, "overwrite": self.parameterAsBoolean(parameters, OVERWRITE, context),
              "title": self.parameterAsString(parameters, TITLE, context) or None,
              "author": self.parameterAsString(parameters, AUTHOR, context) or None}
        self.check_cancel(feedback)
        results: dict = {}
        written = []
        try:
            if out:
                written += export_plan(inputs, pack, out, per_unit=False, feedback=feedback, **kw)
                results[OUTPUT] = str(written[0])
            if folder:
                import os

                try:
                    os.makedirs(folder, exist_ok=True)
                except OSError as exc:
                    raise WriteError(tr("Cannot create the folder {0}: {1}").format(folder, exc)) from None
                written += export_plan(inputs, pack, folder, per_unit=True, feedback=feedback, **kw)
                results[OUTPUT_FOLDER] = folder
        except PlanError as exc:
            raise QgsProcessingException(str(exc)) from None
        except CoreCancelled as exc:
            raise Cancelled(str(exc)) from None
        results[FILES] = "\n".join(str(p) for p in written)
        results[FILE_COUNT] = len(written)
        for p in written:
            feedback.pushInfo(tr("Written: {0}").format(p))
        return results
