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

#: the parcels of a township with a geometry (the repaired one) and an area: id, township, area
TOWNSHIP_AREA = """
{create} lc_twp_area AS SELECT * FROM (
    SELECT p.{pk} AS id, CASE WHEN substr(z, 1, 9) ~ '^[0-9]{{9}}$' THEN substr(z, 1, 9) END AS township,
           ST_Area({pg}) AS area
    FROM (SELECT *, btrim({zldwdm}, E' \\t\\r\\n') AS z FROM {parcels} p) AS p LEFT JOIN lc_bad bad ON bad.id = p.{pk}
    WHERE p.{geom} IS NOT NULL AND NOT ST_IsEmpty(p.{geom}) AND NOT (bad.id IS NOT NULL AND bad.fixed IS NULL)
    OFFSET 0) AS x
WHERE township IS NOT NULL AND area > 0
"""

#: the parcels whose PBF part is not known from the units' overlay (lc_pw: outside every unit), and
#: with a UGB layer those moved out of PBF (their part inside the boundary needs the part itself)
TOWNSHIP_TODO = """
{create} lc_twp_todo AS SELECT a.id FROM lc_twp_area a WHERE NOT EXISTS (SELECT 1 FROM lc_pw w WHERE w.id = a.id)
UNION SELECT n.id FROM (SELECT * FROM lc_parcel UNION ALL SELECT * FROM lc_twp_more) n WHERE n.yn = 'OUT' AND {with_ugb}
"""

#: (parcel, PBF polygon it meets, relation) as for the units (balance_sql.pbf_parts_table)
TOWNSHIP_PBF = """
{create} lc_twp_pc AS SELECT a.id, b.bid, CASE WHEN ST_Covers(b.geom, {pg}) THEN 1
    WHEN ST_Relate(b.geom, {pg}, 'T********') THEN 2 ELSE 0 END AS rel
FROM lc_pb b JOIN {parcels} p ON p.{geom} && b.src AND ST_Intersects(b.src, p.{geom})
JOIN lc_twp_area a ON a.id = p.{pk} JOIN lc_twp_todo d ON d.id = a.id LEFT JOIN lc_bad bad ON bad.id = a.id
"""

#: the part of a parcel inside the PBF layer (TownshipLimits.shares): covered by one polygon, the
#: parcel; else the union of its pieces; its share of the parcel, and for PBF moved out the share
#: of that part inside the urban growth boundary
TOWNSHIP_SHARES = """
{create} lc_twp_share AS
WITH k AS (SELECT id, bool_or(rel = 1) AS cov, bool_or(rel = 2) AS meets FROM lc_twp_pc GROUP BY id),
inside AS (
    SELECT a.id, a.area, {pg} AS part FROM k JOIN lc_twp_area a ON a.id = k.id
    JOIN {parcels} p ON p.{pk} = a.id LEFT JOIN lc_bad bad ON bad.id = a.id WHERE k.cov
    UNION ALL
    SELECT a.id, a.area, ST_Union(ST_Intersection({pg}, b.geom)) FROM k JOIN lc_twp_pc c ON c.id = k.id AND c.rel = 2
    JOIN lc_pb b ON b.bid = c.bid JOIN lc_twp_area a ON a.id = k.id JOIN {parcels} p ON p.{pk} = a.id
    LEFT JOIN lc_bad bad ON bad.id = a.id WHERE k.meets AND NOT k.cov GROUP BY a.id, a.area
)
SELECT i.id, least(1.0, ST_Area(i.part) / i.area) AS ps,
       CASE WHEN n.yn = 'OUT' THEN least(1.0, coalesce(ST_Area(ST_Intersection(i.part, (
           SELECT ST_Union(g.geom) FROM lc_ugb g WHERE g.geom && i.part AND ST_Intersects(g.geom, i.part)))), 0)
           / i.area) ELSE 0 END AS us
FROM inside i JOIN (SELECT * FROM lc_parcel UNION ALL SELECT * FROM lc_twp_more) n ON n.id = i.id
"""

