"""Dock of remediation units (整治单元)."""

from __future__ import annotations

from qgis.gui import QgsDockWidget

from ..core.i18n import tr
from .placeholder import placeholder_widget


class UnitsDock(QgsDockWidget):
    """Lists the remediation units and lets the planner draw and edit them."""

    OBJECT_NAME = "LandConsolidationUnitsDock"

    def __init__(self, iface, session=None, parent=None):
        super().__init__(parent)
        self.iface = iface
        self.session = session
        self.setObjectName(self.OBJECT_NAME)
        self.setWindowTitle(tr("Remediation units"))
        self.setWidget(
            placeholder_widget(
                tr(
                    "Remediation units (整治单元) will be listed here: draw, name and select units, and "
                    "see each unit's parcels."
                ),
                self.OBJECT_NAME + "Contents",
            )
        )
