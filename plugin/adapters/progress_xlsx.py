"""The project progress report (项目进度报告) as XLSX: by status, by unit, acceptance, history.

Four sheets, in the interface language: the totals per status (units, area, planned, achieved, in
亩 and m²), one row per unit, the acceptance rows (planned vs achieved per unit, type and class,
shortfall) and the status history. Same writing path as ``report_xlsx`` (temporary file, moved into
place when complete). docs/lifecycle.md.
"""
from __future__ import annotations

import os
from pathlib import Path
from typing import Sequence

from ..core.acceptance import AcceptanceRow
from ..core.areas import MU_M2
from ..core.i18n import tr
from ..core.lifecycle import Transition, status_label
from ..core.progress import StatusTotals, UnitProgress
from .report_xlsx import AREA_FORMAT, PERCENT_FORMAT, require_openpyxl, save_workbook


def _mu(m2: float | None) -> float | None:
    return None if m2 is None else m2 / MU_M2


def _sheets(totals, units, acceptance, history) -> list[tuple[str, list[str], list[list]]]:
    sheets = [
        (tr("By status"),
         [tr("Status"), tr("Units"), tr("Area (mu)"), tr("Planned (mu)"), tr("Achieved (mu)"), tr("Units checked"),
          tr("Area (m²)"), tr("Planned (m²)"), tr("Achieved (m²)")],
         [[status_label(t.status), t.units, _mu(t.area_m2), _mu(t.planned_m2), _mu(t.achieved_m2), t.checked,
           t.area_m2, t.planned_m2, t.achieved_m2] for t in totals]),
        (tr("By unit"),
         [tr("Unit"), tr("Status"), tr("Since"), tr("Area (mu)"), tr("Planned (mu)"), tr("Achieved (mu)"),
          tr("Area (m²)"), tr("Planned (m²)"), tr("Achieved (m²)")],
         [[u.unit_code, status_label(u.status), u.since, _mu(u.area_m2), _mu(u.planned_m2), _mu(u.achieved_m2),
           u.area_m2, u.planned_m2, u.achieved_m2] for u in units]),
        (tr("Acceptance"),
         [tr("Unit"), tr("Remediation type"), tr("Class after"), tr("Planned (mu)"), tr("Achieved (mu)"),
          tr("Shortfall (mu)"), tr("Achieved share"), tr("Result"), tr("Planned (m²)"), tr("Achieved (m²)"),
          tr("Shortfall (m²)")],
         [[r.unit_code, r.zzlx or "—", r.ghdlbm, _mu(r.planned_m2), _mu(r.achieved_m2), _mu(r.shortfall_m2),
           r.ratio, tr("Complete") if r.ok else tr("Shortfall"), r.planned_m2, r.achieved_m2, r.shortfall_m2]
          for r in acceptance]),
        (tr("Status history"),
         [tr("Unit"), tr("From"), tr("To"), tr("When"), tr("Who"), tr("Reason")],
         [[t.unit_code, status_label(t.from_status), status_label(t.to_status), t.changed_at, t.changed_by,
           t.reason] for t in sorted(history, key=lambda t: (t.changed_at, t.unit_code))]),
    ]
    return sheets


def write_progress_report(path: str | os.PathLike, totals: Sequence[StatusTotals], units: Sequence[UnitProgress],
                          acceptance: Sequence[AcceptanceRow] = (), history: Sequence[Transition] = (),
                          overwrite: bool = True) -> Path:
    """Write the progress report; returns the file. ReportError without openpyxl, WriteError on failure."""
    openpyxl = require_openpyxl()
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    head_fill = PatternFill("solid", fgColor="DDE7F0")
    for title, headers, rows in _sheets(totals, units, acceptance, history):
        ws = wb.create_sheet(title[:31])
        for c, text in enumerate(headers, 1):
            cell = ws.cell(row=1, column=c, value=text)
            cell.font, cell.fill = Font(bold=True), head_fill
            cell.alignment = Alignment(horizontal="center", wrap_text=True)
            ws.column_dimensions[get_column_letter(c)].width = 16
        for r, values in enumerate(rows, 2):
            for c, v in enumerate(values, 1):
                cell = ws.cell(row=r, column=c, value=v)
                if isinstance(v, float):
                    cell.number_format = PERCENT_FORMAT if headers[c - 1] == tr("Achieved share") else AREA_FORMAT
        ws.freeze_panes = ws.cell(row=2, column=2)
    return save_workbook(wb, path, overwrite)


__all__ = ["write_progress_report"]
