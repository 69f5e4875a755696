"""Reading and checking a rule-pack file before anything uses it.

A pack is written by hand (often in Windows Notepad), so the file is read defensively:

* bytes first, with a size limit; UTF-8, UTF-8 with a BOM, UTF-16 with a BOM (Notepad's
  "Unicode") and GBK/GB 18030 (Notepad's "ANSI" on a Chinese Windows) are accepted;
* the nesting depth is measured on the text before it is parsed (no RecursionError);
* ``NaN``/``Infinity`` literals are kept as markers so that the check can say where they are;
* :func:`check_file` compares the parsed data with the schema and returns **every** problem as
  ``path in the file: expected …, found …`` (``rules[3].threshold: expected a finite number,
  found text "nan"``), so a planner fixes the file in one go.

Limits keep a broken or hostile file from exhausting memory or time (see the constants).
Everything here is linear in the size of the file.
"""
from __future__ import annotations

import json
import math
import re
from pathlib import Path

from .errors import PlanError
from .i18n import tr
from .log import logger
from .ridges import check_ridges
from .suggest_settings import check_section

MAX_PACK_BYTES = 16 * 1024 * 1024
MAX_DEPTH = 16
MAX_RULES = 10_000
MAX_ENTRIES = 10_000  # categories, flows, codes of a category…
MAX_TEXT = 20_000  # characters of one text value (a policy citation)
MAX_FORMULA_CHARS = 2_000
MAX_FORMULA_NODES = 500
MAX_EXTENDS = 8
PACK_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.\-]{0,63}$")
OPS = (">=", ">", "<=", "<", "==")
SEVERITIES = ("error", "warning")
SCOPES = ("unit", "project", "both", "township")
FORMATS = ("area", "percent", "number")
MAX_PROBLEMS_SHOWN = 30


class NonFinite:
    """A ``NaN``/``Infinity`` literal in the JSON text (Python's json accepts them)."""

    def __init__(self, text: str):
        self.text = text

    def __repr__(self) -> str:
        return self.text


class PackFileError(PlanError):
    """The file cannot be read as a rule pack at all (encoding, size, depth, JSON syntax)."""


# --------------------------------------------------------------------------- reading
def decode(raw: bytes) -> str:
    """The text of a pack file: UTF-8 (with or without BOM), UTF-16 with BOM, or GBK/GB 18030."""
    if raw.startswith(b"\xef\xbb\xbf"):
        return raw[3:].decode("utf-8")
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        return raw.decode("utf-16")
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        text = raw.decode("gb18030")
    except UnicodeDecodeError:
        raise PackFileError(tr("the file is neither UTF-8 nor GBK text; save it as UTF-8")) from None
    logger().info(tr("The rule pack file is not UTF-8; it was read as GBK (GB 18030)."))
    return text


def nesting_depth(text: str) -> int:
    """Deepest nesting of ``[`` and ``{`` outside JSON strings (linear, no recursion)."""
    brackets = re.sub(r'[^\[\]{}]', "", re.sub(r'"(?:[^"\\]|\\.)*"', "", text))
    depth = deepest = 0
    for ch in brackets:
        if ch in "[{":
            depth += 1
            if depth > deepest:
                deepest = depth
        else:
            depth -= 1
    return deepest


