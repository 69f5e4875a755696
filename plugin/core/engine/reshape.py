"""A unit added, moved or reshaped: its pairs brought in line with its new geometry.

Only the parcels whose pair with the unit changes cost Python: the shares of every parcel near
the unit are computed in bulk (``contains_properly`` on the prepared unit, intersections only
for the parcels on its new boundary), compared in bulk with the pairs the columns hold, and a
parcel inside the unit before and after (share 1 both times), or outside both times, is never
looked at again — unless the unit now overlaps another unit of that parcel, when the part
counted twice is computed again. The parts counted twice (:meth:`_over`) of all the parcels
touched are computed together, with the same GEOS calls as one by one, so the floats are a
rebuild's. The sums move by integer deltas (docs/architecture.md "The engine").
"""
from __future__ import annotations

from typing import Hashable

import numpy as np
import shapely

from .composition import add_into, drop_zeros
from .geometry import shares_in_unit
from .state import _Unit, pair_key, sort_key


class _UnitReshape:
    """The pairs of one unit after its geometry changed. A mixin of :class:`~.balance.BalanceEngine`."""

    def _reshape(self, uid: Hashable, u: _Unit) -> None:
        """Bring the pairs of unit ``uid`` in line with its (new) geometry."""
        parcels = self._parcels
        members = self._unit_parcels[uid]
        self._update_unit_overlaps(uid)
        pids, geoms, areas, rows = self._parcels_in_box(u.bounds)
        shares = np.zeros(len(pids))
        if len(pids):
            hit = np.flatnonzero(shapely.intersects(u.geom, geoms))
            if len(hit):
                shares[hit] = shares_in_unit(u.geom, geoms[hit], areas[hit])
        where = {pid: k for k, pid in enumerate(pids)}
        share_of = shares.tolist()
        plus: dict = {}
        minus: dict = {}
        again = []  # parcels whose part counted twice is computed again
        overlaps = self._unit_overlaps
        key = sort_key(uid)
        for pid in sorted(self._reshape_todo(uid, pids, rows, shares, members, where), key=sort_key):
            k = where.get(pid)
            share = share_of[k] if k is not None and share_of[k] > 0 else None
            pairs = parcels.pairs(pid)
            old = next((t for t in pairs if t[0] == uid), None)
            new = None if share is None else (uid, share, self._pbf_share_of(pid, u.geom, share))
            if old == new:
                # same share: the part counted twice changes only where this unit overlaps another of the parcel's
                if parcels.over(pid) is not None or (overlaps and len(pairs) > 1 and any(
                        pair_key(uid, t[0]) in overlaps for t in pairs if t[0] != uid)):
                    p = parcels.hold(pid, int(rows[k]) if k is not None else -1, geoms[k] if k is not None else None)
                    self._unover(p)
                    again.append(p)
                continue
            p = parcels.hold(pid, int(rows[k]) if k is not None else -1, geoms[k] if k is not None else None)
            self._unover(p)
            terms = self._terms(p)
            rest = p.pairs
            if old is not None:
                self._contribute(minus, p, old[1], old[2], terms)
                rest = tuple(t for t in rest if t[0] != uid)
            again.append(p)
            if new is None:
                members.discard(pid)
                p.pairs = rest
                continue
            self._contribute(plus, p, new[1], new[2], terms)
            pos = 0
            while pos < len(rest) and sort_key(rest[pos][0]) <= key:
                pos += 1
            p.pairs = (*rest[:pos], new, *rest[pos:])
            members.add(pid)
        self._over_many(again)
        agg, project = self.aggregates[uid], self.project
        for counter in (agg, project):
            add_into(counter, plus, +1)
            add_into(counter, minus, -1)
        drop_zeros(agg)
        drop_zeros(project)

    def _reshape_todo(self, uid: Hashable, pids: list, rows: np.ndarray, shares: np.ndarray, members: set,
                      where: dict) -> list:
        """The parcels :meth:`_reshape` must look at: the members and the parcels with a share now, less the
        build's rows (without a ``_Parcel``) whose pair is the same and whose units overlap no other unit."""
        parcels = self._parcels
        base = parcels.base
        held = np.fromiter((r < 0 or parcels.held(pid) for pid, r in zip(pids, rows.tolist())), dtype=bool,
                           count=len(pids))
        look = held.copy()
        plain = np.flatnonzero(~held)
        if len(plain):
            r = rows[plain]
            others = [o for a, b in self._unit_overlaps for o in ((b,) if a == uid else (a,) if b == uid else ())]
            old_share, old_pbf, other = base.unit_pairs(r, uid, others)
            part = base.pbf[r]
            new_share = shares[plain]
            outside = np.isnan(old_share) & (new_share == 0)  # neither before nor now
            same = (old_share == new_share) & (old_pbf == new_share * part)  # NaN parts never equal: looked at
            look[plain] = ~outside & (~same | other)
        out = [pid for pid, k in zip(pids, look.tolist()) if k]
        out.extend(pid for pid in members if pid not in where)  # members whose box no longer meets the unit
        return out

    def _over_many(self, ps: list) -> None:
        """:meth:`_over` of many parcels: the common case (two units, the PBF part a number) in bulk."""
        overlaps = self._unit_overlaps
        if not overlaps:
            return
        simple, boths = [], []
        for p in ps:
            pairs = p.pairs
            if len(pairs) < 2 or p.geom is None or p.area <= 0:
                continue
            if len(pairs) == 2 and isinstance(p.pbf_part, float):
                hit = overlaps.get(pair_key(pairs[0][0], pairs[1][0]))
                if hit is not None and hit[1] is not None:
                    simple.append(p)
                    boths.append(hit[1])
                continue
            self._over(p)
        if not simple:
            return
        geoms = np.empty(len(simple), dtype=object)
        geoms[:] = [p.geom for p in simple]
        both = np.empty(len(simple), dtype=object)
        both[:] = boths
        meet = np.flatnonzero(shapely.intersects(both, geoms))
        if not len(meet):
            return
        boxes = shapely.bounds(geoms[meet]).tolist()
        local = np.empty(len(meet), dtype=object)  # overlay cost follows the vertex count
        local[:] = [shapely.clip_by_rect(both[j], *box) for j, box in zip(meet.tolist(), boxes)]
        inter = shapely.area(shapely.intersection(geoms[meet], local)).tolist()
        project = self.project
        for j, a in zip(meet.tolist(), inter):
            p = simple[j]
            excess = min(1.0, float(a) / p.area)
            if not excess > 1e-9:
                continue
            p.over = (excess, excess * p.pbf_part)
            add_into(project, self._contribution(p, *p.over), -1)
