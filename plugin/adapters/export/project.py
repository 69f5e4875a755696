"""Styles, layer metadata and the QGIS project stored inside the plan file."""
from __future__ import annotations

from pathlib import Path

from qgis.core import QgsProject, QgsReferencedRectangle, QgsVectorLayer
from qgis.PyQt.QtCore import QDateTime

from ...core.i18n import chinese, tr
from ...core.rules import RulePack
from ..gpkg import WriteError
from ..layers import Inputs
from ..styles import style_parcels_by_type, style_units
from .metadata import PlanMetadata

PROJECT_NAME = "plan"


def pack_reference(pack: RulePack) -> str:
    """How a project names the pack: a bundled pack by id, another one by its file."""
    from ...core.rules import PACK_DIR

    if pack.path is None or Path(pack.path).resolve().parent == Path(PACK_DIR).resolve():
        return pack.id
    return str(Path(pack.path).resolve())


def _styled_layers(path: Path, inputs: Inputs, meta: PlanMetadata) -> tuple[QgsVectorLayer, QgsVectorLayer]:
    """The units and parcels just written, styled, with their metadata, styles saved as their defaults."""
    units = QgsVectorLayer(f"{path}|layername=units", tr("Remediation units"), "ogr")
    parcels = QgsVectorLayer(f"{path}|layername=parcels", tr("Parcels of the plan"), "ogr")
    if not units.isValid() or not parcels.isValid():
        raise WriteError(tr("Cannot reopen the layers just written to {0}").format(path))
    style_units(units, inputs.unit_field)
    style_parcels_by_type(parcels, chinese())
    units.setMetadata(meta.layer_metadata(units, tr("Remediation units (整治单元) with their ellipsoidal area")))
    parcels.setMetadata(meta.layer_metadata(parcels, tr(
        "Parcels (三调 DLTB) of the units, clipped at the unit boundary; TBMJ, KCMJ, TBDLMJ apportioned by share")))
    for layer, name in ((units, "units"), (parcels, "parcels")):
        error = layer.saveStyleToDatabase(name, meta.title, True, "")
        if error:
            raise WriteError(tr("Cannot store the style of {0} in {1}: {2}").format(name, path, error))
    return units, parcels


def embed_project(path: Path, inputs: Inputs, meta: PlanMetadata, pack: RulePack | None = None) -> None:
    """Default styles into layer_styles, layer metadata, and the QGIS project into the file.

    The project carries the plugin's set-up on its own layers (``units``, ``parcels``; fields
    under their canonical names, areas in m²) and the rule pack of the export, so that opening
    the hand-over file in QGIS starts the live balance without any set-up.
    """
    project = QgsProject()
    try:
        units, parcels = _styled_layers(path, inputs, meta)
        tables = [QgsVectorLayer(f"{path}|layername={t}", label, "ogr")
                  for t, label in (("balance", tr("Area balance")), ("indicators", tr("Indicators")),
                                   ("rule_pack", tr("Rule pack")))]
        project.addMapLayers([units, parcels] + [t for t in tables if t.isValid()])  # tree order: units on top
        project.setCrs(parcels.crs())
        # Opened in QGIS, the map starts on the units (without it: an empty canvas at 1:1).
        extent = units.extent() if not units.extent().isEmpty() else parcels.extent()
        extent.scale(1.05)
        project.viewSettings().setDefaultViewExtent(
            QgsReferencedRectangle(extent, units.crs() if not units.extent().isEmpty() else parcels.crs()))
        project.setTitle(meta.title)
        pmd = project.metadata()
        pmd.setTitle(meta.title)
        pmd.setAuthor(meta.author)
        pmd.setCreationDateTime(QDateTime.currentDateTime())
        pmd.setAbstract("\n".join(meta.layer_metadata(units, "").history()))
        project.setMetadata(pmd)
        if pack is not None:
            from ..project_config import SessionConfig

            SessionConfig(parcels=parcels.id(), units=units.id(), rule_pack=pack_reference(pack)).write(project)
        uri = f"geopackage:{path}?projectName={PROJECT_NAME}"
        if not project.write(uri):
            raise WriteError(tr("Cannot store the QGIS project in {0}: {1}").format(path, project.error()))
    finally:
        project.clear()
        del project
