"""The planning schema: versioned, idempotent migrations (``db init``), docs/postgis.md.

The survey table (三调 DLTB as loaded, ``survey``) is the data of record and is never written by
planning: a role with read-only rights on it can plan. Plan attributes (ZZLX, GHDLBM, GHKCXS,
YNCZ) live in ``plan_parcel``, units in ``plan_unit``, pieces of split parcels in ``plan_split``;
``parcels`` is the view the balance reads (survey ⋈ plan, the plugin's DLTB). Every change to a
plan table is written to ``history`` by a trigger: who (the QGIS user the session declares with
``lc.user`` and the database role), when, what (old and new row as JSON). Each plan row carries
a ``version`` the trigger raises, for optimistic locking.
"""
from __future__ import annotations

from ...core.i18n import tr
from .connection import DatabaseError, driver
from .history_sql import MIGRATION as HISTORY_INDEX_MIGRATION
from .share_cache import MIGRATION as SHARES_MIGRATION
from .share_cache import MIGRATION_7 as BSM_INDEX_MIGRATION
from .share_cache import MIGRATION_14 as SHARE_RESET_MIGRATION
from .split_check_sql import MIGRATION as SPLIT_CHECK_MIGRATION
from .split_sql import MIGRATION as SPLIT_MIGRATION
from .split_sql import MIGRATION_16 as SPLIT_VIEW_MIGRATION
from .split_sql import has_pieces, view_sql
from .sum_cache import MIGRATION as SUMS_MIGRATION
from .survey_cache import MIGRATION as SURVEY_MIGRATION
from .trigger_sql import refuse_conflict, stamp
from .tx_check import MIGRATION as TX_CHECK_MIGRATION
from .tx_check import TX_STAMP_MIGRATION

#: the version a fully migrated schema has
VERSION_TABLE = "lc_schema_version"

#: (version, description, SQL). ``{s}`` is the quoted schema. Never edit a released step: add one.
MIGRATIONS: list[tuple[int, str, str]] = [
    (1, "plan tables, history, triggers", """
CREATE TABLE {s}.lc_setting (key text PRIMARY KEY, value text);
CREATE TABLE {s}.plan_unit (
    id bigserial PRIMARY KEY, dybh text NOT NULL UNIQUE, dymc text, zzlx text,
    geom geometry(MultiPolygon), version integer NOT NULL DEFAULT 1,
    changed_by text, changed_role text, changed_at timestamptz);
CREATE INDEX ON {s}.plan_unit USING gist (geom);
CREATE TABLE {s}.plan_parcel (
    survey_fid bigint PRIMARY KEY, zzlx text, ghdlbm text, ghkcxs double precision, yncz text,
    version integer NOT NULL DEFAULT 1, changed_by text, changed_role text, changed_at timestamptz);
CREATE TABLE {s}.plan_split (
    id bigserial PRIMARY KEY, survey_fid bigint NOT NULL, geom geometry(MultiPolygon) NOT NULL,
    version integer NOT NULL DEFAULT 1, changed_by text, changed_role text, changed_at timestamptz);
CREATE INDEX ON {s}.plan_split (survey_fid);
CREATE TABLE {s}.pbf (id bigserial PRIMARY KEY, geom geometry(MultiPolygon));
CREATE INDEX ON {s}.pbf USING gist (geom);
CREATE TABLE {s}.history (
    id bigserial PRIMARY KEY, at timestamptz NOT NULL DEFAULT clock_timestamp(),
    qgis_user text, db_role text NOT NULL DEFAULT session_user, table_name text NOT NULL,
    row_key text, action text NOT NULL, old_row jsonb, new_row jsonb);
""" + stamp() + """\
CREATE FUNCTION {s}.lc_history() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    key_column text := TG_ARGV[0];
    old_json jsonb := CASE WHEN TG_OP <> 'INSERT' THEN to_jsonb(OLD) - 'geom' END;
    new_json jsonb := CASE WHEN TG_OP <> 'DELETE' THEN to_jsonb(NEW) - 'geom' END;
BEGIN
    INSERT INTO history (qgis_user, table_name, row_key, action, old_row, new_row)
    VALUES (nullif(current_setting('lc.user', true), ''), TG_TABLE_NAME,
            coalesce(new_json, old_json) ->> key_column, TG_OP, old_json, new_json);
    RETURN NULL;
END $$;
"""),
]

