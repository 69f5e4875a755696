"""A planner whose layers connect through QGIS's auth manager (``authcfg=…``, a Basic configuration in
a temporary auth database unlocked by a master password set programmatically): the session's
versions are read by the worker thread over its own connection (the password resolved on the main
thread, kept in memory), not through the provider; the conflict check works; and the password is in
no log line, message or project file (docs/postgis.md, "Refused saves")."""
from __future__ import annotations

import secrets

from qgis.core import Qgis

from plugin.adapters.live_postgres import LISTEN_AUTHCFG_FIXED
from tests.postgis import live_helpers as helpers
from tests.postgis.auth_child import run_child
from tests.postgis.test_pg_live import PLANNERS, SCHEMA

demo_gpkg, template, planners = helpers.demo_gpkg, helpers.template, helpers.planners  # fixtures

CHILD = r"""
import sys
from tests.postgis.auth_child import basic_config
port, db, user, password, schema, other, project_path = sys.argv[1:8]
cfg_id = basic_config(user, password)
from qgis.core import QgsApplication, QgsDataSourceUri, QgsProject, QgsVectorLayer
from qgis.PyQt.QtCore import QCoreApplication
logged = []
QgsApplication.messageLog().messageReceived.connect(lambda text, tag, level: logged.append(f"{tag}: {text}"))
from plugin.adapters import live_versions
from plugin.adapters.postgis.connection import connect
from plugin.adapters.postgis.plan_edits import read_plan, save_plan
from plugin.gui.session import PlanningSession, SessionConfig
from tests.postgis.test_pg_live import tag, untagged_farmland

def layer(table, key):
    uri = QgsDataSourceUri()
    uri.setConnection("127.0.0.1", port, db, "", "", QgsDataSourceUri.SslPrefer, cfg_id)
    uri.setDataSource(schema, table, "geom", "", key)
    found = QgsVectorLayer(uri.uri(False), table, "postgres")
    assert found.isValid(), table
    QgsProject.instance().addMapLayer(found)
    return found

provider_reads, provider_read = [], live_versions.read_versions
def counted(found, index, fids=None):
    if fids is None:
        provider_reads.append(found.name())
    return provider_read(found, index, fids)
live_versions.read_versions = counted
parcels, units = layer("parcels", "fid"), layer("plan_unit", "id")
print("source:", parcels.source())
session = PlanningSession(follow_project=False)
session.background = False
said = []
session.notice.connect(said.append)
session.refused.connect(said.append)
assert session.apply(SessionConfig(parcels=parcels.id(), units=units.id()), save=True)
stamps = session.database.stamps
print("following:", session.database.follower.active)
print("in background:", [s._reading is not None and s._reading.in_background for s in stamps])
seen = stamps[0].seen
print("provider reads:", provider_reads)
print("versions read:", len(seen._fids), parcels.featureCount())
theirs = untagged_farmland(parcels, 1)[0]
conn = connect(other)  # planner A, after B's session read its versions
save_plan(conn, schema, {theirs: (0, {"zzlx": "JS-FK", "ghdlbm": "0101"})}, "张三")
tag(parcels, theirs, "JS-FK", "0201")
print("committed:", parcels.commitChanges())
for _ in range(20):
    QCoreApplication.processEvents()
print("kept:", read_plan(conn, schema, [theirs])[theirs]["ghdlbm"])
parcels.rollBack()
assert QgsProject.instance().write(project_path)
session.unload()
print("said:", said)
print("log:", logged)
"""


def test_an_authcfg_session_reads_versions_in_the_worker_and_checks_conflicts(planners, pg_cluster, tmp_path):
    role, password = "wang", "Pw-" + secrets.token_hex(12)
    pg_cluster.execute(f"DO $$ BEGIN CREATE ROLE {role} LOGIN; EXCEPTION WHEN duplicate_object THEN NULL; END $$; "
                       f"ALTER ROLE {role} PASSWORD '{password}'; GRANT {PLANNERS['b'][0]} TO {role}", "postgres")
    other = (f"host=127.0.0.1 port={pg_cluster.port} dbname={planners} user={PLANNERS['a'][0]} "
             f"password=pw-{PLANNERS['a'][0]}")
    project = tmp_path / "planning.qgs"
    proc = run_child(CHILD, tmp_path / "auth", str(pg_cluster.port), planners, role, password, SCHEMA, other,
                     str(project))
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    out = proc.stdout
    assert "authcfg=" in out and "in background: [True, True]" in out
    assert "provider reads: []" in out  # the worker's query, not the provider's fallback
    versions = next(line for line in out.splitlines() if line.startswith("versions read:")).split()[2:]
    assert versions[0] == versions[1] != "0"
    assert "committed: False" in out and "kept: 0101" in out  # A's change since: B's save refused
    said = next(line for line in out.splitlines() if line.startswith("said:"))
    assert "张三" in said
    if Qgis.QGIS_VERSION_INT < LISTEN_AUTHCFG_FIXED:  # QGIS would crash listening: not followed, and said so
        assert "following: False" in out and "not followed live" in said
    else:
        assert "following: True" in out and "not followed live" not in said
    text = project.read_text(encoding="utf-8")
    assert "authcfg=" in text
    for where in (out, proc.stderr, text):
        assert password not in where
