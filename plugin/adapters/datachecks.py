"""QGIS side of the data checks (数据检查): read what the core needs, run it, keep it live.

* :func:`read_quality` reads the raw survey fields the balance record does not keep
  (KCDLBM as typed, GDPDJB) — for every parcel or for the few an edit touched.
* :func:`area_scale` samples the ratio ellipsoidal / planar area of the working CRS on the
  CGCS2000 ellipsoid (QgsDistanceArea) so the core can compare TBMJ with ellipsoidal areas.
* :func:`prepare_checks` builds a configured :class:`~..core.datachecks.DataChecks`;
  :func:`run_checks` is the one path of the CLI and Processing.
* :class:`LiveChecks` keeps the findings current with a :class:`~.live.LiveBalance`: an edit
  of parcels is re-checked at once and incrementally (its ids come from
  ``LiveBalance.last_changes``); a rebuild, a unit or PBF edit starts a full run, debounced,
  as a QgsTask on a shallow snapshot of the engine; edits made meanwhile are re-checked
  when it finishes.
"""
from __future__ import annotations

import time
import traceback
from typing import Callable, Iterable

from qgis.core import (
    Qgis,
    QgsCoordinateReferenceSystem,
    QgsCsException,
    QgsFeatureRequest,
    QgsGeometry,
    QgsPointXY,
    QgsProject,
    QgsRectangle,
    QgsTask,
    QgsVectorLayer,
)
from qgis.PyQt.QtCore import QObject, QTimer, pyqtSignal

from ..core.checks import DEFAULT_TOLERANCE, Finding, Zones
from ..core.datachecks import AreaScale, CheckSettings, DataChecks, Quality
from ..core.engine import BalanceEngine, EngineSnapshot
from ..core.fields import resolve_parcel_fields
from ..core.i18n import tr
from .constraints import read_gddb, read_unit_features
from .layers import ellipsoid_measure, read_polygons, transform_to
from .log import log
from .qgis_compat import REQUEST_NO_GEOMETRY
from .signals import cancel_task, connect_all, disconnect_all

QUALITY_FIELDS = ("KCDLBM", "GDPDJB")  # canonical names of resources/field_mapping.json


def _text(v) -> str | None:
    if v is None or (hasattr(v, "isNull") and v.isNull()):
        return None
    t = str(v).strip()
    return t if t and t.upper() != "NULL" else None


def quality_field_names(layer, overrides: dict | None = None) -> dict[str, str]:
    """Canonical (KCDLBM, GDPDJB) -> the layer's field name, for the fields it has."""
    names = layer.fields().names()
    mapped = resolve_parcel_fields(names, overrides).parcels
    return {canon: mapped[canon] for canon in QUALITY_FIELDS if mapped.get(canon) and mapped[canon] in names}


def read_quality(layer, fids: Iterable[int] | None = None, overrides: dict | None = None
                 ) -> tuple[dict[int, Quality], set[str]]:
    """``({fid: Quality}, canonical fields present)`` of every (or the given) parcel."""
    names = quality_field_names(layer, overrides)
    if not names:
        return {}, set()
    all_names = layer.fields().names()
    idx = {canon: all_names.index(n) for canon, n in names.items()}
    req = QgsFeatureRequest().setFlags(REQUEST_NO_GEOMETRY).setSubsetOfAttributes(sorted(idx.values()))
    if fids is not None:
        req.setFilterFids(list(fids))
    ki, gi = idx.get("KCDLBM"), idx.get("GDPDJB")
    out = {}
    for f in layer.getFeatures(req):
        attrs = f.attributes()
        out[f.id()] = Quality(_text(attrs[ki]) if ki is not None else None,
                              _text(attrs[gi]) if gi is not None else None)
    return out, set(names)


