"""The ``check`` command: the data checks (数据检查) of a plan -> a ``findings`` layer.

    python -m plugin.cli check --parcels F.gpkg|layername=DLTB --units F.gpkg|layername=ZZDY \\
        [--pbf SRC] [--redline SRC] [--ugb SRC] [--boundary SRC] [--rules national] --out findings.gpkg

Same sources as ``balance``; the same code as the 检查 panel and Processing's ``checkdata``
(``adapters/datachecks.py`` over ``core/datachecks.py``). Prints the counts per severity and
kind. Exit 0 whatever the findings (they are the result); 2 only on bad input.
"""
from __future__ import annotations

import argparse
from collections import Counter

from ..core.i18n import tr
from .common import add_sources, add_zones, check_outputs, command, compute, open_extras, say


@command
def run(args: argparse.Namespace) -> int:
    from ..adapters.datachecks import run_checks, write_findings_gpkg
    from ..adapters.gpkg import atomic_output
    from ..core.datachecks import kind_name, severity_name

    check_outputs(args, [args.out])
    extra = open_extras(args, ("redline", "ugb", "boundary"))
    engine, reader, inputs = compute(args)
    findings = run_checks(engine, inputs, reader, reader.crs, engine.pack, extra["redline"], extra["ugb"],
                          extra["boundary"])
    with atomic_output(args.out, overwrite=True) as tmp:
        write_findings_gpkg(tmp, findings, reader.crs)
    severities = Counter(f.severity for f in findings)
    print(tr("Findings — errors: {0}, warnings: {1}, notes: {2}").format(
        severities.get("error", 0), severities.get("warning", 0), severities.get("info", 0)))
    for (severity, code), n in sorted(Counter((f.severity, f.code) for f in findings).items()):
        print(f"  {severity_name(severity):8} {code:30} {kind_name(code)}: {n}")
    say(warnings=engine.warnings() + reader.warnings(), written=[args.out])
    return 0


def add_command(sub) -> None:
    p = sub.add_parser("check", help=tr("data checks (数据检查) of the plan -> GeoPackage layer 'findings'"))
    add_sources(p)
    add_zones(p)
    p.add_argument("--out", required=True, help=tr("output GeoPackage (layer 'findings')"))
    p.set_defaults(func=run)
