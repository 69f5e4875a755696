"""The set-up dialog's ``db init`` on a QGIS PostgreSQL connection: the same as the CLI, no password shown."""
from __future__ import annotations

import time

import pytest
from qgis.core import QgsDataSourceUri, QgsProviderRegistry
from qgis.PyQt.QtCore import QCoreApplication

from plugin.adapters.postgis import schema as pg_schema
from plugin.adapters.postgis.connection import connect
from plugin.gui.session import PlanningSession
from plugin.gui.setup_dialog import SetupDialog


@pytest.fixture()
def qgis_connection(pg_db):
    """A saved QGIS PostgreSQL connection (as the Data Source Manager makes it), removed after the test."""
    cluster, name = pg_db
    metadata = QgsProviderRegistry.instance().providerMetadata("postgres")
    made = []

    def make(label: str, password: str):
        uri = QgsDataSourceUri()
        uri.setConnection("127.0.0.1", str(cluster.port), name, "postgres", password)
        config = {"saveUsername": True, "savePassword": True}
        metadata.saveConnection(metadata.createConnection(uri.uri(False), config), label)
        made.append(label)
        return label

    yield cluster, name, make
    for label in made:
        metadata.deleteConnection(label)


def run_section(section, timeout: float = 60.0) -> tuple[bool, str]:
    results = []
    section.done.connect(lambda ok, text: results.append((ok, text)))
    section.button.click()
    t0 = time.monotonic()
    while not results and time.monotonic() - t0 < timeout:
        QCoreApplication.processEvents()
        time.sleep(0.01)
    assert results, "db init did not finish"
    return results[0]


def test_db_init_from_the_setup_dialog(qgis_connection, qgis_iface):
    cluster, name, make = qgis_connection
    good = make("lc county test", cluster.password)
    bad = make("lc wrong password", "wrong-" + "x" * 10)
    dialog = SetupDialog(PlanningSession(follow_project=False), qgis_iface)
    section = dialog.database
    assert {good, bad} <= {section.connection.itemText(i) for i in range(section.connection.count())}

    section.connection.setCurrentText(good)
    section.schema.setText("规划 schema")
    ok, text = run_section(section)
    assert ok, text
    assert f"version {pg_schema.latest_version()}" in text and "规划 schema" in text
    assert section.result.text() == text and section.button.isEnabled() and section.progress.isHidden()
    conn = connect(cluster.dsn(name, with_password=True))
    with conn.cursor() as cur:
        assert pg_schema.current_version(cur, "规划 schema") == pg_schema.latest_version()
    conn.close()
    ok, text = run_section(section)  # the same as the CLI: a second run does nothing
    assert ok and "up to date" in text

    section.connection.setCurrentText(bad)
    ok, text = run_section(section)
    assert not ok and "password" in text.lower()
    assert "wrong-xxxx" not in text and cluster.password not in text
    dialog.deleteLater()
