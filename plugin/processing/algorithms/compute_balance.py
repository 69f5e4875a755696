"""landconsolidation:computebalance — per-unit land-class balance and indicators (as ``cli balance``)."""
from __future__ import annotations

from qgis.core import (
    QgsProcessingException,
    QgsProcessingOutputNumber,
    QgsProcessingParameterBoolean,
    QgsProcessingParameterFeatureSink,
    QgsProcessingParameterFileDestination,
)

from ...adapters.qgis_compat import PARAMETER_ADVANCED, SOURCE_VECTOR_ANY
from ...core.i18n import tr
from .common import PARCELS, PBF, TBMJ_IN_MU, UGB, UNIT_FIELD, UNITS, LandConsolidationAlgorithm

OUTPUT, BALANCE, INDICATORS = "OUTPUT", "BALANCE", "INDICATORS"
UNIT_COUNT, FAILED_UNITS = "UNIT_COUNT", "FAILED_UNITS"
IN_DATABASE = "IN_DATABASE"


def indicator_table_rows(engine, townships=()) -> list[tuple]:
    """The rows of the ``indicators`` table: units, the project, then the townships (``townships``)."""
    return [(r.unit_code, r.rule_id, r.value, r.threshold, None if r.passed is None else int(r.passed), r.severity,
             r.reason) for r in [*engine.indicator_rows(), *townships]]


