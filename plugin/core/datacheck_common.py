"""What every family of data checks shares: tolerances, the area scale, names, counts, helpers.

Pure Python (shapely, numpy); the checks themselves are in ``datachecks.py`` and its families.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, fields
from typing import Iterable, Mapping

import numpy as np
import shapely
from shapely.geometry.base import BaseGeometry

from .checks import ERROR, INFO, WARNING, Finding
from .i18n import tr

SEVERITIES = (ERROR, WARNING, INFO)


@dataclass
class CheckSettings:
    """Tolerances of the data checks; the rule pack's ``checks`` section overrides the defaults."""

    tbmj_tolerance_ratio: float = 0.01
    tbmj_tolerance_m2: float = 1.0
    overlap_tolerance_m2: float = 1.0
    gap_tolerance_m2: float = 1.0
    sliver_area_m2: float = 1.0
    sliver_max_area_m2: float = 50.0
    sliver_thinness: float = 0.05

    @classmethod
    def from_pack(cls, pack) -> CheckSettings:
        """Values of ``pack.checks`` (a RulePack, or a plain dict), defaults where absent."""
        data = getattr(pack, "checks", pack) or {}
        values = {}
        for f in fields(cls):
            raw = data.get(f.name) if isinstance(data, Mapping) else None
            try:
                value = float(raw) if raw is not None else None
            except (TypeError, ValueError):
                value = None
            if value is not None and math.isfinite(value) and value >= 0:
                values[f.name] = value
        return cls(**values)


class AreaScale:
    """Ratio ellipsoidal / planar area over the working CRS, sampled on a grid.

    The adapter measures small squares on the CGCS2000 ellipsoid at ``nx × ny`` points of
    the layer's extent; in between the ratio is interpolated bilinearly (in a Gauss–Krüger
    zone it varies as 1 − x²/R², so the interpolation error is < 1e-6). No grid = planar.
    """

    def __init__(self, bounds: tuple[float, float, float, float] | None = None, factors=None):
        self.bounds = bounds
        self.factors = None if factors is None else np.asarray(factors, dtype=float)

    def factor(self, x, y) -> np.ndarray:
        x = np.atleast_1d(np.asarray(x, dtype=float))
        y = np.atleast_1d(np.asarray(y, dtype=float))
        f = self.factors
        if f is None or self.bounds is None:
            return np.ones_like(x)
        x0, y0, x1, y1 = self.bounds
        ny, nx = f.shape
        u = np.clip((x - x0) / max(x1 - x0, 1e-9) * (nx - 1), 0, nx - 1)
        v = np.clip((y - y0) / max(y1 - y0, 1e-9) * (ny - 1), 0, ny - 1)
        i = np.minimum(np.floor(u).astype(int), max(nx - 2, 0))
        j = np.minimum(np.floor(v).astype(int), max(ny - 2, 0))
        du, dv = u - i, v - j
        i1, j1 = np.minimum(i + 1, nx - 1), np.minimum(j + 1, ny - 1)
        return (f[j, i] * (1 - du) * (1 - dv) + f[j, i1] * du * (1 - dv)
                + f[j1, i] * (1 - du) * dv + f[j1, i1] * du * dv)


@dataclass(frozen=True)
class Quality:
    """Raw survey fields the balance record does not keep (KCDLBM as typed, GDPDJB)."""

    kcdlbm: str | None = None
    gdpdjb: str | None = None


def severity_name(severity: str) -> str:
    """The word for a finding's severity in the interface language."""
    return {"error": tr("Error"), "warning": tr("Warning"), "info": tr("Note")}.get(severity, severity)


def kind_name(code: str) -> str:
    """Short translated name of a finding kind, for the panel's "kind" column."""
    names = {
        "BSM_DUPLICATE": tr("Duplicate BSM"), "TBMJ_MISMATCH": tr("TBMJ vs area"),
        "TBMJ_MISSING": tr("TBMJ missing"), "GEOMETRY_INVALID": tr("Invalid geometry"),
        "PARCEL_OVERLAP": tr("Parcel overlap"), "UNIT_GAP": tr("Gap in unit"), "SLIVER": tr("Sliver"),
        "DLBM_UNKNOWN": tr("Unknown land class"), "KCXS_NOT_FARMLAND": tr("Ridges off farmland"),
        "KCXS_NO_KCDLBM": tr("Ridges without class"), "KCXS_FLAT": tr("Ridges on flat land"),
        "UNIT_EMPTY": tr("Empty unit"), "UNIT_INVALID": tr("Invalid unit"), "UNIT_NO_CODE": tr("Unit without code"),
        "UNIT_DUPLICATE_CODE": tr("Duplicate unit code"), "UNIT_OVERLAP": tr("Units overlap"),
        "UNIT_OUTSIDE_BOUNDARY": tr("Unit outside boundary"),
        "NEW_CONSTRUCTION_IN_PBF": tr("Construction in PBF"),
        "NEW_CONSTRUCTION_IN_RED_LINE": tr("Construction in red line"),
        "NEW_CONSTRUCTION_OUTSIDE_UGB": tr("Construction outside UGB"),
        "PBF_AREA_SHORTFALL": tr("PBF in < out"), "PBF_QUALITY_WORSE": tr("PBF quality worse"),
        "PBF_QUALITY_UNKNOWN": tr("PBF quality unknown"), "TYPE_TARGET_MISMATCH": tr("Type vs class after"),
        "TYPE_SOURCE_MISMATCH": tr("Type vs class before"), "TYPE_UNKNOWN": tr("Unknown type"),
    }
    return names.get(code, code)


def counts_by_unit(findings: Iterable[Finding]) -> dict[str | None, dict[str, int]]:
    """unit code (None: the project) -> {severity: count}, for the unit badges."""
    out: dict[str | None, dict[str, int]] = {}
    for f in findings:
        bucket = out.setdefault(f.unit_code, {ERROR: 0, WARNING: 0, INFO: 0})
        bucket[f.severity] = bucket.get(f.severity, 0) + 1
    return out


def fmt_m2(v: float) -> str:
    return f"{v:,.1f}"


def polygon_parts(geom: BaseGeometry | None, tolerance: float) -> list[BaseGeometry]:
    """Polygon parts of ``geom`` larger than ``tolerance`` m²."""
    if geom is None or geom.is_empty:
        return []
    return [g for g in shapely.get_parts(geom) if g.geom_type == "Polygon" and g.area > tolerance]


def touching(engine, bounds: tuple, exclude=None) -> list:
    """Parcels (with a geometry) whose boxes meet ``bounds``: the engine's grid, filtered by box."""
    return [q for q in engine.parcels_near(bounds) if q != exclude]


def unit_of(engine, p) -> str | None:
    """Code of the unit holding most of parcel ``p`` (None outside every unit)."""
    if not p.pairs:
        return None
    uid = max(p.pairs, key=lambda t: t[1])[0]
    return engine.unit_code(uid) if engine.has_unit(uid) else None
