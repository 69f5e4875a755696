"""The engine's parcel store: the parcels of a full build as columns, a ``_Parcel`` only where needed.

A full build keeps its parcels as arrays (:class:`Columns`: ids, geometries, measured areas,
records as columns, PBF parts and the pairs as CSR arrays) and makes no Python object per
parcel. :class:`ParcelStore` is the mapping ``parcel id -> _Parcel`` the rest of the engine
uses: a row's ``_Parcel`` is made from the columns the first time an edit (or a rare case of the
build) needs it and kept, so edits mutate that object ("append + tombstones": a removed row is
marked dead, a parcel added or re-added after the build goes to ``tail``). The columns never
change after the build, which is what lets a snapshot share them. Reads of the public API use
the ``rec`` / ``geom`` / ``area`` / ``pairs`` accessors, which make no object
(docs/architecture.md "The engine").
"""
from __future__ import annotations

import math
from typing import Hashable, Iterator

import numpy as np

from ..fields import ParcelRecord
from ..fields_columns import factorize_exact
from ..record_columns import NUMBER_SLOTS, TEXT_SLOTS, RecordColumns
from .grid import Grid
from .packed import PackedGeometries  # noqa: F401  (its old home: importers may look here)
from .state import _Parcel
from .static_index import StaticIndex

_ARGS = ParcelRecord.__init__.__code__.co_varnames[1:ParcelRecord.__init__.__code__.co_argcount]  # its fields in order
_FACTORIZE = ("dlbm", "kcdlbm", "zzlx", "ghdlbm", "yncz", "gdpdjb", "gdlx", "zldwdm")  # few distinct values


class Records:
    """Parcel records as columns, text slots with few distinct values as codes (a str per value, not per row)."""

    __slots__ = ("codes", "numbers", "objects", "uniques")

    def __init__(self, cols: RecordColumns, consume: bool = False):
        """``consume``: each slot coded leaves ``cols.data`` (its object array freed now, not after the build)."""
        self.codes: dict[str, np.ndarray] = {}
        self.uniques: dict[str, list] = {}
        self.objects: dict[str, np.ndarray] = {}
        for s in TEXT_SLOTS:
            values = np.asarray(cols[s], dtype=object)
            if s in _FACTORIZE and len(values):
                codes, uniques = factorize_exact(values, none_code=True)  # "a" and "a\x00b" kept apart
                self.codes[s] = codes.astype(np.int32)
                self.uniques[s] = [*list(uniques), None]  # code -1 is None
                if consume:
                    del values, cols.data[s]
            else:
                self.objects[s] = values
        self.numbers = {s: np.asarray(cols[s], dtype=np.float64) for s in NUMBER_SLOTS}

    def __len__(self) -> int:
        return len(self.numbers["tbmj"])

    def record(self, i: int) -> ParcelRecord:
        values = {}
        for s, codes in self.codes.items():
            values[s] = self.uniques[s][codes[i]]
        for s, arr in self.objects.items():
            values[s] = arr[i]
        for s, arr in self.numbers.items():
            v = float(arr[i])
            values[s] = None if math.isnan(v) else v
        return ParcelRecord(**values)

    def records(self, rows: list) -> list:
        """``[self.record(i) for i in rows]``, a column at a time: the same values."""
        rows, values = np.asarray(rows, dtype=np.int64), {}
        for s, codes in self.codes.items():
            u = self.uniques[s]
            values[s] = [u[c] for c in codes[rows].tolist()]
        for s, arr in self.objects.items():
            values[s] = arr[rows].tolist()
        for s, arr in self.numbers.items():
            values[s] = [None if v != v else v for v in arr[rows].tolist()]
        return [ParcelRecord(*vs) for vs in zip(*(values[s] for s in _ARGS))]  # positional: no dict a record

    def factors(self, slot: str, rows: np.ndarray) -> tuple[np.ndarray, list]:
        """(codes, values) of a text slot at ``rows``: ``values[codes[k]]`` is row k's value (code -1: None)."""
        if slot in self.codes:
            return self.codes[slot][rows], self.uniques[slot]
        codes, uniques = factorize_exact(self.objects[slot][rows], none_code=True)
        return codes, [*uniques, None]

    def column(self, slot: str) -> np.ndarray:
        """A text slot as an object array."""
        if slot in self.objects:
            return self.objects[slot]
        values = np.empty(len(self.uniques[slot]), dtype=object)
        values[:] = self.uniques[slot]
        return values[self.codes[slot]]  # code -1: the last value, None


