"""``balance --in-database``: the balance computed by PostGIS, only sums leave the server.

The parcels, units and PBF stay in the database; the SQL (``balance_sql``) follows the engine's
area rules and returns, per unit and per group of parcels with the same classes before and
after, the summed areas (a few hundred rows for a county). ``core.aggregated`` turns them into
the engine's balance and indicator rows. docs/postgis.md: what is and is not the same as the
in-process engine.
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from ...core.aggregated import AggregatedBalance, ServerCounts, group_terms
from ...core.engine import SCALE
from ...core.fields import (
    normalize_parcel,
    resolve_parcel_fields,
    resolve_unit_fields,
    text_value,
)
from ...core.i18n import tr
from ...core.landclasses import UNKNOWN
from ...core.ridges import new_farmland_coefficient
from ...core.rules import RulePack
from ...core.validation import Problem, check_tbmj_unit
from . import balance_sql as q
from . import codes_sql, pieces_sql, share_cache, sum_cache, survey_cache
from .connection import DatabaseError, connect, driver, redact, split_source
from .crs_sql import refuse_bad_crs
from .township_sql import township_variables
from .value_sql import value_issues
from .work_area import WorkArea

_NUMBER = r"^\s*[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?\s*$"


@dataclass
class Table:
    """A table (or view) in the database, as the SQL needs it."""

    name: object  # psycopg2.sql.Identifier, quoted
    columns: dict  # column name -> SQL type
    pk: object
    geom: object
    srid: int
    label: str


def _table(cur, schema: str | None, table: str, what: str, empty: str | None = None) -> Table:
    """The table as the SQL needs it; ``empty``: the refusal when no row has a geometry (its SRID unknown)."""
    sql = driver().sql
    qualified = sql.Identifier(schema, table) if schema else sql.Identifier(table)
    cur.execute("SELECT to_regclass(%s)", (qualified.as_string(cur),))
    oid = cur.fetchone()[0]
    if oid is None:
        raise DatabaseError(tr("No table {0} in the database for the {1} layer").format(
            f"{schema}.{table}" if schema else table, what))
    cur.execute("SELECT a.attname, format_type(a.atttypid, a.atttypmod) FROM pg_attribute a "
                "WHERE a.attrelid = %s::regclass AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum",
                (qualified.as_string(cur),))
    columns = dict(cur.fetchall())
    geoms = [c for c, t in columns.items() if t.startswith("geometry")]
    if not geoms:
        raise DatabaseError(tr("The {0} table {1} has no geometry column").format(what, table))
    cur.execute("SELECT a.attname FROM pg_index i JOIN pg_attribute a ON a.attrelid = i.indrelid "
                "AND a.attnum = ANY(i.indkey) WHERE i.indrelid = %s::regclass AND i.indisprimary",
                (qualified.as_string(cur),))
    pk = [r[0] for r in cur.fetchall()]
    key = pk[0] if len(pk) == 1 else next((c for c in ("fid", "id", "ogc_fid", "gid") if c in columns), None)
    if key is None:
        raise DatabaseError(tr("The {0} table {1} has no primary key (fid/id)").format(what, table))
    cur.execute(sql.SQL("SELECT ST_SRID({}) FROM {} WHERE {} IS NOT NULL LIMIT 1").format(
        sql.Identifier(geoms[0]), qualified, sql.Identifier(geoms[0])))
    row = cur.fetchone()
    if row is None and empty:
        raise DatabaseError(empty)
    return Table(qualified, columns, sql.Identifier(key), sql.Identifier(geoms[0]), int(row[0]) if row else 0,
                 table)


def _number(table: Table, column: str | None, scale: float = 1.0):
    """A finite float8 of ``column`` (NULL for NaN/±Infinity/text that is no number) × ``scale``."""
    sql = driver().sql
    if not column:
        return sql.SQL("NULL::float8")
    ident = sql.SQL("p.{}").format(sql.Identifier(column))
    kind = table.columns.get(column, "")
    if any(w in kind for w in ("char", "text")):
        value = sql.SQL("CASE WHEN {c} ~ {rx} THEN {c}::float8 END").format(c=ident, rx=sql.Literal(_NUMBER))
    else:
        value = sql.SQL("{}::float8").format(ident)
    value = sql.SQL("nullif(nullif(nullif({}, 'NaN'), 'Infinity'), '-Infinity')").format(value)
    return sql.SQL("({} * {})").format(value, sql.Literal(scale)) if scale != 1.0 else value


def _text_of(column: str | None):
    sql = driver().sql
    return sql.SQL("p.{}::text").format(sql.Identifier(column)) if column else sql.SQL("NULL::text")


def _working_srid(cur, t: Table) -> int:
    """core: a projected layer stays; a geographic one goes to the nearest CGCS2000 3° GK zone."""
    cur.execute("SELECT proj4text FROM spatial_ref_sys WHERE srid = %s", (t.srid,))
    row = cur.fetchone()
    if row is None:
        raise DatabaseError(tr("The {0} table has an unknown SRID {1}").format(t.label, t.srid))
    if "+proj=longlat" not in (row[0] or ""):
        return t.srid
    sql = driver().sql
    cur.execute(sql.SQL("SELECT ST_X(ST_Centroid(ST_Transform(ST_SetSRID(ST_Extent({g})::geometry, %s), 4490))) "
                        "FROM {t}").format(g=t.geom, t=t.name), (t.srid,))
    lon = cur.fetchone()[0]
    zone = max(0, min(20, int(round(((lon if lon is not None else 117.0) - 75.0) / 3.0))))
    return 4534 + zone


CODE_FIELDS = ("DLBM", "KCDLBM", "GHDLBM", "ZZLX", "YNCZ")


def _distinct(cur, t: Table, fields: dict, source=None) -> tuple[dict, list]:
    """One scan of the table (grouping sets; ``source``: another relation with these columns): per
    code field its raw texts with their counts, and the (GDPDJB, GDLX) pairs as stored."""
    sql = driver().sql
    names = [n for n in CODE_FIELDS if fields.get(n)]
    cols = [sql.SQL("p.{}::text").format(sql.Identifier(fields[n])) for n in names]
    ridge = [sql.SQL("p.{}::text").format(sql.Identifier(fields[n])) if fields.get(n) else sql.SQL("NULL::text")
             for n in ("GDPDJB", "GDLX")]
    aliases = [f"c{k}" for k in range(len(names))]
    sets = [f"({a})" for a in aliases] + ["(rg, rk)"]
    cur.execute(sql.SQL("SELECT {flags}, {cols}, rg, rk, count(*) FROM (SELECT {exprs}, {g} AS rg, {k} AS rk "
                        "FROM {t} p) AS x GROUP BY GROUPING SETS ({sets})").format(
        flags=sql.SQL(", ").join(sql.SQL(f"GROUPING({a})") for a in [*aliases, "rg"]),
        cols=sql.SQL(", ").join(sql.SQL(a) for a in aliases) if aliases else sql.SQL("NULL"),
        exprs=sql.SQL(", ").join(sql.SQL("{} AS {}").format(e, sql.SQL(a)) for e, a in zip(cols, aliases))
        if aliases else sql.SQL("NULL AS c_"),
        g=ridge[0], k=ridge[1], t=source or t.name, sets=sql.SQL(", ".join(sets))))
    per_field: dict = {n: {} for n in names}
    pairs = []
    width = len(aliases) + 1
    for row in cur.fetchall():
        flags, values = row[:width], row[width:]
        if flags[-1] == 0:  # the (GDPDJB, GDLX) set
            pairs.append((values[-3], values[-2]))
            continue
        k = flags.index(0)
        per_field[names[k]][values[k]] = values[-1]
    return per_field, pairs


def _ridges(cur, w: WorkArea, pairs: list, pack: RulePack) -> None:
    """lc_ridge: (GDPDJB, GDLX as stored) -> the 田坎 coefficient of new farmland (core.ridges)."""
    sql = driver().sql
    rows = []
    for grade, kind in pairs:
        rec = normalize_parcel({"GDPDJB": grade, "GDLX": kind})
        rows.append((grade or "", kind or "", new_farmland_coefficient(pack.ridges, rec)))
    cur.execute(sql.SQL("{} lc_ridge (grade text, kind text, coef float8)").format(w.create))
    driver().extras.execute_values(cur, "INSERT INTO lc_ridge VALUES %s", rows)


def _counts(cur, t: Table, per_field: dict, table, tb, kept: tuple | None = None, legacy=None) -> ServerCounts:
    """The counts of features, located ones, those measured (``kept``: survey_cache's), unknown codes (a 二调
    DLBM as the 三调 code it is read as: ``legacy``, codes_sql.survey_codes)."""
    sql = driver().sql
    c = ServerCounts()
    if kept is not None:
        c.parcels, c.located, c.measured = kept
    else:
        cur.execute(sql.SQL("SELECT count(*), count(*) FILTER (WHERE {g} IS NOT NULL AND NOT ST_IsEmpty({g})), "
                        "count(*) FILTER (WHERE {g} IS NOT NULL AND NOT coalesce({tb} > 0 AND {tb} <= 1e12, false)), "
                        "0 FROM {t} p").format(
            g=sql.SQL("p.{}").format(t.geom), tb=tb, t=t.name))
        c.parcels, c.located, c.measured, c.repaired = cur.fetchone()
    for name in ("DLBM", "GHDLBM"):
        if name not in per_field:
            if name == "DLBM":
                c.unknown_class = c.parcels
                c.unknown_codes[None] += c.parcels
            continue
        for raw, n in per_field[name].items():
            txt = (legacy or {}).get(name, {}).get(raw) or text_value(raw)
            if (txt is not None or name == "DLBM") and table.resolve(txt) == UNKNOWN:
                c.unknown_codes[txt] += n
                if name == "DLBM":
                    c.unknown_class += n
    return c


def _measured(t: Table, work: int):
    """The ellipsoidal (CGCS2000) area of the repaired geometry, for a parcel without usable TBMJ."""
    sql = driver().sql
    return sql.SQL("ST_Area(geography(ST_Transform({}, 4490)))").format(q.parcel_geometry(t.geom, t.srid, work))


def _tbmj_problem(cur, t: Table, tb, work: int, kept) -> Problem | None:
    """validation.check_tbmj_unit on a sample of numbers (TBMJ, planar area): no geometry leaves."""
    rows = _tbmj_sample(cur, t, tb, work) if kept is None else kept.sample(cur, lambda: _tbmj_sample(cur, t, tb, work))
    return check_tbmj_unit([r[0] for r in rows], [r[1] for r in rows], False)


def _tbmj_sample(cur, t: Table, tb, work: int) -> list:
    sql = driver().sql
    cur.execute(sql.SQL("SELECT {tb}, ST_Area({g}) FROM {t} p WHERE {tb} > 0 AND {tb} <= 1e12 AND {gc} IS NOT NULL "
                        "ORDER BY p.{pk} LIMIT 20000").format(
        tb=tb, g=q.working(sql.SQL("p.{}").format(t.geom), t.srid, work), gc=sql.SQL("p.{}").format(t.geom),
        t=t.name, pk=t.pk))
    return cur.fetchall()


#: the township limits' sums of the parcels in units (GROUP_SUMS ``tw_*``) -> core.townships' names
TOWN_SUMS = {"tw_before": "pbf_before", "tw_after": "pbf_after", "tw_out": "pbf_out", "tw_in": "pbf_in"}


def _sums(cur, pack: RulePack) -> tuple[dict, Counter, dict]:
    """The grouped sums -> integer µm² terms per unit id, the project's, and per township the
    township limits' sums (m²) of its parcels in units."""
    names = [d.name for d in cur.description]
    per_unit: dict = {}
    project: Counter = Counter()
    towns: dict = {}
    for row in cur.fetchall():
        group = dict(zip(names, row))
        if group["uid"] is None and group["town"] is not None:
            sums = towns.setdefault(group["town"], dict.fromkeys(TOWN_SUMS.values(), 0.0))
            for column, name in TOWN_SUMS.items():
                sums[name] += group[column] or 0.0
        terms = group_terms(pack, group)
        for var in ("pbf_before", "pbf_after", "pbf_out", "pbf_in"):
            n = round((group[var] or 0.0) * SCALE)
            if n:
                terms[("p", var)] += n
        target = project if group["uid"] is None else per_unit.setdefault(group["uid"], Counter())
        target.update(terms)
    return per_unit, project, towns


