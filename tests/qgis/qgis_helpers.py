"""Small helpers shared by the headless QGIS tests."""
from pathlib import Path


def src(gpkg: Path, layer: str) -> str:
    """The OGR source of one layer of a GeoPackage, as the CLI and QgsVectorLayer take it."""
    return f"{gpkg}|layername={layer}"
