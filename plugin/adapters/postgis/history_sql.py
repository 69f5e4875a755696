"""``history`` looked up by the ``parcels`` view's row through an index (migration 18; docs/postgis.md
"Split parcels", bench/README.md "The version check over a long history").

Deciding whether the changes of a view row since the version a planner saw are another planner's
(``lc_view_others``, migration 17: a stale re-tag or delete of a parcel or a piece, also under automatic
transaction groups through ``lc_check_seen``) read the row's history by its key in the JSON —
``plan_split``'s ``fid``, ``plan_parcel``'s ``survey_fid`` — with no index on it: two sequential scans
of the whole ``history`` on every such check. A bureau's history only grows (every plan edit, and
``db load`` itself: one row per plan row it deletes and inserts), so a refusal took longer every month.

Migration 18 indexes that key (``VIEW_ROW``, an expression of the row's own columns: nothing to fill or
forge, the existing rows indexed by ``CREATE INDEX``) with the history's ``id``, only for the rows of
those two tables, and re-creates ``lc_view_others`` to look a row up by it: a few index entries per
check whatever the history's length. The walk of a row's changes starts at the last change from the version seen
(``_START_18``), a first tag counting as the change from 0: a reloaded survey's fids are the former one's.
``history`` keeps its columns (the report reads it as before).
"""
from __future__ import annotations

from .split_check_sql import _OTHERS

VERSION = 18

#: the view row (its fid, as text) a history row of ``plan_split`` or ``plan_parcel`` is of; ``{x}``: the alias
VIEW_ROW = ("(CASE {x}table_name WHEN 'plan_split' THEN coalesce({x}new_row, {x}old_row) ->> 'fid' "
            "WHEN 'plan_parcel' THEN coalesce({x}new_row, {x}old_row) ->> 'survey_fid' END)")
#: the index's rows (a query must say it to use the index)
VIEW_TABLES = "table_name IN ('plan_split', 'plan_parcel')"


def _by_row(alias: str) -> str:
    return f"{alias}.{VIEW_TABLES} AND {VIEW_ROW.format(x=alias + '.')} = f::text"


_SCAN_X = """WHERE ((x.table_name = 'plan_split' AND coalesce(x.new_row, x.old_row) ->> 'fid' = f::text)
                    OR (x.table_name = 'plan_parcel' AND coalesce(x.new_row, x.old_row) ->> 'survey_fid' = f::text))"""
_SCAN_G = """WHERE ((g.table_name = 'plan_split' AND coalesce(g.new_row, g.old_row) ->> 'fid' = f::text)
                                   OR (g.table_name = 'plan_parcel'
                                       AND coalesce(g.new_row, g.old_row) ->> 'survey_fid' = f::text))"""
#: where the walk starts: 17 took the first change from "seen" (min), of an UPDATE only; 18 the last one, an INSERT
#: being the change from 0 (a row the view showed untagged): after a reload (``db load`` again starts the rows at
#: version 0 and 1), the first was the former survey's, whose other planners were named for the planner's own change
_START_17 = "SELECT min(g.id) FROM {s}.history g"
_START_18 = "SELECT max(g.id) FROM {s}.history g"
_SEEN_17 = "AND (g.old_row ->> 'version')::integer = seen)"
_SEEN_18 = "AND coalesce((g.old_row ->> 'version')::integer, 0) = seen)"
_OTHERS_17 = _OTHERS.split("-- the refusal")[0]  # migration 17's lc_view_others (its REVOKE included)
assert all(_OTHERS_17.count(p) == 1 for p in (_SCAN_X, _SCAN_G, _START_17, _SEEN_17))
_OTHERS_18 = (_OTHERS_17.replace(_SCAN_X, "WHERE " + _by_row("x"))
              .replace(_SCAN_G, "WHERE " + _by_row("g"))
              .replace("A scan of history (no index on its rows' keys)",
                       "The row's history by index (migration 18)")
              .replace(_START_17, _START_18).replace(_SEEN_17, _SEEN_18))

MIGRATION = (VERSION, "history indexed by the parcels view's row: the version check of a parcel or a piece "
             "reads a few index entries, not the whole history", f"""
CREATE INDEX IF NOT EXISTS history_view_row_idx ON {{s}}.history ({VIEW_ROW.format(x='')}, id)
    WHERE {VIEW_TABLES};
ANALYZE {{s}}.history;  -- the key's statistics: a lookup is planned on the index at once
""" + _OTHERS_18)