_TRIGGERS = (("plan_unit", "dybh"), ("plan_parcel", "survey_fid"), ("plan_split", "id"))


def _trigger_sql() -> str:
    out = []
    for table, key in _TRIGGERS:
        out.append(f"CREATE TRIGGER lc_stamp BEFORE INSERT OR UPDATE ON {{s}}.{table} "
                   f"FOR EACH ROW EXECUTE FUNCTION {{s}}.lc_stamp();")
        out.append(f"CREATE TRIGGER lc_history AFTER INSERT OR UPDATE OR DELETE ON {{s}}.{table} "
                   f"FOR EACH ROW EXECUTE FUNCTION {{s}}.lc_history('{key}');")
    return "\n".join(out)


MIGRATIONS.append((2, "stamp and history triggers on the plan tables", _trigger_sql()))

#: channel of the change notifications: other planners' sessions LISTEN to it (docs/postgis.md)
CHANNEL = "lc_plan"

MIGRATIONS.append((3, "notify other sessions of plan changes", """
CREATE OR REPLACE FUNCTION {s}.lc_history() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    key_column text := TG_ARGV[0];
    old_json jsonb := CASE WHEN TG_OP <> 'INSERT' THEN to_jsonb(OLD) - 'geom' END;
    new_json jsonb := CASE WHEN TG_OP <> 'DELETE' THEN to_jsonb(NEW) - 'geom' END;
    row_key text := coalesce(new_json, old_json) ->> key_column;
BEGIN
    INSERT INTO history (qgis_user, table_name, row_key, action, old_row, new_row)
    VALUES (nullif(current_setting('lc.user', true), ''), TG_TABLE_NAME, row_key, TG_OP, old_json, new_json);
    PERFORM pg_notify('lc_plan', json_build_object('schema', TG_TABLE_SCHEMA, 'table', TG_TABLE_NAME,
                                                   'key', row_key, 'action', TG_OP)::text);
    RETURN NULL;
END $$;
"""))

#: the channel QGIS's ``postgres`` provider LISTENs on when a layer refreshes on notify
QGIS_CHANNEL = "qgis"
#: SQLSTATE of a refused plan edit (another planner changed the row since it was read)
CONFLICT_SQLSTATE = "LC409"
#: SQLSTATE of an edit the planning layer does not allow (survey columns, adding/deleting parcels)
READ_ONLY_SQLSTATE = "LC403"
#: the plan columns the ``parcels`` view may change (the rest is the survey: the data of record)
VIEW_PLAN_COLUMNS = ("zzlx", "ghdlbm", "ghkcxs", "yncz", "version")

#: migration 4's ``lc_history``: the history row, and what the transaction changed for its one notification
HISTORY_4 = """CREATE OR REPLACE FUNCTION {s}.lc_history() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    key_column text := TG_ARGV[0];
    old_json jsonb := CASE WHEN TG_OP <> 'INSERT' THEN to_jsonb(OLD) - 'geom' END;
    new_json jsonb := CASE WHEN TG_OP <> 'DELETE' THEN to_jsonb(NEW) - 'geom' END;
    row_key text := coalesce(new_json, old_json) ->> key_column;
    row_id text := coalesce(new_json, old_json) ->> (CASE TG_TABLE_NAME WHEN 'plan_parcel' THEN 'survey_fid'
                                                                        ELSE 'id' END);
    changed text;
BEGIN
    INSERT INTO history (qgis_user, table_name, row_key, action, old_row, new_row)
    VALUES (nullif(current_setting('lc.user', true), ''), TG_TABLE_NAME, row_key, TG_OP, old_json, new_json);
    PERFORM pg_notify('lc_plan', json_build_object('schema', TG_TABLE_SCHEMA, 'table', TG_TABLE_NAME,
                                                   'key', row_key, 'action', TG_OP)::text);
    -- what this transaction changed, for the one notification sent at its commit (lc_notify_qgis)
    changed := coalesce(nullif(current_setting('lc.changed', true), ''), '[]');
    IF changed <> '"many"' THEN
        changed := (changed::jsonb
                    || jsonb_build_array(jsonb_build_array(TG_TABLE_SCHEMA, TG_TABLE_NAME, row_id)))::text;
        PERFORM set_config('lc.changed', CASE WHEN length(changed) > 6000 THEN '"many"' ELSE changed END, true);
    END IF;
    RETURN NULL;
END $$;
"""

