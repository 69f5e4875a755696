"""Pieces of one survey parcel and identical copies in ``balance --in-database`` (core.pieces).

The engine's rule (docs/domain-area-rules.md), in SQL, for the few features whose BSM is held by
several features (and, for copies, those without a BSM):

* **identical copies** (``lc_shadow``): the same geometry (normalised) and the same attributes
  as a feature with a smaller id count nowhere (validation.identical_groups, the engine's
  ``shadows``): the other copies' rows are taken out of the work tables after the geometry steps;
* **pieces of a split** (``lc_piece``): two or more features (copies left out) with one BSM,
  every one with a geometry and a usable TBMJ, the same (DLBM, KCDLBM, KCXS) (core.pieces.
  survey_key), together one connected whole (within 1 cm: ``ST_ClusterWithin``) and no two
  overlapping by more than max(1 m², 1 % of the smaller). The features with the same TBMJ ``v``
  form a class of ``k`` pieces of ellipsoidal area ``A``, standing for ``m = round(A / v)``
  (1…k) shares; the parcel's TBMJ is Σ m·v, its KCMJ and TBDLMJ Σ (class sum × m / k); each
  piece takes these × its planar area / the group's (core.pieces.apportion). The per-parcel
  rules then read a piece's TBMJ, KCMJ, TBDLMJ and KCXS from ``lc_piece``.
"""
from __future__ import annotations

from ...core.fields import normalize_parcel
from .connection import driver

#: the characters Python's ``str.strip()`` takes off (``fields._text``), as a regex class of PostgreSQL:
#: ``btrim`` takes spaces only, and a BSM with a tab or a full-width space around it is one parcel to the engine
PY_SPACE = ("[\\t\\n\\u000b\\f\\r \\u001c-\\u001f\\u0085\\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029"
            "\\u202f\\u205f\\u3000]")

#: the record fields compared for identical copies besides the BSM (ParcelRecord.__slots__)
RECORD_FIELDS = ("DLBM", "GDLX", "GDPDJB", "GHDLBM", "GHKCXS", "KCDLBM", "KCMJ", "KCXS", "TBDLMJ", "TBMJ",
                 "YNCZ", "ZLDWDM", "ZZLX")


def bsm_of(column: str | None, alias: str = "p"):
    """fields.survey_bsm in SQL: the trimmed text, NULL for none or a placeholder (0, 000…, -)."""
    sql = driver().sql
    if not column:
        return sql.SQL("NULL::text")
    text = sql.SQL("nullif(regexp_replace({}.{}::text, {}, '', 'g'), '')").format(
        sql.Identifier(alias), sql.Identifier(column), sql.Literal(f"^{PY_SPACE}+|{PY_SPACE}+$"))
    return sql.SQL("CASE WHEN upper({t}) NOT IN ('NULL', 'NONE') AND btrim({t}, '0-_. ') <> '' THEN {t} END").format(
        t=text)


#: the BSM values as stored that several features hold (grouped on the column itself: a planning
#: schema's survey has an index on it, ``share_cache.BSM_INDEX``), those with blanks around them and
#: their trimmed forms (fields.survey_bsm trims: " 12" and "12" are one parcel)
SEVERAL = """
{create} lc_bsmx AS
SELECT b::text AS b FROM (SELECT p.{col} AS b FROM {parcels} p) AS x WHERE b IS NOT NULL GROUP BY b HAVING count(*) > 1
UNION SELECT v FROM (SELECT p.{col}::text AS b FROM {parcels} p WHERE p.{col}::text ~ {edge}) AS y,
      LATERAL (VALUES (b), (regexp_replace(b, {trim}, '', 'g'))) AS z(v)
"""

#: the members of those groups: geometry as read (copies), repaired in the working CRS, numbers, codes
MEMBERS = """
{create} lc_grp AS SELECT p.{pk} AS id, {bsm} AS bsm, {pg} AS pg, {tb} AS tb, {kc} AS kc_r, {td} AS td_r, {kx} AS kx_r,
       cd.txt AS dl, ck.txt AS kcd
FROM {parcels} p JOIN lc_bsmx x ON x.b = p.{col}::text
LEFT JOIN lc_bad bad ON bad.id = p.{pk}
LEFT JOIN lc_code cd ON cd.raw = {dlbm} LEFT JOIN lc_code ck ON ck.raw = {kcdlbm}
"""

