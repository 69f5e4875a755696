"""Security of the database path: quoted identifiers, bound values, no password anywhere."""
from __future__ import annotations

import pytest

from plugin.adapters.postgis import schema as pg_schema
from plugin.adapters.postgis.commands import db_init, in_database_balance
from plugin.adapters.postgis.connection import DatabaseError, connect, redact, split_source, sql_identifier
from plugin.core.rules import bundled_pack

EVIL = "'); DROP TABLE x;--"
SCHEMA = '规划 "x" 区'
PARCELS = "地类 图斑; DROP"
UNITS = "单元's"


def test_redact_hides_every_password_spelling():
    assert "s3cret" not in redact("host=h password=s3cret dbname=d")
    assert "s3 cr'et" not in redact("host=h password='s3 cr\\'et' dbname=d")
    assert "s3cret" not in redact("postgresql://planner:s3cret@db.example/county")
    assert redact("PG:dbname=d password=s3cret|layername=lc.parcels") == "PG:dbname=d password=***|layername=lc.parcels"
    assert redact("service=county") == "service=county"


def test_split_source_keeps_quoted_names():
    dsn, schema, table = split_source('PG:service=c|layername="规划 ""x"" 区"."a.b"')
    assert (dsn, schema, table) == ("service=c", '规划 "x" 区', "a.b")
    assert split_source("PG:dbname=d|layername=lc.parcels")[1:] == ("lc", "parcels")


def test_wrong_password_message_names_no_password(pg_db):
    cluster, name = pg_db
    wrong = "not-the-password-" + "x" * 8
    with pytest.raises(DatabaseError) as err:
        connect(f"host=127.0.0.1 port={cluster.port} dbname={name} user=postgres password={wrong}")
    assert wrong not in str(err.value) and "password" in str(err.value).lower()


def _odd_tables(cluster, name: str) -> None:
    """Parcels and units under names with quotes, spaces, Chinese and SQL; a unit coded EVIL."""
    conn = cluster.connect(name)
    with conn.cursor() as cur:
        cur.execute("CREATE TABLE public.x (keep int); INSERT INTO public.x VALUES (1)")
        cur.execute('CREATE SCHEMA "规划 ""x"" 区"')
        cur.execute('CREATE TABLE "规划 ""x"" 区"."地类 图斑; DROP" ("编 号" serial PRIMARY KEY, '
                    '"地类编码" text, "图斑面积" float8, "ZZLX" text, "GHDLBM" text, '
                    '"几何 g" geometry(MultiPolygon, 4527))')
        cur.execute('INSERT INTO "规划 ""x"" 区"."地类 图斑; DROP" '
                    '("地类编码", "图斑面积", "ZZLX", "GHDLBM", "几何 g") '
                    "SELECT CASE WHEN i % 3 = 0 THEN '0101' WHEN i % 3 = 1 THEN '0201' ELSE '0702' END, 10000, "
                    "CASE WHEN i % 3 = 2 THEN 'JS-FK' END, CASE WHEN i % 3 = 2 THEN '0103' END, "
                    "ST_Multi(ST_MakeEnvelope(39500000 + (i % 10) * 100, 3500000 + (i / 10) * 100, "
                    "39500100 + (i % 10) * 100, 3500100 + (i / 10) * 100, 4527)) FROM generate_series(0, 99) i")
        cur.execute('CREATE TABLE "规划 ""x"" 区"."单元\'s" (id serial PRIMARY KEY, "编 ""号""" text, '
                    "geom geometry(MultiPolygon, 4527))")
        cur.execute('INSERT INTO "规划 ""x"" 区"."单元\'s" ("编 ""号""", geom) VALUES '
                    "(%s, ST_Multi(ST_MakeEnvelope(39500000, 3500000, 39500500, 3501000, 4527))), "
                    "('U2', ST_Multi(ST_MakeEnvelope(39500500, 3500000, 39501000, 3501000, 4527)))", (EVIL,))
    conn.close()


def test_identifiers_quoted_and_values_bound(pg_db):
    cluster, name = pg_db
    _odd_tables(cluster, name)
    dsn = cluster.dsn(name, with_password=True)
    layer = '"规划 ""x"" 区"."{0}"'
    balance = in_database_balance(f"PG:{dsn}|layername=" + layer.format(PARCELS),
                                  f"PG:{dsn}|layername=" + layer.format("单元's"), None, '编 "号"', False,
                                  bundled_pack("national"))
    rows = {(c, d): (b, a) for c, d, b, a in balance.balance_rows()}
    # 50 squares of 1 ha in each unit: 17 farmland, 17 garden, 16 rural building (tagged JS-FK -> 0103)
    assert rows[(EVIL, "0101")] == pytest.approx((170_000.0, 170_000.0))
    assert rows[(EVIL, "0702")][1] == pytest.approx(0.0)
    assert rows[(EVIL, "0103")] == pytest.approx((0.0, 160_000.0))
    assert rows[("*", "0101")][0] == pytest.approx(340_000.0)
    with cluster.connect(name).cursor() as cur:
        cur.execute("SELECT keep FROM public.x")
        assert cur.fetchall() == [(1,)]


def test_db_init_in_a_schema_named_like_an_attack(service_db):
    db, cluster, name = service_db
    evil_schema = 'lc"; DROP TABLE x; --'
    db_init(db, evil_schema)
    conn = connect(db)
    with conn.cursor() as cur:
        assert pg_schema.current_version(cur, evil_schema) == pg_schema.latest_version()
        cur.execute("SELECT count(*) FROM information_schema.schemata WHERE schema_name = %s", (evil_schema,))
        assert cur.fetchone()[0] == 1
    conn.close()


NAMES = ["plan", "lc", "plan_2026", "规划", "plan x", 'a"b', "Plan", "user", "select", "join", "1plan", "计划's"]


def test_sql_identifier_spells_names_as_quote_ident_and_the_grant_shown_can_be_pasted(service_db):
    """The GRANT a planner is told to ask for names the schema as the DBA can paste it (live_versions)."""
    db, cluster, name = service_db
    conn = connect(db)
    with conn.cursor() as cur:
        for n in NAMES:
            cur.execute("SELECT quote_ident(%s)", (n,))
            assert sql_identifier(n) == cur.fetchone()[0], n
    conn.close()
    schema = '规划 "x" 区'
    db_init(db, schema)
    cluster.execute("DO $$ BEGIN CREATE ROLE r_paste; EXCEPTION WHEN duplicate_object THEN NULL; END $$", "postgres")
    cluster.execute(f"GRANT EXECUTE ON FUNCTION {sql_identifier(schema)}.lc_read_for_delete(text, bigint[], "
                    "integer[]) TO r_paste", name)
    conn = connect(db)
    with conn.cursor() as cur:
        cur.execute("SELECT has_function_privilege('r_paste', %s, 'EXECUTE')",
                    (sql_identifier(schema) + ".lc_read_for_delete(text, bigint[], integer[])",))
        assert cur.fetchone() == (True,)
    conn.close()
