"""The full build: every parcel and unit at once, with shapely's bulk STRtree and GEOS on threads.

The result is exactly what the same parcels and units added one edit at a time give
(tests/core/test_engine_properties.py); the bulk paths only compute the same floats faster.
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
from .composition import drop_zeros
from .geometry import clean_geometry, in_threads, paused_gc
from .grid import Grid, choose_cell
from .state import BuildCancelled, _Parcel, _Unit, sort_key

_CHUNK = 50_000


class _FullBuild:
    """:meth:`build` and its steps. A mixin of :class:`~.balance.BalanceEngine`."""

    def build(
        self,
        parcels: Iterable[tuple[Hashable, BaseGeometry | None, ParcelRecord]],
        units: Iterable[tuple[Hashable, str, BaseGeometry | None]],
        pbf: Sequence[BaseGeometry] | None = None,
        progress: Callable[[float], None] | None = None,
        cancelled: Callable[[], bool] | None = None,
    ) -> None:
        """Replace the whole state: bulk spatial join with an STRtree, then integer sums."""
        with paused_gc():
            self._build(parcels, units, pbf, progress, cancelled)

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
        """:meth:`build` from columns: feature ids, a shapely geometry array (None where missing) and
        their records as :class:`~..record_columns.RecordColumns`. Same state as :meth:`build`."""
        recs = columns.records()
        self.build(zip(list(ids), list(geoms), recs), units, pbf, progress, cancelled)

    def _build(self, parcels, units, pbf, progress, cancelled) -> None:
        pids, recs, geoms = [], [], []
        for pid, geom, rec in parcels:
            pids.append(pid)
            recs.append(rec)
            geoms.append(geom)
        unit_list = list(units)
        self.__init__(self.pack, self.table, self._cell, self.area_scale)
        if cancelled and cancelled():
            raise BuildCancelled()
        garr = np.empty(len(geoms), dtype=object)
        garr[:] = geoms
        del geoms
        if len(garr):
            pids, recs, garr = self._clean_input(pids, recs, garr)
        areas = shapely.area(garr) if len(garr) else np.zeros(0)
        areas = np.nan_to_num(np.asarray(areas, dtype=float))
        join_areas = self._mark_shadows(pids, recs, garr, areas)  # 0 for the shadows: they join nothing
        if self._cell is None:
            cell = choose_cell(garr)
            if cell is not None:
                self._parcel_grid = Grid(cell)
                self._unit_grid = Grid(cell)
        self.set_pbf(pbf, rebuild=False)
        self._load_parcels(pids, recs, garr, areas)
        if progress:
            progress(0.2)
        # one tree over the parcels for both joins (PBF polygons and units are the fewer, bigger side)
        tree = shapely.STRtree(garr) if len(garr) else None
        if self._pbf_tree is not None and tree is not None:
            self._pbf_in_bulk(tree, pids, garr, join_areas)
        if cancelled and cancelled():
            raise BuildCancelled()
        if progress:
            progress(0.4)
        uids, ugeoms = self._load_units(unit_list)
        if ugeoms and tree is not None:
            uarr = np.array(ugeoms, dtype=object)
            has = np.flatnonzero(~shapely.is_missing(uarr))
            ui, pi = tree.query(uarr[has], predicate="intersects")
            ui = has[ui]
            keep = join_areas[pi] > 0
            tree = None  # gone before the overlay's big temporaries
            self._join(pids, garr, areas, uids, ugeoms, uarr, ui[keep], pi[keep], progress, cancelled)
        if progress:
            progress(1.0)

    def _clean_input(self, pids: list, recs: list, garr: np.ndarray) -> tuple[list, list, np.ndarray]:
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
                fixes[pids[i]] = what
        if len(pids) > 1 and len(set(pids)) != len(pids):  # a feature id used twice (GeoJSON…)
            items, self.duplicates = drop_duplicates(list(zip(pids, garr.tolist(), recs)), identical=False)
            if len(items) != len(pids):
                pids = [t[0] for t in items]
                recs = [t[2] for t in items]
                garr = np.empty(len(items), dtype=object)
                garr[:] = [t[1] for t in items]
        return pids, recs, garr

    def _mark_shadows(self, pids: list, recs: list, garr: np.ndarray, areas: np.ndarray) -> np.ndarray:
        """Identical copies of a parcel: all but the smallest id become shadows (area 0 in the joins)."""
        join_areas = areas
        if len(pids) > 1:
            twins = identical_groups(pids, garr, recs)
            if twins:
                join_areas = areas.copy()
                for group in twins:
                    leader = min(group, key=lambda k: sort_key(pids[k]))
                    for k in group:
                        if k != leader:
                            self.shadows.add(pids[k])
                            join_areas[k] = 0.0
        return join_areas

    def _load_parcels(self, pids: list, recs: list, garr: np.ndarray, areas: np.ndarray) -> None:
        """The parcels' state (no pairs yet), their BSM groups and the grid."""
        has_geom = [g is not None for g in garr.tolist()]
        parcels = self._parcels
        new_parcel = _Parcel.__new__
        for i, pid in enumerate(pids):
            p = new_parcel(_Parcel)
            p.rec = recs[i]
            if has_geom[i]:
                p.geom = garr[i]
                p.area = float(areas[i])
            else:
                p.geom = None
                p.area = 0.0
            p.pairs = ()
            p.over = None
            p.pbf_part = 0.0
            parcels[pid] = p
            self._note_parcel(pid, p, +1)
        self._share_pieces_in_bulk(pids, recs)
        if len(pids):
            located = np.flatnonzero(~shapely.is_missing(garr))
            self._parcel_grid.insert_many([pids[i] for i in located.tolist()], shapely.bounds(garr[located]))

    def _pbf_in_bulk(self, tree: shapely.STRtree, pids: list, garr: np.ndarray, join_areas: np.ndarray) -> None:
        """PBF overlay in bulk: covered parcels are whole, parcels only touching PBF have none;
        the few partly covered ones take the same path as an incremental edit."""
        parcels = self._parcels
        hi, pi = tree.query(self._pbf_geoms, predicate="intersects")
        keep = join_areas[pi] > 0
        order = np.lexsort((hi[keep], pi[keep]))
        pi, hi = pi[keep][order], hi[keep][order]
        if not len(pi):
            return
        pbf_geoms = self._pbf_geoms
        covered = in_threads(lambda k: shapely.covers(pbf_geoms[hi[k]], garr[pi[k]]), np.arange(len(pi)))
        whole = np.unique(pi[covered])
        for i in whole.tolist():
            parcels[pids[i]].pbf_part = 1.0
        rest = ~covered & ~np.isin(pi, whole)
        pi, hi = pi[rest], hi[rest]
        positive = in_threads(lambda k: shapely.area(shapely.intersection(garr[pi[k]], pbf_geoms[hi[k]])) > 0,
                              np.arange(len(pi)))
        for i in np.unique(pi[positive]).tolist():
            p = parcels[pids[i]]
            p.pbf_part = self._pbf_part_of(p.geom, p.area, self._pbf_hits(p.geom))

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

    def _join(self, pids, garr, areas, uids, ugeoms, uarr, ui, pi, progress, cancelled) -> None:
        """Shares of the (unit, parcel) candidates ``ui``, ``pi``, then their pairs attached in chunks."""
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
        n_pairs = len(pi)
        # in chunks of whole parcels: Python lists of a million pairs would double the peak
        cuts = sorted({int(np.searchsorted(pi, pi[c])) for c in range(0, n_pairs, _CHUNK)} | {n_pairs})
        for a, b in zip(cuts[:-1], cuts[1:]):
            self._attach_bulk(pids, uids, ugeoms, pi[a:b].tolist(), ui[a:b].tolist(), shares[a:b].tolist())
            if progress:
                progress(0.7 + 0.3 * b / n_pairs)
            if cancelled and cancelled():
                raise BuildCancelled()

    def _attach_bulk(self, pids: list, uids: list, ugeoms: list, pi: list, ui: list, shares: list) -> None:
        """Attach pairs of a full build (sorted by parcel, whole parcels): terms once per parcel, sums per unit."""
        sums: list[dict] = [{} for _ in uids]
        shared: dict = {}  # one ((uid, 1.0, pbf),) per unit for the many parcels wholly inside it
        members: list[list] = [[] for _ in uids]
        parcels = self._parcels
        contribute = self._contribute
        pbf_share_of = self._pbf_share
        overlaps = self._unit_overlaps
        n = len(pi)
        k = 0
        while k < n:
            i = pi[k]
            end = k + 1
            while end < n and pi[end] == i:
                end += 1
            pid = pids[i]
            p = parcels[pid]
            terms = self._terms(p)
            pairs = []
            for j in range(k, end):
                u = ui[j]
                share = shares[j]
                pbf_share = pbf_share_of(p, ugeoms[u], share)
                pairs.append((uids[u], share, pbf_share))
                contribute(sums[u], p, share, pbf_share, terms)
                members[u].append(pid)
            if len(pairs) == 1 and pairs[0][1] == 1.0 and pairs[0][2] in (0.0, 1.0):
                one = (pairs[0][0], 1.0, 1.0 if pairs[0][2] else 0.0)
                p.pairs = shared.setdefault(one, (one,))
            else:
                p.pairs = tuple(pairs)
                if overlaps:
                    self._over(p)
            k = end
        project = self.project
        for u, uid in enumerate(uids):
            agg = self.aggregates[uid]
            for key, v in sums[u].items():
                agg[key] = agg.get(key, 0) + v
                project[key] = project.get(key, 0) + v
            self._unit_parcels[uid].update(members[u])
        for agg in self.aggregates.values():
            drop_zeros(agg)
        drop_zeros(project)
