"""The balance as planners hand it in: 整治前后土地利用结构调整表 and the indicator table.

Rows go 三大类 → 一级类 → 二级类 (category → group → class), each with area before,
after and change. 湿地 classes sit under the 三大类 they belong to (docs/domain.md §4), so a
group can appear under more than one category. The same frames feed the balance dock,
the CSV/XLSX report and the clipboard, so every front shows the same numbers.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Hashable, Sequence

import pandas as pd

from .areas import MU_M2, convert, unit_label
from .engine import BalanceEngine, RuleResult
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
    table = engine.table
    by_cat: dict[str, dict[str, list[tuple[str, float, float]]]] = {}
    cat_names: dict[str, str] = {}
    group_names: dict[str, str] = {}
    for code, (b, a) in engine.class_areas(uid).items():
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


def format_value(rule, value: float | None) -> str:
    """A rule's value as the summaries print it (percent, 亩 and m², or a number)."""
    if value is None:
        return tr("n/a")
    if rule.format == "percent":
        return f"{value * 100:.2f}%"
    if rule.format == "area":
        return tr("{0} mu ({1} m²)").format(f"{value / MU_M2:,.2f}", f"{value:,.1f}")
    return f"{value:,.4g}"


def format_threshold(rule) -> str:
    if rule.threshold == 0:
        return f"{rule.op_symbol} 0"
    return f"{rule.op_symbol} {format_value(rule, rule.threshold)}"


def result_line(engine: BalanceEngine, res: RuleResult, chinese: bool) -> str:
    """One rule result of a summary: mark, indicator, value and what is required."""
    rule = engine.pack.rule(res.rule_id)
    mark = {True: "✓", False: "✗" if rule.severity == "error" else "!", None: "-"}[res.passed]
    return "  " + tr("{0} {1}: {2} (required {3})").format(
        mark, rule.name(chinese), format_value(rule, res.value), format_threshold(rule))


def by_township(results: Sequence[RuleResult]) -> dict[str, list[RuleResult]]:
    """Township results (``townships.evaluate_townships``) grouped by township code, in code order."""
    out: dict[str, list[RuleResult]] = {}
    for res in results:
        out.setdefault(res.unit_code, []).append(res)
    return dict(sorted(out.items()))


def township_status(results: Sequence[RuleResult]) -> bool | None:
    """As ``engine.unit_status`` for one township's results: False if a binding rule fails, True if
    all binding rules that apply pass, None if none applies (or not assessable)."""
    verdicts = [r.passed for r in results if r.severity == "error" and r.passed is not None]
    return all(verdicts) if verdicts else None


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
