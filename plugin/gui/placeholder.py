"""Placeholder content for docks whose real widgets are still being written."""

from __future__ import annotations

from qgis.PyQt.QtCore import Qt
from qgis.PyQt.QtWidgets import QLabel, QVBoxLayout, QWidget


def placeholder_widget(text: str, object_name: str) -> QWidget:
    """A widget with a word-wrapped, top-aligned label saying what will be there."""
    widget = QWidget()
    widget.setObjectName(object_name)
    layout = QVBoxLayout(widget)
    label = QLabel(text, widget)
    label.setObjectName(object_name + "Label")
    label.setWordWrap(True)
    label.setAlignment(Qt.AlignTop | Qt.AlignLeft)
    layout.addWidget(label)
    layout.addStretch(1)
    return widget
