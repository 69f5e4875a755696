"""The command line on a real PostGIS: db init / db load / balance --in-database, no password shown."""
from __future__ import annotations

import sqlite3

import pytest

from plugin.adapters.postgis.schema import latest_version
from plugin.cli.app import main
from plugin.demo.writer import write_demo_gpkg


def _rows(path) -> dict:
    con = sqlite3.connect(path)
    try:
        return {(u, d): (b, a) for u, d, b, a in con.execute(
            "SELECT unit_code, dlbm, area_before_m2, area_after_m2 FROM balance")}
    finally:
        con.close()


def test_db_commands_and_balance_in_database(service_db, tmp_path, capsys):
    db, _cluster, _name = service_db
    gpkg = tmp_path / "demo.gpkg"
    write_demo_gpkg(str(gpkg), n_parcels=600, seed=5)
    assert main(["db", "init", "--db", db, "--schema", "plan"]) == 0
    assert f"version {latest_version()}" in capsys.readouterr().out
    assert main(["db", "init", "--db", db, "--schema", "plan"]) == 0
    assert "up to date" in capsys.readouterr().out
    assert main(["db", "load", "--db", db, "--schema", "plan", "--parcels", f"{gpkg}|layername=DLTB",
                 "--units", f"{gpkg}|layername=ZZDY", "--pbf", f"{gpkg}|layername=YJJBNTTB"]) == 0
    out = capsys.readouterr().out
    # the load, then what db load does next and how long it took (load.fill_kept)
    assert out.index("survey 600") < out.index("Filling the kept shares of plan") < out.index("Kept shares filled")
    src = ["--parcels", f"PG:{db}|layername=plan.parcels", "--units", f"PG:{db}|layername=plan.plan_unit",
           "--pbf", f"PG:{db}|layername=plan.pbf"]
    assert main(["balance", "--in-database", *src, "--out", str(tmp_path / "in_db.gpkg")]) == 0
    out = capsys.readouterr().out
    assert "ZZDY-001" in out
    assert main(["balance", *src, "--out", str(tmp_path / "in_process.gpkg")]) == 0
    got, want = _rows(tmp_path / "in_db.gpkg"), _rows(tmp_path / "in_process.gpkg")
    assert set(got) == set(want) and len(got) > 10
    for key, (before, after) in want.items():
        assert got[key] == pytest.approx((before, after), abs=1.0), key


def test_no_password_in_output_messages_or_files(pg_db, tmp_path, capsys):
    cluster, name = pg_db
    dsn = cluster.dsn(name, with_password=True)
    gpkg = tmp_path / "demo.gpkg"
    write_demo_gpkg(str(gpkg), n_parcels=300, seed=6)
    assert main(["db", "init", "--db", f"PG:{dsn}"]) == 0
    assert main(["db", "load", "--db", dsn, "--parcels", f"{gpkg}|layername=DLTB",
                 "--units", f"{gpkg}|layername=ZZDY"]) == 0
    layer = "|layername=land_consolidation."
    out = tmp_path / "b.gpkg"
    assert main(["balance", "--in-database", "--parcels", f"PG:{dsn}{layer}parcels",
                 "--units", f"PG:{dsn}{layer}plan_unit", "--out", str(out)]) == 0
    assert main(["balance", "--in-database", "--parcels", f"PG:{dsn}{layer}no_such_table",
                 "--units", f"PG:{dsn}{layer}plan_unit", "--out", str(tmp_path / "never.gpkg")]) == 2
    said = capsys.readouterr()
    assert "no_such_table" in said.err
    assert not (tmp_path / "never.gpkg").exists()
    assert cluster.password not in said.out + said.err
    assert cluster.password.encode() not in out.read_bytes()
    plan = tmp_path / "plan.gpkg"  # the plan hand-over names its sources: without the password
    assert main(["export", "--parcels", f"PG:{dsn}{layer}survey", "--units", f"PG:{dsn}{layer}plan_unit",
                 "--out", str(plan)]) == 0
    assert b"land_consolidation.survey" in plan.read_bytes()
    assert cluster.password.encode() not in plan.read_bytes()
    assert cluster.password not in capsys.readouterr().out
