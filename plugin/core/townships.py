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

from functools import lru_cache
from typing import Sequence

import numpy as np
import shapely
from shapely.geometry.base import BaseGeometry

from .areas import survey_terms
from .engine import BalanceEngine, RuleResult
from .fields import PBF_IN, PBF_OUT
from .rules import TOWNSHIP_VARIABLES

TOWNSHIP_DIGITS = 9


@lru_cache(maxsize=4096, typed=True)  # a township's parcels share a few hundred ZLDWDM values
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
        inside = shapely.intersection(geom, hits[0] if len(hits) == 1 else shapely.union_all(hits))
        return None if inside.is_empty else inside

    def share(self, geom: BaseGeometry, area: float) -> float:
        """The share of ``geom`` (of area ``area``) inside the layer, 0–1: 1 when one polygon covers it."""
        if self.tree is None or geom is None:
            return 0.0
        hits = self.tree.query(geom, predicate="intersects")
        if any(shapely.covers(self.geoms[i], geom) for i in hits.tolist()):
            return 1.0
        inside = self.part(geom)
        return min(1.0, inside.area / area) if inside is not None else 0.0

    def shares(self, geoms: np.ndarray, areas: np.ndarray) -> np.ndarray:
        """:meth:`share` of many geometries at once (the same numbers): covered ones in bulk."""
        out = np.zeros(len(geoms))
        if self.tree is None or not len(geoms):
            return out
        tree = shapely.STRtree(geoms)
        layer = np.empty(len(self.geoms), dtype=object)
        layer[:] = self.geoms
        li, gi = tree.query(layer, predicate="intersects")
        covered = shapely.covers(layer[li], geoms[gi])
        whole = np.unique(gi[covered])
        out[whole] = 1.0
        for k in np.setdiff1d(np.unique(gi), whole).tolist():
            inside = self.part(geoms[k])
            out[k] = min(1.0, inside.area / areas[k]) if inside is not None else 0.0
        return out


_VARS = ("pbf_before", "pbf_after", "pbf_out", "pbf_in", "pbf_out_ugb")
assert set(_VARS) == set(TOWNSHIP_VARIABLES)
SCALE = 1_000_000  # per-parcel terms in integer µm², so sums kept across edits equal a fresh sum exactly


def _scaled(value: float) -> int:
    return round(value * SCALE)


