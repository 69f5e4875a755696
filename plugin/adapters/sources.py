"""Open the planner's layer files: OGR sources, shapefile text encodings, damaged GeoPackages.

``InputError`` is the error of input a planner must fix; every reader of the adapters raises it.
"""
from __future__ import annotations

from contextlib import contextmanager
from pathlib import Path

from qgis.core import QgsProviderRegistry, QgsVectorLayer

from ..core.errors import PlanError
from ..core.i18n import tr
from .qgis_compat import POLYGON_GEOMETRY


class InputError(PlanError):
    """Input a planner must fix (missing layer or field, unusable CRS…); the message says how."""



def open_layer(source: str, what: str, encoding: str | None = None) -> QgsVectorLayer:
    """Open an OGR source such as ``plan.gpkg|layername=DLTB``; InputError if unusable.

    ``encoding`` is the data source encoding of a shapefile's attributes (``GBK``…), as in the
    layer properties of QGIS; without it a shapefile without ``.cpg`` is sniffed
    (:func:`shapefile_encoding`).
    """
    from .postgis.connection import redact

    if source.lstrip()[:3].upper() == "PG:":
        pg_view_fids()
    layer = QgsVectorLayer(source, what, "ogr")
    if not layer.isValid():
        if source.lstrip()[:3].upper() == "PG:":
            _database_reason(source, what)
        raise InputError(tr("Cannot open the {0} layer: {1}").format(what, redact(source)))
    if layer.geometryType() != POLYGON_GEOMETRY:
        raise InputError(tr("The {0} layer is not a polygon layer: {1}").format(what, redact(source)))
    provider = layer.dataProvider()
    if provider is not None and provider.storageType() == "ESRI Shapefile":
        if encoding:
            import codecs

            try:
                codecs.lookup(encoding)
            except LookupError:
                raise InputError(tr("Unknown text encoding {0}; use e.g. GBK, GB18030 or UTF-8.")
                                 .format(encoding)) from None
            layer.setProviderEncoding(encoding)
        else:
            path = QgsProviderRegistry.instance().decodeUri("ogr", source).get("path") or source
            detected = shapefile_encoding(path)
            if detected is not None and detected != provider.encoding():
                layer.setProviderEncoding(detected)
    return layer


def _database_reason(source: str, what: str) -> None:
    """InputError saying why a ``PG:`` source cannot be opened, in the words of ``db`` commands and
    ``--in-database``: the server refuses (wrong password, no server…), or it has no such table."""
    from .postgis.connection import DatabaseError, connect, driver, split_source

    try:
        driver()
        _dsn, schema, table = split_source(source)
    except DatabaseError:  # no psycopg2, no layername: GDAL's own refusal is all there is
        return
    try:
        conn = connect(source)
    except DatabaseError as exc:  # redacted: no password
        raise InputError(str(exc)) from None
    try:
        sql = driver().sql
        with conn.cursor() as cur:
            name = sql.Identifier(schema, table) if schema else sql.Identifier(table)
            cur.execute("SELECT to_regclass(%s)", (name.as_string(cur),))
            if cur.fetchone()[0] is None:
                raise InputError(tr("No table {0} in the database for the {1} layer").format(
                    f"{schema}.{table}" if schema else table, what))
    except driver().Error:
        return
    finally:
        conn.close()


def pg_view_fids() -> None:
    """GDAL's PostgreSQL driver numbers the rows of a view 0, 1, 2 … (a view has no primary key) unless
    told which column is the key: the planning schema's ``parcels`` view has ``fid``, the survey's, which
    QGIS's ``postgres`` provider, ``balance --in-database`` and every message naming a parcel use. Set for
    the process unless the planner set ``PGSQL_OGR_FID`` (used only where GDAL finds no primary key)."""
    from osgeo import gdal

    if not gdal.GetConfigOption("PGSQL_OGR_FID"):
        gdal.SetConfigOption("PGSQL_OGR_FID", "fid")


def _has_declared_encoding(dbf: Path) -> bool:
    """A ``.cpg`` beside the DBF, or a language driver id in its header: the file says its encoding."""
    if any(dbf.with_suffix(s).exists() for s in (".cpg", ".CPG")):
        return True
    try:
        with open(dbf, "rb") as f:
            head = f.read(32)
    except OSError:
        return True
    return len(head) == 32 and head[29] != 0


