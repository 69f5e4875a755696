"""The plan report as planners hand it in: 整治前后土地利用结构调整表 + 指标表, XLSX and CSV.

One sheet per unit plus 全项目 (first). Each sheet holds the structure table (三大类 →
一级类 → 二级类 rows; before, after, change in 公顷 and 亩; 三大类 rows bold with the
name merged across the label columns) and below it the indicator table of the rule pack;
right of them, from column L, the scope's 集中连片 numbers (``report_contiguity``).
Numbers come from :func:`core.report.structure_rows` and ``engine.evaluate`` — the same
numbers as the balance dock and the GeoPackage tables; they are rounded only by the cell
format (0.00), never in the value.

Headers are fixed Chinese texts (the report format of 国土 bureaus) when ``chinese`` is
True, whatever the interface language; English texts (translatable) otherwise.
"""
from __future__ import annotations

import csv
import os
import re
from pathlib import Path
from typing import Hashable, Iterable, Sequence

from ..core.areas import HECTARE_M2, MU_M2
from ..core.engine import PROJECT, BalanceEngine
from ..core.errors import PlanError
from ..core.i18n import tr
from ..core.report import by_township, format_requirement, rule_number, rule_unit, structure_rows
from ..core.selection import UnknownUnitsError, units_by_code
from ..core.verdicts import basis_text, rule_state, severity_text, verdict_text
from .contiguity import compute as compute_contiguity
from .gpkg import WriteError, atomic_output
from .outputs import collect_unraisable, release
from .report_contiguity import add_block as add_contiguity

PROJECT_SHEET_ZH, PROJECT_SHEET_EN = "全项目", "Project"
TOWNSHIP_SHEET_ZH, TOWNSHIP_SHEET_EN = "乡镇指标", "Townships"
_STRUCTURE_ZH = ["三大类", "一级类", "地类编码", "二级类", "整治前面积（公顷）", "整治后面积（公顷）",
                 "变化量（公顷）", "整治前面积（亩）", "整治后面积（亩）", "变化量（亩）"]
_INDICATOR_ZH = ["指标", "指标值", "单位", "要求", "结论", "级别", "依据"]
_TOTAL_ZH = "合计"
#: cell formats: areas with thousands separators and two decimals, ratios as percent
AREA_FORMAT, PERCENT_FORMAT = "#,##0.00", "0.00%"
_AREA_COLUMNS = 6  # before/after/change × ha/mu


class ReportError(PlanError):
    """The report cannot be written; the message says what to do."""


def structure_headers(chinese: bool) -> list[str]:
    if chinese:
        return list(_STRUCTURE_ZH)
    return [tr("Category"), tr("Group"), tr("Class code"), tr("Class"), tr("Before (ha)"), tr("After (ha)"),
            tr("Change (ha)"), tr("Before (mu)"), tr("After (mu)"), tr("Change (mu)")]


def indicator_headers(chinese: bool) -> list[str]:
    if chinese:
        return list(_INDICATOR_ZH)
    return [tr("Indicator"), tr("Value"), tr("Unit of value"), tr("Requirement"), tr("Result"), tr("Severity"),
            tr("Source")]


def _targets(engine: BalanceEngine, units: Iterable[str] | None) -> list[tuple[Hashable | None, str]]:
    """(uid or None, unit code) of the project and of the chosen units (all by default)."""
    try:
        chosen = units_by_code(engine, units)
    except UnknownUnitsError as exc:
        raise ReportError(str(exc)) from None
    return [(None, PROJECT)] + [(uid, code) for code, uids in chosen.items() for uid in uids]


def structure_table(engine: BalanceEngine, uid: Hashable | None, chinese: bool) -> list[tuple[int, list]]:
    """(level, row values) of the structure table; level 0 = 三大类 (and the total), 1 = 一级类, 2 = 二级类."""
    out = []
    rows = structure_rows(engine, uid, chinese)
    for i, r in enumerate(rows):
        total = i == len(rows) - 1  # structure_rows ends with the total row
        cat = (_TOTAL_ZH if chinese else tr("Total")) if total else r.category
        label = [cat if r.level == 0 else "", r.group if r.level == 1 else "", r.code,
                 r.name if r.level == 2 else ""]
        b, a = r.before_m2, r.after_m2
        out.append((r.level, [*label, b / HECTARE_M2, a / HECTARE_M2, (a - b) / HECTARE_M2,
                              b / MU_M2, a / MU_M2, (a - b) / MU_M2]))
    return out


def _short(value: float, _decimals: int) -> str:
    return f"{value:g}"


