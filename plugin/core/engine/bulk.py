"""The full build's integer sums in bulk: every pair's contribution with numpy, summed by group-by.

Per pair the integers are exactly what :meth:`~.composition._Composition._contribute` gives: the
same float products in the same order, rounded half to even (``np.rint`` is Python's ``round``
on floats), then summed exactly as int64 per (unit, key). The parcels' terms (classes before and
after, flows) are made with numpy (``bulk_terms``, planned ones grouped by the shape of their terms); parcels
without TBMJ and the parcels the build already holds a ``_Parcel`` for take :meth:`_terms` one by one
(tests/core/test_engine_columns.py compares with the per-parcel path).
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from ..fields import PBF_IN, PBF_OUT
from .bulk_terms import _BulkTerms
from .composition import PBF_VARS, SCALE
from .state import _Parcel
from .store import Columns, ParcelStore

_CHUNK = 65_536  # pairs per chunk of the sums (their temporaries: ~50 MB at 131 072, bench/README.md session 10)
_KEY_BITS = 20  # a (unit, key) pair as one int64: unit << 20 | key


class _Keys:
    """Aggregate keys ↔ small integers."""

    def __init__(self):
        self.keys: list = [("p", v) for v in PBF_VARS]
        self.ids: dict = {k: i for i, k in enumerate(self.keys)}

    def id(self, key: tuple) -> int:
        k = self.ids.get(key)
        if k is None:
            k = self.ids[key] = len(self.keys)
            self.keys.append(key)
        return k


class _BulkSums(_BulkTerms):
    """Terms and sums of a full build. A mixin of :class:`~.balance.BalanceEngine`."""

    def _plain_terms(self, base: Columns, rows: np.ndarray, keys: _Keys) -> tuple:
        """Terms of rows that are not planned and have a TBMJ: before = after = [(DLBM, TBDLMJ), (KCDLBM, KCMJ)]."""
        classes: dict = {}
        tb, kc, tbdl = self._survey_arrays(base, rows)
        dl, kcc = self._class_ids(base, rows, classes)
        names = list(classes)
        b_id = np.array([keys.id(("b", c)) for c in names], dtype=np.int64)
        a_id = np.array([keys.id(("a", c)) for c in names], dtype=np.int64)
        farm = np.array([self.table.is_farmland(c) for c in names], dtype=bool)[dl] if names else np.zeros(0, bool)
        has_kc = kc != 0
        kr = kcc[has_kc]
        t_row = np.concatenate([rows, rows, rows[has_kc], rows[has_kc]])
        t_key = np.concatenate([b_id[dl], a_id[dl], b_id[kr], a_id[kr]]) if names else np.zeros(0, dtype=np.int64)
        t_val = np.concatenate([tbdl, tbdl, kc[has_kc], kc[has_kc]])
        return (t_row, t_key, t_val), tb, farm

    def _python_terms(self, store: ParcelStore, base: Columns, rows: np.ndarray, keys: _Keys) -> tuple:
        """Terms of rows one by one (:meth:`_terms`): planned parcels, no TBMJ, pieces of a split."""
        t_row, t_key, t_val = [], [], []
        tb = np.empty(len(rows))
        farm = np.empty(len(rows), dtype=bool)
        yn = np.empty(len(rows), dtype=object)
        is_farm = self.table.is_farmland
        for k, r in enumerate(rows.tolist()):
            pid = base.pid(r)
            if store.held(pid):
                p = store[pid]
            else:  # _terms reads the record and the measured area only
                p = _Parcel.__new__(_Parcel)
                p.rec, p.area = base.recs.record(r), float(base.areas[r])
            items, tbmj, yncz, after0 = self._terms(p)
            for key, v in items:
                t_row.append(r)
                t_key.append(keys.id(key))
                t_val.append(v)
            tb[k] = tbmj
            farm[k] = is_farm(after0)
            yn[k] = yncz
        return ((np.array(t_row, dtype=np.int64), np.array(t_key, dtype=np.int64), np.array(t_val, dtype=np.float64)),
                tb, farm, yn)

    def _bulk_sums(self, store: ParcelStore, python_rows: np.ndarray, pi: np.ndarray, ui: np.ndarray,
                   shares: np.ndarray, pbfs: np.ndarray) -> None:
        """Add every pair's contribution to the units' and the project's sums (pairs sorted by row), in chunks
        of whole parcels: the temporaries stay small whatever the number of parcels."""
        keys = _Keys()
        slow = np.zeros(len(store.base.ids), dtype=bool)  # one by one: pieces of splits (held), no TBMJ
        slow[python_rows] = True
        n_pairs = len(pi)
        cuts = sorted({int(np.searchsorted(pi, pi[c])) for c in range(0, n_pairs, _CHUNK)} | {n_pairs})
        out_k, out_v = [], []
        for a, b in zip(cuts[:-1], cuts[1:]):
            k, v = self._chunk_sums(store, slow, pi[a:b], ui[a:b], shares[a:b], pbfs[a:b], keys)
            nz = v != 0
            sums = pd.Series(v[nz]).groupby(k[nz]).sum()
            out_k.append(sums.index.to_numpy())
            out_v.append(sums.to_numpy())
        if out_k:
            self._add_sums(np.concatenate(out_k), np.concatenate(out_v), keys.keys, store.base.uids)

    def _chunk_sums(self, store: ParcelStore, slow: np.ndarray, pi, ui, shares, pbfs, keys: _Keys) -> tuple:
        """(unit << 20 | key, µm²) of the terms and PBF variables of the pairs ``pi`` (whole parcels)."""
        base = store.base
        nums = base.recs.numbers
        rows = np.unique(pi)
        slow_r = slow[rows] | np.isnan(nums["tbmj"][rows])
        planned = ~np.isnan(nums["ghkcxs"][rows])
        for name in ("zzlx", "ghdlbm"):
            planned |= base.recs.factors(name, rows)[0] >= 0
        groups = [rows[~slow_r & ~planned], rows[~slow_r & planned], rows[slow_r]]
        parts = [self._plain_terms(base, groups[0], keys), self._planned_terms(base, groups[1], keys)]
        terms_s, tb_s, farm_s, yn_s = self._python_terms(store, base, groups[2], keys)
        # per row: TBMJ of the PBF amounts, PBF action (0 none, 1 OUT, 2 IN), class after is farmland
        tb, yn, farm = np.zeros(len(rows)), np.zeros(len(rows), dtype=np.int8), np.zeros(len(rows), dtype=bool)
        for g, (_t, tb_g, farm_g) in zip(groups, parts):
            at = np.searchsorted(rows, g)
            tb[at], farm[at] = tb_g, farm_g
            ycodes, yvalues = base.recs.factors("yncz", g)
            yn[at] = _actions(yvalues)[ycodes]
        at = np.searchsorted(rows, groups[2])
        tb[at], farm[at], yn[at] = tb_s, farm_s, _actions(yn_s.tolist())
        t_row = np.searchsorted(rows, np.concatenate([parts[0][0][0], parts[1][0][0], terms_s[0]]))
        t_key = np.concatenate([parts[0][0][1], parts[1][0][1], terms_s[1]])
        t_val = np.concatenate([parts[0][0][2], parts[1][0][2], terms_s[2]])
        del parts, terms_s
        order = np.argsort(t_row, kind="stable")
        t_key, t_val = t_key[order], t_val[order]
        counts = np.bincount(t_row, minlength=len(rows))
        start = np.concatenate([[0], np.cumsum(counts)])
        local = np.searchsorted(rows, pi)
        tk, tv = self._term_sums(local, ui, shares, t_key, t_val, counts, start)
        pk, pv = self._pbf_sums(local, ui, shares, pbfs, tb, yn, farm)
        return np.concatenate([tk, pk]), np.concatenate([tv, pv])

    @staticmethod
    def _term_sums(pi, ui, shares, t_key, t_val, counts, start) -> tuple[np.ndarray, np.ndarray]:
        """(unit << 20 | key, µm²) of every (pair, term): ``round(v * (share * SCALE))``; ``pi`` local rows."""
        cnt = counts[pi]
        pj = np.repeat(np.arange(len(pi)), cnt)
        first = np.cumsum(cnt) - cnt
        tj = np.repeat(start[pi] - first, cnt) + np.arange(len(pj))
        s = shares * SCALE
        vals = np.rint(t_val[tj] * s[pj]).astype(np.int64)
        return (ui[pj].astype(np.int64) << _KEY_BITS) | t_key[tj], vals

    @staticmethod
    def _pbf_sums(pi, ui, shares, pbfs, tb, yn, farm) -> tuple[np.ndarray, np.ndarray]:
        """The PBF variables of every pair, as :meth:`_contribute` and :meth:`_pbf_amounts` give them."""
        tbp, y, f = tb[pi], yn[pi], farm[pi]
        has = pbfs != 0
        is_in, is_out = y == 2, y == 1
        with np.errstate(all="ignore"):
            before = np.where(has, np.rint(tbp * pbfs * SCALE), 0.0).astype(np.int64)
            after_no = np.where(is_in, np.rint(tbp * (shares * SCALE)), 0.0)
            after_has = np.where(is_out, 0.0, np.where(is_in, np.rint(tbp * shares * SCALE), 0.0))
            after = np.where(has, after_has, after_no).astype(np.int64)
        after = np.where(has & ~is_out & ~is_in & f, before, after)
        unit = ui.astype(np.int64) << _KEY_BITS
        k_before, k_after, k_out, k_in = range(4)  # the ids of ("p", PBF_VARS[k]) in _Keys
        out_v = np.where(has & is_out, before, 0)
        in_v = np.where(after > before, after - before, 0)
        keys = np.concatenate([unit + k_before, unit + k_after, unit + k_out, unit + k_in])
        vals = np.concatenate([before, after, out_v, in_v])
        return keys, vals

    def _add_sums(self, keys: np.ndarray, vals: np.ndarray, key_list: list, uids: list) -> None:
        """Exact int64 sums of (unit, key) over the chunks, into the units' and the project's sums."""
        if not len(keys):
            return
        sums = pd.Series(vals).groupby(keys).sum()
        units = (sums.index.to_numpy() >> _KEY_BITS).tolist()
        kinds = (sums.index.to_numpy() & ((1 << _KEY_BITS) - 1)).tolist()
        project = self.project
        for u, k, v in zip(units, kinds, sums.to_numpy().tolist()):
            if v:
                key = key_list[k]
                agg = self.aggregates[uids[u]]
                agg[key] = agg.get(key, 0) + v
                project[key] = project.get(key, 0) + v
        for agg in self.aggregates.values():
            for k in [k for k, v in agg.items() if not v]:
                del agg[k]
        for k in [k for k, v in project.items() if not v]:
            del project[k]


def _actions(values) -> np.ndarray:
    """PBF action codes: 1 OUT, 2 IN, 0 none."""
    return np.array([1 if v == PBF_OUT else 2 if v == PBF_IN else 0 for v in values], dtype=np.int8)
