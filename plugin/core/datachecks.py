"""Data checks (数据检查) of a plan, kept current edit by edit.

Pure (shapely, numpy): it reads a :class:`~.engine.BalanceEngine` (or a shallow snapshot of
one, for a background run) plus the few raw survey fields the engine does not keep, and
answers with :class:`~.checks.Finding` s. Every finding names its severity, a stable code
(the *kind*), a translated message, the unit it belongs to (the unit holding most of the
parcel) and the parcel id / geometry to zoom to.

Which parcels: the data checks look at the parcels that lie (partly) in a remediation unit —
the ones the balance counts. Kinds:

============================  ========  ====================================================
code                          severity  meaning
============================  ========  ====================================================
``BSM_DUPLICATE``             error     pieces of one BSM overlap each other, or are identical
                                        copies (pieces that tile without overlapping are a
                                        split and fine: the engine shares TBMJ among them; the
                                        overlap allowed is the engine's, see ``core.pieces``)
``TBMJ_MISMATCH``             error     TBMJ off the ellipsoidal area by more than the pack's
                                        ``tbmj_tolerance_ratio`` AND ``tbmj_tolerance_m2``
                                        (both must be exceeded: 1 % of a tiny parcel is rounding,
                                        1 m² of a big one too). Pieces of a split carrying the
                                        same copied TBMJ are compared by their total.
``TBMJ_MISSING``              info      no TBMJ: the area was measured on the ellipsoid
``GEOMETRY_INVALID``          error     invalid geometry, or one with non-polygon parts: the balance
                                        uses the engine's repair (``engine.geometry_fixes``)
``PARCEL_OVERLAP``            error     two parcels (different BSM) overlap by > ``overlap_tolerance_m2``
``UNIT_GAP``                  warning   part of a unit (> ``gap_tolerance_m2``) covered by no parcel
``SLIVER``                    warning   area < ``sliver_area_m2``, or area < ``sliver_max_area_m2``
                                        and thinness 4πA/P² < ``sliver_thinness``
``DLBM_UNKNOWN``              error     land class (before or after) not in the class table
``KCXS_NOT_FARMLAND``         error     三调: a deduction (KCXS/KCMJ > 0) on a class other than 01xx
``KCXS_NO_KCDLBM``            error     三调: KCXS > 0 but no deduction class KCDLBM
``KCXS_FLAT``                 error     三调: slope grade GDPDJB 1 (≤ 2°, ridges measured) with KCXS > 0
============================  ========  ====================================================

plus the unit checks (:func:`~.checks.check_units`: overlapping units, units outside the
project boundary…) and the 三区三线 / remediation-type findings of
:func:`~.checks.check_parcel` (new construction in PBF or the red line, outside the UGB,
PBF in/out balance, type vs class before and after).

Live updates (docs/architecture.md): :meth:`DataChecks.update` re-checks only the parcels an edit
touched, their overlap partners (from the engine's grid), their BSM groups and the gaps of
the units inside the edited region: gap = unit − ∪ parcels, so outside the region R the old
gap stands and inside it is recomputed exactly, ``(old − R) ∪ ((unit ∩ R) − ∪ parcels near R)``.
A full run (:meth:`DataChecks.run`) finds overlaps and gaps per unit with GEOS's coverage
union (fast for tiling parcels) and looks at parcel pairs only in units whose union area
differs from the sum of their parcels' areas.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, fields
from typing import Callable, Hashable, Iterable, Mapping

import numpy as np
import shapely
from shapely.geometry import box
from shapely.geometry.base import BaseGeometry

from .checks import (
    ERROR,
    INFO,
    WARNING,
    Finding,
    PlanParcel,
    Zones,
    check_parcel,
    check_units,
    pbf_balance,
)
from .fields import PBF_IN, PBF_OUT
from .i18n import tr
from .landclasses import LandClassTable, default_table
from .pieces import OVERLAP_REL
from .remediation import RemediationType, remediation_types

SEVERITIES = (ERROR, WARNING, INFO)


@dataclass
class CheckSettings:
    """Tolerances of the data checks; the rule pack's ``checks`` section overrides the defaults."""

    tbmj_tolerance_ratio: float = 0.01
    tbmj_tolerance_m2: float = 1.0
    overlap_tolerance_m2: float = 1.0
    gap_tolerance_m2: float = 1.0
    sliver_area_m2: float = 1.0
    sliver_max_area_m2: float = 50.0
    sliver_thinness: float = 0.05

    @classmethod
    def from_pack(cls, pack) -> CheckSettings:
        """Values of ``pack.checks`` (a RulePack, or a plain dict), defaults where absent."""
        data = getattr(pack, "checks", pack) or {}
        values = {}
        for f in fields(cls):
            raw = data.get(f.name) if isinstance(data, Mapping) else None
            try:
                value = float(raw) if raw is not None else None
            except (TypeError, ValueError):
                value = None
            if value is not None and math.isfinite(value) and value >= 0:
                values[f.name] = value
        return cls(**values)


