"""The parcel copiers, fastest first, and the choice of one for a parcel layer."""
from __future__ import annotations

from typing import Sequence

from qgis.core import QgsVectorLayer

from .copy_features import OgrCopier, QgisCopier
from .copy_sql import SqlCopier
from .parcels import ParcelCopier, ParcelSchema

#: tried in this order; the QGIS copier takes any layer, so the default list always finds one
COPIERS: tuple[ParcelCopier, ...] = (SqlCopier(), OgrCopier(), QgisCopier())


def choose_copier(layer: QgsVectorLayer, schema: ParcelSchema,
                  copiers: Sequence[ParcelCopier] | None = None) -> tuple[ParcelCopier, object]:
    """(the first of ``copiers`` that can copy ``layer``, the source it opened)."""
    tried = COPIERS if copiers is None else copiers
    for copier in tried:
        source = copier.source(layer, schema)
        if source is not None:
            return copier, source
    raise ValueError(f"none of the parcel copiers {list(tried)} can copy the layer {layer.name()}")
