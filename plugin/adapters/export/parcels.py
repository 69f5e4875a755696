"""The ``parcels`` table of the plan: its fields, which parcel goes to which unit, and the
interface of the parcel copiers (docs/architecture.md, "The export").

A *copier* is one way of writing the table (``copiers.COPIERS``: SQL copy from a GeoPackage,
per-feature copy read with OGR, per-feature copy read through QGIS). The plan writer asks the
copiers in turn for a source (:meth:`ParcelCopier.source`; None = "not from this layer"), then
calls :meth:`~ParcelCopier.write` while GDAL holds the new file open (the parcels layer is
created, empty) and :meth:`~ParcelCopier.finish` once GDAL has closed it. Every copier writes
the same rows: the source fields (mapped ones under their canonical name), TBMJ, KCMJ and
TBDLMJ apportioned by the engine's share, the plan fields, DYBH and the share, the geometry as a
2-D MultiPolygon clipped at the unit boundary when the share is below 1.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Hashable

from osgeo import ogr
from qgis.core import QgsCoordinateReferenceSystem, QgsVectorLayer

from ...core.engine import BalanceEngine
from ...core.fields import PLAN_FIELDS
from ...core.i18n import tr
from ..layers import Inputs
from .geometry import srs_of
from .ogr_fields import field_defn, source_fields
from .progress import Progress

AREA_FIELDS = ("TBMJ", "KCMJ", "TBDLMJ")
UNIT_CODE_FIELD = "DYBH"
SHARE_FIELD = "share"
#: the plan's feature id column; a source field of that name (a PostGIS view's or table's ``fid``
#: that is no primary key to the provider) is written as ``src_fid``: as ``fid`` GDAL would take its
#: values as the feature ids, repeated for a parcel in two units (UNIQUE constraint failed)
FID_COLUMN = "fid"
SLIVER_M2 = 0.01  # pieces of a parcel in a unit under this area are not written (counted in the log)


class ParcelSchema:
    """Output fields of ``parcels``: the source fields (mapped ones under their canonical name),
    the apportioned areas, the plan fields, DYBH and share."""

    def __init__(self, layer: QgsVectorLayer, reader):
        mapped = {actual.upper(): canon for canon, actual in
                  list(reader.fields.parcels.items()) + list(reader.fields.plan.items()) if actual}
        self.source: list[tuple[int, object, str]] = []  # (source index, QgsField, output name)
        taken: set[str] = set()
        reserved = {UNIT_CODE_FIELD.upper(), SHARE_FIELD.upper()}
        # the key of a database layer (QGIS's postgres provider, or GDAL's PostgreSQL driver, which takes a
        # view's ``fid`` for its key: sources.pg_view_fids) is the survey's own id: kept
        database = layer.providerType() == "postgres" or (
            layer.dataProvider() is not None and layer.dataProvider().storageType() == "PostgreSQL")
        for i, f in source_fields(layer, keep_key=database):
            name = mapped.get(f.name().upper(), f.name())
            if (name.upper() in reserved and f.name().upper() not in mapped) or name.upper() == FID_COLUMN.upper():
                name = f"src_{name}"
            if name.upper() in taken:
                continue
            taken.add(name.upper())
            self.source.append((i, f, name))
        self.added = [n for n in (*AREA_FIELDS, *PLAN_FIELDS) if n.upper() not in taken]
        self.names = [name for _i, _f, name in self.source] + self.added + [UNIT_CODE_FIELD, SHARE_FIELD]

    def create(self, lyr) -> None:
        for _i, f, name in self.source:
            if name in AREA_FIELDS:
                lyr.CreateField(ogr.FieldDefn(name, ogr.OFTReal))
            else:
                lyr.CreateField(field_defn(name, f))
        for name in self.added:
            kind = ogr.OFTReal if name in AREA_FIELDS or name == "GHKCXS" else ogr.OFTString
            lyr.CreateField(ogr.FieldDefn(name, kind))
        fd = ogr.FieldDefn(UNIT_CODE_FIELD, ogr.OFTString)
        fd.SetWidth(60)
        lyr.CreateField(fd)
        lyr.CreateField(ogr.FieldDefn(SHARE_FIELD, ogr.OFTReal))


def create_parcels_layer(ds, crs: QgsCoordinateReferenceSystem, schema: ParcelSchema):
    """The empty ``parcels`` layer of the plan in the open OGR dataset ``ds``."""
    lyr = ds.CreateLayer("parcels", srs_of(crs), ogr.wkbMultiPolygon,
                         options=["GEOMETRY_NAME=geom", f"FID={FID_COLUMN}", "SPATIAL_INDEX=YES",
                                  "IDENTIFIER=" + tr("Parcels of the plan"),
                                  "DESCRIPTION=" + tr("三调 parcels clipped at the unit boundary; areas in m², "
                                                      "apportioned by share")])
    schema.create(lyr)
    return lyr


def needed_pairs(engine: BalanceEngine, uids: list, dropped: list | None = None
                 ) -> dict[Hashable, list[tuple[Hashable, float]]]:
    """Which parcel goes to which of ``uids``, with the engine's share: {parcel id: [(unit id, share)]}.

    A piece under ``SLIVER_M2`` (a parcel that only touches a unit: a split along the unit
    boundary leaves shares of ~1e-11 on the other side) is not written; ``(parcel id, unit id,
    m²)`` of each is appended to ``dropped`` for the export's log.
    """
    wanted = set(uids)
    needed: dict[Hashable, list[tuple[Hashable, float]]] = {}
    shares = engine.parcel_shares
    if wanted == set(engine.unit_ids()):
        for pid in engine.parcel_ids():
            pairs = shares(pid)
            if pairs:
                needed[pid] = [(u, s) for u, s, _pbf in pairs]
    else:
        for uid in uids:
            for pid in engine.unit_parcel_ids(uid):
                if pid not in needed:
                    needed[pid] = [(u, s) for u, s, _pbf in shares(pid) if u in wanted]
    scale = engine.area_scale
    for pid in [pid for pid, pairs in needed.items() if any(s < 1.0 for _u, s in pairs)]:
        area = engine.parcel_measured_area(pid) * scale
        kept = [(u, s) for u, s in needed[pid] if s * area >= SLIVER_M2]
        if dropped is not None:
            dropped.extend((pid, u, s * area) for u, s in needed[pid] if s * area < SLIVER_M2)
        if kept:
            needed[pid] = kept
        else:
            del needed[pid]
    return needed


@dataclass
class ParcelJob:
    """What a copier needs to write the parcels of one file."""

    inputs: Inputs
    engine: BalanceEngine
    schema: ParcelSchema
    uids: list  # the units of the file
    progress: Progress
    p0: float  # progress (percent) at the start and at the end of the copy
    p1: float
    dropped: list | None = None  # receives (parcel id, unit id, m²) of the slivers left out

    def pairs(self) -> dict[Hashable, list[tuple[Hashable, float]]]:
        return needed_pairs(self.engine, self.uids, self.dropped)

    def codes(self) -> dict[Hashable, str]:
        return {uid: self.engine.unit_code(uid) for uid in self.uids}

    def at(self, fraction: float) -> float:
        """The progress value ``fraction`` of the way through the copy."""
        return self.p0 + (self.p1 - self.p0) * fraction


class ParcelCopier:
    """One way of writing the ``parcels`` table (see the module's docstring).

    Subclasses set ``name`` and implement :meth:`source` and at least one of :meth:`write` and
    :meth:`finish`; a new one is added to ``copiers.COPIERS`` before the copiers it beats.
    """

    name = ""

    def source(self, layer: QgsVectorLayer, schema: ParcelSchema):
        """What this copier reads ``layer`` from (opened), or None when it cannot copy it."""
        raise NotImplementedError

    def write(self, lyr, source, job: ParcelJob) -> int:
        """Fill the empty OGR layer ``lyr`` while GDAL holds the file open; the rows written."""
        return 0

    def finish(self, path: Path, source, job: ParcelJob) -> int:
        """Fill the table once GDAL has closed ``path``; the rows written."""
        return 0

    def __repr__(self) -> str:
        return f"<{type(self).__name__}>"
