"""The pieces of split parcels under the version check (migration 17; docs/postgis.md "Split parcels",
"Refused saves", "Limits").

Migration 15 checked a piece's ``UPDATE`` (plan fields, geometry: ``lc_stamp`` on ``plan_split``) but not:

* **deleting a piece** through the ``parcels`` view: a ``DELETE`` carries no version, and the session
  noted none for the view. Now the session notes the versions seen of the view rows it is about to
  delete (``lc_read_for_delete('parcels', fids, versions)``, migration 8, as for units) and the view's
  trigger first calls ``lc_check_view_delete(fid)``: it takes this role's note and refuses (``LC409``,
  who and when, ``action`` DELETE) when the row is no longer as the planner saw it — the piece changed
  since (re-tagged, reshaped, given way), or gone and its parcel whole again (another planner undid
  the split). A piece this connection's own edit folded away just before (QGIS's merge:
  ``lc.split_gone``) is not checked again. A piece's ``version`` counts from ``PIECE_VERSION_BASE`` + 1,
  so it never equals its parcel's (``plan_parcel``): a row read as a piece and found whole, or the
  reverse, differs (also in ``lc_stamp``'s check of an update). Compared is the version the row had
  **before this planner's save** first touched it: this transaction's history (``lc_view_before``,
  ``history.tx``), or this planner's own change since the note (``lc_delete_read.history_mark``: QGIS
  sends a save's changes in a transaction before its deletes) — deleting two pieces of one parcel in one
  save (the first one's area joins the second), or growing a piece into another and deleting that one,
  is no conflict.
* **automatic transaction groups**: ``lc_check_seen('plan_parcel', …)`` (migration 10) looked at
  ``plan_parcel``'s history only, which a piece's re-tag or deletion does not write. It now takes the
  view's rows as they are: a piece's history (``plan_split`` by ``fid``) or its parcel's, first row
  of this transaction (``lc_view_before``).

``lc_check_view_delete`` runs as the schema's owner (it reads ``lc_delete_read`` and ``history``) and
is granted like ``lc_read_for_delete``; the view's trigger calls it only when the deleting role may
(a role without it deletes unchecked, as before; the session says so). ``lc_view_before`` is called by
the two definer functions only.
"""
from __future__ import annotations

from .split_sql import _EDIT

VERSION = 17
#: a piece's version counts from here (+1): never a parcel's (``plan_parcel``), so a view row read as a piece
#: and found whole (its split undone since), or the reverse, is always "changed since"
PIECE_VERSION_BASE = 1_000_000_000
#: the function the view's trigger calls (GRANT EXECUTE ON FUNCTION schema.<this> TO a planner role)
CHECK_DELETE_FUNCTION = "lc_check_view_delete(bigint)"

_VERSIONS = """
ALTER TABLE {s}.plan_split ALTER COLUMN version SET DEFAULT """ + str(PIECE_VERSION_BASE + 1) + """;
-- the pieces already there (no refusal, no history: the same rows, renumbered); the sessions open now reload
-- (the notification at commit: RELOAD), the deferred notification fired before the triggers are enabled again
DO $$
DECLARE
    stamps text[];
    t text;
BEGIN
    IF NOT EXISTS (SELECT 1 FROM {s}.plan_split WHERE version <= """ + str(PIECE_VERSION_BASE) + """) THEN
        RETURN;
    END IF;
    PERFORM set_config('lc.changed', '"many"', true);
    SELECT coalesce(array_agg(tgname::text), ARRAY[]::text[]) INTO stamps FROM pg_catalog.pg_trigger
    WHERE tgrelid = format('%I.plan_split', {name})::regclass AND tgname IN ('lc_stamp', 'lc_history');
    FOREACH t IN ARRAY stamps LOOP
        EXECUTE format('ALTER TABLE %I.plan_split DISABLE TRIGGER %I', {name}, t);
    END LOOP;
    UPDATE {s}.plan_split SET version = version + """ + str(PIECE_VERSION_BASE) + """
    WHERE version <= """ + str(PIECE_VERSION_BASE) + """;
    SET CONSTRAINTS ALL IMMEDIATE;
    FOREACH t IN ARRAY stamps LOOP
        EXECUTE format('ALTER TABLE %I.plan_split ENABLE TRIGGER %I', {name}, t);
    END LOOP;
END $$;
"""

