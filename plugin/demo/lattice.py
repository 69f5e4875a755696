"""The lattice of the demo township: cells in field blocks, strips between them, parcels as runs.

A lattice of cells grouped in field blocks; between blocks run thin strip rows/columns
(rural roads 1006, ditches 1107, village roads 1004). Lattice vertices are jittered, the
whole lattice is gently warped and rotated, so parcels are irregular quadrilaterals that
still tile the area exactly (every neighbour shares the same vertex coordinates). Runs of
cells in one row (or strip column) are merged into one parcel: strips and river segments
always, farmland/forest links chosen at random until the parcel count is exactly right.

Pure (numpy, shapely 2), vectorised: no per-parcel Python geometry work.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import shapely

from .geometry import Frame


@dataclass
class Grid:
    """The lattice in local metres: cell rows/columns, field-block size, line positions, strips."""

    rows: int
    cols: int
    bx: int
    by: int
    cw: float
    ch: float
    sw_road: float
    sw_ditch: float
    xs: np.ndarray  # column line positions (cols+1)
    ys: np.ndarray
    strip_col: np.ndarray  # bool per cell column
    strip_row: np.ndarray
    width: float
    height: float


def make_grid(n_cells: float, mean_cell_area: float, rng: np.random.Generator) -> Grid:
    bx, by = 5, 4
    cw = math.sqrt(mean_cell_area * 1.3)
    ch = mean_cell_area / cw
    sw_road, sw_ditch = 6.0, 4.0
    nb = max(4.0, n_cells / (bx * by + bx + by + 1))
    side = math.sqrt(nb * (bx * cw) * (by * ch))
    nbx = max(2, round(side / (bx * cw)))
    nby = max(2, round(nb / nbx))
    cols, rows = nbx * (bx + 1) + bx, nby * (by + 1) + by
    strip_col = np.zeros(cols, dtype=bool)
    strip_col[bx::bx + 1] = True
    strip_row = np.zeros(rows, dtype=bool)
    strip_row[by::by + 1] = True
    colw = np.where(strip_col, 0.0, cw * rng.uniform(0.8, 1.2, cols))
    kinds_c = np.arange(cols) // (bx + 1) % 2
    colw[strip_col] = np.where(kinds_c[strip_col] == 0, sw_road, sw_ditch)
    rowh = np.where(strip_row, 0.0, ch * rng.uniform(0.8, 1.2, rows))
    kinds_r = np.arange(rows) // (by + 1) % 2
    rowh[strip_row] = np.where(kinds_r[strip_row] == 0, sw_ditch, sw_road)
    xs = np.concatenate([[0.0], np.cumsum(colw)])
    ys = np.concatenate([[0.0], np.cumsum(rowh)])
    return Grid(rows, cols, bx, by, cw, ch, sw_road, sw_ditch, xs, ys, strip_col, strip_row,
                 float(xs[-1]), float(ys[-1]))


def vertices(g: Grid, frame: Frame, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Jittered, warped lattice vertices.

    Lines bounding one strip share their jitter, so strips keep a constant width and
    crossings stay simple parallelograms (an invalid zig-zag otherwise).
    """
    # line groups: a strip's two bounding lines get the same group id
    def groups(strip: np.ndarray) -> np.ndarray:
        n = len(strip) + 1
        gid = np.arange(n)
        for j in np.nonzero(strip)[0]:
            gid[j + 1] = gid[j]
        _, inv = np.unique(gid, return_inverse=True)
        return inv

    gx, gy = groups(g.strip_col), groups(g.strip_row)
    ax, ay = 0.17 * g.cw, 0.17 * g.ch
    shape = (gy.max() + 1, gx.max() + 1)
    jx = rng.uniform(-ax, ax, shape)
    jy = rng.uniform(-ay, ay, shape)
    jx[:, [gx[0], gx[-1]]] = 0
    jy[[gy[0], gy[-1]], :] = 0
    u = g.xs[None, :] + jx[gy[:, None], gx[None, :]]
    v = g.ys[:, None] + jy[gy[:, None], gx[None, :]]
    return frame.xy(u, v)


