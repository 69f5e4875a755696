"""The planning schema on a real PostGIS: db init (versioned, idempotent), db load, history."""
from __future__ import annotations

import pytest

from plugin.adapters.postgis import schema as pg_schema
from plugin.adapters.postgis.connection import connect


def test_cluster_is_ours_and_has_postgis(pg_db):
    cluster, name = pg_db
    with cluster.connect(name) as conn, conn.cursor() as cur:
        cur.execute("SELECT postgis_lib_version(), current_setting('data_directory'), current_setting('port')::int")
        version, data_dir, port = cur.fetchone()
    assert version.startswith("3.")
    assert data_dir == str(cluster.data) and "/var/lib/postgresql" not in data_dir
    assert port == cluster.port


@pytest.mark.parametrize("schema", ["land_consolidation", 'my "quoted" schema', "全域 整治", "planner's plan"])
def test_init_is_versioned_and_idempotent(service_db, schema):
    db, _cluster, _name = service_db
    conn = connect(db)
    assert pg_schema.migrate(conn, schema) == [v for v, _description, _sql in pg_schema.MIGRATIONS]
    assert pg_schema.migrate(conn, schema) == []
    with conn.cursor() as cur:
        assert pg_schema.current_version(cur, schema) == pg_schema.latest_version()
        cur.execute("SELECT table_name FROM information_schema.tables WHERE table_schema = %s", (schema,))
        tables = {r[0] for r in cur.fetchall()}
    assert {"plan_unit", "plan_parcel", "plan_split", "history", "pbf", "lc_schema_version",
            "unit_status_history"} <= tables


def test_history_records_who_when_what(service_db):
    db, _cluster, _name = service_db
    conn = connect(db)
    pg_schema.migrate(conn, "plan")
    with conn, conn.cursor() as cur:
        pg_schema.set_planner(cur, "张三")
        cur.execute("INSERT INTO plan.plan_parcel (survey_fid, zzlx) VALUES (7, 'JS-FK')")
        cur.execute("UPDATE plan.plan_parcel SET ghdlbm = '0103' WHERE survey_fid = 7")
        cur.execute("SELECT version, changed_by, changed_role FROM plan.plan_parcel WHERE survey_fid = 7")
        assert cur.fetchone() == (2, "张三", "postgres")
        cur.execute("SELECT qgis_user, db_role, table_name, row_key, action, new_row->>'ghdlbm', at "
                    "FROM plan.history ORDER BY id")
        rows = cur.fetchall()
    assert [r[:6] for r in rows] == [("张三", "postgres", "plan_parcel", "7", "INSERT", None),
                                     ("张三", "postgres", "plan_parcel", "7", "UPDATE", "0103")]
    assert rows[0][6] <= rows[1][6]


def test_a_version_released_after_a_higher_one_is_still_applied(service_db, monkeypatch):
    """Migration numbers are reserved by parallel work (4, 5 elsewhere, 6 here): a schema that has
    the higher ones still gets a lower one when it is released (here: 2 held back, then released)."""
    db, _cluster, _name = service_db
    conn = connect(db)
    every = list(pg_schema.MIGRATIONS)
    monkeypatch.setattr(pg_schema, "MIGRATIONS", [m for m in every if m[0] != 2])
    assert pg_schema.migrate(conn, "plan") == [v for v, _d, _s in every if v != 2]
    monkeypatch.setattr(pg_schema, "MIGRATIONS", every)
    with conn.cursor() as cur:  # without 2 the schema is at 1, whatever came after: db load refuses it
        assert pg_schema.current_version(cur, "plan") == 1 < pg_schema.latest_version()
    conn.rollback()
    assert pg_schema.migrate(conn, "plan") == [2]
    with conn.cursor() as cur:
        assert pg_schema.current_version(cur, "plan") == pg_schema.latest_version()
    conn.rollback()
    with conn.cursor() as cur:
        cur.execute("SELECT count(*) FROM pg_trigger WHERE tgrelid = 'plan.plan_unit'::regclass "
                    "AND tgname IN ('lc_stamp', 'lc_history')")
        assert cur.fetchone()[0] == 2
    assert pg_schema.migrate(conn, "plan") == []
    conn.close()


