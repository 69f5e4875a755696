"""The edits the live balance has noted and not yet applied, and how they are applied.

QGIS reports edits per feature; the live balance (``live.py``) only notes the ids here and
applies them all at once from a single-shot timer (docs/architecture.md "Live updates").
Nothing is trusted about *how* a change happened: whatever ids were touched are re-read
through the edit buffer; ids that no longer exist are removed.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterable

from qgis.core import QgsCoordinateReferenceSystem, QgsFeatureRequest, QgsFields, QgsVectorLayer

from ..core.engine import BalanceEngine
from ..core.fields import resolve_unit_fields
from .layers import InputError, Inputs, ParcelReader, parcel_fields, read_polygons, read_units


class FilteredLayer:
    """The layer seen through ``setFilterFids`` (edit buffer included), for ``read_units``."""

    def __init__(self, layer: QgsVectorLayer, fids: Iterable[int]):
        self._layer = layer
        self._fids = list(fids)

    def getFeatures(self, request: QgsFeatureRequest | None = None):
        req = QgsFeatureRequest(request) if request is not None else QgsFeatureRequest()
        return self._layer.getFeatures(req.setFilterFids(self._fids))

    def fields(self) -> QgsFields:
        return self._layer.fields()

    def name(self) -> str:
        return self._layer.name()

    def crs(self) -> QgsCoordinateReferenceSystem:
        return self._layer.crs()


@dataclass
class PendingEdits:
    """Ids touched since the last flush, by what happened to them."""

    parcels: set = field(default_factory=set)  # added or geometry changed
    parcel_attributes: set = field(default_factory=set)  # only a field the engine reads changed
    parcels_removed: set = field(default_factory=set)
    outside: set = field(default_factory=set)  # of ``parcels``: rows the database changed, made or removed itself
    units: set = field(default_factory=set)  # added, geometry or code changed
    units_removed: set = field(default_factory=set)
    pbf: bool = False  # the permanent basic farmland changed: re-read it whole
    rebuild: bool = False  # rollback, reload, fields, subset or CRS changed: a full rebuild

    def __bool__(self) -> bool:
        return bool(self.rebuild or self.pbf or self.parcels or self.parcel_attributes or self.parcels_removed
                    or self.units or self.units_removed)

    def changes(self) -> dict:
        """What a flush of these edits changes: ``{"parcels": ids, "units": ids, "pbf": bool}``."""
        return {"parcels": self.parcels | self.parcel_attributes | self.parcels_removed,
                "units": self.units | self.units_removed, "pbf": bool(self.pbf)}


def apply_edits(engine: BalanceEngine, reader: ParcelReader, inputs: Inputs, edits: PendingEdits) -> None:
    """Re-read what ``edits`` touched and update ``engine`` (and ``reader``'s warnings) in place."""
    if edits.pbf and inputs.pbf is not None:
        engine.set_pbf(read_polygons(inputs.pbf, reader.crs))
    # units: re-read what was touched; whatever is gone is removed
    if edits.units or edits.units_removed:
        found = read_units(FilteredLayer(inputs.units, edits.units), reader.crs,
                           inputs.unit_field) if edits.units else []
        seen = {uid for uid, _c, _g in found}
        for uid in (edits.units_removed | edits.units) - seen:
            engine.remove_unit(uid)
        for uid, code, geom in found:
            engine.upsert_unit(uid, code, geom)
    # parcels: geometry/added -> upsert, attribute only -> update, gone -> remove
    touched = edits.parcels | edits.parcel_attributes
    if touched or edits.parcels_removed:
        found = reader.read(touched) if touched else []
        seen = set()
        for pid, geom, rec in found:
            seen.add(pid)
            if pid in edits.parcels or not engine.has_parcel(pid):
                engine.upsert_parcel(pid, geom, rec)
            else:
                engine.update_parcel_attributes(pid, rec)
        for pid in (edits.parcels_removed | touched) - seen:
            engine.remove_parcel(pid)
            reader.forget(pid)


def attribute_indexes(inputs: Inputs) -> tuple[set[int], set[int]]:
    """Indexes of the parcel and unit fields the engine reads: edits of other fields cost nothing."""
    names = inputs.parcels.fields().names()
    try:
        fm = parcel_fields(inputs.parcels, inputs.field_overrides, inputs.tbmj_in_mu)
    except InputError:
        fm = None  # the build reports it; until then every attribute edit counts
    if fm is None:
        parcel_attrs = set(range(len(names)))
    else:
        wanted = list(fm.parcels.values()) + list(fm.plan.values())
        parcel_attrs = {names.index(n) for n in wanted if n and n in names}
    unames = inputs.units.fields().names()
    code = resolve_unit_fields(unames, inputs.unit_field).get("DYBH")
    return parcel_attrs, ({unames.index(code)} if code and code in unames else set())
