"""The area of a unit ∩ a parcel, computed by the engine itself (overlay_area.intersection_areas, issue 11).

Hand-computed areas, GEOS's answer beside, the pairs in general position computed without any
overlay, the special ones (shared edges, a corner on an outline) left to GEOS, and a pair's area the
same floats whatever the other pairs of the call (the build and an edit share it).
"""
from __future__ import annotations

import numpy as np
import pytest
import shapely
import shapely.affinity
from shapely.geometry import MultiPolygon, Polygon, box

from plugin.core.engine.overlay_area import intersection_areas

ZONE = (38_500_000.0, 3_400_000.0)  # zone-prefixed x, as in the townships


def _geos(a, b) -> float:
    return float(shapely.area(shapely.intersection(a, b)))


def _moved(g, dx: float, dy: float):
    return shapely.transform(g, lambda c: c + np.array([dx, dy]))


U_SHAPE = Polygon([(0, 0), (30, 0), (30, 30), (20, 30), (20, 10), (10, 10), (10, 30), (0, 30)])
HOLED_UNIT = Polygon(box(0, 0, 100, 100).exterior.coords, [box(40, 40, 60, 60).exterior.coords])
HOLED_PARCEL = Polygon(box(0, 0, 20, 20).exterior.coords, [box(5, 5, 15, 15).exterior.coords])
TWO_SQUARES = MultiPolygon([box(0, 0, 10, 10), box(20, 0, 30, 10)])

# (name, unit, parcel, the area by hand): every pair in general position
GENERAL = [
    ("a square cut by a triangle", Polygon([(-5, -5), (20, -5), (-5, 20)]), box(0, 0, 10, 10), 100 - 12.5),
    ("a concave unit", U_SHAPE, box(5, 5, 25, 25), 400 - 150),
    ("a unit with a hole cut by the parcel", HOLED_UNIT, box(30, 30, 55, 70), 1000 - 300),
    ("a unit's hole all inside the parcel", HOLED_UNIT, box(30, 30, 70, 70), 1600 - 400),
    ("a parcel with a hole", box(-10, -10, 10, 30), HOLED_PARCEL, 200 - 50),
    ("a MultiPolygon parcel", box(5, -5, 25, 5), TWO_SQUARES, 25 + 25),
    ("a MultiPolygon unit", MultiPolygon([box(-5, -5, 3, 3), box(7, 7, 15, 15)]), box(0, 0, 10, 10), 9 + 9),
    ("a clockwise unit", Polygon([(-5, -5), (-5, 20), (20, -5)]), box(0, 0, 10, 10), 100 - 12.5),
    ("a parcel inside, not touching", box(0, 0, 100, 100), box(10, 10, 20, 30), 200),
    ("a parcel outside, in the unit's box", U_SHAPE, box(12, 15, 18, 28), 0),
]

# pairs in special position (GEOS decides): a vertex on an edge, shared collinear edges
SPECIAL = [
    ("shared collinear edges", box(5, 0, 20, 10), box(0, 0, 10, 10), 50),
    ("a unit's corner on the parcel's edge", Polygon([(5, 0), (15, -10), (15, 10)]), box(0, 0, 10, 10), 12.5),
    ("touching only", Polygon([(10, 5), (20, -5), (20, 15)]), box(0, 0, 10, 10), 0),
    ("the same polygon", U_SHAPE, U_SHAPE, U_SHAPE.area),
]


def _alone_and_in_bulk(unit, parcel) -> float:
    """The area of the pair alone (a few pairs: Python) and among others (numpy): the same float."""
    alone = intersection_areas([unit], [parcel])[0]
    units = np.array([unit, box(0, 0, 1, 1)] * 4, dtype=object)
    parcels = np.array([parcel, box(0.5, 0.5, 2, 2)] * 4, dtype=object)
    bulk = intersection_areas(units, parcels)
    assert bulk[::2].tolist() == [alone] * 4 and bulk[1] == pytest.approx(0.25, abs=1e-12)
    return alone


@pytest.mark.parametrize("name, unit, parcel, expected", GENERAL + SPECIAL, ids=[c[0] for c in GENERAL + SPECIAL])
def test_area_of_unit_and_parcel_as_by_hand_and_as_geos(name, unit, parcel, expected):
    got = _alone_and_in_bulk(unit, parcel)
    assert got == pytest.approx(expected, abs=1e-9)
    assert got == pytest.approx(_geos(unit, parcel), abs=max(1e-9, 1e-12 * parcel.area))


