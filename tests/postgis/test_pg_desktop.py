"""The real QGIS desktop under Xvfb with the plugin on PostGIS layers: another planner's commit
shows in the balance, and a screenshot of the workbench on the database layers is kept."""
from __future__ import annotations

from pathlib import Path

import pytest

from plugin.adapters.postgis import schema as pg_schema
from plugin.adapters.postgis.commands import db_load
from plugin.adapters.postgis.connection import connect
from plugin.demo.writer import write_demo_gpkg

pytestmark = [pytest.mark.desktop, pytest.mark.slow]


def test_workbench_on_postgis_layers_follows_another_planner(pg_db, tmp_path):
    from tests.desktop.test_desktop_qgis import assert_not_blank, run_qgis

    cluster, name = pg_db
    services = cluster.write_service_file(tmp_path / "pg_service.conf", service="county")
    services.write_text(services.read_text().replace("dbname=planning", f"dbname={name}"), encoding="utf-8")
    dsn = cluster.dsn(name, with_password=True)
    gpkg = tmp_path / "source.gpkg"
    write_demo_gpkg(str(gpkg), n_parcels=800, seed=42)
    conn = connect(dsn)
    pg_schema.migrate(conn, "lc")
    conn.close()
    db_load(dsn, "lc", f"{gpkg}|layername=DLTB", f"{gpkg}|layername=ZZDY", f"{gpkg}|layername=YJJBNTTB")
    result = run_qgis(tmp_path, "qgis_postgis_zh_CN", script="pg_startup.py",
                      extra_env={"PGSERVICEFILE": str(services), "LC_PG_SERVICE": "county", "LC_PG_SCHEMA": "lc"})
    assert "error" not in result, result.get("error")
    assert all(valid and provider == "postgres" and count > 0
               for valid, provider, count in result["layers"].values()), result["layers"]
    assert result["configured"] is True and result["listening"] is True
    assert result["seen_after_s"] < 2.0
    before, after = result["before"], result["after"]
    assert after.get("0702", 0) > before.get("0702", 0)  # the other planner's 0702 in this planner's unit
    assert result["workbench_visible"] is True
    assert_not_blank(Path(result["shot"]))
    assert cluster.password not in Path(result["log"]).read_text(encoding="utf-8", errors="replace")
