"""balance --in-database with survey parcels in several pieces (one BSM on several features) and
identical copies of a parcel: the engine's rule (core.pieces, docs/domain-area-rules.md) in SQL.

A 200 m × 100 m grid of 10 m parcels (TBMJ 100 each), two units meeting inside a column
(x = 105) and PBF polygons; some parcels are replaced by pieces carrying one BSM — in one unit,
across the two units, partly in PBF, with the TBMJ copied onto every piece or already shared —,
two parcels far apart share a BSM by mistake (each keeps its own), a split has a piece without
TBMJ (not pooled), and two parcels have an identical copy (counted once) while a third has a copy
that differs in one attribute (counted twice, as the engine does).
"""
from __future__ import annotations

import argparse

import pytest

from plugin.adapters.postgis.commands import in_database_balance
from plugin.adapters.postgis.connection import connect
from plugin.core.rules import bundled_pack

X0, Y0 = 39_500_000, 3_500_000


def _box(xa, ya, xb, yb) -> str:
    return f"ST_Multi(ST_MakeEnvelope({X0 + xa}, {Y0 + ya}, {X0 + xb}, {Y0 + yb}, 4527))"


def _split(cur, i: int, j: int, bsm: str, cuts: list[float], tbmj: list) -> None:
    """Replace grid parcel (i, j) by pieces cut at the x offsets ``cuts`` (within its 10 m)."""
    cur.execute("SELECT dlbm, kcxs, kcmj, zldwdm, yncz, zzlx, ghdlbm FROM pc.dltb WHERE bsm = %s", (f"B{i}_{j}",))
    dlbm, kcxs, kcmj, zldwdm, yncz, zzlx, ghdlbm = cur.fetchone()
    cur.execute("DELETE FROM pc.dltb WHERE bsm = %s", (f"B{i}_{j}",))
    edges = [0.0, *cuts, 10.0]
    for k, value in enumerate(tbmj):
        piece = _box(10 * i + edges[k], 10 * j, 10 * i + edges[k + 1], 10 * j + 10)
        cur.execute("INSERT INTO pc.dltb (bsm, dlbm, tbmj, kcxs, kcmj, zldwdm, yncz, zzlx, ghdlbm, geom) "
                    f"VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, {piece})",
                    (bsm, dlbm, value, kcxs, None if kcmj is None or value is None else kcmj * value / 100.0, zldwdm,
                     yncz, zzlx, ghdlbm))


def _copy(cur, i: int, j: int, **changes) -> None:
    sets = ", ".join(f"{k} = %s" for k in changes) or "bsm = bsm"
    cur.execute("CREATE TEMP TABLE one AS SELECT * FROM pc.dltb WHERE bsm = %s", (f"B{i}_{j}",))
    cur.execute(f"UPDATE one SET fid = nextval('pc.dltb_fid_seq'), {sets}", tuple(changes.values()))
    cur.execute("INSERT INTO pc.dltb SELECT * FROM one; DROP TABLE one")


