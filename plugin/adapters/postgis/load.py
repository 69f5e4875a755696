"""``db load``: a DLTB source (and optionally units and PBF) into the planning schema.

The parcels go, as GDAL's PostgreSQL driver writes them (lower-case column names, ``fid``,
``geom``), into ``survey``: the data of record, never written again by planning. Plan values the
source already carries (ZZLX, GHDLBM, GHKCXS, YNCZ) are copied into ``plan_parcel``; the view
``parcels`` joins both, is what the balance reads and what a planner edits in QGIS (docs/postgis.md).
Once the load has committed, ``fill_kept`` does the first balance's work (the kept shares, sums and
survey results) in a transaction of its own.
"""
from __future__ import annotations

import time

from ...core.fields import PLAN_FIELDS, resolve_parcel_fields, resolve_unit_fields
from ...core.i18n import tr
from . import reload_guard, share_cache
from .connection import DatabaseError, connect, driver, layer_of, libpq_dsn, redact, resolve_authcfg
from .schema import QGIS_CHANNEL, create_parcels_view, current_version, latest_version

SURVEY = "survey"
_STAGE_UNITS = "lc_stage_units"
_STAGE_PBF = "lc_stage_pbf"
_STAGE_SURVEY = "lc_stage_survey"


def _open(source: str):
    """``(dataset, layer)`` of one OGR source; DatabaseError when it cannot be read. A shapefile without a
    ``.cpg`` is read in the encoding its text has (GBK or UTF-8: ``sources.shapefile_encoding``), as
    ``balance`` reads it."""
    from osgeo import gdal

    from ..sources import InputError, shapefile_encoding

    gdal.UseExceptions()
    path, layer_name = layer_of(source)
    options = []
    if path.lower().endswith(".shp"):
        try:
            encoding = shapefile_encoding(path)
        except InputError as exc:
            raise DatabaseError(str(exc)) from None
        if encoding:
            options.append(f"ENCODING={encoding}")
    try:
        src = gdal.OpenEx(path, gdal.OF_VECTOR, open_options=options)
    except RuntimeError:
        src = None
    if src is None:
        raise DatabaseError(tr("Cannot open {0}").format(redact(source)))
    lyr = src.GetLayerByName(layer_name) if layer_name else src.GetLayer(0)
    if lyr is None:
        raise DatabaseError(tr("No layer {0} in {1}").format(layer_name, redact(path)))
    return src, lyr


def _field_names(lyr) -> list[str]:
    defn = lyr.GetLayerDefn()
    return [defn.GetFieldDefn(i).GetName() for i in range(defn.GetFieldCount())]


def _check_sources(parcels: str, units: str | None, pbf: str | None, unit_field: str | None) -> None:
    """Every source readable, the parcels with a DLBM field, the units with their code field: a mistake
    is refused before the survey is replaced (which drops the ``parcels`` view until the load commits)."""
    _ds, lyr = _open(parcels)
    if resolve_parcel_fields(_field_names(lyr)).missing_required():
        raise DatabaseError(tr("The parcel table has no DLBM field"))
    if lyr.GetFeatureCount() == 0:  # an empty survey would replace the data of record with nothing
        raise DatabaseError(tr("The parcel layer has no parcel with a usable geometry."))
    if units:
        _ds, lyr = _open(units)
        code = resolve_unit_fields(_field_names(lyr), unit_field)["DYBH"]
        if code is None:
            raise DatabaseError(tr("The units have no DYBH field; name it with --unit-field") if not unit_field
                                else tr("The units have no field {0} (--unit-field)").format(unit_field))
        _check_codes(lyr, code)
    if pbf:
        _open(pbf)


def _check_codes(lyr, code: str) -> None:
    """Every unit with a code, none used twice (``plan_unit.dybh`` is NOT NULL UNIQUE), as the balance checks them."""
    seen: dict[str, int] = {}
    lyr.SetIgnoredFields([n for n in _field_names(lyr) if n != code] + ["OGR_GEOMETRY"])
    for feature in lyr:
        value = feature.GetField(code)
        text = str(value).strip() if value is not None else ""
        if not text:
            raise DatabaseError(tr("Unit feature {0} has no code (DYBH)").format(feature.GetFID()))
        seen[text] = seen.get(text, 0) + 1
    twice = sorted(c for c, n in seen.items() if n > 1)
    if twice:
        raise DatabaseError(tr("Unit code {0} is used by {1} features").format(twice[0], seen[twice[0]]))


