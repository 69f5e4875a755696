"""Latency until another planner's commit shows in this planner's balance dock (issue 12).

    QT_QPA_PLATFORM=offscreen .venv/bin/python -m bench.postgis_live_bench                  # 3 500 and 200 000
    QT_QPA_PLATFORM=offscreen .venv/bin/python -m bench.postgis_live_bench --sizes 3500 --commits 40

For each size: the demo township (``bench/data/township_<n>.gpkg``, as ``engine_bench``) is loaded
with ``db load`` into a throw-away cluster; a planning session (the docks' engine, with the balance
dock attached) runs on layers of QGIS's ``postgres`` provider (the ``parcels`` view, ``plan_unit``,
``pbf``, through a pg_service.conf). A second planner — a psycopg2 connection, as another
machine's plugin — then commits ``--commits`` tags of one parcel each (``plan_edits.save_plan``),
``--gap`` seconds apart. Timed per commit, from just before the commit: until the session's engine
has it (``session.updated``, a slot connected before the dock's) and until the dock has been
refreshed with it (a slot connected after the dock's).
p50 / p95 / max are printed and written to ``bench/results/postgis_live_<date>.md``.

``--reshapes K`` (issue 12, docs/postgis.md "A reshape under automatic groups"): the project under
automatic transaction groups; after the commits, one full rebuild of the live balance is timed (what
a reshape of the view cost before: ``note_changes(rebuild=True)``), then K reshapes by the planner:
each shrinks a whole farmland parcel by a 2 m rim (the view's trigger makes the rim a new piece in the
open transaction), timed from the edit (QGIS's UPDATE through the view and its trigger) until the live balance has
re-read that parcel's rows (``LiveBalance.flush``), wall and CPU, and the re-read alone
(``last_flush_ms``).

``--piece-retags K`` (issue 12, docs/postgis.md "Other planners and the balance"): before the session starts, the
second planner splits K whole farmland parcels (each shrunk by a 2 m rim through the view: the rim a new piece); after
the commits it re-tags each rim piece, one commit each. Timed from just before the commit until the session's engine
has the piece's new tag, wall and CPU of this process (the notification names ``plan_split``: before migration 19
a full rebuild, since then the parcel's rows re-read), and the full rebuilds counted.
"""
from __future__ import annotations

import argparse
import datetime as _dt
import statistics
import time

from bench.engine_bench import RESULTS, ensure_data


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))]


def run_size(n: int, commits: int, gap: float, reshapes: int = 0, piece_retags: int = 0) -> dict:
    from qgis.core import QgsDataSourceUri, QgsProject, QgsVectorLayer
    from qgis.PyQt.QtCore import QCoreApplication

    from bench.postgis_bench import load_bench_schema
    from plugin.adapters.live_versions import VERSION_FIELD, SeenVersions, read_versions
    from plugin.adapters.live_versions_read import VersionRead
    from plugin.adapters.postgis.connection import connect
    from plugin.adapters.postgis.local_cluster import LocalCluster
    from plugin.adapters.postgis.plan_edits import read_plan, save_plan
    from plugin.gui.balance_dock import BalancePanel
    from plugin.gui.session import PlanningSession, SessionConfig

    gpkg = ensure_data(n)
    row: dict = {"n": n}
    if reshapes:
        _automatic_groups()
    with LocalCluster() as cluster:
        db = load_bench_schema(cluster, gpkg, (lambda db: _split_rims(db, piece_retags)) if piece_retags else None)
        layers = []
        for table, key in (("parcels", "fid"), ("plan_unit", "id"), ("pbf", "id")):
            uri = QgsDataSourceUri(db)
            uri.setDataSource("bench", table, "geom", "", key)
            layer = QgsVectorLayer(uri.uri(False), table, "postgres")
            assert layer.isValid(), table
            QgsProject.instance().addMapLayer(layer)
            layers.append(layer)
        session = PlanningSession(follow_project=False)
        session.background = False
        t0 = time.perf_counter()
        session.apply(SessionConfig(parcels=layers[0].id(), units=layers[1].id(), pbf=layers[2].id()), save=False)
        row["build"] = time.perf_counter() - t0
        # the versions the planner saw, read at the session's start for the version checks (live_versions):
        # one query in a worker thread (live_versions_read), until handed over
        parcels_layer = layers[0]
        index = parcels_layer.fields().indexOf(VERSION_FIELD)
        t0 = time.perf_counter()
        SeenVersions(VersionRead(parcels_layer, VERSION_FIELD, lambda: read_versions(parcels_layer, index)).wait())
        row["versions"] = time.perf_counter() - t0
        engine_seen: dict = {}
        seen: dict = {}

        def note(into: dict) -> None:
            into.update({pid: time.perf_counter() for pid in (session.live.last_changes or {}).get("parcels", ())})

        session.updated.connect(lambda: note(engine_seen))  # before the dock: the engine has it
        dock = BalancePanel(None, session)  # refreshed on session.updated, between the two slots
        session.updated.connect(lambda: note(seen))  # after the dock: the dock shows it
        other = connect(db)
        with other.cursor() as cur:
            cur.execute("SELECT s.fid FROM bench.survey s LEFT JOIN bench.plan_parcel p ON p.survey_fid = s.fid "
                        "WHERE p.survey_fid IS NULL AND s.dlbm LIKE '01%%' ORDER BY s.fid LIMIT %s", (commits,))
            fids = [r[0] for r in cur.fetchall()]
        other.commit()
        latencies, engine_latencies, rebuilds = [], [], session.live.rebuild_count
        for fid in fids:
            version = read_plan(other, "bench", [fid])[fid]["version"]
            t0 = time.perf_counter()
            save_plan(other, "bench", {fid: (version, {"zzlx": "JS-FK", "ghdlbm": "0702"})}, "bench")
            while fid not in seen and time.perf_counter() - t0 < 30:
                QCoreApplication.processEvents()
                time.sleep(0.001)
            latencies.append(seen.get(fid, float("inf")) - t0)
            engine_latencies.append(engine_seen.get(fid, float("inf")) - t0)
            pause = time.perf_counter() + gap
            while time.perf_counter() < pause:
                QCoreApplication.processEvents()
                time.sleep(0.005)
        row.update(latencies=latencies, engine_latencies=engine_latencies,
                   rebuilds=session.live.rebuild_count - rebuilds, flush_ms=session.live.last_flush_ms)
        if reshapes:
            row["reshape"] = _reshapes(session, parcels_layer, other, reshapes)
        if piece_retags:
            row["retag"] = _piece_retags(session, other, gap)
        other.close()
        dock.unload()
        session.unload()
        QgsProject.instance().clear()
    return row


