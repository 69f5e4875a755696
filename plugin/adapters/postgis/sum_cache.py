"""Kept sums (migration 12): the balance's grouped sums kept per unit beside the maintained shares.

With the shares kept (share_cache), what a balance still did for every parcel was the per-parcel
rules and the grouped sums (balance_sql.GROUP_SUMS: the survey read, the rules run and summed for
each of the 10⁶ parcels of a county, every time). ``plan_sum`` keeps those sums per unit (the
unit's rows) and, for the project rows, per *bucket* (the smallest unit holding the parcel,
``plan_share.bucket``), so that a balance recomputes only the units something changed in and adds
up the kept rows of the others. A unit is out of date when

* one of its parcels' shares was recomputed (share_cache: the parcels in a noted box — the units
  holding such a parcel before and after);
* one of its parcels' plan attributes changed (a trigger on ``plan_parcel`` notes the survey fid
  in ``plan_sum_dirty``; SECURITY DEFINER: a planner needs no right on it);
* it holds a piece of a BSM group that has an identical copy (whether the copy counts depends on
  another feature's plan attributes: these few are always recomputed).

Everything is recomputed when the survey changed (a statement trigger on ``survey`` notes it: TBMJ,
codes, 田坎 fields, validity, pieces all come from it), when the shares were refilled, or when
what the SQL sees of the rule pack and options changed (``lc_setting`` ``sum_state``: an md5 of the
query text, the survey and the 田坎 table ``lc_ridge``; ``plan_sum_code``: how each code was read —
a code read differently now recomputes everything, a new one only where it is used). A role without
rights on these tables computes the sums as before (same numbers), and a balance that changes the
kept shares without keeping the sums marks the sums out of date. docs/postgis.md, "Maintained shares".
"""
from __future__ import annotations

from . import balance_sql, survey_cache
from .connection import driver
from .trigger_sql import definer_row_trigger

VERSION = 12
STATE = "sum_state"
SUMS = ("vb1", "vb2", "va1", "va2", "tbmj", "same1", "same2", "x11", "x12", "x21", "x22", "pbf_before", "pbf_after",
        "pbf_out", "pbf_in", "tw_before", "tw_after", "tw_out", "tw_in")
KEYS = ("b1", "b2", "a1", "a2", "planned", "zzlx", "town")

MIGRATION = (VERSION, "kept sums: plan_sum, plan_sum_dirty, the project shares' bucket", """
ALTER TABLE {s}.plan_share ADD COLUMN IF NOT EXISTS bucket bigint;
CREATE INDEX IF NOT EXISTS plan_share_unit_id_idx ON {s}.plan_share (unit_id);
CREATE INDEX IF NOT EXISTS plan_share_bucket_idx ON {s}.plan_share (bucket);
CREATE TABLE IF NOT EXISTS {s}.plan_sum (unit_id bigint, bucket bigint, b1 text, b2 text, a1 text, a2 text,
    planned boolean, zzlx text, town text, """ + ", ".join(f"{c} double precision" for c in SUMS) + """);
CREATE INDEX IF NOT EXISTS plan_sum_unit_id_idx ON {s}.plan_sum (unit_id);
CREATE INDEX IF NOT EXISTS plan_sum_bucket_idx ON {s}.plan_sum (bucket);
CREATE TABLE IF NOT EXISTS {s}.plan_sum_dirty (id bigserial PRIMARY KEY, survey_fid bigint);
CREATE TABLE IF NOT EXISTS {s}.plan_sum_code (raw text PRIMARY KEY, txt text, cls text, farm boolean, action text);
CREATE OR REPLACE FUNCTION {s}.lc_sum_dirty() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp AS $$
BEGIN
    IF TG_LEVEL = 'STATEMENT' THEN  -- the survey, or plan_parcel truncated: everything
        INSERT INTO {s}.plan_sum_dirty (survey_fid) VALUES (NULL);
        RETURN NULL;
    END IF;
    IF TG_OP <> 'INSERT' THEN
        INSERT INTO {s}.plan_sum_dirty (survey_fid) VALUES (OLD.survey_fid);
    END IF;
    IF TG_OP = 'INSERT' OR (TG_OP = 'UPDATE' AND NEW.survey_fid IS DISTINCT FROM OLD.survey_fid) THEN
        INSERT INTO {s}.plan_sum_dirty (survey_fid) VALUES (NEW.survey_fid);
    END IF;
    RETURN NULL;
END $$;
""" + definer_row_trigger("lc_sum_dirty", "plan_parcel") + """\
DROP TRIGGER IF EXISTS lc_sum_dirty_all ON {s}.plan_parcel;
CREATE TRIGGER lc_sum_dirty_all AFTER TRUNCATE ON {s}.plan_parcel
    FOR EACH STATEMENT EXECUTE FUNCTION {s}.lc_sum_dirty();
DO $$ BEGIN
    IF to_regclass(format('%I.survey', {name})) IS NOT NULL THEN
        DROP TRIGGER IF EXISTS lc_sum_dirty ON {s}.survey;
        CREATE TRIGGER lc_sum_dirty AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON {s}.survey
            FOR EACH STATEMENT EXECUTE FUNCTION {s}.lc_sum_dirty();
    END IF;
END $$;
""")

