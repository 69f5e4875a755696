"""The columnar full build (engine/store.py, engine/bulk.py) against the per-parcel incremental path.

``upsert_unit`` + ``upsert_parcel`` one at a time is an independent path (the grid, ``_pairs_for``,
``_contribution`` per pair); a full build of the same data must give the same state bit for bit:
sums, pairs, records, notes and warnings. The data mixes every rare case the bulk path hands to
the per-parcel code: tagged parcels with flows, 田坎 by slope, partly covered PBF, overlapping
units, pieces of a split survey parcel, unknown codes, no TBMJ, identical copies, invalid and
missing geometry, ids out of order or text.
"""
import numpy as np
import pytest
import shapely
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from shapely.geometry import Polygon, box

from plugin.core.engine import BalanceEngine
from plugin.core.fields import normalize_parcel
from plugin.core.record_columns import RecordColumns
from plugin.core.rules import load_pack

_HILLY = {"status": "filled", "source": "test", "default_gdlx": "PD",
          "table": {"PD": {"2": 0.03, "3": 0.08, "4": 0.12, "5": 0.20}, "TT": {"2": 0.05, "3": 0.10, "4": 0.15}}}


def pack_of(pack_id, tmp_path_factory):
    """A bundled pack, or ``hilly``: national with a filled 田坎 table by slope grade (new farmland)."""
    if pack_id != "hilly":
        return load_pack(pack_id)
    import json

    path = tmp_path_factory.mktemp("packs") / "hilly.json"
    path.write_text(json.dumps({"id": "hilly", "extends": "national", "ridge_coefficients": _HILLY}), encoding="utf-8")
    return load_pack(path)


def township(n=1500, seed=5):
    """Demo township parcels and units, with the rare cases added."""
    from plugin.demo import generate_township

    demo = generate_township(n, seed=seed, n_units=6, tagged_share=0.3)
    dltb, zzdy = demo["DLTB"], demo["ZZDY"]
    names = list(dltb.columns)
    parcels = [[i, g, normalize_parcel(dict(zip(names, row)))]
               for i, (g, row) in enumerate(zip(dltb.geometries, zip(*(dltb.columns[c] for c in names))))]
    units = [(f"u{i}", c, g) for i, (c, g) in enumerate(zip(zzdy.columns["DYBH"], zzdy.geometries))]
    # a unit overlapping the first one: the project rows take off what is counted twice
    g0 = units[0][2]
    units.append(("over", "OVER", shapely.affinity.translate(g0, (g0.bounds[2] - g0.bounds[0]) / 3, 0)))
    rng = np.random.default_rng(seed)
    picks = rng.choice(len(parcels), 60, replace=False).tolist()
    for k in picks[:8]:  # unknown codes
        parcels[k][2] = normalize_parcel({"DLBM": "9999", "TBMJ": 50.0, "ZZLX": "NY-TZ" if k % 2 else None,
                                          "GHDLBM": "0101" if k % 2 else None})
    for k in picks[8:16]:  # no TBMJ: measured from the geometry
        rec = parcels[k][2]
        parcels[k][2] = normalize_parcel({"DLBM": rec.dlbm, "TBMJ": None, "KCXS": 0.1, "YNCZ": "IN" if k % 2 else None})
    for k in picks[16:24]:  # new farmland by slope grade (no GHKCXS): the pack's 田坎 table
        parcels[k][2] = normalize_parcel({"DLBM": "0301", "TBMJ": 400.0, "ZZLX": "NY-KF", "GHDLBM": "0103",
                                          "GDPDJB": str(2 + k % 4), "GDLX": "PD", "YNCZ": "OUT" if k % 3 else None})
    extra = []
    for j, k in enumerate(picks[24:32]):  # pieces of a split survey parcel: both halves carry the BSM
        pid, g, rec = parcels[k]
        x0, y0, x1, y1 = g.bounds
        cut = box(x0 - 1, y0 - 1, (x0 + x1) / 2, y1 + 1)
        a, b = shapely.intersection(g, cut), shapely.difference(g, cut)
        if a.area > 0 and b.area > 0 and a.geom_type == "Polygon" and b.geom_type == "Polygon":
            parcels[k][1] = a
            extra.append([100_000 + j, b, rec])
    for j, k in enumerate(picks[32:38]):  # identical copies under a larger id: counted once
        extra.append([200_000 + j, parcels[k][1], parcels[k][2]])
    parcels[picks[38]][1] = Polygon([(0, 0), (10, 10), (10, 0), (0, 10)])  # a bow-tie: repaired
    parcels[picks[39]][1] = None  # no geometry
    parcels.extend(extra)
    pbf = list(demo["YJJBNTTB"].geometries)
    return [tuple(p) for p in parcels], units, pbf


