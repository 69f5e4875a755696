"""The demo township: generate the survey layers and the plan, deterministic from a seed.

Why: planners, reviewers and tests need a township that looks like real 三调 data (a DLTB
layer with the real field names, villages, a river, a hill, a town, permanent basic
farmland, the three control lines, remediation units and a half-finished plan) without
shipping anyone's survey data. The same generator scales to 10^6 parcels so the engine
and the GUI can be benchmarked on realistic sizes.

The steps (docs/architecture.md, "The demo"): size the lattice (``lattice``), classify its
cells (``landscape``), merge cells into parcels, give them their 三调 attributes and PBF
(``survey``), place the units (``units``), plan (``plan``), draw the control lines and
assemble the layers. The random generators are derived from the seed (docs/architecture.md).
Pure (stdlib, numpy, shapely 2): the GeoPackage writer is ``demo.writer``.
"""
from __future__ import annotations

from typing import Any

import numpy as np
import shapely

from ..core.lifecycle import STATUSES
from .geometry import Frame, ellipsoidal_area
from .landscape import classify
from .lattice import build_parcels, make_grid, vertices
from .model import DLTB_FIELDS, TOWNSHIP_NAME, XMFW_FIELDS, ZZDY_FIELDS, DemoData, Layer
from .plan import BUILD, plan_township
from .survey import (
    control_lines,
    dltb_columns,
    land_columns,
    ownership_columns,
    pbf_layer,
    select_pbf,
    village_names,
)
from .units import make_units


