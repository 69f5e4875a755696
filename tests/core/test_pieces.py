"""Pieces of one survey parcel (same BSM) share its TBMJ / KCMJ / TBDLMJ by area (docs/domain.md §6)."""
import copy

import pytest
from shapely.geometry import box

from plugin.core.engine import PROJECT, BalanceEngine
from plugin.core.fields import normalize_parcel
from plugin.core.pieces import apportion, explained_as_split, group_totals, split_groups


def paddy(tbmj=3587.0, bsm="3201001", kcxs=0.08, **kw):
    return normalize_parcel({"BSM": bsm, "DLBM": "0101", "TBMJ": tbmj, "KCXS": kcxs, **kw})


def rows(engine, code=None):
    """{(unit, class): before m²} of the balance, as a planner reads it."""
    return {(u, c): b for u, c, b, _a in engine.balance_rows() if code is None or u == code}


def assert_same_rows(a, b, tol=0.05):
    assert a.keys() == b.keys()
    for k in a:
        assert abs(a[k] - b[k]) <= tol, (k, a[k], b[k])


@pytest.fixture
def two_units():
    e = BalanceEngine()
    e.upsert_unit("u1", "DY-1", box(0, 0, 40, 100))
    e.upsert_unit("u2", "DY-2", box(40, 0, 100, 100))
    return e


def test_split_at_unit_boundary_keeps_every_before_row(two_units):
    e = two_units
    rec = paddy()
    e.upsert_parcel(1, box(10, 10, 70, 70), rec)  # 60 × 60, crossing the unit boundary x = 40
    unsplit = rows(e)
    # QGIS's Split Features: piece 1 keeps the id, piece 2 is new, TBMJ/KCMJ/TBDLMJ copied onto both
    e.upsert_parcel(1, box(10, 10, 40, 70), rec)
    e.upsert_parcel(2, box(40, 10, 70, 70), copy.copy(rec))
    assert_same_rows(rows(e), unsplit)
    assert abs(rows(e)[(PROJECT, "0101")] - 3587.0 * 0.92) < 0.05  # not 2 × TBMJ
    # each piece carries half (equal areas); the records as read are kept
    assert e.parcel_record(1).tbmj == pytest.approx(3587.0 / 2)
    assert e.parcel_record(2).kcmj == pytest.approx(3587.0 * 0.08 / 2)
    assert e.raw_record(2).tbmj == 3587.0
    assert e.split_bsms() == ["3201001"]
    assert any("split" in w for w in e.warnings())


def test_reshape_and_vertex_move_of_a_piece_keep_the_group_total(two_units):
    e = two_units
    rec = paddy()
    e.upsert_parcel(1, box(10, 10, 40, 70), rec)
    e.upsert_parcel(2, box(40, 10, 70, 70), rec)
    before = rows(e)[(PROJECT, "0101")]
    e.upsert_parcel(2, box(40, 10, 75, 70), rec)  # piece 2 grown (vertex moved): shares move, total stays
    assert rows(e)[(PROJECT, "0101")] == pytest.approx(before, abs=0.05)
    assert e.parcel_record(2).tbmj > e.parcel_record(1).tbmj


def test_apportioned_values_are_not_taken_for_copies():
    # after the plugin wrote shares, an exact half split carries two equal values: T/2 each
    half = paddy(tbmj=1000.0)
    got = group_totals([(half, 1000.0), (half, 1000.0)])
    assert got[0] == pytest.approx(2000.0)
    # copies: two pieces, each with the whole parcel's TBMJ and half its area
    whole = paddy(tbmj=2000.0)
    assert group_totals([(whole, 1000.0), (whole, 1000.0)])[0] == pytest.approx(2000.0)
    # apportioned shares, then one piece split again without the plugin: t_a copied onto a1, a2
    a, b = paddy(tbmj=1200.0), paddy(tbmj=800.0)
    assert group_totals([(a, 600.0), (a, 600.0), (b, 800.0)])[0] == pytest.approx(2000.0)
    # shares that happen to be equal plus a copy of one of them: 3 × t on 2 t of area is 2 shares
    t = paddy(tbmj=500.0)
    assert group_totals([(t, 250.0), (t, 250.0), (t, 500.0)])[0] == pytest.approx(1000.0)


