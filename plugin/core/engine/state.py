"""The engine's state per parcel and per unit, and the small types every part of it shares.

``_Parcel`` and ``_Unit`` are the engine's own: they never leave the package (front ends read
through the public API of :class:`~.balance.BalanceEngine`, docs/architecture.md "The engine").
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Hashable

import numpy as np
import shapely
from shapely.geometry.base import BaseGeometry

from ..errors import Cancelled
from ..fields import ParcelRecord

PROJECT = "*"  # unit_code of the whole-project rows


class BuildCancelled(Cancelled):
    """The caller's cancel callback returned True during a full build."""


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


def pair_key(a: Hashable, b: Hashable) -> tuple:
    """The key of a pair of units, in :func:`sort_key` order."""
    return (a, b) if sort_key(a) <= sort_key(b) else (b, a)


def sort_key(value: Hashable) -> tuple:
    """Stable order over mixed id types (ints before strings)."""
    return (0, value, "") if isinstance(value, (int, np.integer)) else (1, 0, str(value))
