"""One unit's page of the plan map (A3 landscape): title, map with north arrow and scale bar,
legend, the land-use structure table, the indicator verdicts and the unit's 集中连片 numbers,
footer (see ``unit_maps``)."""
from __future__ import annotations

from typing import Sequence

import numpy as np
from qgis.core import (
    QgsBasicNumericFormat,
    QgsLayoutFrame,
    QgsLayoutItemLabel,
    QgsLayoutItemLegend,
    QgsLayoutItemManualTable,
    QgsLayoutItemMap,
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
    QgsPrintLayout,
    QgsTableCell,
    QgsTextFormat,
)
from qgis.PyQt.QtCore import QFile, Qt
from qgis.PyQt.QtGui import QColor, QFont

from ..core.areas import HECTARE_M2, MU_M2
from ..core.contiguity_report import layer_name
from ..core.engine import BalanceEngine
from ..core.i18n import tr
from ..core.report import structure_rows
from ..core.verdicts import NOT_ASSESSABLE, NOT_PLANNED, unit_state
from .qgis_compat import DISTANCE_METERS, LAYOUT_MILLIMETERS, set_label_font, set_legend_style_font
from .report_xlsx import indicator_table
from .unit_map_layers import MapLayers, font, text_format

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
CONTIGUITY_LAYERS = ("farmland_before", "farmland_after")
BLOCK_W, BLOCK_PT = 56.0, 8.0  # the 集中连片 block: width (mm) and text size (points)
PASS_COLOUR, FAIL_COLOUR, WARN_COLOUR, NA_COLOUR = "#2e7d32", "#c62828", "#e67e22", "#7f8c8d"


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