def _translate(dsn: str, source: str, schema: str, table: str) -> int:
    """Copy one OGR source into ``schema.table`` (replaced); returns the number of features."""
    from osgeo import gdal

    src, lyr = _open(source)
    count = lyr.GetFeatureCount()
    name = lyr.GetName()
    try:
        gdal.VectorTranslate(
            "PG:" + dsn, src, layers=[name], layerName=table, accessMode="overwrite",
            geometryType=["PROMOTE_TO_MULTI", "CONVERT_TO_LINEAR"],  # curved parcels as the engine reads them: linear
            layerCreationOptions=[f"SCHEMA={schema}", "GEOMETRY_NAME=geom", "FID=fid", "LAUNDER=YES",
                                  "SPATIAL_INDEX=GIST", "OVERWRITE=YES"],
        )
    except RuntimeError as exc:
        raise DatabaseError(tr("Could not load {0}: {1}").format(redact(source), redact(str(exc)))) from None
    return count


def _columns(cur, schema: str, table: str) -> list[str]:
    cur.execute("SELECT column_name FROM information_schema.columns WHERE table_schema = %s AND table_name = %s "
                "ORDER BY ordinal_position", (schema, table))
    return [r[0] for r in cur.fetchall()]


def _fill_plan(cur, schema: str, survey_columns: list[str]) -> int:
    """Plan values present in the survey source -> ``plan_parcel``; returns the rows written."""
    sql = driver().sql
    have = {c.lower(): c for c in survey_columns}
    values = [sql.Identifier(have[f.lower()]) if f.lower() in have else sql.SQL("NULL") for f in PLAN_FIELDS]
    cur.execute(sql.SQL("DELETE FROM {}").format(sql.Identifier(schema, "plan_parcel")))
    if not any(f.lower() in have for f in PLAN_FIELDS):
        return 0
    present = sql.SQL(" OR ").join(sql.SQL("{} IS NOT NULL").format(sql.Identifier(have[f.lower()]))
                                   for f in PLAN_FIELDS if f.lower() in have)
    cur.execute(sql.SQL("INSERT INTO {} (survey_fid, zzlx, ghdlbm, ghkcxs, yncz) SELECT fid, {} FROM {} WHERE {}")
                .format(sql.Identifier(schema, "plan_parcel"), sql.SQL(", ").join(
                    sql.SQL("{}::{}").format(v, sql.SQL(t)) for v, t in zip(
                        values, ("text", "text", "double precision", "text"))),
                    sql.Identifier(schema, SURVEY), present))
    return cur.rowcount


def _survey_from_stage(cur, schema: str) -> None:
    """The staged survey becomes ``survey`` (the former one dropped with the views on it: ``parcels`` is made
    again in the same transaction), its index and sequence named as GDAL names a survey's."""
    sql = driver().sql
    cur.execute(sql.SQL("DROP TABLE IF EXISTS {} CASCADE").format(sql.Identifier(schema, SURVEY)))
    cur.execute(sql.SQL("ALTER TABLE {} RENAME TO {}").format(sql.Identifier(schema, _STAGE_SURVEY),
                                                              sql.Identifier(SURVEY)))
    cur.execute("SELECT c.relname, c.relkind FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
                "WHERE n.nspname = %s AND c.relname LIKE %s AND c.relkind IN ('i', 'S')",
                (schema, _STAGE_SURVEY + "\\_%"))
    for name, kind in cur.fetchall():
        cur.execute(sql.SQL("ALTER {} {} RENAME TO {}").format(
            sql.SQL("INDEX" if kind == "i" else "SEQUENCE"), sql.Identifier(schema, name),
            sql.Identifier(SURVEY + name[len(_STAGE_SURVEY):])))