class ComputeBalanceAlgorithm(LandConsolidationAlgorithm):
    _group = "balance"

    def name(self) -> str:
        return "computebalance"

    def displayName(self) -> str:
        return tr("Compute balance")

    def shortHelpString(self) -> str:
        return tr(
            "Area balance of every remediation unit and of the whole project: land-class areas before and "
            "after consolidation (m², from TBMJ apportioned by the share of each parcel inside a unit) and "
            "the indicators of the chosen rule pack (新增耕地率, 永农净增, 建设用地变化…).\n\n"
            "Writes a GeoPackage with the tables 'balance' (unit_code, dlbm, area_before_m2, "
            "area_after_m2; unit_code '*' = whole project) and 'indicators' (unit_code, rule_id, value, "
            "threshold, passed, severity, reason; passed NULL with a reason = not assessable), the same tables "
            "as the command 'python -m plugin.cli balance'. "
            "The two tables can also be loaded as layers.\n\n"
            "With permanent basic farmland and a rule pack with township rules, the indicators also hold "
            "the township PBF adjustment limits (unit_code = the 9-digit township code); the urban growth "
            "boundary (optional) is needed for the rule on PBF moved out inside it.\n\n"
            "Compute inside the database (advanced): when the parcels, units and permanent basic farmland "
            "are PostGIS layers of one database, the balance is computed there with SQL (only sums leave "
            "the server), as 'python -m plugin.cli balance --in-database'.")

    def initAlgorithm(self, config=None) -> None:
        self.add_sources()
        self.add_layer(UGB, tr("Urban growth boundary (optional)"), optional=True)
        self.add_pack()
        self.add_tbmj_in_mu()
        in_database = QgsProcessingParameterBoolean(
            IN_DATABASE, tr("Compute inside the database (PostGIS sources only)"), defaultValue=False)
        in_database.setFlags(in_database.flags() | PARAMETER_ADVANCED)
        self.addParameter(in_database)
        self.addParameter(QgsProcessingParameterFileDestination(
            OUTPUT, tr("Balance GeoPackage"), fileFilter=tr("GeoPackage (*.gpkg)")))
        self.addParameter(QgsProcessingParameterFeatureSink(
            BALANCE, tr("Balance table"), SOURCE_VECTOR_ANY, optional=True, createByDefault=False))
        self.addParameter(QgsProcessingParameterFeatureSink(
            INDICATORS, tr("Indicator table"), SOURCE_VECTOR_ANY, optional=True, createByDefault=False))
        self.addOutput(QgsProcessingOutputNumber(UNIT_COUNT, tr("Number of units")))
        self.addOutput(QgsProcessingOutputNumber(FAILED_UNITS, tr("Number of units failing an error rule")))

    def processAlgorithm(self, parameters, context, feedback) -> dict:
        from ...adapters.gpkg import BALANCE_COLUMNS, INDICATOR_COLUMNS, atomic_output, write_balance_tables
        from ...core.errors import PlanError
        from ...core.report import summary_lines

        pack = self.pack(parameters, context)
        out = self.parameterAsFileOutput(parameters, OUTPUT, context)
        if self.parameterAsBoolean(parameters, IN_DATABASE, context):
            engine, towns = self.in_database(parameters, context, pack, feedback)
        else:
            inputs = self.inputs(parameters, context)
            self.refuse_inputs(inputs, pack, [out])
            engine, reader = self.build(inputs, pack, feedback, 0.0, 85.0)
            towns = self.townships(parameters, context, engine, reader, inputs)
        results: dict = {}
        if out:
            try:
                with atomic_output(out, overwrite=True) as tmp:
                    write_balance_tables(tmp, engine, towns)
                    self.check_cancel(feedback)
            except PlanError as exc:
                raise QgsProcessingException(str(exc)) from None
            results[OUTPUT] = out
        feedback.setProgress(92)
        dest = self.table_sink(parameters, BALANCE, context, BALANCE_COLUMNS, engine.balance_rows(), feedback)
        if dest:
            results[BALANCE] = dest
        dest = self.table_sink(parameters, INDICATORS, context, INDICATOR_COLUMNS, indicator_table_rows(engine, towns),
                               feedback)
        if dest:
            results[INDICATORS] = dest
        uids = engine.ordered_units()
        results[UNIT_COUNT] = len(uids)
        reason = engine.not_assessable()
        results[FAILED_UNITS] = sum(1 for uid in uids if engine.unit_status(uid, reason) is False)
        for line in summary_lines(engine, townships=towns):
            if line:
                feedback.pushInfo(line)
        feedback.setProgress(100)
        return results

    def townships(self, parameters, context, engine, reader, inputs) -> list:
        """The township PBF limits of the in-process balance (as ``cli balance --pbf … --ugb …``)."""
        from ...adapters.townships import township_results

        return township_results(engine, inputs.pbf, self.layer(parameters, UGB, context), reader.crs)

    def in_database(self, parameters, context, pack, feedback) -> tuple:
        """(engine, township results) computed in the database of the PostGIS input layers
        (``balance --in-database``); the township limits' variables are summed there and judged here."""
        from ...adapters.postgis.commands import in_database_balance
        from ...adapters.postgis.layers import database_sources
        from ...core.errors import PlanError
        from ...core.townships import evaluate_variables

        self.check_cancel(feedback)
        layers = [self.parameterAsVectorLayer(parameters, name, context) for name in (PARCELS, UNITS, PBF, UGB)]
        if layers[0] is None or layers[1] is None:
            raise QgsProcessingException(tr("Choose a parcel layer and a remediation unit layer."))
        try:
            *sources, ugb = database_sources(*layers)
            feedback.pushInfo(tr("Computing the balance inside the database: only sums leave it."))
            engine = in_database_balance(*sources, self.parameterAsString(parameters, UNIT_FIELD, context) or None,
                                         self.parameterAsBoolean(parameters, TBMJ_IN_MU, context), pack, ugb)
        except PlanError as exc:  # DatabaseError: its message never holds a password
            raise QgsProcessingException(str(exc)) from None
        feedback.setProgress(85)
        self.check_cancel(feedback)
        for w in engine.warnings():
            feedback.pushWarning(w) if hasattr(feedback, "pushWarning") else feedback.reportError(w)
        return engine, (evaluate_variables(engine, *engine.townships) if engine.townships is not None else [])
