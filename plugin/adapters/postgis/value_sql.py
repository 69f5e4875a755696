"""``balance --in-database``: the parcels whose values the balance could not use, counted on the server.

The same kinds, by the same rules, as a reader in the plugin notes them (core/fields.py: TBMJ, KCXS,
GHKCXS, KCMJ, TBDLMJ, 二调 and working codes, new farmland without a slope grade), in one scan of the
parcel table that returns only the ids of such parcels; the first few ids per kind and the counts go to
core/value_warnings.py, which words them as for every other front end. No geometry leaves the server.
"""
from __future__ import annotations

from ...core.fields import NO_GRADE
from ...core.value_warnings import NAMED, IdSample, code_issues
from . import split_sql
from .connection import driver

#: the kinds that need a value of the plan (GHKCXS, GHDLBM): the others depend on the survey alone
PLAN_KINDS = ("GHKCXS", NO_GRADE)


def _conditions(t, named: dict, per_field: dict, pairs: list, slots: dict) -> tuple:
    """(issue kind -> its SQL condition on a row ``p`` of ``t``, the SQL of a usable TBMJ, of the measured
    area, core.value_warnings.CodeIssues)."""
    sql = driver().sql
    false = sql.SQL("false")

    def col(name: str):
        return sql.SQL("p.{}").format(sql.Identifier(named[name])) if named.get(name) else None

    def given(name: str):
        c = col(name)
        return sql.SQL("({} IS NOT NULL)").format(c) if c is not None else false

    def among(name: str, raws) -> object:
        raws = sorted({r for r in raws if r is not None})
        c = col(name)
        if c is None or not raws:
            return false
        return sql.SQL("({}::text = ANY({}))").format(c, sql.Literal(raws))

    def textual(name: str) -> bool:
        return any(w in t.columns.get(named.get(name) or "", "") for w in ("char", "text"))

    s = {k: slots[k] for k in ("tb", "kc", "td", "kx", "gx", "measured")}
    usable = sql.SQL("coalesce({tb} > 0 AND {tb} <= 1e12, false)").format(**s)
    measured = sql.SQL("CASE WHEN p.{g} IS NOT NULL THEN {m} END").format(g=t.geom, m=s["measured"])

    def against(value, name: str):  # fields.area_rules / with_area_rule: KCMJ or TBDLMJ against TBMJ
        return sql.SQL("CASE WHEN {ok} THEN coalesce(NOT ({v} >= 0 AND {v} <= {tb}), false) "
                       "ELSE ({given} AND NOT coalesce({v} >= 0, false)) OR coalesce({v} > m.a AND m.a > 0, false) "
                       "END").format(ok=usable, v=value, tb=s["tb"], given=given(name))

    def coefficient(value, name: str):
        return sql.SQL("({} AND NOT coalesce({v} >= 0 AND {v} < 1, false))").format(given(name), v=value)

    codes = code_issues(per_field.get("DLBM", {}), per_field.get("KCDLBM", {}), per_field.get("GHDLBM", {}),
                        [g for g, _k in pairs], textual("DLBM"), textual("KCDLBM"))
    kinds = {"TBMJ": sql.SQL("({} AND NOT {})").format(given("TBMJ"), usable),
             "KCXS": coefficient(s["kx"], "KCXS"), "GHKCXS": coefficient(s["gx"], "GHKCXS"),
             "KCMJ": against(s["kc"], "KCMJ"), "TBDLMJ": against(s["td"], "TBDLMJ")}
    for issue in sorted(set(codes.dlbm) | set(codes.kcdlbm)):
        kinds[issue] = sql.SQL("({} OR {})").format(among("DLBM", codes.dlbm.get(issue, ())),
                                                    among("KCDLBM", codes.kcdlbm.get(issue, ())))
    no_grade = among("GDPDJB", codes.no_grade) if col("GDPDJB") is not None else None
    kinds[NO_GRADE] = sql.SQL("({} AND {} AND NOT coalesce({gx} >= 0 AND {gx} < 1, false) AND {})").format(
        among("DLBM", codes.grade_from), among("GHDLBM", codes.grade_to),
        sql.SQL("({} IS NULL OR {})").format(col("GDPDJB"), no_grade) if no_grade is not None else sql.SQL("true"),
        gx=s["gx"])
    return kinds, usable, measured, codes


