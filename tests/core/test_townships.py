"""PBF adjustment limits per township (docs/domain.md §7), hand-computed.

Township 320281101: ten 1 000 m² parcels of PBF farmland (10 000 m² of PBF), one moved out
(YNCZ 调出) → 1 000 / 10 000 = 10 % > 5 %: fails. Township 320281102: thirty such parcels, one moved
out → 1 / 30 = 3.33 %: passes. The moved-out parcel of 101 lies in the urban growth boundary.
"""
import pytest
from shapely.geometry import box

from plugin.core.engine import BalanceEngine
from plugin.core.fields import normalize_parcel
from plugin.core.townships import evaluate_townships, township_of, township_variables


def parcel(i, township, **kw):
    values = {"DLBM": "0101", "TBMJ": 1000, "ZLDWDM": f"{township}001", "BSM": str(i)}
    values.update({k.upper(): v for k, v in kw.items()})
    return (i, box(i * 40, 0, i * 40 + 40, 25), normalize_parcel(values))


def engine():
    parcels = [parcel(i, "320281101", **({"yncz": "调出", "zzlx": "JS-JX", "ghdlbm": "0702"} if i == 0 else {}))
               for i in range(10)]
    parcels += [parcel(i, "320281102", **({"yncz": "OUT"} if i == 10 else {})) for i in range(10, 40)]
    pbf = [box(0, 0, 40 * 40, 25)]
    e = BalanceEngine()
    e.build(parcels, [("u", "U", box(-1, -1, 40 * 40 + 1, 26))], pbf=pbf)
    return e, pbf


def test_township_is_the_first_nine_digits_of_zldwdm():
    assert township_of("320281101001") == "320281101"
    assert township_of(" 3202811010010000000 ") == "320281101"
    assert township_of("3202811") is None and township_of(None) is None and township_of("32028110A") is None


def test_township_variables_count_whole_parcels():
    e, pbf = engine()
    v = township_variables(e, pbf)
    assert v["320281101"]["pbf_before"] == pytest.approx(10_000)
    assert v["320281101"]["pbf_out"] == pytest.approx(1_000)
    assert v["320281101"]["pbf_after"] == pytest.approx(9_000)
    assert v["320281102"]["pbf_before"] == pytest.approx(30_000)


def test_a_township_over_its_adjustment_limit_fails_with_the_right_number():
    e, pbf = engine()
    rows = {(r.unit_code, r.rule_id): r for r in evaluate_townships(e, pbf, ugb=[box(0, 0, 40, 25)])}
    over = rows[("320281101", "township_pbf_adjust_share")]
    assert over.value == pytest.approx(0.10) and over.threshold == 0.05 and over.passed is False
    assert over.severity == "error"
    ok = rows[("320281102", "township_pbf_adjust_share")]
    assert ok.value == pytest.approx(1 / 30) and ok.passed is True
    ugb = rows[("320281101", "township_pbf_ugb_kept")]
    assert ugb.value == pytest.approx(1_000) and ugb.passed is False
    kept = rows[("320281102", "township_pbf_ugb_kept")]
    assert kept.value == 0 and kept.passed is True


def test_without_ugb_layer_its_rule_is_not_judged_and_units_never_see_township_rules():
    e, pbf = engine()
    rows = {(r.unit_code, r.rule_id): r for r in evaluate_townships(e, pbf)}
    assert rows[("320281101", "township_pbf_ugb_kept")].passed is None
    assert rows[("320281101", "township_pbf_ugb_kept")].value is None
    assert not any(r.rule_id.startswith("township_") for r in e.evaluate("u") + e.evaluate(None))
    assert evaluate_townships(e, None) == []


def test_a_township_rule_may_only_use_township_variables(tmp_path):
    import json

    from plugin.core.rules import RulePackError, load_pack

    rule = {"id": "t", "formula": "farmland_after / pbf_before", "threshold": 0, "scope": "township"}
    path = tmp_path / "t.json"
    path.write_text(json.dumps({"id": "t", "extends": "national", "rules": [rule]}), encoding="utf-8")
    with pytest.raises(RulePackError, match="farmland_after"):
        load_pack(path)
    rule["formula"] = "pbf_out_ugb / pbf_before"
    path.write_text(json.dumps({"id": "t", "extends": "national", "rules": [rule]}), encoding="utf-8")
    assert load_pack(path).rule("t").scope == "township"


