"""LiveBalance: real edits in edit mode, and after each one the live numbers equal a full build.

A fresh ``build_engine`` on the same layer objects reads through the edit buffer, so it
is the reference a planner would get by closing and reopening the dock.
"""
from __future__ import annotations

import shutil

import pytest
from qgis.core import Qgis, QgsFeature, QgsGeometry, QgsLineString, QgsPoint, QgsPointXY, QgsProject, QgsVectorLayer
from qgis.PyQt.QtCore import QCoreApplication
from qgis_helpers import settle

from plugin.adapters.layers import Inputs, build_engine
from plugin.adapters.live import LiveBalance
from plugin.core.rules import load_pack


@pytest.fixture(scope="module")
def demo_file(make_demo):
    return make_demo(600, 11)  # shared: the tests edit copies of it


@pytest.fixture()
def layers(qgis_app, demo_file, tmp_path):
    path = tmp_path / "demo.gpkg"
    shutil.copy(demo_file, path)
    out = {name: QgsVectorLayer(f"{path}|layername={name}", name, "ogr") for name in ("DLTB", "ZZDY", "YJJBNTTB")}
    assert all(lyr.isValid() for lyr in out.values())
    project = QgsProject.instance()
    for lyr in out.values():
        project.addMapLayer(lyr, False)  # the project owns and deletes them (before QGIS exits)
    yield out
    for lyr in out.values():
        try:
            if lyr.isEditable():
                lyr.rollBack()
        except RuntimeError:
            pass  # deleted by the test (removed from the project)
    project.removeAllMapLayers()


@pytest.fixture(scope="module")
def pack():
    return load_pack("national")


@pytest.fixture()
def live(layers, pack):
    inputs = Inputs(layers["DLTB"], layers["ZZDY"], layers["YJJBNTTB"], unit_field="DYBH")
    lb = LiveBalance(inputs, pack)
    events = {"updated": 0, "failed": []}
    lb.updated.connect(lambda: events.__setitem__("updated", events["updated"] + 1))
    lb.failed.connect(events["failed"].append)
    lb.events = events
    assert lb.start(background=False)
    lb.expected_rebuilds = 1  # edits must be applied incrementally, not by rebuilding
    for name in ("DLTB", "ZZDY", "YJJBNTTB"):
        layers[name].startEditing()
    yield lb
    lb.stop()
    assert not events["failed"], events["failed"]


def assert_current(live):
    if hasattr(live, "expected_rebuilds"):
        assert live.rebuild_count == live.expected_rebuilds
    fresh, _ = build_engine(live.inputs, live.pack)
    assert live.engine.fingerprint() == fresh.fingerprint()
    assert live.engine.balance_rows() == fresh.balance_rows()
    assert set(live.engine.parcel_ids()) == set(fresh.parcel_ids())
    assert [(r.unit_code, r.rule_id, r.value) for r in live.engine.indicator_rows()] == [
        (r.unit_code, r.rule_id, r.value) for r in fresh.indicator_rows()]


def field(layer, name):
    i = layer.fields().indexOf(name)
    assert i >= 0
    return i


def untagged_parcel(layer, live):
    """An untagged forest/grass parcel inside a unit (so a tag changes that unit's numbers)."""
    for f in layer.getFeatures():
        untagged = f["ZZLX"] is None or str(f["ZZLX"]) in ("", "NULL")
        if untagged and str(f["DLBM"]).startswith(("03", "04")) and live.engine.parcel_shares(f.id()):
            return f
    raise AssertionError("demo has no untagged forest/grass parcel in a unit")


def moved(geom: QgsGeometry, dx: float, dy: float) -> QgsGeometry:
    g = QgsGeometry(geom)
    g.translate(dx, dy)
    return g


# --------------------------------------------------------------------------- parcels
def test_tag_change_updates_the_unit_like_a_full_build(live, layers):
    dltb = layers["DLTB"]
    f = untagged_parcel(dltb, live)
    before = live.engine.balance_rows()
    assert dltb.changeAttributeValue(f.id(), field(dltb, "ZZLX"), "NY-KF")
    assert dltb.changeAttributeValue(f.id(), field(dltb, "GHDLBM"), "0103")
    assert live.pending  # nothing applied synchronously inside the signal
    settle(live)
    after = live.engine.balance_rows()
    assert after != before
    unit_code = live.engine.unit_code(live.engine.parcel_shares(f.id())[0][0])
    dry_after = sum(r[3] for r in after if r[0] == unit_code and r[1] == "0103")
    dry_before = sum(r[3] for r in before if r[0] == unit_code and r[1] == "0103")
    assert dry_after > dry_before
    assert_current(live)