def _townships(cur, w: WorkArea, t: Table, named: dict, slots: dict, pbf, work: int, ugb: str | None,
               in_units: dict) -> tuple:
    """(township code -> variables, UGB given?) for core.townships.evaluate_variables; ``in_units``:
    the sums of the parcels in units (GROUP_SUMS)."""
    if not named.get("ZLDWDM"):
        return {}, ugb is not None

    def ensure_pbf(near: str) -> None:  # the shares were read from the kept ones (share_cache): no lc_pb yet
        cur.execute("SELECT to_regclass('lc_pb')")
        if cur.fetchone()[0] is None:
            _pbf(cur, w, pbf, work, near if isinstance(near, tuple) else (t, near))

    table = None
    if ugb is not None:
        _dsn, schema, name = split_source(ugb)
        g = _table(cur, schema, name, tr("urban growth boundary"))
        table = (g.name, g.geom, g.srid)
    # every parcel in a unit (survey_cache): none outside to look for
    kept = slots.get("kept")
    rest_empty = kept is not None and kept.all_in_units(cur, slots["parcels_n"])
    return township_variables(cur, w.create, t, {**slots, "work": work, "rest_empty": rest_empty}, table,
                              ensure_pbf, in_units), ugb is not None


def _inputs(cur, w: WorkArea, u: Table, code: str, work: int, kept) -> None:
    """lc_u (units), lc_uover (units overlapping each other; ``kept``: survey_cache's)."""
    sql = driver().sql
    cur.execute(q.units_table(w.create, u.name, u.pk, sql.Identifier(code), u.geom, u.srid, work))
    # the overlap test through an index: a box test of every pair of units reads each unit's stored
    # (toasted) geometry again and again (seconds for 2 500 units)
    cur.execute("CREATE INDEX ON lc_u USING gist (geom)")
    w.ready(cur, "lc_u", outer=True)
    if kept is None:
        cur.execute(sql.SQL(q.UNIT_OVERLAPS).format(create=w.create))
    else:
        kept.overlaps(cur, kept.setting, w.create, work, lambda: cur.execute(sql.SQL(q.UNIT_OVERLAPS).format(
            create=w.create)))


