"""The fast read of a saved GeoPackage parcel table: GDAL's Arrow stream instead of QGIS features.

It must give exactly what reading through QGIS gives (tests/qgis/test_fast_read.py); whenever it
cannot be sure of that it raises :class:`NotFast` and the caller reads through QGIS.
"""
from __future__ import annotations

from contextlib import contextmanager
from typing import Callable, Iterator

import shapely
from qgis.core import QgsProviderRegistry, QgsVectorLayer

from ..core.fields_columns import distinct, factorize_exact

#: features per Arrow batch (and per bulk WKB parse of the QGIS path)
WKB_CHUNK = 50_000
#: features per Arrow batch of the columnar read: ``read_ahead`` keeps up to three in memory at once
AHEAD_BATCH = 20_000


#: the first GDAL whose GeoPackage Arrow prefetch thread is race-free (OSGeo/gdal#12934, fixed in 3.11.4)
GDAL_SAFE_PREFETCH = 3110400


class NotFast(Exception):
    """The fast GeoPackage read cannot give exactly what QGIS gives: read through QGIS."""


def gpkg_source(layer: QgsVectorLayer) -> tuple[str, str | None, str] | None:
    """(path, table, WHERE) of a saved OGR GeoPackage layer, or None if QGIS must read it.

    A snapshot for a worker thread (live_task.SourceLayer) carries the answer for its layer as
    ``fast_source``, found in the main thread when it was taken."""
    if hasattr(layer, "fast_source"):
        return layer.fast_source
    if not isinstance(layer, QgsVectorLayer) or layer.providerType() != "ogr" or layer.isModified():
        return None  # stand-ins (a snapshot for a worker thread) and unsaved edits: only QGIS sees them
    if layer.editBuffer() is not None and layer.editBuffer().isModified():
        return None
    provider = layer.dataProvider()
    if provider is None or provider.storageType() != "GPKG":
        return None
    parts = QgsProviderRegistry.instance().decodeUri("ogr", layer.source())
    path = parts.get("path") or ""
    if not path.lower().endswith(".gpkg") or parts.get("layerId") not in (None, "") or parts.get("geometryType"):
        return None
    subset = (layer.subsetString() or "").strip()
    if subset.upper().startswith("SELECT"):
        return None
    return path, parts.get("layerName") or None, subset


def column_values(arr) -> list:
    """A column of an Arrow batch as Python values (None for NULL), as QGIS would give them."""
    import numpy as np

    mask = np.ma.getmaskarray(arr) if isinstance(arr, np.ma.MaskedArray) else None
    data = arr.data if isinstance(arr, np.ma.MaskedArray) else arr
    kind = data.dtype.kind
    if kind == "S":
        values = [v.decode("utf-8") for v in data.tolist()]
    elif kind in "fiub":
        values = data.tolist()
    elif kind == "O":
        values = [v.decode("utf-8") if isinstance(v, bytes) else v for v in data.tolist()]
        if any(v is not None and not isinstance(v, (str, int, float)) for v in values):
            raise NotFast
    else:
        raise NotFast  # dates and the like: QGIS's types
    if mask is not None and mask.any():
        for k in np.flatnonzero(mask).tolist():
            values[k] = None
    return values


