"""The version check of the ``parcels`` view over a long history (migration 18, docs/postgis.md "Split parcels"):
a stale re-tag or delete of a parcel or a piece reads the row's few history rows through an index, not the
whole ``history`` (a bureau's grows for months: bench/README.md "The version check over a long history");
a schema upgraded from 17 finds the rows written before the upgrade, and the refusals name the same planner."""
from __future__ import annotations

import pytest

from plugin.adapters.postgis import schema as pg_schema
from plugin.adapters.postgis.commands import db_load
from plugin.adapters.postgis.connection import connect
from plugin.adapters.postgis.schema import CONFLICT_SQLSTATE
from plugin.adapters.postgis.split_sql import SPLIT_FID_BASE
from tests.postgis.test_pg_split_view import loaded_at, split_in_two

#: other planners' history, written by SQL as the triggers write it (rows of other parcels and pieces), in
#: transactions of eight rows each (past ones: their ids negative)
FILLER = """
ALTER TABLE plan.history DISABLE TRIGGER lc_history_tx;
INSERT INTO plan.history (qgis_user, db_role, table_name, row_key, action, old_row, new_row, tx)
SELECT '王五', 'wang', t, k::text, 'UPDATE', b || jsonb_build_object('version', 1),
       b || jsonb_build_object('version', 2), -1 - i / 8
FROM generate_series(1, %s) AS i,
     LATERAL (SELECT CASE WHEN i %% 8 = 0 THEN 'plan_split' ELSE 'plan_parcel' END AS t, 100000 + i AS k) AS x,
     LATERAL (SELECT CASE x.t WHEN 'plan_split' THEN jsonb_build_object('id', x.k, 'fid', x.k, 'survey_fid', x.k)
                     ELSE jsonb_build_object('survey_fid', x.k, 'ghdlbm', '0101') END AS b) AS y;
ALTER TABLE plan.history ENABLE TRIGGER lc_history_tx;
"""


def _as(cur, user: str) -> None:
    cur.execute("SELECT set_config('lc.user', %s, false)", (user,))


def _version(cur, fid: int) -> int:
    cur.execute("SELECT version FROM plan.parcels WHERE fid = %s", (fid,))
    return cur.fetchone()[0]


def _reads(cur) -> tuple[int, int]:
    """Sequential scans of ``history`` and rows read from it by this backend, so far (its stats not yet sent
    count earlier transactions too: compare two readings)."""
    cur.execute("SELECT seq_scan, seq_tup_read + coalesce(idx_tup_fetch, 0) FROM pg_stat_xact_user_tables "
                "WHERE relid = 'plan.history'::regclass")
    return cur.fetchone()


def _refusal(conn, statements) -> str:
    """The message of the refusal of ``statements`` (run as 李四 in a savepoint, rolled back)."""
    import psycopg2

    with conn.cursor() as cur:
        cur.execute("SAVEPOINT s")
        try:
            for statement, args in statements:
                cur.execute(statement, args)
        except psycopg2.Error as exc:
            cur.execute("ROLLBACK TO SAVEPOINT s")
            assert exc.pgcode == CONFLICT_SQLSTATE, exc
            return str(exc)
    raise AssertionError("not refused")


def test_the_upgrade_to_18_indexes_the_history_there_and_a_stale_edit_reads_only_its_rows(
        pg_db, tmp_path, monkeypatch):
    conn, every = loaded_at(17, pg_db, tmp_path, monkeypatch)  # a bureau's schema at 17
    with conn, conn.cursor() as cur:
        cur.execute("SELECT fid FROM plan.survey WHERE tbmj > 0 ORDER BY fid LIMIT 2")
        parcel, kept = (r[0] for r in cur.fetchall())
        _as(cur, "张三")
        cur.execute("UPDATE plan.parcels SET ghdlbm = '0101' WHERE fid = %s", (parcel,))
    with conn, conn.cursor() as cur:
        seen = {parcel: _version(cur, parcel)}  # 李四 reads the parcel
        _as(cur, "张三")
        cur.execute("UPDATE plan.parcels SET ghdlbm = '0102' WHERE fid = %s", (parcel,))  # then 张三 re-tags it
        split_in_two(cur, [kept])  # and splits another
    with conn, conn.cursor() as cur:
        cur.execute("SELECT fid FROM plan.plan_split WHERE survey_fid = %s AND fid > %s", (kept, SPLIT_FID_BASE))
        (piece,) = cur.fetchone()
        seen.update({piece: _version(cur, piece), kept: _version(cur, kept)})  # 李四 reads the pieces
        cur.execute("UPDATE plan.parcels SET ghdlbm = '0101' WHERE fid = %s", (piece,))  # 张三 re-tags one
    with conn, conn.cursor() as cur:
        _as(cur, "李四")  # and 李四 the other: their own change
        cur.execute("UPDATE plan.parcels SET ghdlbm = '0201' WHERE fid = %s", (kept,))
        cur.execute(FILLER, (20_000,))  # months of other planners' work after it
        cur.execute("SELECT count(*) FROM plan.history")
        (rows,) = cur.fetchone()
    assert rows > 20_000
    monkeypatch.setattr(pg_schema, "MIGRATIONS", every)
    assert pg_schema.migrate(conn, "plan") == [m[0] for m in every if m[0] > 17]  # 18 and the later ones
    assert pg_schema.migrate(conn, "plan") == []
    with conn.cursor() as cur:
        _as(cur, "李四")
        start = _reads(cur)
        # a stale re-tag of the parcel, and deleting the piece 张三 re-tagged since: both refused naming 张三
        retag = _refusal(conn, [("UPDATE plan.parcels SET ghdlbm = '0201', version = %s WHERE fid = %s",
                                 (seen[parcel], parcel))])
        delete = _refusal(conn, [("SELECT plan.lc_read_for_delete('parcels', %s, %s)", ([piece], [seen[piece]])),
                                 ("DELETE FROM plan.parcels WHERE fid = %s", (piece,))])
        # the other piece's only change since is 李四's own: no conflict
        cur.execute("SELECT plan.lc_view_others(%s, %s)", (kept, seen[kept]))
        (others,) = cur.fetchone()
        scans, read = (b - a for a, b in zip(start, _reads(cur)))  # what those checks read of history
    conn.rollback()
    conn.close()
    assert "张三" in retag and str(parcel) in retag and "change was refused" in retag
    assert "张三" in delete and str(piece) in delete and "deletion was refused" in delete
    assert others is None
    # the rows of the two or three view rows checked, not the history's tens of thousands
    assert scans == 0 and read < 50, (scans, read)


