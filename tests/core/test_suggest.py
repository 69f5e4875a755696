"""Suggestions (达标建议): hand-computed cases a planner can check with a calculator, and the demo."""
from __future__ import annotations

import pytest
from shapely.geometry import box

from plugin.core.engine import BalanceEngine
from plugin.core.fields import normalize_parcel
from plugin.core.remediation import remediation_types
from plugin.core.rules import bundled_pack, parse_pack
from plugin.core.suggest import preview, suggest, tagged
from plugin.core.suggest_settings import SuggestSettings
from plugin.core.suggest_solve import min_cost_cover


def rec(**kw):
    return normalize_parcel({k.upper(): v for k, v in kw.items()})


def strip(x0: float, area: float, width: float = 100.0, y0: float = 0.0):
    """A parcel ``width`` m deep starting at x0 with the given area (m²)."""
    return box(x0, y0, x0 + area / width, y0 + width)


def engine_of(parcels, pack=None):
    e = BalanceEngine(pack=pack)
    e.build(parcels, [("u", "U1", box(-1e4, -1e4, 1e5, 1e5))])
    return e


def farmland_and(candidates, farmland_m2=200_000.0, extra=()):
    """A unit of farmland (0101, no 田坎) far from bare-land candidates (1206) of the given areas."""
    parcels = [(0, strip(-3000, farmland_m2, 200), rec(dlbm="0101", tbmj=farmland_m2))]
    x = 0.0
    for i, area in enumerate(candidates, start=1):
        parcels.append((i, strip(x, area), rec(dlbm="1206", tbmj=area)))
        x += area / 100 + 10  # 10 m apart: not touching each other
    return engine_of(parcels + list(extra))


def test_greedy_by_size_is_not_optimal_the_plan_is():
    # 200 000 m² farmland: 5 % needs 10 000 m² new farmland. Bare land 9 000, 5 000, 5 000, 4 000 m²
    # (NY-KF → 0103 brings each in whole). Fewest parcels: 2 (no single parcel reaches 10 000).
    # Largest first would take 9 000 + 5 000 = 14 000 m²; the plan is 5 000 + 5 000 = 10 000 m².
    e = farmland_and([9000, 5000, 5000, 4000])
    s = suggest(e, "u")
    assert s.rule_id == "farmland_gain_ratio" and s.value_before == 0.0
    assert sorted(c.pid for c in s.plan) == [2, 3]
    assert sum(c.area_m2 for c in s.plan) == 10000
    assert s.reached and s.exact and s.proven and s.value_after == pytest.approx(0.05)
    assert {(c.zzlx, c.ghdlbm) for c in s.plan} == {("NY-KF", "0103")}
    assert [c.pid for c in s.others] == [1, 4]


def test_objective_least_area_is_read_from_the_pack():
    # need 10 000 m²: one parcel of 10 500 m², or three of 3 400 + 3 300 + 3 300 = 10 000 m².
    e = farmland_and([10500, 3400, 3300, 3300])
    assert [c.pid for c in suggest(e, "u").plan] == [1]
    data = {**_national_json(), "suggest": {"objective": "least_area"}}
    s = suggest(e, "u", settings=SuggestSettings.from_pack(parse_pack(data)))
    assert sorted(c.pid for c in s.plan) == [2, 3, 4] and s.exact


def _national_json():
    import json

    with open(bundled_pack("national").path, encoding="utf-8") as f:
        return json.load(f)


def test_tie_breaks_adjacent_farmland_then_slope_in_the_packs_order():
    # need 10 000 m²; three bare-land parcels of 10 000 m²: one touches the farmland, two do not;
    # of those, one is grade 1 (flat), the other grade 5.
    farm = (0, box(0, 0, 1000, 200), rec(dlbm="0101", tbmj=200_000))
    touching = (1, box(1000, 0, 1100, 100), rec(dlbm="1206", tbmj=10_000, gdpdjb="5"))
    far_flat = (2, box(5000, 0, 5100, 100), rec(dlbm="1206", tbmj=10_000, gdpdjb="1"))
    far_steep = (3, box(7000, 0, 7100, 100), rec(dlbm="1206", tbmj=10_000, gdpdjb="5"))
    e = engine_of([farm, far_steep, far_flat, touching])
    s = suggest(e, "u")
    assert [c.pid for c in s.plan] == [1] and s.plan[0].adjacent
    assert [c.pid for c in s.others] == [2, 3]  # equal gain per m²: the flat one first
    slope_first = SuggestSettings(tie_breaks=("slope", "adjacent_farmland"))
    assert [c.pid for c in suggest(e, "u", settings=slope_first).plan] == [2]


