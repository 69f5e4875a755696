"""The SQL parcel copier: from an unedited GeoPackage table straight into the new file.

The source is attached read-only; whole parcels (share 1, most of them) are copied with one
``INSERT … SELECT`` (geometry blobs as they are when already 2-D MultiPolygons of the same
srs_id), the engine's numbers and the boundary pairs (share < 1, intersected in bulk with
shapely) come in through a temporary table, and the R-tree is bulk-loaded
(``gpkg.fill_rtree``) instead of row by row. Durability is not needed here: the temporary file
is fsynced before it is moved into place.
"""
from __future__ import annotations

import os
import sqlite3
import struct
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

import numpy as np
import shapely
from osgeo import ogr
from qgis.core import QgsProviderRegistry, QgsVectorLayer, QgsWkbTypes

from ...core.i18n import tr
from ..gpkg import WriteError, fill_rtree
from ..wkb import parse_wkb
from .geometry import clip_to_units, multipolygon_wkb, multipolygon_wkbs, unit_geometries
from .ogr_fields import ogr_type
from .parcels import AREA_FIELDS, SHARE_FIELD, UNIT_CODE_FIELD, ParcelCopier, ParcelJob, ParcelSchema
from .progress import cancelled_error

#: bytes of the envelope in a GeoPackage geometry blob, by the envelope code in its flags
_ENVELOPE_BYTES = {0: 0, 1: 32, 2: 48, 3: 48, 4: 64}
TEMP_PREFIX = "lcp_"
#: SQLite asks for cancellation every this many VM steps (~50 rows of the INSERT … SELECT)
INTERRUPT_STEPS = 10_000
_KIND_OF_OGR = {ogr.OFTInteger: "int", ogr.OFTInteger64: "int", ogr.OFTReal: "real", ogr.OFTString: "text",
                ogr.OFTDate: "date", ogr.OFTDateTime: "datetime"}


@dataclass
class GpkgSource:
    """A GeoPackage feature table the parcels can be copied from in SQL."""

    path: str
    table: str
    fid: str
    geom: str


def quoted(name: str) -> str:
    """A quoted SQLite identifier."""
    return '"' + name.replace('"', '""') + '"'


def sql_kind(declared: str) -> str:
    d = (declared or "").upper()
    if d.startswith("BOOLEAN") or "INT" in d:
        return "int"
    if any(k in d for k in ("REAL", "FLOA", "DOUB")):
        return "real"
    if d.startswith("DATETIME"):
        return "datetime"
    if d.startswith("DATE"):
        return "date"
    if any(k in d for k in ("TEXT", "CHAR", "CLOB")):
        return "text"
    return "other"


def blob_wkb(blob: bytes) -> bytes | None:
    """The WKB inside a GeoPackage geometry blob (None for an empty geometry)."""
    if blob[:2] != b"GP":
        return blob  # not a GeoPackage blob: take it as plain WKB
    flags = blob[3]
    if flags & 0x10:
        return None
    env = _ENVELOPE_BYTES.get((flags >> 1) & 7)
    if env is None:
        raise ValueError("bad GeoPackage geometry envelope code")
    return blob[8 + env:]


def gpkg_blob(wkb: bytes, srs_id: int, bounds) -> bytes:
    """A standard little-endian GeoPackage blob with its XY envelope (bounds = minx, miny, maxx, maxy)."""
    minx, miny, maxx, maxy = bounds
    return b"GP\x00\x03" + struct.pack("<i4d", srs_id, minx, maxx, miny, maxy) + wkb


def _geometry_fixer(srs_id: int):
    """SQL function body: any source blob as a 2-D MultiPolygon blob of ``srs_id`` (None if empty)."""

    def fix(blob):
        if blob is None:
            return None
        wkb = blob_wkb(bytes(blob))
        if wkb is None:
            return None
        geom = parse_wkb([wkb])[0]
        mp = multipolygon_wkb(geom)
        if mp is None:
            return None
        return gpkg_blob(mp, srs_id, shapely.bounds(shapely.from_wkb(mp)).tolist())

    return fix


