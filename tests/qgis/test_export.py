"""Plan GeoPackage export: what a planner (and the bureau's platform) checks in the file."""

from __future__ import annotations

import shutil
import sqlite3
from collections import defaultdict
from pathlib import Path

import pytest
from osgeo import gdal, ogr

from plugin.adapters.export import ExportCancelled, export_plan
from plugin.adapters.export import plan as plan_mod
from plugin.adapters.export.copiers import COPIERS, choose_copier
from plugin.adapters.export.copy_sql import SqlCopier
from plugin.adapters.export.metadata import plugin_version
from plugin.adapters.export.parcels import ParcelCopier, ParcelJob, ParcelSchema, create_parcels_layer
from plugin.adapters.export.progress import Progress
from plugin.adapters.gpkg import WriteError, read_table, validate
from plugin.adapters.layers import InputError, Inputs, build_engine, open_layer
from plugin.adapters.styles import remediation_colours
from plugin.core.areas import MU_M2
from plugin.core.landclasses import RIDGE
from plugin.core.rules import bundled_pack
from plugin.demo.writer import write_demo_gpkg

N_PARCELS = 800


@pytest.fixture(scope="module")
def demo(make_demo):
    return make_demo(N_PARCELS, 11)


def _inputs(src: Path, pbf: bool = True) -> Inputs:
    return Inputs(parcels=open_layer(f"{src}|layername=DLTB", "parcels"),
                  units=open_layer(f"{src}|layername=ZZDY", "units"),
                  pbf=open_layer(f"{src}|layername=YJJBNTTB", "pbf") if pbf else None, unit_field="DYBH")


@pytest.fixture(scope="module")
def engine(demo):
    engine, _reader = build_engine(_inputs(demo), bundled_pack("national"))
    return engine


@pytest.fixture(scope="module")
def plan(demo, tmp_path_factory):
    out = tmp_path_factory.mktemp("plan") / "plan.gpkg"
    written = export_plan(_inputs(demo), bundled_pack("national"), out, title="Test plan", author="Li Hua")
    assert written == [out.resolve()]
    return out


def _features(path: Path, layer: str) -> list[dict]:
    ds = ogr.Open(str(path))
    lyr = ds.GetLayerByName(layer)
    out = []
    for f in lyr:
        row = f.items()
        g = f.GetGeometryRef()
        row["_wkt_area"] = g.GetArea() if g is not None else 0.0
        row["_geom"] = g.ExportToWkb() if g is not None else None
        out.append(row)
    return out


def _assert_parcels_match_balance(path: Path, engine, table) -> None:
    """Per unit and class: exported TBDLMJ (by DLBM) + KCMJ (by KCDLBM) = the balance before-area."""
    got: dict[tuple[str, str], float] = defaultdict(float)
    tbmj: dict[str, float] = defaultdict(float)
    for row in _features(path, "parcels"):
        code = row["DYBH"]
        got[(code, table.resolve(row["DLBM"]))] += row["TBDLMJ"]
        if row["KCMJ"]:
            got[(code, table.resolve(row["KCDLBM"]) if row["KCDLBM"] else RIDGE)] += row["KCMJ"]
        tbmj[code] += row["TBMJ"]
    codes = {c for c, _cls in got}
    expected = {(code, cls): before for code, cls, before, _after in engine.balance_rows() if code in codes}
    for key in set(expected) | set(got):
        assert got.get(key, 0.0) == pytest.approx(expected.get(key, 0.0), abs=0.01), key
    for code in codes:
        assert tbmj[code] == pytest.approx(sum(v for (c, _cls), v in expected.items() if c == code), abs=0.01)


# --------------------------------------------------------------------------- the single file
def test_plan_passes_gdal_validator(plan):
    assert validate(plan) == []
    assert not [p.name for p in plan.parent.iterdir() if p.name != plan.name]  # no temporary leftovers


def test_balance_and_indicator_tables_are_the_engines(plan, engine):
    rows = [(r["unit_code"], r["dlbm"], r["area_before_m2"], r["area_after_m2"]) for r in read_table(plan, "balance")]
    assert rows == engine.balance_rows()
    ind = [(r["unit_code"], r["rule_id"], r["value"], r["passed"]) for r in read_table(plan, "indicators")]
    assert ind == [(r.unit_code, r.rule_id, r.value, None if r.passed is None else int(r.passed))
                   for r in engine.indicator_rows()]
    rules = read_table(plan, "rule_pack")
    pack = bundled_pack("national")
    assert [r["rule_id"] for r in rules] == [r.id for r in pack.rules]
    assert {r["pack_id"] for r in rules} == {pack.id}
    assert all(r["formula"] and r["op"] and r["severity"] for r in rules)


