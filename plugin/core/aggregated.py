"""A balance made elsewhere (in the database): the engine's queries over given aggregates.

``--in-database`` (plugin/adapters/postgis) computes, with SQL on the server, per unit and per
*group* of parcels that share their classes (before, after, remediation type), the summed
areas. :func:`group_terms` turns one such group into the engine's keys (``("b", class)``,
``("a", class)``, ``("t", type)``, ``("f", flow)``) with the pack's flows; :class:`AggregatedBalance`
answers ``balance_rows`` / ``indicator_rows`` / ``variables`` / ``evaluate`` exactly as
:class:`~.engine.BalanceEngine` does, because it is one, filled with integer µm² sums instead of
parcels. docs/postgis.md says which of the engine's rules the SQL follows.
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Hashable, Sequence

from .engine import SCALE, BalanceEngine
from .engine.results import split_note
from .engine.state import _Unit
from .i18n import tr
from .rules import RulePack, flow_areas
from .validation import OVERLAP_TOLERANCE_M2, Problem, state_problems
from .value_warnings import value_warnings

#: the transitions a group carries: (sum name, which class before, which class after)
TRANSITIONS = (("same1", "b1", "b1"), ("same2", "b2", "b2"), ("x11", "b1", "a1"), ("x12", "b1", "a2"),
               ("x21", "b2", "a1"), ("x22", "b2", "a2"))


def group_terms(pack: RulePack, group: dict) -> Counter:
    """Integer µm² terms of one summed group.

    ``group`` holds the classes ``b1, b2, a1, a2`` (``b2``/``a2`` may be None), ``planned``,
    ``zzlx``, and the sums ``vb1, vb2, va1, va2, tbmj`` and those of :data:`TRANSITIONS`.
    """
    out: Counter = Counter()
    for slot, kind in (("b1", "b"), ("b2", "b"), ("a1", "a"), ("a2", "a")):
        cls, value = group.get(slot), group.get("v" + slot) or 0.0
        if cls is not None and value:
            out[(kind, cls)] += round(value * SCALE)
    if group.get("planned"):
        zzlx = group.get("zzlx") or ""
        out[("t", zzlx)] += round((group.get("tbmj") or 0.0) * SCALE)
        transitions = [(group[b], group[a], group.get(name) or 0.0) for name, b, a in TRANSITIONS
                       if group.get(b) is not None and group.get(a) is not None]
        for fid, v in flow_areas(pack, zzlx, transitions).items():
            out[("f", fid)] += round(v * SCALE)
    return +out


@dataclass
class ServerCounts:
    """What the database reports about the data, for the problems and warnings a build would give."""

    parcels: int = 0
    located: int = 0  # with a usable geometry
    unknown_class: int = 0  # parcels whose DLBM is not a known class
    unknown_codes: Counter = field(default_factory=Counter)  # code -> parcels (DLBM and GHDLBM)
    measured: int = 0  # parcels without a usable TBMJ, measured on the ellipsoid
    repaired: int = 0  # invalid geometries made valid before measuring
    units_with_parcels: int = 0
    overlaps: list = field(default_factory=list)  # (code, code, m²) of units overlapping each other
    problems: list = field(default_factory=list)  # Problem found by the adapter (CRS, TBMJ unit …)
    warnings: list = field(default_factory=list)
    split: int = 0  # survey parcels (BSM) whose pieces share their areas
    values: dict = field(default_factory=dict)  # issue kind -> value_warnings.IdSample (core/fields.py's kinds)


class AggregatedBalance(BalanceEngine):
    """A :class:`BalanceEngine` whose aggregates come from the database, not from parcels."""

    def __init__(self, pack: RulePack | None = None):
        super().__init__(pack)
        self.counts = ServerCounts()
        #: (township code -> variables, whether a UGB layer was given) when the database computed
        #: them (core.townships.evaluate_variables judges them), else None
        self.townships: tuple[dict, bool] | None = None

    def load(self, units: Sequence[tuple[Hashable, str | None, bool]], sums: dict[Hashable, Counter],
             project: Counter, counts: ServerCounts) -> None:
        """``units``: (id, code or None, has geometry); ``sums``: id -> integer µm² terms;
        ``project``: the whole project's terms (a parcel counted once where units overlap)."""
        for uid, code, has_geom in units:
            u = _Unit(str(code) if code is not None else str(uid), None, code is not None)
            self._units[uid] = u
            self.aggregates[uid] = +Counter(sums.get(uid, {}))
            self._unit_parcels[uid] = set()
            if has_geom:
                self._unit_parcels[uid] = {"*"} if self.aggregates[uid] else set()
        self._has_geom = {uid: has for uid, _c, has in units}
        self.project = +Counter(project)
        self.counts = counts
        self.unknown_codes = Counter(counts.unknown_codes)

    def problems(self) -> list[Problem]:
        c = self.counts
        units = [(u.code if u.named else None, self._has_geom.get(uid, False)) for uid, u in self._units.items()]
        overlaps = [o for o in c.overlaps if o[2] >= OVERLAP_TOLERANCE_M2]
        return list(c.problems) + state_problems(c.parcels, c.located, c.unknown_class, units,
                                                 c.units_with_parcels, sorted(overlaps))

    def unit_overlaps(self, tolerance: float = OVERLAP_TOLERANCE_M2) -> list[tuple[str, str, float]]:
        return sorted(o for o in self.counts.overlaps if o[2] >= tolerance)

    def warnings(self) -> list[str]:
        c = self.counts
        out = []
        if self.unknown_codes:
            items = sorted(self.unknown_codes.items(), key=lambda t: str(t[0]))
            codes = ", ".join(f"{code or 'NULL'} ({n})" for code, n in items)
            out.append(tr("Unknown land-class codes, counted as 'unknown': {0}").format(codes))
        if c.parcels - c.located:
            out.append(tr("{0} parcels have no usable geometry and belong to no unit").format(c.parcels - c.located))
        if c.split:
            out.append(split_note(c.split))
        return out + list(c.warnings) + value_warnings(c.measured, c.values)
