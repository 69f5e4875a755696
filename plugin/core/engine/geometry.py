"""Geometry helpers of the engine: cleaning, shares of a parcel in a unit, GEOS on threads.

Every function gives the same floats in bulk as one by one (the full build and an edit must
agree bit for bit; docs/architecture.md "The engine").
"""
from __future__ import annotations

import gc
import os
import threading
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from typing import Callable

import numpy as np
import shapely
from shapely.geometry.base import BaseGeometry

from ..validation import clean_polygonal
from .overlay_area import intersection_areas

_WORKERS = max(1, min(4, os.cpu_count() or 1))


def clean_geometry(geom: BaseGeometry | None) -> BaseGeometry | None:
    """Polygonal, valid geometry or None (empty/NULL/non-areal): never raises on bad input.

    Invalid geometry is repaired (make_valid), collections are reduced to their polygons
    (validation.clean_polygonal).
    """
    return clean_polygonal(geom)[0]


def clean_many(geoms: list) -> list:
    """``[clean_geometry(g) for g in geoms]`` with the validity checks in bulk, on threads."""
    if not geoms:
        return []
    arr = np.empty(len(geoms), dtype=object)
    arr[:] = geoms
    fine = in_threads(lambda k: shapely.is_valid(arr[k]), np.arange(len(arr)), 2_000)
    fine &= ~shapely.is_empty(arr) & np.isin(shapely.get_type_id(arr), (3, 6))  # Polygon, MultiPolygon
    return [g if f else clean_geometry(g) for g, f in zip(arr.tolist(), fine.tolist())]


def object_array(items: list) -> np.ndarray:
    """A one-dimensional object array of ``items`` (geometries): ``arr[:] = items`` asks each item whether it is a
    sequence or has an array interface (~1 µs a shapely geometry, which raises to say no); one by one it does not."""
    out = np.empty(len(items), dtype=object)
    for k, g in enumerate(items):
        out[k] = g
    return out


def shares_in_unit(unit_geom: BaseGeometry, geoms: np.ndarray, areas: np.ndarray) -> np.ndarray:
    """:func:`share_in_unit` of many parcels near one (prepared) unit, vectorised, 0 for those it does not meet:
    the same floats. The cheap prepared ``contains_properly`` first, on all; the area in the unit of the others,
    without ``intersects`` first (~1.5 µs a parcel): a parcel apart from the unit has ±0 in it (no crossing, its
    vertices outside), made +0."""
    shares = np.ones(len(geoms))
    part = np.flatnonzero(~shapely.contains_properly(unit_geom, geoms))
    if len(part):
        inter = intersection_areas(unit_geom, geoms[part])
        shares[part] = np.minimum(1.0, inter / areas[part]) + 0.0
    return shares


def off_outline(geom: BaseGeometry, boxes: np.ndarray, cells: int = 32) -> np.ndarray:
    """True where a box (rows of xmin, ymin, xmax, ymax, closed) meets no edge of ``geom``'s rings: the box lies
    wholly in the interior of ``geom`` or wholly outside it (no GEOS call, no geometry decoded). The edges' boxes
    are marked on a grid of at most ``cells`` × ``cells`` over ``geom``'s box; a box meeting no marked cell meets
    no edge. Cells are ``floor((x - x0) / c)``, monotone in x on floats, so a box meeting an edge's box always
    meets one of its cells (the test only ever errs towards "on the outline")."""
    x0, y0, x1, y1 = geom.bounds
    c = max(x1 - x0, y1 - y0) / cells
    n = len(boxes)
    if not c > 0 or n == 0:
        return np.zeros(n, dtype=bool)
    nx, ny = int((x1 - x0) / c) + 1, int((y1 - y0) / c) + 1
    ij = np.floor((shapely.get_coordinates(geom) - (x0, y0)) / c).astype(np.int64)
    lo, hi = np.minimum(ij[:-1], ij[1:]), np.maximum(ij[:-1], ij[1:]) + 1  # two consecutive points: an edge (or
    w = nx + 1  # the step between two rings: more cells marked, never fewer)
    corners = np.concatenate((lo[:, 1] * w + lo[:, 0], lo[:, 1] * w + hi[:, 0], hi[:, 1] * w + lo[:, 0],
                              hi[:, 1] * w + hi[:, 0]))
    sign = np.repeat((1.0, -1.0, -1.0, 1.0), len(lo))  # each edge's cell rectangle, as corner differences
    marks = np.bincount(corners, weights=sign, minlength=(ny + 1) * w).reshape(ny + 1, w)
    hit = np.zeros((ny + 1, w), dtype=np.int32)  # the marked cells' counts summed from the corner
    hit[1:, 1:] = (marks.cumsum(0).cumsum(1)[:ny, :nx] > 0.5).cumsum(0, dtype=np.int32).cumsum(1, dtype=np.int32)
    b = np.minimum(np.maximum(np.floor((boxes - (x0, y0, x0, y0)) / c).astype(np.int64), 0), (nx - 1, ny - 1) * 2)
    i0, j0, i1, j1 = b[:, 0], b[:, 1], b[:, 2] + 1, b[:, 3] + 1
    return hit[j1, i1] - hit[j0, i1] - hit[j1, i0] + hit[j0, i0] == 0