def test_parcel_areas_add_up_to_the_balance(plan, engine):
    _assert_parcels_match_balance(plan, engine, engine.table)


def test_boundary_parcels_are_clipped_and_apportioned(plan):
    units = {r["DYBH"]: ogr.CreateGeometryFromWkb(r["_geom"]) for r in _features(plan, "units")}
    parcels = _features(plan, "parcels")
    cut = [p for p in parcels if p["share"] < 1.0]
    assert cut, "the demo units cut some parcels"
    for p in cut:
        g = ogr.CreateGeometryFromWkb(p["_geom"])
        assert units[p["DYBH"]].Buffer(0.01).Contains(g)
    whole = [p for p in parcels if p["share"] == 1.0]
    assert whole and all(p["TBMJ"] > 0 for p in whole)


def test_units_layer_has_ellipsoidal_areas_and_all_fields(plan, demo):
    src_ds = ogr.Open(str(demo))
    src = src_ds.GetLayerByName("ZZDY")
    defn = src.GetLayerDefn()
    src_fields = [defn.GetFieldDefn(i).GetName() for i in range(defn.GetFieldCount())]
    rows = _features(plan, "units")
    assert len(rows) == src.GetFeatureCount()
    assert set(src_fields) <= set(rows[0])
    for r in rows:
        # CGCS2000 3° zone: ellipsoidal and grid areas differ by the scale factor, well under 0.1 %
        assert r["area_m2"] == pytest.approx(r["_wkt_area"], rel=1e-3)
        assert r["area_mu"] == pytest.approx(r["area_m2"] / MU_M2, rel=1e-12)


def test_metadata_names_title_planner_version_and_sources(plan, demo):
    ds = gdal.OpenEx(str(plan))
    md = ds.GetMetadata()
    assert md["TITLE"] == "Test plan"
    assert md["AUTHOR"] == "Li Hua"
    assert md["PLUGIN"].endswith(plugin_version())
    assert md["SOURCE_PARCELS"].startswith(str(demo)) and md["SOURCE_PARCELS_CRS"] == "EPSG:4527"
    ds = None
    ds = ogr.Open(str(plan))
    sql = ds.ExecuteSQL("SELECT count(*) FROM gpkg_metadata_reference WHERE reference_scope = 'geopackage'")
    assert sql.GetNextFeature().GetField(0) >= 1
    ds.ReleaseResultSet(sql)


def test_embedded_project_opens_styled_where_the_file_is_moved(plan, tmp_path):
    from qgis.core import QgsCategorizedSymbolRenderer, QgsProject, QgsVectorLayer

    moved = tmp_path / "handover" / plan.name
    moved.parent.mkdir()
    shutil.copy(plan, moved)
    project = QgsProject()
    assert project.read(f"geopackage:{moved}?projectName=plan")
    layers = {lyr.name(): lyr for lyr in project.mapLayers().values()}
    assert all(lyr.isValid() for lyr in layers.values())
    parcels = next(lyr for lyr in layers.values() if lyr.source().endswith("layername=parcels"))
    units = next(lyr for lyr in layers.values() if lyr.source().endswith("layername=units"))
    assert Path(parcels.source().split("|")[0]).resolve() == moved.resolve()
    assert units.labelsEnabled()
    assert units.metadata().title() == "Test plan"
    renderer = parcels.renderer()
    assert isinstance(renderer, QgsCategorizedSymbolRenderer) and renderer.classAttribute() == "ZZLX"
    colours = {c.value(): c.symbol().color().name() for c in renderer.categories()}
    for code, _zh, _en, colour in remediation_colours():
        assert colours[code] == colour.lower()
    project.clear()
    # the default style travels with the layer, without the project
    alone = QgsVectorLayer(f"{moved}|layername=parcels", "p", "ogr")
    assert isinstance(alone.renderer(), QgsCategorizedSymbolRenderer)
    del alone