def _dbf_text_sample(dbf: Path, max_records: int = 5000) -> list[bytes]:
    """The non-ASCII values (raw bytes) of the character fields of records of a DBF file."""
    import struct

    with open(dbf, "rb") as f:
        head = f.read(32)
        if len(head) < 32:
            return b""
        n_records, header_len, record_len = struct.unpack("<IHH", head[4:12])
        fields, offset = [], 1  # byte 0 of a record is the deletion flag
        while f.tell() < header_len - 1:
            desc = f.read(32)
            if len(desc) < 32 or desc[0] == 0x0D:
                break
            length = desc[16]
            if desc[11:12] in (b"C", b"M"):
                fields.append((offset, length))
            offset += length
        # records from the start, the middle and the end (text may be ASCII for a long stretch)
        per_block = max(1, min(n_records, max_records) // 4)
        starts = sorted({0, n_records // 3, 2 * n_records // 3, max(0, n_records - per_block)})
        blocks = []
        for first in starts:
            f.seek(header_len + first * record_len)
            blocks.append(f.read(record_len * per_block))
    out = []
    for data in blocks:
        for start in range(0, len(data) - record_len + 1, record_len):
            for off, length in fields:
                value = data[start + off:start + off + length].rstrip(b" \x00")
                if value and not value.isascii():
                    out.append(value)
    return out


def shapefile_encoding(path: str) -> str | None:
    """The encoding to read a shapefile's attributes with when it does not declare one.

    ``None`` when the file declares it (``.cpg``/LDID: QGIS uses that) or its text is plain ASCII;
    ``"UTF-8"`` or ``"GBK"`` when the bytes decode as that (GBK text is almost never valid
    UTF-8); InputError naming the option when neither fits.
    """
    dbf = Path(path).with_suffix(".dbf")
    if not dbf.exists():
        dbf = Path(path).with_suffix(".DBF")
    if not dbf.exists() or _has_declared_encoding(dbf):
        return None
    try:
        sample = _dbf_text_sample(dbf)
    except (OSError, ValueError):
        return None
    if not sample:
        return None
    import codecs

    for encoding in ("UTF-8", "GBK", "GB18030"):
        try:
            for value in sample:  # a value cut at the field width may end in half a character
                codecs.getincrementaldecoder(encoding)().decode(value, final=False)
            return encoding
        except UnicodeDecodeError:
            continue
    raise InputError(tr("Cannot tell the text encoding of {0} (it has no .cpg file): give it with --encoding "
                        "(e.g. GBK), or in QGIS in the layer properties (Source, data source encoding).")
                     .format(dbf))


_DAMAGE_WORDS = ("malformed", "corrupt", "not a database", "disk i/o error")



def damaged_gpkg(path: str, detail: str) -> InputError:
    """The error for a GeoPackage GDAL cannot read through (a damaged page, a truncated file…)."""
    return InputError(tr("The GeoPackage {0} is damaged and cannot be read ({1}). Restore it from a "
                         "backup, or copy what is readable into a new file (QGIS: Export > Save "
                         "Features As…); nothing was computed.").format(path, detail))


@contextmanager
def damage_guard(layer: QgsVectorLayer):
    """Turn GDAL's reports of a damaged file during a read through QGIS into an InputError.

    QGIS's OGR provider stops at an unreadable page with a log line only: the layer would seem to
    hold fewer features and every number would be silently wrong.
    """
    from osgeo import gdal

    seen: list[str] = []

    def handler(err_class, _code, message):
        if err_class >= gdal.CE_Failure and any(w in str(message).lower() for w in _DAMAGE_WORDS):
            seen.append(" ".join(str(message).split())[:160])

    gdal.PushErrorHandler(handler)
    try:
        yield
    finally:
        gdal.PopErrorHandler()
    if seen:
        path = QgsProviderRegistry.instance().decodeUri(layer.providerType(), layer.source()).get("path") \
            or layer.source()
        raise damaged_gpkg(path, seen[0])


def layer_sources(layer: QgsVectorLayer) -> list[str]:
    """The layer's source string and the file path QGIS decodes from it (if any)."""
    source = layer.source()
    path = QgsProviderRegistry.instance().decodeUri(layer.providerType(), source).get("path")
    return [source] + ([path] if path else [])
