"""The township PBF limits (core.townships) of an engine, from the PBF and UGB layers (docs/domain.md §7).

The engine keeps its PBF geometries to itself; the front ends (CLI, export, report, balance dock)
read the PBF and urban-growth-boundary layers in the engine's working CRS here and evaluate the
township rules of its pack on them.
"""
from __future__ import annotations

from qgis.core import QgsCoordinateReferenceSystem, QgsVectorLayer
from qgis.PyQt.QtCore import QObject, QTimer, pyqtSignal

from ..core.engine import BalanceEngine, RuleResult
from ..core.townships import TownshipLimits
from .layers import read_polygons


def township_results(engine: BalanceEngine, pbf: QgsVectorLayer | None, ugb: QgsVectorLayer | None,
                     crs: QgsCoordinateReferenceSystem) -> list[RuleResult]:
    """Every township rule for every township with PBF (``unit_code`` = township code); none without PBF.

    ``pbf`` is the PBF layer the engine was built with: the parcels' shares in it are the engine's.

    Without ``ugb`` the rule on PBF inside the urban growth boundary is not judged (``passed`` None).
    """
    if pbf is None or not any(r.scope == "township" for r in engine.pack.rules):
        return []
    return township_limits(pbf, ugb, crs, engine_pbf=True).evaluate(engine)


def township_limits(pbf: QgsVectorLayer, ugb: QgsVectorLayer | None,
                    crs: QgsCoordinateReferenceSystem, engine_pbf: bool = False) -> TownshipLimits:
    """The PBF and UGB layers read in ``crs`` (the engine's working CRS), for repeated evaluation."""
    return TownshipLimits(read_polygons(pbf, crs), read_polygons(ugb, crs) if ugb is not None else None,
                          engine_pbf)


class LiveTownships(QObject):
    """The township limits of a live balance (the balance dock), following its edits and the UGB's.

    After a flush of a few edited parcels only those are read again (``LiveBalance.last_changes``,
    ``TownshipLimits.update``); after a rebuild, a PBF edit, or when a flush was not seen, the PBF
    and UGB layers and every parcel are read again. An edit of the UGB layer (in its edit buffer,
    undone, rolled back or saved) re-reads the UGB alone and the parcels whose PBF is moved out, and
    emits ``changed`` (the live balance itself does not listen to the UGB layer).
    """

    changed = pyqtSignal()

    def __init__(self, live, pbf: QgsVectorLayer, ugb: QgsVectorLayer | None, parent: QObject | None = None):
        super().__init__(parent)
        self.live, self.pbf, self.ugb = live, pbf, ugb
        self._limits: TownshipLimits | None = None
        self._engine = None
        self._flush = None  # the live balance's flush count when last read
        self._ugb_edited = False
        self._connections = []
        if ugb is not None:
            self._connections = [(signal, self._on_ugb_edit) for signal in (
                ugb.geometryChanged, ugb.featureAdded, ugb.featureDeleted, ugb.afterRollBack,
                ugb.afterCommitChanges, ugb.dataChanged)]
            self._connections.append((ugb.willBeDeleted, self.stop))
            for signal, slot in self._connections:
                signal.connect(slot)

    def stop(self) -> None:
        for signal, slot in self._connections:
            try:
                signal.disconnect(slot)
            except (RuntimeError, TypeError):
                pass  # the layer is gone
        self._connections = []

    def _on_ugb_edit(self, *_args) -> None:
        first = not self._ugb_edited
        self._ugb_edited = True
        if first:  # one refresh for a burst of edits (a paste, a rollback)
            QTimer.singleShot(0, self.changed.emit)

    def results(self) -> list[RuleResult]:
        live = self.live
        engine, flush, changes = live.engine, live.flush_count, live.last_changes
        follows = (self._limits is not None and engine is self._engine and changes is not None
                   and not changes.get("pbf") and flush in (self._flush, (self._flush or 0) + 1))
        if not follows:
            same = getattr(getattr(live, "inputs", None), "pbf", None) is self.pbf  # the engine's own PBF
            self._limits = township_limits(self.pbf, self.ugb, live.reader.crs, engine_pbf=same)
        else:
            if flush != self._flush:
                self._limits.update(engine, changes.get("parcels") or ())
            if self._ugb_edited and self.ugb is not None:
                self._limits.set_ugb(read_polygons(self.ugb, live.reader.crs), engine)
        self._ugb_edited = False
        self._engine, self._flush = engine, flush
        return self._limits.evaluate(engine)
