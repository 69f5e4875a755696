"""How a verdict looks in the panels: its word, colour and explanation — one function per kind.

The states and their words are in :mod:`..core.verdicts`; the colours here. The badge of the
units table, the workbench's verdict strip and the indicator table all call these functions,
so that a new state (e.g. 不可评估) is added in one place.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Hashable, Optional

from qgis.PyQt.QtGui import QColor

from ..core import verdicts as v
from ..core.i18n import tr
from .common import FAIL_COLOUR, NA_COLOUR, PASS_COLOUR, WARN_COLOUR, chinese

COLOURS = {
    v.MET: PASS_COLOUR,
    v.NOT_MET: FAIL_COLOUR,
    v.ALERT: WARN_COLOUR,
    v.NOT_APPLICABLE: NA_COLOUR,
    v.NOT_PLANNED: QColor("#e3ecf7"),
    v.NOT_COMPUTED: NA_COLOUR,
    v.NOT_ASSESSABLE: WARN_COLOUR,
}


@dataclass(frozen=True)
class Verdict:
    state: str
    text: str
    colour: QColor
    tip: str


def rule_verdict(passed: Optional[bool], severity: str, reason: Optional[str] = None) -> Verdict:
    """The verdict of one indicator result (``reason``: why it is not assessable, shown as the tip)."""
    state = v.rule_state(passed, severity, reason)
    return Verdict(state, v.verdict_text(state), COLOURS[state], reason or "")


def unit_verdict(engine: Any, uid: Optional[Hashable]) -> Verdict:
    """The verdict of a unit (``uid`` None: the whole project), with a tooltip naming the rules."""
    state = v.unit_state(engine, uid)
    text, colour = v.verdict_text(state), COLOURS[state]
    if state == v.NOT_COMPUTED:
        return Verdict(state, text, colour, tr("Not computed yet"))
    if state == v.NOT_ASSESSABLE:
        return Verdict(state, text, colour, engine.not_assessable())
    if state == v.NOT_PLANNED:
        return Verdict(state, text, colour, tr("No parcel of this unit is tagged yet: tag parcels in the tagging "
                                               "panel to plan it."))
    results = engine.evaluate(uid)
    zh = chinese()
    failed = [engine.pack.rule(r.rule_id).name(zh) for r in results if r.passed is False]
    if state in (v.NOT_MET, v.ALERT):
        tip = tr("Not met: {0}").format(", ".join(failed))
    elif state == v.MET:
        tip = tr("All rules met")
    else:
        tip = tr("No rule applies yet")
    return Verdict(state, text, colour, tip)


def source_text(rule: Any) -> tuple[str, str]:
    """(text, tooltip) of a rule's basis: the policy citation, or 依据待核实 with the reason."""
    zh = chinese()
    if rule.verified:
        return rule.source or tr("not given"), rule.source
    reason = rule.unverified_reason(zh) or tr("The rule has not been checked against the current policy text.")
    tip = tr("{0}: {1}").format(v.unverified_text(), reason)
    if rule.source:
        tip += "\n" + tr("Cited: {0}").format(rule.source)
    return v.unverified_text(), tip


__all__ = ["COLOURS", "Verdict", "rule_verdict", "source_text", "unit_verdict"]
