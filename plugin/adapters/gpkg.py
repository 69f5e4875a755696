"""Safe GeoPackage writing: build under a temporary name next to the target, then move.

An existing file is never half-overwritten: everything is written to a temporary file in
the same folder (same filesystem, so ``os.replace`` is atomic) and moved into place only
once complete. Errors (read-only folder, full disk, locked file) become :class:`WriteError`
with a message the planner can act on, and the old file stays as it was.
"""
from __future__ import annotations

import contextlib
import errno
import math
import os
import shutil
import sqlite3
import struct
import tempfile
import threading
from pathlib import Path
from typing import Iterator, Sequence

import numpy as np
from osgeo import gdal, ogr

from ..core.i18n import tr
from .outputs import (
    WriteError,
    collect_unraisable,
    disk_full,
    register,
    release,
    remove_leftovers,
    temp_prefix,
    unregister,
)

gdal.UseExceptions()
ogr.UseExceptions()

_OGR_TYPES = {"TEXT": ogr.OFTString, "REAL": ogr.OFTReal, "INTEGER": ogr.OFTInteger, "INTEGER64": ogr.OFTInteger64}


def _explain(exc: BaseException, target: Path) -> str:
    code = getattr(exc, "errno", None)
    if disk_full(exc, target.parent if not str(exc).strip() else None):
        return tr("Cannot write {0}: the disk is full. Free some space or choose another folder; nothing was "
                  "changed.").format(target)
    if code in (errno.EACCES, errno.EPERM, errno.EROFS):
        return tr("Cannot write to {0}: the folder is read-only or you lack permission.").format(target.parent)
    if code in (errno.EBUSY, errno.ETXTBSY):
        return tr("Cannot replace {0}: the file is locked by another program; close it and try again.").format(target)
    return tr("Cannot write {0}: {1}").format(target, str(exc).strip() or type(exc).__name__)


def _failure(exc: BaseException, target: Path, tmp: Path, late: list) -> str:
    """One message for a failed write, naming the target (never the temporary name)."""
    # a WriteError is already a message: only what caused it (an OSError, GDAL's error) is looked at
    own = () if isinstance(exc, WriteError) and str(exc).strip() else (exc,)
    for e in (*own, exc.__cause__, exc.__context__, *late):
        if e is not None and disk_full(e, target.parent if not str(e).strip() else None):
            return _explain(OSError(errno.ENOSPC, "disk full"), target)
    if isinstance(exc, WriteError) and str(exc).strip():
        return str(exc).replace(str(tmp), str(target))
    return _explain(exc, target)


_BATCH = threading.local()


@contextlib.contextmanager
def output_batch() -> Iterator[None]:
    """Files written with :func:`atomic_output` inside the block are moved into place together at
    its end, or not at all: a report's workbook is not left behind when its CSV cannot be written.
    A nested batch joins the outer one."""
    if getattr(_BATCH, "items", None) is not None:
        yield
        return
    items: list[tuple[Path, Path, Path | None]] = []
    _BATCH.items = items
    try:
        yield
        _BATCH.items = None
        for tmp, target, _tmp_dir in items:
            try:
                os.replace(tmp, target)
            except OSError as exc:
                raise WriteError(_explain(exc, target)) from None
        for folder in {target.parent for _tmp, target, _d in items}:
            fsync_folder(folder)
    finally:
        _BATCH.items = None
        for tmp, _target, tmp_dir in items:
            with contextlib.suppress(OSError):
                tmp.unlink()
            if tmp_dir is not None:
                shutil.rmtree(tmp_dir, ignore_errors=True)
            unregister(tmp_dir if tmp_dir is not None else tmp)


