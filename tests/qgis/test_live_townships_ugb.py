"""The balance dock's township limits follow edits of the urban growth boundary layer, without a
rebuild of the live balance (adapters/townships.LiveTownships; the data of test_township_front_ends:
township 320281101's square 0, PBF moved out, lies in the UGB → 10 000 m²)."""
import shutil

import pytest
from qgis.core import QgsGeometry

from tests.qgis.bad_data import X0, Y0, rect
from tests.qgis.test_township_front_ends import A, towns  # noqa: F401  (fixture)

UGB_RULE = "Township: PBF moved out inside the urban growth boundary"


def test_the_dock_follows_ugb_edits_without_a_rebuild(qgis_app, qgis_iface, qgis_new_project, towns, tmp_path):  # noqa: F811
    from plugin.gui.balance_dock import SCOPE_PROJECT, BalancePanel
    from plugin.gui.session import PlanningSession
    from plugin.gui.setup_dialog import SetupDialog, apply_config
    from tests.qgis.qgis_helpers import add_layers
    from tests.qgis.test_docks import settle

    path = tmp_path / "towns.gpkg"
    shutil.copy(towns, path)
    layers = add_layers(path, ("DLTB", "ZZDY", "YJJBNTTB", "CZKFBJ"))
    session = PlanningSession(qgis_iface)
    session.background = False
    dock = BalancePanel(qgis_iface, session, qgis_iface.mainWindow())

    def shown() -> float:
        settle(session)  # no dock.refresh(): the dock refreshes itself
        return {(t, name): value for t, name, value, _p in dock.displayed_townships()}[(A, UGB_RULE)]

    try:
        dialog = SetupDialog(session, qgis_iface)
        config = dialog.config()
        dialog.deleteLater()
        assert apply_config(session, config, qgis_iface, ask=False)
        settle(session)
        dock.set_scope(SCOPE_PROJECT)
        dock.refresh()
        assert shown() == pytest.approx(10_000)
        rebuilds = session.live.rebuild_count
        ugb = layers["CZKFBJ"]
        boundary = next(ugb.getFeatures())
        assert ugb.startEditing()
        # the boundary moved off the moved-out square (to the next one, which is not moved out)
        moved = QgsGeometry.fromWkt(rect(X0 + 100, Y0, X0 + 200, Y0 + 100))
        assert ugb.changeGeometry(boundary.id(), moved)
        assert shown() == pytest.approx(0)
        ugb.undoStack().undo()
        assert shown() == pytest.approx(10_000)
        # a boundary over half of it: half the square's PBF
        half = QgsGeometry.fromWkt(rect(X0, Y0, X0 + 50, Y0 + 100))
        assert ugb.changeGeometry(boundary.id(), half)
        assert shown() == pytest.approx(5_000)
        assert ugb.deleteFeature(boundary.id())
        assert shown() == pytest.approx(0)
        ugb.rollBack()
        assert shown() == pytest.approx(10_000)
        assert session.live.rebuild_count == rebuilds  # the balance was not rebuilt for any of it
    finally:
        dock.unload()
        dock.deleteLater()
        session.unload()
        qgis_iface.newProject()  # the set-up written into the project must not reach later tests
