"""The area of the intersection of two polygons, pair by pair, by Green's theorem in numpy.

``intersection_areas(a, b)[k]`` is ``shapely.area(shapely.intersection(a[k], b[k]))`` without the
overlay: area(A ∩ B) = ∮ x dy over the boundary of A ∩ B, which is the part of ∂A inside B and the
part of ∂B inside A (rings oriented: exteriors counter-clockwise, holes clockwise). So, per pair:

* the edges of ``b[k]`` (small: a parcel) all, and only the edges of ``a[k]`` (big: a unit, an
  overlap of two units) whose box meets ``b[k]``'s box (the edges of the distinct ``a`` joined with the
  boxes of the ``b``, sorted: :func:`_boxes_meeting`): an edge outside that box is outside ``b[k]``;
* the crossings of those edges with each other by orientation tests, in coordinates relative to
  the corner of ``b[k]``'s box (zone-prefixed x ~ 3.8·10⁷ m: absolute products lose the bits);
* inside or outside the other polygon: the first vertex of each ring of ``b[k]`` by
  ``shapely.contains_xy`` on ``a[k]`` (prepared); a run of consecutive edges of ``a[k]`` starts
  outside ``b[k]`` (the edge before it is outside the box); both toggle at every crossing;
* ∫ x dy of the parts inside, in closed form, summed in a fixed order per pair (its rows sorted by
  side, ring, edge; crossings by their parameter), so that a pair's area never depends on which other
  pairs are in the batch: a full build and an edit give the same floats.

Pairs where a vertex of one lies on or within a small distance of an edge of the other (collinear
edges shared by a unit and a parcel, a corner on an outline, …), or with anything unusual (empty,
not polygonal) are left to GEOS, pair by pair: the same call as before, the same floats.

A call of up to ``_FEW`` pairs (an edit's one parcel) runs :func:`one_pair`: the same operations in
Python on the same floats in the same order (numpy's ~150 calls would cost ~0.5 ms whatever the size).
"""
from __future__ import annotations

import weakref

import numpy as np
import shapely
from shapely.geometry import MultiPolygon, Polygon

_TOL = 1e-9  # a vertex closer than this × the pair's size to an edge of the other polygon: GEOS decides
_EPS = 64 * np.finfo(float).eps
_CHUNK = 2048  # pairs a piece (temporaries of ~10 MB)
_FEW = 4  # up to this many pairs a call: one by one in Python (one_pair), the same floats


def _edges(geoms: np.ndarray):
    """Edges of the polygons ``geoms``: (owner, ring, x0, y0, x1, y1, sign, ring's first edge, ring's edge count),
    in the order of ``geoms``, of their parts and rings; zero-length edges dropped; ``sign`` +1 where the ring
    runs as an exterior counter-clockwise or a hole clockwise, -1 otherwise (a ring run backwards: the
    opposite integral). A polygon of one ring (the common parcel) is read from its coordinates alone (no
    ring geometries made): its first point comes back only at its end; polygons without holes (the slivers of
    two units' overlap) from their parts' coordinates."""
    xy, owner = shapely.get_coordinates(geoms, return_index=True)
    n = len(geoms)
    count = np.bincount(owner, minlength=n)
    start = np.concatenate(([0], np.cumsum(count)[:-1]))
    end = start + count - 1
    x, y = xy[:, 0], xy[:, 1]
    again = (x == x[start][owner]) & (y == y[start][owner])
    one = (np.bincount(owner, weights=again, minlength=n) == 2) & again[end]
    rest = np.flatnonzero(~one)
    ring = owner.copy()  # one ring a polygon: its ring is numbered by the polygon
    exterior = np.ones(n, dtype=bool)
    if len(rest):
        parts, pown = shapely.get_parts(geoms[rest], return_index=True)
        if shapely.get_num_interior_rings(parts).any():
            rings, part = shapely.get_rings(parts, return_index=True)
            rxy, rring = shapely.get_coordinates(rings, return_index=True)
        else:  # no holes (the slivers of two units' overlap): a part's coordinates are its one ring's
            part = np.arange(len(parts))
            rxy, rring = shapely.get_coordinates(parts, return_index=True)
        rown = rest[pown[part]]
        ext = np.ones(len(part), dtype=bool)
        ext[1:] = part[1:] != part[:-1]
        keep = one[owner]
        rnum = n + rring  # their rings numbered after the polygons
        x = np.concatenate((x[keep], rxy[:, 0]))
        y = np.concatenate((y[keep], rxy[:, 1]))
        ring = np.concatenate((ring[keep], rnum))
        own = np.concatenate((owner[keep], rown[rring]))
        order = np.argsort(own, kind="stable")
        x, y, ring, own = x[order], y[order], ring[order], own[order]
        exterior = np.concatenate((exterior, ext))
    else:
        own = owner
    nr = len(exterior)
    same = ring[1:] == ring[:-1]
    # the ring's orientation: the sign of its area, relative to its first point
    rstart = np.flatnonzero(np.concatenate(([True], ~same)))
    first_of = np.repeat(rstart, np.diff(np.concatenate((rstart, [len(x)]))))
    xr, yr = x - x[first_of], y - y[first_of]
    cross = np.where(same, xr[:-1] * yr[1:] - xr[1:] * yr[:-1], 0.0)
    ccw = np.bincount(ring[:-1], weights=cross, minlength=nr) > 0
    sign = np.where(ccw == exterior, 1.0, -1.0)
    keep = same & ((x[1:] != x[:-1]) | (y[1:] != y[:-1]))
    e = np.flatnonzero(keep)
    r = ring[e]
    ecount = np.bincount(r, minlength=nr)
    efirst = np.concatenate(([0], np.cumsum(ecount)[:-1]))
    # the rings in edge order: polygons' rings first by owner, so first edge indices follow the edge order
    rfirst = np.full(nr, -1)
    rfirst[r[::-1]] = np.arange(len(e))[::-1]
    del efirst
    return own[e], r, x[e], y[e], x[e + 1], y[e + 1], sign[r], rfirst[r], ecount[r]


