"""landconsolidation:suggest — parcels to tag so that a failing unit passes, like ``cli suggest`` and 建议."""
from __future__ import annotations

from qgis.core import (
    QgsFeature,
    QgsFeatureSink,
    QgsProcessingException,
    QgsProcessingOutputNumber,
    QgsProcessingParameterFeatureSink,
    QgsProcessingParameterString,
)

from ...adapters.qgis_compat import SOURCE_VECTOR_POLYGON, WKB_MULTIPOLYGON
from ...core.i18n import tr
from .common import RED_LINE, LandConsolidationAlgorithm, qgs_geometry, table_fields

UNIT, RULE, OUTPUT = "UNIT", "RULE", "OUTPUT"
REACHED, PARCELS, VALUE_AFTER = "REACHED", "PARCELS", "VALUE_AFTER"


class SuggestAlgorithm(LandConsolidationAlgorithm):
    _group = "balance"

    def name(self) -> str:
        return "suggest"

    def displayName(self) -> str:
        return tr("Suggestions for a failing unit (达标建议)")

    def shortHelpString(self) -> str:
        return tr(
            "Ranks the untagged parcels of a unit whose tagging would make a failing rule pass, with the "
            "remediation type and the class after for each (the moves of the rule pack's 'suggest' section "
            "that the type allows from the parcel's class before). Never in the ecological red line, never "
            "reducing PBF, and no rule that passes now may fail. The plan is the set with the fewest parcels "
            "(or the least area, as the pack says), then next to farmland, then flat (GDPDJB).\n"
            "Each candidate is a feature: rank, in_plan (1 for the plan), the move, its area and gain, and the "
            "rule's value if the top k were tagged. When no plan reaches the threshold, REACHED is 0 and "
            "VALUE_AFTER is the most the candidates reach together.")

    def initAlgorithm(self, config=None) -> None:
        self.add_sources()
        self.addParameter(QgsProcessingParameterString(UNIT, tr("Unit code (DYBH)")))
        self.addParameter(QgsProcessingParameterString(
            RULE, tr("Rule id to reach (default: the unit's first failing rule)"), optional=True))
        self.add_layer(RED_LINE, tr("Ecological protection red line (optional)"), optional=True)
        self.add_pack()
        self.add_tbmj_in_mu()
        self.addParameter(QgsProcessingParameterFeatureSink(OUTPUT, tr("Suggestions"), SOURCE_VECTOR_POLYGON))
        self.addOutput(QgsProcessingOutputNumber(REACHED, tr("1 when the plan reaches the threshold")))
        self.addOutput(QgsProcessingOutputNumber(PARCELS, tr("Number of parcels in the plan")))
        self.addOutput(QgsProcessingOutputNumber(VALUE_AFTER, tr("Value of the rule with the plan")))

    def processAlgorithm(self, parameters, context, feedback) -> dict:
        from ...adapters.suggestions import SUGGESTION_FIELDS, suggest_for_unit, suggestion_rows
        from ...core.errors import PlanError
        from ...core.selection import units_by_code
        from ...core.suggest import values_top_k

        inputs = self.inputs(parameters, context)
        pack = self.pack(parameters, context)
        engine, reader = self.build(inputs, pack, feedback, 0.0, 60.0)
        code = self.parameterAsString(parameters, UNIT, context).strip()
        try:
            uid = units_by_code(engine, [code])[code][0]
            s = suggest_for_unit(engine, inputs, uid, reader.crs, self.layer(parameters, RED_LINE, context),
                                 self.parameterAsString(parameters, RULE, context).strip() or None)
        except PlanError as exc:
            raise QgsProcessingException(str(exc)) from None
        except KeyError:
            raise QgsProcessingException(tr("The rule pack has no rule {0} for units").format(
                self.parameterAsString(parameters, RULE, context))) from None
        self.check_cancel(feedback)
        feedback.setProgress(80)
        sink, dest = self.sink(parameters, OUTPUT, context, table_fields(SUGGESTION_FIELDS),
                                          WKB_MULTIPOLYGON, reader.crs)
        if sink is None:
            raise QgsProcessingException(self.invalidSinkError(parameters, OUTPUT))
        for c, row in zip(s.ranked, suggestion_rows(engine, s, values_top_k(engine, s))):
            feat = QgsFeature()
            feat.setGeometry(qgs_geometry(engine.parcel_geometry(c.pid)))
            feat.setAttributes(row)
            sink.addFeature(feat, QgsFeatureSink.FastInsert)
        if not s.red_line_checked:
            feedback.pushInfo(tr("No ecological red line is set up: parcels in it may be suggested."))
        if s.rule_id is None:
            feedback.pushInfo(tr("Unit {0} fails no rule: nothing to suggest.").format(code))
        elif not s.reached:
            feedback.reportError(tr("No plan reaches it with the allowed moves; the most the candidates reach "
                                    "together: {0}").format(s.best_value), False)
        feedback.setProgress(100)
        return {OUTPUT: dest, REACHED: int(s.reached), PARCELS: len(s.plan),
                VALUE_AFTER: s.value_after if s.reached else s.best_value}