#: candidate identical copies: a feature with a smaller id, the same BSM (or both none) and the same
#: geometry; whether their attributes are the same is decided by the engine's own normalisation
#: (:func:`_same_records`), on the client, for these few rows only
TWINS = """
{create} lc_twin AS
SELECT a.{pk} AS id, b.{pk} AS other FROM lc_grp ga JOIN lc_grp gb ON gb.bsm = ga.bsm AND gb.id < ga.id
JOIN {parcels} a ON a.{pk} = ga.id JOIN {parcels} b ON b.{pk} = gb.id
WHERE a.{geom} ~= b.{geom} AND ST_AsBinary(ST_Normalize(a.{geom})) = ST_AsBinary(ST_Normalize(b.{geom}))
UNION
SELECT a.{pk}, b.{pk} FROM {parcels} a JOIN {parcels} b ON a.{geom} ~= b.{geom} AND b.{pk} < a.{pk}
WHERE {ba} IS NULL AND {bb} IS NULL AND ST_AsBinary(ST_Normalize(a.{geom})) = ST_AsBinary(ST_Normalize(b.{geom}))
"""


PIECES = """
{create} lc_piece AS
WITH m AS (
    SELECT id, bsm, pg, ST_Area(pg) AS area, ST_Area(geography(ST_Transform(pg, 4490))) AS ell, tb AS t, kc_r, td_r,
           kx_r, dl, kcd, CASE WHEN kx_r >= 0 AND kx_r < 1 THEN kx_r END AS kx
    FROM lc_grp g WHERE NOT EXISTS (SELECT 1 FROM lc_shadow s WHERE s.id = g.id)
), n AS (  -- fields.normalize_parcel / with_area of each piece as read
    SELECT *, CASE WHEN td_r >= 0 AND td_r <= t THEN td_r ELSE t - coalesce(k, 0) END AS d,
           coalesce(kx, k / nullif(t, 0)) AS kxe,
           coalesce(kcd, CASE WHEN coalesce(k, 0) <> 0 THEN '1203' END) AS kcde
    FROM (SELECT *, CASE WHEN kc_r >= 0 AND kc_r <= t THEN kc_r ELSE t * kx END AS k FROM m) AS x
), ok AS (  -- pieces.explained_as_split with survey_key; every piece with a TBMJ (group_totals)
    SELECT bsm FROM n GROUP BY bsm
    HAVING count(*) >= 2 AND bool_and(pg IS NOT NULL AND NOT ST_IsEmpty(pg)) AND bool_and(t > 0 AND t <= 1e12)
       AND count(DISTINCT concat_ws('|', coalesce(dl, '~'), coalesce(kcde, '~'), coalesce(kxe::text, '~'))) = 1
       AND array_length(ST_ClusterWithin(pg, 0.01) FILTER (WHERE NOT ST_IsEmpty(pg)), 1) = 1
    EXCEPT
    SELECT a.bsm FROM n a JOIN n b ON a.bsm = b.bsm AND a.id < b.id AND ST_Intersects(a.pg, b.pg)
    WHERE ST_Area(ST_Intersection(a.pg, b.pg)) > greatest(1.0, 0.01 * least(a.area, b.area))
), cls AS (  -- pieces.group_totals: a class of k pieces with one TBMJ stands for m shares
    SELECT bsm, t AS v, count(*) AS k, sum(ell) AS a, sum(coalesce(k, 0)) AS kc, sum(d) AS td
    FROM n WHERE bsm IN (SELECT bsm FROM ok) GROUP BY bsm, t
), tot AS (
    SELECT bsm, sum(mm * v) AS tb, sum(kc * mm / k) AS kc, sum(td * mm / k) AS td
    FROM (SELECT *, greatest(1, least(k, round(a / v))) AS mm FROM cls) AS c GROUP BY bsm
), whole AS (SELECT bsm, sum(area) AS area FROM n WHERE bsm IN (SELECT bsm FROM ok) GROUP BY bsm)
SELECT n.id, tot.tb * n.area / w.area AS tb,
       CASE WHEN n.k IS NOT NULL OR tot.kc <> 0 THEN tot.kc * n.area / w.area END AS kc,
       tot.td * n.area / w.area AS td, n.kxe AS kx
FROM n JOIN tot USING (bsm) JOIN whole w USING (bsm) WHERE w.area > 0
"""

#: the work tables the identical copies are taken out of (after the geometry steps)
SHADOWED = ("lc_pairs2", "lc_proj", "lc_pairs_area", "lc_pw")


