"""The township PBF limits (docs/domain.md §7) through every front end: CLI summary, the GeoPackage
``indicators`` table, the XLSX 乡镇指标 sheet, the balance dock — hand-computed.

Township 320281101: ten 100 m squares of PBF 旱地 (10 000 m² each), the first moved out (YNCZ 调出)
→ 10 000 / 100 000 = 10.00 % > 5 %: fails; that square lies in the urban growth boundary → 10 000 m²
(15.00 亩) of PBF moved out inside it > 0: fails. Township 320281102: twenty squares, one moved out →
5.00 % ≤ 5 %: passes; none in the UGB.
"""
import os
import subprocess
import sys
from pathlib import Path

import pytest
from osgeo import ogr

from plugin.adapters.gpkg import read_table
from plugin.cli.app import main
from tests.qgis.bad_data import X0, Y0, rect, square, write_layer

ROOT = Path(__file__).resolve().parents[2]
A, B = "320281101", "320281102"
FIELDS = [("BSM", ogr.OFTString), ("DLBM", ogr.OFTString), ("TBMJ", ogr.OFTReal), ("ZLDWDM", ogr.OFTString),
          ("YNCZ", ogr.OFTString), ("ZZLX", ogr.OFTString), ("GHDLBM", ogr.OFTString)]


@pytest.fixture(scope="module")
def towns(tmp_path_factory):
    path = tmp_path_factory.mktemp("towns") / "towns.gpkg"
    rows = []
    for k in range(30):
        attrs = {"BSM": f"B{k:03d}", "DLBM": "0103", "TBMJ": 10_000.0, "ZLDWDM": (A if k < 10 else B) + "001"}
        if k in (0, 10):
            attrs.update(YNCZ="调出", ZZLX="JS-JX", GHDLBM="0702")
        rows.append((square(k), attrs))
    write_layer(path, "DLTB", rows, fields=FIELDS)
    write_layer(path, "ZZDY", [(rect(X0, Y0, X0 + 3000, Y0 + 100), {"DYBH": "U1"})], fields=[("DYBH", ogr.OFTString)])
    write_layer(path, "YJJBNTTB", [(rect(X0, Y0, X0 + 3000, Y0 + 100), {})], fields=[])
    write_layer(path, "CZKFBJ", [(rect(X0, Y0, X0 + 100, Y0 + 100), {})], fields=[])
    return path


def args(path, *extra):
    return ["--parcels", f"{path}|layername=DLTB", "--units", f"{path}|layername=ZZDY",
            "--pbf", f"{path}|layername=YJJBNTTB", *extra]


def township_rows(path):
    return {(r["unit_code"], r["rule_id"]): r for r in read_table(path, "indicators") if r["unit_code"] in (A, B)}