MIGRATIONS.append((4, "optimistic locking in the database, QGIS notifications, an editable parcels view",
                   "\n" + stamp((("plan_parcel", "survey_fid"), ("plan_unit", "dybh"))) + """\
""" + HISTORY_4 + """-- QGIS's listener hands on one notification per second: one per transaction, not one per row.
-- Every row's deferred trigger sends the same payload at commit, and PostgreSQL delivers it once.
CREATE FUNCTION {s}.lc_notify_qgis() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    changed text := coalesce(nullif(current_setting('lc.changed', true), ''), '[]');
BEGIN
    PERFORM pg_notify('qgis', CASE WHEN changed = '"many"' THEN json_build_object('lc', 1, 'action', 'RELOAD')::text
                                   ELSE json_build_object('lc', 1, 'changes', changed::json)::text END);
    RETURN NULL;
END $$;
CREATE FUNCTION {s}.lc_notify_table() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('qgis', json_build_object('lc', 1, 'schema', TG_TABLE_SCHEMA, 'table', TG_TABLE_NAME,
                                                'action', TG_OP)::text);
    RETURN NULL;
END $$;
CREATE CONSTRAINT TRIGGER lc_notify AFTER INSERT OR UPDATE OR DELETE ON {s}.plan_parcel
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION {s}.lc_notify_qgis();
CREATE CONSTRAINT TRIGGER lc_notify AFTER INSERT OR UPDATE OR DELETE ON {s}.plan_unit
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION {s}.lc_notify_qgis();
CREATE CONSTRAINT TRIGGER lc_notify AFTER INSERT OR UPDATE OR DELETE ON {s}.plan_split
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION {s}.lc_notify_qgis();
CREATE TRIGGER lc_notify AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON {s}.pbf
    FOR EACH STATEMENT EXECUTE FUNCTION {s}.lc_notify_table();
CREATE FUNCTION {s}.lc_parcels_edit() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    plan_columns text[] := ARRAY['zzlx', 'ghdlbm', 'ghkcxs', 'yncz', 'version'];
BEGIN
    IF TG_OP <> 'UPDATE' THEN
        RAISE EXCEPTION USING ERRCODE = 'LC403',
            MESSAGE = 'survey parcels are the data of record: they are not added or deleted in the planning layer';
    END IF;
    IF (to_jsonb(NEW) - plan_columns) IS DISTINCT FROM (to_jsonb(OLD) - plan_columns) THEN
        RAISE EXCEPTION USING ERRCODE = 'LC403',
            MESSAGE = format('parcel %s: only the plan fields (zzlx, ghdlbm, ghkcxs, yncz) can be changed in the '
                             'planning layer; the survey is the data of record', OLD.fid);
    END IF;
    INSERT INTO {s}.plan_parcel AS p (survey_fid, zzlx, ghdlbm, ghkcxs, yncz)
    VALUES (OLD.fid, NEW.zzlx, NEW.ghdlbm, NEW.ghkcxs, NEW.yncz)
    ON CONFLICT (survey_fid) DO UPDATE SET zzlx = EXCLUDED.zzlx, ghdlbm = EXCLUDED.ghdlbm,
        ghkcxs = EXCLUDED.ghkcxs, yncz = EXCLUDED.yncz, version = NEW.version;
    RETURN NEW;
END $$;
"""))

