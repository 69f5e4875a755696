"""Incremental edits: a parcel or unit added, reshaped, retagged or removed, the PBF layer replaced.

Each edit subtracts the old integer contributions of what it touched and adds the new ones,
so any sequence of edits ends exactly where a full build of the same data does
(tests/core/test_engine_properties.py).
"""
from __future__ import annotations

from collections import Counter
from typing import Hashable, Sequence

import numpy as np
import shapely
from shapely.geometry.base import BaseGeometry

from ..fields import ParcelRecord
from ..validation import clean_polygonal
from .geometry import clean_geometry, clean_many, object_array, off_outline
from .state import _Parcel, _Unit, sort_key


class _Edits:
    """Edits of parcels, units and PBF. A mixin of :class:`~.balance.BalanceEngine`."""

    def upsert_parcel(self, pid: Hashable, geom: BaseGeometry | None, rec: ParcelRecord) -> None:
        """Add a parcel or replace its geometry and attributes (and re-share its BSM group).

        An identical copy of a parcel (same geometry, same attributes as read) counts once: the
        one with the smallest id counts, the others are kept as ``shadows`` (no pairs, in no BSM
        group's sharing) until it goes.
        """
        old_bsm = self._take_out(pid) if pid in self._parcels else None
        cleaned, what = clean_polygonal(geom)
        p = _Parcel(rec, cleaned)
        if what:
            self.geometry_fixes[pid] = what
        if p.geom is not None:
            p.pbf_part = self._pbf_part_of(p.geom, p.area, self._pbf_hits(p.geom))
            self._parcel_grid.insert(pid, p.bounds)
        self._parcels[pid] = p
        self._note_parcel(pid, p, +1)
        self._index_bsm(pid, rec.bsm)
        twins = self._twins(pid, p, rec)
        shadow = bool(twins) and min([*twins, pid], key=sort_key) != pid
        if shadow:
            self.shadows.add(pid)
        else:
            for q in twins:
                if q not in self.shadows:  # the copy that counted so far steps back
                    self._demote(q)
        self._regroup(rec.bsm)  # p has no pairs yet: this only sets its share
        if shadow:
            if old_bsm is not None and old_bsm != rec.bsm:
                self._regroup(old_bsm)
            return
        self._attach(pid, p, self._pairs_for(p))
        if old_bsm is not None and old_bsm != rec.bsm:
            self._regroup(old_bsm)

    def update_parcel_attributes(self, pid: Hashable, rec: ParcelRecord) -> None:
        """Attribute edit (a tag, a class): the shares stay, only the contributions change."""
        p = self._parcels[pid]
        if pid in self.shadows or self._twins(pid, p, None):
            # a copy of another parcel's shape: which copy counts may change with the attributes
            fix = self.geometry_fixes.get(pid)
            self.upsert_parcel(pid, p.geom, rec)
            if fix:
                self.geometry_fixes[pid] = fix
            return
        old = self._raw.get(pid, p.rec)
        pairs = p.pairs
        self._detach(pid, p)
        self._note_parcel(pid, p, -1)
        p.rec = rec
        self._note_parcel(pid, p, +1)
        if (old.bsm is None and rec.bsm is None) or (old.bsm == rec.bsm and self._bsm.get(rec.bsm) == pid):
            self._attach(pid, p, pairs)  # a parcel in one piece: nothing else to share
            return
        self._raw.pop(pid, None)
        self._unindex_bsm(pid, old.bsm)
        self._index_bsm(pid, rec.bsm)
        self._regroup(rec.bsm)
        self._attach(pid, p, pairs)
        if old.bsm != rec.bsm:
            self._regroup(old.bsm)

    def remove_parcel(self, pid: Hashable) -> None:
        if pid in self._parcels:
            self._regroup(self._take_out(pid))

    def _remove(self, pid: Hashable) -> str | None:
        """Take a parcel out (its BSM group is not re-shared); returns its BSM."""
        p = self._parcels.pop(pid)
        self._detach(pid, p)
        self._note_parcel(pid, p, -1)
        self.geometry_fixes.pop(pid, None)
        if p.geom is not None:
            self._parcel_grid.remove(pid, p.bounds)
        bsm = self._raw.pop(pid, p.rec).bsm
        self._unindex_bsm(pid, bsm)
        return bsm

    def _take_out(self, pid: Hashable) -> str | None:
        """:meth:`_remove` plus the identical copies: when the copy that counts goes, the next counts."""
        p = self._parcels[pid]
        raw = self.raw_record(pid)
        bsm = self._remove(pid)
        if pid in self.shadows:
            self.shadows.discard(pid)
            return bsm
        twins = self._twins(pid, p, raw)
        if twins:
            q = min(twins, key=sort_key)
            self.shadows.discard(q)
            other = self._parcels[q]
            other.pbf_part = self._pbf_part_of(other.geom, other.area, self._pbf_hits(other.geom))
            self._attach(q, other, self._pairs_for(other))  # its BSM group is re-shared by the caller
        return bsm

    def _demote(self, q: Hashable) -> None:
        """An identical copy with a smaller id arrived: ``q`` stops counting (and holds its record as read)."""
        other = self._parcels[q]
        self._detach(q, other)
        raw = self._raw.pop(q, None)
        if raw is not None:
            other.rec = raw
        self.shadows.add(q)

    def _twins(self, pid: Hashable, p: _Parcel, raw: ParcelRecord | None) -> list:
        """Other parcels with the same geometry (and, given ``raw``, the same record as read)."""
        if p.geom is None or p.area <= 0:
            return []
        bounds = p.bounds
        out = []
        shape = None
        key = raw.as_tuple() if raw is not None else None
        parcels = self._parcels
        for q in parcels.same_box(bounds, self._parcel_grid.grid.query(bounds)):
            if q == pid:
                continue
            if key is not None and self.raw_record(q).as_tuple() != key:
                continue
            other = parcels.geom(q)
            if shape is None:
                shape = shapely.normalize(p.geom)
            if shapely.equals_exact(shape, shapely.normalize(other), 0.0):
                out.append(q)
        return out

    # ------------------------------------------------------------------ units and PBF
    def upsert_unit(self, uid: Hashable, code: str, geom: BaseGeometry | None) -> None:
        """Add a unit or reshape/recode it: re-apportions only the parcels near it.

        A pair's contribution depends only on its parcel, its share and its PBF share, so only
        the pairs of this unit whose shares changed are subtracted and added again; the
        parcels' other pairs stay as they are. Integer sums make this exactly a rebuild.
        """
        old = self._units.get(uid)
        u = _Unit(str(code) if code is not None else str(uid), clean_geometry(geom), code is not None)
        if old is None or old.geom is None or u.geom is None:
            if old is not None:
                self.remove_unit(uid)
            self._units[uid] = u
            self._unit_parcels[uid] = set()
            self.aggregates[uid] = Counter()
            if u.geom is not None:
                self._unit_grid.insert(uid, u.bounds)
                self._reshape(uid, u)
            return
        self._unit_grid.remove(uid, old.bounds)
        self._units[uid] = u
        self._unit_grid.insert(uid, u.bounds)
        self._reshape(uid, u)

    def _parcels_in_box(self, bounds, outline: BaseGeometry | None = None) -> tuple[list, np.ndarray, np.ndarray,
                                                                                      np.ndarray, np.ndarray]:
        """Ids, geometries, areas and rows (-1: added since the build) of the parcels (no shadows, with an
        area) whose boxes may meet ``bounds``: the build's rows as arrays, the parcels added since from the grid;
        and their shares in ``outline`` (a prepared unit) where their boxes say it without a geometry: 1 for a
        row whose box lies in its interior, 0 outside (``geometry.off_outline``; what ``shares_in_unit`` gives
        those), NaN for the others. Rows whose share the box gives are not decoded (None)."""
        parcels, shadows = self._parcels, self.shadows
        rows = parcels.base_rows_near(bounds)
        pids, geoms, areas, where, known = [], [], [], [], []
        if len(rows):
            base = parcels.base
            rows = rows[base.areas[rows] > 0]
            share = np.full(len(rows), np.nan)
            g = np.empty(len(rows), dtype=object)
            on = np.arange(len(rows))
            if outline is not None:
                boxes = base.index.bounds[rows]
                off = np.flatnonzero(off_outline(outline, boxes))
                share[off] = shapely.contains_xy(outline, boxes[off, 0], boxes[off, 1])
                on = np.flatnonzero(np.isnan(share))
            if len(on):
                g[on] = base.geoms[rows[on]]
            geoms.append(g)
            known.append(share)
            areas.append(base.areas[rows])
            where.append(rows)
            pids = base.ids[rows].tolist()
        added = parcels.tail_set()
        tail = [pid for pid in self._parcel_grid.grid.query(bounds) if pid in added]
        tail = [pid for pid in tail if parcels[pid].geom is not None and parcels[pid].area > 0]
        if tail:
            g = object_array([parcels[pid].geom for pid in tail])
            geoms.append(g)
            known.append(np.full(len(tail), np.nan))
            areas.append(np.array([parcels[pid].area for pid in tail]))
            where.append(np.full(len(tail), -1, dtype=np.int64))
            pids = pids + tail
        if not pids:
            return [], np.zeros(0, dtype=object), np.zeros(0), np.zeros(0, dtype=np.int64), np.zeros(0)
        geoms, areas, where = np.concatenate(geoms), np.concatenate(areas), np.concatenate(where)
        known = np.concatenate(known)
        if shadows:
            keep = np.array([pid not in shadows for pid in pids], dtype=bool)
            pids = [pid for pid, k in zip(pids, keep.tolist()) if k]
            geoms, areas, where, known = geoms[keep], areas[keep], where[keep], known[keep]
        return pids, geoms, areas, where, known

    def remove_unit(self, uid: Hashable) -> None:
        """Remove a unit: its aggregate is exactly the sum of its pairs' contributions."""
        u = self._units.pop(uid, None)
        if u is None:
            return
        parcels = self._parcels
        for key in [k for k in self._unit_overlaps if uid in k]:
            del self._unit_overlaps[key]
        for pid in sorted(self._unit_parcels.pop(uid, ()), key=sort_key):
            p = parcels[pid]
            self._unover(p)
            p.pairs = tuple(t for t in p.pairs if t[0] != uid)
            self._over(p)
        agg = self.aggregates.pop(uid, Counter())
        project = self.project
        for k, v in agg.items():
            pv = project.get(k, 0) - v
            if pv:
                project[k] = pv
            else:
                project.pop(k, None)
        if u.geom is not None:
            self._unit_grid.remove(uid, u.bounds)

    def set_pbf(self, geoms: Sequence[BaseGeometry] | None, rebuild: bool = True) -> None:
        """Set the permanent-basic-farmland layer; recomputes every parcel's PBF part."""
        cleaned = [g for g in clean_many(list(geoms or [])) if g is not None]
        self._pbf_geoms = np.array(cleaned, dtype=object) if cleaned else None
        self._pbf_tree = shapely.STRtree(self._pbf_geoms) if cleaned else None
        if rebuild:
            # only parcels in PBF before or near it now can change: the others keep part 0 (and their _Parcel unmade)
            touched = set(self._parcels.pbf_nonzero())
            for g in cleaned:
                touched.update(self._parcel_grid.query(g.bounds))
            for pid in sorted(touched, key=sort_key):
                p = self._parcels[pid]
                pairs = p.pairs
                self._detach(pid, p)
                p.pbf_part = self._pbf_part_of(p.geom, p.area, self._pbf_hits(p.geom)) if p.geom is not None else 0.0
                self._attach(pid, p, [(uid, s, self._pbf_share(p, self._units[uid].geom, s)) for uid, s, _ in pairs])
