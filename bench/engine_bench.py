"""Benchmark of the balance engine against the QGIS read floor and QGIS's own overlay.

    .venv/bin/python -m bench.engine_bench                     # 20 k, 200 k, 1 M parcels
    .venv/bin/python -m bench.engine_bench --sizes 20000 200000 --repeat 5

For every size (about 400 parcels per unit, 20 % of the parcels inside units tagged;
demo township from ``plugin.demo.writer``, generated once and cached under
``bench/data/``) it measures, each size in its own subprocess so memory peaks don't mix:

(a) read floor   iterate every DLTB feature through QGIS with geometry (WKB) and the
                 attributes the engine needs — what any reader has to pay;
(b) full build   ``build_engine`` (reading units, parcels, PBF + ``BalanceEngine.build``),
                 and ``BalanceEngine.build`` alone on already-read inputs;
(c) QGIS overlay ``native:intersection`` (parcels x units) + a pandas group-by of the
                 pieces' areas by unit and DLBM — what a planner would do by hand
                 (run in its own subprocess, killed after ``--qgis-timeout`` seconds);
(d) incremental  p50/p95 latency of ``update_parcel_attributes`` (tag change),
                 ``upsert_parcel`` (reshape) and ``upsert_unit`` (boundary moved a little);
(e) memory       the worker's RSS high-water mark (VmHWM) over reading + build + edits.

Timings are repeated (``--repeat``); the table shows min and median. A markdown table is
printed and written to ``bench/results/engine_<date>.md`` (and ``latest.md``).
"""
from __future__ import annotations

import argparse
import datetime as _dt
import gc
import json
import os
import platform
import random
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "bench" / "data"
RESULTS = ROOT / "bench" / "results"
SIZES = (20_000, 200_000, 1_000_000)
SEED = 42
PARCELS_PER_UNIT = 400
TAGGED_SHARE = 0.2
RECORD_FIELDS = ("BSM", "DLBM", "TBMJ", "KCDLBM", "KCXS", "KCMJ", "TBDLMJ", "ZZLX", "GHDLBM", "GHKCXS", "YNCZ")
PROCESSING_PLUGINS = "/usr/share/qgis/python/plugins"

# Targets from issue 3, item 6
TARGET_BUILD_OVER_FLOOR = 3.0
TARGET_SPEEDUP_VS_QGIS = 10.0
TARGET_P95_MS = 10.0
TARGET_PEAK_MB = 1536.0


# --------------------------------------------------------------------------- helpers
def data_path(n: int) -> Path:
    return DATA / f"township_{n}.gpkg"


def ensure_data(n: int) -> Path:
    """Generate the demo township of ``n`` parcels once (in a subprocess: keeps the parent small)."""
    path = data_path(n)
    if path.exists():
        return path
    DATA.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.stem + ".part.gpkg")
    code = ("import sys; from plugin.demo.writer import write_demo_gpkg; "
            f"write_demo_gpkg(sys.argv[1], n_parcels={n}, seed={SEED}, "
            f"n_units={max(1, n // PARCELS_PER_UNIT)}, tagged_share={TAGGED_SHARE})")
    print(f"generating {path.name} …", file=sys.stderr, flush=True)
    t0 = time.perf_counter()
    subprocess.run([sys.executable, "-c", code, str(tmp)], cwd=ROOT, check=True)
    os.replace(tmp, path)
    print(f"  done in {time.perf_counter() - t0:.0f} s", file=sys.stderr, flush=True)
    return path


def vm_status(key: str) -> float:
    """A /proc/self/status value (VmHWM, VmRSS) in MB."""
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith(key + ":"):
                return int(line.split()[1]) / 1024.0
    return float("nan")


def reset_peak() -> bool:
    """Reset VmHWM to the current RSS (Linux ≥ 4.0); False if not allowed."""
    try:
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")
        return True
    except OSError:
        return False


def timed(fn, repeat: int) -> list[float]:
    out = []
    for _ in range(repeat):
        gc.collect()
        t0 = time.perf_counter()
        fn()
        out.append(time.perf_counter() - t0)
    return out


def percentile(values: list[float], q: float) -> float:
    s = sorted(values)
    if not s:
        return float("nan")
    k = (len(s) - 1) * q
    lo, hi = int(k), min(int(k) + 1, len(s) - 1)
    return s[lo] + (s[hi] - s[lo]) * (k - lo)


def start_qgis():
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from plugin.cli.common import start_qgis as _start

    return _start()


