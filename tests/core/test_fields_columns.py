"""Bulk normalisation (core/fields_columns.py) equals normalize_parcel row by row, issues included."""
from __future__ import annotations

import math

import numpy as np
import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from plugin.core.fields import NUMBER_FIELDS, ParcelRecord, normalize_parcel, with_area
from plugin.core.fields_columns import TEXT_RULES, distinct, normalize_columns, with_area_columns
from plugin.core.record_columns import RecordColumns

TEXT_FIELDS = [name for name, _rule in TEXT_RULES.values()]
_WORDS = ["0101", "0103", "011", "012", "031", "101", "201", "0702B", "1203", "0201K", "  0101 ", "NULL", "none",
          "", "  ", "0404", "1001", "2", "1", "5", "3.0", "6", "TT", "pd", "保留", "可调整", "IN", "OUT", "拟调入",
          "yes", "000", "0-", "abc", "水田", " 0103 ", "2.5", "1e3", "-1", "inf", "nan", "12.5", " 3 "]
_numbers = st.one_of(
    st.none(), st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from([0.0, -0.0, 0.1, 0.5, 0.99, 1.0, 100.0, 666.0, 1e12, 2e12, -5.0, 1e308]),
    st.integers(-10, 10**6), st.integers(2**63, 2**70), st.booleans(), st.sampled_from(_WORDS))
_texts = st.one_of(st.none(), st.sampled_from(_WORDS), st.integers(0, 2000), st.floats(allow_nan=True),
                   st.booleans(), st.text(max_size=4))
_rows = st.lists(st.fixed_dictionaries({**{k: _numbers for k in NUMBER_FIELDS}, **{k: _texts for k in TEXT_FIELDS}}),
                 min_size=1, max_size=25)


def _same_value(a, b) -> bool:
    if isinstance(a, float) and isinstance(b, float):
        return (a != a and b != b) or (a == b and math.copysign(1.0, a) == math.copysign(1.0, b))
    return type(a) is type(b) and a == b


def _assert_same(columns: RecordColumns, records: list[ParcelRecord]) -> None:
    assert len(columns) == len(records)
    for i, rec in enumerate(records):
        got = columns.record(i).as_tuple()
        assert all(_same_value(a, b) for a, b in zip(got, rec.as_tuple())), (i, got, rec)


def _expected(rows, mu):
    issues = [[] for _ in rows]
    return [normalize_parcel(r, mu, issues[i]) for i, r in enumerate(rows)], issues


def _object_columns(rows, names):
    out = {}
    for name in names:
        col = np.empty(len(rows), dtype=object)
        col[:] = [r.get(name) for r in rows]
        out[name] = col
    return out


@settings(max_examples=400, deadline=None, suppress_health_check=list(HealthCheck))
@given(_rows, st.booleans(), st.sets(st.sampled_from(NUMBER_FIELDS + tuple(TEXT_FIELDS)), max_size=4))
def test_bulk_equals_normalize_parcel_row_by_row(rows, mu, dropped):
    """Random raw rows (text, numbers as text, None, NaN, inf, negatives, bools, Chinese, blanks,
    columns the layer lacks) -> the same records and the same issue lists, in the same order."""
    rows = [{k: v for k, v in r.items() if k not in dropped} for r in rows]
    expected, expected_issues = _expected(rows, mu)
    names = [n for n in NUMBER_FIELDS + tuple(TEXT_FIELDS) if n not in dropped]
    columns, issues = normalize_columns(_object_columns(rows, names), mu, n=len(rows))
    _assert_same(columns, expected)
    assert issues.per_row() == expected_issues


@settings(max_examples=200, deadline=None, suppress_health_check=list(HealthCheck))
@given(st.lists(st.fixed_dictionaries({
    **{k: st.one_of(st.none(), st.floats(allow_nan=True, allow_infinity=True), st.sampled_from([0.0, -0.0, 0.3]))
       for k in NUMBER_FIELDS},
    **{k: st.one_of(st.none(), st.sampled_from(_WORDS)) for k in TEXT_FIELDS}}), min_size=1, max_size=25),
    st.booleans())
