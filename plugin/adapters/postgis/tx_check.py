"""Conflict checks under QGIS's automatic transaction groups (migration 10; docs/postgis.md, "Limits").

With automatic transaction groups QGIS sends each edit to the database as it is made, inside one open
transaction, so no version seen can ride along with it (the local edit buffer writes it into the
``UPDATE`` just before the commit: ``live_versions``). Instead, right after each edit, the plugin
asks in that same transaction whether the rows it just changed or deleted had, before this
transaction first touched them, the version the planner saw: ``lc_check_seen(table, ids, versions)``
finds this transaction's first history row of each (``history.tx``: the top-level transaction id,
also for QGIS's savepoints) and raises ``LC409`` — with the same message and ``lc-conflict`` detail as
a refused save — when another planner had committed the row since the planner read it. Once this
transaction has changed a row it holds the row's lock until its commit, so nobody can change it in
between. The plugin then undoes the edit (QGIS rolls back to its savepoint) and says who and when.
The function runs as the schema's owner (planners may insert into ``history``, not read it) and only
reads the calling transaction's own rows; it is granted like ``lc_read_for_delete`` (migration 9).
Migration 17 (``split_check_sql.py``) replaces it: for ``plan_parcel`` (the ``parcels`` view) it also
reads the history of the view's pieces of split parcels (``plan_split``, by ``fid``).
"""
from __future__ import annotations

VERSION = 10
#: the function's signature (GRANT EXECUTE ON FUNCTION schema.<this> TO a planner role)
CHECK_FUNCTION = "lc_check_seen(text, bigint[], integer[])"

MIGRATION = (VERSION, "conflict checks under QGIS's automatic transaction groups: history.tx, lc_check_seen", """
ALTER TABLE {s}.history ADD COLUMN IF NOT EXISTS tx bigint;
ALTER TABLE {s}.history ALTER COLUMN tx SET DEFAULT txid_current();
CREATE INDEX IF NOT EXISTS history_tx_idx ON {s}.history (tx);
CREATE FUNCTION {s}.lc_check_seen(tbl text, ids bigint[], versions integer[]) RETURNS integer
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    r record;
    id_column text := CASE tbl WHEN 'plan_parcel' THEN 'survey_fid' ELSE 'id' END;
    key_column text := CASE tbl WHEN 'plan_parcel' THEN 'survey_fid' WHEN 'plan_unit' THEN 'dybh' ELSE 'id' END;
    before jsonb;
    n integer := 0;
BEGIN
    FOR r IN
        SELECT DISTINCT ON (t.i) t.i, t.v, h.old_row, h.new_row
        FROM unnest(ids, versions) AS t(i, v)
        JOIN {s}.history h ON h.tx = txid_current() AND h.table_name = tbl
             AND coalesce(h.new_row, h.old_row) ->> id_column = t.i::text
        WHERE t.i IS NOT NULL AND t.v IS NOT NULL
        ORDER BY t.i, h.id
    LOOP
        n := n + 1;
        before := r.old_row;  -- NULL: this transaction created the row (a parcel's first plan row)
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
REVOKE EXECUTE ON FUNCTION {s}.lc_check_seen(text, bigint[], integer[]) FROM PUBLIC;
DO $$
DECLARE
    r record;
BEGIN
    FOR r IN SELECT rolname FROM pg_catalog.pg_roles
             WHERE NOT rolsuper AND rolname NOT LIKE 'pg\\_%' AND (rolname = 'lc_planner'
                 OR has_table_privilege(oid, format('%I.plan_parcel', {name}), 'UPDATE')
                 OR has_table_privilege(oid, format('%I.plan_unit', {name}), 'UPDATE, DELETE'))
    LOOP
        EXECUTE format('GRANT EXECUTE ON FUNCTION %I.lc_check_seen(text, bigint[], integer[]) TO %I', {name},
                       r.rolname);
    END LOOP;
END $$;
""")

#: ``history.tx`` is the inserting transaction's, whatever an ``INSERT`` says (planners may insert into
#: ``history``: without this one could plant a row for another transaction's check). One migration;
#: its number may change when branches adding migrations are merged.
TX_STAMP_VERSION = 11
TX_STAMP_MIGRATION = (TX_STAMP_VERSION, "history.tx set by a trigger: the inserting transaction, not the client", """
CREATE FUNCTION {s}.lc_history_tx() RETURNS trigger LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
BEGIN
    NEW.tx := txid_current();
    RETURN NEW;
END $$;
CREATE TRIGGER lc_history_tx BEFORE INSERT ON {s}.history FOR EACH ROW EXECUTE FUNCTION {s}.lc_history_tx();
""")
