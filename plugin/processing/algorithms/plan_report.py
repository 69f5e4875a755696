"""landconsolidation:planreport — 整治前后土地利用结构调整表 + indicators as XLSX (and CSV)."""
from __future__ import annotations

from qgis.core import (
    QgsProcessingAlgorithm,
    QgsProcessingException,
    QgsProcessingParameterBoolean,
    QgsProcessingParameterFileDestination,
    QgsProcessingParameterFolderDestination,
    QgsProcessingParameterString,
)

from ...core.i18n import tr
from .common import Cancelled, LandConsolidationAlgorithm

OUTPUT, OUTPUT_CSV, OUTPUT_INDICATORS_CSV = "OUTPUT", "OUTPUT_CSV", "OUTPUT_INDICATORS_CSV"
UNIT_CODES, CHINESE = "UNIT_CODES", "CHINESE"
MAPS_FOLDER = "MAPS_FOLDER"


def split_codes(text: str | None) -> list[str] | None:
    codes = [c.strip() for c in (text or "").replace("，", ",").replace(";", ",").split(",") if c.strip()]
    return codes or None


class _Scaled:
    """Feedback for a step: progress in [start, start + span] % of the algorithm's feedback."""

    def __init__(self, feedback, start: float, span: float):
        self.feedback, self.start, self.span = feedback, start, span

    def setProgress(self, percent: float) -> None:
        if self.feedback is not None:
            self.feedback.setProgress(self.start + self.span * percent / 100.0)

    def isCanceled(self) -> bool:
        return bool(self.feedback is not None and self.feedback.isCanceled())


class PlanReportAlgorithm(LandConsolidationAlgorithm):
    _group = "balance"

    def name(self) -> str:
        return "planreport"

    def displayName(self) -> str:
        return tr("Plan report (structure table, XLSX)")

    def shortHelpString(self) -> str:
        return tr(
            "Writes the 整治前后土地利用结构调整表 (land-use structure before and after consolidation: "
            "三大类, 一级类 and 二级类 rows with the area before, after and the change in 公顷 and 亩) and the "
            "indicator table of the rule pack as an Excel workbook: one sheet for the whole project (全项目) "
            "and one per remediation unit. Optionally the same tables as CSV (UTF-8, opens in Excel).\n"
            "Unit codes: a comma-separated list limits the unit sheets (default: every unit).\n"
            "Unit maps: give a folder to also write an A3 plan map of each unit as PDF (parcels coloured by "
            "remediation type, legend, scale bar, north arrow, the unit's structure table and indicators).")

    def flags(self):
        # Print layouts are built and exported on the main thread (like QGIS's own layout exports).
        return super().flags() | QgsProcessingAlgorithm.FlagNoThreading

    def initAlgorithm(self, config=None) -> None:
        self.add_sources()
        self.add_pack()
        self.add_tbmj_in_mu()
        self.addParameter(QgsProcessingParameterString(
            UNIT_CODES, tr("Unit codes (comma-separated; empty = all units)"), optional=True))
        self.addParameter(QgsProcessingParameterBoolean(
            CHINESE, tr("Chinese headers and land-class names"), defaultValue=True))
        self.addParameter(QgsProcessingParameterFileDestination(
            OUTPUT, tr("Report workbook"), fileFilter=tr("Excel workbook (*.xlsx)")))
        self.addParameter(QgsProcessingParameterFileDestination(
            OUTPUT_CSV, tr("Structure table (CSV)"), fileFilter=tr("CSV files (*.csv)"), optional=True,
            createByDefault=False))
        self.addParameter(QgsProcessingParameterFileDestination(
            OUTPUT_INDICATORS_CSV, tr("Indicator table (CSV)"), fileFilter=tr("CSV files (*.csv)"), optional=True,
            createByDefault=False))
        self.addParameter(QgsProcessingParameterFolderDestination(
            MAPS_FOLDER, tr("Unit maps (one PDF per unit)"), optional=True, createByDefault=False))

    def processAlgorithm(self, parameters, context, feedback) -> dict:
        from ...adapters.gpkg import output_batch
        from ...adapters.report_xlsx import require_openpyxl, write_report, write_report_csv
        from ...core.errors import Cancelled as CoreCancelled
        from ...core.errors import PlanError

        inputs = self.inputs(parameters, context)
        pack = self.pack(parameters, context)
        out = self.parameterAsFileOutput(parameters, OUTPUT, context)
        csv_out = self.parameterAsFileOutput(parameters, OUTPUT_CSV, context) if parameters.get(OUTPUT_CSV) else ""
        ind_out = self.parameterAsFileOutput(parameters, OUTPUT_INDICATORS_CSV, context) \
            if parameters.get(OUTPUT_INDICATORS_CSV) else ""
        maps_dir = self.parameterAsString(parameters, MAPS_FOLDER, context) if parameters.get(MAPS_FOLDER) else ""
        codes = split_codes(self.parameterAsString(parameters, UNIT_CODES, context))
        chinese = self.parameterAsBoolean(parameters, CHINESE, context)
        self.refuse_inputs(inputs, pack, [out, csv_out, ind_out, maps_dir])
        try:
            if out:
                require_openpyxl()  # fail before the long build when openpyxl is missing
            engine, _reader = self.build(inputs, pack, feedback, 0.0, 85.0)
            results: dict = {}
            with output_batch():  # the workbook and the CSV files are moved into place together, or none
                if out:
                    results[OUTPUT] = str(write_report(engine, out, chinese=chinese, units=codes))
                self.check_cancel(feedback)
                if csv_out or ind_out:
                    files = write_report_csv(engine, csv_out or None, chinese=chinese, units=codes,
                                             indicators_path=ind_out or None)
                    if csv_out:
                        results[OUTPUT_CSV] = str(files[0])
                    if ind_out:
                        results[OUTPUT_INDICATORS_CSV] = str(files[-1])
            if maps_dir:
                from ...adapters.unit_maps import write_unit_maps

                self.check_cancel(feedback)
                maps = write_unit_maps(engine, inputs, maps_dir, units=codes, chinese=chinese, fmt="pdf",
                                       feedback=_Scaled(feedback, 88.0, 12.0))
                for path in maps:
                    feedback.pushInfo(tr("Written: {0}").format(path))
                results[MAPS_FOLDER] = maps_dir
        except PlanError as exc:
            raise QgsProcessingException(str(exc)) from None
        except CoreCancelled as exc:
            raise Cancelled(str(exc)) from None
        feedback.setProgress(100)
        return results
