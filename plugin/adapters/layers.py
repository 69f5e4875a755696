"""Build the engine from the planner's QGIS layers: the one path every front end takes.

Reading is split by concern: opening sources (``sources``), the working CRS and the ellipsoid
(``crs``), WKB (``wkb``), parcel records (``parcel_reader``, with the GeoPackage fast path in
``fast_read``). This module reads units and polygons, checks the inputs (validation.py) and runs
the engine's full build. The names importers know from here stay importable from here.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

import numpy as np
import shapely
from qgis.core import QgsCoordinateReferenceSystem, QgsVectorLayer

from ..core.engine import BalanceEngine
from ..core.fields import resolve_unit_fields
from ..core.i18n import tr
from ..core.record_columns import RecordColumns
from ..core.rules import RulePack
from ..core.validation import Problem, check_tbmj_unit
from .crs import area_scale, ellipsoid_measure, layer_crs_problem, transform_to, working_crs
from .parcel_reader import ParcelReader, give_back_memory, parcel_fields
from .sources import InputError, damage_guard, layer_sources, open_layer, shapefile_encoding
from .wkb import feature_wkb, geometries_wkb, parse_wkb

# read here, or imported from here by the front ends, export and the tests
__all__ = [
    "InputError", "Inputs", "ParcelReader", "build_engine", "crs_problems", "ellipsoid_measure", "feature_wkb",
    "geometries_wkb", "layer_sources", "open_layer", "parcel_fields", "parse_wkb", "read_polygons", "read_units",
    "refusal", "shapefile_encoding", "tbmj_unit_problem", "transform_to", "working_crs",
]


def read_units(layer: QgsVectorLayer, crs: QgsCoordinateReferenceSystem, code_field: str | None = None
               ) -> list[tuple[int, str, object]]:
    """``(fid, unit code, geometry)`` of every unit; the code is the feature id when the layer has no
    code field, None when the field is NULL or blank (validation refuses such units)."""
    names = resolve_unit_fields(layer.fields().names(), code_field)
    code_name = names.get("DYBH")
    if code_field and not code_name:
        raise InputError(tr("The units layer {0} has no field {1}").format(layer.name(), code_field))
    with damage_guard(layer):
        feats = list(layer.getFeatures())
    geoms = geometries_wkb(feats, transform_to(layer, crs))
    out = []
    for f, g in zip(feats, geoms):
        if code_name:
            code = f[code_name]
            text = str(code).strip() if code is not None and not (hasattr(code, "isNull") and code.isNull()) else ""
            code = text if text and text != "NULL" else None
        else:
            code = str(f.id())
        out.append((f.id(), code, g))
    return out


def read_polygons(layer: QgsVectorLayer, crs: QgsCoordinateReferenceSystem) -> list:
    with damage_guard(layer):
        return [g for g in geometries_wkb(layer.getFeatures(), transform_to(layer, crs)) if g is not None]


@dataclass
class Inputs:
    parcels: QgsVectorLayer
    units: QgsVectorLayer
    pbf: QgsVectorLayer | None = None
    unit_field: str | None = None
    field_overrides: dict = field(default_factory=dict)
    tbmj_in_mu: bool = False
    #: further sources no output may overwrite (e.g. the files behind in-memory copies of the layers)
    protect: list = field(default_factory=list)

    def sources(self) -> list[str]:
        """Every file-like source of the inputs: what an output must never overwrite."""
        out = list(self.protect)
        for layer in (self.parcels, self.units, self.pbf):
            if layer is None:
                continue
            out += layer_sources(layer)
        return out



def refusal(problems: list[Problem]) -> InputError:
    """One InputError naming every problem that stops the assessment."""
    lines = [tr("The data cannot be assessed; fix the following and run again:")]
    lines += ["  - " + p.message for p in problems]
    return InputError("\n".join(lines))


def crs_problems(inputs: Inputs) -> list[Problem]:
    """validation.check_crs of every input layer."""
    layers = [(inputs.parcels, tr("parcel")), (inputs.units, tr("units"))]
    if inputs.pbf is not None:
        layers.append((inputs.pbf, tr("permanent basic farmland")))
    return [p for p in (layer_crs_problem(layer, what) for layer, what in layers) if p is not None]


def tbmj_unit_problem(ids: np.ndarray, geoms, columns: RecordColumns, reader: ParcelReader,
                      sample: int = 20_000) -> Problem | None:
    """validation.check_tbmj_unit over (up to ``sample``, in read order) parcels that carry a TBMJ of
    their own (not measured), from the columns of :meth:`ParcelReader.read_columns` (geometries or WKB)."""
    tbmj = columns["tbmj"]
    usable = ~np.isnan(tbmj)
    if reader.measured:
        usable &= ~np.isin(ids, np.fromiter(reader.measured, dtype=np.int64, count=len(reader.measured)))
    rows, areas = [], []
    candidates = np.flatnonzero(usable)
    for a in range(0, len(candidates), sample):  # packed WKB: parse no more rows than needed
        if sum(len(r) for r in rows) >= sample:
            break
        part = candidates[a:a + sample]
        g = geoms[part]
        has = ~shapely.is_missing(g)
        rows.append(part[has])
        areas.append(shapely.area(g[has]).astype(float))
    rows = np.concatenate(rows)[:sample] if rows else np.zeros(0, dtype=np.int64)
    areas = np.concatenate(areas)[:sample] if areas else np.zeros(0)
    return check_tbmj_unit(tbmj[rows].tolist(), areas.tolist(), reader.fields.tbmj_in_mu)


def build_engine(inputs: Inputs, pack: RulePack, progress: Callable[[float], None] | None = None,
                 cancelled: Callable[[], bool] | None = None, refuse: bool = True
                 ) -> tuple[BalanceEngine, ParcelReader]:
    """Read every input layer, validate (validation.py) and run the engine's full build: the one
    path every front uses.

    ``refuse``: raise InputError naming every problem that stops the assessment (command line,
    Processing, export). The docks pass False: the engine is built all the same and every
    verdict says "not assessable" with the reasons (``engine.problems()``).
    """
    fm = parcel_fields(inputs.parcels, inputs.field_overrides, inputs.tbmj_in_mu)
    problems = crs_problems(inputs)
    if refuse and problems:
        raise refusal(problems)
    crs = working_crs(inputs.parcels)
    reader = ParcelReader(inputs.parcels, fm, crs)
    units = read_units(inputs.units, crs, inputs.unit_field)
    if not units and refuse:
        raise InputError(tr("The units layer {0} has no features: draw at least one remediation unit.")
                         .format(inputs.units.name()))
    read_progress = (lambda f: progress(0.5 * f)) if progress else None
    # the geometries as WKB: the engine's build parses them chunk by chunk (no GEOS object per parcel held)
    ids, geoms, columns = reader.read_columns(progress=read_progress, cancelled=cancelled, wkb=True)
    give_back_memory()  # what the read freed, before the build's peak
    unit_problem = tbmj_unit_problem(ids, geoms, columns, reader)
    if unit_problem is not None:
        problems.append(unit_problem)
        if refuse:
            raise refusal(problems)
    pbf = read_polygons(inputs.pbf, crs) if inputs.pbf is not None else None
    engine = BalanceEngine(pack=pack, area_scale=area_scale(inputs.parcels, crs))
    # int64 ids: the engine hands them out as Python ints (a numpy int64 is stored as a BLOB in SQLite,
    # "datatype mismatch", and JSON cannot hold one)
    engine.build_columns(ids, geoms, columns, units, pbf=pbf,
                         progress=(lambda f: progress(0.5 + 0.5 * f)) if progress else None, cancelled=cancelled,
                         consume=True)
    del ids, geoms, columns
    give_back_memory()
    engine.input_problems = problems
    if refuse:
        blocking = [p for p in engine.problems() if p.refuse]
        if blocking:
            raise refusal(blocking)
    return engine, reader
