"""Progress, cancellation and notes of one export run (shared by the plan writer and the copiers)."""
from __future__ import annotations

import contextlib
from typing import Iterator

from osgeo import gdal
from qgis.core import Qgis

from ...core.errors import Cancelled
from ...core.i18n import tr
from ..log import log as log_message


class ExportCancelled(Cancelled):
    """The planner cancelled the export; no file was written or changed."""


class Progress:
    """A ``QgsFeedback`` (or None) seen as progress in percent and a cancel flag.

    ``cancelled()`` only asks; ``check()`` raises :class:`ExportCancelled` when the planner
    cancelled. Long SQL statements ask ``cancelled()`` from SQLite's progress handler.
    """

    def __init__(self, feedback):
        self.feedback = feedback

    def __call__(self, percent: float) -> None:
        if self.feedback is not None:
            self.feedback.setProgress(max(0.0, min(100.0, float(percent))))

    def cancelled(self) -> bool:
        return bool(self.feedback is not None and self.feedback.isCanceled())

    def check(self) -> None:
        if self.cancelled():
            raise cancelled_error()


def cancelled_error() -> ExportCancelled:
    return ExportCancelled(tr("Export cancelled; no file was written."))


def note(progress: Progress, log, message: str) -> None:
    """Tell the planner something about the export: Processing feedback, the caller's log, the message log."""
    feedback = progress.feedback
    if feedback is not None and hasattr(feedback, "pushInfo"):
        feedback.pushInfo(message)
    if log is not None:
        log(message)
    log_message(message, Qgis.Info)


@contextlib.contextmanager
def sqlite_bulk_options() -> Iterator[None]:
    """A bigger SQLite page cache and no per-commit fsync while the temporary file is built
    (it is fsynced once in ``gpkg.finish_file`` before it is moved into place)."""
    options = {"OGR_SQLITE_CACHE": "256", "OGR_SQLITE_SYNCHRONOUS": "OFF"}
    old = {k: gdal.GetConfigOption(k) for k in options}
    for k, v in options.items():
        gdal.SetConfigOption(k, v)
    try:
        yield
    finally:
        for k, v in old.items():
            gdal.SetConfigOption(k, v)
