"""QGIS side of the constraint checks: read layers into plain geometries and run core.checks.

The core (``core/checks.py``) sees shapely geometries in the parcels' working CRS; this
module reads the optional control layers (PBF, 生态保护红线, 城镇开发边界, 项目范围) into
that CRS, reads the GDDB grades the engine does not keep, and returns the findings.
"""
from __future__ import annotations

from typing import Callable

from qgis.core import QgsCoordinateReferenceSystem, QgsFeatureRequest, QgsVectorLayer

from ..core.checks import DEFAULT_TOLERANCE, Finding, check_constraints, check_units, parcels_of_engine
from ..core.engine import BalanceEngine
from ..core.fields import resolve_parcel_fields, resolve_unit_fields
from .layers import geometries_wkb, read_polygons, transform_to, working_crs
from .qgis_compat import REQUEST_NO_GEOMETRY


def read_parcel_values(layer: QgsVectorLayer, canonical: str, overrides: dict | None = None) -> dict:
    """Feature id -> the non-NULL value of one canonical parcel field (GDDB, GDPDJB …); {} without the field."""
    name = resolve_parcel_fields(layer.fields().names(), overrides).parcels.get(canonical)
    if not name or name not in layer.fields().names():
        return {}
    idx = layer.fields().indexOf(name)
    req = QgsFeatureRequest().setFlags(REQUEST_NO_GEOMETRY).setSubsetOfAttributes([idx])
    out = {}
    for f in layer.getFeatures(req):
        v = f.attributes()[idx]
        if v is not None and not (hasattr(v, "isNull") and v.isNull()):
            out[f.id()] = v
    return out


def read_gddb(layer: QgsVectorLayer, overrides: dict | None = None) -> dict:
    """Feature id -> farmland quality grade (GDDB, lower = better); {} when the layer has no such field."""
    out = {}
    for fid, v in read_parcel_values(layer, "GDDB", overrides).items():
        try:
            out[fid] = float(v)
        except (TypeError, ValueError):
            pass
    return out


def read_unit_features(layer: QgsVectorLayer, crs: QgsCoordinateReferenceSystem, code_field: str | None = None
                       ) -> list[tuple[int, str | None, object]]:
    """``(fid, DYBH or None, geometry)``: unlike ``layers.read_units``, a missing code stays None."""
    names = resolve_unit_fields(layer.fields().names(), code_field)
    code_name = names.get("DYBH")
    feats = list(layer.getFeatures())
    geoms = geometries_wkb(feats, transform_to(layer, crs))
    out = []
    for f, g in zip(feats, geoms):
        raw = f[code_name] if code_name else None
        text = None if raw is None or (hasattr(raw, "isNull") and raw.isNull()) else str(raw).strip()
        out.append((f.id(), text or None, g))
    return out


def validate_units(units: QgsVectorLayer, code_field: str | None = None, boundary: QgsVectorLayer | None = None,
                   tolerance: float = DEFAULT_TOLERANCE, crs: QgsCoordinateReferenceSystem | None = None
                   ) -> tuple[list[Finding], QgsCoordinateReferenceSystem]:
    """Unit findings and the CRS their geometries are in."""
    crs = crs or working_crs(units)
    feats = read_unit_features(units, crs, code_field)
    region = read_polygons(boundary, crs) if boundary is not None else None
    return check_units(feats, region, tolerance), crs


def plan_constraints(engine: BalanceEngine, inputs, crs: QgsCoordinateReferenceSystem,
                     red_line: QgsVectorLayer | None = None, ugb: QgsVectorLayer | None = None,
                     boundary: QgsVectorLayer | None = None, tolerance: float = DEFAULT_TOLERANCE,
                     progress: Callable[[float], None] | None = None,
                     cancelled: Callable[[], bool] | None = None) -> list[Finding]:
    """Every docs/domain.md §8 finding of a built engine: units first, then the plan's parcels."""
    findings, _ = validate_units(inputs.units, inputs.unit_field, boundary, tolerance, crs)
    pbf = read_polygons(inputs.pbf, crs) if inputs.pbf is not None else None
    red = read_polygons(red_line, crs) if red_line is not None else None
    zone = read_polygons(ugb, crs) if ugb is not None else None
    gddb = read_gddb(inputs.parcels, inputs.field_overrides)
    findings.extend(check_constraints(parcels_of_engine(engine), pbf=pbf, red_line=red, ugb=zone, gddb=gddb,
                                      table=engine.table, tolerance=tolerance, progress=progress,
                                      cancelled=cancelled))
    return findings
