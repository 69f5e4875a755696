"""A printable map of each remediation unit (整治单元规划图): A3 landscape, PDF or PNG.

One page per unit (:func:`write_unit_maps`):

* title: unit code + name + 整治规划图;
* the map, zoomed to the unit with a margin at a round scale (1:2 000, 1:5 000 …): the unit's
  parcels clipped at its boundary and coloured by remediation type (ZZLX, the colours of
  ``resources/remediation_types.json`` on the bundled ``parcels.qml``), the unit outline bold,
  neighbouring units and parcels faint;
* a legend of the types present in the unit (with their tagged area), the unit boundary and
  the other units; a scale bar in metres, the numeric scale and a north arrow;
* the unit's 整治前后土地利用结构调整表 (三大类 and 一级类 rows of :func:`core.report.structure_rows`,
  before / after / change in 公顷 and 亩 — the same numbers as the XLSX report) and the
  indicator verdicts of the rule pack, coloured;
* a footer with the rule pack, the date, the plugin version and the map's CRS.

Why memory layers: the map shows the engine's view (unit geometries in the working CRS,
parcels clipped at the boundary), never touches the planner's own layers or their styles, and
works the same for a GeoPackage, a shapefile or an edited layer. The layers live in a private
``QgsProject`` that is cleared when the maps are written.

Language: ``chinese`` chooses the language of the page whatever the interface language (like
the XLSX report): the texts are ``tr()`` strings looked up in the bundled zh_CN translation.

Layouts must be built and exported on the main thread (the Processing algorithm declares
``FlagNoThreading``).
"""
from __future__ import annotations

import contextlib
import datetime as _dt
import os
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Hashable, Iterator, Sequence

import numpy as np
import shapely
from qgis.core import (
    QgsBasicNumericFormat,
    QgsCategorizedSymbolRenderer,
    QgsCoordinateTransform,
    QgsFeature,
    QgsFeatureRequest,
    QgsFillSymbol,
    QgsGeometry,
    QgsLayoutExporter,
    QgsLayoutFrame,
    QgsLayoutItemLabel,
    QgsLayoutItemLegend,
    QgsLayoutItemManualTable,
    QgsLayoutItemMap,
    QgsLayoutItemPage,
    QgsLayoutItemPicture,
    QgsLayoutItemScaleBar,
    QgsLayoutMeasurement,
    QgsLayoutPoint,
    QgsLayoutSize,
    QgsLayoutTable,
    QgsLayoutTableColumn,
    QgsLayoutUtils,
    QgsLegendRenderer,
    QgsLegendStyle,
    QgsPalLayerSettings,
    QgsPrintLayout,
    QgsProject,
    QgsRectangle,
    QgsRendererCategory,
    QgsSingleSymbolRenderer,
    QgsTableCell,
    QgsTextFormat,
    QgsVectorLayer,
    QgsVectorLayerSimpleLabeling,
)
from qgis.PyQt.QtCore import QFile, Qt, QTranslator
from qgis.PyQt.QtGui import QColor, QFont

from ..core import i18n
from ..core.areas import HECTARE_M2, MU_M2
from ..core.engine import BalanceEngine, clean_geometry
from ..core.i18n import tr
from ..core.report import structure_rows
from ..core.resources import resource_path
from ..core.selection import UnknownUnitsError, units_by_code
from ..core.verdicts import NOT_ASSESSABLE, NOT_PLANNED, unit_state
from .export.metadata import plugin_version
from .export.plan import safe_file_stem
from .export.progress import ExportCancelled
from .gpkg import WriteError, fsync_file
from .layers import InputError, Inputs, feature_wkb, parcel_fields, parse_wkb, transform_to, working_crs
from .outputs import register, remove_leftovers, temp_prefix, unregister
from .qgis_compat import (
    DISTANCE_METERS,
    LABEL_OVER_POINT,
    LAYOUT_MILLIMETERS,
    RENDER_POINTS,
    REQUEST_NO_GEOMETRY,
    make_field,
    set_label_font,
    set_legend_style_font,
)
from .report_xlsx import indicator_table
from .styles import label_font_family, load_style, remediation_colours

