"""The full build from WKB and chunk by chunk (engine/build_chunks.py, engine/packed.py).

A build from WKB (an object array of ``bytes``, or the reader's packed buffers) must give the engine
a build from shapely geometries gives, and a build in many tiny chunks the one a single chunk gives,
bit for bit — identical copies in different chunks, pieces of a split survey parcel in different
chunks, partly covered PBF and overlapping units included — and both what the parcels added one
at a time give (the independent path of tests/core/test_engine_columns.py).
"""
import numpy as np
import pytest
import shapely
from shapely.geometry import box

from plugin.core.engine import BalanceEngine, build_chunks
from plugin.core.engine.packed import PackedGeometries
from plugin.core.fields import normalize_parcel
from plugin.core.record_columns import RecordColumns
from tests.core.test_engine_columns import assert_same, incremental, township


def _columns(parcels):
    ids = [pid for pid, _g, _r in parcels]
    geoms = np.empty(len(parcels), dtype=object)
    geoms[:] = [g for _p, g, _r in parcels]
    return ids, geoms, RecordColumns.from_records([r for _p, _g, r in parcels])


def _built(parcels, units, pbf, geoms=None):
    ids, garr, cols = _columns(parcels)
    e = BalanceEngine()
    e.build_columns(ids, garr if geoms is None else geoms, cols, units, pbf=pbf)
    return e


def _wkb(geoms: np.ndarray) -> np.ndarray:
    return shapely.to_wkb(geoms)


def _packed(wkb: np.ndarray, batch: int) -> PackedGeometries:
    out = PackedGeometries()
    for a in range(0, len(wkb), batch):
        out.append_wkb(wkb[a:a + batch])
    return out


def _same_geometries(a: BalanceEngine, b: BalanceEngine) -> None:
    for pid in a.parcel_ids():
        ga, gb = a.parcel_geometry(pid), b.parcel_geometry(pid)
        assert (ga is None) == (gb is None), pid
        if ga is not None:
            assert shapely.equals_exact(ga, gb, 0.0) and ga.geom_type == gb.geom_type, pid


def _twin(parcels, r: int) -> int:
    """The row of another parcel with the same geometry and record as row ``r``."""
    _pid, g, rec = parcels[r]
    return next(k for k, (_q, h, s) in enumerate(parcels)
                if k != r and h is not None and shapely.equals_exact(h, g, 0.0) and s == rec)


@pytest.fixture(scope="module")
def town():
    parcels, units, pbf = township(700, seed=13)
    for k in (40, 333, 650):  # PBF over half a parcel's box: partly covered parcels
        x0, y0, x1, y1 = parcels[k][1].bounds
        pbf = [*pbf, box(x0, y0, (x0 + x1) / 2, y1)]
    return parcels, units, pbf


def test_wkb_input_builds_the_engine_geometries_build(town):
    parcels, units, pbf = town
    from_geoms = _built(parcels, units, pbf)
    _ids, garr, _cols = _columns(parcels)
    wkb = _wkb(garr)
    assert from_geoms.shadows and from_geoms.split_bsms() and from_geoms.geometry_fixes  # the cases are in
    for geoms in (wkb, _packed(wkb, 97), [None if w is None else bytearray(w) for w in wkb.tolist()]):
        from_wkb = _built(parcels, units, pbf, geoms)
        assert_same(from_wkb, from_geoms)
        assert from_wkb.parcel_ids() == from_geoms.parcel_ids()
        _same_geometries(from_wkb, from_geoms)


def test_missing_empty_and_unreadable_wkb(town):
    """None and an empty polygon are no geometry; WKB GEOS cannot read is a geometry noted unusable."""
    parcels, units, pbf = town
    parcels = [list(p) for p in parcels[:300]]
    none_id, empty_id, bad_id = parcels[10][0], parcels[11][0], parcels[12][0]
    _ids, garr, _cols = _columns(parcels)
    wkb = _wkb(garr)
    wkb[10], wkb[11], wkb[12] = None, shapely.to_wkb(shapely.Polygon()), b"\x01\x03\x00\x00\x00garbage"
    from_wkb = _built(parcels, units, pbf, wkb)
    for k in (10, 11, 12):
        parcels[k][1] = None
    from_geoms = _built(parcels, units, pbf)
    assert {none_id, empty_id, bad_id} <= from_wkb.empty_geometry
    assert from_wkb.geometry_fixes.pop(bad_id) == "unusable"
    assert none_id not in from_wkb.geometry_fixes and empty_id not in from_wkb.geometry_fixes
    assert from_wkb.parcel_geometry(bad_id) is None and from_wkb.parcel_shares(bad_id) == ()
    assert_same(from_wkb, from_geoms)


