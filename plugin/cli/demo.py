"""The ``demo`` command, README's main job: demo township -> balance -> plan GeoPackage -> summary.

    python -m plugin.cli demo [--out-dir demo_output] [--parcels 3500] [--seed 42] [--rules national] \\
        [--regenerate]

Writes demo_township.gpkg, demo_plan.gpkg, demo_report.xlsx and demo_planning.qgz (README).
"""
from __future__ import annotations

import argparse
from pathlib import Path

from ..core.i18n import tr
from . import export
from .common import command, compute, say


@command
def run(args: argparse.Namespace) -> int:
    from ..demo.writer import write_demo_gpkg

    out_dir = Path(args.out_dir).resolve()
    out_dir.mkdir(parents=True, exist_ok=True)
    demo = out_dir / "demo_township.gpkg"
    if not demo.exists() or args.regenerate:
        counts = write_demo_gpkg(str(demo), n_parcels=args.parcels, seed=args.seed)
        print(tr("Demo data: {0} ({1} parcels, {2} units)").format(demo, counts.get("DLTB"), counts.get("ZZDY")))
    plan = out_dir / "demo_plan.gpkg"
    export_args = argparse.Namespace(
        parcels=f"{demo}|layername=DLTB", units=f"{demo}|layername=ZZDY", pbf=f"{demo}|layername=YJJBNTTB",
        rules=args.rules, unit_field="DYBH", out=str(plan), unit=None, per_unit=False, overwrite=True,
        tbmj_in_mu=False, ugb=f"{demo}|layername=CZKFBJ",
    )
    rc = export.run(export_args)
    if rc != 0:
        return rc
    from ..adapters.report_xlsx import ReportError, write_report

    report = out_dir / "demo_report.xlsx"
    try:
        engine, _reader, _inputs = compute(export_args)
        write_report(engine, report, chinese=True)
    except ReportError as exc:  # openpyxl missing: the plan itself is written
        say(warnings=[str(exc)])
    else:
        print(tr("Written: {0}").format(report))
    from ..demo.project import write_planning_project

    planning = write_planning_project(demo, out_dir / "demo_planning.qgz")
    print(tr("Planning project for QGIS (layers, styles, plugin set-up): {0}").format(planning))
    return 0


def add_command(sub) -> None:
    d = sub.add_parser("demo", help=tr("build the demo township, compute its balance and export the plan"))
    d.add_argument("--out-dir", default="demo_output", help=tr("folder for the demo files (default: demo_output)"))
    d.add_argument("--parcels", type=int, default=3500, help=tr("number of parcels (default: 3500)"))
    d.add_argument("--seed", type=int, default=42)
    d.add_argument("--rules", default="national")
    d.add_argument("--regenerate", action="store_true", help=tr("make the demo data again even if present"))
    d.set_defaults(func=run)