def test_no_feasible_plan_says_so_with_the_largest_reachable_value():
    # only 4 000 + 2 000 m² of bare land for a 10 000 m² need: at most 6 000 / 200 000 = 3 %.
    e = farmland_and([4000, 2000])
    s = suggest(e, "u")
    assert not s.reached and not s.plan
    assert s.best_value == pytest.approx(0.03)
    assert sorted(c.pid for c in s.others) == [1, 2]


def test_red_line_tagged_pbf_and_disallowed_classes_are_never_candidates():
    # 1: in the red line; 2: already tagged; 3: 0702 homestead (JS-FK allowed → candidate);
    # 4: 1003 highway (no move allows it); 5: bare land moved out of PBF (YNCZ set).
    e = farmland_and([3000], extra=[
        (2, box(-500, 500, -450, 560), rec(dlbm="1206", tbmj=3000, zzlx="NY-KF", ghdlbm="0103")),
        (3, box(-700, 500, -650, 560), rec(dlbm="0702", tbmj=3000)),
        (4, box(-900, 500, -850, 560), rec(dlbm="1003", tbmj=3000)),
        (5, box(-1100, 500, -1050, 560), rec(dlbm="1206", tbmj=3000, yncz="OUT")),
    ])
    red = [box(-5, -5, 40, 120)]  # covers parcel 1 (0..30 × 0..100)
    s = suggest(e, "u", red_line=red)
    ids = {c.pid for c in s.ranked}
    assert ids == {3} and s.red_line_checked
    c = s.ranked[0]
    t = remediation_types()[c.zzlx]
    assert c.zzlx == "JS-FK" and t.allows_source(c.dlbm) and t.allows(c.ghdlbm)
    assert {c.pid for c in suggest(e, "u").ranked} == {1, 3}  # without a red line, parcel 1 counts


def test_a_move_that_breaks_another_rule_alone_is_left_out():
    # ecological land: 0404 grassland is ecological; turning it into farmland makes 生态用地变化 < 0,
    # which passes (0) now. Bare land 1206 is not ecological and is taken instead.
    parcels = [(0, strip(-3000, 200_000, 200), rec(dlbm="0101", tbmj=200_000)),
               (1, strip(0, 12_000), rec(dlbm="0404", tbmj=12_000)),
               (2, strip(200, 10_000), rec(dlbm="1206", tbmj=10_000))]
    s = suggest(engine_of(parcels), "u")
    assert [c.pid for c in s.plan] == [2] and [c.pid for c in s.others] == []


def test_moves_fine_alone_but_not_together_fall_back_to_greedy_and_say_so():
    # farmland 32 000 m² → need 1 600 m². A homestead 0702 of 1 000 m² already reclaimed to forest
    # (JS-FK → 0301): 生态用地 +1 000 m². Grassland 0404 of 800 m² (twice): each alone keeps
    # 生态用地 at +200, together −600 (fails). The exact optimum {800, 800} breaks it together, so
    # the plan falls back to greedy: one 800 grassland + the 900 m² bare land = 1 700 m².
    parcels = [(0, strip(-3000, 32_000, 200), rec(dlbm="0101", tbmj=32_000)),
               (1, strip(0, 800), rec(dlbm="0404", tbmj=800)),
               (2, strip(100, 800), rec(dlbm="0404", tbmj=800)),
               (3, strip(200, 900), rec(dlbm="1206", tbmj=900)),
               (4, strip(300, 1000), rec(dlbm="0702", tbmj=1000, zzlx="JS-FK", ghdlbm="0301"))]
    e = engine_of(parcels)
    s = suggest(e, "u")
    assert s.reached and not s.exact and not s.proven
    assert sorted(c.pid for c in s.plan) == [1, 3]
    results, _ = preview(e, "u", s.plan)
    by_id = {r.rule_id: r for r in results}
    assert by_id["farmland_gain_ratio"].value == pytest.approx(1700 / 32000)
    assert by_id["ecological_land_change_m2"].value == pytest.approx(200) and by_id["ecological_land_change_m2"].passed