def _segments(starts: np.ndarray, counts: np.ndarray) -> np.ndarray:
    """``concatenate([arange(s, s + c) for s, c in zip(starts, counts)])`` without the loop."""
    total = int(counts.sum())
    if total == 0:
        return np.zeros(0, dtype=np.int64)
    ends = np.cumsum(counts)
    step = np.ones(total, dtype=np.int64)
    nz = counts > 0
    step[0] = starts[nz][0]
    heads = ends[nz][:-1]
    step[heads] = starts[nz][1:] - (starts[nz][:-1] + counts[nz][:-1] - 1)
    return np.cumsum(step)


def _boxes_meeting(x0, y0, x1, y1, bounds: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(edge, box) of the edges' boxes and the boxes ``bounds`` meeting (borders included): what an STRtree of the
    boxes queried with the edges as linestrings gives, without making them. Intervals on x meet where the box
    starts within the edge's (sorted boxes, ``searchsorted``) or the edge starts within the box's, after its
    start (sorted edges); then the y intervals compared. Comparisons only: the same pairs."""
    exlo, exhi = np.minimum(x0, x1), np.maximum(x0, x1)
    bxlo, bxhi = bounds[:, 0], bounds[:, 2]
    ob = np.argsort(bxlo, kind="stable")
    sb = bxlo[ob]
    lo, hi = np.searchsorted(sb, exlo, "left"), np.searchsorted(sb, exhi, "right")
    e1 = np.repeat(np.arange(len(x0)), hi - lo)
    b1 = ob[_segments(lo, hi - lo)]
    oe = np.argsort(exlo, kind="stable")
    se = exlo[oe]
    lo, hi = np.searchsorted(se, bxlo, "right"), np.searchsorted(se, bxhi, "right")
    b2 = np.repeat(np.arange(len(bounds)), hi - lo)
    e2 = oe[_segments(lo, hi - lo)]
    e, k = np.concatenate((e1, e2)), np.concatenate((b1, b2))
    ylo, yhi = np.minimum(y0, y1)[e], np.maximum(y0, y1)[e]
    keep = np.flatnonzero((bounds[k, 1] <= yhi) & (bounds[k, 3] >= ylo))
    return e[keep], k[keep]


def _piece(x0, y0, dx, dy, t0, t1):
    """∫ x dy along the edge (x0, y0) + t (dx, dy) from t0 to t1: the trapezoid of its end points."""
    xa, xb = x0 + t0 * dx, x0 + t1 * dx
    return 0.5 * (xa + xb) * ((y0 + t1 * dy) - (y0 + t0 * dy))


def intersection_areas(a, b) -> np.ndarray:
    """``shapely.area(shapely.intersection(a, b))``, element-wise, for (Multi)Polygons: ``b`` the small ones
    (parcels), ``a`` the big ones, often the same object again (units; one geometry: all pairs), best
    prepared by the caller (``shapely.prepare`` is not thread-safe: not done here). The area of a pair
    depends on that pair alone; pairs in special position go to GEOS."""
    b = np.asarray(b, dtype=object)
    n = len(b)
    a = np.asarray(a, dtype=object)
    if a.ndim == 0:
        one = a.item()
        a = np.empty(n, dtype=object)
        a[:] = [one] * n
    out = np.zeros(n)
    if n == 0:
        return out
    if n <= _FEW:  # a few pairs (an edit's one parcel): the same floats in Python, without numpy's overheads
        for k in range(n):
            got = one_pair(a[k], b[k]) if _fine(a[k]) and _fine(b[k]) else None
            out[k] = float(shapely.area(shapely.intersection(a[k], b[k]))) if got is None else got
        return out
    ta, tb = shapely.get_type_id(a), shapely.get_type_id(b)
    fine = ((ta == 3) | (ta == 6)) & ((tb == 3) | (tb == 6)) & ~shapely.is_empty(a) & ~shapely.is_empty(b)
    special = ~fine
    todo = np.flatnonzero(fine)
    for s in range(0, len(todo), _CHUNK):  # in pieces: the temporaries stay in the cache
        part = todo[s:s + _CHUNK]
        special[part[_green(a[part], b[part], out, part)]] = True
    back = np.flatnonzero(special)
    if len(back):
        out[back] = shapely.area(shapely.intersection(a[back], b[back]))
    return out


def _green(a: np.ndarray, b: np.ndarray, out: np.ndarray, where: np.ndarray) -> np.ndarray:
    """Areas of the pairs into ``out[where]``; the positions (in ``a``) of the pairs left to GEOS."""
    n = len(a)
    # the big side: each distinct geometry once; its edges meeting the box of a pair's b, by an STRtree of b
    keys = np.fromiter(map(id, a), dtype=np.int64, count=n)
    _, first, inv = np.unique(keys, return_index=True, return_inverse=True)
    ua = a[first]
    A = _edges(ua)
    aown, ax0, ay0, ax1, ay1 = A[0], A[2], A[3], A[4], A[5]
    bounds = shapely.bounds(b)
    ox, oy = bounds[:, 0], bounds[:, 1]
    edge_q, pair_q = _boxes_meeting(ax0, ay0, ax1, ay1, bounds)  # b's own envelopes
    mine = aown[edge_q] == inv[pair_q]
    na_all = len(ax0)
    key = np.sort(pair_q[mine] * na_all + edge_q[mine])
    ap, ae = key // na_all, key % na_all  # A rows: (pair, edge of the big side), sorted
    B = _edges(b)  # the small side: every edge of each pair's b
    bown, bx0, by0, bx1, by1, bfirst = B[0], B[2], B[3], B[4], B[5], B[7]
    special, ev_row, ev_t = _crossings(n, ox, oy, ap, A[2:6], ae, bown, B[2:6])
    na, nbr = len(ap), len(bown)
    ncross = np.bincount(ev_row, minlength=na + nbr)
    # inside at each row's start: B rings from their first vertex, toggled by the crossings before
    start_in = np.zeros(na + nbr, dtype=np.int64)
    ring_first = np.flatnonzero(np.arange(nbr) == bfirst)
    ring_in = np.zeros(nbr, dtype=np.int64)
    ring_in[ring_first] = shapely.contains_xy(ua[inv[bown[ring_first]]], bx0[ring_first], by0[ring_first])
    cb = ncross[na:]
    before = np.cumsum(cb) - cb  # crossings before the row, from the first B edge
    start_in[na:] = (ring_in[bfirst] + before - before[bfirst]) & 1
    if na:
        start_in[:na] = _runs(b, A, ap, ae, key, na_all, ncross[:na])
    # the rows' edges relative to the pair's corner
    rp = np.concatenate((ap, bown))
    rx0 = np.concatenate((ax0[ae], bx0)) - ox[rp]
    ry0 = np.concatenate((ay0[ae], by0)) - oy[rp]
    rdx = np.concatenate((ax1[ae] - ax0[ae], bx1 - bx0))
    rdy = np.concatenate((ay1[ae] - ay0[ae], by1 - by0))
    rsign = np.concatenate((A[6][ae], B[6]))
    # the parts inside: from an entry (or the row's start) to an exit (or the row's end), ∫ x dy = mean x · Δy
    # from their end points (relative: no cancellation of big terms)
    k = np.arange(len(ev_row)) - (np.cumsum(ncross) - ncross)[ev_row]
    exits = np.flatnonzero((start_in[ev_row] + k) & 1)
    t1 = ev_t[exits]
    t0 = np.where(k[exits] > 0, ev_t[exits - 1], 0.0)
    r = ev_row[exits]
    val = np.bincount(r, weights=_piece(rx0[r], ry0[r], rdx[r], rdy[r], t0, t1), minlength=na + nbr).astype(float)
    ends = np.flatnonzero((start_in + ncross) & 1)
    last = np.cumsum(ncross)[ends] - 1
    t0 = np.where(ncross[ends] > 0, ev_t[np.maximum(last, 0)] if len(ev_t) else 0.0, 0.0)
    val[ends] += _piece(rx0[ends], ry0[ends], rdx[ends], rdy[ends], t0, 1.0)
    # summed per pair in the rows' order: its A rows by edge, then its B edges
    out[where] = np.bincount(rp, weights=rsign * val, minlength=n)
    return np.flatnonzero(special)


def _crossings(n: int, ox, oy, ap, aedges, ae, bown, bedges):
    """The crossings of each A row (pair ``ap``, edge ``ae``) with the edges of its pair's b, boxes meeting:
    (pairs in special position, the crossings' rows, their parameters along the row's edge), sorted by row then
    parameter; rows: the A rows, then the B edges (offset by the A rows' count)."""
    ax0, ay0, ax1, ay1 = aedges
    bx0, by0, bx1, by1 = bedges
    nb = np.bincount(bown, minlength=n)
    bstart = np.concatenate(([0], np.cumsum(nb)[:-1]))
    na = len(ap)
    cnt = nb[ap]
    ra = np.repeat(np.arange(na), cnt)
    rb = _segments(bstart[ap], cnt)
    e = ae[ra]
    p = ap[ra]
    oxp, oyp = ox[p], oy[p]
    px0, py0, px1, py1 = ax0[e] - oxp, ay0[e] - oyp, ax1[e] - oxp, ay1[e] - oyp
    qx0, qy0, qx1, qy1 = bx0[rb] - oxp, by0[rb] - oyp, bx1[rb] - oxp, by1[rb] - oyp
    meet = ((np.minimum(px0, px1) <= np.maximum(qx0, qx1)) & (np.minimum(qx0, qx1) <= np.maximum(px0, px1))
            & (np.minimum(py0, py1) <= np.maximum(qy0, qy1)) & (np.minimum(qy0, qy1) <= np.maximum(py0, py1)))
    idx = np.flatnonzero(meet)
    ra, rb, p = ra[idx], rb[idx], p[idx]
    px0, py0, px1, py1, qx0, qy0, qx1, qy1 = (v[idx] for v in (px0, py0, px1, py1, qx0, qy0, qx1, qy1))
    pdx, pdy, qdx, qdy = px1 - px0, py1 - py0, qx1 - qx0, qy1 - qy0
    d1 = pdx * (qy0 - py0) - pdy * (qx0 - px0)  # Q0, Q1 against the A edge
    d2 = pdx * (qy1 - py0) - pdy * (qx1 - px0)
    d3 = qdx * (py0 - qy0) - qdy * (px0 - qx0)  # P0, P1 against the B edge
    d4 = qdx * (py1 - qy0) - qdy * (px1 - qx0)
    size = np.maximum.reduce([np.abs(px0), np.abs(py0), np.abs(px1), np.abs(py1),
                              np.abs(qx0), np.abs(qy0), np.abs(qx1), np.abs(qy1)])
    lp, lq = np.abs(pdx) + np.abs(pdy), np.abs(qdx) + np.abs(qdy)  # ≥ the lengths (no sqrt: the same in Python)
    lp2, lq2 = pdx * pdx + pdy * pdy, qdx * qdx + qdy * qdy
    slack = _EPS * size * size

    def near(d, length, dot, length2):  # a vertex within the tolerance of the other edge (its line, its extent)
        t = _TOL * size * length
        return (np.abs(d) <= t + slack) & (dot >= -t - slack) & (dot <= length2 + t + slack)

    bad = (near(d1, lp, pdx * (qx0 - px0) + pdy * (qy0 - py0), lp2)
           | near(d2, lp, pdx * (qx1 - px0) + pdy * (qy1 - py0), lp2)
           | near(d3, lq, qdx * (px0 - qx0) + qdy * (py0 - qy0), lq2)
           | near(d4, lq, qdx * (px1 - qx0) + qdy * (py1 - qy0), lq2))
    special = np.zeros(n, dtype=bool)
    special[p[bad]] = True
    cross = np.flatnonzero(~bad & ((d1 > 0) != (d2 > 0)) & ((d3 > 0) != (d4 > 0)))
    ta = d3[cross] / (d3[cross] - d4[cross])  # where the crossing is on the A edge, on the B edge
    tb = d1[cross] / (d1[cross] - d2[cross])
    ev_row = np.concatenate((ra[cross], na + rb[cross]))
    ev_t = np.concatenate((ta, tb))
    order = np.lexsort((ev_t, ev_row))
    return special, ev_row[order], ev_t[order]


def _runs(b, A, ap, ae, key, na_all: int, ca) -> np.ndarray:
    """Inside ``b`` (1) or not (0) at the start of each A row: a run of consecutive edges of a ring of the big side
    starts outside (the edge before it misses the box), toggled by the crossings (``ca`` a row) along it; a run
    may wrap round the ring's end; a ring all in the box: its first vertex tested."""
    aring, ax0, ay0, afirst, acount = A[1], A[2], A[3], A[7], A[8]
    na = len(ap)
    prev = np.where(ae == afirst[ae], afirst[ae] + acount[ae] - 1, ae - 1)
    pkey = ap * na_all + prev
    pos = np.searchsorted(key, pkey)
    has_prev = (pos < na) & (key[np.minimum(pos, na - 1)] == pkey)
    grp_start = np.ones(na, dtype=bool)  # groups: (pair, ring) of the big side
    grp_start[1:] = (ap[1:] != ap[:-1]) | (aring[ae[1:]] != aring[ae[:-1]])
    gid = np.cumsum(grp_start) - 1
    gfirst = np.flatnonzero(grp_start)
    acs = np.cumsum(ca) - ca  # crossings before the row, from the first A row
    last = np.maximum.accumulate(np.where(~has_prev, np.arange(na), -1))  # the row's run start
    head = last < gfirst[gid]  # before the first run start of its group: in the run wrapping round the ring
    gend = np.concatenate((gfirst[1:], [na])) - 1
    glast = last[gend]  # the group's last run start
    whole = glast < gfirst
    parity = np.where(head, 0, acs - acs[np.maximum(last, 0)])
    tail = acs[gend] + ca[gend] - acs[np.maximum(glast, 0)]  # crossings from the last run start to the end
    parity = np.where(head & ~whole[gid], tail[gid] + acs - acs[gfirst[gid]], parity)
    w = np.flatnonzero(whole)
    if len(w):
        r0 = gfirst[w]
        base = np.zeros(len(gfirst), dtype=np.int64)
        base[w] = shapely.contains_xy(b[ap[r0]], ax0[ae[r0]], ay0[ae[r0]])
        parity = np.where(whole[gid], base[gid] + acs - acs[gfirst[gid]], parity)
    return parity & 1


_EDGES: dict = {}  # id of a big geometry -> (weak reference, its edges): the units again and again, one pair a call


def _fine(g) -> bool:
    return isinstance(g, (Polygon, MultiPolygon)) and not g.is_empty


def _edges_py(g) -> tuple:
    """:func:`_edges` of one geometry in Python lists: (ring, x0, y0, x1, y1, sign, ring's first edge, its edge
    count); the same floats (the orientation summed in the same order)."""
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
    """:func:`intersection_areas` of one pair of non-empty (Multi)Polygons in Python: the same operations on the
    same floats in the same order as the numpy path (so the same result, bit for bit), None when in special
    position (GEOS decides)."""
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
    """:func:`_crossings` of one edge pair: None (special position), () (no crossing) or (t on A, t on B)."""
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
    """:func:`_runs` of one pair into ``start``: each run of the unit's edges from its start, outside."""
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
