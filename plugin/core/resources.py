"""Where the plugin's data files live. Data, not code: users read and extend them.

The one place the plugin folder is derived from a module's own path; ``plugin/paths.py``
(icons, translations, Qt Designer forms, metadata) builds on it, and the core, which may import
only the core, reads it here.
"""
from __future__ import annotations

from pathlib import Path

#: The plugin folder (the repository root): holds metadata.txt, resources/, i18n/, ui/.
PLUGIN_ROOT = Path(__file__).resolve().parents[2]
RESOURCES = PLUGIN_ROOT / "resources"


def resource_path(*parts: str) -> Path:
    """Path of a bundled data file under ``resources/``."""
    return RESOURCES.joinpath(*parts)
