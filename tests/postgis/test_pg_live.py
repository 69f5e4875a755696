"""The docks' planning session on layers of QGIS's ``postgres`` provider, with two planners.

Each planner is a QGIS data source of its own database role (``zhang``, ``li``), named in a
pg_service.conf as a bureau does it, so that QGIS's provider opens separate connections for
them; the second planner's commits also come from plain psycopg2 (another machine's plugin).
"""
from __future__ import annotations

import shutil
import time

import pytest
from qgis.core import QgsDataSourceUri, QgsFeatureRequest, QgsProject, QgsVectorLayer
from qgis.PyQt.QtCore import QCoreApplication

from plugin.adapters.live_postgres import MAX_INCREMENTAL
from plugin.adapters.postgis import schema as pg_schema
from plugin.adapters.postgis.commands import db_load
from plugin.adapters.postgis.connection import connect
from plugin.adapters.postgis.plan_edits import read_plan, save_plan
from plugin.demo.writer import write_demo_gpkg
from plugin.gui.session import PlanningSession, SessionConfig

SCHEMA = "lc"
TEMPLATE = "live_template"
PLANNERS = {"a": ("zhang", "张三"), "b": ("li", "李四")}
SERVICE = {"prefix": ""}


def service(planner: str) -> str:
    return f"service={SERVICE['prefix']}_{planner}"


@pytest.fixture(scope="module")
def demo_gpkg(tmp_path_factory):
    path = tmp_path_factory.mktemp("pglive") / "demo.gpkg"
    write_demo_gpkg(str(path), n_parcels=600, seed=5)
    return path


@pytest.fixture(scope="module")
def template(pg_cluster, demo_gpkg):
    """The demo loaded by ``db init`` + ``db load``, and two planner roles (least privilege)."""
    pg_cluster.execute(f'CREATE DATABASE "{TEMPLATE}" TEMPLATE "{pg_cluster.database}"', "postgres")
    dsn = pg_cluster.dsn(TEMPLATE, with_password=True)
    conn = connect(dsn)
    pg_schema.migrate(conn, SCHEMA)
    conn.close()
    db_load(dsn, SCHEMA, f"{demo_gpkg}|layername=DLTB", f"{demo_gpkg}|layername=ZZDY",
            f"{demo_gpkg}|layername=YJJBNTTB")
    for role, _user in PLANNERS.values():
        pg_cluster.execute(f"DO $$ BEGIN CREATE ROLE {role} LOGIN PASSWORD 'pw-{role}'; "
                           "EXCEPTION WHEN duplicate_object THEN NULL; END $$", "postgres")
        pg_cluster.execute(f"GRANT USAGE ON SCHEMA {SCHEMA} TO {role}; "
                           f"GRANT SELECT ON ALL TABLES IN SCHEMA {SCHEMA} TO {role}; "
                           f"GRANT INSERT, UPDATE, DELETE ON {SCHEMA}.plan_parcel, {SCHEMA}.plan_unit, "
                           f"{SCHEMA}.parcels, {SCHEMA}.history TO {role}; "
                           f"GRANT INSERT ON {SCHEMA}.plan_share_dirty TO {role}; "  # unit edits note their boxes
                           f"GRANT INSERT ON {SCHEMA}.unit_status_history TO {role}; "  # status changes
                           f"GRANT USAGE ON ALL SEQUENCES IN SCHEMA {SCHEMA} TO {role}; "
                           # deleting units: the versions seen are noted first (migration 9: not PUBLIC's)
                           f"GRANT EXECUTE ON FUNCTION {SCHEMA}.lc_read_for_delete(text, bigint[], integer[]), "
                           # edits under automatic transaction groups: checked as they are made (migration 10)
                           f"{SCHEMA}.lc_check_seen(text, bigint[], integer[]), "
                           # deleting pieces of split parcels through the view: checked (migration 17)
                           f"{SCHEMA}.lc_check_view_delete(bigint), {SCHEMA}.lc_check_view_update(bigint, integer) "
                           f"TO {role}", TEMPLATE)
    yield TEMPLATE
    pg_cluster.execute(f'DROP DATABASE "{TEMPLATE}" WITH (FORCE)', "postgres")


