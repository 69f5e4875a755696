"""The pieces of split parcels under the version check (migration 17; docs/postgis.md "Split parcels",
"Refused saves", "Limits").

Migration 15 checked a piece's ``UPDATE`` (plan fields, geometry: ``lc_stamp`` on ``plan_split``) but not:

* **deleting a piece** through the ``parcels`` view: a ``DELETE`` carries no version, and the session
  noted none for the view. Now the session notes the versions seen of the view rows it is about to
  delete (``lc_read_for_delete('parcels', fids, versions)``, migration 8, as for units) and the view's
  trigger first calls ``lc_check_view_delete(fid)``: it takes this role's note and refuses (``LC409``,
  who and when, ``action`` DELETE) when another planner changed the row since — the piece re-tagged,
  reshaped or given way, or gone and its parcel whole again (its split undone). A piece this
  connection's own edit folded away just before (QGIS's merge: ``lc.split_gone``) is not checked again.
* **automatic transaction groups**: ``lc_check_seen('plan_parcel', …)`` (migration 10) looked at
  ``plan_parcel``'s history only, which a piece's re-tag or deletion does not write. It now takes the
  view's rows as they are: a piece's history (``plan_split`` by ``fid``) or its parcel's.

**Another planner**, not the planner themself (``lc_view_others``): the row's version before this
transaction (``lc_view_before``, from ``history.tx``) is the one seen, or every change of the row since
the one that changed the version seen (``history``) is the planner's own — this transaction's, or the
same role's and QGIS user's: QGIS sends a save's changes in a transaction before its deletes, and an
earlier save of theirs may have made the piece give way or undone its split. Else the last other's
change is named. The same holds for an update through the view carrying a version other than the row's
(``lc_check_view_update``; the trigger then writes the row's version, so ``lc_stamp`` passes): growing a
piece into another and re-tagging that one in one save, or re-tagging the parcel after one's own save
undid its split, was refused naming the planner themself. A piece's ``version`` counts from
``PIECE_VERSION_BASE`` + 1, so it never equals its parcel's (``plan_parcel``): a row read as a piece and
found whole, or the reverse, differs, and "the version seen" is one row's in the history.

``lc_check_view_delete`` and ``lc_check_view_update`` run as the schema's owner (they read
``lc_delete_read`` and ``history``) and are granted like ``lc_read_for_delete``; the view's trigger calls
them only when the role may (without: deletes unchecked and updates checked by ``lc_stamp`` alone, as
before; the session says so for deletes). ``lc_view_before``, ``lc_view_others`` and ``lc_view_refuse``
are called by the definer functions only (not PUBLIC's).
"""
from __future__ import annotations

from .split_sql import _EDIT

VERSION = 17
#: a piece's version counts from here (+1): never a parcel's (``plan_parcel``), so a view row read as a piece
#: and found whole (its split undone since), or the reverse, is always "changed since"
PIECE_VERSION_BASE = 1_000_000_000
#: the function the view's trigger calls (GRANT EXECUTE ON FUNCTION schema.<this> TO a planner role)
CHECK_DELETE_FUNCTION = "lc_check_view_delete(bigint)"
#: the function the view's trigger calls for an update carrying another version than the row's (granted alike)
CHECK_UPDATE_FUNCTION = "lc_check_view_update(bigint, integer)"

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

