"""The one place that knows how the QGIS API differs between 3.22 LTR and 3.40/3.44 LTR.

Newer QGIS moved many enums into scoped enums of the ``Qgis`` class (3.26 … 3.36) and the
type of a ``QgsField`` from ``QVariant.Type`` to ``QMetaType.Type`` (3.38). The old names still
exist as deprecated aliases on newer QGIS, but not always with the same meaning:
``QgsPalLayerSettings.OverPoint`` is a *point position* on 3.40, not a *placement*, and assigning
it to ``settings.placement`` raises ``TypeError``. Plugin code therefore takes these values from
here, never from the classes directly, and creates fields only with :func:`make_field` (a test
fails on ``QgsField(..., QVariant.…)`` anywhere in ``plugin/``).

Each constant is the scoped value when this QGIS has it, else the 3.22 name: no deprecated
calls on new versions, no missing names on old ones.
"""

from __future__ import annotations

from typing import Optional

from qgis.core import (
    Qgis,
    QgsFeatureRequest,
    QgsField,
    QgsLayoutItemLabel,
    QgsLayoutItemLegend,
    QgsMapLayerProxyModel,
    QgsPalLayerSettings,
    QgsProcessing,
    QgsProcessingParameterDefinition,
    QgsTextFormat,
    QgsUnitTypes,
    QgsWkbTypes,
)
from qgis.PyQt.QtCore import QMetaType, QVariant
from qgis.PyQt.QtGui import QColor, QFont

QGIS_VERSION_INT: int = Qgis.QGIS_VERSION_INT


def _scoped(enum_name: str, member: str, old_class, old_name: str):
    """``Qgis.<enum_name>.<member>`` when this QGIS has the scoped enum, else ``old_class.<old_name>``.

    The old name is looked up only when needed: a later QGIS may drop it.
    """
    enum = getattr(Qgis, enum_name, None)
    if enum is not None and hasattr(enum, member):
        return getattr(enum, member)
    return getattr(old_class, old_name)


# Labels (Qgis.LabelPlacement since 3.26).
LABEL_OVER_POINT = _scoped("LabelPlacement", "OverPoint", QgsPalLayerSettings, "OverPoint")

# Geometry and WKB types (Qgis.GeometryType / Qgis.WkbType since 3.30).
POLYGON_GEOMETRY = _scoped("GeometryType", "Polygon", QgsWkbTypes, "PolygonGeometry")
LINE_GEOMETRY = _scoped("GeometryType", "Line", QgsWkbTypes, "LineGeometry")
WKB_MULTIPOLYGON = _scoped("WkbType", "MultiPolygon", QgsWkbTypes, "MultiPolygon")
WKB_NO_GEOMETRY = _scoped("WkbType", "NoGeometry", QgsWkbTypes, "NoGeometry")

# Units (Qgis.RenderUnit / LayoutUnit / DistanceUnit since 3.30).
RENDER_POINTS = _scoped("RenderUnit", "Points", QgsUnitTypes, "RenderPoints")
LAYOUT_MILLIMETERS = _scoped("LayoutUnit", "Millimeters", QgsUnitTypes, "LayoutMillimeters")
DISTANCE_METERS = _scoped("DistanceUnit", "Meters", QgsUnitTypes, "DistanceMeters")

# Processing source types (Qgis.ProcessingSourceType since 3.36).
SOURCE_VECTOR_POLYGON = _scoped("ProcessingSourceType", "VectorPolygon", QgsProcessing, "TypeVectorPolygon")
SOURCE_VECTOR_ANY = _scoped("ProcessingSourceType", "Vector", QgsProcessing, "TypeVector")
# Processing parameter flags (Qgis.ProcessingParameterFlag since 3.36).
PARAMETER_ADVANCED = _scoped("ProcessingParameterFlag", "Advanced", QgsProcessingParameterDefinition, "FlagAdvanced")

# Feature requests (Qgis.FeatureRequestFlag since 3.36).
REQUEST_NO_GEOMETRY = _scoped("FeatureRequestFlag", "NoGeometry", QgsFeatureRequest, "NoGeometry")

# Layer combo filters (Qgis.LayerFilter since 3.34).
LAYER_FILTER_POLYGON = _scoped("LayerFilter", "PolygonLayer", QgsMapLayerProxyModel, "PolygonLayer")


