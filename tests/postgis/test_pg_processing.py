"""Processing's ``computebalance`` with "Compute inside the database" on QGIS ``postgres`` layers.

Its ``balance`` table must be the one of ``plugin.cli balance --in-database`` on the same tables,
and the in-process algorithm's within 1 m² per (unit, class) row; layers that are not PostGIS
tables of one database are refused with a message that names no password.
"""
from __future__ import annotations

import gc
import os
import sqlite3

import pytest

from plugin.adapters.postgis.commands import db_init, db_load
from plugin.cli.app import main
from plugin.demo.writer import write_demo_gpkg

SCHEMA = "plan"
SERVICE = "lc_processing"


@pytest.fixture(scope="module")
def provider(qgis_processing):
    from qgis.core import QgsApplication

    from plugin.processing.provider import PROVIDER_ID, LandConsolidationProvider

    registry = QgsApplication.processingRegistry()
    if registry.providerById(PROVIDER_ID) is not None:
        registry.removeProvider(PROVIDER_ID)
    assert registry.addProvider(LandConsolidationProvider())
    yield
    registry.removeProvider(PROVIDER_ID)


@pytest.fixture(scope="module")
def loaded(pg_cluster, tmp_path_factory):
    """(cluster, database, demo GeoPackage): the demo loaded into ``plan``; a pg_service.conf names it."""
    name = "processing_db"
    pg_cluster.execute(f'CREATE DATABASE "{name}" TEMPLATE "{pg_cluster.database}"', "postgres")
    folder = tmp_path_factory.mktemp("pgprocessing")
    gpkg = folder / "demo.gpkg"
    write_demo_gpkg(str(gpkg), n_parcels=800, seed=9)
    dsn = pg_cluster.dsn(name, with_password=True)
    db_init(dsn, SCHEMA)
    db_load(dsn, SCHEMA, f"{gpkg}|layername=DLTB", f"{gpkg}|layername=ZZDY", f"{gpkg}|layername=YJJBNTTB")
    service = folder / "pg_service.conf"
    service.write_text(f"[{SERVICE}]\nhost=127.0.0.1\nport={pg_cluster.port}\ndbname={name}\nuser=postgres\n"
                       f"password={pg_cluster.password}\n", encoding="utf-8")
    service.chmod(0o600)
    old = os.environ.get("PGSERVICEFILE")
    os.environ["PGSERVICEFILE"] = str(service)
    yield pg_cluster, name, gpkg
    if old is None:
        os.environ.pop("PGSERVICEFILE", None)
    else:
        os.environ["PGSERVICEFILE"] = old
    pg_cluster.execute(f'DROP DATABASE "{name}" WITH (FORCE)', "postgres")


def _connection(cluster, name, style: str) -> str:
    if style == "service":
        return f"service={SERVICE}"
    return f"host=127.0.0.1 port={cluster.port} dbname={name} user=postgres password={cluster.password}"


def _layer(connection: str, table: str, key: str):
    from qgis.core import QgsDataSourceUri, QgsVectorLayer

    uri = QgsDataSourceUri(connection)
    uri.setDataSource(SCHEMA, table, "geom", "", key)
    layer = QgsVectorLayer(uri.uri(False), table, "postgres")
    assert layer.isValid() and layer.providerType() == "postgres", table
    return layer


class Said:
    """A Processing feedback whose log (every message pushed) is kept."""

    def __init__(self):
        from qgis.core import QgsProcessingFeedback

        self.feedback = QgsProcessingFeedback()

    def text(self) -> str:
        return self.feedback.textLog() + self.feedback.htmlLog()


def _balance(path) -> dict:
    con = sqlite3.connect(path)
    try:
        return {(u, d): (b, a) for u, d, b, a in con.execute(
            "SELECT unit_code, dlbm, area_before_m2, area_after_m2 FROM balance")}
    finally:
        con.close()


