"""The township PBF limits (core.townships, docs/domain.md §7) of ``balance --in-database``.

A township's variables are summed over the *whole* parcels of the township (first 9 digits of
ZLDWDM), inside a unit or not: TBMJ × the share of the parcel inside the PBF layer, YNCZ 调出/调入,
PBF that stays farmland, and PBF moved out inside the urban growth boundary. Only the sums per
township leave the database; ``core.townships.evaluate_variables`` judges them with the pack's
township rules, as for every other front end.
"""
from __future__ import annotations

from . import balance_sql as q
from .connection import driver
from .split_sql import planning_view

#: the parcels of a township outside every unit (those in units are summed with the balance, by their
#: share inside the PBF layer, ``pw``: balance_sql.GROUP_SUMS), with a geometry (the repaired one) and
#: an area: id, area, pw. The parcels in no unit first (OFFSET 0: the township code and the area only
#: for those, usually few)
TOWNSHIP_REST = """
{create} lc_twp_rest AS SELECT p.{pk} AS id, ST_Area({pg}) AS area, NULL::float8 AS pw
FROM (SELECT p.* FROM {parcels} p WHERE NOT EXISTS (SELECT 1 FROM lc_src s WHERE s.id = p.{pk}) OFFSET 0) AS p
LEFT JOIN lc_bad bad ON bad.id = p.{pk}
WHERE p.{geom} IS NOT NULL AND NOT ST_IsEmpty(p.{geom}) AND NOT (bad.id IS NOT NULL AND bad.fixed IS NULL)
  AND {twp} IS NOT NULL AND ST_Area({pg}) > 0{copies}
"""

#: a planning schema's ``parcels`` view (split_sql.planning_view): the ids of its rows outside every unit, read
#: from its two tables — the survey's parcels without pieces, and the pieces. The anti-join of the whole view
#: (TOWNSHIP_REST on it) was estimated at half the view and joined the survey to itself (bench/README.md)
REST_IDS = """
{create} lc_twp_rest_ids AS
SELECT s.fid AS id FROM {survey} s WHERE NOT EXISTS (SELECT 1 FROM {split} z WHERE z.survey_fid = s.fid)
    AND NOT EXISTS (SELECT 1 FROM lc_src w WHERE w.id = s.fid)
UNION ALL SELECT x.fid FROM {split} x WHERE NOT EXISTS (SELECT 1 FROM lc_src w WHERE w.id = x.fid)
"""

#: with a UGB layer, the parcels in units moved out of PBF (their part inside the boundary needs the
#: part itself): id, area, pw (none without a UGB)
TOWNSHIP_OUT = """
{create} lc_twp_outsrc AS SELECT s.id, s.area, s.pw FROM lc_src s JOIN {parcels} p ON p.{pk} = s.id
JOIN lc_code cy ON cy.raw = {yncz} WHERE cy.action = 'OUT' AND {twp} IS NOT NULL AND {with_ugb}
"""

#: the parcels whose PBF part is not known from the units' overlay (outside every unit), and those
#: moved out of PBF with a UGB layer: id, area
TOWNSHIP_TODO = """
{create} lc_twp_todo AS SELECT id, area FROM lc_twp_rest UNION SELECT id, area FROM lc_twp_outsrc
"""

#: (parcel, PBF polygon it meets, relation) as for the units (balance_sql.pbf_parts_table)
TOWNSHIP_PBF = """
{create} lc_twp_pc AS SELECT id, bid, """ + q.PBF_RELATION + """ FROM (SELECT a.id, b.bid, """ + q.PBF_MATRIX + """
FROM lc_pb b JOIN {parcels} p ON p.{geom} && b.src AND ST_Intersects(b.src, p.{geom})
JOIN lc_twp_todo a ON a.id = p.{pk} LEFT JOIN lc_bad bad ON bad.id = a.id) AS r
"""

