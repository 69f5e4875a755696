"""Records as columns (core.record_columns) and the engine's columnar entry point."""
import numpy as np
from shapely.geometry import box

from plugin.core.engine import PROJECT, BalanceEngine
from plugin.core.fields import normalize_parcel
from plugin.core.record_columns import RecordColumns


def _records():
    return [
        normalize_parcel({"DLBM": "0103", "TBMJ": 100.0, "KCXS": 0.05, "BSM": "B1", "ZLDWDM": "5101001"}),
        normalize_parcel({"DLBM": "0301", "TBMJ": None, "ZZLX": "NY-KF", "GHDLBM": "0103", "GDPDJB": 3}),
        normalize_parcel({"DLBM": "0702", "TBMJ": -0.0, "YNCZ": "OUT"}),  # unusable TBMJ: None
        normalize_parcel({"DLBM": None}),
    ]


def test_a_record_survives_the_trip_through_columns():
    recs = _records()
    cols = RecordColumns.from_records(recs)
    assert len(cols) == len(recs)
    assert cols.records() == recs
    assert [cols.record(i) for i in range(len(recs))] == recs
    assert np.isnan(cols["tbmj"][1]) and recs[1].tbmj is None
    assert cols.take([2, 0]).records() == [recs[2], recs[0]]


def test_columns_with_a_missing_slot_are_refused():
    cols = RecordColumns.from_records(_records()).data
    del cols["zzlx"]
    try:
        RecordColumns(cols)
    except ValueError as exc:
        assert "zzlx" in str(exc)
    else:
        raise AssertionError("a missing slot must be refused")


def test_build_from_columns_equals_build_from_records():
    recs = _records()
    geoms = [box(0, 0, 10, 10), box(8, 0, 18, 10), box(0, 20, 5, 25), None]
    units = [("u1", "ZZDY-1", box(0, 0, 12, 12)), ("u2", "ZZDY-2", box(12, 0, 30, 30))]
    a = BalanceEngine()
    a.build(zip(range(4), geoms, recs), units)
    b = BalanceEngine()
    garr = np.empty(4, dtype=object)
    garr[:] = geoms
    b.build_columns(np.arange(4), garr, RecordColumns.from_records(recs), units)
    assert dict(a.aggregates) == dict(b.aggregates) and a.project == b.project
    assert a.balance_rows() == b.balance_rows() and a.fingerprint() == b.fingerprint()
    assert b.aggregates["u1"] and PROJECT == "*"
