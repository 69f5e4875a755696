"""The demo's planning project: opening it must bring back the plugin's set-up."""
from qgis.core import QgsProject

from plugin.adapters.project_config import SessionConfig
from plugin.demo.project import write_planning_project
from plugin.demo.writer import write_demo_gpkg


def test_planning_project_restores_layers_and_plugin_setup(qgis_app, tmp_path):
    gpkg = tmp_path / "township.gpkg"
    write_demo_gpkg(str(gpkg), n_parcels=400, seed=11)
    qgz = write_planning_project(gpkg, tmp_path / "plan.qgz")
    moved = tmp_path / "elsewhere"
    moved.mkdir()
    (tmp_path / "township.gpkg").rename(moved / "township.gpkg")
    qgz.rename(moved / "plan.qgz")  # relative paths: the pair can be copied together

    project = QgsProject()
    try:
        assert project.read(str(moved / "plan.qgz"))
        config = SessionConfig.read(project)
        assert config.complete and config.rule_pack == "national"
        tables = {}
        for role in ("parcels", "units", "pbf", "redline", "ugb"):
            layer = project.mapLayer(getattr(config, role))
            assert layer is not None and layer.isValid(), role
            tables[role] = layer.source().split("layername=")[-1]
        assert tables == {"parcels": "DLTB", "units": "ZZDY", "pbf": "YJJBNTTB", "redline": "STBHHX",
                          "ugb": "CZKFBJ"}
        order = [node.layer().source().split("layername=")[-1] for node in project.layerTreeRoot().findLayers()]
        assert order[0] == "ZZDY" and order[-1] == "XMFW"  # units on top, project boundary at the bottom
        parcels = project.mapLayer(config.parcels)
        assert parcels.renderer().type() == "categorizedSymbol"
        assert not project.viewSettings().defaultViewExtent().isEmpty()
    finally:
        project.clear()
