"""The near-graph of the contiguity state and its spatial index, both editable parcel by parcel.

* :class:`Adjacency` holds the near-graph of the full build as CSR arrays and, for the
  parcels an edit touched since, their neighbour sets (``_own``): a build stays numpy-fast
  and an edit changes a handful of sets.
* :class:`NearIndex` answers "which parcels lie within the gap of this geometry": the build's
  STRtree, minus the parcels whose geometry changed since (``stale``), plus those current
  geometries checked in one vectorised ``dwithin`` (``moved``); past ``REBUILD_AFTER`` moved
  parcels the tree is rebuilt.
"""
from __future__ import annotations

from typing import Hashable, Iterable

import numpy as np
import shapely

REBUILD_AFTER = 2048


def csr(n: int, a: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(indptr, indices) of the undirected edges a–b over ``n`` nodes."""
    src = np.concatenate([a, b])
    dst = np.concatenate([b, a])
    order = np.argsort(src, kind="stable")
    indptr = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(np.bincount(src, minlength=n), out=indptr[1:])
    return indptr, dst[order]


def within(tree_or_geoms, geom, gap: float) -> np.ndarray:
    """Indices of the tree's geometries within ``gap`` of ``geom`` (touching when gap is 0)."""
    if gap > 0:
        return tree_or_geoms.query(geom, predicate="dwithin", distance=gap)
    return tree_or_geoms.query(geom, predicate="intersects")


class Adjacency:
    """Undirected near-graph over parcel ids: bulk CSR plus per-parcel overrides."""

    def __init__(self, pids: list, indptr: np.ndarray, indices: np.ndarray):
        self._pids = pids
        self._index = dict(zip(pids, range(len(pids))))
        self._indptr = indptr
        self._indices = indices
        self._own: dict[Hashable, set] = {}

    def neighbours(self, pid: Hashable) -> Iterable:
        hit = self._own.get(pid)
        if hit is not None:
            return hit
        i = self._index.get(pid)
        if i is None:
            return ()
        pids = self._pids
        return [pids[j] for j in self._indices[self._indptr[i]:self._indptr[i + 1]].tolist()]

    def _owned(self, pid: Hashable) -> set:
        hit = self._own.get(pid)
        if hit is None:
            hit = self._own[pid] = set(self.neighbours(pid))
        return hit

    def drop(self, pid: Hashable) -> None:
        """Take away every edge of ``pid``."""
        for q in list(self.neighbours(pid)):
            self._owned(q).discard(pid)
        self._own[pid] = set()

    def link(self, pid: Hashable, others: Iterable) -> None:
        mine = self._owned(pid)
        for q in others:
            if q != pid:
                mine.add(q)
                self._owned(q).add(pid)


class NearIndex:
    """Parcels within the gap of a geometry, kept current as geometries change."""

    def __init__(self, gap: float, pids: list, geoms: np.ndarray):
        self.gap = gap
        self._reset(pids, geoms)

    def _reset(self, pids: list, geoms: np.ndarray) -> None:
        self._pids = list(pids)
        self._tree = shapely.STRtree(geoms)
        self._in_tree = set(self._pids)
        self._stale: set = set()
        self._moved: dict = {}
        self._moved_arrays: tuple | None = None

    def set(self, pid: Hashable, geom) -> None:
        """``pid`` now has ``geom`` (None: no longer a parcel of any patch)."""
        if pid in self._in_tree:
            self._stale.add(pid)
        if geom is None:
            self._moved.pop(pid, None)
        else:
            self._moved[pid] = geom
        self._moved_arrays = None

    def maybe_rebuild(self, current: dict) -> None:
        """Rebuild the tree from ``current`` (pid -> geometry) once many parcels moved."""
        if len(self._moved) > REBUILD_AFTER:
            pids = list(current)
            geoms = np.empty(len(pids), dtype=object)
            geoms[:] = [current[p] for p in pids]
            self._reset(pids, geoms)

    def near(self, geom, pid: Hashable) -> list:
        """Ids of the parcels (other than ``pid``) within the gap of ``geom``."""
        stale, pids = self._stale, self._pids
        found = [pids[i] for i in within(self._tree, geom, self.gap).tolist()]
        found = [q for q in found if q not in stale and q != pid]
        if self._moved:
            if self._moved_arrays is None:
                ids = list(self._moved)
                arr = np.empty(len(ids), dtype=object)
                arr[:] = [self._moved[q] for q in ids]
                self._moved_arrays = (ids, arr)
            ids, arr = self._moved_arrays
            if self.gap > 0:
                hit = shapely.dwithin(geom, arr, self.gap)
            else:
                hit = shapely.intersects(geom, arr)
            found.extend(ids[k] for k in np.flatnonzero(hit).tolist() if ids[k] != pid)
        return found