def _source_table(layer: QgsVectorLayer) -> tuple[str, str, str, dict] | None:
    """(file, table, geometry column, {column: (declared type, pk)}) of a GeoPackage layer, or None."""
    parts = QgsProviderRegistry.instance().decodeUri("ogr", layer.source())
    path, name = parts.get("path"), parts.get("layerName")
    if not path or not name or not os.path.isfile(path):
        return None
    try:
        con = sqlite3.connect(Path(path).resolve().as_uri() + "?mode=ro", uri=True)
        try:
            row = con.execute("SELECT table_name, column_name FROM gpkg_geometry_columns "
                              "WHERE lower(table_name) = lower(?)", (name,)).fetchone()
            if row is None:
                return None
            table, geom = row
            columns = {r[1]: (r[2], r[5]) for r in con.execute(f"PRAGMA table_info({quoted(table)})")}
        finally:
            con.close()
    except sqlite3.Error:
        return None
    return str(Path(path).resolve()), table, geom, columns


def _boundary_blobs(con: sqlite3.Connection, src: GpkgSource, boundary: list, job: ParcelJob,
                    srs_id: int) -> list[bytes | None]:
    """GeoPackage blobs of the boundary pairs [(parcel id, unit id)]: source geometries clipped in bulk."""
    table, fid, geom = quoted(src.table), quoted(src.fid), quoted(src.geom)
    con.execute(f"CREATE TEMP TABLE {TEMP_PREFIX}fids(fid INTEGER PRIMARY KEY)")
    con.executemany(f"INSERT OR IGNORE INTO {TEMP_PREFIX}fids VALUES (?)", ((pid,) for pid, _u in boundary))
    blobs = dict(con.execute(f"SELECT s.{fid}, s.{geom} FROM lcp_src.{table} s "
                             f"WHERE s.{fid} IN (SELECT fid FROM {TEMP_PREFIX}fids)"))
    wkbs = [None if blobs.get(pid) is None else blob_wkb(blobs[pid]) for pid, _u in boundary]
    del blobs
    job.progress.check()
    unit_geoms = unit_geometries(job.inputs, job.inputs.parcels.crs(), job.uids)
    clipped = clip_to_units(wkbs, [uid for _p, uid in boundary], unit_geoms)
    del wkbs
    out_wkbs = multipolygon_wkbs(clipped)
    bounds = shapely.bounds(clipped).tolist()
    for k in np.flatnonzero(~np.isin(shapely.get_type_id(clipped), (3, 6))).tolist():
        if out_wkbs[k] is not None:  # a collection: the box of its polygonal part
            bounds[k] = shapely.bounds(shapely.from_wkb(out_wkbs[k])).tolist()
    return [None if w is None else gpkg_blob(w, srs_id, b) for w, b in zip(out_wkbs, bounds)]


def _pair_rows(job: ParcelJob, needed: dict, order: list, boundary_blobs: list) -> Iterator[tuple]:
    """(seq, source fid, TBMJ, KCMJ, TBDLMJ, DYBH, share, clipped, clipped geometry) in source order."""
    codes = job.codes()
    areas = job.engine.parcel_areas
    clipped_blobs = iter(boundary_blobs)
    seq = 0
    for n, pid in enumerate(order):
        if n % 20000 == 0:
            job.progress.check()
        tbmj, kc, tbdl = areas(pid)
        for uid, share in needed[pid]:
            seq += 1
            cut = share < 1.0
            yield (seq, pid, tbmj * share, kc * share, tbdl * share, codes[uid], share, int(cut),
                   next(clipped_blobs) if cut else None)


