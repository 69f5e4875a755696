"""The engine alone on already-read inputs: full build time, memory, incremental latency.

    QT_QPA_PLATFORM=offscreen .venv/bin/python -m bench.engine_build_bench                 # 200 k and 1 M
    QT_QPA_PLATFORM=offscreen .venv/bin/python -m bench.engine_build_bench --sizes 20000 --edits 100

The township of ``engine_bench`` (``bench/data/township_<n>.gpkg``, generated on first use) is
read once through the plugin's reader and cached as ``bench/data/inputs_<n>.pkl`` (ids, WKB,
records, units, PBF), so that every run times the engine only. Each size runs in its own
subprocess (memory peaks don't mix) and reports:

* ``build``: wall and process CPU time of ``BalanceEngine.build_columns`` (CPU time is the
  steadier number on a shared machine: GEOS runs on threads);
* ``peak``: the rise of the RSS high-water mark over the build (inputs already in memory);
* ``held``: RSS the engine keeps once the inputs are dropped (``malloc_trim`` first), per parcel;
* ``tag`` / ``parcel`` / ``unit``: p50 / p95 latency of the edits of ``engine_bench`` (d), and the
  process CPU time of each edit (all threads; what a loaded machine inflates least).

To compare with another checkout (before / after a change), run the same command with that
checkout's ``plugin`` first on the path: ``--code /path/to/checkout`` (its engine must have
``build`` and may lack ``build_columns``; the records path is then used).
"""
from __future__ import annotations

import argparse
import gc
import json
import os
import pickle
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _status(key: str) -> float:
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith(key + ":"):
                return int(line.split()[1]) / 1024.0
    return float("nan")


def _trim() -> None:
    try:
        import ctypes

        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except OSError:
        pass


def cache_inputs(n: int) -> Path:
    """Read the township once through the plugin's reader; pickle what the engine takes."""
    from bench.engine_bench import DATA, data_path, ensure_data, open_layers, start_qgis

    path = DATA / f"inputs_{n}.pkl"
    if path.exists():
        return path
    ensure_data(n)
    start_qgis()
    import shapely

    from plugin.adapters.layers import ParcelReader, parcel_fields, read_polygons, read_units, working_crs

    parcels_layer, units_layer, pbf_layer = open_layers(data_path(n))
    crs = working_crs(parcels_layer)
    reader = ParcelReader(parcels_layer, parcel_fields(parcels_layer), crs)
    parcels = reader.read_fast() or reader.read()
    units = [(u, c, None if g is None else shapely.to_wkb(g)) for u, c, g in read_units(units_layer, crs)]
    data = ([p[0] for p in parcels], [None if p[1] is None else shapely.to_wkb(p[1]) for p in parcels],
            [p[2] for p in parcels], units, [shapely.to_wkb(g) for g in read_polygons(pbf_layer, crs)])
    with open(path, "wb") as f:
        pickle.dump(data, f, protocol=5)
    return path


def worker(n: int, edits: int) -> dict:
    import numpy as np
    import shapely

    from bench.engine_bench import incremental, percentile
    from plugin.core.engine import BalanceEngine
    from plugin.core.rules import bundled_pack

    pack = bundled_pack("national")
    _trim()
    empty = _status("VmRSS")
    with open(ROOT / "bench" / "data" / f"inputs_{n}.pkl", "rb") as f:
        pids, wkb, recs, units, pbf = pickle.load(f)
    try:  # an engine that takes WKB: packed as the reader hands it over (build_engine)
        from plugin.core.engine.packed import PackedGeometries

        geoms = PackedGeometries()
        for a in range(0, len(wkb), 50_000):
            geoms.append_wkb(wkb[a:a + 50_000])
        pids = np.asarray(pids, dtype=np.int64)
    except ImportError:
        geoms = shapely.from_wkb(np.array(wkb, dtype=object))
    del wkb
    units = [(u, c, None if g is None else shapely.from_wkb(g)) for u, c, g in units]
    pbf = list(shapely.from_wkb(np.array(pbf, dtype=object)))
    engine = BalanceEngine(pack=pack)
    columnar = hasattr(engine, "build_columns")
    if columnar:
        from plugin.core.record_columns import RecordColumns

        cols = RecordColumns.from_records(recs)
    else:
        items = list(zip(pids, geoms, recs))
    del recs
    gc.collect()
    with open("/proc/self/clear_refs", "w") as f:
        f.write("5")
    before = _status("VmRSS")
    t, c = time.perf_counter(), time.process_time()
    if columnar:
        engine.build_columns(pids, geoms, cols, units, pbf=pbf)
        del cols
    else:
        engine.build(items, units, pbf=pbf)
        del items
    res = {"n": n, "columnar": columnar, "build_s": time.perf_counter() - t, "build_cpu_s": time.process_time() - c,
           "peak_mb": _status("VmHWM") - before, "peak_abs_mb": _status("VmHWM"), "inputs_mb": before - empty}
    del pids, geoms
    gc.collect()
    _trim()
    res["held_mb"] = _status("VmRSS") - empty
    res["held_b_per_parcel"] = res["held_mb"] * 2 ** 20 / n
    lat = incremental(engine, edits)
    for kind, values in lat.items():
        res[kind] = (percentile(values, 0.5) * 1e3, percentile(values, 0.95) * 1e3)
    res["load"] = open("/proc/loadavg").read().split()[:3]
    res["arrow_read_s"], res["arrow_read_cpu_s"] = arrow_read(n)
    return res