@pytest.mark.parametrize("chunk", [1, 7, 64])
def test_tiny_chunks_equal_one_chunk_and_the_incremental_path(town, monkeypatch, chunk):
    parcels, units, pbf = town
    one = _built(parcels, units, pbf)
    monkeypatch.setattr(build_chunks, "CHUNK", chunk)
    _ids, garr, _cols = _columns(parcels)
    many = _built(parcels, units, pbf, _packed(_wkb(garr), 50))
    # the rare cases span chunks: copies and pieces of a split sit at the end, their originals anywhere
    rows = {pid: k for k, (pid, _g, _r) in enumerate(parcels)}
    twins = [(rows[pid], _twin(parcels, rows[pid])) for pid in many.shadows]
    assert twins and any(r // chunk != t // chunk for r, t in twins)
    pieces = [sorted(rows[p] for p in many.pieces(b)) for b in many.split_bsms()]
    assert pieces and any(r[0] // chunk != r[-1] // chunk for r in pieces)
    assert many.unit_overlaps() and np.isnan(many._parcels.base.pbf).any()  # overlapping units, partly PBF
    assert_same(many, one)
    assert many.parcel_ids() == one.parcel_ids()
    assert many.unit_overlaps() == one.unit_overlaps()
    _same_geometries(many, one)
    assert_same(many, incremental(parcels, units, pbf, None))


def test_repeated_feature_ids_from_wkb(town):
    """The rare path (one feature id twice: GeoJSON…) reads every geometry at once: same engine."""
    parcels, units, pbf = town
    parcels = [*parcels[:200], parcels[5], (parcels[6][0], box(0, 0, 1, 1), parcels[6][2])]
    from_geoms = _built(parcels, units, pbf)
    _ids, garr, _cols = _columns(parcels)
    from_wkb = _built(parcels, units, pbf, _wkb(garr))
    assert from_geoms.duplicates.same_id and from_geoms.duplicates.conflicting_ids
    assert from_wkb.duplicates.__dict__ == from_geoms.duplicates.__dict__
    assert_same(from_wkb, from_geoms)


def test_unit_overlaps_in_bulk_equal_the_edits():
    """Units overlapping, touching, nested and apart: the build's bulk overlaps are the ones upsert_unit finds."""
    units = [("a", "A", box(0, 0, 10, 10)), ("b", "B", box(10, 0, 20, 10)), ("c", "C", box(5, 5, 15, 15)),
             ("d", "D", box(1, 1, 3, 3)), ("e", "E", box(40, 40, 50, 50)), ("f", "F", None),
             (7, "G", box(19, 9, 30, 20))]
    parcels = [(k, box(x, y, x + 2.5, y + 2.5), normalize_parcel({"DLBM": "0101", "TBMJ": 6.25}))
               for k, (x, y) in enumerate((x, y) for x in range(0, 30, 3) for y in range(0, 20, 3))]
    built = BalanceEngine()
    built.build(parcels, units)
    edited = incremental(parcels, units, [], None)
    assert [(a, b) for a, b, _ in built.unit_overlaps()] == [("A", "C"), ("A", "D"), ("B", "C"), ("G", "B")]
    assert built.unit_overlaps() == edited.unit_overlaps()
    assert_same(built, edited)


def test_packed_geometries_of_one_size_and_replaced_rows():
    """GDAL hands a column of WKB blobs of one size as a numpy void array; a copy with rows replaced shares
    the untouched chunks."""
    geoms = np.array([box(k, 0, k + 1, 1) for k in range(10)], dtype=object)
    wkb = shapely.to_wkb(geoms)
    size = len(wkb[0])
    void = np.frombuffer(b"".join(wkb.tolist()), dtype=np.dtype((np.void, size)))
    a, b = PackedGeometries(), PackedGeometries()
    a.append_wkb(void[:6])
    a.append_wkb(void[6:])
    b.append_wkb(wkb[:6])
    b.append_wkb(wkb[6:])
    assert a.wkb(0, 10).tolist() == b.wkb(0, 10).tolist() == wkb.tolist()
    assert a.wkb_types(0).tolist() == [3] * 6
    c = a.replaced(np.array([7, 8]), [None, shapely.to_wkb(box(0, 0, 5, 5))])
    assert c.bufs[0] is a.bufs[0] and a.wkb(7, 9).tolist() == wkb[7:9].tolist()
    assert c[7] is None and c[8].equals(box(0, 0, 5, 5)) and c[9].equals(geoms[9]) and len(c) == 10


def test_pbf_polygons_only_touching_a_parcel_give_it_nothing(monkeypatch):
    """The PBF rule (apportion.pbf_relation): a polygon covering the parcel makes it whole, one whose interior
    meets the parcel's gives its piece, one only touching it (a shared edge) nothing — not even a line in the
    part's geometry; the build (any chunk size) and parcels added one at a time agree."""
    def rec(**kw):
        return normalize_parcel({k.upper(): v for k, v in kw.items()})

    parcels = [(i, box(10 * i, 0, 10 * i + 10, 10), rec(dlbm="0103", tbmj=100, bsm=f"b{i}")) for i in range(4)]
    pbf = [box(0, 0, 10, 10),  # covers parcel 0 (the same square), touches parcel 1
           box(15, 0, 20, 5),  # inside parcel 1 (a quarter of it, two edges on its outline)
           box(25, 0, 30, 10)]  # inside parcel 2 (half of it), touches parcel 3
    units = [("u", "U", box(0, 0, 40, 10))]
    expected = {0: 1.0, 1: 0.25, 2: 0.5, 3: 0.0}
    engines = [incremental(parcels, units, pbf, None), _built(parcels, units, pbf)]
    monkeypatch.setattr(build_chunks, "CHUNK", 1)
    engines.append(_built(parcels, units, pbf))
    for e in engines:
        assert {pid: e.parcel_pbf_share(pid) for pid in range(4)} == expected
        part = e._parcels.pbf_part(1)
        assert part.geom_type == "Polygon" and part.area == 25.0  # no line from the polygon touching it
        assert_same(e, engines[0])
