"""The set-up dialog's planning database section: the CLI's ``db init`` on a QGIS PostgreSQL connection.

The connection is one of QGIS's saved PostgreSQL connections (Data Source Manager; its password,
if any, in QGIS's auth manager as ``authcfg``) or a typed ``service=…``. ``db init`` runs as a
QgsTask (the dialog stays responsive, a busy bar shows it works); the result or the error is
shown in one sentence, never with a password (``connection.redact``; docs/postgis.md).
"""
from __future__ import annotations

import traceback
from typing import Optional

from qgis.core import QgsApplication, QgsDataSourceUri, QgsProviderRegistry, QgsTask
from qgis.PyQt.QtCore import pyqtSignal
from qgis.PyQt.QtWidgets import QComboBox, QFormLayout, QGroupBox, QLabel, QLineEdit, QProgressBar, QPushButton

from ..adapters.log import log
from ..adapters.postgis.commands import DEFAULT_SCHEMA, db_init
from ..adapters.postgis.connection import libpq_dsn, redact, resolve_authcfg
from ..core.errors import PlanError
from ..core.i18n import tr


def postgres_connections() -> dict[str, str]:
    """QGIS's saved PostgreSQL connections: name -> libpq connection info (``authcfg`` not expanded)."""
    metadata = QgsProviderRegistry.instance().providerMetadata("postgres")
    if metadata is None:
        return {}
    try:
        connections = metadata.connections(False)
    except Exception as error:  # QgsProviderConnectionException: no connection is usable then
        log(tr("Reading QGIS's PostgreSQL connections failed: {0}").format(redact(str(error))))
        return {}
    return {name: QgsDataSourceUri(conn.uri()).connectionInfo(False) for name, conn in connections.items()}


class DatabaseInitTask(QgsTask):
    """``db init`` in a worker thread (psycopg2 only; no Qt object of the main thread touched)."""

    def __init__(self, dsn: str, schema: str):
        super().__init__(tr("Land consolidation: creating the planning schema"))
        self.dsn, self.schema = dsn, schema
        self.lines: list[str] = []
        self.error: Optional[str] = None

    def run(self) -> bool:
        try:
            self.lines = db_init(self.dsn, self.schema)
            return True
        except PlanError as error:
            self.error = redact(str(error))
        except Exception:
            log(redact(traceback.format_exc()))
            self.error = tr("Creating the planning schema failed; see the message log for details.")
        return False


class DatabaseInitSection(QGroupBox):
    """Connection, schema, a button, a busy bar and the result (``done(ok, text)`` when finished)."""

    done = pyqtSignal(bool, str)

    def __init__(self, parent=None):
        super().__init__(tr("Planning database (PostgreSQL/PostGIS)"), parent)
        self.setObjectName("databaseSection")
        form = QFormLayout(self)
        self.connection = QComboBox(self)
        self.connection.setEditable(True)
        self.connection.lineEdit().setPlaceholderText(tr("a QGIS connection, or service=county"))
        for name, info in sorted(postgres_connections().items()):
            self.connection.addItem(name, info)
        self.connection.setToolTip(tr("QGIS's saved PostgreSQL connections (passwords stay in QGIS's auth manager), "
                                      "or a pg_service.conf service typed as service=NAME"))
        form.addRow(tr("Connection"), self.connection)
        self.schema = QLineEdit(DEFAULT_SCHEMA, self)
        form.addRow(tr("Schema"), self.schema)
        self.button = QPushButton(tr("Create / upgrade the planning schema (db init)"), self)
        self.button.clicked.connect(self.run)
        form.addRow(self.button)
        self.progress = QProgressBar(self)
        self.progress.setRange(0, 0)  # busy: db init reports no steps
        self.progress.hide()
        form.addRow(self.progress)
        self.result = QLabel(self)
        self.result.setWordWrap(True)
        self.result.setObjectName("databaseResult")
        form.addRow(self.result)
        self.task: Optional[DatabaseInitTask] = None

    def source(self) -> str:
        """The chosen connection's info (a saved connection by name) or the typed text."""
        text = self.connection.currentText().strip()
        index = self.connection.findText(text)
        return self.connection.itemData(index) if index >= 0 else text

    def run(self) -> None:
        source, schema = self.source(), self.schema.text().strip() or DEFAULT_SCHEMA
        if not source:
            self._finish(False, tr("Choose a PostgreSQL connection first."))
            return
        try:  # the auth manager is asked here, in the main thread; the task gets the libpq string
            dsn = resolve_authcfg(libpq_dsn(source))
        except PlanError as error:
            self._finish(False, redact(str(error)))
            return
        self.button.setEnabled(False)
        self.progress.show()
        self.result.setText(tr("Creating or upgrading the schema {0}…").format(schema))
        task = DatabaseInitTask(dsn, schema)
        task.taskCompleted.connect(lambda: self._finish(True, "\n".join(task.lines)))
        task.taskTerminated.connect(lambda: self._finish(False, task.error or tr("Cancelled.")))
        self.task = task
        QgsApplication.taskManager().addTask(task)

    def _finish(self, ok: bool, text: str) -> None:
        self.task = None
        self.button.setEnabled(True)
        self.progress.hide()
        self.result.setStyleSheet("" if ok else "color: #b00020;")
        self.result.setText(text)
        self.done.emit(ok, text)
