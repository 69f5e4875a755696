"""Planning on layers of QGIS's ``postgres`` provider with several planners (issue 12; docs/postgis.md).

* :class:`DatabaseFollower`: another planner's commit reaches this planner's balance. The plan
  tables' deferred triggers (migration 4) send ONE ``pg_notify('qgis', {lc, changes: [[schema,
  table, id], …]})`` per committed transaction — QGIS's listener hands on one notification per
  second, so one per row would trickle in —, or ``{lc, action: RELOAD}`` when it changed more rows
  than a notification holds. The provider of one layer per database LISTENs (``setListening``:
  what ``setRefreshOnNotifyEnabled`` does underneath; the layer's own refresh-on-notify is not
  used because it emits ``dataChanged``, which the live balance answers with a full rebuild).
  A few hundred changed rows are re-read and applied incrementally
  (``LiveBalance.note_changes``); a ``RELOAD`` (also sent by ``db load``) or a notification that
  is not the plugin's makes a full rebuild. The layers are repainted.
* :class:`VersionStamp`: optimistic locking through QGIS's own commit. The version of a plan row
  is noted when the planner first changes it in an edit session; just before QGIS commits, that
  version is written into the edit buffer, so QGIS's ``UPDATE`` carries it and the database's
  trigger refuses the row when another planner changed it meanwhile (SQLSTATE ``LC409``, detail
  ``lc-conflict {json}``). QGIS keeps the edit buffer of a refused commit; the stamp says so in
  one translated sentence naming who and when (``refused`` signal).
"""
from __future__ import annotations

import json
import re
import time
from datetime import datetime
from functools import partial
from typing import Iterable, Optional

from qgis.core import QgsDataSourceUri, QgsFeatureRequest, QgsVectorLayer
from qgis.PyQt.QtCore import QObject, QTimer, pyqtSignal

from ..core.i18n import tr
from .qgis_compat import REQUEST_NO_GEOMETRY

#: more changed rows than this in one burst: a full rebuild instead of re-reading them
MAX_INCREMENTAL = 500
#: how long a burst of notifications is collected before it is applied (ms)
COLLECT_MS = 30
VERSION_FIELD = "version"
STAMP_COMMAND = "land-consolidation: versions read"  # the undo step of the stamps (never shown: undone)
_CONFLICT = re.compile(r"lc-conflict (\{.*\})")
_PARCEL_TABLES = ("parcels", "plan_parcel")


def table_of(layer: Optional[QgsVectorLayer]) -> Optional[tuple[str, str, str]]:
    """(connection info without password, schema, table) of a ``postgres`` provider layer, else None."""
    if layer is None or layer.providerType() != "postgres":
        return None
    uri = QgsDataSourceUri(layer.source())
    info = QgsDataSourceUri(uri.connectionInfo(False))
    info.setPassword("")
    return info.connectionInfo(False), uri.schema() or "public", uri.table()


def _local_time(text: str) -> str:
    """A database timestamp (ISO, with its offset) in this computer's time zone, to the second."""
    try:
        return datetime.fromisoformat(text).astimezone().strftime("%Y-%m-%d %H:%M:%S")
    except ValueError:
        return text[:19].replace("T", " ")


def conflict_message(errors: Iterable[str]) -> Optional[str]:
    """The planner's sentence for a commit refused by the version check (None: not such a refusal)."""
    for text in errors:
        match = _CONFLICT.search(str(text))
        if not match:
            continue
        try:
            info = json.loads(match.group(1))
        except ValueError:
            continue
        who = info.get("by") or info.get("role") or tr("another planner")
        if info.get("by") and info.get("role"):
            who = f"{info['by']} ({info['role']})"
        when = _local_time(str(info.get("at") or ""))
        what = tr("Unit {0}") if info.get("table") == "plan_unit" else tr("Parcel {0}")
        return tr("Not saved: {0} was changed by {1} at {2}, after you read it. Your edits stay in the layer's edit "
                  "buffer (nothing is lost): undo the ones you do not want, or save yours over theirs.").format(
            what.format(info.get("key")), who, when)
    return None


