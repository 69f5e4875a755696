import pytest
from shapely.geometry import box

from plugin.core.engine import BalanceEngine
from plugin.core.fields import normalize_parcel
from plugin.core.report import indicator_frame, structure_frame, structure_rows


@pytest.fixture
def engine():
    e = BalanceEngine()
    e.build([
        (1, box(0, 0, 100, 100), normalize_parcel({"DLBM": "0103", "TBMJ": 10000, "KCXS": 0.1})),
        (2, box(100, 0, 200, 100), normalize_parcel({"DLBM": "0702", "TBMJ": 10000, "ZZLX": "JS-FK",
                                                      "GHDLBM": "0101"})),
        (3, box(200, 0, 300, 100), normalize_parcel({"DLBM": "0303", "TBMJ": 5000})),
        (4, box(300, 0, 400, 100), normalize_parcel({"DLBM": "1105", "TBMJ": 5000})),
    ], [("u", "U-1", box(0, 0, 400, 100))])
    return e


def test_structure_rows_roll_up_category_group_class(engine):
    rows = structure_rows(engine, "u", chinese=True)
    cats = [(r.name, r.before_m2, r.after_m2) for r in rows if r.level == 0]
    assert cats == [("农用地", 15000.0, 25000.0), ("建设用地", 10000.0, 0.0), ("未利用地", 5000.0, 5000.0),
                    ("Total", 30000.0, 30000.0)]
    # 湿地 appears under 农用地 (0303) and under 未利用地 (1105): two group rows.
    wet = [r for r in rows if r.level == 1 and r.group == "湿地"]
    assert [(r.category, r.before_m2) for r in wet] == [("农用地", 5000.0), ("未利用地", 5000.0)]
    farmland = next(r for r in rows if r.level == 1 and r.group == "耕地")
    assert (farmland.before_m2, farmland.after_m2, farmland.change_m2) == (9000.0, 19000.0, 10000.0)
    codes = [r.code for r in rows if r.level == 2]
    assert codes == ["0303", "0101", "0103", "1203", "0702", "1105"]


def test_structure_frame_converts_to_mu_and_hectares(engine):
    ha = structure_frame(engine, None, "ha", chinese=False)
    total = ha.iloc[-1]
    assert total.iloc[4] == pytest.approx(3.0) and total.iloc[6] == pytest.approx(0.0)
    mu = structure_frame(engine, None, "mu", chinese=False)
    assert mu.iloc[-1].iloc[4] == pytest.approx(45.0)


def test_indicator_frame_has_source_and_verdict(engine):
    df = indicator_frame(engine, "u", chinese=True)
    row = df[df.rule_id == "farmland_gain_ratio"].iloc[0]
    assert row.iloc[1] == pytest.approx(10000 / 9000)
    assert row.iloc[4] == "Met"
    assert "194" in row.iloc[7]


def test_rule_values_in_the_unit_they_are_read_in(engine):
    from plugin.core.report import format_requirement, format_rule_value, rule_number, rule_unit

    pack = engine.pack
    share, area = pack.rule("farmland_gain_ratio"), pack.rule("construction_land_change_m2")
    assert rule_number(share, 0.0512) == pytest.approx(5.12) and rule_unit(share) == "%"
    assert format_rule_value(share, 0.0512) == "5.12%"
    assert format_rule_value(area, -6666.67, "mu", chinese=True) == "-10.00 亩"
    assert format_rule_value(area, 12_345.0, "ha", chinese=False) == "1.2345 ha"
    assert format_rule_value(area, -0.001, "mu", chinese=False) == "0.00 mu"  # never "-0.00"
    assert format_rule_value(area, None) == "—" and format_rule_value(area, None, missing="n/a") == "n/a"
    assert format_requirement(share) == "≥ 5.00%"
    assert format_requirement(area) == "≤ 0"
    # a front end brings its own number format (the dock: the locale's)
    assert format_rule_value(share, 0.05, number=lambda v, d: f"<{v:.{d}f}>") == "<5.00>%"


