"""Two planners and the pieces of a split parcel (issue 12, docs/postgis.md "Split parcels"): deleting a
piece another planner changed since (or whose split another planner undid) is refused naming who and
when, the deletion kept in the edit buffer; under QGIS's automatic transaction groups a piece's re-tag
and its deletion are checked like a parcel's. Two planners over two connections, as in test_pg_live.py."""
from __future__ import annotations

import pytest
from qgis.core import QgsExpression, QgsFeatureRequest
from qgis.PyQt.QtCore import QCoreApplication

from plugin.adapters.postgis import schema as pg_schema
from plugin.adapters.postgis.commands import in_database_balance
from plugin.adapters.postgis.connection import connect
from plugin.adapters.postgis.split_check_sql import CHECK_DELETE_FUNCTION, CHECK_UPDATE_FUNCTION, PIECE_VERSION_BASE
from plugin.adapters.postgis.split_sql import SPLIT_FID_BASE
from plugin.core.rules import bundled_pack
from tests.postgis import live_helpers as helpers
from tests.postgis.live_helpers import BUFFERED, session_of, set_mode, settle
from tests.postgis.test_pg_live import SCHEMA, planner_session, service, tag, wait_for
from tests.postgis.test_pg_split import _close as close
from tests.postgis.test_pg_split import assert_close, cli_engine, cut_line, farmland_parcels, rows, sources, split

demo_gpkg, template, mode_off_after = helpers.demo_gpkg, helpers.template, helpers.mode_off_after  # fixtures
live_planners = helpers.planners


@pytest.fixture()
def planners(live_planners, pg_cluster):
    """The two planners, who may also write the pieces (``plan_split``)."""
    pg_cluster.execute(f"GRANT INSERT, UPDATE, DELETE ON {SCHEMA}.plan_split TO zhang, li", live_planners)
    return live_planners


def split_by_zhang() -> tuple[int, int]:
    """张三 splits a farmland parcel in two and saves: (the parcel's fid, kept by its first piece; the new piece's)."""
    session, (parcels, _units, _pbf) = planner_session("a", with_pbf=False)
    fid = farmland_parcels(parcels, 1)[0]
    split(parcels, fid, cut_line(parcels, fid))
    assert parcels.commitChanges(), parcels.commitErrors()
    session.unload()
    conn = connect(service("a"))
    with conn, conn.cursor() as cur:
        cur.execute(f"SELECT fid FROM {SCHEMA}.plan_split WHERE survey_fid = %s AND fid > %s", (fid, SPLIT_FID_BASE))
        (piece,) = cur.fetchone()
    conn.close()
    return fid, piece


def grow_into(parcels, fid: int, piece: int) -> None:
    """The planner reshapes piece ``fid`` to take a 2 m strip of ``piece`` (which gives way when saved)."""
    kept = parcels.getFeature(fid).geometry()
    strip = parcels.getFeature(piece).geometry().intersection(kept.buffer(2.0, 8))
    assert strip.area() > 1.0
    if not parcels.isEditable():
        assert parcels.startEditing()
    assert parcels.changeGeometry(fid, kept.combine(strip))


def by_zhang(statement: str, *args) -> None:
    """张三's plugin on another machine (its own connection, its own role)."""
    conn = connect(service("a"))
    with conn, conn.cursor() as cur:
        cur.execute(statement, args)
    conn.close()


def stored(fid: int):
    """The view's row ``fid`` as the database has it now: (ghdlbm, pieces of its parcel); None: no such row."""
    conn = connect(service("a"))
    with conn, conn.cursor() as cur:
        cur.execute(f"SELECT p.ghdlbm, (SELECT count(*) FROM {SCHEMA}.plan_split x WHERE x.survey_fid = "
                    f"coalesce((SELECT survey_fid FROM {SCHEMA}.plan_split WHERE fid = p.fid), p.fid)) "
                    f"FROM {SCHEMA}.parcels p WHERE p.fid = %s", (fid,))
        row = cur.fetchone()
    conn.close()
    return row


def stored_version(fid: int) -> int:
    """The view's row ``fid``'s version now (what a planner's session reads)."""
    conn = connect(service("a"))
    with conn, conn.cursor() as cur:
        cur.execute(f"SELECT version FROM {SCHEMA}.parcels WHERE fid = %s", (fid,))
        (version,) = cur.fetchone()
    conn.close()
    return version