class AreaScale:
    """Ratio ellipsoidal / planar area over the working CRS, sampled on a grid.

    The adapter measures small squares on the CGCS2000 ellipsoid at ``nx × ny`` points of
    the layer's extent; in between the ratio is interpolated bilinearly (in a Gauss–Krüger
    zone it varies as 1 − x²/R², so the interpolation error is < 1e-6). No grid = planar.
    """

    def __init__(self, bounds: tuple[float, float, float, float] | None = None, factors=None):
        self.bounds = bounds
        self.factors = None if factors is None else np.asarray(factors, dtype=float)

    def factor(self, x, y) -> np.ndarray:
        x = np.atleast_1d(np.asarray(x, dtype=float))
        y = np.atleast_1d(np.asarray(y, dtype=float))
        f = self.factors
        if f is None or self.bounds is None:
            return np.ones_like(x)
        x0, y0, x1, y1 = self.bounds
        ny, nx = f.shape
        u = np.clip((x - x0) / max(x1 - x0, 1e-9) * (nx - 1), 0, nx - 1)
        v = np.clip((y - y0) / max(y1 - y0, 1e-9) * (ny - 1), 0, ny - 1)
        i = np.minimum(np.floor(u).astype(int), max(nx - 2, 0))
        j = np.minimum(np.floor(v).astype(int), max(ny - 2, 0))
        du, dv = u - i, v - j
        i1, j1 = np.minimum(i + 1, nx - 1), np.minimum(j + 1, ny - 1)
        return (f[j, i] * (1 - du) * (1 - dv) + f[j, i1] * du * (1 - dv)
                + f[j1, i] * (1 - du) * dv + f[j1, i1] * du * dv)


@dataclass(frozen=True)
class Quality:
    """Raw survey fields the balance record does not keep (KCDLBM as typed, GDPDJB)."""

    kcdlbm: str | None = None
    gdpdjb: str | None = None


def severity_name(severity: str) -> str:
    """The word for a finding's severity in the interface language."""
    return {"error": tr("Error"), "warning": tr("Warning"), "info": tr("Note")}.get(severity, severity)


def kind_name(code: str) -> str:
    """Short translated name of a finding kind, for the panel's "kind" column."""
    names = {
        "BSM_DUPLICATE": tr("Duplicate BSM"), "TBMJ_MISMATCH": tr("TBMJ vs area"),
        "TBMJ_MISSING": tr("TBMJ missing"), "GEOMETRY_INVALID": tr("Invalid geometry"),
        "PARCEL_OVERLAP": tr("Parcel overlap"), "UNIT_GAP": tr("Gap in unit"), "SLIVER": tr("Sliver"),
        "DLBM_UNKNOWN": tr("Unknown land class"), "KCXS_NOT_FARMLAND": tr("Ridges off farmland"),
        "KCXS_NO_KCDLBM": tr("Ridges without class"), "KCXS_FLAT": tr("Ridges on flat land"),
        "UNIT_EMPTY": tr("Empty unit"), "UNIT_INVALID": tr("Invalid unit"), "UNIT_NO_CODE": tr("Unit without code"),
        "UNIT_DUPLICATE_CODE": tr("Duplicate unit code"), "UNIT_OVERLAP": tr("Units overlap"),
        "UNIT_OUTSIDE_BOUNDARY": tr("Unit outside boundary"),
        "NEW_CONSTRUCTION_IN_PBF": tr("Construction in PBF"),
        "NEW_CONSTRUCTION_IN_RED_LINE": tr("Construction in red line"),
        "NEW_CONSTRUCTION_OUTSIDE_UGB": tr("Construction outside UGB"),
        "PBF_AREA_SHORTFALL": tr("PBF in < out"), "PBF_QUALITY_WORSE": tr("PBF quality worse"),
        "PBF_QUALITY_UNKNOWN": tr("PBF quality unknown"), "TYPE_TARGET_MISMATCH": tr("Type vs class after"),
        "TYPE_SOURCE_MISMATCH": tr("Type vs class before"), "TYPE_UNKNOWN": tr("Unknown type"),
    }
    return names.get(code, code)


