"""Validation of the inputs before anything is computed: the one place every front end uses.

Real files of the bureaus carry mislabelled coordinate systems, TBMJ in 亩, self-intersecting
or curved parcels, duplicated features, unusable numbers and repeated unit codes. Left alone
these give silent wrong numbers and a PASS. This module decides, for every such case, one
of three outcomes:

* **sanitise** (counted, listed in the warnings; the numbers stay right): invalid geometry
  repaired with ``make_valid`` before any area is measured, GeometryCollections reduced to
  their polygons, TBMJ ≤ 0 / not finite / absurd (> ``MAX_AREA_M2``), KCXS ∉ [0, 1),
  KCMJ > TBMJ … treated as missing (the parcel is measured from its geometry), identical
  duplicate parcels counted once;
* **refuse** (``Problem.refuse``: the command line exits 2 and writes nothing, Processing
  raises, the docks show "not assessable"): a coordinate system that does not fit the
  coordinates (the likely right one named), TBMJ in 亩 without the option, empty inputs,
  units without geometry, NULL or repeated unit codes, parcel codes that are all unknown,
  units that cover no parcel, one feature id for different parcels;
* **not assessable** (``Problem.refuse`` False: numbers are written, every verdict is
  "not assessable" with the reason): units overlapping each other (their shared parcels
  count once in the project rows).

Pure: shapely and the standard library only; the QGIS adapter feeds it plain values.
"""
from __future__ import annotations

import math
import re
import statistics
from collections import Counter
from dataclasses import dataclass, field
from typing import Hashable, Iterable, Sequence

import numpy as np
import shapely
from shapely.geometry.base import BaseGeometry

from .areas import MU_M2
from .i18n import tr
from .landclasses import default_table
from .legacy_codes import ISSUE_PREFIX as LEGACY
from .legacy_codes import WORKING_PREFIX as WORKING
from .legacy_codes import describe as describe_legacy
from .legacy_codes import describe_working

MAX_AREA_M2 = 1e12  # 1 000 000 km²: no parcel is larger (China is 9.6 × 10¹² m²)
OVERLAP_TOLERANCE_M2 = 1.0  # unit overlaps below this are digitising noise
_LIST = 8  # ids/codes named in one message


@dataclass(frozen=True)
class Problem:
    """Why the data cannot be assessed. ``refuse``: nothing is computed or written from it."""

    code: str
    message: str
    refuse: bool = True


def _names(items: Iterable) -> str:
    n, items = getattr(items, "total", None), list(items)  # a value_warnings.IdSample: its count, first ids
    text = ", ".join(str(i) for i in items[:_LIST])
    return text + (tr(" … ({0} in all)").format(n) if (n := len(items) if n is None else n) > _LIST else "")


# --------------------------------------------------------------------------- parcel values
def finite(value) -> float | None:
    """A finite float or None."""
    if value is None or isinstance(value, bool):
        return None
    try:
        number = float(value)
    except (TypeError, ValueError, OverflowError):
        return None
    return number if math.isfinite(number) else None


def valid_area(value: float | None) -> bool:
    """A usable area in m²: finite, > 0 and not absurd (element-wise on a float array, NaN for none)."""
    return value is not None and (value > 0.0) & (value <= MAX_AREA_M2)


def valid_coefficient(value: float | None) -> bool:
    """A usable slope coefficient KCXS/GHKCXS in [0, 1) (element-wise on a float array)."""
    return value is not None and (value >= 0.0) & (value < 1.0)


# --------------------------------------------------------------------------- geometries
@dataclass
class GeometryNotes:
    repaired: list = field(default_factory=list)  # ids of invalid geometries made valid
    reduced: list = field(default_factory=list)  # ids of collections / mixed geometries reduced to polygons
    unusable: list = field(default_factory=list)  # ids without any area left (or non-finite coordinates)