def _automatic_groups() -> None:
    from qgis.core import Qgis, QgsProject

    project = QgsProject.instance()
    if hasattr(Qgis, "TransactionMode"):
        project.setTransactionMode(Qgis.TransactionMode.AutomaticGroups)
    else:
        project.setAutoTransaction(True)


def _reshapes(session, layer, other, k: int) -> dict:
    """One full rebuild timed, then ``k`` whole parcels shrunk by a 2 m rim (see the module docstring)."""
    live = session.live
    t0, c0 = time.perf_counter(), time.process_time()
    assert live.rebuild(background=False)
    out = {"rebuild": (time.perf_counter() - t0, time.process_time() - c0), "edit": [], "read": [], "rows": []}
    with other.cursor() as cur:
        cur.execute("SELECT s.fid FROM bench.survey s LEFT JOIN bench.plan_parcel p ON p.survey_fid = s.fid "
                    "WHERE p.survey_fid IS NULL AND s.dlbm LIKE '01%%' AND ST_Area(s.geom) > 5000 "
                    "ORDER BY s.fid DESC LIMIT %s", (k,))
        fids = [r[0] for r in cur.fetchall()]
    other.commit()
    rebuilds = live.rebuild_count
    assert layer.startEditing()
    for fid in fids:
        kept = layer.getFeature(fid).geometry().buffer(-2.0, 8)
        kept.convertToMultiType()
        t0, c0 = time.perf_counter(), time.process_time()
        layer.beginEditCommand("Reshape Features")
        assert layer.changeGeometry(fid, kept)
        layer.endEditCommand()
        live.flush()  # (the piece writer may already have flushed at the command's end)
        out["edit"].append((time.perf_counter() - t0, time.process_time() - c0))
        out["read"].append(live.last_flush_ms)
        out["rows"].append(len((live.last_changes or {}).get("parcels", ())))
    assert layer.commitChanges(), layer.commitErrors()
    out["rebuilds"] = live.rebuild_count - rebuilds
    return out


def _split_rims(db: str, k: int) -> None:
    """The second planner splits ``k`` whole farmland parcels > 5 000 m²: each shrunk by a 2 m rim, the rim a piece."""
    from plugin.adapters.postgis.connection import connect

    conn = connect(db)
    with conn, conn.cursor() as cur:
        cur.execute("SELECT s.fid FROM bench.survey s LEFT JOIN bench.plan_parcel p ON p.survey_fid = s.fid "
                    "WHERE p.survey_fid IS NULL AND s.dlbm LIKE '01%%' AND ST_Area(s.geom) > 5000 "
                    "ORDER BY s.fid DESC LIMIT %s", (k,))
        fids = [r[0] for r in cur.fetchall()]
        cur.execute("UPDATE bench.parcels SET geom = ST_Multi(ST_Buffer(geom, -2.0, 8)) WHERE fid = ANY(%s)", (fids,))
    conn.close()