@pytest.fixture(scope="module")
def pieces_db(pg_cluster):
    name = "pieces"
    pg_cluster.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)', "postgres")
    pg_cluster.execute(f'CREATE DATABASE "{name}" TEMPLATE "{pg_cluster.database}"', "postgres")
    dsn = pg_cluster.dsn(name, with_password=True)
    conn = connect(dsn)
    with conn, conn.cursor() as cur:
        cur.execute("CREATE SCHEMA pc")
        cur.execute("CREATE TABLE pc.dltb (fid serial PRIMARY KEY, bsm text, dlbm text, tbmj float8, kcxs float8, "
                    "kcmj float8, zldwdm text, yncz text, zzlx text, ghdlbm text, geom geometry(MultiPolygon, 4527))")
        cur.execute("INSERT INTO pc.dltb (bsm, dlbm, tbmj, kcxs, kcmj, zldwdm, yncz, geom) "
                    "SELECT 'B' || i || '_' || j, "
                    "(ARRAY['0103', '0101', '0201'])[1 + (i + j) % 3], 100.0, "
                    "CASE WHEN (i + j) % 3 < 2 THEN 0.1 END, CASE WHEN (i + j) % 3 < 2 THEN 10.0 END, "
                    "CASE WHEN i < 10 THEN '341122001001' ELSE '341122002001' END, "
                    "CASE WHEN (i * j) % 7 = 1 THEN '调出' END, "
                    f"ST_Multi(ST_MakeEnvelope({X0} + 10 * i, {Y0} + 10 * j, {X0} + 10 * i + 10, {Y0} + 10 * j + 10, "
                    "4527)) FROM generate_series(0, 19) i, generate_series(0, 9) j")
        cur.execute("UPDATE pc.dltb SET zzlx = 'TZ', ghdlbm = '0103' WHERE fid % 5 = 0")
        cur.execute("UPDATE pc.dltb SET zzlx = 'JS', ghdlbm = '0201' WHERE fid % 7 = 0")
        _split(cur, 2, 2, "S1", [5.0], [100.0, 100.0])  # in one unit, TBMJ copied
        _split(cur, 10, 5, "S2", [5.0], [100.0, 100.0])  # across the units (x = 105), copied
        _split(cur, 10, 6, "S3", [5.0], [50.0, 50.0])  # across the units, already shared (equal halves)
        _split(cur, 2, 9, "S4", [4.0], [100.0, 100.0])  # partly in PBF (its edge at x = 25), copied
        _split(cur, 15, 3, "S5", [3.0, 7.0], [30.0, 40.0, 30.0])  # three pieces, shared
        _split(cur, 16, 1, "S6", [3.0, 6.0], [60.0, 60.0, 40.0])  # 60 copied onto two pieces of 30 m², 40 shared
        _split(cur, 8, 1, "S7", [5.0], [None, 100.0])  # a piece without TBMJ: not pooled (each its own)
        cur.execute("UPDATE pc.dltb SET bsm = 'B0_0' WHERE bsm = 'B19_9'")  # far apart: not pieces
        _copy(cur, 12, 4)  # identical copies: counted once
        _copy(cur, 3, 8)  # in PBF
        _copy(cur, 17, 7, yncz="调入")  # differs in one attribute: two parcels
        cur.execute("CREATE INDEX ON pc.dltb USING gist (geom)")
        cur.execute("CREATE TABLE pc.units (id serial PRIMARY KEY, dybh text, geom geometry(MultiPolygon, 4527))")
        cur.execute(f"INSERT INTO pc.units (dybh, geom) VALUES ('U1', {_box(0, 0, 105, 100)}), "
                    f"('U2', {_box(105, 0, 200, 100)})")
        cur.execute("CREATE TABLE pc.pbf (id serial PRIMARY KEY, geom geometry(MultiPolygon, 4527))")
        holed = (f"ST_Multi(ST_Difference(ST_MakeEnvelope({X0 + 50}, {Y0 + 20}, {X0 + 150}, {Y0 + 80}, 4527), "
                 f"ST_MakeEnvelope({X0 + 60}, {Y0 + 30}, {X0 + 70}, {Y0 + 40}, 4527)))")
        cur.execute(f"INSERT INTO pc.pbf (geom) VALUES ({holed}), ({_box(0, 80, 25, 100)}), "
                    f"({_box(150, 0, 175, 20)}), ({_box(175, 0, 200, 20)})")
        cur.execute("CREATE INDEX ON pc.pbf USING gist (geom)")
    conn.close()
    yield dsn
    pg_cluster.execute(f'DROP DATABASE "{name}" WITH (FORCE)', "postgres")


def _sources(dsn: str) -> tuple[str, str, str]:
    return tuple(f"PG:{dsn}|layername=pc.{t}" for t in ("dltb", "units", "pbf"))


def _in_process(dsn: str):
    """The engine, its township variables, as the CLI computes them from the same tables."""
    from plugin.adapters.townships import township_limits
    from plugin.cli.common import compute

    parcels, units, pbf = _sources(dsn)
    args = argparse.Namespace(parcels=parcels, units=units, pbf=pbf, rules="national", unit_field=None,
                              tbmj_in_mu=False, encoding=None, ugb=None)
    engine, reader, inputs = compute(args)
    return engine, township_limits(inputs.pbf, None, reader.crs).variables(engine)


def assert_same_rows(server, engine) -> None:
    """The database's balance rows are the engine's, within 1e-3 m² each."""
    got = {(c, d): (b, a) for c, d, b, a in server.balance_rows()}
    want = {(c, d): (b, a) for c, d, b, a in engine.balance_rows()}
    assert set(got) == set(want)
    for key, (before, after) in want.items():
        assert got[key][0] == pytest.approx(before, abs=1e-3), key
        assert got[key][1] == pytest.approx(after, abs=1e-3), key


