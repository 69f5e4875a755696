"""The full build's geometry work, chunk by chunk: parse, repair, measure, the PBF overlay and the unit joins.

The parcels' geometries come as shapely geometries, as WKB (``bytes``, None where missing) or as the
reader's :class:`~.store.PackedGeometries`. A chunk of rows (``CHUNK``) is made into GEOS geometries,
repaired, measured and joined against the units and the PBF polygons (the fewer, bigger side), and
only what the engine keeps leaves it: the WKB (the input's own where nothing was repaired), the
areas and boxes, the PBF parts and the pairs. Every value is what the same GEOS calls give for one
parcel at a time, so the chunk size changes nothing (tests/core/test_engine_chunks.py).
"""
from __future__ import annotations

from typing import Hashable

import numpy as np
import shapely

from ..validation import clean_polygonal
from .apportion import pbf_part_from, pbf_relation
from .geometry import in_threads, in_threads_prepared
from .overlay_area import intersection_areas
from .packed import PackedGeometries
from .store import Columns

#: parcels per chunk: their GEOS geometries (about 500 B each) and the chunk's STRtree are all the
#: build holds beyond what it keeps
CHUNK = 131_072

_POLYGONAL = (3, 6)  # Polygon, MultiPolygon


def _pid(ids: np.ndarray, k: int) -> Hashable:
    v = ids[k]
    return v.item() if isinstance(v, np.generic) else v


class GeometrySource:
    """The parcels' geometries as given, read chunk by chunk."""

    def __init__(self, geoms):
        self.packed = geoms if isinstance(geoms, PackedGeometries) else None
        self.arr = None
        self.is_wkb = self.packed is not None
        if self.packed is None:
            arr = geoms if isinstance(geoms, np.ndarray) and geoms.dtype == object else None
            if arr is None:
                arr = np.empty(len(geoms), dtype=object)
                arr[:] = list(geoms)
            self.arr = arr
            first = next((g for g in arr.tolist() if g is not None), None)
            self.is_wkb = isinstance(first, (bytes, bytearray, memoryview))

    def __len__(self) -> int:
        return len(self.packed) if self.packed is not None else len(self.arr)

    def chunk(self, a: int, b: int) -> tuple[np.ndarray, np.ndarray | None, np.ndarray]:
        """(geometries, their WKB or None, rows whose WKB GEOS could not read) of rows ``a:b``."""
        if not self.is_wkb:
            return self.arr[a:b].copy(), None, np.zeros(0, dtype=np.int64)
        wkb = self.packed.wkb(a, b) if self.packed is not None else self.arr[a:b]
        if self.packed is None and any(w is not None and not isinstance(w, bytes) for w in wkb.tolist()):
            blobs = np.empty(len(wkb), dtype=object)  # bytearray, memoryview: as bytes
            blobs[:] = [None if w is None else bytes(w) for w in wkb.tolist()]
            wkb = blobs
        geoms = shapely.from_wkb(wkb, on_invalid="ignore")
        bad = np.flatnonzero(np.not_equal(wkb, None) & shapely.is_missing(geoms))
        return geoms, wkb, bad

    def geometries(self) -> tuple[np.ndarray, np.ndarray]:
        """Every row's geometry at once (the rare path: repeated feature ids), and the unreadable rows."""
        parts = [self.chunk(a, min(len(self), a + CHUNK)) for a in range(0, len(self), CHUNK)]
        if not parts:
            return np.empty(0, dtype=object), np.zeros(0, dtype=np.int64)
        geoms = np.concatenate([p[0] for p in parts])
        bad = np.concatenate([p[2] + k * CHUNK for k, p in enumerate(parts)])
        return geoms, bad


class ChunkOut:
    """What the chunks leave: the WKB kept (packed), and the rows whose WKB differs from the input's."""

    def __init__(self, source: GeometrySource):
        self.source = source
        self.packed = PackedGeometries() if source.packed is None else None
        self.changed_rows: list = []
        self.changed_wkb: list = []

    def add(self, a: int, geoms: np.ndarray, wkb: np.ndarray | None, changed: np.ndarray) -> None:
        if wkb is None:
            self.packed.append_wkb(shapely.to_wkb(geoms))
            return
        new = shapely.to_wkb(geoms[changed]) if len(changed) else []
        if self.packed is not None:
            wkb = wkb.copy()
            wkb[changed] = new
            self.packed.append_wkb(wkb)
        else:
            self.changed_rows.extend((changed + a).tolist())
            self.changed_wkb.extend(list(new))

    def result(self) -> PackedGeometries:
        if self.packed is not None:
            return self.packed
        src = self.source.packed
        if not self.changed_rows:
            return src
        return src.replaced(np.asarray(self.changed_rows, dtype=np.int64), self.changed_wkb)


