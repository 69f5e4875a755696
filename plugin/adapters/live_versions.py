"""Optimistic locking through QGIS's own commit, on layers of the ``postgres`` provider (issue 12;
docs/postgis.md, "Refused saves").

:class:`VersionStamp` keeps the ``version`` of every plan row as the planner's session loaded the
layer — what the planner saw, not what the database holds when the planner first edits the row:
another planner's commit in between makes the edit out of date. Just before QGIS commits, the
version seen is written into the edit buffer of each changed row, so QGIS's ``UPDATE`` carries it
and the database's trigger refuses a row another planner changed (SQLSTATE ``LC409``, detail
``lc-conflict {json}``). A ``DELETE`` carries no version: the versions seen of the rows about to be
deleted are noted in the database first (``lc_read_for_delete``, migration 8), where the delete
trigger checks them (units; pieces of split parcels on the ``parcels`` view: the view's trigger,
migration 17, ``postgis/split_check_sql.py``). QGIS keeps the edit buffer of a refused commit; the stamp says so in one
translated sentence naming who and when (``refused``). After the planner's own commit, the rows
written are read again (their new version is the planner's own); a reload of the layer (QGIS's
``dataChanged``: the layer shows the database as it is) reads every version again, except those of
the rows in the edit buffer. The versions are read in a worker thread (``live_versions_read``); a
commit waits for them. Under QGIS's *automatic* transaction groups each edit reaches the database as
it is made: right after it, the rows it changed or deleted are checked in that transaction
(``postgis/tx_check.py``, migration 10) and an edit of a row another planner changed since is undone
and refused. Under *buffered* groups (all layers' buffers committed together, without
``beforeCommitChanges``) the version seen is written into the buffer as the edit is made, in its
edit command (``live_buffered``).
"""
from __future__ import annotations

from typing import Callable, Iterable, Optional

import numpy as np
from qgis.core import Qgis, QgsDataSourceUri, QgsFeatureRequest, QgsProviderRegistry, QgsVectorLayer
from qgis.PyQt.QtCore import QObject, QTimer, pyqtSignal

from ..core.i18n import tr
from .live_buffered import BufferedCheck
from .live_conflict import STAMP_COMMAND, conflict_message, refusal_message
from .live_versions_read import Pairs, VersionRead
from .log import log
from .postgis.connection import sql_identifier
from .postgis.split_check_sql import CHECK_DELETE_FUNCTION
from .qgis_compat import REQUEST_NO_GEOMETRY

VERSION_FIELD = "version"
PARCEL_TABLES = ("parcels", "plan_parcel")
READ_FOR_DELETE = "lc_read_for_delete(text, bigint[], integer[])"  # migration 8


def table_of(layer: Optional[QgsVectorLayer]) -> Optional[tuple[str, str, str]]:
    """(connection info without password, schema, table) of a ``postgres`` provider layer, else None."""
    if layer is None or layer.providerType() != "postgres":
        return None
    uri = QgsDataSourceUri(layer.source())
    info = QgsDataSourceUri(uri.connectionInfo(False))
    info.setPassword("")
    return info.connectionInfo(False), uri.schema() or "public", uri.table()


def may_execute(connection, function: str) -> Optional[bool]:
    """Whether the connection's role may execute ``function`` (``schema.name(types)``, names quoted),
    asked of the database's catalogue, not read from an error's text (servers send it in their
    ``lc_messages`` language); None: no such function, or the question itself failed."""
    if connection is None:
        return None
    literal = "'" + function.replace("'", "''") + "'"
    try:
        rows = connection.executeSql(f"SELECT CASE WHEN to_regprocedure({literal}) IS NULL THEN 'missing' WHEN "
                                     f"has_function_privilege({literal}, 'EXECUTE') THEN 'yes' ELSE 'no' END")
    except Exception:  # QgsProviderConnectionException
        return None
    answer = str(rows[0][0]) if rows and rows[0] else "missing"
    return {"yes": True, "no": False}.get(answer)


