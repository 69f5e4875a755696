"""田坎 of new farmland by slope grade (docs/domain.md §6): hand-computed with a calculator.

The coefficients below are a test pack's (0.08 for 坡地 at grade 3, 0.20 at grade 5), not any
province's: the bundled Jiangsu and Zhejiang tables are still to be filled by the bureau.
"""
import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from shapely.geometry import box

from plugin.core.engine import BalanceEngine
from plugin.core.fields import normalize_parcel
from plugin.core.rules import RulePackError, load_pack
from plugin.core.validation import sanitised_warnings

TABLE = {"status": "filled", "source": "test", "default_gdlx": "PD",
         "table": {"PD": {"2": 0.03, "3": 0.08, "4": 0.12, "5": 0.20},
                   "TT": {"2": 0.05, "3": 0.10, "4": 0.15, "5": 0.25}}}


@pytest.fixture
def pack(tmp_path):
    path = tmp_path / "hilly.json"
    path.write_text(json.dumps({"id": "hilly", "extends": "national", "ridge_coefficients": TABLE}), encoding="utf-8")
    return load_pack(path)


def reclaimed(**kw):
    """A 1 000 m² 农村宅基地 reclaimed to 旱地 (JS-FK → 0103)."""
    values = {"DLBM": "0702", "TBMJ": 1000, "ZZLX": "JS-FK", "GHDLBM": "0103"}
    values.update({k.upper(): v for k, v in kw.items()})
    return normalize_parcel(values)


def after(pack, rec):
    e = BalanceEngine(pack=pack)
    e.build([(1, box(0, 0, 40, 25), rec)], [("u", "U", box(-1, -1, 41, 26))])
    return {k: round(a, 6) for k, (_b, a) in e.class_areas("u").items() if a}


def test_reclaimed_dry_land_takes_the_province_coefficient_at_grades_3_and_5(pack):
    assert after(pack, reclaimed(gdpdjb="3", gdlx="PD")) == {"0103": 920.0, "1203": 80.0}
    assert after(pack, reclaimed(gdpdjb=5, gdlx="PD")) == {"0103": 800.0, "1203": 200.0}
    assert after(pack, reclaimed(gdpdjb="5", gdlx="TT")) == {"0103": 750.0, "1203": 250.0}
    # no GDLX: the pack's default type (坡地)
    assert after(pack, reclaimed(gdpdjb="3")) == {"0103": 920.0, "1203": 80.0}


def test_the_planner_s_ghkcxs_wins(pack):
    assert after(pack, reclaimed(gdpdjb="5", gdlx="PD", ghkcxs=0.05)) == {"0103": 950.0, "1203": 50.0}
    assert after(pack, reclaimed(gdpdjb="5", gdlx="PD", ghkcxs=0)) == {"0103": 1000.0}


def test_flat_parcel_takes_zero_and_a_parcel_without_grade_too(pack):
    assert after(pack, reclaimed(gdpdjb="1", gdlx="PD")) == {"0103": 1000.0}
    assert after(pack, reclaimed()) == {"0103": 1000.0}


def test_the_planner_is_told_which_new_farmland_has_no_grade():
    issues = []
    normalize_parcel({"DLBM": "0702", "TBMJ": 1000, "ZZLX": "JS-FK", "GHDLBM": "0103"}, issues=issues)
    assert issues == ["NEW_FARMLAND_NO_GRADE"]
    (text,) = sanitised_warnings(None, None, {"NEW_FARMLAND_NO_GRADE": [4]})
    assert "GDPDJB" in text and "GHKCXS" in text and text.startswith("1 parcels")
    for values in ({"GDPDJB": "3"}, {"GHKCXS": 0.1}, {"GHDLBM": "0301"}, {"DLBM": "0103"}):
        issues = []
        normalize_parcel({"DLBM": "0702", "TBMJ": 1000, "ZZLX": "JS-FK", "GHDLBM": "0103", **values}, issues=issues)
        assert issues == [], values


