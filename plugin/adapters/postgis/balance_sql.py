"""The SQL of ``balance --in-database``: the engine's area rules, written for PostGIS.

Each step says which rule of docs/domain-area-rules.md / ``core.fields`` / ``core.engine`` it is.
Identifiers come in as ``psycopg2.sql`` objects (quoted), values as bound parameters; nothing a
user typed is spliced into the text. The work tables (``lc_*``) are created by ``{create}``
(``work_area.WorkArea``: unlogged tables in a schema of this transaction, which parallel workers
can read, else temporary tables) and vanish with the transaction, which is rolled back.
"""
from __future__ import annotations

from .connection import driver

# --------------------------------------------------------------------------- geometry
#: clean_polygonal: valid as it is, else made valid and reduced to its polygons; empty -> NULL
CLEAN = ("(SELECT CASE WHEN g IS NULL OR ST_IsEmpty(g) THEN NULL WHEN ST_IsValid(g) THEN g "
         "ELSE nullif(ST_CollectionExtract(ST_MakeValid(g), 3), ST_GeomFromText('POLYGON EMPTY', ST_SRID(g))) END "
         "FROM (SELECT {g} AS g) AS x)")


def working(geom, srid_from: int, srid_to: int):
    """``geom`` in the working CRS (a Gauss–Krüger zone for a geographic layer, else unchanged)."""
    sql = driver().sql
    if srid_from == srid_to:
        return geom
    return sql.SQL("ST_Transform({}, {})").format(geom, sql.Literal(int(srid_to)))


def units_table(create, units, pk, code, geom, srid: int, work: int):
    """lc_u: the units, cleaned, in the working CRS (``geom``) and the source CRS (``src``)."""
    sql = driver().sql
    return sql.SQL(
        "{create} lc_u AS SELECT row_number() OVER (ORDER BY {pk}) AS uid, {pk} AS unit_pk, {code}::text AS code, "
        "c AS src, {w} AS geom FROM (SELECT {pk}, {code}, " + CLEAN + " AS c FROM {units}) AS s").format(
        pk=pk, code=code, w=working(sql.SQL("c"), srid, work), g=geom, units=units, create=create)


def pbf_table(create, pbf, geom, srid: int, work: int, where=None):
    """lc_pb: the PBF polygons (``b0``; ``where``: which of them, all by default), cleaned."""
    sql = driver().sql
    return sql.SQL("{create} lc_pb AS SELECT row_number() OVER () AS bid, c AS src, {w} AS geom FROM (SELECT "
                   + CLEAN
                   + " AS c FROM {pbf} AS b0{where}) AS s WHERE c IS NOT NULL").format(
        w=working(sql.SQL("c"), srid, work), g=geom, pbf=pbf, create=create, where=where or sql.SQL(""))


def invalid_table(create, parcels, pk, geom, srid: int, work: int):
    """lc_bad: the parcels whose geometry is invalid, repaired (validation.clean_polygonal), in the
    working CRS. Checked once per parcel; every later step takes the repaired one from here."""
    sql = driver().sql
    fixed = working(sql.SQL(CLEAN).format(g=sql.SQL("p.{}").format(geom)), srid, work)
    return sql.SQL("{create} lc_bad AS SELECT p.{pk} AS id, {fixed} AS fixed FROM {parcels} p "
                   "WHERE NOT ST_IsEmpty(p.{geom}) AND NOT ST_IsValid(p.{geom})").format(
        pk=pk, fixed=fixed, geom=geom, parcels=parcels, create=create)


#: engine._share: 1 where the unit contains the parcel properly (prepared: the unit first), else
#: area(unit ∩ parcel) / area(parcel), at most 1
SHARE = ("CASE WHEN ST_ContainsProperly(u.geom, {g}) THEN 1.0 "
         "ELSE least(1.0, ST_Area(ST_Intersection(u.geom, {g})) / ST_Area({g})) END")


