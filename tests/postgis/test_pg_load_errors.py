"""A planner's mistakes with ``db load`` and PostGIS sources: a source that cannot be read changes
nothing in the schema, a GBK shapefile without ``.cpg`` loads with its Chinese text, a wrong password
is not printed, and the in-process balance on the ``parcels`` view names parcels by their ``fid``."""
from __future__ import annotations

import subprocess

import pytest
from test_pg_cli import _rows

from plugin.cli.app import main
from plugin.demo.writer import write_demo_gpkg


def _psql(cluster, name: str, query: str) -> str:
    conn = cluster.connect(name)
    try:
        with conn.cursor() as cur:
            cur.execute(query)
            return str(cur.fetchall())
    finally:
        conn.close()


def _loaded(service_db, tmp_path, capsys, n=400, seed=7):
    db, cluster, name = service_db
    gpkg = tmp_path / "demo.gpkg"
    write_demo_gpkg(str(gpkg), n_parcels=n, seed=seed)
    assert main(["db", "init", "--db", db]) == 0
    assert main(["db", "load", "--db", db, "--parcels", f"{gpkg}|layername=DLTB", "--units",
                 f"{gpkg}|layername=ZZDY", "--pbf", f"{gpkg}|layername=YJJBNTTB"]) == 0
    capsys.readouterr()
    return db, cluster, name, gpkg


def _balance(db, out) -> dict:
    s = "land_consolidation"
    assert main(["balance", "--in-database", "--parcels", f"PG:{db}|layername={s}.parcels", "--units",
                 f"PG:{db}|layername={s}.plan_unit", "--pbf", f"PG:{db}|layername={s}.pbf", "--out", str(out)]) == 0
    return _rows(out)


@pytest.mark.parametrize("mistake, said", [
    (["--units", "{gpkg}|layername=ZZDYX"], "ZZDYX"),  # a misspelt layer
    (["--units", "{gpkg}|layername=ZZDY", "--unit-field", "DYBHX"], "DYBHX"),  # a misspelt code field
    (["--units", "{gpkg}|layername=YJJBNTTB"], "DYBH"),  # the PBF given as units: no code field
    (["--units", "{twice}|layername=ZZDY"], "ZZDY-001"),  # one code on every unit
])
def test_a_load_with_a_mistake_in_the_units_changes_nothing(service_db, tmp_path, capsys, mistake, said):
    db, cluster, name, gpkg = _loaded(service_db, tmp_path, capsys)
    before = _balance(db, tmp_path / "before.gpkg")
    other = tmp_path / "other.gpkg"  # another survey (other parcels, other fids)
    write_demo_gpkg(str(other), n_parcels=250, seed=8)
    twice = tmp_path / "twice.gpkg"
    subprocess.run(["ogr2ogr", "-q", str(twice), str(gpkg), "-nln", "ZZDY", "-sql",
                    "SELECT geom, 'ZZDY-001' AS DYBH FROM ZZDY"], check=True)
    assert main(["db", "load", "--db", db, "--parcels", f"{other}|layername=DLTB",
                 *[a.format(gpkg=gpkg, twice=twice) for a in mistake]]) == 2
    assert said in capsys.readouterr().err
    assert _psql(cluster, name, "SELECT count(*) FROM land_consolidation.parcels") == "[(400,)]"
    assert _balance(db, tmp_path / "after.gpkg") == before


def test_units_given_as_the_parcels_are_refused_and_the_survey_stays(service_db, tmp_path, capsys):
    db, cluster, name, gpkg = _loaded(service_db, tmp_path, capsys)
    assert main(["db", "load", "--db", db, "--parcels", f"{gpkg}|layername=ZZDY"]) == 2
    assert "DLBM" in capsys.readouterr().err
    assert _psql(cluster, name, "SELECT count(*) FROM land_consolidation.parcels") == "[(400,)]"


