"""Undoing a split on the planning schema's ``parcels`` view (migration 15, docs/postgis.md "Split
parcels"): QGIS's *Merge Selected Features* on the pieces of one survey parcel (3.30+:
``QgsVectorLayerEditUtils.mergeFeatures`` updates one and deletes the others; 3.22's tool deletes them
all and adds their union) restores the parcel under its own fid with the merged plan fields, and the
balance is the unsplit one again; merging pieces of two survey parcels is refused."""
from __future__ import annotations

from qgis.core import QgsFeature, QgsGeometry, QgsProject, QgsVectorLayerEditUtils

from plugin.adapters.postgis.commands import in_database_balance
from plugin.adapters.postgis.connection import connect
from plugin.adapters.postgis.split_sql import SPLIT_FID_BASE
from plugin.core.rules import bundled_pack
from tests.postgis import test_pg_live as live
from tests.postgis import test_pg_split as split_tests
from tests.postgis.test_pg_live import SCHEMA, planner_session, service, tag
from tests.postgis.test_pg_split import assert_close, cut_line, farmland_parcels, rows, sources, split

demo_gpkg, template, live_planners, planners = live.demo_gpkg, live.template, live.planners, split_tests.planners


def merge(layer, fids: list[int]) -> None:
    """What Merge Selected Features does, with the first feature's attributes."""
    target = layer.getFeature(fids[0])
    union = QgsGeometry.unaryUnion([layer.getFeature(f).geometry() for f in fids])
    layer.beginEditCommand("Merged features")
    if hasattr(QgsVectorLayerEditUtils, "mergeFeatures"):  # QGIS 3.30+
        ok, error = QgsVectorLayerEditUtils(layer).mergeFeatures(fids[0], fids[1:], target.attributes(), union)
        assert ok, error
    else:  # QGIS 3.22's tool: every selected feature deleted, their union added
        for fid in fids:
            assert layer.deleteFeature(fid)
        merged = QgsFeature(layer.fields())
        merged.setAttributes(target.attributes())
        merged.setGeometry(union)
        assert layer.addFeature(merged)
    layer.endEditCommand()


def pieces_of(layer, bsm: str) -> list[int]:
    return sorted(f.id() for f in layer.getFeatures() if f["bsm"] == bsm)


def test_merging_the_pieces_of_a_parcel_restores_it(planners):
    session, (parcels, _units, _pbf) = planner_session("a")
    unsplit = in_database_balance(*sources(service("b")), None, False, bundled_pack("national"))
    fid = farmland_parcels(parcels, 1)[0]
    bsm = parcels.getFeature(fid)["bsm"]
    new = split(parcels, fid, cut_line(parcels, fid))
    tag(parcels, new, "TZ-XZ", "0101")
    assert parcels.commitChanges(), parcels.commitErrors()
    parcels.reload()
    pieces = pieces_of(parcels, bsm)
    assert len(pieces) == 2 and pieces[0] == fid and pieces[1] > SPLIT_FID_BASE
    assert parcels.startEditing()
    merge(parcels, [pieces[1], pieces[0]])  # the tagged piece's plan fields for the whole parcel
    assert parcels.commitChanges(), parcels.commitErrors()
    parcels.reload()
    assert pieces_of(parcels, bsm) == [fid]
    whole = parcels.getFeature(fid)
    assert whole["ghdlbm"] == "0101" and whole["zzlx"] == "TZ-XZ"
    conn = connect(service("b"))
    with conn, conn.cursor() as cur:
        cur.execute(f"SELECT count(*) FROM {SCHEMA}.plan_split")
        assert cur.fetchone()[0] == 0
        cur.execute(f"SELECT ST_Equals(p.geom, s.geom), p.tbmj = s.tbmj FROM {SCHEMA}.parcels p "
                    f"JOIN {SCHEMA}.survey s USING (fid) WHERE fid = %s", (fid,))
        assert cur.fetchone() == (True, True)
        cur.execute(f"UPDATE {SCHEMA}.parcels SET zzlx = NULL, ghdlbm = NULL WHERE fid = %s", (fid,))
    conn.close()
    again = in_database_balance(*sources(service("b")), None, False, bundled_pack("national"))
    assert_close(rows(again), rows(unsplit), 1e-3)  # the plan as before the split: the same balance
    session.unload()


def test_merging_pieces_of_two_survey_parcels_is_refused(planners):
    layer = live.pg_layer("a", "parcels", "fid")
    first, second = farmland_parcels(layer, 2)
    for fid in (first, second):
        split(layer, fid, cut_line(layer, fid))
    assert layer.commitChanges(), layer.commitErrors()
    layer.reload()
    pieces = [f.id() for f in layer.getFeatures() if f.id() > SPLIT_FID_BASE]
    assert len(pieces) == 2
    assert layer.startEditing()
    merge(layer, pieces)
    assert not layer.commitChanges()
    errors = " ".join(layer.commitErrors())
    assert "survey parcels are not merged" in errors or "a piece cut from one survey parcel" in errors
    layer.rollBack()
    conn = connect(service("b"))
    with conn, conn.cursor() as cur:  # whatever QGIS saved before the refusal: each parcel whole, or in pieces
        cur.execute(f"SELECT s.fid, abs(ST_Area(s.geom) - sum(ST_Area(p.geom))), abs(s.tbmj - sum(p.tbmj)) "
                    f"FROM {SCHEMA}.survey s JOIN {SCHEMA}.parcels p ON p.bsm = s.bsm "
                    "WHERE s.fid = ANY(%s) GROUP BY s.fid, s.geom, s.tbmj", ([first, second],))
        for _fid, area_gap, tbmj_gap in cur.fetchall():
            assert area_gap < 1e-3 and tbmj_gap < 1e-6  # never doubled, never lost
    conn.close()
    QgsProject.instance().clear()
