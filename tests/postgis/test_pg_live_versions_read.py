"""The versions a planner saw, read off QGIS's main thread at the session's start (docs/postgis.md,
"Refused saves"; ``adapters/live_versions_read.py``): one query in a worker thread, the same
versions as QGIS's provider gives, and no commit saved unchecked while the read runs."""
from __future__ import annotations

import threading
import time

import numpy as np
from qgis.PyQt.QtCore import QCoreApplication

from plugin.adapters import live_versions, live_versions_read
from plugin.adapters.live_versions import VERSION_FIELD, read_versions
from plugin.adapters.live_versions_read import VersionRead, parse_pairs
from plugin.adapters.postgis.connection import connect
from plugin.adapters.postgis.plan_edits import read_plan, save_plan
from tests.postgis import live_helpers as helpers
from tests.postgis.live_helpers import held_versions_read
from tests.postgis.test_pg_live import SCHEMA, planner_session, service, tag, untagged_farmland, wait_for

demo_gpkg, template, planners = helpers.demo_gpkg, helpers.template, helpers.planners  # the two planners' fixtures


def as_dict(seen) -> dict:
    return {int(f): int(v) for f, v in zip(seen._fids, seen._versions)}


def test_parse_pairs_sorts_by_fid():
    fids, versions = parse_pairs("7,2,3,0,12,5")
    assert fids.tolist() == [3, 7, 12] and versions.tolist() == [0, 2, 5]
    assert fids.dtype == versions.dtype == np.int64
    assert [len(a) for a in parse_pairs(None)] == [0, 0]


def test_versions_are_read_in_a_worker_thread_and_equal_the_providers(planners, monkeypatch):
    full_reads = []
    provider_read = live_versions.read_versions

    def counted(layer, index, fids=None):
        if fids is None:
            full_reads.append(layer.name())
        return provider_read(layer, index, fids)

    monkeypatch.setattr(live_versions, "read_versions", counted)
    session_a, (parcels_a, _ua, _pa) = planner_session("a", with_pbf=False)
    fid = untagged_farmland(parcels_a, 1)[0]
    session_a.unload()
    conn = connect(service("a"))  # a parcel with a plan row of version 2, the rest 0 (no plan row)
    save_plan(conn, SCHEMA, {fid: (0, {"zzlx": "JS-FK", "ghdlbm": "0101"})}, "张三")
    save_plan(conn, SCHEMA, {fid: (1, {"ghdlbm": "0102"})}, "张三")
    conn.close()
    full_reads.clear()
    session, (parcels, units, _p) = planner_session("b", with_pbf=False)
    stamps = session.database.stamps
    assert len(stamps) == 2 and all(s._reading is not None and s._reading.in_background for s in stamps)
    assert full_reads == []  # nothing read through the provider on the main thread
    for stamp, layer in zip(stamps, (parcels, units)):
        want = provider_read(layer, layer.fields().indexOf(VERSION_FIELD))
        assert as_dict(stamp.seen) == want and len(want) == layer.featureCount()
    assert stamps[0].seen.get(fid) == 2
    session.unload()


def test_a_failed_query_falls_back_to_the_provider(planners, monkeypatch):
    session, (parcels, _u, _p) = planner_session("b", with_pbf=False)
    stamp = session.database.stamps[0]
    dsn, statement = live_versions_read._query(parcels, VERSION_FIELD)
    monkeypatch.setattr(live_versions_read, "_query", lambda layer, column: (dsn + " user=nobody_here", statement))
    index = parcels.fields().indexOf(VERSION_FIELD)
    reading = VersionRead(parcels, VERSION_FIELD, lambda: read_versions(parcels, index))
    assert reading.wait() == read_versions(parcels, index)
    monkeypatch.setattr(live_versions_read, "_query", lambda layer, column: None)  # e.g. no psycopg2
    reading = VersionRead(parcels, VERSION_FIELD, lambda: read_versions(parcels, index))
    assert not reading.in_background and reading.wait() == read_versions(parcels, index)
    assert stamp.seen.get(untagged_farmland(parcels, 1)[0]) == 0
    session.unload()


