"""A unit moved or reshaped after a full build (engine/reshape.py) equals a fresh build, bit for bit.

The reshape looks only at the parcels whose pair with the unit changes (the band between the old
and the new outline) and at those where the unit now overlaps another of their units; every case
of the band is checked against a full build of the same data: parcels that leave the unit, that
enter it, that stay inside, that stay on its boundary, a unit with a hole, a unit moved onto its
neighbour, and parcels edited before the move (a tag: a ``_Parcel`` of a row; a reshape: the tail).
"""
import shapely
from shapely.geometry import box

from plugin.core.engine import BalanceEngine
from plugin.core.fields import normalize_parcel
from tests.core.test_engine_columns import assert_same, township


def fresh(parcels: dict, units: dict, pbf) -> BalanceEngine:
    e = BalanceEngine()
    e.build([(pid, g, rec) for pid, (g, rec) in parcels.items()], [(u, c, g) for u, (c, g) in units.items()], pbf=pbf)
    return e


def setup(n=1200, seed=3):
    parcels, units, pbf = township(n, seed=seed)
    e = BalanceEngine()
    e.build(parcels, units, pbf=pbf)
    return e, {pid: (g, rec) for pid, g, rec in parcels}, {u: (c, g) for u, c, g in units}, pbf


def move(e, units, uid, geom):
    units[uid] = (units[uid][0], geom)
    e.upsert_unit(uid, units[uid][0], geom)


def shares_in(e, uid) -> dict:
    return {pid: s for pid in e.parcel_ids() for u, s, _p in e.parcel_shares(pid) if u == uid}


def test_a_moved_unit_equals_a_fresh_build_in_every_part_of_the_band():
    e, parcels, units, pbf = setup()
    uid = "u1"
    before = shares_in(e, uid)
    move(e, units, uid, shapely.affinity.translate(units[uid][1], 23.7, -17.2))
    after = shares_in(e, uid)
    left, entered = set(before) - set(after), set(after) - set(before)
    inside = {p for p in set(before) & set(after) if before[p] == after[p] == 1.0}
    boundary = {p for p in set(before) & set(after) if before[p] < 1.0 and after[p] < 1.0 and before[p] != after[p]}
    assert left and entered and inside and boundary  # the move makes every case
    assert_same(e, fresh(parcels, units, pbf))
    # and back again, then a second move: the parcels now have their _Parcel
    move(e, units, uid, shapely.affinity.translate(units[uid][1], -23.7, 17.2))
    assert_same(e, fresh(parcels, units, pbf))
    move(e, units, uid, shapely.affinity.translate(units[uid][1], 4.1, 6.3))
    assert_same(e, fresh(parcels, units, pbf))


def test_a_unit_with_a_hole_moved_and_reshaped():
    e, parcels, units, pbf = setup(seed=4)
    uid = "u2"
    g = units[uid][1]
    c = g.centroid
    holed = shapely.difference(g, box(c.x - 120, c.y - 90, c.x + 110, c.y + 100))
    assert shapely.get_num_interior_rings(shapely.get_parts(holed)).sum() >= 1
    move(e, units, uid, holed)  # a hole cut: the parcels in it leave, those on its edge are cut
    assert_same(e, fresh(parcels, units, pbf))
    move(e, units, uid, shapely.affinity.translate(holed, 8.5, 12.25))
    assert_same(e, fresh(parcels, units, pbf))
    move(e, units, uid, g)  # the hole filled again
    assert_same(e, fresh(parcels, units, pbf))


def test_a_unit_moved_onto_its_neighbour_overlaps_it_as_a_fresh_build_says():
    e, parcels, units, pbf = setup(seed=6)
    a, b = units["u0"][1], units["u1"][1]
    assert not shapely.relate_pattern(a, b, "2********")
    overlaps = e.unit_overlaps()
    dx = (b.centroid.x - a.centroid.x) / 3
    dy = (b.centroid.y - a.centroid.y) / 3
    move(e, units, "u0", shapely.affinity.translate(a, dx, dy))
    assert len(e.unit_overlaps()) > len(overlaps)  # it now overlaps its neighbour
    assert_same(e, fresh(parcels, units, pbf))
    move(e, units, "u1", shapely.affinity.translate(b, -dx / 2, -dy / 2))  # the neighbour moves into it
    assert_same(e, fresh(parcels, units, pbf))
    move(e, units, "u0", a)
    move(e, units, "u1", b)
    assert e.unit_overlaps() == overlaps
    assert_same(e, fresh(parcels, units, pbf))


