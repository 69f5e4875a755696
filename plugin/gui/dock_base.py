"""What the three planning docks share: the session, the set-up button, clean unloading."""
from __future__ import annotations

from typing import Any

from qgis.gui import QgsDockWidget
from qgis.PyQt.QtWidgets import QVBoxLayout, QWidget

from ..adapters.signals import connect_all, disconnect_all
from .common import setup_bar


class PlanningDock(QgsDockWidget):
    """A dock on the plugin's :class:`PlanningSession` (its own one when none is given, for tests)."""

    OBJECT_NAME = ""

    def __init__(self, iface, session=None, parent=None, title: str = ""):
        super().__init__(parent)
        self.iface = iface
        self._own_session = session is None
        if session is None:
            from .session import PlanningSession

            session = PlanningSession(iface, parent=self, follow_project=False)
        self.session = session
        self.setObjectName(self.OBJECT_NAME)
        self.setWindowTitle(title)
        self._connections: list[tuple[Any, Any]] = []

    def _contents(self) -> tuple[QWidget, QVBoxLayout]:
        """The dock's root widget and layout, starting with the status row and the set-up button."""
        root = QWidget(self)
        root.setObjectName(self.OBJECT_NAME + "Contents")
        layout = QVBoxLayout(root)
        row, self.status_label, self.setup_button = setup_bar(root, self.open_setup)
        layout.addWidget(row)
        return root, layout

    def connect_signals(self, *pairs: tuple[Any, Any]) -> None:
        """Connect (signal, slot) pairs that :meth:`unload` disconnects again."""
        self._connections += connect_all(pairs)

    def open_setup(self, *_args) -> None:
        from .setup_dialog import run_setup

        run_setup(self.session, self.iface, self)

    def _drop_layer(self) -> None:
        """Docks that follow a layer let go of it here."""

    def _stop_timers(self) -> None:
        """Docks with timers stop them here."""

    def unload(self) -> None:
        self._stop_timers()
        disconnect_all(self._connections)
        self._connections = []
        self._drop_layer()
        if self._own_session:
            self.session.unload()
