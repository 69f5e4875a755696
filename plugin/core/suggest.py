"""Suggestions (整治潜力 / 达标建议): which parcels to tag so that a failing unit passes.

For a unit that fails a rule, every untagged parcel of the unit is tried with the moves of the
pack's ``suggest`` section (remediation type + class after) that the type allows from the
parcel's class before; each trial tags the parcel in the engine, reads the balance of every
unit it lies in and of the project through the public read API, and tags it back (the engine's
incremental updates equal a rebuild, so nothing is left behind). A candidate must move the
failing rule towards its threshold, lie outside the ecological red line, not reduce PBF and
break no other rule. The plan is the set of least cost (objective and tie-breaks of the pack)
that closes the gap: exact by dynamic programming (``suggest_solve``), then checked on the
summed balances; see docs/suggestions.md for what is guaranteed.
"""
from __future__ import annotations

from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Hashable, Iterable, Mapping, Sequence

import numpy as np
import shapely

from .engine import BalanceEngine
from .fields import ParcelRecord
from .remediation import remediation_types
from .suggest_settings import SuggestSettings
from .suggest_solve import best_cover, lexicographic_costs

_EPS = 1e-9
_SIGN = {">=": 1.0, ">": 1.0, "<=": -1.0, "<": -1.0}


@dataclass(frozen=True)
class Candidate:
    """One parcel and the move proposed for it."""

    pid: Hashable
    zzlx: str  # remediation type
    ghdlbm: str  # class after
    dlbm: str | None  # class before, as surveyed
    area_m2: float  # TBMJ of the whole parcel: the area whose class changes
    gain: float  # how far the failing rule's value moves towards its threshold
    adjacent: bool  # lies within the pack's tolerance of farmland
    slope: int | None  # GDPDJB where present
    deltas: dict = field(default_factory=dict, repr=False, compare=False)  # scope -> variable changes


@dataclass
class Suggestion:
    unit_code: str
    uid: Hashable
    rule_id: str | None  # the rule to close; None when the unit fails nothing
    value_before: float | None
    threshold: float | None
    plan: list[Candidate]  # the suggested set, ranked
    others: list[Candidate]  # further candidates, ranked after it
    value_after: float | None  # the rule's value with the plan tagged
    reached: bool  # the plan makes the rule pass
    exact: bool  # the plan is the optimum (False: the greedy fall-back of docs/suggestions.md)
    best_value: float | None = None  # no plan: the largest value the candidates reach together
    red_line_checked: bool = False
    proven: bool = False  # exact and proven optimal (else optimal up to rounding the gains to gap / 10 000)

    @property
    def ranked(self) -> list[Candidate]:
        return self.plan + self.others


def tagged_record(raw: ParcelRecord, zzlx: str, ghdlbm: str) -> ParcelRecord:
    """``raw`` with remediation type and class after set (the deduction after left to its default)."""
    values = dict(zip(ParcelRecord.__slots__, raw.as_tuple()))
    values.update(zzlx=zzlx, ghdlbm=ghdlbm)
    return ParcelRecord(**values)


@contextmanager
def tagged(engine: BalanceEngine, moves: Iterable[tuple[Hashable, str, str]]):
    """Tag ``(pid, type, class after)`` in the engine for the ``with`` block, then tag back exactly.

    Yields ``add(pid, type, class after)`` to tag more parcels inside the block (also tagged back).
    """
    done: list[tuple[Hashable, ParcelRecord]] = []

    def add(pid: Hashable, zzlx: str, ghdlbm: str) -> None:
        raw = engine.raw_record(pid)
        engine.update_parcel_attributes(pid, tagged_record(raw, zzlx, ghdlbm))
        done.append((pid, raw))

    try:
        for move in moves:
            add(*move)
        yield add
    finally:
        for pid, raw in reversed(done):
            engine.update_parcel_attributes(pid, raw)


class _Judge:
    """Rule values of the scopes (units, None = project) from variable vectors: base + changes."""

    def __init__(self, engine: BalanceEngine):
        self.engine = engine
        self.names = engine.pack.variable_names()
        self.base: dict = {}
        self.base_values: dict = {}

    def vector(self, scope) -> np.ndarray:
        v = self.engine.variables(scope)
        return np.array([v.get(n, 0.0) for n in self.names])

    def rules(self, scope):
        return [r for r in self.engine.pack.rules if r.applies_to(scope is None)]

    def values(self, scope, vec: np.ndarray) -> list:
        variables = dict(zip(self.names, vec.tolist()))
        return [r.formula.evaluate(variables) for r in self.rules(scope)]

    def remember(self, scope) -> np.ndarray:
        if scope not in self.base:
            self.base[scope] = self.vector(scope)
            self.base_values[scope] = self.values(scope, self.base[scope])
        return self.base[scope]

    def ok(self, sums: Mapping, skip: tuple) -> bool:
        """No rule that passes now fails, and no failing rule gets worse (``skip``: the target)."""
        for scope, delta in sums.items():
            new = self.values(scope, self.base[scope] + delta)
            for rule, old, value in zip(self.rules(scope), self.base_values[scope], new):
                if (scope, rule.id) == skip or rule.op not in _SIGN:
                    continue
                if old is not None and value is None:
                    return False
                if rule.passes(old) and not rule.passes(value):
                    return False
                if old is not None and rule.passes(old) is False and _SIGN[rule.op] * (value - old) < -_EPS:
                    return False
        return True


