"""Bookkeeping of Qt signal connections, so that ``unload``/``stop`` leave nothing behind."""
from __future__ import annotations

from typing import Any, Iterable


def connect_all(pairs: Iterable[tuple[Any, Any]]) -> list[tuple[Any, Any]]:
    """Connect each (signal, slot) and return the list to give to :func:`disconnect_all`."""
    pairs = list(pairs)
    for signal, slot in pairs:
        signal.connect(slot)
    return pairs


def disconnect_all(pairs: Iterable[tuple[Any, Any]]) -> None:
    """Disconnect each (signal, slot); one whose object is already gone is skipped."""
    for signal, slot in pairs:
        try:
            signal.disconnect(slot)
        except (TypeError, RuntimeError):
            pass  # already disconnected, or its object was deleted with its layer


def cancel_task(task: Any) -> None:
    """Cancel a QgsTask that may already have finished and been deleted by QGIS's task manager."""
    if task is None:
        return
    try:
        task.cancel()
    except RuntimeError:
        pass  # its C++ object is gone: nothing left to cancel
