"""Area units. Inside the plugin every area is m²; 亩 and 公顷 exist only at the edge."""
from __future__ import annotations

HECTARE_M2 = 10_000.0
MU_M2 = 10_000.0 / 15.0  # 1 亩 = 1/15 公顷, never a rounded constant

UNITS = {"m2": 1.0, "mu": MU_M2, "ha": HECTARE_M2}


def convert(area_m2: float, unit: str) -> float:
    """m² -> ``unit`` (m2, mu, ha)."""
    return area_m2 / UNITS[unit]


def unit_label(unit: str, chinese: bool) -> str:
    return {"m2": ("m²", "m²"), "mu": ("亩", "mu"), "ha": ("公顷", "ha")}[unit][0 if chinese else 1]


def survey_terms(tbmj: float | None, kcmj: float | None, tbdlmj: float | None,
                 measured: float) -> tuple[float, float, float]:
    """(TBMJ, KCMJ, TBDLMJ) of a whole parcel by the survey's area rule (docs/domain-area-rules.md).

    TBMJ is the survey's area; without one, the parcel's measured (ellipsoidal) area. KCMJ is 0
    when absent. TBDLMJ without a value is TBMJ − KCMJ. The one home of this rule: the engine,
    the export, the checks and the demo call it.
    """
    tb = tbmj if tbmj is not None else measured
    kc = kcmj or 0.0
    return tb, kc, (tbdlmj if tbdlmj is not None else tb - kc)


def planned_ridge_coefficient(ghkcxs: float | None, kcxs: float | None, was_farmland: bool,
                              kcmj: float = 0.0, tbmj: float = 0.0, new_farmland: float = 0.0) -> float:
    """The 田坎 coefficient of a planned parcel whose class after is 耕地 (docs/domain.md §6).

    The planned GHKCXS when given; else, for a parcel that was 耕地 already, its own KCXS (or
    KCMJ / TBMJ without one); new farmland without GHKCXS takes ``new_farmland`` (the rule pack's
    田坎系数 by slope grade, ``core.ridges``; 0 without a table). The engine and the demo call it.
    """
    if ghkcxs is not None:
        return ghkcxs
    if not was_farmland:
        return new_farmland
    if kcxs is not None:
        return kcxs
    return kcmj / tbmj if tbmj else 0.0


def farmland_after(tbmj: float, coefficient: float) -> float:
    """Area of 耕地 after the plan on a parcel of area ``tbmj``: TBMJ × (1 − coefficient)."""
    return tbmj * (1.0 - coefficient)