def notes_failed_message(table: str, schema: str, may: Optional[bool], error: str) -> str:
    """Why deleted rows of ``table`` go unchecked: the role may not note versions (``may`` False:
    migration 9 grants it to the planners only), else the function is missing or failed."""
    if may is False:
        return tr("Deleted rows of {0} are saved without the check for other planners' changes: your database "
                  "role may not note the versions you saw. Ask the database administrator for GRANT EXECUTE ON "
                  "FUNCTION {1}.lc_read_for_delete(text, bigint[], integer[]) TO your role.").format(
            table, sql_identifier(schema))
    return tr("Deleted rows of {0} are saved without the version check (run db init to add it): {1}").format(
        table, error.strip())


def read_versions(layer: QgsVectorLayer, index: int, fids: Optional[Iterable[int]] = None) -> dict[int, int]:
    """fid -> ``version`` as the database has it now (every row without ``fids``), no geometry."""
    request = QgsFeatureRequest().setFlags(REQUEST_NO_GEOMETRY)
    if fids is not None:
        request.setFilterFids(list(fids))
    request.setSubsetOfAttributes([index])
    return {f.id(): f.attribute(index) for f in layer.dataProvider().getFeatures(request)}


class SeenVersions:
    """The version of every row when the session loaded the layer (two sorted arrays: 200 000 parcels
    are a few MB), with the rows read since (the planner's own commits, *Save mine over theirs*)."""

    def __init__(self, loaded: dict[int, int] | Pairs):
        if isinstance(loaded, tuple):  # (fids, versions) sorted by fid: live_versions_read
            self._fids, self._versions = loaded
        else:
            items = sorted((fid, int(v)) for fid, v in loaded.items() if isinstance(v, int))
            self._fids = np.array([f for f, _v in items], dtype=np.int64)
            self._versions = np.array([v for _f, v in items], dtype=np.int64)
        self.since: dict[int, Optional[int]] = {}  # fid -> version read later (None: deleted by this planner)

    def get(self, fid: int) -> Optional[int]:
        if fid in self.since:
            return self.since[fid]
        k = int(np.searchsorted(self._fids, fid))
        if k < len(self._fids) and self._fids[k] == fid:
            return int(self._versions[k])
        return None

    def __contains__(self, fid: int) -> bool:
        return self.get(fid) is not None


