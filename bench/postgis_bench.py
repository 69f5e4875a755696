"""Benchmark of ``balance --in-database`` on a throw-away local PostGIS (issue 12).

    QT_QPA_PLATFORM=offscreen .venv/bin/python -m bench.postgis_bench                 # 200 000 parcels
    QT_QPA_PLATFORM=offscreen .venv/bin/python -m bench.postgis_bench --sizes 200000 1000000 --repeat 1

Same demo township as ``engine_bench`` (``bench/data/township_<n>.gpkg``, ~400 parcels a unit,
20 % of the parcels in units tagged), loaded with ``db load`` into a cluster the benchmark starts
itself (``plugin.adapters.postgis.local_cluster``; fsync off). For each size it times:

(a) in-database   ``balance --in-database``'s computation (``adapters.postgis.balance.compute``):
                  SQL on the server, only sums come back, nothing kept (the tables read through
                  a view of another name, as any tables outside a planning schema);
(a1) first        the first balance after ``db load`` on the planning schema: since ``db load``
                  fills the maintained shares, kept sums and survey results (``load.fill_kept``,
                  ``share_cache``) it reads them; before, it was (a) plus filling them;
(a2) kept         the next balance, no edits since: the geometry read from the kept shares;
(a3) one edit     after one unit moved 50 m: the parcels in its old and new box recomputed;
(e) edit cost     one ``UPDATE plan_unit SET geom`` with the trigger that notes its boxes, and
                  without it (median of 20, ms);
(b) in-process    the same tables read through GDAL's PG driver into the engine
                  (``plugin.cli.compute`` on ``PG:`` sources): every row and geometry to the client;
(c) DBA query     what a database administrator would write: ``ST_Intersection`` of every
                  parcel–unit pair, area share × TBMJ, ``GROUP BY`` unit and DLBM. It does less
                  (no 田坎, no after/flows/PBF), so (c)/(a) is a lower bound of the speed-up.

Also the load time (``db load``), split into the load and the fill of the kept shares (with the
``VACUUM ANALYZE`` after it). Min and median of ``--repeat`` runs; a markdown table is
printed and written to ``bench/results/postgis_<date>.md``.

``--split 0 1 10``: one run per percentage, each in a fresh cluster: after ``db load`` that share of
the survey parcels (every k-th fid) is split into two pieces as QGIS's *Split Features* saves it — one
``UPDATE`` of the parcel's geometry on the ``parcels`` view (its western half) and one ``INSERT`` of the
other piece with every attribute copied, each row through the view's trigger (migration 15,
docs/postgis.md "Split parcels"). Then, besides (a1)–(a3): a planner's canvas reads of the view
(all columns with the geometry as WKB, as QGIS's ``postgres`` provider: the whole township's box and
a 1 km × 600 m screen at the centre; ``count(*)``), median of 3, wall and client CPU, and their
``EXPLAIN (ANALYZE, BUFFERS)`` written to ``bench/results/postgis_view_<pct>_<date>.txt``.
``--skip-dba`` leaves out (c); ``--reads-only`` stops after the reads (no balance).
``--log-statements``: the cluster logs every statement of 100 ms or more, and ``auto_explain`` the plans
(with ANALYZE, nested statements) of those of 200 ms or more; each phase is marked in the log
(``lc bench: …``), which is copied to ``bench/results/postgis_log_<n>_<date>.txt``.
"""
from __future__ import annotations

import argparse
import datetime as _dt
import os
import signal
import statistics
import sys
import time
from pathlib import Path

from bench.engine_bench import RESULTS, ensure_data

DBA_QUERY = """
SELECT u.dybh, p.dlbm,
       sum(coalesce(p.tbmj, ST_Area(geography(ST_Transform(p.geom, 4490))))
           * ST_Area(ST_Intersection(p.geom, u.geom)) / ST_Area(p.geom)) AS area
FROM bench.parcels p JOIN bench.plan_unit u ON ST_Intersects(p.geom, u.geom)
GROUP BY u.dybh, p.dlbm
"""


