"""``db load`` again over the planners' work (issue 12): a load that would replace parcels tagged, pieces or
(with ``--units``) units the planners changed since the last load is refused before it writes anything,
naming how many, by whom and the option; ``--replace-plan`` replaces them and says what (history keeps
them); a load without ``--units`` keeps the planners' units; a load after one with no planner's edits
goes through as before."""
from __future__ import annotations

import os
import subprocess
import sys

from plugin.cli.app import main
from plugin.demo.writer import write_demo_gpkg

S = "land_consolidation"


def _sql(cluster, name: str, query: str, args=None, user: str | None = None):
    conn = cluster.connect(name)
    try:
        with conn, conn.cursor() as cur:
            if user:
                cur.execute("SELECT set_config('lc.user', %s, false)", (user,))
            cur.execute(query, args)
            return cur.fetchall() if cur.description else None
    finally:
        conn.close()


def _load(db, gpkg, *extra) -> list[str]:
    return ["db", "load", "--db", db, "--parcels", f"{gpkg}|layername=DLTB", *extra]


def _with_units(gpkg) -> list[str]:
    return ["--units", f"{gpkg}|layername=ZZDY", "--pbf", f"{gpkg}|layername=YJJBNTTB"]


def _loaded(service_db, tmp_path, capsys):
    db, cluster, name = service_db
    gpkg = tmp_path / "demo.gpkg"
    write_demo_gpkg(str(gpkg), n_parcels=400, seed=7)
    assert main(["db", "init", "--db", db]) == 0
    assert main(_load(db, gpkg, *_with_units(gpkg))) == 0
    capsys.readouterr()
    return db, cluster, name, gpkg


def _tag(cluster, name, user: str, n: int) -> list[int]:
    fids = [r[0] for r in _sql(cluster, name, f"SELECT fid FROM {S}.parcels ORDER BY fid LIMIT %s", (n,))]
    _sql(cluster, name, f"UPDATE {S}.parcels SET zzlx = 'ZZ-TEST' WHERE fid = ANY(%s)", (fids,), user=user)
    return fids


def test_a_second_load_over_tagged_parcels_is_refused_and_changes_nothing(service_db, tmp_path, capsys):
    db, cluster, name, gpkg = _loaded(service_db, tmp_path, capsys)
    fids = _tag(cluster, name, "张三", 2)
    other = tmp_path / "other.gpkg"
    write_demo_gpkg(str(other), n_parcels=250, seed=8)
    assert main(_load(db, other, *_with_units(gpkg))) == 2
    said = capsys.readouterr()
    assert "2 parcel(s) tagged" in said.err and "张三" in said.err and "--replace-plan" in said.err
    assert "history" in said.err and "Nothing was written" in said.err and "Traceback" not in said.err
    assert _sql(cluster, name, f"SELECT count(*) FROM {S}.parcels") == [(400,)]
    assert _sql(cluster, name, f"SELECT fid FROM {S}.parcels WHERE zzlx = 'ZZ-TEST' ORDER BY fid") == [
        (f,) for f in fids]
    assert _sql(cluster, name, "SELECT relname FROM pg_class WHERE relname LIKE 'lc_stage%'") == []
    # a planner whose system speaks Chinese reads it in Chinese, with no traceback
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "LANG": "zh_CN.UTF-8", "LC_ALL": "zh_CN.UTF-8"}
    run = subprocess.run([sys.executable, "-m", "plugin.cli", *_load(db, other)], env=env, capture_output=True,
                         text=True)
    assert run.returncode == 2, run.stderr
    assert "已标注图斑 2 个" in run.stderr and "张三" in run.stderr and "--replace-plan" in run.stderr
    assert "未写入任何内容" in run.stderr and "Traceback" not in run.stderr
    assert _sql(cluster, name, f"SELECT count(*) FROM {S}.parcels WHERE zzlx = 'ZZ-TEST'") == [(2,)]


