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

from operator import itemgetter
from typing import Hashable

import numpy as np
import shapely

from .composition import add_into, drop_zeros
from .geometry import object_array, shares_in_unit
from .overlay_area import intersection_areas
from .state import _Unit, pair_key, sort_key

_first = itemgetter(0)


def _first_key(t: tuple) -> tuple:
    return sort_key(t[0])


def row_pairs(base, rows: list) -> list:
    """``[base.pairs(r) for r in rows]`` (rows of the columns ``base``): the same tuples, the CSR read in bulk."""
    if not rows:
        return []
    r = np.asarray(rows, dtype=np.int64)
    start = base.pair_start[r]
    count = base.pair_start[r + 1] - start
    at = np.repeat(start - np.cumsum(count) + count, count) + np.arange(int(count.sum()))
    uids = base.uids
    units = [uids[u] for u in base.pair_unit[at].tolist()]
    shares, pbfs = base.pair_share[at].tolist(), base.pair_pbf[at].tolist()
    out, a = [], 0
    for c in count.tolist():
        out.append(tuple(zip(units[a:a + c], shares[a:a + c], pbfs[a:a + c])))
        a += c
    return out


class _UnitReshape:
    """The pairs of one unit after its geometry changed. A mixin of :class:`~.balance.BalanceEngine`."""

    def _reshape(self, uid: Hashable, u: _Unit) -> None:
        """Bring the pairs of unit ``uid`` in line with its (new) geometry."""
        parcels = self._parcels
        members = self._unit_parcels[uid]
        others = self._update_unit_overlaps(uid)  # the units it overlaps now
        pids, geoms, areas, rows, shares = self._parcels_in_box(u.bounds, u.geom)
        on = np.flatnonzero(np.isnan(shares))  # the parcels whose boxes meet the unit's outline
        shares[on] = shares_in_unit(u.geom, geoms[on], areas[on])
        share_of, row_of = shares.tolist(), rows.tolist()
        plus: dict = {}  # the unit's (and the project's) integer delta: plus - minus
        minus: dict = {}
        terms_of: dict = {}  # id(_Parcel) -> its terms, for the parts counted twice
        again = []  # parcels whose part counted twice is computed again
        overlaps = self._unit_overlaps
        key = sort_key(uid)
        todo = []  # (pid, k, old pair, new pair): a pair changed, or a part counted twice to compute again
        looked = self._reshape_todo(uid, pids, rows, shares, members, others)  # (pid, k), in id order:
        looked.sort(key=_first if all(type(t[0]) is int for t in looked) else _first_key)  # ints, or any ids
        cand, ks = [t[0] for t in looked], [t[1] for t in looked]
        plain = [j for j, (pid, k) in enumerate(zip(cand, ks)) if k is not None and row_of[k] >= 0
                 and not parcels.held(pid)]  # rows without a _Parcel: their pairs read from the columns in bulk
        plain_rows = [row_of[ks[j]] for j in plain]
        read = dict(zip(plain, row_pairs(parcels.base, plain_rows)))
        part_of = dict(zip(plain, parcels.base.pbf[plain_rows].tolist())) if plain else {}  # NaN: a part's geometry
        pairs_of = []
        for j, (pid, k) in enumerate(zip(cand, ks)):
            share = share_of[k] if k is not None and share_of[k] > 0 else None
            pairs = read[j] if j in read else parcels.pairs(pid)
            old = next((t for t in pairs if t[0] == uid), None)
            part = part_of.get(j, np.nan)  # what _pbf_share_of reads, without a lookup per parcel
            new = None if share is None else (uid, share, share * part if part == part
                                              else self._pbf_share_of(pid, u.geom, share))
            if old == new and (new is None or not (parcels.over(pid) is not None or (overlaps and len(pairs) > 1
                               and any(pair_key(uid, t[0]) in overlaps for t in pairs if t[0] != uid)))):
                continue  # not in the unit before nor now (its part counted twice is its other units'), or the same
                # share and no overlap of this unit with another of the parcel's to count again
            todo.append((pid, k, old, new))
            pairs_of.append(read.get(j))
        bare = [k for _pid, k, _o, _n in todo if k is not None and geoms[k] is None]  # not decoded yet
        if bare:
            geoms[bare] = parcels.base.geoms[rows[bare]]
        held = parcels.hold_many([(pid, -1, None) if k is None else (pid, row_of[k], geoms[k])
                                  for pid, k, _o, _n in todo], pairs_of)
        for (pid, _k, old, new), p in zip(todo, held):
            terms = terms_of[id(p)] = self._terms(p)
            again.append(p)
            if old == new:
                continue
            rest = p.pairs
            if old is not None:
                self._contribute(minus, p, old[1], old[2], terms)
                rest = tuple(t for t in rest if t[0] != uid)
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
        agg, project = self.aggregates[uid], self.project
        for counter in (agg, project):
            add_into(counter, plus, +1)
            add_into(counter, minus, -1)
        drop_zeros(agg)
        self._over_again(again, terms_of)
        drop_zeros(project)

    def _reshape_todo(self, uid: Hashable, pids: list, rows: np.ndarray, shares: np.ndarray, members: set,
                      others: list) -> list:
        """(id, index in ``pids`` or None) of the parcels :meth:`_reshape` must look at: the members and the parcels
        with a share now, less the build's rows (without a ``_Parcel``) whose pair is the same and who lie in none
        of the units ``others`` (those overlapping unit ``uid``)."""
        parcels = self._parcels
        base = parcels.base
        held = (rows < 0) | parcels.held_mask(pids)
        look = held.copy()
        plain = np.flatnonzero(~held)
        if len(plain):
            r = rows[plain]
            old_share, old_pbf, other = base.unit_pairs(r, uid, others)
            part = base.pbf[r]
            new_share = shares[plain]
            outside = np.isnan(old_share) & (new_share == 0)  # neither before nor now
            same = (old_share == new_share) & (old_pbf == new_share * part)  # NaN parts never equal: looked at
            look[plain] = ~outside & (~same | other)
        out = [(pids[k], k) for k in np.flatnonzero(look).tolist()]
        near = set(pids)
        out.extend((pid, None) for pid in members if pid not in near)  # members whose box no longer meets the unit
        return out

    def _over_again(self, ps: list, terms_of: dict) -> None:
        """:meth:`_unover` then :meth:`_over` of the parcels ``ps`` (pairs changed); the common case (two units,
        the PBF part a number) in bulk with the same calls, the project rows moved by one integer delta; the
        build's parts counted twice too (``build._over_in_bulk``)."""
        overlaps, project = self._unit_overlaps, self.project
        back: dict = {}  # what the parcels' old parts counted twice took off the project rows
        taken: dict = {}  # what their new parts take off
        simple, boths, several = [], [], []
        for p in ps:
            if p.over is not None:
                self._contribute(back, p, p.over[0], p.over[1], terms_of[id(p)])
                p.over = None
            pairs = p.pairs
            if len(pairs) < 2 or not overlaps or p.geom is None or p.area <= 0:
                continue
            if len(pairs) == 2 and isinstance(p.pbf_part, float):
                hit = overlaps.get(pair_key(pairs[0][0], pairs[1][0]))
                if hit is not None and hit[1] is not None:
                    simple.append(p)
                    boths.append(hit[1])
                continue
            if isinstance(p.pbf_part, float):  # 3–4 units: the union's share by differences, in bulk below
                ids = [t[0] for t in pairs]
                if any(pair_key(a, b) in overlaps for i, a in enumerate(ids) for b in ids[i + 1:]):
                    several.append(p)
                continue
            self._over(p)
        if simple:
            # no ``intersects`` first (~3 µs a pair): a parcel apart from the overlap has an area of ±0 in it, no part
            # counted twice, as when it was not asked; one whose box misses the overlap's (~1 in 8) is not asked (its
            # area would be 0: no edge of the overlap meets its box, its vertices lie outside)
            boths, geoms = object_array(boths), object_array([p.geom for p in simple])
            ob, pb = shapely.bounds(boths), shapely.bounds(geoms)
            meet = np.flatnonzero((pb[:, 0] <= ob[:, 2]) & (pb[:, 2] >= ob[:, 0]) & (pb[:, 1] <= ob[:, 3])
                                  & (pb[:, 3] >= ob[:, 1]))
            inter = intersection_areas(boths[meet], geoms[meet])
            for p, a in zip([simple[k] for k in meet.tolist()], inter.tolist()):
                excess = min(1.0, a / p.area)
                if excess > 1e-9:
                    p.over = (excess, excess * p.pbf_part)
                    self._contribute(taken, p, excess, p.over[1], terms_of[id(p)])
        if several:
            self._over_several(several, taken, terms_of)
        add_into(project, back, +1)
        add_into(project, taken, -1)

    def _over_several(self, ps: list, taken: dict, terms_of: dict) -> None:
        """:meth:`_over` of parcels in 3–4 units (the PBF part a number) into ``taken``: what is left of each parcel
        once each of its units is taken off, in their order, until nothing is left — the same ``difference``s, a
        round of them a call."""
        units = self._units
        ids = [[t[0] for t in p.pairs] for p in ps]
        rest = object_array([p.geom for p in ps])
        alive, j = list(range(len(ps))), 0
        while alive:
            alive = [k for k in alive if j < len(ids[k])]
            if not alive:
                break
            other = object_array([units[ids[k][j]].geom for k in alive])
            rest[alive] = left = shapely.difference(rest[alive], other)
            alive = [k for k, e in zip(alive, shapely.is_empty(left).tolist()) if not e]
            j += 1
        for p, area in zip(ps, shapely.area(rest).tolist()):
            share = 1.0 - area / p.area
            excess = sum(t[1] for t in p.pairs) - share
            if not excess > 1e-9:
                continue
            p.over = (excess, max(0.0, sum(t[2] for t in p.pairs) - share * p.pbf_part))
            self._contribute(taken, p, excess, p.over[1], terms_of[id(p)])

