"""Compaction: the edits since the last full build folded into new columns, off the hot path.

Edits never change the columns (``store.py``): a removed row is a tombstone, a parcel added or
reshaped goes to the tail (a ``_Parcel`` and a grid entry each), an edited row keeps its
``_Parcel``. :meth:`_Compaction.compact` makes new columns of the live parcels in their order —
the rows first, the tail after — from what the parcels hold now, so the state and every result
stay exactly the same; it costs about a full pass over the parcels (no GEOS overlay), so a front
end calls it at a pause (the live balance: after a save), never inside an edit (docs/architecture.md "The engine").
"""
from __future__ import annotations

import numpy as np
import shapely

from ..record_columns import NUMBER_SLOTS, TEXT_SLOTS, RecordColumns
from .build import id_array
from .members import UnitMembers
from .static_index import StaticIndex
from .store import Columns, PackedGeometries, ParcelStore, Records


class _Compaction:
    """:meth:`compact`. A mixin of :class:`~.balance.BalanceEngine`."""

    def needs_compaction(self, share: float = 0.05) -> bool:
        """True when the parcels added, removed or with a ``_Parcel`` since the build are ``share`` of them or more."""
        store = self._parcels
        base = store.base
        n = len(base.ids) if base is not None else 0
        changed = len(store.tail_set()) + (n - store.live_rows()) + store.held_count(over=False)
        return changed > 0 and changed >= share * max(1, len(store))

    def compact(self) -> None:
        """Fold the tail, the tombstones and the ``_Parcel`` objects of edited rows into new columns."""
        old = self._parcels
        base = old.base
        if base is None or not (old.tail_set() or old.held_count() or old.live_rows() < len(base.ids)):
            return
        rows = old.live_row_array()
        tail = old.tail()
        held = {pid: p for pid, p in old.held_items()}  # rows with a _Parcel, and the tail
        ids = id_array([*base.ids[rows].tolist(), *tail])
        n, nr = len(ids), len(rows)
        pids = ids.tolist()
        extra = [(k, held[pid]) for k, pid in enumerate(pids) if pid in held]  # new row -> its _Parcel
        geoms = np.empty(n, dtype=object)
        geoms[:nr] = base.geoms[rows]
        areas = np.concatenate([base.areas[rows], np.zeros(n - nr)])
        data = {s: np.empty(n, dtype=object) for s in TEXT_SLOTS}
        for s in TEXT_SLOTS:
            data[s][:nr] = base.recs.column(s)[rows]
        for s in NUMBER_SLOTS:
            data[s] = np.concatenate([base.recs.numbers[s][rows], np.full(n - nr, np.nan)])
        for k, p in extra:
            geoms[k], areas[k] = p.geom, p.area
            for s in TEXT_SLOTS:
                data[s][k] = getattr(p.rec, s)
            for s in NUMBER_SLOTS:
                v = getattr(p.rec, s)
                data[s][k] = np.nan if v is None else v
        new = Columns(ids, geoms, areas, Records(RecordColumns(data)))
        self._compact_pairs(new, base, rows, extra)
        new.index = StaticIndex(shapely.bounds(geoms), self._parcel_grid.grid.cell)
        new.geoms = PackedGeometries(geoms)
        store = ParcelStore(new)
        for k, p in extra:
            if p.over is not None:  # the columns do not hold the part counted twice: its _Parcel stays
                store[pids[k]] = p
        grid = self._parcel_grid
        for pid in tail:
            p = held[pid]
            if p.geom is not None:
                grid.remove(pid, p.bounds)
        grid.store = self._parcels = store
        members = UnitMembers(ids)
        for uid in self._units:
            members[uid] = set()
        start, by_unit = new.pair_start, np.argsort(new.pair_unit, kind="stable")
        owner = np.repeat(np.arange(n), np.diff(start))
        cuts = np.searchsorted(new.pair_unit[by_unit], np.arange(len(new.uids) + 1))
        for u in np.flatnonzero(np.diff(cuts)).tolist():
            members.set_rows(new.uids[u], owner[by_unit[cuts[u]:cuts[u + 1]]])
        self._unit_parcels = members

    def _compact_pairs(self, new: Columns, base: Columns, rows: np.ndarray, extra: list) -> None:
        """The pairs and PBF parts of the new rows: the old rows' CSR slices, the ``_Parcel``s' own."""
        uids = list(base.uids)
        index = {u: k for k, u in enumerate(uids)}
        count = (base.pair_start[rows + 1] - base.pair_start[rows]).astype(np.int64)
        at = np.repeat(base.pair_start[rows] - np.cumsum(count) + count, count) + np.arange(int(count.sum()))
        unit, share, pbf = [base.pair_unit[at]], [base.pair_share[at]], [base.pair_pbf[at]]
        counts = np.concatenate([count, np.zeros(len(new.ids) - len(rows), dtype=np.int64)])
        new.pbf = np.concatenate([base.pbf[rows], np.zeros(len(new.ids) - len(rows))])
        new.pbf_parts = {}
        for r, part in base.pbf_parts.items():
            k = int(np.searchsorted(rows, r))  # rows are sorted
            if k < len(rows) and rows[k] == r:
                new.pbf_parts[k] = part
        # the _Parcels' pairs replace their rows' slices: cut the slices out, then add theirs in row order
        keep = np.ones(len(at), dtype=bool)
        offsets = np.concatenate([[0], np.cumsum(count)])
        for k, p in extra:
            if k < len(rows):
                keep[offsets[k]:offsets[k + 1]] = False
            counts[k] = len(p.pairs)
            part = p.pbf_part
            if isinstance(part, float):
                new.pbf[k] = part
                new.pbf_parts.pop(k, None)
            else:
                new.pbf[k] = np.nan
                new.pbf_parts[k] = part
        owner = np.repeat(np.arange(len(rows)), count)[keep]
        unit, share, pbf = unit[0][keep], share[0][keep], pbf[0][keep]
        add_owner, add_unit, add_share, add_pbf = [], [], [], []
        for k, p in extra:
            for uid, s, f in p.pairs:
                if uid not in index:
                    index[uid] = len(uids)
                    uids.append(uid)
                add_owner.append(k)
                add_unit.append(index[uid])
                add_share.append(s)
                add_pbf.append(f)
        owner = np.concatenate([owner, np.array(add_owner, dtype=np.int64)])
        order = np.argsort(owner, kind="stable")  # a row's pairs stay in their order (the units' sort key)
        new.pair_unit = np.concatenate([unit, np.array(add_unit, dtype=np.int32)])[order].astype(np.int32)
        new.pair_share = np.concatenate([share, np.array(add_share, dtype=np.float64)])[order]
        new.pair_pbf = np.concatenate([pbf, np.array(add_pbf, dtype=np.float64)])[order]
        new.pair_start = np.concatenate([[0], np.cumsum(counts)]).astype(np.int64)
        new.uids = uids