def arrow_read(n: int) -> tuple[float, float]:
    """(wall, CPU) s of GDAL's Arrow read of the parcels' columns the build takes (geometry as WKB and the
    record's fields, nothing done with them): the floor of any reader, best of two."""
    from osgeo import gdal, ogr

    from bench.engine_bench import data_path
    from plugin.core.fields import resolve_parcel_fields

    gdal.UseExceptions()
    best = (float("inf"), float("inf"))
    for _ in range(2):
        ds = ogr.Open(str(data_path(n)))
        lyr = ds.GetLayerByName("DLTB")
        defn = lyr.GetLayerDefn()
        names = [defn.GetFieldDefn(i).GetName() for i in range(defn.GetFieldCount())]
        fm = resolve_parcel_fields(names)
        wanted = {v for v in list(fm.parcels.values()) + list(fm.plan.values()) if v}
        lyr.SetIgnoredFields([name for name in names if name not in wanted])
        t, c = time.perf_counter(), time.process_time()
        rows = sum(len(batch[lyr.GetFIDColumn()]) for batch in lyr.GetArrowStreamAsNumPy(
            options=["MAX_FEATURES_IN_BATCH=50000"]))
        best = min(best, (time.perf_counter() - t, time.process_time() - c))
        assert rows == n, rows
        ds = None
    return best


def _cpu(r: dict) -> str:
    """Process CPU time per edit (all threads), p50 / p95 ms, when the bench's ``incremental`` records it."""
    if "tag_cpu" not in r:
        return "–"
    return " · ".join(f"{r[k + '_cpu'][0]:.2f} / {r[k + '_cpu'][1]:.2f}" for k in ("tag", "parcel", "unit"))


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", type=int, nargs="+", default=[200_000, 1_000_000])
    ap.add_argument("--edits", type=int, default=200)
    ap.add_argument("--code", help="a checkout whose plugin/ to time instead of this one")
    ap.add_argument("--worker", type=int, help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.worker:
        if args.code:  # first on the path: ``python -m`` puts the working directory (this checkout) before PYTHONPATH
            sys.path.insert(0, args.code)
        print(json.dumps(worker(args.worker, args.edits)))
        return 0
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(p for p in (args.code, str(ROOT)) if p))
    print("| parcels | build wall | build CPU | peak over inputs | process peak | held (B/parcel) | Arrow read wall / "
          "CPU | build ÷ read (CPU) | tag p50/p95 | parcel p50/p95 | unit p50/p95 | CPU tag · parcel · unit p50/p95 "
          "| load |")
    print("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|")
    for n in args.sizes:
        subprocess.run([sys.executable, "-c", f"from bench.engine_build_bench import cache_inputs; cache_inputs({n})"],
                       cwd=ROOT, check=True)
        out = subprocess.run([sys.executable, "-m", "bench.engine_build_bench", "--worker", str(n), "--edits",
                              str(args.edits)] + (["--code", args.code] if args.code else []),
                             cwd=ROOT, env=env, check=True, capture_output=True, text=True).stdout
        r = json.loads(out.strip().splitlines()[-1])
        if "arrow_read_s" not in r:  # another checkout's worker (--code) may not read: this one does
            r["arrow_read_s"], r["arrow_read_cpu_s"] = json.loads(subprocess.run(
                [sys.executable, "-c", f"import json; from bench.engine_build_bench import arrow_read; "
                 f"print(json.dumps(arrow_read({n})))"], cwd=ROOT, check=True, capture_output=True,
                text=True).stdout.strip().splitlines()[-1])
        print(f"| {n:,} | {r['build_s']:.1f} s | {r['build_cpu_s']:.1f} s | {r['peak_mb']:.0f} MB | "
              f"{r.get('peak_abs_mb', float('nan')):.0f} MB | {r['held_mb']:.0f} MB ({r['held_b_per_parcel']:.0f}) | "
              f"{r['arrow_read_s']:.1f} / {r['arrow_read_cpu_s']:.1f} s | "
              f"{r['build_cpu_s'] / r['arrow_read_cpu_s']:.1f}× | {r['tag'][0]:.2f} / {r['tag'][1]:.2f} ms | "
              f"{r['parcel'][0]:.2f} / {r['parcel'][1]:.2f} ms | {r['unit'][0]:.1f} / {r['unit'][1]:.1f} ms | "
              f"{_cpu(r)} | {' '.join(r['load'])} |", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
