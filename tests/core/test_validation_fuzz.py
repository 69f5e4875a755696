"""Fuzz (issue 9): 2 400 random small layers full of real-world defects through validation and the engine.

For each case: no exception; every problem that must stop the assessment is found (and nothing
else); no PASS when there is one; and the class areas per unit and for the project equal a
hand computation (inclusion–exclusion over boxes, no shapely) of what the rules say: unusable
TBMJ → the geometry's area, unusable KCXS/KCMJ ignored, identical duplicates counted once,
parcels shared by overlapping units counted once in the project.
"""
import json
import random
import sys
from itertools import combinations
from pathlib import Path

import pytest
from shapely.geometry import GeometryCollection, LineString, MultiPolygon, Polygon, box

from plugin.core.areas import MU_M2
from plugin.core.engine import BalanceEngine
from plugin.core.fields import normalize_parcel
from plugin.core.validation import check_tbmj_unit
from tests.hand_areas import area, area_in, effective, inter, run_limited, union_area

CASES = 2400
ROOT = Path(__file__).resolve().parents[2]
CODES = ["0101", "0103", "0301", "0702", "0404", "9999", 101, None]
KNOWN = {"0101", "0103", "0301", "0702", "0404"}


# --------------------------------------------------------------------------- random cases
def rand_box(rng, size=15):
    x, y = rng.randint(0, 40), rng.randint(0, 40)
    return (x, y, x + rng.randint(1, size), y + rng.randint(1, size))


def make_geometry(rng, kind, parts):
    if kind == "none":
        return None
    if kind == "empty":
        return Polygon()
    if kind == "tiny":
        return box(*parts[0])
    if kind == "overlapping_multi":  # invalid MultiPolygon: make_valid gives the union
        return MultiPolygon([box(*p) for p in parts])
    if kind == "collection":
        return GeometryCollection([box(*parts[0]), LineString([(0, 0), (1, 1)])])
    if kind == "line":
        return LineString([(0, 0), (5, 5)])
    return box(*parts[0])


def random_value(rng, good):
    return rng.choice([None, good, good, good, 0, -3.0, float("nan"), float("inf"), 1e300, "x", 5e12])


def make_case(rng):
    mode = rng.random()
    mu = mode < 0.08  # a layer whose TBMJ is in 亩
    parcels, truth = [], []
    for pid in range(rng.randint(0, 6)):
        kind = rng.choices(["box", "tiny", "overlapping_multi", "collection", "none", "empty", "line"],
                           [60, 4, 8, 6, 4, 3, 3])[0]
        if kind == "tiny":
            x = rng.randint(0, 40)
            parts = [(x, x, x + 1e-4, x + 1e-4)]
        elif kind == "overlapping_multi":
            a = rand_box(rng)
            parts = [a, (a[0] + 1, a[1], a[2] + rng.randint(0, 3), a[3])]
        else:
            parts = [rand_box(rng)]
        geom = make_geometry(rng, kind, parts)
        located = kind in ("box", "tiny", "overlapping_multi", "collection")
        geo_area = union_area(parts if kind != "collection" else parts[:1]) if located else 0.0
        raw = {"DLBM": rng.choice(CODES)}
        if mu:
            raw["TBMJ"] = geo_area / MU_M2 * rng.uniform(0.98, 1.02) if geo_area else None
        else:
            raw["TBMJ"] = random_value(rng, geo_area * rng.uniform(0.9, 1.1) if geo_area else 100.0)
        raw["KCXS"] = rng.choice([None, None, 0.1, 0.0, 1.5, -0.2, float("nan")])
        raw["KCMJ"] = rng.choice([None, None, 3.0, -1.0, 1e9, float("nan")])
        parcels.append((pid, geom, normalize_parcel(raw)))
        truth.append((pid, kind, parts if kind != "collection" else parts[:1], located, raw))
        if rng.random() < 0.1:  # an identical copy under a new id (counted once)
            pid2 = 100 + pid
            parcels.append((pid2, geom, normalize_parcel(raw)))
            truth.append((pid2, "copy", None, False, raw))
    units, unit_truth = [], []
    for k in range(rng.randint(0, 3)):
        b = rand_box(rng, 30)
        code = rng.choice([f"U{k}", f"U{k}", f"U{k}", "U0", None])
        has = rng.random() > 0.05
        units.append((f"u{k}", code, box(*b) if has else None))
        unit_truth.append((f"u{k}", code, b if has else None))
    return parcels, truth, units, unit_truth, mu