# ---------------------------------------------------------------------------- fields
#: kind -> (QVariant.Type for QGIS < 3.38, QMetaType.Type for 3.38 and newer); same numbers.
_FIELD_TYPES = {
    "string": (QVariant.String, QMetaType.QString),
    "double": (QVariant.Double, QMetaType.Double),
    "int": (QVariant.Int, QMetaType.Int),
    "int64": (QVariant.LongLong, QMetaType.LongLong),
    "bool": (QVariant.Bool, QMetaType.Bool),
    "date": (QVariant.Date, QMetaType.QDate),
    "datetime": (QVariant.DateTime, QMetaType.QDateTime),
    "time": (QVariant.Time, QMetaType.QTime),
}
FIELD_KINDS = tuple(_FIELD_TYPES)

#: QgsField takes (and returns) QMetaType.Type from 3.38; the QVariant.Type constructor is deprecated.
FIELDS_USE_QMETATYPE = QGIS_VERSION_INT >= 33800


def field_type(kind: str):
    """The value ``QgsField`` wants for ``kind`` ('string', 'double', 'int', 'int64', 'bool', …) here."""
    try:
        old, new = _FIELD_TYPES[kind]
    except KeyError:
        raise ValueError(f"unknown field kind {kind!r}; one of {', '.join(FIELD_KINDS)}") from None
    return new if FIELDS_USE_QMETATYPE else old


def make_field(name: str, kind: str, type_name: str = "", length: int = 0, precision: int = 0,
               alias: Optional[str] = None) -> QgsField:
    """A ``QgsField`` of ``kind`` that works on QGIS 3.22 … 3.44 without deprecation warnings."""
    field = QgsField(name, field_type(kind), type_name, length, precision)
    if alias:
        field.setAlias(alias)
    return field


def field_kind(field: QgsField) -> Optional[str]:
    """The kind of a ``QgsField`` ('string', 'double', …), None for types the plugin does not use.

    Compares numbers: ``QVariant.Type`` and ``QMetaType.Type`` share them for these types, so this
    works whatever ``field.type()`` returns on this QGIS.
    """
    number = int(field.type())
    for kind, (old, _new) in _FIELD_TYPES.items():
        if int(old) == number:
            return kind
    if number in (int(QVariant.UInt), int(QVariant.ULongLong)):
        return "int64"
    return None


# ---------------------------------------------------------------------------- layout text
def set_label_font(label: QgsLayoutItemLabel, font: QFont, colour: QColor) -> None:
    """Font and colour of a layout label: a QgsTextFormat from 3.24, setFont/setFontColor before."""
    if hasattr(label, "setTextFormat"):
        text_format = QgsTextFormat.fromQFont(font)
        text_format.setColor(colour)
        label.setTextFormat(text_format)
    else:
        label.setFont(font)
        label.setFontColor(colour)


def set_legend_style_font(legend: QgsLayoutItemLegend, style, font: QFont) -> None:
    """Font of one legend style (title, group, symbol label …): its QgsTextFormat from 3.30."""
    legend_style = legend.style(style)
    if hasattr(legend_style, "setTextFormat"):
        text_format = legend_style.textFormat()
        text_format.setFont(font)
        text_format.setSize(font.pointSizeF())
        text_format.setSizeUnit(RENDER_POINTS)
        legend_style.setTextFormat(text_format)
        legend.setStyle(style, legend_style)
    else:
        legend.setStyleFont(style, font)


def transaction_mode(project) -> str:
    """How ``project`` sends layer edits: "off" (each layer's local edit buffer), "automatic" (3.22's
    *automatic transaction groups*, 3.26+ ``AutomaticGroups``: each edit goes to the database as it is
    made) or "buffered" (3.26+ ``BufferedGroups``: every layer's buffer committed in one transaction)."""
    mode = getattr(project, "transactionMode", None)
    if callable(mode):
        value = mode()
        if value == Qgis.TransactionMode.Disabled:
            return "off"
        return "buffered" if value == Qgis.TransactionMode.BufferedGroups else "automatic"
    return "automatic" if project.autoTransaction() else "off"


def transaction_groups(project) -> bool:
    """Whether ``project`` sends layer edits through transaction groups (automatic or buffered)."""
    return transaction_mode(project) != "off"


def transaction_signal(project):
    """The project's signal that its transaction set-up changed (3.26+: the mode; 3.22: the groups)."""
    return getattr(project, "transactionModeChanged", None) or project.transactionGroupsChanged
