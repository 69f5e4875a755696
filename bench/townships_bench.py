"""The township PBF limits of a live balance: the first read, and a refresh after one tag.

    .venv/bin/python -m bench.townships_bench [--parcels 200000] [--edits 200]

Generates the demo township in memory (no QGIS), builds the engine with the demo's PBF, then times
``TownshipLimits.variables`` once (every parcel read and intersected with the PBF/UGB: what the
dock pays after a rebuild) and, for ``--edits`` random tags (YNCZ / ZZLX / GHDLBM), the dock's refresh
(``update`` of the edited parcel + ``evaluate``). At the end the kept sums are compared with a fresh
count (they must be equal).
"""
from __future__ import annotations

import argparse
import os
import random
import statistics
import time


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--parcels", type=int, default=200_000)
    ap.add_argument("--edits", type=int, default=200)
    ap.add_argument("--seed", type=int, default=42)
    args = ap.parse_args()
    from plugin.core.engine import BalanceEngine
    from plugin.core.fields import normalize_parcel
    from plugin.core.townships import TownshipLimits
    from plugin.demo import generate_township

    demo = generate_township(args.parcels, seed=args.seed, n_units=max(1, args.parcels // 400), tagged_share=0.2)
    dltb, units = demo["DLTB"], demo["ZZDY"]
    names = list(dltb.columns)
    raw = [dict(zip(names, row)) for row in zip(*(dltb.columns[n] for n in names))]
    parcels = [(i, g, normalize_parcel(v)) for i, (g, v) in enumerate(zip(dltb.geometries, raw))]
    pbf = list(demo["YJJBNTTB"].geometries)
    ugb = list(demo["CZKFBJ"].geometries) if "CZKFBJ" in demo.layers else None
    engine = BalanceEngine()
    engine.build(parcels, [(i, c, g) for i, (c, g) in enumerate(zip(units.columns["DYBH"], units.geometries))],
                 pbf=pbf)
    t = time.perf_counter()
    TownshipLimits(pbf, ugb).evaluate(engine)
    own = time.perf_counter() - t
    limits = TownshipLimits(pbf, ugb, engine_pbf=True)  # what the dock and the CLI use
    t = time.perf_counter()
    limits.evaluate(engine)
    first = time.perf_counter() - t
    rng = random.Random(args.seed)
    times = []
    for _ in range(args.edits):
        pid = rng.randrange(len(raw))
        values = dict(raw[pid], YNCZ=rng.choice([None, "OUT", "IN"]), ZZLX=rng.choice([None, "JS-JX"]),
                      GHDLBM=rng.choice([None, "0702", "0101"]))
        engine.update_parcel_attributes(pid, normalize_parcel(values))
        t = time.perf_counter()
        limits.update(engine, [pid])
        limits.evaluate(engine)
        times.append(time.perf_counter() - t)
    assert limits.variables(engine) == TownshipLimits(pbf, ugb, engine_pbf=True).variables(engine), "kept sums drifted"
    times.sort()
    p95 = times[int(0.95 * (len(times) - 1))]
    print("| parcels | townships | first read, PBF intersected again (s) | first read, the engine's PBF shares (s) "
          "| refresh after a tag p50 / p95 (ms) | load |\n|---|---|---|---|---|---|")
    print(
    f"| {engine.parcel_count():,} | {len(limits.variables(engine))} | {own:.2f} | {first:.2f} | "
        f"{1000 * statistics.median(times):.2f} / {1000 * p95:.2f} | {os.getloadavg()[0]:.1f} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