def read_file(path: Path) -> object:
    """Parsed JSON of a pack file; PackFileError (with what to do) if it cannot be read."""
    try:
        with open(path, "rb") as f:
            raw = f.read(MAX_PACK_BYTES + 1)
    except FileNotFoundError:
        raise
    except OSError as exc:
        raise PackFileError(tr("cannot read the file: {0}").format(exc.strerror or exc)) from None
    if len(raw) > MAX_PACK_BYTES:
        raise PackFileError(tr("the file is larger than {0} MB; a rule pack is a small text file")
                            .format(MAX_PACK_BYTES // (1024 * 1024)))
    text = decode(raw)
    if "\x00" in text:
        raise PackFileError(tr("the file holds binary data, not JSON text"))
    depth = nesting_depth(text)
    if depth > MAX_DEPTH:
        raise PackFileError(tr("the JSON is nested {0} levels deep; at most {1} are allowed").format(depth, MAX_DEPTH))
    try:
        return json.loads(text, parse_constant=NonFinite)
    except json.JSONDecodeError as exc:
        raise PackFileError(tr("not valid JSON: {0} (line {1}, column {2})").format(exc.msg, exc.lineno, exc.colno)) \
            from None
    except (RecursionError, MemoryError, ValueError) as exc:
        raise PackFileError(tr("not valid JSON: {0}").format(type(exc).__name__)) from None


# --------------------------------------------------------------------------- describing values
def describe(value) -> str:
    """What was found, in words a planner understands."""
    if value is None:
        return tr("null")
    if isinstance(value, bool):
        return tr("true/false ({0})").format("true" if value else "false")
    if isinstance(value, NonFinite):
        return value.text
    if isinstance(value, (int, float)):
        return tr("the number {0}").format(value if math.isfinite(value) else repr(value))
    if isinstance(value, str):
        shown = value if len(value) <= 40 else value[:37] + "…"
        return tr('text "{0}"').format(shown)
    if isinstance(value, list):
        return tr("a list of {0} items").format(len(value))
    if isinstance(value, dict):
        return tr("an object")
    return type(value).__name__


def _one_of(options) -> str:
    return tr("one of {0}").format(", ".join(f'"{o}"' for o in options))


class Checker:
    """Collects problems as ``(path, message)``; :meth:`lines` gives them as text."""

    def __init__(self):
        self.problems: list[tuple[str, str]] = []

    def add(self, path: str, message: str) -> None:
        self.problems.append((path, message))

    def expected(self, path: str, what: str, found) -> None:
        self.add(path, tr("expected {0}, found {1}").format(what, describe(found)))

    # ------------------------------------------------------------------ value checks
    def text(self, obj: dict, key: str, path: str, required: bool = False, options=None, pattern=None) -> None:
        if key not in obj:
            if required:
                self.add(f"{path}.{key}" if path else key, tr("required, but missing"))
            return
        v = obj[key]
        where = f"{path}.{key}" if path else key
        if options is not None:
            if v not in options:
                self.expected(where, _one_of(options), v)
            return
        if not isinstance(v, str):
            self.expected(where, tr("text"), v)
        elif len(v) > MAX_TEXT:
            self.add(where, tr("text longer than {0} characters").format(MAX_TEXT))
        elif pattern is not None and not pattern.match(v):
            self.expected(where, tr("a short name of letters, digits, _ . - (no path)"), v)
        elif required and not v.strip():
            self.expected(where, tr("non-empty text"), v)

    def texts(self, obj: dict, key: str, path: str) -> None:
        """A text or a list of texts (land-class codes, remediation types)."""
        if key not in obj or obj[key] is None:
            return
        v = obj[key]
        where = f"{path}.{key}"
        if isinstance(v, str):
            return
        if not isinstance(v, list):
            self.expected(where, tr("text or a list of texts"), v)
            return
        if len(v) > MAX_ENTRIES:
            self.add(where, tr("more than {0} entries").format(MAX_ENTRIES))
            return
        for i, item in enumerate(v):
            if not isinstance(item, str) or not item:
                self.expected(f"{where}[{i}]", tr("non-empty text"), item)

    def boolean(self, obj: dict, key: str, path: str) -> None:
        if key in obj and not isinstance(obj[key], bool):
            self.expected(f"{path}.{key}", tr("true or false"), obj[key])

    def number(self, obj: dict, key: str, path: str, required: bool = False) -> None:
        where = f"{path}.{key}"
        if key not in obj:
            if required:
                self.add(where, tr("required, but missing"))
            return
        v = obj[key]
        if isinstance(v, bool) or not isinstance(v, (int, float)):
            self.expected(where, tr("a finite number"), v)
            return
        try:
            finite = math.isfinite(float(v))
        except OverflowError:
            finite = False
        if not finite:
            self.expected(where, tr("a finite number"), v)

    def non_negative(self, obj: dict, key: str, path: str) -> None:
        """:meth:`number`, and not below zero."""
        self.number(obj, key, path)
        v = obj.get(key)
        if isinstance(v, (int, float)) and not isinstance(v, bool) and v < 0:
            self.expected(f"{path}.{key}", tr("a number ≥ 0"), v)

    def lines(self) -> list[str]:
        shown = [tr("{0}: {1}").format(p or tr("(whole file)"), m) for p, m in self.problems[:MAX_PROBLEMS_SHOWN]]
        if len(self.problems) > MAX_PROBLEMS_SHOWN:
            shown.append(tr("… and {0} more problems").format(len(self.problems) - MAX_PROBLEMS_SHOWN))
        return shown


def _objects(c: Checker, data: dict, key: str, what: str) -> list[tuple[str, dict]]:
    """(path, entry) of the object-valued entries of ``data[key]`` (an object of objects)."""
    value = data.get(key, {})
    if not isinstance(value, dict):
        c.expected(key, what, value)
        return []
    if len(value) > MAX_ENTRIES:
        c.add(key, tr("more than {0} entries").format(MAX_ENTRIES))
        return []
    out = []
    for name, entry in value.items():
        where = f"{key}.{name}"
        if isinstance(entry, dict):
            out.append((where, entry))
        else:
            c.expected(where, tr("an object"), entry)
    return out


def _check_tolerances(checks, c: Checker) -> None:
    """The ``checks`` section: tolerances of the data checks (core.datachecks.CheckSettings), numbers ≥ 0."""
    if checks is None:
        return
    if not isinstance(checks, dict):
        c.expected("checks", tr("an object"), checks)
        return
    for key in checks:
        if key in ("_comment", "sources"):
            continue
        c.non_negative(checks, key, "checks")


def _check_contiguity(section, c: Checker) -> None:
    """The 集中连片 section: gap_m ≥ 0 and blocks [{"id", "mu" > 0, "zh", "en"}, …]."""
    if section is None:
        return
    if not isinstance(section, dict):
        c.expected("contiguity", tr("an object"), section)
        return
    c.non_negative(section, "gap_m", "contiguity")
    blocks = section.get("blocks", [])
    if not isinstance(blocks, list) or len(blocks) > MAX_ENTRIES:
        c.expected("contiguity.blocks", tr("a list of blocks [ … ]"), blocks)
        return
    for i, block in enumerate(blocks):
        where = f"contiguity.blocks[{i}]"
        if not isinstance(block, dict):
            c.expected(where, tr("an object"), block)
            continue
        c.text(block, "id", where, required=True)
        for key in ("zh", "en"):
            c.text(block, key, where)
        c.number(block, "mu", where, required=True)
        mu = block.get("mu")
        if isinstance(mu, (int, float)) and not isinstance(mu, bool) and not mu > 0:
            c.expected(f"{where}.mu", tr("a number > 0"), mu)


def check_file(data, c: Checker) -> None:
    """Structure and types of one pack file as written (before ``extends`` is resolved)."""
    if not isinstance(data, dict):
        c.expected("", tr("a JSON object { … }"), data)
        return
    extends = "extends" in data and data["extends"] not in (None, "")
    c.text(data, "id", "", required=True, pattern=PACK_ID)
    if extends:
        c.text(data, "extends", "", pattern=PACK_ID)
    version = data.get("version")
    if version is not None and (isinstance(version, bool) or not isinstance(version, (str, int, float))):
        c.expected("version", tr("text"), version)
    name = data.get("name")
    if name is not None and not isinstance(name, str):
        if not isinstance(name, dict):
            c.expected("name", tr('text or an object {"zh": …, "en": …}'), name)
        else:
            c.text(name, "zh", "name")
            c.text(name, "en", "name")
    for where, cat in _objects(c, data, "categories", tr("an object of categories")):
        for key in ("zh", "en"):
            c.text(cat, key, where)
        for key in ("codes", "category_zh", "group_zh", "exclude"):
            c.texts(cat, key, where)
    for where, flow in _objects(c, data, "flows", tr("an object of flows")):
        for key in ("from", "to"):
            c.text(flow, key, where, required=True)
        for key in ("zh", "en"):
            c.text(flow, key, where)
        c.texts(flow, "types", where)
        c.boolean(flow, "changed_only", where)
    _check_tolerances(data.get("checks"), c)
    if "ridge_coefficients" in data:  # 田坎系数 of new farmland (core.ridges)
        check_ridges(data["ridge_coefficients"], "ridge_coefficients", c)
    if "suggest" in data:  # moves, objective and tie-breaks of the suggestions (docs/suggestions.md)
        check_section(data["suggest"], c)
    _check_contiguity(data.get("contiguity"), c)
    rules = data.get("rules", [])
    if not isinstance(rules, list):
        c.expected("rules", tr("a list of rules [ … ]"), rules)
        return
    if len(rules) > MAX_RULES:
        c.add("rules", tr("{0} rules; at most {1} are allowed").format(len(rules), MAX_RULES))
        return
    seen: dict[str, int] = {}
    for i, rule in enumerate(rules):
        where = f"rules[{i}]"
        if not isinstance(rule, dict):
            c.expected(where, tr("an object"), rule)
            continue
        c.text(rule, "id", where, required=True)
        rid = rule.get("id")
        if isinstance(rid, str):
            if rid in seen:
                c.add(f"{where}.id", tr('the id "{0}" is used twice (also rules[{1}])').format(rid, seen[rid]))
            seen.setdefault(rid, i)
        c.boolean(rule, "remove", where)
        if rule.get("remove") is True:
            continue
        partial = extends  # a child pack may override only some keys of a parent's rule
        c.text(rule, "formula", where, required=not partial)
        if isinstance(rule.get("formula"), str) and len(rule["formula"]) > MAX_FORMULA_CHARS:
            c.add(f"{where}.formula", tr("formula longer than {0} characters").format(MAX_FORMULA_CHARS))
        c.number(rule, "threshold", where, required=not partial)
        c.text(rule, "op", where, options=OPS)
        c.text(rule, "severity", where, options=SEVERITIES)
        c.text(rule, "scope", where, options=SCOPES)
        c.text(rule, "format", where, options=FORMATS)
        for key in ("zh", "en", "source", "note", "unverified_zh", "unverified_en"):
            c.text(rule, key, where)
        c.boolean(rule, "verified", where)


def check_merged(data: dict, c: Checker) -> None:
    """What only the merged pack (parents included) can tell: required keys of every rule."""
    rules = data.get("rules", [])
    if not rules:
        c.add("rules", tr("the pack has no rules; at least one is needed"))
    if len(rules) > MAX_RULES:
        c.add("rules", tr("{0} rules; at most {1} are allowed").format(len(rules), MAX_RULES))
    for rule in rules:
        where = tr('rule "{0}"').format(rule.get("id"))
        c.text(rule, "formula", where, required=True)
        c.number(rule, "threshold", where, required=True)
    for fid, flow in data.get("flows", {}).items():
        c.text(flow, "from", f"flows.{fid}", required=True)
        c.text(flow, "to", f"flows.{fid}", required=True)


__all__ = ["MAX_DEPTH", "MAX_EXTENDS", "MAX_FORMULA_CHARS", "MAX_FORMULA_NODES", "MAX_PACK_BYTES", "MAX_RULES",
           "Checker", "NonFinite", "PackFileError", "check_file", "check_merged", "read_file"]