def test_a_passing_unit_needs_nothing():
    e = farmland_and([3000], extra=[(9, strip(3000, 12_000), rec(dlbm="1206", tbmj=12_000, zzlx="NY-KF",
                                                                    ghdlbm="0103"))])
    s = suggest(e, "u")
    assert s.rule_id is None and s.reached and s.plan == [] and s.others == []
    s = suggest(e, "u", rule_id="farmland_gain_ratio")  # 12 000 / 200 000 = 6 % already
    assert s.reached and s.plan == [] and s.value_before == pytest.approx(0.06)


def test_knapsack_finds_sets_that_really_reach_the_need():
    costs = __import__("numpy").array([1, 1, 1], dtype="int64")
    assert min_cost_cover([0.5, 0.5, 0.2], costs, 1.0) == ([0, 1], True)
    assert min_cost_cover([0.3, 0.3, 0.3], costs, 1.0) == (None, False)
    assert min_cost_cover([0.3], costs[:1], 0.0) == ([], True)
    # 27 + 13 + 24 = 64 reaches 64 exactly; rounded down to 64 / 10 000 steps it would fall short
    # (4 218 + 2 031 + 3 750 = 9 999 steps): the rounding up proves it instead
    costs = __import__("numpy").array([3, 2, 2, 2], dtype="int64")
    assert min_cost_cover([17.0, 27.0, 13.0, 24.0], costs, 64.0) == ([1, 2, 3], True)
    # in 10 steps of 0.1: rounded up, 0.451 + 0.451 looks enough (5 + 5) but is not (0.902): the
    # rounding down then takes all three (4 + 4 + 2 steps, truly 1.102), not proven the best
    costs = __import__("numpy").array([1, 1, 5], dtype="int64")
    assert min_cost_cover([0.451, 0.451, 0.2], costs, 1.0, buckets=10) == ([0, 1, 2], False)


# --------------------------------------------------------------------------- the demo township
@pytest.fixture(scope="module")
def demo_engine():
    from plugin.demo import generate_township

    demo = generate_township(3500, seed=42)
    dltb, units = demo["DLTB"], demo["ZZDY"]
    names = list(dltb.columns)
    rows = zip(*(dltb.columns[n] for n in names))
    parcels = [(i, g, normalize_parcel(dict(zip(names, row)))) for i, (g, row) in enumerate(zip(dltb.geometries, rows))]
    rebuild = [(i, g, r) for i, g, r in parcels]
    e = BalanceEngine()
    unit_rows = [(i, code, g) for i, (code, g) in enumerate(zip(units.columns["DYBH"], units.geometries))]
    e.build(parcels, unit_rows)
    return e, demo, rebuild, unit_rows


def test_demo_failing_unit_reaches_five_percent_and_breaks_nothing(demo_engine):
    e, demo, rebuild, unit_rows = demo_engine
    failing = [u for u in e.unit_ids() if e.unit_status(u) is False]
    assert len(failing) == 1
    uid = failing[0]
    before = {r.rule_id: r for r in e.evaluate(uid)}
    assert before["farmland_gain_ratio"].value == pytest.approx(0.0256, abs=5e-5)  # the 2.56 % of the demo
    state = e.fingerprint()
    red = list(demo["STBHHX"].geometries)
    s = suggest(e, uid, red_line=red)
    assert e.fingerprint() == state  # tag-and-revert left nothing behind
    assert s.reached and s.exact and s.proven and s.plan
    # fewest parcels: the len(plan) - 1 largest gains of all candidates do not close the gap
    gains = sorted((c.gain for c in s.ranked), reverse=True)
    need = 0.05 - s.value_before
    assert sum(gains[:len(s.plan) - 1]) < need <= sum(c.gain for c in s.plan) + 1e-12
    results, _ = preview(e, uid, s.plan)
    after = {r.rule_id: r for r in results}
    assert after["farmland_gain_ratio"].passed and after["farmland_gain_ratio"].value >= 0.05
    for rid, r in before.items():
        if r.passed:
            assert after[rid].passed, rid  # no other rule breaks
    for c in s.ranked:
        t = remediation_types()[c.zzlx]
        assert t.allows_source(c.dlbm, e.table.resolve(c.dlbm)) and t.allows(c.ghdlbm)
        assert not any(e.parcel_geometry(c.pid).intersection(r).area > 1.0 for r in red)
    # the preview equals a full rebuild with the plan tagged
    plan = {c.pid: c for c in s.plan}
    tagged_parcels = [(i, g, normalize_parcel({"DLBM": r.dlbm, "TBMJ": r.tbmj, "KCXS": r.kcxs, "KCMJ": r.kcmj,
                                                 "KCDLBM": r.kcdlbm, "TBDLMJ": r.tbdlmj, "BSM": r.bsm,
                                                 "ZZLX": plan[i].zzlx, "GHDLBM": plan[i].ghdlbm}) if i in plan else r)
                      for i, g, r in rebuild]
    fresh = BalanceEngine()
    fresh.build(tagged_parcels, unit_rows)
    with tagged(e, [(c.pid, c.zzlx, c.ghdlbm) for c in s.plan]):
        assert e.fingerprint() == fresh.fingerprint()
    assert [(r.rule_id, r.value) for r in fresh.evaluate(uid)] == [(r.rule_id, r.value) for r in results]