def prepare(cur, create, t, named: dict, slots: dict, tbmj_in_mu: bool = False, kept=None) -> tuple[int, int]:
    """lc_shadow and lc_piece for the parcel table ``t`` (balance.Table); ``slots``: the SQL of
    the parcel's numbers and codes (balance's); ``kept``: survey_cache.Kept, whose lc_grp and
    lc_twin are read when fresh. Returns (identical copies, pieces sharing)."""
    sql = driver().sql
    if kept is not None and kept.fresh:
        several = kept.groups(cur, create)
    else:
        several = _groups(cur, create, t, named, slots)
    shadows = _shadows(cur, create, parcels=t.name, pk=t.pk, named=named, tbmj_in_mu=tbmj_in_mu)
    if several:
        cur.execute(sql.SQL(PIECES).format(create=create))
    else:
        cur.execute(sql.SQL("{} lc_piece (id bigint, tb float8, kc float8, td float8, kx float8)").format(create))
    cur.execute("SELECT count(*) FROM lc_piece")
    pieces = cur.fetchone()[0]
    return shadows, pieces


def _groups(cur, create, t, named: dict, slots: dict) -> int:
    """lc_grp (the features of BSMs held by several) and lc_twin (candidate identical copies)."""
    sql = driver().sql
    bsm = bsm_of(named.get("BSM"))
    common = dict(create=create, parcels=t.name, pk=t.pk, geom=t.geom, bsm=bsm,
                  edge=sql.Literal(f"^{PY_SPACE}|{PY_SPACE}$"), trim=sql.Literal(f"^{PY_SPACE}+|{PY_SPACE}+$"))
    several = 0
    if named.get("BSM"):
        common["col"] = sql.Identifier(named["BSM"])
        cur.execute("SET LOCAL enable_hashagg = off")  # sorted (by the index) beats a hash of 10⁶ texts
        cur.execute(sql.SQL(SEVERAL).format(**common))
        cur.execute("SET LOCAL enable_hashagg = on")
        cur.execute("SELECT count(*) FROM lc_bsmx")
        several = cur.fetchone()[0]
    if several:
        cur.execute("ANALYZE lc_bsmx")
        cur.execute(sql.SQL(MEMBERS).format(**common, **{k: slots[k] for k in (
            "pg", "tb", "kc", "td", "kx", "dlbm", "kcdlbm")}))
    else:
        cur.execute(sql.SQL("{} lc_grp (id bigint, bsm text)").format(create))
    # copies with a BSM are among the groups; without one, any two features may be copies
    cur.execute(sql.SQL(TWINS).format(**common, ba=bsm_of(named.get("BSM"), "a"), bb=bsm_of(named.get("BSM"), "b")))
    return several


def _shadows(cur, create, parcels, pk, named: dict, tbmj_in_mu: bool) -> int:
    """lc_shadow: the candidates of ``lc_twin`` whose record, normalised as the engine normalises it
    (``fields.normalize_parcel``: trimmed text, YNCZ spellings, grades, 亩), equals the other's — the
    engine's identical copies (validation.identical_groups). Only the candidates' attributes are read."""
    sql = driver().sql
    cur.execute(sql.SQL("{} lc_shadow (id bigint PRIMARY KEY)").format(create))
    cur.execute("SELECT id, other FROM lc_twin")
    twins = cur.fetchall()
    if not twins:
        return 0
    fields = [f for f in (*RECORD_FIELDS, "BSM") if named.get(f)]
    cur.execute(sql.SQL("SELECT {pk}, {cols} FROM {parcels} WHERE {pk} = ANY(%s)").format(
        pk=pk, parcels=parcels, cols=sql.SQL(", ").join(sql.Identifier(named[f]) for f in fields)),
        (sorted({i for pair in twins for i in pair}),))
    records = {row[0]: normalize_parcel(dict(zip(fields, row[1:])), tbmj_in_mu).as_tuple() for row in cur.fetchall()}
    shadows = sorted({a for a, b in twins if records.get(a) == records.get(b)})
    if shadows:
        driver().extras.execute_values(cur, "INSERT INTO lc_shadow VALUES %s", [(i,) for i in shadows])
    return len(shadows)


def drop_shadows(cur) -> None:
    """The identical copies' rows out of the work tables: they count nowhere (engine ``shadows``)."""
    for table in SHADOWED:
        cur.execute(f"DELETE FROM {table} WHERE id IN (SELECT id FROM lc_shadow)")