@pytest.mark.parametrize("name, unit, parcel, expected", GENERAL, ids=[c[0] for c in GENERAL])
def test_zone_prefixed_coordinates_keep_the_bits(name, unit, parcel, expected):
    """x ~ 3.85·10⁷ m: an absolute shoelace or GEOS's rounded crossing points lose ~10⁻⁸ m² here."""
    got = _alone_and_in_bulk(_moved(unit, *ZONE), _moved(parcel, *ZONE))
    assert got == pytest.approx(expected, abs=1e-9)


@pytest.mark.parametrize("name, unit, parcel, expected", GENERAL, ids=[c[0] for c in GENERAL])
def test_pairs_in_general_position_need_no_overlay(monkeypatch, name, unit, parcel, expected):
    def no_overlay(*args, **kwargs):
        raise AssertionError("GEOS overlay called")

    monkeypatch.setattr(shapely, "intersection", no_overlay)
    assert _alone_and_in_bulk(unit, parcel) == pytest.approx(expected, abs=1e-9)


def test_a_pair_in_special_position_is_left_to_geos(monkeypatch):
    calls = []
    real = shapely.intersection

    def counted(a, b, *args, **kwargs):
        calls.append(len(np.atleast_1d(a)))
        return real(a, b, *args, **kwargs)

    monkeypatch.setattr(shapely, "intersection", counted)
    units = np.array([SPECIAL[0][1]] + [GENERAL[0][1]] * 9, dtype=object)
    parcels = np.array([SPECIAL[0][2]] + [GENERAL[0][2]] * 9, dtype=object)
    assert intersection_areas(units, parcels).tolist() == [50.0] + [pytest.approx(87.5, abs=1e-9)] * 9
    assert calls == [1]  # the shared edges only
    assert intersection_areas(units[:2], parcels[:2]).tolist() == [50.0, pytest.approx(87.5, abs=1e-9)]
    assert calls == [1, 1]


def _random_pairs(rng, n: int):
    """Units (stars: concave, some with a hole) and parcels (rotated rectangles) near their outline, at x ~ 3.85e7."""
    units, parcels = [], []
    for _ in range(n):
        k = int(rng.integers(5, 12))
        ang = (np.arange(k) + rng.uniform(0.1, 0.9, k)) * 2 * np.pi / k  # star-shaped: simple
        rad = rng.uniform(40, 100, k)
        cx, cy = ZONE[0] + rng.uniform(0, 1e4), ZONE[1] + rng.uniform(0, 1e4)
        shell = np.c_[cx + rad * np.cos(ang), cy + rad * np.sin(ang)]
        unit = Polygon(shell)
        if rng.random() < 0.3:
            hole = box(cx - 8, cy - 8, cx + 8, cy + 8)
            unit = unit.difference(hole) if unit.contains(hole) else unit
        j = int(rng.integers(k))
        px, py = shell[j] + rng.uniform(-15, 15, 2)
        w, h, turn = rng.uniform(3, 30), rng.uniform(3, 30), rng.uniform(0, 180)
        parcel = shapely.affinity.rotate(box(px - w / 2, py - h / 2, px + w / 2, py + h / 2), turn)
        units.append(unit)
        parcels.append(parcel)
    return np.array(units, dtype=object), np.array(parcels, dtype=object)


def test_random_pairs_as_geos_and_the_same_floats_in_any_batch():
    rng = np.random.default_rng(11)
    units, parcels = _random_pairs(rng, 300)
    got = intersection_areas(units, parcels)
    moved = [(_moved(u, -p.bounds[0], -p.bounds[1]), _moved(p, -p.bounds[0], -p.bounds[1]))
             for u, p in zip(units, parcels)]  # GEOS at the pair's corner: its crossing points keep their bits
    ref = np.array([_geos(u, p) for u, p in moved])
    areas = shapely.area(parcels)
    assert np.max(np.abs(got - ref) / areas) <= 1e-12
    assert np.max(np.abs(got - shapely.area(shapely.intersection(units, parcels))) / areas) <= 1e-9
    assert ((got > 0) & (got < areas)).sum() > 100  # most cut
    one_by_one = np.array([intersection_areas(units[k:k + 1], parcels[k:k + 1])[0] for k in range(len(units))])
    shuffled = rng.permutation(len(units))
    assert np.array_equal(got, one_by_one)
    assert np.array_equal(got[shuffled], intersection_areas(units[shuffled], parcels[shuffled]))


