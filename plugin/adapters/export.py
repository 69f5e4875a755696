"""Export the plan as one self-describing GeoPackage (or one per unit).

What a file holds (``export_plan``):

* ``units``   the chosen remediation units with all their fields, plus ``area_m2`` and
  ``area_mu`` measured on the CGCS2000 ellipsoid;
* ``parcels`` every parcel of those units, clipped at the unit boundary, with TBMJ, KCMJ
  and TBDLMJ apportioned by the engine's own share (so they add up to the balance), the
  三调 and plan fields, the unit code ``DYBH`` and the ``share``;
* ``balance``, ``indicators`` (the same tables as the ``balance`` command) and
  ``rule_pack`` (the rules the indicators were judged by);
* each layer's style as its default in ``layer_styles``, a QGIS project ``plan`` in
  ``qgis_projects``, and metadata (title, planner, date, plugin version, sources and
  their CRS) in ``gpkg_metadata`` and in the QGIS layer metadata.

How the parcels are written: OGR creates every layer (QgsVectorFileWriter is several times
slower on 10^5 parcels). When the parcel layer is an unedited GeoPackage table (the usual
case), ``parcels`` is then filled in SQL: the source is attached read-only, whole parcels
(share 1, most of them) are copied with one ``INSERT … SELECT`` (geometry blobs as they are
when already 2-D MultiPolygons of the same srs_id), the engine's numbers and the boundary
pairs (share < 1, intersected in bulk with shapely) come in through a temporary table, and
the R-tree is bulk-loaded (``gpkg.fill_rtree``) instead of row by row. Otherwise (pending
edits, a shapefile, a memory layer…) the parcels are copied feature by feature: with
``SetFromWithMap`` from an OGR source, or through QGIS (the edit buffer). Both give the same
table. Layers are written in their source layer's CRS.

Safety: each file is built under its final name in a hidden temporary folder next to the
target (the project inside refers to ``./<name>.gpkg``), validated, then moved into place
with ``os.replace``. Nothing is moved before every file of a batch is complete; a
cancelled or failed export leaves no file behind and the old ones untouched.
"""
from __future__ import annotations

import configparser
import contextlib
import datetime as _dt
import os
import re
import sqlite3
import struct
from dataclasses import dataclass, field
from pathlib import Path
from typing import Hashable, Iterable, Iterator, Sequence

import numpy as np
import shapely
from osgeo import gdal, ogr, osr
from qgis.core import (
    Qgis,
    QgsApplication,
    QgsCategorizedSymbolRenderer,
    QgsCoordinateReferenceSystem,
    QgsFillSymbol,
    QgsLayerMetadata,
    QgsMessageLog,
    QgsPalLayerSettings,
    QgsProject,
    QgsProviderRegistry,
    QgsReferencedRectangle,
    QgsRendererCategory,
    QgsVectorLayer,
    QgsVectorLayerSimpleLabeling,
    QgsWkbTypes,
)
from qgis.PyQt.QtCore import QDate, QDateTime, QTime, QVariant

from ..core.areas import MU_M2, survey_terms
from ..core.engine import PROJECT, BalanceEngine, BuildCancelled, clean_geometry
from ..core.errors import Cancelled
from ..core.fields import PLAN_FIELDS, resolve_unit_fields
from ..core.i18n import tr
from ..core.remediation import remediation_types
from ..core.resources import resource_path
from ..core.rules import RulePack
from ..core.selection import UnknownUnitsError, units_by_code
from .gpkg import WriteError, atomic_output, fill_rtree, write_balance_tables, write_table
from .layers import InputError, Inputs, build_engine, ellipsoid_measure, feature_wkb, parse_wkb, transform_to
from .outputs import collect_unraisable, refuse_inputs, remove_leftovers
from .styles import load_style

AREA_FIELDS = ("TBMJ", "KCMJ", "TBDLMJ")
UNIT_CODE_FIELD = "DYBH"
SHARE_FIELD = "share"
SLIVER_M2 = 0.01  # pieces of a parcel in a unit under this area are not written (counted in the log)
PROJECT_NAME = "plan"
#: GDAL's validator reads every geometry in Python (≈ 30 s per 10^6 features); above this many
#: parcel features the export checks SQLite integrity, the header and the layers instead.
FULL_VALIDATION_LIMIT = 50_000
RULE_PACK_COLUMNS = [("pack_id", "TEXT"), ("pack_version", "TEXT"), ("rule_id", "TEXT"), ("name_zh", "TEXT"),
                     ("name_en", "TEXT"), ("formula", "TEXT"), ("op", "TEXT"), ("threshold", "REAL"),
                     ("severity", "TEXT"), ("scope", "TEXT"), ("source", "TEXT"), ("verified", "INTEGER")]
_PLUGIN_ROOT = Path(__file__).resolve().parents[2]
_OGR_BY_QVARIANT = {QVariant.Int: ogr.OFTInteger, QVariant.UInt: ogr.OFTInteger64,
                    QVariant.LongLong: ogr.OFTInteger64, QVariant.ULongLong: ogr.OFTInteger64,
                    QVariant.Double: ogr.OFTReal, QVariant.Bool: ogr.OFTInteger, QVariant.Date: ogr.OFTDate,
                    QVariant.DateTime: ogr.OFTDateTime, QVariant.Time: ogr.OFTTime}


@contextlib.contextmanager
def _sqlite_bulk_options() -> Iterator[None]:
    """A bigger SQLite page cache and no per-commit fsync while the temporary file is built
    (it is fsynced once in ``_finish_file`` before it is moved into place)."""
    options = {"OGR_SQLITE_CACHE": "256", "OGR_SQLITE_SYNCHRONOUS": "OFF"}
    old = {k: gdal.GetConfigOption(k) for k in options}
    for k, v in options.items():
        gdal.SetConfigOption(k, v)
    try:
        yield
    finally:
        for k, v in old.items():
            gdal.SetConfigOption(k, v)


class ExportCancelled(Cancelled):
    """The planner cancelled the export; no file was written or changed."""


# --------------------------------------------------------------------------- small helpers
def _note(progress, log, message: str) -> None:
    """Tell the planner something about the export: Processing feedback, the caller's log, the message log."""
    feedback = progress.feedback
    if feedback is not None and hasattr(feedback, "pushInfo"):
        feedback.pushInfo(message)
    if log is not None:
        log(message)
    QgsMessageLog.logMessage(message, "LandConsolidation", Qgis.Info)


class _Progress:
    def __init__(self, feedback):
        self.feedback = feedback

    def __call__(self, percent: float) -> None:
        if self.feedback is not None:
            self.feedback.setProgress(max(0.0, min(100.0, float(percent))))

    def cancelled(self) -> bool:
        return bool(self.feedback is not None and self.feedback.isCanceled())

    def check(self) -> None:
        if self.cancelled():
            raise ExportCancelled(tr("Export cancelled; no file was written."))


def plugin_version() -> str:
    cp = configparser.ConfigParser(interpolation=None)
    cp.read(_PLUGIN_ROOT / "metadata.txt", encoding="utf-8")
    return cp.get("general", "version", fallback="unknown")