def test_apportion_shares_by_area_and_keeps_the_records():
    rec = paddy(tbmj=900.0, kcxs=0.1)
    out = apportion([(1, rec, 100.0), (2, rec, 200.0)])
    assert out[1].tbmj == pytest.approx(300.0) and out[2].tbmj == pytest.approx(600.0)
    assert out[1].kcmj + out[2].kcmj == pytest.approx(90.0)
    assert out[1].tbdlmj + out[2].tbdlmj == pytest.approx(810.0)
    assert rec.tbmj == 900.0  # the input is not changed


def test_overlapping_duplicates_are_not_a_split(two_units):
    e = two_units
    rec = paddy()
    e.upsert_parcel(1, box(10, 10, 70, 70), rec)
    e.upsert_parcel(2, box(10, 10, 70, 70), rec)  # the same parcel twice (a paste): duplicates, for the checks
    assert e.split_bsms() == []
    assert e.parcel_record(2).tbmj == 3587.0
    assert not explained_as_split([box(0, 0, 10, 10), box(5, 0, 15, 10)])
    assert explained_as_split([box(0, 0, 10, 10), box(10, 0, 20, 10), box(0, 10, 20, 20)])
    assert explained_as_split([box(0, 0, 10, 10), box(9.995, 0, 20, 10)])  # 0.05 m² overlap: noise


def test_split_groups_for_the_data_checks():
    parcels = [(1, "A", box(0, 0, 10, 10)), (2, "A", box(10, 0, 20, 10)),  # a split
               (3, "B", box(0, 20, 10, 30)), (4, "B", box(0, 20, 10, 30)),  # duplicates
               (5, "C", box(50, 50, 60, 60)), (6, None, box(0, 0, 1, 1)), (7, None, box(5, 5, 6, 6))]
    assert split_groups(parcels) == {"A": [1, 2]}


def test_merge_of_pieces_restores_the_parcel(two_units):
    e = two_units
    rec = paddy()
    e.upsert_parcel(1, box(10, 10, 70, 70), rec)
    whole = rows(e)
    e.upsert_parcel(1, box(10, 10, 40, 70), rec)
    e.upsert_parcel(2, box(40, 10, 70, 70), rec)
    # Merge Selected Features keeps one feature's values: here the copied TBMJ, i.e. the parcel's
    e.remove_parcel(2)
    e.upsert_parcel(1, box(10, 10, 70, 70), rec)
    assert_same_rows(rows(e), whole)
    assert e.split_bsms() == [] and 1 not in e._raw


def test_full_build_equals_incremental_with_pieces():
    rec = paddy()
    parcels = [(1, box(10, 10, 40, 70), rec), (2, box(40, 10, 70, 70), rec), (3, box(0, 80, 30, 90), paddy(bsm="X"))]
    units = [("u1", "DY-1", box(0, 0, 40, 100)), ("u2", "DY-2", box(40, 0, 100, 100))]
    built = BalanceEngine()
    built.build(parcels, units)
    live = BalanceEngine()
    for uid, code, g in units:
        live.upsert_unit(uid, code, g)
    for pid, g, r in parcels:
        live.upsert_parcel(pid, g, r)
    assert built.fingerprint() == live.fingerprint()
    assert built.parcel_record(2) == live.parcel_record(2)
    assert built.split_bsms() == ["3201001"]


# --------------------------------------------------------------------------- what the live session writes
def test_conserved_areas_split_merge_delete_and_paste():
    from plugin.core.pieces import conserved_areas, find_merges

    rec = paddy(tbmj=900.0, kcxs=0.1)
    whole = box(0, 0, 30, 10)
    # a split: feature 1 keeps 2/3, the new feature 2 gets 1/3, both carrying the copied 900
    before = {1: ("P", rec, whole)}
    after = {1: ("P", 200.0, box(0, 0, 20, 10)), 2: ("P", 100.0, box(20, 0, 30, 10))}
    got = conserved_areas(before, after, find_merges({1: whole}, {1: after[1][2], 2: after[2][2]}))
    assert got[1][0] == pytest.approx(600.0) and got[2][0] == pytest.approx(300.0)
    assert got[1][1] + got[2][1] == pytest.approx(90.0)
    # the same without BSM: the new piece follows the feature whose old geometry covers it
    nob = paddy(tbmj=900.0, bsm=None)
    got = conserved_areas({1: (None, nob, whole)}, {1: (None, 200.0, after[1][2]), 2: (None, 100.0, after[2][2])}, {})
    assert got[2][0] == pytest.approx(300.0)
    # a merge (QGIS 3.22: both deleted, a new feature added with the first one's values): the sum
    a, b = paddy(tbmj=600.0), paddy(tbmj=300.0)
    before = {1: ("P", a, box(0, 0, 20, 10)), 2: ("P", b, box(20, 0, 30, 10))}
    after = {-5: ("P", 300.0, whole)}
    merges = find_merges({k: v[2] for k, v in before.items()}, {-5: whole})
    assert merges == {-5: [1, 2]}
    assert conserved_areas(before, after, merges)[-5][0] == pytest.approx(900.0)
    # a piece deleted takes its area with it; the other keeps its own
    got = conserved_areas(before, {1: ("P", 200.0, box(0, 0, 20, 10))}, {})
    assert got[1][0] == pytest.approx(600.0)
    # a paste (same BSM, same place) is a duplicate, not a split: nothing to write
    assert conserved_areas({1: ("P", rec, whole)}, {1: ("P", 300.0, whole), 9: ("P", 300.0, whole)}, {}) == {}


