"""balance --in-database on a real PostGIS: the same numbers as the in-process engine.

The in-process side reads the same data (the demo GeoPackage, or the very database tables through
GDAL's PG driver) and builds the engine as every other front end does. Equality is asked per
(unit, class) row within 1 m² (the issue's bar), and per indicator value.
"""
from __future__ import annotations

import argparse
from pathlib import Path

import pytest

from plugin.adapters.postgis import schema as pg_schema
from plugin.adapters.postgis.commands import db_load, in_database_balance
from plugin.adapters.postgis.connection import DatabaseError, connect
from plugin.core.rules import bundled_pack
from plugin.demo.writer import write_demo_gpkg

SCHEMA = "lc"


@pytest.fixture(scope="module")
def demo_gpkg(tmp_path_factory):
    path = tmp_path_factory.mktemp("pgdemo") / "demo.gpkg"
    write_demo_gpkg(str(path), n_parcels=3500, seed=42)
    return path


@pytest.fixture(scope="module")
def demo_db(pg_cluster, demo_gpkg):
    """A database with the demo township loaded by ``db load`` (shared by this module's tests)."""
    name = "demo_balance"
    pg_cluster.execute(f'CREATE DATABASE "{name}" TEMPLATE "{pg_cluster.database}"', "postgres")
    dsn = pg_cluster.dsn(name, with_password=True)
    conn = connect(dsn)
    pg_schema.migrate(conn, SCHEMA)
    conn.close()
    db_load(dsn, SCHEMA, f"{demo_gpkg}|layername=DLTB", f"{demo_gpkg}|layername=ZZDY",
            f"{demo_gpkg}|layername=YJJBNTTB")
    yield dsn
    pg_cluster.execute(f'DROP DATABASE "{name}" WITH (FORCE)', "postgres")


def _pg(dsn: str, table: str) -> str:
    return f"PG:{dsn}|layername={table}"


def in_process(parcels: str, units: str, pbf: str | None, rules: str = "national"):
    from plugin.cli.common import compute

    args = argparse.Namespace(parcels=parcels, units=units, pbf=pbf, rules=rules, unit_field=None,
                              tbmj_in_mu=False, encoding=None)
    engine, _reader, _inputs = compute(args)
    return engine


def assert_same_balance(server, engine, tolerance_m2: float = 1.0) -> None:
    got = {(c, d): (b, a) for c, d, b, a in server.balance_rows()}
    want = {(c, d): (b, a) for c, d, b, a in engine.balance_rows()}
    assert set(got) == set(want)
    for key, (before, after) in want.items():
        assert got[key][0] == pytest.approx(before, abs=tolerance_m2), key
        assert got[key][1] == pytest.approx(after, abs=tolerance_m2), key
    got_ind = {(r.unit_code, r.rule_id): r for r in server.indicator_rows()}
    want_ind = {(r.unit_code, r.rule_id): r for r in engine.indicator_rows()}
    assert set(got_ind) == set(want_ind)
    for key, r in want_ind.items():
        g = got_ind[key]
        assert (g.value is None) == (r.value is None), key
        if r.value is not None:
            assert g.value == pytest.approx(r.value, rel=1e-6, abs=1e-3), key
        assert g.passed == r.passed, key


def test_demo_in_database_equals_in_process(demo_db, demo_gpkg):
    server = in_database_balance(_pg(demo_db, "lc.parcels"), _pg(demo_db, "lc.plan_unit"),
                                 _pg(demo_db, "lc.pbf"), None, False, bundled_pack("national"))
    engine = in_process(f"{demo_gpkg}|layername=DLTB", f"{demo_gpkg}|layername=ZZDY",
                        f"{demo_gpkg}|layername=YJJBNTTB")
    assert len(server.balance_rows()) > 20
    assert_same_balance(server, engine)
    fail = [r for r in server.indicator_rows() if r.passed is False]
    assert fail, "the demo fails the 5 % farmland rule in one unit on purpose"
    assert server.problems() == [] and server.verdict() in ("pass", "fail")


