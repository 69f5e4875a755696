"""A real PostgreSQL/PostGIS for the tests: a throw-away cluster the tests start themselves.

One cluster per test session (initdb in a temporary folder, a free loopback port; removed at the
end); never the system's cluster. Each test gets its own database (``pg_db``), made from the
cluster's PostGIS-enabled one, so tests do not see each other's tables. Skipped, with the reason,
only where PostgreSQL/PostGIS or psycopg2 are not installed (scripts/setup.sh installs them).
"""
from __future__ import annotations

import itertools

import pytest

from plugin.adapters.postgis.local_cluster import LocalCluster, missing_reason

_names = itertools.count(1)


@pytest.fixture(scope="session")
def pg_cluster():
    reason = missing_reason()
    if reason:
        pytest.skip(f"no PostgreSQL/PostGIS here: {reason}")
    with LocalCluster() as cluster:
        yield cluster


@pytest.fixture()
def pg_db(pg_cluster):
    """(cluster, database name): a fresh database with PostGIS, dropped after the test."""
    name = f"t{next(_names)}"
    pg_cluster.execute(f'CREATE DATABASE "{name}" TEMPLATE "{pg_cluster.database}"', "postgres")
    yield pg_cluster, name
    pg_cluster.execute(f'DROP DATABASE "{name}" WITH (FORCE)', "postgres")


@pytest.fixture()
def service_db(pg_db, tmp_path, monkeypatch):
    """A pg_service.conf naming the test database (``service=lc_test``), as a bureau configures it."""
    cluster, name = pg_db
    path = tmp_path / "pg_service.conf"
    path.write_text(f"[lc_test]\nhost=127.0.0.1\nport={cluster.port}\ndbname={name}\nuser=postgres\n"
                    f"password={cluster.password}\n", encoding="utf-8")
    path.chmod(0o600)
    monkeypatch.setenv("PGSERVICEFILE", str(path))
    return "service=lc_test", cluster, name


@pytest.fixture(autouse=True)
def _pg_view_fids_reset():
    """The command line tells GDAL, for its process, that a view's key is ``fid`` (sources.pg_view_fids):
    each test starts from GDAL's own setting, as a fresh QGIS would."""
    from osgeo import gdal

    before = gdal.GetConfigOption("PGSQL_OGR_FID")
    yield
    gdal.SetConfigOption("PGSQL_OGR_FID", before)