def _open_layer(source, layer: QgsVectorLayer, attributes: dict):
    """(data source, OGR layer, {canonical: field}) of the table, reading only those fields."""
    from osgeo import ogr

    path, layer_name, subset = source
    ds = ogr.Open(path, 0)
    if ds is None:
        raise NotFast
    lyr = ds.GetLayerByName(layer_name) if layer_name else (ds.GetLayer(0) if ds.GetLayerCount() == 1 else None)
    if lyr is None or not lyr.GetFIDColumn() or not lyr.GetGeometryColumn():
        raise NotFast
    if ogr.GT_IsNonLinear(lyr.GetGeomType()):
        raise NotFast  # curves: GDAL >= 3.10's Arrow stream refuses them ("Nonlinear geometry types…")
    defn = lyr.GetLayerDefn()
    on_disk = [defn.GetFieldDefn(i).GetName() for i in range(defn.GetFieldCount())]
    names = layer.fields().names()
    if on_disk != names[len(names) - len(on_disk):]:
        raise NotFast  # QGIS sees other fields (virtual/joined): its indexes would not match
    wanted = {canon: actual for canon, actual in attributes.items() if actual in on_disk}
    if set(wanted.values()) != set(attributes.values()):
        raise NotFast
    lyr.SetIgnoredFields([n for n in on_disk if n not in set(wanted.values())])
    if subset and lyr.SetAttributeFilter(subset) != 0:
        raise NotFast
    return ds, lyr, wanted


def single_threaded(filtered: bool, version: int | None = None) -> bool:
    """Whether the GeoPackage Arrow stream must be built in the calling thread (GDAL's generic
    implementation) instead of by GDAL's GeoPackage worker threads.

    Those threads race: GDAL < 3.11.4's prefetch of the next batch (OSGeo/gdal#12934), and, in every
    version so far, the worker that fills a batch when an attribute filter (a QGIS subset string) is
    set (OSGeo/gdal#10757, not merged). A lost race hands back a batch with garbage offsets
    ("SystemError: Negative size…" while converting it) or crashes. docs/testing.md, "Arrow flake".
    """
    if version is None:
        from osgeo import gdal

        version = int(gdal.VersionInfo("VERSION_NUM"))
    return filtered or version < GDAL_SAFE_PREFETCH


@contextmanager
def gdal_option(key: str, value: str | None) -> Iterator[None]:
    """A GDAL config option set for this thread only, restored afterwards (``None``: leave it alone)."""
    from osgeo import gdal

    if value is None:
        yield
        return
    old = gdal.GetThreadLocalConfigOption(key, None)
    gdal.SetThreadLocalConfigOption(key, value)
    try:
        yield
    finally:
        gdal.SetThreadLocalConfigOption(key, old)


def read_arrow(source, layer: QgsVectorLayer, attributes: dict, record: Callable,
               progress: Callable[[float], None] | None, cancelled: Callable[[], bool] | None) -> list:
    """``(fid, geometry, record)`` of every feature of the GeoPackage table ``source``.

    ``attributes``: canonical name -> field name of what QGIS would read; ``record(fid, values)``
    turns the values of one feature into its record, as the QGIS path does.
    """
    _ds, lyr, wanted = _open_layer(source, layer, attributes)  # the data source must outlive the layer
    total = max(1, lyr.GetFeatureCount())
    # read at every batch (GetNextArrowArray), so it stays set for the whole read
    base = "YES" if single_threaded(bool(source[2])) else None
    with gdal_option("OGR_GPKG_STREAM_BASE_IMPL", base):
        return _batches(lyr, wanted, record, total, progress, cancelled)


def _batches(lyr, wanted: dict, record: Callable, total: int, progress, cancelled) -> list:
    stream = lyr.GetArrowStreamAsNumPy(options=[f"MAX_FEATURES_IN_BATCH={WKB_CHUNK}"])
    if stream is None:
        raise NotFast
    fid_col, geom_col = lyr.GetFIDColumn(), lyr.GetGeometryColumn()
    out: list = []
    for batch in stream:
        fids = batch[fid_col].tolist()
        try:
            geoms = shapely.from_wkb(batch[geom_col])
        except shapely.errors.GEOSException:
            raise NotFast from None  # curves and the like: QGIS reads them
        empty = shapely.is_empty(geoms)
        if empty.any():
            geoms[empty] = None
        columns = [(canon, column_values(batch[actual])) for canon, actual in wanted.items()]
        recs = [record(fid, {canon: col[k] for canon, col in columns}) for k, fid in enumerate(fids)]
        out.extend(zip(fids, geoms.tolist(), recs))
        if progress:
            progress(len(out) / total)
        if cancelled and cancelled():
            break
    return out


