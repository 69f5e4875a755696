"""QGIS's transaction groups on the planning layers (docs/postgis.md, "Limits"): edits go to the
database without the version the planner saw, so the session says, in the message bar's words,
that the conflict checks are off — at the start and when the project switches them on later —
and its version stamps stand aside (no false refusal of the planner's own edits)."""
from __future__ import annotations

import pytest
from qgis.core import QgsProject
from qgis.PyQt.QtCore import QCoreApplication

from plugin.adapters.postgis.connection import connect
from plugin.adapters.postgis.plan_edits import read_plan, save_plan
from plugin.adapters.qgis_compat import transaction_groups
from plugin.gui.session import PlanningSession, SessionConfig
from tests.postgis import test_pg_live as live
from tests.postgis.test_pg_live import SCHEMA, pg_layer, service, tag, untagged_farmland

demo_gpkg, template, planners = live.demo_gpkg, live.template, live.planners  # the two planners' fixtures


def set_groups(on: bool) -> None:
    project = QgsProject.instance()
    if hasattr(project, "setTransactionMode"):  # QGIS 3.26+
        from qgis.core import Qgis

        project.setTransactionMode(Qgis.TransactionMode.AutomaticGroups if on else Qgis.TransactionMode.Disabled)
    else:
        project.setAutoTransaction(on)
    assert transaction_groups(project) == on


@pytest.fixture()
def groups_off_after():
    yield
    set_groups(False)


def session_of(planner: str):
    """Planner's session with its notices and refusals caught from the start."""
    parcels, units = pg_layer(planner, "parcels", "fid"), pg_layer(planner, "plan_unit", "id")
    session = PlanningSession(follow_project=False)
    session.background = False
    said: dict[str, list] = {"notice": [], "refused": []}
    session.notice.connect(said["notice"].append)
    session.refused.connect(said["refused"].append)
    assert session.apply(SessionConfig(parcels=parcels.id(), units=units.id()), save=False)
    return session, parcels, said


def test_under_transaction_groups_the_planner_is_told_checks_are_off(planners, groups_off_after):
    set_groups(True)
    session, parcels, said = session_of("b")
    assert len(said["notice"]) == 1 and "Conflict checks are off" in said["notice"][0]
    theirs, mine = untagged_farmland(parcels, 2)
    conn = connect(service("a"))
    save_plan(conn, SCHEMA, {theirs: (0, {"zzlx": "JS-FK", "ghdlbm": "0101"})}, "张三")
    tag(parcels, theirs, "JS-FK", "0201")
    tag(parcels, mine, "JS-FK", "0201")
    assert parcels.dataProvider().transaction() is not None  # the edits went to the database already
    QCoreApplication.processEvents()
    assert parcels.commitChanges(), parcels.commitErrors()  # no refusal of the planner's own edits
    for _ in range(20):
        QCoreApplication.processEvents()
    assert said["refused"] == []
    # what the message says: another planner's change of the same parcel is overwritten unchecked
    plan = read_plan(conn, SCHEMA, [theirs, mine])
    assert plan[theirs]["ghdlbm"] == plan[mine]["ghdlbm"] == "0201"
    with conn.cursor() as cur:
        cur.execute(f"SELECT count(*) FROM {SCHEMA}.lc_delete_read")
        assert cur.fetchone()[0] == 0  # no stray notes either
    conn.close()
    assert len(said["notice"]) == 1  # said once, not at every save
    session.unload()


def test_switching_transaction_groups_on_during_the_session_is_said(planners, groups_off_after):
    session, parcels, said = session_of("b")
    assert said["notice"] == []  # the local edit buffer: checks on, nothing to say
    set_groups(True)
    QCoreApplication.processEvents()
    assert len(said["notice"]) == 1 and "Conflict checks are off" in said["notice"][0]
    set_groups(False)
    QCoreApplication.processEvents()
    assert session.database.stamps and not session.database.checks_off()
    # back on the local edit buffer the checks work again: a parcel changed since is refused
    seen = untagged_farmland(parcels, 1)[0]
    conn = connect(service("a"))
    save_plan(conn, SCHEMA, {seen: (0, {"zzlx": "JS-FK", "ghdlbm": "0101"})}, "张三")
    conn.close()
    tag(parcels, seen, "JS-FK", "0201")
    QCoreApplication.processEvents()
    assert not parcels.commitChanges()
    for _ in range(20):
        QCoreApplication.processEvents()
    assert said["refused"] and "张三" in said["refused"][0]
    parcels.rollBack()
    session.unload()
