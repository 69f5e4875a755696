"""The demo township looks like real 三调 data and carries a plan that shows both rule states.

Pure tests (no QGIS): what a planner or reviewer would check on the generated layers.
"""
from __future__ import annotations

import csv
from collections import Counter
from pathlib import Path

import numpy as np
import pytest
import shapely

from plugin.demo import Layer, generate_township

ROOT = Path(__file__).resolve().parents[2]
FARM = ("0101", "0102", "0103")


@pytest.fixture(scope="module")
def demo():
    return generate_township(3500, seed=42)


@pytest.fixture(scope="module")
def small():
    return generate_township(900, seed=3)


def _cols(layer):
    return {k: np.array(v, dtype=object) for k, v in layer.columns.items()}


def _construction_codes():
    """建设用地 codes read straight from the resources (not through the code under test): the
    classes of that category, their named variants (1104A counts with 1104) and their K variants."""
    with open(ROOT / "resources" / "land_classes.csv", encoding="utf-8-sig") as fh:
        category = {r["code"]: r["category_zh"] for r in csv.DictReader(fh)}
    with open(ROOT / "resources" / "land_class_variants.csv", encoding="utf-8-sig") as fh:
        base = {r["code"]: r["base"] for r in csv.DictReader(fh) if "*" not in r["code"]}
    codes = {c for c, cat in category.items() if cat == "建设用地"}
    return codes | {v for v, b in base.items() if b in codes} | {c + "K" for c in codes}


def test_generator_runs_without_qgis():
    """The generating modules import no QGIS, Qt, GDAL or adapter (only writer/project may)."""
    import ast

    banned = ("qgis", "PyQt5", "PyQt6", "osgeo", "plugin.adapters", "plugin.gui")
    for path in sorted((ROOT / "plugin" / "demo").glob("*.py")):
        if path.stem in ("writer", "project"):
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom):
                prefix = {1: "plugin.demo.", 2: "plugin."}.get(node.level, "")
                names = [prefix + (node.module or "")]
            elif isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            else:
                continue
            assert not any(n == b or n.startswith(b + ".") for n in names for b in banned), (path.name, names)


def test_exact_parcel_count_and_valid_polygons(demo, small):
    assert len(demo["DLTB"]) == 3500
    assert len(small["DLTB"]) == 900
    assert shapely.is_valid(demo["DLTB"].geometries).all()
    assert all(len(v) == 3500 for v in demo["DLTB"].columns.values())


def test_same_seed_same_data_other_seed_other_data():
    a, b, c = generate_township(700, seed=11), generate_township(700, seed=11), generate_township(700, seed=12)
    for name in a.layers:
        assert list(shapely.to_wkb(a[name].geometries)) == list(shapely.to_wkb(b[name].geometries)), name
        assert a[name].columns == b[name].columns, name
    assert a["DLTB"].columns["DLBM"] != c["DLTB"].columns["DLBM"]


def test_parcels_tile_without_overlap_or_gap(small):
    g = small["DLTB"].geometries
    union = shapely.union_all(g)
    total = shapely.area(g).sum()
    assert union.geom_type == "Polygon"  # one piece ...
    assert len(union.interiors) == 0  # ... without holes (no gaps)
    assert abs(union.area - total) < 1e-6 * total  # no overlaps


def test_location_is_gauss_kruger_zone_39(demo):
    xmin, ymin, xmax, ymax = shapely.total_bounds(demo["DLTB"].geometries)
    assert demo.crs == "EPSG:4527"
    assert 39_480_000 < xmin < xmax < 39_520_000
    assert 3_480_000 < ymin < ymax < 3_520_000


def test_dltb_fields_follow_sandiao_rules(demo):
    c = _cols(demo["DLTB"])
    bsm = c["BSM"]
    assert len(set(bsm)) == len(bsm) and all(len(b) == 18 for b in bsm)
    assert all(len(z) == 19 and z.isdigit() for z in c["ZLDWDM"])
    villages = {z[:12] for z in c["ZLDWDM"]}
    assert 4 <= len(villages) <= 8
    # one village code <-> one Chinese village name
    pairs = {(z[:12], m) for z, m in zip(c["ZLDWDM"], c["ZLDWMC"])}
    assert len(pairs) == len(villages) and all(m.endswith("村") for _, m in pairs)
    assert all(q[:12] == z[:12] for q, z, x in zip(c["QSDWDM"], c["ZLDWDM"], c["QSXZ"]) if x == "30")
    farm = np.isin(c["DLBM"], FARM)
    tbmj, kcmj, tbdlmj = (c[k].astype(float) for k in ("TBMJ", "KCMJ", "TBDLMJ"))
    assert np.all(np.abs(tbdlmj - (tbmj - kcmj)) <= 0.01 + 1e-9)
    assert np.all(np.abs(kcmj - tbmj * c["KCXS"].astype(float)) <= 0.005 + 1e-9)
    assert set(c["KCDLBM"][farm]) == {"1203"} and set(c["KCDLBM"][~farm]) == {None}
    assert np.all((c["KCXS"][farm] >= 0.02) & (c["KCXS"][farm] <= 0.12)) and np.all(c["KCXS"][~farm] == 0)
    assert set(c["GDDB"][farm]) <= set(range(1, 11)) and set(c["GDDB"][~farm]) == {None}
    assert set(c["GDPDJB"][farm]) <= {"1", "2", "3", "4", "5"} and set(c["GDPDJB"][~farm]) == {None}
    constr = _construction_codes()
    has_cz = c["CZCSXM"] != None  # noqa: E711
    assert all(d in constr for d in c["DLBM"][has_cz])
    assert {"202", "203", "203A"} <= set(c["CZCSXM"][has_cz])