# --------------------------------------------------------------------------- notifications
class DatabaseFollower(QObject):
    """Applies other planners' commits to a :class:`LiveBalance` (see the module docstring)."""

    def __init__(self, live, parent: Optional[QObject] = None):
        super().__init__(parent)
        self.live = live
        inputs = live.inputs
        self.tables = {role: (layer, table_of(layer)) for role, layer in
                       (("parcels", inputs.parcels), ("units", inputs.units), ("pbf", inputs.pbf))
                       if table_of(layer) is not None}
        self.heard = 0  # notifications received (tests, bench)
        self.applied_at = 0.0  # time.monotonic() of the last burst handed to the live balance
        self._listening: list[tuple[QgsVectorLayer, bool, object]] = []
        self._burst = {"parcels": set(), "units": set(), "pbf": False, "rebuild": False}
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(COLLECT_MS)
        self._timer.timeout.connect(self._apply)

    @property
    def active(self) -> bool:
        return bool(self._listening)

    def start(self) -> bool:
        """LISTEN through one layer per database; False when no layer is a ``postgres`` one."""
        seen = set()
        for layer, (database, _schema, _table) in self.tables.values():
            if database in seen:
                continue
            seen.add(database)
            was = layer.isRefreshOnNotifyEnabled()
            if was:  # its dataChanged would make every notification a full rebuild
                layer.setRefreshOnNotifyEnabled(False)
            provider = layer.dataProvider()
            provider.setListening(True)
            slot = partial(self._heard, database)
            provider.notify.connect(slot)
            self._listening.append((layer, was, slot))
        return self.active

    def stop(self) -> None:
        self._timer.stop()
        for layer, was, slot in self._listening:
            try:
                provider = layer.dataProvider()
                provider.notify.disconnect(slot)
                provider.setListening(False)
                if was:
                    layer.setRefreshOnNotifyEnabled(True)
            except (RuntimeError, TypeError):
                pass  # the layer is gone
        self._listening = []

    def _heard(self, database: str, message: str) -> None:
        self.heard += 1
        try:
            data = json.loads(message)
        except ValueError:
            data = None
        if not isinstance(data, dict) or data.get("lc") != 1:
            self._burst["rebuild"] = True  # not the plugin's: something changed
        elif data.get("action") == "RELOAD":  # too many rows for one notification, or db load
            schema = data.get("schema")
            self._burst["rebuild"] |= schema is None or any(
                db == database and layer_schema == schema for _l, (db, layer_schema, _t) in self.tables.values())
        else:
            try:
                self._note(database, data)
            except (TypeError, ValueError):  # a malformed payload: re-read everything
                self._burst["rebuild"] = True
        if not self._timer.isActive():
            self._timer.start()

    def _note(self, database: str, data: dict) -> None:
        """``{changes: [[schema, table, id], …]}`` (a plan table's commit) or ``{schema, table}`` (pbf)."""
        changes = data.get("changes")
        if not isinstance(changes, list):
            changes = [[data.get("schema"), data.get("table"), None]]
        for entry in changes:
            schema, changed, key = (list(entry) + [None] * 3)[:3]
            for role, (_layer, (db, layer_schema, table)) in self.tables.items():
                if db != database or schema != layer_schema:
                    continue
                if role == "pbf" and changed == table:
                    self._burst["pbf"] = True
                elif key is None:
                    continue
                elif role == "parcels" and changed == "plan_parcel" and table in _PARCEL_TABLES:
                    self._burst["parcels"].add(int(key))
                elif role == "units" and changed == table:
                    self._burst["units"].add(int(key))

    def _apply(self) -> None:
        burst = self._burst
        self._burst = {"parcels": set(), "units": set(), "pbf": False, "rebuild": False}
        if not self.live.running:
            return
        many = len(burst["parcels"]) + len(burst["units"]) > MAX_INCREMENTAL
        if burst["rebuild"] or many:
            self.live.note_changes(rebuild=True)
        elif burst["parcels"] or burst["units"] or burst["pbf"]:
            self.live.note_changes(burst["parcels"], burst["units"], burst["pbf"])
        else:
            return
        self.applied_at = time.monotonic()
        for layer, _table in self.tables.values():
            layer.triggerRepaint()


