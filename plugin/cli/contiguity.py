"""The ``contiguity`` command: 集中连片 of farmland and PBF, per unit and for the project.

    python -m plugin.cli contiguity --parcels F.gpkg|layername=DLTB --units F.gpkg|layername=ZZDY \\
        [--pbf SRC] [--rules national] [--unit CODE ...] [--gap METRES] [--out PATCHES.gpkg]

Prints, per scope (the project, then each unit) and layer (farmland / PBF, before / after), the
number of patches, total, mean and largest patch and the 百亩方 / 千亩方 / 万亩方 blocks; ``--out``
also writes the ``farmland_patches`` layer and ``farmland_patch_stats`` table (the same as in the
plan GeoPackage). ``--gap`` overrides the rule pack's gap tolerance (``contiguity.gap_m``).
docs/domain-contiguity.md.
"""
from __future__ import annotations

import argparse
import dataclasses

from ..core.i18n import chinese as ui_chinese
from ..core.i18n import tr
from .common import add_sources, check_outputs, command, compute, fail, say


@command
def run(args: argparse.Namespace) -> int:
    from ..adapters.export.geometry import srs_of
    from ..adapters.export.patches import write_patches
    from ..adapters.gpkg import atomic_output
    from ..core.contiguity import PROJECT, ContiguitySettings
    from ..core.contiguity_live import Contiguity
    from ..core.contiguity_report import summary_lines
    from ..core.selection import units_by_code

    check_outputs(args, [args.out])
    engine, reader, inputs = compute(args)
    uids = [u for us in units_by_code(engine, args.unit).values() for u in us] if args.unit \
        else list(engine.ordered_units())
    settings = ContiguitySettings.from_pack(engine.pack)
    if args.gap is not None:
        if args.gap < 0:
            return fail(tr("--gap must be 0 or more metres."))
        settings = dataclasses.replace(settings, gap_m=args.gap)
    state = Contiguity(settings)
    state.build(engine)
    if args.out:
        with atomic_output(args.out) as tmp:
            write_patches(tmp, engine, uids, srs_of(inputs.parcels.crs()), state=state)
    chinese = ui_chinese()
    print(tr("Gap tolerance: {0} m").format(settings.gap_m))
    scopes = ([(PROJECT, tr("Whole project"))] if not args.unit else []) + [
        (uid, tr("Unit {0}").format(engine.unit_code(uid))) for uid in uids]
    for scope, title in scopes:
        print(title)
        for line in summary_lines(state, engine, scope, chinese):
            print("  " + line)
    say(warnings=engine.warnings() + reader.warnings(), written=[args.out] if args.out else [])
    return 0


def add_command(sub) -> None:
    p = sub.add_parser("contiguity", help=tr("集中连片: farmland and PBF patches and 百亩方/千亩方/万亩方 blocks"))
    add_sources(p)
    p.add_argument("--unit", nargs="+", metavar="CODE", default=None,
                   help=tr("only these units (codes, e.g. ZZDY-001 ZZDY-004)"))
    p.add_argument("--gap", type=float, default=None, metavar="METRES",
                   help=tr("gap tolerance in metres (default: the rule pack's, 5 m in the bundled packs)"))
    p.add_argument("--out", default=None, help=tr("also write the patches layer and table to this GeoPackage"))
    p.set_defaults(func=run)
