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


def _count_qgis_reads(monkeypatch) -> list:
    """Calls of the QGIS feature read of ParcelReader.read_columns (the build's read)."""
    calls = []
    real = ParcelReader._qgis_columns
    monkeypatch.setattr(ParcelReader, "_qgis_columns",
                        lambda self, *a, **k: calls.append("qgis") or real(self, *a, **k))
    return calls


def test_build_engine_uses_fast_path_and_gives_the_same_engine(qgis_app, demo, monkeypatch):
    parcels, units, pbf = _layers(demo)
    pack = load_pack("national")
    calls = _count_qgis_reads(monkeypatch)
    fast_engine, reader = build_engine(Inputs(parcels, units, pbf), pack)
    assert calls == []
    # plain ints, as QGIS gives feature ids: a numpy int64 id is a BLOB in SQLite and no JSON number
    assert {type(pid) for pid in fast_engine.parcel_ids()} == {int}
    assert reader.warnings()  # the measured parcel is reported as on the QGIS path
    monkeypatch.setattr(ParcelReader, "_arrow_columns", lambda self, *a, **k: None)
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
        calls = _count_qgis_reads(monkeypatch)
        engine, _r = build_engine(Inputs(parcels, units, pbf), load_pack("national"))
        assert calls == ["qgis"]
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


def test_read_ahead_hands_over_every_batch_in_order_with_the_option_in_force_and_errors():
    """The columnar read takes its batches from a worker thread one ahead: the worker must read
    every batch with OGR_GPKG_STREAM_BASE_IMPL set (it is thread-local), the caller get them in
    order, an error of the read reach the caller, and a caller stopping early stop the worker."""
    import threading

    from osgeo import gdal

    seen, pulled = [], []

    def stream(n, fail_at=None):
        for k in range(n):
            seen.append((gdal.GetConfigOption("OGR_GPKG_STREAM_BASE_IMPL"), threading.current_thread().name))
            if k == fail_at:
                raise RuntimeError("malformed page")
            pulled.append(k)
            yield {"k": k}

    assert [b["k"] for b in fast_read.read_ahead(stream(7), "YES")] == list(range(7))
    assert {opt for opt, _t in seen} == {"YES"} and threading.current_thread().name not in {t for _o, t in seen}
    assert gdal.GetConfigOption("OGR_GPKG_STREAM_BASE_IMPL") is None
    got = []
    with pytest.raises(RuntimeError, match="malformed"):
        for b in fast_read.read_ahead(stream(7, fail_at=3), "YES"):
            got.append(b["k"])
    assert got == [0, 1, 2]
    pulled.clear()
    batches = fast_read.read_ahead(stream(1000), None, depth=2)
    assert next(batches) == {"k": 0}
    batches.close()  # the caller stops: the worker ends without reading the rest
    assert len(pulled) <= 4 and not any(t.name == "lc-arrow-read" for t in threading.enumerate())


def test_a_failure_in_the_read_ahead_worker_is_judged_by_that_threads_gdal_message():
    """GDAL's last error message is per thread: the read fails in the worker, so what GDAL said there
    (curves: not damage, QGIS reads the layer) must decide, not a stale message of the caller's thread."""
    from osgeo import gdal

    def stream():
        # no GDAL call between the message and the failure: with exceptions on, each call of the
        # bindings resets the thread's last error (the worker's thread ends with its handler pushed)
        gdal.PushErrorHandler("CPLQuietErrorHandler")
        gdal.Error(gdal.CE_Warning, 1, "Nonlinear geometry in a linear layer")
        raise RuntimeError("reading the batch failed")
        yield {}

    gdal.PushErrorHandler("CPLQuietErrorHandler")
    try:
        gdal.Error(gdal.CE_Warning, 1, "database disk image is malformed")  # stale, in the caller's thread
    finally:
        gdal.PopErrorHandler()
    with pytest.raises(RuntimeError) as caught:
        list(fast_read.read_ahead(stream(), None))
    assert fast_read.gdal_failure(caught.value) is None


def test_gdal_threads_are_used_only_where_they_are_safe():
    assert fast_read.single_threaded(True, 3120000)  # a filter: racy in every GDAL so far
    assert fast_read.single_threaded(False, 3100300)  # GDAL 3.10.3 (QGIS 3.40 on Debian 13): prefetch races
    assert not fast_read.single_threaded(False, 3110400)  # fixed in 3.11.4 (OSGeo/gdal#12934)