@pytest.fixture()
def planners(pg_cluster, template, tmp_path, monkeypatch, qgis_new_project):
    """A fresh copy of the demo database; services ``<name>_a`` / ``<name>_b`` (no password in a URI; new
    names for each test, as QGIS keeps its connections by connection string)."""
    name = f"live_{time.monotonic_ns()}"
    SERVICE["prefix"] = name
    pg_cluster.execute(f'CREATE DATABASE "{name}" TEMPLATE "{template}"', "postgres")
    services = tmp_path / "pg_service.conf"
    text = ""
    for key, (role, user) in PLANNERS.items():
        text += (f"[{name}_{key}]\nhost=127.0.0.1\nport={pg_cluster.port}\ndbname={name}\nuser={role}\n"
                 f"password=pw-{role}\noptions=-c lc.user={user}\n")
    services.write_text(text, encoding="utf-8")
    services.chmod(0o600)
    monkeypatch.setenv("PGSERVICEFILE", str(services))
    yield name
    for layer in list(QgsProject.instance().mapLayers().values()):
        if isinstance(layer, QgsVectorLayer) and layer.isEditable():
            layer.rollBack()
    QgsProject.instance().clear()
    pg_cluster.execute(f'DROP DATABASE "{name}" WITH (FORCE)', "postgres")


def pg_layer(planner: str, table: str, key: str) -> QgsVectorLayer:
    uri = QgsDataSourceUri(service(planner))
    uri.setDataSource(SCHEMA, table, "geom", "", key)
    layer = QgsVectorLayer(uri.uri(False), f"{table}_{planner}", "postgres")
    assert layer.isValid() and layer.providerType() == "postgres", table
    QgsProject.instance().addMapLayer(layer)
    return layer


def start_session(parcels, units, pbf=None) -> PlanningSession:
    session = PlanningSession(follow_project=False)
    session.background = False
    config = SessionConfig(parcels=parcels.id(), units=units.id(), pbf=pbf.id() if pbf is not None else "")
    assert session.apply(config, save=False)
    assert session.engine is not None
    return session


def geopackage_reference(demo_gpkg, tmp_path):
    """The demo on a GeoPackage copy, its DLTB, ZZDY and YJJBNTTB layers in the project, and their
    session (what the same plan must balance to): (layers, session)."""
    gpkg = tmp_path / "demo.gpkg"
    shutil.copy(demo_gpkg, gpkg)
    ogr = [QgsVectorLayer(f"{gpkg}|layername={n}", n, "ogr") for n in ("DLTB", "ZZDY", "YJJBNTTB")]
    for layer in ogr:
        QgsProject.instance().addMapLayer(layer)
    return ogr, start_session(*ogr)


def planner_session(planner: str, with_pbf: bool = True):
    layers = (pg_layer(planner, "parcels", "fid"), pg_layer(planner, "plan_unit", "id"),
              pg_layer(planner, "pbf", "id") if with_pbf else None)
    return start_session(*layers), layers


def rows(engine) -> dict:
    return {(c, d): (round(b, 3), round(a, 3)) for c, d, b, a in engine.balance_rows()}


def wait_for(condition, timeout: float) -> float:
    """Run the Qt event loop until ``condition()`` (returns the seconds it took) or fail at ``timeout``."""
    t0 = time.monotonic()
    while not condition():
        if time.monotonic() - t0 > timeout:
            raise AssertionError(f"not within {timeout} s")
        QCoreApplication.processEvents()
        time.sleep(0.002)
    return time.monotonic() - t0


def untagged_farmland(engine_layer: QgsVectorLayer, n: int) -> list[int]:
    out = []
    for f in engine_layer.getFeatures():
        if str(f["dlbm"]).startswith("01") and not f["zzlx"] and not f["ghdlbm"]:
            out.append(f.id())
        if len(out) == n:
            return out
    raise AssertionError("the demo has too few untagged farmland parcels")


def tag(layer: QgsVectorLayer, fid: int, zzlx: str, ghdlbm: str) -> None:
    """What the tagging dock does: one edit command changing ZZLX and GHDLBM."""
    if not layer.isEditable():
        assert layer.startEditing()
    fields = layer.fields()
    layer.beginEditCommand("tag")
    assert layer.changeAttributeValues(fid, {fields.lookupField("zzlx"): zzlx, fields.lookupField("ghdlbm"): ghdlbm})
    layer.endEditCommand()


