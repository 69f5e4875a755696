"""The provider's algorithms through processing.run on the demo township: numbers equal the engine's."""

from __future__ import annotations

from pathlib import Path

import pytest
from qgis.core import QgsProcessingException, QgsProcessingFeedback
from qgis_helpers import src

from plugin.adapters.gpkg import read_table
from plugin.adapters.layers import Inputs, build_engine, open_layer
from plugin.adapters.townships import township_results
from plugin.core.rules import bundled_pack

ROOT = Path(__file__).resolve().parents[2]
N_PARCELS = 600


@pytest.fixture(scope="module")
def demo(make_demo):
    return make_demo(N_PARCELS, 5)



def sources(demo: Path) -> dict:
    return {"PARCELS": src(demo, "DLTB"), "UNITS": src(demo, "ZZDY"), "UNIT_FIELD": "DYBH",
            "PBF": src(demo, "YJJBNTTB")}


@pytest.fixture(scope="module")
def engine(demo):
    inputs = Inputs(parcels=open_layer(src(demo, "DLTB"), "parcels"), units=open_layer(src(demo, "ZZDY"), "units"),
                    pbf=open_layer(src(demo, "YJJBNTTB"), "pbf"), unit_field="DYBH")
    engine, _reader = build_engine(inputs, bundled_pack("national"))
    return engine


def cancelled_feedback() -> QgsProcessingFeedback:
    feedback = QgsProcessingFeedback()
    feedback.cancel()
    return feedback


def test_algorithms_are_registered_with_stable_ids(provider):
    ids = {a.id() for a in provider.algorithms()}
    assert {"landconsolidation:computebalance"} <= ids
    for alg in provider.algorithms():
        assert alg.displayName() and alg.group() and alg.groupId() and alg.shortHelpString()
        assert alg.createInstance().name() == alg.name()


# ------------------------------------------------------------------ compute balance
def test_compute_balance_equals_engine(provider, demo, engine, tmp_path):
    import processing

    out = tmp_path / "balance.gpkg"
    result = processing.run("landconsolidation:computebalance",
                            {**sources(demo), "OUTPUT": str(out), "BALANCE": "TEMPORARY_OUTPUT",
                             "INDICATORS": "TEMPORARY_OUTPUT"})
    assert Path(result["OUTPUT"]) == out and out.exists()
    expected = engine.balance_rows()
    rows = [(r["unit_code"], r["dlbm"], r["area_before_m2"], r["area_after_m2"]) for r in read_table(out, "balance")]
    assert len(rows) == len(expected)
    for got, want in zip(rows, expected):
        assert got[:2] == want[:2]
        assert got[2] == pytest.approx(want[2], abs=1e-6) and got[3] == pytest.approx(want[3], abs=1e-6)
    indicators = read_table(out, "indicators")
    # after the units and the project: the township PBF limits, as ``cli balance`` writes them
    pbf = open_layer(src(demo, "YJJBNTTB"), "pbf")
    reader = build_engine(Inputs(open_layer(src(demo, "DLTB"), "parcels"), open_layer(src(demo, "ZZDY"), "units"),
                                 pbf, unit_field="DYBH"), bundled_pack("national"))[1]
    want_ind = [*engine.indicator_rows(), *township_results(engine, pbf, None, reader.crs)]
    assert any(len(r.unit_code) == 9 for r in want_ind)
    assert [(r["unit_code"], r["rule_id"]) for r in indicators] == [(r.unit_code, r.rule_id) for r in want_ind]
    for got, want in zip(indicators, want_ind):
        if want.value is None:
            assert got["value"] is None
        else:
            assert got["value"] == pytest.approx(want.value, rel=1e-12, abs=1e-9)
        assert got["passed"] == (None if want.passed is None else int(want.passed))
    # the optional table sinks carry the same rows
    layer = result["BALANCE"]
    assert layer.featureCount() == len(expected)
    assert sum(f["area_after_m2"] for f in layer.getFeatures()) == pytest.approx(
        sum(r[3] for r in expected), abs=1e-3)
    assert result["INDICATORS"].featureCount() == len(want_ind)
    assert result["UNIT_COUNT"] == engine.unit_count()
    assert result["FAILED_UNITS"] == sum(1 for u in engine.unit_ids() if engine.unit_status(u) is False)


def test_compute_balance_cancelled_writes_nothing(provider, demo, tmp_path):
    import processing

    out = tmp_path / "cancelled.gpkg"
    with pytest.raises(QgsProcessingException, match="Cancelled"):
        processing.run("landconsolidation:computebalance", {**sources(demo), "OUTPUT": str(out)},
                       feedback=cancelled_feedback())
    assert not out.exists()
    assert not [p for p in tmp_path.iterdir()]


