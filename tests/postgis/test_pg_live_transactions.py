"""QGIS's transaction groups on the planning layers (docs/postgis.md, "Limits"). Automatic groups send
each edit to the database as it is made: the rows it changed are checked right away in that
transaction (migration 10, ``postgis/tx_check.py``), an edit of a row another planner changed since
is undone and refused naming who and when, and *Save mine over theirs* + Redo writes it knowingly.
Buffered groups (QGIS 3.26+): ``test_pg_live_buffered.py``."""
from __future__ import annotations

import time

import pytest

from plugin.adapters.lifecycle_ops import set_status
from plugin.adapters.lifecycle_store import HistoryStore
from plugin.adapters.postgis.connection import connect
from plugin.adapters.postgis.plan_edits import read_plan
from plugin.core.errors import PlanError
from tests.postgis import live_helpers as helpers
from tests.postgis.live_helpers import changed_by_zhang, session_of, set_mode, settle
from tests.postgis.test_pg_live import SCHEMA, service, tag, untagged_farmland

demo_gpkg, template, planners, mode_off_after = (helpers.demo_gpkg, helpers.template, helpers.planners,
                                                 helpers.mode_off_after)  # fixtures


def test_automatic_groups_refuse_an_edit_of_a_row_changed_since_and_undo_it(planners, mode_off_after):
    set_mode("automatic")
    session, parcels, said = session_of("b")
    conn, (theirs, mine) = changed_by_zhang(parcels)  # theirs changed by A after B loaded it
    tag(parcels, mine, "JS-FK", "0201")
    settle()
    assert parcels.dataProvider().transaction() is not None and said["refused"] == []
    tag(parcels, theirs, "JS-FK", "0201")  # sent to the database at once: checked, refused, undone
    settle()
    assert len(said["refused"]) == 1 and "张三" in said["refused"][0] and str(theirs) in said["refused"][0]
    assert "Redo" in said["refused"][0]  # the sentence of an edit undone, not of a refused save
    assert parcels.getFeature(theirs)["ghdlbm"] == "0101" and parcels.getFeature(mine)["ghdlbm"] == "0201"
    assert parcels.undoStack().canRedo()
    assert said["notice"] == []  # automatic groups are checked: nothing to warn about
    assert parcels.commitChanges(), parcels.commitErrors()
    plan = read_plan(conn, SCHEMA, [theirs, mine])
    assert plan[theirs]["ghdlbm"] == "0101" and plan[mine]["ghdlbm"] == "0201"  # A's value stays

    # knowingly over A's change: Save mine over theirs, then the edit again
    assert session.database.save_over_theirs() == 1
    tag(parcels, theirs, "JS-FK", "0201")
    settle()
    assert len(said["refused"]) == 1
    assert parcels.commitChanges(), parcels.commitErrors()
    assert read_plan(conn, SCHEMA, [theirs])[theirs]["ghdlbm"] == "0201"
    conn.close()
    session.unload()


def test_automatic_groups_check_an_edit_saved_before_the_event_loop_turns(planners, mode_off_after):
    set_mode("automatic")
    session, parcels, said = session_of("b")
    conn, (theirs, mine) = changed_by_zhang(parcels)  # theirs changed by A after B loaded it
    tag(parcels, mine, "JS-FK", "0201")
    tag(parcels, theirs, "JS-FK", "0201")
    assert parcels.commitChanges(), parcels.commitErrors()  # no event loop between the edits and the save
    settle()
    plan = read_plan(conn, SCHEMA, [theirs, mine])
    assert plan[theirs]["ghdlbm"] == "0101", "A's change overwritten unchecked"
    assert plan[mine]["ghdlbm"] == "0201"  # the edit of a row nobody else changed is saved
    assert len(said["refused"]) == 1 and "张三" in said["refused"][0] and str(theirs) in said["refused"][0]
    assert "make the edit again" in said["refused"][0]  # no Redo after a save
    # the planner's own commit, then an edit of the same row again: not refused
    tag(parcels, mine, "JS-FK", "0102")
    assert parcels.commitChanges(), parcels.commitErrors()
    settle()
    assert len(said["refused"]) == 1 and read_plan(conn, SCHEMA, [mine])[mine]["ghdlbm"] == "0102"
    conn.close()
    session.unload()


