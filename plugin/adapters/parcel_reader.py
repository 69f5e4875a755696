"""Parcel features into the core's records: ``(fid, shapely geometry, ParcelRecord)``.

Read through QGIS (any layer, the edit buffer included) or, for a saved GeoPackage table, through
GDAL's Arrow stream (adapters/fast_read.py), with the same result. A parcel with a NULL TBMJ gets
its ellipsoidal area on CGCS2000 (docs/domain.md §6).
"""
from __future__ import annotations

import math
from typing import Callable, Iterable

import numpy as np
import shapely
from qgis.core import QgsCoordinateReferenceSystem, QgsCsException, QgsFeatureRequest, QgsGeometry, QgsVectorLayer

from ..core.engine import paused_gc
from ..core.engine.packed import PackedGeometries
from ..core.fields import RECORD_FIELDS, FieldMap, ParcelRecord, normalize_parcel, resolve_parcel_fields, with_area
from ..core.fields_columns import ColumnIssues, normalize_columns, with_area_columns
from ..core.i18n import tr
from ..core.record_columns import RecordColumns
from ..core.validation import clean_polygonal, valid_area
from ..core.value_warnings import value_warnings
from .crs import ellipsoid_measure, transform_to
from .fast_read import WKB_CHUNK, NotFast, gdal_failure, gpkg_source, read_arrow, read_arrow_columns
from .sources import InputError, damage_guard, damaged_gpkg
from .wkb import feature_wkb, parse_wkb

# only core.fields.RECORD_FIELDS (what normalize_parcel reads) are fetched
_SHARED_TEXT = ("dlbm", "kcdlbm", "zzlx", "ghdlbm", "yncz", "gdpdjb", "gdlx", "zldwdm")
_SHARED_NUMBERS = ("kcxs", "ghkcxs", "kcmj")  # slope coefficients, and the many zero KCMJ
_SHARED_NUMBERS_MAX = 4096


def give_back_memory() -> None:
    """Hand the heap freed by a bulk step back to the system (glibc's ``malloc_trim``; elsewhere nothing):
    the GDAL batches and temporary columns of a million-parcel read leave hundreds of MB that glibc would
    keep (~240 MB after the Arrow read at 1 M parcels), so the next step's peak would sit on top of them."""
    try:
        import ctypes

        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except (OSError, AttributeError):
        pass


def parcel_fields(layer: QgsVectorLayer, overrides: dict | None = None, tbmj_in_mu: bool = False) -> FieldMap:
    fm = resolve_parcel_fields(layer.fields().names(), overrides, tbmj_in_mu)
    missing = fm.missing_required()
    if missing:
        raise InputError(tr("The parcel layer {0} lacks the required field(s) {1}; map them in the field mapping.")
                         .format(layer.name(), ", ".join(missing)))
    return fm