def generate_township(n_parcels: int = 3500, seed: int = 42, n_units: int | None = None,
                      tagged_share: float | None = None, quirks: bool = False) -> DemoData:
    """Generate a demo township with exactly ``n_parcels`` DLTB parcels.

    Same arguments -> identical output. ``n_units`` defaults to 4 for demo sizes
    (≤ 20 000 parcels) and to ``n_parcels // 400`` above; ``tagged_share`` is the share of
    parcels inside units that carry a plan (default 12–18 % for the demo, 0.2 for big
    sizes). Exactly one unit is planned to miss the 5 % farmland-gain rule so both
    states can be seen. ``quirks=True`` adds one unknown DLBM code ('0199') and one NULL
    TBMJ, as real files have, for testing other modules' error reporting.
    """
    if n_parcels < 200:
        raise ValueError("n_parcels must be at least 200")
    rng = np.random.default_rng(seed)
    big = n_parcels > 20_000
    if n_units is None:
        n_units = max(1, n_parcels // 400) if big else 4
    if tagged_share is None:
        tagged_share = 0.2 if big else float(rng.uniform(0.12, 0.18))
    grid, lay, spare = _size_lattice(n_parcels, seed, big)
    frame = Frame(grid.width, grid.height, grid.cw, np.random.default_rng([seed, 3]))
    vx, vy = vertices(grid, frame, np.random.default_rng([seed, 4]))
    parcels = build_parcels(grid, lay, vx, vy, spare, np.random.default_rng([seed, 5]))
    data = _assemble(grid, lay, parcels, frame, np.random.default_rng([seed, 6]), n_units, tagged_share, big,
                     quirks)
    data.seed = seed
    return data


def _size_lattice(n_parcels: int, seed: int, big: bool) -> tuple[Any, dict, int]:
    """A lattice with at least ``n_parcels`` fixed runs and enough free links to merge the rest.

    Realistic parcels average ~0.8 ha; for very large n shrink them so the township stays
    within ~40 km x 40 km around the zone's central meridian."""
    mean_parcel = min(8000.0, 1.6e9 / n_parcels)
    ratio = 1.45
    for _ in range(6):
        sub = np.random.default_rng([seed, 1])
        grid = make_grid(n_parcels * ratio, mean_parcel / ratio, sub)
        lay = classify(grid, np.random.default_rng([seed, 2]), big)
        fixed = lay["fixed_count"]
        spare = fixed - n_parcels
        if spare < 0:
            ratio *= 1 + (-spare) / n_parcels + 0.03
        elif spare > 0.85 * lay["free_links"].sum():
            ratio *= max(0.7, 1 - (spare - 0.6 * lay["free_links"].sum()) / fixed)
        else:
            return grid, lay, spare
    raise RuntimeError("could not size the demo lattice")  # pragma: no cover - converges for every tested size


def _assemble(g: Any, lay: dict, parcels: dict, frame: Frame, rng: np.random.Generator, n_units: int,
              tagged_share: float, big: bool, quirks: bool) -> DemoData:
    """Attributes, PBF, units, plan and control lines; the six layers of the township."""
    geoms = parcels["geom"]
    cols = land_columns(lay, parcels, rng)
    vnames = village_names(lay["n_villages"], rng)
    owner = ownership_columns(lay, parcels, cols, vnames)
    in_pbf, block = select_pbf(g, parcels, cols, rng)
    cols["in_pbf"] = in_pbf
    units = make_units(g, lay, frame, parcels, n_units, rng)
    plan = plan_township(geoms, cols, units["geoms"], tagged_share, rng, exact=not big)
    red, czk = control_lines(lay, frame, g)
    _no_building_in_red_line(plan, geoms, red)
    dlbm_out, tbmj_out, bz = _quirks(plan, cols, rng) if quirks else \
        (cols["DLBM"].tolist(), cols["TBMJ"].tolist(), [None] * len(geoms))
    dltb = Layer("DLTB", DLTB_FIELDS, geoms, dltb_columns(cols, owner, plan, dlbm_out, tbmj_out, bz))
    pbf = pbf_layer(geoms, in_pbf, block, cols["DLBM"], cols["TBMJ"], owner["ZLDWDM"])
    unit_layer = _unit_layer(units, plan, vnames)
    hull = shapely.buffer(shapely.union_all(units["geoms"]), 15.0, join_style="mitre")
    xmfw = Layer("XMFW", XMFW_FIELDS, np.array([hull], dtype=object), {
        "XMBH": ["XM-2025-001"], "XMMC": [f"{TOWNSHIP_NAME}全域土地综合整治项目"], "XZQ": [TOWNSHIP_NAME],
        "MJ": [round(float(ellipsoidal_area(np.array([hull]))[0]), 2)]})
    layers = {"DLTB": dltb, "YJJBNTTB": pbf, "STBHHX": red, "CZKFBJ": czk, "XMFW": xmfw, "ZZDY": unit_layer}
    info = {"n_parcels": len(geoms), "villages": vnames, "unit_balance": plan["balance"],
            "fail_unit": plan["fail_unit"], "tagged": plan["tagged"]}
    return DemoData(layers=layers, info=info)


def _no_building_in_red_line(plan: dict, geoms: np.ndarray, red: Layer) -> None:
    """建新 never inside the ecological red line (三区三线): such a tag is dropped (the unit then
    takes less farmland and builds less, so its rules still hold); no random draw is used."""
    red_zone = shapely.union_all(red.geometries)
    for i in [i for i, t in enumerate(plan["ZZLX"]) if t == BUILD]:
        if shapely.area(shapely.intersection(geoms[i], red_zone)) > 1.0:
            plan["ZZLX"][i] = plan["GHDLBM"][i] = None


def _quirks(plan: dict, cols: dict, rng: np.random.Generator) -> tuple[list, list, list]:
    """One unknown DLBM code and one missing TBMJ on untagged parcels, noted in BZ."""
    dlbm_out, tbmj_out = cols["DLBM"].tolist(), cols["TBMJ"].tolist()
    n = len(dlbm_out)
    bz: list[Any] = [None] * n
    qi = int(rng.integers(0, n))
    while plan["ZZLX"][qi] is not None:
        qi = (qi + 1) % n
    dlbm_out[qi] = "0199"
    bz[qi] = "示例数据：未知地类编码"
    qj = (qi + n // 2) % n
    while plan["ZZLX"][qj] is not None or qj == qi:
        qj = (qj + 1) % n
    tbmj_out[qj] = None
    bz[qj] = "示例数据：图斑面积缺失"
    return dlbm_out, tbmj_out, bz


def _unit_layer(units: dict, plan: dict, vnames: list[str]) -> Layer:
    """ZZDY: code, name after the main village (片区), main type, village, year and status."""
    nu = len(units["geoms"])
    dymc, seen = [], {}
    for v in units["main_village"]:
        base = vnames[v][:-1] + "片区"
        seen[base] = seen.get(base, 0) + 1
        dymc.append(base if seen[base] == 1 else f"{base}{seen[base]}")
    return Layer("ZZDY", ZZDY_FIELDS, units["geoms"], {
        "DYBH": [f"ZZDY-{k + 1:03d}" for k in range(nu)], "DYMC": dymc, "ZZLX": plan["unit_type"],
        "XZQ": [TOWNSHIP_NAME + vnames[v] for v in units["main_village"]],
        "ND": [2025 + (k % 3 == 2) for k in range(nu)],
        "ZT": [STATUSES[k % len(STATUSES)] for k in range(nu)]})
