"""``db load`` fills the kept shares, sums and survey results (load.fill_kept): the first
``balance --in-database`` after a load reads them instead of computing every share — with the numbers
of a balance that keeps nothing and of the in-process engine; a fill that fails leaves the load."""
from __future__ import annotations

import test_pg_share_cache
from test_pg_balance import assert_same_balance
from test_pg_share_cache import _balances, _count, _edit, _kept_sums

from plugin.adapters.postgis import balance as pg_balance
from plugin.adapters.postgis import share_cache

planning_db = test_pg_share_cache.planning_db  # the fixture: 1 500 demo parcels loaded into schema lc


def _shares_computed(monkeypatch) -> list:
    """The parcel tables each balance computed shares over (balance._shares) from now on."""
    computed = []
    real = pg_balance._shares
    monkeypatch.setattr(pg_balance, "_shares", lambda cur, w, t, parcels, *a: computed.append(
        parcels.as_string(cur)) or real(cur, w, t, parcels, *a))
    return computed


def test_the_first_balance_after_db_load_reads_the_shares_the_load_kept(planning_db, monkeypatch):
    dsn = planning_db
    assert _count(dsn, "SELECT count(*) FROM lc.plan_share") > 1000, "db load filled the kept shares"
    assert _count(dsn, "SELECT count(*) FROM lc.lc_setting WHERE key IN ('share_survey', 'sum_state', "
                       "'survey_state') AND value <> ''") == 3, "… and the kept sums and survey results"
    sums = _kept_sums(dsn)
    computed = _shares_computed(monkeypatch)
    kept, plain, engine = _balances(dsn)
    # the balance that keeps nothing (lc.parcels_plain) computed every share; the first kept one none
    assert computed == ['"lc"."parcels_plain"']
    assert _kept_sums(dsn) == sums, "the first balance read the kept sums as db load left them"
    assert_same_balance(kept, engine)
    assert_same_balance(kept, plain, tolerance_m2=1e-3)
    assert kept.warnings() == plain.warnings() and kept.unit_overlaps() == plain.unit_overlaps()
    # an edit after the load: only the parcels in the unit's old and new box are computed again
    computed.clear()
    _edit(dsn, "UPDATE lc.plan_unit SET geom = ST_Multi(ST_Translate(geom, 120, 0)) WHERE id = (SELECT min(id) "
               "FROM lc.plan_unit)", "UPDATE lc.parcels SET ghdlbm = '0101' WHERE fid % 23 = 0")
    kept, plain, engine = _balances(dsn)
    assert computed == ['"lc_tparcel"', '"lc"."parcels_plain"']
    assert_same_balance(kept, engine)
    assert_same_balance(kept, plain, tolerance_m2=1e-3)


def test_a_load_whose_fill_fails_is_loaded_and_its_first_balance_computes_the_shares(pg_cluster, tmp_path,
                                                                                       monkeypatch):
    real = share_cache.Cache._keep

    def fails_after_writing(self, cur, *args):  # the shares written, then the server refuses
        real(self, cur, *args)
        cur.execute("SELECT 1 / 0")

    monkeypatch.setattr(share_cache.Cache, "_keep", fails_after_writing)
    name = "load_fill"
    dsn, lines = test_pg_share_cache.loaded_db(pg_cluster, tmp_path, name, 800, 11)
    monkeypatch.undo()
    assert any("not filled" in line and "division by zero" in line for line in lines), lines
    assert _count(dsn, "SELECT count(*) FROM lc.survey") == 800
    assert _count(dsn, "SELECT count(*) FROM lc.parcels") == 800
    assert _count(dsn, "SELECT count(*) FROM lc.plan_unit") > 0 and _count(dsn, "SELECT count(*) FROM lc.pbf") > 0
    assert _count(dsn, "SELECT count(*) FROM lc.plan_share") == 0, "the failed fill's rows were rolled back"
    assert _count(dsn, "SELECT count(*) FROM lc.lc_setting WHERE key = 'share_survey'") == 0
    computed = _shares_computed(monkeypatch)
    kept, plain, engine = _balances(dsn)
    assert computed == ['"lc"."parcels"', '"lc"."parcels_plain"'], "the first balance computed every share"
    assert _count(dsn, "SELECT count(*) FROM lc.plan_share") > 500, "… and kept them"
    assert_same_balance(kept, engine)
    assert_same_balance(kept, plain, tolerance_m2=1e-3)
    pg_cluster.execute(f'DROP DATABASE "{name}" WITH (FORCE)', "postgres")
