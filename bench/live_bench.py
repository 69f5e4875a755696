"""Latency of the live balance: from a single-feature edit to ``updated`` with current numbers.

    .venv/bin/python -m bench.live_bench                 # 200 000 parcels, 120 edits per kind
    .venv/bin/python -m bench.live_bench --parcels 20000 --edits 200

The demo township (``plugin.demo.writer``, seed 42, about 400 parcels per unit)
is generated once into ``bench/data/live_<n>.gpkg``. The layers are opened in edit mode,
``LiveBalance`` is started synchronously, then for each edit kind the clock runs from the
edit call (``changeAttributeValue`` / ``changeGeometry`` on the real layer, through the
edit buffer) until ``LiveBalance.updated`` has been emitted — i.e. signal handling, the
coalescing timer's event-loop turn, reading the feature with ``setFilterFids`` and the
engine's incremental update. At the end the live engine is compared with a fresh full
build of the edited layers, and the edits are rolled back (the file is never changed).

Results: printed, and written to ``bench/results/live_<date>.md|json`` and
``bench/results/live_latest.md``. Target: p95 ≤ 50 ms per kind at 200 k parcels.
"""
from __future__ import annotations

import argparse
import datetime as _dt
import json
import os
import platform
import random
import sys
import time
from pathlib import Path

from bench.engine_bench import percentile

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "bench" / "data"
RESULTS = ROOT / "bench" / "results"
SEED = 42
TARGET_MS = 50.0
TYPES = [("NY-GB", "0101"), ("NY-KF", "0103"), ("NY-HF", "0102"), ("ST-KS", "0301"), ("JS-FK", "0103")]


def ensure_data(n: int) -> Path:
    path = DATA / f"live_{n}.gpkg"
    if not path.exists():
        from plugin.demo.writer import write_demo_gpkg

        DATA.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".part.gpkg")
        print(f"generating {path} …", flush=True)
        write_demo_gpkg(str(tmp), n_parcels=n, seed=SEED)
        os.replace(tmp, path)
    return path