def test_replace_plan_loads_and_says_what_it_replaced_which_history_keeps(service_db, tmp_path, capsys):
    db, cluster, name, gpkg = _loaded(service_db, tmp_path, capsys)
    fids = _tag(cluster, name, "张三", 3)
    assert main(_load(db, gpkg, *_with_units(gpkg), "--replace-plan")) == 0
    out = capsys.readouterr().out
    assert "Replaced the planners' work" in out and "3 parcel(s) tagged" in out and "张三" in out
    assert _sql(cluster, name, f"SELECT count(*) FROM {S}.parcels WHERE zzlx = 'ZZ-TEST'") == [(0,)]
    assert _sql(cluster, name, f"SELECT count(DISTINCT row_key) FROM {S}.history WHERE qgis_user = '张三' "
                               "AND new_row ->> 'zzlx' = 'ZZ-TEST'") == [(len(fids),)]
    # the load is now the last one: loading again with no planner's edit since goes through, says nothing replaced
    assert main(_load(db, gpkg, *_with_units(gpkg))) == 0
    assert "Replaced" not in capsys.readouterr().out


def test_a_load_without_units_keeps_the_planners_units_and_one_with_units_is_refused(service_db, tmp_path, capsys):
    db, cluster, name, gpkg = _loaded(service_db, tmp_path, capsys)
    (code,) = _sql(cluster, name, f"SELECT min(dybh) FROM {S}.plan_unit")[0]
    _sql(cluster, name, f"UPDATE {S}.plan_unit SET dymc = '李四的单元' WHERE dybh = %s", (code,), user="李四")
    assert main(_load(db, gpkg)) == 0  # no --units: plan_unit is not touched
    out = capsys.readouterr().out
    assert "1 unit(s) the planners drew or changed are kept" in out
    assert _sql(cluster, name, f"SELECT dymc FROM {S}.plan_unit WHERE dybh = %s", (code,)) == [("李四的单元",)]
    assert main(_load(db, gpkg, *_with_units(gpkg))) == 2  # the units would be replaced
    err = capsys.readouterr().err
    assert "1 unit(s) drawn or changed" in err and "李四" in err and "parcel(s)" not in err
    assert _sql(cluster, name, f"SELECT dymc FROM {S}.plan_unit WHERE dybh = %s", (code,)) == [("李四的单元",)]


def test_loading_twice_with_no_planner_edit_goes_through(service_db, tmp_path, capsys):
    db, cluster, name, gpkg = _loaded(service_db, tmp_path, capsys)
    assert main(_load(db, gpkg, *_with_units(gpkg))) == 0
    out = capsys.readouterr().out
    assert "survey 400" in out and "Replaced" not in out


def test_a_tag_saved_while_the_load_copies_its_sources_refuses_it_too(service_db, tmp_path, capsys, monkeypatch):
    """The check is made again in the load's transaction, with the plan tables locked: a planner's save
    between the first check and the swap (while GDAL copies the sources) is not lost either."""
    from plugin.adapters.postgis import load

    db, cluster, name, gpkg = _loaded(service_db, tmp_path, capsys)
    copy = load._translate
    fids = []

    def copy_then_tag(dsn, source, schema, table):
        n = copy(dsn, source, schema, table)
        if not fids:
            fids.extend(_tag(cluster, name, "王五", 1))
        return n

    monkeypatch.setattr(load, "_translate", copy_then_tag)
    assert main(_load(db, gpkg, *_with_units(gpkg))) == 2
    err = capsys.readouterr().err
    assert "1 parcel(s) tagged" in err and "王五" in err and "Traceback" not in err
    assert _sql(cluster, name, f"SELECT fid FROM {S}.parcels WHERE zzlx = 'ZZ-TEST'") == [(fids[0],)]
    assert _sql(cluster, name, "SELECT relname FROM pg_class WHERE relname LIKE 'lc_stage%'") == []