def incremental(parcels, units, pbf, pack):
    e = BalanceEngine(pack=pack)
    e.set_pbf(pbf)
    for uid, code, g in units:
        e.upsert_unit(uid, code, g)
    for pid, g, rec in parcels:
        e.upsert_parcel(pid, g, rec)
    return e


def assert_same(a: BalanceEngine, b: BalanceEngine) -> None:
    assert a.fingerprint() == b.fingerprint()
    assert a.balance_rows() == b.balance_rows()
    assert [r.__dict__ for r in a.indicator_rows()] == [r.__dict__ for r in b.indicator_rows()]
    assert sorted(a.parcel_ids(), key=str) == sorted(b.parcel_ids(), key=str)
    for pid in a.parcel_ids():
        assert a.parcel_shares(pid) == b.parcel_shares(pid), pid
        assert a.parcel_record(pid) == b.parcel_record(pid), pid
        assert a.raw_record(pid) == b.raw_record(pid), pid
        assert a.parcel_measured_area(pid) == b.parcel_measured_area(pid), pid
        assert a.parcel_farmland(pid) == b.parcel_farmland(pid), pid
    for uid in a.unit_ids():
        assert a.unit_parcel_ids(uid) == b.unit_parcel_ids(uid), uid
    assert a.split_bsms() == b.split_bsms()
    assert a.shadows == b.shadows and a.missing_area == b.missing_area and a.empty_geometry == b.empty_geometry
    assert a.geometry_fixes == b.geometry_fixes
    assert a.warnings() == b.warnings()
    assert [p.code for p in a.problems()] == [p.code for p in b.problems()]


@pytest.mark.parametrize("pack_id", ["national", "hilly"])
def test_full_build_equals_parcels_added_one_by_one(pack_id, tmp_path_factory):
    pack = pack_of(pack_id, tmp_path_factory)
    parcels, units, pbf = township()
    built = BalanceEngine(pack=pack)
    built.build(parcels, units, pbf=pbf)
    one_by_one = incremental(parcels, units, pbf, pack)
    assert built.split_bsms() and built.shadows and built.unit_overlaps() and built.missing_area  # the cases are in
    assert built.geometry_fixes and built.empty_geometry and built.unknown_codes
    assert_same(built, one_by_one)
    assert built.parcel_ids() == one_by_one.parcel_ids()  # insertion order


def test_the_build_makes_a_parcel_object_only_for_the_rare_cases():
    parcels, units, pbf = township()
    e = BalanceEngine()
    e.build(parcels, units, pbf=pbf)
    held = set(e._parcels._mat)
    shared_bsm = {pid for pid, _g, r in parcels if r.bsm is not None and len(e.pieces(r.bsm)) > 1}
    pieces = {pid for b in e.split_bsms() for pid in e.pieces(b)}
    in_two = {pid for pid in e.parcel_ids() if len(e.parcel_shares(pid)) > 1}
    # pieces of splits (and the other features sharing a BSM), parcels that overlapping units share
    assert pieces and pieces <= held <= (shared_bsm - e.shadows) | in_two
    assert len(held) < len(parcels) // 3
    held = len(held)
    e.parcel_record(parcels[0][0]), e.parcel_shares(parcels[1][0]), e.parcel_view(parcels[2][0])
    assert len(e._parcels._mat) == held  # reads make none