def _pbf(cur, w: WorkArea, pbf, work: int, near: tuple | None = None) -> None:
    """lc_pb: the PBF polygons, cleaned, in the working CRS; ``near`` (parcel table, work table of
    ids; or a table of parcels with a spatial index, its geometry column): only those whose box meets
    one of these parcels'."""
    sql = driver().sql
    if pbf is not None:
        pt = _table(cur, pbf[1], pbf[2], tr("permanent basic farmland"))
        where = sql.SQL("")
        if near is not None and isinstance(near[0], Table):
            # the parcels' boxes with an index of their own: a semi-join of every PBF polygon with the
            # parcels compared every pair of boxes (3.4 s at 200 000 parcels)
            t, ids = near
            box = sql.Identifier(f"lc_box_{ids}")
            cur.execute(sql.SQL("{create} {box} AS SELECT ST_Envelope(p.{g}) AS g FROM {ids} d "
                                "JOIN {parcels} p ON p.{pk} = d.id").format(
                create=w.create, box=box, ids=sql.Identifier(ids), parcels=t.name, pk=t.pk, g=t.geom))
            cur.execute(sql.SQL("CREATE INDEX ON {} USING gist (g)").format(box))
            w.ready(cur, box.string)
            near = (box, sql.Identifier("g"))
        if near is not None:  # (a table of parcels with a spatial index, its geometry column)
            where = sql.SQL(" WHERE EXISTS (SELECT 1 FROM {} p WHERE p.{} && b0.{})").format(*near, pt.geom)
        cur.execute(q.pbf_table(w.create, pt.name, pt.geom, pt.srid, work, where))
    else:
        cur.execute(sql.SQL("{} lc_pb (bid bigint, src geometry, geom geometry)").format(w.create))
    cur.execute("CREATE INDEX ON lc_pb (bid)")
    w.ready(cur, "lc_pb", outer=True)


