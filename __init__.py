"""QGIS plugin entry point: QGIS calls classFactory(iface) and nothing else here."""


def classFactory(iface):  # noqa: N802 (name fixed by QGIS)
    from .plugin.main import LandConsolidationPlugin

    return LandConsolidationPlugin(iface)
