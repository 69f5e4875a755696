"""Pieces of one survey parcel: splits and merges conserve the survey area (docs/domain.md §6).

QGIS 3.22's *Split Features* copies every attribute onto each piece, TBMJ too; its *Merge
Selected Features* keeps one feature's values. Left alone, a parcel cut at a unit boundary
counts twice. This module decides what the pieces of one 三调 parcel (same BSM) carry:

* **Which groups are pieces of one parcel** (:func:`explained_as_split`,
  :func:`split_groups`): two or more features with the same BSM whose geometries do not
  overlap each other (an overlap of at most ``max(1 m², 1 % of the smaller piece)`` is
  digitising noise). Same-BSM features that do overlap are duplicates, not a split: they are
  left as they are, for the data checks to report.
* **The group's survey totals** (:func:`group_totals`): the features with exactly the same
  TBMJ value form a class of ``k`` pieces with value ``v`` and ellipsoidal area ``A``. Such a
  class stands for ``m = round(A / v)`` (clamped to 1..k) original shares: ``m = 1`` when QGIS
  copied the parcel's TBMJ onto every piece (``A ≈ v``), ``m = k`` when the values are already
  apportioned shares that happen to be equal (an exact half split written by the plugin:
  ``A ≈ k·v``). 三调 TBMJ *is* the parcel's ellipsoidal area, so the right reading is the one
  whose total matches the geometry; values that differ from each other are apportioned shares
  and simply add up. The group's TBMJ is ``Σ m·v`` over its classes; KCMJ and TBDLMJ take the
  same reading (the mean of the copies, or the sum of the shares: ``m/k ×`` the class sum).
  The reading holds while a piece's TBMJ is within ±50 % of its area (data far off that is
  a finding of the data checks, not something to guess about).
* **Each piece's share** (:func:`apportion`): the group totals times the piece's area over
  the group's area. Areas are the engine's planar ones in the working CRS (a CGCS2000
  Gauss–Krüger zone), whose ratios equal ellipsoidal ones to < 1e-6 and are the very areas
  the unit apportioning uses, so a parcel split along a unit boundary gives each unit exactly
  what the unsplit parcel gave it.

Everything here is pure and deterministic (pieces in a fixed order), so an incremental
update of one group gives bit for bit what a full rebuild gives.
"""
from __future__ import annotations

import copy
from typing import Hashable, Iterable, Sequence

import numpy as np
import shapely
from shapely.geometry.base import BaseGeometry

from .areas import survey_terms
from .checks import DEFAULT_TOLERANCE
from .fields import ParcelRecord

#: overlap between two pieces still counted as "not overlapping": digitising noise
OVERLAP_ABS = DEFAULT_TOLERANCE  # m²: the constraint checks' digitising noise
OVERLAP_REL = 0.01  # of the smaller piece
#: pieces this close count as touching (a split's pieces share the cut line exactly)
TOUCH_TOLERANCE = 0.01  # m


def _order(value: Hashable) -> tuple:
    return (0, value, "") if isinstance(value, (int, np.integer)) else (1, 0, str(value))


def survey_key(rec: ParcelRecord) -> tuple:
    """What every piece of one survey parcel has in common (a split copies it): the class before and
    its deduction. Features with one BSM that differ here are different parcels sharing an id by
    mistake, never pieces."""
    return (rec.dlbm, rec.kcdlbm, rec.kcxs)


def _connected(n: int, left: np.ndarray, right: np.ndarray) -> bool:
    root = list(range(n))

    def find(i: int) -> int:
        while root[i] != i:
            root[i] = root[root[i]]
            i = root[i]
        return i

    for a, b in zip(left.tolist(), right.tolist()):
        root[find(a)] = find(b)
    return len({find(i) for i in range(n)}) == 1


def explained_as_split(geoms: Sequence[BaseGeometry | None], keys: Sequence[Hashable] | None = None) -> bool:
    """True if these pieces (of one BSM) can be the result of splitting one parcel.

    That is: at least two usable polygons that together form one connected whole (each touches
    another within ``TOUCH_TOLERANCE``: a split's pieces share the cut line), no two of them
    overlapping by more than ``max(OVERLAP_ABS, OVERLAP_REL × the smaller one's area)``, and,
    when ``keys`` (:func:`survey_key` of each piece) are given, all with the same key. Planar
    geometries in metres. Pieces of a multi-part parcel whose parts lie apart are therefore not
    grouped: each keeps its own numbers, and the data checks report the TBMJ that no longer fits.
    """
    arr = np.array([g for g in geoms if g is not None and not g.is_empty], dtype=object)
    if len(arr) < 2 or len(arr) != len(geoms):
        return False
    if keys is not None and len(set(keys)) != 1:
        return False
    areas = shapely.area(arr)
    left, right = shapely.STRtree(arr).query(arr, predicate="dwithin", distance=TOUCH_TOLERANCE)
    keep = left < right
    left, right = left[keep], right[keep]
    if not _connected(len(arr), left, right):
        return False
    hit = shapely.intersects(arr[left], arr[right])
    left, right = left[hit], right[hit]
    if not len(left):
        return True
    overlap = shapely.area(shapely.intersection(arr[left], arr[right]))
    limit = np.maximum(OVERLAP_ABS, OVERLAP_REL * np.minimum(areas[left], areas[right]))
    return bool((overlap <= limit).all())