def _shares(cur, w: WorkArea, t: Table, parcels, pbf, work: int, repaired: int) -> None:
    """The geometry steps over ``parcels`` (the table, or the part of it to bring up to date):
    unit shares (lc_pairs), PBF parts (lc_pp) and shares (lc_pairs2), the project's shares
    (lc_proj). docs/postgis.md."""
    sql = driver().sql
    # a part of the parcels (share_cache: a work table with a spatial index): only the PBF polygons
    # whose box meets one of them
    _pbf(cur, w, pbf, work, None if parcels == t.name else (parcels, t.geom))
    cur.execute(q.pairs_table(w.create, parcels, t.pk, t.geom, t.srid, work, repaired > 0))
    if repaired:
        cur.execute(q.repaired_pairs(parcels, t.pk, t.geom))
    cur.execute("CREATE INDEX ON lc_pairs (id)")
    cur.execute(sql.SQL("{} lc_pairs_area AS SELECT DISTINCT ON (id) id, area FROM lc_pairs").format(w.create))
    cur.execute("ALTER TABLE lc_pairs_area ADD PRIMARY KEY (id)")
    for table in ("lc_pairs", "lc_pairs_area", "lc_bad"):
        w.ready(cur, table)
    cur.execute(q.pbf_parts_table(w.create, parcels, t.pk, t.geom, t.srid, work))
    w.ready(cur, "lc_pc")
    cur.execute(q.pbf_parts(w.create, parcels, t.pk, t.geom, t.srid, work))
    w.ready(cur, "lc_pp")
    cur.execute(sql.SQL(q.PBF_SHARES).format(create=w.create))
    w.ready(cur, "lc_pairs2")  # joined with itself for the project shares
    cur.execute(sql.SQL(q.PBF_WHOLE).format(create=w.create))
    cur.execute(q.project_shares(w.create, parcels, t.pk, t.geom, t.srid, work))