def pairs_table(create, parcels, pk, geom, srid: int, work: int, repaired: bool):
    """lc_pairs: (parcel, unit, share, planar area), shares > 0 only (engine._share).

    The units outside, the parcels through their spatial index inside: PostGIS prepares each
    unit once for all its parcels, and parallel workers take units each (work tables). OFFSET 0
    keeps PostgreSQL from copying the share's expression into the filter (computed twice). Parcels
    with invalid geometry (``repaired``) are left to :func:`repaired_pairs`.
    """
    sql = driver().sql
    good = working(sql.SQL("p.{}").format(geom), srid, work)
    skip = (sql.SQL(" AND NOT EXISTS (SELECT 1 FROM lc_bad bad WHERE bad.id = p.{pk})").format(pk=pk) if repaired
            else sql.SQL(""))
    return sql.SQL(
        "{create} lc_pairs AS SELECT * FROM ("
        " SELECT p.{pk} AS id, u.uid, " + SHARE.replace("{g}", "{good}") + " AS s, ST_Area({good}) AS area"
        " FROM lc_u u JOIN {parcels} p ON p.{geom} && u.src AND ST_Intersects(u.src, p.{geom})"
        " WHERE NOT ST_IsEmpty(p.{geom}){skip} OFFSET 0) AS x WHERE area > 0 AND s > 0").format(
        pk=pk, good=good, geom=geom, parcels=parcels, skip=skip, create=create)


def repaired_pairs(parcels, pk, geom):
    """The pairs of the repaired parcels (lc_bad, few): their repaired geometry shared by the units."""
    sql = driver().sql
    return sql.SQL(
        "INSERT INTO lc_pairs SELECT * FROM ("
        " SELECT b.id, u.uid, " + SHARE.replace("{g}", "b.fixed") + " AS s, ST_Area(b.fixed) AS area"
        " FROM lc_bad b JOIN {parcels} p ON p.{pk} = b.id"
        " JOIN lc_u u ON p.{geom} && u.src AND ST_Intersects(u.src, p.{geom})"
        " WHERE b.fixed IS NOT NULL OFFSET 0) AS x WHERE area > 0 AND s > 0").format(pk=pk, geom=geom, parcels=parcels)


def parcel_geometry(geom, srid: int, work: int):
    """A parcel's geometry in the working CRS, repaired (``p`` = the table, ``bad`` = :data:`BAD`).

    A join, not a subquery per row: PostgreSQL runs a correlated subquery above the parallel
    workers, on the leader alone."""
    sql = driver().sql
    return sql.SQL("coalesce(bad.fixed, {})").format(working(sql.SQL("p.{}").format(geom), srid, work))


#: the repaired geometry of a parcel of ``lc_pairs_area a``, for :func:`parcel_geometry`
BAD = " LEFT JOIN lc_bad bad ON bad.id = a.id "


#: the relation of a PBF polygon ``b`` and a parcel (``{pg}``) from one DE-9IM matrix ``m`` (NULL: the
#: polygon contains the parcel properly, no matrix computed): 1 the polygon covers the parcel (exterior ∩
#: interior and exterior ∩ boundary empty: ``ST_Covers``), 2 their interiors meet, 0 they only touch
PBF_RELATION = ("CASE WHEN m IS NULL OR substr(m, 7, 2) = 'FF' THEN 1 WHEN left(m, 1) <> 'F' THEN 2 ELSE 0 END AS rel")
#: the matrix, computed once per pair in a subquery kept whole by a volatile column (balance_sql.parcel_rows):
#: ``ST_Covers`` and then ``ST_Relate`` ran GEOS's whole relate computation twice for a parcel on the
#: polygon's edge — PostGIS's prepared ``ST_Covers`` falls back to it as soon as the edges touch — and a
#: parcel sharing edges with PBF is the common case (PBF polygons are unions of parcels)
PBF_MATRIX = ("CASE WHEN NOT ST_ContainsProperly(b.geom, {pg}) THEN ST_Relate(b.geom, {pg}) END AS m, "
              "clock_timestamp() AS g_")


