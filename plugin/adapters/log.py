"""The plugin's one log: QGIS's message log (View > Panels > Log Messages) under the tag ``LOG_TAG``.

Adapters, docks and Processing write with :func:`log`. The core, which must not import QGIS,
logs with Python's ``logging.getLogger(LOGGER_NAME)``; the plugin installs a handler that routes
those records to the same tab when it starts (:func:`install_handler`) and removes it when it is
unloaded (:func:`remove_handler`), so a reload never leaves a second handler behind.
"""
from __future__ import annotations

import logging
from typing import Any, Optional

from qgis.core import Qgis, QgsMessageLog

from ..core.log import LOGGER_NAME

LOG_TAG = "LandConsolidation"


def log(message: str, level: Any = Qgis.Info) -> None:
    """Write ``message`` to the QGIS log panel, tab ``LandConsolidation``."""
    QgsMessageLog.logMessage(message, LOG_TAG, level)


def qgis_level(levelno: int) -> Any:
    """The Qgis message level of a Python logging level."""
    if levelno >= logging.ERROR:
        return Qgis.Critical
    if levelno >= logging.WARNING:
        return Qgis.Warning
    return Qgis.Info


class MessageLogHandler(logging.Handler):
    """A logging handler writing each record to QGIS's message log under ``LOG_TAG``."""

    def emit(self, record: logging.LogRecord) -> None:
        try:
            log(self.format(record), qgis_level(record.levelno))
        except Exception:  # logging must never raise into the code that logs
            self.handleError(record)


_handler: Optional[MessageLogHandler] = None


def install_handler(level: int = logging.INFO) -> MessageLogHandler:
    """Route the core's log records (``LOGGER_NAME``) to the message log; idempotent."""
    global _handler
    logger = logging.getLogger(LOGGER_NAME)
    if _handler is None:
        _handler = MessageLogHandler()
        _handler.setFormatter(logging.Formatter("%(message)s"))
        logger.addHandler(_handler)
    logger.setLevel(level)
    return _handler


def remove_handler() -> None:
    """Take the handler of :func:`install_handler` off again (the plugin's unload)."""
    global _handler
    if _handler is not None:
        logging.getLogger(LOGGER_NAME).removeHandler(_handler)
        _handler = None
