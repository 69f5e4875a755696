"""QGIS layers as database sources: which PostGIS table a layer shows, on which connection.

A layer opened with QGIS's ``postgres`` provider names its connection in a ``QgsDataSourceUri``
(``service``, ``authcfg``, or host / port / dbname / user); one opened with OGR's PostgreSQL
driver is ``PG:…|layername=schema.table``. Both become the ``PG:…|layername=…`` source that
``balance --in-database`` takes. A password in the layer's source stays in memory: every message
shows the connection through ``connection.redact``. docs/postgis.md.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from qgis.core import QgsDataSourceUri, QgsProviderRegistry, QgsVectorLayer

from ...core.i18n import tr
from .connection import DatabaseError, driver, is_database_source, libpq_dsn, redact, split_source

_AUTHCFG = re.compile(r"\bauthcfg\s*=\s*\S+", re.IGNORECASE)


@dataclass(frozen=True)
class LayerTable:
    """The table of a PostGIS layer and the connection it was opened with."""

    dsn: str  # libpq keywords (may hold a password: never print it unredacted)
    schema: str | None
    table: str
    database: tuple  # (service, host, port, dbname): "the same database" for two layers

    def source(self, dsn: str | None = None) -> str:
        """``PG:dsn|layername="schema"."table"`` (names quoted: any character survives)."""
        name = ".".join(_quote(p) for p in (self.schema, self.table) if p)
        return f"PG:{dsn or self.dsn}|layername={name}"


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _keywords(values: list[tuple[str, str]]) -> str:
    out = []
    for key, value in values:
        if not value:
            continue
        if key == "authcfg":  # QGIS's id (7 letters or digits), read by connection.resolve_authcfg unquoted
            out.append(f"authcfg={value}")
        else:
            out.append(f"{key}='" + str(value).replace("\\", "\\\\").replace("'", "\\'") + "'")
    return " ".join(out)


def _from_uri(uri: QgsDataSourceUri) -> LayerTable:
    ssl = QgsDataSourceUri.encodeSslMode(uri.sslMode()) if uri.sslMode() else ""
    dsn = _keywords([("service", uri.service()), ("host", uri.host()), ("port", uri.port()),
                     ("dbname", uri.database()), ("user", uri.username()), ("password", uri.password()),
                     ("sslmode", "" if ssl == "prefer" else ssl), ("authcfg", uri.authConfigId())])
    return LayerTable(dsn, uri.schema() or None, uri.table(), _database_of(dsn))


def _database_of(dsn: str) -> tuple:
    """(service, host, port, dbname) of libpq keywords (psycopg2's parser: quotes and escapes)."""
    try:
        parts = driver().extensions.parse_dsn(_AUTHCFG.sub(" ", dsn))
    except driver().ProgrammingError:  # not something libpq parses: compare the text itself
        return (dsn,)
    return tuple(parts.get(k, "") for k in ("service", "host", "port", "dbname"))


def layer_table(layer: QgsVectorLayer | None) -> LayerTable | None:
    """The PostGIS table behind ``layer`` (``postgres`` provider or OGR's ``PG:``), None for anything else."""
    if layer is None:
        return None
    if layer.providerType() == "postgres":
        return _from_uri(QgsDataSourceUri(layer.source()))
    if layer.providerType() == "ogr":
        parts = QgsProviderRegistry.instance().decodeUri("ogr", layer.source())
        path, name = parts.get("path") or "", parts.get("layerName")
        if not is_database_source(path) or not name:
            return None
        dsn, schema, table = split_source(f"{path}|layername={name}")
        return LayerTable(dsn, schema, table, _database_of(libpq_dsn(dsn)))
    return None


def database_sources(parcels: QgsVectorLayer, units: QgsVectorLayer, pbf: QgsVectorLayer | None,
                     ugb: QgsVectorLayer | None = None) -> tuple[str, str, str | None, str | None]:
    """The ``PG:`` sources of the layers for ``--in-database`` (parcels, units, PBF and the urban
    growth boundary ``--ugb``), on the parcels' connection.

    DatabaseError (said to the planner) when a layer is not a PostGIS table or view, has unsaved
    edits or a filter (the database would not see them), or lives in another database.
    """
    tables = []
    for layer in (parcels, units, pbf, ugb):
        if layer is None:
            tables.append(None)
            continue
        found = layer_table(layer)
        if found is None:
            raise DatabaseError(tr("Computing inside the database needs PostGIS layers (QGIS's PostgreSQL "
                                   "provider or PG: sources); {0} is not one: {1}").format(
                layer.name(), redact(layer.source())))
        if layer.isModified():
            raise DatabaseError(tr("The layer {0} has unsaved edits, which the database does not see: save them "
                                   "first").format(layer.name()))
        if layer.subsetString().strip():
            raise DatabaseError(tr("The layer {0} has a filter ({1}), which the balance inside the database would "
                                   "not apply: remove it or compute without the database").format(
                layer.name(), layer.subsetString()))
        tables.append(found)
    first = tables[0]
    for layer, found in zip((units, pbf, ugb), tables[1:]):
        if found is not None and found.database != first.database:
            raise DatabaseError(tr("Computing inside the database needs all layers in one database: {0} is in "
                                   "{1}, the parcels in {2}").format(
                layer.name(), redact(found.dsn), redact(first.dsn)))
    return tuple(t.source(first.dsn) if t is not None else None for t in tables)