def test_a_unit_jumping_further_than_its_parcels_are_wide_and_a_unit_of_two_parts():
    """Parcels whose boxes meet neither outline are not decoded (their box says inside or outside): a unit moved
    by more than a parcel's width leaves and takes whole parcels that way; a unit of two parts, one with a
    hole, has rings the box test must not run between."""
    e, parcels, units, pbf = setup(seed=8)
    uid = "u3"
    g = units[uid][1]
    w = g.bounds[2] - g.bounds[0]
    before = shares_in(e, uid)
    move(e, units, uid, shapely.affinity.translate(g, w / 4, -w / 5))
    after = shares_in(e, uid)
    assert {p for p in before if before[p] == 1.0} - set(after) and {p for p in after if after[p] == 1.0} - set(before)
    assert_same(e, fresh(parcels, units, pbf))
    c = g.centroid
    far = shapely.affinity.translate(g, 3 * w, 0)  # beyond every parcel: a part with nothing in it
    two = shapely.union(shapely.difference(g, box(c.x - 60, c.y - 50, c.x + 70, c.y + 40)), far)
    assert shapely.get_num_geometries(two) == 2 and shapely.get_num_interior_rings(shapely.get_parts(two)).sum() == 1
    move(e, units, uid, two)
    assert_same(e, fresh(parcels, units, pbf))


def test_the_box_test_never_calls_a_box_on_the_outline_off_it():
    import numpy as np

    from plugin.core.engine.geometry import off_outline

    rng = np.random.default_rng(1)
    _e, _parcels, units, _pbf = setup(seed=8)
    for _c, g in units.values():
        c = g.centroid
        for geom in (g, shapely.difference(g, box(c.x - 60, c.y - 50, c.x + 70, c.y + 40))):
            x0, y0, x1, y1 = geom.bounds
            xy = rng.uniform((x0 - 30, y0 - 30), (x1 + 30, y1 + 30), (3000, 2))
            size = rng.uniform(0, 40, (3000, 2)) * (rng.random((3000, 1)) < 0.9)  # a tenth of them points
            boxes = np.concatenate((xy, xy + size), axis=1)
            off = off_outline(geom, boxes)
            meets = shapely.intersects(geom.boundary, shapely.box(*boxes.T))
            assert off.any() and not (off & meets).any()


def test_parcels_edited_before_the_move():
    """A tagged parcel of the build (its own ``_Parcel``), a reshaped one (the tail), a removed one, on the band."""
    e, parcels, units, pbf = setup(seed=8)
    uid = "u3"
    g = units[uid][1]
    cut = [pid for pid, s in shares_in(e, uid).items() if s < 1.0]
    assert len(cut) >= 6
    for pid in cut[0:2]:
        rec = parcels[pid][1]
        tagged = normalize_parcel({"DLBM": rec.dlbm, "TBMJ": rec.tbmj, "KCXS": rec.kcxs, "BSM": rec.bsm,
                                   "ZZLX": "NY-TZ", "GHDLBM": "0101", "YNCZ": "IN"})
        parcels[pid] = (parcels[pid][0], tagged)
        e.update_parcel_attributes(pid, tagged)
    for pid in cut[2:4]:
        shape = shapely.affinity.scale(parcels[pid][0], 0.8, 0.8)
        parcels[pid] = (shape, parcels[pid][1])
        e.upsert_parcel(pid, shape, parcels[pid][1])
    for pid in cut[4:6]:
        del parcels[pid]
        e.remove_parcel(pid)
    move(e, units, uid, shapely.affinity.translate(g, -6.5, 9.75))
    assert_same(e, fresh(parcels, units, pbf))
    move(e, units, uid, shapely.affinity.scale(g, 1.1, 0.95))
    assert_same(e, fresh(parcels, units, pbf))


