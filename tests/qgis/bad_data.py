"""Small bad-data files for the validation tests, generated (nothing big is committed).

Base: EPSG:4548 (CGCS2000 3° zone, CM 117°, no prefix); parcels are 100 m squares near the
central meridian, so ellipsoidal and planar areas agree to < 1e-6.
"""
from __future__ import annotations

import sqlite3
from pathlib import Path

from osgeo import ogr, osr

X0, Y0 = 500_000.0, 3_500_000.0
FIELDS_P = [("BSM", ogr.OFTString), ("DLBM", ogr.OFTString), ("TBMJ", ogr.OFTReal), ("KCXS", ogr.OFTReal),
            ("KCMJ", ogr.OFTReal)]
FIELDS_U = [("DYBH", ogr.OFTString)]


def square(i: int, j: int = 0, size: float = 100.0, x0: float = X0, y0: float = Y0) -> str:
    x, y = x0 + i * size, y0 + j * size
    return f"POLYGON(({x} {y},{x + size} {y},{x + size} {y + size},{x} {y + size},{x} {y}))"


def rect(x0: float, y0: float, x1: float, y1: float) -> str:
    return f"POLYGON(({x0} {y0},{x1} {y0},{x1} {y1},{x0} {y1},{x0} {y0}))"


def parcels_row(k: int, dlbm="0103", tbmj=10_000.0, kcxs=None, kcmj=None, wkt=None) -> tuple:
    return (wkt if wkt is not None else square(k), {"BSM": f"B{k:04d}", "DLBM": dlbm, "TBMJ": tbmj,
                                                     "KCXS": kcxs, "KCMJ": kcmj})


def two_units(code_a="U1", code_b="U2") -> list:
    """U1 over squares 0–1, U2 over squares 2–3."""
    return [(rect(X0, Y0, X0 + 200, Y0 + 100), {"DYBH": code_a}),
            (rect(X0 + 200, Y0, X0 + 400, Y0 + 100), {"DYBH": code_b})]


def write_layer(path: Path, name: str, rows: list, fields=FIELDS_P, epsg: int | None = 4548,
                geom_type=ogr.wkbMultiPolygon, field_types: dict | None = None) -> None:
    ds = ogr.Open(str(path), 1) if path.exists() else ogr.GetDriverByName("GPKG").CreateDataSource(str(path))
    srs = None
    if epsg:
        srs = osr.SpatialReference()
        srs.ImportFromEPSG(epsg)
        srs.SetAxisMappingStrategy(osr.OAMS_TRADITIONAL_GIS_ORDER)
    lyr = ds.CreateLayer(name, srs, geom_type)
    for fname, ftype in fields:
        lyr.CreateField(ogr.FieldDefn(fname, (field_types or {}).get(fname, ftype)))
    for wkt, attrs in rows:
        f = ogr.Feature(lyr.GetLayerDefn())
        for k, v in attrs.items():
            if v is not None:
                f.SetField(k, v)
        if wkt is not None:
            f.SetGeometry(ogr.CreateGeometryFromWkt(wkt))
        lyr.CreateFeature(f)
    ds = None


def set_srs_id(path: Path, table: str, srs_id: int) -> None:
    """Label a GeoPackage table with srs_id 0 (undefined geographic) or -1 (undefined Cartesian)."""
    con = sqlite3.connect(str(path))
    con.execute("update gpkg_geometry_columns set srs_id=? where table_name=?", (srs_id, table))
    con.execute("update gpkg_contents set srs_id=? where table_name=?", (srs_id, table))
    con.commit()
    con.close()


def make(path: Path, parcels: list, units: list | None = None, p_epsg: int | None = 4548,
         u_epsg: int | None = 4548, **kw) -> Path:
    write_layer(path, "DLTB", parcels, epsg=p_epsg, **kw)
    write_layer(path, "ZZDY", two_units() if units is None else units, fields=FIELDS_U, epsg=u_epsg)
    return path


def shifted(wkt_rows: list, dx: float) -> list:
    """Rows with every x shifted by ``dx`` (a zone prefix added or taken away)."""
    out = []
    for wkt, attrs in wkt_rows:
        g = ogr.CreateGeometryFromWkt(wkt)
        for poly in (g if g.GetGeometryType() in (ogr.wkbMultiPolygon,) else [g]):
            for ring in poly:
                for n in range(ring.GetPointCount()):
                    x, y = ring.GetX(n), ring.GetY(n)
                    ring.SetPoint_2D(n, x + dx, y)
        out.append((g.ExportToWkt(), attrs))
    return out
