"""The unit life cycle (docs/lifecycle.md): guarded steps, history, acceptance and progress, by hand."""

from __future__ import annotations

import pytest
from shapely.geometry import box

from plugin.core.acceptance import AcceptanceSettings, AchievedState, compare, shortfalls, unit_outcome
from plugin.core.areas import MU_M2
from plugin.core.checks import ERROR, WARNING, Finding
from plugin.core.engine import BalanceEngine
from plugin.core.fields import ParcelRecord
from plugin.core.lifecycle import (
    STATUSES,
    Transition,
    TransitionRefused,
    parse_status,
    refusals,
    settle,
    transition,
)
from plugin.core.progress import by_status, unit_progress
from plugin.core.rules import bundled_pack


def test_the_five_states_in_order():
    assert STATUSES == ("储备", "立项", "实施", "验收", "备案")
    assert [parse_status(t) for t in ("立项", "approved", "Filed", "0", "9", "done")] == [
        "立项", "立项", "备案", "储备", None, None]


# ------------------------------------------------------------------ guard
def test_approval_refused_while_an_error_check_fails_naming_it():
    findings = [Finding(ERROR, "PARCEL_OVERLAP", "overlap", unit_code="ZZDY-001"),
                Finding(ERROR, "PARCEL_OVERLAP", "overlap", unit_code="ZZDY-001"),
                Finding(WARNING, "SLIVER", "sliver", unit_code="ZZDY-001"),
                Finding(ERROR, "UNIT_GAP", "gap", unit_code="ZZDY-002")]
    with pytest.raises(TransitionRefused) as refused:
        transition("ZZDY-001", "储备", "立项", "planner", "2026-12-02T06:00:00+00:00", findings=findings)
    text = str(refused.value)
    assert "PARCEL_OVERLAP" in text and "×2" in text and "Parcel overlap" in text
    assert "SLIVER" not in text and "UNIT_GAP" not in text  # a warning, and another unit's error, do not block
    # the other unit's only finding is its own error; a unit with a warning only may be approved
    assert refusals("ZZDY-003", "储备", "立项", findings=findings) == []
    assert refusals("ZZDY-002", "储备", "立项", findings=findings) != []
    assert refusals("ZZDY-003", "储备", "立项", findings=None) != []  # checks not run: refused


def test_no_skipping_and_going_back_needs_a_reason():
    assert "no skipping" in refusals("A", "储备", "实施", findings=[])[0]
    assert "no skipping" in refusals("A", "立项", "验收", acceptance=[])[0]
    assert "needs a reason" in refusals("A", "实施", "立项")[0]
    assert refusals("A", "实施", "储备", reason="立项 withdrawn by the county") == []
    assert "already" in refusals("A", "立项", "立项")[0]
    assert "is not a status" in refusals("A", "储备", "done")[0]
    assert refusals("A", None, "立项", findings=[]) == []  # no status yet = 储备
    assert refusals("A", "", "立项", findings=[]) == []
    assert "not one of" in refusals("A", "planning", "立项", findings=[])[0]


def test_legal_path_to_filing_gives_one_history_row_per_step():
    history, status = [], None
    steps = [("立项", {"findings": []}), ("实施", {}), ("验收", {"acceptance": []}), ("备案", {})]
    for k, (target, extra) in enumerate(steps):
        row = transition("ZZDY-001", status, target, "王工", f"2026-0{k + 1}-01T09:00:00+08:00", **extra)
        history.append(row)
        status = target
    assert [(r.from_status, r.to_status) for r in history] == [
        ("储备", "立项"), ("立项", "实施"), ("实施", "验收"), ("验收", "备案")]
    assert {r.changed_by for r in history} == {"王工"}
    assert [r.changed_at[:7] for r in history] == ["2026-01", "2026-02", "2026-03", "2026-04"]
    back = transition("ZZDY-001", "备案", "验收", "李工", "2026-05-01T09:00:00+08:00", reason="  备案材料退回 ")
    assert back.backwards and back.reason == "备案材料退回"
    assert back.as_row() == ("ZZDY-001", "备案", "验收", "2026-05-01T09:00:00+08:00", "李工", "备案材料退回")


def test_settle_keeps_the_rows_the_saved_status_reached():
    a = Transition("U", "储备", "立项", "t1", "w")
    b = Transition("U", "立项", "实施", "t2", "w")
    assert settle([a, b], "实施") == [a, b]
    assert settle([a, b], "立项") == [a]  # the second step was undone before saving
    assert settle([a, b], "储备") == []  # everything undone
    assert settle([a, b], None) == []


# ------------------------------------------------------------------ acceptance
def _engine() -> BalanceEngine:
    """Unit A (0..100 × 0..100) and B (100..200 × 0..100); TBMJ equals the drawn area."""
    parcels = [
        (1, box(0, 0, 50, 100), ParcelRecord(dlbm="0702", tbmj=5000.0, zzlx="JS-FK", ghdlbm="0103")),
        (2, box(50, 0, 100, 100), ParcelRecord(dlbm="0103", tbmj=5000.0)),
        (3, box(100, 0, 150, 100), ParcelRecord(dlbm="0204", tbmj=5000.0, zzlx="NY-HF", ghdlbm="0103")),
        (4, box(150, 0, 180, 100), ParcelRecord(dlbm="0103", tbmj=3000.0)),
        (5, box(180, 0, 220, 100), ParcelRecord(dlbm="0702", tbmj=4000.0, zzlx="JS-FK", ghdlbm="0103")),
    ]
    engine = BalanceEngine()
    engine.build(parcels, [("a", "A", box(0, 0, 100, 100)), ("b", "B", box(100, 0, 200, 100))])
    return engine


