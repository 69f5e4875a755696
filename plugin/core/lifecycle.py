"""The life cycle of a remediation unit (整治单元状态, the ZZDY field ``ZT``): states and guarded steps.

储备 (reserve) → 立项 (approved) → 实施 (under works) → 验收 (accepted) → 备案 (filed). A step
forward goes to the next state only; a step back (e.g. 验收 refused → 实施 for rectification,
立项 withdrawn → 储备) is allowed only with a reason. Entering 立项 is refused while an
error-level data check fails for the unit; entering 验收 is refused until the acceptance check
(``core.acceptance``) found no shortfall for the unit. Every step becomes a :class:`Transition`
row of the history (who, when, from, to, reason). docs/lifecycle.md tells the whole story.

Pure Python: the front ends pass the findings of the data checks and the acceptance rows; the
history's storage is the adapter's (``adapters/lifecycle_store.py``).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable, Sequence

from .errors import PlanError
from .i18n import tr

#: the unit statuses, in life-cycle order; the first one is a new unit's default
STATUSES = ("储备", "立项", "实施", "验收", "备案")
RESERVE, APPROVED, WORKS, ACCEPTED, FILED = STATUSES
#: ASCII names of the statuses (command line, scripts): reserve, approved, works, accepted, filed
STATUS_KEYS = dict(zip(("reserve", "approved", "works", "accepted", "filed"), STATUSES))
#: the history table's columns (GeoPackage table ``unit_status_history``, XLSX sheet)
HISTORY_COLUMNS = ("unit_code", "from_status", "to_status", "changed_at", "changed_by", "reason")


def status_label(status: str | None) -> str:
    """The status in the interface language (the stored value is always the Chinese word)."""
    labels = {RESERVE: tr("Reserve"), APPROVED: tr("Approved"), WORKS: tr("Under works"),
              ACCEPTED: tr("Accepted"), FILED: tr("Filed")}
    if status is None or status == "":
        return tr("(none)")
    return labels.get(status, status)


def parse_status(text: str) -> str | None:
    """A status from its Chinese word (立项), its ASCII name (approved) or its number 0…4; None if none."""
    t = str(text).strip()
    if t in STATUSES:
        return t
    if t.isdigit() and int(t) < len(STATUSES):
        return STATUSES[int(t)]
    return STATUS_KEYS.get(t.lower())


def normalize_status(value) -> str | None:
    """A stored ZT value as one of STATUSES: empty/NULL is 储备 (a unit starts in reserve); an
    unknown text is returned as is (a guard refuses it)."""
    if value is None:
        return RESERVE
    text = str(value).strip()
    if text in ("", "NULL"):
        return RESERVE
    return text


@dataclass(frozen=True)
class Transition:
    """One row of a unit's status history."""

    unit_code: str
    from_status: str
    to_status: str
    changed_at: str  # ISO 8601 with the UTC offset, e.g. 2026-12-02T06:10:00+00:00
    changed_by: str  # the QGIS user's full name, else the OS login
    reason: str = ""

    def as_row(self) -> tuple:
        return tuple(getattr(self, c) for c in HISTORY_COLUMNS)

    @property
    def backwards(self) -> bool:
        return _index(self.to_status) < _index(self.from_status)


class TransitionRefused(PlanError):
    """A status change the guard refuses; ``reasons`` lists why (translated)."""

    def __init__(self, unit_code: str, reasons: Sequence[str]):
        self.unit_code = unit_code
        self.reasons = list(reasons)
        super().__init__(tr("Unit {0}: status not changed: {1}").format(unit_code, "; ".join(self.reasons)))


def _index(status: str) -> int:
    return STATUSES.index(status) if status in STATUSES else -1


def error_findings(unit_code: str, findings: Iterable) -> dict[str, int]:
    """kind code -> number of error-level findings of the data checks for ``unit_code``."""
    out: dict[str, int] = {}
    for f in findings:
        if f.severity == "error" and f.unit_code == unit_code:
            out[f.code] = out.get(f.code, 0) + 1
    return dict(sorted(out.items()))


def refusals(unit_code: str, current, target: str, reason: str = "", findings: Iterable | None = None,
             acceptance: Sequence | None = None) -> list[str]:
    """Why ``current`` → ``target`` is refused for the unit (empty: allowed).

    ``findings``: the data checks' findings (``None``: they have not run, which refuses 立项);
    ``acceptance``: the unit's rows of ``acceptance.compare`` (``None``: not checked, which refuses 验收).
    """
    from .datacheck_common import kind_name

    current = normalize_status(current)
    if target not in STATUSES:
        return [tr("{0} is not a status (allowed: {1})").format(target, " → ".join(STATUSES))]
    if current not in STATUSES:
        return [tr("the current status {0} is not one of {1}; set it in the attribute table first").format(
            current, " → ".join(STATUSES))]
    now, to = _index(current), _index(target)
    if to == now:
        return [tr("it is already {0}").format(status_label(target))]
    if to < now:
        return [] if reason.strip() else [tr("going back from {0} to {1} needs a reason").format(
            status_label(current), status_label(target))]
    if to > now + 1:
        return [tr("no skipping: the next status after {0} is {1}").format(
            status_label(current), status_label(STATUSES[now + 1]))]
    if target == APPROVED:
        if findings is None:
            return [tr("run the data checks first (立项 needs a unit without error-level findings)")]
        errors = error_findings(unit_code, findings)
        if errors:
            named = ", ".join(f"{kind_name(k)} ({k}) ×{n}" for k, n in errors.items())
            return [tr("error-level data checks fail for the unit: {0}").format(named)]
    if target == ACCEPTED:
        if acceptance is None:
            return [tr("run the acceptance check first (验收 compares the achieved layer with the plan)")]
        short = [r for r in acceptance if r.unit_code == unit_code and not r.ok]
        if short:
            return [tr("the acceptance check found shortfalls: {0}").format(
                "; ".join(r.describe() for r in short))]
    return []


def transition(unit_code: str, current, target: str, who: str, when: str, reason: str = "",
               findings: Iterable | None = None, acceptance: Sequence | None = None) -> Transition:
    """The history row of an allowed step, or :class:`TransitionRefused` naming every reason."""
    findings = list(findings) if findings is not None else None
    refused = refusals(unit_code, current, target, reason, findings, acceptance)
    if refused:
        raise TransitionRefused(unit_code, refused)
    return Transition(unit_code, normalize_status(current), target, when, who or "?", reason.strip())


def settle(pending: Sequence[Transition], committed) -> list[Transition]:
    """The pending rows of one unit that the committed status keeps.

    Status changes in the dock are edits of the units layer: undone, redone, rolled back. When the
    edits are saved, the rows up to the last one that ends in the saved status are kept (an undo
    takes the last row back); none when the saved status is none of their targets.
    """
    committed = normalize_status(committed)
    for k in range(len(pending) - 1, -1, -1):
        if pending[k].to_status == committed:
            return list(pending[:k + 1])
    return []


def current_since(history: Iterable[Transition]) -> dict[str, Transition]:
    """unit code -> its latest history row (the date since which it has its status)."""
    out: dict[str, Transition] = {}
    for t in sorted(history, key=lambda t: t.changed_at):
        out[t.unit_code] = t
    return out


__all__ = ["ACCEPTED", "APPROVED", "FILED", "HISTORY_COLUMNS", "RESERVE", "STATUSES", "STATUS_KEYS", "WORKS",
           "Transition", "TransitionRefused", "current_since", "error_findings", "normalize_status", "parse_status",
           "refusals", "settle", "status_label", "transition"]
