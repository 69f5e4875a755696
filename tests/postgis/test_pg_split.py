"""Splitting survey parcels in QGIS on the planning schema's ``parcels`` view (migration 15,
docs/postgis.md "Split parcels"): QGIS's split (``splitFeatures`` + ``commitChanges``, the session
running) is saved as pieces in ``plan_split``, the survey untouched; the balances equal the same plan
on a GeoPackage; the kept results of ``--in-database`` equal a balance that keeps nothing after a
split, a piece's re-tag and an un-split; merging survey parcels or deleting one stays refused; a
piece another planner changed since is refused like a parcel. Two planners as in test_pg_live.py."""
from __future__ import annotations

import argparse

import pytest
from qgis.core import Qgis, QgsGeometry, QgsLineString, QgsPoint, QgsProject, QgsVectorLayer
from qgis.PyQt.QtCore import QCoreApplication

from plugin.adapters.postgis.commands import in_database_balance
from plugin.adapters.postgis.connection import connect
from plugin.adapters.postgis.split_sql import SPLIT_FID_BASE
from plugin.core.rules import bundled_pack
from tests.postgis import test_pg_live as live
from tests.postgis.live_helpers import refused_naming
from tests.postgis.test_pg_live import (
    SCHEMA,
    geopackage_reference,
    planner_session,
    service,
    start_session,
    tag,
    wait_for,
)

demo_gpkg, template = live.demo_gpkg, live.template


@pytest.fixture()
def planners(live_planners, pg_cluster):
    """test_pg_live's planners, who may also write the pieces (``plan_split``, as ``lc_planner``)."""
    pg_cluster.execute(f"GRANT INSERT, UPDATE, DELETE ON {SCHEMA}.plan_split TO zhang, li", live_planners)
    return live_planners


live_planners = live.planners


def cut_line(layer: QgsVectorLayer, fid: int) -> QgsLineString:
    """A north–south line through the middle of the parcel's box (a split into two pieces)."""
    box = layer.getFeature(fid).geometry().boundingBox()
    x = (box.xMinimum() + box.xMaximum()) / 2
    return QgsLineString([QgsPoint(x, box.yMinimum() - 5), QgsPoint(x, box.yMaximum() + 5)])


def split(layer: QgsVectorLayer, fid: int, line: QgsLineString) -> int:
    """What the Split Features tool does (one edit command); returns the new piece's (temporary) fid."""
    if not layer.isEditable():
        assert layer.startEditing()
    before = set(layer.editBuffer().addedFeatures())
    layer.selectByIds([fid])
    layer.beginEditCommand("Features split")
    result = layer.splitFeatures(QgsLineString(line), False, False)
    layer.endEditCommand()
    layer.removeSelection()
    result = result[0] if isinstance(result, tuple) else result
    assert result == Qgis.GeometryOperationResult.Success
    (added,) = set(layer.editBuffer().addedFeatures()) - before
    return added


def farmland_parcels(layer: QgsVectorLayer, n: int) -> list[int]:
    """``n`` large untagged farmland parcels (a split has room), by fid."""
    found = sorted((f.geometry().area(), f.id()) for f in layer.getFeatures()
                   if str(f["dlbm"]).startswith("01") and not f["zzlx"] and f.geometry().area() > 2000)
    assert len(found) >= n
    return [fid for _a, fid in found[-n:]]


def rows(engine) -> dict:
    return {(c, d): (b, a) for c, d, b, a in engine.balance_rows()}


def assert_close(got: dict, want: dict, tol: float = 1.0) -> None:
    assert got.keys() == want.keys()
    worst = max(max(abs(got[k][0] - want[k][0]), abs(got[k][1] - want[k][1])) for k in want)
    assert worst <= tol, f"a (unit, class) row differs by {worst} m²"


def sources(dsn: str, parcels: str = "parcels") -> tuple:
    return tuple(f"PG:{dsn}|layername={SCHEMA}.{t}" for t in (parcels, "plan_unit", "pbf"))


def cli_engine(dsn: str):
    from plugin.cli.common import compute

    parcels, units, pbf = sources(dsn)
    args = argparse.Namespace(parcels=parcels, units=units, pbf=pbf, rules="national", unit_field=None,
                              tbmj_in_mu=False, encoding=None, ugb=None)
    return compute(args)[0]


def survey_digest(dsn: str) -> str:
    conn = connect(dsn)
    with conn, conn.cursor() as cur:
        cur.execute(f"SELECT md5(string_agg(s::text, ';' ORDER BY fid)) FROM {SCHEMA}.survey s")
        digest = cur.fetchone()[0]
    conn.close()
    return digest