class VersionStamp(QObject):
    """Writes the version seen into QGIS's edit buffer before a commit (module docstring)."""

    refused = pyqtSignal(str)  # the translated refusal, naming who and when
    notice = pyqtSignal(str)  # a translated warning: deleted rows saved without the check

    def __init__(self, layer: QgsVectorLayer, parent: Optional[QObject] = None,
                 mode: Callable[[], str] = lambda: "off"):
        super().__init__(parent)
        self.layer = layer
        self.index = layer.fields().indexOf(VERSION_FIELD)
        self.mode = mode  # qgis_compat.transaction_mode of the project: "off", "automatic", "buffered"
        self.in_transaction = TransactionCheck(self)  # the checks under automatic transaction groups
        self.buffered = BufferedCheck(self)  # the stamps under buffered transaction groups
        self._seen = SeenVersions({})
        self._reading: Optional[VersionRead] = None
        self._kept: dict[int, int] = {}  # versions seen of the rows in the buffer at a reload underway
        # a reload while the previous read still ran: (that read, its kept versions, the rows then in the buffer)
        self._deferred: Optional[tuple[VersionRead, dict[int, int], set[int]]] = None
        self._read_all()
        self.sent: tuple[set[int], set[int]] = (set(), set())  # (changed, deleted) rows of the commit underway
        self._stamped = self._committed = False
        self._notes_failed = False
        self._view_check_asked = False  # whether the role may run the view's delete check: asked once
        edited, buffered = self.in_transaction.edited, self.buffered
        self._connections = [(layer.beforeCommitChanges, self._before_commit),
                             (layer.afterCommitChanges, self._done), (layer.afterRollBack, self._rolled_back),
                             (layer.dataChanged, self._reloaded), (layer.attributeValueChanged, edited),
                             (layer.geometryChanged, edited), (layer.featureDeleted, edited),
                             *buffered.slots(layer)]
        for signal, slot in self._connections:
            signal.connect(slot)

    @staticmethod
    def applies_to(layer: Optional[QgsVectorLayer]) -> bool:
        """A ``postgres`` layer of a planning table or the ``parcels`` view (it has ``version``)."""
        found = table_of(layer)
        return found is not None and VERSION_FIELD in layer.fields().names() and (
            found[2] in PARCEL_TABLES or found[2].startswith("plan_"))

    def _read_all(self) -> None:
        """Start reading every row's version (a worker thread; :attr:`seen` waits for it)."""
        if self.index >= 0:
            self._reading = VersionRead(self.layer, VERSION_FIELD, lambda: read_versions(self.layer, self.index))

    @property
    def seen(self) -> SeenVersions:
        """The versions seen; waits for a read underway (no commit is stamped without them)."""
        if self._deferred is not None:  # the buffered rows of a reload keep their versions of the read before it
            reading, kept, ids = self._deferred
            self._deferred = None
            before = SeenVersions(reading.wait())
            before.since.update(kept)
            self._kept = {**{fid: before.get(fid) for fid in ids if before.get(fid) is not None}, **self._kept}
        if self._reading is not None:
            reading, self._reading = self._reading, None
            self._seen = SeenVersions(reading.wait())
            self._seen.since.update(self._kept)
            self._kept = {}
        return self._seen

    def stop(self) -> None:
        for signal, slot in self._connections:
            try:
                signal.disconnect(slot)
            except (RuntimeError, TypeError):
                pass
        self._connections = []

    def _reloaded(self, *_args) -> None:
        """The layer was reloaded (``QgsVectorLayer.reload``: after a unit's status change saved at once
        through the plugin's own connection, say): the planner sees every row as it is now, except the
        rows in the edit buffer, which keep the version seen when they were edited."""
        if self.index < 0:
            return
        self.buffered.rolled_back()  # buffered groups: a refused commit's rollback (the buffer rebuilt first)
        changed, deleted = self.buffered_rows()
        reading = self._reading
        if reading is not None and not reading.done and self._deferred is None:
            # the previous read still runs: not waited for here (QGIS stays responsive); the rows in the
            # buffer take their versions from it when the versions are needed (``seen``)
            self._deferred, self._reading, self._kept = (reading, self._kept, changed | deleted), None, {}
        else:
            kept = {fid: self.seen.get(fid) for fid in changed | deleted}
            self._kept = {fid: v for fid, v in kept.items() if v is not None}
        self._read_all()

    def buffered_rows(self) -> tuple[set[int], set[int]]:
        """(changed, deleted) rows of the database in the edit buffer (added ones have no version)."""
        buffer = self.layer.editBuffer() if self.layer.isEditable() else None
        if buffer is None:
            return set(), set()
        changed = set(buffer.changedAttributeValues()) | set(buffer.changedGeometries())
        return {f for f in changed if f >= 0}, {f for f in buffer.deletedFeatureIds() if f >= 0}

    def read_unseen(self, fids: set[int]) -> None:
        """Rows the session never loaded (added by another planner since): their version now."""
        unseen = [fid for fid in fids if fid not in self.seen]
        if unseen and self.index >= 0:
            self.seen.since.update(read_versions(self.layer, self.index, unseen))

    def _before_commit(self, *_args) -> None:
        """Write the versions seen into the buffer of the rows whose changes QGIS is about to send
        (one undo step, taken back again when the commit is refused: the undo stack stays the
        planner's), and note those of the rows it is about to delete."""
        self._stamped = self._committed = False
        if self.index >= 0 and self.mode() == "automatic":  # edits not checked yet: checked before the COMMIT
            self.in_transaction.check(saving=True)
        changed, deleted = self.sent = self.buffered_rows()
        if self.index < 0 or self.mode() != "off":  # transaction groups: checked as edited, or not at all
            return
        self.read_unseen(changed | deleted)
        attributes = self.layer.editBuffer().changedAttributeValues()
        stale = [fid for fid in changed
                 if fid in self.seen and attributes.get(fid, {}).get(self.index) != self.seen.get(fid)]
        if stale:
            self.layer.beginEditCommand(STAMP_COMMAND)
            for fid in stale:
                self.layer.changeAttributeValue(fid, self.index, self.seen.get(fid))
            self.layer.endEditCommand()
            self._stamped = True
        if deleted:
            known = {fid: self.seen.get(fid) for fid in deleted if fid in self.seen}
            self.note_deletes(known, known)
        QTimer.singleShot(0, self._after_commit)

    def note_deletes(self, ids: Iterable[int], versions: Optional[dict[int, int]] = None) -> None:
        """Note the versions seen of the rows ``ids`` about to be deleted, for the database's delete
        trigger (``versions`` None: take this planner's notes of these rows back)."""
        found = table_of(self.layer)
        if found is None or found[2] == "plan_parcel":
            return  # survey parcels are not deleted (on the parcels view: pieces of split ones, migration 17)
        _db, schema, table = found
        ids = sorted(ids)
        values = [str(int(versions[f])) if versions is not None else "NULL" for f in ids]
        sql = "SELECT {}.lc_read_for_delete({}, ARRAY[{}]::bigint[], ARRAY[{}]::integer[])".format(
            '"' + schema.replace('"', '""') + '"', "'" + table.replace("'", "''") + "'",
            ",".join(str(int(f)) for f in ids), ",".join(values))
        connection = None
        try:
            metadata = QgsProviderRegistry.instance().providerMetadata("postgres")
            connection = metadata.createConnection(self.layer.source(), {})
            connection.executeSql(sql)
            if table == "parcels" and versions is not None:
                self._view_check(connection, table, schema)
        except Exception as exc:  # QgsProviderConnectionException: the schema predates migration 8, say
            if not self._notes_failed:
                self._notes_failed = True
                may = may_execute(connection, f"{sql_identifier(schema)}.{READ_FOR_DELETE}")
                text = notes_failed_message(table, schema, may, str(exc))
                log(text, Qgis.Warning)
                self.notice.emit(text)

    def _view_check(self, connection, table: str, schema: str) -> None:
        """The view's trigger checks the notes only when the role may run ``lc_check_view_delete``
        (migration 17): said once when it may not, or the schema predates it."""
        if self._view_check_asked:
            return
        self._view_check_asked = True
        may = may_execute(connection, f"{sql_identifier(schema)}.{CHECK_DELETE_FUNCTION}")
        if may:
            return
        if may is False:
            text = tr("Deleted pieces of {0} are saved without the check for other planners' changes: your database "
                      "role may not run it. Ask the database administrator for GRANT EXECUTE ON FUNCTION "
                      "{1}.lc_check_view_delete(bigint) TO your role.").format(table, sql_identifier(schema))
        else:
            text = tr("Deleted pieces of {0} are saved without the version check (run db init to add it).").format(
                table)
        log(text, Qgis.Warning)
        self.notice.emit(text)

    def _written(self, still_changed: set[int], still_deleted: set[int]) -> None:
        """The rows of the commit that are no longer in the buffer were written: their new version
        (the planner's own) is the one seen now."""
        changed, deleted = self.sent
        self.sent = (set(), set())
        written = changed - still_changed - still_deleted
        if written and self.index >= 0:
            self.seen.since.update(read_versions(self.layer, self.index, written))
        self.seen.since.update(dict.fromkeys(deleted - still_deleted))

    def _done(self, *_args) -> None:
        """The commit was saved (QGIS's ``afterCommitChanges``)."""
        self._committed = True
        self.buffered.saved()
        self._written(set(), set())

    def _after_commit(self) -> None:
        """After a refused commit (QGIS says nothing then): the rows it wrote before the refusal get
        their new version, the stamps are taken back and the refusal is said once."""
        if self._committed or not self.layer.isEditable() or self.layer.editBuffer() is None:
            return
        still_changed, still_deleted = self.buffered_rows()
        self._written(still_changed, still_deleted)
        stack = self.layer.undoStack()
        if self._stamped and stack.index() > 0 and stack.text(stack.index() - 1) == STAMP_COMMAND:
            stack.undo()
        self._stamped = False
        if still_deleted and self.mode() == "off":
            self.note_deletes(still_deleted)
        message = conflict_message(self.layer.commitErrors()) or refusal_message(self.layer.commitErrors())
        if message:
            self.refused.emit(message)

    def _rolled_back(self, *_args) -> None:
        self._committed = True
        self.sent = (set(), set())
        if self.mode() == "buffered" and self.index >= 0:
            self.buffered.note(set())  # the notes of the deletes rolled back are taken back

    def save_over_theirs(self) -> int:
        """After a refusal: take the current versions of the rows in the edit buffer (under transaction
        groups: of the rows whose edits were undone), so the next save (or redone edit) overwrites the
        other planner's changes knowingly; returns how many rows were re-stamped."""
        changed, deleted = self.buffered_rows()
        ids = changed | deleted | self.in_transaction.take_refused()
        if ids and self.index >= 0:
            self.seen.since.update(read_versions(self.layer, self.index, ids))
            self.buffered.restamp()  # buffered groups: the buffer's stamps are the new versions
            self.buffered.modified_check()  # and the deletes' notes
        return len(ids)


