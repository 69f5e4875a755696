"""Where the status history lives, who changes a status, the units' statuses, the achieved layer.

The history (``core.lifecycle.Transition`` rows) is the table ``unit_status_history`` in the
GeoPackage that holds the units layer: it travels with the units, survives saving and reopening the
project, is read by every front end (docks, Processing, CLI) and copied into the plan GeoPackage by
the export. Units that are not in a GeoPackage (a shapefile, a memory layer) keep their history in the
QGIS project file instead (custom entry ``LandConsolidation/status_history``, JSON), saved with the
project. Units that are the planning schema's PostGIS ``plan_unit`` table keep it in the schema's
``unit_status_history``, written in the transaction that changes the status (``postgis/status.py``).
docs/lifecycle.md.
"""
from __future__ import annotations

import datetime
import getpass
import json
from pathlib import Path
from typing import Iterable

from osgeo import ogr
from qgis.core import QgsApplication, QgsProject, QgsProviderRegistry, QgsVectorLayer

from ..core.acceptance import AchievedState
from ..core.lifecycle import HISTORY_COLUMNS, Transition
from .crs import transform_to
from .gpkg import read_table, write_table
from .sources import damage_guard
from .wkb import geometries_wkb

TABLE = "unit_status_history"
SCOPE, ENTRY = "LandConsolidation", "status_history"
_COLUMNS = [(c, "TEXT") for c in HISTORY_COLUMNS]


def who() -> str:
    """The QGIS user's full name, else the QGIS login, else the OS login."""
    for get in (QgsApplication.userFullName, QgsApplication.userLoginName, getpass.getuser):
        try:
            name = (get() or "").strip()
        except Exception:  # getpass without a login name (containers)
            name = ""
        if name:
            return name
    return "?"


def now() -> str:
    """The local time with its UTC offset, to the second (ISO 8601)."""
    return datetime.datetime.now().astimezone().isoformat(timespec="seconds")


def gpkg_of(layer: QgsVectorLayer | None) -> Path | None:
    """The GeoPackage file behind an OGR layer, None for anything else."""
    if layer is None or layer.providerType() != "ogr":
        return None
    path = QgsProviderRegistry.instance().decodeUri("ogr", layer.source()).get("path") or ""
    return Path(path) if path.lower().endswith(".gpkg") and Path(path).exists() else None


def plan_units_table(layer: QgsVectorLayer | None):
    """``postgis.layers.LayerTable`` of a layer showing a planning schema's ``plan_unit`` (postgres
    provider or OGR's ``PG:``), else None."""
    if layer is None or layer.providerType() not in ("postgres", "ogr"):
        return None
    from .postgis.layers import layer_table
    from .postgis.status import UNITS

    found = layer_table(layer)
    return found if found is not None and found.table == UNITS and found.schema else None