def indicator_table(engine: BalanceEngine, uid: Hashable | None, chinese: bool, ratio: bool = True,
                    results: Sequence | None = None) -> list[list]:
    """Rows of the indicator table; a percent value is a ratio (``ratio``, cell format 0.00%) or in
    percent points (CSV); an area is in 亩. ``results``: these rule results instead of the unit's
    (a township's, core.townships)."""
    rows = []
    for res in engine.evaluate(uid) if results is None else results:
        rule = engine.pack.rule(res.rule_id)
        value = res.value if ratio and rule.format == "percent" else rule_number(rule, res.value, "mu")
        unit = rule_unit(rule, "mu", chinese)
        lang = True if chinese else None  # Chinese report words are fixed; English ones follow tr
        verdict = verdict_text(rule_state(res.passed, rule.severity, res.reason), lang)
        severity = severity_text(rule.severity, lang)
        requirement = format_requirement(rule, "mu", _short, chinese)
        rows.append([rule.name(chinese), value, unit, requirement, verdict, severity, basis_text(rule, chinese)])
    return rows



def sheet_name(code: str, taken: set[str]) -> str:
    """Excel sheet name: ≤ 31 characters, no []:*?/\\, unique."""
    base = re.sub(r"[\[\]:*?/\\]", "_", str(code)).strip("'") or "_"
    base = base[:31]
    name, n = base, 2
    while name.lower() in taken:
        suffix = f"~{n}"
        name = base[: 31 - len(suffix)] + suffix
        n += 1
    taken.add(name.lower())
    return name


def require_openpyxl():
    try:
        import openpyxl
    except ImportError:
        raise ReportError(tr("Writing XLSX needs the Python package openpyxl, which is not installed. Install it "
                             "(pip install openpyxl, or the OSGeo4W/apt package python3-openpyxl) or write CSV "
                             "instead.")) from None
    return openpyxl


def _title(chinese: bool, code: str) -> str:
    if code == PROJECT:
        return "全项目整治前后土地利用结构调整表" if chinese else tr("Land-use structure before and after "
                                                                    "consolidation: whole project")
    return (f"整治单元 {code} 整治前后土地利用结构调整表" if chinese
            else tr("Land-use structure before and after consolidation: unit {0}").format(code))


def write_report(engine: BalanceEngine, path: str | os.PathLike, chinese: bool = True,
                 units: Sequence[str] | None = None, overwrite: bool = True, townships: Sequence = ()) -> Path:
    """Write the XLSX report (全项目 sheet first, then one sheet per unit); returns the file.

    ``units``: unit codes to include (default all). ``townships``: township results
    (``adapters.townships.township_results``), on a last sheet 乡镇指标 (none: no such sheet).
    The file is written next to its target and moved into place only when complete. Raises
    :class:`ReportError` or WriteError.
    """
    openpyxl = require_openpyxl()
    from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
    from openpyxl.utils import get_column_letter

    targets = _targets(engine, units)
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    thin = Side(style="thin", color="999999")
    border = Border(left=thin, right=thin, top=thin, bottom=thin)
    bold = Font(bold=True)
    head_fill = PatternFill("solid", fgColor="DDE7F0")
    cat_fill = PatternFill("solid", fgColor="F2F2F2")
    center = Alignment(horizontal="center", vertical="center", wrap_text=True)
    taken: set[str] = set()
    s_head, i_head = structure_headers(chinese), indicator_headers(chinese)
    contiguity = compute_contiguity(engine)
    for uid, code in targets:
        ws = wb.create_sheet(sheet_name(PROJECT_SHEET_ZH if chinese else PROJECT_SHEET_EN, taken)
                             if uid is None else sheet_name(code, taken))
        ncol = len(s_head)
        ws.cell(row=1, column=1, value=_title(chinese, code)).font = Font(bold=True, size=14)
        ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=ncol)
        ws.cell(row=1, column=1).alignment = center
        row = 2
        for c, text in enumerate(s_head, 1):
            cell = ws.cell(row=row, column=c, value=text)
            cell.font, cell.fill, cell.alignment, cell.border = bold, head_fill, center, border
        ws.row_dimensions[row].height = 30
        for level, values in structure_table(engine, uid, chinese):
            row += 1
            for c, v in enumerate(values, 1):
                cell = ws.cell(row=row, column=c, value=v if v != "" else None)
                cell.border = border
                if c > 4:
                    cell.number_format = AREA_FORMAT
            if level == 0:
                ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=4)
                for c in range(1, ncol + 1):
                    ws.cell(row=row, column=c).font = bold
                    ws.cell(row=row, column=c).fill = cat_fill
            elif level == 1:
                ws.merge_cells(start_row=row, start_column=2, end_row=row, end_column=4)
                for c in range(2, ncol + 1):
                    ws.cell(row=row, column=c).font = bold
        ws.freeze_panes = ws.cell(row=3, column=5)
        add_contiguity(ws, contiguity, engine, uid, chinese, AREA_FORMAT)  # 集中连片, from column L
        row += 2
        ws.cell(row=row, column=1, value="指标评价表" if chinese else tr("Indicators")).font = Font(bold=True, size=12)
        row += 1
        for c, text in enumerate(i_head, 1):
            cell = ws.cell(row=row, column=c, value=text)
            cell.font, cell.fill, cell.alignment, cell.border = bold, head_fill, center, border
        for values in indicator_table(engine, uid, chinese):
            row += 1
            for c, v in enumerate(values, 1):
                cell = ws.cell(row=row, column=c, value=v)
                cell.border = border
                if c == 2 and isinstance(v, float):
                    cell.number_format = PERCENT_FORMAT if values[2] == "%" else AREA_FORMAT
        widths = [12, 22, 10, 22, 14, 14, 14, 14, 14, 14]
        for c, w in enumerate(widths, 1):
            ws.column_dimensions[get_column_letter(c)].width = w
    if townships:
        _township_sheet(wb.create_sheet(sheet_name(TOWNSHIP_SHEET_ZH if chinese else TOWNSHIP_SHEET_EN, taken)),
                        engine, townships, chinese)
    return save_workbook(wb, path, overwrite)


