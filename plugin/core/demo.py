"""Deterministic demo township for 全域土地综合整治 planning, and benchmark data of any size.

Why: planners, reviewers and tests need a township that looks like real 三调 data (a DLTB
layer with the real field names, villages, a river, a hill, a town, permanent basic
farmland, the three control lines, remediation units and a half-finished plan) without
shipping anyone's survey data. The same generator scales to 10^6 parcels so the engine
and the GUI can be benchmarked on realistic sizes.

The module is PURE (stdlib, numpy, shapely 2): it returns plain data, the GeoPackage
writer lives in ``plugin/adapters/demo_writer.py``.

How the township is built (all vectorised, no per-parcel Python geometry work):

* a lattice of cells grouped in field blocks; between blocks run thin strip rows/columns
  (rural roads 1006, ditches 1107, village roads 1004). Lattice vertices are jittered,
  the whole lattice is gently warped and rotated, so parcels are irregular quadrilaterals
  that still tile the area exactly (every neighbour shares the same vertex coordinates);
* each cell gets a land class from analytic features (river band, hills, town, hamlets)
  plus smooth noise;
* runs of cells in one row (or strip column) are merged into one parcel: strips and
  river segments always, farmland/forest links chosen at random until the parcel count
  is exactly ``n_parcels``;
* control lines (STBHHX, CZKFBJ) are the analytic feature shapes, PBF is the union of
  selected paddy/irrigated parcels per field block, units are a jittered coarse lattice
  whose wavy edges cut through parcels.

Areas: ``TBMJ`` must be the ellipsoidal area (docs/domain.md §6). The parcels are planar
Gauss-Krüger (EPSG:4527, central meridian 117°E) polygons, whose areas are enlarged by
the square of the GK point scale factor m = 1 + y²/(2R²) + y⁴/(24R⁴) (y = distance from
the central meridian, R = Gaussian mean radius at the township's latitude). TBMJ is
therefore planar area / m² at the parcel centroid; within ±20 km of the meridian the
correction is < 1e-5 and the residual error well below 1e-7.
"""
from __future__ import annotations

import csv
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterator

import numpy as np
import shapely

from .rules import bundled_pack

CRS = "EPSG:4527"
FALSE_EASTING = 39_500_000.0  # zone 39 (central meridian 117°E), zone number in the easting
CENTER_X = 39_500_000.0
CENTER_Y = 3_500_000.0  # ~31.6°N

# CGCS2000 ellipsoid and the Gaussian mean radius at the township latitude.
_A = 6378137.0
_F = 1 / 298.257222101
_E2 = _F * (2 - _F)
_LAT = math.radians(31.6)
_R_MEAN = _A * math.sqrt(1 - _E2) / (1 - _E2 * math.sin(_LAT) ** 2)

_RESOURCES = Path(__file__).resolve().parents[2] / "resources"

COUNTY_CODE = "341122"  # 6-digit county code of the fictional county
TOWNSHIP_CODE = "201"
TOWNSHIP_NAME = "青山镇"
_NAME_A = "东西南北新石柳桃杨李张王黄白金银龙凤"
_NAME_B = "湖岭塘山园溪桥庄河湾冲圩岗店坝林"
_GROUP_NAMES = "一二三四五六七八九十"

FARMLAND = ("0101", "0102", "0103")
STATUSES = ("储备", "立项", "实施", "验收")

TEXT, DOUBLE, INT, SHORT = "text", "double", "int", "short"


@dataclass(frozen=True)
class FieldSpec:
    """One attribute column: name, type (text/double/int/short) and text width."""

    name: str
    type: str
    width: int = 0


@dataclass
class Layer:
    """Plain layer data: geometries (shapely, EPSG:4527) plus one list per column."""

    name: str
    fields: list[FieldSpec]
    geometries: np.ndarray
    columns: dict[str, list[Any]]

    def __len__(self) -> int:
        return len(self.geometries)

    def records(self) -> Iterator[dict[str, Any]]:
        """Attribute dicts, one per feature (convenient for small layers and tests)."""
        names = [f.name for f in self.fields]
        cols = [self.columns[n] for n in names]
        for values in zip(*cols):
            yield dict(zip(names, values))


@dataclass
class DemoData:
    """All demo layers plus what was generated (seed, size, township) for reports."""

    layers: dict[str, Layer]
    crs: str = CRS
    seed: int = 42
    township: str = TOWNSHIP_NAME
    info: dict[str, Any] = field(default_factory=dict)

    def __getitem__(self, name: str) -> Layer:
        return self.layers[name]


DLTB_FIELDS = [
    FieldSpec("BSM", TEXT, 18), FieldSpec("TBBH", TEXT, 8), FieldSpec("DLBM", TEXT, 5),
    FieldSpec("DLMC", TEXT, 60), FieldSpec("QSXZ", TEXT, 2), FieldSpec("QSDWDM", TEXT, 19),
    FieldSpec("QSDWMC", TEXT, 254), FieldSpec("ZLDWDM", TEXT, 19), FieldSpec("ZLDWMC", TEXT, 254),
    FieldSpec("TBMJ", DOUBLE), FieldSpec("KCDLBM", TEXT, 5), FieldSpec("KCXS", DOUBLE),
    FieldSpec("KCMJ", DOUBLE), FieldSpec("TBDLMJ", DOUBLE), FieldSpec("GDLX", TEXT, 2),
    FieldSpec("GDPDJB", TEXT, 2), FieldSpec("CZCSXM", TEXT, 4), FieldSpec("GDDB", SHORT),
    FieldSpec("BZ", TEXT, 254),
    FieldSpec("ZZLX", TEXT, 10), FieldSpec("GHDLBM", TEXT, 5), FieldSpec("GHKCXS", DOUBLE),
    FieldSpec("YNCZ", TEXT, 4),
]
PBF_FIELDS = [FieldSpec("YJJBNTTBBH", TEXT, 20), FieldSpec("DLBM", TEXT, 5), FieldSpec("ZLDWDM", TEXT, 19),
              FieldSpec("MJ", DOUBLE)]
STBHHX_FIELDS = [FieldSpec("HXBH", TEXT, 20), FieldSpec("HXMC", TEXT, 60), FieldSpec("LX", TEXT, 20),
                 FieldSpec("MJ", DOUBLE)]
CZKFBJ_FIELDS = [FieldSpec("BJBH", TEXT, 20), FieldSpec("BJMC", TEXT, 60), FieldSpec("MJ", DOUBLE)]
XMFW_FIELDS = [FieldSpec("XMBH", TEXT, 20), FieldSpec("XMMC", TEXT, 100), FieldSpec("XZQ", TEXT, 60),
               FieldSpec("MJ", DOUBLE)]
ZZDY_FIELDS = [FieldSpec("DYBH", TEXT, 20), FieldSpec("DYMC", TEXT, 60), FieldSpec("ZZLX", TEXT, 10),
               FieldSpec("XZQ", TEXT, 60), FieldSpec("ND", INT), FieldSpec("ZT", TEXT, 10)]

LAYER_ORDER = ("DLTB", "YJJBNTTB", "STBHHX", "CZKFBJ", "XMFW", "ZZDY")


