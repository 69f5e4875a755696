"""The provider's algorithms through processing.run on the demo township: numbers equal the engine's."""

from __future__ import annotations

from pathlib import Path

import pytest
from qgis.core import QgsApplication, QgsProcessingException, QgsProcessingFeedback

from plugin.adapters.demo_writer import write_demo_gpkg
from plugin.adapters.gpkg import read_table
from plugin.adapters.layers import Inputs, build_engine, open_layer
from plugin.core.rules import bundled_pack

N_PARCELS = 600


@pytest.fixture(scope="module")
def provider(qgis_processing):
    from plugin.processing.provider import PROVIDER_ID, LandConsolidationProvider

    registry = QgsApplication.processingRegistry()
    if registry.providerById(PROVIDER_ID) is not None:  # left by another test module
        registry.removeProvider(PROVIDER_ID)
    prov = LandConsolidationProvider()
    assert registry.addProvider(prov)
    yield prov
    registry.removeProvider(PROVIDER_ID)


@pytest.fixture(scope="module")
def demo(tmp_path_factory, qgis_app):
    path = tmp_path_factory.mktemp("src") / "township.gpkg"
    write_demo_gpkg(str(path), n_parcels=N_PARCELS, seed=5)
    return path


def src(demo: Path, layer: str) -> str:
    return f"{demo}|layername={layer}"


def sources(demo: Path) -> dict:
    return {"PARCELS": src(demo, "DLTB"), "UNITS": src(demo, "ZZDY"), "UNIT_FIELD": "DYBH",
            "PBF": src(demo, "YJJBNTTB")}


@pytest.fixture(scope="module")
def engine(demo):
    inputs = Inputs(parcels=open_layer(src(demo, "DLTB"), "parcels"), units=open_layer(src(demo, "ZZDY"), "units"),
                    pbf=open_layer(src(demo, "YJJBNTTB"), "pbf"), unit_field="DYBH")
    engine, _reader = build_engine(inputs, bundled_pack("national"))
    return engine


def cancelled_feedback() -> QgsProcessingFeedback:
    feedback = QgsProcessingFeedback()
    feedback.cancel()
    return feedback


def test_algorithms_are_registered_with_stable_ids(provider):
    ids = {a.id() for a in provider.algorithms()}
    assert {"landconsolidation:computebalance"} <= ids
    for alg in provider.algorithms():
        assert alg.displayName() and alg.group() and alg.groupId() and alg.shortHelpString()
        assert alg.createInstance().name() == alg.name()


# ------------------------------------------------------------------ compute balance
def test_compute_balance_equals_engine(provider, demo, engine, tmp_path):
    import processing

    out = tmp_path / "balance.gpkg"
    result = processing.run("landconsolidation:computebalance",
                            {**sources(demo), "OUTPUT": str(out), "BALANCE": "TEMPORARY_OUTPUT",
                             "INDICATORS": "TEMPORARY_OUTPUT"})
    assert Path(result["OUTPUT"]) == out and out.exists()
    expected = engine.balance_rows()
    rows = [(r["unit_code"], r["dlbm"], r["area_before_m2"], r["area_after_m2"]) for r in read_table(out, "balance")]
    assert len(rows) == len(expected)
    for got, want in zip(rows, expected):
        assert got[:2] == want[:2]
        assert got[2] == pytest.approx(want[2], abs=1e-6) and got[3] == pytest.approx(want[3], abs=1e-6)
    indicators = read_table(out, "indicators")
    want_ind = engine.indicator_rows()
    assert [(r["unit_code"], r["rule_id"]) for r in indicators] == [(r.unit_code, r.rule_id) for r in want_ind]
    for got, want in zip(indicators, want_ind):
        if want.value is None:
            assert got["value"] is None
        else:
            assert got["value"] == pytest.approx(want.value, rel=1e-12, abs=1e-9)
        assert got["passed"] == (None if want.passed is None else int(want.passed))
    # the optional table sinks carry the same rows
    layer = result["BALANCE"]
    assert layer.featureCount() == len(expected)
    assert sum(f["area_after_m2"] for f in layer.getFeatures()) == pytest.approx(
        sum(r[3] for r in expected), abs=1e-3)
    assert result["INDICATORS"].featureCount() == len(want_ind)
    assert result["UNIT_COUNT"] == len(engine.units)
    assert result["FAILED_UNITS"] == sum(1 for u in engine.units if engine.unit_status(u) is False)


def test_compute_balance_cancelled_writes_nothing(provider, demo, tmp_path):
    import processing

    out = tmp_path / "cancelled.gpkg"
    with pytest.raises(QgsProcessingException, match="Cancelled"):
        processing.run("landconsolidation:computebalance", {**sources(demo), "OUTPUT": str(out)},
                       feedback=cancelled_feedback())
    assert not out.exists()
    assert not [p for p in tmp_path.iterdir()]


def test_compute_balance_with_a_custom_rule_pack_file(provider, demo, tmp_path):
    import processing

    from plugin.core.rules import PACK_DIR

    out = tmp_path / "custom.gpkg"
    result = processing.run("landconsolidation:computebalance",
                            {**sources(demo), "RULE_FILE": str(PACK_DIR / "zhejiang.json"), "OUTPUT": str(out)})
    assert Path(result["OUTPUT"]).exists()
    broken = tmp_path / "broken.json"
    broken.write_text("{not json", encoding="utf-8")
    with pytest.raises(QgsProcessingException):
        processing.run("landconsolidation:computebalance",
                       {**sources(demo), "RULE_FILE": str(broken), "OUTPUT": str(tmp_path / "x.gpkg")})
    assert not (tmp_path / "x.gpkg").exists()
