"""Exporting the plan GeoPackage with the parcels layer being the planning schema's ``parcels`` view.

A view has no primary key: through OGR (``PG:…|layername=schema.parcels``) its ``fid`` column is
an ordinary field and the features get numbers OGR invents; through QGIS's ``postgres`` provider
the key is whatever the layer names. Either way the plan's ``parcels`` must have unique fids, hold
every (parcel, unit) piece exactly once with the areas of the same export from the GeoPackage, and
keep the way back to the survey (``src_fid`` = the survey's fid, and BSM).
"""
from __future__ import annotations

import sqlite3
from collections import Counter

import pytest

from plugin.adapters.postgis.commands import db_init, db_load
from plugin.adapters.postgis.connection import connect
from plugin.demo.writer import write_demo_gpkg

SCHEMA = "plan"


@pytest.fixture(scope="module")
def loaded(pg_cluster, tmp_path_factory):
    """(dsn, demo GeoPackage) with the demo township loaded into the planning schema ``plan``."""
    name = "export_view"
    pg_cluster.execute(f'CREATE DATABASE "{name}" TEMPLATE "{pg_cluster.database}"', "postgres")
    gpkg = tmp_path_factory.mktemp("pgexport") / "demo.gpkg"
    write_demo_gpkg(str(gpkg), n_parcels=600, seed=5)
    dsn = pg_cluster.dsn(name, with_password=True)
    db_init(dsn, SCHEMA)
    db_load(dsn, SCHEMA, f"{gpkg}|layername=DLTB", f"{gpkg}|layername=ZZDY", f"{gpkg}|layername=YJJBNTTB")
    yield dsn, gpkg
    pg_cluster.execute(f'DROP DATABASE "{name}" WITH (FORCE)', "postgres")


def _export(parcels, units, out):
    from plugin.adapters.export import export_plan
    from plugin.adapters.layers import Inputs
    from plugin.core.rules import bundled_pack

    assert parcels.isValid() and units.isValid()
    return export_plan(Inputs(parcels=parcels, units=units), bundled_pack("national"), out, validate_output=True)


def _pieces(path) -> tuple[list, dict]:
    """([(BSM, DYBH, TBMJ)] of the plan's parcels, column names), and the fids are asserted unique."""
    con = sqlite3.connect(path)
    try:
        n, distinct = con.execute("SELECT count(*), count(DISTINCT fid) FROM parcels").fetchone()
        assert n == distinct
        columns = [r[1] for r in con.execute("PRAGMA table_info(parcels)")]
        src = "src_fid" if "src_fid" in columns else "NULL"
        rows = con.execute(f"SELECT BSM, DYBH, TBMJ, {src} FROM parcels").fetchall()
    finally:
        con.close()
    return rows, columns


def _check_against_reference(rows, reference, survey_bsm) -> None:
    pieces = Counter((bsm, code) for bsm, code, _t, _s in rows)
    assert max(pieces.values()) == 1, "a (parcel, unit) piece exported twice"
    want = {(bsm, code): tbmj for bsm, code, tbmj, _s in reference}
    got = {(bsm, code): tbmj for bsm, code, tbmj, _s in rows}
    assert set(got) == set(want)
    for key, tbmj in want.items():
        assert got[key] == pytest.approx(tbmj, abs=1e-6), key
    assert sum(got.values()) == pytest.approx(sum(want.values()), abs=1e-3)
    # parcels in two units: the case where invented or repeated fids collided
    assert sum(1 for n in Counter(b for b, _c in got).values() if n > 1) > 0
    for bsm, _code, _t, src_fid in rows:
        if src_fid is not None:
            assert survey_bsm[src_fid] == bsm  # the original fid -> BSM relation


@pytest.fixture(scope="module")
def reference(loaded, tmp_path_factory):
    """The same export from the demo GeoPackage (the SQL copier), and the survey's fid -> BSM."""
    from qgis.core import QgsVectorLayer

    dsn, gpkg = loaded
    out = tmp_path_factory.mktemp("ref") / "plan.gpkg"
    _export(QgsVectorLayer(f"{gpkg}|layername=DLTB", "DLTB", "ogr"),
            QgsVectorLayer(f"{gpkg}|layername=ZZDY", "ZZDY", "ogr"), out)
    rows, _columns = _pieces(out)
    conn = connect(dsn)
    with conn, conn.cursor() as cur:
        cur.execute("SELECT fid, bsm FROM plan.survey")
        survey = dict(cur.fetchall())
    conn.close()
    return rows, survey


@pytest.fixture(params=["rows numbered", "fid the key"])
def view_fids(request):
    """GDAL's PostgreSQL driver on the view: rows numbered 0, 1, … (QGIS alone), or ``fid`` its key (as the
    command line opens a ``PG:`` source: sources.pg_view_fids)."""
    from osgeo import gdal

    from plugin.adapters.sources import pg_view_fids

    before = gdal.GetConfigOption("PGSQL_OGR_FID")
    gdal.SetConfigOption("PGSQL_OGR_FID", None)
    if request.param == "fid the key":
        pg_view_fids()
    yield request.param
    gdal.SetConfigOption("PGSQL_OGR_FID", before)


def test_export_from_the_view_through_ogr(loaded, reference, tmp_path, view_fids):
    from qgis.core import QgsVectorLayer

    dsn, _gpkg = loaded
    parcels = QgsVectorLayer(f"PG:{dsn}|layername={SCHEMA}.parcels", "parcels", "ogr")
    units = QgsVectorLayer(f"PG:{dsn}|layername={SCHEMA}.plan_unit", "units", "ogr")
    _export(parcels, units, tmp_path / "plan.gpkg")
    rows, columns = _pieces(tmp_path / "plan.gpkg")
    assert "src_fid" in columns  # the view's fid column, kept under a name that is not the plan's fid
    assert all(r[3] is not None for r in rows)
    _check_against_reference(rows, *reference)


@pytest.mark.parametrize("key", ["fid", "bsm"])  # QGIS opens a view only with a key column
def test_export_from_the_view_through_the_postgres_provider(loaded, reference, tmp_path, key):
    from qgis.core import QgsDataSourceUri, QgsVectorLayer

    dsn, _gpkg = loaded

    def layer(table, pk):
        uri = QgsDataSourceUri(dsn)
        uri.setDataSource(SCHEMA, table, "geom", "", pk)
        return QgsVectorLayer(uri.uri(False), table, "postgres")

    _export(layer("parcels", key), layer("plan_unit", "id"), tmp_path / "plan.gpkg")
    rows, columns = _pieces(tmp_path / "plan.gpkg")
    assert "src_fid" in columns
    _check_against_reference(rows, *reference)
