"""Styles: bundled QML applied with a label font that exists here, and the renderer by remediation type.

The renderer by type (:func:`type_renderer`) is the one used everywhere parcels are coloured
by ZZLX: the tagging panel, the exported plan, the demo project and the unit maps. Codes, names
and colours come from ``core.remediation.remediation_types()`` (resources/remediation_types.json).

A QML names its label font; QGIS warns in the message bar when that family is missing
("font … not available on the system"), which a planner sees on every load. Bundled
styles are therefore applied with their font replaced by the first Chinese-capable family
installed here (Windows: 微软雅黑; Linux: Noto Sans CJK SC …), else the UI font.
"""
from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path
from typing import Callable, Iterable

from qgis.core import (
    QgsCategorizedSymbolRenderer,
    QgsFillSymbol,
    QgsPalLayerSettings,
    QgsRendererCategory,
    QgsSingleSymbolRenderer,
    QgsVectorLayerSimpleLabeling,
)
from qgis.PyQt.QtGui import QColor, QFontDatabase, QGuiApplication
from qgis.PyQt.QtXml import QDomDocument

from ..core.fields import resolve_parcel_fields, resolve_unit_fields
from ..core.i18n import tr
from ..core.remediation import remediation_types
from ..core.resources import resource_path

# Tried in order; the first one installed is used for labels.
PREFERRED_LABEL_FONTS = ("Microsoft YaHei", "Microsoft YaHei UI", "Noto Sans CJK SC", "Source Han Sans SC",
                         "WenQuanYi Micro Hei", "PingFang SC", "Hiragino Sans GB", "SimHei", "DejaVu Sans")
_FONT_ATTR = re.compile(r'fontFamily="[^"]*"')
#: the fill of a ZZLX value that is no known remediation type
UNKNOWN_TYPE_COLOUR = "#bdbdbd"


@lru_cache(maxsize=1)
def label_font_family() -> str:
    installed = set(QFontDatabase().families())
    for family in PREFERRED_LABEL_FONTS:
        if family in installed:
            return family
    return QGuiApplication.font().family()


def load_style(layer, qml: Path) -> tuple[bool, str]:
    """Apply ``qml`` to ``layer`` with a label font present here; (ok, error message)."""
    text = Path(qml).read_text(encoding="utf-8")
    family = label_font_family().replace('"', "")
    text = _FONT_ATTR.sub(f'fontFamily="{family}"', text)
    doc = QDomDocument()
    parsed = doc.setContent(text)
    if not (parsed[0] if isinstance(parsed, tuple) else parsed):
        return False, f"{qml}: not a valid QML document"
    ok, message = layer.importNamedStyle(doc)
    if ok:
        layer.triggerRepaint()
    return ok, message


# --------------------------------------------------------------------------- renderer by remediation type
def remediation_colours() -> list[tuple[str, str, str, str]]:
    """(code, zh, en, colour) of every remediation type, from resources/remediation_types.json."""
    return [(t.code, t.zh or t.code, t.en or t.code, t.colour) for t in remediation_types().values()]


def _type_label(code: str, name: str) -> str:
    return f"{code} {name}"


