"""Geometries out of QGIS as WKB in bulk (``shapely.from_wkb`` over a list), the fastest way."""
from __future__ import annotations

from typing import Iterable

import shapely
from qgis.core import QgsCoordinateTransform, QgsGeometry, QgsWkbTypes


def feature_wkb(feature, transform: QgsCoordinateTransform | None) -> bytes | None:
    """A feature's geometry as WKB in the working CRS (None for NULL/empty); curves are linearised."""
    g = feature.geometry()
    if g is None or g.isNull() or g.isEmpty():
        return None
    if QgsWkbTypes.isCurvedType(g.wkbType()):
        g = QgsGeometry(g.constGet().segmentize())  # CurvePolygon, MultiSurface…: shapely reads no curves
    if transform is not None:
        g = QgsGeometry(g)
        try:
            g.transform(transform)
        except Exception:  # QgsCsException: a point outside the CRS's domain
            return None
    return bytes(g.asWkb())


def parse_wkb(blobs: list) -> list:
    """shapely geometries from WKB; a blob GEOS cannot read (a ring of < 4 points…) is repaired
    through QGIS's makeValid, or becomes None; never raises."""
    if not blobs:
        return []
    try:
        return shapely.from_wkb(blobs).tolist()
    except (shapely.errors.GEOSException, ValueError, TypeError):
        pass
    out = []
    for blob in blobs:
        try:
            out.append(shapely.from_wkb(blob) if blob is not None else None)
        except (shapely.errors.GEOSException, ValueError, TypeError):
            g = QgsGeometry()
            g.fromWkb(blob)
            if QgsWkbTypes.isCurvedType(g.wkbType()):
                g = QgsGeometry(g.constGet().segmentize())  # curves: shapely reads none
            fixed = g.makeValid()
            try:
                out.append(shapely.from_wkb(bytes(fixed.asWkb())) if not fixed.isEmpty() else None)
            except (shapely.errors.GEOSException, ValueError, TypeError):
                out.append(None)
    return out


def geometries_wkb(features: Iterable, transform: QgsCoordinateTransform | None) -> list:
    """shapely geometries (None for NULL/empty) from QgsFeatures, via WKB in one bulk call."""
    return parse_wkb([feature_wkb(f, transform) for f in features])