def test_automatic_groups_refuse_deleting_a_unit_changed_since(planners, mode_off_after):
    set_mode("automatic")
    session, units, said = session_of("b", units=True)
    changed = next(units.getFeatures())
    conn = connect(service("a"))
    with conn, conn.cursor() as cur:
        cur.execute("SELECT set_config('lc.user', '张三', false)")
        cur.execute(f"UPDATE {SCHEMA}.plan_unit SET dymc = '甲' WHERE id = %s", (changed.id(),))
    assert units.startEditing() and units.deleteFeature(changed.id())
    settle()
    assert len(said["refused"]) == 1 and changed["dybh"] in said["refused"][0] and "张三" in said["refused"][0]
    assert units.getFeature(changed.id()).isValid()  # the delete was undone
    assert units.commitChanges(), units.commitErrors()
    with conn.cursor() as cur:
        cur.execute(f"SELECT dymc FROM {SCHEMA}.plan_unit WHERE id = %s", (changed.id(),))
        assert cur.fetchone() == ("甲",)
    conn.close()
    session.unload()


def test_a_status_change_of_a_unit_edited_in_an_open_transaction_is_refused_at_once(planners, mode_off_after):
    """QGIS's group holds the unit's row until the planner saves: the plugin's own connection waiting
    for it on the main thread would freeze QGIS for ever."""
    set_mode("automatic")
    session, units, said = session_of("b", units=True)
    unit = next(units.getFeatures())
    code = unit["dybh"]
    assert units.startEditing()
    assert units.changeAttributeValue(unit.id(), units.fields().lookupField("dymc"), "乙")  # sent: row locked
    settle()
    assert units.dataProvider().transaction() is not None
    store = HistoryStore(units)
    assert store.in_database
    start = time.monotonic()
    with pytest.raises(PlanError) as refused:
        set_status(units, "dybh", "zt", code, "立项", "", findings=[], store=store, user="李四")
    assert time.monotonic() - start < 3  # at once, not after the lock wait
    assert code in str(refused.value) and "save the units layer's edits first" in str(refused.value)
    assert units.commitChanges(), units.commitErrors()
    conn = connect(service("a"))
    with conn, conn.cursor() as cur:
        cur.execute(f"SELECT count(*) FROM {SCHEMA}.unit_status_history WHERE unit_code = %s", (code,))
        assert cur.fetchone() == (0,)  # nothing written by the refused change
    set_status(units, "dybh", "zt", code, "立项", "", findings=[], store=store, user="李四")  # saved: goes through
    with conn, conn.cursor() as cur:
        cur.execute(f"SELECT zt, dymc FROM {SCHEMA}.plan_unit WHERE id = %s", (unit.id(),))
        assert cur.fetchone() == ("立项", "乙")
    conn.close()
    session.unload()


def test_without_the_check_function_the_planner_is_told(planners, mode_off_after, pg_cluster):
    pg_cluster.execute(f"REVOKE EXECUTE ON FUNCTION {SCHEMA}.lc_check_seen(text, bigint[], integer[]) FROM li",
                       planners)
    set_mode("automatic")
    session, parcels, said = session_of("b")
    fid = untagged_farmland(parcels, 1)[0]
    tag(parcels, fid, "JS-FK", "0201")
    settle()
    assert len(said["notice"]) == 1 and "lc_check_seen" in said["notice"][0]
    assert parcels.getFeature(fid)["ghdlbm"] == "0201"  # the edit stays; only the check is off
    assert parcels.commitChanges(), parcels.commitErrors()
    session.unload()
