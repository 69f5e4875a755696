"""One pair of :func:`~.overlay_area.intersection_areas` in Python (an edit's one parcel): the same operations on
the same floats in the same order as the numpy path, without numpy's fixed cost (~0.5 ms a call whatever its size);
and what both paths share (the tolerances, the integral along an edge)."""
from __future__ import annotations

import weakref

import numpy as np
import shapely
from shapely.geometry import MultiPolygon, Polygon

_TOL = 1e-9  # a vertex closer than this × the pair's size to an edge of the other polygon: GEOS decides
_EPS = 64 * np.finfo(float).eps


def _piece(x0, y0, dx, dy, t0, t1):
    """∫ x dy along the edge (x0, y0) + t (dx, dy) from t0 to t1: the trapezoid of its end points."""
    xa, xb = x0 + t0 * dx, x0 + t1 * dx
    return 0.5 * (xa + xb) * ((y0 + t1 * dy) - (y0 + t0 * dy))



_EDGES: dict = {}  # id of a big geometry -> (weak reference, its edges): the units again and again, one pair a call


def _fine(g) -> bool:
    return isinstance(g, (Polygon, MultiPolygon)) and not g.is_empty


def _edges_py(g) -> tuple:
    """:func:`~.overlay_area._edges` of one geometry in Python lists: (ring, x0, y0, x1, y1, sign, ring's first
    edge, its edge count); the same floats (the orientation summed in the same order)."""
    coords = shapely.get_coordinates(g).tolist()
    if coords.count(coords[0]) == 2 and coords[-1] == coords[0]:  # one ring: as _edges reads it
        rings, part = [coords], [0]
    else:
        geoms, part = shapely.get_rings(shapely.get_parts(g), return_index=True)
        rings, part = [shapely.get_coordinates(r).tolist() for r in geoms], part.tolist()
    out: tuple = ([], [], [], [], [], [], [], [])
    ring, ex0, ey0, ex1, ey1, sign, first, count = out
    for r, coords in enumerate(rings):
        x = [c[0] for c in coords]
        y = [c[1] for c in coords]
        xr = [v - x[0] for v in x]
        yr = [v - y[0] for v in y]
        area = 0.0
        for i in range(len(x) - 1):
            area += xr[i] * yr[i + 1] - xr[i + 1] * yr[i]
        exterior = r == 0 or part[r] != part[r - 1]
        s = 1.0 if (area > 0) == exterior else -1.0
        f = len(ex0)
        for i in range(len(x) - 1):
            if x[i + 1] != x[i] or y[i + 1] != y[i]:
                ring.append(r)
                ex0.append(x[i])
                ey0.append(y[i])
                ex1.append(x[i + 1])
                ey1.append(y[i + 1])
                sign.append(s)
        first.extend([f] * (len(ex0) - f))
        count.extend([len(ex0) - f] * (len(ex0) - f))
    return out


def _edges_of(g) -> tuple:
    """:func:`_edges_py` of a big geometry, kept while it lives, with its edges' boxes as arrays."""
    hit = _EDGES.get(id(g))
    if hit is not None and hit[0]() is g:
        return hit[1]
    edges = _edges_py(g)
    x0, y0, x1, y1 = (np.array(v, dtype=float) for v in edges[1:5])
    boxes = (np.minimum(x0, x1), np.minimum(y0, y1), np.maximum(x0, x1), np.maximum(y0, y1))
    if len(_EDGES) >= 256:
        _EDGES.clear()
    _EDGES[id(g)] = (weakref.ref(g), (edges, boxes))
    return edges, boxes


