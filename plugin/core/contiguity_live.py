"""The contiguity state of a plan: patches of every layer in every scope, built once, kept live.

``Contiguity.build(engine)`` labels every patch in bulk (numpy union–find over the STRtree
near-graph). ``Contiguity.update(engine, parcels=…, units=…)`` after an engine edit touches
only the patches near the edited parcels (``contiguity_view``); the result equals a fresh
build (``snapshot``; tests/core/test_contiguity_live.py checks it over random edit sequences).
Parcels are read only through the engine's public read API. docs/domain-contiguity.md.
"""
from __future__ import annotations

from typing import Hashable, Iterable

import numpy as np

from .contiguity import (
    LAYERS,
    PROJECT,
    ContiguitySettings,
    PatchStats,
    label_components,
    near_pairs,
    parcel_weights,
    summarise,
)
from .contiguity_graph import Adjacency, NearIndex, csr
from .contiguity_view import View
from .engine import paused_gc


class Contiguity:
    """Patches per (scope, layer); scope = a unit id or ``PROJECT``."""

    def __init__(self, settings: ContiguitySettings | None = None):
        self.settings = settings or ContiguitySettings()
        self.views: dict[tuple, View] = {}
        # views of the last build not touched since: (parcel ids, weights, roots) arrays, made a View on first use
        self._pending: dict[tuple, tuple] = {}
        self.weights: dict = {}  # pid -> {scope: (fb, fa, pb, pa)}
        self.geoms: dict = {}  # pid -> geometry, of the parcels in some view
        self._bsm: dict = {}  # pid -> BSM when it was last read (pieces of a split move together)
        self._scopes: dict = {}  # scope -> set of pids weighted in it
        self._shadows: frozenset = frozenset()  # the engine's identical copies (counted nowhere) when last read
        self._stats: dict[tuple, PatchStats] = {}
        self.adjacency = Adjacency([], np.zeros(1, np.int64), np.empty(0, np.int64))
        self.index = NearIndex(self.settings.gap_m, [], np.empty(0, dtype=object))

    # ------------------------------------------------------------------ full build
    def build(self, engine) -> None:
        """Every patch from the engine's current state."""
        with paused_gc():  # millions of acyclic objects: the cyclic collector would only slow it down
            self._build(engine)

    def _build(self, engine) -> None:
        weights: dict = {}
        geoms: dict = {}
        for pid in engine.parcel_ids():
            w = parcel_weights(engine, pid)
            geom = engine.parcel_geometry(pid) if w else None
            if geom is not None:
                weights[pid] = w
                geoms[pid] = geom
        self.__init__(self.settings)
        self.weights, self.geoms = weights, geoms
        pids = list(geoms)
        garr = np.empty(len(pids), dtype=object)
        garr[:] = [geoms[p] for p in pids]
        a, b = near_pairs(garr, self.settings.gap_m)
        self.adjacency = Adjacency(pids, *csr(len(pids), a, b))
        self.index = NearIndex(self.settings.gap_m, pids, garr)
        # every parcel's BSM, not only the farmland's: removing a piece that is no farmland re-shares
        # the survey areas of its farmland pieces, which must then be refreshed
        self._bsm = {pid: bsm for pid in engine.parcel_ids() if (bsm := engine.parcel_record(pid).bsm) is not None}
        self._shadows = frozenset(engine.shadows)
        self._label_views(pids, a, b)

    def _rows(self, pids: list) -> tuple[list, np.ndarray, np.ndarray, np.ndarray]:
        """One row per (parcel, scope): scope names, parcel index, scope code, weights (n × 4)."""
        codes: dict = {}
        row_pid, row_scope, row_w = [], [], []
        scopes = self._scopes
        for i, pid in enumerate(pids):
            for scope, w in self.weights[pid].items():
                code = codes.get(scope)
                if code is None:
                    code = codes[scope] = len(codes)
                    scopes[scope] = set()
                row_pid.append(i)
                row_scope.append(code)
                row_w.extend(w)
                scopes[scope].add(pid)
        return (list(codes), np.asarray(row_pid, np.int64), np.asarray(row_scope, np.int64),
                np.asarray(row_w, np.int64).reshape(-1, len(LAYERS)))

    def _label_views(self, pids: list, a: np.ndarray, b: np.ndarray) -> None:
        """Edges join the rows of near parcels in the same scope; components per layer in bulk."""
        names, rp, rs, rw = self._rows(pids)
        if not len(rp):
            return
        ns = len(names)
        keys = rp * ns + rs  # rows come sorted by parcel
        order = np.argsort(keys, kind="stable")
        skeys = keys[order]
        first = np.searchsorted(rp, np.arange(len(pids)))
        reps = np.bincount(rp, minlength=len(pids))[a]  # every edge once per scope of its first end …
        row_a = np.repeat(first[a], reps) + np.arange(int(reps.sum())) - np.repeat(np.cumsum(reps) - reps, reps)
        want = np.repeat(b, reps) * ns + rs[row_a]
        pos = np.minimum(np.searchsorted(skeys, want), len(skeys) - 1)
        hit = skeys[pos] == want  # … kept where the other end has that scope too
        row_a, row_b = row_a[hit], order[pos[hit]]
        by_scope = np.argsort(rs, kind="stable")
        bounds = np.searchsorted(rs[by_scope], np.arange(ns + 1))
        for layer in range(len(LAYERS)):
            on = rw[:, layer] > 0
            keep = on[row_a] & on[row_b]
            roots = label_components(len(rp), row_a[keep], row_b[keep])
            for code in range(ns):
                part = by_scope[bounds[code]:bounds[code + 1]]
                part = part[on[part]]
                if len(part):
                    self._pending[(names[code], layer)] = (pids, rp[part], rw[part, layer], roots[part])

    # ------------------------------------------------------------------ live
    def update(self, engine, parcels: Iterable = (), units: Iterable = ()) -> None:
        """Follow an engine edit: ``parcels`` added/changed/removed, ``units`` reshaped/recoded/removed.

        Pieces of a split share their survey areas, so the other pieces of an edited parcel's
        BSM (before and after the edit) and the identical copies that start or stop counting
        are refreshed too; a unit edit refreshes the parcels
        it held and holds. A PBF edit changes many parcels' PBF shares: call :meth:`build`.
        """
        dirty = set(parcels)
        shadows = frozenset(engine.shadows)  # an edit can make a copy count, or stop counting, instead of another
        dirty |= shadows ^ self._shadows
        self._shadows = shadows
        for pid in list(dirty):
            for bsm in {self._bsm.get(pid), engine.parcel_record(pid).bsm if engine.has_parcel(pid) else None}:
                if bsm is not None:
                    dirty.update(engine.pieces(bsm))
        for uid in units:
            dirty |= self._scopes.get(uid, set())
            if engine.has_unit(uid):
                dirty |= engine.unit_parcel_ids(uid)
        if dirty:
            self._apply(engine, dirty)

    def _apply(self, engine, dirty: set) -> None:
        new = {}
        for pid in dirty:
            present = engine.has_parcel(pid)
            w = parcel_weights(engine, pid) if present else {}
            geom = engine.parcel_geometry(pid) if w else None
            new[pid] = (w, geom) if geom is not None else ({}, None)
            if present:
                self._bsm[pid] = engine.parcel_record(pid).bsm
            else:
                self._bsm.pop(pid, None)
        moved = [pid for pid in dirty if not _same_geometry(self.geoms.get(pid), new[pid][1])]
        moved_set = set(moved)
        neighbours = self.adjacency.neighbours
        for pid in dirty:  # 1. out of every view where it leaves or its neighbours change
            old_w = self.weights.get(pid, {})
            for scope, w in old_w.items():
                nw = new[pid][0].get(scope, (0, 0, 0, 0))
                for layer in range(len(LAYERS)):
                    if not w[layer]:
                        continue
                    view = self.view((scope, layer))
                    if pid in moved_set or not nw[layer]:
                        view.remove(pid, neighbours)
                    elif nw[layer] != w[layer]:
                        view.reweigh(pid, nw[layer])
        for pid in moved:  # 2. the near-graph
            geom = new[pid][1]
            self.adjacency.drop(pid)
            self.index.set(pid, geom)
            if geom is None:
                self.geoms.pop(pid, None)
            else:
                self.geoms[pid] = geom
        for pid in moved:
            geom = new[pid][1]
            if geom is not None:
                self.adjacency.link(pid, self.index.near(geom, pid))
        for pid in dirty:  # 3. into every view where it is now and is not yet
            self._enter(pid, new[pid][0], neighbours)
        self.index.maybe_rebuild(self.geoms)

    def _enter(self, pid: Hashable, weights: dict, neighbours) -> None:
        old = self.weights.get(pid, {})
        for scope in old.keys() - weights.keys():
            self._scopes[scope].discard(pid)
            self._stats.pop(scope, None)
        for scope, w in weights.items():
            self._scopes.setdefault(scope, set()).add(pid)
            self._stats.pop(scope, None)
            for layer in range(len(LAYERS)):
                if not w[layer]:
                    continue
                view = self.view((scope, layer))
                if pid not in view:
                    view.add(pid, w[layer], neighbours(pid))
        for scope in old:
            self._stats.pop(scope, None)
        if weights:
            self.weights[pid] = weights
        else:
            self.weights.pop(pid, None)

    # ------------------------------------------------------------------ reading
    def view(self, key: tuple) -> View:
        """The View of (scope, layer index), made from the build's arrays on first use."""
        hit = self.views.get(key)
        if hit is None:
            pending = self._pending.pop(key, None)
            if pending is None:
                hit = View()
            else:
                pids, rows, weights, roots = pending
                hit = View.from_labels([pids[k] for k in rows.tolist()], weights, roots)
            self.views[key] = hit
        return hit

    def warm(self, scopes=(PROJECT,)) -> None:
        """Make the views of ``scopes`` now (the project's: every edit in a unit touches them), so that
        the first edit after a build does not pay for it (the live session calls it after building)."""
        for key in [k for k in self._pending if k[0] in scopes]:
            self.view(key)

    def _areas(self, key: tuple) -> list[int]:
        pending = self._pending.get(key)
        if pending is None:
            view = self.views.get(key)
            return view.areas() if view is not None else []
        _pids, _rows, weights, roots = pending
        order = np.argsort(roots, kind="stable")
        sorted_roots = roots[order]
        starts = np.flatnonzero(np.append(True, sorted_roots[1:] != sorted_roots[:-1]))
        return np.add.reduceat(weights[order], starts).tolist()

    def stats(self, scope: Hashable = PROJECT) -> dict[str, PatchStats]:
        """{layer: PatchStats} of one scope (a unit id or PROJECT); cached until an edit touches it."""
        hit = self._stats.get(scope)
        if hit is None:
            blocks = self.settings.blocks
            hit = {}
            for layer, name in enumerate(LAYERS):
                hit[name] = summarise(self._areas((scope, layer)), blocks)
            self._stats[scope] = hit
        return hit

    def patches(self, scope: Hashable, layer: str) -> list[tuple[int, frozenset]]:
        """(area µm², member ids) of every patch, largest first (ties by smallest member)."""
        view = self.view((scope, LAYERS.index(layer)))
        out = [(p.area, frozenset(p.members)) for p in view.patches.values() if p.members]
        out.sort(key=lambda t: (-t[0], min(map(repr, t[1]))))
        return out

    def snapshot(self) -> dict:
        """Canonical form of every non-empty view: {(scope, layer): sorted [(area, sorted members)]}."""
        out = {}
        for key in list(self._pending):
            self.view(key)
        for (scope, layer), view in self.views.items():
            rows = sorted((p.area, tuple(sorted(p.members, key=repr))) for p in view.patches.values())
            if rows:
                out[(scope, layer)] = rows
        return out


def _same_geometry(a, b) -> bool:
    if a is b:
        return True
    if a is None or b is None:
        return False
    return bool(a.equals_exact(b, 0.0))
