"""Maintained shares (migration 6): the balance's geometry work kept between balances.

A planning schema keeps, per survey parcel in a unit, its share of each unit, its PBF share, the
project's share and its share inside the PBF layer as a whole (``pw``, for the township limits)
(``plan_share``: the rows of the work tables ``lc_pairs2``, ``lc_proj`` and ``lc_pw``, keyed by
the unit's ``id``, not by its place in a list). Triggers on ``plan_unit``, ``pbf`` and
``survey`` note the bounding box of every changed geometry, old and new (``plan_share_dirty``:
one row per edit, nothing else computed). The next ``balance --in-database`` on the schema's own
``parcels`` / ``plan_unit`` / ``pbf`` recomputes only the parcels in those boxes — against all
units and all PBF, with the same SQL as a whole balance — writes them, and reads the rest from
the table; ``db load`` fills it as its last step (load.fill_kept: that balance run once), else the first
balance after it does. The per-parcel rules and sums over these
shares are kept per unit by sum_cache. docs/postgis.md, "Maintained shares".
"""
from __future__ import annotations

from . import balance_sql, split_sql, sum_cache, survey_cache
from .connection import driver

#: the schema's migration that creates the tables (schema.MIGRATIONS)
VERSION = 6
_STATE = "share_survey"

MIGRATION = (VERSION, "maintained shares: plan_share, plan_share_dirty, triggers on plan_unit and pbf", """
CREATE TABLE {s}.plan_share (survey_fid bigint NOT NULL, unit_id bigint, s double precision NOT NULL,
    ps double precision NOT NULL, area double precision NOT NULL, pw double precision);
CREATE INDEX ON {s}.plan_share (survey_fid);
CREATE TABLE {s}.plan_share_dirty (id bigserial PRIMARY KEY, box geometry NOT NULL);
CREATE FUNCTION {s}.lc_share_dirty() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE' AND OLD.geom::bytea IS NOT DISTINCT FROM NEW.geom::bytea THEN
        RETURN NULL;
    END IF;
    IF TG_OP <> 'INSERT' AND OLD.geom IS NOT NULL THEN
        INSERT INTO {s}.plan_share_dirty (box) VALUES (ST_Envelope(OLD.geom));
    END IF;
    IF TG_OP <> 'DELETE' AND NEW.geom IS NOT NULL THEN
        INSERT INTO {s}.plan_share_dirty (box) VALUES (ST_Envelope(NEW.geom));
    END IF;
    RETURN NULL;
END $$;
ALTER FUNCTION {s}.lc_share_dirty() SET search_path FROM CURRENT;
CREATE TRIGGER lc_share_dirty AFTER INSERT OR DELETE OR UPDATE ON {s}.plan_unit
    FOR EACH ROW EXECUTE FUNCTION {s}.lc_share_dirty();
CREATE TRIGGER lc_share_dirty AFTER INSERT OR DELETE OR UPDATE ON {s}.pbf
    FOR EACH ROW EXECUTE FUNCTION {s}.lc_share_dirty();
""")


#: the survey's BSM index (migration 7, and ``db load``): the balance looks for BSMs held by several
#: features (pieces of a split, identical copies: pieces_sql) in the index's order, not with a hash
#: of every BSM
BSM_INDEX = """
DO $$ BEGIN
    IF EXISTS (SELECT 1 FROM pg_attribute WHERE attrelid = to_regclass(format('%I.survey', {name})) AND attname = 'bsm'
               AND NOT attisdropped) THEN
        CREATE INDEX IF NOT EXISTS survey_bsm_idx ON {s}.survey (bsm);
    END IF;
END $$;
"""

MIGRATION_7 = (7, "an index on the survey's BSM (pieces of split parcels in balance --in-database)", BSM_INDEX)

#: ``TRUNCATE plan_unit`` / ``TRUNCATE pbf`` fire no row trigger: a statement trigger forgets the kept
#: shares (the next balance refills them, and the kept sums with them). SECURITY DEFINER: a role that
#: may truncate needs no right on ``lc_setting``.
MIGRATION_14 = (14, "kept shares forgotten when plan_unit or pbf is truncated", """
CREATE OR REPLACE FUNCTION {s}.lc_share_reset() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp AS $$
BEGIN
    DELETE FROM {s}.lc_setting WHERE key = '""" + _STATE + """';
    RETURN NULL;
END $$;
REVOKE EXECUTE ON FUNCTION {s}.lc_share_reset() FROM PUBLIC;  -- a trigger: nobody calls it (migration 9)
DROP TRIGGER IF EXISTS lc_share_reset ON {s}.plan_unit;
CREATE TRIGGER lc_share_reset AFTER TRUNCATE ON {s}.plan_unit FOR EACH STATEMENT EXECUTE FUNCTION {s}.lc_share_reset();
DROP TRIGGER IF EXISTS lc_share_reset ON {s}.pbf;
CREATE TRIGGER lc_share_reset AFTER TRUNCATE ON {s}.pbf FOR EACH STATEMENT EXECUTE FUNCTION {s}.lc_share_reset();
""")


