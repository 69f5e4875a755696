"""The planning session: which layers, field mapping and rule pack this QGIS project uses,
and the :class:`LiveBalance` that keeps the balance current while the planner edits.

One ``PlanningSession`` is owned by the plugin and handed to the three docks. It is the
only place that knows the configuration; the docks listen to its signals.

Why the configuration lives in the QGIS project (``QgsProject.writeEntry`` under the scope
``LandConsolidation``, layers by id): a planner works on several township projects; each
``.qgz`` must reopen with its own layers and rule pack, and nothing of one project may leak
into the next. So:

* :meth:`apply` writes the entries into the project (the project becomes dirty, so QGIS asks
  to save it) and starts a new LiveBalance (the old one is stopped first);
* ``QgsProject.readProject`` (emitted after the layers are loaded, so their ids resolve)
  restores the entries and starts the live balance in the background;
* ``QgsProject.cleared`` (new project, project closed, before another is read) stops the
  live balance and forgets the configuration.

Which layer plays which role, and adding the plan fields, live in ``project_layers.py``
(re-exported here).
"""

from __future__ import annotations

from typing import Any, Hashable, Optional

from qgis.core import Qgis, QgsProject, QgsVectorLayer
from qgis.PyQt.QtCore import QObject, QTimer, pyqtSignal

from ..adapters.layers import Inputs
from ..adapters.live import LiveBalance
from ..adapters.live_postgres import PlanningDatabase
from ..adapters.log import log
from ..adapters.project_config import ROLES, SCOPE, SessionConfig
from ..adapters.signals import disconnect_all
from ..core.fields import resolve_parcel_fields, resolve_unit_fields
from ..core.i18n import tr
from ..core.rules import RulePack, RulePackError, load_pack
from .project_layers import (  # noqa: F401  (re-exported: the session's module was their home)
    ROLE_NAMES,
    add_plan_fields,
    detect_layers,
    keep_parcels_visible,
    layer_is_polygon,
    layer_words,
    missing_plan_fields,
    parcel_layer_score,
    plan_qgs_fields,
    polygon_layers,
)