class Columns:
    """The parcels of a full build; never changed afterwards (edits go to the store's ``_Parcel`` objects)."""

    __slots__ = (
        "_uindex",
        "areas",
        "first",
        "geoms",
        "ids",
        "index",
        "int_ids",
        "order",
        "pair_pbf",
        "pair_share",
        "pair_start",
        "pair_unit",
        "pbf",
        "pbf_parts",
        "recs",
        "sorted_ids",
        "uids",
        "where",
    )

    def __init__(self, ids: np.ndarray, geoms: np.ndarray, areas: np.ndarray, recs: Records):
        self.ids, self.geoms, self.areas, self.recs = ids, geoms, areas, recs
        n = len(ids)
        self.int_ids = ids.dtype.kind == "i"
        self.where: dict | None = None
        self.sorted_ids = self.order = self.first = None
        if self.int_ids:
            if n < 2 or bool(np.all(ids[1:] > ids[:-1])):
                self.sorted_ids = ids
                if n and int(ids[-1]) - int(ids[0]) == n - 1:
                    self.first = int(ids[0])  # consecutive ids (feature ids of a file): the row is pid - first
            else:
                self.order = np.argsort(ids, kind="stable")
                self.sorted_ids = ids[self.order]
        else:
            self.where = {pid: k for k, pid in enumerate(ids.tolist())}
        self.pbf = np.zeros(n)  # 0.0 / 1.0, NaN: a partial part in ``pbf_parts``
        self.pbf_parts: dict[int, object] = {}
        self.pair_start = np.zeros(n + 1, dtype=np.int64)  # row r's pairs: pair_start[r]:pair_start[r + 1]
        self.pair_unit = np.zeros(0, dtype=np.int32)  # index into ``uids``
        self.pair_share = np.zeros(0)
        self.pair_pbf = np.zeros(0)
        self.uids: list = []
        self._uindex: tuple = (None, {})  # (uids, unit id -> index in uids), made on first use
        self.index: StaticIndex | None = None  # the rows' boxes, for the edits (static_index)

    def row(self, pid: Hashable) -> int:
        """The row of ``pid``, -1 when it has none."""
        if self.where is not None:
            try:
                return self.where.get(pid, -1)
            except TypeError:  # unhashable
                return -1
        if isinstance(pid, bool) or not isinstance(pid, (int, np.integer)):
            return -1
        if self.first is not None:
            k = int(pid) - self.first
            return k if 0 <= k < len(self.ids) else -1
        ids = self.sorted_ids
        try:
            k = int(np.searchsorted(ids, pid))
        except OverflowError:
            return -1
        if k >= len(ids) or ids[k] != pid:
            return -1
        return int(self.order[k]) if self.order is not None else k

    def pid(self, row: int) -> Hashable:
        v = self.ids[row]
        return v.item() if self.int_ids else v

    def pairs(self, row: int) -> tuple:
        a, b = self.pair_start[row], self.pair_start[row + 1]
        if a == b:
            return ()
        uids = self.uids
        return tuple((uids[u], s, f) for u, s, f in zip(self.pair_unit[a:b].tolist(), self.pair_share[a:b].tolist(),
                                                        self.pair_pbf[a:b].tolist()))

    def unit_pairs(self, rows: np.ndarray, uid: Hashable, others: list) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """For ``rows``: the share and PBF share of their pair with unit ``uid`` (NaN without one), and
        whether they have a pair with one of the units ``others`` too."""
        if self._uindex[0] is not self.uids:
            index: dict = {}
            for k, u in enumerate(self.uids):
                index.setdefault(u, []).append(k)  # a repeated unit id: every index of it
            self._uindex = (self.uids, index)
        index = self._uindex[1]
        share, pbf = np.full(len(rows), np.nan), np.full(len(rows), np.nan)
        other = np.zeros(len(rows), dtype=bool)
        start = self.pair_start[rows]
        count = self.pair_start[rows + 1] - start
        total = int(count.sum())
        if not total:
            return share, pbf, other
        owner = np.repeat(np.arange(len(rows)), count)
        at = np.repeat(start - np.cumsum(count) + count, count) + np.arange(total)  # the rows' pairs
        kind = np.zeros(len(self.uids), dtype=np.int8)  # 1: the unit's indexes, 2: the others' (``isin`` by a table)
        kind[[k for o in others for k in index.get(o, ())]], kind[index.get(uid, [])] = 2, 1
        kind = kind[self.pair_unit[at]]
        mine = np.flatnonzero(kind == 1)
        share[owner[mine]] = self.pair_share[at[mine]]
        pbf[owner[mine]] = self.pair_pbf[at[mine]]
        other[np.bincount(owner[mine], minlength=len(rows)) > 1] = True  # a unit id repeated: looked at
        other[owner[kind == 2]] = True
        return share, pbf, other

    def pbf_part(self, row: int):
        v = float(self.pbf[row])
        return self.pbf_parts[row] if v != v else v

    def parcel(self, row: int, geom=None, rec: ParcelRecord | None = None, pairs: tuple | None = None) -> _Parcel:
        """The row's ``_Parcel``; ``geom`` / ``rec`` / ``pairs``: what the caller has made of them already."""
        p = _Parcel.__new__(_Parcel)
        p.rec = self.recs.record(row) if rec is None else rec
        p.geom = self.geoms[row] if geom is None else geom
        p.area = float(self.areas[row]) if p.geom is not None else 0.0
        p.pairs = self.pairs(row) if pairs is None else pairs
        p.over = None
        p.pbf_part = self.pbf_part(row)
        return p


