"""A split made by another planner while this planner's session is open (issue 12, docs/postgis.md "Other planners
and the balance"): 张三 splits a parcel in his QGIS that 李四's session shows whole and saves (QGIS's two
transactions: the parcel's geometry updated to one half, then the other half inserted with the attributes copied);
李四's live balance re-reads that parcel's rows only, no full rebuild, and equals the CLI's and ``--in-database``'s;
likewise after 张三 re-tags the new piece and undoes the split. 李四's own edits after it: the new piece saved; the
piece that kept the parcel's fid, which he read whole — a re-tag, his tag or his own split of the whole parcel made
before 张三's split — refused naming 张三 and saying the parcel was split, kept in the buffer, then saved knowingly.
Two planners over two connections."""
from __future__ import annotations

import time

import pytest
from qgis.core import NULL, QgsLineString, QgsPoint

from plugin.adapters.postgis.connection import connect
from plugin.adapters.postgis.split_sql import SPLIT_FID_BASE
from tests.postgis import live_helpers as helpers
from tests.postgis.live_helpers import refused_naming, session_of
from tests.postgis.test_pg_live import SCHEMA, pg_layer, service, tag, wait_for
from tests.postgis.test_pg_split import assert_close, cut_line, farmland_parcels, rows, split
from tests.postgis.test_pg_split_conflicts import by_zhang, stored
from tests.postgis.test_pg_split_conflicts import planners as split_planners
from tests.postgis.test_pg_split_live import equals_the_database, followed

demo_gpkg, template, live_planners, planners = helpers.demo_gpkg, helpers.template, helpers.planners, split_planners


def commit_heard(session, layer, notifications: int) -> None:
    """``layer.commitChanges()`` (张三's in his QGIS, or 李四's own save: one notification per transaction it sends),
    then 李四's session has heard them all and applied them."""
    follower = session.database.follower
    heard = follower.heard
    assert layer.commitChanges(), layer.commitErrors()
    wait_for(lambda: follower.heard >= heard + notifications, timeout=4.0 * notifications)
    mark = time.monotonic()
    wait_for(lambda: follower.applied_at > mark, timeout=2.0)
    session.flush()


def pieces_of(fid: int) -> set:
    """The view fids of parcel ``fid``'s pieces in the database."""
    conn = connect(service("a"))
    with conn, conn.cursor() as cur:
        cur.execute(f"SELECT fid FROM {SCHEMA}.plan_split WHERE survey_fid = %s", (fid,))
        found = {row[0] for row in cur.fetchall()}
    conn.close()
    return found


@pytest.mark.parametrize("undo", ["delete", "regrow"])
def test_another_planners_split_retag_and_unsplit_reread_only_the_parcel(planners, undo):
    """张三 undoes his split by deleting the new piece, or by growing the other piece back over the whole parcel
    (the new piece gives way entirely)."""
    session, parcels, said = session_of("b")  # 李四's session shows the parcel whole
    live = session.live
    fid = farmland_parcels(parcels, 1)[0]
    whole = parcels.getFeature(fid).geometry()
    rebuilds = live.rebuild_count

    zhang = pg_layer("a", "parcels", "fid")  # 张三 splits it in his QGIS and saves
    split(zhang, fid, cut_line(zhang, fid))
    commit_heard(session, zhang, 2)
    (piece,) = pieces_of(fid) - {fid}
    assert piece > SPLIT_FID_BASE and pieces_of(fid) == {fid, piece}
    assert live.rebuild_count == rebuilds, "张三's split made 李四's balance read every row again"
    # only the parcel's rows re-read (its pieces; also the one QGIS's first transaction made for a moment, when
    # the two transactions' notifications come apart: test_the_two_transactions_of_a_split_heard_apart)
    assert {fid, piece} <= live.last_changes["parcels"] and all(
        f == fid or f > SPLIT_FID_BASE for f in live.last_changes["parcels"])
    assert sorted(live.engine.pieces(parcels.getFeature(fid)["bsm"])) == [fid, piece]
    equals_the_database(session)

    # 张三 tags the new piece 0201
    tag(zhang, piece, "JS-FK", "0201")
    commit_heard(session, zhang, 1)
    assert live.rebuild_count == rebuilds, "张三's re-tag of the new piece made 李四's balance read every row again"
    assert live.last_changes["parcels"] == {fid, piece}
    assert live.engine.raw_record(piece).ghdlbm == "0201"
    equals_the_database(session)

    # 张三 undoes the split: the parcel whole again
    assert zhang.startEditing()
    assert zhang.deleteFeature(piece) if undo == "delete" else zhang.changeGeometry(fid, whole)
    commit_heard(session, zhang, 1)
    assert pieces_of(fid) == set() and stored(fid)[1] == 0
    assert live.rebuild_count == rebuilds, "张三's undoing of his split made 李四's balance read every row again"
    assert live.last_changes["parcels"] == {fid, piece}
    assert live.engine.has_parcel(fid) and not live.engine.has_parcel(piece)
    equals_the_database(session)
    assert said["refused"] == []
    session.unload()



