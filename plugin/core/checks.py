"""Constraint checks of a plan (docs/domain.md §8, 三区三线) and of the remediation units.

Pure: plain shapely geometries and :class:`~.fields.ParcelRecord` s in, a list of
:class:`Finding` out. Geometries are expected in one planar CRS in metres (the adapter's
working CRS), so intersection areas are m². Nothing here knows QGIS.

Checks of the units (:func:`check_units`)
  * ``UNIT_EMPTY`` / ``UNIT_INVALID`` — no usable geometry / invalid geometry (error).
  * ``UNIT_NO_CODE`` / ``UNIT_DUPLICATE_CODE`` — missing or repeated DYBH (error).
  * ``UNIT_OVERLAP`` — two units share more than ``tolerance`` m² (error).
  * ``UNIT_OUTSIDE_BOUNDARY`` — part of a unit lies outside the project boundary (warning:
    units *should* nest in it).

Checks of the plan (:func:`check_constraints`)
  * ``NEW_CONSTRUCTION_IN_PBF`` / ``NEW_CONSTRUCTION_IN_RED_LINE`` (error): a parcel built on
    (type with ``"linkage": "build"`` such as JS-JX, or a class after that is 建设用地 while the
    class before was not) overlapping permanent basic farmland or the ecological red line.
    A parcel moved out of PBF (YNCZ = OUT) is not reported against PBF: taking it out is
    what the move is for, and the in/out balance below judges it.
  * ``NEW_CONSTRUCTION_OUTSIDE_UGB`` (warning): new construction outside the urban growth
    boundary (village construction may be allowed there; the planner decides).
  * ``PBF_AREA_SHORTFALL`` (error): PBF moved out (YNCZ = OUT) larger than PBF brought in
    (YNCZ = IN). Areas are TBMJ-based like the engine's: the part of an OUT parcel inside
    PBF, the part of an IN parcel outside it (whole parcels when no PBF layer is given).
  * ``PBF_QUALITY_WORSE`` (warning): area-weighted mean GDDB grade of the PBF brought in
    higher (= worse; grade 1 is best) than that of the PBF moved out;
    ``PBF_QUALITY_UNKNOWN`` (warning) when the parcels brought in carry no grade.
  * ``TYPE_TARGET_MISMATCH`` (warning): GHDLBM not among the type's allowed targets
    (``targets`` prefixes of resources/remediation_types.json; ``*`` = any).
  * ``TYPE_SOURCE_MISMATCH`` (warning): the land class before (DLBM) is not among the type's allowed
    sources (``sources`` prefixes of resources/remediation_types.json, with the reason there;
    e.g. JS-FK 农村建设用地复垦 only on rural construction land, not on 1006 农村道路).
  * ``TYPE_UNKNOWN`` (warning): ZZLX code not in the remediation types.

Checks of edits (:func:`check_merges`)
  * ``MERGE_MIXED_CLASSES`` (error): parcels of different DLBM were merged into one feature;
    it carries one class, so the "before" class of the others is lost.

The data checks of the parcels themselves (duplicate BSM, TBMJ, geometry, 田坎 rules…) are in
:mod:`.datachecks`, which runs these too and keeps them current edit by edit.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Hashable, Iterable, Mapping, Sequence

import numpy as np
import shapely
from shapely.geometry.base import BaseGeometry

from .areas import survey_terms
from .fields import PBF_IN, PBF_OUT, ParcelRecord
from .i18n import chinese, tr
from .landclasses import LandClassTable, default_table
from .remediation import RemediationType, remediation_types

ERROR, WARNING, INFO = "error", "warning", "info"
CONSTRUCTION = "建设用地"
DEFAULT_TOLERANCE = 1.0  # m²: slivers below this are digitising noise, not findings


@dataclass
class Finding:
    """One problem a planner must look at."""

    severity: str  # "error" | "warning" | "info"
    code: str  # stable machine code, e.g. UNIT_OVERLAP
    message: str  # translated, ready to show
    unit_code: str | None = None
    parcel_id: Hashable | None = None
    geometry: BaseGeometry | None = None
    area: float | None = None  # m² of the offending part
    bsm: str | None = None  # the parcel's survey id (BSM), when the finding is about a parcel

    def as_dict(self) -> dict:
        return {"severity": self.severity, "code": self.code, "message": self.message,
                "unit_code": self.unit_code, "parcel_id": self.parcel_id, "area": self.area, "bsm": self.bsm}


# --------------------------------------------------------------------------- helpers
def _union(geoms: Iterable[BaseGeometry | None] | None) -> BaseGeometry | None:
    if geoms is None:
        return None
    parts = [_valid(g) for g in geoms]
    parts = [g for g in parts if g is not None]
    if not parts:
        return None
    u = shapely.union_all(parts)
    shapely.prepare(u)
    return u


def _valid(geom: BaseGeometry | None) -> BaseGeometry | None:
    if geom is None or geom.is_empty:
        return None
    if not geom.is_valid:
        geom = shapely.make_valid(geom)
    polys = [g for g in shapely.get_parts(geom) if g.geom_type in ("Polygon", "MultiPolygon")]
    if not polys:
        return None
    return polys[0] if len(polys) == 1 else shapely.union_all(polys)


def _polygonal(geom: BaseGeometry) -> BaseGeometry | None:
    """Polygonal part of an overlay result (drops touching lines and points)."""
    if geom is None or geom.is_empty:
        return None
    if geom.geom_type in ("Polygon", "MultiPolygon"):
        return geom
    polys = [g for g in shapely.get_parts(geom) if g.geom_type in ("Polygon", "MultiPolygon")]
    return shapely.union_all(polys) if polys else None


def _fmt(area: float) -> str:
    return f"{area:,.1f}"


# --------------------------------------------------------------------------- units
def check_units(units: Sequence[tuple[Hashable, str | None, BaseGeometry | None]],
                boundary: Iterable[BaseGeometry] | None = None,
                tolerance: float = DEFAULT_TOLERANCE) -> list[Finding]:
    """Problems of the remediation units: ``units`` = [(feature id, DYBH or None, geometry)]."""
    out: list[Finding] = []
    seen: dict[str, list[Hashable]] = {}
    good: list[tuple[Hashable, str, BaseGeometry]] = []
    for fid, code, geom in units:
        label = code if code else f"#{fid}"
        if not code:
            out.append(Finding(ERROR, "UNIT_NO_CODE", tr("Unit feature {0} has no code (DYBH)").format(fid),
                               None, fid, geom if geom is not None and not geom.is_empty else None))
        else:
            seen.setdefault(code, []).append(fid)
        if geom is None or geom.is_empty:
            out.append(Finding(ERROR, "UNIT_EMPTY", tr("Unit {0} has no geometry").format(label), code, fid))
            continue
        if not geom.is_valid:
            reason = shapely.is_valid_reason(geom)
            out.append(Finding(ERROR, "UNIT_INVALID", tr("Unit {0} has an invalid geometry: {1}").format(label, reason),
                               code, fid, geom))
            geom = _valid(geom)
            if geom is None:
                continue
        if geom.area <= tolerance:
            out.append(Finding(ERROR, "UNIT_EMPTY", tr("Unit {0} has no area").format(label), code, fid, geom,
                               float(geom.area)))
            continue
        good.append((fid, label, geom))
    for code, fids in seen.items():
        if len(fids) > 1:
            out.append(Finding(ERROR, "UNIT_DUPLICATE_CODE",
                               tr("Unit code {0} is used by {1} features").format(code, len(fids)), code, fids[0]))
    if len(good) > 1:
        geoms = [g for _, _, g in good]
        tree = shapely.STRtree(geoms)
        left, right = tree.query(geoms, predicate="intersects")
        for i, j in zip(left.tolist(), right.tolist()):
            if i >= j:
                continue
            inter = _polygonal(shapely.intersection(geoms[i], geoms[j]))
            area = float(inter.area) if inter is not None else 0.0
            if area > tolerance:
                a, b = good[i][1], good[j][1]
                out.append(Finding(ERROR, "UNIT_OVERLAP",
                                   tr("Units {0} and {1} overlap by {2} m²").format(a, b, _fmt(area)),
                                   a, good[i][0], inter, area))
    region = _union(boundary)
    if region is not None:
        for fid, label, geom in good:
            if region.contains(geom):
                continue
            outside = _polygonal(shapely.difference(geom, region))
            area = float(outside.area) if outside is not None else 0.0
            if area > tolerance:
                out.append(Finding(WARNING, "UNIT_OUTSIDE_BOUNDARY",
                                   tr("Unit {0} extends {1} m² beyond the project boundary").format(label, _fmt(area)),
                                   label, fid, outside, area))
    return out


# --------------------------------------------------------------------------- plan
@dataclass
class PlanParcel:
    """What the constraint checks need of one parcel."""

    pid: Hashable
    geom: BaseGeometry | None
    rec: ParcelRecord
    unit_code: str | None = None


def parcels_of_engine(engine) -> list[PlanParcel]:
    """Plan parcels of a :class:`~.engine.BalanceEngine`, each with the unit holding most of it."""
    out = []
    for pid in engine.parcel_ids():
        uid = engine.parcel_main_unit(pid)
        code = engine.unit_code(uid) if uid is not None else None
        out.append(PlanParcel(pid, engine.parcel_geometry(pid), engine.parcel_record(pid), code))
    return out


def is_new_construction(rec: ParcelRecord, table: LandClassTable, types: Mapping[str, RemediationType]) -> bool:
    """建新: a 'build' linkage type (JS-JX) or a class after in 建设用地 where the class before was not."""
    if rec.zzlx:
        t = types.get(str(rec.zzlx).strip().upper())
        if t is not None and t.linkage == "build":
            return True
    if not rec.ghdlbm:
        return False
    after = table.get(table.resolve(rec.ghdlbm)).category_zh
    before = table.get(table.resolve(rec.dlbm)).category_zh
    return after == CONSTRUCTION and before != CONSTRUCTION


def _overlap(geom: BaseGeometry, zone: BaseGeometry | None) -> tuple[BaseGeometry | None, float]:
    if zone is None or geom is None or not zone.intersects(geom):
        return None, 0.0
    if zone.contains(geom):
        return geom, float(geom.area)
    inter = _polygonal(shapely.intersection(geom, zone))
    return inter, float(inter.area) if inter is not None else 0.0


def _mean_grade(items: list[tuple[float, float | None]]) -> float | None:
    graded = [(w, g) for w, g in items if g is not None and w > 0]
    total = sum(w for w, _ in graded)
    return sum(w * g for w, g in graded) / total if total > 0 else None


class Zone:
    """One control area as its polygons with a spatial index.

    Never dissolved as a whole: a county's PBF is thousands of polygons, and overlaying every
    parcel with their union costs O(union size) per parcel. :meth:`near` gives the union of
    only the polygons that touch the parcel; the overlay areas are the same.
    """

    def __init__(self, geoms: Iterable[BaseGeometry]):
        parts = [p for p in (_valid(g) for g in geoms) if p is not None]
        self.parts = np.array(parts, dtype=object)
        self.tree = shapely.STRtree(self.parts)

    def near(self, geom: BaseGeometry) -> BaseGeometry | None:
        idx = self.tree.query(geom, predicate="intersects")
        if not len(idx):
            return None
        if len(idx) == 1:
            return self.parts[int(idx[0])]
        return shapely.union_all(self.parts[np.sort(idx)])

    @classmethod
    def of(cls, geoms: Iterable[BaseGeometry] | None) -> Zone | None:
        if geoms is None:
            return None
        zone = cls(geoms)
        return zone if len(zone.parts) else None


class Zones:
    """The 三区三线 control areas (:class:`Zone` s; None when not given)."""

    def __init__(self, pbf: Iterable[BaseGeometry] | None = None, red_line: Iterable[BaseGeometry] | None = None,
                 ugb: Iterable[BaseGeometry] | None = None):
        self.pbf, self.red_line, self.ugb = Zone.of(pbf), Zone.of(red_line), Zone.of(ugb)


def check_parcel(pp: PlanParcel, zones: Zones, table: LandClassTable, types: Mapping[str, RemediationType],
                 tolerance: float = DEFAULT_TOLERANCE, cleaned: bool = False) -> tuple[list[Finding], float | None]:
    """The findings of one plan parcel, and its PBF area moved (OUT/IN parcels; None otherwise).

    The per-parcel step of :func:`check_constraints`, also used edit by edit by the live checks.
    ``cleaned``: the geometry is already valid and polygonal (the engine's), no need to check.
    """
    out: list[Finding] = []
    rec, pid, unit = pp.rec, pp.pid, pp.unit_code
    geom = pp.geom if cleaned else _valid(pp.geom)
    bsm = rec.bsm
    # remediation type consistency
    if rec.zzlx:
        t = types.get(str(rec.zzlx).strip().upper())
        if t is None:
            out.append(Finding(WARNING, "TYPE_UNKNOWN",
                               tr("Parcel {0}: unknown remediation type {1}").format(pid, rec.zzlx),
                               unit, pid, geom, bsm=bsm))
        else:
            if rec.ghdlbm and not t.allows(rec.ghdlbm):
                out.append(Finding(WARNING, "TYPE_TARGET_MISMATCH",
                                   tr("Parcel {0}: remediation type {1} does not produce land class {2} "
                                      "(allowed: {3})").format(pid, t.code, rec.ghdlbm, ", ".join(t.targets)),
                                   unit, pid, geom, bsm=bsm))
            if rec.dlbm and not t.allows_source(rec.dlbm, table.resolve(rec.dlbm)):
                reason = t.sources_reason_zh if chinese() else t.sources_reason_en
                out.append(Finding(WARNING, "TYPE_SOURCE_MISMATCH",
                                   tr("Parcel {0}: remediation type {1} does not apply to land class {2} before "
                                      "(allowed: {3}). {4}").format(pid, t.code, rec.dlbm, ", ".join(t.sources),
                                                                    reason).strip(),
                                   unit, pid, geom, bsm=bsm))
    if geom is None:
        return out, None
    moved = rec.yncz in (PBF_OUT, PBF_IN)
    building = is_new_construction(rec, table, types)
    if not (moved or building):
        return out, None
    pbf_zone = zones.pbf.near(geom) if zones.pbf is not None else None
    # 三区三线
    if building:
        if rec.yncz != PBF_OUT:
            part, area = _overlap(geom, pbf_zone)
            if area > tolerance:
                out.append(Finding(ERROR, "NEW_CONSTRUCTION_IN_PBF",
                                   tr("Parcel {0}: new construction on {1} m² of permanent basic farmland")
                                   .format(pid, _fmt(area)), unit, pid, part, area, bsm=bsm))
        part, area = _overlap(geom, zones.red_line.near(geom) if zones.red_line is not None else None)
        if area > tolerance:
            out.append(Finding(ERROR, "NEW_CONSTRUCTION_IN_RED_LINE",
                               tr("Parcel {0}: new construction on {1} m² inside the ecological red line")
                               .format(pid, _fmt(area)), unit, pid, part, area, bsm=bsm))
        if zones.ugb is not None:
            ugb = zones.ugb.near(geom)
            inside = 0.0 if ugb is None else float(geom.area) if ugb.contains(geom) else _overlap(geom, ugb)[1]
            area = float(geom.area) - inside
            if area > tolerance:
                part = geom if ugb is None else _polygonal(shapely.difference(geom, ugb))
                out.append(Finding(WARNING, "NEW_CONSTRUCTION_OUTSIDE_UGB",
                                   tr("Parcel {0}: new construction on {1} m² outside the urban growth boundary")
                                   .format(pid, _fmt(area)), unit, pid, part, area, bsm=bsm))
    # PBF in/out, TBMJ-based like the engine
    if moved:
        tbmj = survey_terms(rec.tbmj, rec.kcmj, rec.tbdlmj, float(geom.area))[0]
        has_pbf = zones.pbf is not None
        frac = min(1.0, _overlap(geom, pbf_zone)[1] / max(float(geom.area), 1e-12)) if has_pbf else 1.0
        if rec.yncz == PBF_OUT:
            return out, tbmj * (frac if has_pbf else 1.0)
        return out, tbmj * ((1.0 - frac) if has_pbf else 1.0)
    return out, None


def check_constraints(parcels: Iterable[PlanParcel], pbf: Iterable[BaseGeometry] | None = None,
                      red_line: Iterable[BaseGeometry] | None = None, ugb: Iterable[BaseGeometry] | None = None,
                      gddb: Mapping[Hashable, float | None] | None = None, table: LandClassTable | None = None,
                      types: Mapping[str, RemediationType] | None = None, tolerance: float = DEFAULT_TOLERANCE,
                      progress=None, cancelled=None) -> list[Finding]:
    """三区三线 and plan-consistency findings (see the module docstring).

    ``gddb`` maps parcel id -> farmland quality grade (GDDB; lower = better). ``progress(f)``
    gets 0..1; ``cancelled()`` returning True stops early (the findings so far are returned).
    """
    table = table or default_table()
    types = remediation_types() if types is None else types
    gddb = gddb or {}
    zones = Zones(pbf, red_line, ugb)
    out: list[Finding] = []
    moved_out: list[tuple[PlanParcel, float]] = []
    moved_in: list[tuple[PlanParcel, float]] = []
    parcels = list(parcels)
    n = max(1, len(parcels))
    for k, pp in enumerate(parcels):
        if k % 2000 == 0:
            if progress:
                progress(k / n)
            if cancelled and cancelled():
                break
        found, move = check_parcel(pp, zones, table, types, tolerance)
        out.extend(found)
        if move is not None:
            (moved_out if pp.rec.yncz == PBF_OUT else moved_in).append((pp, move))
    out.extend(pbf_balance(moved_out, moved_in, gddb, tolerance))
    if progress:
        progress(1.0)
    return out


def pbf_balance(moved_out: list[tuple[PlanParcel, float]], moved_in: list[tuple[PlanParcel, float]],
                 gddb: Mapping[Hashable, float | None], tolerance: float) -> list[Finding]:
    out: list[Finding] = []
    area_out = sum(a for _, a in moved_out)
    area_in = sum(a for _, a in moved_in)
    if area_out <= tolerance:
        return out
    geom_out = _union(pp.geom for pp, _ in moved_out)
    if area_in + tolerance < area_out:
        out.append(Finding(ERROR, "PBF_AREA_SHORTFALL",
                           tr("Permanent basic farmland moved out ({0} m²) exceeds that brought in ({1} m²) "
                              "by {2} m²").format(_fmt(area_out), _fmt(area_in), _fmt(area_out - area_in)),
                           None, None, geom_out, area_out - area_in))
    grade_out = _mean_grade([(a, gddb.get(pp.pid)) for pp, a in moved_out])
    grade_in = _mean_grade([(a, gddb.get(pp.pid)) for pp, a in moved_in])
    if grade_out is not None and area_in > tolerance:
        geom_in = _union(pp.geom for pp, _ in moved_in)
        if grade_in is None:
            out.append(Finding(WARNING, "PBF_QUALITY_UNKNOWN",
                               tr("The farmland brought into PBF has no quality grade (GDDB); the PBF moved out "
                                  "has mean grade {0}").format(f"{grade_out:.2f}"), None, None, geom_in, area_in))
        elif grade_in > grade_out + 1e-9:
            out.append(Finding(WARNING, "PBF_QUALITY_WORSE",
                               tr("The PBF brought in is of lower quality (mean GDDB grade {0}) than the PBF moved "
                                  "out (mean grade {1}); grade 1 is best").format(f"{grade_in:.2f}",
                                                                                  f"{grade_out:.2f}"),
                               None, None, geom_in, area_in))
    return out


def summary(findings: Sequence[Finding]) -> dict[str, int]:
    """Count of findings per severity."""
    counts = {ERROR: 0, WARNING: 0}
    for f in findings:
        counts[f.severity] = counts.get(f.severity, 0) + 1
    return counts


__all__ = ["ERROR", "INFO", "WARNING", "Finding", "MergedParcels", "PlanParcel", "RemediationType", "Zone", "Zones",
           "check_constraints", "check_merges", "check_parcel", "check_units", "is_new_construction",
           "parcels_of_engine", "pbf_balance", "remediation_types", "summary"]


# --------------------------------------------------------------------------- merges
@dataclass
class MergedParcels:
    """A feature made by merging parcels (seen by the live session), with the classes merged."""

    pid: Hashable
    classes: tuple[str, ...]  # land classes (DLBM) of the parts, before the merge
    parts: tuple = ()  # ids of the features merged into it (gone now)
    geometry: BaseGeometry | None = None


def check_merges(merges: Iterable[MergedParcels]) -> list[Finding]:
    """``MERGE_MIXED_CLASSES`` (error) for every merge of parcels of more than one DLBM."""
    out = []
    for m in merges:
        if len(set(m.classes)) < 2:
            continue
        area = float(m.geometry.area) if m.geometry is not None else None
        out.append(Finding(ERROR, "MERGE_MIXED_CLASSES", tr(
            "Parcels of different land classes ({0}) were merged into one feature: the class before of all but one "
            "is lost; undo the merge or split the feature again").format(", ".join(m.classes)),
            parcel_id=m.pid, geometry=m.geometry, area=area))
    return out
