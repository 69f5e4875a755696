"""A static spatial index of the full build's parcels: rows sorted by grid cell, as arrays.

The edits ask it for the build's parcels near a box (a unit, a parcel). An STRtree costs about
200 bytes a parcel; this index keeps each row's box (32 bytes) and its place in cell order
(16 bytes). A row is filed under the cell of its lower-left corner; a query looks at the cells
from two cells left of / below the box (no row filed there reaches further: rows wider or taller
than a cell go to a coarser level of eight times the cell, and so on) and keeps the rows whose
boxes meet it.
"""
from __future__ import annotations

import math

import numpy as np


class StaticIndex:
    __slots__ = ("big", "bounds", "cell", "keys", "ny", "origin", "rows", "sub")

    def __init__(self, bounds: np.ndarray, cell: float, among: np.ndarray | None = None):
        """``bounds``: (n, 4) boxes of the rows (NaN for rows without a geometry, never returned);
        ``among``: only these rows (the rows too big for a finer level)."""
        self.bounds = bounds
        self.cell = cell
        self.sub: StaticIndex | None = None
        with np.errstate(invalid="ignore"):
            ok = np.all(np.isfinite(bounds), axis=1)
            size = np.maximum(bounds[:, 2] - bounds[:, 0], bounds[:, 3] - bounds[:, 1])
            small = ok & (size <= cell)
        if among is not None:
            inside = np.zeros(len(bounds), dtype=bool)
            inside[among] = True
            ok &= inside
            small &= inside
        self.big = np.flatnonzero(ok & ~small)
        if len(self.big) > 64 and math.isfinite(cell * 8):  # a coarser level for the big ones
            self.sub, self.big = StaticIndex(bounds, cell * 8, self.big), np.zeros(0, dtype=np.int64)
        rows = np.flatnonzero(small)
        if len(rows):
            cx = np.floor(bounds[rows, 0] / cell).astype(np.int64)
            cy = np.floor(bounds[rows, 1] / cell).astype(np.int64)
            self.origin = (int(cx.min()), int(cy.min()))
            self.ny = int(cy.max()) - self.origin[1] + 1
            keys = (cx - self.origin[0]) * self.ny + (cy - self.origin[1])
            order = np.argsort(keys, kind="stable")
            self.keys, self.rows = keys[order], rows[order]
        else:
            self.origin, self.ny = (0, 0), 0
            self.keys, self.rows = np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)

    def query(self, box) -> np.ndarray:
        """Sorted rows whose boxes meet ``box`` (xmin, ymin, xmax, ymax)."""
        x0, y0, x1, y1 = (float(v) for v in box)
        b = self.bounds
        if not all(math.isfinite(v) for v in (x0, y0, x1, y1)):
            return np.flatnonzero(np.all(np.isfinite(b), axis=1))
        parts = []
        if len(self.keys):
            c = self.cell
            ox, oy = self.origin
            nx = int(self.keys[-1] // self.ny) + 1
            # a row meeting the box starts at most one cell before it; one more for the rounding of x / c
            i0, i1 = max(0, math.floor(x0 / c) - 2 - ox), min(nx - 1, math.floor(x1 / c) - ox)
            j0, j1 = max(0, math.floor(y0 / c) - 2 - oy), min(self.ny - 1, math.floor(y1 / c) - oy)
            if i0 <= i1 and j0 <= j1:
                cols = np.arange(i0, i1 + 1, dtype=np.int64) * self.ny
                lo = np.searchsorted(self.keys, cols + j0)
                hi = np.searchsorted(self.keys, cols + j1, side="right")
                parts.extend(self.rows[a:z] for a, z in zip(lo.tolist(), hi.tolist()) if z > a)
        if len(self.big):
            parts.append(self.big)
        if self.sub is not None:
            parts.append(self.sub.query(box))
        if not parts:
            return np.zeros(0, dtype=np.int64)
        rows = np.concatenate(parts)
        r = b[rows]
        meet = (r[:, 0] <= x1) & (r[:, 2] >= x0) & (r[:, 1] <= y1) & (r[:, 3] >= y0)
        return np.sort(rows[meet])
