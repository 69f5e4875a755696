"""Shared test set-up: make QGIS's bundled Processing plugin importable headless."""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# `import processing` (QGIS's own Processing plugin) lives outside site-packages on Debian.
for _plugins in (Path("/usr/share/qgis/python/plugins"),):
    if _plugins.is_dir() and str(_plugins) not in sys.path:
        sys.path.append(str(_plugins))