def read_arrow_columns(source, layer: QgsVectorLayer, attributes: dict,
                       progress: Callable[[float], None] | None, cancelled: Callable[[], bool] | None,
                       wkb: bool = False):
    """``(fids, geometries, raw columns by canonical name)`` of every feature of the GeoPackage table
    ``source``, straight from the Arrow batches: no Python object per feature (core/fields_columns.py
    normalises the raw columns). ``wkb``: the geometries as the batches' WKB, packed
    (``PackedGeometries``: no GEOS object at all; the engine's full build parses them chunk by chunk)."""
    import numpy as np

    from ..core.engine.packed import PackedGeometries

    _ds, lyr, wanted = _open_layer(source, layer, attributes)
    total = max(1, lyr.GetFeatureCount())
    base = "YES" if single_threaded(bool(source[2])) else None
    ranges = fid_ranges(_ds, lyr) if base and not source[2] else None
    with gdal_option("OGR_GPKG_STREAM_BASE_IMPL", base):
        if ranges is not None:  # GDAL's generic implementation, one thread: the ranges on two
            sources = [(_ds, lyr), _open_layer(source, layer, attributes)[:2]]
            batches = read_ranges([lyr for _d, lyr in sources], ranges)
        else:
            stream = lyr.GetArrowStreamAsNumPy(options=[f"MAX_FEATURES_IN_BATCH={AHEAD_BATCH}"])
            if stream is None:
                raise NotFast
            batches = read_ahead(stream, base, depth=1)
        fid_col, geom_col = lyr.GetFIDColumn(), lyr.GetGeometryColumn()
        fids, geoms, raw, done = [], [], {canon: [] for canon in wanted}, 0
        packed = PackedGeometries() if wkb else None
        for batch in batches:
            fids.append(np.asarray(batch[fid_col], dtype=np.int64))
            if packed is not None:
                packed.append_wkb(batch[geom_col])
                check_wkb(packed, batch[geom_col])
            else:
                geoms.append(_geometries(batch[geom_col]))
            for canon, actual in wanted.items():
                raw[canon].append(raw_column(batch[actual]))
            done += len(fids[-1])
            if progress:
                progress(done / total)
            if cancelled and cancelled():
                break
    empty = np.empty(0, dtype=object)
    return (np.concatenate(fids) if fids else np.empty(0, dtype=np.int64),
            packed if packed is not None else np.concatenate(geoms) if geoms else empty,
            {canon: _concat(parts) for canon, parts in raw.items()})


def check_wkb(packed, wkb) -> None:
    """The last batch appended to ``packed`` (its WKB ``wkb``) as GEOS will read it: polygons are (their
    type says so in each blob's header); any other type is parsed here, and one GEOS cannot read (curves…)
    means QGIS reads the layer, as :func:`_geometries` decides."""
    import numpy as np

    kinds = packed.wkb_types(len(packed.bufs) - 1)
    other = np.flatnonzero((kinds != 3) & (kinds != 6) & (kinds != 0))
    if len(other):
        _geometries(wkb[other])


