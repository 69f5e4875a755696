"""The fast GeoPackage read (GDAL Arrow stream) gives exactly what reading through QGIS gives."""
import pytest

from plugin.adapters import fast_read, layers
from plugin.adapters.layers import Inputs, ParcelReader, build_engine, open_layer, parcel_fields, working_crs
from plugin.core.engine import BalanceEngine
from plugin.core.rules import load_pack
from plugin.demo.writer import write_demo_gpkg


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    path = tmp_path_factory.mktemp("fast") / "demo.gpkg"
    write_demo_gpkg(str(path), n_parcels=800, seed=5, quirks=True)  # quirks: a NULL TBMJ, an unknown code
    return path


def _layers(path):
    return (open_layer(f"{path}|layername=DLTB", "p"), open_layer(f"{path}|layername=ZZDY", "u"),
            open_layer(f"{path}|layername=YJJBNTTB", "pbf"))


def _both(parcels, units, pbf):
    """(records, fingerprint, measured) of the QGIS path and of the fast path."""
    pack = load_pack("national")
    fm = parcel_fields(parcels)
    crs = working_crs(parcels)
    unit_rows = layers.read_units(units, crs)
    pbf_geoms = layers.read_polygons(pbf, crs)
    out = []
    for fast in (False, True):
        reader = ParcelReader(parcels, fm, crs)
        rows = reader.read_fast() if fast else reader.read()
        assert rows is not None
        engine = BalanceEngine(pack=pack)
        engine.build(list(rows), unit_rows, pbf=pbf_geoms)
        out.append((rows, engine.fingerprint(), set(reader.measured)))
    return out


def _same_rows(a, b):
    assert [fid for fid, _g, _r in a] == [fid for fid, _g, _r in b]
    assert [r for _f, _g, r in a] == [r for _f, _g, r in b]
    for (_f, ga, _r), (_f2, gb, _r2) in zip(a, b):
        assert (ga is None) == (gb is None)
        if ga is not None:
            assert ga.geom_type == gb.geom_type and ga.equals_exact(gb, 0)


def test_fast_read_equals_qgis_read(qgis_app, demo):
    parcels, units, pbf = _layers(demo)
    (rows_q, fp_q, measured_q), (rows_f, fp_f, measured_f) = _both(parcels, units, pbf)
    assert len(rows_q) == parcels.featureCount() > 0
    _same_rows(rows_q, rows_f)
    assert fp_q == fp_f
    assert measured_q == measured_f and measured_q  # the NULL TBMJ was measured on the ellipsoid


def test_fast_read_honours_subset_string(qgis_app, demo):
    parcels, units, pbf = _layers(demo)
    assert parcels.setSubsetString("\"DLBM\" LIKE '01%' OR \"ZZLX\" IS NOT NULL")
    (rows_q, fp_q, _m), (rows_f, fp_f, _m2) = _both(parcels, units, pbf)
    assert 0 < len(rows_q) < 800
    _same_rows(rows_q, rows_f)
    assert fp_q == fp_f


def test_build_engine_uses_fast_path_and_gives_the_same_engine(qgis_app, demo, monkeypatch):
    parcels, units, pbf = _layers(demo)
    pack = load_pack("national")
    calls = []
    real = ParcelReader.read
    monkeypatch.setattr(ParcelReader, "read", lambda self, *a, **k: calls.append("qgis") or real(self, *a, **k))
    fast_engine, reader = build_engine(Inputs(parcels, units, pbf), pack)
    assert calls == []
    assert reader.warnings()  # the measured parcel is reported as on the QGIS path
    monkeypatch.setattr(ParcelReader, "read_fast", lambda self, *a, **k: None)
    qgis_engine, _r = build_engine(Inputs(parcels, units, pbf), pack)
    assert calls == ["qgis"]
    assert fast_engine.fingerprint() == qgis_engine.fingerprint()


def test_unsaved_edits_are_read_through_qgis(qgis_app, demo, monkeypatch):
    parcels, units, pbf = _layers(demo)
    fm = parcel_fields(parcels)
    assert ParcelReader(parcels, fm, working_crs(parcels)).read_fast() is not None
    assert parcels.startEditing()
    try:
        fid = next(parcels.getFeatures()).id()
        assert parcels.changeAttributeValue(fid, parcels.fields().indexOf("DLBM"), "0301")
        assert parcels.isModified()
        assert ParcelReader(parcels, fm, working_crs(parcels)).read_fast() is None
        calls = []
        real = ParcelReader.read
        monkeypatch.setattr(ParcelReader, "read", lambda self, *a, **k: calls.append(1) or real(self, *a, **k))
        engine, _r = build_engine(Inputs(parcels, units, pbf), load_pack("national"))
        assert calls == [1]
        assert engine.parcel_record(fid).dlbm == "0301"
    finally:
        parcels.rollBack()


def test_a_filtered_read_is_streamed_by_gdals_generic_implementation(qgis_app, demo):
    """GDAL's GeoPackage Arrow worker threads race when an attribute filter is set (OSGeo/gdal#10757):
    on GDAL 3.10 about 1 filtered read in 40 gave wrong records or "SystemError: Negative size…"
    (docs/testing.md, "Arrow flake"). The filtered read must run GDAL's single-threaded
    implementation for every batch (the option is read per batch), and leave the option as it was."""
    from osgeo import gdal

    parcels, _units, _pbf = _layers(demo)
    assert parcels.setSubsetString("\"DLBM\" LIKE '01%' OR \"ZZLX\" IS NOT NULL")
    seen = []
    reader = ParcelReader(parcels, parcel_fields(parcels), working_crs(parcels))
    rows = reader.read_fast(progress=lambda _f: seen.append(gdal.GetConfigOption("OGR_GPKG_STREAM_BASE_IMPL")))
    assert rows is not None and 0 < len(rows) < 800
    assert seen and set(seen) == {"YES"}
    assert gdal.GetConfigOption("OGR_GPKG_STREAM_BASE_IMPL") is None


def test_gdal_threads_are_used_only_where_they_are_safe():
    assert fast_read.single_threaded(True, 3120000)  # a filter: racy in every GDAL so far
    assert fast_read.single_threaded(False, 3100300)  # GDAL 3.10.3 (QGIS 3.40 on Debian 13): prefetch races
    assert not fast_read.single_threaded(False, 3110400)  # fixed in 3.11.4 (OSGeo/gdal#12934)
