"""Data checks (数据检查): one hand-made case per finding kind, and incremental = full run."""
from __future__ import annotations

import pytest
from shapely.geometry import Polygon, box

from plugin.core.checks import Zones
from plugin.core.datachecks import AreaScale, CheckSettings, DataChecks, Quality, counts_by_unit, kind_name
from plugin.core.engine import BalanceEngine
from plugin.core.fields import ParcelRecord
from plugin.core.rules import load_pack

UNIT = box(0, 0, 100, 100)


def rec(dlbm="0103", tbmj=None, bsm=None, **kw):
    return ParcelRecord(dlbm=dlbm, tbmj=tbmj, bsm=bsm, **kw)


def tiles(n=10, size=10.0):
    """n × n square parcels tiling [0, n·size]², each with a correct TBMJ and its own BSM."""
    out = []
    for i in range(n):
        for j in range(n):
            pid = i * n + j
            out.append((pid, box(i * size, j * size, (i + 1) * size, (j + 1) * size),
                        rec(tbmj=size * size, bsm=f"B{pid:04d}")))
    return out


def engine_of(parcels, units=((1, "U1", UNIT),)):
    e = BalanceEngine()
    e.build(list(parcels), list(units))
    return e


def run(parcels, units=((1, "U1", UNIT),), **kw):
    quality = kw.pop("quality", None)
    measured = kw.pop("measured", None)
    e = engine_of(parcels, units)
    dc = DataChecks(**kw)
    dc.run(e, quality=quality, measured=measured)
    return dc.findings(), e, dc


def codes(findings):
    return sorted(f.code for f in findings)


def replace(parcels, pid, geom=None, record=None):
    return [(p, geom if p == pid and geom is not None else g, record if p == pid and record is not None else r)
            for p, g, r in parcels]


def test_clean_tiling_has_no_findings():
    found, _e, _dc = run(tiles())
    assert found == []


def test_overlapping_pieces_of_one_bsm_and_identical_copies_are_duplicates():
    parcels = tiles()
    parcels[0] = (0, box(0, 0, 12, 10), rec(tbmj=120, bsm="DUP"))  # overlaps parcel 10 (x 10..12) by 20 m²
    parcels[10] = (10, box(10, 0, 20, 10), rec(tbmj=100, bsm="DUP"))
    parcels.append((500, box(50, 50, 60, 60), rec(tbmj=100, bsm="B0055")))  # identical copy of parcel 55
    found, _e, _dc = run(parcels)
    dup = [f for f in found if f.code == "BSM_DUPLICATE"]
    assert len(dup) == 2
    overlap = next(f for f in dup if f.bsm == "DUP")
    assert overlap.area == pytest.approx(20.0) and overlap.unit_code == "U1"
    copy = next(f for f in dup if f.bsm == "B0055")
    assert copy.parcel_id in (55, 500) and "identical" in copy.message and "500" in copy.message
    assert "PARCEL_OVERLAP" not in codes(found)  # pieces of one BSM are judged as duplicates only


def test_pieces_of_a_split_are_no_finding_even_with_the_copied_tbmj():
    parcels = tiles()
    # parcel 0 split into two halves, QGIS copied TBMJ 100 onto both: the total matches
    parcels[0] = (0, box(0, 0, 5, 10), rec(tbmj=100, bsm="B0000"))
    parcels.append((900, box(5, 0, 10, 10), rec(tbmj=100, bsm="B0000")))
    # parcel 1 split with apportioned TBMJ: each piece matches its own area
    parcels[1] = (1, box(0, 10, 10, 13), rec(tbmj=30, bsm="B0001"))
    parcels.append((901, box(0, 13, 10, 20), rec(tbmj=70, bsm="B0001")))
    found, _e, _dc = run(parcels)
    assert found == []


