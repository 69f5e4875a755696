"""Splits and merges made with QGIS's own tools conserve the survey area (issue 8, part 1).

Parcels that cross a unit boundary are cut along it with ``QgsVectorLayer.splitFeatures`` (what
the *Split Features* map tool calls, wrapped like the tool in an edit command), with and
without the plugin's live session running; the balance must not move.
"""
from __future__ import annotations

import shutil

import pytest
from osgeo import gdal
from qgis.core import (
    Qgis,
    QgsDistanceArea,
    QgsFeature,
    QgsGeometry,
    QgsLineString,
    QgsProject,
    QgsRectangle,
    QgsVectorLayer,
)
from qgis_helpers import settle, src

from plugin.adapters.gpkg import read_table
from plugin.adapters.layers import Inputs, build_engine
from plugin.adapters.live import LiveBalance
from plugin.adapters.qgis_compat import LINE_GEOMETRY
from plugin.cli.app import main
from plugin.core.rules import load_pack

TOL = 0.05  # m²: every "before" row of every unit and of the project


@pytest.fixture(scope="module")
def demo_file(make_demo):
    return make_demo(900, 7)


@pytest.fixture()
def gpkg(demo_file, tmp_path):
    path = tmp_path / "plan.gpkg"
    shutil.copy(demo_file, path)
    return path


def cli_balance(path, out) -> dict:
    assert main(["balance", "--parcels", src(path, "DLTB"), "--units", src(path, "ZZDY"), "--unit-field", "DYBH",
                 "--pbf", src(path, "YJJBNTTB"), "--out", str(out)]) == 0
    return {(r["unit_code"], r["dlbm"]): (r["area_before_m2"], r["area_after_m2"]) for r in read_table(out, "balance")}


def assert_rows_equal(after: dict, before: dict) -> None:
    assert after.keys() == before.keys()
    worst = max(max(abs(a[0] - b[0]), abs(a[1] - b[1])) for a, b in ((after[k], before[k]) for k in before))
    assert worst <= TOL, f"a balance row moved by {worst} m²"


def crossing_cuts(dltb: QgsVectorLayer, zzdy: QgsVectorLayer, engine, n: int) -> list[tuple[int, QgsLineString]]:
    """Up to ``n`` parcels cut in two by a unit boundary, each with that boundary as a split line."""
    units = {f.id(): f.geometry() for f in zzdy.getFeatures()}
    out = []
    for pid in sorted(engine.parcel_ids()):
        p = engine.parcel_view(pid)
        if len(p.pairs) != 2 or not all(0.2 < s < 0.8 for _u, s, _b in p.pairs):
            continue
        geom = dltb.getFeature(pid).geometry()
        box = geom.boundingBox()
        box.grow(2.0)
        line = QgsGeometry(units[p.pairs[0][0]].convertToType(LINE_GEOMETRY, False)).clipped(QgsRectangle(box))
        if line.isMultipart() or line.isEmpty():
            continue
        points = QgsLineString(list(line.vertices()))
        out.append((pid, points))
        if len(out) == n:
            break
    assert len(out) == n, "the demo has too few parcels across a unit boundary"
    return out


def split(layer: QgsVectorLayer, fid: int, points: QgsLineString) -> None:
    """What QGIS's Split Features tool does: one edit command around splitFeatures, on the chosen parcel."""
    n = layer.featureCount()
    layer.selectByIds([fid])
    layer.beginEditCommand("Features split")
    result = layer.splitFeatures(QgsLineString(points), False, False)
    layer.endEditCommand()
    layer.removeSelection()
    result = result[0] if isinstance(result, tuple) else result  # (result, topology points) in 3.22
    assert result == Qgis.GeometryOperationResult.Success and layer.featureCount() > n


def total_tbmj(layer) -> float:
    return sum(f["TBMJ"] for f in layer.getFeatures())