def test_one_unit_for_many_parcels_and_unusual_inputs():
    parcels = np.array([box(0, 0, 10, 10), Polygon(), None, box(5, 5, 25, 25)], dtype=object)
    got = intersection_areas(U_SHAPE, parcels)
    assert got[0] == pytest.approx(100.0, abs=1e-9) and got[3] == pytest.approx(250.0, abs=1e-9)
    assert got[1] == 0.0 and np.isnan(got[2])  # as shapely.area(shapely.intersection(...)): 0 and NaN


def test_units_drawn_along_parcel_edges_as_geos_alone_and_in_bulk():
    """A grid of parcels and units whose outlines follow the parcels' edges or cross them (the real data's
    common case): shared edges and corners on outlines go to GEOS, the others not; every area as GEOS's."""
    rng = np.random.default_rng(7)
    parcels, units = [], []
    for _ in range(200):
        x, y = (int(v) for v in rng.integers(0, 20, 2))
        parcel = box(x, y, x + int(rng.integers(1, 4)), y + int(rng.integers(1, 4)))
        if rng.random() < 0.3:
            parcel = shapely.affinity.rotate(parcel, float(rng.uniform(0, 90)))
        ux, uy = x + float(rng.choice([-2, -1, 0, 0.5, 1])), y + float(rng.choice([-2, -1, 0, 0.5, 1]))
        unit = Polygon([(ux, uy), (ux + 4, uy), (ux + 4, uy + 2), (ux + 2, uy + 2), (ux + 2, uy + 4), (ux, uy + 4)])
        parcels.append(_moved(parcel, *ZONE))
        units.append(_moved(unit, *ZONE))
    units, parcels = np.array(units, dtype=object), np.array(parcels, dtype=object)
    bulk = intersection_areas(units, parcels)
    alone = np.array([intersection_areas(units[k:k + 1], parcels[k:k + 1])[0] for k in range(len(units))])
    assert np.array_equal(bulk, alone)
    geos = shapely.area(shapely.intersection(units, parcels))
    assert (bulk == geos).sum() >= 50  # the special pairs: GEOS's very floats
    ours = np.flatnonzero(bulk != geos)
    assert len(ours) >= 50
    corner = np.array([_geos(_moved(units[k], -ZONE[0], -ZONE[1]), _moved(parcels[k], -ZONE[0], -ZONE[1]))
                       for k in ours])  # GEOS near the origin: its crossing points keep their bits
    assert np.max(np.abs(bulk[ours] - corner) / shapely.area(parcels[ours])) <= 1e-12


def test_the_edges_meeting_each_parcel_box_are_those_an_strtree_finds():
    """The edges of a unit tried against each parcel are found by sorting the boxes, not by an STRtree of
    linestrings: the same pairs, borders touching included (coordinates on a 1 m grid: many ties)."""
    from plugin.core.engine.overlay_area import _boxes_meeting

    rng = np.random.default_rng(7)
    for _ in range(200):
        m, n = rng.integers(1, 40, 2)
        x0, y0, x1, y1 = (np.round(rng.uniform(0, 40, m)) + ZONE[k % 2] for k in range(4))
        bx, by = np.round(rng.uniform(0, 40, n)) + ZONE[0], np.round(rng.uniform(0, 40, n)) + ZONE[1]
        boxes = shapely.box(bx, by, bx + np.round(rng.uniform(0, 8, n)), by + np.round(rng.uniform(0, 8, n)))
        lines = shapely.linestrings(np.stack([np.stack([x0, y0], 1), np.stack([x1, y1], 1)], 1))
        edge, parcel = shapely.STRtree(boxes).query(lines)
        got_edge, got_parcel = _boxes_meeting(x0, y0, x1, y1, shapely.bounds(boxes))
        got = list(zip(got_edge.tolist(), got_parcel.tolist()))
        assert len(got) == len(set(got))
        assert set(got) == set(zip(edge.tolist(), parcel.tolist()))
