"""The balance panel's tables as files: pandas frames of the shown scope, written as XLSX or CSV."""

from __future__ import annotations

from typing import Callable, Hashable, Optional

from ..core.i18n import tr
from ..core.report import indicator_frame, structure_frame
from .common import DECIMALS


def frames(engine, uids: list[Optional[Hashable]], title: Callable[[Hashable], str], area_unit: str, zh: bool):
    """(structure frame, indicator frame) of the units ``uids`` (None: the whole project), as the
    report module makes them, with the unit's title in a first column."""
    import pandas as pd

    parts, inds = [], []
    for uid in uids:
        name = tr("Whole project") if uid is None else title(uid)
        s = structure_frame(engine, uid, area_unit, zh)
        s.insert(0, tr("Unit"), name)
        i = indicator_frame(engine, uid, zh)
        i.insert(0, tr("Unit"), name)
        parts.append(s)
        inds.append(i)
    if not parts:
        return pd.DataFrame(), pd.DataFrame()
    return pd.concat(parts, ignore_index=True), pd.concat(inds, ignore_index=True)


def write_xlsx(path: str, structure, indicators, rules: list, area_unit: str) -> None:
    """Two sheets; numbers as numbers with a display format (亩/公顷 0.00, thousands separators),
    never raw floats. Needs openpyxl."""
    import pandas as pd

    from ..adapters.report_xlsx import AREA_FORMAT, PERCENT_FORMAT

    area_format = AREA_FORMAT if DECIMALS[area_unit] == 2 else "#,##0.0000"
    formats = {rule.id: PERCENT_FORMAT if rule.format == "percent" else AREA_FORMAT for rule in rules}
    with pd.ExcelWriter(path, engine="openpyxl") as writer:
        structure.to_excel(writer, sheet_name=tr("Land use structure")[:31], index=False)
        table = indicators.drop(columns=["rule_id"], errors="ignore")
        table.to_excel(writer, sheet_name=tr("Indicators")[:31], index=False)
        for row in writer.sheets[tr("Land use structure")[:31]].iter_rows(min_row=2):
            for cell in row:
                if isinstance(cell.value, float):
                    cell.number_format = area_format
        sheet = writer.sheets[tr("Indicators")[:31]]
        rule_ids = list(indicators["rule_id"]) if "rule_id" in indicators else []
        for rule_id, row in zip(rule_ids, sheet.iter_rows(min_row=2)):
            for cell in row:
                if isinstance(cell.value, float):
                    cell.number_format = formats.get(rule_id, AREA_FORMAT)


def write_csv(path: str, structure, indicators) -> None:
    """Both tables one after the other (UTF-8 with BOM, for Excel/WPS)."""
    with open(path, "w", encoding="utf-8-sig", newline="") as handle:
        structure.to_csv(handle, index=False)
        handle.write("\n")
        indicators.drop(columns=["rule_id"], errors="ignore").to_csv(handle, index=False)
