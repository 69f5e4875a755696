"""A hand-built township for the life-cycle tests (docs/lifecycle.md); see test_lifecycle_panel.py."""
from __future__ import annotations

from osgeo import ogr, osr

X0, Y0 = 39_500_000.0, 3_300_000.0


def _box(x0, y0, x1, y1):
    ring = ogr.Geometry(ogr.wkbLinearRing)
    for x, y in ((x0, y0), (x1, y0), (x1, y1), (x0, y1), (x0, y0)):
        ring.AddPoint_2D(X0 + x, Y0 + y)
    poly = ogr.Geometry(ogr.wkbPolygon)
    poly.AddGeometry(ring)
    multi = ogr.Geometry(ogr.wkbMultiPolygon)
    multi.AddGeometry(poly)
    return multi


def _layer(ds, name, fields, rows):
    srs = osr.SpatialReference()
    srs.ImportFromEPSG(4527)
    layer = ds.CreateLayer(name, srs, ogr.wkbMultiPolygon)
    for fname, kind in fields:
        layer.CreateField(ogr.FieldDefn(fname, kind))
    for geom, values in rows:
        f = ogr.Feature(layer.GetLayerDefn())
        f.SetGeometry(geom)
        for (fname, _k), v in zip(fields, values):
            if v is not None:
                f.SetField(fname, v)
        layer.CreateFeature(f)


def make_township(path):
    ds = ogr.GetDriverByName("GPKG").CreateDataSource(str(path))
    s, r = ogr.OFTString, ogr.OFTReal
    _layer(ds, "DLTB", [("BSM", s), ("DLBM", s), ("TBMJ", r), ("KCXS", r), ("KCDLBM", s), ("ZZLX", s),
                        ("GHDLBM", s)],
           [(_box(0, 0, 50, 100), ("1", "0702", 5000.0, 0.0, None, "JS-FK", "0103")),
            (_box(50, 0, 100, 100), ("2", "0103", 5000.0, 0.0, None, None, None)),
            (_box(100, 0, 150, 100), ("3", "0702", 5000.0, 0.1, "1203", None, None)),
            (_box(150, 0, 200, 100), ("4", "0103", 5000.0, 0.0, None, None, None))])
    _layer(ds, "ZZDY", [("DYBH", s), ("ZT", s)],
           [(_box(0, 0, 100, 100), ("A", "储备")), (_box(100, 0, 200, 100), ("B", None))])
    _layer(ds, "BGDLTB", [("DLBM", s)],
           [(_box(0, 0, 40, 100), ("0103",)), (_box(40, 0, 50, 100), ("0702",)), (_box(50, 0, 200, 100), ("0103",))])
    ds = None