def _units_from_stage(cur, schema: str, code_field: str | None) -> int:
    sql = driver().sql
    cols = {c.lower(): c for c in _columns(cur, schema, _STAGE_UNITS)}
    code = cols.get(code_field.lower()) if code_field else cols.get("dybh") or cols.get("xmqbh") or cols.get("pqbh")
    if code is None:
        raise DatabaseError(tr("The units have no DYBH field; name it with --unit-field"))
    name = sql.Identifier(cols["dymc"]) if "dymc" in cols else sql.SQL("NULL")
    zzlx = sql.Identifier(cols["zzlx"]) if "zzlx" in cols else sql.SQL("NULL")
    cur.execute(sql.SQL("DELETE FROM {}").format(sql.Identifier(schema, "plan_unit")))
    cur.execute(sql.SQL("INSERT INTO {} (dybh, dymc, zzlx, geom) SELECT {}::text, {}::text, {}::text, geom FROM {} "
                        "ORDER BY fid").format(sql.Identifier(schema, "plan_unit"), sql.Identifier(code), name, zzlx,
                                               sql.Identifier(schema, _STAGE_UNITS)))
    n = cur.rowcount
    cur.execute(sql.SQL("DROP TABLE {}").format(sql.Identifier(schema, _STAGE_UNITS)))
    return n


def _pbf_from_stage(cur, schema: str) -> int:
    sql = driver().sql
    cur.execute(sql.SQL("DELETE FROM {}").format(sql.Identifier(schema, "pbf")))
    cur.execute(sql.SQL("INSERT INTO {} (geom) SELECT geom FROM {} ORDER BY fid").format(
        sql.Identifier(schema, "pbf"), sql.Identifier(schema, _STAGE_PBF)))
    n = cur.rowcount
    cur.execute(sql.SQL("DROP TABLE {}").format(sql.Identifier(schema, _STAGE_PBF)))
    return n


def load(conn, db: str, schema: str, parcels: str, units: str | None = None, pbf: str | None = None,
         unit_field: str | None = None, replace_plan: bool = False) -> tuple[dict[str, int], str]:
    """Load the sources into an initialised schema; returns counts per table and what it replaced of the
    planners' work ('' : nothing; reload_guard).

    The survey is replaced as a whole (a new survey is a new data of record); the plan values
    of the source replace ``plan_parcel``. Planners' changes since the last load in the tables it
    replaces refuse the load before it writes anything, unless ``replace_plan`` (``--replace-plan``).
    """
    try:
        with conn.cursor() as cur:
            if current_version(cur, schema) < latest_version():
                raise DatabaseError(tr("The schema {0} is not initialised (or is older): run db init first")
                                    .format(schema))
            _guard(cur, schema, bool(units), replace_plan)
        conn.commit()
    except driver().Error as exc:
        conn.rollback()
        raise DatabaseError(tr("Could not load {0}: {1}").format(redact(parcels), redact(str(exc).strip()))) from None
    _check_sources(parcels, units, pbf, unit_field)  # before anything is written
    dsn = resolve_authcfg(libpq_dsn(db))
    # every source into a stage table; the survey replaced in the one transaction that writes the rest, so
    # a failure anywhere leaves the former survey, its plan rows and the ``parcels`` view as they were
    if units:
        _translate(dsn, units, schema, _STAGE_UNITS)
    if pbf:
        _translate(dsn, pbf, schema, _STAGE_PBF)
    counts = {"survey": _translate(dsn, parcels, schema, _STAGE_SURVEY)}
    try:
        with conn, conn.cursor() as cur:
            reload_guard.lock(cur, schema)  # the same check again, no planner's save in between until the commit
            note = _guard(cur, schema, bool(units), replace_plan)
            _survey_from_stage(cur, schema)
            _declare_srid(cur, schema)  # before the plan tables have pending (deferred) trigger events
            survey_columns = _columns(cur, schema, SURVEY)
            counts["plan_parcel"] = _fill_plan(cur, schema, survey_columns)
            # the pieces of the former survey's parcels (docs/postgis.md, "Split parcels") go with it
            cur.execute(driver().sql.SQL("DELETE FROM {}").format(driver().sql.Identifier(schema, "plan_split")))
            create_parcels_view(cur, schema)
            share_cache.after_load(cur, schema)
            if units:
                counts["plan_unit"] = _units_from_stage(cur, schema, unit_field)
            if pbf:
                counts["pbf"] = _pbf_from_stage(cur, schema)
            # open planning layers re-read everything (docs/postgis.md, "Several planners at once")
            cur.execute("SELECT pg_notify(%s, json_build_object('lc', 1, 'schema', %s::text, 'action', "
                        "'RELOAD')::text)", (QGIS_CHANNEL, schema))
            reload_guard.mark(cur, schema, bool(units))  # the next load counts the history after this one's
    except driver().Error as exc:  # rolled back: the schema as before the load
        raise DatabaseError(tr("Could not load {0}: {1}").format(redact(parcels), redact(str(exc).strip()))) from None
    except DatabaseError:  # refused in the transaction (a planner saved while the sources were copied)
        _drop_stages(conn, schema)
        raise
    return counts, note


