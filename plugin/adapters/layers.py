"""Read QGIS vector layers into the core's plain records.

* Geometries travel as WKB in bulk (``shapely.from_wkb`` over a list), the fastest way out
  of QGIS.
* The core measures shares in planar metres. A layer in a geographic CRS (EPSG:4490) is
  transformed into the CGCS2000 3° Gauss–Krüger zone of its centre, where area ratios
  agree with ellipsoidal ones to < 1e-6; projected layers stay as they are.
* A parcel with a NULL TBMJ gets its ellipsoidal area on the CGCS2000 ellipsoid
  (QgsDistanceArea, GeographicLib), as docs/domain.md §6 asks.
"""
from __future__ import annotations

import math
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable

import shapely
from qgis.core import (
    QgsCoordinateReferenceSystem,
    QgsCoordinateTransform,
    QgsCoordinateTransformContext,
    QgsDistanceArea,
    QgsFeatureRequest,
    QgsGeometry,
    QgsProject,
    QgsProviderRegistry,
    QgsRectangle,
    QgsVectorLayer,
    QgsWkbTypes,
)

from ..core.engine import BalanceEngine, paused_gc
from ..core.errors import PlanError
from ..core.fields import (
    FieldMap,
    ParcelRecord,
    normalize_parcel,
    resolve_parcel_fields,
    resolve_unit_fields,
    with_area,
)
from ..core.i18n import tr
from ..core.rules import RulePack
from ..core.validation import (
    CrsInfo,
    Problem,
    check_crs,
    check_tbmj_unit,
    clean_polygonal,
    sanitised_warnings,
    valid_area,
)
from .qgis_compat import POLYGON_GEOMETRY

CGCS2000_ELLIPSOID = "EPSG:1024"
# the canonical fields a ParcelRecord is made of (what normalize_parcel reads): only these are fetched
RECORD_FIELDS = ("BSM", "DLBM", "TBMJ", "KCDLBM", "KCXS", "KCMJ", "TBDLMJ", "ZZLX", "GHDLBM", "GHKCXS", "YNCZ")
_SHARED_TEXT = ("dlbm", "kcdlbm", "zzlx", "ghdlbm", "yncz")
_SHARED_NUMBERS = ("kcxs", "ghkcxs", "kcmj")  # slope coefficients, and the many zero KCMJ
_SHARED_NUMBERS_MAX = 4096
_WKB_CHUNK = 50_000
CGCS2000_GEOGRAPHIC = "EPSG:4490"


class InputError(PlanError):
    """Input a planner must fix (missing layer or field, unusable CRS…); the message says how."""


@dataclass
class ParcelSource:
    layer: QgsVectorLayer
    fields: FieldMap


@dataclass
class ReadResult:
    """What was read, plus what the planner should hear about."""

    records: list = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def open_layer(source: str, what: str, encoding: str | None = None) -> QgsVectorLayer:
    """Open an OGR source such as ``plan.gpkg|layername=DLTB``; InputError if unusable.

    ``encoding`` is the data source encoding of a shapefile's attributes (``GBK``…), as in the
    layer properties of QGIS; without it a shapefile without ``.cpg`` is sniffed
    (:func:`shapefile_encoding`).
    """
    layer = QgsVectorLayer(source, what, "ogr")
    if not layer.isValid():
        raise InputError(tr("Cannot open the {0} layer: {1}").format(what, source))
    if layer.geometryType() != POLYGON_GEOMETRY:
        raise InputError(tr("The {0} layer is not a polygon layer: {1}").format(what, source))
    provider = layer.dataProvider()
    if provider is not None and provider.storageType() == "ESRI Shapefile":
        if encoding:
            import codecs

            try:
                codecs.lookup(encoding)
            except LookupError:
                raise InputError(tr("Unknown text encoding {0}; use e.g. GBK, GB18030 or UTF-8.")
                                 .format(encoding)) from None
            layer.setProviderEncoding(encoding)
        else:
            path = QgsProviderRegistry.instance().decodeUri("ogr", source).get("path") or source
            detected = shapefile_encoding(path)
            if detected is not None and detected != provider.encoding():
                layer.setProviderEncoding(detected)
    return layer