def remediation_colours() -> list[tuple[str, str, str, str]]:
    """(code, zh, en, colour) of every remediation type, from resources/remediation_types.json."""
    return [(t.code, t.zh or t.code, t.en or t.code, t.colour) for t in remediation_types().values()]


def safe_file_stem(code: str) -> str:
    """A unit code usable as a file name on every OS (``ZZDY/01`` -> ``ZZDY_01``)."""
    stem = re.sub(r'[<>:"/\\|?*\s\x00-\x1f]+', "_", code).strip("._")
    return stem or "unit"


def _srs_of(crs: QgsCoordinateReferenceSystem) -> osr.SpatialReference:
    srs = osr.SpatialReference()
    auth = crs.authid()
    if auth.upper().startswith("EPSG:"):
        srs.ImportFromEPSG(int(auth.split(":")[1]))
    else:
        srs.ImportFromWkt(crs.toWkt(QgsCoordinateReferenceSystem.WKT_PREFERRED_GDAL))
    srs.SetAxisMappingStrategy(osr.OAMS_TRADITIONAL_GIS_ORDER)
    return srs


def _multipolygon_wkb(geom) -> bytes | None:
    """Polygonal part of ``geom`` as 2-D MultiPolygon WKB (None if nothing areal is left)."""
    if geom is None or geom.is_empty:
        return None
    if geom.geom_type == "Polygon":
        geom = shapely.MultiPolygon([geom])
    elif geom.geom_type != "MultiPolygon":
        parts = [p for p in shapely.get_parts(geom) if p.geom_type in ("Polygon", "MultiPolygon")]
        polys = [q for p in parts for q in (shapely.get_parts(p) if p.geom_type == "MultiPolygon" else [p])]
        if not polys:
            return None
        geom = shapely.MultiPolygon(polys)
    return shapely.to_wkb(geom, output_dimension=2)


def _multipolygon_wkbs(geoms: np.ndarray) -> list:
    """:func:`_multipolygon_wkb` over an array, with the common cases (Polygon, MultiPolygon) in bulk."""
    geoms = np.asarray(geoms, dtype=object)
    out: list = [None] * len(geoms)
    if not len(geoms):
        return out
    types = shapely.get_type_id(geoms)
    empty = shapely.is_empty(geoms) | shapely.is_missing(geoms)
    poly = np.flatnonzero((types == 3) & ~empty)
    multi = np.flatnonzero((types == 6) & ~empty)
    if len(poly):
        wrapped = shapely.multipolygons(geoms[poly], indices=np.arange(len(poly)))
        for i, w in zip(poly, shapely.to_wkb(wrapped, output_dimension=2)):
            out[i] = w
    if len(multi):
        for i, w in zip(multi, shapely.to_wkb(geoms[multi], output_dimension=2)):
            out[i] = w
    for i in np.flatnonzero(~np.isin(types, (3, 6)) & ~empty):
        out[i] = _multipolygon_wkb(geoms[i])
    return out


def _py_value(v):
    """A QVariant-ish attribute value as something OGR's SetField takes (None for NULL)."""
    if v is None or (hasattr(v, "isNull") and v.isNull()):
        return None
    if isinstance(v, (QDate, QDateTime, QTime)):
        return v.toString("yyyy-MM-ddTHH:mm:ss" if isinstance(v, QDateTime) else
                          "yyyy-MM-dd" if isinstance(v, QDate) else "HH:mm:ss")
    if isinstance(v, bool):
        return int(v)
    if isinstance(v, (int, float, str)):
        return v
    return str(v)


def _source_fields(layer: QgsVectorLayer) -> list[tuple[int, object]]:
    """(index, QgsField) of a layer's attributes without the GeoPackage primary key."""
    pk = set(layer.dataProvider().pkAttributeIndexes()) if layer.dataProvider() else set()
    return [(i, f) for i, f in enumerate(layer.fields()) if i not in pk]


def _field_defn(name: str, qfield) -> ogr.FieldDefn:
    kind = _OGR_BY_QVARIANT.get(qfield.type(), ogr.OFTString)
    fd = ogr.FieldDefn(name, kind)
    if qfield.type() == QVariant.Bool:
        fd.SetSubType(ogr.OFSTBoolean)
    if kind == ogr.OFTString and 0 < qfield.length() < 100000:
        fd.SetWidth(qfield.length())
    return fd


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
def _write_units(ds, inputs: Inputs, engine: BalanceEngine, uids: list, title: str) -> None:
    layer = inputs.units
    fields = _source_fields(layer)
    lyr = ds.CreateLayer("units", _srs_of(layer.crs()), ogr.wkbMultiPolygon,
                         options=["GEOMETRY_NAME=geom", "FID=fid", "SPATIAL_INDEX=YES",
                                  f"IDENTIFIER={tr('Remediation units')}", f"DESCRIPTION={title}"])
    for _i, f in fields:
        lyr.CreateField(_field_defn(f.name(), f))
    lyr.CreateField(ogr.FieldDefn("area_m2", ogr.OFTReal))
    lyr.CreateField(ogr.FieldDefn("area_mu", ogr.OFTReal))
    defn = lyr.GetLayerDefn()
    n = len(fields)
    measure = ellipsoid_measure(layer.crs())
    from qgis.core import QgsFeatureRequest

    lyr.StartTransaction()
    for feat in layer.getFeatures(QgsFeatureRequest().setFilterFids(list(uids))):
        out = ogr.Feature(defn)
        attrs = feat.attributes()
        for k, (i, _f) in enumerate(fields):
            v = _py_value(attrs[i])
            if v is None:
                out.SetFieldNull(k)
            else:
                out.SetField(k, v)
        g = feat.geometry()
        if g is not None and not g.isNull():
            area = measure.measureArea(g)
            out.SetField(n, area)
            out.SetField(n + 1, area / MU_M2)
            wkb = _multipolygon_wkb(clean_geometry(parse_wkb([feature_wkb(feat, None)])[0]))
            if wkb is not None:
                out.SetGeometryDirectly(ogr.CreateGeometryFromWkb(wkb))
        lyr.CreateFeature(out)
    lyr.CommitTransaction()


# --------------------------------------------------------------------------- parcels layer
class _ParcelSchema:
    """Output fields of ``parcels``: the source fields (mapped ones under their canonical name),
    the apportioned areas, the plan fields, DYBH and share."""

    def __init__(self, layer: QgsVectorLayer, reader):
        mapped = {actual.upper(): canon for canon, actual in
                  list(reader.fields.parcels.items()) + list(reader.fields.plan.items()) if actual}
        self.source: list[tuple[int, object, str]] = []  # (source index, QgsField, output name)
        taken: set[str] = set()
        reserved = {UNIT_CODE_FIELD.upper(), SHARE_FIELD.upper()}
        for i, f in _source_fields(layer):
            name = mapped.get(f.name().upper(), f.name())
            if name.upper() in reserved and f.name().upper() not in mapped:
                name = f"src_{name}"
            if name.upper() in taken:
                continue
            taken.add(name.upper())
            self.source.append((i, f, name))
        self.added = [n for n in (*AREA_FIELDS, *PLAN_FIELDS) if n.upper() not in taken]
        self.names = [name for _i, _f, name in self.source] + self.added + [UNIT_CODE_FIELD, SHARE_FIELD]

    def create(self, lyr) -> None:
        for _i, f, name in self.source:
            if name in AREA_FIELDS:
                lyr.CreateField(ogr.FieldDefn(name, ogr.OFTReal))
            else:
                lyr.CreateField(_field_defn(name, f))
        for name in self.added:
            kind = ogr.OFTReal if name in AREA_FIELDS or name == "GHKCXS" else ogr.OFTString
            lyr.CreateField(ogr.FieldDefn(name, kind))
        fd = ogr.FieldDefn(UNIT_CODE_FIELD, ogr.OFTString)
        fd.SetWidth(60)
        lyr.CreateField(fd)
        lyr.CreateField(ogr.FieldDefn(SHARE_FIELD, ogr.OFTReal))