def _move_unit(conn) -> None:
    with conn.cursor() as cur:
        cur.execute("UPDATE bench.plan_unit SET geom = ST_Multi(ST_Translate(geom, 50, 0)) "
                    "WHERE id = (SELECT min(id) FROM bench.plan_unit)")


def _edit_cost(conn) -> tuple[float, float]:
    """ms of one unit geometry edit with the share trigger, and without it (median of 20)."""
    out = []
    for enable in (True, False):
        with conn.cursor() as cur:
            cur.execute(f"ALTER TABLE bench.plan_unit {'ENABLE' if enable else 'DISABLE'} TRIGGER lc_share_dirty")
            samples = []
            for k in range(20):
                t0 = time.perf_counter()
                cur.execute("UPDATE bench.plan_unit SET geom = ST_Multi(ST_Translate(geom, %s, 0)) "
                            "WHERE id = (SELECT max(id) FROM bench.plan_unit)", (1 if k % 2 else -1,))
                samples.append((time.perf_counter() - t0) * 1000)
            out.append(statistics.median(samples))
    with conn.cursor() as cur:
        cur.execute("ALTER TABLE bench.plan_unit ENABLE TRIGGER lc_share_dirty")
    return out[0], out[1]


#: a planner's screen at the township's centre (1 km × 600 m: 1:2 500 on a 1 920-pixel screen)
SCREEN = (1000.0, 600.0)


def _split(conn, pct: float) -> tuple[int, float]:
    """Split ``pct`` % of the survey parcels (every k-th fid) in two as QGIS saves a split: the parcel's
    geometry updated to its western half through the view, then the eastern half inserted with the
    parcel's attributes (QGIS copies them all; the fid it sends is ignored by the trigger). Returns the
    pieces in plan_split and the seconds."""
    if pct <= 0:
        return 0, 0.0
    step = max(1, round(100 / pct))
    t0 = time.perf_counter()
    with conn, conn.cursor() as cur:
        cur.execute("SELECT string_agg(quote_ident(a.attname), ', ' ORDER BY a.attnum) FROM pg_attribute a "
                    "WHERE a.attrelid = 'bench.parcels'::regclass AND a.attnum > 0 "
                    "AND a.attname NOT IN ('fid', 'geom', 'version')")
        cols = cur.fetchone()[0]
        # the features as QGIS loaded them (their survey TBMJ …), and their two halves
        cur.execute(f"""CREATE TEMP TABLE lc_halves AS
            SELECT v.*, ST_Multi(ST_CollectionExtract(ST_Intersection(v.geom, w), 3)) AS west,
                   ST_Multi(ST_CollectionExtract(ST_Difference(v.geom, w), 3)) AS east
            FROM bench.parcels v, ST_MakeEnvelope(ST_XMin(v.geom) - 1, ST_YMin(v.geom) - 1,
                 (ST_XMin(v.geom) + ST_XMax(v.geom)) / 2, ST_YMax(v.geom) + 1, ST_SRID(v.geom)) AS w
            WHERE v.fid % {step} = 0 AND ST_IsValid(v.geom)""")
        cur.execute("DELETE FROM lc_halves WHERE ST_IsEmpty(west) OR ST_IsEmpty(east)")
    with conn, conn.cursor() as cur:  # QGIS: the updates in one transaction …
        cur.execute("SELECT set_config('lc.user', 'bench', false)")
        cur.execute("UPDATE bench.parcels v SET geom = h.west FROM lc_halves h WHERE v.fid = h.fid")
    with conn, conn.cursor() as cur:  # … the added pieces in another
        cur.execute(f"INSERT INTO bench.parcels ({cols}, geom) SELECT {cols}, east FROM lc_halves")
        cur.execute("DROP TABLE lc_halves")
        cur.execute("SELECT count(*) FROM bench.plan_split")
        pieces = cur.fetchone()[0]
    return pieces, time.perf_counter() - t0


