"""The planning schema's ``SECURITY DEFINER`` functions (migration 9; docs/postgis.md, "Least privilege"):
not executable by PUBLIC, a fixed search path, granted to the planners who delete units; the delete
trigger still checks a planner's note although nobody but the owner may execute it."""
from __future__ import annotations

import pytest

from plugin.adapters.postgis import schema as pg_schema
from plugin.adapters.postgis.connection import connect

SCHEMA = "plan"
NOTE = f"SELECT {SCHEMA}.lc_read_for_delete('plan_unit', ARRAY[%s]::bigint[], ARRAY[%s]::integer[])"


def _role(cluster, name: str, database: str, grants: str = "") -> None:
    cluster.execute(f"DO $$ BEGIN CREATE ROLE {name} LOGIN; EXCEPTION WHEN duplicate_object THEN NULL; END $$",
                    "postgres")
    cluster.execute(f"GRANT USAGE ON SCHEMA {SCHEMA} TO {name}; GRANT SELECT ON ALL TABLES IN SCHEMA {SCHEMA} "
                    f"TO {name}; {grants}", database)


def _may_execute(cur, role: str, function: str) -> bool:
    cur.execute("SELECT has_function_privilege(%s, %s, 'EXECUTE')", (role, f"{SCHEMA}.{function}"))
    return cur.fetchone()[0]


def test_definer_functions_are_not_public_and_have_a_fixed_search_path(pg_db):
    cluster, name = pg_db
    cluster.execute("DO $$ BEGIN CREATE ROLE lc_planner NOLOGIN; EXCEPTION WHEN duplicate_object THEN NULL; "
                    "END $$", "postgres")
    conn = connect(cluster.dsn(name, with_password=True))
    pg_schema.migrate(conn, SCHEMA)
    with conn, conn.cursor() as cur:
        # every SECURITY DEFINER function of the schema, also one a later migration adds
        cur.execute("SELECT p.oid::regprocedure::text, p.proconfig FROM pg_proc p "
                    "WHERE p.pronamespace = %s::regnamespace AND p.prosecdef", (SCHEMA,))
        found = cur.fetchall()
        assert {f.split(".", 1)[1] for f, _c in found} == {f.replace(" ", "") for f in pg_schema.DEFINER_FUNCTIONS}
        for function, config in found:
            assert config is not None and "search_path=pg_catalog, pg_temp" in config, function
            cur.execute("SELECT has_function_privilege('public', %s, 'EXECUTE')", (function,))
            assert not cur.fetchone()[0], f"PUBLIC may execute {function}"
        assert _may_execute(cur, "lc_planner", pg_schema.DEFINER_FUNCTIONS[0])
        assert _may_execute(cur, "lc_planner", pg_schema.DEFINER_FUNCTIONS[2])  # migration 10's check
        assert not _may_execute(cur, "lc_planner", pg_schema.DEFINER_FUNCTIONS[1])  # a trigger: nobody calls it
    conn.close()


def test_a_role_without_the_grant_cannot_note_versions(pg_db):
    cluster, name = pg_db
    conn = connect(cluster.dsn(name, with_password=True))
    pg_schema.migrate(conn, SCHEMA)
    conn.close()
    _role(cluster, "lc_nobody", name)  # may read the schema, nothing more
    outsider = cluster.connect(name, user="lc_nobody")
    with outsider.cursor() as cur, pytest.raises(Exception, match="permission denied for function lc_read_for_delete"):
        cur.execute(NOTE, (1, 1))
    outsider.close()
    with cluster.connect(name) as owner, owner.cursor() as cur:
        cur.execute(f"SELECT count(*) FROM {SCHEMA}.lc_delete_read")
        assert cur.fetchone()[0] == 0