def test_tbmj_mismatch_needs_both_tolerances():
    parcels = tiles()
    parcels[0] = (0, parcels[0][1], rec(tbmj=103, bsm="B0000"))  # 3 m², 3 %: reported
    parcels[1] = (1, parcels[1][1], rec(tbmj=100.9, bsm="B0001"))  # 0.9 m²: under 1 m²
    big = [(0, box(0, 0, 100, 100), rec(tbmj=10_050, bsm="BIG"))]  # 50 m² but 0.5 %
    found, _e, _dc = run(parcels)
    assert [(f.code, f.parcel_id) for f in found] == [("TBMJ_MISMATCH", 0)]
    assert found[0].area == pytest.approx(3.0) and found[0].severity == "error"
    assert run(big)[0] == []
    strict, _e, _dc = run(big, settings=CheckSettings(tbmj_tolerance_ratio=0.001, tbmj_tolerance_m2=10))
    assert codes(strict) == ["TBMJ_MISMATCH"]


def test_tbmj_is_compared_with_the_ellipsoidal_area():
    scale = AreaScale((0, 0, 100, 100), [[0.5, 0.5], [0.5, 0.5]])  # ellipsoidal = planar / 2
    found, _e, _dc = run(tiles(), scale=scale)
    assert len(found) == 100 and {f.code for f in found} == {"TBMJ_MISMATCH"}
    halved = [(p, g, rec(tbmj=50.0, bsm=r.bsm)) for p, g, r in tiles()]
    assert run(halved, scale=scale)[0] == []


def test_invalid_geometry():
    parcels = tiles()
    bowtie = Polygon([(0, 0), (10, 10), (10, 0), (0, 10)])
    parcels[0] = (0, bowtie, rec(tbmj=100, bsm="B0000"))
    found, _e, _dc = run(parcels)
    invalid = [f for f in found if f.code == "GEOMETRY_INVALID"]
    assert len(invalid) == 1 and invalid[0].parcel_id == 0 and "repaired" in invalid[0].message


def test_overlap_between_parcels_and_its_tolerance():
    parcels = tiles()
    parcels[0] = (0, box(0, 0, 12, 10), rec(tbmj=120, bsm="B0000"))  # 20 m² over parcel 10
    found, _e, _dc = run(parcels)
    assert [(f.code, f.area) for f in found] == [("PARCEL_OVERLAP", pytest.approx(20.0))]
    assert {0, 10} == {found[0].parcel_id} | {10} and found[0].geometry.area == pytest.approx(20.0)
    assert run(parcels, settings=CheckSettings(overlap_tolerance_m2=30))[0] == []


def test_gap_in_unit():
    parcels = [p for p in tiles() if p[0] != 55]  # a 10 × 10 hole
    found, _e, _dc = run(parcels)
    assert [(f.code, f.severity, f.unit_code) for f in found] == [("UNIT_GAP", "warning", "U1")]
    assert found[0].area == pytest.approx(100.0) and found[0].geometry.equals(box(50, 50, 60, 60))


def test_slivers_but_not_roads():
    parcels = [
        (1, box(0, 0, 50, 99.8), rec(tbmj=4990, bsm="A")),
        (2, box(0, 99.8, 20, 100), rec(tbmj=4, bsm="S")),  # 0.2 m × 20 m: sliver
        (3, box(20, 99.8, 50, 100), rec(tbmj=6, bsm="T")),  # 0.2 m × 30 m: thin, 6 m²
        (4, box(50, 0, 55, 100), rec("1006", tbmj=500, bsm="R")),  # a 5 m wide road: 500 m², fine
        (5, box(55, 0, 100, 100), rec(tbmj=4500, bsm="C")),
    ]
    found, _e, _dc = run(parcels)
    assert sorted(f.parcel_id for f in found if f.code == "SLIVER") == [2, 3]
    assert all(f.severity == "warning" for f in found)
    tiny = [(1, box(0, 0, 100, 100), rec(tbmj=10_000, bsm="A")), (2, box(0, 0, 0.5, 1), rec(tbmj=0.5, bsm="B"))]
    assert [f.parcel_id for f in run(tiny)[0] if f.code == "SLIVER"] == [2]


def test_unknown_land_classes_before_and_after():
    parcels = tiles()
    parcels[0] = (0, parcels[0][1], rec("9999", tbmj=100, bsm="B0000"))
    parcels[1] = (1, parcels[1][1], rec(tbmj=100, bsm="B0001", zzlx="NY-GB", ghdlbm="ABCD"))
    found, _e, _dc = run(parcels)
    unknown = sorted((f.parcel_id, f.severity) for f in found if f.code == "DLBM_UNKNOWN")
    assert unknown == [(0, "error"), (1, "error")]


