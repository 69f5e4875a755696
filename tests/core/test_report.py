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