# --------------------------------------------------------------------------- land classes
def load_land_class_names() -> dict[str, tuple[str, str]]:
    """Code -> (name_zh, category_zh) from resources/land_classes.csv (+ A/K variants).

    Read at run time so a corrected table changes the demo too, without a release.
    """
    out: dict[str, tuple[str, str]] = {}
    with open(_RESOURCES / "land_classes.csv", encoding="utf-8-sig", newline="") as fh:
        for row in csv.DictReader(fh):
            out[row["code"]] = (row["name_zh"], row["category_zh"])
    variants = _RESOURCES / "land_class_variants.csv"
    if variants.exists():
        with open(variants, encoding="utf-8-sig", newline="") as fh:
            for row in csv.DictReader(fh):
                code, base = row["code"], row["base"]
                if "*" in code or base not in out:
                    continue
                out[code] = (row["name_zh"], out[base][1])
    return out


def _class_name(code: str, names: dict[str, tuple[str, str]]) -> str:
    if code in names:
        return names[code][0]
    if code.endswith("K") and code[:-1] in names:  # 即可恢复 variant, named after its base
        return f"{names[code[:-1]][0]}（即可恢复）"
    return ""


def is_construction(code: str, names: dict[str, tuple[str, str]]) -> bool:
    """True when the code (or its A/K base) is 建设用地 in the national table."""
    base = code[:-1] if code.endswith(("K", "A")) and code[:-1] in names else code
    return names.get(code, names.get(base, ("", "")))[1] == "建设用地"


# ----------------------------------------------------------------------------- geometry
def _gk_area_factor(x: np.ndarray) -> np.ndarray:
    """Square of the Gauss-Krüger point scale factor at easting ``x`` (planar/ellipsoidal)."""
    q = ((x - FALSE_EASTING) / _R_MEAN) ** 2
    m = 1 + q / 2 + q * q / 24
    return m * m


def ellipsoidal_area(geoms: np.ndarray) -> np.ndarray:
    """Ellipsoidal area (m²) of EPSG:4527 polygons: planar area / m² at the centroid."""
    planar = shapely.area(geoms)
    cx = shapely.get_x(shapely.centroid(geoms))
    return planar / _gk_area_factor(cx)