def test_a_gbk_shapefile_without_cpg_loads_with_its_chinese_text(service_db, tmp_path, capsys):
    db, cluster, name = service_db
    gpkg = tmp_path / "demo.gpkg"
    write_demo_gpkg(str(gpkg), n_parcels=400, seed=7)
    shp = tmp_path / "dltb.shp"
    subprocess.run(["ogr2ogr", "-q", "-f", "ESRI Shapefile", "-lco", "ENCODING=GBK", str(shp), str(gpkg), "DLTB"],
                   check=True)
    shp.with_suffix(".cpg").unlink()  # as many county shapefiles come: GBK bytes, nothing saying so
    assert main(["db", "init", "--db", db]) == 0
    assert main(["db", "load", "--db", db, "--parcels", str(shp)]) == 0, capsys.readouterr().err
    assert "村" in _psql(cluster, name, "SELECT min(zldwmc) FROM land_consolidation.survey")


def test_no_password_when_the_in_process_balance_cannot_open_a_database_layer(pg_db, tmp_path, capsys):
    cluster, name = pg_db
    dsn = f"host=127.0.0.1 port={cluster.port} dbname={name} user=postgres password=Wr0ngSecret"
    assert main(["balance", "--parcels", f"PG:{dsn}|layername=land_consolidation.parcels",
                 "--units", f"PG:{dsn}|layername=land_consolidation.plan_unit",
                 "--out", str(tmp_path / "never.gpkg")]) == 2
    said = capsys.readouterr()
    assert "password authentication failed" in said.err  # why, as db init says it
    assert "Wr0ngSecret" not in said.out + said.err


def test_the_in_process_balance_on_the_parcels_view_names_the_survey_fids(service_db, tmp_path, capsys):
    db, _cluster, _name, gpkg = _loaded(service_db, tmp_path, capsys, n=1500, seed=3)

    def warnings(parcels, units):
        assert main(["balance", "--parcels", parcels, "--units", units, "--overwrite",
                     "--out", str(tmp_path / "b.gpkg")]) == 0
        return [line for line in capsys.readouterr().out.splitlines() if line.startswith("Warning")]

    in_file = warnings(f"{gpkg}|layername=DLTB", f"{gpkg}|layername=ZZDY")
    assert in_file, "the demo has parcels the warnings name"
    # db load keeps the source's fids in survey (and the view): the same parcels, by the same numbers
    assert warnings(f"PG:{db}|layername=land_consolidation.parcels",
                    f"PG:{db}|layername=land_consolidation.plan_unit") == in_file


def test_a_load_the_server_refuses_at_the_end_changes_nothing(service_db, tmp_path, capsys, monkeypatch):
    from plugin.adapters.postgis import load

    db, cluster, name, gpkg = _loaded(service_db, tmp_path, capsys)
    before = _balance(db, tmp_path / "before.gpkg")
    other = tmp_path / "other.gpkg"
    write_demo_gpkg(str(other), n_parcels=250, seed=8)
    with monkeypatch.context() as patch:
        patch.setattr(load, "_pbf_from_stage", lambda cur, schema: cur.execute("SELECT 1 / 0"))
        assert main(["db", "load", "--db", db, "--parcels", f"{other}|layername=DLTB",
                     "--pbf", f"{gpkg}|layername=YJJBNTTB"]) == 2
    err = capsys.readouterr().err
    assert "division by zero" in err and "Traceback" not in err
    assert _psql(cluster, name, "SELECT count(*) FROM land_consolidation.parcels") == "[(400,)]"
    assert _balance(db, tmp_path / "after.gpkg") == before
    # and a load that succeeds afterwards replaces the survey, named as before
    assert main(["db", "load", "--db", db, "--parcels", f"{other}|layername=DLTB"]) == 0
    assert _psql(cluster, name, "SELECT count(*) FROM land_consolidation.parcels") == "[(250,)]"
    assert _psql(cluster, name, "SELECT relname FROM pg_class WHERE relname LIKE '%stage_survey%'") == "[]"