class TransactionCheck:
    """Under QGIS's automatic transaction groups: each batch of edits is checked right after it reached
    the database, in its transaction (``postgis/tx_check.py``); a batch that changed a row another
    planner committed since the planner read it is undone and refused (``stamp.refused``)."""

    def __init__(self, stamp: VersionStamp):
        self.stamp = stamp
        self._pending: set[int] = set()
        self._start = 0  # the undo stack's index before the batch being collected
        self._refused: set[int] = set()
        self._off = False  # the check failed for another reason (no migration 10, no grant): said once

    def edited(self, fid, *_args) -> None:
        """A row was changed or deleted (QGIS's signals, emitted after the database took the edit)."""
        layer = self.stamp.layer
        if self._off or self.stamp.index < 0 or self.stamp.mode() != "automatic":
            return
        if layer.dataProvider().transaction() is None or fid < 0:
            return
        if not self._pending:
            self._start = layer.undoStack().index()  # inside the command being pushed: the index before it
            QTimer.singleShot(0, self.check)
        self._pending.add(int(fid))

    def take_refused(self) -> set[int]:
        refused, self._refused = self._refused, set()
        return refused

    def check(self, saving: bool = False) -> None:
        """Check the rows edited since the last check (queued after an edit; at once when the save
        begins: ``VersionStamp._before_commit``, before QGIS's transaction group sends the COMMIT)."""
        fids, self._pending = self._pending, set()
        if not fids:
            return
        layer = self.stamp.layer
        transaction = layer.dataProvider().transaction() if layer.isEditable() else None
        found = table_of(layer)
        if transaction is None or found is None:
            return
        _db, schema, table = found
        seen = self.stamp.seen
        known = {fid: seen.get(fid) for fid in sorted(fids) if seen.get(fid) is not None}
        if not known:
            return
        target = "plan_parcel" if table in PARCEL_TABLES else table
        ok, error = transaction.executeSql(
            "SAVEPOINT lc_check; SELECT {}.lc_check_seen('{}', ARRAY[{}]::bigint[], ARRAY[{}]::integer[]); "
            "RELEASE SAVEPOINT lc_check".format('"' + schema.replace('"', '""') + '"', target.replace("'", "''"),
                                                ",".join(str(int(f)) for f in known),
                                                ",".join(str(int(v)) for v in known.values())))
        if ok:
            return
        transaction.executeSql("ROLLBACK TO SAVEPOINT lc_check; RELEASE SAVEPOINT lc_check")
        message = conflict_message([error], saving)
        if message is None:  # the schema predates migration 10, or the role may not run the check
            self._off = True
            text = tr("Conflict checks are off under QGIS's transaction groups: the database did not run the "
                      "check ({0}). Run db init, or ask the database administrator for GRANT EXECUTE ON FUNCTION "
                      "{1}.lc_check_seen(text, bigint[], integer[]) TO your role.").format(
                str(error).strip().splitlines()[0] if str(error).strip() else "?", sql_identifier(schema))
            log(text, Qgis.Warning)
            self.stamp.notice.emit(text)
            return
        stack = layer.undoStack()
        while stack.index() > self._start:  # QGIS rolls back to the savepoint of each command undone
            stack.undo()
        self._pending.clear()  # the undo's own signals: those rows are as the database had them
        self._refused |= set(known)
        self.stamp.refused.emit(message)