def test_a_split_in_qgis_is_saved_as_pieces_and_balances_as_on_a_geopackage(planners, demo_gpkg, tmp_path, pg_cluster):
    owner = pg_cluster.dsn(planners, with_password=True)
    digest = survey_digest(owner)
    session, (parcels, units, pbf) = planner_session("a")
    ogr, reference = geopackage_reference(demo_gpkg, tmp_path)
    by_bsm = {f["BSM"]: f.id() for f in ogr[0].getFeatures()}
    chosen = farmland_parcels(parcels, 2)
    bsms = {fid: parcels.getFeature(fid)["bsm"] for fid in chosen}
    survey_tbmj = {fid: parcels.getFeature(fid)["tbmj"] for fid in chosen}
    survey_area = {fid: parcels.getFeature(fid).geometry().area() for fid in chosen}
    # the same cuts on both; the east piece becomes 水田 0101 (the west keeps its plan)
    for fid in chosen:
        line = cut_line(parcels, fid)
        for layer, target in ((parcels, fid), (ogr[0], by_bsm[bsms[fid]])):
            new = split(layer, target, line)
            east = max((new, target), key=lambda i: layer.getFeature(i).geometry().centroid().asPoint().x())
            tag(layer, east, "TZ-XZ", "0101")
    assert parcels.commitChanges(), parcels.commitErrors()
    assert ogr[0].commitChanges(), ogr[0].commitErrors()
    assert survey_digest(owner) == digest, "the survey is the data of record: never written"

    conn = connect(owner)
    with conn, conn.cursor() as cur:
        for fid in chosen:
            cur.execute(f"SELECT fid, tbmj, ST_Area(geom), zzlx, ghdlbm FROM {SCHEMA}.parcels WHERE bsm = %s "
                        "ORDER BY fid", (bsms[fid],))
            pieces = cur.fetchall()
            assert len(pieces) == 2 and pieces[0][0] == fid and pieces[1][0] > SPLIT_FID_BASE
            assert sum(p[1] for p in pieces) == pytest.approx(survey_tbmj[fid], abs=1e-6)  # never doubled
            assert sum(p[2] for p in pieces) == pytest.approx(survey_area[fid], abs=1e-3)
            assert sorted(p[4] or "" for p in pieces) == ["", "0101"]
            cur.execute(f"SELECT tbmj FROM {SCHEMA}.survey WHERE fid = %s", (fid,))
            assert cur.fetchone()[0] == survey_tbmj[fid]  # the original TBMJ, recoverable
        cur.execute(f"SELECT action, qgis_user, db_role FROM {SCHEMA}.history WHERE table_name = 'plan_split'")
        history = cur.fetchall()
        assert {a for a, _u, _r in history} >= {"INSERT"} and {(u, r) for _a, u, r in history} == {("张三", "zhang")}
        cur.execute(f"SELECT count(*), count(DISTINCT survey_fid) FROM {SCHEMA}.plan_split")
        assert cur.fetchone() == (4, 2)
    conn.close()

    # the same balance: the live session (QGIS's postgres layer), the CLI on PG: sources, --in-database
    session.flush()
    reference.flush()
    assert session.live.engine.split_bsms() and set(bsms.values()) <= set(session.live.engine.split_bsms())
    want = rows(reference.engine)
    assert_close(rows(cli_engine(service("b"))), want)
    server = in_database_balance(*sources(service("b")), None, False, bundled_pack("national"))
    assert_close(rows(server), want)
    fresh = start_session(parcels, units, pbf)
    assert_close(rows(fresh.engine), want)
    # the session that saved it: its own commit's notification (pieces came; their parcels' rows re-read)
    wait_for(lambda: (session.flush() or True) and _close(rows(session.engine), want), 5.0)

    # a piece re-tagged after reloading, saved, reloaded: the balance follows (GeoPackage the same)
    parcels.reload()
    piece = max(f.id() for f in parcels.getFeatures() if f["bsm"] == bsms[chosen[0]])
    tag(parcels, piece, "JS-FK", "0103")
    assert parcels.commitChanges(), parcels.commitErrors()
    gpkg_piece = [f.id() for f in ogr[0].getFeatures() if f["BSM"] == bsms[chosen[0]]]
    gpkg_piece = next(i for i in gpkg_piece if abs(ogr[0].getFeature(i).geometry().area()
                                                   - parcels.getFeature(piece).geometry().area()) < 1e-3)
    tag(ogr[0], gpkg_piece, "JS-FK", "0103")
    assert ogr[0].commitChanges()
    parcels.reload()
    assert parcels.getFeature(piece)["ghdlbm"] == "0103"
    reference.flush()
    wait_for(lambda: (session.flush() or True) and _close(rows(session.engine), rows(reference.engine)), 5.0)
    server = in_database_balance(*sources(service("b")), None, False, bundled_pack("national"))
    assert_close(rows(server), rows(reference.engine))
    for s in (session, reference, fresh):
        s.unload()


def _close(got: dict, want: dict) -> bool:
    try:
        assert_close(got, want)
    except AssertionError:
        return False
    return True


def kept_and_plain(owner: str) -> None:
    """A balance keeping shares, sums and survey results equals one that keeps nothing (another view's name)."""
    kept = in_database_balance(*sources(owner), None, False, bundled_pack("national"))
    plain = in_database_balance(*sources(owner, "parcels_all"), None, False, bundled_pack("national"))
    assert_close(rows(kept), rows(plain), 1e-3)
    return kept


