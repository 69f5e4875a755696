"""集中连片: farmland and PBF patches, their sizes and the 百亩方 / 千亩方 / 万亩方 blocks.

The rules (docs/domain-contiguity.md):

* Two parcels are *near* when their geometries lie within the pack's ``gap_m`` of each other
  (``shapely.dwithin``): a patch reaches across 田坎, ditches and field roads narrower than that.
* A *patch* of a layer (farmland before / after, PBF before / after) in a scope (one unit, or
  the project) is a connected component of the near-graph over the parcels that carry some of
  that layer in that scope.
* A patch's area is the sum of what its parcels add to that layer in the balance
  (``BalanceEngine.parcel_farmland``): 耕地 net of 田坎, apportioned by unit share, PBF
  as the balance counts it. So the patches of a unit add up to the unit's 耕地 exactly.
* A block (百亩方 …) is a patch of at least ``mu`` 亩; thresholds come from the pack.

This module holds the settings, the weights, the near-graph and the bulk component labelling;
``contiguity_live`` keeps the patches up to date edit by edit.
"""
from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Hashable, Iterable, Sequence

import numpy as np
import shapely

from .areas import MU_M2
from .engine import SCALE

PROJECT = "*"  # scope of the whole project (as the balance's PROJECT rows)
LAYERS = ("farmland_before", "farmland_after", "pbf_before", "pbf_after")
_WORKERS = max(1, min(4, os.cpu_count() or 1))


@dataclass(frozen=True)
class Block:
    id: str
    mu: float
    name_zh: str
    name_en: str

    @property
    def threshold(self) -> int:
        """The block's least area in µm² (the unit of the weights): exactly ``mu`` 亩, rounded once."""
        return round(self.mu * MU_M2 * SCALE)

    def name(self, chinese: bool) -> str:
        return self.name_zh if chinese else self.name_en


def _national() -> dict:
    """The bundled national pack's ``contiguity`` section: the defaults live in the data file, not here."""
    from .rules import bundled_pack

    return bundled_pack().contiguity


def _blocks(raw) -> tuple[Block, ...]:
    blocks = [Block(str(b["id"]), float(b["mu"]), str(b.get("zh") or b["id"]),
                    str(b.get("en") or b.get("zh") or b["id"])) for b in raw]
    return tuple(sorted(blocks, key=lambda b: b.mu))


@dataclass(frozen=True)
class ContiguitySettings:
    gap_m: float = field(default_factory=lambda: float(_national()["gap_m"]))
    blocks: tuple[Block, ...] = field(default_factory=lambda: _blocks(_national()["blocks"]))

    @classmethod
    def from_pack(cls, pack) -> ContiguitySettings:
        """The pack's ``contiguity`` section (checked by rule_schema); a missing key takes the national pack's."""
        section = getattr(pack, "contiguity", None) or {}
        defaults = _national()
        return cls(float(section.get("gap_m", defaults["gap_m"])), _blocks(section.get("blocks", defaults["blocks"])))


# --------------------------------------------------------------------------- weights
def parcel_weights(engine, pid: Hashable) -> dict:
    """{scope: (fb, fa, pb, pa)} in µm² of a parcel: its units and PROJECT; all-zero scopes left out."""
    units, project = engine.parcel_farmland(pid)
    if not units:
        return {}
    out = {u[0]: u[1:] for u in units if any(u[1:])}
    if out and any(project):
        out[PROJECT] = project
    return out


# --------------------------------------------------------------------------- graph
def near_pairs(geoms: np.ndarray, gap: float) -> tuple[np.ndarray, np.ndarray]:
    """Index pairs (i < j) of geometries within ``gap`` of each other, in bulk (STRtree)."""
    if len(geoms) < 2:
        return np.empty(0, np.int64), np.empty(0, np.int64)
    tree = shapely.STRtree(geoms)

    def query(lo: int) -> np.ndarray:  # GEOS releases the GIL: the halves run side by side
        part = geoms[lo:lo + step]
        if gap > 0:
            found = tree.query(part, predicate="dwithin", distance=gap)
        else:
            found = tree.query(part, predicate="intersects")
        found[0] += lo
        return found[:, found[0] < found[1]]

    step = -(-len(geoms) // _WORKERS)
    with ThreadPoolExecutor(_WORKERS) as pool:
        pairs = np.concatenate(list(pool.map(query, range(0, len(geoms), step))), axis=1)
    return pairs[0].astype(np.int64), pairs[1].astype(np.int64)


def label_components(n: int, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Component label of each of ``n`` nodes joined by edges ``a[k]–b[k]``: the least node of it.

    Vectorised union–find (hook every edge's larger root under the smaller, then jump
    pointers to the roots); O(log n) rounds of numpy work, no Python loop per edge.
    """
    parent = np.arange(n, dtype=np.int64)
    while len(a):
        ra, rb = parent[a], parent[b]
        differ = ra != rb
        if not differ.any():
            break
        a, b, ra, rb = a[differ], b[differ], ra[differ], rb[differ]
        np.minimum.at(parent, np.maximum(ra, rb), np.minimum(ra, rb))
        while True:
            jumped = parent[parent]
            if np.array_equal(jumped, parent):
                break
            parent = jumped
    return parent


# --------------------------------------------------------------------------- numbers
@dataclass(frozen=True)
class PatchStats:
    """One scope's patches of one layer: areas in m²; ``blocks`` = ((block, count, m²), …)."""

    count: int
    total: float
    mean: float
    largest: float
    blocks: tuple[tuple[Block, int, float], ...]


def summarise(areas_um2: Iterable[int], blocks: Sequence[Block]) -> PatchStats:
    """Count, total, mean and largest patch, and the patches of each block size (≥ its threshold)."""
    values = sorted(int(v) for v in areas_um2 if v > 0)
    total = sum(values)
    count = len(values)
    rows = []
    for block in blocks:
        big = [v for v in values if v >= block.threshold]
        rows.append((block, len(big), sum(big) / SCALE))
    return PatchStats(count, total / SCALE, total / SCALE / count if count else 0.0,
                      values[-1] / SCALE if values else 0.0, tuple(rows))
