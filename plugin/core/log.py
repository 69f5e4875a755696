"""The core's logger: Python ``logging`` under ``LOGGER_NAME`` (the core must not import QGIS).

Inside QGIS the plugin routes these records to the message log under its tag
(``adapters/log.py``: ``install_handler`` at start, ``remove_handler`` at unload); elsewhere
(the command line, tests) they follow Python's logging configuration.
"""
from __future__ import annotations

import logging

LOGGER_NAME = "land_consolidation"


def logger() -> logging.Logger:
    """The logger every core module writes to."""
    return logging.getLogger(LOGGER_NAME)
