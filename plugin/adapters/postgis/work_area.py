"""Where ``balance --in-database`` keeps its work tables for the one transaction it runs in.

PostgreSQL's parallel workers cannot read temporary tables (they live in the leader's own
memory), so a balance over temporary tables runs on one core. Where the role may create a schema
in the database (``CREATE`` on the database), the work tables are **unlogged tables in a schema
of their own** (``lc_work_<backend pid>``), created inside the transaction: parallel workers read
them, no other session ever sees them (nothing is committed: the transaction is rolled back, the
schema and its tables vanish with it, also when the client dies), two planners' balances do not
collide. Without that right the work tables are temporary tables and the balance runs on one
core: the same numbers, slower (docs/postgis.md, "Least privilege").
"""
from __future__ import annotations

from .connection import driver


class WorkArea:
    """The work tables of one balance: ``create`` starts a ``CREATE … TABLE`` statement."""

    def __init__(self, cur):
        sql = driver().sql
        cur.execute("SELECT has_database_privilege(current_database(), 'CREATE'), pg_backend_pid(), "
                    "current_setting('max_parallel_workers_per_gather')::int")
        may_create, pid, self.workers = cur.fetchone()
        self.parallel = bool(may_create)
        self.schema = f"lc_work_{pid}" if self.parallel else None
        if self.parallel:
            cur.execute(sql.SQL("CREATE SCHEMA {}").format(sql.Identifier(self.schema)))
            # the work tables' bare names (lc_u, lc_pairs, …) resolve to this schema first
            cur.execute("SELECT set_config('search_path', quote_ident(%s) || ', ' || current_setting('search_path'), "
                        "true)", (self.schema,))
        self.create = sql.SQL("CREATE UNLOGGED TABLE" if self.parallel else "CREATE TEMP TABLE")
        #: a view over tables that need no copy (the kept shares): nothing written, read in parallel
        self.view = sql.SQL("CREATE VIEW" if self.parallel else "CREATE TEMP VIEW")

    def ready(self, cur, table: str, outer: bool = False) -> None:
        """Statistics for a work table that later queries join; ``outer``: a small table whose rows
        (units, PBF polygons) parallel workers share out among themselves, whatever its size."""
        sql = driver().sql
        cur.execute("SELECT relkind FROM pg_class WHERE oid = to_regclass(%s)", (table,))
        row = cur.fetchone()
        if row is not None and row[0] == "v":
            return  # a view: the tables under it have their statistics
        if outer and self.parallel and self.workers > 0:
            cur.execute(sql.SQL("ALTER TABLE {} SET (parallel_workers = {})").format(
                sql.Identifier(table), sql.Literal(int(self.workers))))
        cur.execute(sql.SQL("ANALYZE {}").format(sql.Identifier(table)))

    def drop(self, cur) -> None:
        """Remove the work tables before a commit (the maintained shares are committed: share_cache)."""
        sql = driver().sql
        if self.schema:
            cur.execute(sql.SQL("DROP SCHEMA {} CASCADE").format(sql.Identifier(self.schema)))
        else:
            # CASCADE: the views over the kept shares and sums (share_cache, sum_cache) use the tables
            cur.execute("SELECT 'DROP TABLE ' || string_agg(c.oid::regclass::text, ', ') || ' CASCADE' FROM pg_class c "
                        "WHERE c.relnamespace = pg_my_temp_schema() AND c.relkind = 'r' AND c.relname LIKE 'lc\\_%'")
            statement = cur.fetchone()[0]
            if statement:
                cur.execute(statement)
