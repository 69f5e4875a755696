"""Optimistic locking of the docks' planning session on ``postgres`` layers: the version a planner
saw, and deleting units (docs/postgis.md, "Refused saves"). Two planners, as in test_pg_live.py."""
from __future__ import annotations

from qgis.PyQt.QtCore import QCoreApplication

from plugin.adapters.postgis.connection import connect
from plugin.adapters.postgis.plan_edits import read_plan, save_plan
from tests.postgis import test_pg_live as live
from tests.postgis.live_helpers import refused_naming
from tests.postgis.test_pg_live import SCHEMA, planner_session, service, tag, untagged_farmland, wait_for

demo_gpkg, template, planners = live.demo_gpkg, live.template, live.planners  # the two planners' fixtures


def stored(fid: int):
    """The unit's name as the database has it now (not QGIS's buffer or cache); None: no such unit."""
    conn = connect(service("a"))
    with conn, conn.cursor() as cur:
        cur.execute("SELECT coalesce(dymc, '') FROM lc.plan_unit WHERE id = %s", (fid,))
        row = cur.fetchone()
    conn.close()
    return row[0] if row else None


def refusals_of(session) -> list:
    out = []
    session.refused.connect(out.append)
    return out


def test_a_parcel_changed_after_the_planner_loaded_it_is_refused_at_the_first_edit_after(planners):
    session_b, (parcels_b, _u, _p) = planner_session("b", with_pbf=False)
    refusals = refusals_of(session_b)
    seen, other = untagged_farmland(parcels_b, 2)
    # B has the layer open (its session read it); then A commits the parcel from another machine
    conn = connect(service("a"))
    heard = session_b.database.follower.heard
    save_plan(conn, SCHEMA, {seen: (0, {"zzlx": "JS-FK", "ghdlbm": "0101"})}, "张三")
    wait_for(lambda: session_b.database.follower.heard > heard, timeout=3.0)
    # only now does B change it (and another parcel nobody touched)
    tag(parcels_b, seen, "JS-FK", "0201")
    tag(parcels_b, other, "JS-FK", "0201")
    refused_naming(parcels_b, refusals, "张三", str(seen))
    assert read_plan(conn, SCHEMA, [seen])[seen]["ghdlbm"] == "0101"  # A's value stays
    assert parcels_b.getFeature(seen)["ghdlbm"] == "0201"  # B's edit is kept in the buffer
    # knowingly over A's change: saved; then B's next edit of the same parcel saves on B's own version
    assert session_b.database.save_over_theirs() >= 1
    assert parcels_b.commitChanges(), parcels_b.commitErrors()
    assert read_plan(conn, SCHEMA, [seen, other]) == {
        seen: {"zzlx": "JS-FK", "ghdlbm": "0201", "ghkcxs": None, "yncz": None, "version": 2},
        other: {"zzlx": "JS-FK", "ghdlbm": "0201", "ghkcxs": None, "yncz": None, "version": 1}}
    tag(parcels_b, seen, "JS-FK", "0103")
    QCoreApplication.processEvents()
    assert parcels_b.commitChanges(), parcels_b.commitErrors()
    assert read_plan(conn, SCHEMA, [seen])[seen]["ghdlbm"] == "0103"
    conn.close()
    session_b.unload()


def test_a_unit_changed_after_the_planner_loaded_it_is_refused(planners):
    session_a, (_pa, units_a, _p) = planner_session("a", with_pbf=False)
    session_b, (_pb, units_b, _p2) = planner_session("b", with_pbf=False)
    refusals = refusals_of(session_b)
    unit = next(units_a.getFeatures())
    name = units_a.fields().indexOf("dymc")
    assert units_a.startEditing() and units_a.changeAttributeValue(unit.id(), name, "甲")
    assert units_a.commitChanges(), units_a.commitErrors()
    assert units_b.startEditing() and units_b.changeAttributeValue(unit.id(), name, "乙")  # B read it before
    refused_naming(units_b, refusals, unit["dybh"], "张三")
    assert stored(unit.id()) == "甲"
    units_b.rollBack()
    for s in (session_a, session_b):
        s.unload()


