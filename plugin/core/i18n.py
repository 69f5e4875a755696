"""Translation hook for every user-visible string.

The core must not import Qt, yet its messages (warnings, errors, rule names) are shown to
planners. All code, core and GUI alike, writes ``tr("English text")``; when the plugin or
the command line starts, the adapter installs Qt's translator with :func:`install`, and
from then on ``tr`` returns the zh_CN text on a Chinese locale. The single translation
context is ``CONTEXT``; ``i18n/*.ts`` is extracted with that context.
"""
from __future__ import annotations

from typing import Callable

CONTEXT = "LandConsolidation"

_translate: Callable[[str, str], str] = lambda _context, text: text  # noqa: E731


def install(translate: Callable[[str, str], str]) -> None:
    """Route ``tr`` through ``translate(context, text)``, e.g. QCoreApplication.translate."""
    global _translate
    _translate = translate


def installed() -> Callable[[str, str], str]:
    """The ``translate(context, text)`` that ``tr`` goes through now (to put it back after a
    temporary one, e.g. the language of a printed map)."""
    return _translate


def tr(text: str) -> str:
    """Return the translation of ``text`` in the active locale (the text itself if none)."""
    return _translate(CONTEXT, text)


def language_is_chinese(locale_name: str | None) -> bool:
    """True for zh, zh_CN, zh-Hans… (the plugin speaks Chinese there)."""
    return bool(locale_name) and locale_name.lower().replace("-", "_").startswith("zh")
