"""With the session running, a split or merge also writes the pieces' TBMJ / KCMJ / TBDLMJ.

The engine already counts every piece of a survey parcel with its share (core.pieces); this
writes those numbers into the features, so the layer on disk says what the balance counts.

How it joins QGIS's own undo step: QGIS's *Split Features* and *Merge Selected Features*
(and *Paste*, *Reshape*, *Vertex tool*…) wrap their edits in ``beginEditCommand`` /
``endEditCommand``, one macro on the layer's undo stack. While a command is open the ids of
the parcels it adds, deletes or reshapes are noted; at ``editCommandEnded`` the pending edits
are applied to the engine at once (so it still knows what the deleted features counted), the
new values are worked out (:func:`core.pieces.conserved_areas`: what a parcel counted moves
with its pieces, a merge sums), and each attribute change is appended to that macro as a
child command (``QUndoCommand(parent=macro)``, applied at once). One *Undo* then takes back
the split and the written values together; *Redo* brings both. Edits made outside an edit
command (scripts) and undo/redo themselves write nothing: the engine's numbers are right
either way.

A merge of parcels of different DLBM is remembered (the merged feature can carry only one
class: the "before" class of the others would be lost) and reported through
:func:`core.checks.check_merges`.
"""
from __future__ import annotations

from typing import Hashable

from qgis.core import QgsFeatureRequest, QgsVectorLayer, QgsVectorLayerUndoCommandChangeAttribute
from qgis.PyQt.QtWidgets import QUndoCommand

from ..core.areas import MU_M2
from ..core.checks import MergedParcels
from ..core.i18n import tr
from ..core.pieces import conserved_areas, find_merges, survey_key
from .qgis_compat import REQUEST_NO_GEOMETRY

_TOLERANCE = 1e-6  # m²: values that close are left as they are
_AREA_FIELDS = ("TBMJ", "KCMJ", "TBDLMJ")


class _Joined(QUndoCommand):
    """An attribute change made part of an edit command already on the undo stack."""

    def __init__(self, parent: QUndoCommand, inner: QgsVectorLayerUndoCommandChangeAttribute):
        super().__init__(parent)
        self.inner = inner

    def redo(self) -> None:
        self.inner.redo()

    def undo(self) -> None:
        self.inner.undo()


