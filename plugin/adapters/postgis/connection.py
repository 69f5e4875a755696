"""Connecting to a bureau's PostgreSQL/PostGIS: pg_service.conf or QGIS's auth manager, never a
password in a file, a log line or a message (docs/postgis.md, "Security").

``--db`` takes what libpq takes: ``service=county`` (pg_service.conf), ``host=… dbname=…``
keywords, a ``postgresql://`` URI, or GDAL's ``PG:…`` spelling of either. Inside QGIS a source may
name an ``authcfg=…``: the auth manager fills in the credentials (:func:`resolve_authcfg`).
"""
from __future__ import annotations

import re
from typing import Any

from ...core.errors import PlanError
from ...core.i18n import tr

_PASSWORD = re.compile(r"(password\s*=\s*)('(?:[^'\\]|\\.)*'|[^\s|]+)", re.IGNORECASE)  # unquoted: up to a blank or |
_URI_PASSWORD = re.compile(r"(postgres(?:ql)?://[^:/@\s]*:)([^@\s]*)(@)", re.IGNORECASE)
_AUTHCFG = re.compile(r"\s*authcfg\s*=\s*(\S+)", re.IGNORECASE)


_PLAIN_NAME = re.compile(r"[a-z_][a-z0-9_$]*\Z")
_RESERVED = frozenset(  # PostgreSQL's reserved and type/function-name keywords: quoted even when plain
    "all analyse analyze and any array as asc asymmetric authorization binary both case cast check collate "
    "collation column concurrently constraint create cross current_catalog current_date current_role "
    "current_schema current_time current_timestamp current_user default deferrable desc distinct do else end "
    "except false fetch for foreign freeze from full grant group having ilike in initially inner intersect "
    "into is isnull join lateral leading left like limit localtime localtimestamp natural not notnull null "
    "offset on only or order outer overlaps placing primary references returning right select session_user "
    "similar some symmetric system_user table tablesample then to trailing true union unique user using "
    "variadic verbose when where window with".split())


def sql_identifier(name: str) -> str:
    """``name`` spelt as an SQL identifier a database administrator can paste (as PostgreSQL's
    ``quote_ident``): as is when plain, else in double quotes (Chinese, spaces, capitals, quotes)."""
    if _PLAIN_NAME.match(name) and name not in _RESERVED:
        return name
    return '"' + name.replace('"', '""') + '"'


class DatabaseError(PlanError):
    """A database problem told to the planner in one sentence (never with a password)."""


def driver():
    """The psycopg2 module, or a DatabaseError saying what to install."""
    try:
        import psycopg2
        import psycopg2.extras
        import psycopg2.sql
    except ImportError:
        raise DatabaseError(tr(
            "The PostgreSQL driver psycopg2 is not installed in QGIS's Python. Debian/Ubuntu: "
            "sudo apt install python3-psycopg2; Windows (OSGeo4W): it ships with QGIS; "
            "elsewhere: python -m pip install psycopg2-binary.")) from None
    return psycopg2


def redact(text: str) -> str:
    """``text`` with every password (``password=…``, ``user:secret@`` in a URI) replaced by ``***``."""
    text = _PASSWORD.sub(r"\1***", str(text))
    return _URI_PASSWORD.sub(r"\1***\3", text)


def libpq_dsn(conn: str) -> str:
    """The libpq connection string of a ``--db`` value (``PG:`` prefix and ``|layername`` removed)."""
    dsn = conn.strip()
    if dsn[:3].upper() == "PG:":
        dsn = dsn[3:]
    return dsn.split("|", 1)[0].strip()


def resolve_authcfg(dsn: str) -> str:
    """``authcfg=ID`` replaced by the user and password QGIS's auth manager holds for ID.

    Outside QGIS (or without the id) the text is returned unchanged and libpq reports the problem.
    """
    match = _AUTHCFG.search(dsn)
    if not match:
        return dsn
    try:
        from qgis.core import QgsApplication
    except ImportError:
        raise DatabaseError(tr("authcfg={0} needs QGIS's auth manager; outside QGIS use a "
                               "pg_service.conf service.").format(match.group(1))) from None
    authcfg = match.group(1)
    result = QgsApplication.authManager().updateDataSourceUriItems([f"authcfg={authcfg}"], authcfg, "postgres")
    ok, items = result if isinstance(result, tuple) else (result, [])  # PyQt returns the filled list
    extra = [i for i in items if not i.lower().startswith("authcfg=")]
    if not ok or not extra:
        raise DatabaseError(tr("QGIS's auth manager has no usable configuration {0}").format(authcfg))
    # the auth method gives libpq items (user='…' password='…'), spliced in memory only
    return _AUTHCFG.sub("", dsn) + " " + " ".join(extra)


def _keywords(values: dict[str, Any]) -> str:
    out = []
    for key, value in values.items():
        if value in (None, ""):
            continue
        text = str(value).replace("\\", "\\\\").replace("'", "\\'")
        out.append(f"{key}='{text}'")
    return " ".join(out)


def connect(conn: str, application: str = "land-consolidation"):
    """An open psycopg2 connection (autocommit off) for a ``--db`` value; DatabaseError on failure."""
    psycopg2 = driver()
    dsn = resolve_authcfg(libpq_dsn(conn))
    try:
        if dsn.startswith(("postgresql://", "postgres://")):
            connection = psycopg2.connect(dsn, application_name=application)
        else:
            connection = psycopg2.connect(dsn + " " + _keywords({"application_name": application}))
    except psycopg2.Error as exc:
        raise DatabaseError(tr("Cannot connect to the database {0}: {1}").format(
            redact(libpq_dsn(conn)), redact(str(exc).strip()))) from None
    return connection


def is_database_source(source: str | None) -> bool:
    """A ``PG:…`` / ``postgresql://…`` source (what ``--in-database`` needs)."""
    text = (source or "").strip().lower()
    return text.startswith(("pg:", "postgresql:", "postgres:"))


def layer_of(source: str) -> tuple[str, str | None]:
    """``path|layername=NAME|…`` -> (path, NAME or None), GDAL's spelling of a layer in a source."""
    path, _sep, rest = source.partition("|")
    name = None
    for part in rest.split("|"):
        key, _eq, value = part.partition("=")
        if key.strip().lower() == "layername":
            name = value.strip()
    return path, name


def split_source(source: str) -> tuple[str, str | None, str]:
    """``PG:dsn|layername=schema.table`` (or ``… table=…``) -> (dsn, schema, table).

    ``layername`` follows GDAL: ``schema.table``, or ``table`` in the default search path. A
    quoted part (``"my schema"."表 1"``) keeps its dots.
    """
    dsn, name = layer_of(source)
    if name is None:
        match = re.search(r"\btables?\s*=\s*(\S+)", dsn)
        if match:
            name = match.group(1).strip("'")
            dsn = dsn[:match.start()] + dsn[match.end():]
    if not name:
        raise DatabaseError(tr("No table in the database source {0}: add |layername=schema.table").format(
            redact(dsn)))
    schema, table = _split_qualified(name)
    return libpq_dsn(dsn), schema, table


def _split_qualified(name: str) -> tuple[str | None, str]:
    parts = re.findall(r'"((?:[^"]|"")*)"|([^.]+)', name)
    names = [q.replace('""', '"') if q else p for q, p in parts]
    if len(names) == 1:
        return None, names[0]
    return ".".join(names[:-1]), names[-1]