def _slots(t: Table, named: dict, work: int, tb, scale: float) -> dict:
    """The SQL of a parcel's numbers and codes (``p`` = the parcel table) for balance_sql's slots."""
    return dict(parcels=t.name, pk=t.pk, measured=_measured(t, work), tb=tb,
                kc=_number(t, named.get("KCMJ"), scale), td=_number(t, named.get("TBDLMJ"), scale),
                kx=_number(t, named.get("KCXS")), gx=_number(t, named.get("GHKCXS")),
                dlbm=_text_of(named.get("DLBM")), kcdlbm=_text_of(named.get("KCDLBM")),
                ghdlbm=_text_of(named.get("GHDLBM")), zzlx=_text_of(named.get("ZZLX")),
                yncz=_text_of(named.get("YNCZ")), gdpdjb=_text_of(named.get("GDPDJB")),
                gdlx=_text_of(named.get("GDLX")), twp=_township_of(named.get("ZLDWDM")))


def _township_of(column: str | None):
    """core.townships: the township of a parcel, the first 9 digits of ZLDWDM (NULL for none)."""
    sql = driver().sql
    if not column:
        return sql.SQL("NULL::text")
    z = sql.SQL("substr(btrim(p.{}::text, E' \\t\\r\\n'), 1, 9)").format(sql.Identifier(column))
    return sql.SQL("CASE WHEN {z} ~ '^[0-9]{{9}}$' THEN {z} END").format(z=z)


