"""Kept survey results (migration 10): what a balance derives from the survey alone, kept with the sums.

A balance with kept shares and sums (share_cache, sum_cache) still read every survey feature for
results that depend on nothing but the survey — the data of record, which planning never writes:
the validity of every geometry and the repaired ones (``lc_bad``), the BSMs held by several
features with their members (``lc_grp``), the candidate identical copies (``lc_twin``, same BSM or
none and the same geometry) and the counts of features, of located ones and of those without a
usable TBMJ. A planning schema keeps them (``plan_survey_bad``, ``plan_survey_grp``,
``plan_survey_twin``, ``lc_setting`` ``survey_counts``) for the survey they were computed from:
``lc_setting`` ``survey_state`` is an md5 of the survey table's identity and of how the balance
reads it (columns, TBMJ in 亩, working CRS). Any change of the survey (the statement trigger of
migration 9 notes it in ``plan_sum_dirty``, consumed with the sums in the same transaction) or of
the state computes them again. The same rights as the kept sums (sum_cache.NEEDS); without them
the balance computes them, with the same numbers. docs/postgis.md, "Maintained shares".
"""
from __future__ import annotations

from .connection import driver

VERSION = 10
STATE = "survey_state"
COUNTS = "survey_counts"
#: bump when the SQL of these results changes: kept results of an older version are computed again
CODE = "1"

MIGRATION = (VERSION, "kept survey results: validity, BSM groups, candidate copies", """
CREATE TABLE IF NOT EXISTS {s}.plan_survey_bad (id bigint PRIMARY KEY, fixed geometry);
CREATE TABLE IF NOT EXISTS {s}.plan_survey_grp (id bigint, bsm text, pg geometry, tb double precision,
    kc_r double precision, td_r double precision, kx_r double precision, dl text, kcd text);
CREATE TABLE IF NOT EXISTS {s}.plan_survey_twin (id bigint, other bigint);
""")

NEEDS = tuple((table, right) for table in ("plan_survey_bad", "plan_survey_grp", "plan_survey_twin")
              for right in ("SELECT", "INSERT", "DELETE"))

GRP_COLUMNS = "id, bsm, pg, tb, kc_r, td_r, kx_r, dl, kcd"


class Kept:
    """The kept survey results of one planning schema for one balance; ``fresh``: they hold for the
    survey as it is now (else the balance computes them and :meth:`store` keeps them)."""

    def __init__(self, schema: str, state: str, fresh: bool, counts: tuple | None):
        self.schema = schema
        self.state = state
        self.fresh = fresh
        self.counts = counts

    def table(self, name: str):
        return driver().sql.Identifier(self.schema, name)

    @classmethod
    def of(cls, cur, cache, reading: str) -> Kept | None:
        """``cache``: share_cache.Cache (None: nothing kept); ``reading``: how the balance reads the
        survey (SQL of its columns, TBMJ scale, working CRS)."""
        if cache is None or not cache.sums:
            return None
        sql = driver().sql
        cur.execute("SELECT md5(%s || '|' || %s || '|' || %s)", (CODE, cache.survey_stamp(cur), reading))
        state = cur.fetchone()[0]
        cur.execute(sql.SQL("SELECT key, value FROM {} WHERE key IN (%s, %s)").format(cache.setting), (STATE, COUNTS))
        values = dict(cur.fetchall())
        cur.execute(sql.SQL("SELECT max(id) FROM {} WHERE survey_fid IS NULL").format(
            sql.Identifier(cache.schema, "plan_sum_dirty")))
        seen = cur.fetchone()[0]
        changed = seen is not None
        cache.survey_seen = seen or 0
        fresh = not changed and values.get(STATE) == state and COUNTS in values
        counts = tuple(int(v) for v in values[COUNTS].split(",")) if fresh else None
        return cls(cache.schema, state, fresh, counts)

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
        for key, value in ((STATE, self.state), (COUNTS, ",".join(str(int(n)) for n in counts))):
            cur.execute(sql.SQL("INSERT INTO {} (key, value) VALUES (%s, %s) ON CONFLICT (key) DO UPDATE "
                                "SET value = excluded.value").format(setting), (key, value))