class TownshipLimits:
    """The PBF and UGB layers of the township rules, with each parcel's terms kept between
    evaluations: a live balance re-evaluates after every edit, and only the edited parcels (given to
    :meth:`update`) are read and intersected again; a new engine is read in full once."""

    def __init__(self, pbf: Sequence[BaseGeometry] | None, ugb: Sequence[BaseGeometry] | None = None,
                 engine_pbf: bool = False):
        """``engine_pbf``: ``pbf`` is the PBF layer the engine was built with, so each parcel's share in
        it is the engine's own (``parcel_pbf_share``), not intersected again."""
        self.has_pbf, self.has_ugb = bool(pbf), ugb is not None
        self.engine_pbf = engine_pbf
        self.pbf, self.ugb = _Layer(pbf), _Layer(ugb)
        self._engine = None  # the engine the kept terms are of
        self._terms: dict = {}  # parcel id -> (township, BSM, (µm² per _VARS))
        self._sums: dict = {}  # township -> [parcel count, µm² per _VARS]
        self._bsm_of: dict = {}  # parcel id -> its BSM when last read (every parcel, counted or not)
        self._shadows: set = set()  # the engine's identical copies when last read

    def shares(self, geom: BaseGeometry, area: float) -> tuple[float, float]:
        """(share of the parcel inside the PBF, share inside both the PBF and the UGB), 0–1."""
        pbf_share = self.pbf.share(geom, area)
        return pbf_share, self._ugb_share(geom, area, pbf_share)

    def _ugb_share(self, geom: BaseGeometry, area: float, pbf_share: float) -> float:
        if not pbf_share or self.ugb.tree is None:
            return 0.0
        inside = geom if pbf_share == 1.0 else self.pbf.part(geom)
        in_ugb = self.ugb.part(inside) if inside is not None else None
        return min(1.0, in_ugb.area / area) if in_ugb is not None else 0.0

    def _located(self, engine: BalanceEngine, pid) -> tuple | None:
        """(record, township, None, area) of a parcel that counts in a township, else None.

        Identical copies of a parcel count nowhere, as in the balance. Every parcel's BSM is noted,
        counted or not: when it goes, the other pieces of its survey parcel are read again."""
        rec = engine.parcel_record(pid)
        if rec.bsm is not None:
            self._bsm_of[pid] = rec.bsm
        code = township_of(rec.zldwdm)
        if code is None or pid in engine.shadows:
            return None
        area = engine.parcel_measured_area(pid)  # 0 without a geometry
        if not area > 0:
            return None
        return rec, code, None, area  # the geometry is read when it is needed (_geometry)

    def _term(self, engine: BalanceEngine, pid, located: tuple | None = None, pbf_share: float | None = None):
        """(township, BSM, µm² per _VARS) of one parcel; None when it counts in no township."""
        located = located or self._located(engine, pid)
        if located is None:
            return None
        rec, code, _geom, area = located
        table = engine.table
        after = rec.ghdlbm if rec.planned and rec.ghdlbm else rec.dlbm
        # engine.parcel_areas(pid)[0] from the record and area read already (one read of each per parcel)
        tbmj = survey_terms(rec.tbmj, rec.kcmj, rec.tbdlmj, area)[0]
        if pbf_share is None:
            pbf_share = self._engine_share(engine, pid)
        if pbf_share is None:
            pbf_share = self.pbf.share(engine.parcel_geometry(pid), area)
        ugb_share = self._ugb_share(engine.parcel_geometry(pid), area, pbf_share) if rec.yncz == PBF_OUT else 0.0
        before = tbmj * pbf_share
        v = dict.fromkeys(_VARS, 0.0)
        v["pbf_before"] = before
        if rec.yncz == PBF_OUT:
            v["pbf_out"] = before
            v["pbf_out_ugb"] = tbmj * ugb_share
        elif rec.yncz == PBF_IN:
            v["pbf_after"] = tbmj
            v["pbf_in"] = tbmj - before
        elif table.is_farmland(table.resolve(after)):
            v["pbf_after"] = before
        return code, rec.bsm, tuple(_scaled(v[k]) for k in _VARS)

    def _engine_share(self, engine: BalanceEngine, pid) -> float | None:
        """The engine's PBF share of a parcel when it has one to give (not for its identical copies)."""
        if not self.engine_pbf or pid in engine.shadows:
            return None
        return engine.parcel_pbf_share(pid)

    def _add(self, pid, term: tuple | None, sign: int) -> None:
        if term is None:
            return
        code, _bsm, values = term
        sums = self._sums.setdefault(code, [0] * (1 + len(_VARS)))
        sums[0] += sign
        for k, x in enumerate(values, start=1):
            sums[k] += sign * x
        if not sums[0]:
            del self._sums[code]

    def _read_all(self, engine: BalanceEngine) -> None:
        self._engine, self._terms, self._sums, self._bsm_of = engine, {}, {}, {}
        self._shadows = set(engine.shadows)
        pids, located = [], []
        for pid in engine.parcel_ids():
            where = self._located(engine, pid)
            if where is not None:
                pids.append(pid)
                located.append(where)
        known = [self._engine_share(engine, pid) for pid in pids]
        ask = [k for k, v in enumerate(known) if v is None]
        geoms = np.empty(len(ask), dtype=object)
        geoms[:] = [engine.parcel_geometry(pids[k]) for k in ask]
        for k, v in zip(ask, self.pbf.shares(geoms, np.array([located[k][3] for k in ask], dtype=float)).tolist()):
            known[k] = v
        for pid, where, share in zip(pids, located, known):
            term = self._term(engine, pid, where, share)
            self._terms[pid] = term
            self._add(pid, term, +1)

    def update(self, engine: BalanceEngine, parcels) -> None:
        """The parcels ``parcels`` were edited (added, changed or deleted) in ``engine``: read them again,
        with the other pieces of their survey parcel (a split shares its TBMJ among them)."""
        if engine is not self._engine:
            return  # another engine: read in full when next asked
        dirty = set(parcels)
        shadows = set(engine.shadows)
        dirty.update(shadows ^ self._shadows)  # copies that became, or stopped being, copies
        self._shadows = shadows
        for pid in list(dirty):
            bsms = {self._bsm_of.pop(pid, None)}
            if engine.has_parcel(pid):
                bsms.add(engine.parcel_record(pid).bsm)
            for bsm in bsms - {None}:
                dirty.update(engine.pieces(bsm))
        for pid in dirty:
            self._add(pid, self._terms.pop(pid, None), -1)
            term = self._term(engine, pid) if engine.has_parcel(pid) else None
            if term is not None:
                self._terms[pid] = term
                self._add(pid, term, +1)

    def set_ugb(self, ugb: Sequence[BaseGeometry] | None, engine: BalanceEngine | None = None) -> None:
        """The urban growth boundary was edited: the parcels of ``engine`` whose terms depend on it
        (PBF moved out) are read again; the others keep theirs."""
        self.has_ugb, self.ugb = ugb is not None, _Layer(ugb)
        if engine is None or engine is not self._engine:
            return  # read in full when next asked
        self.update(engine, [pid for pid in self._terms
                             if engine.has_parcel(pid) and engine.parcel_record(pid).yncz == PBF_OUT])

    def variables(self, engine: BalanceEngine) -> dict[str, dict[str, float]]:
        """Township code -> its variables (m²), for every township with parcels (see the module docstring)."""
        if engine is not self._engine:
            self._read_all(engine)
        return {code: {k: sums[i] / SCALE for i, k in enumerate(_VARS, start=1)}
                for code, sums in sorted(self._sums.items())}

    def evaluate(self, engine: BalanceEngine, reason: str | None | bool = False) -> list[RuleResult]:
        """Every township rule of the engine's pack for every township with PBF (``unit_code`` = township).

        Without a PBF layer there is nothing to judge: no rows. ``reason`` as in ``engine.evaluate``.
        """
        if not self.has_pbf or not any(r.scope == "township" for r in engine.pack.rules):
            return []
        return evaluate_variables(engine, self.variables(engine), self.has_ugb, reason)


def evaluate_variables(engine: BalanceEngine, variables: dict[str, dict[str, float]], has_ugb: bool,
                       reason: str | None | bool = False) -> list[RuleResult]:
    """The township rules of the engine's pack on township variables computed elsewhere (here, or
    by the database: ``balance --in-database``); ``has_ugb``: whether the UGB layer was given."""
    rules = [r for r in engine.pack.rules if r.scope == "township"]
    if not rules:
        return []
    if reason is False:
        reason = engine.not_assessable()
    results = []
    for code, values in variables.items():
        if not values["pbf_before"] and not values["pbf_in"]:
            continue  # a township without PBF: the limits do not apply
        for rule in rules:
            # without the UGB layer a rule about it cannot be judged (not a pass by a zero)
            blind = not has_ugb and "pbf_out_ugb" in rule.formula.variables
            value = None if blind else rule.formula.evaluate(values)
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