def pbf_parts_table(create, parcels, pk, geom, srid: int, work: int):
    """lc_pc: (parcel in a unit, PBF polygon it meets, relation): 1 the polygon covers the parcel,
    2 their interiors meet, 0 they only touch (engine._pbf_part_of). The PBF polygon outside and
    first, the parcels through their spatial index inside: PostGIS prepares each polygon once for
    its parcels (``ST_ContainsProperly`` is then a point-in-polygon test for a parcel well inside;
    one ``ST_Relate`` matrix for the others: :data:`PBF_MATRIX`); parallel workers take polygons each."""
    sql = driver().sql
    pg = parcel_geometry(geom, srid, work)
    return sql.SQL(
        "{create} lc_pc AS SELECT id, bid, " + PBF_RELATION + " FROM (SELECT a.id, b.bid, " + PBF_MATRIX
        + " FROM lc_pb b JOIN {parcels} p ON p.{geom} && b.src AND ST_Intersects(b.src, p.{geom})"
        " JOIN lc_pairs_area a ON a.id = p.{pk}" + BAD + ") AS r").format(pk=pk, pg=pg, geom=geom, parcels=parcels,
                                                                          create=create)


#: engine._pbf_part_of: covered by one PBF polygon -> whole (1); else the union of the pieces of the
#: polygons whose interior meets the parcel's (one that only touches gives no area), whole or none
#: (0) within 1e-12 of the parcel's area, else the part (2). A parcel that only touches PBF has no row
PBF_PARTS = """
{create} lc_pp AS
WITH k AS (SELECT id, bool_or(rel = 1) AS cov, bool_or(rel = 2) AS meets FROM lc_pc GROUP BY id)
SELECT id, 1 AS kind, NULL::geometry AS part FROM k WHERE cov
UNION ALL
SELECT id, CASE WHEN part_area >= area * (1 - 1e-12) THEN 1 WHEN part_area <= area * 1e-12 THEN 0 ELSE 2 END, part
FROM (SELECT id, area, part, ST_Area(part) AS part_area FROM (
        SELECT a.id, a.area, CASE WHEN count(*) = 1 THEN ST_CollectionExtract(min(ST_Intersection({pg}, b.geom)), 3)
                                  ELSE ST_Union(ST_Intersection({pg}, b.geom)) END AS part
        FROM k JOIN lc_pc c ON c.id = k.id AND c.rel = 2 JOIN lc_pb b ON b.bid = c.bid
        JOIN lc_pairs_area a ON a.id = k.id JOIN {parcels} p ON p.{pk} = a.id {bad}
        WHERE k.meets AND NOT k.cov
        GROUP BY a.id, a.area) AS u) AS v
"""


def pbf_parts(create, parcels, pk, geom, srid: int, work: int):
    sql = driver().sql
    return sql.SQL(PBF_PARTS).format(pg=parcel_geometry(geom, srid, work), parcels=parcels, pk=pk, create=create,
                                     bad=sql.SQL(BAD))


#: engine._pbf_share per pair; the unit by a join, not a subquery per row (PostgreSQL runs a correlated
#: subquery on the leader alone)
PBF_SHARES = """
{create} lc_pairs2 AS
SELECT q.id, q.uid, q.s, q.area,
       CASE WHEN pp.kind IS NULL OR pp.kind = 0 THEN 0.0
            WHEN pp.kind = 1 THEN q.s
            WHEN q.s = 1.0 THEN ST_Area(pp.part) / q.area
            ELSE ST_Area(ST_Intersection(u.geom, pp.part)) / q.area END AS ps
FROM lc_pairs q LEFT JOIN lc_pp pp USING (id) LEFT JOIN lc_u u ON u.uid = q.uid AND pp.kind = 2 AND q.s <> 1.0
"""

#: a parcel's share inside the PBF layer as a whole (core.townships), for the township limits and the
#: maintained shares: whole (1), none (0), else the area of the union of its pieces
PBF_WHOLE = """
{create} lc_pw AS
SELECT a.id, CASE WHEN pp.kind = 1 THEN 1.0 WHEN pp.kind = 2 THEN least(1.0, ST_Area(pp.part) / a.area) ELSE 0.0 END
       AS ps
FROM lc_pairs_area a LEFT JOIN lc_pp pp USING (id)
"""

#: units overlapping each other (engine._update_unit_overlaps): 2-dimensional intersection, its area
UNIT_OVERLAPS = """
{create} lc_uover AS
SELECT a.uid AS a, b.uid AS b, ST_Area(ST_Intersection(a.geom, b.geom)) AS area
FROM lc_u a JOIN lc_u b ON a.uid < b.uid AND a.geom && b.geom AND ST_Relate(a.geom, b.geom, '2********')
"""

