"""QGIS plugin entry point: QGIS calls classFactory(iface) and nothing else here."""


def classFactory(iface):
    from .plugin.main import LandConsolidationPlugin

    return LandConsolidationPlugin(iface)