class _ChunkJoins:
    """The geometry steps of :meth:`~.build._FullBuild.build_columns` on one chunk. A mixin of the engine."""

    def _clean_chunk(self, ids: np.ndarray, a: int, geoms: np.ndarray, bad: np.ndarray) -> np.ndarray:
        """Repair in place what is not a valid polygon (noted in ``geometry_fixes``); the rows changed."""
        fixes = self.geometry_fixes
        ok = ~shapely.is_missing(geoms)
        fine = ok & in_threads(lambda k: shapely.is_valid(geoms[k]), np.arange(len(geoms)), 50_000)
        with np.errstate(all="ignore"):
            sub = np.where(fine, geoms, None)
            fine &= np.isin(shapely.get_type_id(sub), _POLYGONAL) & ~shapely.is_empty(sub)
            b = shapely.bounds(sub)
            fine &= np.all(np.isfinite(b) & (np.abs(b) < 1e15), axis=1)
            ar = shapely.area(sub)
            fine &= np.isfinite(ar) & (ar > 0)
        del sub, b, ar
        changed = np.flatnonzero(ok & ~fine)
        for i in changed.tolist():
            geoms[i], what = clean_polygonal(geoms[i])
            if what:
                fixes[_pid(ids, a + i)] = what
        for i in bad.tolist():  # WKB GEOS cannot read: a geometry, but none to use
            fixes[_pid(ids, a + i)] = "unusable"
        return np.union1d(changed, bad)

    def _pbf_chunk(self, tree: shapely.STRtree, base: Columns, a: int, geoms: np.ndarray) -> None:
        """PBF overlay of a chunk: covered parcels are whole, parcels only touching PBF have none; the parts of
        the partly covered ones as :meth:`_pbf_part_of` makes them (the pieces of the polygons whose interior
        meets the parcel's: :func:`~.apportion.pbf_relation`), from the same intersections (made once)."""
        pbf_geoms = self._pbf_geoms
        hi, pi = tree.query(pbf_geoms, predicate="intersects")
        order = np.lexsort((hi, pi))
        pi, hi = pi[order], hi[order]
        if not len(pi):
            return
        relation = in_threads_prepared(lambda k, own: shapely.contains_properly(own[hi[k]], geoms[pi[k]]),
                                       np.arange(len(pi)), pbf_geoms).astype(np.int8)
        edge = np.flatnonzero(relation == 0)  # one relate for the others (no second pass for the covered test)
        relation[edge] = in_threads(lambda k: np.fromiter(map(pbf_relation, shapely.relate(
            pbf_geoms[hi[k]], geoms[pi[k]]).tolist()), dtype=np.int8, count=len(k)), edge)
        whole = np.unique(pi[relation == 1])
        base.pbf[whole + a] = 1.0
        rest = (relation == 2) & ~np.isin(pi, whole)  # a polygon only touching the parcel gives it nothing
        pi, hi = pi[rest], hi[rest]
        if not len(pi):
            return
        pieces = np.empty(len(pi), dtype=object)

        def cut(k: np.ndarray) -> np.ndarray:
            pieces[k] = shapely.intersection(geoms[pi[k]], pbf_geoms[hi[k]])
            return shapely.area(pieces[k]) > 0

        positive = in_threads(cut, np.arange(len(pi)))
        starts = np.searchsorted(pi, np.unique(pi[positive]))
        ends = np.searchsorted(pi, pi[starts], side="right")
        areas = base.areas
        for s, e in zip(starts.tolist(), ends.tolist()):
            i = int(pi[s])
            part = pbf_part_from(list(pieces[s:e]), float(areas[a + i]))
            if isinstance(part, float):
                base.pbf[a + i] = part
            else:
                base.pbf[a + i] = np.nan
                base.pbf_parts[a + i] = part

    def _units_chunk(self, tree: shapely.STRtree, base: Columns, a: int, geoms: np.ndarray, uarr: np.ndarray,
                     has: np.ndarray, rank: np.ndarray) -> tuple:
        """(unit, row, share, PBF share) of the chunk's pairs, sorted by row then by the units' sort key."""
        ui, pi = tree.query(uarr[has])  # the boxes only: the prepared predicates run on threads below
        ui = has[ui]
        inside = in_threads_prepared(lambda k, own: shapely.contains_properly(own[ui[k]], geoms[pi[k]]),
                                     np.arange(len(ui)), uarr)
        rest = np.flatnonzero(~inside)  # a parcel properly inside a unit intersects it: tested only here
        meets = inside.copy()
        meets[rest] = in_threads_prepared(lambda k, own: shapely.intersects(own[ui[k]], geoms[pi[k]]), rest, uarr)
        ui, pi, inside = ui[meets], pi[meets], inside[meets]
        shares = np.ones(len(ui))
        part = np.flatnonzero(~inside)
        if len(part):  # in pieces: the intersections are big and only their area is kept
            inter = in_threads_prepared(lambda k, own: intersection_areas(own[ui[k]], geoms[pi[k]]), part, uarr)
            shares[part] = np.minimum(1.0, inter / base.areas[pi[part] + a])
        keep = shares > 0
        ui, pi, shares = ui[keep].astype(np.int32), (pi[keep] + a).astype(np.int32), shares[keep]
        order = np.lexsort((rank[ui], pi))
        ui, pi, shares = ui[order], pi[order], shares[order]
        return ui, pi, shares, self._pair_pbf_shares(base, uarr, ui, pi, shares)

    def _pair_pbf_shares(self, base: Columns, uarr: np.ndarray, ui, pi, shares) -> np.ndarray:
        """PBF share of every pair (:meth:`_pbf_share`): share × PBF part, areas for the partly covered."""
        part = base.pbf[pi]
        pbfs = shares * part
        cut = []
        for j in np.flatnonzero(np.isnan(part)).tolist():
            geom, area, share = base.pbf_parts[int(pi[j])], float(base.areas[pi[j]]), float(shares[j])
            if share == 1.0:
                pbfs[j] = float(shapely.area(geom)) / area
            else:
                cut.append(j)
        if cut:  # in one call: each pair's area is the one an edit's _pbf_share computes alone
            geoms = np.empty(len(cut), dtype=object)
            geoms[:] = [base.pbf_parts[int(pi[j])] for j in cut]
            pbfs[cut] = intersection_areas(uarr[ui[cut]], geoms) / base.areas[pi[cut]]
        return pbfs
