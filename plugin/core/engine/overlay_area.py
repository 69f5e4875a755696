"""The area of the intersection of two polygons, pair by pair, by Green's theorem in numpy.

``intersection_areas(a, b)[k]`` is ``shapely.area(shapely.intersection(a[k], b[k]))`` without the
overlay: area(A ∩ B) = ∮ x dy over the boundary of A ∩ B, which is the part of ∂A inside B and the
part of ∂B inside A (rings oriented: exteriors counter-clockwise, holes clockwise). So, per pair:

* the edges of ``b[k]`` (small: a parcel) all, and only the edges of ``a[k]`` (big: a unit, an
  overlap of two units) whose box meets ``b[k]``'s box (the edges of the distinct ``a`` against the
  boxes of the ``b``: :func:`_own_edges_meeting`): an edge outside that box is outside ``b[k]``;
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

A call of up to ``_FEW`` pairs (an edit's one parcel) runs :func:`~.overlay_pair.one_pair`: the same operations in
Python on the same floats in the same order (numpy's ~150 calls would cost ~0.5 ms whatever the size).
"""
from __future__ import annotations

import numpy as np
import shapely

from .overlay_pair import _EPS, _TOL, _fine, _piece, one_pair

_CHUNK = 2048  # pairs a piece (temporaries of ~10 MB)
_MATRIX = 1 << 16  # pairs × big-side edges up to this: compared as a matrix (_own_edges_meeting)
_FEW = 4  # up to this many pairs a call: one by one in Python (one_pair), the same floats


def _edges(geoms: np.ndarray):
    """Edges of the polygons ``geoms``: (owner, ring, x0, y0, x1, y1, sign, ring's first edge, ring's edge count),
    in the order of ``geoms``, of their parts and rings; zero-length edges dropped; ``sign`` +1 where the ring
    runs as an exterior counter-clockwise or a hole clockwise, -1 otherwise (a ring run backwards: the
    opposite integral). A polygon of one ring (the common parcel) is read from its coordinates alone (no
    ring geometries made): its first point comes back only at its end; polygons without holes (the slivers of
    two units' overlap) from their parts' coordinates."""
    n = len(geoms)
    if n == 1 and (one := _one_ring(geoms[0])) is not None:
        return one
    exterior = np.ones(n, dtype=bool)
    if n <= 16 and (shapely.get_type_id(geoms) == 6).all():  # a few MultiPolygons (overlaps): from their parts
        rest, one = np.arange(n), None
    else:
        xy, owner = shapely.get_coordinates(geoms, return_index=True)
        count = np.bincount(owner, minlength=n)
        start = np.concatenate(([0], np.cumsum(count)[:-1]))
        end = start + count - 1
        x, y = xy[:, 0], xy[:, 1]
        xs, ys = x[start][owner], y[start][owner]
        again = (x == xs) & (y == ys)
        one = (np.bincount(owner, weights=again, minlength=n) == 2) & again[end]
        rest = np.flatnonzero(~one)
        ring = owner  # one ring a polygon: its ring is numbered by the polygon
        own = owner
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
        exterior = np.concatenate((exterior, ext))
        rnum = n + rring  # their rings numbered after the polygons
        if one is None:  # all of them: already in their owners' order
            x, y, ring, own = rxy[:, 0], rxy[:, 1], rnum, rown[rring]
        else:
            keep = one[owner]
            x = np.concatenate((x[keep], rxy[:, 0]))
            y = np.concatenate((y[keep], rxy[:, 1]))
            ring = np.concatenate((owner[keep], rnum))
            own = np.concatenate((owner[keep], rown[rring]))
            order = np.argsort(own, kind="stable")
            x, y, ring, own = x[order], y[order], ring[order], own[order]
    nr = len(exterior)
    same = ring[1:] == ring[:-1]
    # the ring's orientation: the sign of its area, relative to its first point
    if len(rest):
        rstart = np.flatnonzero(np.concatenate(([True], ~same)))
        first_of = np.repeat(rstart, np.diff(np.concatenate((rstart, [len(x)]))))
        xs, ys = x[first_of], y[first_of]
    xr, yr = x - xs, y - ys  # one ring each (parcels, a unit): its first point is the polygon's
    cross = np.where(same, xr[:-1] * yr[1:] - xr[1:] * yr[:-1], 0.0)
    ccw = np.bincount(ring[:-1], weights=cross, minlength=nr) > 0
    sign = np.where(ccw == exterior, 1.0, -1.0)
    keep = same & ((x[1:] != x[:-1]) | (y[1:] != y[:-1]))
    e = np.flatnonzero(keep)
    r = ring[e]
    ecount = np.bincount(r, minlength=nr)
    # the rings in edge order: polygons' rings first by owner, so first edge indices follow the edge order
    rfirst = np.full(nr, -1)
    rfirst[r[::-1]] = np.arange(len(e))[::-1]
    e1 = e + 1
    return own[e], r, x[e], y[e], x[e1], y[e1], sign[r], rfirst[r], ecount[r]