def test_compute_balance_with_a_custom_rule_pack_file(provider, demo, tmp_path):
    import processing

    from plugin.core.rules import PACK_DIR

    out = tmp_path / "custom.gpkg"
    result = processing.run("landconsolidation:computebalance",
                            {**sources(demo), "RULE_FILE": str(PACK_DIR / "zhejiang.json"), "OUTPUT": str(out)})
    assert Path(result["OUTPUT"]).exists()
    broken = tmp_path / "broken.json"
    broken.write_text("{not json", encoding="utf-8")
    with pytest.raises(QgsProcessingException):
        processing.run("landconsolidation:computebalance",
                       {**sources(demo), "RULE_FILE": str(broken), "OUTPUT": str(tmp_path / "x.gpkg")})
    assert not (tmp_path / "x.gpkg").exists()


# ------------------------------------------------------------------ plan report
def test_plan_report_xlsx_chinese_headers_and_totals(provider, demo, engine, tmp_path):
    import openpyxl
    import pandas as pd
    import processing

    from plugin.core.areas import MU_M2

    out, csv_out = tmp_path / "report.xlsx", tmp_path / "structure.csv"
    result = processing.run("landconsolidation:planreport",
                            {**sources(demo), "OUTPUT": str(out), "OUTPUT_CSV": str(csv_out)})
    assert Path(result["OUTPUT"]) == out and Path(result["OUTPUT_CSV"]) == csv_out
    codes = [engine.unit_code(u) for u in engine.ordered_units()]
    book = pd.read_excel(out, sheet_name=None, header=1)
    assert list(book) == ["全项目", *codes]
    balance = engine.balance_rows()
    for sheet, code in [("全项目", "*"), *[(c, c) for c in codes]]:
        frame = book[sheet]
        assert list(frame.columns[:4]) == ["三大类", "一级类", "地类编码", "二级类"]
        total = frame[frame["三大类"] == "合计"].iloc[0]
        before = sum(r[2] for r in balance if r[0] == code)
        after = sum(r[3] for r in balance if r[0] == code)
        assert total["整治前面积（公顷）"] == pytest.approx(before / 10_000, abs=1e-9)
        assert total["整治后面积（公顷）"] == pytest.approx(after / 10_000, abs=1e-9)
        assert total["整治前面积（亩）"] == pytest.approx(before / MU_M2, abs=1e-9)
        assert total["变化量（亩）"] == pytest.approx((after - before) / MU_M2, abs=1e-9)
        farmland = frame[frame["一级类"] == "耕地"].iloc[0]
        fb = sum(r[2] for r in balance if r[0] == code and r[1].startswith("01"))
        assert farmland["整治前面积（亩）"] == pytest.approx(fb / MU_M2, abs=1e-9)
        assert "指标评价表" in frame["三大类"].tolist()
    ws = openpyxl.load_workbook(out)["全项目"]
    assert ws.cell(row=3, column=1).value == "农用地" and ws.cell(row=3, column=1).font.bold
    assert ws.cell(row=3, column=5).number_format == "#,##0.00"  # thousands separators, 2 decimals
    assert any(str(r).startswith("A3:") for r in ws.merged_cells.ranges)
    structure = pd.read_csv(csv_out, encoding="utf-8-sig")
    assert {"整治单元", "三大类", "整治前面积（公顷）", "整治后面积（亩）"} <= set(structure.columns)


def test_plan_report_chosen_units_and_unknown_code(provider, demo, engine, tmp_path):
    import pandas as pd
    import processing

    code = engine.unit_code(engine.ordered_units()[0])
    out = tmp_path / "one.xlsx"
    processing.run("landconsolidation:planreport", {**sources(demo), "UNIT_CODES": code, "OUTPUT": str(out)})
    assert list(pd.read_excel(out, sheet_name=None)) == ["全项目", code]
    with pytest.raises(QgsProcessingException, match="NOPE"):
        processing.run("landconsolidation:planreport",
                       {**sources(demo), "UNIT_CODES": "NOPE", "OUTPUT": str(tmp_path / "bad.xlsx")})
    assert not (tmp_path / "bad.xlsx").exists()


def test_plan_report_cancelled(provider, demo, tmp_path):
    import processing

    with pytest.raises(QgsProcessingException, match="Cancelled"):
        processing.run("landconsolidation:planreport", {**sources(demo), "OUTPUT": str(tmp_path / "r.xlsx")},
                       feedback=cancelled_feedback())
    assert list(tmp_path.iterdir()) == []