# --------------------------------------------------------------------------- chosen units, batch
def test_chosen_units_only(demo, engine, tmp_path):
    codes = sorted(engine.unit_code(u) for u in engine.unit_ids())[:2]
    out = tmp_path / "two.gpkg"
    export_plan(_inputs(demo), bundled_pack("national"), out, unit_codes=codes)
    assert validate(out) == []
    assert sorted(r["DYBH"] for r in _features(out, "units")) == codes
    assert {r["DYBH"] for r in _features(out, "parcels")} == set(codes)
    assert {r["unit_code"] for r in read_table(out, "balance")} == set(codes) | {"*"}
    _assert_parcels_match_balance(out, engine, engine.table)


def test_unknown_unit_code_is_an_input_error(demo, tmp_path):
    with pytest.raises(InputError, match="NOPE"):
        export_plan(_inputs(demo), bundled_pack("national"), tmp_path / "x.gpkg", unit_codes=["NOPE"])
    assert list(tmp_path.iterdir()) == []


def test_per_unit_batch(demo, engine, tmp_path):
    out = tmp_path / "units"
    written = export_plan(_inputs(demo), bundled_pack("national"), out, per_unit=True)
    codes = sorted(engine.unit_code(u) for u in engine.unit_ids())
    assert sorted(p.name for p in written) == [f"{c}.gpkg" for c in codes]
    assert sorted(p.name for p in out.iterdir()) == [f"{c}.gpkg" for c in codes]
    for path in written:
        assert validate(path) == [], path
        assert [r["DYBH"] for r in _features(path, "units")] == [path.stem]
        assert {r["DYBH"] for r in _features(path, "parcels")} == {path.stem}
        _assert_parcels_match_balance(path, engine, engine.table)


def test_geographic_source_is_written_in_its_crs(demo, tmp_path):
    geo = tmp_path / "geo.gpkg"
    gdal.VectorTranslate(str(geo), str(demo), dstSRS="EPSG:4490", layers=["DLTB", "ZZDY"], reproject=True)
    inputs = Inputs(parcels=open_layer(f"{geo}|layername=DLTB", "p"), units=open_layer(f"{geo}|layername=ZZDY", "u"),
                    unit_field="DYBH")
    out = tmp_path / "geo_plan.gpkg"
    export_plan(inputs, bundled_pack("national"), out)
    assert validate(out) == []
    ds = ogr.Open(str(out))
    assert ds.GetLayerByName("parcels").GetSpatialRef().GetAuthorityCode(None) == "4490"
    ds = None
    engine, _ = build_engine(inputs, bundled_pack("national"))
    _assert_parcels_match_balance(out, engine, engine.table)


def test_unsaved_edits_are_exported(demo, tmp_path):
    """The layer's edit buffer (a tag not yet saved) is what gets exported, as in the dock."""
    inputs = _inputs(demo, pbf=False)
    layer = inputs.parcels
    engine, _ = build_engine(inputs, bundled_pack("national"))
    pid = next(pid for pid in engine.parcel_ids() if engine.parcel_shares(pid) and not engine.parcel_record(pid).zzlx)
    layer.startEditing()
    layer.changeAttributeValue(pid, layer.fields().indexOf("ZZLX"), "NY-GB")
    layer.changeAttributeValue(pid, layer.fields().indexOf("GHDLBM"), "0101")
    out = tmp_path / "edited.gpkg"
    try:
        export_plan(inputs, bundled_pack("national"), out)
    finally:
        layer.rollBack()
    bsm = layer.getFeature(pid)["BSM"]
    assert {r["ZZLX"] for r in _features(out, "parcels") if r["BSM"] == bsm} == {"NY-GB"}


# --------------------------------------------------------------------------- safe writing
@pytest.fixture()
def existing(tmp_path):
    path = tmp_path / "plan.gpkg"
    path.write_bytes(b"the old plan, must survive")
    return path