def test_a_commit_during_the_read_waits_for_it_and_is_checked(planners, monkeypatch):
    """The read's snapshot is taken at the session's start; a commit made before the worker has handed
    the versions over waits for them: another planner's change since is still refused."""
    queried, release = held_versions_read(monkeypatch)
    session, (parcels, _u, _p) = planner_session("b", with_pbf=False)
    refusals = []
    session.refused.connect(refusals.append)
    assert queried.wait(10)  # B's versions are read (the snapshot), not yet handed over
    seen = untagged_farmland(parcels, 1)[0]
    conn = connect(service("a"))
    save_plan(conn, SCHEMA, {seen: (0, {"zzlx": "JS-FK", "ghdlbm": "0101"})}, "张三")
    tag(parcels, seen, "JS-FK", "0201")
    QCoreApplication.processEvents()
    threading.Timer(0.5, release.set).start()
    t0 = time.monotonic()
    assert not parcels.commitChanges()  # waited for the versions, then stamped: refused
    assert time.monotonic() - t0 >= 0.4
    wait_for(lambda: refusals, timeout=2.0)
    assert "张三" in refusals[0]
    assert read_plan(conn, SCHEMA, [seen])[seen]["ghdlbm"] == "0101"
    conn.close()
    parcels.rollBack()
    session.unload()


def test_a_server_that_never_answers_ends_the_read_after_the_connect_timeout(monkeypatch):
    """A server that takes the connection and never answers (unreachable behind a firewall, say):
    the worker gives up after ``CONNECT_TIMEOUT``, so the main thread never waits for ever."""
    import socket

    from qgis.core import QgsVectorLayer

    monkeypatch.setattr(live_versions_read, "CONNECT_TIMEOUT", 1)
    silent = socket.socket()
    silent.bind(("127.0.0.1", 0))
    silent.listen(4)
    dsn = f"host=127.0.0.1 port={silent.getsockname()[1]} dbname=x user=y sslmode=disable"
    monkeypatch.setattr(live_versions_read, "_query", lambda layer, column: (dsn, "SELECT 1"))
    try:
        reading = VersionRead(QgsVectorLayer("Point", "x", "memory"), VERSION_FIELD, lambda: {7: 1})
        assert reading.in_background
        reading._thread.join(8)
        assert reading.done  # gave up (without a timeout libpq waits for the server's answer for ever)
        assert reading.wait() == {7: 1}  # the provider's read, as for any failed query
    finally:
        silent.close()


def test_a_reload_during_the_read_does_not_wait_for_it(planners, monkeypatch):
    """A reload (a unit's status change saved, say) while the previous read still runs returns at once;
    the rows in the edit buffer keep the versions of that read, so a change since is still refused."""
    queried, release = held_versions_read(monkeypatch)
    session, (parcels, _u, _p) = planner_session("b", with_pbf=False)
    stamp = session.database.stamps[0]
    refusals = []
    session.refused.connect(refusals.append)
    assert queried.wait(10)
    mine = untagged_farmland(parcels, 1)[0]
    tag(parcels, mine, "JS-FK", "0201")  # in B's buffer, read as version 0
    conn = connect(service("a"))
    save_plan(conn, SCHEMA, {mine: (0, {"zzlx": "JS-FK", "ghdlbm": "0101"})}, "张三")  # version 1 since
    t0 = time.monotonic()
    stamp._reloaded()
    assert time.monotonic() - t0 < 0.5 and not release.is_set()  # not waited for the first read
    release.set()
    assert stamp.seen.get(mine) == 0  # the version B read, not A's
    assert not parcels.commitChanges()
    wait_for(lambda: refusals, timeout=2.0)
    assert "张三" in refusals[0] and read_plan(conn, SCHEMA, [mine])[mine]["ghdlbm"] == "0101"
    conn.close()
    parcels.rollBack()
    session.unload()
