"""Geometries as WKB buffers: what the engine keeps of the parcels' geometries, and what a reader hands it.

A GEOS geometry costs about 500 bytes a parcel, its WKB about 120; a million parcels are read,
built and kept as WKB, and a geometry is made again only when asked for (docs/architecture.md,
"The engine").
"""
from __future__ import annotations

import numpy as np
import shapely


class PackedGeometries:
    """Geometries as WKB buffers (about 120 bytes a parcel instead of about 500 for a GEOS object);
    a geometry is made again when asked for (the same coordinates, so the same floats).

    Rows come in chunks, each one buffer and the rows' offsets in it: a reader appends the WKB of
    each batch it reads (:meth:`append_wkb`), the full build keeps them (an empty blob is a missing
    geometry). Never changed once built: :meth:`replaced` makes a copy sharing the untouched chunks.
    """

    __slots__ = ("bufs", "offsets", "starts")

    def __init__(self, geoms: np.ndarray | None = None, chunk: int = 65_536):
        self.bufs: list = []  # per chunk of rows: one buffer
        self.offsets: list = []  # per chunk: the rows' offsets in its buffer (one more than its rows)
        self.starts = np.zeros(1, dtype=np.int64)  # chunk c holds rows starts[c]:starts[c + 1]
        if geoms is not None:
            for a in range(0, len(geoms), chunk):
                self.append_wkb(shapely.to_wkb(geoms[a:a + chunk]))

    def append_wkb(self, wkb: np.ndarray | list) -> None:
        """Append rows: their WKB (``bytes``; None or empty for a missing geometry)."""
        if not len(wkb):
            return
        mask = np.ma.getmaskarray(wkb) if isinstance(wkb, np.ma.MaskedArray) else None  # masked: NULL
        if mask is not None:
            wkb = np.array(wkb.data, copy=True)
            if wkb.dtype == object:
                wkb[mask] = None
        if isinstance(wkb, np.ndarray) and wkb.dtype.kind == "V":  # blobs of one size (an Arrow fixed-size column)
            mask = np.zeros(len(wkb), bool) if mask is None else mask
            lengths = np.where(mask, 0, wkb.dtype.itemsize)
            buf = wkb[~mask].tobytes()
        else:
            lengths = np.fromiter((0 if b is None else len(b) for b in wkb), dtype=np.int64, count=len(wkb))
            buf = b"".join(b for b in wkb if b is not None)
        self.offsets.append(np.concatenate([[0], np.cumsum(lengths)]))
        self.bufs.append(buf)
        self.starts = np.append(self.starts, self.starts[-1] + len(wkb))

    def __len__(self) -> int:
        return int(self.starts[-1])

    def _wkb(self, row: int) -> bytes | None:
        c = int(np.searchsorted(self.starts, row, side="right")) - 1
        off = self.offsets[c]
        k = row - int(self.starts[c])
        a, b = int(off[k]), int(off[k + 1])
        return None if a == b else self.bufs[c][a:b]

    def wkb(self, a: int, b: int) -> np.ndarray:
        """The WKB of rows ``a:b`` (None where missing), as an object array."""
        out = np.empty(max(0, b - a), dtype=object)
        starts, pos = self.starts, 0
        c = max(0, int(np.searchsorted(starts, a, side="right")) - 1)
        while pos < len(out):
            lo, hi = a + pos - int(starts[c]), min(b, int(starts[c + 1])) - int(starts[c])
            off, buf = self.offsets[c].tolist(), self.bufs[c]
            out[pos:pos + hi - lo] = [buf[off[k]:off[k + 1]] if off[k + 1] > off[k] else None for k in range(lo, hi)]
            pos += hi - lo
            c += 1
        return out

    def replaced(self, rows: np.ndarray, wkb: list) -> PackedGeometries:
        """A copy with the WKB of ``rows`` replaced (None: missing); untouched chunks are shared, not copied."""
        out = PackedGeometries()
        out.bufs, out.offsets, out.starts = list(self.bufs), list(self.offsets), self.starts
        chunk_of = np.searchsorted(self.starts, rows, side="right") - 1
        for c in np.unique(chunk_of).tolist():
            a, b = int(self.starts[c]), int(self.starts[c + 1])
            blobs = self.wkb(a, b)
            for r, blob in zip(np.asarray(rows)[chunk_of == c].tolist(), [w for w, k in zip(wkb, chunk_of) if k == c]):
                blobs[r - a] = blob
            lengths = np.fromiter((0 if x is None else len(x) for x in blobs), dtype=np.int64, count=len(blobs))
            out.offsets[c] = np.concatenate([[0], np.cumsum(lengths)])
            out.bufs[c] = b"".join(x for x in blobs if x is not None)
        return out

    def wkb_types(self, c: int) -> np.ndarray:
        """The base geometry type of each row of chunk ``c`` from its WKB header (ISO or extended WKB:
        3 Polygon, 6 MultiPolygon…; 0 no geometry, -1 no type GEOS knows)."""
        off = self.offsets[c]
        lengths = np.diff(off)
        out = np.zeros(len(lengths), dtype=np.int64)
        ok = lengths >= 5
        out[(lengths > 0) & ~ok] = -1
        at = off[:-1][ok]
        if len(at):
            buf = np.frombuffer(self.bufs[c], dtype=np.uint8)
            b1, b2, b3, b4 = (buf[at + k].astype(np.int64) for k in range(1, 5))
            little = buf[at] == 1
            t = np.where(little, b1 | b2 << 8 | b3 << 16 | b4 << 24, b4 | b3 << 8 | b2 << 16 | b1 << 24) & 0x0FFFFFFF
            out[ok] = np.where(t < 4000, t % 1000, -1)
        return out

    def nbytes(self) -> int:
        return sum(len(b) for b in self.bufs) + sum(o.nbytes for o in self.offsets)

    def __getitem__(self, rows):
        if isinstance(rows, (int, np.integer)):
            wkb = self._wkb(int(rows))
            return None if wkb is None else _parsed(wkb)
        rows = np.asarray(rows, dtype=np.int64)
        out = np.empty(len(rows), dtype=object)
        chunk_of = np.searchsorted(self.starts, rows, side="right") - 1
        for c in np.unique(chunk_of).tolist():  # the rows' blobs, a chunk at a time
            at = np.flatnonzero(chunk_of == c)
            k = rows[at] - int(self.starts[c])
            off, buf = self.offsets[c], self.bufs[c]
            out[at] = [buf[a:b] if b > a else None for a, b in zip(off[k].tolist(), off[k + 1].tolist())]
        return _geometries(out)


def _parsed(wkb: bytes):
    g = shapely.from_wkb(wkb)
    return None if g.is_empty else g


def _geometries(wkb: np.ndarray) -> np.ndarray:
    """Geometries of WKB (None where missing or empty)."""
    geoms = shapely.from_wkb(wkb)
    empty = shapely.is_empty(geoms)
    if empty.any():
        geoms[empty] = None
    return geoms