def _target(engine: BalanceEngine, uid, rule_id: str | None):
    results = engine.evaluate(uid, reason=None)
    if rule_id is None:
        failing = [r for r in results if r.passed is False and r.severity == "error"] or \
                  [r for r in results if r.passed is False]
        return failing[0] if failing else None
    hits = [r for r in results if r.rule_id == rule_id]
    if not hits:
        raise KeyError(rule_id)
    return hits[0]


def _trial(engine: BalanceEngine, judge: _Judge, pid, zzlx: str, ghdlbm: str, scopes: list) -> dict:
    with tagged(engine, [(pid, zzlx, ghdlbm)]):
        return {s: judge.vector(s) - judge.base[s] for s in scopes}


def _near_farmland(engine: BalanceEngine, pids: Sequence, unit_pids: Iterable, tolerance: float) -> set:
    """Candidates within ``tolerance`` of a parcel of the unit that is farmland after the plan."""
    table = engine.table
    farm = []
    for q in unit_pids:
        rec = engine.raw_record(q)
        after = table.resolve(rec.ghdlbm) if rec.ghdlbm else table.resolve(rec.dlbm)
        geom = engine.parcel_geometry(q)
        if geom is not None and table.is_farmland(after):
            farm.append(geom)
    if not farm or not pids:
        return set()
    geoms = [engine.parcel_geometry(p) for p in pids]
    hit, _ = shapely.STRtree(farm).query(geoms, predicate="dwithin", distance=tolerance)
    return {pids[i] for i in set(hit.tolist())}


def _grade(value) -> int | None:
    try:
        return int(str(value).strip()) if value is not None and str(value).strip() else None
    except ValueError:
        return None


def candidates(engine: BalanceEngine, uid, rule, settings: SuggestSettings, judge: _Judge,
               red_line: Sequence | None = None) -> list[Candidate]:
    """Every parcel of the unit with its best allowed move (largest gain) that breaks no rule."""
    table, types = engine.table, remediation_types()
    sign = _SIGN[engine.pack.rule(rule.rule_id).op]
    ipbf = judge.names.index("pbf_after")
    red = shapely.union_all(list(red_line)) if red_line else None
    if red is not None:
        shapely.prepare(red)
    unit_pids = sorted(engine.unit_parcel_ids(uid), key=str)
    found: dict = {}
    for pid in unit_pids:
        rec = engine.raw_record(pid)
        geom = engine.parcel_geometry(pid)
        if rec.planned or rec.yncz or geom is None:
            continue
        if red is not None and red.intersects(geom) and \
                shapely.intersection(geom, red).area > settings.red_line_tolerance_m2:
            continue
        before = table.resolve(rec.dlbm)
        scopes = [s for s, *_ in engine.parcel_shares(pid)] + [None]
        for s in scopes:
            judge.remember(s)
        for zzlx, to in settings.moves:
            t = types.get(zzlx)
            if t is None or not (t.allows_source(rec.dlbm, before) and t.allows(to)) or table.resolve(to) == before:
                continue
            deltas = _trial(engine, judge, pid, zzlx, to, scopes)
            value = judge.values(uid, judge.base[uid] + deltas[uid])[_rule_index(judge, uid, rule.rule_id)]
            gain = sign * (value - rule.value) if value is not None and rule.value is not None else 0.0
            if gain <= _EPS or any(d[ipbf] < -_EPS for d in deltas.values()):
                continue
            if not judge.ok(deltas, (uid, rule.rule_id)):
                continue
            if pid not in found or gain > found[pid][0]:
                found[pid] = (gain, zzlx, to, deltas, rec)
        if len(found) >= settings.max_candidates:
            break
    near = _near_farmland(engine, list(found), unit_pids, settings.adjacency_tolerance_m)
    return [Candidate(pid, zzlx, to, rec.dlbm, engine.parcel_areas(pid)[0], gain, pid in near,
                      _grade(rec.gdpdjb), deltas)
            for pid, (gain, zzlx, to, deltas, rec) in found.items()]


def _rule_index(judge: _Judge, scope, rule_id: str) -> int:
    return [r.id for r in judge.rules(scope)].index(rule_id)


def _costs(cands: Sequence[Candidate], settings: SuggestSettings) -> np.ndarray:
    """One integer per candidate ordering sums by the objective, then the tie-breaks (suggest_solve)."""
    step = settings.area_step_m2 or 1.0
    while True:
        area = [max(0, round(c.area_m2 / step)) for c in cands]
        ones = [1] * len(cands)
        criteria = [ones, area] if settings.objective == "fewest_parcels" else [area, ones]
        for tie in settings.tie_breaks:
            if tie == "adjacent_farmland":
                criteria.append([0 if c.adjacent else 1 for c in cands])
            elif tie == "slope":
                criteria.append([max(0, (c.slope if c.slope is not None else settings.slope_missing_grade) - 1)
                                 for c in cands])
        packed = lexicographic_costs(criteria)
        if packed is not None:
            return packed[0]
        step *= 2  # too many bits: compare areas in coarser steps


