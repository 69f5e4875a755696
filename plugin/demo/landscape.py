"""The landscape of the demo township: what each lattice cell is, and which cells may merge.

Each cell gets a land class from analytic features (river band, hills, town, hamlets) plus
smooth noise, a village (the nearest village seat) and a villagers' group (the nearest hamlet
of its village). The random draws happen in a fixed order: the same seed, the same township.

Pure (numpy, shapely 2).
"""
from __future__ import annotations

import math
from typing import Any

import numpy as np

from .geometry import blob, blob_depth, nearest, smooth_noise
from .lattice import Grid

#: classes never merged with a neighbour into one parcel (built-up, water, scattered land)
_SINGLE_CELL = ("0701", "05H1", "08H1", "08H2", "0809", "0810", "0601", "0508", "1104", "1104A", "1104K",
                "1201", "1202", "0602", "1206", "1101")
#: scattered classes on the plain: (code, probability per cell)
_SCATTER = [("1104", 0.075), ("1104A", 0.02), ("1104K", 0.002), ("0404", 0.015), ("1206", 0.006),
            ("0201", 0.025), ("0201K", 0.005), ("0301", 0.03), ("1202", 0.015), ("0702", 0.015),
            ("1201", 0.002)]


def classify(g: Grid, rng: np.random.Generator, big: bool) -> dict[str, Any]:
    """Land class, village and feature depth for every lattice cell, and the merge links."""
    R, C = g.rows, g.cols
    cu = (g.xs[:-1] + g.xs[1:]) / 2
    cv = (g.ys[:-1] + g.ys[1:]) / 2
    U = np.broadcast_to(cu[None, :], (R, C)).ravel()
    V = np.broadcast_to(cv[:, None], (R, C)).ravel()
    srow = np.broadcast_to(g.strip_row[:, None], (R, C)).ravel()
    scol = np.broadcast_to(g.strip_col[None, :], (R, C)).ravel()
    feat = _features(g, U, V, rng)
    vill = _villages(g, U, V, feat, rng, big)
    area_km2 = g.width * g.height / 1e6
    scale = min(1.0, math.sqrt(area_km2 / 28.0))  # feature size grows with the township up to a point
    noise = smooth_noise(rng, U, V, 1500.0 * scale + 300)
    noise2 = smooth_noise(rng, U, V, 900.0 * scale + 200)
    r = rng.random(len(U))
    cls = _land_classes(g, feat, vill["hamlet_depth"], noise, noise2, r, srow, scol)
    links = _links(g, cls, vill["village"], srow, scol, rng)
    return {"cls": links.pop("cls2"), "village": vill["village"].reshape(R, C), "group": vill["group"].reshape(R, C),
            **links,
            "hill_depth": feat["hill_depth"].reshape(R, C), "hamlet_depth": vill["hamlet_depth"].reshape(R, C),
            "town_depth": feat["town_depth"].reshape(R, C), "hills": feat["hills"], "towns": feat["towns"],
            "rivers": feat["rivers"], "hamlets": vill["hamlets"], "n_villages": vill["n_villages"],
            "noise": noise.reshape(R, C)}


def _features(g: Grid, U: np.ndarray, V: np.ndarray, rng: np.random.Generator) -> dict[str, Any]:
    """Hills, towns and rivers (local metres) and every cell's depth in them."""
    W, H = g.width, g.height
    area_km2 = W * H / 1e6
    n_hills = max(1, round(area_km2 / 30))
    hills = [blob(0.16 * W, 0.82 * H, 0.40 * math.sqrt(W * H) if n_hills == 1 else 1500.0, rng)]
    for _ in range(n_hills - 1):
        hills.append(blob(rng.uniform(0, W), rng.uniform(0, H), rng.uniform(1000, 2200), rng))
    n_towns = max(1, round(area_km2 / 200))
    towns = [blob(0.88 * W, 0.13 * H, 0.19 * math.sqrt(W * H) if n_towns == 1 else 900.0, rng)]
    for _ in range(n_towns - 1):
        towns.append(blob(rng.uniform(0, W), rng.uniform(0, H), rng.uniform(600, 1000), rng))
    n_rivers = max(1, round(max(W, H) / 12_000))
    rivers = []
    for k in range(n_rivers):
        v0 = H * (0.33 + k) / n_rivers if n_rivers > 1 else 0.36 * H
        rivers.append((v0, rng.uniform(0.03, 0.06) * H / n_rivers, W / rng.uniform(0.8, 1.3),
                       rng.uniform(0, 2 * np.pi), max(30.0, 0.55 * g.ch)))
    river_v = np.full(len(U), np.inf)
    for v0, amp, lam, ph, hw in rivers:
        d = np.abs(V - (v0 + amp * np.sin(2 * np.pi * U / lam + ph))) - hw
        river_v = np.minimum(river_v, d)
    _, hill_depth = blob_depth(hills, U, V)
    _, town_depth = blob_depth(towns, U, V)
    return {"hills": hills, "towns": towns, "rivers": rivers, "in_river": river_v < 0,
            "hill_depth": hill_depth, "town_depth": town_depth}


