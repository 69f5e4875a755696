"""Bundled QML styles applied with a label font that exists on this machine.

A QML names its label font; QGIS warns in the message bar when that family is missing
("font … not available on the system"), which a planner sees on every load. Bundled
styles are therefore applied with their font replaced by the first Chinese-capable family
installed here (Windows: 微软雅黑; Linux: Noto Sans CJK SC …), else the UI font.
"""
from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

from qgis.PyQt.QtGui import QFontDatabase, QGuiApplication
from qgis.PyQt.QtXml import QDomDocument

# Tried in order; the first one installed is used for labels.
PREFERRED_LABEL_FONTS = ("Microsoft YaHei", "Microsoft YaHei UI", "Noto Sans CJK SC", "Source Han Sans SC",
                         "WenQuanYi Micro Hei", "PingFang SC", "Hiragino Sans GB", "SimHei", "DejaVu Sans")
_FONT_ATTR = re.compile(r'fontFamily="[^"]*"')


@lru_cache(maxsize=1)
def label_font_family() -> str:
    installed = set(QFontDatabase().families())
    for family in PREFERRED_LABEL_FONTS:
        if family in installed:
            return family
    return QGuiApplication.font().family()


def load_style(layer, qml: Path) -> tuple[bool, str]:
    """Apply ``qml`` to ``layer`` with a label font present here; (ok, error message)."""
    text = Path(qml).read_text(encoding="utf-8")
    family = label_font_family().replace('"', "")
    text = _FONT_ATTR.sub(f'fontFamily="{family}"', text)
    doc = QDomDocument()
    parsed = doc.setContent(text)
    if not (parsed[0] if isinstance(parsed, tuple) else parsed):
        return False, f"{qml}: not a valid QML document"
    ok, message = layer.importNamedStyle(doc)
    if ok:
        layer.triggerRepaint()
    return ok, message