def _piece_retags(session, other, gap: float) -> dict:
    """The second planner re-tags each rim piece, one commit each (see the module docstring)."""
    from qgis.PyQt.QtCore import QCoreApplication

    from plugin.adapters.postgis.split_sql import SPLIT_FID_BASE

    live = session.live
    with other.cursor() as cur:
        cur.execute("SELECT fid FROM bench.plan_split WHERE fid > %s ORDER BY fid", (SPLIT_FID_BASE,))
        pieces = [r[0] for r in cur.fetchall()]
    other.commit()
    out = {"times": [], "rows": []}
    rebuilds = live.rebuild_count
    for piece in pieces:
        t0, c0 = time.perf_counter(), time.process_time()
        with other, other.cursor() as cur:
            cur.execute("UPDATE bench.parcels SET zzlx = 'JS-FK', ghdlbm = '0702' WHERE fid = %s", (piece,))
        while live.engine.raw_record(piece).ghdlbm != "0702" and time.perf_counter() - t0 < 300:
            QCoreApplication.processEvents()
            time.sleep(0.001)
        out["times"].append((time.perf_counter() - t0, time.process_time() - c0))
        out["rows"].append(len((live.last_changes or {}).get("parcels", ())))
        pause = time.perf_counter() + gap
        while time.perf_counter() < pause:
            QCoreApplication.processEvents()
            time.sleep(0.005)
    out["rebuilds"] = live.rebuild_count - rebuilds
    return out


def retag_table(rows: list[dict]) -> str:
    out = ["| parcels | piece re-tags | commit until the engine has it: wall p50 / max | CPU p50 / max "
           "| rows re-read | full rebuilds |", "|---:|---:|---:|---:|---:|---:|"]
    for r in rows:
        x = r.get("retag")
        if not x or not x["times"]:
            continue
        wall = [w * 1000 for w, _c in x["times"]]
        cpu = [c * 1000 for _w, c in x["times"]]
        out.append(f"| {r['n']:,} | {len(wall)} | {statistics.median(wall):.0f} / {max(wall):.0f} ms | "
                   f"{statistics.median(cpu):.0f} / {max(cpu):.0f} ms | {min(x['rows'])}–{max(x['rows'])} | "
                   f"{x['rebuilds']} |")
    return "\n".join(out)


def reshape_table(rows: list[dict]) -> str:
    out = ["| parcels | full rebuild wall / CPU | reshapes | edit until the balance has it: wall p50 / max "
           "| CPU p50 / max | of which the re-read (wall) p50 / max | rows re-read | full rebuilds |",
           "|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for r in rows:
        x = r.get("reshape")
        if not x:
            continue
        wall = [w * 1000 for w, _c in x["edit"]]
        cpu = [c * 1000 for _w, c in x["edit"]]
        read = x["read"]
        out.append(f"| {r['n']:,} | {x['rebuild'][0]:.1f} / {x['rebuild'][1]:.1f} s | {len(wall)} | "
                   f"{statistics.median(wall):.0f} / {max(wall):.0f} ms | {statistics.median(cpu):.0f} / "
                   f"{max(cpu):.0f} ms | {statistics.median(read):.1f} / {max(read):.1f} ms | "
                   f"{min(x['rows'])}–{max(x['rows'])} | {x['rebuilds']} |")
    return "\n".join(out)


def table(rows: list[dict]) -> str:
    out = ["| parcels | first build | versions seen read | commits | engine has it p50 / p95 "
           "| dock shows it p50 / p95 / max | full rebuilds |", "|---:|---:|---:|---:|---:|---:|---:|"]
    for r in rows:
        lat = [x * 1000 for x in r["latencies"]]
        eng = [x * 1000 for x in r["engine_latencies"]]
        out.append(f"| {r['n']:,} | {r['build']:.1f} s | {r['versions']:.2f} s | {len(lat)} | "
                   f"{statistics.median(eng):.0f} / "
                   f"{_percentile(eng, 0.95):.0f} ms | {statistics.median(lat):.0f} / {_percentile(lat, 0.95):.0f} / "
                   f"{max(lat):.0f} ms | {r['rebuilds']} |")
    return "\n".join(out)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[3500, 200_000])
    parser.add_argument("--commits", type=int, default=25)
    parser.add_argument("--gap", type=float, default=0.3, help="seconds between two commits")
    parser.add_argument("--reshapes", type=int, default=0,
                        help="under automatic transaction groups: a full rebuild, then this many reshapes, timed")
    parser.add_argument("--piece-retags", type=int, default=0,
                        help="the second planner splits this many parcels first, then re-tags their rim pieces, timed")
    args = parser.parse_args(argv)
    from plugin.cli.common import start_qgis

    start_qgis()
    rows = []
    for n in args.sizes:
        rows.append(run_size(n, args.commits, args.gap, args.reshapes, args.piece_retags))
        print(table(rows[-1:]), flush=True)
        if args.reshapes:
            print(reshape_table(rows[-1:]), flush=True)
        if args.piece_retags:
            print(retag_table(rows[-1:]), flush=True)
    with open("/proc/loadavg") as f:
        load = f.read().split()[:3]
    text = f"{table(rows)}\n\n{reshape_table(rows) if args.reshapes else ''}\n\n"
    text += f"{retag_table(rows) if args.piece_retags else ''}\n\nload average {' '.join(load)}\n"
    print(text)
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / f"postgis_live_{_dt.date.today()}.md").write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
