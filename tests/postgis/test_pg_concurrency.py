"""Two planners on one database, two connections at once: optimistic locking and notifications."""
from __future__ import annotations

import threading
import time

import pytest

from plugin.adapters.postgis import schema as pg_schema
from plugin.adapters.postgis.connection import connect
from plugin.adapters.postgis.plan_edits import ConflictError, changes, listen, read_plan, save_plan


@pytest.fixture()
def two_planners(service_db):
    db, _cluster, _name = service_db
    owner = connect(db)
    pg_schema.migrate(owner, "plan")
    owner.close()
    a, b = connect(db), connect(db)
    yield db, a, b
    a.close()
    b.close()


def test_different_parcels_both_survive(two_planners):
    _db, a, b = two_planners
    va, vb = read_plan(a, "plan", [1]), read_plan(b, "plan", [2])
    barrier = threading.Barrier(2)

    def save(conn, fid, version, user):
        barrier.wait()
        save_plan(conn, "plan", {fid: (version, {"zzlx": "JS-FK", "ghdlbm": "0103"})}, user)

    threads = [threading.Thread(target=save, args=(a, 1, va[1]["version"], "张三")),
               threading.Thread(target=save, args=(b, 2, vb[2]["version"], "李四"))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    plan = read_plan(a, "plan", [1, 2])
    assert plan[1]["ghdlbm"] == plan[2]["ghdlbm"] == "0103"
    with a.cursor() as cur:
        cur.execute("SELECT row_key, qgis_user FROM plan.history ORDER BY row_key")
        assert cur.fetchall() == [("1", "张三"), ("2", "李四")]


def test_same_parcel_later_commit_refused_with_who_and_when(two_planners):
    _db, a, b = two_planners
    save_plan(a, "plan", {7: (0, {"zzlx": "JS-FK"})}, "张三")
    seen_a, seen_b = read_plan(a, "plan", [7])[7], read_plan(b, "plan", [7])[7]
    assert seen_a["version"] == seen_b["version"] == 1
    save_plan(a, "plan", {7: (seen_a["version"], {"ghdlbm": "0101"})}, "张三")
    with pytest.raises(ConflictError) as err:
        save_plan(b, "plan", {7: (seen_b["version"], {"ghdlbm": "0201"})}, "李四")
    conflict = err.value.conflicts[0]
    assert conflict.changed_by == "张三" and conflict.changed_at is not None
    assert conflict.refused == {"ghdlbm": "0201"}  # handed back, not lost
    assert "张三" in str(err.value)
    assert read_plan(b, "plan", [7])[7]["ghdlbm"] == "0101"
    # read again, the planner saves on the new version
    save_plan(b, "plan", {7: (2, {"ghdlbm": "0201"})}, "李四")
    assert read_plan(a, "plan", [7])[7] == {"zzlx": "JS-FK", "ghdlbm": "0201", "ghkcxs": None, "yncz": None,
                                            "version": 3}


def test_other_sessions_hear_a_commit_within_two_seconds(two_planners):
    db, a, _b = two_planners
    listener = connect(db)
    listen(listener)
    t0 = time.monotonic()
    save_plan(a, "plan", {11: (0, {"zzlx": "TZ"})}, "张三")
    heard = changes(listener, timeout=2.0)
    elapsed = time.monotonic() - t0
    listener.close()
    assert heard == [{"schema": "plan", "table": "plan_parcel", "key": "11", "action": "INSERT"}]
    assert elapsed < 2.0


def test_a_row_held_by_an_unsaved_transaction_refuses_the_save_after_the_lock_wait(two_planners, monkeypatch):
    """A planner's unsaved edits under QGIS's transaction groups hold the row: the save waits
    ``LOCK_WAIT`` (here 300 ms), then says which parcel, instead of freezing QGIS for ever."""
    from plugin.adapters.postgis import plan_edits
    from plugin.adapters.postgis.connection import DatabaseError

    monkeypatch.setattr(plan_edits, "LOCK_WAIT", "300ms")
    _db, a, b = two_planners
    save_plan(a, "plan", {9: (0, {"zzlx": "JS-FK"}), 11: (0, {"zzlx": "JS-FK"})}, "张三")
    with a.cursor() as cur:  # a's transaction stays open: row 11 locked
        cur.execute("UPDATE plan.plan_parcel SET ghdlbm = '0101' WHERE survey_fid = 11")
    seen = read_plan(b, "plan", [9, 11])
    start = time.monotonic()
    with pytest.raises(DatabaseError, match="Parcel 11 is being edited") as err:
        save_plan(b, "plan", {fid: (seen[fid]["version"], {"ghdlbm": "0201"}) for fid in (9, 11)}, "李四")
    assert time.monotonic() - start < 5 and not isinstance(err.value, ConflictError)
    a.commit()
    plan = read_plan(b, "plan", [9, 11])
    assert plan[9]["ghdlbm"] is None and plan[11]["ghdlbm"] == "0101"  # nothing of b's save was written
