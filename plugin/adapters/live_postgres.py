"""Planning on layers of QGIS's ``postgres`` provider with several planners (issue 12; docs/postgis.md).

* :class:`DatabaseFollower`: another planner's commit reaches this planner's balance. The plan
  tables' deferred triggers (migration 4) send ONE ``pg_notify('qgis', {lc, changes: [[schema,
  table, id], …]})`` per committed transaction — QGIS's listener hands on one notification per
  second, so one per row would trickle in —, or ``{lc, action: RELOAD}`` when it changed more rows
  than a notification holds. The provider of one layer per database LISTENs (``setListening``:
  what ``setRefreshOnNotifyEnabled`` does underneath; the layer's own refresh-on-notify is not
  used because it emits ``dataChanged``, which the live balance answers with a full rebuild).
  A few hundred changed rows are re-read and applied incrementally
  (``LiveBalance.note_changes``; a piece of a split parcel, named by ``plan_split.id`` and, since migration 19,
  its ``survey_fid``: the view's rows of that survey parcel, :func:`rows_of_parcel`); a ``RELOAD`` (also sent
  by ``db load``), a piece's entry without its ``survey_fid`` or a notification that is not the plugin's makes a
  full rebuild. The layers are repainted.
* :class:`PlanningDatabase`: the follower and the version stamps of the parcel and unit layers
  (optimistic locking through QGIS's own commit: ``live_versions.VersionStamp``; under automatic
  transaction groups, edit by edit; under buffered groups, stamped as each edit is made:
  ``live_buffered``).
"""
from __future__ import annotations

import json
import time
from functools import partial
from typing import Optional

from qgis.core import Qgis, QgsDataSourceUri, QgsExpression, QgsFeatureRequest, QgsProject, QgsVectorLayer
from qgis.PyQt.QtCore import QObject, QTimer, pyqtSignal

from ..core.i18n import chinese, tr
from .live_versions import PARCEL_TABLES, VersionStamp, table_of
from .qgis_compat import REQUEST_NO_GEOMETRY, transaction_mode, transaction_signal
from .styles import style_plan_layers

#: more changed rows than this in one burst: a full rebuild instead of re-reading them
MAX_INCREMENTAL = 500
#: how long a burst of notifications is collected before it is applied (ms)
COLLECT_MS = 30
#: QGIS before 3.36 crashes (a double free) when a ``postgres`` layer whose connection names an
#: ``authcfg`` starts listening (QGIS issue 54260, fixed by pull request 55062; reproduced here on 3.22:
#: tests/postgis/test_pg_live_authcfg.py)
LISTEN_AUTHCFG_FIXED = 33600


def listening_crashes(layer: QgsVectorLayer) -> bool:
    """Whether ``setListening`` would crash this QGIS for ``layer`` (an authcfg connection, QGIS < 3.36)."""
    return Qgis.QGIS_VERSION_INT < LISTEN_AUTHCFG_FIXED and bool(QgsDataSourceUri(layer.source()).authConfigId())


def rows_of_parcel(live, view: QgsVectorLayer, fid) -> Optional[set]:
    """The ``parcels`` view's rows of the survey parcel of row ``fid``: those the engine has under its BSM and
    those the view has now (a piece made or folded away included); None when they cannot be named (the engine
    or the view without that row or its BSM, more than ``MAX_INCREMENTAL``)."""
    engine, reader = live.engine, live.reader
    field = reader.attributes.get("BSM") if reader is not None else None
    if engine is None or field is None:
        return None
    if engine.has_parcel(fid):
        bsm = engine.raw_record(fid).bsm
    else:  # a row the engine has not read yet: its BSM as the view has it
        bsm = view.getFeature(fid).attribute(field)
    if bsm is None or bsm == "" or not isinstance(bsm, str):
        return None
    request = QgsFeatureRequest().setFilterExpression(QgsExpression.createFieldEqualityExpression(field, bsm))
    request.setFlags(REQUEST_NO_GEOMETRY).setNoAttributes()
    rows = {f.id() for f in view.getFeatures(request)} | set(engine.pieces(bsm)) | {fid}
    return rows if len(rows) <= MAX_INCREMENTAL else None


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
        self.unheard: list[str] = []  # layers not listened to (``listening_crashes``)
        self.applied_at = 0.0  # time.monotonic() of the last burst handed to the live balance
        self._listening: list[tuple[QgsVectorLayer, bool, object]] = []
        self._burst = {"parcels": set(), "units": set(), "split": set(), "pbf": False, "rebuild": False}
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
            if listening_crashes(layer):
                self.unheard.append(layer.name())
                continue
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
        """``{changes: [[schema, table, id], …]}`` (a plan table's commit; ``plan_split``'s entries also name the
        piece's survey parcel since migration 19: ``[schema, 'plan_split', id, survey_fid]``) or
        ``{schema, table}`` (pbf)."""
        changes = data.get("changes")
        if not isinstance(changes, list):
            changes = [[data.get("schema"), data.get("table"), None]]
        for entry in changes:
            schema, changed, key, survey_fid = (list(entry) + [None] * 4)[:4]
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
                    if survey_fid is None:  # a schema before migration 19: the parcel is not named
                        self._burst["rebuild"] = True
                    else:  # a piece re-tagged, reshaped, made or removed: its parcel's rows are read again
                        self._burst["split"].add(int(survey_fid))
                elif role == "units" and changed == table:
                    self._burst["units"].add(int(key))

    def _apply(self) -> None:
        burst = self._burst
        self._burst = {"parcels": set(), "units": set(), "split": set(), "pbf": False, "rebuild": False}
        if not self.live.running:
            return
        reshaped = set() if burst["rebuild"] else self._rows_of_parcels(burst["split"])
        many = reshaped is None or len(burst["parcels"]) + len(burst["units"]) + len(reshaped) > MAX_INCREMENTAL
        if burst["rebuild"] or many:
            self.live.note_changes(rebuild=True)
        elif burst["parcels"] or burst["units"] or burst["pbf"] or reshaped:
            self.live.note_changes(burst["parcels"] - reshaped, burst["units"], burst["pbf"], reshaped=reshaped)
        else:
            return
        self.applied_at = time.monotonic()
        for layer, _table in self.tables.values():
            layer.triggerRepaint()

    def _rows_of_parcels(self, survey_fids: set) -> Optional[set]:
        """The view's rows of these survey parcels (the pieces' parcels a commit named); None when one cannot be
        named (:func:`rows_of_parcel`: then the whole view is read again)."""
        rows: set = set()
        view = self.tables.get("parcels", (None,))[0]
        for fid in sorted(survey_fids):
            try:
                found = rows_of_parcel(self.live, view, fid)
            except Exception:  # the rows could not be named: read everything instead
                found = None
            if found is None or len(rows | found) > MAX_INCREMENTAL:
                return None
            rows |= found
        return rows


