"""The plan writer: one self-describing GeoPackage (or one per unit); see the package's docstring.

Order of work for one file (``_write_file``): OGR creates every layer and writes ``units``;
the parcel copier chosen for the parcel layer (``copiers.choose_copier``) fills ``parcels``
while GDAL holds the file open or right after it closed it; then the ``balance``,
``indicators``, ``rule_pack`` and ``unit_status_history`` tables, the styles, metadata and the embedded project; the
file is finished (journal folded in, fsynced), validated, and moved into place.
"""
from __future__ import annotations

import contextlib
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Hashable, Iterable, Sequence

from osgeo import ogr
from qgis.core import QgsFeatureRequest

from ...core.areas import MU_M2
from ...core.engine import PROJECT, BalanceEngine, BuildCancelled
from ...core.i18n import tr
from ...core.rules import RulePack
from ...core.selection import UnknownUnitsError, units_by_code
from ..crs import ellipsoid_measure
from ..gpkg import WriteError, atomic_output, finish_file, quick_check, validate, write_balance_tables, write_table
from ..layers import Inputs, build_engine
from ..lifecycle_store import export_history
from ..outputs import collect_unraisable, refuse_inputs, remove_leftovers
from ..sources import InputError
from ..wkb import feature_wkb
from .copiers import choose_copier
from .geometry import cleaned_multipolygon, srs_of
from .metadata import PlanMetadata, plan_metadata
from .ogr_fields import field_defn, py_value, source_fields
from .parcels import SLIVER_M2, ParcelCopier, ParcelJob, ParcelSchema, create_parcels_layer
from .patches import write_patches
from .progress import Progress, cancelled_error, note, sqlite_bulk_options
from .project import embed_project

#: GDAL's validator reads every geometry in Python (≈ 30 s per 10^6 features); above this many
#: parcel features the export checks SQLite integrity, the header and the layers instead.
FULL_VALIDATION_LIMIT = 50_000
LAYERS = ("units", "parcels", "balance", "indicators", "rule_pack")
RULE_PACK_COLUMNS = [("pack_id", "TEXT"), ("pack_version", "TEXT"), ("rule_id", "TEXT"), ("name_zh", "TEXT"),
                     ("name_en", "TEXT"), ("formula", "TEXT"), ("op", "TEXT"), ("threshold", "REAL"),
                     ("severity", "TEXT"), ("scope", "TEXT"), ("source", "TEXT"), ("verified", "INTEGER")]


def safe_file_stem(code: str) -> str:
    """A unit code usable as a file name on every OS (``ZZDY/01`` -> ``ZZDY_01``)."""
    stem = re.sub(r'[<>:"/\\|?*\s\x00-\x1f]+', "_", code).strip("._")
    return stem or "unit"


# --------------------------------------------------------------------------- selection
@dataclass
class _Selection:
    """The units of one output file."""

    target: Path
    codes: list[str]
    uids: list[Hashable] = field(default_factory=list)


def _select(engine: BalanceEngine, out: Path, unit_codes: Sequence[str] | None, per_unit: bool) -> list[_Selection]:
    try:
        by_code = units_by_code(engine, unit_codes)
    except UnknownUnitsError as exc:
        raise InputError(str(exc)) from None
    wanted = list(by_code)
    if not per_unit:
        return [_Selection(out, wanted, [u for c in wanted for u in by_code[c]])]
    if out.exists() and not out.is_dir():
        raise InputError(tr("For one file per unit, the output must be a folder: {0}").format(out))
    stems: dict[str, str] = {}
    selections = []
    for code in wanted:
        stem = safe_file_stem(code)
        if stem.lower() in stems:
            raise InputError(tr("The unit codes {0} and {1} give the same file name; make the codes distinct.")
                             .format(stems[stem.lower()], code))
        stems[stem.lower()] = code
        selections.append(_Selection(out / f"{stem}.gpkg", [code], list(by_code[code])))
    return selections


# --------------------------------------------------------------------------- units layer
def _write_units(ds, inputs: Inputs, uids: list, title: str) -> None:
    layer = inputs.units
    fields = source_fields(layer)
    lyr = ds.CreateLayer("units", srs_of(layer.crs()), ogr.wkbMultiPolygon,
                         options=["GEOMETRY_NAME=geom", "FID=fid", "SPATIAL_INDEX=YES",
                                  f"IDENTIFIER={tr('Remediation units')}", f"DESCRIPTION={title}"])
    for _i, f in fields:
        lyr.CreateField(field_defn(f.name(), f))
    lyr.CreateField(ogr.FieldDefn("area_m2", ogr.OFTReal))
    lyr.CreateField(ogr.FieldDefn("area_mu", ogr.OFTReal))
    defn = lyr.GetLayerDefn()
    n = len(fields)
    measure = ellipsoid_measure(layer.crs())
    lyr.StartTransaction()
    for feat in layer.getFeatures(QgsFeatureRequest().setFilterFids(list(uids))):
        out = ogr.Feature(defn)
        attrs = feat.attributes()
        for k, (i, _f) in enumerate(fields):
            v = py_value(attrs[i])
            if v is None:
                out.SetFieldNull(k)
            else:
                out.SetField(k, v)
        g = feat.geometry()
        if g is not None and not g.isNull():
            area = measure.measureArea(g)
            out.SetField(n, area)
            out.SetField(n + 1, area / MU_M2)
            wkb = cleaned_multipolygon(feature_wkb(feat, None))
            if wkb is not None:
                out.SetGeometryDirectly(ogr.CreateGeometryFromWkb(wkb))
        lyr.CreateFeature(out)
    lyr.CommitTransaction()


