"""The memory layers of one unit's map (整治单元规划图): the unit's parcels clipped at its boundary
and coloured by remediation type, the parcels and units around it, the unit outline.

Why memory layers: the map shows the engine's view (unit geometries in the working CRS,
parcels clipped at the boundary), never touches the planner's own layers or their styles, and
works the same for a GeoPackage, a shapefile or an edited layer. The layers live in a private
``QgsProject`` that is cleared when the maps are written.
"""
from __future__ import annotations

import numpy as np
import shapely
from qgis.core import (
    QgsCoordinateTransform,
    QgsFeature,
    QgsFeatureRequest,
    QgsFillSymbol,
    QgsGeometry,
    QgsPalLayerSettings,
    QgsProject,
    QgsRectangle,
    QgsSingleSymbolRenderer,
    QgsTextFormat,
    QgsVectorLayer,
    QgsVectorLayerSimpleLabeling,
)
from qgis.PyQt.QtGui import QColor, QFont

from ..core.areas import HECTARE_M2
from ..core.engine import BalanceEngine, clean_geometry
from ..core.i18n import tr
from .crs import transform_to, working_crs
from .layers import Inputs
from .parcel_reader import parcel_fields
from .qgis_compat import LABEL_OVER_POINT, RENDER_POINTS, make_field
from .styles import label_font_family, style_parcels_by_type
from .wkb import feature_wkb, parse_wkb

UNTAGGED_COLOUR, UNTAGGED_OUTLINE = "#ffffff", "#969696"


def font(size: float, bold: bool = False) -> QFont:
    """The label font of the maps at ``size`` points."""
    f = QFont(label_font_family())
    f.setPointSizeF(size)
    f.setBold(bold)
    return f


def text_format(size: float, bold: bool = False, colour: QColor | str = "#000000") -> QgsTextFormat:
    fmt = QgsTextFormat()
    fmt.setFont(font(size, bold))
    fmt.setSize(size)
    fmt.setSizeUnit(RENDER_POINTS)
    fmt.setColor(QColor(colour))
    return fmt


def qgs_geometry(geom) -> QgsGeometry:
    """A shapely geometry as a QgsGeometry (empty for None)."""
    g = QgsGeometry()
    if geom is not None and not geom.is_empty:
        g.fromWkb(shapely.to_wkb(geom, output_dimension=2))
    return g