def test_farmland_that_stays_farmland_keeps_its_surveyed_kcxs(pack):
    rec = normalize_parcel({"DLBM": "0103", "TBMJ": 1000, "KCXS": 0.1, "GDPDJB": "5", "ZZLX": "NY-TZ",
                            "GHDLBM": "0101"})
    assert after(pack, rec) == {"0101": 900.0, "1203": 100.0}


def test_without_a_table_new_farmland_takes_zero_as_before():
    assert after(load_pack("national"), reclaimed(gdpdjb="5", gdlx="PD")) == {"0103": 1000.0}


@pytest.mark.parametrize("pack_id", ["jiangsu", "zhejiang"])
def test_province_packs_carry_a_table_or_say_what_is_missing(pack_id):
    table = load_pack(pack_id).ridges
    assert table is not None
    assert table.filled or (table.missing_reason(True) and table.missing_reason(False))
    if not table.filled:  # nothing invented: a table still to be filled changes nothing
        assert after(load_pack(pack_id), reclaimed(gdpdjb="5", gdlx="PD")) == {"0103": 1000.0}


def test_live_edit_of_the_grade_equals_a_rebuild(pack):
    e = BalanceEngine(pack=pack)
    e.build([(1, box(0, 0, 40, 25), reclaimed(gdpdjb="2"))], [("u", "U", box(-1, -1, 41, 26))])
    e.update_parcel_attributes(1, reclaimed(gdpdjb="4", gdlx="TT"))
    fresh = BalanceEngine(pack=pack)
    fresh.build([(1, box(0, 0, 40, 25), reclaimed(gdpdjb="4", gdlx="TT"))], [("u", "U", box(-1, -1, 41, 26))])
    assert e.fingerprint() == fresh.fingerprint()
    assert e.class_areas("u")["1203"] == (0.0, pytest.approx(150.0))


@pytest.mark.parametrize("bad, where", [
    ({"table": {"XX": {"3": 0.1}}}, "ridge_coefficients.table.XX"),
    ({"table": {"PD": {"1": 0.1}}}, "ridge_coefficients.table.PD.1"),
    ({"table": {"PD": {"3": 1.5}}}, "ridge_coefficients.table.PD.3"),
    ({"status": "done"}, "ridge_coefficients.status"),
])
def test_a_broken_table_names_its_place(tmp_path, bad, where):
    path = tmp_path / "bad.json"
    path.write_text(json.dumps({"id": "bad", "extends": "national", "ridge_coefficients": bad}), encoding="utf-8")
    with pytest.raises(RulePackError) as err:
        load_pack(path)
    assert where in str(err.value)


@st.composite
def plan_records(draw):
    return normalize_parcel({
        "DLBM": draw(st.sampled_from(["0702", "0103", "0301", "1201"])), "TBMJ": draw(st.floats(10, 2000)),
        "KCXS": draw(st.sampled_from([None, 0.05])), "ZZLX": draw(st.sampled_from([None, "JS-FK", "NY-KF"])),
        "GHDLBM": draw(st.sampled_from([None, "0103", "0101", "0301"])),
        "GHKCXS": draw(st.sampled_from([None, 0.02])), "GDPDJB": draw(st.sampled_from([None, "1", "2", "3", 5])),
        "GDLX": draw(st.sampled_from([None, "TT", "PD", "XX"])),
    })


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(first=st.lists(plan_records(), min_size=4, max_size=4),
       edits=st.lists(st.tuples(st.integers(0, 3), plan_records()), min_size=1, max_size=12))
def test_live_edits_with_a_table_equal_a_rebuild(pack, first, edits):
    geoms = [box(i * 10, 0, i * 10 + 10, 10) for i in range(4)]
    units = [("a", "A", box(-1, -1, 21, 11)), ("b", "B", box(15, -1, 41, 11))]
    live = BalanceEngine(pack=pack)
    live.build([(i, geoms[i], r) for i, r in enumerate(first)], units)
    state = dict(enumerate(first))
    for i, rec in edits:
        live.update_parcel_attributes(i, rec)
        state[i] = rec
    fresh = BalanceEngine(pack=pack)
    fresh.build([(i, geoms[i], r) for i, r in state.items()], units)
    assert live.fingerprint() == fresh.fingerprint()