def _one_ring(g):
    """:func:`_edges` of one Polygon without holes whose first point comes back only at its end, or of a MultiPolygon
    of one such part (a unit): the same arrays (ring numbered 0, or 1 after the polygon's), in ~12 numpy calls instead
    of ~35 (the orientation summed by ``bincount`` in the same order); None for any other geometry."""
    t = shapely.get_type_id(g)
    if t == 6:
        parts = shapely.get_parts(g)
        if len(parts) != 1 or shapely.get_num_interior_rings(parts[0]):
            return None
    elif t != 3 or shapely.get_num_interior_rings(g):
        return None
    xy = shapely.get_coordinates(g)
    x, y = xy[:, 0], xy[:, 1]
    if t == 3:  # read from its coordinates alone (as _edges does) only when its first point comes back at its end only
        again = (x == x[0]) & (y == y[0]) if len(x) else None
        if again is None or not again[-1] or np.count_nonzero(again) != 2:
            return None
    xr, yr = x - x[0], y - y[0]
    cross = xr[:-1] * yr[1:] - xr[1:] * yr[:-1]
    ccw = np.bincount(np.zeros(len(cross), dtype=np.int64), weights=cross, minlength=1)[0] > 0
    e = np.flatnonzero((x[1:] != x[:-1]) | (y[1:] != y[:-1]))
    m, e1 = len(e), e + 1
    return (np.zeros(m, dtype=np.int64), np.full(m, 0 if t == 3 else 1, dtype=np.int64), x[e], y[e], x[e1], y[e1],
            np.full(m, 1.0 if ccw else -1.0), np.zeros(m, dtype=np.int64), np.full(m, m, dtype=np.int64))


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


def _own_edges_meeting(aown, inv, ax0, ay0, ax1, ay1, bounds: np.ndarray, nua: int) -> np.ndarray:
    """``pair · len(ax0) + edge``, sorted, of the edges of the big sides (owner ``aown``) whose boxes meet the box of a
    pair whose big side they are (owner ``inv[pair]``): a matrix of pairs × edges when small (a move's calls; its
    non-zeros come in that order), else :func:`_boxes_meeting`. Comparisons only: the same pairs either way."""
    ne = len(ax0)
    if len(bounds) * ne <= _MATRIX:
        exlo, exhi, eylo, eyhi = np.minimum(ax0, ax1), np.maximum(ax0, ax1), np.minimum(ay0, ay1), np.maximum(ay0, ay1)
        m = (bounds[:, 0, None] <= exhi) & (bounds[:, 2, None] >= exlo)
        m &= (bounds[:, 1, None] <= eyhi) & (bounds[:, 3, None] >= eylo)
        if nua > 1:
            m &= inv[:, None] == aown
        return np.flatnonzero(m)
    edge_q, pair_q = _boxes_meeting(ax0, ay0, ax1, ay1, bounds)  # b's own envelopes
    mine = aown[edge_q] == inv[pair_q]
    return np.sort(pair_q[mine] * ne + edge_q[mine])


