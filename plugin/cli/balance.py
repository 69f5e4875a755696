"""The ``balance`` command: per-unit land-class balance and indicators -> GeoPackage tables.

    python -m plugin.cli balance --parcels F.gpkg|layername=DLTB --units F.gpkg|layername=ZZDY \\
        [--pbf SRC] [--ugb SRC] [--rules national] [--unit-field DYBH] [--in-database] [--overwrite] \\
        --out BALANCE.gpkg

Writes the tables ``balance`` and ``indicators`` and prints the per-unit summary.
"""
from __future__ import annotations

import argparse

from ..core.i18n import tr
from . import db
from .common import add_sources, add_ugb, check_outputs, command, compute, print_summary, say, township_results_of


@command
def run(args: argparse.Namespace) -> int:
    from ..adapters.gpkg import atomic_output, write_balance_tables

    overwrite = bool(getattr(args, "overwrite", False))
    check_outputs(args, [args.out], overwrite)
    if getattr(args, "in_database", False):  # docs/postgis.md: only sums leave the database
        from ..core.rules import load_pack
        from ..core.townships import evaluate_variables

        engine, reader = db.in_database_engine(args, load_pack(args.rules)), None
        # the township PBF limits: their variables summed by the database, judged here
        towns = evaluate_variables(engine, *engine.townships) if engine.townships is not None else []
    else:
        engine, reader, inputs = compute(args)
        towns = township_results_of(args, engine, reader, inputs)
    with atomic_output(args.out, overwrite=overwrite) as tmp:
        write_balance_tables(tmp, engine, towns)
    print_summary(engine, towns)
    say(warnings=reader.warnings() if reader is not None else (), written=[args.out])
    return 0


def add_command(sub) -> None:
    p = sub.add_parser("balance", help=tr("area balance and indicators per unit -> GeoPackage tables"))
    add_sources(p)
    add_ugb(p)
    db.add_in_database(p)
    p.add_argument("--out", required=True, help=tr("output GeoPackage"))
    p.add_argument("--overwrite", action="store_true", help=tr("replace existing output files"))
    p.set_defaults(func=run)
