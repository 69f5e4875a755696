"""QGIS fields and values as OGR's: field definitions of the output layers, attribute values."""
from __future__ import annotations

from osgeo import ogr
from qgis.core import QgsVectorLayer
from qgis.PyQt.QtCore import QDate, QDateTime, QTime, QVariant

OGR_BY_QVARIANT = {QVariant.Int: ogr.OFTInteger, QVariant.UInt: ogr.OFTInteger64,
                   QVariant.LongLong: ogr.OFTInteger64, QVariant.ULongLong: ogr.OFTInteger64,
                   QVariant.Double: ogr.OFTReal, QVariant.Bool: ogr.OFTInteger, QVariant.Date: ogr.OFTDate,
                   QVariant.DateTime: ogr.OFTDateTime, QVariant.Time: ogr.OFTTime}


def ogr_type(qfield) -> int:
    """The OGR field type a QGIS field is written as."""
    return OGR_BY_QVARIANT.get(qfield.type(), ogr.OFTString)


def py_value(v):
    """A QVariant-ish attribute value as something OGR's SetField takes (None for NULL)."""
    if v is None or (hasattr(v, "isNull") and v.isNull()):
        return None
    if isinstance(v, (QDate, QDateTime, QTime)):
        return v.toString("yyyy-MM-ddTHH:mm:ss" if isinstance(v, QDateTime) else
                          "yyyy-MM-dd" if isinstance(v, QDate) else "HH:mm:ss")
    if isinstance(v, bool):
        return int(v)
    if isinstance(v, (int, float, str)):
        return v
    return str(v)


def source_fields(layer: QgsVectorLayer, keep_key: bool = False) -> list[tuple[int, object]]:
    """(index, QgsField) of a layer's attributes without the primary key (a GeoPackage's row id),
    unless ``keep_key`` (a database table's key is data: a PostGIS survey's ``fid``)."""
    pk = set(layer.dataProvider().pkAttributeIndexes()) if layer.dataProvider() and not keep_key else set()
    return [(i, f) for i, f in enumerate(layer.fields()) if i not in pk]


def field_defn(name: str, qfield) -> ogr.FieldDefn:
    kind = ogr_type(qfield)
    fd = ogr.FieldDefn(name, kind)
    if qfield.type() == QVariant.Bool:
        fd.SetSubType(ogr.OFSTBoolean)
    if kind == ogr.OFTString and 0 < qfield.length() < 100000:
        fd.SetWidth(qfield.length())
    return fd
