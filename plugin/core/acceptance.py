"""验收: the achieved after-state compared with the plan, per unit, remediation type and class after.

The achieved state is a polygon layer with a land-class field: the completed works (竣工图斑) or a
later survey of the same area (年度变更调查 DLTB). For every planned piece of a parcel in a unit
(ZZLX and/or GHDLBM set) the planned area is the one the balance counts for its type (TBMJ × the
parcel's share in the unit, ``engine.type_areas``); the achieved area is that planned area × the
share of the piece's geometry that the achieved layer shows in the planned class. Classes match on
their first ``match_digits`` characters (2: the 一级类, so 0101 水田 achieves a planned 0103 旱地;
4: the exact class). A row falls short when achieved < planned × (1 − tolerance). The tolerance and
the match come from the rule pack's ``checks`` section (``acceptance_tolerance_ratio``,
``acceptance_match_digits``), with their sources. docs/lifecycle.md.

Pure Python: the engine through its public read API, the achieved layer as (geometry, class) pairs
in the engine's CRS.
"""
from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Hashable, Iterable, Sequence

import shapely
from shapely.geometry.base import BaseGeometry

from .areas import MU_M2
from .i18n import tr

NO_TYPE = ""  # a piece with a class after but no ZZLX


def _national(key: str) -> float:
    """The bundled national pack's value of ``key`` in ``checks``: the defaults live in the data file."""
    from .rules import bundled_pack

    return bundled_pack().checks[key]


@dataclass(frozen=True)
class AcceptanceSettings:
    tolerance: float = field(default_factory=lambda: _national("acceptance_tolerance_ratio"))
    match_digits: int = field(default_factory=lambda: int(_national("acceptance_match_digits")))

    @classmethod
    def from_pack(cls, pack) -> AcceptanceSettings:
        """``acceptance_tolerance_ratio`` / ``acceptance_match_digits`` of the pack's ``checks``."""
        data = getattr(pack, "checks", pack) or {}
        data = data if isinstance(data, Mapping) else {}
        tol = _number(data.get("acceptance_tolerance_ratio"), _national("acceptance_tolerance_ratio"))
        digits = _number(data.get("acceptance_match_digits"), _national("acceptance_match_digits"))
        return cls(min(tol, 1.0), max(1, int(digits)))


def _number(raw, default: float) -> float:
    try:
        value = float(raw)
    except (TypeError, ValueError):
        return default
    return value if math.isfinite(value) and value >= 0 else default


@dataclass(frozen=True)
class AcceptanceRow:
    """Planned vs achieved area of one (unit, remediation type, class after)."""

    unit_code: str
    zzlx: str
    ghdlbm: str
    planned_m2: float
    achieved_m2: float
    tolerance: float

    @property
    def shortfall_m2(self) -> float:
        return max(self.planned_m2 - self.achieved_m2, 0.0)

    @property
    def ratio(self) -> float | None:
        return self.achieved_m2 / self.planned_m2 if self.planned_m2 > 0 else None

    @property
    def ok(self) -> bool:
        return self.achieved_m2 >= self.planned_m2 * (1.0 - self.tolerance) - 1e-6

    def describe(self) -> str:
        ratio = self.ratio
        return tr("{0} → {1}: achieved {2} of {3} m² ({4}), short {5} m² ({6} mu)").format(
            self.zzlx or "—", self.ghdlbm, f"{self.achieved_m2:,.1f}", f"{self.planned_m2:,.1f}",
            "—" if ratio is None else f"{ratio * 100:.1f} %", f"{self.shortfall_m2:,.1f}",
            f"{self.shortfall_m2 / MU_M2:,.2f}")


class AchievedState:
    """The achieved layer: polygons and their land-class codes, indexed once."""

    def __init__(self, features: Iterable[tuple[BaseGeometry | None, str | None]]):
        pairs = [(g, str(c).strip().upper()) for g, c in features
                 if g is not None and not g.is_empty and c not in (None, "") and str(c) != "NULL"]
        self.geoms = [g if g.is_valid else shapely.make_valid(g) for g, _c in pairs]
        self.codes = [c for _g, c in pairs]
        self.tree = shapely.STRtree(self.geoms) if self.geoms else None

    def __len__(self) -> int:
        return len(self.geoms)

    def covered(self, piece: BaseGeometry, code: str, digits: int) -> float:
        """Share (0…1) of ``piece`` that the achieved layer shows in a class matching ``code``."""
        area = float(piece.area)
        if self.tree is None or area <= 0:
            return 0.0
        want = code[:digits]
        hits = [self.geoms[i] for i in self.tree.query(piece) if self.codes[i][:digits] == want]
        if not hits:
            return 0.0
        part = shapely.intersection(piece, shapely.union_all(hits) if len(hits) > 1 else hits[0])
        return min(float(part.area) / area, 1.0)


def _piece(engine, pid: Hashable, uid: Hashable, share: float) -> BaseGeometry | None:
    geom = engine.parcel_geometry(pid)
    if geom is None or share >= 1.0 - 1e-9:
        return geom
    unit = engine.unit_geometry(uid)
    return geom if unit is None else shapely.intersection(geom, unit)


def planned_pieces(engine, uid: Hashable) -> Iterable[tuple[str, str, float, Hashable, float]]:
    """(ZZLX, class after, planned m², parcel id, share) of the planned parcels in one unit."""
    table = engine.table
    for pid in sorted(engine.unit_parcel_ids(uid), key=str):
        rec = engine.parcel_record(pid)
        if not rec.planned:
            continue
        share = next((s for u, s, _p in engine.parcel_shares(pid) if u == uid), 0.0)
        if share <= 0:
            continue
        tbmj = engine.parcel_areas(pid)[0]
        after = table.resolve(rec.ghdlbm) if rec.ghdlbm else table.resolve(rec.dlbm)
        yield rec.zzlx or NO_TYPE, after, tbmj * share, pid, share


def compare(engine, achieved: AchievedState, settings: AcceptanceSettings | None = None,
            units: Sequence[str] | None = None) -> list[AcceptanceRow]:
    """Rows per (unit code, ZZLX, class after), sorted; ``units`` limits it to those codes."""
    settings = settings or AcceptanceSettings()
    wanted = set(units) if units else None
    sums: dict[tuple[str, str, str], list[float]] = {}
    for uid in engine.unit_ids():
        code = engine.unit_code(uid)
        if wanted is not None and code not in wanted:
            continue
        for zzlx, after, planned, pid, share in planned_pieces(engine, uid):
            piece = _piece(engine, pid, uid, share)
            covered = achieved.covered(piece, after, settings.match_digits) if piece is not None else 0.0
            acc = sums.setdefault((code, zzlx, after), [0.0, 0.0])
            acc[0] += planned
            acc[1] += planned * covered
    return [AcceptanceRow(u, t, c, p, a, settings.tolerance) for (u, t, c), (p, a) in sorted(sums.items())]


def unit_outcome(rows: Sequence[AcceptanceRow]) -> dict[str, bool]:
    """unit code -> True when none of its rows falls short."""
    out: dict[str, bool] = {}
    for r in rows:
        out[r.unit_code] = out.get(r.unit_code, True) and r.ok
    return out


def shortfalls(rows: Sequence[AcceptanceRow]) -> list[AcceptanceRow]:
    return [r for r in rows if not r.ok]


__all__ = ["AcceptanceRow", "AcceptanceSettings", "AchievedState", "compare", "planned_pieces", "shortfalls",
           "unit_outcome"]
