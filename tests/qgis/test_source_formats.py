"""Shapefile (GBK, with and without .cpg) and GeoJSON sources export to a valid GeoPackage with the
Chinese text of the source (ZLDWMC 凤岭村, QSDWMC …), made as real files in the test through OGR."""
from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import pytest
from osgeo import gdal, ogr

from plugin.adapters.gpkg import validate
from plugin.adapters.layers import InputError, open_layer, shapefile_encoding


def _cli(*argv: str) -> int:
    from plugin.cli.app import main

    return main(list(argv))


@pytest.fixture(scope="module")
def demo(make_demo):
    return make_demo(600, 5)


def _texts(path, layer, key="BSM") -> dict:
    ds = ogr.Open(str(path))
    lyr = ds.GetLayerByName(layer) if layer else ds.GetLayer(0)
    return {f.GetField(key): (f.GetField("ZLDWMC"), f.GetField("QSDWMC")) for f in lyr}


def _shapefile(demo: Path, folder: Path, cpg: bool) -> Path:
    folder.mkdir()
    shp = folder / "dltb.shp"
    # QGIS turns OGR's shapefile recoding off for the whole process; the writer needs it on
    saved = gdal.GetConfigOption("SHAPE_ENCODING"), gdal.GetThreadLocalConfigOption("SHAPE_ENCODING")
    gdal.SetConfigOption("SHAPE_ENCODING", None)
    gdal.SetThreadLocalConfigOption("SHAPE_ENCODING", None)
    try:
        gdal.VectorTranslate(str(shp), str(demo), layers=["DLTB"], layerCreationOptions=["ENCODING=CP936"])
    finally:
        gdal.SetConfigOption("SHAPE_ENCODING", saved[0])
        gdal.SetThreadLocalConfigOption("SHAPE_ENCODING", saved[1])
    assert (folder / "dltb.cpg").read_text().strip() == "CP936"
    if not cpg:
        (folder / "dltb.cpg").unlink()
    raw = (folder / "dltb.dbf").read_bytes()
    assert "凤岭村".encode("gbk") in raw and "凤岭村".encode() not in raw  # really GBK bytes
    return shp


def _geojson_mixed(demo: Path, path: Path) -> Path:
    """GeoJSON with Polygon and MultiPolygon features (every other single-part parcel as a Polygon)."""
    src_ds = ogr.Open(str(demo))
    src = src_ds.GetLayerByName("DLTB")
    ds = ogr.GetDriverByName("GeoJSON").CreateDataSource(str(path))
    lyr = ds.CreateLayer("dltb", src.GetSpatialRef(), ogr.wkbUnknown)
    defn = src.GetLayerDefn()
    for i in range(defn.GetFieldCount()):
        lyr.CreateField(defn.GetFieldDefn(i))
    kinds = set()
    for n, f in enumerate(src):
        out = ogr.Feature(lyr.GetLayerDefn())
        out.SetFrom(f)
        g = f.GetGeometryRef()
        if n % 2 and g.GetGeometryType() == ogr.wkbMultiPolygon and g.GetGeometryCount() == 1:
            out.SetGeometry(g.GetGeometryRef(0))
        kinds.add(out.GetGeometryRef().GetGeometryName())
        lyr.CreateFeature(out)
    ds = src_ds = None
    assert kinds == {"POLYGON", "MULTIPOLYGON"}
    return path


def _export(parcels: str, demo: Path, out: Path, *extra: str) -> int:
    return _cli("export", "--parcels", parcels, "--units", f"{demo}|layername=ZZDY", "--out", str(out), *extra)