_OTHERS = """
-- who changed the view's row f since the planner saw its version "seen", other than the planner themself (NULL:
-- nobody): JSON with table, changed_by, changed_role, changed_at, version. Before this transaction the row had "seen":
-- nobody. Else the row's changes from the one that changed "seen" on (history): all the planner's own (this
-- transaction, or the same role and QGIS user: an earlier save of theirs that made this piece give way, or a
-- save's changes sent before its deletes) are no conflict; else the last other's is named (none found: the row as
-- it was before this transaction). A scan of history (no index on its rows' keys), only when the versions differ;
-- a piece's versions never equal a parcel's (PIECE_VERSION_BASE), so "the version seen" is one row's
CREATE OR REPLACE FUNCTION {s}.lc_view_others(f bigint, seen integer) RETURNS jsonb LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    before jsonb := {s}.lc_view_before(f);
    h record;
    walked boolean := false;
    other jsonb;
BEGIN
    IF coalesce((before -> 'row' ->> 'version')::integer, 0) = seen THEN
        RETURN NULL;
    END IF;
    FOR h IN SELECT x.table_name, x.qgis_user, x.db_role, x.at, x.tx = txid_current() OR (x.db_role = session_user
                    AND x.qgis_user IS NOT DISTINCT FROM nullif(current_setting('lc.user', true), '')) AS mine
             FROM {s}.history x
             WHERE ((x.table_name = 'plan_split' AND coalesce(x.new_row, x.old_row) ->> 'fid' = f::text)
                    OR (x.table_name = 'plan_parcel' AND coalesce(x.new_row, x.old_row) ->> 'survey_fid' = f::text))
               AND x.id >= (SELECT min(g.id) FROM {s}.history g
                            WHERE ((g.table_name = 'plan_split' AND coalesce(g.new_row, g.old_row) ->> 'fid' = f::text)
                                   OR (g.table_name = 'plan_parcel'
                                       AND coalesce(g.new_row, g.old_row) ->> 'survey_fid' = f::text))
                              AND (g.old_row ->> 'version')::integer = seen)
             ORDER BY x.id LOOP
        walked := true;
        IF NOT h.mine THEN
            other := jsonb_build_object('table', h.table_name, 'changed_by', h.qgis_user, 'changed_role', h.db_role,
                                        'changed_at', h.at, 'version', before -> 'row' -> 'version');
        END IF;
    END LOOP;
    IF walked AND other IS NULL THEN
        RETURN NULL;
    END IF;
    RETURN coalesce(other, jsonb_build_object('table', before -> 'table') || coalesce(
        nullif(before -> 'row', 'null'::jsonb), jsonb_build_object()));
END $$;
REVOKE EXECUTE ON FUNCTION {s}.lc_view_others(bigint, integer) FROM PUBLIC;
-- the refusal (LC409, the lc-conflict detail the plugin turns into its sentence)
CREATE OR REPLACE FUNCTION {s}.lc_view_refuse(f bigint, seen integer, who jsonb, action text, in_transaction boolean)
RETURNS void LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
BEGIN
    RAISE EXCEPTION USING ERRCODE = 'LC409',
        MESSAGE = format('parcels %s was changed by %s at %s after you read it: your %s was refused', f,
                         coalesce(who ->> 'changed_by', who ->> 'changed_role', '?'), who ->> 'changed_at',
                         CASE action WHEN 'DELETE' THEN 'deletion' ELSE 'change' END),
        DETAIL = 'lc-conflict ' || json_build_object(
            'table', who ->> 'table', 'key', f::text, 'by', who ->> 'changed_by', 'role', who ->> 'changed_role',
            'at', who ->> 'changed_at', 'version', (who ->> 'version')::integer, 'read', seen, 'action', action,
            'transaction', in_transaction)::text;
END $$;
REVOKE EXECUTE ON FUNCTION {s}.lc_view_refuse(bigint, integer, jsonb, text, boolean) FROM PUBLIC;
"""

_CHECK_SEEN = """
CREATE OR REPLACE FUNCTION {s}.lc_check_seen(tbl text, ids bigint[], versions integer[]) RETURNS integer
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    r record;
    id_column text := CASE tbl WHEN 'plan_parcel' THEN 'survey_fid' ELSE 'id' END;
    key_column text := CASE tbl WHEN 'plan_parcel' THEN 'survey_fid' WHEN 'plan_unit' THEN 'dybh' ELSE 'id' END;
    before jsonb;
    who jsonb;
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
            who := {s}.lc_view_others(r.i, r.v);
            IF who IS NOT NULL THEN
                PERFORM {s}.lc_view_refuse(r.i, r.v, who, 'UPDATE', true);
            END IF;
            CONTINUE;
        END IF;
        before := r.old_row;  -- NULL: this transaction created the row
        IF coalesce((before ->> 'version')::integer, 0) <> r.v THEN
            RAISE EXCEPTION USING ERRCODE = 'LC409',
                MESSAGE = format('%s %s was changed by %s at %s after you read it: your change was refused',
                                 tbl, coalesce(before, r.new_row) ->> key_column,
                                 coalesce(before ->> 'changed_by', before ->> 'changed_role', '?'),
                                 before ->> 'changed_at'),
                DETAIL = 'lc-conflict ' || json_build_object(
                    'table', tbl, 'key', coalesce(before, r.new_row) ->> key_column, 'by', before ->> 'changed_by',
                    'role', before ->> 'changed_role', 'at', before ->> 'changed_at',
                    'version', (before ->> 'version')::integer, 'read', r.v, 'transaction', true)::text;
        END IF;
    END LOOP;
    RETURN n;
END $$;
"""

