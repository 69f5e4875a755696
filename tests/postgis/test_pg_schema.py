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


@pytest.mark.parametrize("schema", ["land_consolidation", 'my "quoted" schema', "全域 整治"])
def test_init_is_versioned_and_idempotent(service_db, schema):
    db, _cluster, _name = service_db
    conn = connect(db)
    assert pg_schema.migrate(conn, schema) == [1, 2]
    assert pg_schema.migrate(conn, schema) == []
    with conn.cursor() as cur:
        assert pg_schema.current_version(cur, schema) == pg_schema.latest_version()
        cur.execute("SELECT table_name FROM information_schema.tables WHERE table_schema = %s", (schema,))
        tables = {r[0] for r in cur.fetchall()}
    assert {"plan_unit", "plan_parcel", "plan_split", "history", "pbf", "lc_schema_version"} <= tables


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