@contextlib.contextmanager
def atomic_output(target: str | os.PathLike, overwrite: bool = True, keep_name: bool = False) -> Iterator[Path]:
    """Yield a temporary path next to ``target``; move it into place if the block succeeds.

    ``keep_name=True`` yields ``<hidden temporary folder next to target>/<target's name>``:
    for files whose content names the file itself (a QGIS project stored in a GeoPackage
    refers to its layers as ``./plan.gpkg|layername=…``). The folder is on the same
    filesystem, so the final ``os.replace`` is still atomic; it is removed afterwards.
    The block must leave the file complete (no pending ``-wal``): sidecar files are deleted.
    """
    target = Path(target).resolve()
    if target.exists() and not overwrite:
        raise WriteError(tr("{0} exists already; choose another name or allow overwriting.").format(target))
    if not target.parent.is_dir():
        raise WriteError(tr("The folder {0} does not exist.").format(target.parent))
    remove_leftovers(target.parent)  # of runs killed before they could clean up
    tmp_dir: Path | None = None
    try:
        if keep_name:
            tmp_dir = Path(tempfile.mkdtemp(prefix=temp_prefix(target), suffix=".partial", dir=target.parent))
            register(tmp_dir)
            tmp = str(tmp_dir / target.name)
        else:
            fd, tmp = tempfile.mkstemp(prefix=temp_prefix(target), suffix=".partial.gpkg", dir=target.parent)
            register(tmp)
            os.close(fd)
            os.unlink(tmp)  # GDAL wants to create the file itself
    except OSError as exc:
        raise WriteError(_explain(exc, target)) from exc
    tmp_path = Path(tmp)
    deferred = False
    try:
        yield tmp_path
        for suffix in ("-wal", "-shm"):
            with contextlib.suppress(FileNotFoundError):
                os.unlink(str(tmp_path) + suffix)
        fsync_file(tmp_path)
        batch = getattr(_BATCH, "items", None)
        if batch is not None:  # moved into place with the other files of the batch (output_batch)
            batch.append((tmp_path, target, tmp_dir))
            deferred = True
        else:
            os.replace(tmp_path, target)
            fsync_folder(target.parent)
    except (OSError, RuntimeError, WriteError, sqlite3.Error) as exc:
        # close what the failed write left open now (not later with "Exception ignored in …")
        with collect_unraisable() as late:
            release(exc)
        raise WriteError(_failure(exc, target, tmp_path, late)) from None
    finally:
        for leftover in (Path(str(tmp_path) + "-wal"), Path(str(tmp_path) + "-shm"),
                         Path(str(tmp_path) + "-journal")) + (() if deferred else (tmp_path,)):
            with contextlib.suppress(OSError):
                leftover.unlink()
        if not deferred:
            if tmp_dir is not None:
                shutil.rmtree(tmp_dir, ignore_errors=True)
            unregister(tmp_dir if tmp_dir is not None else tmp_path)


def fsync_file(path: Path) -> None:
    """Flush a finished file to the disk before it replaces the old one (OSError if it cannot)."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def fsync_folder(folder: Path) -> None:
    """Make a rename in ``folder`` durable (POSIX; a no-op where folders cannot be opened)."""
    if os.name != "posix":
        return
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def write_table(path: Path, name: str, columns: Sequence[tuple[str, str]], rows: Sequence[Sequence],
                description: str = "", geometries=None, srs=None, geom_type=ogr.wkbNone) -> None:
    """Add a table (``columns`` = [(name, TEXT|REAL|INTEGER)]) to a GeoPackage; non-spatial unless
    ``geom_type``, ``srs`` and the rows' OGR ``geometries`` are given."""
    ds = layer = None
    ok = False
    try:
        ds = ogr.Open(str(path), 1) if path.exists() else ogr.GetDriverByName("GPKG").CreateDataSource(str(path))
        layer = ds.CreateLayer(name, srs, geom_type, options=[f"DESCRIPTION={description}"] if description
                               else [])
        add_rows(layer, columns, rows, geometries)
        ok = True
    except RuntimeError as exc:
        raise WriteError(tr("Cannot write table {0} to {1}: {2}").format(
            name, path, str(exc).strip() or type(exc).__name__)) from exc
    finally:
        # closing flushes the file: a failure then (a full disk) is a WriteError, never an
        # "Exception ignored" message
        with collect_unraisable(collect=not ok) as late:
            layer = ds = None
        if late and ok:
            raise WriteError(_explain(late[0], Path(path)))


def add_rows(layer, columns: Sequence[tuple[str, str]], rows: Sequence[Sequence], geometries=None) -> None:
    """Create ``columns`` on a new OGR layer and write ``rows`` (with OGR ``geometries``, if given) in one
    transaction."""
    for col, kind in columns:
        layer.CreateField(ogr.FieldDefn(col, _OGR_TYPES[kind]))
    defn = layer.GetLayerDefn()
    layer.StartTransaction()
    if geometries is None:
        _add_table_rows(layer, defn, len(columns), rows)
    else:
        for k, row in enumerate(rows):
            feat = ogr.Feature(defn)
            for i, value in enumerate(row):
                if value is None:
                    feat.SetFieldNull(i)
                else:
                    feat.SetField(i, value)
            if geometries[k] is not None:
                feat.SetGeometry(geometries[k])
            layer.CreateFeature(feat)
    layer.CommitTransaction()


def _add_table_rows(layer, defn, n_columns: int, rows: Sequence[Sequence]) -> None:
    """The rows of a table without geometry through one feature, every value set as
    ``Feature.SetField`` sets it (an ``int`` as Integer64, a ``str`` as String, anything else through
    ``SetField``), without a new feature and ``SetField``'s dispatch per value (a 200 000-parcel
    balance writes ~60 000 values)."""
    feat = ogr.Feature(defn)
    null, integer, text, other = feat.SetFieldNull, feat.SetFieldInteger64, feat.SetFieldString, feat.SetField
    create, new_fid = layer.CreateFeature, ogr.NullFID
    for row in rows:
        for i, value in enumerate(row):
            if value is None:
                null(i)
            elif type(value) is int:
                integer(i, value)
            elif isinstance(value, str):
                text(i, value)
            else:
                other(i, value)
        for i in range(len(row), n_columns):
            feat.UnsetField(i)  # as a new feature has it
        feat.SetFID(new_fid)  # CreateFeature gave it the last row's id
        create(feat)


