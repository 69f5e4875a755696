"""The survey side of the demo township: 三调 attributes of every parcel, permanent basic
farmland and the control lines (生态保护红线, 城镇开发边界).

Land-class names and categories come from the land-class table (``core.landclasses``), the
TBMJ/KCMJ/TBDLMJ rule from ``core.areas.survey_terms``. Pure (numpy, shapely 2).
"""
from __future__ import annotations

from typing import Any

import numpy as np
import shapely

from ..core.areas import survey_terms
from ..core.landclasses import RIDGE
from .classes import class_name, is_construction, is_farmland, mask
from .geometry import Frame, blob_polygon, ellipsoidal_area
from .lattice import Grid
from .model import (
    COUNTY_CODE,
    CZKFBJ_FIELDS,
    PBF_FIELDS,
    STBHHX_FIELDS,
    TOWNSHIP_CODE,
    TOWNSHIP_NAME,
    Layer,
)

_NAME_A = "东西南北新石柳桃杨李张王黄白金银龙凤"
_NAME_B = "湖岭塘山园溪桥庄河湾冲圩岗店坝林"
_GROUP_NAMES = "一二三四五六七八九十"
#: KCXS of farmland by slope grade index (grade = index + 1; 三调 coefficients of the demo county)
_KCXS_BY_GRADE = np.array([0.0, 0.03, 0.056, 0.081, 0.105, 0.12])


def land_columns(lay: dict, parcels: dict, rng: np.random.Generator) -> dict[str, Any]:
    """Class, areas (TBMJ ellipsoidal, KCMJ, TBDLMJ), slope, quality and 城镇村 code per parcel."""
    pr, pc = parcels["r"], parcels["c"]
    geoms = parcels["geom"]
    n = len(geoms)
    dlbm = lay["cls"][pr, pc].astype("<U5")
    hill, town = lay["hill_depth"][pr, pc], lay["town_depth"][pr, pc]
    tbmj = np.round(ellipsoidal_area(geoms), 2)
    farm = mask(dlbm, is_farmland)
    # slope grade from the hill: plains grade 1, hill foot 2-4
    slope = np.where(hill > 0.2, 4, np.where(hill > 0.05, 3, np.where(hill > -0.15, 2, 1)))
    slope = np.where(rng.random(n) < 0.08, np.maximum(1, slope - 1), slope)
    kcxs = np.where(farm, _KCXS_BY_GRADE[slope], 0.0)
    kcxs = np.where(farm & (slope == 1) & (rng.random(n) < 0.3), 0.021, kcxs)
    kcmj = np.round(tbmj * kcxs, 2)
    tbdlmj = np.round([survey_terms(t, k, None, t)[2] for t, k in zip(tbmj.tolist(), kcmj.tolist())], 2)
    gdlx = np.where(farm & (slope >= 2), np.where(dlbm == "0101", "TT", "PD"), "")
    gddb = np.clip(np.round(3.5 + 1.2 * (slope - 1) + rng.normal(0, 1.0, n) + (dlbm == "0103") * 1.5), 1, 10)
    state = (np.isin(dlbm, ("1101", "1003")) | (town > 0)) & ~np.isin(dlbm, ("0601",))
    is_c = mask(dlbm, is_construction)
    czcs = np.full(n, "", dtype="<U4")
    czcs[is_c & ~np.isin(dlbm, ("1003",))] = "203"
    czcs[is_c & (town > -0.45)] = "202"
    czcs[(dlbm == "0601") & (town <= 0)] = "203A"
    czcs[dlbm == "0602"] = "204"
    return {"DLBM": dlbm, "TBMJ": tbmj, "KCXS": kcxs, "KCMJ": kcmj, "TBDLMJ": tbdlmj, "farm": farm,
            "slope": slope, "gdlx": gdlx, "gddb": gddb, "state": state, "is_c": is_c, "czcs": czcs,
            "hill": hill, "town": town, "hamlet": lay["hamlet_depth"][pr, pc]}


def village_names(n: int, rng: np.random.Generator) -> list[str]:
    """``n`` distinct two-character village names (numbered when there are more villages)."""
    combos = [a + b for a in _NAME_A for b in _NAME_B]
    order = rng.permutation(len(combos))
    names = [combos[i] + "村" for i in order[: min(n, len(combos))]]
    k = 0
    while len(names) < n:  # more villages than two-character names: number them
        names.append(f"{combos[order[k % len(combos)]]}{k // len(combos) + 2}村")
        k += 1
    return names