def test_deleting_a_piece_another_planner_changed_since_is_refused_and_kept_in_the_buffer(planners):
    fid, piece = split_by_zhang()
    session, parcels, said = session_of("b")  # 李四 loads the pieces
    by_zhang(f"UPDATE {SCHEMA}.parcels SET ghdlbm = '0101' WHERE fid = %s", piece)  # then 张三 tags one
    assert parcels.startEditing() and parcels.deleteFeature(piece)
    QCoreApplication.processEvents()
    assert not parcels.commitChanges(), "张三's tag of the piece lost to 李四's deletion"
    wait_for(lambda: said["refused"], timeout=2.0)
    assert "张三" in said["refused"][0] and str(piece) in said["refused"][0]
    assert "nothing is lost" in said["refused"][0]
    assert stored(piece) == ("0101", 2)  # 张三's piece stays, the parcel still split
    assert piece in parcels.editBuffer().deletedFeatureIds()  # 李四's deletion is kept
    # knowingly over 张三's change: the deletion goes through, the split is undone
    assert session.database.save_over_theirs() == 1
    assert parcels.commitChanges(), parcels.commitErrors()
    assert stored(piece) is None and stored(fid)[1] == 0
    assert len(said["refused"]) == 1
    session.unload()


def test_deleting_a_piece_whose_split_another_planner_undid_is_refused_naming_them(planners):
    fid, piece = split_by_zhang()
    session, parcels, said = session_of("b")
    by_zhang(f"DELETE FROM {SCHEMA}.parcels WHERE fid = %s", piece)  # 张三 undoes the split: the parcel is whole
    assert stored(fid)[1] == 0
    assert parcels.startEditing() and parcels.deleteFeature(fid)  # 李四 deletes the piece the parcel was
    QCoreApplication.processEvents()
    assert not parcels.commitChanges()
    wait_for(lambda: said["refused"], timeout=2.0)
    assert "张三" in said["refused"][0] and str(fid) in said["refused"][0]
    assert "split was undone" in said["refused"][0]  # the planner is told the parcel is whole again
    assert fid in parcels.editBuffer().deletedFeatureIds()
    parcels.rollBack()
    session.unload()


@pytest.mark.parametrize("both", [False, True])
def test_deleting_unchanged_pieces_is_saved(planners, both):
    """No false refusal: one piece deleted (the split undone), or both in one save (the first one's area goes
    to the second, raising its version, before the second is deleted)."""
    fid, piece = split_by_zhang()
    session, parcels, said = session_of("b")
    assert parcels.startEditing() and parcels.deleteFeature(piece)
    if both:
        assert parcels.deleteFeature(fid)
    assert parcels.commitChanges(), parcels.commitErrors()
    settle()
    assert stored(fid) is not None and stored(fid)[1] == 0 and said["refused"] == []
    session.unload()


@pytest.mark.parametrize("saves", [1, 2])
def test_growing_a_piece_into_another_and_deleting_that_one_is_no_conflict(planners, saves):
    """In one save (QGIS sends its changes and its deletes in two transactions) or two: the piece gave way to
    this planner's own change (its version raised) and is then deleted without a refusal."""
    fid, piece = split_by_zhang()
    session, parcels, said = session_of("b")
    grow_into(parcels, fid, piece)
    if saves == 2:
        assert parcels.commitChanges(), parcels.commitErrors()
        assert parcels.startEditing()
    assert parcels.deleteFeature(piece)
    QCoreApplication.processEvents()
    assert parcels.commitChanges(), parcels.commitErrors()
    settle()
    assert said["refused"] == [] and stored(piece) is None and stored(fid)[1] == 0
    session.unload()


def test_a_piece_another_planner_changed_before_this_planners_own_change_is_refused_naming_them(planners):
    """张三 tags the piece, then 李四's own save makes it give way: deleting it names 张三, not 李四."""
    fid, piece = split_by_zhang()
    session, parcels, said = session_of("b")
    by_zhang(f"UPDATE {SCHEMA}.parcels SET ghdlbm = '0101' WHERE fid = %s", piece)
    grow_into(parcels, fid, piece)
    assert parcels.commitChanges(), parcels.commitErrors()
    assert parcels.startEditing() and parcels.deleteFeature(piece)
    QCoreApplication.processEvents()
    assert not parcels.commitChanges()
    wait_for(lambda: said["refused"], timeout=2.0)
    assert "张三" in said["refused"][0] and "李四" not in said["refused"][0] and str(piece) in said["refused"][0]
    assert stored(piece) == ("0101", 2)
    parcels.rollBack()
    session.unload()

