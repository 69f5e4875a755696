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


def loaded_db(pg_cluster, folder, name: str, n_parcels: int, seed: int) -> tuple[str, list[str]]:
    """A new database ``name`` with the demo township (``n_parcels``) loaded into schema ``lc`` by
    ``db load``: (its dsn, the lines db load printed)."""
    gpkg = folder / "demo.gpkg"
    write_demo_gpkg(str(gpkg), n_parcels=n_parcels, seed=seed)
    pg_cluster.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)', "postgres")
    pg_cluster.execute(f'CREATE DATABASE "{name}" TEMPLATE "{pg_cluster.database}"', "postgres")
    dsn = pg_cluster.dsn(name, with_password=True)
    conn = connect(dsn)
    pg_schema.migrate(conn, "lc")
    conn.close()
    return dsn, db_load(dsn, "lc", f"{gpkg}|layername=DLTB", f"{gpkg}|layername=ZZDY", f"{gpkg}|layername=YJJBNTTB")


@pytest.fixture()
def planning_db(pg_cluster, tmp_path):
    name = "share_cache"
    dsn, _lines = loaded_db(pg_cluster, tmp_path, name, 1500, 7)
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
    filled = _count(dsn, "SELECT count(*) FROM lc.plan_share")
    assert filled > 1000, "db load fills the kept shares (test_pg_load_fill.py)"
    kept, plain, engine = _balances(dsn)
    assert_same_balance(kept, engine)
    assert_same_balance(kept, plain, tolerance_m2=1e-3)
    assert _count(dsn, "SELECT count(*) FROM lc.plan_share") == filled
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
    # the units' overlaps: computed after the edits, then read as kept (survey_cache) with no edit since
    for _computed_and_kept in range(2):
        assert kept.unit_overlaps() and kept.unit_overlaps() == plain.unit_overlaps()
        assert kept.warnings() == plain.warnings()
        kept, plain, _engine = _balances(dsn)


def test_a_new_survey_refills_the_kept_shares(planning_db):
    dsn = planning_db
    kept, _plain, _engine = _balances(dsn)
    _edit(dsn, "UPDATE lc.survey SET geom = ST_Multi(ST_Translate(geom, 0, 40)) WHERE fid % 7 = 0")
    assert _count(dsn, "SELECT count(*) FROM lc.plan_share_dirty") > 0, "survey edits are noted too"
    kept, plain, engine = _balances(dsn)
    assert_same_balance(kept, engine)
    assert_same_balance(kept, plain, tolerance_m2=1e-3)


def _kept_sums(dsn: str) -> dict:
    """unit id -> the physical places (ctid) of its kept sums' rows: a row rewritten gets a new one."""
    conn = connect(dsn)
    with conn, conn.cursor() as cur:
        cur.execute("SELECT unit_id, array_agg(ctid::text ORDER BY ctid) FROM lc.plan_sum WHERE unit_id IS NOT NULL "
                    "GROUP BY unit_id")
        out = dict(cur.fetchall())
    conn.close()
    return out


def test_kept_sums_follow_plan_edits_and_recompute_only_the_units_touched(planning_db):
    dsn = planning_db
    _balances(dsn)
    before = _kept_sums(dsn)
    assert len(before) > 3, "the first balance keeps the sums of every unit"
    # plan attributes of parcels of one unit only (the view's trigger writes plan_parcel)
    one = _count(dsn, "SELECT min(id) FROM lc.plan_unit")
    only_there = (f"SELECT c.survey_fid FROM lc.plan_share c WHERE c.unit_id = {one} AND NOT EXISTS (SELECT 1 FROM "
                  f"lc.plan_share o WHERE o.survey_fid = c.survey_fid AND o.unit_id <> {one}) ORDER BY 1")
    _edit(dsn, f"UPDATE lc.parcels SET ghdlbm = '0101', ghkcxs = 0.05, zzlx = '农用地整理' WHERE fid IN ({only_there} "
               "LIMIT 40)",
          f"UPDATE lc.parcels SET yncz = '调出' WHERE fid IN ({only_there} DESC LIMIT 5)",
          f"UPDATE lc.parcels SET ghdlbm = 'XX99' WHERE fid IN ({only_there} DESC LIMIT 3)")
    assert _count(dsn, "SELECT count(*) FROM lc.plan_sum_dirty") == 48, "plan edits are noted per parcel"
    kept, plain, engine = _balances(dsn)
    assert_same_balance(kept, engine)
    assert_same_balance(kept, plain, tolerance_m2=1e-3)
    assert _count(dsn, "SELECT count(*) FROM lc.plan_sum_dirty") == 0, "the balance consumed the plan edits"
    # the plan's codes are read from plan_parcel, the survey's kept (survey_cache): an unknown GHDLBM counted
    assert kept.counts.unknown_codes == plain.counts.unknown_codes and kept.counts.unknown_codes["XX99"] == 3
    assert kept.warnings() == plain.warnings()
    after = _kept_sums(dsn)
    kept_as_they_were = [u for u in before if after.get(u) == before[u]]
    assert before.keys() - after.keys() == set()
    assert one not in kept_as_they_were and kept_as_they_were, "only the unit of the edited parcels is recomputed"
    # nothing changed since: the kept sums are read as they are
    _balances(dsn)
    assert _kept_sums(dsn) == after