class ParcelStore:
    """``parcel id -> _Parcel``, in insertion order, over the :class:`Columns` of the last full build.

    Supports what the engine does with a dict (``[pid]``, ``get``, ``in``, ``pop``, ``del``,
    assignment, iteration, ``items``, ``len``); a row's object is made on first access and kept.
    """

    __slots__ = ("_alive", "_mat", "_n_alive", "_tail", "base")

    def __init__(self, base: Columns | None = None):
        self.base = base
        n = len(base.ids) if base is not None else 0
        self._alive = np.ones(n, dtype=bool)
        self._n_alive = n
        self._mat: dict = {}  # pid -> _Parcel of a live row (it keeps its place in the order)
        self._tail: dict = {}  # pid -> _Parcel added after the build, in insertion order

    def _row(self, pid: Hashable) -> int:
        if self.base is None:
            return -1
        r = self.base.row(pid)
        return r if r >= 0 and self._alive[r] else -1

    def __contains__(self, pid: Hashable) -> bool:
        return pid in self._tail or self._row(pid) >= 0

    def __getitem__(self, pid: Hashable) -> _Parcel:
        p = self._tail.get(pid)
        if p is None:
            p = self._mat.get(pid)
        if p is None:
            r = self._row(pid)
            if r < 0:
                raise KeyError(pid)
            p = self._mat[pid] = self.base.parcel(r)
        return p

    def hold(self, pid: Hashable, row: int, geom) -> _Parcel:
        """``self[pid]``; ``row`` (-1: unknown) and ``geom``, the row's geometry already made, spare making it again."""
        if row < 0 or geom is None or pid in self._tail:
            return self[pid]
        p = self._mat.get(pid)
        if p is None:
            p = self._mat[pid] = self.base.parcel(row, geom)
        return p

    def hold_many(self, items: list, pairs: list | None = None) -> list:
        """``[self.hold(pid, row, geom) for pid, row, geom in items]``, the records of the rows made a column at a
        time (``Records.records``); ``pairs``: the rows' pairs, read already (None where not)."""
        mat, tail = self._mat, self._tail
        make = [k for k, (pid, row, geom) in enumerate(items)
                if row >= 0 and geom is not None and pid not in tail and pid not in mat]
        recs = dict(zip(make, self.base.recs.records([items[k][1] for k in make]))) if make else {}
        out = []
        for k, (pid, row, geom) in enumerate(items):
            rec = recs.get(k)
            if rec is None:
                out.append(self.hold(pid, row, geom))
            else:
                p = mat[pid] = self.base.parcel(row, geom, rec, None if pairs is None else pairs[k])
                out.append(p)
        return out

    def get(self, pid: Hashable, default=None):
        try:
            return self[pid]
        except KeyError:
            return default

    def __setitem__(self, pid: Hashable, p: _Parcel) -> None:
        if pid not in self._tail and self._row(pid) >= 0:
            self._mat[pid] = p
        else:
            self._tail[pid] = p

    def pop(self, pid: Hashable, *default):
        if pid in self._tail:
            return self._tail.pop(pid)
        r = self._row(pid)
        if r < 0:
            if default:
                return default[0]
            raise KeyError(pid)
        p = self._mat.pop(pid, None) or self.base.parcel(r)
        self._alive[r] = False
        self._n_alive -= 1
        return p

    def __delitem__(self, pid: Hashable) -> None:
        self.pop(pid)

    def __len__(self) -> int:
        return self._n_alive + len(self._tail)

    def __iter__(self) -> Iterator:
        if self.base is not None and self._n_alive:
            ids = self.base.ids if self._n_alive == len(self._alive) else self.base.ids[self._alive]
            yield from ids.tolist()
        yield from list(self._tail)

    def tail(self) -> list:
        """Ids of the parcels added after the build, in insertion order."""
        return list(self._tail)

    def tail_set(self):
        """The ids of :meth:`tail` as a set-like view."""
        return self._tail.keys()

    def keys(self) -> list:
        return list(self)

    def items(self) -> Iterator[tuple]:
        for pid in self:
            yield pid, self[pid]

    def copy(self) -> ParcelStore:
        """A copy sharing the columns and the ``_Parcel`` objects (what a snapshot holds)."""
        out = ParcelStore.__new__(ParcelStore)
        out.base = self.base
        out._alive = self._alive.copy()
        out._n_alive = self._n_alive
        out._mat = dict(self._mat)
        out._tail = dict(self._tail)
        return out

    # ------------------------------------------------------------------ reads that make no object
    def _held(self, pid: Hashable) -> tuple[_Parcel | None, int]:
        p = self._tail.get(pid)
        if p is None:
            p = self._mat.get(pid)
        if p is not None:
            return p, -1
        r = self._row(pid)
        if r < 0:
            raise KeyError(pid)
        return None, r

    def rec(self, pid: Hashable) -> ParcelRecord:
        p, r = self._held(pid)
        return p.rec if p is not None else self.base.recs.record(r)

    def geom(self, pid: Hashable):
        p, r = self._held(pid)
        return p.geom if p is not None else self.base.geoms[r]

    def area(self, pid: Hashable) -> float:
        p, r = self._held(pid)
        if p is not None:
            return p.area
        return float(self.base.areas[r])  # 0 without a geometry

    def pairs(self, pid: Hashable) -> tuple:
        p, r = self._held(pid)
        return p.pairs if p is not None else self.base.pairs(r)

    def peek(self, pid: Hashable) -> _Parcel:
        """The parcel's ``_Parcel`` if it has one, else one made from its row and not kept (read only)."""
        p, r = self._held(pid)
        return p if p is not None else self.base.parcel(r)

    def held_rows(self) -> np.ndarray:
        """Rows of the columns that have their ``_Parcel`` already."""
        if self.base is None:
            return np.zeros(0, dtype=np.int64)
        return np.array([self.base.row(pid) for pid in self._mat], dtype=np.int64)

    def same_box(self, bounds: tuple, tail_near) -> list:
        """Ids of the parcels whose box is exactly ``bounds``: rows of the build by their boxes (arrays),
        the parcels added since among ``tail_near`` (what the grid found near it)."""
        out = []
        base = self.base
        if base is not None and base.index is not None:
            rows = self.base_rows_near(bounds)
            rows = rows[np.all(base.index.bounds[rows] == np.asarray(bounds, dtype=np.float64), axis=1)]
            out = base.ids[rows].tolist()
        tail = self._tail
        for q in tail_near:
            p = tail.get(q)
            if p is not None and p.geom is not None and p.bounds == bounds:
                out.append(q)
        return out

    def bounds(self, pid: Hashable) -> tuple | None:
        """The parcel's box (the index's copy for a row of the build: no geometry made)."""
        p, r = self._held(pid)
        if p is None and self.base.index is not None:
            b = self.base.index.bounds[r]
            return None if b[0] != b[0] else tuple(b.tolist())
        g = p.geom if p is not None else self.base.geoms[r]
        return tuple(g.bounds) if g is not None else None

    def pbf_part(self, pid: Hashable):
        p, r = self._held(pid)
        return p.pbf_part if p is not None else self.base.pbf_part(r)

    def over(self, pid: Hashable) -> tuple | None:
        p, _r = self._held(pid)
        return p.over if p is not None else None  # the build gives a _Parcel to every parcel with one

    def refresh_held(self) -> None:
        """During a build: the pairs and PBF parts of the rows that got their ``_Parcel`` early."""
        base = self.base
        for pid, p in self._mat.items():
            r = base.row(pid)
            p.pairs = base.pairs(r)
            p.pbf_part = base.pbf_part(r)

    def pbf_nonzero(self) -> list:
        """Ids of the parcels whose PBF part is not 0 (any share of them in PBF)."""
        out = [pid for d in (self._mat, self._tail) for pid, p in d.items() if p.pbf_part != 0.0]
        base = self.base
        if base is not None:
            rows = np.flatnonzero((base.pbf != 0) & self._alive)
            out.extend(pid for pid in base.ids[rows].tolist() if pid not in self._mat)
        return out

    def live_rows(self) -> int:
        """How many rows of the columns are alive (not removed since the build)."""
        return self._n_alive

    def live_row_array(self) -> np.ndarray:
        return np.flatnonzero(self._alive)

    def held_count(self, over: bool = True) -> int:
        """How many live rows have their ``_Parcel`` (``over=False``: not counting those that hold a part
        counted twice, which the columns cannot)."""
        return len(self._mat) if over else sum(1 for p in self._mat.values() if p.over is None)

    def held_items(self) -> Iterator[tuple]:
        """(id, ``_Parcel``) of the rows that have one, then of the tail."""
        yield from self._mat.items()
        yield from self._tail.items()

    def held(self, pid: Hashable) -> bool:
        """True when ``pid`` has its ``_Parcel`` already (edited, added, or a rare case of the build)."""
        return pid in self._tail or pid in self._mat

    def held_mask(self, pids: list) -> np.ndarray:
        """``[self.held(pid) for pid in pids]`` as a boolean array (the lookups mapped in C)."""
        n = len(pids)
        mask = np.fromiter(map(self._mat.__contains__, pids), dtype=bool, count=n)
        if self._tail:
            mask |= np.fromiter(map(self._tail.__contains__, pids), dtype=bool, count=n)
        return mask

    def base_rows_near(self, bounds) -> np.ndarray:
        """Rows (sorted) of the live rows whose bounding boxes meet ``bounds``."""
        base = self.base
        if base is None or base.index is None:
            return np.zeros(0, dtype=np.int64)
        rows = base.index.query(bounds)
        return rows[self._alive[rows]]

    def base_near(self, bounds) -> list:
        """Ids of the live rows whose bounding boxes meet ``bounds`` (not the tail)."""
        rows = self.base_rows_near(bounds)
        return self.base.ids[rows].tolist() if len(rows) else []


class ParcelIndex:
    """The parcels' spatial index for edits: the build's STRtree over the live rows, a grid for the tail."""

    __slots__ = ("grid", "store")

    def __init__(self, store: ParcelStore, cell: float):
        self.store = store
        self.grid = Grid(cell)

    def insert(self, pid: Hashable, bounds) -> None:
        self.grid.insert(pid, bounds)

    def remove(self, pid: Hashable, bounds) -> None:
        self.grid.remove(pid, bounds)  # a row of the columns: the store's tombstone takes it out

    def query(self, bounds) -> set:
        found = self.grid.query(bounds)
        found.update(self.store.base_near(bounds))
        return found