def test_geographic_copy_in_database_equals_in_process(demo_db, demo_gpkg):
    """An EPSG:4490 copy: shares in the Gauss–Krüger zone, as the engine's working CRS."""
    conn = connect(demo_db)
    with conn, conn.cursor() as cur:
        cur.execute("DROP SCHEMA IF EXISTS geo CASCADE; CREATE SCHEMA geo")
        for table in ("survey", "plan_unit", "pbf"):
            cur.execute(f"CREATE TABLE geo.{table} AS SELECT * FROM lc.{table}")
            cur.execute(f"ALTER TABLE geo.{table} ALTER COLUMN geom TYPE geometry(MultiPolygon, 4490) "
                        "USING ST_Transform(geom, 4490)")
            key = "fid" if table == "survey" else "id"
            cur.execute(f"ALTER TABLE geo.{table} ADD PRIMARY KEY ({key})")
            cur.execute(f"CREATE INDEX ON geo.{table} USING gist (geom)")
        cur.execute("CREATE VIEW geo.parcels AS SELECT s.fid, s.bsm, s.dlbm, s.tbmj, s.kcdlbm, s.kcxs, s.kcmj, "
                    "s.tbdlmj, p.zzlx, p.ghdlbm, p.ghkcxs, p.yncz, s.geom FROM geo.survey s "
                    "LEFT JOIN lc.plan_parcel p ON p.survey_fid = s.fid")
    conn.close()
    server = in_database_balance(_pg(demo_db, "geo.parcels"), _pg(demo_db, "geo.plan_unit"),
                                 _pg(demo_db, "geo.pbf"), None, False, bundled_pack("national"))
    engine = in_process(_pg(demo_db, "geo.parcels"), _pg(demo_db, "geo.plan_unit"), _pg(demo_db, "geo.pbf"))
    assert_same_balance(server, engine)
    projected = in_process(f"{demo_gpkg}|layername=DLTB", f"{demo_gpkg}|layername=ZZDY",
                           f"{demo_gpkg}|layername=YJJBNTTB")
    assert_same_balance(server, projected)


def _copy_parcels(cur, schema: str) -> None:
    """``schema``.dltb: a plain table copy of the loaded demo (survey ⋈ plan) to spoil."""
    cur.execute(f"DROP SCHEMA IF EXISTS {schema} CASCADE; CREATE SCHEMA {schema}")
    cur.execute(f"CREATE TABLE {schema}.dltb AS SELECT s.fid, s.bsm, s.dlbm, s.tbmj, s.kcdlbm, s.kcxs, s.kcmj, "
                "s.tbdlmj, s.gdpdjb, s.gdlx, p.zzlx, p.ghdlbm, p.ghkcxs, p.yncz, s.geom FROM lc.survey s "
                "LEFT JOIN lc.plan_parcel p ON p.survey_fid = s.fid")
    cur.execute(f"ALTER TABLE {schema}.dltb ADD PRIMARY KEY (fid); CREATE INDEX ON {schema}.dltb USING gist (geom)")


