"""集中连片 in QGIS: the balance panel's table follows edits, and the plan GeoPackage carries it."""
from __future__ import annotations

from pathlib import Path

import pytest
from osgeo import ogr
from test_docks import demo_file, project, settle, ui, untagged_in_units  # noqa: F401 (fixtures)

from plugin.adapters.contiguity import compute
from plugin.adapters.export import export_plan
from plugin.adapters.layers import Inputs, build_engine, open_layer
from plugin.core.contiguity import LAYERS, PROJECT
from plugin.core.rules import bundled_pack


def _farmland(engine, uid=None, column=0):
    return sum(v[column] for code, v in engine.class_areas(uid).items() if engine.table.is_farmland(code))


def test_panel_shows_contiguity_and_follows_a_tag_without_a_rebuild(ui):  # noqa: F811
    session, docks, layers = ui
    balance, tagging = docks["balance"], docks["tagging"]
    balance.refresh()
    rows = balance.contiguity_view.displayed_rows()
    assert len(rows) == len(LAYERS) and all(r[1].isdigit() for r in rows)
    state = session.contiguity.state()
    engine = session.engine
    before = state.stats(PROJECT)
    assert before["farmland_before"].total == pytest.approx(_farmland(engine, None, 0), abs=1e-3)
    assert int(rows[0][1]) == before["farmland_before"].count

    ids = untagged_in_units(session, layers["DLTB"])
    layers["DLTB"].selectByIds(ids)
    tagging.set_type("NY-HF")
    tagging.set_target("0101")
    assert tagging.apply_to_selected() == len(ids)
    settle(session)
    balance.refresh()
    assert session.contiguity.state() is state  # updated in place, not built again
    after = state.stats(PROJECT)["farmland_after"]
    assert after.total == pytest.approx(_farmland(session.engine, None, 1), abs=1e-3)
    assert after.total > before["farmland_after"].total
    fresh, _reader = build_engine(session.live.inputs, session.live.pack)
    assert state.snapshot() == compute(fresh).snapshot()
    shown = balance.contiguity_view.displayed_rows()
    assert int(shown[1][1]) == after.count
    layers["DLTB"].rollBack()
    settle(session)


def test_plan_geopackage_has_the_patches_layer_and_table(demo_file, tmp_path):  # noqa: F811
    src = Path(demo_file)
    inputs = Inputs(parcels=open_layer(f"{src}|layername=DLTB", "parcels"),
                    units=open_layer(f"{src}|layername=ZZDY", "units"),
                    pbf=open_layer(f"{src}|layername=YJJBNTTB", "pbf"), unit_field="DYBH")
    out = tmp_path / "plan.gpkg"
    export_plan(inputs, bundled_pack("national"), out)
    engine, _reader = build_engine(inputs, bundled_pack("national"))
    ds = ogr.Open(str(out))
    patches = ds.GetLayerByName("farmland_patches")
    assert patches is not None and patches.GetGeomType() == ogr.wkbMultiPolygon
    rows = [f.items() for f in patches]
    project_before = [r for r in rows if r["unit_code"] == "*" and r["layer"] == "farmland_before"]
    assert sum(r["area_m2"] for r in project_before) == pytest.approx(_farmland(engine, None, 0), abs=1e-3)
    assert [r["patch"] for r in project_before] == list(range(1, len(project_before) + 1))
    assert all(r["area_m2"] >= r2["area_m2"] for r, r2 in zip(project_before, project_before[1:]))
    for uid in engine.ordered_units():
        code = engine.unit_code(uid)
        unit_rows = [r for r in rows if r["unit_code"] == code and r["layer"] == "farmland_after"]
        assert sum(r["area_m2"] for r in unit_rows) == pytest.approx(_farmland(engine, uid, 1), abs=1e-3)
    stats = {(f["unit_code"], f["layer"]): f.items() for f in ds.GetLayerByName("farmland_patch_stats")}
    assert set(stats) == {(c, layer) for c in ["*"] + [engine.unit_code(u) for u in engine.ordered_units()]
                          for layer in LAYERS}
    s = stats[("*", "farmland_before")]
    assert s["patches"] == len(project_before)
    assert s["largest_m2"] == pytest.approx(max(r["area_m2"] for r in project_before))
    big = [r for r in project_before if r["area_mu"] >= 100]
    assert s["block_100_count"] == len(big) == sum(1 for r in project_before if r["block"] is not None)