#: the project rows count a parcel once where overlapping units share it (engine._over): the share
#: of the units' union; elsewhere the sum of the unit shares
PROJECT_SHARES = """
{create} lc_proj AS
WITH many AS (
    SELECT DISTINCT x.id FROM lc_pairs2 x JOIN lc_pairs2 y ON x.id = y.id AND x.uid < y.uid
    JOIN lc_uover o ON o.a = x.uid AND o.b = y.uid AND o.area > 0
    WHERE EXISTS (SELECT 1 FROM lc_uover WHERE area > 0)  -- no overlapping units: the join is not run
), unioned AS (
    SELECT m.id, ST_Union(u.geom) AS ug FROM many m JOIN lc_pairs2 q USING (id) JOIN lc_u u USING (uid) GROUP BY m.id
)
SELECT q.id, sum(q.s) AS s, sum(q.ps) AS ps FROM lc_pairs2 q WHERE q.id NOT IN (SELECT id FROM many) GROUP BY q.id
UNION ALL
SELECT x.id, x.s, CASE WHEN pp.kind IS NULL OR pp.kind = 0 THEN 0.0 WHEN pp.kind = 1 THEN x.s
                       ELSE ST_Area(ST_Intersection(x.ug, pp.part)) / x.area END
FROM (SELECT n.id, n.ug, a.area, least(1.0, ST_Area(ST_Intersection(n.ug, {pg})) / a.area) AS s
      FROM unioned n JOIN lc_pairs_area a USING (id)
      JOIN {parcels} p ON p.{pk} = n.id {bad}) AS x
LEFT JOIN lc_pp pp USING (id)
"""


def project_shares(create, parcels, pk, geom, srid: int, work: int):
    sql = driver().sql
    pg = parcel_geometry(geom, srid, work)
    return sql.SQL(PROJECT_SHARES).format(pg=pg, parcels=parcels, pk=pk, create=create, bad=sql.SQL(BAD))


# --------------------------------------------------------------------------- attributes and sums
#: core.fields.normalize_parcel / with_area and engine._composition / _flows, once per parcel in a
#: unit: each stage a subquery with a volatile column (``clock_timestamp()``, unused) that keeps
#: PostgreSQL from pulling it up and copying the stage's expressions into every use of its columns,
#: which would grow exponentially with the depth; unlike ``OFFSET 0`` (a Limit: the leader alone),
#: the function is parallel safe, so the stages run in the parallel workers
PARCEL_SOURCE = """
SELECT a.id, a.area, a.pw, {twp} AS twp, {tb} AS tb_r, {kc} AS kc_r, {td} AS td_r, {kx} AS kx_r, {gx} AS gx_r,
       coalesce(cd.cls, 'unknown') AS dl, coalesce(cd.farm, false) AS dl_farm, ck.cls AS kcc,
       cg.cls AS ghc, coalesce(cg.farm, false) AS gh_farm, cz.txt AS zz, cy.action AS yn,
       CASE WHEN NOT ({tb} > 0 AND {tb} <= 1e12) THEN {measured} END AS meas, coalesce(cr.coef, 0) AS rc
FROM lc_src a JOIN {parcels} p ON p.{pk} = a.id
LEFT JOIN lc_bad bad ON bad.id = a.id
LEFT JOIN lc_ridge cr ON cr.grade = coalesce({gdpdjb}, '') AND cr.kind = coalesce({gdlx}, '')
LEFT JOIN lc_code cd ON cd.raw = {dlbm}
LEFT JOIN lc_code ck ON ck.raw = {kcdlbm}
LEFT JOIN lc_code cg ON cg.raw = {ghdlbm}
LEFT JOIN lc_code cz ON cz.raw = {zzlx}
LEFT JOIN lc_code cy ON cy.raw = {yncz}
"""