def _group_sums(cur, w: WorkArea, cached, slots: dict, pack: RulePack) -> tuple[dict, Counter, dict]:
    """The per-parcel rules and the grouped sums (_sums), or the kept sums brought up to date (sum_cache)."""
    sql = driver().sql
    if cached is not None and cached.sums:
        sum_cache.bring_up_to_date(cur, w, cached, lambda parcels=slots["parcels"]: sql.SQL(q.group_sums(
            slots["pieces"], kept=True)).format(**_sql_slots({**slots, "parcels": parcels})),
            (slots["parcels"], slots["pk"], slots["parcels_n"]))
        return _sums(cur, pack)
    # the per-parcel rules and the sums in one query, in the parallel workers (partial sums)
    # hashed in the workers, not sorted: the groups are tens of thousands, PostgreSQL guesses millions
    # (the product of the columns' distinct values) and would sort 2 M rows on disk, or hash on the
    # leader alone; the memory it plans for is never used
    cur.execute("SET LOCAL enable_sort = off; SET LOCAL work_mem = '1GB'")
    cur.execute(sql.SQL(q.group_sums(slots["pieces"])).format(**_sql_slots(slots)))
    out = _sums(cur, pack)
    cur.execute("SET LOCAL enable_sort = on; SET LOCAL work_mem = '64MB'")
    return out


#: what balance's slots hold besides SQL
NOT_SQL = ("work", "pieces", "shadows", "kept", "parcels_n", "rest_empty")


def _sql_slots(slots: dict) -> dict:
    return {k: v for k, v in slots.items() if k not in NOT_SQL}


@dataclass
class Sources:
    parcels: str
    units: str
    pbf: str | None = None
    unit_field: str | None = None
    tbmj_in_mu: bool = False
    ugb: str | None = None


def compute(sources: Sources, pack: RulePack) -> AggregatedBalance:
    """The balance of ``sources`` (PG: tables of one database) computed in that database."""
    dsn, p_schema, p_table = split_source(sources.parcels)
    u_dsn, u_schema, u_table = split_source(sources.units)
    b = split_source(sources.pbf) if sources.pbf else None
    g = split_source(sources.ugb) if sources.ugb else None
    if u_dsn != dsn or (b is not None and b[0] != dsn) or (g is not None and g[0] != dsn):
        raise DatabaseError(tr("--in-database needs the parcels, units and PBF in one database"))
    conn = connect(dsn)
    try:
        # work tables only (work_area), rolled back: a role with SELECT (and TEMP) rights can run it
        with conn.cursor() as cur:
            return _compute(cur, sources, pack, (p_schema, p_table), (u_schema, u_table), b)
    except driver().Error as exc:
        raise DatabaseError(tr("The database refused the balance query: {0}").format(
            redact(str(exc).strip()))) from None
    finally:
        conn.rollback()
        conn.close()


