"""集中连片 with hand-computed numbers a planner can check with a ruler and a calculator."""
import numpy as np
import pytest
from shapely.geometry import box

from plugin.core.areas import MU_M2
from plugin.core.contiguity import (
    PROJECT,
    Block,
    ContiguitySettings,
    label_components,
    summarise,
)
from plugin.core.contiguity_live import Contiguity
from plugin.core.engine import BalanceEngine
from plugin.core.fields import ParcelRecord
from plugin.core.rules import bundled_pack


def three_fields(kind="0101", **kw):
    """Three 30 × 30 m parcels in a row, 2 m apart: x 0–30, 32–62, 64–94."""
    return [(i, box(32 * i, 0, 32 * i + 30, 30), ParcelRecord(dlbm=kind, tbmj=900.0, **kw)) for i in range(3)]


def engine_of(parcels, unit=None, pbf=None):
    eng = BalanceEngine()
    eng.build(parcels, [("u", "U1", unit if unit is not None else box(-10, -10, 200, 100))], pbf=pbf)
    return eng


def contiguity(eng, gap):
    c = Contiguity(ContiguitySettings(gap_m=gap))
    c.build(eng)
    return c


def test_three_fields_2m_apart_are_one_patch_at_gap_3_and_three_at_gap_1():
    eng = engine_of(three_fields())
    one = contiguity(eng, 3.0).stats(PROJECT)["farmland_before"]
    assert (one.count, one.total, one.largest, one.mean) == (1, 2700.0, 2700.0, 2700.0)
    three = contiguity(eng, 1.0).stats("u")["farmland_before"]
    assert (three.count, three.total, three.largest, three.mean) == (3, 2700.0, 900.0, 900.0)


def test_gap_is_inclusive_and_touching_counts_at_gap_0():
    eng = engine_of(three_fields())
    assert contiguity(eng, 2.0).stats()["farmland_before"].count == 1  # exactly 2 m apart: within 2 m
    assert contiguity(eng, 1.999).stats()["farmland_before"].count == 3
    touching = [(i, box(30 * i, 0, 30 * i + 30, 30), ParcelRecord(dlbm="0103", tbmj=900.0)) for i in range(3)]
    assert contiguity(engine_of(touching), 0.0).stats()["farmland_before"].count == 1


def test_patch_area_is_the_balance_farmland_net_of_ridges():
    """KCXS 0.1: each parcel counts 810 m² of 耕地 (90 m² go to 1203 田坎), as in the balance."""
    eng = engine_of(three_fields(kcxs=0.1, kcmj=90.0))
    st = contiguity(eng, 3.0).stats("u")["farmland_before"]
    assert st.total == pytest.approx(2430.0)
    farmland = sum(b for code, (b, _a) in eng.class_areas("u").items() if code.startswith("01"))
    assert st.total == pytest.approx(farmland)


def test_after_follows_ghdlbm_and_a_middle_parcel_taken_out_splits_the_patch():
    parcels = three_fields()
    parcels[1] = (1, parcels[1][1], ParcelRecord(dlbm="0101", tbmj=900.0, zzlx="JS-JX", ghdlbm="0702"))
    c = contiguity(engine_of(parcels), 3.0)
    before, after = c.stats()["farmland_before"], c.stats()["farmland_after"]
    assert (before.count, before.total) == (1, 2700.0)
    assert (after.count, after.total, after.largest) == (2, 1800.0, 900.0)


def test_other_land_becoming_farmland_joins_the_patch_after():
    parcels = three_fields()
    parcels[1] = (1, parcels[1][1], ParcelRecord(dlbm="0702", tbmj=900.0, zzlx="JS-FK", ghdlbm="0103"))
    c = contiguity(engine_of(parcels), 3.0)
    assert c.stats()["farmland_before"].count == 2
    assert (c.stats()["farmland_after"].count, c.stats()["farmland_after"].total) == (1, 2700.0)


def test_a_unit_counts_its_share_of_a_parcel_cut_by_its_boundary():
    eng = engine_of(three_fields(), unit=box(-10, -10, 79, 100))  # the third parcel half inside (64–79)
    st = contiguity(eng, 3.0).stats("u")["farmland_before"]
    assert (st.count, st.total) == (1, pytest.approx(900 + 900 + 450))


def test_block_thresholds_at_exactly_100_mu():
    exact = round(100 * MU_M2 * 1_000_000)  # 66 666.666… m² in µm²
    assert exact == 66_666_666_667
    blocks = (Block("block_100", 100, "百亩方", "100-mu blocks"), Block("block_1000", 1000, "千亩方", "1 000-mu"))
    st = summarise([exact, exact - 1, 10 * exact], blocks)
    (b100, n100, a100), (b1000, n1000, a1000) = st.blocks
    assert (b100.id, n100, a100) == ("block_100", 2, pytest.approx(11 * 66_666.666667, abs=1e-3))
    assert (n1000, a1000) == (1, pytest.approx(666_666.666670, abs=1e-3))


def test_a_field_of_exactly_100_mu_is_a_hundred_mu_block():
    side = (100 * MU_M2) ** 0.5  # a square of exactly 100 亩
    parcels = [(1, box(0, 0, side, side), ParcelRecord(dlbm="0101", tbmj=100 * MU_M2)),
               (2, box(side + 10, 0, 2 * side + 10, side), ParcelRecord(dlbm="0101", tbmj=100 * MU_M2 - 0.01))]
    st = contiguity(engine_of(parcels, unit=box(-1, -1, 3 * side, 2 * side)), 5.0).stats()["farmland_before"]
    (_b, n, area), *_ = st.blocks
    assert (st.count, n, area) == (2, 1, pytest.approx(100 * MU_M2))