def _sums(chosen: Iterable[Candidate]) -> dict:
    out: dict = {}
    for c in chosen:
        for s, d in c.deltas.items():
            out[s] = out[s] + d if s in out else d.copy()
    return out


def _target_value(judge: _Judge, uid, rule_id: str, chosen: Sequence[Candidate]):
    delta = _sums(chosen).get(uid, 0.0)
    return judge.values(uid, judge.base[uid] + delta)[_rule_index(judge, uid, rule_id)]


def _greedy(judge: _Judge, uid, rule, cands: Sequence[Candidate], stop: bool) -> list[Candidate]:
    """Add candidates by gain per m² while no other rule breaks; ``stop`` once the rule passes."""
    chosen: list[Candidate] = []
    target = judge.engine.pack.rule(rule.rule_id)
    for c in sorted(cands, key=lambda c: (-c.gain / max(c.area_m2, _EPS), str(c.pid))):
        trial = [*chosen, c]
        if judge.ok(_sums(trial), (uid, rule.rule_id)):
            chosen = trial
            if stop and target.passes(_target_value(judge, uid, rule.rule_id, chosen)):
                break
    return chosen


def suggest(engine: BalanceEngine, uid, rule_id: str | None = None, red_line: Sequence | None = None,
            settings: SuggestSettings | None = None) -> Suggestion:
    """Suggestions for unit ``uid`` to pass ``rule_id`` (default: its first failing error rule)."""
    settings = settings or SuggestSettings.from_pack(engine.pack)
    code = engine.unit_code(uid)
    rule = _target(engine, uid, rule_id)
    if rule is None or rule.passed is not False:
        return Suggestion(code, uid, rule.rule_id if rule else None, rule.value if rule else None,
                          rule.threshold if rule else None, [], [], rule.value if rule else None, True, True,
                          red_line_checked=red_line is not None, proven=True)
    target = engine.pack.rule(rule.rule_id)
    if target.op not in _SIGN or rule.value is None:
        raise ValueError(rule.rule_id)
    judge = _Judge(engine)
    judge.remember(uid)
    judge.remember(None)
    cands = candidates(engine, uid, rule, settings, judge, red_line)
    need = _SIGN[target.op] * (target.threshold - rule.value) + (_EPS if target.op in (">", "<") else 0.0)
    costs = _costs(cands, settings)
    picked, proven = best_cover([c.gain for c in cands], costs, need)
    exact = picked is not None
    plan = [cands[i] for i in picked] if picked is not None else []
    if exact and not (target.passes(_target_value(judge, uid, rule.rule_id, plan))
                      and judge.ok(_sums(plan), (uid, rule.rule_id))):
        exact = False  # the optimum breaks another rule together (docs/suggestions.md): greedy instead
    if not exact:
        plan = _greedy(judge, uid, rule, cands, stop=True)
    value = _target_value(judge, uid, rule.rule_id, plan)
    reached = bool(target.passes(value))
    cost = dict(zip((c.pid for c in cands), costs.tolist()))
    plan.sort(key=lambda c: (-c.gain, cost[c.pid], str(c.pid)))
    chosen = {c.pid for c in plan}
    others = sorted((c for c in cands if c.pid not in chosen),
                    key=lambda c: (-c.gain, cost[c.pid], str(c.pid)))
    best = None
    if not reached:
        best = _target_value(judge, uid, rule.rule_id, _greedy(judge, uid, rule, cands, stop=False))
        best = max(best, value) if best is not None and value is not None else best if best is not None else value
    return Suggestion(code, uid, rule.rule_id, rule.value, target.threshold, plan if reached else [], others
                      if reached else plan + others, value, reached, exact and reached, best,
                      red_line is not None, proven and exact and reached)


def moves(cands: Iterable[Candidate]) -> list[tuple[Hashable, str, str]]:
    return [(c.pid, c.zzlx, c.ghdlbm) for c in cands]


def values_top_k(engine: BalanceEngine, s: Suggestion) -> list:
    """The rule's value as if the top k of ``s.ranked`` were tagged, k = 1 … n (tagged one by one, then back)."""
    out = []
    with tagged(engine, []) as add:
        for c in s.ranked:
            add(c.pid, c.zzlx, c.ghdlbm)
            out.append(next((r.value for r in engine.evaluate(s.uid, reason=None) if r.rule_id == s.rule_id), None))
    return out


def preview(engine: BalanceEngine, uid, cands: Sequence[Candidate]):
    """(rule results, class areas) of the unit as if ``cands`` were tagged; the engine is left as it was."""
    with tagged(engine, moves(cands)):
        return engine.evaluate(uid), engine.class_areas(uid)


__all__ = ["Candidate", "SuggestSettings", "Suggestion", "candidates", "moves", "preview", "suggest",
           "tagged", "tagged_record", "values_top_k"]
