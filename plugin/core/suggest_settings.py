"""What a rule pack says about suggestions (its ``suggest`` section; docs/suggestions.md).

The moves a suggestion may propose (remediation type and class after), the objective and the
order of the tie-breaks are the bureau's to change, so they live in the pack, not in code.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Mapping

from .i18n import tr

OBJECTIVES = ("fewest_parcels", "least_area")
TIE_BREAKS = ("adjacent_farmland", "slope")
_DEFAULT_MOVES = (("NY-KF", "0103"), ("JS-FK", "0103"), ("JS-GK", "0103"), ("NY-HF", "0103"))


@dataclass(frozen=True)
class SuggestSettings:
    moves: tuple[tuple[str, str], ...] = _DEFAULT_MOVES  # (remediation type, class after), tried in order
    objective: str = "fewest_parcels"
    tie_breaks: tuple[str, ...] = TIE_BREAKS
    area_step_m2: float = 1.0  # areas are compared in whole steps of this size
    adjacency_tolerance_m: float = 2.0  # across 田坎, ditches, field roads
    slope_missing_grade: int = 2  # GDPDJB assumed where a parcel carries none
    red_line_tolerance_m2: float = 1.0  # less overlap with the red line than this is digitising noise
    max_candidates: int = 2000

    @classmethod
    def from_pack(cls, pack) -> SuggestSettings:
        """The pack's ``suggest`` section over the defaults (a pack without one uses the defaults)."""
        data = getattr(pack, "suggest", None) or {}
        return cls.from_dict(data)

    @classmethod
    def from_dict(cls, data: Mapping) -> SuggestSettings:
        kw: dict = {}
        if data.get("moves"):
            kw["moves"] = tuple((str(m["type"]).upper(), str(m["to"])) for m in data["moves"])
        if data.get("objective"):
            kw["objective"] = str(data["objective"])
        if "tie_breaks" in data:
            kw["tie_breaks"] = tuple(str(t) for t in data["tie_breaks"])
        for key in ("area_step_m2", "adjacency_tolerance_m", "red_line_tolerance_m2"):
            if key in data:
                kw[key] = float(data[key])
        for key in ("slope_missing_grade", "max_candidates"):
            if key in data:
                kw[key] = int(data[key])
        return cls(**kw)


def check_section(data, c) -> None:
    """Schema check of a pack's ``suggest`` section onto a ``rule_schema.Checker``."""
    if not isinstance(data, dict):
        c.expected("suggest", tr("an object"), data)
        return
    moves = data.get("moves", [])
    if not isinstance(moves, list):
        c.expected("suggest.moves", tr('a list of {"type": …, "to": …}'), moves)
    else:
        for i, m in enumerate(moves):
            if not isinstance(m, dict):
                c.expected(f"suggest.moves[{i}]", tr("an object"), m)
                continue
            c.text(m, "type", f"suggest.moves[{i}]", required=True)
            c.text(m, "to", f"suggest.moves[{i}]", required=True)
    c.text(data, "objective", "suggest", options=OBJECTIVES)
    ties = data.get("tie_breaks", [])
    if not isinstance(ties, list) or any(t not in TIE_BREAKS for t in ties):
        c.expected("suggest.tie_breaks", tr("a list of {0}").format(", ".join(TIE_BREAKS)), ties)
    for key in ("area_step_m2", "adjacency_tolerance_m", "red_line_tolerance_m2", "slope_missing_grade",
                "max_candidates"):
        c.non_negative(data, key, "suggest")
    if isinstance(data.get("area_step_m2"), (int, float)) and data["area_step_m2"] == 0:
        c.expected("suggest.area_step_m2", tr("a number > 0"), 0)


__all__ = ["OBJECTIVES", "TIE_BREAKS", "SuggestSettings", "check_section"]