def clean_polygonal(geom: BaseGeometry | None) -> tuple[BaseGeometry | None, str | None]:
    """(valid Polygon/MultiPolygon or None, what was done: None | "repaired" | "reduced" | "unusable").

    Never raises: GEOS errors on degenerate input end as "unusable".
    """
    if geom is None:
        return None, None
    try:
        if geom.is_empty:
            return None, None
        kind = None
        bounds = geom.bounds
        if not all(math.isfinite(b) and abs(b) < 1e15 for b in bounds):
            return None, "unusable"
        if geom.geom_type == "GeometryCollection":
            geom = _polygons_of(geom)
            kind = "reduced"
        if geom is not None and not geom.is_valid:
            geom = shapely.make_valid(geom)
            kind = kind or "repaired"
            if geom.geom_type == "GeometryCollection":
                geom = _polygons_of(geom)
        if geom is None or geom.is_empty or geom.geom_type not in ("Polygon", "MultiPolygon"):
            return None, "unusable"
        area = geom.area
        if not (math.isfinite(area) and area > 0):
            return None, "unusable"
        return geom, kind
    except (shapely.errors.GEOSException, ValueError, TypeError):
        return None, "unusable"


def _polygons_of(geom: BaseGeometry) -> BaseGeometry | None:
    parts = [g for g in shapely.get_parts(geom) if g.geom_type in ("Polygon", "MultiPolygon")]
    if not parts:
        return None
    parts = [g if g.is_valid else shapely.make_valid(g) for g in parts]
    polys = [p for g in parts for p in shapely.get_parts(g) if p.geom_type == "Polygon" and not p.is_empty]
    if not polys:
        return None
    return shapely.union_all(polys)


def clean_geometries(ids: Sequence[Hashable], geoms: Sequence) -> tuple[list, GeometryNotes]:
    """:func:`clean_polygonal` of many; the valid ones are checked in bulk and kept as they are."""
    notes = GeometryNotes()
    if not len(geoms):
        return [], notes
    arr = np.empty(len(geoms), dtype=object)
    arr[:] = list(geoms)
    present = ~shapely.is_missing(arr)
    fine = np.zeros(len(arr), dtype=bool)
    idx = np.flatnonzero(present)
    if len(idx):
        sub = arr[idx]
        with np.errstate(all="ignore"):
            ok = np.isin(shapely.get_type_id(sub), (3, 6)) & ~shapely.is_empty(sub) & shapely.is_valid(sub)
            b = shapely.bounds(sub)
            ok &= np.all(np.isfinite(b) & (np.abs(b) < 1e15), axis=1)
            area = shapely.area(sub)
            ok &= np.isfinite(area) & (area > 0)
        fine[idx] = ok
    out = arr.tolist()
    for i in np.flatnonzero(present & ~fine).tolist():
        g, what = clean_polygonal(out[i])
        out[i] = g
        if what == "repaired":
            notes.repaired.append(ids[i])
        elif what == "reduced":
            notes.reduced.append(ids[i])
        elif what == "unusable" or g is None:
            notes.unusable.append(ids[i])
    return out, notes


# --------------------------------------------------------------------------- duplicates
@dataclass
class DuplicateNotes:
    identical: list = field(default_factory=list)  # ids dropped: same geometry and attributes as a kept one
    same_id: list = field(default_factory=list)  # feature ids used by identical features (one kept)
    conflicting_ids: list = field(default_factory=list)  # feature ids used by different parcels


def drop_duplicates(items: list, identical: bool = True) -> tuple[list, DuplicateNotes]:
    """``(pid, geometry, record)`` items without repeats: a repeated id is counted once (and
    reported as conflicting when the features differ); with ``identical``, so is an identical
    parcel under another id (same geometry, same attributes). Pieces of a split parcel (same
    BSM, different geometry) are not duplicates. Order is kept (first occurrence wins)."""
    notes = DuplicateNotes()
    if not items:
        return items, notes
    seen_ids: dict = {}
    keep = []
    for k, (pid, _geom, _rec) in enumerate(items):
        first = seen_ids.get(pid)
        if first is None:
            seen_ids[pid] = k
            keep.append(k)
            continue
        if _same(items[first], items[k]):
            notes.same_id.append(pid)
        else:
            notes.conflicting_ids.append(pid)
    items = [items[k] for k in keep]
    if identical and len(items) > 1:
        geoms = np.empty(len(items), dtype=object)
        geoms[:] = [g for _pid, g, _r in items]
        dropped = {k for group in identical_groups([t[0] for t in items], geoms, [t[2] for t in items])
                   for k in group[1:]}
        notes.identical = [items[k][0] for k in sorted(dropped)]
        if dropped:
            items = [it for k, it in enumerate(items) if k not in dropped]
    return items, notes


