"""A ready-to-use planning project over the demo township (``demo_output/demo_planning.qgz``).

It holds the source layers (三调 parcels, units, PBF, ecological red line, urban growth
boundary, project boundary) with styles, and the plugin's configuration, so that opening
it in QGIS restores the live balance without any set-up: the way a planner's own project
behaves once set up once.
"""
from __future__ import annotations

from pathlib import Path

from qgis.core import QgsFillSymbol, QgsProject, QgsReferencedRectangle, QgsSingleSymbolRenderer, QgsVectorLayer

from ..adapters.gpkg import WriteError
from ..adapters.project_config import SessionConfig
from ..adapters.styles import load_style, style_parcels_by_type
from ..core.i18n import chinese, tr
from ..core.resources import resource_path

_OUTLINES = {  # layer -> (fill, outline colour, outline style, width mm)
    "XMFW": ("no", "#555555", "dash", "0.6"),
    "CZKFBJ": ("no", "#8e44ad", "dash", "0.7"),
    "STBHHX": ("b_diagonal", "#2e7d32", "solid", "0.5"),
    "YJJBNTTB": ("no", "#c9a227", "solid", "0.5"),
}


def _outline(layer: QgsVectorLayer, name: str) -> None:
    fill, colour, style, width = _OUTLINES[name]
    props = {"style": fill, "color": colour, "outline_color": colour, "outline_style": style,
             "outline_width": width}
    layer.setRenderer(QgsSingleSymbolRenderer(QgsFillSymbol.createSimple(props)))


def write_planning_project(gpkg: str | Path, out: str | Path) -> Path:
    """Write ``out`` (.qgz) over the demo GeoPackage ``gpkg``, configured for the plugin."""
    gpkg, out = Path(gpkg).resolve(), Path(out).resolve()
    names = {
        "XMFW": tr("Project boundary"), "CZKFBJ": tr("Urban growth boundary"),
        "STBHHX": tr("Ecological red line"), "YJJBNTTB": tr("Permanent basic farmland"),
        "DLTB": tr("Land-use parcels (DLTB)"), "ZZDY": tr("Remediation units"),
    }
    project = QgsProject()
    try:
        layers = {}
        for table, label in names.items():
            layer = QgsVectorLayer(f"{gpkg}|layername={table}", label, "ogr")
            if not layer.isValid():
                raise WriteError(tr("Cannot open the {0} layer: {1}").format(table, gpkg))
            layers[table] = layer
        style_parcels_by_type(layers["DLTB"], chinese())
        load_style(layers["ZZDY"], resource_path("styles", "remediation_units_edit.qml"))
        for table in _OUTLINES:
            _outline(layers[table], table)
        # the layer tree lists them in the order added: units first (on top), boundary last
        project.addMapLayers([layers[t] for t in reversed(names)])
        project.setCrs(layers["DLTB"].crs())
        extent = layers["ZZDY"].extent()
        extent.scale(1.05)
        project.viewSettings().setDefaultViewExtent(QgsReferencedRectangle(extent, layers["ZZDY"].crs()))
        project.setTitle(tr("Land consolidation plan (demo township)"))
        SessionConfig(parcels=layers["DLTB"].id(), units=layers["ZZDY"].id(), pbf=layers["YJJBNTTB"].id(),
                      redline=layers["STBHHX"].id(), ugb=layers["CZKFBJ"].id()).write(project)
        if not project.write(str(out)):
            raise WriteError(tr("Cannot write {0}: {1}").format(out, project.error()))
    finally:
        project.clear()
    return out