def area_scale(crs: QgsCoordinateReferenceSystem, extent: QgsRectangle, n: int = 9, side: float = 100.0
               ) -> AreaScale:
    """Ellipsoidal/planar area ratio of ``crs`` on an ``n × n`` grid over ``extent`` (working CRS)."""
    if extent is None or extent.isEmpty() or not crs.isValid() or crs.isGeographic():
        return AreaScale()
    measure = ellipsoid_measure(crs, QgsProject.instance().transformContext())
    x0, y0, x1, y1 = extent.xMinimum(), extent.yMinimum(), extent.xMaximum(), extent.yMaximum()
    rows = []
    for j in range(n):
        y = y0 + (y1 - y0) * j / (n - 1)
        row = []
        for i in range(n):
            x = x0 + (x1 - x0) * i / (n - 1)
            h = side / 2
            sq = QgsGeometry.fromPolygonXY([[QgsPointXY(x - h, y - h), QgsPointXY(x + h, y - h),
                                             QgsPointXY(x + h, y + h), QgsPointXY(x - h, y + h)]])
            try:
                ell = measure.measureArea(sq)
            except QgsCsException:  # outside the CRS's domain (QGIS ≥ 3.34 raises): no scale to apply
                ell = 0.0
            row.append(ell / (side * side) if ell > 0 else 1.0)
        rows.append(row)
    return AreaScale((x0, y0, x1, y1), rows)


def _extent_in(layer, crs) -> QgsRectangle | None:
    extent = layer.extent()
    if extent.isEmpty():
        return None
    tr_ = transform_to(layer, crs)
    return tr_.transformBoundingBox(extent) if tr_ is not None else QgsRectangle(extent)


def prepare_checks(engine: BalanceEngine, inputs, crs: QgsCoordinateReferenceSystem, pack=None,
                   red_line: QgsVectorLayer | None = None, ugb: QgsVectorLayer | None = None,
                   boundary: QgsVectorLayer | None = None, tolerance: float = DEFAULT_TOLERANCE) -> DataChecks:
    """A :class:`DataChecks` configured from the layers (no parcels read yet)."""
    pbf = read_polygons(inputs.pbf, crs) if inputs.pbf is not None else None
    zones = Zones(pbf, read_polygons(red_line, crs) if red_line is not None else None,
                  read_polygons(ugb, crs) if ugb is not None else None)
    units_raw = read_unit_features(inputs.units, crs, inputs.unit_field)
    region = read_polygons(boundary, crs) if boundary is not None else None
    quality_present = set(quality_field_names(inputs.parcels, inputs.field_overrides))
    return DataChecks(CheckSettings.from_pack(pack if pack is not None else engine.pack), engine.table,
                      scale=area_scale(crs, _extent_in(inputs.parcels, crs)), zones=zones,
                      gddb=read_gddb(inputs.parcels, inputs.field_overrides), units_raw=units_raw,
                      boundary=region, quality_fields=quality_present, unit_tolerance=tolerance)


def run_checks(engine: BalanceEngine, inputs, reader, crs: QgsCoordinateReferenceSystem, pack=None,
               red_line=None, ugb=None, boundary=None, tolerance: float = DEFAULT_TOLERANCE,
               progress: Callable[[float], None] | None = None,
               cancelled: Callable[[], bool] | None = None) -> list[Finding]:
    """Every data-check finding of a built engine (CLI and Processing)."""
    checks = prepare_checks(engine, inputs, crs, pack, red_line, ugb, boundary, tolerance)
    quality, _present = read_quality(inputs.parcels, overrides=inputs.field_overrides)
    checks.run(engine, quality=quality, measured=reader.measured if reader is not None else (),
               progress=progress, cancelled=cancelled)
    return checks.findings()


FINDING_FIELDS = (("severity", "TEXT"), ("kind", "TEXT"), ("kind_name", "TEXT"), ("message", "TEXT"),
                  ("unit_code", "TEXT"), ("feature_id", "TEXT"), ("bsm", "TEXT"), ("area_m2", "REAL"))


def finding_row(f: Finding) -> list:
    from ..core.datachecks import kind_name

    return [f.severity, f.code, kind_name(f.code), f.message, f.unit_code,
            None if f.parcel_id is None else str(f.parcel_id), f.bsm, f.area]


