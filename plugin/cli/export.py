"""The ``export`` command: the plan GeoPackage (units, clipped parcels, balance, styles, project).

    python -m plugin.cli export --parcels F.gpkg|layername=DLTB --units F.gpkg|layername=ZZDY \\
        [--pbf SRC] [--ugb SRC] [--rules national] [--unit-field DYBH] [--unit CODE ...] [--per-unit] \\
        [--overwrite] --out PLAN.gpkg

Bad input or an unwritable target gives one clear message and exit code 2; an existing file
is kept unless ``--overwrite``.
"""
from __future__ import annotations

import argparse

from ..core.i18n import tr
from .common import add_sources, add_ugb, command, compute, input_sources, print_summary, say, township_results_of


@command
def run(args: argparse.Namespace) -> int:
    """Run the export; print the per-unit summary and where the file(s) went."""
    from ..adapters.export import check_targets, write_plan
    from ..core.rules import load_pack

    load_pack(args.rules)  # a broken pack is reported before anything else
    check_targets(args.out, bool(args.per_unit), bool(args.overwrite), input_sources(args))
    engine, reader, inputs = compute(args)
    towns = township_results_of(args, engine, reader, inputs)
    notes: list[str] = []
    written = write_plan(engine, reader, inputs, args.out, unit_codes=args.unit or None,
                         per_unit=bool(args.per_unit), overwrite=bool(args.overwrite),
                         title=getattr(args, "title", None), author=getattr(args, "author", None),
                         log=notes.append, townships=towns)
    print_summary(engine, towns)
    say(warnings=reader.warnings())
    say(notes, written=written)
    return 0


def add_command(sub) -> None:
    p = sub.add_parser("export", help=tr("plan GeoPackage: units, clipped parcels, balance, styles, QGIS project"))
    add_sources(p)
    add_ugb(p)
    p.add_argument("--unit", nargs="+", metavar="CODE", default=None,
                   help=tr("export only these units (codes, e.g. ZZDY-001 ZZDY-004)"))
    p.add_argument("--per-unit", action="store_true",
                   help=tr("one GeoPackage per unit: --out is a folder, files are named <DYBH>.gpkg"))
    p.add_argument("--overwrite", action="store_true", help=tr("replace existing output files"))
    p.add_argument("--title", default=None, help=tr("plan title stored in the metadata"))
    p.add_argument("--author", default=None, help=tr("planner's name stored in the metadata (default: QGIS user)"))
    p.add_argument("--out", required=True, help=tr("output GeoPackage (or folder with --per-unit)"))
    p.set_defaults(func=run)