#: OGR drivers whose text is UTF-8 by definition: read straight with OGR. Others (a shapefile's
#: DBF in GBK…) are decoded with the layer's data source encoding, as QGIS shows them.
_UTF8_DRIVERS = {"GPKG", "GeoJSON", "GeoJSONSeq", "FlatGeobuf", "SQLite", "OpenFileGDB"}


def _ogr_encoding(layer: QgsVectorLayer) -> str | None:
    """The layer's data source encoding as a codec name OGR understands (None if it cannot be passed on)."""
    import codecs

    provider = layer.dataProvider()
    enc = provider.encoding() if provider is not None else ""
    if not enc or enc.lower() == "system":
        return None
    try:
        return codecs.lookup(enc).name.upper().replace("_", "-")
    except LookupError:
        return None


def _ogr_source(layer: QgsVectorLayer):
    """(dataset, layer) of an unedited, unfiltered OGR layer for the fast path; else None."""
    if layer.providerType() != "ogr" or layer.isModified() or layer.subsetString():
        return None
    parts = QgsProviderRegistry.instance().decodeUri("ogr", layer.source())
    path = parts.get("path")
    if not path:
        return None
    driver = layer.dataProvider().storageType() if layer.dataProvider() is not None else ""
    options = []
    if driver == "ESRI Shapefile":
        # QGIS turns OGR's own recoding off (SHAPE_ENCODING="") and decodes with the layer's
        # encoding (its .cpg, or what the planner chose): OGR must use the same one.
        encoding = _ogr_encoding(layer)
        if encoding is None:
            return None
        options = [f"ENCODING={encoding}"]
    elif driver not in _UTF8_DRIVERS:
        return None
    try:
        ds = gdal.OpenEx(path, gdal.OF_VECTOR, open_options=options)
    except RuntimeError:
        return None
    if ds is None:
        return None
    name = parts.get("layerName")
    lyr = ds.GetLayerByName(name) if name else ds.GetLayer(parts.get("layerId") or 0)
    if lyr is None or lyr.GetFeatureCount() != layer.featureCount():
        return None
    return ds, lyr


def _as_multipolygon(out: ogr.Feature) -> None:
    """Make the feature's geometry a 2-D MultiPolygon, as the parcels layer declares (a shapefile or
    GeoJSON mixes Polygon and MultiPolygon; curves are linearised)."""
    g = out.GetGeometryRef()
    if g is None or g.GetGeometryType() == ogr.wkbMultiPolygon:
        return
    if g.HasCurveGeometry():
        g = g.GetLinearGeometry()
    mp = _multipolygon_wkb(shapely.from_wkb(bytes(g.ExportToIsoWkb())))
    out.SetGeometryDirectly(ogr.CreateGeometryFromWkb(mp) if mp is not None else None)


def _needed_pairs(engine: BalanceEngine, uids: list, dropped: list | None = None
                  ) -> dict[Hashable, list[tuple[Hashable, float]]]:
    """Which parcel goes to which of ``uids``, with the engine's share: {parcel id: [(unit id, share)]}.

    A piece under ``SLIVER_M2`` (a parcel that only touches a unit: a split along the unit
    boundary leaves shares of ~1e-11 on the other side) is not written; ``(parcel id, unit id,
    m²)`` of each is appended to ``dropped`` for the export's log.
    """
    wanted = set(uids)
    needed: dict[Hashable, list[tuple[Hashable, float]]] = {}
    if wanted == set(engine.units):
        for pid, p in engine.parcels.items():
            if p.pairs:
                needed[pid] = [(u, s) for u, s, _pbf in p.pairs]
    else:
        for uid in uids:
            for pid in engine.unit_parcels.get(uid, ()):
                if pid not in needed:
                    needed[pid] = [(u, s) for u, s, _pbf in engine.parcels[pid].pairs if u in wanted]
    scale = engine.area_scale
    parcels = engine.parcels
    for pid in [pid for pid, pairs in needed.items() if any(s < 1.0 for _u, s in pairs)]:
        area = parcels[pid].area * scale
        kept = [(u, s) for u, s in needed[pid] if s * area >= SLIVER_M2]
        if dropped is not None:
            dropped.extend((pid, u, s * area) for u, s in needed[pid] if s * area < SLIVER_M2)
        if kept:
            needed[pid] = kept
        else:
            del needed[pid]
    return needed


def _areas(p) -> tuple[float, float, float]:
    """(TBMJ, KCMJ, TBDLMJ) of a whole engine parcel, before apportioning (as BalanceEngine._composition)."""
    return survey_terms(p.rec.tbmj, p.rec.kcmj, p.rec.tbdlmj, p.area)


def _clip_to_units(wkbs: Sequence[bytes | None], uids: Sequence[Hashable], unit_geoms: dict) -> np.ndarray:
    """Parcel geometries (WKB) intersected with their unit, in bulk; an array of shapely geometries."""
    geoms = np.empty(len(wkbs), dtype=object)
    geoms[:] = parse_wkb(list(wkbs))
    bad = ~shapely.is_missing(geoms)
    bad[bad] = ~shapely.is_valid(geoms[bad])
    for i in np.flatnonzero(bad).tolist():
        geoms[i] = clean_geometry(geoms[i])
    units = np.array([unit_geoms.get(u) for u in uids], dtype=object)
    # the unit cut down to the parcel's box first: overlay cost follows the vertex count
    boxes = shapely.bounds(geoms)
    span = np.nan_to_num(np.maximum(boxes[:, 2] - boxes[:, 0], boxes[:, 3] - boxes[:, 1]))
    pad = span[:, None] * np.array([-0.01, -0.01, 0.01, 0.01])
    boxes = np.nan_to_num(boxes) + pad
    has = ~shapely.is_missing(units) & ~shapely.is_missing(geoms)
    local = units.copy()
    clip = shapely.lib.clip_by_rect  # the ufunc itself: the public wrapper's checks cost more than GEOS here
    local[has] = [clip(u, x0, y0, x1, y1) for u, (x0, y0, x1, y1) in zip(units[has], boxes[has].tolist())]
    return shapely.intersection(geoms, local)


