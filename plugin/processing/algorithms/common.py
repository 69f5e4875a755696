"""What the plugin's Processing algorithms share: parameters, inputs, rule pack, engine build.

Algorithms stay thin: they declare parameters, turn them into :class:`~..adapters.layers.Inputs`
and call the same adapter/core code as the docks and the command line. They catch the plugin's
two exceptions (core/errors.py), never lists of specific classes: a ``PlanError`` becomes a
``QgsProcessingException`` with its message, a core ``Cancelled`` this module's ``Cancelled``.

Thread safety: Processing runs algorithms in a background thread. Layers are prepared in
``prepareAlgorithm`` (main thread): a file-backed layer without unsaved edits is opened
again from its source (an independent copy the worker may read), a memory layer or a
layer with unsaved edits is materialised (its edit buffer included).
"""
from __future__ import annotations

from pathlib import Path

from qgis.core import (
    QgsFeature,
    QgsFeatureRequest,
    QgsFeatureSink,
    QgsFields,
    QgsGeometry,
    QgsProcessingAlgorithm,
    QgsProcessingException,
    QgsProcessingParameterBoolean,
    QgsProcessingParameterEnum,
    QgsProcessingParameterField,
    QgsProcessingParameterFile,
    QgsProcessingParameterNumber,
    QgsProcessingParameterVectorLayer,
    QgsVectorLayer,
)
from qgis.PyQt.QtGui import QIcon

from ...adapters.qgis_compat import SOURCE_VECTOR_POLYGON, WKB_NO_GEOMETRY, make_field
from ...core.checks import DEFAULT_TOLERANCE
from ...core.errors import Cancelled as CoreCancelled
from ...core.errors import PlanError
from ...core.i18n import tr
from ...core.rules import RulePack, RulePackError, available_packs, load_pack
from ...paths import icon_path

PARCELS, UNITS, UNIT_FIELD, PBF = "PARCELS", "UNITS", "UNIT_FIELD", "PBF"
RED_LINE, UGB, BOUNDARY = "RED_LINE", "UGB", "BOUNDARY"
RULE_PACK, RULE_FILE, TBMJ_IN_MU, TOLERANCE = "RULE_PACK", "RULE_FILE", "TBMJ_IN_MU", "TOLERANCE"

_KINDS = {"TEXT": "string", "REAL": "double", "INTEGER": "int", "INTEGER64": "int64"}


class Cancelled(QgsProcessingException):
    """Processing's form of ``core.errors.Cancelled``: the algorithm stops and writes nothing.

    Raised where the core's ``Cancelled`` is caught (and by ``check_cancel``), inside the
    algorithm's own frames, as Processing expects a QgsProcessingException there.
    """


def pack_choices() -> list[tuple[str, Path]]:
    """(display name, path) of every bundled rule pack; the name falls back to the file stem."""
    out = []
    for path in available_packs():
        try:
            pack = load_pack(path)
            label = f"{pack.name(True)} / {pack.name(False)} ({path.stem})"
        except (RulePackError, OSError, ValueError):
            label = path.stem
        out.append((label, path))
    return out


def _in_project(layer_id: str) -> bool:
    """True when the current project holds the layer ``layer_id``."""
    from qgis.core import QgsProject

    return QgsProject.instance().mapLayer(layer_id) is not None


def session_setup():
    """The plugin's set-up stored in the current project (its layers and rule pack), or None.

    The planning session keeps its configuration in the project (``adapters.project_config``);
    reading it here lets the toolbox dialogs start from the planner's own choices (a plan must
    not be exported under the national pack while the session judges it by 江苏's).
    """
    try:
        from qgis.core import QgsProject

        from ...adapters.project_config import SessionConfig

        config = SessionConfig.read(QgsProject.instance())
    except Exception:  # no project, or unreadable entries: the plain defaults
        return None
    return config if config.complete else None