def counts_by_unit(findings: Iterable[Finding]) -> dict[str | None, dict[str, int]]:
    """unit code (None: the project) -> {severity: count}, for the unit badges."""
    out: dict[str | None, dict[str, int]] = {}
    for f in findings:
        bucket = out.setdefault(f.unit_code, {ERROR: 0, WARNING: 0, INFO: 0})
        bucket[f.severity] = bucket.get(f.severity, 0) + 1
    return out


def _f(v: float) -> str:
    return f"{v:,.1f}"


def _polys(geom: BaseGeometry | None, tolerance: float) -> list[BaseGeometry]:
    """Polygon parts of ``geom`` larger than ``tolerance`` m²."""
    if geom is None or geom.is_empty:
        return []
    return [g for g in shapely.get_parts(geom) if g.geom_type == "Polygon" and g.area > tolerance]


def _touching(engine, bounds: tuple, exclude=None) -> list:
    """Parcels (with a geometry) whose boxes meet ``bounds``: the engine's grid, filtered by box."""
    parcels = engine.parcels
    cand = [q for q in engine._parcel_grid.query(bounds)
            if q != exclude and q in parcels and parcels[q].geom is not None]
    if not cand:
        return []
    b = shapely.bounds(np.array([parcels[q].geom for q in cand], dtype=object))
    keep = (b[:, 0] <= bounds[2]) & (b[:, 2] >= bounds[0]) & (b[:, 1] <= bounds[3]) & (b[:, 3] >= bounds[1])
    return [q for q, k in zip(cand, keep.tolist()) if k]


