"""Suggestions through the CLI and Processing: the same plan as the core, written as a layer."""
from __future__ import annotations

import pytest
from qgis_helpers import src

from plugin.adapters.gpkg import read_table
from plugin.adapters.layers import Inputs, build_engine, open_layer
from plugin.cli.app import main
from plugin.core.rules import load_pack
from plugin.core.suggest import preview, suggest


@pytest.fixture(scope="module")
def demo(make_demo):
    return make_demo(3500, 42)  # the demo township: ZZDY-003 fails the 5 % farmland rule (2.56 %)


def engine_for(path):
    inputs = Inputs(open_layer(src(path, "DLTB"), "p"), open_layer(src(path, "ZZDY"), "u"),
                    open_layer(src(path, "YJJBNTTB"), "pbf"), unit_field="DYBH")
    engine, reader = build_engine(inputs, load_pack("national"))
    return engine, reader, inputs


def test_cli_suggest_writes_the_plan_that_reaches_the_target(qgis_app, demo, tmp_path, capsys):
    out = tmp_path / "suggestions.gpkg"
    rc = main(["suggest", "--parcels", src(demo, "DLTB"), "--units", src(demo, "ZZDY"), "--pbf",
               src(demo, "YJJBNTTB"), "--redline", src(demo, "STBHHX"), "--unit", "ZZDY-003", "--out", str(out)])
    assert rc == 0
    rows = read_table(out, "suggestions")
    plan = [r for r in rows if r["in_plan"] == 1]
    assert plan and [r["rank"] for r in rows] == list(range(1, len(rows) + 1))
    assert all(r["unit_code"] == "ZZDY-003" and r["rule_id"] == "farmland_gain_ratio" for r in rows)
    # the value with the whole plan tagged reaches 5 %, one parcel fewer does not
    assert plan[-1]["value_after_top_k"] >= 0.05
    assert len(plan) == 1 or plan[-2]["value_after_top_k"] < 0.05
    engine, _reader, _inputs = engine_for(demo)
    uid = next(u for u in engine.unit_ids() if engine.unit_code(u) == "ZZDY-003")
    s = suggest(engine, uid, red_line=[g for g in _red_line(demo)])
    assert [str(c.pid) for c in s.plan] == [r["feature_id"] for r in plan]
    results, _ = preview(engine, uid, s.plan)
    assert all(r.passed for r in results if r.passed is not None)
    printed = capsys.readouterr().out
    assert "ZZDY-003" in printed and "2.56%" in printed


def _red_line(path):
    from plugin.adapters.layers import read_polygons, working_crs

    layer = open_layer(src(path, "STBHHX"), "red")
    return read_polygons(layer, working_crs(open_layer(src(path, "DLTB"), "p")))


def test_cli_suggest_unknown_unit_exits_2(qgis_app, demo, tmp_path, capsys):
    out = tmp_path / "s.gpkg"
    rc = main(["suggest", "--parcels", src(demo, "DLTB"), "--units", src(demo, "ZZDY"), "--unit", "NOPE",
               "--out", str(out)])
    assert rc == 2 and not out.exists()
    assert "NOPE" in capsys.readouterr().err


def test_processing_suggest_equals_the_cli(provider, demo, tmp_path):
    import processing

    out = tmp_path / "p.gpkg"
    result = processing.run("landconsolidation:suggest", {
        "PARCELS": src(demo, "DLTB"), "UNITS": src(demo, "ZZDY"), "UNIT_FIELD": "DYBH", "PBF": src(demo, "YJJBNTTB"),
        "RED_LINE": src(demo, "STBHHX"), "UNIT": "ZZDY-003", "OUTPUT": str(out)})
    assert result["REACHED"] == 1 and result["VALUE_AFTER"] >= 0.05
    cli = tmp_path / "c.gpkg"
    assert main(["suggest", "--parcels", src(demo, "DLTB"), "--units", src(demo, "ZZDY"), "--pbf",
                 src(demo, "YJJBNTTB"), "--redline", src(demo, "STBHHX"), "--unit", "ZZDY-003", "--out", str(cli)]) == 0
    rows = _rows(out)
    assert [(r["feature_id"], r["in_plan"], r["zzlx"], r["ghdlbm"]) for r in rows] == \
        [(r["feature_id"], r["in_plan"], r["zzlx"], r["ghdlbm"]) for r in read_table(cli, "suggestions")]
    assert result["PARCELS"] == sum(r["in_plan"] for r in rows)
    from qgis.core import QgsProcessingException

    with pytest.raises(QgsProcessingException, match="NOPE"):
        processing.run("landconsolidation:suggest", {"PARCELS": src(demo, "DLTB"), "UNITS": src(demo, "ZZDY"),
                                                     "UNIT": "NOPE", "OUTPUT": str(tmp_path / "x.gpkg")})


def _rows(path):
    from osgeo import ogr

    ds = ogr.Open(str(path))
    layer = ds.GetLayer(0)
    return [{k: f.GetField(k) for k in ("feature_id", "in_plan", "zzlx", "ghdlbm")} for f in layer]


def test_a_set_up_layer_since_removed_is_no_default_of_the_dialogs(qgis_new_project, qgis_iface, demo):
    """The toolbox dialogs start from the project's set-up; a layer it names that is no longer in the
    project gives no default (an invalid one would make Processing refuse the run: "Incorrect
    parameter value for PBF" although the planner left PBF empty)."""
    from qgis.core import QgsProject

    from plugin.adapters.project_config import SessionConfig
    from plugin.processing.algorithms.common import PARCELS, PBF, UNITS
    from plugin.processing.algorithms.suggest import SuggestAlgorithm
    from tests.qgis.qgis_helpers import add_layers

    layers = add_layers(demo, ("DLTB", "ZZDY", "YJJBNTTB"))
    project = QgsProject.instance()
    try:
        config = SessionConfig(parcels=layers["DLTB"].id(), units=layers["ZZDY"].id(), pbf=layers["YJJBNTTB"].id())
        config.write(project)
        assert SuggestAlgorithm().create().parameterDefinition(PBF).defaultValue() == layers["YJJBNTTB"].id()
        project.removeMapLayer(layers["YJJBNTTB"].id())
        algorithm = SuggestAlgorithm().create()
        assert algorithm.parameterDefinition(PBF).defaultValue() is None
        assert algorithm.parameterDefinition(PARCELS).defaultValue() == layers["DLTB"].id()
        assert algorithm.parameterDefinition(UNITS).defaultValue() == layers["ZZDY"].id()
    finally:
        qgis_iface.newProject()