def in_threads(fn: Callable[[np.ndarray], np.ndarray], index: np.ndarray, chunk: int = 10_000) -> np.ndarray:
    """``fn(index)`` computed piecewise on threads (shapely's vectorised calls release the GIL).

    Element-wise GEOS calls give the same value whatever the piece, so the result is exactly
    ``fn(index)``; pieces of at most ``chunk`` keep big temporaries (intersections) small.
    Only for calls that read their geometries: never with prepared ones (a prepared
    geometry builds its indexes lazily and is not thread-safe): :func:`in_threads_prepared` gives
    each thread its own.
    """
    n = len(index)
    if n == 0:
        return fn(index)
    pieces = _WORKERS * -(-n // (chunk * _WORKERS))  # a multiple of the workers: none idle at the end
    step = -(-n // pieces)
    parts = [index[a:a + step] for a in range(0, n, step)]
    if _WORKERS == 1 or len(parts) == 1:
        return np.concatenate([fn(part) for part in parts])
    with ThreadPoolExecutor(_WORKERS) as pool:
        return np.concatenate(list(pool.map(fn, parts)))


def in_threads_prepared(fn: Callable[[np.ndarray, np.ndarray], np.ndarray], index: np.ndarray, geoms: np.ndarray,
                        chunk: int = 10_000) -> np.ndarray:
    """:func:`in_threads` of ``fn(part, own)`` where ``own`` is a prepared copy of ``geoms`` (the few, big
    units or PBF polygons) private to the worker thread: prepared predicates, thread-safe (a prepared
    geometry builds its indexes lazily, so one must never be shared between threads). The copies are
    the same coordinates (WKB is exact), so every answer is the one ``geoms`` would give."""
    n = len(index)
    if _WORKERS == 1 or n <= chunk:
        shapely.prepare(geoms)
        return fn(index, geoms)
    local = threading.local()
    wkb = shapely.to_wkb(geoms)

    def run(part: np.ndarray) -> np.ndarray:
        own = getattr(local, "own", None)
        if own is None:
            own = local.own = shapely.from_wkb(wkb)
            shapely.prepare(own)
        return fn(part, own)

    return in_threads(run, index, chunk)


@contextmanager
def paused_gc():
    """Pause the cyclic garbage collector during a bulk load.

    A build allocates millions of acyclic objects (records, pairs, tuples); the collector
    would traverse the growing heap again and again for nothing. Reference counting still
    frees everything; the collector resumes (if it was on) when the block ends.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def share_in_unit(unit_geom: BaseGeometry, geom: BaseGeometry, area: float) -> float:
    """Share of the parcel's area inside the unit (:func:`~.overlay_area.intersection_areas`). The same calls
    in bulk and incremental."""
    if shapely.contains_properly(unit_geom, geom):
        return 1.0
    inter = intersection_areas(unit_geom, [geom])[0]
    return min(1.0, float(inter) / area)

