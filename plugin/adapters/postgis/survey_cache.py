"""Kept survey results (migration 13): what a balance derives from the survey alone, kept with the sums.

A balance with kept shares and sums (share_cache, sum_cache) still read every survey feature for
results that depend on nothing but the survey — the data of record, which planning never writes:
the validity of every geometry and the repaired ones (``lc_bad``), the BSMs held by several
features with their members (``lc_grp``), the candidate identical copies (``lc_twin``, same BSM or
none and the same geometry) and the counts of features, of located ones and of those without a
usable TBMJ. A planning schema keeps them (``plan_survey_bad``, ``plan_survey_grp``,
``plan_survey_twin``, ``lc_setting`` ``survey_counts``) for the survey they were computed from:
``lc_setting`` ``survey_state`` is an md5 of the survey table's identity and of how the balance
reads it (columns, TBMJ in 亩, working CRS). Any change of the survey (the statement trigger of
migration 12 notes it in ``plan_sum_dirty``, consumed with the sums in the same transaction) or of
the state computes them again. The same rights as the kept sums (sum_cache.NEEDS); without them
the balance computes them, with the same numbers. docs/postgis.md, "Maintained shares".
"""
from __future__ import annotations

import json

from . import split_sql
from .connection import driver

VERSION = 13
STATE = "survey_state"
COUNTS = "survey_counts"
VALUES = "survey_values"  # value_sql: the survey's unusable values, kind -> [count, first ids] (JSON)
#: bump when the SQL of these results changes: kept results of an older version are computed again
#: 3: the parcels without a usable TBMJ counted with a NULL/NaN/text one too; 4: a 二调 DLBM / KCDLBM read as its
#: 三调 class (codes_sql)
CODE = "4"

MIGRATION = (VERSION, "kept survey results: validity, BSM groups, candidate copies", """
CREATE TABLE IF NOT EXISTS {s}.plan_survey_bad (id bigint PRIMARY KEY, fixed geometry);
CREATE TABLE IF NOT EXISTS {s}.plan_survey_grp (id bigint, bsm text, pg geometry, tb double precision,
    kc_r double precision, td_r double precision, kx_r double precision, dl text, kcd text);
CREATE TABLE IF NOT EXISTS {s}.plan_survey_twin (id bigint, other bigint);
CREATE TABLE IF NOT EXISTS {s}.plan_survey_code (field text, raw text, kind text, n bigint);
CREATE TABLE IF NOT EXISTS {s}.plan_survey_sample (k integer, tb double precision, area double precision);
CREATE TABLE IF NOT EXISTS {s}.plan_unit_over (a bigint, b bigint, area double precision);
""")

TABLES = ("plan_survey_bad", "plan_survey_grp", "plan_survey_twin", "plan_survey_code", "plan_survey_sample",
          "plan_unit_over")
NEEDS = tuple((table, right) for table in TABLES for right in ("SELECT", "INSERT", "DELETE"))
#: the code columns the parcels view takes from plan_parcel (schema.create_parcels_view)
PLAN_COLUMNS = ("zzlx", "ghdlbm", "yncz")
UNITS = "unit_state"

GRP_COLUMNS = "id, bsm, pg, tb, kc_r, td_r, kx_r, dl, kcd"