# A3 landscape, millimetres.
PAGE_W, PAGE_H, MARGIN = 420.0, 297.0, 10.0
MAP_RECT = (MARGIN, 24.0, 238.0, 246.0)  # x, y, w, h
SIDE_X, SIDE_W = 256.0, 154.0
FOOTER_Y = 274.0
TABLE_PT = 7.0
#: Round scale denominators (× 10^k) and scale-bar segment lengths (× 10^k metres).
NICE_STEPS = (1.0, 1.5, 2.0, 2.5, 3.0, 4.0, 5.0, 6.0, 7.5, 8.0)
SEGMENT_STEPS = (1.0, 2.0, 2.5, 5.0)
NORTH_ARROWS = (":/images/north_arrows/layout_default_north_arrow.svg", "/usr/share/qgis/svg/arrows/NorthArrow_02.svg")
UNTAGGED_COLOUR = "#ffffff"
UNIT_COLOUR = QColor(200, 30, 30)
PASS_COLOUR, FAIL_COLOUR, WARN_COLOUR, NA_COLOUR = "#2e7d32", "#c62828", "#e67e22", "#7f8c8d"
#: Text drawn on maps must be a real .qm lookup even when the interface is English.
_QM_NAME = "land_consolidation_zh_CN.qm"


@dataclass
class _Unit:
    uid: Hashable
    code: str
    name: str


# --------------------------------------------------------------------------- language
@contextlib.contextmanager
def page_language(chinese: bool) -> Iterator[None]:
    """Route :func:`tr` to zh_CN (``chinese``) or to the English source while a page is built."""
    previous = i18n._translate
    if chinese:
        translator = QTranslator()
        from ..paths import I18N_DIR

        loaded = translator.load(str(Path(I18N_DIR) / _QM_NAME))

        def translate(context: str, text: str) -> str:
            return (translator.translate(context, text) or text) if loaded else previous(context, text)
    else:
        def translate(_context: str, text: str) -> str:
            return text
    i18n.install(translate)
    try:
        yield
    finally:
        i18n.install(previous)


# --------------------------------------------------------------------------- small helpers
def _font(size: float, bold: bool = False) -> QFont:
    font = QFont(label_font_family())
    font.setPointSizeF(size)
    font.setBold(bold)
    return font


def _text_format(size: float, bold: bool = False, colour: QColor | str = "#000000") -> QgsTextFormat:
    fmt = QgsTextFormat()
    fmt.setFont(_font(size, bold))
    fmt.setSize(size)
    fmt.setSizeUnit(RENDER_POINTS)
    fmt.setColor(QColor(colour))
    return fmt


def _qgs(geom) -> QgsGeometry:
    g = QgsGeometry()
    if geom is not None and not geom.is_empty:
        g.fromWkb(shapely.to_wkb(geom, output_dimension=2))
    return g


def _nice(value: float, steps: Sequence[float]) -> float:
    """The smallest ``step × 10^k`` not below ``value``."""
    if value <= 0:
        return steps[0]
    k = int(np.floor(np.log10(value)))
    for exp in (k, k + 1):
        for step in steps:
            if step * 10 ** exp >= value * (1 - 1e-9):
                return step * 10 ** exp
    return steps[0] * 10 ** (k + 1)


def nice_scale(scale: float) -> int:
    """The smallest round scale denominator (1:2 000, 1:2 500, 1:3 000 …) not below ``scale``, at least 500."""
    return int(round(_nice(max(scale, 500.0), NICE_STEPS)))


def _north_arrow_path() -> str:
    for path in NORTH_ARROWS:
        if QFile.exists(path):
            return path
    return ""


def _unit_names(engine: BalanceEngine, inputs: Inputs, codes: Sequence[str] | None) -> list[_Unit]:
    from ..core.fields import resolve_unit_fields

    try:
        by_code = units_by_code(engine, codes)
    except UnknownUnitsError as exc:
        raise InputError(str(exc)) from None
    uids = [u for ids in by_code.values() for u in ids]
    name_field = resolve_unit_fields(inputs.units.fields().names(), inputs.unit_field).get("DYMC")
    names: dict[Hashable, str] = {}
    if name_field:
        request = QgsFeatureRequest().setFilterFids(list(uids)).setFlags(REQUEST_NO_GEOMETRY)
        request.setSubsetOfAttributes([name_field], inputs.units.fields())
        for f in inputs.units.getFeatures(request):
            value = f[name_field]
            names[f.id()] = "" if value is None or (hasattr(value, "isNull") and value.isNull()) else str(value)
    return [_Unit(uid, engine.unit_code(uid), names.get(uid, "")) for uid in uids]


