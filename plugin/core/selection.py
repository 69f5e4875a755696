"""Choosing remediation units by their code (DYBH), as every output does (export, report, maps)."""
from __future__ import annotations

from typing import Hashable, Iterable

from .engine import BalanceEngine
from .errors import PlanError
from .i18n import tr


class UnknownUnitsError(PlanError, ValueError):
    """Codes that name no unit; the message lists the codes there are."""


def units_by_code(engine: BalanceEngine, codes: Iterable[str] | None = None) -> dict[str, list[Hashable]]:
    """Unit code -> unit ids, in unit order; only ``codes`` (in the order given) when given.

    Several units may share a code (the planner's data); they travel together.
    """
    by_code: dict[str, list[Hashable]] = {}
    for uid in engine.ordered_units():
        by_code.setdefault(engine.unit_code(uid), []).append(uid)
    wanted = list(dict.fromkeys(str(c).strip() for c in codes or () if str(c).strip()))
    if not wanted:
        return by_code
    unknown = [c for c in wanted if c not in by_code]
    if unknown:
        known = ", ".join(list(by_code)[:20]) + (" …" if len(by_code) > 20 else "")
        raise UnknownUnitsError(tr("No remediation unit has the code(s) {0}; the units are: {1}").format(
            ", ".join(unknown), known))
    return {c: by_code[c] for c in wanted}
