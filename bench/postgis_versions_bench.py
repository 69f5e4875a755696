"""The versions seen read at a planning session's start (issue 12; docs/postgis.md, "Refused saves").

    QT_QPA_PLATFORM=offscreen .venv/bin/python -m bench.postgis_versions_bench [--sizes 200000] [--repeat 3]

A synthetic planning schema on a throw-away local cluster (``db init``, then ``survey`` filled with
``n`` unit squares by SQL, a plan row of version 1–3 for every fifth parcel: no GeoPackage to load),
the ``parcels`` view opened with QGIS's ``postgres`` provider. Times, per size:

(old)  the read through QGIS's provider on the main thread (``live_versions.read_versions`` +
       ``SeenVersions``): what a session's start did before;
(new)  ``live_versions_read.VersionRead``: the time the main thread is held (starting the worker,
       resolving the connection), and the time until the versions are handed over (``wait``).

Wall and process CPU time (``time.process_time``: all threads of this process, not the server's).
Min of ``--repeat`` runs; a markdown table is printed.
"""
from __future__ import annotations

import argparse
import os
import time


def run_size(n: int, repeat: int) -> dict:
    from qgis.core import QgsDataSourceUri, QgsVectorLayer

    from plugin.adapters.live_versions import VERSION_FIELD, SeenVersions, read_versions
    from plugin.adapters.live_versions_read import VersionRead
    from plugin.adapters.postgis import schema
    from plugin.adapters.postgis.connection import connect
    from plugin.adapters.postgis.local_cluster import LocalCluster

    row: dict = {"n": n}
    with LocalCluster() as cluster:
        os.environ["PGSERVICEFILE"] = str(cluster.write_service_file(cluster.root / "pg_service.conf"))
        db = "service=lc_test"
        conn = connect(db)
        schema.migrate(conn, "bench")
        with conn, conn.cursor() as cur:
            cur.execute("CREATE TABLE bench.survey (fid bigserial PRIMARY KEY, bsm text, dlbm text, tbmj double "
                        "precision, geom geometry(MultiPolygon, 4526))")
            cur.execute("INSERT INTO bench.survey (bsm, dlbm, tbmj, geom) SELECT 'B' || i, '0101', 100, "
                        "ST_Multi(ST_MakeEnvelope(i %% 1000 * 10, i / 1000 * 10, i %% 1000 * 10 + 10, "
                        "i / 1000 * 10 + 10, 4526)) FROM generate_series(1, %s) AS i", (n,))
            cur.execute("INSERT INTO bench.plan_parcel (survey_fid, zzlx, version) "
                        "SELECT fid, 'JS-FK', 1 + fid % 3 FROM bench.survey WHERE fid % 5 = 0")
            schema.create_parcels_view(cur, "bench")
        conn.close()
        cluster.execute("VACUUM ANALYZE")
        uri = QgsDataSourceUri(db)
        uri.setDataSource("bench", "parcels", "geom", "", "fid")
        layer = QgsVectorLayer(uri.uri(False), "parcels", "postgres")
        assert layer.isValid()
        index = layer.fields().indexOf(VERSION_FIELD)
        old, held, new = [], [], []
        for _ in range(repeat):
            w0, c0 = time.perf_counter(), time.process_time()
            want = SeenVersions(read_versions(layer, index))
            old.append((time.perf_counter() - w0, time.process_time() - c0))
            w0, c0 = time.perf_counter(), time.process_time()
            reading = VersionRead(layer, VERSION_FIELD, lambda: read_versions(layer, index))
            held.append(time.perf_counter() - w0)
            got = SeenVersions(reading.wait())
            new.append((time.perf_counter() - w0, time.process_time() - c0))
            assert reading.in_background
            assert (got._fids == want._fids).all() and (got._versions == want._versions).all()
        row.update(old=min(old), held=min(held), new=min(new), load=os.getloadavg()[0])
    return row


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[200_000])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)
    from qgis.core import QgsApplication

    app = QgsApplication([], False)
    app.initQgis()
    print("| parcels | provider read, main thread (wall / CPU s) | VersionRead: main thread held (ms) | "
          "VersionRead: versions handed over (wall / CPU s) | load |")
    print("|---:|---:|---:|---:|---:|")
    for n in args.sizes:
        r = run_size(n, args.repeat)
        print(f"| {n:,} | {r['old'][0]:.2f} / {r['old'][1]:.2f} | {r['held'] * 1000:.0f} | "
              f"{r['new'][0]:.2f} / {r['new'][1]:.2f} | {r['load']:.1f} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
