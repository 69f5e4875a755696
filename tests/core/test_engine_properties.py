"""Property: any sequence of incremental edits ends in exactly the state of a full rebuild."""
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from shapely.geometry import box

from plugin.core.engine import BalanceEngine
from plugin.core.fields import normalize_parcel

CODES = ["0101", "0103", "0201K", "0301", "0702", "1104", "1206", "9999", None]
TYPES = [None, "NY-TZ", "JS-FK", "JS-JX", "NY-KF"]
TARGETS = [None, "0101", "0103", "0702", "0301", "1102"]

coords = st.integers(min_value=0, max_value=40)


@st.composite
def rectangles(draw, max_size=15):
    x, y = draw(coords), draw(coords)
    w, h = draw(st.integers(1, max_size)), draw(st.integers(1, max_size))
    return box(x, y, x + w, y + h)


@st.composite
def records(draw):
    tbmj = draw(st.one_of(st.none(), st.floats(1, 500, allow_nan=False)))
    kcxs = draw(st.sampled_from([None, 0.0, 0.05, 0.13]))
    return normalize_parcel({
        "DLBM": draw(st.sampled_from(CODES)), "TBMJ": tbmj, "KCXS": kcxs,
        "ZZLX": draw(st.sampled_from(TYPES)), "GHDLBM": draw(st.sampled_from(TARGETS)),
        "GHKCXS": draw(st.sampled_from([None, 0.02])), "YNCZ": draw(st.sampled_from([None, "OUT", "IN"])),
    })


pids = st.integers(0, 12)
uids = st.sampled_from(["u1", "u2", "u3", 7])
operations = st.one_of(
    st.tuples(st.just("upsert_parcel"), pids, rectangles(), records()),
    st.tuples(st.just("update_attrs"), pids, records()),
    st.tuples(st.just("remove_parcel"), pids),
    st.tuples(st.just("upsert_unit"), uids, rectangles(max_size=30)),
    st.tuples(st.just("remove_unit"), uids),
    st.tuples(st.just("set_pbf"), st.lists(rectangles(max_size=25), max_size=2)),
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(initial_units=st.lists(st.tuples(uids, rectangles(max_size=30)), max_size=3),
       ops=st.lists(operations, min_size=1, max_size=25))
def test_incremental_edits_equal_full_rebuild(initial_units, ops):
    live = BalanceEngine(cell=7.0)
    state_parcels, state_units, pbf = {}, {}, []
    for uid, geom in initial_units:
        live.upsert_unit(uid, f"U-{uid}", geom)
        state_units[uid] = geom
    for op in ops:
        kind = op[0]
        if kind == "upsert_parcel":
            _, pid, geom, rec = op
            live.upsert_parcel(pid, geom, rec)
            state_parcels[pid] = (geom, rec)
        elif kind == "update_attrs":
            _, pid, rec = op
            if pid in state_parcels:
                live.update_parcel_attributes(pid, rec)
                state_parcels[pid] = (state_parcels[pid][0], rec)
        elif kind == "remove_parcel":
            live.remove_parcel(op[1])
            state_parcels.pop(op[1], None)
        elif kind == "upsert_unit":
            _, uid, geom = op
            live.upsert_unit(uid, f"U-{uid}", geom)
            state_units[uid] = geom
        elif kind == "remove_unit":
            live.remove_unit(op[1])
            state_units.pop(op[1], None)
        elif kind == "set_pbf":
            pbf = op[1]
            live.set_pbf(pbf)

    rebuilt = BalanceEngine()
    rebuilt.build([(pid, g, r) for pid, (g, r) in state_parcels.items()],
                  [(uid, f"U-{uid}", g) for uid, g in state_units.items()], pbf=pbf)
    assert live.fingerprint() == rebuilt.fingerprint()
    assert live.balance_rows() == rebuilt.balance_rows()
    assert [r.__dict__ for r in live.indicator_rows()] == [r.__dict__ for r in rebuilt.indicator_rows()]