def _scan(cur, t, kinds: dict, names: list, usable, measured, where=None) -> dict:
    """Per kind of ``names`` its count and first ids among the rows of ``t`` (``where``: only these)."""
    sql = driver().sql
    # per kind its count and first ids, summed on the server (no row per parcel comes back); the measured
    # area only where TBMJ is unusable (a lateral subquery, evaluated per row of those alone)
    cur.execute(sql.SQL("SELECT {sums} FROM (SELECT p.{pk} AS id, ARRAY[{flags}] AS f FROM {t} p "
                        "LEFT JOIN lc_bad bad ON bad.id = p.{pk} "
                        "CROSS JOIN LATERAL (SELECT CASE WHEN NOT {ok} THEN {m} END AS a) m WHERE {w}) x "
                        "WHERE true = ANY(f)").format(
        sums=sql.SQL(", ").join(sql.SQL("count(*) FILTER (WHERE f[{k}]), (array_agg(id ORDER BY id) FILTER "
                                        "(WHERE f[{k}]))[1:{n}]").format(k=sql.Literal(k + 1), n=sql.Literal(NAMED))
                                for k in range(len(names))),
        pk=t.pk, flags=sql.SQL(", ").join(kinds[n] for n in names), t=t.name, ok=usable, m=measured,
        w=where or sql.SQL("true")))
    row = cur.fetchone()
    return {n: IdSample(row[2 * k], row[2 * k + 1]) for k, n in enumerate(names) if row[2 * k]}


def value_issues(cur, t, named: dict, per_field: dict, pairs: list, slots: dict, kept=None) -> dict:
    """Issue kind -> :class:`IdSample` of the parcels of ``t`` (``slots``: balance._slots' SQL of the
    numbers, ``measured``: the area measured for a parcel without usable TBMJ; ``lc_bad`` exists;
    ``kept``: survey_cache.Kept, which keeps the kinds that depend on the survey alone)."""
    sql = driver().sql
    kinds, usable, measured, codes = _conditions(t, named, per_field, pairs, slots)

    def scan(names: list, where=None) -> dict:
        return _scan(cur, t, kinds, names, usable, measured, where)

    if kept is None:
        return scan(list(kinds))
    # kept results (survey_cache): the survey's kinds kept with them, computed again when the survey changes;
    # the plan's (GHKCXS, new farmland without grade) need a plan value: only the parcels with one are read
    plan = [n for n in kinds if n in PLAN_KINDS]
    if kept.fresh and kept.values is not None:
        found = {n: IdSample(total, ids) for n, (total, ids) in kept.values.items()}
    else:
        found = scan([n for n in kinds if n not in PLAN_KINDS])
        kept.values = {n: (v.total, v.ids) for n, v in found.items()}
    # the parcels whose plan values may make one of these (plan_parcel's, a piece's own: without a usable
    # GHKCXS, and with one given or farmland planned), by fid: a filter on the view's plan columns reads every
    # survey feature (they are chosen above its union); ``fid = ANY(array)`` is pushed into the union's legs
    farm = sql.Literal(sorted({r for r in codes.grade_to if r is not None}))
    has = sql.SQL("WHERE (ghkcxs IS NOT NULL OR ghdlbm::text = ANY({}::text[])) "
                  "AND NOT coalesce(ghkcxs >= 0 AND ghkcxs < 1, false)").format(farm)  # no usable GHKCXS
    pieces = sql.SQL(" UNION ALL SELECT fid FROM {} {}").format(kept.table("plan_split"), has)
    where = sql.SQL("p.{pk} = ANY(ARRAY(SELECT survey_fid FROM {pp} {has}{pieces}))").format(
        pp=kept.table("plan_parcel"), has=has, pk=t.pk,
        pieces=pieces if split_sql.has_pieces(cur, kept.schema) else sql.SQL(""))
    return {**found, **scan(plan, where)}