def test_dlmc_comes_from_the_land_class_table(demo):
    with open(ROOT / "resources" / "land_classes.csv", encoding="utf-8-sig") as fh:
        table = {r["code"]: r["name_zh"] for r in csv.DictReader(fh)}
    c = demo["DLTB"].columns
    for code, name in zip(c["DLBM"], c["DLMC"]):
        if code in table:
            assert name == table[code]
        else:  # 1104A / 0201K variants get a name too
            assert name and code[:-1] in table


def test_tbmj_is_ellipsoidal_area(demo):
    g = demo["DLTB"].geometries
    tbmj = np.array(demo["DLTB"].columns["TBMJ"], dtype=float)
    planar = shapely.area(g)
    # GK planar areas are slightly larger than on the ellipsoid, by < 1e-5 near 117°E
    assert np.all(tbmj <= planar + 0.01)
    assert np.all(np.abs(tbmj - planar) < planar * 2e-5 + 0.005)  # 2-decimal rounding
    assert tbmj.sum() < planar.sum() - 0.5  # the correction is systematic, not rounding noise


def test_plausible_land_class_mix(demo):
    c = _cols(demo["DLTB"])
    tbmj = c["TBMJ"].astype(float)
    share = Counter()
    for code, a in zip(c["DLBM"], tbmj):
        share[code] += a / tbmj.sum()
    farmland = sum(share[k] for k in FARM)
    assert 0.3 < farmland < 0.55
    for code in ("0702", "1004", "1006", "1107", "1104", "1104A", "0201K", "0301", "0305", "0201", "0202",
                 "0404", "1101", "0601", "0701", "05H1", "08H2", "1201", "0809"):
        assert share[code] > 0, code
    # roads and ditches are long thin strips
    g = demo["DLTB"].geometries
    thin = np.isin(c["DLBM"], ("1006", "1107"))
    length = shapely.length(g[thin])
    assert np.median(length**2 / shapely.area(g[thin])) > 100


def test_units_do_not_overlap_cut_parcels_and_nest_in_project(demo):
    units = demo["ZZDY"].geometries
    assert 3 <= len(units) <= 5
    assert abs(shapely.union_all(units).area - shapely.area(units).sum()) < 1e-3
    xmfw = demo["XMFW"].geometries[0]
    assert all(xmfw.contains(u) for u in units)
    rec = list(demo["ZZDY"].records())
    assert [r["DYBH"] for r in rec] == [f"ZZDY-{i:03d}" for i in range(1, len(rec) + 1)]
    assert all("片区" in r["DYMC"] and r["ZT"] in ("储备", "立项", "实施", "验收") for r in rec)
    parcels = demo["DLTB"].geometries
    tree = shapely.STRtree(parcels)
    cut = 0
    for u in units:
        hit = tree.query(u, predicate="intersects")
        cut += int((~shapely.contains(u, parcels[hit])).sum())
    assert cut > 10


def _unit_balance(data):
    """Independent re-computation of docs/domain.md §6/§7 per unit (area-share apportioning)."""
    c = _cols(data["DLTB"])
    g = data["DLTB"].geometries
    tbmj = c["TBMJ"].astype(float)
    kcxs = c["KCXS"].astype(float)
    farm = np.isin(c["DLBM"], FARM)
    after_code = np.where(c["ZZLX"] != None, c["GHDLBM"], c["DLBM"])  # noqa: E711
    ghk = np.array([k if k is not None else (x if f else 0.0) for k, x, f in zip(c["GHKCXS"], kcxs, farm)])
    before = np.where(farm, c["TBDLMJ"].astype(float), 0.0)
    after = np.where(np.isin(after_code, FARM), tbmj * (1 - ghk), 0.0)
    constr = _construction_codes()
    cb = np.where(np.isin(c["DLBM"], list(constr)), tbmj, 0.0)
    ca = np.where(np.isin(after_code, list(constr)), tbmj, 0.0)
    out = []
    for u in data["ZZDY"].geometries:
        idx = shapely.STRtree(g).query(u, predicate="intersects")
        share = shapely.area(shapely.intersection(g[idx], u)) / shapely.area(g[idx])
        fb, fa = (share * before[idx]).sum(), (share * after[idx]).sum()
        out.append(((fa - fb) / fb, (share * (ca[idx] - cb[idx])).sum()))
    return out