def _targets(units: list[_Unit], out: Path, fmt: str) -> tuple[list[Path], bool]:
    """(one path per unit, or the single multi-page PDF; True for a single file)."""
    if fmt == "pdf" and out.suffix.lower() == ".pdf":
        if not out.parent.is_dir():
            raise WriteError(tr("The folder {0} does not exist.").format(out.parent))
        return [out], True
    if out.exists() and not out.is_dir():
        raise InputError(tr("For one map per unit, the output must be a folder: {0}").format(out))
    out.mkdir(parents=True, exist_ok=True)
    taken: dict[str, int] = {}
    paths = []
    for unit in units:
        stem = safe_file_stem(unit.code)
        n = taken.get(stem.lower(), 0) + 1
        taken[stem.lower()] = n
        paths.append(out / (f"{stem}.{fmt}" if n == 1 else f"{stem}_{n}.{fmt}"))
    return paths, False


# --------------------------------------------------------------------------- map layers
class _MapLayers:
    """The memory layers of one unit's map, owned by ``project``."""

    def __init__(self, project: QgsProject, engine: BalanceEngine, inputs: Inputs, unit: _Unit, chinese: bool):
        self.crs = working_crs(inputs.parcels)
        self.engine, self.unit = engine, unit
        geom = engine.units[unit.uid].geom
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
        pids = sorted(self.engine.unit_parcels.get(self.unit.uid, ()))
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
            f.setGeometry(_qgs(geom))
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
        for uid, u in self.engine.units.items():
            if uid == self.unit.uid or u.geom is None or not u.geom.intersects(box):
                continue
            f = QgsFeature(self.others.fields())
            f.setGeometry(_qgs(u.geom))
            f.setAttribute(0, u.code)
            others.append(f)
        self.others.dataProvider().addFeatures(others)
        f = QgsFeature()
        f.setGeometry(_qgs(self.unit_geom))
        self.outline.dataProvider().addFeatures([f])
        for layer in self.layers():
            layer.updateExtents()

    def _style(self, chinese: bool) -> None:
        load_style(self.parcels, resource_path("styles", "parcels.qml"))
        renderer = self.parcels.renderer()
        existing = renderer.categories() if isinstance(renderer, QgsCategorizedSymbolRenderer) else []
        base = existing[0].symbol().clone() if existing else QgsFillSymbol.createSimple({})
        known = {code: (zh if chinese else en, colour) for code, zh, en, colour in remediation_colours()}
        areas = self.engine.type_areas(self.unit.uid)
        ha = tr("ha")
        categories = []
        for kind in self.present:
            symbol = base.clone()
            if kind is None:
                symbol.symbolLayer(0).setColor(QColor(UNTAGGED_COLOUR))
                symbol.symbolLayer(0).setStrokeColor(QColor(150, 150, 150))
                categories.append(QgsRendererCategory(None, symbol, tr("Untagged (class unchanged)")))
                continue
            name, colour = known.get(kind, (kind, "#bdbdbd"))
            symbol.symbolLayer(0).setColor(QColor(colour))
            symbol.symbolLayer(0).setStrokeColor(QColor(colour).darker(150))
            label = f"{kind} {name}" if name != kind else kind
            if areas.get(kind):
                label += f"  {areas[kind] / HECTARE_M2:,.2f} {ha}"
            categories.append(QgsRendererCategory(kind, symbol, label))
        self.parcels.setRenderer(QgsCategorizedSymbolRenderer("ZZLX", categories))
        self.context.setRenderer(QgsSingleSymbolRenderer(QgsFillSymbol.createSimple({
            "color": "255,255,255,0", "outline_color": "190,190,190,255", "outline_width": "0.08"})))
        self.others.setRenderer(QgsSingleSymbolRenderer(QgsFillSymbol.createSimple({
            "color": "255,255,255,0", "outline_color": "120,120,120,255", "outline_width": "0.4",
            "outline_style": "dash"})))
        self.outline.setRenderer(QgsSingleSymbolRenderer(QgsFillSymbol.createSimple({
            "color": "255,255,255,0", "outline_color": "200,30,30,255", "outline_width": "1.0"})))
        settings = QgsPalLayerSettings()
        settings.fieldName = "DYBH"
        settings.setFormat(_text_format(9, False, "#777777"))
        settings.placement = LABEL_OVER_POINT
        self.others.setLabeling(QgsVectorLayerSimpleLabeling(settings))
        self.others.setLabelsEnabled(True)