def save_workbook(wb, path: str | os.PathLike, overwrite: bool = True) -> Path:
    """Save an openpyxl workbook under a temporary name and move it into place when complete."""
    try:
        with atomic_output(path, overwrite=overwrite, keep_name=True) as tmp:
            _save(wb, tmp)
    except OSError as exc:
        raise WriteError(tr("Cannot write {0}: {1}").format(path, exc)) from exc
    return Path(path).resolve()


def _township_sheet(ws, engine: BalanceEngine, townships: Sequence, chinese: bool) -> None:
    """The township PBF limits: one row per township and rule, the township code first (docs/domain.md §7)."""
    from openpyxl.styles import Font

    head = ["乡镇代码" if chinese else tr("Township"), *indicator_headers(chinese)]
    ws.append(head)
    for c in range(1, len(head) + 1):
        ws.cell(row=1, column=c).font = Font(bold=True)
    for code, results in by_township(townships).items():
        for values in indicator_table(engine, None, chinese, results=results):
            ws.append([code, *values])
            cell = ws.cell(row=ws.max_row, column=3)
            if isinstance(cell.value, float):
                cell.number_format = PERCENT_FORMAT if values[2] == "%" else AREA_FORMAT
    ws.column_dimensions["A"].width = 14
    ws.column_dimensions["B"].width = 30


def _save(wb, tmp) -> None:
    """``wb.save``; on failure (a full disk) the half-written zip is closed here, quietly, so that
    only the error is reported (no "Exception ignored in ZipFile.__del__")."""
    try:
        wb.save(str(tmp))
        return
    except OSError as exc:
        error = exc
    with collect_unraisable():
        release(error)
    raise error


def write_report_csv(engine: BalanceEngine, path: str | os.PathLike | None, chinese: bool = True,
                     units: Sequence[str] | None = None, indicators_path: str | os.PathLike | None = None,
                     overwrite: bool = True) -> list[Path]:
    """The same tables as CSV (UTF-8 with BOM, opens in Excel): structure rows with a unit column first.

    ``indicators_path`` (optional) receives the indicator table the same way (``path`` None: only
    that one). Returns the files written, structure first.
    """
    targets = _targets(engine, units)
    unit_head = "整治单元" if chinese else tr("Unit")
    level_head = "层级" if chinese else tr("Level")
    project = "全项目" if chinese else tr("Whole project")
    written = []
    jobs = [] if not path else [(path, [unit_head, level_head, *structure_headers(chinese)],
             [[project if uid is None else code, level, *values]
              for uid, code in targets for level, values in structure_table(engine, uid, chinese)])]
    if indicators_path:
        jobs.append((indicators_path, [unit_head, *indicator_headers(chinese)],
                     [[project if uid is None else code, *values]
                      for uid, code in targets for values in indicator_table(engine, uid, chinese, ratio=False)]))
    for target, header, rows in jobs:
        with atomic_output(target, overwrite=overwrite, keep_name=True) as tmp, \
                open(tmp, "w", encoding="utf-8-sig", newline="") as f:
            w = csv.writer(f)
            w.writerow(header)
            w.writerows(rows)
        written.append(Path(target).resolve())
    return written