#: core.townships.TownshipLimits.variables, summed per township
TOWNSHIP_SUMS = """
SELECT township, sum(t * ps) AS pbf_before,
       sum(CASE WHEN yn = 'OUT' THEN 0 WHEN yn = 'IN' THEN t WHEN a1_farm THEN t * ps ELSE 0 END) AS pbf_after,
       sum(CASE WHEN yn = 'OUT' THEN t * ps ELSE 0 END) AS pbf_out,
       sum(CASE WHEN yn = 'IN' THEN t - t * ps ELSE 0 END) AS pbf_in,
       sum(CASE WHEN yn = 'OUT' THEN t * us ELSE 0 END) AS pbf_out_ugb
FROM (SELECT a.township, n.t, n.yn, n.a1_farm, coalesce(s.ps, w.ps, 0) AS ps, coalesce(s.us, 0) AS us
      FROM lc_twp_area a JOIN (SELECT * FROM lc_parcel UNION ALL SELECT * FROM lc_twp_more) n ON n.id = a.id
      LEFT JOIN lc_twp_share s ON s.id = a.id LEFT JOIN lc_pw w ON w.id = a.id) AS x
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


def township_variables(cur, create, t, zldwdm: str, parcel_slots: dict, ugb) -> dict[str, dict[str, float]]:
    """Township code -> its variables (m²). ``t``: the parcel table (balance.Table); ``parcel_slots``:
    the ``{…}`` values of ``balance_sql.parcels_query``; ``ugb``: (table, its geom, SRID) or None.
    Needs lc_pb, lc_bad, lc_code, lc_ridge and lc_pw (the balance's work tables): the PBF overlay
    runs only for the parcels outside every unit (and, with a UGB, those moved out of PBF)."""
    sql = driver().sql
    work = parcel_slots["work"]
    pg = q.parcel_geometry(t.geom, t.srid, work)
    slots = {"create": create, "parcels": t.name, "pk": t.pk, "geom": t.geom, "pg": pg}
    cur.execute(sql.SQL(TOWNSHIP_AREA).format(**slots, zldwdm=sql.SQL("p.{}::text").format(sql.Identifier(zldwdm))))
    cur.execute("ALTER TABLE lc_twp_area ADD PRIMARY KEY (id)")
    if parcel_slots.get("shadows"):  # identical copies count once (pieces_sql)
        cur.execute("DELETE FROM lc_twp_area WHERE id IN (SELECT id FROM lc_shadow)")
    cur.execute("ANALYZE lc_twp_area")
    # the per-parcel rules: those of the parcels in units are in lc_parcel already
    cur.execute(sql.SQL("{} lc_twp_rest AS SELECT a.id, a.area FROM lc_twp_area a "
                        "WHERE NOT EXISTS (SELECT 1 FROM lc_parcel n WHERE n.id = a.id)").format(create))
    cur.execute(sql.SQL(q.parcels_query("lc_twp_rest", "lc_twp_more", bool(parcel_slots.get("pieces")))).format(
        create=create, **{k: v for k, v in parcel_slots.items() if k not in ("work", "pieces", "shadows")}))
    cur.execute(sql.SQL(TOWNSHIP_TODO).format(create=create, with_ugb=sql.Literal(ugb is not None)))
    # usually few parcels: from them to the PBF polygons through an index, not every polygon's parcels
    cur.execute("ANALYZE lc_twp_todo")
    cur.execute("CREATE INDEX ON lc_pb USING gist (src)")
    cur.execute("ANALYZE lc_pb")
    cur.execute(sql.SQL(TOWNSHIP_PBF).format(**slots))
    cur.execute("ANALYZE lc_twp_pc")
    cur.execute(ugb_table(create, *ugb, work) if ugb else ugb_table(create, None, None, 0, 0))
    cur.execute(sql.SQL(TOWNSHIP_SHARES).format(**slots))
    cur.execute(TOWNSHIP_SUMS)
    names = [d.name for d in cur.description][1:]
    return {row[0]: {n: float(v or 0.0) for n, v in zip(names, row[1:])} for row in cur.fetchall()}
