"""The plan GeoPackage's 集中连片 layer and table (docs/domain-contiguity.md).

* ``farmland_patches`` (MultiPolygon): one feature per patch, per scope (``unit_code``: a unit's
  DYBH, or ``*`` for the project, as the balance tables) and layer (farmland / PBF, before /
  after), with its parcels' count, farmland area (m², 亩) and the largest block size it reaches;
  the geometry is the union of its parcels;
* ``farmland_patch_stats``: per scope and layer the count, total, mean and largest patch and,
  per block size of the pack (百亩方 …), how many patches reach it and their area.
"""
from __future__ import annotations

from pathlib import Path
from typing import Hashable, Sequence

import shapely
from osgeo import ogr

from ...core.contiguity_report import PATCH_COLUMNS, patch_rows, stats_columns, stats_rows
from ..contiguity import compute
from ..gpkg import write_table

PATCHES_LAYER = "farmland_patches"
STATS_TABLE = "farmland_patch_stats"


def _ogr_multipolygon(geom):
    if geom is None or geom.is_empty:
        return None
    parts = shapely.get_parts(geom)
    parts = parts[shapely.get_type_id(parts) == 3]  # polygons only (a union may hold lines where parcels touch)
    if not len(parts):
        return None
    return ogr.CreateGeometryFromWkb(shapely.to_wkb(shapely.multipolygons(parts)))


def write_patches(path: Path, engine, uids: Sequence[Hashable], srs, pack=None, state=None) -> int:
    """Write the layer and the table for the units ``uids`` (and the project when they are all of
    them); returns the number of patches written. ``state``: an already computed Contiguity."""
    state = state if state is not None else compute(engine, pack)
    project = set(uids) == set(engine.unit_ids())
    rows, geoms = patch_rows(state, engine, uids, project)
    write_table(path, PATCHES_LAYER, PATCH_COLUMNS, rows,
                "集中连片: farmland and PBF patches (parcels within the rule pack's gap), before and after",
                geometries=[_ogr_multipolygon(g) for g in geoms], srs=srs, geom_type=ogr.wkbMultiPolygon)
    write_table(path, STATS_TABLE, stats_columns(state), stats_rows(state, engine, uids, project),
                "集中连片: patches per unit and layer; 百亩方/千亩方/万亩方 counts and areas")
    return len(rows)