def test_report_without_openpyxl_explains(monkeypatch, engine, tmp_path):
    import builtins

    from plugin.adapters.report_xlsx import ReportError, write_report

    real_import = builtins.__import__

    def no_openpyxl(name, *args, **kw):
        if name == "openpyxl" or name.startswith("openpyxl."):
            raise ImportError(name)
        return real_import(name, *args, **kw)

    monkeypatch.setattr(builtins, "__import__", no_openpyxl)
    with pytest.raises(ReportError, match="openpyxl"):
        write_report(engine, tmp_path / "x.xlsx")
    assert not (tmp_path / "x.xlsx").exists()


def test_report_cli(qgis_app, demo, engine, tmp_path, capsys):
    import argparse

    import pandas as pd

    from plugin.cli.report import add_command

    ap = argparse.ArgumentParser()
    sub = ap.add_subparsers(dest="command")
    add_command(sub)
    out, ind = tmp_path / "r.xlsx", tmp_path / "ind.csv"
    args = ap.parse_args(["report", "--parcels", src(demo, "DLTB"), "--units", src(demo, "ZZDY"),
                          "--pbf", src(demo, "YJJBNTTB"), "--out", str(out), "--indicators-csv", str(ind)])
    assert args.func(args) == 0
    assert out.exists() and ind.exists()
    frame = pd.read_csv(ind, encoding="utf-8-sig")
    assert list(frame.columns) == ["整治单元", "指标", "指标值", "单位", "要求", "结论", "级别", "依据"]
    assert len(frame) == len(engine.indicator_rows())
    bad = ap.parse_args(["report", "--parcels", src(demo, "NOPE"), "--units", src(demo, "ZZDY"),
                         "--out", str(tmp_path / "bad.xlsx")])
    assert bad.func(bad) == 2 and not (tmp_path / "bad.xlsx").exists()


# ------------------------------------------------------------------ checks
def test_validate_units_finds_overlap_and_outside(provider, tmp_path, qgis_app):
    import processing
    from qgis.core import QgsFeature, QgsGeometry, QgsVectorLayer

    layer = QgsVectorLayer("Polygon?crs=EPSG:4547&field=DYBH:string", "units", "memory")
    feats = []
    for code, wkt in [("A", "POLYGON((500000 3000000,500100 3000000,500100 3000100,500000 3000100,500000 3000000))"),
                      ("B", "POLYGON((500090 3000000,500200 3000000,500200 3000100,500090 3000100,500090 3000000))"),
                      ("B", "POLYGON((600000 3000000,600010 3000000,600010 3000010,600000 3000010,600000 3000000))"),
                      (None, "POLYGON((700000 3000000,700010 3000000,700010 3000010,700000 3000010,700000 3000000))")]:
        f = QgsFeature(layer.fields())
        f.setAttributes([code])
        f.setGeometry(QgsGeometry.fromWkt(wkt))
        feats.append(f)
    layer.dataProvider().addFeatures(feats)
    boundary = QgsVectorLayer("Polygon?crs=EPSG:4547", "xmfw", "memory")
    bf = QgsFeature()
    bf.setGeometry(QgsGeometry.fromWkt(
        "POLYGON((499000 2999000,500150 2999000,500150 3001000,499000 3001000,499000 2999000))"))
    boundary.dataProvider().addFeatures([bf])
    result = processing.run("landconsolidation:validateunits",
                            {"UNITS": layer, "BOUNDARY": boundary, "OUTPUT": "TEMPORARY_OUTPUT"})
    found = {f["code"]: f for f in result["OUTPUT"].getFeatures()}
    assert set(found) == {"UNIT_OVERLAP", "UNIT_DUPLICATE_CODE", "UNIT_NO_CODE", "UNIT_OUTSIDE_BOUNDARY"}
    assert found["UNIT_OVERLAP"]["area_m2"] == pytest.approx(1000.0)
    assert found["UNIT_OVERLAP"].geometry().area() == pytest.approx(1000.0)
    assert result["ERRORS"] == 3 and result["WARNINGS"] >= 1


def test_check_constraints_on_demo_equals_core(provider, demo, engine, tmp_path):
    import processing

    from plugin.adapters.constraints import plan_constraints
    from plugin.adapters.layers import working_crs

    params = {**sources(demo), "RED_LINE": src(demo, "STBHHX"), "UGB": src(demo, "CZKFBJ"),
              "BOUNDARY": src(demo, "XMFW"), "OUTPUT": "TEMPORARY_OUTPUT"}
    result = processing.run("landconsolidation:checkconstraints", params)
    got = sorted((f["code"], f["feature_id"] or "") for f in result["OUTPUT"].getFeatures())
    inputs = Inputs(parcels=open_layer(src(demo, "DLTB"), "p"), units=open_layer(src(demo, "ZZDY"), "u"),
                    pbf=open_layer(src(demo, "YJJBNTTB"), "b"), unit_field="DYBH")
    want = plan_constraints(engine, inputs, working_crs(inputs.parcels), open_layer(src(demo, "STBHHX"), "r"),
                            open_layer(src(demo, "CZKFBJ"), "g"), open_layer(src(demo, "XMFW"), "x"))
    assert got == sorted((f.code, "" if f.parcel_id is None else str(f.parcel_id)) for f in want)
    assert result["ERRORS"] + result["WARNINGS"] == len(want)
    with pytest.raises(QgsProcessingException, match="Cancelled"):
        processing.run("landconsolidation:checkconstraints", params, feedback=cancelled_feedback())