def open_layers(path: Path):
    from plugin.adapters.layers import open_layer

    return (open_layer(f"{path}|layername=DLTB", "DLTB"), open_layer(f"{path}|layername=ZZDY", "ZZDY"),
            open_layer(f"{path}|layername=YJJBNTTB", "YJJBNTTB"))


# --------------------------------------------------------------------------- worker: (a) (b) (d) (e)
def read_floor(layer, attribute_indexes: list[int]) -> int:
    """The least any reader does: every feature's WKB and the needed attributes, kept in lists."""
    from qgis.core import QgsFeatureRequest

    req = QgsFeatureRequest()
    req.setSubsetOfAttributes(attribute_indexes)
    blobs, attrs = [], []
    for f in layer.getFeatures(req):
        blobs.append(f.geometry().asWkb())
        attrs.append(f.attributes())
    return len(blobs)


def engine_worker(n: int, repeat: int, edits: int) -> dict:
    from plugin.adapters.layers import (
        Inputs,
        ParcelReader,
        build_engine,
        parcel_fields,
        read_polygons,
        read_units,
        working_crs,
    )
    from plugin.core.engine import BalanceEngine
    from plugin.core.rules import bundled_pack

    start_qgis()
    parcels_layer, units_layer, pbf_layer = open_layers(data_path(n))
    pack = bundled_pack("national")
    inputs = Inputs(parcels_layer, units_layer, pbf_layer)
    res: dict = {"n": n, "units": units_layer.featureCount(), "rss_start_mb": vm_status("VmRSS")}

    # the attributes a parcel record is made of (``normalize_parcel``'s inputs)
    fm = parcel_fields(parcels_layer)
    crs = working_crs(parcels_layer)
    names = parcels_layer.fields().names()
    mapped = {**fm.parcels, **fm.plan}
    needed = sorted({names.index(mapped[c]) for c in RECORD_FIELDS if mapped.get(c) in names})
    res["attributes_reader"] = len(ParcelReader(parcels_layer, fm, crs).request().subsetOfAttributes())
    res["attributes_read"] = len(needed)

    # (e) peak memory of reading + build + edits: reset the high-water mark first
    res["peak_reset"] = reset_peak()
    t0 = time.perf_counter()
    engine, _reader = build_engine(inputs, pack)
    first_build = time.perf_counter() - t0
    res["rss_after_build_mb"] = vm_status("VmRSS")

    # (d) incremental edits on the live engine
    res["edits"] = incremental(engine, edits)
    res["peak_mb"] = vm_status("VmHWM")
    res["pairs"] = sum(len(engine.parcel_shares(pid)) for pid in engine.parcel_ids())
    res["tagged"] = sum(1 for pid in engine.parcel_ids() if engine.parcel_record(pid).planned)
    del engine, _reader
    gc.collect()

    # (a) read floor
    res["read_floor"] = timed(lambda: read_floor(parcels_layer, needed), repeat)

    # (b) full build (reading included) and build alone
    def full():
        e, r = build_engine(inputs, pack)
        del e, r
    res["build_engine"] = [first_build, *timed(full, max(0, repeat - 1))]

    units = read_units(units_layer, crs)
    reader = ParcelReader(parcels_layer, fm, crs)
    read_times = []
    gc.collect()
    t0 = time.perf_counter()
    parcels = reader.read_fast()  # what build_engine reads a saved GeoPackage with
    if parcels is None:
        parcels = reader.read()
    read_times.append(time.perf_counter() - t0)
    pbf = read_polygons(pbf_layer, crs)

    def build_only():
        e = BalanceEngine(pack=pack)
        e.build(parcels, units, pbf=pbf)
        del e
    res["build_only"] = timed(build_only, repeat)
    parcels.clear()
    res["reader_read"] = read_times
    return res


