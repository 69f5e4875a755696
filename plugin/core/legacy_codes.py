"""Older and variant land-class codes: the 二调 → 三调 mapping (docs/domain.md §4).

Parcels still coded with the second survey's three-digit codes (``011`` 水田, ``031`` 有林地 …) are
read with their 三调 class from ``resources/land_class_erdiao.csv``. A 二调 class that the third survey
split (``031`` → 0301 乔木林地, 0302 竹林地 …) is counted in its principal class and reported, so the
planner can check it; a code without a 三调 class (``201``–``203``, 城镇村 only) stays unknown and is
reported. Working codes of a known class with a letter suffix the table does not list (``0702B``)
are named with their likely base class, never counted silently.
"""
from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from functools import lru_cache

from .i18n import tr
from .resources import resource_path

ISSUE_PREFIX = "2D:"  # fields.normalize_parcel notes a 二调 code as "2D:<code>" ("2D:" when one-to-one)
WORKING_PREFIX = "WC:"  # … and an unlisted working code of a known class as "WC:<code>"
_THREE_DIGITS = re.compile(r"^\d{3}$")
_WORKING = re.compile(r"^(\d{2}[0-9H]\d|09)([A-Z])$")


@dataclass(frozen=True)
class LegacyCode:
    code: str
    name_zh: str
    target: str | None  # principal 三调 class, None when there is none
    alternatives: tuple[str, ...]  # other 三调 classes the 二调 class was split into
    note: str

    @property
    def one_to_one(self) -> bool:
        return self.target is not None and not self.alternatives


@lru_cache(maxsize=1)
def erdiao_table() -> dict[str, LegacyCode]:
    """二调 code -> its mapping, from ``resources/land_class_erdiao.csv``."""
    out = {}
    with open(resource_path("land_class_erdiao.csv"), encoding="utf-8-sig", newline="") as f:
        for row in csv.DictReader(f):
            code = row["code_2d"].strip()
            alts = tuple(a.strip() for a in (row.get("alternatives") or "").split(";") if a.strip())
            out[code] = LegacyCode(code, row["name_2d"].strip(), (row["code_3d"] or "").strip() or None, alts,
                                   (row.get("note") or "").strip())
    return out


def legacy(code: str | None) -> LegacyCode | None:
    """The 二调 entry of ``code`` (three digits, optionally with a K suffix), or None."""
    if code is None:
        return None
    c = str(code).strip().upper()
    if c.endswith("K"):
        c = c[:-1]
    if not _THREE_DIGITS.match(c):
        return None
    return erdiao_table().get(c)


def translate(code: str | None) -> str | None:
    """The 三调 code to count a 二调 ``code`` with (its principal class), None when it is not 二调 or has none."""
    hit = legacy(code)
    return hit.target if hit is not None else None


def describe(code: str) -> str:
    """What happened to a 二调 code, in words for the warnings list."""
    if not code:
        return tr("Second-survey (二调) codes read as their third-survey class (one-to-one, "
                  "resources/land_class_erdiao.csv)")
    hit = legacy(code)
    if hit is None:
        return code
    if hit.target is None:
        return tr("Second-survey (二调) code {0} {1} has no third-survey class and is counted as unknown: {2}").format(
            hit.code, hit.name_zh, hit.note)
    if hit.one_to_one:
        return tr("Second-survey (二调) code {0} {1} read as {2}").format(hit.code, hit.name_zh, hit.target)
    text = tr("Second-survey (二调) code {0} {1} is not one-to-one: counted as {2}, may be {3}; check these parcels")
    return text.format(hit.code, hit.name_zh, hit.target, ", ".join(hit.alternatives))


def describe_working(code: str, table) -> str:
    """Why a working code is counted as unknown, and how to count it with its class."""
    base = working_code_base(code, table.is_known) or "?"
    return tr("working code {0} is not in the land-class table and is counted as unknown; it looks like a variant "
              "of {1} {2}: list it in resources/land_class_variants.csv to count it with {1}").format(
        code, base, table.get(base).name_zh)


def working_code_base(code: str | None, known) -> str | None:
    """The class a working code with an unlisted letter suffix (``0702B``) most likely belongs to.

    ``known(code) -> bool`` tells a known class. Only for reporting: such a code is not counted with
    its base until it is listed in ``resources/land_class_variants.csv``.
    """
    if code is None:
        return None
    m = _WORKING.match(str(code).strip().upper())
    if m and known(m.group(1)):
        return m.group(1)
    return None
