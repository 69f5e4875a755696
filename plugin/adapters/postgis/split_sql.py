"""Splitting survey parcels through the ``parcels`` view (migration 15; docs/postgis.md, "Split parcels").

The survey stays the data of record: a split's pieces live in ``plan_split`` (``survey_fid``, the
piece's geometry, its own plan fields ZZLX/GHDLBM/GHKCXS/YNCZ, ``version``, who and when, history).
The view shows, for a parcel with pieces, its pieces in its place: each with the survey's fields,
its TBMJ / KCMJ / TBDLMJ apportioned by planar area over the parcel's pieces (they add up to the
survey's value; the survey keeps the original), its own plan fields and its own ``fid``: the piece
that kept the parcel's place keeps the survey fid, the others ``SPLIT_FID_BASE + plan_split.id``.

The pieces of a parcel always cover it, without overlaps: every edit through the view keeps that,
so a transaction of its own (QGIS's postgres provider sends a commit's changes, its deletes and its
additions each in a transaction) never leaves area counted twice or lost.

* **UPDATE** of a row's geometry (QGIS's *Split Features* first shrinks the feature it split): the
  geometry must stay inside the row's survey parcel (else ``LC403``: survey parcels are not merged);
  the row becomes a piece of that shape, the other pieces give way where it grew, and the area it
  gave up joins its neighbouring piece (the one sharing most of its boundary), or becomes a new piece
  when there is none yet (the parcel was whole).
* **INSERT** (the other part of a split): a feature with the survey fields of the parcel it lies in
  (BSM, DLBM …) becomes a new piece; the pieces under it give way. Area fields sent for a piece are
  not stored (the view apportions them): copied, a share, one piece's or ``NULL`` are accepted, more
  than the parcel's is refused. The fid QGIS sends is ignored: the trigger returns the piece's own, which QGIS
  reads back (``RETURNING``). A feature matching the parcel as a whole when it has no pieces (a
  merge that deleted the pieces and adds their union) gives the parcel its plan fields back.
* **DELETE** of a piece: its area joins its neighbouring piece. Deleting a survey parcel is refused,
  except one whose piece this connection's edit folded away just before (QGIS's merge deletes it
  after updating the piece that took its area: ``lc.split_gone``), which deletes nothing.
* When one piece is left and it covers its parcel, the split is undone: the piece's plan fields go to
  ``plan_parcel`` and the view shows the survey parcel again under its own fid.

Plan fields and ``version`` of a piece are checked like a parcel's (``lc_stamp``: ``LC409``, who and when).
Tolerances: a geometry is inside its parcel, or equal to it, when what is outside (or the symmetric
difference) is at most 0.01 m² + 1e-6 of the parcel's area (a split's own rounding).
"""
from __future__ import annotations

from .connection import driver
from .trigger_sql import definer_row_trigger, stamp

VERSION = 15
#: fid of a piece that did not keep its parcel's place: SPLIT_FID_BASE + plan_split.id (survey fids are below)
SPLIT_FID_BASE = 1_000_000_000
#: the survey's area fields, apportioned among a parcel's pieces in the view
AREA_COLUMNS = ("tbmj", "kcmj", "tbdlmj")

_STAMP = "\n" + stamp((("plan_parcel", "survey_fid"), ("plan_unit", "dybh"), ("plan_split", "fid")))

