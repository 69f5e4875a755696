"""The live balance's full build in a worker thread: a cancellable QgsTask over layer snapshots.

The task reads through :class:`QgsVectorLayerFeatureSource` snapshots made in the main thread
(safe to iterate in a worker thread); edits made meanwhile stay pending in the live balance and
are applied when it finishes.
"""
from __future__ import annotations

import traceback
from typing import Callable

from qgis.core import (
    QgsCoordinateReferenceSystem,
    QgsFeatureRequest,
    QgsFields,
    QgsRectangle,
    QgsTask,
    QgsVectorLayer,
    QgsVectorLayerFeatureSource,
)

from ..core.engine import BalanceEngine, BuildCancelled
from ..core.i18n import tr
from ..core.rules import RulePack
from .fast_read import gpkg_source
from .layers import InputError, Inputs, ParcelReader, build_engine


class SourceLayer:
    """Duck-typed stand-in for a QgsVectorLayer that a worker thread may read.

    Created in the main thread: it snapshots the layer (edit buffer included) into a
    ``QgsVectorLayerFeatureSource`` and copies the metadata ``build_engine`` asks for
    (fields, name, CRS, extent, count), so the unchanged ``adapters.layers.build_engine``
    can run inside a QgsTask; a saved, unmodified GeoPackage is read by the same Arrow fast path
    as the command line (``fast_source``).
    """

    def __init__(self, layer: QgsVectorLayer):
        self._source = QgsVectorLayerFeatureSource(layer)
        self._fields = QgsFields(layer.fields())
        self._name = layer.name()
        self._crs = QgsCoordinateReferenceSystem(layer.crs())
        self._extent = QgsRectangle(layer.extent())
        self._count = layer.featureCount()
        #: the saved GeoPackage behind an unmodified layer: the build reads it with GDAL's Arrow stream
        self.fast_source = gpkg_source(layer)

    def getFeatures(self, request: QgsFeatureRequest | None = None):
        return self._source.getFeatures(request if request is not None else QgsFeatureRequest())

    def fields(self) -> QgsFields:
        return self._fields

    def name(self) -> str:
        return self._name

    def crs(self) -> QgsCoordinateReferenceSystem:
        return self._crs

    def extent(self) -> QgsRectangle:
        return self._extent

    def featureCount(self) -> int:
        return self._count


def snapshot(inputs: Inputs) -> Inputs:
    """The inputs over :class:`SourceLayer` snapshots (main thread); RuntimeError if a layer is gone."""
    return Inputs(SourceLayer(inputs.parcels), SourceLayer(inputs.units),
                  SourceLayer(inputs.pbf) if inputs.pbf is not None else None,
                  inputs.unit_field, dict(inputs.field_overrides), inputs.tbmj_in_mu)


class BuildTask(QgsTask):
    """Full build in a worker thread; ``done(task)`` is called back in the main thread (it must not
    raise: QGIS would swallow the error)."""

    def __init__(self, inputs: Inputs, pack: RulePack, done: Callable[[BuildTask], None]):
        super().__init__(tr("Land consolidation: computing the balance"), QgsTask.CanCancel)
        self.inputs = inputs
        self.pack = pack
        self._done = done
        self.engine: BalanceEngine | None = None
        self.reader: ParcelReader | None = None
        self.error: str | None = None
        self.cancelled_build = False
        self.ok = False

    def run(self) -> bool:  # worker thread: no Qt objects of the main thread touched here
        try:
            self.engine, self.reader = build_engine(
                self.inputs, self.pack, progress=lambda f: self.setProgress(100.0 * f), cancelled=self.isCanceled,
                refuse=False)
            return not self.isCanceled()
        except BuildCancelled:
            self.cancelled_build = True
            return False
        except InputError as e:
            self.error = str(e)
            return False
        except Exception:
            self.error = traceback.format_exc()
            return False

    def finished(self, result: bool) -> None:  # main thread
        self.ok = bool(result) and self.engine is not None
        self._done(self)

    def reader_for(self, layer: QgsVectorLayer) -> ParcelReader:
        """A reader of the real ``layer`` (not the snapshot) carrying what the build's reader noted."""
        reader = ParcelReader(layer, self.reader.fields, self.reader.crs)
        reader.measured = set(self.reader.measured)
        reader.issues = {k: set(v) for k, v in self.reader.issues.items()}
        return reader