def test_a_parcel_that_keeps_its_share_but_not_its_part_counted_twice():
    """The unit gives up the part of a parcel outside its neighbour and takes as much inside it: the same
    share, but now the parcel's part in both units is counted twice."""
    from shapely.geometry import MultiPolygon

    rec = normalize_parcel({"DLBM": "0103", "TBMJ": 200.0})
    parcels = {1: (box(0, 0, 20, 10), rec), 2: (box(-30, 0, -10, 10), rec), 3: (box(30, 0, 50, 10), rec)}
    units = {"A": ("A", MultiPolygon([box(-50, -50, 5, 50)])), "B": ("B", box(10, -50, 100, 50))}
    e = fresh(parcels, units, [])
    assert e.parcel_shares(1) == (("A", 0.25, 0.0), ("B", 0.5, 0.0))
    project = e.fingerprint()["project"]
    move(e, units, "A", MultiPolygon([box(-50, -50, 0, 50), box(12, -50, 17, 50)]))
    assert e.parcel_shares(1) == (("A", 0.25, 0.0), ("B", 0.5, 0.0))  # the same share
    assert e.fingerprint()["project"] != project  # 50 m² of parcel 1 now counted once, not twice
    assert_same(e, fresh(parcels, units, []))


def test_compaction_changes_no_result_and_edits_go_on_as_before():
    """Tags, reshapes, removals, re-added ids and unit moves, then ``compact``: the same state as the twin that
    was not compacted and as a fresh build; more edits on both stay equal."""
    e, parcels, units, pbf = setup(900, seed=11)
    twin = fresh(parcels, units, pbf)
    ids = sorted(parcels, key=str)

    def edit(step):
        pid = ids[(step * 37) % len(ids)]
        kind = step % 5
        if kind == 0 and pid in parcels:
            rec = parcels[pid][1]
            tagged = normalize_parcel({"DLBM": rec.dlbm, "TBMJ": rec.tbmj, "KCXS": rec.kcxs, "BSM": rec.bsm,
                                       "ZZLX": "NY-TZ", "GHDLBM": "0101", "YNCZ": "IN"})
            parcels[pid] = (parcels[pid][0], tagged)
            for x in (e, twin):
                x.update_parcel_attributes(pid, tagged)
        elif kind == 1 and pid in parcels and parcels[pid][0] is not None:
            shape = shapely.affinity.translate(parcels[pid][0], 2.5, -1.5)
            parcels[pid] = (shape, parcels[pid][1])
            for x in (e, twin):
                x.upsert_parcel(pid, shape, parcels[pid][1])
        elif kind == 2 and pid in parcels:
            del parcels[pid]
            for x in (e, twin):
                x.remove_parcel(pid)
        elif kind == 3:
            uid = f"u{step % 5}"
            geom = shapely.affinity.translate(units[uid][1], 3.0 + step % 7, -2.0)
            units[uid] = (units[uid][0], geom)
            for x in (e, twin):
                x.upsert_unit(uid, units[uid][0], geom)
        else:
            g, rec = parcels.get(pid, (box(0, 0, 30, 30), normalize_parcel({"DLBM": "0103", "TBMJ": 900.0})))
            parcels[pid] = (g, rec)
            for x in (e, twin):
                x.upsert_parcel(pid, g, rec)  # removed and added again: to the end

    for step in range(40):
        edit(step)
    assert e.needs_compaction() and e._parcels.tail()  # parcels added or reshaped since the build
    order = e.parcel_ids()
    e.compact()
    assert not e.needs_compaction() and not e._parcels.tail()
    assert e.parcel_ids() == order  # the order a rebuild in this order would give
    assert_same(e, twin)
    assert_same(e, fresh(parcels, units, pbf))
    snap = e.snapshot()
    for step in range(40, 80):
        edit(step)
    assert_same(e, twin)
    assert_same(e, fresh(parcels, units, pbf))
    assert snap.parcel_ids() == order  # a snapshot taken before keeps its columns