def ownership_columns(lay: dict, parcels: dict, cols: dict, vnames: list[str]) -> dict[str, Any]:
    """BSM, TBBH (numbered per village), 权属 and 坐落 codes and names of every parcel."""
    pr, pc = parcels["r"], parcels["c"]
    n = len(pr)
    village, grp, state = lay["village"][pr, pc], lay["group"][pr, pc], cols["state"]
    vcode = np.array([f"{COUNTY_CODE}{TOWNSHIP_CODE}{v + 1:03d}" for v in range(lay["n_villages"])])
    zldwdm = np.char.add(vcode[village], "0000000")
    qsdwdm = np.char.add(np.char.add(vcode[village], np.char.zfill((grp + 1).astype(str), 2)), "00000")
    qsdwdm = np.where(state, f"{COUNTY_CODE}{TOWNSHIP_CODE}000" + "0000000", qsdwdm)
    zldwmc = np.array(vnames)[village]
    gnames = np.array([f"{_GROUP_NAMES[i]}组" if i < 10 else f"{i + 1}组" for i in range(int(grp.max()) + 1)])
    qsdwmc = np.where(state, TOWNSHIP_NAME, np.char.add(zldwmc, gnames[grp]))
    order = np.argsort(village, kind="stable")
    tbbh_num = np.empty(n, dtype=np.int64)
    counts = np.bincount(village, minlength=lay["n_villages"])
    starts = np.concatenate([[0], np.cumsum(counts)[:-1]])
    tbbh_num[order] = np.arange(n) - np.repeat(starts, counts) + 1
    return {"BSM": [f"{COUNTY_CODE}2110{i + 1:08d}" for i in range(n)],
            "TBBH": [str(x) for x in tbbh_num.tolist()], "QSXZ": np.where(state, "10", "30").tolist(),
            "QSDWDM": qsdwdm.tolist(), "QSDWMC": qsdwmc.tolist(), "ZLDWDM": zldwdm, "ZLDWMC": zldwmc.tolist()}


def dltb_columns(cols: dict, owner: dict, plan: dict, dlbm_out: list, tbmj_out: list, bz: list) -> dict:
    """The DLTB layer's columns (None where 三调 leaves a field empty)."""
    farm_l = cols["farm"].tolist()
    dlmc = {c: class_name(c) for c in set(dlbm_out)}

    def none_if_empty(a: np.ndarray) -> list[Any]:
        return [x if x else None for x in a.tolist()]

    return {
        "BSM": owner["BSM"], "TBBH": owner["TBBH"], "DLBM": dlbm_out, "DLMC": [dlmc[c] or None for c in dlbm_out],
        "QSXZ": owner["QSXZ"], "QSDWDM": owner["QSDWDM"], "QSDWMC": owner["QSDWMC"],
        "ZLDWDM": owner["ZLDWDM"].tolist(), "ZLDWMC": owner["ZLDWMC"], "TBMJ": tbmj_out,
        "KCDLBM": [RIDGE if f else None for f in farm_l], "KCXS": cols["KCXS"].tolist(),
        "KCMJ": cols["KCMJ"].tolist(), "TBDLMJ": cols["TBDLMJ"].tolist(), "GDLX": none_if_empty(cols["gdlx"]),
        # written grade = index + 1: _KCXS_BY_GRADE[1] (0.03) is the coefficient of grade 2 (2–6°);
        # grade 1 (≤ 2°) has measured ridges and KCXS 0 (三调), which the demo's farmland never is
        "GDPDJB": [str(s + 1) if f else None for s, f in zip(cols["slope"].tolist(), farm_l)],
        "CZCSXM": none_if_empty(cols["czcs"]),
        "GDDB": [int(x) if f else None for x, f in zip(cols["gddb"].tolist(), farm_l)],
        "BZ": bz, "ZZLX": plan["ZZLX"], "GHDLBM": plan["GHDLBM"], "GHKCXS": plan["GHKCXS"], "YNCZ": plan["YNCZ"],
    }


