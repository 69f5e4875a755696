"""Land Consolidation Planner: all Python code of the plugin.

Sub-packages, by what they may import (see docs/architecture.md):
  core        pure domain logic (stdlib, shapely, pandas) - never qgis/PyQt5
  adapters    QGIS layers <-> core records, GeoPackage writing
  processing  Processing provider and algorithms
  gui         docks, dialogs (PyQt5)
Inside the plugin every import is relative, so the package works both as the installed
plugin folder and as ``plugin`` from the repository root (``python -m plugin.cli``).
"""