def _insert_parcels(con: sqlite3.Connection, src: GpkgSource, schema: ParcelSchema, srs_id: int) -> int:
    """One ``INSERT … SELECT`` of every pair from the temporary pairs table joined to the source."""
    table, fid, geom = quoted(src.table), quoted(src.fid), quoted(src.geom)
    source_of = {name: f.name() for _i, f, name in schema.source}
    by_engine = {"TBMJ": "p.tbmj", "KCMJ": "p.kcmj", "TBDLMJ": "p.tbdlmj", UNIT_CODE_FIELD: "p.code",
                 SHARE_FIELD: "p.share"}
    exprs = [by_engine[n] if n in by_engine else f"s.{quoted(source_of[n])}" if n in source_of else "NULL"
             for n in schema.names]
    header = (b"GP\x00\x03" + struct.pack("<i", srs_id)).hex()
    con.create_function("lcp_geom", 1, _geometry_fixer(srs_id), deterministic=True)
    geom_expr = (f"CASE WHEN p.clipped THEN p.geom WHEN substr(s.{geom}, 1, 8) = X'{header}' "
                 f"AND substr(s.{geom}, 41, 5) = X'0106000000' THEN s.{geom} ELSE lcp_geom(s.{geom}) END")
    cur = con.execute(
        f"INSERT INTO main.parcels (fid, geom, {', '.join(quoted(n) for n in schema.names)}) "
        f"SELECT p.seq, {geom_expr}, {', '.join(exprs)} FROM {TEMP_PREFIX}pairs p "
        f"JOIN lcp_src.{table} s ON s.{fid} = p.src_fid ORDER BY p.seq")
    return cur.rowcount


def _index_parcels(con: sqlite3.Connection, path: Path, count: int, triggers: list) -> None:
    """Spatial index (bulk-loaded), GDAL's ``triggers`` put back, extent and feature count of the
    filled parcels table."""
    heads = con.execute("SELECT fid, substr(geom, 1, 40) FROM main.parcels WHERE geom IS NOT NULL").fetchall()
    ids = np.fromiter((r[0] for r in heads), dtype=np.int64, count=len(heads))
    raw = np.frombuffer(b"".join(r[1] for r in heads), dtype=np.uint8).reshape(-1, 40) if heads else \
        np.zeros((0, 40), np.uint8)
    del heads
    if len(raw) and not (raw[:, 3] == 3).all():
        raise WriteError(tr("Cannot write {0}: unexpected geometry header").format(path))
    env = np.frombuffer(raw[:, 8:40].tobytes(), dtype="<f8").reshape(-1, 4)
    if con.execute("SELECT 1 FROM main.sqlite_master WHERE name = 'rtree_parcels_geom'").fetchone():
        fill_rtree(con, "rtree_parcels_geom", ids, env)
    for _name, sql in triggers:
        con.execute(sql)
    if len(env):
        con.execute("UPDATE main.gpkg_contents SET min_x = ?, min_y = ?, max_x = ?, max_y = ?, "
                    "last_change = strftime('%Y-%m-%dT%H:%M:%fZ', 'now') WHERE lower(table_name) = 'parcels'",
                    (float(env[:, 0].min()), float(env[:, 2].min()), float(env[:, 1].max()),
                     float(env[:, 3].max())))
    if con.execute("SELECT 1 FROM main.sqlite_master WHERE name = 'gpkg_ogr_contents'").fetchone():
        con.execute("UPDATE main.gpkg_ogr_contents SET feature_count = ? WHERE lower(table_name) = 'parcels'",
                    (count,))


def _attach(con: sqlite3.Connection, path: Path, src: GpkgSource, schema: ParcelSchema) -> int:
    """Bulk pragmas, the source attached read-only as ``lcp_src``; the srs_id of the parcels table."""
    for pragma in ("journal_mode=OFF", "synchronous=OFF", "cache_size=-262144", "temp_store=MEMORY"):
        con.execute(f"PRAGMA {pragma}")
    con.execute("ATTACH DATABASE ? AS lcp_src", (Path(src.path).as_uri() + "?mode=ro",))
    (srs_id,) = con.execute("SELECT srs_id FROM gpkg_geometry_columns WHERE table_name = 'parcels'").fetchone()
    out_columns = {r[1] for r in con.execute("PRAGMA main.table_info(parcels)")}
    missing = [n for n in ["fid", "geom", *schema.names] if n not in out_columns]
    if missing:
        raise WriteError(tr("Cannot write {0}: the parcels table lacks {1}").format(path, ", ".join(missing)))
    return srs_id


def _insert_and_index(con: sqlite3.Connection, path: Path, source: GpkgSource, job: ParcelJob, srs_id: int) -> int:
    """The parcels table filled from the pairs table, indexed; the rows written."""
    # GDAL's triggers (R-tree upkeep with ST_* functions, feature count) are put back afterwards
    triggers = con.execute("SELECT name, sql FROM main.sqlite_master WHERE type = 'trigger' "
                           "AND lower(tbl_name) = 'parcels'").fetchall()
    for name, _sql in triggers:
        con.execute(f"DROP TRIGGER main.{quoted(name)}")
    count = _insert_parcels(con, source, job.schema, srs_id)
    con.execute(f"DROP TABLE {TEMP_PREFIX}pairs")
    job.progress(job.at(0.85))
    job.progress.check()
    _index_parcels(con, path, count, triggers)
    return count