def test_merge_across_classes_is_an_error():
    from plugin.core.checks import MergedParcels, check_merges

    findings = check_merges([MergedParcels(7, ("0101", "0301"), (8,), box(0, 0, 10, 10)),
                             MergedParcels(9, ("0101",), (10,), box(0, 0, 1, 1))])
    assert [(f.code, f.severity, f.parcel_id, f.area) for f in findings] == [("MERGE_MIXED_CLASSES", "error", 7, 100.0)]
    assert "0101, 0301" in findings[0].message


def _forest(tbmj, bsm):
    return normalize_parcel({"BSM": bsm, "DLBM": "0301", "TBMJ": tbmj})


@pytest.mark.parametrize("bsm", ["X", "0", "000000", "-"])
def test_different_parcels_sharing_a_bsm_keep_their_own_numbers(bsm):
    """Two different parcels (paddy and forest) with one BSM by a data-entry error or a placeholder:
    their numbers are those of two parcels with their own BSMs, never pooled."""
    def build(bsm_a, bsm_b):
        e = BalanceEngine()
        e.upsert_unit("u1", "DY-1", box(0, 0, 40, 100))
        e.upsert_unit("u2", "DY-2", box(40, 0, 100, 100))
        e.upsert_parcel(1, box(0, 0, 30, 30), paddy(tbmj=1000.0, bsm=bsm_a, kcxs=0.1))  # 900 m², in u1
        e.upsert_parcel(2, box(40, 0, 70, 20), _forest(500.0, bsm_b))  # 600 m², in u2
        return e

    own = rows(build("A1", "B1"))
    shared = build(bsm, bsm)
    assert rows(shared) == own
    assert rows(shared)[("DY-1", "0101")] == pytest.approx(900.0)
    assert ("DY-2", "1203") not in rows(shared)  # no 田坎 moved onto the forest
    assert shared.split_bsms() == []


def test_adjacent_parcels_of_different_class_sharing_a_bsm_are_not_pieces(two_units):
    e = two_units
    e.upsert_parcel(1, box(10, 10, 40, 70), paddy(tbmj=2000.0, bsm="X"))
    e.upsert_parcel(2, box(40, 10, 70, 70), _forest(1500.0, "X"))  # touching, but another class
    assert e.parcel_record(1).tbmj == 2000.0 and e.parcel_record(2).tbmj == 1500.0
    assert e.split_bsms() == []


def test_pieces_lying_apart_are_not_grouped():
    """Same BSM and class but far apart: not one parcel cut in two (each keeps its numbers; the data
    checks report a TBMJ that does not fit)."""
    assert explained_as_split([box(0, 0, 10, 10), box(10, 0, 20, 10)])  # sharing the cut line
    assert not explained_as_split([box(0, 0, 10, 10), box(50, 0, 60, 10)])
    assert not explained_as_split([box(0, 0, 10, 10), box(10, 0, 20, 10)], ["0101", "0301"])


def test_conserved_areas_never_rewrites_different_parcels_sharing_a_bsm():
    from plugin.core.pieces import conserved_areas, survey_key

    a, b = paddy(tbmj=1000.0, bsm="X"), _forest(500.0, "X")
    geom_a, geom_b = box(0, 0, 30, 30), box(30, 0, 60, 20)  # touching
    before = {1: ("X", a, geom_a), 2: ("X", b, geom_b)}
    grown = box(0, 0, 30, 31)  # a vertex of parcel 1 moved
    after = {1: ("X", grown.area, grown), 2: ("X", geom_b.area, geom_b)}
    keys = {1: survey_key(a), 2: survey_key(b)}
    assert conserved_areas(before, after, {}, keys) == {}