def _columns_equal_rows(reader_cols, cols_result, reader_rows, rows):
    ids, geoms, columns = cols_result
    assert ids.tolist() == [fid for fid, _g, _r in rows]
    assert columns.records() == [r for _f, _g, r in rows]
    for g, (_f, g2, _r) in zip(geoms.tolist(), rows):
        assert (g is None) == (g2 is None)
        if g is not None:
            assert g.geom_type == g2.geom_type and g.equals_exact(g2, 0)
    assert reader_cols.measured == reader_rows.measured
    assert reader_cols.issues == reader_rows.issues
    assert reader_cols.warnings() == reader_rows.warnings()


@pytest.mark.parametrize("subset", ["", "\"DLBM\" LIKE '01%' OR \"ZZLX\" IS NOT NULL"])
@pytest.mark.parametrize("arrow", [True, False])
def test_read_columns_equals_the_record_read(qgis_app, demo, monkeypatch, subset, arrow):
    """The columnar read (Arrow, or QGIS features normalised in bulk) gives the rows, records,
    measured TBMJ and warnings of the record read."""
    parcels, _units, _pbf = _layers(demo)
    assert parcels.setSubsetString(subset)
    fm = parcel_fields(parcels)
    crs = working_crs(parcels)
    calls = _count_qgis_reads(monkeypatch)
    by_rows = ParcelReader(parcels, fm, crs)
    rows = by_rows.read()
    if not arrow:
        monkeypatch.setattr(ParcelReader, "_arrow_columns", lambda self, *a, **k: None)
    by_cols = ParcelReader(parcels, fm, crs)
    result = by_cols.read_columns()
    assert calls == ([] if arrow else ["qgis"])
    assert rows and (subset or len(rows) == 800)
    _columns_equal_rows(by_cols, result, by_rows, rows)
    assert subset or by_cols.measured  # the demo's NULL TBMJ


def test_read_columns_of_awkward_values_equals_the_record_read(qgis_app, tmp_path):
    """Numbers stored as text, 二调 codes, blanks, negatives, 亩: a GeoPackage read by Arrow and the same
    layer read through QGIS give what the per-feature read gives."""
    from qgis.core import QgsFeature, QgsGeometry, QgsVectorFileWriter, QgsVectorLayer

    from plugin.adapters.qgis_compat import make_field

    mem = QgsVectorLayer("MultiPolygon?crs=EPSG:4523", "dltb", "memory")
    fields = [("BSM", "string"), ("DLBM", "string"), ("TBMJ", "string"), ("KCDLBM", "string"), ("KCXS", "double"),
              ("KCMJ", "double"), ("GHDLBM", "string"), ("GDPDJB", "string"), ("YNCZ", "string"),
              ("XZDWMJ", "double")]
    mem.dataProvider().addAttributes([make_field(n, t) for n, t in fields])
    mem.updateFields()
    values = [
        ["000", "011", "0.9", None, 0.05, None, None, "2", "拟调入", 0.1],
        ["A1", " 0103 ", "abc", "031", 1.5, -3.0, "0101", None, "out", None],
        ["A2", "0702B", None, "", None, 50.0, "0101", "6", None, None],
        ["A3", "0404", "-2", None, 0.2, None, "0103", None, None, 0.05],
        [None, "201", "1.2", "1203", 0.0, 0.0, None, "3.0", " ", 2.0],
    ]
    feats = []
    for k, row in enumerate(values):
        f = QgsFeature(mem.fields())
        f.setAttributes(row)
        x = 500000 + 100 * k
        f.setGeometry(QgsGeometry.fromWkt(f"MultiPolygon((({x} 3000000,{x + 60} 3000000,{x + 60} 3000050,"
                                          f"{x} 3000050,{x} 3000000)))"))
        feats.append(f)
    mem.dataProvider().addFeatures(feats)
    path = tmp_path / "awkward.gpkg"
    options = QgsVectorFileWriter.SaveVectorOptions()
    options.driverName, options.layerName = "GPKG", "DLTB"
    QgsVectorFileWriter.writeAsVectorFormatV3(mem, str(path), mem.transformContext(), options)
    gpkg = open_layer(f"{path}|layername=DLTB", "p")
    for layer in (gpkg, mem):
        for mu in (False, True):
            fm = parcel_fields(layer, tbmj_in_mu=mu)
            crs = working_crs(layer)
            by_rows = ParcelReader(layer, fm, crs)
            rows = by_rows.read()
            by_cols = ParcelReader(layer, fm, crs)
            _columns_equal_rows(by_cols, by_cols.read_columns(), by_rows, rows)
            assert by_cols.issues and by_cols.measured


