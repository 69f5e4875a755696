"""The demo's view of the domain tables: land classes (LandClassTable) and the rule pack's
categories, asked per distinct code so a million parcels cost a few dozen look-ups.

Pure (numpy); the tables themselves live in ``plugin/core`` (docs/domain.md §4).
"""
from __future__ import annotations

from functools import cache

import numpy as np

from ..core.landclasses import default_table
from ..core.rules import bundled_pack

CONSTRUCTION = "建设用地"


def is_farmland(code: str) -> bool:
    """耕地 in the land-class table (a variant counts with its base)."""
    table = default_table()
    return table.is_farmland(table.resolve(code))


def is_construction(code: str) -> bool:
    """建设用地 in the land-class table (a variant counts with its base)."""
    table = default_table()
    return table.get(table.resolve(code)).category_zh == CONSTRUCTION


@cache
def is_ecological(code: str) -> bool:
    """生态用地 as the national rule pack defines it (data, not a list in code)."""
    pack = bundled_pack("national")
    return "ecological" in pack.categories_of(pack.table.resolve(code))


def class_name(code: str) -> str:
    """DLMC of a code: its name in the land-class table ('' when the table does not know it)."""
    return default_table().name_zh(code)


def mask(codes: np.ndarray, test) -> np.ndarray:
    """``test(code)`` for every element of ``codes`` (any shape), asked once per distinct code."""
    codes = np.asarray(codes)
    if codes.size == 0:
        return np.zeros(codes.shape, dtype=bool)
    uniq, inv = np.unique(codes, return_inverse=True)
    return np.array([test(str(c)) for c in uniq], dtype=bool)[inv].reshape(codes.shape)
