"""The planning schema's layers opened with QGIS's ``postgres`` provider are drawn like the plan
GeoPackage: parcels by remediation type, units labelled (docs/postgis.md)."""
from __future__ import annotations

from qgis.core import QgsCategorizedSymbolRenderer, QgsProject, QgsSingleSymbolRenderer, QgsVectorLayer

from plugin.adapters.export import export_plan
from plugin.adapters.layers import Inputs, open_layer
from plugin.core.rules import bundled_pack
from tests.postgis import test_pg_live as live
from tests.postgis.test_pg_live import pg_layer, start_session

demo_gpkg, template, planners = live.demo_gpkg, live.template, live.planners  # the two planners' fixtures


def categories(layer) -> list[tuple]:
    renderer = layer.renderer()
    assert isinstance(renderer, QgsCategorizedSymbolRenderer), type(renderer)
    # NULL comes back from a saved style as "": QGIS draws NULL values with either
    return [(c.value() or None, c.label(), c.symbol().color().name(), c.symbol().symbolLayer(0).strokeColor().name())
            for c in renderer.categories()]


def test_postgres_layers_get_the_plan_geopackage_styles_a_planners_own_style_is_kept(planners, demo_gpkg,
                                                                                     tmp_path):
    out = tmp_path / "plan.gpkg"
    export_plan(Inputs(open_layer(f"{demo_gpkg}|layername=DLTB", "parcels"),
                       open_layer(f"{demo_gpkg}|layername=ZZDY", "units"), None, unit_field="DYBH"),
                bundled_pack("national"), out)
    exported = QgsVectorLayer(f"{out}|layername=parcels", "exported", "ogr")
    assert exported.isValid()

    parcels, units = pg_layer("a", "parcels", "fid"), pg_layer("a", "plan_unit", "id")
    assert isinstance(parcels.renderer(), QgsSingleSymbolRenderer)  # as QGIS draws a new layer
    assert not units.labelsEnabled()
    session = start_session(parcels, units)
    assert parcels.renderer().classAttribute() == "zzlx"  # the view's spelling
    assert categories(parcels) == categories(exported) and len(categories(parcels)) > 5
    assert units.labelsEnabled() and "dybh" in units.labeling().settings().getLabelExpression().expression()
    session.unload()

    # a style the planner chose (here: by survey class) is not replaced
    for layer in (parcels, units):
        QgsProject.instance().removeMapLayer(layer.id())
    parcels, units = pg_layer("a", "parcels", "fid"), pg_layer("a", "plan_unit", "id")
    own = QgsCategorizedSymbolRenderer("dlbm", [])
    parcels.setRenderer(own)
    session = start_session(parcels, units)
    assert parcels.renderer().classAttribute() == "dlbm"
    session.unload()