#: the part of a parcel inside the PBF layer (TownshipLimits.shares): covered by one polygon, the
#: parcel; else the union of its pieces; its share of the parcel, and for PBF moved out the share
#: of that part inside the urban growth boundary
TOWNSHIP_SHARES = """
{create} lc_twp_share AS
WITH k AS (SELECT id, bool_or(rel = 1) AS cov, bool_or(rel = 2) AS meets FROM lc_twp_pc GROUP BY id),
inside AS (
    SELECT a.id, a.area, {pg} AS part FROM k JOIN lc_twp_todo a ON a.id = k.id
    JOIN {parcels} p ON p.{pk} = a.id LEFT JOIN lc_bad bad ON bad.id = a.id WHERE k.cov
    UNION ALL
    SELECT a.id, a.area, ST_Union(ST_Intersection({pg}, b.geom)) FROM k JOIN lc_twp_pc c ON c.id = k.id AND c.rel = 2
    JOIN lc_pb b ON b.bid = c.bid JOIN lc_twp_todo a ON a.id = k.id JOIN {parcels} p ON p.{pk} = a.id
    LEFT JOIN lc_bad bad ON bad.id = a.id WHERE k.meets AND NOT k.cov GROUP BY a.id, a.area
)
SELECT i.id, least(1.0, ST_Area(i.part) / i.area) AS ps,
       CASE WHEN n.yn = 'OUT' THEN least(1.0, coalesce(ST_Area(ST_Intersection(i.part, (
           SELECT ST_Union(g.geom) FROM lc_ugb g WHERE g.geom && i.part AND ST_Intersects(g.geom, i.part)))), 0)
           / i.area) ELSE 0 END AS us
FROM inside i JOIN (SELECT id, yn FROM lc_twp_more UNION ALL SELECT id, yn FROM lc_twp_out) n ON n.id = i.id
"""

#: core.townships.TownshipLimits.variables, summed per township over the parcels outside units (those
#: in units come with the balance's sums), and the part moved out inside the UGB of all of them
TOWNSHIP_SUMS = """
SELECT township, sum(t * ps) AS pbf_before,
       sum(CASE WHEN yn = 'OUT' THEN 0 WHEN yn = 'IN' THEN t WHEN a1_farm THEN t * ps ELSE 0 END) AS pbf_after,
       sum(CASE WHEN yn = 'OUT' THEN t * ps ELSE 0 END) AS pbf_out,
       sum(CASE WHEN yn = 'IN' THEN t - t * ps ELSE 0 END) AS pbf_in,
       sum(CASE WHEN yn IN ('OUT', 'UGB') THEN t * us ELSE 0 END) AS pbf_out_ugb
FROM (SELECT n.twp AS township, n.t, n.yn, n.a1_farm, coalesce(s.ps, 0) AS ps, coalesce(s.us, 0) AS us
      FROM lc_twp_more n LEFT JOIN lc_twp_share s ON s.id = n.id WHERE n.twp IS NOT NULL
      UNION ALL
      SELECT n.twp, n.t, 'UGB', false, 0, s.us FROM lc_twp_out n JOIN lc_twp_share s ON s.id = n.id
      WHERE n.twp IS NOT NULL AND n.yn = 'OUT') AS x
GROUP BY 1 ORDER BY 1
"""


def ugb_table(create, ugb, geom, srid: int, work: int):
    """lc_ugb: the urban growth boundary, cleaned, in the working CRS (empty without one)."""
    sql = driver().sql
    if ugb is None:
        return sql.SQL("{} lc_ugb (geom geometry)").format(create)
    return sql.SQL("{create} lc_ugb AS SELECT {w} AS geom FROM (SELECT " + q.CLEAN
                   + " AS c FROM {ugb}) AS s WHERE c IS NOT NULL").format(
        create=create, w=q.working(sql.SQL("c"), srid, work), g=geom, ugb=ugb)