#: the units' status history (docs/lifecycle.md): ``plan_unit.zt`` holds the status (储备 …), and every
#: change of it — by the plugin, QGIS's attribute table or plain SQL — writes a row in the same
#: transaction (trigger). The session declares who (``lc.user``) and why (``lc.reason``) as bound
#: values; without them the row names the database role and no reason. (Number 5: migration 4 is
#: another branch's; the coordinator renumbers at merge if needed.)
MIGRATIONS.append((5, "unit status and its history", """
ALTER TABLE {s}.plan_unit ADD COLUMN IF NOT EXISTS zt text;
CREATE TABLE {s}.unit_status_history (
    id bigserial PRIMARY KEY, unit_code text NOT NULL, from_status text NOT NULL, to_status text,
    changed_at timestamptz NOT NULL DEFAULT clock_timestamp(), changed_by text,
    db_role text NOT NULL DEFAULT session_user, reason text);
CREATE INDEX ON {s}.unit_status_history (unit_code);
CREATE FUNCTION {s}.lc_status_history() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO {s}.unit_status_history (unit_code, from_status, to_status, changed_by, reason)
    VALUES (NEW.dybh,
            CASE WHEN OLD.zt IS NULL OR btrim(OLD.zt) IN ('', 'NULL') THEN '储备' ELSE OLD.zt END,
            NEW.zt, nullif(current_setting('lc.user', true), ''),
            nullif(current_setting('lc.reason', true), ''));
    RETURN NULL;
END $$;
CREATE TRIGGER lc_status_history AFTER UPDATE OF zt ON {s}.plan_unit
    FOR EACH ROW WHEN (OLD.zt IS DISTINCT FROM NEW.zt) EXECUTE FUNCTION {s}.lc_status_history();
"""))


MIGRATIONS.append(SHARES_MIGRATION)  # 6 (4 and 5: other work of issue 12)
MIGRATIONS.append(BSM_INDEX_MIGRATION)  # 7

#: deleting a plan row carries no version: the plugin notes the versions the planner read of the rows
#: it is about to delete (``lc_read_for_delete``, just before QGIS commits), and the delete trigger
#: refuses a row changed since (LC409, as an out-of-date update). A delete without a note (a client
#: without the plugin) is not checked, as an update without ``version``. Both functions run as the
#: schema's owner: a planner needs no right on ``lc_delete_read``. (Number 8: 7 is another branch's.)
MIGRATIONS.append((8, "version check of deleted units", """
CREATE TABLE {s}.lc_delete_read (
    table_name text NOT NULL, row_id bigint NOT NULL, db_role text NOT NULL DEFAULT session_user,
    version integer NOT NULL, read_at timestamptz NOT NULL DEFAULT clock_timestamp(),
    PRIMARY KEY (table_name, row_id, db_role));
CREATE FUNCTION {s}.lc_read_for_delete(tbl text, ids bigint[], versions integer[]) RETURNS integer
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    n integer;
BEGIN
    DELETE FROM {s}.lc_delete_read WHERE db_role = session_user
        AND ((table_name = tbl AND row_id = ANY(ids)) OR read_at < clock_timestamp() - interval '1 hour');
    INSERT INTO {s}.lc_delete_read (table_name, row_id, version)
    SELECT tbl, i, v FROM unnest(ids, versions) AS t(i, v) WHERE i IS NOT NULL AND v IS NOT NULL
    ON CONFLICT (table_name, row_id, db_role) DO UPDATE SET version = EXCLUDED.version, read_at = EXCLUDED.read_at;
    GET DIAGNOSTICS n = ROW_COUNT;
    RETURN n;
END $$;
CREATE FUNCTION {s}.lc_check_delete() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    read_version integer;
    key_value text := to_jsonb(OLD) ->> (CASE TG_TABLE_NAME WHEN 'plan_unit' THEN 'dybh' ELSE 'id' END);
BEGIN
    DELETE FROM {s}.lc_delete_read WHERE table_name = TG_TABLE_NAME AND row_id = OLD.id AND db_role = session_user
        AND read_at >= clock_timestamp() - interval '1 hour'
        RETURNING version INTO read_version;
    IF read_version IS NOT NULL AND read_version <> OLD.version THEN
""" + refuse_conflict("deletion", "read_version", 8, "DELETE") + """\
    END IF;
    RETURN OLD;
END $$;
CREATE TRIGGER lc_check_delete BEFORE DELETE ON {s}.plan_unit FOR EACH ROW EXECUTE FUNCTION {s}.lc_check_delete();
CREATE TRIGGER lc_check_delete BEFORE DELETE ON {s}.plan_split FOR EACH ROW EXECUTE FUNCTION {s}.lc_check_delete();
"""))

