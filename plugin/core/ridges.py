"""田坎 of new farmland: a province's 田坎系数 table by slope grade and farmland type (docs/domain.md §6).

A parcel that *becomes* farmland has no surveyed KCXS. The survey deducts field ridges (田坎, 1203)
from farmland by a coefficient that the province measured per slope grade (GDPDJB 2–5: 2–6°, 6–15°,
15–25°, > 25°) and type (GDLX: TT 梯田 terraced, PD 坡地 sloping). A rule pack carries that table in
its ``ridge_coefficients`` section; :func:`new_farmland_coefficient` is what the engine takes off such
a parcel when the planner gave no GHKCXS.

* GDPDJB 1 (≤ 2°) takes 0: on flat land the survey measures 田坎 as parcels of their own instead of
  deducting them by coefficient (and its data rule is GDPDJB 1 ⇒ KCXS 0). A planner who knows the
  ridges of a flat reclaimed parcel enters them as GHKCXS.
* Without a grade (三调 records GDPDJB only on farmland, so a reclaimed 宅基地 usually has none), or
  with a table whose numbers are still "to be filled by the bureau", the coefficient is 0, as before
  the table existed; the warnings list the parcels without a grade (``fields.NO_GRADE``).
"""
from __future__ import annotations

from dataclasses import dataclass, field

from .i18n import tr

TYPES = ("TT", "PD")  # 梯田, 坡地 (三调 GDLX)
GRADES = ("2", "3", "4", "5")  # GDPDJB above 2°; grade 1 always takes 0
FLAT_GRADE = "1"
STATUSES = ("filled", "to_be_filled")


@dataclass(frozen=True)
class RidgeTable:
    """A province's 田坎系数 by (GDLX, GDPDJB); ``None`` values are still to be filled."""

    values: dict = field(default_factory=dict)  # (type, grade) -> coefficient or None
    default_type: str | None = None  # GDLX assumed for a parcel without one
    status: str = "to_be_filled"
    source: str = ""
    verified: bool = False
    missing_zh: str = ""  # what the bureau still has to supply (shown with the pack)
    missing_en: str = ""

    def coefficient(self, grade: str | None, kind: str | None) -> float | None:
        """The coefficient for a grade and type, None when the table has none (or no grade is given)."""
        if grade is None or grade == FLAT_GRADE:
            return None
        kind = kind if kind in TYPES else self.default_type
        if kind is None:
            return None
        return self.values.get((kind, grade))

    @property
    def filled(self) -> bool:
        return self.status == "filled" and all(v is not None for v in self.values.values())

    def missing_reason(self, chinese: bool) -> str:
        """'' when the table is complete, else what is missing (the pack's words)."""
        if self.filled:
            return ""
        return (self.missing_zh or self.missing_en) if chinese else (self.missing_en or self.missing_zh)


def parse_ridges(data: dict | None) -> RidgeTable | None:
    """The table of a (checked) pack's ``ridge_coefficients`` section; None without one."""
    if not isinstance(data, dict):
        return None
    values = {}
    for kind, grades in (data.get("table") or {}).items():
        for grade, value in (grades or {}).items():
            values[(kind, str(grade))] = None if value is None else float(value)
    return RidgeTable(values, data.get("default_gdlx"), data.get("status", "to_be_filled"),
                      str(data.get("source", "")), bool(data.get("verified", False)),
                      str(data.get("missing_zh", "")), str(data.get("missing_en", "")))


def new_farmland_coefficient(table: RidgeTable | None, rec) -> float:
    """田坎 coefficient of a parcel that becomes farmland and has no GHKCXS: the table's, else 0."""
    if table is None:
        return 0.0
    value = table.coefficient(rec.gdpdjb, rec.gdlx)
    return value if value is not None else 0.0


def check_ridges(data, where: str, c) -> None:
    """Problems of a ``ridge_coefficients`` section (rule_schema.Checker ``c``)."""
    if not isinstance(data, dict):
        c.expected(where, tr("an object"), data)
        return
    c.text(data, "status", where, options=STATUSES)
    c.text(data, "default_gdlx", where, options=(*TYPES, None))
    for key in ("source", "missing_zh", "missing_en", "_comment"):
        c.text(data, key, where)
    c.boolean(data, "verified", where)
    table = data.get("table", {})
    if not isinstance(table, dict):
        c.expected(f"{where}.table", tr("an object"), table)
        return
    for kind, grades in table.items():
        at = f"{where}.table.{kind}"
        if kind not in TYPES:
            c.expected(at, tr("one of {0}").format(", ".join(TYPES)), kind)
            continue
        if not isinstance(grades, dict):
            c.expected(at, tr("an object"), grades)
            continue
        for grade, value in grades.items():
            if grade not in GRADES:
                c.expected(f"{at}.{grade}", tr("a slope grade 2–5 (grade 1 always takes 0)"), grade)
            elif value is not None:
                c.number(grades, grade, at)
                if isinstance(value, (int, float)) and not isinstance(value, bool) and not 0 <= value < 1:
                    c.expected(f"{at}.{grade}", tr("a coefficient in [0, 1) or null (to be filled)"), value)