def _only(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


def test_existing_file_needs_overwrite(demo, existing):
    with pytest.raises(WriteError, match="exists"):
        export_plan(_inputs(demo), bundled_pack("national"), existing)
    assert existing.read_bytes() == b"the old plan, must survive"
    export_plan(_inputs(demo), bundled_pack("national"), existing, overwrite=True)
    assert validate(existing) == []


def test_failure_midway_keeps_old_file(demo, existing, monkeypatch):
    def boom(*_a, **_k):
        raise WriteError("disk full (simulated)")

    monkeypatch.setattr(plan_mod, "embed_project", boom)
    with pytest.raises(WriteError, match="simulated"):
        export_plan(_inputs(demo), bundled_pack("national"), existing, overwrite=True)
    assert existing.read_bytes() == b"the old plan, must survive"
    assert _only(existing.parent) == ["plan.gpkg"]


def test_unwritable_target_gives_clear_message(demo, existing, monkeypatch):
    import os

    from plugin.adapters import gpkg

    def deny(*_a, **_k):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(gpkg.os, "replace", deny)
    with pytest.raises(WriteError, match="read-only"):
        export_plan(_inputs(demo), bundled_pack("national"), existing, overwrite=True)
    monkeypatch.setattr(gpkg.os, "replace", os.replace)
    assert existing.read_bytes() == b"the old plan, must survive"
    assert _only(existing.parent) == ["plan.gpkg"]


class _CancelAfter:
    def __init__(self, percent: float):
        self.percent = percent
        self.seen = 0.0

    def setProgress(self, value: float) -> None:
        assert 0.0 <= value <= 100.0
        self.seen = max(self.seen, value)

    def isCanceled(self) -> bool:
        return self.seen >= self.percent


@pytest.mark.parametrize("percent", [10.0, 60.0])
def test_cancel_leaves_nothing(demo, tmp_path, percent):
    feedback = _CancelAfter(percent)
    with pytest.raises(ExportCancelled):
        export_plan(_inputs(demo), bundled_pack("national"), tmp_path / "plan.gpkg", feedback=feedback)
    assert _only(tmp_path) == []


def test_progress_reaches_100(demo, tmp_path):
    feedback = _CancelAfter(1000.0)
    export_plan(_inputs(demo), bundled_pack("national"), tmp_path / "plan.gpkg", feedback=feedback)
    assert feedback.seen == 100.0


# --------------------------------------------------------------------------- command line
def _cli(*argv: str) -> int:
    from plugin.cli.app import main

    return main(list(argv))


def test_cli_export(demo, tmp_path, capsys):
    out = tmp_path / "cli.gpkg"
    args = ["export", "--parcels", f"{demo}|layername=DLTB", "--units", f"{demo}|layername=ZZDY",
            "--pbf", f"{demo}|layername=YJJBNTTB", "--unit-field", "DYBH", "--out", str(out)]
    assert _cli(*args) == 0
    printed = capsys.readouterr().out
    assert str(out.resolve()) in printed and "Whole project" in printed
    assert validate(out) == []
    before = out.read_bytes()
    assert _cli(*args) == 2
    assert "exists" in capsys.readouterr().err
    assert out.read_bytes() == before
    assert _cli(*args, "--overwrite") == 0
    assert _cli(*args, "--overwrite", "--unit", "NOPE") == 2
    assert "NOPE" in capsys.readouterr().err
    batch = tmp_path / "batch"
    assert _cli(*args[:-1], str(batch), "--per-unit", "--unit", "ZZDY-001", "ZZDY-002") == 0
    assert _only(batch) == ["ZZDY-001.gpkg", "ZZDY-002.gpkg"]


def test_cli_bad_source_exit_2(tmp_path, capsys):
    assert _cli("export", "--parcels", str(tmp_path / "missing.gpkg"), "--units", str(tmp_path / "missing.gpkg"),
                "--out", str(tmp_path / "x.gpkg")) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "missing.gpkg" in err
    assert _only(tmp_path) == []


# --------------------------------------------------------------------------- SQL fast path vs per-feature paths
def _parcel_table(path: Path) -> tuple[list, list]:
    """(field definitions, rows sorted by unit and BSM) of the parcels layer, geometry as shapely."""
    import shapely

    ds = ogr.Open(str(path))
    lyr = ds.GetLayerByName("parcels")
    defn = lyr.GetLayerDefn()
    fields = [(defn.GetFieldDefn(i).GetName(), defn.GetFieldDefn(i).GetType(), defn.GetFieldDefn(i).GetSubType(),
               defn.GetFieldDefn(i).GetWidth()) for i in range(defn.GetFieldCount())]
    rows = []
    for f in lyr:
        g = f.GetGeometryRef()
        rows.append((f.items(), shapely.from_wkb(bytes(g.ExportToIsoWkb())) if g is not None else None))
    ds = None
    rows.sort(key=lambda r: (r[0]["DYBH"], r[0]["BSM"], r[0]["share"]))
    return fields, rows


def _assert_same_parcels(a: Path, b: Path) -> None:
    import shapely

    fields_a, rows_a = _parcel_table(a)
    fields_b, rows_b = _parcel_table(b)
    assert fields_a == fields_b
    assert len(rows_a) == len(rows_b) > 0
    for (attrs_a, geom_a), (attrs_b, geom_b) in zip(rows_a, rows_b):
        assert attrs_a == attrs_b  # numbers identical, not approximately
        assert (geom_a is None) == (geom_b is None)
        if geom_a is not None:
            assert geom_a.geom_type == geom_b.geom_type == "MultiPolygon"
            assert shapely.equals_exact(shapely.normalize(geom_a), shapely.normalize(geom_b), tolerance=1e-9)


def _rtree_ok(path: Path) -> None:
    con = sqlite3.connect(str(path))
    try:
        assert con.execute("SELECT rtreecheck('rtree_parcels_geom')").fetchone()[0] == "ok"
        n_index = con.execute("SELECT count(*) FROM rtree_parcels_geom").fetchone()[0]
        n_geom = con.execute("SELECT count(*) FROM parcels WHERE geom IS NOT NULL").fetchone()[0]
        assert n_index == n_geom > 0
        count = con.execute("SELECT feature_count FROM gpkg_ogr_contents WHERE table_name = 'parcels'").fetchone()[0]
        assert count == con.execute("SELECT count(*) FROM parcels").fetchone()[0]
        triggers = {r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type = 'trigger' "
                                              "AND tbl_name = 'parcels'")}
        assert {"rtree_parcels_geom_insert", "rtree_parcels_geom_delete"} <= triggers
    finally:
        con.close()
    # the index answers like a scan (its boxes are float32, rounded outwards: a few metres at 4e7)
    ds = ogr.Open(str(path))
    lyr = ds.GetLayerByName("parcels")
    minx, maxx, miny, maxy = lyr.GetExtent()
    box = (minx + 0.3 * (maxx - minx), minx + 0.5 * (maxx - minx), miny + 0.3 * (maxy - miny),
           miny + 0.5 * (maxy - miny))
    envelopes = {f.GetFID(): f.GetGeometryRef().GetEnvelope() for f in lyr}
    lyr.SetSpatialFilterRect(box[0], box[2], box[1], box[3])
    by_ogr = {f.GetFID() for f in lyr}
    ds = None

    def near(e, slack):
        return e[1] >= box[0] - slack and e[0] <= box[1] + slack and e[3] >= box[2] - slack and e[2] <= box[3] + slack

    con = sqlite3.connect(str(path))
    try:
        by_index = {r[0] for r in con.execute("SELECT id FROM rtree_parcels_geom WHERE maxx >= ? AND minx <= ? "
                                               "AND maxy >= ? AND miny <= ?", box)}
    finally:
        con.close()
    by_scan = {fid for fid, e in envelopes.items() if near(e, 0.0)}
    assert by_scan and by_ogr and by_ogr <= by_scan <= by_index
    assert all(near(envelopes[fid], 10.0) for fid in by_index - by_scan)