def snapshot(layer: QgsVectorLayer | None) -> QgsVectorLayer | None:
    """A copy of ``layer`` that a worker thread may read (see the module docstring)."""
    if layer is None:
        return None
    if layer.providerType() == "memory" or layer.isModified():
        copy = layer.materialize(QgsFeatureRequest())
    else:
        copy = QgsVectorLayer(layer.source(), layer.name(), layer.providerType())
        if not copy.isValid():
            return layer
        provider = layer.dataProvider()
        if provider is not None and provider.encoding() and copy.dataProvider() is not None \
                and copy.dataProvider().encoding() != provider.encoding():
            copy.setProviderEncoding(provider.encoding())  # a shapefile's "data source encoding" (GBK…)
    if layer.crs().isValid():
        copy.setCrs(layer.crs())
    return copy


def table_fields(columns) -> QgsFields:
    fields = QgsFields()
    for name, kind in columns:
        fields.append(make_field(name, _KINDS[kind]))
    return fields


def qgs_geometry(geom) -> QgsGeometry:
    """shapely -> multi-part QgsGeometry (empty for None)."""
    if geom is None or geom.is_empty:
        return QgsGeometry()
    import shapely

    g = QgsGeometry()
    g.fromWkb(shapely.to_wkb(geom))
    g.convertToMultiType()
    return g