def _reads(conn, repeat: int = 3) -> tuple[dict, str]:
    """A planner's canvas reads of the view: {name: (wall s median, client CPU s median, rows)}, and
    their plans (``EXPLAIN (ANALYZE, BUFFERS)``)."""
    with conn.cursor() as cur:
        cur.execute("SELECT ST_XMin(e), ST_YMin(e), ST_XMax(e), ST_YMax(e), "
                    "(SELECT ST_SRID(geom) FROM bench.survey LIMIT 1) FROM (SELECT ST_Extent(geom) AS e "
                    "FROM bench.survey) AS x")
        x0, y0, x1, y1, srid = cur.fetchone()
        cur.execute("SELECT string_agg(CASE a.attname WHEN 'geom' THEN 'ST_AsBinary(geom, ''NDR'')' "
                    "ELSE quote_ident(a.attname) END, ', ' ORDER BY a.attnum) FROM pg_attribute a "
                    "WHERE a.attrelid = 'bench.parcels'::regclass AND a.attnum > 0")
        cols = cur.fetchone()[0]
    cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
    w, h = SCREEN
    boxes = {"township": (x0, y0, x1, y1), "screen": (cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2)}
    queries = {name: (f"SELECT {cols} FROM bench.parcels WHERE geom && ST_MakeEnvelope({a}, {b}, {c}, {d}, {srid})")
               for name, (a, b, c, d) in boxes.items()}
    queries["count"] = "SELECT count(*) FROM bench.parcels"
    out, plans = {}, []
    for name, q in queries.items():
        walls, cpus, n = [], [], 0
        for k in range(repeat):
            t0, c0 = time.perf_counter(), time.process_time()
            with conn:  # as QGIS's provider: a cursor, fetched 2 000 rows at a time
                cur = conn.cursor(name=f"qgis_{k}")
                cur.itersize = 2000
                cur.execute(q)
                n = sum(1 for _row in cur)
                cur.close()
            walls.append(time.perf_counter() - t0)
            cpus.append(time.process_time() - c0)
        out[name] = (statistics.median(walls), statistics.median(cpus), n)
        with conn, conn.cursor() as cur:
            cur.execute("EXPLAIN (ANALYZE, BUFFERS) " + q)
            plan = [r[0] for r in cur.fetchall()]
            cur.execute("EXPLAIN DECLARE c CURSOR FOR " + q)  # the cursor's plan (cursor_tuple_fraction)
            plan += ["-- as a cursor:"] + [r[0] for r in cur.fetchall()]
        plans.append(f"-- {name}: {q}\n" + "\n".join(plan))
    return out, "\n\n".join(plans)


#: --log-statements: what the cluster logs (ALTER SYSTEM, then a reload: new sessions load auto_explain)
LOG_SETTINGS = (("log_min_duration_statement", "100"), ("session_preload_libraries", "auto_explain"),
                ("auto_explain.log_min_duration", "200"), ("auto_explain.log_analyze", "on"),
                ("auto_explain.log_nested_statements", "on"), ("auto_explain.log_buffers", "on"))


def load_bench_schema(cluster, gpkg, after_load=None) -> str:
    """The township ``gpkg`` loaded by ``db load`` into the planning schema ``bench`` of ``cluster`` (a
    service file names the database), ``after_load(db)``, then ``VACUUM ANALYZE``: the database's DSN."""
    from plugin.adapters.postgis import schema
    from plugin.adapters.postgis.commands import db_load
    from plugin.adapters.postgis.connection import connect

    os.environ["PGSERVICEFILE"] = str(cluster.write_service_file(cluster.root / "pg_service.conf"))
    db = "service=lc_test"
    conn = connect(db)
    schema.migrate(conn, "bench")
    conn.close()
    db_load(db, "bench", f"{gpkg}|layername=DLTB", f"{gpkg}|layername=ZZDY", f"{gpkg}|layername=YJJBNTTB")
    if after_load is not None:
        after_load(db)
    cluster.execute("VACUUM ANALYZE")
    return db