def test_load_keeps_the_survey_and_a_reader_role_can_compute(pg_db, tmp_path):
    """db load: the survey as it was (TBMJ per BSM recoverable), plan values in plan_parcel; a role
    with SELECT and TEMP only (docs/postgis.md, least privilege) runs the in-database balance."""
    import sqlite3

    from plugin.adapters.postgis.commands import db_init, db_load, in_database_balance
    from plugin.core.rules import bundled_pack
    from plugin.demo.writer import write_demo_gpkg

    cluster, name = pg_db
    gpkg = tmp_path / "demo.gpkg"
    write_demo_gpkg(str(gpkg), n_parcels=400, seed=3)
    owner = cluster.dsn(name, with_password=True)
    db_init(owner, "plan")
    db_load(owner, "plan", f"{gpkg}|layername=DLTB", f"{gpkg}|layername=ZZDY", f"{gpkg}|layername=YJJBNTTB")
    src = sqlite3.connect(gpkg)
    want_tbmj = dict(src.execute("SELECT BSM, TBMJ FROM DLTB"))
    n_planned = src.execute("SELECT count(*) FROM DLTB WHERE ZZLX IS NOT NULL OR GHDLBM IS NOT NULL "
                            "OR GHKCXS IS NOT NULL OR YNCZ IS NOT NULL").fetchone()[0]
    conn = connect(owner)
    with conn, conn.cursor() as cur:
        cur.execute("SELECT bsm, tbmj FROM plan.survey")
        assert dict(cur.fetchall()) == want_tbmj
        cur.execute("SELECT count(*) FROM plan.plan_parcel")
        assert cur.fetchone()[0] == n_planned > 0
        cur.execute("SELECT count(*) FROM plan.plan_unit")
        assert cur.fetchone()[0] == src.execute("SELECT count(*) FROM ZZDY").fetchone()[0]
        cur.execute("CREATE ROLE lc_reader LOGIN PASSWORD 'reader-pw'")
        cur.execute(f'GRANT CONNECT, TEMP ON DATABASE "{name}" TO lc_reader')
        cur.execute("GRANT USAGE ON SCHEMA plan TO lc_reader; GRANT SELECT ON ALL TABLES IN SCHEMA plan TO lc_reader")
    conn.close()
    reader = f"host=127.0.0.1 port={cluster.port} dbname={name} user=lc_reader password=reader-pw"
    layers = [f"PG:{reader}|layername=plan.{t}" for t in ("parcels", "plan_unit", "pbf")]
    balance = in_database_balance(*layers, None, False, bundled_pack("national"))
    assert balance.balance_rows() and balance.problems() == []
    with pytest.raises(Exception, match="permission denied"):
        reader_conn = connect(reader)
        with reader_conn.cursor() as cur:
            cur.execute("UPDATE plan.survey SET tbmj = 1")


def test_missing_driver_says_what_to_install(monkeypatch):
    import sys

    from plugin.adapters.postgis.connection import DatabaseError, driver

    monkeypatch.setitem(sys.modules, "psycopg2", None)
    with pytest.raises(DatabaseError, match="python3-psycopg2"):
        driver()


def test_kept_sums_migration_is_idempotent_and_notes_edits_for_any_planner(service_db):
    """Migrations 12 and 13 (sum_cache, survey_cache) applied again change nothing; a plan edit by a role
    without rights on plan_sum_dirty is noted (SECURITY DEFINER), an edit of the survey notes "everything"."""
    from plugin.adapters.postgis import sum_cache, survey_cache

    db, cluster, name = service_db
    conn = connect(db)
    pg_schema.migrate(conn, "kept 整治")
    with conn, conn.cursor() as cur:
        cur.execute('CREATE TABLE "kept 整治".survey (fid bigserial PRIMARY KEY, geom geometry)')
        sql = pg_schema.driver().sql
        for _twice in range(2):
            for _version, _what, body in (sum_cache.MIGRATION, survey_cache.MIGRATION):
                cur.execute(sql.SQL(body.replace("{s}", "{schema}")).format(schema=sql.Identifier("kept 整治"),
                                                                            name=sql.Literal("kept 整治")))
        cur.execute("SELECT count(*) FROM pg_trigger WHERE tgname LIKE 'lc_sum_dirty%' AND NOT tgisinternal")
        assert cur.fetchone()[0] == 3  # plan_parcel (rows, truncate), survey
    cluster.execute("DO $$ BEGIN CREATE ROLE lc_sum_planner; EXCEPTION WHEN duplicate_object THEN NULL; END $$", name)
    cluster.execute('GRANT USAGE ON SCHEMA "kept 整治" TO lc_sum_planner; GRANT SELECT, INSERT, UPDATE ON '
                    '"kept 整治".plan_parcel, "kept 整治".history TO lc_sum_planner; GRANT USAGE ON ALL SEQUENCES IN '
                    'SCHEMA "kept 整治" TO lc_sum_planner', name)
    with conn, conn.cursor() as cur:
        cur.execute("SET ROLE lc_sum_planner")
        cur.execute('INSERT INTO "kept 整治".plan_parcel (survey_fid, zzlx) VALUES (5, $$\'); DROP TABLE x;--$$)')
        cur.execute('UPDATE "kept 整治".plan_parcel SET ghdlbm = %s WHERE survey_fid = 5', ("0101",))
        cur.execute("RESET ROLE")
        cur.execute('INSERT INTO "kept 整治".survey (geom) VALUES (NULL)')
        cur.execute('SELECT survey_fid FROM "kept 整治".plan_sum_dirty ORDER BY id')
        assert [r[0] for r in cur.fetchall()] == [5, 5, None]
    conn.close()
