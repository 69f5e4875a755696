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
* the unit's 集中连片: farmland patches before and after, the largest, and the area in the pack's
  blocks (百亩方 / 千亩方 / 万亩方), the numbers of the XLSX report (docs/domain-contiguity.md);
* a footer with the rule pack, the date, the plugin version and the map's CRS.

The map's layers are built in ``unit_map_layers`` (memory layers in a private project), the
page's items in ``unit_map_page``; this module chooses the units and files, and writes them.

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

from qgis.core import QgsFeatureRequest, QgsLayoutExporter, QgsLayoutItemPage, QgsPrintLayout, QgsProject
from qgis.PyQt.QtCore import QTranslator

from ..core import i18n
from ..core.engine import BalanceEngine
from ..core.i18n import tr
from ..core.selection import UnknownUnitsError, units_by_code
from .contiguity import compute as compute_contiguity
from .crs import working_crs
from .export.metadata import plugin_version
from .export.plan import safe_file_stem
from .export.progress import ExportCancelled
from .gpkg import WriteError, fsync_file
from .layers import Inputs
from .outputs import register, remove_leftovers, temp_prefix, unregister
from .qgis_compat import REQUEST_NO_GEOMETRY
from .sources import InputError
from .unit_map_layers import MapLayers
from .unit_map_page import Page, nice_scale

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
    previous = i18n.installed()
    if chinese:
        translator = QTranslator()
        from ..paths import I18N_DIR

        loaded = translator.load(str(I18N_DIR / _QM_NAME))

        def translate(context: str, text: str) -> str:
            return (translator.translate(context, text) or text) if loaded else previous(context, text)
    else:
        def translate(_context: str, text: str) -> str:
            return text
    with i18n.using(translate, "zh_CN" if chinese else i18n.ENGLISH):
        yield


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
        contiguity = compute_contiguity(engine) if chosen else None
        layout = None
        try:
            if single:
                layout = _new_layout(project, len(chosen), tr("Unit maps"))
                pages = []
            for i, unit in enumerate(chosen):
                if feedback is not None and feedback.isCanceled():
                    raise ExportCancelled(tr("Map export cancelled."))
                started = time.perf_counter()
                layers = MapLayers(project, engine, inputs, unit, chinese)
                if single:
                    pages.append(Page(layout, i, engine, layers, chinese, footer, contiguity))
                else:
                    layout = _new_layout(project, 1, unit.code)
                    page = Page(layout, 0, engine, layers, chinese, footer, contiguity)
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


__all__ = ["nice_scale", "page_language", "write_unit_maps"]