def test_split_in_plain_qgis_keeps_the_cli_balance_row_by_row(qgis_app, gpkg, tmp_path, capsys):
    unsplit = cli_balance(gpkg, tmp_path / "before.gpkg")
    dltb = QgsVectorLayer(src(gpkg, "DLTB"), "DLTB", "ogr")
    zzdy = QgsVectorLayer(src(gpkg, "ZZDY"), "ZZDY", "ogr")
    engine, _ = build_engine(Inputs(dltb, zzdy, unit_field="DYBH"), load_pack("national"))
    cuts = crossing_cuts(dltb, zzdy, engine, 5)
    layer_total = total_tbmj(dltb)
    bsms = {dltb.getFeature(pid)["BSM"]: dltb.getFeature(pid)["TBMJ"] for pid, _p in cuts}
    assert dltb.startEditing()
    for pid, points in cuts:
        split(dltb, pid, points)
    assert dltb.commitChanges()
    # QGIS copied TBMJ onto the pieces: the layer's own sum rose (the numbers the bug reported)
    assert total_tbmj(dltb) > layer_total + sum(bsms.values()) * 0.99
    assert_rows_equal(cli_balance(gpkg, tmp_path / "after.gpkg"), unsplit)
    capsys.readouterr()
    # the export: every piece with its own share, no zero-area sliver, the slivers counted
    out = tmp_path / "export.gpkg"
    assert main(["export", "--parcels", src(gpkg, "DLTB"), "--units", src(gpkg, "ZZDY"), "--unit-field", "DYBH",
                 "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "were left out of the parcels table" in printed
    ds = gdal.OpenEx(str(out))
    for bsm, tbmj in bsms.items():
        rows = ds.ExecuteSQL(f"SELECT TBMJ, share, ST_Area(geom) AS a FROM parcels WHERE BSM = '{bsm}'")
        got = [(f["TBMJ"], f["share"], f["a"]) for f in rows]
        ds.ReleaseResultSet(rows)
        assert len(got) == 2  # two pieces, one in each unit; not four rows
        assert sum(t for t, _s, _a in got) == pytest.approx(tbmj, abs=TOL)
        assert all(t > 0.01 and a > 0.01 for t, _s, a in got)
    small = ds.ExecuteSQL("SELECT count(*) AS n FROM parcels WHERE TBMJ < 0.01")
    assert next(iter(small))["n"] == 0
    ds.ReleaseResultSet(small)


# --------------------------------------------------------------------------- with the session running
@pytest.fixture()
def session(qgis_app, gpkg):
    layers = {name: QgsVectorLayer(src(gpkg, name), name, "ogr") for name in ("DLTB", "ZZDY", "YJJBNTTB")}
    project = QgsProject.instance()
    for lyr in layers.values():
        assert lyr.isValid()
        project.addMapLayer(lyr, False)
    live = LiveBalance(Inputs(layers["DLTB"], layers["ZZDY"], layers["YJJBNTTB"], unit_field="DYBH"),
                       load_pack("national"))
    failures: list = []
    live.failed.connect(failures.append)
    assert live.start(background=False)
    layers["DLTB"].startEditing()
    yield live, layers
    live.stop()
    for lyr in layers.values():
        if lyr.isEditable():
            lyr.rollBack()
    project.removeAllMapLayers()
    assert not failures, failures


def rows(live) -> dict:
    return {(u, c): (b, a) for u, c, b, a in live.engine.balance_rows()}


def assert_current(live):
    fresh, _ = build_engine(live.inputs, live.pack)
    assert live.engine.fingerprint() == fresh.fingerprint()


def pieces_of(layer, bsm):
    return [f for f in layer.getFeatures() if f["BSM"] == bsm]


def test_split_with_the_session_writes_shares_in_the_same_undo_step(session):
    live, layers = session
    dltb, zzdy = layers["DLTB"], layers["ZZDY"]
    unsplit, original = rows(live), live.engine.fingerprint()
    (pid, points), = crossing_cuts(dltb, zzdy, live.engine, 1)
    feature = dltb.getFeature(pid)
    bsm, tbmj, kcmj = feature["BSM"], feature["TBMJ"], feature["KCMJ"]
    steps = dltb.undoStack().count()
    split(dltb, pid, points)
    settle(live)
    assert dltb.undoStack().count() == steps + 1  # one undo step: the split and the written shares
    pieces = pieces_of(dltb, bsm)
    assert len(pieces) == 2
    assert sum(f["TBMJ"] for f in pieces) == pytest.approx(tbmj, abs=1e-6)
    assert sum(f["KCMJ"] for f in pieces) == pytest.approx(kcmj, abs=1e-6)
    da = QgsDistanceArea()
    da.setSourceCrs(dltb.crs(), QgsProject.instance().transformContext())
    da.setEllipsoid("EPSG:1024")
    areas = [da.measureArea(f.geometry()) for f in pieces]
    for f, a in zip(pieces, areas):  # each piece its ellipsoidal share
        assert f["TBMJ"] == pytest.approx(tbmj * a / sum(areas), rel=1e-5)
        assert f["TBDLMJ"] == pytest.approx(f["TBMJ"] - f["KCMJ"], abs=0.01)
    assert_rows_equal(rows(live), unsplit)
    assert_current(live)
    # one Undo takes back the split and the written values
    dltb.undoStack().undo()
    settle(live)
    assert [f["TBMJ"] for f in pieces_of(dltb, bsm)] == [tbmj]
    assert live.engine.fingerprint() == original
    dltb.undoStack().redo()
    settle(live)
    assert sorted(f["TBMJ"] for f in pieces_of(dltb, bsm)) == sorted(f["TBMJ"] for f in pieces)
    assert_rows_equal(rows(live), unsplit)
    # and the shares survive saving: a fresh read of the file gives the same balance
    assert dltb.commitChanges()
    dltb.startEditing()
    settle(live)
    assert_rows_equal(rows(live), unsplit)


def merge(layer: QgsVectorLayer, fids: list[int]) -> int:
    """What QGIS 3.22's Merge Selected Features does (QgisApp::mergeSelectedFeatures): one edit command that
    deletes the selected features and adds one with their union and the attributes chosen in the dialog
    (here the first feature's, the dialog's default). Returns the new feature's id."""
    feats = [layer.getFeature(fid) for fid in fids]
    union = QgsGeometry.unaryUnion([f.geometry() for f in feats])
    merged = QgsFeature(layer.fields())
    merged.setAttributes(feats[0].attributes())
    merged.setAttribute("fid", None)
    merged.setGeometry(union)
    layer.beginEditCommand("Merged features")
    for fid in fids:
        assert layer.deleteFeature(fid)
    assert layer.addFeature(merged)
    layer.endEditCommand()
    return merged.id()


def test_merge_sums_the_pieces_and_flags_mixed_classes(session):
    live, layers = session
    dltb, zzdy = layers["DLTB"], layers["ZZDY"]
    unsplit = rows(live)
    (pid, points), = crossing_cuts(dltb, zzdy, live.engine, 1)
    bsm, tbmj = dltb.getFeature(pid)["BSM"], dltb.getFeature(pid)["TBMJ"]
    split(dltb, pid, points)
    settle(live)
    pieces = pieces_of(dltb, bsm)
    merged = merge(dltb, [f.id() for f in pieces])
    settle(live)
    assert dltb.getFeature(merged)["TBMJ"] == pytest.approx(tbmj, abs=1e-6)  # the sum, not one piece's share
    assert_rows_equal(rows(live), unsplit)
    assert_current(live)
    assert live.merge_findings() == []  # one class: nothing lost
    # two neighbours of different classes merged: their areas add up, and the lost class is an error
    a, b = neighbours_of_different_class(live.engine)
    ta, tb = dltb.getFeature(a)["TBMJ"], dltb.getFeature(b)["TBMJ"]
    merged = merge(dltb, [a, b])
    settle(live)
    assert dltb.getFeature(merged)["TBMJ"] == pytest.approx(ta + tb, abs=1e-6)
    project = {k[1]: v[0] for k, v in rows(live).items() if k[0] == "*"}
    before = {k[1]: v[0] for k, v in unsplit.items() if k[0] == "*"}
    assert sum(project.values()) == pytest.approx(sum(before.values()), abs=TOL)  # no area made or lost
    findings = live.merge_findings()
    assert [f.code for f in findings] == ["MERGE_MIXED_CLASSES"] and findings[0].severity == "error"
    assert any("different land classes" in w for w in live.warnings())
    dltb.undoStack().undo()
    settle(live)
    assert live.merge_findings() == []
    assert dltb.getFeature(a)["TBMJ"] == ta


def neighbours_of_different_class(engine):
    import shapely

    split = set(engine.split_bsms())
    ids = sorted(pid for pid, p in engine.parcel_views().items() if p.geom is not None and p.rec.bsm not in split)
    geoms = [engine.parcel_geometry(pid) for pid in ids]
    tree = shapely.STRtree(geoms)
    for i, pid in enumerate(ids):
        for j in tree.query(geoms[i], predicate="touches"):
            other = ids[int(j)]
            if other != pid and engine.parcel_record(pid).dlbm != engine.parcel_record(other).dlbm:
                shared = shapely.intersection(geoms[i], geoms[int(j)])
                if shared.length > 1.0:
                    return pid, other
    raise AssertionError("no neighbours of different class in the demo")