#: the functions that run with the schema owner's rights (``SECURITY DEFINER``), by signature
DEFINER_FUNCTIONS = ("lc_read_for_delete(text, bigint[], integer[])", "lc_check_delete()",
                     "lc_check_seen(text, bigint[], integer[])",  # migration 10
                     "lc_sum_dirty()",  # migration 12: the trigger noting plan edits for the kept sums
                     "lc_share_reset()",  # migration 14: TRUNCATE plan_unit / pbf forgets the kept shares
                     "lc_split_dirty()",  # migration 15: a piece's edit noted for the kept results
                     "lc_check_view_delete(bigint)",  # migration 17: deleting a piece through the view,
                     "lc_check_view_update(bigint, integer)")  # and an update of a view row carrying another version
#: the documented role of the planners (docs/postgis.md, "Least privilege"), granted what they call
PLANNER_ROLE = "lc_planner"

#: PostgreSQL lets PUBLIC execute a new function: any role that can reach the schema could write notes
#: into ``lc_delete_read`` as its owner. Only the planners may note the versions of the rows they delete:
#: ``lc_planner`` when it exists, and every role that may delete units or pieces now (an upgraded
#: schema's planners keep the check); a role created later is granted it with its other rights
#: (docs/postgis.md). ``lc_check_delete`` is a trigger: it fires whatever the deleting role may execute.
#: The search path is fixed again (already so since 8: a definer function must not resolve names
#: through the caller's path). (Number 9: 8 is the last on main.)
MIGRATIONS.append((9, "security definer functions: not executable by PUBLIC, a fixed search path", f"""
ALTER FUNCTION {{s}}.{DEFINER_FUNCTIONS[0]} SET search_path = pg_catalog, pg_temp;
ALTER FUNCTION {{s}}.{DEFINER_FUNCTIONS[1]} SET search_path = pg_catalog, pg_temp;
REVOKE EXECUTE ON FUNCTION {{s}}.{DEFINER_FUNCTIONS[0]} FROM PUBLIC;
REVOKE EXECUTE ON FUNCTION {{s}}.{DEFINER_FUNCTIONS[1]} FROM PUBLIC;
DO $$
DECLARE
    r record;
BEGIN
    FOR r IN SELECT rolname FROM pg_catalog.pg_roles
             WHERE NOT rolsuper AND rolname NOT LIKE 'pg\\_%' AND (rolname = '{PLANNER_ROLE}'
                 OR has_table_privilege(oid, format('%I.plan_unit', {{name}}), 'DELETE')
                 OR has_table_privilege(oid, format('%I.plan_split', {{name}}), 'DELETE'))
    LOOP
        EXECUTE format('GRANT EXECUTE ON FUNCTION %I.{DEFINER_FUNCTIONS[0]} TO %I', {{name}}, r.rolname);
    END LOOP;
END $$;
"""))

MIGRATIONS.append(TX_CHECK_MIGRATION)  # 10
MIGRATIONS.append(TX_STAMP_MIGRATION)  # 11: history.tx set by a trigger (tx_check.py)
MIGRATIONS.append(SUMS_MIGRATION)  # 12: kept sums beside the maintained shares (sum_cache)
MIGRATIONS.append(SURVEY_MIGRATION)  # 13: kept survey results (survey_cache)
MIGRATIONS.append(SHARE_RESET_MIGRATION)  # 14: TRUNCATE plan_unit / pbf forgets the kept shares
MIGRATIONS.append(SPLIT_MIGRATION)  # 15: splitting survey parcels through the view (split_sql)
MIGRATIONS.append(SPLIT_VIEW_MIGRATION)  # 16: the view a UNION ALL of plain tables, indexes usable (split_sql)
# 17: pieces under the version check — deleted through the view, and under automatic transaction groups
# (split_check_sql)
MIGRATIONS.append(SPLIT_CHECK_MIGRATION)
MIGRATIONS.append(HISTORY_INDEX_MIGRATION)  # 18: history looked up by the view's row through an index (history_sql)