def test_unit_balance_sees_new_construction_land(demo):
    """The independent balance above is no rubber stamp: a homestead planned on farmland with
    no reclamation elsewhere (建新 without 拆旧) shows up as construction land gained."""
    assert "1104A" not in _construction_codes() and "0702" in _construction_codes()
    dltb = demo["DLTB"]
    cols = {k: list(v) for k, v in dltb.columns.items()}
    unit = demo["ZZDY"].geometries[0]
    inside = shapely.contains(unit, dltb.geometries)
    i = next(i for i, (code, tag) in enumerate(zip(cols["DLBM"], cols["ZZLX"]))
             if inside[i] and tag is None and code in FARM)
    cols["ZZLX"][i], cols["GHDLBM"][i] = "JS-JX", "0702"
    before = _unit_balance(demo)[0][1]
    after = _unit_balance({"DLTB": Layer("DLTB", dltb.fields, dltb.geometries, cols), "ZZDY": demo["ZZDY"]})[0][1]
    assert after - before == pytest.approx(cols["TBMJ"][i], rel=1e-9)


@pytest.mark.parametrize("seed", [42, 7])
def test_plan_passes_rules_except_exactly_one_unit(seed, demo):
    data = demo if seed == 42 else generate_township(3500, seed=seed)
    bal = _unit_balance(data)
    gains = [g for g, _ in bal]
    assert sum(g < 0.05 for g in gains) == 1, gains
    assert all(dc <= 1e-6 for _, dc in bal)  # construction land never increases
    fail = data.info["fail_unit"]
    assert gains[fail] < 0.05 and abs(gains[fail] - data.info["unit_balance"][fail]["farmland_gain"]) < 1e-6


def test_plan_is_realistic(demo):
    c = _cols(demo["DLTB"])
    g = demo["DLTB"].geometries
    tagged = c["ZZLX"] != None  # noqa: E711
    units = demo["ZZDY"].geometries
    inside = np.zeros(len(g), dtype=bool)
    for u in units:
        inside |= shapely.contains(u, g)
    assert not (tagged & ~inside).any()  # only parcels inside units are planned
    assert 0.10 <= tagged.sum() / inside.sum() <= 0.20
    types = Counter(c["ZZLX"][tagged])
    assert {"JS-FK", "JS-JX", "NY-GB", "NY-TZ", "NY-KF", "NY-HF", "ST-SD"} <= set(types)
    rules = {"JS-FK": ({"0702", "1201", "0601"}, (*FARM, "0301")), "ST-KS": ({"0602"}, ("0301",)),
             "NY-KF": ({"0404", "1206", "1202", "1104", "1104K"}, FARM),
             "NY-HF": ({"0201", "0201K", "0301"}, ("0101", "0102")), "NY-TZ": ({"0103"}, ("0101",)),
             "ST-SD": ({"1104"}, ("1102",)), "JS-JX": (set(FARM) | {"1201"}, ("0702",))}
    for i in np.nonzero(tagged)[0]:
        t = c["ZZLX"][i]
        if t in rules:
            assert c["DLBM"][i] in rules[t][0] and c["GHDLBM"][i] in rules[t][1], (t, c["DLBM"][i])
        elif t == "NY-GB":
            assert c["GHDLBM"][i] == c["DLBM"][i] and c["GHKCXS"][i] < c["KCXS"][i]
    assert all(k is None for k, t in zip(c["GHKCXS"], c["ZZLX"]) if t != "NY-GB")
    tbmj = c["TBMJ"].astype(float)
    assert tbmj[c["ZZLX"] == "JS-JX"].sum() < tbmj[c["ZZLX"] == "JS-FK"].sum()
    # PBF moves: a couple out (inside PBF), more in (outside PBF)
    pbf = shapely.union_all(demo["YJJBNTTB"].geometries)
    outs, ins = np.nonzero(c["YNCZ"] == "OUT")[0], np.nonzero(c["YNCZ"] == "IN")[0]
    assert 1 <= len(outs) < len(ins)
    assert all(pbf.contains(shapely.buffer(g[i], -0.5)) for i in outs)
    assert not any(pbf.intersects(shapely.buffer(g[i], -0.5)) for i in ins)
    assert tbmj[ins].sum() > 1.05 * tbmj[outs].sum()