def read_table(path: str | os.PathLike, name: str) -> list[dict]:
    """All rows of a table as dicts (tests and round-trip checks)."""
    ds = ogr.Open(str(path))
    layer = ds.GetLayerByName(name)
    if layer is None:
        raise KeyError(name)
    defn = layer.GetLayerDefn()
    names = [defn.GetFieldDefn(i).GetName() for i in range(defn.GetFieldCount())]
    rows = []
    for feat in layer:
        rows.append({n: (None if not feat.IsFieldSetAndNotNull(i) else feat.GetField(i)) for i, n in enumerate(names)})
    return rows


BALANCE_COLUMNS = [("unit_code", "TEXT"), ("dlbm", "TEXT"), ("area_before_m2", "REAL"), ("area_after_m2", "REAL")]
INDICATOR_COLUMNS = [("unit_code", "TEXT"), ("rule_id", "TEXT"), ("value", "REAL"), ("threshold", "REAL"),
                     ("passed", "INTEGER"), ("severity", "TEXT"), ("reason", "TEXT")]


def write_balance_tables(path: Path, engine, townships: Sequence = ()) -> None:
    """The ``balance`` and ``indicators`` tables of the headless-command contract.

    ``townships``: township results (``core.townships.evaluate_townships``), appended to ``indicators``
    after the units and the project, with ``unit_code`` = the 9-digit township code (docs/domain.md §7).
    """
    write_table(path, "balance", BALANCE_COLUMNS, engine.balance_rows(),
                "Area before/after per remediation unit and land class (m2); unit_code '*' = whole project")
    write_table(path, "indicators", INDICATOR_COLUMNS,
                [(r.unit_code, r.rule_id, r.value, r.threshold, None if r.passed is None else int(r.passed),
                  r.severity, r.reason) for r in [*engine.indicator_rows(), *townships]],
                "Rule-pack indicators per unit; passed NULL = not applicable, or not assessable (reason says why); "
                "rows of township rules (rule_pack.scope 'township') have the 9-digit township code as unit_code")


def _str_order(boxes: np.ndarray, per_node: int) -> np.ndarray:
    """Sort-Tile-Recursive order of boxes (minx, maxx, miny, maxy): vertical slices by x, then y."""
    n = len(boxes)
    cx = boxes[:, 0].astype(np.float64) + boxes[:, 1]
    cy = boxes[:, 2].astype(np.float64) + boxes[:, 3]
    slices = max(1, math.ceil(math.sqrt(math.ceil(n / per_node))))
    by_x = np.argsort(cx, kind="stable")
    slice_of = np.arange(n) // (slices * per_node)
    return by_x[np.lexsort((cy[by_x], slice_of))]


