"""The balance as planners hand it in: 整治前后土地利用结构调整表, the indicator table, the summary.

Rows go 三大类 → 一级类 → 二级类 (category → group → class), each with area before,
after and change. 湿地 classes sit under the 三大类 they belong to (docs/domain.md §4), so a
group can appear under more than one category. The same frames feed the balance dock,
the CSV/XLSX report and the clipboard, so every front shows the same numbers.

The one home of report formatting: a rule's value and requirement in the unit it is read in
(:func:`rule_number`, :func:`rule_unit`, :func:`format_rule_value`, :func:`format_requirement`;
the balance dock, the XLSX/CSV report and the command line call them) and the readable
per-unit summary of the command line and Processing (:func:`summary_lines`).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, Hashable, Sequence

import pandas as pd

from .areas import MU_M2, convert, unit_label
from .engine import BalanceEngine, RuleResult
from .engine.results import results_status
from .i18n import chinese as ui_chinese
from .i18n import tr
from .landclasses import UNKNOWN
from .verdicts import basis_text, rule_state, severity_text, verdict_text

CATEGORY_ORDER = ["农用地", "建设用地", "未利用地", "未知"]
LEVELS = ("category", "group", "class")


@dataclass(frozen=True)
class StructureRow:
    level: int  # 0 三大类, 1 一级类, 2 二级类
    category: str
    group: str
    code: str
    name: str
    before_m2: float
    after_m2: float

    @property
    def change_m2(self) -> float:
        return self.after_m2 - self.before_m2


def structure_rows(engine: BalanceEngine, uid: Hashable | None = None, chinese: bool = True) -> list[StructureRow]:
    """Hierarchical rows for one unit (``None`` = project), in 三调 table order, plus a total."""
    return _structure_rows(engine.table, engine.class_areas(uid), chinese)


def _structure_rows(table, class_areas: dict[str, tuple[float, float]], chinese: bool) -> list[StructureRow]:
    """:func:`structure_rows` of the areas ``class_areas`` (``engine.class_areas(uid)``)."""
    by_cat: dict[str, dict[str, list[tuple[str, float, float]]]] = {}
    cat_names: dict[str, str] = {}
    group_names: dict[str, str] = {}
    for code, (b, a) in class_areas.items():
        cls = table.get(code)
        by_cat.setdefault(cls.category_zh, {}).setdefault(cls.group_zh, []).append((code, b, a))
        cat_names[cls.category_zh] = cls.category_zh if chinese else cls.category_en
        group_names[cls.group_zh] = cls.group_zh if chinese else cls.group_en
    rows: list[StructureRow] = []
    total_b = total_a = 0.0
    for cat in sorted(by_cat, key=lambda c: CATEGORY_ORDER.index(c) if c in CATEGORY_ORDER else 99):
        groups = by_cat[cat]
        cb = sum(b for g in groups.values() for _, b, _ in g)
        ca = sum(a for g in groups.values() for _, _, a in g)
        total_b += cb
        total_a += ca
        rows.append(StructureRow(0, cat_names[cat], "", "", cat_names[cat], cb, ca))
        for group, classes in groups.items():
            gb = sum(b for _, b, _ in classes)
            ga = sum(a for _, _, a in classes)
            rows.append(StructureRow(1, cat_names[cat], group_names[group], "", group_names[group], gb, ga))
            for code, b, a in classes:
                name = table.get(code).name(chinese) if code != UNKNOWN else tr("Unknown class")
                rows.append(StructureRow(2, cat_names[cat], group_names[group], code, name, b, a))
    rows.append(StructureRow(0, tr("Total"), "", "", tr("Total"), total_b, total_a))
    return rows


def structure_frame(engine: BalanceEngine, uid: Hashable | None = None, area_unit: str = "ha",
                    chinese: bool = True) -> pd.DataFrame:
    """结构调整表 in ``area_unit`` (m2, mu, ha) with Chinese or English headers."""
    label = unit_label(area_unit, chinese)
    rows = structure_rows(engine, uid, chinese)
    return pd.DataFrame({
        tr("Category"): [r.category if r.level == 0 else "" for r in rows],
        tr("Group"): [r.group if r.level == 1 else "" for r in rows],
        tr("Class code"): [r.code for r in rows],
        tr("Class"): [r.name if r.level == 2 else "" for r in rows],
        f"{tr('Before')} ({label})": [convert(r.before_m2, area_unit) for r in rows],
        f"{tr('After')} ({label})": [convert(r.after_m2, area_unit) for r in rows],
        f"{tr('Change')} ({label})": [convert(r.change_m2, area_unit) for r in rows],
    })


def indicator_frame(engine: BalanceEngine, uid: Hashable | None = None, chinese: bool = True) -> pd.DataFrame:
    """Indicators with their value, threshold, verdict and the policy text they come from."""
    pack = engine.pack
    out = []
    for res in engine.evaluate(uid):
        rule = pack.rule(res.rule_id)
        verdict = verdict_text(rule_state(res.passed, rule.severity, res.reason))
        out.append({
            tr("Indicator"): rule.name(chinese),
            tr("Value"): res.value,
            tr("Comparison"): rule.op_symbol,
            tr("Threshold"): rule.threshold,
            tr("Result"): verdict,
            tr("Severity"): severity_text(rule.severity),
            tr("Unit of value"): {"percent": tr("ratio"), "area": "m²"}.get(rule.format, ""),
            tr("Source"): basis_text(rule),
            "rule_id": rule.id,
        })
    return pd.DataFrame(out)


# --------------------------------------------------------------------------- rule values
#: decimals of an area shown in 亩 / 公顷 / m²; of a percentage
AREA_DECIMALS = {"mu": 2, "ha": 4, "m2": 2}
PERCENT_DECIMALS = 2

#: ``number(value, decimals) -> text``: how a front end writes a number (the dock: its locale)
NumberFormat = Callable[[float, int], str]


def plain_number(value: float, decimals: int) -> str:
    """``1,234.50``: thousands separators, fixed decimals, never ``-0.00``."""
    text = f"{value:,.{decimals}f}"
    return text[1:] if text.startswith("-") and not text.strip("-0.,") else text


def rule_number(rule: Any, value: float | None, area_unit: str = "mu") -> float | None:
    """A rule's value in the unit it is read in: a share in percent points, an area in ``area_unit``."""
    if value is None:
        return None
    if rule.format == "percent":
        return 100.0 * value
    if rule.format == "area":
        return convert(value, area_unit)
    return value