def _create_parcels_layer(ds, crs: QgsCoordinateReferenceSystem, schema: _ParcelSchema):
    lyr = ds.CreateLayer("parcels", _srs_of(crs), ogr.wkbMultiPolygon,
                         options=["GEOMETRY_NAME=geom", "FID=fid", "SPATIAL_INDEX=YES",
                                  "IDENTIFIER=" + tr("Parcels of the plan"),
                                  "DESCRIPTION=" + tr("三调 parcels clipped at the unit boundary; areas in m², "
                                                      "apportioned by share")])
    schema.create(lyr)
    return lyr


def _write_parcels(ds, inputs: Inputs, engine: BalanceEngine, reader, uids: list, progress: _Progress,
                   p0: float, p1: float, dropped: list | None = None) -> int:
    layer = inputs.parcels
    crs = layer.crs()
    schema = _ParcelSchema(layer, reader)
    lyr = _create_parcels_layer(ds, crs, schema)
    defn = lyr.GetLayerDefn()
    idx = {name: defn.GetFieldIndex(name) for name in schema.names}
    i_tbmj, i_kcmj, i_tbdl = idx["TBMJ"], idx["KCMJ"], idx["TBDLMJ"]
    i_code, i_share = idx[UNIT_CODE_FIELD], idx[SHARE_FIELD]

    needed = _needed_pairs(engine, uids, dropped)
    total = max(1, len(needed))

    # unit geometries in the parcel layer's CRS, for clipping boundary pairs
    unit_geoms = _unit_geometries(inputs, crs, [u for u in uids])
    boundary: list[tuple[ogr.Feature, bytes | None, Hashable]] = []

    set_field = ogr._ogr.Feature_SetField  # the SWIG call itself: ogr.Feature.SetField's dispatch costs 2x
    codes = {uid: engine.unit_code(uid) for uid in uids}
    parcels = engine.parcels

    def fill(out: ogr.Feature, pid: Hashable, uid: Hashable, share: float) -> None:
        tbmj, kc, tbdl = _areas(parcels[pid])
        set_field(out, i_tbmj, tbmj * share)
        set_field(out, i_kcmj, kc * share)
        set_field(out, i_tbdl, tbdl * share)
        set_field(out, i_code, codes[uid])
        set_field(out, i_share, share)

    count = 0
    lyr.StartTransaction()
    fast = _ogr_source(layer)
    if fast is not None:
        src_ds, src_lyr = fast
        src_defn = src_lyr.GetLayerDefn()
        out_of = {f.name(): name for _i, f, name in schema.source}
        fmap = [idx.get(out_of.get(src_defn.GetFieldDefn(k).GetName(), ""), -1) if
                src_defn.GetFieldDefn(k).GetName() in out_of else -1 for k in range(src_defn.GetFieldCount())]
        for n, src in enumerate(src_lyr):
            if n % 20000 == 0:
                progress(p0 + (p1 - p0) * 0.8 * count / total)
                progress.check()
            pairs = needed.get(src.GetFID())
            if not pairs:
                continue
            for uid, share in pairs:
                out = ogr.Feature(defn)
                out.SetFromWithMap(src, 1, fmap)
                fill(out, src.GetFID(), uid, share)
                _as_multipolygon(out)
                if share < 1.0:
                    g = src.GetGeometryRef()
                    boundary.append((out, bytes(g.ExportToIsoWkb()) if g is not None else None, uid))
                    continue
                lyr.CreateFeature(out)
                count += 1
        del src_lyr, src_ds
    else:
        from qgis.core import QgsFeatureRequest

        positions = [(k, i) for k, (i, _f, name) in enumerate(schema.source)]
        out_index = [idx[name] for _i, _f, name in schema.source]
        req = QgsFeatureRequest().setFilterFids(list(needed))
        for n, feat in enumerate(layer.getFeatures(req)):
            pairs = needed.get(feat.id())
            if not pairs:
                continue
            attrs = feat.attributes()
            wkb = feature_wkb(feat, None)  # curves linearised
            for uid, share in pairs:
                out = ogr.Feature(defn)
                for k, i in positions:
                    v = _py_value(attrs[i])
                    if v is not None:
                        out.SetField(out_index[k], v)
                fill(out, feat.id(), uid, share)
                if share < 1.0:
                    boundary.append((out, wkb, uid))
                    continue
                if wkb is not None:
                    mp = _multipolygon_wkb(clean_geometry(parse_wkb([wkb])[0]))
                    if mp is not None:
                        out.SetGeometryDirectly(ogr.CreateGeometryFromWkb(mp))
                lyr.CreateFeature(out)
                count += 1
            if n % 20000 == 0:
                progress(p0 + (p1 - p0) * 0.8 * n / total)
                progress.check()
    # boundary pairs: one bulk intersection
    if boundary:
        clipped = _clip_to_units([b for _o, b, _u in boundary], [u for _o, _b, u in boundary], unit_geoms)
        for (out, _b, _u), wkb in zip(boundary, _multipolygon_wkbs(clipped)):
            if wkb is not None:
                out.SetGeometryDirectly(ogr.CreateGeometryFromWkb(wkb))
            lyr.CreateFeature(out)
            count += 1
    progress.check()
    lyr.CommitTransaction()
    progress(p1)
    return count


def _unit_geometries(inputs: Inputs, crs: QgsCoordinateReferenceSystem, uids: Iterable[Hashable]) -> dict:
    from qgis.core import QgsFeatureRequest

    transform = transform_to(inputs.units, crs)
    out = {}
    for feat in inputs.units.getFeatures(QgsFeatureRequest().setFilterFids(list(uids))):
        g = feat.geometry()
        if g is None or g.isNull():
            out[feat.id()] = None
            continue
        geom = clean_geometry(parse_wkb([feature_wkb(feat, transform)])[0])  # curves, slivers, invalid rings
        if geom is not None:
            shapely.prepare(geom)
        out[feat.id()] = geom
    return out


# --------------------------------------------------------------------------- parcels in SQL (fast path)
#: bytes of the envelope in a GeoPackage geometry blob, by the envelope code in its flags
_ENVELOPE_BYTES = {0: 0, 1: 32, 2: 48, 3: 48, 4: 64}
_TEMP_PREFIX = "lcp_"


@dataclass
class _GpkgSource:
    """A GeoPackage feature table the parcels can be copied from in SQL."""

    path: str
    table: str
    fid: str
    geom: str


def _q(name: str) -> str:
    """A quoted SQLite identifier."""
    return '"' + name.replace('"', '""') + '"'


def _sql_kind(declared: str) -> str:
    d = (declared or "").upper()
    if d.startswith("BOOLEAN") or "INT" in d:
        return "int"
    if any(k in d for k in ("REAL", "FLOA", "DOUB")):
        return "real"
    if d.startswith("DATETIME"):
        return "datetime"
    if d.startswith("DATE"):
        return "date"
    if any(k in d for k in ("TEXT", "CHAR", "CLOB")):
        return "text"
    return "other"


_KIND_OF_OGR = {ogr.OFTInteger: "int", ogr.OFTInteger64: "int", ogr.OFTReal: "real", ogr.OFTString: "text",
                ogr.OFTDate: "date", ogr.OFTDateTime: "datetime"}