def read_ahead(stream, base: str | None, depth: int = 1) -> Iterator[dict]:
    """The batches of ``stream``, in order, filled by a worker thread up to ``depth`` ahead of the
    caller: GDAL releases the GIL while it fills a batch, so the caller's work on the previous one
    (decoding text, parsing WKB) runs meanwhile. One thread reads the stream, one batch at a time, as
    the caller would have; it sets ``OGR_GPKG_STREAM_BASE_IMPL`` to ``base`` for itself (the option is
    thread-local and read at every batch, :func:`single_threaded`). An error of the read is raised
    here; a caller that stops early stops the worker."""
    import queue
    import threading

    items: queue.Queue = queue.Queue(maxsize=depth)
    stop = threading.Event()
    end = object()

    def put(item) -> bool:
        while not stop.is_set():
            try:
                items.put(item, timeout=0.05)
                return True
            except queue.Full:
                continue
        return False

    def work() -> None:
        try:
            with gdal_option("OGR_GPKG_STREAM_BASE_IMPL", base):
                for batch in stream:
                    if not put(batch):
                        return
        except BaseException as exc:  # handed to the caller's thread, with GDAL's message of this one
            from osgeo import gdal

            exc.gdal_said = gdal.GetLastErrorMsg()  # per thread: the caller's thread would read its own
            put(exc)
            return
        put(end)

    worker = threading.Thread(target=work, name="lc-arrow-read", daemon=True)
    worker.start()
    try:
        while True:
            item = items.get()
            if item is end:
                return
            if isinstance(item, BaseException):
                raise item
            yield item
    finally:
        stop.set()
        worker.join()