def _hamlet_sites(g: Grid, feat: dict, n_hamlets: int, rng: np.random.Generator) -> tuple[list, np.ndarray]:
    """Hamlets spread over the land outside river, town and hill core: candidate sites scored
    in one vectorised pass, then accepted greedily by spacing."""
    W, H = g.width, g.height
    hamlets: list = []
    min_sep = 0.6 * math.sqrt(W * H / n_hamlets)
    cx = rng.uniform(0.05 * W, 0.95 * W, n_hamlets * 40)
    cy = rng.uniform(0.05 * H, 0.95 * H, n_hamlets * 40)
    ok = (blob_depth(feat["towns"], cx, cy)[1] <= -0.5) & (blob_depth(feat["hills"], cx, cy)[1] <= 0.1)
    for v0, amp, lam, ph, _ in feat["rivers"]:
        ok &= np.abs(cy - (v0 + amp * np.sin(2 * np.pi * cx / lam + ph))) >= 350
    centres = np.empty((0, 2))
    for x, y in zip(cx[ok], cy[ok]):
        if len(hamlets) >= n_hamlets:
            break
        if len(centres) and np.min(np.hypot(centres[:, 0] - x, centres[:, 1] - y)) < min_sep:
            continue
        centres = np.vstack([centres, [x, y]])
        hamlets.append(blob(x, y, rng.uniform(200, 330), rng))
    return hamlets, centres


def _villages(g: Grid, U: np.ndarray, V: np.ndarray, feat: dict, rng: np.random.Generator,
              big: bool) -> dict[str, Any]:
    """Hamlets, the village of every cell (nearest village seat) and its group (nearest hamlet)."""
    area_km2 = g.width * g.height / 1e6
    n_villages = int(rng.integers(5, 8)) if not big else max(8, min(400, round(area_km2 / 5)))
    n_hamlets = max(n_villages, round(area_km2 / 4.5) + 1)
    hamlets, centres = _hamlet_sites(g, feat, n_hamlets, rng)
    n_villages = min(n_villages, len(hamlets))
    hamlet_idx, hamlet_depth = blob_depth(hamlets, U, V)
    village_of_hamlet = np.arange(len(hamlets)) % n_villages  # first n_villages hamlets seed villages
    if len(hamlets) > n_villages:
        vc = centres[:n_villages]
        for h in range(n_villages, len(hamlets)):
            village_of_hamlet[h] = int(np.argmin(np.hypot(vc[:, 0] - centres[h, 0], vc[:, 1] - centres[h, 1])))
    village = nearest(centres[:n_villages], U, V)
    # group (村民小组) = which hamlet of the village is nearest
    group = np.zeros(len(U), dtype=np.int16)
    for vidx in range(n_villages):
        hs = np.nonzero(village_of_hamlet == vidx)[0]
        if len(hs) > 1:
            sel = village == vidx
            rank = {h: i for i, h in enumerate(hs)}
            hi = hamlet_idx[sel]
            group[sel] = np.array([rank.get(int(h), 0) for h in hi]) if sel.sum() < 5000 else \
                np.vectorize(lambda h, rank=rank: rank.get(int(h), 0))(hi)
    return {"hamlets": hamlets, "n_villages": n_villages, "hamlet_depth": hamlet_depth, "village": village,
            "group": group}


