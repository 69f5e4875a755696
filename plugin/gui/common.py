"""Small helpers shared by the docks: number formatting, colours, the session a dock uses."""

from __future__ import annotations

from typing import Any, Optional

from qgis.PyQt.QtCore import QLocale
from qgis.PyQt.QtGui import QColor, QIcon, QPixmap
from qgis.PyQt.QtWidgets import QHBoxLayout, QLabel, QPushButton, QWidget

from ..core.areas import convert, unit_label
from ..core.i18n import chinese, tr

#: m² of a displayed area cell (the unit conversion only changes the text).
M2_ROLE = 0x0100 + 1  # Qt.UserRole + 1
KEY_ROLE = 0x0100 + 2
DECIMALS = {"mu": 2, "ha": 4, "m2": 2}

PASS_COLOUR = QColor("#c8e6c9")
FAIL_COLOUR = QColor("#ffcdd2")
WARN_COLOUR = QColor("#ffe0b2")
NA_COLOUR = QColor("#e0e0e0")


def area_units() -> list[tuple[str, str]]:
    """(key, label) of the area units a planner can pick; 亩 first."""
    zh = chinese()
    return [("mu", unit_label("mu", zh)), ("ha", unit_label("ha", zh)), ("m2", unit_label("m2", zh))]


def format_number(value: Optional[float], decimals: int = 2, group: bool = True) -> str:
    """``value`` with the locale's decimal point (and group separator unless ``group`` is False)."""
    if value is None:
        return "—"
    locale = QLocale()
    if not group:
        locale.setNumberOptions(QLocale.OmitGroupSeparator)
    text = locale.toString(float(value), "f", decimals)
    zero = locale.toString(0.0, "f", decimals)
    if text == "-" + zero:
        text = zero
    return text


def format_area(area_m2: Optional[float], unit: str, group: bool = True) -> str:
    if area_m2 is None:
        return "—"
    return format_number(convert(area_m2, unit), DECIMALS[unit], group)


def swatch(colour: str, size: int = 14) -> QIcon:
    pixmap = QPixmap(size, size)
    pixmap.fill(QColor(colour))
    return QIcon(pixmap)


def setup_bar(parent: QWidget, on_setup: Any) -> tuple[QWidget, QLabel, QPushButton]:
    """A row with a status label and the "Project set-up…" button, as every dock shows it."""
    row = QWidget(parent)
    layout = QHBoxLayout(row)
    layout.setContentsMargins(0, 0, 0, 0)
    label = QLabel(row)
    label.setWordWrap(True)
    button = QPushButton(tr("Project set-up…"), row)
    button.setObjectName("setupButton")
    button.clicked.connect(on_setup)
    layout.addWidget(label, 1)
    layout.addWidget(button)
    return row, label, button