def test_edit_of_a_field_the_balance_does_not_read_costs_no_flush(live, layers):
    dltb = layers["DLTB"]
    fid = next(dltb.getFeatures()).id()
    n = live.flush_count
    assert dltb.changeAttributeValue(fid, field(dltb, "BZ"), "备注")
    settle(live)
    assert live.flush_count == n


def test_add_split_move_delete_parcels(live, layers):
    dltb = layers["DLTB"]
    src = untagged_parcel(dltb, live)
    # add: a copy of a parcel shifted by half its width, tagged
    new = QgsFeature(dltb.fields())
    new.setAttributes(src.attributes())
    new.setAttribute("fid", None)
    bb = src.geometry().boundingBox()
    new.setGeometry(moved(src.geometry(), bb.width() / 2, 0))
    new.setAttribute("ZZLX", "NY-KF")
    new.setAttribute("GHDLBM", "0101")
    assert dltb.addFeature(new)
    settle(live)
    assert any(pid < 0 for pid in live.engine.parcel_ids())  # the unsaved feature is counted
    assert_current(live)
    # split across the middle of a parcel
    n = dltb.featureCount()
    target = next(dltb.getFeatures()).geometry().boundingBox()
    y = target.center().y()
    line = QgsLineString([QgsPoint(target.xMinimum() - 1, y), QgsPoint(target.xMaximum() + 1, y)])
    result = dltb.splitFeatures(line, False, False)
    assert (result[0] if isinstance(result, tuple) else result) == Qgis.GeometryOperationResult.Success
    assert dltb.featureCount() > n
    settle(live)
    assert_current(live)
    # move a parcel across a unit boundary
    assert dltb.changeGeometry(src.id(), moved(src.geometry(), 3 * bb.width(), 2 * bb.height()))
    settle(live)
    assert_current(live)
    # delete
    before = live.engine.fingerprint()
    assert dltb.deleteFeature(src.id())
    settle(live)
    assert not live.engine.has_parcel(src.id())
    assert live.engine.fingerprint() != before
    assert_current(live)


def test_undo_redo_each_step(live, layers):
    dltb = layers["DLTB"]
    original = live.engine.fingerprint()
    f = untagged_parcel(dltb, live)
    dltb.changeAttributeValue(f.id(), field(dltb, "ZZLX"), "NY-KF")
    dltb.changeAttributeValue(f.id(), field(dltb, "GHDLBM"), "0101")
    dltb.deleteFeature(next(dltb.getFeatures()).id())
    g = QgsFeature(dltb.fields())
    g.setGeometry(moved(f.geometry(), 40, 40))
    g.setAttribute("DLBM", "0201")
    g.setAttribute("TBMJ", f.geometry().area())
    dltb.addFeature(g)
    settle(live)
    edited = live.engine.fingerprint()
    assert edited != original
    stack = dltb.undoStack()
    steps = stack.count()
    assert steps == 4
    for _ in range(steps):
        stack.undo()
        settle(live)
        assert_current(live)
    assert live.engine.fingerprint() == original
    for _ in range(steps):
        stack.redo()
        settle(live)
        assert_current(live)
    assert live.engine.fingerprint() == edited


def test_commit_gives_new_ids_and_keeps_the_numbers(live, layers):
    dltb = layers["DLTB"]
    f = untagged_parcel(dltb, live)
    g = QgsFeature(dltb.fields())
    g.setAttributes(f.attributes())
    g.setAttribute("fid", None)
    g.setGeometry(moved(f.geometry(), 25, 0))
    dltb.addFeature(g)
    dltb.changeAttributeValue(f.id(), field(dltb, "ZZLX"), "NY-KF")
    dltb.deleteFeature(next(dltb.getFeatures()).id())
    settle(live)
    before = live.engine.fingerprint()
    assert dltb.commitChanges(), dltb.commitErrors()
    settle(live)
    assert not any(pid < 0 for pid in live.engine.parcel_ids())
    assert live.engine.fingerprint() == before  # same land, real ids
    assert_current(live)
    # what was written to disk gives the same numbers too
    reopened = Inputs(QgsVectorLayer(dltb.source(), "again", "ogr"), live.inputs.units, live.inputs.pbf, "DYBH")
    assert build_engine(reopened, live.pack)[0].fingerprint() == live.engine.fingerprint()
    # and the listener keeps following edits of the next session
    dltb.startEditing()
    dltb.changeAttributeValue(f.id(), field(dltb, "GHDLBM"), "0101")
    settle(live)
    assert live.engine.fingerprint() != before
    assert_current(live)


