"""Hand-over from the workbench: the plan GeoPackage, the XLSX report and the unit maps.

Always with the session's own set-up: its layers (unsaved edits included), field mapping and
rule pack, through its live engine (the numbers the panels show), and the same writers as the
command line and the Processing algorithms (``adapters.export.write_plan``,
``adapters.report_xlsx.write_report``, ``adapters.unit_maps.write_unit_maps``).

The writers run on the main thread (they build QGIS projects and print layouts) under a modal
progress dialog whose Cancel stops them through a ``QgsFeedback``; a problem is a message in
the message bar, never a traceback.
"""
from __future__ import annotations

import importlib.util
from pathlib import Path
from typing import Any, Callable, Optional

from qgis.core import Qgis, QgsFeedback
from qgis.PyQt.QtCore import QCoreApplication, QObject, Qt
from qgis.PyQt.QtWidgets import QFileDialog, QProgressDialog, QWidget

from ..adapters.log import log
from ..core.errors import Cancelled, PlanError
from ..core.i18n import chinese, tr
from .errors import guarded, push_message


class _Progress:
    """A modal progress dialog driving a QgsFeedback (Cancel cancels it)."""

    def __init__(self, parent: Optional[QWidget], title: str):
        self.feedback = QgsFeedback()
        self.dialog = QProgressDialog(title, tr("Cancel"), 0, 100, parent)
        self.dialog.setObjectName("LandConsolidationProgress")
        self.dialog.setWindowTitle(title)
        self.dialog.setWindowModality(Qt.WindowModal)
        self.dialog.setMinimumDuration(0)
        self.dialog.setAutoClose(False)
        self.dialog.setAutoReset(False)
        self.dialog.canceled.connect(self.feedback.cancel)
        self.feedback.progressChanged.connect(self._progress)
        self.dialog.setValue(0)
        self.dialog.show()
        QCoreApplication.processEvents()

    def _progress(self, percent: float) -> None:
        self.dialog.setValue(int(max(0.0, min(100.0, percent))))
        QCoreApplication.processEvents()  # paints the dialog and lets Cancel through
        if self.dialog.wasCanceled() and not self.feedback.isCanceled():
            self.feedback.cancel()

    def close(self) -> None:
        # disconnected first: closing a QProgressDialog emits canceled()
        for signal, slot in ((self.feedback.progressChanged, self._progress),
                             (self.dialog.canceled, self.feedback.cancel)):
            try:
                signal.disconnect(slot)
            except (TypeError, RuntimeError):
                pass
        self.dialog.close()
        self.dialog.deleteLater()


