"""The demo's half-finished plan: one function per planning step, run unit by unit.

Every unit but one (chosen at random) gains 6.5–10 % farmland with no new construction land;
the other one stays below 5 % so a viewer sees both states of the main rule. Only parcels
lying wholly inside a unit are tagged. The steps, in order (each draws from the same random
generator in a fixed order, so the same seed gives the same plan):

1. ``build_new_homesteads``   建新 (JS-JX) on non-PBF farmland or vacant land by a hamlet;
2. ``reclaim_and_develop``    拆旧复垦 (JS-FK), reserve land (NY-KF), orchards/forest (NY-HF) …
                              until the unit's farmland target is met;
3. ``keep_ecological_land``   reclaim to forest where the farmland works took 生态用地;
4. ``add_quality_works``      退渔还湿 (ST-SD), 旱改水 (NY-TZ), 高标准农田 (NY-GB);
5. ``move_pbf``               permanent basic farmland out (a fragment) and in (more, better);
6. ``unit_balance``           the farmland and construction balance of every unit.

Remediation types come from ``core.remediation`` (resources/remediation_types.json), the
farmland-after rule from ``core.areas``. Pure (numpy, shapely 2).
"""
from __future__ import annotations

import math
from typing import Any

import numpy as np
import shapely

from ..core.areas import farmland_after, planned_ridge_coefficient
from ..core.remediation import remediation_types
from .classes import is_construction, is_ecological, is_farmland, mask


def _type(linkage: str | None = None, code: str | None = None) -> str:
    """A remediation type code of the bundled table, by its linkage role or checked by code."""
    types = remediation_types()
    if linkage is not None:
        return next(t.code for t in types.values() if t.linkage == linkage)
    if code not in types:
        raise KeyError(f"remediation type {code} is not in resources/remediation_types.json")
    return code


BUILD = _type(linkage="build")  # 增减挂钩建新 (JS-JX)
RECLAIM = _type(linkage="demolish")  # 增减挂钩拆旧复垦 (JS-FK)
DEVELOP, RESTORE, UPGRADE, STANDARD = (_type(code=c) for c in ("NY-KF", "NY-HF", "NY-TZ", "NY-GB"))
MINE, WETLAND = _type(code="ST-KS"), _type(code="ST-SD")
#: quality-only works weigh less when naming the unit's main type
_LIGHT_TYPES = (STANDARD, UPGRADE)


class UnitPlan:
    """One unit's planning state: its parcels (shuffled), the farmland target and cap, the
    farmland gained so far, what is tagged; tags are written into the township's plan columns."""

    def __init__(self, cols: dict, plan: dict, P: np.ndarray, fail: bool, target: float, cap: float,
                 want: int):
        self.cols, self.plan, self.P = cols, plan, P
        self.fail, self.target, self.cap, self.want = fail, target, cap, want
        self.g = 0.0
        self.n_tagged = 0
        self.area_by_type: dict[str, float] = {}
        self.free = np.ones(len(P), dtype=bool)
        self.d = cols["DLBM"][P]
        self.jx_area = 0.0

    def gain(self, i: int, gh: str, ghk: float | None) -> float:
        """Farmland gained by planning parcel ``i`` to class ``gh`` (GHKCXS ``ghk``)."""
        c = self.cols
        after = 0.0
        if is_farmland(gh):
            after = farmland_after(c["TBMJ"][i], planned_ridge_coefficient(ghk, c["KCXS"][i], c["farm"][i]))
        return after - (c["TBDLMJ"][i] if c["farm"][i] else 0.0)

    def tag(self, k: int, t: str, gh: str, ghk: float | None = None) -> None:
        """Tag the unit's ``k``-th parcel with type ``t``, class after ``gh``, GHKCXS ``ghk``."""
        self.n_tagged += 1
        i = int(self.P[k])
        self.plan["ZZLX"][i], self.plan["GHDLBM"][i], self.plan["GHKCXS"][i] = t, gh, ghk
        self.g += self.gain(i, gh, ghk)
        w = 0.3 if t in _LIGHT_TYPES else 1.0
        self.area_by_type[t] = self.area_by_type.get(t, 0.0) + w * float(self.cols["TBMJ"][i])
        self.free[k] = False

    def cands(self, where: np.ndarray) -> np.ndarray:
        """Positions of the untagged parcels where ``where`` holds."""
        return np.nonzero(where & self.free)[0]


