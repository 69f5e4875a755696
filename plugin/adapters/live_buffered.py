"""Conflict checks under QGIS's *buffered* transaction groups (QGIS 3.26+; issue 12, docs/postgis.md,
"Refused saves").

In buffered mode QGIS commits through ``QgsVectorLayerEditBufferGroup::commitChanges``:
``QgsVectorLayer::commitChanges`` hands the commit to ``QgsProject::commitChanges`` before it would
emit ``beforeCommitChanges``, and the group emits nothing before it sends the edits — only
``beforeModifiedCheck`` (its ``modifiedLayers()`` asks every layer ``isModified()``). It then sends
the deletes of every layer, the additions, then the changes, all in one transaction per database,
and rolls that transaction back when a step fails. So :class:`BufferedCheck`:

* writes the version seen into the edit buffer **when the edit is made**, inside the planner's edit
  command (``isEditCommandActive``: the tagging dock, QGIS's attribute table, forms and map tools
  all edit in one): one undo step with the edit, so Undo takes both back and Redo brings both.
  QGIS's ``UPDATE`` carries it and the database's ``lc_stamp`` refuses a row another planner
  committed since (``LC409``). An edit made outside an edit command (a script's
  ``changeAttributeValue`` without ``beginEditCommand``) would need an undo step of its own: it is
  not stamped, hence not checked.
* notes the versions seen of the units in the buffer's deletes (``lc_read_for_delete``) whenever
  QGIS asks whether the layer is modified and the deleted rows differ from those last noted: the
  group's commit asks before it sends anything.
* after a refused commit (the rollback's ``dataChanged``): QGIS's edit buffers have forgotten the
  steps sent before the refusal (a unit's delete, another layer's changes) although the database
  rolled them back, while their undo stacks still hold them. The buffer is rebuilt from its undo
  stack (undone to its start, redone to where it was), so nothing is lost, and the refusal is said
  (the provider's error: the group does not put it in the commit errors). One step cannot be kept:
  a deletion sent before the refusal — QGIS's PostgreSQL provider forgets a deleted feature's id as
  soon as its ``DELETE`` ran (``QgsPostgresProvider::deleteFeatures``: ``mShared->removeFid``), even
  inside the group's transaction that is then rolled back, so the deletion kept in the buffer can no
  longer be sent. The planner is told which (undo it, delete the feature again).
"""
from __future__ import annotations

from typing import Optional

from qgis.core import QgsFeatureRequest

from ..core.i18n import tr
from .live_conflict import STAMP_COMMAND, conflict_message
from .qgis_compat import REQUEST_NO_GEOMETRY