def _has_declared_encoding(dbf: Path) -> bool:
    """A ``.cpg`` beside the DBF, or a language driver id in its header: the file says its encoding."""
    if any(dbf.with_suffix(s).exists() for s in (".cpg", ".CPG")):
        return True
    try:
        with open(dbf, "rb") as f:
            head = f.read(32)
    except OSError:
        return True
    return len(head) == 32 and head[29] != 0


def _dbf_text_sample(dbf: Path, max_records: int = 5000) -> list[bytes]:
    """The non-ASCII values (raw bytes) of the character fields of records of a DBF file."""
    import struct

    with open(dbf, "rb") as f:
        head = f.read(32)
        if len(head) < 32:
            return b""
        n_records, header_len, record_len = struct.unpack("<IHH", head[4:12])
        fields, offset = [], 1  # byte 0 of a record is the deletion flag
        while f.tell() < header_len - 1:
            desc = f.read(32)
            if len(desc) < 32 or desc[0] == 0x0D:
                break
            length = desc[16]
            if desc[11:12] in (b"C", b"M"):
                fields.append((offset, length))
            offset += length
        # records from the start, the middle and the end (text may be ASCII for a long stretch)
        per_block = max(1, min(n_records, max_records) // 4)
        starts = sorted({0, n_records // 3, 2 * n_records // 3, max(0, n_records - per_block)})
        blocks = []
        for first in starts:
            f.seek(header_len + first * record_len)
            blocks.append(f.read(record_len * per_block))
    out = []
    for data in blocks:
        for start in range(0, len(data) - record_len + 1, record_len):
            for off, length in fields:
                value = data[start + off:start + off + length].rstrip(b" \x00")
                if value and not value.isascii():
                    out.append(value)
    return out


def shapefile_encoding(path: str) -> str | None:
    """The encoding to read a shapefile's attributes with when it does not declare one.

    ``None`` when the file declares it (``.cpg``/LDID: QGIS uses that) or its text is plain ASCII;
    ``"UTF-8"`` or ``"GBK"`` when the bytes decode as that (GBK text is almost never valid
    UTF-8); InputError naming the option when neither fits.
    """
    dbf = Path(path).with_suffix(".dbf")
    if not dbf.exists():
        dbf = Path(path).with_suffix(".DBF")
    if not dbf.exists() or _has_declared_encoding(dbf):
        return None
    try:
        sample = _dbf_text_sample(dbf)
    except (OSError, ValueError):
        return None
    if not sample:
        return None
    import codecs

    for encoding in ("UTF-8", "GBK", "GB18030"):
        try:
            for value in sample:  # a value cut at the field width may end in half a character
                codecs.getincrementaldecoder(encoding)().decode(value, final=False)
            return encoding
        except UnicodeDecodeError:
            continue
    raise InputError(tr("Cannot tell the text encoding of {0} (it has no .cpg file): give it with --encoding "
                        "(e.g. GBK), or in QGIS in the layer properties (Source, data source encoding).")
                     .format(dbf))


def gauss_kruger_zone_crs(longitude: float) -> QgsCoordinateReferenceSystem:
    """CGCS2000 3° Gauss–Krüger CRS (EPSG:4534–4554, no zone prefix) whose meridian is nearest."""
    zone = int(round((longitude - 75.0) / 3.0))
    zone = max(0, min(20, zone))
    return QgsCoordinateReferenceSystem(f"EPSG:{4534 + zone}")


def working_crs(layer: QgsVectorLayer) -> QgsCoordinateReferenceSystem:
    """The planar CRS the core works in for this layer (see module docstring)."""
    crs = layer.crs()
    if not crs.isValid():
        raise InputError(tr("The layer {0} has no valid coordinate reference system; set one in its properties.")
                         .format(layer.name()))
    if not crs.isGeographic():
        return crs
    extent = layer.extent()
    if extent.isEmpty():
        lon = extent.center().x() if not extent.isNull() else 117.0
    else:
        to_geo = QgsCoordinateTransform(crs, QgsCoordinateReferenceSystem(CGCS2000_GEOGRAPHIC),
                                        QgsProject.instance().transformContext())
        lon = to_geo.transform(extent.center()).x()
    if not math.isfinite(lon):
        lon = 117.0
    return gauss_kruger_zone_crs(lon)


def transform_to(layer: QgsVectorLayer, crs: QgsCoordinateReferenceSystem) -> QgsCoordinateTransform | None:
    if layer.crs() == crs:
        return None
    return QgsCoordinateTransform(layer.crs(), crs, QgsProject.instance().transformContext())


def ellipsoid_measure(crs: QgsCoordinateReferenceSystem,
                      context: QgsCoordinateTransformContext | None = None) -> QgsDistanceArea:
    """QgsDistanceArea measuring on the CGCS2000 ellipsoid (a = 6378137, 1/f = 298.257222101)."""
    da = QgsDistanceArea()
    da.setSourceCrs(crs, context or QgsProject.instance().transformContext())
    da.setEllipsoid(CGCS2000_ELLIPSOID)
    return da


def area_scale(layer: QgsVectorLayer, crs: QgsCoordinateReferenceSystem) -> float:
    """Ellipsoidal m² (CGCS2000) per planar unit² of ``crs`` near the centre of ``layer``.

    About 1 in a Gauss–Krüger zone (the scale factor squared), far from 1 in Web Mercator or a
    CRS in feet. The engine uses it only to tell a TBMJ copied onto a split's pieces from
    apportioned shares (core.pieces), so one value for the layer is precise enough.
    """
    try:
        extent = layer.extent()
        transform = transform_to(layer, crs)
        if transform is not None and not extent.isEmpty():
            extent = transform.transformBoundingBox(extent)
        if extent.isEmpty() or not all(math.isfinite(v) for v in (extent.xMinimum(), extent.yMaximum())):
            return 1.0
        side = max(extent.width(), extent.height()) / 100.0 or 1.0
        c = extent.center()
        square = QgsGeometry.fromRect(QgsRectangle(c.x() - side / 2, c.y() - side / 2, c.x() + side / 2,
                                                   c.y() + side / 2))
        ratio = ellipsoid_measure(crs).measureArea(square) / square.area()
    except Exception:  # an exotic CRS: the rule's tolerance covers a scale near 1
        return 1.0
    return ratio if math.isfinite(ratio) and ratio > 0 else 1.0


def feature_wkb(feature, transform: QgsCoordinateTransform | None) -> bytes | None:
    """A feature's geometry as WKB in the working CRS (None for NULL/empty); curves are linearised."""
    g = feature.geometry()
    if g is None or g.isNull() or g.isEmpty():
        return None
    if QgsWkbTypes.isCurvedType(g.wkbType()):
        g = QgsGeometry(g.constGet().segmentize())  # CurvePolygon, MultiSurface…: shapely reads no curves
    if transform is not None:
        g = QgsGeometry(g)
        try:
            g.transform(transform)
        except Exception:  # QgsCsException: a point outside the CRS's domain
            return None
    return bytes(g.asWkb())


def parse_wkb(blobs: list) -> list:
    """shapely geometries from WKB; a blob GEOS cannot read (a ring of < 4 points…) is repaired
    through QGIS's makeValid, or becomes None; never raises."""
    if not blobs:
        return []
    try:
        return shapely.from_wkb(blobs).tolist()
    except (shapely.errors.GEOSException, ValueError, TypeError):
        pass
    out = []
    for blob in blobs:
        try:
            out.append(shapely.from_wkb(blob) if blob is not None else None)
        except (shapely.errors.GEOSException, ValueError, TypeError):
            g = QgsGeometry()
            g.fromWkb(blob)
            if QgsWkbTypes.isCurvedType(g.wkbType()):
                g = QgsGeometry(g.constGet().segmentize())  # curves: shapely reads none
            fixed = g.makeValid()
            try:
                out.append(shapely.from_wkb(bytes(fixed.asWkb())) if not fixed.isEmpty() else None)
            except (shapely.errors.GEOSException, ValueError, TypeError):
                out.append(None)
    return out


def geometries_wkb(features: Iterable, transform: QgsCoordinateTransform | None) -> list:
    """shapely geometries (None for NULL/empty) from QgsFeatures, via WKB in one bulk call."""
    return parse_wkb([feature_wkb(f, transform) for f in features])


def crs_info(crs: QgsCoordinateReferenceSystem) -> CrsInfo:
    return CrsInfo(valid=crs.isValid(), authid=crs.authid() or "", geographic=crs.isGeographic(),
                   proj=crs.toProj() if crs.isValid() else "", description=crs.description() or "")


def layer_crs_problem(layer, what: str) -> Problem | None:
    """validation.check_crs of a layer: does its CRS fit its coordinates?"""
    extent = layer.extent()
    bounds = None
    if extent is not None and not extent.isNull():
        bounds = (extent.xMinimum(), extent.yMinimum(), extent.xMaximum(), extent.yMaximum())
    return check_crs(crs_info(layer.crs()), bounds, what)


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
        self._index = {canon: names.index(actual)
                       for canon, actual in list(fields.parcels.items()) + list(fields.plan.items())
                       if actual and actual in names and canon in RECORD_FIELDS}
        self._record_index = list(self._index.items())
        self._strings: dict[str, str] = {}
        self._numbers: dict[tuple, float] = {}
        self.measured: set[int] = set()  # parcels whose NULL TBMJ was measured on the ellipsoid
        self.issues: dict[str, set] = {}  # canonical field -> fids whose value was unusable (validation.py)

    def warnings(self) -> list[str]:
        out = []
        if self.measured:
            out.append(tr("{0} parcels have no usable TBMJ; their area was measured on the CGCS2000 ellipsoid "
                          "(after repairing invalid geometry)").format(len(self.measured)))
        out.extend(sanitised_warnings(None, None, {k: sorted(v) for k, v in sorted(self.issues.items())}))
        return out

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
            cleaned, _what = clean_polygonal(geom)
            if cleaned is None:
                continue
            g = QgsGeometry()
            g.fromWkb(shapely.to_wkb(cleaned))
            area = self.measure.measureArea(g)
            if not valid_area(area):
                area = float(cleaned.area)  # outside the ellipsoid's domain: the planar area
            if not valid_area(area):
                continue
            issues: list = []
            items[k] = (fid, geom, self._shared(with_area(rec, area, issues)))
            self._note(fid, issues)
            self.measured.add(fid)
        return items

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
        issues: list = []
        rec = normalize_parcel(values, self.fields.tbmj_in_mu, issues)
        if issues:
            self._note(feature.id(), issues)
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
        source = _gpkg_source(self.layer)
        if source is None or self.transform is not None:
            return None
        with paused_gc():
            try:
                return self.complete(self._read_fast(source, progress, cancelled))
            except _NotFast:
                return None
            except RuntimeError as exc:  # GDAL: a damaged page, a truncated file…
                # not read again through QGIS: it would skip what it cannot read, and the numbers be wrong
                from osgeo import gdal

                said = [" ".join(str(m).split()) for m in (exc, gdal.GetLastErrorMsg()) if str(m).strip()]
                if any("nonlinear geometry" in m.lower() for m in said):
                    return None  # curves in a layer declared linear: not damage, QGIS reads (and linearises) them
                plain = [m for m in said if any(w in m.lower() for w in ("malformed", "corrupt", "not a database"))]
                detail = ((plain or said or [type(exc).__name__])[0])[:160]
                raise InputError(tr("The GeoPackage {0} is damaged and cannot be read ({1}). Restore it from a "
                                    "backup, or copy what is readable into a new file (QGIS: Export > Save "
                                    "Features As…); nothing was computed.").format(source[0], detail)) from None

    def _read_fast(self, source, progress, cancelled) -> list[tuple[int, object, ParcelRecord]]:
        from osgeo import ogr

        path, layer_name, subset = source
        ds = ogr.Open(path, 0)
        if ds is None:
            raise _NotFast
        lyr = ds.GetLayerByName(layer_name) if layer_name else (ds.GetLayer(0) if ds.GetLayerCount() == 1 else None)
        if lyr is None or not lyr.GetFIDColumn() or not lyr.GetGeometryColumn():
            raise _NotFast
        if ogr.GT_IsNonLinear(lyr.GetGeomType()):
            raise _NotFast  # curves: GDAL >= 3.10's Arrow stream refuses them ("Nonlinear geometry types…")
        defn = lyr.GetLayerDefn()
        on_disk = [defn.GetFieldDefn(i).GetName() for i in range(defn.GetFieldCount())]
        if on_disk != self.layer.fields().names()[len(self.layer.fields().names()) - len(on_disk):]:
            raise _NotFast  # QGIS sees other fields (virtual/joined): its indexes would not match
        wanted = {canon: actual for canon, actual in list(self.fields.parcels.items()) + list(self.fields.plan.items())
                  if actual and canon in RECORD_FIELDS and actual in on_disk}
        if set(wanted.values()) != {self.layer.fields().names()[i] for i in self._index.values()}:
            raise _NotFast
        lyr.SetIgnoredFields([n for n in on_disk if n not in set(wanted.values())])
        if subset and lyr.SetAttributeFilter(subset) != 0:
            raise _NotFast
        total = max(1, lyr.GetFeatureCount())
        stream = lyr.GetArrowStreamAsNumPy(options=[f"MAX_FEATURES_IN_BATCH={_WKB_CHUNK}"])
        if stream is None:
            raise _NotFast
        fid_col, geom_col = lyr.GetFIDColumn(), lyr.GetGeometryColumn()
        tbmj_in_mu = self.fields.tbmj_in_mu
        shared = self._shared
        note = self._note
        out: list = []
        for batch in stream:
            fids = batch[fid_col].tolist()
            try:
                geoms = shapely.from_wkb(batch[geom_col])
            except shapely.errors.GEOSException:
                raise _NotFast from None  # curves and the like: QGIS reads them
            empty = shapely.is_empty(geoms)
            if empty.any():
                geoms[empty] = None
            columns = [(canon, _column_values(batch[actual])) for canon, actual in wanted.items()]
            recs = []
            for k, fid in enumerate(fids):
                values = {canon: col[k] for canon, col in columns}
                issues: list = []
                rec = normalize_parcel(values, tbmj_in_mu, issues)
                if issues:
                    note(fid, issues)
                recs.append(shared(rec))
            out.extend(zip(fids, geoms.tolist(), recs))
            if progress:
                progress(len(out) / total)
            if cancelled and cancelled():
                break
        return out

    def _read(self, fids, progress, cancelled) -> list[tuple[int, object, ParcelRecord]]:
        ids, recs, geoms, blobs = [], [], [], []
        total = max(1, self.layer.featureCount()) if fids is None else None
        transform = self.transform
        record = self.record
        for n, f in enumerate(self.layer.getFeatures(self.request(fids))):
            ids.append(f.id())
            recs.append(record(f))
            blobs.append(feature_wkb(f, transform))
            if len(blobs) == _WKB_CHUNK:
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


_DAMAGE_WORDS = ("malformed", "corrupt", "not a database", "disk i/o error")


@contextmanager
def damage_guard(layer: QgsVectorLayer):
    """Turn GDAL's reports of a damaged file during a read through QGIS into an InputError.

    QGIS's OGR provider stops at an unreadable page with a log line only: the layer would seem to
    hold fewer features and every number would be silently wrong.
    """
    from osgeo import gdal

    seen: list[str] = []

    def handler(err_class, _code, message):
        if err_class >= gdal.CE_Failure and any(w in str(message).lower() for w in _DAMAGE_WORDS):
            seen.append(" ".join(str(message).split())[:160])

    gdal.PushErrorHandler(handler)
    try:
        yield
    finally:
        gdal.PopErrorHandler()
    if seen:
        path = QgsProviderRegistry.instance().decodeUri(layer.providerType(), layer.source()).get("path") \
            or layer.source()
        raise InputError(tr("The GeoPackage {0} is damaged and cannot be read ({1}). Restore it from a "
                            "backup, or copy what is readable into a new file (QGIS: Export > Save "
                            "Features As…); nothing was computed.").format(path, seen[0]))


class _NotFast(Exception):
    """The fast GeoPackage read cannot give exactly what QGIS gives: read through QGIS."""


def _gpkg_source(layer: QgsVectorLayer) -> tuple[str, str | None, str] | None:
    """(path, table, WHERE) of a saved OGR GeoPackage layer, or None if QGIS must read it."""
    if not isinstance(layer, QgsVectorLayer) or layer.providerType() != "ogr" or layer.isModified():
        return None  # stand-ins (a snapshot for a worker thread) and unsaved edits: only QGIS sees them
    if layer.editBuffer() is not None and layer.editBuffer().isModified():
        return None
    provider = layer.dataProvider()
    if provider is None or provider.storageType() != "GPKG":
        return None
    parts = QgsProviderRegistry.instance().decodeUri("ogr", layer.source())
    path = parts.get("path") or ""
    if not path.lower().endswith(".gpkg") or parts.get("layerId") not in (None, "") or parts.get("geometryType"):
        return None
    subset = (layer.subsetString() or "").strip()
    if subset.upper().startswith("SELECT"):
        return None
    return path, parts.get("layerName") or None, subset


def _column_values(arr) -> list:
    """A column of an Arrow batch as Python values (None for NULL), as QGIS would give them."""
    import numpy as np

    mask = np.ma.getmaskarray(arr) if isinstance(arr, np.ma.MaskedArray) else None
    data = arr.data if isinstance(arr, np.ma.MaskedArray) else arr
    kind = data.dtype.kind
    if kind == "S":
        values = [v.decode("utf-8") for v in data.tolist()]
    elif kind in "fiub":
        values = data.tolist()
    elif kind == "O":
        values = [v.decode("utf-8") if isinstance(v, bytes) else v for v in data.tolist()]
        if any(v is not None and not isinstance(v, (str, int, float)) for v in values):
            raise _NotFast
    else:
        raise _NotFast  # dates and the like: QGIS's types
    if mask is not None and mask.any():
        for k in np.flatnonzero(mask).tolist():
            values[k] = None
    return values


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


def layer_sources(layer: QgsVectorLayer) -> list[str]:
    """The layer's source string and the file path QGIS decodes from it (if any)."""
    source = layer.source()
    path = QgsProviderRegistry.instance().decodeUri(layer.providerType(), source).get("path")
    return [source] + ([path] if path else [])


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


def tbmj_unit_problem(parcels: list, reader: ParcelReader, sample: int = 20_000) -> Problem | None:
    """validation.check_tbmj_unit over (up to ``sample``) parcels that carry a TBMJ."""
    tbmj, areas = [], []
    measured = reader.measured
    for fid, geom, rec in parcels:
        if geom is None or rec.tbmj is None or fid in measured:
            continue
        tbmj.append(rec.tbmj)
        areas.append(float(shapely.area(geom)))
        if len(tbmj) >= sample:
            break
    return check_tbmj_unit(tbmj, areas, reader.fields.tbmj_in_mu)


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
    parcels = reader.read_fast(progress=read_progress, cancelled=cancelled)
    if parcels is None:
        parcels = reader.read(progress=read_progress, cancelled=cancelled)
    unit_problem = tbmj_unit_problem(parcels, reader)
    if unit_problem is not None:
        problems.append(unit_problem)
        if refuse:
            raise refusal(problems)
    pbf = read_polygons(inputs.pbf, crs) if inputs.pbf is not None else None
    engine = BalanceEngine(pack=pack, area_scale=area_scale(inputs.parcels, crs))
    engine.build(_drain(parcels), units, pbf=pbf,
                 progress=(lambda f: progress(0.5 + 0.5 * f)) if progress else None, cancelled=cancelled)
    engine.input_problems = problems
    if refuse:
        blocking = [p for p in engine.problems() if p.refuse]
        if blocking:
            raise refusal(blocking)
    return engine, reader


def _drain(items: list):
    """Yield the items of a list in order while emptying it: the engine keeps its own copy."""
    items.reverse()
    while items:
        yield items.pop()
