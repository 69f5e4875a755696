"""The full build: every parcel and unit at once, as columns, with shapely's bulk STRtree and GEOS on threads.

The parcels stay columns (``store.Columns``): no Python object per parcel. The result is exactly
what the same parcels and units added one edit at a time give (tests/core/test_engine_properties.py,
tests/core/test_engine_columns.py); the bulk paths only compute the same floats and integers faster.
"""
from __future__ import annotations

from collections import Counter
from typing import Callable, Hashable, Iterable, Sequence

import numpy as np
import shapely
from shapely.geometry.base import BaseGeometry

from ..fields import ParcelRecord
from ..record_columns import RecordColumns
from ..validation import clean_polygonal, drop_duplicates, identical_groups
from .geometry import clean_geometry, in_threads, paused_gc
from .grid import Grid, choose_cell
from .members import BsmIndex, UnitMembers
from .state import BuildCancelled, _Unit, pair_key, sort_key
from .static_index import StaticIndex
from .store import Columns, PackedGeometries, ParcelIndex, ParcelStore, Records


class _RecordRows:
    """``records[k]`` of the columns, made on demand (for validation's identical-copy check)."""

    def __init__(self, recs: Records):
        self.recs = recs

    def __len__(self) -> int:
        return len(self.recs)

    def __getitem__(self, k: int) -> ParcelRecord:
        return self.recs.record(k)


def id_array(ids: Sequence[Hashable] | np.ndarray) -> np.ndarray:
    """Feature ids as int64 when they are all integers, else as an object array."""
    arr = np.asarray(ids) if not isinstance(ids, np.ndarray) else ids
    if arr.dtype.kind in "iu" and arr.ndim == 1 and (arr.dtype.kind == "i" or not len(arr) or arr.max() < 2 ** 63):
        return arr.astype(np.int64, copy=False)
    out = np.empty(len(ids), dtype=object)
    out[:] = list(ids)
    return out


def _pid(ids: np.ndarray, k: int) -> Hashable:
    v = ids[k]
    return v.item() if isinstance(v, np.generic) else v


