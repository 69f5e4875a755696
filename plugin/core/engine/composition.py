"""Composition of a parcel: its land classes before and after, its flows, its contribution.

docs/domain.md §6 and docs/domain-area-rules.md: TBMJ / KCMJ / TBDLMJ by ``areas.survey_terms``,
the class after with its 田坎 coefficient, flows "same class first, rest pro rata". A
contribution is in integer µm² (``SCALE``), so sums of contributions never drift.
"""
from __future__ import annotations

from ..areas import farmland_after, planned_ridge_coefficient, survey_terms
from ..fields import PBF_IN, PBF_OUT, ParcelRecord, with_area
from ..landclasses import RIDGE
from ..ridges import new_farmland_coefficient
from ..rules import flow_areas
from .state import _Parcel

SCALE = 1_000_000  # aggregates are integers in µm²
Key = tuple  # ("b", class) | ("a", class) | ("f", flow id) | ("p", pbf var) | ("t", remediation type)
PBF_VARS = ("pbf_before", "pbf_after", "pbf_out", "pbf_in")
_K_PBF_BEFORE, _K_PBF_AFTER, _K_PBF_OUT, _K_PBF_IN = (("p", v) for v in PBF_VARS)


def add_into(counter: dict, contribution: dict, sign: int) -> None:
    """``counter += sign × contribution``, keys that reach 0 removed."""
    for k, v in contribution.items():
        nv = counter.get(k, 0) + sign * v
        if nv:
            counter[k] = nv
        else:
            counter.pop(k, None)


def drop_zeros(counter: dict) -> None:
    """Remove the keys whose value is 0."""
    for k in [k for k, v in counter.items() if not v]:
        del counter[k]


