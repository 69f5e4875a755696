"""Parcel records as columns: one array per :class:`~.fields.ParcelRecord` slot.

The columnar build path (issue "Engine v2") reads, normalises and builds a million parcels
without a Python object per parcel. ``RecordColumns`` is what a bulk reader hands the engine:

* text slots (``dlbm``, ``zzlx``, ``bsm``…): numpy ``object`` arrays of ``str`` or ``None``;
* number slots (``tbmj``, ``kcxs``, ``kcmj``, ``tbdlmj``, ``ghkcxs``): ``float64`` arrays,
  ``NaN`` where the record holds ``None`` (a normalised record never holds a non-finite
  number, so ``NaN`` is free to mean "missing"; ``-0.0`` is kept as read).

``record(i)`` gives exactly the :class:`ParcelRecord` that row stands for, and
``from_records`` is its inverse, so both build paths can be compared row by row.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Iterable, Sequence

import numpy as np

from .fields import ParcelRecord

NUMBER_SLOTS = ("tbmj", "kcxs", "kcmj", "tbdlmj", "ghkcxs")
TEXT_SLOTS = tuple(s for s in ParcelRecord.__slots__ if s not in NUMBER_SLOTS)
SLOTS = ParcelRecord.__slots__


@dataclass
class RecordColumns:
    """n parcel records as columns; ``data`` maps every ParcelRecord slot to an array of length n."""

    data: dict[str, np.ndarray]

    def __post_init__(self) -> None:
        lengths = {len(v) for v in self.data.values()}
        missing = [s for s in SLOTS if s not in self.data]
        if missing or len(lengths) > 1:
            raise ValueError(f"RecordColumns needs equal-length columns for every slot (missing: {missing})")

    def __len__(self) -> int:
        return len(self.data["dlbm"])

    def __getitem__(self, slot: str) -> np.ndarray:
        return self.data[slot]

    def record(self, i: int) -> ParcelRecord:
        """The record of row ``i``."""
        values = {}
        for s in TEXT_SLOTS:
            values[s] = self.data[s][i]
        for s in NUMBER_SLOTS:
            v = float(self.data[s][i])
            values[s] = None if math.isnan(v) else v
        return ParcelRecord(**values)

    def records(self) -> list[ParcelRecord]:
        """Every row as a record (for paths that still take records)."""
        text = {s: self.data[s].tolist() for s in TEXT_SLOTS}
        numbers = {s: [None if v != v else v for v in self.data[s].tolist()] for s in NUMBER_SLOTS}
        cols = {**text, **numbers}
        return [ParcelRecord(**{s: cols[s][i] for s in SLOTS}) for i in range(len(self))]

    def take(self, rows: Sequence[int] | np.ndarray) -> RecordColumns:
        """The rows ``rows`` (indices or a boolean mask), in that order."""
        return RecordColumns({s: v[rows] for s, v in self.data.items()})

    @classmethod
    def from_records(cls, records: Iterable[ParcelRecord]) -> RecordColumns:
        recs = list(records)
        data: dict[str, np.ndarray] = {}
        for s in TEXT_SLOTS:
            arr = np.empty(len(recs), dtype=object)
            arr[:] = [getattr(r, s) for r in recs]
            data[s] = arr
        for s in NUMBER_SLOTS:
            data[s] = np.array([np.nan if getattr(r, s) is None else getattr(r, s) for r in recs], dtype=float)
        return cls(data)