class _FullBuild:
    """:meth:`build`, :meth:`build_columns` and their steps. A mixin of :class:`~.balance.BalanceEngine`."""

    def build(
        self,
        parcels: Iterable[tuple[Hashable, BaseGeometry | None, ParcelRecord]],
        units: Iterable[tuple[Hashable, str, BaseGeometry | None]],
        pbf: Sequence[BaseGeometry] | None = None,
        progress: Callable[[float], None] | None = None,
        cancelled: Callable[[], bool] | None = None,
    ) -> None:
        """Replace the whole state from ``(id, geometry, record)`` items: :meth:`build_columns` of their columns."""
        pids, geoms, recs = [], [], []
        for pid, geom, rec in parcels:
            pids.append(pid)
            geoms.append(geom)
            recs.append(rec)
        garr = np.empty(len(geoms), dtype=object)
        garr[:] = geoms
        del geoms
        self.build_columns(pids, garr, RecordColumns.from_records(recs), units, pbf, progress, cancelled)

    def build_columns(
        self,
        ids: Sequence[Hashable] | np.ndarray,
        geoms: np.ndarray,
        columns: RecordColumns,
        units: Iterable[tuple[Hashable, str, BaseGeometry | None]],
        pbf: Sequence[BaseGeometry] | None = None,
        progress: Callable[[float], None] | None = None,
        cancelled: Callable[[], bool] | None = None,
    ) -> None:
        """Replace the whole state: feature ids, a shapely geometry array (None where missing) and their
        records as :class:`~..record_columns.RecordColumns`; bulk spatial join, then integer sums."""
        with paused_gc():
            self._build(ids, geoms, columns, units, pbf, progress, cancelled)

    def _build(self, ids, geoms, columns: RecordColumns, units, pbf, progress, cancelled) -> None:
        unit_list = list(units)
        ids = id_array(ids)
        garr = np.empty(len(ids), dtype=object)
        garr[:] = geoms
        self.__init__(self.pack, self.table, self._cell, self.area_scale)
        if cancelled and cancelled():
            raise BuildCancelled()
        if len(garr):
            ids, columns, garr = self._clean_input(ids, columns, garr)
        areas = shapely.area(garr) if len(garr) else np.zeros(0)
        areas = np.nan_to_num(np.asarray(areas, dtype=float))
        recs = Records(columns)
        del columns
        join_areas = self._mark_shadows(ids, recs, garr, areas)  # 0 for the shadows: they join nothing
        base = Columns(ids, garr, areas, recs)
        store = self._parcels = ParcelStore(base)
        cell = choose_cell(garr) if self._cell is None else None
        self._parcel_grid = ParcelIndex(store, cell or self._cell or 250.0)
        if cell is not None:
            self._unit_grid = Grid(cell)
        self._unit_parcels = UnitMembers(ids)
        self.set_pbf(pbf, rebuild=False)
        self._note_in_bulk(base)
        self._share_pieces_in_bulk(base)
        if progress:
            progress(0.2)
        # one tree over the parcels for both joins (PBF polygons and units are the fewer, bigger side)
        tree = shapely.STRtree(garr) if len(garr) else None
        if self._pbf_tree is not None and tree is not None:
            self._pbf_in_bulk(tree, base, join_areas)
            self._parcels.refresh_held()
        if cancelled and cancelled():
            raise BuildCancelled()
        if progress:
            progress(0.4)
        uids, ugeoms = self._load_units(unit_list)
        base.uids = uids
        if ugeoms and tree is not None:
            uarr = np.array(ugeoms, dtype=object)
            has = np.flatnonzero(~shapely.is_missing(uarr))
            ui, pi = tree.query(uarr[has], predicate="intersects")
            ui = has[ui]
            keep = join_areas[pi] > 0
            tree = None  # gone before the overlay's big temporaries
            self._join(base, ugeoms, uarr, ui[keep], pi[keep], progress, cancelled)
        del tree
        base.index = StaticIndex(shapely.bounds(garr), self._parcel_grid.grid.cell)
        base.geoms = PackedGeometries(garr)  # the caller's geometry objects may go
        if progress:
            progress(1.0)

    def _clean_input(self, ids: np.ndarray, columns: RecordColumns, garr: np.ndarray) -> tuple:
        """Repair what is not a valid polygon (noted in ``geometry_fixes``); drop repeated feature ids."""
        fixes = self.geometry_fixes
        ok = ~shapely.is_missing(garr)
        fine = ok & in_threads(lambda k: shapely.is_valid(garr[k]), np.arange(len(garr)), 50_000)
        with np.errstate(all="ignore"):
            sub = np.where(fine, garr, None)
            fine &= np.isin(shapely.get_type_id(sub), (3, 6)) & ~shapely.is_empty(sub)
            b = shapely.bounds(sub)
            fine &= np.all(np.isfinite(b) & (np.abs(b) < 1e15), axis=1)
            a = shapely.area(sub)
            fine &= np.isfinite(a) & (a > 0)
        del sub, b, a
        for i in np.flatnonzero(ok & ~fine).tolist():
            garr[i], what = clean_polygonal(garr[i])
            if what:
                fixes[_pid(ids, i)] = what
        n = len(ids)
        repeated = len(np.unique(ids)) != n if ids.dtype.kind == "i" else len(set(ids.tolist())) != n
        if n > 1 and repeated:  # a feature id used twice (GeoJSON…)
            items = list(zip(ids.tolist(), garr.tolist(), columns.records()))
            where = {id(t): k for k, t in enumerate(items)}
            kept, self.duplicates = drop_duplicates(items, identical=False)
            if len(kept) != n:
                rows = np.array([where[id(t)] for t in kept], dtype=np.int64)
                ids, garr, columns = ids[rows], garr[rows], columns.take(rows)
        return ids, columns, garr

    def _mark_shadows(self, ids: np.ndarray, recs: Records, garr: np.ndarray, areas: np.ndarray) -> np.ndarray:
        """Identical copies of a parcel: all but the smallest id become shadows (area 0 in the joins)."""
        join_areas = areas
        if len(ids) > 1:
            twins = identical_groups(ids, garr, _RecordRows(recs))
            if twins:
                join_areas = areas.copy()
                for group in twins:
                    leader = min(group, key=lambda k: sort_key(_pid(ids, k)))
                    for k in group:
                        if k != leader:
                            self.shadows.add(_pid(ids, k))
                            join_areas[k] = 0.0
        return join_areas

    def _note_in_bulk(self, base: Columns) -> None:
        """:meth:`_note_parcel` of every row at once: unknown codes, no TBMJ, no geometry."""
        recs, table = base.recs, self.table
        every = slice(None)
        for slot in ("dlbm", "ghdlbm"):
            codes, values = recs.factors(slot, every)
            counts = np.bincount(codes + 1, minlength=len(values) + 1)  # code -1 (None) counted at 0
            for k, value in enumerate(values[:-1]):
                if counts[k + 1] and not table.is_known(value):
                    self.unknown_codes[value] += int(counts[k + 1])
                    self._unknown_class += int(counts[k + 1]) if slot == "dlbm" else 0
            if slot == "dlbm" and counts[0] and not table.is_known(None):
                self.unknown_codes[None] += int(counts[0])
                self._unknown_class += int(counts[0])
        self.missing_area = set(base.ids[np.isnan(recs.numbers["tbmj"])].tolist())
        self.empty_geometry = set(base.ids[shapely.is_missing(base.geoms)].tolist())

    def _share_pieces_in_bulk(self, base: Columns) -> None:
        """Index every BSM; the pieces of each split get their share (they get a ``_Parcel`` now)."""
        bsm = base.recs.column("bsm")
        has = np.flatnonzero(np.not_equal(bsm, None))
        values = bsm[has]
        several = _duplicated(values)
        alone = has[~several]
        index = self._bsm = BsmIndex(base.ids, values[~several], alone)
        groups: dict = {}
        for r, b in zip(has[several].tolist(), values[several].tolist()):
            groups.setdefault(b, []).append(_pid(base.ids, r))
        index.delta.update(groups)
        parcels = self._parcels
        for b in groups:
            for pid, rec in self._group_records(b).items():
                p = parcels[pid]
                if rec is not p.rec:
                    self._raw[pid] = p.rec
                    p.rec = rec

    def _pbf_in_bulk(self, tree: shapely.STRtree, base: Columns, join_areas: np.ndarray) -> None:
        """PBF overlay in bulk: covered parcels are whole, parcels only touching PBF have none;
        the few partly covered ones take the same path as an incremental edit."""
        garr = base.geoms
        hi, pi = tree.query(self._pbf_geoms, predicate="intersects")
        keep = join_areas[pi] > 0
        order = np.lexsort((hi[keep], pi[keep]))
        pi, hi = pi[keep][order], hi[keep][order]
        if not len(pi):
            return
        pbf_geoms = self._pbf_geoms
        covered = in_threads(lambda k: shapely.covers(pbf_geoms[hi[k]], garr[pi[k]]), np.arange(len(pi)))
        whole = np.unique(pi[covered])
        base.pbf[whole] = 1.0
        rest = ~covered & ~np.isin(pi, whole)
        pi, hi = pi[rest], hi[rest]
        positive = in_threads(lambda k: shapely.area(shapely.intersection(garr[pi[k]], pbf_geoms[hi[k]])) > 0,
                              np.arange(len(pi)))
        for i in np.unique(pi[positive]).tolist():
            geom = garr[i]
            part = self._pbf_part_of(geom, float(base.areas[i]), self._pbf_hits(geom))
            if isinstance(part, float):
                base.pbf[i] = part
            else:
                base.pbf[i] = np.nan
                base.pbf_parts[i] = part

    def _load_units(self, unit_list: list) -> tuple[list, list]:
        """The units' state (no pairs yet), the grid and the overlaps of units with each other."""
        ugeoms = []
        for uid, code, geom in unit_list:
            u = _Unit(str(code) if code is not None else str(uid), clean_geometry(geom), code is not None)
            self._units[uid] = u
            self._unit_parcels[uid] = set()
            self.aggregates[uid] = Counter()
            if u.geom is not None:
                self._unit_grid.insert(uid, u.bounds)
            ugeoms.append(u.geom)
        uids = [uid for uid, _c, _g in unit_list]
        for uid in uids:
            self._update_unit_overlaps(uid, fresh=True)
        return uids, ugeoms

    def _join(self, base: Columns, ugeoms, uarr, ui, pi, progress, cancelled) -> None:
        """Shares of the (unit, parcel) candidates ``ui``, ``pi``; the pairs as columns; the sums in bulk."""
        garr, areas, uids = base.geoms, base.areas, base.uids
        shares = np.ones(len(ui))
        # not on threads: the units are prepared, and GEOS prepared geometries are not thread-safe
        part = np.flatnonzero(~shapely.contains_properly(uarr[ui], garr[pi]))
        if len(part):  # in chunks: the pieces are big and only their area is kept
            inter = in_threads(lambda k: shapely.area(shapely.intersection(uarr[ui[k]], garr[pi[k]])), part)
            shares[part] = np.minimum(1.0, inter / areas[pi[part]])
        del part
        if progress:
            progress(0.7)
        keep = shares > 0
        ui, pi, shares = ui[keep], pi[keep], shares[keep]
        # by parcel, then by the units' sort key
        rank = np.empty(len(uids), dtype=np.int64)
        rank[sorted(range(len(uids)), key=lambda k: sort_key(uids[k]))] = np.arange(len(uids))
        order = np.lexsort((rank[ui], pi))
        ui, pi, shares = ui[order], pi[order], shares[order]
        pbfs = self._pair_pbf_shares(base, ugeoms, ui, pi, shares)
        base.pair_unit, base.pair_share, base.pair_pbf = ui.astype(np.int32), shares, pbfs
        base.pair_start = np.concatenate([[0], np.cumsum(np.bincount(pi, minlength=len(garr)))]).astype(np.int64)
        by_unit = np.argsort(ui, kind="stable")
        cuts = np.searchsorted(ui[by_unit], np.arange(len(uids) + 1))
        for u in np.flatnonzero(np.diff(cuts)).tolist():
            self._unit_parcels.set_rows(uids[u], pi[by_unit[cuts[u]:cuts[u + 1]]])
        del by_unit
        self._parcels.refresh_held()  # the pieces of a split got their _Parcel before they had pairs
        if cancelled and cancelled():
            raise BuildCancelled()
        self._bulk_sums(self._parcels, self._parcels.held_rows(), pi, ui, shares, pbfs)
        if self._unit_overlaps:
            self._over_in_bulk(base)

    def _pair_pbf_shares(self, base: Columns, ugeoms: list, ui, pi, shares) -> np.ndarray:
        """PBF share of every pair (:meth:`_pbf_share`): share × PBF part, areas for the partly covered."""
        part = base.pbf[pi]
        pbfs = shares * part
        for j in np.flatnonzero(np.isnan(part)).tolist():
            geom, area, share = base.pbf_parts[int(pi[j])], float(base.areas[pi[j]]), float(shares[j])
            if share == 1.0:
                pbfs[j] = float(shapely.area(geom)) / area
            else:
                pbfs[j] = float(shapely.area(shapely.intersection(ugeoms[ui[j]], geom))) / area
        return pbfs

    def _over_in_bulk(self, base: Columns) -> None:
        """:meth:`_over` of the parcels in units overlapping each other (they get a ``_Parcel``)."""
        overlaps, uids = self._unit_overlaps, base.uids
        start = base.pair_start
        for r in np.flatnonzero(np.diff(start) >= 2).tolist():
            ids = [uids[u] for u in base.pair_unit[start[r]:start[r + 1]].tolist()]
            if any(pair_key(a, b) in overlaps for i, a in enumerate(ids) for b in ids[i + 1:]):
                self._over(self._parcels[base.pid(r)])


def _duplicated(values: np.ndarray) -> np.ndarray:
    """True where the value occurs more than once."""
    import pandas as pd

    return pd.Series(values, dtype=object).duplicated(keep=False).to_numpy() if len(values) else np.zeros(0, bool)