def test_a_misspelt_schema_in_a_pg_source_is_named(service_db, tmp_path, capsys):
    db, _cluster, _name, _gpkg = _loaded(service_db, tmp_path, capsys)
    assert main(["balance", "--parcels", f"PG:{db}|layername=land_consolidaton.parcels",
                 "--units", f"PG:{db}|layername=land_consolidation.plan_unit", "--out", str(tmp_path / "n.gpkg")]) == 2
    assert "No table land_consolidaton.parcels in the database for the parcel layer" in capsys.readouterr().err


def test_an_empty_or_curved_survey(service_db, tmp_path, capsys):
    """An empty parcel layer is refused before it replaces the survey (the balance goes on as before); a
    curved parcel is loaded as a linear one, as the engine reads it; a balance on an empty parcel table or
    without units says so, not that the SRIDs differ."""
    from osgeo import gdal, ogr

    db, cluster, name, gpkg = _loaded(service_db, tmp_path, capsys)
    before = _balance(db, tmp_path / "before.gpkg")
    empty = tmp_path / "empty.gpkg"
    gdal.VectorTranslate(str(empty), str(gpkg), layers=["DLTB"], where="1=0")
    assert main(["db", "load", "--db", db, "--parcels", f"{empty}|layername=DLTB"]) == 2
    assert "no parcel with a usable geometry" in capsys.readouterr().err
    assert _balance(db, tmp_path / "after.gpkg") == before
    curved = tmp_path / "curved.gpkg"
    gdal.VectorTranslate(str(curved), str(gpkg), layers=["DLTB"])
    ds = ogr.Open(str(curved), 1)
    layer = ds.GetLayer(0)
    feature = layer.GetFeature(1)
    box = feature.GetGeometryRef().GetEnvelope()  # (minx, maxx, miny, maxy): a circle inside the parcel's box
    cx, cy, r = (box[0] + box[1]) / 2, (box[2] + box[3]) / 2, min(box[1] - box[0], box[3] - box[2]) / 4
    feature.SetGeometry(ogr.CreateGeometryFromWkt(
        f"CURVEPOLYGON(CIRCULARSTRING({cx - r} {cy}, {cx} {cy + r}, {cx + r} {cy}, {cx} {cy - r}, {cx - r} {cy}))"))
    layer.SetFeature(feature)
    ds = None
    assert main(["db", "load", "--db", db, "--parcels", f"{curved}|layername=DLTB", "--units",
                 f"{gpkg}|layername=ZZDY", "--pbf", f"{gpkg}|layername=YJJBNTTB"]) == 0
    capsys.readouterr()
    assert _psql(cluster, name, "SELECT GeometryType(geom), round(ST_Area(geom)) > 0 FROM land_consolidation.survey "
                                "WHERE fid = 1") == "[('MULTIPOLYGON', True)]"
    _balance(db, tmp_path / "curved_out.gpkg")
    s = "land_consolidation"
    with cluster.connect(name) as conn, conn.cursor() as cur:
        cur.execute(f"CREATE TABLE {s}.nothing AS SELECT * FROM {s}.survey WHERE false")
        cur.execute(f"ALTER TABLE {s}.nothing ADD PRIMARY KEY (fid)")
        cur.execute(f"CREATE TABLE {s}.no_units AS SELECT * FROM {s}.plan_unit WHERE false")
        cur.execute(f"ALTER TABLE {s}.no_units ADD PRIMARY KEY (id)")
    for parcels, units, said in (("nothing", "plan_unit", "no parcel with a usable geometry"),
                                 ("parcels", "no_units", "no remediation unit")):
        assert main(["balance", "--in-database", "--parcels", f"PG:{db}|layername={s}.{parcels}", "--units",
                     f"PG:{db}|layername={s}.{units}", "--out", str(tmp_path / f"{parcels}.gpkg")]) == 2
        err = capsys.readouterr().err
        assert said in err and "SRID" not in err, err