def test_awkward_attributes_and_geometry_follow_the_engine(demo_db):
    """NULL / NaN / negative TBMJ (measured on the ellipsoid), KCMJ > TBMJ, KCXS out of range, a
    bow-tie parcel, 调入/调出 spelled in Chinese, unknown codes, overlapping units: as the engine."""
    conn = connect(demo_db)
    with conn, conn.cursor() as cur:
        _copy_parcels(cur, "odd")
        cur.execute("UPDATE odd.dltb SET tbmj = NULL WHERE fid % 97 = 0")
        cur.execute("UPDATE odd.dltb SET tbmj = 'NaN' WHERE fid % 101 = 0")
        cur.execute("UPDATE odd.dltb SET tbmj = -5 WHERE fid % 103 = 0")
        cur.execute("UPDATE odd.dltb SET kcmj = tbmj * 2 WHERE fid % 89 = 0")
        cur.execute("UPDATE odd.dltb SET kcxs = 1.5, kcmj = NULL WHERE fid % 83 = 0")
        cur.execute("UPDATE odd.dltb SET tbdlmj = NULL WHERE fid % 7 = 0")
        cur.execute("UPDATE odd.dltb SET dlbm = '9999' WHERE fid % 211 = 0")
        cur.execute("UPDATE odd.dltb SET yncz = '调入', zzlx = coalesce(zzlx, 'TZ') WHERE fid % 61 = 0")
        cur.execute("UPDATE odd.dltb SET yncz = '调出' WHERE fid % 67 = 0")
        cur.execute("UPDATE odd.dltb SET ghdlbm = '0103', ghkcxs = 0.08 WHERE fid % 53 = 0")
        cur.execute("UPDATE odd.dltb SET ghkcxs = 2 WHERE fid % 59 = 0")
        # a bow-tie: invalid, repaired before measuring (its TBMJ removed: measured)
        cur.execute("UPDATE odd.dltb SET tbmj = NULL, geom = ST_Multi(ST_GeomFromText(format("
                    "'POLYGON((%1$s %2$s, %3$s %4$s, %3$s %2$s, %1$s %4$s, %1$s %2$s))', "
                    "ST_XMin(geom), ST_YMin(geom), ST_XMax(geom), ST_YMax(geom)), ST_SRID(geom))) WHERE fid = 40")
        cur.execute("CREATE TABLE odd.units AS SELECT * FROM lc.plan_unit")
        cur.execute("ALTER TABLE odd.units ADD PRIMARY KEY (id)")
        # a fifth unit overlapping two others: the project rows count the shared parcels once
        cur.execute("INSERT INTO odd.units (id, dybh, geom) SELECT 99, 'OVER', ST_Multi(ST_Buffer(ST_Centroid("
                    "ST_Collect(geom)), 600)) FROM odd.units")
    conn.close()
    server = in_database_balance(_pg(demo_db, "odd.dltb"), _pg(demo_db, "odd.units"), _pg(demo_db, "lc.pbf"),
                                 None, False, bundled_pack("national"))
    engine = in_process(_pg(demo_db, "odd.dltb"), _pg(demo_db, "odd.units"), _pg(demo_db, "lc.pbf"))
    assert engine.unit_overlaps(), "the test needs overlapping units"
    assert_same_balance(server, engine)
    assert [p.code for p in server.problems()] == [p.code for p in engine.problems()]
    assert server.unknown_codes == engine.unknown_codes


def test_new_farmland_takes_the_packs_ridge_table(demo_db, tmp_path):
    """New farmland without GHKCXS: the 田坎系数 of the pack's table by GDPDJB / GDLX (core.ridges)."""
    import json

    from plugin.core.resources import resource_path
    from plugin.core.rules import load_pack

    data = json.loads(Path(resource_path("rule_packs/jiangsu.json")).read_text(encoding="utf-8"))
    ridges = data["ridge_coefficients"]
    ridges["status"] = "filled"
    ridges["table"] = {"TT": {"2": 0.02, "3": 0.05, "4": 0.09, "5": 0.12},
                       "PD": {"2": 0.03, "3": 0.07, "4": 0.11, "5": 0.15}}
    pack_file = tmp_path / "filled.json"
    pack_file.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    conn = connect(demo_db)
    with conn, conn.cursor() as cur:
        _copy_parcels(cur, "rid")
        # reclaimed non-farmland with slope grades 1–5 (one with a blank), types TT / pd / none
        cur.execute("UPDATE rid.dltb SET zzlx = 'JS-FK', ghdlbm = '0103', ghkcxs = NULL, "
                    "gdpdjb = (ARRAY['1', '2', ' 3', '4', '5', NULL])[1 + fid % 6], "
                    "gdlx = (ARRAY['TT', 'pd', NULL])[1 + fid % 3] WHERE dlbm NOT LIKE '01%' AND fid % 5 = 0")
    conn.close()
    pack = load_pack(str(pack_file))
    server = in_database_balance(_pg(demo_db, "rid.dltb"), _pg(demo_db, "lc.plan_unit"), None, None, False, pack)
    engine = in_process(_pg(demo_db, "rid.dltb"), _pg(demo_db, "lc.plan_unit"), None, str(pack_file))
    ridge_after = sum(a for c, d, _b, a in engine.balance_rows() if c == "*" and d == "1203")
    ridge_before = sum(b for c, d, b, _a in engine.balance_rows() if c == "*" and d == "1203")
    assert ridge_after > ridge_before + 1000, "the table must put 田坎 on the new farmland"
    assert_same_balance(server, engine)