PARCEL_STAGES = (
    # fields.normalize_parcel: unusable TBMJ / KCXS / GHKCXS are missing; TBMJ measured (reader.complete)
    """CASE WHEN tb_r > 0 AND tb_r <= 1e12 THEN tb_r WHEN meas > 0 AND meas <= 1e12 THEN meas ELSE area END AS t,
       CASE WHEN kx_r >= 0 AND kx_r < 1 THEN kx_r END AS kx, CASE WHEN gx_r >= 0 AND gx_r < 1 THEN gx_r END AS gx""",
    # fields.with_area: KCMJ in [0, TBMJ] or TBMJ × KCXS
    "CASE WHEN kc_r >= 0 AND kc_r <= t THEN kc_r ELSE t * kx END AS k",
    # TBDLMJ in [0, TBMJ] or TBMJ − KCMJ; planned; KCXS or KCMJ / TBMJ; 田坎 class; class after
    """CASE WHEN td_r >= 0 AND td_r <= t THEN td_r ELSE t - coalesce(k, 0) END AS d,
       (zz IS NOT NULL OR ghc IS NOT NULL OR gx IS NOT NULL) AS planned,
       coalesce(kx, coalesce(k, 0) / nullif(t, 0), 0) AS kxe,
       CASE WHEN coalesce(k, 0) <> 0 THEN coalesce(kcc, '1203') END AS b2c,
       coalesce(ghc, dl) AS tgt, CASE WHEN ghc IS NOT NULL THEN gh_farm ELSE dl_farm END AS tfarm""",
    # engine._composition, before: (DLBM, TBDLMJ), (KCDLBM, KCMJ); the deduction coefficient after
    # (areas.planned_ridge_coefficient: GHKCXS; farmland's own KCXS; new farmland the pack's 田坎 table)
    """d + CASE WHEN b2c = dl THEN k ELSE 0 END AS vb1,
       CASE WHEN b2c <> dl THEN b2c END AS b2, CASE WHEN b2c <> dl THEN k END AS vb2,
       CASE WHEN tfarm THEN CASE WHEN gx IS NOT NULL THEN gx WHEN dl_farm THEN kxe ELSE rc END ELSE 0 END AS coef""",
    # after: farmland keeps TBMJ × (1 − coef) and 田坎 TBMJ × coef, anything else the whole TBMJ
    """CASE WHEN planned THEN tgt ELSE dl END AS a1,
       CASE WHEN NOT planned THEN vb1
            WHEN tfarm THEN t * (1 - coef) + CASE WHEN tgt = '1203' THEN t * coef ELSE 0 END ELSE t END AS va1,
       CASE WHEN NOT planned THEN b2 WHEN tfarm AND coef <> 0 AND tgt <> '1203' THEN '1203' END AS a2,
       CASE WHEN NOT planned THEN vb2 WHEN tfarm AND coef <> 0 AND tgt <> '1203' THEN t * coef END AS va2,
       CASE WHEN planned THEN tfarm ELSE dl_farm END AS a1_farm""",
    # engine._flows: the same class first
    """CASE WHEN dl = a1 THEN least(vb1, va1) WHEN dl = a2 THEN least(vb1, va2) ELSE 0 END AS s1,
       CASE WHEN b2 IS NULL THEN 0 WHEN b2 = a1 THEN least(vb2, va1)
            WHEN b2 = a2 THEN least(vb2, va2) ELSE 0 END AS s2""",
    """vb1 - s1 AS rb1, coalesce(vb2, 0) - s2 AS rb2,
       va1 - CASE WHEN a1 = dl THEN s1 WHEN a1 = b2 THEN s2 ELSE 0 END AS ra1,
       coalesce(va2, 0) - CASE WHEN a2 = dl THEN s1 WHEN a2 = b2 THEN s2 ELSE 0 END AS ra2""",
    # then the rest pro rata of what is left after
    """greatest(ra1, 0) + greatest(ra2, 0) AS tot""",
    """CASE WHEN tot > 0 AND rb1 > 0 AND ra1 > 0 THEN rb1 * ra1 / tot ELSE 0 END AS x11,
       CASE WHEN tot > 0 AND rb1 > 0 AND ra2 > 0 THEN rb1 * ra2 / tot ELSE 0 END AS x12,
       CASE WHEN tot > 0 AND rb2 > 0 AND ra1 > 0 THEN rb2 * ra1 / tot ELSE 0 END AS x21,
       CASE WHEN tot > 0 AND rb2 > 0 AND ra2 > 0 THEN rb2 * ra2 / tot ELSE 0 END AS x22""",
)

