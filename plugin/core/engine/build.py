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
from ..validation import clean_polygonal, drop_duplicates, identical_groups_by_box
from .build_chunks import CHUNK, ChunkOut, GeometrySource, _ChunkJoins, _pid
from .geometry import clean_geometry, in_threads, paused_gc
from .grid import Grid, choose_cell_of_bounds
from .members import BsmIndex, UnitMembers
from .packed import PackedGeometries
from .state import BuildCancelled, _Unit, pair_key, sort_key
from .static_index import StaticIndex
from .store import Columns, ParcelIndex, ParcelStore, Records


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


class _FullBuild(_ChunkJoins):
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
        self.build_columns(pids, garr, RecordColumns.from_records(recs), units, pbf, progress, cancelled, consume=True)

    def build_columns(
        self,
        ids: Sequence[Hashable] | np.ndarray,
        geoms: np.ndarray | PackedGeometries,
        columns: RecordColumns,
        units: Iterable[tuple[Hashable, str, BaseGeometry | None]],
        pbf: Sequence[BaseGeometry] | None = None,
        progress: Callable[[float], None] | None = None,
        cancelled: Callable[[], bool] | None = None,
        consume: bool = False,
    ) -> None:
        """Replace the whole state: feature ids, their geometries and their records as
        :class:`~..record_columns.RecordColumns`; bulk spatial joins chunk by chunk, then integer sums.

        ``geoms``: shapely geometries, or WKB (``bytes``; None where missing) in an object array, or a
        :class:`~.store.PackedGeometries` (a reader's; the engine keeps its buffers, so it must not
        change afterwards). WKB that GEOS cannot read is a geometry noted ``unusable``.
        ``consume``: ``columns`` is handed over and unusable afterwards (the text slots the engine codes are
        taken out of it as they are coded: at 1 M parcels ~64 MB less during the build)."""
        with paused_gc():
            self._build(ids, geoms, columns, units, pbf, progress, cancelled, consume)

    def _build(self, ids, geoms, columns: RecordColumns, units, pbf, progress, cancelled, consume=False) -> None:
        unit_list = list(units)
        ids = id_array(ids)
        source = GeometrySource(geoms)
        del geoms
        self.__init__(self.pack, self.table, self._cell, self.area_scale)
        if cancelled and cancelled():
            raise BuildCancelled()
        if len(ids) > 1 and _repeated(ids):  # a feature id used twice (GeoJSON…): the rare path, all at once
            garr, bad = source.geometries()
            for i in bad.tolist():
                self.geometry_fixes[_pid(ids, i)] = "unusable"
            ids, columns, garr = self._clean_input(ids, columns, garr)
            source = GeometrySource(garr)
        recs = Records(columns, consume)
        del columns
        base = Columns(ids, None, np.zeros(len(ids)), recs)
        bounds = np.full((len(ids), 4), np.nan)
        self.set_pbf(pbf, rebuild=False)
        made = [self._made_unit(uid, code, geom) for uid, code, geom in unit_list]
        uarr = np.empty(len(made), dtype=object)
        uarr[:] = [u.geom for u in made]
        pairs = self._chunks(source, base, bounds, uarr, [uid for uid, _c, _g in unit_list], progress, cancelled)
        del source
        self._finish(base, bounds, unit_list, made, pairs, progress, cancelled)

    def _chunks(self, source: GeometrySource, base: Columns, bounds: np.ndarray, uarr: np.ndarray, uids: list,
                progress, cancelled) -> list:
        """The geometry work chunk by chunk (``build_chunks``); the pairs of every chunk."""
        out, pairs, n = ChunkOut(source), [], len(source)
        has = np.flatnonzero(~shapely.is_missing(uarr))
        rank = np.empty(len(uids), dtype=np.int64)
        rank[sorted(range(len(uids)), key=lambda k: sort_key(uids[k]))] = np.arange(len(uids))
        for a in range(0, n, CHUNK):
            b = min(n, a + CHUNK)
            geoms, wkb, bad = source.chunk(a, b)
            changed = self._clean_chunk(base.ids, a, geoms, bad)
            out.add(a, geoms, wkb, changed)
            del wkb
            base.areas[a:b] = np.nan_to_num(np.asarray(shapely.area(geoms), dtype=float))
            bounds[a:b] = shapely.bounds(geoms)
            tree = shapely.STRtree(geoms)
            if self._pbf_tree is not None:
                self._pbf_chunk(tree, base, a, geoms)
            if len(has):
                pairs.append(self._units_chunk(tree, base, a, geoms, uarr, has, rank))
            del tree, geoms
            if cancelled and cancelled():
                raise BuildCancelled()
            if progress:
                progress(0.8 * b / n)
        base.geoms = out.result()
        return pairs

    def _finish(self, base: Columns, bounds: np.ndarray, unit_list: list, made: list, pairs: list, progress,
                cancelled) -> None:
        """After the chunks: copies, grids and units, notes, BSM groups, the pairs as columns, the sums."""
        join = self._mark_shadows(base, bounds)
        if len(pairs):
            ui, pi, shares, pbfs = (np.concatenate(parts) for parts in zip(*pairs))
        else:
            ui, pi, shares, pbfs = np.zeros(0, np.int32), np.zeros(0, np.int32), np.zeros(0), np.zeros(0)
        del pairs
        if not join.all():  # identical copies join nothing
            keep = join[pi]
            ui, pi, shares, pbfs = ui[keep], pi[keep], shares[keep], pbfs[keep]
            for r in np.flatnonzero(~join).tolist():
                base.pbf[r] = 0.0
                base.pbf_parts.pop(r, None)
        store = self._parcels = ParcelStore(base)
        cell = choose_cell_of_bounds(bounds) if self._cell is None else None
        self._parcel_grid = ParcelIndex(store, cell or self._cell or 250.0)
        if cell is not None:
            self._unit_grid = Grid(cell)
        self._unit_parcels = UnitMembers(base.ids)
        base.uids = self._load_units(unit_list, made)
        self._note_in_bulk(base, np.isnan(bounds[:, 0]))
        base.index = StaticIndex(bounds, self._parcel_grid.grid.cell)
        self._share_pieces_in_bulk(base)
        if cancelled and cancelled():
            raise BuildCancelled()
        self._pairs_in_bulk(base, ui, pi, shares, pbfs)
        if progress:
            progress(1.0)

    def _clean_input(self, ids: np.ndarray, columns: RecordColumns, garr: np.ndarray) -> tuple:
        """Repair what is not a valid polygon (noted in ``geometry_fixes``); drop repeated feature ids."""
        fixes = self.geometry_fixes
        for i, g in enumerate(garr.tolist()):
            if g is not None:
                garr[i], what = clean_polygonal(g)
                if what:
                    fixes[_pid(ids, i)] = what
        items = list(zip(ids.tolist(), garr.tolist(), columns.records()))
        where = {id(t): k for k, t in enumerate(items)}
        kept, self.duplicates = drop_duplicates(items, identical=False)
        if len(kept) != len(ids):
            rows = np.array([where[id(t)] for t in kept], dtype=np.int64)
            ids, garr, columns = ids[rows], garr[rows], columns.take(rows)
        return ids, columns, garr

    def _mark_shadows(self, base: Columns, bounds: np.ndarray) -> np.ndarray:
        """Identical copies of a parcel: all but the smallest id become shadows. False for them: they join nothing."""
        join = np.ones(len(base.ids), dtype=bool)
        ids = base.ids
        if len(ids) > 1:
            twins = identical_groups_by_box(bounds, lambda k: base.geoms[k], _RecordRows(base.recs))
            for group in twins:
                leader = min(group, key=lambda k: sort_key(_pid(ids, k)))
                for k in group:
                    if k != leader:
                        self.shadows.add(_pid(ids, k))
                        join[k] = False
        return join

    def _note_in_bulk(self, base: Columns, missing: np.ndarray) -> None:
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
        self.empty_geometry = set(base.ids[missing].tolist())

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

    @staticmethod
    def _made_unit(uid: Hashable, code, geom) -> _Unit:
        return _Unit(str(code) if code is not None else str(uid), clean_geometry(geom), code is not None)

    def _load_units(self, unit_list: list, made: list) -> list:
        """The units' state (no pairs yet), the grid and the overlaps of units with each other."""
        for (uid, _code, _geom), u in zip(unit_list, made):
            self._units[uid] = u
            self._unit_parcels[uid] = set()
            self.aggregates[uid] = Counter()
            if u.geom is not None:
                self._unit_grid.insert(uid, u.bounds)
        uids = [uid for uid, _c, _g in unit_list]
        self._overlaps_in_bulk(uids)
        return uids

    def _overlaps_in_bulk(self, uids: list) -> None:
        """:meth:`_update_unit_overlaps` of every unit at once: the pairs whose interiors meet (one relate per
        pair, in the order of the units, on threads), then their overlap."""
        units = self._units
        geoms = np.empty(len(uids), dtype=object)
        geoms[:] = [units[uid].geom for uid in uids]
        has = np.flatnonzero(~shapely.is_missing(geoms))
        if len(has) < 2:
            return
        i, j = shapely.STRtree(geoms[has]).query(geoms[has], predicate="intersects")
        keep = i < j
        i, j = has[i[keep]], has[j[keep]]
        order = np.lexsort((j, i))
        i, j = i[order], j[order]
        inner = in_threads(lambda k: shapely.relate_pattern(geoms[i[k]], geoms[j[k]], "2********"), np.arange(len(i)),
                           256)
        self._note_overlaps([pair_key(uids[a], uids[b]) for a, b in zip(i[inner].tolist(), j[inner].tolist())])

    def _pairs_in_bulk(self, base: Columns, ui, pi, shares, pbfs) -> None:
        """The pairs (sorted by row, then by the units' sort key) as columns; the members of the units; the sums."""
        uids = base.uids
        base.pair_unit, base.pair_share, base.pair_pbf = ui.astype(np.int32), shares, pbfs
        base.pair_start = np.concatenate([[0], np.cumsum(np.bincount(pi, minlength=len(base.ids)))]).astype(np.int64)
        by_unit = np.argsort(ui, kind="stable")
        cuts = np.searchsorted(ui[by_unit], np.arange(len(uids) + 1))
        for u in np.flatnonzero(np.diff(cuts)).tolist():
            self._unit_parcels.set_rows(uids[u], pi[by_unit[cuts[u]:cuts[u + 1]]])
        del by_unit
        self._parcels.refresh_held()  # the pieces of a split got their _Parcel before they had pairs
        self._bulk_sums(self._parcels, self._parcels.held_rows(), pi, ui, shares, pbfs)
        if self._unit_overlaps:
            self._over_in_bulk(base)

    def _over_in_bulk(self, base: Columns) -> None:
        """:meth:`_over` of the parcels in units overlapping each other (they get a ``_Parcel``): through
        ``reshape._over_again``, as a unit edit does — the common case (two units) in one call of
        ``intersection_areas``, the same floats as ``_over`` one parcel at a time."""
        overlaps, uids = self._unit_overlaps, base.uids
        start = base.pair_start
        ps = []
        for r in np.flatnonzero(np.diff(start) >= 2).tolist():
            ids = [uids[u] for u in base.pair_unit[start[r]:start[r + 1]].tolist()]
            if any(pair_key(a, b) in overlaps for i, a in enumerate(ids) for b in ids[i + 1:]):
                ps.append(self._parcels[base.pid(r)])
        if ps:
            self._over_again(ps, {id(p): self._terms(p) for p in ps})


def _repeated(ids: np.ndarray) -> bool:
    """Whether a feature id occurs twice."""
    return len(np.unique(ids)) != len(ids) if ids.dtype.kind == "i" else len(set(ids.tolist())) != len(ids)


def _duplicated(values: np.ndarray) -> np.ndarray:
    """True where the value occurs more than once."""
    import pandas as pd

    return pd.Series(values, dtype=object).duplicated(keep=False).to_numpy() if len(values) else np.zeros(0, bool)
