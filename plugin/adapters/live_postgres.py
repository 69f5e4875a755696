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
* :class:`PlanningDatabase`: the follower and the version stamps of the parcel and unit layers
  (optimistic locking through QGIS's own commit: ``live_versions.VersionStamp``; under automatic
  transaction groups, edit by edit). Under buffered transaction groups the stamps stand aside and
  the planner is told, in one sentence, that the conflict checks are off (``notice``), also when
  the project switches to them later.
"""
from __future__ import annotations

import json
import time
from functools import partial
from typing import Optional

from qgis.core import QgsProject, QgsVectorLayer
from qgis.PyQt.QtCore import QObject, QTimer, pyqtSignal

from ..core.i18n import chinese, tr
from .live_versions import PARCEL_TABLES, VersionStamp, table_of
from .qgis_compat import transaction_mode, transaction_signal
from .styles import style_plan_layers

#: more changed rows than this in one burst: a full rebuild instead of re-reading them
MAX_INCREMENTAL = 500
#: how long a burst of notifications is collected before it is applied (ms)
COLLECT_MS = 30
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
                elif role == "parcels" and changed == "plan_parcel" and table in PARCEL_TABLES:
                    self._burst["parcels"].add(int(key))
                elif role == "parcels" and changed == "plan_split" and table in PARCEL_TABLES:
                    self._burst["rebuild"] = True  # a split, or undone: pieces came or went (rare: read all)
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


class PlanningDatabase(QObject):
    """The session's database side: the follower of other planners' commits and the version stamps
    of the parcel and unit layers (None from :meth:`attach` when no layer is a ``postgres`` one)."""

    refused = pyqtSignal(str)
    notice = pyqtSignal(str)  # a translated warning for the message bar (conflict checks off)

    def __init__(self, live, parent: Optional[QObject] = None):
        super().__init__(parent)
        layer = live.inputs.parcels
        self.project = (layer.project() if layer is not None else None) or QgsProject.instance()
        self.follower = DatabaseFollower(live, self)
        self.stamps = [VersionStamp(layer, self, self.mode) for layer in (live.inputs.parcels, live.inputs.units)
                       if VersionStamp.applies_to(layer)]
        for stamp in self.stamps:
            stamp.refused.connect(self.refused)
            stamp.notice.connect(self.notice)
        self._said_off = False
        self._mode_signal = transaction_signal(self.project) if self.stamps else None
        if self._mode_signal is not None:
            self._mode_signal.connect(self.check_transactions)

    def mode(self) -> str:
        """The project's transaction mode (``qgis_compat.transaction_mode``)."""
        return transaction_mode(self.project)

    def checks_off(self) -> bool:
        """QGIS's buffered transaction groups commit every layer's buffer together without
        ``beforeCommitChanges``: no version can be stamped, nothing checked (automatic groups are
        checked edit by edit: ``live_versions.TransactionCheck``)."""
        return self.mode() == "buffered"

    def check_transactions(self, *_args) -> bool:
        """Say once (again after the project switched them off and on) that the conflict checks are off
        under buffered transaction groups; True when they are off."""
        off = bool(self.stamps) and self.checks_off()
        if off and not self._said_off:
            self.notice.emit(tr(
                "This project commits its layers through QGIS's buffered transaction groups (Project Properties "
                "> Data Sources > Transaction mode), which the plugin cannot check against the versions you "
                "saw. Conflict checks are off: saving may overwrite another planner's change of the same parcel "
                "or unit without warning. For checked saves choose \"Local Edit Buffer\" or \"Automatic "
                "Transaction Groups\"."))
        self._said_off = off
        return off

    @classmethod
    def attach(cls, live, parent: Optional[QObject] = None) -> Optional[PlanningDatabase]:
        """Also gives the planning schema's parcel and unit layers the styles of a plan GeoPackage
        when they are still drawn flat (``styles.style_plan_layers``)."""
        database = cls(live, parent)
        if not database.follower.start() and not database.stamps:
            database.stop()
            return None
        layers = {stamp.layer.id(): stamp.layer for stamp in database.stamps}
        inputs = live.inputs
        style_plan_layers(layers.get(inputs.parcels.id()), layers.get(inputs.units.id()), chinese(),
                          inputs.unit_field)
        return database

    def save_over_theirs(self) -> int:
        """After a refusal: the next save writes the planner's edits over the other planner's."""
        return sum(stamp.save_over_theirs() for stamp in self.stamps)

    def stop(self) -> None:
        self.follower.stop()
        if self._mode_signal is not None:
            try:
                self._mode_signal.disconnect(self.check_transactions)
            except (RuntimeError, TypeError):
                pass
            self._mode_signal = None
        for stamp in self.stamps:
            stamp.stop()
        self.stamps = []
