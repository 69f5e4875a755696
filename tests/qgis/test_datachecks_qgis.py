"""Data checks (数据检查) through the CLI, Processing and the 检查 panel, on a demo township with
problems planted by hand in a real GeoPackage (as a planner's edits would leave them)."""
from __future__ import annotations

import os
import shutil
import time
from collections import Counter
from pathlib import Path

import pytest
from qgis.core import QgsApplication, QgsGeometry, QgsLineString, QgsPoint, QgsProject, QgsVectorLayer
from qgis.PyQt.QtCore import QCoreApplication, QEvent
from qgis_helpers import add_layers, src

from plugin.adapters.layers import Inputs, build_engine
from plugin.core.rules import bundled_pack

LAYERS = ("DLTB", "ZZDY", "YJJBNTTB", "STBHHX", "CZKFBJ", "XMFW")
PLANTED_ERRORS = ("TBMJ_MISMATCH", "DLBM_UNKNOWN", "KCXS_FLAT", "PARCEL_OVERLAP")  # + a TYPE_SOURCE_MISMATCH warning


def _inside_units(path: Path) -> tuple[dict, list]:
    """Parcels wholly inside one unit: {fid: record}, and the fids in a stable order."""
    inputs = Inputs(QgsVectorLayer(src(path, "DLTB"), "p", "ogr"), QgsVectorLayer(src(path, "ZZDY"), "u", "ogr"),
                    unit_field="DYBH")
    engine, _ = build_engine(inputs, bundled_pack("national"))
    inside = {pid: p.rec for pid, p in engine.parcel_views().items() if len(p.pairs) == 1 and p.pairs[0][1] == 1.0}
    return inside, sorted(inside)


def plant(path: Path) -> dict[str, int]:
    """Edit the demo file as a planner might have: one problem per kind; returns kind -> fid."""
    inside, order = _inside_units(path)
    layer = QgsVectorLayer(src(path, "DLTB"), "DLTB", "ogr")
    idx = {n: layer.fields().indexOf(n) for n in ("TBMJ", "DLBM", "KCXS", "KCMJ", "TBDLMJ", "KCDLBM", "GDPDJB",
                                                  "ZZLX", "GHDLBM", "YNCZ")}
    untagged = [pid for pid in order if inside[pid].zzlx is None and inside[pid].yncz is None]
    farmland = [pid for pid in untagged if (inside[pid].kcxs or 0) > 0]
    other = [pid for pid in untagged if not (inside[pid].kcxs or 0) and pid not in farmland]
    planted = {"TBMJ_MISMATCH": other[0], "DLBM_UNKNOWN": other[1], "TYPE_SOURCE_MISMATCH": other[2],
               "KCXS_FLAT": farmland[0], "PARCEL_OVERLAP": other[3]}
    assert len(set(planted.values())) == len(planted)
    layer.startEditing()
    p = planted["TBMJ_MISMATCH"]
    layer.changeAttributeValue(p, idx["TBMJ"], inside[p].tbmj * 1.5)
    layer.changeAttributeValue(p, idx["TBDLMJ"], inside[p].tbmj * 1.5)
    layer.changeAttributeValue(planted["DLBM_UNKNOWN"], idx["DLBM"], "9999")
    p = planted["TYPE_SOURCE_MISMATCH"]  # 农村道路 "reclaimed" as rural construction land (issue 8)
    layer.changeAttributeValue(p, idx["DLBM"], "1006")
    layer.changeAttributeValue(p, idx["ZZLX"], "JS-FK")
    layer.changeAttributeValue(p, idx["GHDLBM"], "0103")
    layer.changeAttributeValue(planted["KCXS_FLAT"], idx["GDPDJB"], "1")
    p = planted["PARCEL_OVERLAP"]
    g = QgsGeometry(layer.getFeature(p).geometry())
    bbox = g.boundingBox()
    g.translate(min(bbox.width(), bbox.height()) * 0.3, 0)  # onto its neighbour
    layer.changeGeometry(p, g)
    layer.changeAttributeValue(p, idx["TBMJ"], None)  # moved: let the area follow the geometry
    assert layer.commitChanges(), layer.commitErrors()
    return planted


@pytest.fixture(scope="module")
def demo_file(make_demo):
    return make_demo(600, 5)