def test_pieces_and_copies_are_counted_as_the_engine_counts_them(pieces_db):
    server = in_database_balance(*_sources(pieces_db), None, False, bundled_pack("national"))
    engine, towns = _in_process(pieces_db)
    assert {"S1", "S2", "S3", "S4", "S5", "S6"} <= set(engine.split_bsms()), "the grid must hold its splits"
    assert_same_rows(server, engine)
    for name, value in engine.variables(None).items():  # the project's (PBF before/after/out/in, …)
        assert server.variables(None)[name] == pytest.approx(value, abs=1e-3), name
    want_ind = {(r.unit_code, r.rule_id): r.value for r in engine.indicator_rows()}
    got_ind = {(r.unit_code, r.rule_id): r.value for r in server.indicator_rows()}
    assert want_ind.keys() == got_ind.keys()
    for key, value in want_ind.items():
        assert got_ind[key] == (None if value is None else pytest.approx(value, rel=1e-6, abs=1e-3)), key
    # the grid is 200 parcels of 100 m² in the units: each split counts its parcel once, the identical
    # copies once; the copy that differs in YNCZ adds a parcel, the split with a piece without TBMJ
    # keeps each piece's own (100 + the other half measured, 50 m²)
    total = sum(before for code, _d, before, _a in server.balance_rows() if code == "*")
    assert total == pytest.approx(20_000 + 100 + 50, abs=0.05)
    variables, _ugb = server.townships
    assert set(variables) == set(towns) == {"341122001", "341122002"}
    for code, values in towns.items():
        for name, value in values.items():
            assert variables[code][name] == pytest.approx(value, abs=1e-3), (code, name)


def test_without_bsms_copies_still_count_once(pieces_db):
    """Placeholder BSMs ("0": no BSM, fields.survey_bsm) and NULL: no pieces (each feature keeps its own
    numbers), the identical copies found by their geometry and counted once."""
    conn = connect(pieces_db)
    with conn, conn.cursor() as cur:
        cur.execute("DROP TABLE IF EXISTS pc.nobsm")
        cur.execute("CREATE TABLE pc.nobsm AS SELECT * FROM pc.dltb")
        cur.execute("UPDATE pc.nobsm SET bsm = CASE WHEN fid % 2 = 0 THEN '0' END")
        cur.execute("ALTER TABLE pc.nobsm ADD PRIMARY KEY (fid); CREATE INDEX ON pc.nobsm USING gist (geom)")
    conn.close()
    parcels, units, pbf = _sources(pieces_db)
    parcels = parcels.replace("pc.dltb", "pc.nobsm")
    server = in_database_balance(parcels, units, pbf, None, False, bundled_pack("national"))
    from plugin.cli.common import compute

    engine, _reader, _inputs = compute(argparse.Namespace(parcels=parcels, units=units, pbf=pbf, rules="national",
                                                          unit_field=None, tbmj_in_mu=False, encoding=None))
    assert len(engine.shadows) == 2 and not engine.split_bsms(), "copies, and no pieces without BSMs"
    assert_same_rows(server, engine)


