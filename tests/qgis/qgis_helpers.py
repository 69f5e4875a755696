"""Small helpers shared by the headless QGIS tests."""
import time
from pathlib import Path


def src(gpkg: Path, layer: str) -> str:
    """The OGR source of one layer of a GeoPackage, as the CLI and QgsVectorLayer take it."""
    return f"{gpkg}|layername={layer}"


def settle(live, timeout: float = 30.0) -> None:
    """Let the event loop deliver a LiveBalance's coalescing timer (and a background build)."""
    from qgis.PyQt.QtCore import QCoreApplication

    deadline = time.monotonic() + timeout
    QCoreApplication.processEvents()
    while (live.pending or live.is_rebuilding) and time.monotonic() < deadline:
        QCoreApplication.processEvents()
        time.sleep(0.005)
    assert not live.pending and not live.is_rebuilding


def add_layers(gpkg: Path, names) -> dict:
    """The named layers of a GeoPackage, each valid and added to the current project: {name: layer}."""
    from qgis.core import QgsProject, QgsVectorLayer

    layers = {}
    for name in names:
        layer = QgsVectorLayer(src(gpkg, name), name, "ogr")
        assert layer.isValid(), name
        QgsProject.instance().addMapLayer(layer)
        layers[name] = layer
    return layers