def expected(truth, unit_truth, table):
    """Class areas per unit and for the project, and the problem codes, by hand."""
    ucodes = {}
    located_units = [(uid, b) for uid, _c, b in unit_truth if b is not None]
    per_unit = {uid: {} for uid, _c, _b in unit_truth}
    project: dict = {}
    n_parcels = n_located = n_unknown = 0
    any_in_unit = False
    for _pid, kind, parts, located, raw in truth:
        if kind == "copy":
            continue
        n_parcels += 1
        code = raw["DLBM"]
        text = None if code is None else str(code)
        if text not in KNOWN:
            n_unknown += 1
        if not located:
            continue
        n_located += 1
        geo_area = union_area(parts)
        tbmj, kcmj = effective(raw, geo_area)
        cls = table.resolve(text)
        terms = [(cls, tbmj - kcmj)] + ([("1203", kcmj)] if kcmj else [])
        for uid, ub in located_units:
            share = min(1.0, area_in(parts, [ub]) / geo_area)
            if share > 0:
                any_in_unit = True
                for c, v in terms:
                    per_unit[uid][c] = per_unit[uid].get(c, 0.0) + v * share
        if located_units:
            share = min(1.0, area_in(parts, [b for _u, b in located_units]) / geo_area)
            for c, v in terms:
                project[c] = project.get(c, 0.0) + v * share
    problems = set()
    if n_parcels == 0 or n_located == 0:
        problems.add("NO_PARCELS")
    if not unit_truth:
        problems.add("NO_UNITS")
    no_geom = any(b is None for _u, _c, b in unit_truth)
    if no_geom:
        problems.add("UNIT_NO_GEOMETRY")
    if any(c is None for _u, c, _b in unit_truth):
        problems.add("UNIT_NO_CODE")
    named = [c for _u, c, _b in unit_truth if c is not None]
    if len(named) != len(set(named)):
        problems.add("UNIT_DUPLICATE_CODE")
    if n_located and n_unknown >= n_parcels:
        problems.add("ALL_CODES_UNKNOWN")
    if n_located and unit_truth and not any_in_unit and not no_geom:
        problems.add("NO_PARCEL_IN_UNITS")
    for (_a, _ca, ba), (_b, _cb, bb) in combinations(unit_truth, 2):
        if ba is not None and bb is not None and area(inter(ba, bb)) >= 1.0:
            problems.add("UNIT_OVERLAP")
    del ucodes
    return per_unit, project, problems


def tbmj_unit_expected(truth, mu):
    ratios = []
    for _pid, kind, parts, located, raw in truth:
        t = raw.get("TBMJ")
        if kind == "copy" or not located or not isinstance(t, float) or not (0 < t <= 1e12):
            continue
        ratios.append(t / union_area(parts))
    if not ratios:
        return False
    ratios.sort()
    n = len(ratios)
    med = ratios[n // 2] if n % 2 else (ratios[n // 2 - 1] + ratios[n // 2]) / 2
    return 0.5 / MU_M2 < med < 2 / MU_M2


def close(a: dict, b: dict) -> bool:
    keys = {k for k, v in a.items() if abs(v) > 1e-3} | {k for k, v in b.items() if abs(v) > 1e-3}
    return all(abs(a.get(k, 0.0) - b.get(k, 0.0)) <= 1e-3 + 1e-9 * abs(b.get(k, 0.0)) for k in keys)


def run_block(block: int, blocks: int = 4) -> dict:
    """One quarter of the cases; returns how often each verdict was given."""
    engine = BalanceEngine()
    table = engine.table
    verdicts = {"pass": 0, "fail": 0, "n/a": 0, "not_assessable": 0}
    for case in range(block * CASES // blocks, (block + 1) * CASES // blocks):
        rng = random.Random(case)
        parcels, truth, units, unit_truth, mu = make_case(rng)
        engine.build(parcels, units)
        per_unit, project, problems = expected(truth, unit_truth, table)
        got = {p.code for p in engine.problems()}
        assert got == problems, f"case {case}: problems {got} != {problems}"
        for uid in per_unit:
            gotc = {k: v[0] for k, v in engine.class_areas(uid).items()}
            assert close(gotc, per_unit[uid]), f"case {case} unit {uid}: {gotc} != {per_unit[uid]}"
        gotp = {k: v[0] for k, v in engine.class_areas(None).items()}
        assert close(gotp, project), f"case {case} project: {gotp} != {project}"
        for uid in [*engine.unit_ids(), None]:
            v = engine.verdict(uid)
            verdicts[v] += 1
            if problems:
                assert v == "not_assessable", f"case {case}: {v} on invalid data"
        # TBMJ in 亩 (as build_engine checks it, from the records and the planar areas)
        tb = [(rec.tbmj, engine.parcel_measured_area(pid)) for pid, _g, rec in parcels
              if engine.has_parcel(pid) and rec.tbmj is not None and engine.parcel_geometry(pid) is not None]
        flagged = check_tbmj_unit([t for t, _a in tb], [a for _t, a in tb], False) is not None
        assert flagged == tbmj_unit_expected(truth, mu), f"case {case}: TBMJ unit"
    return verdicts


@pytest.mark.skipif(sys.platform != "linux", reason="RLIMIT_AS")
def test_fuzz_core_under_2_gb_and_2_minutes():
    """All cases in a child process limited to 2 GB of address space: a MemoryError, a hang
    (timeout) or a failed assertion fails the test with the case number."""
    code = (
        "import json\n"
        "from tests.core.test_validation_fuzz import run_block\n"
        "total = {}\n"
        "for b in range(4):\n"
        "    for k, n in run_block(b).items():\n"
        "        total[k] = total.get(k, 0) + n\n"
        "print(json.dumps(total))\n")
    out = run_limited(code, timeout=120)
    verdicts = json.loads(out.strip().splitlines()[-1])
    # the corpus really exercises both sides
    assert verdicts["not_assessable"] > 200 and verdicts["pass"] + verdicts["fail"] > 200, verdicts
