"""A save refused because another planner changed the same rows (PostGIS layers; docs/postgis.md).

The message names who and when and stays until the planner closes it; its button re-stamps the
refused rows with the current versions so that the next save writes the planner's edits over the
other planner's, knowingly (``adapters.live_postgres.PlanningDatabase.save_over_theirs``).
"""
from __future__ import annotations

from typing import Any

from qgis.core import Qgis
from qgis.gui import QgsMessageBar
from qgis.PyQt.QtWidgets import QPushButton

from ..adapters.log import log
from ..core.i18n import tr
from .errors import push_message


def show_refusal(iface: Any, session: Any, text: str) -> None:
    bar = iface.messageBar() if iface is not None else None
    if not isinstance(bar, QgsMessageBar):  # test doubles: the text only
        push_message(iface, text, Qgis.Critical, 0)
        return
    log(text, Qgis.Warning)
    widget = bar.createMessage(tr("Land Consolidation"), text)
    button = QPushButton(tr("Save mine over theirs"), widget)
    button.setToolTip(tr("Your next save of the layer edits replaces the other planner's values of these rows"))

    def save_over() -> None:
        database = getattr(session, "database", None)
        count = database.save_over_theirs() if database is not None else 0
        bar.popWidget(widget)
        push_message(iface, tr("Save the layer edits again: your values of {0} row(s) will replace the other "
                               "planner's.").format(count), Qgis.Info, 10)

    button.clicked.connect(save_over)
    widget.layout().addWidget(button)
    bar.pushWidget(widget, Qgis.Critical, 0)