def fill_rtree(con: sqlite3.Connection, rtree: str, ids: np.ndarray, env: np.ndarray) -> None:
    """Bulk-load an empty SQLite R-tree ``rtree(id, minx, maxx, miny, maxy)`` by writing its nodes.

    Inserting row by row costs ~10 µs a row in SQLite (GDAL's deferred index does that: seconds
    for 10^5 features); a packed (Sort-Tile-Recursive) tree written straight into the shadow
    tables ``<rtree>_node``, ``_rowid`` and ``_parent`` takes a fraction of it and is also
    better for queries. The layout is SQLite's documented R-tree format: per node a 2-byte
    depth (root only) and 2-byte cell count, big-endian, then cells of an 8-byte id and the
    box as 4-byte floats (minimums rounded down, maximums up), padded to the node size.
    ``env`` holds minx, maxx, miny, maxy per id. Check with ``SELECT rtreecheck('<rtree>')``.
    """
    ident = '"' + rtree.replace('"', '""')
    (node_size,) = con.execute(f'SELECT length(data) FROM {ident}_node" WHERE nodeno = 1').fetchone()
    if con.execute(f'SELECT count(*) FROM {ident}_rowid"').fetchone()[0]:
        raise ValueError(f"{rtree} is not empty")
    cell = np.dtype([("id", ">i8"), ("box", ">f4", (4,))])
    per_node = (node_size - 4) // cell.itemsize
    n = len(ids)
    if n == 0:
        return
    env = np.asarray(env, dtype=np.float64)
    boxes = env.astype(np.float32)
    low = boxes[:, [0, 2]] > env[:, [0, 2]]
    boxes[:, [0, 2]] = np.where(low, np.nextafter(boxes[:, [0, 2]], np.float32(-np.inf)), boxes[:, [0, 2]])
    high = boxes[:, [1, 3]] < env[:, [1, 3]]
    boxes[:, [1, 3]] = np.where(high, np.nextafter(boxes[:, [1, 3]], np.float32(np.inf)), boxes[:, [1, 3]])
    level_ids = np.asarray(ids, dtype=np.int64)
    nodes: list[tuple[int, bytes]] = []
    rowids: list[tuple[int, int]] = []
    parents: list[tuple[int, int]] = []
    next_node, depth = 2, 0
    pad = bytes(node_size)

    def blob(head_depth: int, cells: np.ndarray) -> bytes:
        data = struct.pack(">HH", head_depth, len(cells)) + cells.tobytes()
        return data + pad[len(data):]

    while len(level_ids) > per_node:
        order = _str_order(boxes, per_node)
        cells = np.empty(len(order), dtype=cell)
        cells["id"] = level_ids[order]
        cells["box"] = boxes[order]
        starts = np.arange(0, len(cells), per_node)
        nodenos = np.arange(next_node, next_node + len(starts), dtype=np.int64)
        next_node += len(starts)
        for no, a in zip(nodenos.tolist(), starts.tolist()):
            nodes.append((no, blob(0, cells[a:a + per_node])))
        owner = np.repeat(nodenos, np.diff(np.append(starts, len(cells))))
        (rowids if depth == 0 else parents).extend(zip(cells["id"].tolist(), owner.tolist()))
        sorted_boxes = cells["box"].astype(np.float32)
        boxes = np.column_stack([np.minimum.reduceat(sorted_boxes[:, 0], starts),
                                 np.maximum.reduceat(sorted_boxes[:, 1], starts),
                                 np.minimum.reduceat(sorted_boxes[:, 2], starts),
                                 np.maximum.reduceat(sorted_boxes[:, 3], starts)]).astype(np.float32)
        level_ids = nodenos
        depth += 1
    root = np.empty(len(level_ids), dtype=cell)
    root["id"] = level_ids
    root["box"] = boxes
    nodes.append((1, blob(depth, root)))
    (rowids if depth == 0 else parents).extend((int(i), 1) for i in level_ids)
    con.executemany(f'INSERT OR REPLACE INTO {ident}_node" (nodeno, data) VALUES (?, ?)', nodes)
    con.executemany(f'INSERT INTO {ident}_rowid" (rowid, nodeno) VALUES (?, ?)', rowids)
    con.executemany(f'INSERT INTO {ident}_parent" (nodeno, parentnode) VALUES (?, ?)', parents)


# --------------------------------------------------------------------------- finishing and validation
def finish_file(path: Path) -> None:
    """Fold any write-ahead log into the file, leave it in rollback-journal mode and fsync it
    (durable before it replaces the old file); WriteError if another program keeps it open."""
    try:
        con = sqlite3.connect(str(path), timeout=10)
        try:
            con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            con.execute("PRAGMA journal_mode=DELETE")
        finally:
            con.close()
    except sqlite3.Error as exc:
        raise WriteError(tr("Cannot finish {0}: {1}").format(path, exc)) from exc
    for suffix in ("-wal", "-shm"):
        side = Path(str(path) + suffix)
        if side.exists() and side.stat().st_size:
            raise WriteError(tr("Cannot finish {0}: another program keeps it open.").format(path))
    try:
        fsync_file(path)
    except OSError as exc:
        raise WriteError(tr("Cannot finish {0}: {1}").format(path, exc)) from exc


def quick_check(path: Path, layers: Sequence[str]) -> list[tuple]:
    """The cheap part of validation for big files: SQLite integrity, GeoPackage header, ``layers`` readable."""
    errors: list[tuple] = []
    try:
        con = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            result = con.execute("PRAGMA quick_check").fetchone()[0]
            app_id = con.execute("PRAGMA application_id").fetchone()[0]
        finally:
            con.close()
    except sqlite3.Error as exc:
        return [(None, str(exc))]
    if result != "ok":
        errors.append((None, result))
    if app_id != 0x47504B47:  # 'GPKG'
        errors.append((None, "application_id is not GPKG"))
    ds = ogr.Open(str(path))
    for name in layers:
        if ds is None or ds.GetLayerByName(name) is None:
            errors.append((None, f"layer {name} missing"))
    ds = None
    return errors


def validate(path: str | os.PathLike) -> list[tuple]:
    """Errors of GDAL's GeoPackage validator ([] = valid)."""
    from osgeo_utils.samples import validate_gpkg

    return list(validate_gpkg.check(str(path), abort_at_first_error=False, warning_msg=False))