class BufferedCheck:
    """The version stamp's part under buffered transaction groups (module docstring)."""

    def __init__(self, stamp):
        self.stamp = stamp
        self._command: set[int] = set()  # rows stamped in the edit command underway
        self._noted: dict[int, int] = {}  # rows whose deletion is noted in the database -> version noted
        self._replaying = False

    def slots(self, layer) -> list:
        """(signal, slot) pairs of ``layer`` this check listens to."""
        return [(layer.editCommandStarted, self.command_started), (layer.attributeValueChanged, self.attribute_changed),
                (layer.geometryChanged, self.geometry_changed), (layer.beforeModifiedCheck, self.modified_check),
                (layer.committedAttributeValuesChanges, self.committed),
                (layer.committedGeometriesChanges, self.committed), (layer.committedFeaturesRemoved, self.removed)]

    def active(self) -> bool:
        return self.stamp.index >= 0 and self.stamp.mode() == "buffered" and self.stamp.layer.isEditable()

    def command_started(self, *_args) -> None:
        self._command = set()

    def attribute_changed(self, fid: int, field: int, *_args) -> None:
        if field != self.stamp.index:
            self._stamp(fid)

    def geometry_changed(self, fid: int, *_args) -> None:
        self._stamp(fid)

    def _stamp(self, fid: int) -> None:
        """The version seen of ``fid`` into the edit command underway (once per row and command)."""
        layer = self.stamp.layer
        if self._replaying or fid < 0 or fid in self._command or not self.active():
            return
        if not getattr(layer, "isEditCommandActive", lambda: False)():
            return  # outside an edit command: the stamp would be an undo step of its own
        version = self._seen(fid)
        if version is not None:
            self._command.add(fid)
            layer.changeAttributeValue(fid, self.stamp.index, version)

    def _seen(self, fid: int) -> Optional[int]:
        self.stamp.read_unseen({fid})
        return self.stamp.seen.get(fid)

    def restamp(self, missing_only: bool = False) -> int:
        """Write the versions seen into the buffer of every changed row (one undo step): after *Save
        mine over theirs*, or for rows edited before the session watched them (``missing_only``)."""
        if not self.active():
            return 0
        changed, _deleted = self.stamp.buffered_rows()
        values = self.stamp.layer.editBuffer().changedAttributeValues()
        index = self.stamp.index
        wanted = {fid: self._seen(fid) for fid in sorted(changed)}
        stale = {fid: v for fid, v in wanted.items() if v is not None and values.get(fid, {}).get(index) != v
                 and not (missing_only and index in values.get(fid, {}))}
        if stale:
            layer = self.stamp.layer
            layer.beginEditCommand(STAMP_COMMAND)
            for fid, version in stale.items():
                layer.changeAttributeValue(fid, index, version)
            layer.endEditCommand()
        return len(stale)

    def modified_check(self, *_args) -> None:
        """QGIS asks whether the layer is modified (also first thing in the group's commit): note the
        versions seen of the rows deleted in the buffer, when they changed since the last note."""
        if self._replaying or not self.active():
            return
        buffer = self.stamp.layer.editBuffer()
        deleted = {fid for fid in buffer.deletedFeatureIds() if fid >= 0} if buffer is not None else set()
        self.note(deleted)

    def note(self, deleted: set[int]) -> None:
        wanted = {fid: v for fid in deleted if (v := self._seen(fid)) is not None}
        if wanted == self._noted:
            return
        gone = set(self._noted) - set(wanted)
        if gone:
            self.stamp.note_deletes(gone)  # undone deletes: the notes taken back
        changed = {fid: v for fid, v in wanted.items() if self._noted.get(fid) != v}
        if changed:
            self.stamp.note_deletes(changed, changed)
        self._noted = wanted

    def committed(self, _layer_id: str, rows) -> None:
        """QGIS wrote these rows' changes in the group's transaction (not yet committed)."""
        if self.stamp.mode() == "buffered":
            self.stamp.sent[0].update(fid for fid in rows if fid >= 0)

    def removed(self, _layer_id: str, fids) -> None:
        if self.stamp.mode() == "buffered":
            self.stamp.sent[1].update(fid for fid in fids if fid >= 0)

    def saved(self) -> None:
        """The group's commit went through (``afterCommitChanges``): the deletes' notes are consumed."""
        self._noted = {}

    def rolled_back(self) -> None:
        """The layer's data changed while it is edited: after a refused commit QGIS rolled its transaction
        back; rebuild the buffer from the undo stack and say the refusal (once)."""
        if self._replaying or not self.active():
            return
        layer = self.stamp.layer
        self.stamp.sent = (set(), set())
        provider = layer.dataProvider()
        errors = list(provider.errors()) if provider.hasErrors() else []
        if errors:
            provider.clearErrors()
        stack = layer.undoStack()
        index = stack.index()
        if index > 0:
            self._replaying = True
            try:
                stack.setIndex(0)
                stack.setIndex(index)
            finally:
                self._replaying = False
        message = conflict_message(errors)
        if message:
            self.stamp.refused.emit(message)
        lost = self._forgotten()
        if lost:
            self.stamp.notice.emit(tr(
                "QGIS forgot the deletion of features {0} of {1} when the save was refused (its PostgreSQL provider "
                "drops a deleted feature's id even when the deletion is rolled back): it cannot be saved as it is. "
                "Undo that deletion, then delete the feature again before you save.").format(
                ", ".join(str(fid) for fid in sorted(lost)), layer.name()))

    def _forgotten(self) -> set[int]:
        """Rows deleted in the buffer whose feature id QGIS's provider no longer knows (a deletion sent in
        a refused group commit: ``QgsPostgresProvider::deleteFeatures`` calls ``removeFid``)."""
        buffer = self.stamp.layer.editBuffer()
        deleted = sorted(fid for fid in buffer.deletedFeatureIds() if fid >= 0) if buffer is not None else []
        if not deleted:
            return set()
        request = QgsFeatureRequest().setFilterFids(deleted).setFlags(REQUEST_NO_GEOMETRY).setNoAttributes()
        found = {feature.id() for feature in self.stamp.layer.dataProvider().getFeatures(request)}
        return set(deleted) - found
