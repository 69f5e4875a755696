"""Headless entry: ``python -m plugin.cli <command>`` (from the repository root, in .venv).

Commands
  balance  per-unit land-class balance and indicators -> OUT.gpkg (tables balance, indicators)
  export   the plan GeoPackage (units, clipped parcels, tables, styles, embedded project)
  report   整治前后土地利用结构调整表 and indicators as XLSX/CSV
  check    data checks (数据检查) -> OUT.gpkg (layer findings)
  suggest  parcels to tag so that a failing unit passes -> OUT.gpkg (layer suggestions)
  contiguity  集中连片: farmland/PBF patches and 百亩方/千亩方/万亩方 per unit (cli_contiguity.py)
  demo     build the bundled demo township, compute its balance, export the plan, print a summary
  db       the planning schema in a PostgreSQL/PostGIS database: db init, db load (docs/postgis.md)

It starts a QgsApplication without GUI and runs the same adapter and engine code as the
docks and the Processing algorithms. Bad input gives one clear message and exit code 2;
no output file is left behind.
"""
from __future__ import annotations

import argparse
import atexit
import os
import shutil
import sys
import tempfile
from pathlib import Path
from typing import Sequence

from .core.areas import MU_M2
from .core.engine import PROJECT, BalanceEngine
from .core.i18n import language_is_chinese, tr
from .core.report import result_line, township_lines
from .core.rules import RulePack, RulePackError, load_pack

EXIT_INPUT = 2
_app = None


def start_qgis():
    """A GUI-less QgsApplication, once per process (kept referenced so Qt doesn't free it)."""
    global _app
    if _app is not None:
        return _app
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    if sys.platform.startswith("linux") and not os.environ.get("XDG_RUNTIME_DIR"):
        # Without it Qt prints a warning on every start of a headless run.
        os.environ["XDG_RUNTIME_DIR"] = tempfile.mkdtemp(prefix="lc-runtime-")
        atexit.register(shutil.rmtree, os.environ["XDG_RUNTIME_DIR"], True)
    from qgis.core import QgsApplication

    if QgsApplication.instance() is not None:
        _app = QgsApplication.instance()
        return _app
    QgsApplication.setPrefixPath(os.environ.get("QGIS_PREFIX_PATH", "/usr"), True)
    _app = QgsApplication([], False)
    _app.initQgis()
    return _app


def _chinese() -> bool:
    from .i18n_setup import locale_from_environment

    return language_is_chinese(locale_from_environment())


def summary_lines(engine: BalanceEngine, chinese: bool | None = None, townships: Sequence = ()) -> list[str]:
    """The readable per-unit summary printed by the commands (亩 and m²); ``townships``: the results of
    ``core.townships.evaluate_townships``, printed after the units."""
    chinese = _chinese() if chinese is None else chinese
    pack = engine.pack
    lines = [tr("Rule pack: {0}").format(pack.name(chinese)), ""]
    reason = engine.not_assessable()
    if reason:
        lines.append(tr("NOT ASSESSABLE (no verdict is given):"))
        lines.extend("  " + line for line in reason.splitlines())
        lines.append("")
    targets = [(uid, engine.unit_code(uid)) for uid in engine.ordered_units()] + [(None, PROJECT)]
    for uid, code in targets:
        status = engine.unit_status(uid)
        verdict = tr("NOT ASSESSABLE") if reason else {True: tr("PASS"), False: tr("FAIL"), None: tr("n/a")}[status]
        title = tr("Whole project") if uid is None else tr("Unit {0}").format(code)
        v = engine.variables(uid)
        lines.append(tr("{0}: {1}").format(title, verdict))
        for cat in ("farmland", "construction", "ecological"):
            if cat in pack.categories:
                c = pack.categories[cat]
                b, a = v[f"{cat}_before"], v[f"{cat}_after"]
                lines.append("  " + tr("{0}: before {1} mu ({2} m²), after {3} mu ({4} m²), change {5} mu").format(
                    c.zh if chinese else c.en, f"{b / MU_M2:,.2f}", f"{b:,.1f}", f"{a / MU_M2:,.2f}", f"{a:,.1f}",
                    f"{(a - b) / MU_M2:+,.2f}"))
        lines.extend(result_line(engine, res, chinese) for res in engine.evaluate(uid, reason))
        lines.append("")
    lines.extend(township_lines(engine, townships, chinese))
    for w in engine.warnings():
        lines.append(tr("Warning: {0}").format(w))
    return lines