@pytest.fixture(scope="module")
def demo_fast(tmp_path_factory, qgis_app):
    path = tmp_path_factory.mktemp("fast") / "township.gpkg"
    write_demo_gpkg(str(path), n_parcels=N_PARCELS, seed=23)
    return path


class _Counting(ParcelCopier):
    """A copier that counts the rows the copier it wraps writes (which copier really wrote the table)."""

    def __init__(self, inner: ParcelCopier):
        self.inner, self.name, self.rows = inner, inner.name, 0

    def source(self, layer, schema):
        return self.inner.source(layer, schema)

    def write(self, lyr, source, job) -> int:
        n = self.inner.write(lyr, source, job)
        self.rows += n
        return n

    def finish(self, path, source, job) -> int:
        n = self.inner.finish(path, source, job)
        self.rows += n
        return n


def _row_count(path: Path) -> int:
    con = sqlite3.connect(str(path))
    try:
        return con.execute("SELECT count(*) FROM parcels").fetchone()[0]
    finally:
        con.close()


@pytest.mark.parametrize("subset", ["", '"DLBM" LIKE \'01%\' OR fid % 3 = 0'])
def test_every_parcel_copier_writes_the_same_table(demo_fast, tmp_path, subset):
    """The SQL copy gives the same parcel table as the per-feature copiers (read with OGR, through QGIS)."""

    def inputs() -> Inputs:
        i = _inputs(demo_fast)
        i.parcels.setSubsetString(subset)
        return i

    layer = inputs().parcels
    schema = ParcelSchema(layer, build_engine(inputs(), bundled_pack("national"))[1])
    assert choose_copier(layer, schema)[0].name == "sql", "the SQL path is taken for an unedited GeoPackage layer"
    written = {}
    for copier in COPIERS:
        if copier.source(layer, schema) is None:
            continue
        counting = _Counting(copier)
        out = tmp_path / f"{copier.name}.gpkg"
        export_plan(inputs(), bundled_pack("national"), out, title="T", author="A", copiers=[counting])
        assert counting.rows == _row_count(out) > 0
        written[copier.name] = out
    # the OGR reader does not apply a QGIS filter: a filtered layer goes through QGIS
    assert sorted(written) == (["qgis", "sql"] if subset else ["ogr", "qgis", "sql"])
    fast = written.pop("sql")
    assert validate(fast) == []
    _rtree_ok(fast)
    for other in written.values():
        _assert_same_parcels(fast, other)
    if subset:
        engine, _ = build_engine(inputs(), bundled_pack("national"))
        _assert_parcels_match_balance(fast, engine, engine.table)
        kept = {f["BSM"] for f in inputs().parcels.getFeatures()}
        assert {r["BSM"] for r in _features(fast, "parcels")} <= kept