class Kept:
    """The kept survey results of one planning schema for one balance; ``fresh``: they hold for the
    survey as it is now (else the balance computes them and :meth:`store` keeps them)."""

    def __init__(self, schema: str, state: str, fresh: bool, counts: tuple | None, setting=None):
        self.schema = schema
        self.setting = setting  # lc_setting
        self.state = state
        self.fresh = fresh
        self.counts = counts
        self.changed = not fresh  # something to commit (the results computed now, kept)
        self.values: dict | None = None  # value_sql's kinds of the survey: kind -> (count, first ids)

    def table(self, name: str):
        return driver().sql.Identifier(self.schema, name)

    @classmethod
    def of(cls, cur, cache, reading: str) -> Kept | None:
        """``cache``: share_cache.Cache (None: nothing kept); ``reading``: how the balance reads the
        survey (SQL of its columns, TBMJ scale, working CRS)."""
        if cache is None or not cache.sums:
            return None
        sql = driver().sql
        # the lock share_cache takes for the kept shares (re-entrant in this transaction), from here on: two
        # balances must not both replace the kept results
        cur.execute("SELECT pg_advisory_xact_lock(hashtext('lc-share:' || %s))", (cache.schema,))
        cur.execute("SELECT md5(%s || '|' || %s || '|' || %s)", (CODE, cache.survey_stamp(cur), reading))
        state = cur.fetchone()[0]
        cur.execute(sql.SQL("SELECT key, value FROM {} WHERE key IN (%s, %s, %s)").format(cache.setting),
                    (STATE, COUNTS, VALUES))
        values = dict(cur.fetchall())
        # the exact notes seen (not the highest id: a lower one may commit later, sum_cache checks)
        cur.execute(sql.SQL("SELECT coalesce(array_agg(id), '{{}}') FROM {} WHERE survey_fid IS NULL").format(
            sql.Identifier(cache.schema, "plan_sum_dirty")))
        cache.survey_seen = cur.fetchone()[0]
        changed = bool(cache.survey_seen)
        fresh = not changed and values.get(STATE) == state and COUNTS in values
        if fresh:  # a survey with features has code rows (at least its 田坎 pair, NULL or not)
            cur.execute(sql.SQL("SELECT EXISTS (SELECT 1 FROM {})").format(
                sql.Identifier(cache.schema, "plan_survey_code")))
            fresh = cur.fetchone()[0] or values[COUNTS].startswith("0,")
        counts = tuple(int(v) for v in values[COUNTS].split(",")) if fresh else None
        kept = cls(cache.schema, state, fresh, counts, cache.setting)
        kept.values = json.loads(values[VALUES]) if fresh and VALUES in values else None
        return kept

    def bad(self, cur, create) -> None:
        """lc_bad from the kept rows."""
        sql = driver().sql
        cur.execute(sql.SQL("{} lc_bad AS SELECT id, fixed FROM {}").format(create, self.table("plan_survey_bad")))

    def groups(self, cur, create) -> int:
        """lc_grp and lc_twin from the kept rows; returns the number of members of BSM groups."""
        sql = driver().sql
        grp = self.table("plan_survey_grp")
        cur.execute(sql.SQL("SELECT count(*) FROM {}").format(grp))
        several = cur.fetchone()[0]
        if several:
            cur.execute(sql.SQL("{} lc_grp AS SELECT " + GRP_COLUMNS + " FROM {}").format(create, grp))
            cur.execute("ANALYZE lc_grp")
        else:
            cur.execute(sql.SQL("{} lc_grp (id bigint, bsm text)").format(create))
        cur.execute(sql.SQL("{} lc_twin AS SELECT id, other FROM {}").format(create, self.table("plan_survey_twin")))
        return several

    def store(self, cur, setting, counts: tuple) -> None:
        """Keep what this balance computed (lc_bad, lc_grp, lc_twin, the counts) for the next ones."""
        sql = driver().sql
        for name in ("plan_survey_bad", "plan_survey_grp", "plan_survey_twin"):
            cur.execute(sql.SQL("DELETE FROM {}").format(self.table(name)))
        cur.execute(sql.SQL("INSERT INTO {} SELECT id, fixed FROM lc_bad").format(self.table("plan_survey_bad")))
        cur.execute("SELECT count(*) FROM pg_attribute WHERE attrelid = 'lc_grp'::regclass AND attname = 'pg'")
        if cur.fetchone()[0]:  # members of BSM groups (pieces_sql.MEMBERS; else an empty table without them)
            cur.execute(sql.SQL("INSERT INTO {} SELECT " + GRP_COLUMNS + " FROM lc_grp").format(
                self.table("plan_survey_grp")))
        cur.execute(sql.SQL("INSERT INTO {} SELECT id, other FROM lc_twin").format(self.table("plan_survey_twin")))
        # the kept shares of features no longer in the view (deleted from the survey: their boxes touch no parcel
        # left; a parcel now in pieces): gone, so that the kept shares' parcels are the view's while nothing
        # changes (all_in_units)
        cur.execute(sql.SQL("DELETE FROM {} c WHERE NOT EXISTS (SELECT 1 FROM {} s WHERE s.fid = c.survey_fid)")
                    .format(self.table("plan_share"), self.table("parcels")))
        for key, value in ((STATE, self.state), (COUNTS, ",".join(str(int(n)) for n in counts)),
                           (VALUES, json.dumps(self.values or {}))):
            cur.execute(sql.SQL("INSERT INTO {} (key, value) VALUES (%s, %s) ON CONFLICT (key) DO UPDATE "
                                "SET value = excluded.value").format(setting), (key, value))

    def codes(self, cur, t, named: dict, distinct) -> tuple[dict, list]:
        """balance._distinct's (per code field its raw texts and counts, the 田坎 pairs): the survey's
        columns kept, the plan's (ZZLX, GHDLBM, YNCZ) read from plan_parcel — its rows of features
        that exist, as the view joins them (a NULL is never a code: not counted)."""
        sql = driver().sql
        plan = {k: v for k, v in named.items() if v and v.lower() in PLAN_COLUMNS}
        survey = {k: v for k, v in named.items() if k not in plan}
        kept = self.table("plan_survey_code")
        if self.fresh:
            cur.execute(sql.SQL("SELECT field, raw, kind, n FROM {}").format(kept))
            per_field: dict = {}
            pairs = []
            for field, raw, kind, n in cur.fetchall():
                if field is None:
                    pairs.append((raw, kind))
                else:
                    per_field.setdefault(field, {})[raw] = n
        else:
            per_field, pairs = distinct(survey)
            cur.execute(sql.SQL("DELETE FROM {}").format(kept))
            rows = [(f, raw, None, n) for f, found in per_field.items() for raw, n in found.items()]
            rows += [(None, grade, kind, None) for grade, kind in pairs]
            driver().extras.execute_values(cur, sql.SQL("INSERT INTO {} VALUES %s").format(kept).as_string(cur), rows)
        if plan:
            source = sql.SQL("(SELECT pp.* FROM {} pp WHERE EXISTS (SELECT 1 FROM {} s WHERE s.fid = pp.survey_fid))")
            source = source.format(self.table("plan_parcel"), self.table("survey"))
            if split_sql.has_pieces(cur, self.schema):  # the pieces' plan fields instead of their parcels'
                cols = sql.SQL(", ").join(sql.Identifier(c) for c in ("zzlx", "ghdlbm", "ghkcxs", "yncz"))
                source = sql.SQL("(SELECT {c} FROM {plan} pp WHERE EXISTS (SELECT 1 FROM {survey} s WHERE s.fid = "
                                 "pp.survey_fid) AND NOT EXISTS (SELECT 1 FROM {split} x WHERE x.survey_fid = "
                                 "pp.survey_fid) UNION ALL SELECT {c} FROM {split} x WHERE EXISTS (SELECT 1 FROM "
                                 "{survey} s WHERE s.fid = x.survey_fid))").format(
                    c=cols, plan=self.table("plan_parcel"), survey=self.table("survey"),
                    split=self.table("plan_split"))
            found, _none = distinct(plan, source)
            per_field.update({f: {raw: n for raw, n in v.items() if raw is not None} for f, v in found.items()})
        return per_field, pairs

    def sample(self, cur, read) -> list:
        """The TBMJ-unit check's sample (``read()``: balance's query), kept."""
        sql = driver().sql
        kept = self.table("plan_survey_sample")
        if self.fresh:
            cur.execute(sql.SQL("SELECT tb, area FROM {} ORDER BY k").format(kept))
            return cur.fetchall()
        rows = read()
        cur.execute(sql.SQL("DELETE FROM {}").format(kept))
        driver().extras.execute_values(cur, sql.SQL("INSERT INTO {} VALUES %s").format(kept).as_string(cur),
                                       [(k, tb, area) for k, (tb, area) in enumerate(rows)])
        return rows

    def overlaps(self, cur, setting, create, work: int, compute) -> None:
        """lc_uover (units overlapping each other), kept per pair of plan_unit ids while no unit changed
        (their ids, versions and change times: the stamp trigger sets them on every insert and update)."""
        sql = driver().sql
        kept = self.table("plan_unit_over")
        cur.execute(sql.SQL("SELECT md5(coalesce(string_agg(concat_ws(',', id, version, changed_at), ';' ORDER BY id), "
                            "'') || %s) FROM {}").format(self.table("plan_unit")), (f"|{work}|{CODE}",))
        now = cur.fetchone()[0]
        cur.execute(sql.SQL("SELECT value FROM {} WHERE key = %s").format(setting), (UNITS,))
        row = cur.fetchone()
        if row is not None and row[0] == now:
            cur.execute(sql.SQL("{} lc_uover AS SELECT ua.uid AS a, ub.uid AS b, o.area FROM {} o JOIN lc_u ua "
                                "ON ua.unit_pk = o.a JOIN lc_u ub ON ub.unit_pk = o.b").format(create, kept))
            return
        compute()
        cur.execute(sql.SQL("DELETE FROM {}").format(kept))
        cur.execute(sql.SQL("INSERT INTO {} SELECT ua.unit_pk, ub.unit_pk, o.area FROM lc_uover o "
                            "JOIN lc_u ua ON ua.uid = o.a JOIN lc_u ub ON ub.uid = o.b").format(kept))
        cur.execute(sql.SQL("INSERT INTO {} (key, value) VALUES (%s, %s) ON CONFLICT (key) DO UPDATE "
                            "SET value = excluded.value").format(setting), (UNITS, now))
        self.changed = True

    def all_in_units(self, cur, parcels: int) -> bool:
        """Is every survey feature in a unit (a project row of the kept shares, lc_src)? Only asked with
        the survey unchanged since :meth:`store` removed the shares of deleted features: lc_src's
        parcels are then survey features, and as many as the survey's are all of them."""
        if not self.fresh:
            return False
        cur.execute("SELECT count(*) FROM lc_src")
        return cur.fetchone()[0] == parcels
