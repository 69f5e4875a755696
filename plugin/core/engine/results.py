"""Results of the engine: class areas, rule variables and verdicts, the tables every front end shows.

Read-only: nothing here changes the state (docs/architecture.md "The engine").
"""
from __future__ import annotations

from collections import Counter
from typing import Hashable, Iterable

from ..i18n import tr
from ..validation import DuplicateNotes, GeometryNotes, Problem, sanitised_warnings, state_problems
from .composition import PBF_VARS, SCALE
from .state import PROJECT, RuleResult, sort_key


def results_status(results: Iterable[RuleResult]) -> bool | None:
    """The status of a unit (``unit_status``) or a township read off its rule results: False if an
    error-severity rule fails, True if all that apply pass, None if none applies or not assessable."""
    verdicts = [r.passed for r in results if r.severity == "error" and r.passed is not None]
    if not verdicts:
        return None
    return all(verdicts)


class _Results:
    """Aggregates, rule results, warnings. A mixin of :class:`~.balance.BalanceEngine`."""

    def aggregate(self, uid: Hashable | None = None) -> Counter:
        """Integer µm² totals of one unit (``None`` = the whole project)."""
        return self.project if uid is None else self.aggregates[uid]

    def class_areas(self, uid: Hashable | None = None) -> dict[str, tuple[float, float]]:
        """Resolved land-class code -> (before m², after m²)."""
        agg = self.aggregate(uid)
        out: dict[str, list[float]] = {}
        for (kind, name), v in agg.items():
            if kind in ("b", "a"):
                out.setdefault(name, [0.0, 0.0])[0 if kind == "b" else 1] += v / SCALE
        return {k: (v[0], v[1]) for k, v in sorted(out.items(), key=lambda kv: self.table.sort_key(kv[0]))}

    def type_areas(self, uid: Hashable | None = None) -> dict[str, float]:
        """Remediation type -> tagged area (m²)."""
        return {name: v / SCALE for (kind, name), v in self.aggregate(uid).items() if kind == "t"}

    def variables(self, uid: Hashable | None = None) -> dict[str, float]:
        """The rule-pack variables of one unit (or the project), in m²."""
        agg = self.aggregate(uid)
        pack = self.pack
        v: dict[str, float] = {}
        for cid in pack.categories:
            v[f"{cid}_before"] = 0
            v[f"{cid}_after"] = 0
        for (kind, name), value in agg.items():
            if kind in ("b", "a"):
                suffix = "_before" if kind == "b" else "_after"
                for cid in pack.categories_of(name):
                    v[cid + suffix] += value
        for cid in pack.categories:
            v[f"{cid}_change"] = v[f"{cid}_after"] - v[f"{cid}_before"]
        for fid in pack.flows:
            v[fid] = agg.get(("f", fid), 0)
        for name in PBF_VARS:
            v[name] = agg.get(("p", name), 0)
        return {k: val / SCALE for k, val in v.items()}

    def problems(self) -> list[Problem]:
        """Why the data cannot be assessed (validation.py); empty when every verdict may be given."""
        out = list(self.input_problems)
        dup = self.duplicates
        if dup is not None and dup.conflicting_ids:
            ids = sorted({str(i) for i in dup.conflicting_ids})
            out.append(Problem("DUPLICATE_FEATURE_ID", tr(
                "Feature ids used by different parcels: {0}; save the layer as a GeoPackage (which numbers its "
                "features) and use that.").format(", ".join(ids[:8]) + (" …" if len(ids) > 8 else ""))))
        units = [(u.code if u.named else None, u.geom is not None) for u in self._units.values()]
        n_with = self._unit_parcels.nonempty()
        out.extend(state_problems(len(self._parcels), len(self._parcels) - len(self.empty_geometry),
                                  self._unknown_class, units, n_with, self.unit_overlaps()))
        return out

    def not_assessable(self) -> str | None:
        """The reasons (one text) why no verdict may be given, or None when the data passed validation."""
        problems = self.problems()
        return "\n".join(p.message for p in problems) if problems else None

    def evaluate(self, uid: Hashable | None = None, reason: str | None | bool = False) -> list[RuleResult]:
        """Every applicable rule of the pack for one unit (or the project).

        Values are always computed; ``passed`` is None with a ``reason`` when the data did not
        pass validation ("not assessable"). ``reason=False``: find it (:meth:`not_assessable`).
        """
        if reason is False:
            reason = self.not_assessable()
        variables = self.variables(uid)
        code = PROJECT if uid is None else self._units[uid].code
        results = []
        for rule in self.pack.rules:
            if not rule.applies_to(uid is None):
                continue
            value = rule.formula.evaluate(variables)
            passed = None if reason else rule.passes(value)
            results.append(RuleResult(code, rule.id, value, rule.threshold, passed, rule.severity, reason or None))
        return results

    def unit_status(self, uid: Hashable | None = None, reason: str | None | bool = False) -> bool | None:
        """False if an error-severity rule fails, True if all applicable errors pass, None if none apply
        or the data is not assessable (:meth:`verdict` tells them apart). ``reason`` as in :meth:`evaluate`
        (a loop over the units finds :meth:`not_assessable` once and hands it in)."""
        return results_status(self.evaluate(uid, reason))

    def verdict(self, uid: Hashable | None = None) -> str:
        """"pass", "fail", "n/a" (no rule applies) or "not_assessable" (see :meth:`not_assessable`)."""
        if self.not_assessable():
            return "not_assessable"
        return {True: "pass", False: "fail", None: "n/a"}[self.unit_status(uid)]

    def ordered_units(self) -> list[Hashable]:
        return sorted(self._units, key=lambda uid: (self._units[uid].code, sort_key(uid)))

    def balance_rows(self) -> list[tuple[str, str, float, float]]:
        """(unit_code, dlbm, before m², after m²) per unit and class, then the project rows ('*')."""
        rows: list[tuple[str, str, float, float]] = []
        by_code: dict[str, dict[str, list[float]]] = {}
        for uid in self.ordered_units():
            target = by_code.setdefault(self._units[uid].code, {})
            for cls, (b, a) in self.class_areas(uid).items():
                acc = target.setdefault(cls, [0.0, 0.0])
                acc[0] += b
                acc[1] += a
        for code, classes in by_code.items():
            for cls in sorted(classes, key=self.table.sort_key):
                rows.append((code, cls, classes[cls][0], classes[cls][1]))
        for cls, (b, a) in self.class_areas(None).items():
            rows.append((PROJECT, cls, b, a))
        return rows

    def indicator_rows(self) -> list[RuleResult]:
        results: list[RuleResult] = []
        reason = self.not_assessable()
        for uid in self.ordered_units():
            results.extend(self.evaluate(uid, reason))
        results.extend(self.evaluate(None, reason))
        return results

    def balance_frame(self):
        import pandas as pd

        return pd.DataFrame(self.balance_rows(), columns=["unit_code", "dlbm", "area_before_m2", "area_after_m2"])

    def indicator_frame(self):
        import pandas as pd

        return pd.DataFrame(
            [(r.unit_code, r.rule_id, r.value, r.threshold, r.passed, r.severity, r.reason)
             for r in self.indicator_rows()],
            columns=["unit_code", "rule_id", "value", "threshold", "passed", "severity", "reason"],
        )

    def warnings(self) -> list[str]:
        """Data problems a planner must see (never silently dropped)."""
        out = []
        if self.unknown_codes:
            items = sorted(self.unknown_codes.items(), key=lambda t: str(t[0]))
            codes = ", ".join(f"{c or 'NULL'} ({n})" for c, n in items)
            out.append(tr("Unknown land-class codes, counted as 'unknown': {0}").format(codes))
        if self.missing_area:
            out.append(tr("{0} parcels have no TBMJ; their area was measured from the geometry").format(
                len(self.missing_area)))
        if self.empty_geometry:
            out.append(tr("{0} parcels have no usable geometry and belong to no unit").format(len(self.empty_geometry)))
        if self._raw:
            out.append(split_note(len(self.split_bsms())))
        notes = GeometryNotes()
        for pid, what in sorted(self.geometry_fixes.items(), key=lambda kv: sort_key(kv[0])):
            getattr(notes, what).append(pid)
        dup = DuplicateNotes(identical=sorted(self.shadows, key=sort_key),
                             same_id=list(self.duplicates.same_id) if self.duplicates is not None else [])
        out.extend(sanitised_warnings(notes, dup, None))
        out.extend(self.input_warnings)
        return out

    def fingerprint(self) -> dict:
        """The whole observable state, for comparing incremental and full builds."""
        return {
            "units": {uid: dict(agg) for uid, agg in self.aggregates.items()},
            "project": dict(self.project),
            "unknown": dict(self.unknown_codes),
        }


def split_note(bsms: int) -> str:
    """The warning about survey parcels in pieces (also ``balance --in-database``'s, core.aggregated)."""
    return tr("{0} survey parcels (BSM) are in several pieces (split); each piece counts with its share "
              "of TBMJ, KCMJ and TBDLMJ by area").format(bsms)
