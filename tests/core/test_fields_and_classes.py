import pytest

from plugin.core.areas import MU_M2, convert
from plugin.core.fields import normalize_parcel, resolve_parcel_fields
from plugin.core.landclasses import UNKNOWN, default_table


def test_mu_is_exactly_one_fifteenth_of_a_hectare():
    assert MU_M2 * 15 == 10_000
    assert convert(10_000, "mu") == pytest.approx(15)
    assert convert(10_000, "ha") == 1


def test_lower_case_fields_are_matched():
    fm = resolve_parcel_fields(["fid", "dlbm", "tbmj", "kcxs", "zzlx"])
    assert fm.parcels["DLBM"] == "dlbm" and fm.parcels["TBMJ"] == "tbmj"
    assert fm.plan["ZZLX"] == "zzlx" and fm.plan["GHDLBM"] is None
    assert fm.missing_required() == []
    assert resolve_parcel_fields(["name"]).missing_required() == ["DLBM"]


def test_override_maps_a_bureau_specific_field():
    fm = resolve_parcel_fields(["DLDM_2020", "MJ"], overrides={"DLBM": "DLDM_2020", "TBMJ": "mj"})
    assert fm.parcels["DLBM"] == "DLDM_2020" and fm.parcels["TBMJ"] == "MJ"


def test_missing_derived_areas_are_filled():
    r = normalize_parcel({"DLBM": "0103", "TBMJ": 1000.0, "KCXS": 0.1})
    assert r.kcmj == pytest.approx(100) and r.tbdlmj == pytest.approx(900) and r.kcdlbm == "1203"
    r = normalize_parcel({"DLBM": "0103", "TBMJ": 1000.0, "KCMJ": 50})
    assert r.kcxs == pytest.approx(0.05) and r.tbdlmj == pytest.approx(950)


def test_tbmj_in_mu_is_converted_to_square_metres():
    r = normalize_parcel({"DLBM": "0101", "TBMJ": 1.5, "KCMJ": 0.15}, tbmj_in_mu=True)
    assert r.tbmj == pytest.approx(1000) and r.kcmj == pytest.approx(100) and r.tbdlmj == pytest.approx(900)


def test_blank_and_null_text_become_none_and_pbf_actions_in_chinese():
    r = normalize_parcel({"DLBM": " 0101 ", "ZZLX": "", "GHDLBM": "NULL", "YNCZ": "调出", "TBMJ": "12.5"})
    assert r.dlbm == "0101" and r.zzlx is None and r.ghdlbm is None and r.yncz == "OUT" and r.tbmj == 12.5
    assert not r.planned


def test_land_class_resolution():
    t = default_table()
    assert t.resolve("0201K") == "0201"
    assert t.resolve("1104A") == "1104"
    assert t.resolve("0101") == "0101"
    assert t.resolve("05H1") == "05H1"
    assert t.resolve("13xx") == UNKNOWN and t.resolve(None) == UNKNOWN
    assert t.get("0404").category_zh == "未利用地"
    assert t.get("1006").category_zh == "农用地"
    assert len(t.classes) == 56


def test_variant_names_as_written_in_dlmc():
    t = default_table()
    assert t.name_zh("0101") == "水田"
    assert t.name_zh("1104A") == "养殖坑塘"  # a named variant: its own name
    assert t.name_zh("0201K") == "果园（即可恢复）"  # a suffix: the base's name with the suffix's wording
    assert t.name_zh("0199") == "" and t.name_zh("13xx") == ""


def test_farmland_after_the_plan():
    """docs/domain.md §6 'After': GHKCXS when planned, else the parcel's own 田坎 when it was farmland."""
    from plugin.core.areas import farmland_after, planned_ridge_coefficient

    assert planned_ridge_coefficient(0.02, 0.081, True) == 0.02
    assert planned_ridge_coefficient(None, 0.081, True) == 0.081
    assert planned_ridge_coefficient(None, None, True, kcmj=50.0, tbmj=1000.0) == 0.05
    assert planned_ridge_coefficient(None, 0.081, False) == 0.0  # new farmland: no ridge unless planned
    assert planned_ridge_coefficient(None, None, True) == 0.0
    assert farmland_after(1000.0, 0.05) == pytest.approx(950.0)
