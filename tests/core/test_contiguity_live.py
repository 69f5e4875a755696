"""Property: contiguity kept live edit by edit equals a fresh build after every edit."""
import random

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from shapely.geometry import box

from plugin.core.contiguity import PROJECT, ContiguitySettings
from plugin.core.contiguity_live import Contiguity
from plugin.core.engine import BalanceEngine
from plugin.core.fields import normalize_parcel

CODES = ["0101", "0103", "0301", "0702", "1104"]
TARGETS = [None, "0101", "0103", "0702"]
coords = st.integers(min_value=0, max_value=30)


@st.composite
def rectangles(draw, max_size=12):
    x, y = draw(coords), draw(coords)
    return box(x, y, x + draw(st.integers(1, max_size)), y + draw(st.integers(1, max_size)))


@st.composite
def records(draw):
    target = draw(st.sampled_from(TARGETS))
    return normalize_parcel({
        "BSM": draw(st.sampled_from([None, "B1", "B2"])),
        "DLBM": draw(st.sampled_from(CODES)), "TBMJ": draw(st.one_of(st.none(), st.floats(1, 300))),
        "KCXS": draw(st.sampled_from([None, 0.0, 0.1])),
        "ZZLX": "NY-TZ" if target else None, "GHDLBM": target,
        "YNCZ": draw(st.sampled_from([None, None, "OUT", "IN"])),
    })


pids = st.integers(0, 11)
uids = st.sampled_from(["u1", "u2"])
operations = st.one_of(
    st.tuples(st.just("upsert_parcel"), pids, rectangles(), records()),
    st.tuples(st.just("update_attrs"), pids, records()),
    st.tuples(st.just("remove_parcel"), pids),
    st.tuples(st.just("upsert_unit"), uids, rectangles(max_size=50)),
    st.tuples(st.just("remove_unit"), uids),
)


def fresh(eng, gap):
    c = Contiguity(ContiguitySettings(gap_m=gap))
    c.build(eng)
    return c.snapshot()


def apply(eng, live, op):
    kind, key = op[0], op[1]
    if kind == "upsert_parcel":
        eng.upsert_parcel(key, op[2], op[3])
    elif kind == "update_attrs":
        if not eng.has_parcel(key):
            return
        eng.update_parcel_attributes(key, op[2])
    elif kind == "remove_parcel":
        if not eng.has_parcel(key):
            return
        eng.remove_parcel(key)
    elif kind == "upsert_unit":
        eng.upsert_unit(key, str(key).upper(), op[2])
    elif kind == "remove_unit":
        if not eng.has_unit(key):
            return
        eng.remove_unit(key)
    if kind.endswith("unit"):
        live.update(eng, units=[key])
    else:
        live.update(eng, parcels=[key])


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(rectangles(), records()), min_size=3, max_size=12),
       st.lists(operations, min_size=1, max_size=25), st.sampled_from([0.0, 1.5, 4.0]))
def test_any_edit_sequence_equals_a_fresh_build(start, ops, gap):
    eng = BalanceEngine()
    eng.build([(i, g, r) for i, (g, r) in enumerate(start)], [("u1", "U1", box(0, 0, 40, 40))],
              pbf=[box(10, 10, 50, 50)])
    live = Contiguity(ContiguitySettings(gap_m=gap))
    live.build(eng)
    for op in ops:
        apply(eng, live, op)
        assert live.snapshot() == fresh(eng, gap), op


def test_removing_a_piece_that_is_no_farmland_refreshes_its_farmland_piece():
    """Found by the property test in CI: two pieces of one survey parcel (BSM B1), one becoming farmland;
    removing the other (never farmland) re-shares B1's TBMJ, and the farmland piece must follow."""
    from plugin.core.fields import ParcelRecord

    eng = BalanceEngine()
    eng.build([(0, box(0, 0, 1, 1), ParcelRecord(dlbm="0101")),
               (1, box(0, 0, 1, 2), ParcelRecord(bsm="B1", dlbm="0301", ghdlbm="0101", tbdlmj=1.0, tbmj=1.0,
                                                  zzlx="NY-TZ")),
               (2, box(0, 0, 1, 1), ParcelRecord(bsm="B1", dlbm="0301", tbdlmj=1.0, tbmj=1.0))],
              [("u1", "U1", box(0, 0, 40, 40))], pbf=[box(10, 10, 50, 50)])
    live = Contiguity(ContiguitySettings(gap_m=0.0))
    live.build(eng)
    eng.remove_parcel(2)
    live.update(eng, parcels=[2])
    assert live.snapshot() == fresh(eng, 0.0)


def test_many_random_edits_on_a_field_pattern_equal_a_fresh_build():
    """A 30 × 30 field pattern with roads: reshapes, retagging and deletions in bulk, then compared."""
    rng = random.Random(7)
    parcels = []
    for i in range(30):
        for j in range(30):
            x, y = i * 22 + (i // 5) * 6, j * 22 + (j // 5) * 6  # 6 m roads every 5 fields
            code = rng.choice(["0101", "0101", "0103", "0301", "0702"])
            parcels.append((i * 30 + j, box(x, y, x + 20, y + 20), normalize_parcel({"DLBM": code, "TBMJ": 400.0})))
    eng = BalanceEngine()
    eng.build(parcels, [("a", "A", box(0, 0, 400, 800)), ("b", "B", box(400, 0, 800, 800))])
    live = Contiguity(ContiguitySettings(gap_m=3.0))
    live.build(eng)
    live.warm()  # as the live session does: the project's views made at once, same numbers
    assert live.snapshot() == fresh(eng, 3.0)
    for _ in range(300):
        pid = rng.randrange(900)
        roll = rng.random()
        if roll < 0.4 and eng.has_parcel(pid):
            target = rng.choice(["0101", "0702", "0301"])
            eng.update_parcel_attributes(pid, normalize_parcel(
                {"DLBM": eng.parcel_record(pid).dlbm, "TBMJ": 400.0, "ZZLX": "NY-TZ", "GHDLBM": target}))
        elif roll < 0.7 and eng.has_parcel(pid):
            g = eng.parcel_geometry(pid)
            x0, y0, _x1, _y1 = g.bounds
            grow = rng.choice([-3, 1, 4])
            eng.upsert_parcel(pid, box(x0, y0, x0 + 20 + grow, y0 + 20 + grow), eng.parcel_record(pid))
        elif roll < 0.85 and eng.has_parcel(pid):
            eng.remove_parcel(pid)
        else:
            x, y = rng.uniform(0, 780), rng.uniform(0, 780)
            eng.upsert_parcel(pid, box(x, y, x + 20, y + 20), normalize_parcel({"DLBM": "0101", "TBMJ": 400.0}))
        live.update(eng, parcels=[pid])
    assert live.snapshot() == fresh(eng, 3.0)
    assert live.stats(PROJECT) == Contiguity_stats(eng, 3.0)


def Contiguity_stats(eng, gap):
    c = Contiguity(ContiguitySettings(gap_m=gap))
    c.build(eng)
    return c.stats(PROJECT)
