"""The words of a verdict, in one place: every front (panels, badges, XLSX, unit maps) uses them.

A *state* is a short key; :func:`rule_state` and :func:`unit_state` decide it, :func:`verdict_text`
and :func:`severity_text` say it. To add a state (say "not assessable", 不可评估), add it to
``_WORDS`` (and its colour in ``gui/verdict.py``) and return it from the deciding function.

Chinese words are fixed (the report format of 国土 bureaus, used in a Chinese report whatever the
interface language); English ones go through ``tr`` so that the interface speaks the locale.
"""
from __future__ import annotations

from typing import Any, Hashable, Iterable, Optional

from .i18n import chinese as ui_chinese
from .i18n import tr

MET, NOT_MET, ALERT, NOT_APPLICABLE, NOT_PLANNED, NOT_COMPUTED, NOT_ASSESSABLE = (
    "met", "not_met", "alert", "not_applicable", "not_planned", "not_computed", "not_assessable")

#: state -> (fixed Chinese word, English source text for tr)
_WORDS = {
    MET: ("达标", "Met"),
    NOT_MET: ("不达标", "Not met"),
    ALERT: ("预警", "Alert"),
    NOT_APPLICABLE: ("不适用", "Not applicable"),
    NOT_PLANNED: ("未规划", "Not planned"),
    NOT_COMPUTED: ("未计算", "Not computed"),
    NOT_ASSESSABLE: ("不可评估", "Not assessable"),  # the data did not pass validation (core/validation.py)
}
#: severity of a rule -> (Chinese word, English source text)
_SEVERITY = {"error": ("约束性", "Binding"), "warning": ("预期性", "Advisory")}
UNVERIFIED_ZH, UNVERIFIED_EN = "依据待核实", "Basis to be verified"


def _english(text: str) -> str:
    # the literal strings, so that the translation extractor sees them
    return {
        "Met": tr("Met"), "Not met": tr("Not met"), "Alert": tr("Alert"), "Not applicable": tr("Not applicable"),
        "Not planned": tr("Not planned"), "Not computed": tr("Not computed"), "Not assessable": tr("Not assessable"),
        "Binding": tr("Binding"),
        "Advisory": tr("Advisory"), "Basis to be verified": tr("Basis to be verified"),
    }[text]


def verdict_text(state: str, chinese: Optional[bool] = None) -> str:
    """The word for ``state``: fixed Chinese (``chinese`` True), English (False), or the UI language (None)."""
    zh, en = _WORDS[state]
    if chinese is True:
        return zh
    return en if chinese is False else _english(en)


def severity_text(severity: str, chinese: Optional[bool] = None) -> str:
    zh, en = _SEVERITY.get(severity, (severity, severity))
    if chinese is True:
        return zh
    if chinese is False or en not in ("Binding", "Advisory"):
        return en
    return _english(en)


def unverified_text(chinese: Optional[bool] = None) -> str:
    if chinese is True:
        return UNVERIFIED_ZH
    return UNVERIFIED_EN if chinese is False else _english(UNVERIFIED_EN)


def basis_text(rule: Any, chinese: Optional[bool] = None) -> str:
    """The policy citation of a rule; an unverified one says 依据待核实 and why, then the citation."""
    if rule.verified:
        return rule.source
    zh = chinese if chinese is not None else ui_chinese()
    reason = rule.unverified_reason(zh)
    head = unverified_text(True if chinese else None)
    if reason:
        head += ("：" if zh else ": ") + reason
    if not rule.source:
        return head
    return f"{head}（{rule.source}）" if zh else f"{head} ({rule.source})"


def rule_state(passed: Optional[bool], severity: str, reason: Optional[str] = None) -> str:
    """The state of one indicator result; ``reason`` (RuleResult.reason): the data is not assessable."""
    if reason:
        return NOT_ASSESSABLE
    if passed is None:
        return NOT_APPLICABLE
    if passed:
        return MET
    return ALERT if severity == "warning" else NOT_MET


def is_planned(engine: Any, uid: Optional[Hashable]) -> bool:
    """Whether any parcel of the unit (or project, ``uid`` None) carries a remediation type."""
    return any(area > 0 for area in engine.type_areas(uid).values())


def unit_state(engine: Any, uid: Optional[Hashable], results: Optional[Iterable] = None) -> str:
    """The verdict of a unit (or of the project): 未规划 when nothing in it is tagged, else the
    worst of its rules (a failed binding rule: 不达标; a failed advisory one: 预警)."""
    if engine is None or (uid is not None and not engine.has_unit(uid)):
        return NOT_COMPUTED
    results = list(results if results is not None else engine.evaluate(uid))
    if any(getattr(r, "reason", None) for r in results):
        return NOT_ASSESSABLE  # the data did not pass validation: no verdict, planned or not
    if not is_planned(engine, uid):
        return NOT_PLANNED
    states = [rule_state(r.passed, r.severity) for r in results]
    for state in (NOT_MET, ALERT, MET):
        if state in states:
            return state
    return NOT_APPLICABLE


__all__ = [
    "ALERT",
    "MET",
    "NOT_APPLICABLE",
    "NOT_ASSESSABLE",
    "NOT_COMPUTED",
    "NOT_MET",
    "NOT_PLANNED",
    "basis_text",
    "is_planned",
    "rule_state",
    "severity_text",
    "unit_state",
    "unverified_text",
    "verdict_text",
]