def _gpkg_source(layer: QgsVectorLayer, schema: _ParcelSchema) -> _GpkgSource | None:
    """The parcels' GeoPackage table when the copy can be done in SQL, else None.

    Only for an ``ogr`` layer stored in a GeoPackage feature table with an integer primary key
    (the feature ids the engine holds), without pending edits (the edit buffer is exported
    feature by feature), whose subset string, if any, is a plain filter (the parcels are taken
    by feature id from the engine, which read the layer through that filter) and whose copied
    columns keep their kind (integer, real, text, date) in the output.
    """
    if layer.providerType() != "ogr" or layer.isModified():
        return None
    provider = layer.dataProvider()
    if provider is None or provider.storageType().upper() != "GPKG":
        return None
    if layer.subsetString().strip().upper().startswith("SELECT"):
        return None
    if QgsWkbTypes.isCurvedType(layer.wkbType()):
        return None  # curves are linearised feature by feature (the per-feature copy)
    parts = QgsProviderRegistry.instance().decodeUri("ogr", layer.source())
    path, name = parts.get("path"), parts.get("layerName")
    if not path or not name or not os.path.isfile(path):
        return None
    try:
        con = sqlite3.connect(Path(path).resolve().as_uri() + "?mode=ro", uri=True)
        try:
            row = con.execute("SELECT table_name, column_name FROM gpkg_geometry_columns "
                              "WHERE lower(table_name) = lower(?)", (name,)).fetchone()
            if row is None:
                return None
            table, geom = row
            columns = {r[1]: (r[2], r[5]) for r in con.execute(f"PRAGMA table_info({_q(table)})")}
        finally:
            con.close()
    except sqlite3.Error:
        return None
    pk = [c for c, (decl, key) in columns.items() if key]
    if len(pk) != 1 or (columns[pk[0]][0] or "").upper() != "INTEGER" or geom not in columns:
        return None
    for _i, f, out_name in schema.source:
        if out_name in AREA_FIELDS:
            continue  # written from the engine's numbers
        if f.name() not in columns:
            return None
        out_kind = _KIND_OF_OGR.get(_OGR_BY_QVARIANT.get(f.type(), ogr.OFTString), "?")
        if _sql_kind(columns[f.name()][0]) != out_kind:
            return None
    return _GpkgSource(str(Path(path).resolve()), table, pk[0], geom)


def _blob_wkb(blob: bytes) -> bytes | None:
    """The WKB inside a GeoPackage geometry blob (None for an empty geometry)."""
    if blob[:2] != b"GP":
        return blob  # not a GeoPackage blob: take it as plain WKB
    flags = blob[3]
    if flags & 0x10:
        return None
    env = _ENVELOPE_BYTES.get((flags >> 1) & 7)
    if env is None:
        raise ValueError("bad GeoPackage geometry envelope code")
    return blob[8 + env:]


def _gpkg_blob(wkb: bytes, srs_id: int, bounds) -> bytes:
    """A standard little-endian GeoPackage blob with its XY envelope (bounds = minx, miny, maxx, maxy)."""
    minx, miny, maxx, maxy = bounds
    return b"GP\x00\x03" + struct.pack("<i4d", srs_id, minx, maxx, miny, maxy) + wkb


def _geometry_fixer(srs_id: int):
    """SQL function body: any source blob as a 2-D MultiPolygon blob of ``srs_id`` (None if empty)."""

    def fix(blob):
        if blob is None:
            return None
        wkb = _blob_wkb(bytes(blob))
        if wkb is None:
            return None
        geom = parse_wkb([wkb])[0]
        mp = _multipolygon_wkb(geom)
        if mp is None:
            return None
        return _gpkg_blob(mp, srs_id, shapely.bounds(shapely.from_wkb(mp)).tolist())

    return fix


