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