def test_a_piece_this_planner_made_give_way_is_retagged_without_a_refusal(planners):
    """In the same save (the piece grown is sent before the re-tag of the one that gave way), and after the
    planner's own save undid the split (the parcel whole again, its version the parcel's): no refusal naming
    the planner themself."""
    fid, piece = split_by_zhang()
    session, parcels, said = session_of("b")
    grow_into(parcels, fid, piece)
    tag(parcels, piece, "JS-FK", "0201")
    QCoreApplication.processEvents()
    assert parcels.commitChanges(), parcels.commitErrors()
    assert stored(piece) == ("0201", 2)
    assert parcels.startEditing() and parcels.deleteFeature(piece)  # the split undone: the parcel whole
    assert parcels.commitChanges(), parcels.commitErrors()
    tag(parcels, fid, "JS-FK", "0102")
    QCoreApplication.processEvents()
    assert parcels.commitChanges(), parcels.commitErrors()
    settle()
    assert said["refused"] == [] and stored(fid) == ("0102", 0)
    session.unload()

def test_automatic_groups_refuse_a_retag_of_a_piece_changed_since(planners, mode_off_after):
    _fid, piece = split_by_zhang()
    set_mode("automatic")
    session, parcels, said = session_of("b")
    by_zhang(f"UPDATE {SCHEMA}.parcels SET ghdlbm = '0101' WHERE fid = %s", piece)
    tag(parcels, piece, "JS-FK", "0201")  # sent to the database at once: checked, refused, undone
    settle()
    assert len(said["refused"]) == 1, "张三's tag of the piece overwritten unchecked"
    assert "张三" in said["refused"][0] and str(piece) in said["refused"][0] and "Redo" in said["refused"][0]
    assert parcels.getFeature(piece)["ghdlbm"] == "0101" and parcels.undoStack().canRedo()
    assert parcels.commitChanges(), parcels.commitErrors()
    assert stored(piece)[0] == "0101"
    # knowingly: Save mine over theirs, then the edit again
    assert session.database.save_over_theirs() == 1
    tag(parcels, piece, "JS-FK", "0201")
    settle()
    assert len(said["refused"]) == 1
    assert parcels.commitChanges(), parcels.commitErrors()
    assert stored(piece)[0] == "0201"
    session.unload()


def test_automatic_groups_take_a_piece_this_planner_made_give_way_as_theirs(planners, mode_off_after):
    fid, piece = split_by_zhang()
    set_mode("automatic")
    session, parcels, said = session_of("b")
    grow_into(parcels, fid, piece)  # the piece gives way
    settle()
    assert parcels.commitChanges(), parcels.commitErrors()
    tag(parcels, piece, "JS-FK", "0201")  # in the next transaction: no refusal naming 李四 themself
    settle()
    assert parcels.commitChanges(), parcels.commitErrors()
    assert said["refused"] == [] and stored(piece) == ("0201", 2)
    session.unload()

def test_automatic_groups_refuse_deleting_a_piece_changed_since(planners, mode_off_after):
    fid, piece = split_by_zhang()
    set_mode("automatic")
    session, parcels, said = session_of("b")
    mine = next(f for f in farmland_parcels(parcels, 4) if f not in (fid, piece))
    by_zhang(f"UPDATE {SCHEMA}.parcels SET ghdlbm = '0101' WHERE fid = %s", piece)
    tag(parcels, mine, "JS-FK", "0201")  # an edit of 李四's own, saved with the rest
    settle()
    assert parcels.deleteFeature(piece)
    settle()
    assert len(said["refused"]) == 1, "张三's tag of the piece lost to 李四's deletion"
    assert "张三" in said["refused"][0] and str(piece) in said["refused"][0]
    assert parcels.getFeature(piece).isValid()  # the deletion was undone (Redo brings it back)
    assert parcels.commitChanges(), parcels.commitErrors()
    assert stored(piece) == ("0101", 2) and stored(mine)[0] == "0201"
    # and a piece nobody changed since is deleted under the group without a refusal
    parcels.reload()
    assert parcels.startEditing() and parcels.deleteFeature(piece)
    settle()
    assert len(said["refused"]) == 1
    assert parcels.commitChanges(), parcels.commitErrors()
    assert stored(piece) is None and stored(fid)[1] == 0
    session.unload()