def test_session_on_postgres_layers_equals_geopackage_and_edits_update_it(planners, demo_gpkg, tmp_path):
    session, (parcels, units, pbf) = planner_session("a")
    ogr, reference = geopackage_reference(demo_gpkg, tmp_path)
    assert len(rows(session.engine)) > 10
    assert rows(session.engine) == rows(reference.engine)

    # the same tags on both: the balances stay equal, live (no rebuild)
    fids = untagged_farmland(parcels, 3)
    by_bsm = {f["BSM"]: f.id() for f in ogr[0].getFeatures()}
    rebuilds = session.live.rebuild_count
    before = rows(session.engine)
    for fid in fids:
        tag(parcels, fid, "JS-FK", "0702")
        tag(ogr[0], by_bsm[parcels.getFeature(fid)["bsm"]], "JS-FK", "0702")
    session.flush()
    reference.flush()
    assert rows(session.engine) != before
    assert rows(session.engine) == rows(reference.engine)
    assert session.live.rebuild_count == rebuilds

    # saved through the view: in plan_parcel, by the planner named in the service, survey untouched
    assert parcels.commitChanges(), parcels.commitErrors()
    conn = connect(service("b"))
    plan = read_plan(conn, SCHEMA, fids)
    assert all(plan[f]["ghdlbm"] == "0702" and plan[f]["version"] == 1 for f in fids)
    with conn.cursor() as cur:
        cur.execute("SELECT DISTINCT changed_by, changed_role FROM lc.plan_parcel WHERE survey_fid = ANY(%s)", (fids,))
        assert cur.fetchall() == [("张三", "zhang")]
    conn.close()
    session.flush()
    assert rows(session.engine) == rows(reference.engine)
    for s in (session, reference):
        s.unload()


def test_another_planners_commit_shows_within_two_seconds(planners):
    session, (parcels, _units, _pbf) = planner_session("a")
    before = rows(session.engine)
    rebuilds, flushes = session.live.rebuild_count, session.live.flush_count
    fid = untagged_farmland(parcels, 1)[0]
    other = connect(service("b"))
    t0 = time.monotonic()
    save_plan(other, SCHEMA, {fid: (0, {"zzlx": "JS-FK", "ghdlbm": "0702"})}, "李四")
    waited = wait_for(lambda: rows(session.engine) != before, timeout=2.0)
    assert time.monotonic() - t0 < 2.0 and waited < 2.0
    assert session.live.rebuild_count == rebuilds and session.live.flush_count > flushes  # incremental
    assert session.live.last_changes["parcels"] == {fid}
    fresh = start_session(parcels, session.units, session.layer("pbf"))
    assert rows(session.engine) == rows(fresh.engine)

    # many rows at once: a full rebuild, also within 2 s on the demo
    with other, other.cursor() as cur:
        cur.execute("INSERT INTO lc.plan_parcel (survey_fid, zzlx, ghdlbm) SELECT fid, 'JS-FK', '0702' FROM lc.survey "
                    "WHERE fid <> %s ORDER BY fid LIMIT %s ON CONFLICT (survey_fid) DO UPDATE SET ghdlbm = '0702'",
                    (fid, MAX_INCREMENTAL + 1))
    wait_for(lambda: session.live.rebuild_count > rebuilds, timeout=2.0)
    other.close()
    fresh.rebuild()
    assert rows(session.engine) == rows(fresh.engine)
    for s in (session, fresh):
        s.unload()


