"""Data checks of one parcel alone: class codes, 田坎 (KCXS) rules, geometry, slivers, TBMJ missing,
and the 三区三线 / remediation-type findings of ``checks.check_parcel`` with the PBF balance.

A mixin of :class:`~.datachecks.DataChecks` (it uses that class's settings and state).
"""
from __future__ import annotations

import math
from typing import Mapping

import shapely

from .checks import ERROR, INFO, WARNING, Finding, PlanParcel, check_parcel, pbf_balance
from .datacheck_common import fmt_m2
from .fields import PBF_IN, PBF_OUT
from .i18n import tr


class ParcelChecks:
    """Findings of each parcel on its own (DataChecks' ``parcel_findings``, ``moves``, ``balance_findings``)."""

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
            shown = f"{kcxs:.4g}" if kcxs else tr("KCMJ {0} m²").format(fmt_m2(rec.kcmj or 0.0))
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