def rule_unit(rule: Any, area_unit: str = "mu", chinese: bool | None = None) -> str:
    """The unit of :func:`rule_number`: ``%``, the area unit's label (亩 / mu …) or nothing."""
    if rule.format == "percent":
        return "%"
    if rule.format == "area":
        return unit_label(area_unit, ui_chinese() if chinese is None else chinese)
    return ""


def format_rule_value(rule: Any, value: float | None, area_unit: str = "mu", number: NumberFormat = plain_number,
                      chinese: bool | None = None, missing: str = "—") -> str:
    """``12.34%``, ``1,234.56 亩``: the value with its unit (``missing`` when there is none)."""
    shown = rule_number(rule, value, area_unit)
    if shown is None:
        return missing
    decimals = AREA_DECIMALS[area_unit] if rule.format == "area" else PERCENT_DECIMALS
    unit = rule_unit(rule, area_unit, chinese)
    text = number(shown, decimals)
    return text + ("%" if unit == "%" else f" {unit}" if unit else "")


def format_requirement(rule: Any, area_unit: str = "mu", number: NumberFormat = plain_number,
                       chinese: bool | None = None) -> str:
    """``≥ 5.00%``, ``≤ 0``: the comparison and the threshold of a rule."""
    if not rule.threshold:
        return f"{rule.op_symbol} 0"
    return f"{rule.op_symbol} {format_rule_value(rule, rule.threshold, area_unit, number, chinese)}"


# --------------------------------------------------------------------------- summary
def headline_rows(engine: BalanceEngine, uid: Hashable | None = None,
                  chinese: bool = True) -> list[tuple[str, float, float]]:
    """(name, before m², after m²) of 耕地 and of each 三大类, from the land-class table."""
    table = engine.table
    areas = engine.class_areas(uid)
    farm_codes = [code for code in table.classes if table.is_farmland(code)]
    rows = []
    if farm_codes:
        farm = table.get(farm_codes[0])
        rows.append((farm.group_zh if chinese else farm.group_en,
                     sum(b for code, (b, _a) in areas.items() if table.is_farmland(code)),
                     sum(a for code, (_b, a) in areas.items() if table.is_farmland(code))))
    structure = _structure_rows(table, areas, chinese)[:-1]  # without the total
    rows += [(r.name, r.before_m2, r.after_m2) for r in structure if r.level == 0]
    return rows