def type_renderer(field: str, chinese: bool, base=None, kinds: Iterable[str | None] | None = None,
                  label: Callable[[str, str], str] = _type_label, untagged=None,
                  outline: str | None = None) -> QgsCategorizedSymbolRenderer:
    """A categorised renderer on ``field`` with one category per remediation type.

    ``kinds``: the values to show, in that order (None = untagged; a value that is no type is
    grey, named by itself); default every type in the file's order, then untagged. Each type
    is ``base`` (a fill symbol; a plain fill by default) in the type's colour with an outline of
    ``outline`` (default: the colour, darker); ``untagged`` is the symbol of untagged parcels
    (``base`` as it is by default). ``label(code, name)`` gives the legend text.
    """
    base = base if base is not None else QgsFillSymbol.createSimple({})
    known = {code: (zh if chinese else en, colour) for code, zh, en, colour in remediation_colours()}
    values = [*known, None] if kinds is None else list(kinds)
    categories = []
    for kind in values:
        if kind is None:
            symbol = untagged.clone() if untagged is not None else base.clone()
            categories.append(QgsRendererCategory(None, symbol, tr("Untagged (class unchanged)")))
            continue
        name, colour = known.get(kind, (kind, UNKNOWN_TYPE_COLOUR))
        symbol = base.clone()
        symbol.symbolLayer(0).setColor(QColor(colour))
        symbol.symbolLayer(0).setStrokeColor(QColor(outline) if outline else QColor(colour).darker(150))
        categories.append(QgsRendererCategory(kind, symbol, label(kind, name)))
    return QgsCategorizedSymbolRenderer(field, categories)


def style_parcels_by_type(layer, chinese: bool, kinds: Iterable[str | None] | None = None,
                          label: Callable[[str, str], str] = _type_label,
                          untagged_colours: tuple[str, str] | None = None, field: str | None = None) -> None:
    """The bundled ``parcels.qml`` on ``layer`` with its renderer by type (:func:`type_renderer`
    on the style's own symbol). ``untagged_colours``: (fill, outline) of untagged parcels
    (default: the style's symbol as it is); ``field``: the layer's spelling of ZZLX (default the
    style's)."""
    load_style(layer, resource_path("styles", "parcels.qml"))
    renderer = layer.renderer()
    categorised = isinstance(renderer, QgsCategorizedSymbolRenderer)
    existing = renderer.categories() if categorised else []  # keep the list alive: symbol() belongs to it
    base = existing[0].symbol().clone() if existing else QgsFillSymbol.createSimple({})
    untagged = None
    if untagged_colours is not None:
        untagged = base.clone()
        untagged.symbolLayer(0).setColor(QColor(untagged_colours[0]))
        untagged.symbolLayer(0).setStrokeColor(QColor(untagged_colours[1]))
    field = field or (renderer.classAttribute() if categorised else "") or "ZZLX"
    layer.setRenderer(type_renderer(field, chinese, base, kinds, label, untagged))


def style_units(layer, unit_field: str | None = None) -> None:
    """The bundled ``units.qml`` on ``layer``, labelled with the unit code and name (DYBH, DYMC
    as the layer spells them; ``unit_field`` names the code field when it is not a known spelling)."""
    load_style(layer, resource_path("styles", "units.qml"))
    names = resolve_unit_fields(layer.fields().names(), unit_field)
    code, name = names.get("DYBH"), names.get("DYMC")
    labeling = layer.labeling()
    if isinstance(labeling, QgsVectorLayerSimpleLabeling):
        settings = QgsPalLayerSettings(labeling.settings())
        parts = [f'"{code}"' if code else "$id"] + ([f"coalesce(\"{name}\", '')"] if name else [])
        settings.fieldName = " || '\\n' || ".join(parts)
        settings.isExpression = True
        layer.setLabeling(QgsVectorLayerSimpleLabeling(settings))
        layer.setLabelsEnabled(True)


def style_plan_layers(parcels, units, chinese: bool, unit_field: str | None = None) -> list:
    """The styles of a plan GeoPackage (by remediation type, units labelled) on parcel and unit
    layers still drawn as QGIS draws a new layer (one flat symbol): a style the planner chose is
    kept. Returns the layers styled (layers of a planning database, docs/postgis.md)."""
    styled = []
    for layer in (parcels, units):
        if layer is None or not isinstance(layer.renderer(), QgsSingleSymbolRenderer):
            continue
        if layer is parcels:
            style_parcels_by_type(layer, chinese, field=resolve_parcel_fields(layer.fields().names()).plan.get("ZZLX"))
        else:
            style_units(layer, unit_field)
        styled.append(layer)
    return styled
