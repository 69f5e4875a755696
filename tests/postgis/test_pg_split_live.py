"""Another planner's change of a split parcel's piece reaches this planner's live balance (issue 12, docs/postgis.md
"Other planners and the balance"): the commit's notification names the piece's survey parcel (migration 19), so the
session re-reads that parcel's rows of the view, not the whole view; a schema before migration 19 names only the
piece, and the session reads everything again. Two planners over two connections, as in test_pg_live.py."""
from __future__ import annotations

from plugin.adapters.postgis import schema as pg_schema
from plugin.adapters.postgis.commands import in_database_balance
from plugin.adapters.postgis.connection import connect
from plugin.core.rules import bundled_pack
from tests.postgis import live_helpers as helpers
from tests.postgis.live_helpers import session_of
from tests.postgis.test_pg_live import SCHEMA, service, wait_for
from tests.postgis.test_pg_split import assert_close, cli_engine, rows, sources
from tests.postgis.test_pg_split_conflicts import by_zhang, split_by_zhang
from tests.postgis.test_pg_split_conflicts import planners as split_planners

demo_gpkg, template, live_planners, planners = helpers.demo_gpkg, helpers.template, helpers.planners, split_planners


def followed(session, change) -> None:
    """``change()`` (张三's commit on his own connection), then 李四's session has applied its notification."""
    follower = session.database.follower
    applied = follower.applied_at
    change()
    wait_for(lambda: follower.applied_at > applied, timeout=4.0)  # QGIS's listener: one notification a second
    session.flush()


def equals_the_database(session) -> None:
    """李四's live balance equals the CLI's and the in-database balance of the saved plan."""
    want = rows(cli_engine(service("b")))
    assert_close(rows(session.engine), want)
    assert_close(rows(in_database_balance(*sources(service("b")), None, False, bundled_pack("national"))), want)


def test_another_planners_retag_and_reshape_of_a_piece_reread_only_its_parcel(planners):
    fid, piece = split_by_zhang()
    session, _parcels, _said = session_of("b")  # 李四 loads the pieces
    live = session.live
    rebuilds = live.rebuild_count

    followed(session, lambda: by_zhang(f"UPDATE {SCHEMA}.parcels SET zzlx = 'JS-FK', ghdlbm = '0101' "
                                       "WHERE fid = %s", piece))
    assert live.rebuild_count == rebuilds, "张三's re-tag of a piece made 李四's balance read every row again"
    assert live.last_changes["parcels"] == {fid, piece}  # the parcel's two pieces, geometry included
    assert live.engine.raw_record(piece).ghdlbm == "0101"
    equals_the_database(session)

    # 张三 grows the other piece by a 2 m strip of this one: the view's trigger makes this one give way
    area = live.engine.parcel_geometry(fid).area
    followed(session, lambda: by_zhang(
        f"UPDATE {SCHEMA}.parcels p SET geom = ST_Multi(ST_Union(p.geom, ST_Intersection("
        f"(SELECT q.geom FROM {SCHEMA}.parcels q WHERE q.fid = %s), ST_Buffer(p.geom, 2.0)))) WHERE p.fid = %s",
        piece, fid))
    assert live.rebuild_count == rebuilds, "张三's reshape of a piece made 李四's balance read every row again"
    assert live.last_changes["parcels"] == {fid, piece}
    assert live.engine.parcel_geometry(fid).area > area + 1.0
    equals_the_database(session)

    # 张三 deletes the piece: its split undone, the parcel whole again under its own fid
    followed(session, lambda: by_zhang(f"DELETE FROM {SCHEMA}.parcels WHERE fid = %s", piece))
    assert live.rebuild_count == rebuilds, "张三's undoing of a split made 李四's balance read every row again"
    assert live.last_changes["parcels"] == {fid, piece}
    assert live.engine.has_parcel(fid) and not live.engine.has_parcel(piece)
    equals_the_database(session)
    session.unload()


def test_a_schema_before_migration_19_reads_every_row_again(planners, pg_cluster):
    """The notification names the piece only (the schema not migrated yet): 李四's balance is rebuilt whole,
    and still equals the database's; once upgraded to 19, the parcel's rows are re-read."""
    pg_cluster.execute(pg_schema.HISTORY_4.replace("{s}", SCHEMA)
                       + f"ALTER FUNCTION {SCHEMA}.lc_history() SET search_path = {SCHEMA}, public; "
                       f"DELETE FROM {SCHEMA}.{pg_schema.VERSION_TABLE} WHERE version = {pg_schema.PIECE_NOTE_VERSION}",
                       planners)
    fid, piece = split_by_zhang()
    session, _parcels, _said = session_of("b")
    live = session.live
    rebuilds = live.rebuild_count
    followed(session, lambda: by_zhang(f"UPDATE {SCHEMA}.parcels SET zzlx = 'JS-FK', ghdlbm = '0101' "
                                       "WHERE fid = %s", piece))
    wait_for(lambda: (session.flush() or True) and live.rebuild_count > rebuilds, timeout=4.0)
    assert live.engine.raw_record(piece).ghdlbm == "0101"
    equals_the_database(session)

    # the upgrade to 19 (the planners' own search path does not name the schema): the parcel's rows re-read
    conn = connect(pg_cluster.dsn(planners, with_password=True))
    assert pg_schema.migrate(conn, SCHEMA) == [pg_schema.PIECE_NOTE_VERSION]
    conn.close()
    rebuilds = live.rebuild_count
    followed(session, lambda: by_zhang(f"UPDATE {SCHEMA}.parcels SET ghdlbm = '0102' WHERE fid = %s", piece))
    assert live.rebuild_count == rebuilds and live.last_changes["parcels"] == {fid, piece}
    equals_the_database(session)
    session.unload()