def test_values_of_the_top_k_follow_the_ranking_and_leave_the_engine_as_it_was():
    # 9 000, 5 000, 5 000, 4 000 m² over 200 000 m²: plan 5 000 + 5 000, then 9 000, then 4 000.
    from plugin.core.suggest import values_top_k

    e = farmland_and([9000, 5000, 5000, 4000])
    state = e.fingerprint()
    s = suggest(e, "u")
    assert values_top_k(e, s) == pytest.approx([0.025, 0.05, 0.095, 0.115])
    assert e.fingerprint() == state


def test_the_packs_suggest_section_is_checked_with_every_problem_named(tmp_path):
    import json

    from plugin.core.rules import RulePackError, load_pack

    path = tmp_path / "bureau.json"
    path.write_text(json.dumps({"id": "bureau", "extends": "national", "suggest": {
        "objective": "cheapest", "moves": [{"type": "NY-KF"}], "tie_breaks": ["colour"], "area_step_m2": 0}}),
        encoding="utf-8")
    with pytest.raises(RulePackError) as err:
        load_pack(path)
    for where in ("suggest.objective", "suggest.moves[0].to", "suggest.tie_breaks", "suggest.area_step_m2"):
        assert where in str(err.value), where
    path.write_text(json.dumps({"id": "bureau", "extends": "national", "suggest": {"objective": "least_area"}}),
                    encoding="utf-8")
    bureau = SuggestSettings.from_pack(load_pack(path))
    national = SuggestSettings.from_pack(bundled_pack("national"))
    assert bureau.objective == "least_area" and bureau.moves == national.moves  # the rest from national
    assert national.objective == "fewest_parcels" and ("NY-KF", "0103") in national.moves


def test_knapsack_equals_brute_force_on_random_small_cases():
    # every subset of up to 9 parcels tried: a proven plan has the least (count, area) that reaches the
    # need; an unproven one still reaches it and is never better than the optimum.
    import itertools
    import random

    from plugin.core.suggest_solve import lexicographic_costs

    rng = random.Random(13)
    seen_proven = feasible = 0
    for _ in range(200):
        n = rng.randint(1, 9)
        gains = [float(rng.randint(1, 40)) for _ in range(n)]
        areas = [rng.randint(1, 60) for _ in range(n)]
        need = float(rng.randint(1, 120))
        costs, _bits = lexicographic_costs([[1] * n, areas])
        best = None
        for k in range(n + 1):
            for subset in itertools.combinations(range(n), k):
                if sum(gains[i] for i in subset) >= need:
                    key = (k, sum(areas[i] for i in subset))
                    best = key if best is None or key < best else best
        got, proven = min_cost_cover(gains, costs, need)
        if best is None:
            assert got is None
        else:
            assert got is not None and sum(gains[i] for i in got) >= need
            assert (len(got), sum(areas[i] for i in got)) == best if proven else \
                (len(got), sum(areas[i] for i in got)) >= best
            feasible += 1
            seen_proven += proven
    # whole-number gains and needs ≤ 120: rounding up adds less than 9 steps of 120 / 10 000, never a
    # whole m², so the set found by rounding up always truly reaches the need: every plan is proven
    assert feasible > 100 and seen_proven == feasible