def _server_cpu(cluster) -> float:
    """CPU seconds the cluster's server has used so far: the postmaster's own and its children's — the
    live ones from /proc, the exited ones (backends, parallel workers) in its cutime/cstime once reaped."""
    pm = int((cluster.data / "postmaster.pid").read_text().split()[0])
    total = 0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:  # gone meanwhile
            continue
        pid = int(stat.parent.name)
        if pid == pm:
            total += sum(int(f) for f in fields[11:15])  # utime, stime, cutime, cstime
        elif int(fields[1]) == pm:
            total += int(fields[11]) + int(fields[12])
    return total / os.sysconf("SC_CLK_TCK")


def _mark(cluster, log: bool, phase: str) -> None:
    """A line ``lc bench: <phase>`` in the server log (--log-statements)."""
    if log:
        cluster.execute(f"DO $$BEGIN RAISE LOG 'lc bench: {phase}'; END$$")


def _timed(fn, repeat: int) -> tuple[list[float], object]:
    samples, result = [], None
    for _ in range(repeat):
        t0 = time.perf_counter()
        result = fn()
        samples.append(time.perf_counter() - t0)
    return samples, result


def run_size(n: int, repeat: int, skip_in_process: bool, split: float | None = None,
             skip_dba: bool = False, reads_only: bool = False, log: bool = False) -> dict:
    from plugin.adapters.postgis.local_cluster import LocalCluster
    from plugin.cli.common import start_qgis

    start_qgis()
    gpkg = ensure_data(n)
    row: dict = {"n": n, "split": split}
    with LocalCluster() as cluster:
        try:
            return _run_in(cluster, row, gpkg, n, repeat, skip_in_process, split, skip_dba, reads_only, log)
        finally:
            if log:
                RESULTS.mkdir(parents=True, exist_ok=True)
                (RESULTS / f"postgis_log_{n}_{_dt.date.today()}.txt").write_text(
                    (cluster.root / "server.log").read_text(encoding="utf-8", errors="replace"), encoding="utf-8")