def test_refuses_file_sources_and_takes_a_shared_bsm_as_the_engine(demo_db, demo_gpkg):
    """File sources are refused; two features with one BSM (once refused) give the engine's numbers
    (tests/postgis/test_pg_pieces.py: pieces of a split and identical copies)."""
    pack = bundled_pack("national")
    with pytest.raises(DatabaseError, match="PostGIS sources"):
        in_database_balance(f"{demo_gpkg}|layername=DLTB", _pg(demo_db, "lc.plan_unit"), None, None, False, pack)
    conn = connect(demo_db)
    with conn, conn.cursor() as cur:
        cur.execute("DROP SCHEMA IF EXISTS split CASCADE; CREATE SCHEMA split")
        cur.execute("CREATE TABLE split.dltb AS SELECT fid, bsm, dlbm, tbmj, geom FROM lc.survey")
        cur.execute("ALTER TABLE split.dltb ADD PRIMARY KEY (fid)")
        cur.execute("UPDATE split.dltb SET bsm = (SELECT bsm FROM lc.survey WHERE fid = 1) WHERE fid = 2")
    conn.close()
    server = in_database_balance(_pg(demo_db, "split.dltb"), _pg(demo_db, "lc.plan_unit"), None, None, False, pack)
    assert_same_balance(server, in_process(_pg(demo_db, "split.dltb"), _pg(demo_db, "lc.plan_unit"), None))


def test_postgres_provider_layers_give_the_geopackage_numbers(demo_db, demo_gpkg):
    """The docks' engine (adapters.layers.build_engine) on layers opened with QGIS's ``postgres``
    provider (not OGR): the numbers of the GeoPackage."""
    from qgis.core import QgsDataSourceUri, QgsVectorLayer

    from plugin.adapters.layers import Inputs, build_engine

    def layer(table: str, key: str) -> QgsVectorLayer:
        uri = QgsDataSourceUri(demo_db)
        uri.setDataSource(SCHEMA, table, "geom", "", key)
        lyr = QgsVectorLayer(uri.uri(False), table, "postgres")
        assert lyr.isValid() and lyr.providerType() == "postgres", table
        return lyr

    pack = bundled_pack("national")
    engine, _reader = build_engine(Inputs(layer("parcels", "fid"), layer("plan_unit", "id"), layer("pbf", "id")),
                                   pack)
    gpkg = in_process(f"{demo_gpkg}|layername=DLTB", f"{demo_gpkg}|layername=ZZDY",
                      f"{demo_gpkg}|layername=YJJBNTTB")
    assert_same_balance(engine, gpkg)


