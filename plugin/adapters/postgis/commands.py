"""What the ``db`` commands and ``balance --in-database`` do (the CLI only parses and prints).

Every message that names a connection goes through ``connection.redact``: no password is printed.
"""
from __future__ import annotations

import getpass

from ...core.i18n import tr
from ...core.rules import RulePack
from . import load as pg_load
from . import schema as pg_schema
from .balance import Sources, compute
from .connection import DatabaseError, connect, is_database_source, redact

DEFAULT_SCHEMA = "land_consolidation"


def db_init(db: str, schema: str = DEFAULT_SCHEMA) -> list[str]:
    """``db init``: create or upgrade the planning schema; returns the lines to print."""
    conn = connect(db)
    try:
        applied = pg_schema.migrate(conn, schema)
        with conn.cursor() as cur:
            version = pg_schema.current_version(cur, schema)
    finally:
        conn.close()
    if not applied:
        return [tr("Planning schema {0} is up to date (version {1}).").format(schema, version)]
    return [tr("Planning schema {0}: applied version(s) {1}; now at version {2}.").format(
        schema, ", ".join(str(v) for v in applied), version)]


def db_load(db: str, schema: str, parcels: str, units: str | None, pbf: str | None,
            unit_field: str | None = None, say=None, replace_plan: bool = False) -> list[str]:
    """``db load``: a DLTB source (and units, PBF) into an initialised schema, then the kept shares filled
    (load.fill_kept); returns the lines to print, each also given to ``say`` as soon as it is known.
    Planners' work since the last load that it would replace refuses it (DatabaseError, nothing written)
    unless ``replace_plan`` (reload_guard)."""
    lines: list[str] = []

    def line(text: str) -> None:
        lines.append(text)
        if say is not None:
            say(text)

    conn = connect(db)
    try:
        with conn.cursor() as cur:
            pg_schema.set_planner(cur, getpass.getuser())
        counts, note = pg_load.load(conn, db, schema, parcels, units, pbf, unit_field, replace_plan)
    finally:
        conn.close()
    line(tr("Loaded into {0}: {1}").format(schema, ", ".join(f"{k} {v}" for k, v in counts.items())))
    if note:
        line(note)
    # the load is committed: a fill that fails leaves it, and the first balance computes the shares
    try:
        seconds = pg_load.fill_kept(db, schema, say)
    except DatabaseError as exc:
        line(tr("The kept shares were not filled ({0}); the first balance --in-database computes them.").format(
            redact(str(exc))))
    else:
        if seconds is not None:
            line(tr("Kept shares filled in {0:.1f} s: balance --in-database reads them.").format(seconds))
    line(tr("Balance source: PG:{0}|layername={1}.parcels (units: {1}.plan_unit, PBF: {1}.pbf)").format(
        redact(db), schema))
    return lines


def in_database_balance(parcels: str, units: str, pbf: str | None, unit_field: str | None, tbmj_in_mu: bool,
                        pack: RulePack, ugb: str | None = None):
    """The balance computed in the database (``core.aggregated.AggregatedBalance``); with PBF, the
    township limits' variables too (``townships``; ``ugb``: the urban growth boundary)."""
    for source in (parcels, units, pbf, ugb):
        if source and not is_database_source(source):
            raise DatabaseError(tr("--in-database needs PostGIS sources (PG:…|layername=schema.table), not {0}")
                                .format(redact(source)))
    return compute(Sources(parcels, units, pbf, unit_field, tbmj_in_mu, ugb), pack)