#: 19: a piece's change names its survey parcel in the commit's notification: ``[schema, 'plan_split', id,
#: survey_fid]`` (a fourth element: a session reading the first three is unchanged). A session then re-reads
#: the view's rows of that parcel, not the whole view (``live_postgres.DatabaseFollower``; docs/postgis.md)
_ENTRY = "jsonb_build_array(TG_TABLE_SCHEMA, TG_TABLE_NAME, row_id)"
assert HISTORY_4.count(_ENTRY) == 1
PIECE_NOTE_VERSION = 19
MIGRATIONS.append((PIECE_NOTE_VERSION, "a piece's change names its survey parcel in the notification at commit",
                   "\n" + HISTORY_4.replace(_ENTRY, (
                       "CASE TG_TABLE_NAME WHEN 'plan_split' THEN jsonb_build_array(TG_TABLE_SCHEMA, TG_TABLE_NAME, "
                       "row_id, coalesce(new_json, old_json) -> 'survey_fid') ELSE " + _ENTRY + " END"))
                   + "ALTER FUNCTION {s}.lc_history() SET search_path FROM CURRENT;\n"))


def quoted(schema: str):
    """``psycopg2.sql.Identifier`` of a schema (any name: quotes, spaces, Chinese)."""
    return driver().sql.Identifier(schema)


def current_version(cur, schema: str) -> int:
    """The schema's migration version: the highest known version with every known one below it
    applied (0: no planning schema there yet). A schema with 1, 2, 3 and 5 but not 4 is at 3: it
    lacks what 4 brings, and ``db load`` asks for ``db init`` first."""
    sql = driver().sql
    cur.execute("SELECT to_regclass(%s)", (sql.Identifier(schema, VERSION_TABLE).as_string(cur),))
    if cur.fetchone()[0] is None:
        return 0
    cur.execute(sql.SQL("SELECT version FROM {}").format(sql.Identifier(schema, VERSION_TABLE)))
    have = {row[0] for row in cur.fetchall()}
    version = 0
    for known in sorted(v for v, _d, _s in MIGRATIONS):
        if known not in have:
            break
        version = known
    return version


def migrate(conn, schema: str = "land_consolidation") -> list[int]:
    """Bring ``schema`` to the newest version; returns the versions applied (empty: already current).

    One transaction; an advisory lock keeps two planners' ``db init`` from racing.
    """
    psycopg2 = driver()
    sql = psycopg2.sql
    applied = []
    try:
        with conn, conn.cursor() as cur:
            cur.execute("SELECT pg_advisory_xact_lock(hashtext('lc-migrate:' || %s))", (schema,))
            cur.execute("SELECT count(*) FROM pg_extension WHERE extname = 'postgis'")
            if not cur.fetchone()[0]:
                raise DatabaseError(tr("PostGIS is not enabled in this database: ask its administrator "
                                       "to run CREATE EXTENSION postgis"))
            cur.execute(sql.SQL("CREATE SCHEMA IF NOT EXISTS {}").format(quoted(schema)))
            cur.execute(sql.SQL("CREATE TABLE IF NOT EXISTS {} (version integer PRIMARY KEY, description text, "
                                "applied_at timestamptz NOT NULL DEFAULT now(), applied_by text NOT NULL "
                                "DEFAULT session_user)").format(sql.Identifier(schema, VERSION_TABLE)))
            # by the versions recorded, not the highest: a migration numbered below one already applied
            # (branches developed side by side) is still applied
            cur.execute(sql.SQL("SELECT version FROM {}").format(sql.Identifier(schema, VERSION_TABLE)))
            have = {row[0] for row in cur.fetchall()}
            # the functions resolve "history" through the search path of the schema they live in
            cur.execute(sql.SQL("SET LOCAL search_path TO {}, public").format(quoted(schema)))
            for version, description, body in MIGRATIONS:
                if version in have:
                    continue
                cur.execute(sql.SQL(body.replace("{s}", "{schema}")).format(schema=quoted(schema),
                                                                            name=sql.Literal(schema)))
                cur.execute(sql.SQL("INSERT INTO {} (version, description) VALUES (%s, %s)").format(
                    sql.Identifier(schema, VERSION_TABLE)), (version, description))
                applied.append(version)
            if {4, 15, 16} & set(applied) and table_exists(cur, schema, "survey"):
                create_parcels_view(cur, schema)  # the view of a loaded schema gets version, pieces, its trigger
            if {1, 3, 4} & set(applied):
                for fn in ("lc_history",):
                    cur.execute(sql.SQL("ALTER FUNCTION {}() SET search_path FROM CURRENT").format(
                        sql.Identifier(schema, fn)))
    except psycopg2.Error as exc:
        raise DatabaseError(tr("Could not create the planning schema {0}: {1}").format(
            schema, str(exc).strip())) from None
    return applied


