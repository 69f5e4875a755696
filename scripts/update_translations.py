#!/usr/bin/env python3
"""Extract the plugin's translatable strings into i18n/land_consolidation_<lang>.ts.

Why not pylupdate5: it files bare ``tr("...")`` calls (our ``core.i18n.tr``) under the
context ``@default``, while the plugin translates with the context ``LandConsolidation``,
so nothing would ever be found at run time.

What is extracted:
* ``*.py`` under plugin/: the first argument of calls to ``tr(...)`` and ``guarded(...)``
  (the slot-guard decorator translates its label), when it is a string literal (implicit
  concatenation of literals is fine; f-strings and variables are not extractable: use
  ``tr("... {name} ...").format(name=...)``). Context: ``LandConsolidation``.
* ``ui/*.ui``: every ``<string>`` not marked ``notr="true"``; context is the form's
  ``<class>`` (that is what uic's ``retranslateUi`` asks Qt for).

Existing translations are kept; strings no longer in the code are kept as
``type="obsolete"`` (lrelease skips them) so that nothing typed by a translator is lost.

Usage:
    python scripts/update_translations.py            # update every i18n/*.ts (zh_CN if none)
    python scripts/update_translations.py --check    # exit 1 if a .ts is stale or unfinished
Then compile with ``lrelease i18n/land_consolidation_zh_CN.ts`` (scripts/setup.sh does it).
"""

from __future__ import annotations

import argparse
import ast
import sys
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Optional

ROOT = Path(__file__).resolve().parent.parent
CONTEXT = "LandConsolidation"
TS_PREFIX = "land_consolidation_"
DEFAULT_LANGUAGES = ("zh_CN",)
TRANSLATING_CALLS = {"tr", "guarded"}


@dataclass
class Message:
    context: str
    source: str
    locations: set = field(default_factory=set)
    translation: str = ""
    finished: bool = False
    obsolete: bool = False


def _string_value(node: ast.AST) -> Optional[str]:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    return None