def write_findings_gpkg(path, findings: list[Finding], crs: QgsCoordinateReferenceSystem,
                        layer_name: str = "findings") -> None:
    """The findings as a polygon layer of a new GeoPackage ``path`` (one feature per finding)."""
    from pathlib import Path

    import shapely
    from osgeo import ogr, osr

    from .gpkg import write_table

    def ogr_geometry(g):
        polys = [q for q in shapely.get_parts(g) if q.geom_type in ("Polygon", "MultiPolygon")] \
            if g is not None and not g.is_empty else []
        if not polys:
            return None
        multi = shapely.multipolygons(shapely.get_parts(shapely.union_all(polys)))
        return ogr.CreateGeometryFromWkb(shapely.to_wkb(multi))

    srs = osr.SpatialReference()
    srs.ImportFromWkt(crs.toWkt(QgsCoordinateReferenceSystem.WKT_PREFERRED_GDAL))
    srs.SetAxisMappingStrategy(osr.OAMS_TRADITIONAL_GIS_ORDER)
    write_table(Path(path), layer_name, FINDING_FIELDS, [finding_row(f) for f in findings],
                geometries=[ogr_geometry(f.geometry) for f in findings], srs=srs, geom_type=ogr.wkbMultiPolygon)


def snapshot_engine(engine: BalanceEngine) -> EngineSnapshot:
    """What a full run reads, safe to read in a worker while edits go on (``BalanceEngine.snapshot``).

    Parcel states are shared: an edit made meanwhile may be seen half-way, which is why every
    parcel edited during a run is checked again when the run ends.
    """
    return engine.snapshot()


class _CheckTask(QgsTask):
    """A full run in a worker: reads the layers through feature-source snapshots
    (:class:`~.live.SourceLayer`, made in the main thread) and the engine through a shallow copy."""

    def __init__(self, snap, inputs, crs, pack, extra: tuple, measured, done):
        super().__init__(tr("Land consolidation: checking the data"), QgsTask.CanCancel)
        self.snap, self.inputs, self.crs, self.pack, self.extra = snap, inputs, crs, pack, extra
        self.measured = measured
        self._done = done
        self.checks: DataChecks | None = None
        self.error: str | None = None
        self.ok = False

    def run(self) -> bool:  # worker thread
        try:
            self.checks = prepare_checks(self.snap, self.inputs, self.crs, self.pack, *self.extra)
            quality, _present = read_quality(self.inputs.parcels, overrides=self.inputs.field_overrides)
            return self.checks.run(self.snap, quality=quality, measured=self.measured,
                                   progress=lambda f: self.setProgress(100.0 * f), cancelled=self.isCanceled)
        except Exception:
            self.error = traceback.format_exc()
            return False

    def finished(self, result: bool) -> None:  # main thread
        self.ok = bool(result)
        try:
            self._done(self)
        except Exception:
            log(traceback.format_exc(), Qgis.Critical)


