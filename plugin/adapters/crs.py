"""The planar CRS the core measures in, and the CGCS2000 ellipsoid it measures areas on.

* The core measures shares in planar metres. A layer in a geographic CRS (EPSG:4490) is
  transformed into the CGCS2000 3° Gauss–Krüger zone of its centre, where area ratios
  agree with ellipsoidal ones to < 1e-6; projected layers stay as they are.
* A parcel with a NULL TBMJ gets its ellipsoidal area on the CGCS2000 ellipsoid
  (QgsDistanceArea, GeographicLib), as docs/domain.md §6 asks.
"""
from __future__ import annotations

import math

from qgis.core import (
    QgsCoordinateReferenceSystem,
    QgsCoordinateTransform,
    QgsCoordinateTransformContext,
    QgsDistanceArea,
    QgsGeometry,
    QgsProject,
    QgsRectangle,
    QgsVectorLayer,
)

from ..core.i18n import tr
from ..core.validation import CrsInfo, Problem, check_crs
from .sources import InputError

CGCS2000_ELLIPSOID = "EPSG:1024"
CGCS2000_GEOGRAPHIC = "EPSG:4490"


def gauss_kruger_zone_crs(longitude: float) -> QgsCoordinateReferenceSystem:
    """CGCS2000 3° Gauss–Krüger CRS (EPSG:4534–4554, no zone prefix) whose meridian is nearest."""
    zone = int(round((longitude - 75.0) / 3.0))
    zone = max(0, min(20, zone))
    return QgsCoordinateReferenceSystem(f"EPSG:{4534 + zone}")


def working_crs(layer: QgsVectorLayer) -> QgsCoordinateReferenceSystem:
    """The planar CRS the core works in for this layer (see module docstring)."""
    crs = layer.crs()
    if not crs.isValid():
        raise InputError(tr("The layer {0} has no valid coordinate reference system; set one in its properties.")
                         .format(layer.name()))
    if not crs.isGeographic():
        return crs
    extent = layer.extent()
    if extent.isEmpty():
        lon = extent.center().x() if not extent.isNull() else 117.0
    else:
        to_geo = QgsCoordinateTransform(crs, QgsCoordinateReferenceSystem(CGCS2000_GEOGRAPHIC),
                                        QgsProject.instance().transformContext())
        lon = to_geo.transform(extent.center()).x()
    if not math.isfinite(lon):
        lon = 117.0
    return gauss_kruger_zone_crs(lon)


def transform_to(layer: QgsVectorLayer, crs: QgsCoordinateReferenceSystem) -> QgsCoordinateTransform | None:
    if layer.crs() == crs:
        return None
    return QgsCoordinateTransform(layer.crs(), crs, QgsProject.instance().transformContext())


def ellipsoid_measure(crs: QgsCoordinateReferenceSystem,
                      context: QgsCoordinateTransformContext | None = None) -> QgsDistanceArea:
    """QgsDistanceArea measuring on the CGCS2000 ellipsoid (a = 6378137, 1/f = 298.257222101)."""
    da = QgsDistanceArea()
    da.setSourceCrs(crs, context or QgsProject.instance().transformContext())
    da.setEllipsoid(CGCS2000_ELLIPSOID)
    return da


def area_scale(layer: QgsVectorLayer, crs: QgsCoordinateReferenceSystem) -> float:
    """Ellipsoidal m² (CGCS2000) per planar unit² of ``crs`` near the centre of ``layer``.

    About 1 in a Gauss–Krüger zone (the scale factor squared), far from 1 in Web Mercator or a
    CRS in feet. The engine uses it only to tell a TBMJ copied onto a split's pieces from
    apportioned shares (core.pieces), so one value for the layer is precise enough.
    """
    try:
        extent = layer.extent()
        transform = transform_to(layer, crs)
        if transform is not None and not extent.isEmpty():
            extent = transform.transformBoundingBox(extent)
        if extent.isEmpty() or not all(math.isfinite(v) for v in (extent.xMinimum(), extent.yMaximum())):
            return 1.0
        side = max(extent.width(), extent.height()) / 100.0 or 1.0
        c = extent.center()
        square = QgsGeometry.fromRect(QgsRectangle(c.x() - side / 2, c.y() - side / 2, c.x() + side / 2,
                                                   c.y() + side / 2))
        ratio = ellipsoid_measure(crs).measureArea(square) / square.area()
    except Exception:  # an exotic CRS: the rule's tolerance covers a scale near 1
        return 1.0
    return ratio if math.isfinite(ratio) and ratio > 0 else 1.0


def crs_info(crs: QgsCoordinateReferenceSystem) -> CrsInfo:
    return CrsInfo(valid=crs.isValid(), authid=crs.authid() or "", geographic=crs.isGeographic(),
                   proj=crs.toProj() if crs.isValid() else "", description=crs.description() or "")


def layer_crs_problem(layer, what: str) -> Problem | None:
    """validation.check_crs of a layer: does its CRS fit its coordinates?"""
    extent = layer.extent()
    bounds = None
    if extent is not None and not extent.isNull():
        bounds = (extent.xMinimum(), extent.yMinimum(), extent.xMaximum(), extent.yMaximum())
    return check_crs(crs_info(layer.crs()), bounds, what)
