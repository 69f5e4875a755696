"""The 集中连片 table of the balance panel: patches of farmland and PBF, before and after.

One row per layer (耕地 / 永久基本农田, 整治前 / 整治后) of the shown scope (the project, the
selected unit, or every unit under its own heading): number of patches, mean and largest
patch, and for each block size of the pack (百亩方 / 千亩方 / 万亩方) how many patches reach it
and their area. Numbers come from the session's live contiguity (adapters.contiguity), in the
panel's area unit. docs/domain-contiguity.md.
"""
from __future__ import annotations

from typing import Any, Hashable, Optional

from qgis.PyQt.QtCore import Qt
from qgis.PyQt.QtGui import QFont, QStandardItem, QStandardItemModel
from qgis.PyQt.QtWidgets import QAbstractItemView, QHeaderView, QTreeView, QWidget

from ..core.contiguity import LAYERS, PROJECT
from ..core.contiguity_report import layer_name
from ..core.i18n import tr
from .common import M2_ROLE, chinese, format_area


class ContiguityTable(QTreeView):
    """Read-only tree of the contiguity numbers; :meth:`fill` rewrites it."""

    def __init__(self, parent: Optional[QWidget] = None):
        super().__init__(parent)
        self.setObjectName("contiguityTable")
        self.model_ = QStandardItemModel(0, 1, self)
        self.setModel(self.model_)
        self.setUniformRowHeights(True)
        self.setAlternatingRowColors(True)
        self.setEditTriggers(QAbstractItemView.NoEditTriggers)
        self.setSelectionBehavior(QAbstractItemView.SelectRows)
        self.setTextElideMode(Qt.ElideRight)
        self.setMinimumHeight(60)
        self.setToolTip(tr("集中连片: farmland parcels within the rule pack's gap of each other form one patch"))

    def headers(self, blocks) -> list[str]:
        return [tr("Contiguity"), tr("Patches"), tr("Mean"), tr("Largest")] + [b.name(chinese()) for b in blocks]

    def fill(self, session: Any, uids: list[Optional[Hashable]], area_unit: str, title) -> None:
        """Show ``uids`` (None = the project); ``title(uid)`` names a unit."""
        follower = getattr(session, "contiguity", None)
        state = follower.state() if follower is not None else None
        model = self.model_
        model.removeRows(0, model.rowCount())
        if state is None:
            return
        blocks = state.settings.blocks
        model.setColumnCount(4 + len(blocks))
        model.setHorizontalHeaderLabels(self.headers(blocks))
        model.setHeaderData(0, Qt.Horizontal, tr("Gap tolerance: {0} m").format(state.settings.gap_m),
                            Qt.ToolTipRole)
        grouped = len(uids) > 1
        self.setRootIsDecorated(grouped)
        for uid in uids:
            parent = model.invisibleRootItem()
            if grouped:
                head = QStandardItem(tr("Whole project") if uid is None else title(uid))
                font = QFont(head.font())
                font.setBold(True)
                head.setFont(font)
                parent.appendRow([head] + [QStandardItem() for _ in range(3 + len(blocks))])
                parent = head
            stats = state.stats(PROJECT if uid is None else uid)
            for layer in LAYERS:
                parent.appendRow(self._row(layer, stats[layer], area_unit))
        self.expandAll()
        header = self.header()
        header.setSectionResizeMode(QHeaderView.ResizeToContents)
        header.setSectionResizeMode(0, QHeaderView.Stretch)
        header.setStretchLastSection(False)

    @staticmethod
    def _row(layer: str, s, area_unit: str) -> list[QStandardItem]:
        name = QStandardItem(layer_name(layer, chinese(), short=True))
        name.setToolTip(layer_name(layer, chinese()))
        cells = [name, QStandardItem(str(s.count))]
        for m2 in (s.mean, s.largest):
            item = QStandardItem(format_area(m2, area_unit))
            item.setData(m2, M2_ROLE)
            cells.append(item)
        for block, count, m2 in s.blocks:
            item = QStandardItem(f"{count} · {format_area(m2, area_unit)}" if count else "0")
            item.setData(m2, M2_ROLE)
            item.setToolTip(tr("{0} patches of at least {1} mu: {2}").format(
                count, block.mu, format_area(m2, area_unit)))
            cells.append(item)
        for item in cells[1:]:
            item.setTextAlignment(Qt.AlignRight | Qt.AlignVCenter)
        return cells

    def displayed_rows(self) -> list[tuple]:
        """(text of every cell) of every row, depth first — what a test or a copy reads."""
        out = []
        model = self.model_

        def walk(parent):
            for r in range(model.rowCount(parent)):
                out.append(tuple(model.index(r, c, parent).data() or "" for c in range(model.columnCount())))
                walk(model.index(r, 0, parent))
        walk(self.rootIndex())
        return out