def table_exists(cur, schema: str, table: str) -> bool:
    cur.execute("SELECT to_regclass(%s)", (driver().sql.Identifier(schema, table).as_string(cur),))
    return cur.fetchone()[0] is not None


def create_parcels_view(cur, schema: str) -> None:
    """``parcels``: the survey's columns (its own plan columns left out), the plan's and ``version``.

    QGIS's ``postgres`` provider edits it like a table (key ``fid``): the INSTEAD OF trigger
    ``lc_parcels_edit`` writes the plan columns to ``plan_parcel`` and refuses anything else; the
    ``version`` a planner's edit carries is checked there (docs/postgis.md).
    """
    sql = driver().sql
    cur.execute("SELECT a.attname, format_type(a.atttypid, a.atttypmod) FROM pg_attribute a "
                "WHERE a.attrelid = %s::regclass AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum",
                (sql.Identifier(schema, "survey").as_string(cur),))
    types = dict(cur.fetchall())
    keep = [c for c in types if c.lower() not in VIEW_PLAN_COLUMNS]
    view = sql.Identifier(schema, "parcels")
    cur.execute(sql.SQL("DROP VIEW IF EXISTS {}").format(view))
    if has_pieces(cur, schema):  # migration 15: the pieces of split parcels in their parcels' place (split_sql)
        cur.execute(sql.SQL("CREATE VIEW {} AS ").format(view) + view_sql(schema, keep, types))
    else:
        cur.execute(sql.SQL(
            "CREATE VIEW {view} AS SELECT {cols}, p.zzlx, p.ghdlbm, p.ghkcxs, p.yncz, "
            "coalesce(p.version, 0) AS version FROM {survey} s LEFT JOIN {plan} p ON p.survey_fid = s.fid").format(
            view=view, cols=sql.SQL(", ").join(sql.SQL("s.{}").format(sql.Identifier(c)) for c in keep),
            survey=sql.Identifier(schema, "survey"), plan=sql.Identifier(schema, "plan_parcel")))
    cur.execute("SELECT to_regprocedure(%s)", (sql.Identifier(schema, "lc_parcels_edit").as_string(cur) + "()",))
    if cur.fetchone()[0] is not None:  # migration 4
        cur.execute(sql.SQL("CREATE TRIGGER lc_edit INSTEAD OF INSERT OR UPDATE OR DELETE ON {} FOR EACH ROW "
                            "EXECUTE FUNCTION {}()").format(view, sql.Identifier(schema, "lc_parcels_edit")))


def latest_version() -> int:
    return max(v for v, _d, _s in MIGRATIONS)


def set_planner(cur, qgis_user: str | None) -> None:
    """Declare the QGIS user for the history of this session (a bound value, never spliced)."""
    cur.execute("SELECT set_config('lc.user', %s, false)", (qgis_user or "",))