def fid_ranges(ds, lyr, rows: int | None = None) -> list[tuple[int, int]] | None:
    """Half-open ranges ``[a, b)`` of feature ids, about ``rows`` (a batch) each (evenly spaced between
    the smallest and the largest id), that together hold every feature of the unfiltered table in
    order; None when there are fewer than two ranges' worth (one stream is as fast)."""
    import numpy as np

    rows = rows or AHEAD_BATCH
    table, fid = lyr.GetName().replace('"', '""'), lyr.GetFIDColumn().replace('"', '""')
    found = ds.ExecuteSQL(f'SELECT MIN("{fid}"), MAX("{fid}"), COUNT(*) FROM "{table}"')
    if found is None:
        return None
    try:
        row = found.GetNextFeature()
        lo, hi, count = (row.GetField(k) if row is not None else None for k in range(3))
    finally:
        ds.ReleaseResultSet(found)
    if lo is None or hi is None or not count or count < 2 * rows:
        return None
    cuts = np.linspace(int(lo), int(hi) + 1, -(-int(count) // rows) + 1).astype(np.int64)
    cuts[0], cuts[-1] = int(lo), int(hi) + 1
    return [(int(a), int(b)) for a, b in zip(cuts[:-1].tolist(), cuts[1:].tolist()) if b > a]


def read_ranges(layers: list, ranges: list[tuple[int, int]]) -> Iterator[dict]:
    """The batches of the feature id ``ranges`` in order, range k streamed by ``layers[k % len(layers)]``
    (one OGR data source each, same fields ignored) in a worker thread of its own, with GDAL's generic
    implementation (``OGR_GPKG_STREAM_BASE_IMPL``): each worker builds its batches in its own thread, as
    :func:`read_ahead`'s one does, and they fill them at once (GDAL releases the GIL). A table scan of a
    GeoPackage runs in feature id order (its rowid), so the ranges in order are the rows of one stream."""
    import queue
    import threading

    from osgeo import gdal

    end_of_range, workers = object(), len(layers)
    stop = threading.Event()
    boxes = [queue.Queue(maxsize=2) for _ in layers]

    def put(box: queue.Queue, item) -> bool:
        while not stop.is_set():
            try:
                box.put(item, timeout=0.05)
                return True
            except queue.Full:
                continue
        return False

    def work(w: int) -> None:
        lyr, box = layers[w], boxes[w]
        fid = lyr.GetFIDColumn().replace('"', '""')
        try:
            with gdal_option("OGR_GPKG_STREAM_BASE_IMPL", "YES"):
                for a, b in ranges[w::workers]:
                    if lyr.SetAttributeFilter(f'"{fid}" >= {a} AND "{fid}" < {b}') != 0:
                        raise NotFast
                    stream = lyr.GetArrowStreamAsNumPy(options=[f"MAX_FEATURES_IN_BATCH={AHEAD_BATCH}"])
                    if stream is None:
                        raise NotFast
                    for batch in stream:
                        if not put(box, batch):
                            return
                    del stream
                    if not put(box, end_of_range):
                        return
        except BaseException as exc:  # handed to the caller's thread, with GDAL's message of this one
            exc.gdal_said = gdal.GetLastErrorMsg()
            put(box, exc)

    threads = [threading.Thread(target=work, args=(w,), name=f"lc-arrow-read-{w}", daemon=True)
               for w in range(workers)]
    for t in threads:
        t.start()
    try:
        for k in range(len(ranges)):
            box = boxes[k % workers]
            while True:
                item = box.get()
                if item is end_of_range:
                    break
                if isinstance(item, BaseException):
                    raise item
                yield item
    finally:
        stop.set()
        for t in threads:
            t.join()


def _geometries(wkb):
    try:
        geoms = shapely.from_wkb(wkb)
    except shapely.errors.GEOSException:
        raise NotFast from None  # curves and the like: QGIS reads them
    empty = shapely.is_empty(geoms)
    if empty.any():
        geoms[empty] = None
    return geoms


def _concat(parts: list):
    import numpy as np
    import pandas as pd
    from pandas.api.types import union_categoricals

    if not parts:
        return np.empty(0, dtype=object)
    if all(isinstance(p, pd.Categorical) for p in parts):
        return union_categoricals(parts)
    parts = [p.astype(object) if isinstance(p, pd.Categorical) else p for p in parts]
    if any(isinstance(p, np.ma.MaskedArray) for p in parts):
        return np.ma.concatenate(parts)
    return np.concatenate(parts)


def raw_column(arr):
    """A column of an Arrow batch as QGIS would give its values, in bulk: numbers as they are (NULL
    masked), text decoded once per distinct value (a ``pandas.Categorical``, NULL as NaN code, or an
    ``object`` array with None)."""
    import numpy as np
    import pandas as pd

    mask = np.ma.getmaskarray(arr) if isinstance(arr, np.ma.MaskedArray) else None
    data = arr.data if isinstance(arr, np.ma.MaskedArray) else np.asarray(arr)
    kind = data.dtype.kind
    if kind in "fiub":
        return np.ma.masked_array(data, mask) if mask is not None and mask.any() else data
    if kind not in "SO":
        raise NotFast  # dates and the like: QGIS's types
    if kind == "S":  # fixed-width bytes (no NULL among them): decoded once per distinct value
        codes, uniques = factorize_exact(data.astype(object))
        values = [v.decode("utf-8") for v in uniques]
        if 2 * len(values) > len(data):  # nearly all distinct (BSM): categories would only cost their merge
            table = np.empty(len(values), dtype=object)
            table[:] = values
            out = table[codes]
            if mask is not None and mask.any():
                out[mask] = None
            return out
        codes = np.where(mask, -1, codes) if mask is not None else codes
        return pd.Categorical.from_codes(codes, values)
    codes, uniques = distinct(data)
    values = [v.decode("utf-8") if isinstance(v, bytes) else v for v in uniques]
    if any(v is not None and not isinstance(v, (str, int, float)) for v in values):
        raise NotFast
    table = np.empty(len(values), dtype=object)
    table[:] = values
    out = table[codes]
    if mask is not None and mask.any():
        out[mask] = None
    return out


def gdal_failure(exc: RuntimeError) -> str | None:
    """What GDAL said when the Arrow read failed; None when it is curves in a layer declared linear
    (not damage: QGIS reads, and linearises, them)."""
    from osgeo import gdal

    last = exc.gdal_said if hasattr(exc, "gdal_said") else gdal.GetLastErrorMsg()  # read_ahead's worker
    said = [" ".join(str(m).split()) for m in (exc, last) if str(m).strip()]
    if any("nonlinear geometry" in m.lower() for m in said):
        return None
    plain = [m for m in said if any(w in m.lower() for w in ("malformed", "corrupt", "not a database"))]
    return ((plain or said or [type(exc).__name__])[0])[:160]
