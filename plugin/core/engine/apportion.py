"""Apportionment state: which units a parcel lies in, with what share, and the sums that follow.

Per parcel the engine keeps ``(unit id, share, PBF share)`` pairs; attaching a pair adds its
integer contribution to the unit's and the project's sums, detaching subtracts it. Where units
overlap each other, the part of a parcel counted twice is taken off the project rows only
(docs/domain.md §6).
"""
from __future__ import annotations

from typing import Hashable, Iterable, Sequence

import numpy as np
import shapely
from shapely.geometry.base import BaseGeometry

from ..validation import OVERLAP_TOLERANCE_M2, clean_polygonal
from .composition import add_into
from .geometry import object_array, share_in_unit
from .overlay_area import intersection_areas
from .state import _Parcel, pair_key, sort_key

_EPS = 1e-12


def pbf_relation(matrix: str) -> int:
    """What a PBF polygon is to a parcel, from their DE-9IM matrix (``relate(polygon, parcel)``): 1 it covers
    the parcel (no point of the parcel's interior or boundary outside it), 2 their interiors meet, 0 they only
    touch (or are apart). The one test of the PBF rule: :meth:`_Apportionment._pbf_part_of` and the build's
    overlay (``build_chunks``) alike; a polygon that contains the parcel properly covers it (tested first,
    prepared: a point in polygon)."""
    if matrix[6] == "F" and matrix[7] == "F":
        return 1
    return 2 if matrix[0] != "F" else 0


def pbf_part_from(pieces: list, area: float) -> float | BaseGeometry:
    """A parcel's PBF part from its intersections with the PBF polygons whose interior meets the parcel's (in
    their order), none covering it: 0 / 1 when (nearly) none / all of it, else the part's geometry."""
    if not pieces:
        return 0.0
    part = shapely.union_all(pieces)
    part_area = float(shapely.area(part))
    if part_area <= area * _EPS:
        return 0.0
    if part_area >= area * (1 - _EPS):
        return 1.0
    return part


def _interiors_meet(prepared: BaseGeometry, others: np.ndarray) -> np.ndarray:
    """``relate_pattern(prepared, other, "2********")`` of each of ``others``, the build's test of two overlapping
    units: a vertex of ``other`` in the interior of ``prepared`` (the prepared point in polygon, ~100× cheaper than
    the relate) answers it (interior points of ``other`` lie right by each of its vertices); the relate decides the
    rest (neighbours only sharing a boundary). In bulk: one call each, not one a neighbour."""
    xy, owner = shapely.get_coordinates(others, return_index=True)
    meet = np.zeros(len(others), dtype=bool)
    meet[owner[shapely.contains_xy(prepared, xy[:, 0], xy[:, 1])]] = True
    rest = np.flatnonzero(~meet)
    if len(rest):
        meet[rest] = shapely.relate_pattern(prepared, others[rest], "2********")
    return meet


def _cleaned(geoms: np.ndarray) -> list:
    """``[clean_polygonal(g)[0] for g in geoms]`` of overlaps with an area > 0: a valid (Multi)Polygon of finite bounds
    is returned as it is (what ``clean_polygonal`` does then, after ~7 calls of ~3 µs each), checked in bulk."""
    b = shapely.bounds(geoms)
    fine = np.isin(shapely.get_type_id(geoms), (3, 6)) & (np.abs(b) < 1e15).all(axis=1) & shapely.is_valid(geoms)
    return [g if f else clean_polygonal(g)[0] for g, f in zip(geoms.tolist(), fine.tolist())]