class LiveChecks(QObject):
    """The data checks of a :class:`~.live.LiveBalance`, kept current (see the module docstring)."""

    updated = pyqtSignal()
    busy = pyqtSignal(bool)  # a full run started (True) / ended (False)

    def __init__(self, live, inputs, pack=None, red_line: QgsVectorLayer | None = None,
                 ugb: QgsVectorLayer | None = None, boundary: QgsVectorLayer | None = None,
                 background: bool = True, debounce_ms: int = 300, parent: QObject | None = None):
        super().__init__(parent)
        self.live, self.inputs, self.pack = live, inputs, pack
        self.red_line, self.ugb, self.boundary = red_line, ugb, boundary
        self.background = background
        self.checks: DataChecks | None = None
        self.last_update_ms = 0.0
        self.last_run_ms = 0.0
        self._task: _CheckTask | None = None
        self._during: set = set()
        self._again = False
        self._stopped = False
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(debounce_ms)
        self._timer.timeout.connect(self._start_run)
        self._connections = connect_all([(live.updated, self._on_updated)])
        if live.engine is not None:
            self.request_run()

    # ------------------------------------------------------------------ public
    def findings(self) -> list[Finding]:
        return self.checks.findings() if self.checks is not None else []

    @property
    def is_running(self) -> bool:
        return self._task is not None

    def request_run(self) -> None:
        """A full run after the debounce delay (at once when not in the background)."""
        if self._stopped:
            return
        if not self.background:
            self._start_run()
        else:
            self._timer.start()

    def stop(self) -> None:
        self._stopped = True
        self._timer.stop()
        disconnect_all(self._connections)
        self._connections = []
        cancel_task(self._task)
        self._task = None

    # ------------------------------------------------------------------ slots
    def _on_updated(self) -> None:
        try:
            self._follow()
        except Exception:
            log(tr("The data checks could not follow an edit; they are run again in full.")
                                     + "\n" + traceback.format_exc(), Qgis.Warning)
            self.request_run()

    def _follow(self) -> None:
        changes = getattr(self.live, "last_changes", None)
        if changes is None or changes.get("units") or changes.get("pbf"):
            self.request_run()
            return
        parcels = set(changes.get("parcels") or ())
        if not parcels:
            return
        if self._task is not None:  # re-checked when the running full run ends
            self._during |= parcels
        elif self.checks is None:
            self.request_run()
        else:
            self._apply(parcels)

    def _apply(self, pids: set) -> None:
        engine = self.live.engine
        if engine is None or self.checks is None:
            return
        t0 = time.perf_counter()
        present = [p for p in pids if engine.has_parcel(p)]
        quality, _ = read_quality(self.inputs.parcels, present, self.inputs.field_overrides) if present else ({}, None)
        reader = self.live.reader
        self.checks.update(engine, pids, quality=quality, measured=reader.measured if reader is not None else None)
        self.last_update_ms = (time.perf_counter() - t0) * 1000.0
        self.updated.emit()

    def _start_run(self) -> None:
        if self._stopped:
            return
        engine, reader = self.live.engine, self.live.reader
        if engine is None:
            return
        if self._task is not None:
            self._again = True
            return
        measured = set(reader.measured)
        t0 = time.perf_counter()
        if not self.background:
            try:
                checks = prepare_checks(engine, self.inputs, reader.crs, self.pack, self.red_line, self.ugb,
                                        self.boundary)
            except Exception:
                log(tr("The data checks could not start.") + "\n" + traceback.format_exc(), Qgis.Warning)
                return
            quality, _ = read_quality(self.inputs.parcels, overrides=self.inputs.field_overrides)
            checks.run(engine, quality=quality, measured=measured)
            self.checks = checks
            self.last_run_ms = (time.perf_counter() - t0) * 1000.0
            self.updated.emit()
            return
        from .layers import Inputs
        from .live import SourceLayer

        def source(layer):
            return SourceLayer(layer) if layer is not None else None

        try:
            i = self.inputs
            inputs = Inputs(SourceLayer(i.parcels), SourceLayer(i.units), source(i.pbf), i.unit_field,
                            dict(i.field_overrides), i.tbmj_in_mu)
            extra = (source(self.red_line), source(self.ugb), source(self.boundary))
        except RuntimeError:  # a layer was deleted meanwhile: the session restarts us
            return
        self._during = set()
        task = _CheckTask(snapshot_engine(engine), inputs, reader.crs, self.pack, extra, measured,
                          lambda t: self._done(t, t0))
        self._task = task
        self.busy.emit(True)
        from qgis.core import QgsApplication

        QgsApplication.taskManager().addTask(task)

    def _done(self, task: _CheckTask, t0: float) -> None:
        if self._stopped or task is not self._task:
            return
        self._task = None
        self.busy.emit(False)
        if task.ok:
            self.checks = task.checks
            self.last_run_ms = (time.perf_counter() - t0) * 1000.0
            during, self._during = self._during, set()
            if during and not self._again:
                self._apply(during)
            else:
                self.updated.emit()
        elif task.error:
            log(tr("The data checks failed; see the details below.") + "\n" + task.error, Qgis.Warning)
        if self._again:
            self._again = False
            self.request_run()


__all__ = ["LiveChecks", "area_scale", "prepare_checks", "read_quality", "run_checks", "snapshot_engine"]