_TABLES = """
ALTER TABLE {s}.plan_split ADD COLUMN IF NOT EXISTS fid integer, ADD COLUMN IF NOT EXISTS zzlx text,
    ADD COLUMN IF NOT EXISTS ghdlbm text, ADD COLUMN IF NOT EXISTS ghkcxs double precision,
    ADD COLUMN IF NOT EXISTS yncz text;
CREATE UNIQUE INDEX IF NOT EXISTS plan_split_fid_idx ON {s}.plan_split (fid);
CREATE INDEX IF NOT EXISTS plan_split_geom_idx ON {s}.plan_split USING gist (geom);
ALTER TABLE {s}.plan_share_dirty ADD COLUMN IF NOT EXISTS fid bigint;
-- a piece's edit: the kept shares of the view rows it touches (the piece, its parcel: fid and box), and
-- the kept sums and survey-derived results (BSM groups …) of the whole view (a NULL note: everything); a
-- change of its plan fields only: its units' kept sums (as a plan_parcel edit, by its fid in the view)
CREATE OR REPLACE FUNCTION {s}.lc_split_dirty() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    row_ record;
BEGIN
    IF TG_OP = 'UPDATE' AND OLD.geom::bytea = NEW.geom::bytea AND OLD.fid = NEW.fid
       AND OLD.survey_fid = NEW.survey_fid THEN  -- a re-tag: the units of this view row are summed again
        INSERT INTO {s}.plan_sum_dirty (survey_fid) VALUES (NEW.fid);
        RETURN NULL;
    END IF;
    FOR row_ IN SELECT OLD.fid AS fid, OLD.geom AS geom, OLD.survey_fid AS survey_fid WHERE TG_OP <> 'INSERT'
                UNION ALL SELECT NEW.fid, NEW.geom, NEW.survey_fid WHERE TG_OP <> 'DELETE' LOOP
        -- the geometries themselves as boxes: the notes are only compared with && (no PostGIS function
        -- is called here, the search path of a definer function being pg_catalog's)
        INSERT INTO {s}.plan_share_dirty (box, fid) VALUES (row_.geom, row_.fid);
        INSERT INTO {s}.plan_share_dirty (box, fid)
            SELECT s.geom, s.fid FROM {s}.survey s WHERE s.fid = row_.survey_fid;
    END LOOP;
    INSERT INTO {s}.plan_sum_dirty (survey_fid) VALUES (NULL);
    RETURN NULL;
END $$;
""" + definer_row_trigger("lc_split_dirty", "plan_split")