def run(n: int, edits: int) -> dict:
    from qgis.core import QgsApplication, QgsFeatureRequest, QgsGeometry, QgsVectorLayer
    from qgis.PyQt.QtCore import QCoreApplication

    app = QgsApplication([], False)
    app.initQgis()
    from plugin.adapters.layers import Inputs, build_engine
    from plugin.adapters.live import LiveBalance
    from plugin.core.rules import load_pack

    path = ensure_data(n)
    layers = {name: QgsVectorLayer(f"{path}|layername={name}", name, "ogr") for name in ("DLTB", "ZZDY", "YJJBNTTB")}
    for lyr in layers.values():
        assert lyr.isValid(), lyr.source()
        lyr.startEditing()
    dltb, zzdy = layers["DLTB"], layers["ZZDY"]
    pack = load_pack("national")
    live = LiveBalance(Inputs(dltb, zzdy, layers["YJJBNTTB"], unit_field="DYBH"), pack)
    failures: list[str] = []
    live.failed.connect(failures.append)
    counter = [0]
    live.updated.connect(lambda: counter.__setitem__(0, counter[0] + 1))
    t0 = time.perf_counter()
    assert live.start(background=False), failures
    build_s = time.perf_counter() - t0
    if os.environ.get("LIVE_BENCH_GC") == "freeze":
        import gc
        gc.freeze()
    gc_times: list[float] = []
    if os.environ.get("LIVE_BENCH_GC_TRACE"):
        import gc
        _start = [0.0]

        def _cb(phase, info):
            if phase == "start":
                _start[0] = time.perf_counter()
            elif info["generation"] == 2:
                gc_times.append((time.perf_counter() - _start[0]) * 1000)
        gc.callbacks.append(_cb)
    engine = live.engine
    rng = random.Random(SEED)
    in_units = sorted(pid for pid in engine.parcel_ids() if engine.parcel_shares(pid))
    zi, gi = dltb.fields().indexOf("ZZLX"), dltb.fields().indexOf("GHDLBM")

    def timed(edit) -> tuple[float, float]:
        before = counter[0]
        t = time.perf_counter()
        edit()
        while counter[0] == before:
            QCoreApplication.processEvents()
        return (time.perf_counter() - t) * 1000.0, live.last_flush_ms

    results: dict[str, dict] = {}

    def measure(kind: str, make_edits) -> None:
        total, flush = [], []
        for edit in make_edits():
            a, b = timed(edit)
            total.append(a)
            flush.append(b)
        results[kind] = {
            "_samples": total, "n": len(total), "p50_ms": percentile(total, 0.5), "p95_ms": percentile(total, 0.95),
            "max_ms": max(total), "flush_p50_ms": percentile(flush, 0.5), "flush_p95_ms": percentile(flush, 0.95),
        }
        if kind != "split (Split Features)":
            results[kind].pop("_samples")
        print(f"{kind:<16} p50 {results[kind]['p50_ms']:7.2f} ms  p95 {results[kind]['p95_ms']:7.2f} ms  "
              f"(flush p95 {results[kind]['flush_p95_ms']:.2f} ms)", flush=True)

    def tag_edits():
        for pid in rng.sample(in_units, edits):
            zzlx, gh = rng.choice(TYPES)
            yield lambda pid=pid, zzlx=zzlx, gh=gh: (dltb.changeAttributeValue(pid, zi, zzlx),
                                                     dltb.changeAttributeValue(pid, gi, gh))

    def tag_single_edits():
        for pid in rng.sample(in_units, edits):
            yield lambda pid=pid: dltb.changeAttributeValue(pid, zi, rng.choice(TYPES)[0])

    def parcel_edits():
        pids = rng.sample(in_units, edits)
        geoms = {f.id(): QgsGeometry(f.geometry()) for f in dltb.getFeatures(QgsFeatureRequest().setFilterFids(pids))}
        for pid in pids:
            g = QgsGeometry(geoms[pid])
            g.translate(rng.uniform(-3, 3), rng.uniform(-3, 3))
            yield lambda pid=pid, g=g: dltb.changeGeometry(pid, g)

    def unit_edits():
        units = {f.id(): QgsGeometry(f.geometry()) for f in zzdy.getFeatures()}
        uids = sorted(units)
        for _ in range(edits):
            uid = rng.choice(uids)
            g = QgsGeometry(units[uid])
            g.translate(rng.uniform(-5, 5), rng.uniform(-5, 5))  # the boundary moved a little
            units[uid] = QgsGeometry(g)
            yield lambda uid=uid, g=g: zzdy.changeGeometry(uid, g)

    def split_edits():
        """QGIS's Split Features on parcels crossing a unit boundary, cut along it (one edit command each):
        the clock includes QGIS's split, the engine update and the shares written into the pieces."""
        from qgis.core import QgsGeometry as G
        from qgis.core import QgsLineString, QgsRectangle

        units = {f.id(): f.geometry() for f in zzdy.getFeatures()}
        crossing = [pid for pid in in_units if len(engine.parcel_shares(pid)) == 2
                    and all(0.2 < s < 0.8 for _u, s, _b in engine.parcel_shares(pid))]
        rng.shuffle(crossing)
        cuts = []
        for pid in crossing:
            box = dltb.getFeature(pid).geometry().boundingBox()
            box.grow(2.0)
            line = G(units[engine.parcel_shares(pid)[0][0]].convertToType(1, False)).clipped(QgsRectangle(box))
            if not line.isEmpty() and not line.isMultipart():
                cuts.append((pid, QgsLineString(list(line.vertices()))))
            if len(cuts) == edits:
                break

        def cut(pid, points):
            t0 = time.perf_counter()
            dltb.selectByIds([pid])
            dltb.beginEditCommand("Features split")
            dltb.splitFeatures(points, False, False)
            qgis_split_ms.append((time.perf_counter() - t0) * 1000.0)  # QGIS's own work, before the plugin's
            dltb.endEditCommand()

        for pid, points in cuts:
            yield lambda pid=pid, points=points: cut(pid, points)

    before_split = {r[:2]: r[2] for r in live.engine.balance_rows()}
    qgis_split_ms: list[float] = []
    measure("split (Split Features)", split_edits)
    split = results["split (Split Features)"]
    plugin_ms = [t - q for t, q in zip(split.pop("_samples"), qgis_split_ms)]
    results["split: plugin part (edit command end → updated)"] = {
        "n": len(plugin_ms), "p50_ms": percentile(plugin_ms, 0.5), "p95_ms": percentile(plugin_ms, 0.95),
        "max_ms": max(plugin_ms), "flush_p50_ms": split["flush_p50_ms"], "flush_p95_ms": split["flush_p95_ms"]}
    results["split: QGIS's splitFeatures alone"] = {
        "n": len(qgis_split_ms), "p50_ms": percentile(qgis_split_ms, 0.5),
        "p95_ms": percentile(qgis_split_ms, 0.95), "max_ms": max(qgis_split_ms), "flush_p50_ms": 0.0,
        "flush_p95_ms": 0.0}
    for kind in list(results)[-2:]:
        print(f"{kind:<16} p50 {results[kind]['p50_ms']:7.2f} ms  p95 {results[kind]['p95_ms']:7.2f} ms", flush=True)
    dltb.removeSelection()
    after_split = {r[:2]: r[2] for r in live.engine.balance_rows()}
    split_drift = max(abs(after_split.get(k, 0.0) - v) for k, v in before_split.items())
    print(f"largest change of a 'before' row after the splits: {split_drift:.6f} m²", flush=True)
    measure("tag (1 field)", tag_single_edits)
    measure("tag (ZZLX+GHDLBM)", tag_edits)
    measure("parcel geometry", parcel_edits)
    measure("unit reshape", unit_edits)

    t0 = time.perf_counter()
    fresh, _ = build_engine(live.inputs, pack)
    check_s = time.perf_counter() - t0
    current = fresh.fingerprint() == live.engine.fingerprint() and fresh.balance_rows() == live.engine.balance_rows()
    if gc_times:
        print(f"gen-2 collections: {len(gc_times)}, ms: {sorted(gc_times)[-5:]}")
    live.stop()
    for lyr in layers.values():
        lyr.rollBack()
    info = {
        "date": _dt.datetime.now().strftime("%Y-%m-%d %H:%M"), "parcels": engine.parcel_count(),
        "units": live.engine.unit_count(), "edits_per_kind": edits, "initial_build_s": build_s,
        "fresh_build_s": check_s, "live_equals_full_build": current, "failures": failures,
        "split_before_row_drift_m2": split_drift,
        "machine": f"{platform.node()} {os.cpu_count()} cores, Python {platform.python_version()}",
        "load": os.getloadavg(), "results": results,
    }
    return info