def _land_classes(g: Grid, feat: dict, hamlet_depth: np.ndarray, noise: np.ndarray, noise2: np.ndarray,
                  r: np.ndarray, srow: np.ndarray, scol: np.ndarray) -> np.ndarray:
    """The 三调 class of every cell: farmland mix and scatter, hills, hamlets, town, strips, river."""
    R, C = g.rows, g.cols
    cls = np.full(len(r), "0101", dtype="<U5")
    cls[noise2 > 0.35] = "0102"
    cls[(noise2 < -0.45)] = "0103"
    acc = 0.0
    for code, p in _SCATTER:
        cls[(r >= acc) & (r < acc + p)] = code
        acc += p
    hd = feat["hill_depth"]
    foot = (hd > 0) & (hd <= 0.35)
    cls[foot] = np.where(noise[foot] > 0.2, "0202", np.where(noise[foot] > -0.1, "0201", "0103"))
    cls[foot & (r > 0.93)] = "0404"
    cls[foot & (r < 0.03)] = "0201K"
    core = hd > 0.35
    cls[core] = np.where(hd[core] > 0.55, "0301", np.where(noise2[core] > 0, "0305", "0301"))
    cls[core & (r < 0.02)] = "0307"
    cls[core & (r > 0.985)] = "0602"
    ham = hamlet_depth > 0
    rr = r[ham]
    cls[ham] = np.select([rr < 0.72, rr < 0.80, rr < 0.85, rr < 0.88, rr < 0.91, rr < 0.95],
                         ["0702", "1201", "0809", "1202", "0601", "1104"], "0101")
    ring = (hamlet_depth > -0.4) & ~ham & ~core & ~foot
    cls[ring & (r > 0.9)] = "1104"
    # town and its industrial fringe
    town_depth = feat["town_depth"]
    town = town_depth > 0
    rt = r[town]
    cls[town] = np.select([rt < 0.50, rt < 0.66, rt < 0.76, rt < 0.82, rt < 0.86, rt < 0.90],
                          ["0701", "05H1", "08H2", "0809", "0810", "08H1"], "0701")
    fringe = (town_depth > -0.45) & ~town
    cls[fringe & (noise > -0.1)] = "0601"
    cls[fringe & (noise > -0.1) & (r < 0.1)] = "0508"
    # strips
    strip = srow | scol
    roadish = np.where(srow, (np.arange(R)[:, None] // (g.by + 1) % 2 == 1).repeat(C, 1).ravel(),
                       (np.arange(C)[None, :] // (g.bx + 1) % 2 == 0).repeat(R, 0).ravel())
    cls[strip] = np.where(roadish[strip], "1006", "1107")
    cls[strip & (ham | town)] = "1004"
    # one main road through the township is a highway (公路用地)
    main_row = (R // (g.by + 1) // 2) * (g.by + 1) + g.by
    cls[srow & (np.arange(R)[:, None] == main_row).repeat(C, 1).ravel()] = "1003"
    cls[feat["in_river"]] = "1101"
    return cls


def _links(g: Grid, cls: np.ndarray, village: np.ndarray, srow: np.ndarray, scol: np.ndarray,
           rng: np.random.Generator) -> dict[str, Any]:
    """Which neighbouring cells are one parcel: strips and river segments always (fixed), farmland
    and forest runs may be (free links); strip columns run vertically."""
    R, C = g.rows, g.cols
    normal = ~srow & ~scol
    cls2 = cls.reshape(R, C)
    vil2 = village.reshape(R, C)
    vcell = (scol & ~srow & np.isin(cls, ("1006", "1107", "1004"))).reshape(R, C)
    hcell = ~vcell
    same = (cls2[:, 1:] == cls2[:, :-1]) & (vil2[:, 1:] == vil2[:, :-1]) & hcell[:, 1:] & hcell[:, :-1]
    strow2 = g.strip_row[:, None]
    riv2 = cls2[:, :-1] == "1101"
    seg = rng.integers(8, 20, R)[:, None]
    brk = ((np.arange(C - 1)[None, :] + rng.integers(0, 20, R)[:, None]) % seg) == 0
    fixed_h = same & (strow2 | riv2) & ~brk
    normal2 = normal.reshape(R, C)
    mergeable = ~np.isin(cls2, _SINGLE_CELL)
    free = same & ~fixed_h & normal2[:, 1:] & normal2[:, :-1] & mergeable[:, :-1]
    vsame = (cls2[1:, :] == cls2[:-1, :]) & (vil2[1:, :] == vil2[:-1, :]) & vcell[1:, :] & vcell[:-1, :]
    fixed_count = R * C - int(fixed_h.sum()) - int(vsame.sum())
    return {"cls2": cls2, "hcell": hcell, "vcell": vcell, "fixed_h": fixed_h, "free_links": free,
            "vlinks": vsame, "fixed_count": fixed_count}