def test_the_live_background_build_reads_a_saved_geopackage_by_arrow(qgis_app, demo, monkeypatch):
    """The live dock's rebuild (a QgsTask over layer snapshots) takes the command line's fast path for a
    saved GeoPackage, and QGIS's read (edit buffer included) once the layer has unsaved edits."""
    from plugin.adapters.live_task import snapshot

    parcels, units, pbf = _layers(demo)
    pack = load_pack("national")
    calls = _count_qgis_reads(monkeypatch)
    engine, _reader = build_engine(snapshot(Inputs(parcels, units, pbf)), pack, refuse=False)
    assert calls == []
    reference, _r = build_engine(Inputs(parcels, units, pbf), pack)
    assert engine.fingerprint() == reference.fingerprint()
    assert parcels.startEditing()
    try:
        fid = next(parcels.getFeatures()).id()
        assert parcels.changeAttributeValue(fid, parcels.fields().indexOf("DLBM"), "0301")
        engine, _reader = build_engine(snapshot(Inputs(parcels, units, pbf)), pack, refuse=False)
        assert calls == ["qgis"]
        assert engine.parcel_record(fid).dlbm == "0301"
    finally:
        parcels.rollBack()


@pytest.mark.parametrize("batch", [100, 37])
def test_the_read_in_fid_ranges_on_two_threads_equals_one_stream(qgis_app, tmp_path, monkeypatch, batch):
    """Where GDAL builds the batches in the calling thread (generic implementation), the columnar read
    streams ranges of feature ids on two threads (fast_read.read_ranges): the same rows in the same
    order, values and WKB as one stream gives — with gaps in the ids, ranges left empty by them, and
    a range of several batches."""
    import numpy as np

    path = tmp_path / "gaps.gpkg"
    write_demo_gpkg(str(path), n_parcels=800, seed=5, quirks=True)
    parcels = open_layer(f"{path}|layername=DLTB", "p")
    gone = [f.id() for f in parcels.getFeatures() if f.id() % 7 == 0 or 200 < f.id() < 420]
    assert parcels.dataProvider().deleteFeatures(gone)
    parcels = open_layer(f"{path}|layername=DLTB", "p")
    reader = ParcelReader(parcels, parcel_fields(parcels), working_crs(parcels))
    source = fast_read.gpkg_source(parcels)
    monkeypatch.setattr(fast_read, "AHEAD_BATCH", batch)
    monkeypatch.setattr(fast_read, "single_threaded", lambda filtered, version=None: True)
    ranges = fast_read.fid_ranges(*fast_read._open_layer(source, parcels, reader.attributes)[:2])
    assert ranges and len(ranges) > 4 and ranges[0][0] == 1
    assert all(a < b == c for (a, b), (c, _d) in zip(ranges, ranges[1:]))
    split = fast_read.read_arrow_columns(source, parcels, reader.attributes, None, None, wkb=True)
    monkeypatch.setattr(fast_read, "fid_ranges", lambda *a, **k: None)
    one = fast_read.read_arrow_columns(source, parcels, reader.attributes, None, None, wkb=True)
    assert len(one[0]) == 800 - len(gone) and np.array_equal(one[0], split[0])
    assert all(np.diff(split[0]) > 0)
    assert one[1].wkb(0, len(one[0])).tolist() == split[1].wkb(0, len(split[0])).tolist()
    for name, col in one[2].items():
        assert np.asarray(col, dtype=object).tolist() == np.asarray(split[2][name], dtype=object).tolist(), name


def test_a_failure_in_a_range_reader_reaches_the_caller_and_stops_the_others():
    """An error of one of read_ranges' workers is raised in the caller's thread; the workers stop."""
    import threading

    class Layer:
        def __init__(self, fail):
            self.fail = fail

        def GetFIDColumn(self):
            return "fid"

        def SetAttributeFilter(self, where):
            self.where = where
            return 0

        def GetArrowStreamAsNumPy(self, options):
            a = int(self.where.split(">= ")[1].split(" ")[0])
            if self.fail and a >= 30:
                raise RuntimeError("boom")
            return iter([{"k": a}])

    ranges = [(a, a + 10) for a in range(0, 100, 10)]
    before = threading.active_count()
    got = []
    with pytest.raises(RuntimeError, match="boom"):
        for batch in fast_read.read_ranges([Layer(False), Layer(True)], ranges):
            got.append(batch["k"])
    assert got == [0, 10, 20]
    assert threading.active_count() == before
    assert [b["k"] for b in fast_read.read_ranges([Layer(False), Layer(False)], ranges)] == list(range(0, 100, 10))