def test_a_survey_edit_or_another_pack_recomputes_every_sum(planning_db):
    dsn = planning_db
    _balances(dsn)
    before = _kept_sums(dsn)
    _edit(dsn, "UPDATE lc.survey SET tbmj = tbmj * 1.5 WHERE fid % 11 = 0")  # no geometry changed
    assert _count(dsn, "SELECT count(*) FROM lc.plan_sum_dirty WHERE survey_fid IS NULL") == 1
    kept, plain, engine = _balances(dsn)
    assert_same_balance(kept, engine)
    assert_same_balance(kept, plain, tolerance_m2=1e-3)
    after = _kept_sums(dsn)
    assert not any(after[u] == before[u] for u in before), "a survey edit: every unit recomputed"
    # the kept survey results (survey_cache) follow: a bow-tie parcel (repaired), parcels with TBMJ ≤ 0
    bow_tie = ("ST_Multi(ST_SetSRID(ST_MakePolygon(ST_MakeLine(ARRAY[ST_MakePoint(ST_XMin(geom), ST_YMin(geom)), "
               "ST_MakePoint(ST_XMax(geom), ST_YMax(geom)), ST_MakePoint(ST_XMax(geom), ST_YMin(geom)), "
               "ST_MakePoint(ST_XMin(geom), ST_YMax(geom)), ST_MakePoint(ST_XMin(geom), ST_YMin(geom))])), "
               "ST_SRID(geom)))")
    _edit(dsn, f"UPDATE lc.survey SET geom = {bow_tie} WHERE fid = (SELECT min(survey_fid) FROM lc.plan_share)",
          "UPDATE lc.survey SET tbmj = -1 WHERE fid % 17 = 0")
    for _computed_and_kept in range(2):
        kept, plain, engine = _balances(dsn)
        assert_same_balance(kept, engine)
        assert (kept.counts.repaired, kept.counts.measured) == (plain.counts.repaired, plain.counts.measured)
        assert kept.counts.repaired == 1 and kept.counts.measured > 50
        assert kept.warnings() == plain.warnings()
    sources = (_pg(dsn, "lc.parcels"), _pg(dsn, "lc.plan_unit"), _pg(dsn, "lc.pbf"))
    other = in_database_balance(*sources, None, False, bundled_pack("jiangsu"))
    assert_same_balance(other, in_process(*sources, rules="jiangsu"))


def test_a_role_without_the_sums_rights_computes_them_and_leaves_them_out_of_date(planning_db, pg_cluster):
    dsn = planning_db
    _balances(dsn)
    role = "lc_shares_only"
    pg_cluster.execute(f"DO $$ BEGIN CREATE ROLE {role} LOGIN PASSWORD 'pw'; EXCEPTION WHEN duplicate_object THEN "
                       f"NULL; END $$", "postgres")
    pg_cluster.execute(f"GRANT USAGE ON SCHEMA lc TO {role}; GRANT SELECT ON ALL TABLES IN SCHEMA lc TO {role}; "
                       f"GRANT INSERT, DELETE ON lc.plan_share TO {role}; "
                       f"GRANT DELETE ON lc.plan_share_dirty TO {role}; "
                       f"GRANT INSERT, UPDATE ON lc.lc_setting TO {role}", "share_cache")
    _edit(dsn, "UPDATE lc.plan_unit SET geom = ST_Multi(ST_Translate(geom, -80, 0)) WHERE id = (SELECT min(id) "
          "FROM lc.plan_unit)")
    limited = dsn.replace("user=postgres", f"user={role}").split(" password=")[0] + " password=pw"
    sources = (_pg(limited, "lc.parcels"), _pg(limited, "lc.plan_unit"), _pg(limited, "lc.pbf"))
    mine = in_database_balance(*sources, None, False, bundled_pack("national"))
    assert _count(dsn, "SELECT count(*) FROM lc.lc_setting WHERE key = 'sum_state' AND value = ''") == 1, \
        "the kept sums no longer match the shares the limited role recomputed"
    kept, plain, engine = _balances(dsn)
    assert_same_balance(mine, engine)
    assert_same_balance(kept, engine)
    assert _count(dsn, "SELECT count(*) FROM lc.plan_share_dirty") == 0, "the limited role kept the shares"