def intersection_areas(a, b) -> np.ndarray:
    """``shapely.area(shapely.intersection(a, b))``, element-wise, for (Multi)Polygons: ``b`` the small ones
    (parcels), ``a`` the big ones, often the same object again (units; one geometry: all pairs), best
    prepared by the caller (``shapely.prepare`` is not thread-safe: not done here). The area of a pair
    depends on that pair alone; pairs in special position go to GEOS."""
    b = np.asarray(b, dtype=object)
    n = len(b)
    out = np.zeros(n)
    if n == 0:
        return out
    ua, inv = _distinct(a, n)
    if n <= _FEW:  # a few pairs (an edit's one parcel): the same floats in Python, without numpy's overheads
        for k in range(n):
            g = ua[inv[k]]
            got = one_pair(g, b[k]) if _fine(g) and _fine(b[k]) else None
            out[k] = float(shapely.area(shapely.intersection(g, b[k]))) if got is None else got
        return out
    ta, tb = shapely.get_type_id(ua), shapely.get_type_id(b)
    fa = ((ta == 3) | (ta == 6)) & ~shapely.is_empty(ua)
    fine = fa[inv] & ((tb == 3) | (tb == 6)) & ~shapely.is_empty(b)
    special = ~fine
    todo = np.flatnonzero(fine)
    for s in range(0, len(todo), _CHUNK):  # in pieces: the temporaries stay in the cache
        part = todo[s:s + _CHUNK]
        used, sub = (ua, inv[part]) if fa.all() else _used(ua, inv[part])
        special[part[_green(used, sub, b[part], out, part)]] = True
    back = np.flatnonzero(special)
    if len(back):
        out[back] = shapely.area(shapely.intersection(ua[inv[back]], b[back]))
    return out


def _distinct(a, n: int) -> tuple[np.ndarray, np.ndarray]:
    """The distinct big geometries of ``a`` (one geometry: for all ``n`` pairs; else by identity, in the order met)
    and each pair's among them."""
    if np.ndim(a) == 0:
        ua = np.empty(1, dtype=object)
        ua[0] = a.item() if isinstance(a, np.ndarray) else a
        return ua, np.zeros(n, dtype=np.int64)
    seen: dict = {}
    inv = np.fromiter((seen.setdefault(id(g), len(seen)) for g in a), dtype=np.int64, count=n)
    ua = np.empty(len(seen), dtype=object)
    ua[inv] = a
    return ua, inv