class HandOver(QObject):
    """The three exports of the current session (menu entries and workbench buttons call these)."""

    def __init__(self, iface: Any, session: Any, parent: Optional[QObject] = None):
        super().__init__(parent)
        self.iface = iface
        self.session = session
        self.last_written: list[Path] = []

    # ------------------------------------------------------------------ helpers
    def _window(self) -> Optional[QWidget]:
        parent = self.parent()
        if isinstance(parent, QWidget):
            return parent
        return self.iface.mainWindow() if self.iface is not None else None

    def _ready(self) -> bool:
        """The session has a built balance; otherwise say what to do."""
        session = self.session
        if session is None or not session.configured:
            push_message(self.iface, tr("Set up the project first: choose the parcel and units layers."),
                         Qgis.Warning, 8)
            return False
        if session.is_rebuilding:
            push_message(self.iface, tr("The balance is still being computed; export when it is done."),
                         Qgis.Info, 8)
            return False
        session.flush()  # edits of the last moments are in the numbers written
        if session.engine is None or not session.engine.unit_count():
            push_message(self.iface, tr("There is no balance to export yet: draw at least one remediation unit."),
                         Qgis.Warning, 8)
            return False
        return True

    def _run(self, title: str, work: Callable[[QgsFeedback], list]) -> Optional[list]:
        """Run ``work(feedback)`` under the progress dialog; expected problems become messages."""
        progress = _Progress(self._window(), title)
        try:
            written = work(progress.feedback)
        except Cancelled as error:
            push_message(self.iface, str(error) or tr("Cancelled."), Qgis.Info, 5)
            return None
        except (PlanError, OSError) as error:
            log(f"{title}: {error}", Qgis.Warning)
            push_message(self.iface, tr("{0} failed: {1}").format(title, error), Qgis.Warning, 0)
            return None
        finally:
            progress.close()
        if progress.feedback.isCanceled():
            push_message(self.iface, tr("Cancelled."), Qgis.Info, 5)
            return None
        self.last_written = [Path(p) for p in written]
        shown = ", ".join(str(p) for p in self.last_written[:3]) + (" …" if len(written) > 3 else "")
        push_message(self.iface, tr("{0}: written {1}").format(title, shown), Qgis.Success, 10)
        return written

    def _ask_file(self, title: str, filter_text: str, suffix: str) -> str:
        path, _chosen = QFileDialog.getSaveFileName(self._window(), title, self._default_name(suffix), filter_text)
        if path and not path.lower().endswith(suffix):
            path += suffix
        return path

    def _default_name(self, suffix: str) -> str:
        project = self.session.project
        folder = Path(project.absolutePath()) if project.absolutePath() else Path.home()
        stem = project.baseName() or "plan"
        return str(folder / f"{stem}{suffix}")

    # ------------------------------------------------------------------ exports
    def export_plan(self, path: Optional[str] = None) -> Optional[list]:
        """The plan GeoPackage of every unit, with the session's rule pack; the files written."""
        if not self._ready():
            return None
        title = tr("Export plan GeoPackage")
        path = path or self._ask_file(title, tr("GeoPackage (*.gpkg)"), ".gpkg")
        if not path:
            return None
        live = self.session.live

        def work(feedback):
            from ..adapters.export import write_plan

            return write_plan(live.engine, live.reader, live.inputs, path, overwrite=True, feedback=feedback)

        return self._run(title, work)

    def export_report(self, path: Optional[str] = None) -> Optional[list]:
        """The XLSX report (全项目 sheet and one per unit) of the live balance."""
        if not self._ready():
            return None
        title = tr("Plan report (XLSX)")
        if importlib.util.find_spec("openpyxl") is None:
            push_message(self.iface, tr("Writing XLSX needs the Python package openpyxl, which is not installed "
                                        "(pip install openpyxl, or the apt package python3-openpyxl)."),
                         Qgis.Warning, 0)
            return None
        path = path or self._ask_file(title, tr("Excel workbook (*.xlsx)"), ".xlsx")
        if not path:
            return None
        engine = self.session.engine

        def work(feedback):
            from ..adapters.report_xlsx import write_report

            feedback.setProgress(10)
            written = write_report(engine, path, chinese=chinese())
            feedback.setProgress(100)
            return [written]

        return self._run(title, work)

    def export_maps(self, folder: Optional[str] = None) -> Optional[list]:
        """One A3 PDF map per unit into a folder."""
        if not self._ready():
            return None
        title = tr("Unit maps (PDF)")
        if not folder:
            folder = QFileDialog.getExistingDirectory(self._window(), title,
                                                      str(Path(self._default_name("")).parent))
        if not folder:
            return None
        live = self.session.live

        def work(feedback):
            from ..adapters.unit_maps import write_unit_maps

            return write_unit_maps(live.engine, live.inputs, folder, chinese=chinese(), fmt="pdf",
                                   feedback=feedback)

        return self._run(title, work)

    # ------------------------------------------------------------------ slots (menu, buttons)
    @guarded("Exporting the plan")
    def export_plan_clicked(self, *_args) -> None:
        self.export_plan()

    @guarded("Writing the report")
    def export_report_clicked(self, *_args) -> None:
        self.export_report()

    @guarded("Writing the unit maps")
    def export_maps_clicked(self, *_args) -> None:
        self.export_maps()


__all__ = ["HandOver"]