def test_check_constraints_flags_construction_in_red_line(provider, demo, tmp_path):
    """A JS-JX parcel put under a red line drawn over it is an error with its area."""
    import processing
    from qgis.core import QgsFeature, QgsFeatureRequest, QgsVectorLayer

    parcels = QgsVectorLayer(src(demo, "DLTB"), "p", "ogr")
    target = next(f for f in parcels.getFeatures() if f["DLBM"] and str(f["DLBM"]).startswith("01")
                  and not f["ZZLX"])
    copy = parcels.materialize(QgsFeatureRequest())
    copy.startEditing()
    copy.changeAttributeValue(target.id(), copy.fields().indexOf("ZZLX"), "JS-JX")
    copy.changeAttributeValue(target.id(), copy.fields().indexOf("GHDLBM"), "0702")
    red = QgsVectorLayer(f"Polygon?crs={parcels.crs().authid()}", "red", "memory")
    rf = QgsFeature()
    rf.setGeometry(target.geometry())
    red.dataProvider().addFeatures([rf])
    result = processing.run("landconsolidation:checkconstraints",
                            {"PARCELS": copy, "UNITS": src(demo, "ZZDY"), "RED_LINE": red,
                             "OUTPUT": "TEMPORARY_OUTPUT"})
    hits = [f for f in result["OUTPUT"].getFeatures() if f["code"] == "NEW_CONSTRUCTION_IN_RED_LINE"]
    assert len(hits) == 1 and hits[0]["severity"] == "error"
    assert hits[0]["area_m2"] == pytest.approx(target.geometry().area(), rel=1e-6)


# ------------------------------------------------------------------ export
def test_export_plan_algorithm_calls_export(provider, demo, engine, tmp_path):
    import processing

    out = tmp_path / "plan.gpkg"
    result = processing.run("landconsolidation:exportplan", {**sources(demo), "OUTPUT": str(out), "TITLE": "T"})
    assert Path(result["OUTPUT"]) == out.resolve() and result["FILE_COUNT"] == 1
    rows = read_table(out, "balance")
    assert len(rows) == len(engine.balance_rows())
    folder = tmp_path / "units"
    result = processing.run("landconsolidation:exportplan", {**sources(demo), "OUTPUT_FOLDER": str(folder)})
    assert result["FILE_COUNT"] == engine.unit_count() and len(list(folder.glob("*.gpkg"))) == engine.unit_count()
    cancelled = tmp_path / "cancelled.gpkg"
    with pytest.raises(QgsProcessingException, match="(?i)cancel"):
        processing.run("landconsolidation:exportplan", {**sources(demo), "OUTPUT": str(cancelled)},
                       feedback=cancelled_feedback())
    assert not cancelled.exists()


def test_failed_algorithm_does_not_crash_qgis_at_exit(demo, tmp_path):
    """A run that fails (broken rule pack) must not leave layers that outlive QGIS: it segfaulted."""
    import subprocess
    import sys

    broken = tmp_path / "broken.json"
    broken.write_text("{not json", encoding="utf-8")
    script = tmp_path / "run.py"
    script.write_text(f"""
import sys
sys.path[:0] = ["/usr/share/qgis/python/plugins", {str(ROOT)!r}]
from plugin.cli.common import start_qgis
app = start_qgis()
from processing.core.Processing import Processing
Processing.initialize()
from qgis.core import QgsApplication, QgsProcessingException
from plugin.processing.provider import LandConsolidationProvider
provider = LandConsolidationProvider()
QgsApplication.processingRegistry().addProvider(provider)
import processing
try:
    processing.run("landconsolidation:computebalance", {sources(demo)!r} | {{"RULE_FILE": {str(broken)!r},
                   "OUTPUT": {str(tmp_path / "x.gpkg")!r}}})
except QgsProcessingException as exc:
    print("refused:", exc)
QgsApplication.processingRegistry().removeProvider(provider)
app.exitQgis()
print("exited")
""", encoding="utf-8")
    run = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, timeout=180,
                         env={"QT_QPA_PLATFORM": "offscreen", "PATH": "/usr/bin:/bin"})
    assert "refused: The rule pack cannot be used" in run.stdout
    assert run.returncode == 0, run.stderr[-2000:]
    assert run.stdout.rstrip().endswith("exited")
