"""``db load``'s check of the planners' work since the last load over a long history (issue 12,
docs/postgis.md "Loading again", ``reload_guard.planners_work``).

    nice .venv/bin/python -m bench.reload_guard_bench [--rows 1000000]

A throw-away local cluster and a planning schema whose ``history`` is filled by SQL (75 % ``plan_parcel``,
12.5 % ``plan_split``, 12.5 % ``plan_unit``, keys over 200 000 rows). Timed, best of 3 (wall; the work is the
server's), with ``--units``: (n) no mark, the whole history counted (a schema last loaded by an older plugin:
once); (m) the mark of a load, 100 planners' edits after it (every later load). The load average is printed.
"""
from __future__ import annotations

import argparse
import os
import time

from plugin.adapters.postgis import reload_guard, schema
from plugin.adapters.postgis.local_cluster import LocalCluster

FILL = """INSERT INTO b.history (qgis_user, table_name, row_key, action, old_row, new_row)
SELECT '王五', CASE WHEN i %% 8 = 0 THEN 'plan_split' WHEN i %% 8 = 1 THEN 'plan_unit' ELSE 'plan_parcel' END,
       (i %% 200000)::text, 'UPDATE', jsonb_build_object('survey_fid', i, 'version', 1),
       jsonb_build_object('survey_fid', i, 'version', 2) FROM generate_series(1, %s) AS i"""


def _best(conn) -> tuple[float, reload_guard.PlanWork]:
    times = []
    for _ in range(3):
        t0 = time.perf_counter()
        with conn, conn.cursor() as cur:
            work, _kept = reload_guard.planners_work(cur, "b", True)
        times.append(time.perf_counter() - t0)
    return min(times), work


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, default=1_000_000)
    rows = ap.parse_args().rows
    with LocalCluster() as cluster:
        conn = cluster.connect()
        schema.migrate(conn, "b")
        with conn, conn.cursor() as cur:
            cur.execute(FILL, (rows,))
            cur.execute("ANALYZE b.history")
        keys = (reload_guard.MARK, reload_guard.UNITS_MARK)
        for label, after in (("(n) no mark, the whole history", None), ("(m) a load's mark, 100 edits after", 100)):
            with conn, conn.cursor() as cur:
                cur.execute("DELETE FROM b.lc_setting WHERE key IN (%s, %s)", keys)
                if after is not None:
                    cur.execute("INSERT INTO b.lc_setting SELECT k, (max(id) - %s)::text FROM b.history, "
                                "unnest(ARRAY[%s, %s]) AS k GROUP BY k", (after, *keys))
            seconds, work = _best(conn)
            print(f"history {rows}: {label}: {seconds * 1000:.1f} ms wall (best of 3); counted {work.parcels} parcels, "
                  f"{work.pieces} pieces, {work.units} units; load {os.getloadavg()[0]:.2f}")
        conn.close()


if __name__ == "__main__":
    main()
