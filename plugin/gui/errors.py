"""Slots never raise: tell the planner in the message bar, and log under the plugin's tag.

A ``PlanError`` (core/errors.py: something the planner can act on) shows its message and
logs it, without a traceback; ``Cancelled`` says so quietly; anything else is a bug: its
traceback goes to the message log (adapters/log.py) and the bar says where to find it.
"""

from __future__ import annotations

import functools
import traceback
from typing import Any, Callable, Optional

from qgis.core import Qgis
from qgis.gui import QgsMessageBar

from ..adapters.log import log
from ..core.errors import Cancelled, PlanError
from ..core.i18n import tr


def push_message(iface: Any, text: str, level: Any = Qgis.Warning, duration: int = 0) -> None:
    """Show ``text`` in the message bar (when there is one) and log it too."""
    log(text, level)
    if iface is None:
        return
    try:
        bar = iface.messageBar()
        if isinstance(bar, QgsMessageBar):
            # "More" opens the full text in a dialog the planner can copy the command from.
            bar.pushMessage(tr("Land Consolidation"), text, text, level, duration)
        else:  # test doubles (pytest-qgis) know only (title, text, level, duration)
            bar.pushMessage(tr("Land Consolidation"), text, level, duration)
    except Exception:  # showing the error must not raise another one
        log(traceback.format_exc(), Qgis.Critical)


def report_exception(iface: Any, action: str, error: BaseException) -> None:
    """Show ``error`` in the message bar: a PlanError by its message, a bug with its traceback logged."""
    if isinstance(error, PlanError):
        push_message(iface, tr("{0} failed: {1}").format(action, error), Qgis.Warning, 0)
        return
    if isinstance(error, Cancelled):
        push_message(iface, str(error) or tr("Cancelled."), Qgis.Info, 5)
        return
    details = "".join(traceback.format_exception(type(error), error, error.__traceback__))
    log(tr("{action} failed:").format(action=action) + "\n" + details, Qgis.Critical)
    text = tr(
        "{action} failed: {error}. Details are in the log panel (View > Panels > Log Messages, "
        "tab LandConsolidation)."
    ).format(action=action, error=str(error) or type(error).__name__)
    if iface is not None:
        try:
            iface.messageBar().pushMessage(tr("Land Consolidation"), text, Qgis.Critical, 0)
        except Exception:
            log(traceback.format_exc(), Qgis.Critical)


def guarded(action: Optional[str] = None) -> Callable:
    """Decorator for methods used as Qt slots on objects that have an ``iface`` attribute.

    ``action`` names what the planner was doing ("Show the balance dock"); it is translated
    when the error is shown. Exceptions are reported, never propagated into Qt (an exception
    escaping a slot in QGIS's Python aborts the slot and only prints to stderr).
    """

    def decorate(method: Callable) -> Callable:
        @functools.wraps(method)
        def wrapper(self, *args, **kwargs):
            try:
                return method(self, *args, **kwargs)
            except Exception as error:  # the point of a slot guard
                label = tr(action) if action else method.__name__
                report_exception(getattr(self, "iface", None), label, error)
                return None

        return wrapper

    return decorate
