"""二调 codes, working codes and the three categories of edge classes (docs/domain.md §4)."""
import csv

import pytest

from plugin.core.fields import normalize_parcel
from plugin.core.landclasses import default_table
from plugin.core.legacy_codes import erdiao_table, legacy
from plugin.core.resources import resource_path
from plugin.core.validation import sanitised_warnings


def read(**kw):
    issues = []
    rec = normalize_parcel({k.upper(): v for k, v in kw.items()}, issues=issues)
    return rec, issues


def test_every_mapped_class_exists_and_pairs_that_split_are_flagged():
    table = default_table()
    for entry in erdiao_table().values():
        for code in ((entry.target,) if entry.target else ()) + entry.alternatives:
            assert table.is_known(code), (entry.code, code)
    assert not legacy("031").one_to_one and legacy("031").alternatives == ("0302", "0303", "0304")
    assert legacy("011").one_to_one and legacy("011").target == "0101"
    assert legacy("201").target is None  # 城镇: no single 三调 class


def test_erdiao_record_is_read_as_the_survey_counts_it():
    # 二调 TBDLMJ = TBMJ − TKMJ − XZDWMJ − LXDWMJ: 1 000 − 50 − 30 − 20 = 900
    rec, issues = read(dlbm="012", tbmj=1000, kcmj=50, xzdwmj=30, lxdwmj=20)
    assert (rec.dlbm, rec.kcmj, rec.tbdlmj) == ("0102", 50, 900)
    assert issues == ["2D:"]
    rec, issues = read(dlbm="032K", tbmj=100)
    assert rec.dlbm == "0305" and issues == ["2D:032"]
    text = sanitised_warnings(None, None, {"2D:032": [7], "2D:": [1, 2]})
    assert any("032" in t and "0306" in t and "not one-to-one" in t for t in text)


def test_a_number_that_lost_its_leading_zero_is_not_read_as_erdiao():
    rec, issues = read(dlbm=101, tbmj=100)  # 0101 written as a number, not 二调 101 铁路用地
    assert rec.dlbm == "101" and not default_table().is_known(rec.dlbm) and issues == []


def test_working_codes_are_counted_or_reported_with_their_base():
    assert default_table().resolve("08H2A") == "08H2"
    rec, issues = read(dlbm="0702B", tbmj=100)
    assert issues == ["WC:0702B"] and not default_table().is_known("0702B")
    (text,) = sanitised_warnings(None, None, {"WC:0702B": [5]})
    assert "0702" in text and "农村宅基地" in text and "land_class_variants.csv" in text


@pytest.mark.parametrize("code, category", [
    ("1103", "农用地"), ("1104", "农用地"), ("1107", "农用地"), ("1006", "农用地"), ("1202", "农用地"),
    ("1203", "农用地"), ("0603", "建设用地"), ("1109", "建设用地"), ("1201", "建设用地"),
    ("0404", "未利用地"), ("1101", "未利用地"), ("1105", "未利用地"), ("1108", "未利用地"), ("1110", "未利用地"),
])
def test_edge_classes_follow_the_standard_s_three_category_table(code, category):
    # GB/T 21010-2017 附录A (规范性附录) 三大类对照表; docs/domain.md §4 lists the check
    assert default_table().get(code).category_zh == category


def test_mapping_file_is_documented():
    with open(resource_path("land_class_erdiao.csv"), encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    assert all(r["note"] for r in rows if r["alternatives"] or not r["code_3d"])
