"""The version check of the ``parcels`` view over a long history (issue 12, docs/postgis.md "Split parcels").

    QT_QPA_PLATFORM=offscreen nice .venv/bin/python -m bench.history_bench [--rows 1000000 5000000]

A throw-away local cluster (``local_cluster``; fsync off) with a planning schema on a synthetic survey of
``--parcels`` squares. ``history`` is filled by SQL with months of a bureau's rows (the history triggers'
shapes: 87 % ``plan_parcel`` — inserts, updates, a few deletes —, 12 % ``plan_split``, 1 % ``plan_unit``;
a transaction every ~8 rows, five planners, keys spread over every parcel), grown to each ``--rows`` in turn.
The schema is made at migration 17 and upgraded after the first fill (its time printed), as a bureau's would be.
At each size, against real rows written through the view's trigger just before (张三's edits):

* (u) a stale re-tag of a parcel by 李四 (``UPDATE parcels … version = <seen>``): refused by
  ``lc_check_view_update`` → ``lc_view_others``, naming 张三;
* (d) 李四 deleting a piece 张三 re-tagged since (the note ``lc_read_for_delete('parcels', …)``, then
  ``DELETE``): refused by ``lc_check_view_delete``;
* (g) the same re-tag under an automatic transaction group: the ``UPDATE`` (version not carried) then
  ``lc_check_seen('plan_parcel', …)`` in its transaction, refused;
* (o) ``lc_view_others`` of a piece whose every change since is the planner's own (no refusal: the whole
  walk).

Each: 20 runs (every one rolled back), the median wall and the mean CPU of the server backend
(``/proc/<pid>/stat``, 10 ms ticks), ms.
The ``EXPLAIN (ANALYZE, BUFFERS)`` of ``lc_view_others``'s history lookup is written to
``bench/results/history_<date>.txt``. The load average is printed beside the numbers.
"""
from __future__ import annotations

import argparse
import datetime as _dt
import os
import statistics
import time

from bench.engine_bench import RESULTS

SCHEMA = "bench"
BULK = """
INSERT INTO bench.history (at, qgis_user, db_role, table_name, row_key, action, old_row, new_row, tx)
SELECT at, u.name, u.role, t.tbl, CASE t.tbl WHEN 'plan_unit' THEN 'ZZDY-' || k ELSE k::text END, t.act,
       CASE WHEN t.act <> 'INSERT' THEN t.body || jsonb_build_object('version', v) END,
       CASE WHEN t.act <> 'DELETE' THEN t.body || jsonb_build_object('version', v + 1, 'changed_by', u.name,
                                                                     'changed_role', u.role, 'changed_at', at) END,
       -(%(first)s + i / 8)  -- past transactions (negative: never a live txid)
FROM generate_series(%(first)s, %(last)s) AS i,
     LATERAL (SELECT (hashint4(i) & 1023) AS r, 1 + (hashint8(i::bigint) & 2147483647) %% %(parcels)s AS k,
                     1 + (hashint4(-i) & 31) AS v0,
                     timestamptz '2026-06-01' + (i::float8 / %(last)s) * interval '180 days' AS at) AS x,
     LATERAL (SELECT CASE WHEN x.r < 870 THEN 'plan_parcel' WHEN x.r < 993 THEN 'plan_split' ELSE 'plan_unit' END
                     AS tbl) AS tt,
     LATERAL (SELECT tt.tbl, CASE WHEN x.r %% 20 = 0 THEN 'INSERT' WHEN x.r %% 37 = 0 THEN 'DELETE'
                                  ELSE 'UPDATE' END AS act,
                     CASE tt.tbl
                         WHEN 'plan_parcel' THEN jsonb_build_object('survey_fid', x.k, 'zzlx', 'JS-FK',
                             'ghdlbm', '0101', 'ghkcxs', NULL, 'yncz', NULL, 'changed_by', '王五',
                             'changed_role', 'wang', 'changed_at', x.at - interval '3 days')
                         WHEN 'plan_split' THEN jsonb_build_object('id', x.k, 'survey_fid', x.k,
                             'fid', CASE WHEN x.r %% 2 = 0 THEN x.k ELSE 1000000000 + x.k END, 'zzlx', 'JS-FK',
                             'ghdlbm', '0102', 'ghkcxs', NULL, 'yncz', NULL, 'changed_by', '王五',
                             'changed_role', 'wang', 'changed_at', x.at - interval '3 days')
                         ELSE jsonb_build_object('id', x.k %% 500, 'dybh', 'ZZDY-' || x.k %% 500, 'dymc', '单元',
                             'zzlx', 'JS-FK', 'zt', '立项', 'changed_by', '王五', 'changed_role', 'wang',
                             'changed_at', x.at - interval '3 days') END AS body) AS t,
     LATERAL (SELECT CASE WHEN tt.tbl = 'plan_split' THEN 1000000000 + x.v0 ELSE x.v0 END AS v) AS vv,
     LATERAL (SELECT (ARRAY['张三', '李四', '王五', '赵六', '钱七'])[1 + i %% 5] AS name,
                     (ARRAY['zhang', 'li', 'wang', 'zhao', 'qian'])[1 + i %% 5] AS role) AS u
"""