def test_same_parcel_refused_buffer_kept_different_parcels_both_saved(planners):
    session_a, (parcels_a, _u, _p) = planner_session("a", with_pbf=False)
    session_b, (parcels_b, _u2, _p2) = planner_session("b", with_pbf=False)
    refusals = []
    session_b.refused.connect(refusals.append)
    same, a_only, b_only = untagged_farmland(parcels_a, 3)
    tag(parcels_a, same, "JS-FK", "0101")
    tag(parcels_a, a_only, "JS-FK", "0101")
    tag(parcels_b, b_only, "JS-FK", "0201")
    tag(parcels_b, same, "JS-FK", "0201")
    QCoreApplication.processEvents()
    assert parcels_a.commitChanges(), parcels_a.commitErrors()
    assert not parcels_b.commitChanges()
    wait_for(lambda: refusals, timeout=2.0)
    assert "张三" in refusals[0] and str(same) in refusals[0]
    # the refused edits stay in B's buffer; nothing of B was written, A's values are in the database
    assert parcels_b.isEditable()
    assert parcels_b.getFeature(same)["ghdlbm"] == "0201" and parcels_b.getFeature(b_only)["ghdlbm"] == "0201"
    conn = connect(service("a"))
    plan = read_plan(conn, SCHEMA, [same, a_only, b_only])
    assert (plan[same]["ghdlbm"], plan[a_only]["ghdlbm"], plan[b_only]["version"]) == ("0101", "0101", 0)
    # B's undo stack is as B left it: one undo takes back the contested tag, and the other one saves
    assert parcels_b.undoStack().index() == 2
    parcels_b.undoStack().undo()
    assert parcels_b.getFeature(same)["ghdlbm"] == "0101"
    assert parcels_b.getFeature(b_only)["ghdlbm"] == "0201"
    assert parcels_b.commitChanges(), parcels_b.commitErrors()
    plan = read_plan(conn, SCHEMA, [same, a_only, b_only])
    assert [plan[f]["ghdlbm"] for f in (same, a_only, b_only)] == ["0101", "0101", "0201"]

    # B saves over A's change, knowingly
    tag(parcels_a, same, "JS-FK", "0103")
    tag(parcels_b, same, "JS-FK", "0201")
    QCoreApplication.processEvents()
    assert parcels_a.commitChanges()
    assert not parcels_b.commitChanges()
    assert session_b.database.save_over_theirs() == 1
    assert parcels_b.commitChanges(), parcels_b.commitErrors()
    assert read_plan(conn, SCHEMA, [same])[same]["ghdlbm"] == "0201"
    with conn.cursor() as cur:
        cur.execute("SELECT qgis_user FROM lc.history WHERE row_key = %s ORDER BY id", (str(same),))
        assert [r[0] for r in cur.fetchall()] == ["张三", "张三", "李四"]
    conn.close()
    for s in (session_a, session_b):
        s.unload()


def test_survey_columns_are_not_editable_through_the_view(planners):
    session, (parcels, _units, _pbf) = planner_session("a", with_pbf=False)
    fid = next(parcels.getFeatures()).id()
    assert parcels.startEditing()
    parcels.changeAttributeValue(fid, parcels.fields().indexOf("tbmj"), 1.0)
    assert not parcels.commitChanges()
    assert "data of record" in " ".join(parcels.commitErrors())
    parcels.rollBack()
    session.unload()


def test_same_unit_changed_by_two_planners_later_refused(planners):
    session_a, (_pa, units_a, _p) = planner_session("a", with_pbf=False)
    session_b, (_pb, units_b, _p2) = planner_session("b", with_pbf=False)
    refusals = []
    session_b.refused.connect(refusals.append)
    unit = next(units_a.getFeatures())
    name_index = units_a.fields().indexOf("dymc")
    for layer, name in ((units_a, "甲"), (units_b, "乙")):
        assert layer.startEditing()
        assert layer.changeAttributeValue(unit.id(), name_index, name)
    QCoreApplication.processEvents()
    assert units_a.commitChanges(), units_a.commitErrors()
    assert not units_b.commitChanges()
    wait_for(lambda: refusals, timeout=2.0)
    assert unit["dybh"] in refusals[0] and "张三" in refusals[0]
    assert units_b.getFeature(unit.id())["dymc"] == "乙"  # kept in B's buffer
    assert next(units_a.dataProvider().getFeatures(QgsFeatureRequest(unit.id())))["dymc"] == "甲"  # A's saved
    units_b.rollBack()
    for s in (session_a, session_b):
        s.unload()


def test_reload_of_this_schema_or_a_foreign_notification_rebuilds_another_schema_not(planners):
    session, (_parcels, _units, _pbf) = planner_session("a", with_pbf=False)
    other = connect(service("b"))
    other.autocommit = True

    def send(payload: str) -> None:
        with other.cursor() as cur:
            cur.execute("SELECT pg_notify('qgis', %s)", (payload,))

    rebuilds, heard = session.live.rebuild_count, session.database.follower.heard
    send('{"lc": 1, "schema": "another_project", "action": "RELOAD"}')
    send('{"lc": 1, "changes": [["another_project", "plan_parcel", "1"]]}')
    wait_for(lambda: session.database.follower.heard >= heard + 2, timeout=4.0)  # QGIS: one a second
    t0 = time.monotonic()
    wait_for(lambda: time.monotonic() - t0 > 0.3, timeout=1.0)
    assert session.live.rebuild_count == rebuilds  # not this schema: nothing to do
    send('{"lc": 1, "schema": "lc", "action": "RELOAD"}')  # what db load sends
    wait_for(lambda: session.live.rebuild_count == rebuilds + 1, timeout=3.0)
    send("refresh")  # another program's NOTIFY qgis: the data may have changed
    wait_for(lambda: session.live.rebuild_count == rebuilds + 2, timeout=3.0)
    other.close()
    session.unload()
