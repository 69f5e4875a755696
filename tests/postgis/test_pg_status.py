"""Unit status changes on the PostGIS ``plan_unit``: the history in the planning schema (migration 5),
written in the transaction of the change, read by the progress report and the CLI."""
from __future__ import annotations

import time

import pytest

from plugin.adapters.postgis import schema as pg_schema
from plugin.adapters.postgis.commands import db_init, db_load
from plugin.adapters.postgis.connection import DatabaseError, connect
from plugin.cli.app import main
from plugin.demo.writer import write_demo_gpkg

SCHEMA = "plan"


@pytest.fixture()
def planned(pg_db, tmp_path):
    """(libpq dsn, demo GeoPackage, the demo's unit codes) with the demo loaded into ``plan``."""
    cluster, name = pg_db
    gpkg = tmp_path / "demo.gpkg"
    write_demo_gpkg(str(gpkg), n_parcels=500, seed=4)
    dsn = cluster.dsn(name, with_password=True)
    db_init(dsn, SCHEMA)
    db_load(dsn, SCHEMA, f"{gpkg}|layername=DLTB", f"{gpkg}|layername=ZZDY", f"{gpkg}|layername=YJJBNTTB")
    conn = connect(dsn)
    with conn, conn.cursor() as cur:
        cur.execute("SELECT dybh FROM plan.plan_unit ORDER BY dybh")
        codes = [r[0] for r in cur.fetchall()]
    conn.close()
    return dsn, gpkg, codes


def _units(dsn: str):
    from qgis.core import QgsDataSourceUri, QgsVectorLayer

    uri = QgsDataSourceUri(dsn)
    uri.setDataSource(SCHEMA, "plan_unit", "geom", "", "id")
    layer = QgsVectorLayer(uri.uri(False), "units", "postgres")
    assert layer.isValid()
    return layer


def _history(dsn: str) -> list[tuple]:
    conn = connect(dsn)
    with conn, conn.cursor() as cur:
        cur.execute("SELECT unit_code, from_status, to_status, changed_by, db_role, reason, changed_at "
                    "FROM plan.unit_status_history ORDER BY id")
        rows = cur.fetchall()
    conn.close()
    return rows


def _status(dsn: str, code: str):
    conn = connect(dsn)
    with conn, conn.cursor() as cur:
        cur.execute("SELECT zt FROM plan.plan_unit WHERE dybh = %s", (code,))
        value = cur.fetchone()[0]
    conn.close()
    return value


def test_migration_5_adds_the_status_and_its_history(service_db):
    db, _cluster, _name = service_db
    conn = connect(db)
    assert 5 in pg_schema.migrate(conn, SCHEMA)
    with conn.cursor() as cur:
        cur.execute("SELECT column_name FROM information_schema.columns WHERE table_schema = %s "
                    "AND table_name = 'unit_status_history'", (SCHEMA,))
        columns = {r[0] for r in cur.fetchall()}
        cur.execute("SELECT count(*) FROM information_schema.columns WHERE table_schema = %s "
                    "AND table_name = 'plan_unit' AND column_name = 'zt'", (SCHEMA,))
        assert cur.fetchone()[0] == 1
    conn.close()
    assert {"unit_code", "from_status", "to_status", "changed_at", "changed_by", "db_role", "reason"} <= columns


def test_status_changes_write_who_when_from_to_reason_in_the_schema(planned):
    from plugin.adapters.lifecycle_ops import set_status
    from plugin.adapters.lifecycle_store import HistoryStore

    dsn, _gpkg, codes = planned
    units = _units(dsn)
    store = HistoryStore(units)
    assert store.in_database and "plan.unit_status_history" in store.where
    code = codes[0]
    set_status(units, "dybh", "zt", code, "立项", "", findings=[], store=store, user="张三")
    set_status(units, "dybh", "zt", code, "实施", "", store=store, user="李四")
    set_status(units, "dybh", "zt", code, "立项", "图纸退回", store=store, user="张三")
    assert _status(dsn, code) == "立项"
    assert [f["zt"] for f in units.getFeatures() if f["dybh"] == code] == ["立项"]  # the layer shows it
    rows = _history(dsn)
    assert [r[:6] for r in rows] == [(code, "储备", "立项", "张三", "postgres", None),
                                     (code, "立项", "实施", "李四", "postgres", None),
                                     (code, "实施", "立项", "张三", "postgres", "图纸退回")]
    assert rows[0][6] <= rows[1][6] <= rows[2][6]
    read = store.read()
    assert [(t.unit_code, t.from_status, t.to_status, t.changed_by, t.reason) for t in read] == [
        (code, "储备", "立项", "张三", ""), (code, "立项", "实施", "李四", ""),
        (code, "实施", "立项", "张三", "图纸退回")]
    assert read[0].changed_at[:4].isdigit() and read[0].changed_at[-6] in "+-"  # ISO 8601 with the offset


def test_the_row_is_written_in_the_transaction_of_the_change(planned):
    """A history row the database refuses takes the status change with it (and the reverse)."""
    from plugin.adapters.lifecycle_ops import set_status
    from plugin.adapters.lifecycle_store import HistoryStore

    dsn, _gpkg, codes = planned
    conn = connect(dsn)
    with conn, conn.cursor() as cur:
        cur.execute("ALTER TABLE plan.unit_status_history "
                    "ADD CONSTRAINT no_boom CHECK (reason IS DISTINCT FROM 'boom')")
    conn.close()
    units = _units(dsn)
    store = HistoryStore(units)
    code = codes[1]
    set_status(units, "dybh", "zt", code, "立项", "", findings=[], store=store, user="张三")
    with pytest.raises(DatabaseError):
        set_status(units, "dybh", "zt", code, "储备", "boom", store=store, user="张三")
    assert _status(dsn, code) == "立项"
    assert len(_history(dsn)) == 1