def _target_lines(engine: BalanceEngine, uid: Hashable | None, reason: str | None, chinese: bool,
                  failing: Sequence[str] = (), units: int = 0) -> tuple[list[str], bool | None]:
    """The summary of one unit (``None`` = the project) and its status; ``reason``: ``engine.not_assessable()``,
    found once for every unit (the rules are evaluated once per unit, the status read off them); ``failing``:
    the codes of the ``units`` units that fail, said under the project's verdict (which is its own totals')."""
    results = engine.evaluate(uid, reason)
    status = results_status(results)
    verdict = tr("NOT ASSESSABLE") if reason else {True: tr("PASS"), False: tr("FAIL"), None: tr("n/a")}[status]
    title = tr("Whole project") if uid is None else tr("Unit {0}").format(engine.unit_code(uid))
    lines = [tr("{0}: {1}").format(title, verdict)]
    if uid is None and failing and not reason:
        shown = ", ".join(failing[:10]) + (" …" if len(failing) > 10 else "")
        lines.append("  " + tr("The project's totals below; {0} of {1} units FAIL: {2} (each unit must keep the "
                               "balances)").format(len(failing), units, shown))
    for name, b, a in headline_rows(engine, uid, chinese):
        lines.append("  " + tr("{0}: before {1} mu ({2} m²), after {3} mu ({4} m²), change {5} mu").format(
            name, f"{b / MU_M2:,.2f}", f"{b:,.1f}", f"{a / MU_M2:,.2f}", f"{a:,.1f}", f"{(a - b) / MU_M2:+,.2f}"))
    lines.extend(result_line(engine, res, chinese) for res in results)
    return lines, status


def result_line(engine: BalanceEngine, res: RuleResult, chinese: bool) -> str:
    """One rule result of a summary: mark, indicator, value and what is required."""
    rule = engine.pack.rule(res.rule_id)
    mark = {True: "✓", False: "✗" if rule.severity == "error" else "!", None: "-"}[res.passed]
    threshold = _summary_value(rule, rule.threshold, chinese) if rule.threshold else "0"
    required = f"{rule.op_symbol} {threshold}"
    return "  " + tr("{0} {1}: {2} (required {3})").format(
        mark, rule.name(chinese), _summary_value(rule, res.value, chinese), required)


def _summary_value(rule, value: float | None, chinese: bool) -> str:
    """A rule value as the summaries print it: an area in 亩 and in m² (``15.00 mu (10,000.0 m²)``; in
    Chinese as the area lines write it, ``15.00 亩（10,000.0 平方米）``: a translated template)."""
    text = format_rule_value(rule, value, chinese=chinese, missing=tr("n/a"))
    if rule.format != "area" or value is None:
        return text
    return tr("{0} ({1} m²)").format(text, f"{value:,.1f}")


def summary_lines(engine: BalanceEngine, chinese: bool | None = None, townships: Sequence = ()) -> list[str]:
    """The readable per-unit summary (亩 and m²) the command line prints and Processing logs;
    ``townships``: the results of ``core.townships.evaluate_townships``, printed after the units."""
    chinese = ui_chinese() if chinese is None else chinese
    lines = [tr("Rule pack: {0}").format(engine.pack.name(chinese)), ""]
    reason = engine.not_assessable()
    if reason:
        lines.append(tr("NOT ASSESSABLE (no verdict is given):"))
        lines.extend("  " + line for line in reason.splitlines())
        lines.append("")
    failing: list[str] = []
    units = engine.ordered_units()
    for uid in units:
        unit_lines, status = _target_lines(engine, uid, reason, chinese)
        lines += [*unit_lines, ""]
        if status is False:
            failing.append(str(engine.unit_code(uid)))
    lines += [*_target_lines(engine, None, reason, chinese, failing, len(units))[0], ""]
    lines.extend(township_lines(engine, townships, chinese))
    for w in engine.warnings():
        lines.append(tr("Warning: {0}").format(w))
    return lines


def by_township(results: Sequence[RuleResult]) -> dict[str, list[RuleResult]]:
    """Township results (``townships.evaluate_townships``) grouped by township code, in code order."""
    out: dict[str, list[RuleResult]] = {}
    for res in results:
        out.setdefault(res.unit_code, []).append(res)
    return dict(sorted(out.items()))


def township_status(results: Sequence[RuleResult]) -> bool | None:
    """As ``engine.unit_status`` for one township's results: False if a binding rule fails, True if
    all binding rules that apply pass, None if none applies (or not assessable)."""
    return results_status(results)


def township_lines(engine: BalanceEngine, results: Sequence[RuleResult], chinese: bool = True) -> list[str]:
    """The township section of the summary: the PBF adjustment limits per township (docs/domain.md §7)."""
    if not results:
        return []
    lines = [tr("Townships (PBF adjustment limits):")]
    for code, rows in by_township(results).items():
        status = None if any(r.reason for r in rows) else township_status(rows)
        verdict = tr("NOT ASSESSABLE") if any(r.reason for r in rows) else \
            {True: tr("PASS"), False: tr("FAIL"), None: tr("n/a")}[status]
        lines.append(tr("Township {0}: {1}").format(code, verdict))
        lines.extend(result_line(engine, res, chinese) for res in rows)
    lines.append("")
    return lines