#: engine._contribute per pair (``uid``) and per parcel for the project rows (``uid`` NULL), summed by
#: the classes before and after; PBF before/after/out/in as the engine counts them. The project rows
#: are also split by township (``town``) with the township limits' sums of the parcels in units
#: (core.townships: TBMJ × the share inside the PBF layer as a whole, ``pw``). The per-parcel rules
#: are a subquery (``{rows}``, parcel_rows), not a table: computed once per parcel in the workers,
#: joined with its pairs and summed there, nothing written
GROUP_SUMS = """
SELECT uid, dl AS b1, b2, a1, a2, planned, CASE WHEN planned THEN coalesce(zz, '') END AS zzlx,
       CASE WHEN uid IS NULL THEN twp END AS town,
       sum(s * vb1) AS vb1, sum(s * vb2) AS vb2, sum(s * va1) AS va1, sum(s * va2) AS va2, sum(s * t) AS tbmj,
       sum(s * s1) AS same1, sum(s * s2) AS same2, sum(s * x11) AS x11, sum(s * x12) AS x12,
       sum(s * x21) AS x21, sum(s * x22) AS x22,
       sum(CASE WHEN ps <> 0 THEN t * ps ELSE 0 END) AS pbf_before, sum(pa) AS pbf_after,
       sum(CASE WHEN ps <> 0 AND yn = 'OUT' THEN t * ps ELSE 0 END) AS pbf_out,
       sum(CASE WHEN ps <> 0 THEN greatest(pa - t * ps, 0) WHEN yn = 'IN' THEN pa ELSE 0 END) AS pbf_in,
       sum(CASE WHEN uid IS NULL THEN t * pw0 ELSE 0 END) AS tw_before,
       sum(CASE WHEN uid IS NOT NULL OR yn = 'OUT' THEN 0 WHEN yn = 'IN' THEN t WHEN a1_farm THEN t * pw0 ELSE 0 END)
           AS tw_after,
       sum(CASE WHEN uid IS NULL AND yn = 'OUT' THEN t * pw0 ELSE 0 END) AS tw_out,
       sum(CASE WHEN uid IS NULL AND yn = 'IN' THEN t - t * pw0 ELSE 0 END) AS tw_in
FROM (SELECT w.uid, w.s, w.ps, n.*, coalesce(n.pw, 0) AS pw0,
             CASE WHEN w.ps <> 0 THEN CASE n.yn WHEN 'OUT' THEN 0 WHEN 'IN' THEN n.t * w.s
                                                ELSE CASE WHEN n.a1_farm THEN n.t * w.ps ELSE 0 END END
                  WHEN n.yn = 'IN' THEN n.t * w.s ELSE 0 END AS pa
      FROM (SELECT uid, id, s, ps FROM lc_pairs2 UNION ALL SELECT NULL::bigint, id, s, ps FROM lc_proj) AS w
      JOIN ({rows}) AS n USING (id)) AS x
GROUP BY 1, 2, 3, 4, 5, 6, 7, 8
"""

#: what GROUP_SUMS reads of a parcel
PARCEL_COLUMNS = ("id, dl, b2, a1, a2, planned, zz, yn, a1_farm, t, vb1, vb2, va1, va2, s1, s2, "
                  "x11, x12, x21, x22, twp, pw")


#: a piece of a split survey parcel reads its share of the parcel's areas (pieces_sql.lc_piece)
PIECE_NUMBERS = ("CASE WHEN pc.id IS NULL THEN {tb} ELSE pc.tb END AS tb_r, "
                 "CASE WHEN pc.id IS NULL THEN {kc} ELSE pc.kc END AS kc_r, "
                 "CASE WHEN pc.id IS NULL THEN {td} ELSE pc.td END AS td_r, "
                 "CASE WHEN pc.id IS NULL THEN {kx} ELSE pc.kx END AS kx_r")


#: lc_src, what lc_parcel is made of when every share was computed: a parcel in a unit, its planar
#: area and its share inside the PBF layer as a whole (the township limits)
SOURCE_VIEW = "{view} lc_src AS SELECT a.id, a.area, w.ps AS pw FROM lc_pairs_area a LEFT JOIN lc_pw w USING (id)"