@pytest.mark.skipif(not BUFFERED, reason="buffered transaction groups: QGIS 3.26+")
def test_buffered_groups_refuse_deleting_a_piece_changed_since(planners, mode_off_after):
    _fid, piece = split_by_zhang()
    set_mode("buffered")
    session, parcels, said = session_of("b")
    by_zhang(f"UPDATE {SCHEMA}.parcels SET ghdlbm = '0101' WHERE fid = %s", piece)
    assert parcels.startEditing() and parcels.deleteFeature(piece)
    assert not parcels.commitChanges(False)  # the group's one transaction: refused, rolled back
    settle()
    assert len(said["refused"]) == 1 and "张三" in said["refused"][0] and str(piece) in said["refused"][0]
    assert stored(piece) == ("0101", 2)
    assert piece in parcels.editBuffer().deletedFeatureIds()  # the deletion is kept (it was refused, not sent)
    parcels.rollBack()
    session.unload()


def test_without_the_grant_a_piece_is_deleted_unchecked_and_the_planner_is_told(planners, pg_cluster):
    fid, piece = split_by_zhang()
    pg_cluster.execute(f"REVOKE EXECUTE ON FUNCTION {SCHEMA}.{CHECK_DELETE_FUNCTION} FROM li", planners)
    session, parcels, said = session_of("b")
    assert parcels.startEditing() and parcels.deleteFeature(piece)
    assert parcels.commitChanges(), parcels.commitErrors()  # the view's trigger does not fail for want of it
    settle()
    assert len(said["notice"]) == 1 and "lc_check_view_delete(bigint)" in said["notice"][0]
    assert stored(piece) is None and stored(fid)[1] == 0
    session.unload()


def test_the_upgrade_to_17_moves_piece_versions_apart_and_grants_the_check(pg_db, monkeypatch):
    """A schema at 15 with a piece (version 2) and a role that may delete pieces: the upgrade gives the piece
    version 1 000 000 002 (no history row, no refusal), grants that role the view's delete check; idempotent."""
    cluster, name = pg_db
    conn = connect(cluster.dsn(name, with_password=True))
    every = list(pg_schema.MIGRATIONS)
    monkeypatch.setattr(pg_schema, "MIGRATIONS", [m for m in every if m[0] <= 15])
    pg_schema.migrate(conn, "plan")
    cluster.execute("DO $$ BEGIN CREATE ROLE lc_piece_deleter LOGIN; EXCEPTION WHEN duplicate_object THEN NULL; "
                    "END $$", "postgres")
    cluster.execute("GRANT USAGE ON SCHEMA plan TO lc_piece_deleter; GRANT DELETE ON plan.plan_split TO "
                    "lc_piece_deleter", name)
    with conn, conn.cursor() as cur:
        cur.execute("CREATE TABLE plan.survey (fid bigint PRIMARY KEY, geom geometry)")  # a piece's edit notes it
        cur.execute("INSERT INTO plan.plan_split (survey_fid, geom) VALUES (7, ST_Multi(ST_MakeEnvelope(0, 0, 1, 1)))"
                    " RETURNING id")
        (piece,) = cur.fetchone()
        cur.execute("UPDATE plan.plan_split SET zzlx = 'TZ-XZ' WHERE id = %s", (piece,))
        cur.execute("SELECT count(*) FROM plan.history")
        (written,) = cur.fetchone()
    monkeypatch.setattr(pg_schema, "MIGRATIONS", every)
    assert 17 in pg_schema.migrate(conn, "plan")
    assert pg_schema.migrate(conn, "plan") == []
    with conn, conn.cursor() as cur:
        cur.execute("SELECT version, zzlx FROM plan.plan_split WHERE id = %s", (piece,))
        assert cur.fetchone() == (PIECE_VERSION_BASE + 2, "TZ-XZ")
        cur.execute("SELECT count(*) FROM plan.history")
        assert cur.fetchone() == (written,)
        cur.execute("INSERT INTO plan.plan_split (survey_fid, geom) VALUES (8, ST_Multi(ST_MakeEnvelope(2, 0, 3, 1)))"
                    " RETURNING version")
        assert cur.fetchone() == (PIECE_VERSION_BASE + 1,)
        for function in (CHECK_DELETE_FUNCTION, CHECK_UPDATE_FUNCTION):
            cur.execute(f"SELECT has_function_privilege('lc_piece_deleter', 'plan.{function}', 'EXECUTE'), "
                        f"has_function_privilege('public', 'plan.{function}', 'EXECUTE')")
            assert cur.fetchone() == (True, False)
    conn.close()