def identical_groups(ids: Sequence, geoms: np.ndarray, records: Sequence) -> list[list[int]]:
    """Index groups (in input order) of parcels with the same geometry and attributes (box, normalised WKB, record)."""
    return identical_groups_by_box(shapely.bounds(geoms), lambda k: geoms[k], records, ~shapely.is_missing(geoms))


def identical_groups_by_box(bounds: np.ndarray, geom_of, records: Sequence, present=None) -> list[list[int]]:
    """:func:`identical_groups` of rows by their boxes (``(n, 4)``, NaN: none unless ``present`` says) and
    ``geom_of(k)``, asked only for rows sharing their box. A 64-bit hash of each box first (no copy)."""
    has = np.flatnonzero(~np.isnan(bounds[:, 0]) if present is None else present)
    h = np.zeros(len(has), dtype=np.uint64)
    for k, mult in enumerate((1, 0x9E3779B97F4A7C15, 0xC2B2AE3D27D4EB4F, 0x165667B19E3779F9)):
        h ^= (bounds[has, k] + 0.0).view(np.uint64) * np.uint64(mult)  # + 0.0: -0.0 -> 0.0
    _u, inv, cnt = np.unique(h, return_inverse=True, return_counts=True)
    has = has[cnt[np.asarray(inv).reshape(-1)] > 1]
    if len(has) < 2:
        return []
    b = np.ascontiguousarray(bounds[has], dtype=np.float64) + 0.0
    rows = b.view(np.dtype((np.void, b.dtype.itemsize * 4))).ravel()  # one bytes key per box: fast unique
    _u, inverse, counts = np.unique(rows, return_inverse=True, return_counts=True)
    inverse = np.asarray(inverse).reshape(-1)
    candidates: dict = {}
    for j in np.flatnonzero(counts[inverse] > 1).tolist():
        candidates.setdefault(int(inverse[j]), []).append(int(has[j]))
    groups = []
    for members in candidates.values():
        by_key: dict = {}
        for k in members:
            key = (shapely.to_wkb(shapely.normalize(geom_of(k))), None if records[k] is None else records[k].as_tuple())
            by_key.setdefault(key, []).append(k)
        groups.extend(g for g in by_key.values() if len(g) > 1)
    return groups


def _same(a: tuple, b: tuple) -> bool:
    ga, gb = a[1], b[1]
    if (ga is None) != (gb is None):
        return False
    if ga is not None and not shapely.equals_exact(shapely.normalize(ga), shapely.normalize(gb), 0.0):
        return False
    ra, rb = a[2], b[2]
    return (ra.as_tuple() if ra is not None else None) == (rb.as_tuple() if rb is not None else None)


# --------------------------------------------------------------------------- coordinate systems
@dataclass(frozen=True)
class CrsInfo:
    """What the adapter knows of a layer's CRS (from QGIS), as plain values."""

    valid: bool
    authid: str
    geographic: bool
    proj: str = ""
    description: str = ""


def _proj_params(proj: str) -> dict[str, str]:
    return dict(m.groups() for m in re.finditer(r"\+(\w+)=(\S+)", proj or ""))


