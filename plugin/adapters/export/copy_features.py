"""The per-feature parcel copiers: read with OGR (``SetFromWithMap``) or through QGIS (the edit buffer).

Both write whole parcels (share 1) as they go and keep the boundary pairs (share < 1) to clip
them in one bulk intersection at the end; areas, DYBH and share come from the engine.
"""
from __future__ import annotations

import codecs
from typing import Hashable

from osgeo import gdal, ogr
from qgis.core import QgsFeatureRequest, QgsProviderRegistry, QgsVectorLayer

from ..wkb import feature_wkb
from .geometry import as_multipolygon, cleaned_multipolygon, clip_to_units, multipolygon_wkbs, unit_geometries
from .ogr_fields import py_value
from .parcels import SHARE_FIELD, UNIT_CODE_FIELD, ParcelCopier, ParcelJob

#: OGR drivers whose text is UTF-8 by definition: read straight with OGR. Others (a shapefile's
#: DBF in GBK…) are decoded with the layer's data source encoding, as QGIS shows them.
UTF8_DRIVERS = {"GPKG", "GeoJSON", "GeoJSONSeq", "FlatGeobuf", "SQLite", "OpenFileGDB"}
#: source features between two progress reports / cancel checks
CHECK_EVERY = 20000


class _Rows:
    """The parcels layer being filled feature by feature, with the engine's numbers."""

    def __init__(self, lyr, job: ParcelJob):
        self.lyr, self.job = lyr, job
        self.defn = lyr.GetLayerDefn()
        self.index = {name: self.defn.GetFieldIndex(name) for name in job.schema.names}
        self.needed = job.pairs()
        self.total = max(1, len(self.needed))
        self.boundary: list[tuple[ogr.Feature, bytes | None, Hashable]] = []  # (feature, source WKB, unit)
        self.count = 0

    def filler(self):
        """fill(feature, parcel id, unit id, share): the apportioned areas, DYBH and share."""
        idx = self.index
        i_tbmj, i_kcmj, i_tbdl = idx["TBMJ"], idx["KCMJ"], idx["TBDLMJ"]
        i_code, i_share = idx[UNIT_CODE_FIELD], idx[SHARE_FIELD]
        set_field = ogr._ogr.Feature_SetField  # the SWIG call itself: ogr.Feature.SetField's dispatch costs 2x
        codes = self.job.codes()
        areas = self.job.engine.parcel_areas

        def fill(out: ogr.Feature, pid: Hashable, uid: Hashable, share: float) -> None:
            tbmj, kc, tbdl = areas(pid)
            set_field(out, i_tbmj, tbmj * share)
            set_field(out, i_kcmj, kc * share)
            set_field(out, i_tbdl, tbdl * share)
            set_field(out, i_code, codes[uid])
            set_field(out, i_share, share)

        return fill

    def add(self, out: ogr.Feature) -> None:
        self.lyr.CreateFeature(out)
        self.count += 1

    def finish(self) -> int:
        """Clip the boundary pairs in bulk, write them, commit; the rows written."""
        job, boundary = self.job, self.boundary
        if boundary:
            unit_geoms = unit_geometries(job.inputs, job.inputs.parcels.crs(), job.uids)
            clipped = clip_to_units([b for _o, b, _u in boundary], [u for _o, _b, u in boundary], unit_geoms)
            for (out, _b, _u), wkb in zip(boundary, multipolygon_wkbs(clipped)):
                if wkb is not None:
                    out.SetGeometryDirectly(ogr.CreateGeometryFromWkb(wkb))
                self.add(out)
        job.progress.check()
        self.lyr.CommitTransaction()
        job.progress(job.p1)
        return self.count


# --------------------------------------------------------------------------- read with OGR
def _ogr_encoding(layer: QgsVectorLayer) -> str | None:
    """The layer's data source encoding as a codec name OGR understands (None if it cannot be passed on)."""
    provider = layer.dataProvider()
    enc = provider.encoding() if provider is not None else ""
    if not enc or enc.lower() == "system":
        return None
    try:
        return codecs.lookup(enc).name.upper().replace("_", "-")
    except LookupError:
        return None