def select_pbf(g: Grid, parcels: dict, cols: dict, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Permanent basic farmland: paddy/irrigated parcels of selected field blocks on the plain.
    Returns (in PBF per parcel, field block per parcel)."""
    pr, pc = parcels["r"], parcels["c"]
    dlbm, tbmj, farm = cols["DLBM"], cols["TBMJ"], cols["farm"]
    block = (pr // (g.by + 1)) * (g.cols // (g.bx + 1) + 1) + pc // (g.bx + 1)
    pbf_candidate = np.isin(dlbm, ("0101", "0102")) | ((dlbm == "0103") & (cols["slope"] == 1))
    plain = (cols["town"] < -0.45) & (cols["hamlet"] < -0.3) & (cols["hill"] < -0.1)
    bl_farm = np.bincount(block, weights=farm * tbmj)
    bl_all = np.bincount(block, weights=tbmj)
    bl_pick = rng.random(len(bl_all)) < 0.9
    in_pbf = pbf_candidate & plain & (bl_farm[block] > 0.45 * bl_all[block]) & bl_pick[block]
    in_pbf &= ~((dlbm == "0103") & (rng.random(len(dlbm)) < 0.6))
    return in_pbf, block


def pbf_layer(geoms: np.ndarray, in_pbf: np.ndarray, block: np.ndarray, dlbm: np.ndarray,
              tbmj: np.ndarray, zldwdm: np.ndarray) -> Layer:
    """One PBF polygon per field block and village: the union of its selected parcels."""
    idx = np.nonzero(in_pbf)[0]
    key = block[idx].astype(np.int64) * 10_000 + np.unique(zldwdm, return_inverse=True)[1][idx]
    order = np.argsort(key, kind="stable")
    idx, key = idx[order], key[order]
    cut = np.nonzero(np.diff(key))[0] + 1
    out_g, out_bh, out_dl, out_zl, out_mj = [], [], [], [], []
    for k, part in enumerate(np.split(idx, cut)):
        if not len(part):
            continue
        out_g.append(shapely.union_all(geoms[part]))  # coverage_union trips on large GK coordinates
        codes, inv = np.unique(dlbm[part], return_inverse=True)
        out_dl.append(str(codes[np.argmax(np.bincount(inv, weights=tbmj[part]))]))
        out_bh.append(f"YN{k + 1:07d}")
        out_zl.append(str(zldwdm[part[0]]))
        out_mj.append(round(float(tbmj[part].sum()), 2))
    return Layer("YJJBNTTB", PBF_FIELDS, np.array(out_g, dtype=object),
                 {"YJJBNTTBBH": out_bh, "DLBM": out_dl, "ZLDWDM": out_zl, "MJ": out_mj})


def control_lines(lay: dict, frame: Frame, g: Grid) -> tuple[Layer, Layer]:
    """Ecological red line over river(s) and hill cores; urban growth boundary round towns."""
    step = max(g.cw, 20.0) / 2
    bbox = shapely.box(0, 0, g.width, g.height)
    red_g, red_id, red_name, red_kind = [], [], [], []
    for k, (v0, amp, lam, ph, hw) in enumerate(lay["rivers"]):
        u = np.linspace(0, g.width, 400)
        line = shapely.LineString(np.column_stack([u, v0 + amp * np.sin(2 * np.pi * u / lam + ph)]))
        poly = shapely.intersection(shapely.buffer(line, hw + g.ch * 0.6), bbox)
        red_g.append(frame.geom(poly, step))
        red_id.append(f"STHX-{k + 1:03d}")
        red_name.append("河流水域生态保护红线")
        red_kind.append("水源涵养")
    for hill in lay["hills"]:
        poly = shapely.intersection(blob_polygon(hill, 0.55), bbox)
        if poly.is_empty:
            continue
        red_g.append(frame.geom(poly, step))
        red_id.append(f"STHX-{len(red_id) + 1:03d}")
        red_name.append("山体林地生态保护红线")
        red_kind.append("水土保持")
    red_arr = np.array(red_g, dtype=object)
    red = Layer("STBHHX", STBHHX_FIELDS, red_arr, {
        "HXBH": red_id, "HXMC": red_name, "LX": red_kind,
        "MJ": [round(float(a), 2) for a in ellipsoidal_area(red_arr)]})
    cz_g, cz_id, cz_name = [], [], []
    for k, town in enumerate(lay["towns"]):
        poly = shapely.intersection(blob_polygon(town, 1.45), bbox)
        cz_g.append(frame.geom(poly, step))
        cz_id.append(f"CZBJ-{k + 1:03d}")
        cz_name.append(f"{TOWNSHIP_NAME}镇区城镇开发边界" if k == 0 else f"集镇{k + 1}城镇开发边界")
    cz_arr = np.array(cz_g, dtype=object)
    czk = Layer("CZKFBJ", CZKFBJ_FIELDS, cz_arr, {
        "BJBH": cz_id, "BJMC": cz_name, "MJ": [round(float(a), 2) for a in ellipsoidal_area(cz_arr)]})
    return red, czk
