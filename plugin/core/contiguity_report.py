"""Tables of the contiguity numbers, the same for the export, the XLSX report, the CLI and Processing.

* :func:`stats_rows` — one row per scope (the project, then every unit by code) and layer:
  patches, total, mean and largest patch, and per block size (百亩方 …) the count and area;
* :func:`patch_rows` — one row per patch with its geometry (the union of its parcels).

Column names are ASCII (GeoPackage, CSV); :func:`layer_name` gives a layer's words for people.
"""
from __future__ import annotations

from typing import Hashable, Iterable

import numpy as np
import shapely

from .areas import MU_M2
from .contiguity import LAYERS, PROJECT
from .contiguity_live import Contiguity
from .engine import SCALE
from .i18n import tr

_LAYER_WORDS = {
    "farmland_before": ("耕地（整治前）", "Farmland before"),
    "farmland_after": ("耕地（整治后）", "Farmland after"),
    "pbf_before": ("永久基本农田（整治前）", "PBF before"),
    "pbf_after": ("永久基本农田（整治后）", "PBF after"),
}


_SHORT_ZH = {"farmland_before": "耕地·前", "farmland_after": "耕地·后", "pbf_before": "永农·前", "pbf_after": "永农·后"}


def layer_name(layer: str, chinese: bool, short: bool = False) -> str:
    """The layer in words; ``short`` for narrow tables (the dock): 耕地·前 … (English stays whole)."""
    zh, en = _LAYER_WORDS[layer]
    if not chinese:
        return en
    return _SHORT_ZH[layer] if short else zh


def scopes(engine, uids: Iterable[Hashable] | None = None, project: bool = True) -> list[tuple[Hashable, str]]:
    """(scope, code) of the project (code "*", as the balance tables) and the units, by code."""
    chosen = set(engine.unit_ids() if uids is None else uids)
    out = [(PROJECT, PROJECT)] if project else []
    out += [(uid, engine.unit_code(uid)) for uid in engine.ordered_units() if uid in chosen]
    return out


def stats_columns(contiguity: Contiguity) -> list[tuple[str, str]]:
    cols = [("unit_code", "TEXT"), ("layer", "TEXT"), ("patches", "INTEGER"), ("total_m2", "REAL"),
            ("mean_m2", "REAL"), ("largest_m2", "REAL"), ("largest_mu", "REAL")]
    for block in contiguity.settings.blocks:
        cols += [(f"{block.id}_count", "INTEGER"), (f"{block.id}_m2", "REAL")]
    return cols


def stats_rows(contiguity: Contiguity, engine, uids: Iterable[Hashable] | None = None,
               project: bool = True) -> list[tuple]:
    rows = []
    for scope, code in scopes(engine, uids, project):
        stats = contiguity.stats(scope)
        for layer in LAYERS:
            s = stats[layer]
            row = [code, layer, s.count, s.total, s.mean, s.largest, s.largest / MU_M2]
            for _block, count, area in s.blocks:
                row += [count, area]
            rows.append(tuple(row))
    return rows


PATCH_COLUMNS = [("unit_code", "TEXT"), ("layer", "TEXT"), ("patch", "INTEGER"), ("parcels", "INTEGER"),
                 ("area_m2", "REAL"), ("area_mu", "REAL"), ("block", "TEXT")]


def patch_rows(contiguity: Contiguity, engine, uids: Iterable[Hashable] | None = None, project: bool = True,
               layers: Iterable[str] = LAYERS) -> tuple[list[tuple], list]:
    """(rows, geometries): every patch, largest first within its scope and layer; ``block`` = the
    largest block size it reaches (its id), or None."""
    blocks = contiguity.settings.blocks
    rows, members = [], []
    for scope, code in scopes(engine, uids, project):
        for layer in layers:
            for k, (area, pids) in enumerate(contiguity.patches(scope, layer), start=1):
                reached = [b.id for b in blocks if area >= b.threshold]
                rows.append((code, layer, k, len(pids), area / SCALE, area / SCALE / MU_M2,
                             reached[-1] if reached else None))
                members.append(pids)
    geoms = [_union([contiguity.geoms[p] for p in pids]) for pids in members]
    return rows, geoms


def _union(geoms: list):
    if len(geoms) == 1:
        return geoms[0]
    arr = np.empty(len(geoms), dtype=object)
    arr[:] = geoms
    return shapely.union_all(arr)


def summary_lines(contiguity: Contiguity, engine, scope: Hashable, chinese: bool) -> list[str]:
    """Plain text of one scope's numbers (the CLI's output)."""
    lines = []
    stats = contiguity.stats(scope)
    for layer in LAYERS:
        s = stats[layer]
        blocks = "  ".join(tr("{0}: {1} ({2:.1f} mu)").format(b.name(chinese), n, a / MU_M2) for b, n, a in s.blocks)
        lines.append(tr("{0}: {1} patches, {2:.1f} mu; mean {3:.1f} mu, largest {4:.1f} mu. {5}").format(
            layer_name(layer, chinese), s.count, s.total / MU_M2, s.mean / MU_M2, s.largest / MU_M2, blocks))
    return lines