def gk_crs_for(x: float, lon_0: float | None = None) -> str | None:
    """The CGCS2000 Gauss–Krüger EPSG code that fits an easting ``x`` (prefixed or not)."""
    if x >= 1e7:
        zone = int(x // 1_000_000)
        if 25 <= zone <= 45:
            return f"EPSG:{4513 + zone - 25}"  # 3° zones 25–45, CM 75°–135°
        if 13 <= zone <= 23:
            return f"EPSG:{4491 + zone - 13}"  # 6° zones 13–23
        return None
    if lon_0 is not None:
        return _gk_no_prefix(lon_0, three=True)
    return None


def _gk_no_prefix(lon_0: float, three: bool) -> str | None:
    if three:
        k = (lon_0 - 75.0) / 3.0
        return f"EPSG:{4534 + int(round(k))}" if abs(k - round(k)) < 1e-6 and 0 <= round(k) <= 20 else None
    k = (lon_0 - 75.0) / 6.0
    return f"EPSG:{4502 + int(round(k))}" if abs(k - round(k)) < 1e-6 and 0 <= round(k) <= 10 else None


def _looks_like_degrees(b: Sequence[float]) -> bool:
    return -180.0 <= b[0] <= b[2] <= 180.0 and -90.0 <= b[1] <= b[3] <= 90.0


def _suggestion(b: Sequence[float]) -> str:
    """The likely CRS of coordinates ``b`` (minx, miny, maxx, maxy), as a sentence."""
    if _looks_like_degrees(b):
        return tr("the coordinates are degrees: use EPSG:4490 (CGCS2000 geographic)")
    x = (b[0] + b[2]) / 2.0
    code = gk_crs_for(x)
    if code:
        return tr("the coordinates have the {0}-zone prefix: use {1}").format(int(x // 1_000_000), code)
    if 0 < b[0] and b[2] < 1_000_000 and 0 < b[1] and b[3] < 10_000_000:
        return tr("the coordinates are Gauss–Krüger metres without a zone prefix: use the CGCS2000 zone CRS "
                  "of the area's central meridian (EPSG:4534–4554 for 3° zones, EPSG:4502–4512 for 6° zones)")
    return tr("the coordinates fit no CGCS2000 coordinate system")


def check_crs(info: CrsInfo, bounds: Sequence[float] | None, what: str) -> Problem | None:
    """Does the layer's CRS fit its coordinates? ``bounds`` = (minx, miny, maxx, maxy) in that CRS.

    Detects: an undefined SRS; metres labelled as degrees; degrees labelled as metres; zone-
    prefixed eastings in a CRS without prefix (and the reverse); data of one prefixed zone
    labelled as another; eastings outside the band of a Gauss–Krüger zone.
    """
    if bounds is None or not all(math.isfinite(v) for v in bounds):
        return None  # nothing located: the emptiness checks speak
    b = tuple(float(v) for v in bounds)
    if not info.valid or (not info.authid and ("undefined" in info.description.lower() or not info.proj)):
        return Problem("CRS_UNDEFINED", tr("The {0} layer has no defined coordinate reference system; {1}.")
                       .format(what, _suggestion(b)))
    if info.geographic or _proj_params(info.proj).get("proj") == "longlat":
        if -90.0 <= b[0] <= b[2] <= 90.0 and 70.0 <= b[1] <= b[3] <= 140.0:
            return Problem("CRS_AXES_SWAPPED", tr(
                "The {0} layer has latitude and longitude swapped (x {1:.2f}…{2:.2f}, y {3:.2f}…{4:.2f}): x must be "
                "the longitude; swap the axes (e.g. GDAL's -s_srs with the axis order of {5}).")
                .format(what, b[0], b[2], b[1], b[3], info.authid or "EPSG:4490"))
        if not _looks_like_degrees(b):
            return Problem("CRS_DEGREES_EXPECTED", tr(
                "The {0} layer is labelled {1} (degrees) but its coordinates are metres; {2}.")
                .format(what, info.authid or info.description, _suggestion(b)))
        return None
    params = _proj_params(info.proj)
    width, height = b[2] - b[0], b[3] - b[1]
    if _looks_like_degrees(b) and width < 20 and height < 20 and params.get("units", "m") == "m":
        return Problem("CRS_METRES_EXPECTED", tr(
            "The {0} layer is labelled {1} (metres) but its coordinates are degrees; {2}.")
            .format(what, info.authid, _suggestion(b)))
    if params.get("proj") != "tmerc":
        return None
    try:
        x_0 = float(params.get("x_0", "0"))
        lon_0 = float(params.get("lon_0", "0"))
    except ValueError:
        return None
    x = (b[0] + b[2]) / 2.0
    crs_zone = int(x_0 // 1_000_000) if x_0 >= 1e6 else None
    data_zone = int(x // 1_000_000) if x >= 1e7 else None
    label = info.authid or info.description
    if data_zone is not None and crs_zone is None:
        right = gk_crs_for(x)
        return Problem("CRS_ZONE_PREFIX", tr(
            "The {0} layer is labelled {1} (no zone prefix) but its eastings carry the {2}-zone prefix: use {3}.")
            .format(what, label, data_zone, right or tr("the CRS of zone {0}").format(data_zone)))
    if data_zone is None and crs_zone is not None and b[0] > -1e6:
        right = _gk_no_prefix(lon_0, three=crs_zone >= 24)
        return Problem("CRS_ZONE_PREFIX", tr(
            "The {0} layer is labelled {1} (zone prefix {2}) but its eastings have no zone prefix: use {3}.")
            .format(what, label, crs_zone, right or tr("the zone CRS without prefix")))
    if data_zone is not None and crs_zone is not None and data_zone != crs_zone:
        right = gk_crs_for(x)
        return Problem("CRS_WRONG_ZONE", tr(
            "The {0} layer is labelled {1} (zone {2}) but its eastings are in zone {3}: use {4}.")
            .format(what, label, crs_zone, data_zone, right or tr("the CRS of zone {0}").format(data_zone)))
    false_easting = x_0 - (crs_zone or 0) * 1_000_000 if crs_zone else x_0
    local0 = b[0] - (data_zone or 0) * 1_000_000
    local1 = b[2] - (data_zone or 0) * 1_000_000
    if abs(false_easting - 500_000) < 1 and (local0 < 500_000 - 400_000 or local1 > 500_000 + 400_000):
        return Problem("CRS_OUTSIDE_ZONE", tr(
            "The {0} layer is labelled {1} but its eastings lie outside that zone's band (500 km ± 400 km); "
            "{2}.").format(what, label, _suggestion(b)))
    return None


# --------------------------------------------------------------------------- TBMJ unit
def check_tbmj_unit(tbmj: Sequence[float], areas: Sequence[float], tbmj_in_mu: bool) -> Problem | None:
    """TBMJ in 亩 read as m² (or the reverse): the median TBMJ / geometry-area ratio tells.

    ``tbmj`` in m² as the records hold them (already × 666.67 when ``tbmj_in_mu``), ``areas``
    the parcels' planar areas in m². A ratio near 1/666.67 (or 666.67) is refused, naming the
    option to use (one parcel is enough: no survey is 666 times off).
    """
    ratios = [t / a for t, a in zip(tbmj, areas) if t is not None and a and a > 0 and t > 0
              and math.isfinite(t / a)]
    if not ratios:
        return None
    r = statistics.median(ratios)
    if 0.5 / MU_M2 < r < 2.0 / MU_M2:
        return Problem("TBMJ_IN_MU", tr(
            "TBMJ looks like 亩, not m² (median TBMJ / geometry area = 1/{0:.0f}): run again with --tbmj-in-mu "
            "(in QGIS: tick the 'in mu (亩)' option of the project set-up or of the algorithm).")
            .format(1 / r))
    if 0.5 * MU_M2 < r < 2.0 * MU_M2:
        return Problem("TBMJ_IN_M2", tr(
            "TBMJ is read as 亩 but looks like m² (median TBMJ / geometry area = {0:.0f}): run without "
            "--tbmj-in-mu (in QGIS: untick the 'in mu (亩)' option).").format(r))
    return None


# --------------------------------------------------------------------------- state of a build
def state_problems(n_parcels: int, n_located: int, n_unknown_class: int, units: Sequence[tuple],
                   n_units_with_parcels: int, overlaps: Sequence[tuple]) -> list[Problem]:
    """Problems of the engine's state (cheap; the engine calls it for every verdict).

    ``units``: ``(code or None, has geometry)``; ``overlaps``: ``(code a, code b, m²)`` above the
    tolerance.
    """
    out: list[Problem] = []
    if n_parcels == 0 or n_located == 0:
        out.append(Problem("NO_PARCELS", tr("The parcel layer has no parcel with a usable geometry.")))
    if not units:
        out.append(Problem("NO_UNITS", tr("The units layer has no remediation unit.")))
    no_geom = [c if c is not None else "NULL" for c, has in units if not has]
    if no_geom:
        out.append(Problem("UNIT_NO_GEOMETRY", tr("Remediation units without geometry: {0}; draw them or delete them.")
                           .format(_names(no_geom))))
    nulls = sum(1 for c, _h in units if c is None)
    if nulls:
        out.append(Problem("UNIT_NO_CODE", tr("{0} remediation unit(s) have no code (DYBH); give every unit a code.")
                           .format(nulls)))
    counts = Counter(c for c, _h in units if c is not None)
    dup = sorted(c for c, n in counts.items() if n > 1)
    if dup:
        out.append(Problem("UNIT_DUPLICATE_CODE", tr(
            "Remediation unit codes (DYBH) used more than once: {0}; give every unit its own code.")
            .format(_names(dup))))
    if n_located and n_unknown_class >= n_parcels:
        out.append(Problem("ALL_CODES_UNKNOWN", tr(
            "No parcel has a known land-class code (DLBM): check the field mapping (codes are text such as "
            "'0101'; a number field loses the leading 0).")))
    if n_located and units and n_units_with_parcels == 0 and not no_geom:
        out.append(Problem("NO_PARCEL_IN_UNITS", tr(
            "No remediation unit covers any parcel: check that both layers have the right coordinate system.")))
    if overlaps:
        text = _names(tr("{0} and {1} ({2} m²)").format(a, b, f"{area:,.1f}") for a, b, area in overlaps)
        out.append(Problem("UNIT_OVERLAP", tr(
            "Remediation units overlap: {0}; their shared parcels count once in the project rows. "
            "Remove the overlaps to get a verdict.").format(text), refuse=False))
    return out


def sanitised_warnings(geometry: GeometryNotes | None, duplicates: DuplicateNotes | None,
                       values: dict[str, list] | None) -> list[str]:
    """Warnings for what was repaired, reduced, dropped or treated as missing (never silent)."""
    out = []
    listed = []
    if geometry is not None:
        listed += [
            (geometry.repaired, tr("{0} parcels had invalid geometry (e.g. self-intersecting) and were repaired "
                                   "before measuring: {1}")),
            (geometry.reduced, tr("{0} parcels were geometry collections and were reduced to their polygons: {1}")),
            (geometry.unusable, tr("{0} parcels have no usable area (degenerate or absurd coordinates) and are "
                                   "left out: {1}")),
        ]
    if duplicates is not None:
        listed += [
            (duplicates.identical, tr("{0} parcels are identical copies of another parcel (geometry and attributes) "
                                      "and were counted once: {1}")),
            (duplicates.same_id, tr("{0} feature ids used twice by identical parcels, counted once: {1}")),
        ]
    out.extend(text.format(len(ids), _names(ids)) for ids, text in listed if ids)
    labels = {
        "TBMJ": tr("TBMJ not a positive area (≤ 0, not a number or > 10¹² m²); measured from the geometry"),
        "KCXS": tr("KCXS outside [0, 1); ignored"),
        "KCMJ": tr("KCMJ negative or larger than TBMJ; ignored"),
        "TBDLMJ": tr("TBDLMJ negative or larger than TBMJ; derived as TBMJ − KCMJ"),
        "GHKCXS": tr("GHKCXS outside [0, 1); ignored"),
        "NEW_FARMLAND_NO_GRADE": tr("become farmland without GHKCXS and without a slope grade (GDPDJB): no field "
                                    "ridges (田坎) are deducted after; enter GHKCXS, or GDPDJB and GDLX where the "
                                    "rule pack has a 田坎 table"),
    }
    for name, ids in (values or {}).items():
        if ids:
            label = labels.get(name, name)
            if name.startswith(LEGACY):
                label = describe_legacy(name[len(LEGACY):])
            elif name.startswith(WORKING):
                label = describe_working(name[len(WORKING):], default_table())
            out.append(tr("{0} parcels: {1}: {2}").format(len(ids), label, _names(ids)))
    return out


__all__ = [
    "MAX_AREA_M2",
    "OVERLAP_TOLERANCE_M2",
    "CrsInfo",
    "DuplicateNotes",
    "GeometryNotes",
    "Problem",
    "check_crs",
    "check_tbmj_unit",
    "clean_geometries",
    "clean_polygonal",
    "drop_duplicates",
    "finite",
    "sanitised_warnings",
    "state_problems",
    "valid_area",
    "valid_coefficient",
]
