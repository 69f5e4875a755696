"""The versions a planner's session saw, read without holding up QGIS (issue 12; docs/postgis.md,
"Refused saves").

A session on the planning layers remembers the ``version`` of every row as it loaded them
(``live_versions.SeenVersions``). Reading them through QGIS's provider takes one feature per row on
the main thread (~2 s at 200 000 parcels). :class:`VersionRead` starts one query at once — key and
version of every row as one text, parsed by numpy — in a worker thread over its own connection
(psycopg2: the layer's service, ``authcfg`` resolved on the main thread, or host / dbname / user):
the database's snapshot is taken when the session starts, as before, and QGIS stays responsive
meanwhile. :meth:`VersionRead.wait` hands the result over; the version stamp calls it before
anything uses the versions (a commit, *Save mine over theirs*), so no edit is saved unchecked while
the read runs: it waits for it (at most ``CONNECT_TIMEOUT`` for an unreachable server). Where the
query cannot run (no psycopg2, a layer whose key is not one column, a connection refused or timed
out), the rows are read through QGIS's provider on the main thread, as before.
"""
from __future__ import annotations

import threading
from typing import Callable, Optional

import numpy as np
from qgis.core import QgsDataSourceUri, QgsVectorLayer

from ..core.i18n import tr
from .log import log

Pairs = tuple[np.ndarray, np.ndarray]  # (fids, versions), int64, sorted by fid
CONNECT_TIMEOUT = 10  # seconds: an unreachable server falls back to the provider instead of freezing QGIS


def _query(layer: QgsVectorLayer, column: str) -> Optional[tuple[str, object]]:
    """(libpq connection string, SQL) of the versions of ``layer``'s table, None when not possible."""
    uri = QgsDataSourceUri(layer.source())
    key = uri.keyColumn()
    if not key or "," in key or layer.providerType() != "postgres":
        return None
    try:
        from .postgis.connection import driver, resolve_authcfg
        from .postgis.layers import layer_table

        sql = driver().sql
        dsn = resolve_authcfg(layer_table(layer).dsn)  # QGIS's auth manager: on the main thread
    except Exception as exc:  # no psycopg2, an authcfg QGIS cannot resolve: the provider's read
        log(tr("The versions of {0} are read through QGIS's provider: {1}").format(layer.name(), exc))
        return None
    table = sql.Identifier(uri.schema() or "public", uri.table())
    statement = sql.SQL("SELECT string_agg({k}::bigint::text || ',' || {v}::bigint::text, ',') FROM {t} "
                        "WHERE {k} IS NOT NULL AND {v} IS NOT NULL").format(
        k=sql.Identifier(key.strip('"')), v=sql.Identifier(column), t=table)
    return dsn, statement


def parse_pairs(text: Optional[str]) -> Pairs:
    """``"fid,version,fid,version,…"`` -> (fids, versions) sorted by fid."""
    if not text:
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    flat = np.fromstring(text, dtype=np.int64, sep=",").reshape(-1, 2)
    order = np.argsort(flat[:, 0], kind="stable")
    return flat[order, 0].copy(), flat[order, 1].copy()


class VersionRead:
    """The versions of every row of ``layer``, being read (module docstring)."""

    def __init__(self, layer: QgsVectorLayer, column: str, fallback: Callable[[], dict[int, int]]):
        self._fallback = fallback
        self._result: Optional[Pairs] = None
        self._error: Optional[str] = None
        self._thread: Optional[threading.Thread] = None
        query = _query(layer, column)
        if query is not None:
            self._thread = threading.Thread(target=self._run, args=query, name="lc-versions", daemon=True)
            self._thread.start()

    @property
    def in_background(self) -> bool:
        """The read runs (or ran) in a worker thread, not through QGIS's provider."""
        return self._thread is not None

    @property
    def done(self) -> bool:
        """Nothing left to wait for in the worker (a read through the provider runs in :meth:`wait`)."""
        return self._thread is None or not self._thread.is_alive()

    def _run(self, dsn: str, statement) -> None:  # worker thread: no Qt object touched
        try:
            from .postgis.connection import driver

            conn = driver().connect(dsn, application_name="land-consolidation versions",
                                    connect_timeout=CONNECT_TIMEOUT)
            try:
                with conn.cursor() as cur:
                    cur.execute(statement)
                    text = cur.fetchone()[0]
            finally:
                conn.close()
            self._result = parse_pairs(text)
        except Exception as exc:  # said by wait(), on the main thread; never with the connection string
            self._error = type(exc).__name__

    def wait(self) -> Pairs | dict[int, int]:
        """The versions: (fids, versions) from the worker, or fid -> version through the provider."""
        if self._thread is not None:
            self._thread.join()
            if self._result is not None:
                return self._result
            log(tr("The versions are read through QGIS's provider: the query failed ({0})").format(self._error))
        return self._fallback()
