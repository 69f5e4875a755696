"""Data checks of the pieces of one BSM: duplicates and overlaps among them, TBMJ against the
ellipsoidal area (pieces of a split carrying one copied TBMJ are compared by their total).

A mixin of :class:`~.datachecks.DataChecks` (it uses that class's settings and state).
"""
from __future__ import annotations

from typing import Iterable, Mapping

import shapely
from shapely.geometry.base import BaseGeometry

from .checks import ERROR, Finding
from .datacheck_common import fmt_m2, unit_of
from .i18n import tr
from .pieces import OVERLAP_REL


class GroupChecks:
    """Findings of the BSM groups (DataChecks' ``groups``, ``group_findings``)."""

    def _ellipsoidal(self, geom: BaseGeometry, area: float) -> float:
        c = shapely.centroid(geom)
        return float(area * self.scale.factor(c.x, c.y)[0])

    def _check_group(self, engine, bsm: str, pids: Iterable, ell_areas: Mapping | None = None) -> list[Finding]:
        """Duplicates among the pieces of one BSM, and TBMJ against the ellipsoidal area."""
        s = self.settings
        pieces = [(pid, engine.parcel_view(pid)) for pid in sorted(pids, key=str) if engine.has_parcel(pid)]
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
                unit = unit_of(engine, qa) or unit_of(engine, qb)
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
                                       .format(pa, pb, bsm, fmt_m2(area)), unit, pa, inter, area, bsm=bsm))
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
                                  "({4} %)").format(pid, fmt_m2(tbmj), fmt_m2(ref), f"{diff:+,.1f}", f"{pct:+.2f}"),
                               unit_of(engine, p), pid, p.geom, abs(diff), bsm=bsm))
        return out

    def _tbmj_ok(self, tbmj: float, area: float) -> bool:
        s = self.settings
        diff = abs(tbmj - area)
        return diff <= s.tbmj_tolerance_m2 or diff <= s.tbmj_tolerance_ratio * max(area, 0.0)

    def _group_key(self, pid, p) -> str:
        bsm = p.rec.bsm
        return f"#{pid}" if not bsm else str(bsm)
