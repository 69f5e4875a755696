"""Keep a :class:`BalanceEngine` current while the planner edits the layers.

Why this shape (docs/architecture.md "Live updates"; facts of QGIS 3.22):

* QGIS emits edit signals per feature and unbatched (a paste of 10 000 features is
  10 000 ``featureAdded``). The slots below only note ids in dirty sets and start a
  single-shot 0 ms timer, so a burst becomes ONE update on the next event-loop turn.
* The flush reads the dirty features with ``QgsFeatureRequest().setFilterFids`` — that
  reads through the edit buffer, so unsaved features and values are seen as the user
  sees them (``changedAttributeValues()`` would miss unsaved new features, QGIS #46734).
* Nothing is trusted about *how* a change happened: whatever ids were touched are
  re-read; ids that no longer exist are removed. Undo/redo, splits, the field
  calculator and the commit's re-emission of new features
  (``featureDeleted(tempId)`` + ``featureAdded(newId)``) therefore need no special case.
* Rollback, a provider-side reload (``dataChanged``), a field added/removed, a new
  subset string or CRS trigger a full rebuild. After every flush the feature count is
  checked against the engine; a mismatch is logged and repaired by a rebuild.
* A full build can run as a cancellable :class:`QgsTask`. It reads through
  :class:`QgsVectorLayerFeatureSource` snapshots made in the main thread (safe to iterate
  in a worker thread); edits made meanwhile stay dirty and are applied when it finishes.

The noted edits and how they are applied live in ``live_edits.py``, the task in ``live_task.py``.

API (for the balance dock)::

    live = LiveBalance(inputs, pack)        # Inputs from adapters.layers, a RulePack
    live.updated.connect(dock.refresh)      # after every flush and every rebuild
    live.rebuildProgress.connect(bar.setValue)   # float, percent 0–100
    live.rebuildFinished.connect(on_done)   # bool ok (False: failed or cancelled)
    live.failed.connect(message_bar_text)   # str, already translated, user can act on it
    live.layerRemoved.connect(on_gone)      # str layer name; live has stopped itself
    live.start(background=True)             # False: synchronous (tests, small layers)
    live.engine                             # the current BalanceEngine (None before 1st build)
    live.flush()                            # apply pending edits now (tests)
    live.rebuild()                          # force a full rebuild
    live.cancel()                           # cancel a running background rebuild
    live.stop()                             # disconnect everything; safe to call twice
    live.is_rebuilding, live.pending, live.running
    live.last_flush_ms, live.last_rebuild_ms, live.flush_count, live.rebuild_count

Slots never raise into Qt: errors are logged to QgsMessageLog (tag "LandConsolidation")
and reported through ``failed``.
"""
from __future__ import annotations

import time
import traceback
from functools import partial
from typing import Callable

from qgis.core import Qgis
from qgis.PyQt.QtCore import QObject, QTimer, pyqtSignal

from ..core.checks import Finding, check_merges
from ..core.engine import BalanceEngine
from ..core.i18n import tr
from ..core.rules import RulePack
from .layers import InputError, Inputs, ParcelReader, build_engine
from .live_edits import PendingEdits, apply_edits, attribute_indexes
from .live_task import BuildTask, SourceLayer, snapshot
from .log import log
from .pieces_writer import PieceWriter
from .signals import cancel_task, disconnect_all


def _log(message: str, level=Qgis.Warning) -> None:
    log(message, level)


def _logged(fn: Callable) -> Callable:
    """``fn`` that logs what it raises instead of raising it (a QgsTask's callback must not raise)."""
    def call(*args):
        try:
            fn(*args)
        except Exception:
            _log(traceback.format_exc(), Qgis.Critical)
    return call