class HistoryStore:
    """The status history of the units of one layer (GeoPackage table, the planning schema's table,
    else the project file)."""

    def __init__(self, units: QgsVectorLayer | None, project: QgsProject | None = None):
        self.path = gpkg_of(units)
        self.project = project if project is not None else QgsProject.instance()
        self.table = plan_units_table(units) if self.path is None else None
        self._in_database: bool | None = None

    def connect(self):
        from .postgis.connection import connect

        return connect(self.table.dsn)

    @property
    def in_database(self) -> bool:
        """The units are a planning schema's ``plan_unit`` with the status history (migration 5)."""
        if self._in_database is None:
            self._in_database = False
            if self.table is not None:
                from .postgis.status import has_history

                conn = self.connect()
                try:
                    self._in_database = has_history(conn, self.table.schema)
                finally:
                    conn.close()
        return self._in_database

    @property
    def where(self) -> str:
        if self.path:
            return f"{self.path}|layername={TABLE}"
        if self.in_database:
            return f"PostGIS {self.table.schema}.{TABLE}"
        return f"{SCOPE}/{ENTRY}"

    def _database(self, work, *args):
        conn = self.connect()
        try:
            return work(conn, self.table.schema, *args)
        finally:
            conn.close()

    def change(self, code_field: str, status_field: str, seen, row: Transition, nowait: bool = False) -> None:
        """The status change and its history row in one database transaction (``in_database`` only);
        ``nowait``: refused at once when the unit's row is held (``postgis.status.change_status``)."""
        from .postgis.status import change_status

        self._database(change_status, code_field, status_field, seen, row, nowait)

    def read(self) -> list[Transition]:
        if self.in_database:
            from .postgis.status import read_history

            return self._database(read_history)
        if self.path is None:
            raw, ok = self.project.readEntry(SCOPE, ENTRY, "[]")
            try:
                rows = json.loads(raw) if ok and raw else []
            except ValueError:
                rows = []
            return [Transition(*[str(r.get(c) or "") for c in HISTORY_COLUMNS]) for r in rows if isinstance(r, dict)]
        try:
            rows = read_table(self.path, TABLE)
        except (KeyError, AttributeError):
            return []
        return [Transition(*[str(r.get(c) or "") for c in HISTORY_COLUMNS]) for r in rows]

    def append(self, rows: Iterable[Transition]) -> None:
        rows = list(rows)
        if not rows:
            return
        if self.in_database:
            from .postgis.status import append_rows

            self._database(append_rows, rows)
            return
        if self.path is None:
            old = [dict(zip(HISTORY_COLUMNS, t.as_row())) for t in self.read()]
            old.extend(dict(zip(HISTORY_COLUMNS, t.as_row())) for t in rows)
            self.project.writeEntry(SCOPE, ENTRY, json.dumps(old, ensure_ascii=False))
            return
        ds = ogr.Open(str(self.path), 1)
        layer = ds.GetLayerByName(TABLE) if ds is not None else None
        if layer is None:
            ds = None
            write_table(self.path, TABLE, _COLUMNS, [t.as_row() for t in rows],
                        "整治单元状态变更记录 / status history of the remediation units")
            return
        defn = layer.GetLayerDefn()
        layer.StartTransaction()
        for t in rows:
            feat = ogr.Feature(defn)
            for c, value in zip(HISTORY_COLUMNS, t.as_row()):
                feat.SetField(c, value)
            layer.CreateFeature(feat)
        layer.CommitTransaction()
        layer = ds = None


def export_history(path: Path, units: QgsVectorLayer, codes: Iterable[str] | None = None) -> None:
    """The units' status history (of ``codes``, default all) as the table ``unit_status_history`` of the
    plan GeoPackage ``path`` (written even when empty: the hand-over always has it)."""
    wanted = set(codes) if codes is not None else None
    rows = [t.as_row() for t in HistoryStore(units).read() if wanted is None or t.unit_code in wanted]
    write_table(Path(path), TABLE, _COLUMNS, rows, "整治单元状态变更记录 / status history of the remediation units")


def unit_statuses(layer: QgsVectorLayer, code_field: str, status_field: str) -> dict[str, object]:
    """unit code -> the stored ZT value (None when NULL) of every unit with a code."""
    out: dict[str, object] = {}
    if layer.fields().indexOf(status_field) < 0:
        return {str(f[code_field]): None for f in layer.getFeatures() if f[code_field] not in (None, "")}
    for f in layer.getFeatures():
        code, value = f[code_field], f[status_field]
        if code in (None, "") or str(code) == "NULL":
            continue
        out[str(code).strip()] = None if value is None or str(value) == "NULL" else str(value)
    return out


def read_achieved(layer: QgsVectorLayer, class_field: str, crs) -> AchievedState:
    """The achieved layer's polygons in the working CRS ``crs`` with their class codes."""
    with damage_guard(layer):
        feats = list(layer.getFeatures())
    geoms = geometries_wkb(feats, transform_to(layer, crs))
    return AchievedState((g, f[class_field]) for f, g in zip(feats, geoms))


def class_field_of(layer: QgsVectorLayer, wanted: str | None = None) -> str | None:
    """The achieved layer's class field: ``wanted`` if given (any case), else DLBM, else GHDLBM."""
    names = {n.upper(): n for n in layer.fields().names()}
    for name in ([wanted] if wanted else ["DLBM", "GHDLBM"]):
        if name and name.upper() in names:
            return names[name.upper()]
    return None


__all__ = ["TABLE", "HistoryStore", "class_field_of", "export_history", "gpkg_of", "now", "plan_units_table",
           "read_achieved", "unit_statuses", "who"]