def test_deleting_a_unit_another_planner_changed_is_refused_and_kept_then_saved_over_theirs(planners):
    session_a, (_pa, units_a, _p) = planner_session("a", with_pbf=False)
    session_b, (_pb, units_b, _p2) = planner_session("b", with_pbf=False)
    refusals = refusals_of(session_b)
    changed, untouched = [f for f in units_a.getFeatures()][:2]
    assert units_a.startEditing()
    assert units_a.changeAttributeValue(changed.id(), units_a.fields().indexOf("dymc"), "甲")
    assert units_a.commitChanges(), units_a.commitErrors()

    # B deletes the unit A changed after B read it: refused, naming A; the delete stays in B's buffer
    assert units_b.startEditing()
    assert units_b.deleteFeature(changed.id())
    refused_naming(units_b, refusals, changed["dybh"], "张三")
    assert units_b.isEditable() and changed.id() in units_b.editBuffer().deletedFeatureIds()
    assert stored(changed.id()) == "甲"  # still in the database, with A's change

    # a unit nobody changed is deleted with it once B saves over A's change, knowingly
    assert units_b.deleteFeature(untouched.id())
    assert session_b.database.save_over_theirs() >= 1
    assert units_b.commitChanges(), units_b.commitErrors()
    assert stored(changed.id()) is None and stored(untouched.id()) is None
    conn = connect(service("a"))
    with conn.cursor() as cur:
        cur.execute("SELECT row_key, qgis_user FROM lc.history WHERE table_name = 'plan_unit' AND action = 'DELETE' "
                    "ORDER BY row_key")
        assert cur.fetchall() == sorted([(changed["dybh"], "李四"), (untouched["dybh"], "李四")])
        cur.execute("SELECT count(*) FROM lc.lc_delete_read")
        assert cur.fetchone()[0] == 0  # nothing left behind
    conn.close()
    for s in (session_a, session_b):
        s.unload()


def test_deleting_a_unit_nobody_changed_is_saved_and_a_plain_delete_still_works(planners):
    session_b, (_pb, units_b, _p) = planner_session("b", with_pbf=False)
    first, second = [f for f in units_b.getFeatures()][:2]
    assert units_b.startEditing() and units_b.deleteFeature(first.id())
    assert units_b.commitChanges(), units_b.commitErrors()
    assert stored(first.id()) is None
    conn = connect(service("a"))  # a client without the plugin: no version to check
    with conn, conn.cursor() as cur:
        cur.execute("DELETE FROM lc.plan_unit WHERE id = %s", (second.id(),))
        assert cur.rowcount == 1
    conn.close()
    session_b.unload()


def test_a_refused_delete_does_not_hold_back_the_planners_other_changes(planners):
    session_a, (_pa, units_a, _p) = planner_session("a", with_pbf=False)
    session_b, (_pb, units_b, _p2) = planner_session("b", with_pbf=False)
    refusals = refusals_of(session_b)
    contested, renamed = [f for f in units_a.getFeatures()][:2]
    name = units_a.fields().indexOf("dymc")
    assert units_a.startEditing() and units_a.changeAttributeValue(contested.id(), name, "甲")
    assert units_a.commitChanges(), units_a.commitErrors()
    assert units_b.startEditing()
    assert units_b.changeAttributeValue(renamed.id(), name, "乙")
    assert units_b.deleteFeature(contested.id())
    QCoreApplication.processEvents()
    assert not units_b.commitChanges()
    wait_for(lambda: refusals, timeout=2.0)
    # QGIS sends the changes before the deletes, each in a transaction of its own: the rename is
    # saved, the delete is refused and stays in the buffer
    assert stored(renamed.id()) == "乙" and stored(contested.id()) == "甲"
    assert contested.id() in units_b.editBuffer().deletedFeatureIds()
    # the planner's own saved rename is not "another planner's change": renaming it again saves
    units_b.undoStack().undo()  # take the delete back
    assert units_b.changeAttributeValue(renamed.id(), name, "丙")
    QCoreApplication.processEvents()
    assert units_b.commitChanges(), units_b.commitErrors()
    assert stored(renamed.id()) == "丙" and stored(contested.id()) == "甲"
    for s in (session_a, session_b):
        s.unload()


