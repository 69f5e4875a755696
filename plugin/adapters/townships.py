"""The township PBF limits (core.townships) of an engine, from the PBF and UGB layers (docs/domain.md §7).

The engine keeps its PBF geometries to itself; the front ends (CLI, export, report, balance dock)
read the PBF and urban-growth-boundary layers in the engine's working CRS here and evaluate the
township rules of its pack on them.
"""
from __future__ import annotations

from qgis.core import QgsCoordinateReferenceSystem, QgsVectorLayer

from ..core.engine import BalanceEngine, RuleResult
from ..core.townships import TownshipLimits
from .layers import read_polygons


def township_results(engine: BalanceEngine, pbf: QgsVectorLayer | None, ugb: QgsVectorLayer | None,
                     crs: QgsCoordinateReferenceSystem) -> list[RuleResult]:
    """Every township rule for every township with PBF (``unit_code`` = township code); none without PBF.

    Without ``ugb`` the rule on PBF inside the urban growth boundary is not judged (``passed`` None).
    """
    if pbf is None or not any(r.scope == "township" for r in engine.pack.rules):
        return []
    return township_limits(pbf, ugb, crs).evaluate(engine)


def township_limits(pbf: QgsVectorLayer, ugb: QgsVectorLayer | None,
                    crs: QgsCoordinateReferenceSystem) -> TownshipLimits:
    """The PBF and UGB layers read in ``crs`` (the engine's working CRS), for repeated evaluation."""
    return TownshipLimits(read_polygons(pbf, crs), read_polygons(ugb, crs) if ugb is not None else None)
