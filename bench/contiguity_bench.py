"""集中连片 at scale: the project's patches from scratch, and the live update after one edit.

    .venv/bin/python -m bench.contiguity_bench                      # 200 000 parcels, 200 edits per kind
    .venv/bin/python -m bench.contiguity_bench --parcels 20000 --edits 100

Pure core, no QGIS: the demo township of ``plugin.demo.township`` (seed 42, about 400 parcels per
unit, 20 % of the parcels in units tagged) is built into a ``BalanceEngine``; then

* (a) ``Contiguity.build``: every patch of the four layers in every unit and the project
  (the pack's 5 m gap), min / median of ``--repeat`` runs, and the CPU time of the process
  (all threads) — on a machine shared with other jobs the wall time is inflated by the load;
* the live session's ``warm`` after the build (the project's views made at once), timed apart;
* (b) per edit on the engine (tag a parcel in a unit to another class after, or reshape it:
  shrunk by 10 % or grown by 3 m), the time of ``Contiguity.update`` for it, p50 / p95
  (the engine's own edit is timed apart);
* at the end the live state is compared with a fresh build (must be equal).

Targets (issue 13): (a) ≤ 5 s and (b) p95 ≤ 50 ms at 200 000 parcels. Results printed and
written to ``bench/results/contiguity_<date>.md|json``.
"""
from __future__ import annotations

import argparse
import datetime as _dt
import json
import os
import random
import time
from pathlib import Path

from bench.engine_bench import percentile

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
TARGET_BUILD_S, TARGET_P95_MS = 5.0, 50.0


def build_engine(n: int):
    from plugin.core.engine import BalanceEngine
    from plugin.core.fields import normalize_parcel
    from plugin.demo.township import generate_township

    data = generate_township(n, seed=42)
    dltb, units, pbf = data["DLTB"], data["ZZDY"], data["YJJBNTTB"]
    parcels = [(i, g, normalize_parcel(r)) for i, (g, r) in enumerate(zip(dltb.geometries, dltb.records()))]
    unit_list = [(i, r["DYBH"], g) for i, (g, r) in enumerate(zip(units.geometries, units.records()))]
    engine = BalanceEngine()
    engine.build(parcels, unit_list, pbf=list(pbf.geometries))
    return engine


def edit(engine, pid, rng: random.Random) -> None:
    from shapely import affinity

    from plugin.core.fields import ParcelRecord

    rec = engine.parcel_record(pid)
    if rng.random() < 0.5:
        values = {s: getattr(rec, s) for s in ParcelRecord.__slots__}
        values.update(zzlx="NY-TZ", ghdlbm=rng.choice(["0101", "0103", "0702", "0301"]))
        engine.update_parcel_attributes(pid, ParcelRecord(**values))
    else:
        geom = engine.parcel_geometry(pid)
        new = affinity.scale(geom, 0.9, 0.9) if rng.random() < 0.5 else geom.buffer(3.0, join_style=2)
        engine.upsert_parcel(pid, new, rec)


def run(n: int, edits: int, repeat: int) -> dict:
    from plugin.core.contiguity import PROJECT, ContiguitySettings
    from plugin.core.contiguity_live import Contiguity
    from plugin.core.rules import bundled_pack

    t = time.perf_counter()
    engine = build_engine(n)
    setup = time.perf_counter() - t
    settings = ContiguitySettings.from_pack(bundled_pack("national"))
    builds, cpu = [], []
    for _ in range(repeat):
        live = Contiguity(settings)
        t, c = time.perf_counter(), time.process_time()
        live.build(engine)
        builds.append(time.perf_counter() - t)
        cpu.append(time.process_time() - c)
    t = time.perf_counter()
    live.warm()  # what the live session does after a build: the project's views made at once
    warm = time.perf_counter() - t
    project = live.stats(PROJECT)
    rng = random.Random(1)
    in_units = sorted(pid for pid in engine.parcel_ids() if engine.parcel_shares(pid))
    engine_ms, update_ms = [], []
    for pid in rng.sample(in_units, min(edits, len(in_units))):
        t0 = time.perf_counter()
        edit(engine, pid, rng)
        t1 = time.perf_counter()
        live.update(engine, parcels=[pid])
        t2 = time.perf_counter()
        engine_ms.append((t1 - t0) * 1000)
        update_ms.append((t2 - t1) * 1000)
    fresh = Contiguity(settings)
    fresh.build(engine)
    same = fresh.snapshot() == live.snapshot()
    fb = project["farmland_before"]
    return {
        "parcels": n, "units": engine.unit_count(), "setup_s": round(setup, 1),
        "build_min_s": round(min(builds), 3), "build_median_s": round(sorted(builds)[len(builds) // 2], 3),
        "build_cpu_min_s": round(min(cpu), 3), "warm_project_views_s": round(warm, 3),
        "update_p50_ms": round(percentile(update_ms, 0.5), 2), "update_p95_ms": round(percentile(update_ms, 0.95), 2),
        "update_max_ms": round(max(update_ms), 2), "engine_edit_p95_ms": round(percentile(engine_ms, 0.95), 2),
        "edits": len(update_ms), "equal_to_fresh_build": same,
        "project_farmland_patches": fb.count, "project_largest_patch_m2": round(fb.largest, 1),
        "load": os.getloadavg()[0],
    }


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--parcels", type=int, default=200_000)
    ap.add_argument("--edits", type=int, default=200)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    r = run(args.parcels, args.edits, args.repeat)
    ok = r["build_min_s"] <= TARGET_BUILD_S and r["update_p95_ms"] <= TARGET_P95_MS and r["equal_to_fresh_build"]
    lines = ["| measure | value |", "|---|---|"] + [f"| {k} | {v} |" for k, v in r.items()]
    lines.append(f"| targets (build ≤ {TARGET_BUILD_S} s, update p95 ≤ {TARGET_P95_MS} ms, equal) | "
                 f"{'met' if ok else 'NOT met'} |")
    text = "\n".join(lines)
    print(text)
    RESULTS.mkdir(parents=True, exist_ok=True)
    stamp = _dt.datetime.now(_dt.timezone.utc).strftime("%Y%m%d-%H%M")
    (RESULTS / f"contiguity_{stamp}.md").write_text(text + "\n", encoding="utf-8")
    (RESULTS / f"contiguity_{stamp}.json").write_text(json.dumps(r, indent=1), encoding="utf-8")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
