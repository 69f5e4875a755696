"""Constraint checks (docs/domain.md §8) on hand-made geometries: every finding computed by hand."""

from __future__ import annotations

import pytest
from shapely.geometry import Polygon, box

from plugin.core.checks import (
    ERROR,
    WARNING,
    PlanParcel,
    check_constraints,
    check_units,
    is_new_construction,
    parcels_of_engine,
    summary,
)
from plugin.core.engine import BalanceEngine
from plugin.core.fields import ParcelRecord
from plugin.core.landclasses import default_table
from plugin.core.remediation import remediation_types


def codes(findings):
    return sorted(f.code for f in findings)


def by_code(findings, code):
    return [f for f in findings if f.code == code]


# ------------------------------------------------------------------ units
def test_clean_units_give_no_findings():
    units = [(1, "A", box(0, 0, 100, 100)), (2, "B", box(100, 0, 200, 100))]  # touching only
    assert check_units(units, boundary=[box(0, 0, 200, 100)]) == []


def test_overlap_area_and_geometry():
    units = [(1, "A", box(0, 0, 100, 100)), (2, "B", box(90, 0, 200, 100)), (3, "C", box(500, 500, 600, 600))]
    found = check_units(units)
    assert codes(found) == ["UNIT_OVERLAP"]
    f = found[0]
    assert f.severity == ERROR and f.area == pytest.approx(1000.0)
    assert f.geometry.equals(box(90, 0, 100, 100))
    assert "A" in f.message and "B" in f.message


def test_overlap_below_tolerance_is_ignored():
    units = [(1, "A", box(0, 0, 100, 100)), (2, "B", box(99.995, 0, 200, 100))]  # 0.5 m²
    assert check_units(units, tolerance=1.0) == []
    assert codes(check_units(units, tolerance=0.1)) == ["UNIT_OVERLAP"]


def test_outside_boundary_is_a_warning_with_the_outside_part():
    units = [(1, "A", box(0, 0, 100, 100))]
    found = check_units(units, boundary=[box(0, 0, 60, 100), box(60, 0, 80, 100)])  # boundary in two pieces
    assert codes(found) == ["UNIT_OUTSIDE_BOUNDARY"]
    assert found[0].severity == WARNING
    assert found[0].area == pytest.approx(2000.0)
    assert found[0].geometry.equals(box(80, 0, 100, 100))


def test_empty_invalid_missing_and_duplicate_codes():
    bowtie = Polygon([(0, 0), (10, 10), (10, 0), (0, 10)])
    units = [(1, "A", None), (2, "B", bowtie), (3, None, box(50, 50, 60, 60)), (4, "D", box(70, 70, 80, 80)),
             (5, "D", box(90, 90, 95, 95))]
    found = check_units(units)
    assert codes(found) == ["UNIT_DUPLICATE_CODE", "UNIT_EMPTY", "UNIT_INVALID", "UNIT_NO_CODE"]
    assert by_code(found, "UNIT_NO_CODE")[0].parcel_id == 3
    assert by_code(found, "UNIT_DUPLICATE_CODE")[0].unit_code == "D"
    assert all(f.severity == ERROR for f in found)


# ------------------------------------------------------------------ plan
def parcel(pid, geom, dlbm="0103", ghdlbm=None, zzlx=None, yncz=None, tbmj=None, unit="U1"):
    rec = ParcelRecord(dlbm=dlbm, tbmj=tbmj if tbmj is not None else geom.area, zzlx=zzlx, ghdlbm=ghdlbm, yncz=yncz)
    return PlanParcel(pid, geom, rec, unit)


def test_new_construction_definition():
    table, types = default_table(), remediation_types()
    assert is_new_construction(ParcelRecord(dlbm="0103", zzlx="JS-JX"), table, types)  # linkage build, no class
    assert is_new_construction(ParcelRecord(dlbm="0103", ghdlbm="0702"), table, types)
    assert not is_new_construction(ParcelRecord(dlbm="0601", ghdlbm="0702", zzlx="JS-DX"), table, types)
    assert not is_new_construction(ParcelRecord(dlbm="0702", ghdlbm="0101", zzlx="JS-FK"), table, types)
    assert not is_new_construction(ParcelRecord(dlbm="0103"), table, types)


