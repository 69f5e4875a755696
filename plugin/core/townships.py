"""Rules per township (乡镇): the PBF adjustment limits (docs/domain.md §7).

A township is the first 9 digits of a parcel's 坐落单位代码 (ZLDWDM: 6 county + 3 township digits).
Its variables are summed over the *whole* parcels of the township, inside a unit or not (the limit
is on the township's PBF as designated, not on the part a unit happens to cover):

* ``pbf_before``: the PBF area of its parcels (TBMJ × the share of the parcel inside the PBF layer);
* ``pbf_out`` / ``pbf_in`` / ``pbf_after``: as the engine counts them for a unit (YNCZ 调出/调入, and
  PBF that stays farmland);
* ``pbf_out_ugb``: PBF moved out that lies inside the urban growth boundary (城镇开发边界).

The pack's rules with ``"scope": "township"`` are evaluated on these by the same formula machinery
as the unit rules (``core.rules``), with the same result rows (``engine.RuleResult``; ``unit_code`` is
the township code).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable, Sequence

import shapely
from shapely.geometry.base import BaseGeometry

from .engine import BalanceEngine, RuleResult
from .fields import PBF_IN, PBF_OUT
from .rules import TOWNSHIP_VARIABLES

TOWNSHIP_DIGITS = 9


def township_of(zldwdm: str | None) -> str | None:
    """The township code of a 坐落单位代码: its first 9 digits; None when it is shorter or not digits."""
    if zldwdm is None:
        return None
    code = str(zldwdm).strip()[:TOWNSHIP_DIGITS]
    return code if len(code) == TOWNSHIP_DIGITS and code.isdigit() else None


class _Layer:
    """A polygon layer (PBF, UGB) for the fraction of a geometry inside it."""

    def __init__(self, geoms: Sequence[BaseGeometry] | None):
        self.geoms = [g for g in (geoms or []) if g is not None and not g.is_empty]
        self.tree = shapely.STRtree(self.geoms) if self.geoms else None

    def part(self, geom: BaseGeometry) -> BaseGeometry | None:
        """The part of ``geom`` inside the layer (None when nothing)."""
        if self.tree is None or geom is None:
            return None
        hits = [self.geoms[i] for i in sorted(self.tree.query(geom, predicate="intersects"))]
        if not hits:
            return None
        inside = shapely.intersection(geom, shapely.union_all(hits))
        return None if inside.is_empty else inside


@dataclass
class _Parcel:
    pid: object
    township: str
    tbmj: float
    area: float
    geom: BaseGeometry
    yncz: str | None
    stays_farmland: bool


def _parcels(engine: BalanceEngine) -> Iterable[_Parcel]:
    table = engine.table
    for pid in engine.parcel_ids():
        rec = engine.parcel_record(pid)
        code = township_of(rec.zldwdm)
        geom = engine.parcel_geometry(pid)
        area = engine.parcel_measured_area(pid)
        if code is None or geom is None or area <= 0:
            continue
        after = rec.ghdlbm if rec.planned and rec.ghdlbm else rec.dlbm
        yield _Parcel(pid, code, engine.parcel_areas(pid)[0], area, geom, rec.yncz,
                      table.is_farmland(table.resolve(after)))


class TownshipLimits:
    """The PBF and UGB layers of the township rules, with each parcel's share inside them kept
    between evaluations (a live balance re-evaluates after every edit: only edited parcels, whose
    geometry object changed, are intersected again)."""

    def __init__(self, pbf: Sequence[BaseGeometry] | None, ugb: Sequence[BaseGeometry] | None = None):
        self.has_pbf, self.has_ugb = bool(pbf), ugb is not None
        self.pbf, self.ugb = _Layer(pbf), _Layer(ugb)
        self._shares: dict = {}  # parcel id -> (geometry, area, PBF share, UGB share of its PBF part)

    def shares(self, pid, geom: BaseGeometry, area: float) -> tuple[float, float]:
        """(share of the parcel inside the PBF, share inside both the PBF and the UGB), 0–1."""
        kept = self._shares.get(pid)
        if kept is not None and kept[0] is geom and kept[1] == area:
            return kept[2], kept[3]
        inside = self.pbf.part(geom)
        in_ugb = self.ugb.part(inside) if inside is not None else None
        pbf_share = min(1.0, inside.area / area) if inside is not None else 0.0
        ugb_share = min(1.0, in_ugb.area / area) if in_ugb is not None else 0.0
        self._shares[pid] = (geom, area, pbf_share, ugb_share)
        return pbf_share, ugb_share

    def variables(self, engine: BalanceEngine) -> dict[str, dict[str, float]]:
        """Township code -> its variables (m²), for every township with parcels (see the module docstring)."""
        out: dict[str, dict[str, float]] = {}
        for p in _parcels(engine):
            v = out.setdefault(p.township, dict.fromkeys(TOWNSHIP_VARIABLES, 0.0))
            pbf_share, ugb_share = self.shares(p.pid, p.geom, p.area)
            before = p.tbmj * pbf_share
            v["pbf_before"] += before
            if p.yncz == PBF_OUT:
                v["pbf_out"] += before
                v["pbf_out_ugb"] += p.tbmj * ugb_share
            elif p.yncz == PBF_IN:
                v["pbf_after"] += p.tbmj
                v["pbf_in"] += p.tbmj - before
            elif p.stays_farmland:
                v["pbf_after"] += before
        return dict(sorted(out.items()))

    def evaluate(self, engine: BalanceEngine, reason: str | None | bool = False) -> list[RuleResult]:
        """Every township rule of the engine's pack for every township with PBF (``unit_code`` = township).

        Without a PBF layer there is nothing to judge: no rows. ``reason`` as in ``engine.evaluate``.
        """
        rules = [r for r in engine.pack.rules if r.scope == "township"]
        if not rules or not self.has_pbf:
            return []
        if reason is False:
            reason = engine.not_assessable()
        results = []
        for code, variables in self.variables(engine).items():
            if not variables["pbf_before"] and not variables["pbf_in"]:
                continue  # a township without PBF: the limits do not apply
            for rule in rules:
                # without the UGB layer a rule about it cannot be judged (not a pass by a zero)
                blind = not self.has_ugb and "pbf_out_ugb" in rule.formula.variables
                value = None if blind else rule.formula.evaluate(variables)
                passed = None if reason else rule.passes(value)
                results.append(RuleResult(code, rule.id, value, rule.threshold, passed, rule.severity, reason or None))
        return results


def township_variables(engine: BalanceEngine, pbf: Sequence[BaseGeometry] | None,
                       ugb: Sequence[BaseGeometry] | None = None) -> dict[str, dict[str, float]]:
    """Township code -> its variables (m²), for every township with parcels (see the module docstring)."""
    return TownshipLimits(pbf, ugb).variables(engine)


def evaluate_townships(engine: BalanceEngine, pbf: Sequence[BaseGeometry] | None,
                       ugb: Sequence[BaseGeometry] | None = None,
                       reason: str | None | bool = False) -> list[RuleResult]:
    """Every township rule of the engine's pack for every township, as result rows (``unit_code`` = township).

    Without a PBF layer there is nothing to judge: no rows. ``reason`` as in ``engine.evaluate``.
    """
    return TownshipLimits(pbf, ugb).evaluate(engine, reason)
