"""A second ``db load`` and the planners' work since the last one (issue 12; docs/postgis.md, "Loading again").

``db load`` replaces ``plan_parcel`` (with the source's plan values), ``plan_split`` (the former survey's
pieces) and, with ``--units`` only, ``plan_unit``; without ``--units`` the units are kept as they are. What
the planners changed in the replaced tables since the last load is then only in ``history``. So a load
whose schema holds such changes is refused before it writes anything, saying how many rows, by whom and
when, unless ``--replace-plan`` says to replace them.

A load marks where its own history ends: ``lc_setting`` ``load_history_id`` is the highest ``history.id``
when it commits (``load_units_history_id`` too when it loaded units: a load without ``--units`` leaves the
planners' unit changes counted for the next load with them). The load holds the survey and the plan tables
locked from its last check to its commit (planners' saves wait), so every history row of a plan table above
the mark is a change made after that load: a planner's. A schema with no mark (never loaded, or last loaded
before the mark existed) counts all its history: an empty schema has none and loads as before; one loaded by
an older plugin counts that load's own rows too, and its first reload may need ``--replace-plan``.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from ...core.i18n import tr
from .connection import driver

#: ``lc_setting`` keys: the highest ``history.id`` when the last load committed, and when the last load
#: with ``--units`` did (``plan_unit`` is counted from there)
MARK = "load_history_id"
UNITS_MARK = "load_units_history_id"
_TABLES = ("plan_parcel", "plan_split", "plan_unit")
_NAMES = 3  # planners named in a message; the rest counted


@dataclass
class PlanWork:
    """The planners' changes since the last load: distinct rows per plan table, who (latest first), when last."""
    parcels: int = 0
    pieces: int = 0
    units: int = 0
    who: list[str] = field(default_factory=list)
    last: object = None  # datetime of the latest change replaced

    def at_risk(self) -> bool:
        return bool(self.parcels or self.pieces or self.units)

    def summary(self) -> str:
        """``2 parcels tagged, 1 piece …, by 张三, 李四, last at …``."""
        parts = []
        if self.parcels:
            parts.append(tr("{0} parcel(s) tagged").format(self.parcels))
        if self.pieces:
            parts.append(tr("{0} piece(s) of split parcels").format(self.pieces))
        if self.units:
            parts.append(tr("{0} unit(s) drawn or changed").format(self.units))
        who = ", ".join(self.who[:_NAMES])
        if len(self.who) > _NAMES:
            who += tr(" and {0} more").format(len(self.who) - _NAMES)
        when = self.last.isoformat(sep=" ", timespec="seconds") if hasattr(self.last, "isoformat") else "?"
        return tr("{0}, by {1}, last at {2}").format(", ".join(parts), who or "?", when)


def _marks(cur, schema: str) -> dict[str, int]:
    sql = driver().sql
    cur.execute(sql.SQL("SELECT key, value FROM {} WHERE key IN (%s, %s)").format(sql.Identifier(schema, "lc_setting")),
                (MARK, UNITS_MARK))
    return {k: int(v) for k, v in cur.fetchall() if v and v.isdigit()}


def planners_work(cur, schema: str, units: bool) -> tuple[PlanWork, int]:
    """What this load would replace (``units``: it loads units, so ``plan_unit`` counts) and how many
    units the planners changed that it keeps (``plan_unit`` without ``--units``)."""
    sql = driver().sql
    marks = _marks(cur, schema)
    # (table, the mark its planners' changes are counted from)
    since = [("plan_parcel", marks.get(MARK, 0)), ("plan_split", marks.get(MARK, 0)),
             ("plan_unit", marks.get(UNITS_MARK, 0))]
    history = sql.Identifier(schema, "history")
    mine = sql.SQL(" OR ").join(sql.SQL("(table_name = {} AND id > {})").format(sql.Literal(t), sql.Literal(m))
                                for t, m in since)
    cur.execute(sql.SQL("SELECT table_name, count(DISTINCT row_key) FROM {} WHERE {} GROUP BY table_name").format(
        history, mine))
    counts = dict(cur.fetchall())
    work = PlanWork(counts.get("plan_parcel", 0), counts.get("plan_split", 0),
                    counts.get("plan_unit", 0) if units else 0)
    if work.at_risk():
        risk = sql.SQL(" OR ").join(sql.SQL("(table_name = {} AND id > {})").format(sql.Literal(t), sql.Literal(m))
                                    for t, m in since if units or t != "plan_unit")
        cur.execute(sql.SQL("SELECT coalesce(qgis_user, db_role), max(at) FROM {} WHERE {} "
                            "GROUP BY 1 ORDER BY 2 DESC").format(history, risk))
        rows = cur.fetchall()
        work.who = [r[0] for r in rows]
        work.last = rows[0][1] if rows else None
    return work, 0 if units else counts.get("plan_unit", 0)


def refusal(schema: str, work: PlanWork, kept_units: int) -> str:
    """The message of a load refused: what it would replace, that nothing was written, the option."""
    text = tr("{0} holds the planners' work since its last load, which this load would replace: {1}. "
              "Nothing was written. To load and replace it, run db load again with --replace-plan "
              "(the history table keeps the replaced rows).").format(schema, work.summary())
    return text + kept(kept_units)


def replaced(work: PlanWork, kept_units: int) -> str:
    """The line a load with ``--replace-plan`` prints ('' when it replaced no planner's work)."""
    if not work.at_risk():
        return kept(kept_units).strip()
    return tr("Replaced the planners' work since the last load: {0} (the history table keeps the old rows).").format(
        work.summary()) + kept(kept_units)


def kept(kept_units: int) -> str:
    if not kept_units:
        return ""
    return " " + tr("The {0} unit(s) the planners drew or changed are kept: a load without --units does not "
                    "touch plan_unit.").format(kept_units)


def mark(cur, schema: str, units: bool) -> None:
    """At the end of the load's transaction: where its own history ends (for the units only when it loaded
    them: a load without ``--units`` keeps the planners' units, and the next one with it counts them)."""
    sql = driver().sql
    for key in (MARK, UNITS_MARK) if units else (MARK,):
        cur.execute(sql.SQL("INSERT INTO {} (key, value) SELECT %s, coalesce(max(id), 0)::text FROM {} "
                            "ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value").format(
            sql.Identifier(schema, "lc_setting"), sql.Identifier(schema, "history")), (key,))


def lock(cur, schema: str) -> None:
    """The survey (if any; planners' sessions read it before they write a plan row) then the plan tables,
    held to the load's commit: no planner's change slips between the last check and the mark."""
    sql = driver().sql
    cur.execute("SELECT to_regclass(%s)", (sql.Identifier(schema, "survey").as_string(cur),))
    if cur.fetchone()[0] is not None:
        cur.execute(sql.SQL("LOCK TABLE {} IN ACCESS EXCLUSIVE MODE").format(sql.Identifier(schema, "survey")))
    cur.execute(sql.SQL("LOCK TABLE {} IN SHARE ROW EXCLUSIVE MODE").format(
        sql.SQL(", ").join(sql.Identifier(schema, t) for t in _TABLES)))
