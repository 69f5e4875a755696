"""Geometry of the demo township: the Gauss-Krüger frame, round features, noise, areas.

Areas: ``TBMJ`` must be the ellipsoidal area (docs/domain.md §6). The parcels are planar
Gauss-Krüger (EPSG:4527, central meridian 117°E) polygons, whose areas are enlarged by
the square of the GK point scale factor m = 1 + y²/(2R²) + y⁴/(24R⁴) (y = distance from
the central meridian, R = Gaussian mean radius at the township's latitude). TBMJ is
therefore planar area / m² at the parcel centroid; within ±20 km of the meridian the
correction is < 1e-5 and the residual error well below 1e-7.

Pure (numpy, shapely 2).
"""
from __future__ import annotations

import math
from typing import Any

import numpy as np
import shapely

FALSE_EASTING = 39_500_000.0  # zone 39 (central meridian 117°E), zone number in the easting
CENTER_X = 39_500_000.0
CENTER_Y = 3_500_000.0  # ~31.6°N

# CGCS2000 ellipsoid and the Gaussian mean radius at the township latitude.
_A = 6378137.0
_F = 1 / 298.257222101
_E2 = _F * (2 - _F)
_LAT = math.radians(31.6)
_R_MEAN = _A * math.sqrt(1 - _E2) / (1 - _E2 * math.sin(_LAT) ** 2)


def gk_area_factor(x: np.ndarray) -> np.ndarray:
    """Square of the Gauss-Krüger point scale factor at easting ``x`` (planar/ellipsoidal)."""
    q = ((x - FALSE_EASTING) / _R_MEAN) ** 2
    m = 1 + q / 2 + q * q / 24
    return m * m


def ellipsoidal_area(geoms: np.ndarray) -> np.ndarray:
    """Ellipsoidal area (m²) of EPSG:4527 polygons: planar area / m² at the centroid."""
    planar = shapely.area(geoms)
    cx = shapely.get_x(shapely.centroid(geoms))
    return planar / gk_area_factor(cx)


class Frame:
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


def blob(cx: float, cy: float, r: float, rng: np.random.Generator) -> tuple[float, float, float, np.ndarray]:
    """An irregular round feature: centre, radius and radial harmonics (amplitude, phase)."""
    harm = np.column_stack([rng.uniform(0.04, 0.12, 3), rng.uniform(0, 2 * np.pi, 3)])
    return cx, cy, r, harm


def blob_radius(blob: tuple, theta: np.ndarray) -> np.ndarray:
    _, _, r, harm = blob
    out = np.ones_like(theta)
    for k, (a, ph) in zip((2, 3, 5), harm):
        out += a * np.sin(k * theta + ph)
    return r * out


def blob_polygon(blob: tuple, scale: float = 1.0, n: int = 96) -> Any:
    cx, cy = blob[0], blob[1]
    t = np.linspace(0, 2 * np.pi, n, endpoint=False)
    rr = blob_radius(blob, t) * scale
    return shapely.Polygon(np.column_stack([cx + rr * np.cos(t), cy + rr * np.sin(t)]))


def nearest(centres: np.ndarray, px: np.ndarray, py: np.ndarray) -> np.ndarray:
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


def blob_depth(blobs: list, px: np.ndarray, py: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """For each point: index of the nearest blob centre and 1 - d/r(θ) (>0 inside)."""
    if not blobs:
        return np.zeros(len(px), dtype=np.int64), np.full(len(px), -np.inf)
    idx = nearest(np.array([(b[0], b[1]) for b in blobs]), px, py)
    bx = np.array([b[0] for b in blobs])[idx]
    by = np.array([b[1] for b in blobs])[idx]
    d = np.hypot(px - bx, py - by)
    theta = np.arctan2(py - by, px - bx)
    rr = np.empty(len(px))
    for k in np.unique(idx):
        sel = idx == k
        rr[sel] = blob_radius(blobs[k], theta[sel])
    depth = 1 - d / rr
    return idx, depth


def smooth_noise(rng: np.random.Generator, x: np.ndarray, y: np.ndarray, wavelength: float) -> np.ndarray:
    """Cheap smooth noise in [-1, 1]: a few random plane waves (clusters classes)."""
    out = np.zeros_like(x)
    for _ in range(4):
        ang = rng.uniform(0, np.pi)
        lam = wavelength * rng.uniform(0.6, 1.6)
        out += np.sin((np.cos(ang) * x + np.sin(ang) * y) * 2 * np.pi / lam + rng.uniform(0, 2 * np.pi))
    return out / 4

