"""The life-cycle commands (docs/lifecycle.md): ``status``, ``acceptance``, ``progress``.

    python -m plugin.cli status     SOURCES --unit ZZDY-001 --to 立项|approved [--reason TEXT]
        [--achieved SRC [--achieved-field DLBM]] [--redline SRC] [--ugb SRC] [--boundary SRC]
    python -m plugin.cli acceptance SOURCES --achieved SRC [--achieved-field DLBM] [--unit CODE ...] [--out T.gpkg]
    python -m plugin.cli progress   SOURCES [--achieved SRC [--achieved-field DLBM]] --out progress.xlsx

``status`` changes the units source itself (its ZT field, saved) and appends the history row to the
table ``unit_status_history`` of the units' GeoPackage; a refused step prints the reasons and exits 2,
changing nothing. ``acceptance`` prints planned vs achieved per unit, type and class (exit 0 with or
without shortfalls; the table ``acceptance`` with --out). ``progress`` writes the XLSX report.
Same code as the Progress panel and Processing (``adapters/lifecycle_ops.py``).
"""
from __future__ import annotations

import argparse
from pathlib import Path

from ..core.areas import MU_M2
from ..core.i18n import tr
from .common import add_sources, add_zones, check_outputs, command, compute, fail, open_extras


def _acceptance(args, engine, reader, layer, units=None):
    from ..adapters.lifecycle_ops import check_acceptance

    if layer is None:
        return None
    return check_acceptance(engine, layer, args.achieved_field, reader.crs, engine.pack, units)


def _unit_fields(inputs) -> tuple[str, str]:
    from ..core.fields import resolve_unit_fields

    names = resolve_unit_fields(inputs.units.fields().names(), inputs.unit_field)
    return names.get("DYBH") or "DYBH", names.get("ZT") or "ZT"


@command
def cmd_status(args: argparse.Namespace) -> int:
    from ..adapters.datachecks import run_checks
    from ..adapters.lifecycle_ops import set_status
    from ..adapters.lifecycle_store import HistoryStore
    from ..core.lifecycle import APPROVED, STATUSES, parse_status

    target = parse_status(args.to)
    if target is None:
        return fail(tr("{0} is not a status (allowed: {1})").format(args.to, " → ".join(STATUSES)))
    extra = open_extras(args, ("redline", "ugb", "boundary", "achieved"))
    engine, reader, inputs = compute(args)
    findings = run_checks(engine, inputs, reader, reader.crs, engine.pack, extra["redline"], extra["ugb"],
                          extra["boundary"]) if target == APPROVED else None
    acceptance = _acceptance(args, engine, reader, extra["achieved"], [args.unit])
    code_f, status_f = _unit_fields(inputs)
    store = HistoryStore(inputs.units)
    row = set_status(inputs.units, code_f, status_f, args.unit, target, args.reason or "", findings,
                     acceptance, store)
    print(tr("Unit {0}: {1} → {2} ({3}, {4})").format(row.unit_code, row.from_status, row.to_status,
                                                      row.changed_by, row.changed_at))
    print(tr("History: {0}").format(store.where))
    return 0


@command
def cmd_acceptance(args: argparse.Namespace) -> int:
    from ..adapters.gpkg import atomic_output, write_table
    from ..adapters.lifecycle_ops import ACCEPTANCE_COLUMNS, acceptance_rows

    if args.out:
        check_outputs(args, [args.out])
    extra = open_extras(args, ("achieved",))
    engine, reader, _inputs = compute(args)
    rows = _acceptance(args, engine, reader, extra["achieved"], args.unit or None)
    if args.out:
        with atomic_output(args.out, overwrite=True) as tmp:
            write_table(tmp, "acceptance", ACCEPTANCE_COLUMNS, acceptance_rows(rows),
                        "验收比对 / acceptance: planned vs achieved")
    for r in rows:
        mark = "✓" if r.ok else "✗"
        print(f"{mark} {r.unit_code:12} {r.zzlx or '—':8} {r.ghdlbm:6} "
              + tr("planned {0} mu, achieved {1} mu, short {2} mu ({3} m²)").format(
                  f"{r.planned_m2 / MU_M2:,.2f}", f"{r.achieved_m2 / MU_M2:,.2f}", f"{r.shortfall_m2 / MU_M2:,.2f}",
                  f"{r.shortfall_m2:,.1f}"))
    print(tr("Acceptance: {0} rows, {1} short").format(len(rows), sum(1 for r in rows if not r.ok)))
    if args.out:
        print(tr("Written: {0}").format(Path(args.out).resolve()))
    return 0


@command
def cmd_progress(args: argparse.Namespace) -> int:
    from ..adapters.lifecycle_ops import project_progress
    from ..adapters.progress_xlsx import write_progress_report
    from ..core.lifecycle import status_label

    check_outputs(args, [args.out])
    extra = open_extras(args, ("achieved",))
    engine, reader, inputs = compute(args)
    acceptance = _acceptance(args, engine, reader, extra["achieved"])
    code_f, status_f = _unit_fields(inputs)
    rows, totals, history = project_progress(engine, inputs.units, code_f, status_f, acceptance=acceptance)
    path = write_progress_report(args.out, totals, rows, acceptance or [], history)
    for t in totals:
        print(tr("{0}: {1} units, area {2} mu, planned {3} mu, achieved {4} mu").format(
            status_label(t.status), t.units, f"{t.area_m2 / MU_M2:,.1f}", f"{t.planned_m2 / MU_M2:,.1f}",
            f"{t.achieved_m2 / MU_M2:,.1f}"))
    print(tr("Written: {0}").format(path))
    return 0


def _achieved_args(p: argparse.ArgumentParser, required: bool) -> None:
    p.add_argument("--achieved", required=required, default=None,
                   help=tr("achieved layer: completed works or a later survey (年度变更调查) source"))
    p.add_argument("--achieved-field", default=None, help=tr("land-class field of the achieved layer (default: DLBM)"))


def add_command(sub) -> None:
    """Register ``status``, ``acceptance`` and ``progress``."""
    sources_fn = add_sources
    p = sub.add_parser("status", help=tr("move a unit along its life cycle (guarded; writes the units source)"))
    sources_fn(p)
    p.add_argument("--unit", required=True, help=tr("unit code"))
    p.add_argument("--to", required=True, help=tr("new status: 储备 立项 实施 验收 备案, or reserve approved works "
                                                  "accepted filed"))
    p.add_argument("--reason", default="", help=tr("reason (needed to go back)"))
    _achieved_args(p, required=False)
    add_zones(p)
    p.set_defaults(func=cmd_status)
    a = sub.add_parser("acceptance", help=tr("acceptance check: planned vs achieved per unit, type and class"))
    sources_fn(a)
    _achieved_args(a, required=True)
    a.add_argument("--unit", action="append", default=None, help=tr("unit code (repeat for several; default all)"))
    a.add_argument("--out", default=None, help=tr("output GeoPackage (table 'acceptance'; optional)"))
    a.set_defaults(func=cmd_acceptance)
    g = sub.add_parser("progress", help=tr("project progress report (units and areas by status) -> XLSX"))
    sources_fn(g)
    _achieved_args(g, required=False)
    g.add_argument("--out", required=True, help=tr("output workbook (.xlsx)"))
    g.set_defaults(func=cmd_progress)