# helpers of the view's trigger: the tolerance, the refusal, giving way, the area given up, undoing a split
_HELPERS = """
CREATE OR REPLACE FUNCTION {s}.lc_split_tol(g geometry) RETURNS double precision LANGUAGE sql IMMUTABLE AS
$$ SELECT 0.01 + 1e-6 * ST_Area(g) $$;
CREATE OR REPLACE FUNCTION {s}.lc_split_poly(g geometry) RETURNS geometry LANGUAGE sql IMMUTABLE AS
$$ SELECT ST_Multi(ST_CollectionExtract(ST_MakeValid(g), 3)) $$;
CREATE OR REPLACE FUNCTION {s}.lc_refuse(kind text, fid bigint, message text) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION USING ERRCODE = 'LC403', MESSAGE = message,
        DETAIL = 'lc-refused ' || json_build_object('kind', kind, 'fid', fid)::text;
END $$;
-- a piece removed by another's edit (given way, or the split undone): QGIS's merge deletes it in a transaction
-- of its own afterwards, which then deletes nothing (noted for this connection: lc.split_gone)
CREATE OR REPLACE FUNCTION {s}.lc_split_gone(gone integer) RETURNS void LANGUAGE sql AS $$
    SELECT set_config('lc.split_gone', concat_ws(',', nullif(current_setting('lc.split_gone', true), ''), gone), false)
$$;
-- the pieces of survey parcel sf other than keep give way to g; pieces left smaller than the tolerance go
CREATE OR REPLACE FUNCTION {s}.lc_split_give_way(sf bigint, keep integer, g geometry, tol double precision)
RETURNS void LANGUAGE plpgsql AS $$
DECLARE
    q record;
    rest geometry;
BEGIN
    FOR q IN SELECT id, fid, geom FROM {s}.plan_split WHERE survey_fid = sf AND fid IS DISTINCT FROM keep
             AND geom && g ORDER BY id LOOP
        IF ST_Area(ST_Intersection(q.geom, g)) > 0 THEN
            rest := {s}.lc_split_poly(ST_Difference(q.geom, g));
            IF rest IS NULL OR ST_IsEmpty(rest) OR ST_Area(rest) <= tol THEN
                DELETE FROM {s}.plan_split WHERE id = q.id;
                PERFORM {s}.lc_split_gone(q.fid);
            ELSE
                UPDATE {s}.plan_split SET geom = rest WHERE id = q.id;
            END IF;
        END IF;
    END LOOP;
END $$;
-- the area of parcel sf no piece covers joins the piece (other than away) sharing most of its boundary, else
-- becomes a new piece with the plan fields of piece "source" (or of the parcel)
CREATE OR REPLACE FUNCTION {s}.lc_split_fill(sf bigint, sg geometry, away integer, source integer,
                                             tol double precision) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
    covered geometry;
    free geometry;
    target record;
    new_id bigint;
BEGIN
    SELECT ST_Union(geom) INTO covered FROM {s}.plan_split WHERE survey_fid = sf;
    free := CASE WHEN covered IS NULL THEN sg ELSE {s}.lc_split_poly(ST_Difference(sg, covered)) END;
    IF free IS NULL OR ST_IsEmpty(free) OR ST_Area(free) <= tol OR covered IS NULL THEN
        RETURN;
    END IF;
    SELECT id, geom INTO target FROM {s}.plan_split WHERE survey_fid = sf AND fid IS DISTINCT FROM away
        AND ST_DWithin(geom, free, 0.01)
        ORDER BY ST_Length(ST_Intersection(ST_Boundary(geom), ST_Buffer(ST_Boundary(free), 0.01))) DESC, id LIMIT 1;
    IF FOUND THEN
        UPDATE {s}.plan_split SET geom = {s}.lc_split_poly(ST_Union(target.geom, free)) WHERE id = target.id;
    ELSE
        new_id := nextval(pg_get_serial_sequence(format('%I.plan_split', {name}), 'id'));
        INSERT INTO {s}.plan_split (id, fid, survey_fid, geom, zzlx, ghdlbm, ghkcxs, yncz)
        SELECT new_id, """ + str(SPLIT_FID_BASE) + """ + new_id, sf, free, x.zzlx, x.ghdlbm, x.ghkcxs, x.yncz
        FROM (SELECT zzlx, ghdlbm, ghkcxs, yncz FROM {s}.plan_split WHERE fid = source
              UNION ALL SELECT zzlx, ghdlbm, ghkcxs, yncz FROM {s}.plan_parcel WHERE survey_fid = sf
              UNION ALL SELECT NULL, NULL, NULL, NULL) AS x LIMIT 1;
    END IF;
END $$;
-- one piece left that covers its parcel: the split is undone (its plan fields go to plan_parcel)
CREATE OR REPLACE FUNCTION {s}.lc_split_fold(sf bigint, sg geometry, tol double precision) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
    p record;
BEGIN
    IF (SELECT count(*) FROM {s}.plan_split WHERE survey_fid = sf) <> 1 THEN
        RETURN;
    END IF;
    SELECT * INTO p FROM {s}.plan_split WHERE survey_fid = sf;
    IF ST_Area(ST_SymDifference(p.geom, sg)) > tol THEN
        RETURN;
    END IF;
    INSERT INTO {s}.plan_parcel AS pp (survey_fid, zzlx, ghdlbm, ghkcxs, yncz)
    VALUES (sf, p.zzlx, p.ghdlbm, p.ghkcxs, p.yncz)
    ON CONFLICT (survey_fid) DO UPDATE SET zzlx = EXCLUDED.zzlx, ghdlbm = EXCLUDED.ghdlbm,
        ghkcxs = EXCLUDED.ghkcxs, yncz = EXCLUDED.yncz;
    DELETE FROM {s}.plan_split WHERE id = p.id;
    PERFORM {s}.lc_split_gone(p.fid);
END $$;
-- are the area fields a feature carries for a piece of parcel s acceptable: the database apportions them, so
-- what QGIS sends — the survey's (a split copies them), a share (the plugin's session writes it, a merge keeps
-- one piece's), NULL — is not stored; more than the parcel's is refused
CREATE OR REPLACE FUNCTION {s}.lc_split_areas_ok(sent jsonb, survey jsonb, g geometry, sg geometry)
RETURNS boolean LANGUAGE sql IMMUTABLE AS $$
    SELECT coalesce(bool_and(CASE
        WHEN sent ->> c IS NULL THEN true
        WHEN survey ->> c IS NULL THEN false
        ELSE (sent ->> c)::float8 BETWEEN 0 AND (survey ->> c)::float8 * (1 + 1e-3) + 0.01 END), true)
    FROM unnest(ARRAY['tbmj', 'kcmj', 'tbdlmj']) AS c
    WHERE sent ? c AND jsonb_typeof(sent -> c) IN ('number', 'null')
$$;
"""