def run_polygons(vx: np.ndarray, vy: np.ndarray, row: np.ndarray, start: np.ndarray, end: np.ndarray,
                  vertical: bool) -> np.ndarray:
    """Polygons for runs of cells (one row, or one column for vertical runs), vectorised."""
    ncol1 = vx.shape[1]
    length = end - start + 1
    m = 2 * (length + 1) + 1
    offs = np.concatenate([[0], np.cumsum(m)[:-1]])
    total = int(m.sum())
    rid = np.repeat(np.arange(len(m)), m)
    k = np.arange(total) - offs[rid]
    L = length[rid]
    s = start[rid]
    e = end[rid]
    r = row[rid]
    first = k <= L
    second = (k > L) & (k <= 2 * L + 1)
    along = np.where(first, s + k, np.where(second, e + 1 - (k - L - 1), s))
    across = np.where(second, r + 1, r)
    flat = along * ncol1 + across if vertical else across * ncol1 + along
    coords = np.column_stack([vx.ravel()[flat], vy.ravel()[flat]])
    rings = shapely.linearrings(coords, indices=rid)
    return shapely.polygons(rings)



def runs_from_links(link: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Rows of a (rows, cols) cell mask split into runs; ``link[:, j]`` joins cells j, j+1.

    ``link`` has shape (rows, cols+1) with a False sentinel column; cells not taking part
    are encoded by the caller as separate runs and filtered afterwards.
    Returns (row, start, end) arrays (end inclusive).
    """
    rows, cols1 = link.shape
    cols = cols1 - 1
    # a run starts at j when j == 0 or not link[:, j-1]
    start = np.ones((rows, cols), dtype=bool)
    start[:, 1:] = ~link[:, : cols - 1]
    r, s = np.nonzero(start)
    flat_start = r * cols + s
    ends = np.append(flat_start[1:], rows * cols) - 1
    return r, s, ends - r * cols



def build_parcels(g: Grid, lay: dict, vx: np.ndarray, vy: np.ndarray, spare: int,
                   rng: np.random.Generator) -> dict[str, np.ndarray]:
    """Merge cell runs into exactly the requested number of parcels and build polygons."""
    R, C = g.rows, g.cols
    free = lay["free_links"]
    fr, fc = np.nonzero(free)
    prio = rng.random(len(fr))
    forest = np.isin(lay["cls"][fr, fc], ("0301", "0305", "0307"))
    prio[forest] += 0.5
    chosen = np.argsort(-prio, kind="stable")[:spare]
    hl = lay["fixed_h"].copy()
    hl[fr[chosen], fc[chosen]] = True
    link = np.zeros((R, C + 1), dtype=bool)
    link[:, : C - 1] = hl
    hr, hs, he = runs_from_links(link)
    keep = lay["hcell"][hr, hs]
    hr, hs, he = hr[keep], hs[keep], he[keep]
    # vertical runs: transpose
    vl = np.zeros((C, R + 1), dtype=bool)
    vl[:, : R - 1] = lay["vlinks"].T
    vc, vs, ve = runs_from_links(vl)
    keep = lay["vcell"].T[vc, vs]
    vc, vs, ve = vc[keep], vs[keep], ve[keep]
    hpoly = run_polygons(vx, vy, hr, hs, he, vertical=False)
    vpoly = run_polygons(vx, vy, vc, vs, ve, vertical=True)
    # representative cell (first cell) of every parcel
    rep_r = np.concatenate([hr, vs])
    rep_c = np.concatenate([hs, vc])
    ncell = np.concatenate([he - hs + 1, ve - vs + 1])
    geoms = np.concatenate([hpoly, vpoly])
    # spatial order (row-major in the local frame), like a surveyor's numbering
    order = np.lexsort((rep_c, rep_r))
    return {"geom": geoms[order], "r": rep_r[order], "c": rep_c[order], "ncell": ncell[order]}

