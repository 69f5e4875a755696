"""Maintained shares (migration 6, ``share_cache``): a balance after edits of units and PBF reads
the kept shares and recomputes only what the edits touched — and gives the numbers the in-process
engine gives on the edited tables, and the numbers of a balance that keeps nothing."""
from __future__ import annotations

import pytest
from test_pg_balance import assert_same_balance, in_process

from plugin.adapters.postgis import schema as pg_schema
from plugin.adapters.postgis.commands import db_load, in_database_balance
from plugin.adapters.postgis.connection import connect
from plugin.core.rules import bundled_pack
from plugin.demo.writer import write_demo_gpkg


def _pg(dsn: str, table: str) -> str:
    return f"PG:{dsn}|layername={table}"


@pytest.fixture()
def planning_db(pg_cluster, tmp_path):
    gpkg = tmp_path / "demo.gpkg"
    write_demo_gpkg(str(gpkg), n_parcels=1500, seed=7)
    name = "share_cache"
    pg_cluster.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)', "postgres")
    pg_cluster.execute(f'CREATE DATABASE "{name}" TEMPLATE "{pg_cluster.database}"', "postgres")
    dsn = pg_cluster.dsn(name, with_password=True)
    conn = connect(dsn)
    pg_schema.migrate(conn, "lc")
    conn.close()
    db_load(dsn, "lc", f"{gpkg}|layername=DLTB", f"{gpkg}|layername=ZZDY", f"{gpkg}|layername=YJJBNTTB")
    yield dsn
    pg_cluster.execute(f'DROP DATABASE "{name}" WITH (FORCE)', "postgres")


def _count(dsn: str, query: str) -> int:
    conn = connect(dsn)
    with conn, conn.cursor() as cur:
        cur.execute(query)
        n = cur.fetchone()[0]
    conn.close()
    return n


def _edit(dsn: str, *statements: str) -> None:
    conn = connect(dsn)
    with conn, conn.cursor() as cur:
        for statement in statements:
            cur.execute(statement)
    conn.close()


def _balances(dsn: str):
    """(kept shares, nothing kept, in-process engine) on the schema's tables."""
    pack = bundled_pack("national")
    sources = (_pg(dsn, "lc.parcels"), _pg(dsn, "lc.plan_unit"), _pg(dsn, "lc.pbf"))
    kept = in_database_balance(*sources, None, False, pack)
    # the same tables under another name: the cache only serves the schema's own parcels view
    _edit(dsn, "CREATE OR REPLACE VIEW lc.parcels_plain AS SELECT * FROM lc.parcels")
    plain = in_database_balance(_pg(dsn, "lc.parcels_plain"), *sources[1:], None, False, pack)
    return kept, plain, in_process(*sources)


def test_kept_shares_follow_unit_and_pbf_edits(planning_db):
    dsn = planning_db
    assert _count(dsn, "SELECT count(*) FROM lc.plan_share") == 0
    kept, plain, engine = _balances(dsn)
    assert_same_balance(kept, engine)
    assert_same_balance(kept, plain, tolerance_m2=1e-3)
    filled = _count(dsn, "SELECT count(*) FROM lc.plan_share")
    assert filled > 1000, "the first balance fills the kept shares"
    # a unit moved 150 m east, another removed, a new one; a PBF polygon removed, one added
    _edit(dsn,
          "UPDATE lc.plan_unit SET geom = ST_Multi(ST_Translate(geom, 150, 0)) WHERE id = (SELECT min(id) "
          "FROM lc.plan_unit)",
          "DELETE FROM lc.plan_unit WHERE id = (SELECT max(id) FROM lc.plan_unit)",
          "INSERT INTO lc.plan_unit (dybh, geom) SELECT 'NEW-1', ST_Multi(ST_Buffer(ST_Centroid(ST_Collect(geom)), "
          "300)) FROM lc.survey",
          "DELETE FROM lc.pbf WHERE id = (SELECT min(id) FROM lc.pbf)",
          "INSERT INTO lc.pbf (geom) SELECT ST_Multi(ST_Union(geom)) FROM lc.survey WHERE fid % 13 = 0 AND "
          "fid < 300")
    noted = _count(dsn, "SELECT count(*) FROM lc.plan_share_dirty")
    assert noted >= 5, "every edit notes its boxes"
    kept, plain, engine = _balances(dsn)
    assert_same_balance(kept, engine)
    assert_same_balance(kept, plain, tolerance_m2=1e-3)
    assert _count(dsn, "SELECT count(*) FROM lc.plan_share_dirty") == 0, "the balance consumed the edits"
    assert any(r[0] == "NEW-1" for r in kept.balance_rows())


def test_a_new_survey_refills_the_kept_shares(planning_db):
    dsn = planning_db
    kept, _plain, _engine = _balances(dsn)
    _edit(dsn, "UPDATE lc.survey SET geom = ST_Multi(ST_Translate(geom, 0, 40)) WHERE fid % 7 = 0")
    assert _count(dsn, "SELECT count(*) FROM lc.plan_share_dirty") > 0, "survey edits are noted too"
    kept, plain, engine = _balances(dsn)
    assert_same_balance(kept, engine)
    assert_same_balance(kept, plain, tolerance_m2=1e-3)
