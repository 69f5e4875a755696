"""Hand-computed balances a planner could check with a calculator."""
import pytest
from shapely.geometry import MultiPolygon, Polygon, box

from plugin.core.engine import PROJECT, BalanceEngine
from plugin.core.fields import normalize_parcel


def rec(**kw):
    return normalize_parcel({k.upper(): v for k, v in kw.items()})


def build(parcels, units, pbf=None, pack=None):
    e = BalanceEngine(pack=pack)
    e.build(parcels, units, pbf=pbf)
    return e


def areas(e, uid):
    return {k: (round(b, 6), round(a, 6)) for k, (b, a) in e.class_areas(uid).items()}


def test_parcel_split_by_two_units_is_apportioned_by_area_share():
    # 100 m x 100 m parcel, TBMJ 10 000 m², 30 % in unit A and 70 % in unit B.
    e = build([(1, box(0, 0, 100, 100), rec(dlbm="0103", tbmj=10000))],
              [("a", "A", box(-10, -10, 30, 110)), ("b", "B", box(30, -10, 110, 110))])
    assert areas(e, "a") == {"0103": (3000.0, 3000.0)}
    assert areas(e, "b") == {"0103": (7000.0, 7000.0)}
    assert areas(e, None) == {"0103": (10000.0, 10000.0)}


def test_tbmj_is_authoritative_not_the_geometry_area():
    # The geometry measures 10 000 m² but the survey says 9 990 m²: half of 9 990 goes in.
    e = build([(1, box(0, 0, 100, 100), rec(dlbm="0101", tbmj=9990))], [("a", "A", box(0, 0, 50, 100))])
    assert areas(e, "a") == {"0101": (4995.0, 4995.0)}


def test_multipolygon_parcel_half_inside():
    mp = MultiPolygon([box(0, 0, 10, 10), box(20, 0, 30, 10)])
    e = build([(1, mp, rec(dlbm="0301", tbmj=200))], [("u", "U", box(-1, -1, 15, 11))])
    assert areas(e, "u") == {"0301": (100.0, 100.0)}


def test_unit_with_hole_excludes_the_hole():
    unit = Polygon([(0, 0), (100, 0), (100, 100), (0, 100)], [[(25, 25), (75, 25), (75, 75), (25, 75)]])
    e = build([(1, box(0, 0, 100, 100), rec(dlbm="0102", tbmj=10000))], [("u", "U", unit)])
    assert areas(e, "u") == {"0102": (7500.0, 7500.0)}


def test_ridge_deduction_before_and_after():
    # 0103 with KCXS 0.1 → 9 000 m² 0103 + 1 000 m² 1203; upgraded to 0101 with GHKCXS 0.05.
    e = build([(1, box(0, 0, 100, 100), rec(dlbm="0103", tbmj=10000, kcxs=0.1, zzlx="NY-TZ", ghdlbm="0101",
                                            ghkcxs=0.05))], [("u", "U", box(0, 0, 100, 100))])
    assert areas(e, "u") == {"0101": (0.0, 9500.0), "0103": (9000.0, 0.0), "1203": (1000.0, 500.0)}
    v = e.variables("u")
    assert v["farmland_before"] == pytest.approx(9000)
    assert v["farmland_after"] == pytest.approx(9500)


def test_default_after_deduction_keeps_kcxs_on_farmland_and_zero_elsewhere():
    e = build([
        (1, box(0, 0, 100, 100), rec(dlbm="0103", tbmj=10000, kcxs=0.1, zzlx="NY-TZ", ghdlbm="0101")),
        (2, box(100, 0, 200, 100), rec(dlbm="0702", tbmj=10000, zzlx="JS-FK", ghdlbm="0103")),
    ], [("u", "U", box(0, 0, 200, 100))])
    assert areas(e, "u") == {"0101": (0.0, 9000.0), "0103": (9000.0, 10000.0), "0702": (10000.0, 0.0),
                             "1203": (1000.0, 1000.0)}


def test_farmland_to_construction_takes_whole_tbmj_including_ridges():
    e = build([(1, box(0, 0, 100, 100), rec(dlbm="0103", tbmj=10000, kcxs=0.1, zzlx="JS-JX", ghdlbm="0702"))],
              [("u", "U", box(0, 0, 100, 100))])
    assert areas(e, "u") == {"0103": (9000.0, 0.0), "0702": (0.0, 10000.0), "1203": (1000.0, 0.0)}
    v = e.variables("u")
    assert v["linkage_build"] == pytest.approx(10000)
    assert v["linkage_build_farmland"] == pytest.approx(9000)
    assert v["construction_change"] == pytest.approx(10000)


