"""The patches of one layer in one scope, kept edit by edit (docs/domain-contiguity.md).

A :class:`View` holds each member parcel's weight (µm², an integer: sums stay exact), its
patch id, and per patch its members and area. Edits touch only the patches near the edited
parcels:

* **add** a parcel: the patches of its neighbours merge (the smaller ones are relabelled);
* **remove** a parcel: its patch may fall apart. Searches start from each neighbour at once,
  one step each in turn, and merge when they meet; the search stops as soon as at most one
  of them is still running. The pieces whose search finished become new patches, so the
  cost is the size of the pieces cut off, not of the whole patch (in a field pattern the
  neighbours of a parcel meet again within a few steps);
* **reweigh** a parcel whose neighbours did not change: its patch's area only.
"""
from __future__ import annotations

from itertools import count
from typing import Callable, Hashable, Iterable

import numpy as np

_ids = count(1)


class Patch:
    __slots__ = ("area", "members")

    def __init__(self, members: set, area: int):
        self.members = members
        self.area = area


class View:
    """Patches of one (scope, layer): ``label`` pid -> patch id, ``patches`` id -> Patch."""

    __slots__ = ("label", "patches", "weight")

    def __init__(self):
        self.label: dict = {}
        self.patches: dict[int, Patch] = {}
        self.weight: dict = {}

    @classmethod
    def from_labels(cls, pids: list, weights: np.ndarray, roots: np.ndarray) -> View:
        """A view from a bulk labelling: ``roots[k]`` is the component of ``pids[k]`` (numpy arrays)."""
        view = cls()
        if not len(pids):
            return view
        order = np.argsort(roots, kind="stable")
        sorted_roots = roots[order]
        change = np.ones(len(order), dtype=bool)
        change[1:] = sorted_roots[1:] != sorted_roots[:-1]
        starts = np.flatnonzero(change)
        bounds = np.append(starts, len(order))
        areas = np.add.reduceat(weights[order], starts).tolist()
        members = [pids[k] for k in order.tolist()]
        ids = [next(_ids) for _ in range(len(starts))]
        view.label = dict(zip(members, np.repeat(np.asarray(ids, np.int64), np.diff(bounds)).tolist()))
        view.weight = dict(zip(pids, weights.tolist()))
        bounds = bounds.tolist()
        view.patches = {i: Patch(set(members[bounds[k]:bounds[k + 1]]), areas[k]) for k, i in enumerate(ids)}
        return view

    def __contains__(self, pid: Hashable) -> bool:
        return pid in self.label

    def areas(self) -> list[int]:
        return [p.area for p in self.patches.values()]

    def reweigh(self, pid: Hashable, weight: int) -> None:
        self.patches[self.label[pid]].area += weight - self.weight[pid]
        self.weight[pid] = weight

    def add(self, pid: Hashable, weight: int, neighbours: Iterable) -> None:
        """Add a parcel joined to its present neighbours; their patches merge into the largest."""
        label, patches = self.label, self.patches
        ids = {label[q] for q in neighbours if q in label}
        if not ids:
            pid_label = next(_ids)
            patches[pid_label] = Patch({pid}, weight)
        else:
            pid_label = max(ids, key=lambda i: len(patches[i].members))
            keep = patches[pid_label]
            for other in ids - {pid_label}:
                gone = patches.pop(other)
                for q in gone.members:
                    label[q] = pid_label
                keep.members |= gone.members
                keep.area += gone.area
            keep.members.add(pid)
            keep.area += weight
        label[pid] = pid_label
        self.weight[pid] = weight

    def remove(self, pid: Hashable, neighbours: Callable[[Hashable], Iterable]) -> None:
        """Take a parcel out; split its patch into the pieces that no longer hang together."""
        label, patches = self.label, self.patches
        pid_label = label.pop(pid)
        patch = patches[pid_label]
        patch.members.discard(pid)
        patch.area -= self.weight.pop(pid)
        if not patch.members:
            del patches[pid_label]
            return
        starts = list(dict.fromkeys(q for q in neighbours(pid) if q in label))
        if len(starts) < 2:
            return
        for piece in _cut_off(starts, label, neighbours):
            new = next(_ids)
            area = 0
            weight = self.weight
            for q in piece:
                label[q] = new
                area += weight[q]
            patch.members -= piece
            patch.area -= area
            patches[new] = Patch(piece, area)


def _cut_off(starts: list, label: dict, neighbours: Callable[[Hashable], Iterable]) -> list[set]:
    """The pieces, reachable from ``starts``, that are cut off from the rest (all but one)."""
    owner = {s: i for i, s in enumerate(starts)}
    parent = list(range(len(starts)))
    nodes = [{s} for s in starts]
    stacks = [[s] for s in starts]

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    live = set(range(len(starts)))  # roots of the searches
    while len(live) > 1:
        running = [i for i in live if stacks[i]]
        if len(running) <= 1:
            break
        for i in running:
            i = find(i)
            if i not in live or not stacks[i]:
                continue
            node = stacks[i].pop()
            for q in neighbours(node):
                if q not in label:
                    continue
                j = owner.get(q)
                if j is None:
                    owner[q] = i
                    nodes[i].add(q)
                    stacks[i].append(q)
                    continue
                j = find(j)
                if j != i:  # two searches met: one piece
                    small, big = (i, j) if len(nodes[i]) < len(nodes[j]) else (j, i)
                    parent[small] = big
                    nodes[big] |= nodes[small]
                    stacks[big].extend(stacks[small])
                    nodes[small], stacks[small] = set(), []
                    live.discard(small)
                    i = big
    if len(live) < 2:
        return []
    finished = [i for i in live if not stacks[i]]
    if len(finished) == len(live):  # every piece explored: the largest keeps the patch's id
        finished.remove(max(finished, key=lambda i: len(nodes[i])))
    return [nodes[i] for i in finished]
