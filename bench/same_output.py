"""Does ``plugin.cli balance`` of this checkout give what another checkout's gives? (stdout and tables)

    QT_QPA_PLATFORM=offscreen .venv/bin/python -m bench.same_output --baseline /tmp/main-export \\
        --gpkg bench/data/township_200000.gpkg [--pbf]

Runs the same ``balance`` command (parcels DLTB, units ZZDY, with ``--pbf`` the layer YJJBNTTB) from
both checkouts, each into a GeoPackage of its own, then compares their stdout (the line naming the
output file aside) and every row of the tables ``balance`` and ``indicators``, value by value: text
as text, numbers by their exact float (``float.hex``), NULL as NULL. Exits 1 on the first difference
it reports (at most 10 listed per table); ``--tolerance T``: numbers within T (absolute) are counted and
their largest gap printed, not reported.
"""
from __future__ import annotations

import argparse
import os
import sqlite3
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TABLES = ("balance", "indicators")


def run(checkout: Path, gpkg: Path, out: Path, pbf: bool) -> str:
    cmd = [sys.executable, "-m", "plugin.cli", "balance", "--parcels", f"{gpkg}|layername=DLTB",
           "--units", f"{gpkg}|layername=ZZDY", "--out", str(out), "--overwrite"]
    if pbf:
        cmd += ["--pbf", f"{gpkg}|layername=YJJBNTTB"]
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    proc = subprocess.run(cmd, cwd=checkout, env=env, capture_output=True, text=True)
    if proc.returncode != 0:
        raise SystemExit(f"{checkout}: exit {proc.returncode}\n{proc.stderr[-2000:]}")
    return "\n".join(line for line in proc.stdout.splitlines() if str(out) not in line)


def _exact(v):
    return ("f", v.hex()) if isinstance(v, float) else (type(v).__name__, v)


def rows(path: Path, table: str) -> tuple[list, list]:
    con = sqlite3.connect(path)
    try:
        cur = con.execute(f'SELECT * FROM "{table}"')
        names = [d[0] for d in cur.description]
        return names, [tuple(_exact(v) for v in row) for row in cur]
    finally:
        con.close()


def _gap(x, y) -> float | None:
    """|x − y| of two numbers as :func:`_exact` keeps them, None unless both are numbers."""
    if x[0] in ("f", "int") and y[0] in ("f", "int"):
        fx, fy = (float.fromhex(v[1]) if v[0] == "f" else float(v[1]) for v in (x, y))
        return abs(fx - fy)
    return None


def compare(a: Path, b: Path, tolerance: float = 0.0) -> list[str]:
    """The differences of the two outputs' tables; numbers within ``tolerance`` (absolute) are counted and
    their largest gap printed, not reported as differences."""
    out = []
    for table in TABLES:
        (na, ra), (nb, rb) = rows(a, table), rows(b, table)
        if na != nb:
            out.append(f"{table}: columns {na} != {nb}")
            continue
        if len(ra) != len(rb):
            out.append(f"{table}: {len(ra)} rows != {len(rb)}")
        diffs = [(k, x, y) for k, (x, y) in enumerate(zip(ra, rb)) if x != y]
        values = worst = 0
        bad = []
        for k, x, y in diffs:
            cols = [j for j in range(len(x)) if x[j] != y[j]]
            gaps = [_gap(x[j], y[j]) for j in cols]
            values += len(cols)
            worst = max([worst, *(g for g in gaps if g is not None)])
            if any(g is None or g > tolerance for g in gaps):
                bad.append((k, [na[j] for j in cols], x, y))
        for k, cols, x, y in bad[:10]:
            out.append(f"{table} row {k}: {cols}: {x} != {y}")
        print(f"{table}: {len(ra)} rows × {len(na)} columns, {len(diffs)} rows differ ({values} values, "
              f"largest gap {worst:.3g}), {len(bad)} beyond the tolerance {tolerance:g}")
    return out


def main() -> int:
    ap = argparse.ArgumentParser(prog="python -m bench.same_output")
    ap.add_argument("--baseline", type=Path, required=True, help="the other checkout (e.g. an export of main)")
    ap.add_argument("--gpkg", type=Path, required=True, help="a township GeoPackage (DLTB, ZZDY, YJJBNTTB)")
    ap.add_argument("--pbf", action="store_true", help="with --pbf (the PBF overlay and township limits)")
    ap.add_argument("--tolerance", type=float, default=0.0,
                    help="numbers of the tables differing by at most this much (absolute) are counted, not reported")
    args = ap.parse_args()
    gpkg = args.gpkg.resolve()
    with tempfile.TemporaryDirectory() as tmp:
        ours, theirs = Path(tmp) / "ours.gpkg", Path(tmp) / "theirs.gpkg"
        said_ours = run(ROOT, gpkg, ours, args.pbf)
        said_theirs = run(args.baseline.resolve(), gpkg, theirs, args.pbf)
        problems = [] if said_ours == said_theirs else ["stdout differs"]
        print(f"stdout: {len(said_ours.splitlines())} lines, {'identical' if not problems else 'DIFFERENT'}")
        problems += compare(ours, theirs, args.tolerance)
    for p in problems:
        print(p)
    print("identical" if not problems else "DIFFERENT")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