def test_new_construction_in_pbf_red_line_and_outside_ugb():
    pbf = [box(0, 0, 50, 100)]
    red = [box(0, 0, 100, 10)]
    ugb = [box(0, 0, 100, 60)]
    p = parcel(7, box(0, 0, 100, 100), ghdlbm="0702", zzlx="JS-JX")
    found = check_constraints([p], pbf=pbf, red_line=red, ugb=ugb)
    assert codes(found) == ["NEW_CONSTRUCTION_IN_PBF", "NEW_CONSTRUCTION_IN_RED_LINE", "NEW_CONSTRUCTION_OUTSIDE_UGB"]
    in_pbf = by_code(found, "NEW_CONSTRUCTION_IN_PBF")[0]
    assert in_pbf.severity == ERROR and in_pbf.area == pytest.approx(5000.0) and in_pbf.parcel_id == 7
    assert in_pbf.unit_code == "U1" and in_pbf.geometry.equals(box(0, 0, 50, 100))
    assert by_code(found, "NEW_CONSTRUCTION_IN_RED_LINE")[0].area == pytest.approx(1000.0)
    out_ugb = by_code(found, "NEW_CONSTRUCTION_OUTSIDE_UGB")[0]
    assert out_ugb.severity == WARNING and out_ugb.area == pytest.approx(4000.0)
    assert out_ugb.geometry.equals(box(0, 60, 100, 100))


def test_no_construction_findings_for_other_changes_or_clear_zones():
    pbf = [box(0, 0, 100, 100)]
    reclaim = parcel(1, box(0, 0, 10, 10), dlbm="0702", ghdlbm="0101", zzlx="JS-FK")
    build_elsewhere = parcel(2, box(200, 0, 210, 10), ghdlbm="0702", zzlx="JS-JX")
    moved_out_then_built = parcel(3, box(20, 20, 30, 30), ghdlbm="0702", zzlx="JS-JX", yncz="OUT")
    inside_ugb = check_constraints([build_elsewhere], ugb=[box(150, -50, 300, 50)])
    assert inside_ugb == []
    found = check_constraints([reclaim, build_elsewhere, moved_out_then_built], pbf=pbf)
    # only the in/out balance speaks about parcel 3 (nothing brought in)
    assert codes(found) == ["PBF_AREA_SHORTFALL"]


def test_pbf_out_not_matched_by_in():
    pbf = [box(0, 0, 100, 100)]
    out_parcel = parcel(1, box(0, 0, 100, 100), yncz="OUT", tbmj=10000.0)
    in_parcel = parcel(2, box(200, 0, 260, 100), yncz="IN", tbmj=6000.0)
    found = check_constraints([out_parcel, in_parcel], pbf=pbf)
    assert codes(found) == ["PBF_AREA_SHORTFALL"]
    assert found[0].severity == ERROR and found[0].area == pytest.approx(4000.0)
    assert found[0].geometry.equals(box(0, 0, 100, 100))
    # half of the OUT parcel is outside PBF: only 5000 m² moved out -> 6000 brought in is enough
    half = parcel(1, box(50, 0, 150, 100), yncz="OUT", tbmj=10000.0)
    assert check_constraints([half, in_parcel], pbf=pbf) == []


def test_pbf_area_without_layer_counts_whole_parcels():
    found = check_constraints([parcel(1, box(0, 0, 10, 10), yncz="OUT", tbmj=100.0),
                               parcel(2, box(20, 0, 30, 10), yncz="IN", tbmj=99.5)], tolerance=0.1)
    assert codes(found) == ["PBF_AREA_SHORTFALL"] and found[0].area == pytest.approx(0.5)