_BEFORE = """
-- the parcels view's row f as it was before this transaction first touched it: (table, row) as JSON (row: the plan
-- row's JSON with version, changed_by, changed_role, changed_at; null: a parcel without a plan row, version 0)
CREATE OR REPLACE FUNCTION {s}.lc_view_before(f bigint) RETURNS jsonb LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    h record;
    whole jsonb;
BEGIN
    SELECT table_name, old_row INTO h FROM {s}.history
    WHERE tx = txid_current()
        AND ((table_name = 'plan_split' AND coalesce(new_row, old_row) ->> 'fid' = f::text)
             OR (table_name = 'plan_parcel' AND coalesce(new_row, old_row) ->> 'survey_fid' = f::text))
    ORDER BY id LIMIT 1;
    IF FOUND AND (h.old_row IS NOT NULL OR h.table_name = 'plan_parcel') THEN
        RETURN jsonb_build_object('table', h.table_name, 'row', h.old_row);
    END IF;
    IF NOT FOUND THEN
        SELECT to_jsonb(x) - 'geom' INTO whole FROM {s}.plan_split x WHERE x.fid = f;
        IF FOUND THEN
            RETURN jsonb_build_object('table', 'plan_split', 'row', whole);
        END IF;
    END IF;
    -- the parcel whole (also: a piece this transaction created in its parcel's place): its plan row then
    SELECT old_row INTO whole FROM {s}.history WHERE tx = txid_current() AND table_name = 'plan_parcel'
        AND coalesce(new_row, old_row) ->> 'survey_fid' = f::text ORDER BY id LIMIT 1;
    IF NOT FOUND THEN
        SELECT to_jsonb(p) INTO whole FROM {s}.plan_parcel p WHERE p.survey_fid = f;
    END IF;
    RETURN jsonb_build_object('table', 'plan_parcel', 'row', whole);
END $$;
REVOKE EXECUTE ON FUNCTION {s}.lc_view_before(bigint) FROM PUBLIC;
"""

_CHECK_SEEN = """
CREATE OR REPLACE FUNCTION {s}.lc_check_seen(tbl text, ids bigint[], versions integer[]) RETURNS integer
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    r record;
    id_column text := CASE tbl WHEN 'plan_parcel' THEN 'survey_fid' ELSE 'id' END;
    key_column text := CASE tbl WHEN 'plan_parcel' THEN 'survey_fid' WHEN 'plan_unit' THEN 'dybh' ELSE 'id' END;
    view_row jsonb;
    before jsonb;
    found_table text;
    key_value text;
    n integer := 0;
BEGIN
    FOR r IN
        SELECT DISTINCT ON (t.i) t.i, t.v, h.old_row, h.new_row
        FROM unnest(ids, versions) AS t(i, v)
        JOIN {s}.history h ON h.tx = txid_current() AND (
             (h.table_name = tbl AND coalesce(h.new_row, h.old_row) ->> id_column = t.i::text)
             OR (tbl = 'plan_parcel' AND h.table_name = 'plan_split'
                 AND coalesce(h.new_row, h.old_row) ->> 'fid' = t.i::text))
        WHERE t.i IS NOT NULL AND t.v IS NOT NULL
        ORDER BY t.i, h.id
    LOOP
        n := n + 1;
        IF tbl = 'plan_parcel' THEN  -- a row of the parcels view: a parcel, or a piece of a split one (by fid)
            view_row := {s}.lc_view_before(r.i);
            found_table := view_row ->> 'table';
            before := nullif(view_row -> 'row', 'null'::jsonb);
            key_value := r.i::text;
        ELSE
            before := r.old_row;  -- NULL: this transaction created the row
            found_table := tbl;
            key_value := coalesce(before, r.new_row) ->> key_column;
        END IF;
        IF coalesce((before ->> 'version')::integer, 0) <> r.v THEN
            RAISE EXCEPTION USING ERRCODE = 'LC409',
                MESSAGE = format('%s %s was changed by %s at %s after you read it: your change was refused',
                                 found_table, key_value,
                                 coalesce(before ->> 'changed_by', before ->> 'changed_role', '?'),
                                 before ->> 'changed_at'),
                DETAIL = 'lc-conflict ' || json_build_object(
                    'table', found_table, 'key', key_value, 'by', before ->> 'changed_by',
                    'role', before ->> 'changed_role', 'at', before ->> 'changed_at',
                    'version', (before ->> 'version')::integer, 'read', r.v, 'transaction', true)::text;
        END IF;
    END LOOP;
    RETURN n;
END $$;
"""