def after_load(cur, schema: str) -> None:
    """``db load`` replaced the survey: forget the shares, note the new survey's edits too (load.fill_kept
    fills them again once the load has committed)."""
    sql = driver().sql
    s = sql.Identifier(schema)
    cur.execute(sql.SQL("DELETE FROM {}.plan_share; DELETE FROM {}.plan_share_dirty; DELETE FROM {}.plan_sum; "
                        "DELETE FROM {}.plan_sum_dirty; DELETE FROM {}.plan_sum_code; "
                        "DELETE FROM {}.lc_setting WHERE key IN (%s, %s, %s, %s)").format(s, s, s, s, s, s),
                (_STATE, sum_cache.STATE, survey_cache.STATE, survey_cache.UNITS))
    cur.execute(sql.SQL("CREATE TRIGGER lc_share_dirty AFTER INSERT OR DELETE OR UPDATE ON {}.survey "
                        "FOR EACH ROW EXECUTE FUNCTION {}.lc_share_dirty()").format(s, s))
    cur.execute(sql.SQL(sum_cache.SURVEY_TRIGGER).format(s, s))
    cur.execute(sql.SQL(BSM_INDEX.replace("{s}", "{schema}")).format(schema=s, name=sql.Literal(schema)))


class Cache:
    """The maintained shares of one planning schema, for one balance."""

    def __init__(self, schema: str):
        sql = driver().sql
        self.schema = schema
        self.table = sql.Identifier(schema, "plan_share")
        self.dirty = sql.Identifier(schema, "plan_share_dirty")
        self.setting = sql.Identifier(schema, "lc_setting")
        self.changed = False
        self.sums = False  # this role keeps the sums too (sum_cache)
        self.refilled = False  # every share computed anew (the kept sums are then out of date too)
        self.stamp = ""
        self.survey_seen: list = []  # the survey edits survey_cache saw (plan_sum_dirty ids)

    @classmethod
    def of(cls, cur, parcels: tuple, units: tuple, pbf) -> Cache | None:
        """The cache when the balance reads a planning schema's own tables and this role may keep
        it (else None: the balance computes every share, as on any other tables)."""
        schema = parcels[0]
        if not schema or parcels[1] != "parcels" or tuple(units) != (schema, "plan_unit"):
            return None
        # without PBF the shares' ps differ from those kept with the schema's pbf: kept nothing
        if pbf is None or (pbf[1], pbf[2]) != (schema, "pbf"):
            return None
        sql = driver().sql
        # migrations 12 and 13 (the project shares' bucket, the kept sums and survey results): an older
        # schema keeps nothing
        cur.execute("SELECT to_regclass(%s)", (sql.Identifier(schema, "plan_survey_bad").as_string(cur),))
        if cur.fetchone()[0] is None:
            return None
        # has_table_privilege with a list is true for any one of them: each asked on its own
        needs = [("plan_share", "SELECT"), ("plan_share", "INSERT"), ("plan_share", "DELETE"),
                 ("plan_share_dirty", "SELECT"), ("plan_share_dirty", "DELETE"),
                 ("lc_setting", "SELECT"), ("lc_setting", "INSERT"), ("lc_setting", "UPDATE")]
        rights = []
        for wanted in (needs, sum_cache.NEEDS):
            cur.execute("SELECT bool_and(has_table_privilege(t, p)) FROM unnest(%s::text[], %s::text[]) AS x(t, p)",
                        ([sql.Identifier(schema, n).as_string(cur) for n, _p in wanted], [p for _n, p in wanted]))
            rights.append(cur.fetchone()[0])
        if not rights[0]:
            return None
        cache = cls(schema)
        cache.sums = bool(rights[1])
        return cache

    def survey_stamp(self, cur) -> str:
        """Which survey the shares were computed for: the table (a new ``db load`` makes a new one) and
        its file (``TRUNCATE`` and every rewrite — ``ALTER … TYPE … USING``, ``VACUUM FULL``, ``CLUSTER`` —
        give it a new one, and fire no row trigger: then everything kept is computed again)."""
        sql = driver().sql
        name = sql.Identifier(self.schema, "survey").as_string(cur)
        cur.execute("SELECT to_regclass(%s)::oid, pg_relation_filenode(to_regclass(%s))", (name, name))
        oid, filenode = cur.fetchone()
        return f"{oid}.{filenode}:{sum_cache.VERSION}"  # shares kept before migration 12 have no bucket

    def bring_up_to_date(self, cur, w, t, run_shares, shadows: bool) -> None:
        """lc_pairs2, lc_proj, lc_src: views of the kept shares, after recomputing (``run_shares``
        over a part of the parcels) what the noted edits touched, or everything the first time."""
        sql = driver().sql
        cur.execute("SELECT pg_advisory_xact_lock(hashtext('lc-share:' || %s))", (self.schema,))
        stamp = self.stamp = self.survey_stamp(cur)
        # the units whose kept sums the recomputed shares touch (sum_cache): plan_unit ids
        cur.execute(sql.SQL("{} lc_dunit (u bigint)").format(w.create))
        cur.execute(sql.SQL("SELECT value FROM {} WHERE key = %s").format(self.setting), (_STATE,))
        row = cur.fetchone()
        # the notes read once: exactly these are processed and consumed (one committed later, whatever
        # its id, waits for the next balance)
        # migration 15: a piece's edit notes the view fids it touched (pieces, their parcel) besides the boxes
        noted = sql.SQL("fid" if split_sql.has_pieces(cur, self.schema) else "NULL::bigint AS fid")
        cur.execute(sql.SQL("{} lc_shdirty AS SELECT id, box, {} FROM {}").format(w.create, noted, self.dirty))
        cur.execute("SELECT count(*) FROM lc_shdirty")
        last = cur.fetchone()[0] or None
        if row is None or row[0] != stamp:
            run_shares(t.name)
            self.refilled = True
            self._refill(cur, w, last, stamp)
            # statistics for the next balances' plans (a role that does not own the table gets a
            # warning, not an error; autovacuum comes later)
            cur.execute(sql.SQL("ANALYZE {}").format(self.table))
        elif last is not None:
            w.ready(cur, "lc_shdirty")
            # the view rows in a noted box, and the fids noted (a piece deleted, a parcel split or whole again:
            # their kept rows go, and the rows of those still in the view are computed again)
            cur.execute(sql.SQL("{} lc_touched AS SELECT p.{pk} AS id FROM {parcels} p JOIN lc_shdirty d "
                                "ON p.{g} && d.box UNION SELECT fid FROM lc_shdirty WHERE fid IS NOT NULL").format(
                w.create, pk=t.pk, parcels=t.name, g=t.geom))
            cur.execute("ALTER TABLE lc_touched ADD PRIMARY KEY (id)")
            w.ready(cur, "lc_touched")
            # the touched parcels copied with an index of their own: a subquery over the table had the
            # units and PBF polygons meet every parcel through the table's index, the touched ones
            # picked afterwards (docs/postgis.md, "Maintained shares"); by key (balance_sql.rows_of)
            cur.execute(balance_sql.rows_of(w.create, "lc_tparcel", t.name, t.pk, "lc_touched"))
            cur.execute(sql.SQL("CREATE INDEX ON lc_tparcel USING gist ({})").format(t.geom))
            cur.execute(sql.SQL("CREATE INDEX ON lc_tparcel ({})").format(t.pk))
            w.ready(cur, "lc_tparcel")
            run_shares(sql.Identifier("lc_tparcel"))
            touched_units = sql.SQL("INSERT INTO lc_dunit SELECT coalesce(c.unit_id, c.bucket) FROM {} c "
                                    "JOIN lc_touched x ON c.survey_fid = x.id").format(self.table)
            # the few touched parcels probed one by one (a merge join read tens of thousands of kept rows
            # in fid order: 0.7 s at 1 M parcels)
            cur.execute("SET LOCAL enable_mergejoin = off; SET LOCAL enable_hashjoin = off")
            cur.execute(touched_units)  # before and after
            cur.execute(sql.SQL("DELETE FROM {} c USING lc_touched x WHERE c.survey_fid = x.id").format(self.table))
            self._keep(cur, w, last, stamp)
            cur.execute(touched_units)
            cur.execute("SET LOCAL enable_mergejoin = on; SET LOCAL enable_hashjoin = on")
        # lc_pb too: it may hold only the PBF polygons near the touched parcels (the township limits
        # make their own)
        for name in ("lc_pairs", "lc_pairs_area", "lc_pairs2", "lc_proj", "lc_pw", "lc_pb"):
            cur.execute(sql.SQL("DROP TABLE IF EXISTS {}").format(sql.Identifier(name)))
        # views, not copies: the per-parcel rules and the sums read the kept shares themselves;
        # identical copies (pieces_sql.lc_shadow) count nowhere
        keep = sql.SQL(" AND NOT EXISTS (SELECT 1 FROM lc_shadow x WHERE x.id = c.survey_fid)" if shadows else "")
        if self.changed and not self.sums:  # the kept sums no longer match the shares
            cur.execute(sql.SQL("UPDATE {} SET value = '' WHERE key = %s").format(self.setting), (sum_cache.STATE,))
        cur.execute(sql.SQL("{} lc_pairs2 AS SELECT c.survey_fid AS id, u.uid, c.s, c.area, c.ps, u.unit_pk FROM {} c "
                            "JOIN lc_u u ON u.unit_pk = c.unit_id WHERE true{}").format(w.view, self.table, keep))
        cur.execute(sql.SQL("{} lc_proj AS SELECT c.survey_fid AS id, c.s, c.ps, c.bucket FROM {} c "
                            "WHERE c.unit_id IS NULL{}")
                    .format(w.view, self.table, keep))
        cur.execute(sql.SQL("{} lc_src AS SELECT c.survey_fid AS id, c.area, c.pw FROM {} c WHERE c.unit_id IS NULL{}")
                    .format(w.view, self.table, keep))

    def _refill(self, cur, w, last, stamp: str) -> None:
        """Every share written anew. The owner of ``plan_share`` (the role that ran ``db load``, usually)
        empties it with ``TRUNCATE`` and writes the rows without its indexes, then builds them again from
        their own definitions: one sort each instead of an index entry per row, three per row (10⁶
        parcels: ~2.4 M rows); another role deletes and inserts (same rows)."""
        sql = driver().sql
        cur.execute("SELECT pg_has_role(relowner, 'USAGE') FROM pg_class WHERE oid = to_regclass(%s)",
                    (self.table.as_string(cur),))
        if not cur.fetchone()[0]:
            cur.execute(sql.SQL("DELETE FROM {}").format(self.table))
            self._keep(cur, w, last, stamp)
            return
        cur.execute("SELECT indexrelid::regclass::text, pg_get_indexdef(indexrelid) FROM pg_index WHERE indrelid = "
                    "to_regclass(%s) AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = indexrelid) "
                    "ORDER BY indexrelid", (self.table.as_string(cur),))
        indexes = cur.fetchall()
        cur.execute(sql.SQL("TRUNCATE {}").format(self.table))
        for name, _definition in indexes:
            cur.execute(sql.SQL("DROP INDEX {}").format(sql.SQL(name)))  # regclass text: quoted, schema-qualified
        self._keep(cur, w, last, stamp)
        cur.execute("SET LOCAL maintenance_work_mem = '256MB'")
        for _name, definition in indexes:
            cur.execute(definition)

    def _keep(self, cur, w, last, stamp: str) -> None:
        """Write the recomputed shares, consume the noted edits, remember the survey."""
        sql = driver().sql
        # statistics of the work tables joined: without them a nested loop of 10⁵–10⁶ rows (1.2 s at 200 000)
        for name in ("lc_pairs2", "lc_proj", "lc_pw"):
            w.ready(cur, name)
        # a project row's bucket: the smallest unit holding the parcel (sum_cache keeps the project's sums
        # per bucket)
        cur.execute(sql.SQL("INSERT INTO {} (survey_fid, unit_id, s, ps, area, pw, bucket) "
                            "SELECT q.id, u.unit_pk, q.s, q.ps, q.area, NULL, NULL FROM lc_pairs2 q "
                            "JOIN lc_u u USING (uid) "
                            "UNION ALL SELECT x.id, NULL, x.s, x.ps, a.area, w.ps, b.bucket FROM lc_proj x "
                            "JOIN lc_pairs_area a USING (id) JOIN lc_pw w USING (id) "
                            "JOIN (SELECT q.id, min(u.unit_pk) AS bucket FROM lc_pairs2 q JOIN lc_u u USING (uid) "
                            "GROUP BY q.id) AS b USING (id)").format(self.table))
        if last is not None:
            cur.execute(sql.SQL("DELETE FROM {} d USING lc_shdirty x WHERE x.id = d.id").format(self.dirty))
        cur.execute(sql.SQL("INSERT INTO {} (key, value) VALUES (%s, %s) ON CONFLICT (key) DO UPDATE "
                            "SET value = excluded.value").format(self.setting), (_STATE, stamp))
        self.changed = True