# --------------------------------------------------------------------------- page
class _Page:
    """The items of one unit's page (kept for the tests: map, legend, tables …)."""

    def __init__(self, layout: QgsPrintLayout, page: int, engine: BalanceEngine, layers: _MapLayers,
                 chinese: bool, footer: str):
        self.layout, self.page, self.engine, self.layers = layout, page, engine, layers
        self.unit = layers.unit
        self._side: list[tuple[object, float, float]] = []  # (item, height, gap above) in the side column
        self._title()
        self._map()
        self._legend()
        self._structure_table(chinese)
        self._indicator_table(chinese)
        self._stack_side()
        self._footer(footer)

    def _stack_side(self) -> None:
        """Legend, structure table and indicator table down the side column; when they do not fit
        above the footer, the legend goes into the map's lower right corner instead."""
        bottom = FOOTER_Y - 2.0
        items = self._side
        total = sum(h + gap for _item, h, gap in items)
        if MAP_RECT[1] + total > bottom:
            legend_h = items[0][1]
            x, y, w, h = MAP_RECT
            self.legend.setBackgroundEnabled(True)
            self.legend.setBackgroundColor(QColor(255, 255, 255, 230))
            self._place(self.legend, x + w - self.legend.sizeWithUnits().width() - 2.0, y + h - legend_h - 2.0)
            items = items[1:]
        y = MAP_RECT[1]
        for item, height, gap in items:
            y += gap if y > MAP_RECT[1] else 0.0
            self._place(item, SIDE_X, y)
            y += height

    def _place(self, item, x: float, y: float, w: float | None = None, h: float | None = None) -> None:
        if w is not None and h is not None:
            item.attemptResize(QgsLayoutSize(w, h, LAYOUT_MILLIMETERS))
        item.attemptMove(QgsLayoutPoint(x, y, LAYOUT_MILLIMETERS), True, False, self.page)

    def _label(self, text: str, x: float, y: float, w: float, h: float, size: float, bold: bool = False,
               align=Qt.AlignLeft, colour: str = "#000000") -> QgsLayoutItemLabel:
        label = QgsLayoutItemLabel(self.layout)
        label.setText(text)
        set_label_font(label, _font(size, bold), QColor(colour))
        label.setHAlign(align)
        label.setVAlign(Qt.AlignVCenter)
        self.layout.addLayoutItem(label)
        self._place(label, x, y, w, h)
        return label

    def _title(self) -> None:
        unit = self.unit
        text = tr("{code} {name} consolidation plan map").format(code=unit.code, name=unit.name).replace("  ", " ")
        self.title = self._label(text, MARGIN, 7.0, PAGE_W - 2 * MARGIN, 14.0, 20, True, Qt.AlignHCenter)

    def _map(self) -> None:
        x, y, w, h = MAP_RECT
        m = QgsLayoutItemMap(self.layout)
        m.setCrs(self.layers.crs)
        m.setLayers(self.layers.layers())
        m.setKeepLayerSet(True)
        m.setFrameEnabled(True)
        m.setFrameStrokeWidth(QgsLayoutMeasurement(0.4, LAYOUT_MILLIMETERS))
        m.setBackgroundColor(QColor("#ffffff"))
        self.layout.addLayoutItem(m)
        self._place(m, x, y, w, h)
        m.zoomToExtent(self.layers.extent)
        self.scale = nice_scale(m.scale())
        m.setScale(self.scale)
        self.map = m
        # north arrow, top right inside the map
        arrow = QgsLayoutItemPicture(self.layout)
        arrow.setPicturePath(_north_arrow_path())
        arrow.setLinkedMap(m)
        arrow.setBackgroundEnabled(True)
        arrow.setBackgroundColor(QColor(255, 255, 255, 210))
        self.layout.addLayoutItem(arrow)
        self._place(arrow, x + w - 20.0, y + 4.0, 16.0, 22.0)
        self.north_arrow = arrow
        # scale bar + numeric scale, bottom left inside the map
        bar = QgsLayoutItemScaleBar(self.layout)
        bar.setStyle("Single Box")
        bar.setLinkedMap(m)
        bar.setUnits(DISTANCE_METERS)
        bar.setMapUnitsPerScaleBarUnit(1.0)
        bar.setUnitLabel(tr("m"))
        bar.setNumberOfSegmentsLeft(0)
        bar.setNumberOfSegments(4)
        segment = _nice(self.scale * 0.012, SEGMENT_STEPS)  # about 12 mm on paper a segment
        bar.setUnitsPerSegment(float(segment))
        bar.setHeight(2.5)
        bar.setTextFormat(_text_format(8))
        bar.setBackgroundEnabled(True)
        bar.setBackgroundColor(QColor(255, 255, 255, 210))
        self.layout.addLayoutItem(bar)
        bar.update()
        self._place(bar, x + 4.0, y + h - 16.0)
        self.scale_bar = bar
        self.scale_text = self._label(tr("Scale 1:{0}").format(f"{self.scale:,}".replace(",", " ")),
                                      x + 4.0, y + h - 23.0, 50.0, 6.0, 9)
        self.scale_text.setBackgroundEnabled(True)
        self.scale_text.setBackgroundColor(QColor(255, 255, 255, 210))

    def _legend(self) -> None:
        legend = QgsLayoutItemLegend(self.layout)
        legend.setTitle(tr("Legend"))
        legend.setLinkedMap(self.map)
        legend.setAutoUpdateModel(False)
        root = legend.model().rootGroup()
        root.removeAllChildren()
        for layer in (self.layers.parcels, self.layers.outline, self.layers.others):
            if layer is not self.layers.others or layer.featureCount():
                root.addLayer(layer)
        set_legend_style_font(legend, QgsLegendStyle.Title, _font(11, True))
        set_legend_style_font(legend, QgsLegendStyle.Group, _font(9, True))
        set_legend_style_font(legend, QgsLegendStyle.Subgroup, _font(9, True))
        set_legend_style_font(legend, QgsLegendStyle.SymbolLabel, _font(8.5))
        legend.setSymbolHeight(4.0)
        legend.setSymbolWidth(7.0)
        legend.setColumnCount(1)
        legend.setFrameEnabled(True)
        legend.setFrameStrokeWidth(QgsLayoutMeasurement(0.2, LAYOUT_MILLIMETERS))
        legend.setResizeToContents(True)
        self.layout.addLayoutItem(legend)
        self._place(legend, SIDE_X, MAP_RECT[1])
        # The item sizes itself when first painted; measure now to place the tables below it.
        context = QgsLayoutUtils.createRenderContextForLayout(self.layout, None)
        size = QgsLegendRenderer(legend.model(), legend.legendSettings()).minimumSize(context)
        legend.attemptResize(QgsLayoutSize(size.width(), size.height(), LAYOUT_MILLIMETERS))
        self.legend = legend
        self._side.append((legend, size.height(), 0.0))

    def _table(self, title: str, headers: list[str], rows: list[list[QgsTableCell]],
               widths: list[float]) -> QgsLayoutItemManualTable:
        label = self._label(title, SIDE_X, 0.0, SIDE_W, 6.0, 10, True)
        self._side.append((label, 6.5, 5.0))
        table = QgsLayoutItemManualTable.create(self.layout)
        self.layout.addMultiFrame(table)
        table.setHeaders([QgsLayoutTableColumn(h) for h in headers])
        table.setIncludeTableHeader(True)
        table.setHeaderTextFormat(_text_format(TABLE_PT, True))
        table.setContentTextFormat(_text_format(TABLE_PT))
        table.setHeaderHAlignment(QgsLayoutTable.HeaderCenter)
        table.setCellMargin(0.6)
        table.setGridStrokeWidth(0.15)
        table.setGridColor(QColor("#555555"))
        table.setWrapBehavior(QgsLayoutTable.WrapText)
        table.setColumnWidths(widths)
        table.setTableContents(rows)
        frame = QgsLayoutFrame(self.layout, table)
        frame.attemptResize(QgsLayoutSize(SIDE_W, 200.0, LAYOUT_MILLIMETERS))
        table.addFrame(frame)
        table.refreshAttributes()
        height = self._table_height(table, headers, rows)
        frame.attemptResize(QgsLayoutSize(SIDE_W, height, LAYOUT_MILLIMETERS))
        self._side.append((frame, height, 0.0))
        return table

    def _table_height(self, table: QgsLayoutItemManualTable, headers: list[str],
                      rows: list[list[QgsTableCell]]) -> float:
        """The table's height in mm as QgsLayoutTable lays rows out (its own totalHeight() is the
        frames' height in 3.22): per row the font ascent of the tallest cell (one more line height per
        extra line) + 2 cell margins, plus the grid lines. Checked against rendered grid lines."""

        def text_mm(fmt: QgsTextFormat, text: str) -> float:
            font = QFont(fmt.font())
            font.setPointSizeF(fmt.size())
            lines = str(text).count("\n")
            return QgsLayoutUtils.fontAscentMM(font) + lines * QgsLayoutUtils.fontHeightMM(font)

        header_fmt, content_fmt = table.headerTextFormat(), table.contentTextFormat()
        heights = [max(text_mm(header_fmt, h) for h in headers)]
        for row in rows:
            heights.append(max(text_mm(c.textFormat() if c.textFormat().isValid() else content_fmt,
                                       c.content() if isinstance(c.content(), str) else "0") for c in row))
        grid = table.gridStrokeWidth() if table.showGrid() else 0.0
        return sum(heights) + len(heights) * 2 * table.cellMargin() + (len(heights) + 1) * grid + 0.5

    def _structure_table(self, chinese: bool) -> None:
        rows = [r for r in structure_rows(self.engine, self.unit.uid, chinese) if r.level < 2]
        number = QgsBasicNumericFormat()
        number.setNumberDecimalPlaces(2)
        number.setShowTrailingZeros(True)
        number.setShowThousandsSeparator(True)
        signed = QgsBasicNumericFormat(number)
        signed.setShowPlusSign(True)
        bold = _text_format(TABLE_PT, True)
        cells = []
        self.structure_values: list[tuple[str, list[float]]] = []
        for i, r in enumerate(rows):
            total = i == len(rows) - 1
            top = r.level == 0
            name = r.name if top else "　" + r.name
            values = [r.before_m2 / HECTARE_M2, r.after_m2 / HECTARE_M2, r.change_m2 / HECTARE_M2,
                      r.before_m2 / MU_M2, r.after_m2 / MU_M2, r.change_m2 / MU_M2]
            self.structure_values.append((r.name, values))
            row = [QgsTableCell(name)]
            for k, v in enumerate(values):
                cell = QgsTableCell(float(v))
                cell.setNumericFormat(QgsBasicNumericFormat(signed if k in (2, 5) else number))
                cell.setHorizontalAlignment(Qt.AlignRight)
                # no red/green by sign: less 建设用地 is the aim, not a warning
                row.append(cell)
            for cell in row:
                if top:
                    cell.setBackgroundColor(QColor("#eeeeee") if not total else QColor("#dde6f0"))
                    cell.setTextFormat(QgsTextFormat(bold))
            cells.append(row)
        ha, mu = tr("ha"), tr("mu")
        units_row = [QgsTableCell(tr("Area unit"))] + [QgsTableCell(u) for u in (ha, ha, ha, mu, mu, mu)]
        for cell in units_row:
            cell.setTextFormat(_text_format(TABLE_PT, False, "#555555"))
            cell.setHorizontalAlignment(Qt.AlignHCenter)
        cells.insert(0, units_row)
        self.structure_first_row = 1  # rows of structure_values start after the units row
        headers = [tr("Land class"), tr("Before"), tr("After"), tr("Change"), tr("Before"), tr("After"),
                   tr("Change")]
        title = tr("Land-use structure before and after consolidation")
        self.structure_table = self._table(title, headers, cells, [36.0] + [17.5] * 6)

    def _indicator_table(self, chinese: bool) -> None:
        results = self.engine.evaluate(self.unit.uid)
        rows = indicator_table(self.engine, self.unit.uid, chinese, ratio=False)
        cells = []
        for res, (name, value, unit, requirement, verdict, _sev, _src) in zip(results, rows):
            rule = self.engine.pack.rule(res.rule_id)
            if value is None:
                shown = "—"
            elif unit == "%":
                shown = f"{value:.2f}%"
            else:
                shown = f"{value:,.2f} {unit}".strip()
            colour = {True: PASS_COLOUR, None: NA_COLOUR}.get(
                res.passed, FAIL_COLOUR if rule.severity == "error" else WARN_COLOUR)
            v = QgsTableCell(verdict)
            v.setTextFormat(_text_format(TABLE_PT, True, colour))
            v.setHorizontalAlignment(Qt.AlignHCenter)
            value_cell = QgsTableCell(shown)
            value_cell.setHorizontalAlignment(Qt.AlignRight)
            requirement_cell = QgsTableCell(requirement)
            requirement_cell.setHorizontalAlignment(Qt.AlignHCenter)
            cells.append([QgsTableCell(name), value_cell, requirement_cell, v])
        state = unit_state(self.engine, self.unit.uid, results)  # the same verdict as the workbench's
        if state == NOT_ASSESSABLE:
            verdict = tr("Not assessable: the input data did not pass validation")
        elif state == NOT_PLANNED:
            verdict = tr("Not planned: no parcel of this unit is tagged yet")
        else:
            status = self.engine.unit_status(self.unit.uid)
            verdict = {True: tr("Unit passes every binding indicator"), False: tr("Unit fails a binding indicator"),
                       None: tr("No binding indicator applies")}[status]
        title = tr("Indicators") + "  —  " + verdict
        headers = [tr("Indicator"), tr("Value"), tr("Requirement"), tr("Result")]
        self.indicator_table = self._table(title, headers, cells, [70.0, 25.0, 28.0, 22.0])

    def _footer(self, text: str) -> None:
        self.footer = self._label(text, MARGIN, FOOTER_Y, PAGE_W - 2 * MARGIN, 12.0, 8, False, Qt.AlignLeft,
                                  "#444444")