class LandConsolidationAlgorithm(QgsProcessingAlgorithm):
    """Base of the provider's algorithms: naming, groups, shared parameters and helpers."""

    _group = "balance"

    # ------------------------------------------------------------------ identity
    def createInstance(self):
        return type(self)()

    def group(self) -> str:
        return {"balance": tr("Balance"), "checks": tr("Checks"), "export": tr("Export")}[self._group]

    def groupId(self) -> str:
        return self._group

    def icon(self) -> QIcon:
        return QIcon(icon_path("icon.svg"))

    # ------------------------------------------------------------------ parameters
    def add_layer(self, name: str, description: str, optional: bool = False) -> None:
        setup = session_setup()
        role = {PARCELS: "parcels", UNITS: "units", PBF: "pbf"}.get(name)
        default = (getattr(setup, role, "") or None) if setup is not None and role else None
        if default is not None and not _in_project(default):
            default = None  # a layer of the set-up since removed: no default, not an invalid one
        self.addParameter(QgsProcessingParameterVectorLayer(
            name, description, [SOURCE_VECTOR_POLYGON], defaultValue=default, optional=optional))

    def add_sources(self, pbf: bool = True) -> None:
        self.add_layer(PARCELS, tr("Parcels (三调 DLTB)"))
        self.add_layer(UNITS, tr("Remediation units"))
        self.addParameter(QgsProcessingParameterField(
            UNIT_FIELD, tr("Unit code field (default: DYBH)"), parentLayerParameterName=UNITS,
            type=QgsProcessingParameterField.Any, optional=True))
        if pbf:
            self.add_layer(PBF, tr("Permanent basic farmland (optional)"), optional=True)

    def add_zones(self) -> None:
        """The optional layers of the data checks' 三区三线 and boundary findings."""
        self.add_layer(RED_LINE, tr("Ecological protection red line (optional)"), optional=True)
        self.add_layer(UGB, tr("Urban growth boundary (optional)"), optional=True)
        self.add_layer(BOUNDARY, tr("Project boundary (optional)"), optional=True)

    def data_checks(self, parameters, context, engine, inputs, reader, pack, progress=None, cancelled=None) -> list:
        """Every data-check finding (``adapters.datachecks.run_checks``) with the layers of :meth:`add_zones`."""
        from ...adapters.datachecks import run_checks

        try:
            return run_checks(engine, inputs, reader, reader.crs, pack,
                              red_line=self.layer(parameters, RED_LINE, context),
                              ugb=self.layer(parameters, UGB, context),
                              boundary=self.layer(parameters, BOUNDARY, context),
                              progress=progress, cancelled=cancelled)
        except PlanError as exc:
            raise QgsProcessingException(str(exc)) from None

    def add_pack(self) -> None:
        choices = pack_choices()
        stems = [p.stem for _, p in choices]
        default = stems.index("national") if "national" in stems else 0
        custom = None
        setup = session_setup()  # the planning session's pack when the project is set up
        if setup is not None and setup.rule_pack:
            if setup.rule_pack in stems:
                default = stems.index(setup.rule_pack)
            elif Path(setup.rule_pack).suffix.lower() == ".json":
                custom = setup.rule_pack
        self.addParameter(QgsProcessingParameterEnum(
            RULE_PACK, tr("Rule pack"), options=[label for label, _ in choices], defaultValue=default))
        self.addParameter(QgsProcessingParameterFile(
            RULE_FILE, tr("Custom rule pack (JSON; replaces the rule pack above)"),
            behavior=QgsProcessingParameterFile.File, extension="json", defaultValue=custom, optional=True))

    def add_tbmj_in_mu(self) -> None:
        setup = session_setup()
        self.addParameter(QgsProcessingParameterBoolean(
            TBMJ_IN_MU, tr("TBMJ, KCMJ and TBDLMJ are in mu (亩), not m²"),
            defaultValue=bool(setup.tbmj_in_mu) if setup is not None else False))

    def add_tolerance(self) -> None:
        self.addParameter(QgsProcessingParameterNumber(
            TOLERANCE, tr("Area tolerance (m²): overlaps smaller than this are ignored"),
            type=QgsProcessingParameterNumber.Double, minValue=0.0, defaultValue=DEFAULT_TOLERANCE))

    # ------------------------------------------------------------------ reading parameters
    def prepareAlgorithm(self, parameters, context, feedback) -> bool:
        """Main thread: take thread-safe copies of every input layer (module docstring)."""
        from ...adapters.layers import layer_sources

        self._layers = {}
        self._protect = []
        for definition in self.parameterDefinitions():
            if isinstance(definition, QgsProcessingParameterVectorLayer):
                name = definition.name()
                original = self.parameterAsVectorLayer(parameters, name, context)
                if original is not None:
                    self._protect += layer_sources(original)  # outputs must not overwrite the files behind
                copy = snapshot(original)
                if copy is not None and copy is not original:
                    # The context owns the copy from now on and frees it with itself, on the
                    # main thread and while QGIS is up. Held only by this algorithm (which
                    # QGIS keeps after a failure), it would be freed after exitQgis: a crash.
                    context.temporaryLayerStore().addMapLayer(copy)
                self._layers[name] = copy
        return True

    def postProcessAlgorithm(self, context, feedback) -> dict:
        self._layers = {}
        self._protect = []
        return {}

    def layer(self, parameters, name: str, context) -> QgsVectorLayer | None:
        layers = getattr(self, "_layers", {})
        if name in layers:
            return layers[name]
        return snapshot(self.parameterAsVectorLayer(parameters, name, context))

    def inputs(self, parameters, context):
        from ...adapters.layers import Inputs

        parcels = self.layer(parameters, PARCELS, context)
        units = self.layer(parameters, UNITS, context)
        if parcels is None or units is None:
            raise QgsProcessingException(tr("Choose a parcel layer and a remediation unit layer."))
        field = self.parameterAsString(parameters, UNIT_FIELD, context) or None
        pbf = self.layer(parameters, PBF, context) if PBF in [p.name() for p in self.parameterDefinitions()] \
            else None
        tbmj_in_mu = self.parameterAsBoolean(parameters, TBMJ_IN_MU, context) \
            if self.parameterDefinition(TBMJ_IN_MU) is not None else False
        return Inputs(parcels=parcels, units=units, pbf=pbf, unit_field=field, tbmj_in_mu=tbmj_in_mu,
                      protect=list(getattr(self, "_protect", [])))

    @staticmethod
    def refuse_inputs(inputs, pack, targets) -> None:
        """QgsProcessingException if an output is one of the inputs (or two outputs are one file)."""
        from ...adapters.outputs import refuse_inputs

        try:
            refuse_inputs(targets, [*inputs.sources(), pack.path])
        except PlanError as exc:
            raise QgsProcessingException(str(exc)) from None

    def pack(self, parameters, context) -> RulePack:
        custom = self.parameterAsFile(parameters, RULE_FILE, context)
        try:
            if custom:
                return load_pack(custom)
            choices = pack_choices()
            index = self.parameterAsEnum(parameters, RULE_PACK, context)
            if not 0 <= index < len(choices):
                raise QgsProcessingException(tr("Unknown rule pack number {0}").format(index))
            return load_pack(choices[index][1])
        except (RulePackError, OSError) as exc:
            raise QgsProcessingException(tr("The rule pack cannot be used: {0}").format(exc)) from None

    # ------------------------------------------------------------------ running
    @staticmethod
    def check_cancel(feedback) -> None:
        if feedback is not None and feedback.isCanceled():
            raise Cancelled(tr("Cancelled; nothing was written."))

    def build(self, inputs, pack, feedback, start: float = 0.0, span: float = 100.0):
        """``build_engine`` with progress in [start, start + span] % and cancellation."""
        from ...adapters.layers import build_engine

        self.check_cancel(feedback)
        try:
            engine, reader = build_engine(
                inputs, pack,
                progress=(lambda f: feedback.setProgress(start + span * f)) if feedback else None,
                cancelled=feedback.isCanceled if feedback else None)
        except PlanError as exc:
            raise QgsProcessingException(str(exc)) from None
        except CoreCancelled:
            raise Cancelled(tr("Cancelled; nothing was written.")) from None
        self.check_cancel(feedback)
        for w in engine.warnings() + reader.warnings():
            feedback.pushWarning(w) if hasattr(feedback, "pushWarning") else feedback.reportError(w)
        return engine, reader

    def sink(self, parameters, name: str, context, fields, geometry_type, crs=None):
        """``parameterAsSink`` that first refuses a destination file that is one of the algorithm's inputs.

        A sink to ``parcels.gpkg`` would replace the whole file: the check runs before the sink is made,
        so nothing is written (a ``ogr:dbname=…`` destination adds a table and is allowed).
        """
        from ...adapters.outputs import refuse_inputs

        target = self.parameterAsOutputLayer(parameters, name, context) or ""
        sources = []
        for d in self.parameterDefinitions():
            if d.isDestination():
                continue
            if d.type() == "file":
                sources.append(self.parameterAsFile(parameters, d.name(), context))
            elif d.type() in ("source", "vector"):
                layer = self.parameterAsVectorLayer(parameters, d.name(), context)
                sources.append(layer.source() if layer is not None else None)
        if not target.lower().startswith(("ogr:", "memory:", "postgres:", "postgis:")):
            try:
                refuse_inputs([target], sources)
            except PlanError as exc:
                raise QgsProcessingException(str(exc)) from None
        args = (parameters, name, context, fields, geometry_type) + ((crs,) if crs is not None else ())
        return self.parameterAsSink(*args)

    def table_sink(self, parameters, name: str, context, columns, rows, feedback=None) -> str | None:
        """Write ``rows`` into the optional non-spatial sink ``name``; its destination id or None."""
        if parameters.get(name) is None:
            return None  # optional table not asked for
        sink, dest = self.sink(parameters, name, context, table_fields(columns), WKB_NO_GEOMETRY)
        if sink is None:
            return None
        for row in rows:
            self.check_cancel(feedback)
            f = QgsFeature()
            f.setAttributes([None if v is None else v for v in row])
            sink.addFeature(f, QgsFeatureSink.FastInsert)
        return dest