_EDIT = """
CREATE OR REPLACE FUNCTION {s}.lc_parcels_edit() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    plan_columns text[] := ARRAY['zzlx', 'ghdlbm', 'ghkcxs', 'yncz', 'version'];
    skip text[] := ARRAY['zzlx', 'ghdlbm', 'ghkcxs', 'yncz', 'version', 'fid', 'geom', 'tbmj', 'kcmj', 'tbdlmj'];
    piece {s}.plan_split%ROWTYPE;
    sv jsonb;
    sg geometry;
    sf bigint;
    g geometry;
    tol double precision;
    moved boolean;
BEGIN
    IF TG_OP = 'DELETE' THEN
        SELECT * INTO piece FROM {s}.plan_split WHERE fid = OLD.fid;
        IF NOT FOUND AND OLD.fid::text = ANY(string_to_array(current_setting('lc.split_gone', true), ',')) THEN
            PERFORM set_config('lc.split_gone', array_to_string(array_remove(string_to_array(
                current_setting('lc.split_gone', true), ','), OLD.fid::text), ','), false);
            RETURN OLD;  -- removed already by this connection's edit before (a merge's update)
        END IF;
        IF NOT FOUND THEN
            PERFORM {s}.lc_refuse('delete', OLD.fid, format('parcel %s: survey parcels are the data of record: they '
                                  'are not deleted in the planning layer', OLD.fid));
        END IF;
        SELECT geom INTO sg FROM {s}.survey WHERE fid = piece.survey_fid;
        tol := {s}.lc_split_tol(sg);
        DELETE FROM {s}.plan_split WHERE id = piece.id;
        PERFORM {s}.lc_split_fill(piece.survey_fid, sg, NULL, piece.fid, tol);
        PERFORM {s}.lc_split_fold(piece.survey_fid, sg, tol);
        RETURN OLD;
    END IF;
    IF TG_OP = 'INSERT' THEN
        g := {s}.lc_split_poly(NEW.geom);
        -- the survey parcel it was cut from: it lies inside, and has the same survey fields
        FOR sf, sg, sv IN SELECT s.fid, s.geom, to_jsonb(s) - 'geom' FROM {s}.survey s
                          WHERE g IS NOT NULL AND s.geom && g ORDER BY s.fid LOOP
            tol := {s}.lc_split_tol(sg);
            IF ST_Area(ST_Difference(g, sg)) <= tol
               AND NOT EXISTS (SELECT 1 FROM jsonb_each(to_jsonb(NEW) - skip) AS e(k, v)
                               WHERE sv ? e.k AND sv -> e.k IS DISTINCT FROM e.v)
               AND {s}.lc_split_areas_ok(to_jsonb(NEW) - 'geom', sv, g, sg) THEN
                EXIT;
            END IF;
            sf := NULL;
        END LOOP;
        IF sf IS NULL THEN
            PERFORM {s}.lc_refuse('insert', NEW.fid, 'survey parcels are the data of record: a feature added in the '
                                  'planning layer must be a piece cut from one survey parcel (its survey fields, '
                                  'inside it)');
        END IF;
        g := {s}.lc_split_poly(ST_Intersection(g, sg));
        IF NOT EXISTS (SELECT 1 FROM {s}.plan_split WHERE survey_fid = sf)
           AND ST_Area(ST_SymDifference(g, sg)) <= tol THEN  -- the parcel as a whole again: its plan fields
            INSERT INTO {s}.plan_parcel AS pp (survey_fid, zzlx, ghdlbm, ghkcxs, yncz)
            VALUES (sf, NEW.zzlx, NEW.ghdlbm, NEW.ghkcxs, NEW.yncz)
            ON CONFLICT (survey_fid) DO UPDATE SET zzlx = EXCLUDED.zzlx, ghdlbm = EXCLUDED.ghdlbm,
                ghkcxs = EXCLUDED.ghkcxs, yncz = EXCLUDED.yncz;
            NEW.fid := sf;
            RETURN NEW;
        END IF;
        IF NOT EXISTS (SELECT 1 FROM {s}.plan_split WHERE survey_fid = sf) THEN  -- the parcel keeps its place
            INSERT INTO {s}.plan_split (fid, survey_fid, geom, zzlx, ghdlbm, ghkcxs, yncz)
            SELECT sf, sf, sg, zzlx, ghdlbm, ghkcxs, yncz FROM (
                SELECT zzlx, ghdlbm, ghkcxs, yncz FROM {s}.plan_parcel WHERE survey_fid = sf
                UNION ALL SELECT NULL, NULL, NULL, NULL) AS x LIMIT 1;
        END IF;
        piece.id := nextval(pg_get_serial_sequence(format('%I.plan_split', {name}), 'id'));
        NEW.fid := """ + str(SPLIT_FID_BASE) + """ + piece.id;
        INSERT INTO {s}.plan_split (id, fid, survey_fid, geom, zzlx, ghdlbm, ghkcxs, yncz)
        VALUES (piece.id, NEW.fid, sf, g, NEW.zzlx, NEW.ghdlbm, NEW.ghkcxs, NEW.yncz);
        PERFORM {s}.lc_split_give_way(sf, NEW.fid, g, tol);
        PERFORM {s}.lc_split_fold(sf, sg, tol);
        IF NOT EXISTS (SELECT 1 FROM {s}.plan_split WHERE fid = NEW.fid) THEN
            NEW.fid := sf;
        END IF;
        RETURN NEW;
    END IF;
    -- UPDATE: plan fields; a geometry inside the row's survey parcel
    IF (to_jsonb(NEW) - skip) IS DISTINCT FROM (to_jsonb(OLD) - skip) THEN
        PERFORM {s}.lc_refuse('survey', OLD.fid, format('parcel %s: only the plan fields (zzlx, ghdlbm, ghkcxs, '
                              'yncz) can be changed in the planning layer; the survey is the data of record', OLD.fid));
    END IF;
    SELECT * INTO piece FROM {s}.plan_split WHERE fid = OLD.fid;
    sf := CASE WHEN FOUND THEN piece.survey_fid ELSE OLD.fid END;
    SELECT geom, to_jsonb(s) - 'geom' INTO sg, sv FROM {s}.survey s WHERE s.fid = sf;
    moved := NEW.geom IS DISTINCT FROM OLD.geom AND NOT ST_Equals(NEW.geom, OLD.geom);
    IF NOT moved AND (SELECT bool_or(to_jsonb(NEW) -> c IS DISTINCT FROM to_jsonb(OLD) -> c)
                      FROM unnest(ARRAY['tbmj', 'kcmj', 'tbdlmj']) AS c) THEN
        PERFORM {s}.lc_refuse('survey', OLD.fid, format('parcel %s: only the plan fields (zzlx, ghdlbm, ghkcxs, '
                              'yncz) can be changed in the planning layer; the survey is the data of record', OLD.fid));
    END IF;
    IF NOT moved THEN
        IF piece.id IS NULL THEN
            INSERT INTO {s}.plan_parcel AS p (survey_fid, zzlx, ghdlbm, ghkcxs, yncz)
            VALUES (OLD.fid, NEW.zzlx, NEW.ghdlbm, NEW.ghkcxs, NEW.yncz)
            ON CONFLICT (survey_fid) DO UPDATE SET zzlx = EXCLUDED.zzlx, ghdlbm = EXCLUDED.ghdlbm,
                ghkcxs = EXCLUDED.ghkcxs, yncz = EXCLUDED.yncz, version = NEW.version;
        ELSE
            UPDATE {s}.plan_split SET zzlx = NEW.zzlx, ghdlbm = NEW.ghdlbm, ghkcxs = NEW.ghkcxs, yncz = NEW.yncz,
                version = NEW.version WHERE id = piece.id;
        END IF;
        RETURN NEW;
    END IF;
    g := {s}.lc_split_poly(NEW.geom);
    tol := {s}.lc_split_tol(sg);
    IF g IS NULL OR ST_IsEmpty(g) OR ST_Area(ST_Difference(g, sg)) > tol THEN
        PERFORM {s}.lc_refuse('merge', OLD.fid, format('parcel %s: its geometry can only be cut into pieces inside '
                              'survey parcel %s; survey parcels are not merged or reshaped in the planning layer',
                              OLD.fid, sf));
    END IF;
    IF NOT {s}.lc_split_areas_ok(to_jsonb(NEW) - 'geom', sv, g, sg) THEN
        PERFORM {s}.lc_refuse('survey', OLD.fid, format('parcel %s: only the plan fields (zzlx, ghdlbm, ghkcxs, '
                              'yncz) can be changed in the planning layer; the survey is the data of record', OLD.fid));
    END IF;
    g := {s}.lc_split_poly(ST_Intersection(g, sg));
    IF piece.id IS NULL THEN  -- the first cut: the parcel becomes its first piece, under its own fid
        INSERT INTO {s}.plan_parcel AS p (survey_fid, zzlx, ghdlbm, ghkcxs, yncz)
        VALUES (OLD.fid, NEW.zzlx, NEW.ghdlbm, NEW.ghkcxs, NEW.yncz)
        ON CONFLICT (survey_fid) DO UPDATE SET zzlx = EXCLUDED.zzlx, ghdlbm = EXCLUDED.ghdlbm,
            ghkcxs = EXCLUDED.ghkcxs, yncz = EXCLUDED.yncz, version = NEW.version;
        INSERT INTO {s}.plan_split (fid, survey_fid, geom, zzlx, ghdlbm, ghkcxs, yncz)
        VALUES (sf, sf, g, NEW.zzlx, NEW.ghdlbm, NEW.ghkcxs, NEW.yncz);
    ELSE
        UPDATE {s}.plan_split SET geom = g, zzlx = NEW.zzlx, ghdlbm = NEW.ghdlbm, ghkcxs = NEW.ghkcxs,
            yncz = NEW.yncz, version = NEW.version WHERE id = piece.id;
    END IF;
    PERFORM {s}.lc_split_give_way(sf, OLD.fid, g, tol);
    PERFORM {s}.lc_split_fill(sf, sg, OLD.fid, OLD.fid, tol);
    PERFORM {s}.lc_split_fold(sf, sg, tol);
    RETURN NEW;
END $$;
"""

