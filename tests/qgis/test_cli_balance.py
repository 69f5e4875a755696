"""The headless `balance` command: its contract is what other tools depend on."""
import subprocess
import sys
from pathlib import Path

import pytest
from osgeo import gdal

from plugin.adapters.gpkg import read_table
from plugin.adapters.layers import Inputs, build_engine, open_layer
from plugin.cli.app import main
from plugin.core.rules import load_pack
from plugin.demo.writer import write_demo_gpkg

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    path = tmp_path_factory.mktemp("demo") / "demo.gpkg"
    write_demo_gpkg(str(path), n_parcels=900, seed=7)
    return path


def src(path, layer):
    return f"{path}|layername={layer}"


def engine_for(path):
    inputs = Inputs(open_layer(src(path, "DLTB"), "p"), open_layer(src(path, "ZZDY"), "u"),
                    open_layer(src(path, "YJJBNTTB"), "pbf"), unit_field="DYBH")
    return build_engine(inputs, load_pack("national"))[0]


def test_balance_writes_contract_tables(qgis_app, demo, tmp_path, capsys):
    out = tmp_path / "out.gpkg"
    rc = main(["balance", "--parcels", src(demo, "DLTB"), "--units", src(demo, "ZZDY"),
               "--pbf", src(demo, "YJJBNTTB"), "--out", str(out)])
    assert rc == 0
    balance = read_table(out, "balance")
    assert set(balance[0]) >= {"unit_code", "dlbm", "area_before_m2", "area_after_m2"}
    engine = engine_for(demo)
    assert [(r["unit_code"], r["dlbm"]) for r in balance] == [(r[0], r[1]) for r in engine.balance_rows()]
    codes = {r["unit_code"] for r in balance}
    assert "*" in codes and len(codes) == engine.unit_count() + 1
    # Whole-project rows are the sum of the unit rows (units of the demo do not overlap).
    star = sum(r["area_before_m2"] for r in balance if r["unit_code"] == "*")
    units = sum(r["area_before_m2"] for r in balance if r["unit_code"] != "*")
    assert star == pytest.approx(units, abs=0.01)
    indicators = read_table(out, "indicators")
    fg = [r for r in indicators if r["rule_id"] == "farmland_gain_ratio"]
    assert len(fg) == len(codes)
    for r in fg:
        farm = [b for b in balance if b["unit_code"] == r["unit_code"] and b["dlbm"] in ("0101", "0102", "0103")]
        before = sum(b["area_before_m2"] for b in farm)
        after = sum(b["area_after_m2"] for b in farm)
        assert r["value"] == pytest.approx((after - before) / before)
        assert r["passed"] == int(r["value"] >= 0.05)
    assert {r["rule_id"] for r in indicators} >= {"construction_land_change_m2"}
    printed = capsys.readouterr().out
    assert "ZZDY-001" in printed and "mu" in printed and "m²" in printed


def test_geographic_copy_gives_the_same_balance(qgis_app, demo, tmp_path):
    geo = tmp_path / "geo.gpkg"
    gdal.VectorTranslate(str(geo), str(demo), dstSRS="EPSG:4490", reproject=True)
    projected, geographic = engine_for(demo), engine_for(geo)
    assert set(projected.unit_ids()) == set(geographic.unit_ids())
    worst = 0.0
    for pid, p in projected.parcel_views().items():
        q = geographic.parcel_view(pid)
        assert [t[0] for t in p.pairs] == [t[0] for t in q.pairs]
        tbmj = p.rec.tbmj
        for (_, s1, _), (_, s2, _) in zip(p.pairs, q.pairs):
            worst = max(worst, abs(s1 - s2) * tbmj)
    assert worst <= 0.01, f"largest difference of a parcel share: {worst} m²"
    for a, b in zip(projected.balance_rows(), geographic.balance_rows()):
        assert a[:2] == b[:2]
        assert a[2] == pytest.approx(b[2], abs=0.05) and a[3] == pytest.approx(b[3], abs=0.05)


def run_cli(*args):
    return subprocess.run([sys.executable, "-m", "plugin.cli", *args], cwd=ROOT, capture_output=True, text=True,
                          env={"QT_QPA_PLATFORM": "offscreen", "PATH": "/usr/bin:/bin", "LANG": "C.UTF-8"},
                          timeout=120)