def test_an_upgraded_schemas_planners_keep_the_delete_check(pg_db, monkeypatch):
    """A schema at 8 whose planners may delete units (they executed the function as PUBLIC): the upgrade
    (9 and 10) grants them it and the check of migration 10, and the trigger — which they may not
    execute — still refuses a stale delete."""
    cluster, name = pg_db
    conn = connect(cluster.dsn(name, with_password=True))
    every = list(pg_schema.MIGRATIONS)
    monkeypatch.setattr(pg_schema, "MIGRATIONS", [m for m in every if m[0] <= 8])
    pg_schema.migrate(conn, SCHEMA)
    _role(cluster, "lc_deleter", name, f"GRANT DELETE, UPDATE ON {SCHEMA}.plan_unit TO lc_deleter; "
                                       f"GRANT INSERT ON {SCHEMA}.history, {SCHEMA}.plan_share_dirty TO lc_deleter; "
                                       f"GRANT USAGE ON ALL SEQUENCES IN SCHEMA {SCHEMA} TO lc_deleter")
    _role(cluster, "lc_viewer", name)
    monkeypatch.setattr(pg_schema, "MIGRATIONS", every)
    assert [v for v in pg_schema.migrate(conn, SCHEMA) if v <= 10] == [9, 10]  # the real upgrade from 8
    with conn, conn.cursor() as cur:
        assert _may_execute(cur, "lc_deleter", pg_schema.DEFINER_FUNCTIONS[0])
        assert not _may_execute(cur, "lc_viewer", pg_schema.DEFINER_FUNCTIONS[0])
        assert _may_execute(cur, "lc_deleter", pg_schema.DEFINER_FUNCTIONS[2])  # lc_check_seen (migration 10)
        assert not _may_execute(cur, "lc_viewer", pg_schema.DEFINER_FUNCTIONS[2])
        assert not _may_execute(cur, "lc_deleter", pg_schema.DEFINER_FUNCTIONS[1])
        cur.execute(f"INSERT INTO {SCHEMA}.plan_unit (dybh) VALUES ('U1'), ('U2') RETURNING id")
        stale, fresh = [r[0] for r in cur.fetchall()]
        cur.execute(f"UPDATE {SCHEMA}.plan_unit SET dymc = '甲' WHERE id = %s", (stale,))  # now version 2
    conn.close()
    planner = cluster.connect(name, user="lc_deleter")
    with planner.cursor() as cur:
        cur.execute(NOTE, (stale, 1))  # the planner saw version 1
        with pytest.raises(Exception, match="your deletion was refused"):
            cur.execute(f"DELETE FROM {SCHEMA}.plan_unit WHERE id = %s", (stale,))
        cur.execute(NOTE, (fresh, 1))
        cur.execute(f"DELETE FROM {SCHEMA}.plan_unit WHERE id = %s", (fresh,))
        assert cur.rowcount == 1
    planner.close()


def test_the_upgrade_from_8_grants_the_check_in_a_schema_with_an_odd_name(pg_db, monkeypatch):
    """Migration 10 finds the planners of a schema named with quotes, spaces and Chinese (``%I``)."""
    cluster, name = pg_db
    odd, quoted = 'plan "规划" x', '"plan ""规划"" x"'
    conn = connect(cluster.dsn(name, with_password=True))
    every = list(pg_schema.MIGRATIONS)
    monkeypatch.setattr(pg_schema, "MIGRATIONS", [m for m in every if m[0] <= 8])
    pg_schema.migrate(conn, odd)
    cluster.execute("DO $$ BEGIN CREATE ROLE lc_tagger LOGIN; EXCEPTION WHEN duplicate_object THEN NULL; END $$",
                    "postgres")
    cluster.execute(f"GRANT USAGE ON SCHEMA {quoted} TO lc_tagger; GRANT UPDATE ON {quoted}.plan_parcel TO lc_tagger",
                    name)
    monkeypatch.setattr(pg_schema, "MIGRATIONS", every)
    assert [v for v in pg_schema.migrate(conn, odd) if v <= 10] == [9, 10]
    with conn, conn.cursor() as cur:
        cur.execute("SELECT has_function_privilege('lc_tagger', %s, 'EXECUTE')",
                    (f"{quoted}.{pg_schema.DEFINER_FUNCTIONS[2]}",))
        assert cur.fetchone() == (True,)
    assert pg_schema.migrate(conn, odd) == []
    conn.close()


def test_a_planner_cannot_set_history_tx(pg_db):
    """Planners may insert into ``history``; its ``tx`` (what lc_check_seen trusts) is always the inserting
    transaction's (migration 11), never a value the client sends."""
    cluster, name = pg_db
    conn = connect(cluster.dsn(name, with_password=True))
    applied = pg_schema.migrate(conn, SCHEMA)
    assert pg_schema.TX_STAMP_MIGRATION[0] in applied
    conn.close()
    _role(cluster, "lc_forger", name, f"GRANT INSERT ON {SCHEMA}.history TO lc_forger; "
                                      f"GRANT USAGE ON ALL SEQUENCES IN SCHEMA {SCHEMA} TO lc_forger")
    forger = cluster.connect(name, user="lc_forger")
    forger.autocommit = False
    with forger.cursor() as cur:
        cur.execute("SELECT txid_current()")
        mine = cur.fetchone()[0]
        cur.execute(f"INSERT INTO {SCHEMA}.history (table_name, row_key, action, old_row, tx) "
                    "VALUES ('plan_unit', '1', 'UPDATE', '{\"version\": 1}', %s)", (mine + 1000,))
    forger.commit()
    forger.close()
    with cluster.connect(name) as owner, owner.cursor() as cur:
        cur.execute(f"SELECT tx FROM {SCHEMA}.history WHERE row_key = '1'")
        assert cur.fetchall() == [(mine,)]