def one_pair(a, b) -> float | None:
    """:func:`~.overlay_area.intersection_areas` of one pair of non-empty (Multi)Polygons in Python: the same
    operations on the same floats in the same order as the numpy path (so the same result, bit for bit), None when
    in special position (GEOS decides)."""
    (aring, ax0, ay0, ax1, ay1, asign, afirst, acount), boxes = _edges_of(a)
    xmin, ymin, xmax, ymax = shapely.bounds(b).tolist()
    cand = np.flatnonzero((boxes[0] <= xmax) & (boxes[2] >= xmin) & (boxes[1] <= ymax) & (boxes[3] >= ymin)).tolist()
    _bring, bx0, by0, bx1, by1, bsign, bfirst, _bcount = _edges_py(b)
    rows = [(ax0[e] - xmin, ay0[e] - ymin, ax1[e] - xmin, ay1[e] - ymin) for e in cand]
    brows = [(bx0[j] - xmin, by0[j] - ymin, bx1[j] - xmin, by1[j] - ymin) for j in range(len(bx0))]
    events: list = [[] for _ in range(len(cand) + len(bx0))]
    na = len(cand)
    for i, (px0, py0, px1, py1) in enumerate(rows):
        for j, (qx0, qy0, qx1, qy1) in enumerate(brows):
            if not (min(px0, px1) <= max(qx0, qx1) and min(qx0, qx1) <= max(px0, px1)
                    and min(py0, py1) <= max(qy0, qy1) and min(qy0, qy1) <= max(py0, py1)):
                continue
            got = _cross_one(px0, py0, px1, py1, qx0, qy0, qx1, qy1)
            if got is None:
                return None
            if got:
                events[i].append(got[0])
                events[na + j].append(got[1])
    for ev in events:
        ev.sort()
    start = [0] * (na + len(bx0))
    st = 0
    for j in range(len(bx0)):  # the parcel's rings from their first vertex
        if bfirst[j] == j:
            st = int(shapely.contains_xy(a, bx0[j], by0[j]))
        start[na + j] = st
        st = (st + len(events[na + j])) & 1
    _runs_one(b, cand, aring, ax0, ay0, afirst, acount, events, start)
    area = 0.0
    for r in range(na + len(bx0)):
        if r < na:
            e = cand[r]
            x0, y0, dx, dy, sign = ax0[e] - xmin, ay0[e] - ymin, ax1[e] - ax0[e], ay1[e] - ay0[e], asign[e]
        else:
            j = r - na
            x0, y0, dx, dy, sign = bx0[j] - xmin, by0[j] - ymin, bx1[j] - bx0[j], by1[j] - by0[j], bsign[j]
        ts, st, val = events[r], start[r], 0.0
        for k, t in enumerate(ts):
            if (st + k) & 1:
                val += _piece(x0, y0, dx, dy, ts[k - 1] if k > 0 else 0.0, t)
        if (st + len(ts)) & 1:
            val += _piece(x0, y0, dx, dy, ts[-1] if ts else 0.0, 1.0)
        area += sign * val
    return area


def _cross_one(px0, py0, px1, py1, qx0, qy0, qx1, qy1):
    """:func:`~.overlay_area._crossings` of one edge pair: None (special position), () (no crossing) or (t on A,
    t on B)."""
    pdx, pdy, qdx, qdy = px1 - px0, py1 - py0, qx1 - qx0, qy1 - qy0
    d1 = pdx * (qy0 - py0) - pdy * (qx0 - px0)
    d2 = pdx * (qy1 - py0) - pdy * (qx1 - px0)
    d3 = qdx * (py0 - qy0) - qdy * (px0 - qx0)
    d4 = qdx * (py1 - qy0) - qdy * (px1 - qx0)
    size = max(abs(px0), abs(py0), abs(px1), abs(py1), abs(qx0), abs(qy0), abs(qx1), abs(qy1))
    lp, lq = abs(pdx) + abs(pdy), abs(qdx) + abs(qdy)
    lp2, lq2 = pdx * pdx + pdy * pdy, qdx * qdx + qdy * qdy
    slack = _EPS * size * size
    for d, length, dot, length2 in ((d1, lp, pdx * (qx0 - px0) + pdy * (qy0 - py0), lp2),
                                    (d2, lp, pdx * (qx1 - px0) + pdy * (qy1 - py0), lp2),
                                    (d3, lq, qdx * (px0 - qx0) + qdy * (py0 - qy0), lq2),
                                    (d4, lq, qdx * (px1 - qx0) + qdy * (py1 - qy0), lq2)):
        t = _TOL * size * length
        if abs(d) <= t + slack and dot >= -t - slack and dot <= length2 + t + slack:
            return None
    if (d1 > 0) != (d2 > 0) and (d3 > 0) != (d4 > 0):
        return d3 / (d3 - d4), d1 / (d1 - d2)
    return ()


def _runs_one(b, cand, aring, ax0, ay0, afirst, acount, events, start) -> None:
    """:func:`~.overlay_area._runs` of one pair into ``start``: each run of the unit's edges from its start, outside."""
    row = {e: i for i, e in enumerate(cand)}

    def after(e):
        return afirst[e] if e == afirst[e] + acount[e] - 1 else e + 1

    def before(e):
        return afirst[e] + acount[e] - 1 if e == afirst[e] else e - 1

    runs = set()
    for e in cand:
        if before(e) in row:
            continue
        st, cur = 0, e  # a run start
        while True:
            start[row[cur]] = st
            st = (st + len(events[row[cur]])) & 1
            cur = after(cur)
            if cur not in row:
                break
        runs.add(aring[e])
    for e in cand:  # the rings all in the box (no run start): from their first vertex
        if aring[e] in runs or e != afirst[e]:
            continue
        st, cur = int(shapely.contains_xy(b, ax0[e], ay0[e])), e
        for _ in range(acount[e]):
            start[row[cur]] = st
            st = (st + len(events[row[cur]])) & 1
            cur = after(cur)
