"""The ``parcels`` view with split parcels (migration 16, docs/postgis.md "Split parcels"): a schema
upgraded from 15 shows its pieces with their apportioned areas; a join on the view's geometry probes the
survey's and the pieces' spatial indexes (migration 15's view was scanned whole for each PBF polygon of a
balance: bench/README.md), and each piece's parcel area is read once, not once per area field."""
from __future__ import annotations

import json

import pytest

from plugin.adapters.postgis import schema as pg_schema
from plugin.adapters.postgis.commands import db_load
from plugin.adapters.postgis.connection import connect
from plugin.adapters.postgis.split_sql import SPLIT_FID_BASE
from plugin.demo.writer import write_demo_gpkg


def split_in_two(cur, fids: list[int], schema: str = "plan") -> None:
    """What QGIS sends for a split of each parcel: its geometry updated to the western half, then the
    eastern half inserted with every attribute of the parcel (docs/postgis.md "What QGIS sends")."""
    cur.execute("SELECT string_agg(quote_ident(attname), ', ' ORDER BY attnum) FROM pg_attribute WHERE attrelid = "
                f"'{schema}.parcels'::regclass AND attnum > 0 AND attname NOT IN ('fid', 'geom', 'version')")
    cols = cur.fetchone()[0]
    halves = ("SELECT v.*, ST_Multi(ST_CollectionExtract(ST_{op}(v.geom, ST_MakeEnvelope(ST_XMin(v.geom) - 1, "
              "ST_YMin(v.geom) - 1, (ST_XMin(v.geom) + ST_XMax(v.geom)) / 2, ST_YMax(v.geom) + 1, "
              f"ST_SRID(v.geom))), 3)) AS half FROM {schema}.parcels v WHERE v.fid = ANY(%s)")
    cur.execute(f"CREATE TEMP TABLE east AS {halves.format(op='Difference')}", (fids,))
    cur.execute(f"UPDATE {schema}.parcels v SET geom = h.half FROM ({halves.format(op='Intersection')}) h "
                "WHERE v.fid = h.fid", (fids,))
    cur.execute(f"INSERT INTO {schema}.parcels ({cols}, geom) SELECT {cols}, half FROM east")


def plan_split_reads(cur) -> int:
    """How many times a read of every column of the view reads ``plan_split`` (its plan's nodes)."""
    cur.execute("EXPLAIN (FORMAT JSON) SELECT * FROM plan.parcels")
    return json.dumps(cur.fetchone()[0]).count('"Relation Name": "plan_split"')


def index_probes(cur) -> set:
    """The tables whose index a join of the PBF polygons (a table without an index, as the balance's work
    table) with the view probes by each polygon's geometry."""
    cur.execute("CREATE TEMP TABLE b AS SELECT geom FROM plan.pbf")
    cur.execute("ANALYZE b")
    cur.execute("SET LOCAL enable_seqscan = off")  # a small demo: scanning would be as cheap
    cur.execute("EXPLAIN (FORMAT JSON) SELECT count(*) FROM b JOIN plan.parcels p ON p.geom && b.geom")
    found, todo = set(), [cur.fetchone()[0][0]["Plan"]]
    while todo:
        node = todo.pop()
        todo += node.get("Plans", [])
        if "b.geom" in node.get("Index Cond", "") + node.get("Recheck Cond", ""):
            found.add(node.get("Relation Name"))
    return found - {None}


def loaded_at(version: int, pg_db, tmp_path, monkeypatch) -> tuple:
    """A schema "plan" at migration ``version`` with the demo (400 parcels) loaded: (a connection as its owner,
    every migration: put them back with ``monkeypatch.setattr(pg_schema, "MIGRATIONS", every)``)."""
    cluster, name = pg_db
    gpkg = tmp_path / "demo.gpkg"
    write_demo_gpkg(str(gpkg), n_parcels=400, seed=3)
    owner = cluster.dsn(name, with_password=True)
    every = list(pg_schema.MIGRATIONS)
    monkeypatch.setattr(pg_schema, "MIGRATIONS", [m for m in every if m[0] <= version])
    conn = connect(owner)
    pg_schema.migrate(conn, "plan")
    db_load(owner, "plan", f"{gpkg}|layername=DLTB", f"{gpkg}|layername=ZZDY", f"{gpkg}|layername=YJJBNTTB")
    return conn, every


def test_a_schema_upgraded_to_16_shows_its_pieces_and_a_join_on_its_geometry_probes_the_indexes(
        pg_db, tmp_path, monkeypatch):
    conn, every = loaded_at(15, pg_db, tmp_path, monkeypatch)  # a schema at 15
    with conn, conn.cursor() as cur:
        cur.execute("SELECT fid FROM plan.survey WHERE tbmj > 0 AND kcmj > 0 ORDER BY fid LIMIT 3")
        fids = [r[0] for r in cur.fetchall()]
        split_in_two(cur, fids)
    monkeypatch.setattr(pg_schema, "MIGRATIONS", every)
    assert pg_schema.migrate(conn, "plan") == [m[0] for m in every if m[0] > 15]  # 16 and the later ones
    assert pg_schema.migrate(conn, "plan") == []
    with conn, conn.cursor() as cur:
        # each piece: the survey's TBMJ, KCMJ, TBDLMJ × its area / the area of its parcel's pieces
        cur.execute("SELECT v.fid, v.tbmj, v.kcmj, v.tbdlmj, s.tbmj * a.share, s.kcmj * a.share, s.tbdlmj * a.share "
                    "FROM plan.parcels v JOIN plan.survey s USING (bsm) JOIN (SELECT fid, ST_Area(geom) / sum(ST_Area("
                    "geom)) OVER (PARTITION BY survey_fid) AS share FROM plan.plan_split) a ON a.fid = v.fid "
                    "WHERE s.fid = ANY(%s) ORDER BY v.fid", (fids,))
        pieces = cur.fetchall()
        cur.execute("SELECT count(*), (SELECT count(*) FROM plan.survey) FROM plan.parcels")
        shown, survey = cur.fetchone()
        reads = plan_split_reads(cur)
        probed = index_probes(cur)
    conn.close()
    assert [p[0] for p in pieces][:3] == fids and all(p[0] > SPLIT_FID_BASE for p in pieces[3:]) and len(pieces) == 6
    for p in pieces:
        assert p[1:4] == pytest.approx(p[4:7], rel=1e-12)
    assert shown == survey + 3
    # the anti-join, the pieces and their parcel's area: 3 (5 before: the area once per TBMJ, KCMJ, TBDLMJ)
    assert reads == 3
    # a join on the view's geometry goes through the survey's and the pieces' spatial indexes (a balance's
    # PBF test; migration 15's view was scanned whole for every polygon)
    assert probed == {"survey", "plan_split"}