def test_edits_after_a_build_equal_the_same_edits_one_by_one():
    """Tags, reshapes, removals, re-added ids (they move to the end), unit reshapes and PBF on the columns."""
    parcels, units, pbf = township(800, seed=9)
    built = BalanceEngine()
    built.build(parcels, units, pbf=pbf)
    other = incremental(parcels, units, pbf, None)
    rng = np.random.default_rng(1)
    ids = [p[0] for p in parcels]
    for step in range(60):
        pid = ids[int(rng.integers(len(ids)))]
        kind = step % 6
        for e in (built, other):
            if not e.has_parcel(pid):
                continue
            rec, g = e.raw_record(pid), e.parcel_geometry(pid)
            if kind == 0:
                tagged = normalize_parcel({"DLBM": rec.dlbm, "TBMJ": rec.tbmj, "KCXS": rec.kcxs, "BSM": rec.bsm,
                                           "ZZLX": "NY-TZ", "GHDLBM": "0101", "YNCZ": "IN"})
                e.update_parcel_attributes(pid, tagged)
            elif kind == 1 and g is not None:
                e.upsert_parcel(pid, shapely.affinity.scale(g, 0.9, 0.9), rec)
            elif kind == 2:
                e.remove_parcel(pid)
            elif kind == 3:
                uid, code, ug = units[step % len(units)]
                e.upsert_unit(uid, code, shapely.affinity.translate(ug, 3.0 + step, -2.0))
            elif kind == 4:
                e.upsert_parcel(pid, g, rec)
            elif step == 5:
                e.set_pbf(pbf[::2])
    assert_same(built, other)
    assert built.parcel_ids() == other.parcel_ids()
    snap = built.snapshot()
    assert snap.parcel_ids() == built.parcel_ids()
    assert all(snap.parcel_shares(pid) == built.parcel_shares(pid) for pid in built.parcel_ids())
    assert sorted(snap.parcels_near(units[0][2].bounds)) == sorted(built.parcels_near(units[0][2].bounds))


coords = st.integers(min_value=0, max_value=30)


@st.composite
def rectangles(draw, max_size=12):
    x, y = draw(coords), draw(coords)
    return box(x, y, x + draw(st.integers(1, max_size)), y + draw(st.integers(1, max_size)))


@st.composite
def records(draw):
    return normalize_parcel({
        "BSM": draw(st.sampled_from([None, "B1", "B2"])),
        "DLBM": draw(st.sampled_from(["0101", "0103", "0201K", "0301", "1104", "9999", None])),
        "TBMJ": draw(st.one_of(st.none(), st.floats(1, 500, allow_nan=False))),
        "KCXS": draw(st.sampled_from([None, 0.0, 0.05, 0.13])),
        "ZZLX": draw(st.sampled_from([None, None, "NY-TZ", "JS-FK"])),
        "GHDLBM": draw(st.sampled_from([None, None, "0101", "0702"])),
        "YNCZ": draw(st.sampled_from([None, "OUT", "IN"])),
        "GHKCXS": draw(st.sampled_from([None, None, 0.02])),
        "GDPDJB": draw(st.sampled_from([None, "2", "4"])), "GDLX": draw(st.sampled_from([None, "TT", "PD"])),
    })


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(parcels=st.lists(st.tuples(rectangles(), records()), min_size=1, max_size=14),
       units=st.lists(rectangles(max_size=25), max_size=3), pbf=st.lists(rectangles(max_size=20), max_size=2),
       id_kind=st.sampled_from(["sorted", "shuffled", "text"]), seed=st.integers(0, 1000),
       pack_id=st.sampled_from(["national", "hilly"]))
def test_build_columns_equals_an_incremental_build(parcels, units, pbf, id_kind, seed, pack_id, tmp_path_factory):
    ids = list(range(len(parcels)))
    if id_kind != "sorted":
        np.random.default_rng(seed).shuffle(ids)
    if id_kind == "text":
        ids = [f"p{i}" for i in ids]
    geoms = np.empty(len(parcels), dtype=object)
    geoms[:] = [g for g, _r in parcels]
    cols = RecordColumns.from_records([r for _g, r in parcels])
    unit_list = [(k if k % 2 else f"u{k}", f"U{k}", g) for k, g in enumerate(units)]
    pack = pack_of(pack_id, tmp_path_factory)
    built = BalanceEngine(pack=pack)
    built.build_columns(ids, geoms, cols, unit_list, pbf=pbf)
    one_by_one = incremental([(pid, g, r) for pid, (g, r) in zip(ids, parcels)], unit_list, pbf, pack)
    assert_same(built, one_by_one)
    assert built.parcel_ids() == one_by_one.parcel_ids()


@settings(max_examples=200, deadline=None)
@given(boxes=st.lists(st.tuples(st.floats(-50, 50), st.floats(-50, 50), st.floats(0, 30), st.floats(0, 30)),
                      max_size=40),
       query=st.tuples(st.floats(-60, 60), st.floats(-60, 60), st.floats(0, 40), st.floats(0, 40)),
       cell=st.sampled_from([0.5, 3.0, 10.0]))