@pytest.mark.parametrize("cpg", [True, False], ids=["with_cpg", "without_cpg"])
def test_gbk_shapefile_exports_valid_gpkg_with_chinese_text(qgis_app, demo, tmp_path, cpg, capsys):
    shp = _shapefile(demo, tmp_path / "src", cpg)
    before = {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in shp.parent.iterdir()}
    out = tmp_path / "plan.gpkg"
    assert _export(str(shp), demo, out) == 0, capsys.readouterr().err
    assert validate(out) == []
    exported = _texts(out, "parcels")
    expected = _texts(demo, "DLTB")
    assert exported and all(exported[bsm] == expected[bsm] for bsm in exported)
    assert any("凤岭村" in (z or "") for z, _q in exported.values())
    assert before == {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in shp.parent.iterdir()}


def test_encoding_option_is_the_layers_data_source_encoding(qgis_app, demo, tmp_path, capsys):
    shp = _shapefile(demo, tmp_path / "src", cpg=False)
    out = tmp_path / "plan.gpkg"
    assert _export(str(shp), demo, out, "--encoding", "GBK") == 0
    assert any("凤岭村" in (z or "") for z, _q in _texts(out, "parcels").values())
    assert open_layer(str(shp), "p", "GBK").dataProvider().encoding() == "GBK"
    assert shapefile_encoding(str(shp)) == "GBK"
    assert _export(str(shp), demo, tmp_path / "x.gpkg", "--encoding", "NO-SUCH-CODEC") == 2
    assert "NO-SUCH-CODEC" in capsys.readouterr().err
    assert not (tmp_path / "x.gpkg").exists()


def test_undecodable_shapefile_text_is_a_clear_message(qgis_app, demo, tmp_path, capsys):
    shp = _shapefile(demo, tmp_path / "src", cpg=False)
    dbf = shp.with_suffix(".dbf")
    raw = dbf.read_bytes()
    dbf.write_bytes(raw.replace("凤岭村".encode("gbk"), b"\xff\xfe\xff\xfe\xff\xfe", 1))  # neither UTF-8 nor GBK
    digest = hashlib.sha256(dbf.read_bytes()).hexdigest()
    with pytest.raises(InputError, match="--encoding"):
        open_layer(str(shp), "p")
    out = tmp_path / "plan.gpkg"
    assert _export(str(shp), demo, out) == 2
    err = capsys.readouterr().err
    assert "--encoding" in err and "Traceback" not in err
    assert not out.exists() and hashlib.sha256(dbf.read_bytes()).hexdigest() == digest


def test_geojson_with_mixed_polygons_exports_valid_gpkg(qgis_app, demo, tmp_path):
    src = _geojson_mixed(demo, tmp_path / "dltb.geojson")
    out = tmp_path / "plan.gpkg"
    assert _export(str(src), demo, out) == 0
    assert validate(out) == []
    exported = _texts(out, "parcels")
    expected = _texts(demo, "DLTB")
    assert exported and all(exported[bsm] == expected[bsm] for bsm in exported)
    ds = ogr.Open(str(out))
    kinds = {f.GetGeometryRef().GetGeometryName() for f in ds.GetLayerByName("parcels") if f.GetGeometryRef()}
    assert kinds == {"MULTIPOLYGON"}


def test_shapefile_and_gpkg_give_the_same_balance(qgis_app, demo, tmp_path):
    from plugin.adapters.gpkg import read_table

    shp = _shapefile(demo, tmp_path / "src", cpg=False)
    a, b = tmp_path / "a.gpkg", tmp_path / "b.gpkg"
    assert _cli("balance", "--parcels", str(shp), "--units", f"{demo}|layername=ZZDY", "--out", str(a)) == 0
    assert _cli("balance", "--parcels", f"{demo}|layername=DLTB", "--units", f"{demo}|layername=ZZDY",
                "--out", str(b)) == 0
    ra, rb = read_table(a, "balance"), read_table(b, "balance")
    assert [(r["unit_code"], r["dlbm"]) for r in ra] == [(r["unit_code"], r["dlbm"]) for r in rb]
    for x, y in zip(ra, rb):
        assert x["area_before_m2"] == pytest.approx(y["area_before_m2"], abs=0.01)
    shutil.rmtree(tmp_path / "src")