def _drop_stages(conn, schema: str) -> None:
    """A refused load leaves no stage table (best effort: the next load overwrites them anyway)."""
    sql = driver().sql
    try:
        with conn, conn.cursor() as cur:
            for table in (_STAGE_SURVEY, _STAGE_UNITS, _STAGE_PBF):
                cur.execute(sql.SQL("DROP TABLE IF EXISTS {}").format(sql.Identifier(schema, table)))
    except driver().Error:
        pass


def _guard(cur, schema: str, units: bool, replace_plan: bool) -> str:
    """Refuse (DatabaseError) when the load would replace planners' work and ``replace_plan`` is not given;
    else the line saying what it replaces or keeps."""
    work, kept_units = reload_guard.planners_work(cur, schema, units)
    if work.at_risk() and not replace_plan:
        raise DatabaseError(reload_guard.refusal(schema, work, kept_units))
    return reload_guard.replaced(work, kept_units)


#: the rule pack the kept sums are filled for (the CLI's default). The kept shares and survey results hold
#: for any pack; the sums are stamped with the pack's SQL (sum_cache.state): another pack sums again
FILL_PACK = "national"


def fill_kept(db: str, schema: str, say=None) -> float | None:
    """``db load``'s last step: the first ``balance --in-database``'s own work — every share (share_cache),
    the kept sums (sum_cache) and survey results (survey_cache) — done once by running that balance on the
    schema's ``parcels`` / ``plan_unit`` / ``pbf``, in its own transaction after the load committed. Returns
    the seconds it took, None when there is nothing to keep (no units); a failure raises DatabaseError and
    leaves the schema as the load left it (the first balance then computes everything). ``say``: told
    what is being done before the long step. docs/postgis.md, "Maintained shares"."""
    from ...core.rules import bundled_pack
    from .balance import Sources, compute

    sql = driver().sql
    conn = connect(db)
    try:
        with conn, conn.cursor() as cur:
            cur.execute(sql.SQL("SELECT EXISTS (SELECT 1 FROM {} WHERE geom IS NOT NULL)").format(
                sql.Identifier(schema, "plan_unit")))
            # no units, or a role that may not keep the shares (share_cache.Cache.of): nothing to fill
            if not cur.fetchone()[0] or share_cache.Cache.of(
                    cur, (schema, "parcels"), (schema, "plan_unit"), (None, schema, "pbf")) is None:
                return None
        conn.autocommit = True  # statistics for the fill's plans (autovacuum comes later)
        with conn.cursor() as cur:
            for table in (SURVEY, "plan_parcel", "plan_unit", "pbf", "plan_split"):
                cur.execute(sql.SQL("ANALYZE {}").format(sql.Identifier(schema, table)))
    finally:
        conn.close()
    if say is not None:
        say(tr("Filling the kept shares of {0} for balance --in-database (every parcel's share of the units "
               "and PBF: minutes for a county) …").format(schema))
    quoted = '"' + schema.replace('"', '""') + '"'
    sources = [f"PG:{libpq_dsn(db)}|layername={quoted}.{t}" for t in ("parcels", "plan_unit", "pbf")]
    t0 = time.perf_counter()
    compute(Sources(*sources), bundled_pack(FILL_PACK))
    return time.perf_counter() - t0


def _declare_srid(cur, schema: str) -> None:
    """The plan tables' geometry columns take the survey's SRID (QGIS's postgres provider reads
    the CRS of a layer from the column's declared type)."""
    sql = driver().sql
    cur.execute("SELECT Find_SRID(%s, %s, 'geom')", (schema, SURVEY))
    srid = int(cur.fetchone()[0])
    for table in ("plan_unit", "pbf", "plan_split"):
        cur.execute(sql.SQL("ALTER TABLE {} ALTER COLUMN geom TYPE geometry(MultiPolygon, {}) "
                            "USING ST_SetSRID(geom, {})").format(sql.Identifier(schema, table), sql.Literal(srid),
                                                                  sql.Literal(srid)))