def _compute(cur, sources: Sources, pack: RulePack, parcels: tuple, units: tuple, pbf) -> AggregatedBalance:
    sql = driver().sql
    table = pack.table
    t = _table(cur, *parcels, tr("parcel"), tr("The parcel layer has no parcel with a usable geometry."))
    u = _table(cur, *units, tr("units"), tr("The units layer has no remediation unit."))
    refuse_bad_crs(cur, t, u, _table(cur, pbf[1], pbf[2], tr("permanent basic farmland")) if pbf else None)
    fields = resolve_parcel_fields(t.columns, tbmj_in_mu=sources.tbmj_in_mu)
    named = {**fields.parcels, **fields.plan}
    if not named.get("DLBM"):
        raise DatabaseError(tr("The parcel table has no DLBM field"))
    if u.srid != t.srid:
        raise DatabaseError(tr("The units (SRID {0}) and parcels (SRID {1}) are in different coordinate systems")
                            .format(u.srid, t.srid))
    code = resolve_unit_fields(u.columns, sources.unit_field).get("DYBH")
    if code is None:
        raise DatabaseError(tr("The units table has no unit code field (DYBH); name it with --unit-field"))
    work = _working_srid(cur, t)
    cur.execute("SET LOCAL jit = off")  # compiling the wide expressions costs seconds and saves nothing here
    cur.execute("SET LOCAL work_mem = '64MB'")  # the grouped sums and hashes of ~10⁶ rows without spilling to disk
    w = WorkArea(cur)
    cached = share_cache.Cache.of(cur, parcels, units, pbf)
    scale = (10_000.0 / 15.0) if sources.tbmj_in_mu else 1.0
    tb = _number(t, named.get("TBMJ"), scale)
    kept = survey_cache.Kept.of(cur, cached, repr((sorted(named.items()), sorted(t.columns.items()), scale, work,
                                                   t.srid, t.name.as_string(cur), t.pk.as_string(cur))))
    if kept is None:
        per_field, pairs = _distinct(cur, t, named)
    else:
        per_field, pairs = kept.codes(cur, t, named, lambda fields, source=None: _distinct(cur, t, fields, source))
    legacy = codes_sql.fill_codes(cur, w.create, t.columns, named, per_field, table)  # 二调 DLBM read as 三调
    _ridges(cur, w, pairs, pack)
    counts = _counts(cur, t, per_field, table, tb, kept.counts if kept is not None and kept.fresh else None, legacy)
    if kept is not None and kept.fresh:
        kept.bad(cur, w.create)
    else:
        cur.execute(q.invalid_table(w.create, t.name, t.pk, t.geom, t.srid, work))
    cur.execute("ALTER TABLE lc_bad ADD PRIMARY KEY (id)")
    cur.execute("SELECT count(*) FROM lc_bad")
    counts.repaired = cur.fetchone()[0]
    problem = _tbmj_problem(cur, t, tb, work, kept) if not sources.tbmj_in_mu else None
    if problem is not None:
        counts.problems.append(problem)
    slots = {**_slots(t, named, work, tb, scale), **codes_sql.code_slots(named, legacy)}
    counts.values = value_issues(cur, t, named, per_field, pairs, slots, kept)  # the data warnings (value_sql)
    shadows, pieces = pieces_sql.prepare(cur, w.create, t, named, {
        "pg": q.parcel_geometry(t.geom, t.srid, work), **slots}, tbmj_in_mu=sources.tbmj_in_mu, kept=kept)
    cur.execute("SELECT count(DISTINCT g.bsm) FROM lc_piece p JOIN lc_grp g ON g.id = p.id")  # engine.split_bsms
    counts.split = cur.fetchone()[0]
    if kept is not None and not kept.fresh:
        kept.store(cur, cached.setting, (counts.parcels, counts.located, counts.measured))
    _inputs(cur, w, u, code, work, kept)
    if kept is not None and kept.changed:
        cached.changed = True
    if cached is None:
        _shares(cur, w, t, t.name, pbf, work, counts.repaired)
        if shadows:
            pieces_sql.drop_shadows(cur)
        cur.execute(sql.SQL(q.SOURCE_VIEW).format(view=w.view))
    else:
        cached.bring_up_to_date(cur, w, t, lambda rel: _shares(cur, w, t, rel, pbf, work, counts.repaired),
                                shadows > 0)
    for name in ("lc_pairs2", "lc_proj", "lc_code", "lc_ridge"):
        w.ready(cur, name)
    slots.update(pieces=pieces > 0, shadows=shadows > 0, kept=kept, parcels_n=counts.parcels)
    per_unit, project, towns = _group_sums(cur, w, cached, slots, pack)
    cur.execute("SELECT uid, code, geom IS NOT NULL FROM lc_u ORDER BY uid")
    unit_rows = cur.fetchall()
    # every pair of a unit gives a row of its unit's sums: the units with rows are the units with parcels
    counts.units_with_parcels = len(per_unit)
    codes = {uid: c for uid, c, _g in unit_rows}
    cur.execute("SELECT a, b, area FROM lc_uover WHERE area > 0")
    counts.overlaps = [(*sorted((str(codes[a]), str(codes[b]))), area) for a, b, area in cur.fetchall()]
    balance = AggregatedBalance(pack)
    balance.load(unit_rows, per_unit, project, counts)
    if pbf is not None and any(r.scope == "township" for r in pack.rules):
        balance.townships = _townships(cur, w, t, named, slots, pbf, work, sources.ugb, towns)
    if cached is not None and cached.changed:
        w.drop(cur)  # the work tables go; the maintained shares stay (share_cache)
        cur.connection.commit()
    return balance
