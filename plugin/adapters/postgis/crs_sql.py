"""The CRS plausibility checks of ``balance --in-database`` (issue 12; docs/postgis.md, "The balance
inside the database").

The in-process engine refuses data whose coordinates do not fit the declared CRS (metres labelled as
degrees, a zone prefix the CRS does not have, the wrong Gauss–Krüger zone, no CRS at all:
``validation.check_crs`` of each layer's CRS and extent, ``adapters.layers.crs_problems``). The
database path asks the same question of its tables: the CRS of each table's SRID as QGIS reads it
(``spatial_ref_sys``: the authority code, else the WKT, else the PROJ string; SRID 0: none) and the
table's extent (``ST_Extent``: one scan of the bounding boxes, no geometry leaves the server), and
refuses with the same message (``adapters.layers.refusal``).
"""
from __future__ import annotations

from qgis.core import QgsCoordinateReferenceSystem

from ...core.i18n import tr
from ...core.validation import Problem, check_crs
from ..crs import crs_info
from ..layers import refusal
from .connection import driver
from .split_sql import planning_view


def srid_crs(cur, srid: int) -> QgsCoordinateReferenceSystem:
    """The CRS QGIS makes of ``srid`` in this database (invalid for 0 or an SRID it does not know)."""
    if not srid:
        return QgsCoordinateReferenceSystem()
    cur.execute("SELECT auth_name, auth_srid, srtext, proj4text FROM spatial_ref_sys WHERE srid = %s", (srid,))
    row = cur.fetchone()
    if row is None:
        return QgsCoordinateReferenceSystem()
    auth, code, wkt, proj = row
    crs = QgsCoordinateReferenceSystem(f"{auth}:{code}") if auth and code else QgsCoordinateReferenceSystem()
    if not crs.isValid() and wkt:
        crs = QgsCoordinateReferenceSystem.fromWkt(wkt)
    if not crs.isValid() and proj:
        crs = QgsCoordinateReferenceSystem.fromProj(proj)
    return crs


def extent(cur, table) -> tuple[float, float, float, float] | None:
    """(xmin, ymin, xmax, ymax) of ``table``'s geometry (a ``balance.Table``), None when it has none.
    A planning schema's ``parcels`` view (migration 16, split_sql.view_sql): the extent of its two tables,
    the survey and the pieces (which lie in their parcels: the same extent, within the pieces' tolerance),
    each scanned alone; the view's scan joins the survey to itself (10⁶ parcels: 1.0 s instead of ~0.3 s,
    bench/README.md "The balance after one edit on migration 16's view")."""
    sql = driver().sql
    schema = planning_view(cur, table.name)
    source = table.name if schema is None else sql.SQL(
        "(SELECT geom AS {g} FROM {s} UNION ALL SELECT geom FROM {x})").format(
        g=table.geom, s=sql.Identifier(schema, "survey"), x=sql.Identifier(schema, "plan_split"))
    cur.execute(sql.SQL("SELECT ST_XMin(e), ST_YMin(e), ST_XMax(e), ST_YMax(e) FROM (SELECT ST_Extent({g}) AS e "
                        "FROM {t} AS t) AS x").format(g=table.geom, t=source))
    row = cur.fetchone()
    return None if row is None or row[0] is None else tuple(float(v) for v in row)


def crs_problems(cur, tables: list[tuple[object, str]]) -> list[Problem]:
    """``validation.check_crs`` of each (``balance.Table``, what the layer is) as the in-process engine
    asks it of the layers (``adapters.layers.crs_problems``)."""
    found = [check_crs(crs_info(srid_crs(cur, t.srid)), extent(cur, t), what) for t, what in tables]
    return [p for p in found if p is not None]


def refuse_bad_crs(cur, parcels, units, pbf) -> None:
    """Refuse, as the in-process engine does, tables (``balance.Table``) whose coordinates do not fit
    their CRS; ``pbf`` may be None."""
    tables = [(parcels, tr("parcel")), (units, tr("units"))]
    if pbf is not None:
        tables.append((pbf, tr("permanent basic farmland")))
    problems = crs_problems(cur, tables)
    if problems:
        raise refusal(problems)
