"""Our balance against what a planner or an analyst would run instead, on the same GeoPackage, in one run.

    .venv/bin/pip install -r bench/requirements.txt           # geopandas + pyogrio, for (c) only
    QT_QPA_PLATFORM=offscreen .venv/bin/python -m bench.pipelines_bench                  # 200 000 parcels
    QT_QPA_PLATFORM=offscreen .venv/bin/python -m bench.pipelines_bench --parcels 20000 --repeat 3
    QT_QPA_PLATFORM=offscreen .venv/bin/python -m bench.pipelines_bench --scale 200000 1000000 5000000

(a) ours      ``python -m plugin.cli balance`` as a whole process (interpreter, QGIS start, read,
              build, the GeoPackage written), without and with ``--pbf``; wall and CPU time; ``--baseline
              DIR`` also runs it from another checkout (``git archive main | tar -x -C DIR``).
(b) QGIS      ``native:intersection`` parcels × units + a pandas group-by of the pieces' areas by unit
              and DLBM / GHDLBM (``engine_bench.qgis_overlay_worker``), as a whole Python process
              (interpreter, QGIS and Processing start included): a planner's way. One
              ``qgis_process`` call cannot also aggregate, hence a Python process.
(c) geopandas ``read_file`` DLTB (DLBM, TBMJ) and units, ``overlay(how="intersection")``, area,
              ``groupby`` — in this process, timed from the read to the result (the interpreter and
              the geopandas import left out): an analyst's way. It does far less than (a).
(r) reader    ``ParcelReader.read_columns`` against ``read_fast`` (records) on the same layer, in a
              subprocess.

``--scale``: a township of N parcels made in bulk (a numpy grid of 30 m squares, 400 per unit, 20 %
tagged; ``bulk_township``), then the CLI balance on it: wall time and the process's peak RSS.
Results: printed, and written to ``bench/results/pipelines_<date>.md`` / ``.json``.
"""
from __future__ import annotations

import argparse
import datetime as _dt
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.engine_bench import DATA, RESULTS, ROOT, ensure_data

TARGET_VS_QGIS = 10.0
TARGET_VS_GEOPANDAS = 1.5


def _env() -> dict:
    return dict(os.environ, QT_QPA_PLATFORM="offscreen")


def _loadavg() -> str:
    with open("/proc/loadavg") as f:
        return " ".join(f.read().split()[:3])


def wall(cmd: list[str], timeout: float | None = None, cwd: Path = ROOT) -> tuple[float, float, float]:
    """(seconds, peak RSS in MiB (``ru_maxrss / 1024``; × 1.048576 for MB), CPU seconds: user + system) of
    a whole process; (inf, nan, nan) if it outlived ``timeout``."""
    import threading

    t0 = time.perf_counter()
    err = tempfile.TemporaryFile()
    proc = subprocess.Popen(cmd, cwd=cwd, env=_env(), stdout=subprocess.DEVNULL, stderr=err)
    timer = threading.Timer(timeout, proc.kill) if timeout else None
    if timer:
        timer.start()
    _pid, status, usage = os.wait4(proc.pid, 0)
    seconds = time.perf_counter() - t0
    if timer:
        timer.cancel()
        if timeout and seconds >= timeout:
            return float("inf"), float("nan"), float("nan")
    err.seek(0)
    said = err.read().decode(errors="replace")[-2000:]
    err.close()
    if os.waitstatus_to_exitcode(status) != 0:
        raise RuntimeError(f"{' '.join(cmd[:4])} … failed: {said}")
    return seconds, usage.ru_maxrss / 1024.0, usage.ru_utime + usage.ru_stime


def cli_cmd(path: Path, out: Path, pbf: bool) -> list[str]:
    cmd = [sys.executable, "-m", "plugin.cli", "balance", "--parcels", f"{path}|layername=DLTB",
           "--units", f"{path}|layername=ZZDY", "--out", str(out), "--overwrite"]
    return cmd + (["--pbf", f"{path}|layername=YJJBNTTB"] if pbf else [])


def qgis_cmd(n: int) -> list[str]:
    return [sys.executable, "-c", "import json; from bench.engine_bench import qgis_overlay_worker; "
            f"print(json.dumps(qgis_overlay_worker({n})))"]


def reader_cmd(path: Path) -> list[str]:
    return [sys.executable, "-m", "bench.pipelines_bench", "--reader-worker", str(path)]


def geopandas_pipeline(path: Path) -> tuple[float, int]:
    """(seconds from read to result, rows of the result) of the analyst's pipeline."""
    import geopandas as gpd

    t0 = time.perf_counter()
    parcels = gpd.read_file(path, layer="DLTB", columns=["DLBM", "TBMJ"], engine="pyogrio")
    units = gpd.read_file(path, layer="ZZDY", columns=["DYBH"], engine="pyogrio")
    pieces = gpd.overlay(parcels, units, how="intersection")
    pieces["area"] = pieces.geometry.area
    table = pieces.groupby(["DYBH", "DLBM"])["area"].sum()
    return time.perf_counter() - t0, len(table)


