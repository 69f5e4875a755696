"""Connecting through QGIS's auth manager (authcfg): the password comes from QGIS, never from text.

Runs in a child process with its own auth database (QGIS_AUTH_DB_DIR_PATH in a temporary folder):
the test session's QGIS profile is not touched.
"""
from __future__ import annotations

from tests.postgis.auth_child import run_child

CHILD = r"""
import sys
from tests.postgis.auth_child import basic_config
port, db, user, password = sys.argv[1:5]
cfg_id = basic_config(user, password)
from plugin.adapters.postgis.connection import DatabaseError, connect
conn = connect(f"PG:host=127.0.0.1 port={port} dbname={db} authcfg={cfg_id}")
with conn.cursor() as cur:
    cur.execute("SELECT current_user")
    print("connected as", cur.fetchone()[0])
try:
    connect(f"host=127.0.0.1 port={port} dbname={db} authcfg=nosuch1")
except DatabaseError as exc:
    print("refused:", exc)
"""


def test_authcfg_gives_the_credentials(pg_db, tmp_path):
    cluster, name = pg_db
    proc = run_child(CHILD, tmp_path, str(cluster.port), name, "postgres", cluster.password)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert "connected as postgres" in proc.stdout
    assert "refused:" in proc.stdout and "nosuch1" in proc.stdout
    assert cluster.password not in proc.stdout + proc.stderr


LAYER_CHILD = r"""
import sys
from tests.postgis.auth_child import basic_config
port, db, user, password = sys.argv[1:5]
cfg_id = basic_config(user, password)
from qgis.core import QgsDataSourceUri, QgsVectorLayer
from plugin.adapters.postgis.connection import connect
from plugin.adapters.postgis.layers import database_sources, layer_table
uri = QgsDataSourceUri()
uri.setConnection("127.0.0.1", port, db, "", "", QgsDataSourceUri.SslPrefer, cfg_id)
uri.setDataSource("public", "spots", "geom", "", "id")
layer = QgsVectorLayer(uri.uri(False), "spots", "postgres")
assert layer.isValid()
table = layer_table(layer)
print("dsn:", table.dsn)
print("source:", database_sources(layer, layer, None)[0])
conn = connect(table.dsn)
with conn.cursor() as cur:
    cur.execute("SELECT current_user, count(*) FROM public.spots")
    print("connected as", *cur.fetchone())
"""


def test_a_postgres_layer_with_authcfg_gives_its_connection(pg_db, tmp_path):
    """Processing's "inside the database": the connection of a layer that names an authcfg is
    that authcfg (resolved by QGIS's auth manager when connecting), never a password in text."""
    cluster, name = pg_db
    cluster.execute("CREATE TABLE public.spots (id serial PRIMARY KEY, geom geometry(Point, 4527)); "
                    "INSERT INTO public.spots (geom) VALUES (ST_SetSRID(ST_MakePoint(39500000, 3500000), 4527))", name)
    proc = run_child(LAYER_CHILD, tmp_path, str(cluster.port), name, "postgres", cluster.password)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert "connected as postgres 1" in proc.stdout
    assert "authcfg=" in proc.stdout and 'layername="public"."spots"' in proc.stdout
    assert cluster.password not in proc.stdout + proc.stderr