def markdown(info: dict) -> str:
    lines = [f"# Live balance benchmark — {info['date']}", "",
             f"Machine: {info['machine']}; load after: {' '.join(f'{x:.2f}' for x in info['load'])}.",
             f"{info['parcels']} parcels, {info['units']} units; initial build {info['initial_build_s']:.1f} s; "
             f"{info['edits_per_kind']} edits per kind; live numbers equal a fresh full build after all edits: "
             f"**{'yes' if info['live_equals_full_build'] else 'NO'}**; largest change of a 'before' row "
             f"after the splits: {info['split_before_row_drift_m2']:.6f} m² (target ≤ 0.05).", "",
             "Latency = edit call on the layer → `updated` emitted (signal, event-loop turn, read through the "
             "edit buffer, incremental engine update). `flush` = the part spent in `LiveBalance.flush`.", "",
             f"| edit | p50 ms | p95 ms | max ms | flush p50 / p95 ms | target p95 ≤ {TARGET_MS:.0f} ms |",
             "|---|---|---|---|---|---|"]
    for kind, r in info["results"].items():
        ok = "pass" if r["p95_ms"] <= TARGET_MS else "**MISS**"
        lines.append(f"| {kind} | {r['p50_ms']:.2f} | {r['p95_ms']:.2f} | {r['max_ms']:.2f} | "
                     f"{r['flush_p50_ms']:.2f} / {r['flush_p95_ms']:.2f} | {ok} |")
    return "\n".join(lines) + "\n"


def save_results(name: str, info: dict, md: str) -> None:
    """bench/results/<name>_<stamp>.json|.md and <name>_latest.md."""
    RESULTS.mkdir(parents=True, exist_ok=True)
    stamp = _dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    (RESULTS / f"{name}_{stamp}.json").write_text(json.dumps(info, indent=2, ensure_ascii=False))
    (RESULTS / f"{name}_{stamp}.md").write_text(md)
    (RESULTS / f"{name}_latest.md").write_text(md)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--parcels", type=int, default=200_000)
    ap.add_argument("--edits", type=int, default=120)
    args = ap.parse_args(argv)
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    info = run(args.parcels, args.edits)
    md = markdown(info)
    print(md)
    save_results("live", info, md)
    return 0 if info["live_equals_full_build"] and not info["failures"] else 1


if __name__ == "__main__":
    sys.exit(main())