@pytest.fixture()
def planted_file(demo_file, tmp_path):
    path = tmp_path / "planted.gpkg"
    shutil.copy(demo_file, path)
    return path, plant(path)


def cli_args(path: Path, out: Path) -> list[str]:
    return ["check", "--parcels", src(path, "DLTB"), "--units", src(path, "ZZDY"), "--pbf", src(path, "YJJBNTTB"),
            "--redline", src(path, "STBHHX"), "--ugb", src(path, "CZKFBJ"), "--boundary", src(path, "XMFW"),
            "--unit-field", "DYBH", "--out", str(out)]


def read_findings(path: Path) -> list[dict]:
    layer = QgsVectorLayer(f"{path}|layername=findings", "findings", "ogr")
    assert layer.isValid()
    out = []
    for f in layer.getFeatures():
        row = dict(zip(layer.fields().names(), f.attributes()))
        row["geometry"] = QgsGeometry(f.geometry())
        out.append(row)
    return out


def test_cli_check_finds_each_planted_problem(qgis_app, planted_file, tmp_path, capsys):
    from plugin.cli.app import main

    path, planted = planted_file
    out = tmp_path / "findings.gpkg"
    assert main(cli_args(path, out)) == 0
    printed = capsys.readouterr().out
    rows = read_findings(out)
    errors = [r for r in rows if r["severity"] == "error"]
    by_kind = {(r["severity"], r["kind"], r["feature_id"]) for r in rows}
    for kind, fid in planted.items():
        if kind == "PARCEL_OVERLAP":
            continue
        severity = "warning" if kind == "TYPE_SOURCE_MISMATCH" else "error"
        assert (severity, kind, str(fid)) in by_kind, (kind, fid, sorted(by_kind))
    # the moved parcel overlaps its neighbours; nothing else is an error: the demo itself is clean
    overlaps = [r for r in errors if r["kind"] == "PARCEL_OVERLAP"]
    assert overlaps and all(f"{planted['PARCEL_OVERLAP']} " in r["message"] + " " for r in overlaps)
    assert all(r["area_m2"] > 1.0 for r in overlaps)
    assert Counter(r["kind"] for r in errors if r["kind"] != "PARCEL_OVERLAP") == Counter(
        k for k in PLANTED_ERRORS if k != "PARCEL_OVERLAP")
    assert f"errors: {len(errors)}," in printed
    # the gap the moved parcel left is reported in its unit, and each finding can be zoomed to
    assert any(r["kind"] == "UNIT_GAP" for r in rows)
    parcels = QgsVectorLayer(src(path, "DLTB"), "DLTB", "ogr")
    for kind in ("TBMJ_MISMATCH", "KCXS_FLAT"):
        row = next(r for r in rows if r["kind"] == kind)
        assert row["unit_code"] and row["bsm"]
        parcel = parcels.getFeature(int(row["feature_id"])).geometry()
        assert row["geometry"].intersects(parcel) and parcels.crs() == QgsVectorLayer(
            f"{out}|layername=findings", "f", "ogr").crs()


def test_cli_check_of_the_demo_has_no_errors(qgis_app, demo_file, tmp_path):
    from plugin.cli.app import main

    out = tmp_path / "findings.gpkg"
    assert main(cli_args(demo_file, out)) == 0
    rows = read_findings(out)
    assert [r["message"] for r in rows if r["severity"] == "error"] == []


def test_cli_check_bad_input_exits_2_and_writes_nothing(qgis_app, demo_file, tmp_path, capsys):
    from plugin.cli.app import main

    out = tmp_path / "findings.gpkg"
    args = cli_args(demo_file, out)
    args[args.index("--redline") + 1] = str(tmp_path / "missing.gpkg")
    assert main(args) == 2
    assert "missing.gpkg" in capsys.readouterr().err and not out.exists()