@pytest.mark.parametrize("table", ["plan_split", "plan_parcel"])
def test_the_index_holds_the_view_rows_of_pieces_and_parcels_and_is_used(pg_db, table):
    """The index's key is the view's fid: a piece's (``plan_split.fid``, not its ``id``) or a parcel's."""
    cluster, name = pg_db
    conn = connect(cluster.dsn(name, with_password=True))
    pg_schema.migrate(conn, "plan")
    with conn, conn.cursor() as cur:
        cur.execute(FILLER, (5_000,))
        cur.execute("ANALYZE plan.history")
    with conn, conn.cursor() as cur:
        start = _reads(cur)
        key = 100_008 if table == "plan_split" else 100_001
        cur.execute("SELECT plan.lc_view_others(%s, 1)", (key,))  # its change by 王五 (version 1 -> 2)
        (who,) = cur.fetchone()
        scans, read = (b - a for a, b in zip(start, _reads(cur)))
    conn.close()
    assert who["changed_by"] == "王五" and who["table"] == table
    assert scans == 0 and read <= 2, (scans, read)


def test_after_a_reload_the_former_surveys_history_names_nobody(pg_db, tmp_path, monkeypatch):
    """``db load`` again empties the plan: the view shows the parcel untagged (version 0) as before the former
    survey's first tag. A stale re-tag whose change since is the planner's own first tag (an INSERT: the change
    from 0) is not refused, neither naming them nor the former survey's planner; another planner's names them."""
    conn, every = loaded_at(max(m[0] for m in pg_schema.MIGRATIONS), pg_db, tmp_path, monkeypatch)
    with conn, conn.cursor() as cur:
        cur.execute("SELECT fid FROM plan.survey WHERE tbmj > 0 ORDER BY fid LIMIT 1")
        (parcel,) = cur.fetchone()
        _as(cur, "王五")
        cur.execute("UPDATE plan.parcels SET ghdlbm = '0102' WHERE fid = %s", (parcel,))  # the former survey's plan
    cluster, name = pg_db
    gpkg = tmp_path / "demo.gpkg"
    db_load(cluster.dsn(name, with_password=True), "plan", f"{gpkg}|layername=DLTB", f"{gpkg}|layername=ZZDY",
            f"{gpkg}|layername=YJJBNTTB", replace_plan=True)  # the survey loaded again over 王五's tag
    with conn, conn.cursor() as cur:
        seen = _version(cur, parcel)  # 李四 reads it
        _as(cur, "李四")
        cur.execute("UPDATE plan.parcels SET ghdlbm = '0103' WHERE fid = %s", (parcel,))  # and saves once
    with conn, conn.cursor() as cur:
        _as(cur, "李四")  # his plugin's next save still carries the version he read: only his own change since
        cur.execute("UPDATE plan.parcels SET ghdlbm = '0101', version = %s WHERE fid = %s", (seen, parcel))
        cur.execute("SELECT ghdlbm FROM plan.parcels WHERE fid = %s", (parcel,))
        assert cur.fetchone()[0] == "0101"
    with conn, conn.cursor() as cur:
        _as(cur, "张三")  # 张三 read it at the same version: his stale re-tag names 李四, not 王五
        message = _refusal(conn, [("SELECT set_config('lc.user', '张三', false)", None),
                                  ("UPDATE plan.parcels SET ghdlbm = '0102', version = %s WHERE fid = %s",
                                   (seen, parcel))])
    conn.close()
    assert seen == 0 and "李四" in message and "王五" not in message, message
