"""A full build's parcel terms in bulk: what :meth:`~.composition._Composition._terms` gives, as arrays.

Rows are grouped by what decides the shape of their terms (classes before and after, whether
there is a 田坎 part, the remediation type); within a group the same float operations as
``_composition`` / ``_flows`` run on arrays, in the same order, so every value is the same
double. Value tests of the per-parcel code (``if vb > 0`` …) become masks; a masked-out
transition adds 0.0, which leaves any sum as it is.
"""
from __future__ import annotations

import numpy as np

from ..landclasses import RIDGE
from .store import Columns


class _BulkTerms:
    """Terms of many rows at once. A mixin of :class:`~.balance.BalanceEngine`."""

    def _survey_arrays(self, base: Columns, rows: np.ndarray) -> tuple:
        """(TBMJ, KCMJ, TBDLMJ) of ``areas.survey_terms`` for rows with a TBMJ: ``kcmj or 0.0``, TBMJ − KCMJ."""
        nums = base.recs.numbers
        tb = nums["tbmj"][rows]
        kcmj = nums["kcmj"][rows]
        kc = np.where(np.isnan(kcmj) | (kcmj == 0), 0.0, kcmj)
        tbdlmj = nums["tbdlmj"][rows]
        return tb, kc, np.where(np.isnan(tbdlmj), tb - kc, tbdlmj)

    def _class_ids(self, base: Columns, rows: np.ndarray, classes: dict) -> tuple[np.ndarray, np.ndarray]:
        """Per row: ids (in ``classes``) of the resolved DLBM and of the 田坎 class (KCDLBM, else 1203)."""
        table = self.table
        codes, values = base.recs.factors("dlbm", rows)
        dl = np.array([_cid(classes, table.resolve(v)) for v in values], dtype=np.int64)[codes]
        kcodes, kvalues = base.recs.factors("kcdlbm", rows)
        kcc = np.array([_cid(classes, table.resolve(v) if v else RIDGE) for v in kvalues], dtype=np.int64)[kcodes]
        return dl, kcc

    def _planned_terms(self, base: Columns, rows: np.ndarray, keys) -> tuple:
        """Terms of planned rows with a TBMJ (``_composition`` with a class after, flows), grouped by shape."""
        table, recs = self.table, base.recs
        classes: dict = {}
        tb, kc, tbdl = self._survey_arrays(base, rows)
        dl, kcc = self._class_ids(base, rows, classes)
        gcodes, gvalues = recs.factors("ghdlbm", rows)
        gh = np.array([_cid(classes, table.resolve(v)) if v else -1 for v in gvalues], dtype=np.int64)[gcodes]
        target = np.where(gh >= 0, gh, dl)
        names = list(classes)
        farm_of = np.array([table.is_farmland(c) for c in names], dtype=bool)
        coef = self._coefficients(base, rows, tb, kc, farm_of[dl])
        has_kc = kc != 0
        with_ridge = farm_of[target] & (coef != 0)
        zcodes, zvalues = recs.factors("zzlx", rows)
        sig = np.stack([dl, np.where(has_kc, kcc, -1), target, with_ridge, zcodes], axis=1)
        shapes, inverse = np.unique(sig, axis=0, return_inverse=True)
        inverse = inverse.reshape(-1)
        order = np.argsort(inverse, kind="stable")
        cuts = np.searchsorted(inverse[order], np.arange(len(shapes) + 1))
        t_row, t_key, t_val = [], [], []
        for g, (d, k, t, ridge, z) in enumerate(shapes.tolist()):
            idx = order[cuts[g]:cuts[g + 1]]
            tb_g = tb[idx]
            before = [(names[d], tbdl[idx])] + ([(names[k], kc[idx])] if k >= 0 else [])
            if farm_of[t]:
                c = coef[idx]
                after = [(names[t], tb_g * (1.0 - c))] + ([(RIDGE, tb_g * c)] if ridge else [])
            else:
                after = [(names[t], tb_g)]
            zzlx = zvalues[z] or ""
            terms = [(("b", c), v) for c, v in before] + [(("a", c), v) for c, v in after]
            terms.append((("t", zzlx), tb_g))
            terms.extend((("f", fid), v) for fid, v in self._flow_arrays(before, after, zzlx, len(idx)))
            for key, v in terms:
                t_row.append(rows[idx])
                t_key.append(np.full(len(idx), keys.id(key), dtype=np.int64))
                t_val.append(v)
        farm = farm_of[target]
        return _joined(t_row, t_key, t_val), tb, farm

    def _coefficients(self, base: Columns, rows: np.ndarray, tb, kc, was_farm) -> np.ndarray:
        """``areas.planned_ridge_coefficient`` per row (GHKCXS, else the pack's table for new farmland, else
        KCXS, else KCMJ / TBMJ)."""
        nums = base.recs.numbers
        ghk, kcxs = nums["ghkcxs"][rows], nums["kcxs"][rows]
        ridges = self.pack.ridges
        if ridges is None:
            new = np.zeros(len(rows))
        else:
            gc, gv = base.recs.factors("gdpdjb", rows)
            tc, tv = base.recs.factors("gdlx", rows)
            width = len(tv) + 1  # codes + 1: -1 (None) is 0, and values[-1] is None
            pairs = (gc.astype(np.int64) + 1) * width + (tc + 1)
            uniq, inv = np.unique(pairs, return_inverse=True)
            values = []
            for u in uniq.tolist():
                v = ridges.coefficient(gv[u // width - 1], tv[u % width - 1])
                values.append(v if v is not None else 0.0)
            new = np.array(values, dtype=np.float64)[inv.reshape(-1)]
        with np.errstate(all="ignore"):
            own = np.where(tb != 0, kc / tb, 0.0)
        return np.where(~np.isnan(ghk), ghk, np.where(~was_farm, new, np.where(~np.isnan(kcxs), kcxs, own)))

    def _flow_arrays(self, before: list, after: list, zzlx: str, n: int) -> list:
        """``_flows`` over arrays: same class first, the rest pro rata, then ``rules.flow_areas``."""
        flows = self.pack.flows
        if not flows:
            return []
        b: dict = {}
        for c, v in before:
            b[c] = b.get(c, 0.0) + v
        a: dict = {}
        for c, v in after:
            a[c] = a.get(c, 0.0) + v
        transitions = []
        for c in list(b):
            if c in a:
                same = np.where(a[c] < b[c], a[c], b[c])  # min(b[c], a[c]): the first of equal ones
                transitions.append((c, c, same))
                b[c] = b[c] - same
                a[c] = a[c] - same
        total = 0.0
        for v in a.values():
            total = total + np.where(v > 0, v, 0.0)
        total = np.broadcast_to(total, (n,))
        for cb, vb in b.items():
            for ca, va in a.items():
                on = (total > 0) & (vb > 0) & (va > 0)
                with np.errstate(all="ignore"):
                    transitions.append((cb, ca, np.where(on, vb * va / total, 0.0)))
        out = []
        cats = self.pack.categories_of
        for fid, flow in flows.items():
            if flow.types and zzlx not in flow.types:
                continue
            picked = [v for cb, ca, v in transitions if not (flow.changed_only and cb == ca)
                      and (flow.source == "*" or flow.source in cats(cb))
                      and (flow.target == "*" or flow.target in cats(ca))]
            if picked:
                s = 0.0
                for v in picked:
                    s = s + v
                out.append((fid, s))
        return out


def _cid(classes: dict, code: str) -> int:
    k = classes.get(code)
    if k is None:
        k = classes[code] = len(classes)
    return k


def _joined(t_row: list, t_key: list, t_val: list) -> tuple:
    if not t_row:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64), np.zeros(0)
    return np.concatenate(t_row), np.concatenate(t_key), np.concatenate(t_val)