def reader_worker(path: str) -> None:
    """(r): read_fast (records) and read_columns of the same layer, alternately, twice."""
    from bench.engine_bench import start_qgis
    from plugin.adapters.layers import ParcelReader, open_layer, parcel_fields, working_crs

    start_qgis()
    layer = open_layer(f"{path}|layername=DLTB", "DLTB")
    fm, crs = parcel_fields(layer), working_crs(layer)
    out: dict[str, list] = {"read_fast": [], "read_columns": []}
    for _ in range(2):
        for name in out:
            reader = ParcelReader(layer, fm, crs)
            t0 = time.perf_counter()
            result = getattr(reader, name)()
            out[name].append(time.perf_counter() - t0)
            del result
    print(json.dumps(out))


def _times(fn, repeat: int) -> list:
    return [fn() for _ in range(repeat)]


def compare(n: int, repeat: int, qgis_timeout: float, baseline: Path | None = None) -> dict:
    path = ensure_data(n)
    res: dict = {"parcels": n, "load_before": _loadavg()}
    res["ours"], res["baseline"], res["ours_pbf"] = [], [], []
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "balance.gpkg"
        for k in range(repeat):  # interleaved: a change of load hits both alike
            res["ours"].append(wall(cli_cmd(path, out, False)))
            if baseline is not None:  # the same command from another checkout (e.g. main before a change)
                res["baseline"].append(wall(cli_cmd(path, out, False), cwd=baseline))
            if k == 0:  # once: the township limits make it long, and it is not what the others do
                res["ours_pbf"].append(wall(cli_cmd(path, out, True)))
    res["qgis"] = _times(lambda: wall(qgis_cmd(n), qgis_timeout), max(1, repeat - 1))
    try:
        res["geopandas"] = _times(lambda: geopandas_pipeline(path), repeat)
    except ImportError:
        res["geopandas"] = None  # pip install -r bench/requirements.txt
    proc = subprocess.run(reader_cmd(path), cwd=ROOT, env=_env(), capture_output=True, text=True, check=True)
    res["reader"] = json.loads(proc.stdout.splitlines()[-1])
    res["load_after"] = _loadavg()
    return res


def _s(values: list[float]) -> str:
    return f"{min(values):.2f} / {statistics.median(values):.2f}"


def table(res: dict) -> list[str]:
    ours = min(run[0] for run in res["ours"])
    lines = [f"{res['parcels']} parcels; load average {res['load_before']} → {res['load_after']}; min / median s", "",
             "| pipeline | seconds | CPU s (min / median) | peak RSS MiB | ours (no --pbf) vs it |",
             "|---|---|---|---|---|"]
    def row(name, runs, ratio=True):
        secs, mem = [run[0] for run in runs], max(run[1] for run in runs)
        cpu = _s([run[2] for run in runs]) if all(len(run) > 2 for run in runs) else "–"
        rel = f"{min(secs) / ours:.2f}× ({'faster' if min(secs) > ours else 'slower'})" if ratio else ""
        lines.append(f"| {name} | {_s(secs)} | {cpu} | {mem:.0f} | {rel} |")
    row("(a) `plugin.cli balance`, whole process", res["ours"], ratio=False)
    row("(a) `plugin.cli balance --pbf` (+ PBF and township limits), whole process", res["ours_pbf"], ratio=False)
    if res.get("baseline"):
        row("(a0) `plugin.cli balance` of the baseline checkout (`--baseline`), whole process", res["baseline"])
    row("(b) QGIS `native:intersection` + group-by, whole process", res["qgis"])
    if res["geopandas"]:
        secs = [t for t, _rows in res["geopandas"]]
        lines.append(f"| (c) geopandas read + overlay + area + groupby, in-process | {_s(secs)} | – | – | "
                     f"{min(secs) / ours:.2f}× |")
    r = res["reader"]
    lines += ["", f"(r) parcel read alone: `read_fast` (records) {_s(r['read_fast'])} s, "
              f"`read_columns` {_s(r['read_columns'])} s ({min(r['read_fast']) / min(r['read_columns']):.1f}×)",
              f"targets: ≥ {TARGET_VS_QGIS:.0f}× faster than (b), ≥ {TARGET_VS_GEOPANDAS}× faster than (c)"]
    return lines