# the functions resolve PostGIS and its types through the path of the migration (the schema, public), not
# through the planner's connection's
_PATH = "".join(f"ALTER FUNCTION {{s}}.{f} SET search_path FROM CURRENT;\n" for f in (
    "lc_split_tol(geometry)", "lc_split_poly(geometry)", "lc_refuse(text, bigint, text)", "lc_split_gone(integer)",
    "lc_split_give_way(bigint, integer, geometry, double precision)",
    "lc_split_fill(bigint, geometry, integer, integer, double precision)",
    "lc_split_fold(bigint, geometry, double precision)", "lc_split_areas_ok(jsonb, jsonb, geometry, geometry)",
    "lc_parcels_edit()"))

MIGRATION = (VERSION, "split survey parcels through the parcels view: plan_split's plan fields and fid, the "
             "view's trigger, kept results noted", _STAMP + _TABLES + _HELPERS + _EDIT + _PATH)

#: migration 16: the view re-created (``migrate``) as a union of two single tables (:func:`view_sql`): joins on its
#: geometry or fid probe the survey's and the pieces' indexes; with migration 15's view a balance's PBF test
#: scanned the whole view once per PBF polygon (200 000 parcels: minutes instead of seconds, bench/README.md
#: "The parcels view with split parcels"), and a piece's parcel area was summed once per area field
MIGRATION_16 = (16, "the parcels view as a union of two tables: joins on it probe their indexes", """
COMMENT ON TABLE {s}.plan_split IS 'pieces of split survey parcels (migration 15): the parcels view shows them in '
    'their parcel''s place, their area fields apportioned by area over the parcel''s pieces (migration 16)';
""")


