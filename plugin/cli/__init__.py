"""The command line: ``python -m plugin.cli <command>`` (from the repository root, in .venv).

Commands (one module each; ``app.COMMANDS`` lists them)
  balance  per-unit land-class balance and indicators -> OUT.gpkg (tables balance, indicators)
  demo     build the bundled demo township, compute its balance, export the plan, print a summary
  export   the plan GeoPackage (units, clipped parcels, tables, styles, embedded project)
  report   整治前后土地利用结构调整表 and indicators as XLSX/CSV
  check    data checks (数据检查) -> OUT.gpkg (layer findings)
  suggest  parcels to tag so that a failing unit passes -> OUT.gpkg (layer suggestions)
  contiguity  集中连片: farmland/PBF patches and 百亩方/千亩方/万亩方 per unit [-> OUT.gpkg]

It starts a QgsApplication without GUI and runs the same adapter and engine code as the
docks and the Processing algorithms. A ``PlanError`` (bad input) gives one clear message and
exit code 2; no output file is left behind.

To add a command ``foo``: write ``plugin/cli/foo.py`` with ``add_command(sub)`` (its
sub-parser, ending in ``set_defaults(func=run)``) and ``run(args) -> int`` decorated with
``common.command``; add the module to ``app.COMMANDS``. The helpers every command shares
(sources, rule pack, engine build, output checks) are in ``common.py``.

This ``__init__`` stays free of imports (the house test's import graph relies on it).
"""
