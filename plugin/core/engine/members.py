"""Indexes over the parcel store that a full build makes lazily: unit -> parcel ids, BSM -> parcel ids.

Both behave as the dicts they replace (``_unit_parcels``, ``_bsm``); what a full build knows is
kept as arrays and turned into Python sets / dict entries only for the units and BSMs an edit or
a read asks for (docs/architecture.md "The engine").
"""
from __future__ import annotations

from typing import Hashable, Iterator

import numpy as np
import pandas as pd

_GONE = object()


class _Rows:
    """A unit's members as rows of the columns, not yet a set."""

    __slots__ = ("rows",)

    def __init__(self, rows: np.ndarray):
        self.rows = rows


class UnitMembers:
    """``unit id -> set of parcel ids``; a unit's set is made from the build's pairs on first use."""

    __slots__ = ("_d", "_ids")

    def __init__(self, ids: np.ndarray | None = None):
        self._d: dict = {}
        self._ids = ids

    def set_rows(self, uid: Hashable, rows: np.ndarray) -> None:
        self._d[uid] = _Rows(rows)

    def _built(self, uid: Hashable, v):
        if isinstance(v, _Rows):
            v = self._d[uid] = set(self._ids[v.rows].tolist())
        return v

    def __getitem__(self, uid: Hashable) -> set:
        return self._built(uid, self._d[uid])

    def __setitem__(self, uid: Hashable, members: set) -> None:
        self._d[uid] = members

    def __contains__(self, uid: Hashable) -> bool:
        return uid in self._d

    def __iter__(self) -> Iterator:
        return iter(self._d)

    def __len__(self) -> int:
        return len(self._d)

    def get(self, uid: Hashable, default=None):
        v = self._d.get(uid, _GONE)
        return default if v is _GONE else self._built(uid, v)

    def pop(self, uid: Hashable, default=None):
        v = self._d.pop(uid, _GONE)
        if v is _GONE:
            return default
        return set(self._ids[v.rows].tolist()) if isinstance(v, _Rows) else v

    def items(self) -> Iterator[tuple]:
        for uid in list(self._d):
            yield uid, self[uid]

    def values(self) -> Iterator[set]:
        for _uid, v in self.items():
            yield v

    def count(self, uid: Hashable) -> int:
        v = self._d.get(uid, ())
        return len(v.rows) if isinstance(v, _Rows) else len(v)

    def nonempty(self) -> int:
        """How many units have members."""
        return sum(1 for v in self._d.values() if (len(v.rows) if isinstance(v, _Rows) else v))

    def copy(self) -> UnitMembers:
        out = UnitMembers(self._ids)
        out._d = {uid: v if isinstance(v, _Rows) else set(v) for uid, v in self._d.items()}
        return out


class BsmIndex:
    """``BSM -> parcel id`` (a list of ids when several features carry it), as ``_bsm`` was.

    The BSMs of the build's rows are looked up in a hash index made on first use; changes
    (edits, and the BSMs several rows share) live in ``delta``, which takes precedence.
    """

    __slots__ = ("_index", "_values", "delta", "ids", "rows")

    def __init__(self, ids: np.ndarray | None = None, values: np.ndarray | None = None,
                 rows: np.ndarray | None = None):
        self.ids = ids  # the columns' ids
        self._values = values  # the BSMs of ``rows`` (rows whose BSM no other row has)
        self.rows = rows
        self._index: pd.Index | None = None
        self.delta: dict = {}

    def get(self, bsm: str, default=None):
        v = self.delta.get(bsm, _GONE)
        if v is not _GONE:
            return default if v is None else v
        if self._values is None or not len(self._values):
            return default
        if self._index is None:
            self._index = pd.Index(self._values)
        try:
            k = self._index.get_loc(bsm)
        except (KeyError, TypeError):
            return default
        if not isinstance(k, (int, np.integer)):
            return default
        v = self.ids[self.rows[int(k)]]
        return v.item() if isinstance(v, np.generic) else v

    def __setitem__(self, bsm: str, value) -> None:
        self.delta[bsm] = value

    def __delitem__(self, bsm: str) -> None:
        self.delta[bsm] = None
