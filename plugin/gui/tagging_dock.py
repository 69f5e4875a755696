"""Dock for tagging parcels (图斑标注)."""

from __future__ import annotations

from qgis.gui import QgsDockWidget

from ..core.i18n import tr
from .placeholder import placeholder_widget


class TaggingDock(QgsDockWidget):
    """Tags selected parcels with a remediation type and the land class after consolidation."""

    OBJECT_NAME = "LandConsolidationTaggingDock"

    def __init__(self, iface, session=None, parent=None):
        super().__init__(parent)
        self.iface = iface
        self.session = session
        self.setObjectName(self.OBJECT_NAME)
        self.setWindowTitle(tr("Parcel tagging"))
        self.setWidget(
            placeholder_widget(
                tr(
                    "Parcel tagging (图斑标注) will be here: pick parcels on the map and give them a "
                    "remediation type and the land class after consolidation."
                ),
                self.OBJECT_NAME + "Contents",
            )
        )
