"""Unit status changes and their history in the planning schema (docs/lifecycle.md, docs/postgis.md).

The status is ``plan_unit.zt``; the trigger of migration 5 writes a ``unit_status_history`` row in
the transaction that changes it. :func:`change_status` is the plugin's change: it declares who and
why for the trigger (bound values, local to the transaction) and changes the status only where it
is still the one the planner saw, so two planners stepping the same unit cannot both succeed.
"""
from __future__ import annotations

import datetime

from ...core.i18n import tr
from ...core.lifecycle import HISTORY_COLUMNS, Transition
from .connection import DatabaseError, driver, redact

TABLE = "unit_status_history"
UNITS = "plan_unit"
LOCK_WAIT = "5s"  # how long a change waits for a row another transaction holds (then: locked_message)
LOCK_NOT_AVAILABLE = "55P03"  # SQLSTATE of lock_timeout and NOWAIT


def locked_message(unit_code) -> str:
    """The planner's sentence when the unit's row is held by a transaction not yet saved."""
    return tr("Unit {0} is being edited in a transaction not yet saved (your edits under QGIS's transaction "
              "groups, or another planner's): save the units layer's edits first, then change its status.").format(
        unit_code)


def has_history(conn, schema: str) -> bool:
    """Whether ``schema`` has the status history (migration 5 applied)."""
    with conn.cursor() as cur:
        cur.execute("SELECT to_regclass(%s)", (driver().sql.Identifier(schema, TABLE).as_string(cur),))
        found = cur.fetchone()[0] is not None
    conn.commit()
    return found


def _local_iso(value) -> str:
    if isinstance(value, datetime.datetime):
        return value.astimezone().isoformat(timespec="seconds")
    return "" if value is None else str(value)


def read_history(conn, schema: str) -> list[Transition]:
    """Every status change of the schema's units, oldest first; who is the QGIS user the session
    declared, else the database role."""
    sql = driver().sql
    with conn.cursor() as cur:
        cur.execute(sql.SQL("SELECT unit_code, from_status, coalesce(to_status, ''), changed_at, "
                            "coalesce(changed_by, db_role), coalesce(reason, '') FROM {} ORDER BY changed_at, id")
                    .format(sql.Identifier(schema, TABLE)))
        rows = cur.fetchall()
    conn.commit()
    return [Transition(code, before, after, _local_iso(at), who, reason) for code, before, after, at, who, reason
            in rows]


def change_status(conn, schema: str, code_field: str, status_field: str, seen, row: Transition,
                  nowait: bool = False) -> None:
    """Set unit ``row.unit_code`` to ``row.to_status`` where its status is still ``seen`` (the raw value
    read), with its history row, in one transaction. DatabaseError when another planner changed it, or
    when another transaction holds the unit's row longer than :data:`LOCK_WAIT` (at once with
    ``nowait``: the units layer is in a QGIS transaction group, which holds the rows it edited until
    the planner saves — waiting for it on QGIS's main thread would never end)."""
    try:
        last = _change(conn, schema, code_field, status_field, seen, row, nowait)
    except driver().Error as exc:
        if getattr(exc, "pgcode", None) == LOCK_NOT_AVAILABLE:
            raise DatabaseError(locked_message(row.unit_code)) from None
        raise DatabaseError(tr("The database refused the status change of unit {0}: {1}").format(
            row.unit_code, redact(str(exc).strip()))) from None
    if last is not False:
        raise _refused(row, seen, last)


def _change(conn, schema: str, code_field: str, status_field: str, seen, row: Transition, nowait: bool):
    """False when changed, else the unit's last history row (to, at, who) or None."""
    sql = driver().sql
    table = sql.Identifier(schema, UNITS)
    with conn, conn.cursor() as cur:
        cur.execute(f"SET LOCAL lock_timeout = '{LOCK_WAIT}'")
        if nowait:
            cur.execute(sql.SQL("SELECT 1 FROM {t} WHERE {c}::text = %s FOR UPDATE NOWAIT").format(
                t=table, c=sql.Identifier(code_field)), (row.unit_code,))
        cur.execute("SELECT set_config('lc.user', %s, true), set_config('lc.reason', %s, true)",
                    (row.changed_by or "", row.reason or ""))
        cur.execute(sql.SQL("UPDATE {t} SET {z} = %s WHERE {c}::text = %s AND {z} IS NOT DISTINCT FROM %s").format(
            t=table, z=sql.Identifier(status_field), c=sql.Identifier(code_field)),
            (row.to_status, row.unit_code, seen))
        if cur.rowcount == 1:
            return False
        cur.execute(sql.SQL("SELECT to_status, changed_at, coalesce(changed_by, db_role) FROM {} WHERE unit_code = %s "
                            "ORDER BY changed_at DESC, id DESC LIMIT 1").format(sql.Identifier(schema, TABLE)),
                    (row.unit_code,))
        return cur.fetchone()


def _refused(row: Transition, seen, last) -> DatabaseError:
    if last is None:
        return DatabaseError(tr("The status of unit {0} could not be changed in the database (no such unit, or its "
                               "status is no longer {1}).").format(row.unit_code, seen))
    return DatabaseError(tr("Unit {0} was changed to {1} by {2} at {3} after you read it; your change to {4} was not "
                           "saved: read the units again.").format(row.unit_code, last[0], last[2], _local_iso(last[1]),
                                                                  row.to_status))


def append_rows(conn, schema: str, rows: list[Transition]) -> None:
    """History rows written as they are (a change the database did not see being made)."""
    sql = driver().sql
    with conn, conn.cursor() as cur:
        driver().extras.execute_values(cur, sql.SQL("INSERT INTO {} ({}) VALUES %s").format(
            sql.Identifier(schema, TABLE), sql.SQL(", ").join(map(sql.Identifier, HISTORY_COLUMNS))).as_string(cur),
            [t.as_row() for t in rows], template="(%s, %s, %s, %s::timestamptz, %s, %s)")
