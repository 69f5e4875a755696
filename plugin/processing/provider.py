"""Processing provider "landconsolidation": the plugin's algorithms in the toolbox and qgis_process."""

from __future__ import annotations

import traceback

from qgis.core import Qgis, QgsProcessingProvider
from qgis.PyQt.QtGui import QIcon

from ..adapters.log import log
from ..core.i18n import tr
from ..paths import icon_path

PROVIDER_ID = "landconsolidation"


class LandConsolidationProvider(QgsProcessingProvider):
    """Holds the algorithms listed in ``processing/algorithms/__init__.py: ALGORITHMS``."""

    def id(self) -> str:
        return PROVIDER_ID

    def name(self) -> str:
        return tr("Land consolidation")

    def longName(self) -> str:
        return tr("Land consolidation planning (全域土地综合整治)")

    def icon(self) -> QIcon:
        return QIcon(icon_path("icon.svg"))

    def svgIconPath(self) -> str:
        return icon_path("icon.svg")

    def loadAlgorithms(self) -> None:
        """Add one instance of every entry of ``ALGORITHMS``.

        A broken algorithm is logged and skipped: it must not take the provider (and the
        other algorithms) down with it.
        """
        from .algorithms import ALGORITHMS

        for factory in ALGORITHMS:
            try:
                algorithm = factory()
                if not self.addAlgorithm(algorithm):
                    log(tr("Processing algorithm {name} was not added (duplicate id?)").format(
                        name=getattr(factory, "__name__", repr(factory))), Qgis.Warning)
            except Exception:  # one bad algorithm must not break the provider
                log(tr("Processing algorithm {name} could not be loaded:").format(
                    name=getattr(factory, "__name__", repr(factory))) + "\n" + traceback.format_exc(), Qgis.Critical)
