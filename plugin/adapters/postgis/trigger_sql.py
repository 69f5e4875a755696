"""Trigger DDL that several migrations write (docs/postgis.md): the stamp of plan rows and the
set-up of a ``SECURITY DEFINER`` row trigger. Each function returns the exact text its migrations
always had, so a released migration's SQL does not change (``{s}`` is the quoted schema)."""
from __future__ import annotations

import textwrap


def refuse_conflict(refused: str, read: str, indent: int, action: str = "") -> str:
    """The ``LC409`` refusal of an edit of row ``OLD`` (named ``key_value``) read at version ``read``:
    the message says who changed it and when, the detail (``lc-conflict`` JSON) what the plugin shows."""
    extra = f", 'action', '{action}'" if action else ""
    return textwrap.indent(f"""\
RAISE EXCEPTION USING ERRCODE = 'LC409',
    MESSAGE = format('%s %s was changed by %s at %s after you read it: your {refused} was refused',
                     TG_TABLE_NAME, key_value, coalesce(OLD.changed_by, OLD.changed_role, '?'),
                     to_char(OLD.changed_at, 'YYYY-MM-DD HH24:MI:SS TZ')),
    DETAIL = 'lc-conflict ' || json_build_object(
        'table', TG_TABLE_NAME, 'key', key_value, 'by', OLD.changed_by, 'role', OLD.changed_role,
        'at', OLD.changed_at, 'version', OLD.version, 'read', {read}{extra})::text;
""", " " * indent)


def stamp(keys: tuple[tuple[str, str], ...] | None = None) -> str:
    """``lc_stamp``: who and when on every insert and update, ``version`` raised. With ``keys`` ((table,
    key column) …; any other table: ``id``) a row updated with another ``version`` than it has is refused
    (``LC409``, the row named by its key: migrations 4 and 15); without, migration 1's first version."""
    if keys is None:
        head, check = "CREATE FUNCTION {s}.lc_stamp() RETURNS trigger LANGUAGE plpgsql AS $$\n", ""
    else:
        head = "CREATE OR REPLACE FUNCTION {s}.lc_stamp() RETURNS trigger LANGUAGE plpgsql AS $$\nDECLARE\n" \
               "    key_value text;\n"
        cases = ("\n" + " " * 63).join(f"WHEN '{table}' THEN '{key}'" for table, key in keys)
        check = f"""\
        IF NEW.version IS DISTINCT FROM OLD.version THEN
            key_value := to_jsonb(OLD) ->> (CASE TG_TABLE_NAME {cases} ELSE 'id' END);
""" + refuse_conflict("change", "NEW.version", 12) + """\
        END IF;
"""
    return head + """\
BEGIN
    IF TG_OP = 'UPDATE' THEN
""" + check + """\
        NEW.version := OLD.version + 1;
    END IF;
    NEW.changed_by := nullif(current_setting('lc.user', true), '');
    NEW.changed_role := session_user;
    NEW.changed_at := clock_timestamp();
    RETURN NEW;
END $$;
"""


def definer_row_trigger(function: str, table: str) -> str:
    """The trigger ``function`` (a ``SECURITY DEFINER`` function of the same name, just created) on every
    row inserted, updated or deleted in ``table``; nobody may call the function itself (migration 9)."""
    return f"""REVOKE EXECUTE ON FUNCTION {{s}}.{function}() FROM PUBLIC;  -- a trigger: nobody calls it (migration 9)
DROP TRIGGER IF EXISTS {function} ON {{s}}.{table};
CREATE TRIGGER {function} AFTER INSERT OR UPDATE OR DELETE ON {{s}}.{table}
    FOR EACH ROW EXECUTE FUNCTION {{s}}.{function}();
"""