def view_sql(schema: str, keep: list, types: dict):
    """The ``parcels`` view: the survey's parcels without pieces and the pieces of the others
    (``plan_split``), with the survey's fields (their area fields apportioned by area over the parcel's
    pieces) and their plan fields (``plan_parcel``'s, or the piece's own).

    Migration 16: the rows are a ``UNION ALL`` of two single tables (``u``: the survey's fid and geometry;
    the pieces', with their parcel's pieces' area), joined to the survey and ``plan_parcel`` above it.
    PostgreSQL makes such a union an "append relation" of the two tables, so a join on the view's
    geometry or fid probes their indexes once per outer row, like a table's. Migration 15's legs were
    joins, which PostgreSQL plans only whole: every PBF polygon of a balance scanned the whole view
    (bench/README.md). A leg with a join, or a filter with a subquery, is not made part of an append
    relation: keep each leg one table, unfiltered. A piece's parcel area is summed once (it was once
    per area field)."""
    sql = driver().sql
    survey, plan, split = (sql.Identifier(schema, t) for t in ("survey", "plan_parcel", "plan_split"))
    cols = []
    for c in keep:
        if c in ("fid", "geom"):
            cols.append(sql.SQL("u.{}").format(sql.Identifier(c)))
        elif c.lower() in AREA_COLUMNS:
            cols.append(sql.SQL("CASE WHEN u.whole THEN s.{c} ELSE (s.{c} * ST_Area(u.geom) / nullif(u.area, 0))::{t} "
                                "END AS {c}").format(c=sql.Identifier(c), t=sql.SQL(types[c])))
        else:
            cols.append(sql.SQL("s.{}").format(sql.Identifier(c)))
    plan_cols = sql.SQL(", ").join(sql.SQL("CASE WHEN u.whole THEN p.{c} ELSE u.{c} END AS {c}").format(
        c=sql.Identifier(c)) for c in ("zzlx", "ghdlbm", "ghkcxs", "yncz"))
    return sql.SQL(
        "SELECT {cols}, {plan_cols}, CASE WHEN u.whole THEN coalesce(p.version, 0) ELSE u.version END AS version "
        "FROM (SELECT s0.fid, s0.fid AS survey_fid, s0.geom, true AS whole, NULL::text AS zzlx, "
        "NULL::text AS ghdlbm, NULL::double precision AS ghkcxs, NULL::text AS yncz, NULL::integer AS version, "
        "NULL::double precision AS area FROM {survey} s0 "
        "UNION ALL SELECT x.fid::{fid}, x.survey_fid::{fid}, x.geom, false, x.zzlx, x.ghdlbm, x.ghkcxs, x.yncz, "
        "x.version, "
        "(SELECT sum(ST_Area(y.geom)) FROM {split} y WHERE y.survey_fid = x.survey_fid) FROM {split} x) AS u "
        "JOIN {survey} s ON s.fid = u.survey_fid "
        "LEFT JOIN {plan} p ON p.survey_fid = u.survey_fid AND u.whole "
        "WHERE NOT EXISTS (SELECT 1 FROM {split} z WHERE u.whole AND z.survey_fid = u.survey_fid)").format(
        cols=sql.SQL(", ").join(cols), plan_cols=plan_cols, fid=sql.SQL(types["fid"]), survey=survey, plan=plan,
        split=split)


