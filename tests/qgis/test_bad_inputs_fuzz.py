"""Fuzz through the command line (issue 9): random small GeoPackages with real-world defects.

Each case ends in exit 2 with a message and no output file, or exit 0 with project rows equal
to a hand computation (boxes, inclusion–exclusion) — never a traceback, and never a PASS when
the units overlap. The bulk of the fuzzing runs in the pure core (tests/core/test_validation_fuzz.py).
"""
from __future__ import annotations

import random

import pytest
from bad_data import X0, Y0, make, parcels_row, rect, shifted
from qgis_helpers import src

from plugin.adapters.gpkg import read_table
from plugin.cli.app import main
from plugin.core.areas import MU_M2
from tests.hand_areas import area_in, effective, union_area

CASES = 150
MODES = ["clean", "clean", "mu", "prefix", "dup_code", "null_code", "overlap", "copy", "bowtie"]
CLASSES = ["0101", "0103", "0301", "0702", "9999"]


def make_case(rng, tmp_path, case):
    mode = rng.choice(MODES)
    cells = rng.sample([(i, j) for i in range(4) for j in range(2)], rng.randint(1, 6))
    rows, truth = [], []
    for k, (i, j) in enumerate(cells):
        box = (X0 + 100 * i, Y0 + 100 * j, X0 + 100 * (i + 1), Y0 + 100 * (j + 1))
        raw = {"DLBM": rng.choice(CLASSES), "TBMJ": rng.choice([None, 10_000 * rng.uniform(0.95, 1.05), 0.0, -5.0,
                                                                1e300]),
               "KCXS": rng.choice([None, 0.1, 1.5]), "KCMJ": rng.choice([None, 500.0, 20_000.0, -1.0])}
        wkt = rect(*box)
        parts = [box]
        if mode == "bowtie" and k == 0:  # self-intersecting, no TBMJ: two triangles of 2 500 m²
            x, y = box[0], box[1]
            wkt = f"POLYGON(({x} {y},{x + 100} {y + 100},{x + 100} {y},{x} {y + 100},{x} {y}))"
            parts = [(x, y, x + 50, y + 50)]  # same area, same share (the units cut along 100 m lines)
            raw["TBMJ"] = None
        if mode == "mu":
            raw["TBMJ"] = 10_000 / MU_M2
        rows.append(parcels_row(k, dlbm=raw["DLBM"], tbmj=raw["TBMJ"], kcxs=raw["KCXS"], kcmj=raw["KCMJ"], wkt=wkt))
        truth.append((parts, raw))
    if mode == "copy":
        rows.append(rows[0])
    a, b = (250, 150) if mode == "overlap" else (200, 200)
    codes = {"dup_code": ("U1", "U1"), "null_code": (None, "U2")}.get(mode, ("U1", "U2"))
    unit_boxes = [(X0, Y0, X0 + a, Y0 + 200), (X0 + b, Y0, X0 + 400, Y0 + 200)]
    units = [(rect(*ub), {"DYBH": c}) for ub, c in zip(unit_boxes, codes)]
    label = 4548
    if mode == "prefix":
        rows, units = shifted(rows, 39_000_000), shifted(units, 39_000_000)
    path = make(tmp_path / f"c{case}.gpkg", rows, units, p_epsg=label, u_epsg=label)
    return mode, path, truth, unit_boxes


def hand_project(truth, unit_boxes):
    out: dict = {}
    for parts, raw in truth:
        geo = union_area(parts) * (2 if len(parts) == 1 and parts[0][2] - parts[0][0] == 50 else 1)
        tbmj, kcmj = effective(raw, geo)
        share = min(1.0, area_in(parts, unit_boxes) / union_area(parts))
        cls = raw["DLBM"] if raw["DLBM"] != "9999" else "unknown"
        out[cls] = out.get(cls, 0.0) + (tbmj - kcmj) * share
        if kcmj:
            out["1203"] = out.get("1203", 0.0) + kcmj * share
    return {k: v for k, v in out.items() if abs(v) > 1e-6}


@pytest.mark.parametrize("block", range(3))
def test_fuzz_cli(qgis_app, tmp_path, capsys, block):
    seen = set()
    for case in range(block * CASES // 3, (block + 1) * CASES // 3):
        rng = random.Random(10_000 + case)
        mode, path, truth, unit_boxes = make_case(rng, tmp_path, case)
        out = tmp_path / f"out{case}.gpkg"
        rc = main(["balance", "--parcels", src(path, "DLTB"), "--units", src(path, "ZZDY"), "--unit-field", "DYBH",
                   "--out", str(out)])
        captured = capsys.readouterr()
        assert "Traceback" not in captured.err + captured.out, f"case {case}"
        unknown_only = all(raw["DLBM"] == "9999" for _p, raw in truth)
        must_refuse = mode in ("mu", "prefix", "dup_code", "null_code") or unknown_only
        seen.add((mode, rc))
        if must_refuse:
            assert rc == 2 and not out.exists() and captured.err.strip(), f"case {case} ({mode}): rc {rc}"
            continue
        assert rc == 0, f"case {case} ({mode}): {captured.err}"
        rows = {r["dlbm"]: r["area_before_m2"] for r in read_table(out, "balance") if r["unit_code"] == "*"}
        rows = {k: v for k, v in rows.items() if abs(v) > 1e-6}
        want = hand_project(truth, unit_boxes)
        assert rows.keys() == want.keys(), f"case {case} ({mode}): {rows} != {want}"
        for k, v in want.items():
            assert rows[k] == pytest.approx(v, rel=1e-5, abs=0.01), f"case {case} ({mode}) {k}: {rows} != {want}"
        passed = [r["passed"] for r in read_table(out, "indicators")]
        if mode == "overlap":
            assert all(p is None for p in passed), f"case {case}: a verdict on overlapping units"
    assert len({m for m, _rc in seen}) >= 5
