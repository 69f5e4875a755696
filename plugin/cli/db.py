"""``db init`` / ``db load`` and ``balance --in-database`` (docs/postgis.md).

Only parsing and printing: what the commands do is in ``plugin/adapters/postgis/commands.py``.
"""
from __future__ import annotations

import argparse

from ..core.i18n import tr
from .common import command

DEFAULT_SCHEMA = "land_consolidation"


def _db_argument(p: argparse.ArgumentParser) -> None:
    p.add_argument("--db", required=True, metavar="CONN",
                   help=tr("database: service=NAME (pg_service.conf), libpq keywords, postgresql://… or PG:…; "
                           "keep the password in pg_service.conf or ~/.pgpass"))
    p.add_argument("--schema", default=DEFAULT_SCHEMA, help=tr("planning schema (default: land_consolidation)"))


@command
def cmd_db_init(args: argparse.Namespace) -> int:
    from ..adapters.postgis.commands import db_init

    lines = db_init(args.db, args.schema)  # DatabaseError is a PlanError: common.command tells it
    print("\n".join(lines))
    return 0


@command
def cmd_db_load(args: argparse.Namespace) -> int:
    from ..adapters.postgis.commands import db_load

    # each line as it comes: the kept shares' fill after the load takes minutes for a county
    db_load(args.db, args.schema, args.parcels, args.units, args.pbf, args.unit_field,
            say=lambda line: print(line, flush=True), replace_plan=args.replace_plan)
    return 0


def add_command(sub) -> None:
    """``db init`` and ``db load``."""
    d = sub.add_parser("db", help=tr("the planning schema in a PostgreSQL/PostGIS database"))
    dsub = d.add_subparsers(dest="db_command", required=True)
    i = dsub.add_parser("init", help=tr("create or upgrade the planning schema (versioned, idempotent)"))
    _db_argument(i)
    i.set_defaults(func=cmd_db_init)
    load = dsub.add_parser("load", help=tr("load a DLTB source (and units, PBF) into the planning schema"))
    _db_argument(load)
    load.add_argument("--parcels", required=True, help=tr("parcel (三调 DLTB) source, e.g. file.gpkg|layername=DLTB"))
    load.add_argument("--units", help=tr("remediation units source"))
    load.add_argument("--pbf", help=tr("permanent basic farmland source (optional)"))
    load.add_argument("--unit-field", default=None, help=tr("unit code field (default: DYBH)"))
    load.add_argument("--replace-plan", action="store_true",
                      help=tr("replace the planners' work since the last load (parcels tagged, pieces, and with "
                              "--units the units); without it such a load is refused (history keeps the old rows)"))
    load.set_defaults(func=cmd_db_load)


def add_in_database(balance: argparse.ArgumentParser) -> None:
    """``balance --in-database``."""
    balance.add_argument("--in-database", action="store_true",
                         help=tr("PostGIS sources: compute the balance with SQL in the database (only sums leave it)"))


def in_database_engine(args: argparse.Namespace, pack):
    """The balance of ``args`` computed in the database; DatabaseError -> the caller's exit 2."""
    from ..adapters.postgis.commands import in_database_balance

    return in_database_balance(args.parcels, args.units, args.pbf, args.unit_field,
                               bool(getattr(args, "tbmj_in_mu", False)), pack, getattr(args, "ugb", None))