def incremental(engine, edits: int) -> dict:
    """Latencies (s) of three kinds of edit, ``edits`` of each, on random features; ``<kind>_cpu``: the
    process CPU time of each (all threads: the steadier number on a shared machine)."""
    import shapely
    from shapely import affinity

    from plugin.core.fields import ParcelRecord

    rng = random.Random(SEED)
    in_units = [pid for pid in engine.parcel_ids() if engine.parcel_shares(pid)]
    out: dict = {}

    # tag change: untag a tagged parcel, tag an untagged one
    lat, cpu = [], []
    for pid in rng.sample(in_units, min(edits, len(in_units))):
        old = engine.parcel_record(pid)
        rec = ParcelRecord(**{s: getattr(old, s) for s in ParcelRecord.__slots__})
        if rec.planned:
            rec.zzlx = rec.ghdlbm = rec.ghkcxs = None
        else:
            rec.zzlx, rec.ghdlbm = "NY-TZ", "0103"
        t0, c0 = time.perf_counter(), time.process_time()
        engine.update_parcel_attributes(pid, rec)
        lat.append(time.perf_counter() - t0)
        cpu.append(time.process_time() - c0)
    out["tag"], out["tag_cpu"] = lat, cpu

    # parcel reshape: shrink around the centroid, or push one side out by a few metres
    lat, cpu = [], []
    for pid in rng.sample(in_units, min(edits, len(in_units))):
        g, rec = engine.parcel_geometry(pid), engine.parcel_record(pid)
        if rng.random() < 0.5:
            new = affinity.scale(g, 0.9, 0.9)
        else:
            new = shapely.union(g, shapely.buffer(g, 3.0, join_style="mitre"))
        t0, c0 = time.perf_counter(), time.process_time()
        engine.upsert_parcel(pid, new, rec)
        lat.append(time.perf_counter() - t0)
        cpu.append(time.process_time() - c0)
    out["parcel"], out["parcel_cpu"] = lat, cpu

    # unit reshape: the whole unit moved by 1–10 m (every boundary parcel re-apportioned)
    lat, cpu = [], []
    uids = [uid for uid in engine.unit_ids() if engine.unit_geometry(uid) is not None]
    original = {uid: (engine.unit_code(uid), engine.unit_geometry(uid)) for uid in uids}
    for k in range(edits):
        uid = uids[k % len(uids)] if edits <= len(uids) else rng.choice(uids)
        code, g = original[uid]
        new = affinity.translate(g, rng.uniform(-10, 10), rng.uniform(-10, 10))
        t0, c0 = time.perf_counter(), time.process_time()
        engine.upsert_unit(uid, code, new)
        lat.append(time.perf_counter() - t0)
        cpu.append(time.process_time() - c0)
    out["unit"], out["unit_cpu"] = lat, cpu
    return out


# --------------------------------------------------------------------------- worker: (c)
def qgis_overlay_worker(n: int) -> dict:
    """native:intersection (parcels x units) + pandas group-by, the planner's way."""
    start_qgis()
    if PROCESSING_PLUGINS not in sys.path:
        sys.path.append(PROCESSING_PLUGINS)
    import pandas as pd
    import processing
    from processing.core.Processing import Processing
    from qgis.analysis import QgsNativeAlgorithms
    from qgis.core import QgsApplication, QgsFeatureRequest, QgsProcessingContext, QgsProcessingFeedback

    Processing.initialize()
    if not QgsApplication.processingRegistry().providerById("native"):
        QgsApplication.processingRegistry().addProvider(QgsNativeAlgorithms())
    parcels_layer, units_layer, _pbf = open_layers(data_path(n))
    t0 = time.perf_counter()
    context = QgsProcessingContext()
    result = processing.run("native:intersection", {
        "INPUT": parcels_layer, "OVERLAY": units_layer,
        "INPUT_FIELDS": ["DLBM", "GHDLBM", "TBMJ"], "OVERLAY_FIELDS": ["DYBH"], "OVERLAY_FIELDS_PREFIX": "",
        "OUTPUT": "TEMPORARY_OUTPUT"}, context=context, feedback=QgsProcessingFeedback())
    t1 = time.perf_counter()
    out = result["OUTPUT"]
    layer = out if not isinstance(out, str) else context.getMapLayer(out)
    names = layer.fields().names()
    i_unit, i_dl, i_gh = names.index("DYBH"), names.index("DLBM"), names.index("GHDLBM")
    rows = []
    for f in layer.getFeatures(QgsFeatureRequest()):
        a = f.attributes()
        rows.append((a[i_unit], a[i_dl], a[i_gh] or a[i_dl], f.geometry().area()))
    frame = pd.DataFrame(rows, columns=["unit", "dlbm", "ghdlbm", "area"])
    before = frame.groupby(["unit", "dlbm"])["area"].sum()
    after = frame.groupby(["unit", "ghdlbm"])["area"].sum()
    t2 = time.perf_counter()
    return {"overlay_s": t1 - t0, "aggregate_s": t2 - t1, "total_s": t2 - t0, "pieces": len(frame),
            "rows": len(before) + len(after), "peak_mb": vm_status("VmHWM")}