# --------------------------------------------------------------------------- session
class PlanningSession(QObject):
    """Configuration + live balance of the current QGIS project (see module docstring)."""

    configChanged = pyqtSignal()  # layers, mapping or pack changed (or cleared)
    updated = pyqtSignal()  # the balance changed (forwarded from LiveBalance)
    rebuildStarted = pyqtSignal()
    rebuildProgress = pyqtSignal(float)
    rebuildFinished = pyqtSignal(bool)
    failed = pyqtSignal(str)
    currentUnitChanged = pyqtSignal(object)  # unit fid or None
    checksUpdated = pyqtSignal()  # the data checks (数据检查) changed
    checksBusy = pyqtSignal(bool)  # a full data check run started / ended
    refused = pyqtSignal(str)  # a commit another planner's change refused (PostGIS layers: live_postgres)
    notice = pyqtSignal(str)  # a warning for the message bar (PostGIS layers: conflict checks off, …)

    def __init__(self, iface: Any = None, project: Optional[QgsProject] = None, parent: Optional[QObject] = None,
                 follow_project: bool = True):
        super().__init__(parent)
        self.iface = iface
        self.project = project or QgsProject.instance()
        self.config = SessionConfig()
        self.pack: Optional[RulePack] = None
        self.live: Optional[LiveBalance] = None
        self.checks = None  # adapters.datachecks.LiveChecks of the live balance
        self.contiguity = None  # adapters.contiguity.LiveContiguity (集中连片) of the live balance
        self.database = None  # adapters.live_postgres.PlanningDatabase: layers of QGIS's postgres provider
        self.background = True  # full builds as QgsTask; tests set False
        self.current_unit: Optional[Hashable] = None
        self._layer_connections: list[tuple[Any, Any]] = []
        self._retry = QTimer(self)
        self._retry.setSingleShot(True)
        self._retry.setInterval(0)
        self._retry.timeout.connect(self._retry_build)
        self._follows_project = follow_project
        if follow_project:  # a stand-alone dock's own session (no plugin) does not
            self.project.readProject.connect(self._on_read_project)
            self.project.cleared.connect(self._on_cleared)
            # emitted before the layers go when a project is closed: stop quietly first
            self.project.removeAll.connect(self.stop)

    # ------------------------------------------------------------------ layers
    def layer(self, role: str) -> Optional[QgsVectorLayer]:
        layer_id = getattr(self.config, role, "")
        if not layer_id:
            return None
        layer = self.project.mapLayer(layer_id)
        return layer if isinstance(layer, QgsVectorLayer) and layer.isValid() else None

    @property
    def parcels(self) -> Optional[QgsVectorLayer]:
        return self.layer("parcels")

    @property
    def units(self) -> Optional[QgsVectorLayer]:
        return self.layer("units")

    @property
    def engine(self):
        return self.live.engine if self.live is not None else None

    @property
    def configured(self) -> bool:
        return self.parcels is not None and self.units is not None

    @property
    def is_rebuilding(self) -> bool:
        return self.live is not None and self.live.is_rebuilding

    def field_map(self):
        layer = self.parcels
        if layer is None:
            return None
        return resolve_parcel_fields(layer.fields().names(), self.config.field_overrides, self.config.tbmj_in_mu)

    def plan_field(self, canonical: str) -> Optional[str]:
        """The parcel layer's actual name of a plan field (ZZLX, GHDLBM, GHKCXS, YNCZ)."""
        fm = self.field_map()
        return fm.plan.get(canonical) if fm is not None else None

    def parcel_field(self, canonical: str) -> Optional[str]:
        fm = self.field_map()
        return fm.parcels.get(canonical) if fm is not None else None

    def unit_field(self, canonical: str) -> Optional[str]:
        layer = self.units
        if layer is None:
            return None
        return resolve_unit_fields(layer.fields().names()).get(canonical)

    # ------------------------------------------------------------------ configure
    def apply(self, config: SessionConfig, save: bool = True, background: Optional[bool] = None) -> bool:
        """Use ``config``: save it in the project and (re)start the live balance.

        Returns True when the live balance was started (its first build may still fail and
        is then reported through ``failed``).
        """
        self.stop()
        self.config = SessionConfig(**config.as_dict())
        if save:
            self.config.write(self.project)
        ok = self._start(background)
        self.configChanged.emit()
        return ok

    def load_pack(self) -> RulePack:
        try:
            return load_pack(self.config.rule_pack or "national")
        except RulePackError as error:
            self.failed.emit(tr("The rule pack {0} cannot be used ({1}); the national pack is used instead.")
                             .format(self.config.rule_pack, error))
            return load_pack("national")

    def _start(self, background: Optional[bool]) -> bool:
        parcels, units = self.parcels, self.units
        if parcels is None or units is None:
            return False
        self.pack = self.load_pack()
        pbf = self.layer("pbf")
        unit_code = resolve_unit_fields(units.fields().names()).get("DYBH")
        inputs = Inputs(parcels, units, pbf, unit_code, dict(self.config.field_overrides), self.config.tbmj_in_mu)
        live = LiveBalance(inputs, self.pack, self)
        use_background = self.background if background is None else background
        self._start_checks(live, inputs, use_background)  # before ``updated``: docks see current findings
        from ..adapters.contiguity import LiveContiguity

        self.contiguity = LiveContiguity(live, self.pack)  # also before ``updated``
        live.updated.connect(self.contiguity.follow)
        live.updated.connect(self.updated)
        live.rebuildProgress.connect(self.rebuildProgress)
        live.rebuildFinished.connect(self.rebuildFinished)
        live.failed.connect(self.failed)
        live.layerRemoved.connect(self._on_layer_removed)
        self.database = PlanningDatabase.attach(live, self)  # other planners' commits, refused saves
        if self.database is not None:
            self.database.refused.connect(self.refused)
            self.database.notice.connect(self.notice)
            self.database.check_transactions()  # rows already in a buffered group's buffers: stamped
        self.live = live
        # an empty units layer cannot be built; retry once the first unit exists
        for signal in (units.featureAdded, units.afterCommitChanges, parcels.afterCommitChanges):
            signal.connect(self._schedule_retry)
            self._layer_connections.append((signal, self._schedule_retry))
        units.selectionChanged.connect(self._on_unit_selection)
        self._layer_connections.append((units.selectionChanged, self._on_unit_selection))
        # disconnect while the layers still exist: a C++-owned layer's signals crash once it is gone
        for layer in {parcels.id(): parcels, units.id(): units}.values():
            layer.willBeDeleted.connect(self._drop_layer_connections)
            self._layer_connections.append((layer.willBeDeleted, self._drop_layer_connections))
        try:
            keep_parcels_visible(self.project, self.iface, units)
        except Exception as error:  # cosmetic: never stops the balance
            log(tr("Setting the selection style failed: {0}").format(error), Qgis.Warning)
        # the unit selected on the map stays the current one across a restart (a new rule pack…)
        selected = units.selectedFeatureIds()
        self.set_current_unit(selected[0] if selected else None)
        started = live.start(background=use_background)
        if use_background and live.is_rebuilding:
            self.rebuildStarted.emit()
        return bool(started) or live.is_rebuilding

    def _start_checks(self, live: LiveBalance, inputs: Inputs, background: bool) -> None:
        """The data checks follow the live balance (a failure leaves the balance running)."""
        try:
            from ..adapters.datachecks import LiveChecks

            checks = LiveChecks(live, inputs, self.pack, self.layer("redline"), self.layer("ugb"),
                                self._boundary_layer(), background=background, parent=self)
        except Exception as error:
            log(tr("The data checks could not start: {0}").format(error), Qgis.Warning)
            return
        checks.updated.connect(self.checksUpdated)
        checks.busy.connect(self.checksBusy)
        self.checks = checks

    def _boundary_layer(self) -> Optional[QgsVectorLayer]:
        """The project boundary (项目范围), found by its name: XMFW / 项目范围."""
        names = {"XMFW", "项目范围", "XMJX"}
        for lyr in polygon_layers(self.project):
            if layer_words(lyr) & names:
                return lyr
        return None

    def rebuild(self) -> None:
        if self.live is not None:
            self.live.rebuild(background=self.background)
            if self.live.is_rebuilding:
                self.rebuildStarted.emit()

    def cancel(self) -> None:
        if self.live is not None:
            self.live.cancel()

    def flush(self) -> None:
        """Apply pending edits now (tests; the dock does not need it)."""
        if self.live is not None:
            self.live.flush()

    def _drop_layer_connections(self) -> None:
        disconnect_all(self._layer_connections)
        self._layer_connections = []

    def stop(self) -> None:
        """Stop and drop the live balance; keeps the configuration."""
        self._retry.stop()
        self._drop_layer_connections()
        if self.checks is not None:
            checks, self.checks = self.checks, None
            checks.stop()
            for signal in (checks.updated, checks.busy):
                try:
                    signal.disconnect()
                except (TypeError, RuntimeError):
                    pass
            checks.setParent(None)
            checks.deleteLater()
        self.contiguity = None
        if self.database is not None:
            self.database, database = None, self.database
            database.stop()
        if self.live is not None:
            live, self.live = self.live, None
            live.stop()
            for signal in (live.updated, live.rebuildProgress, live.rebuildFinished, live.failed, live.layerRemoved):
                try:
                    signal.disconnect()
                except (TypeError, RuntimeError):
                    pass
            live.setParent(None)
            live.deleteLater()

    def unload(self) -> None:
        """Called by the plugin's unload: nothing of the session may stay connected."""
        self.stop()
        if not self._follows_project:
            return
        self._follows_project = False
        disconnect_all(((self.project.readProject, self._on_read_project),
                        (self.project.cleared, self._on_cleared),
                        (self.project.removeAll, self.stop)))

    def set_current_unit(self, uid: Optional[Hashable]) -> None:
        if uid != self.current_unit:
            self.current_unit = uid
            self.currentUnitChanged.emit(uid)

    # ------------------------------------------------------------------ slots
    def _schedule_retry(self, *_args) -> None:
        if self.live is not None and self.live.engine is None and not self.live.is_rebuilding:
            self._retry.start()

    def _retry_build(self) -> None:
        try:
            if self.live is not None and self.live.engine is None and not self.live.is_rebuilding:
                units = self.units
                if units is not None and units.featureCount() > 0:
                    self.rebuild()
        except Exception as error:  # a slot must not raise
            log(tr("Recomputing the balance failed: {0}").format(error), Qgis.Warning)

    def _on_unit_selection(self, selected, _deselected, _clear) -> None:
        units = self.units
        if units is None:
            return
        ids = units.selectedFeatureIds()
        self.set_current_unit(ids[0] if len(ids) >= 1 else None)

    def _on_layer_removed(self, name: str) -> None:
        self.failed.emit(tr("The layer {0} was removed from the project; open the project set-up to choose "
                            "another one.").format(name))
        self.stop()
        self.configChanged.emit()

    def _on_read_project(self, *_args) -> None:
        try:
            config = SessionConfig.read(self.project)
            if config.parcels or config.units:
                self.apply(config, save=False)
            else:
                self.stop()
                self.config = SessionConfig()
                self.configChanged.emit()
        except Exception as error:  # a slot must not raise
            log(tr("Restoring the land consolidation set-up failed: {0}").format(error), Qgis.Warning)

    def _on_cleared(self) -> None:
        self.stop()
        self.current_unit = None
        self.config = SessionConfig()
        self.pack = None
        self.configChanged.emit()


__all__ = [
    "ROLES",
    "SCOPE",
    "PlanningSession",
    "SessionConfig",
    "add_plan_fields",
    "detect_layers",
    "missing_plan_fields",
    "parcel_layer_score",
]