# --------------------------------------------------------------------------- tables
class _SubsetEngine:
    """The engine's balance/indicator rows restricted to some unit codes (plus the project '*')."""

    def __init__(self, engine: BalanceEngine, codes: Iterable[str]):
        self.engine = engine
        self.codes = set(codes) | {PROJECT}

    def balance_rows(self):
        return [r for r in self.engine.balance_rows() if r[0] in self.codes]

    def indicator_rows(self):
        return [r for r in self.engine.indicator_rows() if r.unit_code in self.codes]


def _rule_rows(pack: RulePack) -> list[tuple]:
    return [(pack.id, pack.version, r.id, r.zh, r.en, r.formula.text, r.op, float(r.threshold), r.severity,
             r.scope, r.source, int(bool(r.verified))) for r in pack.rules]


# --------------------------------------------------------------------------- one file
@dataclass
class _FileJob:
    """One output file being written."""

    path: Path
    sel: _Selection
    inputs: Inputs
    engine: BalanceEngine
    reader: object
    meta: PlanMetadata
    progress: Progress
    p0: float
    p1: float
    copiers: Sequence[ParcelCopier] | None = None
    dropped: list = field(default_factory=list)
    townships: Sequence = ()  # township results, in every file (core.townships; docs/domain.md §7)


def _write_file(job: _FileJob, check: bool | None, log=None) -> None:
    path, progress = job.path, job.progress
    with sqlite_bulk_options():
        n_parcels = _write_layers(job)
    progress.check()
    if job.dropped:
        note(progress, log, tr("{0}: {1} parcel pieces under {2} m² (together {3:.4f} m², parcels that only touch a "
                               "unit) were left out of the parcels table").format(
            path.name, len(job.dropped), SLIVER_M2, sum(a for _p, _u, a in job.dropped)))
    embed_project(path, job.inputs, job.meta, job.engine.pack)
    finish_file(path)
    if check is None:
        check = n_parcels <= FULL_VALIDATION_LIMIT
    errors = validate(path) if check else quick_check(path, LAYERS)
    if errors:
        raise WriteError(tr("The GeoPackage {0} failed validation: {1}").format(
            path.name, "; ".join(str(m) for _r, m in errors[:3])))
    progress(job.p1)


def _set_metadata(ds, meta: PlanMetadata) -> None:
    md = ds.GetMetadata() or {}
    md.update(meta.gdal_items())
    ds.SetMetadata(md)
    for name, abstract in (("units", tr("Remediation units")), ("parcels", tr("Parcels of the plan"))):
        lyr = ds.GetLayerByName(name)
        for key, value in meta.layer_items(abstract):
            lyr.SetMetadataItem(key, value)


def _write_layers(job: _FileJob) -> int:
    """Every table of the file; the number of parcel features written."""
    path, inputs = job.path, job.inputs
    try:
        ds = ogr.GetDriverByName("GPKG").CreateDataSource(str(path))
    except RuntimeError as exc:
        raise WriteError(tr("Cannot create {0}: {1}").format(path, exc)) from exc
    ok = False
    try:
        _write_units(ds, inputs, job.sel.uids, job.meta.title)
        schema = ParcelSchema(inputs.parcels, job.reader)
        copier, source = choose_copier(inputs.parcels, schema, job.copiers)
        parcels = ParcelJob(inputs, job.engine, schema, job.sel.uids, job.progress, job.p0,
                            job.p0 + 0.8 * (job.p1 - job.p0), job.dropped)
        n_parcels = copier.write(create_parcels_layer(ds, inputs.parcels.crs(), schema), source, parcels)
        _set_metadata(ds, job.meta)
        ok = True
    except RuntimeError as exc:
        raise WriteError(tr("Cannot write {0}: {1}").format(path, str(exc).strip() or type(exc).__name__)) from exc
    finally:
        with collect_unraisable(collect=not ok) as late:  # a failure to close is a WriteError, not "Exception ignored"
            ds = None  # closes the file and builds the deferred R-tree indexes
        if late and ok:
            raise WriteError(tr("Cannot write {0}: {1}").format(path, late[0]))
    n_parcels += copier.finish(path, source, parcels)
    source = None
    write_balance_tables(path, _SubsetEngine(job.engine, job.sel.codes), job.townships)
    pack = job.engine.pack
    write_patches(path, job.engine, job.sel.uids, srs_of(inputs.parcels.crs()), pack)  # 集中连片
    write_table(path, "rule_pack", RULE_PACK_COLUMNS, _rule_rows(pack),
                f"Rule pack {pack.id} {pack.version}: the rules the indicators were judged by")
    export_history(path, inputs.units, job.sel.codes)  # the units' life cycle (docs/lifecycle.md)
    return n_parcels