def _cpu(cur) -> float:
    """CPU seconds of this connection's server backend so far (same machine)."""
    cur.execute("SELECT pg_backend_pid()")
    with open(f"/proc/{cur.fetchone()[0]}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _survey(cur, parcels: int) -> None:
    side = int(parcels ** 0.5) + 1
    cur.execute(f"CREATE TABLE {SCHEMA}.survey AS SELECT g::integer AS fid, "
                f"ST_Multi(ST_MakeEnvelope(38500000 + (g % {side}) * 50, 3400000 + (g / {side}) * 50, "
                f"38500050 + (g % {side}) * 50, 3400050 + (g / {side}) * 50, 4527)) AS geom, "
                f"'BSM' || g AS bsm, '0103'::text AS dlbm, 2500.0::float8 AS tbmj "
                f"FROM generate_series(1, {parcels}) AS g")
    cur.execute(f"ALTER TABLE {SCHEMA}.survey ADD PRIMARY KEY (fid)")
    cur.execute(f"CREATE INDEX ON {SCHEMA}.survey USING gist (geom)")


def _as(cur, user: str) -> None:
    cur.execute("SELECT set_config('lc.user', %s, false)", (user,))


def _version(cur, fid: int) -> int:
    cur.execute(f"SELECT version FROM {SCHEMA}.parcels WHERE fid = %s", (fid,))
    return cur.fetchone()[0]


def _timed(conn, run, expect: str | None, runs: int = 20) -> tuple[float, float]:
    """Median wall and mean server CPU (ms; the kernel counts it in 10 ms ticks) of ``runs`` runs of ``run(cur)``,
    each rolled back; ``expect``: the refusal's text."""
    import psycopg2

    walls, cpus = [], []
    for _ in range(runs):
        with conn.cursor() as cur:
            _as(cur, "李四")
            c0, t0 = _cpu(cur), time.perf_counter()
            try:
                run(cur)
                refused = None
            except psycopg2.Error as exc:
                refused = str(exc)
            t1 = time.perf_counter()
            conn.rollback()
            cpus.append((_cpu(cur) - c0) * 1000)
            walls.append((t1 - t0) * 1000)
        if (expect is None) != (refused is None) or (expect and expect not in refused):
            raise AssertionError(f"expected {expect!r}, got {refused!r}")
    return statistics.median(walls), statistics.mean(cpus)


def _scenario(conn, parcel: int, split_parcel: int) -> dict[str, int]:
    """张三's edits through the view (real trigger rows at the history's end); the versions 李四 saw before."""
    with conn.cursor() as cur:
        _as(cur, "张三")
        cur.execute(f"UPDATE {SCHEMA}.parcels SET ghdlbm = '0101' WHERE fid = %s", (parcel,))
        conn.commit()
        seen = {"parcel": _version(cur, parcel)}  # 李四 reads it
        cur.execute(f"UPDATE {SCHEMA}.parcels SET ghdlbm = '0102' WHERE fid = %s", (parcel,))  # 张三 again
        # 张三 splits a parcel (QGIS: the update of its western half, then the insert of the other)
        cur.execute(f"SELECT ST_XMin(geom), ST_YMin(geom), ST_SRID(geom) FROM {SCHEMA}.survey WHERE fid = %s",
                    (split_parcel,))
        x, y, srid = cur.fetchone()
        cur.execute(f"UPDATE {SCHEMA}.parcels SET geom = ST_Multi(ST_MakeEnvelope(%s, %s, %s, %s, %s)) "
                    f"WHERE fid = %s", (x, y, x + 25, y + 50, srid, split_parcel))
        cur.execute(f"INSERT INTO {SCHEMA}.parcels (fid, geom, bsm, dlbm, tbmj) SELECT 0, "
                    f"ST_Multi(ST_MakeEnvelope(%s, %s, %s, %s, %s)), bsm, dlbm, tbmj FROM {SCHEMA}.survey "
                    f"WHERE fid = %s RETURNING fid", (x + 25, y, x + 50, y + 50, srid, split_parcel))
        (piece,) = cur.fetchone()
        conn.commit()
        seen["piece"] = _version(cur, piece)  # 李四 reads the pieces
        seen["kept"] = _version(cur, split_parcel)
        cur.execute(f"UPDATE {SCHEMA}.parcels SET ghdlbm = '0101' WHERE fid = %s", (piece,))  # 张三 re-tags one
        conn.commit()
        _as(cur, "李四")  # 李四's own re-tag of the other piece (the walk of (o): all theirs)
        cur.execute(f"UPDATE {SCHEMA}.parcels SET ghdlbm = '0201' WHERE fid = %s", (split_parcel,))
        conn.commit()
    return {"parcel": parcel, "piece": piece, "kept": split_parcel, **{f"seen_{k}": v for k, v in seen.items()}}


def _lookup_sql(f: int, seen: int) -> str:
    """``lc_view_others``'s history lookup of view row ``f`` (the installed migration's form)."""
    try:  # migration 18: by the index's key
        from plugin.adapters.postgis.history_sql import VIEW_ROW, VIEW_TABLES
        key = f"x.{VIEW_TABLES} AND {VIEW_ROW.format(x='x.')} = '{f}'"
    except ImportError:  # 17: the rows' keys in the JSON
        key = f"((x.table_name = 'plan_split' AND coalesce(x.new_row, x.old_row) ->> 'fid' = '{f}') OR " \
              f"(x.table_name = 'plan_parcel' AND coalesce(x.new_row, x.old_row) ->> 'survey_fid' = '{f}'))"
    return (f"SELECT x.table_name, x.qgis_user, x.db_role, x.at FROM {SCHEMA}.history x WHERE {key} AND x.id >= "
            f"(SELECT min(g.id) FROM {SCHEMA}.history g WHERE {key.replace('x.', 'g.')} "
            f"AND (g.old_row ->> 'version')::integer = {seen}) ORDER BY x.id")


def measure(conn, s: dict[str, int], rows: int, out) -> dict[str, tuple[float, float]]:
    got = {}
    got["u"] = _timed(conn, lambda cur: cur.execute(
        f"UPDATE {SCHEMA}.parcels SET ghdlbm = '0201', version = %s WHERE fid = %s",
        (s["seen_parcel"], s["parcel"])), "张三")

    def delete(cur):
        cur.execute(f"SELECT {SCHEMA}.lc_read_for_delete('parcels', %s, %s)", ([s["piece"]], [s["seen_piece"]]))
        cur.execute(f"DELETE FROM {SCHEMA}.parcels WHERE fid = %s", (s["piece"],))
    got["d"] = _timed(conn, delete, "张三")

    def group(cur):
        cur.execute(f"UPDATE {SCHEMA}.parcels SET ghdlbm = '0201' WHERE fid = %s", (s["parcel"],))
        cur.execute(f"SELECT {SCHEMA}.lc_check_seen('plan_parcel', %s, %s)", ([s["parcel"]], [s["seen_parcel"]]))
    got["g"] = _timed(conn, group, "张三")

    def own(cur):
        cur.execute(f"SELECT {SCHEMA}.lc_view_others(%s, %s)", (s["kept"], s["seen_kept"]))
        assert cur.fetchone()[0] is None
    got["o"] = _timed(conn, own, None)
    with conn.cursor() as cur:
        cur.execute("EXPLAIN (ANALYZE, BUFFERS) " + _lookup_sql(s["kept"], s["seen_kept"]))
        out.write(f"-- {rows} history rows: lc_view_others's lookup of view row {s['kept']}\n")
        out.write("\n".join(r[0] for r in cur.fetchall()) + "\n\n")
    conn.rollback()
    return got


def main(argv: list[str] | None = None) -> int:
    import psycopg2

    from plugin.adapters.postgis import schema as pg_schema
    from plugin.adapters.postgis.local_cluster import LocalCluster

    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--rows", type=int, nargs="+", default=[1_000_000, 5_000_000])
    ap.add_argument("--parcels", type=int, default=200_000)
    args = ap.parse_args(argv)
    RESULTS.mkdir(parents=True, exist_ok=True)
    stamp = _dt.date.today().isoformat()
    lines = [f"history_bench {stamp}: {args.parcels} parcels, migration {pg_schema.latest_version()}",
             "| history rows | fill s | (u) stale re-tag | (d) stale delete | (g) group re-tag | (o) own walk "
             "| load |", "|---:|---:|---:|---:|---:|---:|---|"]
    with LocalCluster() as cluster, open(RESULTS / f"history_{stamp}.txt", "w", encoding="utf-8") as out:
        conn = psycopg2.connect(cluster.socket_dsn())
        every = list(pg_schema.MIGRATIONS)
        pg_schema.MIGRATIONS[:] = [m for m in every if m[0] <= 17]  # upgraded after the first fill
        pg_schema.migrate(conn, SCHEMA)
        pg_schema.MIGRATIONS[:] = every
        with conn.cursor() as cur:
            _survey(cur, args.parcels)
            pg_schema.create_parcels_view(cur, SCHEMA)
        conn.commit()
        have = 0
        for n, rows in enumerate(sorted(args.rows)):
            t0 = time.perf_counter()
            with conn.cursor() as cur:
                cur.execute(f"ALTER TABLE {SCHEMA}.history DISABLE TRIGGER lc_history_tx")
                cur.execute(BULK, {"first": have + 1, "last": rows, "parcels": args.parcels})
                cur.execute(f"ALTER TABLE {SCHEMA}.history ENABLE TRIGGER lc_history_tx")
            conn.commit()
            conn.autocommit = True
            with conn.cursor() as cur:
                cur.execute(f"VACUUM ANALYZE {SCHEMA}.history")
            conn.autocommit = False
            fill = time.perf_counter() - t0
            have = rows
            if n == 0 and pg_schema.latest_version() > 17:
                t0 = time.perf_counter()
                applied = pg_schema.migrate(conn, SCHEMA)
                lines.insert(0, f"upgrade {applied} at {rows:,} history rows: {time.perf_counter() - t0:.1f} s")
                print(lines[0], flush=True)
            with conn.cursor() as cur:
                cur.execute("SELECT pg_size_pretty(pg_relation_size(%s::regclass)), "
                            "pg_size_pretty(pg_indexes_size(%s::regclass))", (f"{SCHEMA}.history",) * 2)
                print(f"{rows:,} rows: history {' / indexes '.join(cur.fetchone())}", flush=True)
            conn.commit()
            s = _scenario(conn, parcel=args.parcels // 3 + n, split_parcel=args.parcels // 2 + n)
            got = measure(conn, s, rows, out)
            load = os.getloadavg()
            lines.append(f"| {rows:,} | {fill:.0f} | " + " | ".join(
                f"{w:.1f} ms (CPU {c:.1f})" for w, c in (got[k] for k in "udgo"))
                + f" | {load[0]:.2f} / {load[1]:.2f} |")
            print(lines[-1], flush=True)
        conn.close()
    print("\n".join(lines))
    with open(RESULTS / f"history_{stamp}.md", "w", encoding="utf-8") as f:
        f.write("\n".join(lines) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