def test_processing_checkdata_equals_the_cli(qgis_processing, planted_file, tmp_path):
    import processing

    from plugin.cli.app import main
    from plugin.processing.provider import PROVIDER_ID, LandConsolidationProvider

    registry = QgsApplication.processingRegistry()
    if registry.providerById(PROVIDER_ID) is not None:
        registry.removeProvider(PROVIDER_ID)
    assert registry.addProvider(LandConsolidationProvider())
    try:
        path, planted = planted_file
        result = processing.run("landconsolidation:checkdata", {
            "PARCELS": src(path, "DLTB"), "UNITS": src(path, "ZZDY"), "UNIT_FIELD": "DYBH",
            "PBF": src(path, "YJJBNTTB"), "RED_LINE": src(path, "STBHHX"), "UGB": src(path, "CZKFBJ"),
            "BOUNDARY": src(path, "XMFW"), "OUTPUT": "memory:"})
        layer = result["OUTPUT"]
        got = sorted((f["severity"], f["kind"], f["feature_id"] or "") for f in layer.getFeatures())
        out = tmp_path / "cli.gpkg"
        assert main(cli_args(path, out)) == 0
        want = sorted((r["severity"], r["kind"], r["feature_id"] or "") for r in read_findings(out))
        assert got == want
        assert result["ERRORS"] == sum(1 for r in want if r[0] == "error")
    finally:
        registry.removeProvider(PROVIDER_ID)


# ------------------------------------------------------------------ the panel, live
@pytest.fixture()
def session_on(qgis_new_project, qgis_iface, planted_file):
    from plugin.gui.session import PlanningSession
    from plugin.gui.setup_dialog import SetupDialog, apply_config

    path, planted = planted_file
    project = QgsProject.instance()
    layers = add_layers(path, LAYERS)
    session = PlanningSession(qgis_iface)
    session.background = False
    dialog = SetupDialog(session, qgis_iface)
    config = dialog.config()
    dialog.deleteLater()
    assert config.redline and config.ugb
    assert apply_config(session, config, qgis_iface, ask=False)
    settle(session)
    yield session, layers, planted
    for layer in layers.values():
        if layer.isEditable():
            layer.rollBack()
    session.unload()
    project.clear()
    QCoreApplication.sendPostedEvents(None, QEvent.DeferredDelete)


def settle(session, timeout=30.0):
    deadline = time.monotonic() + timeout
    QCoreApplication.processEvents()
    while session.live is not None and (session.live.pending or session.live.is_rebuilding
                                        or (session.checks is not None and session.checks.is_running)):
        assert time.monotonic() < deadline
        QCoreApplication.processEvents()
        time.sleep(0.005)
    QCoreApplication.processEvents()


