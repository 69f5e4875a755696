"""The code columns' texts as the engine reads them: ``lc_code`` and the 二调 codes of DLBM / KCDLBM.

``core.fields.normalize_parcel`` reads a second-survey (二调) DLBM or KCDLBM stored as text as its third-survey
class (``legacy_codes.translate``: 011 → 0101, 031 → 0301 …; one without a 三调 class stays unknown) and notes
it (value_sql words that warning). The balance in the database joins each code column to ``lc_code`` by its
raw text; for DLBM and KCDLBM the join goes through the 三调 code those raws are read as, so that the classes
— and every number — are the engine's (issue 12: equal to the in-process engine per (unit, class) row).
"""
from __future__ import annotations

from ...core.fields import legacy_issue, pbf_action, text_value
from .connection import driver

#: the survey's class columns the engine reads 二调 codes in (core.fields._legacy_codes)
SURVEY_CODES = ("DLBM", "KCDLBM")


def _textual(sql_type: str | None) -> bool:
    """A column whose values the engine gets as text (only those are read as 二调 codes: a number 101 is a
    三调 0101 that lost its leading zero)."""
    return bool(sql_type) and sql_type.startswith(("character", "text", "name", "citext"))


def survey_codes(columns: dict, named: dict, per_field: dict) -> dict[str, dict[str, str]]:
    """``{field: {raw: 三调 code}}`` of the DLBM / KCDLBM raws the engine reads as another code."""
    out: dict[str, dict[str, str]] = {}
    for name in SURVEY_CODES:
        column = named.get(name)
        if not column or not _textual(columns.get(column)):
            continue
        for raw in per_field.get(name, {}):
            txt = text_value(raw) if raw is not None else None
            issue, code = legacy_issue(txt)
            if issue is not None and code is not None and code != txt:
                out.setdefault(name, {})[raw] = code
    return out


def fill_codes(cur, create, columns: dict, named: dict, per_field: dict, table) -> dict[str, dict[str, str]]:
    """lc_code: every distinct raw text of the code columns, and every 三调 code a 二调 raw is read as ->
    its text, class, farmland, PBF action; returns the 二调 raws (:func:`survey_codes`)."""
    sql = driver().sql
    legacy = survey_codes(columns, named, per_field)
    raws = {raw for found in per_field.values() for raw in found if raw is not None}
    raws |= {code for mapping in legacy.values() for code in mapping.values()}
    cur.execute(sql.SQL("{} lc_code (raw text PRIMARY KEY, txt text, cls text, farm boolean, action text)").format(
        create))
    rows = []
    for raw in sorted(raws):
        txt = text_value(raw)
        cls = table.resolve(txt) if txt is not None else None
        rows.append((raw, txt, cls, bool(cls and table.is_farmland(cls)), pbf_action(txt) if txt else None))
    driver().extras.execute_values(cur, "INSERT INTO lc_code VALUES %s", rows)
    return legacy


def code_slots(named: dict, legacy: dict) -> dict:
    """The ``dlbm`` / ``kcdlbm`` slots of the lc_code joins (balance_sql.PARCEL_SOURCE, pieces_sql): the
    column's text, its 二调 raws replaced by the 三调 code they are read as."""
    sql = driver().sql
    slots = {}
    for name in SURVEY_CODES:
        mapping = legacy.get(name)
        if not mapping:
            continue
        text = sql.SQL("p.{}::text").format(sql.Identifier(named[name]))
        whens = sql.SQL(" ").join(sql.SQL("WHEN {} THEN {}").format(sql.Literal(raw), sql.Literal(code))
                                  for raw, code in sorted(mapping.items()))
        slots[name.lower()] = sql.SQL("(CASE {} {} ELSE {} END)").format(text, whens, text)
    return slots