def _copy_parcels_sql(path: Path, src: _GpkgSource, schema: _ParcelSchema, inputs: Inputs,
                      engine: BalanceEngine, uids: list, progress: _Progress, p0: float, p1: float,
                      dropped: list | None = None) -> int:
    """Fill the empty ``parcels`` table of ``path`` in SQL from the source GeoPackage.

    Whole parcels (share 1, most of them) are copied with one ``INSERT … SELECT`` from the
    attached source (the geometry blob as it is when it is already a 2-D MultiPolygon of the
    same srs_id); the areas, DYBH and share come from the engine through a temporary table, as
    do the boundary pairs clipped in bulk with shapely. The R-tree is bulk-loaded at the end.
    Durability is not needed here (the temporary file is fsynced before it is moved into place).
    """
    needed = _needed_pairs(engine, uids, dropped)
    codes = {uid: engine.unit_code(uid) for uid in uids}
    parcels = engine.parcels
    order = sorted(needed)  # rows in source order
    boundary = [(pid, uid) for pid in order for uid, share in needed[pid] if share < 1.0]  # pairs to clip
    boundary_blobs: list[bytes | None] = []

    def pair_rows() -> Iterator[tuple]:
        """(seq, source fid, TBMJ, KCMJ, TBDLMJ, DYBH, share, clipped, clipped geometry) in source order."""
        clipped_blobs = iter(boundary_blobs)
        seq = 0
        for n, pid in enumerate(order):
            if n % 20000 == 0:
                progress.check()
            tbmj, kc, tbdl = _areas(parcels[pid])
            for uid, share in needed[pid]:
                seq += 1
                cut = share < 1.0
                yield (seq, pid, tbmj * share, kc * share, tbdl * share, codes[uid], share, int(cut),
                       next(clipped_blobs) if cut else None)

    progress(p0 + 0.1 * (p1 - p0))
    table, fid, geom = _q(src.table), _q(src.fid), _q(src.geom)
    try:
        con = sqlite3.connect(Path(path).as_uri(), uri=True, isolation_level=None)
    except sqlite3.Error as exc:
        raise WriteError(tr("Cannot write {0}: {1}").format(path, exc)) from exc
    stopped: list[bool] = []
    try:
        for pragma in ("journal_mode=OFF", "synchronous=OFF", "cache_size=-262144", "temp_store=MEMORY"):
            con.execute(f"PRAGMA {pragma}")
        con.execute("ATTACH DATABASE ? AS lcp_src", (Path(src.path).as_uri() + "?mode=ro",))
        (srs_id,) = con.execute("SELECT srs_id FROM gpkg_geometry_columns WHERE table_name = 'parcels'").fetchone()
        out_columns = {r[1] for r in con.execute("PRAGMA main.table_info(parcels)")}
        missing = [n for n in ["fid", "geom", *schema.names] if n not in out_columns]
        if missing:
            raise WriteError(tr("Cannot write {0}: the parcels table lacks {1}").format(path, ", ".join(missing)))

        def interrupt() -> int:  # SQLite asks every 10 000 VM steps (~50 rows); non-zero stops the statement
            if progress.cancelled():
                stopped.append(True)
                return 1
            return 0

        con.set_progress_handler(interrupt, 10_000)
        con.execute("BEGIN")

        # boundary pairs: their source geometries, clipped in bulk
        if boundary:
            con.execute(f"CREATE TEMP TABLE {_TEMP_PREFIX}fids(fid INTEGER PRIMARY KEY)")
            con.executemany(f"INSERT OR IGNORE INTO {_TEMP_PREFIX}fids VALUES (?)", ((pid,) for pid, _u in boundary))
            blobs = dict(con.execute(f"SELECT s.{fid}, s.{geom} FROM lcp_src.{table} s "
                                     f"WHERE s.{fid} IN (SELECT fid FROM {_TEMP_PREFIX}fids)"))
            wkbs = [None if blobs.get(pid) is None else _blob_wkb(blobs[pid]) for pid, _u in boundary]
            del blobs
            progress.check()
            unit_geoms = _unit_geometries(inputs, inputs.parcels.crs(), uids)
            clipped = _clip_to_units(wkbs, [uid for _p, uid in boundary], unit_geoms)
            del wkbs
            out_wkbs = _multipolygon_wkbs(clipped)
            bounds = shapely.bounds(clipped).tolist()
            for k in np.flatnonzero(~np.isin(shapely.get_type_id(clipped), (3, 6))).tolist():
                if out_wkbs[k] is not None:  # a collection: the box of its polygonal part
                    bounds[k] = shapely.bounds(shapely.from_wkb(out_wkbs[k])).tolist()
            boundary_blobs.extend(None if w is None else _gpkg_blob(w, srs_id, b) for w, b in zip(out_wkbs, bounds))
            del clipped, out_wkbs
        progress(p0 + 0.5 * (p1 - p0))
        progress.check()

        con.execute(f"CREATE TEMP TABLE {_TEMP_PREFIX}pairs(seq INTEGER PRIMARY KEY, src_fid INTEGER, tbmj REAL, "
                    "kcmj REAL, tbdlmj REAL, code TEXT, share REAL, clipped INTEGER, geom BLOB)")
        con.executemany(f"INSERT INTO {_TEMP_PREFIX}pairs VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", pair_rows())
        del boundary_blobs[:]
        # GDAL's triggers (R-tree upkeep with ST_* functions, feature count) are put back afterwards
        triggers = con.execute("SELECT name, sql FROM main.sqlite_master WHERE type = 'trigger' "
                               "AND lower(tbl_name) = 'parcels'").fetchall()
        for name, _sql in triggers:
            con.execute(f"DROP TRIGGER main.{_q(name)}")

        source_of = {name: f.name() for _i, f, name in schema.source}
        by_engine = {"TBMJ": "p.tbmj", "KCMJ": "p.kcmj", "TBDLMJ": "p.tbdlmj", UNIT_CODE_FIELD: "p.code",
                     SHARE_FIELD: "p.share"}
        exprs = [by_engine[n] if n in by_engine else f"s.{_q(source_of[n])}" if n in source_of else "NULL"
                 for n in schema.names]
        header = (b"GP\x00\x03" + struct.pack("<i", srs_id)).hex()
        con.create_function("lcp_geom", 1, _geometry_fixer(srs_id), deterministic=True)
        geom_expr = (f"CASE WHEN p.clipped THEN p.geom WHEN substr(s.{geom}, 1, 8) = X'{header}' "
                     f"AND substr(s.{geom}, 41, 5) = X'0106000000' THEN s.{geom} ELSE lcp_geom(s.{geom}) END")
        cur = con.execute(
            f"INSERT INTO main.parcels (fid, geom, {', '.join(_q(n) for n in schema.names)}) "
            f"SELECT p.seq, {geom_expr}, {', '.join(exprs)} FROM {_TEMP_PREFIX}pairs p "
            f"JOIN lcp_src.{table} s ON s.{fid} = p.src_fid ORDER BY p.seq")
        count = cur.rowcount
        con.execute(f"DROP TABLE {_TEMP_PREFIX}pairs")
        progress(p0 + 0.85 * (p1 - p0))
        progress.check()

        # spatial index, extent, feature count
        heads = con.execute("SELECT fid, substr(geom, 1, 40) FROM main.parcels WHERE geom IS NOT NULL").fetchall()
        ids = np.fromiter((r[0] for r in heads), dtype=np.int64, count=len(heads))
        raw = np.frombuffer(b"".join(r[1] for r in heads), dtype=np.uint8).reshape(-1, 40) if heads else \
            np.zeros((0, 40), np.uint8)
        del heads
        if len(raw) and not (raw[:, 3] == 3).all():
            raise WriteError(tr("Cannot write {0}: unexpected geometry header").format(path))
        env = np.frombuffer(raw[:, 8:40].tobytes(), dtype="<f8").reshape(-1, 4)
        if con.execute("SELECT 1 FROM main.sqlite_master WHERE name = 'rtree_parcels_geom'").fetchone():
            fill_rtree(con, "rtree_parcels_geom", ids, env)
        for _name, sql in triggers:
            con.execute(sql)
        if len(env):
            con.execute("UPDATE main.gpkg_contents SET min_x = ?, min_y = ?, max_x = ?, max_y = ?, "
                        "last_change = strftime('%Y-%m-%dT%H:%M:%fZ', 'now') WHERE lower(table_name) = 'parcels'",
                        (float(env[:, 0].min()), float(env[:, 2].min()), float(env[:, 1].max()),
                         float(env[:, 3].max())))
        if con.execute("SELECT 1 FROM main.sqlite_master WHERE name = 'gpkg_ogr_contents'").fetchone():
            con.execute("UPDATE main.gpkg_ogr_contents SET feature_count = ? WHERE lower(table_name) = 'parcels'",
                        (count,))
        con.execute("COMMIT")
        con.set_progress_handler(None, 0)
        con.execute("DETACH DATABASE lcp_src")
    except sqlite3.Error as exc:
        if stopped or progress.cancelled():
            raise ExportCancelled(tr("Export cancelled; no file was written.")) from None
        raise WriteError(tr("Cannot write {0}: {1}").format(path, exc)) from exc
    finally:
        con.close()
    progress(p1)
    return count



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


# --------------------------------------------------------------------------- metadata
@dataclass
class _Meta:
    title: str
    author: str
    date: str
    version: str
    pack: str
    sources: list[tuple[str, str, str]]  # (role, source, CRS)

    def gdal_items(self) -> dict[str, str]:
        items = {"TITLE": self.title, "AUTHOR": self.author, "DATE": self.date,
                 "PLUGIN": f"Land Consolidation Planner {self.version}", "RULE_PACK": self.pack,
                 "AREA_UNIT": "m2 (TBMJ, KCMJ, TBDLMJ apportioned by share; area_mu in mu = 10000/15 m2)"}
        for role, src, crs in self.sources:
            items[f"SOURCE_{role.upper()}"] = src
            items[f"SOURCE_{role.upper()}_CRS"] = crs
        return items

    def layer_metadata(self, layer: QgsVectorLayer, abstract: str) -> QgsLayerMetadata:
        md = QgsLayerMetadata()
        md.setIdentifier(layer.name())
        md.setTitle(self.title)
        md.setAbstract(abstract)
        md.setType("dataset")
        md.setCrs(layer.crs())
        contact = QgsLayerMetadata.Contact(self.author)
        contact.role = "author"
        md.addContact(contact)
        md.setKeywords({"gmd:topicCategory": ["planningCadastre"], "land consolidation": ["全域土地综合整治"]})
        md.setHistory([tr("Exported on {0} by Land Consolidation Planner {1} (rule pack {2})").format(
            self.date, self.version, self.pack)] + [tr("Source {0}: {1} ({2})").format(role, src, crs)
                                                      for role, src, crs in self.sources])
        return md


