"""Pick the language and install the plugin's Qt translator (i18n/land_consolidation_<locale>.qm).

Two entry points:

* :func:`setup_for_qgis` - inside QGIS (desktop or qgis_process): the locale comes from the
  QGIS settings ``locale/userLocale`` / ``locale/overrideFlag`` (QGIS writes the effective
  locale there at start-up, ``--lang`` included), else ``QLocale.system()``.
* :func:`setup_for_cli` - the headless command: the locale comes from LC_ALL / LC_MESSAGES /
  LANG / LANGUAGE, like any Unix program.

Both route :func:`core.i18n.tr` through ``QCoreApplication.translate``; :func:`teardown`
undoes everything (called from the plugin's ``unload``).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Mapping, Optional

from qgis.PyQt.QtCore import QCoreApplication, QLocale, QTranslator

from .core import i18n
from .paths import I18N_DIR

QM_PREFIX = "land_consolidation_"

#: The translator currently installed by this module (kept referenced: Qt does not own it).
_translator: Optional[QTranslator] = None


def choose_locale(override_flag: bool, user_locale: Optional[str], system_locale: Optional[str]) -> str:
    """The locale QGIS itself runs in, from its settings.

    With ``locale/overrideFlag`` the planner chose ``locale/userLocale`` in the options; without
    it QGIS copies the system locale (or ``--lang``) into ``locale/userLocale`` when it starts,
    so that key is the best answer either way; the system locale is the last resort.
    """
    user_locale = (user_locale or "").strip()
    if override_flag and user_locale:
        return user_locale
    return user_locale or (system_locale or "").strip() or "en_US"


def locale_from_environment(environ: Optional[Mapping[str, str]] = None) -> str:
    """The message locale of a Unix command: LC_ALL, then LC_MESSAGES, then LANG, then LANGUAGE.

    'zh_CN.UTF-8' -> 'zh_CN'; 'C' / 'POSIX' / unset -> 'en_US'.
    """
    environ = os.environ if environ is None else environ
    for key in ("LC_ALL", "LC_MESSAGES", "LANG", "LANGUAGE"):
        value = (environ.get(key) or "").strip()
        if not value:
            continue
        value = value.split(":")[0].split(".")[0].split("@")[0]
        if value in ("C", "POSIX"):
            return "en_US"
        if value:
            return value
    return "en_US"


def qm_path_for(locale_name: str, i18n_dir: Optional[Path] = None) -> Optional[Path]:
    """The compiled translation for ``locale_name``, or None (English: the source text).

    'zh_CN' -> land_consolidation_zh_CN.qm; any other Chinese ('zh', 'zh-Hans', 'zh_TW')
    falls back to zh_CN, the only Chinese shipped.
    """
    i18n_dir = I18N_DIR if i18n_dir is None else Path(i18n_dir)
    name = (locale_name or "").replace("-", "_")
    candidates = [name, name.split("_")[0]]
    if i18n.language_is_chinese(name):
        candidates.append("zh_CN")
    for candidate in candidates:
        if not candidate:
            continue
        path = i18n_dir / f"{QM_PREFIX}{candidate}.qm"
        if path.is_file():
            return path
    return None


def install_translator(locale_name: str) -> bool:
    """Install the translator for ``locale_name`` (replacing ours, if any) and hook ``tr``.

    Returns True when a translation was loaded. Without a .qm (English, or an unknown
    language) ``tr`` still goes through Qt and returns the English source text.
    """
    global _translator
    remove_translator()
    i18n.install(QCoreApplication.translate, i18n.ENGLISH)
    path = qm_path_for(locale_name)
    if path is None:
        return False
    translator = QTranslator()
    if not translator.load(str(path)):
        return False
    QCoreApplication.installTranslator(translator)
    _translator = translator
    i18n.install(QCoreApplication.translate, locale_name)  # i18n.chinese() follows what tr speaks
    return True


def remove_translator() -> None:
    """Remove the translator this module installed (if any)."""
    global _translator
    if _translator is not None:
        QCoreApplication.removeTranslator(_translator)
        _translator = None


def teardown() -> None:
    """Remove the translator and give ``tr`` back its identity behaviour."""
    remove_translator()
    i18n.reset()


def qgis_locale() -> str:
    """The locale of the running QGIS, from its settings."""
    from qgis.core import QgsSettings

    settings = QgsSettings()
    override = settings.value("locale/overrideFlag", False, type=bool)
    user_locale = settings.value("locale/userLocale", "", type=str)
    return choose_locale(override, user_locale, QLocale.system().name())


def setup_for_qgis() -> str:
    """Install the translation for the locale of the running QGIS; returns that locale."""
    locale_name = qgis_locale()
    install_translator(locale_name)
    return locale_name


def setup_for_cli(environ: Optional[Mapping[str, str]] = None) -> str:
    """Install the translation chosen by LC_ALL/LANG (for ``python -m plugin.cli``); returns it.

    Needs a QCoreApplication (the CLI's QgsApplication) to exist already.
    """
    locale_name = locale_from_environment(environ)
    install_translator(locale_name)
    return locale_name
