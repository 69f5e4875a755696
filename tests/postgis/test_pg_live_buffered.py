"""Conflict checks under QGIS's buffered transaction groups (QGIS 3.26+; ``adapters/live_buffered.py``,
docs/postgis.md, "Refused saves"): the version seen is written into the edit buffer with each edit, so
the group's commit is refused by the database when another planner changed a row since; the refused
edits stay in the buffer — also the steps QGIS's group had sent before the refusal and then forgot —
and the planner is told who and when."""
from __future__ import annotations

import pytest

from plugin.adapters.postgis.plan_edits import read_plan
from tests.postgis import live_helpers as helpers
from tests.postgis.live_helpers import BUFFERED, changed_by_zhang, session_of, set_mode, settle
from tests.postgis.test_pg_live import SCHEMA, tag, untagged_farmland

demo_gpkg, template, planners, mode_off_after = (helpers.demo_gpkg, helpers.template, helpers.planners,
                                                 helpers.mode_off_after)  # fixtures
pytestmark = pytest.mark.skipif(not BUFFERED, reason="buffered transaction groups: QGIS 3.26+")


def changed(layer) -> dict:
    return dict(layer.editBuffer().changedAttributeValues())


def buffered_session(planner: str = "b", units: bool = False):
    set_mode("buffered")
    return session_of(planner, units)


def test_a_stale_edit_is_refused_nothing_saved_and_the_buffer_kept(planners, mode_off_after):
    session, parcels, said = buffered_session()
    conn, (theirs, mine) = changed_by_zhang(parcels)
    tag(parcels, mine, "JS-FK", "0201")
    tag(parcels, theirs, "JS-FK", "0201")
    assert not parcels.commitChanges(False)  # the group's one transaction: refused, rolled back
    settle()
    assert len(said["refused"]) == 1 and "张三" in said["refused"][0] and str(theirs) in said["refused"][0]
    assert "nothing is lost" in said["refused"][0] and said["notice"] == []
    plan = read_plan(conn, SCHEMA, [theirs, mine])
    assert plan[theirs]["ghdlbm"] == "0101" and plan[mine]["ghdlbm"] is None  # A's value; nothing of B's
    assert {theirs, mine} <= set(changed(parcels))  # both edits still in the buffer
    # undo the stale edit (its stamp goes with it), save the rest
    parcels.undoStack().undo()
    assert set(changed(parcels)) == {mine}
    assert parcels.commitChanges(False), parcels.commitErrors()
    plan = read_plan(conn, SCHEMA, [theirs, mine])
    assert plan[theirs]["ghdlbm"] == "0101" and plan[mine]["ghdlbm"] == "0201"
    assert len(said["refused"]) == 1
    conn.close()
    session.unload()


def test_fresh_and_different_rows_are_saved_and_edited_again(planners, mode_off_after):
    """A's change of another row does not stop B's; B's own saved row is B's to change again."""
    session, parcels, said = buffered_session()
    conn, (theirs, mine, other) = changed_by_zhang(parcels, 3)
    tag(parcels, mine, "JS-FK", "0201")
    tag(parcels, other, "JS-FK", "0102")
    assert parcels.commitChanges(False), parcels.commitErrors()
    tag(parcels, mine, "JS-FK", "0103")  # after B's own save: the version read back is B's
    assert parcels.commitChanges(False), parcels.commitErrors()
    settle()
    plan = read_plan(conn, SCHEMA, [theirs, mine, other])
    assert (plan[theirs]["ghdlbm"], plan[mine]["ghdlbm"], plan[other]["ghdlbm"]) == ("0101", "0103", "0102")
    assert said["refused"] == [] and said["notice"] == []
    conn.close()
    session.unload()


def test_undo_and_redo_take_the_stamp_with_the_edit(planners, mode_off_after):
    session, parcels, _said = buffered_session()
    fid = untagged_farmland(parcels, 1)[0]
    version = parcels.fields().indexOf("version")
    tag(parcels, fid, "JS-FK", "0201")
    assert changed(parcels)[fid][version] == 0 and parcels.undoStack().count() == 1  # one step: edit + stamp
    parcels.undoStack().undo()
    assert changed(parcels) == {}
    parcels.undoStack().redo()
    assert changed(parcels)[fid][version] == 0 and parcels.undoStack().count() == 1
    assert parcels.commitChanges(False), parcels.commitErrors()
    session.unload()


