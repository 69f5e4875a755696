"""Saving a planner's plan edits with optimistic locking (issue 12 §4; docs/postgis.md).

Each plan row carries ``version`` (raised by a trigger on every update). A planner's session
remembers the version it read; saving sends it back, and a row that another planner changed in the
meantime is refused with who changed it and when. The refused values are handed back (nothing is
lost) so the front end can keep them in the planner's edit buffer. Edits of different rows never
conflict.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ...core.i18n import tr
from .connection import DatabaseError, driver
from .schema import CHANNEL, set_planner
from .status import LOCK_NOT_AVAILABLE, LOCK_WAIT

PLAN_COLUMNS = ("zzlx", "ghdlbm", "ghkcxs", "yncz")


@dataclass
class Conflict:
    """One row another planner changed after this planner read it."""

    survey_fid: int
    changed_by: str | None
    changed_role: str | None
    changed_at: Any
    refused: dict  # this planner's values, not written

    def message(self) -> str:
        who = self.changed_by or self.changed_role or tr("another planner")
        return tr("Parcel {0} was changed by {1} ({2}) at {3}; your change was not saved and is kept for you "
                  "to check.").format(self.survey_fid, who, self.changed_role, self.changed_at)


class ConflictError(DatabaseError):
    """The save was refused: the rows in ``conflicts`` changed since they were read."""

    def __init__(self, conflicts: list[Conflict]):
        super().__init__("\n".join(c.message() for c in conflicts))
        self.conflicts = conflicts


def read_plan(conn, schema: str, fids: list[int]) -> dict[int, dict]:
    """survey fid -> its plan values and ``version`` (0: no plan row yet)."""
    sql = driver().sql
    with conn.cursor() as cur:
        cur.execute(sql.SQL("SELECT survey_fid, zzlx, ghdlbm, ghkcxs, yncz, version FROM {} WHERE survey_fid = ANY(%s)")
                    .format(sql.Identifier(schema, "plan_parcel")), (list(fids),))
        rows = {r[0]: dict(zip((*PLAN_COLUMNS, "version"), r[1:])) for r in cur.fetchall()}
    conn.commit()
    return {fid: rows.get(fid, {**dict.fromkeys(PLAN_COLUMNS), "version": 0}) for fid in fids}


def save_plan(conn, schema: str, edits: dict[int, tuple[int, dict]], qgis_user: str | None) -> None:
    """Write ``{fid: (version read, {column: value})}`` in one transaction, or nothing.

    A row whose version is no longer the one read (or that appeared meanwhile) refuses the whole
    save with a ConflictError naming who changed it and when; a row another transaction holds for
    longer than ``status.LOCK_WAIT`` (a planner's unsaved edits under QGIS's transaction groups)
    refuses it with a DatabaseError naming the parcel.
    """
    reached: list[int] = []  # the rows written so far: the last one is the one that waited
    try:
        _save(conn, schema, edits, qgis_user, reached.append)
    except driver().Error as exc:
        if getattr(exc, "pgcode", None) != LOCK_NOT_AVAILABLE:
            raise
        fid = reached[-1] if reached else "?"
        raise DatabaseError(tr("Parcel {0} is being edited in a transaction not yet saved (another planner's, or "
                               "yours under QGIS's transaction groups): nothing was saved; save those edits first, "
                               "then try again.").format(fid)) from None


def _save(conn, schema: str, edits: dict[int, tuple[int, dict]], qgis_user: str | None, at) -> None:
    sql = driver().sql
    table = sql.Identifier(schema, "plan_parcel")
    conflicts = []
    with conn, conn.cursor() as cur:
        set_planner(cur, qgis_user)
        cur.execute(f"SET LOCAL lock_timeout = '{LOCK_WAIT}'")
        for fid, (version, values) in sorted(edits.items()):
            at(fid)
            cols = [c for c in PLAN_COLUMNS if c in values]
            if version == 0:
                cur.execute(sql.SQL("INSERT INTO {} (survey_fid, {}) VALUES (%s, {}) ON CONFLICT DO NOTHING").format(
                    table, sql.SQL(", ").join(map(sql.Identifier, cols)),
                    sql.SQL(", ").join(sql.Placeholder() * len(cols))), (fid, *[values[c] for c in cols]))
            else:
                cur.execute(sql.SQL("UPDATE {} SET {} WHERE survey_fid = %s AND version = %s").format(
                    table, sql.SQL(", ").join(sql.SQL("{} = %s").format(sql.Identifier(c)) for c in cols)),
                    (*[values[c] for c in cols], fid, version))
            if cur.rowcount == 1:
                continue
            cur.execute(sql.SQL("SELECT changed_by, changed_role, changed_at FROM {} WHERE survey_fid = %s").format(
                table), (fid,))
            row = cur.fetchone() or (None, None, None)
            conflicts.append(Conflict(fid, *row, refused=dict(values)))
        if conflicts:
            conn.rollback()
            raise ConflictError(conflicts)


def listen(conn) -> None:
    """Receive other sessions' plan changes on ``conn`` (autocommit; poll with :func:`changes`)."""
    conn.autocommit = True
    with conn.cursor() as cur:
        cur.execute(driver().sql.SQL("LISTEN {}").format(driver().sql.Identifier(CHANNEL)))


def changes(conn, timeout: float = 0.0) -> list[dict]:
    """The notifications that arrived (waiting up to ``timeout`` seconds for the first)."""
    import json
    import select

    if not conn.notifies and timeout > 0:
        select.select([conn], [], [], timeout)
    conn.poll()
    out = [json.loads(n.payload) for n in conn.notifies]
    conn.notifies.clear()
    return out
