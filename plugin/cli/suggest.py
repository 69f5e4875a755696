"""The ``suggest`` command: which parcels to tag so that a failing unit passes (docs/suggestions.md).

    python -m plugin.cli suggest --parcels F.gpkg|layername=DLTB --units F.gpkg|layername=ZZDY \\
        --unit CODE [--rule RULE_ID] [--redline SRC] [--pbf SRC] [--rules national] --out suggestions.gpkg

Same sources as ``balance``; the same code as the 建议 panel and Processing's ``suggest``
(``adapters/suggestions.py`` over ``core/suggest.py``). Writes the ranked candidates as the layer
``suggestions`` (the plan first, ``in_plan`` = 1) and prints the plan. Exit 0 whether or not a
plan exists (the answer is the result); 2 on bad input.
"""
from __future__ import annotations

import argparse

from ..core.areas import MU_M2
from ..core.i18n import chinese as ui_chinese
from ..core.i18n import tr
from ..core.report import format_requirement, format_rule_value
from .common import add_sources, add_zones, check_outputs, command, compute, fail, open_extras, say


def suggestion_lines(engine, s, chinese: bool) -> list[str]:
    """The suggestion in words: the rule, its value now and with the plan, the plan's parcels."""
    def format_value(rule, value):
        return format_rule_value(rule, value, chinese=chinese, missing=tr("n/a"))

    if s.rule_id is None:
        return [tr("Unit {0} fails no rule: nothing to suggest.").format(s.unit_code)]
    rule = engine.pack.rule(s.rule_id)
    lines = [tr("Unit {0}: {1} is {2} (required {3})").format(
        s.unit_code, rule.name(chinese), format_value(rule, s.value_before), format_requirement(rule, chinese=chinese))]
    if not s.reached:
        lines.append(tr("No plan reaches it with the allowed moves; the most the candidates reach together: {0}")
                     .format(format_value(rule, s.best_value)))
        return lines
    area = sum(c.area_m2 for c in s.plan)
    lines.append(tr("Tag {0} parcels ({1} mu, {2} m²): {3} becomes {4}{5}").format(
        len(s.plan), f"{area / MU_M2:,.2f}", f"{area:,.1f}", rule.name(chinese), format_value(rule, s.value_after),
        "" if s.exact else " " + tr("(greedy plan: the exact optimum breaks another rule)")))
    for k, c in enumerate(s.plan, start=1):
        lines.append(f"  {k:3} #{c.pid} {c.dlbm} → {c.ghdlbm} {c.zzlx} {c.area_m2:,.1f} m²")
    return lines


@command
def run(args: argparse.Namespace) -> int:
    from ..adapters.gpkg import atomic_output
    from ..adapters.suggestions import suggest_for_unit, write_suggestions_gpkg
    from ..core.selection import units_by_code

    check_outputs(args, [args.out])
    red = open_extras(args, ("redline",))["redline"]
    engine, reader, inputs = compute(args)
    uid = units_by_code(engine, [args.unit])[args.unit][0]
    try:
        s = suggest_for_unit(engine, inputs, uid, reader.crs, red, args.rule)
    except KeyError:
        return fail(tr("The rule pack has no rule {0} for units").format(args.rule))
    with atomic_output(args.out, overwrite=True) as tmp:
        write_suggestions_gpkg(tmp, engine, s, reader.crs)
    say(suggestion_lines(engine, s, ui_chinese()))
    if red is None:
        print(tr("Warning: no ecological red line given (--redline): parcels in it may be suggested"))
    say(written=[args.out])
    return 0


def add_command(sub) -> None:
    p = sub.add_parser("suggest", help=tr("parcels to tag so that a failing unit passes -> layer 'suggestions'"))
    add_sources(p)
    p.add_argument("--unit", required=True, help=tr("code (DYBH) of the unit"))
    p.add_argument("--rule", default=None, help=tr("rule id to reach (default: the unit's first failing rule)"))
    add_zones(p, ("redline",))
    p.add_argument("--out", required=True, help=tr("output GeoPackage (layer 'suggestions')"))
    p.set_defaults(func=run)