def test_a_stale_change_is_refused_naming_who_changed_the_unit(planned):
    from plugin.adapters.lifecycle_ops import set_status
    from plugin.adapters.lifecycle_store import HistoryStore
    from plugin.core.lifecycle import Transition

    dsn, _gpkg, codes = planned
    units = _units(dsn)
    code = codes[2]
    set_status(units, "dybh", "zt", code, "立项", "", findings=[], store=HistoryStore(units), user="张三")
    # another planner who still saw 储备 (NULL in the table) asks for the same step
    stale = Transition(code, "储备", "立项", "2026-12-02T10:00:00+08:00", "李四", "")
    with pytest.raises(DatabaseError, match="张三") as err:
        HistoryStore(units).change("dybh", "zt", None, stale)
    assert code in str(err.value)
    assert len(_history(dsn)) == 1


def test_an_attribute_table_edit_is_recorded_too(planned):
    """ZT edited in QGIS's attribute table (the provider's own commit): a row with the database role."""
    dsn, _gpkg, codes = planned
    units = _units(dsn)
    fid = next(f.id() for f in units.getFeatures() if f["dybh"] == codes[0])
    assert units.startEditing()
    assert units.changeAttributeValue(fid, units.fields().indexOf("zt"), "立项")
    assert units.commitChanges(), units.commitErrors()
    assert [r[:6] for r in _history(dsn)] == [(codes[0], "储备", "立项", None, "postgres", None)]


def test_cli_status_progress_and_export_read_the_schema(planned, tmp_path, capsys):
    import sqlite3

    from plugin.core.lifecycle import status_label

    openpyxl = pytest.importorskip("openpyxl")
    dsn, _gpkg, codes = planned
    pg = f"PG:{dsn}|layername={SCHEMA}."
    src = ["--parcels", pg + "parcels", "--units", pg + "plan_unit", "--pbf", pg + "pbf"]
    conn = connect(dsn)
    with conn, conn.cursor() as cur:  # approved earlier (立项 needs the data checks: not this test's subject)
        cur.execute("SELECT set_config('lc.user', '张三', true)")
        cur.execute("UPDATE plan.plan_unit SET zt = '立项' WHERE dybh = %s", (codes[0],))
    conn.close()
    assert main(["status", *src, "--unit", codes[0], "--to", "works"]) == 0
    out = capsys.readouterr().out
    assert "立项 → 实施" in out and "plan.unit_status_history" in out
    assert [r[1:3] for r in _history(dsn)] == [("储备", "立项"), ("立项", "实施")]
    report = tmp_path / "progress.xlsx"
    assert main(["progress", *src, "--out", str(report)]) == 0
    sheet = openpyxl.load_workbook(report).worksheets[-1]  # 状态变更记录 / Status history
    cells = [[c for c in row if c is not None] for row in sheet.iter_rows(min_row=2, values_only=True)]
    history = [row for row in cells if codes[0] in row]
    assert len(history) == 2 and "张三" in history[0] and status_label("实施") in history[1]
    plan = tmp_path / "plan.gpkg"
    assert main(["export", *src, "--out", str(plan)]) == 0
    con = sqlite3.connect(plan)
    assert con.execute("SELECT unit_code, from_status, to_status, changed_by FROM unit_status_history "
                       "ORDER BY changed_at").fetchall()[0] == (codes[0], "储备", "立项", "张三")
    con.close()


def test_the_docks_change_is_saved_at_once_with_its_row(planned):
    """The 进度 tab's path (an edit buffer with pending rows elsewhere): on plan_unit it is one transaction."""
    from plugin.adapters.lifecycle_ops import PendingHistory, set_status
    from plugin.adapters.lifecycle_store import HistoryStore

    dsn, _gpkg, codes = planned
    units = _units(dsn)
    pending = PendingHistory(units, "dybh", "zt", HistoryStore(units))
    try:
        set_status(units, "dybh", "zt", codes[3], "立项", "", findings=[], pending=pending, user="王五")
    finally:
        pending.disconnect()
    assert pending.count() == 0 and not units.isModified()
    assert _status(dsn, codes[3]) == "立项"
    assert [r[:4] for r in _history(dsn)] == [(codes[3], "储备", "立项", "王五")]


def test_a_unit_held_by_an_unsaved_transaction_refuses_the_change_after_the_lock_wait(planned, monkeypatch):
    """Another planner's unsaved edits hold the unit's row: the change waits ``LOCK_WAIT`` (here
    300 ms), then says the unit is being edited, instead of freezing QGIS for ever."""
    from plugin.adapters.lifecycle_ops import set_status
    from plugin.adapters.lifecycle_store import HistoryStore
    from plugin.adapters.postgis import status

    monkeypatch.setattr(status, "LOCK_WAIT", "300ms")
    dsn, _gpkg, codes = planned
    units = _units(dsn)
    code = codes[1]
    other = connect(dsn)
    with other.cursor() as cur:  # left open: the unit's row is locked
        cur.execute("UPDATE plan.plan_unit SET dymc = '乙' WHERE dybh = %s", (code,))
    start = time.monotonic()
    with pytest.raises(DatabaseError, match="is being edited in a transaction not yet saved") as err:
        set_status(units, "dybh", "zt", code, "立项", "", findings=[], store=HistoryStore(units), user="张三")
    assert time.monotonic() - start < 5 and code in str(err.value)
    other.commit()
    other.close()
    assert _history(dsn) == [] and _status(dsn, code) is None
    set_status(units, "dybh", "zt", code, "立项", "", findings=[], store=HistoryStore(units), user="张三")
    assert _status(dsn, code) == "立项"