def test_sandiao_ridge_rules():
    parcels = tiles()
    parcels[0] = (0, parcels[0][1], rec("0301", tbmj=100, bsm="B0000", kcxs=0.05))  # ridges on forest
    parcels[1] = (1, parcels[1][1], rec("0101", tbmj=100, bsm="B0001", kcxs=0.03))  # no KCDLBM
    parcels[2] = (2, parcels[2][1], rec("0101", tbmj=100, bsm="B0002", kcxs=0.03))  # GDPDJB 1
    parcels[3] = (3, parcels[3][1], rec("0101", tbmj=100, bsm="B0003", kcxs=0.03))  # fine: grade 2, KCDLBM
    quality = {0: Quality("1203", None), 1: Quality(None, "3"), 2: Quality("1203", "1"), 3: Quality("1203", "2")}
    found, _e, _dc = run(parcels, quality=quality)
    assert sorted((f.code, f.parcel_id) for f in found) == [
        ("KCXS_FLAT", 2), ("KCXS_NOT_FARMLAND", 0), ("KCXS_NO_KCDLBM", 1)]
    # a layer without a KCDLBM field: that rule cannot be judged
    found, _e, _dc = run(parcels, quality=quality, quality_fields=("GDPDJB",))
    assert "KCXS_NO_KCDLBM" not in codes(found)


def test_remediation_type_against_the_class_before():
    parcels = tiles()
    parcels[0] = (0, parcels[0][1], rec("1006", tbmj=100, bsm="B0000", zzlx="JS-FK", ghdlbm="0103"))
    parcels[1] = (1, parcels[1][1], rec("1003", tbmj=100, bsm="B0001", zzlx="JS-FK", ghdlbm="0103"))
    parcels[2] = (2, parcels[2][1], rec("0702", tbmj=100, bsm="B0002", zzlx="JS-FK", ghdlbm="0103"))
    parcels[3] = (3, parcels[3][1], rec("1104K", tbmj=100, bsm="B0003", zzlx="NY-KF", ghdlbm="0103"))
    found, _e, _dc = run(parcels)
    mism = sorted((f.parcel_id, f.severity) for f in found if f.code == "TYPE_SOURCE_MISMATCH")
    assert mism == [(0, "warning"), (1, "warning")]
    assert "1006" in next(f.message for f in found if f.parcel_id == 0)


def test_units_overlapping_and_outside_the_boundary():
    units = [(1, "U1", box(0, 0, 60, 100)), (2, "U2", box(50, 0, 100, 100))]
    found, _e, _dc = run(tiles(), units=units, units_raw=units, boundary=[box(0, 0, 90, 100)])
    assert codes(found) == ["UNIT_OUTSIDE_BOUNDARY", "UNIT_OVERLAP"]
    assert next(f for f in found if f.code == "UNIT_OVERLAP").area == pytest.approx(1000.0)


def test_three_zones_findings_come_along():
    parcels = tiles()
    parcels[0] = (0, parcels[0][1], rec("0103", tbmj=100, bsm="B0000", zzlx="JS-JX", ghdlbm="0702"))
    zones = Zones(red_line=[box(0, 0, 5, 5)])
    found, _e, _dc = run(parcels, zones=zones)
    assert [(f.code, f.parcel_id, f.area) for f in found] == [("NEW_CONSTRUCTION_IN_RED_LINE", 0, 25.0)]


def test_measured_tbmj_is_a_note():
    found, _e, _dc = run(tiles(), measured={7})
    assert [(f.severity, f.code, f.parcel_id) for f in found] == [("info", "TBMJ_MISSING", 7)]


