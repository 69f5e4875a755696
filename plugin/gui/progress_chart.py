"""A small bar chart of the project's progress (QPainter only, no charting package).

One row per life-cycle status: the number of units, a pale bar of the units' area, over it the
planned area and, darker, the achieved area where the acceptance check ran (亩). Fed with
``core.progress.StatusTotals``.
"""
from __future__ import annotations

from typing import Sequence

from qgis.PyQt.QtCore import QRectF, QSize, Qt
from qgis.PyQt.QtGui import QColor, QPainter
from qgis.PyQt.QtWidgets import QSizePolicy, QWidget

from ..core.areas import MU_M2
from ..core.i18n import tr
from ..core.lifecycle import status_label
from ..core.progress import StatusTotals
from .common import format_number

AREA, PLANNED, ACHIEVED = QColor("#d9e2ec"), QColor("#7fb3d5"), QColor("#1e8449")


class ProgressChart(QWidget):
    """Bars per status (objectName ``progressChart``)."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setObjectName("progressChart")
        self.totals: list[StatusTotals] = []
        self.setMinimumHeight(150)
        self.setSizePolicy(QSizePolicy.Expanding, QSizePolicy.Preferred)

    def set_totals(self, totals: Sequence[StatusTotals]) -> None:
        self.totals = list(totals)
        self.setMinimumHeight(self.sizeHint().height())  # every status row, never cut
        self.setToolTip("\n".join(
            tr("{0}: {1} units, area {2} mu, planned {3} mu, achieved {4} mu").format(
                status_label(t.status), t.units, format_number(t.area_m2 / MU_M2, 1),
                format_number(t.planned_m2 / MU_M2, 1), format_number(t.achieved_m2 / MU_M2, 1))
            for t in self.totals))
        self.update()

    def sizeHint(self) -> QSize:
        rows = max(len(self.totals), 5)
        return QSize(300, (rows + 1) * (self.fontMetrics().height() + 8) + 8)

    def paintEvent(self, _event) -> None:
        painter = QPainter(self)
        try:
            self._paint(painter)
        finally:
            painter.end()

    def _paint(self, p: QPainter) -> None:
        p.setRenderHint(QPainter.Antialiasing, True)
        fm = self.fontMetrics()
        line = fm.height() + 8
        label_w = max([fm.horizontalAdvance(f"{status_label(t.status)} (00)") for t in self.totals] + [60]) + 8
        label_w = min(label_w, int(self.width() * 0.4))  # the bars keep most of a narrow dock
        value_w = fm.horizontalAdvance("00,000.0") + 8
        left, right = label_w, self.width() - value_w
        top = 4
        p.setPen(self.palette().text().color())
        self._legend(p, top, line)
        top += line
        scale = max([t.area_m2 for t in self.totals] + [t.planned_m2 for t in self.totals] + [1.0])
        width = max(right - left, 10)
        for k, t in enumerate(self.totals):
            y = top + k * line
            text = fm.elidedText(f"{status_label(t.status)} ({t.units})", Qt.ElideMiddle, label_w - 6)
            p.drawText(QRectF(0, y, label_w - 6, line), Qt.AlignRight | Qt.AlignVCenter, text)
            h = line - 6
            for value, colour, inset in ((t.area_m2, AREA, 0), (t.planned_m2, PLANNED, h * 0.2),
                                         (t.achieved_m2, ACHIEVED, h * 0.35)):
                if value > 0:
                    p.fillRect(QRectF(left, y + 3 + inset, width * value / scale, h - 2 * inset), colour)
            p.drawText(QRectF(right + 4, y, value_w, line), Qt.AlignLeft | Qt.AlignVCenter,
                       format_number(t.planned_m2 / MU_M2, 1))

    def _legend(self, p: QPainter, top: int, line: int) -> None:
        x = 4
        fm = self.fontMetrics()
        for colour, text in ((AREA, tr("area")), (PLANNED, tr("planned")), (ACHIEVED, tr("achieved")),
                             (None, tr("(mu; planned on the right)"))):
            if x + 14 + fm.horizontalAdvance(text) > self.width():
                break  # a narrow dock: the tooltip has it all
            if colour is not None:
                p.fillRect(QRectF(x, top + line / 2 - 5, 10, 10), colour)
                x += 14
            p.drawText(QRectF(x, top, fm.horizontalAdvance(text) + 4, line), Qt.AlignLeft | Qt.AlignVCenter, text)
            x += fm.horizontalAdvance(text) + 12


__all__ = ["ProgressChart"]