def test_sql_fast_path_not_used_with_pending_edits_or_other_formats(demo_fast, tmp_path):
    inputs = _inputs(demo_fast, pbf=False)
    schema = ParcelSchema(inputs.parcels, build_engine(inputs, bundled_pack("national"))[1])
    assert SqlCopier().source(inputs.parcels, schema) is not None
    inputs.parcels.startEditing()
    inputs.parcels.changeAttributeValue(next(inputs.parcels.getFeatures()).id(),
                                        inputs.parcels.fields().indexOf("ZZLX"), "NY-GB")
    try:
        assert SqlCopier().source(inputs.parcels, schema) is None
        assert choose_copier(inputs.parcels, schema)[0].name == "qgis"  # the edit buffer is read through QGIS
    finally:
        inputs.parcels.rollBack()
    shp = tmp_path / "dltb.shp"
    gdal.VectorTranslate(str(shp), str(demo_fast), layers=["DLTB"])
    layer = open_layer(str(shp), "shp")
    shp_schema = ParcelSchema(layer, build_engine(Inputs(parcels=layer, units=inputs.units, unit_field="DYBH"),
                                                  bundled_pack("national"))[1])
    assert SqlCopier().source(layer, shp_schema) is None
    assert choose_copier(layer, shp_schema)[0].name == "ogr"


def test_cancel_during_sql_copy_leaves_nothing(demo_fast, tmp_path):
    feedback = _CancelAfter(44.0)  # the SQL copy's first step (the copy runs from 40 % to 88 %)
    with pytest.raises(ExportCancelled):
        export_plan(_inputs(demo_fast), bundled_pack("national"), tmp_path / "plan.gpkg", feedback=feedback,
                    copiers=[SqlCopier()])
    assert _only(tmp_path) == []


def test_sqlite_itself_interrupts_the_sql_copy(demo_fast, tmp_path):
    """feedback.isCanceled() interrupts the INSERT … SELECT itself (SQLite's progress handler asks):
    with the copier's own checks between statements silenced, the copy still stops."""

    class AskedBySqliteOnly(Progress):
        asked = 0

        def check(self) -> None:
            pass  # the checks between statements never stop the copy here

        def cancelled(self) -> bool:
            self.asked += 1
            return True

    inputs = _inputs(demo_fast)
    engine, reader = build_engine(inputs, bundled_pack("national"))
    schema = ParcelSchema(inputs.parcels, reader)
    copier = SqlCopier()
    source = copier.source(inputs.parcels, schema)
    out = tmp_path / "parcels.gpkg"
    ds = ogr.GetDriverByName("GPKG").CreateDataSource(str(out))
    create_parcels_layer(ds, inputs.parcels.crs(), schema)
    ds = None
    progress = AskedBySqliteOnly(None)
    with pytest.raises(ExportCancelled):
        copier.finish(out, source, ParcelJob(inputs, engine, schema, engine.unit_ids(), progress, 0.0, 100.0))
    assert progress.asked