def test_balance_prints_and_writes_the_township_limits(qgis_app, towns, tmp_path, capsys):
    out = tmp_path / "b.gpkg"
    assert main(["balance", *args(towns, "--ugb", f"{towns}|layername=CZKFBJ"), "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    section = printed[printed.index("Townships (PBF adjustment limits):"):]
    assert f"Township {A}: FAIL" in section and f"Township {B}: PASS" in section
    a_part = section[section.index(A):section.index(B)]
    assert "10.00% (required ≤ 5.00%)" in a_part and "15.00 mu (10,000.0 m²)" in a_part
    assert "5.00% (required ≤ 5.00%)" in section[section.index(B):]
    rows = township_rows(out)
    share = rows[(A, "township_pbf_adjust_share")]
    assert share["value"] == pytest.approx(0.10) and share["threshold"] == 0.05 and share["passed"] == 0
    assert rows[(B, "township_pbf_adjust_share")]["value"] == pytest.approx(0.05)
    assert rows[(B, "township_pbf_adjust_share")]["passed"] == 1
    ugb = rows[(A, "township_pbf_ugb_kept")]
    assert ugb["value"] == pytest.approx(10_000) and ugb["passed"] == 0
    assert rows[(B, "township_pbf_ugb_kept")]["value"] == 0 and rows[(B, "township_pbf_ugb_kept")]["passed"] == 1
    units = {r["unit_code"] for r in read_table(out, "indicators")} - {A, B}
    assert units == {"U1", "*"}  # the units' rows are still there, before the townships'


def test_without_ugb_its_rule_is_not_judged(qgis_app, towns, tmp_path, capsys):
    out = tmp_path / "b.gpkg"
    assert main(["balance", *args(towns), "--out", str(out)]) == 0
    rows = township_rows(out)
    assert rows[(A, "township_pbf_ugb_kept")]["passed"] is None and rows[(A, "township_pbf_ugb_kept")]["value"] is None
    assert rows[(A, "township_pbf_adjust_share")]["passed"] == 0
    assert "n/a (required ≤ 0)" in capsys.readouterr().out


def test_export_plan_has_the_township_rows(qgis_app, towns, tmp_path, capsys):
    plan = tmp_path / "plan.gpkg"
    assert main(["export", *args(towns, "--ugb", f"{towns}|layername=CZKFBJ"), "--out", str(plan)]) == 0
    rows = township_rows(plan)
    assert rows[(A, "township_pbf_adjust_share")]["value"] == pytest.approx(0.10)
    assert rows[(A, "township_pbf_ugb_kept")]["value"] == pytest.approx(10_000)
    assert f"Township {A}: FAIL" in capsys.readouterr().out


@pytest.mark.parametrize("english", [False, True])
def test_report_has_a_township_sheet(qgis_app, towns, tmp_path, english):
    openpyxl = pytest.importorskip("openpyxl")
    out = tmp_path / "r.xlsx"
    extra = ["--english"] if english else []
    assert main(["report", *args(towns, "--ugb", f"{towns}|layername=CZKFBJ"), "--out", str(out), *extra]) == 0
    wb = openpyxl.load_workbook(out)
    ws = wb["Townships" if english else "乡镇指标"]
    rows = [[c.value for c in r] for r in ws.iter_rows()]
    assert rows[0][0] == ("Township" if english else "乡镇代码")
    share = [r for r in rows if r[0] == A and r[1] == ("Township: share of its PBF moved out" if english
                                                         else "乡镇永久基本农田调整比例")]
    assert len(share) == 1 and share[0][2] == pytest.approx(0.10)
    assert share[0][5] == ("Not met" if english else "不达标")
    ugb = [r for r in rows if r[0] == A and r[3] in ("亩", "mu")]
    assert ugb and ugb[0][2] == pytest.approx(15.0)  # 10 000 m² in 亩
    assert [r[5] for r in rows if r[0] == B] == (["Met", "Met"] if english else ["达标", "达标"])


def test_cli_summary_in_chinese(qgis_app, towns, tmp_path):
    out = tmp_path / "zh.gpkg"
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "LANG": "zh_CN.UTF-8", "LC_ALL": "zh_CN.UTF-8"}
    run = subprocess.run([sys.executable, "-m", "plugin.cli", "balance",
                          *args(towns, "--ugb", f"{towns}|layername=CZKFBJ"), "--out", str(out)],
                         cwd=ROOT, capture_output=True, text=True, env=env, timeout=180)
    assert run.returncode == 0, run.stderr
    assert "乡镇（永久基本农田调整限制）：" in run.stdout
    assert f"乡镇 {A}：未通过" in run.stdout and f"乡镇 {B}：通过" in run.stdout
    assert "乡镇永久基本农田调整比例：10.00%（要求 ≤ 5.00%）" in run.stdout


def test_balance_dock_shows_the_townships_and_follows_an_edit(qgis_app, qgis_iface, qgis_new_project, towns, tmp_path):
    import shutil

    from plugin.gui.balance_dock import SCOPE_EACH, SCOPE_PROJECT, BalancePanel
    from plugin.gui.session import PlanningSession
    from plugin.gui.setup_dialog import SetupDialog, apply_config
    from tests.qgis.qgis_helpers import add_layers
    from tests.qgis.test_docks import settle

    path = tmp_path / "towns.gpkg"
    shutil.copy(towns, path)
    layers = add_layers(path, ("DLTB", "ZZDY", "YJJBNTTB", "CZKFBJ"))
    session = PlanningSession(qgis_iface)
    session.background = False
    dock = BalancePanel(qgis_iface, session, qgis_iface.mainWindow())
    try:
        dialog = SetupDialog(session, qgis_iface)
        config = dialog.config()
        dialog.deleteLater()
        assert config.pbf and config.ugb
        assert apply_config(session, config, qgis_iface, ask=False)
        settle(session)
        dock.set_scope(SCOPE_PROJECT)
        dock.refresh()
        shown = {(t, name): (value, passed) for t, name, value, passed in dock.displayed_townships()}
        share = "Township: share of its PBF moved out"
        assert shown[(A, share)][0] == pytest.approx(0.10) and shown[(A, share)][1] is False
        assert shown[(B, share)][0] == pytest.approx(0.05) and shown[(B, share)][1] is True
        ugb = "Township: PBF moved out inside the urban growth boundary"
        assert shown[(A, ugb)][0] == pytest.approx(10_000)
        assert not dock.township_view.isHidden()
        parcels = layers["DLTB"]
        assert parcels.startEditing()
        fid = next(f.id() for f in parcels.getFeatures() if f["BSM"] == "B001")  # township A's second square
        for field, value in (("YNCZ", "调出"), ("ZZLX", "JS-JX"), ("GHDLBM", "0702")):
            assert parcels.changeAttributeValue(fid, parcels.fields().indexOf(field), value)
        settle(session)
        dock.refresh()
        shown = {(t, name): value for t, name, value, _p in dock.displayed_townships()}
        assert shown[(A, share)] == pytest.approx(0.20)  # 2 of its 10 squares moved out
        assert shown[(A, ugb)] == pytest.approx(10_000)  # the second square is outside the UGB
        parcels.rollBack()
        settle(session)
        dock.refresh()
        shown = {(t, name): value for t, name, value, _p in dock.displayed_townships()}
        assert shown[(A, share)] == pytest.approx(0.10)  # the edit taken back: as before
        dock.set_scope(SCOPE_EACH)
        dock.refresh()
        assert dock.displayed_townships() == [] and dock.township_view.isHidden()  # with the whole project only
    finally:
        dock.unload()
        dock.deleteLater()
        session.unload()
