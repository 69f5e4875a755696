"""Helpers shared by the tests of planning on the database with two planners (the transaction modes,
the versions read in a worker thread, buffered groups): the planners' fixtures come from
``test_pg_live``; a test module takes them with ``from tests.postgis.live_helpers import *fixtures*``."""
from __future__ import annotations

import threading

import pytest
from qgis.core import Qgis, QgsProject
from qgis.PyQt.QtCore import QCoreApplication

from plugin.adapters.live_versions_read import VersionRead
from plugin.adapters.postgis.connection import connect
from plugin.adapters.postgis.plan_edits import save_plan
from plugin.adapters.qgis_compat import transaction_mode
from plugin.gui.session import PlanningSession, SessionConfig
from tests.postgis import test_pg_live as live
from tests.postgis.test_pg_live import SCHEMA, pg_layer, service, untagged_farmland, wait_for

demo_gpkg, template, planners = live.demo_gpkg, live.template, live.planners  # the two planners' fixtures
BUFFERED = hasattr(Qgis, "TransactionMode")  # QGIS 3.26+: buffered transaction groups exist


def set_mode(mode: str) -> None:
    """The project's transaction mode: "off", "automatic" or "buffered" (3.26+)."""
    project = QgsProject.instance()
    if BUFFERED:
        value = {"off": Qgis.TransactionMode.Disabled, "automatic": Qgis.TransactionMode.AutomaticGroups,
                 "buffered": Qgis.TransactionMode.BufferedGroups}[mode]
        project.setTransactionMode(value)
    else:
        project.setAutoTransaction(mode == "automatic")
    assert transaction_mode(project) == mode


@pytest.fixture()
def mode_off_after():
    yield
    for layer in QgsProject.instance().mapLayers().values():  # the mode changes only when nothing is edited
        if getattr(layer, "isEditable", lambda: False)():
            layer.rollBack()
    set_mode("off")


def session_of(planner: str, units: bool = False):
    """A planner's session with its notices and refusals caught from the start: (session, the parcels
    or the units layer, {"notice": […], "refused": […]})."""
    parcels, unit_layer = pg_layer(planner, "parcels", "fid"), pg_layer(planner, "plan_unit", "id")
    session = PlanningSession(follow_project=False)
    session.background = False
    said: dict[str, list] = {"notice": [], "refused": []}
    session.notice.connect(said["notice"].append)
    session.refused.connect(said["refused"].append)
    assert session.apply(SessionConfig(parcels=parcels.id(), units=unit_layer.id()), save=False)
    return session, (unit_layer if units else parcels), said


def refused_naming(layer, refusals: list, *names: str) -> None:
    """The layer's commit is refused and the message bar's sentence names ``names`` (who changed the row
    since, the row); the edits stay in QGIS's buffer."""
    QCoreApplication.processEvents()
    assert not layer.commitChanges()
    wait_for(lambda: refusals, timeout=2.0)
    assert all(name in refusals[0] for name in names), refusals[0]


def settle() -> None:
    for _ in range(20):
        QCoreApplication.processEvents()


def changed_by_zhang(parcels, n: int = 2):
    """``n`` untagged farmland parcels, the first then tagged by planner A (张三) after B loaded it:
    (a psycopg2 connection as A, [theirs, mine, …])."""
    fids = untagged_farmland(parcels, n)
    conn = connect(service("a"))
    save_plan(conn, SCHEMA, {fids[0]: (0, {"zzlx": "JS-FK", "ghdlbm": "0101"})}, "张三")
    return conn, fids


def held_versions_read(monkeypatch):
    """The worker's versions read, held once its query ran: (queried, release) events."""
    queried, release = threading.Event(), threading.Event()
    run = VersionRead._run

    def slow(self, dsn, statement):
        run(self, dsn, statement)
        queried.set()
        release.wait(10)

    monkeypatch.setattr(VersionRead, "_run", slow)
    return queried, release