def split_by_zhang_heard(session, parcels) -> tuple:
    """张三 splits a farmland parcel 李四's session shows whole, in his QGIS, and saves; 李四's session has heard
    it: (the parcel's fid, kept by its first piece, the new piece's fid)."""
    fid = farmland_parcels(parcels, 1)[0]
    zhang = pg_layer("a", "parcels", "fid")
    split(zhang, fid, cut_line(zhang, fid))
    commit_heard(session, zhang, 2)
    (piece,) = pieces_of(fid) - {fid}
    return fid, piece


def test_this_planners_edits_of_the_pieces_after_another_planners_split(planners):
    """李四's own edits of the pieces 张三 made while his session was open: the new piece (never read by his session)
    is saved; the piece that kept the parcel's fid — read whole by his session — is refused naming 张三 and saying
    the parcel was split (his edit would tag that piece only), kept in the buffer, then saved knowingly. Each time
    no full rebuild (also when QGIS updates the layer's extent), and the balance equals the database's."""
    session, parcels, said = session_of("b")
    live = session.live
    rebuilds = live.rebuild_count
    fid, piece = split_by_zhang_heard(session, parcels)
    parcels.updateExtents()  # QGIS does on a zoom to the layer: the provider's feature count is kept
    assert parcels.extent().isFinite()
    session.flush()
    assert live.rebuild_count == rebuilds

    tag(parcels, piece, "JS-FK", "0201")
    session.flush()
    assert live.engine.raw_record(piece).ghdlbm == "0201"
    commit_heard(session, parcels, 1)
    assert said["refused"] == [] and stored(piece) == ("0201", 2)
    assert live.rebuild_count == rebuilds, "李四's save of a piece made his balance read every row again"
    equals_the_database(session)

    tag(parcels, fid, "JS-FK", "0102")
    refused_naming(parcels, said["refused"], "张三", str(fid), "split")
    assert parcels.editBuffer().changedAttributeValues().get(fid)  # his edit is kept in the buffer
    assert stored(fid) == (None, 2)
    assert session.database.save_over_theirs() == 1
    commit_heard(session, parcels, 1)
    assert stored(fid) == ("0102", 2) and stored(piece) == ("0201", 2)
    assert live.rebuild_count == rebuilds
    equals_the_database(session)
    session.unload()


def test_a_stale_edit_of_the_whole_parcel_is_refused_naming_the_planner_who_split_it(planners):
    """李四 tags the whole parcel, unsaved; 张三 splits it and saves. 李四's balance follows without a full rebuild
    (his tag on the piece that kept the parcel's fid, 张三's new piece as saved) — what the database has once his
    edit is saved over theirs. His save is refused naming 张三 and saying the parcel was split, his edit kept;
    saved knowingly, it tags the piece that kept the fid, the new piece keeps 张三's values."""
    session, parcels, said = session_of("b")
    live = session.live
    rebuilds = live.rebuild_count
    fid = farmland_parcels(parcels, 1)[0]
    tag(parcels, fid, "JS-FK", "0102")
    session.flush()
    zhang = pg_layer("a", "parcels", "fid")
    split(zhang, fid, cut_line(zhang, fid))
    commit_heard(session, zhang, 2)
    (piece,) = pieces_of(fid) - {fid}
    assert live.rebuild_count == rebuilds, "张三's split made 李四's balance read every row again"
    assert {fid, piece} <= live.last_changes["parcels"]
    assert live.engine.raw_record(fid).ghdlbm == "0102" and not live.engine.raw_record(piece).ghdlbm
    while_unsaved = rows(live.engine)

    refused_naming(parcels, said["refused"], "张三", str(fid), "split")
    assert parcels.editBuffer().changedAttributeValues().get(fid)  # nothing lost: his edit stays
    assert stored(fid) == (None, 2) and stored(piece) == (None, 2)  # 张三's split stays
    assert session.database.save_over_theirs() == 1
    commit_heard(session, parcels, 1)
    assert stored(fid) == ("0102", 2) and stored(piece) == (None, 2)
    assert live.rebuild_count == rebuilds
    equals_the_database(session)
    assert_close(while_unsaved, rows(live.engine))
    session.unload()