def _run_in(cluster, row, gpkg, n, repeat, skip_in_process, split, skip_dba, reads_only, log) -> dict:
    import argparse as ap

    from plugin.adapters.postgis import schema
    from plugin.adapters.postgis.balance import Sources, compute
    from plugin.adapters.postgis.commands import db_load
    from plugin.adapters.postgis.connection import connect
    from plugin.cli.common import compute as in_process
    from plugin.core.rules import bundled_pack

    if log:
        conn = cluster.connect()  # the module loaded first: ALTER SYSTEM knows its settings then
        conn.autocommit = True
        with conn.cursor() as cur:
            cur.execute("LOAD 'auto_explain'")
            for name, value in LOG_SETTINGS:
                cur.execute(f"ALTER SYSTEM SET {name} = '{value}'")
            cur.execute("SELECT pg_reload_conf()")
        conn.close()
    svc = cluster.write_service_file(cluster.root / "pg_service.conf")
    os.environ["PGSERVICEFILE"] = str(svc)
    db = "service=lc_test"
    conn = connect(db)
    schema.migrate(conn, "bench")
    conn.close()
    t0, c0 = time.perf_counter(), _server_cpu(cluster)
    marks = []  # when db load began filling the kept shares (its line "Filling the kept shares …")
    lines = db_load(db, "bench", f"{gpkg}|layername=DLTB", f"{gpkg}|layername=ZZDY", f"{gpkg}|layername=YJJBNTTB",
                    say=lambda line: marks.append((time.perf_counter(), _server_cpu(cluster))) if "…" in line else None)
    cluster.execute("VACUUM ANALYZE")
    row["load"], cpu = time.perf_counter() - t0, _server_cpu(cluster)
    # the fill, with the VACUUM ANALYZE after it; server CPU of the load and of the fill
    row["fill"] = time.perf_counter() - marks[0][0] if marks else 0.0
    row["cpu"] = {"load": (marks[0][1] if marks else cpu) - c0, "fill": cpu - marks[0][1] if marks else 0.0}
    print("\n".join(lines), flush=True)
    if split is not None:
        conn = connect(db)
        row["pieces"], row["split_s"] = _split(conn, split)
        conn.close()
        cluster.execute("VACUUM ANALYZE")
        conn = connect(db)
        row["reads"], plans = _reads(conn)
        conn.close()
        RESULTS.mkdir(parents=True, exist_ok=True)
        (RESULTS / f"postgis_view_{n}_{split:g}_{_dt.date.today()}.txt").write_text(
            f"{row['pieces']} pieces, load average {os.getloadavg()[0]:.1f}\n\n{plans}\n", encoding="utf-8")
        if reads_only:
            row["loadavg"] = os.getloadavg()[0]
            return row
    src = [f"PG:{db}|layername=bench.{t}" for t in ("parcels", "plan_unit", "pbf")]
    pack = bundled_pack("national")
    _mark(cluster, log, "(a1) first")
    row["first"], _ = _timed(lambda: _cpu_of(cluster, row, "first", lambda: compute(Sources(*src), pack)), 1)
    _mark(cluster, log, "(a2) kept")
    row["kept"], _ = _timed(lambda: compute(Sources(*src), pack), repeat)
    _mark(cluster, log, "(e) edit cost")
    conn = connect(db)
    conn.autocommit = True
    row["edit"] = _edit_cost(conn)
    _mark(cluster, log, "(a3) one edit")
    row["one_edit"], (_, kept) = _timed(lambda: (_move_unit(conn), compute(Sources(*src), pack)), repeat)
    cluster.execute("CREATE VIEW bench.parcels_plain AS SELECT * FROM bench.parcels")
    plain = [f"PG:{db}|layername=bench.parcels_plain", *src[1:]]
    _mark(cluster, log, "(a) in-database")
    row["in_db"], server = _timed(lambda: _cpu_of(cluster, row, "in_db", lambda: compute(Sources(*plain), pack)),
                                  repeat)

    def dba():
        with conn.cursor() as cur:
            cur.execute("SET jit = off")
            cur.execute(DBA_QUERY)
            return cur.fetchall()

    row["dba"], _rows = _timed(lambda: _cpu_of(cluster, row, "dba", dba), 0 if skip_dba else repeat)
    row["loadavg"] = os.getloadavg()[0]
    conn.close()
    # kept shares and sums after the edits against nothing kept (also at 1 M, without the in-process run)
    row["kept_diff_m2"] = _max_diff(server, kept)
    if not skip_in_process:
        args = ap.Namespace(parcels=src[0], units=src[1], pbf=src[2], rules="national", unit_field=None,
                            tbmj_in_mu=False, encoding=None)
        row["in_process"], (engine, _r, _i) = _timed(lambda: in_process(args), repeat)
        want = {(c, d): (b, a) for c, d, b, a in engine.balance_rows()}
        diffs = []
        for result in (server, kept):  # nothing kept, and kept shares after the edits
            got = {(c, d): (b, a) for c, d, b, a in result.balance_rows()}
            diffs.append(max(max(abs(got[k][0] - v[0]), abs(got[k][1] - v[1])) for k, v in want.items())
                         if set(got) == set(want) else float("nan"))
        row["max_diff_m2"] = max(diffs)
    return row


def _cpu_of(cluster, row: dict, name: str, fn):
    """``fn()``, its server CPU seconds noted in ``row["cpu"][name]`` (the last run's)."""
    c0 = _server_cpu(cluster)
    out = fn()  # a backend gone but not yet reaped is still in /proc (a zombie keeps its times)
    row["cpu"][name] = _server_cpu(cluster) - c0
    return out


def _max_diff(a, b) -> float:
    got = {(c, d): (x, y) for c, d, x, y in a.balance_rows()}
    want = {(c, d): (x, y) for c, d, x, y in b.balance_rows()}
    if set(got) != set(want):
        return float("nan")
    return max(max(abs(got[k][0] - v[0]), abs(got[k][1] - v[1])) for k, v in want.items())


def _fmt(samples) -> str:
    if not samples:
        return "–"
    return f"{min(samples):.1f} / {statistics.median(samples):.1f}"