def build_new_homesteads(s: UnitPlan) -> None:
    """建新 (new homesteads) on non-PBF farmland or vacant land next to a hamlet."""
    c, P = s.cols, s.P
    jx = s.cands(((c["farm"][P] & ~c["in_pbf"][P]) | (s.d == "1201")) & (c["hamlet"][P] > -0.6))
    if len(jx) and not s.fail:
        k = jx[np.argsort(c["TBMJ"][P[jx]])[len(jx) // 3]]
        s.jx_area = float(c["TBMJ"][P[k]])
        s.tag(int(k), BUILD, "0702")


def reclaim_and_develop(s: UnitPlan) -> None:
    """拆旧复垦, then reserve land, orchards/forest, ponds, facility land, scattered industry.

    First pass: each source type supplies at most a slice of the target (a varied plan);
    second pass: whatever is still missing, in the same order. Reclamation also covers 1.3 ×
    the new homesteads (增减挂钩)."""
    c, d = s.cols, s.d
    sources = [
        (RECLAIM, np.isin(d, ("0702", "1201"))),
        (DEVELOP, np.isin(d, ("0404", "1206"))),
        (RESTORE, np.isin(d, ("0201", "0201K", "0301"))),
        (DEVELOP, np.isin(d, ("1202", "1104K"))),
        (DEVELOP, d == "1104"),
        (RECLAIM, d == "0601"),
    ]
    fk_area = 0.0
    for budget in ((0.55, 0.2, 0.3, 0.1, 0.1, 0.1), (math.inf,) * 6):
        for (t, where), part in zip(sources, budget):
            used = 0.0
            for k in s.cands(where):
                i = int(s.P[k])
                if (s.g >= s.target or used >= part * s.target) and (t != RECLAIM or fk_area >= 1.3 * s.jx_area):
                    break
                if t == RESTORE:
                    gh = "0102" if c["DLBM"][i] == "0301" else "0101"
                else:
                    gh = "0103" if c["hill"][i] > -0.15 else "0101"
                dg = s.gain(i, gh, None)
                if s.g + dg > s.cap:
                    continue
                s.tag(int(k), t, gh)
                used += dg
                if t == RECLAIM:
                    fk_area += float(c["TBMJ"][i])


def keep_ecological_land(s: UnitPlan) -> None:
    """生态用地 must not fall either: where the farmland works took forest, grassland or ponds,
    reclaim homesteads, vacant or industrial land to forest (复垦为林地)."""
    dlbm, tbmj, ghdlbm = s.cols["DLBM"], s.cols["TBMJ"], s.plan["GHDLBM"]
    eco_loss = eco_gain = 0.0
    for i in s.P:
        if s.plan["ZZLX"][i] is not None:
            before, after = is_ecological(str(dlbm[i])), is_ecological(str(ghdlbm[i]))
            eco_loss += float(tbmj[i]) if before and not after else 0.0
            eco_gain += float(tbmj[i]) if after and not before else 0.0
    for k in s.cands(np.isin(s.d, ("0702", "1201", "0601", "0602"))):
        if eco_gain >= 1.05 * eco_loss:
            break
        i = int(s.P[k])
        s.tag(int(k), MINE if dlbm[i] == "0602" else RECLAIM, "0301")
        eco_gain += float(tbmj[i])


def add_quality_works(s: UnitPlan, rng: np.random.Generator) -> None:
    """Fill up with quality works that barely move the balance: ponds back to wetland, dry land
    to paddy, and lower field-ridge coefficients (高标准农田) up to the unit's tag count."""
    c, P = s.cols, s.P
    for k in s.cands(s.d == "1104")[: int(rng.integers(1, 3))]:
        s.tag(int(k), WETLAND, "1102")
    n_tz = max(1, s.want // 8)
    for k in s.cands(s.d == "0103")[:n_tz]:
        s.tag(int(k), UPGRADE, "0101")
    for k in s.cands(c["farm"][P] & (c["KCXS"][P] >= 0.03)):
        if s.n_tagged >= s.want:
            break
        i = int(P[k])
        ghk = round(max(0.01, float(c["KCXS"][i]) - float(rng.choice((0.01, 0.015, 0.02)))), 3)
        if s.g + s.gain(i, str(c["DLBM"][i]), ghk) > s.cap:
            continue
        s.tag(int(k), STANDARD, str(c["DLBM"][i]), ghk)


def move_pbf(s: UnitPlan, rng: np.random.Generator) -> None:
    """PBF in/out: move out a fragment near a hamlet, bring in more and better farmland."""
    c, P, plan = s.cols, s.P, s.plan
    yncz, tbmj = plan["YNCZ"], c["TBMJ"]
    out_area = 0.0
    if not s.fail and rng.random() < 0.7:
        outs = s.cands(c["in_pbf"][P] & (c["hamlet"][P] > -1.0))
        if len(outs):
            k = outs[0]
            yncz[int(P[k])] = "OUT"
            out_area = float(tbmj[P[k]])
    ins_mask = (~c["in_pbf"][P]) & np.array([is_farmland(plan["GHDLBM"][int(i)] or str(c["DLBM"][int(i)]))
                                             and plan["ZZLX"][int(i)] != BUILD and yncz[int(i)] is None
                                             for i in P], dtype=bool)
    in_area, n_in = 0.0, 0
    for k in np.nonzero(ins_mask)[0]:
        if n_in >= 2 and in_area >= 2 * out_area:
            break
        yncz[int(P[k])] = "IN"
        in_area += float(tbmj[P[k]])
        n_in += 1


def _unit_shares(geoms: np.ndarray, unit_geoms: np.ndarray, tree: Any, exact: bool) -> tuple:
    """(unit, parcel, share of the parcel's area inside the unit) for every pair that meets."""
    if exact:
        su, sp = tree.query(unit_geoms, predicate="intersects")
        inter = shapely.area(shapely.intersection(geoms[sp], unit_geoms[su]))
        share = inter / shapely.area(geoms[sp])
        keep = share > 1e-9
        return su[keep], sp[keep], share[keep]
    # units are the (prepared) query side: much faster than points-within-polygons
    su, sp = shapely.STRtree(shapely.centroid(geoms)).query(unit_geoms, predicate="contains")
    return su, sp, np.ones(len(sp))


def plan_township(geoms: np.ndarray, cols: dict, unit_geoms: np.ndarray, tagged_share: float,
                  rng: np.random.Generator, exact: bool) -> dict[str, Any]:
    """Tag a realistic plan on parcels lying wholly inside units: the steps above, unit by unit."""
    n, n_units = len(geoms), len(unit_geoms)
    tree = shapely.STRtree(geoms)
    inside_u, inside_p = tree.query(unit_geoms, predicate="contains")
    pairs = _unit_shares(geoms, unit_geoms, tree, exact)
    su, sp, share = pairs
    f_before = np.bincount(su, weights=share * np.where(cols["farm"], cols["TBDLMJ"], 0.0)[sp], minlength=n_units)
    plan: dict[str, list[Any]] = {k: [None] * n for k in ("ZZLX", "GHDLBM", "GHKCXS", "YNCZ")}
    fail_unit = int(rng.integers(0, n_units)) if n_units > 1 else -1
    order = np.argsort(inside_u, kind="stable")
    inside_u, inside_p = inside_u[order], inside_p[order]
    bounds = np.searchsorted(inside_u, np.arange(n_units + 1))
    unit_type: list[Any] = [None] * n_units
    tagged = 0
    for u in range(n_units):
        P = inside_p[bounds[u]:bounds[u + 1]]
        P = P[rng.permutation(len(P))]
        fail = u == fail_unit
        target = f_before[u] * (rng.uniform(0.01, 0.025) if fail else rng.uniform(0.065, 0.10))
        cap = f_before[u] * 0.04 if fail else math.inf
        s = UnitPlan(cols, plan, P, fail, target, cap, max(4, round(tagged_share * len(P))))
        build_new_homesteads(s)
        reclaim_and_develop(s)
        keep_ecological_land(s)
        add_quality_works(s, rng)
        move_pbf(s, rng)
        tagged += s.n_tagged
        if s.area_by_type:
            unit_type[u] = max(s.area_by_type, key=s.area_by_type.get)
    balance = unit_balance(cols, plan, pairs, f_before)
    return {**plan, "unit_type": unit_type, "balance": balance, "fail_unit": fail_unit, "tagged": tagged}


def unit_balance(cols: dict, plan: dict, pairs: tuple, f_before: np.ndarray) -> list[dict[str, float]]:
    """Farmland and construction land before/after per unit, parcels cut by unit boundaries
    apportioned by area share (the engine's rule, docs/domain.md §6)."""
    su, sp, share = pairs
    n_units = len(f_before)
    dlbm, tbmj, kcxs, farm = cols["DLBM"], cols["TBMJ"], cols["KCXS"], cols["farm"]
    zz = np.array([z is not None for z in plan["ZZLX"]])
    gh_arr = np.array([g if g is not None else str(c) for g, c in zip(plan["GHDLBM"], dlbm)])
    ghk_arr = np.array([planned_ridge_coefficient(k, kcxs[i], farm[i]) for i, k in enumerate(plan["GHKCXS"])])
    after_farm = np.where(mask(gh_arr, is_farmland), farmland_after(tbmj, ghk_arr), 0.0)
    after_farm = np.where(zz, after_farm, np.where(farm, cols["TBDLMJ"], 0.0))
    c_after = mask(gh_arr, is_construction)
    f_after = np.bincount(su, weights=share * after_farm[sp], minlength=n_units)
    cb = np.bincount(su, weights=share * np.where(cols["is_c"], tbmj, 0.0)[sp], minlength=n_units)
    ca = np.bincount(su, weights=share * np.where(c_after, tbmj, 0.0)[sp], minlength=n_units)
    return [{"farmland_before": float(f_before[u]), "farmland_after": float(f_after[u]),
             "farmland_gain": float((f_after[u] - f_before[u]) / f_before[u]) if f_before[u] else 0.0,
             "construction_before": float(cb[u]), "construction_after": float(ca[u])}
            for u in range(n_units)]