def test_kept_results_follow_a_split_a_retag_and_an_unsplit(planners, pg_cluster):
    owner = pg_cluster.dsn(planners, with_password=True)
    conn = connect(owner)
    with conn, conn.cursor() as cur:
        cur.execute(f"CREATE VIEW {SCHEMA}.parcels_all AS SELECT * FROM {SCHEMA}.parcels")
    kept_and_plain(owner)  # fills the kept results
    kept_and_plain(owner)
    layer = live.pg_layer("a", "parcels", "fid")
    fid = farmland_parcels(layer, 1)[0]
    new = split(layer, fid, cut_line(layer, fid))
    tag(layer, new, "TZ-XZ", "0101")
    assert layer.commitChanges(), layer.commitErrors()
    with conn, conn.cursor() as cur:
        cur.execute(f"SELECT count(*) FROM {SCHEMA}.plan_split WHERE survey_fid = %s", (fid,))
        assert cur.fetchone()[0] == 2
    after_split = kept_and_plain(owner)
    assert_close(rows(after_split), rows(cli_engine(owner)))
    # the piece re-tagged
    layer.reload()
    piece = next(f.id() for f in layer.getFeatures() if f.id() > SPLIT_FID_BASE)
    tag(layer, piece, "JS-FK", "0103")
    assert layer.commitChanges(), layer.commitErrors()
    retagged = kept_and_plain(owner)
    assert rows(retagged) != rows(after_split)
    # undone: the new piece deleted, the parcel whole again under its own fid
    layer.reload()
    assert layer.startEditing() and layer.deleteFeature(piece)
    assert layer.commitChanges(), layer.commitErrors()
    with conn, conn.cursor() as cur:
        cur.execute(f"SELECT count(*) FROM {SCHEMA}.plan_split")
        assert cur.fetchone()[0] == 0
        cur.execute(f"SELECT count(*) FROM {SCHEMA}.parcels WHERE fid = %s", (fid,))
        assert cur.fetchone()[0] == 1
    conn.close()
    undone = kept_and_plain(owner)
    assert_close(rows(undone), rows(cli_engine(owner)))
    QgsProject.instance().clear()


def refused_with(layer, refusals: list, database_text: str, sentence: str) -> None:
    """The commit is refused; QGIS keeps the database's message, the planner reads the plugin's sentence."""
    QCoreApplication.processEvents()
    assert not layer.commitChanges()
    assert database_text in " ".join(layer.commitErrors())
    wait_for(lambda: refusals, timeout=2.0)
    assert sentence in refusals.pop() and not refusals
    layer.rollBack()


def test_merging_survey_parcels_deleting_one_or_changing_survey_fields_is_refused(planners):
    session, (layer, _units, _pbf) = planner_session("a", with_pbf=False)
    refusals = []
    session.refused.connect(refusals.append)
    first, second = farmland_parcels(layer, 2)
    assert layer.startEditing()
    union = layer.getFeature(first).geometry().combine(layer.getFeature(second).geometry())
    assert layer.changeGeometry(first, QgsGeometry(union))
    refused_with(layer, refusals, "survey parcels are not merged",
                 f"Not saved: parcel {first} can only be cut into pieces inside its survey parcel")
    assert layer.startEditing() and layer.deleteFeature(first)
    refused_with(layer, refusals, "they are not deleted", f"Not saved: parcel {first} is a survey parcel")
    # a piece's survey field is not changed either
    split(layer, first, cut_line(layer, first))
    assert layer.commitChanges(), layer.commitErrors()
    layer.reload()
    piece = next(f.id() for f in layer.getFeatures() if f.id() > SPLIT_FID_BASE)
    assert layer.startEditing() and layer.changeAttributeValue(piece, layer.fields().indexOf("dlbm"), "0201")
    refused_with(layer, refusals, "only the plan fields", f"Not saved: parcel {piece}: only the plan fields")
    session.unload()


def test_a_piece_another_planner_changed_since_is_refused(planners):
    session_a, (parcels_a, _u, _p) = planner_session("a", with_pbf=False)
    fid = farmland_parcels(parcels_a, 1)[0]
    split(parcels_a, fid, cut_line(parcels_a, fid))
    assert parcels_a.commitChanges(), parcels_a.commitErrors()
    session_a.unload()
    session_b, (parcels_b, _u2, _p2) = planner_session("b", with_pbf=False)
    refusals = []
    session_b.refused.connect(refusals.append)
    piece = next(f.id() for f in parcels_b.getFeatures() if f.id() > SPLIT_FID_BASE)
    conn = connect(service("a"))  # 张三 tags the piece after 李四 loaded it
    with conn, conn.cursor() as cur:
        cur.execute(f"UPDATE {SCHEMA}.parcels SET ghdlbm = '0101' WHERE fid = %s", (piece,))
    conn.close()
    tag(parcels_b, piece, "JS-FK", "0201")
    refused_naming(parcels_b, refusals, "张三", str(piece))
    parcels_b.rollBack()
    session_b.unload()
