"""Benchmark: plan GeoPackage export vs ``ogr2ogr`` copying the same source layers (the floor).

    .venv/bin/python bench/export_bench.py [--parcels 200000] [--repeat 1] [--full-validation]

The floor is ``/usr/bin/ogr2ogr -f GPKG`` copying DLTB, ZZDY and YJJBNTTB of the source
into a new GeoPackage. The export is timed in two parts: the one engine build (reading the
layers, the spatial join; shared with the balance command) and the writing (units, clipped
parcels, tables, styles, project, metadata, validation, move into place). The target is
writing ≤ 3 × the floor; the table shows min and median over ``--repeat`` runs (the machine is
shared: the load average is printed too). Data: ``bench/data/export_<N>.gpkg`` (made with the demo writer if
missing).
"""
from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

OGR2OGR = shutil.which("ogr2ogr", path="/usr/bin") or "ogr2ogr"
LAYERS = ("DLTB", "ZZDY", "YJJBNTTB")


def data_file(n: int) -> Path:
    path = ROOT / "bench" / "data" / f"export_{n}.gpkg"
    if not path.exists():
        from plugin.demo.writer import write_demo_gpkg

        path.parent.mkdir(parents=True, exist_ok=True)
        t = time.perf_counter()
        tmp = path.with_suffix(".partial.gpkg")
        write_demo_gpkg(str(tmp), n_parcels=n, seed=7)
        os.replace(tmp, path)
        print(f"generated {path} in {time.perf_counter() - t:.1f} s")
    return path


def time_ogr2ogr(src: Path, work: Path) -> float:
    out = work / "ogr2ogr_copy.gpkg"
    if out.exists():
        out.unlink()
    t = time.perf_counter()
    subprocess.run([OGR2OGR, "-f", "GPKG", str(out), str(src), *LAYERS], check=True)
    return time.perf_counter() - t


def time_export(src: Path, work: Path, check: bool | None) -> tuple[float, float, int]:
    from plugin.adapters.export import write_plan
    from plugin.adapters.layers import Inputs, build_engine, open_layer
    from plugin.core.rules import bundled_pack

    inputs = Inputs(parcels=open_layer(f"{src}|layername=DLTB", "DLTB"),
                    units=open_layer(f"{src}|layername=ZZDY", "ZZDY"),
                    pbf=open_layer(f"{src}|layername=YJJBNTTB", "YJJBNTTB"), unit_field="DYBH")
    t0 = time.perf_counter()
    engine, reader = build_engine(inputs, bundled_pack("national"))
    t1 = time.perf_counter()
    out = work / "plan.gpkg"
    write_plan(engine, reader, inputs, out, overwrite=True, validate_output=check)
    t2 = time.perf_counter()
    from osgeo import ogr

    ds = ogr.Open(str(out))
    n = ds.GetLayerByName("parcels").GetFeatureCount()
    ds = None
    return t1 - t0, t2 - t1, n


def report_table(floors: list[float], builds: list[float], writes: list[float]) -> str:
    """Seconds (min and median over the runs) and both ratios to the ogr2ogr floor."""
    wholes = [b + w for b, w in zip(builds, writes)]
    lines = [f"{'':38s}{'min':>9s}{'median':>9s}"]
    for label, values in (("ogr2ogr copy (floor)", floors), ("export: engine build (read + join)", builds),
                          ("export: writing the plan GeoPackage", writes), ("export: whole (build + writing)", wholes)):
        lines.append(f"{label:38s}{min(values):8.2f}s{statistics.median(values):8.2f}s")
    for label, values, target in (("ratio writing / floor", writes, "  (target <= 3)"),
                                  ("ratio whole export / floor", wholes, "")):
        lines.append(f"{label:38s}{min(values) / min(floors):9.2f}"
                     f"{statistics.median(values) / statistics.median(floors):9.2f}{target}")
    return "\n".join(lines)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--parcels", type=int, default=200_000)
    ap.add_argument("--repeat", type=int, default=1)
    ap.add_argument("--full-validation", action="store_true",
                    help="run GDAL's validator inside the export (default: automatic, quick check above 50 000)")
    args = ap.parse_args()
    from plugin.cli.common import start_qgis

    start_qgis()
    src = data_file(args.parcels)
    load_before = os.getloadavg()
    with tempfile.TemporaryDirectory(dir=ROOT / "bench" / "data") as tmp:
        work = Path(tmp)
        floors, builds, writes = [], [], []
        for _ in range(args.repeat):
            floors.append(time_ogr2ogr(src, work))
            build, write, n = time_export(src, work, True if args.full_validation else None)
            builds.append(build)
            writes.append(write)
    load_after = os.getloadavg()
    print(f"source: {src} ({args.parcels} parcels); exported parcel features: {n}; runs: {args.repeat}")
    print(f"load average (1 min) before / after: {load_before[0]:.2f} / {load_after[0]:.2f}")
    print(report_table(floors, builds, writes))
    return 0


if __name__ == "__main__":
    sys.exit(main())
