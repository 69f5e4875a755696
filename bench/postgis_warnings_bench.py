"""The cost of the data warnings in a kept ``balance --in-database`` (issues 7 and 12).

    QT_QPA_PLATFORM=offscreen nice .venv/bin/python -m bench.postgis_warnings_bench 200000 [--runs 4]

Loads ``bench/data/township_<n>.gpkg`` with ``db load`` into a throw-away local cluster (as
``postgis_bench``), then runs the kept balance (``balance.compute`` on the planning schema, no edits)
``--runs`` times: wall, the server's CPU, and the time of ``value_sql.value_issues`` (the warnings'
statements) inside it. Without ``value_sql`` (an older checkout) only the balance is timed.
bench/README.md, "The data warnings of a kept balance".
"""
from __future__ import annotations

import argparse
import os
import time


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("n", type=int)
    ap.add_argument("--runs", type=int, default=4)
    args = ap.parse_args()
    from bench.postgis_bench import _server_cpu, ensure_data, load_bench_schema
    from plugin.adapters.postgis import balance
    from plugin.adapters.postgis.balance import Sources, compute
    from plugin.adapters.postgis.local_cluster import LocalCluster
    from plugin.cli.common import start_qgis
    from plugin.core.rules import bundled_pack

    start_qgis()
    gpkg = ensure_data(args.n)
    times = [0.0]
    original = getattr(balance, "value_issues", None)
    if original is not None:
        def timed(*a, **k):
            t0 = time.perf_counter()
            out = original(*a, **k)
            times.append(time.perf_counter() - t0)
            return out
        balance.value_issues = timed
    with LocalCluster() as cluster:
        db = load_bench_schema(cluster, gpkg)
        src = [f"PG:{db}|layername=bench.{t}" for t in ("parcels", "plan_unit", "pbf")]
        pack = bundled_pack("national")
        for k in range(args.runs):
            c0, t0 = _server_cpu(cluster), time.perf_counter()
            result = compute(Sources(*src), pack)
            wall, cpu = time.perf_counter() - t0, _server_cpu(cluster) - c0
            print(f"kept balance {k}: {wall:.2f} s wall, server CPU {cpu:.2f} s; "
                  f"warnings' statements {times[-1]:.3f} s; load average {os.getloadavg()[0]:.1f}", flush=True)
        print("\n".join(w[:100] for w in result.warnings()))


if __name__ == "__main__":
    main()