def test_retag_then_untag_returns_exactly_to_the_start():
    parcels = [(1, box(0, 0, 100, 100), rec(dlbm="0103", tbmj=10000, kcxs=0.07))]
    e = build(parcels, [("u", "U", box(0, 0, 60, 100))])
    start = e.fingerprint()
    e.update_parcel_attributes(1, rec(dlbm="0103", tbmj=10000, kcxs=0.07, zzlx="NY-TZ", ghdlbm="0101"))
    assert areas(e, "u")["0101"][1] == pytest.approx(6000 * 0.93)
    e.update_parcel_attributes(1, rec(dlbm="0103", tbmj=10000, kcxs=0.07, zzlx="JS-JX", ghdlbm="0601"))
    assert areas(e, "u")["0601"][1] == pytest.approx(6000)
    e.update_parcel_attributes(1, rec(dlbm="0103", tbmj=10000, kcxs=0.07))
    assert e.fingerprint() == start


def test_k_and_a_codes_count_with_their_base_class():
    e = build([(1, box(0, 0, 10, 10), rec(dlbm="0201K", tbmj=100)),
               (2, box(10, 0, 20, 10), rec(dlbm="1104A", tbmj=100))], [("u", "U", box(0, 0, 20, 10))])
    assert areas(e, "u") == {"0201": (100.0, 100.0), "1104": (100.0, 100.0)}
    assert not e.warnings()


def test_unknown_code_is_counted_and_reported_never_dropped():
    e = build([(1, box(0, 0, 10, 10), rec(dlbm="9999", tbmj=100)),
               (2, box(10, 0, 20, 10), rec(dlbm=None, tbmj=50))], [("u", "U", box(0, 0, 20, 10))])
    assert areas(e, "u") == {"unknown": (150.0, 150.0)}
    (warning,) = e.warnings()
    assert "9999" in warning and "NULL" in warning


def test_null_tbmj_uses_geometry_area_and_is_reported():
    e = build([(1, box(0, 0, 10, 10), rec(dlbm="0101", tbmj=None))], [("u", "U", box(0, 0, 10, 10))])
    assert areas(e, "u") == {"0101": (100.0, 100.0)}
    assert any("TBMJ" in w for w in e.warnings())


def test_empty_geometry_contributes_nothing_and_is_reported():
    e = build([(1, Polygon(), rec(dlbm="0101", tbmj=100)), (2, None, rec(dlbm="0101", tbmj=100)),
               (3, box(0, 0, 10, 10), rec(dlbm="0101", tbmj=100))], [("u", "U", box(0, 0, 10, 10))])
    assert areas(e, "u") == {"0101": (100.0, 100.0)}
    assert any("2 parcels have no usable geometry" in w for w in e.warnings())


def test_invalid_bowtie_geometry_does_not_crash():
    bowtie = Polygon([(0, 0), (10, 10), (10, 0), (0, 10)])
    e = build([(1, bowtie, rec(dlbm="0101", tbmj=50))], [("u", "U", box(0, 0, 10, 10))])
    assert areas(e, "u") == {"0101": (50.0, 50.0)}


def test_parcel_touching_unit_only_on_the_edge_is_not_in_it():
    e = build([(1, box(10, 0, 20, 10), rec(dlbm="0101", tbmj=100))], [("u", "U", box(0, 0, 10, 10))])
    assert areas(e, "u") == {}
    assert e.unit_parcel_ids("u") == set()


def test_pbf_moved_out_and_brought_in():
    parcels = [
        (1, box(0, 0, 100, 100), rec(dlbm="0101", tbmj=10000, yncz="OUT", zzlx="JS-JX", ghdlbm="0702")),
        (2, box(100, 0, 200, 100), rec(dlbm="0101", tbmj=10000)),
        (3, box(200, 0, 300, 100), rec(dlbm="0103", tbmj=10000, yncz="调入")),
    ]
    pbf = [box(0, 0, 200, 100)]
    e = build(parcels, [("u", "U", box(0, 0, 300, 100))], pbf=pbf)
    v = e.variables("u")
    assert v["pbf_before"] == pytest.approx(20000)
    assert v["pbf_out"] == pytest.approx(10000)
    assert v["pbf_in"] == pytest.approx(10000)
    assert v["pbf_after"] == pytest.approx(20000)
    by_id = {r.rule_id: r for r in e.evaluate("u")}
    assert by_id["pbf_gain_ratio"].value == pytest.approx(0.0)
    assert by_id["pbf_gain_ratio"].passed is False