def _footer_text(engine: BalanceEngine, crs, chinese: bool) -> str:
    pack = engine.pack
    crs_text = f"{crs.authid()} {crs.description()}".strip()
    return tr("Rule pack: {pack} ({version})   Date: {date}   Plugin version: {plugin}   "
              "Coordinate reference system: {crs}").format(
        pack=pack.name(chinese), version=pack.version, date=_dt.date.today().isoformat(),
        plugin=plugin_version(), crs=crs_text)


def _new_layout(project: QgsProject, pages: int, name: str) -> QgsPrintLayout:
    layout = QgsPrintLayout(project)
    layout.initializeDefaults()
    layout.setName(name)
    collection = layout.pageCollection()
    collection.page(0).setPageSize("A3", QgsLayoutItemPage.Landscape)
    for _ in range(pages - 1):
        page = QgsLayoutItemPage(layout)
        page.setPageSize("A3", QgsLayoutItemPage.Landscape)
        collection.addPage(page)
    return layout


def _export(layout: QgsPrintLayout, target: Path, fmt: str, dpi: float) -> None:
    """Export into a temporary file next to ``target`` and move it into place."""
    remove_leftovers(target.parent)
    fd, tmp = tempfile.mkstemp(prefix=temp_prefix(target), suffix=f".partial.{fmt}", dir=target.parent)
    os.close(fd)
    register(tmp)
    try:
        exporter = QgsLayoutExporter(layout)
        if fmt == "pdf":
            settings = QgsLayoutExporter.PdfExportSettings()
            settings.dpi = dpi
            settings.rasterizeWholeImage = False
            settings.forceVectorOutput = True
            settings.appendGeoreference = True
            result = exporter.exportToPdf(tmp, settings)
        else:
            settings = QgsLayoutExporter.ImageExportSettings()
            settings.dpi = dpi
            settings.generateWorldFile = False
            result = exporter.exportToImage(tmp, settings)
        if result != QgsLayoutExporter.Success:
            raise WriteError(tr("Cannot write the map {0}: {1}").format(target, exporter.errorMessage()
                                                                         or f"error {result}"))
        mask = os.umask(0)
        os.umask(mask)
        os.chmod(tmp, 0o666 & ~mask)  # mkstemp makes 0600; a map is for sharing
        fsync_file(Path(tmp))
        os.replace(tmp, target)
    except OSError as exc:
        raise WriteError(tr("Cannot write the map {0}: {1}").format(target, exc)) from exc
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
        unregister(tmp)