def test_rollback_rebuilds_to_the_saved_state(live, layers):
    dltb = layers["DLTB"]
    original = live.engine.fingerprint()
    rebuilds = live.rebuild_count
    f = untagged_parcel(dltb, live)
    dltb.changeAttributeValue(f.id(), field(dltb, "ZZLX"), "NY-KF")
    dltb.changeGeometry(f.id(), moved(f.geometry(), 500, 0))
    dltb.addFeature(QgsFeature(dltb.fields()))
    settle(live)
    assert live.engine.fingerprint() != original
    assert dltb.rollBack()
    settle(live)
    assert live.rebuild_count == rebuilds + 1
    live.expected_rebuilds += 1
    assert live.engine.fingerprint() == original
    assert_current(live)


def test_paste_burst_is_one_flush(live, layers):
    dltb = layers["DLTB"]
    feats = []
    for f in dltb.getFeatures():
        g = QgsFeature(dltb.fields())
        g.setAttributes(f.attributes())
        g.setAttribute("fid", None)
        g.setGeometry(moved(f.geometry(), 7, 3))
        feats.append(g)
    assert len(feats) >= 500
    updates, flushes = live.events["updated"], live.flush_count
    assert dltb.addFeatures(feats)
    settle(live)
    assert live.flush_count == flushes + 1
    assert live.events["updated"] == updates + 1
    assert_current(live)


def test_field_calculator_run_and_its_undo_are_one_flush_each(live, layers):
    dltb = layers["DLTB"]
    original = live.engine.fingerprint()
    zi, gi = field(dltb, "ZZLX"), field(dltb, "GHDLBM")
    flushes = live.flush_count
    dltb.beginEditCommand("field calculator")
    for f in dltb.getFeatures():
        if str(f["DLBM"]).startswith("04"):
            dltb.changeAttributeValue(f.id(), zi, "NY-KF")
            dltb.changeAttributeValue(f.id(), gi, "0103")
    dltb.endEditCommand()
    settle(live)
    assert live.flush_count == flushes + 1
    assert live.engine.fingerprint() != original
    assert_current(live)
    dltb.undoStack().undo()
    settle(live)
    assert live.flush_count == flushes + 2
    assert live.engine.fingerprint() == original
    assert_current(live)


# --------------------------------------------------------------------------- units and PBF
def test_reshape_add_recode_delete_units(live, layers):
    zzdy = layers["ZZDY"]
    units = list(zzdy.getFeatures())
    u = units[0]
    before = live.engine.balance_rows()
    assert zzdy.changeGeometry(u.id(), u.geometry().buffer(60, 4))
    settle(live)
    assert live.engine.balance_rows() != before
    assert_current(live)
    # a new unit across two existing ones
    new = QgsFeature(zzdy.fields())
    c = u.geometry().centroid().asPoint()
    new.setGeometry(QgsGeometry.fromRect(u.geometry().boundingBox()).buffer(-20, 2))
    new.setAttribute("DYBH", "ZZDY-NEW")
    assert zzdy.addFeature(new)
    settle(live)
    assert "ZZDY-NEW" in {r[0] for r in live.engine.balance_rows()}
    assert_current(live)
    # recode
    assert zzdy.changeAttributeValue(units[1].id(), field(zzdy, "DYBH"), "ZZDY-RENAMED")
    settle(live)
    assert "ZZDY-RENAMED" in {r[0] for r in live.engine.balance_rows()}
    assert_current(live)
    # delete
    assert zzdy.deleteFeature(u.id())
    settle(live)
    assert not live.engine.has_unit(u.id())
    assert_current(live)
    # commit: the new unit gets a real id
    assert zzdy.commitChanges(), zzdy.commitErrors()
    settle(live)
    assert not any(uid < 0 for uid in live.engine.unit_ids())
    assert_current(live)
    assert QgsPointXY(c)  # geometry helpers stayed valid


def test_pbf_edit_updates_the_pbf_variables(live, layers):
    pbf = layers["YJJBNTTB"]
    before = live.engine.variables(None)["pbf_before"]
    assert before > 0
    victim = next(pbf.getFeatures())
    assert pbf.deleteFeature(victim.id())
    settle(live)
    assert live.engine.variables(None)["pbf_before"] < before
    assert_current(live)


# --------------------------------------------------------------------------- life cycle
def test_background_build_then_edits_made_during_it(layers, pack, qgis_app):
    inputs = Inputs(layers["DLTB"], layers["ZZDY"], layers["YJJBNTTB"], unit_field="DYBH")
    lb = LiveBalance(inputs, pack)
    results, progress = [], []
    lb.rebuildFinished.connect(results.append)
    lb.rebuildProgress.connect(progress.append)
    dltb = layers["DLTB"]
    dltb.startEditing()
    f = next(dltb.getFeatures())
    dltb.changeAttributeValue(f.id(), field(dltb, "ZZLX"), "NY-KF")  # before the snapshot
    assert lb.start(background=True)
    assert lb.is_rebuilding and lb.engine is None
    dltb.changeAttributeValue(f.id(), field(dltb, "GHDLBM"), "0101")  # during the build
    dltb.deleteFeature(next(dltb.getFeatures()).id())
    settle(lb)
    assert results == [True]
    assert progress and max(progress) <= 100.0
    assert lb.flush_count == 1  # the edits made during the build were applied after it
    assert_current(lb)
    lb.stop()