def test_pbf_partly_over_a_parcel_cut_by_a_unit():
    # PBF covers the left 40 m of the parcel; the unit takes the left 50 m: PBF share 40 %.
    e = build([(1, box(0, 0, 100, 100), rec(dlbm="0101", tbmj=10000))], [("u", "U", box(0, 0, 50, 100))],
              pbf=[box(-5, -5, 40, 105)])
    assert e.variables("u")["pbf_before"] == pytest.approx(4000)


def test_indicators_national_pack_pass_and_fail():
    parcels = [
        (1, box(0, 0, 100, 100), rec(dlbm="0103", tbmj=10000)),
        (2, box(100, 0, 110, 100), rec(dlbm="0702", tbmj=1000, zzlx="JS-FK", ghdlbm="0103")),
        (3, box(200, 0, 300, 100), rec(dlbm="0103", tbmj=10000)),
        (4, box(300, 0, 302, 100), rec(dlbm="1206", tbmj=200, zzlx="NY-KF", ghdlbm="0103")),
    ]
    e = build(parcels, [("a", "A", box(0, 0, 150, 100)), ("b", "B", box(200, 0, 350, 100))])
    res = {(r.unit_code, r.rule_id): r for r in e.indicator_rows()}
    assert res[("A", "farmland_gain_ratio")].value == pytest.approx(0.1)
    assert res[("A", "farmland_gain_ratio")].passed is True
    assert res[("B", "farmland_gain_ratio")].value == pytest.approx(0.02)
    assert res[("B", "farmland_gain_ratio")].passed is False
    assert res[(PROJECT, "farmland_gain_ratio")].value == pytest.approx(0.06)
    assert e.unit_status("a") is True and e.unit_status("b") is False
    frame = e.balance_frame()
    assert list(frame.columns) == ["unit_code", "dlbm", "area_before_m2", "area_after_m2"]
    star = frame[frame.unit_code == PROJECT].set_index("dlbm")
    assert star.loc["0103", "area_after_m2"] == pytest.approx(21200)


def test_reshaping_a_unit_moves_only_the_parcels_it_crosses():
    parcels = [(i, box(i * 10, 0, i * 10 + 10, 10), rec(dlbm="0101", tbmj=100)) for i in range(10)]
    e = build(parcels, [("u", "U", box(0, 0, 50, 10))])
    assert areas(e, "u") == {"0101": (500.0, 500.0)}
    e.upsert_unit("u", "U", box(0, 0, 75, 10))
    assert areas(e, "u") == {"0101": (750.0, 750.0)}
    e.remove_unit("u")
    assert e.project == {}


def test_public_read_api_matches_the_balance():
    """What a front end reads through the public API adds up to the unit's balance."""
    from shapely.geometry import box

    from plugin.core.engine import BalanceEngine
    from plugin.core.fields import ParcelRecord

    eng = BalanceEngine()
    unit = box(0, 0, 100, 100)
    eng.build(
        [("a", box(0, 0, 50, 100), ParcelRecord(dlbm="0103", tbmj=5000.0, kcmj=500.0)),
         ("b", box(50, 0, 150, 100), ParcelRecord(dlbm="0301", tbmj=None))],
        [("u", "U1", unit)])
    assert eng.parcel_count() == 2 and set(eng.parcel_ids()) == {"a", "b"}
    assert eng.unit_ids() == ["u"] and eng.has_unit("u") and not eng.has_parcel("zz")
    assert eng.unit_parcel_ids("u") == frozenset({"a", "b"})
    assert eng.parcel_areas("a") == (5000.0, 500.0, 4500.0)
    assert eng.parcel_areas("b") == (10000.0, 0.0, 10000.0)  # no TBMJ: the measured area
    (uid, share, _pbf), = eng.parcel_shares("b")
    assert uid == "u" and abs(share - 0.5) < 1e-12
    total = sum(eng.parcel_areas(p)[0] * s for p in eng.unit_parcel_ids("u") for u, s, _ in eng.parcel_shares(p))
    before = sum(b for b, _a in eng.class_areas("u").values())
    assert abs(total - before) < 1e-6