def _county_partitions(cur, schema: str) -> None:
    """``schema``.dltb: the demo (survey ⋈ plan) split into four "counties" by east–west band,
    partitioned by LIST of the county code ``xzqdm`` (the first 6 digits of a ZLDWDM), as a
    province keeps its survey; ``schema``.flat: the same rows in one plain table."""
    cur.execute(f"DROP SCHEMA IF EXISTS {schema} CASCADE; CREATE SCHEMA {schema}")
    cur.execute(f"CREATE TABLE {schema}.flat AS SELECT s.fid, s.bsm, s.dlbm, s.tbmj, s.kcdlbm, s.kcxs, s.kcmj, "
                "s.tbdlmj, s.gdpdjb, s.gdlx, p.zzlx, p.ghdlbm, p.ghkcxs, p.yncz, "
                "'34112' || least(4, 1 + floor(4 * (ST_X(ST_Centroid(s.geom)) - e.x0) / (e.x1 - e.x0)))::int AS xzqdm, "
                "s.geom FROM lc.survey s LEFT JOIN lc.plan_parcel p ON p.survey_fid = s.fid, "
                "(SELECT ST_XMin(ST_Extent(geom)) AS x0, ST_XMax(ST_Extent(geom)) AS x1 FROM lc.survey) AS e")
    cur.execute(f"ALTER TABLE {schema}.flat ADD PRIMARY KEY (fid); CREATE INDEX ON {schema}.flat USING gist (geom)")
    cur.execute(f"CREATE TABLE {schema}.dltb (LIKE {schema}.flat) PARTITION BY LIST (xzqdm)")
    for k in range(1, 5):
        cur.execute(f"CREATE TABLE {schema}.dltb_34112{k} PARTITION OF {schema}.dltb FOR VALUES IN ('34112{k}')")
    cur.execute(f"ALTER TABLE {schema}.dltb ADD PRIMARY KEY (xzqdm, fid); "
                f"CREATE INDEX ON {schema}.dltb USING gist (geom)")
    cur.execute(f"INSERT INTO {schema}.dltb SELECT * FROM {schema}.flat")
    for table in ("flat", "dltb"):
        cur.execute(f"CREATE VIEW {schema}.county_{table} AS SELECT * FROM {schema}.{table} WHERE xzqdm = '341122'")
    cur.execute(f"ANALYZE {schema}.dltb; ANALYZE {schema}.flat")


def test_survey_partitioned_by_county_gives_the_unpartitioned_numbers(demo_db):
    """The same SQL on a survey partitioned by county: the whole table, and one county through a
    view (partition pruning), equal the plain table's and the in-process engine's numbers."""
    conn = connect(demo_db)
    with conn, conn.cursor() as cur:
        _county_partitions(cur, "prov")
        cur.execute("SELECT count(DISTINCT xzqdm), count(*) FILTER (WHERE xzqdm = '341122') FROM prov.dltb")
        counties, in_one = cur.fetchone()
        cur.execute("SELECT count(*) FROM ONLY prov.dltb")
        assert cur.fetchone()[0] == 0, "the rows must live in the partitions"
    conn.close()
    assert counties == 4 and in_one > 100
    pack = bundled_pack("national")
    units, pbf = _pg(demo_db, "lc.plan_unit"), _pg(demo_db, "lc.pbf")
    totals = []
    for parted, flat in (("prov.dltb", "prov.flat"), ("prov.county_dltb", "prov.county_flat")):
        server = in_database_balance(_pg(demo_db, parted), units, pbf, None, False, pack)
        plain = in_database_balance(_pg(demo_db, flat), units, pbf, None, False, pack)
        assert_same_balance(server, plain, tolerance_m2=1e-3)
        assert_same_balance(server, in_process(_pg(demo_db, flat), units, pbf))
        totals.append(sum(before for code, _d, before, _a in server.balance_rows() if code == "*"))
    assert 0 < totals[1] < 0.6 * totals[0], "one county is a part of the province"


