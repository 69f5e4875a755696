"""The ``balance`` command: per-unit land-class balance and indicators -> GeoPackage tables.

    python -m plugin.cli balance --parcels F.gpkg|layername=DLTB --units F.gpkg|layername=ZZDY \\
        [--pbf SRC] [--rules national] [--unit-field DYBH] [--overwrite] --out BALANCE.gpkg

Writes the tables ``balance`` and ``indicators`` and prints the per-unit summary.
"""
from __future__ import annotations

import argparse

from ..core.i18n import tr
from .common import add_sources, check_outputs, command, compute, print_summary, say


@command
def run(args: argparse.Namespace) -> int:
    from ..adapters.gpkg import atomic_output, write_balance_tables

    overwrite = bool(getattr(args, "overwrite", False))
    check_outputs(args, [args.out], overwrite)
    engine, reader, _inputs = compute(args)
    with atomic_output(args.out, overwrite=overwrite) as tmp:
        write_balance_tables(tmp, engine)
    print_summary(engine)
    say(warnings=reader.warnings(), written=[args.out])
    return 0


def add_command(sub) -> None:
    p = sub.add_parser("balance", help=tr("area balance and indicators per unit -> GeoPackage tables"))
    add_sources(p)
    p.add_argument("--out", required=True, help=tr("output GeoPackage"))
    p.add_argument("--overwrite", action="store_true", help=tr("replace existing output files"))
    p.set_defaults(func=run)