def table(rows: list[dict]) -> str:
    balances = [r for r in rows if "in_db" in r]
    lines = [f"PostGIS balance benchmark, {_dt.datetime.now():%Y-%m-%d %H:%M}, load average {os.getloadavg()[0]:.1f}",
             "", "| parcels | load avg | db load s (load + fill) | (a) in-database s | (a1) first s | (a2) kept s "
             "| (a3) one edit s "
             "| (b) in-process s | (c) DBA query s | (c)/(a) | (c)/(a1) | (c)/(a2) | (c)/(a3) | (b)/(a) "
             "| edit ms with / without | max diff m² | (a3)–(a) m² |", "|" + "---:|" * 17]
    for r in balances:
        a, c = min(r["in_db"]), min(r["dba"] or [float("nan")])
        b = min(r["in_process"]) if r.get("in_process") else None
        lines.append(f"| {r['n']:,} | {r['loadavg']:.1f} | {r['load']:.1f} ({r['load'] - r['fill']:.1f} + "
                     f"{r['fill']:.1f}) | {_fmt(r['in_db'])} | "
                     f"{_fmt(r['first'])} | {_fmt(r['kept'])} | "
                     f"{_fmt(r['one_edit'])} | {_fmt(r.get('in_process'))} | {_fmt(r['dba'])} | {c / a:.1f}× | "
                     f"{c / min(r['first']):.2f}× | "
                     f"{c / min(r['kept']):.1f}× | {c / min(r['one_edit']):.1f}× | {f'{b / a:.1f}×' if b else '–'} | "
                     f"{r['edit'][0]:.1f} / {r['edit'][1]:.1f} | {r.get('max_diff_m2', float('nan')):.2g} | "
                     f"{r['kept_diff_m2']:.2g} |")
    lines += ["", "Server CPU s (the cluster's processes; the client's is small):", "",
              "| parcels | load | fill | (a1) first | (a) nothing kept | (c) DBA query |", "|" + "---:|" * 6]
    for r in balances:
        cpu = r["cpu"]
        lines.append(f"| {r['n']:,} | {cpu['load']:.1f} | {cpu['fill']:.1f} | {cpu['first']:.1f} | {cpu['in_db']:.1f} "
                     f"| {cpu.get('dba', float('nan')):.1f} |")
    split = [r for r in rows if r.get("split") is not None]
    if split:
        lines += ["", "| parcels | split % | pieces | split s | township read s (CPU) | rows "
                  "| screen read s (CPU) | rows | count(*) s |", "|" + "---:|" * 9]
        for r in split:
            t, sc, c = (r["reads"][k] for k in ("township", "screen", "count"))
            lines.append(f"| {r['n']:,} | {r['split']:g} | {r['pieces']:,} | {r['split_s']:.1f} "
                         f"| {t[0]:.2f} ({t[1]:.2f}) | {t[2]:,} | {sc[0]:.3f} ({sc[1]:.3f}) | {sc[2]:,} | {c[0]:.3f} |")
    return "\n".join(lines)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", type=int, nargs="+", default=[200_000])
    ap.add_argument("--repeat", type=int, default=2)
    ap.add_argument("--skip-in-process", action="store_true", help="only (a) and (c) (1 M: the client side is slow)")
    ap.add_argument("--split", type=float, nargs="+", help="per cent of the survey parcels split in two pieces "
                    "through the view (one run each), and the view's canvas reads")
    ap.add_argument("--skip-dba", action="store_true", help="leave out (c), the DBA query")
    ap.add_argument("--log-statements", action="store_true", help="log statements of 100 ms or more and "
                    "their plans (auto_explain, 200 ms) into bench/results/postgis_log_<n>_<date>.txt")
    ap.add_argument("--reads-only", action="store_true", help="with --split: only the split and the view's reads")
    args = ap.parse_args(argv)
    signal.signal(signal.SIGTERM, lambda *_a: sys.exit(143))  # a killed run still removes its cluster
    rows = [run_size(n, args.repeat, args.skip_in_process, pct, args.skip_dba, args.reads_only,
                     args.log_statements)
            for n in args.sizes for pct in (args.split or [None])]
    text = table(rows)
    print(text)
    RESULTS.mkdir(parents=True, exist_ok=True)
    Path(RESULTS / f"postgis_{_dt.date.today()}.md").write_text(text + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
