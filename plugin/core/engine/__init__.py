"""The balance engine (docs/architecture.md "The engine"), one concern per module:

=================  ==============================================================
``balance``        :class:`BalanceEngine`: its state and how the parts fit
``read_api``       the public read API front ends use (parcels, units, snapshot)
``results``        class areas, rule variables, verdicts, tables, warnings
``edits``          incremental edits of parcels, units and PBF
``build``          the full build (bulk STRtree, GEOS on threads)
``build_chunks``   the full build's geometry work, one chunk of parcels at a time
``packed``         geometries as WKB buffers (the reader's hand-over, the store's copy)
``apportion``      pairs (unit, share, PBF share), PBF parts, overlapping units
``splits``         pieces of one survey parcel (BSM) sharing its areas
``composition``    a parcel's classes before/after, flows, integer contributions
``grid``           the dynamic grid index of the edits
``geometry``       geometry cleaning and shares, GEOS on threads
``state``          the per-parcel / per-unit state and the shared small types
=================  ==============================================================
"""
from .balance import BalanceEngine
from .composition import SCALE
from .geometry import clean_geometry, paused_gc
from .read_api import EngineSnapshot, ParcelView
from .state import PROJECT, BuildCancelled, RuleResult

__all__ = ["PROJECT", "SCALE", "BalanceEngine", "BuildCancelled", "EngineSnapshot", "ParcelView", "RuleResult",
           "clean_geometry", "paused_gc"]
