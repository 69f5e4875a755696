"""Random unit moves on the bench township, then a rebuild from the moved units: everything equal, bit for bit.

    QT_QPA_PLATFORM=offscreen nice .venv/bin/python -m bench.unit_moves_rebuild --size 200000 --moves 400 --seed 21

Reads ``bench/data/inputs_<n>.pkl`` (made by ``engine_build_bench``), builds the engine from the columns, moves
random units (translations by up to 10 m, every third up to 60 m across; every fifth a scaling instead), then
builds again from the units as moved and compares: the fingerprint, the balance rows, the project's and every
unit's integer sums, every unit's parcels, every overlap of two units, every parcel's pairs (shares, PBF shares).
Not a timing: ``engine_build_bench`` times the moves.
"""
from __future__ import annotations

import argparse
import pickle
import random
import time

from bench.engine_bench import DATA


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--size", type=int, default=200_000)
    ap.add_argument("--moves", type=int, default=200)
    ap.add_argument("--seed", type=int, default=11)
    args = ap.parse_args(argv)
    import numpy as np
    import shapely
    from shapely import affinity

    from plugin.core.engine import BalanceEngine
    from plugin.core.engine.packed import PackedGeometries
    from plugin.core.record_columns import RecordColumns
    from plugin.core.rules import bundled_pack

    with open(DATA / f"inputs_{args.size}.pkl", "rb") as f:
        pids, wkb, recs, units, pbf = pickle.load(f)
    units = [(u, c, None if g is None else shapely.from_wkb(g)) for u, c, g in units]
    pbf = list(shapely.from_wkb(np.array(pbf, dtype=object)))

    def build(unit_list: list) -> BalanceEngine:
        geoms = PackedGeometries()
        for a in range(0, len(wkb), 50_000):
            geoms.append_wkb(wkb[a:a + 50_000])
        engine = BalanceEngine(pack=bundled_pack("national"))
        engine.build_columns(np.asarray(pids, dtype=np.int64), geoms, RecordColumns.from_records(recs), unit_list,
                             pbf=pbf)
        return engine

    engine = build(units)
    rng = random.Random(args.seed)
    now = {u: (c, g) for u, c, g in units}
    uids = [u for u, _c, g in units if g is not None]
    t = time.process_time()
    for i in range(args.moves):
        uid = rng.choice(uids)
        code, g = now[uid]
        dx = rng.uniform(-10, 10) if i % 3 else rng.uniform(-60, 60)
        g = affinity.translate(g, dx, rng.uniform(-10, 10)) if i % 5 else affinity.scale(g, 1.02, 0.97)
        now[uid] = (code, g)
        engine.upsert_unit(uid, code, g)
    cpu = time.process_time() - t
    ref = build([(u, c, g) for u, (c, g) in now.items()])
    assert engine.fingerprint() == ref.fingerprint()
    assert engine.balance_rows() == ref.balance_rows()
    assert dict(engine.project) == dict(ref.project)
    for u in now:
        assert dict(engine.aggregates[u]) == dict(ref.aggregates[u]), u
        assert engine.unit_parcel_ids(u) == ref.unit_parcel_ids(u), u
    assert engine.unit_overlaps(0.0) == ref.unit_overlaps(0.0)
    differ = [p for p in pids if engine.parcel_shares(p) != ref.parcel_shares(p)]
    assert not differ, differ[:10]
    print(f"{args.moves} moves ({cpu:.2f} s CPU) then a rebuild at {args.size} parcels: equal — {len(now)} units, "
          f"{len(ref.unit_overlaps(0.0))} overlaps, {sum(len(ref.parcel_shares(p)) > 2 for p in pids)} parcels in "
          "3–4 units")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
