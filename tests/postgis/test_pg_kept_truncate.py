"""Kept shares and sums (share_cache, sum_cache) against edits no row trigger sees: ``TRUNCATE pbf``
and ``TRUNCATE plan_unit`` (migration 14), ``TRUNCATE survey`` and a reload without triggers (the
survey's file in the kept results' stamp), and a balance without PBF between balances with the
schema's pbf. Each time the kept balance equals a balance that keeps nothing."""
from __future__ import annotations

import pytest
from test_pg_balance import assert_same_balance
from test_pg_share_cache import _balances, _count, _edit, _pg, planning_db  # noqa: F401 (a fixture)

from plugin.adapters.postgis.commands import in_database_balance
from plugin.adapters.postgis.connection import connect
from plugin.core.rules import bundled_pack


@pytest.fixture()
def dsn(planning_db):  # noqa: F811 (test_pg_share_cache's demo schema "lc", loaded)
    return planning_db


def _kept_and_plain(dsn: str, pbf: bool = True):
    """(kept, nothing kept): the schema's parcels, and the same table under another name."""
    pack = bundled_pack("national")
    sources = (_pg(dsn, "lc.parcels"), _pg(dsn, "lc.plan_unit"), _pg(dsn, "lc.pbf") if pbf else None)
    kept = in_database_balance(*sources, None, False, pack)
    _edit(dsn, "CREATE OR REPLACE VIEW lc.parcels_plain AS SELECT * FROM lc.parcels")
    plain = in_database_balance(_pg(dsn, "lc.parcels_plain"), *sources[1:], None, False, pack)
    return kept, plain


def test_truncate_pbf(dsn):
    _balances(dsn)  # fills the kept shares and sums
    _edit(dsn, "TRUNCATE lc.pbf")
    kept, plain = _kept_and_plain(dsn)
    assert_same_balance(kept, plain, tolerance_m2=1e-3)


def test_truncate_units(dsn):
    _balances(dsn)
    _edit(dsn, "TRUNCATE lc.plan_unit",
          "INSERT INTO lc.plan_unit (dybh, geom) SELECT 'NEW-1', "
          "ST_Multi(ST_Buffer(ST_Centroid(ST_Collect(geom)), 300)) FROM lc.survey")
    kept, plain = _kept_and_plain(dsn)
    assert_same_balance(kept, plain, tolerance_m2=1e-3)


def test_no_pbf_then_pbf(dsn):
    _kept_and_plain(dsn, pbf=False)
    _balances(dsn)  # with the schema's pbf: kept shares
    assert _count(dsn, "SELECT count(*) FROM lc.plan_share") > 0
    for pbf in (False, True):  # both directions
        kept, plain = _kept_and_plain(dsn, pbf=pbf)
        assert_same_balance(kept, plain, tolerance_m2=1e-3)



def test_truncate_survey_and_load_it_again(dsn):
    """TRUNCATE survey fires no row trigger, and a bulk reload (``pg_restore --disable-triggers``, COPY
    with the triggers off) none either: the features put back with some moved and some TBMJ changed."""
    _balances(dsn)
    _edit(dsn, "CREATE TABLE lc.survey_copy AS SELECT * FROM lc.survey",
          "UPDATE lc.survey_copy SET geom = ST_Multi(ST_Translate(geom, 25, 0)) WHERE fid % 5 = 0",
          "UPDATE lc.survey_copy SET tbmj = tbmj * 1.5 WHERE fid % 7 = 0",
          "TRUNCATE lc.survey",
          "ALTER TABLE lc.survey DISABLE TRIGGER USER",
          "INSERT INTO lc.survey SELECT * FROM lc.survey_copy",
          "ALTER TABLE lc.survey ENABLE TRIGGER USER")
    kept, plain = _kept_and_plain(dsn)
    assert_same_balance(kept, plain, tolerance_m2=1e-3)



def test_a_refill_by_the_owner_builds_the_same_indexes_again(dsn):
    """The owner's refill writes plan_share without its indexes and builds them again (share_cache._refill)."""
    query = ("SELECT string_agg(indexdef, ';' ORDER BY indexdef) FROM pg_indexes WHERE schemaname = 'lc' "
             "AND tablename = 'plan_share'")
    conn = connect(dsn)
    with conn, conn.cursor() as cur:
        cur.execute(query)
        before = cur.fetchone()[0]
    conn.close()
    assert before.count("CREATE INDEX") == 3
    _balances(dsn)
    kept, plain = _kept_and_plain(dsn)
    assert_same_balance(kept, plain, tolerance_m2=1e-3)
    conn = connect(dsn)
    with conn, conn.cursor() as cur:
        cur.execute(query)
        assert cur.fetchone()[0] == before
        cur.execute("SELECT count(*) FROM lc.plan_share")
        assert cur.fetchone()[0] > 0
    conn.close()
