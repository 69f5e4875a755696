"""Dock of the live area balance (面积平衡)."""

from __future__ import annotations

from qgis.gui import QgsDockWidget

from ..core.i18n import tr
from .placeholder import placeholder_widget


class BalanceDock(QgsDockWidget):
    """Shows, unit by unit, the land class balance and the policy indicators."""

    OBJECT_NAME = "LandConsolidationBalanceDock"

    def __init__(self, iface, parent=None):
        super().__init__(parent)
        self.iface = iface
        self.setObjectName(self.OBJECT_NAME)
        self.setWindowTitle(tr("Area balance"))
        self.setWidget(
            placeholder_widget(
                tr(
                    "The area balance (面积平衡) will be shown here: per unit, land class areas before "
                    "and after, and whether farmland, permanent basic farmland, construction and "
                    "ecological land meet the policy rules."
                ),
                self.OBJECT_NAME + "Contents",
            )
        )