class PieceWriter:
    """Follows the parcel layer's edit commands for a :class:`~.live.LiveBalance`."""

    def __init__(self, live):
        self.live = live
        self.active = False
        self.touched: set[int] = set()
        self.merges: dict[Hashable, MergedParcels] = {}
        self._keep: list[_Joined] = []  # sip keeps a Python child command alive only while we do

    # ------------------------------------------------------------------ slots (LiveBalance connects them)
    def started(self, *_args) -> None:
        self.active = True
        self.touched = set()

    def note(self, fid: int) -> None:
        if self.active:
            self.touched.add(fid)

    def cancelled(self, *_args) -> None:
        self.active = False
        self.touched = set()

    def ended(self, *_args) -> None:
        self.active = False
        touched, self.touched = self.touched, set()
        live = self.live
        if touched and live.engine is not None and not live.is_rebuilding and live.running:
            self._write(touched)

    def reset(self, *_args) -> None:
        """Commit or rollback: the undo stack is cleared, our child commands went with it."""
        self._keep = []
        self.merges = {}

    # ------------------------------------------------------------------ the work
    def _write(self, touched: set[int]) -> None:
        live = self.live
        engine, layer = live.engine, live.inputs.parcels
        # before: every piece of every parcel the command touched, as the engine counted it
        group = {pid for pid in touched if engine.has_parcel(pid)}
        bsms = {engine.raw_record(pid).bsm for pid in group} - {None}
        for bsm in bsms:
            group.update(engine.pieces(bsm))
        before = {pid: (engine.raw_record(pid).bsm, engine.parcel_record(pid), engine.parcel_geometry(pid))
                  for pid in group}
        live.flush()  # the engine now has the edit
        if live.engine is not engine:
            return  # it was rebuilt in full: nothing to compare with
        after_ids = {pid for pid in group | touched if engine.has_parcel(pid)}
        # pieces of a BSM the command gave a feature (the split/merge tools never do: the merged
        # feature takes one of its parts' BSM) count with what they count now
        for bsm in {engine.raw_record(pid).bsm for pid in after_ids} - {None}:
            for pid in engine.pieces(bsm):
                if pid not in after_ids:
                    after_ids.add(pid)
                    if pid not in before:
                        before[pid] = (bsm, engine.parcel_record(pid), engine.parcel_geometry(pid))
        after = {pid: (engine.raw_record(pid).bsm, engine.parcel_measured_area(pid), engine.parcel_geometry(pid))
                 for pid in after_ids}
        merges = find_merges({pid: b[2] for pid, b in before.items()}, {pid: a[2] for pid, a in after.items()})
        self._note_merges(merges, before, after)
        keys = {pid: survey_key(engine.raw_record(pid)) for pid in after}
        changes = self._changes(conserved_areas(before, after, merges, keys))
        if changes:
            self._apply(layer, changes)
            live.flush()

    def _note_merges(self, merges: dict, before: dict, after: dict) -> None:
        table = self.live.engine.table
        for pid, parts in merges.items():
            classes = tuple(sorted({table.resolve(before[p][1].dlbm) for p in parts if p in before}))
            if len(classes) > 1:
                self.merges[pid] = MergedParcels(pid, classes, tuple(p for p in parts if p != pid), after[pid][2])

    def _changes(self, targets: dict) -> list[tuple[int, int, float]]:
        """(fid, field index, value in the layer's unit) of every area that has to change."""
        live = self.live
        fields = live.reader.fields
        names = live.inputs.parcels.fields().names()
        unit = MU_M2 if fields.tbmj_in_mu else 1.0
        index = {canon: names.index(fields.parcels[canon]) for canon in _AREA_FIELDS
                 if fields.parcels.get(canon) in names}
        out = []
        for pid, values in sorted(targets.items()):
            raw = live.engine.raw_record(pid)
            for canon, value in zip(_AREA_FIELDS, values):
                if canon not in index:
                    continue
                current = getattr(raw, canon.lower())
                if current is None or abs(current - value) > _TOLERANCE:
                    out.append((pid, index[canon], value / unit))
        return out

    def _apply(self, layer: QgsVectorLayer, changes: list) -> None:
        stack = layer.undoStack()
        macro = stack.command(stack.index() - 1) if stack is not None and stack.index() > 0 else None
        buffer = layer.editBuffer()
        if buffer is None:
            return  # not editable (a provider-side change): the engine's numbers stand
        if macro is None:
            layer.beginEditCommand(tr("Share TBMJ among the pieces"))
            for fid, idx, value in changes:
                layer.changeAttributeValue(fid, idx, value)
            layer.endEditCommand()
            return
        request = QgsFeatureRequest().setFilterFids(sorted({fid for fid, _i, _v in changes}))
        request.setFlags(REQUEST_NO_GEOMETRY)
        request.setSubsetOfAttributes(sorted({idx for _f, idx, _v in changes}))
        current = {f.id(): f.attributes() for f in layer.getFeatures(request)}
        for fid, idx, value in changes:
            old = current[fid][idx] if fid in current else None
            child = _Joined(macro, QgsVectorLayerUndoCommandChangeAttribute(buffer, fid, idx, value, old))
            child.redo()
            self._keep.append(child)

    # ------------------------------------------------------------------ findings
    def merged_parcels(self) -> list[MergedParcels]:
        """Merges across land classes that are still in the layer (an undo takes them back)."""
        engine = self.live.engine
        if engine is None:
            return []
        return [m for pid, m in sorted(self.merges.items(), key=lambda kv: str(kv[0]))
                if engine.has_parcel(pid) and not any(engine.has_parcel(p) for p in m.parts)]


__all__ = ["PieceWriter"]
