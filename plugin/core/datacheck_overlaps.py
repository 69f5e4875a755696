"""Data checks of space: parcels of different BSM that overlap, and parts of units no parcel covers.

A full run (``full_unit``) finds both per unit with GEOS's coverage union; an edit re-checks the
pairs of the parcels it touched and the gaps inside the edited region (``update_gaps``, see
``datachecks.py``). A mixin of :class:`~.datachecks.DataChecks` (its settings and state).
"""
from __future__ import annotations

import numpy as np
import shapely
from shapely.geometry import box

from .checks import ERROR, WARNING, Finding
from .datacheck_common import fmt_m2, polygon_parts, touching, unit_of
from .i18n import tr


class OverlapChecks:
    """Findings of parcel pairs and unit gaps (DataChecks' ``pair_findings``, ``gaps``, ``gap_findings``)."""

    def _pair_finding(self, engine, a, b) -> Finding | None:
        pa, pb = engine.parcel_view(a), engine.parcel_view(b)
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
        return Finding(ERROR, "PARCEL_OVERLAP", tr("Parcels {0} and {1} overlap by {2} m²").format(a, b, fmt_m2(area)),
                       unit_of(engine, pa), a, inter, area, bsm=pa.rec.bsm)

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
        gap = self.gaps.get(uid)
        if not engine.has_unit(uid):
            return []
        code = engine.unit_code(uid)
        return [Finding(WARNING, "UNIT_GAP", tr("Unit {0}: {1} m² covered by no parcel").format(code, fmt_m2(g.area)),
                        code, None, g, float(g.area))
                for g in polygon_parts(gap, self.settings.gap_tolerance_m2)]
    def _full_unit(self, engine, uid, unit_geom) -> None:
        members = [pid for pid in engine.unit_parcel_ids(uid) if engine.parcel_geometry(pid) is not None]
        if unit_geom is None:
            self.gaps[uid] = None
            return
        if not members:
            self.gaps[uid] = unit_geom
            self.gap_findings[uid] = self._gap_findings(engine, uid)
            return
        geoms = np.array([engine.parcel_geometry(pid) for pid in members], dtype=object)
        total = float(np.sum([engine.parcel_measured_area(pid) for pid in members]))
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
        gap = shapely.difference(unit_geom, cover)
        self.gaps[uid] = gap if not gap.is_empty else None
        fs = self._gap_findings(engine, uid)
        if fs:
            self.gap_findings[uid] = fs
        else:
            self.gap_findings.pop(uid, None)
    def _update_gaps(self, engine, boxes: list[tuple]) -> None:
        b = np.array(boxes, dtype=float)
        pad = 1e-6 * max(1.0, float(np.abs(b).max()))
        region_bounds = (b[:, 0].min() - pad, b[:, 1].min() - pad, b[:, 2].max() + pad, b[:, 3].max() + pad)
        region = box(*region_bounds)
        near = touching(engine, region_bounds)
        local = shapely.union_all([engine.parcel_geometry(pid) for pid in near]) if near else None
        for uid in engine.units_near(region_bounds):
            unit_geom = engine.unit_geometry(uid)
            if not shapely.intersects(unit_geom, region):
                continue
            inside = shapely.intersection(unit_geom, region)
            fresh = shapely.difference(inside, local) if local is not None else inside
            old = self.gaps.get(uid)
            kept = shapely.difference(old, region) if old is not None and old.intersects(region) else old
            parts = [g for g in (kept, fresh) if g is not None and not g.is_empty]
            gap = None if not parts else parts[0] if len(parts) == 1 else shapely.union_all(parts)
            polys = polygon_parts(gap, 0.0)
            self.gaps[uid] = None if not polys else polys[0] if len(polys) == 1 else shapely.multipolygons(polys)
            fs = self._gap_findings(engine, uid)
            if fs:
                self.gap_findings[uid] = fs
            else:
                self.gap_findings.pop(uid, None)