def test_layer_removed_from_project_stops_cleanly(layers, pack, qgis_app):
    project = QgsProject.instance()
    inputs = Inputs(layers["DLTB"], layers["ZZDY"], layers["YJJBNTTB"], unit_field="DYBH")
    lb = LiveBalance(inputs, pack)
    gone, failed = [], []
    lb.layerRemoved.connect(gone.append)
    lb.failed.connect(failed.append)
    assert lb.start()
    dltb = layers["DLTB"]
    project.removeMapLayer(layers["ZZDY"].id())
    assert gone == ["ZZDY"]
    assert not lb.running and lb._connections == []
    dltb.startEditing()
    n = lb.flush_count
    dltb.changeAttributeValue(next(dltb.getFeatures()).id(), field(dltb, "ZZLX"), "NY-KF")
    QCoreApplication.processEvents()
    assert lb.flush_count == n and not lb.pending and not failed
    dltb.rollBack()


def test_stop_leaves_no_connection(layers, pack, qgis_app):
    inputs = Inputs(layers["DLTB"], layers["ZZDY"], layers["YJJBNTTB"], unit_field="DYBH")
    dltb = layers["DLTB"]
    names = ("featureAdded", "featureDeleted", "geometryChanged", "attributeValueChanged", "afterRollBack",
             "dataChanged", "willBeDeleted")

    def receivers():
        return {(lyr.name(), n): lyr.receivers(getattr(lyr, n)) for lyr in layers.values() for n in names}

    base = receivers()
    lb = LiveBalance(inputs, pack)
    assert lb.start()
    assert receivers()[("DLTB", "featureAdded")] == base[("DLTB", "featureAdded")] + 1
    lb.stop()
    lb.stop()
    assert receivers() == base
    dltb.startEditing()
    dltb.addFeature(QgsFeature(dltb.fields()))
    QCoreApplication.processEvents()
    assert not lb.pending and lb.flush_count == 0


def test_provider_side_change_and_reload_rebuild(live, layers):
    dltb = layers["DLTB"]
    assert dltb.rollBack()  # out of edit mode: the change comes from the data source
    settle(live)
    live.expected_rebuilds += 1
    original = live.engine.fingerprint()
    rebuilds = live.rebuild_count
    f = untagged_parcel(dltb, live)
    assert dltb.dataProvider().changeAttributeValues({f.id(): {field(dltb, "ZZLX"): "NY-KF",
                                                               field(dltb, "GHDLBM"): "0101"}})
    dltb.reload()
    settle(live)
    assert live.rebuild_count == rebuilds + 1
    live.expected_rebuilds += 1
    assert live.engine.fingerprint() != original
    assert_current(live)


def test_cancelled_background_build_reports_not_ok_and_keeps_quiet(layers, pack, qgis_app):
    inputs = Inputs(layers["DLTB"], layers["ZZDY"], layers["YJJBNTTB"], unit_field="DYBH")
    lb = LiveBalance(inputs, pack)
    results, failed = [], []
    lb.rebuildFinished.connect(results.append)
    lb.failed.connect(failed.append)
    assert lb.start(background=True)
    lb.cancel()
    settle(lb)
    assert results == [False] and lb.engine is None and not failed
    assert lb.rebuild(background=False)  # a later rebuild works
    assert results == [False, True]
    assert_current(lb)
    lb.stop()


def test_a_save_after_many_edits_compacts_the_engine_and_changes_no_number(live, layers):
    """Edits go to the engine's tail; once they are many, the save folds them into its columns
    (``BalanceEngine.compact``): the numbers stay those of a full build, and later edits still follow."""
    dltb = layers["DLTB"]
    idx = field(dltb, "GHDLBM")
    feats = [f for f in dltb.getFeatures() if live.engine.parcel_shares(f.id())][:60]
    assert len(feats) >= 0.05 * dltb.featureCount()  # enough for engine.needs_compaction()
    for f in feats:
        dltb.changeAttributeValue(f.id(), idx, "0101")
    settle(live)
    assert live.engine.needs_compaction()
    assert live.compaction_count == 0
    before = live.engine.fingerprint()
    assert dltb.commitChanges(), dltb.commitErrors()
    settle(live)
    assert live.compaction_count == 1
    assert not live.engine.needs_compaction()
    assert live.engine.fingerprint() == before
    assert_current(live)
    dltb.startEditing()
    dltb.changeAttributeValue(feats[0].id(), idx, "0301")
    settle(live)
    assert live.engine.fingerprint() != before
    assert_current(live)
