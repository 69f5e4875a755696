"""The balance engine: per-unit land-class areas before/after and the rule variables.

Design (docs/architecture.md "Live updates"):

* Each parcel contributes to each unit it overlaps, in proportion to the share of its
  own area inside the unit (docs/domain.md §6: TBMJ is authoritative; a parcel cut by a unit
  boundary is apportioned by area share).
* A contribution is a handful of integers in µm² (``SCALE``): class areas before and
  after, flow areas, PBF areas. Unit aggregates are integer sums, so any sequence of
  incremental edits ends in *exactly* the state a full rebuild gives (no float drift).
* Per pair only ``(unit id, share, pbf share)`` is stored; the contribution is recomputed
  from the parcel's record when it has to be subtracted. That keeps a million parcels in
  memory and makes an edit cost O(parcels touched × units they touch).
* A uniform grid indexes parcel and unit bounding boxes and is updated in O(1) per
  feature; the full build uses shapely's bulk STRtree instead.
"""
from __future__ import annotations

import gc
import math
import os
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Callable, Hashable, Iterable, Sequence

import numpy as np
import shapely
from shapely.geometry.base import BaseGeometry

from .areas import farmland_after, planned_ridge_coefficient, survey_terms
from .errors import Cancelled
from .fields import PBF_IN, PBF_OUT, ParcelRecord, with_area
from .i18n import tr
from .landclasses import RIDGE, LandClassTable, default_table
from .pieces import apportion, explained_as_split, survey_key
from .ridges import new_farmland_coefficient
from .rules import RulePack, bundled_pack
from .validation import (
    OVERLAP_TOLERANCE_M2,
    DuplicateNotes,
    GeometryNotes,
    Problem,
    clean_polygonal,
    drop_duplicates,
    identical_groups,
    sanitised_warnings,
    state_problems,
)

SCALE = 1_000_000  # aggregates are integers in µm²
PROJECT = "*"  # unit_code of the whole-project rows
Key = tuple  # ("b", class) | ("a", class) | ("f", flow id) | ("p", pbf var) | ("t", remediation type)
_PBF_VARS = ("pbf_before", "pbf_after", "pbf_out", "pbf_in")
_EPS = 1e-12
_CHUNK = 50_000
_WORKERS = max(1, min(4, os.cpu_count() or 1))
_MAX_CELLS = 4096  # an item whose box spans more grid cells is kept in the grid's "big" set
_MAX_GRID_SIDE = 1024  # the cell is at least the data's extent / this
_K_PBF_BEFORE, _K_PBF_AFTER, _K_PBF_OUT, _K_PBF_IN = (("p", v) for v in _PBF_VARS)


class BuildCancelled(Cancelled):
    """The caller's cancel callback returned True during a full build."""


# --------------------------------------------------------------------------- geometry helpers
def clean_geometry(geom: BaseGeometry | None) -> BaseGeometry | None:
    """Polygonal, valid geometry or None (empty/NULL/non-areal): never raises on bad input.

    Invalid geometry is repaired (make_valid), collections are reduced to their polygons
    (validation.clean_polygonal).
    """
    return clean_polygonal(geom)[0]


def _clean_many(geoms: list) -> list:
    """``[clean_geometry(g) for g in geoms]`` with the validity checks in bulk, on threads."""
    if not geoms:
        return []
    arr = np.empty(len(geoms), dtype=object)
    arr[:] = geoms
    fine = _in_threads(lambda k: shapely.is_valid(arr[k]), np.arange(len(arr)), 2_000)
    fine &= ~shapely.is_empty(arr) & np.isin(shapely.get_type_id(arr), (3, 6))  # Polygon, MultiPolygon
    return [g if f else clean_geometry(g) for g, f in zip(arr.tolist(), fine.tolist())]


def _shares(unit_geom: BaseGeometry, geoms: np.ndarray, areas: np.ndarray) -> np.ndarray:
    """:func:`_share` of many parcels in one unit, vectorised: the same GEOS calls, the same floats."""
    shares = np.ones(len(geoms))
    part = np.flatnonzero(~shapely.contains_properly(unit_geom, geoms))
    if len(part):
        inter = shapely.area(shapely.intersection(unit_geom, geoms[part]))
        shares[part] = np.minimum(1.0, inter / areas[part])
    return shares