class _Frame:
    """Local metres (u, v from the lower-left corner) -> warped, rotated EPSG:4527."""

    def __init__(self, width: float, height: float, cell: float, rng: np.random.Generator):
        self.w, self.h = width, height
        self.amp = 0.6 * cell
        self.lx = rng.uniform(30, 45) * cell
        self.ly = rng.uniform(30, 45) * cell
        self.p1, self.p2 = rng.uniform(0, 2 * math.pi, 2)
        self.theta = math.radians(rng.uniform(-10, 10))

    def xy(self, u: np.ndarray, v: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        uu = u + self.amp * np.sin(2 * np.pi * v / self.ly + self.p1)
        vv = v + self.amp * np.sin(2 * np.pi * u / self.lx + self.p2)
        uu = uu - self.w / 2
        vv = vv - self.h / 2
        c, s = math.cos(self.theta), math.sin(self.theta)
        return CENTER_X + c * uu - s * vv, CENTER_Y + s * uu + c * vv

    def geom(self, g: Any, step: float) -> Any:
        """Transform an analytic local-frame shape (densified so edges follow the warp)."""
        if math.isfinite(step):
            g = shapely.segmentize(g, step)

        def fn(coords: np.ndarray) -> np.ndarray:
            x, y = self.xy(coords[:, 0], coords[:, 1])
            return np.column_stack([x, y])

        return shapely.transform(g, fn)


def _blob(cx: float, cy: float, r: float, rng: np.random.Generator) -> tuple[float, float, float, np.ndarray]:
    """An irregular round feature: centre, radius and radial harmonics (amplitude, phase)."""
    harm = np.column_stack([rng.uniform(0.04, 0.12, 3), rng.uniform(0, 2 * np.pi, 3)])
    return cx, cy, r, harm


def _blob_radius(blob: tuple, theta: np.ndarray) -> np.ndarray:
    _, _, r, harm = blob
    out = np.ones_like(theta)
    for k, (a, ph) in zip((2, 3, 5), harm):
        out += a * np.sin(k * theta + ph)
    return r * out


def _blob_polygon(blob: tuple, scale: float = 1.0, n: int = 96) -> Any:
    cx, cy = blob[0], blob[1]
    t = np.linspace(0, 2 * np.pi, n, endpoint=False)
    rr = _blob_radius(blob, t) * scale
    return shapely.Polygon(np.column_stack([cx + rr * np.cos(t), cy + rr * np.sin(t)]))


def _nearest(centres: np.ndarray, px: np.ndarray, py: np.ndarray) -> np.ndarray:
    """Index of the nearest centre per point: brute force in chunks for few centres
    (much faster than an R-tree there), an STRtree for many."""
    if len(centres) > 64:
        tree = shapely.STRtree(shapely.points(centres))
        return tree.query_nearest(shapely.points(px, py), all_matches=False)[1]
    out = np.empty(len(px), dtype=np.int64)
    step = max(1, 4_000_000 // max(1, len(centres)))
    for a in range(0, len(px), step):
        d = (px[a:a + step, None] - centres[None, :, 0]) ** 2 + (py[a:a + step, None] - centres[None, :, 1]) ** 2
        out[a:a + step] = np.argmin(d, axis=1)
    return out


def _blob_depth(blobs: list, px: np.ndarray, py: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """For each point: index of the nearest blob centre and 1 - d/r(θ) (>0 inside)."""
    if not blobs:
        return np.zeros(len(px), dtype=np.int64), np.full(len(px), -np.inf)
    idx = _nearest(np.array([(b[0], b[1]) for b in blobs]), px, py)
    bx = np.array([b[0] for b in blobs])[idx]
    by = np.array([b[1] for b in blobs])[idx]
    d = np.hypot(px - bx, py - by)
    theta = np.arctan2(py - by, px - bx)
    rr = np.empty(len(px))
    for k in np.unique(idx):
        sel = idx == k
        rr[sel] = _blob_radius(blobs[k], theta[sel])
    depth = 1 - d / rr
    return idx, depth


def _smooth_noise(rng: np.random.Generator, x: np.ndarray, y: np.ndarray, wavelength: float) -> np.ndarray:
    """Cheap smooth noise in [-1, 1]: a few random plane waves (clusters classes)."""
    out = np.zeros_like(x)
    for _ in range(4):
        ang = rng.uniform(0, np.pi)
        lam = wavelength * rng.uniform(0.6, 1.6)
        out += np.sin((np.cos(ang) * x + np.sin(ang) * y) * 2 * np.pi / lam + rng.uniform(0, 2 * np.pi))
    return out / 4


def _runs_from_links(link: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
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


# ----------------------------------------------------------------------------- layout
@dataclass
class _Grid:
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


def _make_grid(n_cells: float, mean_cell_area: float, rng: np.random.Generator) -> _Grid:
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
    return _Grid(rows, cols, bx, by, cw, ch, sw_road, sw_ditch, xs, ys, strip_col, strip_row,
                 float(xs[-1]), float(ys[-1]))


def _vertices(g: _Grid, frame: _Frame, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
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


def _run_polygons(vx: np.ndarray, vy: np.ndarray, row: np.ndarray, start: np.ndarray, end: np.ndarray,
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


def _village_names(n: int, rng: np.random.Generator) -> list[str]:
    combos = [a + b for a in _NAME_A for b in _NAME_B]
    order = rng.permutation(len(combos))
    names = [combos[i] + "村" for i in order[: min(n, len(combos))]]
    k = 0
    while len(names) < n:  # more villages than two-character names: number them
        names.append(f"{combos[order[k % len(combos)]]}{k // len(combos) + 2}村")
        k += 1
    return names


# ----------------------------------------------------------------------------- main
def generate_township(n_parcels: int = 3500, seed: int = 42, n_units: int | None = None,
                      tagged_share: float | None = None, quirks: bool = False) -> DemoData:
    """Generate a demo township with exactly ``n_parcels`` DLTB parcels.

    Same arguments -> identical output. ``n_units`` defaults to 4 for demo sizes
    (≤ 20 000 parcels) and to ``n_parcels // 400`` above; ``tagged_share`` is the share of
    parcels inside units that carry a plan (default 12–18 % for the demo, 0.2 for big
    sizes). Exactly one unit is planned to miss the 5 % farmland-gain rule so both
    states can be seen. ``quirks=True`` adds one unknown DLBM code ('0199') and one NULL
    TBMJ, as real files have, for testing other modules' error reporting.
    """
    if n_parcels < 200:
        raise ValueError("n_parcels must be at least 200")
    rng = np.random.default_rng(seed)
    names = load_land_class_names()
    big = n_parcels > 20_000
    if n_units is None:
        n_units = max(1, n_parcels // 400) if big else 4
    if tagged_share is None:
        tagged_share = 0.2 if big else float(rng.uniform(0.12, 0.18))

    # Realistic parcels average ~0.8 ha; for very large n shrink them so the township
    # stays within ~40 km x 40 km around the zone's central meridian.
    mean_parcel = min(8000.0, 1.6e9 / n_parcels)
    ratio = 1.45
    for _ in range(6):
        sub = np.random.default_rng([seed, 1])
        grid = _make_grid(n_parcels * ratio, mean_parcel / ratio, sub)
        lay = _classify(grid, names, np.random.default_rng([seed, 2]), big)
        fixed = lay["fixed_count"]
        spare = fixed - n_parcels
        if spare < 0:
            ratio *= 1 + (-spare) / n_parcels + 0.03
        elif spare > 0.85 * lay["free_links"].sum():
            ratio *= max(0.7, 1 - (spare - 0.6 * lay["free_links"].sum()) / fixed)
        else:
            break
    else:  # pragma: no cover - the ratio converges for every tested size
        raise RuntimeError("could not size the demo lattice")

    frame = _Frame(grid.width, grid.height, grid.cw, np.random.default_rng([seed, 3]))
    vx, vy = _vertices(grid, frame, np.random.default_rng([seed, 4]))
    parcels = _build_parcels(grid, lay, vx, vy, spare, np.random.default_rng([seed, 5]))
    data = _attributes(grid, lay, parcels, frame, names, np.random.default_rng([seed, 6]), n_units,
                       tagged_share, big, quirks)
    data.seed = seed
    return data


def _classify(g: _Grid, names: dict, rng: np.random.Generator, big: bool) -> dict[str, Any]:
    """Land class, village and feature depth for every lattice cell."""
    R, C = g.rows, g.cols
    cu = (g.xs[:-1] + g.xs[1:]) / 2
    cv = (g.ys[:-1] + g.ys[1:]) / 2
    U = np.broadcast_to(cu[None, :], (R, C)).ravel()
    V = np.broadcast_to(cv[:, None], (R, C)).ravel()
    W, H = g.width, g.height
    area_km2 = W * H / 1e6
    scale = min(1.0, math.sqrt(area_km2 / 28.0))  # feature size grows with the township up to a point
    srow = np.broadcast_to(g.strip_row[:, None], (R, C)).ravel()
    scol = np.broadcast_to(g.strip_col[None, :], (R, C)).ravel()
    normal = ~srow & ~scol

    # --- features (local metres)
    n_hills = max(1, round(area_km2 / 30))
    hills = [_blob(0.16 * W, 0.82 * H, 0.40 * math.sqrt(W * H) if n_hills == 1 else 1500.0, rng)]
    for _ in range(n_hills - 1):
        hills.append(_blob(rng.uniform(0, W), rng.uniform(0, H), rng.uniform(1000, 2200), rng))
    n_towns = max(1, round(area_km2 / 200))
    towns = [_blob(0.88 * W, 0.13 * H, 0.19 * math.sqrt(W * H) if n_towns == 1 else 900.0, rng)]
    for _ in range(n_towns - 1):
        towns.append(_blob(rng.uniform(0, W), rng.uniform(0, H), rng.uniform(600, 1000), rng))
    n_rivers = max(1, round(max(W, H) / 12_000))
    rivers = []
    for k in range(n_rivers):
        v0 = H * (0.33 + k) / n_rivers if n_rivers > 1 else 0.36 * H
        rivers.append((v0, rng.uniform(0.03, 0.06) * H / n_rivers, W / rng.uniform(0.8, 1.3),
                       rng.uniform(0, 2 * np.pi), max(30.0, 0.55 * g.ch)))
    river_v = np.full(len(U), np.inf)
    for v0, amp, lam, ph, hw in rivers:
        d = np.abs(V - (v0 + amp * np.sin(2 * np.pi * U / lam + ph))) - hw
        river_v = np.minimum(river_v, d)
    in_river = river_v < 0

    _, hill_depth = _blob_depth(hills, U, V)
    _, town_depth = _blob_depth(towns, U, V)

    # hamlets: spread over the land outside river/town/hill core
    n_villages = int(rng.integers(5, 8)) if not big else max(8, min(400, round(area_km2 / 5)))
    n_hamlets = max(n_villages, round(area_km2 / 4.5) + 1)
    hamlets: list = []
    min_sep = 0.6 * math.sqrt(W * H / n_hamlets)
    # candidate sites scored in one vectorised pass, then accepted greedily by spacing
    cx = rng.uniform(0.05 * W, 0.95 * W, n_hamlets * 40)
    cy = rng.uniform(0.05 * H, 0.95 * H, n_hamlets * 40)
    ok = (_blob_depth(towns, cx, cy)[1] <= -0.5) & (_blob_depth(hills, cx, cy)[1] <= 0.1)
    for v0, amp, lam, ph, _ in rivers:
        ok &= np.abs(cy - (v0 + amp * np.sin(2 * np.pi * cx / lam + ph))) >= 350
    centres = np.empty((0, 2))
    for x, y in zip(cx[ok], cy[ok]):
        if len(hamlets) >= n_hamlets:
            break
        if len(centres) and np.min(np.hypot(centres[:, 0] - x, centres[:, 1] - y)) < min_sep:
            continue
        centres = np.vstack([centres, [x, y]])
        hamlets.append(_blob(x, y, rng.uniform(200, 330), rng))
    n_villages = min(n_villages, len(hamlets))
    hamlet_idx, hamlet_depth = _blob_depth(hamlets, U, V)
    village_of_hamlet = np.arange(len(hamlets)) % n_villages  # first n_villages hamlets seed villages
    if len(hamlets) > n_villages:
        vc = centres[:n_villages]
        for h in range(n_villages, len(hamlets)):
            village_of_hamlet[h] = int(np.argmin(np.hypot(vc[:, 0] - centres[h, 0], vc[:, 1] - centres[h, 1])))
    village = _nearest(centres[:n_villages], U, V)
    # group (村民小组) = which hamlet of the village is nearest
    group = np.zeros(len(U), dtype=np.int16)
    for vidx in range(n_villages):
        hs = np.nonzero(village_of_hamlet == vidx)[0]
        if len(hs) > 1:
            sel = village == vidx
            rank = {h: i for i, h in enumerate(hs)}
            hi = hamlet_idx[sel]
            group[sel] = np.array([rank.get(int(h), 0) for h in hi]) if sel.sum() < 5000 else \
                np.vectorize(lambda h, rank=rank: rank.get(int(h), 0))(hi)
    noise = _smooth_noise(rng, U, V, 1500.0 * scale + 300)
    noise2 = _smooth_noise(rng, U, V, 900.0 * scale + 200)
    r = rng.random(len(U))

    cls = np.full(len(U), "0101", dtype="<U5")
    # plain farmland mix
    cls[noise2 > 0.35] = "0102"
    cls[(noise2 < -0.45)] = "0103"
    scatter = [("1104", 0.075), ("1104A", 0.02), ("1104K", 0.002), ("0404", 0.015), ("1206", 0.006),
               ("0201", 0.025), ("0201K", 0.005), ("0301", 0.03), ("1202", 0.015), ("0702", 0.015),
               ("1201", 0.002)]
    acc = 0.0
    for code, p in scatter:
        cls[(r >= acc) & (r < acc + p)] = code
        acc += p
    # hills
    hd = hill_depth
    foot = (hd > 0) & (hd <= 0.35)
    cls[foot] = np.where(noise[foot] > 0.2, "0202", np.where(noise[foot] > -0.1, "0201", "0103"))
    cls[foot & (r > 0.93)] = "0404"
    cls[foot & (r < 0.03)] = "0201K"
    core = hd > 0.35
    cls[core] = np.where(hd[core] > 0.55, "0301", np.where(noise2[core] > 0, "0305", "0301"))
    cls[core & (r < 0.02)] = "0307"
    cls[core & (r > 0.985)] = "0602"
    # hamlets
    ham = hamlet_depth > 0
    rr = r[ham]
    cls[ham] = np.select([rr < 0.72, rr < 0.80, rr < 0.85, rr < 0.88, rr < 0.91, rr < 0.95],
                         ["0702", "1201", "0809", "1202", "0601", "1104"], "0101")
    ring = (hamlet_depth > -0.4) & ~ham & ~core & ~foot
    cls[ring & (r > 0.9)] = "1104"
    # town and its industrial fringe
    town = town_depth > 0
    rt = r[town]
    cls[town] = np.select([rt < 0.50, rt < 0.66, rt < 0.76, rt < 0.82, rt < 0.86, rt < 0.90],
                          ["0701", "05H1", "08H2", "0809", "0810", "08H1"], "0701")
    fringe = (town_depth > -0.45) & ~town
    cls[fringe & (noise > -0.1)] = "0601"
    cls[fringe & (noise > -0.1) & (r < 0.1)] = "0508"
    # strips
    strip = ~normal
    roadish = np.where(srow, (np.arange(R)[:, None] // (g.by + 1) % 2 == 1).repeat(C, 1).ravel(),
                       (np.arange(C)[None, :] // (g.bx + 1) % 2 == 0).repeat(R, 0).ravel())
    cls[strip] = np.where(roadish[strip], "1006", "1107")
    cls[strip & (ham | town)] = "1004"
    # one main road through the township is a highway (公路用地)
    main_row = (R // (g.by + 1) // 2) * (g.by + 1) + g.by
    cls[srow & (np.arange(R)[:, None] == main_row).repeat(C, 1).ravel()] = "1003"
    cls[in_river] = "1101"

    cls2 = cls.reshape(R, C)
    vil2 = village.reshape(R, C)
    # which cells are handled as vertical (strip column) runs
    vcell = (scol & ~srow & np.isin(cls, ("1006", "1107", "1004"))).reshape(R, C)
    hcell = ~vcell
    same = (cls2[:, 1:] == cls2[:, :-1]) & (vil2[:, 1:] == vil2[:, :-1]) & hcell[:, 1:] & hcell[:, :-1]
    strow2 = g.strip_row[:, None]
    riv2 = cls2[:, :-1] == "1101"
    seg = rng.integers(8, 20, R)[:, None]
    brk = ((np.arange(C - 1)[None, :] + rng.integers(0, 20, R)[:, None]) % seg) == 0
    fixed_h = same & (strow2 | riv2) & ~brk
    normal2 = normal.reshape(R, C)
    mergeable = ~np.isin(cls2, ("0701", "05H1", "08H1", "08H2", "0809", "0810", "0601", "0508", "1104",
                                "1104A", "1104K", "1201", "1202", "0602", "1206", "1101"))
    free = same & ~fixed_h & normal2[:, 1:] & normal2[:, :-1] & mergeable[:, :-1]
    vsame = (cls2[1:, :] == cls2[:-1, :]) & (vil2[1:, :] == vil2[:-1, :]) & vcell[1:, :] & vcell[:-1, :]
    n_cells = R * C
    fixed_count = n_cells - int(fixed_h.sum()) - int(vsame.sum())
    return {"cls": cls2, "village": vil2, "group": group.reshape(R, C), "hcell": hcell, "vcell": vcell,
            "fixed_h": fixed_h, "free_links": free, "vlinks": vsame, "fixed_count": fixed_count,
            "hill_depth": hill_depth.reshape(R, C), "hamlet_depth": hamlet_depth.reshape(R, C),
            "town_depth": town_depth.reshape(R, C), "hills": hills, "towns": towns, "rivers": rivers,
            "hamlets": hamlets, "n_villages": n_villages, "noise": noise.reshape(R, C)}


def _build_parcels(g: _Grid, lay: dict, vx: np.ndarray, vy: np.ndarray, spare: int,
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
    hr, hs, he = _runs_from_links(link)
    keep = lay["hcell"][hr, hs]
    hr, hs, he = hr[keep], hs[keep], he[keep]
    # vertical runs: transpose
    vl = np.zeros((C, R + 1), dtype=bool)
    vl[:, : R - 1] = lay["vlinks"].T
    vc, vs, ve = _runs_from_links(vl)
    keep = lay["vcell"].T[vc, vs]
    vc, vs, ve = vc[keep], vs[keep], ve[keep]
    hpoly = _run_polygons(vx, vy, hr, hs, he, vertical=False)
    vpoly = _run_polygons(vx, vy, vc, vs, ve, vertical=True)
    # representative cell (first cell) of every parcel
    rep_r = np.concatenate([hr, vs])
    rep_c = np.concatenate([hs, vc])
    ncell = np.concatenate([he - hs + 1, ve - vs + 1])
    geoms = np.concatenate([hpoly, vpoly])
    # spatial order (row-major in the local frame), like a surveyor's numbering
    order = np.lexsort((rep_c, rep_r))
    return {"geom": geoms[order], "r": rep_r[order], "c": rep_c[order], "ncell": ncell[order]}


def _attributes(g: _Grid, lay: dict, parcels: dict, frame: _Frame, names: dict, rng: np.random.Generator,
                n_units: int, tagged_share: float, big: bool, quirks: bool) -> DemoData:
    geoms = parcels["geom"]
    pr, pc = parcels["r"], parcels["c"]
    n = len(geoms)
    dlbm = lay["cls"][pr, pc].astype("<U5")
    village = lay["village"][pr, pc]
    grp = lay["group"][pr, pc]
    hill = lay["hill_depth"][pr, pc]
    hamlet = lay["hamlet_depth"][pr, pc]
    town = lay["town_depth"][pr, pc]

    tbmj = np.round(ellipsoidal_area(geoms), 2)
    farm = np.isin(dlbm, FARMLAND)
    # slope grade from the hill: plains grade 1, hill foot 2-4
    slope = np.where(hill > 0.2, 4, np.where(hill > 0.05, 3, np.where(hill > -0.15, 2, 1)))
    slope = np.where(rng.random(n) < 0.08, np.maximum(1, slope - 1), slope)
    kcxs_by_grade = np.array([0.0, 0.03, 0.056, 0.081, 0.105, 0.12])
    kcxs = np.where(farm, kcxs_by_grade[slope], 0.0)
    kcxs = np.where(farm & (slope == 1) & (rng.random(n) < 0.3), 0.021, kcxs)
    kcmj = np.round(tbmj * kcxs, 2)
    tbdlmj = np.round(tbmj - kcmj, 2)
    gdlx = np.where(farm & (slope >= 2), np.where(dlbm == "0101", "TT", "PD"), "")
    gddb = np.clip(np.round(3.5 + 1.2 * (slope - 1) + rng.normal(0, 1.0, n) + (dlbm == "0103") * 1.5), 1, 10)

    state = (np.isin(dlbm, ("1101", "1003")) | (town > 0)) & ~np.isin(dlbm, ("0601",))
    czcs = np.full(n, "", dtype="<U4")
    constr = np.array([is_construction(c, names) for c in np.unique(dlbm)])
    cmap = dict(zip(np.unique(dlbm), constr))
    is_c = np.array([cmap[c] for c in dlbm]) if n < 50_000 else np.vectorize(cmap.get)(dlbm).astype(bool)
    czcs[is_c & ~np.isin(dlbm, ("1003",))] = "203"
    czcs[is_c & (town > -0.45)] = "202"
    czcs[(dlbm == "0601") & (town <= 0)] = "203A"
    czcs[dlbm == "0602"] = "204"

    vnames = _village_names(lay["n_villages"], rng)
    vcode = np.array([f"{COUNTY_CODE}{TOWNSHIP_CODE}{v + 1:03d}" for v in range(lay["n_villages"])])
    zldwdm = np.char.add(vcode[village], "0000000")
    qsdwdm = np.char.add(np.char.add(vcode[village], np.char.zfill((grp + 1).astype(str), 2)), "00000")
    qsdwdm = np.where(state, f"{COUNTY_CODE}{TOWNSHIP_CODE}000" + "0000000", qsdwdm)
    vname_arr = np.array(vnames)
    zldwmc = vname_arr[village]
    gnames = np.array([f"{_GROUP_NAMES[i]}组" if i < 10 else f"{i + 1}组" for i in range(int(grp.max()) + 1)])
    qsdwmc = np.where(state, TOWNSHIP_NAME, np.char.add(zldwmc, gnames[grp]))
    qsxz = np.where(state, "10", "30")
    # TBBH: numbered per village
    order = np.argsort(village, kind="stable")
    tbbh_num = np.empty(n, dtype=np.int64)
    counts = np.bincount(village, minlength=lay["n_villages"])
    starts = np.concatenate([[0], np.cumsum(counts)[:-1]])
    tbbh_num[order] = np.arange(n) - np.repeat(starts, counts) + 1
    bsm = [f"{COUNTY_CODE}2110{i + 1:08d}" for i in range(n)]
    code_list = sorted(set(dlbm.tolist()))
    dlmc_map = {c: _class_name(c, names) for c in code_list}

    # ---- PBF: paddy/irrigated parcels of selected field blocks
    block = (pr // (g.by + 1)) * (g.cols // (g.bx + 1) + 1) + pc // (g.bx + 1)
    pbf_candidate = np.isin(dlbm, ("0101", "0102")) | ((dlbm == "0103") & (slope == 1))
    plain = (town < -0.45) & (hamlet < -0.3) & (hill < -0.1)
    bl_farm = np.bincount(block, weights=farm * tbmj)
    bl_all = np.bincount(block, weights=tbmj)
    bl_pick = rng.random(len(bl_all)) < 0.9
    in_pbf = pbf_candidate & plain & (bl_farm[block] > 0.45 * bl_all[block]) & bl_pick[block]
    in_pbf &= ~((dlbm == "0103") & (rng.random(n) < 0.6))

    cols: dict[str, Any] = {
        "DLBM": dlbm, "TBMJ": tbmj, "KCXS": kcxs, "KCMJ": kcmj, "TBDLMJ": tbdlmj, "farm": farm,
        "in_pbf": in_pbf, "hamlet": hamlet, "hill": hill, "gddb": gddb, "is_c": is_c,
    }
    # ---- units and plan
    units = _units(g, lay, frame, parcels, n_units, rng)
    plan = _plan(geoms, cols, units["geoms"], tagged_share, names, rng, exact=not big)
    # 建新 never inside the ecological red line (三区三线): such a tag is dropped (the unit then
    # takes less farmland and builds less, so its rules still hold); no random draw is used
    red, czk = _control_lines(lay, frame, g)
    red_zone = shapely.union_all(red.geometries)
    for i in [i for i, t in enumerate(plan["ZZLX"]) if t == "JS-JX"]:
        if shapely.area(shapely.intersection(geoms[i], red_zone)) > 1.0:
            plan["ZZLX"][i] = plan["GHDLBM"][i] = None

    # ---- quirks
    tbmj_out: list[Any] = tbmj.tolist()
    dlbm_out = dlbm.tolist()
    bz: list[Any] = [None] * n
    if quirks:
        qi = int(rng.integers(0, n))
        while plan["ZZLX"][qi] is not None:
            qi = (qi + 1) % n
        dlbm_out[qi] = "0199"
        bz[qi] = "示例数据：未知地类编码"
        qj = (qi + n // 2) % n
        while plan["ZZLX"][qj] is not None or qj == qi:
            qj = (qj + 1) % n
        tbmj_out[qj] = None
        bz[qj] = "示例数据：图斑面积缺失"
        dlmc_map["0199"] = ""

    farm_l = farm.tolist()

    def none_if_empty(a: np.ndarray) -> list[Any]:
        return [x if x else None for x in a.tolist()]

    dltb = Layer("DLTB", DLTB_FIELDS, geoms, {
        "BSM": bsm, "TBBH": [str(x) for x in tbbh_num.tolist()], "DLBM": dlbm_out,
        "DLMC": [dlmc_map[c] or None for c in dlbm_out],
        "QSXZ": qsxz.tolist(), "QSDWDM": qsdwdm.tolist(), "QSDWMC": qsdwmc.tolist(),
        "ZLDWDM": zldwdm.tolist(), "ZLDWMC": zldwmc.tolist(), "TBMJ": tbmj_out,
        "KCDLBM": ["1203" if f else None for f in farm_l], "KCXS": kcxs.tolist(), "KCMJ": kcmj.tolist(),
        "TBDLMJ": tbdlmj.tolist(), "GDLX": none_if_empty(gdlx),
        # written grade = index + 1: kcxs_by_grade[1] (0.03) is the coefficient of grade 2 (2–6°);
        # grade 1 (≤ 2°) has measured ridges and KCXS 0 (三调), which the demo's farmland never is
        "GDPDJB": [str(s + 1) if f else None for s, f in zip(slope.tolist(), farm_l)],
        "CZCSXM": none_if_empty(czcs), "GDDB": [int(x) if f else None for x, f in zip(gddb.tolist(), farm_l)],
        "BZ": bz, "ZZLX": plan["ZZLX"], "GHDLBM": plan["GHDLBM"], "GHKCXS": plan["GHKCXS"],
        "YNCZ": plan["YNCZ"],
    })

    pbf = _pbf_layer(geoms, in_pbf, block, dlbm, tbmj, zldwdm)
    nu = len(units["geoms"])
    dymc, seen = [], {}
    for v in units["main_village"]:
        base = vnames[v][:-1] + "片区"
        seen[base] = seen.get(base, 0) + 1
        dymc.append(base if seen[base] == 1 else f"{base}{seen[base]}")
    unit_layer = Layer("ZZDY", ZZDY_FIELDS, units["geoms"], {
        "DYBH": [f"ZZDY-{k + 1:03d}" for k in range(nu)], "DYMC": dymc, "ZZLX": plan["unit_type"],
        "XZQ": [TOWNSHIP_NAME + vnames[v] for v in units["main_village"]],
        "ND": [2025 + (k % 3 == 2) for k in range(nu)],
        "ZT": [STATUSES[k % len(STATUSES)] for k in range(nu)]})
    hull = shapely.buffer(shapely.union_all(units["geoms"]), 15.0, join_style="mitre")
    xmfw = Layer("XMFW", XMFW_FIELDS, np.array([hull], dtype=object), {
        "XMBH": ["XM-2025-001"], "XMMC": [f"{TOWNSHIP_NAME}全域土地综合整治项目"], "XZQ": [TOWNSHIP_NAME],
        "MJ": [round(float(ellipsoidal_area(np.array([hull]))[0]), 2)]})
    layers = {"DLTB": dltb, "YJJBNTTB": pbf, "STBHHX": red, "CZKFBJ": czk, "XMFW": xmfw, "ZZDY": unit_layer}
    info = {"n_parcels": n, "villages": vnames, "unit_balance": plan["balance"],
            "fail_unit": plan["fail_unit"], "tagged": plan["tagged"]}
    return DemoData(layers=layers, info=info)


def _pbf_layer(geoms: np.ndarray, in_pbf: np.ndarray, block: np.ndarray, dlbm: np.ndarray,
               tbmj: np.ndarray, zldwdm: np.ndarray) -> Layer:
    """One PBF polygon per field block and village: the union of its selected parcels."""
    idx = np.nonzero(in_pbf)[0]
    key = block[idx].astype(np.int64) * 10_000 + np.unique(zldwdm, return_inverse=True)[1][idx]
    order = np.argsort(key, kind="stable")
    idx, key = idx[order], key[order]
    cut = np.nonzero(np.diff(key))[0] + 1
    out_g, out_bh, out_dl, out_zl, out_mj = [], [], [], [], []
    for k, part in enumerate(np.split(idx, cut)):
        if not len(part):
            continue
        out_g.append(shapely.union_all(geoms[part]))  # coverage_union trips on large GK coordinates
        codes, inv = np.unique(dlbm[part], return_inverse=True)
        out_dl.append(str(codes[np.argmax(np.bincount(inv, weights=tbmj[part]))]))
        out_bh.append(f"YN{k + 1:07d}")
        out_zl.append(str(zldwdm[part[0]]))
        out_mj.append(round(float(tbmj[part].sum()), 2))
    return Layer("YJJBNTTB", PBF_FIELDS, np.array(out_g, dtype=object),
                 {"YJJBNTTBBH": out_bh, "DLBM": out_dl, "ZLDWDM": out_zl, "MJ": out_mj})


def _control_lines(lay: dict, frame: _Frame, g: _Grid) -> tuple[Layer, Layer]:
    """Ecological red line over river(s) and hill cores; urban growth boundary round towns."""
    step = max(g.cw, 20.0) / 2
    bbox = shapely.box(0, 0, g.width, g.height)
    red_g, red_id, red_name, red_kind = [], [], [], []
    for k, (v0, amp, lam, ph, hw) in enumerate(lay["rivers"]):
        u = np.linspace(0, g.width, 400)
        line = shapely.LineString(np.column_stack([u, v0 + amp * np.sin(2 * np.pi * u / lam + ph)]))
        poly = shapely.intersection(shapely.buffer(line, hw + g.ch * 0.6), bbox)
        red_g.append(frame.geom(poly, step))
        red_id.append(f"STHX-{k + 1:03d}")
        red_name.append("河流水域生态保护红线")
        red_kind.append("水源涵养")
    for hill in lay["hills"]:
        poly = shapely.intersection(_blob_polygon(hill, 0.55), bbox)
        if poly.is_empty:
            continue
        red_g.append(frame.geom(poly, step))
        red_id.append(f"STHX-{len(red_id) + 1:03d}")
        red_name.append("山体林地生态保护红线")
        red_kind.append("水土保持")
    red_arr = np.array(red_g, dtype=object)
    red = Layer("STBHHX", STBHHX_FIELDS, red_arr, {
        "HXBH": red_id, "HXMC": red_name, "LX": red_kind,
        "MJ": [round(float(a), 2) for a in ellipsoidal_area(red_arr)]})
    cz_g, cz_id, cz_name = [], [], []
    for k, town in enumerate(lay["towns"]):
        poly = shapely.intersection(_blob_polygon(town, 1.45), bbox)
        cz_g.append(frame.geom(poly, step))
        cz_id.append(f"CZBJ-{k + 1:03d}")
        cz_name.append(f"{TOWNSHIP_NAME}镇区城镇开发边界" if k == 0 else f"集镇{k + 1}城镇开发边界")
    cz_arr = np.array(cz_g, dtype=object)
    czk = Layer("CZKFBJ", CZKFBJ_FIELDS, cz_arr, {
        "BJBH": cz_id, "BJMC": cz_name, "MJ": [round(float(a), 2) for a in ellipsoidal_area(cz_arr)]})
    return red, czk


def _units(g: _Grid, lay: dict, frame: _Frame, parcels: dict, n_units: int,
           rng: np.random.Generator) -> dict[str, Any]:
    """Remediation units: cells of a jittered coarse lattice with wavy shared edges."""
    n = len(parcels["geom"])
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
    # shared edges are densified here, once, so neighbours get bit-identical vertices
    # (segmentizing each unit separately would leave slivers of overlap)
    k = max(12, int(math.ceil(max(cw, chh) / (max(g.cw, 20.0) / 2))))

    def edge(p: np.ndarray, q: np.ndarray, wig: float) -> np.ndarray:
        t = np.linspace(0, 1, k + 1)[1:-1]
        pts = p[None, :] + (q - p)[None, :] * t[:, None]
        normal_v = np.array([-(q - p)[1], (q - p)[0]]) / (np.hypot(*(q - p)) + 1e-9)
        off = rng.uniform(-wig, wig, k - 1) * np.sin(np.pi * t)
        return pts + off[:, None] * normal_v[None, :]

    on_border = lambda a, b: (a == b)  # noqa: E731
    hedge = {}
    for i in range(gy + 1):
        for j in range(gx):
            p, q = np.array([X[i, j], Y[i, j]]), np.array([X[i, j + 1], Y[i, j + 1]])
            hedge[i, j] = edge(p, q, 0 if on_border(i, 0) or on_border(i, gy) else 0.05 * cw)
    vedge = {}
    for i in range(gy):
        for j in range(gx + 1):
            p, q = np.array([X[i, j], Y[i, j]]), np.array([X[i + 1, j], Y[i + 1, j]])
            vedge[i, j] = edge(p, q, 0 if on_border(j, 0) or on_border(j, gx) else 0.05 * chh)
    polys, centres = [], []
    for i in range(gy):
        for j in range(gx):
            ring = [[X[i, j], Y[i, j]], *hedge[i, j], [X[i, j + 1], Y[i, j + 1]], *vedge[i, j + 1],
                    [X[i + 1, j + 1], Y[i + 1, j + 1]], *hedge[i + 1, j][::-1], [X[i + 1, j], Y[i + 1, j]],
                    *vedge[i, j][::-1]]
            polys.append(shapely.Polygon(np.array(ring)))
            centres.append(((j + 0.5) * cw, (i + 0.5) * chh))
    # score coarse cells: farmland and hamlets are where plans happen; avoid the town
    cls = lay["cls"]
    cu = (g.xs[:-1] + g.xs[1:]) / 2
    cv = (g.ys[:-1] + g.ys[1:]) / 2
    ci = np.clip((cv / chh).astype(int), 0, gy - 1)
    cj = np.clip((cu / cw).astype(int), 0, gx - 1)
    cell_id = ci[:, None] * gx + cj[None, :]
    farm = np.isin(cls, FARMLAND)
    homestead = cls == "0702"
    town = lay["town_depth"] > -0.3
    score = (np.bincount(cell_id.ravel(), weights=farm.ravel(), minlength=gx * gy)
             + 3 * np.bincount(cell_id.ravel(), weights=homestead.ravel(), minlength=gx * gy)
             - 5 * np.bincount(cell_id.ravel(), weights=town.ravel(), minlength=gx * gy))
    score = score + rng.random(gx * gy) * 1e-3
    pick = np.sort(np.argsort(-score, kind="stable")[:n_units])
    local = np.array(polys, dtype=object)[pick]
    geoms = np.array([frame.geom(p, math.inf) for p in local], dtype=object)
    # a border unit's warped outer edge bows away from the parcels' straight outer edges: clip
    # it to the parcels it covers, else thin gaps (no parcel) line the township's border
    rows, cols_ = pick // gx, pick % gx
    border = np.flatnonzero((rows == 0) | (rows == gy - 1) | (cols_ == 0) | (cols_ == gx - 1))
    if len(border):
        pgeoms = parcels["geom"]
        tree = shapely.STRtree(pgeoms)
        for u in border.tolist():
            near = pgeoms[tree.query(geoms[u], predicate="intersects")]
            cover = shapely.coverage_union_all(near) if len(near) else None
            if cover is not None and not cover.is_empty:
                clipped = shapely.intersection(geoms[u], cover)
                polys = [q for q in shapely.get_parts(clipped) if q.geom_type == "Polygon" and q.area > 1.0]
                if polys:
                    geoms[u] = max(polys, key=lambda q: q.area)
    # the village owning most of the unit names it
    vill = lay["village"]
    main_v = []
    for cid in pick:
        vs = vill[cell_id == cid]
        main_v.append(int(np.bincount(vs).argmax()) if len(vs) else 0)
    return {"geoms": geoms, "main_village": main_v}


def _is_ecological(code: str) -> bool:
    """生态用地 as the national rule pack defines it (data, not a list in code)."""
    pack = bundled_pack("national")
    return "ecological" in pack.categories_of(pack.table.resolve(code))


def _plan(geoms: np.ndarray, cols: dict, unit_geoms: np.ndarray, tagged_share: float, names: dict,
          rng: np.random.Generator, exact: bool) -> dict[str, Any]:
    """Tag a realistic plan on parcels lying wholly inside units.

    Every unit but one (chosen at random) gains 6.5–10 % farmland with no new construction
    land; the other one stays below 5 % so a viewer sees both states of the main rule.
    """
    n = len(geoms)
    dlbm, tbmj, kcxs, tbdlmj = cols["DLBM"], cols["TBMJ"], cols["KCXS"], cols["TBDLMJ"]
    farm, in_pbf, hamlet, hill = cols["farm"], cols["in_pbf"], cols["hamlet"], cols["hill"]
    is_c = cols["is_c"]
    n_units = len(unit_geoms)
    tree = shapely.STRtree(geoms)
    inside_u, inside_p = tree.query(unit_geoms, predicate="contains")
    if exact:
        su, sp = tree.query(unit_geoms, predicate="intersects")
        inter = shapely.area(shapely.intersection(geoms[sp], unit_geoms[su]))
        share = inter / shapely.area(geoms[sp])
        keep = share > 1e-9
        su, sp, share = su[keep], sp[keep], share[keep]
    else:
        # units are the (prepared) query side: much faster than points-within-polygons
        su, sp = shapely.STRtree(shapely.centroid(geoms)).query(unit_geoms, predicate="contains")
        share = np.ones(len(sp))
    f_before = np.bincount(su, weights=share * np.where(farm, tbdlmj, 0.0)[sp], minlength=n_units)

    zzlx: list[Any] = [None] * n
    ghdlbm: list[Any] = [None] * n
    ghkcxs: list[Any] = [None] * n
    yncz: list[Any] = [None] * n
    fail_unit = int(rng.integers(0, n_units)) if n_units > 1 else -1
    c_cache: dict[str, bool] = {}

    def constr(code: str) -> bool:
        if code not in c_cache:
            c_cache[code] = is_construction(code, names)
        return c_cache[code]

    def gain(i: int, gh: str, ghk: float | None) -> float:
        after = 0.0
        if gh in FARMLAND:
            k = ghk if ghk is not None else (kcxs[i] if farm[i] else 0.0)
            after = tbmj[i] * (1 - k)
        return after - (tbdlmj[i] if farm[i] else 0.0)

    order = np.argsort(inside_u, kind="stable")
    inside_u, inside_p = inside_u[order], inside_p[order]
    bounds = np.searchsorted(inside_u, np.arange(n_units + 1))
    unit_type: list[Any] = [None] * n_units
    tagged = 0
    for u in range(n_units):
        P = inside_p[bounds[u]:bounds[u + 1]]
        P = P[rng.permutation(len(P))]
        fail = u == fail_unit
        F0 = f_before[u]
        target = F0 * (rng.uniform(0.01, 0.025) if fail else rng.uniform(0.065, 0.10))
        cap = F0 * 0.04 if fail else math.inf
        want = max(4, round(tagged_share * len(P)))
        g = 0.0
        n_tagged = 0
        area_by_type: dict[str, float] = {}
        free = np.ones(len(P), dtype=bool)

        # helpers bound to this unit's arrays (defaults bind them, the loop rebinds them)
        def tag(k: int, t: str, gh: str, ghk: float | None = None, P: np.ndarray = P,
                area_by_type: dict = area_by_type, free: np.ndarray = free) -> None:
            nonlocal g, n_tagged
            n_tagged += 1
            i = int(P[k])
            zzlx[i], ghdlbm[i], ghkcxs[i] = t, gh, ghk
            g += gain(i, gh, ghk)
            # quality-only works weigh less when naming the unit's main type
            w = 0.3 if t in ("NY-GB", "NY-TZ") else 1.0
            area_by_type[t] = area_by_type.get(t, 0.0) + w * float(tbmj[i])
            free[k] = False

        def cands(mask: np.ndarray, free: np.ndarray = free) -> np.ndarray:
            return np.nonzero(mask & free)[0]

        d = dlbm[P]
        # 建新 (new homesteads) on non-PBF farmland or vacant land next to a hamlet
        jx = cands(((farm[P] & ~in_pbf[P]) | (d == "1201")) & (hamlet[P] > -0.6))
        jx_area = 0.0
        if len(jx) and not fail:
            k = jx[np.argsort(tbmj[P[jx]])[len(jx) // 3]]
            jx_area = float(tbmj[P[k]])
            tag(int(k), "JS-JX", "0702")
        # 拆旧复垦, then reserve land, orchards/forest, ponds, facility land, scattered industry
        sources = [
            ("JS-FK", np.isin(d, ("0702", "1201"))),
            ("NY-KF", np.isin(d, ("0404", "1206"))),
            ("NY-HF", np.isin(d, ("0201", "0201K", "0301"))),
            ("NY-KF", np.isin(d, ("1202", "1104K"))),
            ("NY-KF", d == "1104"),
            ("JS-FK", d == "0601"),
        ]
        fk_area = 0.0
        # first pass: each source type supplies at most a slice of the target (a varied
        # plan); second pass: whatever is still missing, in the same order
        for budget in ((0.55, 0.2, 0.3, 0.1, 0.1, 0.1), (math.inf,) * 6):
            for (t, mask), part in zip(sources, budget):
                used = 0.0
                for k in cands(mask):
                    i = int(P[k])
                    if (g >= target or used >= part * target) and (t != "JS-FK" or fk_area >= 1.3 * jx_area):
                        break
                    if t == "NY-HF":
                        gh = "0102" if dlbm[i] == "0301" else "0101"
                    else:
                        gh = "0103" if hill[i] > -0.15 else "0101"
                    dg = gain(i, gh, None)
                    if g + dg > cap:
                        continue
                    tag(int(k), t, gh)
                    used += dg
                    if t == "JS-FK":
                        fk_area += float(tbmj[i])
        # 生态用地 must not fall either: where the farmland works took forest, grassland or
        # ponds, reclaim homesteads, vacant or industrial land to forest (复垦为林地)
        eco_loss = eco_gain = 0.0
        for i in P:
            if zzlx[i] is not None:
                before, after = _is_ecological(str(dlbm[i])), _is_ecological(str(ghdlbm[i]))
                eco_loss += float(tbmj[i]) if before and not after else 0.0
                eco_gain += float(tbmj[i]) if after and not before else 0.0
        for k in cands(np.isin(d, ("0702", "1201", "0601", "0602"))):
            if eco_gain >= 1.05 * eco_loss:
                break
            i = int(P[k])
            tag(int(k), "ST-KS" if dlbm[i] == "0602" else "JS-FK", "0301")
            eco_gain += float(tbmj[i])
        # fill up with quality works that barely move the balance
        for k in cands(d == "1104")[: int(rng.integers(1, 3))]:
            tag(int(k), "ST-SD", "1102")
        n_tz = max(1, want // 8)
        for k in cands(d == "0103")[:n_tz]:
            tag(int(k), "NY-TZ", "0101")
        for k in cands(farm[P] & (kcxs[P] >= 0.03)):
            if n_tagged >= want:
                break
            i = int(P[k])
            ghk = round(max(0.01, float(kcxs[i]) - float(rng.choice((0.01, 0.015, 0.02)))), 3)
            if g + gain(i, str(dlbm[i]), ghk) > cap:
                continue
            tag(int(k), "NY-GB", str(dlbm[i]), ghk)
        # PBF in/out: move out a fragment near a hamlet, bring in more and better farmland
        out_area = 0.0
        if not fail and rng.random() < 0.7:
            outs = cands(in_pbf[P] & (hamlet[P] > -1.0))
            if len(outs):
                k = outs[0]
                yncz[int(P[k])] = "OUT"
                out_area = float(tbmj[P[k]])
        ins_mask = (~in_pbf[P]) & np.array([(ghdlbm[int(i)] or str(dlbm[int(i)])) in FARMLAND
                                            and zzlx[int(i)] != "JS-JX" and yncz[int(i)] is None for i in P])
        in_area, n_in = 0.0, 0
        for k in np.nonzero(ins_mask)[0]:
            if n_in >= 2 and in_area >= 2 * out_area:
                break
            yncz[int(P[k])] = "IN"
            in_area += float(tbmj[P[k]])
            n_in += 1
        tagged += n_tagged
        if area_by_type:
            unit_type[u] = max(area_by_type, key=area_by_type.get)

    # balance per unit, parcels cut by unit boundaries apportioned by area share
    zz = np.array([z is not None for z in zzlx])
    gh_arr = np.array([g if g is not None else str(c) for g, c in zip(ghdlbm, dlbm)])
    ghk_arr = np.array([k if k is not None else (kcxs[i] if farm[i] else 0.0) for i, k in enumerate(ghkcxs)])
    after_farm = np.where(np.isin(gh_arr, FARMLAND), tbmj * (1 - ghk_arr), 0.0)
    after_farm = np.where(zz, after_farm, np.where(farm, tbdlmj, 0.0))
    codes = sorted(set(gh_arr.tolist()) | set(dlbm.tolist()))
    cmap = {c: constr(c) for c in codes}
    c_after = np.array([cmap[c] for c in gh_arr])
    f_after = np.bincount(su, weights=share * after_farm[sp], minlength=n_units)
    cb = np.bincount(su, weights=share * np.where(is_c, tbmj, 0.0)[sp], minlength=n_units)
    ca = np.bincount(su, weights=share * np.where(c_after, tbmj, 0.0)[sp], minlength=n_units)
    balance = [{"farmland_before": float(f_before[u]), "farmland_after": float(f_after[u]),
                "farmland_gain": float((f_after[u] - f_before[u]) / f_before[u]) if f_before[u] else 0.0,
                "construction_before": float(cb[u]), "construction_after": float(ca[u])}
               for u in range(n_units)]
    return {"ZZLX": zzlx, "GHDLBM": ghdlbm, "GHKCXS": ghkcxs, "YNCZ": yncz, "unit_type": unit_type,
            "balance": balance, "fail_unit": fail_unit, "tagged": tagged}