@pytest.mark.parametrize("style", ["password", "service"])
def test_in_database_equals_the_cli_and_the_in_process_algorithm(provider, loaded, tmp_path, style):
    import processing

    cluster, name, _gpkg = loaded
    connection = _connection(cluster, name, style)
    params = {"PARCELS": _layer(connection, "parcels", "fid"), "UNITS": _layer(connection, "plan_unit", "id"),
              "PBF": _layer(connection, "pbf", "id"), "UNIT_FIELD": "dybh"}
    said = Said()
    result = processing.run("landconsolidation:computebalance",
                            {**params, "IN_DATABASE": True, "OUTPUT": str(tmp_path / "db.gpkg"),
                             "BALANCE": "TEMPORARY_OUTPUT"}, feedback=said.feedback)
    assert "inside the database" in said.text()
    assert cluster.password not in said.text()
    pg = f"PG:{connection}|layername={SCHEMA}."
    assert main(["balance", "--in-database", "--parcels", pg + "parcels", "--units", pg + "plan_unit",
                 "--pbf", pg + "pbf", "--out", str(tmp_path / "cli.gpkg")]) == 0
    processing.run("landconsolidation:computebalance", {**params, "OUTPUT": str(tmp_path / "in_process.gpkg")})
    got, cli, in_process = (_balance(tmp_path / f) for f in ("db.gpkg", "cli.gpkg", "in_process.gpkg"))
    assert len(got) > 20 and set(got) == set(cli) == set(in_process)
    for key, (before, after) in in_process.items():
        assert got[key] == pytest.approx(cli[key], abs=1e-6), key
        assert got[key] == pytest.approx((before, after), abs=1.0), key
    assert result["BALANCE"].featureCount() == len(got)
    assert result["UNIT_COUNT"] == len({u for u, _d in got if u != "*"})


def _refusal(params: dict) -> str:
    """The message of the QgsProcessingException the algorithm raises (the exception itself is not
    kept: its traceback holds the algorithm's frames and layers, which must go before QGIS exits)."""
    import processing
    from qgis.core import QgsProcessingException, QgsProject

    layers = {k: v for k, v in params.items() if hasattr(v, "id")}
    QgsProject.instance().addMapLayers(list(layers.values()), False)  # as in QGIS: layers of the project
    try:
        processing.run("landconsolidation:computebalance", {**params, **{k: v.id() for k, v in layers.items()}})
    except QgsProcessingException as exc:
        message = str(exc)
    else:
        message = None
    finally:
        QgsProject.instance().removeMapLayers([v.id() for v in layers.values()])
    gc.collect()
    assert message is not None, "not refused"
    return message


def test_refuses_layers_that_are_not_postgis_or_not_one_database(provider, loaded, tmp_path):
    from qgis.core import QgsVectorLayer

    cluster, name, gpkg = loaded
    connection = _connection(cluster, name, "password")
    file_parcels = QgsVectorLayer(f"{gpkg}|layername=DLTB", "DLTB", "ogr")
    message = _refusal({"PARCELS": file_parcels, "UNITS": _layer(connection, "plan_unit", "id"),
                        "IN_DATABASE": True, "OUTPUT": str(tmp_path / "never.gpkg")})
    assert "PostGIS layers" in message and "DLTB" in message
    other = "lc_other_db"
    cluster.execute(f'CREATE DATABASE "{other}" TEMPLATE "{cluster.database}"', "postgres")
    cluster.execute(f"CREATE SCHEMA {SCHEMA}; CREATE TABLE {SCHEMA}.plan_unit (id serial PRIMARY KEY, dybh text, "
                    "geom geometry(MultiPolygon, 4527))", other)
    try:
        message = _refusal({"PARCELS": _layer(connection, "parcels", "fid"),
                            "UNITS": _layer(_connection(cluster, other, "password"), "plan_unit", "id"),
                            "IN_DATABASE": True, "OUTPUT": str(tmp_path / "never.gpkg")})
        assert "one database" in message and cluster.password not in message
    finally:
        cluster.execute(f'DROP DATABASE "{other}" WITH (FORCE)', "postgres")
    assert not (tmp_path / "never.gpkg").exists()