def has_pieces(cur, schema: str) -> bool:
    """Migration 15: ``plan_split`` has its ``fid`` (the view shows pieces)."""
    cur.execute("SELECT EXISTS (SELECT 1 FROM information_schema.columns WHERE table_schema = %s "
                "AND table_name = 'plan_split' AND column_name = 'fid')", (schema,))
    return cur.fetchone()[0]


def planning_view(cur, name) -> str | None:
    """The schema of ``name`` (a quoted ``psycopg2.sql`` name) when it is a planning schema's ``parcels`` view
    over its ``survey`` and ``plan_split`` (:func:`view_sql`), else None: statements over the whole view can
    read those two tables alone (each scan of the view joins the survey to itself)."""
    sql = driver().sql
    cur.execute("SELECT n.nspname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
                "WHERE c.oid = to_regclass(%s) AND c.relkind = 'v' AND c.relname = 'parcels'", (name.as_string(cur),))
    row = cur.fetchone()
    if row is None:
        return None
    # its schema's tables asked for alone (to_regclass in the query above ran on every row of pg_class)
    cur.execute("SELECT to_regclass(%s) IS NOT NULL AND to_regclass(%s) IS NOT NULL",
                tuple(sql.Identifier(row[0], t).as_string(cur) for t in ("survey", "plan_split")))
    return row[0] if cur.fetchone()[0] else None