def test_the_summary_section_lists_each_township_with_its_verdict_and_numbers():
    from plugin.core.report import township_lines

    e, pbf = engine()
    lines = township_lines(e, evaluate_townships(e, pbf, ugb=[box(0, 0, 40, 25)]), chinese=False)
    assert lines[0] == "Townships (PBF adjustment limits):"
    a, b = lines.index("Township 320281101: FAIL"), lines.index("Township 320281102: PASS")
    assert lines[a + 1] == "  ✗ Township: share of its PBF moved out: 10.00% (required ≤ 5.00%)"
    assert lines[a + 2] == ("  ✗ Township: PBF moved out inside the urban growth boundary: 1.50 mu (1,000.0 m²)"
                            " (required ≤ 0)")
    assert lines[b + 1] == "  ✓ Township: share of its PBF moved out: 3.33% (required ≤ 5.00%)"
    assert township_lines(e, evaluate_townships(e, None)) == []  # no PBF: no section


def test_kept_shares_follow_an_edited_geometry():
    from plugin.core.townships import TownshipLimits

    e, pbf = engine()
    limits = TownshipLimits(pbf)
    assert limits.variables(e)["320281101"]["pbf_before"] == pytest.approx(10_000)
    # parcel 1 (township 320281101) redrawn half outside the PBF: its TBMJ counts by the share inside
    e.upsert_parcel(1, box(40, 12.5, 80, 37.5), e.parcel_record(1))
    limits.update(e, [1])
    assert limits.variables(e)["320281101"]["pbf_before"] == pytest.approx(9_500)
    assert limits.variables(e) == township_variables(e, pbf)


@pytest.mark.parametrize("engine_pbf", [False, True])
def test_kept_terms_after_any_edits_equal_a_fresh_count(engine_pbf):
    """The live dock updates only the edited parcels: after tags, a PBF move, a split into two pieces of
    one BSM, a parcel moved to another township and a delete, the kept sums equal a fresh count."""
    import random

    from plugin.core.townships import TownshipLimits

    e, pbf = engine()
    limits = TownshipLimits(pbf, ugb=[box(0, 0, 200, 25)], engine_pbf=engine_pbf)
    limits.variables(e)
    rng = random.Random(7)
    next_id = 100
    for step in range(60):
        pid = rng.choice(e.parcel_ids())
        rec = e.parcel_record(pid)
        kind = step % 5
        if kind == 0:  # a tag: moved out of PBF, or back
            values = {"DLBM": rec.dlbm, "TBMJ": rec.tbmj, "ZLDWDM": rec.zldwdm, "BSM": rec.bsm,
                      "YNCZ": rng.choice([None, "OUT", "IN"]), "ZZLX": rng.choice([None, "JS-JX"]),
                      "GHDLBM": rng.choice([None, "0702", "0101"])}
            e.update_parcel_attributes(pid, normalize_parcel(values))
            changed = [pid]
        elif kind == 1:  # QGIS's split: the feature keeps one half, a new feature gets the other, values copied
            g = e.parcel_geometry(pid)
            x0, y0, x1, y1 = g.bounds
            mid = (x0 + x1) / 2
            e.upsert_parcel(pid, box(x0, y0, mid, y1), rec)
            e.upsert_parcel(next_id, box(mid, y0, x1, y1), rec)
            changed = [pid, next_id]
            next_id += 1
        elif kind == 2:  # redrawn partly outside the PBF
            x0, y0, x1, y1 = e.parcel_geometry(pid).bounds
            e.upsert_parcel(pid, box(x0, y0 + 10, x1, y1 + 10), rec)
            changed = [pid]
        elif kind == 3:  # another township
            values = {"DLBM": rec.dlbm, "TBMJ": rec.tbmj, "BSM": rec.bsm,
                      "ZLDWDM": rng.choice(["320281101001", "320281103001", None])}
            e.update_parcel_attributes(pid, normalize_parcel(values))
            changed = [pid]
        else:
            e.remove_parcel(pid)
            changed = [pid]
        limits.update(e, changed)
        assert limits.variables(e) == TownshipLimits(pbf, ugb=[box(0, 0, 200, 25)], engine_pbf=engine_pbf).variables(e)
    # the engine's PBF shares and the layer intersected again give the same numbers
    own = TownshipLimits(pbf, ugb=[box(0, 0, 200, 25)]).variables(e)
    for code, values in TownshipLimits(pbf, ugb=[box(0, 0, 200, 25)], engine_pbf=True).variables(e).items():
        assert values == pytest.approx(own[code], abs=1e-3)


