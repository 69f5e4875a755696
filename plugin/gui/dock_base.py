"""What the planning panels share: the session, the status row, clean unloading.

The panels (units, tagging, balance) are plain widgets hosted as tabs by the workbench dock
(:mod:`.workbench`); each also works on its own (tests, or embedded elsewhere).
"""
from __future__ import annotations

from typing import Any

from qgis.PyQt.QtWidgets import QAbstractItemView, QHeaderView, QTableWidget, QVBoxLayout, QWidget

from ..adapters.signals import connect_all, disconnect_all
from .common import setup_bar


class PlanningPanel(QWidget):
    """A panel on the plugin's :class:`PlanningSession` (its own one when none is given, for tests)."""

    OBJECT_NAME = ""

    def __init__(self, iface, session=None, parent=None, title: str = "", tab_title: str = ""):
        super().__init__(parent)
        self.iface = iface
        self._own_session = session is None
        if session is None:
            from .session import PlanningSession

            session = PlanningSession(iface, parent=self, follow_project=False)
        self.session = session
        self.setObjectName(self.OBJECT_NAME)
        self.setWindowTitle(title)
        self.tab_title = tab_title or title
        self._hosted = False
        self._watching_config = False
        self._connections: list[tuple[Any, Any]] = []

    def _contents(self) -> tuple[QWidget, QVBoxLayout]:
        """The panel and its layout, starting with the status row and the set-up button."""
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        row, self.status_label, self.setup_button = setup_bar(self, self.open_setup)
        self.status_row = row
        layout.addWidget(row)
        return self, layout

    def _read_only_table(self, name: str, headers: list, stretch: int, on_double_click) -> QTableWidget:
        """A read-only table of whole rows: columns sized to their contents but ``stretch``, which takes
        the rest; a double click calls ``on_double_click(row, column)``."""
        table = QTableWidget(0, len(headers), self)
        table.setObjectName(name)
        table.setHorizontalHeaderLabels(headers)
        table.verticalHeader().setVisible(False)
        table.setEditTriggers(QAbstractItemView.NoEditTriggers)
        table.setSelectionBehavior(QAbstractItemView.SelectRows)
        table.setWordWrap(False)
        header = table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeToContents)
        header.setSectionResizeMode(stretch, QHeaderView.Stretch)
        table.cellDoubleClicked.connect(on_double_click)
        table.setMinimumHeight(120)
        return table

    def set_hosted(self, hosted: bool) -> None:
        """In the workbench the status and the set-up button are the workbench's own header; the
        panel's status row shows only while the project is not set up (it says what to do)."""
        self._hosted = hosted
        self.setup_button.setVisible(not hosted)
        self._sync_status_row()
        if hosted and not self._watching_config:
            self._watching_config = True
            self.connect_signals((self.session.configChanged, self._sync_status_row))

    def _sync_status_row(self, *_args) -> None:
        self.status_row.setVisible(not self._hosted or not self.session.configured)

    def connect_signals(self, *pairs: tuple[Any, Any]) -> None:
        """Connect (signal, slot) pairs that :meth:`unload` disconnects again."""
        self._connections += connect_all(pairs)

    def open_setup(self, *_args) -> None:
        from .setup_dialog import run_setup

        run_setup(self.session, self.iface, self)

    def _drop_layer(self) -> None:
        """Panels that follow a layer let go of it here."""

    def _stop_timers(self) -> None:
        """Panels with timers stop them here."""

    def unload(self) -> None:
        self._stop_timers()
        disconnect_all(self._connections)
        self._connections = []
        self._drop_layer()
        if self._own_session:
            self.session.unload()