def _same_townships(kept, dsn: str) -> None:
    """The township limits' variables as the in-process engine computes them (cli, adapters.townships)."""
    import argparse

    from plugin.adapters.townships import township_limits
    from plugin.cli.common import compute

    args = argparse.Namespace(parcels=_pg(dsn, "lc.parcels"), units=_pg(dsn, "lc.plan_unit"), pbf=_pg(dsn, "lc.pbf"),
                              rules="national", unit_field=None, tbmj_in_mu=False, encoding=None, ugb=None)
    engine, reader, inputs = compute(args)
    want = township_limits(inputs.pbf, None, reader.crs).variables(engine)
    variables, _ugb = kept.townships
    assert variables and variables.keys() == want.keys()
    for code, values in want.items():
        for name, value in values.items():
            assert variables[code][name] == pytest.approx(value, abs=1e-3), (code, name)


def test_every_parcel_in_a_unit_the_township_limits_look_for_none_outside(planning_db, monkeypatch):
    """With the survey unchanged and every feature in a unit, the township limits skip the search for
    parcels outside the units (survey_cache.Kept.all_in_units) and give the same variables."""
    from plugin.adapters.postgis import survey_cache

    dsn = planning_db
    asked = []
    real = survey_cache.Kept.all_in_units
    monkeypatch.setattr(survey_cache.Kept, "all_in_units", lambda self, cur, n: asked.append(real(self, cur, n))
                        or asked[-1])
    _balances(dsn)
    most_pbf = _count(dsn, "SELECT unit_id FROM lc.plan_share WHERE unit_id IS NOT NULL GROUP BY 1 "
                           "ORDER BY sum(ps) DESC LIMIT 1")
    far = "UPDATE lc.plan_unit SET geom = ST_Multi(ST_Translate(geom, {}, 0)) WHERE id = " + str(most_pbf)
    _edit(dsn, far.format(100_000))  # its parcels (with PBF) are outside every unit
    for _computed_and_kept in range(2):
        kept, plain, engine = _balances(dsn)
        assert_same_balance(kept, engine)
        _same_townships(kept, dsn)
    _edit(dsn, far.format(-100_000))  # the demo's units hold every parcel
    for _computed_and_kept in range(2):
        kept, plain, engine = _balances(dsn)
        assert_same_balance(kept, engine)
        _same_townships(kept, dsn)
    # db load kept the survey results (test_pg_load_fill.py): the first balance already reads them
    assert asked == [True, False, False, True, True], "kept results: every parcel in a unit, then outside?"


def test_two_balances_at_once_keep_one_set_of_survey_results(planning_db):
    """Two planners' balances after a survey edit: both compute the survey results; the schema's lock
    lets one replace the kept ones, the other then reads them (no row kept twice, same numbers)."""
    import threading
    import time

    dsn = planning_db
    _balances(dsn)
    _edit(dsn, "UPDATE lc.survey SET tbmj = -1 WHERE fid % 19 = 0")
    sources = (_pg(dsn, "lc.parcels"), _pg(dsn, "lc.plan_unit"), _pg(dsn, "lc.pbf"))
    results, errors = [], []

    def run():
        try:
            results.append(in_database_balance(*sources, None, False, bundled_pack("national")))
        except Exception as exc:  # reported by the assertion below
            errors.append(exc)

    # the schema's lock held meanwhile, so that both balances have begun before either may go on
    holder = connect(dsn)
    holder.autocommit = True
    with holder.cursor() as cur:
        cur.execute("SELECT pg_advisory_lock(hashtext('lc-share:' || 'lc'))")
    threads = [threading.Thread(target=run) for _ in range(2)]
    for t in threads:
        t.start()
    time.sleep(4)
    with holder.cursor() as cur:
        cur.execute("SELECT pg_advisory_unlock(hashtext('lc-share:' || 'lc'))")
    holder.close()
    for t in threads:
        t.join()
    assert not errors
    engine = in_process(*sources)
    for balance in results:
        assert_same_balance(balance, engine)
    for table in ("plan_survey_bad", "plan_survey_grp", "plan_survey_twin", "plan_survey_sample", "plan_survey_code",
                  "plan_unit_over"):
        assert _count(dsn, f"SELECT count(*) - count(DISTINCT t) FROM lc.{table} t") == 0, table