def split_groups(parcels: Iterable[tuple[Hashable, str | None, BaseGeometry | None]]) -> dict[str, list]:
    """BSM -> its pieces' ids, for every BSM held by several features that is explained as a split.

    ``parcels`` are ``(id, BSM, planar geometry)``. A BSM held by several features that is
    *not* in the result is a duplicate the pieces of a split cannot explain (they overlap, or
    one has no geometry): that is for the data checks to report. Ids come in a stable order.
    """
    by_bsm: dict[str, list] = {}
    geoms: dict[Hashable, BaseGeometry | None] = {}
    for pid, bsm, geom in parcels:
        if bsm is None:
            continue
        by_bsm.setdefault(bsm, []).append(pid)
        geoms[pid] = geom
    out = {}
    for bsm, pids in by_bsm.items():
        if len(pids) > 1:
            pids = sorted(pids, key=_order)
            if explained_as_split([geoms[p] for p in pids]):
                out[bsm] = pids
    return out


def group_totals(pieces: Sequence[tuple[ParcelRecord, float]]) -> tuple[float, float, float] | None:
    """(TBMJ, KCMJ, TBDLMJ) of the survey parcel whose pieces are ``(record, ellipsoidal m²)``.

    See the module docstring for the rule. ``None`` when it cannot be told (a piece without
    TBMJ: the engine then keeps every piece as it is).
    """
    classes: dict[float, list] = {}
    for rec, area in pieces:
        if rec.tbmj is None:
            return None
        classes.setdefault(rec.tbmj, []).append((rec, area))
    tbmj = kcmj = tbdlmj = 0.0
    for value, members in classes.items():
        k = len(members)
        area = sum(a for _r, a in members)
        m = k if value <= 0 else max(1, min(k, int(round(area / value))))
        tbmj += m * value
        terms = [survey_terms(r.tbmj, r.kcmj, r.tbdlmj, a) for r, a in members]  # TBMJ is known here
        kc = sum(t[1] for t in terms)
        td = sum(t[2] for t in terms)
        kcmj += kc * m / k
        tbdlmj += td * m / k
    return tbmj, kcmj, tbdlmj


def apportion(pieces: Sequence[tuple[Hashable, ParcelRecord, float]], area_scale: float = 1.0
              ) -> dict[Hashable, ParcelRecord] | None:
    """Each piece's record with its share of the group's TBMJ, KCMJ and TBDLMJ.

    ``pieces`` are ``(id, record as read, planar area)`` of one group explained as a split;
    ``area_scale`` turns planar areas into ellipsoidal m² (for telling copies from shares).
    Shares are planar area over the group's planar area. ``None`` if the totals cannot be
    told or the pieces have no area; the records given are never changed.
    """
    pieces = sorted(pieces, key=lambda t: _order(t[0]))
    total_area = 0.0
    for _pid, _rec, area in pieces:
        total_area += area
    if not total_area > 0:
        return None
    totals = group_totals([(rec, area * area_scale) for _pid, rec, area in pieces])
    if totals is None:
        return None
    tbmj, kcmj, tbdlmj = totals
    out = {}
    for pid, rec, area in pieces:
        share = area / total_area
        eff = copy.copy(rec)
        eff.tbmj = tbmj * share
        eff.kcmj = kcmj * share if (rec.kcmj is not None or kcmj) else rec.kcmj
        eff.tbdlmj = tbdlmj * share
        out[pid] = eff
    return out


def covered_by(container: BaseGeometry, piece: BaseGeometry, tolerance: float = OVERLAP_REL) -> bool:
    """True if at least ``1 − tolerance`` of ``piece``'s area lies inside ``container`` (a merge)."""
    area = float(shapely.area(piece))
    if not area > 0:
        return False
    return float(shapely.area(shapely.intersection(container, piece))) >= (1.0 - tolerance) * area