def _metadata(inputs: Inputs, pack: RulePack, title: str | None, author: str | None, codes: list[str]) -> _Meta:
    if not title:
        shown = ", ".join(codes[:5]) + (" …" if len(codes) > 5 else "")
        title = tr("Land consolidation plan: {0}").format(shown)
    if not author:
        author = QgsApplication.userFullName() or QgsApplication.userLoginName() or ""
    sources = []
    for role, layer in (("parcels", inputs.parcels), ("units", inputs.units), ("pbf", inputs.pbf)):
        if layer is not None:
            sources.append((role, layer.publicSource(), layer.crs().authid() or layer.crs().description()))
    return _Meta(title, author, _dt.datetime.now().astimezone().isoformat(timespec="seconds"), plugin_version(),
                 f"{pack.id} {pack.version}", sources)


# --------------------------------------------------------------------------- styles + project
def _style_units(layer: QgsVectorLayer, inputs: Inputs) -> None:
    load_style(layer, resource_path("styles", "units.qml"))
    names = resolve_unit_fields(layer.fields().names(), inputs.unit_field)
    code, name = names.get("DYBH"), names.get("DYMC")
    labeling = layer.labeling()
    if isinstance(labeling, QgsVectorLayerSimpleLabeling):
        settings = QgsPalLayerSettings(labeling.settings())
        parts = [f'"{code}"' if code else "$id"] + ([f"coalesce(\"{name}\", '')"] if name else [])
        settings.fieldName = " || '\\n' || ".join(parts)
        settings.isExpression = True
        layer.setLabeling(QgsVectorLayerSimpleLabeling(settings))
        layer.setLabelsEnabled(True)


def style_parcels_by_type(layer: QgsVectorLayer, chinese: bool) -> None:
    load_style(layer, resource_path("styles", "parcels.qml"))
    renderer = layer.renderer()
    if not isinstance(renderer, QgsCategorizedSymbolRenderer):
        renderer = QgsCategorizedSymbolRenderer("ZZLX", [])
    existing = renderer.categories()  # keep the list alive: symbol() belongs to its category
    base = existing[0].symbol().clone() if existing else QgsFillSymbol.createSimple({})
    categories = []
    for code, zh, en, colour in remediation_colours():
        symbol = base.clone()
        symbol.symbolLayer(0).setColor(_qcolor(colour))
        symbol.symbolLayer(0).setStrokeColor(_qcolor(colour).darker(150))
        categories.append(QgsRendererCategory(code, symbol, f"{code} {zh if chinese else en}"))
    categories.append(QgsRendererCategory(None, base.clone(), tr("Untagged (class unchanged)")))
    layer.setRenderer(QgsCategorizedSymbolRenderer(renderer.classAttribute() or "ZZLX", categories))


def _qcolor(text: str):
    from qgis.PyQt.QtGui import QColor

    return QColor(text)


def chinese_active() -> bool:
    """True when the active translation is Chinese (zh_CN is the only one shipped)."""
    return tr("Remediation units") != "Remediation units"


def _pack_reference(pack: RulePack) -> str:
    """How a project names the pack: a bundled pack by id, another one by its file."""
    from ..core.rules import PACK_DIR

    if pack.path is None or Path(pack.path).resolve().parent == Path(PACK_DIR).resolve():
        return pack.id
    return str(Path(pack.path).resolve())


def _style_and_project(path: Path, inputs: Inputs, meta: _Meta, pack: RulePack | None = None) -> None:
    """Default styles into layer_styles, layer metadata, and the QGIS project into the file.

    The project carries the plugin's set-up on its own layers (``units``, ``parcels``; fields
    under their canonical names, areas in m²) and the rule pack of the export, so that opening
    the hand-over file in QGIS starts the live balance without any set-up.
    """
    project = QgsProject()
    try:
        units = QgsVectorLayer(f"{path}|layername=units", tr("Remediation units"), "ogr")
        parcels = QgsVectorLayer(f"{path}|layername=parcels", tr("Parcels of the plan"), "ogr")
        if not units.isValid() or not parcels.isValid():
            raise WriteError(tr("Cannot reopen the layers just written to {0}").format(path))
        _style_units(units, inputs)
        style_parcels_by_type(parcels, chinese_active())
        units.setMetadata(meta.layer_metadata(units, tr("Remediation units (整治单元) with their ellipsoidal area")))
        parcels.setMetadata(meta.layer_metadata(parcels, tr(
            "Parcels (三调 DLTB) of the units, clipped at the unit boundary; TBMJ, KCMJ, TBDLMJ apportioned by share")))
        for layer, name in ((units, "units"), (parcels, "parcels")):
            error = layer.saveStyleToDatabase(name, meta.title, True, "")
            if error:
                raise WriteError(tr("Cannot store the style of {0} in {1}: {2}").format(name, path, error))
        tables = [QgsVectorLayer(f"{path}|layername={t}", label, "ogr")
                  for t, label in (("balance", tr("Area balance")), ("indicators", tr("Indicators")),
                                   ("rule_pack", tr("Rule pack")))]
        project.addMapLayers([units, parcels] + [t for t in tables if t.isValid()])  # tree order: units on top
        project.setCrs(parcels.crs())
        # Opened in QGIS, the map starts on the units (without it: an empty canvas at 1:1).
        extent = units.extent() if not units.extent().isEmpty() else parcels.extent()
        extent.scale(1.05)
        project.viewSettings().setDefaultViewExtent(
            QgsReferencedRectangle(extent, units.crs() if not units.extent().isEmpty() else parcels.crs()))
        project.setTitle(meta.title)
        pmd = project.metadata()
        pmd.setTitle(meta.title)
        pmd.setAuthor(meta.author)
        pmd.setCreationDateTime(QDateTime.currentDateTime())
        pmd.setAbstract("\n".join(meta.layer_metadata(units, "").history()))
        project.setMetadata(pmd)
        if pack is not None:
            from .project_config import SessionConfig

            SessionConfig(parcels=parcels.id(), units=units.id(), rule_pack=_pack_reference(pack)).write(project)
        uri = f"geopackage:{path}?projectName={PROJECT_NAME}"
        if not project.write(uri):
            raise WriteError(tr("Cannot store the QGIS project in {0}: {1}").format(path, project.error()))
    finally:
        project.clear()
        del project


def _finish_file(path: Path) -> None:
    """Fold any write-ahead log into the file and leave it in rollback-journal mode."""
    try:
        con = sqlite3.connect(str(path), timeout=10)
        try:
            con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            con.execute("PRAGMA journal_mode=DELETE")
        finally:
            con.close()
    except sqlite3.Error as exc:
        raise WriteError(tr("Cannot finish {0}: {1}").format(path, exc)) from exc
    for suffix in ("-wal", "-shm"):
        side = Path(str(path) + suffix)
        if side.exists() and side.stat().st_size:
            raise WriteError(tr("Cannot finish {0}: another program keeps it open.").format(path))
    try:
        fd = os.open(path, os.O_RDONLY)
        try:
            os.fsync(fd)  # durable before it replaces the old file
        finally:
            os.close(fd)
    except OSError as exc:
        raise WriteError(tr("Cannot finish {0}: {1}").format(path, exc)) from exc