class OgrCopier(ParcelCopier):
    """Feature by feature from an unedited, unfiltered OGR layer read with OGR itself
    (``SetFromWithMap``: no QGIS feature or attribute conversion on the way)."""

    name = "ogr"

    def source(self, layer: QgsVectorLayer, schema):
        """(dataset, layer) opened with OGR, or None (edits, a filter, another provider or encoding)."""
        if layer.providerType() != "ogr" or layer.isModified() or layer.subsetString():
            return None
        parts = QgsProviderRegistry.instance().decodeUri("ogr", layer.source())
        path = parts.get("path")
        if not path:
            return None
        driver = layer.dataProvider().storageType() if layer.dataProvider() is not None else ""
        options = []
        if driver == "ESRI Shapefile":
            # QGIS turns OGR's own recoding off (SHAPE_ENCODING="") and decodes with the layer's
            # encoding (its .cpg, or what the planner chose): OGR must use the same one.
            encoding = _ogr_encoding(layer)
            if encoding is None:
                return None
            options = [f"ENCODING={encoding}"]
        elif driver not in UTF8_DRIVERS:
            return None
        try:
            ds = gdal.OpenEx(path, gdal.OF_VECTOR, open_options=options)
        except RuntimeError:
            return None
        if ds is None:
            return None
        name = parts.get("layerName")
        lyr = ds.GetLayerByName(name) if name else ds.GetLayer(parts.get("layerId") or 0)
        if lyr is None or lyr.GetFeatureCount() != layer.featureCount():
            return None
        return ds, lyr

    def write(self, lyr, source, job: ParcelJob) -> int:
        rows = _Rows(lyr, job)
        fill, needed, defn = rows.filler(), rows.needed, rows.defn
        _src_ds, src_lyr = source
        src_defn = src_lyr.GetLayerDefn()
        out_of = {f.name(): name for _i, f, name in job.schema.source}
        names = [src_defn.GetFieldDefn(k).GetName() for k in range(src_defn.GetFieldCount())]
        fmap = [rows.index.get(out_of[n], -1) if n in out_of else -1 for n in names]
        lyr.StartTransaction()
        for n, src in enumerate(src_lyr):
            if n % CHECK_EVERY == 0:
                job.progress(job.at(0.8 * rows.count / rows.total))
                job.progress.check()
            pairs = needed.get(src.GetFID())
            if not pairs:
                continue
            for uid, share in pairs:
                out = ogr.Feature(defn)
                out.SetFromWithMap(src, 1, fmap)
                fill(out, src.GetFID(), uid, share)
                as_multipolygon(out)
                if share < 1.0:
                    g = src.GetGeometryRef()
                    rows.boundary.append((out, bytes(g.ExportToIsoWkb()) if g is not None else None, uid))
                    continue
                rows.add(out)
        return rows.finish()


# --------------------------------------------------------------------------- read through QGIS
class QgisCopier(ParcelCopier):
    """Feature by feature through QGIS: any layer (pending edits, a memory layer, a filter,
    another provider); curves linearised. The copier of last resort."""

    name = "qgis"

    def source(self, layer: QgsVectorLayer, schema):
        return layer

    def write(self, lyr, source, job: ParcelJob) -> int:
        rows = _Rows(lyr, job)
        fill, needed, defn = rows.filler(), rows.needed, rows.defn
        positions = [(rows.index[name], i) for i, _f, name in job.schema.source]
        lyr.StartTransaction()
        for n, feat in enumerate(source.getFeatures(QgsFeatureRequest().setFilterFids(list(needed)))):
            pairs = needed.get(feat.id())
            if not pairs:
                continue
            attrs = feat.attributes()
            wkb = feature_wkb(feat, None)  # curves linearised
            for uid, share in pairs:
                out = ogr.Feature(defn)
                for k, i in positions:
                    v = py_value(attrs[i])
                    if v is not None:
                        out.SetField(k, v)
                fill(out, feat.id(), uid, share)
                if share < 1.0:
                    rows.boundary.append((out, wkb, uid))
                    continue
                mp = cleaned_multipolygon(wkb)
                if mp is not None:
                    out.SetGeometryDirectly(ogr.CreateGeometryFromWkb(mp))
                rows.add(out)
            if n % CHECK_EVERY == 0:
                job.progress(job.at(0.8 * n / rows.total))
                job.progress.check()
        return rows.finish()