# --------------------------------------------------------------------------- parent
def run_worker(args: list[str], timeout: float | None = None) -> dict | None:
    """Run one worker subprocess; None when it outlived ``timeout``."""
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    cmd = [sys.executable, "-m", "bench.engine_bench", *args]
    try:
        proc = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        return None
    if proc.returncode != 0:
        sys.stderr.write(proc.stderr)
        raise RuntimeError(f"worker {' '.join(args)} failed ({proc.returncode})")
    last = [line for line in proc.stdout.splitlines() if line.startswith("{")][-1]
    return json.loads(last)


def fmt_s(values: list[float]) -> str:
    if not values:
        return "–"
    return f"{min(values):.2f} / {statistics.median(values):.2f}"


def fmt_size(n: int) -> str:
    return f"{n // 1_000_000} M" if n % 1_000_000 == 0 else f"{n // 1000} k"


def verdict(ok: bool | None) -> str:
    return {True: "pass", False: "**MISS**", None: "–"}[ok]


def make_table(results: dict[int, dict], meta: dict) -> str:
    sizes = sorted(results)
    head = "| measure | target | " + " | ".join(f"{fmt_size(n)} parcels" for n in sizes) + " |"
    lines = [head, "|" + "---|" * (2 + len(sizes))]

    def row(name: str, target: str, cells: list[str]) -> None:
        lines.append(f"| {name} | {target} | " + " | ".join(cells) + " |")

    def get(n, *keys):
        v = results[n]
        for k in keys:
            v = v.get(k) if isinstance(v, dict) else None
        return v

    row("units / pairs / tagged", "", [f"{get(n, 'units')} / {get(n, 'pairs')} / {get(n, 'tagged')}" for n in sizes])
    row("(a) read floor, s (min / median)", "", [fmt_s(get(n, "read_floor")) for n in sizes])
    row("(b) full build incl. reading (`build_engine`), s", "", [fmt_s(get(n, "build_engine")) for n in sizes])
    row("(b) of which the parcel read (`read_fast`), s", "", [fmt_s(get(n, "reader_read")) for n in sizes])
    row("(b) `BalanceEngine.build` alone, s", "", [fmt_s(get(n, "build_only")) for n in sizes])
    cells = []
    for n in sizes:
        ratio = min(get(n, "build_engine")) / min(get(n, "read_floor"))
        cells.append(f"{ratio:.1f}× {verdict(ratio <= TARGET_BUILD_OVER_FLOOR)}")
    row("(b)/(a) build over read floor", f"≤ {TARGET_BUILD_OVER_FLOOR:g}×", cells)
    cells = []
    for n in sizes:
        q = get(n, "qgis")
        if q is None or "total_s" not in q:
            cells.append(f"> {meta['qgis_timeout']:g} s" if q is not None else "not run")
        else:
            cells.append(f"{q['total_s']:.1f} ({q['overlay_s']:.1f} + {q['aggregate_s']:.1f})")
    row("(c) `native:intersection` + pandas, s (overlay + group-by)", "", cells)
    cells = []
    for n in sizes:
        q = get(n, "qgis")
        b = min(get(n, "build_engine"))
        if q is None:
            cells.append("–")
        elif "total_s" not in q:
            cells.append(f"> {meta['qgis_timeout'] / b:.0f}× pass" if meta["qgis_timeout"] / b >= TARGET_SPEEDUP_VS_QGIS
                         else f"> {meta['qgis_timeout'] / b:.0f}×")
        else:
            sp = q["total_s"] / b
            cells.append(f"{sp:.0f}× {verdict(sp >= TARGET_SPEEDUP_VS_QGIS) if n == 200_000 else ''}".strip())
    row("(c)/(b) speed-up of the engine", f"≥ {TARGET_SPEEDUP_VS_QGIS:g}× at 200 k", cells)
    worst = {}
    for kind, label in (("tag", "tag change (`update_parcel_attributes`)"),
                        ("parcel", "parcel reshape (`upsert_parcel`)"),
                        ("unit", "unit reshape (`upsert_unit`)")):
        cells = []
        for n in sizes:
            lat = get(n, "edits", kind) or []
            p50, p95 = percentile(lat, 0.5) * 1e3, percentile(lat, 0.95) * 1e3
            worst.setdefault(kind, []).append(p95)
            cells.append(f"{p50:.2f} / {p95:.2f} {verdict(p95 <= TARGET_P95_MS)}")
        row(f"(d) {label}, ms p50 / p95 (n={len(get(sizes[0], 'edits', kind) or [])})",
            f"p95 ≤ {TARGET_P95_MS:g} ms, flat", cells)
    cells = []
    for n in sizes:
        peak = get(n, "peak_mb")
        cells.append(f"{peak:,.0f} {verdict(peak <= TARGET_PEAK_MB) if n == 1_000_000 else ''}".strip())
    row("(e) peak RSS (VmHWM), MB", f"≤ {TARGET_PEAK_MB:,.0f} at 1 M", cells)
    row("(e) RSS at start (QGIS) → after build, MB", "",
        [f"{get(n, 'rss_start_mb'):,.0f} → {get(n, 'rss_after_build_mb'):,.0f}" for n in sizes])
    out = [f"# Engine benchmark — {meta['date']}", "",
           f"Machine: {meta['machine']}; load before/after: {meta['load_before']} / {meta['load_after']}; "
           f"repeats: {meta['repeat']}; edits per kind: {meta['edits']}; "
           f"QGIS overlay timeout {meta['qgis_timeout']:g} s.",
           "Times are min / median of the repeats; (a) iterates WKB + "
           f"{results[sizes[0]].get('attributes_read')} attributes (`ParcelReader` asks for "
           f"{results[sizes[0]].get('attributes_reader')}); flat = p95 at the largest size within 2× of the smallest.",
           "", *lines, ""]
    flat = []
    for kind, p95s in worst.items():
        ok = p95s[-1] <= 2 * max(p95s[0], 0.5)
        flat.append(f"{kind}: {'flat' if ok else 'NOT flat'} ({p95s[0]:.2f} → {p95s[-1]:.2f} ms)")
    out.append("Incremental p95 from smallest to largest size — " + "; ".join(flat) + ".")
    return "\n".join(out) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.engine_bench", description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=list(SIZES))
    parser.add_argument("--repeat", type=int, default=3, help="timing repeats (min and median reported)")
    parser.add_argument("--edits", type=int, default=250, help="incremental edits per kind (≥ 200)")
    parser.add_argument("--qgis-timeout", type=float, default=600.0, help="cap of (c) per run, seconds")
    parser.add_argument("--qgis-repeat", type=int, default=1, help="runs of (c) per size")
    parser.add_argument("--skip-qgis", action="store_true", help="skip (c)")
    parser.add_argument("--worker", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--qgis-worker", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker:
        print(json.dumps(engine_worker(args.worker, args.repeat, args.edits)))
        return 0
    if args.qgis_worker:
        print(json.dumps(qgis_overlay_worker(args.qgis_worker)))
        return 0

    meta = {"date": _dt.datetime.now().strftime("%Y-%m-%d %H:%M"), "repeat": args.repeat, "edits": args.edits,
            "qgis_timeout": args.qgis_timeout, "load_before": " ".join(f"{x:.2f}" for x in os.getloadavg()),
            "machine": f"{platform.node()} {os.cpu_count()} cores, Python {platform.python_version()}"}
    results: dict[int, dict] = {}
    for n in args.sizes:
        ensure_data(n)
    for n in args.sizes:
        print(f"[{fmt_size(n)}] engine …", file=sys.stderr, flush=True)
        results[n] = run_worker(["--worker", str(n), "--repeat", str(args.repeat), "--edits", str(args.edits)])
        if not args.skip_qgis:
            print(f"[{fmt_size(n)}] native:intersection …", file=sys.stderr, flush=True)
            runs = []
            for _ in range(args.qgis_repeat):
                q = run_worker(["--qgis-worker", str(n)], timeout=args.qgis_timeout)
                if q is None:
                    runs = [{"timeout": args.qgis_timeout}]
                    break
                runs.append(q)
            results[n]["qgis"] = min(runs, key=lambda q: q.get("total_s", float("inf")))
            results[n]["qgis_runs"] = runs
    meta["load_after"] = " ".join(f"{x:.2f}" for x in os.getloadavg())
    table = make_table(results, meta)
    RESULTS.mkdir(parents=True, exist_ok=True)
    stamp = _dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    (RESULTS / f"engine_{stamp}.md").write_text(table, encoding="utf-8")
    (RESULTS / "latest.md").write_text(table, encoding="utf-8")
    (RESULTS / f"engine_{stamp}.json").write_text(json.dumps({"meta": meta, "results": {
        str(k): v for k, v in results.items()}}), encoding="utf-8")
    print(table)
    return 0


if __name__ == "__main__":
    sys.exit(main())