def _quick_check(path: Path) -> list[tuple]:
    """The cheap part of validation for big files: SQLite integrity, GeoPackage header, layers readable."""
    errors: list[tuple] = []
    try:
        con = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            result = con.execute("PRAGMA quick_check").fetchone()[0]
            app_id = con.execute("PRAGMA application_id").fetchone()[0]
        finally:
            con.close()
    except sqlite3.Error as exc:
        return [(None, str(exc))]
    if result != "ok":
        errors.append((None, result))
    if app_id != 0x47504B47:  # 'GPKG'
        errors.append((None, "application_id is not GPKG"))
    ds = ogr.Open(str(path))
    for name in ("units", "parcels", "balance", "indicators", "rule_pack"):
        if ds is None or ds.GetLayerByName(name) is None:
            errors.append((None, f"layer {name} missing"))
    ds = None
    return errors


def validate(path: str | Path) -> list[tuple]:
    """Errors of GDAL's GeoPackage validator ([] = valid)."""
    from osgeo_utils.samples import validate_gpkg

    return list(validate_gpkg.check(str(path), abort_at_first_error=False, warning_msg=False))


# --------------------------------------------------------------------------- main entry
def _write_file(path: Path, sel: _Selection, inputs: Inputs, pack: RulePack, engine: BalanceEngine, reader,
                meta: _Meta, progress: _Progress, p0: float, p1: float, check: bool | None, log=None) -> None:
    dropped: list = []
    with _sqlite_bulk_options():
        n_parcels = _write_layers(path, sel, inputs, pack, engine, reader, meta, progress, p0, p1, dropped)
    progress.check()
    if dropped:
        _note(progress, log, tr("{0}: {1} parcel pieces under {2} m² (together {3:.4f} m², parcels that only touch a "
                                "unit) were left out of the parcels table").format(
            path.name, len(dropped), SLIVER_M2, sum(a for _p, _u, a in dropped)))
    _style_and_project(path, inputs, meta, pack)
    _finish_file(path)
    if check is None:
        check = n_parcels <= FULL_VALIDATION_LIMIT
    errors = validate(path) if check else _quick_check(path)
    if errors:
        raise WriteError(tr("The GeoPackage {0} failed validation: {1}").format(
            path.name, "; ".join(str(m) for _r, m in errors[:3])))
    progress(p1)


def _write_layers(path: Path, sel: _Selection, inputs: Inputs, pack: RulePack, engine: BalanceEngine, reader,
                  meta: _Meta, progress: _Progress, p0: float, p1: float, dropped: list | None = None) -> int:
    try:
        ds = ogr.GetDriverByName("GPKG").CreateDataSource(str(path))
    except RuntimeError as exc:
        raise WriteError(tr("Cannot create {0}: {1}").format(path, exc)) from exc
    sql_source = None
    ok = False
    try:
        _write_units(ds, inputs, engine, sel.uids, meta.title)
        schema = _ParcelSchema(inputs.parcels, reader)
        sql_source = _gpkg_source(inputs.parcels, schema)
        if sql_source is None:
            n_parcels = _write_parcels(ds, inputs, engine, reader, sel.uids, progress, p0, p0 + 0.8 * (p1 - p0),
                                       dropped)
        else:
            _create_parcels_layer(ds, inputs.parcels.crs(), schema)  # empty: filled in SQL once OGR is done
        md = ds.GetMetadata() or {}
        md.update(meta.gdal_items())
        ds.SetMetadata(md)
        for name, abstract in (("units", tr("Remediation units")), ("parcels", tr("Parcels of the plan"))):
            lyr = ds.GetLayerByName(name)
            for key, value in (("PLAN_TITLE", meta.title), ("ABSTRACT", abstract), ("AUTHOR", meta.author),
                               ("DATE", meta.date)):
                lyr.SetMetadataItem(key, value)
        lyr = None
        ok = True
    except RuntimeError as exc:
        raise WriteError(tr("Cannot write {0}: {1}").format(path, str(exc).strip() or type(exc).__name__)) from exc
    finally:
        with collect_unraisable(collect=not ok) as late:  # a failure to close is a WriteError, not "Exception ignored"
            lyr = ds = None  # closes the file and builds the deferred R-tree indexes
        if late and ok:
            raise WriteError(tr("Cannot write {0}: {1}").format(path, late[0]))
    if sql_source is not None:
        n_parcels = _copy_parcels_sql(path, sql_source, schema, inputs, engine, sel.uids, progress,
                                      p0, p0 + 0.8 * (p1 - p0), dropped)
    subset = _SubsetEngine(engine, sel.codes)
    write_balance_tables(path, subset)
    write_table(path, "rule_pack", RULE_PACK_COLUMNS, _rule_rows(pack),
                f"Rule pack {pack.id} {pack.version}: the rules the indicators were judged by")
    return n_parcels


def export_plan(inputs: Inputs, pack: RulePack, out, unit_codes: Sequence[str] | None = None,
                per_unit: bool = False, overwrite: bool = False, feedback=None, title: str | None = None,
                author: str | None = None, validate_output: bool | None = None, log=None) -> list[Path]:
    """Compute the balance once and write the plan GeoPackage(s); returns the files written.

    ``out`` is the file (``per_unit=False``) or the folder for ``<DYBH>.gpkg`` files.
    Raises InputError (bad input), WriteError (cannot write; old files untouched) or
    ExportCancelled (``feedback.isCanceled()``; nothing written). ``validate_output``: True runs
    GDAL's GeoPackage validator on every file, False only a quick check, None (default) the
    validator up to ``FULL_VALIDATION_LIMIT`` parcel features and the quick check above.
    ``log(message)`` hears what the planner should know about the files (also sent to
    ``feedback.pushInfo``), e.g. how many slivers were left out.
    """
    progress = _Progress(feedback)
    check_targets(out, per_unit, overwrite, [*inputs.sources(), pack.path])
    try:
        engine, reader = build_engine(inputs, pack, progress=lambda f: progress(40.0 * f),
                                      cancelled=progress.cancelled)
    except BuildCancelled:
        raise ExportCancelled(tr("Export cancelled; no file was written.")) from None
    return write_plan(engine, reader, inputs, out, unit_codes, per_unit, overwrite, feedback, title, author,
                      validate_output, _start=40.0, log=log)


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
               log=None) -> list[Path]:
    """Write the plan GeoPackage(s) from an engine already built over ``inputs`` (the dock's live one)."""
    progress = _Progress(feedback)
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
            meta = _metadata(inputs, engine.pack, f"{title} {sel.codes[0]}" if per_unit and title else title,
                             author, sel.codes)
            _write_file(path, sel, inputs, engine.pack, engine, reader, meta, progress,
                        _start + span * k / n, _start + span * (k + 1) / n, validate_output, log)
            written.append(sel.target)
            progress.check()
    progress(100.0)
    return written


__all__ = ["ExportCancelled", "check_targets", "export_plan", "plugin_version", "remediation_colours",
           "safe_file_stem", "validate", "write_plan"]