def test_typed_columns_as_a_reader_gives_them(rows, mu):
    """Numbers as float64 arrays with NULL masked, text as str/None object arrays (the Arrow read)."""
    expected, expected_issues = _expected(rows, mu)
    raw = _object_columns(rows, TEXT_FIELDS)
    for name in NUMBER_FIELDS:
        values = [r[name] for r in rows]
        raw[name] = np.ma.masked_array([np.nan if v is None else v for v in values], [v is None for v in values])
    columns, issues = normalize_columns(raw, mu)
    _assert_same(columns, expected)
    assert issues.per_row() == expected_issues


def test_integer_and_pandas_columns():
    rows = [{"DLBM": 101, "TBMJ": 300, "KCXS": 0}, {"DLBM": 103, "TBMJ": -2, "KCXS": 1}]
    expected, expected_issues = _expected(rows, False)
    raw = {"DLBM": np.array([101, 103]), "TBMJ": pd.Series([300, -2]), "KCXS": pd.Series([0, 1], dtype="Int64")}
    columns, issues = normalize_columns(raw)
    _assert_same(columns, expected)
    assert issues.per_row() == expected_issues
    assert columns.record(0).dlbm == "101"  # a number 101 is no 二调 code: it lost its leading zero


@settings(max_examples=200, deadline=None, suppress_health_check=list(HealthCheck))
@given(_rows, st.floats(min_value=0.01, max_value=1e9))
def test_measured_area_equals_with_area(rows, area):
    """reader.complete: a NULL TBMJ measured from the geometry, in bulk = fields.with_area per record."""
    rows = [{**r, "TBMJ": None} for r in rows]
    expected, expected_issues = _expected(rows, False)
    columns, issues = normalize_columns(_object_columns(rows, NUMBER_FIELDS + tuple(TEXT_FIELDS)))
    rows_to_fill = np.arange(0, len(rows), 2)
    areas = np.full(len(rows_to_fill), area) * (1 + np.arange(len(rows_to_fill)))
    with_area_columns(columns, rows_to_fill, areas, issues)
    for k, r in zip(rows_to_fill.tolist(), areas.tolist()):
        expected[k] = with_area(expected[k], r, expected_issues[k])
    _assert_same(columns, expected)
    assert issues.per_row() == expected_issues


def test_distinct_keeps_types_and_signs_apart():
    col = np.empty(8, dtype=object)
    col[:] = [1, 1.0, True, "1", None, -0.0, 0.0, 1]
    codes, values = distinct(col)
    got = [values[c] for c in codes]
    assert [type(v) for v in got] == [int, float, bool, str, type(None), float, float, int]
    assert math.copysign(1.0, got[5]) == -1.0 and math.copysign(1.0, got[6]) == 1.0
    assert codes[0] == codes[7] and len(set(codes.tolist())) == 7


def test_text_is_cleaned_once_per_distinct_value(monkeypatch):
    """The text rules run per distinct value, not per row."""
    from plugin.core import fields_columns

    calls = []
    name, rule = fields_columns.TEXT_RULES["zzlx"]
    monkeypatch.setitem(fields_columns.TEXT_RULES, "zzlx", (name, lambda v: calls.append(v) or rule(v)))
    col = np.empty(30_000, dtype=object)
    col[:] = ["耕地提质改造", " 耕地提质改造", None] * 10_000
    columns, _issues = normalize_columns({"DLBM": np.full(30_000, "0101", dtype=object), "ZZLX": col})
    assert len(calls) == 3
    assert set(columns["zzlx"].tolist()) == {"耕地提质改造", None}


def test_categorical_text_columns_as_the_arrow_read_gives_them():
    """Text decoded once per distinct value arrives as a pandas Categorical (NULL: missing code)."""
    rows = [{"DLBM": "011", "TBMJ": "12.5", "BSM": "000"}, {"DLBM": None, "TBMJ": None, "BSM": "B1"},
            {"DLBM": " 0103 ", "TBMJ": "abc", "BSM": None}]
    expected, expected_issues = _expected(rows, False)
    raw = {k: pd.Categorical([r[k] for r in rows]) for k in ("DLBM", "TBMJ", "BSM")}
    columns, issues = normalize_columns(raw)
    _assert_same(columns, expected)
    assert issues.per_row() == expected_issues


def test_distinct_tells_strings_with_a_nul_apart():
    """pandas hashes str as C strings: "\\x00" and "\\x00b" must still be two values."""
    col = np.empty(4, dtype=object)
    col[:] = ["\x00", "a", "\x00b", "a"]
    codes, values = distinct(col)
    assert [values[c] for c in codes] == ["\x00", "a", "\x00b", "a"]
