"""A second-survey (二调) parcel file through the CLI: a GBK shapefile written by OGR, with three-digit
codes, TKXS/TKMJ and XZDWMJ/LXDWMJ (docs/domain.md §4). Hand-computed:

* BSM 1: 011 水田 1 000 m², TKMJ 50, XZDWMJ 30 → 0101 920 m² (TBDLMJ = 1000 − 50 − 30), 1203 50 m²;
* BSM 2: 031 有林地 2 000 m² (not one-to-one: 0301 乔木林地, or 竹林地 …) → 0301 2 000 m², reported;
* BSM 3: 013 旱地 1 000 m², TKXS 0.1 → 0103 900 m², 1203 100 m²;
* BSM 4: 203 村庄 500 m²: no 三调 class → unknown, reported.
"""
from __future__ import annotations

import pytest
from osgeo import gdal, ogr, osr

from plugin.adapters.gpkg import read_table
from plugin.cli.app import main

X0, Y0 = 39_500_000.0, 3_500_000.0  # EPSG:4527 (CGCS2000 3° zone 39, zone number in the easting)
PARCELS = [  # BSM, DLBM, DLMC, TBMJ, TKXS, TKMJ, XZDWMJ, LXDWMJ, width (m) of a 25 m deep strip
    ("1", "011", "水田", 1000.0, None, 50.0, 30.0, 0.0, 40),
    ("2", "031", "有林地", 2000.0, None, None, None, None, 80),
    ("3", "013", "旱地", 1000.0, 0.1, None, None, None, 40),
    ("4", "203", "村庄", 500.0, None, None, None, None, 20),
]


def _box(x0: float, width: float) -> ogr.Geometry:
    ring = ogr.Geometry(ogr.wkbLinearRing)
    for x, y in ((x0, 0), (x0 + width, 0), (x0 + width, 25), (x0, 25), (x0, 0)):
        ring.AddPoint_2D(X0 + x, Y0 + y)
    poly = ogr.Geometry(ogr.wkbPolygon)
    poly.AddGeometry(ring)
    return poly


def _write(folder, name: str, fields: list, rows: list) -> str:
    srs = osr.SpatialReference()
    srs.ImportFromEPSG(4527)
    path = str(folder / f"{name}.shp")
    saved = gdal.GetConfigOption("SHAPE_ENCODING")
    gdal.SetConfigOption("SHAPE_ENCODING", None)  # QGIS turns OGR's recoding off; the writer needs it on
    try:
        ds = ogr.GetDriverByName("ESRI Shapefile").CreateDataSource(path)
        lyr = ds.CreateLayer(name, srs, ogr.wkbPolygon, options=["ENCODING=CP936"])
        for fname, ftype in fields:
            lyr.CreateField(ogr.FieldDefn(fname, ftype))
        for values, geom in rows:
            f = ogr.Feature(lyr.GetLayerDefn())
            for (fname, _t), v in zip(fields, values):
                if v is not None:
                    f.SetField(fname, v)
            f.SetGeometry(geom)
            lyr.CreateFeature(f)
        ds = None
    finally:
        gdal.SetConfigOption("SHAPE_ENCODING", saved)
    return path


@pytest.fixture
def erdiao(tmp_path):
    fields = [("BSM", ogr.OFTString), ("DLBM", ogr.OFTString), ("DLMC", ogr.OFTString), ("TBMJ", ogr.OFTReal),
              ("TKXS", ogr.OFTReal), ("TKMJ", ogr.OFTReal), ("XZDWMJ", ogr.OFTReal), ("LXDWMJ", ogr.OFTReal),
              ("ZLDWDM", ogr.OFTString)]
    rows, x = [], 0.0
    for bsm, dlbm, dlmc, tbmj, tkxs, tkmj, xz, lx, width in PARCELS:
        rows.append(((bsm, dlbm, dlmc, tbmj, tkxs, tkmj, xz, lx, "320281101001"), _box(x, width)))
        x += width
    parcels = _write(tmp_path, "dltb2d", fields, rows)
    assert "水田".encode("gbk") in (tmp_path / "dltb2d.dbf").read_bytes()  # really GBK text
    units = _write(tmp_path, "zzdy", [("DYBH", ogr.OFTString)], [(("ZZDY-001",), _box(-1, x + 2))])
    return parcels, units


def test_erdiao_file_runs_with_the_mapping_and_reports_one_to_many_codes(qgis_app, erdiao, tmp_path, capsys):
    parcels, units = erdiao
    out = tmp_path / "balance.gpkg"
    assert main(["balance", "--parcels", parcels, "--units", units, "--out", str(out)]) == 0, capsys.readouterr().err
    text = capsys.readouterr().out
    before = {r["dlbm"]: round(r["area_before_m2"], 3) for r in read_table(out, "balance") if r["unit_code"] == "*"}
    assert before == {"0101": 920.0, "0103": 900.0, "0301": 2000.0, "1203": 150.0, "unknown": 500.0}
    assert "031" in text and "not one-to-one" in text and "0302" in text  # the planner is told to check them
    assert "203" in text and "no third-survey class" in text
