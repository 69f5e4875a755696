"""Suggestions through the CLI and Processing: the same plan as the core, written as a layer."""
from __future__ import annotations

import pytest

from plugin.adapters.gpkg import read_table
from plugin.adapters.layers import Inputs, build_engine, open_layer
from plugin.cli import main
from plugin.core.rules import load_pack
from plugin.core.suggest import preview, suggest


def src(path, layer):
    return f"{path}|layername={layer}"


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