# --------------------------------------------------------------------------- public entry
def write_unit_maps(engine: BalanceEngine, inputs: Inputs, out, units: Sequence[str] | None = None,
                    chinese: bool = True, fmt: str = "pdf", feedback=None, dpi: float = 150.0,
                    keep_layouts: list | None = None, timings: dict | None = None) -> list[Path]:
    """Write an A3 plan map of each unit (or of the unit codes ``units``); return the files.

    ``out`` is a folder (one ``<code>.pdf`` / ``<code>.png`` per unit) or, for PDF, a file
    ``*.pdf`` (one page per unit). ``fmt`` is ``"pdf"`` or ``"png"``; ``dpi`` is the raster
    resolution (PNG, and the rasterised parts of a PDF). ``feedback`` (a QgsFeedback) gives
    progress and cancellation (:class:`~.export.ExportCancelled`; files already written stay).
    ``keep_layouts`` (tests): a list that receives ``(project, layout, [pages])`` instead of the
    layout being deleted; the caller must then clear the project and drop the layout itself. ``timings``: filled
    with seconds per unit code.
    """
    fmt = fmt.lower().lstrip(".")
    if fmt not in ("pdf", "png"):
        raise InputError(tr("Unknown map format {0}: use pdf or png.").format(fmt))
    out = Path(out).expanduser().resolve()
    with page_language(chinese):
        chosen = _unit_names(engine, inputs, units)
        targets, single = _targets(chosen, out, fmt)
        written: list[Path] = []
        project = QgsProject()
        crs = working_crs(inputs.parcels)
        project.setCrs(crs)
        footer = _footer_text(engine, crs, chinese)
        layout = None
        try:
            if single:
                layout = _new_layout(project, len(chosen), tr("Unit maps"))
                pages = []
            for i, unit in enumerate(chosen):
                if feedback is not None and feedback.isCanceled():
                    raise ExportCancelled(tr("Map export cancelled."))
                started = time.perf_counter()
                layers = _MapLayers(project, engine, inputs, unit, chinese)
                if single:
                    pages.append(_Page(layout, i, engine, layers, chinese, footer))
                else:
                    layout = _new_layout(project, 1, unit.code)
                    page = _Page(layout, 0, engine, layers, chinese, footer)
                    _export(layout, targets[i], fmt, dpi)
                    written.append(targets[i])
                    if keep_layouts is not None:
                        keep_layouts.append((project, layout, [page]))
                    else:
                        del page
                        layout = None
                        project.removeMapLayers([lyr.id() for lyr in layers.layers()])
                if timings is not None:
                    timings[unit.code] = time.perf_counter() - started
                if feedback is not None:
                    feedback.setProgress(100.0 * (i + 1) / max(1, len(chosen)))
            if single and chosen:
                _export(layout, targets[0], fmt, dpi)
                written.append(targets[0])
                if keep_layouts is not None:
                    keep_layouts.append((project, layout, pages))
        finally:
            if keep_layouts is None:
                layout = None
                project.removeAllMapLayers()
                project.clear()
    return written