@pytest.mark.parametrize("seed", [42, 7])
def test_every_tag_is_allowed_by_its_remediation_type(seed, demo):
    """What the tagging panel would accept: each type starts from a class it may take and
    produces a class it may produce (resources/remediation_types.json)."""
    from plugin.core.landclasses import default_table
    from plugin.core.remediation import remediation_types

    data = demo if seed == 42 else generate_township(3500, seed=seed)
    types, table = remediation_types(), default_table()
    c = data["DLTB"].columns
    tags = [(t, d, g) for t, d, g in zip(c["ZZLX"], c["DLBM"], c["GHDLBM"]) if t is not None]
    assert tags
    for t, before, after in tags:
        assert t in types, t
        assert types[t].allows_source(before, table.resolve(before)) and types[t].allows(after), (t, before, after)


def test_pbf_lies_on_paddy_and_irrigated_land(demo):
    c = _cols(demo["DLTB"])
    g = demo["DLTB"].geometries
    pbf = demo["YJJBNTTB"].geometries
    tree = shapely.STRtree(g)
    pi, gi = tree.query(pbf, predicate="intersects")
    a = shapely.area(shapely.intersection(pbf[pi], g[gi]))
    on_paddy = a[np.isin(c["DLBM"][gi], ("0101", "0102"))].sum()
    assert on_paddy / a.sum() > 0.9
    paddy = np.isin(c["DLBM"], ("0101", "0102"))
    covered = a.sum() / c["TBMJ"][paddy].astype(float).sum()
    assert 0.4 < covered <= 1.0  # most, not all paddy is PBF


def test_control_lines_over_river_forest_and_town(demo):
    c = _cols(demo["DLTB"])
    g = demo["DLTB"].geometries
    red = shapely.union_all(demo["STBHHX"].geometries)
    river = g[c["DLBM"] == "1101"]
    assert shapely.area(shapely.intersection(river, red)).sum() > 0.8 * shapely.area(river).sum()
    forest = g[c["DLBM"] == "0301"]
    assert shapely.area(shapely.intersection(forest, red)).sum() > 0.2 * shapely.area(forest).sum()
    town = g[c["DLBM"] == "0701"]
    czk = shapely.union_all(demo["CZKFBJ"].geometries)
    assert shapely.area(shapely.intersection(town, czk)).sum() > 0.9 * shapely.area(town).sum()


def test_quirks_only_when_asked(small):
    assert "0199" not in small["DLTB"].columns["DLBM"] and None not in small["DLTB"].columns["TBMJ"]
    q = generate_township(900, seed=3, quirks=True)
    assert q["DLTB"].columns["DLBM"].count("0199") == 1
    assert q["DLTB"].columns["TBMJ"].count(None) == 1


def test_benchmark_sizes_use_many_units_and_share():
    d = generate_township(24_000, seed=5)
    assert len(d["DLTB"]) == 24_000
    assert len(d["ZZDY"]) == 60
    c = _cols(d["DLTB"])
    tagged = (c["ZZLX"] != None).sum()  # noqa: E711
    inside = sum(len(shapely.STRtree(d["DLTB"].geometries).query(u, predicate="contains"))
                 for u in d["ZZDY"].geometries)
    assert 0.15 < tagged / inside < 0.3


def test_demo_units_keep_ecological_land_as_the_engine_sees_it(demo):
    """What the planner sees in the dock: one unit fails farmland gain, no 生态用地 warning."""
    from plugin.core.engine import BalanceEngine
    from plugin.core.fields import normalize_parcel

    dltb, units = demo["DLTB"], demo["ZZDY"]
    names = list(dltb.columns)
    rows = zip(*(dltb.columns[n] for n in names))
    parcels = [(i, geom, normalize_parcel(dict(zip(names, row))))
               for i, (geom, row) in enumerate(zip(dltb.geometries, rows))]
    engine = BalanceEngine()
    engine.build(parcels, [(i, code, geom) for i, (code, geom) in
                           enumerate(zip(units.columns["DYBH"], units.geometries))])
    results = [r for r in engine.indicator_rows() if r.unit_code != "*"]
    eco = [r for r in results if r.rule_id == "ecological_land_change_m2"]
    assert eco and all(r.passed for r in eco), [(r.unit_code, r.value) for r in eco]
    failing = {r.unit_code for r in results if r.passed is False}
    assert len(failing) == 1
    assert all(r.rule_id == "farmland_gain_ratio" for r in results if r.passed is False)