_CHECK_DELETE = """
-- where history stood when a note was taken: this planner's own changes after it (QGIS sends a save's changes
-- in a transaction before its deletes) are not another planner's
CREATE OR REPLACE FUNCTION {s}.lc_history_mark() RETURNS bigint LANGUAGE sql SET search_path = pg_catalog, pg_temp
AS $$ SELECT last_value FROM {s}.history_id_seq $$;
REVOKE EXECUTE ON FUNCTION {s}.lc_history_mark() FROM PUBLIC;
ALTER TABLE {s}.lc_delete_read ADD COLUMN IF NOT EXISTS history_mark bigint DEFAULT {s}.lc_history_mark();
CREATE OR REPLACE FUNCTION {s}.lc_check_view_delete(f bigint) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    seen integer;
    mark bigint;
    own record;
    found_table text;
    before jsonb;
BEGIN
    DELETE FROM {s}.lc_delete_read WHERE table_name = 'parcels' AND row_id = f AND db_role = session_user
        AND read_at >= clock_timestamp() - interval '1 hour'
        RETURNING version, history_mark INTO seen, mark;
    IF seen IS NULL THEN
        RETURN;  -- no note: a client without the plugin, or under automatic groups (checked by lc_check_seen)
    END IF;
    IF f::text = ANY(string_to_array(current_setting('lc.split_gone', true), ','))
       AND NOT EXISTS (SELECT 1 FROM {s}.plan_split WHERE fid = f) THEN
        RETURN;  -- folded away by this connection's own edit just before (a merge's update)
    END IF;
    -- the first change of the row since the note, when it is this planner's (this transaction, or the save's
    -- changes just before: the same role and QGIS user): the version before it
    SELECT h.table_name, h.old_row, h.tx = txid_current() OR (h.db_role = session_user
           AND h.qgis_user IS NOT DISTINCT FROM nullif(current_setting('lc.user', true), '')) AS mine
    INTO own FROM {s}.history h
    WHERE mark IS NOT NULL AND h.id > mark
        AND ((h.table_name = 'plan_split' AND coalesce(h.new_row, h.old_row) ->> 'fid' = f::text)
             OR (h.table_name = 'plan_parcel' AND coalesce(h.new_row, h.old_row) ->> 'survey_fid' = f::text))
    ORDER BY h.id LIMIT 1;
    IF FOUND AND own.mine AND own.old_row IS NOT NULL THEN
        found_table := own.table_name;
        before := own.old_row;
    ELSE
        before := {s}.lc_view_before(f);
        found_table := before ->> 'table';
        before := nullif(before -> 'row', 'null'::jsonb);
    END IF;
    IF coalesce((before ->> 'version')::integer, 0) <> seen THEN
        RAISE EXCEPTION USING ERRCODE = 'LC409',
            MESSAGE = format('parcels %s was changed by %s at %s after you read it: your deletion was refused',
                             f, coalesce(before ->> 'changed_by', before ->> 'changed_role', '?'),
                             before ->> 'changed_at'),
            DETAIL = 'lc-conflict ' || json_build_object(
                'table', found_table, 'key', f::text, 'by', before ->> 'changed_by',
                'role', before ->> 'changed_role', 'at', before ->> 'changed_at',
                'version', (before ->> 'version')::integer, 'read', seen, 'action', 'DELETE')::text;
    END IF;
END $$;
REVOKE EXECUTE ON FUNCTION {s}.lc_check_view_delete(bigint) FROM PUBLIC;
DO $$
DECLARE
    r record;
BEGIN
    FOR r IN SELECT rolname FROM pg_catalog.pg_roles
             WHERE NOT rolsuper AND rolname NOT LIKE 'pg\\_%' AND (rolname = 'lc_planner'
                 OR has_table_privilege(oid, to_regclass(format('%I.parcels', {name})), 'DELETE')
                 OR has_table_privilege(oid, format('%I.plan_split', {name}), 'DELETE'))
    LOOP
        EXECUTE format('GRANT EXECUTE ON FUNCTION %I.lc_check_view_delete(bigint) TO %I', {name}, r.rolname);
    END LOOP;
END $$;
"""

_DELETE_BRANCH = """    IF TG_OP = 'DELETE' THEN
        SELECT * INTO piece FROM {s}.plan_split WHERE fid = OLD.fid;"""
_CHECKED_BRANCH = """    IF TG_OP = 'DELETE' THEN
        IF has_function_privilege(format('%I.lc_check_view_delete(bigint)', {name}), 'EXECUTE') THEN
            PERFORM {s}.lc_check_view_delete(OLD.fid);  -- the version this planner saw (migration 17)
        END IF;
        SELECT * INTO piece FROM {s}.plan_split WHERE fid = OLD.fid;"""
assert _EDIT.count(_DELETE_BRANCH) == 1
_VIEW_EDIT = _EDIT.replace(_DELETE_BRANCH, _CHECKED_BRANCH) + \
    "ALTER FUNCTION {s}.lc_parcels_edit() SET search_path FROM CURRENT;\n"

MIGRATION = (VERSION, "pieces of split parcels under the version check: deleting one through the parcels view, "
             "and under QGIS's automatic transaction groups",
             _VERSIONS + _BEFORE + _CHECK_SEEN + _CHECK_DELETE + _VIEW_EDIT)