def test_pbf_quality_area_weighted():
    pbf = [box(0, 0, 100, 100)]
    outs = [parcel(1, box(0, 0, 50, 100), yncz="OUT"), parcel(2, box(50, 0, 100, 100), yncz="OUT")]
    ins = [parcel(3, box(200, 0, 300, 100), yncz="IN"), parcel(4, box(300, 0, 350, 100), yncz="IN")]
    # out: 5000 m² grade 2 + 5000 grade 4 -> 3.0; in: 10000 grade 3 + 5000 grade 4 -> 3.333…
    gddb = {1: 2, 2: 4, 3: 3, 4: 4}
    found = check_constraints(outs + ins, pbf=pbf, gddb=gddb)
    assert codes(found) == ["PBF_QUALITY_WORSE"]
    assert found[0].severity == WARNING and "3.33" in found[0].message and "3.00" in found[0].message
    gddb[4] = 2  # in: (30000 + 10000) / 15000 = 2.67 < 3 -> better
    assert check_constraints(outs + ins, pbf=pbf, gddb=gddb) == []
    assert codes(check_constraints(outs + ins, pbf=pbf, gddb={1: 2, 2: 4})) == ["PBF_QUALITY_UNKNOWN"]


def test_remediation_type_targets_and_unknown_types():
    ok = parcel(1, box(0, 0, 10, 10), dlbm="0103", ghdlbm="0101", zzlx="NY-TZ")
    ok_suffix = parcel(2, box(0, 0, 10, 10), dlbm="0702", ghdlbm="0101", zzlx="js-fk")  # case-insensitive
    wrong = parcel(3, box(0, 0, 10, 10), dlbm="0103", ghdlbm="0301", zzlx="NY-TZ")  # 旱改水 must give 0101
    unknown = parcel(4, box(0, 0, 10, 10), dlbm="0103", ghdlbm="0101", zzlx="XX-99")
    no_target = parcel(5, box(0, 0, 10, 10), dlbm="0103", zzlx="NY-GB")  # no GHDLBM: nothing to check
    found = check_constraints([ok, ok_suffix, wrong, unknown, no_target])
    assert codes(found) == ["TYPE_TARGET_MISMATCH", "TYPE_UNKNOWN"]
    assert by_code(found, "TYPE_TARGET_MISMATCH")[0].parcel_id == 3
    assert "0101" in by_code(found, "TYPE_TARGET_MISMATCH")[0].message
    assert by_code(found, "TYPE_UNKNOWN")[0].parcel_id == 4
    assert all(f.severity == WARNING for f in found)


def test_parcel_without_geometry_still_checked_for_types():
    rec = ParcelRecord(dlbm="0103", tbmj=100.0, zzlx="XX", ghdlbm="0702")
    found = check_constraints([PlanParcel(1, None, rec)], pbf=[box(0, 0, 10, 10)])
    assert codes(found) == ["TYPE_UNKNOWN"]


def test_cancel_and_progress():
    parcels = [parcel(i, box(i * 10, 0, i * 10 + 5, 5), ghdlbm="0702") for i in range(5)]
    seen = []
    assert check_constraints(parcels, pbf=[box(0, 0, 1000, 5)], cancelled=lambda: True) == []
    found = check_constraints(parcels, pbf=[box(0, 0, 1000, 5)], progress=seen.append)
    assert len(found) == 5 and seen[-1] == 1.0
    assert summary(found) == {ERROR: 5, WARNING: 0}


def test_parcels_of_engine_take_the_unit_with_most_of_the_parcel():
    engine = BalanceEngine()
    parcels = [(1, box(0, 0, 100, 100), ParcelRecord(dlbm="0103", tbmj=10000.0, ghdlbm="0702", zzlx="JS-JX")),
               (2, box(500, 0, 510, 10), ParcelRecord(dlbm="0103", tbmj=100.0))]
    engine.build(parcels, [(10, "A", box(0, 0, 30, 100)), (11, "B", box(30, 0, 100, 100))])
    plan = {pp.pid: pp for pp in parcels_of_engine(engine)}
    assert plan[1].unit_code == "B" and plan[2].unit_code is None
    found = check_constraints(plan.values(), pbf=[box(0, 0, 10, 10)])
    assert codes(found) == ["NEW_CONSTRUCTION_IN_PBF"] and found[0].unit_code == "B"