class MapLayers:
    """The memory layers of one unit's map, owned by ``project``."""

    def __init__(self, project: QgsProject, engine: BalanceEngine, inputs: Inputs, unit, chinese: bool):
        self.crs = working_crs(inputs.parcels)
        self.engine, self.unit = engine, unit
        geom = engine.unit_geometry(unit.uid)
        self.unit_geom = geom
        minx, miny, maxx, maxy = geom.bounds if geom is not None else (0.0, 0.0, 1.0, 1.0)
        pad = max(0.08 * max(maxx - minx, maxy - miny), 20.0)
        self.extent = QgsRectangle(minx - pad, miny - pad, maxx + pad, maxy + pad)
        self.unit_extent = QgsRectangle(minx, miny, maxx, maxy)
        crs = self.crs.authid() or self.crs.toWkt()
        self.parcels = QgsVectorLayer(f"MultiPolygon?crs={crs}", tr("Remediation type"), "memory")
        self.context = QgsVectorLayer(f"MultiPolygon?crs={crs}", tr("Other parcels"), "memory")
        self.others = QgsVectorLayer(f"MultiPolygon?crs={crs}", tr("Other remediation units"), "memory")
        self.outline = QgsVectorLayer(f"MultiPolygon?crs={crs}", tr("Remediation unit boundary"), "memory")
        self.present: list[str | None] = []
        self._fill(inputs)
        self._style(chinese)
        project.addMapLayers(self.layers(), False)

    def layers(self) -> list[QgsVectorLayer]:
        """Top first, as QgsLayoutItemMap.setLayers wants them."""
        return [self.outline, self.others, self.parcels, self.context]

    def _fill(self, inputs: Inputs) -> None:
        src = inputs.parcels
        fm = parcel_fields(src, inputs.field_overrides, inputs.tbmj_in_mu)
        zzlx = fm.plan.get("ZZLX")
        to_map = transform_to(src, self.crs)
        # the unit's parcels, clipped at the boundary
        pids = sorted(self.engine.unit_parcel_ids(self.unit.uid))
        request = QgsFeatureRequest().setFilterFids(pids)
        request.setSubsetOfAttributes([zzlx] if zzlx else [], src.fields())
        wkbs, types = [], []
        for f in src.getFeatures(request):
            wkb = feature_wkb(f, to_map)  # curves linearised
            if wkb is None:
                continue
            wkbs.append(wkb)
            value = f[zzlx] if zzlx else None
            text = None if value is None or (hasattr(value, "isNull") and value.isNull()) else str(value).strip()
            types.append(text or None)
        geoms = np.empty(len(wkbs), dtype=object)
        geoms[:] = [clean_geometry(g) for g in parse_wkb(wkbs)]  # repaired: no GEOS error in the clip below
        if self.unit_geom is not None and len(geoms):
            geoms = shapely.intersection(geoms, self.unit_geom)
        self.parcels.dataProvider().addAttributes([make_field("ZZLX", "string")])
        self.parcels.updateFields()
        feats = []
        for geom, kind in zip(geoms, types):
            if geom is None or geom.is_empty or shapely.area(geom) <= 0:
                continue
            f = QgsFeature(self.parcels.fields())
            f.setGeometry(qgs_geometry(geom))
            f.setAttribute(0, kind)
            feats.append(f)
        self.parcels.dataProvider().addFeatures(feats)
        self.present = sorted(set(types), key=lambda t: (t is None, t or ""))
        # every parcel in view, faint (a wider box: the map item's aspect widens the view)
        view = QgsRectangle(self.extent)
        view.grow(max(view.width(), view.height()) * 0.3)
        rect = view
        if to_map is not None:
            back = QgsCoordinateTransform(self.crs, src.crs(), QgsProject.instance().transformContext())
            rect = back.transformBoundingBox(view)
        context = []
        for f in src.getFeatures(QgsFeatureRequest().setFilterRect(rect).setNoAttributes()):
            g = QgsGeometry(f.geometry())
            if to_map is not None:
                g.transform(to_map)
            out = QgsFeature()
            out.setGeometry(g)
            context.append(out)
        self.context.dataProvider().addFeatures(context)
        # the units: this one bold, the others faint
        self.others.dataProvider().addAttributes([make_field("DYBH", "string")])
        self.others.updateFields()
        others = []
        box = shapely.box(view.xMinimum(), view.yMinimum(), view.xMaximum(), view.yMaximum())
        for uid in self.engine.unit_ids():
            geom = self.engine.unit_geometry(uid)
            if uid == self.unit.uid or geom is None or not geom.intersects(box):
                continue
            f = QgsFeature(self.others.fields())
            f.setGeometry(qgs_geometry(geom))
            f.setAttribute(0, self.engine.unit_code(uid))
            others.append(f)
        self.others.dataProvider().addFeatures(others)
        f = QgsFeature()
        f.setGeometry(qgs_geometry(self.unit_geom))
        self.outline.dataProvider().addFeatures([f])
        for layer in self.layers():
            layer.updateExtents()

    def _style(self, chinese: bool) -> None:
        areas = self.engine.type_areas(self.unit.uid)
        ha = tr("ha")

        def label(kind: str, name: str) -> str:
            text = f"{kind} {name}" if name != kind else kind
            return text + (f"  {areas[kind] / HECTARE_M2:,.2f} {ha}" if areas.get(kind) else "")

        style_parcels_by_type(self.parcels, chinese, self.present, label, (UNTAGGED_COLOUR, UNTAGGED_OUTLINE))
        self.context.setRenderer(QgsSingleSymbolRenderer(QgsFillSymbol.createSimple({
            "color": "255,255,255,0", "outline_color": "190,190,190,255", "outline_width": "0.08"})))
        self.others.setRenderer(QgsSingleSymbolRenderer(QgsFillSymbol.createSimple({
            "color": "255,255,255,0", "outline_color": "120,120,120,255", "outline_width": "0.4",
            "outline_style": "dash"})))
        self.outline.setRenderer(QgsSingleSymbolRenderer(QgsFillSymbol.createSimple({
            "color": "255,255,255,0", "outline_color": "200,30,30,255", "outline_width": "1.0"})))
        settings = QgsPalLayerSettings()
        settings.fieldName = "DYBH"
        settings.setFormat(text_format(9, False, "#777777"))
        settings.placement = LABEL_OVER_POINT
        self.others.setLabeling(QgsVectorLayerSimpleLabeling(settings))
        self.others.setLabelsEnabled(True)