@pytest.mark.parametrize("case", ["bsm_full_width_space", "bsm_tab", "dlbm_trailing_space", "yncz_spelling"])
def test_spellings_the_engine_cleans_up_are_one_parcel_in_the_database_too(pieces_db, case):
    """A BSM with a tab or a full-width space after it is the same split parcel to the engine (Python's
    strip); a copy whose DLBM has a trailing blank, or whose YNCZ says 调入 where the other says IN, is
    the same copy: the database counts each once as well."""
    table = f"spell_{case}"
    conn = connect(pieces_db)
    with conn, conn.cursor() as cur:
        cur.execute(f"DROP TABLE IF EXISTS pc.{table}")
        cur.execute(f"CREATE TABLE pc.{table} AS SELECT * FROM pc.dltb")
        cur.execute(f"ALTER TABLE pc.{table} ADD PRIMARY KEY (fid); CREATE INDEX ON pc.{table} USING gist (geom)")
        last = f"(SELECT max(fid) FROM pc.{table} WHERE bsm = %s)"
        if case.startswith("bsm"):
            cur.execute(f"UPDATE pc.{table} SET bsm = bsm || %s WHERE fid = {last}",
                        ("\u3000" if case == "bsm_full_width_space" else "\t", "S1"))
        elif case == "dlbm_trailing_space":
            cur.execute(f"UPDATE pc.{table} SET dlbm = dlbm || ' ' WHERE fid = {last}", ("B12_4",))
        else:
            cur.execute(f"UPDATE pc.{table} SET yncz = '调入' WHERE bsm = 'B12_4'")
            cur.execute(f"UPDATE pc.{table} SET yncz = 'IN' WHERE fid = {last}", ("B12_4",))
    conn.close()
    parcels, units, pbf = _sources(pieces_db)
    parcels = parcels.replace("pc.dltb", f"pc.{table}")
    server = in_database_balance(parcels, units, pbf, None, False, bundled_pack("national"))
    from plugin.cli.common import compute

    engine, _reader, _inputs = compute(argparse.Namespace(parcels=parcels, units=units, pbf=pbf, rules="national",
                                                          unit_field=None, tbmj_in_mu=False, encoding=None, ugb=None))
    assert "S1" in engine.split_bsms() and engine.shadows, "the engine still sees the split and the copies"
    assert_same_rows(server, engine)


def test_kept_results_of_a_planning_schema_count_pieces_and_copies_as_the_engine(pieces_db):
    """The grid loaded into a planning schema (``db load``): the balances that keep shares, sums and
    survey results (share_cache, sum_cache, survey_cache) count the pieces and copies as the engine,
    also after a plan edit that makes an identical copy differ: the split across the units (S2) whose
    piece in U1 has a copy is then no split (two of its features overlap), and its piece in U2, not
    edited, keeps its own numbers again."""
    from plugin.adapters.postgis import schema as pg_schema
    from plugin.adapters.postgis.commands import db_load
    from plugin.cli.common import compute

    conn = connect(pieces_db)
    with conn, conn.cursor() as cur:
        cur.execute("DROP TABLE IF EXISTS pc.kept")
        cur.execute("CREATE TABLE pc.kept AS SELECT * FROM pc.dltb")
        cur.execute("INSERT INTO pc.kept SELECT (SELECT max(fid) + 1 FROM pc.kept), bsm, dlbm, tbmj, kcxs, kcmj, "
                    "zldwdm, yncz, zzlx, ghdlbm, geom FROM pc.kept WHERE bsm = 'S2' ORDER BY ST_XMin(geom) LIMIT 1")
        cur.execute("ALTER TABLE pc.kept ADD PRIMARY KEY (fid)")
    pg_schema.migrate(conn, "pk")
    conn.close()
    parcels, units, pbf = _sources(pieces_db)
    db_load(pieces_db, "pk", parcels.replace("pc.dltb", "pc.kept"), units, pbf)
    sources = tuple(f"PG:{pieces_db}|layername=pk.{t}" for t in ("parcels", "plan_unit", "pbf"))

    def engine():
        args = argparse.Namespace(parcels=sources[0], units=sources[1], pbf=sources[2], rules="national",
                                  unit_field=None, tbmj_in_mu=False, encoding=None, ugb=None)
        return compute(args)[0]

    for _first_and_kept in range(2):
        server = in_database_balance(*sources, None, False, bundled_pack("national"))
        want = engine()
        assert {"S1", "S2", "S3", "S4", "S5", "S6"} <= set(want.split_bsms()) and len(want.shadows) == 3
        assert_same_rows(server, want)
    conn = connect(pieces_db)
    with conn, conn.cursor() as cur:
        cur.execute("SELECT count(*) FROM pk.plan_survey_grp")
        assert cur.fetchone()[0] > 10, "the members of the BSM groups are kept"
        cur.execute("UPDATE pk.parcels SET yncz = '调入' WHERE fid = (SELECT min(fid) FROM pk.parcels "
                    "WHERE bsm = 'S2' AND ST_XMin(geom) < 39500105)")
    conn.close()
    server = in_database_balance(*sources, None, False, bundled_pack("national"))
    want = engine()
    assert "S2" not in want.split_bsms() and len(want.shadows) == 2, "the edited copy is a parcel of its own now"
    assert_same_rows(server, want)
