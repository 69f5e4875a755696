"""The 集中连片 table of the XLSX report (docs/domain-contiguity.md).

On every sheet (全项目 and each unit), right of the structure table: per layer (耕地 /
永久基本农田, 整治前 / 整治后) the number of patches, their total, mean and largest area (亩), and per block
size of the rule pack (百亩方 / 千亩方 / 万亩方) how many patches reach it and their area.
Numbers from ``core.contiguity_report.stats_rows`` — the same as the GeoPackage's
``farmland_patch_stats`` and the balance panel. Headers in Chinese when ``chinese`` (the
report's convention), English otherwise.
"""
from __future__ import annotations

from typing import Hashable

from ..core.areas import MU_M2
from ..core.contiguity_report import layer_name, stats_rows
from ..core.i18n import tr

FIRST_COLUMN = 12  # L: one empty column after the ten of the structure table


def headers(state, chinese: bool) -> list[str]:
    if chinese:
        head = ["图层", "连片数", "总面积（亩）", "平均面积（亩）", "最大连片（亩）"]
        for b in state.settings.blocks:
            head += [f"{b.name_zh}个数", f"{b.name_zh}面积（亩）"]
        return head
    head = [tr("Layer"), tr("Patches"), tr("Total (mu)"), tr("Mean (mu)"), tr("Largest (mu)")]
    for b in state.settings.blocks:
        head += [tr("{0}: count").format(b.name_en), tr("{0}: area (mu)").format(b.name_en)]
    return head


def table(state, engine, uid: Hashable | None, chinese: bool) -> tuple[list[str], list[list]]:
    """(headers, rows) of one scope (None: the project); areas in 亩."""
    out = []
    rows = stats_rows(state, engine, [] if uid is None else [uid], project=uid is None)
    for _code, layer, count, total, mean, largest, _largest_mu, *blocks in rows:
        values = [layer_name(layer, chinese), count, total / MU_M2, mean / MU_M2, largest / MU_M2]
        for k in range(0, len(blocks), 2):
            values += [blocks[k], blocks[k + 1] / MU_M2]
        out.append(values)
    return headers(state, chinese), out


def add_block(ws, state, engine, uid: Hashable | None, chinese: bool, area_format: str) -> None:
    """Write the scope's table on sheet ``ws`` to the right of the balance tables (from column L)."""
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    head, rows = table(state, engine, uid, chinese)
    title = "耕地集中连片情况" if chinese else tr("Contiguity of farmland (patches and blocks)")
    ws.cell(row=1, column=FIRST_COLUMN, value=title).font = Font(bold=True, size=12)
    for c, text in enumerate(head, FIRST_COLUMN):
        cell = ws.cell(row=2, column=c, value=text)
        cell.font = Font(bold=True)
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        ws.column_dimensions[get_column_letter(c)].width = 22 if c == FIRST_COLUMN else 13
    for r, values in enumerate(rows, 3):
        for c, v in enumerate(values, FIRST_COLUMN):
            cell = ws.cell(row=r, column=c, value=v)
            if isinstance(v, float):
                cell.number_format = area_format