def test_save_mine_over_theirs_writes_the_current_version(planners, mode_off_after):
    session, parcels, said = buffered_session()
    conn, (theirs, _mine) = changed_by_zhang(parcels)
    tag(parcels, theirs, "JS-FK", "0201")
    assert not parcels.commitChanges(False)
    settle()
    assert len(said["refused"]) == 1
    assert session.database.save_over_theirs() == 1
    assert parcels.commitChanges(False), parcels.commitErrors()
    assert read_plan(conn, SCHEMA, [theirs])[theirs]["ghdlbm"] == "0201"
    conn.close()
    session.unload()


def test_a_refused_commit_keeps_the_other_layers_changes_and_says_a_lost_deletion(planners, mode_off_after):
    """QGIS's group sends the deletes first, then the changes of each layer, and forgets what it sent
    from the buffers; the refusal of a parcel rolls everything back in the database: the buffers are
    rebuilt from their undo stacks. A unit's deletion sent before the refusal cannot be sent again
    (QGIS's provider forgot its feature id): the planner is told, undoes it and deletes it again."""
    session, parcels, said = buffered_session()
    units = session.live.inputs.units
    conn, (theirs, _mine) = changed_by_zhang(parcels)
    unit, renamed = list(units.getFeatures())[:2]
    assert units.startEditing()  # the whole group
    units.beginEditCommand("rename")
    assert units.changeAttributeValue(renamed.id(), units.fields().lookupField("dymc"), "乙")
    units.endEditCommand()
    units.beginEditCommand("delete")
    assert units.deleteFeature(unit.id())
    units.endEditCommand()
    tag(parcels, theirs, "JS-FK", "0201")
    assert not parcels.commitChanges(False)
    settle()
    assert len(said["refused"]) == 1 and "张三" in said["refused"][0]
    assert renamed.id() in changed(units) and theirs in changed(parcels)  # kept, whichever layer went first
    assert len(said["notice"]) == 1 and str(unit.id()) in said["notice"][0]
    assert "delete the feature again" in said["notice"][0]
    with conn.cursor() as cur:
        cur.execute(f"SELECT count(*), max(dymc) FROM {SCHEMA}.plan_unit WHERE id IN %s", ((unit.id(), renamed.id()),))
        assert cur.fetchone()[0] == 2  # nothing of B's saved
    units.undoStack().undo()  # the deletion QGIS cannot send any more
    again = [f for f in units.getFeatures() if f["dybh"] == unit["dybh"]]
    units.beginEditCommand("delete")
    assert len(again) == 1 and units.deleteFeature(again[0].id())
    units.endEditCommand()
    parcels.undoStack().undo()  # the stale edit
    assert parcels.commitChanges(False), parcels.commitErrors()
    with conn, conn.cursor() as cur:
        cur.execute(f"SELECT count(*) FROM {SCHEMA}.plan_unit WHERE id = %s", (unit.id(),))
        assert cur.fetchone() == (0,)
        cur.execute(f"SELECT dymc FROM {SCHEMA}.plan_unit WHERE id = %s", (renamed.id(),))
        assert cur.fetchone() == ("乙",)
    conn.close()
    session.unload()


def test_deleting_a_unit_changed_since_is_refused(planners, mode_off_after):
    session, units, said = buffered_session(units=True)
    unit = next(units.getFeatures())
    conn, _fids = changed_by_zhang(session.live.inputs.parcels, 1)
    with conn, conn.cursor() as cur:
        cur.execute("SELECT set_config('lc.user', '张三', false)")
        cur.execute(f"UPDATE {SCHEMA}.plan_unit SET dymc = '甲' WHERE id = %s", (unit.id(),))
    assert units.startEditing()  # the whole group
    units.beginEditCommand("delete")
    assert units.deleteFeature(unit.id())
    units.endEditCommand()
    assert not units.commitChanges(False)
    settle()
    assert len(said["refused"]) == 1 and unit["dybh"] in said["refused"][0] and "张三" in said["refused"][0]
    assert unit.id() in units.editBuffer().deletedFeatureIds()
    with conn.cursor() as cur:
        cur.execute(f"SELECT dymc FROM {SCHEMA}.plan_unit WHERE id = %s", (unit.id(),))
        assert cur.fetchone() == ("甲",)
    units.undoStack().undo()  # the delete undone: its note is taken back, the save goes through
    assert units.commitChanges(False), units.commitErrors()
    conn.close()
    session.unload()