def test_a_piece_outside_every_township_still_re_shares_its_survey_parcel_when_it_goes():
    """Two pieces of one survey parcel B1 (TBMJ shared by area): one without a ZLDWDM (in no township).
    When that piece is deleted, the other piece carries the whole TBMJ again, in the kept sums too."""
    from plugin.core.townships import TownshipLimits

    pbf = [box(0, 0, 100, 100)]
    e = BalanceEngine()
    e.build([(1, box(0, 0, 5, 10), normalize_parcel({"DLBM": "0101", "TBMJ": 100, "BSM": "B1"})),
             (2, box(5, 0, 10, 10), normalize_parcel({"DLBM": "0101", "TBMJ": 100, "BSM": "B1",
                                                       "ZLDWDM": "110101001001"}))],
            [("u", "U", box(-1, -1, 30, 30))], pbf=pbf)
    for engine_pbf in (False, True):
        limits = TownshipLimits(pbf, engine_pbf=engine_pbf)
        before = limits.variables(e)["110101001"]["pbf_before"]
        assert before == pytest.approx(50)  # half of the survey parcel's TBMJ
        e2 = e
        e2.remove_parcel(1)
        limits.update(e2, [1])
        assert limits.variables(e2) == TownshipLimits(pbf, engine_pbf=engine_pbf).variables(e2)
        assert limits.variables(e2)["110101001"]["pbf_before"] == pytest.approx(100)
        e.upsert_parcel(1, box(0, 0, 5, 10), normalize_parcel({"DLBM": "0101", "TBMJ": 100, "BSM": "B1"}))
        limits.update(e, [1])
        assert limits.variables(e)["110101001"]["pbf_before"] == pytest.approx(before)


def test_identical_copies_count_once_as_in_the_balance():
    from plugin.core.townships import TownshipLimits

    pbf = [box(0, 0, 100, 100)]
    rec = normalize_parcel({"DLBM": "0101", "TBMJ": 1000, "BSM": "B1", "ZLDWDM": "110101001001"})
    e = BalanceEngine()
    e.build([(1, box(0, 0, 10, 10), rec), (2, box(0, 0, 10, 10), rec)], [("u", "U", box(-1, -1, 30, 30))], pbf=pbf)
    assert e.variables()["pbf_before"] == pytest.approx(1000)
    for engine_pbf in (False, True):
        assert TownshipLimits(pbf, engine_pbf=engine_pbf).variables(e)["110101001"]["pbf_before"] == pytest.approx(1000)
    assert [e.parcel_pbf_share(p) for p in (1, 2)] == [1.0, 0.0]
    e.set_pbf(pbf)  # an edit path must give the copy what a build gives it
    assert [e.parcel_pbf_share(p) for p in (1, 2)] == [1.0, 0.0]


def test_pbf_before_is_each_parcels_whole_tbmj_times_its_pbf_share_as_the_engine_gives_them():
    """The township walk reads each parcel's record and area once; its numbers must still be the
    engine's per-parcel answers: pbf_before = Σ parcel_areas(pid)[0] × parcel_pbf_share(pid), with
    pieces of a split, TBMJ without KCMJ/TBDLMJ, a NULL TBMJ (measured) and identical copies."""
    from plugin.core.townships import TownshipLimits

    pbf = [box(0, 0, 210, 30)]  # parcels 0–9 inside, 10 (NULL TBMJ) half, 11 outside
    rows = []
    for i in range(12):
        j = (i // 3) * 3 + 1 if i < 6 else i  # the pieces of a survey parcel carry its values (QGIS's split)
        values = {"DLBM": ["0101", "0103", "0702", "1203"][j % 4], "ZLDWDM": f"11010{j % 2}001001",
                  "BSM": f"B{i // 3}" if i < 6 else str(i)}
        if j % 5:
            values.update(TBMJ=(1230 if i < 6 else 400) + 37 * j, KCMJ=(0, 11.5, None)[j % 3],
                          TBDLMJ=(None, 1100 + j, None)[j % 3])
        rows.append((i, box(i * 20, 0, i * 20 + 20, 20), normalize_parcel(values)))
    rows.append((99, box(0, 0, 20, 20), rows[0][2]))  # an identical copy of parcel 0
    e = BalanceEngine()
    e.build(rows, [("u", "U", box(-1, -1, 300, 30))], pbf=pbf)
    assert e.split_bsms() and e.shadows
    expected: dict = {}
    for pid in e.parcel_ids():
        code = township_of(e.parcel_record(pid).zldwdm)
        if code is not None and pid not in e.shadows:
            expected[code] = expected.get(code, 0.0) + e.parcel_areas(pid)[0] * e.parcel_pbf_share(pid)
    got = TownshipLimits(pbf, engine_pbf=True).variables(e)
    # each parcel's terms are kept in integer µm²: within 1e-6 m² a parcel
    assert {code: v["pbf_before"] for code, v in got.items()} == pytest.approx(expected, abs=1e-5)