def test_the_planners_own_status_change_is_not_another_planners_change(planners):
    from plugin.adapters.lifecycle_ops import set_status
    from plugin.adapters.lifecycle_store import HistoryStore

    session_b, (_pb, units_b, _p) = planner_session("b", with_pbf=False)
    refusals = refusals_of(session_b)
    unit = next(units_b.getFeatures())
    store = HistoryStore(units_b)
    assert store.in_database
    # saved at once through the plugin's own connection (docs/lifecycle.md); the layer is reloaded
    set_status(units_b, "dybh", "zt", unit["dybh"], "立项", "", findings=[], store=store, user="李四")
    assert units_b.startEditing()
    assert units_b.changeAttributeValue(unit.id(), units_b.fields().indexOf("dymc"), "乙")
    QCoreApplication.processEvents()
    assert units_b.commitChanges(), units_b.commitErrors()
    assert stored(unit.id()) == "乙" and not refusals
    session_b.unload()


def test_saving_other_parcels_does_not_make_the_planner_see_another_planners_change(planners):
    session_b, (parcels_b, _u, _p) = planner_session("b", with_pbf=False)
    refusals = refusals_of(session_b)
    theirs, mine = untagged_farmland(parcels_b, 2)
    conn = connect(service("a"))
    save_plan(conn, SCHEMA, {theirs: (0, {"zzlx": "JS-FK", "ghdlbm": "0101"})}, "张三")
    conn.close()
    tag(parcels_b, mine, "JS-FK", "0201")
    QCoreApplication.processEvents()
    assert parcels_b.commitChanges(), parcels_b.commitErrors()  # B's save of another parcel
    tag(parcels_b, theirs, "JS-FK", "0201")
    refused_naming(parcels_b, refusals, "张三", str(theirs))
    parcels_b.rollBack()
    session_b.unload()


def test_a_planner_who_may_not_note_versions_is_told_deletes_go_unchecked(planners, pg_cluster):
    """Migration 9: noting the versions seen is granted, not PUBLIC's. Without the grant the delete is
    saved unchecked — said in the message bar with the GRANT to ask for, never a traceback."""
    pg_cluster.execute("REVOKE EXECUTE ON FUNCTION lc.lc_read_for_delete(text, bigint[], integer[]) FROM li", planners)
    session_b, (_pb, units_b, _p) = planner_session("b", with_pbf=False)
    notices = []
    session_b.notice.connect(notices.append)
    unit = next(units_b.getFeatures())
    assert units_b.startEditing() and units_b.deleteFeature(unit.id())
    QCoreApplication.processEvents()
    assert units_b.commitChanges(), units_b.commitErrors()
    assert stored(unit.id()) is None
    assert len(notices) == 1 and "GRANT EXECUTE ON FUNCTION lc.lc_read_for_delete" in notices[0]
    session_b.unload()


def test_why_deletes_go_unchecked_is_asked_of_the_catalogue_not_read_from_the_error_text(planners, pg_cluster):
    """A server with lc_messages=zh_CN says 权限不够, not "permission denied": the message is chosen by
    has_function_privilege, whatever the error's language."""
    from qgis.core import QgsProviderRegistry

    from plugin.adapters.live_versions import READ_FOR_DELETE, may_execute, notes_failed_message

    layer = live.pg_layer("b", "plan_unit", "id")
    connection = QgsProviderRegistry.instance().providerMetadata("postgres").createConnection(layer.source(), {})
    assert may_execute(connection, f"lc.{READ_FOR_DELETE}") is True
    assert may_execute(connection, "lc.no_such_function(text)") is None
    assert may_execute(connection, f"no_such_schema.{READ_FOR_DELETE}") is None
    pg_cluster.execute(f"REVOKE EXECUTE ON FUNCTION lc.{READ_FOR_DELETE} FROM li", planners)
    may = may_execute(connection, f"lc.{READ_FOR_DELETE}")
    assert may is False
    translated = "错误:  对函数 lc_read_for_delete 权限不够"
    text = notes_failed_message("plan_unit", '规划 "x"', may, translated)
    assert 'GRANT EXECUTE ON FUNCTION "规划 ""x""".lc_read_for_delete(text, bigint[], integer[])' in text
    missing = notes_failed_message("plan_unit", "lc", None, 'function lc.lc_read_for_delete does not exist')
    assert "run db init" in missing and "GRANT" not in missing
