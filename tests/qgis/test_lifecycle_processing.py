"""The life-cycle algorithms through processing.run on the hand-built township (lifecycle_data.py)."""

from __future__ import annotations

import pytest
from lifecycle_data import make_township
from qgis.core import QgsProcessingException, QgsProject, QgsVectorLayer
from qgis_helpers import src

from plugin.adapters.gpkg import read_table
from plugin.adapters.lifecycle_store import TABLE


@pytest.fixture()
def township(tmp_path):
    path = tmp_path / "township.gpkg"
    make_township(path)
    units = QgsVectorLayer(src(path, "ZZDY"), "ZZDY", "ogr")
    QgsProject.instance().addMapLayer(units)
    yield path, units
    QgsProject.instance().removeMapLayer(units.id())


def statuses(path):
    return {r["DYBH"]: r["ZT"] for r in read_table(path, "ZZDY")}


def test_set_status_guarded_and_recorded(provider, township):
    import processing

    path, units = township
    base = {"PARCELS": src(path, "DLTB"), "UNITS": units, "UNIT_FIELD": "DYBH"}
    with pytest.raises(QgsProcessingException, match="KCXS_NOT_FARMLAND"):
        processing.run("landconsolidation:setunitstatus", {**base, "UNIT_CODE": "B", "STATUS": 1})
    with pytest.raises(QgsProcessingException, match="no skipping"):
        processing.run("landconsolidation:setunitstatus", {**base, "UNIT_CODE": "A", "STATUS": 2})
    result = processing.run("landconsolidation:setunitstatus", {**base, "UNIT_CODE": "A", "STATUS": 1})
    assert (result["FROM_STATUS"], result["TO_STATUS"]) == ("储备", "立项")
    assert result["HISTORY"].endswith(f"layername={TABLE}")
    processing.run("landconsolidation:setunitstatus", {**base, "UNIT_CODE": "A", "STATUS": 2})
    with pytest.raises(QgsProcessingException, match="acceptance check first"):
        processing.run("landconsolidation:setunitstatus", {**base, "UNIT_CODE": "A", "STATUS": 3})
    with pytest.raises(QgsProcessingException, match="shortfall"):
        processing.run("landconsolidation:setunitstatus", {**base, "UNIT_CODE": "A", "STATUS": 3,
                                                           "ACHIEVED": src(path, "BGDLTB")})
    with pytest.raises(QgsProcessingException, match="needs a reason"):
        processing.run("landconsolidation:setunitstatus", {**base, "UNIT_CODE": "A", "STATUS": 0})
    processing.run("landconsolidation:setunitstatus", {**base, "UNIT_CODE": "A", "STATUS": 0,
                                                       "REASON": "立项 withdrawn"})
    assert statuses(path) == {"A": "储备", "B": None}
    rows = read_table(path, TABLE)
    assert [(r["unit_code"], r["from_status"], r["to_status"], r["reason"]) for r in rows] == [
        ("A", "储备", "立项", ""), ("A", "立项", "实施", ""), ("A", "实施", "储备", "立项 withdrawn")]
    assert all(r["changed_by"] and r["changed_at"][:2] == "20" for r in rows)
    # the plan GeoPackage hands the history over
    plan = path.parent / "plan.gpkg"
    processing.run("landconsolidation:exportplan", {**base, "OUTPUT": str(plan)})
    assert read_table(plan, TABLE) == rows


def test_acceptance_table_and_progress_report(provider, township, tmp_path):
    import openpyxl
    import processing

    path, _units = township
    base = {"PARCELS": src(path, "DLTB"), "UNITS": src(path, "ZZDY"), "UNIT_FIELD": "DYBH",
            "ACHIEVED": src(path, "BGDLTB"), "ACHIEVED_FIELD": "DLBM"}
    result = processing.run("landconsolidation:acceptancecheck", {**base, "OUTPUT": "TEMPORARY_OUTPUT"})
    rows = [f.attributes() for f in result["OUTPUT"].getFeatures()]
    assert result["SHORT"] == 1 and len(rows) == 1
    unit, zzlx, ghdlbm, planned, achieved, short_m2, short_mu, ratio, complete = rows[0]
    assert (unit, zzlx, ghdlbm, complete) == ("A", "JS-FK", "0103", 0)
    assert (planned, achieved, short_m2) == (pytest.approx(5000.0, rel=1e-6), pytest.approx(4000.0, rel=1e-6),
                                             pytest.approx(1000.0, rel=1e-6))
    assert short_mu == pytest.approx(1.5, rel=1e-6) and ratio == pytest.approx(0.8, rel=1e-6)
    out = tmp_path / "progress.xlsx"
    processing.run("landconsolidation:progressreport", {**base, "OUTPUT": str(out)})
    sheet = openpyxl.load_workbook(out).worksheets[0]
    table = [[c.value for c in r] for r in sheet.iter_rows(min_row=2)]
    assert [r[1] for r in table] == [2, 0, 0, 0, 0]  # both units in reserve (B has no status: 储备)
    assert table[0][3] == pytest.approx(7.5, rel=1e-6) and table[0][4] == pytest.approx(6.0, rel=1e-6)
