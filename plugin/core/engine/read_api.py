"""The engine's public read API: what front ends (docks, export, maps, checks, live) may read.

The dicts behind it are the engine's own and may change shape (issue 11: columns); front ends
never touch them, nor the ``_Parcel`` / ``_Unit`` objects (tests/core/test_house.py checks that
no module outside ``plugin/core`` reads ``parcels`` / ``units`` / ``unit_parcels``).
docs/architecture.md "The engine" lists what may be read.
"""
from __future__ import annotations

from typing import Hashable, NamedTuple, Sequence

import shapely
from shapely.geometry.base import BaseGeometry

from ..areas import survey_terms
from ..fields import ParcelRecord


class ParcelView(NamedTuple):
    """One parcel as the engine counts it, as values (a copy: changing it changes nothing)."""

    rec: ParcelRecord  # :meth:`_ReadAPI.parcel_record`
    geom: BaseGeometry | None  # :meth:`_ReadAPI.parcel_geometry` (cleaned)
    area: float  # :meth:`_ReadAPI.parcel_measured_area`
    pairs: tuple  # :meth:`_ReadAPI.parcel_shares`: ((unit id, share, PBF share), …)


def _boxes_meet(b: tuple, bounds: Sequence[float]) -> bool:
    return b[0] <= bounds[2] and b[2] >= bounds[0] and b[1] <= bounds[3] and b[3] >= bounds[1]


class _ReadAPI:
    """Reads ``_parcels``, ``_units``, ``_unit_parcels`` (and the grids, when there are any).

    A mixin of :class:`~.balance.BalanceEngine` and of :class:`EngineSnapshot`.
    """

    # ------------------------------------------------------------------ parcels
    def parcel_ids(self) -> list:
        """Ids of every parcel held, in insertion order."""
        return list(self._parcels)

    def has_parcel(self, pid: Hashable) -> bool:
        return pid in self._parcels

    def parcel_count(self) -> int:
        return len(self._parcels)

    def parcel_record(self, pid: Hashable) -> ParcelRecord:
        """The record the balance uses (a piece of a split carries its share of TBMJ/KCMJ/TBDLMJ)."""
        return self._parcels.rec(pid)

    def parcel_geometry(self, pid: Hashable) -> BaseGeometry | None:
        return self._parcels.geom(pid)

    def parcel_measured_area(self, pid: Hashable) -> float:
        """Planar area of the parcel's geometry in the engine's CRS (0 without a geometry)."""
        return self._parcels.area(pid)

    def parcel_areas(self, pid: Hashable) -> tuple[float, float, float]:
        """(TBMJ, KCMJ, TBDLMJ) of the whole parcel before apportioning, by ``areas.survey_terms``."""
        rec = self._parcels.rec(pid)
        return survey_terms(rec.tbmj, rec.kcmj, rec.tbdlmj, self._parcels.area(pid))

    def parcel_pbf_share(self, pid: Hashable) -> float:
        """The share of the parcel's measured area inside the engine's PBF layer, 0–1 (as the balance
        counts it: 1 when one PBF polygon covers it; an identical copy of another parcel has 0)."""
        if pid in self.shadows:
            return 0.0  # counted nowhere, whichever edit made it a copy
        part = self._parcels.pbf_part(pid)
        if isinstance(part, float):
            return part
        area = self._parcels.area(pid)
        return min(1.0, float(shapely.area(part)) / area) if area > 0 else 0.0

    def parcel_shares(self, pid: Hashable) -> tuple[tuple[Hashable, float, float], ...]:
        """((unit id, share of the parcel in the unit, share of the parcel that is PBF in it), …)."""
        return self._parcels.pairs(pid)

    def parcel_main_unit(self, pid: Hashable) -> Hashable | None:
        """The unit holding the largest share of the parcel (the first of equal ones), None outside units."""
        pairs = self._parcels.pairs(pid)
        return max(pairs, key=lambda t: t[1])[0] if pairs else None

    def parcel_view(self, pid: Hashable) -> ParcelView:
        p = self._parcels.peek(pid)
        return ParcelView(p.rec, p.geom, p.area, p.pairs)

    def parcel_views(self) -> dict:
        """Parcel id -> :class:`ParcelView` of every parcel, in insertion order."""
        return {pid: self.parcel_view(pid) for pid in self._parcels}

    def parcels_near(self, bounds: Sequence[float]) -> list:
        """Ids of the parcels with a geometry whose bounding boxes meet ``bounds`` (xmin, ymin, xmax, ymax)."""
        parcels = self._parcels
        grid = getattr(self, "_parcel_grid", None)
        if grid is None:  # a snapshot: no grid of its own, the columns' tree and the (few) parcels added since
            cand = [*parcels.base_near(bounds), *parcels.tail()]
        else:
            cand = [q for q in grid.query(bounds) if q in parcels]
        out = []
        for q in cand:
            g = parcels.geom(q)
            if g is not None and _boxes_meet(g.bounds, bounds):
                out.append(q)
        return out

    # ------------------------------------------------------------------ units
    def unit_ids(self) -> list:
        """Ids of every unit held, in insertion order (``ordered_units`` sorts them by code)."""
        return list(self._units)

    def has_unit(self, uid: Hashable) -> bool:
        return uid in self._units

    def unit_count(self) -> int:
        return len(self._units)

    def unit_code(self, uid: Hashable) -> str:
        """DYBH of the unit (its feature id as text when DYBH is NULL)."""
        return self._units[uid].code

    def unit_geometry(self, uid: Hashable) -> BaseGeometry | None:
        return self._units[uid].geom

    def unit_parcel_ids(self, uid: Hashable) -> frozenset:
        """Ids of the parcels that lie (partly) in unit ``uid``."""
        return frozenset(self._unit_parcels.get(uid, ()))

    def units_near(self, bounds: Sequence[float]) -> list:
        """Ids of the units with a geometry whose bounding boxes meet ``bounds``."""
        units = self._units
        grid = getattr(self, "_unit_grid", None)
        cand = units if grid is None else [u for u in grid.query(bounds) if u in units]
        return [u for u in cand if units[u].bounds is not None and _boxes_meet(units[u].bounds, bounds)]

    # ------------------------------------------------------------------ a copy for a worker
    def snapshot(self) -> EngineSnapshot:
        """Shallow copies of the read API's state, safe to read in a worker while edits go on.

        Parcel and unit states are shared, not copied: an edit made meanwhile may be seen
        half-way, which is why a background run re-checks what was edited while it ran.
        """
        return EngineSnapshot(self)


class EngineSnapshot(_ReadAPI):
    """What :meth:`_ReadAPI.snapshot` returns: the read API over copies of the engine's dicts,
    plus ``missing_area``, ``geometry_fixes``, ``pack`` and ``table`` as they were."""

    def __init__(self, engine):
        self._parcels = engine._parcels.copy()
        self._units = dict(engine._units)
        self._unit_parcels = engine._unit_parcels.copy()
        self.missing_area = set(engine.missing_area)
        self.geometry_fixes = dict(engine.geometry_fixes)
        self.pack = engine.pack
        self.table = engine.table


__all__ = ["EngineSnapshot", "ParcelView"]