def test_pbf_patches_follow_the_balance_pbf_and_pbf_out():
    parcels = three_fields()
    parcels[2] = (2, parcels[2][1], ParcelRecord(dlbm="0101", tbmj=900.0, zzlx="JS-JX", ghdlbm="0702", yncz="OUT"))
    eng = engine_of(parcels, pbf=[box(-1, -1, 200, 31)])
    c = contiguity(eng, 3.0)
    assert (c.stats()["pbf_before"].count, c.stats()["pbf_before"].total) == (1, 2700.0)
    assert (c.stats()["pbf_after"].count, c.stats()["pbf_after"].total) == (1, 1800.0)
    assert c.stats()["pbf_after"].total == pytest.approx(eng.variables("u")["pbf_after"])


def test_pack_settings_and_defaults():
    s = ContiguitySettings.from_pack(bundled_pack("national"))
    assert s.gap_m == 5.0
    assert [(b.id, b.mu, b.name_zh) for b in s.blocks] == [
        ("block_100", 100.0, "百亩方"), ("block_1000", 1000.0, "千亩方"), ("block_10000", 10000.0, "万亩方")]
    assert ContiguitySettings.from_pack(None) == ContiguitySettings()


def test_label_components_matches_a_hand_drawn_graph():
    # 0-1-2 chain, 3 alone, 4-5, 6-7-8 with 8-6 (cycle), edges given in a scrambled order
    a = np.array([2, 5, 7, 8, 0])
    b = np.array([1, 4, 8, 6, 1])
    labels = label_components(9, a, b).tolist()
    assert labels == [0, 0, 0, 3, 4, 4, 6, 6, 6]


def test_label_components_long_chain():
    n = 10_000
    perm = np.random.default_rng(1).permutation(n)
    labels = label_components(n, perm[:-1], perm[1:])
    assert (labels == 0).all()


def test_a_bad_contiguity_section_is_refused_with_its_place():
    from plugin.core import rule_schema

    c = rule_schema.Checker()
    rule_schema.check_file({"id": "x", "contiguity": {"gap_m": -1, "blocks": [{"id": "b", "mu": 0}, "z"]},
                            "rules": []}, c)
    places = [p for p, _m in c.problems]
    assert places == ["contiguity.gap_m", "contiguity.blocks[0].mu", "contiguity.blocks[1]"]
    c = rule_schema.Checker()
    rule_schema.check_file({"id": "x", "contiguity": {"gap_m": 3, "blocks": [{"id": "b", "mu": 50}]}, "rules": []}, c)
    assert c.problems == []


def test_a_pack_can_change_the_gap_and_the_blocks(tmp_path):
    import json

    from plugin.core.rules import load_pack

    path = tmp_path / "bureau.json"
    path.write_text(json.dumps({"id": "bureau", "extends": "national",
                                "contiguity": {"gap_m": 1.0, "blocks": [{"id": "b50", "mu": 50, "zh": "五十亩方"}]}}),
                    encoding="utf-8")
    s = ContiguitySettings.from_pack(load_pack(path))
    assert s.gap_m == 1.0
    assert [(b.id, b.mu, b.name_zh, b.name_en) for b in s.blocks] == [("b50", 50.0, "五十亩方", "五十亩方")]
    eng = engine_of(three_fields())
    c = Contiguity(s)
    c.build(eng)
    assert c.stats()["farmland_before"].count == 3  # 2 m apart, gap 1 m


def test_parcel_farmland_adds_up_to_the_balance_exactly_even_where_units_overlap():
    """engine.parcel_farmland: the integers of the balance, per unit and for the project (overlap taken off)."""
    rng = np.random.default_rng(3)
    parcels = []
    for k in range(60):
        x, y = rng.uniform(0, 200, 2)
        code = str(rng.choice(["0101", "0103", "0301", "0702"]))
        target = str(rng.choice(["0101", "0702"])) if rng.random() < 0.3 else None
        rec = ParcelRecord(dlbm=code, tbmj=float(rng.uniform(100, 900)), kcxs=0.08 if code < "02" else None,
                           zzlx="NY-TZ" if target else None, ghdlbm=target, yncz="OUT" if rng.random() < 0.1 else None)
        parcels.append((k, box(x, y, x + 25, y + 25), rec))
    eng = BalanceEngine()
    eng.build(parcels, [("a", "A", box(0, 0, 130, 230)), ("b", "B", box(100, 0, 230, 230))],
              pbf=[box(50, 50, 180, 180)])
    farm = eng.table.is_farmland
    for scope in ("a", "b", None):
        agg = eng.aggregate(scope)
        want = (sum(v for (kind, c), v in agg.items() if kind == "b" and farm(c)),
                sum(v for (kind, c), v in agg.items() if kind == "a" and farm(c)),
                agg.get(("p", "pbf_before"), 0), agg.get(("p", "pbf_after"), 0))
        got = [0, 0, 0, 0]
        for pid in eng.parcel_ids():
            units, project = eng.parcel_farmland(pid)
            rows = [project] if scope is None and project else [u[1:] for u in units if u[0] == scope]
            for row in rows:
                got = [g + v for g, v in zip(got, row)]
        assert tuple(got) == want, scope