def reshape(parcels, fid: int, piece: int) -> float:
    """李四 reshapes piece ``fid`` as QGIS's Reshape Features tool does (one edit command), taking a 2 m strip of
    ``piece``; returns the strip's area."""
    kept = parcels.getFeature(fid).geometry()
    strip = parcels.getFeature(piece).geometry().intersection(kept.buffer(2.0, 8))
    assert strip.area() > 1.0
    if not parcels.isEditable():
        assert parcels.startEditing()
    parcels.beginEditCommand("Reshape Features")
    assert parcels.changeGeometry(fid, kept.combine(strip))
    parcels.endEditCommand()
    return strip.area()


def pieces_of(fid: int) -> dict:
    """The parcel's pieces in the view: {fid: (area, TBMJ, ghdlbm)}, and the survey's (area, TBMJ) under None."""
    conn = connect(service("a"))
    with conn, conn.cursor() as cur:
        cur.execute(f"SELECT v.fid, ST_Area(v.geom), v.tbmj, v.ghdlbm FROM {SCHEMA}.parcels v JOIN {SCHEMA}.survey s "
                    f"ON s.bsm = v.bsm WHERE s.fid = %s", (fid,))
        out = {f: (a, t, g) for f, a, t, g in cur.fetchall()}
        cur.execute(f"SELECT ST_Area(geom), tbmj FROM {SCHEMA}.survey WHERE fid = %s", (fid,))
        out[None] = cur.fetchone()
    conn.close()
    return out


def stale_by_zhang(fid: int, seen: int, in_group: bool) -> str:
    """张三's re-tag of view row ``fid`` he read at version ``seen``, from his own connection: as his plugin sends it
    through the local edit buffer (the version seen in the UPDATE), or under an automatic transaction group (the
    UPDATE, then ``lc_check_seen`` in its transaction). The refusal's message ("" when saved)."""
    import psycopg2

    conn = connect(service("a"))
    try:
        with conn, conn.cursor() as cur:
            if in_group:
                cur.execute(f"UPDATE {SCHEMA}.parcels SET ghdlbm = '0102' WHERE fid = %s", (fid,))
                cur.execute(f"SELECT {SCHEMA}.lc_check_seen('plan_parcel', %s, %s)", ([fid], [seen]))
            else:
                cur.execute(f"UPDATE {SCHEMA}.parcels SET ghdlbm = '0102', version = %s WHERE fid = %s", (seen, fid))
    except psycopg2.Error as exc:
        assert exc.pgcode == pg_schema.CONFLICT_SQLSTATE, exc
        return str(exc)
    finally:
        conn.close()
    return ""


def test_automatic_groups_reshape_a_piece_its_area_and_the_balance_follow_and_stale_edits_name_the_planner(
        planners, mode_off_after):
    """李四 reshapes a piece 张三's split made (growing it into the other piece) under an automatic transaction
    group: no refusal, the pieces' areas and TBMJ add up to the survey parcel's, the balance of 李四's session
    equals the CLI's and the server's on the saved plan; 张三, who read the pieces before, then re-tags either piece:
    refused naming 李四 (with his plugin's version in the UPDATE, and under an automatic group of his own)."""
    fid, piece = split_by_zhang()
    seen = {f: stored_version(f) for f in (fid, piece)}  # what 张三's session read
    before = pieces_of(fid)
    set_mode("automatic")
    session, parcels, said = session_of("b")
    rebuilds = session.live.rebuild_count
    strip = reshape(parcels, fid, piece)
    settle()
    assert said["refused"] == []
    session.flush()
    editing = rows(session.engine)  # the balance while the edit is in the open transaction
    # only the parcel's two pieces were read again (geometry included), not the whole view
    assert session.live.rebuild_count == rebuilds, "the reshape made the live balance read every row again"
    assert session.live.last_changes["parcels"] == {fid, piece}
    assert parcels.commitChanges(), parcels.commitErrors()
    after = pieces_of(fid)
    assert set(after) == set(before) == {fid, piece, None}
    assert after[fid][0] == pytest.approx(before[fid][0] + strip, abs=1e-3)
    assert after[piece][0] == pytest.approx(before[piece][0] - strip, abs=1e-3)
    assert after[fid][0] + after[piece][0] == pytest.approx(after[None][0], abs=1e-3)  # no area lost or doubled
    assert after[fid][1] + after[piece][1] == pytest.approx(after[None][1], abs=1e-6)  # TBMJ apportioned
    assert after[fid][1] / after[piece][1] == pytest.approx(after[fid][0] / after[piece][0], rel=1e-9)
    # the balance: 李四's live session (after its commit's notification), the CLI and --in-database on the database
    want = rows(cli_engine(service("b")))
    server = in_database_balance(*sources(service("b")), None, False, bundled_pack("national"))
    assert_close(rows(server), want)
    assert_close(editing, want)  # the piece that gave way in the database gave way in the balance too
    wait_for(lambda: (session.flush() or True) and close(rows(session.engine), want), 5.0)
    # 张三 read both pieces before 李四's reshape: re-tagging either is refused naming 李四
    for f in (fid, piece):
        for in_group in (False, True):
            refusal = stale_by_zhang(f, seen[f], in_group)
            assert "李四" in refusal and str(f) in refusal, (f, in_group, refusal)
    assert {f: v[2] for f, v in pieces_of(fid).items() if f} == {fid: None, piece: None}  # nothing of 张三's saved
    session.unload()


