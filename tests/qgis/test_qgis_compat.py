"""plugin.adapters.qgis_compat on the QGIS this suite runs on (3.22 on the host, 3.40 in the chroot)."""

from __future__ import annotations

import warnings

import pytest
from qgis.core import (
    Qgis,
    QgsFeature,
    QgsField,
    QgsGeometry,
    QgsPalLayerSettings,
    QgsVectorLayer,
    QgsVectorLayerSimpleLabeling,
)
from qgis.PyQt.QtCore import QVariant

from plugin.adapters import qgis_compat as compat


def _deprecations(caught) -> list[str]:
    return [str(w.message) for w in caught if "deprecat" in str(w.message).lower()
            or issubclass(w.category, DeprecationWarning)]


def _same(value, scoped) -> bool:
    return type(value) is type(scoped) and value == scoped


@pytest.mark.parametrize("kind", compat.FIELD_KINDS)
def test_make_field_kind_round_trips_without_deprecation(qgis_app, kind):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        field = compat.make_field("F", kind, "", 12, 3, alias="别名")
    assert _deprecations(caught) == []
    assert compat.field_kind(field) == kind
    assert (field.name(), field.length(), field.precision(), field.alias()) == ("F", 12, 3, "别名")


def test_made_fields_store_their_values_in_a_layer(qgis_app):
    layer = QgsVectorLayer("None", "t", "memory")
    provider = layer.dataProvider()
    assert provider.addAttributes([compat.make_field("S", "string"), compat.make_field("D", "double"),
                                   compat.make_field("I", "int"), compat.make_field("L", "int64")])
    layer.updateFields()
    feature = QgsFeature(layer.fields())
    feature.setAttributes(["整治", 1.25, 7, 2**40])
    assert provider.addFeatures([feature])[0]
    stored = next(layer.getFeatures()).attributes()
    assert stored == ["整治", 1.25, 7, 2**40]
    assert [compat.field_kind(f) for f in layer.fields()] == ["string", "double", "int", "int64"]


def test_old_qvariant_constructor_is_what_newer_qgis_deprecates(qgis_app):
    """Why make_field exists: on QGIS >= 3.38 the QVariant constructor warns (checked, not assumed)."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        QgsField("F", QVariant.String)
    if compat.FIELDS_USE_QMETATYPE:
        assert _deprecations(caught), "QGIS >= 3.38 was expected to deprecate QgsField(name, QVariant.Type)"
    else:
        assert _deprecations(caught) == []


def test_unknown_field_kind_is_a_clear_error():
    with pytest.raises(ValueError, match="unknown field kind 'text'"):
        compat.make_field("F", "text")


def test_label_placement_is_accepted_and_kept(qgis_app):
    """The assignment that raised TypeError on QGIS 3.40 (LabelPredefinedPointPosition)."""
    settings = QgsPalLayerSettings()
    settings.placement = compat.LABEL_OVER_POINT
    layer = QgsVectorLayer("Polygon?crs=EPSG:4490", "u", "memory")
    layer.setLabeling(QgsVectorLayerSimpleLabeling(settings))
    assert int(layer.labeling().settings().placement) == int(compat.LABEL_OVER_POINT)


def test_geometry_constants_match_what_qgis_returns(qgis_app):
    layer = QgsVectorLayer("MultiPolygon?crs=EPSG:4490", "u", "memory")
    assert layer.geometryType() == compat.POLYGON_GEOMETRY
    assert layer.wkbType() == compat.WKB_MULTIPOLYGON
    assert QgsGeometry.fromWkt("MULTIPOLYGON(((0 0,1 0,1 1,0 0)))").wkbType() == compat.WKB_MULTIPOLYGON
    assert QgsVectorLayer("None", "t", "memory").wkbType() == compat.WKB_NO_GEOMETRY


def test_scoped_enums_used_where_this_qgis_has_them(qgis_app):
    """On 3.40 the values are Qgis' scoped enums (not the deprecated aliases); on 3.22 the old ones."""
    if Qgis.QGIS_VERSION_INT >= 33600:
        assert _same(compat.LABEL_OVER_POINT, Qgis.LabelPlacement.OverPoint)
        assert _same(compat.WKB_MULTIPOLYGON, Qgis.WkbType.MultiPolygon)
        assert _same(compat.SOURCE_VECTOR_POLYGON, Qgis.ProcessingSourceType.VectorPolygon)
        assert _same(compat.REQUEST_NO_GEOMETRY, Qgis.FeatureRequestFlag.NoGeometry)
        assert _same(compat.LAYER_FILTER_POLYGON, Qgis.LayerFilter.PolygonLayer)
        assert _same(compat.LAYOUT_MILLIMETERS, Qgis.LayoutUnit.Millimeters)
    else:
        assert compat.LABEL_OVER_POINT == QgsPalLayerSettings.OverPoint