# --------------------------------------------------------------------------- the listener
class LiveBalance(QObject):
    """Incrementally maintained balance of the parcel/unit layers; API in the module docstring."""

    updated = pyqtSignal()
    rebuildProgress = pyqtSignal(float)
    rebuildFinished = pyqtSignal(bool)
    failed = pyqtSignal(str)
    layerRemoved = pyqtSignal(str)

    def __init__(self, inputs: Inputs, pack: RulePack, parent: QObject | None = None):
        super().__init__(parent)
        self.inputs = inputs
        self.pack = pack
        self.engine: BalanceEngine | None = None
        self.reader: ParcelReader | None = None
        self.last_flush_ms = 0.0
        self.last_rebuild_ms = 0.0
        self.flush_count = 0
        self.rebuild_count = 0
        self.compaction_count = 0
        self._background = False
        self._running = False
        self._connections: list[tuple[object, Callable]] = []
        self._task: BuildTask | None = None
        self._generation = 0
        self._rebuild_again = False
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(0)
        self._timer.timeout.connect(self._on_timer)
        self._clear_pending()
        self._parcel_attrs: set[int] = set()
        self._unit_attrs: set[int] = set()
        self._count_offset = (0, 0)
        self.pieces = PieceWriter(self)  # a split/merge also writes the pieces' shares (same undo step)
        # what the last ``updated`` changed, for followers such as the data checks:
        # {"parcels": ids, "units": ids, "pbf": bool} after a flush, None after a full build
        self.last_changes: dict | None = None

    # ------------------------------------------------------------------ public
    @property
    def running(self) -> bool:
        """True between start() and stop()."""
        return self._running

    @property
    def is_rebuilding(self) -> bool:
        return self._task is not None

    @property
    def pending(self) -> bool:
        """Edits noted but not yet applied to the engine."""
        return bool(self._edits)

    def start(self, background: bool = False) -> bool:
        """Connect to the layers and run the first full build.

        ``background=True`` runs it as a QgsTask (progress, cancellable) and returns at once;
        otherwise it builds now and returns whether the build succeeded.
        """
        if self._running:
            self.stop()
        self._background = background
        self._running = True
        self._connect()
        return self._rebuild()

    def rebuild(self, background: bool | None = None) -> bool:
        """Full rebuild now (or as a task); pending edits are folded into it."""
        if not self._running:
            return False
        if background is not None:
            self._background = background
        return self._rebuild()

    def cancel(self) -> None:
        """Cancel a running background rebuild (``rebuildFinished(False)`` follows)."""
        self._rebuild_again = False
        if self._task is not None:
            self._task.cancel()

    def flush(self) -> bool:
        """Apply pending edits synchronously. False if nothing could be applied now."""
        self._timer.stop()
        if not self._running or self._task is not None:
            return False  # a background rebuild is running: applied when it finishes
        if self._edits.rebuild:
            return self._rebuild()
        if self.engine is None or not self.pending:
            return False
        t0 = time.perf_counter()
        try:
            self._apply_pending()
        except Exception:
            self._report(tr("The live balance could not apply an edit; it is being recomputed in full."),
                         traceback.format_exc())
            self._clear_pending()
            return self._rebuild()
        self.last_flush_ms = (time.perf_counter() - t0) * 1000.0
        self.flush_count += 1
        if self._counts_drifted():
            _log(tr("The live balance lost track of some features; recomputing in full."), Qgis.Info)
            return self._rebuild()
        self.updated.emit()
        return True

    def note_changes(self, parcels=(), units=(), pbf: bool = False, rebuild: bool = False, reshaped=()) -> None:
        """Changes made outside this QGIS (another planner's commit, ``live_postgres``): the ids are
        re-read on the next flush like the planner's own edits (parcels: plan attributes only;
        ``reshaped``: parcels whose geometry the database changed too, read whole)."""
        self._edits.parcel_attributes.update(parcels)
        self._edits.parcels.update(reshaped)
        self._edits.outside.update(reshaped)
        self._edits.units.update(units)
        self._edits.pbf = self._edits.pbf or pbf
        self._edits.rebuild = self._edits.rebuild or rebuild
        self._schedule()

    def stop(self) -> None:
        """Disconnect every signal, cancel a running rebuild, drop pending edits."""
        self._running = False
        self._timer.stop()
        disconnect_all(self._connections)
        self._connections = []
        self._generation += 1  # a task still running finishes into the void
        cancel_task(self._task)
        self._task = None
        self._rebuild_again = False
        self._clear_pending()

    def warnings(self) -> list[str]:
        """Data problems the planner should see (reader and engine)."""
        out = []
        if self.engine is not None:
            out += [tr("Not assessable: {0}").format(p.message) for p in self.engine.problems()]
        out += self.reader.warnings() if self.reader is not None else []
        out += [f.message for f in self.merge_findings()]
        return out + (self.engine.warnings() if self.engine is not None else [])

    def merge_findings(self) -> list[Finding]:
        """Error findings of merges across land classes made in this session (core.checks.check_merges)."""
        return check_merges(self.pieces.merged_parcels())

    # ------------------------------------------------------------------ connections
    def _on(self, signal, slot: Callable) -> None:
        signal.connect(slot)
        self._connections.append((signal, slot))

    def _connect(self) -> None:
        p, u, b = self.inputs.parcels, self.inputs.units, self.inputs.pbf
        self._on(p.featureAdded, self._guard(self._parcel_touched))
        self._on(p.geometryChanged, self._guard(lambda fid, _g: self._parcel_touched(fid)))
        self._on(p.featureDeleted, self._guard(self._parcel_deleted))
        self._on(p.attributeValueChanged, self._guard(self._parcel_attribute))
        self._on(u.featureAdded, self._guard(self._unit_touched))
        self._on(u.geometryChanged, self._guard(lambda fid, _g: self._unit_touched(fid)))
        self._on(u.featureDeleted, self._guard(self._unit_deleted))
        self._on(u.attributeValueChanged, self._guard(self._unit_attribute))
        for layer in (p, u):
            for sig in (layer.afterRollBack, layer.dataChanged, layer.updatedFields, layer.subsetStringChanged,
                        layer.crsChanged):
                self._on(sig, self._guard(self._request_rebuild))
        if b is not None:
            for sig in (b.featureAdded, b.featureDeleted, b.afterRollBack, b.dataChanged, b.subsetStringChanged,
                        b.crsChanged):
                self._on(sig, self._guard(self._pbf_touched))
            self._on(b.geometryChanged, self._guard(self._pbf_touched))
        for layer in (p, u) + ((b,) if b is not None else ()):
            self._on(layer.willBeDeleted, self._guard(partial(self._layer_gone, layer.name())))
        pieces = self.pieces
        self._on(p.editCommandStarted, self._guard(pieces.started))
        self._on(p.editCommandEnded, self._guard(pieces.ended))
        self._on(p.editCommandDestroyed, self._guard(pieces.cancelled))
        for sig in (p.afterCommitChanges, p.afterRollBack):
            self._on(sig, self._guard(pieces.reset))
        for layer in (p, u):
            self._on(layer.afterCommitChanges, self._guard(self._compact_soon))
        self._resolve_attribute_indexes()

    def _resolve_attribute_indexes(self) -> None:
        """Indexes of the fields the engine reads: edits of other fields cost nothing."""
        self._parcel_attrs, self._unit_attrs = attribute_indexes(self.inputs)

    def _guard(self, fn: Callable) -> Callable:
        def slot(*args):
            try:
                fn(*args)
            except Exception:
                self._report(tr("The live balance could not follow an edit."), traceback.format_exc())
        return slot

    # ------------------------------------------------------------------ slots: note ids only
    def _schedule(self) -> None:
        if self._running and not self._timer.isActive():
            self._timer.start()

    def _parcel_touched(self, fid: int) -> None:
        self._edits.parcels.add(fid)
        self.pieces.note(fid)
        self._schedule()

    def _parcel_deleted(self, fid: int) -> None:
        self.pieces.note(fid)
        self._edits.parcels.discard(fid)
        self._edits.parcel_attributes.discard(fid)
        self._edits.parcels_removed.add(fid)
        self._schedule()

    def _parcel_attribute(self, fid: int, idx: int, _value) -> None:
        if idx in self._parcel_attrs:
            self._edits.parcel_attributes.add(fid)
            self._schedule()

    def _unit_touched(self, fid: int) -> None:
        self._edits.units.add(fid)
        self._schedule()

    def _unit_deleted(self, fid: int) -> None:
        self._edits.units.discard(fid)
        self._edits.units_removed.add(fid)
        self._schedule()

    def _unit_attribute(self, fid: int, idx: int, _value) -> None:
        if idx in self._unit_attrs:
            self._edits.units.add(fid)
            self._schedule()

    def _pbf_touched(self, *_args) -> None:
        self._edits.pbf = True
        self._schedule()

    def _request_rebuild(self, *_args) -> None:
        self._edits.rebuild = True
        self._schedule()

    def _layer_gone(self, name: str) -> None:
        self.stop()
        _log(tr("The layer {0} was removed; the live balance stopped.").format(name), Qgis.Info)
        self.layerRemoved.emit(name)

    def _compact_soon(self) -> None:
        """After a save (a pause the planner expects), once the save has finished: fold the edits since
        the build into the engine's columns when they have grown (``BalanceEngine.compact``; the numbers
        stay the same, the edits after it stay fast). Never inside an edit, never during a rebuild."""
        QTimer.singleShot(0, self._guard(self._compact))

    def _compact(self) -> None:
        engine = self.engine
        if self._running and self._task is None and engine is not None and engine.needs_compaction():
            t0 = time.perf_counter()
            engine.compact()
            self.compaction_count += 1
            _log(tr("Live balance: the edits since the last build were compacted in {0:.2f} s.").format(
                time.perf_counter() - t0), Qgis.Info)

    def _on_timer(self) -> None:
        try:
            self.flush()
        except Exception:
            self._report(tr("The live balance could not be updated."), traceback.format_exc())

    # ------------------------------------------------------------------ applying edits
    def _clear_pending(self) -> None:
        self._edits = PendingEdits()

    def _apply_pending(self) -> None:
        edits = self._edits
        self._clear_pending()
        self.last_changes = edits.changes()
        engine = self.engine
        had = sum(map(engine.has_parcel, edits.outside))
        apply_edits(engine, self.reader, self.inputs, edits)
        if edits.outside:  # rows the database made or folded away: the layer's feature count does not know them
            made = sum(map(engine.has_parcel, edits.outside)) - had
            self._count_offset = (self._count_offset[0] - made, self._count_offset[1])

    def _counts(self) -> tuple[int, int]:
        return (self.inputs.parcels.featureCount() - self.engine.parcel_count(),
                self.inputs.units.featureCount() - self.engine.unit_count())

    def _counts_drifted(self) -> bool:
        try:
            return self._counts() != self._count_offset
        except RuntimeError:
            return False

    # ------------------------------------------------------------------ full rebuild
    def _rebuild(self) -> bool:
        self._timer.stop()
        if self._task is not None:  # restart once the running one has stopped
            self._rebuild_again = True
            self._task.cancel()
            return False
        self._clear_pending()  # the build reads the layers as they are now, edit buffer included
        self._generation += 1
        if self._background:
            return self._start_task()
        t0 = time.perf_counter()
        try:
            engine, reader = build_engine(self.inputs, self.pack, progress=lambda f: self.rebuildProgress.emit(100 * f),
                                          refuse=False)
        except InputError as e:
            self._report(str(e))
            self.rebuildFinished.emit(False)
            return False
        except Exception:
            self._report(tr("The balance could not be computed; see the message log for details."),
                         traceback.format_exc())
            self.rebuildFinished.emit(False)
            return False
        self._install(engine, reader, t0)
        return True

    def _start_task(self) -> bool:
        try:
            inputs = snapshot(self.inputs)
        except RuntimeError:
            self._report(tr("A layer of the live balance is no longer available."), traceback.format_exc())
            return False
        generation = self._generation
        t0 = time.perf_counter()
        task = BuildTask(inputs, self.pack, _logged(lambda t: self._task_done(t, generation, t0)))
        task.progressChanged.connect(lambda p: self.rebuildProgress.emit(float(p)))
        self._task = task
        from qgis.core import QgsApplication

        QgsApplication.taskManager().addTask(task)
        return True

    def _task_done(self, task: BuildTask, generation: int, t0: float) -> None:
        if generation != self._generation or not self._running:
            return  # stopped meanwhile
        self._task = None
        if task.ok:
            reader = task.reader_for(self.inputs.parcels)
            # the offset refers to the snapshot: edits made since are still pending
            snap = task.inputs
            counts = (snap.parcels.featureCount() - task.engine.parcel_count(),
                      snap.units.featureCount() - task.engine.unit_count())
            self._install(task.engine, reader, t0, keep_pending=True, counts=counts)
        else:
            if task.error and not self._rebuild_again:
                message = task.error if "Traceback" not in task.error else tr(
                    "The balance could not be computed; see the message log for details.")
                self._report(message, task.error)
            self.rebuildFinished.emit(False)
        if self._rebuild_again:
            self._rebuild_again = False
            self._rebuild()
        elif self.pending:
            self._schedule()

    def _install(self, engine: BalanceEngine, reader: ParcelReader, t0: float, keep_pending: bool = False,
                 counts: tuple[int, int] | None = None) -> None:
        if not keep_pending:
            self._clear_pending()
        self.engine, self.reader = engine, reader
        self.last_changes = None
        self._resolve_attribute_indexes()
        # layer count − engine count; a change after a flush means an edit was missed
        self._count_offset = counts if counts is not None else self._counts()
        self.last_rebuild_ms = (time.perf_counter() - t0) * 1000.0
        self.rebuild_count += 1
        self.rebuildFinished.emit(True)
        self.updated.emit()

    def _report(self, message: str, details: str | None = None) -> None:
        _log(message + ("\n" + details if details else ""), Qgis.Critical if details else Qgis.Warning)
        self.failed.emit(message)


__all__ = ["LiveBalance", "SourceLayer"]