#: db load made a new survey table: its statement trigger (share_cache.after_load)
SURVEY_TRIGGER = ("CREATE TRIGGER lc_sum_dirty AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON {}.survey "
                  "FOR EACH STATEMENT EXECUTE FUNCTION {}.lc_sum_dirty()")

#: the rights a balance needs to keep the sums (besides share_cache's)
NEEDS = (*survey_cache.NEEDS, ("plan_sum", "SELECT"), ("plan_sum", "INSERT"), ("plan_sum", "DELETE"),
         ("plan_sum_dirty", "SELECT"), ("plan_sum_dirty", "DELETE"),
         ("plan_sum_code", "SELECT"), ("plan_sum_code", "INSERT"), ("plan_sum_code", "UPDATE"),
         ("plan_sum_code", "DELETE"))

#: the features whose numbers depend on another feature's plan attributes: the pieces of a BSM group
#: that holds a candidate identical copy (whether the copy counts, and so whether the group is a split,
#: depends on both copies' attributes: pieces_sql); their units are recomputed on every balance. The
#: copies themselves need nothing: two copies have one geometry, so the units of an edited one are
#: the other's too
COPIES = """
SELECT g.id FROM lc_grp g WHERE g.bsm IN (SELECT h.bsm FROM lc_grp h JOIN lc_twin t ON h.id IN (t.id, t.other))
"""

#: the grouped sums out of the kept rows: the units' rows as kept, the project's buckets added up
READ = ("SELECT u.uid, " + ", ".join(f"s.{k}" for k in KEYS) + ", "
        + ", ".join(f"sum(s.{c}) AS {c}" for c in SUMS)
        + " FROM {sums} s LEFT JOIN lc_u u ON u.unit_pk = s.unit_id WHERE s.unit_id IS NULL OR u.uid IS NOT NULL "
        "GROUP BY 1, 2, 3, 4, 5, 6, 7, 8")


def state(cur, cache, text: str) -> str:
    """What the kept sums were computed for: the query, the survey and its 田坎 table (the codes:
    :func:`codes_changed`)."""
    cur.execute("SELECT md5(%s || '|' || %s || '|' || coalesce((SELECT string_agg(concat_ws(',', grade, kind, "
                "coef::text), ';' ORDER BY grade, kind, coef) FROM lc_ridge), ''))", (text, cache.stamp))
    return cur.fetchone()[0]


def codes_changed(cur, codes) -> bool:
    """Does the rule pack read a code the kept sums have seen differently (class, farmland, PBF
    action)? A code new since (a plan edit) is only in recomputed units."""
    sql = driver().sql
    cur.execute(sql.SQL("SELECT count(*) FROM lc_code c JOIN {} k USING (raw) WHERE (c.txt, c.cls, c.farm, c.action) "
                        "IS DISTINCT FROM (k.txt, k.cls, k.farm, k.action)").format(codes))
    return cur.fetchone()[0] > 0


