"""Translation hook for every user-visible string, and the one answer to "is the UI Chinese?".

The core must not import Qt, yet its messages (warnings, errors, rule names) are shown to
planners. All code, core and GUI alike, writes ``tr("English text")``; when the plugin or
the command line starts, the adapter installs Qt's translator with :func:`install`, and
from then on ``tr`` returns the zh_CN text on a Chinese locale. The single translation
context is ``CONTEXT``; ``i18n/*.ts`` is extracted with that context.

:func:`chinese` says whether the active translation is Chinese: front ends use it to pick
the ``zh`` or ``en`` text of data files (land classes, rule names, remediation types).
"""
from __future__ import annotations

import contextlib
from typing import Callable, Iterator

CONTEXT = "LandConsolidation"
ENGLISH = "en"

Translate = Callable[[str, str], str]


def _identity(_context: str, text: str) -> str:
    return text


_translate: Translate = _identity
_language: str = ENGLISH


def install(translate: Translate, language: str = ENGLISH) -> None:
    """Route ``tr`` through ``translate(context, text)`` (e.g. QCoreApplication.translate).

    ``language`` is the locale the translation speaks ('zh_CN'; 'en' for the English source).
    """
    global _translate, _language
    _translate = translate
    _language = language or ENGLISH


def reset() -> None:
    """English source text again (the plugin's unload)."""
    install(_identity, ENGLISH)


def language() -> str:
    """The locale of the active translation ('en' without one)."""
    return _language


@contextlib.contextmanager
def using(translate: Translate, language_name: str) -> Iterator[None]:
    """Translate with ``translate`` (speaking ``language_name``) inside the block, then as before."""
    previous = (_translate, _language)
    install(translate, language_name)
    try:
        yield
    finally:
        install(*previous)


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


def chinese() -> bool:
    """True when the active translation is Chinese: names from data files are shown in Chinese."""
    return language_is_chinese(_language)