def _used(ua: np.ndarray, inv: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Only the big geometries of the pairs ``inv`` (the others may be empty or not polygons), renumbered."""
    u, sub = np.unique(inv, return_inverse=True)
    return ua[u], sub


def _green(ua: np.ndarray, inv: np.ndarray, b: np.ndarray, out: np.ndarray, where: np.ndarray) -> np.ndarray:
    """Areas of the pairs (``ua[inv[k]]``, ``b[k]``) into ``out[where]``; the positions (in ``b``) of the pairs left
    to GEOS. Each distinct big geometry's edges once."""
    n = len(b)
    A = _edges(ua)
    aown, ax0, ay0, ax1, ay1 = A[0], A[2], A[3], A[4], A[5]
    bounds = shapely.bounds(b)
    ox, oy = bounds[:, 0], bounds[:, 1]
    na_all = len(ax0)
    key = _own_edges_meeting(aown, inv, ax0, ay0, ax1, ay1, bounds, len(ua))
    ap, ae = key // na_all, key % na_all  # A rows: (pair, edge of the big side), sorted
    B = _edges(b)  # the small side: every edge of each pair's b
    bown, bx0, by0, bx1, by1, bfirst = B[0], B[2], B[3], B[4], B[5], B[7]
    na, nbr = len(ap), len(bown)
    # the rows (the A rows, then the B edges) relative to their pair's corner, once a row
    rp = np.concatenate((ap, bown))
    ax0e, ay0e, ax1e, ay1e = ax0[ae], ay0[ae], ax1[ae], ay1[ae]
    oxr, oyr = ox[rp], oy[rp]
    rx0, ry0 = np.concatenate((ax0e, bx0)) - oxr, np.concatenate((ay0e, by0)) - oyr
    rx1, ry1 = np.concatenate((ax1e, bx1)) - oxr, np.concatenate((ay1e, by1)) - oyr
    special, ev_row, ev_t = _crossings(n, ap, bown, rx0, ry0, rx1, ry1)
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
    # the rows' edges: from their start relative to the pair's corner, along their absolute difference
    rdx = np.concatenate((ax1e - ax0e, bx1 - bx0))
    rdy = np.concatenate((ay1e - ay0e, by1 - by0))
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


def _crossings(n: int, ap, bown, rx0, ry0, rx1, ry1):
    """The crossings of each A row (pair ``ap``) with the edges of its pair's b (``bown``), boxes meeting: (pairs in
    special position, the crossings' rows, their parameters along the row's edge), sorted by row then parameter;
    rows: the A rows, then the B edges (offset by the A rows' count), their end points ``rx0`` … ``ry1`` relative to
    their pair's corner. What depends on one row alone (its box, its size) is computed once a row."""
    na = len(ap)
    nb = np.bincount(bown, minlength=n)
    bstart = np.concatenate(([0], np.cumsum(nb)[:-1])) + na
    cnt = nb[ap]
    ra = np.repeat(np.arange(na), cnt)
    rb = _segments(bstart[ap], cnt)  # rows of the B edges
    xlo, xhi, ylo, yhi = np.minimum(rx0, rx1), np.maximum(rx0, rx1), np.minimum(ry0, ry1), np.maximum(ry0, ry1)
    idx = np.flatnonzero((xlo[ra] <= xhi[rb]) & (xlo[rb] <= xhi[ra]) & (ylo[ra] <= yhi[rb]) & (ylo[rb] <= yhi[ra]))
    ra, rb = ra[idx], rb[idx]
    p = ap[ra]
    px0, py0, px1, py1, qx0, qy0, qx1, qy1 = rx0[ra], ry0[ra], rx1[ra], ry1[ra], rx0[rb], ry0[rb], rx1[rb], ry1[rb]
    pdx, pdy, qdx, qdy = px1 - px0, py1 - py0, qx1 - qx0, qy1 - qy0
    d1 = pdx * (qy0 - py0) - pdy * (qx0 - px0)  # Q0, Q1 against the A edge
    d2 = pdx * (qy1 - py0) - pdy * (qx1 - px0)
    d3 = qdx * (py0 - qy0) - qdy * (px0 - qx0)  # P0, P1 against the B edge
    d4 = qdx * (py1 - qy0) - qdy * (px1 - qx0)
    rsize = np.maximum(np.maximum(np.abs(rx0), np.abs(ry0)), np.maximum(np.abs(rx1), np.abs(ry1)))
    size = np.maximum(rsize[ra], rsize[rb])
    lp, lq = np.abs(pdx) + np.abs(pdy), np.abs(qdx) + np.abs(qdy)  # ≥ the lengths (no sqrt: the same in Python)
    ts = _TOL * size
    slack = _EPS * size * size
    tp, tq = ts * lp, ts * lq
    # a vertex within the tolerance of the other edge (its line, its extent): first near the line, then (on those
    # few) within the extent; the same expressions as one_pair's, element by element
    bad = np.zeros(len(idx), dtype=bool)
    line = [np.abs(d) <= t + slack for d, t in ((d1, tp), (d2, tp), (d3, tq), (d4, tq))]
    near = np.flatnonzero(line[0] | line[1] | line[2] | line[3])
    if len(near):
        pdx_, pdy_, qdx_, qdy_, px0_, py0_, px1_, py1_, qx0_, qy0_, qx1_, qy1_, tp_, tq_, sl = (
            v[near] for v in (pdx, pdy, qdx, qdy, px0, py0, px1, py1, qx0, qy0, qx1, qy1, tp, tq, slack))
        lp2, lq2 = pdx_ * pdx_ + pdy_ * pdy_, qdx_ * qdx_ + qdy_ * qdy_
        bad[near] = ((line[0][near] & _within(pdx_ * (qx0_ - px0_) + pdy_ * (qy0_ - py0_), lp2, tp_, sl))
                     | (line[1][near] & _within(pdx_ * (qx1_ - px0_) + pdy_ * (qy1_ - py0_), lp2, tp_, sl))
                     | (line[2][near] & _within(qdx_ * (px0_ - qx0_) + qdy_ * (py0_ - qy0_), lq2, tq_, sl))
                     | (line[3][near] & _within(qdx_ * (px1_ - qx0_) + qdy_ * (py1_ - qy0_), lq2, tq_, sl)))
    special = np.zeros(n, dtype=bool)
    special[p[bad]] = True
    cross = np.flatnonzero(~bad & ((d1 > 0) != (d2 > 0)) & ((d3 > 0) != (d4 > 0)))
    ta = d3[cross] / (d3[cross] - d4[cross])  # where the crossing is on the A edge, on the B edge
    tb = d1[cross] / (d1[cross] - d2[cross])
    ev_row = np.concatenate((ra[cross], rb[cross]))
    ev_t = np.concatenate((ta, tb))
    order = np.lexsort((ev_t, ev_row))
    return special, ev_row[order], ev_t[order]


def _within(dot, length2, t, slack):
    """The foot of a vertex within the other edge's extent, give or take the tolerance (see :func:`_crossings`)."""
    return (dot >= -t - slack) & (dot <= length2 + t + slack)


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