def _edge_cases(cur, schema: str) -> None:
    """A 200 m × 100 m grid of 10 m parcels (EPSG:4527), two units meeting inside a column of
    parcels (x = 105), and PBF polygons: one over both units with a hole of exactly one parcel,
    one whose edge halves a column of parcels, two that together cover a column they split."""
    x0, y0 = 39_500_000, 3_500_000

    def box(xa, ya, xb, yb):
        return f"ST_Multi(ST_MakeEnvelope({x0 + xa}, {y0 + ya}, {x0 + xb}, {y0 + yb}, 4527))"

    cur.execute(f"DROP SCHEMA IF EXISTS {schema} CASCADE; CREATE SCHEMA {schema}")
    cur.execute(f"CREATE TABLE {schema}.dltb (fid serial PRIMARY KEY, bsm text, dlbm text, tbmj float8, yncz text, "
                "zzlx text, ghdlbm text, geom geometry(MultiPolygon, 4527))")
    cur.execute(f"INSERT INTO {schema}.dltb (bsm, dlbm, tbmj, yncz, geom) SELECT 'B' || i || '_' || j, "
                "CASE WHEN (i + j) % 3 = 0 THEN '0101' ELSE '0103' END, 100.0, "
                "CASE WHEN (i * j) % 7 = 1 THEN '调出' END, "
                f"ST_Multi(ST_MakeEnvelope({x0} + 10 * i, {y0} + 10 * j, {x0} + 10 * i + 10, {y0} + 10 * j + 10, "
                "4527)) "
                "FROM generate_series(0, 19) i, generate_series(0, 9) j")
    cur.execute(f"UPDATE {schema}.dltb SET zzlx = 'TZ', ghdlbm = '0103' WHERE fid % 5 = 0")
    cur.execute(f"CREATE INDEX ON {schema}.dltb USING gist (geom)")
    cur.execute(f"CREATE TABLE {schema}.units (id serial PRIMARY KEY, dybh text, geom geometry(MultiPolygon, 4527))")
    cur.execute(f"INSERT INTO {schema}.units (dybh, geom) VALUES ('U1', {box(0, 0, 105, 100)}), "
                f"('U2', {box(105, 0, 200, 100)})")
    cur.execute(f"CREATE TABLE {schema}.pbf (id serial PRIMARY KEY, geom geometry(MultiPolygon, 4527))")
    holed = (f"ST_Multi(ST_Difference(ST_MakeEnvelope({x0 + 50}, {y0 + 20}, {x0 + 150}, {y0 + 80}, 4527), "
             f"ST_MakeEnvelope({x0 + 60}, {y0 + 30}, {x0 + 70}, {y0 + 40}, 4527)))")
    cur.execute(f"INSERT INTO {schema}.pbf (geom) VALUES ({holed}), ({box(0, 80, 25, 100)}), "
                f"({box(150, 0, 175, 20)}), ({box(175, 0, 200, 20)})")
    cur.execute(f"CREATE INDEX ON {schema}.pbf USING gist (geom)")


def test_pbf_edges_holes_and_polygons_over_several_units(demo_db):
    """Parcels exactly on a PBF polygon's edge (inside: whole; outside: none), a parcel filling a
    PBF hole (none), parcels halved by a PBF edge or by the units' border, a PBF polygon over two
    units, a parcel covered by two PBF polygons together (whole): as the engine counts them."""
    conn = connect(demo_db)
    with conn, conn.cursor() as cur:
        _edge_cases(cur, "edge")
    conn.close()
    pack = bundled_pack("national")
    sources = (_pg(demo_db, "edge.dltb"), _pg(demo_db, "edge.units"), _pg(demo_db, "edge.pbf"))
    server = in_database_balance(*sources, None, False, pack)
    engine = in_process(*sources)
    assert_same_balance(server, engine, tolerance_m2=1e-6)
    # PBF before (TBMJ × PBF share; each parcel's TBMJ is its area): the holed polygon 100 × 60 m less
    # its 100 m² hole, 25 × 20 m of the second (its edge halves a column), 2 × 25 × 20 m of the others
    assert server.variables(None)["pbf_before"] == pytest.approx(5900 + 500 + 1000, abs=1e-6)
    assert engine.variables(None)["pbf_before"] == pytest.approx(5900 + 500 + 1000, abs=1e-6)