def extract_python(path: Path, root: Path = ROOT) -> list[tuple[str, str, str]]:
    """(context, source, location) for each tr("...")/guarded("...") in one Python file."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call) or not node.args:
            continue
        func = node.func
        name = (
            func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else None
        )
        if name not in TRANSLATING_CALLS:
            continue
        text = _string_value(node.args[0])
        if text:
            found.append((CONTEXT, text, _relative(path, root)))
    return found


def extract_ui(path: Path, root: Path = ROOT) -> list[tuple[str, str, str]]:
    """(context, source, location) for each translatable <string> of a Qt Designer form."""
    tree = ET.parse(path)
    class_element = tree.getroot().find("class")
    context = (class_element.text or "").strip() if class_element is not None else path.stem
    found = []
    for element in tree.iter("string"):
        if element.get("notr") == "true" or not element.text:
            continue
        found.append((context, element.text, _relative(path, root)))
    return found


def _relative(path: Path, root: Path) -> str:
    try:
        return path.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return path.as_posix()


def scan(root: Path = ROOT) -> list[tuple[str, str, str]]:
    """Every translatable string of the plugin, in a stable order (file, then position)."""
    found: list[tuple[str, str, str]] = []
    for path in sorted((root / "plugin").rglob("*.py")):
        if "__pycache__" not in path.parts:
            found.extend(extract_python(path, root))
    for path in sorted((root / "ui").glob("*.ui")):
        found.extend(extract_ui(path, root))
    return found


def read_ts(path: Path) -> dict[tuple[str, str], Message]:
    """Messages of an existing .ts file, keyed by (context, source)."""
    messages: dict[tuple[str, str], Message] = {}
    if not path.is_file():
        return messages
    for context_element in ET.parse(path).getroot().iter("context"):
        context = context_element.findtext("name") or ""
        for message_element in context_element.iter("message"):
            source = message_element.findtext("source") or ""
            translation_element = message_element.find("translation")
            translation = ""
            kind = None
            if translation_element is not None:
                translation = translation_element.text or ""
                kind = translation_element.get("type")
            messages[(context, source)] = Message(
                context,
                source,
                translation=translation,
                finished=bool(translation) and kind not in ("unfinished", "obsolete", "vanished"),
                obsolete=kind in ("obsolete", "vanished"),
            )
    return messages


def merge(found: Iterable[tuple[str, str, str]], existing: dict[tuple[str, str], Message]) -> list[Message]:
    """Current strings (with their old translations) first, in code order; then obsolete ones."""
    current: dict[tuple[str, str], Message] = {}
    for context, source, location in found:
        key = (context, source)
        if key not in current:
            old = existing.get(key)
            current[key] = Message(
                context,
                source,
                translation=old.translation if old else "",
                finished=bool(old and old.translation and (old.finished or old.obsolete)),
            )
        current[key].locations.add(location)
    obsolete = [
        Message(m.context, m.source, translation=m.translation, obsolete=True)
        for key, m in existing.items()
        if key not in current and m.translation
    ]
    return list(current.values()) + obsolete


def render_ts(messages: list[Message], language: str) -> str:
    """The .ts XML text, formatted like Qt's own tools write it."""
    root = ET.Element("TS", {"version": "2.1", "language": language, "sourcelanguage": "en"})
    contexts: dict[str, ET.Element] = {}
    for message in messages:
        context_element = contexts.get(message.context)
        if context_element is None:
            context_element = ET.SubElement(root, "context")
            ET.SubElement(context_element, "name").text = message.context
            contexts[message.context] = context_element
        message_element = ET.SubElement(context_element, "message")
        for location in sorted(message.locations):
            ET.SubElement(message_element, "location", {"filename": "../" + location})
        ET.SubElement(message_element, "source").text = message.source
        attributes = {}
        if message.obsolete:
            attributes["type"] = "obsolete"
        elif not message.finished:
            attributes["type"] = "unfinished"
        ET.SubElement(message_element, "translation", attributes).text = message.translation
    ET.indent(root, space="    ")
    body = ET.tostring(root, encoding="unicode", short_empty_elements=False)
    body = body.replace("></location>", "/>")
    return '<?xml version="1.0" encoding="utf-8"?>\n<!DOCTYPE TS>\n' + body + "\n"


def ts_paths(root: Path = ROOT, languages: Iterable[str] = ()) -> list[Path]:
    i18n_dir = root / "i18n"
    paths = sorted(i18n_dir.glob(f"{TS_PREFIX}*.ts"))
    wanted = {p.stem[len(TS_PREFIX) :] for p in paths} | set(languages)
    if not wanted:
        wanted = set(DEFAULT_LANGUAGES)
    return [i18n_dir / f"{TS_PREFIX}{lang}.ts" for lang in sorted(wanted)]


def update(root: Path = ROOT, languages: Iterable[str] = (), check: bool = False) -> int:
    """Update (or, with ``check``, only verify) every .ts; returns the process exit code."""
    found = scan(root)
    status = 0
    for path in ts_paths(root, languages):
        language = path.stem[len(TS_PREFIX) :]
        messages = merge(found, read_ts(path))
        text = render_ts(messages, language)
        unfinished = [m.source for m in messages if not m.obsolete and not m.finished]
        old_text = path.read_text(encoding="utf-8") if path.is_file() else ""
        if check:
            if text != old_text:
                print(f"{path.name}: out of date, run scripts/update_translations.py")
                status = 1
            if unfinished:
                print(f"{path.name}: {len(unfinished)} untranslated: " + " | ".join(unfinished))
                status = 1
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        if text != old_text:
            path.write_text(text, encoding="utf-8")
        print(f"{path.name}: {len(messages)} messages, {len(unfinished)} untranslated")
    return status


def main(argv: Optional[list] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="only verify; exit 1 if stale or unfinished")
    parser.add_argument("--lang", action="append", default=[], help="add a language, e.g. --lang zh_TW")
    parser.add_argument("--root", type=Path, default=ROOT, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    return update(args.root, args.lang, args.check)


if __name__ == "__main__":
    sys.exit(main())