class _Apportionment:
    """Pairs, PBF parts and overlapping units. A mixin of :class:`~.balance.BalanceEngine`."""

    def _apply(self, uid: Hashable, contribution: dict, sign: int) -> None:
        add_into(self.aggregates[uid], contribution, sign)
        add_into(self.project, contribution, sign)

    # ------------------------------------------------------------------ PBF overlay
    def _pbf_part_of(self, geom: BaseGeometry, area: float, hits: Sequence[BaseGeometry]) -> float | BaseGeometry:
        if not len(hits) or area <= 0:
            return 0.0
        meet = []  # the polygons whose interior meets the parcel's: one only touching it gives no part
        for h in hits:
            if shapely.contains_properly(h, geom):
                return 1.0
            relation = pbf_relation(shapely.relate(h, geom))
            if relation == 1:
                return 1.0
            if relation == 2:
                meet.append(h)
        return pbf_part_from([shapely.intersection(geom, h) for h in meet], area)

    def _pbf_share(self, p: _Parcel, unit_geom: BaseGeometry, share: float) -> float:
        part = p.pbf_part
        if isinstance(part, float):
            return share * part
        if share == 1.0:
            return float(shapely.area(part)) / p.area
        return float(intersection_areas(unit_geom, [part])[0]) / p.area

    def _pbf_share_of(self, pid: Hashable, unit_geom: BaseGeometry, share: float) -> float:
        """:meth:`_pbf_share` of a parcel of the store, without making its ``_Parcel`` in the common case."""
        part = self._parcels.pbf_part(pid)
        if isinstance(part, float):
            return share * part
        return self._pbf_share(self._parcels.peek(pid), unit_geom, share)

    def _pbf_hits(self, geom: BaseGeometry) -> list:
        if self._pbf_tree is None:
            return []
        idx = self._pbf_tree.query(geom, predicate="intersects")
        return list(self._pbf_geoms[np.sort(idx)])

    # ------------------------------------------------------------------ bookkeeping
    def _note_parcel(self, pid: Hashable, p: _Parcel, sign: int) -> None:
        rec = p.rec
        if not self.table.is_known(rec.dlbm):
            self._unknown_class += sign
            self.unknown_codes[rec.dlbm] += sign
            if self.unknown_codes[rec.dlbm] <= 0:
                del self.unknown_codes[rec.dlbm]
        if rec.ghdlbm is not None and not self.table.is_known(rec.ghdlbm):
            self.unknown_codes[rec.ghdlbm] += sign
            if self.unknown_codes[rec.ghdlbm] <= 0:
                del self.unknown_codes[rec.ghdlbm]
        for flag, bucket in ((rec.tbmj is None, self.missing_area), (p.geom is None, self.empty_geometry)):
            if flag:
                (bucket.add if sign > 0 else bucket.discard)(pid)

    def _attach(self, pid: Hashable, p: _Parcel, pairs: Iterable[tuple[Hashable, float, float]]) -> None:
        kept = []
        for uid, share, pbf_share in pairs:
            if share <= 0:
                continue
            kept.append((uid, share, pbf_share))
            self._apply(uid, self._contribution(p, share, pbf_share), +1)
            self._unit_parcels[uid].add(pid)
        p.pairs = tuple(kept)
        self._over(p)

    def _detach(self, pid: Hashable, p: _Parcel) -> None:
        self._unover(p)
        for uid, share, pbf_share in p.pairs:
            self._apply(uid, self._contribution(p, share, pbf_share), -1)
            self._unit_parcels[uid].discard(pid)
        p.pairs = ()

    def _pairs_for(self, p: _Parcel, unit_ids: Iterable[Hashable] | None = None) -> list:
        if p.geom is None or p.area <= 0:
            return []
        candidates = self._unit_grid.query(p.bounds) if unit_ids is None else unit_ids
        pairs = []
        for uid in sorted(candidates, key=sort_key):
            u = self._units[uid]
            if u.geom is None or not shapely.intersects(u.geom, p.geom):
                continue
            share = share_in_unit(u.geom, p.geom, p.area)
            if share > 0:
                pairs.append((uid, share, self._pbf_share(p, u.geom, share)))
        return pairs

    # ------------------------------------------------------------------ overlapping units
    def _unover(self, p: _Parcel) -> None:
        """Give back to the project rows what :meth:`_over` took off."""
        if p.over is not None:
            add_into(self.project, self._contribution(p, p.over[0], p.over[1]), +1)
            p.over = None

    def _over(self, p: _Parcel) -> None:
        """Count a parcel once in the project rows when units overlapping each other share it.

        Every unit keeps its whole share (its own balance is right); the project rows take off
        the part counted twice: the sum of the shares minus the share of the units' union.
        """
        pairs = p.pairs
        overlaps = self._unit_overlaps
        if len(pairs) < 2 or not overlaps or p.geom is None or p.area <= 0:
            return
        ids = [t[0] for t in pairs]
        if not any(pair_key(a, b) in overlaps for i, a in enumerate(ids) for b in ids[i + 1:]):
            return
        units = self._units
        if len(ids) == 2 and isinstance(p.pbf_part, float):
            # the common case, two units: the part counted twice is the parcel ∩ (A ∩ B), A ∩ B kept
            both = overlaps[pair_key(ids[0], ids[1])][1]
            if both is None or not shapely.intersects(both, p.geom):
                return
            excess = min(1.0, float(intersection_areas(both, [p.geom])[0]) / p.area)
            if not excess > 1e-9:
                return
            pbf_excess = excess * p.pbf_part
        elif isinstance(p.pbf_part, float):
            # the share of the units' union: what is left of the parcel once each unit is taken off (no union of
            # the pieces, and no more overlays once nothing is left)
            rest = p.geom
            for u in ids:
                rest = shapely.difference(rest, units[u].geom)
                if shapely.is_empty(rest):
                    break
            share = 1.0 - float(shapely.area(rest)) / p.area
            excess = sum(t[1] for t in pairs) - share
            if not excess > 1e-9:
                return
            pbf_excess = max(0.0, sum(t[2] for t in pairs) - share * p.pbf_part)
        else:
            pieces = shapely.intersection(p.geom, np.array([units[u].geom for u in ids], dtype=object))
            union = shapely.union_all(pieces)
            share = min(1.0, float(shapely.area(union)) / p.area)
            excess = sum(t[1] for t in pairs) - share
            if not excess > 1e-9:
                return
            pbf_excess = max(0.0, sum(t[2] for t in pairs) - self._pbf_share(p, union, share))
        p.over = (excess, pbf_excess)
        add_into(self.project, self._contribution(p, excess, pbf_excess), -1)

    def _update_unit_overlaps(self, uid: Hashable) -> list:
        """Areas where unit ``uid`` overlaps other units (> 0 m²), kept in ``_unit_overlaps``; those units' ids."""
        overlaps = self._unit_overlaps
        for key in [k for k in overlaps if uid in k]:
            del overlaps[key]
        u = self._units.get(uid)
        if u is None or u.geom is None:
            return []
        others, geoms = [], []
        for other in self._unit_grid.query(u.bounds):
            o = self._units.get(other)
            if other != uid and o is not None and o.geom is not None:
                others.append(other)
                geoms.append(o.geom)
        if not others:
            return []
        geoms = object_array(geoms)
        near = np.flatnonzero(shapely.intersects(u.geom, geoms))
        if len(near):
            near = near[_interiors_meet(u.geom, geoms[near])]  # neighbours only sharing a boundary: no overlay
        keys = [pair_key(uid, others[k]) for k in near.tolist()]
        self._note_overlaps(keys)
        return [o for key, o in zip(keys, (others[k] for k in near.tolist())) if key in overlaps]

    def _note_overlaps(self, keys: list) -> None:
        """The overlaps of the two units of each key, kept when > 0 m²; in key order, so that an edit and a rebuild
        (``build._overlaps_in_bulk``) compute the same floats (the same GEOS calls, in bulk)."""
        if not keys:
            return
        units = self._units
        both = shapely.intersection(object_array([units[a].geom for a, _b in keys]),
                                    object_array([units[b].geom for _a, b in keys]))
        area = shapely.area(both)
        some = np.flatnonzero(area > 0)
        for k, g in zip(some.tolist(), _cleaned(both[some])):
            if g is not None:
                shapely.prepare(g)
            self._unit_overlaps[keys[k]] = (float(area[k]), g)

    def unit_overlaps(self, tolerance: float = OVERLAP_TOLERANCE_M2) -> list[tuple[str, str, float]]:
        """(code, code, m²) of units overlapping each other by at least ``tolerance``."""
        units = self._units
        out = [(units[a].code, units[b].code, area) for (a, b), (area, _g) in self._unit_overlaps.items()
               if area >= tolerance]
        return sorted(out)