def test_work_tables_without_create_rights_and_nothing_left_behind(demo_db):
    """A role with only SELECT and TEMP (docs/postgis.md "Least privilege") gets the same numbers
    through temporary tables; a role that may create schemas works in unlogged tables that parallel
    workers read; neither leaves a table or schema behind."""
    from plugin.adapters.postgis.work_area import WorkArea

    conn = connect(demo_db)
    conn.autocommit = True
    with conn.cursor() as cur:
        cur.execute("DROP ROLE IF EXISTS lc_bal_reader")
        cur.execute("CREATE ROLE lc_bal_reader LOGIN PASSWORD 'reader pw'")
        cur.execute("GRANT USAGE ON SCHEMA lc TO lc_bal_reader")
        cur.execute("GRANT SELECT ON ALL TABLES IN SCHEMA lc TO lc_bal_reader")
    reader = " ".join(w for w in demo_db.split() if not w.startswith(("user=", "password="))) + \
        " user=lc_bal_reader password='reader pw'"
    try:
        pack = bundled_pack("national")
        as_reader, as_owner = (in_database_balance(_pg(dsn, "lc.parcels"), _pg(dsn, "lc.plan_unit"),
                                                   _pg(dsn, "lc.pbf"), None, False, pack) for dsn in (reader, demo_db))
        assert_same_balance(as_reader, as_owner, tolerance_m2=1e-3)
        for dsn, parallel in ((reader, False), (demo_db, True)):
            other = connect(dsn)
            with other.cursor() as cur:
                assert WorkArea(cur).parallel is parallel
            other.rollback()
            other.close()
        with conn.cursor() as cur:
            cur.execute("SELECT count(*) FROM pg_namespace WHERE nspname LIKE 'lc\\_work\\_%'")
            assert cur.fetchone()[0] == 0
            cur.execute("SELECT count(*) FROM pg_class WHERE relname LIKE 'lc\\_pairs%'")
            assert cur.fetchone()[0] == 0
    finally:
        with conn.cursor() as cur:
            cur.execute("DROP OWNED BY lc_bal_reader; DROP ROLE lc_bal_reader")
        conn.close()


def test_second_survey_codes_are_read_as_the_engine_reads_them(demo_db):
    """二调 codes in DLBM / KCDLBM stored as text (older data, or codes copied from it): the engine reads each as
    its 三调 class (011 → 0101, 031 → 0301, 123 → 1203; 201 城市 has none: unknown) and the database must too —
    the same (unit, class) rows, the same unknown codes."""
    conn = connect(demo_db)
    with conn, conn.cursor() as cur:
        _copy_parcels(cur, "erdiao")
        for column, old, code, every in (("dlbm", "0101", "011", 3), ("dlbm", "0301", " 031 ", 2),
                                         ("dlbm", "0103", "013K", 5), ("kcdlbm", "1203", "123", 2)):
            cur.execute(f"UPDATE erdiao.dltb SET {column} = %s WHERE {column} = %s AND fid %% {every} = 0",
                        (code, old))
        cur.execute("UPDATE erdiao.dltb SET dlbm = '201' WHERE fid % 251 = 0")
        cur.execute("SELECT count(*) FILTER (WHERE dlbm IN ('011', ' 031 ', '013K')), count(*) FILTER (WHERE "
                    "kcdlbm = '123') FROM erdiao.dltb")
        changed, ridges = cur.fetchone()
    conn.close()
    assert changed > 100 and ridges > 50, "the test needs parcels with 二调 codes"
    server = in_database_balance(_pg(demo_db, "erdiao.dltb"), _pg(demo_db, "lc.plan_unit"), _pg(demo_db, "lc.pbf"),
                                 None, False, bundled_pack("national"))
    engine = in_process(_pg(demo_db, "erdiao.dltb"), _pg(demo_db, "lc.plan_unit"), _pg(demo_db, "lc.pbf"))
    assert_same_balance(server, engine)
    assert server.unknown_codes == engine.unknown_codes and "201" in engine.unknown_codes