class PlanningDatabase(QObject):
    """The session's database side: the follower of other planners' commits and the version stamps
    of the parcel and unit layers (None from :meth:`attach` when no layer is a ``postgres`` one)."""

    refused = pyqtSignal(str)
    notice = pyqtSignal(str)  # a translated warning for the message bar (a check the database cannot run)

    def __init__(self, live, parent: Optional[QObject] = None):
        super().__init__(parent)
        layer = live.inputs.parcels
        self.project = (layer.project() if layer is not None else None) or QgsProject.instance()
        self.follower = DatabaseFollower(live, self)
        self._said_unheard = False
        self.stamps = [VersionStamp(layer, self, self.mode) for layer in (live.inputs.parcels, live.inputs.units)
                       if VersionStamp.applies_to(layer)]
        for stamp in self.stamps:
            stamp.refused.connect(self.refused)
            stamp.notice.connect(self.notice)
        self._mode_signal = transaction_signal(self.project) if self.stamps else None
        if self._mode_signal is not None:
            self._mode_signal.connect(self.check_transactions)
        found = table_of(layer)
        self._view = layer if found is not None and found[2] in PARCEL_TABLES else None
        if self._view is not None:
            self._view.geometryChanged.connect(self._reshaped)

    def _reshaped(self, fid, *_args) -> None:
        """A geometry of the ``parcels`` view changed under an automatic transaction group: the view's trigger
        has already made the parcel's other pieces give way, or take the area given up, in the open transaction
        (docs/postgis.md "Split parcels"). The layer did not edit them, so the balance re-reads the view's rows of
        that survey parcel (its BSM), geometry included, as it re-reads another planner's few changed rows; a full
        rebuild only when they cannot be named (else the area is counted in both pieces until the save)."""
        if self.mode() != "automatic" or self._view.dataProvider().transaction() is None:
            return
        live = self.follower.live
        try:
            rows = self._pieces_of(live, fid)
        except Exception:  # the rows could not be named: read everything instead
            rows = None
        if rows is None:
            live.note_changes(rebuild=True)
        else:
            live.note_changes(reshaped=rows)

    def _pieces_of(self, live, fid) -> Optional[set]:
        """The view's rows of the survey parcel of row ``fid`` (:func:`rows_of_parcel`)."""
        return rows_of_parcel(live, self._view, fid)

    def mode(self) -> str:
        """The project's transaction mode (``qgis_compat.transaction_mode``)."""
        return transaction_mode(self.project)

    def check_transactions(self, *_args) -> bool:
        """At the session's start and when the project's transaction mode changes: under buffered groups
        the rows already in an edit buffer get their versions seen written in (one undo step; edits
        made from now on are stamped as they are made: ``live_buffered``). Returns False: every mode
        is checked (kept for the session's call)."""
        for stamp in self.stamps:
            stamp.buffered.restamp(missing_only=True)
        if self.follower.unheard and not self._said_unheard:  # once, at the session's start
            self._said_unheard = True
            self.notice.emit(tr(
                "Other planners' saves are not followed live on {0}: this QGIS ({1}) crashes when it listens to "
                "the database through a connection with an authentication configuration (authcfg; fixed in QGIS "
                "3.36). Your saves are still checked against their changes. To follow them live, connect through "
                "a pg_service.conf service, or use QGIS 3.36 or later.").format(
                ", ".join(self.follower.unheard), Qgis.QGIS_VERSION))
        return False

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
        if self._view is not None:
            try:
                self._view.geometryChanged.disconnect(self._reshaped)
            except (RuntimeError, TypeError):
                pass  # the layer is gone
            self._view = None
        if self._mode_signal is not None:
            try:
                self._mode_signal.disconnect(self.check_transactions)
            except (RuntimeError, TypeError):
                pass
            self._mode_signal = None
        for stamp in self.stamps:
            stamp.stop()
        self.stamps = []
