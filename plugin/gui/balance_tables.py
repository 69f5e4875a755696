"""The balance panel's two tables: the land use structure tree and the indicator table.

Both are QStandardItemModels whose number cells keep the m² value in ``M2_ROLE`` (the text
is only its formatting in the chosen area unit) and whose first cells keep a key in
``KEY_ROLE``; this module fills them, formats their cells and reads them back (copy, tests).
"""

from __future__ import annotations

from typing import Any, Callable, Hashable, Optional

from qgis.core import QgsVectorLayer
from qgis.PyQt.QtCore import QModelIndex, Qt
from qgis.PyQt.QtGui import QBrush, QFont, QStandardItem, QStandardItemModel

from ..core.areas import convert
from ..core.i18n import tr
from ..core.report import StructureRow, format_requirement, format_rule_value
from .common import DECIMALS, KEY_ROLE, M2_ROLE, chinese, format_area, format_number
from .verdict import rule_verdict, source_text


def unit_title(session: Any, uid: Hashable) -> str:
    """"ZZDY-001 东片区" for a unit id of the engine."""
    engine = session.engine
    code = engine.unit_code(uid) if engine is not None and engine.has_unit(uid) else str(uid)
    layer: Optional[QgsVectorLayer] = session.units
    name_field = session.unit_field("DYMC")
    if layer is not None and name_field:
        try:
            feature = layer.getFeature(int(uid))
            name = feature[name_field] if feature.isValid() else None
            if name not in (None, "") and str(name) != "NULL":
                return f"{code} {name}"
        except (TypeError, ValueError, KeyError):
            pass
    return code


def rule_value_text(rule: Any, value: Optional[float], area_unit: str) -> str:
    """A rule's value as the panels show it (core/report, with the locale's numbers)."""
    return format_rule_value(rule, value, area_unit, format_number, chinese())


def requirement_text(rule: Any, area_unit: str) -> str:
    """A rule's comparison and threshold as the panels show it (core/report)."""
    return format_requirement(rule, area_unit, format_number, chinese())


# ---------------------------------------------------------------------- the structure tree
def set_area(item: QStandardItem, m2: float, area_unit: str, signed: bool = False) -> None:
    """Keep ``m2`` in the item and show it in ``area_unit`` (a change signed, a loss in dark red)."""
    item.setData(m2, M2_ROLE)
    text = format_area(m2, area_unit)
    if signed and round(convert(m2, area_unit), DECIMALS[area_unit]) > 0:
        text = "+" + text
    item.setText(text)
    if signed:
        item.setForeground(QBrush(Qt.darkRed if text.startswith("-") else Qt.black))


def show_numbers(items: tuple, row: StructureRow, area_unit: str) -> None:
    """Before, after and change of ``row`` into its three number items."""
    before, after, change = items
    set_area(before, row.before_m2, area_unit)
    set_area(after, row.after_m2, area_unit)
    set_area(change, row.change_m2, area_unit, signed=True)


def _number_items(row: StructureRow, area_unit: str) -> tuple[QStandardItem, QStandardItem, QStandardItem]:
    items = tuple(QStandardItem() for _ in range(3))
    for item in items:
        item.setTextAlignment(Qt.AlignRight | Qt.AlignVCenter)
        item.setEditable(False)
    show_numbers(items, row, area_unit)
    return items  # type: ignore[return-value]


def fill_structure(model: QStandardItemModel, blocks: list, area_unit: str,
                   title: Callable[[Hashable], str] | None = None) -> tuple[list, list]:
    """Rebuild the tree from ``blocks`` ``[(unit id, StructureRow…)]``, with a head row per unit when
    ``title`` names them; returns (the number items in row order, the items to expand)."""
    model.removeRows(0, model.rowCount())
    value_items: list = []
    bold = QFont()
    bold.setBold(True)
    expand = []
    for uid, rows in blocks:
        parent = model.invisibleRootItem()
        if title is not None:
            head = QStandardItem(title(uid))
            head.setData(uid, KEY_ROLE)
            head.setFont(bold)
            parent.appendRow([head] + [QStandardItem() for _ in range(3)])
            parent = head
            expand.append(head)
        parents = {-1: parent}
        for row in rows:
            label = f"{row.code} {row.name}" if row.level == 2 else row.name
            item = QStandardItem(label)
            item.setToolTip(label)
            item.setEditable(False)
            item.setData((uid, row.level, row.code or row.name), KEY_ROLE)
            if row.level < 2:
                item.setFont(bold)
            numbers = _number_items(row, area_unit)
            value_items.append(numbers)
            holder = parent if row.level == 0 else parents.get(row.level - 1, parent)
            holder.appendRow([item, *numbers])
            parents[row.level] = item
            if row.level == 0:
                expand.append(item)
    return value_items, expand