# --------------------------------------------------------------------------- optimistic locking
class VersionStamp(QObject):
    """Writes the version read into QGIS's edit buffer before a commit (module docstring)."""

    refused = pyqtSignal(str)  # the translated refusal, naming who and when

    def __init__(self, layer: QgsVectorLayer, parent: Optional[QObject] = None):
        super().__init__(parent)
        self.layer = layer
        self.index = layer.fields().indexOf(VERSION_FIELD)
        self.read: dict[int, object] = {}  # fid -> version when first changed in this edit session
        self._unread: set[int] = set()
        self._stamped = self._committed = False
        self._connections = [(layer.attributeValueChanged, self._attribute), (layer.geometryChanged, self._geometry),
                             (layer.beforeCommitChanges, self._before_commit),
                             (layer.afterCommitChanges, self._forget), (layer.afterRollBack, self._forget)]
        for signal, slot in self._connections:
            signal.connect(slot)

    @staticmethod
    def applies_to(layer: Optional[QgsVectorLayer]) -> bool:
        """A ``postgres`` layer of a planning table or the ``parcels`` view (it has ``version``)."""
        found = table_of(layer)
        return found is not None and VERSION_FIELD in layer.fields().names() and (
            found[2] in _PARCEL_TABLES or found[2].startswith("plan_"))

    def stop(self) -> None:
        for signal, slot in self._connections:
            try:
                signal.disconnect(slot)
            except (RuntimeError, TypeError):
                pass
        self._connections = []

    def _attribute(self, fid: int, index: int, _value) -> None:
        if index != self.index:
            self._note(fid)

    def _geometry(self, fid: int, _geometry) -> None:
        self._note(fid)

    def _note(self, fid: int) -> None:
        if fid >= 0 and fid not in self.read and fid not in self._unread:
            self._unread.add(fid)
            QTimer.singleShot(0, self._read_versions)  # one read for a burst of edits

    def _read_versions(self) -> None:
        """The committed version of the rows just changed (the buffer never holds one before a commit)."""
        ids, self._unread = self._unread, set()
        ids -= set(self.read)
        if not ids or self.index < 0:
            return
        request = QgsFeatureRequest().setFilterFids(list(ids)).setFlags(REQUEST_NO_GEOMETRY)
        request.setSubsetOfAttributes([self.index])
        for feature in self.layer.dataProvider().getFeatures(request):
            self.read[feature.id()] = feature.attribute(self.index)

    def _before_commit(self, *_args) -> None:
        """Write the versions read into the buffer of the rows whose changes QGIS is about to send
        (one undo step, taken back again when the commit is refused: the undo stack stays the planner's)."""
        self._read_versions()
        self._stamped = self._committed = False
        buffer = self.layer.editBuffer()
        if buffer is None or self.index < 0:
            return
        attributes = buffer.changedAttributeValues()
        stale = [fid for fid in (set(attributes) | set(buffer.changedGeometries())) & set(self.read)
                 if attributes.get(fid, {}).get(self.index) != self.read[fid]]
        if stale:
            self.layer.beginEditCommand(STAMP_COMMAND)
            for fid in stale:
                self.layer.changeAttributeValue(fid, self.index, self.read[fid])
            self.layer.endEditCommand()
            self._stamped = True
        QTimer.singleShot(0, self._after_commit)

    def _after_commit(self) -> None:
        if not self.layer.isEditable() or self.layer.editBuffer() is None or self._committed:
            return
        stack = self.layer.undoStack()
        if self._stamped and stack.index() > 0 and stack.text(stack.index() - 1) == STAMP_COMMAND:
            stack.undo()
        self._stamped = False
        message = conflict_message(self.layer.commitErrors())
        if message:
            self.refused.emit(message)

    def _forget(self, *_args) -> None:
        self._committed = True
        self.read.clear()
        self._unread.clear()

    def save_over_theirs(self) -> int:
        """After a refusal: take the rows' current versions, so the next save overwrites the other
        planner's change knowingly; returns how many rows were re-stamped."""
        buffer = self.layer.editBuffer()
        if buffer is None:
            return 0
        ids = list(set(self.read) & (set(buffer.changedAttributeValues()) | set(buffer.changedGeometries())))
        request = QgsFeatureRequest().setFilterFids(ids).setFlags(REQUEST_NO_GEOMETRY)
        request.setSubsetOfAttributes([self.index])
        for feature in self.layer.dataProvider().getFeatures(request):
            self.read[feature.id()] = feature.attribute(self.index)
        return len(ids)



class PlanningDatabase(QObject):
    """The session's database side: the follower of other planners' commits and the version stamps
    of the parcel and unit layers (None from :meth:`attach` when no layer is a ``postgres`` one)."""

    refused = pyqtSignal(str)

    def __init__(self, live, parent: Optional[QObject] = None):
        super().__init__(parent)
        self.follower = DatabaseFollower(live, self)
        self.stamps = [VersionStamp(layer, self) for layer in (live.inputs.parcels, live.inputs.units)
                       if VersionStamp.applies_to(layer)]
        for stamp in self.stamps:
            stamp.refused.connect(self.refused)

    @classmethod
    def attach(cls, live, parent: Optional[QObject] = None) -> Optional[PlanningDatabase]:
        database = cls(live, parent)
        if not database.follower.start() and not database.stamps:
            database.stop()
            return None
        return database

    def save_over_theirs(self) -> int:
        """After a refusal: the next save writes the planner's edits over the other planner's."""
        return sum(stamp.save_over_theirs() for stamp in self.stamps)

    def stop(self) -> None:
        self.follower.stop()
        for stamp in self.stamps:
            stamp.stop()
        self.stamps = []