class ParcelReader:
    """Turns parcel features into ``(fid, geometry, ParcelRecord)``; reused by the live listener."""

    def __init__(self, layer: QgsVectorLayer, fields: FieldMap, crs: QgsCoordinateReferenceSystem):
        self.layer = layer
        self.fields = fields
        self.crs = crs
        self.transform = transform_to(layer, crs)
        self.measure = ellipsoid_measure(crs)  # measures the (repaired) geometries in the working CRS
        names = layer.fields().names()
        #: canonical name -> layer field of what a record is made of (only these are fetched)
        self.attributes = {canon: actual
                           for canon, actual in list(fields.parcels.items()) + list(fields.plan.items())
                           if actual and actual in names and canon in RECORD_FIELDS}
        self._index = {canon: names.index(actual) for canon, actual in self.attributes.items()}
        self._record_index = list(self._index.items())
        self._strings: dict[str, str] = {}
        self._numbers: dict[tuple, float] = {}
        self.measured: set[int] = set()  # parcels whose NULL TBMJ was measured on the ellipsoid
        self.issues: dict[str, set] = {}  # canonical field -> fids whose value was unusable (validation.py)

    def warnings(self) -> list[str]:
        return value_warnings(len(self.measured), {k: sorted(v) for k, v in self.issues.items()})

    def _note(self, fid, issues: list) -> None:
        for name in issues:
            self.issues.setdefault(name, set()).add(fid)

    def forget(self, fid) -> None:
        """A parcel is gone (live edits): drop it from the lists of the warnings."""
        self.measured.discard(fid)
        for ids in self.issues.values():
            ids.discard(fid)

    def complete(self, items: list) -> list:
        """Fill the TBMJ of parcels that have none (or an unusable one) from their geometry, measured
        on the CGCS2000 ellipsoid after repairing it (a self-intersecting ring measured as drawn
        loses the area of its crossed part)."""
        for k, (fid, geom, rec) in enumerate(items):
            if rec.tbmj is not None or geom is None:
                continue
            area = self.measured_area(geom)
            if area is None:
                continue
            issues: list = []
            items[k] = (fid, geom, self._shared(with_area(rec, area, issues)))
            self._note(fid, issues)
            self.measured.add(fid)
        return items

    def measured_area(self, geom) -> float | None:
        """The area of a parcel without a usable TBMJ: measured on the CGCS2000 ellipsoid after
        repairing its geometry (planar outside the ellipsoid's domain), None if it has none."""
        cleaned, _what = clean_polygonal(geom)
        if cleaned is None:
            return None
        g = QgsGeometry()
        g.fromWkb(shapely.to_wkb(cleaned))
        try:
            area = self.measure.measureArea(g)
        except QgsCsException:  # QGIS ≥ 3.34 raises where 3.22 gave a number: outside the CRS's domain
            area = math.nan
        if not valid_area(area):
            area = float(cleaned.area)  # outside the ellipsoid's domain: the planar area
        return area if valid_area(area) else None

    def complete_columns(self, ids: np.ndarray, geoms: np.ndarray, columns: RecordColumns,
                         issues: ColumnIssues) -> None:
        """:meth:`complete` on columns, in place: the rows without TBMJ measured, noted in ``issues``."""
        rows, areas = [], []
        todo = np.flatnonzero(np.isnan(columns["tbmj"]))
        for k, geom in zip(todo.tolist(), geoms[todo].tolist()):  # packed WKB: only these are parsed
            if geom is None:
                continue
            area = self.measured_area(geom)
            if area is not None:
                rows.append(k)
                areas.append(area)
        with_area_columns(columns, np.asarray(rows, dtype=np.int64), np.asarray(areas, dtype=float), issues)
        self.measured.update(ids[rows].tolist())

    def note_columns(self, ids: np.ndarray, issues: ColumnIssues) -> None:
        """The warnings' bookkeeping (``issues``) of a columnar read."""
        for name, rows in issues.rows_by_name().items():
            self.issues.setdefault(name, set()).update(ids[rows].tolist())

    def request(self, fids: Iterable[int] | None = None) -> QgsFeatureRequest:
        req = QgsFeatureRequest()
        req.setSubsetOfAttributes(sorted(set(self._index.values())))
        if fids is not None:
            req.setFilterFids(list(fids))
        return req

    def record(self, feature) -> ParcelRecord:
        attrs = feature.attributes()
        values = {}
        for canon, i in self._record_index:
            v = attrs[i]
            values[canon] = None if v is None or (hasattr(v, "isNull") and v.isNull()) else v
        return self.record_of(feature.id(), values)

    def record_of(self, fid, values: dict) -> ParcelRecord:
        """The record of the parcel ``fid`` from its values by canonical name (None for NULL)."""
        issues: list = []
        rec = normalize_parcel(values, self.fields.tbmj_in_mu, issues)
        if issues:
            self._note(fid, issues)
        # docs/domain.md §6: a parcel without TBMJ gets its ellipsoidal area on CGCS2000 (complete()).
        return self._shared(rec)

    def _shared(self, rec: ParcelRecord) -> ParcelRecord:
        """One object per distinct code and per distinct coefficient (a million parcels share a
        few hundred codes and a few slope coefficients): saves memory, changes no value."""
        strings = self._strings
        for name in _SHARED_TEXT:
            v = getattr(rec, name)
            if v is not None:
                setattr(rec, name, strings.setdefault(v, v))
        numbers = self._numbers
        for name in _SHARED_NUMBERS:
            v = getattr(rec, name)
            if v is not None:
                key = (v, math.copysign(1.0, v))  # keeps -0.0 apart
                hit = numbers.get(key)
                if hit is not None:
                    setattr(rec, name, hit)
                elif len(numbers) < _SHARED_NUMBERS_MAX:  # bounded: KCXS derived per parcel never repeats
                    numbers[key] = v
        return rec

    def read(self, fids: Iterable[int] | None = None, progress: Callable[[float], None] | None = None,
             cancelled: Callable[[], bool] | None = None) -> list[tuple[int, object, ParcelRecord]]:
        """``(fid, geometry, record)`` of every (or the given) parcel.

        Each feature is turned into its record and WKB at once (no QgsFeature kept), and the
        WKB is parsed in chunks: memory stays near the size of the result.
        """
        with paused_gc(), damage_guard(self.layer):
            return self.complete(self._read(fids, progress, cancelled))

    def read_fast(self, progress: Callable[[float], None] | None = None,
                  cancelled: Callable[[], bool] | None = None) -> list[tuple[int, object, ParcelRecord]] | None:
        """:meth:`read` of every parcel straight from a GeoPackage with GDAL's Arrow stream.

        Same ``(fid, geometry, record)`` as :meth:`read` (a GeoPackage's QGIS feature ids are
        its fid column; NULL TBMJ measured the same way), several times faster. ``None`` when
        the layer is not a saved GeoPackage table in the working CRS: the caller then reads
        through QGIS.
        """
        source = gpkg_source(self.layer)
        if source is None or self.transform is not None:
            return None
        with paused_gc():
            try:
                return self.complete(read_arrow(source, self.layer, self.attributes, self.record_of,
                                                progress, cancelled))
            except NotFast:
                return None
            except RuntimeError as exc:  # GDAL: a damaged page, a truncated file…
                # not read again through QGIS: it would skip what it cannot read, and the numbers be wrong
                detail = gdal_failure(exc)
                if detail is None:
                    return None  # curves in a layer declared linear: not damage, QGIS reads (and linearises) them
                raise damaged_gpkg(source[0], detail) from None

    def read_columns(self, progress: Callable[[float], None] | None = None,
                     cancelled: Callable[[], bool] | None = None, wkb: bool = False):
        """Every parcel as columns: ``(feature ids (int64), shapely geometries (object, None where
        missing), RecordColumns)`` — the rows of :meth:`read` / :meth:`read_fast`, without a Python
        object per parcel on the GeoPackage path (GDAL's Arrow stream, when :meth:`read_fast` would
        take it), normalised in bulk (core/fields_columns.py) on both paths.

        ``wkb``: the geometries as WKB instead (``core.engine.packed.PackedGeometries``, an empty blob or
        none where missing): what the engine's full build takes, without a GEOS object per parcel."""
        with paused_gc():
            found = self._arrow_columns(progress, cancelled, wkb)
            with damage_guard(self.layer):
                ids, geoms, raw = found if found is not None else self._qgis_columns(progress, cancelled, wkb)
            give_back_memory()  # the batches' heap, before the normalisation's peak (bench/README.md, session 10)
            columns, issues = normalize_columns(raw, self.fields.tbmj_in_mu, n=len(ids))
            self.complete_columns(ids, geoms, columns, issues)
            self.note_columns(ids, issues)
            return ids, geoms, columns

    def _arrow_columns(self, progress, cancelled, wkb: bool = False):
        source = gpkg_source(self.layer)
        if source is None or self.transform is not None:
            return None
        try:
            return read_arrow_columns(source, self.layer, self.attributes, progress, cancelled, wkb)
        except NotFast:
            return None
        except RuntimeError as exc:  # as read_fast: damage is refused, curves are read through QGIS
            detail = gdal_failure(exc)
            if detail is None:
                return None
            raise damaged_gpkg(source[0], detail) from None

    def _qgis_columns(self, progress, cancelled, wkb: bool = False):
        ids, geoms, blobs = [], [], []
        packed = PackedGeometries() if wkb else None
        values: list[list] = [[] for _ in self._record_index]
        total = max(1, self.layer.featureCount())
        transform = self.transform
        index = [i for _canon, i in self._record_index]
        for n, f in enumerate(self.layer.getFeatures(self.request())):
            ids.append(f.id())
            attrs = f.attributes()
            for col, i in zip(values, index):
                v = attrs[i]
                col.append(None if v is None or (hasattr(v, "isNull") and v.isNull()) else v)
            blobs.append(feature_wkb(f, transform))
            if len(blobs) == WKB_CHUNK:
                _keep(geoms, packed, parse_wkb(blobs))
                blobs = []
            if n % 20000 == 0:
                if progress:
                    progress(n / total)
                if cancelled and cancelled():
                    break
        if blobs:
            _keep(geoms, packed, parse_wkb(blobs))
        garr = np.empty(len(geoms), dtype=object)
        garr[:] = geoms
        if packed is not None:
            garr = packed
        raw = {}
        for (canon, _i), col in zip(self._record_index, values):
            arr = np.empty(len(col), dtype=object)
            arr[:] = col
            raw[canon] = arr
        return np.asarray(ids, dtype=np.int64), garr, raw

    def _read(self, fids, progress, cancelled) -> list[tuple[int, object, ParcelRecord]]:
        ids, recs, geoms, blobs = [], [], [], []
        total = max(1, self.layer.featureCount()) if fids is None else None
        transform = self.transform
        record = self.record
        for n, f in enumerate(self.layer.getFeatures(self.request(fids))):
            ids.append(f.id())
            recs.append(record(f))
            blobs.append(feature_wkb(f, transform))
            if len(blobs) == WKB_CHUNK:
                geoms.extend(parse_wkb(blobs))
                blobs = []
            if total and n % 20000 == 0:
                if progress:
                    progress(n / total)
                if cancelled and cancelled():
                    break
        if blobs:
            geoms.extend(parse_wkb(blobs))
        return list(zip(ids, geoms, recs))


def _keep(geoms: list, packed, parsed: list) -> None:
    """A chunk of parsed geometries: kept as they are, or packed as WKB (their GEOS objects freed)."""
    if packed is None:
        geoms.extend(parsed)
        return
    arr = np.empty(len(parsed), dtype=object)
    arr[:] = parsed
    packed.append_wkb(shapely.to_wkb(arr))
