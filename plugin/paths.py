"""Where the plugin's files live, whether it runs as the installed plugin folder or from the repo.

The one home of the plugin's paths outside the core (the folder itself is found once, in
``core/resources.py``, since the core may not import this module).
"""

from __future__ import annotations

from .core.resources import PLUGIN_ROOT, RESOURCES

ICONS_DIR = RESOURCES / "icons"
I18N_DIR = PLUGIN_ROOT / "i18n"
UI_DIR = PLUGIN_ROOT / "ui"
METADATA = PLUGIN_ROOT / "metadata.txt"

__all__ = ["I18N_DIR", "ICONS_DIR", "METADATA", "PLUGIN_ROOT", "RESOURCES", "UI_DIR", "icon_path"]


def icon_path(name: str) -> str:
    """Absolute path of ``resources/icons/<name>`` as a string (QIcon wants str)."""
    return str(ICONS_DIR / name)