def test_summary_names_farmland_and_the_three_categories_of_the_land_class_table(engine):
    from plugin.core.report import headline_rows, summary_lines

    assert headline_rows(engine, "u", chinese=True) == [("耕地", 9000.0, 19000.0), ("农用地", 15000.0, 25000.0),
                                                        ("建设用地", 10000.0, 0.0), ("未利用地", 5000.0, 5000.0)]
    lines = summary_lines(engine, chinese=False)
    unit = lines.index("Unit U-1: PASS")
    assert lines[unit + 1].startswith("  Cultivated land: before 13.50 mu (9,000.0 m²), after 28.50 mu")
    assert [line.split(":")[0].strip() for line in lines[unit + 2:unit + 5]] == [
        "Agricultural land", "Construction land", "Unused land"]
    assert "  ✓ Farmland net gain ratio: 111.11% (required ≥ 5.00%)" in lines
    assert lines.index("Whole project: PASS") > unit


def _engines():
    """A passing unit; a failing one next to it; units overlapping each other (not assessable)."""
    yield "pass"
    fail = BalanceEngine()
    fail.build([
        (1, box(0, 0, 100, 100), normalize_parcel({"DLBM": "0103", "TBMJ": 10000, "KCXS": 0.1})),
        (2, box(100, 0, 200, 100), normalize_parcel({"DLBM": "0103", "TBMJ": 10000, "ZZLX": "JS-CJ",
                                                      "GHDLBM": "0702"})),
        (3, box(200, 0, 300, 100), normalize_parcel({"DLBM": "0702", "TBMJ": 5000, "ZZLX": "JS-FK",
                                                      "GHDLBM": "0103"})),
    ], [("a", "A", box(0, 0, 200, 100)), ("b", "B", box(200, 0, 300, 100))])
    yield fail
    overlap = BalanceEngine()
    overlap.build([
        (1, box(0, 0, 100, 100), normalize_parcel({"DLBM": "0103", "TBMJ": 10000})),
        (2, box(100, 0, 200, 100), normalize_parcel({"DLBM": "0702", "TBMJ": 10000, "ZZLX": "JS-FK",
                                                      "GHDLBM": "0103"})),
    ], [("a", "A", box(0, -1, 120, 101)), ("b", "B", box(80, -1, 200, 101))])
    yield overlap


@pytest.mark.parametrize("which", range(3))
def test_summary_gives_each_unit_what_the_engine_says_of_that_unit_alone(engine, which):
    """The summary finds the data's problems once and evaluates each unit once: every unit's block
    must still read as the engine's per-unit answers (verdict, class areas, rule results)."""
    from plugin.core.report import headline_rows, result_line, summary_lines

    e = list(_engines())[which]
    e = engine if e == "pass" else e
    lines = summary_lines(e, chinese=False)
    words = {"pass": "PASS", "fail": "FAIL", "n/a": "n/a", "not_assessable": "NOT ASSESSABLE"}
    verdicts = set()
    for uid in [*e.ordered_units(), None]:
        title = "Whole project" if uid is None else f"Unit {e.unit_code(uid)}"
        start = lines.index(f"{title}: {words[e.verdict(uid)]}")
        verdicts.add(e.verdict(uid))
        failing = [str(e.unit_code(u)) for u in e.ordered_units() if e.verdict(u) == "fail"]
        if uid is None and failing:  # the project's verdict is its totals': the failing units said under it
            assert lines[start + 1] == (f"  The project's totals below; {len(failing)} of {len(e.ordered_units())} "
                                        f"units FAIL: {', '.join(failing)} (each unit must keep the balances)")
            start += 1
        elif uid is None:
            assert "units FAIL" not in lines[start + 1]
        heads = headline_rows(e, uid, chinese=False)
        farmland = next(r for r in structure_rows(e, uid, chinese=False) if r.level == 1 and r.group == heads[0][0])
        assert heads[0][1:] == (farmland.before_m2, farmland.after_m2)
        assert heads[1:] == [(r.name, r.before_m2, r.after_m2) for r in structure_rows(e, uid, chinese=False)[:-1]
                             if r.level == 0]
        assert [line.split(":")[0].strip() for line in lines[start + 1:start + 1 + len(heads)]] == \
            [name for name, _b, _a in heads]
        results = [result_line(e, r, False) for r in e.evaluate(uid)]
        assert lines[start + 1 + len(heads):start + 1 + len(heads) + len(results) + 1] == [*results, ""]
        assert e.unit_status(uid, e.not_assessable()) == e.unit_status(uid)
    assert verdicts == [{"pass"}, {"pass", "fail"}, {"not_assessable"}][which]
