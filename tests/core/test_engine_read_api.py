"""The engine's read API added for the front ends (docs/architecture.md "What front ends may read")."""
from shapely.geometry import box

from plugin.core.engine import BalanceEngine, ParcelView
from plugin.core.fields import normalize_parcel


def rec(**kw):
    return normalize_parcel({k.upper(): v for k, v in kw.items()})


def township():
    """A 6 × 4 grid of 10 m parcels (ids 0…23, row by row), two units side by side, one far away."""
    parcels = [(i, box(10 * (i % 6), 10 * (i // 6), 10 * (i % 6) + 10, 10 * (i // 6) + 10),
                rec(dlbm="0103", tbmj=100)) for i in range(24)]
    parcels.append((99, None, rec(dlbm="0103", tbmj=50)))  # no geometry: near nothing
    units = [("w", "W", box(0, 0, 26, 40)), ("e", "E", box(26, 0, 60, 40)), ("far", "F", box(500, 500, 510, 510))]
    engine = BalanceEngine(cell=15.0)
    engine.build(parcels, units)
    return engine


def brute_parcels_near(engine, bounds):
    out = set()
    for pid in engine.parcel_ids():
        g = engine.parcel_geometry(pid)
        if g is not None:
            x0, y0, x1, y1 = g.bounds
            if x0 <= bounds[2] and x1 >= bounds[0] and y0 <= bounds[3] and y1 >= bounds[1]:
                out.add(pid)
    return out


def test_parcels_near_is_every_parcel_whose_box_meets_the_bounds():
    engine = township()
    for bounds in [(0, 0, 1, 1), (12, 12, 18, 18), (10, 10, 10, 10), (-100, -100, 1000, 1000), (200, 200, 300, 300),
                   (29.5, 0, 30.5, 40)]:
        got = engine.parcels_near(bounds)
        assert len(got) == len(set(got))
        assert set(got) == brute_parcels_near(engine, bounds), bounds
    assert set(engine.parcels_near((12, 12, 18, 18))) == {7}
    assert set(engine.parcels_near((10, 10, 10, 10))) == {0, 1, 6, 7}  # corners touch


def test_units_near_and_the_main_unit():
    engine = township()
    assert set(engine.units_near((0, 0, 5, 5))) == {"w"}
    assert set(engine.units_near((20, 0, 30, 5))) == {"w", "e"}
    assert set(engine.units_near((505, 505, 506, 506))) == {"far"}
    assert engine.units_near((100, 100, 200, 200)) == []
    # parcel 2 (x 20…30) is 40 % in E and 60 % in W; its pairs go by unit id, E first
    assert [(u, round(s, 9)) for u, s, _p in engine.parcel_shares(2)] == [("e", 0.4), ("w", 0.6)]
    assert engine.parcel_main_unit(2) == "w"
    assert engine.parcel_main_unit(1) == "w" and engine.parcel_main_unit(3) == "e"
    assert engine.parcel_main_unit(99) is None
    assert engine.unit_code("far") == "F" and engine.unit_parcel_ids("far") == frozenset()


def test_parcel_view_is_the_getters_in_one_value():
    engine = township()
    views = engine.parcel_views()
    assert list(views) == engine.parcel_ids()
    for pid, view in views.items():
        assert isinstance(view, ParcelView)
        assert view == engine.parcel_view(pid) == (engine.parcel_record(pid), engine.parcel_geometry(pid),
                                                    engine.parcel_measured_area(pid), engine.parcel_shares(pid))


def test_snapshot_answers_like_the_engine_and_keeps_its_state_through_edits():
    engine = township()
    snap = engine.snapshot()
    assert snap.parcel_ids() == engine.parcel_ids() and snap.unit_ids() == engine.unit_ids()
    for uid in engine.unit_ids():
        assert snap.unit_parcel_ids(uid) == engine.unit_parcel_ids(uid)
        assert snap.unit_code(uid) == engine.unit_code(uid)
        assert set(snap.units_near((20, 0, 30, 5))) == set(engine.units_near((20, 0, 30, 5)))
    for bounds in [(12, 12, 18, 18), (0, 0, 60, 40), (200, 200, 300, 300)]:
        assert set(snap.parcels_near(bounds)) == set(engine.parcels_near(bounds))  # no grid of its own
    assert snap.missing_area == engine.missing_area and snap.pack is engine.pack
    before = snap.unit_parcel_ids("w")
    engine.remove_parcel(0)
    engine.remove_unit("e")
    assert not engine.has_parcel(0) and not engine.has_unit("e")
    assert snap.has_parcel(0) and snap.has_unit("e") and snap.unit_parcel_ids("w") == before
