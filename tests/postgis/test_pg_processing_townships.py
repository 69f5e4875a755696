"""Processing's ``computebalance`` gives the township PBF limits (docs/domain.md §7) as
``plugin.cli balance --pbf … --ugb …`` does: inside the database equal to the CLI's
``--in-database``, and in process equal to the in-database rows."""
from __future__ import annotations

import sqlite3

import pytest

from plugin.adapters.postgis.connection import connect
from plugin.cli.app import main
from tests.postgis import test_pg_processing as base
from tests.postgis.test_pg_processing import SCHEMA, Said, _connection, _layer

provider, loaded = base.provider, base.loaded  # the algorithm provider and the demo in a database


def townships(path) -> dict:
    con = sqlite3.connect(path)
    try:
        return {(u, r): (v, p) for u, r, v, p in con.execute(
            "SELECT unit_code, rule_id, value, passed FROM indicators WHERE length(unit_code) = 9")}
    finally:
        con.close()


@pytest.fixture(scope="module")
def with_ugb(loaded):
    cluster, name, _gpkg = loaded
    conn = connect(cluster.dsn(name, with_password=True))
    with conn, conn.cursor() as cur:  # a boundary over half of the PBF moved out
        cur.execute(f"CREATE TABLE IF NOT EXISTS {SCHEMA}.ugb AS SELECT 1 AS id, "
                    f"ST_Multi(ST_Union(ST_Buffer(s.geom, 5)))::geometry(MultiPolygon, {_srid(cur)}) AS geom "
                    f"FROM {SCHEMA}.survey s JOIN {SCHEMA}.plan_parcel p ON p.survey_fid = s.fid "
                    "WHERE p.yncz IN ('调出', 'OUT') AND s.fid % 2 = 0")
        cur.execute(f"ALTER TABLE {SCHEMA}.ugb DROP CONSTRAINT IF EXISTS ugb_pkey; ALTER TABLE {SCHEMA}.ugb "
                    "ADD PRIMARY KEY (id)")
    conn.close()
    return loaded


def _srid(cur) -> int:
    cur.execute(f"SELECT ST_SRID(geom) FROM {SCHEMA}.survey LIMIT 1")
    return cur.fetchone()[0]


def test_processing_township_limits_equal_the_cli_inside_the_database_and_in_process(provider, with_ugb, tmp_path):
    import processing

    cluster, name, _gpkg = with_ugb
    connection = _connection(cluster, name, "service")
    params = {"PARCELS": _layer(connection, "parcels", "fid"), "UNITS": _layer(connection, "plan_unit", "id"),
              "PBF": _layer(connection, "pbf", "id"), "UGB": _layer(connection, "ugb", "id"), "UNIT_FIELD": "dybh"}
    said = Said()
    result = processing.run("landconsolidation:computebalance",
                            {**params, "IN_DATABASE": True, "OUTPUT": str(tmp_path / "db.gpkg"),
                             "INDICATORS": "TEMPORARY_OUTPUT"}, feedback=said.feedback)
    pg = f"PG:{connection}|layername={SCHEMA}."
    assert main(["balance", "--in-database", "--parcels", pg + "parcels", "--units", pg + "plan_unit",
                 "--pbf", pg + "pbf", "--ugb", pg + "ugb", "--out", str(tmp_path / "cli.gpkg")]) == 0
    got, cli = townships(tmp_path / "db.gpkg"), townships(tmp_path / "cli.gpkg")
    rules = {r for _u, r in cli}
    assert cli and "township_pbf_ugb_kept" in rules and len({u for u, _r in cli}) >= 1
    assert got == cli
    assert any(v and v > 0 for (_u, r), (v, _p) in cli.items() if r == "township_pbf_ugb_kept")
    assert "Townships (PBF adjustment limits):" in said.text()
    sink = {(f["unit_code"], f["rule_id"]) for f in result["INDICATORS"].getFeatures()}
    assert set(cli) <= sink

    # the in-process algorithm on the same layers: the same township rows
    processing.run("landconsolidation:computebalance", {**params, "OUTPUT": str(tmp_path / "in_process.gpkg")})
    in_process = townships(tmp_path / "in_process.gpkg")
    assert set(in_process) == set(cli)
    for key, (value, passed) in in_process.items():
        assert cli[key][1] == passed, key
        assert (cli[key][0] is None) == (value is None), key
        if value is not None:
            assert cli[key][0] == pytest.approx(value, rel=1e-6, abs=1e-4), key
