"""The engine's spatial index for edits: a dynamic uniform grid over bounding boxes.

The full build joins with shapely's bulk STRtree; an edit needs an index that takes an insert
or a removal in O(1), which an STRtree cannot (docs/architecture.md "The engine").
"""
from __future__ import annotations

import math
from typing import Hashable, Sequence

import numpy as np
import shapely

_MAX_CELLS = 4096  # an item whose box spans more grid cells is kept in the grid's "big" set
_MAX_GRID_SIDE = 1024  # the cell is at least the data's extent / this


class Grid:
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


def choose_cell(garr: np.ndarray) -> float | None:
    """Grid cell ≈ 4 × the median parcel extent (a few parcels per cell, any CRS unit), at least
    the parcels' extent / ``_MAX_GRID_SIDE``; None when the geometries tell nothing."""
    return choose_cell_of_bounds(shapely.bounds(garr))


def choose_cell_of_bounds(bounds: np.ndarray) -> float | None:
    """:func:`choose_cell` of the geometries' boxes (NaN rows: no geometry)."""
    sample = bounds[: 5000]
    b = sample[~np.isnan(sample[:, 0])] if len(sample) else sample
    if not len(b):
        return None
    ext = np.median(np.maximum(b[:, 2] - b[:, 0], b[:, 3] - b[:, 1]))
    with np.errstate(all="ignore"):
        ok = bounds[~np.isnan(bounds[:, 0])]
        tb = (ok[:, 0].min(), ok[:, 1].min(), ok[:, 2].max(), ok[:, 3].max())
        floor = max(tb[2] - tb[0], tb[3] - tb[1]) / _MAX_GRID_SIDE  # never a degenerate median's grid
    cell = max(float(ext) * 4, float(floor)) if np.isfinite(floor) else float(ext) * 4
    return cell if np.isfinite(cell) and cell > 0 else None