@pytest.mark.parametrize("case", ["missing_layer", "missing_field", "no_units", "bad_pack"])
def test_bad_input_exits_2_with_one_message_and_no_file(demo, tmp_path, case):
    out = tmp_path / "out.gpkg"
    parcels, units, extra = src(demo, "DLTB"), src(demo, "ZZDY"), []
    if case == "missing_layer":
        parcels = src(demo, "NOPE")
    elif case == "missing_field":
        parcels = src(demo, "XMFW")  # a polygon layer without DLBM
    elif case == "no_units":
        empty = tmp_path / "empty.gpkg"
        gdal.VectorTranslate(str(empty), str(demo), layers=["ZZDY"], where="1=0")
        units = src(empty, "ZZDY")
    elif case == "bad_pack":
        extra = ["--rules", str(tmp_path / "missing.json")]
    r = run_cli("balance", "--parcels", parcels, "--units", units, "--out", str(out), *extra)
    assert r.returncode == 2, r.stdout + r.stderr
    assert r.stderr.strip().startswith("Error:") and "Traceback" not in r.stderr
    assert len(r.stderr.strip().splitlines()) == 1
    assert not out.exists()
    assert not list(tmp_path.glob(".out.*"))


def test_unknown_codes_are_warned_and_counted(qgis_app, demo, tmp_path):
    path = tmp_path / "quirky.gpkg"
    gdal.VectorTranslate(str(path), str(demo))
    engine = engine_for(demo)
    uid = engine.ordered_units()[0]
    pid = min(engine.unit_parcel_ids(uid))
    ds = gdal.OpenEx(str(path), gdal.OF_UPDATE)
    ds.ExecuteSQL(f"UPDATE DLTB SET DLBM = 'XX99' WHERE fid = {pid}")
    ds = None
    out = tmp_path / "o.gpkg"
    r = run_cli("balance", "--parcels", src(path, "DLTB"), "--units", src(path, "ZZDY"), "--out", str(out))
    assert r.returncode == 0, r.stderr
    assert "XX99" in r.stdout and "unknown" in r.stdout
    rows = read_table(out, "balance")
    unknown = [row for row in rows if row["dlbm"] == "unknown"]
    assert {row["unit_code"] for row in unknown} >= {engine.unit_code(uid), "*"}
    assert all(row["area_before_m2"] > 0 for row in unknown)


def test_table_rows_are_stored_as_a_new_feature_per_row_stores_them(tmp_path):
    """gpkg.write_table writes a table's rows through one reused feature: every value must land in
    the file exactly as a new feature per row with ``SetField`` puts it (value and SQLite type),
    NULLs and rows shorter than the columns included, and the ids must run 1, 2, 3 …"""
    import sqlite3

    import numpy as np
    from osgeo import ogr

    from plugin.adapters.gpkg import write_table

    columns = [("a", "TEXT"), ("b", "REAL"), ("c", "INTEGER"), ("d", "INTEGER64"), ("e", "TEXT")]
    rows = [("x", 1.5, 1, 2**40, "é"), (None, None, None, None, None), ("y", np.float64(-0.0), True, 7),
            ("", 3, 0, -1, "z"), ("1", 1e300, False, 5, None), ("w",)]
    write_table(tmp_path / "t.gpkg", "fast", columns, rows)
    ds = ogr.GetDriverByName("GPKG").CreateDataSource(str(tmp_path / "ref.gpkg"))
    layer = ds.CreateLayer("fast", None, ogr.wkbNone)
    for name, kind in columns:
        layer.CreateField(ogr.FieldDefn(name, {"TEXT": ogr.OFTString, "REAL": ogr.OFTReal, "INTEGER": ogr.OFTInteger,
                                               "INTEGER64": ogr.OFTInteger64}[kind]))
    for row in rows:
        feat = ogr.Feature(layer.GetLayerDefn())
        for i, value in enumerate(row):
            if value is None:
                feat.SetFieldNull(i)
            else:
                feat.SetField(i, value)
        layer.CreateFeature(feat)
    layer = ds = None

    def stored(path):
        con = sqlite3.connect(path)
        try:
            return con.execute("SELECT fid, a, typeof(a), b, typeof(b), c, typeof(c), d, typeof(d), e, typeof(e) "
                               "FROM fast ORDER BY fid").fetchall()
        finally:
            con.close()

    got = stored(tmp_path / "t.gpkg")
    assert got == stored(tmp_path / "ref.gpkg")
    assert [r[0] for r in got] == list(range(1, len(rows) + 1)) and got[0][1:4] == ("x", "text", 1.5)