def test_counts_by_unit_and_kind_names():
    parcels = tiles()
    parcels[0] = (0, parcels[0][1], rec("9999", tbmj=103, bsm="B0000"))
    units = [(1, "U1", box(0, 0, 50, 100)), (2, "U2", box(50, 0, 100, 100))]
    parcels = [p for p in parcels if p[0] != 99]  # a gap in U2
    found, _e, _dc = run(parcels, units=units)
    counts = counts_by_unit(found)
    assert counts["U1"] == {"error": 2, "warning": 0, "info": 0}
    assert counts["U2"] == {"error": 0, "warning": 1, "info": 0}
    assert kind_name("SLIVER") == "Sliver" and kind_name("NOT_A_KIND") == "NOT_A_KIND"


def test_settings_come_from_the_rule_pack_with_defaults():
    national = CheckSettings.from_pack(load_pack("national"))
    assert national == CheckSettings()  # the pack writes out the defaults, with sources
    assert set(load_pack("national").checks["sources"]) >= {"tbmj_tolerance_ratio", "sliver_thinness"}
    assert CheckSettings.from_pack({"overlap_tolerance_m2": 5, "gap_tolerance_m2": "x"}) == CheckSettings(
        overlap_tolerance_m2=5.0)
    assert CheckSettings.from_pack(load_pack("jiangsu")).tbmj_tolerance_ratio == 0.01  # inherited or default


def _signature(findings):
    return sorted((f.code, str(f.parcel_id), f.unit_code, round(f.area or 0.0, 6)) for f in findings)


def test_incremental_updates_equal_a_full_run():
    parcels = tiles()
    e = engine_of(parcels)
    dc = DataChecks()
    dc.run(e)
    quality: dict = {}

    def check():
        fresh = DataChecks()
        fresh.run(e, quality=quality)
        assert _signature(dc.findings()) == _signature(fresh.findings())

    # split parcel 0 (QGIS copies TBMJ onto both pieces): no finding
    e.upsert_parcel(0, box(0, 0, 4, 10), rec(tbmj=100, bsm="B0000"))
    e.upsert_parcel(1000, box(4, 0, 10, 10), rec(tbmj=100, bsm="B0000"))
    dc.update(e, {0, 1000})
    assert dc.findings() == []
    check()
    # move parcel 55 by 3 m: overlap with 65, gap where it was, TBMJ unchanged
    e.upsert_parcel(55, box(53, 50, 63, 60), rec(tbmj=100, bsm="B0055"))
    dc.update(e, {55})
    assert codes(dc.findings()) == ["PARCEL_OVERLAP", "UNIT_GAP"]
    check()
    # tag with a wrong type and unknown class, then delete a parcel
    e.update_parcel_attributes(22, rec("1006", tbmj=100, bsm="B0022", zzlx="JS-FK", ghdlbm="XX"))
    dc.update(e, {22})
    check()
    e.remove_parcel(33)
    dc.update(e, {33})
    check()
    assert codes(dc.findings()) == ["DLBM_UNKNOWN", "PARCEL_OVERLAP", "TYPE_SOURCE_MISMATCH", "TYPE_TARGET_MISMATCH",
                                    "UNIT_GAP", "UNIT_GAP"]
    # put 55 back: overlap and its gap disappear
    e.upsert_parcel(55, box(50, 50, 60, 60), rec(tbmj=100, bsm="B0055"))
    dc.update(e, {55})
    check()
    assert codes(dc.findings()) == ["DLBM_UNKNOWN", "TYPE_SOURCE_MISMATCH", "TYPE_TARGET_MISMATCH", "UNIT_GAP"]
    # a copy pasted on top of parcel 44 (same BSM): a duplicate
    e.upsert_parcel(2000, box(40, 40, 50, 50), rec(tbmj=100, bsm="B0044"))
    dc.update(e, {2000})
    check()
    assert "BSM_DUPLICATE" in codes(dc.findings())


def test_a_bad_checks_section_is_a_rule_pack_problem(tmp_path):
    import json

    from plugin.core.rules import PACK_DIR, RulePackError

    data = json.loads((PACK_DIR / "national.json").read_text(encoding="utf-8"))
    data["checks"]["sliver_thinness"] = "thin"
    data["checks"]["gap_tolerance_m2"] = -1
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    with pytest.raises(RulePackError) as info:
        load_pack(path)
    text = str(info.value) + " ".join(getattr(info.value, "problems", []) or [])
    assert "checks.sliver_thinness" in text and "checks.gap_tolerance_m2" in text