_CHECK_VIEW = """
CREATE OR REPLACE FUNCTION {s}.lc_check_view_delete(f bigint) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    seen integer;
    who jsonb;
BEGIN
    DELETE FROM {s}.lc_delete_read WHERE table_name = 'parcels' AND row_id = f AND db_role = session_user
        AND read_at >= clock_timestamp() - interval '1 hour'
        RETURNING version INTO seen;
    IF seen IS NULL THEN
        RETURN;  -- no note: a client without the plugin, or under automatic groups (checked by lc_check_seen)
    END IF;
    IF f::text = ANY(string_to_array(current_setting('lc.split_gone', true), ','))
       AND NOT EXISTS (SELECT 1 FROM {s}.plan_split WHERE fid = f) THEN
        RETURN;  -- folded away by this connection's own edit just before (a merge's update)
    END IF;
    who := {s}.lc_view_others(f, seen);
    IF who IS NOT NULL THEN
        PERFORM {s}.lc_view_refuse(f, seen, who, 'DELETE', false);
    END IF;
END $$;
-- an update of the view's row f carrying the version "seen" other than the row's: refused when another planner
-- changed it since (else the planner's own change made the difference: the trigger writes the row's version)
CREATE OR REPLACE FUNCTION {s}.lc_check_view_update(f bigint, seen integer) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    who jsonb := {s}.lc_view_others(f, seen);
BEGIN
    IF who IS NOT NULL THEN
        PERFORM {s}.lc_view_refuse(f, seen, who, 'UPDATE', false);
    END IF;
END $$;
REVOKE EXECUTE ON FUNCTION {s}.lc_check_view_delete(bigint) FROM PUBLIC;
REVOKE EXECUTE ON FUNCTION {s}.lc_check_view_update(bigint, integer) FROM PUBLIC;
DO $$
DECLARE
    r record;
BEGIN
    FOR r IN SELECT rolname FROM pg_catalog.pg_roles
             WHERE NOT rolsuper AND rolname NOT LIKE 'pg\\_%' AND (rolname = 'lc_planner'
                 OR has_table_privilege(oid, to_regclass(format('%I.parcels', {name})), 'UPDATE, DELETE')
                 OR has_table_privilege(oid, format('%I.plan_split', {name}), 'UPDATE, DELETE'))
    LOOP
        EXECUTE format('GRANT EXECUTE ON FUNCTION %I.lc_check_view_delete(bigint), '
                       '%I.lc_check_view_update(bigint, integer) TO %I', {name}, {name}, r.rolname);
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
_UPDATE_BRANCH = """    -- UPDATE: plan fields; a geometry inside the row's survey parcel
"""
_CHECKED_UPDATE = """    -- UPDATE: the version the planner saw, when it is not the row's: refused when another planner
    -- changed the row since; the planner's own changes since (a piece that gave way) are no conflict
    IF NEW.version IS DISTINCT FROM OLD.version
       AND has_function_privilege(format('%I.lc_check_view_update(bigint, integer)', {name}), 'EXECUTE') THEN
        PERFORM {s}.lc_check_view_update(OLD.fid, NEW.version);
        NEW.version := OLD.version;
    END IF;
    -- plan fields; a geometry inside the row's survey parcel
"""
assert _EDIT.count(_UPDATE_BRANCH) == 1
_VIEW_EDIT = _EDIT.replace(_DELETE_BRANCH, _CHECKED_BRANCH).replace(_UPDATE_BRANCH, _CHECKED_UPDATE) + \
    "ALTER FUNCTION {s}.lc_parcels_edit() SET search_path FROM CURRENT;\n"

MIGRATION = (VERSION, "pieces of split parcels under the version check: deleting one through the parcels view, "
             "and under QGIS's automatic transaction groups",
             _VERSIONS + _BEFORE + _OTHERS + _CHECK_SEEN + _CHECK_VIEW + _VIEW_EDIT)