class _Composition:
    """What one parcel contributes: its classes before and after, its flows, its integer sums.

    A mixin of :class:`~.balance.BalanceEngine` (reads ``table``, ``pack``, ``_flow_cache``).
    """

    def _composition(self, rec: ParcelRecord, area: float) -> tuple[list, list, str | None, str]:
        """(before [(class, m²)], after [(class, m²)], remediation type, resolved class)."""
        table = self.table
        if rec.tbmj is None and area > 0:  # measured from the geometry: KCMJ/TBDLMJ checked against it
            rec = with_area(rec, area)
        dl = table.resolve(rec.dlbm)
        tbmj, kc, tbdl = survey_terms(rec.tbmj, rec.kcmj, rec.tbdlmj, area)
        before = [(dl, tbdl)]
        if kc:
            before.append((table.resolve(rec.kcdlbm) if rec.kcdlbm else RIDGE, kc))
        if not rec.planned:
            return before, before, None, dl
        target = table.resolve(rec.ghdlbm) if rec.ghdlbm else dl
        if table.is_farmland(target):
            # new farmland without GHKCXS: the pack's 田坎系数 by slope grade (docs/domain.md §6)
            coef = planned_ridge_coefficient(rec.ghkcxs, rec.kcxs, table.is_farmland(dl), kc, tbmj,
                                             new_farmland_coefficient(self.pack.ridges, rec))
            after = [(target, farmland_after(tbmj, coef))]
            if coef:
                after.append((RIDGE, tbmj * coef))
        else:
            after = [(target, tbmj)]
        return before, after, rec.zzlx or "", dl

    def _flows(self, before: list, after: list, zzlx: str | None) -> tuple:
        """Flow areas (m², whole parcel) of the pack's flows: same class first, rest pro rata."""
        key = (tuple(before), tuple(after), zzlx)
        hit = self._flow_cache.get(key)
        if hit is not None:
            return hit
        flows = self.pack.flows
        if not flows or zzlx is None:
            result: tuple = ()
        else:
            b = dict()
            for c, v in before:
                b[c] = b.get(c, 0.0) + v
            a = dict()
            for c, v in after:
                a[c] = a.get(c, 0.0) + v
            transitions: list[tuple[str, str, float]] = []
            for c in list(b):
                if c in a:
                    same = min(b[c], a[c])
                    transitions.append((c, c, same))
                    b[c] -= same
                    a[c] -= same
            total_after = sum(v for v in a.values() if v > 0)
            if total_after > 0:
                for cb, vb in b.items():
                    if vb > 0:
                        for ca, va in a.items():
                            if va > 0:
                                transitions.append((cb, ca, vb * va / total_after))
            result = tuple(flow_areas(self.pack, zzlx, transitions).items())
        if len(self._flow_cache) >= 10_000:  # keys hold areas: it pays off within one edit, not across parcels
            self._flow_cache.clear()
        self._flow_cache[key] = result
        return result

    def _terms(self, p: _Parcel) -> tuple:
        """A parcel's whole-parcel float terms ``((key, m²), ...)``, TBMJ, PBF action, farmland after.

        Computed once per parcel and scaled per pair by :meth:`_contribution`.
        """
        rec = p.rec
        before, after, zzlx, _dl = self._composition(rec, p.area)
        terms = [(("b", c), v) for c, v in before]
        terms.extend((("a", c), v) for c, v in after)
        tbmj = survey_terms(rec.tbmj, rec.kcmj, rec.tbdlmj, p.area)[0]
        if zzlx is not None:
            terms.append((("t", zzlx), tbmj))
            terms.extend((("f", fid), v) for fid, v in self._flows(before, after, zzlx))
        return terms, tbmj, rec.yncz, after[0][0]

    def _contribution(self, p: _Parcel, share: float, pbf_share: float, terms: tuple | None = None) -> dict:
        """Integer µm² contribution of ``share`` of parcel ``p`` (plus its PBF share) to a unit."""
        out: dict = {}
        self._contribute(out, p, share, pbf_share, terms if terms is not None else self._terms(p))
        return out

    def _contribute(self, out: dict, p: _Parcel, share: float, pbf_share: float, terms: tuple) -> None:
        """Add :meth:`_contribution` to the integer sums ``out`` (no dict per pair in a full build)."""
        items, tbmj, yncz, after0 = terms
        s = share * SCALE
        for k, v in items:
            n = round(v * s)
            if n:
                out[k] = out.get(k, 0) + n
        if pbf_share or yncz == PBF_IN:
            pbf_before, pbf_after = self._pbf_amounts(tbmj, share, pbf_share, yncz, after0)
            if pbf_share and yncz == PBF_OUT:
                out[_K_PBF_OUT] = out.get(_K_PBF_OUT, 0) + pbf_before
            if pbf_before:
                out[_K_PBF_BEFORE] = out.get(_K_PBF_BEFORE, 0) + pbf_before
            if pbf_after:
                out[_K_PBF_AFTER] = out.get(_K_PBF_AFTER, 0) + pbf_after
            if pbf_after > pbf_before:
                out[_K_PBF_IN] = out.get(_K_PBF_IN, 0) + pbf_after - pbf_before

    def _pbf_amounts(self, tbmj: float, share: float, pbf_share: float, yncz: str | None,
                     after0: str) -> tuple[int, int]:
        """(PBF before, PBF after) in µm² of ``share`` of a parcel whose ``pbf_share`` lies in PBF."""
        if not pbf_share:
            return 0, (round(tbmj * (share * SCALE)) if yncz == PBF_IN else 0)
        before = round(tbmj * pbf_share * SCALE)
        if yncz == PBF_OUT:
            return before, 0
        if yncz == PBF_IN:
            return before, round(tbmj * share * SCALE)
        return before, before if self.table.is_farmland(after0) else 0

    # ------------------------------------------------------------------ public: 集中连片 weights
    def parcel_farmland(self, pid) -> tuple[tuple[tuple, ...], tuple | None]:
        """((unit id, fb, fa, pb, pa), …) and the project's (fb, fa, pb, pa), in µm² (integers).

        What the parcel adds to 耕地 before / after (net of 田坎, as the land-class table tells
        farmland) and to PBF before / after in each unit's balance, rounded as the balance rounds,
        so sums of them equal the balance's rows exactly; the project's takes off the part counted
        twice where units overlap. ``((), None)`` for a parcel in no unit (docs/domain-contiguity.md).
        """
        p = self._parcels.peek(pid)
        if not p.pairs:
            return (), None
        table, rec = self.table, p.rec
        farm = table.is_farmland
        if not (farm(table.resolve(rec.dlbm)) or (rec.ghdlbm is not None and farm(table.resolve(rec.ghdlbm)))
                or (rec.kcdlbm is not None and farm(table.resolve(rec.kcdlbm))) or rec.yncz == PBF_IN
                or any(t[2] for t in p.pairs)):  # neither farmland nor PBF before or after: nothing to count
            return tuple((uid, 0, 0, 0, 0) for uid, _s, _b in p.pairs), (0, 0, 0, 0)
        before, after, _zzlx, _dl = self._composition(rec, p.area)
        fb = [v for c, v in before if farm(c)]
        fa = [v for c, v in after if farm(c)]
        tbmj = survey_terms(rec.tbmj, rec.kcmj, rec.tbdlmj, p.area)[0]
        yncz, after0 = rec.yncz, after[0][0]

        def amounts(share: float, pbf_share: float) -> tuple:
            s = share * SCALE
            return (sum(round(v * s) for v in fb), sum(round(v * s) for v in fa),
                    *self._pbf_amounts(tbmj, share, pbf_share, yncz, after0))

        units = tuple((uid, *amounts(share, pbf)) for uid, share, pbf in p.pairs)
        if len(units) == 1 and p.over is None:
            return units, units[0][1:]
        total = [sum(u[k] for u in units) for k in range(1, 5)]
        if p.over is not None:
            total = [t - o for t, o in zip(total, amounts(*p.over))]
        return units, tuple(total)
