"""balance --in-database with the township PBF limits (core.townships, docs/domain.md §7): the
variables summed by the database over the whole parcels of each township, judged by the pack's
township rules, equal the in-process results — with and without an urban growth boundary."""
from __future__ import annotations

import argparse

import pytest

from plugin.adapters.postgis.commands import in_database_balance
from plugin.adapters.postgis.connection import connect
from plugin.core.rules import bundled_pack
from plugin.core.townships import evaluate_variables
from tests.postgis.test_pg_share_cache import loaded_db
from tests.postgis.test_pg_split_view import split_in_two


@pytest.fixture(scope="module")
def town_db(pg_cluster, tmp_path_factory):
    name = "townships"
    dsn, _lines = loaded_db(pg_cluster, tmp_path_factory.mktemp("towns"), name, 2500, 11)
    conn = connect(dsn)
    with conn, conn.cursor() as cur:
        # an urban growth boundary over half of the PBF moved out, and a parcel without a township
        cur.execute("CREATE TABLE lc.ugb AS SELECT 1 AS id, ST_Multi(ST_Union(ST_Buffer(s.geom, 5))) AS geom "
                    "FROM lc.survey s JOIN lc.plan_parcel p ON p.survey_fid = s.fid WHERE p.yncz IN ('调出', 'OUT') "
                    "AND s.fid % 2 = 0")
        cur.execute("ALTER TABLE lc.ugb ADD PRIMARY KEY (id)")
        cur.execute("UPDATE lc.survey SET zldwdm = 'X' WHERE fid = 3")
    conn.close()
    yield dsn
    pg_cluster.execute(f'DROP DATABASE "{name}" WITH (FORCE)', "postgres")


def _in_process_towns(dsn: str, ugb: str | None):
    """(rule results, township variables) of the in-process engine, as the CLI computes them."""
    from plugin.adapters.townships import township_limits
    from plugin.cli.common import compute, open_extras, township_results_of

    src = {t: f"PG:{dsn}|layername=lc.{t}" for t in ("parcels", "plan_unit", "pbf")}
    args = argparse.Namespace(parcels=src["parcels"], units=src["plan_unit"], pbf=src["pbf"], rules="national",
                              unit_field=None, tbmj_in_mu=False, encoding=None, ugb=ugb)
    engine, reader, inputs = compute(args)
    limits = township_limits(inputs.pbf, open_extras(args, ("ugb",))["ugb"], reader.crs)
    return township_results_of(args, engine, reader, inputs), limits.variables(engine)


@pytest.mark.parametrize("with_ugb", [False, True, "split"])
def test_township_limits_in_database_equal_in_process(town_db, with_ugb):
    """Last, "split": two parcels outside every unit and one in a unit split in two through the view (the
    township's parcels outside units are then read by their ids from the survey and the pieces)."""
    if with_ugb == "split":
        conn = connect(town_db)
        with conn, conn.cursor() as cur:
            cur.execute("SELECT s.fid, EXISTS (SELECT 1 FROM lc.plan_unit u WHERE ST_Intersects(u.geom, s.geom)) AS i "
                        "FROM lc.survey s WHERE s.tbmj > 0 AND s.zldwdm <> 'X' ORDER BY i, s.fid")
            found = cur.fetchall()
            fids = [f for f, i in found if not i][:2] + [f for f, i in found if i][:1]
            assert len(fids) == 3
            split_in_two(cur, fids, "lc")
            cur.execute("SELECT count(*) FROM lc.plan_split")
            assert cur.fetchone()[0] == 6
        conn.close()
        with_ugb = True
    ugb = f"PG:{town_db}|layername=lc.ugb" if with_ugb else None
    server = in_database_balance(f"PG:{town_db}|layername=lc.parcels", f"PG:{town_db}|layername=lc.plan_unit",
                                 f"PG:{town_db}|layername=lc.pbf", None, False, bundled_pack("national"), ugb)
    got = {(r.unit_code, r.rule_id): r for r in evaluate_variables(server, *server.townships)}
    results, want_variables = _in_process_towns(town_db, ugb)
    want = {(r.unit_code, r.rule_id): r for r in results}
    assert want and set(got) == set(want)
    for key, r in want.items():
        assert (got[key].value is None) == (r.value is None), key
        if r.value is not None:
            assert got[key].value == pytest.approx(r.value, rel=1e-6, abs=1e-6), key
        assert got[key].passed == r.passed, key
    variables, has_ugb = server.townships
    assert has_ugb is with_ugb
    assert set(variables) == set(want_variables)
    for code, values in want_variables.items():
        for name, value in values.items():
            assert variables[code][name] == pytest.approx(value, abs=1e-4), (code, name)
    out_ugb = sum(v["pbf_out_ugb"] for v in variables.values())
    assert (out_ugb > 0) is with_ugb, "half of the PBF moved out lies in the boundary"