def test_a_stale_split_of_the_whole_parcel_is_refused_naming_the_planner_who_split_it_first(planners):
    """李四 splits the parcel east–west, unsaved; 张三 splits it north–south and saves. 李四's save is refused naming
    张三 and saying the parcel was split, nothing of it written, his split kept in the buffer; saved knowingly, his
    pieces replace 张三's (the view's pieces give way), and his balance equals the database's, no full rebuild."""
    session, parcels, said = session_of("b")
    live = session.live
    rebuilds = live.rebuild_count
    fid = farmland_parcels(parcels, 1)[0]
    box = parcels.getFeature(fid).geometry().boundingBox()
    y = (box.yMinimum() + box.yMaximum()) / 2
    added = split(parcels, fid, QgsLineString([QgsPoint(box.xMinimum() - 5, y), QgsPoint(box.xMaximum() + 5, y)]))
    session.flush()
    zhang = pg_layer("a", "parcels", "fid")
    split(zhang, fid, cut_line(zhang, fid))
    commit_heard(session, zhang, 2)
    theirs = pieces_of(fid)
    assert live.rebuild_count == rebuilds and len(theirs) == 2

    refused_naming(parcels, said["refused"], "张三", str(fid), "split")
    assert pieces_of(fid) == theirs  # nothing of 李四's split written, 张三's stays
    assert added in parcels.editBuffer().addedFeatures() and fid in parcels.editBuffer().changedGeometries()
    assert session.database.save_over_theirs() == 1
    commit_heard(session, parcels, 1)
    mine = pieces_of(fid)
    assert len(mine) == 2 and fid in mine and not (mine - {fid}) & theirs
    assert live.rebuild_count == rebuilds
    equals_the_database(session)
    session.unload()


def test_the_two_transactions_of_a_split_heard_apart(planners):
    """张三's split as QGIS sends it, each transaction heard on its own: the parcel's geometry updated to its west
    half (the view makes the east half a piece for the moment), then the east half inserted with the parcel's
    attributes (it takes that piece's place). After each, 李四's balance re-read only the parcel's rows and equals
    the database's."""
    session, parcels, said = session_of("b")
    live = session.live
    fid = farmland_parcels(parcels, 1)[0]
    bsm = parcels.getFeature(fid)["bsm"]
    rebuilds = live.rebuild_count
    whole = parcels.getFeature(fid)  # the attributes QGIS copies into the new piece
    names = [f.name() for f in parcels.fields() if f.name() not in ("fid", "version")]

    def west(g: str) -> str:
        return (f"ST_Multi(ST_CollectionExtract(ST_Intersection({g}, ST_MakeEnvelope(ST_XMin({g}) - 1, "
                f"ST_YMin({g}) - 1, (ST_XMin({g}) + ST_XMax({g})) / 2, ST_YMax({g}) + 1, ST_SRID({g}))), 3))")

    followed(session, lambda: by_zhang(f"UPDATE {SCHEMA}.parcels SET geom = {west('geom')} WHERE fid = %s", fid))
    rim = pieces_of(fid) - {fid}
    assert len(rim) == 1 and live.rebuild_count == rebuilds
    assert live.last_changes["parcels"] == {fid} | rim
    assert sorted(live.engine.pieces(bsm)) == sorted({fid} | rim)
    equals_the_database(session)

    followed(session, lambda: by_zhang(
        f"INSERT INTO {SCHEMA}.parcels ({', '.join(names)}, geom) SELECT {', '.join(['%s'] * len(names))}, "
        f"ST_Multi(ST_Difference(s.geom, {west('s.geom')})) FROM {SCHEMA}.survey s WHERE s.fid = %s",
        *[whole[n] if whole[n] != NULL else None for n in names], fid))
    (piece,) = pieces_of(fid) - {fid}
    assert piece not in rim and live.rebuild_count == rebuilds
    assert live.last_changes["parcels"] == {fid, piece} | rim  # the moment's piece gone, the new one read
    assert sorted(live.engine.pieces(bsm)) == [fid, piece]
    equals_the_database(session)
    assert said["refused"] == []
    session.unload()
