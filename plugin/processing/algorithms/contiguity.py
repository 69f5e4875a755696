"""landconsolidation:contiguity — 集中连片 patches and blocks (as ``cli contiguity``)."""
from __future__ import annotations

import dataclasses

from qgis.core import (
    QgsFeature,
    QgsFeatureSink,
    QgsProcessingException,
    QgsProcessingOutputNumber,
    QgsProcessingParameterFeatureSink,
    QgsProcessingParameterNumber,
)
from qgis.PyQt.QtCore import QLocale

from ...adapters.qgis_compat import SOURCE_VECTOR_ANY, SOURCE_VECTOR_POLYGON, WKB_MULTIPOLYGON
from ...core.i18n import language_is_chinese, tr
from .common import LandConsolidationAlgorithm, qgs_geometry, table_fields

OUTPUT, STATS, GAP = "OUTPUT", "STATS", "GAP"
PATCHES, BLOCKS = "PATCHES", "BLOCKS"


class ContiguityAlgorithm(LandConsolidationAlgorithm):
    _group = "balance"

    def name(self) -> str:
        return "contiguity"

    def displayName(self) -> str:
        return tr("Farmland contiguity (集中连片)")

    def shortHelpString(self) -> str:
        return tr(
            "Patches of farmland and of permanent basic farmland, before and after the plan, in every "
            "remediation unit and in the whole project: parcels lying within the gap tolerance of each other "
            "(across 田坎, ditches and field roads) form one patch. A patch's area is its parcels' farmland area "
            "as the balance counts it (TBMJ apportioned, 耕地 net of 田坎).\n\n"
            "The patches layer has one feature per patch (unit_code '*' = whole project; layer "
            "farmland_before, farmland_after, pbf_before or pbf_after; block = the largest block size it "
            "reaches). The statistics table gives per unit and layer the number of patches, total, mean and "
            "largest patch and the 百亩方 / 千亩方 / 万亩方 counts and areas. Gap and block sizes come from the "
            "rule pack (section contiguity); a gap given here overrides the pack's.")

    def initAlgorithm(self, config=None) -> None:
        self.add_sources()
        self.add_pack()
        self.add_tbmj_in_mu()
        self.addParameter(QgsProcessingParameterNumber(
            GAP, tr("Gap tolerance (m; empty = the rule pack's)"), QgsProcessingParameterNumber.Double,
            optional=True, minValue=0.0))
        self.addParameter(QgsProcessingParameterFeatureSink(OUTPUT, tr("Farmland patches"), SOURCE_VECTOR_POLYGON))
        self.addParameter(QgsProcessingParameterFeatureSink(
            STATS, tr("Contiguity statistics"), SOURCE_VECTOR_ANY, optional=True, createByDefault=False))
        self.addOutput(QgsProcessingOutputNumber(PATCHES, tr("Number of farmland patches after (whole project)")))
        self.addOutput(QgsProcessingOutputNumber(BLOCKS, tr("Number of blocks of the smallest size after "
                                                            "(whole project)")))

    def processAlgorithm(self, parameters, context, feedback) -> dict:
        from ...core.contiguity import PROJECT, ContiguitySettings
        from ...core.contiguity_live import Contiguity
        from ...core.contiguity_report import PATCH_COLUMNS, patch_rows, stats_columns, stats_rows, summary_lines

        inputs = self.inputs(parameters, context)
        pack = self.pack(parameters, context)
        engine, _reader = self.build(inputs, pack, feedback, 0.0, 60.0)
        settings = ContiguitySettings.from_pack(pack)
        if parameters.get(GAP) is not None:
            settings = dataclasses.replace(settings, gap_m=self.parameterAsDouble(parameters, GAP, context))
        state = Contiguity(settings)
        state.build(engine)
        self.check_cancel(feedback)
        feedback.setProgress(75)
        rows, geoms = patch_rows(state, engine)
        sink, dest = self.sink(parameters, OUTPUT, context, table_fields(PATCH_COLUMNS),
                                          WKB_MULTIPOLYGON, inputs.parcels.crs())
        if sink is None:
            raise QgsProcessingException(self.invalidSinkError(parameters, OUTPUT))
        for row, geom in zip(rows, geoms):
            self.check_cancel(feedback)
            feat = QgsFeature()
            feat.setGeometry(qgs_geometry(geom))
            feat.setAttributes(list(row))
            sink.addFeature(feat, QgsFeatureSink.FastInsert)
        results = {OUTPUT: dest}
        table = self.table_sink(parameters, STATS, context, stats_columns(state), stats_rows(state, engine), feedback)
        if table:
            results[STATS] = table
        after = state.stats(PROJECT)["farmland_after"]
        results[PATCHES] = after.count
        results[BLOCKS] = after.blocks[0][1] if after.blocks else 0
        feedback.pushInfo(tr("Gap tolerance: {0} m").format(settings.gap_m))
        chinese = language_is_chinese(QLocale().name())
        for line in summary_lines(state, engine, PROJECT, chinese):
            feedback.pushInfo(line)
        feedback.setProgress(100)
        return results