def township_variables(cur, create, t, parcel_slots: dict, ugb, ensure_pbf, in_units: dict
                       ) -> dict[str, dict[str, float]]:
    """Township code -> its variables (m²). ``t``: the parcel table (balance.Table); ``parcel_slots``:
    the ``{…}`` values of ``balance_sql.parcel_rows`` (``twp``: the township of ``p``); ``ugb``:
    (table, its geom, SRID) or None; ``ensure_pbf(near)``: makes lc_pb if the balance has not (its
    polygons near the parcels of the work table ``near`` will do; or near those of a parcel table with a
    spatial index: (table, its geometry column)); ``in_units``: township -> the sums
    of its parcels in units (balance_sql.GROUP_SUMS). Needs lc_bad, lc_code, lc_ridge and lc_src
    (the balance's work tables): the per-parcel rules and the PBF overlay run here only for the
    parcels outside every unit (and, with a UGB, those moved out of PBF)."""
    sql = driver().sql
    work = parcel_slots["work"]
    pg = q.parcel_geometry(t.geom, t.srid, work)
    slots = {"create": create, "parcels": t.name, "pk": t.pk, "geom": t.geom, "pg": pg}
    rules = {k: v for k, v in parcel_slots.items() if k not in ("work", "pieces", "shadows", "kept", "parcels_n",
                                                                  "rest_empty")}
    pieces = bool(parcel_slots.get("pieces"))
    copies = sql.SQL(" AND NOT EXISTS (SELECT 1 FROM lc_shadow x WHERE x.id = p.{})").format(t.pk) \
        if parcel_slots.get("shadows") else sql.SQL("")  # identical copies count once (pieces_sql)
    if parcel_slots.get("rest_empty"):  # every parcel is in a unit (balance, survey_cache): no anti-join
        cur.execute(sql.SQL("{} lc_twp_rest (id bigint, area float8, pw float8)").format(create))
    else:
        rest_of = slots
        schema = planning_view(cur, t.name)
        if schema is not None:  # the view's rows outside the units by key (usually few), then as below
            cur.execute(sql.SQL(REST_IDS).format(create=create, survey=sql.Identifier(schema, "survey"),
                                                 split=sql.Identifier(schema, "plan_split")))
            cur.execute(q.rows_of(create, "lc_twp_rest_p", t.name, t.pk, "lc_twp_rest_ids"))
            rest_of = {**slots, "parcels": sql.Identifier("lc_twp_rest_p")}
        cur.execute(sql.SQL(TOWNSHIP_REST).format(**rest_of, twp=parcel_slots["twp"], copies=copies))
    cur.execute(sql.SQL(TOWNSHIP_OUT).format(**slots, twp=parcel_slots["twp"], yncz=parcel_slots["yncz"],
                                             with_ugb=sql.Literal(ugb is not None)))
    cur.execute(sql.SQL(TOWNSHIP_TODO).format(create=create))
    cur.execute("SELECT count(*) FROM lc_twp_todo")
    todo = cur.fetchone()[0]
    near = "lc_twp_todo"
    if todo and todo * q.FEW <= parcel_slots.get("parcels_n", 0):
        # few parcels (those outside the units, usually): their rows copied by key (balance_sql.rows_of) and
        # read from the copy; joined with the planning schema's view, each statement hashed the whole view
        cur.execute(q.rows_of(create, "lc_twp_p", t.name, t.pk, "lc_twp_todo"))
        cur.execute(sql.SQL("CREATE INDEX ON lc_twp_p ({})").format(t.pk))
        cur.execute(sql.SQL("CREATE INDEX ON lc_twp_p USING gist ({})").format(t.geom))
        cur.execute("ANALYZE lc_twp_p")
        slots["parcels"] = rules["parcels"] = sql.Identifier("lc_twp_p")
        near = (sql.Identifier("lc_twp_p"), t.geom)
    cur.execute(sql.SQL(q.parcels_query("lc_twp_rest", "lc_twp_more", pieces)).format(create=create, **rules))
    cur.execute(sql.SQL(q.parcels_query("lc_twp_outsrc", "lc_twp_out", pieces)).format(create=create, **rules))
    if todo:
        ensure_pbf(near)
        # usually few parcels: from them to the PBF polygons through an index, not every polygon's parcels
        cur.execute("ANALYZE lc_twp_todo")
        cur.execute("CREATE INDEX ON lc_pb USING gist (src)")
        cur.execute("ANALYZE lc_pb")
        cur.execute(sql.SQL(TOWNSHIP_PBF).format(**slots))
        cur.execute("ANALYZE lc_twp_pc")
    else:
        cur.execute(sql.SQL("{} lc_twp_pc (id bigint, bid bigint, rel int)").format(create))
        if _missing(cur, "lc_pb"):
            cur.execute(sql.SQL("{} lc_pb (bid bigint, src geometry, geom geometry)").format(create))
    cur.execute(ugb_table(create, *ugb, work) if ugb else ugb_table(create, None, None, 0, 0))
    cur.execute(sql.SQL(TOWNSHIP_SHARES).format(**slots))
    cur.execute(TOWNSHIP_SUMS)
    names = [d.name for d in cur.description][1:]
    out = {code: {**dict.fromkeys(names, 0.0), **sums} for code, sums in in_units.items()}
    for row in cur.fetchall():
        values = out.setdefault(row[0], dict.fromkeys(names, 0.0))
        for n, v in zip(names, row[1:]):
            values[n] += float(v or 0.0)
    return out


def _missing(cur, table: str) -> bool:
    cur.execute("SELECT to_regclass(%s) IS NULL", (table,))
    return cur.fetchone()[0]
