"""The parcels' geometries go from the reader to the engine as WKB (``read_columns(wkb=True)``, issue 11).

``build_engine`` reads them packed (no GEOS object per parcel) and the engine parses them chunk by
chunk: the engine must be the one the geometries give, on the Arrow path (where GDAL hands a column
of blobs of one size as a numpy void array) and through QGIS.
"""
import numpy as np
import pytest
import shapely
from osgeo import ogr, osr

from plugin.adapters.layers import (
    Inputs,
    ParcelReader,
    build_engine,
    open_layer,
    parcel_fields,
    read_units,
    working_crs,
)
from plugin.core.engine import BalanceEngine
from plugin.core.engine.packed import PackedGeometries
from plugin.core.rules import load_pack
from plugin.demo.writer import write_demo_gpkg


def _squares(path, n=60, null=True):
    """A GeoPackage of equal squares (WKB of one size: without a NULL geometry GDAL's Arrow stream gives them
    as a numpy void array, with one as a masked object array), one with none of its TBMJ; units cutting squares."""
    ds = ogr.GetDriverByName("GPKG").CreateDataSource(str(path))
    srs = osr.SpatialReference()
    srs.ImportFromEPSG(4527)
    lyr = ds.CreateLayer("DLTB", srs, ogr.wkbMultiPolygon)
    for name, kind in (("BSM", ogr.OFTString), ("DLBM", ogr.OFTString), ("TBMJ", ogr.OFTReal)):
        lyr.CreateField(ogr.FieldDefn(name, kind))
    for k in range(n):
        f = ogr.Feature(lyr.GetLayerDefn())
        f.SetField("BSM", f"B{k:04d}")
        f.SetField("DLBM", ("0101", "0103", "0301")[k % 3])
        if k != 7:
            f.SetField("TBMJ", 900.0 + k)
        if k != 3 or not null:
            x, y = 39_500_000 + 30 * (k % 10), 3_400_000 + 30 * (k // 10)
            square = shapely.MultiPolygon([shapely.box(x, y, x + 30, y + 30)])
            f.SetGeometry(ogr.CreateGeometryFromWkb(shapely.to_wkb(square)))
        lyr.CreateFeature(f)
    units = ds.CreateLayer("ZZDY", srs, ogr.wkbMultiPolygon)
    units.CreateField(ogr.FieldDefn("DYBH", ogr.OFTString))
    for k, (x0, y0) in enumerate(((15, 15), (150, 15))):
        f = ogr.Feature(units.GetLayerDefn())
        f.SetField("DYBH", f"U{k}")
        g = shapely.box(39_500_000 + x0, 3_400_000 + y0, 39_500_000 + x0 + 150, 3_400_000 + y0 + 150)
        f.SetGeometry(ogr.CreateGeometryFromWkb(shapely.to_wkb(shapely.MultiPolygon([g]))))
        units.CreateFeature(f)
    ds = None


@pytest.fixture(scope="module")
def squares(tmp_path_factory):
    out = {}
    for null in (True, False):
        out[null] = tmp_path_factory.mktemp("wkb") / "squares.gpkg"
        _squares(out[null], null=null)
    return out


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    path = tmp_path_factory.mktemp("wkb") / "demo.gpkg"
    write_demo_gpkg(str(path), n_parcels=600, seed=3, quirks=True)
    return path


def _from_records(parcels, units):
    """The engine of the record read (shapely geometries, one by one): the reference."""
    crs = working_crs(parcels)
    reader = ParcelReader(parcels, parcel_fields(parcels), crs)
    engine = BalanceEngine(pack=load_pack("national"))
    engine.build(reader.read(), read_units(units, crs))
    return engine


@pytest.mark.parametrize("arrow", [True, False])
@pytest.mark.parametrize("name", ["squares", "squares, no NULL", "demo"])
def test_build_engine_from_wkb_equals_the_build_from_geometries(qgis_app, squares, demo, monkeypatch, arrow, name):
    path = demo if name == "demo" else squares[name == "squares"]
    parcels, units = open_layer(f"{path}|layername=DLTB", "p"), open_layer(f"{path}|layername=ZZDY", "u")
    if not arrow:
        monkeypatch.setattr(ParcelReader, "_arrow_columns", lambda self, *a, **k: None)
    engine, _reader = build_engine(Inputs(parcels, units), load_pack("national"))
    reference = _from_records(parcels, units)
    assert engine.fingerprint() == reference.fingerprint()
    assert engine.parcel_ids() == reference.parcel_ids() and engine.empty_geometry == reference.empty_geometry
    for pid in engine.parcel_ids():
        a, b = engine.parcel_geometry(pid), reference.parcel_geometry(pid)
        assert (a is None) == (b is None) and (a is None or shapely.equals_exact(a, b, 0.0))
        assert engine.parcel_shares(pid) == reference.parcel_shares(pid)
        assert engine.parcel_record(pid) == reference.parcel_record(pid)


@pytest.mark.parametrize("name", ["squares", "squares, no NULL", "demo"])
def test_read_columns_as_wkb_gives_the_geometries(qgis_app, squares, demo, name):
    path = demo if name == "demo" else squares[name == "squares"]
    parcels = open_layer(f"{path}|layername=DLTB", "p")
    fm, crs = parcel_fields(parcels), working_crs(parcels)
    by_wkb, by_geoms = ParcelReader(parcels, fm, crs), ParcelReader(parcels, fm, crs)
    ids_w, wkb, cols_w = by_wkb.read_columns(wkb=True)
    ids_g, geoms, cols_g = by_geoms.read_columns()
    assert isinstance(wkb, PackedGeometries) and len(wkb) == len(geoms) == parcels.featureCount()
    assert ids_w.tolist() == ids_g.tolist() and cols_w.records() == cols_g.records()
    assert by_wkb.measured == by_geoms.measured and by_wkb.measured  # the NULL TBMJ measured from the WKB
    parsed = wkb[np.arange(len(wkb))]
    assert [g is None for g in parsed.tolist()] == [g is None for g in geoms.tolist()]
    assert all(a is None or shapely.equals_exact(a, b, 0.0) for a, b in zip(parsed.tolist(), geoms.tolist()))