class DataChecks:
    """Findings of a plan's data, incrementally maintained (see the module docstring)."""

    def __init__(self, settings: CheckSettings | None = None, table: LandClassTable | None = None,
                 types: Mapping[str, RemediationType] | None = None, scale: AreaScale | None = None,
                 zones: Zones | None = None, gddb: Mapping[Hashable, float | None] | None = None,
                 units_raw: list | None = None, boundary: list | None = None,
                 quality_fields: Iterable[str] = ("KCDLBM", "GDPDJB"), unit_tolerance: float = 1.0):
        self.settings = settings or CheckSettings()
        self.table = table or default_table()
        self.types = remediation_types() if types is None else types
        self.scale = scale or AreaScale()
        self.zones = zones or Zones()
        self.gddb = dict(gddb or {})
        self.units_raw = units_raw  # [(fid, DYBH or None, geometry)] for check_units; None = from the engine
        self.boundary = boundary
        self.quality_fields = set(quality_fields)
        self.unit_tolerance = unit_tolerance
        self.quality: dict[Hashable, Quality] = {}
        self.measured: set = set()
        self._clear()

    def _clear(self) -> None:
        self.parcel_findings: dict[Hashable, list[Finding]] = {}
        self.pair_findings: dict[tuple, Finding] = {}
        self._pairs_of: dict[Hashable, set[tuple]] = {}
        self.group_findings: dict[str, list[Finding]] = {}
        self.groups: dict[str, set] = {}
        self._bsm_of: dict[Hashable, str] = {}
        self._bounds: dict[Hashable, tuple] = {}
        self.gaps: dict[Hashable, BaseGeometry | None] = {}
        self.gap_findings: dict[Hashable, list[Finding]] = {}
        self.unit_findings: list[Finding] = []
        self.moves: dict[Hashable, tuple[PlanParcel, float]] = {}
        self.balance_findings: list[Finding] = []

    # ------------------------------------------------------------------ results
    def findings(self) -> list[Finding]:
        out = list(self.unit_findings)
        for fs in self.gap_findings.values():
            out.extend(fs)
        for fs in self.parcel_findings.values():
            out.extend(fs)
        out.extend(self.pair_findings.values())
        for fs in self.group_findings.values():
            out.extend(fs)
        out.extend(self.balance_findings)
        order = {ERROR: 0, WARNING: 1, INFO: 2}
        out.sort(key=lambda f: (order.get(f.severity, 3), f.unit_code or "", f.code, str(f.parcel_id)))
        return out

    # ------------------------------------------------------------------ helpers
    @staticmethod
    def _unit_of(engine, p) -> str | None:
        if not p.pairs:
            return None
        uid = max(p.pairs, key=lambda t: t[1])[0]
        u = engine.units.get(uid)
        return u.code if u is not None else None

    def _ellipsoidal(self, geom: BaseGeometry, area: float) -> float:
        c = shapely.centroid(geom)
        return float(area * self.scale.factor(c.x, c.y)[0])

    # ------------------------------------------------------------------ per parcel
    def _check_record(self, engine, pid, p, unit: str | None, invalid: Mapping,
                      perimeter: float | None = None) -> list[Finding]:
        """Findings of one parcel alone: class codes, 田坎 rules, geometry, sliver, 三区三线, types."""
        rec, geom, table, s = p.rec, p.geom, self.table, self.settings
        out: list[Finding] = []
        bsm = rec.bsm
        if not table.is_known(rec.dlbm):
            out.append(Finding(ERROR, "DLBM_UNKNOWN", tr("Parcel {0}: unknown land class code {1}")
                               .format(pid, rec.dlbm or "NULL"), unit, pid, geom, bsm=bsm))
        if rec.ghdlbm is not None and not table.is_known(rec.ghdlbm):
            out.append(Finding(ERROR, "DLBM_UNKNOWN", tr("Parcel {0}: unknown land class after (GHDLBM) {1}")
                               .format(pid, rec.ghdlbm), unit, pid, geom, bsm=bsm))
        kcxs = rec.kcxs or 0.0
        deduction = kcxs > 0 or (rec.kcmj or 0.0) > 0
        if deduction:
            shown = f"{kcxs:.4g}" if kcxs else tr("KCMJ {0} m²").format(_f(rec.kcmj or 0.0))
            if not table.is_farmland(table.resolve(rec.dlbm)):
                out.append(Finding(ERROR, "KCXS_NOT_FARMLAND",
                                   tr("Parcel {0}: deduction {1} on land class {2}; only cultivated land (01xx) "
                                      "has a field-ridge deduction").format(pid, shown, rec.dlbm or "NULL"),
                                   unit, pid, geom, bsm=bsm))
            q = self.quality.get(pid)
            if "KCDLBM" in self.quality_fields and (q is None or not q.kcdlbm):
                out.append(Finding(ERROR, "KCXS_NO_KCDLBM",
                                   tr("Parcel {0}: deduction {1} but no deduction class (KCDLBM)").format(pid, shown),
                                   unit, pid, geom, bsm=bsm))
            if q is not None and q.gdpdjb is not None and str(q.gdpdjb).strip() == "1" and kcxs > 0:
                out.append(Finding(ERROR, "KCXS_FLAT",
                                   tr("Parcel {0}: slope grade GDPDJB 1 (≤ 2°) with KCXS {1}; on flat land the "
                                      "ridges are measured, KCXS must be 0").format(pid, f"{kcxs:.4g}"),
                                   unit, pid, geom, bsm=bsm))
        fix = invalid.get(pid)
        if fix is not None:
            text = (tr("Parcel {0}: geometry with parts that are not polygons; the balance uses its polygons")
                    if fix == "reduced" else
                    tr("Parcel {0}: invalid geometry; the balance uses a repaired copy"))
            out.append(Finding(ERROR, "GEOMETRY_INVALID", text.format(pid), unit, pid, geom, bsm=bsm))
        if pid in self.measured or pid in getattr(engine, "missing_area", ()):
            out.append(Finding(INFO, "TBMJ_MISSING",
                               tr("Parcel {0}: no TBMJ; its area was measured on the ellipsoid").format(pid),
                               unit, pid, geom, bsm=bsm))
        if geom is not None:
            area = p.area
            if perimeter is None:
                perimeter = float(shapely.length(geom))
            thinness = 4 * math.pi * area / (perimeter * perimeter) if perimeter > 0 else 0.0
            if area < s.sliver_area_m2 or (area < s.sliver_max_area_m2 and thinness < s.sliver_thinness):
                out.append(Finding(WARNING, "SLIVER",
                                   tr("Parcel {0}: sliver of {1} m² (thinness {2})").format(
                                       pid, f"{area:,.2f}", f"{thinness:.3f}"), unit, pid, geom, area, bsm=bsm))
        found, move = check_parcel(PlanParcel(pid, geom, rec, unit), self.zones, table, self.types,
                                   self.unit_tolerance, cleaned=True)
        out.extend(found)
        if move is not None:
            self.moves[pid] = (PlanParcel(pid, geom, rec, unit), move)
        return out

    def _refresh_balance(self) -> None:
        moved_out = [v for v in self.moves.values() if v[0].rec.yncz == PBF_OUT]
        moved_in = [v for v in self.moves.values() if v[0].rec.yncz == PBF_IN]
        moved_out.sort(key=lambda v: str(v[0].pid))
        moved_in.sort(key=lambda v: str(v[0].pid))
        self.balance_findings = pbf_balance(moved_out, moved_in, self.gddb, self.unit_tolerance)

    # ------------------------------------------------------------------ BSM groups (duplicates, TBMJ)
    def _check_group(self, engine, bsm: str, pids: Iterable, ell_areas: Mapping | None = None) -> list[Finding]:
        """Duplicates among the pieces of one BSM, and TBMJ against the ellipsoidal area."""
        s = self.settings
        pieces = [(pid, engine.parcels[pid]) for pid in sorted(pids, key=str) if pid in engine.parcels]
        if not any(p.pairs for _pid, p in pieces):
            return []
        out: list[Finding] = []
        geo = [(pid, p) for pid, p in pieces if p.geom is not None and p.area > 0]
        ell = {pid: (ell_areas[pid] if ell_areas is not None and pid in ell_areas
                     else self._ellipsoidal(p.geom, p.area)) for pid, p in geo}
        overlapping: set = set()
        for a in range(len(geo)):
            for b in range(a + 1, len(geo)):
                (pa, qa), (pb, qb) = geo[a], geo[b]
                if not shapely.intersects(qa.geom, qb.geom):
                    continue
                unit = self._unit_of(engine, qa) or self._unit_of(engine, qb)
                if shapely.equals(qa.geom, qb.geom):
                    overlapping |= {pa, pb}
                    out.append(Finding(ERROR, "BSM_DUPLICATE",
                                       tr("Parcel {0}: identical copy of parcel {1} (BSM {2})").format(pb, pa, bsm),
                                       unit, pb, qb.geom, qb.area, bsm=bsm))
                    continue
                inter = shapely.intersection(qa.geom, qb.geom)
                area = float(shapely.area(inter))
                # the engine's rule (core.pieces): up to this much the pieces are still a split
                if area > max(s.overlap_tolerance_m2, OVERLAP_REL * min(qa.area, qb.area)):
                    overlapping |= {pa, pb}
                    out.append(Finding(ERROR, "BSM_DUPLICATE",
                                       tr("Parcels {0} and {1} share BSM {2} and overlap by {3} m²: not a split")
                                       .format(pa, pb, bsm, _f(area)), unit, pa, inter, area, bsm=bsm))
        # TBMJ: pieces all carrying one copied TBMJ are compared by their total
        tbmjs = [p.rec.tbmj for _pid, p in geo if p.rec.tbmj is not None]
        copied = len(geo) > 1 and len(tbmjs) == len(geo) and max(tbmjs) - min(tbmjs) <= 1e-6
        total = sum(ell.values())
        for pid, p in geo:
            if not p.pairs or pid in overlapping or pid in self.measured or p.rec.tbmj is None:
                continue
            tbmj, own = float(p.rec.tbmj), ell[pid]
            if self._tbmj_ok(tbmj, own) or (copied and self._tbmj_ok(tbmj, total)):
                continue
            ref = total if copied else own
            diff = tbmj - ref
            pct = (diff / ref * 100.0) if ref > 0 else float("inf")
            out.append(Finding(ERROR, "TBMJ_MISMATCH",
                               tr("Parcel {0}: TBMJ {1} m² differs from its ellipsoidal area {2} m² by {3} m² "
                                  "({4} %)").format(pid, _f(tbmj), _f(ref), f"{diff:+,.1f}", f"{pct:+.2f}"),
                               self._unit_of(engine, p), pid, p.geom, abs(diff), bsm=bsm))
        return out

    def _tbmj_ok(self, tbmj: float, area: float) -> bool:
        s = self.settings
        diff = abs(tbmj - area)
        return diff <= s.tbmj_tolerance_m2 or diff <= s.tbmj_tolerance_ratio * max(area, 0.0)

    def _group_key(self, pid, p) -> str:
        bsm = p.rec.bsm
        return f"#{pid}" if not bsm else str(bsm)

    # ------------------------------------------------------------------ overlaps of parcel pairs
    def _pair_finding(self, engine, a, b) -> Finding | None:
        pa, pb = engine.parcels[a], engine.parcels[b]
        if pa.geom is None or pb.geom is None or not pa.pairs or not pb.pairs:
            return None
        if pa.rec.bsm and pa.rec.bsm == pb.rec.bsm:
            return None  # pieces of one BSM: the group check judges them
        if not shapely.relate_pattern(pa.geom, pb.geom, "2********"):
            return None
        inter = shapely.intersection(pa.geom, pb.geom)
        area = float(shapely.area(inter))
        if area <= self.settings.overlap_tolerance_m2:
            return None
        return Finding(ERROR, "PARCEL_OVERLAP", tr("Parcels {0} and {1} overlap by {2} m²").format(a, b, _f(area)),
                       self._unit_of(engine, pa), a, inter, area, bsm=pa.rec.bsm)

    def _set_pair(self, key: tuple, finding: Finding | None) -> None:
        if finding is None:
            return
        self.pair_findings[key] = finding
        for pid in key:
            self._pairs_of.setdefault(pid, set()).add(key)

    def _drop_pairs(self, pid) -> None:
        for key in self._pairs_of.pop(pid, ()):
            self.pair_findings.pop(key, None)
            for other in key:
                if other != pid:
                    keys = self._pairs_of.get(other)
                    if keys is not None:
                        keys.discard(key)
                        if not keys:
                            del self._pairs_of[other]

    # ------------------------------------------------------------------ gaps
    def _gap_findings(self, engine, uid) -> list[Finding]:
        u = engine.units.get(uid)
        gap = self.gaps.get(uid)
        if u is None:
            return []
        return [Finding(WARNING, "UNIT_GAP", tr("Unit {0}: {1} m² covered by no parcel").format(u.code, _f(g.area)),
                        u.code, None, g, float(g.area))
                for g in _polys(gap, self.settings.gap_tolerance_m2)]

    # ------------------------------------------------------------------ full run
    def run(self, engine, quality: Mapping | None = None, measured: Iterable | None = None,
            invalid: Mapping | None = None, progress: Callable[[float], None] | None = None,
            cancelled: Callable[[], bool] | None = None) -> bool:
        """Check everything; False when cancelled (the previous state is then kept)."""
        if quality is not None:
            self.quality = dict(quality)
        if measured is not None:
            self.measured = set(measured)
        invalid = getattr(engine, "geometry_fixes", {}) if invalid is None else invalid
        old = self.__dict__.copy()
        self._clear()
        try:
            done = self._run(engine, invalid, progress, cancelled)
        except Exception:
            self.__dict__.update(old)
            raise
        if not done:
            self.__dict__.update(old)
        return done

    def _run(self, engine, invalid, progress, cancelled) -> bool:
        parcels = engine.parcels
        units_raw = self.units_raw if self.units_raw is not None else [
            (uid, u.code, u.geom) for uid, u in engine.units.items()]
        self.unit_findings = check_units(units_raw, self.boundary, self.unit_tolerance)
        members = [pid for pid, p in parcels.items() if p.pairs]
        n = max(1, len(members))
        geoms = np.array([parcels[pid].geom for pid in members], dtype=object)
        perimeters = shapely.length(geoms).tolist() if len(geoms) else []
        if len(geoms):
            self._bounds.update(zip(members, map(tuple, shapely.bounds(geoms).tolist())))
        for k, pid in enumerate(members):
            p = parcels[pid]
            fs = self._check_record(engine, pid, p, self._unit_of(engine, p), invalid, perimeters[k])
            if fs:
                self.parcel_findings[pid] = fs
            if k % 5000 == 0:
                if progress:
                    progress(0.5 * k / n)
                if cancelled and cancelled():
                    return False
        self._refresh_balance()
        # ellipsoidal areas in bulk (same floats as one by one: centroid, then the grid's factor)
        ell: dict = {}
        if len(geoms):
            cent = shapely.centroid(geoms)
            areas = np.array([parcels[pid].area for pid in members])
            factors = self.scale.factor(shapely.get_x(cent), shapely.get_y(cent))
            ell = dict(zip(members, (areas * factors).tolist()))
        # BSM groups over every parcel (a split piece may lie outside the units)
        for pid, p in parcels.items():
            key = self._group_key(pid, p)
            self._bsm_of[pid] = key
            self.groups.setdefault(key, set()).add(pid)
        ok = self._tbmj_ok
        for key, pids in self.groups.items():
            if len(pids) == 1:
                (pid,) = pids
                p = parcels[pid]
                if not p.pairs or p.rec.tbmj is None or pid not in ell or ok(float(p.rec.tbmj), ell[pid]):
                    continue
            fs = self._check_group(engine, key, pids, ell)
            if fs:
                self.group_findings[key] = fs
        if progress:
            progress(0.7)
        if cancelled and cancelled():
            return False
        # overlaps and gaps per unit
        units = list(engine.units.items())
        for k, (uid, u) in enumerate(units):
            self._full_unit(engine, uid, u)
            if progress and k % 20 == 0:
                progress(0.7 + 0.3 * k / max(1, len(units)))
            if cancelled and cancelled():
                return False
        if progress:
            progress(1.0)
        return True

    def _full_unit(self, engine, uid, u) -> None:
        members = [pid for pid in engine.unit_parcels.get(uid, ()) if engine.parcels[pid].geom is not None]
        if u.geom is None:
            self.gaps[uid] = None
            return
        if not members:
            self.gaps[uid] = u.geom
            self.gap_findings[uid] = self._gap_findings(engine, uid)
            return
        geoms = np.array([engine.parcels[pid].geom for pid in members], dtype=object)
        total = float(np.sum([engine.parcels[pid].area for pid in members]))
        try:
            cover = shapely.coverage_union_all(geoms)
            suspicious = not shapely.is_valid(cover) or abs(float(cover.area) - total) > \
                self.settings.overlap_tolerance_m2
        except shapely.errors.GEOSException:
            cover, suspicious = None, True
        if suspicious:
            cover = shapely.union_all(geoms)
            tree = shapely.STRtree(geoms)
            left, right = tree.query(geoms)
            keep = left < right
            left, right = left[keep], right[keep]
            if len(left):
                hit = shapely.relate_pattern(geoms[left], geoms[right], "2********")
                for i, j in zip(left[hit].tolist(), right[hit].tolist()):
                    a, b = sorted((members[i], members[j]), key=str)
                    if (a, b) not in self.pair_findings:
                        self._set_pair((a, b), self._pair_finding(engine, a, b))
        gap = shapely.difference(u.geom, cover)
        self.gaps[uid] = gap if not gap.is_empty else None
        fs = self._gap_findings(engine, uid)
        if fs:
            self.gap_findings[uid] = fs
        else:
            self.gap_findings.pop(uid, None)

    # ------------------------------------------------------------------ incremental
    def update(self, engine, changed: Iterable = (), quality: Mapping | None = None,
               measured: Iterable | None = None, invalid: Mapping | None = None) -> None:
        """Re-check after an edit of the parcels ``changed`` (added, reshaped, retagged or deleted).

        ``quality`` holds the new raw fields of the changed parcels; ``measured`` is the whole
        current set of parcels whose TBMJ was measured. Unit edits need :meth:`run`.
        """
        changed = set(changed)
        if not changed:
            return
        if quality is not None:
            self.quality.update(quality)
        if measured is not None:
            self.measured = set(measured)
        invalid = getattr(engine, "geometry_fixes", {}) if invalid is None else invalid
        parcels = engine.parcels
        boxes = []
        groups = set()
        moves_touched = any(pid in self.moves for pid in changed)
        for pid in changed:
            old = self._bounds.pop(pid, None)
            if old is not None:
                boxes.append(old)
            self.parcel_findings.pop(pid, None)
            self.moves.pop(pid, None)
            self._drop_pairs(pid)
            key = self._bsm_of.pop(pid, None)
            if key is not None:
                groups.add(key)
                members = self.groups.get(key)
                if members is not None:
                    members.discard(pid)
                    if not members:
                        del self.groups[key]
            p = parcels.get(pid)
            if p is None:
                self.quality.pop(pid, None)
                continue
            key = self._group_key(pid, p)
            self._bsm_of[pid] = key
            self.groups.setdefault(key, set()).add(pid)
            groups.add(key)
            if not p.pairs:
                continue
            bounds = tuple(p.geom.bounds)
            self._bounds[pid] = bounds
            boxes.append(bounds)
            fs = self._check_record(engine, pid, p, self._unit_of(engine, p), invalid)
            if fs:
                self.parcel_findings[pid] = fs
            # overlap partners: the engine's grid, then boxes, then interiors, all in bulk
            near = _touching(engine, bounds, exclude=pid)
            if near:
                geoms = np.array([parcels[q].geom for q in near], dtype=object)
                hit = shapely.relate_pattern(p.geom, geoms, "2********")
                for q in [q for q, h in zip(near, hit.tolist()) if h]:
                    a, b = sorted((pid, q), key=str)
                    if (a, b) not in self.pair_findings:
                        self._set_pair((a, b), self._pair_finding(engine, a, b))
        if moves_touched or any(pid in self.moves for pid in changed):
            self._refresh_balance()  # PBF moved in/out: the project's balance (else it stands)
        for key in groups:
            self.group_findings.pop(key, None)
            pids = self.groups.get(key)
            if pids:
                fs = self._check_group(engine, key, pids)
                if fs:
                    self.group_findings[key] = fs
        if boxes:
            self._update_gaps(engine, boxes)

    def _update_gaps(self, engine, boxes: list[tuple]) -> None:
        b = np.array(boxes, dtype=float)
        pad = 1e-6 * max(1.0, float(np.abs(b).max()))
        region_bounds = (b[:, 0].min() - pad, b[:, 1].min() - pad, b[:, 2].max() + pad, b[:, 3].max() + pad)
        region = box(*region_bounds)
        near = _touching(engine, region_bounds)
        local = shapely.union_all([engine.parcels[pid].geom for pid in near]) if near else None
        for uid in engine._unit_grid.query(region_bounds):
            u = engine.units.get(uid)
            if u is None or u.geom is None or not shapely.intersects(u.geom, region):
                continue
            inside = shapely.intersection(u.geom, region)
            fresh = shapely.difference(inside, local) if local is not None else inside
            old = self.gaps.get(uid)
            kept = shapely.difference(old, region) if old is not None and old.intersects(region) else old
            parts = [g for g in (kept, fresh) if g is not None and not g.is_empty]
            gap = None if not parts else parts[0] if len(parts) == 1 else shapely.union_all(parts)
            polys = _polys(gap, 0.0)
            self.gaps[uid] = None if not polys else polys[0] if len(polys) == 1 else shapely.multipolygons(polys)
            fs = self._gap_findings(engine, uid)
            if fs:
                self.gap_findings[uid] = fs
            else:
                self.gap_findings.pop(uid, None)


__all__ = ["SEVERITIES", "AreaScale", "CheckSettings", "DataChecks", "Quality", "counts_by_unit", "kind_name",
           "severity_name"]