def _in_threads(fn: Callable[[np.ndarray], np.ndarray], index: np.ndarray, chunk: int = 10_000) -> np.ndarray:
    """``fn(index)`` computed piecewise on threads (shapely's vectorised calls release the GIL).

    Element-wise GEOS calls give the same value whatever the piece, so the result is exactly
    ``fn(index)``; pieces of at most ``chunk`` keep big temporaries (intersections) small.
    Only for calls that read their geometries: never with prepared ones (a prepared
    geometry builds its indexes lazily and is not thread-safe).
    """
    n = len(index)
    if n == 0:
        return fn(index)
    pieces = max(_WORKERS, -(-n // chunk))
    step = -(-n // pieces)
    parts = [index[a:a + step] for a in range(0, n, step)]
    if _WORKERS == 1 or len(parts) == 1:
        return np.concatenate([fn(part) for part in parts])
    with ThreadPoolExecutor(_WORKERS) as pool:
        return np.concatenate(list(pool.map(fn, parts)))


@contextmanager
def paused_gc():
    """Pause the cyclic garbage collector during a bulk load.

    A build allocates millions of acyclic objects (records, pairs, tuples); the collector
    would traverse the growing heap again and again for nothing. Reference counting still
    frees everything; the collector resumes (if it was on) when the block ends.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _add_into(counter: dict, contribution: dict, sign: int) -> None:
    """``counter += sign × contribution``, keys that reach 0 removed."""
    for k, v in contribution.items():
        nv = counter.get(k, 0) + sign * v
        if nv:
            counter[k] = nv
        else:
            counter.pop(k, None)


def _drop_zeros(counter: dict) -> None:
    for k in [k for k, v in counter.items() if not v]:
        del counter[k]


def _share(unit_geom: BaseGeometry, geom: BaseGeometry, area: float) -> float:
    """Share of the parcel's area inside the unit. Same GEOS calls in bulk and incremental."""
    if shapely.contains_properly(unit_geom, geom):
        return 1.0
    inter = shapely.area(shapely.intersection(unit_geom, geom))
    return min(1.0, float(inter) / area)


class _Grid:
    """Dynamic uniform grid over bounding boxes: O(1) insert/remove, query by box.

    Bounded whatever the geometry sizes: an item spanning more than ``_MAX_CELLS`` cells (or
    with a non-finite box) goes into ``big``, which every query returns; a query box
    spanning more cells than the grid holds walks the occupied cells instead of the box's.
    """

    __slots__ = ("big", "cell", "cells")

    def __init__(self, cell: float):
        self.cell = cell if math.isfinite(cell) and cell > 0 else 250.0
        self.cells: dict[tuple[int, int], set] = {}
        self.big: set = set()

    def _range(self, bounds: Sequence[float]) -> tuple[int, int, int, int] | None:
        c = self.cell
        try:
            x0, y0, x1, y1 = (math.floor(bounds[0] / c), math.floor(bounds[1] / c),
                              math.floor(bounds[2] / c), math.floor(bounds[3] / c))
        except (OverflowError, ValueError, TypeError):
            return None
        return x0, y0, x1, y1

    def keys(self, bounds: Sequence[float]) -> list[tuple[int, int]] | None:
        """The cells of a box, or None when it spans more than ``_MAX_CELLS`` (or is not finite)."""
        r = self._range(bounds)
        if r is None:
            return None
        x0, y0, x1, y1 = r
        if x1 < x0 or y1 < y0 or (x1 - x0 + 1) * (y1 - y0 + 1) > _MAX_CELLS:
            return None
        return [(i, j) for i in range(x0, x1 + 1) for j in range(y0, y1 + 1)]

    def insert(self, item: Hashable, bounds: Sequence[float]) -> None:
        keys = self.keys(bounds)
        if keys is None:
            self.big.add(item)
            return
        for k in keys:
            bucket = self.cells.get(k)
            if bucket is None:
                self.cells[k] = {item}
            else:
                bucket.add(item)

    def insert_many(self, items: Sequence[Hashable], bounds: np.ndarray) -> None:
        """:meth:`insert` of many items; ``bounds`` is an (n, 4) array. Same cells as one by one."""
        if not len(items):
            return
        with np.errstate(all="ignore"):
            scaled = bounds / self.cell
            sane = np.all(np.isfinite(scaled) & (np.abs(scaled) < 2.0 ** 52), axis=1)
            cells = np.floor(np.where(sane[:, None], scaled, 0.0)).astype(np.int64)
        single = sane & (cells[:, 0] == cells[:, 2]) & (cells[:, 1] == cells[:, 3])
        buckets = self.cells
        for item, i, j in zip([items[k] for k in np.flatnonzero(single).tolist()],
                              cells[single, 0].tolist(), cells[single, 1].tolist()):
            bucket = buckets.get((i, j))
            if bucket is None:
                buckets[(i, j)] = {item}
            else:
                bucket.add(item)
        for k in np.flatnonzero(~single).tolist():
            self.insert(items[k], bounds[k])

    def remove(self, item: Hashable, bounds: Sequence[float]) -> None:
        keys = self.keys(bounds)
        if keys is None:
            self.big.discard(item)
            return
        for k in keys:
            bucket = self.cells.get(k)
            if bucket is not None:
                bucket.discard(item)
                if not bucket:
                    del self.cells[k]

    def query(self, bounds: Sequence[float]) -> set:
        found: set = set(self.big)
        keys = self.keys(bounds)
        if keys is not None and len(keys) <= len(self.cells):
            for k in keys:
                bucket = self.cells.get(k)
                if bucket:
                    found |= bucket
            return found
        r = self._range(bounds)
        for (i, j), bucket in self.cells.items():
            if r is None or (r[0] <= i <= r[2] and r[1] <= j <= r[3]):
                found |= bucket
        return found


# --------------------------------------------------------------------------- state
class _Parcel:
    """One parcel's state; a million of them live in memory, so only what can't be derived."""

    __slots__ = ("area", "geom", "over", "pairs", "pbf_part", "rec")

    def __init__(self, rec: ParcelRecord, geom: BaseGeometry | None):
        self.rec = rec
        self.geom = geom
        self.area = float(geom.area) if geom is not None else 0.0
        self.pairs: tuple[tuple[Hashable, float, float], ...] = ()  # (unit id, share, pbf share)
        self.over: tuple[float, float] | None = None  # (share, pbf share) counted twice by overlapping units
        self.pbf_part: float | BaseGeometry = 0.0  # 0.0 none, 1.0 whole parcel, else the PBF part

    @property
    def bounds(self) -> tuple | None:
        return tuple(self.geom.bounds) if self.geom is not None else None


class _Unit:
    __slots__ = ("bounds", "code", "geom", "named")

    def __init__(self, code: str, geom: BaseGeometry | None, named: bool = True):
        self.code = code
        self.named = named  # False: the code is NULL (``code`` shows the feature id)
        self.geom = geom
        self.bounds = tuple(geom.bounds) if geom is not None else None
        if geom is not None:
            shapely.prepare(geom)


@dataclass
class RuleResult:
    unit_code: str
    rule_id: str
    value: float | None
    threshold: float
    passed: bool | None
    severity: str
    reason: str | None = None  # why there is no verdict ("not assessable"), None otherwise


# --------------------------------------------------------------------------- engine
class BalanceEngine:
    """Incremental area balance of remediation units; see the module docstring."""

    def __init__(self, pack: RulePack | None = None, table: LandClassTable | None = None, cell: float | None = None,
                 area_scale: float = 1.0):
        self.pack = pack or bundled_pack("national")
        self.table = table or self.pack.table or default_table()
        self._cell = cell
        # ellipsoidal m² per planar unit² of the working CRS (the adapter measures it): only used to
        # tell a TBMJ copied onto a split's pieces from apportioned shares (see core.pieces)
        self.area_scale = area_scale
        self._bsm: dict = {}  # BSM -> parcel id, or a list of ids when several features share it
        self._raw: dict = {}  # parcel id -> its record as read, for pieces whose p.rec holds their share
        self.parcels: dict[Hashable, _Parcel] = {}
        self.units: dict[Hashable, _Unit] = {}
        self.unit_parcels: dict[Hashable, set] = {}
        self.aggregates: dict[Hashable, Counter] = {}
        self.project: Counter = Counter()
        self.unknown_codes: Counter = Counter()
        self.missing_area: set = set()  # parcels whose TBMJ was NULL (area taken from geometry)
        self.empty_geometry: set = set()
        self.geometry_fixes: dict = {}  # pid -> "repaired" | "reduced" | "unusable"
        self.duplicates = None  # validation.DuplicateNotes of the last full build (repeated feature ids)
        self.shadows: set = set()  # identical copies of a parcel with a smaller id: kept, never counted
        self.input_problems: list[Problem] = []  # set by the adapter (CRS, TBMJ unit…), kept by edits
        self.input_warnings: list[str] = []  # what the adapter sanitised (values, measured areas…)
        self._unknown_class = 0  # parcels whose DLBM is not a known land class
        self._unit_overlaps: dict[tuple, tuple] = {}  # (uid, uid) sorted -> (overlap m² > 0, overlap geometry)
        self._pbf_tree: shapely.STRtree | None = None
        self._pbf_geoms: np.ndarray | None = None
        self._parcel_grid = _Grid(cell or 250.0)
        self._unit_grid = _Grid(cell or 250.0)
        self._flow_cache: dict[tuple, tuple] = {}

    # ------------------------------------------------------------------ contributions
    def _composition(self, rec: ParcelRecord, area: float) -> tuple[list, list, str | None, str]:
        """(before [(class, m²)], after [(class, m²)], remediation type, resolved class)."""
        table = self.table
        if rec.tbmj is None and area > 0:  # measured from the geometry: KCMJ/TBDLMJ checked against it
            rec = with_area(rec, area)
        dl = table.resolve(rec.dlbm)
        tbmj, kc, tbdl = survey_terms(rec.tbmj, rec.kcmj, rec.tbdlmj, area)
        before = [(dl, tbdl)]
        if kc:
            before.append((table.resolve(rec.kcdlbm) if rec.kcdlbm else RIDGE, kc))
        if not rec.planned:
            return before, before, None, dl
        target = table.resolve(rec.ghdlbm) if rec.ghdlbm else dl
        if table.is_farmland(target):
            # new farmland without GHKCXS: the pack's 田坎系数 by slope grade (docs/domain.md §6)
            coef = planned_ridge_coefficient(rec.ghkcxs, rec.kcxs, table.is_farmland(dl), kc, tbmj,
                                             new_farmland_coefficient(self.pack.ridges, rec))
            after = [(target, farmland_after(tbmj, coef))]
            if coef:
                after.append((RIDGE, tbmj * coef))
        else:
            after = [(target, tbmj)]
        return before, after, rec.zzlx or "", dl

    def _flows(self, before: list, after: list, zzlx: str | None) -> tuple:
        """Flow areas (m², whole parcel) of the pack's flows: same class first, rest pro rata."""
        key = (tuple(before), tuple(after), zzlx)
        hit = self._flow_cache.get(key)
        if hit is not None:
            return hit
        flows = self.pack.flows
        if not flows or zzlx is None:
            result: tuple = ()
        else:
            b = dict()
            for c, v in before:
                b[c] = b.get(c, 0.0) + v
            a = dict()
            for c, v in after:
                a[c] = a.get(c, 0.0) + v
            transitions: list[tuple[str, str, float]] = []
            for c in list(b):
                if c in a:
                    same = min(b[c], a[c])
                    transitions.append((c, c, same))
                    b[c] -= same
                    a[c] -= same
            total_after = sum(v for v in a.values() if v > 0)
            if total_after > 0:
                for cb, vb in b.items():
                    if vb > 0:
                        for ca, va in a.items():
                            if va > 0:
                                transitions.append((cb, ca, vb * va / total_after))
            out = []
            cats = self.pack.categories_of
            for fid, flow in flows.items():
                if flow.types and zzlx not in flow.types:
                    continue
                total = 0.0
                for cb, ca, v in transitions:
                    if flow.changed_only and cb == ca:
                        continue
                    if (flow.source == "*" or flow.source in cats(cb)) and (
                        flow.target == "*" or flow.target in cats(ca)
                    ):
                        total += v
                if total:
                    out.append((fid, total))
            result = tuple(out)
        if len(self._flow_cache) >= 10_000:  # keys hold areas: it pays off within one edit, not across parcels
            self._flow_cache.clear()
        self._flow_cache[key] = result
        return result

    def _terms(self, p: _Parcel) -> tuple:
        """A parcel's whole-parcel float terms ``((key, m²), ...)``, TBMJ, PBF action, farmland after.

        Computed once per parcel and scaled per pair by :meth:`_contribution`.
        """
        rec = p.rec
        before, after, zzlx, _dl = self._composition(rec, p.area)
        terms = [(("b", c), v) for c, v in before]
        terms.extend((("a", c), v) for c, v in after)
        tbmj = survey_terms(rec.tbmj, rec.kcmj, rec.tbdlmj, p.area)[0]
        if zzlx is not None:
            terms.append((("t", zzlx), tbmj))
            terms.extend((("f", fid), v) for fid, v in self._flows(before, after, zzlx))
        return terms, tbmj, rec.yncz, after[0][0]

    def _contribution(self, p: _Parcel, share: float, pbf_share: float, terms: tuple | None = None) -> dict:
        """Integer µm² contribution of ``share`` of parcel ``p`` (plus its PBF share) to a unit."""
        out: dict = {}
        self._contribute(out, p, share, pbf_share, terms if terms is not None else self._terms(p))
        return out

    def _contribute(self, out: dict, p: _Parcel, share: float, pbf_share: float, terms: tuple) -> None:
        """Add :meth:`_contribution` to the integer sums ``out`` (no dict per pair in a full build)."""
        items, tbmj, yncz, after0 = terms
        s = share * SCALE
        for k, v in items:
            n = round(v * s)
            if n:
                out[k] = out.get(k, 0) + n
        if pbf_share:
            whole = tbmj * share
            pbf_before = round(tbmj * pbf_share * SCALE)
            if yncz == PBF_OUT:
                pbf_after = 0
                out[_K_PBF_OUT] = out.get(_K_PBF_OUT, 0) + pbf_before
            elif yncz == PBF_IN:
                pbf_after = round(whole * SCALE)
            else:
                pbf_after = pbf_before if self.table.is_farmland(after0) else 0
            if pbf_before:
                out[_K_PBF_BEFORE] = out.get(_K_PBF_BEFORE, 0) + pbf_before
            if pbf_after:
                out[_K_PBF_AFTER] = out.get(_K_PBF_AFTER, 0) + pbf_after
            if pbf_after > pbf_before:
                out[_K_PBF_IN] = out.get(_K_PBF_IN, 0) + pbf_after - pbf_before
        elif yncz == PBF_IN:
            n = round(tbmj * s)
            if n:
                out[_K_PBF_AFTER] = out.get(_K_PBF_AFTER, 0) + n
                out[_K_PBF_IN] = out.get(_K_PBF_IN, 0) + n

    def _apply(self, uid: Hashable, contribution: dict, sign: int) -> None:
        _add_into(self.aggregates[uid], contribution, sign)
        _add_into(self.project, contribution, sign)

    # ------------------------------------------------------------------ PBF overlay
    def _pbf_part_of(self, geom: BaseGeometry, area: float, hits: Sequence[BaseGeometry]) -> float | BaseGeometry:
        if not len(hits) or area <= 0:
            return 0.0
        for h in hits:
            if shapely.covers(h, geom):
                return 1.0
        part = shapely.union_all([shapely.intersection(geom, h) for h in hits])
        part_area = float(shapely.area(part))
        if part_area <= area * _EPS:
            return 0.0
        if part_area >= area * (1 - _EPS):
            return 1.0
        return part

    def _pbf_share(self, p: _Parcel, unit_geom: BaseGeometry, share: float) -> float:
        part = p.pbf_part
        if isinstance(part, float):
            return share * part
        if share == 1.0:
            return float(shapely.area(part)) / p.area
        return float(shapely.area(shapely.intersection(unit_geom, part))) / p.area

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
            self.unit_parcels[uid].add(pid)
        p.pairs = tuple(kept)
        self._over(p)

    def _detach(self, pid: Hashable, p: _Parcel) -> None:
        self._unover(p)
        for uid, share, pbf_share in p.pairs:
            self._apply(uid, self._contribution(p, share, pbf_share), -1)
            self.unit_parcels[uid].discard(pid)
        p.pairs = ()

    def _pairs_for(self, p: _Parcel, unit_ids: Iterable[Hashable] | None = None) -> list:
        if p.geom is None or p.area <= 0:
            return []
        candidates = self._unit_grid.query(p.bounds) if unit_ids is None else unit_ids
        pairs = []
        for uid in sorted(candidates, key=_sort_key):
            u = self.units[uid]
            if u.geom is None or not shapely.intersects(u.geom, p.geom):
                continue
            share = _share(u.geom, p.geom, p.area)
            if share > 0:
                pairs.append((uid, share, self._pbf_share(p, u.geom, share)))
        return pairs

    # ------------------------------------------------------------------ overlapping units
    def _unover(self, p: _Parcel) -> None:
        """Give back to the project rows what :meth:`_over` took off."""
        if p.over is not None:
            _add_into(self.project, self._contribution(p, p.over[0], p.over[1]), +1)
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
        if not any(_pair_key(a, b) in overlaps for i, a in enumerate(ids) for b in ids[i + 1:]):
            return
        units = self.units
        if len(ids) == 2 and isinstance(p.pbf_part, float):
            # the common case, two units: the part counted twice is the parcel ∩ (A ∩ B), A ∩ B kept
            both = overlaps[_pair_key(ids[0], ids[1])][1]
            if both is None or not shapely.intersects(both, p.geom):
                return
            local = shapely.clip_by_rect(both, *p.geom.bounds)  # overlay cost follows the vertex count
            excess = min(1.0, float(shapely.area(shapely.intersection(p.geom, local))) / p.area)
            if not excess > 1e-9:
                return
            pbf_excess = excess * p.pbf_part
        else:
            pieces = shapely.intersection(p.geom, np.array([units[u].geom for u in ids], dtype=object))
            union = shapely.union_all(pieces)
            share = min(1.0, float(shapely.area(union)) / p.area)
            excess = sum(t[1] for t in pairs) - share
            if not excess > 1e-9:
                return
            pbf_excess = max(0.0, sum(t[2] for t in pairs) - self._pbf_share(p, union, share))
        p.over = (excess, pbf_excess)
        _add_into(self.project, self._contribution(p, excess, pbf_excess), -1)

    def _update_unit_overlaps(self, uid: Hashable, fresh: bool = False) -> None:
        """Areas where unit ``uid`` overlaps other units (> 0 m²), kept in ``_unit_overlaps``."""
        overlaps = self._unit_overlaps
        if not fresh:
            for key in [k for k in overlaps if uid in k]:
                del overlaps[key]
        u = self.units.get(uid)
        if u is None or u.geom is None:
            return
        for other in self._unit_grid.query(u.bounds):
            if other == uid:
                continue
            key = _pair_key(uid, other)
            if fresh and key in overlaps:
                continue
            o = self.units.get(other)
            if o is None or o.geom is None or not shapely.intersects(u.geom, o.geom):
                continue
            if not shapely.relate_pattern(u.geom, o.geom, "2********"):
                continue  # neighbours sharing a boundary: no overlay to compute
            units = self.units
            both = shapely.intersection(units[key[0]].geom, units[key[1]].geom)  # in key order: as a rebuild does
            area = float(shapely.area(both))
            if area > 0:
                both = clean_polygonal(both)[0]
                if both is not None:
                    shapely.prepare(both)
                overlaps[key] = (area, both)

    def unit_overlaps(self, tolerance: float = OVERLAP_TOLERANCE_M2) -> list[tuple[str, str, float]]:
        """(code, code, m²) of units overlapping each other by at least ``tolerance``."""
        units = self.units
        out = [(units[a].code, units[b].code, area) for (a, b), (area, _g) in self._unit_overlaps.items()
               if area >= tolerance]
        return sorted(out)

    # ------------------------------------------------------------------ full build
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
        fixes = self.geometry_fixes
        if len(garr):
            ok = ~shapely.is_missing(garr)
            fine = ok & _in_threads(lambda k: shapely.is_valid(garr[k]), np.arange(len(garr)), 50_000)
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
                del items
        areas = shapely.area(garr) if len(garr) else np.zeros(0)
        areas = np.nan_to_num(np.asarray(areas, dtype=float))
        join_areas = areas  # 0 for the identical copies (shadows): they join nothing
        if len(pids) > 1:
            twins = identical_groups(pids, garr, recs)
            if twins:
                join_areas = areas.copy()
                for group in twins:
                    leader = min(group, key=lambda k: _sort_key(pids[k]))
                    for k in group:
                        if k != leader:
                            self.shadows.add(pids[k])
                            join_areas[k] = 0.0
        if self._cell is None:
            self._choose_cell(garr)
        self.set_pbf(pbf, rebuild=False)
        # parcels
        n_parcels = len(pids)
        has_geom = [g is not None for g in garr.tolist()]
        parcels = self.parcels
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
        if n_parcels:
            located = np.flatnonzero(~shapely.is_missing(garr))
            self._parcel_grid.insert_many([pids[i] for i in located.tolist()], shapely.bounds(garr[located]))
        del has_geom
        if progress:
            progress(0.2)
        # PBF overlay in bulk: covered parcels are whole, parcels only touching PBF have none;
        # the few partly covered ones take the same path as an incremental edit
        # one tree over the parcels for both joins (PBF polygons and units are the fewer, bigger side)
        tree = shapely.STRtree(garr) if len(garr) else None
        if self._pbf_tree is not None and tree is not None:
            hi, pi = tree.query(self._pbf_geoms, predicate="intersects")
            keep = join_areas[pi] > 0
            order = np.lexsort((hi[keep], pi[keep]))
            pi, hi = pi[keep][order], hi[keep][order]
            if len(pi):
                pbf_geoms = self._pbf_geoms
                covered = _in_threads(lambda k: shapely.covers(pbf_geoms[hi[k]], garr[pi[k]]),
                                      np.arange(len(pi)))
                whole = np.unique(pi[covered])
                for i in whole.tolist():
                    parcels[pids[i]].pbf_part = 1.0
                rest = ~covered & ~np.isin(pi, whole)
                pi, hi = pi[rest], hi[rest]
                positive = _in_threads(
                    lambda k: shapely.area(shapely.intersection(garr[pi[k]], pbf_geoms[hi[k]])) > 0,
                    np.arange(len(pi)))
                for i in np.unique(pi[positive]).tolist():
                    p = parcels[pids[i]]
                    p.pbf_part = self._pbf_part_of(p.geom, p.area, self._pbf_hits(p.geom))
        if cancelled and cancelled():
            raise BuildCancelled()
        if progress:
            progress(0.4)
        # units
        ugeoms = []
        for uid, code, geom in unit_list:
            u = _Unit(str(code) if code is not None else str(uid), clean_geometry(geom), code is not None)
            self.units[uid] = u
            self.unit_parcels[uid] = set()
            self.aggregates[uid] = Counter()
            if u.geom is not None:
                self._unit_grid.insert(uid, u.bounds)
            ugeoms.append(u.geom)
        uids = [uid for uid, _c, _g in unit_list]
        for uid in uids:
            self._update_unit_overlaps(uid, fresh=True)
        if not ugeoms:
            tree = None
        # bulk spatial join
        if ugeoms and tree is not None:
            uarr = np.array(ugeoms, dtype=object)
            has = np.flatnonzero(~shapely.is_missing(uarr))
            ui, pi = tree.query(uarr[has], predicate="intersects")
            ui = has[ui]
            keep = join_areas[pi] > 0
            ui, pi = ui[keep], pi[keep]
            tree = None
            shares = np.ones(len(ui))
            # not on threads: the units are prepared, and GEOS prepared geometries are not thread-safe
            part = np.flatnonzero(~shapely.contains_properly(uarr[ui], garr[pi]))
            if len(part):  # in chunks: the pieces are big and only their area is kept
                inter = _in_threads(lambda k: shapely.area(shapely.intersection(uarr[ui[k]], garr[pi[k]])), part)
                shares[part] = np.minimum(1.0, inter / areas[pi[part]])
            del part
            if progress:
                progress(0.7)
            keep = shares > 0
            ui, pi, shares = ui[keep], pi[keep], shares[keep]
            # by parcel, then by the units' sort key
            rank = np.empty(len(uids), dtype=np.int64)
            rank[sorted(range(len(uids)), key=lambda k: _sort_key(uids[k]))] = np.arange(len(uids))
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
        if progress:
            progress(1.0)

    def _attach_bulk(self, pids: list, uids: list, ugeoms: list, pi: list, ui: list, shares: list) -> None:
        """Attach pairs of a full build (sorted by parcel, whole parcels): terms once per parcel, sums per unit."""
        sums: list[dict] = [{} for _ in uids]
        shared: dict = {}  # one ((uid, 1.0, pbf),) per unit for the many parcels wholly inside it
        members: list[list] = [[] for _ in uids]
        parcels = self.parcels
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
            self.unit_parcels[uid].update(members[u])
        for agg in self.aggregates.values():
            _drop_zeros(agg)
        _drop_zeros(project)

    def _choose_cell(self, garr: np.ndarray) -> None:
        """Grid cell ≈ 4 × the median parcel extent (a few parcels per cell, any CRS unit), at least
        the parcels' extent / ``_MAX_GRID_SIDE``."""
        sample = garr[: 5000]
        sample = sample[~shapely.is_missing(sample)] if len(sample) else sample
        if len(sample):
            b = shapely.bounds(sample)
            ext = np.median(np.maximum(b[:, 2] - b[:, 0], b[:, 3] - b[:, 1]))
            with np.errstate(all="ignore"):
                tb = shapely.total_bounds(garr)
                floor = max(tb[2] - tb[0], tb[3] - tb[1]) / _MAX_GRID_SIDE  # never a degenerate median's grid
            cell = max(float(ext) * 4, float(floor)) if np.isfinite(floor) else float(ext) * 4
            if np.isfinite(cell) and cell > 0:
                self._parcel_grid = _Grid(cell)
                self._unit_grid = _Grid(cell)

    # ------------------------------------------------------------------ incremental edits
    def upsert_parcel(self, pid: Hashable, geom: BaseGeometry | None, rec: ParcelRecord) -> None:
        """Add a parcel or replace its geometry and attributes (and re-share its BSM group).

        An identical copy of a parcel (same geometry, same attributes as read) counts once: the
        one with the smallest id counts, the others are kept as ``shadows`` (no pairs, in no BSM
        group's sharing) until it goes.
        """
        old_bsm = self._take_out(pid) if pid in self.parcels else None
        cleaned, what = clean_polygonal(geom)
        p = _Parcel(rec, cleaned)
        if what:
            self.geometry_fixes[pid] = what
        if p.geom is not None:
            p.pbf_part = self._pbf_part_of(p.geom, p.area, self._pbf_hits(p.geom))
            self._parcel_grid.insert(pid, p.bounds)
        self.parcels[pid] = p
        self._note_parcel(pid, p, +1)
        self._index_bsm(pid, rec.bsm)
        twins = self._twins(pid, p, rec)
        shadow = bool(twins) and min([*twins, pid], key=_sort_key) != pid
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
        p = self.parcels[pid]
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
        if pid in self.parcels:
            self._regroup(self._take_out(pid))

    def _remove(self, pid: Hashable) -> str | None:
        """Take a parcel out (its BSM group is not re-shared); returns its BSM."""
        p = self.parcels.pop(pid)
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
        p = self.parcels[pid]
        raw = self.raw_record(pid)
        bsm = self._remove(pid)
        if pid in self.shadows:
            self.shadows.discard(pid)
            return bsm
        twins = self._twins(pid, p, raw)
        if twins:
            q = min(twins, key=_sort_key)
            self.shadows.discard(q)
            other = self.parcels[q]
            other.pbf_part = self._pbf_part_of(other.geom, other.area, self._pbf_hits(other.geom))
            self._attach(q, other, self._pairs_for(other))  # its BSM group is re-shared by the caller
        return bsm

    def _demote(self, q: Hashable) -> None:
        """An identical copy with a smaller id arrived: ``q`` stops counting (and holds its record as read)."""
        other = self.parcels[q]
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
        for q in self._parcel_grid.query(bounds):
            if q == pid:
                continue
            other = self.parcels.get(q)
            if other is None or other.geom is None or other.bounds != bounds:
                continue
            if key is not None and self.raw_record(q).as_tuple() != key:
                continue
            if shape is None:
                shape = shapely.normalize(p.geom)
            if shapely.equals_exact(shape, shapely.normalize(other.geom), 0.0):
                out.append(q)
        return out

    # ------------------------------------------------------------------ pieces of one survey parcel (BSM)
    # ------------------------------------------------------------------ public read API
    # Front ends (export, unit maps, checks, live, docks) read the engine only through these;
    # the dicts behind them are the engine's own and may change shape (issue 11: columns).
    def parcel_ids(self) -> list:
        """Ids of every parcel held, in insertion order."""
        return list(self.parcels)

    def has_parcel(self, pid: Hashable) -> bool:
        return pid in self.parcels

    def parcel_count(self) -> int:
        return len(self.parcels)

    def parcel_record(self, pid: Hashable) -> ParcelRecord:
        """The record the balance uses (a piece of a split carries its share of TBMJ/KCMJ/TBDLMJ)."""
        return self.parcels[pid].rec

    def parcel_geometry(self, pid: Hashable) -> BaseGeometry | None:
        return self.parcels[pid].geom

    def parcel_measured_area(self, pid: Hashable) -> float:
        """Planar area of the parcel's geometry in the engine's CRS (0 without a geometry)."""
        return self.parcels[pid].area

    def parcel_areas(self, pid: Hashable) -> tuple[float, float, float]:
        """(TBMJ, KCMJ, TBDLMJ) of the whole parcel before apportioning, by ``areas.survey_terms``."""
        p = self.parcels[pid]
        return survey_terms(p.rec.tbmj, p.rec.kcmj, p.rec.tbdlmj, p.area)

    def parcel_shares(self, pid: Hashable) -> tuple[tuple[Hashable, float, float], ...]:
        """((unit id, share of the parcel in the unit, share of the parcel that is PBF in it), …)."""
        return self.parcels[pid].pairs

    def unit_ids(self) -> list:
        """Ids of every unit held, in insertion order (``ordered_units`` sorts them by code)."""
        return list(self.units)

    def has_unit(self, uid: Hashable) -> bool:
        return uid in self.units

    def unit_count(self) -> int:
        return len(self.units)

    def unit_geometry(self, uid: Hashable) -> BaseGeometry | None:
        return self.units[uid].geom

    def unit_parcel_ids(self, uid: Hashable) -> frozenset:
        """Ids of the parcels that lie (partly) in unit ``uid``."""
        return frozenset(self.unit_parcels.get(uid, ()))

    def raw_record(self, pid: Hashable) -> ParcelRecord:
        """The parcel's record as read; ``parcels[pid].rec`` holds its share when it is a piece of a split."""
        return self._raw.get(pid) or self.parcels[pid].rec

    def pieces(self, bsm: str | None) -> list:
        """Ids of the features that carry ``bsm`` (several: pieces of a split, or duplicates)."""
        hit = self._bsm.get(bsm) if bsm is not None else None
        return [] if hit is None else list(hit) if isinstance(hit, list) else [hit]

    def split_bsms(self) -> list[str]:
        """BSMs whose pieces currently share their survey areas (groups explained as splits)."""
        return sorted({rec.bsm for rec in self._raw.values()})

    def _index_bsm(self, pid: Hashable, bsm: str | None) -> None:
        if bsm is None:
            return
        hit = self._bsm.get(bsm)
        if hit is None:
            self._bsm[bsm] = pid
        elif isinstance(hit, list):
            hit.append(pid)
        else:
            self._bsm[bsm] = [hit, pid]

    def _unindex_bsm(self, pid: Hashable, bsm: str | None) -> None:
        if bsm is None:
            return
        hit = self._bsm.get(bsm)
        if isinstance(hit, list):
            hit.remove(pid)
            if len(hit) == 1:
                self._bsm[bsm] = hit[0]
        elif hit is not None:
            del self._bsm[bsm]

    def _group_records(self, bsm: str) -> dict:
        """Parcel id -> the record each piece of ``bsm`` should count with (core.pieces' rule)."""
        shadows = self.shadows
        pids = [pid for pid in self.pieces(bsm) if pid not in shadows]  # identical copies share nothing
        raw = {pid: self.raw_record(pid) for pid in pids}
        if len(pids) < 2:
            return raw
        parcels = self.parcels
        pids.sort(key=_sort_key)
        shared = None
        if explained_as_split([parcels[pid].geom for pid in pids], [survey_key(raw[pid]) for pid in pids]):
            shared = apportion([(pid, raw[pid], parcels[pid].area) for pid in pids], self.area_scale)
        return shared if shared is not None else raw

    def _regroup(self, bsm: str | None) -> None:
        """Give every piece of ``bsm`` its record; only pieces whose numbers change are re-attached."""
        if bsm is None:
            return
        parcels = self.parcels
        for pid, rec in self._group_records(bsm).items():
            p = parcels[pid]
            raw = self._raw.get(pid, p.rec)
            if rec is raw:
                self._raw.pop(pid, None)
            else:
                self._raw[pid] = raw
            if p.rec == rec:
                p.rec = rec
                continue
            pairs = p.pairs
            self._detach(pid, p)
            p.rec = rec
            self._attach(pid, p, pairs)

    def _share_pieces_in_bulk(self, pids: list, recs: list) -> None:
        """Full build: index every BSM, then give the pieces of each split their share (nothing attached yet)."""
        index = self._bsm
        several = []
        for pid, rec in zip(pids, recs):
            bsm = rec.bsm
            if bsm is None:
                continue
            hit = index.get(bsm)
            if hit is None:
                index[bsm] = pid
            elif isinstance(hit, list):
                hit.append(pid)
            else:
                index[bsm] = [hit, pid]
                several.append(bsm)
        parcels = self.parcels
        for bsm in several:
            for pid, rec in self._group_records(bsm).items():
                p = parcels[pid]
                if rec is not p.rec:
                    self._raw[pid] = p.rec
                    p.rec = rec

    def upsert_unit(self, uid: Hashable, code: str, geom: BaseGeometry | None) -> None:
        """Add a unit or reshape/recode it: re-apportions only the parcels near it.

        A pair's contribution depends only on its parcel, its share and its PBF share, so only
        the pairs of this unit whose shares changed are subtracted and added again; the
        parcels' other pairs stay as they are. Integer sums make this exactly a rebuild.
        """
        old = self.units.get(uid)
        u = _Unit(str(code) if code is not None else str(uid), clean_geometry(geom), code is not None)
        if old is None or old.geom is None or u.geom is None:
            if old is not None:
                self.remove_unit(uid)
            self.units[uid] = u
            self.unit_parcels[uid] = set()
            self.aggregates[uid] = Counter()
            if u.geom is not None:
                self._unit_grid.insert(uid, u.bounds)
                self._reshape(uid, u)
            return
        self._unit_grid.remove(uid, old.bounds)
        self.units[uid] = u
        self._unit_grid.insert(uid, u.bounds)
        self._reshape(uid, u)

    def _reshape(self, uid: Hashable, u: _Unit) -> None:
        """Bring the pairs of unit ``uid`` in line with its (new) geometry."""
        parcels = self.parcels
        members = self.unit_parcels[uid]
        agg = self.aggregates[uid]
        project = self.project
        self._update_unit_overlaps(uid)
        overlaps = self._unit_overlaps
        shadows = self.shadows
        pids = [pid for pid in self._parcel_grid.query(u.bounds)
                if parcels[pid].geom is not None and parcels[pid].area > 0 and pid not in shadows]
        found: dict = {}
        if pids:
            geoms = np.array([parcels[pid].geom for pid in pids], dtype=object)
            hit = np.flatnonzero(shapely.intersects(u.geom, geoms))
            if len(hit):
                areas = np.array([parcels[pids[j]].area for j in hit.tolist()])
                for j, share in zip(hit.tolist(), _shares(u.geom, geoms[hit], areas).tolist()):
                    if share > 0:
                        found[pids[j]] = share

        def add(contribution: dict, sign: int) -> None:
            for k, v in contribution.items():
                agg[k] = agg.get(k, 0) + sign * v
                project[k] = project.get(k, 0) + sign * v

        key = _sort_key(uid)
        for pid in sorted(members.union(found), key=_sort_key):
            p = parcels[pid]
            old = next((t for t in p.pairs if t[0] == uid), None)
            share = found.get(pid)
            new = None if share is None else (uid, share, self._pbf_share(p, u.geom, share))
            if old == new:
                # same share: the part counted twice changes only where this unit overlaps another of the parcel's
                if p.over is not None or (overlaps and len(p.pairs) > 1 and any(
                        _pair_key(uid, t[0]) in overlaps for t in p.pairs if t[0] != uid)):
                    self._unover(p)
                    self._over(p)
                continue
            self._unover(p)
            terms = self._terms(p)
            rest = p.pairs
            if old is not None:
                add(self._contribution(p, old[1], old[2], terms), -1)
                rest = tuple(t for t in rest if t[0] != uid)
            if new is None:
                members.discard(pid)
                p.pairs = rest
                self._over(p)
                continue
            add(self._contribution(p, new[1], new[2], terms), +1)
            pos = 0
            while pos < len(rest) and _sort_key(rest[pos][0]) <= key:
                pos += 1
            p.pairs = (*rest[:pos], new, *rest[pos:])
            members.add(pid)
            self._over(p)
        _drop_zeros(agg)
        _drop_zeros(project)

    def remove_unit(self, uid: Hashable) -> None:
        """Remove a unit: its aggregate is exactly the sum of its pairs' contributions."""
        u = self.units.pop(uid, None)
        if u is None:
            return
        parcels = self.parcels
        for key in [k for k in self._unit_overlaps if uid in k]:
            del self._unit_overlaps[key]
        for pid in sorted(self.unit_parcels.pop(uid, ()), key=_sort_key):
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
        cleaned = [g for g in _clean_many(list(geoms or [])) if g is not None]
        self._pbf_geoms = np.array(cleaned, dtype=object) if cleaned else None
        self._pbf_tree = shapely.STRtree(self._pbf_geoms) if cleaned else None
        if rebuild:
            for pid in sorted(self.parcels, key=_sort_key):
                p = self.parcels[pid]
                pairs = p.pairs
                self._detach(pid, p)
                p.pbf_part = self._pbf_part_of(p.geom, p.area, self._pbf_hits(p.geom)) if p.geom is not None else 0.0
                self._attach(pid, p, [(uid, s, self._pbf_share(p, self.units[uid].geom, s)) for uid, s, _ in pairs])

    # ------------------------------------------------------------------ queries
    def unit_code(self, uid: Hashable) -> str:
        return self.units[uid].code

    def aggregate(self, uid: Hashable | None = None) -> Counter:
        """Integer µm² totals of one unit (``None`` = the whole project)."""
        return self.project if uid is None else self.aggregates[uid]

    def class_areas(self, uid: Hashable | None = None) -> dict[str, tuple[float, float]]:
        """Resolved land-class code -> (before m², after m²)."""
        agg = self.aggregate(uid)
        out: dict[str, list[float]] = {}
        for (kind, name), v in agg.items():
            if kind in ("b", "a"):
                out.setdefault(name, [0.0, 0.0])[0 if kind == "b" else 1] += v / SCALE
        return {k: (v[0], v[1]) for k, v in sorted(out.items(), key=lambda kv: self.table.sort_key(kv[0]))}

    def type_areas(self, uid: Hashable | None = None) -> dict[str, float]:
        """Remediation type -> tagged area (m²)."""
        return {name: v / SCALE for (kind, name), v in self.aggregate(uid).items() if kind == "t"}

    def variables(self, uid: Hashable | None = None) -> dict[str, float]:
        """The rule-pack variables of one unit (or the project), in m²."""
        agg = self.aggregate(uid)
        pack = self.pack
        v: dict[str, float] = {}
        for cid in pack.categories:
            v[f"{cid}_before"] = 0
            v[f"{cid}_after"] = 0
        for (kind, name), value in agg.items():
            if kind in ("b", "a"):
                suffix = "_before" if kind == "b" else "_after"
                for cid in pack.categories_of(name):
                    v[cid + suffix] += value
        for cid in pack.categories:
            v[f"{cid}_change"] = v[f"{cid}_after"] - v[f"{cid}_before"]
        for fid in pack.flows:
            v[fid] = agg.get(("f", fid), 0)
        for name in _PBF_VARS:
            v[name] = agg.get(("p", name), 0)
        return {k: val / SCALE for k, val in v.items()}

    def problems(self) -> list[Problem]:
        """Why the data cannot be assessed (validation.py); empty when every verdict may be given."""
        out = list(self.input_problems)
        dup = self.duplicates
        if dup is not None and dup.conflicting_ids:
            ids = sorted({str(i) for i in dup.conflicting_ids})
            out.append(Problem("DUPLICATE_FEATURE_ID", tr(
                "Feature ids used by different parcels: {0}; save the layer as a GeoPackage (which numbers its "
                "features) and use that.").format(", ".join(ids[:8]) + (" …" if len(ids) > 8 else ""))))
        units = [(u.code if u.named else None, u.geom is not None) for u in self.units.values()]
        n_with = sum(1 for m in self.unit_parcels.values() if m)
        out.extend(state_problems(len(self.parcels), len(self.parcels) - len(self.empty_geometry),
                                  self._unknown_class, units, n_with, self.unit_overlaps()))
        return out

    def not_assessable(self) -> str | None:
        """The reasons (one text) why no verdict may be given, or None when the data passed validation."""
        problems = self.problems()
        return "\n".join(p.message for p in problems) if problems else None

    def evaluate(self, uid: Hashable | None = None, reason: str | None | bool = False) -> list[RuleResult]:
        """Every applicable rule of the pack for one unit (or the project).

        Values are always computed; ``passed`` is None with a ``reason`` when the data did not
        pass validation ("not assessable"). ``reason=False``: find it (:meth:`not_assessable`).
        """
        if reason is False:
            reason = self.not_assessable()
        variables = self.variables(uid)
        code = PROJECT if uid is None else self.units[uid].code
        results = []
        for rule in self.pack.rules:
            if not rule.applies_to(uid is None):
                continue
            value = rule.formula.evaluate(variables)
            passed = None if reason else rule.passes(value)
            results.append(RuleResult(code, rule.id, value, rule.threshold, passed, rule.severity, reason or None))
        return results

    def unit_status(self, uid: Hashable | None = None) -> bool | None:
        """False if an error-severity rule fails, True if all applicable errors pass, None if none apply
        or the data is not assessable (:meth:`verdict` tells them apart)."""
        verdicts = [r.passed for r in self.evaluate(uid) if r.severity == "error" and r.passed is not None]
        if not verdicts:
            return None
        return all(verdicts)

    def verdict(self, uid: Hashable | None = None) -> str:
        """"pass", "fail", "n/a" (no rule applies) or "not_assessable" (see :meth:`not_assessable`)."""
        if self.not_assessable():
            return "not_assessable"
        return {True: "pass", False: "fail", None: "n/a"}[self.unit_status(uid)]

    def ordered_units(self) -> list[Hashable]:
        return sorted(self.units, key=lambda uid: (self.units[uid].code, _sort_key(uid)))

    def balance_rows(self) -> list[tuple[str, str, float, float]]:
        """(unit_code, dlbm, before m², after m²) per unit and class, then the project rows ('*')."""
        rows: list[tuple[str, str, float, float]] = []
        by_code: dict[str, dict[str, list[float]]] = {}
        for uid in self.ordered_units():
            target = by_code.setdefault(self.units[uid].code, {})
            for cls, (b, a) in self.class_areas(uid).items():
                acc = target.setdefault(cls, [0.0, 0.0])
                acc[0] += b
                acc[1] += a
        for code, classes in by_code.items():
            for cls in sorted(classes, key=self.table.sort_key):
                rows.append((code, cls, classes[cls][0], classes[cls][1]))
        for cls, (b, a) in self.class_areas(None).items():
            rows.append((PROJECT, cls, b, a))
        return rows

    def indicator_rows(self) -> list[RuleResult]:
        results: list[RuleResult] = []
        reason = self.not_assessable()
        for uid in self.ordered_units():
            results.extend(self.evaluate(uid, reason))
        results.extend(self.evaluate(None, reason))
        return results

    def balance_frame(self):
        import pandas as pd

        return pd.DataFrame(self.balance_rows(), columns=["unit_code", "dlbm", "area_before_m2", "area_after_m2"])

    def indicator_frame(self):
        import pandas as pd

        return pd.DataFrame(
            [(r.unit_code, r.rule_id, r.value, r.threshold, r.passed, r.severity, r.reason)
             for r in self.indicator_rows()],
            columns=["unit_code", "rule_id", "value", "threshold", "passed", "severity", "reason"],
        )

    def warnings(self) -> list[str]:
        """Data problems a planner must see (never silently dropped)."""
        out = []
        if self.unknown_codes:
            items = sorted(self.unknown_codes.items(), key=lambda t: str(t[0]))
            codes = ", ".join(f"{c or 'NULL'} ({n})" for c, n in items)
            out.append(tr("Unknown land-class codes, counted as 'unknown': {0}").format(codes))
        if self.missing_area:
            out.append(tr("{0} parcels have no TBMJ; their area was measured from the geometry").format(
                len(self.missing_area)))
        if self.empty_geometry:
            out.append(tr("{0} parcels have no usable geometry and belong to no unit").format(len(self.empty_geometry)))
        if self._raw:
            out.append(tr("{0} survey parcels (BSM) are in several pieces (split); each piece counts with its share "
                          "of TBMJ, KCMJ and TBDLMJ by area").format(len(self.split_bsms())))
        notes = GeometryNotes()
        for pid, what in sorted(self.geometry_fixes.items(), key=lambda kv: _sort_key(kv[0])):
            getattr(notes, what).append(pid)
        dup = DuplicateNotes(identical=sorted(self.shadows, key=_sort_key),
                             same_id=list(self.duplicates.same_id) if self.duplicates is not None else [])
        out.extend(sanitised_warnings(notes, dup, None))
        out.extend(self.input_warnings)
        return out

    def fingerprint(self) -> dict:
        """The whole observable state, for comparing incremental and full builds."""
        return {
            "units": {uid: dict(agg) for uid, agg in self.aggregates.items()},
            "project": dict(self.project),
            "unknown": dict(self.unknown_codes),
        }


def _pair_key(a: Hashable, b: Hashable) -> tuple:
    return (a, b) if _sort_key(a) <= _sort_key(b) else (b, a)


def _sort_key(value: Hashable) -> tuple:
    """Stable order over mixed id types (ints before strings)."""
    return (0, value, "") if isinstance(value, (int, np.integer)) else (1, 0, str(value))


__all__ = ["PROJECT", "SCALE", "BalanceEngine", "BuildCancelled", "RuleResult", "clean_geometry"]