@pytest.mark.parametrize("chinese", [True, False])
def test_xlsx_report_shows_each_scopes_contiguity_right_of_the_tables(demo_file, tmp_path, chinese):  # noqa: F811
    import openpyxl

    from plugin.adapters.report_xlsx import write_report
    from plugin.core.areas import MU_M2

    src = Path(demo_file)
    inputs = Inputs(parcels=open_layer(f"{src}|layername=DLTB", "parcels"),
                    units=open_layer(f"{src}|layername=ZZDY", "units"),
                    pbf=open_layer(f"{src}|layername=YJJBNTTB", "pbf"), unit_field="DYBH")
    engine, _reader = build_engine(inputs, bundled_pack("national"))
    book = openpyxl.load_workbook(write_report(engine, tmp_path / "r.xlsx", chinese=chinese))
    assert len(book.sheetnames) == 1 + engine.unit_count()  # no sheet added: the numbers sit on each sheet
    uids = [None, *engine.ordered_units()]
    for name, uid in zip(book.sheetnames, uids):
        sheet = book[name]
        assert sheet["L2"].value == ("图层" if chinese else "Layer")
        assert sheet["P2"].value == ("最大连片（亩）" if chinese else "Largest (mu)")
        assert sheet["Q2"].value == ("百亩方个数" if chinese else "100-mu blocks: count")
        assert sheet["L3"].value == ("耕地（整治前）" if chinese else "Farmland before")
        assert sheet["N3"].value == pytest.approx(_farmland(engine, uid, 0) / MU_M2, abs=1e-6)
        assert sheet["N4"].value == pytest.approx(_farmland(engine, uid, 1) / MU_M2, abs=1e-6)
        assert sheet["N5"].value == pytest.approx(engine.variables(uid)["pbf_before"] / MU_M2, abs=1e-6)


def test_cli_prints_and_writes_the_patches(demo_file, tmp_path, capsys):  # noqa: F811
    from plugin.adapters.gpkg import read_table
    from plugin.cli.app import main

    src = Path(demo_file)
    out = tmp_path / "patches.gpkg"
    args = ["contiguity", "--parcels", f"{src}|layername=DLTB", "--units", f"{src}|layername=ZZDY",
            "--pbf", f"{src}|layername=YJJBNTTB"]
    assert main([*args, "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    inputs = Inputs(parcels=open_layer(f"{src}|layername=DLTB", "parcels"),
                    units=open_layer(f"{src}|layername=ZZDY", "units"),
                    pbf=open_layer(f"{src}|layername=YJJBNTTB", "pbf"), unit_field="DYBH")
    engine, _reader = build_engine(inputs, bundled_pack("national"))
    block_word = "百亩方" if "百亩方" in printed else "100-mu blocks"
    assert "5.0 m" in printed and printed.count(block_word) == len(LAYERS) * (1 + engine.unit_count())
    stats = {(r["unit_code"], r["layer"]): r for r in read_table(out, "farmland_patch_stats")}
    want = compute(engine).stats(PROJECT)["farmland_after"]
    assert stats[("*", "farmland_after")]["patches"] == want.count
    assert stats[("*", "farmland_after")]["total_m2"] == pytest.approx(_farmland(engine, None, 1), abs=1e-3)
    # a wider gap joins patches: never more of them, the same total
    assert main([*args, "--gap", "50", "--out", str(tmp_path / "wide.gpkg")]) == 0
    wide = {(r["unit_code"], r["layer"]): r for r in read_table(tmp_path / "wide.gpkg", "farmland_patch_stats")}
    assert wide[("*", "farmland_after")]["patches"] < want.count
    assert wide[("*", "farmland_after")]["total_m2"] == pytest.approx(want.total, abs=1e-3)
    code = engine.unit_code(engine.ordered_units()[0])
    assert main([*args, "--unit", code]) == 0
    assert main([*args, "--unit", "NO-SUCH-UNIT"]) == 2


def test_processing_algorithm_gives_the_same_patches(qgis_processing, demo_file, tmp_path):  # noqa: F811
    import processing
    from qgis.core import QgsApplication, QgsVectorLayer

    from plugin.processing.provider import PROVIDER_ID, LandConsolidationProvider

    registry = QgsApplication.processingRegistry()
    if registry.providerById(PROVIDER_ID) is not None:
        registry.removeProvider(PROVIDER_ID)
    assert registry.addProvider(LandConsolidationProvider())
    try:
        src = Path(demo_file)
        params = {"PARCELS": f"{src}|layername=DLTB", "UNITS": f"{src}|layername=ZZDY", "UNIT_FIELD": "DYBH",
                  "PBF": f"{src}|layername=YJJBNTTB", "OUTPUT": str(tmp_path / "patches.gpkg"),
                  "STATS": str(tmp_path / "stats.gpkg")}
        result = processing.run("landconsolidation:contiguity", params)
    finally:
        registry.removeProvider(PROVIDER_ID)
    inputs = Inputs(parcels=open_layer(f"{src}|layername=DLTB", "parcels"),
                    units=open_layer(f"{src}|layername=ZZDY", "units"),
                    pbf=open_layer(f"{src}|layername=YJJBNTTB", "pbf"), unit_field="DYBH")
    engine, _reader = build_engine(inputs, bundled_pack("national"))
    want = compute(engine).stats(PROJECT)["farmland_after"]
    assert result["PATCHES"] == want.count and result["BLOCKS"] == want.blocks[0][1]
    layer = QgsVectorLayer(result["OUTPUT"], "patches", "ogr")
    feats = [f for f in layer.getFeatures() if f["unit_code"] == "*" and f["layer"] == "farmland_after"]
    assert len(feats) == want.count
    assert sum(f["area_m2"] for f in feats) == pytest.approx(want.total, abs=1e-3)
    assert all(f.geometry().area() > 0 for f in feats)
    stats = QgsVectorLayer(result["STATS"], "stats", "ogr")
    assert stats.featureCount() == len(LAYERS) * (1 + engine.unit_count())
