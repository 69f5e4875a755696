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

from typing import Callable, Hashable, Iterable, Mapping

import numpy as np
import shapely
from shapely.geometry.base import BaseGeometry

from .checks import ERROR, INFO, WARNING, Finding, PlanParcel, Zones, check_units
from .datacheck_common import (
    SEVERITIES,
    AreaScale,
    CheckSettings,
    Quality,
    counts_by_unit,
    kind_name,
    severity_name,
    touching,
    unit_of,
)
from .datacheck_groups import GroupChecks
from .datacheck_overlaps import OverlapChecks
from .datacheck_parcels import ParcelChecks
from .landclasses import LandClassTable, default_table
from .remediation import RemediationType, remediation_types


class DataChecks(ParcelChecks, GroupChecks, OverlapChecks):
    """Findings of a plan's data, incrementally maintained (see the module docstring); the families
    of checks are the mixins (``datacheck_parcels``, ``datacheck_groups``, ``datacheck_overlaps``)."""

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
        parcels = engine.parcel_views()
        units_raw = self.units_raw if self.units_raw is not None else [
            (uid, engine.unit_code(uid), engine.unit_geometry(uid)) for uid in engine.unit_ids()]
        self.unit_findings = check_units(units_raw, self.boundary, self.unit_tolerance)
        members = [pid for pid, p in parcels.items() if p.pairs]
        n = max(1, len(members))
        geoms = np.array([parcels[pid].geom for pid in members], dtype=object)
        perimeters = shapely.length(geoms).tolist() if len(geoms) else []
        if len(geoms):
            self._bounds.update(zip(members, map(tuple, shapely.bounds(geoms).tolist())))
        for k, pid in enumerate(members):
            p = parcels[pid]
            fs = self._check_record(engine, pid, p, unit_of(engine, p), invalid, perimeters[k])
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
        units = engine.unit_ids()
        for k, uid in enumerate(units):
            self._full_unit(engine, uid, engine.unit_geometry(uid))
            if progress and k % 20 == 0:
                progress(0.7 + 0.3 * k / max(1, len(units)))
            if cancelled and cancelled():
                return False
        if progress:
            progress(1.0)
        return True
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
            p = engine.parcel_view(pid) if engine.has_parcel(pid) else None
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
            fs = self._check_record(engine, pid, p, unit_of(engine, p), invalid)
            if fs:
                self.parcel_findings[pid] = fs
            # overlap partners: the engine's grid, then boxes, then interiors, all in bulk
            near = touching(engine, bounds, exclude=pid)
            if near:
                geoms = np.array([engine.parcel_geometry(q) for q in near], dtype=object)
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


__all__ = ["SEVERITIES", "AreaScale", "CheckSettings", "DataChecks", "Quality", "counts_by_unit", "kind_name",
           "severity_name"]