# --------------------------------------------------------------------------- entry points
def export_plan(inputs: Inputs, pack: RulePack, out, unit_codes: Sequence[str] | None = None,
                per_unit: bool = False, overwrite: bool = False, feedback=None, title: str | None = None,
                author: str | None = None, validate_output: bool | None = None, log=None,
                copiers: Sequence[ParcelCopier] | None = None) -> list[Path]:
    """Compute the balance once and write the plan GeoPackage(s); returns the files written.

    ``out`` is the file (``per_unit=False``) or the folder for ``<DYBH>.gpkg`` files.
    Raises InputError (bad input), WriteError (cannot write; old files untouched) or
    ExportCancelled (``feedback.isCanceled()``; nothing written). ``validate_output``: True runs
    GDAL's GeoPackage validator on every file, False only a quick check, None (default) the
    validator up to ``FULL_VALIDATION_LIMIT`` parcel features and the quick check above.
    ``log(message)`` hears what the planner should know about the files (also sent to
    ``feedback.pushInfo``), e.g. how many slivers were left out. ``copiers``: the parcel
    copiers to try, in order (default ``copiers.COPIERS``).
    """
    progress = Progress(feedback)
    check_targets(out, per_unit, overwrite, [*inputs.sources(), pack.path])
    try:
        engine, reader = build_engine(inputs, pack, progress=lambda f: progress(40.0 * f),
                                      cancelled=progress.cancelled)
    except BuildCancelled:
        raise cancelled_error() from None
    return write_plan(engine, reader, inputs, out, unit_codes, per_unit, overwrite, feedback, title, author,
                      validate_output, _start=40.0, log=log, copiers=copiers)


def _target(out, per_unit: bool) -> Path:
    out = Path(out).expanduser().resolve()
    if not per_unit and out.suffix.lower() != ".gpkg":
        out = out.with_name(out.name + ".gpkg")
    return out


def check_targets(out, per_unit: bool, overwrite: bool, sources: Sequence | None = None) -> None:
    """Fail early, before the long engine build, on a target that cannot be written or that is
    one of the ``sources`` (the input layers' sources and the rule pack file)."""
    out = _target(out, per_unit)
    if sources:
        refuse_inputs([out], sources)
    folder = out if per_unit and out.is_dir() else out.parent
    if not folder.is_dir():
        raise WriteError(tr("The folder {0} does not exist.").format(folder))
    remove_leftovers(folder)  # of killed runs, before the long build
    if not per_unit and out.exists() and not overwrite:
        raise WriteError(tr("{0} exists already; choose another name or allow overwriting.").format(out))


def write_plan(engine: BalanceEngine, reader, inputs: Inputs, out, unit_codes: Sequence[str] | None = None,
               per_unit: bool = False, overwrite: bool = False, feedback=None, title: str | None = None,
               author: str | None = None, validate_output: bool | None = None, _start: float = 0.0,
               log=None, copiers: Sequence[ParcelCopier] | None = None, townships: Sequence = ()) -> list[Path]:
    """Write the plan GeoPackage(s) from an engine already built over ``inputs`` (the dock's live one).

    ``townships``: the township results (``adapters.townships.township_results``) for the ``indicators`` table.
    """
    progress = Progress(feedback)
    sources = [*inputs.sources(), engine.pack.path]
    check_targets(out, per_unit, overwrite, sources)
    out = _target(out, per_unit)
    progress.check()
    selections = _select(engine, out, unit_codes, per_unit)
    refuse_inputs([sel.target for sel in selections], sources)
    if per_unit and not out.exists():
        try:
            out.mkdir()
        except OSError as exc:
            raise WriteError(tr("Cannot create the folder {0}: {1}").format(out, exc)) from exc
    n = len(selections)
    span = 100.0 - _start
    written: list[Path] = []
    with contextlib.ExitStack() as stack:
        paths = [stack.enter_context(atomic_output(sel.target, overwrite=overwrite, keep_name=True))
                 for sel in selections]
        for k, (sel, path) in enumerate(zip(selections, paths)):
            meta = plan_metadata(inputs, engine.pack, f"{title} {sel.codes[0]}" if per_unit and title else title,
                                 author, sel.codes)
            job = _FileJob(path, sel, inputs, engine, reader, meta, progress, _start + span * k / n,
                           _start + span * (k + 1) / n, copiers, townships=townships)
            _write_file(job, validate_output, log)
            written.append(sel.target)
            progress.check()
    progress(100.0)
    return written
