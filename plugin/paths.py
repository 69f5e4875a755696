"""Where the plugin's data files live, whether it runs as the installed plugin folder or from the repo."""

from __future__ import annotations

from pathlib import Path

#: The plugin folder (the repository root): holds metadata.txt, resources/, i18n/, ui/.
PLUGIN_ROOT = Path(__file__).resolve().parent.parent
ICONS_DIR = PLUGIN_ROOT / "resources" / "icons"
I18N_DIR = PLUGIN_ROOT / "i18n"
UI_DIR = PLUGIN_ROOT / "ui"


def icon_path(name: str) -> str:
    """Absolute path of ``resources/icons/<name>`` as a string (QIcon wants str)."""
    return str(ICONS_DIR / name)