def find_merges(before: dict[Hashable, BaseGeometry | None], after: dict[Hashable, BaseGeometry | None]
                ) -> dict[Hashable, list]:
    """Merges in one edit: merged feature id -> the ids merged into it (itself first if it existed).

    ``before`` / ``after`` are the planar geometries of the features an edit touched, before
    and after it. A feature that is gone and whose old geometry lies inside a feature's new
    geometry was merged into it. QGIS 3.22's *Merge Selected Features* deletes the selected
    features and adds one new; later versions keep one of them and delete the others: both
    read the same here.
    """
    gone = sorted((pid for pid in before if pid not in after and before[pid] is not None), key=_order)
    out: dict[Hashable, list] = {}
    for pid in sorted(after, key=_order):
        geom = after[pid]
        if geom is None or not gone:
            continue
        parts = [g for g in gone if covered_by(geom, before[g])]
        if parts:
            out[pid] = ([pid] if pid in before else []) + parts
            gone = [g for g in gone if g not in parts]
    return out


def conserved_areas(before: dict[Hashable, tuple[str | None, ParcelRecord, BaseGeometry | None]],
                    after: dict[Hashable, tuple[str | None, float, BaseGeometry | None]],
                    merges: dict[Hashable, list],
                    keys: dict[Hashable, Hashable] | None = None) -> dict[Hashable, tuple[float, float, float]]:
    """(TBMJ, KCMJ, TBDLMJ) each piece should carry after an edit, so that no survey area is made or lost.

    ``before``: every piece of the survey parcels the edit touched, ``(BSM, record as counted,
    geometry)``; ``after``: the pieces of those parcels now, ``(BSM, planar area, geometry)``;
    ``merges`` from :func:`find_merges`. What a parcel counted before moves with its pieces:
    to the same BSM when a piece is kept or split off, to the merged feature's BSM when it was
    merged (a merge sums), nowhere when it was deleted. Each BSM's total is then shared by area
    among its pieces. Pieces without BSM follow the feature they were split from (the one whose
    old geometry covers them). Groups whose pieces overlap (duplicates, a paste), lie apart or, with
    ``keys`` (piece id -> :func:`survey_key` now), differ in class are left out: different parcels
    sharing a BSM by mistake are never rewritten.
    """
    into = {part: pid for pid, parts in merges.items() for part in parts}
    gone_geoms = {pid: before[pid][2] for pid in before}

    def key_after(pid: Hashable) -> Hashable | None:
        bsm = after[pid][0]
        if bsm is not None:
            return bsm
        if pid in before and into.get(pid, pid) == pid:
            return ("fid", pid)
        if pid not in before and pid not in merges:  # split off a feature without BSM
            for origin in sorted(gone_geoms, key=_order):
                if before[origin][0] is None and gone_geoms[origin] is not None and after[pid][2] is not None \
                        and covered_by(gone_geoms[origin], after[pid][2]):
                    return ("fid", origin)
        return ("fid", pid) if pid in merges else None

    mass: dict[Hashable, list[float]] = {}
    for pid in sorted(before, key=_order):
        _bsm, rec, _geom = before[pid]
        target = into.get(pid, pid)
        if target not in after or rec.tbmj is None:
            continue  # deleted: its land is gone
        dest = key_after(target)
        if dest is None:
            continue
        m = mass.setdefault(dest, [0.0, 0.0, 0.0])
        tbmj, kcmj, tbdlmj = survey_terms(rec.tbmj, rec.kcmj, rec.tbdlmj, 0.0)  # TBMJ is known here
        m[0] += tbmj
        m[1] += kcmj
        m[2] += tbdlmj
    members: dict[Hashable, list] = {}
    for pid in sorted(after, key=_order):
        key = key_after(pid)
        if key in mass:
            members.setdefault(key, []).append(pid)
    out: dict[Hashable, tuple[float, float, float]] = {}
    for key, pids in members.items():
        if len(pids) > 1 and not explained_as_split([after[p][2] for p in pids],
                                                    None if keys is None else [keys.get(p) for p in pids]):
            continue
        total = sum(after[p][1] for p in pids)
        if not total > 0:
            continue
        tbmj, kcmj, tbdlmj = mass[key]
        for p in pids:
            share = after[p][1] / total
            out[p] = (tbmj * share, kcmj * share, tbdlmj * share)
    return out


__all__ = ["OVERLAP_ABS", "OVERLAP_REL", "apportion", "conserved_areas", "covered_by", "explained_as_split",
           "find_merges", "group_totals", "split_groups", "survey_key"]