# --------------------------------------------------------------------------- scale
def bulk_township(n: int, path: Path, seed: int = 7) -> None:
    """A township of about ``n`` parcels, written fast: a grid of 30 m squares (MultiPolygons, EPSG:4527),
    units of 20 × 20 parcels shifted by half a parcel (so their edges cut parcels), 20 % tagged,
    farmland with a slope coefficient. Needs pyogrio (bench/requirements.txt)."""
    import numpy as np
    import pyogrio
    import shapely

    rng = np.random.default_rng(seed)
    side, size = int(np.ceil(np.sqrt(n))), 30.0
    n = side * side
    ix, iy = np.divmod(np.arange(n), side)
    x0, y0 = 39_500_000.0 + ix * size, 3_400_000.0 + iy * size
    polys = shapely.multipolygons(shapely.box(x0, y0, x0 + size, y0 + size), indices=np.arange(n))
    codes = np.array(["0101", "0102", "0103", "0201", "0301", "0404", "0601", "0702", "1001", "1006", "1101",
                      "1203"], dtype=object)
    dlbm = codes[rng.choice(len(codes), n, p=[.25, .05, .2, .05, .15, .05, .03, .1, .03, .02, .04, .03])]
    farmland = np.char.startswith(dlbm.astype(str), "01")
    tbmj = np.round(size * size * rng.uniform(0.995, 1.005, n), 2)
    kcxs = np.where(farmland, rng.choice([0.03, 0.05, 0.08], n), np.nan)
    kcmj = np.round(np.where(farmland, tbmj * kcxs, 0.0), 2)
    tagged = rng.random(n) < 0.2
    none = np.full(n, None, dtype=object)
    fields = {
        "BSM": np.char.add("341122", np.char.zfill(np.arange(n).astype(str), 12)).astype(object),
        "DLBM": dlbm, "TBMJ": tbmj, "KCDLBM": np.where(farmland, "1203", None).astype(object),
        "KCXS": kcxs, "KCMJ": kcmj, "TBDLMJ": np.round(tbmj - kcmj, 2),
        "ZLDWDM": np.char.add("341122", np.char.zfill((ix // 300).astype(str), 3)).astype(object),
        "ZZLX": np.where(tagged, "NY-TZ", none).astype(object),
        "GHDLBM": np.where(tagged, "0103", none).astype(object),
        "GHKCXS": np.where(tagged, 0.05, np.nan),
    }
    kw = {"driver": "GPKG", "crs": "EPSG:4527", "geometry_type": "MultiPolygon"}
    pyogrio.raw.write(str(path), shapely.to_wkb(polys), list(fields.values()), list(fields), layer="DLTB", **kw)
    usize, shift = 20 * size, size / 2
    nu = int(np.ceil(side / 20))
    ux, uy = np.divmod(np.arange(nu * nu), nu)
    ux0, uy0 = 39_500_000.0 + ux * usize + shift, 3_400_000.0 + uy * usize + shift
    units = shapely.multipolygons(shapely.box(ux0, uy0, ux0 + usize, uy0 + usize), indices=np.arange(nu * nu))
    dybh = np.char.add("DY", np.char.zfill(np.arange(nu * nu).astype(str), 6)).astype(object)
    pyogrio.raw.write(str(path), shapely.to_wkb(units), [dybh], ["DYBH"], layer="ZZDY", append=True, **kw)


def scale(sizes: list[int]) -> list[dict]:
    out = []
    for n in sizes:
        path = DATA / f"bulk_{n}.gpkg"
        res = {"parcels": n, "load_before": _loadavg()}
        if not path.exists():
            DATA.mkdir(parents=True, exist_ok=True)
            tmp = path.with_name(path.stem + ".part.gpkg")
            tmp.unlink(missing_ok=True)
            t0 = time.perf_counter()
            bulk_township(n, tmp)
            os.replace(tmp, path)
            res["generate_s"] = time.perf_counter() - t0
        with tempfile.TemporaryDirectory() as tmp:
            res["cli_s"], res["cli_peak_mb"], res["cli_cpu_s"] = wall(cli_cmd(path, Path(tmp) / "b.gpkg", False))
        res["load_after"] = _loadavg()
        print(json.dumps(res), flush=True)
        out.append(res)
    return out


def scale_table(rows: list[dict]) -> list[str]:
    lines = ["| parcels | generated in | CLI balance, whole process | peak RSS | load |", "|---:|---:|---:|---:|---|"]
    for r in rows:
        gen = f"{r['generate_s']:.0f} s" if "generate_s" in r else "(cached)"
        peak = r["cli_peak_mb"]
        lines.append(f"| {r['parcels']:,} | {gen} | {r['cli_s']:.1f} s | {peak:.0f} MiB ({peak * 1.048576:.0f} MB) | "
                     f"{r['load_before']} |")
    return lines


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench.pipelines_bench")
    ap.add_argument("--parcels", type=int, default=200_000)
    ap.add_argument("--repeat", type=int, default=2)
    ap.add_argument("--qgis-timeout", type=float, default=900.0)
    ap.add_argument("--scale", type=int, nargs="*", help="sizes for the bulk-generated scale run (no comparison)")
    ap.add_argument("--baseline", type=Path, help="also time the CLI of this checkout (e.g. an export of main)")
    ap.add_argument("--reader-worker", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.reader_worker:
        reader_worker(args.reader_worker)
        return 0
    RESULTS.mkdir(parents=True, exist_ok=True)
    stamp = _dt.datetime.now().strftime("%Y%m%d_%H%M")
    if args.scale:
        rows = scale(args.scale)
        lines, raw = scale_table(rows), rows
    else:
        res = compare(args.parcels, args.repeat, args.qgis_timeout, args.baseline)
        lines, raw = table(res), res
    text = "\n".join(lines)
    print(text)
    kind = "scale" if args.scale else "pipelines"
    (RESULTS / f"{kind}_{stamp}.md").write_text(text + "\n", encoding="utf-8")
    (RESULTS / f"{kind}_{stamp}.json").write_text(json.dumps(raw, indent=1, default=str), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
