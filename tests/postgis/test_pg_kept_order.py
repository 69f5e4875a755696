"""Kept shares, sums and survey results (share_cache, sum_cache, survey_cache) when edit notes commit
out of id order: a note with a lower id committed after a balance saw a higher one must still be
processed, never consumed unseen. Each test compares the kept balance with one that keeps nothing."""
from __future__ import annotations

from test_pg_balance import assert_same_balance
from test_pg_share_cache import _balances, _edit, _pg, planning_db  # noqa: F401

from plugin.adapters.postgis import share_cache, survey_cache
from plugin.adapters.postgis.commands import in_database_balance
from plugin.adapters.postgis.connection import connect
from plugin.core.rules import bundled_pack


def _kept_and_plain(dsn):
    pack = bundled_pack("national")
    sources = (_pg(dsn, "lc.parcels"), _pg(dsn, "lc.plan_unit"), _pg(dsn, "lc.pbf"))
    kept = in_database_balance(*sources, None, False, pack)
    _edit(dsn, "CREATE OR REPLACE VIEW lc.parcels_plain AS SELECT * FROM lc.parcels")
    plain = in_database_balance(_pg(dsn, "lc.parcels_plain"), *sources[1:], None, False, pack)
    return kept, plain


def _commit_during(monkeypatch, owner, method: str, conn) -> None:
    """Commit ``conn`` right before ``owner.method`` runs (once the balance has read the notes)."""
    original = getattr(owner, method)

    def committing_first(self, *args, **kw):
        if not conn.closed:
            conn.commit()
        return original(self, *args, **kw)
    monkeypatch.setattr(owner, method, committing_first)


def test_survey_edit_committed_out_of_id_order(planning_db, monkeypatch):  # noqa: F811
    dsn = planning_db
    _balances(dsn)
    a = connect(dsn)
    a.cursor().execute("UPDATE lc.survey SET tbmj = -1 WHERE fid % 17 = 0")  # A: the lower note id, open
    _edit(dsn, "UPDATE lc.survey SET tbmj = tbmj WHERE fid = 3")  # B: a higher note id, committed first
    with monkeypatch.context() as m:
        _commit_during(m, survey_cache.Kept, "store", a)
        _kept_and_plain(dsn)
    a.close()
    kept, plain = _kept_and_plain(dsn)
    assert kept.counts.measured == plain.counts.measured > 50
    assert kept.warnings() == plain.warnings()
    assert_same_balance(kept, plain, tolerance_m2=1e-3)


def test_unit_edit_committed_out_of_id_order(planning_db, monkeypatch):  # noqa: F811
    dsn = planning_db
    _balances(dsn)
    x = connect(dsn)  # X: the lower note id, open
    x.cursor().execute("UPDATE lc.plan_unit SET geom = ST_Multi(ST_Translate(geom, 200, 0)) "
                       "WHERE id = (SELECT min(id) FROM lc.plan_unit)")
    _edit(dsn, "UPDATE lc.plan_unit SET geom = ST_Multi(ST_Translate(geom, 5, 0)) "
               "WHERE id = (SELECT max(id) FROM lc.plan_unit)")  # a higher note id, committed first
    with monkeypatch.context() as m:
        _commit_during(m, share_cache.Cache, "_keep", x)
        _kept_and_plain(dsn)
    x.close()
    kept, plain = _kept_and_plain(dsn)
    assert_same_balance(kept, plain, tolerance_m2=1e-3)