def bring_up_to_date(cur, w, cache, text_of, parcels: tuple) -> None:
    """Recompute the out-of-date units' sums (``text_of(table)``: balance_sql.group_sums(kept=True) with
    its slots, over lc_dpairs / lc_dproj / lc_dsrc and the parcel table ``table``, the balance's by
    default; ``parcels``: that table, its key, its number of rows), then leave the cursor on the grouped
    sums of all."""
    sql = driver().sql
    text = text_of()
    s = sql.Identifier(cache.schema, "plan_sum")
    dirty = sql.Identifier(cache.schema, "plan_sum_dirty")
    cur.execute(sql.SQL("{} lc_sdirty AS SELECT id, survey_fid FROM {}").format(w.create, dirty))
    query = text.as_string(cur)
    now = state(cur, cache, query)
    cur.execute(sql.SQL("SELECT value FROM {} WHERE key = %s").format(cache.setting), (STATE,))
    row = cur.fetchone()
    cur.execute("SELECT count(*) FILTER (WHERE survey_fid IS NULL), count(*) FROM lc_sdirty")
    everything, noted = cur.fetchone()
    cur.execute("SELECT count(*) FROM lc_sdirty WHERE survey_fid IS NULL AND id <> ALL(%s::bigint[])",
                (cache.survey_seen,))
    if cur.fetchone()[0]:  # a survey edit survey_cache did not see (committed since): its kept results are out of date
        cur.execute(sql.SQL("UPDATE {} SET value = '' WHERE key = %s").format(cache.setting), (survey_cache.STATE,))
    codes = sql.Identifier(cache.schema, "plan_sum_code")
    full = cache.refilled or row is None or row[0] != now or everything > 0 or codes_changed(cur, codes)
    if full:
        cur.execute(sql.SQL("{} lc_dpairs AS SELECT unit_pk, id, s, ps FROM lc_pairs2").format(w.view))
        cur.execute(sql.SQL("{} lc_dproj AS SELECT bucket, id, s, ps FROM lc_proj").format(w.view))
        cur.execute(sql.SQL("{} lc_dsrc AS SELECT * FROM lc_src").format(w.view))
    else:
        cur.execute(sql.SQL("INSERT INTO lc_dunit SELECT coalesce(c.unit_id, c.bucket) FROM {} c "
                            "WHERE c.survey_fid IN (SELECT survey_fid FROM lc_sdirty UNION " + COPIES + ")").format(
            cache.table))
        cur.execute("SELECT count(*) FROM (SELECT DISTINCT u FROM lc_dunit WHERE u IS NOT NULL) AS x")
        if cur.fetchone()[0] == 0 and noted == 0:
            cur.execute(sql.SQL(READ).format(sums=s))
            return
        cur.execute(sql.SQL("{} lc_du AS SELECT DISTINCT u FROM lc_dunit WHERE u IS NOT NULL").format(w.create))
        cur.execute("ALTER TABLE lc_du ADD PRIMARY KEY (u)")
        w.ready(cur, "lc_du")
        cur.execute(sql.SQL("{} lc_dpar AS SELECT DISTINCT c.survey_fid AS id FROM {} c JOIN lc_du d "
                            "ON d.u = c.unit_id UNION SELECT c.survey_fid FROM {} c JOIN lc_du d ON d.u = c.bucket")
                    .format(w.create, cache.table, cache.table))
        cur.execute("ALTER TABLE lc_dpar ADD PRIMARY KEY (id)")
        w.ready(cur, "lc_dpar")
        cur.execute(sql.SQL("{} lc_dpairs AS SELECT q.unit_pk, q.id, q.s, q.ps FROM lc_pairs2 q "
                            "JOIN lc_du d ON d.u = q.unit_pk").format(w.view))
        cur.execute(sql.SQL("{} lc_dproj AS SELECT q.bucket, q.id, q.s, q.ps FROM lc_proj q "
                            "JOIN lc_du d ON d.u = q.bucket").format(w.view))
        cur.execute(sql.SQL("{} lc_dsrc AS SELECT q.* FROM lc_src q JOIN lc_dpar d ON d.id = q.id").format(w.view))
        cur.execute("SELECT count(*) FROM lc_dpar")
        if cur.fetchone()[0] * balance_sql.FEW <= parcels[2]:
            # the few parcels of these units read from a copy of their rows (balance_sql.rows_of): joined with
            # the planning schema's view, the survey under it was hashed whole
            cur.execute(balance_sql.rows_of(w.create, "lc_dparcel", parcels[0], parcels[1], "lc_dpar"))
            cur.execute(sql.SQL("CREATE INDEX ON lc_dparcel ({})").format(parcels[1]))
            w.ready(cur, "lc_dparcel")
            text = text_of(sql.Identifier("lc_dparcel"))
    # a table first (CREATE TABLE AS runs in the parallel workers; INSERT … SELECT would not)
    cur.execute("SET LOCAL enable_sort = off; SET LOCAL work_mem = '1GB'")
    cur.execute(sql.SQL("{} lc_newsum AS ").format(w.create) + text)
    cur.execute("SET LOCAL enable_sort = on; SET LOCAL work_mem = '64MB'")
    if full:
        cur.execute(sql.SQL("DELETE FROM {}; DELETE FROM {}").format(s, codes))
    else:
        for key in ("unit_id", "bucket"):  # two probes of an index each, not one join with OR
            cur.execute(sql.SQL("DELETE FROM {} c WHERE c.{} IN (SELECT u FROM lc_du)").format(s, sql.Identifier(key)))
    columns = sql.SQL(", ").join(sql.Identifier(c) for c in ("bucket", *KEYS, *SUMS))
    cur.execute(sql.SQL("INSERT INTO {} (unit_id, {}) SELECT uid, {} FROM lc_newsum").format(s, columns, columns))
    cur.execute(sql.SQL("DELETE FROM {} d USING lc_sdirty x WHERE x.id = d.id").format(dirty))
    cur.execute(sql.SQL("INSERT INTO {} SELECT raw, txt, cls, farm, action FROM lc_code ON CONFLICT (raw) DO UPDATE "
                        "SET txt = excluded.txt, cls = excluded.cls, farm = excluded.farm, action = excluded.action")
                .format(codes))
    cur.execute(sql.SQL("INSERT INTO {} (key, value) VALUES (%s, %s) ON CONFLICT (key) DO UPDATE "
                        "SET value = excluded.value").format(cache.setting), (STATE, now))
    if full:
        cur.execute(sql.SQL("ANALYZE {}").format(s))
    cache.changed = True
    cur.execute(sql.SQL(READ).format(sums=s))
