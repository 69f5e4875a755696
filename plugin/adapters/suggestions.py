"""QGIS side of the suggestions (docs/suggestions.md): read what the core needs, write and apply the result.

``core/suggest.py`` decides; this module reads the slope grades (GDPDJB, not kept by the engine)
and the ecological red line into the engine's CRS, writes a ``suggestions`` layer and tags the
suggested parcels in the parcel layer as one undo step.
"""
from __future__ import annotations

from pathlib import Path
from typing import Hashable, Sequence

from qgis.core import QgsCoordinateReferenceSystem, QgsVectorLayer

from ..core.engine import BalanceEngine
from ..core.i18n import tr
from ..core.suggest import Candidate, Suggestion, suggest, values_top_k
from .layers import read_polygons

SUGGESTION_FIELDS = (("rank", "INTEGER"), ("in_plan", "INTEGER"), ("unit_code", "TEXT"), ("rule_id", "TEXT"),
                     ("feature_id", "TEXT"), ("bsm", "TEXT"), ("dlbm", "TEXT"), ("zzlx", "TEXT"), ("ghdlbm", "TEXT"),
                     ("area_m2", "REAL"), ("gain", "REAL"), ("value_after_top_k", "REAL"),
                     ("adjacent_farmland", "INTEGER"), ("gdpdjb", "INTEGER"))


def suggest_for_unit(engine: BalanceEngine, inputs, uid: Hashable, crs: QgsCoordinateReferenceSystem,
                     red_line: QgsVectorLayer | None = None, rule_id: str | None = None) -> Suggestion:
    """The core's suggestion for one unit, with the layers' slope grades and red line."""
    red = read_polygons(red_line, crs) if red_line is not None else None
    return suggest(engine, uid, rule_id, red_line=red)


def suggestion_rows(engine: BalanceEngine, s: Suggestion, values: Sequence | None = None) -> list[list]:
    in_plan = {c.pid for c in s.plan}
    rows = []
    for k, c in enumerate(s.ranked):
        rows.append([k + 1, int(c.pid in in_plan), s.unit_code, s.rule_id, str(c.pid), engine.raw_record(c.pid).bsm,
                     c.dlbm, c.zzlx, c.ghdlbm, c.area_m2, c.gain, values[k] if values else None, int(c.adjacent),
                     c.slope])
    return rows


def write_suggestions_gpkg(path, engine: BalanceEngine, s: Suggestion, crs: QgsCoordinateReferenceSystem,
                           with_values: bool = True, layer_name: str = "suggestions") -> None:
    """The ranked candidates as a polygon layer of a new GeoPackage (the plan first, ``in_plan`` = 1)."""
    import shapely
    from osgeo import ogr, osr

    from .gpkg import write_table

    srs = osr.SpatialReference()
    srs.ImportFromWkt(crs.toWkt(QgsCoordinateReferenceSystem.WKT_PREFERRED_GDAL))
    srs.SetAxisMappingStrategy(osr.OAMS_TRADITIONAL_GIS_ORDER)
    geoms = []
    for c in s.ranked:
        g = engine.parcel_geometry(c.pid)
        multi = shapely.multipolygons(shapely.get_parts(g)) if g is not None else None
        geoms.append(ogr.CreateGeometryFromWkb(shapely.to_wkb(multi)) if multi is not None else None)
    values = values_top_k(engine, s) if with_values else None
    write_table(Path(path), layer_name, SUGGESTION_FIELDS, suggestion_rows(engine, s, values),
                geometries=geoms, srs=srs, geom_type=ogr.wkbMultiPolygon)


def apply_moves(layer: QgsVectorLayer, fields: dict[str, int], cands: Sequence[Candidate]) -> int:
    """Tag ``cands`` (type and class after; 规划扣除系数 and 永农调整 cleared) as one undo step."""
    layer.beginEditCommand(tr("Apply suggestions"))
    try:
        for c in cands:
            layer.changeAttributeValues(c.pid, {fields["ZZLX"]: c.zzlx, fields["GHDLBM"]: c.ghdlbm,
                                                fields["GHKCXS"]: None})
    except Exception:
        layer.destroyEditCommand()
        raise
    layer.endEditCommand()
    layer.triggerRepaint()
    return len(cands)