def _load_pack(name: str) -> RulePack:
    try:
        return load_pack(name)
    except RulePackError as exc:
        raise SystemExit(_fail(str(exc))) from None


def _fail(message: str) -> int:
    print(tr("Error: {0}").format(message), file=sys.stderr)
    return EXIT_INPUT


def input_sources(args: argparse.Namespace) -> list[str]:
    """The command's input sources and rule-pack file: no output may overwrite them."""
    sources = [getattr(args, name, None) for name in ("parcels", "units", "pbf", "ugb")]
    rules = getattr(args, "rules", None)
    if rules and Path(rules).suffix:
        sources.append(rules)
    return [s for s in sources if s]


def check_outputs(args: argparse.Namespace, targets: Sequence, overwrite: bool = True) -> None:
    """Refuse (WriteError) outputs that are inputs, or that exist when overwriting is not allowed."""
    from .adapters.gpkg import WriteError
    from .adapters.outputs import refuse_inputs, remove_leftovers

    refuse_inputs(targets, input_sources(args))
    for t in {Path(t).expanduser().resolve().parent for t in targets if t}:
        remove_leftovers(t)  # of killed runs, at once (not only once this run gets to writing)
    if not overwrite:
        for t in targets:
            if t and Path(t).exists():
                raise WriteError(tr("{0} exists already; choose another name or allow overwriting.")
                                 .format(Path(t).resolve()))


def open_inputs(args: argparse.Namespace):
    """The command's sources (--parcels, --units, --pbf, --unit-field, --tbmj-in-mu) as Inputs."""
    from .adapters.layers import Inputs, open_layer

    encoding = getattr(args, "encoding", None)
    return Inputs(
        parcels=open_layer(args.parcels, tr("parcel"), encoding),
        units=open_layer(args.units, tr("units"), encoding),
        pbf=open_layer(args.pbf, tr("permanent basic farmland"), encoding) if args.pbf else None,
        unit_field=args.unit_field,
        tbmj_in_mu=bool(getattr(args, "tbmj_in_mu", False)),
    )


def compute(args: argparse.Namespace, progress=None):
    """Open the sources and build the engine, shared by every command: (engine, reader, inputs)."""
    from .adapters.layers import build_engine

    pack = _load_pack(args.rules)
    inputs = open_inputs(args)
    engine, reader = build_engine(inputs, pack, progress=progress)
    return engine, reader, inputs


def township_results_of(args: argparse.Namespace, engine: BalanceEngine, reader, inputs) -> list:
    """The township PBF limits of the run, from --pbf and (optional) --ugb (docs/domain.md §7)."""
    from .adapters.layers import open_layer
    from .adapters.townships import township_results

    source = getattr(args, "ugb", None)
    ugb = open_layer(source, tr("urban growth boundary"), getattr(args, "encoding", None)) if source else None
    return township_results(engine, inputs.pbf, ugb, reader.crs)


def add_ugb(p: argparse.ArgumentParser) -> None:
    p.add_argument("--ugb", default=None,
                   help=tr("urban growth boundary source (optional; for the township rule on PBF inside it)"))


def cmd_balance(args: argparse.Namespace) -> int:
    from .adapters.gpkg import WriteError, atomic_output, write_balance_tables
    from .adapters.layers import InputError

    overwrite = bool(getattr(args, "overwrite", False))
    from .adapters.postgis.connection import DatabaseError

    try:
        check_outputs(args, [args.out], overwrite)
        if getattr(args, "in_database", False):  # docs/postgis.md: only sums leave the database
            from .cli_db import in_database_engine

            # the township PBF limits need each parcel's PBF part: not computed in the database yet
            engine, reader, towns = in_database_engine(args, _load_pack(args.rules)), None, ()
        else:
            engine, reader, inputs = compute(args)
            towns = township_results_of(args, engine, reader, inputs)
        with atomic_output(args.out, overwrite=overwrite) as tmp:
            write_balance_tables(tmp, engine, towns)
    except (InputError, WriteError, DatabaseError) as exc:
        return _fail(str(exc))
    for line in summary_lines(engine, townships=towns):
        print(line)
    for w in reader.warnings() if reader is not None else ():
        print(tr("Warning: {0}").format(w))
    print(tr("Written: {0}").format(Path(args.out).resolve()))
    return 0