def displayed_rows(model: QStandardItemModel) -> list[tuple]:
    """(unit id, level, code or name, before m², after m², change m²) of the tree."""
    out = []

    def walk(parent_index, depth):
        for r in range(model.rowCount(parent_index)):
            idx = model.index(r, 0, parent_index)
            key = model.data(idx, KEY_ROLE)
            if isinstance(key, tuple):
                values = [model.data(model.index(r, c, parent_index), M2_ROLE) for c in (1, 2, 3)]
                out.append((*key, *values))
            walk(idx, depth + 1)

    walk(QModelIndex(), 0)
    return out


def structure_lines(model: QStandardItemModel, area_unit: str, project_title: str) -> list[str]:
    """Tab-separated rows of the tree (unit, level, code, class, numbers without group separators)."""
    lines = []
    levels = {0: tr("Category"), 1: tr("Group"), 2: tr("Class")}

    def walk(parent_index, unit_name):
        for r in range(model.rowCount(parent_index)):
            idx = model.index(r, 0, parent_index)
            key = model.data(idx, KEY_ROLE)
            if isinstance(key, tuple):
                uid, level, code = key
                name = model.data(idx)
                if level == 2 and name.startswith(code + " "):
                    name = name[len(code) + 1:]
                values = [format_area(model.data(model.index(r, c, parent_index), M2_ROLE), area_unit, group=False)
                          for c in (1, 2, 3)]
                lines.append("\t".join([unit_name, levels.get(level, ""), code if level == 2 else "", name,
                                        *values]))
                walk(idx, unit_name)
            else:
                walk(idx, model.data(idx))

    walk(QModelIndex(), project_title)
    return lines


# ---------------------------------------------------------------------- the indicator table
def indicator_row(rule: Any, unit_name: str) -> list[QStandardItem]:
    """The five items of an indicator's row (unit, indicator, value, target, result), values still empty."""
    items = [QStandardItem() for _ in range(5)]
    items[0].setText(unit_name)
    # an unverified rule is marked * (footnote: 依据待核实, the reason in the tooltip)
    items[1].setText(rule.name(chinese()) + ("" if rule.verified else " *"))
    items[1].setData(rule.name(chinese()), KEY_ROLE)
    for item in items:
        item.setEditable(False)
    items[2].setTextAlignment(Qt.AlignRight | Qt.AlignVCenter)
    basis, why = source_text(rule)
    tip = rule.name(chinese()) + "\n" + tr("Basis: {0}").format(why if not rule.verified else basis)
    tip += "\n" + tr("Formula: {0}").format(rule.formula.text)
    for item in items:
        item.setToolTip(tip)
    return items


def show_result(items: tuple, rule: Any, res: Any, area_unit: str) -> None:
    """Value, target and verdict (with its colour) of a rule's result into its row's items."""
    items[2].setText(rule_value_text(rule, res.value, area_unit))
    items[2].setData(res.value, M2_ROLE)
    items[3].setText(requirement_text(rule, area_unit))
    shown = rule_verdict(res.passed, res.severity, res.reason)
    items[4].setText(shown.text)
    if shown.tip:
        items[4].setToolTip(shown.tip)
    items[4].setData(res.passed, KEY_ROLE)
    for item in items[2:]:
        item.setBackground(QBrush(shown.colour))


def displayed_indicators(model: QStandardItemModel) -> list[tuple]:
    """(rule name, value, passed) of the indicator table."""
    return [(model.item(r, 1).data(KEY_ROLE), model.item(r, 2).data(M2_ROLE), model.item(r, 4).data(KEY_ROLE))
            for r in range(model.rowCount())]


def indicator_lines(model: QStandardItemModel) -> list[str]:
    """Tab-separated header and rows of the indicator table, as shown."""
    lines = ["\t".join(model.headerData(c, Qt.Horizontal) for c in range(model.columnCount()))]
    for r in range(model.rowCount()):
        lines.append("\t".join(model.item(r, c).text() for c in range(model.columnCount())))
    return lines