def test_acceptance_finds_the_unit_that_achieved_80_percent():
    achieved = AchievedState([
        (box(0, 0, 40, 100), "0103"),      # 4 000 of parcel 1's 5 000 m² became farmland
        (box(40, 0, 50, 100), "0702"),     # the rest is still homestead
        (box(100, 0, 150, 100), "0101"),   # parcel 3 became paddy: farmland all the same (一级类 01)
        (box(180, 0, 190, 100), "0103"),   # half of parcel 5's piece in B (180..200)
    ])
    rows = compare(_engine(), achieved, AcceptanceSettings(tolerance=0.05, match_digits=2))
    got = {(r.unit_code, r.zzlx, r.ghdlbm): (r.planned_m2, r.achieved_m2) for r in rows}
    assert got == {("A", "JS-FK", "0103"): pytest.approx((5000.0, 4000.0)),
                   ("B", "JS-FK", "0103"): pytest.approx((2000.0, 1000.0)),  # share 0.5 of TBMJ 4 000
                   ("B", "NY-HF", "0103"): pytest.approx((5000.0, 5000.0))}
    a = next(r for r in rows if r.unit_code == "A")
    assert a.ratio == pytest.approx(0.8) and not a.ok
    assert a.shortfall_m2 == pytest.approx(1000.0)
    assert a.shortfall_m2 / MU_M2 == pytest.approx(1.5)  # 1 000 m² = 1.5 亩
    assert "1,000.0" in a.describe() and "1.50" in a.describe() and "80.0 %" in a.describe()
    assert unit_outcome(rows) == {"A": False, "B": False}
    assert [(r.unit_code, r.zzlx) for r in shortfalls(rows)] == [("A", "JS-FK"), ("B", "JS-FK")]
    # the exact class (4 digits): paddy is not the planned 0103 dry land
    exact = compare(_engine(), achieved, AcceptanceSettings(0.05, 4), units=["B"])
    assert {(r.zzlx, round(r.achieved_m2, 6)) for r in exact} == {("JS-FK", 1000.0), ("NY-HF", 0.0)}


def test_tolerance_decides_a_near_miss_and_guards_acceptance():
    achieved = AchievedState([(box(0, 0, 48, 100), "0103")])  # 96 % of unit A's plan
    rows = compare(_engine(), achieved, AcceptanceSettings(tolerance=0.05), units=["A"])
    assert rows[0].ok and rows[0].shortfall_m2 == pytest.approx(200.0)
    assert refusals("A", "实施", "验收", acceptance=rows) == []
    strict = compare(_engine(), achieved, AcceptanceSettings(tolerance=0.02), units=["A"])
    reason = refusals("A", "实施", "验收", acceptance=strict)
    assert len(reason) == 1 and "JS-FK" in reason[0] and "200.0" in reason[0]
    assert "run the acceptance check first" in refusals("A", "实施", "验收", acceptance=None)[0]


def test_acceptance_settings_come_from_the_pack():
    national = bundled_pack("national")
    settings = AcceptanceSettings.from_pack(national)
    assert settings == AcceptanceSettings(national.checks["acceptance_tolerance_ratio"],
                                          int(national.checks["acceptance_match_digits"]))
    assert "acceptance_tolerance_ratio" in national.checks["sources"]
    assert AcceptanceSettings.from_pack({"acceptance_tolerance_ratio": 0.1, "acceptance_match_digits": 4}) == \
        AcceptanceSettings(0.1, 4)
    assert AcceptanceSettings.from_pack({"acceptance_tolerance_ratio": "x"}) == AcceptanceSettings()


# ------------------------------------------------------------------ progress
def test_progress_by_status_with_plan_and_achieved():
    engine = _engine()
    achieved = AchievedState([(box(0, 0, 40, 100), "0103")])
    rows = compare(engine, achieved, units=["A"])
    history = [Transition("A", "储备", "立项", "2026-01-01T00:00:00+00:00", "w"),
               Transition("A", "立项", "实施", "2026-03-01T00:00:00+00:00", "w")]
    units = unit_progress(engine, {"A": "实施", "B": None}, history, rows)
    assert [(u.unit_code, u.status, u.since[:7]) for u in units] == [("A", "实施", "2026-03"), ("B", "储备", "")]
    a, b = units
    assert (a.area_m2, a.planned_m2, a.achieved_m2) == pytest.approx((10000.0, 5000.0, 4000.0))
    # B: parcels 3 (5 000), 4 (3 000) and half of 5 (2 000); planned 3 and half of 5
    assert (b.area_m2, b.planned_m2, b.achieved_m2) == (pytest.approx(10000.0), pytest.approx(7000.0), None)
    totals = {t.status: t for t in by_status(units)}
    assert list(totals) == list(STATUSES)
    assert (totals["储备"].units, totals["储备"].planned_m2, totals["储备"].checked) == (1, pytest.approx(7000.0), 0)
    assert (totals["实施"].units, totals["实施"].achieved_m2, totals["实施"].checked) == (1, pytest.approx(4000.0), 1)
    assert totals["备案"].units == 0 and totals["备案"].area_m2 == 0