def cmd_demo(args: argparse.Namespace) -> int:
    """README's main job: demo township -> balance -> plan GeoPackage -> summary."""
    from .demo.writer import write_demo_gpkg

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
    from .cli_export import cmd_export

    rc = cmd_export(export_args)
    if rc != 0:
        return rc
    from .adapters.report_xlsx import ReportError, write_report

    report = out_dir / "demo_report.xlsx"
    try:
        engine, _reader, _inputs = compute(export_args)
        write_report(engine, report, chinese=True)
    except ReportError as exc:  # openpyxl missing: the plan itself is written
        print(tr("Warning: {0}").format(exc))
    else:
        print(tr("Written: {0}").format(report))
    from .demo.project import write_planning_project

    planning = write_planning_project(demo, out_dir / "demo_planning.qgz")
    print(tr("Planning project for QGIS (layers, styles, plugin set-up): {0}").format(planning))
    return 0


def _sources(p: argparse.ArgumentParser) -> None:
    p.add_argument("--parcels", required=True, help=tr("parcel (三调 DLTB) source, e.g. file.gpkg|layername=DLTB"))
    p.add_argument("--units", required=True, help=tr("remediation units source"))
    p.add_argument("--pbf", help=tr("permanent basic farmland source (optional)"))
    p.add_argument("--rules", default="national", help=tr("rule pack id or JSON file (default: national)"))
    p.add_argument("--unit-field", default=None, help=tr("unit code field (default: DYBH)"))
    p.add_argument("--tbmj-in-mu", action="store_true", help=tr("TBMJ, KCMJ, TBDLMJ are in mu, not m²"))
    p.add_argument("--encoding", default=None, metavar="ENC",
                   help=tr("text encoding of shapefile sources, e.g. GBK (QGIS: data source encoding); "
                           "default: the .cpg file, else detected"))


def parser() -> argparse.ArgumentParser:
    ap = argparse.ArgumentParser(prog="python -m plugin.cli", description=tr("Land consolidation balance tools"))
    sub = ap.add_subparsers(dest="command", required=True)
    b = sub.add_parser("balance", help=tr("area balance and indicators per unit -> GeoPackage tables"))
    _sources(b)
    add_ugb(b)
    b.add_argument("--out", required=True, help=tr("output GeoPackage"))
    b.add_argument("--overwrite", action="store_true", help=tr("replace existing output files"))
    b.set_defaults(func=cmd_balance)
    from .cli_db import add_commands as add_db_commands
    from .cli_db import add_in_database

    add_in_database(b)
    d = sub.add_parser("demo", help=tr("build the demo township, compute its balance and export the plan"))
    d.add_argument("--out-dir", default="demo_output", help=tr("folder for the demo files (default: demo_output)"))
    d.add_argument("--parcels", type=int, default=3500, help=tr("number of parcels (default: 3500)"))
    d.add_argument("--seed", type=int, default=42)
    d.add_argument("--rules", default="national")
    d.add_argument("--regenerate", action="store_true", help=tr("make the demo data again even if present"))
    d.set_defaults(func=cmd_demo)
    from .cli_check import add_commands as add_check_commands
    from .cli_contiguity import add_commands as add_contiguity_commands
    from .cli_export import add_commands as add_export_commands
    from .cli_lifecycle import add_commands as add_lifecycle_commands
    from .cli_report import add_commands as add_report_commands
    from .cli_suggest import add_commands as add_suggest_commands

    add_export_commands(sub, _sources)
    add_report_commands(sub, _sources)
    add_check_commands(sub, _sources)
    add_suggest_commands(sub, _sources)
    common = argparse.Namespace(compute=compute, check_outputs=check_outputs, fail=_fail, chinese=_chinese)
    add_contiguity_commands(sub, _sources, common)
    add_db_commands(sub)
    add_lifecycle_commands(sub, _sources, compute, _fail, check_outputs)
    return ap


def main(argv: Sequence[str] | None = None) -> int:
    from .i18n_setup import setup_for_cli

    start_qgis()
    setup_for_cli()
    args = parser().parse_args(argv)
    try:
        return int(args.func(args) or 0)
    except SystemExit as exc:
        return int(exc.code or 0)
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
