"""The warnings about unusable parcel values, one wording for every front end (issues 7 and 12).

A reader in the plugin notes, per kind (``TBMJ``, ``KCXS``, ``2D:<code>`` …, core/fields.py), the
ids of the parcels whose value it could not use; ``balance --in-database`` counts the same kinds with
SQL and brings back only the count and the first ids (:class:`IdSample`). Both are worded here.
:func:`code_issues` gives, for the distinct raw texts of the code columns, what core/fields.py's text
rules note, so that the database can count them without a row leaving it.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterable, Mapping

from .fields import grade_from, grade_to, legacy_issue, slope_grade, text_value, working_issue
from .i18n import tr
from .validation import _LIST, sanitised_warnings

NAMED = _LIST  # the ids a warning names (the first by id)


class IdSample:
    """``total`` parcels, of which ``ids`` (the first by id) are named: what ``len`` and iteration give
    validation.sanitised_warnings instead of the whole list."""

    def __init__(self, total: int, ids: Iterable):
        self.total = int(total)
        self.ids = list(ids)

    def __len__(self) -> int:
        return self.total

    def __iter__(self):
        return iter(self.ids)

    def __eq__(self, other) -> bool:
        return isinstance(other, IdSample) and (self.total, self.ids) == (other.total, other.ids)

    def __repr__(self) -> str:
        return f"IdSample({self.total}, {self.ids})"


def value_warnings(measured: int, issues: Mapping[str, object]) -> list[str]:
    """``measured``: parcels without a usable TBMJ whose area was measured; ``issues``: kind -> the ids
    (a list, or an :class:`IdSample`) of the parcels whose value of that kind was unusable."""
    out = []
    if measured:
        out.append(tr("{0} parcels have no usable TBMJ; their area was measured on the CGCS2000 ellipsoid "
                      "(after repairing invalid geometry)").format(measured))
    out.extend(sanitised_warnings(None, None, {k: v for k, v in sorted(issues.items()) if len(v)}))
    return out


@dataclass
class CodeIssues:
    """The raw texts (as the database gives ``column::text``) that core/fields.py's text rules note."""

    dlbm: dict = field(default_factory=dict)  # issue (2D:…, WC:…) -> raw DLBM texts
    kcdlbm: dict = field(default_factory=dict)  # issue (2D:…) -> raw KCDLBM texts
    grade_from: list = field(default_factory=list)  # raw DLBM of a known class that is no farmland
    grade_to: list = field(default_factory=list)  # raw GHDLBM of farmland
    no_grade: list = field(default_factory=list)  # raw GDPDJB that is no slope grade (NULL aside)


def code_issues(dlbm: Iterable, kcdlbm: Iterable, ghdlbm: Iterable, gdpdjb: Iterable,
                dlbm_text: bool, kcdlbm_text: bool) -> CodeIssues:
    """fields._legacy_codes per distinct raw text; ``*_text``: the column holds text (a 二调 code is
    only read from text, never from a number)."""
    out = CodeIssues()
    for raw in dlbm:
        code = text_value(raw)
        if dlbm_text:
            issue, translated = legacy_issue(code)
            if issue is not None:
                out.dlbm.setdefault(issue, []).append(raw)
                code = translated
        working = working_issue(code)
        if working is not None:
            out.dlbm.setdefault(working, []).append(raw)
        if grade_from(code):
            out.grade_from.append(raw)
    for raw in kcdlbm if kcdlbm_text else ():
        issue, _code = legacy_issue(text_value(raw))
        if issue is not None:
            out.kcdlbm.setdefault(issue, []).append(raw)
    out.grade_to = [raw for raw in ghdlbm if grade_to(text_value(raw))]
    out.no_grade = [raw for raw in gdpdjb if raw is not None and slope_grade(raw) is None]
    return out