def test_static_index_finds_every_box_that_meets_the_query(boxes, query, cell):
    """The edits' index of the build's rows: exactly the boxes meeting the query (touching counts)."""
    from plugin.core.engine.static_index import StaticIndex

    b = np.array([(x, y, x + w, y + h) for x, y, w, h in boxes] + [(np.nan,) * 4]).reshape(-1, 4)
    q = (query[0], query[1], query[0] + query[2], query[1] + query[3])
    expected = [k for k, (x0, y0, x1, y1) in enumerate(b.tolist())
                if x0 <= q[2] and x1 >= q[0] and y0 <= q[3] and y1 >= q[1]]
    assert StaticIndex(b, cell).query(q).tolist() == expected


def test_sums_in_many_chunks_equal_sums_in_one(monkeypatch):
    """The bulk sums go in chunks of whole parcels (bounded temporaries); the chunking changes no integer."""
    from plugin.core.engine import bulk

    parcels, units, pbf = township(600, seed=11)
    one = BalanceEngine()
    one.build(parcels, units, pbf=pbf)
    monkeypatch.setattr(bulk, "_CHUNK", 7)
    many = BalanceEngine()
    many.build(parcels, units, pbf=pbf)
    assert many.fingerprint() == one.fingerprint() and many.balance_rows() == one.balance_rows()


def test_static_index_with_levels_for_big_boxes():
    """Hundreds of boxes much bigger than the cell go to coarser levels; queries still find exactly what meets."""
    from plugin.core.engine.static_index import StaticIndex

    rng = np.random.default_rng(3)
    xy = rng.uniform(-500, 500, (3000, 2))
    wh = rng.choice([0.5, 5.0, 50.0, 400.0], (3000, 2))
    b = np.hstack([xy, xy + wh])
    index = StaticIndex(b, 1.0)
    assert index.sub is not None and index.sub.sub is not None
    for q in rng.uniform(-600, 600, (60, 2)):
        box_ = (q[0], q[1], q[0] + 30.0, q[1] + 3.0)
        meet = (b[:, 0] <= box_[2]) & (b[:, 2] >= box_[0]) & (b[:, 1] <= box_[3]) & (b[:, 3] >= box_[1])
        expected = np.flatnonzero(meet)
        assert index.query(box_).tolist() == expected.tolist()


def test_codes_that_differ_after_a_nul_are_not_merged():
    """pandas hashes text as C strings: "0101" and "0101\\x00" must stay two codes in the columnar build."""
    from shapely.geometry import box as _box

    from plugin.core.engine import BalanceEngine as _Engine
    from plugin.core.fields import ParcelRecord as _Rec

    parcels = [(1, _box(0, 0, 10, 10), _Rec(dlbm="0101\x00", tbmj=100.0)),
               (2, _box(10, 0, 20, 10), _Rec(dlbm="0101", tbmj=100.0))]
    built = _Engine()
    built.build(list(parcels), [("u", "U", _box(-1, -1, 30, 30))])
    one_by_one = _Engine()
    one_by_one.upsert_unit("u", "U", _box(-1, -1, 30, 30))
    for pid, geom, rec in parcels:
        one_by_one.upsert_parcel(pid, geom, rec)
    assert built.parcel_record(2).dlbm == "0101" and built.parcel_record(1).dlbm == "0101\x00"
    assert built.fingerprint() == one_by_one.fingerprint()


def test_a_build_that_consumes_its_columns_equals_one_that_does_not():
    """``build_columns(…, consume=True)`` (what the plugin's reader path passes, to free the text columns it
    codes during the build): the same engine, and the coded text columns no longer held by the caller's."""
    parcels, units, pbf = township(600, seed=13)
    ids = [pid for pid, _g, _r in parcels]
    geoms = np.empty(len(parcels), dtype=object)
    geoms[:] = [g for _pid, g, _r in parcels]
    kept, handed = (RecordColumns.from_records([r for _pid, _g, r in parcels]) for _ in range(2))
    plain, consuming = BalanceEngine(), BalanceEngine()
    plain.build_columns(ids, geoms.copy(), kept, units, pbf=pbf)
    consuming.build_columns(ids, geoms.copy(), handed, units, pbf=pbf, consume=True)
    assert_same(consuming, plain)
    assert "dlbm" in kept.data and "dlbm" not in handed.data and "bsm" in handed.data