class Page:
    """The items of one unit's page (kept for the tests: map, legend, tables …)."""

    def __init__(self, layout: QgsPrintLayout, page: int, engine: BalanceEngine, layers: MapLayers,
                 chinese: bool, footer: str, contiguity=None):
        self.layout, self.page, self.engine, self.layers = layout, page, engine, layers
        self.unit = layers.unit
        self._side: list[tuple[object, float, float]] = []  # (item, height, gap above) in the side column
        self._block: list[tuple[object, float, float]] = []  # the 集中连片 block's title and body
        self._title()
        self._map()
        self._legend()
        self._structure_table(chinese)
        self._indicator_table(chinese)
        if contiguity is not None:
            self._contiguity(contiguity, chinese)
        self._stack_side()
        self._footer(footer)

    def _stack_side(self) -> None:
        """Legend, structure table and indicator table down the side column, the 集中连片 block beside
        the legend when it fits there (else after the tables); when they do not fit above the footer,
        the legend goes into the map's lower right corner instead."""
        bottom = FOOTER_Y - 2.0
        legend, legend_h, _gap = self._side[0]
        tables, block = self._side[1:], self._block
        # right-aligned, with room to spare: QGIS 3.40 widens the legend a few mm when it paints it
        beside_x = SIDE_X + SIDE_W - BLOCK_W
        beside = bool(block) and SIDE_X + legend.sizeWithUnits().width() + 10.0 <= beside_x
        block_h = sum(h + gap for _item, h, gap in block) - (block[0][2] if block else 0.0)
        top_h = max(legend_h, block_h) if beside else legend_h
        column = tables if beside else tables + block
        if MAP_RECT[1] + top_h + sum(h + gap for _item, h, gap in column) > bottom:
            x, y, w, h = MAP_RECT
            self.legend.setBackgroundEnabled(True)
            self.legend.setBackgroundColor(QColor(255, 255, 255, 230))
            self._place(self.legend, x + w - self.legend.sizeWithUnits().width() - 2.0, y + h - legend_h - 2.0)
            self._stack(SIDE_X, MAP_RECT[1], tables + block)
            return
        self._place(legend, SIDE_X, MAP_RECT[1])
        if beside:
            self._stack(beside_x, MAP_RECT[1], block)
        self._stack(SIDE_X, MAP_RECT[1] + top_h, column, gap_first=True)

    def _stack(self, x: float, y: float, items, gap_first: bool = False) -> None:
        for k, (item, height, gap) in enumerate(items):
            y += gap if (k or gap_first) else 0.0
            self._place(item, x, y)
            y += height

    def _place(self, item, x: float, y: float, w: float | None = None, h: float | None = None) -> None:
        if w is not None and h is not None:
            item.attemptResize(QgsLayoutSize(w, h, LAYOUT_MILLIMETERS))
        item.attemptMove(QgsLayoutPoint(x, y, LAYOUT_MILLIMETERS), True, False, self.page)

    def _label(self, text: str, x: float, y: float, w: float, h: float, size: float, bold: bool = False,
               align=Qt.AlignLeft, colour: str = "#000000") -> QgsLayoutItemLabel:
        label = QgsLayoutItemLabel(self.layout)
        label.setText(text)
        set_label_font(label, font(size, bold), QColor(colour))
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
        bar.setTextFormat(text_format(8))
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
        set_legend_style_font(legend, QgsLegendStyle.Title, font(11, True))
        set_legend_style_font(legend, QgsLegendStyle.Group, font(9, True))
        set_legend_style_font(legend, QgsLegendStyle.Subgroup, font(9, True))
        set_legend_style_font(legend, QgsLegendStyle.SymbolLabel, font(8.5))
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
        table.setHeaderTextFormat(text_format(TABLE_PT, True))
        table.setContentTextFormat(text_format(TABLE_PT))
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
        bold = text_format(TABLE_PT, True)
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
            cell.setTextFormat(text_format(TABLE_PT, False, "#555555"))
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
            v.setTextFormat(text_format(TABLE_PT, True, colour))
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

    def _contiguity(self, contiguity, chinese: bool) -> None:
        """The unit's farmland patches before and after (count, largest, area in 百亩方 … blocks),
        the numbers of ``Contiguity.stats`` as in the XLSX report (docs/domain-contiguity.md). A narrow
        block: beside the legend where there is room, else down the side column."""
        stats = contiguity.stats(self.unit.uid)
        lines = []
        self.contiguity_values: dict[str, tuple] = {}  # layer: (count, largest 亩, ((block id, count, 亩), …))
        for layer in CONTIGUITY_LAYERS:
            s = stats[layer]
            self.contiguity_values[layer] = (s.count, s.largest / MU_M2,
                                             tuple((b.id, n, area / MU_M2) for b, n, area in s.blocks))
            lines.append(layer_name(layer, chinese))
            lines.append("　" + tr("{count} patches, largest {largest} mu").format(
                count=s.count, largest=f"{s.largest / MU_M2:,.1f}"))
            lines += ["　" + tr("{block}: {count} ({area} mu)").format(
                block=b.name(chinese), count=n, area=f"{area / MU_M2:,.1f}") for b, n, area in s.blocks]
        title = self._label(tr("Contiguity of farmland"), SIDE_X, 0.0, BLOCK_W, 6.0, 10, True)
        height = QgsLayoutUtils.fontHeightMM(font(BLOCK_PT)) * 1.1 * len(lines) + 3.0
        body = self._label("\n".join(lines), SIDE_X, 0.0, BLOCK_W, height, BLOCK_PT)
        body.setVAlign(Qt.AlignTop)
        body.setMarginX(1.5)
        body.setMarginY(1.0)
        body.setFrameEnabled(True)
        body.setFrameStrokeWidth(QgsLayoutMeasurement(0.15, LAYOUT_MILLIMETERS))
        self.contiguity_label = body
        self._block = [(title, 6.5, 5.0), (body, height, 0.0)]

    def _footer(self, text: str) -> None:
        self.footer = self._label(text, MARGIN, FOOTER_Y, PAGE_W - 2 * MARGIN, 12.0, 8, False, Qt.AlignLeft,
                                  "#444444")