def test_panel_lists_filters_zooms_and_follows_edits(session_on, qgis_iface):
    from plugin.gui.checks_panel import ChecksPanel
    from plugin.gui.units_dock import UnitsPanel

    session, layers, planted = session_on
    panel = ChecksPanel(qgis_iface, session, qgis_iface.mainWindow())
    units = UnitsPanel(qgis_iface, session, qgis_iface.mainWindow())
    try:
        panel.refresh()
        rows = panel.rows()
        kinds = {(r[1], r[4].split(" ")[0]) for r in rows if r[0] == "Error"}
        assert ("TBMJ vs area", str(planted["TBMJ_MISMATCH"])) in kinds
        assert any(r[1] == "Parcel overlap" and str(planted["PARCEL_OVERLAP"]) in r[2] for r in rows)
        assert {r[1] for r in rows if r[0] == "Error"} == {
            "TBMJ vs area", "Unknown land class", "Ridges on flat land", "Parcel overlap"}
        assert ("Type vs class before", str(planted["TYPE_SOURCE_MISMATCH"])) in {
            (r[1], r[4].split(" ")[0]) for r in rows if r[0] == "Warning"}
        panel.resize(420, 460)
        panel.table.setCurrentCell(0, 0)
        assert panel.detail_label.text().startswith(panel.rows()[0][2])  # the whole message of the row
        artefacts = Path(os.environ.get("LC_PLUGIN_ARTEFACTS", Path(__file__).resolve().parents[2] / "artefacts"))
        artefacts.mkdir(parents=True, exist_ok=True)
        assert panel.grab().save(str(artefacts / "checks_panel.png"))
        panel.set_filter("warning")
        assert panel.rows() and all(r[0] == "Warning" for r in panel.rows())
        panel.set_filter("error")
        # double-click: the parcel is selected and the map shows it
        row = next(i for i, r in enumerate(panel.rows()) if r[1] == "Unknown land class")
        panel.show_finding(row)
        parcels = layers["DLTB"]
        assert parcels.selectedFeatureIds() == [planted["DLBM_UNKNOWN"]]
        extent = qgis_iface.mapCanvas().extent()
        assert extent.intersects(parcels.getFeature(planted["DLBM_UNKNOWN"]).geometry().boundingBox())
        # the unit badges count the findings
        units.refresh()
        assert any("✗" in r[3] for r in units.unit_rows())
        # live: fix the unknown class, split a parcel (a split is no finding), all incrementally
        parcels.startEditing()
        runs = session.checks.last_run_ms
        parcels.changeAttributeValue(planted["DLBM_UNKNOWN"], parcels.fields().indexOf("DLBM"), "0103")
        settle(session)
        target = planted["KCXS_FLAT"]
        g = parcels.getFeature(target).geometry()
        box, c = g.boundingBox(), g.centroid().asPoint()
        n_before = parcels.featureCount()
        parcels.removeSelection()  # with a selection QGIS splits only the selected features
        cut = QgsLineString([QgsPoint(box.xMinimum() - 0.01, c.y()), QgsPoint(box.xMaximum() + 0.01, c.y())])
        parcels.beginEditCommand("split")  # what QGIS's Split Features tool does
        result = parcels.splitFeatures(cut, False, False)
        parcels.endEditCommand()
        assert (result[0] if isinstance(result, tuple) else result) == 0  # (result, topology points) in 3.22
        assert parcels.featureCount() > n_before
        settle(session)
        panel.refresh()
        errors = Counter(r[1] for r in panel.rows())
        assert "Unknown land class" not in errors and "Duplicate BSM" not in errors
        assert errors["TBMJ vs area"] == 1  # the split pieces carry the copied TBMJ: compared by their total
        assert errors["Ridges on flat land"] == 2  # both pieces of the split parcel keep GDPDJB 1
        # fixing the slope grade of the pieces (a field the balance does not use) is followed live too
        bsm = parcels.getFeature(target)["BSM"]
        pieces = [f.id() for f in parcels.getFeatures() if f["BSM"] == bsm]
        assert len(pieces) == 2
        for fid in pieces:
            parcels.changeAttributeValue(fid, parcels.fields().indexOf("GDPDJB"), "2")
        settle(session)
        panel.refresh()
        assert "Ridges on flat land" not in {r[1] for r in panel.rows()}
        assert session.checks.last_run_ms == runs  # no full run: the edits were re-checked incrementally
        # and the incremental state equals a full run
        live = sorted((f.code, str(f.parcel_id)) for f in session.checks.findings())
        session.checks.request_run()
        assert sorted((f.code, str(f.parcel_id)) for f in session.checks.findings()) == live
    finally:
        for d in (panel, units):
            d.unload()
            d.deleteLater()


def test_background_run_equals_the_synchronous_one(qgis_app, planted_file):
    """The full run as a QgsTask (layer snapshots, engine copy) finds what the synchronous run finds."""
    from plugin.adapters.datachecks import LiveChecks
    from plugin.adapters.live import LiveBalance

    path, _planted = planted_file
    layers = {name: QgsVectorLayer(src(path, name), name, "ogr") for name in LAYERS}
    project = QgsProject.instance()
    for layer in layers.values():
        project.addMapLayer(layer, False)  # the project owns and deletes them (before QGIS exits)
    pack = bundled_pack("national")
    live = LiveBalance(Inputs(layers["DLTB"], layers["ZZDY"], layers["YJJBNTTB"], unit_field="DYBH"), pack)
    assert live.start(background=False)
    extra = (layers["STBHHX"], layers["CZKFBJ"], layers["XMFW"])
    sync = LiveChecks(live, live.inputs, pack, *extra, background=False)
    want = sorted((f.code, str(f.parcel_id), f.unit_code) for f in sync.findings())
    sync.stop()
    background = LiveChecks(live, live.inputs, pack, *extra, background=True, debounce_ms=0)
    busy = []
    background.busy.connect(busy.append)
    deadline = time.monotonic() + 60
    while (not busy or background.is_running or background.checks is None) and time.monotonic() < deadline:
        QCoreApplication.processEvents()
        time.sleep(0.01)
    assert busy[:2] == [True, False]
    assert sorted((f.code, str(f.parcel_id), f.unit_code) for f in background.findings()) == want
    assert any(code == "TBMJ_MISMATCH" for code, _p, _u in want)
    background.stop()
    live.stop()
    project.removeAllMapLayers()
