"""``balance --in-database`` asks the CRS plausibility question of its tables as the in-process engine
asks it of its layers (``validation.check_crs``; docs/postgis.md): the same refusal, word for word, for
metres labelled as degrees, a zone prefix the CRS lacks, the wrong zone; the demo as it is passes."""
from __future__ import annotations

import pytest

from plugin.adapters.postgis.commands import in_database_balance
from plugin.adapters.postgis.connection import connect
from plugin.core.errors import PlanError
from plugin.core.rules import bundled_pack
from tests.postgis import test_pg_balance as pgb
from tests.postgis.test_pg_balance import _pg, in_process

demo_gpkg, demo_db = pgb.demo_gpkg, pgb.demo_db  # the demo township loaded by db load (EPSG:4527)


def refusal_of(run) -> str:
    """The message of the PlanError ``run`` raises (the traceback, and QGIS layers in its frames, let go
    here: kept until the interpreter's exit they outlive QGIS)."""
    try:
        run()
    except PlanError as error:
        return str(error)
    raise AssertionError("not refused")


@pytest.mark.parametrize("srid, finding", [
    (4490, "(degrees) but its coordinates are metres"),  # metres labelled as degrees
    (4545, "(no zone prefix) but its eastings carry the 39-zone prefix"),  # CM 117E without the prefix
    (4526, "(zone 38) but its eastings are in zone 39"),  # the neighbouring zone
])
def test_a_crs_that_does_not_fit_is_refused_as_in_process(demo_db, srid, finding):
    schema = f"crs_{srid}"
    conn = connect(demo_db)
    with conn, conn.cursor() as cur:
        cur.execute(f"DROP SCHEMA IF EXISTS {schema} CASCADE; CREATE SCHEMA {schema}")
        cur.execute(f"CREATE TABLE {schema}.parcels AS SELECT * FROM lc.parcels")
        cur.execute(f"ALTER TABLE {schema}.parcels ADD PRIMARY KEY (fid)")
        cur.execute(f"ALTER TABLE {schema}.parcels ALTER COLUMN geom TYPE geometry(MultiPolygon, {srid}) "
                    f"USING ST_SetSRID(geom, {srid})")
    conn.close()
    sources = (_pg(demo_db, f"{schema}.parcels"), _pg(demo_db, "lc.plan_unit"), _pg(demo_db, "lc.pbf"))
    server = refusal_of(lambda: in_database_balance(*sources, None, False, bundled_pack("national")))
    engine = refusal_of(lambda: in_process(*sources))
    assert finding in server
    assert server == engine


def test_the_demo_as_it_is_passes_the_crs_checks(demo_db):
    from plugin.adapters.postgis.balance import _table
    from plugin.adapters.postgis.crs_sql import crs_problems, srid_crs

    conn = connect(demo_db)
    with conn.cursor() as cur:
        tables = [(_table(cur, "lc", name, name), name) for name in ("parcels", "plan_unit", "pbf")]
        assert crs_problems(cur, tables) == []
        assert srid_crs(cur, 4527).authid() == "EPSG:4527" and not srid_crs(cur, 0).isValid()
    conn.close()
