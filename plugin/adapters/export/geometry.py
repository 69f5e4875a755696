"""Geometry helpers of the export: CRS to OGR, 2-D MultiPolygon WKB, clipping parcels at their unit."""
from __future__ import annotations

from typing import Hashable, Iterable, Sequence

import numpy as np
import shapely
from osgeo import ogr, osr
from qgis.core import QgsCoordinateReferenceSystem, QgsFeatureRequest

from ...core.engine import clean_geometry
from ..crs import transform_to
from ..layers import Inputs
from ..wkb import feature_wkb, parse_wkb


def srs_of(crs: QgsCoordinateReferenceSystem) -> osr.SpatialReference:
    srs = osr.SpatialReference()
    auth = crs.authid()
    if auth.upper().startswith("EPSG:"):
        srs.ImportFromEPSG(int(auth.split(":")[1]))
    else:
        srs.ImportFromWkt(crs.toWkt(QgsCoordinateReferenceSystem.WKT_PREFERRED_GDAL))
    srs.SetAxisMappingStrategy(osr.OAMS_TRADITIONAL_GIS_ORDER)
    return srs


def multipolygon_wkb(geom) -> bytes | None:
    """Polygonal part of ``geom`` as 2-D MultiPolygon WKB (None if nothing areal is left)."""
    if geom is None or geom.is_empty:
        return None
    if geom.geom_type == "Polygon":
        geom = shapely.MultiPolygon([geom])
    elif geom.geom_type != "MultiPolygon":
        parts = [p for p in shapely.get_parts(geom) if p.geom_type in ("Polygon", "MultiPolygon")]
        polys = [q for p in parts for q in (shapely.get_parts(p) if p.geom_type == "MultiPolygon" else [p])]
        if not polys:
            return None
        geom = shapely.MultiPolygon(polys)
    return shapely.to_wkb(geom, output_dimension=2)


def multipolygon_wkbs(geoms: np.ndarray) -> list:
    """:func:`multipolygon_wkb` over an array, with the common cases (Polygon, MultiPolygon) in bulk."""
    geoms = np.asarray(geoms, dtype=object)
    out: list = [None] * len(geoms)
    if not len(geoms):
        return out
    types = shapely.get_type_id(geoms)
    empty = shapely.is_empty(geoms) | shapely.is_missing(geoms)
    poly = np.flatnonzero((types == 3) & ~empty)
    multi = np.flatnonzero((types == 6) & ~empty)
    if len(poly):
        wrapped = shapely.multipolygons(geoms[poly], indices=np.arange(len(poly)))
        for i, w in zip(poly, shapely.to_wkb(wrapped, output_dimension=2)):
            out[i] = w
    if len(multi):
        for i, w in zip(multi, shapely.to_wkb(geoms[multi], output_dimension=2)):
            out[i] = w
    for i in np.flatnonzero(~np.isin(types, (3, 6)) & ~empty):
        out[i] = multipolygon_wkb(geoms[i])
    return out


def cleaned_multipolygon(wkb: bytes | None) -> bytes | None:
    """A source geometry (WKB) repaired (``engine.clean_geometry``) as 2-D MultiPolygon WKB."""
    if wkb is None:
        return None
    return multipolygon_wkb(clean_geometry(parse_wkb([wkb])[0]))


def as_multipolygon(out: ogr.Feature) -> None:
    """Make the feature's geometry a 2-D MultiPolygon, as the parcels layer declares (a shapefile or
    GeoJSON mixes Polygon and MultiPolygon; curves are linearised)."""
    g = out.GetGeometryRef()
    if g is None or g.GetGeometryType() == ogr.wkbMultiPolygon:
        return
    if g.HasCurveGeometry():
        g = g.GetLinearGeometry()
    mp = multipolygon_wkb(shapely.from_wkb(bytes(g.ExportToIsoWkb())))
    out.SetGeometryDirectly(ogr.CreateGeometryFromWkb(mp) if mp is not None else None)


def clip_to_units(wkbs: Sequence[bytes | None], uids: Sequence[Hashable], unit_geoms: dict) -> np.ndarray:
    """Parcel geometries (WKB) intersected with their unit, in bulk; an array of shapely geometries."""
    geoms = np.empty(len(wkbs), dtype=object)
    geoms[:] = parse_wkb(list(wkbs))
    bad = ~shapely.is_missing(geoms)
    bad[bad] = ~shapely.is_valid(geoms[bad])
    for i in np.flatnonzero(bad).tolist():
        geoms[i] = clean_geometry(geoms[i])
    units = np.array([unit_geoms.get(u) for u in uids], dtype=object)
    # the unit cut down to the parcel's box first: overlay cost follows the vertex count
    boxes = shapely.bounds(geoms)
    span = np.nan_to_num(np.maximum(boxes[:, 2] - boxes[:, 0], boxes[:, 3] - boxes[:, 1]))
    pad = span[:, None] * np.array([-0.01, -0.01, 0.01, 0.01])
    boxes = np.nan_to_num(boxes) + pad
    has = ~shapely.is_missing(units) & ~shapely.is_missing(geoms)
    local = units.copy()
    clip = shapely.lib.clip_by_rect  # the ufunc itself: the public wrapper's checks cost more than GEOS here
    local[has] = [clip(u, x0, y0, x1, y1) for u, (x0, y0, x1, y1) in zip(units[has], boxes[has].tolist())]
    return shapely.intersection(geoms, local)


def unit_geometries(inputs: Inputs, crs: QgsCoordinateReferenceSystem, uids: Iterable[Hashable]) -> dict:
    """{unit id: repaired, prepared shapely geometry in ``crs``} of the units layer (None without geometry)."""
    transform = transform_to(inputs.units, crs)
    out = {}
    for feat in inputs.units.getFeatures(QgsFeatureRequest().setFilterFids(list(uids))):
        g = feat.geometry()
        if g is None or g.isNull():
            out[feat.id()] = None
            continue
        geom = clean_geometry(parse_wkb([feature_wkb(feat, transform)])[0])  # curves, slivers, invalid rings
        if geom is not None:
            shapely.prepare(geom)
        out[feat.id()] = geom
    return out
