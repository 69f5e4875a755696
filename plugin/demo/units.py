"""Remediation units of the demo township: cells of a jittered coarse lattice with wavy shared
edges, placed where plans happen (farmland and hamlets, away from the town).

Pure (numpy, shapely 2).
"""
from __future__ import annotations

import math
from typing import Any

import numpy as np
import shapely

from .classes import is_farmland, mask
from .geometry import Frame
from .lattice import Grid


def make_units(g: Grid, lay: dict, frame: Frame, parcels: dict, n_units: int,
               rng: np.random.Generator) -> dict[str, Any]:
    """``n_units`` unit polygons (EPSG:4527) and the village owning most of each."""
    n = len(parcels["geom"])
    gx, gy, X, Y = _coarse_lattice(g, n, n_units, rng)
    polys = _cell_polygons(g, gx, gy, X, Y, rng)
    pick, cell_id = _pick_cells(g, lay, gx, gy, n_units, rng)
    local = np.array(polys, dtype=object)[pick]
    geoms = np.array([frame.geom(p, math.inf) for p in local], dtype=object)
    _clip_border_units(geoms, pick, gx, gy, parcels["geom"])
    # the village owning most of the unit names it
    vill = lay["village"]
    main_v = []
    for cid in pick:
        vs = vill[cell_id == cid]
        main_v.append(int(np.bincount(vs).argmax()) if len(vs) else 0)
    return {"geoms": geoms, "main_village": main_v}


def _coarse_lattice(g: Grid, n: int, n_units: int, rng: np.random.Generator) -> tuple:
    """Columns, rows and the jittered vertex coordinates (local metres) of the unit lattice."""
    per_unit = 400 if n_units * 400 <= n else n / n_units
    target_area = g.width * g.height * per_unit / n
    side = math.sqrt(target_area)
    gx = max(1, round(g.width / side))
    gy = max(1, round(g.height / side))
    while gx * gy < n_units:
        if g.width / gx > g.height / gy:
            gx += 1
        else:
            gy += 1
    cw, chh = g.width / gx, g.height / gy
    X = np.linspace(0, g.width, gx + 1)[None, :] + np.zeros((gy + 1, 1))
    Y = np.linspace(0, g.height, gy + 1)[:, None] + np.zeros((1, gx + 1))
    X[:, 1:-1] += rng.uniform(-0.15, 0.15, (gy + 1, gx - 1)) * cw
    Y[1:-1, :] += rng.uniform(-0.15, 0.15, (gy - 1, gx + 1)) * chh
    return gx, gy, X, Y


def _cell_polygons(g: Grid, gx: int, gy: int, X: np.ndarray, Y: np.ndarray, rng: np.random.Generator) -> list:
    """One polygon per lattice cell, row by row. Shared edges are densified here, once, so
    neighbours get bit-identical vertices (segmentizing each unit separately would leave
    slivers of overlap); inner edges wiggle, the township's border stays straight."""
    cw, chh = g.width / gx, g.height / gy
    k = max(12, int(math.ceil(max(cw, chh) / (max(g.cw, 20.0) / 2))))

    def edge(p: np.ndarray, q: np.ndarray, wig: float) -> np.ndarray:
        t = np.linspace(0, 1, k + 1)[1:-1]
        pts = p[None, :] + (q - p)[None, :] * t[:, None]
        normal_v = np.array([-(q - p)[1], (q - p)[0]]) / (np.hypot(*(q - p)) + 1e-9)
        off = rng.uniform(-wig, wig, k - 1) * np.sin(np.pi * t)
        return pts + off[:, None] * normal_v[None, :]

    hedge = {}
    for i in range(gy + 1):
        for j in range(gx):
            p, q = np.array([X[i, j], Y[i, j]]), np.array([X[i, j + 1], Y[i, j + 1]])
            hedge[i, j] = edge(p, q, 0 if i in (0, gy) else 0.05 * cw)
    vedge = {}
    for i in range(gy):
        for j in range(gx + 1):
            p, q = np.array([X[i, j], Y[i, j]]), np.array([X[i + 1, j], Y[i + 1, j]])
            vedge[i, j] = edge(p, q, 0 if j in (0, gx) else 0.05 * chh)
    polys = []
    for i in range(gy):
        for j in range(gx):
            ring = [[X[i, j], Y[i, j]], *hedge[i, j], [X[i, j + 1], Y[i, j + 1]], *vedge[i, j + 1],
                    [X[i + 1, j + 1], Y[i + 1, j + 1]], *hedge[i + 1, j][::-1], [X[i + 1, j], Y[i + 1, j]],
                    *vedge[i, j][::-1]]
            polys.append(shapely.Polygon(np.array(ring)))
    return polys


def _pick_cells(g: Grid, lay: dict, gx: int, gy: int, n_units: int,
                rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """The ``n_units`` best coarse cells (sorted) and the coarse cell of every lattice cell:
    farmland and hamlets are where plans happen; avoid the town."""
    cw, chh = g.width / gx, g.height / gy
    cls = lay["cls"]
    cu = (g.xs[:-1] + g.xs[1:]) / 2
    cv = (g.ys[:-1] + g.ys[1:]) / 2
    ci = np.clip((cv / chh).astype(int), 0, gy - 1)
    cj = np.clip((cu / cw).astype(int), 0, gx - 1)
    cell_id = ci[:, None] * gx + cj[None, :]
    farm = mask(cls, is_farmland)
    homestead = cls == "0702"
    town = lay["town_depth"] > -0.3
    score = (np.bincount(cell_id.ravel(), weights=farm.ravel(), minlength=gx * gy)
             + 3 * np.bincount(cell_id.ravel(), weights=homestead.ravel(), minlength=gx * gy)
             - 5 * np.bincount(cell_id.ravel(), weights=town.ravel(), minlength=gx * gy))
    score = score + rng.random(gx * gy) * 1e-3
    pick = np.sort(np.argsort(-score, kind="stable")[:n_units])
    return pick, cell_id


def _clip_border_units(geoms: np.ndarray, pick: np.ndarray, gx: int, gy: int, pgeoms: np.ndarray) -> None:
    """A border unit's warped outer edge bows away from the parcels' straight outer edges: clip
    it to the parcels it covers, else thin gaps (no parcel) line the township's border."""
    rows, cols_ = pick // gx, pick % gx
    border = np.flatnonzero((rows == 0) | (rows == gy - 1) | (cols_ == 0) | (cols_ == gx - 1))
    if not len(border):
        return
    tree = shapely.STRtree(pgeoms)
    for u in border.tolist():
        near = pgeoms[tree.query(geoms[u], predicate="intersects")]
        cover = shapely.coverage_union_all(near) if len(near) else None
        if cover is not None and not cover.is_empty:
            clipped = shapely.intersection(geoms[u], cover)
            polys = [q for q in shapely.get_parts(clipped) if q.geom_type == "Polygon" and q.area > 1.0]
            if polys:
                geoms[u] = max(polys, key=lambda q: q.area)
