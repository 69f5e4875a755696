"""Project progress (项目进度): units and areas by life-cycle status, plan vs achieved.

Per unit: its status and since when (the history's latest row), its area (the balance's area
before), the planned area (``acceptance.planned_pieces``: TBMJ × share of its tagged parcels) and,
where the acceptance check ran, the achieved area. Per status: the sums, in ``STATUSES`` order
(units with a status outside them under their own value, last). The dock's chart, the XLSX report,
Processing and the CLI all show these rows. docs/lifecycle.md.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable, Mapping, Sequence

from .acceptance import AcceptanceRow, planned_pieces
from .lifecycle import STATUSES, Transition, current_since, normalize_status


@dataclass(frozen=True)
class UnitProgress:
    unit_code: str
    status: str
    since: str  # ISO time of the latest history row, "" when the unit has none
    area_m2: float
    planned_m2: float
    achieved_m2: float | None  # None: not checked


@dataclass(frozen=True)
class StatusTotals:
    status: str
    units: int
    area_m2: float
    planned_m2: float
    achieved_m2: float  # over the units that were checked
    checked: int  # units with an acceptance result


def unit_progress(engine, statuses: Mapping[str, object], history: Iterable[Transition] = (),
                  acceptance: Sequence[AcceptanceRow] | None = None) -> list[UnitProgress]:
    """One row per unit of the engine, by code; ``statuses``: unit code -> stored ZT value."""
    since = current_since(history)
    achieved: dict[str, float] = {}
    for r in acceptance or ():
        achieved[r.unit_code] = achieved.get(r.unit_code, 0.0) + r.achieved_m2
    checked = {r.unit_code for r in acceptance or ()}
    rows = []
    for uid in engine.unit_ids():
        code = engine.unit_code(uid)
        area = sum(before for before, _after in engine.class_areas(uid).values())
        planned = sum(p[2] for p in planned_pieces(engine, uid))
        row = since.get(code)
        rows.append(UnitProgress(code, normalize_status(statuses.get(code)), row.changed_at if row else "",
                                 area, planned, achieved.get(code, 0.0) if code in checked else None))
    return sorted(rows, key=lambda r: r.unit_code)


def by_status(rows: Sequence[UnitProgress]) -> list[StatusTotals]:
    """Totals per status: every status of the life cycle (zeros included), then any other value."""
    order = list(STATUSES) + sorted({r.status for r in rows} - set(STATUSES))
    out = []
    for status in order:
        mine = [r for r in rows if r.status == status]
        done = [r for r in mine if r.achieved_m2 is not None]
        out.append(StatusTotals(status, len(mine), sum(r.area_m2 for r in mine), sum(r.planned_m2 for r in mine),
                                sum(r.achieved_m2 for r in done), len(done)))
    return out


__all__ = ["StatusTotals", "UnitProgress", "by_status", "unit_progress"]