def test_automatic_groups_refuse_reshaping_a_piece_changed_since(planners, mode_off_after):
    """张三 re-tags a piece after 李四 read it; 李四's reshape of it under an automatic group is refused naming 张三 and
    undone (the pieces as they were); after Save mine over theirs and Redo it is saved."""
    fid, piece = split_by_zhang()
    set_mode("automatic")
    session, parcels, said = session_of("b")
    before = pieces_of(fid)
    by_zhang(f"UPDATE {SCHEMA}.parcels SET ghdlbm = '0101' WHERE fid = %s", fid)
    reshape(parcels, fid, piece)
    settle()
    assert len(said["refused"]) == 1, "李四's reshape saved over 张三's change unchecked"
    assert "张三" in said["refused"][0] and str(fid) in said["refused"][0] and "Redo" in said["refused"][0]
    assert parcels.commitChanges(), parcels.commitErrors()
    assert {f: v[0] for f, v in pieces_of(fid).items()} == pytest.approx({f: v[0] for f, v in before.items()})
    assert stored(fid)[0] == "0101"
    # knowingly: Save mine over theirs, then the reshape again
    assert session.database.save_over_theirs() == 1
    strip = reshape(parcels, fid, piece)
    settle()
    assert len(said["refused"]) == 1
    assert parcels.commitChanges(), parcels.commitErrors()
    assert pieces_of(fid)[fid][0] == pytest.approx(before[fid][0] + strip, abs=1e-3)
    session.unload()


def test_automatic_groups_shrink_a_whole_parcel_the_rest_a_new_piece_read_with_it(planners, mode_off_after):
    """李四 reshapes a whole parcel under an automatic transaction group, giving up a 2 m rim: the view's trigger makes
    the rim a new piece in the open transaction. His live balance reads that parcel's rows again (the new piece
    included, with its area and TBMJ share), not the whole view, and equals the CLI's on the saved plan."""
    set_mode("automatic")
    session, parcels, said = session_of("b")
    fid = farmland_parcels(parcels, 1)[0]
    whole = parcels.getFeature(fid).geometry()
    kept = whole.buffer(-2.0, 8)
    kept.convertToMultiType()
    assert 0 < kept.area() < whole.area() - 1.0
    rebuilds = session.live.rebuild_count
    parcels.startEditing()
    parcels.beginEditCommand("Reshape Features")
    assert parcels.changeGeometry(fid, kept)
    parcels.endEditCommand()
    settle()
    assert said["refused"] == []
    session.flush()
    assert session.live.rebuild_count == rebuilds, "the reshape made the live balance read every row again"
    # the view as 李四's layer reads it, in his open transaction
    bsm = parcels.getFeature(fid)["bsm"]
    now = {f.id(): f.geometry().area() for f in parcels.getFeatures(QgsFeatureRequest().setFilterExpression(
        QgsExpression.createFieldEqualityExpression("bsm", bsm)))}
    assert len(now) == 2 and fid in now and max(now) > SPLIT_FID_BASE, now
    assert sum(now.values()) == pytest.approx(whole.area(), abs=1e-3)
    engine = session.engine
    for f, area in now.items():
        assert engine.has_parcel(f), f"the view's row {f} is missing from the live balance"
        assert engine.parcel_geometry(f).area == pytest.approx(area, abs=1e-3)
    editing = rows(engine)
    assert parcels.commitChanges(), parcels.commitErrors()
    assert {f for f in pieces_of(fid) if f is not None} == set(now)
    want = rows(cli_engine(service("b")))
    assert_close(editing, want)
    session.unload()
