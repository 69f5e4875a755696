"""The demo township for 全域土地综合整治 planning (docs/architecture.md, "The demo").

The generating modules are pure (stdlib, numpy, shapely 2) and run without QGIS:
``model`` (layers and fields), ``geometry`` (Gauss-Krüger frame, round features, areas),
``lattice`` (cells and parcels), ``landscape`` (the class of every cell), ``survey``
(三调 attributes, PBF, control lines), ``units``, ``plan`` (one function per planning step)
and ``township`` (``generate_township``). ``writer`` (GDAL/OGR GeoPackage, also a command
line) and ``project`` (the ready-to-use QGIS project) are the adapters; import them by name.
"""
from __future__ import annotations

from .model import CRS, LAYER_ORDER, DemoData, FieldSpec, Layer
from .township import generate_township

__all__ = ["CRS", "LAYER_ORDER", "DemoData", "FieldSpec", "Layer", "generate_township"]
