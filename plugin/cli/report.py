"""The ``report`` command: 整治前后土地利用结构调整表 + indicator table as XLSX (and CSV).

    python -m plugin.cli report --parcels F.gpkg|layername=DLTB --units F.gpkg|layername=ZZDY \\
        [--pbf SRC] [--ugb SRC] [--rules national] [--unit-field DYBH] [--unit CODE ...] [--english] \\
        [--csv STRUCTURE.csv] [--indicators-csv INDICATORS.csv] [--maps MAPS_DIR] --out REPORT.xlsx

``--maps DIR`` also writes an A3 plan map of each unit (``DIR/<code>.pdf``, see
``adapters/unit_maps.py``). Bad input, a missing openpyxl or an unwritable target gives one
clear message and exit code 2; no partial file is left.
"""
from __future__ import annotations

import argparse
from pathlib import Path

from ..core.errors import PlanError
from ..core.i18n import tr
from .common import add_sources, add_ugb, check_outputs, command, compute, say, township_results_of


@command
def run(args: argparse.Namespace) -> int:
    from ..adapters.gpkg import output_batch
    from ..adapters.report_xlsx import require_openpyxl, write_report, write_report_csv

    chinese = not getattr(args, "english", False)
    out = getattr(args, "out", None)
    csv_out = getattr(args, "csv", None)
    ind_out = getattr(args, "indicators_csv", None)
    maps_dir = getattr(args, "maps", None)
    if not (out or csv_out or ind_out or maps_dir):
        raise PlanError(tr("Give --out (XLSX) and/or --csv / --indicators-csv / --maps."))
    written: list[Path] = []
    check_outputs(args, [out, csv_out, ind_out, maps_dir])
    if out:
        require_openpyxl()  # tell about a missing openpyxl before the build
    engine, reader, inputs = compute(args)
    towns = township_results_of(args, engine, reader, inputs)
    units = args.unit or None
    with output_batch():  # the workbook and the CSV files are moved into place together, or none
        if out:
            written.append(write_report(engine, out, chinese=chinese, units=units, townships=towns))
        if csv_out or ind_out:
            written += write_report_csv(engine, csv_out, chinese=chinese, units=units, indicators_path=ind_out)
    if maps_dir:
        from ..adapters.unit_maps import write_unit_maps

        written += write_unit_maps(engine, inputs, Path(maps_dir), units=units, chinese=chinese, fmt="pdf")
    say(warnings=engine.warnings() + reader.warnings(), written=written)
    return 0


def add_command(sub) -> None:
    p = sub.add_parser("report", help=tr("structure table (整治前后土地利用结构调整表) and indicators -> XLSX/CSV"))
    add_sources(p)
    add_ugb(p)
    p.add_argument("--out", default=None, help=tr("output workbook (.xlsx): 全项目 sheet and one sheet per unit"))
    p.add_argument("--csv", default=None, help=tr("also write the structure table as CSV (UTF-8)"))
    p.add_argument("--indicators-csv", default=None, help=tr("also write the indicator table as CSV (UTF-8)"))
    p.add_argument("--unit", nargs="+", metavar="CODE", default=None,
                   help=tr("only these units (codes, e.g. ZZDY-001 ZZDY-004)"))
    p.add_argument("--maps", default=None, metavar="DIR",
                   help=tr("also write an A3 plan map of each unit as PDF into this folder"))
    p.add_argument("--english", action="store_true", help=tr("English headers and land-class names"))
    p.set_defaults(func=run)