def parcel_rows(source: str = "lc_src", pieces: bool = False) -> str:
    """PARCEL_SOURCE and the PARCEL_STAGES nested, once per parcel of ``source`` (id, planar area, share
    inside the PBF layer; SQL text with ``{…}`` slots): the columns of PARCEL_COLUMNS. The stages and
    the joins run in the parallel workers. ``pieces``: some parcels are pieces of a split whose areas
    come from ``lc_piece`` (pieces_sql)."""
    text = PARCEL_SOURCE.replace("FROM lc_src a", f"FROM {source} a")
    if pieces:
        text = text.replace("{tb} AS tb_r, {kc} AS kc_r, {td} AS td_r, {kx} AS kx_r", PIECE_NUMBERS)
        text = text.replace("LEFT JOIN lc_bad bad", "LEFT JOIN lc_piece pc ON pc.id = a.id\nLEFT JOIN lc_bad bad")
    text = text.replace("SELECT a.id, a.area,", "SELECT a.id, a.area, clock_timestamp() AS g_,", 1)
    for k, stage in enumerate(PARCEL_STAGES):
        text = f"SELECT *, {stage}, clock_timestamp() AS g{k} FROM ({text}) AS n{k}"
    return f"SELECT {PARCEL_COLUMNS} FROM ({text}) AS n"


#: a few parcels (at most one in FEW of them) are read from a copy of their rows (rows_of)
FEW = 10


def rows_of(create, target: str, parcels, pk, ids: str):
    """``target``: the rows of ``parcels`` whose key is in the work table ``ids`` (column ``id``), with an
    index on the key. The ids go in as one array, which PostgreSQL pushes down into the planning schema's
    ``parcels`` view, a ``UNION ALL`` (migration 16), as an index condition on each of its two tables. A
    join of the ids with the view was planned as if it kept every parcel — a union's column has no
    statistics — and hashed the whole view, the survey joined to itself (bench/README.md, "The balance
    after one edit on migration 16's view")."""
    sql = driver().sql
    return sql.SQL("{create} {target} AS SELECT p.* FROM {parcels} p WHERE p.{pk} = ANY(ARRAY(SELECT id FROM {ids}))"
                   ).format(create=create, target=sql.Identifier(target), parcels=parcels, pk=pk,
                            ids=sql.Identifier(ids))


def parcels_query(source: str, target: str, pieces: bool = False) -> str:
    """``target``: a table of :func:`parcel_rows` of ``source`` (the few parcels the township limits
    read outside the units)."""
    return f"{{create}} {target} AS {parcel_rows(source, pieces)}"


#: the pairs and project rows of the units to recompute, keyed as sum_cache keeps them: the unit's
#: ``plan_unit.id`` and, for a project row, its bucket (sum_cache)
KEPT_PAIRS = ("(SELECT unit_pk AS uid, NULL::bigint AS bucket, id, s, ps FROM lc_dpairs "
              "UNION ALL SELECT NULL::bigint, bucket, id, s, ps FROM lc_dproj) AS w")


def group_sums(pieces: bool, kept: bool = False) -> str:
    """GROUP_SUMS over the parcels in units (``lc_src``), SQL text with ``{…}`` slots; ``kept``: over
    the units sum_cache recomputes (lc_dpairs, lc_dproj, lc_dsrc), per unit and bucket."""
    if not kept:
        return GROUP_SUMS.replace("{rows}", parcel_rows("lc_src", pieces))
    text = GROUP_SUMS.replace("{rows}", parcel_rows("lc_dsrc", pieces))
    pairs = "(SELECT uid, id, s, ps FROM lc_pairs2 UNION ALL SELECT NULL::bigint, id, s, ps FROM lc_proj) AS w"
    for a, b in (("SELECT uid, dl AS b1", "SELECT uid, bucket, dl AS b1"),
                 ("SELECT w.uid, w.s", "SELECT w.uid, w.bucket, w.s"), (pairs, KEPT_PAIRS),
                 ("GROUP BY 1, 2, 3, 4, 5, 6, 7, 8", "GROUP BY 1, 2, 3, 4, 5, 6, 7, 8, 9")):
        assert a in text
        text = text.replace(a, b)
    return text