class SqlCopier(ParcelCopier):
    """The whole table in SQL from the source GeoPackage (the usual case, and the fastest)."""

    name = "sql"

    def source(self, layer: QgsVectorLayer, schema: ParcelSchema) -> GpkgSource | None:
        """The parcels' GeoPackage table when the copy can be done in SQL, else None.

        Only for an ``ogr`` layer stored in a GeoPackage feature table with an integer primary key
        (the feature ids the engine holds), without pending edits (the edit buffer is exported
        feature by feature), whose subset string, if any, is a plain filter (the parcels are taken
        by feature id from the engine, which read the layer through that filter) and whose copied
        columns keep their kind (integer, real, text, date) in the output.
        """
        if layer.providerType() != "ogr" or layer.isModified():
            return None
        provider = layer.dataProvider()
        if provider is None or provider.storageType().upper() != "GPKG":
            return None
        if layer.subsetString().strip().upper().startswith("SELECT"):
            return None
        if QgsWkbTypes.isCurvedType(layer.wkbType()):
            return None  # curves are linearised feature by feature (the per-feature copy)
        found = _source_table(layer)
        if found is None:
            return None
        path, table, geom, columns = found
        pk = [c for c, (_decl, key) in columns.items() if key]
        if len(pk) != 1 or (columns[pk[0]][0] or "").upper() != "INTEGER" or geom not in columns:
            return None
        for _i, f, out_name in schema.source:
            if out_name in AREA_FIELDS:
                continue  # written from the engine's numbers
            if f.name() not in columns:
                return None
            if sql_kind(columns[f.name()][0]) != _KIND_OF_OGR.get(ogr_type(f), "?"):
                return None
        return GpkgSource(path, table, pk[0], geom)

    def finish(self, path: Path, source: GpkgSource, job: ParcelJob) -> int:
        """Fill the empty ``parcels`` table of ``path`` (see the module's docstring)."""
        needed = job.pairs()
        order = sorted(needed)  # rows in source order
        boundary = [(pid, uid) for pid in order for uid, share in needed[pid] if share < 1.0]  # pairs to clip
        job.progress(job.at(0.1))
        try:
            con = sqlite3.connect(Path(path).as_uri(), uri=True, isolation_level=None)
        except sqlite3.Error as exc:
            raise WriteError(tr("Cannot write {0}: {1}").format(path, exc)) from exc
        stopped: list[bool] = []

        def interrupt() -> int:  # SQLite asks every INTERRUPT_STEPS VM steps; non-zero stops the statement
            if job.progress.cancelled():
                stopped.append(True)
                return 1
            return 0

        try:
            srs_id = _attach(con, path, source, job.schema)
            con.set_progress_handler(interrupt, INTERRUPT_STEPS)
            con.execute("BEGIN")
            blobs = _boundary_blobs(con, source, boundary, job, srs_id) if boundary else []
            job.progress(job.at(0.5))
            job.progress.check()
            con.execute(f"CREATE TEMP TABLE {TEMP_PREFIX}pairs(seq INTEGER PRIMARY KEY, src_fid INTEGER, "
                        "tbmj REAL, kcmj REAL, tbdlmj REAL, code TEXT, share REAL, clipped INTEGER, geom BLOB)")
            con.executemany(f"INSERT INTO {TEMP_PREFIX}pairs VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                            _pair_rows(job, needed, order, blobs))
            del blobs[:]
            count = _insert_and_index(con, path, source, job, srs_id)
            con.execute("COMMIT")
            con.set_progress_handler(None, 0)
            con.execute("DETACH DATABASE lcp_src")
        except sqlite3.Error as exc:
            if stopped or job.progress.cancelled():
                raise cancelled_error() from None
            raise WriteError(tr("Cannot write {0}: {1}").format(path, exc)) from exc
        finally:
            con.close()
        job.progress(job.p1)
        return count
